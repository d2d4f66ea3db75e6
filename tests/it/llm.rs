//! The real client ([`OpenAiCompatible`]) against a local server: every recorded stream and
//! error body in `tests/fixtures/llm`, split at every byte boundary, and the faults real
//! servers and networks produce.

use std::sync::Arc;
use std::time::{Duration, Instant};

use focus::config::{Env, LlmSettings};
use focus::llm::{
    ApiKey, ChatModel, Ending, FinishReason, LlmError, Message, OpenAiCompatible, Reply, Request,
    Step, Usage, with_trim,
};
use futures::StreamExt;

use crate::server::{Part, Response, Server, events, reply, text_chunk};

/// A file of `tests/fixtures/llm`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/llm/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn settings(server: &Server) -> LlmSettings {
    LlmSettings {
        base_url: server.url(),
        model: "test-model".to_owned(),
        first_token_timeout_secs: 2,
        idle_timeout_secs: 1,
        ..LlmSettings::default()
    }
}

fn client(settings: &LlmSettings) -> OpenAiCompatible {
    OpenAiCompatible::new(settings, None, &Env::default()).expect("client")
}

fn request() -> Request {
    Request::new(vec![
        Message::system("You are a focus coach."),
        Message::user("Help me start."),
    ])
}

/// What a turn came to, and everything shown along the way.
#[derive(Debug)]
struct Outcome {
    reply: Reply,
    shown: String,
    notices: Vec<Step>,
}

impl Outcome {
    fn ending(&self) -> &Ending {
        self.reply.ending().expect("ended")
    }

    fn finished(&self) -> FinishReason {
        match self.ending() {
            Ending::Finished { reason, .. } => reason.clone(),
            other => panic!("expected a finished reply, got {other:?}"),
        }
    }

    fn error(&self) -> &LlmError {
        match self.ending() {
            Ending::Failed(e) | Ending::CutOff(e) => e,
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

async fn turn(model: Arc<dyn ChatModel>, request: Request) -> Outcome {
    let mut reply = Reply::new(&request);
    let mut stream = with_trim(model, request);
    let mut shown = String::new();
    let mut notices = Vec::new();
    while let Some(item) = stream.next().await {
        match reply.absorb(item) {
            Step::Text(text) => shown.push_str(&text),
            Step::Ended => break,
            step @ (Step::Retrying(_) | Step::Trimmed { .. }) => notices.push(step),
            Step::Reasoning(_) | Step::Quiet => {}
        }
    }
    reply.end_of_stream();
    Outcome {
        reply,
        shown,
        notices,
    }
}

/// One turn against a server playing `script`.
async fn play(script: Vec<Response>) -> (Outcome, Server) {
    let server = Server::start(script);
    let outcome = turn(Arc::new(client(&settings(&server))), request()).await;
    (outcome, server)
}

/// Whether the server sees the client close its connection within 5 s. Waits on another
/// thread, so this test's runtime goes on running the client's tasks.
async fn client_left(server: &Server) -> bool {
    let server = server.clone();
    tokio::task::spawn_blocking(move || server.wait_left(1, Duration::from_secs(5)))
        .await
        .unwrap()
}

/// A fixture framed as server-sent events (the `OpenRouter` capture is one JSON per line).
fn stream_of(name: &str) -> String {
    let raw = fixture(name);
    if std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e == "jsonl")
    {
        let payloads: Vec<String> = raw.lines().map(str::to_owned).collect();
        events(&payloads)
    } else {
        raw
    }
}

struct Expected {
    text: &'static str,
    reasoning: &'static str,
    /// `Ok(reason)` for a finished reply; `Err(kind)` for how it failed or was cut off.
    ending: Result<FinishReason, &'static str>,
    usage: Option<(u32, u32)>,
}

fn expected_streams() -> Vec<(&'static str, Expected)> {
    use FinishReason::{Length, Stop};
    let done = |text, reason, usage| Expected {
        text,
        reasoning: "",
        ending: Ok(reason),
        usage,
    };
    let broken = |text, kind| Expected {
        text,
        reasoning: "",
        ending: Err(kind),
        usage: None,
    };
    vec![
        ("openai_stream_spec_example.sse", done("Hello", Stop, None)),
        (
            "openai_stream_usage_tail_n3.sse",
            done("", Stop, Some((24, 58))),
        ),
        (
            "llamacpp_stream_cached.sse",
            done("4EEu?wU'", Length, Some((107, 8))),
        ),
        // A usage chunk alone: nothing said, no finish.
        (
            "openai_stream_usage_chunk_swiftopenai.sse",
            Expected {
                usage: Some((11, 20)),
                ..broken("", "ended early")
            },
        ),
        // Every chunk has `finish_reason: ""` (not a finish) and the capture stops mid-reply.
        (
            "ollama_stream_legacy_finish_reason_empty.sse",
            broken(" Hello there! I'", "ended early"),
        ),
        (
            "ollama_stream_pre_2026_08_derived.sse",
            done("Hello!", Stop, Some((26, 3))),
        ),
        (
            "ollama_stream_current_derived.sse",
            done("Hello!", Stop, Some((26, 3))),
        ),
        (
            "llamacpp_stream_b5517.sse",
            done(" climb", Length, Some((13, 50))),
        ),
        (
            "llamacpp_stream_reasoning_b6459_excerpt.sse",
            Expected {
                reasoning: "Hmm, the user",
                ..broken("", "ended early")
            },
        ),
        // The old `error:` field is not an SSE data line: the reply is empty.
        ("llamacpp_legacy_error_field_event.txt", broken("", "empty")),
        (
            "ik_llamacpp_stream_no_done.sse",
            done(" climb", Stop, Some((13, 1))),
        ),
        (
            "vllm_stream_head_issue35705.sse",
            broken(" .<think>", "ended early"),
        ),
        ("vllm_stream_tail_pr19662.sse", done("가요?", Stop, None)),
        ("vllm_midstream_error.sse", broken("First,", "in stream")),
        ("openrouter_stream_head.sse", broken("亚", "ended early")),
        (
            "openrouter_stream_finish_and_usage.jsonl",
            done("", Stop, Some((1697, 52))),
        ),
        (
            "openrouter_midstream_error.sse",
            broken("Start with the", "in stream"),
        ),
    ]
}

fn kind(error: &LlmError) -> &'static str {
    match error {
        LlmError::EndedEarly => "ended early",
        LlmError::Empty { .. } => "empty",
        LlmError::InStream { .. } => "in stream",
        LlmError::Interrupted { .. } => "interrupted",
        LlmError::Stalled { .. } => "stalled",
        LlmError::NoFirstToken { .. } => "no first token",
        _ => "other",
    }
}

fn check(name: &str, split: &str, outcome: &Outcome, expected: &Expected) {
    let at = format!("{name} ({split})");
    assert_eq!(outcome.reply.text(), expected.text, "text of {at}");
    assert_eq!(outcome.shown, expected.text, "text shown for {at}");
    assert_eq!(
        outcome.reply.reasoning(),
        expected.reasoning,
        "reasoning of {at}"
    );
    match (&expected.ending, outcome.ending()) {
        (
            Ok(reason),
            Ending::Finished {
                reason: got,
                skipped,
            },
        ) => {
            assert_eq!(got, reason, "finish reason of {at}");
            assert_eq!(*skipped, 0, "{at}");
        }
        (Err(wanted), Ending::Failed(e) | Ending::CutOff(e)) => {
            assert_eq!(kind(e), *wanted, "{at}: {e}");
            let said = !expected.text.is_empty() || !expected.reasoning.is_empty();
            assert_eq!(outcome.reply.is_cut_off(), said, "{at} keeps what was said");
        }
        (wanted, got) => panic!("{at}: expected {wanted:?}, got {got:?}"),
    }
    let usage = outcome.reply.usage();
    match expected.usage {
        Some((prompt, completion)) => assert_eq!(
            usage,
            Usage {
                prompt_tokens: prompt,
                completion_tokens: completion,
                cached_tokens: usage.cached_tokens,
                estimated: false
            },
            "usage of {at}"
        ),
        None => assert!(usage.estimated, "{at}: no usage sent, so it is estimated"),
    }
}

#[tokio::test]
async fn every_recorded_stream_gives_its_text_finish_and_usage_however_it_is_split() {
    for (name, expected) in expected_streams() {
        let body = stream_of(name);
        for (split, response) in [
            ("whole", Response::sse(&body)),
            ("every byte apart", Response::sse_split(&body, 1)),
            ("7-byte pieces", Response::sse_split(&body, 7)),
        ] {
            let (outcome, _) = play(vec![response]).await;
            check(name, split, &outcome, &expected);
        }
    }
}

#[tokio::test]
async fn the_prompt_tokens_a_server_reused_from_its_cache_are_read() {
    for (name, cached) in [
        // A real llama.cpp server, asked the same twice: both its spellings say 106 of 107.
        ("llamacpp_stream_cached.sse", Some(106)),
        // An older one, with `timings` but no `cache_n`.
        ("llamacpp_stream_b5517.sse", None),
        ("openai_stream_usage_tail_n3.sse", None),
    ] {
        let (outcome, _) = play(vec![Response::sse(stream_of(name))]).await;
        assert_eq!(outcome.reply.usage().cached_tokens, cached, "{name}");
    }
    // llama.cpp's own figure stands in when the usage object has none.
    let timings_only = stream_of("llamacpp_stream_cached.sse")
        .replace(r#","prompt_tokens_details":{"cached_tokens":106}"#, "");
    let (outcome, _) = play(vec![Response::sse(&timings_only)]).await;
    assert_eq!(outcome.reply.usage().cached_tokens, Some(106));
}

#[tokio::test]
async fn every_recorded_error_body_gives_its_message_and_what_to_do() {
    let cases: [(&str, u16, &str, &str); 9] = [
        (
            "openai_error_429_insufficient_quota.json",
            429,
            "You exceeded your current quota",
            "check the plan and billing",
        ),
        (
            "ollama_error_openai_compat.json",
            404,
            "model \"test-model\" not found",
            "check llm.model",
        ),
        (
            "llamacpp_error_400_context.json",
            400,
            "too long for the model's context of 8192 tokens",
            "shorten the message",
        ),
        (
            "llamacpp_error_500_context.json",
            500,
            "too long for the model's context",
            "shorten the message",
        ),
        (
            "vllm_error_400_legacy.json",
            400,
            "(400: list index out of range)",
            "check llm.model",
        ),
        (
            "vllm_error_current.json",
            400,
            "(400: ...)",
            "check llm.model",
        ),
        (
            "openai_error_429_rate_limit.json",
            429,
            "Rate limit reached for gpt-4o-mini",
            "wait a minute",
        ),
        (
            "openrouter_error_429.json",
            429,
            "Rate limit exceeded: free-models-per-min.",
            "wait a minute",
        ),
        (
            "ollama_error_openai_compat.json",
            401,
            "rejected the API key (401: model not found)",
            "check $OPENAI_API_KEY",
        ),
    ];
    for (name, status, says, advice) in cases {
        let body = fixture(name);
        // Rate limits are retried; give every retry the same answer.
        let script = vec![Response::json(status, &body); 4];
        let server = Server::start(script);
        let mut settings = settings(&server);
        settings.max_retries = 1;
        let outcome = turn(Arc::new(client(&settings)), request()).await;
        let line = outcome.error().to_string();
        assert!(line.contains(says), "{name}: {line}");
        assert!(line.contains(advice), "{name}: {line}");
        assert!(!line.contains('\n'), "{name}: one line: {line}");
        let tries = if status == 429 && !name.contains("quota") {
            2
        } else {
            1
        };
        assert_eq!(server.requests().len(), tries, "{name}: sent {tries} times");
    }
}

#[tokio::test]
async fn the_request_carries_exactly_the_configured_key_model_and_headers() {
    let server = Server::start(vec![Response::sse(reply(&["Hi"]))]);
    let mut settings = settings(&server);
    settings
        .headers
        .insert("X-Title".to_owned(), "focus".to_owned());
    let env = Env::default();
    let key = ApiKey::from("sk-configured".to_owned());
    let model = OpenAiCompatible::new(&settings, Some(&key), &env).unwrap();
    let outcome = turn(Arc::new(model), request()).await;
    assert_eq!(outcome.finished(), FinishReason::Stop);
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.header("authorization"), Some("Bearer sk-configured"));
    assert_eq!(sent.header("x-title"), Some("focus"));
    assert_eq!(sent.header("openai-organization"), None);
    assert_eq!(sent.header("openai-project"), None);
    let body = sent.json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["content"], "Help me start.");
}

#[tokio::test]
async fn a_server_error_then_success_is_retried_and_the_reply_arrives() {
    let (outcome, server) = play(vec![
        Response::json(
            500,
            fixture("llamacpp_error_500_context.json")
                .replace("Context size has been exceeded.", "slot unavailable"),
        ),
        Response::sse(reply(&["Back ", "on ", "track."])),
    ])
    .await;
    assert_eq!(outcome.reply.text(), "Back on track.");
    assert_eq!(outcome.finished(), FinishReason::Stop);
    assert_eq!(server.requests().len(), 2);
    let [Step::Retrying(retry)] = outcome.notices.as_slice() else {
        panic!("one retry notice: {:?}", outcome.notices);
    };
    assert_eq!((retry.attempt, retry.of), (1, 3));
    assert!(retry.cause.contains("500"), "{retry:?}");
    // Backoff with jitter: half to all of the first step.
    assert!(
        retry.delay >= Duration::from_millis(250) && retry.delay <= Duration::from_millis(500),
        "{retry:?}"
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let limited = Response::json(429, fixture("openai_error_429_rate_limit.json"));
    let started = Instant::now();
    let (outcome, server) = play(vec![
        limited.clone().header("Retry-After", "1"),
        limited.header("retry-after-ms", "300"),
        Response::sse(reply(&["Ready."])),
    ])
    .await;
    assert_eq!(outcome.reply.text(), "Ready.");
    let delays: Vec<Duration> = outcome
        .notices
        .iter()
        .map(|n| match n {
            Step::Retrying(r) => r.delay,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(delays, [Duration::from_secs(1), Duration::from_millis(300)]);
    assert!(started.elapsed() >= Duration::from_millis(1300));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_long_retry_after_fails_at_once_and_says_how_long() {
    let (outcome, server) = play(vec![
        Response::json(429, fixture("openai_error_429_rate_limit.json"))
            .header("Retry-After", "600"),
    ])
    .await;
    let line = outcome.error().to_string();
    assert!(line.contains("asks to wait 600 s"), "{line}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn refused_keys_unknown_models_and_bad_requests_are_never_retried() {
    for status in [400, 401, 403, 404] {
        let script = vec![Response::json(status, r#"{"error":{"message":"no"}}"#); 3];
        let (outcome, server) = play(script).await;
        assert!(outcome.notices.is_empty(), "{status}");
        assert_eq!(server.requests().len(), 1, "{status} is sent once");
        assert!(matches!(outcome.ending(), Ending::Failed(_)));
    }
}

#[tokio::test]
async fn a_server_that_refuses_response_format_is_asked_without_it_from_then_on() {
    for refusal in [
        "llamacpp_error_400_schema.json",
        "openai_error_400_response_format_derived.json",
    ] {
        let server = Server::start(vec![
            Response::json(400, fixture(refusal)),
            Response::sse(reply(&["{\"blocks\": []}"])),
            Response::sse(reply(&["again"])),
        ]);
        let model: Arc<dyn ChatModel> = Arc::new(client(&settings(&server)));
        let structured = || {
            let mut r = request();
            r.response_format = Some(serde_json::json!({"type": "json_schema"}));
            r
        };
        let outcome = turn(model.clone(), structured()).await;
        assert_eq!(outcome.reply.text(), "{\"blocks\": []}", "{refusal}");
        // Asked again at once, not as a retry the person is told about.
        assert!(
            outcome.notices.is_empty(),
            "{refusal}: {:?}",
            outcome.notices
        );
        let sent = server.requests();
        assert_eq!(sent[0].json()["response_format"]["type"], "json_schema");
        assert!(sent[1].json().get("response_format").is_none(), "{refusal}");
        // The same server is not offered the schema again in this run.
        turn(model, structured()).await;
        assert!(server.requests()[2].json().get("response_format").is_none());
    }
    // Any other refusal of a structured request is the answer, as before.
    let server = Server::start(vec![Response::json(400, r#"{"error":{"message":"no"}}"#)]);
    let mut structured = request();
    structured.response_format = Some(serde_json::json!({"type": "json_schema"}));
    let outcome = turn(Arc::new(client(&settings(&server))), structured).await;
    assert!(matches!(outcome.ending(), Ending::Failed(_)));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_connection_reset_mid_reply_keeps_the_text_marked_cut_off() {
    let head = format!(
        "data: {}\n\ndata: {}\n\n",
        text_chunk("Step one: "),
        text_chunk("open the")
    );
    let (outcome, server) = play(vec![Response::stream(vec![
        Part::Bytes(head.into_bytes()),
        Part::Pause(Duration::from_millis(50)),
        Part::Reset,
    ])])
    .await;
    assert_eq!(outcome.reply.text(), "Step one: open the");
    assert!(outcome.reply.is_cut_off());
    assert_eq!(kind(outcome.error()), "interrupted");
    assert!(outcome.error().to_string().contains("lost mid-reply"));
    assert_eq!(
        server.requests().len(),
        1,
        "a reply already shown is not sent again"
    );
}

#[tokio::test]
async fn a_connection_reset_before_any_text_is_retried() {
    let (outcome, server) = play(vec![
        Response::stream(vec![Part::Reset]),
        Response::sse(reply(&["Fine."])),
    ])
    .await;
    assert_eq!(outcome.reply.text(), "Fine.");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_stall_before_the_first_token_times_out() {
    let started = Instant::now();
    let (outcome, _) = play(vec![Response::stream(vec![Part::Hang])]).await;
    assert_eq!(kind(outcome.error()), "no first token");
    assert!(outcome.error().to_string().contains("within 2 s"));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_slow_first_token_within_the_deadline_is_fine() {
    // Longer than the idle limit (1 s), shorter than the first-token one (2 s).
    let (outcome, _) = play(vec![Response::stream(vec![
        Part::Bytes(b": loading the model\n\n".to_vec()),
        Part::Pause(Duration::from_millis(1500)),
        Part::Bytes(reply(&["Loaded."]).into_bytes()),
    ])])
    .await;
    assert_eq!(outcome.reply.text(), "Loaded.");
}

#[tokio::test]
async fn a_stall_between_chunks_cuts_the_reply_off() {
    let head = format!("data: {}\n\n", text_chunk("Half a "));
    let (outcome, server) = play(vec![Response::stream(vec![
        Part::Bytes(head.into_bytes()),
        Part::Hang,
    ])])
    .await;
    assert_eq!(outcome.reply.text(), "Half a ");
    assert_eq!(kind(outcome.error()), "stalled");
    assert!(outcome.reply.is_cut_off());
    assert!(client_left(&server).await, "the connection is closed");
}

#[tokio::test]
async fn a_malformed_chunk_is_skipped_and_counted() {
    let body = format!(
        "data: {}\n\ndata: {{\"choices\":[{{\"delta\":{{\"content\":\"lost\"\n\ndata: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
        text_chunk("Before, "),
        text_chunk("after."),
        crate::server::finish_chunk("stop", 5, 3),
    );
    let (outcome, _) = play(vec![Response::sse(body)]).await;
    assert_eq!(outcome.reply.text(), "Before, after.");
    assert_eq!(
        outcome.ending(),
        &Ending::Finished {
            reason: FinishReason::Stop,
            skipped: 1
        }
    );
}

#[tokio::test]
async fn dropping_an_endless_stream_closes_the_connection() {
    let chunk = format!("data: {}\n\n", text_chunk("more "));
    let server = Server::start(vec![Response::stream(vec![Part::Endless(
        chunk.into_bytes(),
        Duration::from_millis(5),
    )])]);
    let model = client(&settings(&server));
    let mut stream = model.stream(request());
    let mut pieces = 0;
    while let Some(Ok(_)) = stream.next().await {
        pieces += 1;
        if pieces == 20 {
            break;
        }
    }
    assert_eq!(pieces, 20);
    drop(stream);
    assert!(
        client_left(&server).await,
        "the server saw the client leave"
    );
}

#[tokio::test]
async fn escape_sequences_in_a_reply_never_reach_the_screen() {
    let (outcome, _) = play(vec![Response::sse_split(
        reply(&[
            "Clear\u{1b}]0;",
            "pwned\u{7} the \u{1b}[2",
            "J\u{1b}[31mdesk\u{1b}[0m.",
        ]),
        3,
    )])
    .await;
    assert_eq!(outcome.shown, "Clear the desk.");
    assert_eq!(outcome.reply.text(), "Clear the desk.");
}

#[tokio::test]
async fn a_context_too_long_is_trimmed_and_sent_once_more() {
    let context = fixture("llamacpp_error_400_context.json");
    let long = Request::new(vec![
        Message::system("You are a focus coach."),
        Message::user("an old question ".repeat(50)),
        Message::assistant("an old answer ".repeat(50)),
        Message::user("What next?"),
    ]);
    let server = Server::start(vec![
        Response::json(400, &context),
        Response::sse(reply(&["Next: the intro."])),
    ]);
    let outcome = turn(Arc::new(client(&settings(&server))), long).await;
    assert_eq!(outcome.reply.text(), "Next: the intro.");
    assert!(
        matches!(outcome.notices.as_slice(), [Step::Trimmed { dropped: 2 }]),
        "{:?}",
        outcome.notices
    );
    let second = server.requests()[1].json();
    let sent: Vec<&str> = second["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["You are a focus coach.", "What next?"]);

    // Only once: a second refusal is the answer.
    let server = Server::start(vec![Response::json(400, &context); 2]);
    let outcome = turn(Arc::new(client(&settings(&server))), {
        let mut r = request();
        r.messages.insert(1, Message::user("old"));
        r
    })
    .await;
    assert!(matches!(outcome.error(), LlmError::ContextTooLong { .. }));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_unreachable_server_is_retried_then_named() {
    let port = crate::server::free_port();
    let settings = LlmSettings {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        max_retries: 1,
        ..LlmSettings::default()
    };
    let outcome = turn(Arc::new(client(&settings)), request()).await;
    let error = outcome.error();
    assert!(error.means_offline());
    let line = error.to_string();
    assert!(
        line.contains(&format!(
            "cannot reach the model server at http://127.0.0.1:{port}/v1"
        )),
        "{line}"
    );
    assert!(line.contains("after 1 retry"), "{line}");
    assert!(line.contains("is it running?"), "{line}");
}
