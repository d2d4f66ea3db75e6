use chrono::{NaiveDate, TimeZone};

use super::*;
use crate::session::duration::parse_clock;
use crate::session::stack::StackError;
use crate::session::stack::parse_stack;

fn at(h: u32, m: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .unwrap()
}

fn request(method: Method, minutes: u32) -> PlanRequest {
    PlanRequest {
        task: "Write blog post draft".into(),
        goal: Some("800 words".into()),
        block_goals: Vec::new(),
        method,
        minutes: Some(minutes),
        blocks: None,
        stack: None,
        work: None,
        break_minutes: None,
        start: at(9, 0),
    }
}

fn plan_of(method: Method, minutes: u32) -> Plan {
    plan(&request(method, minutes), &Rhythms::default()).unwrap()
}

/// The shape of a plan as `W25 B5 …` (`L` for a long break).
fn shape(plan: &Plan) -> String {
    plan.blocks
        .iter()
        .map(|b| match b.kind {
            BlockKind::Work { .. } => format!("W{}", b.minutes),
            BlockKind::Break { long: true, .. } => format!("L{}", b.minutes),
            BlockKind::Break { long: false, .. } => format!("B{}", b.minutes),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn clock(plan: &Plan) -> Vec<String> {
    plan.blocks
        .iter()
        .map(|b| format!("{}-{}", b.start.format("%H:%M"), b.end.format("%H:%M")))
        .collect()
}

/// The message of the plan's note of `kind` (which must be there).
fn note(plan: &Plan, kind: NoteKind) -> &str {
    &plan
        .notes
        .iter()
        .find(|n| n.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} note in {:?}", plan.notes))
        .message
}

/// Each work block's goal.
fn goals(plan: &Plan) -> Vec<Option<&str>> {
    plan.work_blocks()
        .map(|b| match &b.kind {
            BlockKind::Work { goal, .. } => goal.as_deref(),
            BlockKind::Break { .. } => unreachable!("work blocks only"),
        })
        .collect()
}

fn note_kinds(plan: &Plan) -> Vec<NoteKind> {
    plan.notes.iter().map(|n| n.kind).collect()
}

#[test]
fn pomodoro_ninety_minutes_is_three_classic_cycles() {
    let p = plan_of(Method::Pomodoro, 90);
    assert_eq!(shape(&p), "W25 B5 W25 B5 W25 B5");
    assert_eq!(
        clock(&p),
        [
            "09:00-09:25",
            "09:25-09:30",
            "09:30-09:55",
            "09:55-10:00",
            "10:00-10:25",
            "10:25-10:30"
        ]
    );
    assert_eq!(p.end, at(10, 30));
    assert_eq!(
        (p.total_minutes, p.focus_minutes, p.break_minutes),
        (90, 75, 15)
    );
    assert!(!note_kinds(&p).contains(&NoteKind::Adjusted));
    // The closing break is for looking back, the others for resting.
    let suggestions: Vec<&str> = p
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Break { suggestion, .. } => Some(suggestion.as_str()),
            BlockKind::Work { .. } => None,
        })
        .collect();
    assert_eq!(
        suggestions,
        [
            "stand up and stretch",
            "refill your water",
            "look back over what you did and note the next step"
        ]
    );
}

#[test]
fn pomodoro_takes_a_long_break_after_the_fourth() {
    assert_eq!(
        shape(&plan_of(Method::Pomodoro, 130)),
        "W25 B5 W25 B5 W25 B5 W25 L15"
    );
    assert_eq!(
        shape(&plan_of(Method::Pomodoro, 150)),
        "W24 B5 W24 B5 W24 B5 W24 L15 W24"
    );
    let p = plan_of(Method::Pomodoro, 270);
    let long_after: Vec<u32> = p
        .blocks
        .windows(2)
        .filter(|w| matches!(w[1].kind, BlockKind::Break { long: true, .. }))
        .filter_map(|w| match w[0].kind {
            BlockKind::Work { number, .. } => Some(number),
            BlockKind::Break { .. } => None,
        })
        .collect();
    assert_eq!(long_after, [4, 8]);
}

#[test]
fn pomodoro_lengths_that_do_not_divide_flex_the_blocks_and_say_so() {
    let p = plan_of(Method::Pomodoro, 50);
    assert_eq!(shape(&p), "W23 B5 W22");
    assert_eq!(
        note(&p, NoteKind::Adjusted),
        "Work blocks are 22–23m instead of 25m so the plan fills 50m exactly."
    );
    assert_eq!(shape(&plan_of(Method::Pomodoro, 25)), "W25");
    assert_eq!(shape(&plan_of(Method::Pomodoro, 55)), "W25 B5 W25");
}

#[test]
fn a_session_shorter_than_one_block_is_one_block() {
    let p = plan_of(Method::Pomodoro, 15);
    assert_eq!(shape(&p), "W15");
    assert_eq!(
        note(&p, NoteKind::Adjusted),
        "One 15m block: shorter than a usual pomodoro block of 25m."
    );
    assert_eq!(shape(&plan_of(Method::Deep, 3)), "W3");
    assert_eq!(shape(&plan_of(Method::Micro, 1)), "W1");
}

#[test]
fn deep_work_follows_the_workflows_break_pattern() {
    // 90 minutes may run without a break.
    assert_eq!(shape(&plan_of(Method::Deep, 90)), "W90");
    assert_eq!(shape(&plan_of(Method::Deep, 60)), "W60");
    // Two hours: one break at the midpoint.
    let two = plan_of(Method::Deep, 120);
    assert_eq!(shape(&two), "W55 B10 W55");
    assert_eq!(clock(&two), ["09:00-09:55", "09:55-10:05", "10:05-11:00"]);
    // Three hours: a break about every hour.
    assert_eq!(shape(&plan_of(Method::Deep, 180)), "W54 B10 W53 B10 W53");
    // Longer: 90–120 minute blocks with longer breaks.
    assert_eq!(shape(&plan_of(Method::Deep, 240)), "W113 B15 W112");
    assert_eq!(shape(&plan_of(Method::Deep, 360)), "W110 B15 W110 B15 W110");
}

#[test]
fn micro_sessions_are_short_blocks() {
    assert_eq!(shape(&plan_of(Method::Micro, 40)), "W15 B5 W15 B5");
    assert_eq!(shape(&plan_of(Method::Micro, 30)), "W13 B5 W12");
    assert_eq!(shape(&plan_of(Method::Micro, 10)), "W10");
    let p = plan_of(Method::Micro, 60);
    assert!(
        p.work_blocks().all(|b| (5..=25).contains(&b.minutes)),
        "{}",
        shape(&p)
    );
}

#[test]
fn a_count_of_blocks_is_kept_and_fitted_to_the_time() {
    let counted = |method, minutes, blocks, work: Option<u32>| {
        let mut r = request(method, minutes);
        r.blocks = Some(blocks);
        r.work = work;
        plan(&r, &Rhythms::default())
    };
    // The method's own lengths, breaks between the blocks only.
    let p = counted(Method::Pomodoro, 55, 2, None).unwrap();
    assert_eq!(shape(&p), "W25 B5 W25");
    assert!(!note_kinds(&p).contains(&NoteKind::Adjusted));
    assert_eq!(
        shape(&counted(Method::Pomodoro, 155, 5, None).unwrap()),
        "W25 B5 W25 B5 W25 B5 W25 L15 W25"
    );
    assert_eq!(
        shape(&counted(Method::Deep, 120, 2, None).unwrap()),
        "W55 B10 W55"
    );
    assert_eq!(
        shape(&counted(Method::Micro, 55, 3, None).unwrap()),
        "W15 B5 W15 B5 W15"
    );
    // Deep work keeps the rhythm nearest each block's share, whatever the total.
    assert_eq!(
        shape(&counted(Method::Deep, 250, 4, None).unwrap()),
        "W55 B10 W55 B10 W55 B10 W55"
    );
    assert_eq!(
        shape(&counted(Method::Deep, 240, 2, None).unwrap()),
        "W113 B15 W112"
    );
    let p = counted(Method::Deep, 120, 3, None).unwrap();
    assert_eq!(shape(&p), "W34 B10 W33 B10 W33");
    assert_eq!(
        note(&p, NoteKind::Adjusted),
        "Work blocks are 33–34m instead of the 50–60m deep work promises, so that 3 blocks fill 2h; fewer blocks or a different length would keep to it."
    );
    // A total that differs: the blocks share it, and the plan says so.
    let p = counted(Method::Pomodoro, 90, 3, None).unwrap();
    assert_eq!(shape(&p), "W27 B5 W27 B5 W26");
    assert_eq!(
        note(&p, NoteKind::Adjusted),
        "Work blocks are 26–27m instead of 25m so the plan fills 1h 30m exactly."
    );
    // Too many for the time.
    assert_eq!(
        counted(Method::Pomodoro, 20, 4, None)
            .unwrap_err()
            .to_string(),
        "4 work blocks of 5 minutes or more do not fit in 20m with their breaks; ask for fewer blocks or more time"
    );
    assert!(counted(Method::Pomodoro, 3, 5, None).is_err());
    assert_eq!(
        shape(&counted(Method::Pomodoro, 10, 1, None).unwrap()),
        "W10"
    );
    // A chain sets its own blocks.
    let mut r = request(Method::Stacked, 25);
    r.stack = Some(parse_stack("write 10, break 5, edit 10").unwrap());
    r.blocks = Some(2);
    assert_eq!(
        plan(&r, &Rhythms::default()),
        Err(PlanError::CountWithStack)
    );
}

#[test]
fn custom_rhythms_come_from_work_and_break() {
    let mut r = request(Method::Custom, 96);
    r.work = Some(40);
    r.break_minutes = Some(8);
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(shape(&p), "W40 B8 W40 B8");
    r.minutes = Some(120);
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(shape(&p), "W35 B8 W35 B8 W34");
    // Settings give the default custom rhythm (45/10).
    assert_eq!(shape(&plan_of(Method::Custom, 110)), "W45 B10 W45 B10");
    // --work with auto means custom.
    let mut r = request(Method::Auto, 60);
    r.work = Some(20);
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(p.method, Method::Custom);
    assert_eq!(shape(&p), "W20 B10 W20 B10");
}

#[test]
fn settings_change_the_rhythms() {
    let mut rhythms = Rhythms::default();
    rhythms.pomodoro.work = 50;
    rhythms.pomodoro.break_minutes = 10;
    let p = plan(&request(Method::Pomodoro, 120), &rhythms).unwrap();
    assert_eq!(shape(&p), "W50 B10 W50 B10");
}

#[test]
fn auto_picks_what_the_workflow_recommends() {
    for (minutes, method) in [
        (10, Method::Micro),
        (24, Method::Micro),
        (25, Method::Pomodoro),
        (60, Method::Pomodoro),
        (90, Method::Pomodoro),
        (91, Method::Deep),
        (120, Method::Deep),
        (300, Method::Deep),
    ] {
        let p = plan_of(Method::Auto, minutes);
        assert_eq!(p.method, method, "{minutes} minutes");
        assert!(p.auto);
    }
    assert!(!plan_of(Method::Pomodoro, 60).auto);
}

#[test]
fn over_three_hours_proposes_splitting() {
    let p = plan_of(Method::Auto, 240);
    assert_eq!(p.split, [120, 120]);
    assert_eq!(
        note(&p, NoteKind::Split),
        "4h is more than one session should hold (3h at most). Consider 2 sessions: 2h + 2h, \
         with a real rest between them."
    );
    assert_eq!(plan_of(Method::Deep, 400).split, [135, 135, 130]);
    assert_eq!(plan_of(Method::Deep, 181).split, [90, 91]);
    assert!(plan_of(Method::Deep, 180).split.is_empty());
    assert!(!note_kinds(&plan_of(Method::Deep, 180)).contains(&NoteKind::Split));
}

#[test]
fn fitting_to_an_end_time_ends_on_it() {
    let start = at(14, 10);
    let until = parse_clock("16:00").unwrap().after(start.naive_local());
    let minutes = (until - start.naive_local()).num_minutes() as u32;
    let mut r = request(Method::Pomodoro, minutes);
    r.start = start;
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(p.end.format("%H:%M").to_string(), "16:00");
    assert_eq!(shape(&p), "W24 B5 W24 B5 W24 B5 W23");
    assert_eq!(p.blocks.last().unwrap().end, p.end);
}

#[test]
fn every_length_and_method_gives_a_sound_plan() {
    for method in [
        Method::Auto,
        Method::Pomodoro,
        Method::Deep,
        Method::Micro,
        Method::Custom,
    ] {
        for minutes in 1..=720 {
            let p = plan_of(method, minutes);
            let context = format!("{method} {minutes}m: {}", shape(&p));
            assert_eq!(
                p.blocks.iter().map(|b| b.minutes).sum::<u32>(),
                minutes,
                "{context}"
            );
            assert_eq!(p.blocks.first().unwrap().start, p.start, "{context}");
            assert_eq!(p.blocks.last().unwrap().end, p.end, "{context}");
            assert!(
                p.blocks.windows(2).all(|w| w[0].end == w[1].start),
                "{context}"
            );
            assert!(p.blocks[0].is_work(), "{context}");
            assert!(p.blocks.iter().all(|b| b.minutes >= 1), "{context}");
            assert!(
                !p.blocks
                    .windows(2)
                    .any(|w| !w[0].is_work() && !w[1].is_work()),
                "{context}"
            );
            let numbers: Vec<u32> = p
                .work_blocks()
                .map(|b| match b.kind {
                    BlockKind::Work { number, .. } => number,
                    BlockKind::Break { .. } => 0,
                })
                .collect();
            assert_eq!(
                numbers,
                (1..=numbers.len() as u32).collect::<Vec<_>>(),
                "{context}"
            );
            if minutes >= 10 {
                assert!(
                    p.work_blocks().all(|b| b.minutes >= MIN_WORK_BLOCK),
                    "{context}"
                );
            }
            if minutes > 120 {
                assert!(p.break_minutes > 0, "breaks are not optional: {context}");
            }
        }
    }
}

#[test]
fn stacked_plans_follow_the_chain() {
    let mut r = request(Method::Auto, 0);
    r.minutes = None;
    r.stack = Some(parse_stack("research 10, break 5, write 15, break 5, edit 10").unwrap());
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(p.method, Method::Stacked);
    assert!(!p.auto);
    assert_eq!(shape(&p), "W10 B5 W15 B5 W10");
    assert_eq!(p.total_minutes, 45);
    let labels: Vec<Option<&str>> = p
        .work_blocks()
        .map(|b| match &b.kind {
            BlockKind::Work { label, .. } => label.as_deref(),
            BlockKind::Break { .. } => None,
        })
        .collect();
    assert_eq!(labels, [Some("research"), Some("write"), Some("edit")]);

    // A matching --for is fine; a different one is an error that says both.
    r.minutes = Some(45);
    assert!(plan(&r, &Rhythms::default()).is_ok());
    r.minutes = Some(50);
    assert_eq!(
        plan(&r, &Rhythms::default()).unwrap_err().to_string(),
        "the stack adds up to 45m but the session is 50m; drop --for/--until or change the stack"
    );
}

#[test]
fn a_stack_without_breaks_gets_a_nudge() {
    let mut r = request(Method::Stacked, 0);
    r.minutes = None;
    r.stack = Some(parse_stack("research 10, write 15").unwrap());
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert!(
        note(&p, NoteKind::NoBreak).starts_with("No break between \"research\" and \"write\".")
    );
}

#[test]
fn method_and_input_conflicts_are_errors() {
    let rhythms = Rhythms::default();
    let mut r = request(Method::Stacked, 30);
    assert_eq!(plan(&r, &rhythms).unwrap_err(), PlanError::NoStack);
    r.method = Method::Deep;
    r.stack = Some(parse_stack("write 30").unwrap());
    assert_eq!(
        plan(&r, &rhythms).unwrap_err(),
        PlanError::StackWithMethod(Method::Deep)
    );
    let mut r = request(Method::Deep, 120);
    r.work = Some(30);
    assert_eq!(
        plan(&r, &rhythms).unwrap_err(),
        PlanError::RhythmWithMethod(Method::Deep)
    );
    let mut r = request(Method::Pomodoro, 60);
    r.minutes = None;
    assert_eq!(plan(&r, &rhythms).unwrap_err(), PlanError::NoLength);
    let mut r = request(Method::Pomodoro, 60);
    r.task = "   ".into();
    assert_eq!(plan(&r, &rhythms).unwrap_err(), PlanError::EmptyTask);
}

#[test]
fn block_goals_are_assigned_in_order() {
    let mut r = request(Method::Pomodoro, 90);
    r.block_goals = vec![
        "intro and first tip".into(),
        " tips 2-3 ".into(),
        String::new(),
    ];
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(
        goals(&p),
        [Some("intro and first tip"), Some("tips 2-3"), None]
    );

    r.block_goals = vec!["a1".into(), "b2".into(), "c3".into(), "d4".into()];
    assert_eq!(
        plan(&r, &Rhythms::default()).unwrap_err().to_string(),
        "4 goals for 3 work blocks; give at most 3 with --goals, or plan more time"
    );
}

#[test]
fn a_single_block_carries_the_session_goal() {
    let p = plan_of(Method::Deep, 60);
    assert!(matches!(&p.blocks[0].kind, BlockKind::Work { goal: Some(g), .. } if g == "800 words"));
    let p = plan_of(Method::Deep, 120);
    assert!(
        p.work_blocks()
            .all(|b| matches!(&b.kind, BlockKind::Work { goal: None, .. }))
    );
}

#[test]
fn vague_tasks_and_goals_get_a_nudge() {
    let mut r = request(Method::Pomodoro, 50);
    r.task = "work on stuff".into();
    r.goal = Some("make progress".into());
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert!(note_kinds(&p).contains(&NoteKind::VagueTask));
    assert!(note_kinds(&p).contains(&NoteKind::VagueGoal));

    r.goal = None;
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert!(note_kinds(&p).contains(&NoteKind::NoGoal));

    let p = plan_of(Method::Pomodoro, 50);
    assert!(!note_kinds(&p).iter().any(|k| matches!(
        k,
        NoteKind::VagueTask | NoteKind::VagueGoal | NoteKind::NoGoal
    )));
}

#[test]
fn short_sessions_get_a_lighter_checklist() {
    let p = plan_of(Method::Micro, 10);
    assert_eq!(p.checklist.len(), 2);
    let p = plan_of(Method::Pomodoro, 90);
    assert_eq!(p.checklist.len(), 4);
    assert_eq!(
        p.checklist[3],
        "People around you know you are busy until 10:30"
    );
}

#[test]
fn a_plan_survives_a_json_round_trip() {
    let p = plan_of(Method::Pomodoro, 90);
    let json = serde_json::to_string(&p).unwrap();
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema"], 1);
    assert_eq!(value["blocks"][0]["kind"], "work");
    assert_eq!(value["blocks"][0]["start"], "2026-11-20T09:00:00+01:00");
    assert_eq!(value["blocks"][1]["kind"], "break");
}

#[test]
fn plans_cross_midnight() {
    let mut r = request(Method::Pomodoro, 60);
    r.start = at(23, 30);
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(
        p.end.date_naive(),
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    );
    assert_eq!(p.end.format("%H:%M").to_string(), "00:30");
}

#[test]
fn an_empty_goal_in_the_list_leaves_its_block_open() {
    let mut r = request(Method::Pomodoro, 90);
    r.block_goals = vec![
        "intro".into(),
        String::new(),
        "conclusion".into(),
        " ".into(),
    ];
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(goals(&p), [Some("intro"), None, Some("conclusion")]);

    let mut r = request(Method::Deep, 60);
    r.block_goals = vec!["a1".into(), "b2".into()];
    assert_eq!(
        plan(&r, &Rhythms::default()).unwrap_err().to_string(),
        "2 goals for 1 work block; give at most 1 with --goals, or plan more time"
    );
}

#[test]
fn typed_text_is_tidied_into_one_printable_line() {
    assert_eq!(tidy("  write\tthe\n\nintro  "), "write the intro");
    assert_eq!(tidy("\u{1b}]0;pwned\u{7}\u{1b}[2Jred"), "red");
    assert_eq!(tidy("\u{1b}[1;31mbold red\u{1b}[0m!"), "bold red!");
    assert_eq!(
        tidy("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
        "link"
    );
    assert_eq!(tidy("a\u{1b}Pq#0;1\u{1b}\\b"), "ab");
    assert_eq!(tidy("\u{9b}2Jclear\u{1b}Mup\u{1b}"), "clearup");
    assert_eq!(tidy("arrow\u{1b}[A keys"), "arrow keys");
    assert_eq!(tidy("a\rb\u{202e}c\u{85}d"), "a b c d");
    assert_eq!(tidy("\u{1b}"), "");

    let mut r = request(Method::Pomodoro, 30);
    r.task = "a\nEND:VCALENDAR\nb".into();
    r.goal = Some("\u{1b}[31m800 words\u{1b}[0m".into());
    let p = plan(&r, &Rhythms::default()).unwrap();
    assert_eq!(p.task, "a END:VCALENDAR b");
    assert_eq!(p.goal.as_deref(), Some("800 words"));
    r.task = "\u{1b}\n".into();
    assert_eq!(
        plan(&r, &Rhythms::default()).unwrap_err(),
        PlanError::EmptyTask
    );
}

#[test]
fn requests_built_by_hand_are_checked_too() {
    let rhythms = Rhythms::default();
    let mut r = request(Method::Pomodoro, 0);
    assert_eq!(plan(&r, &rhythms).unwrap_err(), PlanError::Length(0));
    r.minutes = Some(100_000);
    assert_eq!(plan(&r, &rhythms).unwrap_err(), PlanError::Length(100_000));
    let mut r = request(Method::Custom, 60);
    r.break_minutes = Some(0);
    assert_eq!(
        plan(&r, &rhythms).unwrap_err().to_string(),
        "a break lasts 1 minute to 12 hours, not 0 minutes"
    );
    let mut r = request(Method::Stacked, 60);
    r.minutes = None;
    r.stack = Some(Vec::new());
    assert_eq!(
        plan(&r, &rhythms).unwrap_err(),
        PlanError::Stack(StackError::Empty)
    );
}

#[test]
fn block_times_follow_the_time_zone_across_a_clock_change() {
    // A zone that moves from +01:00 to +02:00 at 02:00 local on 29 March 2026.
    #[derive(Clone, Copy, Debug)]
    struct Spring;
    fn offset_at(utc: chrono::NaiveDateTime) -> FixedOffset {
        let change = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(1, 0, 0)
            .unwrap();
        FixedOffset::east_opt(if utc < change { 3600 } else { 7200 }).unwrap()
    }
    impl TimeZone for Spring {
        type Offset = FixedOffset;
        fn from_offset(_: &FixedOffset) -> Self {
            Spring
        }
        fn offset_from_local_date(&self, _: &NaiveDate) -> chrono::LocalResult<FixedOffset> {
            unreachable!("not used by the planner")
        }
        fn offset_from_local_datetime(
            &self,
            local: &chrono::NaiveDateTime,
        ) -> chrono::LocalResult<FixedOffset> {
            chrono::LocalResult::Single(offset_at(*local - Duration::hours(1)))
        }
        fn offset_from_utc_date(&self, _: &NaiveDate) -> FixedOffset {
            unreachable!("not used by the planner")
        }
        fn offset_from_utc_datetime(&self, utc: &chrono::NaiveDateTime) -> FixedOffset {
            offset_at(*utc)
        }
    }
    let start = Spring.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
    let base = request(Method::Deep, 120);
    let r = PlanRequest {
        task: base.task,
        goal: base.goal,
        block_goals: base.block_goals,
        method: base.method,
        minutes: base.minutes,
        blocks: None,
        stack: base.stack,
        work: base.work,
        break_minutes: base.break_minutes,
        start,
    };
    let p = plan(&r, &Rhythms::default()).unwrap();
    let times: Vec<String> = p.blocks.iter().map(|b| b.end.to_rfc3339()).collect();
    assert_eq!(
        times,
        [
            "2026-03-29T01:55:00+01:00",
            "2026-03-29T03:05:00+02:00",
            "2026-03-29T04:00:00+02:00"
        ]
    );
    assert_eq!(p.end.to_rfc3339(), "2026-03-29T04:00:00+02:00");
    assert_eq!(
        p.checklist[3],
        "People around you know you are busy until 04:00"
    );
}

#[test]
fn a_new_session_goal_reaches_a_one_block_plans_block_unless_it_has_its_own() {
    let block_goal = |p: &Plan| match &p.work_blocks().next().unwrap().kind {
        BlockKind::Work { goal, .. } => goal.clone(),
        BlockKind::Break { .. } => unreachable!("a work block"),
    };
    // The block took the session's goal; a new one replaces both.
    let mut p = plan_of(Method::Pomodoro, 25);
    assert_eq!(block_goal(&p).as_deref(), Some("800 words"));
    set_goal(&mut p, Some("the intro"));
    assert_eq!(p.goal.as_deref(), Some("the intro"));
    assert_eq!(block_goal(&p).as_deref(), Some("the intro"));
    // A goal of the block's own stays.
    let mut r = request(Method::Pomodoro, 25);
    r.block_goals = vec!["outline".into()];
    let mut p = plan(&r, &Rhythms::default()).unwrap();
    set_goal(&mut p, Some("the intro"));
    assert_eq!(block_goal(&p).as_deref(), Some("outline"));
}
