//! The one loop: typed lines, signals, timers and the events of model jobs meet in a single
//! `tokio::select!`; each becomes an event for the REPL's machine, whose effects are carried
//! out here in order (the journal record first).
//!
//! Model requests run as jobs (tasks on the same runtime) that send each piece back as an
//! event, so nothing here ever waits on the model: session timers fire and lines are read
//! during any reply, plan, summary, review or write-up. What needs files (a journal, the log,
//! the notes, the draft) goes through the [`Edge`], which the app provides.
//!
//! Timers are kept as wall instants. The loop wakes at the next one, and at least every
//! second, and compares with the wall clock, because the monotonic clock that sleeps use
//! stops while a laptop is suspended.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::input::{Input, Lines, Signal};
use super::machine::{Close, Effect, Event, Figures, JobId, LeftBy, Logged, Repl, Show, TimerId};
use super::notify::Alerts;
use super::screen::Screen;
use crate::clock::Clock;
use crate::coach::prompts::Prompts;
use crate::coach::writeup;
use crate::config::{Env, LlmSettings};
use crate::error::Error;
use crate::llm::{self, ChatModel, LlmError};
use crate::session::Plan;
use crate::session::machine::Machine;
use crate::store::journal::{Header, Journal};
use crate::store::log::Closing;

/// How often the loop looks at the wall clock even when no timer is due.
const WALL_CHECK: Duration = Duration::from_secs(1);

/// What the driver needs from the rest of the program: the files.
pub trait Edge {
    /// Creates the journal of a new session on `plan`, moved to start now.
    fn open(&mut self, plan: &Plan) -> Result<(Journal, Header), String>;
    /// Logs a closed session with `closing`, writes its note and closes its journal.
    fn log(
        &mut self,
        header: &Header,
        machine: &Machine,
        journal: Journal,
        closing: Closing,
    ) -> Result<Logged, String>;
    /// The text of `/log` or `/stats`.
    fn show(&mut self, show: &Show) -> Result<String, String>;
    /// The week's figures: as shown, and for the coach.
    fn figures(&mut self) -> Result<(String, Figures), String>;
    /// Keeps the plan waiting for `/start` for the next run, or forgets it.
    fn save_draft(&mut self, plan: Option<&Plan>) -> Result<(), String>;
}

/// The model the coach speaks through: connected when first needed (so nothing waits on it
/// to begin), or a given one (tests).
#[derive(Debug, Clone)]
pub struct Link {
    state: Arc<Mutex<LinkState>>,
}

#[derive(Debug)]
enum LinkState {
    Settings {
        settings: LlmSettings,
        env: Env,
        model: Option<Arc<dyn ChatModel>>,
    },
    Given(Arc<dyn ChatModel>),
}

impl Link {
    /// The model `settings` name, connected on first use.
    pub fn to(settings: LlmSettings, env: Env) -> Link {
        Link {
            state: Arc::new(Mutex::new(LinkState::Settings {
                settings,
                env,
                model: None,
            })),
        }
    }

    /// This model.
    pub fn given(model: Arc<dyn ChatModel>) -> Link {
        Link {
            state: Arc::new(Mutex::new(LinkState::Given(model))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LinkState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The model, connecting on first use.
    pub async fn model(&self) -> Result<Arc<dyn ChatModel>, LlmError> {
        let (settings, env) = match &*self.lock() {
            LinkState::Given(model)
            | LinkState::Settings {
                model: Some(model), ..
            } => return Ok(Arc::clone(model)),
            LinkState::Settings { settings, env, .. } => (settings.clone(), env.clone()),
        };
        let model = llm::connect(&settings, &env).await?;
        if let LinkState::Settings {
            settings: now,
            model: slot,
            ..
        } = &mut *self.lock()
            && now.model == settings.model
        {
            *slot = Some(Arc::clone(&model));
        }
        Ok(model)
    }

    /// Another model from the next request on.
    fn rename(&self, name: &str) {
        if let LinkState::Settings {
            settings, model, ..
        } = &mut *self.lock()
        {
            name.clone_into(&mut settings.model);
            *model = None;
        }
    }
}

/// A session under way: its journal and header.
#[derive(Debug)]
struct Live {
    journal: Journal,
    header: Header,
}

/// A closed session being written up by the model.
#[derive(Debug)]
struct Writing {
    live: Live,
    machine: Machine,
    job: AbortHandle,
}

/// What jobs send back: events for the machine, or the write-up for the driver.
#[derive(Debug)]
enum Inbox {
    Event(Event),
    WrittenUp(Box<(Closing, Vec<String>)>),
}

/// The loop and everything it carries out.
pub struct Driver<S: Screen, E: Edge> {
    machine: Repl,
    screen: S,
    edge: E,
    clock: Clock,
    link: Link,
    prompts: Prompts,
    alerts: Alerts,
    live: Option<Live>,
    writing: Option<Writing>,
    jobs: HashMap<JobId, AbortHandle>,
    timers: BinaryHeap<Reverse<(DateTime<FixedOffset>, TimerId)>>,
    inbox: mpsc::UnboundedSender<Inbox>,
    outbox: mpsc::UnboundedReceiver<Inbox>,
    /// Events the effects led to, handled before anything else.
    follow: VecDeque<Event>,
    /// Why the run failed, once it has.
    failure: Option<String>,
}

impl<S: Screen, E: Edge> std::fmt::Debug for Driver<S, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("machine", &self.machine)
            .field("live", &self.live)
            .finish_non_exhaustive()
    }
}

impl<S: Screen, E: Edge> Driver<S, E> {
    pub fn new(
        machine: Repl,
        screen: S,
        edge: E,
        clock: Clock,
        link: Link,
        prompts: Prompts,
        alerts: Alerts,
    ) -> Self {
        let (inbox, outbox) = mpsc::unbounded_channel();
        Driver {
            machine,
            screen,
            edge,
            clock,
            link,
            prompts,
            alerts,
            live: None,
            writing: None,
            jobs: HashMap::new(),
            timers: BinaryHeap::new(),
            inbox,
            outbox,
            follow: VecDeque::new(),
            failure: None,
        }
    }

    /// A session under way, its journal open.
    #[must_use]
    pub fn with_journal(mut self, journal: Journal, header: Header) -> Self {
        self.live = Some(Live { journal, header });
        self
    }

    /// The screen, for what is shown before the loop.
    pub fn screen(&mut self) -> &mut S {
        &mut self.screen
    }

    /// Runs the loop from the machine's first `effects` until it is done. Each item of
    /// `signals` is a signal that reached the process.
    pub async fn run<I: Stream<Item = Signal>>(
        &mut self,
        first: Vec<Effect>,
        lines: &mut Lines,
        mut signals: Pin<&mut I>,
    ) -> Result<(), Error> {
        self.execute(first)?;
        self.settle()?;
        self.refresh();
        // The editor may read its first line now, with the prompt of now.
        lines.took(self.machine.is_done());
        while !self.machine.is_done() {
            let now = self.clock.now();
            let wake = self.timers.peek().map_or(WALL_CHECK, |Reverse((at, _))| {
                (*at - now)
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(WALL_CHECK)
            });
            let mut took = false;
            let event = tokio::select! {
                biased;
                Some(signal) = signals.next() => match signal {
                    Signal::Interrupt => Event::Interrupt,
                    Signal::Hangup => Event::Leave(LeftBy::Hangup),
                },
                input = lines.recv(), if lines.is_open() => match input {
                    Some(Input::Line(line)) => {
                        took = true;
                        Event::Line(line)
                    }
                    Some(Input::Interrupt) => {
                        took = true;
                        Event::Interrupt
                    }
                    Some(Input::Leave) => {
                        took = true;
                        Event::Leave(LeftBy::Quit)
                    }
                    Some(Input::Closed) | None => Event::InputClosed,
                },
                Some(message) = self.outbox.recv() => match message {
                    Inbox::Event(event) => event,
                    Inbox::WrittenUp(written) => {
                        let (closing, notes) = *written;
                        self.written_up(closing, &notes)?;
                        self.settle()?;
                        continue;
                    }
                },
                () = tokio::time::sleep(wake) => {
                    self.fire_due()?;
                    self.refresh();
                    continue;
                }
            };
            self.handle(event)?;
            self.settle()?;
            // The prompt of now first: the editor starts its next line with it.
            self.refresh();
            if took {
                lines.took(self.machine.is_done());
            }
        }
        self.stop_jobs();
        match self.failure.take() {
            Some(message) => Err(Error::State(message)),
            None => Ok(()),
        }
    }

    /// Feeds one event to the machine and carries out its effects.
    fn handle(&mut self, event: Event) -> Result<(), Error> {
        let effects = self.machine.handle(event, self.clock.now());
        self.execute(effects)
    }

    /// Handles the events the last effects led to.
    fn settle(&mut self) -> Result<(), Error> {
        while let Some(event) = self.follow.pop_front() {
            self.handle(event)?;
        }
        Ok(())
    }

    /// The prompt and the title of now.
    fn refresh(&mut self) {
        let now = self.clock.now();
        let prompt = self.machine.prompt(now);
        self.screen.prompt(&prompt);
        let title = self.machine.title(now);
        self.screen.title(&title);
    }

    /// Fires every timer that is due by the wall clock.
    fn fire_due(&mut self) -> Result<(), Error> {
        loop {
            let now = self.clock.now();
            let Some(Reverse((at, id))) = self.timers.peek().copied() else {
                return Ok(());
            };
            if at > now {
                return Ok(());
            }
            self.timers.pop();
            tracing::debug!(
                target: "focus::timer",
                ?id,
                late_us = (now - at).num_microseconds().unwrap_or(i64::MAX),
                "timer fired"
            );
            self.handle(Event::Timer(id))?;
            self.settle()?;
        }
    }

    /// Carries out effects in order.
    fn execute(&mut self, effects: Vec<Effect>) -> Result<(), Error> {
        for effect in effects {
            match effect {
                Effect::Say(text) => self.screen.say(&text).map_err(output_error)?,
                Effect::Stream(piece) => self.screen.stream(&piece).map_err(output_error)?,
                Effect::Notify(text) => {
                    if self.alerts.bell {
                        self.screen.bell();
                    }
                    self.alerts.desktop(&text);
                }
                Effect::Persist(record, typed) => {
                    let live = self.live.as_mut().expect("records come from a session");
                    live.journal.append(&record).map_err(|source| Error::Io {
                        context: format!(
                            "cannot write the session journal {}{}",
                            live.journal.path().display(),
                            typed.map_or_else(String::new, |t| format!(
                                " (\"{}\" was not saved; everything before it was)",
                                shortened(&t)
                            ))
                        ),
                        source,
                    })?;
                }
                Effect::Timer { id, at } => self.timers.push(Reverse((at, id))),
                Effect::Ask { job, request } => self.ask(job, request),
                Effect::Cancel { job } => {
                    if let Some(handle) = self.jobs.remove(&job) {
                        handle.abort();
                    }
                }
                Effect::Reconnect { model } => self.link.rename(&model),
                Effect::Probe => self.probe(),
                Effect::Open(plan) => {
                    let opened = self.edge.open(&plan).map(|(journal, header)| {
                        let shown = Box::new(header.clone());
                        self.live = Some(Live { journal, header });
                        shown
                    });
                    self.follow.push_back(Event::Opened(opened));
                }
                Effect::Close(close) => self.close(*close),
                Effect::CancelClose => {
                    if let Some(writing) = self.writing.take() {
                        writing.job.abort();
                        self.screen
                            .say("focus: stopped; the record keeps your own answers and focus's summary")
                            .map_err(output_error)?;
                        let closing = writeup::offline_closing(&writing.machine);
                        self.log(writing.live, &writing.machine, closing);
                    }
                }
                Effect::Show(show) => {
                    let text = self
                        .edge
                        .show(&show)
                        .unwrap_or_else(|e| format!("focus: {e}"));
                    self.screen.say(text.trim_end()).map_err(output_error)?;
                }
                Effect::Review => match self.edge.figures() {
                    Ok((shown, figures)) => {
                        self.screen.say(shown.trim_end()).map_err(output_error)?;
                        self.follow.push_back(Event::Figures(Box::new(figures)));
                    }
                    Err(error) => self
                        .screen
                        .say(&format!("focus: {error}"))
                        .map_err(output_error)?,
                },
                Effect::SaveDraft(plan) => {
                    if let Err(error) = self.edge.save_draft(plan.as_deref()) {
                        self.screen
                            .say(&format!("focus: {error}"))
                            .map_err(output_error)?;
                    }
                }
                Effect::Exit => {}
                Effect::Fail(message) => self.failure = Some(message),
            }
        }
        Ok(())
    }

    /// Starts a model job: its pieces come back as events.
    fn ask(&mut self, job: JobId, request: llm::Request) {
        let link = self.link.clone();
        let inbox = self.inbox.clone();
        let send = move |event: Event| inbox.send(Inbox::Event(event)).is_ok();
        let handle = tokio::spawn(async move {
            let model = match link.model().await {
                Ok(model) => model,
                Err(error) => {
                    send(Event::Model {
                        job,
                        item: Err(error),
                    });
                    send(Event::ModelEnded { job });
                    return;
                }
            };
            let mut stream = llm::with_trim(model, request);
            while let Some(item) = stream.next().await {
                if !send(Event::Model { job, item }) {
                    return;
                }
            }
            send(Event::ModelEnded { job });
        });
        self.jobs.insert(job, handle.abort_handle());
    }

    /// Checks in the background that the model server answers.
    fn probe(&mut self) {
        let link = self.link.clone();
        let inbox = self.inbox.clone();
        tokio::spawn(async move {
            let result = match link.model().await {
                Ok(model) => model.probe().await,
                Err(error) => Err(error),
            };
            let _ = inbox.send(Inbox::Event(Event::Probed(result)));
        });
    }

    /// The session has closed: written up by the model as a job, or logged now.
    fn close(&mut self, close: Close) {
        let live = self.live.take().expect("a closed session has its journal");
        if !close.write_up {
            let closing = writeup::offline_closing(&close.machine);
            return self.log(live, &close.machine, closing);
        }
        let link = self.link.clone();
        let inbox = self.inbox.clone();
        let prompts = self.prompts.clone();
        let header = live.header.clone();
        let machine = close.machine.clone();
        let spent = close.spent;
        let job = tokio::spawn(async move {
            let written = match link.model().await {
                Ok(model) => writeup::write_up(model, spent, &prompts, &header, &machine).await,
                Err(error) => (
                    writeup::offline_closing(&machine),
                    vec![format!(
                        "{error}; the record keeps your own answers and focus's summary"
                    )],
                ),
            };
            let _ = inbox.send(Inbox::WrittenUp(Box::new(written)));
        });
        self.writing = Some(Writing {
            live,
            machine: close.machine,
            job: job.abort_handle(),
        });
    }

    /// The model's write-up has come: the session goes to the log.
    fn written_up(&mut self, closing: Closing, notes: &[String]) -> Result<(), Error> {
        let Some(writing) = self.writing.take() else {
            return Ok(());
        };
        for note in notes {
            self.screen
                .say(&format!("focus: {note}"))
                .map_err(output_error)?;
        }
        self.log(writing.live, &writing.machine, closing);
        Ok(())
    }

    /// Logs a closed session; the machine hears how it went.
    fn log(&mut self, live: Live, machine: &Machine, closing: Closing) {
        let logged = self
            .edge
            .log(&live.header, machine, live.journal, closing)
            .map(Box::new);
        self.follow.push_back(Event::Logged(logged));
    }

    /// Every job still running stops (their connections close).
    fn stop_jobs(&mut self) {
        for (_, handle) in self.jobs.drain() {
            handle.abort();
        }
        if let Some(writing) = &self.writing {
            writing.job.abort();
        }
    }
}

fn output_error(source: std::io::Error) -> Error {
    Error::Io {
        context: "cannot write to standard output".to_owned(),
        source,
    }
}

/// A typed line short enough to quote in a one-line error.
fn shortened(line: &str) -> String {
    const KEEP: usize = 60;
    match line.char_indices().nth(KEEP) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shortened_for_an_error_message() {
        assert_eq!(shortened("/park call mum"), "/park call mum");
        let long = "é".repeat(100);
        assert_eq!(shortened(&long), format!("{}…", "é".repeat(60)));
    }
}
