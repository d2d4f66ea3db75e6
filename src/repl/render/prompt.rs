//! The prompt and the terminal's title, derived from the session at one instant.
//!
//! The prompt never holds a time that goes stale: a running block or break shows the clock
//! time it ends (`focus [2/4 work → 14:53] › `), not a countdown. When focus asks something,
//! the prompt says what (`[goal for block 2?]`, `[reflection 3/7]`). The title, redrawn as
//! the minutes pass, carries the countdown (`focus · 2/4 work · 12 min left`).

use crate::session::machine::{Asked, Pending, Phase, Status};

/// The prompt with no session.
pub const IDLE: &str = "focus › ";

/// The title with no session.
pub const IDLE_TITLE: &str = "focus";

/// The prompt for a session in `status`, with the question `pending`.
pub fn prompt(status: &Status, pending: Option<&Pending>) -> String {
    let ends = |at: chrono::DateTime<chrono::FixedOffset>| at.format("%H:%M").to_string();
    let place = match (pending, status.phase, &status.block) {
        (Some(Pending::Goal(block)), _, _) => format!("goal for block {}?", block.number),
        (Some(Pending::Reflection { number, of, .. }), _, _) => {
            format!("reflection {number}/{of}")
        }
        (Some(Pending::CheckIn(Asked::LongPause)), _, Some(block)) => {
            format!("{}/{} paused · resume?", block.number, block.of)
        }
        (_, Phase::Working(_), Some(block)) => {
            format!("{}/{} work → {}", block.number, block.of, ends(block.ends))
        }
        (_, Phase::Paused(_), Some(block)) => format!("{}/{} paused", block.number, block.of),
        (_, Phase::Break(_), _) => match &status.on_break {
            Some(b) => format!("break → {}", ends(b.ends)),
            None => "break".to_owned(),
        },
        (_, Phase::Waiting(_), Some(block)) => format!("ready for {}/{}", block.number, block.of),
        (_, Phase::Reflecting(_), _) => "reflection".to_owned(),
        _ => return IDLE.to_owned(),
    };
    format!("focus [{place}] › ")
}

/// The terminal's title for a session in `status`: the phase and the minutes left.
pub fn title(status: &Status) -> String {
    let left = (status.left.max(0) + 59) / 60;
    let place = match (status.phase, &status.block) {
        (Phase::Working(_), Some(block)) => {
            format!("{}/{} work · {left} min left", block.number, block.of)
        }
        (Phase::Paused(_), Some(block)) => format!("{}/{} paused", block.number, block.of),
        (Phase::Break(_), _) => format!("break · {left} min left"),
        (Phase::Waiting(_), Some(block)) => format!("ready for {}/{}", block.number, block.of),
        (Phase::Reflecting(_), _) => "reflection".to_owned(),
        _ => return IDLE_TITLE.to_owned(),
    };
    format!("focus · {place}")
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone};

    use super::*;
    use crate::session::machine::{Event, Machine, Rules};
    use crate::session::{Method, PlanRequest, Rhythms, plan};

    #[test]
    fn the_prompt_says_where_the_session_is_and_what_is_asked() {
        let at = FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .unwrap();
        let request = PlanRequest {
            task: "Write".into(),
            goal: None,
            block_goals: Vec::new(),
            method: Method::Pomodoro,
            minutes: Some(60),
            blocks: None,
            stack: None,
            work: None,
            break_minutes: None,
            start: at,
        };
        let mut machine = Machine::new(
            plan(&request, &Rhythms::default()).unwrap(),
            Rules::default(),
        );
        let shown = |machine: &Machine, at| {
            let session = machine.session();
            (
                prompt(&session.status(at), session.pending(at).as_ref()),
                title(&session.status(at)),
            )
        };
        assert_eq!(shown(&machine, at).0, "focus › ");
        machine.handle(Event::Start, at);
        assert_eq!(shown(&machine, at).0, "focus [goal for block 1?] › ");
        let later = at + chrono::Duration::minutes(1);
        machine.handle(
            Event::Reply {
                text: "the intro".into(),
            },
            later,
        );
        let later = later + chrono::Duration::seconds(28);
        assert_eq!(
            shown(&machine, later),
            (
                "focus [1/2 work → 09:25] › ".to_owned(),
                "focus · 1/2 work · 24 min left".to_owned()
            )
        );
        machine.handle(Event::Pause { reason: None }, later);
        assert_eq!(shown(&machine, later).0, "focus [1/2 paused] › ");
        machine.handle(Event::Resume { worked: false }, later);
        machine.handle(Event::Skip, later);
        assert_eq!(
            shown(&machine, later),
            (
                "focus [break → 09:06] › ".to_owned(),
                "focus · break · 5 min left".to_owned()
            )
        );
        machine.handle(Event::Done, later);
        assert_eq!(
            shown(&machine, later),
            (
                "focus [reflection 1/7] › ".to_owned(),
                "focus · reflection".to_owned()
            )
        );
    }
}
