//! `focus ask` against a local fault-injecting server: what a person sees on stdout and
//! stderr, and the exit code, for each way a server or network behaves.

use std::time::Duration;

use crate::harness::{Focus, focus, focus_in};
use crate::llm::fixture;
use crate::server::{Part, Response, Server, finish_chunk, reply, text_chunk};

/// `focus ask` configured for `server`, with a key in the environment and short time limits.
fn ask_at(server: &Server) -> Focus {
    focus()
        .env("FOCUS__LLM__BASE_URL", server.url())
        .env("FOCUS__LLM__MODEL", "test-model")
        .env("FOCUS__LLM__FIRST_TOKEN_TIMEOUT_SECS", "2")
        .env("FOCUS__LLM__IDLE_TIMEOUT_SECS", "1")
        .env("OPENAI_API_KEY", "sk-test-key")
        .args(["ask"])
}

/// The error line of a failed run (exit 1): the last line of stderr.
#[track_caller]
fn failure(run: &crate::harness::Run) -> String {
    assert_eq!(
        run.code(),
        1,
        "stdout: {}\nstderr: {}",
        run.stdout(),
        run.stderr()
    );
    let stderr = run.stderr();
    let last = stderr.lines().last().unwrap_or_default().to_owned();
    assert!(last.starts_with("focus: error: "), "{stderr}");
    last
}

#[test]
fn the_reply_streams_to_stdout_and_only_the_configured_key_is_sent() {
    let server = Server::start([Response::sse(reply(&[
        "Pick ",
        "the ",
        "smallest ",
        "step.",
    ]))]);
    let run = ask_at(&server)
        .env("OPENAI_ORG_ID", "org-must-not-leak")
        .env("OPENAI_PROJECT_ID", "proj-must-not-leak")
        .args(["How", "do I start?", "--usage"])
        .run();
    assert_eq!(run.ok(), "Pick the smallest step.\n");
    assert_eq!(
        run.stderr(),
        "focus: test-model: 12 prompt + 4 reply tokens\n"
    );
    let [sent] = server.requests().try_into().expect("one request");
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.header("authorization"), Some("Bearer sk-test-key"));
    assert_eq!(sent.header("openai-organization"), None);
    assert_eq!(sent.header("openai-project"), None);
    let body = sent.json();
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "no session, no session context");
    assert_eq!(messages[0]["role"], "system");
    assert!(
        messages[0]["content"]
            .as_str()
            .unwrap()
            .contains("accountability partner")
    );
    assert_eq!(messages[1]["content"], "How do I start?");
    assert_eq!(body["max_tokens"], 600, "llm.max_reply_tokens");
}

#[test]
fn usage_says_how_many_prompt_tokens_the_server_had_cached() {
    let server = Server::start([Response::sse(fixture("llamacpp_stream_cached.sse"))]);
    let run = ask_at(&server)
        .env("FOCUS__LLM__MAX_REPLY_TOKENS", "64")
        .args(["How do I start?", "--usage"])
        .run();
    assert_eq!(
        run.stderr(),
        "focus: test-model: 107 prompt (106 cached) + 8 reply tokens\n\
         focus: the reply stopped at its length limit, 64 tokens (llm.max_reply_tokens)\n"
    );
    let [sent] = server.requests().try_into().expect("one request");
    assert_eq!(sent.json()["max_tokens"], 64);
}

#[test]
fn a_refused_key_says_which_variable_to_check_and_is_not_retried() {
    let server = Server::start([Response::json(
        401,
        r#"{"error":{"message":"Incorrect API key provided: sk-tes***key.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
    )]);
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(
        failure(&run),
        "focus: error: the server rejected the API key (401: Incorrect API key provided: sk-tes***key.): check $OPENAI_API_KEY (named by llm.api_key_env)"
    );
    assert_eq!(run.stdout(), "");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_key_the_server_echoes_back_is_not_printed() {
    let server = Server::start([Response::json(
        401,
        r#"{"error":{"message":"key sk-test-key is not valid for this proxy"}}"#,
    )]);
    let run = ask_at(&server).arg("hello").run();
    let line = failure(&run);
    assert!(!run.stderr().contains("sk-test-key"), "{}", run.stderr());
    assert!(
        line.contains("key [hidden] is not valid for this proxy"),
        "{line}"
    );

    // Inside the stream too, and a credential in llm.headers as well.
    let server = Server::start([Response::sse(
        "data: {\"error\":{\"message\":\"sk-test-key and azure-secret-value are over quota\"}}\n\n",
    )]);
    let run = ask_at(&server)
        .env("FOCUS__LLM__HEADERS__API-KEY", "azure-secret-value")
        .arg("hello")
        .run();
    let line = failure(&run);
    assert!(
        !run.stderr().contains("sk-test-key") && !run.stderr().contains("azure-secret-value"),
        "{}",
        run.stderr()
    );
    assert!(
        line.contains("[hidden] and [hidden] are over quota"),
        "{line}"
    );
}

#[test]
fn an_unknown_model_says_how_to_list_models() {
    let server = Server::start([Response::json(
        404,
        fixture("ollama_error_openai_compat.json"),
    )]);
    let run = ask_at(&server).arg("hello").run();
    let line = failure(&run);
    assert!(line.contains("model \"test-model\" not found"), "{line}");
    assert!(
        line.contains(&format!("`curl {}/models`", server.url())),
        "{line}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_rate_limit_waits_as_long_as_retry_after_says_then_answers() {
    let server = Server::start([
        Response::json(429, fixture("openai_error_429_rate_limit.json")).header("Retry-After", "1"),
        Response::sse(reply(&["Ready when you are."])),
    ]);
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(run.ok(), "Ready when you are.\n");
    assert_eq!(
        run.stderr(),
        "focus: the server is rate limiting; retrying in 1.0 s (1 of 3)\n"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_server_error_then_success_answers() {
    let server = Server::start([
        Response::json(
            500,
            fixture("llamacpp_error_500_context.json")
                .replace("Context size has been exceeded.", "loading model"),
        ),
        Response::sse(reply(&["Here."])),
    ]);
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(run.ok(), "Here.\n");
    assert!(
        run.stderr()
            .starts_with("focus: the server failed (500); retrying in 0."),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_reset_mid_reply_keeps_the_text_and_says_it_is_incomplete() {
    let head = format!(
        "data: {}\n\ndata: {}\n\n",
        text_chunk("First, close "),
        text_chunk("the tabs")
    );
    let server = Server::start([Response::stream(vec![
        Part::Bytes(head.into_bytes()),
        Part::Pause(Duration::from_millis(50)),
        Part::Reset,
    ])]);
    let run = ask_at(&server).arg("hello").run();
    let line = failure(&run);
    assert_eq!(run.stdout(), "First, close the tabs\n");
    assert!(
        run.stderr()
            .contains("focus: the reply above is incomplete\n")
    );
    assert!(line.contains("the connection was lost mid-reply"), "{line}");
    assert_eq!(
        server.requests().len(),
        1,
        "a reply under way is not sent again"
    );
}

#[test]
fn a_stall_before_the_first_token_gives_up_after_the_limit() {
    let server = Server::start([Response::stream(vec![Part::Hang])]);
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(
        failure(&run),
        "focus: error: no reply from the model within 2 s: a local model may still be loading; try again, or raise llm.first_token_timeout_secs"
    );
}

#[test]
fn a_stall_between_chunks_cuts_the_reply_off() {
    let head = format!("data: {}\n\n", text_chunk("Start by"));
    let server = Server::start([Response::stream(vec![
        Part::Bytes(head.into_bytes()),
        Part::Hang,
    ])]);
    let run = ask_at(&server).arg("hello").run();
    let line = failure(&run);
    assert_eq!(run.stdout(), "Start by\n");
    assert!(
        line.contains("the reply stalled for 1 s and was cut off"),
        "{line}"
    );
}

#[test]
fn malformed_json_in_a_chunk_is_skipped_and_reported() {
    let body = format!(
        "data: {}\n\ndata: {{\"choices\": [{{\"delta\": \n\ndata: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
        text_chunk("One "),
        text_chunk("two."),
        finish_chunk("stop", 4, 2)
    );
    let server = Server::start([Response::sse(body)]);
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(run.ok(), "One two.\n");
    assert!(
        run.stderr()
            .contains("focus: 1 piece of the reply could not be read, so the text may have a gap"),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_error_inside_the_stream_keeps_the_text_and_quotes_the_server() {
    let server = Server::start([Response::sse(fixture("openrouter_midstream_error.sse"))]);
    let run = ask_at(&server).arg("hello").run();
    let line = failure(&run);
    assert_eq!(run.stdout(), "Start with the\n");
    assert!(
        line.contains(
            "the server reported an error mid-reply (Provider disconnected unexpectedly)"
        ),
        "{line}"
    );
}

#[test]
fn ctrl_c_stops_an_endless_reply_and_closes_the_connection() {
    let server = Server::start([Response::stream(vec![Part::Endless(
        format!("data: {}\n\n", text_chunk("and more\n")).into_bytes(),
        Duration::from_millis(10),
    )])]);
    let running = ask_at(&server).arg("hello").spawn();
    running.expect("and more");
    let status = std::process::Command::new("kill")
        .args(["-INT", &running.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let (status, stdout, stderr) = running.finish();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stdout.starts_with("and more"), "{stdout}");
    assert_eq!(
        stderr,
        "focus: error: cancelled; the reply above is incomplete\n"
    );
    assert!(
        server.wait_left(1, Duration::from_secs(10)),
        "the server saw the connection close"
    );
}

#[test]
fn the_key_can_come_from_a_command() {
    let server = Server::start([Response::sse(reply(&["Hi."]))]);
    let run = focus()
        .env("FOCUS__LLM__BASE_URL", server.url())
        // A blank line first, as some password tools print.
        .env(
            "FOCUS__LLM__API_KEY_CMD",
            "printf '\\n  \\nsk-from-vault\\nsecond line\\n'",
        )
        .args(["ask", "hello"])
        .run();
    assert_eq!(run.ok(), "Hi.\n");
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer sk-from-vault")
    );
}

#[test]
fn with_no_key_for_a_public_server_the_offline_coach_answers_and_the_exit_says_so() {
    // The default server is OpenAI's; without a key nothing is sent anywhere.
    let run = focus().args(["ask", "hello"]).run();
    let line = failure(&run);
    assert!(
        line.contains("no API key for https://api.openai.com/v1: set $OPENAI_API_KEY"),
        "{line}"
    );
    let stdout = run.stdout();
    assert!(
        stdout.starts_with("I can't answer that right now: the coach is offline because there is no API key for https://api.openai.com/v1.\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("focus start \"<task>\" --for 50m"),
        "{stdout}"
    );
}

#[test]
fn offline_by_choice_answers_without_contacting_the_server() {
    let server = Server::start([]);
    let run = ask_at(&server).args(["--offline", "hello"]).run();
    assert!(
        run.ok()
            .contains("the coach is offline because you chose --offline")
    );
    let run = ask_at(&server)
        .env("FOCUS__LLM__OFFLINE", "true")
        .arg("hello")
        .run();
    assert!(run.ok().contains("because you chose llm.offline = true"));
    assert!(server.requests().is_empty());
}

#[test]
fn an_unreachable_server_gets_the_offline_answer_and_a_failure() {
    let port = crate::server::free_port();
    let run = focus()
        .env(
            "FOCUS__LLM__BASE_URL",
            format!("http://127.0.0.1:{port}/v1"),
        )
        .env("FOCUS__LLM__MAX_RETRIES", "0")
        .args(["ask", "hello"])
        .run();
    let line = failure(&run);
    assert!(
        line.contains(&format!(
            "cannot reach the model server at http://127.0.0.1:{port}/v1"
        )),
        "{line}"
    );
    assert!(
        run.stdout()
            .contains("the coach is offline because the model server")
    );
}

#[test]
fn a_running_session_is_described_to_the_coach() {
    let started = focus()
        .args([
            "start",
            "Write the launch post",
            "--for",
            "50m",
            "--goal",
            "900 words",
        ])
        .input("/park call the bank\n/quit\n")
        .run();
    started.ok();
    let server = Server::start([Response::sse(reply(&["Keep going."]))]);
    let run = focus_in(&started.home)
        .env("FOCUS__LLM__BASE_URL", server.url())
        .args(["ask", "-"])
        .input("Am I on track?\n")
        .run();
    assert_eq!(run.ok(), "Keep going.\n");
    let body = server.requests()[0].json();
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    let context = messages[1]["content"].as_str().unwrap();
    assert!(
        context.starts_with("The person is in a focus session"),
        "{context}"
    );
    assert!(
        context.contains("Write the launch post (goal: 900 words)"),
        "{context}"
    );
    assert!(context.contains("Parked (1): call the bank"), "{context}");
    assert_eq!(messages[2]["content"], "Am I on track?");
}

#[test]
fn a_session_says_once_that_the_coach_is_offline_and_only_when_it_is() {
    let session = |f: Focus| {
        f.args(["start", "Tidy the inbox", "--for", "25m"])
            .input("/park reply to Sam\n/status\n/park buy milk\n/quit\n")
            .run()
            .ok()
    };
    let offline_line = "The coach is offline (there is no API key for https://api.openai.com/v1): plans, check-ins and the reflection come from focus itself.";
    let out = session(focus());
    assert_eq!(out.matches(offline_line).count(), 1, "{out}");
    let out = session(focus().args(["--offline"]));
    assert_eq!(
        out.matches("The coach is offline (you chose --offline)")
            .count(),
        1,
        "{out}"
    );
    for configured in [
        focus().env("OPENAI_API_KEY", "sk-test"),
        focus().env("FOCUS__LLM__BASE_URL", "http://localhost:11434/v1"),
    ] {
        let out = session(configured);
        assert!(!out.contains("offline"), "{out}");
    }
}

#[test]
fn a_huge_retry_after_fails_cleanly_instead_of_crashing() {
    for (name, value) in [
        ("Retry-After", "99999999999999999999"),
        ("retry-after-ms", "1e300"),
    ] {
        let server =
            Server::start([
                Response::json(429, fixture("openai_error_429_rate_limit.json"))
                    .header(name, value),
            ]);
        let line = failure(&ask_at(&server).arg("hello").run());
        assert!(line.contains("asks to wait"), "{name}: {line}");
    }
}

#[test]
fn a_server_asking_for_a_long_wait_fails_at_once_and_retry_after_zero_still_backs_off() {
    let server =
        Server::start([Response::json(503, "down for maintenance").header("Retry-After", "600")]);
    let started = std::time::Instant::now();
    let line = failure(&ask_at(&server).arg("hello").run());
    assert!(
        line.contains("the server failed (503: down for maintenance)"),
        "{line}"
    );
    assert_eq!(server.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(30), "not waited on");

    let server = Server::start([
        Response::json(429, fixture("openai_error_429_rate_limit.json")).header("Retry-After", "0"),
        Response::sse(reply(&["ok"])),
    ]);
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(run.ok(), "ok\n");
    assert!(
        !run.stderr().contains("retrying in 0.0 s"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("retrying in 0."), "{}", run.stderr());
}

#[test]
fn a_server_that_answers_with_plain_json_is_read_too() {
    let completion = r#"{"id":"c1","object":"chat.completion","created":1,"model":"m",
        "choices":[{"index":0,"message":{"role":"assistant","content":"Start with the intro.",
        "reasoning_content":"They asked where to begin."},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}}"#;
    let server = Server::start([Response::json(200, completion)]);
    let run = ask_at(&server).args(["--usage", "hello"]).run();
    assert_eq!(run.ok(), "Start with the intro.\n");
    assert_eq!(
        run.stderr(),
        "focus: test-model: 9 prompt + 5 reply tokens\n"
    );

    // An error object in a 200 is the server's error, quoted.
    let server = Server::start([Response::json(
        200,
        r#"{"error":{"message":"model is loading, try again"}}"#,
    )]);
    let line = failure(&ask_at(&server).arg("hello").run());
    assert!(line.contains("model is loading, try again"), "{line}");

    // JSON that is not a completion is still an empty reply, said as such.
    let server = Server::start([Response::json(200, r#"{"status":"ok"}"#)]);
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(run.code(), 1, "{}", run.stderr());
}

#[test]
fn a_header_that_cannot_be_sent_is_a_configuration_error() {
    let server = Server::start([Response::sse(reply(&["unused"]))]);
    let run = ask_at(&server)
        .config("[llm.headers]\n\"bad header\" = \"x\"\n")
        .arg("hello")
        .run();
    let error = run.usage_error();
    assert!(
        error.contains("llm.headers.bad header cannot be sent"),
        "{error}"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn redirects_are_not_followed_so_headers_never_reach_another_host() {
    let elsewhere = Server::start([Response::sse(reply(&["stolen"]))]);
    let server = Server::start([Response::json(307, "")
        .header("Location", &format!("{}/chat/completions", elsewhere.url()))]);
    let run = ask_at(&server)
        .env("FOCUS__LLM__HEADERS__API-KEY", "azure-secret")
        .arg("hello")
        .run();
    let line = failure(&run);
    assert!(
        line.contains("307") && line.contains("set llm.base_url"),
        "{line}"
    );
    assert!(elsewhere.requests().is_empty());
}

#[test]
fn a_password_in_the_base_url_never_appears_in_messages() {
    let port = crate::server::free_port();
    let run = focus()
        .env(
            "FOCUS__LLM__BASE_URL",
            format!("http://user:sk-in-url@127.0.0.1:{port}/v1"),
        )
        .env("FOCUS__LLM__MAX_RETRIES", "0")
        .env("FOCUS_LOG", "debug")
        .args(["ask", "hello"])
        .run();
    failure(&run);
    let all = run.stdout() + &run.stderr();
    assert!(!all.contains("sk-in-url"), "{all}");
    assert!(
        all.contains("cannot reach the model server at http://***@127.0.0.1"),
        "{all}"
    );
}

#[test]
fn a_reply_with_no_answer_is_a_failure_that_says_so() {
    let reasoning = serde_json::json!({"choices": [{"index": 0, "delta": {"reasoning": "Let me think"}, "finish_reason": null}]}).to_string();
    let odd_finish = finish_chunk("\u{1b}[31mweird\u{7}", 1, 1);
    let server = Server::start([
        Response::sse(crate::server::events(&[
            reasoning,
            finish_chunk("length", 3, 3),
        ])),
        Response::sse(crate::server::events(&[text_chunk("Done."), odd_finish])),
    ]);
    let line = failure(&ask_at(&server).arg("hello").run());
    assert!(
        line.contains("finished without an answer (only its reasoning"),
        "{line}"
    );
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(run.ok(), "Done.\n");
    // The server's own finish reason is shown without its escape sequence and bell.
    assert_eq!(run.stderr(), "focus: the reply ended (weird)\n");
}

#[test]
fn a_finished_reply_without_done_on_an_open_connection_is_complete() {
    let body = crate::server::events(&[text_chunk("All done."), finish_chunk("stop", 2, 2)])
        .replace("data: [DONE]\n\n", "");
    let server = Server::start([Response::stream(vec![
        Part::Bytes(body.into_bytes()),
        Part::Hang,
    ])]);
    let run = ask_at(&server).arg("hello").run();
    assert_eq!(run.ok(), "All done.\n");
}

#[test]
fn a_prompt_template_in_the_config_directory_replaces_the_built_in_one() {
    let server = Server::start([Response::sse(reply(&["Sure."]))]);
    let run = ask_at(&server);
    let prompts = run.home().join(".config/focus/prompts");
    std::fs::create_dir_all(&prompts).unwrap();
    std::fs::write(
        prompts.join("system.md"),
        "+++\ntemperature = 0.3\n+++\nYou are a terse coach.\n",
    )
    .unwrap();
    let home = run.home_handle();
    run.arg("hello").run().ok();
    let [sent] = server.requests().try_into().expect("one request");
    let body = sent.json();
    assert_eq!(body["messages"][0]["content"], "You are a terse coach.");
    assert_eq!(body["temperature"], 0.3);

    // A broken one stops focus before anything is sent, naming the file.
    std::fs::write(
        prompts.join("system.md"),
        "+++\ntemprature = 0.3\n+++\nHi\n",
    )
    .unwrap();
    let broken = focus_in(&home)
        .env("FOCUS__LLM__BASE_URL", server.url())
        .args(["ask", "hello"])
        .run();
    let error = broken.usage_error();
    assert!(
        error.contains(&format!("{}", prompts.join("system.md").display()))
            && error.contains("unknown field `temprature`"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1);
}
