//! What the coach sends with each message of a conversation: the system prompt, a compact
//! block describing the session, a summary of older turns, as many recent turns as fit a
//! token budget, and the new message.
//!
//! Invariants:
//! - Tokens sent per turn stay within the budget however long the conversation runs (the new
//!   message itself is always sent, however long).
//! - A turn never silently disappears: a turn that no longer fits is covered by the summary,
//!   which a model writes when asked ([`Conversation::to_summarise`], [`Conversation::fold`]);
//!   until then, or without a model, a short digest made here stands in for it and says how
//!   many turns it leaves out.
//! - Turns stay whole: a question is never sent without its answer or the reverse.

use std::fmt::Write as _;

use crate::llm::{Message, Request, estimate_tokens};
use crate::text;

/// The most the summary of older turns may take, in estimated tokens.
const SUMMARY_TOKENS: u32 = 400;

/// Estimated tokens a message costs beyond its text (role and framing).
const FRAMING: u32 = 4;

/// What the words around the summary and the digest may take ("Earlier in this
/// conversation …", "N older exchanges not shown").
const HEADINGS: u32 = 40;

/// One exchange: the person's message and the coach's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub person: String,
    pub coach: String,
}

impl Turn {
    fn tokens(&self) -> u32 {
        2 * FRAMING + estimate_tokens(&self.person) + estimate_tokens(&self.coach)
    }
}

/// A conversation with the coach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    turns: Vec<Turn>,
    /// The model's summary of `turns[..summarised]`.
    summary: Option<String>,
    summarised: usize,
}

/// The pieces of a request before they become messages, for `/context`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Turns sent in full, from this index on.
    pub recent_from: usize,
    /// What stands for the turns before `recent_from` (`None`: there are none).
    pub earlier: Option<String>,
}

impl Conversation {
    pub fn turns(&self) -> &[Turn] {
        &self.turns
    }

    pub fn push(&mut self, person: impl Into<String>, coach: impl Into<String>) {
        self.turns.push(Turn {
            person: person.into(),
            coach: coach.into(),
        });
    }

    /// What goes into a request whose fixed part (system prompt, session block, new message)
    /// takes `fixed` tokens, within `budget`.
    pub fn layout(&self, fixed: u32, budget: u32) -> Layout {
        // Room for the recent turns once the fixed part and a summary are counted.
        let room = budget.saturating_sub(fixed + SUMMARY_TOKENS + HEADINGS + FRAMING);
        let mut used = 0;
        let mut recent_from = self.turns.len();
        // Turns the summary covers are not sent again in full.
        for (i, turn) in self.turns.iter().enumerate().skip(self.summarised).rev() {
            if used + turn.tokens() > room {
                break;
            }
            used += turn.tokens();
            recent_from = i;
        }
        let cap = budget.saturating_sub(fixed + used + FRAMING);
        let earlier = (recent_from > 0).then(|| self.earlier(recent_from, cap));
        Layout {
            recent_from,
            earlier,
        }
    }

    /// The request for the person's new message `person`.
    pub fn request(
        &self,
        system: Message,
        session: Option<String>,
        person: &str,
        budget: u32,
    ) -> Request {
        let fixed = FRAMING * 3
            + estimate_tokens(&system.content)
            + session.as_deref().map_or(0, estimate_tokens)
            + estimate_tokens(person);
        let plan = self.layout(fixed, budget);
        let mut messages = vec![system];
        messages.extend(session.map(Message::system));
        if let Some(earlier) = plan.earlier {
            messages.push(Message::system(earlier));
        }
        for turn in &self.turns[plan.recent_from..] {
            messages.push(Message::user(turn.person.clone()));
            messages.push(Message::assistant(turn.coach.clone()));
        }
        messages.push(Message::user(person));
        Request::new(messages)
    }

    /// The turns a model should summarise now: those before `recent_from` that the summary
    /// does not cover yet. Summarise them with the current summary (if any), then [`fold`].
    ///
    /// [`fold`]: Conversation::fold
    pub fn to_summarise(&self, recent_from: usize) -> Option<(Option<&str>, &[Turn])> {
        (recent_from > self.summarised).then(|| {
            (
                self.summary.as_deref(),
                &self.turns[self.summarised..recent_from],
            )
        })
    }

    /// Takes the model's summary of every turn before `upto`.
    pub fn fold(&mut self, summary: &str, upto: usize) {
        let summary = text::truncate(&text::sanitize(summary), (SUMMARY_TOKENS * 4) as usize);
        self.summary = Some(summary);
        self.summarised = upto.min(self.turns.len());
    }

    /// What stands for the turns before `recent_from`: the model's summary of those it covers,
    /// then a digest of the rest (the latest first to be kept), within `cap` tokens (and
    /// [`SUMMARY_TOKENS`]). When the fixed part leaves no room at all, only the first line
    /// is left, which still says that earlier exchanges exist.
    fn earlier(&self, recent_from: usize, cap: u32) -> String {
        let covered = self.summarised.min(recent_from);
        let mut out = String::from("Earlier in this conversation");
        let mut budget = SUMMARY_TOKENS.min(cap).saturating_sub(HEADINGS);
        if let Some(summary) = self.summary.as_deref().filter(|_| covered > 0) {
            let _ = write!(out, " (summary of {covered} exchanges): {summary}");
            budget = budget.saturating_sub(estimate_tokens(summary));
        }
        let rest = &self.turns[covered..recent_from];
        if rest.is_empty() {
            return out;
        }
        let mut lines = Vec::new();
        for turn in rest.iter().rev() {
            let line = format!(
                "- they said: {} / you said: {}",
                text::truncate(&turn.person, 120),
                text::truncate(&turn.coach, 120)
            );
            // The line and the newline before it.
            let cost = estimate_tokens(&line) + 1;
            if cost > budget {
                break;
            }
            budget -= cost;
            lines.push(line);
        }
        let left_out = rest.len() - lines.len();
        lines.reverse();
        let _ = write!(out, "\nThe exchanges after that, in brief:");
        if left_out > 0 {
            let _ = write!(out, "\n- ({left_out} older exchanges not shown)");
        }
        for line in lines {
            let _ = write!(out, "\n{line}");
        }
        fit(&out, cap)
    }
}

/// `text` cut so that its estimate is at most `cap` tokens (its first line is always kept).
fn fit(text: &str, cap: u32) -> String {
    if estimate_tokens(text) <= cap {
        return text.to_owned();
    }
    let first = text.lines().next().unwrap_or_default();
    let chars = (cap as usize * 4)
        .saturating_sub(1)
        .max(first.chars().count());
    text::truncate(text, chars)
}

/// The request that asks a model to summarise `turns` (and the summary so far).
pub fn summary_request(system: Message, previous: Option<&str>, turns: &[Turn]) -> Request {
    let mut text = String::from(
        "Summarise this part of our conversation in a few sentences, for your own memory: what the person is working on, what they asked, what you suggested, and anything they decided. Plain text only.\n",
    );
    if let Some(previous) = previous {
        let _ = write!(text, "\nYour summary of what came before:\n{previous}\n");
    }
    for turn in turns {
        let _ = write!(
            text,
            "\nThey said: {}\nYou said: {}\n",
            turn.person, turn.coach
        );
    }
    Request::new(vec![system, Message::user(text)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Role;

    fn talk(n: usize, words: usize) -> Conversation {
        let mut c = Conversation::default();
        for i in 0..n {
            c.push(
                format!("question {i} {}", "word ".repeat(words)),
                format!("answer {i} {}", "word ".repeat(words)),
            );
        }
        c
    }

    fn system() -> Message {
        Message::system("You are the coach.")
    }

    #[test]
    fn a_short_conversation_is_sent_whole() {
        let c = talk(3, 5);
        let request = c.request(system(), Some("Session: block 1".into()), "next?", 4000);
        let roles: Vec<Role> = request.messages.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                Role::System,
                Role::System,
                Role::User,
                Role::Assistant,
                Role::User,
                Role::Assistant,
                Role::User,
                Role::Assistant,
                Role::User
            ]
        );
        assert_eq!(request.messages.last().unwrap().content, "next?");
    }

    #[test]
    fn tokens_sent_stay_bounded_however_long_the_conversation_runs() {
        for (n, budget) in [
            (10, 2000),
            (100, 2000),
            (1000, 2000),
            (1000, 800),
            (1000, 530),
        ] {
            let c = talk(n, 40);
            let request = c.request(system(), Some("Session block".into()), "hi", budget);
            assert!(
                request.estimated_tokens() <= budget,
                "{n} turns: {} tokens",
                request.estimated_tokens()
            );
            let last = &request.messages[request.messages.len() - 2];
            if budget >= 800 {
                // With room for it, the latest turn is there in full.
                assert!(last.content.starts_with(&format!("answer {}", n - 1)));
            } else {
                // With none, the earlier turns are still said to exist.
                assert!(
                    last.content.starts_with("Earlier in this conversation"),
                    "{last:?}"
                );
            }
        }
    }

    #[test]
    fn older_turns_are_summarised_or_digested_never_dropped_silently() {
        let mut c = talk(60, 40);
        let plan = c.layout(50, 2000);
        assert!(plan.recent_from > 0);
        let earlier = plan.earlier.clone().unwrap();
        assert!(earlier.contains("older exchanges not shown"), "{earlier}");
        assert!(earlier.contains(&format!("question {}", plan.recent_from - 1)));

        // A model summarises what does not fit; the summary then stands for those turns.
        let (previous, turns) = c.to_summarise(plan.recent_from).unwrap();
        assert_eq!(previous, None);
        assert_eq!(turns.len(), plan.recent_from);
        c.fold(
            "They are drafting tips; Slack keeps pulling.",
            plan.recent_from,
        );
        let plan = c.layout(50, 2000);
        let earlier = plan.earlier.unwrap();
        assert!(
            earlier.starts_with(&format!(
                "Earlier in this conversation (summary of {} exchanges): They are drafting tips",
                c.summarised
            )),
            "{earlier}"
        );
        assert!(!earlier.contains("not shown"), "{earlier}");
        assert_eq!(c.to_summarise(c.summarised), None);
        // What the summary covers is not sent again in full.
        assert!(plan.recent_from >= c.summarised);
    }

    #[test]
    fn a_summary_from_a_model_is_sanitized_and_capped() {
        let mut c = talk(5, 1);
        c.fold(&format!("\u{1b}[31m{}", "x".repeat(10_000)), 99);
        assert_eq!(c.summarised, 5);
        let summary = c.summary.unwrap();
        assert!(!summary.contains('\u{1b}'));
        assert!(summary.chars().count() <= (SUMMARY_TOKENS * 4) as usize + 1);
    }

    #[test]
    fn the_summary_request_carries_the_turns_and_the_summary_so_far() {
        let c = talk(2, 1);
        let request = summary_request(system(), Some("Before: planning."), c.turns());
        let text = &request.messages[1].content;
        assert!(text.contains("Before: planning."));
        assert!(text.contains("They said: question 1"));
    }
}
