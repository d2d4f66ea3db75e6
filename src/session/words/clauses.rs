//! Clauses taken out whole before the settings are looked for: the goal and a chain.
//!
//! - **Goal**: `goal:`, `goals:`, `aim:`, `target:` or `objective:`, and `aiming for`,
//!   `aiming to`, `with the goal of`, `so that`, anywhere. A bare `goal`, `goals`, `aim`,
//!   `aim for` or `target` counts only after a comma (or other punctuation), a length or a
//!   method, so "review quarterly goals" stays a task. The goal runs to the end of the text,
//!   less any settings at its end that follow punctuation or a word such as `for`, `in` or
//!   `until` ("goal: 800 words, 90m"). `goals:` gives one goal per work block, split at `;`,
//!   or at `,` when there is no `;`.
//! - **Chain**: the text after the first colon, when it reads as a chain of two or more steps
//!   with lengths ("Blog post: research 10, break 5, write 15"), is parsed as a stack
//!   ([`parse_stack`]) and the words before the colon are the task. Settings after the last
//!   step that start with `for`, `in`, `until` and the like are not part of it ("…, write 15
//!   for 30m"). A chain of two work steps and a break with no colon is an error that shows how
//!   to write it.

use super::lex::{Kind, Token, listed, phrase_at, render};
use super::settings::{Found, Lead, TAIL_WORDS, scan, tail_start};
use super::shape::method_word;
use super::time::UNIT_WORDS;
use super::{Asked, WordsError};
use crate::session::{Step, parse_minutes, parse_stack};

/// Words that may hold a goal after a colon ("goal: 800 words").
pub(super) const GOAL_WORDS: &str = "goal goals aim target objective";

/// Phrases that start a goal anywhere.
pub(super) const GOAL_PHRASES: &str = "with the goal of|with a goal of|with the aim of|\
    aiming for|aiming at|aiming to|so that";

/// Words that start a goal only after punctuation, a length or a method (longest first).
pub(super) const BARE_GOAL_PHRASES: &str = "aim for|goal|goals|aim|target";

/// Words before a colon that name the chain after it; they are not part of the task.
pub(super) const CHAIN_WORDS: &str = "stack stacked chain steps";

/// Goals split at the first of `separators` present; `None` when all are empty.
/// Empty goals in the middle keep their place; empty ones at the end go.
pub(super) fn split_goals(text: &str, separators: &[char]) -> Option<Vec<String>> {
    let mut goals: Vec<String> = match separators.iter().find(|&&c| text.contains(c)) {
        Some(&separator) => text.split(separator).map(|g| g.trim().to_owned()).collect(),
        None => vec![text.trim().to_owned()],
    };
    while goals.last().is_some_and(String::is_empty) {
        goals.pop();
    }
    (!goals.is_empty()).then_some(goals)
}

/// Where a goal starts: the marker's first token and the index after it.
#[derive(Debug, Clone, Copy)]
pub(super) struct GoalMarker {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) blocks: bool,
}

pub(super) fn goal_marker(tokens: &[Token]) -> Option<GoalMarker> {
    (0..tokens.len()).find_map(|i| goal_marker_at(tokens, i))
}

pub(super) fn goal_marker_at(tokens: &[Token], i: usize) -> Option<GoalMarker> {
    let word = tokens[i].word()?;
    let marker = |end: usize, blocks: bool| GoalMarker {
        start: i,
        end,
        blocks,
    };
    if listed(GOAL_WORDS, word) && tokens.get(i + 1).is_some_and(|t| t.is_punct(":")) {
        return Some(marker(i + 2, word == "goals"));
    }
    if let Some(end) = phrase_at(tokens, i, GOAL_PHRASES) {
        return Some(marker(end, false));
    }
    if !bare_goal_allowed(tokens, i) {
        return None;
    }
    let end = phrase_at(tokens, i, BARE_GOAL_PHRASES)?;
    let has_text = tokens.get(end).is_some_and(|t| !t.ends_clause());
    has_text.then(|| marker(end, word == "goals"))
}

/// A bare "goal" is a marker after punctuation, a length or a method; not at the start.
pub(super) fn bare_goal_allowed(tokens: &[Token], i: usize) -> bool {
    let Some(before) = i.checked_sub(1).map(|p| &tokens[p]) else {
        return false;
    };
    if before.ends_clause() || before.is_one_of(UNIT_WORDS) {
        return true;
    }
    before.word().is_some_and(|w| {
        method_word(w).is_some() || (w.contains(char::is_alphabetic) && parse_minutes(w).is_ok())
    })
}

/// Takes the goal clause out, leaving a gap, and any settings at its end in place.
pub(super) fn take_goal(
    tokens: Vec<Token>,
    asked: &mut Asked,
    taken: &mut Vec<String>,
) -> Result<Vec<Token>, WordsError> {
    let Some(marker) = goal_marker(&tokens) else {
        return Ok(tokens);
    };
    let body = &tokens[marker.end..];
    let keep = peel_point(body, Peel::AfterPunctuation);
    let text = render(trim_punct(&body[..keep]));
    let empty = || WordsError::EmptyGoal {
        marker: render(&tokens[marker.start..marker.end]),
    };
    if marker.blocks {
        asked.block_goals = split_goals(&text, &[';', ',']).ok_or_else(empty)?;
    } else if text.is_empty() {
        return Err(empty());
    } else {
        asked.goal = Some(text);
    }
    taken.push(render(&tokens[marker.start..marker.end + keep]));
    let mut rest = tokens[..marker.start].to_vec();
    rest.push(Token::gap());
    rest.extend_from_slice(&body[keep..]);
    Ok(rest)
}

/// What may open the settings at the end of a goal or a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Peel {
    /// Punctuation or a word such as "for": "800 words, 90m", "800 words in 90m".
    AfterPunctuation,
    /// Only a word such as "for": a chain's steps are separated by commas.
    AfterMarker,
}

/// Where the settings at the end of a goal or chain start, or its length when none do.
pub(super) fn peel_point(body: &[Token], peel: Peel) -> usize {
    let found = scan(body).unwrap_or_default();
    let mut k = tail_start(body, &found);
    while k < body.len() && !opens_tail(body, &found, k, peel) {
        k += 1;
    }
    k
}

/// Whether the settings may start at `k`.
pub(super) fn opens_tail(tokens: &[Token], found: &[Found], k: usize, peel: Peel) -> bool {
    if found.iter().any(|f| f.start < k && k < f.end) {
        return false;
    }
    (peel == Peel::AfterPunctuation && tokens[k].ends_clause())
        || tokens[k].is_one_of(TAIL_WORDS)
        || found.iter().any(|f| f.start == k && f.lead != Lead::None)
}

pub(super) fn trim_punct(mut tokens: &[Token]) -> &[Token] {
    while let Some((first, rest)) = tokens.split_first()
        && first.ends_clause()
    {
        tokens = rest;
    }
    while let Some((last, rest)) = tokens.split_last()
        && last.ends_clause()
    {
        tokens = rest;
    }
    tokens
}

/// Takes a chain after a colon out as the stack; errors on a chain with no task.
pub(super) fn take_stack(
    tokens: Vec<Token>,
    asked: &mut Asked,
    taken: &mut Vec<String>,
) -> Result<Vec<Token>, WordsError> {
    if let Some(colon) = tokens.iter().position(|t| t.is_punct(":")) {
        let end = (colon + 1..tokens.len())
            .find(|&k| tokens[k].kind == Kind::Gap)
            .unwrap_or(tokens.len());
        // "for 30m" after the last step is the session's, not the step's.
        let end = colon + 1 + peel_point(&tokens[colon + 1..end], Peel::AfterMarker);
        let chain = render(&tokens[colon + 1..end]);
        if looks_like_chain(&chain) {
            asked.stack = Some(parse_stack(&chain).map_err(WordsError::Stack)?);
            let named = colon > 0 && tokens[colon - 1].is_one_of(CHAIN_WORDS);
            taken.push(render(&tokens[colon - usize::from(named)..end]));
            let mut rest = tokens[..colon - usize::from(named)].to_vec();
            rest.push(Token::gap());
            rest.extend_from_slice(&tokens[end..]);
            return Ok(rest);
        }
        return Ok(tokens);
    }
    let whole = render(&tokens);
    if looks_like_chain(&whole)
        && let Ok(steps) = parse_stack(&whole)
        && steps
            .iter()
            .filter(|s| matches!(s, Step::Work { .. }))
            .count()
            > 1
        && steps.iter().any(|s| matches!(s, Step::Break { .. }))
    {
        return Err(WordsError::StackWithoutTask);
    }
    Ok(tokens)
}

/// Two or more pieces between commas (or `;`, `->`, `→`, `then`) that start or end with a
/// length.
pub(super) fn looks_like_chain(text: &str) -> bool {
    let normalised = text.replace("->", ",").replace(['→', ';'], ",");
    let timed = normalised
        .split(',')
        .flat_map(|piece| piece.split(" then "))
        .filter(|piece| {
            let words: Vec<&str> = piece.split_whitespace().collect();
            let is_length = |w: &&str| parse_minutes(w).is_ok();
            words.first().is_some_and(is_length) || words.last().is_some_and(is_length)
        })
        .count();
    timed >= 2
}
