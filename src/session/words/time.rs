//! Lengths, clock times and starts.
//!
//! - **Time**: a clock time (`16:00`, `9:30`, `4pm`, `4:30 pm`, `noon`, `midnight`) or an hour
//!   alone: 13 to 23 (and 0) are that hour; 1 to 12 are placed by `session::request` (a start
//!   in working hours, an end the next time the clock shows it).
//! - **End time**: `until`, `till` or `til` before a time; `by` before a clock time only ("cut
//!   it by 5" is a task).
//! - **Start**: `at` before a time ("at 9", "at 9:30am"); `from` before a time and `to`,
//!   `until` or `-` before another ("from 15:00 to 16:00"), or `between` … `and`; either of
//!   those after `today` or `tomorrow` (`tmrw`), which may also come right before a time
//!   ("tomorrow 9am") or right after the start ("at 9 tomorrow"). An hour said alone is a time
//!   only at the end of a clause or before a word such as `for`, `to`, `on` or `tomorrow`
//!   (or when the start opens a clause or follows the day), so "look at 3 PRs" stays a task. A start with an end gives the length too.
//! - **Vague time**: words about time that no clock places ("until lunch", "after the
//!   meeting", "this afternoon", "for a while") stay in the task and are noted, so that a
//!   request with no length asks when rather than how long.
//! - **Length**: anything [`parse_minutes`] reads with a unit (`90m`, `45 min`, `1h30`,
//!   `1.5 hours`, `10-minute`), plus `an hour`, `half an hour`, `an hour and a half`,
//!   `a quarter of an hour` and number words up to ninety (`two hours`). A bare number is a
//!   length only right after `for` at the end of a clause ("read for 20"). Words such as
//!   `about` or `the next` may come between `for` and the length.
//! - A length that cannot be one ("for 13 hours", "for 30 seconds") after `for` is an error
//!   that says why, rather than a task.
//!
//! Whether a length found here is the session's is for [`super::settings`] to decide.

use chrono::NaiveTime;

use super::lex::{Kind, Token, listed, number_word, phrase_at, render, skip};
use super::settings::{Found, Lead, Marker, Setting};
use super::{Length, Start, Time, WordsError};
use crate::session::duration::{DurationError, MAX_MINUTES};
use crate::session::{ClockTime, parse_clock, parse_minutes};

pub(super) const UNTIL_WORDS: &str = "until till til 'til untill";

/// Words before an end time that take only a clock time, never a bare hour ("cut it by 5").
pub(super) const BY_WORDS: &str = "by";

pub(super) const UNIT_WORDS: &str = "h hr hrs hour hours m min mins minute minutes";

/// Words between a marker and a length that go with the length ("for about 2 hours").
pub(super) const QUALIFIERS: &str = "the next|next|another|about|around|roughly|approximately|\
    approx|only|just";

/// Single words that may come between "have" and a length ("I have about 2 hours").
pub(super) const HEDGES: &str = "about around roughly approximately only just";

/// Words that make a length surely the session's when they come just before it.
pub(super) const STRONG_BEFORE: &str = "have got need spend spending give i've we've ive";

/// A clock time, with `noon` and `midnight` as well as what [`parse_clock`] takes.
pub(super) fn clock_from(text: &str) -> Option<ClockTime> {
    let hour = match text.trim().to_lowercase().as_str() {
        "noon" | "midday" => 12,
        "midnight" => 0,
        _ => return parse_clock(text).ok(),
    };
    NaiveTime::from_hms_opt(hour, 0, 0).map(ClockTime::TimeOfDay)
}

/// Whether a token joins a start to its end ("from 9 to 10:30", "9 - 10:30").
fn joins_range(token: &Token) -> bool {
    token.is_one_of("to until till til and") || token.is_punct("-") || token.is_punct("–")
}

/// A time at `i`: the index after it. A bare hour counts only where `bare` allows it, and
/// never before a unit ("at 9 minutes").
pub(super) fn time_at(tokens: &[Token], i: usize, bare: bool) -> Option<(usize, Time)> {
    for k in (1..=2).rev() {
        let Some(span) = tokens.get(i..i + k) else {
            continue;
        };
        if span.iter().all(|t| t.kind == Kind::Word)
            && let Some(at) = clock_from(&render(span))
        {
            return Some((i + k, Time::At(at)));
        }
    }
    let hour: u32 = tokens
        .get(i)?
        .word()
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()) && w.len() <= 2)?
        .parse()
        .ok()?;
    if !bare || tokens.get(i + 1).is_some_and(|t| t.is_one_of(UNIT_WORDS)) {
        return None;
    }
    let time = match hour {
        1..=12 => Time::Hour(hour),
        0 | 13..=23 => Time::At(ClockTime::TimeOfDay(NaiveTime::from_hms_opt(hour, 0, 0)?)),
        _ => return None,
    };
    Some((i + 1, time))
}

/// "until 16:00", "till 4 pm", "until 5", "by 4pm".
pub(super) fn end_time_at(tokens: &[Token], i: usize) -> Option<Found> {
    let until = tokens[i].is_one_of(UNTIL_WORDS);
    if !until && !tokens[i].is_one_of(BY_WORDS) {
        return None;
    }
    let (end, time) = time_at(tokens, i + 1, until)?;
    if matches!(time, Time::Hour(_)) && !tokens.get(end).is_none_or(Token::ends_clause) {
        return None;
    }
    let mut found = Found::new(i, end, Setting::Length(Length::Until(time)));
    found.lead = Lead::Strong;
    Some(found)
}

/// "at 9", "from 15:00 to 16:00", "between 2 and 4", "tomorrow 9am", "tomorrow from 9 to
/// 10:30", "today at 3pm", "at 9 tomorrow".
pub(super) fn start_at(tokens: &[Token], i: usize) -> Option<Found> {
    let dated = tokens[i].is_one_of(DAY_WORDS);
    let k = if dated { i + 1 } else { i };
    // Opening the words, or after a day, an hour alone is surely a time ("at 9 write it").
    let sure = dated || i == 0 || tokens[i - 1].ends_clause();
    let (start, mut end) = match tokens.get(k).and_then(Token::word) {
        Some("at") => hour_with_follower(tokens, k + 1, sure)?,
        Some("from" | "between") => hour_with_follower(tokens, k + 1, true)
            .filter(|&(_, end)| tokens.get(end).is_some_and(joins_range))?,
        // "tomorrow 9am": a time said right after the day, not a bare hour.
        _ if dated => time_at(tokens, k, false).map(|(end, time)| (time, end))?,
        _ => return None,
    };
    let mut until = None;
    if tokens.get(end).is_some_and(joins_range) {
        let (time, after) = hour_with_follower(tokens, end + 1, false)?;
        until = Some(time);
        end = after;
    }
    // The day said after the time: "at 9 tomorrow", "from 9am to 11am tomorrow".
    let mut day = tokens[i].word().filter(|_| dated);
    if !dated && tokens.get(end).is_some_and(|t| t.is_one_of(DAY_WORDS)) {
        day = tokens[end].word();
        end += 1;
    }
    let setting = Setting::Start {
        start: Start {
            tomorrow: day.is_some_and(|d| d != "today"),
            at: start,
        },
        until,
    };
    let mut found = Found::new(i, end, setting);
    found.lead = Lead::Strong;
    Some(found)
}

/// The words that say which day a start is on.
const DAY_WORDS: &str = "today tomorrow tmrw tmr";

/// Words that may follow an hour said alone for it to be a time ("at 9 for 1h"), so that
/// "look at 3 PRs" stays a task.
const HOUR_FOLLOWERS: &str = "for until till til to and on today tomorrow tmrw tmr";

/// A time at `i` (a bare hour only when `sure`, or before the end of a clause or
/// [`HOUR_FOLLOWERS`]) and the index after it.
fn hour_with_follower(tokens: &[Token], i: usize, sure: bool) -> Option<(Time, usize)> {
    let (end, time) = time_at(tokens, i, true)?;
    let next = tokens.get(end);
    let placed = next.is_none_or(|t| t.ends_clause() || t.is_one_of(HOUR_FOLLOWERS));
    (sure || placed || matches!(time, Time::At(_))).then_some((time, end))
}

/// The first words about time that no clock places among those left for the task.
pub(super) fn vague(tokens: &[Token], removed: &[bool]) -> Option<String> {
    (0..tokens.len()).find_map(|i| {
        let end = vague_at(tokens, i)?;
        (!removed[i..end].contains(&true)).then(|| render(&tokens[i..end]))
    })
}

/// Words about time that no clock places, from `i`: the index after them.
pub(super) fn vague_at(tokens: &[Token], i: usize) -> Option<usize> {
    const PHRASES: &str = "this morning|this afternoon|this evening|tonight|tomorrow morning|\
        tomorrow afternoon|tomorrow evening|later today|for a while|for a bit";
    const EVENTS: &str = "lunch dinner breakfast later tonight eod close school work";
    if let Some(end) = phrase_at(tokens, i, PHRASES) {
        return Some(end);
    }
    let next = tokens
        .get(i + 1)
        .filter(|_| tokens[i].is_one_of("until till til after before by"))?;
    if next.is_one_of(EVENTS) {
        return Some(i + 2);
    }
    // "until the end of the day", "after the meeting": to the end of the clause.
    (next.is_one_of("the my our") && !tokens[i].is_one_of("by")).then(|| {
        (i + 2..i + 6)
            .find(|&k| tokens.get(k).is_none_or(|t| t.kind != Kind::Word))
            .unwrap_or(i + 6)
    })
}

/// A length after `for`, `in` or `within`: "for about 2 hours", "for 20" at a clause end.
pub(super) fn length_after(
    tokens: &[Token],
    i: usize,
    marker: Marker,
) -> Result<Option<Found>, WordsError> {
    let j = skip(tokens, i + 1, QUALIFIERS);
    let lead = if marker == Marker::For {
        Lead::Strong
    } else {
        Lead::Marked
    };
    let found = |end: usize, minutes: u32| Found {
        start: i,
        end,
        setting: Setting::Length(Length::Minutes(minutes)),
        lead,
    };
    if let Some((end, minutes)) = length_span_at(tokens, j, false) {
        return Ok(Some(found(end, minutes)));
    }
    // "for the next hour", "for another hour"
    if j > i + 1
        && tokens[j - 1].is_one_of("next another")
        && tokens.get(j).is_some_and(|t| t.is_one_of("hour"))
    {
        return Ok(Some(found(j + 1, 60)));
    }
    if marker != Marker::For {
        return Ok(None);
    }
    let bare = tokens
        .get(j)
        .and_then(Token::word)
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()));
    if let Some(number) = bare
        && tokens.get(j + 1).is_none_or(Token::ends_clause)
    {
        return match parse_minutes(number) {
            Ok(minutes) => Ok(Some(found(j + 1, minutes))),
            Err(source) => Err(WordsError::BadLength {
                phrase: render(&tokens[i..=j]),
                source,
            }),
        };
    }
    match near_miss(tokens, j) {
        Some((end, source)) => Err(WordsError::BadLength {
            phrase: render(&tokens[i..end]),
            source,
        }),
        None => Ok(None),
    }
}

/// A length with no marker before it: "2 hours", "30m".
pub(super) fn plain_length_at(tokens: &[Token], i: usize) -> Option<Found> {
    let (end, minutes) = length_span_at(tokens, i, false)?;
    let mut found = Found::new(i, end, Setting::Length(Length::Minutes(minutes)));
    if strong_context(tokens, i) {
        found.lead = Lead::Strong;
    }
    Some(found)
}

/// Whether "have", "got", "need" or "spend" comes before `i` (over "about" and the like).
pub(super) fn strong_context(tokens: &[Token], i: usize) -> bool {
    let mut k = i;
    while k > 0 && tokens[k - 1].is_one_of(HEDGES) {
        k -= 1;
    }
    k > 0 && tokens[k - 1].is_one_of(STRONG_BEFORE)
}

/// The most words a length may take ("1 hour and 30 minutes").
pub(super) const MAX_LENGTH_WORDS: usize = 5;

/// The longest length starting at `i`: the index after it and its minutes. A bare number is
/// a length only when `bare` allows it.
pub(super) fn length_span_at(tokens: &[Token], i: usize, bare: bool) -> Option<(usize, u32)> {
    if let Some(spoken) = spoken_length_at(tokens, i) {
        return Some(spoken);
    }
    let most = tokens.len().saturating_sub(i).min(MAX_LENGTH_WORDS);
    (1..=most).rev().find_map(|k| {
        let text = length_text(tokens, i, k)?;
        if !bare && !text.contains(char::is_alphabetic) {
            return None;
        }
        parse_minutes(&text).ok().map(|minutes| (i + k, minutes))
    })
}

/// `k` words from `i` as [`parse_minutes`] should see them, if all are words and the run
/// neither starts nor ends with "and".
pub(super) fn length_text(tokens: &[Token], i: usize, k: usize) -> Option<String> {
    let words: Vec<String> = (i..i + k)
        .map(|x| normal_word(tokens, x))
        .collect::<Option<_>>()?;
    let edge_and =
        words.first().is_some_and(|w| w == "and") || words.last().is_some_and(|w| w == "and");
    (!edge_and).then(|| words.join(" "))
}

/// A length that does not parse for a reason worth telling ("for 13 hours", "for 30 seconds").
pub(super) fn near_miss(tokens: &[Token], i: usize) -> Option<(usize, DurationError)> {
    let most = tokens.len().saturating_sub(i).min(MAX_LENGTH_WORDS);
    (1..=most).rev().find_map(|k| {
        let text = length_text(tokens, i, k).filter(|t| t.contains(char::is_alphabetic))?;
        match parse_minutes(&text) {
            Err(
                error @ (DurationError::TooLong(_)
                | DurationError::Zero(_)
                | DurationError::Seconds(_)
                | DurationError::Fraction(_)),
            ) => Some((i + k, error)),
            _ => None,
        }
    })
}

/// A word as [`parse_minutes`] reads it: number words as digits, "an" before "hour" as 1,
/// "10-minute" as "10 minute".
pub(super) fn normal_word(tokens: &[Token], x: usize) -> Option<String> {
    let word = tokens.get(x)?.word()?;
    if let Some(number) = number_word(word) {
        return Some(number.to_string());
    }
    let before_unit = tokens.get(x + 1).is_some_and(|t| t.is_one_of(UNIT_WORDS));
    if matches!(word, "a" | "an") && before_unit {
        return Some("1".to_owned());
    }
    if let Some((number, unit)) = word.split_once('-')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && listed(UNIT_WORDS, unit)
    {
        return Some(format!("{number} {unit}"));
    }
    Some(word.to_owned())
}

/// Lengths said in words: "half an hour", "an hour and a half", "a quarter of an hour".
pub(super) fn spoken_length_at(tokens: &[Token], i: usize) -> Option<(usize, u32)> {
    const HOUR: &[&str] = &["hour", "hours", "h", "hr", "hrs"];
    let fixed: [(&[&[&str]], u32); 4] = [
        (&[&["a", ""], &["half-hour"]], 30),
        (&[&["a", ""], &["half"], &["a", "an", ""], &["hour"]], 30),
        (
            &[
                &["a", ""],
                &["quarter"],
                &["of", ""],
                &["a", "an", ""],
                &["hour"],
            ],
            15,
        ),
        (
            &[&["three"], &["quarters"], &["of"], &["a", "an"], &["hour"]],
            45,
        ),
    ];
    for (pattern, minutes) in fixed {
        if let Some(end) = pattern_at(tokens, i, pattern) {
            return Some((end, minutes));
        }
    }
    let hours = count_at(tokens, i)?;
    let and_a_half = pattern_at(tokens, i + 1, &[&["and"], &["a"], &["half"], HOUR])
        .or_else(|| pattern_at(tokens, i + 1, &[HOUR, &["and"], &["a"], &["half"]]))?;
    let minutes = hours.checked_mul(60)?.checked_add(30)?;
    (minutes <= MAX_MINUTES).then_some((and_a_half, minutes))
}

/// Matches words step by step; each step lists the words it takes, `""` making it optional.
pub(super) fn pattern_at(tokens: &[Token], i: usize, steps: &[&[&str]]) -> Option<usize> {
    let mut at = i;
    for step in steps {
        let word = tokens.get(at).and_then(Token::word);
        if word.is_some_and(|w| !w.is_empty() && step.contains(&w)) {
            at += 1;
        } else if !step.contains(&"") {
            return None;
        }
    }
    Some(at)
}

/// A count of hours: digits, a number word, or "a", "an", "one".
pub(super) fn count_at(tokens: &[Token], i: usize) -> Option<u32> {
    let word = tokens.get(i)?.word()?;
    match word {
        "a" | "an" => Some(1),
        _ => number_word(word).or_else(|| word.parse().ok()),
    }
}
