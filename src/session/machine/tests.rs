//! The machine walked through whole sessions at explicit instants: no time passes in these
//! tests. `Live` plays a perfect driver: it fires each timer exactly when asked and keeps every
//! persisted record, so a test can also replay the journal and compare.

use chrono::{NaiveDate, TimeZone};

use super::*;
use crate::session::method::{Method, Rhythm, Rhythms};
use crate::session::plan::{PlanRequest, plan};
use crate::session::reflection::{Achieved, Fate, Question};
use crate::session::stack::parse_stack;

fn at(h: u32, m: u32, s: u32) -> Instant {
    FixedOffset::east_opt(3600)
        .unwrap()
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(2026, 11, 20)
                .unwrap()
                .and_hms_opt(h, m, s)
                .unwrap(),
        )
        .unwrap()
}

fn hm(h: u32, m: u32) -> Instant {
    at(h, m, 0)
}

fn plan_of(method: Method, minutes: Option<u32>, stack: Option<&str>) -> Plan {
    plan_with_goals(method, minutes, stack, &[])
}

fn plan_with_goals(
    method: Method,
    minutes: Option<u32>,
    stack: Option<&str>,
    goals: &[&str],
) -> Plan {
    let request = PlanRequest {
        task: "Write blog post draft".into(),
        goal: Some("800 words".into()),
        block_goals: goals.iter().map(|&g| g.to_owned()).collect(),
        method,
        minutes,
        blocks: None,
        stack: stack.map(|s| parse_stack(s).unwrap()),
        work: None,
        break_minutes: None,
        start: hm(9, 0),
    };
    plan(&request, &Rhythms::default()).unwrap()
}

/// 25 work, 5 break, 25 work.
fn pomodoros() -> Plan {
    plan_with_goals(Method::Pomodoro, Some(55), None, &["intro", "body"])
}

fn clock(t: Instant) -> String {
    t.format("%H:%M:%S").to_string()
}

/// A message in a line, for comparing whole sessions at a glance.
fn describe(message: &Message) -> String {
    let hhmm = |t: Instant| t.format("%H:%M").to_string();
    match message {
        Message::BlockStart(b) => format!("start {}/{} until {}", b.number, b.of, hhmm(b.ends)),
        Message::Started(b) => format!("started {}/{} until {}", b.number, b.of, hhmm(b.ends)),
        Message::Middle {
            block,
            elapsed,
            left,
        } => format!("middle {} {elapsed}m done {left}m left", block.number),
        Message::EndWarning { block, left } => format!("warning {} {left}m left", block.number),
        Message::BlockEnd { block, next } => {
            let next = match next {
                Next::Break(b) => format!("break {}m until {}", b.minutes, hhmm(b.ends)),
                Next::Waiting(b) => format!("wait for {}", b.number),
                Next::Started(b) => format!("start {}", b.number),
            };
            format!("end {} -> {next}", block.number)
        }
        Message::BreakEnd { next, started } => format!(
            "break over -> {} {}",
            if *started { "start" } else { "wait for" },
            next.number
        ),
        Message::FollowUp(asked) => match asked {
            Asked::Middle => "follow-up middle".into(),
            Asked::Go(b) => format!("follow-up go {}", b.number),
            Asked::LongPause => "follow-up long pause".into(),
        },
        Message::LongPause { minutes, .. } => format!("long pause {minutes}m"),
        Message::Reflect {
            why,
            focused,
            planned,
            blocks_done,
            cut_short,
            blocks,
        } => format!(
            "reflect {why:?} {focused}/{planned}m blocks {blocks_done}/{blocks}{}",
            if *cut_short > 0 {
                format!(" ({cut_short} cut short)")
            } else {
                String::new()
            }
        ),
        Message::CaughtUp { missed, latest } => {
            format!("caught up ({missed} missed): {}", describe(latest))
        }
        Message::Back { .. } | Message::Counted { .. } => describe_return(message),
        Message::Paused { reason } => format!("paused ({})", reason.as_deref().unwrap_or("-")),
        Message::Unpaused { block, paused } => format!(
            "resumed {} after {paused}m until {}",
            block.number,
            hhmm(block.ends)
        ),
        Message::Extended { block, minutes } => {
            format!(
                "extended {} +{minutes}m until {}",
                block.number,
                hhmm(block.ends)
            )
        }
        Message::Replanned {
            shortened,
            resumed,
            ends,
            planned_end,
        } => format!(
            "replanned (shortened: {shortened}, resumed: {resumed}) ends {} for {}",
            hhmm(*ends),
            hhmm(*planned_end)
        ),
        Message::ExtendLimit { block, limit } => format!("extend limit {} {limit}m", block.number),
        Message::Captured { kind, count, .. } => format!("captured {kind:?} #{count}"),
        Message::Noted => "noted".into(),
        Message::GoalSet(b) => format!("goal {} {}", b.number, b.goal.as_deref().unwrap()),
        Message::Closed => "closed".into(),
        Message::Cancelled { focused } => format!("cancelled after {focused}m"),
        Message::Refused { command, phase } => format!("refused {command} in {phase:?}"),
        Message::Question {
            question, retry, ..
        } => format!(
            "ask {question:?}{}",
            if retry.is_some() { " again" } else { "" }
        ),
    }
}

/// A perfect driver.
struct Live {
    machine: Machine,
    journal: Vec<Record>,
    said: Vec<String>,
    effects: Vec<Effect>,
}

impl Live {
    fn new(plan: Plan, rules: Rules) -> Live {
        Live {
            machine: Machine::new(plan, rules),
            journal: Vec::new(),
            said: Vec::new(),
            effects: Vec::new(),
        }
    }

    fn pomodoros() -> Live {
        Live::new(pomodoros(), Rules::default())
    }

    fn handle(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        let effects = self.machine.handle(event, now);
        for (n, effect) in effects.iter().enumerate() {
            match effect {
                Effect::Persist(record) => {
                    assert_eq!(n, 0, "the record comes before anything else: {effects:?}");
                    self.journal.push(record.clone());
                }
                Effect::Say(message) => {
                    self.said
                        .push(format!("{} {}", clock(now), describe(message)));
                }
                _ => {}
            }
        }
        self.effects.extend(effects.iter().cloned());
        effects
    }

    /// The person does something at `now` (timers due before then fire first, on time).
    fn person(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        self.run_to(now);
        self.handle(event, now)
    }

    /// Lets the clock run to `until`, firing every timer exactly on time.
    fn run_to(&mut self, until: Instant) {
        while let Some((id, when)) = self.machine.pending
            && when <= until
        {
            self.handle(Event::Timer { id }, when);
        }
    }

    fn take_said(&mut self) -> Vec<String> {
        std::mem::take(&mut self.said)
    }

    fn phase(&self) -> Phase {
        self.machine.session.phase
    }

    /// The machine a fresh process gets from the journal so far.
    fn replayed(&self) -> Machine {
        Machine::replay(
            self.machine.session.plan.clone(),
            self.machine.session.rules,
            self.journal.clone(),
        )
    }
}

/// Coming back to a session, and counting the time away.
fn describe_return(message: &Message) -> String {
    let hhmm = |t: Instant| t.format("%H:%M").to_string();
    match message {
        Message::Back { status, away } => format!(
            "back {:?} {}s left, ends {}{}",
            status.phase,
            status.left,
            hhmm(status.ends),
            away.map_or_else(String::new, |a| format!(
                ", {} {}-{}",
                if a.left { "left" } else { "away" },
                hhmm(a.since),
                hhmm(a.until)
            ))
        ),
        Message::Counted { minutes, block } => format!(
            "counted {minutes}m{}",
            block.as_ref().map_or_else(String::new, |b| format!(
                ", {} until {}",
                b.number,
                hhmm(b.ends)
            ))
        ),
        other => unreachable!("{other:?} is not a return"),
    }
}

fn said(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Say(m) => Some(describe(m)),
            _ => None,
        })
        .collect()
}

// ── whole sessions ───────────────────────────────────────────────────────────

#[test]
fn a_pomodoro_session_checks_in_at_every_moment_and_waits_for_the_go() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(9, 40));
    live.person(Event::Start, hm(9, 40));
    live.run_to(hm(11, 0));
    assert_eq!(
        live.take_said(),
        [
            "09:00:00 start 1/2 until 09:25",
            "09:12:30 middle 1 12m done 13m left",
            "09:17:30 follow-up middle",
            "09:23:00 warning 1 2m left",
            "09:25:00 end 1 -> break 5m until 09:30",
            "09:30:00 break over -> wait for 2",
            "09:35:00 follow-up go 2",
            "09:40:00 start 2/2 until 10:05",
            "09:52:30 middle 2 12m done 13m left",
            "09:57:30 follow-up middle",
            "10:03:00 warning 2 2m left",
            "10:05:00 reflect PlanDone 50/50m blocks 2/2",
            "10:05:00 ask Goal",
        ]
    );
    assert_eq!(live.phase(), Phase::Reflecting(Why::PlanDone));
    assert_eq!(live.machine.pending, None, "nothing is left to time");
}

#[test]
fn a_deep_block_checks_in_every_half_hour() {
    let mut live = Live::new(plan_of(Method::Deep, Some(90), None), Rules::default());
    live.person(Event::Start, hm(9, 0));
    live.person(
        Event::Reply {
            text: "fine".into(),
        },
        hm(9, 31),
    );
    live.person(
        Event::Reply {
            text: "fine".into(),
        },
        hm(10, 1),
    );
    live.run_to(hm(12, 0));
    assert_eq!(
        live.take_said(),
        [
            "09:00:00 start 1/1 until 10:30",
            "09:30:00 middle 1 30m done 60m left",
            "09:31:00 noted",
            "10:00:00 middle 1 60m done 30m left",
            "10:01:00 noted",
            "10:28:00 warning 1 2m left",
            "10:30:00 reflect PlanDone 90/90m blocks 1/1",
            "10:30:00 ask Goal",
        ]
    );
}

#[test]
fn a_micro_session_warns_before_each_short_block_ends() {
    let mut live = Live::new(plan_of(Method::Micro, Some(30), None), Rules::default());
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(9, 18));
    live.person(Event::Start, hm(9, 18));
    live.run_to(hm(10, 0));
    assert_eq!(
        live.take_said(),
        [
            "09:00:00 start 1/2 until 09:13",
            "09:11:00 warning 1 2m left",
            "09:13:00 end 1 -> break 5m until 09:18",
            "09:18:00 break over -> wait for 2",
            "09:18:00 start 2/2 until 09:30",
            "09:28:00 warning 2 2m left",
            "09:30:00 reflect PlanDone 25/25m blocks 2/2",
            "09:30:00 ask Goal",
        ]
    );
}

#[test]
fn a_stacked_chain_runs_step_by_step() {
    let plan = plan_of(
        Method::Stacked,
        None,
        Some("research 10, break 5, write 25, break 5, edit 10"),
    );
    let mut live = Live::new(plan, Rules::default());
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(9, 15));
    live.person(Event::Start, hm(9, 15));
    live.run_to(hm(9, 45));
    live.person(Event::Start, hm(9, 45));
    live.run_to(hm(10, 0));
    assert_eq!(
        live.take_said(),
        [
            "09:00:00 start 1/3 until 09:10",
            "09:08:00 warning 1 2m left",
            "09:10:00 end 1 -> break 5m until 09:15",
            "09:15:00 break over -> wait for 2",
            "09:15:00 start 2/3 until 09:40",
            "09:27:30 middle 2 12m done 13m left",
            "09:32:30 follow-up middle",
            "09:38:00 warning 2 2m left",
            "09:40:00 end 2 -> break 5m until 09:45",
            "09:45:00 break over -> wait for 3",
            "09:45:00 start 3/3 until 09:55",
            "09:53:00 warning 3 2m left",
            "09:55:00 reflect PlanDone 45/45m blocks 3/3",
            "09:55:00 ask Goal",
        ]
    );
}

#[test]
fn a_custom_rhythm_runs_its_own_lengths() {
    // The custom rhythm of the settings (45/10 by default) as 40/8.
    let rhythms = Rhythms {
        custom: Rhythm {
            work: 40,
            break_minutes: 8,
        },
        ..Rhythms::default()
    };
    let custom = plan(
        &PlanRequest {
            task: "Refactor the parser".into(),
            goal: None,
            block_goals: Vec::new(),
            method: Method::Custom,
            minutes: Some(88),
            blocks: None,
            stack: None,
            work: None,
            break_minutes: None,
            start: hm(9, 0),
        },
        &rhythms,
    )
    .unwrap();
    let mut live = Live::new(custom, Rules::default());
    live.person(Event::Start, hm(9, 0));
    live.person(
        Event::Reply {
            text: "the outline".into(),
        },
        hm(9, 1),
    );
    live.run_to(hm(9, 48));
    live.person(Event::Start, hm(9, 48));
    live.run_to(hm(11, 0));
    assert_eq!(
        live.take_said(),
        [
            "09:00:00 start 1/2 until 09:40",
            "09:01:00 goal 1 the outline",
            "09:20:00 middle 1 20m done 20m left",
            "09:25:00 follow-up middle",
            "09:38:00 warning 1 2m left",
            "09:40:00 end 1 -> break 8m until 09:48",
            "09:48:00 break over -> wait for 2",
            "09:48:00 start 2/2 until 10:28",
            "10:08:00 middle 2 20m done 20m left",
            "10:13:00 follow-up middle",
            "10:26:00 warning 2 2m left",
            "10:28:00 reflect PlanDone 80/80m blocks 2/2",
            "10:28:00 ask Goal",
        ]
    );
}

#[test]
fn with_auto_start_work_blocks_follow_breaks_by_themselves() {
    let rules = Rules {
        auto_start_work: true,
        checkins: CheckIns {
            block_start: false,
            ..CheckIns::default()
        },
        ..Rules::default()
    };
    let mut live = Live::new(pomodoros(), rules);
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(11, 0));
    assert_eq!(
        live.take_said(),
        [
            "09:00:00 started 1/2 until 09:25",
            "09:12:30 middle 1 12m done 13m left",
            "09:17:30 follow-up middle",
            "09:23:00 warning 1 2m left",
            "09:25:00 end 1 -> break 5m until 09:30",
            "09:30:00 break over -> start 2",
            "09:42:30 middle 2 12m done 13m left",
            "09:47:30 follow-up middle",
            "09:53:00 warning 2 2m left",
            "09:55:00 reflect PlanDone 50/50m blocks 2/2",
            "09:55:00 ask Goal",
        ]
    );
}

// ── pause, resume, extend, skip, end early ───────────────────────────────────

#[test]
fn a_pause_moves_every_later_check_in_and_the_end() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(
        Event::Pause {
            reason: Some("phone call".into()),
        },
        hm(9, 10),
    );
    live.person(Event::Resume { worked: false }, hm(9, 16));
    live.run_to(hm(9, 31));
    assert_eq!(
        live.take_said(),
        [
            "09:00:00 start 1/2 until 09:25",
            "09:10:00 paused (phone call)",
            "09:16:00 resumed 1 after 6m until 09:31",
            "09:18:30 middle 1 12m done 13m left",
            "09:23:30 follow-up middle",
            "09:29:00 warning 1 2m left",
            "09:31:00 end 1 -> break 5m until 09:36",
        ]
    );
    let pauses = live.machine.session.pauses();
    assert_eq!(pauses.len(), 1);
    assert_eq!(pauses[0].reason.as_deref(), Some("phone call"));
    assert_eq!((pauses[0].from, pauses[0].to), (hm(9, 10), hm(9, 16)));
}

#[test]
fn a_long_pause_asks_once_and_follows_up_once() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Pause { reason: None }, hm(9, 5));
    live.run_to(hm(12, 0));
    assert_eq!(
        live.take_said(),
        [
            "09:00:00 start 1/2 until 09:25",
            "09:05:00 paused (-)",
            "09:20:00 long pause 15m",
            "09:25:00 follow-up long pause",
        ]
    );
    assert_eq!(live.phase(), Phase::Paused(0));
    assert_eq!(live.machine.pending, None);
}

#[test]
fn replanning_after_a_long_pause_fits_the_rest_into_the_planned_time() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Pause { reason: None }, hm(9, 5));
    // 20 minutes of block 1, 5 of break and 25 of block 2 are left; 09:55 - 09:35 = 20 remain.
    live.person(Event::Replan, hm(9, 35));
    assert_eq!(
        live.take_said().last().unwrap(),
        "09:35:00 replanned (shortened: true, resumed: true) ends 09:55 for 09:55"
    );
    assert_eq!(live.phase(), Phase::Working(0));
    live.run_to(hm(9, 45));
    live.person(Event::Start, hm(9, 45));
    live.run_to(hm(10, 30));
    assert_eq!(
        live.take_said(),
        [
            "09:41:00 warning 1 2m left",
            "09:43:00 end 1 -> break 2m until 09:45",
            "09:45:00 break over -> wait for 2",
            "09:45:00 start 2/2 until 09:55",
            "09:53:00 warning 2 2m left",
            "09:55:00 reflect PlanDone 23/23m blocks 2/2",
            "09:55:00 ask Goal",
        ]
    );
}

#[test]
fn replanning_when_nothing_is_late_changes_nothing() {
    let mut live = Live::pomodoros();
    // The plan was made at 09:00; the session starts 40 seconds later.
    live.person(Event::Start, at(9, 0, 40));
    let effects = live.person(Event::Replan, at(9, 1, 0));
    assert_eq!(
        said(&effects),
        ["replanned (shortened: false, resumed: false) ends 09:55 for 09:55"]
    );
}

#[test]
fn a_replan_that_cannot_fit_says_where_it_ends() {
    // Eleven 15-minute micro blocks: a minute each is still more than the 6 minutes left.
    let mut live = Live::new(plan_of(Method::Micro, Some(215), None), Rules::default());
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Pause { reason: None }, hm(9, 1));
    live.person(Event::Replan, hm(12, 29));
    let last = live.take_said().pop().unwrap();
    assert!(
        last.starts_with("12:29:00 replanned (shortened: true, resumed: true) ends 12:5"),
        "{last}"
    );
    assert!(last.ends_with("for 12:35"), "{last}");
}

#[test]
fn replanning_with_under_five_minutes_left_goes_to_the_reflection() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Pause { reason: None }, hm(9, 5));
    live.person(Event::Replan, hm(9, 52));
    let said = live.take_said();
    assert_eq!(
        said[said.len() - 2..],
        [
            "09:52:00 reflect NoTimeLeft 5/50m blocks 0/2 (1 cut short)",
            "09:52:00 ask Goal"
        ]
    );
}

#[test]
fn extending_a_block_moves_its_warning_and_everything_after_it() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Extend { minutes: 10 }, hm(9, 24));
    live.run_to(hm(9, 46));
    assert_eq!(
        live.take_said()[4..],
        [
            "09:24:00 extended 1 +10m until 09:35",
            "09:33:00 warning 1 2m left",
            "09:35:00 end 1 -> break 5m until 09:40",
            "09:40:00 break over -> wait for 2",
            "09:45:00 follow-up go 2",
        ]
    );
}

#[test]
fn extending_during_the_break_reopens_the_block_and_the_break_starts_afresh() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Extend { minutes: 5 }, hm(9, 26));
    live.run_to(hm(9, 40));
    assert_eq!(
        live.take_said()[4..],
        [
            "09:25:00 end 1 -> break 5m until 09:30",
            "09:26:00 extended 1 +5m until 09:31",
            "09:29:00 warning 1 2m left",
            "09:31:00 end 1 -> break 5m until 09:36",
            "09:36:00 break over -> wait for 2",
        ]
    );
    let status = live.machine.session.status(hm(9, 40));
    assert_eq!(status.focused, 30 * 60, "the minute on the break was work");
}

#[test]
fn extending_after_the_last_block_ends_reopens_it() {
    let mut live = Live::new(plan_of(Method::Deep, Some(60), None), Rules::default());
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Extend { minutes: 15 }, hm(10, 1));
    assert_eq!(live.phase(), Phase::Working(0));
    live.run_to(hm(11, 0));
    let said = live.take_said();
    assert_eq!(
        said[said.len() - 2..],
        [
            "10:16:00 reflect PlanDone 75/75m blocks 1/1",
            "10:16:00 ask Goal"
        ]
    );
}

#[test]
fn extending_a_block_that_was_skipped_adds_to_what_was_done() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Skip, hm(9, 10));
    let effects = live.person(Event::Extend { minutes: 2 }, hm(9, 11));
    assert_eq!(said(&effects), ["extended 1 +2m until 09:13"]);
    live.run_to(hm(9, 20));
    assert_eq!(
        live.take_said()[3..],
        [
            "09:13:00 end 1 -> break 5m until 09:18",
            "09:18:00 break over -> wait for 2"
        ]
    );
    assert_eq!(live.machine.session.status(hm(9, 20)).focused, 12 * 60);
}

#[test]
fn no_block_grows_past_twelve_hours() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Extend { minutes: 690 }, hm(9, 1));
    let effects = live.person(Event::Extend { minutes: 10 }, hm(9, 2));
    assert_eq!(said(&effects), ["extend limit 1 720m"]);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Persist(_))));
}

#[test]
fn skipping_the_closing_break_ends_the_session_early() {
    let mut live = Live::new(plan_of(Method::Pomodoro, Some(30), None), Rules::default());
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(9, 26));
    let effects = live.person(Event::Skip, hm(9, 26));
    assert_eq!(
        said(&effects),
        ["reflect EndedEarly 25/25m blocks 1/1", "ask Goal"]
    );
}

#[test]
fn skipping_ends_the_block_and_skipping_the_break_gives_the_go() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Skip, hm(9, 20));
    live.person(Event::Skip, hm(9, 21));
    live.run_to(hm(10, 0));
    assert_eq!(
        live.take_said()[1..],
        [
            "09:12:30 middle 1 12m done 13m left",
            "09:17:30 follow-up middle",
            "09:20:00 end 1 -> break 5m until 09:25",
            "09:21:00 start 2/2 until 09:46",
            "09:33:30 middle 2 12m done 13m left",
            "09:38:30 follow-up middle",
            "09:44:00 warning 2 2m left",
            "09:46:00 reflect PlanDone 45/50m blocks 1/2 (1 cut short)",
            "09:46:00 ask Goal",
        ]
    );
}

#[test]
fn ending_early_goes_to_the_reflection_and_done_again_closes() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Pause { reason: None }, hm(9, 10));
    let effects = live.person(Event::Done, hm(9, 30));
    assert!(effects.contains(&Effect::AskCoach(Topic::Reflection)));
    assert_eq!(
        said(&effects),
        [
            "reflect EndedEarly 10/50m blocks 0/2 (1 cut short)",
            "ask Goal"
        ],
        "paused time is not focused time"
    );
    live.person(
        Event::Reply {
            text: "got the intro done".into(),
        },
        hm(9, 31),
    );
    let effects = live.person(Event::Done, hm(9, 32));
    assert_eq!(said(&effects), ["closed"]);
    assert_eq!(effects.last(), Some(&Effect::Exit));
    assert_eq!(live.phase(), Phase::Closed);
    let replies = live.machine.session.replies();
    assert_eq!(replies[0].during, Phase::Reflecting(Why::EndedEarly));
}

#[test]
fn cancelling_closes_the_session_without_a_reflection_and_replays_the_same() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    let effects = live.person(Event::Cancel, hm(9, 12));
    assert_eq!(said(&effects), ["cancelled after 12m"]);
    assert_eq!(effects.last(), Some(&Effect::Exit));
    assert!(!effects.contains(&Effect::AskCoach(Topic::Reflection)));
    let session = live.machine.session();
    assert!(session.cancelled());
    assert_eq!(session.phase(), Phase::Closed);
    assert_eq!(session.focused_minutes(), 12);
    assert_eq!(live.replayed().session(), live.machine.session());
    // Nothing more happens to a closed session.
    let again = live.person(Event::Cancel, hm(9, 13));
    assert!(
        !again
            .iter()
            .any(|e| matches!(e, Effect::Persist(_) | Effect::Exit))
    );

    // In the reflection too, and before the go.
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Done, hm(9, 20));
    assert_eq!(
        said(&live.person(Event::Cancel, hm(9, 21))),
        ["cancelled after 20m"]
    );
    let mut live = Live::pomodoros();
    assert_eq!(
        said(&live.person(Event::Cancel, hm(9, 0))),
        ["cancelled after 0m"]
    );
    assert!(live.machine.session().cancelled());
}

#[test]
fn commands_that_do_not_fit_are_refused_and_not_journaled() {
    let mut live = Live::pomodoros();
    let effects = live.person(Event::Pause { reason: None }, hm(9, 0));
    assert_eq!(said(&effects), ["refused /pause in Planned"]);
    live.person(Event::Start, hm(9, 0));
    for (event, expected) in [
        (
            Event::Resume { worked: false },
            "refused /resume in Working(0)",
        ),
        (Event::Start, "refused /start in Working(0)"),
    ] {
        let effects = live.person(event, hm(9, 1));
        assert_eq!(said(&effects), [expected]);
        assert!(!effects.iter().any(|e| matches!(e, Effect::Persist(_))));
    }
    live.run_to(hm(9, 26));
    let effects = live.person(Event::Pause { reason: None }, hm(9, 26));
    assert_eq!(said(&effects), ["refused /pause in Break(1)"]);
    let effects = live.person(Event::Resume { worked: false }, hm(9, 26));
    assert_eq!(said(&effects), ["refused /resume in Break(1)"]);
    let effects = live.person(Event::Replan, hm(9, 26));
    assert_eq!(
        said(&effects),
        ["replanned (shortened: false, resumed: false) ends 09:55 for 09:55"]
    );
}

#[test]
fn the_first_reply_in_a_block_without_a_goal_becomes_its_goal() {
    let mut live = Live::new(plan_of(Method::Pomodoro, Some(55), None), Rules::default());
    live.person(Event::Start, hm(9, 0));
    let effects = live.person(
        Event::Reply {
            text: "intro and first tip".into(),
        },
        hm(9, 1),
    );
    assert_eq!(said(&effects), ["goal 1 intro and first tip"]);
    let effects = live.person(
        Event::Reply {
            text: "going fine".into(),
        },
        hm(9, 2),
    );
    assert_eq!(said(&effects), ["noted"], "only the first reply sets it");
    live.person(Event::Start, hm(9, 41));
    let effects = live.person(
        Event::Reply {
            text: "on track".into(),
        },
        hm(9, 54),
    );
    assert_eq!(
        said(&effects),
        ["noted"],
        "an answer to a check-in is not a goal"
    );
    let first = live.machine.session.block_info(0, hm(9, 54));
    assert_eq!(first.goal.as_deref(), Some("intro and first tip"));
    // A planned goal is never replaced.
    let mut planned = Live::pomodoros();
    planned.person(Event::Start, hm(9, 0));
    let effects = planned.person(
        Event::Reply {
            text: "something else".into(),
        },
        hm(9, 1),
    );
    assert_eq!(said(&effects), ["noted"]);
}

#[test]
fn starting_during_a_break_ends_it() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    let effects = live.person(Event::Start, hm(9, 27));
    assert_eq!(said(&effects), ["start 2/2 until 09:52"]);
}

#[test]
fn captures_are_kept_with_their_block() {
    let mut live = Live::pomodoros();
    live.person(
        Event::Park {
            text: "email Sam".into(),
        },
        hm(8, 59),
    );
    live.person(Event::Start, hm(9, 0));
    let effects = live.person(
        Event::Park {
            text: "book flights".into(),
        },
        hm(9, 3),
    );
    assert_eq!(said(&effects), ["captured Distraction #2"]);
    live.person(
        Event::Decision {
            text: "use a list".into(),
            rationale: None,
        },
        hm(9, 4),
    );
    let captures = live.machine.session.captures();
    assert_eq!(captures[0].block, None);
    assert_eq!(captures[1].block, Some(1));
    assert_eq!(captures[2].kind, CaptureKind::Decision);
    assert!(live.effects.contains(&Effect::Say(Message::Captured {
        kind: CaptureKind::Decision,
        count: 1,
        no_rationale: true
    })));
}

// ── the clock: suspends, stale timers ────────────────────────────────────────

#[test]
fn check_ins_missed_during_a_suspend_collapse_into_one_message() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    // The laptop sleeps from 09:05 to 09:33: the timer due at 09:12:30 fires late.
    let (id, _) = live.machine.pending.unwrap();
    let effects = live.handle(Event::Timer { id }, hm(9, 33));
    assert_eq!(
        said(&effects),
        ["caught up (3 missed): break over -> wait for 2"]
    );
    assert_eq!(live.phase(), Phase::Waiting(2));
    assert!(effects.contains(&Effect::Notify(Alert::BreakEnded)));
    assert!(matches!(
        effects[0],
        Effect::Persist(Record {
            event: Event::Tick,
            ..
        })
    ));
    // The follow-up counts from when the question was shown, not from when it was due.
    live.take_said();
    live.run_to(hm(9, 40));
    assert_eq!(live.take_said(), ["09:38:00 follow-up go 2"]);
}

#[test]
fn a_person_event_after_a_gap_first_brings_the_session_up_to_date() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.take_said();
    let effects = live.handle(
        Event::Park {
            text: "dentist".into(),
        },
        hm(9, 26),
    );
    assert_eq!(
        said(&effects),
        [
            "caught up (2 missed): end 1 -> break 5m until 09:30",
            "captured Distraction #1"
        ]
    );
    let capture = &live.machine.session.captures()[0];
    assert_eq!(capture.block, None, "captured on the break");
}

#[test]
fn a_stale_timer_changes_nothing() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    let (old, _) = live.machine.pending.unwrap();
    live.person(Event::Extend { minutes: 5 }, hm(9, 1));
    let (new, _) = live.machine.pending.unwrap();
    assert_ne!(old, new);
    let before = live.machine.session.clone();
    assert_eq!(live.handle(Event::Timer { id: old }, hm(9, 12)), []);
    assert_eq!(live.machine.session, before);
    assert_eq!(live.handle(Event::Timer { id: 999 }, hm(9, 50)), []);
    assert_eq!(live.machine.session, before);
}

#[test]
fn a_timer_that_fires_early_is_rescheduled_not_lost() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    let (id, when) = live.machine.pending.unwrap();
    assert_eq!(when, hm(9, 1), "the first heartbeat");
    let effects = live.handle(Event::Timer { id }, at(9, 0, 59));
    assert_eq!(
        effects,
        [Effect::ScheduleTimer {
            id: id + 1,
            at: when
        }],
        "nothing is said or journaled"
    );
}

// ── the journal ──────────────────────────────────────────────────────────────

/// A session with every kind of event, lived to `until`.
fn eventful(until: Instant) -> Live {
    let mut live = Live::pomodoros();
    let script = [
        (
            hm(8, 58),
            Event::Park {
                text: "call mum".into(),
            },
        ),
        (hm(9, 0), Event::Start),
        (
            hm(9, 3),
            Event::Insight {
                text: "the intro is a list".into(),
            },
        ),
        // Refused (a block is running), but it answers the pending check-in.
        (hm(9, 12) + TimeDelta::seconds(45), Event::Start),
        (
            hm(9, 13),
            Event::Reply {
                text: "on track".into(),
            },
        ),
        (
            hm(9, 14),
            Event::Pause {
                reason: Some("door".into()),
            },
        ),
        (hm(9, 16), Event::Resume { worked: false }),
        (hm(9, 20), Event::Extend { minutes: 3 }),
        (
            hm(9, 21),
            Event::Decision {
                text: "drop section 3".into(),
                rationale: Some("too long".into()),
            },
        ),
        (
            hm(9, 33),
            Event::Blocker {
                text: "no data".into(),
            },
        ),
        (hm(9, 41), Event::Start),
        (hm(9, 50), Event::Skip),
        (
            hm(9, 51),
            Event::Reply {
                text: "tired".into(),
            },
        ),
    ];
    for (when, event) in script {
        if when > until {
            break;
        }
        live.person(event, when);
    }
    live.run_to(until);
    live
}

#[test]
fn replaying_the_journal_gives_the_same_state_as_living_it() {
    for quarter in 0..=80 * 4 {
        let until = hm(8, 58) + TimeDelta::seconds(quarter * 15);
        let live = eventful(until);
        assert_eq!(
            live.replayed().session,
            live.machine.session,
            "replayed up to {}",
            clock(until)
        );
    }
}

#[test]
fn the_journal_holds_the_events_the_person_gave_and_the_ticks_that_mattered() {
    let live = eventful(hm(9, 31));
    let kinds: Vec<String> = live
        .journal
        .iter()
        .map(|r| format!("{} {}", clock(r.at), r.event.command()))
        .collect();
    // Ticks that changed something (a check-in, the block's end), and a heartbeat a minute
    // while the block runs (none while it is paused, 09:14 to 09:16).
    assert_eq!(
        kinds,
        [
            "08:58:00 /park",
            "09:00:00 /start",
            "09:01:00 the timer",
            "09:02:00 the timer",
            "09:03:00 the timer",
            "09:03:00 /insight",
            "09:04:00 the timer",
            "09:05:00 the timer",
            "09:06:00 the timer",
            "09:07:00 the timer",
            "09:08:00 the timer",
            "09:09:00 the timer",
            "09:10:00 the timer",
            "09:11:00 the timer",
            "09:12:00 the timer",
            "09:12:30 the timer",
            "09:12:45 /start",
            "09:13:00 a reply",
            "09:14:00 the timer",
            "09:14:00 /pause",
            "09:16:00 /resume",
            "09:17:00 the timer",
            "09:18:00 the timer",
            "09:19:00 the timer",
            "09:20:00 the timer",
            "09:20:00 /extend",
            "09:21:00 the timer",
            "09:21:00 /decision",
            "09:22:00 the timer",
            "09:23:00 the timer",
            "09:24:00 the timer",
            "09:25:00 the timer",
            "09:26:00 the timer",
            "09:27:00 the timer",
            "09:28:00 the timer",
            "09:29:00 the timer",
            "09:30:00 the timer",
        ]
    );
}

#[test]
fn journal_records_read_back_as_they_were_written() {
    let live = eventful(hm(10, 0));
    for record in &live.journal {
        let line = serde_json::to_string(record).unwrap();
        assert!(!line.contains('\n'));
        let back: Record = serde_json::from_str(&line).unwrap();
        assert_eq!(&back, record);
    }
    let line = serde_json::to_string(&live.journal[0]).unwrap();
    assert_eq!(
        line,
        r#"{"at":"2026-11-20T08:58:00+01:00","type":"park","text":"call mum"}"#
    );
}

// ── taking a session up again ────────────────────────────────────────────────

#[test]
fn a_replayed_machine_schedules_its_next_timer_when_reopened() {
    let live = eventful(hm(9, 5));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(9, 6));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::ScheduleTimer { at: due, .. } if *due == hm(9, 7))),
        "the next heartbeat: {effects:?}"
    );
}

#[test]
fn reopening_mid_block_soon_after_continues_with_the_right_time_left() {
    let live = eventful(hm(9, 11));
    // The process died just after its 09:11 heartbeat; a new one reopens at 09:13.
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(9, 13));
    assert_eq!(
        said(&effects),
        [
            "middle 1 12m done 13m left",
            "back Working(0) 720s left, ends 09:55"
        ],
        "one check-in passed meanwhile, and the block ran on"
    );
}

#[test]
fn reopening_long_after_focus_stopped_mid_block_pauses_it_where_focus_was_last_seen() {
    let live = eventful(hm(9, 5));
    // The process died just after 09:05; a new one reopens at 09:11.
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(9, 11));
    assert_eq!(
        said(&effects),
        ["back Paused(0) 1200s left, ends 10:01, away 09:05-09:11"]
    );
    assert_eq!(machine.session.pauses().len(), 0, "the pause is still open");
    assert_eq!(
        machine.session.focused_minutes(),
        5,
        "the time away is not focus"
    );
    // /resume goes on with the 20 minutes the block had left.
    let effects = machine.handle(Event::Resume { worked: false }, hm(9, 12));
    assert_eq!(said(&effects), ["resumed 1 after 7m until 09:32"]);
    let pause = &machine.session.pauses()[0];
    assert_eq!((pause.from, pause.to), (hm(9, 5), hm(9, 12)));
    assert_eq!(pause.reason.as_deref(), Some(AWAY_REASON));
}

#[test]
fn resume_worked_counts_the_time_away_and_the_clock_catches_up() {
    let live = eventful(hm(9, 42));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(13, 0));
    assert_eq!(
        said(&effects),
        ["back Paused(2) 1440s left, ends 13:24, away 09:42-13:00"],
        "no figure counts the time away until the person says so"
    );
    assert_eq!(machine.session.focused_minutes(), 29);
    let effects = machine.handle(Event::Resume { worked: true }, hm(13, 1));
    assert_eq!(
        said(&effects),
        [
            "counted 199m",
            "caught up (2 missed): reflect PlanDone 53/53m blocks 2/2",
            "ask Goal"
        ],
        "the last block ran its course while focus was away"
    );
    assert!(effects.contains(&Effect::AskCoach(Topic::Reflection)));
    assert_eq!(machine.session.ended(), Some(hm(10, 6)));
    assert!(
        machine
            .session
            .pauses()
            .iter()
            .all(|p| p.reason.as_deref() == Some("door")),
        "the pause for the time away never was: {:?}",
        machine.session.pauses()
    );
}

#[test]
fn reopening_after_a_gap_in_a_break_says_one_thing_about_what_passed() {
    let live = eventful(hm(9, 31));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(9, 50));
    assert_eq!(
        said(&effects),
        [
            "break over -> wait for 2",
            "back Waiting(2) 1500s left, ends 10:15"
        ],
        "no block ran while focus was away, so nothing is paused"
    );
}

#[test]
fn a_block_that_started_by_itself_while_focus_was_away_is_paused_at_its_start() {
    let rules = Rules {
        auto_start_work: true,
        ..Rules::default()
    };
    let mut live = Live::new(pomodoros(), rules);
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(9, 27));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(10, 0));
    let said = said(&effects);
    assert_eq!(
        said.last().unwrap(),
        "back Paused(2) 1500s left, ends 10:25, away 09:30-10:00",
        "{said:?}"
    );
    assert_eq!(machine.session.focused_minutes(), 25);
}

#[test]
fn leaving_pauses_the_block_and_coming_back_offers_the_way_on() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    let effects = live.person(Event::Leave, hm(9, 10));
    assert_eq!(
        effects[0],
        Effect::Persist(Record {
            at: hm(9, 10),
            event: Event::Leave
        })
    );
    assert!(
        said(&effects).is_empty(),
        "the REPL says it, with its words"
    );
    assert_eq!(live.phase(), Phase::Paused(0));
    // Away long past the session's planned end: still paused, and no long-pause question.
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(11, 0));
    assert_eq!(
        said(&effects),
        ["back Paused(0) 900s left, ends 11:45, left 09:10-11:00"]
    );
    let effects = machine.handle(Event::Resume { worked: false }, hm(11, 1));
    assert_eq!(said(&effects), ["resumed 1 after 111m until 11:16"]);
    assert_eq!(machine.session.focused_minutes(), 10);
    assert_eq!(
        machine.session.pauses()[0].reason.as_deref(),
        Some(LEFT_REASON)
    );
}

#[test]
fn leaving_outside_a_block_stops_nothing() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(9, 26));
    let effects = live.person(Event::Leave, hm(9, 26));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Persist(_) | Effect::Say(_))),
        "{effects:?}"
    );
    assert_eq!(live.phase(), Phase::Break(1));
}

#[test]
fn a_message_to_the_coach_is_kept_and_answers_nothing() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    let before = live.machine.session.pending(hm(9, 1));
    assert!(before.is_none(), "the blocks have goals: {before:?}");
    live.run_to(hm(9, 13));
    assert_eq!(
        live.machine.session.pending(hm(9, 13)),
        Some(Pending::CheckIn(Asked::Middle))
    );
    let message = Event::Message {
        text: "give me a pep talk".into(),
    };
    let effects = live.person(message.clone(), hm(9, 13));
    assert_eq!(
        effects[0],
        Effect::Persist(Record {
            at: hm(9, 13),
            event: message
        })
    );
    assert!(said(&effects).is_empty(), "{effects:?}");
    assert!(live.machine.session.replies().is_empty());
    assert_eq!(
        live.machine.session.pending(hm(9, 13)),
        Some(Pending::CheckIn(Asked::Middle)),
        "the check-in still waits for its answer"
    );
}

#[test]
fn what_is_pending_names_the_question_waiting() {
    let mut live = Live::new(plan_of(Method::Pomodoro, Some(55), None), Rules::default());
    live.person(Event::Start, hm(9, 0));
    let Some(Pending::Goal(block)) = live.machine.session.pending(hm(9, 0)) else {
        panic!("the block start asks for its goal");
    };
    assert_eq!(block.number, 1);
    live.person(reply("the intro"), hm(9, 1));
    assert_eq!(live.machine.session.pending(hm(9, 1)), None);
    live.person(Event::Done, hm(9, 2));
    assert_eq!(
        live.machine.session.pending(hm(9, 2)),
        Some(Pending::Reflection {
            question: Question::Goal,
            number: 1,
            of: 7
        })
    );
    live.person(reply("partly"), hm(9, 3));
    assert_eq!(
        live.machine.session.pending(hm(9, 3)),
        Some(Pending::Reflection {
            question: Question::Helped,
            number: 2,
            of: 7
        })
    );
}

#[test]
fn reopening_a_session_left_waiting_past_its_time_goes_to_the_reflection() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(9, 40));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(10, 15));
    assert_eq!(
        said(&effects),
        ["reflect TimeOver 25/50m blocks 1/2", "ask Goal"]
    );
    assert_eq!(machine.session.ended(), Some(hm(9, 30)));
}

#[test]
fn reopening_a_reflection_asks_its_questions_again() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Done, hm(9, 10));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(11, 0));
    assert!(effects.contains(&Effect::AskCoach(Topic::Reflection)));
    assert_eq!(machine.session.phase(), Phase::Reflecting(Why::EndedEarly));
}

fn reply(text: &str) -> Event {
    Event::Reply { text: text.into() }
}

#[test]
fn the_reflection_asks_one_question_at_a_time_and_closes_when_answered() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(
        Event::Park {
            text: "email Sam".into(),
        },
        hm(9, 5),
    );
    live.person(Event::Done, hm(9, 10));
    let mut asked = Vec::new();
    for (i, text) in [
        "partly",
        "1",
        "quiet",
        "slack",
        "phone away",
        "3",
        "tip 2",
        "tip 3",
    ]
    .into_iter()
    .enumerate()
    {
        let effects = live.person(reply(text), hm(9, 11 + i as u32));
        asked.extend(said(&effects));
    }
    assert_eq!(
        asked,
        [
            "ask Criteria",
            "ask Helped",
            "ask Distracted",
            "ask Improve",
            "ask Energy",
            "ask Stopped",
            "ask NextStep",
            "ask Parked(0)",
        ]
    );
    assert_eq!(live.phase(), Phase::Reflecting(Why::EndedEarly));
    let effects = live.person(reply("keep"), hm(9, 20));
    assert_eq!(said(&effects), ["closed"]);
    assert_eq!(effects.last(), Some(&Effect::Exit));

    let answers = live.machine.session.answers().unwrap().clone();
    assert_eq!(answers.achieved, Some(Achieved::Partly));
    assert_eq!(answers.criteria, [Some(true), Some(false)]);
    assert_eq!(answers.energy, Some(3));
    assert_eq!(answers.parked, [Some(Fate::Keep)]);
    assert_eq!(live.machine.session.criteria(), ["intro", "body"]);
    // The journal gives the same answers back.
    assert_eq!(live.replayed().session.answers(), Some(&answers));
}

#[test]
fn an_unreadable_answer_is_asked_again_and_skips_are_kept() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Done, hm(9, 10));
    assert_eq!(
        said(&live.person(reply("maybe"), hm(9, 11))),
        ["ask Goal again"]
    );
    assert_eq!(said(&live.person(Event::Skip, hm(9, 12))), ["ask Criteria"]);
    live.person(reply("none"), hm(9, 13));
    live.person(Event::Skip, hm(9, 14));
    assert_eq!(said(&live.person(Event::Done, hm(9, 15))), ["closed"]);
    let answers = live.machine.session.answers().unwrap();
    assert_eq!(answers.achieved, None);
    assert_eq!(
        answers.skipped,
        [
            Question::Goal,
            Question::Helped,
            Question::Distracted,
            Question::Improve,
            Question::Energy,
            Question::Stopped,
            Question::NextStep,
        ]
    );
    assert_eq!(live.replayed().session.answers(), Some(answers));
}

#[test]
fn reopening_a_reflection_asks_the_question_it_stopped_at() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Done, hm(9, 10));
    live.person(reply("yes"), hm(9, 11));
    live.person(reply("music"), hm(9, 12));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(11, 0));
    let said = said(&effects);
    assert!(said[0].starts_with("back Reflecting"), "{said:?}");
    assert_eq!(said[1..], ["ask Distracted"]);
}

#[test]
fn a_distraction_parked_during_the_reflection_is_reviewed_too() {
    let mut live = Live::pomodoros();
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Done, hm(9, 10));
    let effects = live.person(
        Event::Park {
            text: "book the dentist".into(),
        },
        hm(9, 11),
    );
    assert_eq!(said(&effects), ["captured Distraction #1", "ask Goal"]);
    for text in ["yes", "", "", "", "4", "", ""] {
        live.person(reply(text), hm(9, 12));
    }
    assert_eq!(live.take_said().last().unwrap(), "09:12:00 ask Parked(0)");
}

#[test]
fn a_check_in_passed_as_the_session_ends_gets_no_follow_up_in_the_reflection() {
    // No tick between the middle check-in (09:12:30) and /done: both land on one event.
    let mut machine = Machine::new(pomodoros(), Rules::default());
    machine.handle(Event::Start, hm(9, 0));
    let effects = machine.handle(Event::Done, hm(9, 13));
    assert!(said(&effects).contains(&"ask Goal".to_owned()));
    assert_eq!(machine.session.next_deadline(), None);
    let effects = machine.handle(Event::Reopen, hm(11, 0));
    assert!(
        !said(&effects).iter().any(|s| s.starts_with("follow-up")),
        "{:?}",
        said(&effects)
    );
}

#[test]
fn once_the_reflection_has_an_answer_the_last_block_cannot_be_extended() {
    let mut live = Live::new(plan_of(Method::Deep, Some(60), None), Rules::default());
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(10, 0));
    live.person(reply("yes"), hm(10, 1));
    let effects = live.person(Event::Extend { minutes: 10 }, hm(10, 2));
    assert_eq!(said(&effects), ["refused /extend in Reflecting(PlanDone)"]);
    assert_eq!(
        live.machine.session.answers().unwrap().achieved,
        Some(Achieved::Yes)
    );
}

#[test]
fn a_closed_session_cannot_be_reopened() {
    let mut live = Live::pomodoros();
    live.person(Event::Done, hm(9, 0));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(9, 1));
    assert_eq!(said(&effects), ["refused focus resume in Closed"]);
}

#[test]
fn status_reports_the_block_time_left_and_captures() {
    let live = eventful(hm(9, 22));
    let status = live.machine.session.status(hm(9, 22));
    assert_eq!(status.phase, Phase::Working(0));
    assert_eq!(
        status.block.as_ref().unwrap().goal.as_deref(),
        Some("intro")
    );
    assert_eq!((status.elapsed, status.left), (20 * 60, 8 * 60));
    assert_eq!(status.focused, 20 * 60);
    assert_eq!(status.planned, 53);
    assert_eq!(status.captured.len(), 3);
    assert_eq!(status.ends, hm(10, 0));
}

#[test]
fn a_journal_from_before_the_time_away_rules_replays_as_it_was_lived() {
    let rules = Rules {
        time_away_pauses: false,
        ..Rules::default()
    };
    let mut live = Live::new(pomodoros(), rules);
    live.person(Event::Start, hm(9, 0));
    live.run_to(hm(9, 5));
    assert!(
        live.journal.iter().all(|r| r.event != Event::Tick),
        "no heartbeats then"
    );
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(9, 11));
    assert_eq!(said(&effects), ["back Working(0) 840s left, ends 09:55"]);
    // A session left paused past its time went to the reflection.
    let mut live = Live::new(pomodoros(), rules);
    live.person(Event::Start, hm(9, 0));
    live.person(Event::Pause { reason: None }, hm(9, 10));
    let mut machine = live.replayed();
    let effects = machine.handle(Event::Reopen, hm(11, 0));
    assert!(
        said(&effects)[0].starts_with("reflect TimeOver"),
        "{:?}",
        said(&effects)
    );
    // The rules are read as off when a journal's header lacks them.
    let old: Rules = serde_json::from_str(
        r#"{"checkins":{"block_start":true,"middle":true,"end_warning":2,"follow_up":5,"every":30},"long_pause_minutes":15,"auto_start_work":false}"#,
    )
    .unwrap();
    assert!(!old.time_away_pauses);
}
