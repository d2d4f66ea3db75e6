//! What focus keeps on disk: the running session's journal (and, later, the log of finished
//! sessions and their notes). Opening files is kept apart from parsing their text, so the
//! parsers are tested on strings.

pub mod journal;

pub use journal::{Header, Journal, JournalError, Replay};
