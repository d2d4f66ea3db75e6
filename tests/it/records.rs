//! Correcting the record: cancelling a session (in it, and from outside it), editing and
//! deleting logged sessions, and the to-do list that carries across sessions. The log stays
//! append-only throughout, and every reader agrees on what it holds.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::{Home, focus, focus_in};

fn data(home: &Path) -> PathBuf {
    home.join(".local/share/focus")
}

/// The files directly in `dir`, by name.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
}

/// `focus log --json`, parsed.
fn logged(home: &Home) -> Vec<Value> {
    let out = focus_in(home).args(["log", "--json"]).run().ok();
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

// ── cancel ──────────────────────────────────────────────────────────────────

#[test]
fn cancel_in_a_session_logs_nothing_and_keeps_what_was_typed() {
    let run = focus()
        .args(["start", "Started by mistake", "--for", "25m", "--offline"])
        .input("/park call the bank\n/cancel\n")
        .run();
    let out = run.ok();
    assert!(
        out.contains("Session cancelled: nothing of it goes to the log."),
        "{out}"
    );
    assert!(
        out.contains("Nothing is logged; what you typed is kept in"),
        "{out}"
    );
    let home = run.home;
    assert_eq!(logged(&home), Vec::<Value>::new());
    assert!(!data(home.path()).join("sessions.jsonl").exists());
    let stats = focus_in(&home).args(["stats", "--json"]).run().ok();
    let stats: Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["sessions"], 0, "{stats}");
    let kept = files(&data(home.path()).join("journal/cancelled"));
    assert_eq!(kept.len(), 1);
    let journal = fs::read_to_string(&kept[0]).unwrap();
    assert!(journal.contains("call the bank") && journal.contains("\"cancel\""));
    assert!(files(&data(home.path()).join("journal")).is_empty());
    assert!(files(&data(home.path()).join("notes")).is_empty());
    // Nothing is left to resume.
    let resumed = focus_in(&home).args(["resume"]).run();
    assert!(
        resumed
            .stderr()
            .contains("there is no unfinished session to resume")
    );
}

#[test]
fn cancel_asks_first_after_five_focused_minutes() {
    let mut session = focus()
        .args([
            "start",
            "Worth keeping",
            "--for",
            "25m",
            "--offline",
            "--time-scale",
            "600",
        ])
        .spawn();
    session.expect("Check-in: 12m in");
    session.send("/cancel");
    session.expect("of focus would not count in the log or the stats");
    session.send("no");
    session.expect("Not cancelled: the session goes on.");
    session.send("/cancel");
    session.expect_nth("Cancel \"Worth keeping\"?", 2);
    session.send("yes");
    session.expect("Nothing is logged");
    let home = session.home.clone();
    let (status, _, _) = session.finish();
    assert!(status.success());
    assert_eq!(logged(&home), Vec::<Value>::new());
    assert_eq!(files(&data(home.path()).join("journal/cancelled")).len(), 1);
}

#[test]
fn focus_cancel_ends_an_unfinished_session_from_outside_it() {
    let none = focus().args(["cancel"]).run();
    assert_eq!(none.code(), 1, "{}", none.stderr());
    assert!(
        none.stderr()
            .contains("there is no unfinished session to cancel"),
        "{}",
        none.stderr()
    );

    // Over five focused minutes: a pipe cannot say yes, so it is refused until --yes.
    let mut session = focus()
        .args([
            "start",
            "Left running",
            "--for",
            "25m",
            "--offline",
            "--time-scale",
            "600",
        ])
        .spawn();
    session.expect("Check-in: 12m in");
    session.send("/quit");
    let home = session.home.clone();
    session.finish();
    let refused = focus_in(&home).args(["cancel"]).run();
    assert_eq!(refused.code(), 1);
    assert!(
        refused
            .stderr()
            .contains("not cancelled; the session \"Left running\""),
        "{}",
        refused.stderr()
    );
    assert!(refused.stderr().contains("`focus cancel --yes`"));
    assert_eq!(files(&data(home.path()).join("journal")).len(), 1);

    let cancelled = focus_in(&home).args(["cancel", "--yes"]).run();
    let out = cancelled.ok();
    assert!(
        out.starts_with("Cancelled \"Left running\". Nothing is logged"),
        "{out}"
    );
    assert!(files(&data(home.path()).join("journal")).is_empty());
    assert_eq!(files(&data(home.path()).join("journal/cancelled")).len(), 1);
    assert_eq!(logged(&home), Vec::<Value>::new());
    // The next session starts as if there had been none.
    let next = focus_in(&home)
        .args(["start", "The real task", "--for", "25m", "--offline"])
        .input("/done\n/done\n")
        .run();
    next.ok();
    assert_eq!(logged(&home).len(), 1);
}
