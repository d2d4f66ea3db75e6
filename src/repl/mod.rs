//! The REPL behind `focus` (and `focus start`, `focus resume`): one pure state machine, one
//! loop, one writer to the terminal.
//!
//! ```text
//! machine/    the REPL's own pure state machine: handle(Event, now) -> Vec<Effect>
//!   mod.rs      the state: the session (its machine and clock), the plan drafted, the last
//!               session logged, what is pending (a coach's turn streaming, a plan being shaped,
//!               a summary, a review, the session being logged) and the coach's queue
//!   events.rs   what happens: a typed line, Ctrl-C, leaving, a timer, a piece of a model's
//!               reply, a journal opened, a session logged, the figures of a review
//!   effects.rs  what to do: say, stream, persist, schedule a timer, start or cancel a model
//!               job, open a journal, log a session, show the log, save the draft, exit
//!   tests.rs    whole conversations at explicit instants with scripted model steps
//! driver.rs   the one `select!` loop: typed lines, timers, model jobs' events and signals
//!             become events; effects are carried out in order (the journal record first)
//! input.rs    where lines come from: rustyline on its own thread (always reading, so a line
//!             is read the moment Enter is pressed) or plain lines from a pipe
//! screen.rs   where words go: the terminal (through the line editor, above the prompt, with
//!             the reply's last row kept live), plain standard output, or a test's buffer
//! render/     markdown.rs (the coach's light Markdown, streamed), prompt.rs (the prompt and
//!             the terminal title, derived from the machine's state)
//! command.rs  the slash commands: one table for parsing, /help, completion and hints
//! notify.rs   the bell and desktop notifications
//! ```
//!
//! Invariants:
//! - Nothing waits in the loop but the loop itself: every model request is a job that sends
//!   its pieces back as events, so session timers fire and typed lines are read during any
//!   reply, plan, summary or review. There are no nested loops.
//! - Every line typed is read at once. During a session what it says (a command for the
//!   session, an answer, words for the coach) reaches the journal (synced) before anything
//!   else happens to it; session commands act when read, the coach's tasks wait their turn in
//!   order.
//! - The prompt is derived from the state, never stored: it always shows the phase of now.
//! - The machine reads no clock and does no I/O: the driver passes the wall instant with
//!   every event, so the REPL is tested in-process with a scripted model and paused time.
//! - Whether the coach may use its model is decided in one place
//!   ([`crate::coach::Coach::availability`]).

pub mod command;
pub mod driver;
pub mod input;
pub mod machine;
pub mod notify;
pub mod render;
pub mod screen;

pub use driver::Driver;
pub use input::{Input, Lines};
pub use machine::Repl;
pub use screen::Screen;
