//! The task: the words left over.
//!
//! Filler at the start ("I have", "I want to", "help me", "please", "let's" and the like)
//! goes, and so do connectors and punctuation left dangling next to a removed setting
//! ("for", "on", "with", "to", a comma) and punctuation at either end. No word is changed or
//! added; quotes around the whole task are dropped, quotes inside it stay.

use super::lex::{Kind, Token, render, words_at};

/// Words dropped at the end of a piece of the task when a setting after them was removed.
pub(super) const DANGLING_BEFORE: &[&str] = &[
    "for",
    "in",
    "within",
    "during",
    "over",
    "of",
    "on",
    "with",
    "using",
    "via",
    "as",
    "by",
    "to",
    "at",
    "and",
    "spend",
    "spending",
    "have",
    "got",
    "need",
    "about",
    "around",
    "roughly",
    "approximately",
];

/// Words dropped at the start of the task when what came before them was removed.
pub(super) const DANGLING_AFTER: &[&str] = &["on", "for", "to", "of", "with"];

/// Words at the start that say nothing about the task (matched longest first).
pub(super) const FILLERS: &[&[&str]] = &[
    &["i", "have", "got", "to"],
    &["i", "have", "got"],
    &["i've", "got", "to"],
    &["i've", "got"],
    &["ive", "got"],
    &["we've", "got"],
    &["i", "got"],
    &["i", "have", "to"],
    &["i", "have"],
    &["i've"],
    &["we", "have"],
    &["i", "need", "to"],
    &["i", "need"],
    &["i", "want", "to"],
    &["i", "want"],
    &["i'd", "like", "to"],
    &["i", "would", "like", "to"],
    &["i", "wanna"],
    &["i", "gotta"],
    &["i'm", "going", "to"],
    &["i", "am", "going", "to"],
    &["i'm", "gonna"],
    &["i", "will"],
    &["i'll"],
    &["i", "must"],
    &["i", "should"],
    &["i", "plan", "to"],
    &["i'm", "planning", "to"],
    &["i", "am", "planning", "to"],
    &["please", "help", "me"],
    &["help", "me", "to"],
    &["help", "me"],
    &["let", "me"],
    &["let's"],
    &["lets"],
    &["please"],
    &["time", "to"],
];

/// A run of tokens left between removed ones.
#[derive(Debug)]
pub(super) struct Fragment<'a> {
    pub(super) tokens: Vec<&'a Token>,
    pub(super) gap_before: bool,
    pub(super) gap_after: bool,
}

pub(super) fn fragments<'a>(tokens: &'a [Token], removed: &[bool]) -> Vec<Fragment<'a>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut gap_before = false;
    for (token, &gone) in tokens.iter().zip(removed) {
        if !gone {
            current.push(token);
            continue;
        }
        if !current.is_empty() {
            out.push(Fragment {
                tokens: std::mem::take(&mut current),
                gap_before,
                gap_after: true,
            });
        }
        gap_before = true;
    }
    if !current.is_empty() {
        out.push(Fragment {
            tokens: current,
            gap_before,
            gap_after: false,
        });
    }
    out
}

/// Marks filler at the start ("I have", "I want to") as removed.
pub(super) fn strip_filler(tokens: &[Token], removed: &mut [bool]) {
    let Some(start) = (0..tokens.len()).find(|&k| !removed[k] && tokens[k].kind != Kind::Punct)
    else {
        return;
    };
    let longest = FILLERS
        .iter()
        .filter_map(|phrase| words_at(tokens, start, phrase))
        .filter(|&end| !removed[start..end].contains(&true))
        .max();
    if let Some(end) = longest {
        removed[start..end].fill(true);
    }
}

pub(super) fn task_text(tokens: &[Token], mut removed: Vec<bool>) -> String {
    strip_filler(tokens, &mut removed);
    let mut parts: Vec<Vec<&Token>> = Vec::new();
    for fragment in fragments(tokens, &removed) {
        let mut part: &[&Token] = &fragment.tokens;
        if fragment.gap_after {
            part = drop_last(part, |t| t.is_one_of(DANGLING_BEFORE));
            part = drop_last(part, |t| t.kind == Kind::Punct);
        }
        if fragment.gap_before {
            part = drop_first(part, |t| t.kind == Kind::Punct);
            if parts.is_empty() {
                part = drop_first(part, |t| t.is_one_of(DANGLING_AFTER));
                part = drop_first(part, |t| t.kind == Kind::Punct);
            }
        }
        if !part.is_empty() {
            parts.push(part.to_vec());
        }
    }
    if let Some(first) = parts.first_mut() {
        let kept = drop_first(first, |t| t.kind == Kind::Punct).len();
        first.drain(..first.len() - kept);
    }
    if let Some(last) = parts.last_mut() {
        let kept = drop_last(last, |t| t.kind == Kind::Punct).len();
        last.truncate(kept);
    }
    parts.retain(|p| !p.is_empty());
    match parts.as_slice() {
        [only] if only.len() == 1 && only[0].is_quoted() => only[0].text.trim().to_owned(),
        _ => {
            let pieces: Vec<String> = parts.iter().map(|p| render(p.iter().copied())).collect();
            pieces.join(" ")
        }
    }
}

pub(super) fn drop_first<'s, 'a>(
    mut part: &'s [&'a Token],
    drop: impl Fn(&Token) -> bool,
) -> &'s [&'a Token] {
    while let Some((first, rest)) = part.split_first()
        && drop(first)
    {
        part = rest;
    }
    part
}

pub(super) fn drop_last<'s, 'a>(
    mut part: &'s [&'a Token],
    drop: impl Fn(&Token) -> bool,
) -> &'s [&'a Token] {
    while let Some((last, rest)) = part.split_last()
        && drop(last)
    {
        part = rest;
    }
    part
}
