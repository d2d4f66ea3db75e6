//! Turns session moments into words. The machine decides *what* to say (a typed
//! [`Message`](crate::session::machine::Message)); the coach decides *how*.
//!
//! [`offline`] is the deterministic wording used with no model; it is also what every
//! check-in shows first, so a check-in never waits on a network. With a model, the coach
//! sends the `system` template ([`prompts`]), the session's facts ([`session_facts`]), the
//! conversation ([`context`]) and where the session stands now ([`session_now`]) with the
//! person's words.

pub mod context;
pub mod offline;
pub mod planning;
pub mod prompts;
pub mod reflection;
pub mod talk;
pub mod writeup;

use std::fmt::Write as _;

use minijinja::context;
use serde::Serialize;

use chrono::{DateTime, FixedOffset};

use self::prompts::{PromptError, Prompts};
pub use self::talk::{Availability, Coach, Failure, reads_as_message};
use crate::config::{Env, LlmSettings};
use crate::llm::{self, LlmError, Message, Request};
use crate::session::machine::{CaptureKind, Status};
use crate::session::{Block, BlockKind, Plan, format_minutes};

/// The `system` template: the partner's role, tone and the workflow's rules, sent first in
/// every conversation.
pub fn system_message(prompts: &Prompts) -> Result<Message, PromptError> {
    Ok(Message::system(prompts.render("system", context! {})?.text))
}

/// One turn: the system template, then template `name` rendered with `context` as the
/// person's message, with the model parameters its front matter sets.
pub fn turn(
    prompts: &Prompts,
    name: &str,
    context: impl Serialize,
) -> Result<Request, PromptError> {
    let rendered = prompts.render(name, context)?;
    let mut request = Request::new(vec![system_message(prompts)?, Message::user(rendered.text)]);
    request.temperature = rendered.params.temperature;
    request.max_tokens = rendered.params.max_tokens;
    Ok(request)
}

/// Why the coach is working without a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offline {
    /// The person asked for it: `--offline`, or `llm.offline = true`.
    Chosen { by: &'static str },
    /// No key, a failing key command, or no server.
    Unavailable(LlmError),
    /// The server failed to answer; the coach is quiet until `until`, then tries again.
    Down {
        error: LlmError,
        until: DateTime<FixedOffset>,
    },
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
            Offline::Down { until, .. } => format!(
                "its model server did not answer; focus tries it again after {}",
                until.format("%H:%M")
            ),
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

/// The weekly review turn (`review` template): the figures computed by focus, the
/// comparison with last week, and the rule-based suggestions (for the model to pick from or
/// improve on).
pub fn review_request(
    prompts: &Prompts,
    figures: &str,
    comparison: &str,
    suggestions: &[String],
) -> Result<Request, PromptError> {
    turn(
        prompts,
        "review",
        context! { figures => figures.trim_end(), comparison, ideas => suggestions },
    )
}

/// What holds while a session runs (or waits to start), sent early in every request of a
/// conversation and so the same from turn to turn: the task, the goal, the method, the plan's
/// shape (as planned: kinds and lengths; clock times only for a plan not started), and the
/// last session's next step. The clock, the phase and the block goals given as the session
/// goes are in [`session_now`]. `None` when there is nothing to say.
pub fn session_facts(
    plan: Option<&Plan>,
    draft: Option<&Plan>,
    last_next_step: Option<&str>,
) -> Option<String> {
    let mut out = String::new();
    let goal = |plan: &Plan| {
        plan.goal
            .as_deref()
            .map_or_else(String::new, |g| format!(", goal: {g}"))
    };
    match (plan, draft) {
        (Some(plan), _) => {
            let _ = write!(
                out,
                "The person is in a focus session on \"{}\"{}, {} minutes, {}. The plan:",
                plan.task,
                goal(plan),
                plan.total_minutes,
                plan.method.name()
            );
            for block in &plan.blocks {
                let _ = write!(out, "\n- {}", block_shape(block));
            }
        }
        (None, Some(draft)) => {
            let _ = write!(
                out,
                "The person has planned a session but not started it (they type /start to begin): \"{}\"{}, {} minutes, {}.",
                draft.task,
                goal(draft),
                draft.total_minutes,
                draft.method.name()
            );
            for block in &draft.blocks {
                let _ = write!(out, "\n- {}", block_line(block));
            }
        }
        (None, None) => out.push_str("No focus session is running."),
    }
    if let Some(next) = last_next_step {
        let _ = write!(
            out,
            "\nWhere their last session stopped, the next step was: {}",
            crate::text::sanitize(next)
        );
    }
    Some(out)
}

/// Where the session stands at `now`, sent with the person's newest message (and nowhere
/// earlier, so the rest of a request stays the same from turn to turn): the clock, the
/// phase, the time left, the block's goal, the figures so far, and what was captured and
/// shown (`captured`, `shown`) since the last message the coach saw. One bracketed paragraph.
pub fn session_now(
    now: DateTime<FixedOffset>,
    status: Option<&Status>,
    captured: &[(CaptureKind, String)],
    shown: &[String],
) -> String {
    let mut out = format!("[It is {}.", offline::hhmm(now));
    if let Some(status) = status {
        let _ = write!(out, " {}", offline::where_now(status));
        if let Some(goal) = status.block.as_ref().and_then(|b| b.goal.as_deref()) {
            let _ = write!(out, " Goal of this block: {goal}.");
        }
        let _ = write!(
            out,
            " Focused {} of {} planned; {} of {} blocks done; the session ends at {}.",
            format_minutes(u32::try_from(status.focused / 60).unwrap_or(u32::MAX)),
            format_minutes(status.planned),
            status.blocks_done,
            status.blocks,
            offline::hhmm(status.ends)
        );
    }
    let mut since = Vec::new();
    for (kind, text) in captured {
        let what = match kind {
            CaptureKind::Distraction => "parked",
            CaptureKind::Insight => "insight",
            CaptureKind::Decision => "decision",
            CaptureKind::Blocker => "blocker",
        };
        since.push(format!("{what}: {}", crate::text::truncate(text, 120)));
    }
    for line in shown {
        let line = crate::text::truncate(line, 160);
        since.push(format!("focus said: {}", line.trim_end_matches('.')));
    }
    if !since.is_empty() {
        let since = since.join("; ");
        let stop = if since.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        let _ = write!(out, " Since their last message: {since}{stop}");
    }
    out.push(']');
    out
}

/// "work (25 min): intro", "break (5 min)": a block as planned, without clock times.
fn block_shape(block: &Block) -> String {
    match &block.kind {
        BlockKind::Work { .. } => format!("work ({} min)", block.minutes),
        BlockKind::Break { .. } => format!("break ({} min)", block.minutes),
    }
}

/// "09:00–09:25 work (25 min): intro"
fn block_line(block: &Block) -> String {
    let times = format!(
        "{}–{}",
        block.start.format("%H:%M"),
        block.end.format("%H:%M")
    );
    match &block.kind {
        BlockKind::Work { goal, .. } => format!(
            "{times} work ({} min){}",
            block.minutes,
            goal.as_deref()
                .map_or_else(String::new, |g| format!(": {g}"))
        ),
        BlockKind::Break { .. } => format!("{times} break ({} min)", block.minutes),
    }
}

/// The session described for a model: where it is, the figures so far and what was captured.
pub fn session_context(status: &Status) -> String {
    format!(
        "The person is in a focus session right now. Where it stands:\n{}",
        offline::status(status)
    )
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone};

    use super::*;
    use crate::session::machine::{Event, Machine, Rules};
    use crate::session::{Method, PlanRequest, Rhythms, plan};
    use crate::store::log::Entry;

    /// Every built-in template, rendered by the code that sends it: a variable a template
    /// uses but the code does not give fails here.
    #[test]
    fn every_built_in_template_renders_with_what_the_code_gives() {
        let prompts = Prompts::builtin();
        let at = FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .unwrap();
        let request = PlanRequest {
            task: "Write the report".into(),
            goal: Some("3 pages".into()),
            block_goals: Vec::new(),
            method: Method::Pomodoro,
            minutes: Some(50),
            blocks: None,
            stack: None,
            work: None,
            break_minutes: None,
            start: at,
        };
        let draft = plan(&request, &Rhythms::default()).unwrap();
        let mut machine = Machine::new(draft.clone(), Rules::default());
        machine.handle(Event::Start, at);
        machine.handle(Event::Done, at);
        machine.handle(Event::Reply { text: "yes".into() }, at);
        machine.handle(
            Event::Reply {
                text: "music".into(),
            },
            at,
        );
        let session = machine.session();

        assert!(system_message(&prompts).is_ok());
        let review =
            review_request(&prompts, "Sessions 3", "Up from 2.", &["Try this.".into()]).unwrap();
        let text = &review.messages[1].content;
        assert!(
            text.contains("Sessions 3") && text.contains("- Try this."),
            "{text}"
        );

        let extraction = reflection::extraction_request(&prompts, session).unwrap();
        assert_eq!(extraction.temperature, Some(0.0), "from its front matter");
        assert!(extraction.messages[1].content.contains("A: music"));
        let format = extraction
            .response_format
            .as_ref()
            .expect("held to a schema");
        assert_eq!(format["json_schema"]["name"], "focus_reflection");

        let reply = reflection::reply_request(&prompts, session).unwrap();
        assert_eq!(reply.max_tokens, Some(120));
        assert!(
            reply.messages[1]
                .content
                .ends_with("Reply to my last answer.")
        );

        let planning = planning::plan_request(&prompts, "the report, 50 minutes", &draft).unwrap();
        assert!(
            planning.messages[1]
                .content
                .contains("the report, 50 minutes")
        );

        let entry: Entry =
            serde_json::from_str(include_str!("../../tests/fixtures/log/expected-entry.json"))
                .unwrap();
        let summary = reflection::summary_request(&prompts, &entry).unwrap();
        assert!(
            summary.messages[1]
                .content
                .contains("\"next_step\":\"find the stats for tip 3\"")
        );
    }
}
