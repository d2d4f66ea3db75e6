//! Methods and work/break rhythms.
//!
//! - **Method**: `pomodoro(s)`, `pomo`, `micro`, `deep work`, and `deep`, `auto`, `custom`,
//!   `stacked` followed by a word such as `work`, `session(s)`, `blocks`, `style` or `method`
//!   (those are "firm"; `deep`, `auto`, `custom` and `stacked` alone are not).
//! - **Rhythm**: `50/10` (work/break), `work 40 break 8`, `25 min blocks`, `10 minute breaks`,
//!   `25m pomodoros` (up to an hour; "2h pomodoros" is the session's length and the method).
//!
//! - **Count**: a number of blocks, in digits (up to 24) or words ("two", "a", "a couple
//!   of"), before a method said as blocks ("3 pomodoros", "2 deep work sessions", "three
//!   micro sessions") or before a word for blocks (`sessions`, `blocks`, `sprints`, `rounds`,
//!   `intervals`), with a work length between them or after `of` ("four 25-minute blocks",
//!   "2 blocks of 50m"); or a number times a length ("3 x 15 minutes", "3x15m", "2 × 50m").
//!   "a" and "one" go only with a singular ("a pomodoro"). A count with a bare word for blocks
//!   counts only before `on`, `for`, `in`, `to`, `at` or the end of a clause, so "review 2
//!   sessions of the conference" stays a task.
//!
//! Whether a method or a count found here counts is for [`super::settings`] to decide.

use super::lex::{Token, listed, number_word};
use super::settings::{Found, Setting};
use super::time::length_span_at;
use crate::session::{Method, parse_minutes};

/// Words after a method word that make it surely a method ("deep work", "micro sessions").
pub(super) const METHOD_SUFFIXES: &str = "work focus session sessions block blocks method \
    technique style mode rhythm timer timers sprint sprints cycles";

/// Words after a length that make it the work block's length ("25 min blocks").
pub(super) const WORK_SUFFIXES: &str = "block blocks session sessions sprint sprints chunk \
    chunks stretch stretches pomodoros";

/// The longest pomodoro "25m pomodoros" may name; "2h pomodoros" is a session's length.
pub(super) const MAX_POMODORO: u32 = 60;

/// Words after a length that make it the break's length ("10 minute breaks").
pub(super) const BREAK_SUFFIXES: &str = "break breaks rest rests pause pauses";

/// Words after `50/10` that go with it.
pub(super) const RHYTHM_WORDS: &str = "rhythm split cycle cycles";

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
    let setting = Setting::Shape {
        blocks: None,
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
    let setting = Setting::Shape {
        blocks: None,
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
    if !is_work && !listed(BREAK_SUFFIXES, word) {
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
    let setting = if listed(WORK_SUFFIXES, word) && (!pomodoros || minutes <= MAX_POMODORO) {
        Setting::Shape {
            blocks: None,
            work: Some(minutes),
            rest: None,
            method: pomodoros.then_some(Method::Pomodoro),
        }
    } else if listed(BREAK_SUFFIXES, word) {
        Setting::Shape {
            blocks: None,
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

/// The most blocks a count may ask for.
const MAX_COUNT: u32 = 24;

/// Words for blocks that carry no method ("3 sessions").
const BLOCK_WORDS: &str = "session sessions block blocks sprint sprints round rounds interval \
    intervals";

/// Words that may follow a count with a bare word for blocks ("3 sessions on the report").
const COUNT_FOLLOWERS: &str = "on for in to at";

/// "3 pomodoros", "2 deep work sessions", "four 25-minute blocks", "3 x 15 minutes".
pub(super) fn count_at(tokens: &[Token], i: usize) -> Option<Found> {
    if let Some(found) = times_at(tokens, i) {
        return Some(found);
    }
    let (mut k, blocks, article) = count_word_at(tokens, i)?;
    let mut work = None;
    if let Some((end, minutes)) = length_span_at(tokens, k, false) {
        work = Some(minutes);
        k = end;
    }
    let mut method = None;
    let mut bare = false;
    if let Some(found) = method_at(tokens, k)
        && let Setting::Method {
            method: m,
            firm: true,
        } = found.setting
    {
        method = Some(m);
        k = found.end;
        // "2 deep work sessions": the method, then the word for blocks.
        if tokens.get(k).is_some_and(|t| t.is_one_of(BLOCK_WORDS)) {
            k += 1;
        }
    } else if tokens.get(k).is_some_and(|t| t.is_one_of(BLOCK_WORDS)) {
        bare = true;
        k += 1;
    } else {
        return None;
    }
    let plural = tokens[k - 1]
        .word()
        .is_some_and(|w| w.ends_with('s') || w == "pomodori");
    if article && plural {
        return None;
    }
    // "2 blocks of 50m"
    if work.is_none()
        && tokens.get(k).is_some_and(|t| t.is_one_of("of"))
        && let Some((end, minutes)) = length_span_at(tokens, k + 1, false)
    {
        work = Some(minutes);
        k = end;
    }
    let after = tokens.get(k);
    if bare && !after.is_none_or(|t| t.ends_clause() || t.is_one_of(COUNT_FOLLOWERS)) {
        return None;
    }
    let setting = Setting::Shape {
        blocks: Some(blocks),
        work,
        rest: None,
        method,
    };
    Some(Found::new(i, k, setting))
}

/// "3 x 15 minutes", "3x15m", "2 × 50m".
fn times_at(tokens: &[Token], i: usize) -> Option<Found> {
    let word = tokens.get(i)?.word()?;
    let (blocks, end, minutes) = match word.split_once(['x', '×']) {
        Some((number, length)) if !length.is_empty() => {
            let minutes = parse_minutes(length).ok()?;
            (number.parse().ok()?, i + 1, minutes)
        }
        _ => {
            let blocks = number_word(word).or_else(|| word.parse().ok())?;
            if !tokens.get(i + 1)?.is_one_of("x × *") {
                return None;
            }
            let (end, minutes) = length_span_at(tokens, i + 2, true)?;
            (blocks, end, minutes)
        }
    };
    (1..=MAX_COUNT).contains(&blocks).then(|| {
        let setting = Setting::Shape {
            blocks: Some(blocks),
            work: Some(minutes),
            rest: None,
            method: None,
        };
        Found::new(i, end, setting)
    })
}

/// A number of blocks at `i`: the index after it, the number, and whether it is an article
/// ("a", "an"), which goes only with a singular.
fn count_word_at(tokens: &[Token], i: usize) -> Option<(usize, u32, bool)> {
    let word = tokens.get(i)?.word()?;
    if let Some(end) = ["a", "couple", "of"]
        .iter()
        .enumerate()
        .all(|(n, w)| tokens.get(i + n).and_then(Token::word) == Some(w))
        .then_some(i + 3)
    {
        return Some((end, 2, false));
    }
    let (blocks, article) = match word {
        "a" | "an" => (1, true),
        _ => (number_word(word).or_else(|| word.parse().ok())?, false),
    };
    (1..=MAX_COUNT)
        .contains(&blocks)
        .then_some((i + 1, blocks, article))
}
