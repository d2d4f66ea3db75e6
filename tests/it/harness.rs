//! A small fluent harness around the `focus` binary.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// One run of `focus` in its own temporary HOME.
pub struct Focus {
    home: TempDir,
    command: Command,
}

/// Starts a `focus` command with an empty environment but for HOME (a fresh temp dir),
/// `TZ=UTC` and `PATH`.
pub fn focus() -> Focus {
    let home = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_focus"));
    command
        .env_clear()
        .env("HOME", home.path())
        .env("TZ", "UTC")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(home.path())
        .stdin(Stdio::null());
    Focus { home, command }
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

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn home(&self) -> &Path {
        self.home.path()
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
        self.command.stdout(stdout);
        self
    }

    pub fn run(mut self) -> Run {
        let output = self.command.output().expect("focus runs");
        Run {
            output,
            home: self.home,
        }
    }
}

/// What a run printed and how it exited.
pub struct Run {
    pub output: Output,
    pub home: TempDir,
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
