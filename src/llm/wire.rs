//! What OpenAI-compatible servers send, read leniently.
//!
//! Servers differ: the role on the first chunk or on every chunk, `finish_reason: ""`, usage
//! on its own chunk (with empty `choices`) or after the finish chunk, reasoning as `reasoning`
//! or `reasoning_content`, an error object inside the stream, error bodies whose `code` is a
//! string, a number or missing, or no `error` wrapper at all. Every field is optional here and
//! unknown fields are ignored, so none of that is an error.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::{FinishReason, LlmError, Usage};
use crate::text;

/// The longest server message quoted in an error line.
const MAX_MESSAGE: usize = 160;

/// One `data:` event of a chat completion stream.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireChunk {
    pub choices: Vec<WireChoice>,
    pub usage: Option<Value>,
    /// llama.cpp's own figures: `cache_n` prompt tokens reused, `prompt_n` read fresh.
    pub timings: Option<Value>,
    pub error: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireChoice {
    pub delta: WireDelta,
    pub finish_reason: Option<String>,
}

/// A choice's delta. Both reasoning spellings are separate fields: a server that sends both
/// must not make the chunk unreadable.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireDelta {
    pub content: Option<String>,
    pub refusal: Option<String>,
    pub reasoning: Option<String>,
    pub reasoning_content: Option<String>,
}

/// What one chunk adds to a reply.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub reasoning: String,
    pub finish: Option<FinishReason>,
    pub usage: Option<Usage>,
    /// The error the chunk carried, sanitized.
    pub error: Option<String>,
}

impl WireChunk {
    /// The text, reasoning, finish reason, usage and error this chunk carries. Only one choice
    /// is ever asked for; a server that sends several indexes gets them read in order.
    pub fn piece(&self) -> Piece {
        let mut piece = Piece::default();
        for choice in &self.choices {
            let delta = &choice.delta;
            for text in [&delta.content, &delta.refusal].into_iter().flatten() {
                piece.text.push_str(text);
            }
            for thought in [&delta.reasoning, &delta.reasoning_content]
                .into_iter()
                .flatten()
            {
                piece.reasoning.push_str(thought);
            }
            if piece.finish.is_none() {
                piece.finish = choice
                    .finish_reason
                    .as_deref()
                    .and_then(FinishReason::from_wire);
            }
        }
        piece.usage = self.usage.as_ref().and_then(usage).map(|mut usage| {
            usage.cached_tokens = self.usage.as_ref().and_then(cached).or_else(|| {
                let timings = self.timings.as_ref()?;
                count(timings, "cache_n")
            });
            usage
        });
        if let Some(error) = &self.error {
            piece.error = Some(message_in(error).unwrap_or_else(|| quote(&error.to_string())));
        }
        if piece.finish == Some(FinishReason::Other("error".to_owned())) && piece.error.is_none() {
            piece.error = Some("finish reason \"error\"".to_owned());
        }
        piece
    }
}

/// Usage when the server counted both sides; `{}` or a partial object counts as none.
fn usage(value: &Value) -> Option<Usage> {
    Some(Usage {
        prompt_tokens: count(value, "prompt_tokens")?,
        completion_tokens: count(value, "completion_tokens")?,
        cached_tokens: None,
        estimated: false,
    })
}

/// The prompt tokens a usage object says were cached (`OpenAI`, `DeepSeek`, vLLM, `OpenRouter`).
fn cached(usage: &Value) -> Option<u32> {
    count(usage.get("prompt_tokens_details")?, "cached_tokens")
        .or_else(|| count(usage, "prompt_cache_hit_tokens"))
}

/// A count in an object, capped to fit.
fn count(value: &Value, key: &str) -> Option<u32> {
    value
        .get(key)?
        .as_u64()
        .map(|n| n.min(u64::from(u32::MAX)) as u32)
}

/// The message an error value carries: `error.message`, `error` as a string, `message`,
/// `detail` (a string, or a list of `{msg}` as `FastAPI` sends), sanitized and shortened.
pub fn message_in(value: &Value) -> Option<String> {
    let found = match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => map
            .get("error")
            .and_then(message_in)
            .or_else(|| {
                map.get("message")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .or_else(|| match map.get("detail")? {
                Value::String(s) => Some(s.clone()),
                Value::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(|i| i.get("msg").and_then(Value::as_str))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                _ => None,
            }),
        _ => None,
    };
    found.map(|m| quote(&m)).filter(|m| !m.is_empty())
}

/// Server text made fit for one line of an error message.
pub fn quote(raw: &str) -> String {
    let one_line = crate::session::plan::tidy(&text::sanitize(raw));
    text::truncate(&one_line, MAX_MESSAGE)
}

/// A response with a status other than 2xx, as the HTTP layer saw it.
#[derive(Debug)]
pub struct HttpFailure {
    pub status: u16,
    /// From `retry-after-ms`, or `retry-after` in seconds or as a date.
    pub retry_after: Option<Duration>,
    pub body: String,
}

impl std::fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.status)
    }
}

impl std::error::Error for HttpFailure {}

/// Where a request was sent, for wording errors.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub model: String,
    /// Where the key came from, for "check …": `$OPENAI_API_KEY (llm.api_key_env)`.
    pub key_source: String,
}

impl HttpFailure {
    /// The error this response means. Context-length errors are recognised by their words
    /// first, because servers send them as 400, 413 or even 500.
    pub fn classify(&self, target: &Target) -> LlmError {
        let parsed: Option<Value> = serde_json::from_str(&self.body).ok();
        let message = parsed
            .as_ref()
            .and_then(message_in)
            .or_else(|| Some(quote(&self.body)).filter(|m| !m.is_empty()))
            .unwrap_or_else(|| status_text(self.status).to_owned());
        let field = |key: &str| -> Option<&Value> {
            let value = parsed.as_ref()?;
            value
                .get("error")
                .and_then(|e| e.get(key))
                .or_else(|| value.get(key))
        };
        let kind = ["type", "code"]
            .iter()
            .filter_map(|k| field(k).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        if is_context_error(&message, &kind) {
            let n_ctx = field("n_ctx")
                .and_then(Value::as_u64)
                .map(|n| n.min(u64::from(u32::MAX)) as u32);
            return LlmError::ContextTooLong { message, n_ctx };
        }
        match self.status {
            401 => LlmError::Unauthorized {
                message,
                key_source: target.key_source.clone(),
            },
            403 => LlmError::Forbidden {
                message,
                key_source: target.key_source.clone(),
            },
            404 if message.to_lowercase().contains("model") => LlmError::ModelNotFound {
                model: target.model.clone(),
                url: target.url.clone(),
                message,
            },
            404 => LlmError::EndpointNotFound {
                url: target.url.clone(),
                message,
            },
            429 if kind.contains("insufficient_quota") => LlmError::Quota { message },
            429 => LlmError::RateLimited {
                message,
                retries: 0,
                wait: None,
            },
            300..=399 => LlmError::Rejected {
                status: self.status,
                message: format!(
                    "a redirect, which focus does not follow; set llm.base_url to the new address ({message})"
                ),
            },
            408 | 409 | 500..=599 => LlmError::Server {
                status: self.status,
                message,
                retries: 0,
            },
            413 => LlmError::TooLarge { message },
            status => LlmError::Rejected { status, message },
        }
    }
}

fn is_context_error(message: &str, kind: &str) -> bool {
    let message = message.to_lowercase();
    kind.contains("context_length_exceeded")
        || kind.contains("exceed_context_size")
        || [
            "context length",
            "context size",
            "context window",
            "maximum context",
            "prompt is too long",
            "too many tokens",
        ]
        .iter()
        .any(|words| message.contains(words))
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "bad request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not found",
        429 => "too many requests",
        500 => "internal server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => "no message",
    }
}

/// The wait a response asks for: `retry-after-ms`, or `retry-after` as seconds or an HTTP
/// date (relative to `now`).
pub fn retry_after(
    headers: &reqwest::header::HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let header = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    // Any wait beyond a year is "too long" all the same; the cap keeps the conversion sound.
    let seconds =
        |s: f64| (s.is_finite() && s >= 0.0).then(|| Duration::from_secs_f64(s.min(3.2e7)));
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return seconds(ms / 1000.0);
    }
    let value = header("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (date.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}
