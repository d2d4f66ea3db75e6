//! Tokens a model turn took. The LLM client counts them and the log keeps them with the
//! session, so the type lives here, apart from both: the store does not depend on the client.

use serde::{Deserialize, Serialize};

/// Tokens a turn took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// Prompt tokens the server reused from its cache, when it said
    /// (`usage.prompt_tokens_details.cached_tokens`, or llama.cpp's `timings.cache_n`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_tokens: Option<u32>,
    /// Counted by focus, because the server sent no usage.
    pub estimated: bool,
}

impl Usage {
    /// Adds the tokens of another turn (an estimate taints the sum; cached tokens are summed
    /// where either side counted them).
    pub fn add(&mut self, other: Usage) {
        self.prompt_tokens = self.prompt_tokens.saturating_add(other.prompt_tokens);
        self.completion_tokens = self
            .completion_tokens
            .saturating_add(other.completion_tokens);
        self.cached_tokens = match (self.cached_tokens, other.cached_tokens) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        self.estimated |= other.estimated;
    }
}
