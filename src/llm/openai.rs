//! The production [`ChatModel`]: any OpenAI-compatible server, through async-openai.
//!
//! async-openai builds and sends the request and reads the server-sent events; focus keeps
//! the rest in its own hands (see `../shared/notes`, verified against async-openai 0.43):
//! - the key, organisation and project are set explicitly, so nothing the library would read
//!   from `OPENAI_*` variables reaches a server the person did not configure;
//! - the library's own retry layer is replaced by an HTTP service that turns any non-2xx
//!   response into an [`HttpFailure`] with its status, `Retry-After` and body, and the retry
//!   loop here backs off with jitter and tells the caller it is waiting;
//! - the stream is read with lenient types ([`WireChunk`]) through the `byot` methods, so no
//!   server's quirks make a chunk unreadable;
//! - there is no total request timeout (it would kill long replies): a connect timeout, a
//!   deadline for the first token and a limit on the gap between chunks instead.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::{OpenAIError, StreamError};
use async_openai::middleware::HttpRequestFactory;
use futures::StreamExt;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{Value, json};
use tokio::time::{Instant, sleep, timeout, timeout_at};

use super::key::key_source;
use super::wire::{HttpFailure, Target, WireChunk, quote, retry_after};
use super::{ApiKey, ChatModel, Chunk, LlmError, ReplyStream, Request, Retry};
use crate::clock;
use crate::config::{Env, LlmSettings, redact_url};

/// The most of an error body kept.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// The longest `Retry-After` waited for; a longer one fails at once and says how long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The first retry waits about this long, each next one twice as long...
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// ...up to this.
const BACKOFF_CAP: Duration = Duration::from_secs(8);

/// A client for one OpenAI-compatible server and model. Cheap to clone.
#[derive(Debug, Clone)]
pub struct OpenAiCompatible {
    client: Client<OpenAIConfig>,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    target: Target,
    /// The key and the values of `llm.headers`, kept to remove them from what the server
    /// says: a proxy that echoes a credential in an error must not get it printed. (`ApiKey`
    /// hides them from `Debug`.)
    secrets: Vec<ApiKey>,
    include_usage: bool,
    first_token: Duration,
    idle: Duration,
    max_retries: u32,
    /// The server refused a `response_format` once: it is not sent again in this run.
    no_response_format: std::sync::atomic::AtomicBool,
    /// For [`ChatModel::probe`]: the client, the server's list of models, and how long a
    /// connection may take.
    probe: (reqwest::Client, String, Duration),
}

impl Shared {
    /// `text` with every secret (the key, the header values), wherever it appears, replaced
    /// by `[hidden]`.
    fn hide_secrets(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            let secret = secret.expose();
            // A very short value (a placeholder key for a local server) could match words.
            if secret.len() >= 4 && text.contains(secret) {
                text = text.replace(secret, "[hidden]");
            }
        }
        text
    }
}

impl OpenAiCompatible {
    /// A client for the server in `settings`, sending `key` (none: an empty bearer token, as
    /// local servers expect).
    pub fn new(
        settings: &LlmSettings,
        key: Option<&ApiKey>,
        env: &Env,
    ) -> Result<OpenAiCompatible, LlmError> {
        let base = base_url(&settings.base_url)?;
        let key = key.map_or("", ApiKey::expose);
        if HeaderValue::from_str(&format!("Bearer {key}")).is_err() {
            return Err(LlmError::Settings(format!(
                "the API key from {} has characters that cannot be sent in an HTTP header: check it",
                key_source(settings, env)
            )));
        }
        let mut config = OpenAIConfig::new()
            .with_api_base(&base)
            .with_api_key(key)
            .with_org_id("")
            .with_project_id("");
        for (name, value) in &settings.headers {
            let bad = |e: &dyn std::fmt::Display| {
                LlmError::Settings(format!(
                    "llm.headers.{name} cannot be sent as an HTTP header ({e}): fix it in the config file"
                ))
            };
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|e| bad(&e))?;
            config = config
                .with_header(header, value.as_str())
                .map_err(|e| bad(&e))?;
        }
        // No redirects: a POST that is redirected would carry llm.headers (which may hold a
        // credential) to another host.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(settings.connect_timeout_secs.into()))
            .build()
            .map_err(|e| LlmError::Settings(format!("cannot set up HTTP: {e}")))?;
        let idle = Duration::from_secs(settings.idle_timeout_secs.into());
        let connect = Duration::from_secs(settings.connect_timeout_secs.into());
        let probe = (http.clone(), format!("{base}/models"), connect);
        let http_for_openai = http.clone();
        let service = tower::service_fn(move |factory: HttpRequestFactory| {
            let http = http.clone();
            async move { send(&http, &factory, idle).await }
        });
        Ok(OpenAiCompatible {
            // `build` takes our HTTP client: `with_config` would set up another (TLS roots and all)
            // only for the service to replace it.
            client: Client::build(http_for_openai, config).with_http_service(service),
            shared: Arc::new(Shared {
                target: Target {
                    // The address as shown in messages and logs: without a password in it.
                    url: redact_url(&base),
                    model: settings.model.clone(),
                    key_source: key_source(settings, env),
                },
                secrets: std::iter::once(key)
                    .chain(settings.headers.values().map(String::as_str))
                    .filter(|s| !s.is_empty())
                    .map(|s| ApiKey::from(s.to_owned()))
                    .collect(),
                include_usage: settings.include_usage,
                first_token: Duration::from_secs(settings.first_token_timeout_secs.into()),
                idle,
                max_retries: settings.max_retries,
                no_response_format: std::sync::atomic::AtomicBool::new(false),
                probe,
            }),
        })
    }

    /// The body of a streamed chat completion for `request`.
    fn body(&self, request: &Request) -> Value {
        let mut body = json!({
            "model": self.shared.target.model,
            "messages": request.messages,
            "stream": true,
        });
        if self.shared.include_usage {
            body["stream_options"] = json!({ "include_usage": true });
        }
        if let Some(max) = request.max_tokens {
            body["max_tokens"] = max.into();
        }
        if let Some(format) = &request.response_format
            && !self
                .shared
                .no_response_format
                .load(std::sync::atomic::Ordering::Relaxed)
        {
            body["response_format"] = format.clone();
        }
        if let Some(temperature) = request.temperature {
            // Through its shortest decimal form: 0.3 goes out as 0.3, not 0.30000001192….
            let exact: f64 = temperature
                .to_string()
                .parse()
                .unwrap_or_else(|_| f64::from(temperature));
            body["temperature"] = exact.into();
        }
        body
    }

    /// The error `error` means, and how long the server asked to wait before a retry.
    fn classify(&self, error: OpenAIError) -> (LlmError, Option<Duration>) {
        let target = &self.shared.target;
        match error {
            OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpFailure>() {
                Ok(mut failure) => {
                    failure.body = self.shared.hide_secrets(&failure.body);
                    (failure.classify(target), failure.retry_after)
                }
                Err(other) => (interrupted(&*other), None),
            },
            OpenAIError::Reqwest(e) if e.is_connect() || e.is_timeout() => {
                let detail = if e.is_timeout() {
                    "no connection within the connect timeout".to_owned()
                } else {
                    root_cause(&e)
                };
                let error = LlmError::Unreachable {
                    url: target.url.clone(),
                    detail,
                    retries: 0,
                };
                (error, None)
            }
            OpenAIError::Reqwest(e) => (interrupted(&e), None),
            OpenAIError::ApiError(api) => {
                let failure = HttpFailure {
                    status: api.status_code.as_u16(),
                    retry_after: None,
                    body: self
                        .shared
                        .hide_secrets(&json!({ "error": api.api_error }).to_string()),
                };
                (failure.classify(target), None)
            }
            OpenAIError::InvalidArgument(message) => (LlmError::Settings(quote(&message)), None),
            OpenAIError::StreamError(e) => (stream_broke(&e), None),
            other => (interrupted(&other), None),
        }
    }

    /// What to do after `error` on attempt `attempt` (0 for the first try): the retry to
    /// announce, or the error to end with.
    fn retry(
        &self,
        attempt: u32,
        error: LlmError,
        wait: Option<Duration>,
    ) -> Result<Retry, LlmError> {
        let error = match (error, wait) {
            (LlmError::RateLimited { message, .. }, Some(wait)) if wait > MAX_RETRY_AFTER => {
                return Err(LlmError::RateLimited {
                    message,
                    retries: attempt,
                    wait: Some(wait),
                });
            }
            // A server that asks for a long wait (a 503 in maintenance) is not waited on
            // either: the failure is said now.
            (error, Some(wait)) if wait > MAX_RETRY_AFTER => {
                return Err(error.after_retries(attempt));
            }
            (error, _) => error,
        };
        if !error.is_retryable() || attempt >= self.shared.max_retries {
            return Err(error.after_retries(attempt));
        }
        // `Retry-After: 0` is no reason to hammer the server: the usual backoff applies.
        let delay = wait
            .filter(|w| !w.is_zero())
            .map_or_else(|| backoff(attempt), |w| w.min(MAX_RETRY_AFTER));
        Ok(Retry {
            attempt: attempt + 1,
            of: self.shared.max_retries,
            delay,
            cause: cause(&error),
        })
    }
}

impl ChatModel for OpenAiCompatible {
    fn name(&self) -> &str {
        &self.shared.target.model
    }

    /// A GET of the server's model list, without the key: any HTTP answer (even a refusal)
    /// shows that the server is there.
    fn probe(&self) -> futures::future::BoxFuture<'static, Result<(), LlmError>> {
        let (http, url, connect) = self.shared.probe.clone();
        let target = self.shared.target.url.clone();
        Box::pin(async move {
            let sent = http
                .get(url)
                .timeout(connect + Duration::from_secs(5))
                .send();
            match sent.await {
                Ok(_) => Ok(()),
                Err(e) if e.is_connect() || e.is_timeout() => Err(LlmError::Unreachable {
                    url: target,
                    detail: if e.is_timeout() {
                        "no answer within the connect timeout".to_owned()
                    } else {
                        root_cause(&e)
                    },
                    retries: 0,
                }),
                Err(e) => {
                    tracing::debug!(error = %e, "the probe failed, but the server is there");
                    Ok(())
                }
            }
        })
    }

    // One generator holds the retry loop and the reading of each attempt, because only its
    // body can yield.
    #[allow(clippy::too_many_lines)]
    fn stream(&self, request: Request) -> ReplyStream {
        let this = self.clone();
        Box::pin(async_stream::stream! {
            let mut body = this.body(&request);
            let shared = &this.shared;
            let mut attempt = 0;
            loop {
                // The first token (text or reasoning) must come by this deadline; after it, no
                // gap between chunks may be longer than the idle limit.
                let deadline = Instant::now() + shared.first_token;
                tracing::debug!(
                    target: "focus::llm",
                    url = %shared.target.url,
                    model = %shared.target.model,
                    attempt,
                    estimated_tokens = request.estimated_tokens(),
                    "sending a chat completion request"
                );
                // Each attempt ends the stream, or fails in a way that may be retried.
                let (error, wait) = 'attempt: {
                    let opened = timeout_at(
                        deadline,
                        this.client.chat().create_stream_byot::<Value, WireChunk>(body.clone()),
                    )
                    .await;
                    let mut events = match opened {
                        Err(_) => {
                            yield Err(LlmError::NoFirstToken { secs: shared.first_token.as_secs() });
                            return;
                        }
                        Ok(Err(e)) => break 'attempt this.classify(e),
                        Ok(Ok(events)) => events,
                    };
                    let mut replying = false;
                    let mut heard = false;
                    let mut finish = None;
                    let mut usage = None;
                    let mut skipped = 0;
                    loop {
                        let next = if replying {
                            timeout(shared.idle, events.next()).await
                        } else {
                            timeout_at(deadline, events.next()).await
                        };
                        match next {
                            // Finished; a server that then keeps the connection open without
                            // `[DONE]` has said all it will.
                            Err(_) if finish.is_some() => break,
                            Err(_) if replying => {
                                yield Err(LlmError::Stalled { secs: shared.idle.as_secs() });
                                return;
                            }
                            Err(_) => {
                                yield Err(LlmError::NoFirstToken { secs: shared.first_token.as_secs() });
                                return;
                            }
                            Ok(None) => break,
                            Ok(Some(Ok(chunk))) => {
                                heard = true;
                                let piece = chunk.piece();
                                if let Some(message) = piece.error {
                                    let message = shared.hide_secrets(&message);
                                    yield Err(LlmError::InStream { message });
                                    return;
                                }
                                if !piece.reasoning.is_empty() {
                                    replying = true;
                                    yield Ok(Chunk::Reasoning(piece.reasoning));
                                }
                                if !piece.text.is_empty() {
                                    replying = true;
                                    yield Ok(Chunk::Text(piece.text));
                                }
                                finish = finish.or(piece.finish);
                                usage = piece.usage.or(usage);
                            }
                            Ok(Some(Err(OpenAIError::JSONDeserialize(e, raw)))) => {
                                heard = true;
                                skipped += 1;
                                tracing::warn!(
                                    target: "focus::llm",
                                    "skipped a chunk that is not valid JSON ({e}): {}",
                                    quote(&shared.hide_secrets(&raw))
                                );
                            }
                            // The reply was whole; only what came after it was lost.
                            Ok(Some(Err(_))) if finish.is_some() => break,
                            // Nothing was shown yet, so the turn can be sent again.
                            Ok(Some(Err(e))) if !replying => break 'attempt this.classify(e),
                            Ok(Some(Err(e))) => {
                                yield Err(this.classify(e).0);
                                return;
                            }
                        }
                    }
                    if let Some(usage) = usage {
                        yield Ok(Chunk::Usage(usage));
                    }
                    yield match finish {
                        Some(reason) => Ok(Chunk::Finished { reason, skipped }),
                        None if !heard => Err(LlmError::Empty { url: shared.target.url.clone() }),
                        None => Err(LlmError::EndedEarly),
                    };
                    return;
                };
                // A server that cannot hold the model to a schema says so before a word: ask
                // again without it (not counted as a retry), and never send it again.
                if body.get("response_format").is_some() && refuses_response_format(&error) {
                    tracing::debug!(
                        target: "focus::llm",
                        %error,
                        "the server refused response_format; asking without it"
                    );
                    shared
                        .no_response_format
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    if let Some(fields) = body.as_object_mut() {
                        fields.remove("response_format");
                    }
                    continue;
                }
                match this.retry(attempt, error, wait) {
                    Ok(retry) => {
                        let delay = retry.delay;
                        yield Ok(Chunk::Retrying(retry));
                        sleep(delay).await;
                        attempt += 1;
                    }
                    Err(error) => {
                        yield Err(error);
                        return;
                    }
                }
            }
        })
    }
}

/// Whether a refused request was refused for its `response_format` (a server without
/// structured output, or a schema it cannot take).
fn refuses_response_format(error: &LlmError) -> bool {
    let LlmError::Rejected { status, message } = error else {
        return false;
    };
    let message = message.to_lowercase();
    (400..500).contains(status)
        && ["response_format", "json_schema", "schema", "grammar"]
            .iter()
            .any(|word| message.contains(word))
}

/// Sends one attempt; a non-2xx response becomes an [`HttpFailure`] carrying what the retry
/// loop and the error messages need.
async fn send(
    http: &reqwest::Client,
    factory: &HttpRequestFactory,
    idle: Duration,
) -> Result<reqwest::Response, OpenAIError> {
    let request = factory.build().await?;
    let mut response = http.execute(request).await.map_err(OpenAIError::Reqwest)?;
    if response.status().is_success() {
        return if is_plain_json(&response) {
            as_stream(response, idle).await
        } else {
            Ok(response)
        };
    }
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers(), clock::now().to_utc());
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY {
        match timeout(idle, response.chunk()).await {
            Ok(Ok(Some(bytes))) => body.extend_from_slice(&bytes),
            _ => break,
        }
    }
    body.truncate(MAX_ERROR_BODY);
    Err(OpenAIError::Boxed(Box::new(HttpFailure {
        status,
        retry_after,
        body: String::from_utf8_lossy(&body).into_owned(),
    })))
}

/// Whether a successful response is plain JSON: a server that ignored `"stream": true`.
fn is_plain_json(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim_start().starts_with("application/json"))
}

/// The most of a plain JSON answer that is read.
const MAX_JSON_ANSWER: usize = 4 << 20;

/// A whole chat completion, answered as plain JSON, turned into the event stream it would
/// have been: one chunk with the message (and its reasoning), the usage, `[DONE]`; an
/// `{"error": …}` object becomes the error event it means. A body that stalls or breaks is a
/// lost connection (sent again); one that is neither is handed on as it was (and reads as an
/// empty reply).
async fn as_stream(
    mut response: reqwest::Response,
    idle: Duration,
) -> Result<reqwest::Response, OpenAIError> {
    let status = response.status();
    let broke = |why: String| OpenAIError::Boxed(Box::new(std::io::Error::other(why)));
    let mut body = Vec::new();
    loop {
        match timeout(idle, response.chunk()).await {
            Ok(Ok(Some(bytes))) => body.extend_from_slice(&bytes),
            Ok(Ok(None)) => break,
            Ok(Err(e)) => return Err(broke(format!("the answer broke off ({e})"))),
            Err(_) => {
                return Err(broke(format!(
                    "the answer stalled for {} s",
                    idle.as_secs()
                )));
            }
        }
        if body.len() > MAX_JSON_ANSWER {
            return Err(broke(format!(
                "the answer is over {} MiB",
                MAX_JSON_ANSWER >> 20
            )));
        }
    }
    let events = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|completion| completion_events(&completion));
    let (content_type, body) = match events {
        Some(events) => ("text/event-stream", events.into_bytes()),
        None => ("application/json", body),
    };
    let rebuilt = http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(body)
        .expect("a status and a content type make a response");
    Ok(reqwest::Response::from(rebuilt))
}

/// The stream events for a chat completion object, or `None` when it is not one.
fn completion_events(completion: &Value) -> Option<String> {
    if completion.get("error").is_some() {
        // The stream's reader knows this shape as an error from the server.
        return Some(format!("data: {completion}\n\n"));
    }
    let choice = completion.get("choices")?.get(0)?;
    let message = choice.get("message")?;
    let mut delta = json!({ "content": message.get("content").cloned().unwrap_or(Value::Null) });
    for field in ["reasoning_content", "reasoning"] {
        if let Some(value) = message.get(field).filter(|v| v.is_string()) {
            delta[field] = value.clone();
        }
    }
    let chunk = json!({
        "object": "chat.completion.chunk",
        "choices": [{
            "index": 0,
            "delta": delta,
            "finish_reason": choice.get("finish_reason").cloned().unwrap_or(Value::Null),
        }],
    });
    let mut events = format!("data: {chunk}\n\n");
    if let Some(usage) = completion.get("usage").filter(|u| u.is_object()) {
        let _ = write!(
            events,
            "data: {}\n\n",
            json!({ "choices": [], "usage": usage })
        );
    }
    events.push_str("data: [DONE]\n\n");
    Some(events)
}

/// `base_url` checked and without a trailing slash (async-openai appends
/// `/chat/completions` to it as it is).
fn base_url(raw: &str) -> Result<String, LlmError> {
    let base = raw.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(base).map_err(|e| {
        LlmError::Settings(format!(
            "llm.base_url {base:?} is not a URL ({e}): write it like http://localhost:11434/v1"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(LlmError::Settings(format!(
            "llm.base_url {base:?} must start with http:// or https://"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(LlmError::Settings(format!(
            "llm.base_url {base:?} must not have a query or fragment: write it like https://api.openai.com/v1"
        )));
    }
    Ok(base.to_owned())
}

/// About `BACKOFF_BASE × 2^attempt` (capped), with jitter so that clients that failed
/// together do not retry together.
fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF_BASE
        .saturating_mul(1 << attempt.min(16))
        .min(BACKOFF_CAP);
    full.mul_f64(0.5 + rand::random::<f64>() / 2.0)
}

/// A few words on what failed, for the "retrying" notice.
fn cause(error: &LlmError) -> String {
    match error {
        LlmError::RateLimited { .. } => "the server is rate limiting".to_owned(),
        LlmError::Server { status, .. } => format!("the server failed ({status})"),
        LlmError::Unreachable { detail, .. } => format!("cannot connect ({detail})"),
        LlmError::Interrupted { detail } => format!("the connection was lost ({detail})"),
        other => other.to_string(),
    }
}

fn interrupted(error: &(dyn std::error::Error + 'static)) -> LlmError {
    LlmError::Interrupted {
        detail: root_cause(error),
    }
}

fn stream_broke(error: &StreamError) -> LlmError {
    let detail = match error {
        // What reqwest says when the connection closes or resets inside the body.
        StreamError::EventStream(message) if message.contains("error decoding response body") => {
            "the connection closed or was reset".to_owned()
        }
        StreamError::EventStream(message) => quote(message),
        StreamError::UnknownEvent(event) => format!("unknown event {}", quote(&event.event)),
    };
    LlmError::Interrupted { detail }
}

/// The innermost cause of an error, which is the one that names what went wrong
/// ("Connection refused (os error 111)").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    quote(&cause.to_string())
}
