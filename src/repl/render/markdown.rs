//! Light Markdown for a terminal, rendered while a model's reply streams in.
//!
//! [`Markdown`] takes the reply in the pieces the server sends and gives back what can be
//! printed now. Text goes out as soon as nothing that follows can change how it looks; only
//! what could still become a marker waits: a `*`, `_`, `` ` `` or `\` at the end of a piece
//! (until the next character), and the start of a line until its kind is known (heading,
//! list item, quote, fence, rule). The output does not depend on where the pieces are cut.
//!
//! What it renders, when styled:
//! - `**bold**`, `__bold__` in bold; `*em*`, `_em_` in italics; `***both***`. A marker opens
//!   only before a non-space and after a space, the start of the line or opening punctuation
//!   (`(`, `"`, …), so `snake_case`, `2 * 3`, `2*3` and `src/*.rs` stay as they are; `_` closes
//!   only when no letter or digit follows it.
//! - `` `code` `` (any run of backticks, closed by a run of the same length) in cyan, with
//!   nothing inside interpreted.
//! - `\*` and other backslash escapes of ASCII punctuation: the character itself.
//! - Headings `#` to `######`: the markers dropped, the text bold (`#` also underlined).
//! - List items `-`, `*`, `+`: a `•`, indentation kept; numbered items as they are.
//! - Quotes `>`: a dim `│` bar per level.
//! - Rules (`---`, `***`, `___`, spaces allowed between): a dim line.
//! - Fenced code blocks (three or more `` ` `` or `~`, any indentation): the fence lines
//!   dropped, the lines between indented by two spaces in cyan, nothing interpreted.
//!
//! Since the text after an opening marker is printed before the closing one arrives, a marker
//! opens its style at once and a style left open ends with its line (the marker is not shown).
//! Every line ends with the terminal's style reset, and so does [`Markdown::finish`].
//!
//! Not handled (left as written): links and images, tables, HTML, strikethrough, setext
//! headings, closing `#`s of headings, indented code blocks, fences inside quotes, emphasis
//! that opens inside a word (`foo*bar*`), and the space padding of code spans.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

/// Inline code and fenced code blocks.
const CODE: Style = AnsiColor::Cyan.on_default();
/// Quote bars and rules.
const DIM: Style = Style::new().dimmed();
/// What a list item's `-`, `*` or `+` becomes.
const BULLET: &str = "• ";
/// What each `>` of a quote becomes (the space after it is written unstyled).
const QUOTE_BAR: &str = "│";
/// What a rule becomes.
const RULE: &str = "────────────────────";
/// What goes before each line of a fenced code block.
const CODE_INDENT: &str = "  ";
/// The characters that may start a marker inside a line.
const INLINE_MARKERS: [char; 5] = ['\n', '`', '*', '_', '\\'];
/// The characters that matter inside a code span.
const CODE_SPAN_MARKERS: [char; 2] = ['\n', '`'];

/// Renders a streamed reply's light Markdown for a terminal; see the module documentation for
/// the rules. Feed it with [`push`](Markdown::push) and end with
/// [`finish`](Markdown::finish).
#[derive(Debug)]
pub struct Markdown {
    styled: bool,
    /// Input received but not rendered yet: what could still become a marker.
    pending: String,
    mode: Mode,
    /// The fenced code block the reply is in.
    fence: Option<Fence>,
    /// The heading level of the current line, 0 when it is not a heading.
    heading: u8,
    /// Whether the current line started as a quote.
    quoted: bool,
    inline: Inline,
    /// The style the terminal was last put in.
    shown: Style,
}

/// Where the renderer is in the current line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// At the start of a line, or after a quote's `>`: the line's kind is not known yet.
    LineStart,
    /// In a line's text, where inline markers count.
    Text,
    /// In a line of a fenced code block.
    Code,
}

/// The opening fence of a code block: what closes it is a run of `len` or more `ch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fence {
    ch: char,
    len: usize,
}

/// The inline styles open in the current line.
#[derive(Debug, Clone, Copy, Default)]
struct Inline {
    /// The marker character (`*` or `_`) that opened bold.
    bold: Option<char>,
    /// The marker character (`*` or `_`) that opened italics.
    italic: Option<char>,
    /// The length of the backtick run that opened a code span.
    code: Option<usize>,
    /// The last character read in the line, `None` at its start.
    prev: Option<char>,
}

/// What a line turned out to be from its start. Lengths are in bytes of the input ahead, the
/// newline included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// Nothing but spaces or tabs.
    Blank(usize),
    /// The opening fence of a code block.
    FenceOpen { fence: Fence, len: usize },
    /// The closing fence of the code block.
    FenceClose(usize),
    /// A line inside a fenced code block.
    CodeLine,
    /// Three or more `-`, `*` or `_` alone on the line.
    Rule { indent: usize, len: usize },
    /// `marker`: the `#`s and the space after them.
    Heading {
        indent: usize,
        level: u8,
        marker: usize,
    },
    /// A `-`, `*` or `+` and a space or tab.
    Bullet { indent: usize },
    /// `marker`: the number, its `.` or `)` and the space after it.
    Number { indent: usize, marker: usize },
    /// `marker`: the `>` and the space after it, if any.
    Quote { indent: usize, marker: usize },
    /// Anything else: the line's text starts after its indentation.
    Text { indent: usize },
}

/// The input not rendered yet, and whether the reply ends with it.
#[derive(Debug, Clone, Copy)]
struct Ahead<'a> {
    text: &'a str,
    end: bool,
}

impl<'a> Ahead<'a> {
    /// The character at byte `at`, a newline past the end of the reply (both end a line), or
    /// `None` when it has not arrived yet.
    fn at(self, at: usize) -> Option<char> {
        let rest = self.text.get(at..).unwrap_or_default();
        rest.chars().next().or(self.end.then_some('\n'))
    }

    /// The length of the run of the ASCII character `ch` at byte `at`, once what follows the
    /// run is known.
    fn run(self, at: usize, ch: char) -> Option<usize> {
        let rest = self.text.get(at..).unwrap_or_default();
        let len = rest.chars().take_while(|&c| c == ch).count();
        self.at(at + len)?;
        Some(len)
    }

    /// The byte offset just past the end of the line that byte `at` is in (its newline or the
    /// end of the reply), once it has arrived.
    fn line_end(self, at: usize) -> Option<usize> {
        let rest = self.text.get(at..).unwrap_or_default();
        match rest.find('\n') {
            Some(newline) => Some(at + newline + 1),
            None if self.end => Some(self.text.len()),
            None => None,
        }
    }

    /// What has arrived of the line from byte `at`, without its newline.
    fn line_so_far(self, at: usize) -> &'a str {
        let rest = self.text.get(at..).unwrap_or_default();
        rest.split('\n').next().unwrap_or_default()
    }
}

impl Markdown {
    /// `styled = false`: the text is passed through unchanged (plain output: `NO_COLOR`, not a
    /// terminal).
    pub fn new(styled: bool) -> Markdown {
        Markdown {
            styled,
            pending: String::new(),
            mode: Mode::LineStart,
            fence: None,
            heading: 0,
            quoted: false,
            inline: Inline::default(),
            shown: Style::new(),
        }
    }

    /// The printable text for this chunk (may be empty while a marker is undecided).
    pub fn push(&mut self, chunk: &str) -> String {
        if !self.styled {
            return chunk.to_owned();
        }
        self.pending.push_str(chunk);
        self.render(false)
    }

    /// Whatever is held back, with styles closed; call at the end of the reply (also after a
    /// cancel). The renderer is then ready for a new reply.
    pub fn finish(&mut self) -> String {
        if !self.styled {
            return String::new();
        }
        let mut out = self.render(true);
        self.sync(Style::new(), &mut out);
        *self = Markdown::new(true);
        out
    }

    /// Renders as much of the pending input as can be decided; `end`: the reply ends with it.
    fn render(&mut self, end: bool) -> String {
        let mut pending = std::mem::take(&mut self.pending);
        let mut out = String::new();
        let mut done = 0;
        while done < pending.len() {
            let ahead = Ahead {
                text: &pending[done..],
                end,
            };
            let Some(used) = self.step(ahead, &mut out) else {
                break;
            };
            done += used;
        }
        pending.drain(..done);
        self.pending = pending;
        out
    }

    /// Renders the next piece of `ahead`: the bytes used, or `None` when more input is needed
    /// to decide. It uses nothing only when it moves to another mode.
    fn step(&mut self, ahead: Ahead<'_>, out: &mut String) -> Option<usize> {
        match self.mode {
            Mode::LineStart => self.line_start(ahead, out),
            Mode::Text => self.text(ahead, out),
            Mode::Code => Some(self.code_line(ahead, out)),
        }
    }

    /// Decides what the line is and renders its start.
    fn line_start(&mut self, ahead: Ahead<'_>, out: &mut String) -> Option<usize> {
        let text = ahead.text;
        let used = match classify(ahead, self.fence, self.quoted)? {
            Start::Blank(len) => {
                self.write_line(&text[..len], out);
                len
            }
            Start::FenceOpen { fence, len } => {
                self.fence = Some(fence);
                len
            }
            Start::FenceClose(len) => {
                self.fence = None;
                len
            }
            Start::CodeLine => {
                self.write(CODE_INDENT, out);
                self.mode = Mode::Code;
                0
            }
            Start::Rule { indent, len } => {
                self.write(&text[..indent], out);
                self.write_as(DIM, RULE, out);
                if text[..len].ends_with('\n') {
                    self.end_line(out);
                }
                len
            }
            Start::Heading {
                indent,
                level,
                marker,
            } => {
                self.write(&text[..indent], out);
                self.heading = level;
                self.mode = Mode::Text;
                indent + marker
            }
            Start::Bullet { indent } => {
                self.write(&text[..indent], out);
                self.write(BULLET, out);
                self.mode = Mode::Text;
                indent + 2
            }
            Start::Number { indent, marker } => {
                self.write(&text[..indent + marker], out);
                self.mode = Mode::Text;
                indent + marker
            }
            Start::Quote { indent, marker } => {
                self.write(&text[..indent], out);
                self.write_as(DIM, QUOTE_BAR, out);
                self.write(" ", out);
                self.quoted = true;
                indent + marker
            }
            Start::Text { indent } => {
                self.write(&text[..indent], out);
                self.mode = Mode::Text;
                indent
            }
        };
        Some(used)
    }

    /// Renders the next piece of a line's text.
    fn text(&mut self, ahead: Ahead<'_>, out: &mut String) -> Option<usize> {
        let first = ahead.text.chars().next()?;
        match first {
            '\n' => {
                self.end_line(out);
                Some(1)
            }
            '`' => self.backticks(ahead, out),
            _ if self.inline.code.is_some() => {
                Some(self.plain(ahead.text, &CODE_SPAN_MARKERS, out))
            }
            '*' | '_' => self.emphasis(ahead, first, out),
            '\\' => self.escape(ahead, out),
            _ => Some(self.plain(ahead.text, &INLINE_MARKERS, out)),
        }
    }

    /// Writes `text` up to the first of `markers` (which it does not start with); the bytes
    /// written.
    fn plain(&mut self, text: &str, markers: &[char], out: &mut String) -> usize {
        let len = text.find(markers).unwrap_or(text.len());
        let piece = &text[..len];
        self.write(piece, out);
        self.inline.prev = piece.chars().next_back().or(self.inline.prev);
        len
    }

    /// A run of backticks: opens or closes a code span, or is literal.
    fn backticks(&mut self, ahead: Ahead<'_>, out: &mut String) -> Option<usize> {
        let run = ahead.run(0, '`')?;
        match self.inline.code {
            Some(open) if open == run => self.inline.code = None,
            Some(_) => self.write(&ahead.text[..run], out),
            None if ahead.at(run)? == '\n' => self.write(&ahead.text[..run], out),
            None => self.inline.code = Some(run),
        }
        self.inline.prev = Some('`');
        Some(run)
    }

    /// A run of `*` or `_`: opens or closes bold or italics, or is literal.
    fn emphasis(&mut self, ahead: Ahead<'_>, ch: char, out: &mut String) -> Option<usize> {
        let run = ahead.run(0, ch)?;
        let next = ahead.at(run)?;
        let prev = self.inline.prev;
        let can_open = !next.is_whitespace() && prev.is_none_or(opens_after);
        let can_close =
            prev.is_some_and(|c| !c.is_whitespace()) && !(ch == '_' && next.is_alphanumeric());
        if !self.toggle(ch, run, can_open, can_close) {
            self.write(&ahead.text[..run], out);
        }
        self.inline.prev = Some(ch);
        Some(run)
    }

    /// Opens or closes the styles that a run of `run` markers `ch` stands for: false when the
    /// run is literal.
    fn toggle(&mut self, ch: char, run: usize, can_open: bool, can_close: bool) -> bool {
        let inline = &mut self.inline;
        match run {
            1 => flip(&mut inline.italic, ch, can_open, can_close),
            2 => flip(&mut inline.bold, ch, can_open, can_close),
            3 => {
                let (bold, italic) = (inline.bold == Some(ch), inline.italic == Some(ch));
                if can_close && (bold || italic) {
                    inline.bold = inline.bold.filter(|_| !bold);
                    inline.italic = inline.italic.filter(|_| !italic);
                    true
                } else if can_open && inline.bold.is_none() && inline.italic.is_none() {
                    inline.bold = Some(ch);
                    inline.italic = Some(ch);
                    true
                } else {
                    false
                }
            }
            _ => false,
        }
    }

    /// A backslash: escapes the ASCII punctuation after it, or is literal.
    fn escape(&mut self, ahead: Ahead<'_>, out: &mut String) -> Option<usize> {
        let (shown, used) = match ahead.at(1)? {
            c if c.is_ascii_punctuation() => (c, 2),
            _ => ('\\', 1),
        };
        self.write(shown.encode_utf8(&mut [0; 4]), out);
        self.inline.prev = Some(shown);
        Some(used)
    }

    /// Renders the next piece of a fenced code line; the bytes used.
    fn code_line(&mut self, ahead: Ahead<'_>, out: &mut String) -> usize {
        match ahead.text.find('\n') {
            Some(0) => {
                self.end_line(out);
                1
            }
            Some(len) => {
                self.write(&ahead.text[..len], out);
                len
            }
            None => {
                self.write(ahead.text, out);
                ahead.text.len()
            }
        }
    }

    /// Writes the rest of a line, `text`, and ends the line if it holds the newline.
    fn write_line(&mut self, text: &str, out: &mut String) {
        match text.strip_suffix('\n') {
            Some(line) => {
                self.write(line, out);
                self.end_line(out);
            }
            None => self.write(text, out),
        }
    }

    /// Ends the line: resets the terminal's style, writes the newline and forgets the line's
    /// styles.
    fn end_line(&mut self, out: &mut String) {
        self.sync(Style::new(), out);
        out.push('\n');
        self.mode = Mode::LineStart;
        self.heading = 0;
        self.quoted = false;
        self.inline = Inline::default();
    }

    /// Writes `text` in the style of where the renderer is.
    fn write(&mut self, text: &str, out: &mut String) {
        self.write_as(self.style(), text, out);
    }

    /// Writes `text` in `style`; the style changes only when there is something to write.
    fn write_as(&mut self, style: Style, text: &str, out: &mut String) {
        if !text.is_empty() {
            self.sync(style, out);
            out.push_str(text);
        }
    }

    /// Puts the terminal in `style`.
    fn sync(&mut self, style: Style, out: &mut String) {
        if style != self.shown {
            // Writing to a String cannot fail.
            let _ = write!(out, "{:#}{}", self.shown, style);
            self.shown = style;
        }
    }

    /// The style of where the renderer is: line and inline styles together.
    fn style(&self) -> Style {
        let mut style = if self.mode == Mode::Code || self.inline.code.is_some() {
            CODE
        } else {
            Style::new()
        };
        if self.heading > 0 || self.inline.bold.is_some() {
            style = style.bold();
        }
        if self.heading == 1 {
            style = style.underline();
        }
        if self.inline.italic.is_some() {
            style = style.italic();
        }
        style
    }
}

/// Opens or closes one style whose opening marker is in `slot`: false when the marker is
/// literal.
fn flip(slot: &mut Option<char>, ch: char, can_open: bool, can_close: bool) -> bool {
    match *slot {
        Some(open) if open == ch && can_close => {
            *slot = None;
            true
        }
        None if can_open => {
            *slot = Some(ch);
            true
        }
        _ => false,
    }
}

/// Whether an emphasis marker may open after `c`: a space or opening punctuation, not a letter,
/// a digit or a path's `/`.
fn opens_after(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | '[' | '{' | '"' | '\'' | '“' | '‘' | '«' | '*' | '_' | '-' | '–' | '—' | '~'
        )
}

/// What the line at the start of `ahead` is, once that is known. `fence`: the code block the
/// line is in; `quoted`: the line's start was a quote marker (quotes hold no fences).
fn classify(ahead: Ahead<'_>, fence: Option<Fence>, quoted: bool) -> Option<Start> {
    let indent = ahead.text.len() - ahead.text.trim_start_matches([' ', '\t']).len();
    let first = ahead.at(indent)?;
    if first == '\n' {
        return ahead.line_end(indent).map(Start::Blank);
    }
    if let Some(fence) = fence {
        return closing_fence(ahead, indent, fence);
    }
    match first {
        '`' | '~' if !quoted => opening_fence(ahead, indent, first),
        '-' | '*' | '_' if is_rule(ahead, indent, first)? => Some(Start::Rule {
            indent,
            len: ahead.line_end(indent)?,
        }),
        '-' | '*' | '+' => bullet(ahead, indent),
        '#' => heading(ahead, indent),
        '0'..='9' => number(ahead, indent),
        '>' => {
            let marker = if ahead.at(indent + 1)? == ' ' { 2 } else { 1 };
            Some(Start::Quote { indent, marker })
        }
        _ => Some(Start::Text { indent }),
    }
}

/// A line inside a code block: the closing fence (a long enough run of the fence's character
/// with nothing but spaces after it) or a line of code.
fn closing_fence(ahead: Ahead<'_>, indent: usize, fence: Fence) -> Option<Start> {
    let run = ahead.run(indent, fence.ch)?;
    if run < fence.len || !ahead.line_so_far(indent + run).trim().is_empty() {
        return Some(Start::CodeLine);
    }
    ahead.line_end(indent + run).map(Start::FenceClose)
}

/// A line starting with `` ` `` or `~`: an opening fence (three or more, and for backticks no
/// backtick after them on the line) or text.
fn opening_fence(ahead: Ahead<'_>, indent: usize, ch: char) -> Option<Start> {
    let run = ahead.run(indent, ch)?;
    if run < 3 || (ch == '`' && ahead.line_so_far(indent + run).contains('`')) {
        return Some(Start::Text { indent });
    }
    let len = ahead.line_end(indent + run)?;
    Some(Start::FenceOpen {
        fence: Fence { ch, len: run },
        len,
    })
}

/// Whether the line from byte `indent` is a rule: three or more `ch`, maybe with spaces or
/// tabs between, and nothing else.
fn is_rule(ahead: Ahead<'_>, indent: usize, ch: char) -> Option<bool> {
    let mut count = 0;
    for c in ahead.text[indent..].chars() {
        match c {
            '\n' => return Some(count >= 3),
            ' ' | '\t' => {}
            _ if c == ch => count += 1,
            _ => return Some(false),
        }
    }
    ahead.end.then_some(count >= 3)
}

/// A line starting with `-`, `*` or `+`: a list item when a space or tab follows, else text.
fn bullet(ahead: Ahead<'_>, indent: usize) -> Option<Start> {
    Some(match ahead.at(indent + 1)? {
        ' ' | '\t' => Start::Bullet { indent },
        _ => Start::Text { indent },
    })
}

/// A line starting with `#`: a heading when one to six `#`s end the line or a space or tab
/// follows them, else text.
fn heading(ahead: Ahead<'_>, indent: usize) -> Option<Start> {
    let run = ahead.run(indent, '#')?;
    let marker = match ahead.at(indent + run)? {
        ' ' | '\t' => run + 1,
        '\n' => run,
        _ => return Some(Start::Text { indent }),
    };
    Some(match u8::try_from(run) {
        Ok(level @ 1..=6) => Start::Heading {
            indent,
            level,
            marker,
        },
        _ => Start::Text { indent },
    })
}

/// A line starting with a digit: a numbered item when up to nine digits, a `.` or `)` and a
/// space or tab follow, else text.
fn number(ahead: Ahead<'_>, indent: usize) -> Option<Start> {
    let text = Start::Text { indent };
    let digits = ahead.text[indent..]
        .chars()
        .take_while(char::is_ascii_digit)
        .count();
    if digits > 9 || !matches!(ahead.at(indent + digits)?, '.' | ')') {
        return Some(text);
    }
    Some(match ahead.at(indent + digits + 1)? {
        ' ' | '\t' => Start::Number {
            indent,
            marker: digits + 2,
        },
        _ => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `out` with the escape codes this renderer uses written as tags, so expectations read
    /// (`</>` is the reset).
    fn tags(out: &str) -> String {
        let codes = [
            (Style::new().bold(), "<b>"),
            (Style::new().dimmed(), "<dim>"),
            (Style::new().italic(), "<i>"),
            (Style::new().underline(), "<u>"),
            (CODE, "<code>"),
        ];
        let mut shown = out.replace("\x1b[0m", "</>");
        for (style, tag) in codes {
            shown = shown.replace(&style.to_string(), tag);
        }
        assert!(
            !shown.contains('\x1b'),
            "unexpected escape code in {shown:?}"
        );
        shown
    }

    /// The output for `pieces` pushed in turn, then finished.
    fn in_pieces(styled: bool, pieces: &[&str]) -> String {
        let mut markdown = Markdown::new(styled);
        let mut out = String::new();
        for piece in pieces {
            out += &markdown.push(piece);
        }
        out + &markdown.finish()
    }

    /// The styled output for `input` in one piece, with its escape codes as tags.
    fn styled(input: &str) -> String {
        tags(&in_pieces(true, &[input]))
    }

    /// The byte offsets of `input`'s character boundaries, both ends included.
    fn boundaries(input: &str) -> Vec<usize> {
        input
            .char_indices()
            .map(|(at, _)| at)
            .chain([input.len()])
            .collect()
    }

    /// Checks that cutting `input` anywhere (in two, and one character per piece) renders it
    /// the same as in one piece, styled and plain.
    fn assert_cut_anywhere_renders_the_same(input: &str) {
        for styled in [true, false] {
            let whole = in_pieces(styled, &[input]);
            for at in boundaries(input) {
                let (a, b) = input.split_at(at);
                assert_eq!(
                    in_pieces(styled, &[a, b]),
                    whole,
                    "cut at {at}: {a:?} | {b:?}"
                );
            }
            let chars: Vec<String> = input.chars().map(String::from).collect();
            let chars: Vec<&str> = chars.iter().map(String::as_str).collect();
            assert_eq!(in_pieces(styled, &chars), whole, "one character at a time");
        }
    }

    const REPLY: &str = "# Plan for today\n\
        \n\
        Nice work on **yesterday's** draft! Let's keep the *momentum*.\n\
        \n\
        1. Review `parse_config` in `src/config.rs` (about 2 * 15 = 30 min)\n\
        2. Write the __tests__ for snake_case_names\n\
        \n\
        - Focus on _one_ thing\n  \
          * nested with ***both*** and a lone * star\n\
        + plus item\n\
        \n\
        > Stay **focused** — you've got this.\n\
        > > Nested `quote`\n\
        \n\
        ---\n\
        ```rust\n\
        fn main() { let x = 2 * 3; println!(\"**{x}**\"); }\n\
        \n\
        ```\n\
        ~~~\n\
        # not a heading\n\
        ~~~\n\
        Escaped \\*stars\\* and C:\\Users, `` a ` b `` and an unclosed **bold\n\
        ### Done ✓ — ünïcödé _ñ_ 🎉";

    #[test]
    fn a_whole_reply_renders_as_expected() {
        let expected = "<b><u>Plan for today</>\n\
            \n\
            Nice work on <b>yesterday's</> draft! Let's keep the <i>momentum</>.\n\
            \n\
            1. Review <code>parse_config</> in <code>src/config.rs</> (about 2 * 15 = 30 min)\n\
            2. Write the <b>tests</> for snake_case_names\n\
            \n\
            • Focus on <i>one</> thing\n  \
              • nested with <b><i>both</> and a lone * star\n\
            • plus item\n\
            \n\
            <dim>│</> Stay <b>focused</> — you've got this.\n\
            <dim>│</> <dim>│</> Nested <code>quote</>\n\
            \n\
            <dim>────────────────────</>\n  \
            <code>fn main() { let x = 2 * 3; println!(\"**{x}**\"); }</>\n\
            \n  \
            <code># not a heading</>\n\
            Escaped *stars* and C:\\Users, <code> a ` b </> and an unclosed <b>bold</>\n\
            <b>Done ✓ — ünïcödé </><b><i>ñ</><b> 🎉</>";
        assert_eq!(styled(REPLY), expected);
    }

    #[test]
    fn the_reply_renders_the_same_however_it_is_cut() {
        assert_cut_anywhere_renders_the_same(REPLY);
    }

    #[test]
    fn short_replies_render_the_same_cut_in_three() {
        for input in [
            "# Hi **there**\n- a _b_ `c`\n```\nx\n```\n> q\n",
            "***a** b* 2 * 3 snake_case \\_x\\_ __d__",
            "  1) one\n10. ten\n- - -\n-x\n#tag\n####### seven",
            "> a `b\n~~~~\n~~~\n  ~~~~ \n\\`x\\` *y*_z_ end\\\n",
        ] {
            let whole = in_pieces(true, &[input]);
            let cuts = boundaries(input);
            for (n, &i) in cuts.iter().enumerate() {
                for &j in &cuts[n..] {
                    let pieces = [&input[..i], &input[i..j], &input[j..]];
                    assert_eq!(in_pieces(true, &pieces), whole, "cuts at {i} and {j}");
                }
            }
        }
    }

    #[test]
    fn plain_output_is_the_input_unchanged() {
        let mut markdown = Markdown::new(false);
        assert_eq!(
            markdown.push("**bold** and `code`\n"),
            "**bold** and `code`\n"
        );
        assert_eq!(markdown.push("# head"), "# head");
        assert_eq!(markdown.push("ing *"), "ing *");
        assert_eq!(markdown.finish(), "");
        assert_eq!(in_pieces(false, &[REPLY]), REPLY);
    }

    #[test]
    fn bold_and_italics_lose_their_markers() {
        assert_eq!(styled("a **b** c"), "a <b>b</> c");
        assert_eq!(styled("a __b__ c"), "a <b>b</> c");
        assert_eq!(styled("a *b* c"), "a <i>b</> c");
        assert_eq!(styled("a _b_ c"), "a <i>b</> c");
        assert_eq!(styled("***b*** c"), "<b><i>b</> c");
        assert_eq!(styled("**b *i* b**"), "<b>b </><b><i>i</><b> b</>");
        assert_eq!(styled("(*a*) \"**b**\""), "(<i>a</>) \"<b>b</>\"");
        assert_eq!(styled("**Note:** x"), "<b>Note:</> x");
    }

    #[test]
    fn markers_must_match_to_close() {
        assert_eq!(styled("*a_ b*"), "<i>a_ b</>");
        assert_eq!(styled("__a** b__"), "<b>a** b</>");
    }

    #[test]
    fn words_arithmetic_and_paths_keep_their_stars_and_underscores() {
        for text in [
            "snake_case_name and x_1",
            "2 * 3 * 4 = 24",
            "2*3*4 = 24",
            "2 ** 8 and x**2",
            "glob src/*.rs",
            "a * b",
            "trailing *",
            "a **** b",
            "** not bold **",
        ] {
            assert_eq!(styled(text), text);
        }
    }

    #[test]
    fn an_underscore_closes_only_at_a_word_end() {
        assert_eq!(styled("_a_b c_ d"), "<i>a_b c</> d");
    }

    #[test]
    fn unclosed_styles_end_with_their_line() {
        assert_eq!(styled("a **b c\nd"), "a <b>b c</>\nd");
        assert_eq!(styled("a *b\n*c*"), "a <i>b</>\n<i>c</>");
        assert_eq!(styled("`x\ny"), "<code>x</>\ny");
        assert_eq!(styled("**b"), "<b>b</>");
    }

    #[test]
    fn code_spans_are_not_interpreted() {
        assert_eq!(
            styled("run `cargo *t* _x_` now"),
            "run <code>cargo *t* _x_</> now"
        );
        assert_eq!(styled("``a`b``"), "<code>a`b</>");
        assert_eq!(styled("**`x`**"), "<b><code>x</>");
        assert_eq!(
            styled("a lone ` at the end `"),
            "a lone <code> at the end </>"
        );
        assert_eq!(styled("end `\nnext"), "end `\nnext");
    }

    #[test]
    fn backslashes_escape_punctuation_only() {
        assert_eq!(styled("\\*a\\* \\_b\\_ \\`c\\`"), "*a* _b_ `c`");
        assert_eq!(styled("C:\\Users\\x \\\\ end\\"), "C:\\Users\\x \\ end\\");
        assert_eq!(styled("\\# not a heading"), "# not a heading");
    }

    #[test]
    fn headings_are_bold_without_their_hashes() {
        assert_eq!(styled("# One\n"), "<b><u>One</>\n");
        assert_eq!(styled("## Two *i*\n"), "<b>Two </><b><i>i</>\n");
        assert_eq!(styled("  ###### Six"), "  <b>Six</>");
        assert_eq!(styled("#\nx"), "\nx");
        for text in ["#hashtag", "####### seven", "a # b"] {
            assert_eq!(styled(text), text);
        }
    }

    #[test]
    fn list_items_get_bullets() {
        assert_eq!(styled("- a\n  * b\n\t+ c\n"), "• a\n  • b\n\t• c\n");
        assert_eq!(styled("* **x**"), "• <b>x</>");
        assert_eq!(styled("1. one\n  12) twelve\n"), "1. one\n  12) twelve\n");
        for text in ["-x", "+1", "3.14 is pi", "1234567890. too long", "-"] {
            assert_eq!(styled(text), text);
        }
    }

    #[test]
    fn quotes_get_a_bar() {
        assert_eq!(styled("> a\n>b\n"), "<dim>│</> a\n<dim>│</> b\n");
        assert_eq!(
            styled("> # h\n> - i"),
            "<dim>│</> <b><u>h</>\n<dim>│</> • i"
        );
        assert_eq!(styled(">\n"), "<dim>│</> \n");
        assert_eq!(styled("> ```\nx"), "<dim>│</> ```\nx");
    }

    #[test]
    fn rules_become_a_line() {
        let rule = "<dim>────────────────────</>";
        for text in ["---", "***", "___", "- - -", "*\t* *  *"] {
            assert_eq!(styled(text), rule, "{text:?}");
        }
        assert_eq!(styled(" ___\n_"), format!(" {rule}\n_"));
        assert_eq!(styled("--\n"), "--\n");
        assert_eq!(styled("---x"), "---x");
    }

    #[test]
    fn fenced_code_is_indented_and_not_interpreted() {
        assert_eq!(
            styled("```rust\nlet x = *y*;\n\n  # z\n```\nafter"),
            "  <code>let x = *y*;</>\n\n  <code>  # z</>\nafter"
        );
        assert_eq!(
            styled("~~~~\n~~~\n```\n~~~~~  \nx"),
            "  <code>~~~</>\n  <code>```</>\nx"
        );
        assert_eq!(
            styled("```\n```not a close\n```"),
            "  <code>```not a close</>\n"
        );
        assert_eq!(styled("  ```\n  a\n  ```\n"), "  <code>  a</>\n");
    }

    #[test]
    fn backticks_with_a_backtick_later_on_the_line_are_not_a_fence() {
        assert_eq!(styled("```x``` y"), "<code>x</> y");
    }

    #[test]
    fn an_unclosed_fence_ends_with_the_reply() {
        assert_eq!(styled("```\nx"), "  <code>x</>");
        assert_eq!(styled("```py"), "");
    }

    #[test]
    fn text_is_printed_as_soon_as_its_style_is_known() {
        let mut markdown = Markdown::new(true);
        assert_eq!(markdown.push("Hello, wor"), "Hello, wor");
        assert_eq!(markdown.push("ld 2 *"), "ld 2 ");
        assert_eq!(markdown.push(" 3 **bo"), tags_back("* 3 <b>bo"));
        assert_eq!(
            markdown.push("ld** and snake_"),
            tags_back("ld</> and snake")
        );
        assert_eq!(markdown.push("case\n#"), "_case\n");
        assert_eq!(markdown.push("# Ti"), tags_back("<b>Ti"));
        assert_eq!(markdown.push("tle\n```"), tags_back("tle</>\n"));
        assert_eq!(markdown.push("sh\ncargo te"), tags_back("  <code>cargo te"));
        assert_eq!(markdown.push("st\n`"), tags_back("st</>\n"));
        assert_eq!(markdown.push("``\n- "), "");
        assert_eq!(markdown.push("item"), "• item");
        assert_eq!(markdown.finish(), "");
    }

    /// The escape codes for `tagged`, the reverse of [`tags`].
    fn tags_back(tagged: &str) -> String {
        tagged
            .replace("</>", "\x1b[0m")
            .replace("<b>", &Style::new().bold().to_string())
            .replace("<code>", &CODE.to_string())
    }

    #[test]
    fn finish_closes_styles_and_starts_a_new_reply() {
        let mut markdown = Markdown::new(true);
        assert_eq!(tags(&markdown.push("```\nin code *")), "  <code>in code *");
        assert_eq!(tags(&markdown.finish()), "</>");
        assert_eq!(markdown.push("*x*\n"), tags_back("\x1b[3mx</>\n"));
        assert_eq!(tags(&markdown.push("a **b")), "a <b>b");
        assert_eq!(tags(&markdown.finish()), "</>");
        assert_eq!(markdown.finish(), "");
    }

    #[test]
    fn held_back_markers_come_out_at_the_finish() {
        for text in ["a *", "#", "- ", "12.", "```", "x\\", "  "] {
            let mut markdown = Markdown::new(true);
            let mut out = markdown.push(text);
            out += &markdown.finish();
            assert!(
                !out.is_empty() || text.starts_with('`') || text == "#",
                "{text:?}"
            );
            assert_eq!(tags(&out), styled(text));
        }
        assert_eq!(styled("a *"), "a *");
        assert_eq!(styled("- "), "• ");
        assert_eq!(styled("12."), "12.");
        assert_eq!(styled("x\\"), "x\\");
        assert_eq!(styled("  "), "  ");
    }

    #[test]
    fn unicode_and_tabs_pass_through() {
        assert_eq!(
            styled("**héllo** wörld ✓ _ñ_ 🎉"),
            "<b>héllo</> wörld ✓ <i>ñ</> 🎉"
        );
        assert_eq!(styled("\tindented *x*\tend"), "\tindented <i>x</>\tend");
        assert_eq!(styled("語*強調*"), "語*強調*");
    }
}
