//! Lengths and clock times.
//!
//! - **End time**: `until`, `till` or `til` before a clock time (`16:00`, `4pm`, `4:30 pm`,
//!   `noon`, `midnight`) or an hour from 13 to 23; `by` before a clock time. "until 5" is an
//!   error: it could be morning or evening.
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

use super::Length;
use super::WordsError;
use super::lex::{Kind, Token, number_word, render, skip};
use super::settings::{Found, Lead, Marker, Setting};
use crate::session::duration::{DurationError, MAX_MINUTES};
use crate::session::{ClockTime, parse_clock, parse_minutes};

pub(super) const UNTIL_WORDS: &[&str] = &["until", "till", "til", "'til", "untill"];

/// Words before an end time that take only a clock time, never a bare hour ("cut it by 5").
pub(super) const BY_WORDS: &[&str] = &["by"];

pub(super) const UNIT_WORDS: &[&str] = &[
    "h", "hr", "hrs", "hour", "hours", "m", "min", "mins", "minute", "minutes",
];

/// Words between a marker and a length that go with the length ("for about 2 hours").
pub(super) const QUALIFIERS: &[&[&str]] = &[
    &["the", "next"],
    &["next"],
    &["another"],
    &["about"],
    &["around"],
    &["roughly"],
    &["approximately"],
    &["approx"],
    &["only"],
    &["just"],
];

/// Single words that may come between "have" and a length ("I have about 2 hours").
pub(super) const HEDGES: &[&str] = &[
    "about",
    "around",
    "roughly",
    "approximately",
    "only",
    "just",
];

/// Words that make a length surely the session's when they come just before it.
pub(super) const STRONG_BEFORE: &[&str] = &[
    "have", "got", "need", "spend", "spending", "give", "i've", "we've", "ive",
];

/// A clock time, with `noon` and `midnight` as well as what [`parse_clock`] takes.
pub(super) fn clock_from(text: &str) -> Option<ClockTime> {
    let hour = match text.trim().to_lowercase().as_str() {
        "noon" | "midday" => 12,
        "midnight" => 0,
        _ => return parse_clock(text).ok(),
    };
    NaiveTime::from_hms_opt(hour, 0, 0).map(ClockTime::TimeOfDay)
}

/// "until 16:00", "till 4 pm", "until 17", "by 4pm".
pub(super) fn end_time_at(tokens: &[Token], i: usize) -> Result<Option<Found>, WordsError> {
    let until = tokens[i].is_one_of(UNTIL_WORDS);
    if !until && !tokens[i].is_one_of(BY_WORDS) {
        return Ok(None);
    }
    for k in (1..=2).rev() {
        let Some(span) = tokens.get(i + 1..i + 1 + k) else {
            continue;
        };
        if span.iter().all(|t| t.kind == Kind::Word)
            && let Some(end) = clock_from(&render(span))
        {
            let mut found = Found::new(i, i + 1 + k, Setting::Length(Length::Until(end)));
            found.lead = Lead::Strong;
            return Ok(Some(found));
        }
    }
    let bare_hour = tokens
        .get(i + 1)
        .and_then(Token::word)
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .and_then(|w| w.parse::<u32>().ok());
    let Some(hour) = bare_hour.filter(|_| until) else {
        return Ok(None);
    };
    if !tokens.get(i + 2).is_none_or(Token::ends_clause) {
        return Ok(None);
    }
    // 13 to 23 can only be afternoon or evening; 1 to 12 could be either.
    if let Some(time) = NaiveTime::from_hms_opt(hour, 0, 0).filter(|_| hour > 12) {
        let mut found = Found::new(
            i,
            i + 2,
            Setting::Length(Length::Until(ClockTime::TimeOfDay(time))),
        );
        found.lead = Lead::Strong;
        return Ok(Some(found));
    }
    if hour <= 24 {
        return Err(WordsError::UnclearEnd {
            phrase: render(&tokens[i..i + 2]),
        });
    }
    Ok(None)
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
        && UNIT_WORDS.contains(&unit)
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
