//! Lexing: the text as words, quoted runs and punctuation.
//!
//! - Words are split at whitespace; punctuation at either end of a word (`,` `;` `:` `.` `!`
//!   `?` `(` `)` `[` `]`) becomes a token of its own, and a word made only of punctuation
//!   (`-`, `–`, `/`, `…`) is punctuation: both end a clause.
//! - A quote that opens a word (`"…"`, `'…'`, `“…”`, `‘…’`, `«…»`) runs to the same mark closing
//!   a word; the run is one token, never read as a setting. An apostrophe inside a word
//!   ("don't") opens nothing.
//! - "goal:800" reads as "goal: 800" (so do `goals`, `aim`, `target`, `objective`, `method`).
//! - Words are compared in lower case, with typographic apostrophes made plain; the task is
//!   rendered from the words as typed, spaced as typed.

/// Words cut from a word at its colon: "goal:800" reads as "goal: 800".
pub(super) const COLON_SPLIT: &str = "goal goals aim target objective method";

/// A number said in words, up to ninety.
pub(super) fn number_word(word: &str) -> Option<u32> {
    const NUMBERS: &str = "one:1 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 \
        ten:10 eleven:11 twelve:12 fifteen:15 twenty:20 twenty-five:25 thirty:30 forty:40 \
        forty-five:45 fifty:50 sixty:60 ninety:90";
    NUMBERS
        .split(' ')
        .find_map(|pair| pair.strip_prefix(word)?.strip_prefix(':')?.parse().ok())
}

/// Characters that end a clause when they stand apart from words.
pub(super) const PUNCTUATION: &[char] = &[
    ',', ';', ':', '.', '!', '?', '(', ')', '[', ']', '-', '–', '—', '…', '/',
];

/// Punctuation split off the end of a word.
pub(super) const TRAILING: &[char] = &[',', ';', ':', '.', '!', '?', ')', ']', '…'];

/// Punctuation split off the start of a word.
pub(super) const LEADING: &[char] = &['(', '['];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Token {
    pub(super) text: String,
    /// Lower case, with typographic apostrophes made plain.
    pub(super) lower: String,
    pub(super) kind: Kind,
    /// No space before it.
    pub(super) glued: bool,
}

impl Token {
    pub(super) fn new(text: &str, kind: Kind, glued: bool) -> Token {
        Token {
            text: text.to_owned(),
            lower: text.to_lowercase().replace('’', "'"),
            kind,
            glued,
        }
    }

    pub(super) fn gap() -> Token {
        Token::new("", Kind::Gap, false)
    }

    /// The word in lower case, if this is a word.
    pub(super) fn word(&self) -> Option<&str> {
        (self.kind == Kind::Word).then_some(self.lower.as_str())
    }

    /// Whether this is a word of `list` (words separated by spaces).
    pub(super) fn is_one_of(&self, list: &str) -> bool {
        self.word().is_some_and(|w| listed(list, w))
    }

    pub(super) fn ends_clause(&self) -> bool {
        matches!(self.kind, Kind::Punct | Kind::Gap)
    }

    pub(super) fn is_punct(&self, mark: &str) -> bool {
        self.kind == Kind::Punct && self.text == mark
    }

    pub(super) fn is_quoted(&self) -> bool {
        matches!(self.kind, Kind::Quoted { .. })
    }
}

/// Splits text into words, quoted runs and punctuation.
pub(super) fn lex(text: &str) -> Vec<Token> {
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
        if !glued
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
        }
        let word: String = chars[start..i].iter().collect();
        push_word(&mut tokens, &word, glued);
        glued = true;
    }
    tokens
}

/// The line cut where its options begin (`write the report --for 50m`): at the first word,
/// outside quotes as the lexer reads them, that starts with `--` or `-` and a letter.
pub fn split_options(line: &str) -> (&str, Option<&str>) {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let plain: Vec<char> = chars.iter().map(|&(_, c)| c).collect();
    let mut k = 0;
    let mut word_start = true;
    while let Some(&(at, c)) = chars.get(k) {
        if c.is_whitespace() {
            word_start = true;
            k += 1;
            continue;
        }
        if word_start {
            let letter = |j: usize| plain.get(j).is_some_and(|c| c.is_alphabetic());
            let option =
                c == '-' && (letter(k + 1) || plain.get(k + 1) == Some(&'-') && letter(k + 2));
            if option {
                return (line[..at].trim(), Some(&line[at..]));
            }
            if let Some(close) = closing_quote(c)
                && let Some(end) = find_close(&plain, k + 1, close)
            {
                k = end;
            }
        }
        word_start = false;
        k += 1;
    }
    (line.trim(), None)
}

pub(super) fn closing_quote(open: char) -> Option<char> {
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
pub(super) fn find_close(chars: &[char], from: usize, close: char) -> Option<usize> {
    (from..chars.len()).find(|&j| {
        chars[j] == close
            && chars
                .get(j + 1)
                .is_none_or(|c| c.is_whitespace() || TRAILING.contains(c))
    })
}

/// Pushes a word with its leading and trailing punctuation as separate tokens.
pub(super) fn push_word(tokens: &mut Vec<Token>, word: &str, glued: bool) {
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
        Some((head, tail)) if !tail.is_empty() && listed(COLON_SPLIT, &head.to_lowercase()) => {
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
pub(super) fn render<'a>(tokens: impl IntoIterator<Item = &'a Token>) -> String {
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
pub(super) fn words_at(tokens: &[Token], i: usize, phrase: &str) -> Option<usize> {
    let mut end = i;
    for word in phrase.split_whitespace() {
        (tokens.get(end)?.word() == Some(word)).then_some(())?;
        end += 1;
    }
    Some(end)
}

/// Where the first of `phrases` (separated by `|`) that starts at `i` ends.
pub(super) fn phrase_at(tokens: &[Token], i: usize, phrases: &str) -> Option<usize> {
    phrases.split('|').find_map(|p| words_at(tokens, i, p))
}

/// The index after any of `phrases` (separated by `|`) repeated from `i`.
pub(super) fn skip(tokens: &[Token], mut i: usize, phrases: &str) -> usize {
    while let Some(end) = phrase_at(tokens, i, phrases) {
        i = end;
    }
    i
}

/// Whether `word` is one of `list`'s, separated by spaces.
pub(super) fn listed(list: &str, word: &str) -> bool {
    list.split(' ').any(|w| w == word)
}
