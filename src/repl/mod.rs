//! The REPL behind `focus`: typed lines, timer firings, the coach's replies and Ctrl-C in one
//! loop ([`driver`]), rustyline on its own thread ([`input`]), the slash commands
//! ([`command`]), the coach's side of the conversation ([`talk`]), replies as light Markdown
//! ([`markdown`]) and notifications ([`notify`]). `focus start` and `focus resume` run the same
//! driver with a session already under way.

pub mod command;
pub mod driver;
pub mod input;
pub mod markdown;
pub mod notify;
pub mod talk;

pub use driver::{Driver, Ending, LeftBy, Live, Show};
pub use input::{Input, Lines, Screen};
pub use talk::Coach;
