//! What focus keeps on disk: the running session's journal, the log of finished sessions and
//! their Markdown notes. Opening files is kept apart from parsing their text, so the parsers
//! are tested on strings.

pub mod journal;
pub mod log;
pub mod notes;
pub mod private;
pub mod stats;

pub use journal::{Header, Journal, JournalError, Replay};
