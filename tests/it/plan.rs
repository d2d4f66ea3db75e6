//! `focus plan`: text, JSON, iCalendar, fitting and bad input.

use std::fs;

use serde_json::Value;

use crate::harness::focus;

const BLOG: [&str; 8] = [
    "plan",
    "Write blog post draft",
    "--for",
    "90m",
    "--goal",
    "800 words",
    "--start",
    "2037-11-20 09:00",
];

#[test]
fn prints_the_plan_to_pin_above_the_desk() {
    let out = focus().args(BLOG).run().ok();
    assert_eq!(out, include_str!("../fixtures/plan_blog_90m.txt"));
}

#[test]
fn plain_output_has_no_escape_codes_unless_color_is_forced() {
    let out = focus().args(BLOG).run().ok();
    assert!(!out.contains('\u{1b}'));
    let out = focus()
        .args(BLOG)
        .config("[ui]\ncolor = \"always\"\n")
        .run()
        .ok();
    assert!(out.contains("\u{1b}["), "{out}");
    let out = focus()
        .args(BLOG)
        .env("FOCUS__UI__COLOR", "never")
        .run()
        .ok();
    assert!(!out.contains('\u{1b}'));
}

fn json(args: &[&str]) -> Value {
    let out = focus().args(args).args(["--json"]).run().ok();
    serde_json::from_str(&out).expect("valid JSON")
}

#[test]
fn json_has_the_documented_shape() {
    let plan = json(&BLOG);
    assert_eq!(plan["schema"], 1);
    assert_eq!(plan["task"], "Write blog post draft");
    assert_eq!(plan["goal"], "800 words");
    assert_eq!(plan["method"], "pomodoro");
    assert_eq!(plan["auto"], true);
    assert_eq!(plan["start"], "2037-11-20T09:00:00Z");
    assert_eq!(plan["end"], "2037-11-20T10:30:00Z");
    assert_eq!(plan["total_minutes"], 90);
    assert_eq!(plan["focus_minutes"], 75);
    assert_eq!(plan["break_minutes"], 15);
    let blocks = plan["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 6);
    assert_eq!(blocks[0]["kind"], "work");
    assert_eq!(blocks[0]["number"], 1);
    assert_eq!(blocks[0]["goal"], Value::Null);
    assert_eq!(blocks[0]["minutes"], 25);
    assert_eq!(blocks[1]["kind"], "break");
    assert_eq!(blocks[1]["long"], false);
    assert_eq!(blocks[1]["suggestion"], "stand up and stretch");
    assert_eq!(plan["checklist"].as_array().unwrap().len(), 4);
    assert_eq!(plan["notes"], Value::Array(Vec::new()));
    assert!(plan.get("split").is_none());
}

#[test]
fn fits_the_blocks_to_an_end_time() {
    let plan = json(&[
        "plan",
        "Review PRs",
        "--start",
        "2031-03-03 14:10",
        "--until",
        "16:00",
        "--method",
        "pomodoro",
    ]);
    let blocks = plan["blocks"].as_array().unwrap();
    let last = blocks.last().unwrap();
    assert!(
        last["end"].as_str().unwrap().ends_with("T16:00:00Z"),
        "{last}"
    );
    assert_eq!(plan["total_minutes"], 110);
    assert_eq!(blocks.iter().filter(|b| b["kind"] == "work").count(), 4);
}

#[test]
fn an_end_time_past_midnight_is_tomorrow() {
    let plan = json(&[
        "plan",
        "Finish the slides",
        "--start",
        "2037-11-20 23:00",
        "--until",
        "00:30",
    ]);
    assert_eq!(plan["end"], "2037-11-21T00:30:00Z");
}

#[test]
fn block_goals_and_stacked_chains_reach_the_blocks() {
    let plan = json(&[
        "plan",
        "Blog post",
        "--stack",
        "research 10, break 5, write 15, break 5, edit 10",
        "--goals",
        "three sources; 400 words; typos fixed",
        "--start",
        "2031-03-03 09:00",
    ]);
    assert_eq!(plan["method"], "stacked");
    let work: Vec<&Value> = plan["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "work")
        .collect();
    let labels: Vec<&str> = work.iter().map(|b| b["label"].as_str().unwrap()).collect();
    let goals: Vec<&str> = work.iter().map(|b| b["goal"].as_str().unwrap()).collect();
    assert_eq!(labels, ["research", "write", "edit"]);
    assert_eq!(goals, ["three sources", "400 words", "typos fixed"]);
    assert_eq!(plan["total_minutes"], 45);
}

#[test]
fn a_long_session_proposes_splitting() {
    let out = focus()
        .args([
            "plan",
            "Thesis chapter 3",
            "--for",
            "5h",
            "--start",
            "2031-03-03 08:00",
        ])
        .run()
        .ok();
    assert!(out.contains("Consider 2 sessions: 2h 30m +"), "{out}");
    let plan = json(&[
        "plan",
        "Thesis chapter 3",
        "--for",
        "5h",
        "--start",
        "2031-03-03 08:00",
    ]);
    assert_eq!(plan["split"], serde_json::json!([150, 150]));
    assert_eq!(plan["method"], "deep");
}

#[test]
fn vague_tasks_and_missing_goals_get_a_friendly_nudge() {
    let out = focus()
        .args(["plan", "work on stuff", "--for", "50m"])
        .run()
        .ok();
    assert!(
        out.contains("\"work on stuff\" is hard to focus on."),
        "{out}"
    );
    assert!(out.contains("No session goal yet."), "{out}");
}

#[test]
fn the_start_defaults_to_now() {
    let plan = json(&["plan", "Answer the review comments", "--for", "25m"]);
    assert_eq!(plan["total_minutes"], 25);
    assert_eq!(plan["blocks"][0]["start"], plan["start"]);
}

#[test]
fn writes_ics_to_stdout_or_a_file() {
    let out = focus()
        .args([
            "plan",
            "Write blog post draft",
            "--for",
            "1h",
            "--start",
            "2037-11-20 09:00",
            "--ics",
        ])
        .run()
        .ok();
    assert!(out.starts_with("BEGIN:VCALENDAR\r\n"), "{out}");
    assert_eq!(out.matches("BEGIN:VEVENT").count(), 4);
    assert!(out.contains("DTSTART:20371120T090000Z\r\n"));

    let run = focus()
        .args([
            "plan",
            "Write blog post draft",
            "--for",
            "1h",
            "--start",
            "2031-03-03 09:00",
            "--ics",
            "plan.ics",
            "--json",
        ])
        .run();
    let stdout = run.ok();
    let file = fs::read_to_string(run.home.path().join("plan.ics")).unwrap();
    assert_eq!(file.matches("BEGIN:VEVENT").count(), 4);
    assert!(
        serde_json::from_str::<Value>(&stdout).is_ok(),
        "JSON still printed: {stdout}"
    );
    assert!(run.stderr().contains("wrote 4 calendar events to plan.ics"));
}

#[test]
fn ics_and_json_cannot_both_take_stdout() {
    let line = focus()
        .args(["plan", "x y", "--for", "1h", "--ics", "--json"])
        .run()
        .usage_error();
    assert_eq!(
        line,
        "focus: error: --json and --ics both want standard output; give --ics a FILE to write the calendar there"
    );
}

#[test]
fn an_unwritable_ics_file_is_a_failure_not_a_usage_error() {
    let run = focus()
        .args([
            "plan",
            "x y",
            "--for",
            "1h",
            "--ics",
            "no/such/dir/plan.ics",
        ])
        .run();
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr()
            .starts_with("focus: error: cannot write no/such/dir/plan.ics: "),
        "{}",
        run.stderr()
    );
}

#[test]
fn bad_lengths_and_times_are_clear_usage_errors() {
    for (args, expected) in [
        (
            vec!["--for", "0"],
            "error: invalid value '0' for '--for <LENGTH>': `0` is zero minutes; a session needs at least one minute",
        ),
        (
            vec!["--for", "-25m"],
            "error: invalid value '-25m' for '--for <LENGTH>': `-25m` is negative; give a length such as 25m",
        ),
        (
            vec!["--for", "13h"],
            "error: invalid value '13h' for '--for <LENGTH>': `13h` is longer than 12 hours; plan a shorter session (3 hours at most is best)",
        ),
        (
            vec!["--for", "a while"],
            "error: invalid value 'a while' for '--for <LENGTH>': `a while` is not a length; try 25m, 1h30, 1.5h or 2 hours",
        ),
        (
            vec!["--until", "25:00"],
            "error: invalid value '25:00' for '--until <TIME>': `25:00` is not a clock time; try 16:00, 9:30, 4pm or \"2026-11-20 16:00\"",
        ),
        (
            vec!["--for", "1h", "--until", "16:00"],
            "error: the argument '--for <LENGTH>' cannot be used with '--until <TIME>'",
        ),
        (
            vec!["--for", "1h", "--method", "pomodor"],
            "error: invalid value 'pomodor' for '--method <METHOD>'",
        ),
        (
            vec!["--stack", "break 5, write 10"],
            "error: invalid value 'break 5, write 10' for '--stack <CHAIN>': the stack starts with a break; start with the work and let the breaks follow",
        ),
    ] {
        let line = focus()
            .args(["plan", "Write the report"])
            .args(&args)
            .run()
            .clap_error();
        assert_eq!(line, expected, "{args:?}");
    }
}

#[test]
fn inputs_that_do_not_make_a_plan_are_one_line_errors() {
    for (args, expected) in [
        (
            vec![],
            "focus: error: how long? say it with the task, e.g. \"Write the report for 50m\" (or until 16:00, or 3 pomodoros)",
        ),
        (
            vec!["--start", "2037-11-20 10:00", "--until", "2037-11-20 09:00"],
            "focus: error: until 2037-11-20 09:00 is not after the start (10:00); give a later end",
        ),
        (
            vec!["--start", "2031-03-03 10:00", "--until", "09:00"],
            "focus: error: until 09:00 has passed at the start (10:00); give a later end, or a length",
        ),
        (
            vec!["--for", "1h", "--goals", "a1; b2; c3; d4"],
            "focus: error: 4 goals for 2 work blocks; give at most 2 with --goals, or plan more time",
        ),
        (
            vec!["--for", "1h", "--method", "stacked"],
            "focus: error: a stacked session needs its chain: --stack \"research 10, break 5, write 15\"",
        ),
        (
            vec!["--for", "50m", "--stack", "write 10, break 5, edit 10"],
            "focus: error: the stack adds up to 25m but the session is 50m; drop --for/--until or change the stack",
        ),
        (
            vec!["--for", "2h", "--method", "deep", "--work", "30"],
            "focus: error: a work and break rhythm (50/10, --work, --break) is for pomodoro, micro or custom sessions, not deep; drop the rhythm or the method",
        ),
    ] {
        let line = focus()
            .args(["plan", "Write the report"])
            .args(&args)
            .run()
            .usage_error();
        assert_eq!(line, expected, "{args:?}");
    }
}

#[test]
fn a_start_date_that_has_passed_is_refused() {
    let line = focus()
        .args([
            "plan",
            "Write the report",
            "--for",
            "1h",
            "--start",
            "2020-01-06 09:00",
        ])
        .run()
        .usage_error();
    assert!(
        line.starts_with("focus: error: the start, 2020-01-06 09:00, has passed (it is 20")
            && line.ends_with("); give a time to come"),
        "{line}"
    );
}

#[test]
fn an_empty_task_is_refused() {
    let line = focus()
        .args(["plan", "  ", "--for", "1h"])
        .run()
        .usage_error();
    assert_eq!(
        line,
        "focus: error: say what you will work on, e.g. \"write the report for 50m\""
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let run = focus().args(BLOG).stdout_to(writer).run();
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.stderr(), "");
}

/// On a terminal (a pseudo-terminal from util-linux `script`), `auto` colors unless `NO_COLOR`
/// is set, and `always` colors even then.
#[test]
fn a_terminal_gets_color_unless_no_color_is_set() {
    let in_terminal = |extra: &[(&str, &str)]| -> String {
        let mut f = focus()
            .args([
                "-qec",
                &format!(
                    "{} plan 'Write the report intro' --for 25m --start '2031-03-03 09:00'",
                    env!("CARGO_BIN_EXE_focus")
                ),
                "/dev/null",
            ])
            .env("TERM", "xterm-256color");
        for (k, v) in extra {
            f = f.env(k, v);
        }
        f.program("script").run().ok()
    };
    let colored = in_terminal(&[]);
    assert!(colored.contains("\u{1b}[1mFocus plan"), "{colored:?}");
    assert!(!in_terminal(&[("NO_COLOR", "1")]).contains('\u{1b}'));
    assert!(
        in_terminal(&[("NO_COLOR", "1"), ("FOCUS__UI__COLOR", "always")])
            .contains("\u{1b}[1mFocus plan")
    );
}

#[test]
fn until_counts_real_time_across_a_clock_change() {
    // Central European time; on 29 March 2026 the clocks jump from 02:00 to 03:00.
    let out = focus()
        .env("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
        .args([
            "plan",
            "Write the report",
            "--start",
            "2037-03-29 01:00",
            "--until",
            "04:00",
            "--json",
        ])
        .run()
        .ok();
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["total_minutes"], 120);
    assert_eq!(plan["start"], "2037-03-29T01:00:00+01:00");
    assert_eq!(plan["end"], "2037-03-29T04:00:00+02:00");

    let line = focus()
        .env("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
        .args([
            "plan",
            "Write the report",
            "--start",
            "2037-03-29 02:30",
            "--for",
            "1h",
        ])
        .run()
        .usage_error();
    assert_eq!(
        line,
        "focus: error: 02:30 does not exist here (the clocks change then); pick another time"
    );
}

#[test]
fn an_end_time_equal_to_the_start_is_refused() {
    let line = focus()
        .args([
            "plan",
            "Write the report",
            "--start",
            "2031-03-03 09:00",
            "--until",
            "09:00",
        ])
        .run()
        .usage_error();
    assert_eq!(
        line,
        "focus: error: until 09:00 is the start time; give a later end or a length"
    );
}

#[test]
fn escape_sequences_in_the_task_never_reach_the_terminal_or_calendar() {
    let task = "\u{1b}]0;pwned\u{7}\u{1b}[2Jred\nEND:VCALENDAR";
    let out = focus()
        .args(["plan", task, "--for", "30m"])
        .env("FOCUS__UI__COLOR", "never")
        .run()
        .ok();
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(
        out.starts_with("Focus plan: red END:VCALENDAR\n"),
        "{out:?}"
    );
    let ics = focus()
        .args(["plan", task, "--for", "30m", "--ics"])
        .run()
        .ok();
    let begins_a_line = |marker: &str| ics.lines().filter(|l| l.trim_end() == marker).count();
    assert_eq!(begins_a_line("END:VCALENDAR"), 1, "{ics}");
    assert_eq!(begins_a_line("END:VEVENT"), 2, "{ics}");
    assert!(ics.lines().all(|l| !l.contains('\u{1b}')));
}

#[test]
fn wide_labels_keep_the_columns_aligned() {
    let out = focus()
        .args([
            "plan",
            "Study",
            "--stack",
            "漢字を読む 10, break 5, edit 10",
            "--start",
            "2031-03-03 09:00",
        ])
        .run()
        .ok();
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("  09:")).collect();
    let detail_column = |row: &str| {
        let head = &row[..row
            .find(if row.contains("goal:") {
                "goal:"
            } else {
                "stand"
            })
            .unwrap()];
        unicode_width::UnicodeWidthStr::width(head)
    };
    assert_eq!(rows.len(), 3, "{out}");
    assert!(
        rows.iter()
            .all(|r| detail_column(r) == detail_column(rows[0])),
        "{out}"
    );
}

#[test]
fn a_plan_past_midnight_names_the_day_it_ends() {
    let out = focus()
        .args([
            "plan",
            "Finish the slides",
            "--for",
            "90m",
            "--start",
            "2037-11-20 23:45",
        ])
        .run()
        .ok();
    assert!(
        out.contains("  When     Fri 20 Nov, 23:45–Sat 21 Nov 01:15 (1h 30m)\n"),
        "{out}"
    );
}

#[test]
fn a_start_time_that_has_passed_today_is_refused_with_tomorrow_suggested() {
    // One minute after midnight has passed in every time zone's today but right at midnight;
    // a time that surely passed: the start of the day.
    let run = focus()
        .args(["plan", "Write", "--for", "25m", "--start", "00:00"])
        .run();
    let line = run.usage_error();
    assert!(
        line.starts_with("focus: error: the start, 00:00, has passed (it is ")
            && line.ends_with("say \"tomorrow 00:00\" for tomorrow, or give a later time"),
        "{line}"
    );
}

#[test]
fn block_goals_for_every_block_are_the_sessions_goal() {
    let out = focus()
        .args([
            "plan",
            "Blog post",
            "--for",
            "55m",
            "--method",
            "pomodoro",
            "--goals",
            "the intro; the tips",
            "--start",
            "2031-03-03 09:00",
        ])
        .run()
        .ok();
    assert!(out.contains("  Goal     the intro; the tips\n"), "{out}");
    assert!(!out.contains("No session goal yet"), "{out}");
}

#[test]
fn deep_work_says_when_its_blocks_leave_fifty_to_sixty_minutes() {
    let plan = json(&[
        "plan",
        "Design the API",
        "--for",
        "140m",
        "--method",
        "deep",
        "--start",
        "2031-03-03 09:00",
    ]);
    let notes = plan["notes"].to_string();
    assert!(
        notes.contains("Work blocks are 65m instead of the 50–60m deep work promises"),
        "{notes}"
    );
    // Within the promise: no note.
    let plan = json(&[
        "plan",
        "Design the API",
        "--for",
        "2h",
        "--method",
        "deep",
        "--start",
        "2031-03-03 09:00",
    ]);
    assert!(
        !plan["notes"].to_string().contains("promises"),
        "{}",
        plan["notes"]
    );
}

#[test]
fn the_task_is_read_as_plain_words() {
    // No --for: the words say how many blocks, and the length follows.
    let plan = json(&[
        "plan",
        "3 pomodoros on the budget",
        "--start",
        "2031-03-03 09:00",
    ]);
    assert_eq!(plan["task"], "the budget");
    assert_eq!(plan["method"], "pomodoro");
    assert_eq!(plan["total_minutes"], 85);
    let work: Vec<u64> = plan["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "work")
        .map(|b| b["minutes"].as_u64().unwrap())
        .collect();
    assert_eq!(work, [25, 25, 25]);
    // Several words without quotes, and the words with options that agree.
    let plan = json(&[
        "plan",
        "write",
        "the",
        "report",
        "for",
        "50m",
        "--method",
        "deep",
        "--start",
        "2031-03-03 09:00",
    ]);
    assert_eq!(
        (plan["task"].as_str(), plan["total_minutes"].as_u64()),
        (Some("write the report"), Some(50))
    );
    // Words and an option that disagree: the option is meant, the words are the task as
    // typed ("for 2h" is part of what is being prepared).
    let plan = json(&["plan", "Prepare slides for 2h workshop", "--for", "45m"]);
    assert_eq!(
        (plan["task"].as_str(), plan["total_minutes"].as_u64()),
        (Some("Prepare slides for 2h workshop"), Some(45))
    );
}
