//! Turns session moments into words. The machine decides *what* to say (a typed
//! [`Message`](crate::session::machine::Message)); the coach decides *how*.
//!
//! [`offline`] is the deterministic wording used with no model; it is also what every
//! check-in shows first, so a check-in never waits on a network. With a model, the coach
//! sends [`SYSTEM_PROMPT`] and a description of the session ([`session_context`]) with the
//! person's words.

pub mod offline;
pub mod reflection;

use crate::config::{Env, LlmSettings};
use crate::llm::{self, LlmError, Message, Request};
use crate::session::machine::Status;

/// The partner's role, tone and the workflow's rules, sent first in every conversation.
pub const SYSTEM_PROMPT: &str = include_str!("../../prompts/system.md");

/// Why the coach is working without a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offline {
    /// The person asked for it: `--offline`, or `llm.offline = true`.
    Chosen { by: &'static str },
    /// No key, a failing key command, or no server.
    Unavailable(LlmError),
}

impl Offline {
    /// Why, in a few words: "you chose --offline", "there is no API key for …".
    pub fn why(&self) -> String {
        match self {
            Offline::Chosen { by } => format!("you chose {by}"),
            Offline::Unavailable(LlmError::NoKey { url, .. }) => {
                format!("there is no API key for {url}")
            }
            Offline::Unavailable(LlmError::KeyCommand { .. }) => {
                "llm.api_key_cmd did not give a key".to_owned()
            }
            Offline::Unavailable(LlmError::Unreachable { url, .. }) => {
                format!("the model server at {url} cannot be reached")
            }
            Offline::Unavailable(other) => other.to_string(),
        }
    }

    /// The one line that says the coach is offline; shown once, not on every message.
    pub fn line(&self) -> String {
        format!(
            "The coach is offline ({}): plans, check-ins and the reflection come from focus itself.",
            self.why()
        )
    }
}

/// Whether the coach will be offline, as far as can be told without running `api_key_cmd` or
/// touching the network: offline chosen, or no key for a server that needs one.
pub fn offline_before_asking(settings: &LlmSettings, env: &Env, flag: bool) -> Option<Offline> {
    if flag {
        return Some(Offline::Chosen { by: "--offline" });
    }
    if settings.offline {
        return Some(Offline::Chosen {
            by: "llm.offline = true",
        });
    }
    let no_key = env.get(&settings.api_key_env).is_none() && settings.api_key_cmd.is_none();
    (no_key && llm::needs_key(&settings.base_url))
        .then(|| Offline::Unavailable(LlmError::no_key(settings)))
}

/// What the model is told for `focus review`, before the figures.
pub const REVIEW_PROMPT: &str = include_str!("../../prompts/review.md");

/// The weekly review turn: the figures computed by focus, the comparison with last week, and
/// the rule-based suggestions (for the model to pick from or improve on).
pub fn review_request(figures: &str, comparison: &str, suggestions: &[String]) -> Request {
    let ideas = suggestions
        .iter()
        .map(|s| format!("- {s}"))
        .collect::<Vec<_>>()
        .join("\n");
    Request::new(vec![
        Message::system(SYSTEM_PROMPT),
        Message::system(REVIEW_PROMPT),
        Message::user(format!(
            "My figures for the last 7 days:\n\n{figures}\n{comparison}\n\nIdeas focus's own rules came up with:\n{ideas}\n\nPlease review my week."
        )),
    ])
}

/// The session described for a model: where it is, the figures so far and what was captured.
pub fn session_context(status: &Status) -> String {
    format!(
        "The person is in a focus session right now. Where it stands:\n{}",
        offline::status(status)
    )
}
