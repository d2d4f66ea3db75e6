//! What the REPL's machine reacts to: the person (a line, Ctrl-C, leaving), the clock (a
//! timer), the coach's model (a piece of a job's reply, its end), and the rest of the program
//! answering an effect (a journal opened, a session logged, the week's figures, the check of
//! the model server at launch).

use crate::llm::{Chunk, LlmError};
use crate::store::journal::Header;
use crate::store::log::Entry;

/// A model job: one request to the model, whose pieces come back as [`Event::Model`].
pub type JobId = u64;

/// Something that happened.
#[derive(Debug, Clone)]
pub enum Event {
    // ── the person ───────────────────────────────────────────────────────────
    /// A line typed (or read from a pipe), as it was entered.
    Line(String),
    /// Ctrl-C: a key at the prompt, or the signal when there is no prompt.
    Interrupt,
    /// The person leaves.
    Leave(LeftBy),
    /// No more lines will come (the end of a pipe or a file).
    InputClosed,

    // ── the clock ────────────────────────────────────────────────────────────
    /// A timer the machine asked for is due.
    Timer(TimerId),

    // ── the coach's model ────────────────────────────────────────────────────
    /// The next piece of a job's reply, or its failure.
    Model {
        job: JobId,
        item: Result<Chunk, LlmError>,
    },
    /// A job's stream ended.
    ModelEnded { job: JobId },
    /// The check of the model server at launch: it answers, or why not.
    Probed(Result<(), LlmError>),

    // ── the rest of the program ──────────────────────────────────────────────
    /// The journal of the session to start is open (its header holds the plan moved to
    /// now), or why it could not be.
    Opened(Result<Box<Header>, String>),
    /// The closed session is in the log, or why it could not be put there.
    Logged(Result<Box<Logged>, String>),
    /// The cancelled session's journal is kept under `journal/cancelled/`: what to tell the
    /// person, or why it could not be moved.
    Discarded(Result<String, String>),
    /// The figures of `/review` (already shown), for the coach to narrate.
    Figures(Box<Figures>),
}

/// How the person left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftBy {
    /// `/quit` or Ctrl-D.
    Quit,
    /// The terminal closed (SIGHUP), or focus was told to stop (SIGTERM).
    Hangup,
    /// Ctrl-C with no prompt to clear (standard input is not a terminal).
    Interrupt,
    /// The input ran out while the session needed the person.
    InputClosed,
}

/// A timer: the session machine's, or the time limit of a model job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerId {
    Session(u64),
    Limit(JobId),
    /// A plan's own start, waited for.
    PlannedStart,
}

/// A session put in the log.
#[derive(Debug, Clone)]
pub struct Logged {
    pub entry: Entry,
    /// What to tell the person: the summary, the session's id, where its note is.
    pub report: String,
}

/// The week's figures for `/review`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// This week's figures, plain text.
    pub figures: String,
    /// This week against last week, one sentence.
    pub comparison: String,
    /// Focus's own suggestions, from fixed rules.
    pub suggestions: Vec<String>,
}
