//! Where the REPL's words go: a terminal (through the line editor), plain standard output (a
//! pipe, a file), or a buffer (tests).
//!
//! At a terminal, the line editor is always reading, so that a line is read the moment it is
//! entered; it then also writes everything focus shows. What the driver shows goes onto a
//! [`Board`], and the editor's thread draws the board above its prompt each time it
//! redraws (woken through rustyline's external printer). Whole lines are written for good;
//! the row of the coach's reply still streaming stays *live* right above the prompt and is
//! redrawn as words arrive, wrapped at the terminal's width, so a line typed meanwhile never
//! lands inside the reply's words. A line entered below the live row freezes what it shows;
//! the reply goes on on a new row. The prompt itself is redrawn from the state of now at every
//! redraw (see [`fit_prompt`]), and the terminal's title with it.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use unicode_width::UnicodeWidthChar;

/// Ends every row the board writes, so no style leaks into the prompt.
const RESET: &str = "\x1b[0m";

/// Where the REPL's words go.
pub trait Screen {
    /// Whole lines (styled; plain where styles are off). A reply's line still streaming is
    /// ended first.
    fn say(&mut self, text: &str) -> io::Result<()>;
    /// The next piece of the coach's words, as it arrives.
    fn stream(&mut self, piece: &str) -> io::Result<()>;
    /// The prompt of now (shown only at a terminal).
    fn prompt(&mut self, prompt: &str);
    /// The terminal's title of now (set only at a terminal, when asked for).
    fn title(&mut self, title: &str);
    /// The terminal bell.
    fn bell(&mut self);
}

/// Styles stripped from `text` when `colored` is off.
fn plain_if(text: &str, colored: bool) -> Cow<'_, str> {
    if colored {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(anstream::adapter::strip_str(text).to_string())
    }
}

/// Plain output: standard output for a pipe or a file, or any writer.
#[derive(Debug)]
pub struct Plain<W: Write> {
    out: W,
    colored: bool,
    /// A streamed line has not ended yet.
    mid_line: bool,
}

impl<W: Write> Plain<W> {
    pub fn new(out: W, colored: bool) -> Plain<W> {
        Plain {
            out,
            colored,
            mid_line: false,
        }
    }
}

impl<W: Write> Screen for Plain<W> {
    fn say(&mut self, text: &str) -> io::Result<()> {
        if std::mem::take(&mut self.mid_line) {
            self.out.write_all(b"\n")?;
        }
        let text = plain_if(text, self.colored);
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    fn stream(&mut self, piece: &str) -> io::Result<()> {
        let piece = plain_if(piece, self.colored);
        if piece.is_empty() {
            return Ok(());
        }
        self.mid_line = !piece.ends_with('\n');
        self.out.write_all(piece.as_bytes())?;
        self.out.flush()
    }

    fn prompt(&mut self, _: &str) {}

    fn title(&mut self, _: &str) {}

    fn bell(&mut self) {}
}

/// A buffer shared with a test, to read what a screen wrote.
#[derive(Debug, Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("capture")).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What the driver has shown and the editor's thread has not drawn yet, the live row of a
/// streaming reply, the prompt and the title.
#[derive(Debug)]
pub struct Board {
    state: Mutex<State>,
    /// Wakes the editor to draw (rustyline's external printer, on a thread of its own).
    wake: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    /// The editor has drawn.
    drew: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Whole lines not drawn yet (without their line breaks).
    lines: VecDeque<String>,
    /// The reply's line being streamed (no line break yet).
    current: String,
    /// How much of the first line to draw (the front of `lines`, else `current`) is on
    /// screen for good already.
    emitted: usize,
    /// Up to where the first line to draw is shown in the live row right above the
    /// prompt; `None`: no live row is there.
    drawn: Option<usize>,
    prompt: String,
    title: Option<String>,
    title_drawn: Option<String>,
    colored: bool,
    titles: bool,
    columns: usize,
    /// How many times the editor has drawn.
    draws: u64,
    /// The loop has ended: the editor draws what is left and no prompt.
    ending: bool,
}

impl Board {
    /// A board for a terminal that takes styles when `colored`, and has its title set when
    /// `titles`.
    pub fn new(colored: bool, titles: bool) -> Board {
        Board {
            state: Mutex::new(State {
                colored,
                titles,
                columns: 80,
                prompt: super::render::prompt::IDLE.to_owned(),
                ..State::default()
            }),
            wake: Mutex::new(None),
            drew: Condvar::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while drawing leaves nothing half-done that matters here.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where wake-ups go (the thread that pokes the line editor).
    pub fn set_waker(&self, wake: std::sync::mpsc::Sender<()>) {
        *self
            .wake
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(wake);
    }

    fn wake(&self) {
        if let Some(wake) = &*self
            .wake
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            let _ = wake.send(());
        }
    }

    /// The terminal's width, for wrapping the live row.
    pub fn set_columns(&self, columns: usize) {
        self.state().columns = columns.max(10);
    }

    /// The prompt to start the next line with, plain (as the editor measures it) and as
    /// shown.
    pub fn prompt(&self) -> (String, String) {
        let state = self.state();
        let plain = anstream::adapter::strip_str(&state.prompt).to_string();
        let shown = if state.colored {
            state.prompt.clone()
        } else {
            plain.clone()
        };
        (plain, shown)
    }

    /// A line was entered below the live row (or rustyline wrote below it): what the row
    /// shows stays there for good, and the reply goes on on a new row.
    pub fn detach(&self) {
        let mut state = self.state();
        if let Some(drawn) = state.drawn.take() {
            state.emitted = drawn;
        }
    }

    /// Everything waiting, then the prompt of now fitted to `width` columns: what the
    /// editor writes in place of its prompt when it redraws (its cursor is at the start of
    /// the prompt's row then).
    pub fn draw(&self, width: usize) -> String {
        let mut state = self.state();
        state.draws += 1;
        self.drew.notify_all();
        let mut out = state.draw_above();
        if state.ending {
            return out;
        }
        if state.titles && state.title != state.title_drawn {
            if let Some(title) = &state.title {
                out.push_str("\x1b]0;");
                out.push_str(title);
                out.push('\x07');
            }
            let title = state.title.clone();
            state.title_drawn = title;
        }
        let prompt = plain_if(&state.prompt, state.colored).into_owned();
        out.push_str(&fit_prompt(&prompt, width));
        out
    }

    /// The loop has ended: no more wake-ups, and what is left to show, for the caller to
    /// write (the live row ended). When the editor is still `reading`, it draws what is left
    /// itself, with no prompt, so that no redraw of its can come after the caller's last
    /// words; the caller then clears its (empty) line.
    pub fn close(&self, reading: bool) -> String {
        if reading {
            let seen = {
                let mut state = self.state();
                state.ending = true;
                state.draws
            };
            self.wake();
            let state = self.state();
            let _ = self
                .drew
                .wait_timeout_while(state, Duration::from_millis(500), |s| s.draws == seen);
        }
        *self
            .wake
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        self.drain()
    }

    /// Everything waiting, as rows (the live row ended).
    fn drain(&self) -> String {
        let mut state = self.state();
        let current = std::mem::take(&mut state.current);
        if !current.is_empty() {
            state.lines.push_back(current);
        }
        state.draw_above()
    }
}

impl State {
    /// The lines and the live row to write above the prompt (replacing the live row drawn
    /// before, if it changed).
    fn draw_above(&mut self) -> String {
        let mut out = String::new();
        let changed = !self.lines.is_empty() || self.drawn != Some(self.current.len());
        if !changed {
            return out;
        }
        if self.drawn.take().is_some() {
            // Up to the live row, cleared: it is written again, longer or ended.
            out.push_str("\x1b[A\r\x1b[2K");
        }
        let width = self.columns.saturating_sub(1);
        let mut from = std::mem::take(&mut self.emitted);
        while let Some(line) = self.lines.pop_front() {
            // A line already on screen in full (its live row was frozen) is not written again.
            if from == 0 || from < line.len() {
                // Broken at spaces, so the terminal does not break words.
                for (start, end) in wrap(&line, from, width) {
                    self.row(&mut out, &line, start, end);
                }
            }
            from = 0;
        }
        // The line still streaming: its full rows go out for good, its last row is live.
        let line = std::mem::take(&mut self.current);
        let rows = wrap(&line, from, width);
        let (last, full) = rows
            .split_last()
            .map_or((None, &[][..]), |(l, f)| (Some(*l), f));
        for &(start, end) in full {
            self.row(&mut out, &line, start, end);
        }
        self.emitted = last.map_or(line.len(), |(start, _)| start);
        if let Some((start, end)) = last
            && end > start
        {
            self.row(&mut out, &line, start, end);
            self.drawn = Some(line.len());
        }
        self.current = line;
        out
    }

    /// Writes `line[start..end]` as a row, with the styles in effect at `start`.
    fn row(&self, out: &mut String, line: &str, start: usize, end: usize) {
        let text = format!("{}{}", styles_at(line, start), &line[start..end]);
        let text = plain_if(&text, self.colored);
        out.push_str(&text);
        if self.colored && text.contains('\x1b') {
            out.push_str(RESET);
        }
        out.push_str("\r\n");
    }

    /// Ends the line streaming (it has a line break, or whole lines come after it).
    fn end_current(&mut self) {
        let line = std::mem::take(&mut self.current);
        self.lines.push_back(line);
    }
}

/// A terminal through the line editor: what is shown goes onto the board, and the editor
/// draws it.
#[derive(Debug, Clone)]
pub struct Terminal {
    board: Arc<Board>,
}

impl Terminal {
    pub fn new(board: Arc<Board>) -> Terminal {
        Terminal { board }
    }

    pub fn board(&self) -> &Arc<Board> {
        &self.board
    }
}

impl Screen for Terminal {
    fn say(&mut self, text: &str) -> io::Result<()> {
        {
            let mut state = self.board.state();
            if !state.current.is_empty() {
                state.end_current();
            }
            state.lines.extend(text.split('\n').map(str::to_owned));
        }
        self.board.wake();
        Ok(())
    }

    fn stream(&mut self, piece: &str) -> io::Result<()> {
        {
            let mut state = self.board.state();
            let mut pieces = piece.split('\n').peekable();
            while let Some(part) = pieces.next() {
                state.current.push_str(part);
                if pieces.peek().is_some() {
                    state.end_current();
                }
            }
        }
        self.board.wake();
        Ok(())
    }

    fn prompt(&mut self, prompt: &str) {
        let changed = {
            let mut state = self.board.state();
            let changed = state.prompt != prompt;
            prompt.clone_into(&mut state.prompt);
            changed
        };
        if changed {
            self.board.wake();
        }
    }

    fn title(&mut self, title: &str) {
        let changed = {
            let mut state = self.board.state();
            let changed = state.title.as_deref() != Some(title);
            state.title = Some(title.to_owned());
            changed && state.titles
        };
        if changed {
            self.board.wake();
        }
    }

    fn bell(&mut self) {
        // Straight to the terminal: a bell moves nothing on the screen.
        let mut out = io::stdout().lock();
        let _ = out.write_all(b"\x07").and_then(|()| out.flush());
    }
}

/// The prompt of now in exactly `width` columns, the width of the prompt the line editor
/// started its line with (it places the cursor by that width). A shorter prompt is padded
/// before its `›`, so the typing stays where it was; a longer one loses its `focus `, then
/// its first words (the time or the question, at the end, stays longest).
pub fn fit_prompt(prompt: &str, width: usize) -> String {
    let have = display_width(prompt);
    if have == width {
        return prompt.to_owned();
    }
    if have < width {
        let pad = " ".repeat(width - have);
        return match prompt.strip_suffix("› ") {
            Some(head) => format!("{head}{pad}› "),
            None => format!("{prompt}{pad}"),
        };
    }
    if let Some(inner) = prompt
        .strip_prefix("focus [")
        .and_then(|p| p.strip_suffix("] › "))
    {
        let words: Vec<&str> = inner.split(' ').collect();
        for skip in 0..words.len() {
            let shorter = format!("[{}] › ", words[skip..].join(" "));
            if display_width(&shorter) <= width {
                return fit_prompt(&shorter, width);
            }
        }
    }
    if width >= 2 {
        fit_prompt("› ", width)
    } else {
        " ".repeat(width)
    }
}

/// Columns `text` takes on a terminal, escape sequences not counted.
pub fn display_width(text: &str) -> usize {
    let plain = anstream::adapter::strip_str(text).to_string();
    plain.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The SGR escapes (styles) in effect at byte `at` of `line`: every one since the last reset.
fn styles_at(line: &str, at: usize) -> String {
    let mut styles = String::new();
    let bytes = &line[..at];
    let mut rest = bytes;
    while let Some(start) = rest.find("\x1b[") {
        let seq = &rest[start..];
        let Some(end) = seq[2..].find(|c: char| c.is_ascii_alphabetic()) else {
            break;
        };
        let escape = &seq[..end + 3];
        if escape.ends_with('m') {
            if escape == "\x1b[0m" || escape == "\x1b[m" {
                styles.clear();
            } else {
                styles.push_str(escape);
            }
        }
        rest = &seq[end + 3..];
    }
    styles
}

/// The rows `line[from..]` takes in `width` columns, as byte ranges of `line`: broken at a
/// space where one is (the space goes at the row's end), else mid-word. Escapes take no
/// room. There is always one row, maybe empty.
fn wrap(line: &str, from: usize, width: usize) -> Vec<(usize, usize)> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut start = from;
    let mut used = 0;
    // The byte after the last space in the row, where it can break.
    let mut space: Option<usize> = None;
    let mut i = from;
    while i < line.len() {
        let rest = &line[i..];
        if let Some(escape) = rest.strip_prefix("\x1b[") {
            let len = escape
                .find(|c: char| c.is_ascii_alphabetic())
                .map_or(rest.len(), |n| n + 3);
            i += len;
            continue;
        }
        let c = rest.chars().next().expect("not at the end");
        let w = c.width().unwrap_or(0);
        // A space may take the column kept free at the end, so a row never starts with one.
        if used + w > width && c != ' ' {
            let cut = match space {
                Some(after) if after > start => after,
                _ => i,
            };
            rows.push((start, cut));
            start = cut;
            used = display_width(&line[start..i]);
            space = None;
            continue;
        }
        used += w;
        i += c.len_utf8();
        if c == ' ' {
            space = Some(i);
        }
    }
    rows.push((start, line.len()));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The terminal as a list of rows, after writing what the board drew with the prompt
    /// on the last row (a tiny emulator of the escapes the board uses).
    #[derive(Debug, Default)]
    struct Rows {
        rows: Vec<String>,
        cursor: usize,
    }

    impl Rows {
        fn write(&mut self, text: &str) {
            let mut rest = text;
            if self.rows.is_empty() {
                self.rows.push(String::new());
            }
            while !rest.is_empty() {
                if let Some(r) = rest.strip_prefix("\x1b[A") {
                    self.cursor = self.cursor.saturating_sub(1);
                    rest = r;
                } else if let Some(r) = rest.strip_prefix("\x1b[2K") {
                    self.rows[self.cursor].clear();
                    rest = r;
                } else if let Some(r) = rest.strip_prefix('\r') {
                    rest = r;
                } else if let Some(r) = rest.strip_prefix('\n') {
                    self.cursor += 1;
                    if self.rows.len() <= self.cursor {
                        self.rows.push(String::new());
                    }
                    rest = r;
                } else {
                    let c = rest.chars().next().unwrap();
                    self.rows[self.cursor].push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }

        /// The editor redraws: its prompt row is cleared, then the board draws.
        fn redraw(&mut self, board: &Board) {
            if self.rows.is_empty() {
                self.rows.push(String::new());
            }
            self.rows[self.cursor].clear();
            let drawn = board.draw(8);
            self.write(&drawn);
        }

        /// A line is entered at the prompt: it stays, and the next prompt is below it.
        fn enter(&mut self, line: &str, board: &Board) {
            self.rows[self.cursor].push_str(line);
            self.write("\r\n");
            board.detach();
        }
    }

    fn setup() -> (Arc<Board>, Terminal) {
        let board = Arc::new(Board::new(false, false));
        board.set_columns(21);
        let terminal = Terminal::new(Arc::clone(&board));
        (board, terminal)
    }

    #[test]
    fn the_live_row_grows_in_place_and_wraps_at_a_space() {
        let (board, mut screen) = setup();
        let mut rows = Rows::default();
        rows.redraw(&board);
        assert_eq!(rows.rows, ["focus › "]);
        screen.stream("[09:12] One step").unwrap();
        rows.redraw(&board);
        assert_eq!(rows.rows, ["[09:12] One step", "focus › "]);
        screen.stream(" at a time, then").unwrap();
        rows.redraw(&board);
        assert_eq!(
            rows.rows,
            ["[09:12] One step at ", "a time, then", "focus › "]
        );
        screen.stream(" more.\n").unwrap();
        rows.redraw(&board);
        assert_eq!(
            rows.rows,
            ["[09:12] One step at ", "a time, then more.", "focus › "]
        );
    }

    #[test]
    fn lines_said_and_typed_never_land_inside_the_reply() {
        let (board, mut screen) = setup();
        let mut rows = Rows::default();
        rows.redraw(&board);
        screen.stream("[09:12] Start with").unwrap();
        rows.redraw(&board);
        // A line typed and entered below the live row.
        rows.enter("/park A", &board);
        screen.say("[09:12] Parked.").unwrap();
        screen.stream(" the intro").unwrap();
        rows.redraw(&board);
        assert_eq!(
            rows.rows,
            [
                "[09:12] Start with",
                "focus › /park A",
                "[09:12] Parked.",
                " the intro",
                "focus › "
            ]
        );
        // A check-in while the reply streams ends its row; the reply goes on below.
        screen.say("[09:13] Check-in.").unwrap();
        screen.stream(" and stop.\n").unwrap();
        rows.redraw(&board);
        assert_eq!(
            rows.rows[3..],
            [" the intro", "[09:13] Check-in.", " and stop.", "focus › "]
        );
    }

    #[test]
    fn whole_lines_are_broken_at_spaces_not_mid_word() {
        let (board, mut screen) = setup();
        let mut rows = Rows::default();
        rows.redraw(&board);
        screen
            .say("[09:12] Check-in: 12m in, 13m left. Ctrl-D leaves.")
            .unwrap();
        rows.redraw(&board);
        assert_eq!(
            rows.rows,
            [
                "[09:12] Check-in: ",
                "12m in, 13m left. ",
                "Ctrl-D leaves.",
                "focus › "
            ]
        );
    }

    #[test]
    fn a_prompt_of_another_width_is_fitted_to_the_line_editors() {
        assert_eq!(fit_prompt("focus › ", 8), "focus › ");
        assert_eq!(
            fit_prompt("focus [break → 09:30] › ", 27),
            "focus [break → 09:30]    › "
        );
        assert_eq!(
            fit_prompt("focus [1/2 work → 09:25] › ", 23),
            "[1/2 work → 09:25]   › "
        );
        assert_eq!(
            fit_prompt("focus [reflection 10/12] › ", 12),
            "[10/12]   › "
        );
        assert_eq!(fit_prompt("focus [1/1 work → 17:28] › ", 8), "      › ");
        assert_eq!(
            fit_prompt("focus [1/1 work → 17:28] › ", 12),
            "[→ 17:28] › "
        );
    }

    #[test]
    fn rows_break_at_spaces_and_skip_escapes() {
        let line = "\x1b[1mbold\x1b[0m words here";
        let rows = wrap(line, 0, 10);
        let texts: Vec<String> = rows
            .iter()
            .map(|&(s, e)| anstream::adapter::strip_str(&line[s..e]).to_string())
            .collect();
        assert_eq!(texts, ["bold words ", "here"]);
        assert_eq!(styles_at(line, 2), "");
        assert_eq!(styles_at(line, 6), "\x1b[1m");
        assert_eq!(styles_at(line, line.len()), "");
        assert_eq!(wrap("abcdefghij", 0, 4), [(0, 4), (4, 8), (8, 10)]);
    }
}
