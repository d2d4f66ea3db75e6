//! The REPL's state machine: `handle(event, now) -> effects`.
//!
//! It holds what the person sees as "where things are": the session (its machine and clock),
//! the plan drafted and not started, the last session logged (for the hand-off), and what is
//! pending: the coach's turn under way (a reply streaming, a plan being shaped, older turns
//! being summarised, the week being reviewed, a reply in the reflection), the tasks waiting
//! for the coach, the check-in lines being fetched, a journal being opened, a session being
//! logged. It is pure: the driver passes the wall instant with every event, runs each model
//! request as a job, and carries out the effects in order.
//!
//! Invariants:
//! - A typed line acts when it is read. During a session, what the person said reaches the
//!   journal (an [`Effect::Persist`] first) before anything else is done with it: a command,
//!   an answer ([`SessionEvent::Reply`]), or words for the coach ([`SessionEvent::Message`]).
//!   Only the coach's part waits: tasks for the coach run one at a time, in the order typed.
//! - Words that read as a message to the coach never answer a pending question; the question
//!   is asked again after the coach's reply.
//! - In the reflection, what the session says (the next question) waits for the coach's reply
//!   to the answer before it, so answers typed ahead are journaled at once and shown in order.
//! - The coach's reply streams as [`Effect::Stream`] pieces; everything else is a whole
//!   [`Effect::Say`], so typed text and check-ins never land inside the reply's words.
//! - Whether the model may be asked is [`Coach::availability`]'s call, and only its.
//! - One request to the model at a time in a conversation, so a server's prompt cache always
//!   extends the last request: a check-in gets a line from the coach only when nothing else
//!   is under way, and the person's message calls off a line still to come (the reply hears
//!   of the check-in in the line on where the session is, [`coach::session_now`]).
//! - Leaving mid-block pauses the block (journaled) before the loop ends.
//! - A plan that starts later is started at its time, or now when the person says so:
//!   `/start` before a plan's start asks which ([`Waiting`]), and the plan's blocks move to
//!   start now only on a yes.

mod effects;
mod events;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::Duration;

use anstyle::Style;
use chrono::{DateTime, FixedOffset, SubsecRound, TimeDelta};

pub use effects::{Close, Effect, Show};
pub use events::{Event, Figures, JobId, LeftBy, Logged, TimerId};

use super::command::{self, Command, Workflow};
use super::render::{self, Markdown};
use crate::clock::SessionClock;
use crate::coach::{self, Availability, Coach, Failure, offline, planning, reflection};
use crate::llm::{Ending, Reply, Request, Step, Usage};
use crate::session::machine::{
    Effect as SessionEffect, Event as SessionEvent, Machine, Message, Pending, Phase, Status,
};
use crate::session::words::Asked;
use crate::session::{Plan, format_minutes, plan, request};
use crate::store::journal::Header;
use crate::store::log::Entry;
use crate::text;

/// A wall-clock instant, as the driver reads it.
pub type Wall = DateTime<FixedOffset>;

/// Makes a plan from the words after `/plan`, from the given minute: on its own, or changing
/// what the drafted plan asked for (the second argument) when the words say no task. The
/// error is one line.
pub type Planner = Box<dyn Fn(&str, Option<&Asked>, Wall) -> Result<Planned, String>>;

/// A plan made from words, and what they asked for.
#[derive(Debug, Clone)]
pub struct Planned {
    pub plan: Plan,
    pub asked: Asked,
    /// The words said no task: they changed the drafted plan's request.
    pub amended: bool,
    /// The words only set the session's goal: a drafted plan keeps its blocks.
    pub goal_only: bool,
}

/// The longest the coach's reply to a reflection answer may take before the next question
/// comes anyway.
const REFLECTION_LIMIT: Duration = Duration::from_secs(20);

/// The longest the coach's line after a check-in may take; after that it is dropped.
const CHECKIN_LIMIT: Duration = Duration::from_secs(15);

/// The longest the model may take to shape a plan, or to summarise older turns.
const PLAN_LIMIT: Duration = Duration::from_secs(60);

/// Whether a short answer says yes.
fn is_yes(answer: &str) -> bool {
    let answer = answer.trim().trim_end_matches(['.', '!']).to_lowercase();
    matches!(
        answer.as_str(),
        "yes" | "y" | "ok" | "sure" | "yep" | "yes please"
    )
}

/// `/cancel` asks first when the session holds more focused minutes than this.
const CANCEL_ASKS_AFTER: i64 = 5;

/// The most a line after a check-in may hold, in characters.
const CHECKIN_CHARS: usize = 300;

/// Whether the loop goes on after a session: the REPL does; `focus start` and `focus resume`
/// end once their session is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Repl,
    Session,
}

/// How the machine meets the person.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub mode: Mode,
    /// A person at a terminal: Ctrl-C clears the line or stops the coach, never leaves.
    pub interactive: bool,
    /// The coach's replies are rendered as light Markdown with styles.
    pub styled: bool,
}

/// A session under way: its machine and its clock.
#[derive(Debug, Clone)]
pub struct Running {
    pub machine: Machine,
    pub clock: SessionClock,
}

impl Running {
    pub fn new(header: &Header, machine: Machine) -> Running {
        Running {
            machine,
            clock: SessionClock::new(header.origin, header.time_scale),
        }
    }

    /// The session instant at wall instant `now`, to the millisecond (as journaled).
    fn at(&self, now: Wall) -> DateTime<FixedOffset> {
        self.clock.session_at(now).round_subsecs(3)
    }
}

/// Something the coach does when its turn comes.
#[derive(Debug, Clone)]
enum Task {
    /// Words for the coach: `shown` is what the person said (kept in the conversation),
    /// `sent` what the model gets for it. `reask`: the question that was pending is asked
    /// again after the reply.
    Chat {
        shown: String,
        sent: String,
        reask: bool,
    },
    Plan(String),
    /// `/start` typed while a plan was being shaped.
    Start,
    Workflow(Workflow, String),
    Summary,
    Review(Box<Figures>),
    /// In the reflection, what the session says next (the next question, the close), after
    /// the coach's reply to the answer before it (`request`), if it replies.
    Reflect {
        request: Option<Box<Request>>,
        held: Vec<SessionEffect>,
    },
}

/// A turn of the coach under way: one model job whose outcome the person waits for.
#[derive(Debug)]
struct Turn {
    job: JobId,
    kind: TurnKind,
    reply: Reply,
    markdown: Markdown,
    /// The reply has begun on screen (its time stamp is out).
    begun: bool,
    /// Something else came on screen since its last words: it goes on after a dim `… `.
    interrupted: bool,
    stopped: Option<Stop>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Ctrl-C.
    Interrupt,
    /// Its time limit passed.
    Limit,
}

/// What happened in the session since the coach last saw a message: captures (counted in
/// the session's list) and the check-ins shown.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Since {
    /// Captures the coach has been told of.
    captures: usize,
    /// Check-ins shown since, the latest few.
    shown: Vec<String>,
}

/// A message to the coach under way: `shown` is what the person typed, `sent` the message
/// as the request carried it, with `now` (where the session stood) and what that told
/// (`told`); kept with the reply as a turn of the conversation. `reask`: the question the
/// person was asked before is asked again after the reply.
#[derive(Debug)]
struct ChatTurn {
    shown: String,
    sent: String,
    now: Option<String>,
    told: Since,
    reask: bool,
}

/// Check-ins kept for the next message to the coach.
const SHOWN_KEPT: usize = 3;

#[derive(Debug)]
enum TurnKind {
    /// A reply to the person, shown as it streams.
    Chat(ChatTurn),
    /// Older turns summarised (hidden); then the chat goes on.
    Summarise { upto: usize, then: Box<Task> },
    /// The model shapes a plan (hidden JSON).
    Plan {
        words: String,
        draft: Box<Plan>,
        request: Box<Request>,
        retried: bool,
    },
    /// A reply to a reflection answer, on one line; the next question waits for it.
    Reflection,
    /// The week's review, shown as it streams.
    Review,
}

/// How a turn is shown while it streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Reply,
    Paragraph,
    Hidden,
}

impl TurnKind {
    fn shown(&self) -> Shown {
        match self {
            TurnKind::Chat(_) | TurnKind::Review => Shown::Reply,
            TurnKind::Reflection => Shown::Paragraph,
            TurnKind::Summarise { .. } | TurnKind::Plan { .. } => Shown::Hidden,
        }
    }
}

/// A short line after a check-in, fetched in the background.
#[derive(Debug)]
struct Comment {
    job: JobId,
    reply: Reply,
    /// Where the session was when the check-in was said; the line is dropped if it has
    /// moved on by the time the line arrives.
    phase: Phase,
    /// The message that asked for it, kept with the line as a turn of the conversation
    /// once the line is shown.
    message: String,
}

/// The effects of one event, and the line they come from.
#[derive(Debug, Default)]
struct Out {
    effects: Vec<Effect>,
    typed: Option<String>,
}

impl Out {
    fn push(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    fn say(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !text.is_empty() {
            self.effects.push(Effect::Say(text));
        }
    }

    /// A dim note, such as "(stopped)".
    fn note(&mut self, text: &str) {
        let dim = Style::new().dimmed();
        self.say(format!("{dim}{text}{dim:#}"));
    }
}

/// `[09:12] ` in dim, for what is said at a moment.
fn stamp(at: DateTime<FixedOffset>) -> String {
    let dim = Style::new().dimmed();
    format!("{dim}[{}]{dim:#} ", at.format("%H:%M"))
}

/// A drafted plan that starts later than now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// `/start` asked whether to start now; the next line answers.
    Asking(Wall),
    /// The person chose to wait: the plan starts at its time.
    Until(Wall),
}

/// The REPL: the session, the plan, the coach, and what is pending.
#[allow(clippy::struct_excessive_bools)] // independent facts, not a state in disguise
pub struct Repl {
    setup: Setup,
    session: Option<Running>,
    draft: Option<Plan>,
    last: Option<Entry>,
    /// The last session's hand-off, shown at the next `/plan` or `/start`.
    handoff: Option<String>,
    coach: Coach,
    planner: Planner,
    turn: Option<Turn>,
    queue: VecDeque<Task>,
    comments: Vec<Comment>,
    /// What happened since the last message the coach saw, for the line on where the
    /// session stands that goes with the next one.
    since: Since,
    /// The session's effects held back until the coach's reply in the reflection ends (the
    /// next question, the close).
    held: Vec<SessionEffect>,
    next_job: JobId,
    /// The plan whose journal is being opened.
    opening: Option<Plan>,
    /// A closed session is being logged.
    closing: bool,
    /// The drafted plan's later start: asked about, or waited for.
    waiting: Option<Waiting>,
    /// What the drafted plan was asked for, and in which words, for `/plan` to change it.
    asked: Option<(Asked, String)>,
    /// The person left while the session was being logged: the loop ends once it is.
    leaving: Option<LeftBy>,
    /// `/cancel` asked whether to drop a session with more than [`CANCEL_ASKS_AFTER`]
    /// focused minutes: the next line answers.
    cancel_asked: bool,
    input_open: bool,
    done: bool,
}

impl std::fmt::Debug for Repl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repl")
            .field(
                "session",
                &self.session.as_ref().map(|r| r.machine.session().phase()),
            )
            .field("draft", &self.draft.as_ref().map(|p| &p.task))
            .field("turn", &self.turn.as_ref().map(|t| &t.kind))
            .field("queue", &self.queue)
            .field("closing", &self.closing)
            .finish_non_exhaustive()
    }
}

impl Repl {
    pub fn new(setup: Setup, coach: Coach, planner: Planner) -> Repl {
        Repl {
            setup,
            session: None,
            draft: None,
            last: None,
            handoff: None,
            coach,
            planner,
            turn: None,
            queue: VecDeque::new(),
            comments: Vec::new(),
            since: Since::default(),
            held: Vec::new(),
            next_job: 0,
            opening: None,
            closing: false,
            waiting: None,
            asked: None,
            leaving: None,
            cancel_asked: false,
            input_open: true,
            done: false,
        }
    }

    /// The last session logged, for the coach and the hand-off.
    #[must_use]
    pub fn with_last(mut self, last: Option<Entry>) -> Self {
        self.last = last;
        self
    }

    /// A plan left waiting by an earlier run.
    #[must_use]
    pub fn with_draft(mut self, draft: Option<Plan>) -> Self {
        self.draft = draft;
        self
    }

    /// A session under way (its journal is open), with the conversation it holds.
    #[must_use]
    pub fn with_session(
        mut self,
        running: Running,
        turns: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        self.coach.remember(turns);
        self.session = Some(running);
        self.since = Since::default();
        self
    }

    /// What happens first: the session starts (`Start`) or is taken up again (`Reopen`),
    /// the hand-off or the waiting plan is shown, and the model server is checked.
    pub fn begin(&mut self, first: Option<SessionEvent>, now: Wall) -> Vec<Effect> {
        let mut out = Out::default();
        let reopen = first == Some(SessionEvent::Reopen);
        if let Some(plan) = &self.draft {
            out.say(format!(
                "A plan from last time is waiting: \"{}\", {} ({}). /start begins it now, /plan makes another.",
                plan.task,
                format_minutes(plan.total_minutes),
                blocks_of(plan)
            ));
        } else if !reopen && let Some(text) = self.last.as_ref().and_then(offline::handoff) {
            out.say(text);
        }
        if self.coach.has_model() {
            out.push(Effect::Probe);
        }
        if let Some(event) = first {
            self.feed(event, now, &mut out);
        }
        out.effects
    }

    /// Reacts to one event at wall instant `now`.
    pub fn handle(&mut self, event: Event, now: Wall) -> Vec<Effect> {
        let mut out = Out::default();
        if self.done {
            return out.effects;
        }
        // A line typed at the terminal lands on screen where the reply was.
        let typed = self.setup.interactive && matches!(event, Event::Line(_) | Event::Interrupt);
        let streaming = self.turn.as_ref().map(|t| t.job);
        match event {
            Event::Line(line) => self.line(&line, now, &mut out),
            Event::Interrupt => self.interrupt(now, &mut out),
            Event::Leave(by) => self.leave(by, now, &mut out),
            Event::InputClosed => self.input_open = false,
            Event::Timer(TimerId::Session(id)) => {
                self.feed(SessionEvent::Timer { id }, now, &mut out);
            }
            Event::Timer(TimerId::Limit(job)) => self.limit(job, now, &mut out),
            Event::Timer(TimerId::PlannedStart) => self.planned_start(now, &mut out),
            Event::Model { job, item } => self.model_item(job, item, now, &mut out),
            Event::ModelEnded { job } => self.model_ended(job, now, &mut out),
            Event::Probed(Ok(())) => {}
            Event::Probed(Err(error)) => {
                if let Failure::Down(line) = self.coach.failed(&error, now) {
                    out.say(line);
                }
            }
            Event::Opened(result) => self.opened(result, now, &mut out),
            Event::Logged(result) => self.logged(result, now, &mut out),
            Event::Discarded(result) => self.ended(result, now, &mut out),
            Event::Figures(figures) => self.queue.push_back(Task::Review(figures)),
        }
        if let Some(turn) = self.turn.as_mut()
            && Some(turn.job) == streaming
            && turn.begun
            && (typed || out.effects.iter().any(|e| matches!(e, Effect::Say(_))))
        {
            turn.interrupted = true;
        }
        self.pump(now, &mut out);
        self.finish_when_input_ends(now, &mut out);
        out.effects
    }

    /// Whether the loop has ended.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The session under way, if any.
    pub fn session(&self) -> Option<&Running> {
        self.session.as_ref()
    }

    /// The prompt of now: where the session is, or what is asked.
    pub fn prompt(&self, now: Wall) -> String {
        match &self.session {
            Some(_) if self.cancel_asked => "focus [cancel it? yes/no] › ".to_owned(),
            Some(running) => {
                let at = running.at(now);
                let session = running.machine.session();
                render::prompt::prompt(&session.status(at), session.pending(at).as_ref())
            }
            None => match self.waiting {
                Some(Waiting::Asking(_)) => "focus [start now? yes/no] › ".to_owned(),
                Some(Waiting::Until(at)) => format!("focus [starts {}] › ", clock_on(at, now)),
                None => render::prompt::IDLE.to_owned(),
            },
        }
    }

    /// The terminal's title of now: the phase and the time left.
    pub fn title(&self, now: Wall) -> String {
        match &self.session {
            Some(running) => {
                let at = running.at(now);
                render::prompt::title(&running.machine.session().status(at))
            }
            None => render::prompt::IDLE_TITLE.to_owned(),
        }
    }

    // ── typed lines ──────────────────────────────────────────────────────────

    fn line(&mut self, line: &str, now: Wall, out: &mut Out) {
        let command = match command::parse(line) {
            Err(message) => return out.say(format!("focus: {message}")),
            Ok(None) => return,
            Ok(Some(command)) => command,
        };
        out.typed = Some(line.to_owned());
        if let Some(Waiting::Asking(at)) = self.waiting {
            match &command {
                Command::Say(answer) => {
                    out.typed = None;
                    return self.answer_start(answer, at, now, out);
                }
                // Anything else leaves the question: the plan waits for /start as before.
                _ => self.waiting = None,
            }
        }
        if std::mem::take(&mut self.cancel_asked) {
            match &command {
                Command::Event(SessionEvent::Cancel) => {
                    return self.feed(SessionEvent::Cancel, now, out);
                }
                Command::Say(answer) => {
                    out.typed = None;
                    return if is_yes(answer) {
                        self.feed(SessionEvent::Cancel, now, out);
                    } else {
                        out.say("Not cancelled: the session goes on.");
                    };
                }
                // Another command leaves the question; the session goes on.
                _ => {}
            }
        }
        match command {
            // A plan being shaped is waited for; otherwise /start acts at once.
            Command::Event(SessionEvent::Start) if self.session.is_none() => {
                let shaping = self.shaping();
                if shaping || self.closing {
                    if shaping {
                        out.note("(the coach is still shaping the plan; /start begins it once it is ready)");
                    }
                    self.enqueue(Task::Start, now, out);
                } else {
                    self.start(now, out);
                }
            }
            Command::Event(SessionEvent::Cancel) => self.cancel(now, out),
            Command::Event(event) => self.session_command(event, now, out),
            Command::Say(text) => self.words(text, now, out),
            Command::Plan(words) => self.enqueue(Task::Plan(words), now, out),
            Command::Status => self.status(now, out),
            Command::Workflow(kind, words) => self.enqueue(Task::Workflow(kind, words), now, out),
            Command::Summary => self.enqueue(Task::Summary, now, out),
            Command::Model(name) => self.model(name.as_deref(), now, out),
            Command::Offline(off) => out.say(self.coach.switch(off)),
            Command::Context => self.context(now, out),
            Command::Log(words) => out.push(Effect::Show(Show::Log(words))),
            Command::Stats(words) => out.push(Effect::Show(Show::Stats(words))),
            Command::Review => out.push(Effect::Review),
            Command::Help(about) => match command::help(about.as_deref()) {
                Ok(text) => out.say(text),
                Err(message) => out.say(format!("focus: {message}")),
            },
            Command::Quit => self.leave(LeftBy::Quit, now, out),
        }
        out.typed = None;
    }

    /// `/cancel`: at once, or after a yes when the session holds more than a few focused
    /// minutes. Without a session, a drafted plan is dropped.
    fn cancel(&mut self, now: Wall, out: &mut Out) {
        let Some(running) = &self.session else {
            if self.draft.is_some() {
                self.draft = None;
                self.waiting = None;
                self.asked = None;
                out.push(Effect::SaveDraft(None));
                return out.say("The plan is dropped. /plan makes another.");
            }
            return self.session_command(SessionEvent::Cancel, now, out);
        };
        let session = running.machine.session();
        let focused = session.status(running.at(now)).focused / 60;
        if focused <= CANCEL_ASKS_AFTER || session.phase() == Phase::Closed {
            return self.feed(SessionEvent::Cancel, now, out);
        }
        self.cancel_asked = true;
        out.say(format!(
            "Cancel \"{}\"? Its {} of focus would not count in the log or the stats (the journal keeps what you typed). yes cancels it; anything else, and the session goes on.",
            session.plan().task,
            format_minutes(u32::try_from(focused).unwrap_or(u32::MAX))
        ));
    }

    /// A session command: to the session machine, or refused when no session runs.
    fn session_command(&mut self, event: SessionEvent, now: Wall, out: &mut Out) {
        if self.session.is_none() {
            let what = if self.draft.is_some() {
                "the plan is not started yet; /start begins it"
            } else {
                "no session is running; /plan <task and time> makes one, then /start"
            };
            return out.say(format!(
                "focus: {} needs a session: {what}",
                event.command()
            ));
        }
        self.feed(event, now, out);
    }

    /// Plain words: an answer to what focus asked, a note, or words for the coach.
    fn words(&mut self, text: String, now: Wall, out: &mut Out) {
        let message = coach::reads_as_message(&text);
        let ready = self.coach.is_ready(now);
        let Some(running) = &self.session else {
            return self.enqueue(
                Task::Chat {
                    shown: text.clone(),
                    sent: text,
                    reask: false,
                },
                now,
                out,
            );
        };
        let session = running.machine.session();
        let pending = session.pending(running.at(now));
        if message {
            // Kept first, then for the coach; the question waiting is asked again after.
            self.feed(SessionEvent::Message { text: text.clone() }, now, out);
            return self.enqueue(
                Task::Chat {
                    shown: text.clone(),
                    sent: text,
                    reask: pending.is_some(),
                },
                now,
                out,
            );
        }
        if matches!(session.phase(), Phase::Reflecting(_)) {
            return self.answer(text, now, out);
        }
        // An answer to a check-in is for focus; a note when nothing was asked gets the
        // coach's reply too (in place of focus's "Noted.").
        let talk = ready && pending.is_none();
        let effects = self.apply(SessionEvent::Reply { text: text.clone() }, now);
        let effects: Vec<SessionEffect> = effects
            .into_iter()
            .filter(|e| !(talk && matches!(e, SessionEffect::Say(Message::Noted))))
            .collect();
        self.translate(effects, now, out);
        if talk {
            self.enqueue(
                Task::Chat {
                    shown: text.clone(),
                    sent: text,
                    reask: false,
                },
                now,
                out,
            );
        }
    }

    /// An answer in the reflection: kept first; with a model, the coach replies in a
    /// sentence or two before the next question.
    fn answer(&mut self, text: String, now: Wall, out: &mut Out) {
        let effects = self.apply(SessionEvent::Reply { text }, now);
        let running = self.session.as_ref().expect("reflecting");
        let session = running.machine.session();
        let reply_due = self.coach.is_ready(now)
            && self.coach.reflection_replies
            && session
                .reflection_turns()
                .last()
                .is_some_and(reflection::worth_a_reply);
        if !reply_due {
            return self.show(effects, now, out);
        }
        // Asked about now, while this answer is the last one.
        let request = self.coach.reflection_request(session);
        let (later, first): (Vec<SessionEffect>, Vec<SessionEffect>) =
            effects.into_iter().partition(|e| {
                matches!(
                    e,
                    SessionEffect::Say(Message::Question { .. } | Message::Closed)
                        | SessionEffect::Exit
                )
            });
        self.show(first, now, out);
        let request = match request {
            Ok(request) => Some(Box::new(request)),
            Err(error) => {
                // The template is broken, not the model: no more replies, but the model
                // still writes the session up at the end.
                self.coach.reflection_replies = false;
                out.say(format!(
                    "focus: {error}; the coach's replies are off for this session"
                ));
                None
            }
        };
        self.enqueue(
            Task::Reflect {
                request,
                held: later,
            },
            now,
            out,
        );
    }

    /// `/status`: where the session is, its plan and what was captured.
    fn status(&mut self, now: Wall, out: &mut Out) {
        if self.session.is_none() {
            let text = match &self.draft {
                Some(plan) => format!(
                    "No session is running. Planned: \"{}\", {} ({}); /start begins it.",
                    plan.task,
                    format_minutes(plan.total_minutes),
                    blocks_of(plan)
                ),
                None => "No session is running; /plan <task and time> makes one.".to_owned(),
            };
            return out.say(text);
        }
        // Brought up to date first, so the figures are those of now.
        self.feed(SessionEvent::Tick, now, out);
        let Some(running) = &self.session else {
            return;
        };
        let session = running.machine.session();
        let mut text = offline::status(&session.status(running.at(now)));
        text.push_str("\nPlan:");
        text.push_str(&render::plan_lines(session));
        out.say(text);
    }

    /// `/model [name]`.
    fn model(&mut self, name: Option<&str>, now: Wall, out: &mut Out) {
        let Some(name) = name else {
            return out.say(self.coach.describe(now));
        };
        if let Some(refused) = self.coach.switch_model(name) {
            return out.say(refused);
        }
        out.push(Effect::Reconnect {
            model: name.to_owned(),
        });
        out.say(format!(
            "The coach now uses {name}, from your next message."
        ));
    }

    /// `/context`: what goes to the model with the next message.
    fn context(&self, now: Wall, out: &mut Out) {
        let facts = self.facts();
        let (line, _) = self.now_line(now);
        let text = match self.coach.availability(now) {
            Availability::Off(why) if !self.coach.has_model() => {
                coach::talk::offline_context_view(&why, facts.as_deref(), &line)
            }
            _ => match self.coach.context_view(facts.as_deref(), Some(&line)) {
                Ok(text) => text,
                Err(error) => format!("focus: {error}"),
            },
        };
        out.say(text);
    }

    // ── the coach's tasks ────────────────────────────────────────────────────

    /// Runs `task` now if the coach is free, else queues it behind what is under way.
    fn enqueue(&mut self, task: Task, now: Wall, out: &mut Out) {
        self.queue.push_back(task);
        self.pump(now, out);
    }

    /// Runs queued tasks while nothing is under way.
    fn pump(&mut self, now: Wall, out: &mut Out) {
        while self.turn.is_none()
            && !self.closing
            && self.opening.is_none()
            && !self.done
            && let Some(task) = self.queue.pop_front()
        {
            self.run(task, now, out);
        }
    }

    fn run(&mut self, task: Task, now: Wall, out: &mut Out) {
        match task {
            Task::Chat { shown, sent, reask } => self.chat(shown, sent, reask, false, now, out),
            Task::Plan(words) => self.plan(&words, now, out),
            Task::Start => self.start(now, out),
            Task::Workflow(kind, words) => self.workflow(kind, &words, now, out),
            Task::Summary => self.summary(now, out),
            Task::Review(figures) => self.review(&figures, now, out),
            Task::Reflect { request, held } => match request {
                Some(request) if self.coach.is_ready(now) => {
                    self.held = held;
                    self.ask(
                        TurnKind::Reflection,
                        *request,
                        Some(REFLECTION_LIMIT),
                        now,
                        out,
                    );
                }
                _ => self.translate(held, now, out),
            },
        }
    }

    /// Words for the coach: a reply from the model, or the offline coach's honest answer.
    /// `summarised`: older turns were just summarised (or tried), so go on to the reply.
    fn chat(
        &mut self,
        shown: String,
        sent: String,
        reask: bool,
        summarised: bool,
        now: Wall,
        out: &mut Out,
    ) {
        if let Availability::Off(why) = self.coach.availability(now) {
            let answer = if self.session.is_some() {
                offline::session_chat(&why)
            } else {
                offline::repl_chat(&why)
            };
            out.say(answer);
            if reask {
                self.ask_again(now, out);
            }
            return;
        }
        // The person speaks: a line after a check-in still to come would talk over the reply.
        for comment in std::mem::take(&mut self.comments) {
            out.push(Effect::Cancel { job: comment.job });
        }
        let facts = self.facts();
        let (line, told) = self.now_line(now);
        if !summarised {
            match self.coach.summary_due(facts.as_deref(), Some(&line)) {
                Ok(Some((request, upto))) => {
                    out.note("(the coach is summarising earlier turns…)");
                    let then = Box::new(Task::Chat { shown, sent, reask });
                    let kind = TurnKind::Summarise { upto, then };
                    return self.ask(kind, request, Some(PLAN_LIMIT), now, out);
                }
                Ok(None) => {}
                Err(error) => return out.say(format!("focus: {error}")),
            }
        }
        match self.coach.chat_request(&sent, facts, Some(&line)) {
            Ok(request) => {
                let kind = TurnKind::Chat(ChatTurn {
                    shown,
                    sent,
                    now: Some(line),
                    told,
                    reask,
                });
                let limit = Some(self.coach.limits.reply_timeout);
                self.ask(kind, request, limit, now, out);
            }
            Err(error) => out.say(format!("focus: {error}")),
        }
    }

    /// `/plan <words>`: focus's planner drafts the plan; with a model, the model shapes it
    /// (as JSON that focus checks and repairs). `/start` begins it.
    fn plan(&mut self, words: &str, now: Wall, out: &mut Out) {
        if self.session.is_some() {
            return out.say("focus: a session is running; /done ends it, then /plan the next one");
        }
        // A wait for the drafted plan's start holds until the plan shown next says otherwise.
        if matches!(self.waiting, Some(Waiting::Asking(_))) {
            self.waiting = None;
        }
        self.show_handoff(out);
        let (base, said) = match (&self.asked, &self.draft) {
            (Some((asked, said)), _) => (Some(asked.clone()), said.clone()),
            (None, Some(plan)) => (Some(request::asked_for(plan, &now)), plan.task.clone()),
            (None, None) => (None, String::new()),
        };
        let planned = match (self.planner)(words, base.as_ref(), now) {
            Ok(planned) => planned,
            Err(message) => return out.say(format!("focus: {message}")),
        };
        // A change to the drafted plan: the coach hears the first words and the change.
        let words = if planned.amended {
            format!("{said} (then: {words})")
        } else {
            words.to_owned()
        };
        self.asked = Some((planned.asked.clone(), words.clone()));
        if planned.goal_only
            && let Some(mut draft) = self.draft.take()
        {
            plan::set_goal(&mut draft, planned.asked.goal.as_deref());
            return self.show_plan(draft, now, out);
        }
        let draft = planned.plan;
        if !self.coach.is_ready(now) {
            return self.show_plan(draft, now, out);
        }
        let words = words.as_str();
        match self.coach.plan_request(words, &draft) {
            Ok(request) => {
                out.note("Asking the coach to shape the plan (Ctrl-C uses focus's own)…");
                let kind = TurnKind::Plan {
                    words: words.to_owned(),
                    draft: Box::new(draft),
                    request: Box::new(request.clone()),
                    retried: false,
                };
                self.ask(kind, request, Some(PLAN_LIMIT), now, out);
            }
            Err(error) => {
                out.say(format!("focus: {error}; here is focus's own plan"));
                self.show_plan(draft, now, out);
            }
        }
    }

    /// Whether a plan is being shaped by the coach, or waits its turn to be.
    fn shaping(&self) -> bool {
        self.turn
            .as_ref()
            .is_some_and(|t| matches!(t.kind, TurnKind::Plan { .. }))
            || self.queue.iter().any(|t| matches!(t, Task::Plan(_)))
    }

    /// Shows a plan and keeps it for `/start`.
    fn show_plan(&mut self, plan: Plan, now: Wall, out: &mut Out) {
        let mut text = Vec::new();
        // Writing to memory cannot fail.
        let _ = crate::output::plan_text::render(&plan, &mut text);
        out.say(String::from_utf8_lossy(&text).trim_end().to_owned());
        out.say(
            "\n/start begins it; /plan changes a part of it (/plan for 60m, /plan goal: 800 words, /plan deep) or plans anew.",
        );
        if let Some(Waiting::Until(at)) = self.waiting {
            if plan.start == at {
                out.say(format!(
                    "Still waiting: it starts at {}.",
                    clock_on(at, now)
                ));
            } else {
                self.waiting = None;
                out.say(format!(
                    "No longer waiting for {}: /start begins this plan.",
                    clock_on(at, now)
                ));
            }
        }
        self.draft = Some(plan);
    }

    /// `/start` with no session: the plan drafted, opened as a journal by the driver (its
    /// blocks moved to start now). A plan that starts later asks first; one waited for
    /// starts at once.
    fn start(&mut self, now: Wall, out: &mut Out) {
        let Some(plan) = &self.draft else {
            return out.say(
                "focus: there is no plan to start yet; /plan says what and for how long, e.g. /plan write the report for 50m",
            );
        };
        let later = plan.start - now.trunc_subsecs(0);
        if self.waiting.is_none() && later >= TimeDelta::minutes(1) {
            let at = plan.start;
            self.waiting = Some(Waiting::Asking(at));
            return out.say(format!(
                "The plan starts at {}, in {}. Start now instead, its blocks moved to begin now? (yes: now / no: wait until {})",
                clock_on(at, now),
                format_minutes(u32::try_from(later.num_minutes()).unwrap_or(u32::MAX)),
                clock_on(at, now),
            ));
        }
        self.open_draft(out);
    }

    /// The answer to "start now?".
    fn answer_start(&mut self, answer: &str, at: Wall, now: Wall, out: &mut Out) {
        match answer.trim().to_lowercase().as_str() {
            yes if is_yes(yes) || matches!(yes, "now" | "start") => {
                self.waiting = None;
                self.open_draft(out);
            }
            "no" | "n" | "wait" | "later" => {
                self.waiting = Some(Waiting::Until(at));
                out.push(Effect::Timer {
                    id: TimerId::PlannedStart,
                    at,
                });
                out.say(format!(
                    "Waiting: the session starts at {}, and focus will say so. /start begins it now instead; /plan changes it.",
                    clock_on(at, now)
                ));
            }
            _ => out.say(format!(
                "focus: yes starts it now, no waits until {}",
                clock_on(at, now)
            )),
        }
    }

    /// The plan waited for reaches its start.
    fn planned_start(&mut self, now: Wall, out: &mut Out) {
        let Some(Waiting::Until(at)) = self.waiting else {
            return;
        };
        // A timer set for an earlier wait: the wait goes on.
        if now < at {
            return;
        }
        // A plan being shaped: its start is looked at again when it is shown.
        if self.shaping() {
            return out.push(Effect::Timer {
                id: TimerId::PlannedStart,
                at: now + TimeDelta::seconds(1),
            });
        }
        let same = self.draft.as_ref().is_some_and(|p| p.start == at);
        if self.session.is_none() && same {
            out.say(format!(
                "{}It is {}: the session begins.",
                stamp(now),
                at.format("%H:%M")
            ));
            self.open_draft(out);
        } else {
            self.waiting = None;
        }
    }

    /// Opens the drafted plan as a session.
    fn open_draft(&mut self, out: &mut Out) {
        self.waiting = None;
        self.asked = None;
        let Some(plan) = self.draft.take() else {
            return;
        };
        self.show_handoff(out);
        self.opening = Some(plan.clone());
        out.push(Effect::Open(Box::new(plan)));
    }

    /// The last session's next step and open parked items, once after it closed.
    fn show_handoff(&mut self, out: &mut Out) {
        if let Some(text) = self.handoff.take() {
            out.say(text);
        }
    }

    /// The workflow's prompts as commands.
    fn workflow(&mut self, kind: Workflow, words: &str, now: Wall, out: &mut Out) {
        let status = self.status_now(now);
        let facts = offline::Facts {
            said: words,
            status: status.as_ref(),
            plan: self.draft.as_ref(),
            last: self.last.as_ref(),
        };
        if !self.coach.is_ready(now) {
            if kind == Workflow::Breakdown && !words.is_empty() {
                return self.plan(words, now, out);
            }
            return out.say(offline::workflow(kind.command(), &facts));
        }
        match self.coach.workflow_prompt(kind.template(), &facts) {
            Ok(prompt) => self.chat(prompt.clone(), prompt, false, false, now, out),
            Err(error) => out.say(format!("focus: {error}")),
        }
    }

    /// `/summary`: the coach sums up the progress so far.
    fn summary(&mut self, now: Wall, out: &mut Out) {
        let Some(status) = self.status_now(now) else {
            return out.say(
                "No session is running, so there is no progress to sum up yet; /log shows your finished sessions.",
            );
        };
        if !self.coach.is_ready(now) {
            return out.say(offline::progress(&status));
        }
        // The figures in full; the line on where the session stands goes with it as always.
        match self.coach.progress_prompt(&offline::status(&status)) {
            Ok(prompt) => self.chat("/summary".to_owned(), prompt, false, false, now, out),
            Err(error) => out.say(format!("focus: {error}")),
        }
    }

    /// `/review`, its figures shown: the model narrates them, or focus's own suggestions.
    fn review(&mut self, figures: &Figures, now: Wall, out: &mut Out) {
        if let Availability::Off(why) = self.coach.availability(now) {
            out.note(&format!(
                "The coach is offline ({}); the suggestions below are focus's own.",
                why.why()
            ));
            return out.say(coach::talk::suggestions_text(&figures.suggestions));
        }
        match coach::review_request(
            &self.coach.prompts,
            &figures.figures,
            &figures.comparison,
            &figures.suggestions,
        ) {
            Ok(request) => self.ask(TurnKind::Review, request, None, now, out),
            Err(error) => {
                out.say(format!("focus: {error}"));
                out.say(coach::talk::suggestions_text(&figures.suggestions));
            }
        }
    }

    /// The question waiting, asked again (after words for the coach came in between).
    fn ask_again(&self, now: Wall, out: &mut Out) {
        let Some(running) = &self.session else {
            return;
        };
        // The reflection's next question is on its way already.
        if self.queue.iter().any(|t| matches!(t, Task::Reflect { .. })) {
            return;
        }
        let at = running.at(now);
        let session = running.machine.session();
        let text = match session.pending(at) {
            Some(Pending::Reflection { .. }) => session
                .current_question()
                .map(|m| offline::say(&m))
                .unwrap_or_default(),
            Some(pending) => offline::ask_again(&pending),
            None => return,
        };
        out.say(format!("{}{text}", stamp(at)));
    }

    // ── model jobs ───────────────────────────────────────────────────────────

    fn job(&mut self) -> JobId {
        self.next_job += 1;
        self.next_job
    }

    /// Starts the coach's turn: a job for `request`, within `limit`.
    fn ask(
        &mut self,
        kind: TurnKind,
        request: Request,
        limit: Option<Duration>,
        now: Wall,
        out: &mut Out,
    ) {
        let job = self.job();
        let styled = self.setup.styled && kind.shown() == Shown::Reply;
        self.turn = Some(Turn {
            job,
            kind,
            reply: Reply::new(&request),
            markdown: Markdown::new(styled),
            begun: false,
            interrupted: false,
            stopped: None,
        });
        out.push(Effect::Ask { job, request });
        if let Some(limit) = limit {
            out.push(Effect::Timer {
                id: TimerId::Limit(job),
                at: now + TimeDelta::from_std(limit).unwrap_or(TimeDelta::MAX),
            });
        }
    }

    fn model_item(
        &mut self,
        job: JobId,
        item: Result<crate::llm::Chunk, crate::llm::LlmError>,
        now: Wall,
        out: &mut Out,
    ) {
        if let Some(turn) = self.turn.as_mut().filter(|t| t.job == job) {
            let shown = turn.kind.shown();
            match turn.reply.absorb(item) {
                Step::Text(text) if shown != Shown::Hidden && !text.is_empty() => {
                    if !turn.begun {
                        turn.begun = true;
                        let at = self.session.as_ref().map_or(now, |r| r.at(now));
                        out.push(Effect::Stream(stamp(at)));
                    }
                    let piece = if shown == Shown::Paragraph {
                        text.replace('\n', " ")
                    } else {
                        turn.markdown.push(&text)
                    };
                    if !piece.is_empty() {
                        if std::mem::take(&mut turn.interrupted) {
                            let dim = Style::new().dimmed();
                            out.push(Effect::Stream(format!("{dim}…{dim:#} ")));
                        }
                        out.push(Effect::Stream(piece));
                    }
                }
                Step::Ended => self.end_turn(now, out),
                _ => {}
            }
            return;
        }
        if let Some(i) = self.comments.iter().position(|c| c.job == job)
            && self.comments[i].reply.absorb(item) == Step::Ended
        {
            self.end_comment(i, now, out);
        }
        // Anything else is from a job stopped already.
    }

    fn model_ended(&mut self, job: JobId, now: Wall, out: &mut Out) {
        if let Some(turn) = self.turn.as_mut().filter(|t| t.job == job) {
            turn.reply.end_of_stream();
            return self.end_turn(now, out);
        }
        if let Some(i) = self.comments.iter().position(|c| c.job == job) {
            self.comments[i].reply.end_of_stream();
            self.end_comment(i, now, out);
        }
    }

    /// A job's time limit passed.
    fn limit(&mut self, job: JobId, now: Wall, out: &mut Out) {
        if self.turn.as_ref().is_some_and(|t| t.job == job) {
            return self.stop_turn(Stop::Limit, now, out);
        }
        if let Some(i) = self.comments.iter().position(|c| c.job == job) {
            self.comments.remove(i);
            out.push(Effect::Cancel { job });
        }
    }

    /// Ends the turn under way and nothing it leads to (the person is leaving): its words so
    /// far stay on screen, and a reply to the person is journaled as cut off.
    fn drop_turn(&mut self, now: Wall, out: &mut Out) {
        let Some(mut turn) = self.turn.take() else {
            return;
        };
        out.push(Effect::Cancel { job: turn.job });
        if turn.begun {
            let mut rest = turn.markdown.finish();
            rest.push('\n');
            out.push(Effect::Stream(rest));
        }
        let said = text::sanitize(turn.reply.text().trim());
        if let TurnKind::Chat(chat) = turn.kind
            && !said.is_empty()
            && self.session.is_some()
        {
            self.feed(
                SessionEvent::Coach {
                    text: said,
                    cut_off: true,
                    to: Some(chat.shown),
                },
                now,
                out,
            );
        }
    }

    /// Ends the turn under way before the model does.
    fn stop_turn(&mut self, stop: Stop, now: Wall, out: &mut Out) {
        let Some(turn) = self.turn.as_mut() else {
            return;
        };
        turn.stopped = Some(stop);
        turn.reply.cancel();
        self.end_turn(now, out);
    }

    /// The coach's turn is over, however it ended: the reply's last words, a note on how it
    /// ended, and what the turn leads to.
    fn end_turn(&mut self, now: Wall, out: &mut Out) {
        let Some(mut turn) = self.turn.take() else {
            return;
        };
        out.push(Effect::Cancel { job: turn.job });
        if turn.begun {
            let mut rest = turn.markdown.finish();
            rest.push('\n');
            out.push(Effect::Stream(rest));
        }
        let ending = turn.reply.ending().cloned().unwrap_or(Ending::Cancelled);
        if matches!(ending, Ending::Finished { .. }) || !turn.reply.text().is_empty() {
            self.coach.spend(turn.reply.usage());
            self.coach.answered();
        }
        match &ending {
            Ending::Cancelled if turn.stopped == Some(Stop::Interrupt) && turn.begun => {
                out.note("(stopped)");
            }
            Ending::Cancelled
                if turn.stopped == Some(Stop::Limit) && matches!(turn.kind, TurnKind::Chat(_)) =>
            {
                out.note(&format!(
                    "(the reply ran past {} s, llm.reply_timeout_secs: focus ended it and kept what came)",
                    self.coach.limits.reply_timeout.as_secs()
                ));
            }
            Ending::Finished {
                reason: crate::llm::FinishReason::Length,
                ..
            } if matches!(turn.kind, TurnKind::Chat(_)) => {
                out.note(&format!(
                    "(the reply reached its length limit, {} tokens: llm.max_reply_tokens)",
                    self.coach.limits.max_reply_tokens
                ));
            }
            Ending::CutOff(error) => out.note(&format!("(the reply was cut off: {error})")),
            _ => {}
        }
        match turn.kind {
            TurnKind::Chat(chat) => self.chat_ended(&turn.reply, &ending, chat, now, out),
            TurnKind::Summarise { upto, then } => {
                // A summary that did not come is a digest made here: as stable, so the next
                // turns reuse the server's cache all the same.
                let made = matches!(ending, Ending::Finished { .. })
                    && !turn.reply.text().trim().is_empty();
                self.coach.fold(made.then(|| turn.reply.text()), upto);
                if turn.stopped == Some(Stop::Interrupt) {
                    // Ctrl-C stops the whole turn, not only its summary.
                    out.note("(stopped)");
                } else if let Task::Chat { shown, sent, reask } = *then {
                    self.chat(shown, sent, reask, true, now, out);
                }
            }
            TurnKind::Plan {
                words,
                draft,
                request,
                retried,
            } => self.plan_ended(
                &turn.reply,
                &ending,
                turn.stopped,
                &words,
                *draft,
                &request,
                retried,
                now,
                out,
            ),
            TurnKind::Reflection => {
                if let Ending::Failed(error) = &ending {
                    self.coach.reflection_replies = false;
                    match self.coach.failed(error, now) {
                        Failure::Down(line) => out.say(line),
                        Failure::Known => {}
                        Failure::Turn => out.say(format!(
                            "focus: the coach's model is not answering ({error}); the reflection goes on without it"
                        )),
                    }
                }
                let held = std::mem::take(&mut self.held);
                self.translate(held, now, out);
            }
            TurnKind::Review => {
                if let Ending::Failed(error) = &ending {
                    match self.coach.failed(error, now) {
                        Failure::Down(line) => out.say(line),
                        Failure::Known => {}
                        Failure::Turn => out.say(format!(
                            "focus: the coach could not review the week ({error})"
                        )),
                    }
                }
            }
        }
    }

    /// A reply to the person's words has ended: kept in the journal and the conversation,
    /// and the question that was waiting is asked again.
    fn chat_ended(
        &mut self,
        reply: &Reply,
        ending: &Ending,
        chat: ChatTurn,
        now: Wall,
        out: &mut Out,
    ) {
        let ChatTurn {
            shown,
            sent,
            now: line,
            told,
            reask,
        } = chat;
        if let Ending::Failed(error) = ending {
            match self.coach.failed(error, now) {
                Failure::Down(line) => out.say(line),
                // Said already: the person gets focus's own answer, as in the quiet.
                Failure::Known => {
                    if let Availability::Off(why) = self.coach.availability(now) {
                        out.say(if self.session.is_some() {
                            offline::session_chat(&why)
                        } else {
                            offline::repl_chat(&why)
                        });
                    }
                }
                Failure::Turn => {
                    let kept = if self.session.is_some() {
                        "what you wrote is in the session's journal"
                    } else {
                        "send it again later"
                    };
                    out.say(format!(
                        "focus: the coach could not answer ({error}); {kept}. /offline stops asking the model"
                    ));
                }
            }
        } else {
            let cut_off = !matches!(ending, Ending::Finished { .. });
            let answer = text::sanitize(reply.text().trim());
            if self.session.is_some() {
                self.feed(
                    SessionEvent::Coach {
                        text: answer.clone(),
                        cut_off,
                        to: Some(shown.clone()),
                    },
                    now,
                    out,
                );
            }
            let remembered = if cut_off {
                format!("{answer} [cut off]")
            } else {
                answer
            };
            self.coach.push(line, &sent, remembered);
            self.told(&told);
        }
        if reask {
            self.ask_again(now, out);
        }
    }

    /// The model's plan has come (or not): checked and repaired, asked for once more when
    /// it cannot be used, else focus's own.
    #[allow(clippy::too_many_arguments)]
    fn plan_ended(
        &mut self,
        reply: &Reply,
        ending: &Ending,
        stopped: Option<Stop>,
        words: &str,
        draft: Plan,
        request: &Request,
        retried: bool,
        now: Wall,
        out: &mut Out,
    ) {
        match ending {
            Ending::Finished { .. } => {}
            Ending::Cancelled => {
                out.say(match stopped {
                    Some(Stop::Limit) => format!(
                        "focus: no plan from the coach within {} s; here is focus's own plan",
                        PLAN_LIMIT.as_secs()
                    ),
                    _ => "focus: stopped; here is focus's own plan".to_owned(),
                });
                return self.show_plan(draft, now, out);
            }
            Ending::Failed(error) => {
                match self.coach.failed(error, now) {
                    Failure::Down(line) => out.say(line),
                    Failure::Known => out.say("focus: here is focus's own plan"),
                    Failure::Turn => out.say(format!(
                        "focus: the coach could not plan ({error}); here is focus's own plan"
                    )),
                }
                return self.show_plan(draft, now, out);
            }
            Ending::CutOff(_) => {
                out.say("focus: the coach's plan broke off; here is focus's own plan");
                return self.show_plan(draft, now, out);
            }
        }
        match planning::read_plan(reply.text(), &draft) {
            Ok(proposal) => {
                for repair in &proposal.repairs {
                    out.note(&format!("focus: {repair}"));
                }
                self.show_plan(proposal.plan, now, out);
                if let Some(goal) = proposal.suggested_goal {
                    out.say(format!(
                        "suggested goal: {goal} — {} to take it",
                        take_goal(&goal)
                    ));
                }
            }
            Err(problem) if !retried => {
                let again = planning::retry_request(request, reply.text(), &problem.for_model);
                let kind = TurnKind::Plan {
                    words: words.to_owned(),
                    draft: Box::new(draft),
                    request: Box::new(again.clone()),
                    retried: true,
                };
                self.ask(kind, again, Some(PLAN_LIMIT), now, out);
            }
            Err(problem) => {
                out.say(format!(
                    "focus: the coach's plan could not be used ({}); here is focus's own plan",
                    problem.for_person
                ));
                self.show_plan(draft, now, out);
            }
        }
    }

    /// After a check-in, with a model: a short personal line, fetched in the background;
    /// the check-in never waits for it.
    fn comment(&mut self, said: &Message, text: &str, now: Wall, out: &mut Out) {
        // A gentle follow-up says all there is to say; the coach adds nothing to it. Nor
        // does it while it is talking: its next message hears of the check-in instead (one
        // voice at a time, and one request at a time for the server's cache).
        if !self.coach.is_ready(now) || matches!(said, Message::FollowUp(_)) || self.turn.is_some()
        {
            return;
        }
        let Some(running) = &self.session else {
            return;
        };
        let phase = running.machine.session().phase();
        // The check-in itself is what the coach comments on, not news since.
        let (line, _) = self.now_line(now);
        let (request, message) = match self.coach.checkin_request(said, text, self.facts(), &line) {
            Ok(asked) => asked,
            Err(error) => {
                tracing::debug!(%error, "no line after the check-in");
                return;
            }
        };
        let job = self.job();
        self.comments.push(Comment {
            job,
            reply: Reply::new(&request),
            phase,
            message,
        });
        out.push(Effect::Ask { job, request });
        out.push(Effect::Timer {
            id: TimerId::Limit(job),
            at: now + TimeDelta::from_std(CHECKIN_LIMIT).unwrap_or(TimeDelta::MAX),
        });
    }

    /// A line after a check-in has come: shown (as light Markdown) if the session is still
    /// where the check-in found it.
    fn end_comment(&mut self, i: usize, now: Wall, out: &mut Out) {
        let comment = self.comments.remove(i);
        out.push(Effect::Cancel { job: comment.job });
        match comment.reply.ending() {
            Some(Ending::Finished { .. }) => {
                self.coach.spend(comment.reply.usage());
                self.coach.answered();
            }
            Some(Ending::Failed(error)) => {
                if let Failure::Down(line) = self.coach.failed(error, now) {
                    out.say(line);
                }
                return;
            }
            _ => return,
        }
        let Some(running) = &self.session else {
            return;
        };
        if !same_stretch(running.machine.session().phase(), comment.phase) {
            return;
        }
        let line = text::truncate(&text::sanitize(comment.reply.text().trim()), CHECKIN_CHARS)
            .replace('\n', " ");
        if line.is_empty() {
            return;
        }
        let mut markdown = Markdown::new(self.setup.styled);
        let mut shown = markdown.push(&line);
        shown.push_str(&markdown.finish());
        let dim = Style::new().dimmed();
        out.say(format!(
            "{}{dim}{}{dim:#}",
            stamp(running.at(now)),
            shown.trim_end()
        ));
        self.coach.push(None, &comment.message, line);
    }

    /// Ctrl-C: stops the coach's turn, or the write-up; with no prompt to clear, leaves.
    fn interrupt(&mut self, now: Wall, out: &mut Out) {
        if self.turn.is_some() {
            return self.stop_turn(Stop::Interrupt, now, out);
        }
        if self.closing {
            return out.push(Effect::CancelClose);
        }
        if !self.setup.interactive {
            self.leave(LeftBy::Interrupt, now, out);
        }
    }

    // ── the session ──────────────────────────────────────────────────────────

    /// Feeds the session machine and carries out what it says.
    fn feed(&mut self, event: SessionEvent, now: Wall, out: &mut Out) {
        let effects = self.apply(event, now);
        self.show(effects, now, out);
    }

    /// Carries out the session's effects now, unless the coach still has a reflection reply
    /// to give: then the records go now and the rest waits its turn behind it.
    fn show(&mut self, effects: Vec<SessionEffect>, now: Wall, out: &mut Out) {
        let replying = self
            .turn
            .as_ref()
            .is_some_and(|t| matches!(t.kind, TurnKind::Reflection))
            || self.queue.iter().any(|t| matches!(t, Task::Reflect { .. }));
        if !replying {
            return self.translate(effects, now, out);
        }
        let (first, later): (Vec<SessionEffect>, Vec<SessionEffect>) =
            effects.into_iter().partition(|e| {
                matches!(
                    e,
                    SessionEffect::Persist(_) | SessionEffect::ScheduleTimer { .. }
                )
            });
        self.translate(first, now, out);
        if !later.is_empty() {
            self.queue.push_back(Task::Reflect {
                request: None,
                held: later,
            });
        }
    }

    /// Feeds the session machine; its effects are for the caller.
    fn apply(&mut self, event: SessionEvent, now: Wall) -> Vec<SessionEffect> {
        let Some(running) = self.session.as_mut() else {
            return Vec::new();
        };
        let at = running.at(now);
        running.machine.handle(event, at)
    }

    /// The session machine's effects as the REPL's: records, words, timers at wall
    /// instants, the coach's line after a check-in, the close.
    fn translate(&mut self, effects: Vec<SessionEffect>, now: Wall, out: &mut Out) {
        let mut last_said: Option<(Message, String)> = None;
        for effect in effects {
            let Some(running) = &self.session else {
                return;
            };
            let at = running.at(now);
            match effect {
                SessionEffect::Persist(record) => {
                    out.push(Effect::Persist(record, out.typed.clone()));
                }
                SessionEffect::Say(message) => {
                    let text = offline::say(&message);
                    out.say(format!("{}{text}", stamp(at)));
                    if message.is_check_in() {
                        self.since.shown.push(text.clone());
                        let over = self.since.shown.len().saturating_sub(SHOWN_KEPT);
                        self.since.shown.drain(..over);
                    }
                    last_said = Some((message, text));
                }
                SessionEffect::Notify(_) => {
                    if let Some((_, text)) = &last_said {
                        out.push(Effect::Notify(text.clone()));
                    }
                }
                // The reflection's questions are focus's own; the coach replies to answers.
                SessionEffect::AskCoach(crate::session::machine::Topic::Reflection) => {}
                SessionEffect::AskCoach(crate::session::machine::Topic::CheckIn) => {
                    if let Some((message, text)) = &last_said {
                        self.comment(message, text, now, out);
                    }
                }
                SessionEffect::ScheduleTimer { id, at } => out.push(Effect::Timer {
                    id: TimerId::Session(id),
                    at: running.clock.wall_at(at),
                }),
                SessionEffect::Exit => self.closed(now, out),
            }
        }
    }

    /// The session has closed: it goes to the log, written up by the model when it can.
    fn closed(&mut self, now: Wall, out: &mut Out) {
        let Some(running) = self.session.take() else {
            return;
        };
        for comment in self.comments.drain(..) {
            out.push(Effect::Cancel { job: comment.job });
        }
        if running.machine.session().cancelled() {
            // Nothing is logged, nor written up; the coach's part of it ends here.
            if let Some(turn) = self.turn.take() {
                out.push(Effect::Cancel { job: turn.job });
            }
            self.queue.clear();
            self.held.clear();
            self.coach.spent = Usage::default();
            self.closing = true;
            return out.push(Effect::Discard);
        }
        let write_up = self.coach.is_ready(now);
        if write_up {
            out.say(
                "Thanks. The coach is writing up the session… (Ctrl-C keeps your own answers and logs it now)",
            );
        }
        let spent = std::mem::take(&mut self.coach.spent);
        self.closing = true;
        out.push(Effect::Close(Box::new(Close {
            machine: running.machine,
            write_up,
            spent,
        })));
    }

    /// The closed session is in the log.
    fn logged(&mut self, result: Result<Box<Logged>, String>, now: Wall, out: &mut Out) {
        // The model gets another chance in the next session.
        self.coach.reflection_replies = true;
        let result = result.map(|logged| {
            self.handoff = offline::handoff(&logged.entry);
            self.last = Some(logged.entry);
            logged.report
        });
        self.ended(result, now, out);
    }

    /// A closed session is logged, or a cancelled one put away: what to say about it, or why
    /// it could not be done. `focus start` and `focus resume` fail with the reason and end;
    /// the REPL says it and goes on (the session stays in its journal, finished at the next
    /// start).
    fn ended(&mut self, result: Result<String, String>, now: Wall, out: &mut Out) {
        self.closing = false;
        match result {
            Ok(report) => out.say(report),
            Err(message) if self.setup.mode == Mode::Session => {
                self.done = true;
                return out.push(Effect::Fail(message));
            }
            Err(message) => out.say(format!("focus: {message}")),
        }
        if let Some(by) = self.leaving {
            return self.leave(by, now, out);
        }
        if self.setup.mode == Mode::Session {
            self.done = true;
            out.push(Effect::Exit);
        }
    }

    /// The journal of the session to start is open (or not).
    fn opened(&mut self, result: Result<Box<Header>, String>, now: Wall, out: &mut Out) {
        let plan = self.opening.take();
        let header = match result {
            Ok(header) => header,
            Err(message) => {
                // The plan waits for another /start.
                self.draft = plan;
                return out.say(format!("focus: {message}"));
            }
        };
        if let Some(plan) = plan
            && (header.plan.end - plan.end).num_minutes() != 0
        {
            out.say(format!(
                "The plan starts now, so it ends at {} (planned: {}).",
                header.plan.end.format("%H:%M"),
                plan.end.format("%H:%M")
            ));
        }
        out.push(Effect::SaveDraft(None));
        self.coach.spent = Usage::default();
        let machine = Machine::new(header.plan.clone(), header.rules);
        self.session = Some(Running::new(&header, machine));
        self.since = Since::default();
        self.feed(SessionEvent::Start, now, out);
    }

    /// The person leaves: a block pauses, a plan is kept, and the loop ends (once a session
    /// being logged is in the log).
    fn leave(&mut self, by: LeftBy, now: Wall, out: &mut Out) {
        self.drop_turn(now, out);
        for comment in self.comments.drain(..) {
            out.push(Effect::Cancel { job: comment.job });
        }
        // What the reflection said and is still to show: a close among it happens now (the
        // session is closed in its machine already, and goes to the log).
        let mut held = std::mem::take(&mut self.held);
        for task in self.queue.drain(..) {
            if let Task::Reflect { held: more, .. } = task {
                held.extend(more);
            }
        }
        if held.iter().any(|e| matches!(e, SessionEffect::Exit)) {
            held.retain(|e| matches!(e, SessionEffect::Say(Message::Closed) | SessionEffect::Exit));
            self.translate(held, now, out);
        }
        if self.closing {
            self.leaving = Some(by);
            return out.push(Effect::CancelClose);
        }
        let again = match self.setup.mode {
            Mode::Repl => "`focus` takes it up again",
            Mode::Session => "`focus resume` continues it",
        };
        if let Some(running) = &self.session {
            let at = running.at(now);
            let session = running.machine.session();
            let text = match (session.phase(), by) {
                (Phase::Working(_), _) => {
                    self.feed(SessionEvent::Leave, now, out);
                    format!("Paused at {}; {again}.", at.format("%H:%M"))
                }
                (Phase::Reflecting(_), LeftBy::InputClosed) => {
                    "Input ended during the reflection. Your answers so far are saved; `focus resume` picks up at the next question.".to_owned()
                }
                (Phase::Reflecting(_), _) => format!(
                    "Your answers so far are saved; {} finishes the reflection.",
                    match self.setup.mode {
                        Mode::Repl => "`focus` (or `focus resume`)",
                        Mode::Session => "`focus resume`",
                    }
                ),
                (_, LeftBy::InputClosed) => {
                    "Input ended. The session is saved; `focus resume` continues it.".to_owned()
                }
                _ => format!("The session is saved; {again}."),
            };
            out.say(text);
        }
        if let Some(plan) = self.draft.take() {
            out.say(format!(
                "The plan for \"{}\" is kept; the next `focus` offers it.",
                plan.task
            ));
            out.push(Effect::SaveDraft(Some(Box::new(plan))));
        }
        self.done = true;
        out.push(Effect::Exit);
    }

    /// When input has ended (a pipe), the loop ends once nothing is left to do and the
    /// session (if any) can only go on with the person.
    fn finish_when_input_ends(&mut self, now: Wall, out: &mut Out) {
        if self.done
            || self.input_open
            || self.turn.is_some()
            || !self.queue.is_empty()
            || self.closing
            || self.opening.is_some()
        {
            return;
        }
        let needs_person = self
            .session
            .as_ref()
            .is_none_or(|r| r.machine.session().needs_person());
        if needs_person {
            self.leave(LeftBy::InputClosed, now, out);
        }
    }

    // ── what the coach is told ───────────────────────────────────────────────

    /// The session as it stands now.
    fn status_now(&self, now: Wall) -> Option<Status> {
        self.session
            .as_ref()
            .map(|r| r.machine.session().status(r.at(now)))
    }

    /// What holds while the session runs (or waits), sent early in every request.
    fn facts(&self) -> Option<String> {
        coach::session_facts(
            self.session.as_ref().map(|r| r.machine.session().plan()),
            self.draft.as_ref(),
            self.last.as_ref().and_then(|e| e.next_step.as_deref()),
        )
    }

    /// What a turn kept in the conversation told the coach: not news for the next one.
    fn told(&mut self, told: &Since) {
        self.since.captures = self.since.captures.max(told.captures);
        self.since.shown.retain(|line| !told.shown.contains(line));
    }

    /// Where the session stands at `now`, sent with the next message, and what it tells the
    /// coach of (to mark as told once the turn is kept).
    fn now_line(&self, now: Wall) -> (String, Since) {
        let status = self.status_now(now);
        let captured = status.as_ref().map_or(&[][..], |s| &s.captured[..]);
        let new = captured.get(self.since.captures..).unwrap_or_default();
        let line = coach::session_now(now, status.as_ref(), new, &self.since.shown);
        let told = Since {
            captures: captured.len(),
            shown: self.since.shown.clone(),
        };
        (line, told)
    }
}

/// Whether two phases are the same stretch of the session (a block running or paused, the
/// same break).
fn same_stretch(a: Phase, b: Phase) -> bool {
    match (a, b) {
        (Phase::Working(i) | Phase::Paused(i), Phase::Working(j) | Phase::Paused(j)) => i == j,
        _ => a == b,
    }
}

/// The `/plan` line that sets `goal` as the session's goal: `/plan goal: X` when those words
/// read back as that goal alone, else the option, quoted (`/plan --goal "until 5, or so"`).
fn take_goal(goal: &str) -> String {
    let words = format!("goal: {goal}");
    let reads_back = crate::session::words::read(&words)
        .is_ok_and(|asked| request::only_goal(&asked) && asked.goal.as_deref() == Some(goal));
    if reads_back {
        format!("/plan {words}")
    } else {
        let quoted = shlex::try_quote(goal)
            .map_or_else(|_| format!("\"{goal}\""), std::borrow::Cow::into_owned);
        format!("/plan --goal {quoted}")
    }
}

/// "2 blocks", "1 block": the plan's work blocks.
fn blocks_of(plan: &Plan) -> String {
    match plan.work_blocks().count() {
        1 => "1 block".to_owned(),
        n => format!("{n} blocks"),
    }
}

/// A time as the clock shows it, with the day when it is not today: "11:00", "tomorrow
/// 09:00", "Mon 7 Dec 09:00".
fn clock_on(at: Wall, now: Wall) -> String {
    let days = (at.date_naive() - now.date_naive()).num_days();
    match days {
        0 => at.format("%H:%M").to_string(),
        1 => at.format("tomorrow %H:%M").to_string(),
        _ => at.format("%a %-d %b %H:%M").to_string(),
    }
}
