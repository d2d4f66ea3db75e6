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

/// A stable 64-bit hash (FNV-1a): the same task always gives the same UIDs.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone};

    use super::*;
    use crate::session::{Method, PlanRequest, Rhythms, plan};

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
