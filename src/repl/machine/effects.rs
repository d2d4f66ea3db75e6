//! What the REPL's machine asks its driver to do. Effects are data, carried out in the order
//! given: a journal record before anything said about it.

use chrono::{DateTime, FixedOffset};

use super::events::{JobId, TimerId};
use crate::llm::{Request, Usage};
use crate::session::Plan;
use crate::session::machine::{Machine, Record};

/// One thing for the driver to do.
#[derive(Debug, Clone)]
pub enum Effect {
    // ── the screen ───────────────────────────────────────────────────────────
    /// Whole lines to show (styled; plain where styles are off).
    Say(String),
    /// The next piece of the coach's words as they arrive; the line ends with a `\n` piece.
    Stream(String),
    /// The clock moved the session on: ring the bell, notify the desktop with this text.
    Notify(String),

    // ── the session's journal ────────────────────────────────────────────────
    /// Append this record to the journal (synced) before anything else. `typed`: the line
    /// it comes from, named if it cannot be saved.
    Persist(Record, Option<String>),

    // ── time ─────────────────────────────────────────────────────────────────
    /// Send [`Event::Timer`](super::Event::Timer) with this id at this wall instant.
    Timer {
        id: TimerId,
        at: DateTime<FixedOffset>,
    },

    // ── the coach's model ────────────────────────────────────────────────────
    /// Start a job: send the request, and each piece of the reply back as an event.
    Ask { job: JobId, request: Request },
    /// Stop a job (its connection closes); later events of it are ignored.
    Cancel { job: JobId },
    /// From the next job on, speak through this model.
    Reconnect { model: String },
    /// Check in the background that the model server answers.
    Probe,

    // ── the rest of the program ──────────────────────────────────────────────
    /// Open the journal of a new session on this plan (moved to start now).
    Open(Box<Plan>),
    /// Log the closed session (with the model's write-up when `write_up`).
    Close(Box<Close>),
    /// The session was cancelled: keep its journal apart, log nothing.
    Discard,
    /// Ctrl-C during the write-up: log the session with the person's own answers now.
    CancelClose,
    /// `/log` or `/stats` with their option words.
    Show(Show),
    /// `/review`: show the week's figures and send them back.
    Review,
    /// Keep the plan waiting for `/start` for the next run (`None`: there is none).
    SaveDraft(Option<Box<Plan>>),
    /// Nothing more: the loop ends.
    Exit,
    /// The loop ends, and the run has failed with this (one line): `focus start` or
    /// `focus resume` could not log its session.
    Fail(String),
}

/// A closed session to log.
#[derive(Debug, Clone)]
pub struct Close {
    pub machine: Machine,
    /// The model writes up the reflection (it is available).
    pub write_up: bool,
    /// What the model spent in the session already.
    pub spent: Usage,
}

/// What `/log` and `/stats` ask for, with their option words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Show {
    Log(String),
    Stats(String),
}
