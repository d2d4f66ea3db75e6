//! Finding the settings among the words, and keeping those the words around them make sure of.
//!
//! Every setting the words may hold is found left to right ([`scan`]); each then counts or
//! stays in the task ([`settle`]):
//! - A length counts after `for`, `in` or `within`; after "have", "got", "need" or "spend";
//!   when it ends a clause or comes before `on`, `to`, `of` or `for`; when only settings follow
//!   it; or, as one word of digits and unit (`30m`, `1h30`), when it opens a clause ("30m
//!   review PRs"). After an article, a possessive, `about`, `of` or `on` it belongs to the task
//!   ("prepare the 10 minute demo"). When several lengths count, the one after `for`, `until`
//!   or "I have" wins and the rest stay in the task; two of the same standing are an error.
//! - A firm method counts after `for`, `with`, `using`, `via`, `as`, `by` or `in` ("for deep
//!   work", "in pomodoros"), right after a length that counts ("2h deep work"), in the
//!   settings at the end of the text, or as a clause of its own (", micro"). `deep`, `auto`,
//!   `custom` and `stacked` alone count only after `method` or as a clause of their own, so
//!   "dive deep into the logs" stays a task.
//! - A rhythm always counts.

use super::lex::{Kind, Token, render, skip};
use super::shape::{count_at, method_at, rhythm_at};
use super::time::{end_time_at, length_after, plain_length_at, start_at};
use super::{Asked, Length, Start, Time, WordsError, either, set};
use crate::session::Method;

pub(super) const ARTICLES: &str = "a|an|the";

/// Words before a setting that make it part of the task ("the 10 minute demo").
pub(super) const SUBJECT_WORDS: &str = "about on of into regarding the a an my your our their \
    his her its this that these those each every per";

/// Words after a length that let it count ("2 hours on the doc").
pub(super) const LENGTH_FOLLOWERS: &str = "on to of for";

/// Words that may sit among the settings at the end of the text.
pub(super) const TAIL_WORDS: &str = "for with in within using via as and at by & +";

/// What introduces a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lead {
    /// Nothing: the words around it decide.
    None,
    /// `in`, `with`, `using` and the like.
    Marked,
    /// `for`, `until`, or "have", "got", "need", "spend" just before: surely the session's.
    Strong,
    /// `method`: even `deep` alone is a method after it.
    Named,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Setting {
    Length(Length),
    Method {
        method: Method,
        /// A method without help from a marker or a clause of its own.
        firm: bool,
    },
    /// A rhythm ("50/10", "25 min blocks") or a count ("3 pomodoros", "four 25-minute
    /// blocks").
    Shape {
        blocks: Option<u32>,
        work: Option<u32>,
        rest: Option<u32>,
        method: Option<Method>,
    },
    /// "at 9", "from 15:00 to 16:00".
    Start {
        start: Start,
        until: Option<Time>,
    },
}

/// A setting found at `start..end` (the marker included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) setting: Setting,
    pub(super) lead: Lead,
}

impl Found {
    pub(super) fn new(start: usize, end: usize, setting: Setting) -> Found {
        Found {
            start,
            end,
            setting,
            lead: Lead::None,
        }
    }
}

/// Every setting the words may hold, left to right, not overlapping.
pub(super) fn scan(tokens: &[Token]) -> Result<Vec<Found>, WordsError> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match found_at(tokens, i)? {
            Some(f) => {
                i = f.end;
                found.push(f);
            }
            None => i += 1,
        }
    }
    Ok(found)
}

pub(super) fn found_at(tokens: &[Token], i: usize) -> Result<Option<Found>, WordsError> {
    if tokens[i].word().is_none() {
        return Ok(None);
    }
    if let Some(found) = start_at(tokens, i).or_else(|| end_time_at(tokens, i)) {
        return Ok(Some(found));
    }
    if let Some(found) = marked_at(tokens, i)? {
        return Ok(Some(found));
    }
    Ok(count_at(tokens, i)
        .or_else(|| rhythm_at(tokens, i))
        .or_else(|| method_at(tokens, i))
        .or_else(|| plain_length_at(tokens, i)))
}

/// A word that introduces a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    For,
    In,
    With,
    Method,
    Rhythm,
}

impl Marker {
    pub(super) fn from_word(word: &str) -> Option<Marker> {
        let marker = match word {
            "for" => Marker::For,
            "in" | "within" => Marker::In,
            "with" | "using" | "via" | "as" | "by" | "at" => Marker::With,
            "method" => Marker::Method,
            "rhythm" => Marker::Rhythm,
            _ => return None,
        };
        Some(marker)
    }
}

/// A setting after a marker: "for 90 minutes", "with pomodoros", "method: deep".
pub(super) fn marked_at(tokens: &[Token], i: usize) -> Result<Option<Found>, WordsError> {
    let Some(marker) = tokens[i].word().and_then(Marker::from_word) else {
        return Ok(None);
    };
    let mut j = i + 1;
    if matches!(marker, Marker::Method | Marker::Rhythm)
        && tokens.get(j).is_some_and(|t| t.is_punct(":"))
    {
        j += 1;
    }
    let k = skip(tokens, j, ARTICLES);
    let setting = match marker {
        Marker::Method => method_at(tokens, k),
        Marker::Rhythm => rhythm_at(tokens, k),
        Marker::For | Marker::In | Marker::With => count_at(tokens, k)
            .or_else(|| rhythm_at(tokens, k))
            .or_else(|| method_at(tokens, k)),
    };
    if let Some(found) = setting {
        let lead = if marker == Marker::Method {
            Lead::Named
        } else {
            Lead::Marked
        };
        return Ok(Some(Found {
            start: i,
            lead,
            ..found
        }));
    }
    match marker {
        Marker::For | Marker::In => length_after(tokens, i, marker),
        _ => Ok(None),
    }
}

/// Where the settings at the end of the text start: only settings, punctuation and words
/// like "for" and "with" follow.
pub(super) fn tail_start(tokens: &[Token], found: &[Found]) -> usize {
    let mut pos = tokens.len();
    while pos > 0 {
        let token = &tokens[pos - 1];
        if token.ends_clause() || token.is_one_of(TAIL_WORDS) {
            pos -= 1;
        } else if let Some(f) = found.iter().find(|f| f.end == pos) {
            pos = f.start;
        } else {
            break;
        }
    }
    pos
}

/// Whether a setting found counts, given the words and the settings around it.
pub(super) fn counts(tokens: &[Token], all: &[Found], found: &Found, tail: usize) -> bool {
    let before = found.start.checked_sub(1).map(|p| &tokens[p]);
    let after = tokens.get(found.end);
    let opens = before.is_none_or(Token::ends_clause);
    let closes = after.is_none_or(Token::ends_clause);
    let in_tail = found.start >= tail;
    let firm_method = matches!(found.setting, Setting::Method { firm: true, .. });
    if found.lead == Lead::None
        && before.is_some_and(|t| t.is_one_of(SUBJECT_WORDS))
        && !(firm_method && after_counted_length(tokens, all, found, tail))
    {
        return false;
    }
    match found.setting {
        Setting::Length(_) => {
            found.lead != Lead::None
                || in_tail
                || closes
                || after.is_some_and(|t| t.is_one_of(LENGTH_FOLLOWERS))
                || (opens && found.end == found.start + 1 && is_compact(&tokens[found.start]))
        }
        Setting::Method { firm: true, .. } => {
            found.lead != Lead::None
                || in_tail
                || (opens && closes)
                || (opens && after.is_some_and(|t| t.is_one_of("on")))
                || after_counted_length(tokens, all, found, tail)
        }
        Setting::Method { firm: false, .. } => found.lead == Lead::Named || (opens && closes),
        Setting::Shape { .. } | Setting::Start { .. } => true,
    }
}

/// A length in one word, digits then a unit: "30m", "1h30", "2h" (not "10-minute").
pub(super) fn is_compact(token: &Token) -> bool {
    token.word().is_some_and(|w| {
        w.starts_with(|c: char| c.is_ascii_digit())
            && w.contains(char::is_alphabetic)
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
    })
}

/// Whether a length that counts ends right where `found` starts, or just before `of` ("2h
/// deep work", "12 hours of deep work").
pub(super) fn after_counted_length(
    tokens: &[Token],
    all: &[Found],
    found: &Found,
    tail: usize,
) -> bool {
    let of = found.start > 0 && tokens[found.start - 1].is_one_of("of");
    all.iter().any(|f| {
        (f.end == found.start || (of && f.end + 1 == found.start))
            && matches!(f.setting, Setting::Length(_))
            && counts(tokens, all, f, tail)
    })
}

/// Applies the settings that count and returns which tokens they used (gaps included).
pub(super) fn settle(
    tokens: &[Token],
    found: &[Found],
    asked: &mut Asked,
) -> Result<Vec<bool>, WordsError> {
    let tail = tail_start(tokens, found);
    let counted: Vec<&Found> = found
        .iter()
        .filter(|f| counts(tokens, found, f, tail))
        .collect();
    let mut removed: Vec<bool> = tokens.iter().map(|t| t.kind == Kind::Gap).collect();
    let mut used = choose_length(tokens, &counted, asked)?;
    for f in &counted {
        match f.setting {
            Setting::Length(_) => continue,
            Setting::Method { method, .. } => set(&mut asked.method, method, "methods")?,
            Setting::Shape {
                blocks,
                work,
                rest,
                method,
            } => {
                if let (Some(first), Some(second)) = (asked.count, blocks)
                    && first != second
                {
                    return Err(WordsError::Twice {
                        what: "counts of blocks",
                        first: first.to_string(),
                        second: second.to_string(),
                    });
                }
                asked.count = asked.count.or(blocks);
                asked.work = either(asked.work, work, "work lengths")?;
                asked.break_minutes = either(asked.break_minutes, rest, "break lengths")?;
                asked.method = either(asked.method, method, "methods")?;
            }
            Setting::Start { start, until } => {
                set(&mut asked.start, start, "starts")?;
                if let Some(end) = until {
                    set(&mut asked.length, Length::Until(end), "lengths")?;
                }
            }
        }
        used.push(f);
    }
    for f in used {
        removed[f.start..f.end].fill(true);
    }
    Ok(removed)
}

/// Picks the session's length among those that count; returns the ones it used.
pub(super) fn choose_length<'a>(
    tokens: &[Token],
    counted: &[&'a Found],
    asked: &mut Asked,
) -> Result<Vec<&'a Found>, WordsError> {
    let lengths: Vec<(&Found, Length)> = counted
        .iter()
        .filter_map(|f| match f.setting {
            Setting::Length(length) => Some((*f, length)),
            _ => None,
        })
        .collect();
    let has_strong = lengths.iter().any(|(f, _)| f.lead == Lead::Strong);
    let pool: Vec<(&Found, Length)> = lengths
        .into_iter()
        .filter(|(f, _)| !has_strong || f.lead == Lead::Strong)
        .collect();
    let Some(&(first, length)) = pool.first() else {
        return Ok(Vec::new());
    };
    if let Some((other, _)) = pool.iter().find(|(_, l)| *l != length) {
        return Err(WordsError::Twice {
            what: "lengths",
            first: render(&tokens[first.start..first.end]),
            second: render(&tokens[other.start..other.end]),
        });
    }
    asked.length = Some(length);
    Ok(pool.into_iter().map(|(f, _)| f).collect())
}
