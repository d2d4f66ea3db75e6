//! `focus` with no arguments: the REPL, driven in a pseudo-terminal as a person would use it
//! (with a local fake model server, and offline), and scripted through a pipe.

use std::time::Duration;

use serde_json::json;

use crate::harness::focus;
use crate::server::{Part, Recorded, Response, Server, reply, text_chunk};

/// What the fake model says, by what it is asked.
fn route(request: &Recorded) -> Response {
    let body = request.json();
    let last = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned();
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
        let mut command = Command::new(env!("CARGO_BIN_EXE_focus"));
        command
            .env_clear()
            .env("HOME", home.path())
            .env("TZ", "UTC")
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            // A minute of the session passes in a second.
            .env("FOCUS__SESSION__TIME_SCALE", "60")
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
            expect(&mut p, "(reply cut off)");
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
        expect(&mut p, "write the blog post");
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
        assert!(sent.contains("in a focus session right now"), "{sent}");
        assert!(sent.contains("Block 1 of 1"), "{sent}");
        assert!(
            sent.contains("intro and the first tip"),
            "the model's plan: {sent}"
        );
    }

    #[test]
    fn a_session_from_plan_to_log_offline() {
        the_whole_flow(None);
    }
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
