//! A small fluent harness around the `focus` binary.

use std::ffi::OsStr;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A temporary HOME, shared by the runs of one test.
pub type Home = Arc<TempDir>;

/// One run of `focus` in a temporary HOME.
pub struct Focus {
    home: Home,
    command: Command,
    input: Option<String>,
    /// Where stdout goes instead of a pipe the harness reads.
    stdout: Option<Stdio>,
}

/// Starts a `focus` command with an empty environment but for HOME (a fresh temp dir),
/// `TZ=UTC` and `PATH`.
pub fn focus() -> Focus {
    focus_in(&Arc::new(tempfile::tempdir().expect("temp dir")))
}

/// Like [`focus`], in the HOME of an earlier run.
pub fn focus_in(home: &Home) -> Focus {
    let home = Arc::clone(home);
    let mut command = Command::new(env!("CARGO_BIN_EXE_focus"));
    command
        .env_clear()
        .env("HOME", home.path())
        .env("TZ", "UTC")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(home.path())
        .stdin(Stdio::null());
    Focus {
        home,
        command,
        input: None,
        stdout: None,
    }
}

impl Focus {
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The temporary HOME, to run more commands in it with [`focus_in`].
    pub fn home_handle(&self) -> Home {
        Arc::clone(&self.home)
    }

    /// Pipes this text to stdin, then closes it.
    pub fn input(mut self, text: &str) -> Self {
        self.input = Some(text.to_owned());
        self
    }

    /// The default config file's path (`~/.config/focus/config.toml`).
    pub fn config_path(&self) -> PathBuf {
        self.home.path().join(".config/focus/config.toml")
    }

    /// Writes the default config file.
    pub fn config(self, text: &str) -> Self {
        let path = self.config_path();
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        self
    }

    /// Runs another program (e.g. `script`, to give focus a terminal) with the same arguments
    /// and the same scrubbed environment.
    pub fn program(mut self, program: &str) -> Self {
        let mut command = Command::new(program);
        command
            .args(self.command.get_args())
            .env_clear()
            .envs(self.command.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .current_dir(self.home.path())
            .stdin(Stdio::null());
        self.command = command;
        self
    }

    pub fn stdout_to(mut self, stdout: impl Into<Stdio>) -> Self {
        self.stdout = Some(stdout.into());
        self
    }

    /// Runs focus to the end, with the `input` text (or nothing) on stdin. A focus that does
    /// not exit within the patience window is killed and the test fails.
    pub fn run(mut self) -> Run {
        let mut child = self.spawn_piped();
        let mut stdin = child.stdin.take().unwrap();
        let input = self.input.take().unwrap_or_default();
        let stdout = child.stdout.take();
        let mut stderr = child.stderr.take().unwrap();
        let writer = thread::spawn(move || {
            // focus may stop reading before the end; that is not this test's failure.
            let _ = stdin.write_all(input.as_bytes());
        });
        let out = thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut stdout) = stdout {
                stdout.read_to_end(&mut bytes).unwrap();
            }
            bytes
        });
        let err = thread::spawn(move || {
            let mut bytes = Vec::new();
            stderr.read_to_end(&mut bytes).unwrap();
            bytes
        });
        let status = wait_patiently(&mut child);
        writer.join().unwrap();
        Run {
            output: Output {
                status,
                stdout: out.join().unwrap(),
                stderr: err.join().unwrap(),
            },
            home: self.home,
        }
    }

    fn spawn_piped(&mut self) -> Child {
        self.command
            .stdin(Stdio::piped())
            .stdout(self.stdout.take().unwrap_or_else(Stdio::piped))
            .stderr(Stdio::piped())
            .spawn()
            .expect("focus starts")
    }

    pub fn spawn(mut self) -> Running {
        let mut child = self.spawn_piped();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let output = Arc::new((Mutex::new(Vec::<String>::new()), Condvar::new()));
        let sink = Arc::clone(&output);
        let reader = thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let (lines, arrived) = &*sink;
                lines.lock().unwrap().push(line);
                arrived.notify_all();
            }
        });
        Running {
            child,
            stdin,
            output,
            reader,
            home: self.home,
        }
    }
}

/// A focus process under way, driven line by line.
pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<(Mutex<Vec<String>>, Condvar)>,
    reader: thread::JoinHandle<()>,
    pub home: Home,
}

/// How long `expect` waits for a line before failing. Only a broken build waits this long:
/// every wait ends as soon as the line arrives.
const PATIENCE: Duration = Duration::from_secs(60);

impl Running {
    /// Types a line.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("focus reads its stdin");
        stdin.flush().unwrap();
    }

    /// Waits until a line containing `needle` has been printed (at any point so far) and
    /// returns its index.
    #[track_caller]
    pub fn expect(&self, needle: &str) -> usize {
        let (lines, arrived) = &*self.output;
        let deadline = Instant::now() + PATIENCE;
        let mut lines = lines.lock().unwrap();
        loop {
            if let Some(index) = lines.iter().position(|l| l.contains(needle)) {
                return index;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no line with {needle:?} in:\n{}",
                lines.join("\n")
            );
            lines = arrived.wait_timeout(lines, left).unwrap().0;
        }
    }

    /// Waits until `n` lines containing `needle` have been printed; returns the last one's
    /// index.
    #[track_caller]
    pub fn expect_nth(&self, needle: &str, n: usize) -> usize {
        let (lines, arrived) = &*self.output;
        let deadline = Instant::now() + PATIENCE;
        let mut lines = lines.lock().unwrap();
        loop {
            let found: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains(needle))
                .collect();
            if found.len() >= n {
                return found[n - 1];
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "not {n} lines with {needle:?} in:\n{}",
                lines.join("\n")
            );
            lines = arrived.wait_timeout(lines, left).unwrap().0;
        }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL: no chance to clean up.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill focus");
        self.child.wait().unwrap();
    }

    /// Closes stdin, waits for the process to exit, and returns its status, everything it
    /// printed on stdout, and its stderr.
    pub fn finish(mut self) -> (ExitStatus, String, String) {
        self.stdin = None;
        let mut stderr = self.child.stderr.take().unwrap();
        let err = thread::spawn(move || {
            let mut text = String::new();
            stderr.read_to_string(&mut text).unwrap();
            text
        });
        let status = wait_patiently(&mut self.child);
        self.reader.join().expect("stdout reader");
        let stdout = self.output.0.lock().unwrap().join("\n");
        (status, stdout, err.join().unwrap())
    }
}

/// Waits for focus to exit; kills it and fails the test if it has not within [`PATIENCE`].
fn wait_patiently(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().expect("focus is waited for") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("focus did not exit within {PATIENCE:?}");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// What a run printed and how it exited.
pub struct Run {
    pub output: Output,
    pub home: Home,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8(self.output.stdout.clone()).expect("utf-8 stdout")
    }

    pub fn stderr(&self) -> String {
        String::from_utf8(self.output.stderr.clone()).expect("utf-8 stderr")
    }

    pub fn code(&self) -> i32 {
        self.output.status.code().expect("exited")
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> String {
        assert_eq!(self.code(), 0, "stderr: {}", self.stderr());
        self.stdout()
    }

    /// Asserts exit code 2 with exactly one line on stderr, and returns that line.
    #[track_caller]
    pub fn usage_error(&self) -> String {
        assert_eq!(
            self.code(),
            2,
            "stdout: {}\nstderr: {}",
            self.stdout(),
            self.stderr()
        );
        let stderr = self.stderr();
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line expected: {stderr}");
        lines[0].to_owned()
    }

    /// Asserts a clap usage error (exit 2) and returns its first line.
    #[track_caller]
    pub fn clap_error(&self) -> String {
        assert_eq!(self.code(), 2, "stderr: {}", self.stderr());
        self.stderr().lines().next().unwrap_or_default().to_owned()
    }
}

/// Makes everything under `dir` readable by its owner only, as focus writes its files: for
/// fixtures that stand for what an earlier focus wrote.
pub fn as_focus_writes(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let mode = if path.is_dir() {
                as_focus_writes(&path);
                0o700
            } else {
                0o600
            };
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    let _ = dir;
}
