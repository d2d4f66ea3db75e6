//! The REPL's launch time and idle memory, in a pseudo-terminal as a person would run it.
//!
//! - Launch: from spawning `focus` (no arguments) to its first prompt on the terminal, over
//!   many runs, offline and with a model configured (nothing may connect before the prompt).
//!   Target: median under 5 ms.
//! - Idle memory: the resident set (`VmRSS`, Linux) after the prompt has waited 2 s with no
//!   session, and with a session running. Target: under 10 MiB.
//!
//! ```text
//! cargo bench --bench repl            # 100 launches per case
//! cargo bench --bench repl -- 300     # more
//! ```

#[cfg(unix)]
fn main() {
    unix::main();
}

#[cfg(not(unix))]
fn main() {
    println!("the REPL benchmark needs a pseudo-terminal (Unix)");
}

#[cfg(unix)]
mod unix {
    use std::fs::File;
    use std::io::{Read, Write as _};
    use std::os::fd::OwnedFd;
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    const LAUNCH_TARGET: Duration = Duration::from_millis(5);
    const MEMORY_TARGET_KIB: u64 = 10 * 1024;

    /// `focus` on a fresh pseudo-terminal, and what it writes there, as it comes.
    struct Terminal {
        child: Child,
        input: File,
        output: mpsc::Receiver<Vec<u8>>,
        seen: Vec<u8>,
    }

    impl Terminal {
        fn spawn(home: &std::path::Path, model: bool) -> Terminal {
            let pty = nix::pty::openpty(None, None).expect("a pseudo-terminal");
            let slave = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup"));
            let mut command = Command::new(env!("CARGO_BIN_EXE_focus"));
            command
                .env_clear()
                .env("HOME", home)
                .env("TZ", "UTC")
                .env("TERM", "xterm")
                .env("NO_COLOR", "1")
                .stdin(slave(&pty.slave))
                .stdout(slave(&pty.slave))
                .stderr(slave(&pty.slave));
            if model {
                // A model on a port where nothing listens: the prompt must not wait for it.
                command
                    .env("FOCUS__LLM__BASE_URL", "http://127.0.0.1:9/v1")
                    .env("FOCUS__LLM__MODEL", "bench-model");
            } else {
                command.env("FOCUS__LLM__OFFLINE", "true");
            }
            let child = command.spawn().expect("focus starts");
            drop(pty.slave);
            let master = File::from(pty.master);
            let input = master.try_clone().expect("dup");
            let (tx, output) = mpsc::channel();
            std::thread::spawn(move || {
                let mut master = master;
                let mut buffer = [0u8; 4096];
                while let Ok(n) = master.read(&mut buffer) {
                    if n == 0 || tx.send(buffer[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
            Terminal {
                child,
                input,
                output,
                seen: Vec::new(),
            }
        }

        /// Waits until `needle` has been written since the last wait.
        fn expect(&mut self, needle: &str) {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if let Some(at) = find(&self.seen, needle.as_bytes()) {
                    self.seen.drain(..at + needle.len());
                    return;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                match self.output.recv_timeout(left) {
                    Ok(bytes) => self.seen.extend(bytes),
                    Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {
                        panic!(
                            "no {needle:?} from focus; it wrote {:?}",
                            String::from_utf8_lossy(&self.seen)
                        )
                    }
                }
            }
        }

        fn send(&mut self, line: &str) {
            self.input.write_all(line.as_bytes()).expect("type");
            self.input.write_all(b"\r").expect("type");
        }

        fn quit(mut self) {
            self.send("/quit");
            let _ = self.child.wait();
        }
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    const PROMPT: &str = "focus \u{203a} ";
    /// What a new line editor writes first (bracketed paste on).
    const NEW_LINE_EDITOR: &str = "\u{1b}[?2004h";

    pub fn main() {
        let runs: usize = std::env::args()
            .skip(1)
            .find_map(|a| a.parse().ok())
            .unwrap_or(100);
        let home = tempfile::tempdir().expect("temp dir");
        let mut out = std::io::stdout().lock();
        writeln!(out, "focus REPL benchmark: {runs} launches per case").unwrap();
        for (name, model) in [("offline", false), ("model configured", true)] {
            let mut times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let started = Instant::now();
                let mut terminal = Terminal::spawn(home.path(), model);
                terminal.expect(PROMPT);
                times.push(started.elapsed());
                terminal.quit();
            }
            times.sort();
            let median = times[times.len() / 2];
            writeln!(
                out,
                "  launch to prompt, {name:<17} median {:>6.2} ms  p90 {:>6.2} ms  max {:>6.2} ms  ({})",
                ms(median),
                ms(times[times.len() * 9 / 10]),
                ms(times[times.len() - 1]),
                verdict(median <= LAUNCH_TARGET),
            )
            .unwrap();
        }
        for (name, lines) in [
            ("idle, no session", &[][..]),
            (
                "idle, session running",
                &["/plan write the report for 50m", "/start"][..],
            ),
        ] {
            let home = tempfile::tempdir().expect("temp dir");
            let mut terminal = Terminal::spawn(home.path(), false);
            terminal.expect(PROMPT);
            for line in lines {
                terminal.send(line);
                terminal.expect(NEW_LINE_EDITOR);
            }
            std::thread::sleep(Duration::from_secs(2));
            let kib = rss_kib(terminal.child.id());
            writeln!(
                out,
                "  memory, {name:<22} {} ({})",
                kib.map_or_else(
                    || "unknown (no /proc)".to_owned(),
                    |k| format!("{:.1} MiB", k as f64 / 1024.0)
                ),
                kib.map_or("not measured", |k| verdict(k <= MEMORY_TARGET_KIB)),
            )
            .unwrap();
            terminal.quit();
        }
    }

    /// `VmRSS` of a process, from /proc (Linux).
    fn rss_kib(pid: u32) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    fn verdict(ok: bool) -> &'static str {
        if ok { "within target" } else { "OVER TARGET" }
    }
}
