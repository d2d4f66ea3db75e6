//! Every way a turn with a model can fail, each worded as one line that says what to do.
//!
//! Text that came from a server (`message`, `detail`) is sanitized and shortened before it is
//! stored here, so printing an error is always safe.

use std::time::Duration;

use thiserror::Error;

use crate::config::{LlmSettings, redact_url};

/// Why a turn failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LlmError {
    #[error(
        "no API key for {url}: set ${var} (named by llm.api_key_env) or llm.api_key_cmd, or use --offline"
    )]
    NoKey { var: String, url: String },

    #[error("llm.api_key_cmd failed: {detail}; fix the command or set ${var}")]
    KeyCommand { detail: String, var: String },

    #[error("{0}")]
    Settings(String),

    #[error("the server rejected the API key (401: {message}): check {key_source}")]
    Unauthorized { message: String, key_source: String },

    #[error(
        "the API key may not use this model (403: {message}): check its permissions, or {key_source}"
    )]
    Forbidden { message: String, key_source: String },

    #[error(
        "model \"{model}\" not found at {url} ({message}): check llm.model; `curl {url}/models` lists the server's models (Ollama: `ollama list`)"
    )]
    ModelNotFound {
        model: String,
        url: String,
        message: String,
    },

    #[error(
        "{url}/chat/completions was not found (404: {message}): check llm.base_url (it usually ends in /v1)"
    )]
    EndpointNotFound { url: String, message: String },

    #[error("{}", rate_limited(*.wait, *.retries, message))]
    RateLimited {
        message: String,
        retries: u32,
        /// How long the server asked to wait, when that was too long to wait for.
        wait: Option<Duration>,
    },

    #[error(
        "the account has no quota left ({message}): check the plan and billing with the provider"
    )]
    Quota { message: String },

    #[error(
        "the conversation is too long for the model's context{}: shorten the message, or use a model with a larger context",
        n_ctx.map(|n| format!(" of {n} tokens")).unwrap_or_default()
    )]
    ContextTooLong { message: String, n_ctx: Option<u32> },

    #[error(
        "the server rejected the request ({status}: {message}): check llm.model and the server's log"
    )]
    Rejected { status: u16, message: String },

    #[error(
        "the server refused a request this large (413: {message}): shorten the message, or raise the server's request size limit"
    )]
    TooLarge { message: String },

    #[error(
        "the server failed ({status}: {message}){}: try again later, or check the server's log",
        after(*.retries)
    )]
    Server {
        status: u16,
        message: String,
        retries: u32,
    },

    #[error(
        "cannot reach the model server at {url} ({detail}){}: is it running? (--offline works without it)",
        after(*.retries)
    )]
    Unreachable {
        url: String,
        detail: String,
        retries: u32,
    },

    #[error(
        "no reply from the model within {secs} s: a local model may still be loading; try again, or raise llm.first_token_timeout_secs"
    )]
    NoFirstToken { secs: u64 },

    #[error(
        "the reply stalled for {secs} s and was cut off: try again, or raise llm.idle_timeout_secs"
    )]
    Stalled { secs: u64 },

    #[error("the connection was lost mid-reply ({detail}): try again")]
    Interrupted { detail: String },

    #[error("the server reported an error mid-reply ({message}): try again")]
    InStream { message: String },

    #[error(
        "the model finished without an answer{}: try again, or ask differently",
        if *.reasoning { " (only its reasoning, which focus does not show)" } else { "" }
    )]
    NoAnswer { reasoning: bool },

    #[error("the server ended the reply without finishing it: try again")]
    EndedEarly,

    #[error(
        "the server at {url} sent an empty reply: check that llm.base_url points at an OpenAI-compatible API"
    )]
    Empty { url: String },
}

impl LlmError {
    /// No key for the server `settings` name.
    pub fn no_key(settings: &LlmSettings) -> LlmError {
        LlmError::NoKey {
            var: settings.api_key_env.clone(),
            url: redact_url(settings.base_url.trim().trim_end_matches('/')),
        }
    }

    /// Whether sending the same request again may succeed: rate limits, server errors, lost
    /// connections. A refused key, an unknown model or a bad request fail the same way again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            LlmError::RateLimited { wait: None, .. }
                | LlmError::Server { .. }
                | LlmError::Unreachable { .. }
                | LlmError::Interrupted { .. }
        )
    }

    /// Whether the model cannot be used at all right now (no key, no server), so the coach
    /// carries on offline rather than reporting each turn's failure.
    pub fn means_offline(&self) -> bool {
        matches!(
            self,
            LlmError::NoKey { .. } | LlmError::KeyCommand { .. } | LlmError::Unreachable { .. }
        )
    }

    /// Records how many retries were spent before this error.
    #[must_use]
    pub fn after_retries(mut self, spent: u32) -> LlmError {
        if let LlmError::RateLimited { retries, .. }
        | LlmError::Server { retries, .. }
        | LlmError::Unreachable { retries, .. } = &mut self
        {
            *retries = spent;
        }
        self
    }
}

fn after(retries: u32) -> String {
    match retries {
        0 => String::new(),
        1 => " after 1 retry".to_owned(),
        n => format!(" after {n} retries"),
    }
}

fn rate_limited(wait: Option<Duration>, retries: u32, message: &str) -> String {
    match wait {
        Some(wait) => format!(
            "the server is rate limiting and asks to wait {} s ({message}): try again then",
            wait.as_secs()
        ),
        None => format!(
            "the server is rate limiting ({message}){}: wait a minute and try again",
            after(retries)
        ),
    }
}
