use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;

use super::fake::{Say, Scripted, failure, reply};
use super::wire::{HttpFailure, Target, retry_after};
use super::*;
use crate::config::{Env, LlmSettings};

fn target() -> Target {
    Target {
        url: "http://127.0.0.1:11434/v1".to_owned(),
        model: "llama3.1".to_owned(),
        key_source: "$OPENAI_API_KEY (named by llm.api_key_env)".to_owned(),
    }
}

fn failure_of(status: u16, body: &str) -> LlmError {
    HttpFailure {
        status,
        retry_after: None,
        body: body.to_owned(),
    }
    .classify(&target())
}

/// Plays `model`'s next reply to `request` into a [`Reply`].
async fn gather(model: Arc<dyn ChatModel>, request: Request) -> (Reply, Vec<Step>) {
    let mut reply = Reply::new(&request);
    let mut steps = Vec::new();
    let mut stream = with_trim(model, request);
    while let Some(item) = stream.next().await {
        let step = reply.absorb(item);
        let ended = step == Step::Ended;
        steps.push(step);
        if ended {
            break;
        }
    }
    reply.end_of_stream();
    (reply, steps)
}

fn ask(text: &str) -> Request {
    Request::new(vec![Message::system("coach"), Message::user(text)])
}

#[test]
fn finish_reasons_from_every_server() {
    assert_eq!(FinishReason::from_wire(""), None);
    assert_eq!(FinishReason::from_wire("stop"), Some(FinishReason::Stop));
    assert_eq!(
        FinishReason::from_wire("length"),
        Some(FinishReason::Length)
    );
    assert_eq!(
        FinishReason::from_wire("tool_calls"),
        Some(FinishReason::Other("tool_calls".to_owned()))
    );
}

#[test]
fn error_bodies_of_every_shape_give_their_message() {
    let cases = [
        (
            401,
            r#"{"error":{"message":"Incorrect API key provided: sk-***","type":"invalid_request_error","code":"invalid_api_key"}}"#,
            "rejected the API key (401: Incorrect API key provided: sk-***): check $OPENAI_API_KEY",
        ),
        (
            404,
            r#"{"error":{"message":"model \"llama3.1\" not found, try pulling it first","type":"api_error","param":null,"code":null}}"#,
            "model \"llama3.1\" not found at http://127.0.0.1:11434/v1",
        ),
        (
            404,
            "<html><body>Not Found</body></html>",
            "http://127.0.0.1:11434/v1/chat/completions was not found (404: <html><body>Not Found</body></html>): check llm.base_url",
        ),
        (
            400,
            r#"{"object":"error","message":"bad","type":"BadRequestError","param":null,"code":400}"#,
            "rejected the request (400: bad)",
        ),
        (
            422,
            r#"{"detail":[{"loc":["body","messages"],"msg":"field required"}]}"#,
            "(422: field required)",
        ),
        (503, "", "the server failed (503: service unavailable)"),
        (
            413,
            "Request Entity Too Large",
            "the server refused a request this large (413: Request Entity Too Large): shorten the message",
        ),
        (
            413,
            r#"{"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#,
            "too long for the model's context:",
        ),
    ];
    for (status, body, says) in cases {
        let line = failure_of(status, body).to_string();
        assert!(line.contains(says), "{status} {body}: {line}");
    }
}

#[test]
fn server_text_in_errors_is_one_safe_short_line() {
    let body = format!(
        r#"{{"error":{{"message":"bad\u001b[2J\nthing {}"}}}}"#,
        "x".repeat(400)
    );
    let line = failure_of(400, &body).to_string();
    assert!(!line.contains('\u{1b}') && !line.contains('\n'), "{line}");
    assert!(line.contains("bad thing xxx"), "{line}");
    assert!(line.len() < 400, "{line}");
}

#[test]
fn retryable_errors_are_the_passing_ones() {
    assert!(
        failure_of(
            429,
            r#"{"error":{"message":"slow down","type":"requests"}}"#
        )
        .is_retryable()
    );
    assert!(failure_of(500, "oops").is_retryable());
    assert!(failure_of(408, "").is_retryable());
    let quota = failure_of(
        429,
        r#"{"error":{"message":"no quota","type":"insufficient_quota"}}"#,
    );
    assert!(matches!(quota, LlmError::Quota { .. }) && !quota.is_retryable());
    for status in [400, 401, 403, 404] {
        assert!(!failure_of(status, "no").is_retryable(), "{status}");
    }
}

#[test]
fn retry_after_as_seconds_milliseconds_or_a_date() {
    use reqwest::header::{HeaderMap, HeaderValue};
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
        .unwrap()
        .to_utc();
    let with = |name: &'static str, value: &'static str| {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        retry_after(&headers, now)
    };
    assert_eq!(with("retry-after", "7"), Some(Duration::from_secs(7)));
    assert_eq!(
        with("retry-after-ms", "250"),
        Some(Duration::from_millis(250))
    );
    assert_eq!(
        with("retry-after", "Sat, 21 Nov 2026 10:00:30 GMT"),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        with("retry-after", "Sat, 21 Nov 2026 09:00:00 GMT"),
        Some(Duration::ZERO)
    );
    assert_eq!(with("retry-after", "soon"), None);
    assert_eq!(retry_after(&HeaderMap::new(), now), None);
}

#[test]
fn trimming_drops_old_turns_before_the_context_and_keeps_the_ends() {
    let request = Request::new(vec![
        Message::system("system"),
        Message::system("session context ".repeat(20)),
        Message::user("old question ".repeat(30)),
        Message::assistant("old answer ".repeat(30)),
        Message::user("recent question"),
        Message::assistant("recent answer"),
        Message::user("now"),
    ]);
    let (trimmed, dropped) = request.trimmed(request.estimated_tokens() / 2).unwrap();
    let kept: Vec<&str> = trimmed
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    // The old question goes, and its answer with it; the context stays.
    assert_eq!(dropped, 2);
    assert_eq!(kept[0], "system");
    assert!(kept[1].starts_with("session context"));
    assert_eq!(&kept[2..], ["recent question", "recent answer", "now"]);

    // A tiny budget drops everything droppable, the context last.
    let (bare, _) = request.trimmed(1).unwrap();
    let kept: Vec<&str> = bare.messages.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(kept, ["system", "now"]);

    assert_eq!(ask("only").trimmed(1), None, "nothing to drop");
}

#[test]
fn a_base_url_must_be_http_and_loses_its_trailing_slash() {
    let make = |url: &str| {
        let settings = LlmSettings {
            base_url: url.to_owned(),
            ..LlmSettings::default()
        };
        OpenAiCompatible::new(&settings, None, &Env::default()).map(|_| ())
    };
    assert!(make("http://localhost:11434/v1/").is_ok());
    for bad in [
        "localhost:11434",
        "ftp://x/v1",
        "http://x/v1?key=1",
        "not a url",
    ] {
        let error = make(bad).unwrap_err().to_string();
        assert!(error.contains("llm.base_url"), "{bad}: {error}");
    }
}

#[test]
fn a_key_that_cannot_be_a_header_is_refused_without_showing_it() {
    let key = ApiKey::from("sk-secret\u{7f}".to_owned());
    let error = OpenAiCompatible::new(&LlmSettings::default(), Some(&key), &Env::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("$OPENAI_API_KEY"), "{error}");
    assert!(!error.contains("sk-secret"), "{error}");
    assert_eq!(format!("{key:?}"), "ApiKey(hidden)");
}

#[test]
fn only_public_servers_need_a_key() {
    for local in [
        "http://localhost:11434/v1",
        "http://127.0.0.1:8080/v1",
        "http://[::1]:8000/v1",
        "http://192.168.1.20:1234/v1",
        "http://ollama:11434/v1",
        "http://gpu-box.local:8000/v1",
    ] {
        assert!(!needs_key(local), "{local}");
    }
    for public in [
        "https://api.openai.com/v1",
        "https://openrouter.ai/api/v1",
        "http://8.8.8.8/v1",
    ] {
        assert!(needs_key(public), "{public}");
    }
}

#[tokio::test]
async fn the_key_comes_from_the_variable_then_the_command() {
    let mut settings = LlmSettings {
        api_key_env: "MY_KEY".to_owned(),
        api_key_cmd: Some("printf 'sk-from-cmd\\nsecond line\\n'".to_owned()),
        ..LlmSettings::default()
    };
    let env = Env::from([("MY_KEY", "sk-from-env")]);
    let key = resolve_key(&settings, &env).await.unwrap().unwrap();
    assert_eq!(key.expose(), "sk-from-env");
    let key = resolve_key(&settings, &Env::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(key.expose(), "sk-from-cmd");

    settings.api_key_cmd = Some("echo 'vault is locked' >&2; exit 3".to_owned());
    let error = resolve_key(&settings, &Env::default()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "llm.api_key_cmd failed: exit 3: vault is locked; fix the command or set $MY_KEY"
    );
    assert!(error.means_offline());
    settings.api_key_cmd = Some("true".to_owned());
    let error = resolve_key(&settings, &Env::default()).await.unwrap_err();
    assert!(error.to_string().contains("it printed nothing"), "{error}");
    settings.api_key_cmd = None;
    assert_eq!(resolve_key(&settings, &Env::default()).await.unwrap(), None);
}

#[tokio::test]
async fn a_reply_is_sanitized_across_pieces_and_estimates_usage_when_none_is_sent() {
    let model = Scripted::new([vec![
        Say::Item(Ok(Chunk::Text("Go \u{1b}[3".to_owned()))),
        Say::Item(Ok(Chunk::Text("1mnow\u{1b}[0m.".to_owned()))),
        Say::Item(Ok(Chunk::Finished {
            reason: FinishReason::Stop,
            skipped: 0,
        })),
    ]]);
    let request = ask("Start me off");
    let (reply, steps) = gather(Arc::new(model), request.clone()).await;
    assert_eq!(reply.text(), "Go now.");
    assert_eq!(steps[0], Step::Text("Go ".to_owned()));
    assert_eq!(steps[1], Step::Text("now.".to_owned()));
    assert_eq!(
        reply.usage(),
        Usage {
            prompt_tokens: request.estimated_tokens(),
            completion_tokens: 2,
            cached_tokens: None,
            estimated: true
        }
    );
}

#[tokio::test]
async fn a_broken_reply_keeps_its_text_and_one_that_never_began_fails() {
    let lost = LlmError::Interrupted {
        detail: "reset".to_owned(),
    };
    let model = Arc::new(Scripted::new([
        vec![
            Say::Item(Ok(Chunk::Text("Half".to_owned()))),
            Say::Item(Err(lost.clone())),
        ],
        failure(lost.clone()),
    ]));
    let (reply, _) = gather(model.clone(), ask("a")).await;
    assert_eq!(reply.text(), "Half");
    assert!(reply.is_cut_off());
    assert_eq!(reply.ending(), Some(&Ending::CutOff(lost.clone())));
    let (reply, _) = gather(model, ask("b")).await;
    assert!(!reply.is_cut_off());
    assert_eq!(reply.ending(), Some(&Ending::Failed(lost)));
}

#[tokio::test]
async fn a_context_too_long_is_trimmed_once_with_a_fake_model_too() {
    let too_long = LlmError::ContextTooLong {
        message: "too long".to_owned(),
        n_ctx: None,
    };
    let model = Arc::new(Scripted::new([
        failure(too_long.clone()),
        reply("Short now."),
    ]));
    let request = Request::new(vec![
        Message::system("coach"),
        Message::user("old ".repeat(100)),
        Message::assistant("reply"),
        Message::user("new"),
    ]);
    let (answer, steps) = gather(model.clone(), request).await;
    assert_eq!(answer.text(), "Short now.");
    assert!(steps.contains(&Step::Trimmed { dropped: 2 }));
    assert_eq!(model.requests()[1].messages.len(), 2);

    let model = Arc::new(Scripted::new([failure(too_long.clone())]));
    let (answer, _) = gather(model, ask("nothing to drop")).await;
    assert_eq!(answer.ending(), Some(&Ending::Failed(too_long)));
}

#[tokio::test(start_paused = true)]
async fn cancelling_keeps_what_arrived() {
    let model = Scripted::new([vec![
        Say::Item(Ok(Chunk::Text("Before the ".to_owned()))),
        Say::Wait(Duration::from_secs(1)),
        Say::Hang,
    ]]);
    let request = ask("x");
    let mut reply = Reply::new(&request);
    let mut stream = model.stream(request);
    reply.absorb(stream.next().await.unwrap());
    let waited = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
    assert!(waited.is_err(), "the scripted server hangs");
    drop(stream);
    reply.cancel();
    assert_eq!(reply.text(), "Before the ");
    assert_eq!(reply.ending(), Some(&Ending::Cancelled));
    assert!(reply.is_cut_off());
}
