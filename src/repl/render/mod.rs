//! What the REPL shows, derived from state: the coach's light Markdown as it streams
//! ([`markdown`]), the prompt and the terminal's title ([`prompt`]), and the plan's blocks in
//! `/status`.

pub mod markdown;
pub mod prompt;

use std::fmt::Write as _;

pub use markdown::Markdown;

use crate::session::BlockKind;
use crate::session::machine::{Phase, Session};

/// The plan's blocks, one per line, with the ones done ticked and the current one marked.
pub fn plan_lines(session: &Session) -> String {
    let current = match session.phase() {
        Phase::Working(i) | Phase::Paused(i) | Phase::Break(i) | Phase::Waiting(i) => Some(i),
        _ => None,
    };
    let mut out = String::new();
    let mut work = 0;
    let of = session.plan().work_blocks().count();
    for (i, block) in session.plan().blocks.iter().enumerate() {
        let name = if block.is_work() {
            work += 1;
            format!("Work {work}/{of}")
        } else {
            "Break".to_owned()
        };
        let mark = match current {
            Some(c) if c == i => "▶",
            Some(c) if i < c => "✓",
            None if matches!(session.phase(), Phase::Reflecting(_) | Phase::Closed) => "✓",
            _ => " ",
        };
        let goal = match &block.kind {
            BlockKind::Work { goal, .. } => goal
                .as_deref()
                .map_or_else(String::new, |g| format!("  {g}")),
            BlockKind::Break { .. } => String::new(),
        };
        let _ = write!(
            out,
            "\n  {mark} {}–{}  {name}{goal}",
            block.start.format("%H:%M"),
            block.end.format("%H:%M")
        );
    }
    out
}
