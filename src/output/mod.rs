//! What focus prints: the plan as text for a person, as iCalendar for a calendar, and the
//! styles and color choice they share.
//!
//! Renderers write to any `io::Write`; color is decided once, by the stream ([`stdout`]), from
//! `ui.color`, `NO_COLOR` and whether the output is a terminal. Styled text written to a stream
//! that is not colored comes out plain.

pub mod ics;
pub mod plan_text;

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

use crate::config::ColorMode;

/// Standard output, colored as `mode` and the environment say.
pub fn stdout(mode: ColorMode) -> AutoStream<std::io::Stdout> {
    let choice = match mode {
        ColorMode::Auto => ColorChoice::Auto,
        ColorMode::Always => ColorChoice::Always,
        ColorMode::Never => ColorChoice::Never,
    };
    AutoStream::new(std::io::stdout(), choice)
}

pub(crate) const HEADING: Style = Style::new().bold();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const WORK: Style = AnsiColor::Green.on_default().bold();
pub(crate) const BREAK: Style = AnsiColor::Cyan.on_default();
pub(crate) const NOTE: Style = AnsiColor::Yellow.on_default();
