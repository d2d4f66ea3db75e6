//! `focus start` and `focus resume`: whole sessions at a high time scale, driven through a pipe
//! the way a script would drive them, a SIGKILL in the middle, and the journal on disk.
//!
//! Waits are for printed lines, never for wall-clock time, so a slow machine only makes the
//! tests slower.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::harness::{Home, focus, focus_in};

fn journal_dir(home: &Path) -> PathBuf {
    home.join(".local/share/focus/journal")
}

/// The `.jsonl` files directly in `dir`.
fn journals(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    paths
}

fn lines(path: &Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The `type` of every record after the header, ticks left out.
fn events(path: &Path) -> Vec<String> {
    lines(path)[1..]
        .iter()
        .map(|r| r["type"].as_str().unwrap().to_owned())
        .filter(|t| t != "tick")
        .collect()
}

#[test]
fn a_scripted_session_prints_its_check_ins_and_journals_everything() {
    let mut session = focus()
        .args([
            "start",
            "Write the report",
            "--stack",
            "draft 20, break 5, edit 10",
            "--goal",
            "3 pages",
            "--time-scale",
            "600",
        ])
        .spawn();
    session.expect("Block 1 of 2 · draft begins, 20m until");
    session.send("/park call the bank");
    session.expect("Parked (1 in the lot). Back to it.");
    session.send("/insight lists read better");
    session.expect("Insight noted.");
    session.expect("Check-in: 10m in, 10m left.");
    session.send("on track");
    session.expect("Noted.");
    session.expect("left in block 1. Start wrapping up");
    session.expect("Block 1 done. Wrap up your last thought, /extend 10 to keep going, or take the break (until");
    session.expect("Break's over. Next: block 2 of 2 · edit (10m");
    session.send("/start");
    session.expect("Block 2 of 2 · edit begins, 10m until");
    session.send("/decision cut section 4 -- out of scope");
    session.expect("Decision noted, with its reason.");
    session.expect("That's the plan done");
    session.expect("Did you reach your goal, \"3 pages\"? (yes / partly / no)");
    session.send("yes, three pages");
    session.expect("What helped you stay focused?");
    session.send("/done");
    session.expect("Session closed.");
    let home = session.home.clone();
    let (status, stdout, stderr) = session.finish();
    assert!(status.success(), "{stderr}");
    assert_eq!(stderr, "");

    // The check-ins came in the order of the session.
    let order = [
        "begins, 20m",
        "Check-in: 10m in",
        "2 minutes left in block 1",
        "Block 1 done",
        "Break's over",
        "Block 2 of 2 · edit begins",
        "2 minutes left in block 2",
        "That's the plan done: 30m focused of 30m planned; 2 of 2 blocks completed.",
        "Session closed.",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|needle| {
            stdout
                .find(needle)
                .unwrap_or_else(|| panic!("{needle:?} in {stdout}"))
        })
        .collect();
    assert!(positions.is_sorted(), "{stdout}");

    let dir = journal_dir(home.path());
    assert_eq!(
        journals(&dir),
        Vec::<PathBuf>::new(),
        "nothing left unfinished"
    );
    let closed = journals(&dir.join("closed"));
    assert_eq!(closed.len(), 1);
    assert!(stdout.contains("Logged as session "), "{stdout}");
    let header = &lines(&closed[0])[0];
    assert_eq!(header["kind"], "focus-session-journal");
    assert_eq!(header["schema"], 2);
    assert_eq!(header["time_scale"], 600.0);
    assert_eq!(header["plan"]["task"], "Write the report");
    assert_eq!(
        events(&closed[0]),
        [
            "start", "park", "insight", "reply", "start", "decision", "reply", "done"
        ]
    );
    let text = fs::read_to_string(&closed[0]).unwrap();
    assert!(text.contains(r#""type":"park","text":"call the bank""#));
    assert!(
        text.contains(r#""type":"decision","text":"cut section 4","rationale":"out of scope""#)
    );
}

#[test]
fn a_killed_session_resumes_with_nothing_lost() {
    let mut session = focus()
        .args([
            "start",
            "Write the report",
            "--stack",
            "write 30, break 5, edit 20",
            "--time-scale",
            "60",
        ])
        .spawn();
    session.expect("Block 1 of 2 · write begins");
    session.send("/park water the plants");
    session.expect("Parked (1 in the lot)");
    session.send("/pause phone call");
    session.expect("Paused (phone call).");
    session.send("/resume");
    session.expect("Welcome back");
    session.send("/insight start from the summary");
    session.expect("Insight noted.");
    session.kill();
    let home = session.home.clone();

    let unfinished = journals(&journal_dir(home.path()));
    assert_eq!(unfinished.len(), 1, "the session is still open on disk");
    assert_eq!(
        events(&unfinished[0]),
        ["start", "park", "pause", "resume", "insight"],
        "everything acknowledged before the kill is on disk"
    );

    let run = focus_in(&home)
        .args(["resume"])
        .input("/status\n/park book the dentist\n/quit\n")
        .run();
    let stdout = run.ok();
    assert!(
        stdout.contains("Back to \"Write the report\". Block 1 of 2 · write,"),
        "{stdout}"
    );
    assert!(stdout.contains("Parked (1): water the plants"), "{stdout}");
    assert!(
        stdout.contains("Insights (1): start from the summary"),
        "{stdout}"
    );
    assert!(stdout.contains("Parked (2 in the lot)"), "{stdout}");
    // Leaving mid-block pauses it, so the time away is not counted as focus.
    assert!(
        stdout.contains("; `focus resume` continues it.") && stdout.contains("Paused at "),
        "{stdout}"
    );
    assert_eq!(run.stderr(), "");
    assert_eq!(
        events(&unfinished[0]),
        [
            "start", "park", "pause", "resume", "insight", "reopen", "park", "leave"
        ]
    );
    let text = fs::read_to_string(&unfinished[0]).unwrap();
    assert_eq!(
        text.matches(r#""type":"pause","reason":"phone call""#)
            .count(),
        1
    );
}

#[test]
fn a_cut_off_last_line_is_dropped_with_a_warning_and_the_rest_kept() {
    let run = focus()
        .args(["start", "Write", "--for", "50m", "--time-scale", "60"])
        .input("/park one\n/park two\n/quit\n")
        .run();
    run.ok();
    let path = journals(&journal_dir(run.home.path())).remove(0);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(r#"{"at":"2026-11-20T09:3"#);
    fs::write(&path, &text).unwrap();

    let resumed = focus_in(&run.home)
        .args(["resume"])
        .input("/status\n/quit\n")
        .run();
    let stdout = resumed.ok();
    let name = path.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        resumed.stderr(),
        format!(
            "focus: {name}: its last line was cut off mid-write (22 bytes, when focus was stopped); it was dropped\n"
        )
    );
    assert!(stdout.contains("Parked (2): one; two"), "{stdout}");
    let after = fs::read_to_string(&path).unwrap();
    assert!(
        !after.contains(r#"{"at":"2026-11-20T09:3{"#),
        "the next record has its own line"
    );
    assert_eq!(events(&path), ["start", "park", "park", "leave", "reopen"]);
}

#[test]
fn a_second_process_cannot_drive_the_same_session() {
    let mut first = focus()
        .args(["start", "Write the report", "--for", "50m"])
        .spawn();
    first.expect("begins");
    let home = first.home.clone();

    let second = focus_in(&home).args(["resume"]).run();
    assert_eq!(second.code(), 1);
    assert_eq!(
        second.stderr(),
        "focus: error: the session \"Write the report\" is open in another focus process; carry on there, or end that process first\n"
    );
    let another = focus_in(&home)
        .args(["start", "Something else", "--for", "25m"])
        .run();
    assert_eq!(another.code(), 1);
    let stderr = another.stderr();
    assert!(
        stderr.starts_with("focus: error: the session \"Write the report\" (started ")
            && stderr.ends_with(
                ") is running in another focus process; carry on there, or end it first\n"
            ),
        "{stderr}"
    );

    first.send("/park still mine");
    first.expect("Parked (1 in the lot)");
    first.send("/quit");
    let (status, _, _) = first.finish();
    assert!(status.success());
}

#[test]
fn when_piped_input_ends_the_session_runs_on_until_it_needs_the_person() {
    let run = focus()
        .args([
            "start",
            "Tidy the inbox",
            "--for",
            "25m",
            "--method",
            "pomodoro",
            "--time-scale",
            "3000",
        ])
        .input("/park reply to Ana\n")
        .run();
    let stdout = run.ok();
    assert!(stdout.contains("That's the plan done"), "{stdout}");
    assert!(stdout.contains("Did you get done what you set out to do? (yes / partly / no)"));
    assert!(stdout.ends_with(
        "Input ended during the reflection. Your answers so far are saved; `focus resume` picks up at the next question.\n"
    ));

    // The reflection is still open: resuming goes back to it, and /done closes the session.
    let resumed = focus_in(&run.home)
        .args(["resume"])
        .input("partly: half the inbox\n/done\n")
        .run();
    let stdout = resumed.ok();
    assert!(
        stdout.contains("Did you get done what you set out to do?"),
        "{stdout}"
    );
    assert!(stdout.contains("What helped you stay focused?"), "{stdout}");
    assert!(stdout.contains("Session closed."), "{stdout}");
    assert_eq!(
        journals(&journal_dir(run.home.path())),
        Vec::<PathBuf>::new()
    );
}

#[test]
fn mistakes_in_a_line_are_explained_and_the_session_goes_on() {
    let run = focus()
        .args(["start", "Write", "--for", "50m"])
        .input("/frobnicate\n/extend\n/resume\n/park\n/status\n/quit\n")
        .run();
    let stdout = run.ok();
    for line in [
        "focus: unknown command /frobnicate; /help lists the commands",
        "focus: /extend needs a length: /extend <minutes>",
        "/resume does not apply while a block is running; /status shows where you are.",
        "focus: /park needs what came to mind: /park <text>",
        "Block 1 of 2",
    ] {
        assert!(stdout.contains(line), "{line:?} in {stdout}");
    }
    let path = journals(&journal_dir(run.home.path())).remove(0);
    assert_eq!(
        events(&path),
        ["start", "leave"],
        "refused commands are not journaled (and /quit paused the block)"
    );
}

#[test]
fn resume_without_an_unfinished_session_says_how_to_start_one() {
    let run = focus().args(["resume"]).run();
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stderr(),
        "focus: error: there is no unfinished session to resume; `focus start \"<task>\" --for 50m` starts one\n"
    );
}

#[test]
fn a_bad_time_scale_is_a_usage_error() {
    let run = focus()
        .args(["start", "Write", "--for", "50m", "--time-scale", "0"])
        .run();
    assert!(
        run.clap_error().contains(
            "`0` is not a time scale; give a number from 0.01 to 10000 (1 is real time, 60 makes a minute pass in a second)"
        ),
        "{}",
        run.stderr()
    );
    assert_eq!(
        journals(&journal_dir(run.home.path())),
        Vec::<PathBuf>::new()
    );
}

#[test]
fn the_journal_never_holds_the_api_key() {
    let run = focus()
        .args(["start", "Write", "--for", "25m", "--time-scale", "3000"])
        .env("OPENAI_API_KEY", "sk-test-secret-123")
        .input("/park sk-test is not here\n/done\n/done\n")
        .run();
    run.ok();
    let closed = journals(&journal_dir(run.home.path()).join("closed"));
    let text = fs::read_to_string(&closed[0]).unwrap();
    assert!(!text.contains("sk-test-secret-123"));
}

#[test]
fn ctrl_c_leaves_the_session_saved() {
    let mut session = focus()
        .args(["start", "Write the report", "--for", "50m"])
        .spawn();
    session.expect("begins");
    session.send("/park water the plants");
    session.expect("Parked (1 in the lot)");
    let status = std::process::Command::new("kill")
        .args(["-INT", &session.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let home = session.home.clone();
    let (status, stdout, stderr) = session.finish();
    assert!(status.success(), "{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Paused at ") && last.ends_with("; `focus resume` continues it."),
        "{stdout}"
    );
    let path = journals(&journal_dir(home.path())).remove(0);
    assert_eq!(events(&path), ["start", "park", "leave"]);
}

#[test]
fn a_resumed_session_keeps_time_and_runs_on_by_itself() {
    let run = focus()
        .args([
            "start",
            "Tidy the inbox",
            "--for",
            "25m",
            "--method",
            "pomodoro",
            "--time-scale",
            "600",
        ])
        .input("/quit\n")
        .run();
    run.ok();
    // /quit paused the block. Input ends right after /resume: the resumed session must still
    // fire its check-ins and reach the end.
    let resumed = focus_in(&run.home)
        .args(["resume"])
        .input("/resume\n")
        .run();
    let stdout = resumed.ok();
    for line in [
        "Check-in:",
        "2 minutes left in block 1",
        "That's the plan done",
    ] {
        assert!(stdout.contains(line), "{line:?} in {stdout}");
    }
}

#[test]
fn sessions_closed_in_the_same_second_keep_their_own_journals() {
    let home = focus().home_handle();
    for task in ["first", "second", "third"] {
        focus_in(&home)
            .args(["start", task, "--for", "5m"])
            .input(&format!("/park {task}\n/done\n/done\n"))
            .run()
            .ok();
    }
    let closed = journals(&journal_dir(home.path()).join("closed"));
    assert_eq!(closed.len(), 3, "{closed:?}");
    let mut tasks: Vec<String> = closed
        .iter()
        .map(|p| lines(p)[0]["plan"]["task"].as_str().unwrap().to_owned())
        .collect();
    tasks.sort();
    assert_eq!(tasks, ["first", "second", "third"]);
}

#[test]
fn a_stray_file_in_the_journal_directory_is_left_alone() {
    let run = focus()
        .args(["start", "Write", "--for", "50m"])
        .input("/quit\n")
        .run();
    run.ok();
    let dir = journal_dir(run.home.path());
    fs::write(dir.join("notes.jsonl"), "{\"a\":1}\n").unwrap();
    #[cfg(unix)]
    {
        // Private, as focus would have made it.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir.join("notes.jsonl"), fs::Permissions::from_mode(0o600)).unwrap();
    }
    let resumed = focus_in(&run.home).args(["resume"]).input("/quit\n").run();
    let stdout = resumed.ok();
    assert!(stdout.contains("Back to \"Write\"."), "{stdout}");
    assert_eq!(
        resumed.stderr(),
        format!(
            "focus: {} is not a session journal focus can read (its first line is not a journal header: missing field `kind` at line 1 column 7); it was left alone\n",
            dir.join("notes.jsonl").display()
        )
    );
}

#[test]
fn a_session_that_cannot_be_saved_is_not_started() {
    let run = focus()
        .args(["start", "Write", "--for", "50m"])
        .env("FOCUS__LOG__DATA_DIR", "/proc/focus-cannot-write-here")
        .run();
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stdout(),
        "",
        "no plan is shown for a session that cannot run"
    );
    assert!(
        run.stderr()
            .starts_with("focus: error: cannot create /proc/focus-cannot-write-here/journal: "),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_line_typed_during_a_reply_is_in_the_journal_even_if_focus_is_killed_next() {
    use std::time::{Duration, Instant};

    use crate::server::{Part, Response, Server, text_chunk};

    // A reply that never ends, until focus hangs up.
    let server = Server::start([Response::stream(vec![Part::Endless(
        format!("data: {}\n\n", text_chunk("and then ")).into_bytes(),
        Duration::from_millis(20),
    )])]);
    let mut session = focus()
        .args([
            "start",
            "Write the report",
            "--for",
            "50m",
            "--goal",
            "3 pages",
        ])
        .env("FOCUS__LLM__BASE_URL", server.url())
        .env("FOCUS__LLM__MODEL", "test-model")
        .spawn();
    session.expect("begins");
    session.send("tell me a story");
    let asked = Instant::now();
    while server.requests().is_empty() {
        assert!(
            asked.elapsed() < Duration::from_secs(30),
            "the story was asked for"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The reply is streaming; a question for the coach waits its turn, and a park acts.
    session.send("and the outline?");
    session.send("/park water the plants");
    session.expect("Parked (1 in the lot)");
    session.kill();
    let home = session.home.clone();

    let path = journals(&journal_dir(home.path())).remove(0);
    let kept: Vec<String> = lines(&path)[1..]
        .iter()
        .filter(|r| matches!(r["type"].as_str(), Some("message" | "park")))
        .map(|r| r["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kept,
        ["tell me a story", "and the outline?", "water the plants"],
        "every line typed is in the journal, in order"
    );
    // The next focus takes the session up with them.
    let resumed = focus_in(&home)
        .args(["--offline", "resume"])
        .input("/status\n/quit\n")
        .run();
    let stdout = resumed.ok();
    assert!(stdout.contains("Parked (1): water the plants"), "{stdout}");
}

#[test]
fn time_away_after_quitting_mid_block_is_not_focus() {
    let run = focus()
        .args([
            "start",
            "Write the report",
            "--for",
            "25m",
            "--time-scale",
            "120",
        ])
        .input("/quit\n")
        .run();
    let stdout = run.ok();
    assert!(stdout.contains("Paused at "), "{stdout}");
    // Three seconds away: six minutes of the session.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let back = focus_in(&run.home)
        .args(["--offline"])
        .input("/resume\n/done\n/done\n")
        .run();
    let stdout = back.ok();
    assert!(stdout.contains("You left at "), "{stdout}");
    let log = fs::read_to_string(run.home.path().join(".local/share/focus/sessions.jsonl"))
        .expect("the session is logged");
    let entry: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    let focused = entry["focused_minutes"].as_u64().unwrap();
    let away = entry["pauses"][0]["minutes"].as_u64().unwrap();
    assert_eq!(entry["pauses"][0]["reason"], "left focus", "{entry}");
    assert!(away >= 5, "the time away is a pause: {entry}");
    assert!(focused <= 2, "and not focus: {entry}");
}

/// `focus start` and the REPL run under umask 022, as on most systems: a session, its log,
/// note and closed journal, the history and a kept draft.
#[cfg(unix)]
fn under_umask_022(home: &Home, args: &[&str], input: &str) -> crate::harness::Run {
    focus_in(home)
        .program("sh")
        .args([
            "-c",
            "umask 022; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_focus"),
        ])
        .args(args)
        .input(input)
        .run()
}

/// Every file and folder under `dir`, with its mode.
#[cfg(unix)]
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        found.push((entry.path(), mode));
        if entry.file_type().unwrap().is_dir() {
            found.extend(modes(&entry.path()));
        }
    }
    found
}

#[cfg(unix)]
#[test]
fn every_file_focus_writes_is_readable_by_its_owner_only() {
    let home: Home = Arc::new(tempfile::tempdir().unwrap());
    let private = |written: &[&str]| {
        let found = modes(home.path());
        for name in written {
            assert!(
                found.iter().any(|(p, _)| p.ends_with(name)),
                "{name} in {found:?}"
            );
        }
        for (path, mode) in &found {
            let want = if path.is_dir() { 0o700 } else { 0o600 };
            assert_eq!(*mode, want, "{} is {mode:o}", path.display());
        }
    };
    // A session from start to log: its journal, closed; the log; the note.
    let args = [
        "start",
        "Write",
        "--for",
        "25m",
        "--goal",
        "g",
        "--time-scale",
        "100",
        "--offline",
    ];
    under_umask_022(&home, &args, "/done\nyes\n/done\n").ok();
    private(&[".local/share/focus/sessions.jsonl", "journal/closed"]);
    assert!(
        modes(home.path())
            .iter()
            .any(|(p, _)| p.extension().is_some_and(|e| e == "md")),
        "a note"
    );
    // A plan kept for the next run. (The history is kept only at a terminal; the
    // pseudo-terminal test checks its mode.)
    under_umask_022(&home, &["--offline"], "/plan email for 25m\n/quit\n").ok();
    private(&["draft.json"]);
}

#[cfg(unix)]
#[test]
fn a_data_directory_others_could_read_is_tightened_once_with_a_line() {
    use std::os::unix::fs::PermissionsExt;
    let home: Home = Arc::new(tempfile::tempdir().unwrap());
    let data = home.path().join(".local/share/focus");
    fs::create_dir_all(&data).unwrap();
    fs::write(data.join("sessions.jsonl"), "").unwrap();
    fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(
        data.join("sessions.jsonl"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let args = [
        "start",
        "Write",
        "--for",
        "25m",
        "--goal",
        "g",
        "--time-scale",
        "100",
        "--offline",
    ];
    let run = under_umask_022(&home, &args, "/done\nyes\n/done\n");
    run.ok();
    let told = format!(
        "focus: made 2 of the files and folders in {} readable by you only: they hold your sessions and what you told the coach",
        data.display()
    );
    assert_eq!(run.stderr().matches(&told).count(), 1, "{}", run.stderr());
    for (path, mode) in modes(&data) {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{}", path.display());
    }
    let again = under_umask_022(&home, &args, "/done\nyes\n/done\n");
    again.ok();
    assert!(
        !again.stderr().contains("readable by you only"),
        "{}",
        again.stderr()
    );
}

/// A session on "Same task" run to its log in a blink (time scale 100, ended at once).
fn same_task(focus: crate::harness::Focus) -> crate::harness::Run {
    focus
        .args([
            "start",
            "Same task",
            "--for",
            "25m",
            "--goal",
            "g",
            "--time-scale",
            "100",
            "--offline",
        ])
        .input("/done\nyes\n/done\n")
        .run()
}

/// Two sessions started in the same second (issue 16: the second's closed journal was taken
/// for logged and never reached the log) get ids of their own and are both logged.
#[test]
fn sessions_started_in_the_same_second_are_both_logged_under_their_own_ids() {
    for _ in 0..20 {
        let first = same_task(focus());
        first.ok();
        let second = same_task(focus_in(&first.home));
        second.ok();
        let log = first.home.path().join(".local/share/focus/sessions.jsonl");
        let ids: Vec<String> = fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(ids.len(), 2, "both are logged: {ids:?}");
        if !ids[1].starts_with(&ids[0]) {
            // Not the same second this time; try again.
            continue;
        }
        assert_eq!(ids[1], format!("{}-2", ids[0]));
        let shown = focus_in(&first.home).args(["show", &ids[1]]).run().ok();
        assert!(shown.contains("Same task"), "{shown}");
        return;
    }
    panic!("two sessions never started in the same second in 20 tries");
}

/// The loss issue 16 reproduced: the second of two sessions started in the same second could
/// not be logged (here, the log is a folder for a moment); `focus resume` then took its
/// closed journal for the first session's, already logged, and it never reached the log.
/// A log written before ids were made unique may hold another session under the id of a
/// session that was closed but not logged: recovery tells them apart by task and start.
#[test]
fn recovery_logs_a_closed_session_whose_id_the_log_holds_for_another_session() {
    let first = same_task(focus());
    first.ok();
    let closed = journals(&journal_dir(first.home.path()).join("closed"));
    assert_eq!(closed.len(), 1);
    // The same journal, for another task: as if an older focus had given two sessions one id.
    let text = fs::read_to_string(&closed[0]).unwrap();
    let mut lines = text.lines();
    let mut header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    header["plan"]["task"] = Value::from("Other task");
    let mut copy = serde_json::to_string(&header).unwrap() + "\n";
    for line in lines {
        copy += line;
        copy += "\n";
    }
    let copy_path = journal_dir(first.home.path()).join(closed[0].file_name().unwrap());
    fs::write(&copy_path, copy).unwrap();

    let resumed = focus_in(&first.home).args(["resume"]).run();
    assert!(
        resumed
            .stderr()
            .contains("the session \"Other task\" was closed but not logged; it is logged now"),
        "{}",
        resumed.stderr()
    );
    let listed: Value =
        serde_json::from_str(&focus_in(&first.home).args(["log", "--json"]).run().ok()).unwrap();
    let tasks: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["task"].as_str().unwrap())
        .collect();
    assert_eq!(tasks, ["Same task", "Other task"]);
}

#[test]
fn a_same_second_session_that_could_not_be_logged_is_logged_by_resume() {
    for _ in 0..20 {
        let first = same_task(focus());
        first.ok();
        let data = first.home.path().join(".local/share/focus");
        let log = data.join("sessions.jsonl");
        let kept = data.join("kept.jsonl");
        fs::rename(&log, &kept).unwrap();
        fs::create_dir(&log).unwrap();
        let second = same_task(focus_in(&first.home));
        fs::remove_dir(&log).unwrap();
        fs::rename(&kept, &log).unwrap();
        let first_id =
            serde_json::from_str::<Value>(&fs::read_to_string(&log).unwrap()).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
        let stuck = journals(&journal_dir(first.home.path()));
        assert_eq!(stuck.len(), 1, "{}", second.stderr());
        if !stuck[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&first_id)
        {
            // Not the same second this time; try again.
            continue;
        }
        let resumed = focus_in(&first.home).args(["resume"]).run();
        assert!(
            resumed.stderr().contains(&format!(
                "the session \"Same task\" was closed but not logged; it is logged now as {first_id}-2"
            )),
            "{}",
            resumed.stderr()
        );
        let listed: Value =
            serde_json::from_str(&focus_in(&first.home).args(["log", "--json"]).run().ok())
                .unwrap();
        let ids: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        let second_id = format!("{first_id}-2");
        assert!(ids.contains(&first_id.as_str()) && ids.contains(&second_id.as_str()));
        return;
    }
    panic!("two sessions never started in the same second in 20 tries");
}
