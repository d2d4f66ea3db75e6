//! Methods and work/break rhythms.
//!
//! - **Method**: `pomodoro(s)`, `pomo`, `micro`, `deep work`, and `deep`, `auto`, `custom`,
//!   `stacked` followed by a word such as `work`, `session(s)`, `blocks`, `style` or `method`
//!   (those are "firm"; `deep`, `auto`, `custom` and `stacked` alone are not).
//! - **Rhythm**: `50/10` (work/break), `work 40 break 8`, `25 min blocks`, `10 minute breaks`,
//!   `25m pomodoros` (up to an hour; "2h pomodoros" is the session's length and the method).
//!
//! Whether a method found here counts is for [`super::settings`] to decide.

use super::lex::Token;
use super::settings::{Found, Setting};
use super::time::length_span_at;
use crate::session::{Method, parse_minutes};

/// Words after a method word that make it surely a method ("deep work", "micro sessions").
pub(super) const METHOD_SUFFIXES: &[&str] = &[
    "work",
    "focus",
    "session",
    "sessions",
    "block",
    "blocks",
    "method",
    "technique",
    "style",
    "mode",
    "rhythm",
    "timer",
    "timers",
    "sprint",
    "sprints",
    "cycles",
];

/// Words after a length that make it the work block's length ("25 min blocks").
pub(super) const WORK_SUFFIXES: &[&str] = &[
    "block",
    "blocks",
    "session",
    "sessions",
    "sprint",
    "sprints",
    "chunk",
    "chunks",
    "stretch",
    "stretches",
    "pomodoros",
];

/// The longest pomodoro "25m pomodoros" may name; "2h pomodoros" is a session's length.
pub(super) const MAX_POMODORO: u32 = 60;

/// Words after a length that make it the break's length ("10 minute breaks").
pub(super) const BREAK_SUFFIXES: &[&str] = &["break", "breaks", "rest", "rests", "pause", "pauses"];

/// Words after `50/10` that go with it.
pub(super) const RHYTHM_WORDS: &[&str] = &["rhythm", "split", "cycle", "cycles"];

/// A method word and whether it is a method on its own (`pomodoro`) or only with a word after
/// it (`deep work`).
pub(super) fn method_word(word: &str) -> Option<(Method, bool)> {
    let found = match word {
        "pomodoro" | "pomodoros" | "pomodori" | "pomo" | "pomos" => (Method::Pomodoro, true),
        "micro" | "microsession" | "microsessions" | "micro-session" | "micro-sessions" => {
            (Method::Micro, true)
        }
        "deep-work" | "deepwork" => (Method::Deep, true),
        "deep" => (Method::Deep, false),
        "auto" => (Method::Auto, false),
        "custom" => (Method::Custom, false),
        "stacked" => (Method::Stacked, false),
        _ => return None,
    };
    Some(found)
}

/// A work/break rhythm: "50/10", "work 40 break 8", "25 min blocks", "10 minute breaks".
pub(super) fn rhythm_at(tokens: &[Token], i: usize) -> Option<Found> {
    slash_rhythm_at(tokens, i)
        .or_else(|| keyword_rhythm_at(tokens, i))
        .or_else(|| suffixed_rhythm_at(tokens, i))
}

pub(super) fn slash_rhythm_at(tokens: &[Token], i: usize) -> Option<Found> {
    let (work, rest) = tokens.get(i)?.word()?.split_once('/')?;
    let digit_first = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
    if !digit_first(work) || !digit_first(rest) {
        return None;
    }
    let (work, rest) = (parse_minutes(work).ok()?, parse_minutes(rest).ok()?);
    let end = match tokens.get(i + 1) {
        Some(t) if t.is_one_of(RHYTHM_WORDS) => i + 2,
        Some(t) if !t.ends_clause() && method_at(tokens, i + 1).is_none() => return None,
        _ => i + 1,
    };
    let setting = Setting::Rhythm {
        work: Some(work),
        rest: Some(rest),
        method: None,
    };
    Some(Found::new(i, end, setting))
}

/// "work 40", "break 8", or both in a row.
pub(super) fn keyword_rhythm_at(tokens: &[Token], i: usize) -> Option<Found> {
    let (mut end, mut work, mut rest) = keyword_part(tokens, i)?;
    let paired = keyword_part(tokens, end)
        .filter(|(_, w, r)| (w.is_some() && work.is_none()) || (r.is_some() && rest.is_none()));
    if let Some((second_end, second_work, second_rest)) = paired {
        end = second_end;
        work = work.or(second_work);
        rest = rest.or(second_rest);
    } else if !tokens.get(end).is_none_or(Token::ends_clause) {
        return None;
    }
    let setting = Setting::Rhythm {
        work,
        rest,
        method: None,
    };
    Some(Found::new(i, end, setting))
}

/// "work 40" or "break 8": the index after it and which of the two it sets.
pub(super) fn keyword_part(
    tokens: &[Token],
    i: usize,
) -> Option<(usize, Option<u32>, Option<u32>)> {
    let word = tokens.get(i)?.word()?;
    let is_work = word == "work";
    if !is_work && !BREAK_SUFFIXES.contains(&word) {
        return None;
    }
    let (end, minutes) = length_span_at(tokens, i + 1, true)?;
    Some(if is_work {
        (end, Some(minutes), None)
    } else {
        (end, None, Some(minutes))
    })
}

/// "25 min blocks", "10 minute breaks", "25m pomodoros".
pub(super) fn suffixed_rhythm_at(tokens: &[Token], i: usize) -> Option<Found> {
    let (end, minutes) = length_span_at(tokens, i, false)?;
    let word = tokens.get(end)?.word()?;
    let pomodoros = word == "pomodoros";
    let setting = if WORK_SUFFIXES.contains(&word) && (!pomodoros || minutes <= MAX_POMODORO) {
        Setting::Rhythm {
            work: Some(minutes),
            rest: None,
            method: pomodoros.then_some(Method::Pomodoro),
        }
    } else if BREAK_SUFFIXES.contains(&word) {
        Setting::Rhythm {
            work: None,
            rest: Some(minutes),
            method: None,
        }
    } else {
        return None;
    };
    Some(Found::new(i, end + 1, setting))
}

/// "pomodoro", "micro sessions", "deep work".
pub(super) fn method_at(tokens: &[Token], i: usize) -> Option<Found> {
    let (method, alone) = method_word(tokens.get(i)?.word()?)?;
    let suffixed = tokens
        .get(i + 1)
        .is_some_and(|t| t.is_one_of(METHOD_SUFFIXES));
    let end = if suffixed { i + 2 } else { i + 1 };
    let setting = Setting::Method {
        method,
        firm: alone || suffixed,
    };
    Some(Found::new(i, end, setting))
}
