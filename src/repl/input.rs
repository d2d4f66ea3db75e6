//! Where typed lines come from.
//!
//! On a terminal, rustyline reads on its own thread, and it is always reading: as soon as a
//! line is entered it goes to the driver, and after a short wait for the driver to take it in
//! (so that the next prompt is the prompt of now) the next line is read. Nothing typed waits
//! in the terminal's buffer, so nothing is lost or echoed into what focus prints. History,
//! Tab completion and hints come from the command table; `"""` fences and bracketed paste
//! make messages of several lines. The editor's thread also writes everything focus shows:
//! what the driver says is on the [`Board`], which the prompt's highlighter draws above the
//! prompt at every redraw (see `screen`); a wake-up through rustyline's external printer makes
//! it redraw. (Warnings about damaged files go to standard error.)
//!
//! Anywhere else (a pipe, a file) lines are read as they come, with the same commands and
//! fences, so a session can be scripted.

use std::borrow::Cow;
use std::fs::OpenOptions;
use std::io::{self, BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use anstyle::Style;
use futures::Stream;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{DefaultHistory, History};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, ColorMode, CompletionType, Config, Context, Editor, EventHandler, ExternalPrinter, Helper,
    KeyCode, KeyEvent, Modifiers,
};
use tokio::sync::mpsc;

use super::command;
use super::screen::{Board, Plain, Terminal, display_width};

/// The line that opens and closes a message of several lines.
pub const FENCE: &str = "\"\"\"";

/// The most lines of history kept.
const HISTORY_SIZE: usize = 1000;

/// How long the editor waits for the driver to take a line in before it reads the next one
/// with the prompt it has. The driver takes a line in within milliseconds; the wait only
/// matters if it is slow, and then the prompt is redrawn when it catches up.
const TAKE_IN: Duration = Duration::from_millis(250);

/// How long the editor waits for the driver's first prompt (it may be reading a journal).
const FIRST_PROMPT: Duration = Duration::from_secs(2);

/// What the editor's wake-up message writes: up a row and back down, which moves nothing.
/// (rustyline writes it where the prompt was, then redraws the prompt, and with it the board.)
const NUDGE: &str = "\x1b[A\n";

/// What the input side sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Line(String),
    /// Ctrl-C at the prompt (the line is cleared).
    Interrupt,
    /// The person left: Ctrl-D at the prompt, or the terminal is gone.
    Leave,
    /// No more lines will come (the end of a pipe or file).
    Closed,
}

/// Between the driver and the editor: the driver's word that the prompt for the next line is
/// ready (after it started, and after it took in each input), whether to stop, and whether the
/// editor is reading (the terminal in its raw mode). One lock, so that a stop cannot slip in
/// between the editor's look at it and its next line.
#[derive(Debug, Default)]
struct Ack {
    state: Mutex<AckState>,
    taken: Condvar,
}

#[derive(Debug, Default)]
struct AckState {
    /// Prompts made ready so far.
    taken: u64,
    stop: bool,
    reading: bool,
}

impl Ack {
    fn lock(&self) -> std::sync::MutexGuard<'_, AckState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The prompt for one more line is ready; `stop`: read no more.
    fn took(&self, stop: bool) {
        let mut state = self.lock();
        state.taken += 1;
        state.stop |= stop;
        self.taken.notify_all();
    }

    /// No more lines; whether the editor is reading one now.
    fn stop(&self) -> bool {
        let mut state = self.lock();
        state.stop = true;
        self.taken.notify_all();
        state.reading
    }

    /// Waits (at most `patience`) until the prompt for line `seq` (from 1) is ready, then
    /// marks the editor as reading; `false`: stop instead.
    fn start_reading(&self, seq: u64, patience: Duration) -> bool {
        let state = self.lock();
        let (mut state, _) = self
            .taken
            .wait_timeout_while(state, patience, |s| s.taken < seq && !s.stop)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.reading = !state.stop;
        state.reading
    }

    fn stopped_reading(&self) {
        self.lock().reading = false;
    }

    fn is_reading(&self) -> bool {
        self.lock().reading
    }
}

/// The lines the driver reads.
#[derive(Debug)]
pub struct Lines {
    rx: mpsc::Receiver<Input>,
    /// At a terminal: the editor waiting for each input to be taken in.
    ack: Option<Arc<Ack>>,
    /// The terminal's modes before the editor changed them, put back at the end.
    terminal: Option<TerminalModes>,
    open: bool,
}

impl Lines {
    /// Lines from a channel, as they come (for a pipe, and for tests).
    pub fn from_channel(rx: mpsc::Receiver<Input>) -> Lines {
        Lines {
            rx,
            ack: None,
            terminal: None,
            open: true,
        }
    }

    /// Whether lines come from a person at a terminal (with a prompt).
    pub fn is_terminal(&self) -> bool {
        self.ack.is_some()
    }

    /// Whether lines may still come.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The next input; `None` once the reader is gone.
    pub async fn recv(&mut self) -> Option<Input> {
        let input = self.rx.recv().await;
        if matches!(input, None | Some(Input::Closed)) {
            self.open = false;
        }
        input
    }

    /// The prompt for the next line is ready: the driver has started, or has taken in the
    /// input it received last. `stop`: no more lines.
    pub fn took(&self, stop: bool) {
        if let Some(ack) = &self.ack {
            ack.took(stop);
        }
    }

    /// No more lines are wanted: the editor stops after its line. Returns whether it is
    /// reading one now (then [`Lines::give_back`] puts the terminal's modes back once it
    /// has drawn its last).
    pub fn stop(&mut self) -> bool {
        self.ack.as_ref().is_some_and(|ack| ack.stop())
    }

    /// The terminal's modes as they were before the editor (which is left reading, as the
    /// process ends) changed them.
    pub fn give_back(&self) {
        if let Some(modes) = &self.terminal {
            modes.restore();
        }
    }
}

/// Standard input, read on a thread: with rustyline when both ends are a terminal, else line
/// by line. Returns the lines and the board the editor draws (at a terminal). `history` is
/// the file that keeps typed lines across runs (mode 0600).
pub fn stdin(history: Option<PathBuf>, colored: bool, titles: bool) -> (Lines, Option<Terminal>) {
    if io::stdin().is_terminal() && io::stdout().is_terminal() {
        match terminal(history, colored, titles) {
            Ok((lines, screen)) => return (lines, Some(screen)),
            Err(error) => {
                tracing::debug!(%error, "no line editor; reading plain lines");
            }
        }
    }
    let (tx, rx) = mpsc::channel(64);
    read_plain(tx);
    (Lines::from_channel(rx), None)
}

/// Standard output as a plain screen (a pipe, a file, or a terminal without an editor).
pub fn plain_stdout(colored: bool) -> Plain<io::Stdout> {
    Plain::new(io::stdout(), colored)
}

type Printer = Box<dyn ExternalPrinter + Send>;

fn terminal(
    history: Option<PathBuf>,
    colored: bool,
    titles: bool,
) -> rustyline::Result<(Lines, Terminal)> {
    let config = Config::builder()
        .max_history_size(HISTORY_SIZE)?
        .history_ignore_dups(true)?
        .history_ignore_space(true)
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .bracketed_paste(true)
        // The highlighter draws the board and the prompt of now, styles or not.
        .color_mode(ColorMode::Forced)
        .build();
    let board = Arc::new(Board::new(colored, titles));
    let mut editor: Editor<Partner, DefaultHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(Partner {
        colored,
        board: Arc::clone(&board),
    }));
    // Alt-Enter starts a new line in the message instead of sending it.
    editor.bind_sequence(
        KeyEvent(KeyCode::Enter, Modifiers::ALT),
        EventHandler::Simple(Cmd::Newline),
    );
    let history = history.filter(|path| prepare_history(path).is_ok());
    if let Some(path) = &history
        && let Err(error) = editor.load_history(path)
    {
        tracing::debug!(%error, path = %path.display(), "history not read");
    }
    let printer: Printer = Box::new(editor.create_external_printer()?);
    let modes = TerminalModes::save();
    let (tx, rx) = mpsc::channel(64);
    let ack = Arc::new(Ack::default());
    let (wake, woken) = std::sync::mpsc::channel();
    board.set_waker(wake);
    let editing = Arc::clone(&ack);
    thread::spawn(move || nudge(printer, &woken, &editing));
    let lines = Lines {
        rx,
        ack: Some(Arc::clone(&ack)),
        terminal: modes,
        open: true,
    };
    let drawn = Arc::clone(&board);
    thread::spawn(move || edit(editor, history.as_deref(), &drawn, &tx, &ack));
    Ok((lines, Terminal::new(board)))
}

/// Wakes the editor to redraw whenever the board changed (several changes, one redraw).
/// While it is not reading there is nothing to wake: its next line draws the board.
fn nudge(mut printer: Printer, woken: &std::sync::mpsc::Receiver<()>, ack: &Ack) {
    while woken.recv().is_ok() {
        while woken.try_recv().is_ok() {}
        if ack.is_reading() && printer.print(NUDGE.to_owned()).is_err() {
            return;
        }
    }
}

/// The terminal's modes as they were before the editor changed them.
#[derive(Debug)]
struct TerminalModes {
    #[cfg(unix)]
    modes: nix::sys::termios::Termios,
}

impl TerminalModes {
    fn save() -> Option<TerminalModes> {
        #[cfg(unix)]
        {
            let modes = nix::sys::termios::tcgetattr(io::stdin()).ok()?;
            Some(TerminalModes { modes })
        }
        #[cfg(not(unix))]
        None
    }

    /// Puts the modes back (the editor is left reading, and the process is about to end).
    fn restore(&self) {
        #[cfg(unix)]
        {
            let _ = nix::sys::termios::tcsetattr(
                io::stdin(),
                nix::sys::termios::SetArg::TCSADRAIN,
                &self.modes,
            );
        }
    }
}

/// The history file exists and only its owner can read it.
fn prepare_history(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::store::private::create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    options.open(path)?;
    Ok(())
}

/// The editor's thread: reads a line, hands it over, waits (briefly) for the driver to take
/// it in, and reads the next, until the driver says stop or the person leaves.
fn edit(
    mut editor: Editor<Partner, DefaultHistory>,
    history: Option<&Path>,
    board: &Board,
    tx: &mpsc::Sender<Input>,
    ack: &Ack,
) {
    let mut seq = 1;
    let mut patience = FIRST_PROMPT;
    loop {
        if !ack.start_reading(seq, patience) {
            return;
        }
        patience = TAKE_IN;
        let prompt = board.prompt();
        let result = editor.readline(&prompt);
        ack.stopped_reading();
        // The line entered (or the ^C) is on the row below whatever was drawn above it.
        board.detach();
        let input = match result {
            Ok(line) => {
                keep(&mut editor, history, &line);
                Input::Line(unfence(&line))
            }
            Err(ReadlineError::Interrupted) => Input::Interrupt,
            Err(ReadlineError::Eof) => Input::Leave,
            // Nothing more can be typed: leave (a session is saved).
            Err(error) => {
                tracing::debug!(%error, "the line editor failed");
                Input::Leave
            }
        };
        seq += 1;
        if tx.blocking_send(input).is_err() {
            return;
        }
    }
}

/// Adds a typed line to the history file right away (a crash keeps it). Lines that start
/// with a space are not kept.
fn keep(editor: &mut Editor<Partner, DefaultHistory>, history: Option<&Path>, line: &str) {
    if line.trim().is_empty() || line.starts_with(' ') {
        return;
    }
    if editor.add_history_entry(line).unwrap_or(false)
        && let Some(path) = history
        && let Err(error) = editor.history_mut().append(path)
    {
        tracing::debug!(%error, "history not saved");
    }
}

/// Reads lines as they come, joining a fenced message into one; at the end, `Input::Closed`.
/// Bytes that are not UTF-8 are replaced, not fatal.
fn read_plain(tx: mpsc::Sender<Input>) {
    thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buffer = Vec::new();
        let mut fenced: Option<Vec<String>> = None;
        loop {
            buffer.clear();
            match stdin.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buffer);
                    let line = line.trim_end_matches(['\n', '\r']).to_owned();
                    let is_fence = line.trim() == FENCE;
                    let whole = match (&mut fenced, is_fence) {
                        (None, true) => {
                            fenced = Some(Vec::new());
                            continue;
                        }
                        (None, false) => line,
                        (Some(_), true) => fenced.take().unwrap_or_default().join("\n"),
                        (Some(lines), false) => {
                            lines.push(line);
                            continue;
                        }
                    };
                    if tx.blocking_send(Input::Line(whole)).is_err() {
                        return;
                    }
                }
            }
        }
        if let Some(lines) = fenced {
            // An unclosed fence at the end still sends what it holds.
            let _ = tx.blocking_send(Input::Line(lines.join("\n")));
        }
        let _ = tx.blocking_send(Input::Closed);
    });
}

/// A message typed between `"""` lines, without the fences.
fn unfence(line: &str) -> String {
    let mut lines: Vec<&str> = line.lines().collect();
    if lines.first().is_some_and(|l| l.trim() == FENCE) {
        lines.remove(0);
        if lines.last().is_some_and(|l| l.trim() == FENCE) {
            lines.pop();
        }
        return lines.join("\n");
    }
    line.to_owned()
}

/// Whether the editor's text is an open fence still waiting for its closing line.
fn open_fence(text: &str) -> bool {
    let mut lines = text.lines();
    if lines.next().is_none_or(|first| first.trim() != FENCE) {
        return false;
    }
    !lines.any(|l| l.trim() == FENCE)
}

/// rustyline's helper: completion and hints from the command table, fences, and the board
/// drawn with the prompt.
#[derive(Debug)]
struct Partner {
    /// Hints are dimmed (not with `NO_COLOR` or `ui.color = "never"`).
    colored: bool,
    board: Arc<Board>,
}

impl Completer for Partner {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        // A list of candidates may be written below the prompt: nothing drawn above it is
        // live any more.
        self.board.detach();
        Ok(command::complete(&line[..pos]))
    }
}

impl Hinter for Partner {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<String> {
        if pos < line.len() {
            return None;
        }
        command::hint(line)
    }
}

impl Highlighter for Partner {
    /// The board, then the prompt of now in the width of the one the line began with: the
    /// editor has just cleared the prompt's rows and its cursor is at their start.
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        default: bool,
    ) -> Cow<'b, str> {
        if !default {
            // Another prompt (a history search): the board waits for the next redraw.
            return Cow::Borrowed(prompt);
        }
        // The width of now: the live row is wrapped to it (the window may have been resized).
        if let Some((columns, _)) = terminal_size::terminal_size() {
            self.board.set_columns(usize::from(columns.0));
        }
        Cow::Owned(self.board.draw(display_width(prompt)))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if !self.colored {
            return Cow::Borrowed(hint);
        }
        let dim = Style::new().dimmed();
        Cow::Owned(format!("{dim}{hint}{dim:#}"))
    }
}

impl Validator for Partner {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if open_fence(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl Helper for Partner {}

/// A signal for the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C reached the process as a signal (outside the line editor, which reads it as a
    /// key).
    Interrupt,
    /// The terminal closed (SIGHUP), or focus was asked to stop (SIGTERM).
    Hangup,
}

/// The signals the driver reacts to. The handlers are installed now, before the editor's
/// first line. A signal that cannot be listened to is left out.
pub fn signals() -> impl Stream<Item = Signal> {
    use futures::StreamExt as _;
    #[cfg(unix)]
    let stream = {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, what: Signal| {
            let signal = signal(kind).ok();
            futures::stream::unfold(signal, move |signal| async move {
                let mut signal = signal?;
                signal.recv().await?;
                Some((what, Some(signal)))
            })
            .boxed()
        };
        futures::stream::select_all([
            listen(SignalKind::interrupt(), Signal::Interrupt),
            listen(SignalKind::hangup(), Signal::Hangup),
            listen(SignalKind::terminate(), Signal::Hangup),
        ])
    };
    #[cfg(not(unix))]
    let stream = futures::stream::unfold((), |()| async {
        tokio::signal::ctrl_c()
            .await
            .ok()
            .map(|()| (Signal::Interrupt, ()))
    });
    stream.fuse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_opens_and_closes_a_message() {
        assert!(open_fence("\"\"\""));
        assert!(open_fence("\"\"\"\nfirst line"));
        assert!(!open_fence("\"\"\"\nfirst line\n\"\"\""));
        assert!(!open_fence("plain line"));
        assert_eq!(
            unfence("\"\"\"\nfirst\n  second\n\"\"\""),
            "first\n  second"
        );
        assert_eq!(unfence("just a line"), "just a line");
    }

    #[cfg(unix)]
    #[test]
    fn the_history_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("focus").join("history");
        prepare_history(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A file that was readable by others is made private.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        prepare_history(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
