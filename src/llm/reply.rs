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
    think: Think,
}

/// Splits a leading `<think>…</think>` block out of the answer: models such as DeepSeek-R1
/// or Qwen3, served without a reasoning parser, put their thinking there rather than in a
/// reasoning field. Tags split across pieces are recognised.
#[derive(Debug, Clone, Default)]
struct Think {
    state: ThinkState,
    /// Text held back until it is known which side of a tag it is on.
    pending: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum ThinkState {
    /// Nothing but whitespace yet: it may still open with `<think>`.
    #[default]
    Start,
    Inside,
    /// Just after `</think>`: the blank lines that separate it from the answer are dropped.
    AfterThink,
    Answer,
}

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

impl Think {
    /// `piece` as (thinking, answer).
    fn push(&mut self, piece: &str) -> (String, String) {
        match self.state {
            ThinkState::Answer => (String::new(), piece.to_owned()),
            ThinkState::AfterThink => {
                let answer = piece.trim_start_matches(['\n', '\r']);
                if !answer.is_empty() {
                    self.state = ThinkState::Answer;
                }
                (String::new(), answer.to_owned())
            }
            ThinkState::Start => {
                self.pending.push_str(piece);
                let lead = self
                    .pending
                    .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
                if let Some(rest) = lead.strip_prefix(OPEN) {
                    let rest = rest.to_owned();
                    self.pending.clear();
                    self.state = ThinkState::Inside;
                    self.push(&rest)
                } else if OPEN.starts_with(lead) {
                    (String::new(), String::new())
                } else {
                    self.state = ThinkState::Answer;
                    (String::new(), std::mem::take(&mut self.pending))
                }
            }
            ThinkState::Inside => {
                self.pending.push_str(piece);
                if let Some(at) = self.pending.find(CLOSE) {
                    let thinking = self.pending[..at].to_owned();
                    let rest = self.pending[at + CLOSE.len()..].to_owned();
                    self.pending.clear();
                    self.state = ThinkState::AfterThink;
                    let (_, answer) = self.push(&rest);
                    return (thinking, answer);
                }
                // Keep what could be the start of the closing tag.
                let keep = (1..CLOSE.len())
                    .rev()
                    .find(|&n| self.pending.ends_with(&CLOSE[..n]))
                    .unwrap_or(0);
                let cut = self.pending.len() - keep;
                let thinking = self.pending[..cut].to_owned();
                self.pending.drain(..cut);
                (thinking, String::new())
            }
        }
    }

    /// What is held back when the reply ends, as (thinking, answer).
    fn finish(&mut self) -> (String, String) {
        let pending = std::mem::take(&mut self.pending);
        match self.state {
            ThinkState::Inside => (pending, String::new()),
            _ => (String::new(), pending),
        }
    }
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
            think: Think::default(),
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
                let (thinking, answer) = self.think.push(&piece);
                let thinking = self.reasoning_sanitizer.push(&thinking);
                self.reasoning.push_str(&thinking);
                let safe = self.text_sanitizer.push(&answer);
                self.text.push_str(&safe);
                if safe.is_empty() && !thinking.is_empty() {
                    Step::Reasoning(thinking)
                } else {
                    Step::Text(safe)
                }
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
                self.flush_think();
                self.ending = Some(Ending::Finished { reason, skipped });
                Step::Ended
            }
            Err(error) => {
                self.flush_think();
                self.ending = Some(if self.said_anything() {
                    Ending::CutOff(error)
                } else {
                    Ending::Failed(error)
                });
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
            cached_tokens: None,
            estimated: true,
        })
    }

    /// Text held back by the `<think>` splitter goes where it belongs.
    fn flush_think(&mut self) {
        let (thinking, answer) = self.think.finish();
        let thinking = self.reasoning_sanitizer.push(&thinking);
        self.reasoning.push_str(&thinking);
        let answer = self.text_sanitizer.push(&answer);
        self.text.push_str(&answer);
    }

    fn said_anything(&self) -> bool {
        !self.text.is_empty() || !self.reasoning.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Message;

    fn reply_of(pieces: &[&str]) -> (Reply, Vec<Step>) {
        let mut reply = Reply::new(&Request::new(vec![Message::user("hi")]));
        let mut steps: Vec<Step> = pieces
            .iter()
            .map(|p| reply.absorb(Ok(Chunk::Text((*p).to_owned()))))
            .collect();
        steps.push(reply.absorb(Ok(Chunk::Finished {
            reason: FinishReason::Stop,
            skipped: 0,
        })));
        (reply, steps)
    }

    #[test]
    fn a_leading_think_block_is_reasoning_even_with_its_tags_split() {
        let (reply, steps) = reply_of(&[
            " <thi",
            "nk>I should",
            " plan.</th",
            "ink>\n\nHere",
            " is the answer.",
        ]);
        assert_eq!(reply.reasoning(), "I should plan.");
        assert_eq!(reply.text(), "Here is the answer.");
        let shown: String = steps
            .iter()
            .filter_map(|s| match s {
                Step::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(shown, "Here is the answer.");
    }

    #[test]
    fn blank_lines_after_the_block_are_dropped_even_in_their_own_chunks() {
        let (reply, _) = reply_of(&[
            "\u{feff}<think>plan",
            "</think>",
            "\n",
            "\n",
            "Answer.\n\nMore.",
        ]);
        assert_eq!(reply.reasoning(), "plan");
        assert_eq!(reply.text(), "Answer.\n\nMore.");
    }

    #[test]
    fn text_without_a_think_block_streams_at_once() {
        let (reply, steps) = reply_of(&["Hello", " <think>not a block</think>"]);
        assert_eq!(steps[0], Step::Text("Hello".into()));
        assert_eq!(reply.text(), "Hello <think>not a block</think>");
        assert_eq!(reply.reasoning(), "");
        let (reply, _) = reply_of(&["  <b>bold</b>"]);
        assert_eq!(reply.text(), "  <b>bold</b>");
    }

    #[test]
    fn a_think_block_never_closed_is_all_reasoning() {
        let (reply, _) = reply_of(&["<think>hmm", " still thinking</thi"]);
        assert_eq!(reply.text(), "");
        assert_eq!(reply.reasoning(), "hmm still thinking</thi");
    }

    #[test]
    fn a_reply_cut_off_keeps_what_was_held_back() {
        let mut reply = Reply::new(&Request::new(vec![Message::user("hi")]));
        reply.absorb(Ok(Chunk::Text("<th".into())));
        reply.absorb(Err(LlmError::EndedEarly));
        assert_eq!(reply.text(), "<th");
        assert!(reply.is_cut_off());
    }
}
