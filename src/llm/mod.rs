//! Talking to models: one trait, [`ChatModel`], and what every caller needs around it.
//!
//! A model streams a reply as [`Chunk`]s: text and reasoning deltas, notices (a retry, a
//! trimmed context), then the finish reason and usage. [`OpenAiCompatible`] is the production
//! implementation on async-openai, for any OpenAI-compatible server; [`fake::Scripted`] plays
//! scripted replies for tests. [`Reply`] gathers a stream into what the person sees: sanitized
//! text, the reply kept when a stream breaks halfway, usage estimated when the server sends
//! none. [`with_trim`] retries a turn once with a trimmed context when the server says the
//! context is too long.
//!
//! Nothing here prints. Errors are [`LlmError`]s whose `Display` is the one line shown.

mod error;
pub mod fake;
mod key;
mod openai;
mod reply;
mod wire;

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};

use crate::config::{Env, LlmSettings};

/// Tokens a turn took: counted here, kept in the log (so it lives where both can use it).
pub use crate::usage::Usage;
pub use error::LlmError;
pub use key::{ApiKey, needs_key, resolve_key};
pub use openai::OpenAiCompatible;
pub use reply::{Ending, Reply, Step};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Message {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Message {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// One turn to send: the conversation so far and how long the reply may be.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    pub messages: Vec<Message>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
    /// The shape the reply must have (`{"type": "json_schema", …}`), for servers that can
    /// hold a model to it. A server that refuses it is asked again without it.
    pub response_format: Option<serde_json::Value>,
}

impl Request {
    pub fn new(messages: Vec<Message>) -> Request {
        Request {
            messages,
            ..Request::default()
        }
    }

    /// A rough count of the tokens the messages take: a token is about four characters of
    /// English, and each message carries a few tokens of framing.
    pub fn estimated_tokens(&self) -> u32 {
        self.messages
            .iter()
            .map(|m| 4 + estimate_tokens(&m.content))
            .sum()
    }

    /// The request with older messages dropped until it fits `budget` tokens (estimated), or
    /// `None` when nothing can be dropped. The first message (the system prompt) and the last
    /// (the person's turn) always stay; conversation turns go before other system messages
    /// (such as the session's context), oldest first, and an answer never stays without its
    /// question.
    pub fn trimmed(&self, budget: u32) -> Option<(Request, usize)> {
        let last = self.messages.len().checked_sub(1)?;
        let mut droppable: Vec<usize> = (1..last).collect();
        droppable.sort_by_key(|&i| (self.messages[i].role == Role::System, i));
        let mut keep = vec![true; self.messages.len()];
        let mut size = self.estimated_tokens();
        for i in droppable {
            let orphan = self.messages[i].role == Role::Assistant
                && self.messages[1..i]
                    .iter()
                    .zip(&keep[1..i])
                    .all(|(m, &k)| !k || m.role == Role::System);
            if size <= budget && !orphan && keep.iter().any(|k| !k) {
                break;
            }
            keep[i] = false;
            size -= 4 + estimate_tokens(&self.messages[i].content);
        }
        let dropped = keep.iter().filter(|k| !**k).count();
        if dropped == 0 {
            return None;
        }
        let messages = self
            .messages
            .iter()
            .zip(keep)
            .filter(|&(_, keep)| keep)
            .map(|(m, _)| m.clone())
            .collect();
        Some((
            Request {
                messages,
                ..self.clone()
            },
            dropped,
        ))
    }
}

/// About four characters a token.
pub fn estimate_tokens(text: &str) -> u32 {
    text.chars().count().div_ceil(4) as u32
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    /// It said what it had to say.
    Stop,
    /// It hit the length limit.
    Length,
    /// The provider's filter stopped it.
    ContentFilter,
    /// Any other reason the server gave (`tool_calls`, a provider's own).
    Other(String),
}

impl FinishReason {
    /// The reason a server sent; `None` for the empty string some servers send on every chunk.
    pub fn from_wire(reason: &str) -> Option<FinishReason> {
        match reason {
            "" => None,
            "stop" | "eos" | "end_turn" => Some(FinishReason::Stop),
            "length" | "max_tokens" => Some(FinishReason::Length),
            "content_filter" => Some(FinishReason::ContentFilter),
            other => Some(FinishReason::Other(wire::quote(other))),
        }
    }
}

/// A retry about to happen, for the person to see while they wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// 1 for the first retry.
    pub attempt: u32,
    pub of: u32,
    pub delay: Duration,
    /// What failed, in a few words.
    pub cause: String,
}

/// One piece of a streamed reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// Part of the answer, as the server sent it (not yet sanitized).
    Text(String),
    /// Part of the model's thinking, kept apart from the answer.
    Reasoning(String),
    /// The request failed and is sent again after a delay.
    Retrying(Retry),
    /// The context was too long; this many older messages were dropped and the turn is sent
    /// again.
    Trimmed { dropped: usize },
    /// The tokens the server counted for this turn (sent once, before the end).
    Usage(Usage),
    /// The reply is complete. `skipped` counts chunks that could not be read, so the text
    /// may have a gap.
    Finished { reason: FinishReason, skipped: u32 },
}

/// A streamed reply. Dropping it cancels the request.
pub type ReplyStream = Pin<Box<dyn Stream<Item = Result<Chunk, LlmError>> + Send>>;

/// Something that answers a conversation, a piece at a time.
pub trait ChatModel: Send + Sync + fmt::Debug {
    /// The model's name, for messages and the log.
    fn name(&self) -> &str;

    /// Starts a reply to `request`. Errors before the first piece (a refused key, an unknown
    /// model) and during the reply (a lost connection) are items of the stream; after an
    /// error the stream ends.
    fn stream(&self, request: Request) -> ReplyStream;

    /// Checks that the server answers at all, without asking the model anything (a launch
    /// check that must not cost tokens). Any answer will do; only an unreachable server fails.
    fn probe(&self) -> futures::future::BoxFuture<'static, Result<(), LlmError>> {
        Box::pin(async { Ok(()) })
    }
}

/// The model the settings name, ready to use: the key resolved (see [`resolve_key`]) and the
/// client built. Fails with [`LlmError::NoKey`] when a server that needs a key has none, and
/// with the key command's failure; both mean the coach goes on offline.
pub async fn connect(settings: &LlmSettings, env: &Env) -> Result<Arc<dyn ChatModel>, LlmError> {
    let key = resolve_key(settings, env).await?;
    if key.is_none() && needs_key(&settings.base_url) {
        return Err(LlmError::no_key(settings));
    }
    Ok(Arc::new(OpenAiCompatible::new(
        settings,
        key.as_ref(),
        env,
    )?))
}

/// Streams a reply to `request`; when the server says the context is too long before any
/// text arrived, drops older messages (see [`Request::trimmed`]) and sends the turn once more.
pub fn with_trim(model: Arc<dyn ChatModel>, request: Request) -> ReplyStream {
    Box::pin(async_stream::stream! {
        let mut stream = model.stream(request.clone());
        let mut trimmed = false;
        let mut said_anything = false;
        while let Some(item) = stream.next().await {
            match item {
                Err(LlmError::ContextTooLong { message, n_ctx }) if !trimmed && !said_anything => {
                    // Half of what did not fit: focus's estimate and the server's count differ
                    // too much to aim closer.
                    let Some((shorter, dropped)) = request.trimmed(request.estimated_tokens() / 2) else {
                        yield Err(LlmError::ContextTooLong { message, n_ctx });
                        break;
                    };
                    trimmed = true;
                    yield Ok(Chunk::Trimmed { dropped });
                    stream = model.stream(shorter);
                }
                Ok(chunk) => {
                    said_anything |= matches!(chunk, Chunk::Text(_) | Chunk::Reasoning(_));
                    yield Ok(chunk);
                }
                Err(e) => {
                    yield Err(e);
                    break;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests;
