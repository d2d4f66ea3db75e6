//! The planner: a task, a length of time and a method become blocks with clock times, goals
//! and real breaks.
//!
//! Invariants of every [`Plan`] it returns:
//! - the blocks are contiguous, start at `start`, end at `end`, and their minutes add up to
//!   `total_minutes` exactly (so fitting to an end time ends on that time);
//! - the first block is work and no two breaks follow each other;
//! - every work block has a number and a goal or an explicit "not set yet" (`goal: None`);
//!   every break has something to do in it.
//!
//! How blocks are sized: each method has a target work length and a break length. The planner
//! tries every number of blocks (and, for the cyclic methods, a closing break or not) and keeps
//! the layout whose work blocks come closest to the target, so 90 minutes of pomodoro is three
//! 25/5 cycles and 2 hours of deep work is two 55-minute blocks around a 10-minute break.

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use serde::{Deserialize, Serialize};

use super::duration::{MAX_MINUTES, format_minutes};
use super::goal::{self, NO_GOAL_NUDGE};
use super::method::{Method, Rhythm, Rhythms};
use super::stack::{self, StackError, Step};
use crate::text;

/// The version of the plan's JSON shape (documented in the README).
pub const PLAN_SCHEMA: u32 = 1;

/// A session longer than this is better split (the workflow's 3-hour rule).
pub const SPLIT_OVER_MINUTES: u32 = 180;

/// Deep work up to this long needs no break.
const DEEP_SINGLE_BLOCK_UP_TO: u32 = 90;

/// The shortest work block the planner makes when it divides time.
const MIN_WORK_BLOCK: u32 = 5;

/// What the person asked for, already parsed. Text fields may hold anything a person (or a
/// model) typed: the planner tidies them.
///
/// `start` carries its time zone, so block times stay right across a daylight-saving change;
/// the plan records every instant with its own offset.
#[derive(Debug, Clone)]
pub struct PlanRequest<Tz: TimeZone = FixedOffset> {
    pub task: String,
    pub goal: Option<String>,
    /// Goals for the work blocks in order (`--goals "a; b; c"`); an empty one is "not set".
    pub block_goals: Vec<String>,
    pub method: Method,
    /// The session's length; may be `None` when a stack gives it.
    pub minutes: Option<u32>,
    /// How many work blocks ("3 pomodoros"); `None` lets the planner choose.
    pub blocks: Option<u32>,
    pub stack: Option<Vec<Step>>,
    /// `--work` and `--break`, for the cyclic methods.
    pub work: Option<u32>,
    pub break_minutes: Option<u32>,
    pub start: DateTime<Tz>,
}

/// Why a request cannot be planned. Each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the task is empty; say what you will work on, e.g. \"write the report introduction\"")]
    EmptyTask,
    #[error("how long is the session? add --for 50m or --until 16:00")]
    NoLength,
    #[error("a stacked session needs its chain: --stack \"research 10, break 5, write 15\"")]
    NoStack,
    #[error("--stack makes a stacked session; drop --method {0} or drop --stack")]
    StackWithMethod(Method),
    #[error(
        "the stack adds up to {stack} but the session is {asked}; drop --for/--until or change the stack"
    )]
    StackLength { stack: String, asked: String },
    #[error(
        "a work and break rhythm (50/10, --work, --break) is for pomodoro, micro or custom sessions, not {0}; drop the rhythm or the method"
    )]
    RhythmWithMethod(Method),
    #[error(
        "{goals} goals for {} work block{}; give at most {blocks} with --goals, or plan more time",
        blocks, if *blocks == 1 { "" } else { "s" }
    )]
    TooManyGoals { goals: usize, blocks: usize },
    #[error(
        "{blocks} work blocks of 5 minutes or more do not fit in {total} with their breaks; ask for fewer blocks or more time"
    )]
    TooManyBlocks { blocks: u32, total: String },
    #[error("a chain sets its own blocks; drop the count or the chain")]
    CountWithStack,
    #[error("a session lasts 1 minute to 12 hours, not {0} minutes")]
    Length(u32),
    #[error("{what} lasts 1 minute to 12 hours, not {minutes} minutes")]
    RhythmLength { what: &'static str, minutes: u32 },
    #[error(transparent)]
    Stack(#[from] StackError),
}

/// A planned session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub schema: u32,
    pub task: String,
    pub goal: Option<String>,
    /// The method the blocks follow (never `auto`).
    pub method: Method,
    /// True when the method was chosen by `auto`.
    pub auto: bool,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub total_minutes: u32,
    pub focus_minutes: u32,
    pub break_minutes: u32,
    pub blocks: Vec<Block>,
    /// The environment checklist to go through before starting.
    pub checklist: Vec<String>,
    /// Suggestions about the plan: vague goals, a session worth splitting, adjusted lengths.
    pub notes: Vec<Note>,
    /// For sessions over three hours, the proposed lengths of separate sessions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split: Vec<u32>,
}

impl Plan {
    pub fn work_blocks(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(|b| b.is_work())
    }
}

/// One block of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub minutes: u32,
    #[serde(flatten)]
    pub kind: BlockKind,
}

impl Block {
    pub fn is_work(&self) -> bool {
        matches!(self.kind, BlockKind::Work { .. })
    }
}

/// What a block is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockKind {
    Work {
        /// 1 for the first work block.
        number: u32,
        /// What this block should produce; `None` is "goal: not set yet".
        goal: Option<String>,
        /// The step's name in a stacked session ("research").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    Break {
        long: bool,
        /// Something restful to do.
        suggestion: String,
    },
}

/// A suggestion printed under the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub kind: NoteKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    VagueTask,
    VagueGoal,
    NoGoal,
    Split,
    Adjusted,
    NoBreak,
}

/// Plans a session. Pure: the same request always gives the same plan.
pub fn plan<Tz: TimeZone>(request: &PlanRequest<Tz>, rhythms: &Rhythms) -> Result<Plan, PlanError> {
    let task = tidy(&request.task);
    if task.is_empty() {
        return Err(PlanError::EmptyTask);
    }
    check(request)?;
    let Layout {
        method,
        total,
        segments,
        target,
        range,
    } = layout(request, rhythms)?;
    let goal = request.goal.as_deref().map(tidy).filter(|g| !g.is_empty());

    let work_count = segments
        .iter()
        .filter(|s| matches!(s, Segment::Work { .. }))
        .count();
    // Positions matter ("intro;;conclusion" leaves block 2 open); trailing blanks do not.
    let mut block_goals: Vec<Option<String>> = request
        .block_goals
        .iter()
        .map(|g| Some(tidy(g)).filter(|g| !g.is_empty()))
        .collect();
    while block_goals.last().is_some_and(Option::is_none) {
        block_goals.pop();
    }
    if block_goals.len() > work_count {
        return Err(PlanError::TooManyGoals {
            goals: block_goals.len(),
            blocks: work_count,
        });
    }

    let blocks = place(&request.start, &segments, |number| {
        match block_goals.get(number as usize - 1) {
            Some(g) => g.clone(),
            None if block_goals.is_empty() && work_count == 1 => goal.clone(),
            None => None,
        }
    });
    let focus_minutes = blocks
        .iter()
        .filter(|b| b.is_work())
        .map(|b| b.minutes)
        .sum();
    let start = request.start.fixed_offset();
    let end = at_offset(&request.start, total);

    let mut notes = goal_notes(&task, goal.as_deref(), &block_goals, work_count);
    notes.extend(target.and_then(|target| adjusted_note(method, target, total, &blocks)));
    let counted = request.blocks.is_some();
    notes.extend(range.and_then(|range| range_note(method, range, total, &blocks, counted)));
    notes.extend(no_break_note(&blocks));
    let split = split_lengths(total);
    if !split.is_empty() {
        notes.push(Note {
            kind: NoteKind::Split,
            message: split_message(total, &split),
        });
    }

    Ok(Plan {
        schema: PLAN_SCHEMA,
        task,
        goal,
        method,
        auto: request.method == Method::Auto && request.stack.is_none(),
        start,
        end,
        total_minutes: total,
        focus_minutes,
        break_minutes: total - focus_minutes,
        checklist: checklist(total, end),
        blocks,
        notes,
        split,
    })
}

/// Rejects lengths no plan can have, whoever built the request.
fn check<Tz: TimeZone>(request: &PlanRequest<Tz>) -> Result<(), PlanError> {
    let in_range = |m: u32| (1..=MAX_MINUTES).contains(&m);
    if let Some(minutes) = request.minutes.filter(|m| !in_range(*m)) {
        return Err(PlanError::Length(minutes));
    }
    for (what, value) in [
        ("a work block", request.work),
        ("a break", request.break_minutes),
    ] {
        if let Some(minutes) = value.filter(|m| !in_range(*m)) {
            return Err(PlanError::RhythmLength { what, minutes });
        }
    }
    if let Some(steps) = &request.stack {
        stack::check(steps)?;
    }
    Ok(())
}

/// One line of plain text: line breaks, tabs and runs of spaces become one space; control
/// characters (terminal escapes among them) and bidirectional overrides are dropped, so what
/// a person typed can be printed to a terminal or a calendar as it is.
pub fn tidy(raw: &str) -> String {
    let invisible = |c: char| c.is_control() || text::is_bidi_control(c);
    text::strip_escapes(raw)
        .split(|c: char| c.is_whitespace() || invisible(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The instant `minutes` after `start`, with the offset in force then.
fn at_offset<Tz: TimeZone>(start: &DateTime<Tz>, minutes: u32) -> DateTime<FixedOffset> {
    (start.clone() + Duration::minutes(i64::from(minutes))).fixed_offset()
}

/// What auto picks for a length: micro-sessions under 25 minutes, pomodoros up to an hour and
/// a half, deep work beyond.
pub fn auto_method(minutes: u32) -> Method {
    match minutes {
        0..25 => Method::Micro,
        25..=90 => Method::Pomodoro,
        _ => Method::Deep,
    }
}

/// A block before it has clock times.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Work { minutes: u32, label: Option<String> },
    Break { minutes: u32, long: bool },
}

impl Segment {
    fn minutes(&self) -> u32 {
        match self {
            Segment::Work { minutes, .. } | Segment::Break { minutes, .. } => *minutes,
        }
    }
}

/// The rhythm a fitted layout follows.
#[derive(Debug, Clone, Copy)]
struct Cycle {
    work: u32,
    break_minutes: u32,
    /// (length, every n-th break)
    long_break: Option<(u32, u32)>,
    /// Whether the session may close with a break (the cyclic methods: work, break, repeat).
    closing_break: bool,
}

impl Cycle {
    fn break_after(&self, nth: u32) -> (u32, bool) {
        match self.long_break {
            Some((minutes, every)) if nth.is_multiple_of(every) => (minutes, true),
            _ => (self.break_minutes, false),
        }
    }
}

/// The blocks before clock times, and how they came about.
struct Layout {
    method: Method,
    total: u32,
    segments: Vec<Segment>,
    /// For the cyclic methods, the work length the blocks were fitted to.
    target: Option<u32>,
    /// For deep work, the block lengths the method promises (shortest, longest).
    range: Option<(u32, u32)>,
}

fn layout<Tz: TimeZone>(request: &PlanRequest<Tz>, rhythms: &Rhythms) -> Result<Layout, PlanError> {
    let rhythm_given = request.work.is_some() || request.break_minutes.is_some();
    if let Some(steps) = &request.stack {
        if request.blocks.is_some() {
            return Err(PlanError::CountWithStack);
        }
        if !matches!(request.method, Method::Auto | Method::Stacked) {
            return Err(PlanError::StackWithMethod(request.method));
        }
        if rhythm_given {
            return Err(PlanError::RhythmWithMethod(Method::Stacked));
        }
        let stack_total: u32 = steps.iter().map(Step::minutes).sum();
        if let Some(asked) = request.minutes
            && asked != stack_total
        {
            return Err(PlanError::StackLength {
                stack: format_minutes(stack_total),
                asked: format_minutes(asked),
            });
        }
        let segments = steps
            .iter()
            .map(|step| match step {
                Step::Work { label, minutes } => Segment::Work {
                    minutes: *minutes,
                    label: Some(tidy(label)).filter(|l| !l.is_empty()),
                },
                Step::Break { minutes, long } => Segment::Break {
                    minutes: *minutes,
                    long: *long,
                },
            })
            .collect();
        return Ok(Layout {
            method: Method::Stacked,
            total: stack_total,
            segments,
            target: None,
            range: None,
        });
    }

    let total = request.minutes.ok_or(PlanError::NoLength)?;
    let method = match request.method {
        Method::Stacked => return Err(PlanError::NoStack),
        Method::Auto if rhythm_given => Method::Custom,
        Method::Auto => auto_method(total),
        other => other,
    };
    let (base, long_break) = match method {
        Method::Pomodoro => {
            let p = rhythms.pomodoro;
            let base = Rhythm {
                work: p.work,
                break_minutes: p.break_minutes,
            };
            (base, Some((p.long_break, p.long_break_every)))
        }
        Method::Micro => (rhythms.micro, None),
        Method::Custom => (rhythms.custom, None),
        Method::Deep if rhythm_given => return Err(PlanError::RhythmWithMethod(Method::Deep)),
        Method::Deep => {
            let (segments, range) = match request.blocks {
                Some(blocks) => {
                    let (cycle, range) = counted_deep(total, blocks, rhythms);
                    (counted(total, blocks, cycle)?, Some(range))
                }
                None => (deep(total, rhythms), deep_range(total, rhythms)),
            };
            return Ok(Layout {
                method,
                total,
                segments,
                target: None,
                range,
            });
        }
        Method::Auto | Method::Stacked => unreachable!("resolved above"),
    };
    let cycle = Cycle {
        work: request.work.unwrap_or(base.work),
        break_minutes: request.break_minutes.unwrap_or(base.break_minutes),
        long_break,
        closing_break: true,
    };
    let segments = match request.blocks {
        Some(blocks) => counted(total, blocks, cycle)?,
        None => fit(total, cycle),
    };
    Ok(Layout {
        method,
        total,
        segments,
        target: Some(cycle.work),
        range: None,
    })
}

/// The block lengths deep work promises for a session of `total` minutes: 50–60 minutes up to
/// three hours, 90–120 beyond (widened to take in a configured length outside them); none for a
/// session short enough to be one block.
fn deep_range(total: u32, rhythms: &Rhythms) -> Option<(u32, u32)> {
    if total <= DEEP_SINGLE_BLOCK_UP_TO {
        return None;
    }
    let d = rhythms.deep;
    Some(if total <= SPLIT_OVER_MINUTES {
        (d.short_work.min(50), d.short_work.max(60))
    } else {
        (d.long_work.min(90), d.long_work.max(120))
    })
}

fn deep(total: u32, rhythms: &Rhythms) -> Vec<Segment> {
    if total <= DEEP_SINGLE_BLOCK_UP_TO {
        return vec![Segment::Work {
            minutes: total,
            label: None,
        }];
    }
    fit(total, deep_cycle(total, rhythms))
}

/// Deep work's rhythm for a session of `total` minutes: short blocks up to three hours, long
/// ones beyond; it never closes on a break.
fn deep_cycle(total: u32, rhythms: &Rhythms) -> Cycle {
    let d = rhythms.deep;
    let (work, break_minutes) = if total <= SPLIT_OVER_MINUTES {
        (d.short_work, d.short_break)
    } else {
        (d.long_work, d.long_break)
    };
    Cycle {
        work,
        break_minutes,
        long_break: None,
        closing_break: false,
    }
}

/// Deep work's rhythm for `blocks` counted blocks in `total` minutes, and the block lengths
/// it promises: the short one or the long one, whichever's work length is nearer each block's
/// share ("4 deep work sessions" are 55-minute blocks, though they take over three hours).
fn counted_deep(total: u32, blocks: u32, rhythms: &Rhythms) -> (Cycle, (u32, u32)) {
    let d = rhythms.deep;
    let share = total / blocks.max(1);
    let (work, break_minutes, range) =
        if share.abs_diff(d.short_work) <= share.abs_diff(d.long_work) {
            let range = (d.short_work.min(50), d.short_work.max(60));
            (d.short_work, d.short_break, range)
        } else {
            let range = (d.long_work.min(90), d.long_work.max(120));
            (d.long_work, d.long_break, range)
        };
    let cycle = Cycle {
        work,
        break_minutes,
        long_break: None,
        closing_break: false,
    };
    (cycle, range)
}

/// Exactly `blocks` work blocks with the cycle's breaks between them (none after the last),
/// sharing what the breaks leave of `total` as evenly as whole minutes allow.
fn counted(total: u32, blocks: u32, cycle: Cycle) -> Result<Vec<Segment>, PlanError> {
    let too_many = || PlanError::TooManyBlocks {
        blocks,
        total: format_minutes(total),
    };
    if blocks > total {
        return Err(too_many());
    }
    let breaks: u32 = (1..blocks).map(|nth| cycle.break_after(nth).0).sum();
    let work_total = total.checked_sub(breaks).ok_or_else(too_many)?;
    if blocks == 0
        || work_total == 0
        || (blocks > 1 && work_total < blocks.saturating_mul(MIN_WORK_BLOCK))
    {
        return Err(too_many());
    }
    let (base, extra) = (work_total / blocks, work_total % blocks);
    let mut segments = Vec::new();
    for i in 1..=blocks {
        segments.push(Segment::Work {
            minutes: base + u32::from(i <= extra),
            label: None,
        });
        if i < blocks {
            let (minutes, long) = cycle.break_after(i);
            segments.push(Segment::Break { minutes, long });
        }
    }
    Ok(segments)
}

/// Divides `total` minutes into work blocks and breaks that follow `cycle` as closely as the
/// time allows: the layout whose average work block is nearest the target wins, the earlier
/// (fewer blocks, no closing break) on a tie.
fn fit(total: u32, cycle: Cycle) -> Vec<Segment> {
    let target = f64::from(cycle.work);
    // (cost, work blocks, breaks, minutes of work)
    let mut best: Option<(f64, u32, u32, u32)> = None;
    for blocks in 1..=total.max(1) {
        if blocks > 1 && blocks * MIN_WORK_BLOCK > total {
            break;
        }
        for closing in [false, true] {
            if closing && !cycle.closing_break {
                continue;
            }
            let breaks = if closing { blocks } else { blocks - 1 };
            let break_total: u32 = (1..=breaks).map(|nth| cycle.break_after(nth).0).sum();
            let Some(work_total) = total.checked_sub(break_total) else {
                continue;
            };
            if work_total < blocks * MIN_WORK_BLOCK.min(total) {
                continue;
            }
            let cost = (f64::from(work_total) / f64::from(blocks) - target).abs();
            if best.is_none_or(|(best_cost, ..)| cost < best_cost - 1e-9) {
                best = Some((cost, blocks, breaks, work_total));
            }
        }
    }
    let (_, blocks, breaks, work_total) = best.unwrap_or((0.0, 1, 0, total));
    let (base, extra) = (work_total / blocks, work_total % blocks);

    let mut segments = Vec::new();
    for i in 1..=blocks {
        segments.push(Segment::Work {
            minutes: base + u32::from(i <= extra),
            label: None,
        });
        if i <= breaks {
            let (minutes, long) = cycle.break_after(i);
            segments.push(Segment::Break { minutes, long });
        }
    }
    segments
}

const BREAK_IDEAS: [&str; 4] = [
    "stand up and stretch",
    "refill your water",
    "rest your eyes: look at something far away",
    "walk around the room",
];
const LONG_BREAK_IDEA: &str = "step outside for a short walk, or have a snack";
const CLOSING_BREAK_IDEA: &str = "look back over what you did and note the next step";

/// Gives segments clock times, numbers, goals and break suggestions.
fn place<Tz: TimeZone>(
    start: &DateTime<Tz>,
    segments: &[Segment],
    goal_for: impl Fn(u32) -> Option<String>,
) -> Vec<Block> {
    let mut elapsed = 0;
    let mut number = 0;
    let mut breaks = 0;
    let last = segments.len().saturating_sub(1);
    segments
        .iter()
        .enumerate()
        .map(|(i, segment)| {
            let minutes = segment.minutes();
            let kind = match segment {
                Segment::Work { label, .. } => {
                    number += 1;
                    BlockKind::Work {
                        number,
                        goal: goal_for(number),
                        label: label.clone(),
                    }
                }
                Segment::Break { long, .. } => {
                    breaks += 1;
                    let suggestion = if i == last {
                        CLOSING_BREAK_IDEA
                    } else if *long {
                        LONG_BREAK_IDEA
                    } else {
                        BREAK_IDEAS[(breaks - 1) % BREAK_IDEAS.len()]
                    };
                    BlockKind::Break {
                        long: *long,
                        suggestion: suggestion.to_owned(),
                    }
                }
            };
            let block = Block {
                start: at_offset(start, elapsed),
                end: at_offset(start, elapsed + minutes),
                minutes,
                kind,
            };
            elapsed += minutes;
            block
        })
        .collect()
}

/// The plan with the session's goal set (or cleared) and nothing else changed: its blocks
/// stand, and the nudges about goals are made again. A one-block plan's block takes the goal
/// too when it had none or had the session's old one.
pub fn set_goal(plan: &mut Plan, goal: Option<&str>) {
    let old = std::mem::replace(&mut plan.goal, goal.map(tidy).filter(|g| !g.is_empty()));
    let work_count = plan.work_blocks().count();
    if work_count == 1
        && let Some(BlockKind::Work { goal, .. }) = plan
            .blocks
            .iter_mut()
            .map(|b| &mut b.kind)
            .find(|k| matches!(k, BlockKind::Work { .. }))
        && (goal.is_none() || *goal == old)
    {
        goal.clone_from(&plan.goal);
    }
    let block_goals: Vec<Option<String>> = plan
        .work_blocks()
        .map(|b| match &b.kind {
            BlockKind::Work { goal, .. } => goal.clone(),
            BlockKind::Break { .. } => None,
        })
        .collect();
    plan.notes.retain(|n| {
        !matches!(
            n.kind,
            NoteKind::VagueTask | NoteKind::VagueGoal | NoteKind::NoGoal
        )
    });
    let fresh = goal_notes(&plan.task, plan.goal.as_deref(), &block_goals, work_count);
    plan.notes.splice(0..0, fresh);
}

/// The nudges about the task and the goals: a vague task, no goal (unless every block has
/// one), a vague goal.
fn goal_notes(
    task: &str,
    goal: Option<&str>,
    block_goals: &[Option<String>],
    work_count: usize,
) -> Vec<Note> {
    let mut notes = Vec::new();
    if let Some(why) = goal::vague_task(task) {
        notes.push(Note {
            kind: NoteKind::VagueTask,
            message: goal::task_nudge(task, &why),
        });
    }
    // Goals for every block are goals enough.
    let every_block = work_count > 0
        && (1..=work_count).all(|n| block_goals.get(n - 1).is_some_and(Option::is_some));
    match goal {
        None if every_block => {}
        None => notes.push(Note {
            kind: NoteKind::NoGoal,
            message: NO_GOAL_NUDGE.to_owned(),
        }),
        Some(g) if goal::vague_goal(g).is_some() => notes.push(Note {
            kind: NoteKind::VagueGoal,
            message: goal::goal_nudge(g),
        }),
        Some(_) => {}
    }
    let vague_blocks: Vec<&str> = block_goals
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|g| goal::vague_goal(g).is_some())
        .collect();
    if !vague_blocks.is_empty() {
        notes.push(Note {
            kind: NoteKind::VagueGoal,
            message: goal::goal_nudge(&vague_blocks.join("\", \"")),
        });
    }
    notes
}

/// Says so when the planner had to move work blocks away from the method's length.
fn adjusted_note(method: Method, target: u32, total: u32, blocks: &[Block]) -> Option<Note> {
    let lengths: Vec<u32> = blocks
        .iter()
        .filter(|b| b.is_work())
        .map(|b| b.minutes)
        .collect();
    let (min, max) = (*lengths.iter().min()?, *lengths.iter().max()?);
    if min == target && max == target {
        return None;
    }
    let range = if min == max {
        format_minutes(min)
    } else {
        format!("{}–{}", min, format_minutes(max))
    };
    let message = if lengths.len() == 1 && total < target {
        format!(
            "One {range} block: shorter than a usual {method} block of {}.",
            format_minutes(target)
        )
    } else {
        format!(
            "Work blocks are {range} instead of {} so the plan fills {} exactly.",
            format_minutes(target),
            format_minutes(total)
        )
    };
    Some(Note {
        kind: NoteKind::Adjusted,
        message,
    })
}

/// Says so when work blocks fall outside the lengths the method promises (deep work: the time
/// and its breaks leave no layout within them).
fn range_note(
    method: Method,
    (low, high): (u32, u32),
    total: u32,
    blocks: &[Block],
    counted: bool,
) -> Option<Note> {
    let lengths: Vec<u32> = blocks
        .iter()
        .filter(|b| b.is_work())
        .map(|b| b.minutes)
        .collect();
    let (min, max) = (*lengths.iter().min()?, *lengths.iter().max()?);
    if min >= low && max <= high {
        return None;
    }
    // In minutes throughout, to compare at a glance ("65m instead of 50–60m").
    let range = if min == max {
        format!("{min}m")
    } else {
        format!("{min}–{max}m")
    };
    let total = format_minutes(total);
    let message = if counted {
        format!(
            "Work blocks are {range} instead of the {low}–{high}m {method} work promises, so that {} blocks fill {total}; fewer blocks or a different length would keep to it.",
            lengths.len()
        )
    } else {
        format!(
            "Work blocks are {range} instead of the {low}–{high}m {method} work promises, so the plan fills {total} exactly; a little more or less time would fit it."
        )
    };
    Some(Note {
        kind: NoteKind::Adjusted,
        message,
    })
}

/// In a stacked chain, two work steps in a row have no break between them.
fn no_break_note(blocks: &[Block]) -> Option<Note> {
    let pair = blocks
        .windows(2)
        .find(|w| w[0].is_work() && w[1].is_work())?;
    let name = |b: &Block| match &b.kind {
        BlockKind::Work { label: Some(l), .. } => l.clone(),
        BlockKind::Work { number, .. } => format!("block {number}"),
        BlockKind::Break { .. } => unreachable!("work blocks only"),
    };
    Some(Note {
        kind: NoteKind::NoBreak,
        message: format!(
            "No break between \"{}\" and \"{}\". Breaks keep focus fresh; consider \"break 5\" between them.",
            name(&pair[0]),
            name(&pair[1])
        ),
    })
}

/// Over three hours: the lengths of separate sessions, each at most three hours and within
/// five minutes of each other.
fn split_lengths(total: u32) -> Vec<u32> {
    if total <= SPLIT_OVER_MINUTES {
        return Vec::new();
    }
    let parts = total.div_ceil(SPLIT_OVER_MINUTES);
    let each = ((f64::from(total) / f64::from(parts) / 5.0).round() * 5.0) as u32;
    let mut lengths = vec![each; parts as usize - 1];
    lengths.push(total - each * (parts - 1));
    lengths
}

fn split_message(total: u32, split: &[u32]) -> String {
    let parts: Vec<String> = split.iter().map(|m| format_minutes(*m)).collect();
    format!(
        "{} is more than one session should hold (3h at most). Consider {} sessions: {}, \
         with a real rest between them.",
        format_minutes(total),
        split.len(),
        parts.join(" + ")
    )
}

/// The environment checklist, lighter for short sessions.
fn checklist(total: u32, end: DateTime<FixedOffset>) -> Vec<String> {
    let mut items = vec![
        "Notifications off: phone on Do Not Disturb or in another room".to_owned(),
        "Only the tabs and apps this task needs are open".to_owned(),
    ];
    if total > 15 {
        items.push("Everything you need at hand: documents, references, water".to_owned());
    }
    if total >= 45 {
        items.push(format!(
            "People around you know you are busy until {}",
            end.format("%H:%M")
        ));
    }
    items
}

#[cfg(test)]
mod tests;
