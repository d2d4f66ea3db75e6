//! `focus` with no arguments: the REPL, driven in a pseudo-terminal as a person would use it
//! (with a local fake model server, and offline), and scripted through a pipe.

use std::time::Duration;

use serde_json::json;

use crate::harness::focus;
use crate::server::{Part, Recorded, Response, Server, finish_chunk, reply, text_chunk};

/// What the fake model says, by what it is asked.
fn route(request: &Recorded) -> Response {
    let body = request.json();
    let last = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    if last.contains("The person wants to plan a focus session") && last.contains("budget") {
        let plan = json!({
            "task": "write the budget",
            "goal": "a first draft",
            "blocks": [
                {"kind": "work", "minutes": 25, "goal": "the income side"},
                {"kind": "break", "minutes": 5},
                {"kind": "work", "minutes": 25, "goal": "the costs"},
            ],
        });
        return Response::sse(reply(&[&plan.to_string()]));
    }
    if last.contains("The person wants to plan a focus session") {
        let plan = json!({
            "task": "write the blog post",
            "goal": "300 words",
            "blocks": [{"kind": "work", "minutes": 30, "goal": "intro and the first tip"}],
        });
        return Response::sse(reply(&[&plan.to_string()]));
    }
    if last.contains("tell me a story") {
        // A reply that never ends, until the client hangs up.
        return Response::stream(vec![
            Part::Bytes(format!("data: {}\n\n", text_chunk("Once upon a time\n")).into_bytes()),
            Part::Endless(
                format!("data: {}\n\n", text_chunk("and then ")).into_bytes(),
                Duration::from_millis(50),
            ),
        ]);
    }
    if last.ends_with("\n\ntell me about focus") {
        // Thirty words over three seconds.
        let mut parts = Vec::new();
        for n in 1..=30 {
            parts.push(Part::Bytes(
                format!("data: {}\n\n", text_chunk(&format!("w{n:02} "))).into_bytes(),
            ));
            parts.push(Part::Pause(Duration::from_millis(100)));
        }
        let end = format!("data: {}\n\ndata: [DONE]\n\n", finish_chunk("stop", 12, 30));
        parts.push(Part::Bytes(end.into_bytes()));
        return Response::stream(parts);
    }
    if last.contains("check-in") || last.contains("break has begun") {
        return Response::sse(reply(&["Keep going, the intro is close."]));
    }
    if last.contains("Reply to my last answer.") {
        return Response::sse(reply(&["Music is worth keeping."]));
    }
    if last.contains("Reply with one JSON object") {
        return Response::sse(reply(&[&json!({"outcome": "partly"}).to_string()]));
    }
    Response::sse(reply(&["A steady session: the intro is drafted."]))
}

#[cfg(unix)]
mod terminal {
    use std::process::Command;

    use rexpect::session::{PtySession, spawn_command};

    use super::*;
    use crate::harness::Home;

    fn spawn(home: &Home, model: Option<&Server>) -> PtySession {
        spawn_scaled(home, model, 60)
    }

    /// focus in a pseudo-terminal, a minute of the session passing in `1/scale` minutes.
    fn spawn_scaled(home: &Home, model: Option<&Server>, scale: u32) -> PtySession {
        let mut command = Command::new(env!("CARGO_BIN_EXE_focus"));
        command
            .env_clear()
            .env("HOME", home.path())
            .env("TZ", "UTC")
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("FOCUS__SESSION__TIME_SCALE", scale.to_string())
            .current_dir(home.path());
        match model {
            Some(server) => {
                command
                    .env("FOCUS__LLM__BASE_URL", server.url())
                    .env("FOCUS__LLM__MODEL", "test-model");
            }
            None => {
                command.arg("--offline");
            }
        }
        spawn_command(command, Some(30_000)).expect("focus starts in a pseudo-terminal")
    }

    /// Plans, starts, types while a check-in fires, parks, cancels a reply (with a model),
    /// finishes, reflects, and finds the session in the log.
    fn the_whole_flow(model: Option<&Server>) -> String {
        let home: Home = std::sync::Arc::new(tempfile::tempdir().unwrap());
        let mut p = spawn(&home, model);
        let mut seen = String::new();
        let mut expect = |p: &mut PtySession, needle: &str| {
            // rexpect reads the terminal byte by byte, one char per byte.
            let bytes: String = needle.bytes().map(char::from).collect();
            let before = p
                .exp_string(&bytes)
                .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}\nseen so far:\n{seen}"));
            seen.push_str(&before);
            seen.push_str(needle);
        };
        expect(&mut p, "focus › ");
        p.send_line("/plan write the blog post for 30m, deep work, goal 300 words")
            .unwrap();
        expect(&mut p, "Focus plan: write the blog post");
        expect(&mut p, "/start begins it");
        expect(&mut p, "focus › ");
        p.send_line("/start").unwrap();
        expect(&mut p, "Block 1 of 1");
        expect(&mut p, "focus [1/1 work");

        if model.is_some() {
            p.send_line("tell me a story").unwrap();
            expect(&mut p, "Once upon a time");
            p.send_control('c').unwrap();
            expect(&mut p, "(stopped)");
            expect(&mut p, "focus [1/1 work");
        } else {
            // Ctrl-C on a line clears it.
            p.send("never mind this").unwrap();
            p.flush().unwrap();
            expect(&mut p, "never mind this");
            p.send_control('c').unwrap();
            // The next line's editor (bracketed paste on again).
            expect(&mut p, "\u{1b}[?2004h");
            p.send_line("/help park").unwrap();
            expect(&mut p, "/park <text>  park a distracting thought");
            expect(&mut p, "focus [1/1 work");
        }

        // Half a command typed when the check-in comes: it is printed above the prompt, and
        // the typed text is still there to finish.
        p.send("/park call the").unwrap();
        p.flush().unwrap();
        expect(&mut p, "Check-in: 15m in, 15m left.");
        p.send_line(" bank").unwrap();
        expect(&mut p, "Parked (1 in the lot)");
        p.send_line("/status").unwrap();
        expect(&mut p, "Parked (1): call the bank");

        p.send_line("/done").unwrap();
        expect(&mut p, "Did you reach your goal");
        p.send_line("partly").unwrap();
        expect(&mut p, "What helped you stay focused?");
        p.send_line("music helped").unwrap();
        if model.is_some() {
            expect(&mut p, "Music is worth keeping.");
        }
        expect(&mut p, "What pulled you away?");
        p.send_line("/done").unwrap();
        expect(&mut p, "Logged as session");
        expect(&mut p, "focus › ");
        p.send_line("/log").unwrap();
        // The log line is wider than the terminal: it is broken at a space.
        expect(&mut p, "write the blog");
        p.send_line("/quit").unwrap();
        p.exp_eof().unwrap();
        let log = std::fs::read_to_string(home.path().join(".local/share/focus/sessions.jsonl"))
            .expect("the session is in the log");
        assert!(log.contains("\"task\":\"write the blog post\""), "{log}");
        assert!(log.contains("call the bank"), "{log}");
        let history = home.path().join(".local/share/focus/history");
        let text = std::fs::read_to_string(&history).expect("history is kept");
        assert!(text.contains("/park call the bank"), "{text}");
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&history).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        seen
    }

    #[test]
    fn a_session_from_plan_to_log_with_a_model() {
        let server = Server::routed(route);
        the_whole_flow(Some(&server));
        // Ctrl-C closed the endless reply's connection.
        assert!(server.wait_left(1, Duration::from_secs(5)));
        let requests = server.requests();
        let chat = requests
            .iter()
            .map(Recorded::json)
            .find(|body| body.to_string().contains("tell me a story"))
            .expect("the message went to the model");
        let sent = chat.to_string();
        assert!(sent.contains("in a focus session on"), "{sent}");
        assert!(sent.contains("Block 1 of 1"), "{sent}");
        assert_eq!(chat["max_tokens"], 600, "llm.max_reply_tokens");
        assert!(
            sent.contains("intro and the first tip"),
            "the model's plan: {sent}"
        );
    }

    #[test]
    fn a_session_from_plan_to_log_offline() {
        the_whole_flow(None);
    }

    /// The screen a person would see after all of `seen` was written to their terminal:
    /// every row, scrollback included.
    fn screen_rows(seen: &str) -> Vec<String> {
        // rexpect hands the terminal's bytes over one char per byte.
        let bytes: Vec<u8> = seen.chars().map(|c| c as u8).collect();
        let mut parser = vt100::Parser::new(400, 80, 0);
        parser.process(&bytes);
        parser
            .screen()
            .rows(0, 80)
            .map(|row| row.trim_end().to_owned())
            .collect()
    }

    /// The scenario: while the coach streams a three-second reply, five lines are
    /// typed. Every one acts at once, in order; the reply's words stay whole; a check-in due
    /// meanwhile says the figures of its moment; the prompt follows the block into its break.
    #[test]
    fn lines_typed_while_the_coach_streams_are_never_lost_or_mixed_in() {
        let server = Server::routed(route);
        let home: Home = std::sync::Arc::new(tempfile::tempdir().unwrap());
        // Five session minutes pass in a wall second: block 1 (25m) ends after 5 s.
        let mut p = spawn_scaled(&home, Some(&server), 300);
        let mut seen = String::new();
        let mut expect = |p: &mut PtySession, needle: &str| {
            let bytes: String = needle.bytes().map(char::from).collect();
            let before = p
                .exp_string(&bytes)
                .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}\nseen so far:\n{seen}"));
            seen.push_str(&before);
            seen.push_str(&bytes);
        };
        expect(&mut p, "focus › ");
        p.send_line("/plan write the budget for 55m").unwrap();
        expect(&mut p, "/start begins it");
        p.send_line("/start").unwrap();
        expect(&mut p, "Block 1 of 2 begins");
        p.send_line("tell me about focus").unwrap();
        expect(&mut p, "w01");
        for line in [
            "/park A",
            "/park B",
            "how do I start?",
            "/park C",
            "/status",
        ] {
            p.send_line(line).unwrap();
        }
        expect(&mut p, "w30");
        // The question typed during the reply is answered after it.
        expect(&mut p, "A steady session");
        expect(&mut p, "focus [break → ");
        p.send_line("/quit").unwrap();
        p.exp_eof().unwrap();

        let rows = screen_rows(&seen);
        let screen = rows.join("\n");
        assert!(screen.contains("Parked (3): A; B; C"), "{screen}");
        // The reply's words, in order, on rows of their own (typed lines, acknowledgements
        // and the check-in are on other rows).
        let reply: Vec<&String> = rows
            .iter()
            .filter(|r| {
                r.contains("w0") || r.contains("w1") || r.contains("w2") || r.contains("w30")
            })
            .collect();
        // (A reply that goes on after other lines starts its next row with "…".)
        for row in &reply {
            let words = row.split_once("] ").map_or(row.as_str(), |(_, rest)| rest);
            assert!(
                words
                    .split_whitespace()
                    .all(|w| w == "…" || (w.len() == 3 && w.starts_with('w'))),
                "a reply row holds something else: {row:?}\n{screen}"
            );
        }
        let words: Vec<String> = reply
            .iter()
            .flat_map(|r| {
                r.split_once("] ")
                    .map_or(r.as_str(), |(_, rest)| rest)
                    .split_whitespace()
            })
            .filter(|w| *w != "…")
            .map(str::to_owned)
            .collect();
        let expected: Vec<String> = (1..=30).map(|n| format!("w{n:02}")).collect();
        assert_eq!(words, expected, "{screen}");
        // The check-in came on time, between the reply's first and last words.
        let checkin = rows
            .iter()
            .position(|r| r.contains("Check-in: 12m in, 13m left"))
            .unwrap_or_else(|| panic!("the check-in: {screen}"));
        let first = rows.iter().position(|r| r.contains("w01")).unwrap();
        let last = rows.iter().position(|r| r.contains("w30")).unwrap();
        assert!(first < checkin && checkin < last, "{screen}");

        // In the journal, in the order typed.
        let dir = home.path().join(".local/share/focus/journal");
        let path = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .expect("the session's journal");
        let said: Vec<String> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|r| matches!(r["type"].as_str(), Some("park" | "message")))
            .map(|r| r["text"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            said,
            ["tell me about focus", "A", "B", "how do I start?", "C"]
        );
    }
}

/// A model that runs on is ended at `llm.reply_timeout_secs` with one line, what it said is
/// kept, and every chat request carries `llm.max_reply_tokens`.
#[test]
fn a_reply_that_runs_on_is_ended_at_its_time_limit_and_kept() {
    let server = Server::routed(route);
    let run = focus()
        .env("FOCUS__LLM__BASE_URL", server.url())
        .env("FOCUS__LLM__MODEL", "test-model")
        .env("FOCUS__LLM__REPLY_TIMEOUT_SECS", "1")
        .env("FOCUS__LLM__MAX_REPLY_TOKENS", "150")
        .input("tell me a story\n")
        .run();
    let out = run.ok();
    assert!(out.contains("Once upon a time\nand then and then"), "{out}");
    assert!(
        out.contains(
            "(the reply ran past 1 s, llm.reply_timeout_secs: focus ended it and kept what came)"
        ),
        "{out}"
    );
    assert!(
        server.wait_left(1, Duration::from_secs(5)),
        "the connection is closed"
    );
    let chat = server
        .requests()
        .iter()
        .map(Recorded::json)
        .find(|body| body.to_string().contains("tell me a story"))
        .expect("the message went to the model");
    assert_eq!(chat["max_tokens"], 150);
}

#[test]
fn piped_lines_take_the_same_commands() {
    let run = focus()
        .args(["--offline"])
        .input("/plan write the report for 25m\n/status\n\"\"\"\nfirst line\nsecond line\n\"\"\"\n/frobnicate\n/quit\n")
        .run();
    let out = run.ok();
    assert!(out.contains("Focus plan: write the report"), "{out}");
    assert!(
        out.contains("No session is running. Planned: \"write the report\", 25m"),
        "{out}"
    );
    // The fenced lines are one message, answered once.
    assert_eq!(
        out.matches("so I can't answer messages").count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("focus: unknown command /frobnicate; /help lists the commands"),
        "{out}"
    );
}
