//! The plan as iCalendar (RFC 5545) events, one per block, breaks included: a break in the
//! calendar is time protected like the work around it.
//!
//! Times are written in UTC. Each event's UID is derived from the plan's start, the block's
//! position and the task, so importing the same plan twice updates the events instead of
//! duplicating them.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

use crate::session::{BlockKind, Plan, format_minutes};

/// The calendar for `plan`; `stamp` is when it was made (DTSTAMP).
pub fn render(plan: &Plan, stamp: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!("focus: {}", plan.task));
    let work_total = plan.work_blocks().count();
    let key = fnv1a(plan.task.as_bytes());
    for (index, block) in plan.blocks.iter().enumerate() {
        let (summary, description) = match &block.kind {
            BlockKind::Work {
                number,
                goal,
                label,
            } => {
                let what = label.as_deref().map_or(String::new(), |l| format!(" {l}"));
                let summary = format!("Focus {number}/{work_total}{what}: {}", plan.task);
                let description = format!(
                    "Block goal: {}\nSession goal: {}\n{} of focused work; one task only.",
                    goal.as_deref().unwrap_or("not set yet"),
                    plan.goal.as_deref().unwrap_or("not set yet"),
                    format_minutes(block.minutes)
                );
                (summary, description)
            }
            BlockKind::Break { long, suggestion } => {
                let kind = if *long { "Long break" } else { "Break" };
                (
                    format!("{kind}: {suggestion}"),
                    format!("A real break from: {}", plan.task),
                )
            }
        };
        calendar.push(
            Event::new()
                .uid(&format!(
                    "focus-{}-{}-{key:016x}@focus",
                    plan.start.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ"),
                    index + 1
                ))
                .timestamp(stamp)
                .summary(&summary)
                .description(&description)
                .starts(block.start.with_timezone(&Utc))
                .ends(block.end.with_timezone(&Utc))
                .done(),
        );
    }
    calendar.done().to_string()
}

/// One event written as the `icalendar` crate writes it, without building its maps (an export
/// writes thousands): `properties` are name and value (in pieces), in the crate's order (by
/// name); the
/// values of text properties are escaped, and every line is folded at 75 bytes the crate's
/// way, so the bytes are the same (checked against the crate in the tests).
pub fn write_event(out: &mut String, properties: &[(&str, &[&str])]) {
    out.push_str("BEGIN:VEVENT\r\n");
    for (name, value) in properties {
        let start = out.len();
        out.push_str(name);
        out.push(':');
        // A value given in pieces is written as their concatenation.
        for piece in *value {
            if matches!(*name, "DESCRIPTION" | "SUMMARY" | "UID") {
                escape_text(out, piece);
            } else {
                out.push_str(piece);
            }
        }
        if out.len() - start > FOLD_AT {
            let line = out.split_off(start);
            fold(out, &line);
        }
        out.push_str("\r\n");
    }
    out.push_str("END:VEVENT\r\n");
}

/// The longest content line, in bytes.
const FOLD_AT: usize = 75;

/// RFC 5545 text: backslash, comma, semicolon and newline escaped.
fn escape_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['\\', ',', ';', '\n']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'\\' => "\\\\",
            b',' => "\\,",
            b';' => "\\;",
            _ => "\\n",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// A content line folded into lines of at most 75 bytes, never inside a character, as the
/// `icalendar` crate folds it: a fold that would start the next line with whitespace moves
/// a byte back, the whitespace being looked up by character position.
fn fold(out: &mut String, line: &str) {
    const LIMIT: usize = FOLD_AT;
    let len = line.len();
    if len <= LIMIT {
        out.push_str(line);
        return;
    }
    // By character position, as the crate looks it up (the same as the byte in ASCII).
    let ascii = line.is_ascii();
    let chars: Vec<char> = if ascii {
        Vec::new()
    } else {
        line.chars().collect()
    };
    let space_at = |k: usize| {
        if ascii {
            line.as_bytes()
                .get(k)
                .is_some_and(|&b| char::from(b).is_whitespace())
        } else {
            chars.get(k).is_some_and(|c| c.is_whitespace())
        }
    };
    let mut remaining = len;
    let mut pos = 0;
    let mut next = LIMIT;
    while remaining > LIMIT {
        if space_at(next) {
            next -= 1;
        }
        while !line.is_char_boundary(next) {
            next -= 1;
            if space_at(next) {
                next -= 1;
            }
        }
        out.push_str(&line[pos..next]);
        out.push_str("\r\n ");
        remaining -= next - pos;
        pos = next;
        next += LIMIT - 1;
    }
    out.push_str(&line[len - remaining..]);
}

/// A stable 64-bit hash (FNV-1a): the same task always gives the same UIDs.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone};
    use proptest::prelude::*;

    use super::*;
    use crate::session::{Method, PlanRequest, Rhythms, plan};

    /// The event the crate writes for the same properties.
    fn by_crate(summary: &str, description: &str) -> String {
        let mut event = Event::new();
        event
            .uid("focus-session-20261120-090000@focus")
            .add_property("DTSTAMP", "20261205T080149Z")
            .summary(summary)
            .description(description)
            .add_property("DTSTART", "20261120T090000Z")
            .add_property("DTEND", "20261120T102000Z");
        event.done().to_string()
    }

    fn by_hand(summary: &str, description: &str) -> String {
        let mut out = String::new();
        // The summary in two pieces, as the export gives it.
        let cut = (0..=summary.len().min(7))
            .rev()
            .find(|&i| summary.is_char_boundary(i))
            .unwrap_or(0);
        let (head, tail) = summary.split_at(cut);
        write_event(
            &mut out,
            &[
                ("DESCRIPTION", &[description]),
                ("DTEND", &["20261120T102000Z"]),
                ("DTSTAMP", &["20261205T080149Z"]),
                ("DTSTART", &["20261120T090000Z"]),
                ("SUMMARY", &[head, tail]),
                ("UID", &["focus-session-", "20261120-090000", "@focus"]),
            ],
        );
        out
    }

    #[test]
    fn an_event_written_by_hand_is_the_crates_byte_for_byte() {
        for (summary, description) in [
            (
                "Focus: Write blog post draft",
                "1h 03m focused of 1h 15m planned.",
            ),
            ("Focus: a; b, c \\ d", "line one\nline two; with, commas"),
            (
                "Focus: Content lines shouldn't be folded in the middle of a UTF-8 character. 老虎.",
                &"a long description with spaces at the fold point ".repeat(6),
            ),
            ("Focus: ", &"é".repeat(200)),
        ] {
            assert_eq!(
                by_hand(summary, description),
                by_crate(summary, description)
            );
        }
    }

    proptest! {
        #[test]
        fn any_text_is_written_as_the_crate_writes_it(
            summary in "\\PC{0,200}",
            description in "[ a-z,;\\\\\n\t\u{b}\u{e9}\u{4e2d}\u{1f600}]{0,400}",
            ascii in "[ -~\t\u{b}]{0,300}",
        ) {
            prop_assert_eq!(by_hand(&summary, &description), by_crate(&summary, &description));
            prop_assert_eq!(by_hand(&ascii, &ascii), by_crate(&ascii, &ascii));
        }
    }

    #[test]
    fn every_block_becomes_an_event_in_utc() {
        let start = FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .unwrap();
        let request = PlanRequest {
            task: "Write, then edit; the post".into(),
            goal: None,
            block_goals: Vec::new(),
            method: Method::Pomodoro,
            minutes: Some(55),
            blocks: None,
            stack: None,
            work: None,
            break_minutes: None,
            start,
        };
        let p = plan(&request, &Rhythms::default()).unwrap();
        let stamp = Utc.with_ymd_and_hms(2026, 11, 20, 7, 0, 0).unwrap();
        let ics = render(&p, stamp);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3);
        assert!(ics.contains("DTSTART:20261120T080000Z\r\n"), "{ics}");
        assert!(ics.contains("DTEND:20261120T082500Z\r\n"));
        assert!(ics.contains("DTSTAMP:20261120T070000Z\r\n"));
        // Commas and semicolons in text are escaped.
        assert!(
            ics.contains("SUMMARY:Focus 1/2: Write\\, then edit\\; the post\r\n"),
            "{ics}"
        );
        assert!(ics.contains("SUMMARY:Break: stand up and stretch\r\n"));
        // The same plan gives the same UIDs.
        assert_eq!(ics, render(&p, stamp));
    }
}
