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
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use futures::{FutureExt, Stream, StreamExt};
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
    /// Puts a cancelled session's journal away; what to tell the person.
    fn discard(&mut self, header: &Header, journal: Journal) -> Result<String, String>;
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
                // Timers before the model's pieces: a check-in is never late for a fast stream.
                () = tokio::time::sleep(wake) => {
                    self.fire_due()?;
                    self.refresh();
                    continue;
                }
                Some(message) = self.outbox.recv() => match message {
                    Inbox::Event(event) => event,
                    Inbox::WrittenUp(written) => {
                        let (closing, notes) = *written;
                        self.written_up(closing, &notes)?;
                        self.settle()?;
                        self.refresh();
                        continue;
                    }
                },
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
                Effect::Discard => {
                    let live = self
                        .live
                        .take()
                        .expect("a cancelled session has its journal");
                    let result = self.edge.discard(&live.header, live.journal);
                    self.follow.push_back(Event::Discarded(result));
                }
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

    /// Starts a model job: its pieces come back as events, and its end always does (even
    /// if the job panicked), so no turn waits forever.
    fn ask(&mut self, job: JobId, request: llm::Request) {
        let link = self.link.clone();
        let inbox = self.inbox.clone();
        let send = move |event: Event| inbox.send(Inbox::Event(event)).is_ok();
        let pieces = send.clone();
        let work = async move {
            let model = match link.model().await {
                Ok(model) => model,
                Err(error) => {
                    pieces(Event::Model {
                        job,
                        item: Err(error),
                    });
                    return;
                }
            };
            let mut stream = llm::with_trim(model, request);
            while let Some(item) = stream.next().await {
                if !pieces(Event::Model { job, item }) {
                    return;
                }
            }
        };
        let handle = tokio::spawn(async move {
            let _ = AssertUnwindSafe(work).catch_unwind().await;
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
            let work = async {
                match link.model().await {
                    Ok(model) => writeup::write_up(model, spent, &prompts, &header, &machine).await,
                    Err(error) => (
                        writeup::offline_closing(&machine),
                        vec![format!(
                            "{error}; the record keeps your own answers and focus's summary"
                        )],
                    ),
                }
            };
            // Whatever happens to the write-up, the session is logged.
            let written = AssertUnwindSafe(work)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    (
                        writeup::offline_closing(&machine),
                        vec!["the write-up failed; the record keeps your own answers".to_owned()],
                    )
                });
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
    //! The whole loop in-process: the real driver and machine, a scripted model, paused
    //! tokio time (so seconds pass in no time) and a clock that moves with it.

    use std::sync::Arc;

    use chrono::TimeZone;
    use tokio::sync::mpsc;

    use super::*;
    use crate::coach::Coach;
    use crate::llm::fake::{Say, Scripted, failure, reply};
    use crate::llm::{Chunk, FinishReason};
    use crate::repl::input::{Input, Lines};
    use crate::repl::machine::{Mode, Planned, Planner, Repl, Setup};
    use crate::repl::screen::{Capture, Plain};
    use crate::session::machine::Rules;
    use crate::session::words::Asked;
    use crate::session::{Method, PlanRequest, Rhythms};
    use crate::store::log::Entry;

    #[test]
    fn a_long_line_is_shortened_for_an_error_message() {
        assert_eq!(shortened("/park call mum"), "/park call mum");
        let long = "é".repeat(100);
        assert_eq!(shortened(&long), format!("{}…", "é".repeat(60)));
    }

    /// The files, in a temporary directory and in memory; sessions run 300 times faster.
    struct Memory {
        dir: tempfile::TempDir,
        logged: Arc<Mutex<Vec<Entry>>>,
    }

    impl Edge for Memory {
        fn open(&mut self, plan: &Plan) -> Result<(Journal, Header), String> {
            let mut header = Header::new(
                "20261120-090000".into(),
                plan.start,
                300.0,
                Rules::default(),
                plan.clone(),
            );
            let journal = Journal::create(self.dir.path(), &mut header, |_| false)
                .map_err(|e| e.to_string())?;
            Ok((journal, header))
        }

        fn log(
            &mut self,
            header: &Header,
            machine: &Machine,
            journal: Journal,
            closing: Closing,
        ) -> Result<Logged, String> {
            let entry = Entry::new(&header.id, header.time_scale, machine.session(), closing);
            drop(journal);
            self.logged.lock().unwrap().push(entry.clone());
            Ok(Logged {
                entry,
                report: "Logged.".into(),
            })
        }

        fn discard(&mut self, _: &Header, journal: Journal) -> Result<String, String> {
            journal
                .cancel()
                .map(|path| format!("Kept in {}.", path.display()))
                .map_err(|e| e.to_string())
        }

        fn show(&mut self, _: &Show) -> Result<String, String> {
            Ok("the log".into())
        }

        fn figures(&mut self) -> Result<(String, Figures), String> {
            Err("no figures here".into())
        }

        fn save_draft(&mut self, _: Option<&Plan>) -> Result<(), String> {
            Ok(())
        }
    }

    fn planner() -> Planner {
        Box::new(|words, _, now| {
            let request = PlanRequest {
                task: words.to_owned(),
                goal: None,
                block_goals: Vec::new(),
                method: Method::Pomodoro,
                minutes: Some(55),
                blocks: None,
                stack: None,
                work: None,
                break_minutes: None,
                start: now,
            };
            let plan =
                crate::session::plan(&request, &Rhythms::default()).map_err(|e| e.to_string())?;
            Ok(Planned {
                plan,
                asked: Asked {
                    task: words.to_owned(),
                    ..Asked::default()
                },
                amended: false,
                goal_only: false,
            })
        })
    }

    /// A whole reply in words, `gap` apart.
    fn slow(words: usize, gap: Duration) -> Vec<Say> {
        let mut script = Vec::new();
        for n in 1..=words {
            script.push(Say::Item(Ok(Chunk::Text(format!("w{n:02} ")))));
            script.push(Say::Wait(gap));
        }
        script.push(Say::Item(Ok(Chunk::Finished {
            reason: FinishReason::Stop,
            skipped: 0,
        })));
        script
    }

    /// What one run of the loop left: the screen, the journal's records, the model's
    /// requests.
    struct Ran {
        screen: String,
        journal: Vec<serde_json::Value>,
        requests: Vec<llm::Request>,
    }

    /// Runs the loop with `model`, typing each line at its tokio instant (seconds after
    /// the start); the input then ends.
    async fn run(model: Scripted, typed: Vec<(f64, &'static str)>) -> Ran {
        let origin = FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .unwrap();
        let clock = Clock::tokio(origin);
        let coach = Coach::new(
            Prompts::builtin(),
            "scripted",
            "http://127.0.0.1:9/v1",
            crate::coach::talk::Limits::default(),
            None,
        );
        let setup = Setup {
            mode: Mode::Repl,
            interactive: true,
            styled: false,
        };
        let mut machine = Repl::new(setup, coach, planner());
        let capture = Capture::default();
        let memory = Memory {
            dir: tempfile::tempdir().unwrap(),
            logged: Arc::default(),
        };
        let dir = memory.dir.path().to_owned();
        let first = machine.begin(None, clock.now());
        let mut driver = Driver::new(
            machine,
            Plain::new(capture.clone(), false),
            memory,
            clock,
            Link::given(Arc::new(model.clone())),
            Prompts::builtin(),
            Alerts::default(),
        );
        let (tx, rx) = mpsc::channel(64);
        let mut lines = Lines::from_channel(rx);
        tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            for (at, line) in typed {
                tokio::time::sleep_until(start + Duration::from_secs_f64(at)).await;
                tx.send(Input::Line(line.to_owned())).await.unwrap();
            }
            tx.send(Input::Closed).await.unwrap();
        });
        let signals = futures::stream::pending::<Signal>();
        let mut signals = std::pin::pin!(signals);
        driver
            .run(first, &mut lines, signals.as_mut())
            .await
            .expect("the loop ends well");
        // The journal is kept apart by the test edge; read it back.
        let journal = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .flat_map(|p| {
                std::fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .skip(1)
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect::<Vec<serde_json::Value>>()
            })
            .collect();
        Ran {
            screen: capture.text(),
            journal,
            requests: model.requests(),
        }
    }

    fn kinds(ran: &Ran) -> Vec<String> {
        ran.journal
            .iter()
            .map(|r| r["type"].as_str().unwrap().to_owned())
            .filter(|t| t != "tick")
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn lines_during_a_slow_reply_act_at_once_and_a_check_in_fires_on_time() {
        let model = Scripted::new([
            // /plan: the model's shaping fails, focus's own plan stands.
            failure(LlmError::Rejected {
                status: 400,
                message: "no".into(),
            }),
            // Three seconds of reply (15 minutes of the session).
            slow(30, Duration::from_millis(100)),
            // The answer to the question typed meanwhile (a check-in during a reply gets no
            // line from the coach).
            reply("Start with one sentence."),
        ]);
        let ran = run(
            model,
            vec![
                (0.0, "/plan write the report"),
                (0.0, "/start"),
                (0.1, "the intro"),
                (1.0, "tell me a story"),
                (1.5, "/park A"),
                (1.5, "/park B"),
                (1.5, "how do I start?"),
                (1.5, "/status"),
                (1.6, "/park C"),
            ],
        )
        .await;
        let screen = &ran.screen;
        assert_eq!(
            kinds(&ran),
            [
                "start", "reply", "message", "park", "park", "message", "park", "coach", "coach"
            ],
            "{screen}"
        );
        // /status acted mid-reply, with the two parks before it.
        let status = screen.find("Parked (2): A; B").expect(screen);
        let first = screen.find("w01").unwrap();
        let last = screen.find("w30").unwrap();
        assert!(first < status && status < last, "{screen}");
        // The check-in (at 12m30s of session time, 2.5 s in) came during the reply, with the
        // figures of its moment.
        let checkin = screen.find("Check-in: 12m in, 13m left").expect(screen);
        assert!(first < checkin && checkin < last, "{screen}");
        // The question typed during the reply was answered after it.
        let answer = screen.find("Start with one sentence.").expect(screen);
        assert!(last < answer, "{screen}");
        // The plan, the story, then the question; later check-ins asked for lines the script
        // no longer had (and nothing was said of it).
        let asked = &ran.requests[2].messages;
        let message = &asked.last().unwrap().content;
        assert!(message.ends_with("\n\nhow do I start?"), "{message}");
        // With where the session stood, and what happened since the story was asked for.
        assert!(
            message.starts_with("[It is 09:")
                && message.contains("parked: C")
                && message.contains("focus said: Check-in: 12m in, 13m left")
                // What focus answered to the person's own commands is not news to repeat.
                && !message.contains("focus said: Parked"),
            "{message}"
        );
        assert!(!screen.contains("no reply left"), "{screen}");
        // The input ended with the session in its break: it runs on until it needs the
        // person (the next block waits for the go).
        assert!(screen.contains("Break's over."), "{screen}");
        assert!(
            screen
                .trim_end()
                .ends_with("Input ended. The session is saved; `focus resume` continues it."),
            "{screen}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_that_is_down_costs_one_line_and_is_tried_again_later() {
        let down = || {
            failure(LlmError::Unreachable {
                url: "http://127.0.0.1:9/v1".into(),
                detail: "connection refused".into(),
                retries: 3,
            })
        };
        let model = Scripted::new([down(), reply("Hello again.")]);
        let ran = run(
            model,
            vec![
                (0.0, "hello?"),
                (10.0, "anyone there?"),
                (60.0, "/help park"),
                (121.0, "hello now?"),
            ],
        )
        .await;
        let screen = &ran.screen;
        assert_eq!(
            screen.matches("cannot reach the model server").count(),
            1,
            "{screen}"
        );
        assert_eq!(ran.requests.len(), 2, "not asked while quiet: {screen}");
        assert!(screen.contains("tries it again after 09:02"), "{screen}");
        assert!(screen.contains("Hello again."), "{screen}");
    }

    #[tokio::test(start_paused = true)]
    async fn leaving_mid_block_journals_a_pause_before_the_loop_ends() {
        let model = Scripted::new([failure(LlmError::Rejected {
            status: 400,
            message: "no".into(),
        })]);
        let ran = run(
            model,
            vec![
                (0.0, "/plan write the report"),
                (0.0, "/start"),
                (1.0, "/quit"),
            ],
        )
        .await;
        assert_eq!(kinds(&ran), ["start", "leave"], "{}", ran.screen);
        assert!(
            ran.screen
                .trim_end()
                .ends_with("Paused at 09:05; `focus` takes it up again."),
            "{}",
            ran.screen
        );
    }
}
