//! One loop for the whole conversation: typed lines, timer firings, the coach's short lines
//! after a check-in, and Ctrl-C meet in a single `tokio::select!`. Lines become events for the
//! session machine (when a session runs) or requests to the coach and the planner; the
//! machine's effects are carried out here in order (the journal record first).
//!
//! What needs the rest of the program (a journal for a new session, logging a closed one,
//! printing the log) is handed back to the caller as an [`Ending`]; the caller does it and
//! runs the loop again.
//!
//! Timers: each `ScheduleTimer` becomes a sleep to its wall instant (session instants are
//! mapped through the [`SessionClock`]); when it is due, `Event::Timer { id }` goes back to the
//! machine, which ignores ids it no longer waits for, so nothing is ever cancelled here. The
//! loop also wakes every second and compares deadlines with the wall clock, because the
//! monotonic clock that sleeps use stops while a laptop is suspended.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Write as _;
use std::io::Write;
use std::pin::Pin;
use std::time::Duration;

use anstyle::Style;
use chrono::{DateTime, FixedOffset};
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::command::{self, Command};
use super::input::{Input, Lines};
use super::notify::Alerts;
use super::talk::Coach;
use crate::clock::{self, SessionClock};
use crate::coach::offline;
use crate::error::Error;
use crate::session::machine::{Effect, Event, Machine, Phase, Session, Status, Topic};
use crate::session::{Plan, format_minutes};
use crate::store::Journal;
use crate::store::journal::Header;
use crate::store::log::Entry;

/// How often the loop looks at the wall clock even when no timer is due.
const WALL_CHECK: Duration = Duration::from_secs(1);

/// How a run of the loop ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// The session was closed; [`Driver::take_session`] gives it back for the log.
    Closed,
    /// The person left (or the input ran out while the session needed them); a session is
    /// saved and can be resumed.
    Left(LeftBy),
    /// `/start` with a plan and no session: the caller opens its journal and hands it over
    /// with [`Driver::begin`].
    Start(Box<Plan>),
    /// Something the caller prints from the log.
    Show(Show),
}

/// What `/log`, `/stats` and `/review` ask for (with their option words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Show {
    Log(String),
    Stats(String),
    Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftBy {
    Quit,
    Interrupt,
    InputClosed,
}

/// Makes a plan from the words after `/plan`, from this minute; the error is one line.
pub type Planner = Box<dyn Fn(&str) -> Result<Plan, String>>;

/// A session under way: its machine, its journal and its clock.
#[derive(Debug)]
pub struct Live {
    pub machine: Machine,
    pub journal: Journal,
    pub clock: SessionClock,
    pub header: Header,
}

/// A typed line short enough to quote in a one-line error.
fn shortened(line: &str) -> String {
    const KEEP: usize = 60;
    match line.char_indices().nth(KEEP) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    due: Instant,
    id: u64,
    wall: DateTime<FixedOffset>,
}

/// The conversation, the session if one runs, and the means to carry out its effects.
pub struct Driver<W: Write> {
    pub(super) live: Option<Live>,
    pub(super) out: W,
    alerts: Alerts,
    timers: BinaryHeap<Reverse<Timer>>,
    closed: bool,
    /// `None`: the offline coach, for the whole run.
    pub(super) coach: Option<Coach>,
    /// Why there is no model, when there is none.
    pub(super) offline: Option<crate::coach::Offline>,
    /// Light Markdown in the coach's replies (a terminal that takes styles).
    pub(super) styled: bool,
    /// A person at a terminal: Ctrl-C outside a reply does not leave.
    interactive: bool,
    planner: Option<Planner>,
    /// The plan `/plan` made, waiting for `/start`.
    pub(super) draft: Option<Plan>,
    /// The last finished session, for the coach's context and `/wentwrong`.
    pub(super) last: Option<Entry>,
    /// The coach's short lines after check-ins, as they arrive.
    pub(super) lines_tx: mpsc::UnboundedSender<String>,
    lines_rx: mpsc::UnboundedReceiver<String>,
}

impl<W: Write> std::fmt::Debug for Driver<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("live", &self.live)
            .field("coach", &self.coach)
            .field("draft", &self.draft.is_some())
            .finish_non_exhaustive()
    }
}

impl<W: Write> Driver<W> {
    pub fn new(out: W, alerts: Alerts) -> Driver<W> {
        let (lines_tx, lines_rx) = mpsc::unbounded_channel();
        Driver {
            live: None,
            out,
            alerts,
            timers: BinaryHeap::new(),
            closed: false,
            coach: None,
            offline: None,
            styled: false,
            interactive: false,
            planner: None,
            draft: None,
            last: None,
            lines_tx,
            lines_rx,
        }
    }

    /// Speaks through a model (connected when first needed).
    #[must_use]
    pub fn with_coach(mut self, coach: Coach) -> Self {
        self.coach = Some(coach);
        self
    }

    /// Works without a model, for this reason.
    #[must_use]
    pub fn offline(mut self, why: crate::coach::Offline) -> Self {
        self.offline = Some(why);
        self
    }

    /// The REPL's ways: Ctrl-C outside a reply does not leave, replies are rendered as light
    /// Markdown when `styled`, and `/plan` plans with `planner`.
    #[must_use]
    pub fn interactive(mut self, interactive: bool, styled: bool, planner: Planner) -> Self {
        self.interactive = interactive;
        self.styled = styled;
        self.planner = Some(planner);
        self
    }

    /// A plan waiting for `/start` again (one that could not be started).
    pub fn keep_draft(&mut self, plan: Plan) {
        self.draft = Some(plan);
    }

    /// The last finished session, for the coach.
    pub fn set_last(&mut self, last: Option<Entry>) {
        self.last = last;
    }

    /// Takes up a session (new or resumed) and feeds it its first event (`Start` or
    /// `Reopen`).
    pub fn begin(&mut self, live: Live, first: Event) -> Result<(), Error> {
        // A coach's line still on its way belongs to the session before.
        while self.lines_rx.try_recv().is_ok() {}
        self.live = Some(live);
        self.draft = None;
        self.closed = false;
        self.timers.clear();
        self.send(first)
    }

    /// Feeds one event to the session now.
    pub fn send(&mut self, event: Event) -> Result<(), Error> {
        let Some(live) = self.live.as_mut() else {
            return Ok(());
        };
        let effects = live.machine.handle(event, live.clock.now());
        self.execute(effects, None)
    }

    pub fn session(&self) -> Option<&Session> {
        self.live.as_ref().map(|live| live.machine.session())
    }

    /// The closed (or left) session, taken out of the driver; its timers go with it.
    pub fn take_session(&mut self) -> Option<Live> {
        self.timers.clear();
        self.closed = false;
        self.live.take()
    }

    pub fn out(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn coach_mut(&mut self) -> Option<&mut Coach> {
        self.coach.as_mut()
    }

    /// The coach and the output at once (the closing writes while the model answers).
    pub fn coach_and_out(&mut self) -> (Option<&mut Coach>, &mut W) {
        (self.coach.as_mut(), &mut self.out)
    }

    /// Runs until the session is closed, the person leaves, or something is handed to the
    /// caller. Each item of `interrupts` is one Ctrl-C that reached the process: during the
    /// coach's reply it stops the reply; otherwise, unless a person is at the terminal (who
    /// leaves with Ctrl-D or `/quit`), it leaves (the session is saved).
    pub async fn run<I: Stream<Item = ()>>(
        &mut self,
        lines: &mut Lines,
        mut interrupts: Pin<&mut I>,
    ) -> Result<Ending, Error> {
        loop {
            if self.closed {
                self.closed = false;
                return Ok(Ending::Closed);
            }
            if !lines.is_open() && self.session().is_none_or(Session::needs_person) {
                return Ok(Ending::Left(LeftBy::InputClosed));
            }
            lines.ask(&self.prompt());
            let wake = self
                .timers
                .peek()
                .map_or(Instant::now() + WALL_CHECK, |Reverse(t)| {
                    t.due.min(Instant::now() + WALL_CHECK)
                });
            tokio::select! {
                biased;
                Some(()) = interrupts.next() => {
                    if !self.interactive {
                        return Ok(Ending::Left(LeftBy::Interrupt));
                    }
                }
                () = tokio::time::sleep_until(wake) => self.fire_due()?,
                Some(line) = self.lines_rx.recv() => self.coach_line(&line)?,
                input = lines.recv(), if lines.is_open() => match input {
                    Some(Input::Line(line)) => {
                        if let Some(ending) = self.line(&line, interrupts.as_mut()).await? {
                            return Ok(ending);
                        }
                    }
                    Some(Input::Leave) => return Ok(Ending::Left(LeftBy::Quit)),
                    Some(Input::Closed) | None => lines.close(),
                },
            }
        }
    }

    /// The prompt for the next line: where the session is, e.g. `focus [2/4 work · 14:32
    /// left] › `.
    pub fn prompt(&self) -> String {
        match &self.live {
            Some(live) => prompt(&live.machine.session().status(live.clock.now())),
            None => "focus › ".to_owned(),
        }
    }

    /// Fires every timer that is due by the monotonic clock or by the wall clock.
    fn fire_due(&mut self) -> Result<(), Error> {
        let now = Instant::now();
        let wall_now = clock::now().fixed_offset();
        while let Some(Reverse(timer)) = self.timers.peek()
            && (timer.due <= now || timer.wall <= wall_now)
        {
            let Reverse(timer) = self.timers.pop().expect("peeked");
            let Some(live) = self.live.as_mut() else {
                break;
            };
            let effects = live
                .machine
                .handle(Event::Timer { id: timer.id }, live.clock.now());
            let acted = !effects.is_empty();
            self.execute(effects, None)?;
            if acted {
                let late = clock::now().fixed_offset() - timer.wall;
                tracing::debug!(
                    target: "focus::timer",
                    id = timer.id,
                    late_us = late.num_microseconds().unwrap_or(i64::MAX),
                    "timer fired"
                );
            }
        }
        Ok(())
    }

    /// Acts on one typed line; `Some` hands something to the caller.
    async fn line<I: Stream<Item = ()>>(
        &mut self,
        line: &str,
        interrupts: Pin<&mut I>,
    ) -> Result<Option<Ending>, Error> {
        let command = match command::parse(line) {
            Err(message) => {
                self.print_plain(&format!("focus: {message}"))?;
                return Ok(None);
            }
            Ok(None) => return Ok(None),
            Ok(Some(command)) => command,
        };
        match command {
            Command::Event(Event::Start) if self.live.is_none() => {
                return self.start_draft();
            }
            Command::Event(event) => self.session_event(event, line)?,
            Command::Say(text) => self.say(&text, line, interrupts).await?,
            Command::Plan(words) => self.plan(&words, interrupts).await?,
            Command::Status => self.status()?,
            Command::Workflow(kind, words) => self.workflow(kind, &words, interrupts).await?,
            Command::Summary => self.summary(interrupts).await?,
            Command::Model(name) => self.model(name.as_deref())?,
            Command::Offline(on) => self.switch_offline(on)?,
            Command::Context => self.context()?,
            Command::Log(words) => return Ok(Some(Ending::Show(Show::Log(words)))),
            Command::Stats(words) => return Ok(Some(Ending::Show(Show::Stats(words)))),
            Command::Review => return Ok(Some(Ending::Show(Show::Review))),
            Command::Help(about) => match command::help(about.as_deref()) {
                Ok(text) => self.print_plain(&text)?,
                Err(message) => self.print_plain(&format!("focus: {message}"))?,
            },
            Command::Quit => return Ok(Some(Ending::Left(LeftBy::Quit))),
        }
        Ok(None)
    }

    /// `/start` with no session running: the plan `/plan` made, handed to the caller.
    fn start_draft(&mut self) -> Result<Option<Ending>, Error> {
        if let Some(plan) = self.draft.take() {
            return Ok(Some(Ending::Start(Box::new(plan))));
        }
        self.print_plain(
            "focus: there is no plan to start yet; /plan says what and for how long, e.g. /plan write the report for 50m",
        )?;
        Ok(None)
    }

    /// A session command: to the machine, or refused when no session runs.
    fn session_event(&mut self, event: Event, line: &str) -> Result<(), Error> {
        let Some(live) = self.live.as_mut() else {
            let what = if self.draft.is_some() {
                "the plan is not started yet; /start begins it"
            } else {
                "no session is running; /plan <task and time> makes one, then /start"
            };
            return self.print_plain(&format!(
                "focus: {} needs a session: {what}",
                event.command()
            ));
        };
        let effects = live.machine.handle(event, live.clock.now());
        self.execute(effects, Some(line))
    }

    /// `/status`: where the session is, its plan, and what was captured.
    fn status(&mut self) -> Result<(), Error> {
        let Some(live) = self.live.as_mut() else {
            let text = match &self.draft {
                Some(plan) => format!(
                    "No session is running. Planned: \"{}\", {} ({} blocks); /start begins it.",
                    plan.task,
                    format_minutes(plan.total_minutes),
                    plan.work_blocks().count()
                ),
                None => "No session is running; /plan <task and time> makes one.".to_owned(),
            };
            return self.print_plain(&text);
        };
        // Bring the session up to date first, so the figures are those of now.
        let now = live.clock.now();
        let effects = live.machine.handle(Event::Tick, now);
        self.execute(effects, None)?;
        let Some(live) = self.live.as_ref() else {
            return Ok(());
        };
        let session = live.machine.session();
        let mut text = offline::status(&session.status(live.clock.now()));
        text.push_str("\nPlan:");
        text.push_str(&plan_lines(session));
        self.print_plain(&text)
    }

    /// A short line from the coach after a check-in, arrived in the background.
    fn coach_line(&mut self, line: &str) -> Result<(), Error> {
        let at = match &self.live {
            Some(live) => live.clock.now(),
            None => return Ok(()),
        };
        let dim = Style::new().dimmed();
        self.print_at(at, &format!("{dim}{line}{dim:#}"))?;
        self.flush()
    }

    /// Carries out effects in order. `typed` is the line that caused them, named in the error
    /// if it could not be saved.
    pub(super) fn execute(
        &mut self,
        effects: Vec<Effect>,
        typed: Option<&str>,
    ) -> Result<(), Error> {
        let mut last_said = None;
        for effect in effects {
            match effect {
                Effect::Persist(record) => {
                    let live = self.live.as_mut().expect("effects come from a session");
                    live.journal.append(&record).map_err(|source| Error::Io {
                        context: format!(
                            "cannot write the session journal {}{}",
                            live.journal.path().display(),
                            typed.map_or_else(String::new, |t| format!(
                                " (\"{}\" was not saved; everything before it was)",
                                shortened(t)
                            ))
                        ),
                        source,
                    })?;
                }
                Effect::Say(message) => {
                    let at = self
                        .live
                        .as_ref()
                        .map_or_else(|| clock::now().fixed_offset(), |live| live.clock.now());
                    let text = offline::say(&message);
                    self.print_at(at, &text)?;
                    last_said = Some((message, text));
                }
                Effect::Notify(_) => {
                    if self.alerts.bell {
                        // Straight to the terminal: a bell moves nothing on the screen.
                        self.flush()?;
                        self.write(b"\x07")?;
                        self.flush()?;
                    }
                    if let Some((_, text)) = &last_said {
                        self.alerts.desktop(text);
                    }
                }
                // The reflection's questions are focus's own; the coach replies to answers.
                Effect::AskCoach(Topic::Reflection) => {}
                Effect::AskCoach(Topic::CheckIn) => {
                    if let Some((message, text)) = &last_said {
                        self.personal_line(message, text);
                    }
                }
                Effect::ScheduleTimer { id, at } => {
                    let live = self.live.as_ref().expect("effects come from a session");
                    self.timers.push(Reverse(Timer {
                        due: Instant::now() + live.clock.until(at),
                        id,
                        wall: live.clock.wall_at(at),
                    }));
                }
                Effect::Exit => self.closed = true,
            }
        }
        self.flush()
    }

    pub(super) fn print_at(&mut self, at: DateTime<FixedOffset>, text: &str) -> Result<(), Error> {
        let dim = Style::new().dimmed();
        let line = format!("{dim}[{}]{dim:#} {text}\n", at.format("%H:%M"));
        self.write(line.as_bytes())
    }

    pub(super) fn print_plain(&mut self, text: &str) -> Result<(), Error> {
        self.write(format!("{text}\n").as_bytes())?;
        self.flush()
    }

    pub(super) fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out
            .write_all(bytes)
            .map_err(Error::io("cannot write to standard output"))
    }

    pub(super) fn flush(&mut self) -> Result<(), Error> {
        self.out
            .flush()
            .map_err(Error::io("cannot write to standard output"))
    }

    /// The session instant now, or the wall clock when no session runs.
    pub(super) fn now(&self) -> DateTime<FixedOffset> {
        self.live
            .as_ref()
            .map_or_else(|| clock::now().fixed_offset(), |live| live.clock.now())
    }

    /// Whether a session runs and is in its reflection.
    pub(super) fn reflecting(&self) -> bool {
        self.session()
            .is_some_and(|s| matches!(s.phase(), Phase::Reflecting(_)))
    }

    /// The session as it stands now, for the coach.
    pub(super) fn status_now(&self) -> Option<Status> {
        self.live
            .as_ref()
            .map(|live| live.machine.session().status(live.clock.now()))
    }

    /// Makes a plan from the person's words with the planner.
    pub(super) fn draft_plan(&self, words: &str) -> Result<Plan, String> {
        match &self.planner {
            Some(planner) => planner(words),
            None => Err("/plan works in the REPL: run `focus` with no arguments".to_owned()),
        }
    }
}

/// The plan's blocks, one per line, with the ones done ticked and the current one marked.
pub(super) fn plan_lines(session: &Session) -> String {
    let current = match session.phase() {
        Phase::Working(i) | Phase::Paused(i) | Phase::Break(i) | Phase::Waiting(i) => Some(i),
        _ => None,
    };
    let mut out = String::new();
    let mut work = 0;
    let of = session.plan().work_blocks().count();
    for (i, block) in session.plan().blocks.iter().enumerate() {
        let name = if block.is_work() {
            work += 1;
            format!("Work {work}/{of}")
        } else {
            "Break".to_owned()
        };
        let mark = match current {
            Some(c) if c == i => "▶",
            Some(c) if i < c => "✓",
            None if matches!(session.phase(), Phase::Reflecting(_) | Phase::Closed) => "✓",
            _ => " ",
        };
        let goal = match &block.kind {
            crate::session::BlockKind::Work { goal, .. } => goal
                .as_deref()
                .map_or_else(String::new, |g| format!("  {g}")),
            crate::session::BlockKind::Break { .. } => String::new(),
        };
        let _ = write!(
            out,
            "\n  {mark} {}–{}  {name}{goal}",
            block.start.format("%H:%M"),
            block.end.format("%H:%M")
        );
    }
    out
}

/// The prompt for a session at this moment.
fn prompt(status: &Status) -> String {
    let place = match (status.phase, &status.block) {
        (Phase::Working(_), Some(block)) => format!(
            "{}/{} work · {} left",
            block.number,
            block.of,
            offline::format_seconds(status.left)
        ),
        (Phase::Paused(_), Some(block)) => format!("{}/{} paused", block.number, block.of),
        (Phase::Break(_), _) => format!("break · {} left", offline::format_seconds(status.left)),
        (Phase::Waiting(_), Some(block)) => format!("ready for {}/{}", block.number, block.of),
        (Phase::Reflecting(_), _) => "reflection".to_owned(),
        _ => return "focus › ".to_owned(),
    };
    format!("focus [{place}] › ")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::session::machine::Rules;
    use crate::session::{Method, PlanRequest, Rhythms, plan};

    #[test]
    fn a_long_line_is_shortened_for_an_error_message() {
        assert_eq!(shortened("/park call mum"), "/park call mum");
        let long = "é".repeat(100);
        assert_eq!(shortened(&long), format!("{}…", "é".repeat(60)));
    }

    #[test]
    fn the_prompt_says_where_the_session_is() {
        let at = FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .unwrap();
        let request = PlanRequest {
            task: "Write".into(),
            goal: None,
            block_goals: Vec::new(),
            method: Method::Pomodoro,
            minutes: Some(60),
            stack: None,
            work: None,
            break_minutes: None,
            start: at,
        };
        let mut machine = Machine::new(
            plan(&request, &Rhythms::default()).unwrap(),
            Rules::default(),
        );
        let minute = chrono::Duration::minutes(1);
        let status = |machine: &Machine, at| machine.session().status(at);
        assert_eq!(prompt(&status(&machine, at)), "focus › ");
        machine.handle(Event::Start, at);
        let later = at + minute * 10 + chrono::Duration::seconds(28);
        machine.handle(Event::Tick, later);
        assert_eq!(
            prompt(&status(&machine, later)),
            "focus [1/2 work · 14:32 left] › "
        );
        machine.handle(Event::Pause { reason: None }, later);
        assert_eq!(prompt(&status(&machine, later)), "focus [1/2 paused] › ");
        machine.handle(Event::Resume { worked: false }, later);
        machine.handle(Event::Skip, later);
        assert_eq!(
            prompt(&status(&machine, later)),
            "focus [break · 5:00 left] › "
        );
        machine.handle(Event::Done, later);
        assert_eq!(prompt(&status(&machine, later)), "focus [reflection] › ");
    }
}
