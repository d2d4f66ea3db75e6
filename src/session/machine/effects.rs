//! What the machine asks its driver to do. Effects are data: the machine never prints, sleeps
//! or writes; the driver carries effects out in the order given (the journal record first, so
//! nothing is acknowledged before it is on disk).
//!
//! A [`Message`] is typed: it names the moment and carries its figures, and the coach words it.

use chrono::{DateTime, FixedOffset};

use super::Phase;
use super::events::Record;
use crate::session::reflection::Question;

/// One thing for the driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append this record to the journal, flushed and synced, before anything else.
    Persist(Record),
    /// Tell the person something.
    Say(Message),
    /// Get the person's attention (bell, desktop notification): the clock moved the session on.
    Notify(Alert),
    /// The coach may add to what was said (a model's personal line, the reflection questions).
    AskCoach(Topic),
    /// Feed `Event::Timer { id }` back at this session instant. Only the latest id counts.
    ScheduleTimer { id: u64, at: DateTime<FixedOffset> },
    /// The session is closed; the driver can stop.
    Exit,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    BlockEnded,
    BreakEnded,
    SessionOver,
    LongPause,
    FollowUp,
}

/// What the coach is asked to speak to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    CheckIn,
    Reflection,
}

/// A work block as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockInfo {
    /// 1 for the first work block.
    pub number: u32,
    /// How many work blocks the plan has.
    pub of: u32,
    pub goal: Option<String>,
    /// The session's goal, which the block works toward.
    pub session_goal: Option<String>,
    /// The step's name in a stacked session.
    pub label: Option<String>,
    /// Its length, extensions included (whole minutes, rounded up).
    pub minutes: u32,
    /// When it ends if nothing else changes.
    pub ends: DateTime<FixedOffset>,
}

/// A break as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakInfo {
    pub minutes: u32,
    pub long: bool,
    pub suggestion: String,
    pub ends: DateTime<FixedOffset>,
}

/// What follows the end of a work block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A break, which has started by itself.
    Break(BreakInfo),
    /// Another work block, waiting for the go.
    Waiting(BlockInfo),
    /// Another work block, started by itself (`auto_start_work`).
    Started(BlockInfo),
}

/// Why the reflection begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The last block ended.
    PlanDone,
    /// The person ended the session before its time.
    EndedEarly,
    /// The session was taken up again after its planned time was over.
    TimeOver,
    /// A replan found under five minutes of the planned time left.
    NoTimeLeft,
}

/// A check-in that waits for an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// "How is it going?"
    Middle,
    /// "Ready for the next block?"
    Go(BlockInfo),
    /// "Resume, replan or end?"
    LongPause,
}

/// Time away from a block: the person left focus, or focus was not running (a crash, a
/// power cut). None of it counts as focus unless the person says so (`/resume worked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Away {
    /// When the block paused: when the person left, or when focus was last seen running.
    pub since: DateTime<FixedOffset>,
    /// When the session was taken up again.
    pub until: DateTime<FixedOffset>,
    /// The person left (`/quit`); otherwise focus stopped without a word.
    pub left: bool,
}

/// What the session is waiting for the person to answer, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// What the running block will produce (its start asked; the first reply is its goal).
    Goal(BlockInfo),
    /// A check-in's question: how it is going, the go for the next block, a long pause.
    CheckIn(Asked),
    /// A reflection question, `number` of about `of`.
    Reflection {
        question: Question,
        number: usize,
        of: usize,
    },
}

/// What was captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureKind {
    Distraction,
    Insight,
    Decision,
    Blocker,
}

/// A session at one instant, for /status and for taking a session up again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub task: String,
    pub goal: Option<String>,
    pub phase: Phase,
    /// The block running, paused, or waiting for the go.
    pub block: Option<BlockInfo>,
    /// The break under way.
    pub on_break: Option<BreakInfo>,
    /// Seconds done and left in the current block or break.
    pub elapsed: i64,
    pub left: i64,
    /// When the pause began and why.
    pub paused: Option<(DateTime<FixedOffset>, Option<String>)>,
    /// Focused seconds so far, over all blocks.
    pub focused: i64,
    /// Planned focus minutes, extensions included.
    pub planned: u32,
    /// Work blocks completed, cut short, and planned.
    pub blocks_done: u32,
    pub cut_short: u32,
    pub blocks: u32,
    /// When the session ends if nothing else changes.
    pub ends: DateTime<FixedOffset>,
    /// Everything captured so far, oldest first.
    pub captured: Vec<(CaptureKind, String)>,
}

/// Something to tell the person, before it is worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    // ── check-ins: the clock moved the session ───────────────────────────────
    BlockStart(BlockInfo),
    /// Around the middle of a block (or every half hour in a long one).
    Middle {
        block: BlockInfo,
        elapsed: u32,
        left: u32,
    },
    EndWarning {
        block: BlockInfo,
        left: u32,
    },
    /// A work block is over: wrap up, extend, or take the break (which has begun).
    BlockEnd {
        block: BlockInfo,
        next: Next,
    },
    /// A break is over; the next block waits for the go (or has started).
    BreakEnd {
        next: BlockInfo,
        started: bool,
    },
    /// The one gentle follow-up to an unanswered check-in.
    FollowUp(Asked),
    /// A pause has run long.
    LongPause {
        minutes: u32,
        reason: Option<String>,
    },
    /// The session's time is over (or it was ended): on to the reflection.
    Reflect {
        why: Why,
        focused: u32,
        planned: u32,
        /// Work blocks completed, cut short, and planned.
        blocks_done: u32,
        cut_short: u32,
        blocks: u32,
    },
    /// A reflection question (`retry`: the last answer could not be read; this is what an
    /// answer looks like).
    Question {
        question: Question,
        /// The session's success criteria.
        criteria: Vec<String>,
        /// How many distractions were parked.
        parked: u32,
        /// The parked distraction under review.
        item: Option<String>,
        retry: Option<&'static str>,
    },
    /// Several moments passed while nobody was there (a suspend, a crash): the latest one
    /// stands for them all.
    CaughtUp {
        missed: u32,
        latest: Box<Message>,
    },
    /// The session was taken up again by a new process. `away`: it was left mid-block, or
    /// focus was not running for a while, so the block is paused until the person says how
    /// to go on.
    Back {
        status: Box<Status>,
        away: Option<Away>,
    },

    // ── acknowledgements ─────────────────────────────────────────────────────
    Started(BlockInfo),
    Paused {
        reason: Option<String>,
    },
    Unpaused {
        block: BlockInfo,
        paused: u32,
    },
    /// `/resume worked`: the time paused counts as focus; `block` runs on (`None`: the clock
    /// has moved the session past it, and says so next).
    Counted {
        minutes: u32,
        block: Option<BlockInfo>,
    },
    Extended {
        block: BlockInfo,
        minutes: u32,
    },
    Replanned {
        shortened: bool,
        /// The paused block runs again.
        resumed: bool,
        ends: DateTime<FixedOffset>,
        /// The end the replan aimed for.
        planned_end: DateTime<FixedOffset>,
    },
    /// An extension would make the block longer than `limit` minutes.
    ExtendLimit {
        block: BlockInfo,
        limit: u32,
    },
    Captured {
        kind: CaptureKind,
        /// How many of this kind the session holds now.
        count: u32,
        /// A decision given without its reason.
        no_rationale: bool,
    },
    Noted,
    /// A reply became the goal of a block that had none.
    GoalSet(BlockInfo),
    Closed,
    /// The session was cancelled after this many focused minutes: nothing is logged.
    Cancelled {
        focused: u32,
    },

    /// The command does not fit the session's state.
    Refused {
        command: &'static str,
        phase: Phase,
    },
}

impl Message {
    /// Whether the clock said this (a check-in), rather than an answer to something the
    /// person did.
    pub fn is_check_in(&self) -> bool {
        matches!(
            self,
            Message::BlockStart(_)
                | Message::Middle { .. }
                | Message::EndWarning { .. }
                | Message::BlockEnd { .. }
                | Message::BreakEnd { .. }
                | Message::FollowUp(_)
                | Message::LongPause { .. }
                | Message::Reflect { .. }
                | Message::CaughtUp { .. }
                | Message::Back { .. }
        )
    }

    /// The check-in this message leaves waiting for an answer, if any.
    pub fn asks(&self) -> Option<Asked> {
        match self {
            Message::Middle { .. } => Some(Asked::Middle),
            Message::BlockEnd {
                next: Next::Waiting(block),
                ..
            } => Some(Asked::Go(block.clone())),
            Message::BreakEnd {
                next,
                started: false,
            } => Some(Asked::Go(next.clone())),
            Message::LongPause { .. } => Some(Asked::LongPause),
            Message::CaughtUp { latest, .. } => latest.asks(),
            Message::Back { status, .. } => match (&status.phase, &status.block) {
                (Phase::Waiting(_), Some(block)) => Some(Asked::Go(block.clone())),
                _ => None,
            },
            _ => None,
        }
    }

    /// The notification a message deserves when the clock (not the person) brought it.
    pub fn alert(&self) -> Option<Alert> {
        match self {
            Message::BlockEnd { .. } => Some(Alert::BlockEnded),
            Message::BreakEnd { .. } => Some(Alert::BreakEnded),
            Message::Reflect { .. } => Some(Alert::SessionOver),
            Message::LongPause { .. } => Some(Alert::LongPause),
            Message::FollowUp(_) => Some(Alert::FollowUp),
            Message::CaughtUp { latest, .. } => latest.alert(),
            _ => None,
        }
    }
}
