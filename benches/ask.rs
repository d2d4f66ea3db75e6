//! `focus ask` as a whole process against `curl` reading the same stream: a 200-token reply
//! sent at once (a burst) by a local server on 127.0.0.1, so what is measured is what each
//! program costs around the bytes: starting, reading settings and templates, setting up the
//! connection, parsing and printing. Runs alternate so both see the same machine.
//!
//! Also timed, to say where focus's milliseconds go: `focus --version` (the process itself)
//! and `focus ask --offline` (settings and the templates read, no network).
//!
//!     cargo bench --bench ask            # 41 runs of each, after a warm-up
//!     cargo bench --bench ask -- 101     # more runs
//!     cargo bench --bench ask -- --also /path/to/an/older/focus   # compare a build
//!
//! Target: focus's median at most 1.15 times curl's. Needs `curl` on the PATH.

#[path = "../tests/support/server.rs"]
mod server;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use server::{Response, Server, events, finish_chunk, text_chunk};

const TOKENS: usize = 200;
const TARGET_RATIO: f64 = 1.15;

fn burst() -> Response {
    let mut payloads: Vec<String> = (0..TOKENS)
        .map(|i| text_chunk(&format!("tok{} ", i % 100)))
        .collect();
    payloads.push(finish_chunk("stop", 40, TOKENS as u32));
    Response::sse(events(&payloads))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(41);
    let also = args
        .iter()
        .position(|a| a == "--also")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let server = Server::routed(|_| burst());
    let url = server.url();
    let home = tempfile::tempdir().expect("temp dir");
    let focus_at = |binary: &str, args: &[&str]| {
        let mut command = Command::new(binary);
        command
            .args(args)
            .env_clear()
            .env("HOME", home.path())
            .env("TZ", "UTC")
            .env("FOCUS__LLM__BASE_URL", &url)
            .env("FOCUS__LLM__MODEL", "test-model")
            .env("OPENAI_API_KEY", "sk-bench")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    let focus = |args: &[&str]| focus_at(env!("CARGO_BIN_EXE_focus"), args);
    let body =
        r#"{"model":"test-model","stream":true,"messages":[{"role":"user","content":"hello"}]}"#;
    let endpoint = format!("{url}/chat/completions");
    let curl = || {
        let mut command = Command::new("curl");
        command
            .args(["-sSN", "-X", "POST", "-H", "content-type: application/json"])
            .args([
                "-H",
                "authorization: Bearer sk-bench",
                "-d",
                body,
                &endpoint,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    let mut cases: Vec<(&str, Command)> = vec![
        ("curl reading the stream", curl()),
        ("focus ask", focus(&["ask", "hello"])),
        ("focus ask --offline", focus(&["ask", "--offline", "hello"])),
        ("focus --version", focus(&["--version"])),
    ];
    if let Some(binary) = &also {
        cases.push(("focus ask (--also)", focus_at(binary, &["ask", "hello"])));
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    for round in 0..=runs {
        for (i, (name, command)) in cases.iter_mut().enumerate() {
            let started = Instant::now();
            let status = command.status().expect("runs");
            let took = started.elapsed();
            assert!(status.success(), "{name} failed");
            // The first round warms the caches.
            if round > 0 {
                times[i].push(took);
            }
        }
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let medians: Vec<Duration> = times.iter_mut().map(median).collect();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "focus ask against curl: a {TOKENS}-token burst from 127.0.0.1, {runs} runs each"
    )
    .unwrap();
    for ((name, _), took) in cases.iter().zip(&medians) {
        writeln!(
            out,
            "  {name:<26} median {:>6.2} ms",
            took.as_secs_f64() * 1e3
        )
        .unwrap();
    }
    let ratio = medians[1].as_secs_f64() / medians[0].as_secs_f64();
    writeln!(
        out,
        "  focus ask / curl: {ratio:.2} ({})",
        if ratio <= TARGET_RATIO {
            "ok"
        } else {
            "OVER TARGET"
        }
    )
    .unwrap();
}
