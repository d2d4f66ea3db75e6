//! What the coach sends with each message of a conversation, laid out so that a server's
//! prompt cache (llama.cpp, Ollama, vLLM, hosted APIs) can reuse everything but the newest
//! turn:
//!
//! ```text
//! system   the system prompt                                      ┐ fixed
//! system   the session's facts (task, goal, method, plan shape)   ┘
//! system   the summary of older turns          changes only when a summary is made
//! user/assistant ...   the turns since, each as it was sent       append-only
//! user     [where the session is now]\n\nthe new message          changing
//! ```
//!
//! Invariants:
//! - Between two requests with no summary made in between, the earlier request's messages
//!   are an exact prefix of the later one's: a turn is kept as it was sent (its line about
//!   where the session stood included), and nothing before the newest message depends on
//!   the clock.
//! - Summaries are rare and big: once the conversation passes the budget, the oldest turns
//!   are summarised down to about half of what the budget leaves for the conversation, in
//!   one request ([`Conversation::summary_due`], [`Conversation::fold`]); the summary then
//!   stays byte for byte until the next one. Without a model's summary (it failed), a
//!   digest made here ([`Conversation::digest`]) is folded in instead, just as stable.
//! - Tokens sent per turn stay within the budget however long the conversation runs (the new
//!   message itself is always sent, however long): should turns pass the budget with no
//!   summary made, the oldest are left out and a digest says what they were.
//! - A turn never silently disappears, and turns stay whole: a question is never sent
//!   without its answer or the reverse.

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

/// One exchange: the person's message (with the line on where the session stood when it
/// was sent) and the coach's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub person: String,
    pub coach: String,
    /// Where the session stood, sent with the message (`None` for turns taken up from a
    /// journal, and for messages that carry it in their own words).
    pub now: Option<String>,
}

impl Turn {
    fn tokens(&self) -> u32 {
        2 * FRAMING + estimate_tokens(&self.sent()) + estimate_tokens(&self.coach)
    }

    /// The person's message as it was sent.
    fn sent(&self) -> String {
        with_now(self.now.as_deref(), &self.person)
    }
}

/// The user message for `person`, with the line on where the session stands first.
pub fn with_now(now: Option<&str>, person: &str) -> String {
    match now {
        Some(now) if !now.is_empty() => format!("{now}\n\n{person}"),
        _ => person.to_owned(),
    }
}

/// A conversation with the coach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    turns: Vec<Turn>,
    /// The summary of `turns[..summarised]` (a model's, or a digest).
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

    /// Keeps an exchange as it was sent: the line on where the session stood (`now`), the
    /// person's message, the coach's reply.
    pub fn push(
        &mut self,
        now: Option<String>,
        person: impl Into<String>,
        coach: impl Into<String>,
    ) {
        self.turns.push(Turn {
            person: person.into(),
            coach: coach.into(),
            now,
        });
    }

    /// What goes into a request whose other parts (system prompt, session facts, the line on
    /// now, the new message) take `fixed` tokens, within `budget`: the summary and every turn
    /// after it, unless they would pass the budget (no summary was made in time), when the
    /// oldest give way to a digest.
    pub fn layout(&self, fixed: u32, budget: u32) -> Layout {
        let since: u32 = self.turns[self.summarised..].iter().map(Turn::tokens).sum();
        let summary = self
            .summary
            .as_deref()
            .map_or(0, |s| estimate_tokens(s) + HEADINGS + FRAMING);
        if fixed + summary + since <= budget {
            return Layout {
                recent_from: self.summarised,
                earlier: (self.summarised > 0).then(|| self.earlier(self.summarised, u32::MAX)),
            };
        }
        // Room for the recent turns once the fixed part and a summary are counted.
        let room = budget.saturating_sub(fixed + SUMMARY_TOKENS + HEADINGS + FRAMING);
        let (recent_from, used) = self.latest_within(room);
        let cap = budget.saturating_sub(fixed + used + FRAMING);
        let earlier = (recent_from > 0).then(|| self.earlier(recent_from, cap));
        Layout {
            recent_from,
            earlier,
        }
    }

    /// The request for the person's new message `person`, sent with `now` (where the session
    /// stands) before it.
    pub fn request(
        &self,
        system: Message,
        facts: Option<String>,
        now: Option<&str>,
        person: &str,
        budget: u32,
    ) -> Request {
        let sent = with_now(now, person);
        let fixed = FRAMING * 3
            + estimate_tokens(&system.content)
            + facts.as_deref().map_or(0, estimate_tokens)
            + estimate_tokens(&sent);
        let plan = self.layout(fixed, budget);
        let mut messages = vec![system];
        messages.extend(facts.map(Message::system));
        if let Some(earlier) = plan.earlier {
            messages.push(Message::system(earlier));
        }
        for turn in &self.turns[plan.recent_from..] {
            messages.push(Message::user(turn.sent()));
            messages.push(Message::assistant(turn.coach.clone()));
        }
        messages.push(Message::user(sent));
        Request::new(messages)
    }

    /// Whether the conversation, sent with other parts taking `fixed` tokens, passes
    /// `budget`; if so, the index up to which to summarise so that the turns left take about
    /// half of the room the budget leaves them. Summarise `turns[summarised..upto]` with the
    /// current summary ([`to_summarise`]), then [`fold`].
    ///
    /// [`to_summarise`]: Conversation::to_summarise
    /// [`fold`]: Conversation::fold
    pub fn summary_due(&self, fixed: u32, budget: u32) -> Option<usize> {
        let since: u32 = self.turns[self.summarised..].iter().map(Turn::tokens).sum();
        let room = budget.saturating_sub(fixed + SUMMARY_TOKENS + HEADINGS + FRAMING);
        if since <= room {
            return None;
        }
        let (upto, _) = self.latest_within(room / 2);
        (upto > self.summarised).then_some(upto)
    }

    /// The latest turns after the summary that fit in `room` tokens: the index of the first,
    /// and the tokens they take.
    fn latest_within(&self, room: u32) -> (usize, u32) {
        let mut used = 0;
        let mut from = self.turns.len();
        for (i, turn) in self.turns.iter().enumerate().skip(self.summarised).rev() {
            if used + turn.tokens() > room {
                break;
            }
            used += turn.tokens();
            from = i;
        }
        (from, used)
    }

    /// The summary so far and the turns from it up to `upto`, for a model to summarise.
    pub fn to_summarise(&self, upto: usize) -> Option<(Option<&str>, &[Turn])> {
        let upto = upto.min(self.turns.len());
        (upto > self.summarised)
            .then(|| (self.summary.as_deref(), &self.turns[self.summarised..upto]))
    }

    /// Takes the summary (a model's, or [`digest`]) of every turn before `upto`.
    ///
    /// [`digest`]: Conversation::digest
    pub fn fold(&mut self, summary: &str, upto: usize) {
        let summary = text::truncate(&text::sanitize(summary), (SUMMARY_TOKENS * 4) as usize);
        self.summary = Some(summary);
        self.summarised = upto.min(self.turns.len());
    }

    /// A summary made here of every turn before `upto`, when no model made one: the summary
    /// so far, then the latest of those turns in brief, within the summary's size.
    pub fn digest(&self, upto: usize) -> String {
        let upto = upto.min(self.turns.len());
        let mut out = self.summary.clone().unwrap_or_default();
        let budget = SUMMARY_TOKENS.saturating_sub(estimate_tokens(&out) + HEADINGS);
        let (lines, left_out) = in_brief(&self.turns[self.summarised..upto], budget);
        if left_out > 0 {
            let _ = write!(out, "\n- ({left_out} exchanges not kept)");
        }
        for line in lines {
            let _ = write!(out, "\n{line}");
        }
        out.trim_start().to_owned()
    }

    /// What stands for the turns before `recent_from`: the summary of those it covers, then a
    /// digest of the rest (the latest first to be kept), within `cap` tokens (and
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
        let (lines, left_out) = in_brief(rest, budget);
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

/// The latest of `turns` on a line each ([`brief`]), oldest first, as many as fit `budget`
/// tokens, and how many were left out.
fn in_brief(turns: &[Turn], mut budget: u32) -> (Vec<String>, usize) {
    let mut lines = Vec::new();
    for turn in turns.iter().rev() {
        let line = brief(turn);
        // The line and the newline before it.
        let cost = estimate_tokens(&line) + 1;
        if cost > budget {
            break;
        }
        budget -= cost;
        lines.push(line);
    }
    let left_out = turns.len() - lines.len();
    lines.reverse();
    (lines, left_out)
}

/// A turn on one line, for a digest.
fn brief(turn: &Turn) -> String {
    format!(
        "- they said: {} / you said: {}",
        text::truncate(&turn.person, 120),
        text::truncate(&turn.coach, 120)
    )
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
                None,
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
        let request = c.request(
            system(),
            Some("Session: block 1".into()),
            None,
            "next?",
            4000,
        );
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
            let request = c.request(system(), Some("Session block".into()), None, "hi", budget);
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

    #[test]
    fn each_request_begins_with_the_one_before_until_a_summary() {
        let mut c = Conversation::default();
        let facts = || Some("Task: the report".to_owned());
        let mut previous: Option<Request> = None;
        let mut summaries = 0;
        for i in 0..40 {
            let now = format!("[09:{i:02} · work block, {} min left]", 25 - i % 25);
            let fixed = 200;
            if let Some(upto) = c.summary_due(fixed, 3000) {
                let text = c.digest(upto);
                c.fold(&text, upto);
                summaries += 1;
                previous = None;
            }
            let message = format!("question {i} {}", "word ".repeat(30));
            let request = c.request(system(), facts(), Some(&now), &message, 3000);
            assert!(request.estimated_tokens() <= 3000);
            if let Some(before) = previous {
                assert_eq!(
                    request.messages[..before.messages.len()],
                    before.messages[..],
                    "turn {i}"
                );
            }
            let last = request.messages.last().unwrap().content.clone();
            assert!(last.starts_with(&now) && last.ends_with(&message));
            c.push(
                Some(now),
                message,
                format!("answer {i} {}", "word ".repeat(60)),
            );
            previous = Some(request);
        }
        // Summaries came in big steps, each leaving about half the room.
        assert!((2..=5).contains(&summaries), "{summaries} summaries");
    }

    #[test]
    fn a_summary_is_due_only_past_the_budget_and_leaves_half_the_room() {
        let c = talk(10, 40);
        assert_eq!(c.summary_due(100, 6000), None);
        let c = talk(60, 40);
        let upto = c.summary_due(100, 6000).expect("over the budget");
        let room = 6000 - (100 + SUMMARY_TOKENS + HEADINGS + FRAMING);
        let kept: u32 = c.turns()[upto..].iter().map(Turn::tokens).sum();
        assert!(kept <= room / 2 && kept + c.turns()[upto - 1].tokens() > room / 2);
        // The digest that stands in for a model's summary names what it leaves out.
        let digest = c.digest(upto);
        assert!(estimate_tokens(&digest) <= SUMMARY_TOKENS);
        assert!(
            digest.contains(&format!("question {}", upto - 1)),
            "{digest}"
        );
        assert!(digest.contains("exchanges not kept"), "{digest}");
    }
}
