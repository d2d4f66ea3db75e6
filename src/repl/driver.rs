//! One loop that owns a running session: typed lines, timer firings and Ctrl-C meet in a
//! single `tokio::select!`, become events for the machine, and the machine's effects are
//! carried out here in order (the journal record first).
//!
//! Timers: each `ScheduleTimer` becomes a sleep to its wall instant (session instants are
//! mapped through the [`SessionClock`]); when it is due, `Event::Timer { id }` goes back to the
//! machine, which ignores ids it no longer waits for, so nothing is ever cancelled here. The
//! loop also wakes every second and compares deadlines with the wall clock, because the
//! monotonic clock that sleeps use stops while a laptop is suspended.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;
use std::pin::{Pin, pin};
use std::time::Duration;

use std::sync::Arc;

use anstyle::Style;
use chrono::{DateTime, FixedOffset};
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::command::{self, Command};
use crate::clock::{self, SessionClock};
use crate::coach::prompts::Prompts;
use crate::coach::{offline, reflection};
use crate::config::{Env, LlmSettings};
use crate::error::Error;
use crate::llm::{self, ChatModel, Reply, Step, Usage};
use crate::session::machine::{Effect, Event, Machine, Message, Phase};
use crate::store::Journal;

/// The longest the coach's reply to a reflection answer may take before the next question
/// comes anyway.
const REPLY_LIMIT: Duration = Duration::from_secs(20);

/// The model the coach speaks through in a session, connected when first needed (so the
/// session never waits on it to begin), and the tokens it has spent.
#[derive(Debug)]
pub struct Coach {
    link: Link,
    pub prompts: Prompts,
    pub spent: Usage,
    /// The coach replies to reflection answers (off once its template failed).
    replies: bool,
}

#[derive(Debug)]
enum Link {
    Unconnected(Box<(LlmSettings, Env)>),
    Ready(Arc<dyn ChatModel>),
    /// It failed; the session goes on without it (said once).
    Gone,
}

impl Coach {
    pub fn new(settings: LlmSettings, env: Env, prompts: Prompts) -> Coach {
        Coach {
            link: Link::Unconnected(Box::new((settings, env))),
            prompts,
            spent: Usage::default(),
            replies: true,
        }
    }

    /// Whether the model failed in this session.
    pub fn is_gone(&self) -> bool {
        matches!(self.link, Link::Gone)
    }

    /// The model, connecting on first use.
    pub async fn model(&mut self) -> Result<Arc<dyn ChatModel>, llm::LlmError> {
        match &self.link {
            Link::Ready(model) => Ok(Arc::clone(model)),
            Link::Unconnected(link) => {
                let model = llm::connect(&link.0, &link.1).await?;
                self.link = Link::Ready(Arc::clone(&model));
                Ok(model)
            }
            Link::Gone => Err(llm::LlmError::EndedEarly),
        }
    }
}

/// How often the loop looks at the wall clock even when no timer is due.
const WALL_CHECK: Duration = Duration::from_secs(1);

/// What the input side sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Line(String),
    /// No more lines will come (end of a pipe, Ctrl-D).
    Closed,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The session was closed; [`Driver::into_parts`] gives it back for the log.
    Closed,
    /// The person left (or the input ran out while the session needed them); the session is
    /// saved and can be resumed.
    Left(LeftBy),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftBy {
    Quit,
    Interrupt,
    InputClosed,
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

/// A running session and the means to carry out its effects.
#[derive(Debug)]
pub struct Driver<W: Write> {
    machine: Machine,
    journal: Option<Journal>,
    clock: SessionClock,
    out: W,
    bell: bool,
    timers: BinaryHeap<Reverse<Timer>>,
    closed: bool,
    /// `None`: the offline coach.
    coach: Option<Coach>,
}

impl<W: Write> Driver<W> {
    pub fn new(
        machine: Machine,
        journal: Journal,
        clock: SessionClock,
        out: W,
        bell: bool,
    ) -> Driver<W> {
        Driver {
            machine,
            journal: Some(journal),
            clock,
            out,
            bell,
            timers: BinaryHeap::new(),
            closed: false,
            coach: None,
        }
    }

    /// Speaks through a model where the session has room for it (the reflection).
    #[must_use]
    pub fn with_coach(mut self, coach: Coach) -> Self {
        self.coach = Some(coach);
        self
    }

    /// Feeds one event now (the start, or the reopening of a resumed session).
    pub fn send(&mut self, event: Event) -> Result<(), Error> {
        let effects = self.machine.handle(event, self.clock.now());
        self.execute(effects, None)
    }

    pub fn session(&self) -> &crate::session::machine::Session {
        self.machine.session()
    }

    /// The session, its journal, the output and the coach, once the run is over.
    pub fn into_parts(self) -> (Machine, Journal, W, Option<Coach>) {
        (
            self.machine,
            self.journal
                .expect("the journal stays open until the driver is taken apart"),
            self.out,
            self.coach,
        )
    }

    /// Runs until the session is closed, the person leaves, or an interrupt (Ctrl-C) comes
    /// while nothing else would take it. Each item of `interrupts` is one Ctrl-C: during the
    /// coach's reply it stops the reply; otherwise it leaves (the session is saved).
    pub async fn run(
        &mut self,
        mut input: mpsc::Receiver<Input>,
        interrupts: impl Stream<Item = ()>,
    ) -> Result<Ending, Error> {
        let mut interrupts = pin!(interrupts);
        let mut input_open = true;
        loop {
            if self.closed {
                return Ok(Ending::Closed);
            }
            if !input_open && self.machine.session().needs_person() {
                return Ok(Ending::Left(LeftBy::InputClosed));
            }
            let wake = self
                .timers
                .peek()
                .map_or(Instant::now() + WALL_CHECK, |Reverse(t)| {
                    t.due.min(Instant::now() + WALL_CHECK)
                });
            tokio::select! {
                biased;
                Some(()) = interrupts.next() => return Ok(Ending::Left(LeftBy::Interrupt)),
                () = tokio::time::sleep_until(wake) => self.fire_due()?,
                line = input.recv(), if input_open => match line {
                    Some(Input::Line(line)) => {
                        if self.line(&line, interrupts.as_mut()).await? {
                            return Ok(Ending::Left(LeftBy::Quit));
                        }
                    }
                    Some(Input::Closed) | None => input_open = false,
                },
            }
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
            let effects = self
                .machine
                .handle(Event::Timer { id: timer.id }, self.clock.now());
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

    /// Acts on one typed line. Returns true when the person quits.
    async fn line<I: Stream<Item = ()>>(
        &mut self,
        line: &str,
        interrupts: Pin<&mut I>,
    ) -> Result<bool, Error> {
        match command::parse(line) {
            Err(message) => self.print_plain(&format!("focus: {message}"))?,
            Ok(None) => {}
            Ok(Some(Command::Event(event))) => {
                let answering = matches!(event, Event::Reply { .. })
                    && matches!(self.machine.session().phase(), Phase::Reflecting(_));
                let effects = self.machine.handle(event, self.clock.now());
                let reply_due = answering
                    && self
                        .coach
                        .as_ref()
                        .is_some_and(|c| c.replies && !c.is_gone())
                    && self
                        .machine
                        .session()
                        .reflection_turns()
                        .last()
                        .is_some_and(reflection::worth_a_reply);
                if reply_due {
                    // The answer is saved first; the next question follows the coach's reply.
                    let (next, first): (Vec<Effect>, Vec<Effect>) =
                        effects.into_iter().partition(|e| {
                            matches!(
                                e,
                                Effect::Say(Message::Question { .. } | Message::Closed)
                                    | Effect::Exit
                            )
                        });
                    self.execute(first, Some(line))?;
                    self.coach_replies(interrupts).await?;
                    self.execute(next, Some(line))?;
                } else {
                    self.execute(effects, Some(line))?;
                }
            }
            Ok(Some(Command::Status)) => {
                // Bring the session up to date first, so the figures are those of now.
                let now = self.clock.now();
                let effects = self.machine.handle(Event::Tick, now);
                self.execute(effects, None)?;
                let status = offline::status(&self.machine.session().status(now));
                self.print_plain(&status)?;
            }
            Ok(Some(Command::Help)) => self.print_plain(&command::help())?,
            Ok(Some(Command::Quit)) => return Ok(true),
        }
        Ok(false)
    }

    /// The coach's short reply to the reflection answer just given, streamed as it comes. The
    /// reply gives up after [`REPLY_LIMIT`] (connecting, the first time, comes before that) or
    /// on Ctrl-C; a model that fails is said once, and the reflection goes on without it.
    async fn coach_replies<I: Stream<Item = ()>>(
        &mut self,
        mut interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        let Some(coach) = self.coach.as_mut() else {
            return Ok(());
        };
        let model = match coach.model().await {
            Ok(model) => model,
            Err(error) => return self.coach_gone(&error.to_string()),
        };
        let request = match reflection::reply_request(&coach.prompts, self.machine.session()) {
            Ok(request) => request,
            Err(error) => {
                // The template is broken, not the model: no more replies, but the model
                // still writes the session up at the end.
                coach.replies = false;
                return self.print_plain(&format!(
                    "focus: {error}; the coach's replies are off for this session"
                ));
            }
        };
        let mut reply = Reply::new(&request);
        let mut stream = llm::with_trim(model, request);
        let limit = tokio::time::sleep(REPLY_LIMIT);
        tokio::pin!(limit);
        let mut started = false;
        loop {
            tokio::select! {
                item = stream.next() => {
                    let Some(item) = item else {
                        reply.end_of_stream();
                        break;
                    };
                    match reply.absorb(item) {
                        Step::Text(text) => {
                            if !started {
                                started = true;
                                let dim = Style::new().dimmed();
                                let at = self.clock.now();
                                let stamp = format!("{dim}[{}]{dim:#} ", at.format("%H:%M"));
                                self.write(stamp.as_bytes())?;
                            }
                            // One paragraph: the question that follows starts on its own line.
                            let text = text.replace('\n', " ");
                            self.write(text.as_bytes())?;
                            self.out
                                .flush()
                                .map_err(Error::io("cannot write to standard output"))?;
                        }
                        Step::Ended => break,
                        _ => {}
                    }
                }
                () = &mut limit => {
                    reply.cancel();
                    break;
                }
                Some(()) = interrupts.next() => {
                    reply.cancel();
                    break;
                }
            }
        }
        drop(stream);
        if started {
            self.write(b"\n")?;
        }
        if let Some(coach) = self.coach.as_mut() {
            coach.spent.add(reply.usage());
        }
        match reply.ending() {
            Some(llm::Ending::Failed(error) | llm::Ending::CutOff(error)) if !started => {
                self.coach_gone(&error.to_string())
            }
            _ => Ok(()),
        }
    }

    /// The model failed: say so once, and go on with the offline coach.
    fn coach_gone(&mut self, why: &str) -> Result<(), Error> {
        if let Some(coach) = self.coach.as_mut() {
            coach.link = Link::Gone;
        }
        self.print_plain(&format!(
            "focus: the coach's model is not answering ({why}); the reflection goes on without it"
        ))
    }

    /// Carries out effects in order. `typed` is the line that caused them, named in the error
    /// if it could not be saved.
    fn execute(&mut self, effects: Vec<Effect>, typed: Option<&str>) -> Result<(), Error> {
        for effect in effects {
            match effect {
                Effect::Persist(record) => {
                    let journal = self.journal.as_mut().expect("open until closed");
                    journal.append(&record).map_err(|source| Error::Io {
                        context: format!(
                            "cannot write the session journal {}{}",
                            journal.path().display(),
                            typed.map_or_else(String::new, |t| format!(
                                " (\"{}\" was not saved; everything before it was)",
                                shortened(t)
                            ))
                        ),
                        source,
                    })?;
                }
                Effect::Say(message) => {
                    let at = self.clock.now();
                    self.print_at(at, &offline::say(&message))?;
                }
                Effect::Notify(_) => {
                    if self.bell {
                        self.write(b"\x07")?;
                    }
                }
                // The offline coach adds nothing to a check-in or to the reflection's questions
                // (a model's personal line for check-ins comes with the REPL).
                Effect::AskCoach(_) => {}
                Effect::ScheduleTimer { id, at } => self.timers.push(Reverse(Timer {
                    due: Instant::now() + self.clock.until(at),
                    id,
                    wall: self.clock.wall_at(at),
                })),
                Effect::Exit => self.closed = true,
            }
        }
        self.out
            .flush()
            .map_err(Error::io("cannot write to standard output"))
    }

    fn print_at(&mut self, at: DateTime<FixedOffset>, text: &str) -> Result<(), Error> {
        let dim = Style::new().dimmed();
        let line = format!("{dim}[{}]{dim:#} {text}\n", at.format("%H:%M"));
        self.write(line.as_bytes())
    }

    fn print_plain(&mut self, text: &str) -> Result<(), Error> {
        self.write(format!("{text}\n").as_bytes())?;
        self.out
            .flush()
            .map_err(Error::io("cannot write to standard output"))
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out
            .write_all(bytes)
            .map_err(Error::io("cannot write to standard output"))
    }
}

#[cfg(test)]
mod tests {
    use super::shortened;

    #[test]
    fn a_long_line_is_shortened_for_an_error_message() {
        assert_eq!(shortened("/park call mum"), "/park call mum");
        let long = "é".repeat(100);
        assert_eq!(shortened(&long), format!("{}…", "é".repeat(60)));
    }
}
