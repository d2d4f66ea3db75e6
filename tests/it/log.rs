//! The reflection, the session log and its readers, through the real binary.
//!
//! A known session (`tests/fixtures/log/journal.jsonl`: fixed instants, ended with /done) is
//! put in place as an unfinished journal; `focus resume` takes it to the reflection, the
//! answers are piped in, and the record and the note must match the expected files.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::harness::{Focus, Home, as_focus_writes, focus, focus_in};
use crate::server::{Response, Server, reply};

const ANSWERS: &str = "partly\n1 2\nclosing the door, and the phone was away\n/skip\n\
phone in another room from the start\n4\nhalfway through tip 4\nfind the stats for tip 3\nkeep\ndrop\n";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/log")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn data_dir(home: &Path) -> PathBuf {
    home.join(".local/share/focus")
}

fn log_path(home: &Path) -> PathBuf {
    data_dir(home).join("sessions.jsonl")
}

/// A HOME holding the known session, unfinished, at its reflection.
fn known_session() -> Home {
    let run = focus();
    let journal = data_dir(run.home()).join("journal");
    fs::create_dir_all(&journal).unwrap();
    fs::write(
        journal.join("20261120-090000.jsonl"),
        fixture("journal.jsonl"),
    )
    .unwrap();
    as_focus_writes(run.home());
    run.home_handle()
}

fn entries(home: &Path) -> Vec<Value> {
    fs::read_to_string(log_path(home))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Takes the known session through its reflection offline, with [`ANSWERS`].
fn reflect_offline(home: &Home) {
    focus_in(home)
        .args(["--offline", "resume"])
        .input(ANSWERS)
        .run()
        .ok();
}

/// `focus resume` pointed at `server` as its model.
fn with_model(home: &Home, server: &Server) -> Focus {
    focus_in(home)
        .env("FOCUS__LLM__BASE_URL", server.url())
        .env("FOCUS__LLM__MODEL", "test-model")
        .env("FOCUS__LLM__FIRST_TOKEN_TIMEOUT_SECS", "5")
        .args(["resume"])
}

#[test]
fn an_offline_reflection_writes_the_expected_record_and_note() {
    let home = known_session();
    let run = focus_in(&home)
        .args(["--offline", "resume"])
        .input(ANSWERS)
        .run();
    let stdout = run.ok();
    assert_eq!(run.stderr(), "");
    assert!(
        stdout.contains("Logged as session 20261120-090000"),
        "{stdout}"
    );

    let [entry] = entries(home.path()).try_into().expect("one entry");
    let expected: Value = serde_json::from_str(&fixture("expected-entry.json")).unwrap();
    assert_eq!(entry, expected);

    let note = data_dir(home.path()).join("notes/2026-11-20-0900-write-blog-post-draft.md");
    assert_eq!(
        fs::read_to_string(&note).unwrap(),
        fixture("expected-note.md")
    );
    assert!(stdout.contains(&format!("The note is in {}.", note.display())));

    // The journal is closed only now, and `focus show` prints the note.
    let journal = data_dir(home.path()).join("journal");
    assert!(!journal.join("20261120-090000.jsonl").exists());
    assert!(journal.join("closed/20261120-090000.jsonl").exists());
    let shown = focus_in(&home).args(["show", "20261120"]).run();
    assert_eq!(shown.ok(), fixture("expected-note.md"));
}

#[test]
fn skipped_questions_and_an_early_end_are_recorded_as_skipped() {
    let home = known_session();
    focus_in(&home)
        .args(["--offline", "resume"])
        .input("/skip\n/skip\nmusic\n/done\n")
        .run()
        .ok();
    let [entry] = entries(home.path()).try_into().expect("one entry");
    assert_eq!(entry["outcome"], Value::Null);
    assert_eq!(entry["helped"], "music");
    assert_eq!(
        entry["criteria"],
        json!([
            {"goal": "intro and tip 1", "met": null},
            {"goal": "tips 2-3", "met": null},
            {"goal": "tips 4-5", "met": null},
        ])
    );
    assert_eq!(
        entry["skipped"],
        json!([
            "outcome",
            "criteria",
            "distracted",
            "improve",
            "energy",
            "stopped",
            "next_step",
            "parked 1",
            "parked 2"
        ])
    );
    // Undecided parked items stay open for the next session.
    assert_eq!(entry["distractions"][0].get("fate"), None);
}

#[test]
fn leaving_mid_reflection_keeps_the_answers_and_resume_goes_on_from_there() {
    let home = known_session();
    let first = focus_in(&home)
        .args(["--offline", "resume"])
        .input("yes\nmusic\n")
        .run();
    assert!(
        first
            .ok()
            .ends_with("Input ended during the reflection. Your answers so far are saved; `focus resume` picks up at the next question.\n")
    );
    assert!(!log_path(home.path()).exists());
    let second = focus_in(&home)
        .args(["--offline", "resume"])
        .input("/done\n")
        .run();
    let stdout = second.ok();
    assert!(
        stdout.contains("What pulled you away? (you parked 2 thoughts)"),
        "{stdout}"
    );
    let [entry] = entries(home.path()).try_into().expect("one entry");
    assert_eq!(entry["outcome"], "yes");
    assert_eq!(entry["helped"], "music");
}

/// The JSON a model would give for [`ANSWERS`]-like answers, as a streamed reply.
fn extraction(json: &Value) -> Response {
    Response::sse(reply(&[&json.to_string()]))
}

#[test]
fn a_model_turns_the_reflection_into_checked_fields_and_a_summary() {
    let home = known_session();
    let fields = json!({
        "outcome": "no", "criteria": [true, true, false],
        "helped": "a closed door", "distracted": "the phone", "improve": null, "energy": 2,
        "stopped": "tip 4", "next_step": "find the stats for tip 3", "parked": ["keep", "pattern"],
    });
    let summary = "You drafted the intro and tips 2-3. A phone call cost five minutes. \
                   Next, find the stats for tip 3. Seven. Eight. Nine. Ten.";
    let server = Server::start([
        // The coach's reply to the one free-text answer.
        Response::sse(reply(&["A closed door ", "is worth keeping."])),
        extraction(&fields),
        Response::sse(reply(&[summary])),
    ]);
    let run = with_model(&home, &server)
        .input("partly\n1 2\nthe door was closed; the phone pulled me away\n/skip\n/skip\n/skip\n/skip\n/skip\nkeep\n/skip\n")
        .run();
    let stdout = run.ok();
    assert_eq!(run.stderr(), "");
    // The reply comes between the answer and the next question, on a line of its own.
    let said = stdout
        .find("] A closed door is worth keeping.\n")
        .expect(&stdout);
    let next = stdout.find("What pulled you away?").unwrap();
    assert!(said < next, "{stdout}");
    assert!(
        stdout.contains("The coach is writing up the session"),
        "{stdout}"
    );

    let [entry] = entries(home.path()).try_into().expect("one entry");
    // The person's own answers win; the model fills what they skipped.
    assert_eq!(entry["outcome"], "partly");
    assert_eq!(entry["criteria"][2]["met"], false);
    assert_eq!(entry["energy"], 2);
    assert_eq!(
        entry["helped"],
        "the door was closed; the phone pulled me away"
    );
    assert_eq!(entry["distracted"], "the phone");
    assert_eq!(entry["improve"], Value::Null);
    assert_eq!(entry["distractions"][0]["fate"], "keep");
    assert_eq!(entry["distractions"][1]["fate"], "pattern");
    assert_eq!(entry["skipped"], json!(["improve"]));
    assert_eq!(
        entry["summary"],
        "You drafted the intro and tips 2-3. A phone call cost five minutes. Next, find the stats for tip 3. Seven. Eight. Nine."
    );
    assert_eq!(entry["model"], "test-model");
    // Three turns of 12 prompt tokens each; the reply took 2 tokens, the others 1.
    assert_eq!(entry["usage"]["completion_tokens"], 4);
    assert_eq!(entry["usage"]["prompt_tokens"], 36);

    let [answer, extract, summarize] = server.requests().try_into().expect("three requests");
    let asked = answer.json()["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        asked.ends_with(
            "A: the door was closed; the phone pulled me away\n\nReply to my last answer."
        ),
        "{asked}"
    );
    let transcript = extract.json()["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        transcript.contains(
            "Q: What helped you stay focused?\nA: the door was closed; the phone pulled me away"
        ),
        "{transcript}"
    );
    assert!(transcript.contains("A: (skipped)"));
    assert!(transcript.contains("  2. book the dentist"));
    assert_eq!(extract.json()["temperature"], 0.0);
    let record = summarize.json()["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(record.contains("\"distracted\":\"the phone\""), "{record}");
}

#[test]
fn invalid_json_is_asked_for_once_more_then_the_persons_answers_stand() {
    let home = known_session();
    // The coach replies to the four free-text answers, then reads the reflection twice.
    let server = Server::start([
        Response::sse(reply(&["Good."])),
        Response::sse(reply(&["Good."])),
        Response::sse(reply(&["Good."])),
        Response::sse(reply(&["Good."])),
        Response::sse(reply(&["Sure! The person did well."])),
        extraction(&json!({"outcome": "maybe"})),
        Response::sse(reply(&["A short summary."])),
    ]);
    let run = with_model(&home, &server).input(ANSWERS).run();
    run.ok();
    assert!(
        run.stdout().contains("focus: the model's reading of the reflection could not be used twice (\"outcome\" is \"maybe\""),
        "{}",
        run.stdout()
    );
    let [entry] = entries(home.path()).try_into().expect("one entry");
    let expected: Value = serde_json::from_str(&fixture("expected-entry.json")).unwrap();
    for field in [
        "outcome",
        "criteria",
        "helped",
        "energy",
        "next_step",
        "skipped",
        "distractions",
    ] {
        assert_eq!(entry[field], expected[field], "{field}");
    }
    assert_eq!(entry["summary"], "A short summary.");

    let requests = server.requests();
    assert_eq!(requests.len(), 7);
    let retry = requests[5].json();
    let messages = retry["messages"].as_array().unwrap();
    assert_eq!(messages[2]["content"], "Sure! The person did well.");
    assert!(
        messages[3]["content"]
            .as_str()
            .unwrap()
            .contains("not a JSON object"),
        "{retry}"
    );
}

#[test]
fn a_model_that_cannot_be_reached_leaves_the_offline_record() {
    let home = known_session();
    let run = focus_in(&home)
        .env(
            "FOCUS__LLM__BASE_URL",
            format!("http://127.0.0.1:{}/v1", crate::server::free_port()),
        )
        .env("FOCUS__LLM__MAX_RETRIES", "0")
        .args(["resume"])
        .input(ANSWERS)
        .run();
    run.ok();
    let [entry] = entries(home.path()).try_into().expect("one entry");
    let expected: Value = serde_json::from_str(&fixture("expected-entry.json")).unwrap();
    assert_eq!(entry, expected);
    // Said once (when focus checked the server at launch, or when the coach first wanted to
    // reply); the rest goes on without it.
    let stdout = run.stdout();
    assert_eq!(
        stdout
            .matches("focus: cannot reach the model server at")
            .count(),
        1,
        "{stdout}"
    );
    assert!(
        stdout.contains("Logged as session 20261120-090000"),
        "{stdout}"
    );
}

#[test]
fn the_next_session_opens_with_the_last_next_step_and_open_parked_items() {
    let home = known_session();
    reflect_offline(&home);
    let next = focus_in(&home)
        .args([
            "--offline",
            "start",
            "Write blog post draft",
            "--for",
            "25m",
        ])
        .input("/quit\n")
        .run();
    assert!(
        next.ok().contains(
            "Last time (Fri 20 Nov, \"Write blog post draft\"): the next step was \"find the stats for tip 3\". Still open from the parking lot: email Sam about the invoice."
        ),
        "{}",
        next.stdout()
    );
}

/// start, planned and focused minutes, outcome, energy, distractions
type Generated<'a> = (
    &'a str,
    u32,
    u32,
    Option<&'a str>,
    Option<u8>,
    &'a [&'a str],
);

/// A log of sessions made from the known entry, with the fields stats read changed.
fn generated_log(home: &Path, sessions: &[Generated]) {
    let base: Value = serde_json::from_str(&fixture("expected-entry.json")).unwrap();
    let mut text = String::new();
    for (i, (start, planned, focused, outcome, energy, distractions)) in sessions.iter().enumerate()
    {
        let mut entry = base.clone();
        entry["id"] = json!(format!("gen-{i}"));
        entry["start"] = json!(start);
        entry["end"] = json!(start);
        entry["planned_minutes"] = json!(planned);
        entry["focused_minutes"] = json!(focused);
        entry["outcome"] = json!(outcome);
        entry["energy"] = json!(energy);
        entry["distractions"] = distractions
            .iter()
            .map(|t| json!({"text": t, "at": start, "block": 1}))
            .collect();
        text.push_str(&entry.to_string());
        text.push('\n');
    }
    fs::create_dir_all(data_dir(home)).unwrap();
    fs::write(log_path(home), text).unwrap();
}

#[test]
#[allow(clippy::too_many_lines)] // one log, every figure checked
fn stats_over_a_generated_log_match_figures_counted_by_hand() {
    let run = focus();
    generated_log(
        run.home(),
        &[
            (
                "2026-11-16T09:00:00+01:00",
                50,
                50,
                Some("yes"),
                Some(4),
                &["Slack", "email"],
            ),
            (
                "2026-11-16T14:30:00+01:00",
                25,
                20,
                Some("partly"),
                Some(2),
                &["slack."],
            ),
            ("2026-11-17T09:10:00+01:00", 90, 85, Some("yes"), None, &[]),
            (
                "2026-11-19T09:45:00+01:00",
                50,
                30,
                Some("no"),
                Some(3),
                &["phone", "Slack"],
            ),
            (
                "2026-11-19T20:00:00+01:00",
                120,
                100,
                None,
                Some(5),
                &["email"],
            ),
            // Outside the range asked for.
            (
                "2026-11-01T09:00:00+01:00",
                50,
                50,
                Some("yes"),
                Some(5),
                &["news"],
            ),
        ],
    );
    let home = run.home_handle();
    let stats = focus_in(&home)
        .args([
            "stats",
            "--since",
            "2026-11-16",
            "--until",
            "2026-11-19",
            "--json",
        ])
        .run();
    let s: Value = serde_json::from_str(&stats.ok()).unwrap();
    // By hand: 5 sessions on 3 days; 50+20+85+30+100 = 285 minutes, 57 a session; goals
    // answered 4 (2 yes, 1 partly, 1 no): 50 %; energy (4+2+3+5)/4 = 3.5.
    assert_eq!(s["sessions"], 5);
    assert_eq!(s["days_with_sessions"], 3);
    assert_eq!(s["focused_minutes"], 285);
    assert_eq!(s["planned_minutes"], 335);
    assert_eq!(s["average_minutes"], 57.0);
    assert_eq!(
        s["goals"],
        json!({"yes": 2, "partly": 1, "no": 1, "answered": 4, "rate": 0.5})
    );
    assert_eq!(s["energy"], 3.5);
    assert_eq!(s["streak"]["longest"], 2);
    let days: Vec<(String, u64)> = s["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_owned(),
                d["focused_minutes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-16".into(), 70),
            ("2026-11-17".into(), 85),
            ("2026-11-18".into(), 0),
            ("2026-11-19".into(), 130)
        ]
    );
    let lengths: Vec<(String, u64, Value, Value)> = s["by_length"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["label"].as_str().unwrap().to_owned(),
                g["sessions"].as_u64().unwrap(),
                g["goals"]["rate"].clone(),
                g["energy"].clone(),
            )
        })
        .collect();
    assert_eq!(
        lengths,
        [
            ("under 30m".into(), 1, json!(0.0), json!(2.0)),
            ("30-59m".into(), 2, json!(0.5), json!(3.5)),
            ("90-119m".into(), 1, json!(1.0), Value::Null),
            ("2h or more".into(), 1, Value::Null, json!(5.0)),
        ]
    );
    let hours: Vec<(&str, u64)> = s["by_hour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["label"].as_str().unwrap(),
                g["sessions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(hours, [("09:00", 3), ("14:00", 1), ("20:00", 1)]);
    assert_eq!(
        s["distractions"],
        json!([{"text": "Slack", "count": 3}, {"text": "email", "count": 2}, {"text": "phone", "count": 1}])
    );

    // The same figures as text.
    let text = focus_in(&home)
        .args(["stats", "--since", "2026-11-16", "--until", "2026-11-19"])
        .run()
        .ok();
    assert!(text.contains("Sessions      5 on 3 days"), "{text}");
    assert!(
        text.contains("Goal reached  50% (yes 2, partly 1, no 1; n=4)"),
        "{text}"
    );
    assert!(text.contains("Wed 18 Nov"), "empty days are shown: {text}");
}

#[test]
fn a_damaged_line_is_skipped_with_a_warning_and_the_rest_is_read() {
    let run = focus();
    generated_log(
        run.home(),
        &[
            ("2026-11-16T09:00:00Z", 50, 50, Some("yes"), Some(4), &[]),
            ("2026-11-17T09:00:00Z", 25, 25, Some("no"), Some(2), &[]),
        ],
    );
    let path = log_path(run.home());
    let mut text = fs::read_to_string(&path).unwrap();
    let second = text.lines().nth(1).unwrap().len();
    text.insert_str(
        text.find('\n').unwrap() + 1,
        "{\"schema\":1,\"id\":\"cut\",\"task\":\"Half a li\n",
    );
    text.push_str(&"x".repeat(second / 2));
    fs::write(&path, text).unwrap();
    let home = run.home_handle();

    let log = focus_in(&home).args(["log"]).run();
    let lines: Vec<String> = log.ok().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("gen-0"), "{lines:?}");
    assert!(lines[1].starts_with("gen-1"));
    let stderr = log.stderr();
    assert!(
        stderr.contains(&format!("{} line 2 is damaged", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("line 4 is damaged"), "{stderr}");

    let stats = focus_in(&home).args(["stats", "--json"]).run();
    let s: Value = serde_json::from_str(&stats.ok()).unwrap();
    assert_eq!(s["sessions"], 2);
    assert!(stats.stderr().contains("line 2 is damaged"));
}

#[test]
fn log_filters_and_show_errors_say_what_to_do() {
    let run = focus();
    let empty = focus_in(&run.home_handle()).args(["log"]).run();
    assert!(
        empty.ok().starts_with("No sessions in "),
        "{}",
        empty.stdout()
    );
    generated_log(
        run.home(),
        &[
            ("2026-11-16T09:00:00Z", 50, 50, Some("yes"), Some(4), &[]),
            ("2026-11-18T09:00:00Z", 25, 25, Some("no"), Some(2), &[]),
            ("2026-11-19T09:00:00Z", 25, 20, None, None, &[]),
        ],
    );
    let home = run.home_handle();
    let since = focus_in(&home)
        .args(["log", "--since", "2026-11-18"])
        .run()
        .ok();
    assert_eq!(since.lines().count(), 2, "{since}");
    let limited = focus_in(&home)
        .args(["log", "-n", "1", "--json"])
        .run()
        .ok();
    let json: Value = serde_json::from_str(&limited).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["id"], "gen-2");
    assert!(since.contains("25m/25m  no "), "{since}");

    let ambiguous = focus_in(&home).args(["show", "gen"]).run();
    assert_eq!(ambiguous.code(), 2);
    assert!(
        ambiguous
            .stderr()
            .contains("`gen` starts 3 session ids; give more of the id")
    );
    let missing = focus_in(&home).args(["show", "nope"]).run();
    assert_eq!(missing.code(), 2);
    assert!(
        missing.stderr().contains("no session in "),
        "{}",
        missing.stderr()
    );
    // No note file: the note is rebuilt from the log.
    let rebuilt = focus_in(&home).args(["show", "gen-1"]).run();
    assert!(rebuilt.ok().contains("id: \"gen-1\""));
    assert!(rebuilt.stderr().contains("rebuilt from the log"));

    let backwards = focus_in(&home)
        .args(["log", "--since", "2026-11-19", "--until", "2026-11-01"])
        .run();
    assert!(backwards.usage_error().contains("swap them"));
}

#[test]
fn what_the_log_says_is_printed_without_terminal_escapes() {
    let run = focus();
    generated_log(
        run.home(),
        &[("2026-11-16T09:00:00Z", 50, 50, Some("yes"), Some(4), &[])],
    );
    let path = log_path(run.home());
    let text = fs::read_to_string(&path).unwrap().replace(
        "Write blog post draft",
        "evil \\u001b]0;pwned\\u0007\\u001b[2J task",
    );
    fs::write(&path, text).unwrap();
    let home = run.home_handle();
    let log = focus_in(&home).args(["log"]).run().ok();
    assert!(!log.contains('\u{1b}') && !log.contains('\u{7}'), "{log:?}");
    assert!(log.contains("evil ") && log.contains(" task"), "{log}");
    let show = focus_in(&home).args(["show"]).run().ok();
    assert!(!show.contains('\u{1b}'), "{show:?}");
}

#[test]
fn export_writes_csv_json_and_calendar_events() {
    let home = known_session();
    reflect_offline(&home);
    let csv = focus_in(&home)
        .args(["export", "--format", "csv"])
        .run()
        .ok();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,date,start,end,task,goal,method,planned_minutes,focused_minutes")
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with("20261120-090000,2026-11-20,2026-11-20T09:00:00+00:00,2026-11-20T10:20:00+00:00,Write blog post draft,800 words,pomodoro,75,63,2,3,1,partly,2,3,4,"), "{row}");
    assert!(
        row.contains("\"1h 03m focused of 1h 15m planned on \"\"Write blog post draft\"\""),
        "{row}"
    );

    let json: Value = serde_json::from_str(
        &focus_in(&home)
            .args(["export", "--format", "json"])
            .run()
            .ok(),
    )
    .unwrap();
    let expected: Value = serde_json::from_str(&fixture("expected-entry.json")).unwrap();
    assert_eq!(json, json!([expected]));
    let none: Value = serde_json::from_str(
        &focus_in(&home)
            .args(["export", "--format", "json", "--since", "2026-11-21"])
            .run()
            .ok(),
    )
    .unwrap();
    assert_eq!(none, json!([]));

    let ics = focus_in(&home)
        .args(["export", "--format", "ics"])
        .run()
        .ok();
    assert!(ics.contains("BEGIN:VEVENT"));
    assert!(ics.contains("UID:focus-session-20261120-090000@focus"));
    assert!(ics.contains("DTSTART:20261120T090000Z"));
    assert!(ics.contains("SUMMARY:Focus: Write blog post draft"));
}

#[test]
fn an_offline_review_prints_the_figures_and_one_experiment() {
    let run = focus();
    let review = focus_in(&run.home_handle())
        .args(["review", "--offline"])
        .run();
    let stdout = review.ok();
    assert!(
        stdout.contains("Try this week: Start small: one 25-minute session tomorrow"),
        "{stdout}"
    );
    assert!(
        review
            .stderr()
            .contains("the coach is offline (you chose --offline)")
    );
}

#[test]
fn a_session_that_cannot_be_logged_stays_in_its_journal_and_is_logged_later() {
    let home = known_session();
    // The log cannot be written: its path is a directory.
    let log = log_path(home.path());
    fs::create_dir_all(&log).unwrap();
    let failed = focus_in(&home)
        .args(["--offline", "resume"])
        .input(ANSWERS)
        .run();
    assert_eq!(failed.code(), 1, "{}", failed.stderr());
    assert!(
        failed.stderr().contains("cannot write the session log")
            && failed
                .stderr()
                .contains("the session is kept in its journal"),
        "{}",
        failed.stderr()
    );
    let journal = data_dir(home.path()).join("journal/20261120-090000.jsonl");
    assert!(
        journal.exists(),
        "the journal stays until the session is logged"
    );

    // It does not stand in the way of a new session meanwhile.
    let meanwhile = focus_in(&home)
        .args(["--offline", "start", "Meanwhile", "--for", "25m"])
        .input("/quit\n")
        .run();
    assert!(
        meanwhile.ok().contains("Block 1 of 1 begins"),
        "{}",
        meanwhile.stdout()
    );
    assert!(
        meanwhile
            .stderr()
            .contains("the closed session \"Write blog post draft\" is still not logged"),
        "{}",
        meanwhile.stderr()
    );
    let meanwhile_journal = journal
        .parent()
        .unwrap()
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p != &journal && p.extension().is_some_and(|e| e == "jsonl"))
        .expect("the new session's journal");
    fs::remove_file(meanwhile_journal).unwrap();
    // Resuming only that session says why it cannot.
    let still = focus_in(&home).args(["--offline", "resume"]).run();
    assert_eq!(still.code(), 1);
    assert!(
        still.stderr().contains(&format!(
            "the closed session above is still not logged; once {} can be written, `focus resume` logs it",
            log.display()
        )),
        "{}",
        still.stderr()
    );

    fs::remove_dir(&log).unwrap();
    let later = focus_in(&home).args(["--offline", "resume"]).run();
    later.ok();
    assert!(
        later
            .stderr()
            .contains("was closed but not logged; it is logged now as 20261120-090000"),
        "{}",
        later.stderr()
    );
    let [entry] = entries(home.path()).try_into().expect("one entry");
    let expected: Value = serde_json::from_str(&fixture("expected-entry.json")).unwrap();
    for field in ["outcome", "criteria", "energy", "next_step", "distractions"] {
        assert_eq!(entry[field], expected[field], "{field}");
    }
    assert!(!journal.exists());
    // Once only.
    focus_in(&home)
        .args(["--offline", "start", "Next", "--for", "25m"])
        .input("/quit\n")
        .run()
        .ok();
    assert_eq!(entries(home.path()).len(), 1);
}

#[test]
fn a_model_review_narrates_the_figures_focus_computed() {
    let run = focus();
    let home = run.home_handle();
    let server = Server::start([Response::sse(reply(&[
        "A quiet week. ",
        "Try one 25-minute session each morning.",
    ]))]);
    let review = focus_in(&home)
        .env("FOCUS__LLM__BASE_URL", server.url())
        .env("FOCUS__LLM__MODEL", "test-model")
        .args(["review"])
        .run();
    let stdout = review.ok();
    assert!(stdout.contains("Focus stats"), "{stdout}");
    assert!(
        stdout.ends_with("A quiet week. Try one 25-minute session each morning.\n"),
        "{stdout}"
    );
    let [sent] = server.requests().try_into().expect("one request");
    let body = sent.json();
    let asked = body["messages"][1]["content"].as_str().unwrap();
    assert!(asked.contains("Sessions      0 on 0 days"), "{asked}");
    assert!(
        asked.contains("Start small: one 25-minute session tomorrow"),
        "{asked}"
    );
}

#[test]
fn ctrl_c_during_the_coachs_reply_stops_the_reply_not_the_reflection() {
    use std::time::Duration;

    use crate::server::{Part, text_chunk};

    let home = known_session();
    let server = Server::start([
        Response::stream(vec![Part::Endless(
            format!("data: {}\n\n", text_chunk("so ")).into_bytes(),
            Duration::from_millis(10),
        )]),
        extraction(&json!({"outcome": "yes"})),
        Response::sse(reply(&["Well done."])),
    ]);
    let mut running = with_model(&home, &server).spawn();
    running.expect("Did you reach the session's goal?");
    running.send("yes");
    running.expect("What helped you stay focused?");
    running.send("music");
    // The coach's reply is under way once the server has its request (it streams without a
    // line end, so the harness cannot wait for its text).
    let asked = std::time::Instant::now();
    while server.requests().is_empty() {
        assert!(
            asked.elapsed() < Duration::from_secs(30),
            "the reply was asked for"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &running.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    // The reply stops (well before its 20-second limit), the connection closes, and the
    // next question comes.
    assert!(server.wait_left(1, Duration::from_secs(10)));
    running.expect("What pulled you away?");
    running.send("/done");
    let (status, stdout, stderr) = running.finish();
    assert!(status.success(), "{stderr}");
    assert!(
        stdout.contains("Logged as session 20261120-090000"),
        "{stdout}"
    );
    let [entry] = entries(home.path()).try_into().expect("one entry");
    assert_eq!(entry["helped"], "music");
    assert_eq!(entry["summary"], "Well done.");
}

/// A last record cut off after its first fields (past `"plan":`, where the fast readers stop
/// reading) is skipped with the same warning by every reader.
#[test]
fn a_record_cut_after_its_first_fields_is_skipped_with_a_warning_by_every_reader() {
    let run = focus();
    generated_log(
        run.home(),
        &[
            ("2026-11-16T09:00:00Z", 50, 50, Some("yes"), Some(4), &[]),
            ("2026-11-18T09:00:00Z", 25, 25, Some("no"), Some(2), &[]),
        ],
    );
    let path = log_path(run.home());
    let text = fs::read_to_string(&path).unwrap();
    let last = text
        .lines()
        .last()
        .unwrap()
        .replace("\"id\":\"gen-1\"", "\"id\":\"cut\"");
    let cut = last.find(",\"plan\":").unwrap() + 60;
    fs::write(&path, format!("{text}{}", &last[..cut])).unwrap();
    as_focus_writes(run.home());
    let home = run.home_handle();
    let warned = |run: &crate::harness::Run| {
        assert!(
            run.stderr()
                .contains(&format!("{} line 3 is damaged", path.display())),
            "{}",
            run.stderr()
        );
    };
    let log = focus_in(&home).args(["log"]).run();
    assert_eq!(log.ok().lines().count(), 2);
    warned(&log);
    let json = focus_in(&home).args(["log", "--json"]).run();
    assert!(!json.ok().contains("\"cut\""));
    warned(&json);
    let stats = focus_in(&home).args(["stats", "--json"]).run();
    let s: Value = serde_json::from_str(&stats.ok()).unwrap();
    assert_eq!(s["sessions"], 2);
    warned(&stats);
    for (format, cut) in [
        ("json", "\"id\":\"cut\""),
        ("csv", "\ncut,"),
        ("ics", "focus-session-cut@"),
    ] {
        let export = focus_in(&home).args(["export", "--format", format]).run();
        let out = export.ok();
        assert!(
            out.contains("gen-1") && !out.contains(cut),
            "{format}: {out}"
        );
        warned(&export);
    }
    // `show` does not find it, and says why; `review` counts without it.
    let show = focus_in(&home).args(["show", "cut"]).run();
    assert_ne!(show.code(), 0);
    warned(&show);
    let review = focus_in(&home).args(["review", "--offline"]).run();
    review.ok();
    warned(&review);
}
