//! The session state machine: `handle(event, now) -> effects`.
//!
//! The machine holds a plan and what has happened to it. It is pure: the driver passes the
//! session instant with every event and carries out the returned [`Effect`]s.
//!
//! Invariants:
//! - The state is derived from instants (when each block began, when it paused and resumed, how
//!   long it now lasts), never from counted timer firings. Any event first brings the session
//!   up to `now`, so after a suspend or a restart it is in the right block with the right time
//!   left, and the check-ins missed meanwhile collapse into one message.
//! - A timer carries an id and only the latest id counts; a stale firing changes nothing.
//! - Every event that changes the session yields an [`Effect::Persist`] first, and replaying
//!   the persisted records at their instants rebuilds the same state as living them.
//! - Work blocks start on the person's go (unless `auto_start_work`); breaks start by themselves.
//! - Time away is never focus unless the person says so: leaving ([`Event::Leave`]) pauses the
//!   block, and a session taken up again after focus was not running for a while (no heartbeat
//!   for [`AWAY_AFTER`]) is paused where focus was last seen. `/resume worked` undoes such a
//!   pause and lets the clock catch up.

mod effects;
mod events;
#[cfg(test)]
mod tests;

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::{Deserialize, Serialize};

pub use effects::{
    Alert, Asked, Away, BlockInfo, BreakInfo, CaptureKind, Effect, Message, Next, Pending, Status,
    Topic, Why,
};
pub use events::{Event, Record};

use super::plan::{BlockKind, Plan};
use super::reflection::{Answers, Form, Question, Turn};
use super::schedule::{self, CheckInKind, CheckIns};

/// An instant on the session's clock (wall time, or faster with a time scale).
pub type Instant = DateTime<FixedOffset>;

/// No block grows past this by extensions (12 hours, the longest session focus plans).
pub const MAX_BLOCK_MINUTES: u32 = 720;

/// While a block runs, a tick is journaled at least this often, so that a new process can
/// tell when focus was last running.
pub const HEARTBEAT: TimeDelta = TimeDelta::minutes(1);

/// A session taken up again this long after focus was last seen running had focus stopped
/// without a word (a crash, a power cut): its block is paused where focus was last seen.
pub const AWAY_AFTER: TimeDelta = TimeDelta::minutes(3);

/// Why a block was paused when the person left focus.
pub const LEFT_REASON: &str = "left focus";

/// Why a block was paused when focus was found not to have been running.
pub const AWAY_REASON: &str = "focus was not running";

/// The rules a session runs by. They are fixed when it starts and written into the journal, so
/// a changed configuration cannot change a session that is being replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    pub checkins: CheckIns,
    /// A pause longer than this asks whether to resume, replan or end (0: never).
    pub long_pause_minutes: u32,
    /// Start each work block when the break before it ends, without waiting for the go.
    pub auto_start_work: bool,
    /// Time away is not focus: a heartbeat is journaled while a block runs, a block is paused
    /// where focus was last seen when it was not running for a while, and a paused session
    /// waits for the person however long. Off in journals from before these rules (the field
    /// is missing there), so that they replay as they were lived.
    #[serde(default)]
    pub time_away_pauses: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            checkins: CheckIns::default(),
            long_pause_minutes: 15,
            auto_start_work: false,
            time_away_pauses: true,
        }
    }
}

/// Where a session is. The index is the plan block concerned (for `Waiting`, the work block
/// waiting for the go).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Planned,
    Working(usize),
    Paused(usize),
    Break(usize),
    Waiting(usize),
    Reflecting(Why),
    Closed,
}

impl Phase {
    /// The work block running or paused.
    pub fn block(self) -> Option<usize> {
        match self {
            Phase::Working(i) | Phase::Paused(i) => Some(i),
            _ => None,
        }
    }
}

/// How a block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    CutShort,
}

/// A finished pause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PauseRecord {
    /// The work block's number.
    pub block: u32,
    pub from: Instant,
    pub to: Instant,
    pub reason: Option<String>,
}

/// Something the person captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capture {
    pub at: Instant,
    pub kind: CaptureKind,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// The work block it was captured in, if one was under way.
    pub block: Option<u32>,
}

/// Free text the person wrote (a check-in answer or a reflection answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub at: Instant,
    pub text: String,
    pub during: Phase,
}

/// One plan block as it ran, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRun {
    /// The plan's block (its planned times and length).
    pub index: usize,
    /// The work block's number; `None` for a break.
    pub number: Option<u32>,
    /// The goal planned, or given when the block began.
    pub goal: Option<String>,
    pub started: Option<Instant>,
    pub ended: Option<Instant>,
    pub outcome: Option<Outcome>,
    /// Whole minutes it ran (pauses left out).
    pub active_minutes: u32,
    /// Minutes added with /extend.
    pub extended: u32,
}

/// One plan block as it runs. Lengths and active time are durations so that a pause or an
/// extension at any instant keeps exact arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    /// The planned length, with extensions and replanning.
    length: TimeDelta,
    /// Time run before `since`.
    active: TimeDelta,
    /// Running since (work or break); `None` when not running.
    since: Option<Instant>,
    started: Option<Instant>,
    ended: Option<Instant>,
    outcome: Option<Outcome>,
    /// The last check-in said, as an active offset.
    said: TimeDelta,
    extended: u32,
    /// The goal the person gave a work block the plan left without one.
    goal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct OpenPause {
    since: Instant,
    reason: Option<String>,
    /// The long-pause question has been asked (or is not to be asked).
    asked: bool,
    cause: PauseCause,
}

/// Who paused a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PauseCause {
    /// `/pause`.
    Person,
    /// The person left focus mid-block.
    Left,
    /// Focus was not running (found when the session was taken up again).
    Away,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Awaiting {
    at: Instant,
    asked: Asked,
    followed: bool,
}

/// Everything that has happened to a session. Comparing two is how tests show that a replay
/// gives the state that living the session gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    plan: Plan,
    rules: Rules,
    phase: Phase,
    runs: Vec<Run>,
    pause: Option<OpenPause>,
    pauses: Vec<PauseRecord>,
    captures: Vec<Capture>,
    replies: Vec<Reply>,
    awaiting: Option<Awaiting>,
    started: Option<Instant>,
    ended: Option<Instant>,
    /// When the block in `Waiting` began to wait.
    waiting_since: Option<Instant>,
    /// The instant of the last event that changed the session.
    last_seen: Option<Instant>,
    /// The reflection's questions and answers, from the moment it begins.
    reflection: Option<Form>,
    /// Why the reflection began.
    why: Option<Why>,
    /// The session was cancelled: it closed without a record.
    cancelled: bool,
}

/// The session plus the driver-facing bookkeeping of timers.
#[derive(Debug, Clone)]
pub struct Machine {
    session: Session,
    next_id: u64,
    pending: Option<(u64, Instant)>,
}

impl Machine {
    pub fn new(plan: Plan, rules: Rules) -> Machine {
        let runs = plan
            .blocks
            .iter()
            .map(|block| Run {
                length: TimeDelta::minutes(i64::from(block.minutes)),
                active: TimeDelta::zero(),
                since: None,
                started: None,
                ended: None,
                outcome: None,
                said: TimeDelta::zero(),
                extended: 0,
                goal: None,
            })
            .collect();
        Machine {
            session: Session {
                plan,
                rules,
                phase: Phase::Planned,
                runs,
                pause: None,
                pauses: Vec::new(),
                captures: Vec::new(),
                replies: Vec::new(),
                awaiting: None,
                started: None,
                ended: None,
                waiting_since: None,
                last_seen: None,
                reflection: None,
                why: None,
                cancelled: false,
            },
            next_id: 0,
            pending: None,
        }
    }

    /// Rebuilds a machine from journal records, as if they had been lived.
    pub fn replay(plan: Plan, rules: Rules, records: impl IntoIterator<Item = Record>) -> Machine {
        let mut machine = Machine::new(plan, rules);
        for record in records {
            machine.handle(record.event, record.at);
        }
        // No timer of the old process is running: the next event schedules afresh.
        machine.pending = None;
        machine
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Reacts to one event at the session instant `now`.
    pub fn handle(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        if let Event::Timer { id } = event {
            if self.pending.is_none_or(|(pending, _)| pending != id) {
                return Vec::new();
            }
            self.pending = None;
        }
        let before = self.session.clone();
        let session = &mut self.session;
        // Judged on the session as it was when last seen, before the clock moves it.
        let over_at = session.projected_end(session.last_seen.unwrap_or(now));
        let reopen = event == Event::Reopen;
        // Focus stopped without a word while a block ran: the block pauses where focus was
        // last seen, before the clock could count the time away as focus.
        let (mut moments, gap) = if reopen {
            session.pause_for_gap(now)
        } else {
            (Vec::new(), None)
        };
        moments.extend(session.advance(now));
        let mut said = Vec::new();
        let clock_moved_it = !moments.is_empty();
        let alert = moments.last().and_then(Message::alert);
        said_once(moments, &mut said);

        let by_person = event.is_from_person();
        // Anything the person does answers the check-in, but for words to the coach.
        if by_person && !matches!(event, Event::Message { .. }) {
            session.awaiting = None;
        }
        let accepted = if reopen {
            session.reopen(now, over_at, gap, &mut said)
        } else {
            session.apply(&event, now, &mut said)
        };

        if let Some(asked) = said.iter().rev().find_map(Message::asks) {
            session.awaiting = Some(Awaiting {
                at: now,
                asked,
                followed: false,
            });
        } else if clock_moved_it {
            // A newer check-in replaces the question that was waiting.
            session.awaiting = None;
        }
        if matches!(session.phase, Phase::Reflecting(_) | Phase::Closed) {
            // The reflection asks its own questions; check-ins get no follow-up there.
            session.awaiting = None;
        }

        let mut effects = Vec::new();
        // While a block runs, the clock's firings are journaled now and then (a heartbeat),
        // so that a new process knows when focus was last running.
        let heartbeat = session.rules.time_away_pauses
            && matches!(event, Event::Timer { .. } | Event::Tick)
            && matches!(session.phase, Phase::Working(_))
            && session
                .last_seen
                .is_some_and(|seen| now >= seen + HEARTBEAT);
        let record = match event {
            Event::Timer { .. } => Event::Tick,
            other => other,
        };
        if accepted || heartbeat || *session != before {
            session.last_seen = Some(now);
            // A refused command can still have changed the session (the clock moved it, or it
            // answered a pending question); it is kept as itself so a replay does the same.
            let event = if accepted || by_person {
                record
            } else {
                Event::Tick
            };
            effects.push(Effect::Persist(Record { at: now, event }));
        }
        let reflection_begins = matches!(session.phase, Phase::Reflecting(_))
            && (reopen || !matches!(before.phase, Phase::Reflecting(_)));
        let checkin = clock_moved_it && !reflection_begins;
        if reflection_begins && let Some(question) = session.current_question() {
            said.push(question);
        }
        effects.extend(said.into_iter().map(Effect::Say));
        if let Some(alert) = alert.filter(|_| clock_moved_it) {
            effects.push(Effect::Notify(alert));
        }
        if reflection_begins {
            effects.push(Effect::AskCoach(Topic::Reflection));
        } else if checkin {
            effects.push(Effect::AskCoach(Topic::CheckIn));
        }
        let next = session.next_deadline();
        if next != self.pending.map(|(_, at)| at) {
            self.pending = next.map(|at| {
                self.next_id += 1;
                effects.push(Effect::ScheduleTimer {
                    id: self.next_id,
                    at,
                });
                (self.next_id, at)
            });
        }
        if session.phase == Phase::Closed && before.phase != Phase::Closed {
            effects.push(Effect::Exit);
        }
        effects
    }
}

impl Session {
    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn captures(&self) -> &[Capture] {
        &self.captures
    }

    pub fn pauses(&self) -> &[PauseRecord] {
        &self.pauses
    }

    pub fn replies(&self) -> &[Reply] {
        &self.replies
    }

    pub fn ended(&self) -> Option<Instant> {
        self.ended
    }

    pub fn started(&self) -> Option<Instant> {
        self.started
    }

    /// The session was closed by `/cancel`: it is not logged.
    pub fn cancelled(&self) -> bool {
        self.cancelled
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The distractions parked so far, oldest first.
    pub fn parked(&self) -> impl Iterator<Item = &str> {
        self.captures
            .iter()
            .filter(|c| c.kind == CaptureKind::Distraction)
            .map(|c| c.text.as_str())
    }

    /// Every plan block as it ran (or did not: `started` is `None`).
    pub fn block_runs(&self) -> Vec<BlockRun> {
        let until = self.ended.or(self.last_seen);
        (0..self.runs.len())
            .map(|i| {
                let run = &self.runs[i];
                let active = until.map_or(run.active, |at| self.active_at(i, at));
                let goal = match &self.plan.blocks[i].kind {
                    BlockKind::Work { goal, .. } => goal.clone().or_else(|| run.goal.clone()),
                    BlockKind::Break { .. } => None,
                };
                BlockRun {
                    index: i,
                    number: self.work_number(i),
                    goal,
                    started: run.started,
                    ended: run.ended,
                    outcome: run.outcome,
                    active_minutes: minutes_down(active.min(run.length)),
                    extended: run.extended,
                }
            })
            .collect()
    }

    /// Focused minutes over the whole session (up to its end, or to the last event).
    pub fn focused_minutes(&self) -> u32 {
        self.ended
            .or(self.last_seen)
            .map_or(0, |at| minutes_down(self.focused(at)))
    }

    /// Work blocks completed and in all.
    pub fn blocks_done(&self) -> (u32, u32) {
        (self.work_blocks(Outcome::Completed), self.work_count())
    }

    /// Why the session ended, once it has.
    pub fn why_ended(&self) -> Option<Why> {
        self.why
    }

    /// The reflection's answers, once it has begun.
    pub fn answers(&self) -> Option<&Answers> {
        self.reflection.as_ref().map(Form::answers)
    }

    /// The reflection as it went: each answer and skip, in order.
    pub fn reflection_turns(&self) -> &[Turn] {
        self.reflection.as_ref().map_or(&[], Form::turns)
    }

    /// What the session set out to do, one line each: the work blocks' goals (planned, or
    /// given when the block began), or else the session goal.
    pub fn criteria(&self) -> Vec<String> {
        let mut goals: Vec<String> = Vec::new();
        for i in 0..self.runs.len() {
            if let BlockKind::Work { goal, .. } = &self.plan.blocks[i].kind
                && let Some(goal) = goal.as_ref().or(self.runs[i].goal.as_ref())
                && !goals.contains(goal)
            {
                goals.push(goal.clone());
            }
        }
        if goals.is_empty() {
            goals.extend(self.plan.goal.clone());
        }
        goals
    }

    /// Whether a check-in's question waits for an answer (the next reply answers it).
    pub fn is_asking(&self) -> bool {
        self.awaiting.is_some()
    }

    /// The question waiting for the person's answer now, if any: a reflection question, a
    /// check-in's question, or the goal of a block that has none (before its first check-in,
    /// the first reply becomes its goal).
    pub fn pending(&self, now: Instant) -> Option<Pending> {
        if let Phase::Reflecting(_) = self.phase {
            let form = self.reflection.as_ref()?;
            let question = form.current()?;
            let (number, of) = form.progress();
            return Some(Pending::Reflection {
                question,
                number,
                of,
            });
        }
        if let Some(awaiting) = &self.awaiting {
            return Some(Pending::CheckIn(awaiting.asked.clone()));
        }
        match self.phase {
            Phase::Working(i) if self.awaits_goal(i) => {
                Some(Pending::Goal(self.block_info(i, now)))
            }
            _ => None,
        }
    }

    /// Whether work block `i` has no goal yet and has not had a check-in, so that a reply
    /// becomes its goal.
    fn awaits_goal(&self, i: usize) -> bool {
        let planned = matches!(
            &self.plan.blocks[i].kind,
            BlockKind::Work { goal: Some(_), .. }
        );
        let run = &self.runs[i];
        !planned && run.goal.is_none() && run.said == TimeDelta::zero()
    }

    /// Whether the session can only go on with the person's input (the clock alone will not
    /// move it): before the start, paused, waiting for the go, reflecting, closed.
    pub fn needs_person(&self) -> bool {
        !matches!(self.phase, Phase::Working(_) | Phase::Break(_))
    }

    /// The session at `now`, as it stands after the last event.
    pub fn status(&self, now: Instant) -> Status {
        let (block, on_break, elapsed, left) = match self.phase {
            Phase::Working(i) | Phase::Paused(i) => {
                let run = &self.runs[i];
                let elapsed = self.active_at(i, now).min(run.length);
                (
                    Some(self.block_info(i, now)),
                    None,
                    elapsed,
                    run.length - elapsed,
                )
            }
            Phase::Break(i) => {
                let elapsed = self.active_at(i, now).min(self.runs[i].length);
                (
                    None,
                    Some(self.break_info(i)),
                    elapsed,
                    self.runs[i].length - elapsed,
                )
            }
            Phase::Waiting(i) => (
                Some(self.block_info(i, now)),
                None,
                TimeDelta::zero(),
                self.runs[i].length,
            ),
            Phase::Planned | Phase::Reflecting(_) | Phase::Closed => {
                (None, None, TimeDelta::zero(), TimeDelta::zero())
            }
        };
        Status {
            task: self.plan.task.clone(),
            goal: self.plan.goal.clone(),
            phase: self.phase,
            block,
            on_break,
            elapsed: elapsed.num_seconds(),
            left: left.num_seconds(),
            paused: self.pause.as_ref().map(|p| (p.since, p.reason.clone())),
            focused: self.focused(now).num_seconds(),
            planned: self.planned_focus(),
            blocks_done: self.work_blocks(Outcome::Completed),
            cut_short: self.work_blocks(Outcome::CutShort),
            blocks: self.work_count(),
            ends: self.projected_end(now),
            captured: self
                .captures
                .iter()
                .map(|c| (c.kind, c.text.clone()))
                .collect(),
        }
    }

    // ── the clock ────────────────────────────────────────────────────────────

    /// Brings the session up to `now`: check-ins passed, blocks and breaks ended, follow-ups
    /// due. Returns the moments in order.
    fn advance(&mut self, now: Instant) -> Vec<Message> {
        let mut moments = Vec::new();
        loop {
            match self.phase {
                Phase::Working(i) => {
                    let end = self.end_of(i);
                    self.checkins_until(i, now.min(end), &mut moments);
                    if now < end {
                        break;
                    }
                    self.finish_work(i, end, Outcome::Completed, &mut moments);
                }
                Phase::Break(i) => {
                    let end = self.end_of(i);
                    if now < end {
                        break;
                    }
                    self.finish_break(i, end, false, &mut moments);
                }
                _ => break,
            }
        }
        if moments.is_empty() {
            let follow_up = minutes(self.rules.checkins.follow_up);
            if let Some(awaiting) = &mut self.awaiting
                && follow_up > TimeDelta::zero()
                && !awaiting.followed
                && now >= awaiting.at + follow_up
            {
                awaiting.followed = true;
                moments.push(Message::FollowUp(awaiting.asked.clone()));
            }
            let long = minutes(self.rules.long_pause_minutes);
            if let Some(pause) = &mut self.pause
                && long > TimeDelta::zero()
                && !pause.asked
                && now >= pause.since + long
            {
                pause.asked = true;
                moments.push(Message::LongPause {
                    minutes: minutes_down(now - pause.since),
                    reason: pause.reason.clone(),
                });
            }
        }
        moments
    }

    /// The check-ins of block `i` not said yet, as (active offset, kind), in order.
    fn unsaid_checkins(&self, i: usize) -> impl Iterator<Item = (TimeDelta, CheckInKind)> {
        let run = &self.runs[i];
        let said = run.said;
        schedule::within_block(run.length.num_seconds(), &self.rules.checkins)
            .into_iter()
            .map(|(offset, kind)| (TimeDelta::seconds(offset), kind))
            .filter(move |&(offset, _)| offset > said)
    }

    /// The check-ins of running block `i` that are due by `upto`.
    fn checkins_until(&mut self, i: usize, upto: Instant, moments: &mut Vec<Message>) {
        let since = self.runs[i].since.expect("a working block is running");
        let elapsed = self.active_at(i, upto);
        let due: Vec<_> = self
            .unsaid_checkins(i)
            .take_while(|&(offset, _)| offset <= elapsed)
            .collect();
        for (offset, kind) in due {
            let run = &self.runs[i];
            let at = since + (offset - run.active);
            let block = self.block_info(i, at);
            let left = minutes_up(run.length - offset);
            moments.push(match kind {
                CheckInKind::Middle => Message::Middle {
                    block,
                    elapsed: minutes_down(offset),
                    left,
                },
                CheckInKind::EndWarning => Message::EndWarning { block, left },
            });
            self.runs[i].said = offset;
        }
    }

    /// The earliest instant at which the clock alone changes something.
    fn next_deadline(&self) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut consider = |at: Instant| next = Some(next.map_or(at, |n| n.min(at)));
        match self.phase {
            Phase::Working(i) => {
                let run = &self.runs[i];
                let since = run.since.expect("a working block is running");
                consider(self.end_of(i));
                if let Some((offset, _)) = self.unsaid_checkins(i).next() {
                    consider(since + (offset - run.active));
                }
                if let Some(seen) = self.last_seen.filter(|_| self.rules.time_away_pauses) {
                    consider(seen + HEARTBEAT);
                }
            }
            Phase::Break(i) => consider(self.end_of(i)),
            _ => {}
        }
        let follow_up = minutes(self.rules.checkins.follow_up);
        if let Some(awaiting) = &self.awaiting
            && follow_up > TimeDelta::zero()
            && !awaiting.followed
        {
            consider(awaiting.at + follow_up);
        }
        let long = minutes(self.rules.long_pause_minutes);
        if let Some(pause) = &self.pause
            && long > TimeDelta::zero()
            && !pause.asked
        {
            consider(pause.since + long);
        }
        next
    }

    // ── the person ───────────────────────────────────────────────────────────

    /// Applies one event after the clock has been brought up to `now`. Returns whether the
    /// event was accepted (and so belongs in the journal); a refusal is said instead.
    fn apply(&mut self, event: &Event, now: Instant, said: &mut Vec<Message>) -> bool {
        let accepted = match event {
            Event::Timer { .. } | Event::Tick | Event::Reopen => return false,
            // Leaving outside a block stops nothing, and refuses nothing either.
            Event::Leave => return self.leave(now),
            Event::Start => self.start(now, said),
            Event::Pause { reason } => self.pause(reason.as_ref(), now, said),
            Event::Resume { worked } => self.resume(*worked, now, said),
            Event::Extend { minutes: extra } => match self.extendable() {
                Some(i) if self.extended_length(i, *extra) > minutes(MAX_BLOCK_MINUTES) => {
                    said.push(Message::ExtendLimit {
                        block: self.block_info(i, now),
                        limit: MAX_BLOCK_MINUTES,
                    });
                    return false;
                }
                Some(i) => {
                    self.extend(i, *extra, now);
                    said.push(Message::Extended {
                        block: self.block_info(i, now),
                        minutes: *extra,
                    });
                    true
                }
                None => false,
            },
            Event::Skip => self.skip(now, said),
            Event::Done => self.done(now, said),
            Event::Cancel => self.cancel(now, said),
            Event::Replan => {
                self.is_under_way() && {
                    self.replan(now, said);
                    true
                }
            }
            Event::Park { text } => self.capture(CaptureKind::Distraction, text, None, now, said),
            Event::Insight { text } => self.capture(CaptureKind::Insight, text, None, now, said),
            Event::Decision { text, rationale } => {
                self.capture(CaptureKind::Decision, text, rationale.clone(), now, said)
            }
            Event::Blocker { text } => self.capture(CaptureKind::Blocker, text, None, now, said),
            Event::Coach { .. } | Event::Message { .. } => self.phase != Phase::Closed,
            Event::Reply { text } if matches!(self.phase, Phase::Reflecting(_)) => {
                self.replies.push(Reply {
                    at: now,
                    text: text.clone(),
                    during: self.phase,
                });
                let form = self.reflection.as_mut().expect("a reflection has its form");
                match form.answer(text) {
                    Ok(()) => self.next_question(said),
                    Err(unclear) => said.push(self.question(unclear.question, Some(unclear.hint))),
                }
                true
            }
            Event::Reply { text } => {
                self.phase != Phase::Closed && {
                    self.replies.push(Reply {
                        at: now,
                        text: text.clone(),
                        during: self.phase,
                    });
                    said.push(self.goal_from_reply(text, now).unwrap_or(Message::Noted));
                    true
                }
            }
        };
        if !accepted {
            said.push(Message::Refused {
                command: event.command(),
                phase: self.phase,
            });
        }
        accepted
    }

    /// Between the start and the reflection.
    fn is_under_way(&self) -> bool {
        matches!(
            self.phase,
            Phase::Working(_) | Phase::Paused(_) | Phase::Break(_) | Phase::Waiting(_)
        )
    }

    /// A reply in a work block that has no goal, before its first check-in, answers the block
    /// start's question: it becomes the block's goal.
    fn goal_from_reply(&mut self, text: &str, now: Instant) -> Option<Message> {
        let (Phase::Working(i) | Phase::Paused(i)) = self.phase else {
            return None;
        };
        if !self.awaits_goal(i) {
            return None;
        }
        self.runs[i].goal = Some(text.to_owned());
        Some(Message::GoalSet(self.block_info(i, now)))
    }

    fn start(&mut self, now: Instant, said: &mut Vec<Message>) -> bool {
        match self.phase {
            Phase::Planned => {
                self.started = Some(now);
                self.begin_first(now, said);
                true
            }
            Phase::Waiting(i) => {
                self.begin_work(i, now, false, true, said);
                true
            }
            // Starting during a break ends the break.
            Phase::Break(i) => {
                self.finish_break(i, now, true, said);
                true
            }
            _ => false,
        }
    }

    fn pause(&mut self, reason: Option<&String>, now: Instant, said: &mut Vec<Message>) -> bool {
        let Phase::Working(i) = self.phase else {
            return false;
        };
        self.pause_at(i, now, reason.cloned(), PauseCause::Person);
        said.push(Message::Paused {
            reason: reason.cloned(),
        });
        true
    }

    /// Pauses running block `i` at `at`.
    fn pause_at(&mut self, i: usize, at: Instant, reason: Option<String>, cause: PauseCause) {
        self.stop_running(i, at);
        self.pause = Some(OpenPause {
            since: at,
            reason,
            // Leaving and being away are answered when the person is back, not by a
            // long-pause question.
            asked: cause != PauseCause::Person,
            cause,
        });
        self.phase = Phase::Paused(i);
    }

    /// The person leaves mid-block: the block pauses. Anywhere else there is nothing to stop
    /// (a break runs on by the clock, and so does everything that waits).
    fn leave(&mut self, now: Instant) -> bool {
        let Phase::Working(i) = self.phase else {
            return false;
        };
        self.pause_at(i, now, Some(LEFT_REASON.to_owned()), PauseCause::Left);
        true
    }

    /// Taken up again at `now` after focus was last seen at `last_seen`, longer ago than
    /// [`AWAY_AFTER`]: a block that was running (or that started by itself after a break in
    /// the meantime) is paused where focus stopped seeing it. Returns what the clock said on
    /// the way and the time away.
    fn pause_for_gap(&mut self, now: Instant) -> (Vec<Message>, Option<Away>) {
        let mut moments = Vec::new();
        let Some(seen) = self.last_seen.filter(|_| self.rules.time_away_pauses) else {
            return (moments, None);
        };
        if now - seen <= AWAY_AFTER {
            return (moments, None);
        }
        let mut since = seen;
        loop {
            match self.phase {
                Phase::Working(i) => {
                    self.pause_at(i, since, Some(AWAY_REASON.to_owned()), PauseCause::Away);
                    let away = Away {
                        since,
                        until: now,
                        left: false,
                    };
                    return (moments, Some(away));
                }
                // A break that ended while focus was away may have started a block by
                // itself: that block is paused at its start.
                Phase::Break(i) if self.end_of(i) < now => {
                    since = self.end_of(i);
                    moments.extend(self.advance(since));
                }
                _ => return (moments, None),
            }
        }
    }

    fn resume(&mut self, worked: bool, now: Instant, said: &mut Vec<Message>) -> bool {
        match self.phase {
            Phase::Paused(i) if worked => {
                // The pause never happened: the block has run since it began, and the clock
                // catches up with everything it would have done meanwhile.
                let pause = self.pause.take().expect("a paused block has its pause");
                self.runs[i].since = Some(pause.since);
                self.phase = Phase::Working(i);
                let moments = self.advance(now);
                let block = match self.phase {
                    Phase::Working(b) => Some(self.block_info(b, now)),
                    _ => None,
                };
                said.push(Message::Counted {
                    minutes: minutes_down(now - pause.since),
                    block,
                });
                said_once(moments, said);
                true
            }
            Phase::Paused(i) => {
                let paused = self.close_pause(i, now);
                self.runs[i].since = Some(now);
                self.phase = Phase::Working(i);
                said.push(Message::Unpaused {
                    block: self.block_info(i, now),
                    paused: minutes_down(paused),
                });
                true
            }
            // While waiting for the go, resuming is the go.
            Phase::Waiting(_) => self.start(now, said),
            _ => false,
        }
    }

    fn skip(&mut self, now: Instant, said: &mut Vec<Message>) -> bool {
        match self.phase {
            Phase::Working(i) => self.finish_work(i, now, Outcome::CutShort, said),
            Phase::Paused(i) => {
                self.close_pause(i, now);
                self.finish_work(i, now, Outcome::CutShort, said);
            }
            Phase::Break(i) => self.finish_break(i, now, true, said),
            Phase::Reflecting(_) => {
                if let Some(form) = &mut self.reflection {
                    form.skip();
                }
                self.next_question(said);
            }
            _ => return false,
        }
        true
    }

    fn done(&mut self, now: Instant, said: &mut Vec<Message>) -> bool {
        match self.phase {
            Phase::Planned | Phase::Reflecting(_) => {
                if let Some(form) = &mut self.reflection {
                    form.finish();
                }
                self.phase = Phase::Closed;
                said.push(Message::Closed);
            }
            Phase::Working(_) | Phase::Paused(_) | Phase::Break(_) | Phase::Waiting(_) => {
                self.stop_all(now);
                self.reflect(Why::EndedEarly, now, said);
            }
            Phase::Closed => return false,
        }
        true
    }

    /// Closes the session without a record: whatever runs stops where it is.
    fn cancel(&mut self, now: Instant, said: &mut Vec<Message>) -> bool {
        if self.phase == Phase::Closed {
            return false;
        }
        if !matches!(self.phase, Phase::Reflecting(_)) {
            self.stop_all(now);
            self.ended = Some(now);
        }
        self.waiting_since = None;
        self.phase = Phase::Closed;
        self.cancelled = true;
        said.push(Message::Cancelled {
            focused: minutes_down(self.focused(self.ended.unwrap_or(now))),
        });
        true
    }

    fn capture(
        &mut self,
        kind: CaptureKind,
        text: &str,
        rationale: Option<String>,
        now: Instant,
        said: &mut Vec<Message>,
    ) -> bool {
        if self.phase == Phase::Closed {
            return false;
        }
        let block = match self.phase {
            Phase::Working(i) | Phase::Paused(i) => self.work_number(i),
            _ => None,
        };
        let no_rationale = kind == CaptureKind::Decision && rationale.is_none();
        if kind == CaptureKind::Distraction
            && let Some(form) = &mut self.reflection
            && matches!(self.phase, Phase::Reflecting(_))
        {
            form.add_parked();
        }
        self.captures.push(Capture {
            at: now,
            kind,
            text: text.to_owned(),
            rationale,
            block,
        });
        let count = self.captures.iter().filter(|c| c.kind == kind).count() as u32;
        said.push(Message::Captured {
            kind,
            count,
            no_rationale,
        });
        // In the reflection, the question still waits: ask it again under the note.
        if matches!(self.phase, Phase::Reflecting(_))
            && let Some(question) = self.current_question()
        {
            said.push(question);
        }
        true
    }

    /// The work block an extension applies to: the one running or paused, or the one that has
    /// just ended when only its break (or the wait for the go, or the reflection after the
    /// last block) has followed.
    fn extendable(&self) -> Option<usize> {
        let just_before = |i: usize, began: Option<Instant>| {
            let previous = i.checked_sub(1)?;
            let ended = self.runs[previous].ended;
            (self.is_work(previous) && ended.is_some() && ended == began).then_some(previous)
        };
        match self.phase {
            Phase::Working(i) | Phase::Paused(i) => Some(i),
            Phase::Break(i) => just_before(i, self.runs[i].started),
            Phase::Waiting(i) => just_before(i, self.waiting_since),
            // Once a reflection question has been answered or skipped, the session stays over
            // (an extension would start the reflection afresh and lose those answers).
            Phase::Reflecting(Why::PlanDone)
                if self
                    .reflection
                    .as_ref()
                    .is_none_or(|form| form.turns().is_empty()) =>
            {
                just_before(self.runs.len(), self.ended)
            }
            _ => None,
        }
    }

    /// Block `i`'s length after adding `extra` minutes. A block that has ended (perhaps cut
    /// short) grows from what was done, not from its unworked rest.
    fn extended_length(&self, i: usize, extra: u32) -> TimeDelta {
        let run = &self.runs[i];
        let base = if run.ended.is_some() {
            run.active
        } else {
            run.length
        };
        base + minutes(extra)
    }

    /// Adds minutes to block `i`, reopening it if it had just ended.
    fn extend(&mut self, i: usize, extra: u32, now: Instant) {
        let length = self.extended_length(i, extra);
        if let Phase::Break(b) = self.phase {
            // The break has not really happened yet: it starts afresh after the extension.
            let run = &mut self.runs[b];
            run.since = None;
            run.started = None;
            run.active = TimeDelta::zero();
        }
        if !matches!(self.phase, Phase::Working(_) | Phase::Paused(_)) {
            let run = &mut self.runs[i];
            run.ended = None;
            run.outcome = None;
            run.since = Some(now);
            self.phase = Phase::Working(i);
            self.waiting_since = None;
            self.ended = None;
            // The reflection starts afresh when the session ends again.
            self.reflection = None;
        }
        let done = self.active_at(i, now);
        let run = &mut self.runs[i];
        run.length = length;
        run.extended += extra;
        // The check-ins move with the new length; those now in the past are not said late.
        run.said = run.said.max(done);
    }

    /// Fits what is left of the plan into the time planned for it (its length from the actual
    /// start, extensions included), after a pause or a wait has pushed the end out. Ends the
    /// session when under 5 minutes remain.
    fn replan(&mut self, now: Instant, said: &mut Vec<Message>) {
        let extended: u32 = self.runs.iter().map(|r| r.extended).sum();
        let target =
            self.started.unwrap_or(now) + minutes(self.plan.total_minutes) + minutes(extended);
        let (current, first_later) = match self.phase {
            Phase::Working(i) | Phase::Paused(i) | Phase::Break(i) => (Some(i), i + 1),
            Phase::Waiting(i) => (None, i),
            _ => unreachable!("replan is refused in other phases"),
        };
        let current_left = current.map_or(TimeDelta::zero(), |i| {
            self.runs[i].length - self.active_at(i, now)
        });
        let later: TimeDelta = self.runs[first_later..].iter().map(|r| r.length).sum();
        let needed = current_left + later;
        let available = target - now;
        if available < TimeDelta::minutes(5) {
            self.stop_all(now);
            self.reflect(Why::NoTimeLeft, now, said);
            return;
        }
        let shortened = needed > available;
        if shortened {
            let factor = available.num_milliseconds() as f64 / needed.num_milliseconds() as f64;
            let scale = |d: TimeDelta| {
                TimeDelta::seconds(((d.num_seconds() as f64 * factor) as i64).max(60))
            };
            if let Some(i) = current {
                let done = self.active_at(i, now);
                let run = &mut self.runs[i];
                run.length = done + scale(current_left);
                run.said = run.said.max(done);
            }
            for run in &mut self.runs[first_later..] {
                run.length = scale(run.length);
            }
        }
        let resumed = if let Phase::Paused(i) = self.phase {
            self.close_pause(i, now);
            self.runs[i].since = Some(now);
            self.phase = Phase::Working(i);
            true
        } else {
            false
        };
        said.push(Message::Replanned {
            shortened,
            resumed,
            ends: self.projected_end(now),
            planned_end: target,
        });
    }

    /// Takes the session up again in a new process, after the clock has brought it up to
    /// `now`. A session left paused or waiting for the go goes on to the reflection when it
    /// would have ended by now (`over_at`) had it gone on when it was last seen.
    fn reopen(
        &mut self,
        now: Instant,
        over_at: Instant,
        gap: Option<Away>,
        said: &mut Vec<Message>,
    ) -> bool {
        match self.phase {
            Phase::Closed => {
                said.push(Message::Refused {
                    command: Event::Reopen.command(),
                    phase: self.phase,
                });
                false
            }
            // A block that waited for the go past the session's end: the session is over.
            // (A paused block waits for the person, however long: they say how to go on;
            // before the rules said so, it too went to the reflection.)
            Phase::Waiting(_) | Phase::Paused(_)
                if now >= over_at
                    && (matches!(self.phase, Phase::Waiting(_))
                        || !self.rules.time_away_pauses) =>
            {
                let stopped = match self.phase {
                    Phase::Paused(_) => self.pause.as_ref().map(|p| p.since),
                    _ => self.waiting_since,
                }
                .unwrap_or(now);
                self.stop_all(stopped);
                // What passed meanwhile matters less than the session being over.
                said.clear();
                self.reflect(Why::TimeOver, stopped, said);
                true
            }
            // The clock already took it to the reflection; that is the news.
            Phase::Reflecting(_) if !said.is_empty() => true,
            _ => {
                let away = gap.or_else(|| {
                    let pause = self.pause.as_ref()?;
                    (pause.cause == PauseCause::Left).then_some(Away {
                        since: pause.since,
                        until: now,
                        left: true,
                    })
                });
                said.push(Message::Back {
                    status: Box::new(self.status(now)),
                    away,
                });
                true
            }
        }
    }

    // ── transitions ──────────────────────────────────────────────────────────

    fn begin_first(&mut self, now: Instant, said: &mut Vec<Message>) {
        match self.runs.first() {
            None => self.reflect(Why::PlanDone, now, said),
            Some(_) if self.is_work(0) => self.begin_work(0, now, false, true, said),
            Some(_) => self.begin_break(0, now),
        }
    }

    /// Starts work block `i` at `at`. `by_person` is the go (an acknowledgement is due).
    fn begin_work(
        &mut self,
        i: usize,
        at: Instant,
        after_break: bool,
        by_person: bool,
        said: &mut Vec<Message>,
    ) {
        let run = &mut self.runs[i];
        run.started = Some(at);
        run.since = Some(at);
        self.phase = Phase::Working(i);
        self.waiting_since = None;
        let block = self.block_info(i, at);
        if self.rules.checkins.block_start {
            said.push(Message::BlockStart(block));
        } else if by_person {
            said.push(Message::Started(block));
        } else if after_break {
            said.push(Message::BreakEnd {
                next: block,
                started: true,
            });
        }
    }

    fn begin_break(&mut self, i: usize, at: Instant) {
        let run = &mut self.runs[i];
        run.started = Some(at);
        run.since = Some(at);
        self.phase = Phase::Break(i);
    }

    fn wait_for_go(&mut self, i: usize, at: Instant) {
        self.phase = Phase::Waiting(i);
        self.waiting_since = Some(at);
    }

    /// Work block `i` ends at `at`; whatever follows begins.
    fn finish_work(&mut self, i: usize, at: Instant, outcome: Outcome, said: &mut Vec<Message>) {
        self.stop_running(i, at);
        let run = &mut self.runs[i];
        run.ended = Some(at);
        run.outcome = Some(outcome);
        let block = self.block_info(i, at);
        let Some(next) = self.following(i) else {
            let why = match outcome {
                Outcome::Completed => Why::PlanDone,
                Outcome::CutShort => Why::EndedEarly,
            };
            return self.reflect(why, at, said);
        };
        let next = if !self.is_work(next) {
            self.begin_break(next, at);
            Next::Break(self.break_info(next))
        } else if self.rules.auto_start_work {
            let mut quiet = Vec::new();
            self.begin_work(next, at, false, false, &mut quiet);
            Next::Started(self.block_info(next, at))
        } else {
            self.wait_for_go(next, at);
            Next::Waiting(self.block_info(next, at))
        };
        said.push(Message::BlockEnd { block, next });
    }

    /// Break `i` ends at `at`. `go` means the person ended it, which is also the go for the
    /// next block.
    fn finish_break(&mut self, i: usize, at: Instant, go: bool, said: &mut Vec<Message>) {
        let outcome = if go {
            Outcome::CutShort
        } else {
            Outcome::Completed
        };
        self.stop_running(i, at);
        let run = &mut self.runs[i];
        run.ended = Some(at);
        run.outcome = Some(outcome);
        match self.following(i) {
            None if go => self.reflect(Why::EndedEarly, at, said),
            None => self.reflect(Why::PlanDone, at, said),
            Some(next) if !self.is_work(next) => self.begin_break(next, at),
            Some(next) if go || self.rules.auto_start_work => {
                self.begin_work(next, at, true, go, said);
            }
            Some(next) => {
                self.wait_for_go(next, at);
                said.push(Message::BreakEnd {
                    next: self.block_info(next, at),
                    started: false,
                });
            }
        }
    }

    fn reflect(&mut self, why: Why, at: Instant, said: &mut Vec<Message>) {
        self.phase = Phase::Reflecting(why);
        self.ended = Some(at);
        self.waiting_since = None;
        self.reflection = Some(Form::new(self.criteria().len(), self.parked().count()));
        self.why = Some(why);
        said.push(Message::Reflect {
            why,
            focused: minutes_down(self.focused(at)),
            planned: self.planned_focus(),
            blocks_done: self.work_blocks(Outcome::Completed),
            cut_short: self.work_blocks(Outcome::CutShort),
            blocks: self.work_count(),
        });
    }

    /// The reflection question waiting for an answer, as said.
    pub fn current_question(&self) -> Option<Message> {
        let question = self.reflection.as_ref().and_then(Form::current)?;
        Some(self.question(question, None))
    }

    /// Asks the reflection's next question, or closes the session when none is left.
    fn next_question(&mut self, said: &mut Vec<Message>) {
        if let Some(question) = self.current_question() {
            said.push(question);
        } else {
            self.phase = Phase::Closed;
            said.push(Message::Closed);
        }
    }

    /// A reflection question with what its wording needs.
    fn question(&self, question: Question, retry: Option<&'static str>) -> Message {
        let item = match question {
            Question::Parked(n) => self.parked().nth(n).map(str::to_owned),
            _ => None,
        };
        Message::Question {
            question,
            criteria: self.criteria(),
            parked: self.parked().count() as u32,
            item,
            retry,
        }
    }

    /// Stops whatever runs at `at`: the block (cut short), its open pause, the break.
    fn stop_all(&mut self, at: Instant) {
        match self.phase {
            Phase::Working(i) | Phase::Break(i) => {
                self.stop_running(i, at);
                let run = &mut self.runs[i];
                run.ended = Some(at);
                run.outcome = Some(Outcome::CutShort);
            }
            Phase::Paused(i) => {
                self.close_pause(i, at);
                let run = &mut self.runs[i];
                run.ended = Some(at);
                run.outcome = Some(Outcome::CutShort);
            }
            _ => {}
        }
    }

    fn stop_running(&mut self, i: usize, at: Instant) {
        let run = &mut self.runs[i];
        if let Some(since) = run.since.take() {
            run.active += at - since;
        }
    }

    /// Ends the open pause at `at` and records it. Returns how long it lasted.
    fn close_pause(&mut self, i: usize, at: Instant) -> TimeDelta {
        let Some(pause) = self.pause.take() else {
            return TimeDelta::zero();
        };
        self.pauses.push(PauseRecord {
            block: self.work_number(i).unwrap_or(0),
            from: pause.since,
            to: at,
            reason: pause.reason,
        });
        at - pause.since
    }

    // ── derived figures ──────────────────────────────────────────────────────

    fn is_work(&self, i: usize) -> bool {
        self.plan.blocks[i].is_work()
    }

    fn following(&self, i: usize) -> Option<usize> {
        (i + 1 < self.runs.len()).then_some(i + 1)
    }

    fn work_number(&self, i: usize) -> Option<u32> {
        match self.plan.blocks[i].kind {
            BlockKind::Work { number, .. } => Some(number),
            BlockKind::Break { .. } => None,
        }
    }

    fn work_count(&self) -> u32 {
        self.plan.work_blocks().count() as u32
    }

    /// Work blocks that ended this way.
    fn work_blocks(&self, outcome: Outcome) -> u32 {
        (0..self.runs.len())
            .filter(|&i| self.is_work(i) && self.runs[i].outcome == Some(outcome))
            .count() as u32
    }

    /// Planned focus minutes, extensions and replanning included.
    fn planned_focus(&self) -> u32 {
        let total: TimeDelta = (0..self.runs.len())
            .filter(|&i| self.is_work(i))
            .map(|i| self.runs[i].length)
            .sum();
        minutes_down(total)
    }

    /// Focused time over all work blocks at `now`.
    fn focused(&self, now: Instant) -> TimeDelta {
        (0..self.runs.len())
            .filter(|&i| self.is_work(i))
            .map(|i| self.active_at(i, now).min(self.runs[i].length))
            .sum()
    }

    /// Time block `i` has run by `at`.
    fn active_at(&self, i: usize, at: Instant) -> TimeDelta {
        let run = &self.runs[i];
        run.active + run.since.map_or(TimeDelta::zero(), |since| at - since)
    }

    /// When running block `i` ends.
    fn end_of(&self, i: usize) -> Instant {
        let run = &self.runs[i];
        run.since.expect("the block is running") + (run.length - run.active)
    }

    /// When the session ends if nothing else changes, seen from `at`.
    fn projected_end(&self, at: Instant) -> Instant {
        let after = |i: usize| -> TimeDelta { self.runs[i..].iter().map(|r| r.length).sum() };
        match self.phase {
            Phase::Planned => at + after(0),
            Phase::Working(i) | Phase::Break(i) => self.end_of(i) + after(i + 1),
            Phase::Paused(i) => {
                let run = &self.runs[i];
                at + (run.length - run.active) + after(i + 1)
            }
            Phase::Waiting(i) => at + after(i),
            Phase::Reflecting(_) | Phase::Closed => self.ended.unwrap_or(at),
        }
    }

    fn block_info(&self, i: usize, at: Instant) -> BlockInfo {
        let run = &self.runs[i];
        let (number, goal, label) = match &self.plan.blocks[i].kind {
            BlockKind::Work {
                number,
                goal,
                label,
            } => (
                *number,
                goal.clone().or_else(|| run.goal.clone()),
                label.clone(),
            ),
            BlockKind::Break { .. } => (0, None, None),
        };
        let ends = match (run.ended, run.since) {
            (Some(ended), _) => ended,
            (None, Some(since)) => since + (run.length - run.active),
            (None, None) => at + (run.length - run.active),
        };
        BlockInfo {
            number,
            of: self.work_count(),
            goal,
            session_goal: self.plan.goal.clone(),
            label,
            minutes: minutes_up(run.length),
            ends,
        }
    }

    fn break_info(&self, i: usize) -> BreakInfo {
        let run = &self.runs[i];
        let (long, suggestion) = match &self.plan.blocks[i].kind {
            BlockKind::Break { long, suggestion } => (*long, suggestion.clone()),
            BlockKind::Work { .. } => (false, String::new()),
        };
        BreakInfo {
            minutes: minutes_up(run.length),
            long,
            suggestion,
            ends: run
                .since
                .map_or_else(|| self.plan.end, |since| since + (run.length - run.active)),
        }
    }
}

/// Moments the clock passed, said as one: the latest stands for those before it.
fn said_once(mut moments: Vec<Message>, said: &mut Vec<Message>) {
    if moments.len() > 1 {
        let latest = moments.pop().expect("more than one");
        said.push(Message::CaughtUp {
            missed: moments.len() as u32,
            latest: Box::new(latest),
        });
    } else {
        said.append(&mut moments);
    }
}

fn minutes(n: u32) -> TimeDelta {
    TimeDelta::minutes(i64::from(n))
}

/// Whole minutes, rounded up (what is left).
fn minutes_up(d: TimeDelta) -> u32 {
    ((d.num_milliseconds().max(0) + 59_999) / 60_000) as u32
}

/// Whole minutes, rounded down (what is done).
fn minutes_down(d: TimeDelta) -> u32 {
    (d.num_milliseconds().max(0) / 60_000) as u32
}
