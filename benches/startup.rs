//! Start-to-exit time of `focus plan … --json`, the path a script or a status bar takes.
//!
//! Runs the optimised binary many times in a scrubbed environment with a temporary HOME (no
//! config file, so defaults are loaded) and reports the median, p90 and max wall time of the
//! whole process. Target: median under 10 ms.
//!
//!     cargo bench --bench startup            # 300 runs
//!     cargo bench --bench startup -- 1000    # more runs

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TARGET: Duration = Duration::from_millis(10);

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let home = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &[&str]); 2] = [
        (
            "plan --json (pomodoro, 90m)",
            &[
                "plan",
                "Write blog post draft",
                "--for",
                "90m",
                "--goal",
                "800 words",
                "--json",
            ],
        ),
        (
            "plan text (deep, until 12:00)",
            &[
                "plan",
                "Design the permissions API",
                "--start",
                "2031-03-03 08:00",
                "--until",
                "12:00",
            ],
        ),
    ];
    let mut out = std::io::stdout().lock();
    writeln!(out, "focus startup benchmark: {runs} runs per case").unwrap();
    for (name, args) in cases {
        let run = || {
            let status = Command::new(env!("CARGO_BIN_EXE_focus"))
                .args(args)
                .env_clear()
                .env("HOME", home.path())
                .env("TZ", "UTC")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("focus runs");
            assert!(status.success(), "{name} failed");
        };
        for _ in 0..10 {
            run();
        }
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                run();
                start.elapsed()
            })
            .collect();
        times.sort();
        let median = times[times.len() / 2];
        let p90 = times[times.len() * 9 / 10];
        let max = times[times.len() - 1];
        let verdict = if median < TARGET { "within" } else { "OVER" };
        writeln!(
            out,
            "{name:32} median {:>6.2} ms  p90 {:>6.2} ms  max {:>6.2} ms  ({verdict} the {} ms target)",
            ms(median),
            ms(p90),
            ms(max),
            TARGET.as_millis()
        )
        .unwrap();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
