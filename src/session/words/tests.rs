//! The reader's rules, one test per rule or family of phrasings.

use super::*;
use chrono::{NaiveDate, NaiveTime};

fn asked(text: &str) -> Asked {
    read(text).unwrap_or_else(|e| panic!("{text:?} should read, got: {e}"))
}

fn error(text: &str) -> WordsError {
    match read(text) {
        Ok(asked) => panic!("{text:?} should fail, got {asked:?}"),
        Err(e) => e,
    }
}

fn mins(m: u32) -> Length {
    Length::Minutes(m)
}

fn until(h: u32, m: u32) -> Length {
    let time = NaiveTime::from_hms_opt(h, m, 0).unwrap();
    Length::Until(Time::At(ClockTime::TimeOfDay(time)))
}

fn work(label: &str, minutes: u32) -> Step {
    Step::Work {
        label: label.into(),
        minutes,
    }
}

fn rest(minutes: u32) -> Step {
    Step::Break {
        minutes,
        long: false,
    }
}

/// Checks the task and the length, and that nothing else was read.
fn task_and_length(text: &str, task: &str, length: Option<Length>) {
    assert_eq!(
        asked(text),
        Asked {
            task: task.into(),
            length,
            ..Asked::default()
        },
        "{text}"
    );
}

// --- The examples the reader is built for ---------------------------------------------

#[test]
fn a_task_a_length_and_a_goal() {
    assert_eq!(
        asked("write the blog post draft for 90 minutes, goal 800 words"),
        Asked {
            task: "write the blog post draft".into(),
            length: Some(mins(90)),
            goal: Some("800 words".into()),
            ..Asked::default()
        }
    );
}

#[test]
fn i_have_two_hours_for_deep_work() {
    assert_eq!(
        asked("I have 2 hours for deep work on the API design doc"),
        Asked {
            task: "the API design doc".into(),
            length: Some(mins(120)),
            method: Some(Method::Deep),
            ..Asked::default()
        }
    );
}

#[test]
fn settings_as_clauses_of_their_own() {
    assert_eq!(
        asked("Learn Spanish vocabulary, 30m, micro"),
        Asked {
            task: "Learn Spanish vocabulary".into(),
            length: Some(mins(30)),
            method: Some(Method::Micro),
            ..Asked::default()
        }
    );
}

#[test]
fn end_times() {
    task_and_length("review PRs until 16:00", "review PRs", Some(until(16, 0)));
    task_and_length("review PRs until 4pm", "review PRs", Some(until(16, 0)));
    task_and_length("review PRs till 16:30", "review PRs", Some(until(16, 30)));
    task_and_length("review PRs til 4:30 pm.", "review PRs", Some(until(16, 30)));
    task_and_length("review PRs 'til noon", "review PRs", Some(until(12, 0)));
    task_and_length(
        "Until 9am: triage the inbox",
        "triage the inbox",
        Some(until(9, 0)),
    );
    let at = NaiveDate::from_ymd_opt(2026, 11, 20)
        .unwrap()
        .and_hms_opt(16, 0, 0)
        .unwrap();
    assert_eq!(
        asked("ship the release until 2026-11-20 16:00").length,
        Some(Length::Until(Time::At(ClockTime::At(at))))
    );
}

#[test]
fn a_length_and_a_method_at_the_end() {
    assert_eq!(
        asked("refactor the parser 1h30 pomodoro"),
        Asked {
            task: "refactor the parser".into(),
            length: Some(mins(90)),
            method: Some(Method::Pomodoro),
            ..Asked::default()
        }
    );
}

#[test]
fn lengths_in_every_form() {
    for (text, length) in [
        ("refactor the parser for 1.5 hours", 90),
        ("refactor the parser for an hour", 60),
        ("refactor the parser for half an hour", 30),
        ("refactor the parser for a half hour", 30),
        ("refactor the parser for an hour and a half", 90),
        ("refactor the parser for 2 and a half hours", 150),
        ("refactor the parser for a quarter of an hour", 15),
        ("refactor the parser for three quarters of an hour", 45),
        ("refactor the parser for 45 min", 45),
        ("refactor the parser for 2h", 120),
        ("refactor the parser for two hours", 120),
        ("refactor the parser for forty-five minutes", 45),
        ("refactor the parser for 1 hour and 30 minutes", 90),
        ("refactor the parser for about 2 hours", 120),
        ("refactor the parser for the next 40 minutes", 40),
        ("refactor the parser in 25m", 25),
        ("refactor the parser within 1h 15m", 75),
        ("refactor the parser 2h", 120),
        ("refactor the parser, 1h30.", 90),
        ("refactor the parser (45m)", 45),
        ("refactor the parser for 20", 20),
    ] {
        task_and_length(text, "refactor the parser", Some(mins(length)));
    }
}

#[test]
fn a_stack_after_a_colon() {
    assert_eq!(
        asked("Blog post: research 10, break 5, write 15, break 5, edit 10"),
        Asked {
            task: "Blog post".into(),
            stack: Some(vec![
                work("research", 10),
                rest(5),
                work("write", 15),
                rest(5),
                work("edit", 10)
            ]),
            ..Asked::default()
        }
    );
}

#[test]
fn a_stack_named_as_such_and_with_a_goal() {
    let asked = asked("Blog post stack: research 10 -> write 15, goal: a first draft");
    assert_eq!(asked.task, "Blog post");
    assert_eq!(asked.goal.as_deref(), Some("a first draft"));
    assert_eq!(
        asked.stack,
        Some(vec![work("research", 10), work("write", 15)])
    );
}

#[test]
fn block_goals() {
    let expected = Asked {
        task: "write the report".into(),
        length: Some(mins(90)),
        block_goals: vec!["intro".into(), "method".into(), "results".into()],
        ..Asked::default()
    };
    assert_eq!(
        asked("write the report for 90m goals: intro; method; results"),
        expected
    );
    assert_eq!(
        asked("write the report for 90m, goals: intro, method, results."),
        expected
    );
    // A blank keeps its block's place; blanks at the end go.
    assert_eq!(
        asked("write the report for 90m goals: intro;; results;").block_goals,
        vec!["intro".to_owned(), String::new(), "results".to_owned()]
    );
}

#[test]
fn every_goal_phrasing() {
    for text in [
        "write the post, goal: 800 words",
        "write the post goal: 800 words",
        "write the post, goal 800 words",
        "write the post for 1h goal 800 words",
        "write the post, aim: 800 words",
        "write the post, aim for 800 words",
        "write the post aiming for 800 words",
        "write the post, target: 800 words",
        "write the post, target 800 words",
        "write the post, objective: 800 words",
        "write the post with the goal of 800 words",
        "write the post goal:800 words",
    ] {
        let asked = asked(text);
        assert_eq!(asked.task, "write the post", "{text}");
        assert_eq!(asked.goal.as_deref(), Some("800 words"), "{text}");
    }
    let asked = asked("refactor the parser so that the tests pass");
    assert_eq!(asked.task, "refactor the parser");
    assert_eq!(asked.goal.as_deref(), Some("the tests pass"));
}

#[test]
fn settings_after_a_goal_are_read() {
    assert_eq!(
        asked("write the post, goal: 800 words, 90m, deep work"),
        Asked {
            task: "write the post".into(),
            length: Some(mins(90)),
            goal: Some("800 words".into()),
            method: Some(Method::Deep),
            ..Asked::default()
        }
    );
    let asked = asked("write the post aiming for 800 words in 90 minutes");
    assert_eq!(asked.goal.as_deref(), Some("800 words"));
    assert_eq!(asked.length, Some(mins(90)));
    // Without punctuation or a marker, the words stay in the goal.
    let goal = read("write the post, goal: 800 words 90m").unwrap().goal;
    assert_eq!(goal.as_deref(), Some("800 words 90m"));
}

#[test]
fn work_and_break_rhythms_in_words() {
    for text in [
        "write the report for 2h 50/10",
        "write the report for 2h, work 50 break 10",
        "write the report for 2h work 50, break 10",
        "write the report for 2h in 50 minute blocks with 10-minute breaks",
    ] {
        let asked = asked(text);
        assert_eq!(asked.task, "write the report", "{text}");
        assert_eq!(asked.length, Some(mins(120)), "{text}");
        assert_eq!(
            (asked.work, asked.break_minutes),
            (Some(50), Some(10)),
            "{text}"
        );
        assert_eq!(asked.method, None, "{text}");
    }
    let pomodoros = asked("study for 2h in 30 min pomodoros");
    assert_eq!(pomodoros.task, "study");
    assert_eq!(pomodoros.work, Some(30));
    assert_eq!(pomodoros.method, Some(Method::Pomodoro));
    // A session-sized length before "pomodoros" is the session's.
    let session = asked("study 2h pomodoros");
    assert_eq!(session.length, Some(mins(120)));
    assert_eq!(session.work, None);
    assert_eq!(session.method, Some(Method::Pomodoro));
}

#[test]
fn methods_in_words() {
    for (text, method) in [
        ("tidy the backlog for 1h with pomodoros", Method::Pomodoro),
        (
            "tidy the backlog for 1h using the pomodoro technique",
            Method::Pomodoro,
        ),
        ("tidy the backlog for 1h in micro sessions", Method::Micro),
        ("tidy the backlog for 1h, deep", Method::Deep),
        ("tidy the backlog for 1h method: deep", Method::Deep),
        ("tidy the backlog for 1h method custom", Method::Custom),
        ("tidy the backlog 1h deep work", Method::Deep),
        ("tidy the backlog for 1h, auto", Method::Auto),
        ("tidy the backlog for 1h pomodoro style", Method::Pomodoro),
    ] {
        let asked = asked(text);
        assert_eq!(asked.task, "tidy the backlog", "{text}");
        assert_eq!(asked.method, Some(method), "{text}");
        assert_eq!(asked.length, Some(mins(60)), "{text}");
    }
}

// --- The task keeps the person's words ---------------------------------------------------

#[test]
fn numbers_in_the_task_stay() {
    task_and_length("write 3 tests for 25m", "write 3 tests", Some(mins(25)));
    task_and_length("read chapter 12", "read chapter 12", None);
    task_and_length("fix issue 42 in 10 minutes", "fix issue 42", Some(mins(10)));
    task_and_length("read 2 chapters, 1h", "read 2 chapters", Some(mins(60)));
}

#[test]
fn time_phrases_that_are_not_lengths_stay() {
    task_and_length(
        "prepare the 10 minute demo",
        "prepare the 10 minute demo",
        None,
    );
    task_and_length(
        "write the 5 min talk for 1h",
        "write the 5 min talk",
        Some(mins(60)),
    );
    task_and_length(
        "review the 2-hour lecture for 30m",
        "review the 2-hour lecture",
        Some(mins(30)),
    );
    task_and_length(
        "run 10 min drills for 1h",
        "run 10 min drills",
        Some(mins(60)),
    );
    // With no other length, a length before a noun is still the task's.
    task_and_length("run 10 min drills", "run 10 min drills", None);
    task_and_length(
        "record 2 hour podcast intro",
        "record 2 hour podcast intro",
        None,
    );
    task_and_length(
        "plan the 9am meeting agenda for 20m",
        "plan the 9am meeting agenda",
        Some(mins(20)),
    );
    task_and_length(
        "count until the tests pass for 20m",
        "count until the tests pass",
        Some(mins(20)),
    );
}

#[test]
fn method_and_goal_words_in_the_task_stay() {
    task_and_length(
        "read about pomodoro for 20m",
        "read about pomodoro",
        Some(mins(20)),
    );
    task_and_length(
        "read about deep work for 20m",
        "read about deep work",
        Some(mins(20)),
    );
    task_and_length(
        "dive deep into the logs for 30m",
        "dive deep into the logs",
        Some(mins(30)),
    );
    task_and_length(
        "fix micro benchmarks for 30m",
        "fix micro benchmarks",
        Some(mins(30)),
    );
    task_and_length(
        "review quarterly goals for 30m",
        "review quarterly goals",
        Some(mins(30)),
    );
    task_and_length(
        "set the target for Q3, 1h",
        "set the target for Q3",
        Some(mins(60)),
    );
    task_and_length("Goal setting for 30m", "Goal setting", Some(mins(30)));
}

#[test]
fn quotes_guard_the_task() {
    task_and_length(r#""write for 90 minutes""#, "write for 90 minutes", None);
    task_and_length(
        r#""deep work on the doc" for 1h"#,
        "deep work on the doc",
        Some(mins(60)),
    );
    task_and_length(
        "fix the 'save' button for 30m",
        "fix the 'save' button",
        Some(mins(30)),
    );
    task_and_length("“Ship it” for 30m", "Ship it", Some(mins(30)));
    task_and_length("review Bob's PR for 30m", "review Bob's PR", Some(mins(30)));
}

#[test]
fn filler_and_dangling_connectors_go() {
    task_and_length(
        "I want to write the report for 1h.",
        "write the report",
        Some(mins(60)),
    );
    task_and_length(
        "I want to spend 2 hours on the API doc",
        "the API doc",
        Some(mins(120)),
    );
    task_and_length(
        "I've got 45 min to review Bob's PR",
        "review Bob's PR",
        Some(mins(45)),
    );
    task_and_length(
        "I have about 2 hours for the migration",
        "the migration",
        Some(mins(120)),
    );
    task_and_length(
        "Please help me finish the slides, 25m",
        "finish the slides",
        Some(mins(25)),
    );
    task_and_length("2 hours on the API doc", "the API doc", Some(mins(120)));
    task_and_length(
        "For 90 minutes, write the report",
        "write the report",
        Some(mins(90)),
    );
    task_and_length("Write the report.", "Write the report", None);
}

#[test]
fn connectors_that_belong_to_the_task_stay() {
    task_and_length(
        "decide what to work on, 30m",
        "decide what to work on",
        Some(mins(30)),
    );
    task_and_length(
        "write the intro for 30m then edit",
        "write the intro then edit",
        Some(mins(30)),
    );
    let asked = asked("work on the report with pomodoros on the server for 1h");
    assert_eq!(asked.task, "work on the report on the server");
    assert_eq!(asked.method, Some(Method::Pomodoro));
}

#[test]
fn a_colon_without_a_chain_is_part_of_the_task() {
    task_and_length("Chapter 3: read for 30m", "Chapter 3: read", Some(mins(30)));
    task_and_length(
        "Report: intro, method, results for 90m",
        "Report: intro, method, results",
        Some(mins(90)),
    );
}

#[test]
fn a_length_said_twice_the_same_way_is_fine() {
    let asked = asked("write the post for 90m, for 1h30, deep work, with deep work");
    assert_eq!(asked.length, Some(mins(90)));
    assert_eq!(asked.method, Some(Method::Deep));
    assert_eq!(asked.task, "write the post");
}

#[test]
fn a_compact_length_may_open_the_text() {
    task_and_length("30m review PRs", "review PRs", Some(mins(30)));
    task_and_length("30m: review PRs", "review PRs", Some(mins(30)));
    // In words, it may be part of the task.
    task_and_length("10 minute demo prep", "10 minute demo prep", None);
    task_and_length(
        "10-minute demo prep for 20m",
        "10-minute demo prep",
        Some(mins(20)),
    );
    let deep = asked("2h deep work: API design doc");
    assert_eq!(deep.task, "API design doc");
    assert_eq!(deep.length, Some(mins(120)));
    assert_eq!(deep.method, Some(Method::Deep));
}

#[test]
fn bare_numbers_are_lengths_only_at_a_clause_end_after_for() {
    task_and_length("email for 30", "email", Some(mins(30)));
    task_and_length("email for 30 people", "email for 30 people", None);
    task_and_length(
        "learn about 2 hours of history",
        "learn about 2 hours of history",
        None,
    );
    task_and_length(
        "   write   the    report   for 50m  ",
        "write the report",
        Some(mins(50)),
    );
}

#[test]
fn end_times_in_other_words() {
    task_and_length("write tests until 17", "write tests", Some(until(17, 0)));
    task_and_length("finish slides by 4pm", "finish slides", Some(until(16, 0)));
    task_and_length("review PRs by 4:30pm", "review PRs", Some(until(16, 30)));
    // "by" before a number that is not a clock time is part of the task.
    task_and_length(
        "cut the build time by 5, 1h",
        "cut the build time by 5",
        Some(mins(60)),
    );
    // Words about time that no clock places stay in the task, noted for the question.
    let vague = asked("write tests until lunch");
    assert_eq!(
        (vague.task.as_str(), vague.length, vague.vague.as_deref()),
        ("write tests until lunch", None, Some("until lunch"))
    );
}

#[test]
fn settings_after_a_chain_or_inside_brackets() {
    let asked = asked("Blog post: research 10, break 5, write 15 for 30m");
    assert_eq!(asked.task, "Blog post");
    assert_eq!(asked.length, Some(mins(30)));
    assert_eq!(
        asked.stack,
        Some(vec![work("research", 10), rest(5), work("write", 15)])
    );
    let bracketed = read("write the report (goal: 3 pages) for 1h").unwrap();
    assert_eq!(bracketed.task, "write the report");
    assert_eq!(bracketed.goal.as_deref(), Some("3 pages"));
    assert_eq!(bracketed.length, Some(mins(60)));
}

#[test]
fn one_work_step_and_a_break_is_a_rhythm_not_a_chain() {
    let asked = asked("code 40m, 10m break");
    assert_eq!(asked.task, "code");
    assert_eq!(asked.length, Some(mins(40)));
    assert_eq!(asked.break_minutes, Some(10));
    assert_eq!(asked.stack, None);
}

#[test]
fn the_strongest_length_wins() {
    // "for 1h" is the session's; "in 5 min" stays with the task.
    task_and_length(
        "sketch ideas in 5 min bursts for 1h",
        "sketch ideas in 5 min bursts",
        Some(mins(60)),
    );
}

// --- Errors ---------------------------------------------------------------------------------

#[test]
fn words_with_no_task_are_settings_alone() {
    for text in ["", "   ", "for 50m", "I have 2 hours", r#""""#, "30m micro"] {
        assert_eq!(asked(text).task, "", "{text:?}");
    }
}

#[test]
fn two_different_values_for_one_part() {
    assert_eq!(
        error("write the report for 90m, for 2h").to_string(),
        "two lengths: \"for 90m\" and \"for 2h\"; keep one, or put the task in quotes if it holds the other"
    );
    assert_eq!(
        error("write the report for 1h until 16:00"),
        WordsError::Twice {
            what: "lengths",
            first: "for 1h".into(),
            second: "until 16:00".into()
        }
    );
    assert!(matches!(
        error("write the report, 30m, 1h"),
        WordsError::Twice {
            what: "lengths",
            ..
        }
    ));
    assert_eq!(
        error("write the report for 1h with pomodoros, micro"),
        WordsError::Twice {
            what: "methods",
            first: "pomodoro".into(),
            second: "micro".into()
        }
    );
    assert!(matches!(
        error("write the report 50/10, work 40"),
        WordsError::Twice {
            what: "work lengths",
            ..
        }
    ));
}

#[test]
fn an_hour_said_alone_is_the_next_one_the_clock_shows() {
    assert_eq!(
        asked("review PRs until 5").length,
        Some(Length::Until(Time::Hour(5)))
    );
    assert_eq!(
        asked("review PRs till 5.").length,
        Some(Length::Until(Time::Hour(5)))
    );
    assert_eq!(asked("review PRs until 17").length, Some(until(17, 0)));
    // Not before a unit, and not after "by".
    assert_eq!(asked("cut the build by 5").length, None);
}

#[test]
fn lengths_out_of_range_after_for() {
    assert!(matches!(
        error("write the book for 13 hours"),
        WordsError::BadLength {
            source: DurationError::TooLong(_),
            ..
        }
    ));
    assert_eq!(
        error("stretch for 30 seconds").to_string(),
        "\"for 30 seconds\": `30 seconds` uses seconds; focus counts whole minutes (e.g. 1m)"
    );
    assert!(matches!(
        error("stretch for 0"),
        WordsError::BadLength {
            source: DurationError::Zero(_),
            ..
        }
    ));
}

#[test]
fn broken_and_taskless_chains() {
    assert_eq!(
        error("Blog post: research 10, break 5, write 15, 90m"),
        WordsError::Stack(StackError::NoLabel {
            step: "90m".into(),
            minutes: "1h 30m".into()
        })
    );
    assert_eq!(
        error("research 10, break 5, write 15"),
        WordsError::StackWithoutTask
    );
    assert_eq!(
        error("research 10, break 5, write 15").to_string(),
        "say what the chain is for, then a colon, e.g. /plan Blog post: research 10, break 5, write 15"
    );
    // Without a break, two timed pieces are a task and a length.
    task_and_length(
        "read chapter 12, write summary 30m",
        "read chapter 12, write summary",
        Some(mins(30)),
    );
}

#[test]
fn empty_goals() {
    assert_eq!(
        error("write the report, goal:"),
        WordsError::EmptyGoal {
            marker: "goal:".into()
        }
    );
    assert_eq!(
        error("write the report goals: ;;").to_string(),
        "say the goal after \"goals:\", e.g. /plan write the report for 50m, goal: 800 words"
    );
    assert!(matches!(
        error("write the report, goal: , 50m"),
        WordsError::EmptyGoal { .. }
    ));
}

#[test]
fn every_error_is_one_line() {
    for text in [
        "x for 1h, for 2h",
        "x, goal:",
        "x for 13h",
        "x: a 10, break 5, 90m",
        "a 10, break 5, b 5",
    ] {
        let message = error(text).to_string();
        assert!(!message.contains('\n'), "{text}: {message}");
    }
}

// --- Counts -------------------------------------------------------------------------------

#[test]
fn counts_of_blocks_with_and_without_a_method() {
    let counted = |text: &str| {
        let a = asked(text);
        (a.task, a.count, a.method, a.work, a.length)
    };
    let none = None;
    for (text, task, count, method, work) in [
        (
            "3 micro sessions on email triage",
            "email triage",
            3,
            Some(Method::Micro),
            none,
        ),
        (
            "two pomodoros on the budget spreadsheet",
            "the budget spreadsheet",
            2,
            Some(Method::Pomodoro),
            none,
        ),
        (
            "2 deep work sessions on the API",
            "the API",
            2,
            Some(Method::Deep),
            none,
        ),
        (
            "email triage, 3 x 15 minutes",
            "email triage",
            3,
            None,
            Some(15),
        ),
        ("email triage 3x15m", "email triage", 3, None, Some(15)),
        (
            "four 25-minute blocks on the essay",
            "the essay",
            4,
            None,
            Some(25),
        ),
        (
            "2 blocks of 50m on the migration",
            "the migration",
            2,
            None,
            Some(50),
        ),
        (
            "a pomodoro on the inbox",
            "the inbox",
            1,
            Some(Method::Pomodoro),
            none,
        ),
        (
            "write the post in 3 pomodoros",
            "write the post",
            3,
            Some(Method::Pomodoro),
            none,
        ),
        (
            "a couple of pomodoros on taxes",
            "taxes",
            2,
            Some(Method::Pomodoro),
            none,
        ),
        ("3 sessions on the report", "the report", 3, None, none),
    ] {
        assert_eq!(
            counted(text),
            (task.to_owned(), Some(count), method, work, None),
            "{text}"
        );
    }
    // With a length as well: both are kept, for the planner to fit.
    let a = asked("3 pomodoros in 90m on the report");
    assert_eq!((a.count, a.length), (Some(3), Some(mins(90))));
}

#[test]
fn numbers_before_words_that_are_not_blocks_stay_in_the_task() {
    for (text, task) in [
        (
            "review 2 sessions of the conference for 1h",
            "review 2 sessions of the conference",
        ),
        ("write 3 blog posts for 2h", "write 3 blog posts"),
        ("prepare a session plan for 30m", "prepare a session plan"),
        ("plan the 3 sprints for 1h", "plan the 3 sprints"),
        ("answer 40 emails for 30m", "answer 40 emails"),
    ] {
        let a = asked(text);
        assert_eq!((a.task.as_str(), a.count), (task, None), "{text}");
    }
    assert_eq!(
        error("write the post in 3 pomodoros, 2 pomodoros"),
        WordsError::Twice {
            what: "counts of blocks",
            first: "3".into(),
            second: "2".into()
        }
    );
}

// --- Starts -------------------------------------------------------------------------------

#[test]
fn starts_and_spans_of_the_day() {
    let at = |h, m| {
        Time::At(ClockTime::TimeOfDay(
            NaiveTime::from_hms_opt(h, m, 0).unwrap(),
        ))
    };
    let today = |time| {
        Some(Start {
            tomorrow: false,
            at: time,
        })
    };
    let tomorrow = |time| {
        Some(Start {
            tomorrow: true,
            at: time,
        })
    };
    for (text, task, start, length) in [
        (
            "write the report at 9 for 1h",
            "write the report",
            today(Time::Hour(9)),
            Some(mins(60)),
        ),
        (
            "write the report at 9:30am for 1h",
            "write the report",
            today(at(9, 30)),
            Some(mins(60)),
        ),
        (
            "write the report from 15:00 to 16:00",
            "write the report",
            today(at(15, 0)),
            Some(until(16, 0)),
        ),
        (
            "write the report from 2 to 4",
            "write the report",
            today(Time::Hour(2)),
            Some(Length::Until(Time::Hour(4))),
        ),
        (
            "tomorrow 9am write the report for 1h",
            "write the report",
            tomorrow(at(9, 0)),
            Some(mins(60)),
        ),
        (
            "write the report tomorrow from 9 to 10:30",
            "write the report",
            tomorrow(Time::Hour(9)),
            Some(until(10, 30)),
        ),
        (
            "write the report tomorrow at 3, 2 pomodoros",
            "write the report",
            tomorrow(Time::Hour(3)),
            None,
        ),
        (
            "review PRs today at 4pm for 30m",
            "review PRs",
            today(at(16, 0)),
            Some(mins(30)),
        ),
        (
            "review PRs between 14:00 and 15:30",
            "review PRs",
            today(at(14, 0)),
            Some(until(15, 30)),
        ),
    ] {
        let a = asked(text);
        assert_eq!(
            (a.task.as_str(), a.start, a.length),
            (task, start, length),
            "{text}"
        );
    }
    // Words that are not a start stay in the task.
    for (text, task) in [
        ("prep for tomorrow for 30m", "prep for tomorrow"),
        ("meet at the office for 1h", "meet at the office"),
        ("read from page 9 for 20m", "read from page 9"),
    ] {
        let a = asked(text);
        assert_eq!((a.task.as_str(), a.start), (task, None), "{text}");
    }
}

#[test]
fn time_no_clock_places_is_noted() {
    for (text, vague) in [
        ("write until lunch", "until lunch"),
        ("write the summary after the meeting", "after the meeting"),
        ("clean up this afternoon", "this afternoon"),
        ("read tonight", "tonight"),
        ("code for a while", "for a while"),
        ("write until the end of the day", "until the end of the day"),
    ] {
        assert_eq!(asked(text).vague.as_deref(), Some(vague), "{text}");
    }
    // "for the next hour" is an hour from now.
    assert_eq!(asked("write for the next hour").length, Some(mins(60)));
}

#[test]
fn the_options_start_at_the_first_dash_word_outside_quotes() {
    assert_eq!(split_options("a b"), ("a b", None));
    assert_eq!(split_options("a --for 5m"), ("a", Some("--for 5m")));
    assert_eq!(split_options("a -m deep"), ("a", Some("-m deep")));
    assert_eq!(split_options("\"a -m\" -g x"), ("\"a -m\"", Some("-g x")));
    assert_eq!(split_options("don't -g x"), ("don't", Some("-g x")));
    assert_eq!(split_options("re-org - it -5"), ("re-org - it -5", None));
    assert_eq!(split_options("--for 5m a"), ("", Some("--for 5m a")));
    // Quotes as the lexer reads them: one with no close opens nothing, and a close may
    // carry punctuation.
    assert_eq!(
        split_options("'cause it's due --for 5m"),
        ("'cause it's due", Some("--for 5m"))
    );
    assert_eq!(split_options("\"a -m\", -g x"), ("\"a -m\",", Some("-g x")));
    assert_eq!(split_options("«a -m» -g x"), ("«a -m»", Some("-g x")));
}
