//! The offline coach: fixed wording for every message, the status view and the reflection
//! questions. Short lines during focus time; encouraging, never shaming.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, Local};

use super::Offline;
use crate::llm::LlmError;
use crate::session::format_minutes;
use crate::session::machine::{
    Asked, Away, BlockInfo, BreakInfo, CaptureKind, Message, Next, Pending, Phase, Status, Why,
};
use crate::session::reflection::{Achieved, Question};
use crate::store::log::Entry;
use crate::store::stats::{Group, Stats};
use crate::text::sanitize;

/// A time of day on the local clock (a daylight-saving change during the session included).
pub(crate) fn hhmm(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&Local).format("%H:%M").to_string()
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "Block 2 of 4 · research"
fn block_name(block: &BlockInfo) -> String {
    let mut name = format!("Block {} of {}", block.number, block.of);
    if let Some(label) = &block.label {
        let _ = write!(name, " · {label}");
    }
    name
}

/// "goal: intro" or "no goal set yet".
fn goal(block: &BlockInfo) -> String {
    match &block.goal {
        Some(goal) => format!("goal: {goal}"),
        None => "no goal set yet".to_owned(),
    }
}

fn started(block: &BlockInfo) -> String {
    let goal = match (&block.goal, &block.session_goal) {
        (Some(goal), _) => format!("Goal: {goal}."),
        (None, Some(session)) => format!(
            "Toward {session}: what will this block produce by {}? A reply is enough.",
            hhmm(block.ends)
        ),
        (None, None) => format!(
            "What will be done by {}? A reply is enough.",
            hhmm(block.ends)
        ),
    };
    format!(
        "{} begins, {} until {}. {goal}",
        block_name(block),
        format_minutes(block.minutes),
        hhmm(block.ends)
    )
}

/// "break (until 09:30): stand up and stretch."
fn break_line(b: &BreakInfo) -> String {
    format!(
        "{} (until {}): {}.",
        if b.long { "long break" } else { "break" },
        hhmm(b.ends),
        b.suggestion.trim_end_matches('.')
    )
}

/// The words for one message.
pub fn say(message: &Message) -> String {
    match message {
        Message::Paused { .. }
        | Message::Unpaused { .. }
        | Message::Extended { .. }
        | Message::Replanned { .. }
        | Message::ExtendLimit { .. }
        | Message::Captured { .. }
        | Message::Noted
        | Message::GoalSet(_)
        | Message::Closed
        | Message::Cancelled { .. }
        | Message::Refused { .. } => acknowledge(message),
        _ => moment(message),
    }
}

/// A check-in or another moment the clock brought.
fn moment(message: &Message) -> String {
    match message {
        Message::BlockStart(block) => started(block),
        Message::Started(block) => {
            format!("{} started, until {}.", block_name(block), hhmm(block.ends))
        }
        Message::Middle {
            block,
            elapsed,
            left,
        } => {
            let on = block
                .goal
                .as_deref()
                .map_or_else(String::new, |g| format!(" Still on \"{g}\"?"));
            format!(
                "Check-in: {elapsed}m in, {left}m left.{on} A word is enough; /park anything pulling at you."
            )
        }
        Message::EndWarning { block, left } => format!(
            "{} left in block {}. Start wrapping up: note where you are.",
            plural(*left, "minute", "minutes"),
            block.number
        ),
        Message::BlockEnd { block, next } => {
            let done = format!("Block {} done.", block.number);
            match next {
                Next::Break(b) => format!(
                    "{done} Wrap up your last thought, /extend 10 to keep going, or take the {}",
                    break_line(b)
                ),
                Next::Waiting(next) => format!(
                    "{done} Wrap up, /extend 10 to keep going, or /start for {} ({}).",
                    block_name(next).to_lowercase(),
                    goal(next)
                ),
                Next::Started(next) => format!("{done} {}", started(next)),
            }
        }
        Message::BreakEnd {
            next,
            started: true,
        } => format!("Break's over. {}", started(next)),
        Message::BreakEnd {
            next,
            started: false,
        } => format!(
            "Break's over. Next: {} ({}, {}). /start when you're ready.",
            block_name(next).to_lowercase(),
            format_minutes(next.minutes),
            goal(next)
        ),
        Message::FollowUp(Asked::Middle) => {
            "No need to answer; keep going. /park anything that pulls you away.".to_owned()
        }
        Message::FollowUp(Asked::Go(next)) => format!(
            "{} is ready whenever you are: /start to begin, /done to end here.",
            block_name(next)
        ),
        Message::FollowUp(Asked::LongPause) => {
            "Still paused. /resume, /replan or /done when you're back.".to_owned()
        }
        Message::LongPause { minutes, reason } => format!(
            "Paused for {}{}. Carry on where you were (/resume), fit the rest into the time you planned (/replan), or end here (/done)?",
            format_minutes(*minutes),
            reason
                .as_deref()
                .map_or_else(String::new, |r| format!(" ({r})"))
        ),
        Message::Reflect { .. } => format!(
            "{} A few questions to close, one at a time: /skip passes one, /done ends here with what you've said.",
            summary(message)
        ),
        Message::Question {
            question,
            criteria,
            parked,
            item,
            retry,
        } => {
            let asked = question_text(*question, criteria, *parked, item.as_deref());
            match retry {
                Some(hint) => format!("I couldn't read that as an answer: {hint}. {asked}"),
                None => asked,
            }
        }
        Message::CaughtUp { missed, latest } => format!(
            "While you were away ({} passed): {}",
            plural(*missed, "earlier check-in", "earlier check-ins"),
            say(latest)
        ),
        Message::Back { status, away } => match away {
            Some(away) => format!("Back to \"{}\". {}", status.task, back_from(status, away)),
            None => format!("Back to \"{}\". {}", status.task, where_now(status)),
        },
        _ => acknowledge(message),
    }
}

/// One reflection question in words.
pub fn question_text(
    question: Question,
    criteria: &[String],
    parked: u32,
    item: Option<&str>,
) -> String {
    match question {
        Question::Goal => match criteria {
            [one] => format!("Did you reach your goal, \"{one}\"? (yes / partly / no)"),
            [] => "Did you get done what you set out to do? (yes / partly / no)".to_owned(),
            _ => "Did you reach the session's goal? (yes / partly / no)".to_owned(),
        },
        Question::Criteria => {
            let list: Vec<String> = criteria
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}) {c}", i + 1))
                .collect();
            format!(
                "Which of these did you finish? {}. (the numbers, \"all\" or \"none\")",
                list.join("  ")
            )
        }
        Question::Helped => "What helped you stay focused?".to_owned(),
        Question::Distracted if parked > 0 => format!(
            "What pulled you away? (you parked {})",
            plural(parked, "thought", "thoughts")
        ),
        Question::Distracted => "What pulled you away, if anything?".to_owned(),
        Question::Improve => "What would you do differently next time?".to_owned(),
        Question::Energy => "Your energy now, from 1 (drained) to 5 (fresh)?".to_owned(),
        Question::Stopped => "Where did you stop?".to_owned(),
        Question::NextStep => "And the very next step, for when you come back to it?".to_owned(),
        Question::Parked(n) => format!(
            "Parked {} of {parked}: \"{}\". Keep it as a to-do, drop it, or note it as a pattern? (keep / drop / pattern; \"keep all\" for the rest)",
            n + 1,
            item.unwrap_or_default()
        ),
    }
}

/// The figures that open the reflection.
fn summary(message: &Message) -> String {
    let Message::Reflect {
        why,
        focused,
        planned,
        blocks_done,
        cut_short,
        blocks,
    } = message
    else {
        unreachable!("only reflections are summed up")
    };
    let opening = match why {
        Why::PlanDone => "That's the plan done",
        Why::EndedEarly => "Ending the session here",
        Why::TimeOver => "The session's planned time ran out while focus was not running",
        Why::NoTimeLeft => "Under five minutes of the planned time are left, so this is the end",
    };
    let cut = if *cut_short > 0 {
        format!(", {cut_short} cut short")
    } else {
        String::new()
    };
    format!(
        "{opening}: {} focused of {} planned; {blocks_done} of {blocks} blocks completed{cut}.",
        format_minutes(*focused),
        format_minutes(*planned)
    )
}

/// The answer to something the person did.
fn acknowledge(message: &Message) -> String {
    match message {
        Message::Paused { reason } => format!(
            "Paused{}. /resume when you're back.",
            reason
                .as_deref()
                .map_or_else(String::new, |r| format!(" ({r})"))
        ),
        Message::Counted { minutes, block } => counted(*minutes, block.as_ref()),
        Message::Unpaused { block, paused } => format!(
            "Welcome back ({} away). {}, until {}.",
            format_minutes(*paused),
            block_name(block),
            hhmm(block.ends)
        ),
        Message::Extended { block, minutes } => format!(
            "Block {} extended by {}, now until {}; the rest moves with it.",
            block.number,
            format_minutes(*minutes),
            hhmm(block.ends)
        ),
        Message::Replanned {
            shortened,
            resumed,
            ends,
            planned_end,
        } => {
            let running = if *resumed {
                " Block running again."
            } else {
                ""
            };
            let late = (*ends - *planned_end).num_seconds();
            if !shortened {
                format!(
                    "The rest still fits; the session ends at {}.{running}",
                    hhmm(*ends)
                )
            } else if late >= 60 {
                format!(
                    "Replanned: what is left is as short as it goes (a block lasts at least a minute) and ends at {}, {} past the planned {}.{running}",
                    hhmm(*ends),
                    format_minutes((late / 60) as u32),
                    hhmm(*planned_end)
                )
            } else {
                format!(
                    "Replanned: what is left is shortened to end at {}, as planned.{running}",
                    hhmm(*ends)
                )
            }
        }
        Message::ExtendLimit { block, limit } => format!(
            "Block {} cannot grow past {}; /done ends the session, and a new one can pick up from here.",
            block.number,
            format_minutes(*limit)
        ),
        Message::Captured {
            kind,
            count,
            no_rationale,
        } => match kind {
            CaptureKind::Distraction => {
                format!("Parked ({count} in the lot). Back to it.")
            }
            CaptureKind::Insight => "Insight noted.".to_owned(),
            CaptureKind::Decision if *no_rationale => {
                "Decision noted. Next time add the why: /decision <what> -- <why>.".to_owned()
            }
            CaptureKind::Decision => "Decision noted, with its reason.".to_owned(),
            CaptureKind::Blocker => {
                format!("Blocker noted ({count}). If it stops this block, /skip or /replan.")
            }
        },
        Message::Noted => "Noted.".to_owned(),
        Message::GoalSet(block) => format!(
            "Goal for block {}: {}. Go!",
            block.number,
            block
                .goal
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('.')
        ),
        Message::Closed => "Session closed.".to_owned(),
        Message::Cancelled { .. } => "Session cancelled: nothing of it goes to the log.".to_owned(),
        Message::Refused { command, phase } => {
            format!("{command} does not apply {}.", refusal(*phase))
        }
        _ => moment(message),
    }
}

fn refusal(phase: Phase) -> &'static str {
    match phase {
        Phase::Planned => "before the session starts; /start begins it",
        Phase::Working(_) => "while a block is running; /status shows where you are",
        Phase::Paused(_) => "while paused; /resume carries on",
        Phase::Break(_) => "during a break; /skip ends the break and starts the next block",
        Phase::Waiting(_) => "while the next block waits for the go; /start begins it",
        Phase::Reflecting(_) => {
            "during the reflection; reply to its questions, or /done to close the session"
        }
        Phase::Closed => "to a closed session; `focus start` begins a new one",
    }
}

/// One line on where the session stands.
pub(crate) fn where_now(status: &Status) -> String {
    let left = format_seconds(status.left);
    match (status.phase, &status.block, &status.on_break) {
        (Phase::Working(_), Some(block), _) => format!(
            "{}, {left} left (until {}).",
            block_name(block),
            hhmm(block.ends)
        ),
        (Phase::Paused(_), Some(block), _) => format!(
            "{} is paused with {left} left{}; /resume carries on.",
            block_name(block),
            status
                .paused
                .as_ref()
                .and_then(|(_, r)| r.as_deref())
                .map_or_else(String::new, |r| format!(" ({r})"))
        ),
        (Phase::Break(_), _, Some(b)) => format!("On a break until {}.", hhmm(b.ends)),
        (Phase::Waiting(_), Some(block), _) => format!(
            "{} waits for the go: /start when you're ready.",
            block_name(block)
        ),
        (Phase::Reflecting(_), _, _) => {
            "The session has ended; reply to the reflection questions, /done closes it.".to_owned()
        }
        (Phase::Closed, _, _) => "The session is closed.".to_owned(),
        _ => "Not started yet: /start begins it.".to_owned(),
    }
}

/// `/resume worked`: the time away counts, and where that leaves the session.
fn counted(minutes: u32, block: Option<&BlockInfo>) -> String {
    let counted = format!(
        "The {} away {} as focus.",
        format_minutes(minutes),
        if minutes == 1 { "counts" } else { "count" }
    );
    match block {
        Some(block) => format!(
            "{counted} {}, until {}.",
            block_name(block),
            hhmm(block.ends)
        ),
        None => counted,
    }
}

/// A block paused because the person left, or because focus was not running, and the three
/// ways on.
fn back_from(status: &Status, away: &Away) -> String {
    let minutes = ((away.until - away.since).num_seconds().max(0) / 60) as u32;
    let gone = format_minutes(minutes);
    let (ago, counted) = if minutes == 0 {
        ("just now".to_owned(), "the time away".to_owned())
    } else {
        (format!("{gone} ago"), format!("the {gone} away"))
    };
    let block = status
        .block
        .as_ref()
        .map_or_else(|| "The block".to_owned(), block_name);
    let left = format_seconds(status.left);
    let what = if away.left {
        format!(
            "You left at {} ({ago}); {block} has been paused since, with {left} left.",
            hhmm(away.since)
        )
    } else {
        format!(
            "focus was not running from {} to {} ({gone}), so {} is paused at {} with {left} left.",
            hhmm(away.since),
            hhmm(away.until),
            lower_first(&block),
            hhmm(away.since)
        )
    };
    format!(
        "{what} /resume carries on from there, /resume worked counts {counted} as focus, /done ends the session."
    )
}

/// "Block 2 of 3" → "block 2 of 3", for the middle of a sentence.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// `14:32` for minutes and seconds, `1:05:00` past an hour.
pub fn format_seconds(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn bar(done: i64, total: i64, width: usize) -> String {
    let filled = if total <= 0 {
        width
    } else {
        ((done.clamp(0, total) as f64 / total as f64) * width as f64).round() as usize
    };
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

/// The `/status` view: the task, where the session is with a progress bar, the figures so far
/// and what was captured.
pub fn status(status: &Status) -> String {
    let mut out = status.task.clone();
    if let Some(goal) = &status.goal {
        let _ = write!(out, " (goal: {goal})");
    }
    out.push('\n');
    let total = status.elapsed + status.left;
    match status.phase {
        Phase::Working(_) | Phase::Paused(_) | Phase::Break(_) => {
            let what = match (&status.block, &status.on_break) {
                (Some(block), _) => block_name(block),
                (None, Some(b)) if b.long => "Long break".to_owned(),
                _ => "Break".to_owned(),
            };
            let paused = if matches!(status.phase, Phase::Paused(_)) {
                " (paused)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{what}{paused}  {}  {} left",
                bar(status.elapsed, total, 20),
                format_seconds(status.left)
            );
            if let Some(goal) = status.block.as_ref().and_then(|b| b.goal.as_deref()) {
                let _ = writeln!(out, "Goal of this block: {goal}");
            }
        }
        _ => {
            let _ = writeln!(out, "{}", where_now(status));
        }
    }
    let _ = writeln!(
        out,
        "Focused {} of {} planned · {} of {} blocks completed{} · ends {}",
        format_minutes((status.focused / 60) as u32),
        format_minutes(status.planned),
        status.blocks_done,
        status.blocks,
        if status.cut_short > 0 {
            format!(", {} cut short", status.cut_short)
        } else {
            String::new()
        },
        hhmm(status.ends)
    );
    for (kind, title) in [
        (CaptureKind::Distraction, "Parked"),
        (CaptureKind::Insight, "Insights"),
        (CaptureKind::Decision, "Decisions"),
        (CaptureKind::Blocker, "Blockers"),
    ] {
        let items: Vec<&str> = status
            .captured
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, text)| text.as_str())
            .collect();
        if !items.is_empty() {
            let _ = writeln!(out, "{title} ({}): {}", items.len(), items.join("; "));
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The reflection's summary when no model writes one: the figures and the answers, in a few
/// plain sentences.
pub fn session_summary(entry: &Entry) -> String {
    let (met, goals) = entry.goals_met();
    let outcome = match entry.outcome {
        Some(Achieved::Yes) => "; the goal was reached",
        Some(Achieved::Partly) => "; the goal was partly reached",
        Some(Achieved::No) => "; the goal was not reached",
        None => "",
    };
    let criteria = if goals > 1 && entry.outcome.is_some() {
        format!(" ({met} of {goals} goals)")
    } else {
        String::new()
    };
    let mut out = format!(
        "{} focused of {} planned on \"{}\"{outcome}{criteria}.",
        format_minutes(entry.focused_minutes),
        format_minutes(entry.planned_minutes),
        entry.task
    );
    let sentence = |label: &str, text: &Option<String>| {
        text.as_deref()
            .map(|t| format!(" {label}: {}.", t.trim_end_matches('.')))
            .unwrap_or_default()
    };
    out.push_str(&sentence("What helped", &entry.helped));
    out.push_str(&sentence("What pulled you away", &entry.distracted));
    out.push_str(&sentence("Next step", &entry.next_step));
    out
}

/// This week against last week, in one line.
pub fn week_against_week(now: &Stats, then: &Stats) -> String {
    if then.sessions == 0 {
        return format!(
            "Last week: no sessions logged, so there is nothing to compare with yet ({} this week).",
            plural(now.sessions, "session", "sessions")
        );
    }
    let change = |a: u32, b: u32| match a.cmp(&b) {
        std::cmp::Ordering::Greater => "up from",
        std::cmp::Ordering::Less => "down from",
        std::cmp::Ordering::Equal => "the same as",
    };
    format!(
        "Against last week: {} ({} {}), {} focused ({} {}), goal reached {} (last week {}).",
        plural(now.sessions, "session", "sessions"),
        change(now.sessions, then.sessions),
        then.sessions,
        format_minutes(now.focused_minutes),
        change(now.focused_minutes, then.focused_minutes),
        format_minutes(then.focused_minutes),
        rate(now.goals.rate),
        rate(then.goals.rate),
    )
}

fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

/// The best group with enough sessions to say anything (n of at least 3), by goal rate.
fn best(groups: &[Group]) -> Option<&Group> {
    groups
        .iter()
        .filter(|g| g.goals.answered >= 3 && g.goals.rate.is_some())
        .max_by(|a, b| {
            a.goals
                .rate
                .partial_cmp(&b.goals.rate)
                .unwrap_or(std::cmp::Ordering::Equal)
        })
}

/// Suggestions from fixed rules, most useful first; the first is the week's experiment.
pub fn review_suggestions(now: &Stats, then: &Stats) -> Vec<String> {
    let mut out = Vec::new();
    if now.sessions == 0 {
        out.push(
            "Start small: one 25-minute session tomorrow, with a goal you can check off (`focus start \"<task>\" --for 25m --goal \"…\"`)."
                .to_owned(),
        );
        return out;
    }
    if let Some(rate) = now.goals.rate
        && now.goals.answered >= 3
        && rate < 0.5
    {
        out.push(format!(
            "Goals were reached in {} of the sessions that answered (n={}): make each goal smaller, something one block can finish.",
            self::rate(Some(rate)),
            now.goals.answered
        ));
    }
    if let Some(top) = now.distractions.first()
        && top.count >= 2
    {
        out.push(format!(
            "\"{}\" pulled you away {} times: deal with it before you start (close it, or give it its own short block).",
            top.text, top.count
        ));
    }
    if let Some(group) = best(&now.by_length) {
        out.push(format!(
            "Sessions planned at {} reached their goal {} of the time (n={}): plan more of that length.",
            group.label,
            rate(group.goals.rate),
            group.goals.answered
        ));
    }
    if let Some(group) = best(&now.by_hour) {
        out.push(format!(
            "Sessions started around {} went best ({} goal rate, n={}): protect that hour for deep work.",
            group.label,
            rate(group.goals.rate),
            group.goals.answered
        ));
    }
    if let Some(energy) = now.energy
        && energy < 2.5
    {
        out.push(format!(
            "Energy after sessions averaged {energy:.1} of 5: try shorter blocks, and breaks away from the screen."
        ));
    }
    if now.sessions < then.sessions {
        out.push(format!(
            "Fewer sessions than last week ({} against {}): put two in your calendar now.",
            now.sessions, then.sessions
        ));
    }
    if out.is_empty() {
        out.push(
            "Keep the rhythm, and give every session a goal you can check off so next week's figures say more."
                .to_owned(),
        );
    }
    out
}

/// The offline coach's answer to free chat: honest about why there is no model, and about
/// what works without one.
pub fn chat(offline: &Offline) -> String {
    let fix = match offline {
        Offline::Chosen { by } => format!("To talk to the model again, leave out {by}."),
        Offline::Unavailable(LlmError::NoKey { var, .. }) => format!(
            "To talk to a model, set ${var}, or point llm.base_url at a local server such as Ollama (http://localhost:11434/v1)."
        ),
        Offline::Unavailable(LlmError::Unreachable { .. }) => {
            "Start the server, or check llm.base_url (`focus config` shows it).".to_owned()
        }
        Offline::Unavailable(_) => "`focus config` shows the model settings.".to_owned(),
        Offline::Down { .. } => {
            "Check that the server runs (`focus config` shows where).".to_owned()
        }
    };
    format!(
        "I can't answer that right now: the coach is offline because {}.\n\
         Everything else works without a model:\n  \
         focus plan \"<task>\" --for 50m    plan a session\n  \
         focus start \"<task>\" --for 50m   run it: check-ins, /park, /pause, /extend, /status, /done\n  \
         focus resume                     take up an unfinished session\n\
         {fix}",
        offline.why()
    )
}

/// The offline coach's answer to a message in the REPL when no session runs.
pub fn repl_chat(offline: &Offline) -> String {
    format!(
        "The coach is offline ({}), so I can't answer messages. Everything else works: /plan <task and time> plans a session, /start runs it, /park, /pause, /status and /done work during it; /help lists them all.",
        offline.why()
    )
}

/// The offline coach's answer to words for the coach during a session (a question, a
/// request): honest that there is no model, and what focus can do with them instead.
pub fn session_chat(offline: &Offline) -> String {
    format!(
        "The coach is offline ({}), so I can't answer that. If it's on your mind, /park it and carry on; /kickoff, /goal, /distracted and /wentwrong give focus's own words, and /help lists the rest.",
        offline.why()
    )
}

/// A question still waiting, asked again after words for the coach came in between.
pub fn ask_again(pending: &Pending) -> String {
    match pending {
        Pending::Goal(block) => format!(
            "Still open: what will block {} produce by {}? A reply is enough, or just carry on.",
            block.number,
            hhmm(block.ends)
        ),
        Pending::CheckIn(Asked::Middle) => {
            "Still open: how is it going? A word is enough.".to_owned()
        }
        Pending::CheckIn(Asked::Go(block)) => format!(
            "{} is ready whenever you are: /start to begin, /done to end here.",
            block_name(block)
        ),
        Pending::CheckIn(Asked::LongPause) => {
            "Still paused: /resume, /replan or /done when you're ready.".to_owned()
        }
        // The reflection asks its own question again (it knows the words).
        Pending::Reflection { .. } => String::new(),
    }
}

/// The hand-off from the last session: "Last time (Thu 19 Nov, \"Write the report\"): the
/// next step was … Still open from the parking lot: …". `None` when it left neither.
pub fn handoff(last: &Entry) -> Option<String> {
    let open: Vec<String> = last.open_items().map(|i| sanitize(&i.text)).collect();
    if last.next_step.is_none() && open.is_empty() {
        return None;
    }
    let next = last.next_step.as_ref().map_or_else(
        || ".".to_owned(),
        |next| format!(": the next step was \"{}\".", sanitize(next)),
    );
    let open = if open.is_empty() {
        String::new()
    } else {
        format!(" Still open from the parking lot: {}.", open.join("; "))
    };
    Some(format!(
        "Last time ({}, \"{}\"){next}{open}",
        last.start.format("%a %-d %b"),
        sanitize(&last.task)
    ))
}

/// What the offline coach knows when a workflow command is typed.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The words after the command.
    pub said: &'a str,
    pub status: Option<&'a Status>,
    /// The plan waiting for `/start`.
    pub plan: Option<&'a crate::session::Plan>,
    pub last: Option<&'a Entry>,
}

/// The offline coach's answer to a workflow command: `breakdown`, `goal`, `distracted`,
/// `wentwrong` or `kickoff`.
pub fn workflow(name: &str, facts: &Facts<'_>) -> String {
    match name {
        "breakdown" => "Tell me the task and the time you have, and focus breaks it into blocks with breaks: /breakdown write the report for 2h (or /plan, the same thing).".to_owned(),
        "goal" => goal_advice(facts),
        "distracted" => distraction_advice(facts),
        "wentwrong" => went_wrong(facts),
        _ => kickoff(facts),
    }
}

fn goal_advice(facts: &Facts<'_>) -> String {
    let minutes = facts
        .status
        .and_then(|s| s.block.as_ref().map(|b| b.minutes))
        .or_else(|| {
            facts
                .plan
                .and_then(|p| p.work_blocks().next().map(|b| b.minutes))
        });
    let what = if facts.said.is_empty() {
        facts
            .status
            .map(|s| s.task.clone())
            .or_else(|| facts.plan.map(|p| p.task.clone()))
    } else {
        Some(facts.said.to_owned())
    };
    let span = minutes.map_or_else(|| "this block".to_owned(), |m| format!("{m} minutes"));
    let subject = what.map_or_else(String::new, |w| format!(" on \"{w}\""));
    format!(
        "A realistic goal for {span}{subject} is one you can check off when the time is up: a count (250 words, 3 tests passing, 20 cards) or one finished piece (the introduction drafted, the bug reproduced). Aim for what you would finish on a normal day, not your best one. Type your goal as a reply and it becomes the block's goal."
    )
}

fn distraction_advice(facts: &Facts<'_>) -> String {
    let parked = facts.status.map_or(0, |s| {
        s.captured
            .iter()
            .filter(|(k, _)| *k == CaptureKind::Distraction)
            .count()
    });
    let mut out = String::from(
        "Ways to stay on task:\n  - Put the phone in another room, or at least face down with Do Not Disturb on.\n  - Close every tab and app this task does not need; quit the chat app for the block.\n  - When a thought pulls at you, /park it and go straight back: it is safe for later.\n  - Make the block shorter (/plan with 15 or 25 minutes) and the goal smaller; starting is the hard part.\n  - Tell the people around you when you will be free.",
    );
    if parked > 0 {
        let _ = write!(
            out,
            "\nYou have parked {parked} thought{} this session; {} for the end, where you decide what to keep.",
            if parked == 1 { "" } else { "s" },
            if parked == 1 { "it waits" } else { "they wait" }
        );
    }
    out
}

fn went_wrong(facts: &Facts<'_>) -> String {
    let said = facts.said.trim();
    if !said.is_empty() {
        return went_wrong_said(said);
    }
    let Some(last) = facts.last else {
        return "There is no finished session in your log yet. After one, /wentwrong looks at what was planned against what happened.".to_owned();
    };
    let mut out = format!("Your last session, \"{}\": ", last.task);
    out.push_str(&session_summary(last));
    let mut causes = Vec::new();
    if last.goal.is_none() && last.criteria.is_empty() {
        causes.push("it had no goal to check off; a specific one (\"800 words\", not \"work on it\") gives the block a finish line");
    }
    if last.distractions.len() >= 3 {
        causes.push("several distractions were parked; clear the environment before the next one (phone away, tabs closed)");
    }
    if last.pauses.len() >= 2 {
        causes.push("it was paused more than once; a shorter block may fit the day better");
    }
    if last.planned_minutes > 120 && last.blocks_done < last.blocks {
        causes.push("it was long; few people keep deep focus beyond 90 to 120 minutes");
    }
    if last.energy.is_some_and(|e| e <= 2) {
        causes.push("your energy was low; a different hour of the day may suit this task better");
    }
    if causes.is_empty() {
        out.push_str("\nNothing in the record stands out. A tough session is still a session: note what got in the way, and keep the next one small.");
    } else {
        out.push_str("\nWhat may have got in the way:");
        for cause in causes {
            let _ = write!(out, "\n  - {cause}");
        }
    }
    if let Some(next) = &last.next_step {
        let _ = write!(out, "\nYou left yourself a next step: {next}");
    }
    out
}

/// `/wentwrong <planned> -- <achieved>`: the person's own words, and the usual reasons a
/// session falls short with what to try for each.
fn went_wrong_said(said: &str) -> String {
    let (planned, achieved) = match said.split_once("--") {
        Some((planned, achieved)) => (planned.trim(), achieved.trim()),
        None => (said, ""),
    };
    let mut out = format!("You planned: {planned}.");
    if !achieved.is_empty() {
        let _ = write!(out, " You got to: {achieved}.");
    }
    out.push_str(
        " That gap is information, not a verdict. The usual reasons, and what to try:\n  \
         - The goal was bigger than the time: halve it next time, and count a finished half as a win.\n  \
         - Distractions got in: phone away and tabs closed before the start, and /park whatever comes up.\n  \
         - The first step was unclear: spend the first five minutes writing down the very next action.\n  \
         - Energy was low: try another hour of the day, or shorter blocks with real breaks.\n\
         Which of these fits? Say it in the next plan's goal.",
    );
    out
}

fn kickoff(facts: &Facts<'_>) -> String {
    let task = facts
        .status
        .map(|s| s.task.as_str())
        .or_else(|| facts.plan.map(|p| p.task.as_str()));
    match task {
        Some(task) => format!(
            "You've got this. One thing only for the next stretch: \"{task}\". Start with the smallest piece you can do in two minutes, and let the timer carry you from there. Anything else that comes up gets /park."
        ),
        None => "Let's begin. Say what you will work on and for how long (/plan write the report for 25m), then /start. Imperfect focus that starts now beats a perfect plan that never does.".to_owned(),
    }
}

/// The offline coach's `/summary`: the figures of the session so far.
pub fn progress(status: &Status) -> String {
    format!("Progress so far:\n{}", self::status(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_read_as_a_clock() {
        assert_eq!(format_seconds(872), "14:32");
        assert_eq!(format_seconds(0), "0:00");
        assert_eq!(format_seconds(-5), "0:00");
        assert_eq!(format_seconds(3900), "1:05:00");
    }

    #[test]
    fn the_bar_fills_with_progress() {
        assert_eq!(bar(0, 100, 10), "[----------]");
        assert_eq!(bar(50, 100, 10), "[#####-----]");
        assert_eq!(bar(150, 100, 10), "[##########]");
        assert_eq!(bar(0, 0, 4), "[####]");
    }
}
