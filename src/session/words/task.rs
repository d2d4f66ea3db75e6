//! The task: the words left over.
//!
//! Filler at the start ("I have", "I want to", "can you help me", "please", "let's",
//! "actually" and the like, one after another) goes, and so do connectors and punctuation left dangling next to a removed setting
//! ("for", "on", "with", "to", a comma) and punctuation at either end. No word is changed or
//! added; quotes around the whole task are dropped, quotes inside it stay.

use super::lex::{Kind, Token, render, words_at};

/// Words dropped at the end of a piece of the task when a setting after them was removed.
pub(super) const DANGLING_BEFORE: &str = "for in within during over of on with using via as by \
    to at and spend spending have got need about around roughly approximately starting beginning";

/// Words dropped at the start of the task when what came before them was removed.
pub(super) const DANGLING_AFTER: &str = "on for to of with";

/// Words at the start that say nothing about the task (matched longest first).
pub(super) const FILLERS: &str = "i have got to|i have got|i've got to|i've got|ive got|\
    we've got|i got|i have to|i have|i've|we have|i need to|i need|i want to|i want|i'd like to|\
    i would like to|i wanna|i gotta|i'm going to|i am going to|i'm gonna|i will|i'll|i must|\
    i should|i plan to|i'm planning to|i am planning to|please help me|help me to|help me|let me|\
    let's|lets|please|time to|can you help me to|can you help me|could you help me|can you|\
    could you|actually";

/// The task: the tokens not removed, less filler at the start, connectors and punctuation
/// left dangling next to what was removed, and punctuation at either end; what it drops is
/// marked removed too.
pub(super) fn task_text(tokens: &[Token], removed: &mut [bool]) -> String {
    strip_filler(tokens, removed);
    let punct = |t: &Token| t.kind == Kind::Punct;
    let mut kept_before = false;
    for run in runs(removed, false) {
        let (mut a, mut b) = (run.start, run.end);
        if b < tokens.len() {
            b = trim_end(tokens, a, b, |t| t.is_one_of(DANGLING_BEFORE));
            b = trim_end(tokens, a, b, punct);
        }
        if run.start > 0 || !kept_before {
            a = trim_start(tokens, a, b, punct);
        }
        if run.start > 0 && !kept_before {
            a = trim_start(tokens, a, b, |t| t.is_one_of(DANGLING_AFTER));
            a = trim_start(tokens, a, b, punct);
        }
        removed[run.start..a].fill(true);
        removed[b..run.end].fill(true);
        kept_before |= a < b;
    }
    if let Some(last) = runs(removed, false).pop() {
        let end = trim_end(tokens, last.start, last.end, punct);
        removed[end..last.end].fill(true);
    }
    let kept: Vec<String> = runs(removed, false)
        .into_iter()
        .map(|run| match &tokens[run.clone()] {
            [only] if only.is_quoted() && removed.iter().filter(|r| !**r).count() == 1 => {
                only.text.trim().to_owned()
            }
            part => render(part),
        })
        .collect();
    kept.join(" ")
}

/// The runs of tokens whose `removed` flag is `which`.
pub(super) fn runs(removed: &[bool], which: bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < removed.len() {
        let start = k;
        while k < removed.len() && removed[k] == which {
            k += 1;
        }
        if k > start {
            out.push(start..k);
        }
        k += usize::from(k == start);
    }
    out
}

fn trim_start(tokens: &[Token], mut a: usize, b: usize, drop: impl Fn(&Token) -> bool) -> usize {
    while a < b && drop(&tokens[a]) {
        a += 1;
    }
    a
}

fn trim_end(tokens: &[Token], a: usize, mut b: usize, drop: impl Fn(&Token) -> bool) -> usize {
    while b > a && drop(&tokens[b - 1]) {
        b -= 1;
    }
    b
}

/// Marks filler at the start ("I have", "I want to") as removed.
pub(super) fn strip_filler(tokens: &[Token], removed: &mut [bool]) {
    // Filler after filler ("actually, can you help me …") goes too.
    loop {
        let Some(start) = (0..tokens.len()).find(|&k| !removed[k] && tokens[k].kind != Kind::Punct)
        else {
            return;
        };
        let longest = FILLERS
            .split('|')
            .filter_map(|phrase| words_at(tokens, start, phrase))
            .filter(|&end| !removed[start..end].contains(&true))
            .max();
        let Some(end) = longest else {
            return;
        };
        removed[..end].fill(true);
    }
}
