//! The coach's side of a conversation, without any I/O: the model it speaks through (its name
//! and server, for `/model`), whether it may ask that model now ([`Coach::availability`], the
//! one place that decides), the conversation it remembers, the tokens it has spent, and the
//! requests it makes: a reply to the person, a summary of older turns, a line after a
//! check-in, a reply in the reflection, a plan, a workflow prompt, the week's review. The
//! REPL's machine turns each request into a job, and the driver runs it.
//!
//! A model that cannot be reached costs one line, once: the coach then stays quiet for
//! `llm.retry_after_down_secs` (everything it would have said comes from focus's own words),
//! and the next message after that tries again.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, TimeDelta};
use minijinja::context;
use serde::Serialize;

use super::context::{Conversation, summary_request, with_now};
use super::prompts::{PromptError, Prompts};
use super::{Offline, offline, planning, reflection};
use crate::llm::{self, LlmError, Message, Request, Role, Usage};
use crate::session::Plan;
use crate::session::machine::{Message as Said, Next, Session, Status};
use crate::store::log::Entry;

/// What the coach may spend: tokens a request and a reply may take, and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most a conversation request may take, in estimated tokens (`llm.context_tokens`).
    pub context_tokens: u32,
    /// The most a chat reply may take, in tokens (`llm.max_reply_tokens`); a template's own
    /// `max_tokens` stands for its requests.
    pub max_reply_tokens: u32,
    /// The longest a chat reply may stream (`llm.reply_timeout_secs`).
    pub reply_timeout: std::time::Duration,
    /// After a failure to reach the server, quiet this long (`llm.retry_after_down_secs`).
    pub quiet_secs: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::from(&crate::config::LlmSettings::default())
    }
}

impl From<&crate::config::LlmSettings> for Limits {
    fn from(settings: &crate::config::LlmSettings) -> Self {
        Limits {
            context_tokens: settings.context_tokens,
            max_reply_tokens: settings.max_reply_tokens,
            reply_timeout: std::time::Duration::from_secs(settings.reply_timeout_secs.into()),
            quiet_secs: settings.retry_after_down_secs,
        }
    }
}

/// Room kept for the person's next message when deciding whether a summary is due.
const NEXT_MESSAGE: u32 = 200;

/// The most a summary of older turns may take (it is cut to about 400 tokens when kept).
const SUMMARY_REPLY_TOKENS: u32 = 500;

/// Words that open a request to the coach rather than an answer: "give me a pep talk", "how
/// do I start?". Matched as whole words at the start of the line, ignoring case.
const REQUESTS: &[&str] = &[
    "give me",
    "help",
    "can you",
    "could you",
    "would you",
    "will you",
    "tell me",
    "explain",
    "how",
    "what",
    "why",
    "should i",
    "any tips",
    "any advice",
    "please",
];

/// Whether `text` reads as words for the coach (a question, a request) rather than an answer
/// to what focus asked: it ends with `?`, or it opens with a request ("give me", "help",
/// "can you", "how", "what", "why", …).
pub fn reads_as_message(text: &str) -> bool {
    let text = text.trim();
    if text.ends_with('?') {
        return true;
    }
    let lower = text.to_lowercase();
    REQUESTS.iter().any(|request| {
        lower
            .strip_prefix(request)
            .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()))
    })
}

/// What a failed turn means for the coach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The model cannot be used for now, and this line says so (said once).
    Down(String),
    /// The model cannot be used for now, and that was said already: nothing more to say.
    Known,
    /// The turn's own failure (an unknown model, a refused request), for its caller to say.
    Turn,
}

/// Whether the coach may ask its model now, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Ready,
    Off(Offline),
}

/// The coach: its model, its memory of the conversation, and whether it may speak now.
#[derive(Debug, Clone)]
pub struct Coach {
    pub prompts: Prompts,
    conversation: Conversation,
    /// Tokens spent in the session under way (its reflection replies go into its record).
    pub spent: Usage,
    /// Tokens spent in this run.
    pub spent_in_run: Usage,
    /// What the last turn with the model took, cached tokens among them when the server said.
    last_usage: Option<Usage>,
    pub limits: Limits,
    model: String,
    server: String,
    /// No model for this whole run: chosen (`--offline`) or impossible (no key).
    run_offline: Option<Offline>,
    /// Switched off with `/offline` for this run.
    switched_off: bool,
    /// The server failed to answer: quiet until this instant. `said`: the line was shown.
    down: Option<Down>,
    quiet_for: TimeDelta,
    /// The coach replies to reflection answers (off once that template failed).
    pub reflection_replies: bool,
}

#[derive(Debug, Clone)]
struct Down {
    until: DateTime<FixedOffset>,
    error: LlmError,
}

impl Coach {
    /// A coach for `model` at `server`; `run_offline`: it has no model for this run.
    pub fn new(
        prompts: Prompts,
        model: &str,
        server: &str,
        limits: Limits,
        run_offline: Option<Offline>,
    ) -> Coach {
        Coach {
            prompts,
            conversation: Conversation::default(),
            spent: Usage::default(),
            spent_in_run: Usage::default(),
            last_usage: None,
            limits,
            model: model.to_owned(),
            server: server.to_owned(),
            run_offline,
            switched_off: false,
            down: None,
            quiet_for: TimeDelta::seconds(i64::from(limits.quiet_secs)),
            reflection_replies: true,
        }
    }

    /// Whether the coach may ask its model at `now`: the one place this is decided.
    pub fn availability(&self, now: DateTime<FixedOffset>) -> Availability {
        if let Some(why) = &self.run_offline {
            return Availability::Off(why.clone());
        }
        if self.switched_off {
            return Availability::Off(Offline::Chosen { by: "/offline" });
        }
        match &self.down {
            Some(down) if now < down.until => Availability::Off(Offline::Down {
                error: down.error.clone(),
                until: down.until,
            }),
            _ => Availability::Ready,
        }
    }

    /// Whether the coach may ask its model at `now`.
    pub fn is_ready(&self, now: DateTime<FixedOffset>) -> bool {
        self.availability(now) == Availability::Ready
    }

    /// Whether this run has a model at all (`/model` and `/offline off` can act on it).
    pub fn has_model(&self) -> bool {
        self.run_offline.is_none()
    }

    /// A turn failed with `error` at `now`. When the error means the model cannot be used
    /// (the server is down, the key cannot be had), the coach goes quiet, and says so once.
    /// Any other error is the turn's own.
    pub fn failed(&mut self, error: &LlmError, now: DateTime<FixedOffset>) -> Failure {
        match error {
            LlmError::NoKey { .. } | LlmError::KeyCommand { .. } => {
                if self.run_offline.is_some() {
                    return Failure::Known;
                }
                let why = Offline::Unavailable(error.clone());
                let line = why.line();
                self.run_offline = Some(why);
                Failure::Down(line)
            }
            LlmError::Unreachable { .. } | LlmError::NoFirstToken { .. } => {
                let already = self.down.as_ref().is_some_and(|d| now < d.until);
                let until = now + self.quiet_for;
                self.down = Some(Down {
                    until,
                    error: error.clone(),
                });
                if already {
                    return Failure::Known;
                }
                Failure::Down(format!(
                    "focus: {error}. The coach answers from focus's own words until {}, then tries the model again (/offline stops asking it).",
                    until.format("%H:%M")
                ))
            }
            _ => Failure::Turn,
        }
    }

    /// A turn reached the model: it is up again.
    pub fn answered(&mut self) {
        self.down = None;
    }

    /// `/offline [on|off]`: stop or go back to asking the model (at once, even while it is
    /// quiet after a failure). Returns the line to show.
    pub fn switch(&mut self, off: Option<bool>) -> String {
        if let Some(why) = &self.run_offline {
            return if off == Some(true) {
                format!("The coach is offline already ({}).", why.why())
            } else {
                format!(
                    "focus: the coach cannot use a model: {}. `focus config` shows the model settings",
                    why.why()
                )
            };
        }
        self.switched_off = off.unwrap_or(!self.switched_off);
        self.down = None;
        if self.switched_off {
            "The coach is offline for this run: check-ins, plans and the reflection come from focus itself. /offline again goes back to the model.".to_owned()
        } else {
            format!(
                "The coach uses {} again from your next message.",
                self.model
            )
        }
    }

    /// `/model name`: another model from the next request on (and tried at once, even while
    /// quiet after a failure). `None`: there is no model to switch.
    pub fn switch_model(&mut self, name: &str) -> Option<String> {
        if let Some(why) = &self.run_offline {
            return Some(format!(
                "focus: the coach is offline ({}); there is no model to show or switch",
                why.why()
            ));
        }
        name.clone_into(&mut self.model);
        self.down = None;
        None
    }

    /// What `/model` says: the model, its state and the tokens spent in this run.
    pub fn describe(&self, now: DateTime<FixedOffset>) -> String {
        if let Some(why) = &self.run_offline {
            return format!(
                "focus: the coach is offline ({}); there is no model to show or switch",
                why.why()
            );
        }
        let state = match self.availability(now) {
            Availability::Ready => "in use".to_owned(),
            Availability::Off(Offline::Chosen { .. }) => {
                "off for this run; /offline off turns it back on".to_owned()
            }
            Availability::Off(why) => why.why(),
        };
        format!(
            "Model {} at {} ({state}). Tokens this run: {} sent, {} received{}.",
            self.model,
            self.server,
            self.spent_in_run.prompt_tokens,
            self.spent_in_run.completion_tokens,
            if self.spent_in_run.estimated {
                " (estimated)"
            } else {
                ""
            }
        )
    }

    /// Adds the tokens of a turn.
    pub fn spend(&mut self, usage: Usage) {
        self.spent.add(usage);
        self.spent_in_run.add(usage);
        self.last_usage = Some(usage);
    }

    /// Takes up the turns of a resumed session.
    pub fn remember(&mut self, turns: impl IntoIterator<Item = (String, String)>) {
        for (person, coach) in turns {
            self.conversation.push(None, person, coach);
        }
    }

    /// Keeps a finished exchange as it was sent: the line on where the session stood
    /// (`now`), the person's message, the reply.
    pub fn push(&mut self, now: Option<String>, person: &str, coach: String) {
        self.conversation.push(now, person, coach);
    }

    /// The system message and the parameters its front matter sets.
    fn system(&self) -> Result<(Message, Request), PromptError> {
        let rendered = self.prompts.render("system", context! {})?;
        let mut params = Request::new(Vec::new());
        params.temperature = rendered.params.temperature;
        params.max_tokens = rendered.params.max_tokens;
        Ok((Message::system(rendered.text), params))
    }

    /// The request for the person's message (`sent`, a workflow prompt in full or their
    /// words): the system prompt, the session's facts, the conversation, then `now` (where
    /// the session stands) and the message. Its reply is held to `llm.max_reply_tokens`
    /// unless the system prompt's front matter sets a limit.
    pub fn chat_request(
        &self,
        sent: &str,
        facts: Option<String>,
        now: Option<&str>,
    ) -> Result<Request, PromptError> {
        let (system, params) = self.system()?;
        let mut request =
            self.conversation
                .request(system, facts, now, sent, self.limits.context_tokens);
        request.temperature = params.temperature;
        request.max_tokens = params.max_tokens.or(Some(self.limits.max_reply_tokens));
        Ok(request)
    }

    /// The request that summarises the oldest turns, once the conversation (sent with
    /// `facts`, `now` and a message) passes the budget, and the index up to which it covers.
    pub fn summary_due(
        &self,
        facts: Option<&str>,
        now: Option<&str>,
    ) -> Result<Option<(Request, usize)>, PromptError> {
        let (system, _) = self.system()?;
        let fixed = 3 * 4
            + llm::estimate_tokens(&system.content)
            + facts.map_or(0, llm::estimate_tokens)
            + now.map_or(0, llm::estimate_tokens)
            + NEXT_MESSAGE;
        let Some(upto) = self
            .conversation
            .summary_due(fixed, self.limits.context_tokens)
        else {
            return Ok(None);
        };
        let Some((previous, turns)) = self.conversation.to_summarise(upto) else {
            return Ok(None);
        };
        let mut request = summary_request(system, previous, turns);
        request.max_tokens = Some(SUMMARY_REPLY_TOKENS);
        Ok(Some((request, upto)))
    }

    /// Takes the model's summary of the turns before `upto`; `None`: the model made none,
    /// and a digest made here stands for them.
    pub fn fold(&mut self, summary: Option<&str>, upto: usize) {
        let summary = summary.map_or_else(|| self.conversation.digest(upto), str::to_owned);
        self.conversation.fold(&summary, upto);
    }

    /// The request for a short line after a check-in (`check-in` or `break` template), in
    /// the conversation (so a server reuses its cache), and the message it sends: kept as a
    /// turn with the line when the line is shown.
    pub fn checkin_request(
        &self,
        said: &Said,
        text: &str,
        facts: Option<String>,
        now: &str,
    ) -> Result<(Request, String), PromptError> {
        let template = match said {
            Said::BlockEnd {
                next: Next::Break(_),
                ..
            } => "break",
            _ => "check-in",
        };
        let rendered = self
            .prompts
            .render(template, context! { said => text, session => now })?;
        let (system, _) = self.system()?;
        let mut request = self.conversation.request(
            system,
            facts,
            None,
            &rendered.text,
            self.limits.context_tokens,
        );
        request.temperature = rendered.params.temperature;
        request.max_tokens = rendered
            .params
            .max_tokens
            .or(Some(self.limits.max_reply_tokens));
        Ok((request, rendered.text))
    }

    /// The request for the coach's reply to the reflection answer just given.
    pub fn reflection_request(&self, session: &Session) -> Result<Request, PromptError> {
        reflection::reply_request(&self.prompts, session)
    }

    /// The request for a plan shaped from the person's words and focus's draft.
    pub fn plan_request(&self, words: &str, draft: &Plan) -> Result<Request, PromptError> {
        planning::plan_request(&self.prompts, words, draft)
    }

    /// A workflow prompt (`template`), rendered with what focus knows.
    pub fn workflow_prompt(
        &self,
        template: &str,
        facts: &offline::Facts<'_>,
    ) -> Result<String, PromptError> {
        Ok(self.prompts.render(template, workflow_context(facts))?.text)
    }

    /// The `/summary` prompt for the session described by `block`.
    pub fn progress_prompt(&self, block: &str) -> Result<String, PromptError> {
        Ok(self
            .prompts
            .render("progress", context! { session => block })?
            .text)
    }

    /// What `/context` says: what goes to the model with the next message, in its three
    /// parts (fixed, the conversation, what changes) with their sizes, and how much of the
    /// last request the server had cached, when it said.
    pub fn context_view(
        &self,
        facts: Option<&str>,
        now: Option<&str>,
    ) -> Result<String, PromptError> {
        let (system, _) = self.system()?;
        let request = self.conversation.request(
            system.clone(),
            facts.map(str::to_owned),
            now,
            "",
            self.limits.context_tokens,
        );
        let framed = |text: &str| 4 + llm::estimate_tokens(text);
        let system_tokens = framed(&system.content);
        let facts_tokens = facts.map_or(0, framed);
        let changing = framed(&with_now(now, ""));
        let conversation = request
            .estimated_tokens()
            .saturating_sub(system_tokens + facts_tokens + changing);
        let turns = self.conversation.turns().len();
        let in_full = request
            .messages
            .iter()
            .filter(|m| m.role == Role::Assistant)
            .count();
        let before = turns - in_full;
        let mut text = format!(
            "Sent with your next message: about {} tokens of a budget of {} (llm.context_tokens).\n  fixed           {:>6} tokens  the system prompt ({system_tokens}) and the session's facts ({facts_tokens}), the same every turn\n  conversation    {conversation:>6} tokens  {in_full} exchange{} in full{}, only ever added to\n  changing        {changing:>6} tokens  where the session is now, sent with your message",
            request.estimated_tokens(),
            self.limits.context_tokens,
            system_tokens + facts_tokens,
            if in_full == 1 { "" } else { "s" },
            if before > 0 {
                format!(", {before} before them summarised")
            } else {
                String::new()
            },
        );
        text.push('\n');
        match self.last_usage {
            Some(Usage {
                prompt_tokens,
                cached_tokens: Some(cached),
                estimated: false,
                ..
            }) if prompt_tokens > 0 => {
                let _ = write!(
                    text,
                    "The last request: {prompt_tokens} prompt tokens, {cached} of them reused from the server's cache ({}%).",
                    u64::from(cached) * 100 / u64::from(prompt_tokens.max(cached))
                );
            }
            Some(_) => {
                text.push_str("The server did not say how much of the last request it had cached.");
            }
            None => text.push_str("Nothing has been sent yet in this run."),
        }
        if let Some(facts) = facts {
            text.push_str("\n\nThe session's facts, as the model sees them:\n");
            text.push_str(facts);
        }
        if let Some(now) = now {
            text.push_str("\n\nWhere it is now, sent with your message:\n");
            text.push_str(now);
        }
        Ok(text)
    }
}

/// What `/context` says when there is no model.
pub fn offline_context_view(why: &Offline, facts: Option<&str>, now: &str) -> String {
    let mut text = format!(
        "The coach is offline ({}), so nothing is sent. A model would get the system prompt, ",
        why.why()
    );
    match facts {
        Some(facts) => {
            text.push_str("these facts of the session:\n\n");
            text.push_str(facts);
            text.push_str(
                "\n\nthe conversation, and with your message where the session is now:\n\n",
            );
        }
        None => {
            text.push_str("the conversation, and with your message where the session is now:\n\n");
        }
    }
    text.push_str(now);
    text
}

/// The review's suggestions, as focus words them without a model.
pub fn suggestions_text(suggestions: &[String]) -> String {
    let heading = crate::output::HEADING;
    let mut out = format!("{heading}For next week{heading:#}");
    for (i, s) in suggestions.iter().enumerate() {
        let lead = if i == 0 { "Try this week:" } else { "Also:" };
        let _ = write!(out, "\n  {lead} {s}");
    }
    out
}

/// What the workflow templates are given: the same for each, so an override can use any.
#[derive(Debug, Serialize)]
struct WorkflowContext {
    said: String,
    task: Option<String>,
    goal: Option<String>,
    method: Option<String>,
    minutes: Option<u32>,
    block_minutes: Option<u32>,
    block_goal: Option<String>,
    last_task: Option<String>,
    last_goal: Option<String>,
    last_achieved: Option<String>,
    last_summary: Option<String>,
}

fn workflow_context(facts: &offline::Facts<'_>) -> WorkflowContext {
    let status: Option<&Status> = facts.status;
    let block = status.and_then(|s| s.block.as_ref());
    let last: Option<&Entry> = facts.last;
    WorkflowContext {
        said: facts.said.to_owned(),
        task: status
            .map(|s| s.task.clone())
            .or_else(|| facts.plan.map(|p| p.task.clone())),
        goal: status
            .and_then(|s| s.goal.clone())
            .or_else(|| facts.plan.and_then(|p| p.goal.clone())),
        method: facts.plan.map(|p| p.method.name().to_owned()),
        minutes: status
            .map(|s| s.planned)
            .or_else(|| facts.plan.map(|p| p.total_minutes)),
        block_minutes: block.map(|b| b.minutes),
        block_goal: block.and_then(|b| b.goal.clone()),
        last_task: last.map(|e| e.task.clone()),
        last_goal: last.and_then(|e| e.goal.clone()),
        last_achieved: last.and_then(|e| e.outcome.map(|a| a.as_str().to_owned())),
        last_summary: last.and_then(|e| e.summary.clone()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(minute: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 9, minute, 0)
            .unwrap()
    }

    fn coach() -> Coach {
        Coach::new(
            Prompts::builtin(),
            "m",
            "http://x/v1",
            Limits::default(),
            None,
        )
    }

    #[test]
    fn questions_and_requests_read_as_words_for_the_coach() {
        for text in [
            "give me a pep talk",
            "Help",
            "help me pick the next section",
            "can you split this task?",
            "How do I start",
            "what now",
            "why is this so hard",
            "the intro or the outline?",
        ] {
            assert!(reads_as_message(text), "{text}");
        }
        for text in [
            "the intro and the first tip",
            "on track",
            "helpful colleagues", // "help" only as a whole word
            "3",
            "partly",
            "whatever works",
        ] {
            assert!(!reads_as_message(text), "{text}");
        }
    }

    #[test]
    fn a_server_that_is_down_costs_one_line_then_quiet_then_a_new_try() {
        let mut coach = coach();
        let error = LlmError::Unreachable {
            url: "http://x/v1".into(),
            detail: "refused".into(),
            retries: 3,
        };
        assert!(coach.is_ready(at(0)));
        let Failure::Down(line) = coach.failed(&error, at(0)) else {
            panic!("one line");
        };
        assert!(line.contains("until 09:02"), "{line}");
        assert!(!coach.is_ready(at(1)));
        assert_eq!(coach.failed(&error, at(1)), Failure::Known, "said once");
        assert!(coach.is_ready(at(3)), "the quiet period is over");
        // /offline off acts at once, even while quiet.
        coach.failed(&error, at(3));
        assert!(!coach.is_ready(at(4)));
        coach.switch(Some(false));
        assert!(coach.is_ready(at(4)));
    }

    #[test]
    fn no_key_turns_the_model_off_for_the_run() {
        let mut coach = coach();
        let error = LlmError::NoKey {
            var: "OPENAI_API_KEY".into(),
            url: "https://api.openai.com/v1".into(),
        };
        assert!(matches!(coach.failed(&error, at(0)), Failure::Down(_)));
        assert!(!coach.is_ready(at(30)));
        assert!(!coach.has_model());
        let other = LlmError::ModelNotFound {
            model: "m".into(),
            url: "u".into(),
            message: "no".into(),
        };
        let mut fresh = self::coach();
        assert_eq!(
            fresh.failed(&other, at(0)),
            Failure::Turn,
            "the turn's own error"
        );
        assert!(fresh.is_ready(at(0)));
    }
}
