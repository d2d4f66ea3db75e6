//! The plan words, table-driven: every phrasing in `tests/fixtures/plan_words.txt` goes through
//! the reader, the request and the planner as `/plan` and `focus plan` take it, and what comes
//! out is checked against its row. Then properties over any input: the reader never panics,
//! and every word it is given is in the task or in a setting it reports.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, TimeZone};
use focus::session::request::{amend, request};
use focus::session::words::{Asked, read, read_with_taken};
use focus::session::{Method, Rhythms, plan};
use proptest::prelude::*;

const TABLE: &str = include_str!("../fixtures/plan_words.txt");

/// The table's "now": Friday 20 November 2026, 08:00 at UTC+1.
fn now() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 20, 8, 0, 0)
        .unwrap()
}

/// What the words come to, as the table writes it: `task | minutes | method | work blocks |
/// start`, or `! the message` when they are refused. `a >> b`: the words `b` change the
/// request of `a`, as `/plan b` does under a drafted plan.
fn outcome(words: &str) -> String {
    let asked = match words.split_once(" >> ") {
        Some((first, change)) => read(first).and_then(|base| Ok(amend(&base, read(change)?))),
        None => read(words),
    };
    let asked = match asked {
        Ok(asked) => asked,
        Err(error) => return format!("! {error}"),
    };
    match planned(&asked) {
        Ok(row) => row,
        Err(error) => format!("! {error}"),
    }
}

fn planned(asked: &Asked) -> Result<String, String> {
    let request =
        request(asked, Method::Auto, &Rhythms::default(), &now()).map_err(|e| e.to_string())?;
    let plan = plan(&request, &Rhythms::default()).map_err(|e| e.to_string())?;
    let work: Vec<String> = plan.work_blocks().map(|b| b.minutes.to_string()).collect();
    let start = if plan.start == now() {
        "now".to_owned()
    } else if plan.start.date_naive() == now().date_naive() {
        plan.start.format("%H:%M").to_string()
    } else {
        plan.start.format("%a %H:%M").to_string()
    };
    let mut row = format!(
        "{} | {} | {} | {} | {start}",
        plan.task,
        plan.total_minutes,
        plan.method,
        work.join(" ")
    );
    if let Some(goal) = &plan.goal {
        let _ = write!(row, " | goal: {goal}");
    }
    Ok(row)
}

#[test]
fn every_phrasing_in_the_table_reads_as_its_row() {
    let mut rows = 0;
    let mut wrong = Vec::new();
    for line in TABLE.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (words, expected) = line
            .split_once(" => ")
            .unwrap_or_else(|| panic!("a row is `words => outcome`: {line}"));
        rows += 1;
        let got = outcome(words);
        if got != expected {
            wrong.push(format!(
                "{words}\n    expected: {expected}\n    got:      {got}"
            ));
        }
    }
    assert!(rows >= 150, "the table has {rows} rows");
    assert!(
        wrong.is_empty(),
        "{} rows differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The words of `text`, less punctuation at their ends, in lower case.
fn words_of(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// A word from the vocabulary of plan requests, or of tasks.
fn plan_word() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        "write",
        "the",
        "report",
        "review",
        "budget",
        "for",
        "50m",
        "2",
        "hours",
        "until",
        "16:00",
        "goal:",
        "goals:",
        "800",
        "words",
        "3",
        "pomodoros",
        "deep",
        "work",
        "at",
        "9am",
        "9",
        "tomorrow",
        "from",
        "to",
        "50/10",
        "micro",
        "sessions",
        "on",
        "x",
        "15",
        "minutes",
        ",",
        ";",
        ":",
        "an",
        "hour",
        "and",
        "a",
        "half",
        "blocks",
        "of",
        "break",
        "5",
        "then",
        "->",
        "lunch",
        "I",
        "have",
        "please",
        "with",
        "in",
        "by",
        "4pm",
        "\"",
        "today",
        "two",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_reader_never_panics_on_any_text(text in "\\PC{0,300}") {
        let _ = read(&text);
    }

    #[test]
    fn the_reader_never_panics_on_plan_words(words in proptest::collection::vec(plan_word(), 0..40)) {
        let _ = read(&words.join(" "));
    }

    /// Every word given is in the task or in what the reader reports it took out.
    #[test]
    fn every_word_is_in_the_task_or_taken_out(
        words in proptest::collection::vec(plan_word(), 1..24)
    ) {
        let text = words.join(" ");
        if let Ok((asked, taken)) = read_with_taken(&text) {
            let mut kept = words_of(&asked.task);
            for piece in &taken {
                kept.extend(words_of(piece));
            }
            for word in words_of(&text) {
                prop_assert!(
                    kept.contains(&word),
                    "{text:?}: {word:?} is neither in the task {:?} nor in {taken:?}",
                    asked.task
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn the_reader_never_panics_on_ten_kilobyte_lines(
        text in "[a-z0-9 :,;/.'\"()-]{10000,10240}"
    ) {
        let _ = read(&text);
    }
}
