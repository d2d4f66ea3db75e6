//! Untrusted text made safe for a terminal.
//!
//! A model's reply, a task typed on the command line and an error body from a server can all
//! carry terminal control sequences: a colour change that never ends, a cleared screen, an
//! OSC 52 write to the clipboard, a title change. [`Sanitizer`] removes every escape sequence
//! whole, even when it arrives split across the pieces of a stream, and drops the other control
//! characters but for newlines and tabs.

/// The longest string sequence (OSC, DCS, …) followed before giving up on its terminator, so a
/// stray `ESC ]` cannot swallow the rest of a reply.
const MAX_STRING_SEQUENCE: usize = 512;

/// Where the sanitizer is inside an escape sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Text,
    /// After ESC.
    Escape,
    /// After ESC and an intermediate byte (`ESC ( B`), until the final byte.
    EscapeIntermediate,
    /// After `ESC [` or C1 CSI, until a final byte in `@`..=`~`.
    Csi,
    /// After `ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _` (or their C1 forms), until BEL or ST;
    /// the count of characters swallowed so far.
    String(usize),
    /// After ESC inside a string sequence: `\` ends it.
    StringEscape(usize),
}

/// Removes escape sequences from text that may arrive in pieces. Feed it with [`push`]; its
/// state carries a sequence that a piece cut in two.
///
/// [`push`]: Sanitizer::push
#[derive(Debug, Clone, Default)]
pub struct Sanitizer {
    state: State,
}

impl Sanitizer {
    pub fn new() -> Sanitizer {
        Sanitizer::default()
    }

    /// The printable part of `piece`: escape sequences removed, control characters dropped but
    /// for `\n` and `\t`, `\r` dropped (so `\r\n` becomes `\n`), the bidirectional
    /// overrides that can make text read differently from what it is dropped, and so are
    /// the invisible characters that can hide text (zero-width space, word joiners, tag
    /// characters); the Unicode line and paragraph separators become `\n`.
    pub fn push(&mut self, piece: &str) -> String {
        let mut out = String::with_capacity(piece.len());
        for c in piece.chars() {
            let Some(c) = self.feed(c) else { continue };
            if matches!(c, '\u{2028}' | '\u{2029}') {
                out.push('\n');
            } else if (!c.is_control() || c == '\n' || c == '\t')
                && !is_bidi_control(c)
                && !is_invisible(c)
            {
                out.push(c);
            }
        }
        out
    }

    /// `c` when it is text, `None` when it belongs to an escape sequence.
    // The arms read as a transition table, grouped by state.
    #[allow(clippy::match_same_arms)]
    fn feed(&mut self, c: char) -> Option<char> {
        let (next, text) = match (self.state, c) {
            (State::Text, '\u{1b}') => (State::Escape, None),
            (State::Text, '\u{9b}') => (State::Csi, None),
            (State::Text, '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}') => {
                (State::String(0), None)
            }
            (State::Text, c) => (State::Text, Some(c)),
            (State::Escape, '[') => (State::Csi, None),
            (State::Escape, ']' | 'P' | 'X' | '^' | '_') => (State::String(0), None),
            (State::Escape | State::EscapeIntermediate, ' '..='/') => {
                (State::EscapeIntermediate, None)
            }
            // The final byte of a two-byte (or intermediate) escape.
            (State::Escape | State::EscapeIntermediate, _) => (State::Text, None),
            (State::Csi, '@'..='~') => (State::Text, None),
            (State::Csi, _) => (State::Csi, None),
            (State::String(_), '\u{7}' | '\u{9c}') => (State::Text, None),
            (State::String(n), '\u{1b}') => (State::StringEscape(n), None),
            (State::String(n) | State::StringEscape(n), _) if n >= MAX_STRING_SEQUENCE => {
                (State::Text, Some(c))
            }
            (State::String(n), _) => (State::String(n + 1), None),
            (State::StringEscape(_), '\\') => (State::Text, None),
            (State::StringEscape(n), _) => (State::String(n + 1), None),
        };
        self.state = next;
        text
    }
}

/// `text` made safe for a terminal in one go: see [`Sanitizer::push`].
pub fn sanitize(text: &str) -> String {
    Sanitizer::new().push(text)
}

/// `text` without its escape sequences; control characters that stand alone are left for the
/// caller to deal with.
pub fn strip_escapes(text: &str) -> String {
    let mut sanitizer = Sanitizer::new();
    text.chars().filter_map(|c| sanitizer.feed(c)).collect()
}

/// Characters that show nothing and can hide text: zero-width space, word joiner and the
/// invisible operators, the byte-order mark, and the tag characters. (The zero-width
/// joiners that emoji and some scripts need stay.)
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{e0000}'..='\u{e007f}'
    )
}

/// The characters that reorder the text around them (LRE … RLO, LRI … PDI).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` cut to at most `max` characters, with `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_go_and_line_separators_become_newlines() {
        assert_eq!(
            sanitize("a\u{200b}b\u{2060}c\u{feff}d\u{e0041}\u{e0042}e\u{2028}f\u{2029}g"),
            "abcde\nf\ng"
        );
        // Emoji and scripts that need joiners keep them.
        let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
        assert_eq!(sanitize(family), family);
        assert_eq!(sanitize("\u{645}\u{200c}\u{6cc}"), "\u{645}\u{200c}\u{6cc}");
    }

    #[test]
    fn keeps_text_newlines_and_tabs() {
        assert_eq!(
            sanitize("Hello,\n\tworld — ok 亚"),
            "Hello,\n\tworld — ok 亚"
        );
        assert_eq!(sanitize("line\r\nnext\r"), "line\nnext");
    }

    #[test]
    fn removes_every_kind_of_sequence_whole() {
        // Colour, cursor movement, clear screen.
        assert_eq!(
            sanitize("\u{1b}[1;31mred\u{1b}[0m \u{1b}[2J\u{1b}[Hdone"),
            "red done"
        );
        // OSC title change ended by BEL, OSC 52 clipboard write ended by ST.
        assert_eq!(sanitize("a\u{1b}]0;pwned\u{7}b"), "ab");
        assert_eq!(sanitize("a\u{1b}]52;c;ZWNobyBoaQ==\u{1b}\\b"), "ab");
        // OSC 8 hyperlink: the link text stays.
        assert_eq!(
            sanitize("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "link"
        );
        // DCS, a charset designation, a two-byte escape, C1 CSI and C1 OSC.
        assert_eq!(sanitize("a\u{1b}Pq#0;1\u{1b}\\b"), "ab");
        assert_eq!(sanitize("\u{1b}(Bplain\u{1b}Mup"), "plainup");
        assert_eq!(sanitize("\u{9b}2Jc\u{9d}0;t\u{9c}d"), "cd");
        // Other controls: bell, backspace, DEL, NUL, C1 NEL; bidi overrides.
        assert_eq!(sanitize("a\u{7}b\u{8}c\u{7f}d\u{0}e\u{85}f"), "abcdef");
        assert_eq!(sanitize("abc\u{202e}fed\u{2066}x"), "abcfedx");
        assert_eq!(sanitize("end\u{1b}"), "end");
    }

    #[test]
    fn a_sequence_split_across_pieces_is_still_removed() {
        let whole = "ok \u{1b}]0;title\u{1b}\\then \u{1b}[38;5;196mred\u{1b}[0m.";
        let expected = sanitize(whole);
        assert_eq!(expected, "ok then red.");
        let chars: Vec<char> = whole.chars().collect();
        for cut in 0..=chars.len() {
            let (a, b): (String, String) =
                (chars[..cut].iter().collect(), chars[cut..].iter().collect());
            let mut s = Sanitizer::new();
            let joined = s.push(&a) + &s.push(&b);
            assert_eq!(joined, expected, "cut at {cut}");
        }
        let mut s = Sanitizer::new();
        let one_by_one: String = chars.iter().map(|c| s.push(&c.to_string())).collect();
        assert_eq!(one_by_one, expected);
    }

    #[test]
    fn an_unterminated_string_sequence_does_not_swallow_the_reply() {
        let text = format!("a\u{1b}]{}tail", "x".repeat(MAX_STRING_SEQUENCE));
        assert_eq!(sanitize(&text), "atail");
    }

    #[test]
    fn strip_escapes_leaves_lone_controls() {
        assert_eq!(strip_escapes("a\rb\u{1b}[2Kc\u{7}"), "a\rbc\u{7}");
    }

    #[test]
    fn truncate_cuts_on_characters() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("亚亚亚亚", 2), "亚亚…");
        assert_eq!(truncate("two words", 4), "two…");
    }
}
