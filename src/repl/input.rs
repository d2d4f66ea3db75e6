//! Where typed lines come from, and where the driver's words go.
//!
//! On a terminal, rustyline reads on its own thread: a prompt, history, Tab completion and
//! hints from the command table, `"""` fences and bracketed paste for messages of several
//! lines. It reads one line only when the driver asks for it with the prompt of the moment
//! ([`Lines::ask`]), so the prompt comes back only once a line has been dealt with. While it
//! reads, what the driver prints (a check-in on time) goes through rustyline's external
//! printer, above the prompt, and the half-typed line survives; at any other time it goes
//! straight to the terminal ([`Screen`]).
//!
//! Anywhere else (a pipe, a file) lines are read as they come, with the same commands and
//! fences, so a session can be scripted.

use std::borrow::Cow;
use std::fs::OpenOptions;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use anstyle::Style;
use futures::Stream;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{DefaultHistory, History};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, CompletionType, Config, Context, Editor, EventHandler, ExternalPrinter, Helper, KeyCode,
    KeyEvent, Modifiers,
};
use tokio::sync::mpsc;

use super::command;

/// The line that opens and closes a message of several lines.
pub const FENCE: &str = "\"\"\"";

/// The most lines of history kept.
const HISTORY_SIZE: usize = 1000;

/// What the input side sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Line(String),
    /// No more lines will come (the end of a pipe or file).
    Closed,
    /// The person left: Ctrl-D at the prompt.
    Leave,
}

/// The lines the driver reads, and the means to ask for the next one.
#[derive(Debug)]
pub struct Lines {
    rx: mpsc::Receiver<Input>,
    /// On a terminal: where the prompt for the next line goes.
    prompts: Option<std::sync::mpsc::Sender<String>>,
    /// A line has been asked for and not yet received.
    asked: bool,
    /// Lines may still come.
    open: bool,
    reading: Arc<AtomicBool>,
}

impl Lines {
    /// Lines from a channel, as they come (for a pipe, and for tests).
    pub fn from_channel(rx: mpsc::Receiver<Input>) -> Lines {
        Lines {
            rx,
            prompts: None,
            asked: false,
            open: true,
            reading: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether lines come from a person at a terminal (with a prompt).
    pub fn is_terminal(&self) -> bool {
        self.prompts.is_some()
    }

    /// Whether lines may still come.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// No more lines will come.
    pub fn close(&mut self) {
        self.open = false;
    }

    /// Asks for the next line with this prompt, unless it is asked for already. Does nothing
    /// for piped input, which has no prompt.
    pub fn ask(&mut self, prompt: &str) {
        if self.asked {
            return;
        }
        if let Some(prompts) = &self.prompts {
            self.reading.store(true, Ordering::SeqCst);
            self.asked = prompts.send(prompt.to_owned()).is_ok();
            if !self.asked {
                self.reading.store(false, Ordering::SeqCst);
            }
        }
    }

    /// The next input; `None` once the reader is gone.
    pub async fn recv(&mut self) -> Option<Input> {
        let input = self.rx.recv().await;
        self.asked = false;
        self.reading.store(false, Ordering::SeqCst);
        input
    }
}

/// Standard input, read on a thread: with rustyline when both ends are a terminal, else line
/// by line. Returns the lines and the screen to print on (which knows when rustyline is
/// reading). `history` is the file that keeps typed lines across runs (mode 0600).
pub fn stdin(history: Option<PathBuf>, colored: bool) -> (Lines, Screen) {
    if io::stdin().is_terminal() && io::stdout().is_terminal() {
        match terminal(history, colored) {
            Ok((lines, printer)) => {
                let screen = Screen::new(colored, Some(printer), Arc::clone(&lines.reading));
                return (lines, screen);
            }
            Err(error) => {
                tracing::debug!(%error, "no line editor; reading plain lines");
            }
        }
    }
    let (tx, rx) = mpsc::channel(64);
    read_plain(tx);
    let lines = Lines::from_channel(rx);
    let screen = Screen::new(colored, None, Arc::clone(&lines.reading));
    (lines, screen)
}

type Printer = Box<dyn ExternalPrinter + Send>;

fn terminal(history: Option<PathBuf>, colored: bool) -> rustyline::Result<(Lines, Printer)> {
    let config = Config::builder()
        .max_history_size(HISTORY_SIZE)?
        .history_ignore_dups(true)?
        .history_ignore_space(true)
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .bracketed_paste(true)
        .build();
    let mut editor: Editor<Partner, DefaultHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(Partner { colored }));
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
    let (tx, rx) = mpsc::channel(4);
    let (prompts, asked) = std::sync::mpsc::channel::<String>();
    thread::spawn(move || edit(editor, history.as_deref(), &asked, &tx));
    let lines = Lines {
        rx,
        prompts: Some(prompts),
        asked: false,
        open: true,
        reading: Arc::new(AtomicBool::new(false)),
    };
    Ok((lines, printer))
}

/// The history file exists and only its owner can read it.
fn prepare_history(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
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

/// The editor's thread: one line per prompt received, until the driver stops asking or the
/// person leaves.
fn edit(
    mut editor: Editor<Partner, DefaultHistory>,
    history: Option<&Path>,
    asked: &std::sync::mpsc::Receiver<String>,
    tx: &mpsc::Sender<Input>,
) {
    while let Ok(prompt) = asked.recv() {
        let input = loop {
            match editor.readline(&prompt) {
                Ok(line) => {
                    keep(&mut editor, history, &line);
                    break Input::Line(unfence(&line));
                }
                // Ctrl-C clears the line; the prompt comes back.
                Err(ReadlineError::Interrupted) => {}
                Err(ReadlineError::Eof) => break Input::Leave,
                // Nothing more can be typed: leave (a session is saved).
                Err(error) => {
                    tracing::debug!(%error, "the line editor failed");
                    break Input::Leave;
                }
            }
        };
        let last = !matches!(input, Input::Line(_));
        if tx.blocking_send(input).is_err() || last {
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

/// rustyline's helper: completion and hints from the command table, fences.
#[derive(Debug)]
struct Partner {
    /// Hints are dimmed (not with `NO_COLOR` or `ui.color = "never"`).
    colored: bool,
}

impl Completer for Partner {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
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

/// Where the driver's words go: straight to standard output, or, while rustyline reads a
/// line, through its printer (above the prompt, keeping what is typed). Text is held until
/// `flush`, so one message is printed whole. Styles are dropped when the output is plain.
pub struct Screen {
    colored: bool,
    buffer: Vec<u8>,
    printer: Option<Printer>,
    reading: Arc<AtomicBool>,
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screen")
            .field("colored", &self.colored)
            .field("printer", &self.printer.is_some())
            .finish_non_exhaustive()
    }
}

impl Screen {
    fn new(colored: bool, printer: Option<Printer>, reading: Arc<AtomicBool>) -> Screen {
        Screen {
            colored,
            buffer: Vec::new(),
            printer,
            reading,
        }
    }

    /// Whether styles reach the output.
    pub fn is_colored(&self) -> bool {
        self.colored
    }
}

impl Write for Screen {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.buffer);
        // A bell goes straight to the terminal even while a line is typed: it moves nothing
        // on the screen (the printer would add a line break).
        if bytes == b"\x07" {
            let mut out = io::stdout().lock();
            out.write_all(&bytes)?;
            return out.flush();
        }
        let text = String::from_utf8_lossy(&bytes);
        let text = if self.colored {
            text
        } else {
            Cow::Owned(anstream::adapter::strip_str(&text).to_string())
        };
        if self.reading.load(Ordering::SeqCst)
            && let Some(printer) = self.printer.as_mut()
        {
            return printer.print(text.into_owned()).map_err(io::Error::other);
        }
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }
}

/// One item per Ctrl-C that reaches the process as a signal (outside the line editor, which
/// reads Ctrl-C as a key). The handler is installed now, before the editor's first line.
/// When the signal cannot be listened to, the stream ends and stays ended.
pub fn interrupts() -> impl Stream<Item = ()> {
    #[cfg(unix)]
    let stream = {
        use tokio::signal::unix::{SignalKind, signal};
        let signal = signal(SignalKind::interrupt()).ok();
        futures::stream::unfold(signal, |signal| async move {
            let mut signal = signal?;
            signal.recv().await?;
            Some(((), Some(signal)))
        })
    };
    #[cfg(not(unix))]
    let stream = futures::stream::unfold((), |()| async {
        tokio::signal::ctrl_c().await.ok().map(|()| ((), ()))
    });
    futures::StreamExt::fuse(stream)
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
