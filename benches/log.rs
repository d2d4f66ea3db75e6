//! `focus stats`, `focus log` and `focus export` over a long log: wall time and peak memory
//! of the whole process (an export's output goes to /dev/null).
//!
//! Generates a `sessions.jsonl` of 100,000 varied sessions (1 to 6 blocks, 0 to 5 captures,
//! a summary; made from the known session in `tests/fixtures/log`) in a temporary HOME, then
//! runs each command many times and reports the median and max wall time and the peak
//! resident memory. Targets: median under 300 ms, peak under 64 MiB.
//!
//!     cargo bench --bench log                 # 100,000 sessions, 11 runs a command
//!     cargo bench --bench log -- 20000 5      # fewer sessions, fewer runs
//!
//! Peak memory comes from `getrusage(RUSAGE_CHILDREN)` in a runner process that runs one
//! command only (this binary again, with `--runner`), so each command gets its own figure.

use std::fs;
use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use focus::session::reflection::Achieved;
use focus::store::log::{Entry, Item};

const TARGET: Duration = Duration::from_millis(300);
const TARGET_MIB: u64 = 64;

const KNOWN: &str = include_str!("../tests/fixtures/log/expected-entry.json");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--runner") {
        return runner(&args[at + 1..]);
    }
    let numbers: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sessions = numbers.first().copied().unwrap_or(100_000);
    let runs = numbers.get(1).copied().unwrap_or(11);

    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join(".local/share/focus");
    fs::create_dir_all(&data).unwrap();
    let log = data.join("sessions.jsonl");
    let started = Instant::now();
    generate(&log, sessions);
    let size = fs::metadata(&log).unwrap().len();

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "focus log benchmark: {sessions} sessions, {:.1} MB of log (generated in {:.1} s), {runs} runs a command",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    )
    .unwrap();
    let cases: [&[&str]; 8] = [
        &["stats"],
        &["stats", "--json"],
        &["stats", "--since", "2026-01-01"],
        &["log"],
        &["log", "--task", "report", "-n", "50"],
        &["export", "--format", "json"],
        &["export", "--format", "csv"],
        &["export", "--format", "ics"],
    ];
    for case in cases {
        let report = Command::new(std::env::current_exe().unwrap())
            .arg("--runner")
            .arg(home.path())
            .arg(runs.to_string())
            .args(case)
            .output()
            .expect("runner runs");
        assert!(
            report.status.success(),
            "{case:?}: {}",
            String::from_utf8_lossy(&report.stderr)
        );
        let text = String::from_utf8(report.stdout).unwrap();
        let mut fields = text.split_whitespace();
        let mut times: Vec<Duration> = fields
            .by_ref()
            .take(runs)
            .map(|t| Duration::from_micros(t.parse().unwrap()))
            .collect();
        let peak_kib: u64 = fields.next().unwrap().parse().unwrap();
        times.sort();
        let median = times[times.len() / 2];
        let max = *times.last().unwrap();
        let peak_mib = peak_kib as f64 / 1024.0;
        writeln!(
            out,
            "  focus {:<38} median {:>6.1} ms  max {:>6.1} ms  peak {:>5.1} MiB  {}",
            case.join(" "),
            median.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
            peak_mib,
            if median < TARGET && peak_mib < TARGET_MIB as f64 {
                "ok"
            } else {
                "OVER TARGET"
            }
        )
        .unwrap();
    }
    writeln!(
        out,
        "targets: median under {} ms, peak under {TARGET_MIB} MiB",
        TARGET.as_millis()
    )
    .unwrap();
}

/// Runs one command `runs` times (after one warm-up run) and prints each wall time in
/// microseconds, then the peak resident memory of the runs in KiB.
fn runner(args: &[String]) {
    let home = Path::new(&args[0]);
    let runs: usize = args[1].parse().unwrap();
    let command = &args[2..];
    let run = || {
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_focus"))
            .args(command)
            .env_clear()
            .env("HOME", home)
            .env("TZ", "UTC")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("focus runs");
        assert!(status.success(), "focus {command:?} failed");
        started.elapsed()
    };
    run();
    let times: Vec<String> = (0..runs).map(|_| run().as_micros().to_string()).collect();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} {}", times.join(" "), peak_kib()).unwrap();
}

#[cfg(unix)]
fn peak_kib() -> u64 {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let max = usage.max_rss() as u64;
    // Linux reports KiB, macOS bytes.
    if cfg!(target_os = "macos") {
        max / 1024
    } else {
        max
    }
}

#[cfg(not(unix))]
fn peak_kib() -> u64 {
    0
}

/// A small deterministic generator (no seed from the clock, so every run reads the same log).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

const TASKS: [&str; 6] = [
    "Write the quarterly report",
    "Review pull requests",
    "Design the permissions API",
    "Learn Spanish vocabulary",
    "Clear the inbox",
    "Write blog post draft",
];
const DISTRACTIONS: [&str; 6] = [
    "Slack",
    "email Sam about the invoice",
    "news",
    "book the dentist",
    "phone",
    "check the build",
];

/// `sessions` entries, oldest first, varied in length, outcome and captures, written by the
/// log's own types (so the field order is the one focus writes).
#[allow(clippy::cast_possible_wrap, clippy::assigning_clones)] // small numbers; clarity
fn generate(path: &Path, sessions: usize) {
    let known: Entry = serde_json::from_str(KNOWN).unwrap();
    let mut rng = Lcg(42);
    let mut file = BufWriter::new(fs::File::create(path).unwrap());
    let origin = chrono::DateTime::parse_from_rfc3339("2020-01-01T08:00:00+01:00").unwrap();
    for i in 0..sessions {
        let mut e = known.clone();
        let start = origin
            + chrono::TimeDelta::minutes(i as i64 * 97 + rng.next(60) as i64)
            + chrono::TimeDelta::hours(rng.next(10) as i64);
        let blocks = 1 + rng.next(6) as usize;
        let planned = 25 * blocks.div_ceil(2) as u32 + 5 * rng.next(5) as u32;
        e.id = format!("{}-{i}", start.format("%Y%m%d-%H%M%S"));
        e.task = TASKS[rng.next(6) as usize].to_owned();
        e.start = start;
        e.end = start + chrono::TimeDelta::minutes(i64::from(planned) + 10);
        e.planned_minutes = planned;
        e.focused_minutes = planned.saturating_sub(rng.next(u64::from(planned / 2 + 1)) as u32);
        e.outcome = Some([Achieved::Yes, Achieved::Partly, Achieved::No][rng.next(3) as usize]);
        e.energy = Some(1 + rng.next(5) as u8);
        e.plan.truncate(blocks);
        let captures = rng.next(6) as usize;
        let parked = known.distractions[0].clone();
        e.distractions = (0..captures.min(3))
            .map(|_| Item {
                text: DISTRACTIONS[rng.next(6) as usize].to_owned(),
                at: start,
                ..parked.clone()
            })
            .collect();
        if captures < 4 {
            e.decisions.clear();
            e.blockers.clear();
        }
        if captures < 2 {
            e.insights.clear();
        }
        serde_json::to_writer(&mut file, &e).unwrap();
        file.write_all(b"\n").unwrap();
    }
    file.flush().unwrap();
}
