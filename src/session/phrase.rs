//! Reads a request for a session written in plain words, as typed after `/plan`, into its
//! parts: the task, a length or an end time, a goal (or one per block), a method, a stack and
//! a work/break rhythm.
//!
//! The reader is pure and careful. It takes words as a setting only when the words around
//! them say so, and leaves everything else in the task as typed. The rules, in the order they
//! apply:
//!
//! - **Options** work as on the command line: `--for`, `--until`, `--method` (`-m`), `--goal`
//!   (`-g`), `--goals`, `--work`, `--break` and `--stack`, with the value after a space or `=`.
//!   A length or a clock time may take several words (`--for 1h 30m`); a text value runs to
//!   the next option unless it is quoted. Any other `--word` is an error. A part given both as
//!   an option and in words must be the same in both.
//! - **Quotes** (`"…"`, `'…'`, `“…”`, `‘…’`, `«…»`) guard their words: quoted text is never read
//!   as a setting. Quotes around the whole task are dropped; quotes inside it stay.
//! - **Goal**: `goal:`, `goals:`, `aim:`, `target:` or `objective:`, and `aiming for`,
//!   `aiming to`, `with the goal of`, `so that`, anywhere. A bare `goal`, `goals`, `aim`,
//!   `aim for` or `target` counts only after a comma (or other punctuation), a length or a
//!   method, so "review quarterly goals" stays a task. The goal runs to the end of the text,
//!   less any settings at its end that follow punctuation or a word such as `for`, `in` or
//!   `until` ("goal: 800 words, 90m"). `goals:` gives one goal per work block, split at `;`,
//!   or at `,` when there is no `;`.
//! - **Stack**: the text after the first colon, when it reads as a chain of two or more steps
//!   with lengths ("Blog post: research 10, break 5, write 15"), goes to [`parse_stack`] and
//!   the words before the colon are the task. Settings after the last step that start with
//!   `for`, `in`, `until` and the like are not part of it ("…, write 15 for 30m"). A chain of
//!   two work steps and a break with no colon is an error that shows how to write it.
//! - **End time**: `until`, `till` or `til` before a clock time (`16:00`, `4pm`, `4:30 pm`,
//!   `noon`, `midnight`) or an hour from 13 to 23; `by` before a clock time. "until 5" is an
//!   error: it could be morning or evening.
//! - **Length**: anything [`parse_minutes`] reads with a unit (`90m`, `45 min`, `1h30`,
//!   `1.5 hours`, `10-minute`), plus `an hour`, `half an hour`, `an hour and a half`,
//!   `a quarter of an hour` and number words up to ninety (`two hours`). A bare number is a
//!   length only right after `for` at the end of a clause ("read for 20"). A length counts
//!   after `for`, `in` or `within`; after "have", "got", "need" or "spend"; when it ends a
//!   clause or comes before `on`, `to`, `of` or `for`; when only settings follow it; or, as one
//!   word of digits and unit (`30m`, `1h30`), when it opens a clause ("30m review PRs").
//!   After an article, a possessive, `about`, `of` or `on` it belongs to the task ("prepare the
//!   10 minute demo"). When several lengths count, the one after `for`, `until` or "I have"
//!   wins and the rest stay in the task; two of the same standing are an error.
//! - **Method**: `pomodoro(s)`, `pomo`, `micro`, `deep work`, and `deep`, `auto`, `custom`,
//!   `stacked` followed by a word such as `work`, `session(s)`, `blocks`, `style` or `method`.
//!   It counts after `for`, `with`, `using`, `via`, `as`, `by` or `in` ("for deep work",
//!   "in pomodoros"), right after a length that counts ("2h deep work"), in the settings at
//!   the end of the text, or as a clause of its own (", micro"). `deep`, `auto`, `custom` and
//!   `stacked` alone count only after `method` or as a clause of their own, so "dive deep into
//!   the logs" stays a task.
//! - **Rhythm**: `50/10` (work/break), `work 40 break 8`, `25 min blocks`, `10 minute breaks`,
//!   `25m pomodoros` (up to an hour; "2h pomodoros" is the session's length and the method).
//! - **Task**: the words left over. Filler at the start ("I have", "I want to", "help me",
//!   "please", "let's" and the like) goes, and so do connectors and punctuation left dangling
//!   next to a removed setting ("for", "on", "with", "to", a comma) and punctuation at either
//!   end. No word is changed or added.
//!
//! It does not read counts ("3 pomodoros"), start times ("at 9", "from 2 to 4"), lengths
//! relative to now ("for the next hour", "until lunch"), dates in words ("until Friday 4pm"),
//! a goal written before the task, or more than one task. A length in words at the very start
//! ("2 hours on the doc" aside) is left in the task, since "10 minute demo prep" is a task.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveTime;

use crate::session::duration::{DurationError, MAX_MINUTES};
use crate::session::stack::StackError;
use crate::session::{
    ClockTime, Method, Step, format_minutes, parse_clock, parse_minutes, parse_stack,
};

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
}

/// How long a session is: a number of minutes, or up to a clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// "for 90 minutes"
    Minutes(u32),
    /// "until 16:00": the caller turns it into minutes from the start.
    Until(ClockTime),
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Length::Minutes(minutes) => f.write_str(&format_minutes(*minutes)),
            Length::Until(time) => write!(f, "until {time}"),
        }
    }
}

/// Why a request cannot be read. Each message says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhraseError {
    #[error("say what you will work on, e.g. /plan write the report for 50m")]
    NoTask,
    #[error(
        "say what the chain is for, then a colon, e.g. /plan Blog post: research 10, break 5, write 15"
    )]
    StackWithoutTask,
    #[error("{flag} needs a value, e.g. {flag} {example}")]
    MissingValue {
        flag: &'static str,
        example: &'static str,
    },
    #[error("{flag} takes {accepted} (not \"{value}\")")]
    BadValue {
        flag: &'static str,
        value: String,
        accepted: &'static str,
    },
    #[error(
        "unknown option {0}; the options are --for, --until, --method, --goal, --goals, --work, --break and --stack"
    )]
    UnknownFlag(String),
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
    #[error("\"{phrase}\" could be morning or evening; write the end as 17:00 or 5pm")]
    UnclearEnd { phrase: String },
    #[error("\"{phrase}\": {source}")]
    BadLength {
        phrase: String,
        source: DurationError,
    },
    #[error(transparent)]
    Stack(StackError),
}

/// Reads a request such as "write the report for 50m, goal: 800 words" into its parts.
pub fn read(text: &str) -> Result<Asked, PhraseError> {
    let (given, rest) = take_flags(&lex(text))?;
    let said = read_words(rest)?;
    let asked = merge(said, given)?;
    if asked.task.is_empty() {
        return Err(PhraseError::NoTask);
    }
    Ok(asked)
}

// ---------------------------------------------------------------------------------------------
// Words the reader knows. All are compared in lower case.

/// Words that may hold a goal after a colon ("goal: 800 words").
const GOAL_WORDS: &[&str] = &["goal", "goals", "aim", "target", "objective"];
/// Phrases that start a goal anywhere.
const GOAL_PHRASES: &[&[&str]] = &[
    &["with", "the", "goal", "of"],
    &["with", "a", "goal", "of"],
    &["with", "the", "aim", "of"],
    &["aiming", "for"],
    &["aiming", "at"],
    &["aiming", "to"],
    &["so", "that"],
];
/// Words that start a goal only after punctuation, a length or a method (longest first).
const BARE_GOAL_PHRASES: &[&[&str]] = &[
    &["aim", "for"],
    &["goal"],
    &["goals"],
    &["aim"],
    &["target"],
];
/// Words cut from a word at its colon: "goal:800" reads as "goal: 800".
const COLON_SPLIT: &[&str] = &["goal", "goals", "aim", "target", "objective", "method"];
/// Words before a colon that name the chain after it; they are not part of the task.
const CHAIN_WORDS: &[&str] = &["stack", "stacked", "chain", "steps"];
const UNTIL_WORDS: &[&str] = &["until", "till", "til", "'til", "untill"];
/// Words before an end time that take only a clock time, never a bare hour ("cut it by 5").
const BY_WORDS: &[&str] = &["by"];
const UNIT_WORDS: &[&str] = &[
    "h", "hr", "hrs", "hour", "hours", "m", "min", "mins", "minute", "minutes",
];
/// Words between a marker and a length that go with the length ("for about 2 hours").
const QUALIFIERS: &[&[&str]] = &[
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
const HEDGES: &[&str] = &[
    "about",
    "around",
    "roughly",
    "approximately",
    "only",
    "just",
];
const ARTICLES: &[&[&str]] = &[&["a"], &["an"], &["the"]];
/// Words that make a length surely the session's when they come just before it.
const STRONG_BEFORE: &[&str] = &[
    "have", "got", "need", "spend", "spending", "give", "i've", "we've", "ive",
];
/// Words before a setting that make it part of the task ("the 10 minute demo").
const SUBJECT_WORDS: &[&str] = &[
    "about",
    "on",
    "of",
    "into",
    "regarding",
    "the",
    "a",
    "an",
    "my",
    "your",
    "our",
    "their",
    "his",
    "her",
    "its",
    "this",
    "that",
    "these",
    "those",
    "each",
    "every",
    "per",
];
/// Words after a length that let it count ("2 hours on the doc").
const LENGTH_FOLLOWERS: &[&str] = &["on", "to", "of", "for"];
/// Words that may sit among the settings at the end of the text.
const TAIL_WORDS: &[&str] = &[
    "for", "with", "in", "within", "using", "via", "as", "and", "at", "by", "&", "+",
];
/// Words dropped at the end of a piece of the task when a setting after them was removed.
const DANGLING_BEFORE: &[&str] = &[
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
const DANGLING_AFTER: &[&str] = &["on", "for", "to", "of", "with"];
/// Words at the start that say nothing about the task (matched longest first).
const FILLERS: &[&[&str]] = &[
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
/// Words after a method word that make it surely a method ("deep work", "micro sessions").
const METHOD_SUFFIXES: &[&str] = &[
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
const WORK_SUFFIXES: &[&str] = &[
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
const MAX_POMODORO: u32 = 60;
/// Words after a length that make it the break's length ("10 minute breaks").
const BREAK_SUFFIXES: &[&str] = &["break", "breaks", "rest", "rests", "pause", "pauses"];
/// Words after `50/10` that go with it.
const RHYTHM_WORDS: &[&str] = &["rhythm", "split", "cycle", "cycles"];

/// A method word and whether it is a method on its own (`pomodoro`) or only with a word after
/// it (`deep work`).
fn method_word(word: &str) -> Option<(Method, bool)> {
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

fn number_word(word: &str) -> Option<u32> {
    let number = match word {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        "twenty-five" => 25,
        "thirty" => 30,
        "forty" => 40,
        "forty-five" => 45,
        "fifty" => 50,
        "sixty" => 60,
        "ninety" => 90,
        _ => return None,
    };
    Some(number)
}

// ---------------------------------------------------------------------------------------------
// Tokens.

/// Characters that end a clause when they stand apart from words.
const PUNCTUATION: &[char] = &[
    ',', ';', ':', '.', '!', '?', '(', ')', '[', ']', '-', '–', '—', '…', '/',
];
/// Punctuation split off the end of a word.
const TRAILING: &[char] = &[',', ';', ':', '.', '!', '?', ')', ']'];
/// Punctuation split off the start of a word.
const LEADING: &[char] = &['(', '['];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    /// Quoted text, kept with its quotes and never read as a setting.
    Quoted {
        open: char,
        close: char,
    },
    Punct,
    /// Where something was taken out: a clause boundary that prints nothing.
    Gap,
}

#[derive(Debug, Clone)]
struct Token {
    text: String,
    /// Lower case, with typographic apostrophes made plain.
    lower: String,
    kind: Kind,
    /// No space before it.
    glued: bool,
}

impl Token {
    fn new(text: &str, kind: Kind, glued: bool) -> Token {
        Token {
            text: text.to_owned(),
            lower: text.to_lowercase().replace('’', "'"),
            kind,
            glued,
        }
    }

    fn gap() -> Token {
        Token::new("", Kind::Gap, false)
    }

    /// The word in lower case, if this is a word.
    fn word(&self) -> Option<&str> {
        (self.kind == Kind::Word).then_some(self.lower.as_str())
    }

    fn is_one_of(&self, words: &[&str]) -> bool {
        self.word().is_some_and(|w| words.contains(&w))
    }

    fn ends_clause(&self) -> bool {
        matches!(self.kind, Kind::Punct | Kind::Gap)
    }

    fn is_punct(&self, mark: &str) -> bool {
        self.kind == Kind::Punct && self.text == mark
    }

    fn is_quoted(&self) -> bool {
        matches!(self.kind, Kind::Quoted { .. })
    }
}

/// Splits text into words, quoted runs and punctuation.
fn lex(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut glued = false;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            glued = false;
            i += 1;
            continue;
        }
        let may_open = !glued || i.checked_sub(1).is_some_and(|p| chars[p] == '=');
        if may_open
            && let Some(close) = closing_quote(c)
            && let Some(end) = find_close(&chars, i + 1, close)
        {
            let content: String = chars[i + 1..end].iter().collect();
            tokens.push(Token::new(&content, Kind::Quoted { open: c, close }, glued));
            i = end + 1;
            glued = true;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(|c| !c.is_whitespace()) {
            i += 1;
            // `--goal="800 words"`: the quote after `=` opens a value.
            if chars[i - 1] == '=' && chars[start..].starts_with(&['-', '-']) {
                break;
            }
        }
        let word: String = chars[start..i].iter().collect();
        push_word(&mut tokens, &word, glued);
        glued = true;
    }
    tokens
}

fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '\'' => Some('\''),
        '“' => Some('”'),
        '‘' => Some('’'),
        '«' => Some('»'),
        _ => None,
    }
}

/// Where a quote closes: at the closing mark that ends a word.
fn find_close(chars: &[char], from: usize, close: char) -> Option<usize> {
    (from..chars.len()).find(|&j| {
        chars[j] == close
            && chars
                .get(j + 1)
                .is_none_or(|c| c.is_whitespace() || TRAILING.contains(c))
    })
}

/// Pushes a word with its leading and trailing punctuation as separate tokens.
fn push_word(tokens: &mut Vec<Token>, word: &str, glued: bool) {
    if word.chars().all(|c| PUNCTUATION.contains(&c)) {
        tokens.push(Token::new(word, Kind::Punct, glued));
        return;
    }
    let core_start = word.len() - word.trim_start_matches(LEADING).len();
    let core_end = word.trim_end_matches(TRAILING).len();
    let mut glued = glued;
    for c in word[..core_start].chars() {
        tokens.push(Token::new(&c.to_string(), Kind::Punct, glued));
        glued = true;
    }
    let core = &word[core_start..core_end];
    match core.split_once(':') {
        Some((head, tail)) if !tail.is_empty() && COLON_SPLIT.contains(&&*head.to_lowercase()) => {
            tokens.push(Token::new(head, Kind::Word, glued));
            tokens.push(Token::new(":", Kind::Punct, true));
            tokens.push(Token::new(tail, Kind::Word, true));
        }
        _ => tokens.push(Token::new(core, Kind::Word, glued)),
    }
    for c in word[core_end..].chars() {
        tokens.push(Token::new(&c.to_string(), Kind::Punct, true));
    }
}

/// The tokens as text, spaced as typed, quotes kept.
fn render<'a>(tokens: impl IntoIterator<Item = &'a Token>) -> String {
    let mut out = String::new();
    for token in tokens {
        if token.kind == Kind::Gap {
            continue;
        }
        if !out.is_empty() && !token.glued {
            out.push(' ');
        }
        match token.kind {
            Kind::Quoted { open, close } => {
                out.push(open);
                out.push_str(&token.text);
                out.push(close);
            }
            _ => out.push_str(&token.text),
        }
    }
    out
}

/// Where the words of `phrase` start at `i`, the index after them.
fn words_at(tokens: &[Token], i: usize, phrase: &[&str]) -> Option<usize> {
    let span = tokens.get(i..i + phrase.len())?;
    span.iter()
        .zip(phrase)
        .all(|(token, word)| token.word() == Some(*word))
        .then_some(i + phrase.len())
}

/// The index after any of `phrases` repeated from `i`.
fn skip(tokens: &[Token], mut i: usize, phrases: &[&[&str]]) -> usize {
    while let Some(end) = phrases.iter().find_map(|p| words_at(tokens, i, p)) {
        i = end;
    }
    i
}

// ---------------------------------------------------------------------------------------------
// Options.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    For,
    Until,
    Method,
    Goal,
    Goals,
    Work,
    Break,
    Stack,
}

/// How an option's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    Length,
    Clock,
    Word,
    Text,
}

impl Flag {
    const ALL: [Flag; 8] = [
        Flag::For,
        Flag::Until,
        Flag::Method,
        Flag::Goal,
        Flag::Goals,
        Flag::Work,
        Flag::Break,
        Flag::Stack,
    ];

    fn name(self) -> &'static str {
        match self {
            Flag::For => "--for",
            Flag::Until => "--until",
            Flag::Method => "--method",
            Flag::Goal => "--goal",
            Flag::Goals => "--goals",
            Flag::Work => "--work",
            Flag::Break => "--break",
            Flag::Stack => "--stack",
        }
    }

    fn from_name(name: &str) -> Option<Flag> {
        match name {
            "-m" => Some(Flag::Method),
            "-g" => Some(Flag::Goal),
            _ => Flag::ALL.into_iter().find(|flag| flag.name() == name),
        }
    }

    fn example(self) -> &'static str {
        match self {
            Flag::For => "50m",
            Flag::Until => "16:00",
            Flag::Method => "deep",
            Flag::Goal => "\"800 words\"",
            Flag::Goals => "\"intro; body; ending\"",
            Flag::Work => "40m",
            Flag::Break => "8m",
            Flag::Stack => "\"research 10, break 5, write 15\"",
        }
    }

    fn accepted(self) -> &'static str {
        match self {
            Flag::Until => "a clock time such as 16:00 or 4pm",
            Flag::Method => "one of auto, pomodoro, deep, micro, stacked, custom",
            Flag::Goal | Flag::Goals | Flag::Stack => "text",
            Flag::For | Flag::Work | Flag::Break => "a length from 1m to 12h, such as 50m or 1h30",
        }
    }

    fn value(self) -> Value {
        match self {
            Flag::For | Flag::Work | Flag::Break => Value::Length,
            Flag::Until => Value::Clock,
            Flag::Method => Value::Word,
            Flag::Goal | Flag::Goals | Flag::Stack => Value::Text,
        }
    }

    fn missing(self) -> PhraseError {
        PhraseError::MissingValue {
            flag: self.name(),
            example: self.example(),
        }
    }
}

/// The option this token names, if it looks like one.
fn flag_at(token: &Token) -> Option<Result<Flag, PhraseError>> {
    let name = token.word()?.trim_end_matches('=');
    let long = name
        .strip_prefix("--")
        .is_some_and(|rest| rest.starts_with(char::is_alphabetic));
    if !long && name != "-m" && name != "-g" {
        return None;
    }
    let original = token.text.trim_end_matches('=');
    Some(Flag::from_name(name).ok_or_else(|| PhraseError::UnknownFlag(original.to_owned())))
}

/// Takes the options out, leaving a gap where each was.
fn take_flags(tokens: &[Token]) -> Result<(Asked, Vec<Token>), PhraseError> {
    let mut given = Asked::default();
    let mut rest = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        let Some(flag) = flag_at(token) else {
            rest.push(token.clone());
            i += 1;
            continue;
        };
        let flag = flag?;
        let (value, next) = flag_value(flag, tokens, i + 1)?;
        apply_flag(&mut given, flag, &value)?;
        rest.push(Token::gap());
        i = next;
    }
    Ok((given, rest))
}

/// The value after an option, and the index after it.
fn flag_value(flag: Flag, tokens: &[Token], start: usize) -> Result<(String, usize), PhraseError> {
    let Some(first) = tokens.get(start) else {
        return Err(flag.missing());
    };
    if first.kind == Kind::Punct || flag_at(first).is_some() {
        return Err(flag.missing());
    }
    if first.is_quoted() {
        return Ok((first.text.clone(), start + 1));
    }
    let value = match flag.value() {
        Value::Word => (first.text.clone(), start + 1),
        Value::Length => longest_run(tokens, start, 4, |text| parse_minutes(text).is_ok()),
        Value::Clock => longest_run(tokens, start, 3, |text| clock_from(text).is_some()),
        Value::Text => {
            let end = (start..tokens.len())
                .find(|&k| flag_at(&tokens[k]).is_some())
                .unwrap_or(tokens.len());
            (render(&tokens[start..end]), end)
        }
    };
    Ok(value)
}

/// The longest run of up to `most` words from `start` that `fits`, or the first word alone.
fn longest_run(
    tokens: &[Token],
    start: usize,
    most: usize,
    fits: impl Fn(&str) -> bool,
) -> (String, usize) {
    let words = tokens[start..]
        .iter()
        .take(most)
        .take_while(|t| t.kind == Kind::Word && flag_at(t).is_none())
        .count();
    (1..=words)
        .rev()
        .map(|k| (render(&tokens[start..start + k]), start + k))
        .find(|(text, _)| fits(text))
        .unwrap_or_else(|| (tokens[start].text.clone(), start + 1))
}

fn apply_flag(given: &mut Asked, flag: Flag, value: &str) -> Result<(), PhraseError> {
    let bad = || PhraseError::BadValue {
        flag: flag.name(),
        value: value.to_owned(),
        accepted: flag.accepted(),
    };
    match flag {
        Flag::For => {
            let minutes = parse_minutes(value).map_err(|_| bad())?;
            set(&mut given.length, Length::Minutes(minutes), "lengths")
        }
        Flag::Until => {
            let end = clock_from(value).ok_or_else(bad)?;
            set(&mut given.length, Length::Until(end), "lengths")
        }
        Flag::Method => {
            let method = Method::from_str(value).map_err(|_| bad())?;
            set(&mut given.method, method, "methods")
        }
        Flag::Goal => {
            let goal = Some(value.trim()).filter(|g| !g.is_empty());
            set(
                &mut given.goal,
                goal.ok_or_else(|| flag.missing())?.to_owned(),
                "goals",
            )
        }
        Flag::Goals => {
            let goals = split_goals(value, &[';']).ok_or_else(|| flag.missing())?;
            let mut slot = Some(std::mem::take(&mut given.block_goals)).filter(|g| !g.is_empty());
            set(&mut slot, goals, "lists of block goals")?;
            given.block_goals = slot.unwrap_or_default();
            Ok(())
        }
        Flag::Stack => set(
            &mut given.stack,
            parse_stack(value).map_err(PhraseError::Stack)?,
            "stacks",
        ),
        Flag::Work => set(
            &mut given.work,
            parse_minutes(value).map_err(|_| bad())?,
            "work lengths",
        ),
        Flag::Break => set(
            &mut given.break_minutes,
            parse_minutes(value).map_err(|_| bad())?,
            "break lengths",
        ),
    }
}

/// A clock time, with `noon` and `midnight` as well as what [`parse_clock`] takes.
fn clock_from(text: &str) -> Option<ClockTime> {
    let hour = match text.trim().to_lowercase().as_str() {
        "noon" | "midday" => 12,
        "midnight" => 0,
        _ => return parse_clock(text).ok(),
    };
    NaiveTime::from_hms_opt(hour, 0, 0).map(ClockTime::TimeOfDay)
}

/// Goals split at the first of `separators` present; `None` when all are empty.
/// Empty goals in the middle keep their place; empty ones at the end go.
fn split_goals(text: &str, separators: &[char]) -> Option<Vec<String>> {
    let mut goals: Vec<String> = match separators.iter().find(|&&c| text.contains(c)) {
        Some(&separator) => text.split(separator).map(|g| g.trim().to_owned()).collect(),
        None => vec![text.trim().to_owned()],
    };
    while goals.last().is_some_and(String::is_empty) {
        goals.pop();
    }
    (!goals.is_empty()).then_some(goals)
}

// ---------------------------------------------------------------------------------------------
// Putting the options and the words together.

/// A value as an error message shows it.
trait Shown {
    fn shown(&self) -> String;
}

impl Shown for Length {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for Method {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for String {
    fn shown(&self) -> String {
        self.clone()
    }
}

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
) -> Result<Option<T>, PhraseError> {
    match (first, second) {
        (Some(a), Some(b)) if a != b => Err(PhraseError::Twice {
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
) -> Result<(), PhraseError> {
    *slot = either(slot.take(), Some(value), what)?;
    Ok(())
}

/// The words' reading with the options' added; a part given both ways must agree.
fn merge(said: Asked, given: Asked) -> Result<Asked, PhraseError> {
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
    })
}

// ---------------------------------------------------------------------------------------------
// Reading the words.

fn read_words(tokens: Vec<Token>) -> Result<Asked, PhraseError> {
    let mut asked = Asked::default();
    let tokens = take_goal(tokens, &mut asked)?;
    let tokens = take_stack(tokens, &mut asked)?;
    let found = scan(&tokens)?;
    let removed = settle(&tokens, &found, &mut asked)?;
    asked.task = task_text(&tokens, removed);
    Ok(asked)
}

/// Where a goal starts: the marker's first token and the index after it.
#[derive(Debug, Clone, Copy)]
struct GoalMarker {
    start: usize,
    end: usize,
    blocks: bool,
}

fn goal_marker(tokens: &[Token]) -> Option<GoalMarker> {
    (0..tokens.len()).find_map(|i| goal_marker_at(tokens, i))
}

fn goal_marker_at(tokens: &[Token], i: usize) -> Option<GoalMarker> {
    let word = tokens[i].word()?;
    let marker = |end: usize, blocks: bool| GoalMarker {
        start: i,
        end,
        blocks,
    };
    if GOAL_WORDS.contains(&word) && tokens.get(i + 1).is_some_and(|t| t.is_punct(":")) {
        return Some(marker(i + 2, word == "goals"));
    }
    if let Some(end) = GOAL_PHRASES.iter().find_map(|p| words_at(tokens, i, p)) {
        return Some(marker(end, false));
    }
    if !bare_goal_allowed(tokens, i) {
        return None;
    }
    let end = BARE_GOAL_PHRASES
        .iter()
        .find_map(|p| words_at(tokens, i, p))?;
    let has_text = tokens.get(end).is_some_and(|t| !t.ends_clause());
    has_text.then(|| marker(end, word == "goals"))
}

/// A bare "goal" is a marker after punctuation, a length or a method; not at the start.
fn bare_goal_allowed(tokens: &[Token], i: usize) -> bool {
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
fn take_goal(tokens: Vec<Token>, asked: &mut Asked) -> Result<Vec<Token>, PhraseError> {
    let Some(marker) = goal_marker(&tokens) else {
        return Ok(tokens);
    };
    let body = &tokens[marker.end..];
    let keep = peel_point(body, Peel::AfterPunctuation);
    let text = render(trim_punct(&body[..keep]));
    let empty = || PhraseError::EmptyGoal {
        marker: render(&tokens[marker.start..marker.end]),
    };
    if marker.blocks {
        asked.block_goals = split_goals(&text, &[';', ',']).ok_or_else(empty)?;
    } else if text.is_empty() {
        return Err(empty());
    } else {
        asked.goal = Some(text);
    }
    let mut rest = tokens[..marker.start].to_vec();
    rest.push(Token::gap());
    rest.extend_from_slice(&body[keep..]);
    Ok(rest)
}

/// What may open the settings at the end of a goal or a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peel {
    /// Punctuation or a word such as "for": "800 words, 90m", "800 words in 90m".
    AfterPunctuation,
    /// Only a word such as "for": a chain's steps are separated by commas.
    AfterMarker,
}

/// Where the settings at the end of a goal or chain start, or its length when none do.
fn peel_point(body: &[Token], peel: Peel) -> usize {
    let found = scan(body).unwrap_or_default();
    let mut k = tail_start(body, &found);
    while k < body.len() && !opens_tail(body, &found, k, peel) {
        k += 1;
    }
    k
}

/// Whether the settings may start at `k`.
fn opens_tail(tokens: &[Token], found: &[Found], k: usize, peel: Peel) -> bool {
    if found.iter().any(|f| f.start < k && k < f.end) {
        return false;
    }
    (peel == Peel::AfterPunctuation && tokens[k].ends_clause())
        || tokens[k].is_one_of(TAIL_WORDS)
        || found.iter().any(|f| f.start == k && f.lead != Lead::None)
}

fn trim_punct(mut tokens: &[Token]) -> &[Token] {
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
fn take_stack(tokens: Vec<Token>, asked: &mut Asked) -> Result<Vec<Token>, PhraseError> {
    if let Some(colon) = tokens.iter().position(|t| t.is_punct(":")) {
        let end = (colon + 1..tokens.len())
            .find(|&k| tokens[k].kind == Kind::Gap)
            .unwrap_or(tokens.len());
        // "for 30m" after the last step is the session's, not the step's.
        let end = colon + 1 + peel_point(&tokens[colon + 1..end], Peel::AfterMarker);
        let chain = render(&tokens[colon + 1..end]);
        if looks_like_chain(&chain) {
            asked.stack = Some(parse_stack(&chain).map_err(PhraseError::Stack)?);
            let named = colon > 0 && tokens[colon - 1].is_one_of(CHAIN_WORDS);
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
        return Err(PhraseError::StackWithoutTask);
    }
    Ok(tokens)
}

/// Two or more pieces between commas (or `;`, `->`, `→`, `then`) that start or end with a
/// length.
fn looks_like_chain(text: &str) -> bool {
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

// ---------------------------------------------------------------------------------------------
// Finding settings among the words.

/// What introduces a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
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
enum Setting {
    Length(Length),
    Method {
        method: Method,
        /// A method without help from a marker or a clause of its own.
        firm: bool,
    },
    Rhythm {
        work: Option<u32>,
        rest: Option<u32>,
        method: Option<Method>,
    },
}

/// A setting found at `start..end` (the marker included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    start: usize,
    end: usize,
    setting: Setting,
    lead: Lead,
}

impl Found {
    fn new(start: usize, end: usize, setting: Setting) -> Found {
        Found {
            start,
            end,
            setting,
            lead: Lead::None,
        }
    }
}

/// Every setting the words may hold, left to right, not overlapping.
fn scan(tokens: &[Token]) -> Result<Vec<Found>, PhraseError> {
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

fn found_at(tokens: &[Token], i: usize) -> Result<Option<Found>, PhraseError> {
    if tokens[i].word().is_none() {
        return Ok(None);
    }
    if let Some(found) = end_time_at(tokens, i)? {
        return Ok(Some(found));
    }
    if let Some(found) = marked_at(tokens, i)? {
        return Ok(Some(found));
    }
    Ok(rhythm_at(tokens, i)
        .or_else(|| method_at(tokens, i))
        .or_else(|| plain_length_at(tokens, i)))
}

/// "until 16:00", "till 4 pm", "until 17", "by 4pm".
fn end_time_at(tokens: &[Token], i: usize) -> Result<Option<Found>, PhraseError> {
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
        return Err(PhraseError::UnclearEnd {
            phrase: render(&tokens[i..i + 2]),
        });
    }
    Ok(None)
}

/// A word that introduces a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    For,
    In,
    With,
    Method,
    Rhythm,
}

impl Marker {
    fn from_word(word: &str) -> Option<Marker> {
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
fn marked_at(tokens: &[Token], i: usize) -> Result<Option<Found>, PhraseError> {
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
        Marker::For | Marker::In | Marker::With => {
            rhythm_at(tokens, k).or_else(|| method_at(tokens, k))
        }
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

/// A length after `for`, `in` or `within`: "for about 2 hours", "for 20" at a clause end.
fn length_after(tokens: &[Token], i: usize, marker: Marker) -> Result<Option<Found>, PhraseError> {
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
            Err(source) => Err(PhraseError::BadLength {
                phrase: render(&tokens[i..=j]),
                source,
            }),
        };
    }
    match near_miss(tokens, j) {
        Some((end, source)) => Err(PhraseError::BadLength {
            phrase: render(&tokens[i..end]),
            source,
        }),
        None => Ok(None),
    }
}

/// A work/break rhythm: "50/10", "work 40 break 8", "25 min blocks", "10 minute breaks".
fn rhythm_at(tokens: &[Token], i: usize) -> Option<Found> {
    slash_rhythm_at(tokens, i)
        .or_else(|| keyword_rhythm_at(tokens, i))
        .or_else(|| suffixed_rhythm_at(tokens, i))
}

fn slash_rhythm_at(tokens: &[Token], i: usize) -> Option<Found> {
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
fn keyword_rhythm_at(tokens: &[Token], i: usize) -> Option<Found> {
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
fn keyword_part(tokens: &[Token], i: usize) -> Option<(usize, Option<u32>, Option<u32>)> {
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
fn suffixed_rhythm_at(tokens: &[Token], i: usize) -> Option<Found> {
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
fn method_at(tokens: &[Token], i: usize) -> Option<Found> {
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

/// A length with no marker before it: "2 hours", "30m".
fn plain_length_at(tokens: &[Token], i: usize) -> Option<Found> {
    let (end, minutes) = length_span_at(tokens, i, false)?;
    let mut found = Found::new(i, end, Setting::Length(Length::Minutes(minutes)));
    if strong_context(tokens, i) {
        found.lead = Lead::Strong;
    }
    Some(found)
}

/// Whether "have", "got", "need" or "spend" comes before `i` (over "about" and the like).
fn strong_context(tokens: &[Token], i: usize) -> bool {
    let mut k = i;
    while k > 0 && tokens[k - 1].is_one_of(HEDGES) {
        k -= 1;
    }
    k > 0 && tokens[k - 1].is_one_of(STRONG_BEFORE)
}

/// The most words a length may take ("1 hour and 30 minutes").
const MAX_LENGTH_WORDS: usize = 5;

/// The longest length starting at `i`: the index after it and its minutes. A bare number is
/// a length only when `bare` allows it.
fn length_span_at(tokens: &[Token], i: usize, bare: bool) -> Option<(usize, u32)> {
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
fn length_text(tokens: &[Token], i: usize, k: usize) -> Option<String> {
    let words: Vec<String> = (i..i + k)
        .map(|x| normal_word(tokens, x))
        .collect::<Option<_>>()?;
    let edge_and =
        words.first().is_some_and(|w| w == "and") || words.last().is_some_and(|w| w == "and");
    (!edge_and).then(|| words.join(" "))
}

/// A length that does not parse for a reason worth telling ("for 13 hours", "for 30 seconds").
fn near_miss(tokens: &[Token], i: usize) -> Option<(usize, DurationError)> {
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
fn normal_word(tokens: &[Token], x: usize) -> Option<String> {
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
fn spoken_length_at(tokens: &[Token], i: usize) -> Option<(usize, u32)> {
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
fn pattern_at(tokens: &[Token], i: usize, steps: &[&[&str]]) -> Option<usize> {
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
fn count_at(tokens: &[Token], i: usize) -> Option<u32> {
    let word = tokens.get(i)?.word()?;
    match word {
        "a" | "an" => Some(1),
        _ => number_word(word).or_else(|| word.parse().ok()),
    }
}

/// Where the settings at the end of the text start: only settings, punctuation and words
/// like "for" and "with" follow.
fn tail_start(tokens: &[Token], found: &[Found]) -> usize {
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
fn counts(tokens: &[Token], all: &[Found], found: &Found, tail: usize) -> bool {
    let before = found.start.checked_sub(1).map(|p| &tokens[p]);
    let after = tokens.get(found.end);
    let opens = before.is_none_or(Token::ends_clause);
    let closes = after.is_none_or(Token::ends_clause);
    let in_tail = found.start >= tail;
    if found.lead == Lead::None && before.is_some_and(|t| t.is_one_of(SUBJECT_WORDS)) {
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
                || after_counted_length(tokens, all, found, tail)
        }
        Setting::Method { firm: false, .. } => found.lead == Lead::Named || (opens && closes),
        Setting::Rhythm { .. } => true,
    }
}

/// A length in one word, digits then a unit: "30m", "1h30", "2h" (not "10-minute").
fn is_compact(token: &Token) -> bool {
    token.word().is_some_and(|w| {
        w.starts_with(|c: char| c.is_ascii_digit())
            && w.contains(char::is_alphabetic)
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
    })
}

/// Whether a length that counts ends right where `found` starts ("2h deep work").
fn after_counted_length(tokens: &[Token], all: &[Found], found: &Found, tail: usize) -> bool {
    all.iter().any(|f| {
        f.end == found.start
            && matches!(f.setting, Setting::Length(_))
            && counts(tokens, all, f, tail)
    })
}

/// Applies the settings that count and returns which tokens they used (gaps included).
fn settle(tokens: &[Token], found: &[Found], asked: &mut Asked) -> Result<Vec<bool>, PhraseError> {
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
            Setting::Rhythm { work, rest, method } => {
                asked.work = either(asked.work, work, "work lengths")?;
                asked.break_minutes = either(asked.break_minutes, rest, "break lengths")?;
                asked.method = either(asked.method, method, "methods")?;
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
fn choose_length<'a>(
    tokens: &[Token],
    counted: &[&'a Found],
    asked: &mut Asked,
) -> Result<Vec<&'a Found>, PhraseError> {
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
        return Err(PhraseError::Twice {
            what: "lengths",
            first: render(&tokens[first.start..first.end]),
            second: render(&tokens[other.start..other.end]),
        });
    }
    asked.length = Some(length);
    Ok(pool.into_iter().map(|(f, _)| f).collect())
}

// ---------------------------------------------------------------------------------------------
// The task: what is left.

/// A run of tokens left between removed ones.
#[derive(Debug)]
struct Fragment<'a> {
    tokens: Vec<&'a Token>,
    gap_before: bool,
    gap_after: bool,
}

fn fragments<'a>(tokens: &'a [Token], removed: &[bool]) -> Vec<Fragment<'a>> {
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
fn strip_filler(tokens: &[Token], removed: &mut [bool]) {
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

fn task_text(tokens: &[Token], mut removed: Vec<bool>) -> String {
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

fn drop_first<'s, 'a>(mut part: &'s [&'a Token], drop: impl Fn(&Token) -> bool) -> &'s [&'a Token] {
    while let Some((first, rest)) = part.split_first()
        && drop(first)
    {
        part = rest;
    }
    part
}

fn drop_last<'s, 'a>(mut part: &'s [&'a Token], drop: impl Fn(&Token) -> bool) -> &'s [&'a Token] {
    while let Some((last, rest)) = part.split_last()
        && drop(last)
    {
        part = rest;
    }
    part
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn asked(text: &str) -> Asked {
        read(text).unwrap_or_else(|e| panic!("{text:?} should read, got: {e}"))
    }

    fn error(text: &str) -> PhraseError {
        match read(text) {
            Ok(asked) => panic!("{text:?} should fail, got {asked:?}"),
            Err(e) => e,
        }
    }

    fn mins(m: u32) -> Length {
        Length::Minutes(m)
    }

    fn until(h: u32, m: u32) -> Length {
        let time = NaiveTime::from_hms_opt(h, m, 0).unwrap();
        Length::Until(ClockTime::TimeOfDay(time))
    }

    fn work(label: &str, minutes: u32) -> Step {
        Step::Work {
            label: label.into(),
            minutes,
        }
    }

    fn rest(minutes: u32) -> Step {
        Step::Break {
            minutes,
            long: false,
        }
    }

    /// Checks the task and the length, and that nothing else was read.
    fn task_and_length(text: &str, task: &str, length: Option<Length>) {
        assert_eq!(
            asked(text),
            Asked {
                task: task.into(),
                length,
                ..Asked::default()
            },
            "{text}"
        );
    }

    // --- The examples the reader is built for ---------------------------------------------

    #[test]
    fn a_task_a_length_and_a_goal() {
        assert_eq!(
            asked("write the blog post draft for 90 minutes, goal 800 words"),
            Asked {
                task: "write the blog post draft".into(),
                length: Some(mins(90)),
                goal: Some("800 words".into()),
                ..Asked::default()
            }
        );
    }

    #[test]
    fn i_have_two_hours_for_deep_work() {
        assert_eq!(
            asked("I have 2 hours for deep work on the API design doc"),
            Asked {
                task: "the API design doc".into(),
                length: Some(mins(120)),
                method: Some(Method::Deep),
                ..Asked::default()
            }
        );
    }

    #[test]
    fn settings_as_clauses_of_their_own() {
        assert_eq!(
            asked("Learn Spanish vocabulary, 30m, micro"),
            Asked {
                task: "Learn Spanish vocabulary".into(),
                length: Some(mins(30)),
                method: Some(Method::Micro),
                ..Asked::default()
            }
        );
    }

    #[test]
    fn end_times() {
        task_and_length("review PRs until 16:00", "review PRs", Some(until(16, 0)));
        task_and_length("review PRs until 4pm", "review PRs", Some(until(16, 0)));
        task_and_length("review PRs till 16:30", "review PRs", Some(until(16, 30)));
        task_and_length("review PRs til 4:30 pm.", "review PRs", Some(until(16, 30)));
        task_and_length("review PRs 'til noon", "review PRs", Some(until(12, 0)));
        task_and_length(
            "Until 9am: triage the inbox",
            "triage the inbox",
            Some(until(9, 0)),
        );
        let at = NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(16, 0, 0)
            .unwrap();
        assert_eq!(
            asked("ship the release until 2026-11-20 16:00").length,
            Some(Length::Until(ClockTime::At(at)))
        );
    }

    #[test]
    fn a_length_and_a_method_at_the_end() {
        assert_eq!(
            asked("refactor the parser 1h30 pomodoro"),
            Asked {
                task: "refactor the parser".into(),
                length: Some(mins(90)),
                method: Some(Method::Pomodoro),
                ..Asked::default()
            }
        );
    }

    #[test]
    fn lengths_in_every_form() {
        for (text, length) in [
            ("refactor the parser for 1.5 hours", 90),
            ("refactor the parser for an hour", 60),
            ("refactor the parser for half an hour", 30),
            ("refactor the parser for a half hour", 30),
            ("refactor the parser for an hour and a half", 90),
            ("refactor the parser for 2 and a half hours", 150),
            ("refactor the parser for a quarter of an hour", 15),
            ("refactor the parser for three quarters of an hour", 45),
            ("refactor the parser for 45 min", 45),
            ("refactor the parser for 2h", 120),
            ("refactor the parser for two hours", 120),
            ("refactor the parser for forty-five minutes", 45),
            ("refactor the parser for 1 hour and 30 minutes", 90),
            ("refactor the parser for about 2 hours", 120),
            ("refactor the parser for the next 40 minutes", 40),
            ("refactor the parser in 25m", 25),
            ("refactor the parser within 1h 15m", 75),
            ("refactor the parser 2h", 120),
            ("refactor the parser, 1h30.", 90),
            ("refactor the parser (45m)", 45),
            ("refactor the parser for 20", 20),
        ] {
            task_and_length(text, "refactor the parser", Some(mins(length)));
        }
    }

    #[test]
    fn a_stack_after_a_colon() {
        assert_eq!(
            asked("Blog post: research 10, break 5, write 15, break 5, edit 10"),
            Asked {
                task: "Blog post".into(),
                stack: Some(vec![
                    work("research", 10),
                    rest(5),
                    work("write", 15),
                    rest(5),
                    work("edit", 10)
                ]),
                ..Asked::default()
            }
        );
    }

    #[test]
    fn a_stack_named_as_such_and_with_a_goal() {
        let asked = asked("Blog post stack: research 10 -> write 15, goal: a first draft");
        assert_eq!(asked.task, "Blog post");
        assert_eq!(asked.goal.as_deref(), Some("a first draft"));
        assert_eq!(
            asked.stack,
            Some(vec![work("research", 10), work("write", 15)])
        );
    }

    #[test]
    fn block_goals() {
        let expected = Asked {
            task: "write the report".into(),
            length: Some(mins(90)),
            block_goals: vec!["intro".into(), "method".into(), "results".into()],
            ..Asked::default()
        };
        assert_eq!(
            asked("write the report for 90m goals: intro; method; results"),
            expected
        );
        assert_eq!(
            asked("write the report for 90m, goals: intro, method, results."),
            expected
        );
        // A blank keeps its block's place; blanks at the end go.
        assert_eq!(
            asked("write the report for 90m goals: intro;; results;").block_goals,
            vec!["intro".to_owned(), String::new(), "results".to_owned()]
        );
    }

    #[test]
    fn every_goal_phrasing() {
        for text in [
            "write the post, goal: 800 words",
            "write the post goal: 800 words",
            "write the post, goal 800 words",
            "write the post for 1h goal 800 words",
            "write the post, aim: 800 words",
            "write the post, aim for 800 words",
            "write the post aiming for 800 words",
            "write the post, target: 800 words",
            "write the post, target 800 words",
            "write the post, objective: 800 words",
            "write the post with the goal of 800 words",
            "write the post goal:800 words",
        ] {
            let asked = asked(text);
            assert_eq!(asked.task, "write the post", "{text}");
            assert_eq!(asked.goal.as_deref(), Some("800 words"), "{text}");
        }
        let asked = asked("refactor the parser so that the tests pass");
        assert_eq!(asked.task, "refactor the parser");
        assert_eq!(asked.goal.as_deref(), Some("the tests pass"));
    }

    #[test]
    fn settings_after_a_goal_are_read() {
        assert_eq!(
            asked("write the post, goal: 800 words, 90m, deep work"),
            Asked {
                task: "write the post".into(),
                length: Some(mins(90)),
                goal: Some("800 words".into()),
                method: Some(Method::Deep),
                ..Asked::default()
            }
        );
        let asked = asked("write the post aiming for 800 words in 90 minutes");
        assert_eq!(asked.goal.as_deref(), Some("800 words"));
        assert_eq!(asked.length, Some(mins(90)));
        // Without punctuation or a marker, the words stay in the goal.
        let goal = read("write the post, goal: 800 words 90m").unwrap().goal;
        assert_eq!(goal.as_deref(), Some("800 words 90m"));
    }

    #[test]
    fn options_as_on_the_command_line() {
        assert_eq!(
            asked(r#""Write blog post draft" --for 90m --goal "800 words" --method deep"#),
            Asked {
                task: "Write blog post draft".into(),
                length: Some(mins(90)),
                goal: Some("800 words".into()),
                method: Some(Method::Deep),
                ..Asked::default()
            }
        );
        assert_eq!(
            asked(r#"review PRs --until 16:00 --goals "a; b""#),
            Asked {
                task: "review PRs".into(),
                length: Some(until(16, 0)),
                block_goals: vec!["a".into(), "b".into()],
                ..Asked::default()
            }
        );
        assert_eq!(
            asked(r#"Blog post --stack "research 10, break 5, write 15""#).stack,
            Some(vec![work("research", 10), rest(5), work("write", 15)])
        );
        let custom = asked("write the report --work 40 --break 8 --for=2h");
        assert_eq!(
            (
                custom.task.as_str(),
                custom.work,
                custom.break_minutes,
                custom.length
            ),
            ("write the report", Some(40), Some(8), Some(mins(120)))
        );
    }

    #[test]
    fn option_values_in_other_shapes() {
        let spaced = read("write the report --for 1h 30m -m pomodoro -g first draft").unwrap();
        assert_eq!(spaced.task, "write the report");
        assert_eq!(spaced.length, Some(mins(90)));
        assert_eq!(spaced.method, Some(Method::Pomodoro));
        assert_eq!(spaced.goal.as_deref(), Some("first draft"));
        let quoted = read("write the report --goal=\"800 words\" --until=\"4 pm\"").unwrap();
        assert_eq!(quoted.goal.as_deref(), Some("800 words"));
        assert_eq!(quoted.length, Some(until(16, 0)));
        let goals = read("write the report --goals intro; body; ending --for 1h").unwrap();
        assert_eq!(goals.block_goals, vec!["intro", "body", "ending"]);
        assert_eq!(goals.length, Some(mins(60)));
    }

    #[test]
    fn work_and_break_rhythms_in_words() {
        for text in [
            "write the report for 2h 50/10",
            "write the report for 2h, work 50 break 10",
            "write the report for 2h work 50, break 10",
            "write the report for 2h in 50 minute blocks with 10-minute breaks",
        ] {
            let asked = asked(text);
            assert_eq!(asked.task, "write the report", "{text}");
            assert_eq!(asked.length, Some(mins(120)), "{text}");
            assert_eq!(
                (asked.work, asked.break_minutes),
                (Some(50), Some(10)),
                "{text}"
            );
            assert_eq!(asked.method, None, "{text}");
        }
        let pomodoros = asked("study for 2h in 30 min pomodoros");
        assert_eq!(pomodoros.task, "study");
        assert_eq!(pomodoros.work, Some(30));
        assert_eq!(pomodoros.method, Some(Method::Pomodoro));
        // A session-sized length before "pomodoros" is the session's.
        let session = asked("study 2h pomodoros");
        assert_eq!(session.length, Some(mins(120)));
        assert_eq!(session.work, None);
        assert_eq!(session.method, Some(Method::Pomodoro));
    }

    #[test]
    fn methods_in_words() {
        for (text, method) in [
            ("tidy the backlog for 1h with pomodoros", Method::Pomodoro),
            (
                "tidy the backlog for 1h using the pomodoro technique",
                Method::Pomodoro,
            ),
            ("tidy the backlog for 1h in micro sessions", Method::Micro),
            ("tidy the backlog for 1h, deep", Method::Deep),
            ("tidy the backlog for 1h method: deep", Method::Deep),
            ("tidy the backlog for 1h method custom", Method::Custom),
            ("tidy the backlog 1h deep work", Method::Deep),
            ("tidy the backlog for 1h, auto", Method::Auto),
            ("tidy the backlog for 1h pomodoro style", Method::Pomodoro),
        ] {
            let asked = asked(text);
            assert_eq!(asked.task, "tidy the backlog", "{text}");
            assert_eq!(asked.method, Some(method), "{text}");
            assert_eq!(asked.length, Some(mins(60)), "{text}");
        }
    }

    // --- The task keeps the person's words ---------------------------------------------------

    #[test]
    fn numbers_in_the_task_stay() {
        task_and_length("write 3 tests for 25m", "write 3 tests", Some(mins(25)));
        task_and_length("read chapter 12", "read chapter 12", None);
        task_and_length("fix issue 42 in 10 minutes", "fix issue 42", Some(mins(10)));
        task_and_length("read 2 chapters, 1h", "read 2 chapters", Some(mins(60)));
    }

    #[test]
    fn time_phrases_that_are_not_lengths_stay() {
        task_and_length(
            "prepare the 10 minute demo",
            "prepare the 10 minute demo",
            None,
        );
        task_and_length(
            "write the 5 min talk for 1h",
            "write the 5 min talk",
            Some(mins(60)),
        );
        task_and_length(
            "review the 2-hour lecture for 30m",
            "review the 2-hour lecture",
            Some(mins(30)),
        );
        task_and_length(
            "run 10 min drills for 1h",
            "run 10 min drills",
            Some(mins(60)),
        );
        // With no other length, a length before a noun is still the task's.
        task_and_length("run 10 min drills", "run 10 min drills", None);
        task_and_length(
            "record 2 hour podcast intro",
            "record 2 hour podcast intro",
            None,
        );
        task_and_length(
            "plan the 9am meeting agenda for 20m",
            "plan the 9am meeting agenda",
            Some(mins(20)),
        );
        task_and_length(
            "count until the tests pass for 20m",
            "count until the tests pass",
            Some(mins(20)),
        );
    }

    #[test]
    fn method_and_goal_words_in_the_task_stay() {
        task_and_length(
            "read about pomodoro for 20m",
            "read about pomodoro",
            Some(mins(20)),
        );
        task_and_length(
            "read about deep work for 20m",
            "read about deep work",
            Some(mins(20)),
        );
        task_and_length(
            "dive deep into the logs for 30m",
            "dive deep into the logs",
            Some(mins(30)),
        );
        task_and_length(
            "fix micro benchmarks for 30m",
            "fix micro benchmarks",
            Some(mins(30)),
        );
        task_and_length(
            "review quarterly goals for 30m",
            "review quarterly goals",
            Some(mins(30)),
        );
        task_and_length(
            "set the target for Q3, 1h",
            "set the target for Q3",
            Some(mins(60)),
        );
        task_and_length("Goal setting for 30m", "Goal setting", Some(mins(30)));
    }

    #[test]
    fn quotes_guard_the_task() {
        task_and_length(r#""write for 90 minutes""#, "write for 90 minutes", None);
        task_and_length(
            r#""deep work on the doc" for 1h"#,
            "deep work on the doc",
            Some(mins(60)),
        );
        task_and_length(
            "fix the 'save' button for 30m",
            "fix the 'save' button",
            Some(mins(30)),
        );
        task_and_length("“Ship it” for 30m", "Ship it", Some(mins(30)));
        task_and_length("review Bob's PR for 30m", "review Bob's PR", Some(mins(30)));
    }

    #[test]
    fn filler_and_dangling_connectors_go() {
        task_and_length(
            "I want to write the report for 1h.",
            "write the report",
            Some(mins(60)),
        );
        task_and_length(
            "I want to spend 2 hours on the API doc",
            "the API doc",
            Some(mins(120)),
        );
        task_and_length(
            "I've got 45 min to review Bob's PR",
            "review Bob's PR",
            Some(mins(45)),
        );
        task_and_length(
            "I have about 2 hours for the migration",
            "the migration",
            Some(mins(120)),
        );
        task_and_length(
            "Please help me finish the slides, 25m",
            "finish the slides",
            Some(mins(25)),
        );
        task_and_length("2 hours on the API doc", "the API doc", Some(mins(120)));
        task_and_length(
            "For 90 minutes, write the report",
            "write the report",
            Some(mins(90)),
        );
        task_and_length("Write the report.", "Write the report", None);
    }

    #[test]
    fn connectors_that_belong_to_the_task_stay() {
        task_and_length(
            "decide what to work on, 30m",
            "decide what to work on",
            Some(mins(30)),
        );
        task_and_length(
            "write the intro for 30m then edit",
            "write the intro then edit",
            Some(mins(30)),
        );
        let asked = asked("work on the report with pomodoros on the server for 1h");
        assert_eq!(asked.task, "work on the report on the server");
        assert_eq!(asked.method, Some(Method::Pomodoro));
    }

    #[test]
    fn a_colon_without_a_chain_is_part_of_the_task() {
        task_and_length("Chapter 3: read for 30m", "Chapter 3: read", Some(mins(30)));
        task_and_length(
            "Report: intro, method, results for 90m",
            "Report: intro, method, results",
            Some(mins(90)),
        );
    }

    #[test]
    fn a_length_said_twice_the_same_way_is_fine() {
        let asked = asked("write the post for 90m --for 1h30 --method deep, deep work");
        assert_eq!(asked.length, Some(mins(90)));
        assert_eq!(asked.method, Some(Method::Deep));
        assert_eq!(asked.task, "write the post");
    }

    #[test]
    fn a_compact_length_may_open_the_text() {
        task_and_length("30m review PRs", "review PRs", Some(mins(30)));
        task_and_length("30m: review PRs", "review PRs", Some(mins(30)));
        // In words, it may be part of the task.
        task_and_length("10 minute demo prep", "10 minute demo prep", None);
        task_and_length(
            "10-minute demo prep for 20m",
            "10-minute demo prep",
            Some(mins(20)),
        );
        let deep = asked("2h deep work: API design doc");
        assert_eq!(deep.task, "API design doc");
        assert_eq!(deep.length, Some(mins(120)));
        assert_eq!(deep.method, Some(Method::Deep));
    }

    #[test]
    fn bare_numbers_are_lengths_only_at_a_clause_end_after_for() {
        task_and_length("email for 30", "email", Some(mins(30)));
        task_and_length("email for 30 people", "email for 30 people", None);
        task_and_length(
            "learn about 2 hours of history",
            "learn about 2 hours of history",
            None,
        );
        task_and_length(
            "   write   the    report   for 50m  ",
            "write the report",
            Some(mins(50)),
        );
    }

    #[test]
    fn end_times_in_other_words() {
        task_and_length("write tests until 17", "write tests", Some(until(17, 0)));
        task_and_length("finish slides by 4pm", "finish slides", Some(until(16, 0)));
        task_and_length("review PRs by 4:30pm", "review PRs", Some(until(16, 30)));
        // "by" before a number that is not a clock time is part of the task.
        task_and_length(
            "cut the build time by 5, 1h",
            "cut the build time by 5",
            Some(mins(60)),
        );
        task_and_length("write tests until lunch", "write tests until lunch", None);
    }

    #[test]
    fn settings_after_a_chain_or_inside_brackets() {
        let asked = asked("Blog post: research 10, break 5, write 15 for 30m");
        assert_eq!(asked.task, "Blog post");
        assert_eq!(asked.length, Some(mins(30)));
        assert_eq!(
            asked.stack,
            Some(vec![work("research", 10), rest(5), work("write", 15)])
        );
        let bracketed = read("write the report (goal: 3 pages) for 1h").unwrap();
        assert_eq!(bracketed.task, "write the report");
        assert_eq!(bracketed.goal.as_deref(), Some("3 pages"));
        assert_eq!(bracketed.length, Some(mins(60)));
    }

    #[test]
    fn one_work_step_and_a_break_is_a_rhythm_not_a_chain() {
        let asked = asked("code 40m, 10m break");
        assert_eq!(asked.task, "code");
        assert_eq!(asked.length, Some(mins(40)));
        assert_eq!(asked.break_minutes, Some(10));
        assert_eq!(asked.stack, None);
    }

    #[test]
    fn the_strongest_length_wins() {
        // "for 1h" is the session's; "in 5 min" stays with the task.
        task_and_length(
            "sketch ideas in 5 min bursts for 1h",
            "sketch ideas in 5 min bursts",
            Some(mins(60)),
        );
    }

    // --- Errors ---------------------------------------------------------------------------------

    #[test]
    fn no_task() {
        for text in [
            "",
            "   ",
            "for 50m",
            "I have 2 hours",
            "--for 50m",
            r#""""#,
            "30m micro",
        ] {
            assert_eq!(read(text), Err(PhraseError::NoTask), "{text:?}");
        }
        assert_eq!(
            PhraseError::NoTask.to_string(),
            "say what you will work on, e.g. /plan write the report for 50m"
        );
    }

    #[test]
    fn options_without_values() {
        assert_eq!(
            error("write the report --for"),
            PhraseError::MissingValue {
                flag: "--for",
                example: "50m"
            }
        );
        assert_eq!(
            error("write the report --goal --for 50m").to_string(),
            "--goal needs a value, e.g. --goal \"800 words\""
        );
        assert!(matches!(
            error("write the report --until, 4pm"),
            PhraseError::MissingValue {
                flag: "--until",
                ..
            }
        ));
        assert!(matches!(
            error("write the report --goals \" ; \""),
            PhraseError::MissingValue {
                flag: "--goals",
                ..
            }
        ));
    }

    #[test]
    fn options_with_bad_values() {
        assert_eq!(
            error("write the report --for soon").to_string(),
            "--for takes a length from 1m to 12h, such as 50m or 1h30 (not \"soon\")"
        );
        assert_eq!(
            error("write the report --until later").to_string(),
            "--until takes a clock time such as 16:00 or 4pm (not \"later\")"
        );
        assert_eq!(
            error("write the report --method fast").to_string(),
            "--method takes one of auto, pomodoro, deep, micro, stacked, custom (not \"fast\")"
        );
        assert_eq!(
            error("write the report --for 13h"),
            PhraseError::BadValue {
                flag: "--for",
                value: "13h".into(),
                accepted: "a length from 1m to 12h, such as 50m or 1h30"
            }
        );
        assert!(matches!(
            error("write the report --work 0"),
            PhraseError::BadValue { flag: "--work", .. }
        ));
        assert_eq!(
            error("Blog post --stack \"break 5, write 10\""),
            PhraseError::Stack(StackError::StartsWithBreak)
        );
    }

    #[test]
    fn unknown_options() {
        assert_eq!(
            error("write the report --length 50m"),
            PhraseError::UnknownFlag("--length".into())
        );
        assert_eq!(
            error("write the report --Start=9").to_string(),
            "unknown option --Start; the options are --for, --until, --method, --goal, --goals, --work, --break and --stack"
        );
        // Dashes that are not options are words or punctuation.
        task_and_length(
            "write the report -- carefully, 1h",
            "write the report -- carefully",
            Some(mins(60)),
        );
    }

    #[test]
    fn two_different_values_for_one_part() {
        assert_eq!(
            error("write the report --for 1h --for 2h"),
            PhraseError::Twice {
                what: "lengths",
                first: "1h".into(),
                second: "2h".into()
            }
        );
        assert_eq!(
            error("write the report for 90m --for 2h").to_string(),
            "two lengths: \"1h 30m\" and \"2h\"; keep one, or put the task in quotes if it holds the other"
        );
        assert!(matches!(
            error("write the report --for 1h --until 16:00"),
            PhraseError::Twice {
                what: "lengths",
                ..
            }
        ));
        assert_eq!(
            error("write the report for 1h until 16:00"),
            PhraseError::Twice {
                what: "lengths",
                first: "for 1h".into(),
                second: "until 16:00".into()
            }
        );
        assert!(matches!(
            error("write the report, 30m, 1h"),
            PhraseError::Twice {
                what: "lengths",
                ..
            }
        ));
        assert_eq!(
            error("write the report for 1h with pomodoros, micro"),
            PhraseError::Twice {
                what: "methods",
                first: "pomodoro".into(),
                second: "micro".into()
            }
        );
        assert!(matches!(
            error("write the report, goal: 800 words --goal \"900 words\""),
            PhraseError::Twice { what: "goals", .. }
        ));
        assert!(matches!(
            error("write the report 50/10, work 40"),
            PhraseError::Twice {
                what: "work lengths",
                ..
            }
        ));
    }

    #[test]
    fn an_unclear_end_time() {
        assert_eq!(
            error("review PRs until 5"),
            PhraseError::UnclearEnd {
                phrase: "until 5".into()
            }
        );
        assert_eq!(
            error("review PRs till 5.").to_string(),
            "\"till 5\" could be morning or evening; write the end as 17:00 or 5pm"
        );
    }

    #[test]
    fn lengths_out_of_range_after_for() {
        assert!(matches!(
            error("write the book for 13 hours"),
            PhraseError::BadLength {
                source: DurationError::TooLong(_),
                ..
            }
        ));
        assert_eq!(
            error("stretch for 30 seconds").to_string(),
            "\"for 30 seconds\": `30 seconds` uses seconds; focus counts whole minutes (e.g. 1m)"
        );
        assert!(matches!(
            error("stretch for 0"),
            PhraseError::BadLength {
                source: DurationError::Zero(_),
                ..
            }
        ));
    }

    #[test]
    fn broken_and_taskless_chains() {
        assert_eq!(
            error("Blog post: research 10, break 5, write 15, 90m"),
            PhraseError::Stack(StackError::NoLabel {
                step: "90m".into(),
                minutes: "1h 30m".into()
            })
        );
        assert_eq!(
            error("research 10, break 5, write 15"),
            PhraseError::StackWithoutTask
        );
        assert_eq!(
            error("research 10, break 5, write 15").to_string(),
            "say what the chain is for, then a colon, e.g. /plan Blog post: research 10, break 5, write 15"
        );
        // Without a break, two timed pieces are a task and a length.
        task_and_length(
            "read chapter 12, write summary 30m",
            "read chapter 12, write summary",
            Some(mins(30)),
        );
    }

    #[test]
    fn empty_goals() {
        assert_eq!(
            error("write the report, goal:"),
            PhraseError::EmptyGoal {
                marker: "goal:".into()
            }
        );
        assert_eq!(
            error("write the report goals: ;;").to_string(),
            "say the goal after \"goals:\", e.g. /plan write the report for 50m, goal: 800 words"
        );
        assert!(matches!(
            error("write the report, goal: , 50m"),
            PhraseError::EmptyGoal { .. }
        ));
    }

    #[test]
    fn every_error_is_one_line() {
        for text in [
            "",
            "x --for",
            "x --for soon",
            "x --nope",
            "x for 1h --for 2h",
            "x, goal:",
            "x until 5",
            "x for 13h",
            "x: a 10, break 5, 90m",
            "a 10, break 5, b 5",
        ] {
            let message = error(text).to_string();
            assert!(!message.contains('\n'), "{text}: {message}");
        }
    }
}
