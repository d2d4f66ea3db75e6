//! How late check-in timers fire in a real `focus start`, while another core is kept busy.
//!
//! Runs the optimised binary through a whole session (custom 5-minute blocks with 3-minute
//! breaks, work blocks starting by themselves) at a high time scale, with one thread of this
//! process spinning meanwhile. The driver logs every timer that acted with how late it was
//! (from the timer's wall-clock deadline to after its check-in was printed and journaled);
//! this reads those lines from stderr. Targets: median under 20 ms, max under 250 ms.
//!
//!     cargo bench --bench timers             # a 6-hour session at 1200x: about 20 s
//!     cargo bench --bench timers -- 600      # another time scale

use std::hint::black_box;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

const MEDIAN_TARGET_MS: f64 = 20.0;
const MAX_TARGET_MS: f64 = 250.0;

fn main() {
    let scale: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1200.0);
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[session]\nauto_start_work = true\n[session.checkins]\nfollow_up = 0\n",
    )
    .unwrap();

    let busy = Arc::new(AtomicBool::new(true));
    let spinner = {
        let busy = Arc::clone(&busy);
        thread::spawn(move || {
            let mut n = 0u64;
            while busy.load(Ordering::Relaxed) {
                n = black_box(n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
            }
            n
        })
    };

    let output = Command::new(env!("CARGO_BIN_EXE_focus"))
        .args([
            "start",
            "Timer benchmark",
            "--for",
            "6h",
            "--method",
            "custom",
            "--work",
            "5",
            "--break",
            "3",
            "--time-scale",
            &scale.to_string(),
        ])
        .env_clear()
        .env("HOME", home.path())
        .env("TZ", "UTC")
        .env("FOCUS_CONFIG", &config)
        .env("FOCUS_LOG", "focus::timer=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("focus runs");
    busy.store(false, Ordering::Relaxed);
    spinner.join().unwrap();
    assert!(output.status.success(), "focus failed");

    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut late_ms: Vec<f64> = stderr
        .lines()
        .filter_map(|line| line.split("late_us=").nth(1))
        .filter_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map(|us| us / 1000.0)
        .collect();
    assert!(late_ms.len() > 50, "too few timer lines:\n{stderr}");
    late_ms.sort_by(f64::total_cmp);
    let median = late_ms[late_ms.len() / 2];
    let p90 = late_ms[late_ms.len() * 9 / 10];
    let max = late_ms[late_ms.len() - 1];
    let verdict = |value: f64, target: f64| if value < target { "within" } else { "OVER" };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "focus timer lateness, {} timers at {scale}x with one core busy:\n  median {median:.2} ms ({} the {MEDIAN_TARGET_MS} ms target)  p90 {p90:.2} ms  max {max:.2} ms ({} the {MAX_TARGET_MS} ms target)",
        late_ms.len(),
        verdict(median, MEDIAN_TARGET_MS),
        verdict(max, MAX_TARGET_MS),
    )
    .unwrap();
}
