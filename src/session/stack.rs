//! Stacked sessions: a chain the person writes out, such as
//! `research 10, break 5, write 15, break 5, edit 10`.
//!
//! Steps are separated by commas, semicolons, `->`, `→` or `then`. Each step is a label and a
//! length in any form [`parse_minutes`] takes, in either order (`write 15`, `15m write`).
//! A step labelled `break`, `rest` or `pause` is a break (`long break` a long one).

use super::duration::{DurationError, MAX_MINUTES, format_minutes, parse_minutes};

/// One step of a stacked chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Work { label: String, minutes: u32 },
    Break { minutes: u32, long: bool },
}

impl Step {
    pub fn minutes(&self) -> u32 {
        match self {
            Step::Work { minutes, .. } | Step::Break { minutes, .. } => *minutes,
        }
    }
}

/// Why a chain cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StackError {
    #[error("the stack is empty; write it like \"research 10, break 5, write 15\"")]
    Empty,
    #[error("stack step `{step}` has no length; write it like \"write 15\"")]
    NoLength { step: String },
    #[error(
        "stack step `{step}` has no label; say what the {minutes} are for, e.g. \"write {minutes}\""
    )]
    NoLabel { step: String, minutes: String },
    #[error("stack step `{step}`: {source}")]
    Length { step: String, source: DurationError },
    #[error("stack step `{step}` holds two lengths; separate the steps with commas")]
    TwoLengths { step: String },
    #[error("the stack has no work step, only breaks")]
    OnlyBreaks,
    #[error("the stack starts with a break; start with the work and let the breaks follow")]
    StartsWithBreak,
    #[error("the stack has two breaks in a row (step {0}); merge them into one")]
    BreaksInARow(usize),
    #[error("the stack adds up to {0}, more than 12 hours; split it into several sessions")]
    TooLong(String),
}

/// Parses a chain of steps and checks that it makes a session.
pub fn parse_stack(text: &str) -> Result<Vec<Step>, StackError> {
    let normalised = text.replace("->", ",").replace(['→', ';'], ",");
    let mut steps = Vec::new();
    for piece in normalised.split(',') {
        for words in split_then(piece) {
            if !words.is_empty() {
                steps.push(parse_step(&words)?);
            }
        }
    }
    check(&steps)?;
    Ok(steps)
}

/// Splits a piece into the word lists around each standalone "then".
fn split_then(piece: &str) -> Vec<Vec<&str>> {
    let mut groups = vec![Vec::new()];
    for word in piece.split_whitespace() {
        if word.eq_ignore_ascii_case("then") {
            groups.push(Vec::new());
        } else if let Some(group) = groups.last_mut() {
            group.push(word);
        }
    }
    groups
}

fn parse_step(words: &[&str]) -> Result<Step, StackError> {
    let step = words.join(" ");
    let n = words.len();
    // The length is at the end ("write 15", "research 1 hour 30") or at the start
    // ("15m write"); the longest run of words that reads as a length wins.
    let suffixes = (1..=n).rev().map(|k| (&words[..n - k], &words[n - k..]));
    let prefixes = (1..=n).rev().map(|k| (&words[k..], &words[..k]));
    let mut first_error = None;
    for (label, length) in suffixes.chain(prefixes) {
        match parse_minutes(&length.join(" ")) {
            Ok(minutes) => return make_step(&step, label, minutes),
            Err(
                err @ (DurationError::Zero(_)
                | DurationError::Negative(_)
                | DurationError::TooLong(_)
                | DurationError::Seconds(_)
                | DurationError::Fraction(_)),
            ) => {
                first_error.get_or_insert(err);
            }
            Err(_) => {}
        }
    }
    match first_error {
        Some(source) => Err(StackError::Length { step, source }),
        None => Err(StackError::NoLength { step }),
    }
}

fn make_step(step: &str, label: &[&str], minutes: u32) -> Result<Step, StackError> {
    // A length with a unit left in the label means two steps ran together ("write 10m edit 5").
    if label
        .iter()
        .any(|w| w.chars().any(char::is_alphabetic) && parse_minutes(w).is_ok())
    {
        return Err(StackError::TwoLengths {
            step: step.to_owned(),
        });
    }
    let label = label.join(" ");
    match label.to_lowercase().as_str() {
        "" => Err(StackError::NoLabel {
            step: step.to_owned(),
            minutes: format_minutes(minutes),
        }),
        "break" | "rest" | "pause" | "short break" => Ok(Step::Break {
            minutes,
            long: false,
        }),
        "long break" | "long rest" => Ok(Step::Break {
            minutes,
            long: true,
        }),
        _ => Ok(Step::Work { label, minutes }),
    }
}

/// Checks that steps make a session: work first, no two breaks in a row, at most 12 hours.
pub fn check(steps: &[Step]) -> Result<(), StackError> {
    let Some(first) = steps.first() else {
        return Err(StackError::Empty);
    };
    if steps.iter().all(|s| matches!(s, Step::Break { .. })) {
        return Err(StackError::OnlyBreaks);
    }
    if matches!(first, Step::Break { .. }) {
        return Err(StackError::StartsWithBreak);
    }
    if let Some(i) = steps
        .windows(2)
        .position(|w| matches!(w, [Step::Break { .. }, Step::Break { .. }]))
    {
        return Err(StackError::BreaksInARow(i + 2));
    }
    let total: u32 = steps.iter().map(Step::minutes).sum();
    if total > MAX_MINUTES {
        return Err(StackError::TooLong(format_minutes(total)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn parses_the_workflow_example() {
        let steps = parse_stack("research 10, break 5, write 15, break 5, edit 10").unwrap();
        assert_eq!(
            steps,
            vec![
                work("research", 10),
                rest(5),
                work("write", 15),
                rest(5),
                work("edit", 10)
            ]
        );
    }

    #[test]
    fn accepts_other_separators_and_length_forms() {
        let steps = parse_stack(
            "read the paper 20m -> rest 5 → 1h write notes; long break 15m then edit 10",
        )
        .unwrap();
        assert_eq!(
            steps,
            vec![
                work("read the paper", 20),
                rest(5),
                work("write notes", 60),
                Step::Break {
                    minutes: 15,
                    long: true
                },
                work("edit", 10),
            ]
        );
    }

    #[test]
    fn the_longest_length_wins() {
        assert_eq!(parse_stack("write 1h 30").unwrap(), vec![work("write", 90)]);
        assert_eq!(
            parse_stack("write 1 hour 30 minutes").unwrap(),
            vec![work("write", 90)]
        );
        assert_eq!(parse_stack("1h 30 write").unwrap(), vec![work("write", 90)]);
        assert_eq!(
            parse_stack("fix issue 42 10").unwrap(),
            vec![work("fix issue 42", 10)]
        );
        assert_eq!(
            parse_stack("write 10m edit 5"),
            Err(StackError::TwoLengths {
                step: "write 10m edit 5".into()
            })
        );
    }

    #[test]
    fn non_ascii_labels_are_kept_whole() {
        assert_eq!(
            parse_stack("e\u{212a} then a 5"),
            Err(StackError::NoLength {
                step: "e\u{212a}".into()
            })
        );
        assert_eq!(
            parse_stack("Stra\u{1e9e}e 10 then edit 5").unwrap(),
            vec![work("Stra\u{1e9e}e", 10), work("edit", 5)]
        );
        assert_eq!(
            parse_stack("İstanbul notes 10 THEN edit 5").unwrap(),
            vec![work("İstanbul notes", 10), work("edit", 5)]
        );
    }

    #[test]
    fn a_label_containing_then_as_part_of_a_word_is_kept() {
        let steps = parse_stack("strengthen tests 20").unwrap();
        assert_eq!(steps, vec![work("strengthen tests", 20)]);
    }

    #[test]
    fn rejects_chains_that_are_not_sessions() {
        assert_eq!(parse_stack(""), Err(StackError::Empty));
        assert_eq!(parse_stack(" , "), Err(StackError::Empty));
        assert_eq!(parse_stack("break 5"), Err(StackError::OnlyBreaks));
        assert_eq!(
            parse_stack("break 5, write 10"),
            Err(StackError::StartsWithBreak)
        );
        assert_eq!(
            parse_stack("write 10, break 5, rest 5, edit 5"),
            Err(StackError::BreaksInARow(3))
        );
        assert_eq!(
            parse_stack("write, edit 5"),
            Err(StackError::NoLength {
                step: "write".into()
            })
        );
        assert_eq!(
            parse_stack("15"),
            Err(StackError::NoLabel {
                step: "15".into(),
                minutes: "15m".into()
            })
        );
        assert_eq!(
            parse_stack("write 8h, edit 5h"),
            Err(StackError::TooLong("13h".into()))
        );
        assert!(matches!(
            parse_stack("write 0"),
            Err(StackError::Length { .. })
        ));
    }
}
