//! What can happen to a running session: the person's commands, the clock, and the journal
//! record that keeps both.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Something the machine reacts to. Every variant but [`Event::Timer`] can be written to the
/// journal, and replaying the journal feeds the same events back at the same instants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    // ── the clock ────────────────────────────────────────────────────────────
    /// A timer the machine asked for has fired. A firing with an old id changes nothing. One
    /// that changes something is journaled as a [`Event::Tick`], so replays need no timer ids.
    #[serde(skip)]
    Timer {
        id: u64,
    },
    /// The clock reached this instant (a timer that mattered, or the driver noticing the time
    /// after a suspend).
    Tick,
    /// A new process took the session up again (`focus resume`).
    Reopen,

    // ── the session's course ─────────────────────────────────────────────────
    /// The go: the first block, or the next one after a break.
    Start,
    Pause {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Carry on after a pause. `worked`: the time paused counts as focus after all (the
    /// person worked while focus was away); the pause is undone and the clock catches up.
    Resume {
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        worked: bool,
    },
    /// The person left focus (`/quit`, Ctrl-D, the terminal closed) while a block ran: the
    /// block pauses so that the time away is not counted as focus.
    Leave,
    /// More minutes for the current block (or the one that just ended); the rest shifts.
    Extend {
        minutes: u32,
    },
    /// Move on now: end this block or this break.
    Skip,
    /// End the session early and go to the reflection; during the reflection, close it.
    Done,
    /// After a long pause: fit what is left of the plan into the time that was planned.
    Replan,
    /// End the session without a record: it was started by mistake, or is not worth keeping.
    Cancel,

    // ── what the person captures ─────────────────────────────────────────────
    /// A distracting thought, parked for later.
    Park {
        text: String,
    },
    Insight {
        text: String,
    },
    Decision {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rationale: Option<String>,
    },
    Blocker {
        text: String,
    },
    /// Free text: an answer to a check-in or to the reflection.
    Reply {
        text: String,
    },
    /// Words for the coach that answer nothing (a question, a request); kept so that nothing
    /// said is lost and a resumed session has the conversation. Changes nothing in the session.
    Message {
        text: String,
    },

    // ── what the coach said ──────────────────────────────────────────────────
    /// A model's reply to the person, kept so a resumed session has the conversation; it
    /// changes nothing in the session. `cut_off`: the person stopped it (Ctrl-C) or it broke.
    /// `to`: the person's words it answers (older journals pair it with the reply before).
    Coach {
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cut_off: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
}

impl Event {
    /// Whether the person did this (as opposed to the clock or the process).
    pub fn is_from_person(&self) -> bool {
        !matches!(
            self,
            Event::Timer { .. } | Event::Tick | Event::Reopen | Event::Coach { .. }
        )
    }

    /// The command that sends this event, for messages.
    pub fn command(&self) -> &'static str {
        match self {
            Event::Timer { .. } | Event::Tick => "the timer",
            Event::Reopen => "focus resume",
            Event::Start => "/start",
            Event::Pause { .. } => "/pause",
            Event::Resume { .. } => "/resume",
            Event::Cancel => "/cancel",
            Event::Leave => "/quit",
            Event::Extend { .. } => "/extend",
            Event::Skip => "/skip",
            Event::Done => "/done",
            Event::Replan => "/replan",
            Event::Park { .. } => "/park",
            Event::Insight { .. } => "/insight",
            Event::Decision { .. } => "/decision",
            Event::Blocker { .. } => "/blocker",
            Event::Reply { .. } => "a reply",
            Event::Message { .. } => "a message",
            Event::Coach { .. } => "the coach",
        }
    }
}

/// One line of the journal after its header: an event and the session instant it happened at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub at: DateTime<FixedOffset>,
    #[serde(flatten)]
    pub event: Event,
}
