//! Reads a request for a session written in plain words, as typed after `/plan` or given as
//! the task of `focus plan` and `focus start`, into its parts: the task, a length or an end
//! time, a goal (or one per block), a method, a stack and a work/break rhythm. Options
//! (`--for 50m`) are not read here: the command line's own definitions read them (`crate::cli`)
//! and [`merge`] adds them, so a part given both ways must agree.
//!
//! The reader is pure and careful. It takes words as a setting only when the words around
//! them say so, and leaves everything else in the task as typed. It works in steps, one file
//! each, each with its rules in its documentation:
//!
//! 1. [`lex`]: the text becomes words, quoted runs and punctuation. Quoted text (`"…"`, `'…'`,
//!    `“…”`, `‘…’`, `«…»`) is never read as a setting; quotes around the whole task are
//!    dropped.
//! 2. [`clauses`]: a goal clause ("goal: 800 words", "aiming for …") and a chain after a colon
//!    ("Blog post: research 10, break 5, write 15") are taken out whole.
//! 3. [`settings`] finds every setting the rest may hold, with the help of [`time`] (lengths,
//!    clock times and starts) and [`shape`] (methods, rhythms and counts), and keeps those the
//!    words around them make sure of.
//! 4. [`task`]: the words left over are the task, less filler ("I have", "please") and the
//!    connectors left dangling next to a setting that was taken out.
//!
//! It reads counts ("3 pomodoros") and starts ("at 9", "from 2 to 4", "tomorrow 9am") but
//! places nothing on the clock: `session::request` does. It does not read times relative to
//! an event ("until lunch": noted in [`Asked::vague`]), days other than today and tomorrow
//! ("on Friday at 4pm"), a goal written before the task, or more than one task.

use std::fmt;

use super::duration::DurationError;
use super::stack::StackError;
use super::{ClockTime, Method, Step, format_minutes};

mod clauses;
mod lex;
mod settings;
mod shape;
mod task;
mod time;

use clauses::{take_goal, take_stack};
pub use lex::split_options;
use lex::{Token, lex, render};
use settings::{scan, settle};
use task::{runs, task_text};
use time::vague;

/// What a person asked for in words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Asked {
    /// What they will work on, in their words.
    pub task: String,
    /// How long, or until when; `None` when not said.
    pub length: Option<Length>,
    /// What will be done when the time is up.
    pub goal: Option<String>,
    /// A goal per work block, in order; an empty one leaves that block open.
    pub block_goals: Vec<String>,
    /// How to divide the time; `None` when not said.
    pub method: Option<Method>,
    /// A chain written out, for a stacked session.
    pub stack: Option<Vec<Step>>,
    /// Minutes per work block.
    pub work: Option<u32>,
    /// Minutes per break.
    pub break_minutes: Option<u32>,
    /// How many work blocks ("3 pomodoros").
    pub count: Option<u32>,
    /// When the session starts; `None` for now.
    pub start: Option<Start>,
    /// Words about time that no clock can place ("until lunch", "after the meeting"), kept in
    /// the task: the question to ask when no length was given.
    pub vague: Option<String>,
}

/// When a session starts, as asked: a time, today's unless `tomorrow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub tomorrow: bool,
    pub at: Time,
}

impl fmt::Display for Start {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tomorrow {
            f.write_str("tomorrow ")?;
        }
        write!(f, "{}", self.at)
    }
}

/// How long a session is: a number of minutes, or up to a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// "for 90 minutes"
    Minutes(u32),
    /// "until 16:00": the caller turns it into minutes from the start.
    Until(Time),
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Length::Minutes(minutes) => f.write_str(&format_minutes(*minutes)),
            Length::Until(time) => write!(f, "until {time}"),
        }
    }
}

/// A time as asked: a clock time, or an hour from 1 to 12 said alone ("at 9", "until 5"),
/// which `session::request` places on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Time {
    At(ClockTime),
    Hour(u32),
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Time::At(at) => write!(f, "{at}"),
            Time::Hour(hour) => write!(f, "{hour}"),
        }
    }
}

/// Why a request cannot be read. Each message says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordsError {
    #[error(
        "say what the chain is for, then a colon, e.g. /plan Blog post: research 10, break 5, write 15"
    )]
    StackWithoutTask,
    #[error(
        "two {what}: \"{first}\" and \"{second}\"; keep one, or put the task in quotes if it holds the other"
    )]
    Twice {
        what: &'static str,
        first: String,
        second: String,
    },
    #[error(
        "say the goal after \"{marker}\", e.g. /plan write the report for 50m, goal: 800 words"
    )]
    EmptyGoal { marker: String },
    #[error("\"{phrase}\": {source}")]
    BadLength {
        phrase: String,
        source: DurationError,
    },
    #[error(transparent)]
    Stack(StackError),
}

/// Reads a request such as "write the report for 50m, goal: 800 words" into its parts. The
/// task is empty when the words only change settings ("for 60m", "goal: 800 words"): see
/// `session::request::amend`.
pub fn read(text: &str) -> Result<Asked, WordsError> {
    read_words(lex(text)).map(|(asked, _)| asked)
}

/// [`read`], with what the reader took out of the words, in pieces as typed: the goal and the
/// chain clauses, each setting with the words that mark it, and the filler and connectors
/// around them. Every word given is in the task or in one of these.
pub fn read_with_taken(text: &str) -> Result<(Asked, Vec<String>), WordsError> {
    read_words(lex(text))
}

/// A value as an error message shows it.
trait Shown {
    fn shown(&self) -> String;
}

macro_rules! shown_as_displayed {
    ($($t:ty),*) => {$(impl Shown for $t {
        fn shown(&self) -> String {
            self.to_string()
        }
    })*};
}

shown_as_displayed!(Length, Start, Method, String);

impl Shown for u32 {
    fn shown(&self) -> String {
        format_minutes(*self)
    }
}

impl Shown for Vec<String> {
    fn shown(&self) -> String {
        self.join("; ")
    }
}

impl Shown for Vec<Step> {
    fn shown(&self) -> String {
        let steps: Vec<String> = self
            .iter()
            .map(|step| match step {
                Step::Work { label, minutes } => format!("{label} {minutes}"),
                Step::Break { minutes, long } => {
                    format!("{}break {minutes}", if *long { "long " } else { "" })
                }
            })
            .collect();
        steps.join(", ")
    }
}

/// One of two values, or an error when both are given and differ.
fn either<T: PartialEq + Shown>(
    first: Option<T>,
    second: Option<T>,
    what: &'static str,
) -> Result<Option<T>, WordsError> {
    match (first, second) {
        (Some(a), Some(b)) if a != b => Err(WordsError::Twice {
            what,
            first: a.shown(),
            second: b.shown(),
        }),
        (a, b) => Ok(a.or(b)),
    }
}

/// Sets `slot` unless it already holds something else.
fn set<T: PartialEq + Shown>(
    slot: &mut Option<T>,
    value: T,
    what: &'static str,
) -> Result<(), WordsError> {
    *slot = either(slot.take(), Some(value), what)?;
    Ok(())
}

/// The words' reading with the options' added (`--for`, `--goal`, … as clap read them); a
/// part given both ways must agree.
pub fn merge(said: Asked, given: Asked) -> Result<Asked, WordsError> {
    let goals = |g: Vec<String>| Some(g).filter(|g| !g.is_empty());
    Ok(Asked {
        task: said.task,
        length: either(said.length, given.length, "lengths")?,
        goal: either(said.goal, given.goal, "goals")?,
        block_goals: either(
            goals(said.block_goals),
            goals(given.block_goals),
            "lists of block goals",
        )?
        .unwrap_or_default(),
        method: either(said.method, given.method, "methods")?,
        stack: either(said.stack, given.stack, "stacks")?,
        work: either(said.work, given.work, "work lengths")?,
        break_minutes: either(said.break_minutes, given.break_minutes, "break lengths")?,
        // No option gives a count.
        count: said.count,
        start: either(said.start, given.start, "starts")?,
        vague: said.vague,
    })
}

fn read_words(tokens: Vec<Token>) -> Result<(Asked, Vec<String>), WordsError> {
    let mut asked = Asked::default();
    let mut taken = Vec::new();
    let tokens = take_goal(tokens, &mut asked, &mut taken)?;
    let tokens = take_stack(tokens, &mut asked, &mut taken)?;
    let found = scan(&tokens)?;
    let mut removed = settle(&tokens, &found, &mut asked)?;
    asked.vague = vague(&tokens, &removed);
    asked.task = task_text(&tokens, &mut removed);
    taken.extend(
        runs(&removed, true)
            .into_iter()
            .map(|run| render(&tokens[run])),
    );
    taken.retain(|t| !t.is_empty());
    Ok((asked, taken))
}

#[cfg(test)]
mod tests;
