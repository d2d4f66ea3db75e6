//! A reply gathered from its stream: what to show as each piece arrives, and what the turn
//! came to in the end.

use super::{Chunk, FinishReason, LlmError, Request, Retry, Usage, estimate_tokens};
use crate::text::Sanitizer;

/// A reply as it arrives. Text is sanitized piece by piece (an escape sequence split across
/// pieces is still removed), so everything it holds and hands out is safe to print.
#[derive(Debug, Clone)]
pub struct Reply {
    text: String,
    reasoning: String,
    usage: Option<Usage>,
    ending: Option<Ending>,
    prompt_estimate: u32,
    text_sanitizer: Sanitizer,
    reasoning_sanitizer: Sanitizer,
}

/// How a reply ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The model finished (`skipped` chunks could not be read).
    Finished { reason: FinishReason, skipped: u32 },
    /// The turn failed before the model said anything.
    Failed(LlmError),
    /// The stream broke after some text; the text so far is kept.
    CutOff(LlmError),
    /// The person stopped it.
    Cancelled,
}

/// What one item of the stream means for the person watching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Print this part of the answer (sanitized; may be empty once escapes are removed).
    Text(String),
    /// Part of the model's thinking (sanitized), for whoever wants to show it.
    Reasoning(String),
    /// The request is sent again after a delay.
    Retrying(Retry),
    /// Older messages were dropped to fit the model's context.
    Trimmed { dropped: usize },
    /// Nothing to show (usage arrived).
    Quiet,
    /// The reply has ended; see [`Reply::ending`].
    Ended,
}

impl Reply {
    /// An empty reply to `request` (whose size is the usage estimate when the server sends
    /// none).
    pub fn new(request: &Request) -> Reply {
        Reply {
            text: String::new(),
            reasoning: String::new(),
            usage: None,
            ending: None,
            prompt_estimate: request.estimated_tokens(),
            text_sanitizer: Sanitizer::new(),
            reasoning_sanitizer: Sanitizer::new(),
        }
    }

    /// Takes in the next item of the stream. After [`Step::Ended`] the reply is complete;
    /// anything more is ignored.
    pub fn absorb(&mut self, item: Result<Chunk, LlmError>) -> Step {
        if self.ending.is_some() {
            return Step::Quiet;
        }
        match item {
            Ok(Chunk::Text(piece)) => {
                let safe = self.text_sanitizer.push(&piece);
                self.text.push_str(&safe);
                Step::Text(safe)
            }
            Ok(Chunk::Reasoning(piece)) => {
                let safe = self.reasoning_sanitizer.push(&piece);
                self.reasoning.push_str(&safe);
                Step::Reasoning(safe)
            }
            Ok(Chunk::Retrying(retry)) => Step::Retrying(retry),
            Ok(Chunk::Trimmed { dropped }) => Step::Trimmed { dropped },
            Ok(Chunk::Usage(usage)) => {
                self.usage = Some(usage);
                Step::Quiet
            }
            Ok(Chunk::Finished { reason, skipped }) => {
                self.ending = Some(Ending::Finished { reason, skipped });
                Step::Ended
            }
            Err(error) if self.said_anything() => {
                self.ending = Some(Ending::CutOff(error));
                Step::Ended
            }
            Err(error) => {
                self.ending = Some(Ending::Failed(error));
                Step::Ended
            }
        }
    }

    /// The stream ended without a last word (it should not: the models always end with
    /// `Finished` or an error); counts as cut off.
    pub fn end_of_stream(&mut self) {
        if self.ending.is_none() {
            self.absorb(Err(LlmError::EndedEarly));
        }
    }

    /// The person stopped the reply; what arrived is kept.
    pub fn cancel(&mut self) {
        if self.ending.is_none() {
            self.ending = Some(Ending::Cancelled);
        }
    }

    /// The answer so far (sanitized).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The model's thinking so far (sanitized), kept apart from the answer.
    pub fn reasoning(&self) -> &str {
        &self.reasoning
    }

    /// How it ended; `None` while it is still arriving.
    pub fn ending(&self) -> Option<&Ending> {
        self.ending.as_ref()
    }

    /// Whether the answer stopped before the model finished it.
    pub fn is_cut_off(&self) -> bool {
        matches!(self.ending, Some(Ending::CutOff(_) | Ending::Cancelled))
    }

    /// The tokens the turn took: the server's count, or an estimate when it sent none.
    pub fn usage(&self) -> Usage {
        self.usage.unwrap_or_else(|| Usage {
            prompt_tokens: self.prompt_estimate,
            completion_tokens: estimate_tokens(&self.text) + estimate_tokens(&self.reasoning),
            estimated: true,
        })
    }

    fn said_anything(&self) -> bool {
        !self.text.is_empty() || !self.reasoning.is_empty()
    }
}
