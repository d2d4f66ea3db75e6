//! From what a person asked (their words read and their options added, [`Asked`]) to what the
//! planner takes ([`PlanRequest`]): the start and the end placed on the clock, the session's
//! length known, the method chosen.
//!
//! The rules:
//! - The start is this minute unless one was asked. A time of day is today's ("at 15:00"), or
//!   tomorrow's when they said so; a time of day that has passed today is an error that
//!   suggests tomorrow (a plan in the past helps nobody). An hour said alone is read in
//!   working hours (7 to 11 in the morning, 12 at noon, 1 to 6 in the afternoon: "from 2 to
//!   4" is 14:00), or as the other half of the day when only that is still to come ("at 9" at
//!   20:00 is 21:00). A full date and time must be to come as well.
//! - An end ("until 16:00", "until 5") is the first such time after the start, so `until
//!   01:00` late at night ends after midnight; it must leave 1 minute to 12 hours. An end that
//!   would fall on the next day when the words cannot mean it ("until 16:00" at 17:00, "until
//!   4" at 17:00) has passed, and the message says so.
//! - A count of blocks ("3 pomodoros") with no length gives the length: the blocks at the
//!   method's (or the given) work length with the method's breaks between them. With a length
//!   as well, the planner fits the blocks to it; a count of one with a length ("one session
//!   on the report for 50m", "a pomodoro on email for 1h") names the session, and the
//!   method's blocks fill the length.
//! - With no method asked, a chain is stacked; a work length alone picks the method it fits
//!   (micro under 25 minutes, pomodoro at 25, else custom) and a break length makes a custom
//!   rhythm, unless the default method is one that takes them; counted blocks with nothing else
//!   said are pomodoros; otherwise the default method (normally `auto`) applies.
//!
//! Wall-clock times become instants in the time zone of `now`, the earlier one when the clocks
//! go back; a time the clocks skip is an error.

use chrono::{DateTime, Days, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike};

use super::duration::MAX_MINUTES;
use super::plan::tidy;
use super::words::{Asked, Length, Start, Time};
use super::{ClockTime, Method, Plan, PlanRequest, Rhythms, format_minutes};

/// Why what was asked cannot be placed on the clock. Each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("say what you will work on, e.g. \"write the report for 50m\"")]
    NoTask,
    #[error(
        "how long? say it with the task, e.g. \"{task} for 50m\" (or until 16:00, or 3 pomodoros)"
    )]
    NoLength { task: String },
    #[error(
        "\"{phrase}\": focus cannot tell when that is; say a time or a length, e.g. \"{task} until 12:30\" or \"{task} for 90m\""
    )]
    Unplaced { phrase: String, task: String },
    #[error(
        "the start, {at}, has passed (it is {now}); say \"tomorrow {at}\" for tomorrow, or give a later time"
    )]
    StartPassed { at: String, now: String },
    #[error("the start, {at}, has passed (it is {now}); give a time to come")]
    DatePassed { at: ClockTime, now: String },
    #[error("until {0} is the start time; give a later end or a length")]
    EndIsStart(Time),
    #[error("until {end} has passed at the start ({start}); give a later end, or a length")]
    EndPassed { end: Time, start: String },
    #[error("until {end} is not after the start ({start}); give a later end")]
    EndBeforeStart { end: Time, start: String },
    #[error(
        "until {end} is {length} after the start ({start}), more than 12 hours; give a closer end"
    )]
    EndTooFar {
        end: Time,
        length: String,
        start: String,
    },
    #[error(
        "{blocks} blocks of {work} with their breaks last {length}, more than 12 hours; ask for fewer"
    )]
    CountTooLong {
        blocks: u32,
        work: String,
        length: String,
    },
    #[error("{0} does not exist here (the clocks change then); pick another time")]
    NoSuchTime(String),
}

/// The planner's request for what was asked, `now` being this minute or later.
pub fn request<Tz: TimeZone>(
    asked: &Asked,
    default_method: Method,
    rhythms: &Rhythms,
    now: &DateTime<Tz>,
) -> Result<PlanRequest<Tz>, RequestError> {
    if tidy(&asked.task).is_empty() {
        return Err(RequestError::NoTask);
    }
    let start = start_at(asked.start, now)?;
    let method = match (asked.method, &asked.stack) {
        (Some(method), _) => method,
        (None, Some(_)) => Method::Stacked,
        (None, None) => default_for(asked, default_method, rhythms),
    };
    let minutes = match (asked.length, asked.count) {
        (Some(Length::Minutes(minutes)), _) => Some(minutes),
        (Some(Length::Until(end)), _) => Some(minutes_until(&start, end)?),
        (None, Some(blocks)) => Some(count_minutes(asked, blocks, method, rhythms)?),
        (None, None) if asked.stack.is_some() => None,
        (None, None) => {
            return Err(match &asked.vague {
                Some(phrase) => RequestError::Unplaced {
                    phrase: phrase.clone(),
                    task: tidy(&asked.task.replace(phrase.as_str(), " ")),
                },
                None => RequestError::NoLength {
                    task: asked.task.clone(),
                },
            });
        }
    };
    Ok(PlanRequest {
        task: asked.task.clone(),
        goal: asked.goal.clone(),
        block_goals: asked.block_goals.clone(),
        method,
        minutes,
        blocks: blocks(asked),
        stack: asked.stack.clone(),
        work: asked.work,
        break_minutes: asked.break_minutes,
        start,
    })
}

/// What words said under a drafted plan (its request, `base`) ask for, and whether they
/// changed the draft: words with a task ask anew; words without one change the draft
/// ([`amend`]), and a start of the draft's that has passed gives way to this minute.
pub fn said_under<Tz: TimeZone>(
    base: Option<&Asked>,
    said: Asked,
    now: &DateTime<Tz>,
) -> (Asked, bool) {
    match base {
        Some(base) if said.task.is_empty() => {
            let passed = |start: &Start| match start.at {
                Time::At(ClockTime::At(at)) => !start.tomorrow && at < now.naive_local(),
                _ => false,
            };
            let mut base = base.clone();
            if base.start.as_ref().is_some_and(passed) {
                base.start = None;
            }
            (amend(&base, said), true)
        }
        _ => (said, false),
    }
}

/// The request as planned, its start (if one was asked) kept as the time it was placed at
/// (`start`), so that a change to the plan does not read "at 9" again at another hour.
pub fn settled(asked: Asked, start: NaiveDateTime) -> Asked {
    Asked {
        start: asked.start.map(|_| Start {
            tomorrow: false,
            at: Time::At(ClockTime::At(start)),
        }),
        ..asked
    }
}

/// A request changed by words that say no task (`/plan for 60m` under a drafted plan): each
/// part they give replaces that part, and the rest stays. Parts that go together go
/// together: a new length drops the old count of blocks (the method gives the blocks), a
/// new count drops the old length (the count gives it); a new method drops the old rhythm
/// and chain, a new rhythm the old method (unless they come with one).
pub fn amend(base: &Asked, change: Asked) -> Asked {
    let length = change.length.or(if change.count.is_some() {
        None
    } else {
        base.length
    });
    let count = change.count.or(if change.length.is_some() {
        None
    } else {
        base.count
    });
    let rhythm_given = change.work.is_some() || change.break_minutes.is_some();
    let method = change.method.or(if rhythm_given || change.stack.is_some() {
        None
    } else {
        base.method
    });
    let keep_shape = change.method.is_none() && change.stack.is_none();
    Asked {
        task: base.task.clone(),
        length,
        goal: change.goal.or_else(|| base.goal.clone()),
        block_goals: if change.block_goals.is_empty() {
            base.block_goals.clone()
        } else {
            change.block_goals
        },
        method,
        stack: change.stack.or_else(|| {
            (keep_shape && !rhythm_given)
                .then(|| base.stack.clone())
                .flatten()
        }),
        work: change.work.or(if keep_shape { base.work } else { None }),
        break_minutes: change
            .break_minutes
            .or(if keep_shape { base.break_minutes } else { None }),
        count,
        start: change.start.or(base.start),
        vague: change.vague.or_else(|| base.vague.clone()),
    }
}

/// Whether the words say nothing but the session's goal ("goal: 800 words").
pub fn only_goal(change: &Asked) -> bool {
    change.goal.is_some()
        && Asked {
            goal: None,
            ..change.clone()
        } == Asked::default()
}

/// What a drafted plan asks for, for changing it when the words that made it are gone (a
/// plan kept from an earlier run): its task, goal, length and method, and its start when
/// that is still to come. The blocks' own goals are not carried: a changed plan's blocks
/// may not be the same.
pub fn asked_for<Tz: TimeZone>(plan: &Plan, now: &DateTime<Tz>) -> Asked {
    let later = plan.start.naive_local() > now.naive_local();
    Asked {
        task: plan.task.clone(),
        goal: plan.goal.clone(),
        length: Some(Length::Minutes(plan.total_minutes)),
        method: (!plan.auto && !matches!(plan.method, Method::Stacked | Method::Custom))
            .then_some(plan.method),
        start: later.then(|| Start {
            tomorrow: false,
            at: Time::At(ClockTime::At(plan.start.naive_local())),
        }),
        ..Asked::default()
    }
}

/// The work blocks counted. A count of one with a length ("one session for 50m", "a pomodoro
/// on email for 1h") names the session, not its blocks.
fn blocks(asked: &Asked) -> Option<u32> {
    asked
        .count
        .filter(|&blocks| blocks > 1 || asked.length.is_none())
}

/// The method when none was asked. A default that cannot take a work or break length (deep
/// work, or auto) gives way to the method the lengths fit: a work length alone under the
/// pomodoro's is micro, the pomodoro's own is pomodoro, anything else (or a break length) is a
/// custom rhythm. Counted blocks with nothing else said are pomodoros.
fn default_for(asked: &Asked, default_method: Method, rhythms: &Rhythms) -> Method {
    let flexible = matches!(default_method, Method::Deep | Method::Auto);
    match (asked.work, asked.break_minutes) {
        (Some(work), None) if flexible && work < rhythms.pomodoro.work => Method::Micro,
        (Some(work), None) if flexible && work == rhythms.pomodoro.work => Method::Pomodoro,
        (Some(_), _) | (_, Some(_)) if flexible => Method::Custom,
        _ if default_method == Method::Auto && blocks(asked).is_some() => Method::Pomodoro,
        _ => default_method,
    }
}

/// When the session starts: this minute, or the start asked for.
pub fn start_at<Tz: TimeZone>(
    start: Option<Start>,
    now: &DateTime<Tz>,
) -> Result<DateTime<Tz>, RequestError> {
    let minute = now
        .naive_local()
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("zero seconds always exist");
    let Some(Start { tomorrow, at }) = start else {
        // From the instant, not the wall clock: the hour the clocks repeat is not ambiguous.
        return Ok(now.clone()
            - TimeDelta::seconds(i64::from(now.second()))
            - TimeDelta::nanoseconds(i64::from(now.nanosecond())));
    };
    let naive = match (at, tomorrow) {
        (Time::At(at), false) => at.on(now.date_naive()),
        (Time::At(at), true) => at.on(now.date_naive() + Days::new(1)),
        // Today's working-hours reading, or the other half of the day if only that is to come.
        (Time::Hour(hour), false) => {
            let today = now.date_naive().and_time(working_hour(hour));
            let other = today + TimeDelta::hours(if today.hour() < 12 { 12 } else { -12 });
            [today, other]
                .into_iter()
                .find(|t| *t >= minute)
                .unwrap_or(today)
        }
        (Time::Hour(hour), true) => (now.date_naive() + Days::new(1)).and_time(working_hour(hour)),
    };
    if naive < minute {
        let at = match at {
            Time::Hour(_) => naive.format("%H:%M").to_string(),
            Time::At(ClockTime::TimeOfDay(_)) => at.to_string(),
            Time::At(at) => {
                return Err(RequestError::DatePassed {
                    at,
                    now: now.naive_local().format("%Y-%m-%d %H:%M").to_string(),
                });
            }
        };
        return Err(RequestError::StartPassed {
            at,
            now: now.naive_local().format("%H:%M").to_string(),
        });
    }
    instant(&now.timezone(), naive)
}

/// An hour from 1 to 12 said alone, as a start in working hours: 7 to 11 in the morning, 12
/// at noon, 1 to 6 in the afternoon.
fn working_hour(hour: u32) -> NaiveTime {
    let hour = match hour % 12 {
        h @ 7..=11 => h,
        h => h + 12,
    };
    NaiveTime::from_hms_opt(hour, 0, 0).expect("an hour of the day")
}

/// Minutes from `start` to an end time, counted between the real instants (a daylight-saving
/// change in between counts as it happens), checked for a usable session length.
fn minutes_until<Tz: TimeZone>(start: &DateTime<Tz>, end: Time) -> Result<u32, RequestError> {
    let start_text = start.naive_local().format("%H:%M").to_string();
    let end_at = match end {
        Time::At(ClockTime::TimeOfDay(time)) if time == start.time() => {
            return Err(RequestError::EndIsStart(end));
        }
        Time::At(at) => at.after(start.naive_local()),
        Time::Hour(hour) => next_hour(hour, start.naive_local(), false),
    };
    // An end read as the next day's is one that has passed, unless the session runs late
    // into the night from the evening (an hour alone) or within 12 hours (a clock time).
    let next_day = end_at.date() > start.date_naive();
    let passed = match end {
        Time::Hour(_) => next_day && end_at.hour() < 7 && (7..19).contains(&start.hour()),
        Time::At(ClockTime::TimeOfDay(_)) => {
            next_day && end_at - start.naive_local() > TimeDelta::minutes(MAX_MINUTES.into())
        }
        Time::At(_) => false,
    };
    if passed {
        return Err(RequestError::EndPassed {
            end,
            start: start_text,
        });
    }
    let end_at = instant(&start.timezone(), end_at)?;
    let minutes = (end_at - start.clone()).num_minutes();
    if minutes <= 0 {
        return Err(RequestError::EndBeforeStart {
            end,
            start: start_text,
        });
    }
    if minutes > i64::from(MAX_MINUTES) {
        return Err(RequestError::EndTooFar {
            end,
            length: format_minutes(minutes as u32),
            start: start_text,
        });
    }
    Ok(minutes as u32)
}

/// The length `blocks` work blocks take at the method's (or the asked) rhythm, breaks between
/// them included.
fn count_minutes(
    asked: &Asked,
    blocks: u32,
    method: Method,
    rhythms: &Rhythms,
) -> Result<u32, RequestError> {
    let (work, rest) = match method {
        Method::Pomodoro => (rhythms.pomodoro.work, rhythms.pomodoro.break_minutes),
        Method::Micro => (rhythms.micro.work, rhythms.micro.break_minutes),
        Method::Deep => (rhythms.deep.short_work, rhythms.deep.short_break),
        Method::Custom | Method::Auto | Method::Stacked => {
            (rhythms.custom.work, rhythms.custom.break_minutes)
        }
    };
    let work = asked.work.unwrap_or(work);
    let rest = asked.break_minutes.unwrap_or(rest);
    let mut total = u64::from(blocks) * u64::from(work);
    for nth in 1..blocks {
        let long = method == Method::Pomodoro
            && asked.break_minutes.is_none()
            && nth % rhythms.pomodoro.long_break_every == 0;
        total += u64::from(if long {
            rhythms.pomodoro.long_break
        } else {
            rest
        });
    }
    u32::try_from(total)
        .ok()
        .filter(|&total| total <= MAX_MINUTES)
        .ok_or_else(|| RequestError::CountTooLong {
            blocks,
            work: format_minutes(work),
            length: format_minutes(u32::try_from(total).unwrap_or(u32::MAX)),
        })
}

/// The first time at or after `from` (after it, unless `or_now`) that the clock shows `hour`
/// o'clock, `hour` being 1 to 12 on either half of the day.
fn next_hour(hour: u32, from: NaiveDateTime, or_now: bool) -> NaiveDateTime {
    let day = from.date();
    [day, day + Days::new(1)]
        .into_iter()
        .flat_map(|d| [hour % 12, hour % 12 + 12].map(|h| d.and_hms_opt(h, 0, 0)))
        .flatten()
        .find(|t| *t > from || (or_now && *t == from))
        .expect("an hour comes round within a day")
}

/// A local wall-clock time as an instant (the earlier one when the clocks go back).
fn instant<Tz: TimeZone>(zone: &Tz, naive: NaiveDateTime) -> Result<DateTime<Tz>, RequestError> {
    zone.from_local_datetime(&naive)
        .earliest()
        .ok_or_else(|| RequestError::NoSuchTime(naive.format("%H:%M").to_string()))
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, NaiveTime};

    use super::*;
    use crate::session::words::read;

    fn now() -> DateTime<FixedOffset> {
        FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 10, 0, 30)
            .unwrap()
    }

    fn read_ok(text: &str) -> Asked {
        read(text).unwrap()
    }

    fn mins(minutes: u32) -> Length {
        Length::Minutes(minutes)
    }

    fn asked(text: &str) -> PlanRequest<FixedOffset> {
        request(
            &read(text).unwrap(),
            Method::Auto,
            &Rhythms::default(),
            &now(),
        )
        .unwrap()
    }

    fn failed(asked: &Asked) -> String {
        request(asked, Method::Auto, &Rhythms::default(), &now())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_count_gives_the_length_at_the_methods_rhythm() {
        for (text, method, minutes) in [
            ("3 micro sessions on email", Method::Micro, 55),
            ("two pomodoros on the budget", Method::Pomodoro, 55),
            ("5 pomodoros on the budget", Method::Pomodoro, 155),
            ("2 deep work sessions on the API", Method::Deep, 120),
            ("email, 3 x 15 minutes", Method::Micro, 55),
            ("four 25-minute blocks on the essay", Method::Pomodoro, 115),
            ("2 blocks of 50m on the migration", Method::Custom, 110),
            ("3 sessions on the report", Method::Pomodoro, 85),
            ("3 pomodoros in 90m on the report", Method::Pomodoro, 90),
        ] {
            let r = asked(text);
            assert_eq!((r.method, r.minutes), (method, Some(minutes)), "{text}");
            assert!(r.blocks.is_some(), "{text}");
        }
        let many = Asked {
            count: Some(24),
            work: Some(60),
            ..read("x for 1h").unwrap()
        };
        assert!(request(&many, Method::Auto, &Rhythms::default(), &now()).is_ok());
        let many = Asked {
            length: None,
            ..many
        };
        assert_eq!(
            failed(&many),
            "24 blocks of 1h with their breaks last 27h 50m, more than 12 hours; ask for fewer"
        );
    }

    #[test]
    fn the_start_is_this_minute_or_the_one_asked() {
        let at = |h, m| {
            Time::At(ClockTime::TimeOfDay(
                NaiveTime::from_hms_opt(h, m, 0).unwrap(),
            ))
        };
        let start = |start| start_at(Some(start), &now()).map(|t| t.to_rfc3339());
        assert_eq!(
            start_at(None, &now()).unwrap().to_rfc3339(),
            "2026-11-20T10:00:00+01:00"
        );
        let later = Start {
            tomorrow: false,
            at: at(15, 0),
        };
        assert_eq!(start(later).unwrap(), "2026-11-20T15:00:00+01:00");
        let tomorrow = Start {
            tomorrow: true,
            at: at(9, 0),
        };
        assert_eq!(start(tomorrow).unwrap(), "2026-11-21T09:00:00+01:00");
        let passed = Start {
            tomorrow: false,
            at: at(9, 0),
        };
        assert_eq!(
            start(passed).unwrap_err().to_string(),
            "the start, 09:00, has passed (it is 10:00); say \"tomorrow 09:00\" for tomorrow, or give a later time"
        );
        // This very minute has not passed.
        assert!(
            start(Start {
                tomorrow: false,
                at: at(10, 0)
            })
            .is_ok()
        );
        // Nor does a full date that has passed make a plan.
        let last_week = Start {
            tomorrow: false,
            at: Time::At(ClockTime::At(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 13)
                    .unwrap()
                    .and_hms_opt(9, 0, 0)
                    .unwrap(),
            )),
        };
        assert_eq!(
            start(last_week).unwrap_err().to_string(),
            "the start, 2026-11-13 09:00, has passed (it is 2026-11-20 10:00); give a time to come"
        );
    }

    #[test]
    fn an_hour_said_alone_starts_in_working_hours_and_ends_at_its_next_time() {
        // It is 10:00.
        let placed = |text: &str| {
            let r = asked(text);
            (r.start.format("%d %H:%M").to_string(), r.minutes)
        };
        assert_eq!(placed("write at 9 for 1h"), ("20 21:00".into(), Some(60)));
        assert_eq!(placed("write at 11 for 1h"), ("20 11:00".into(), Some(60)));
        assert_eq!(placed("write from 2 to 4"), ("20 14:00".into(), Some(120)));
        assert_eq!(placed("write until 5"), ("20 10:00".into(), Some(420)));
        assert_eq!(placed("write until 11"), ("20 10:00".into(), Some(60)));
        // Tomorrow, from the morning on.
        assert_eq!(
            placed("write tomorrow at 9 for 1h"),
            ("21 09:00".into(), Some(60))
        );
        assert_eq!(
            placed("write tomorrow at 3 for 1h"),
            ("21 15:00".into(), Some(60))
        );
        assert_eq!(
            placed("write tomorrow from 9 to 10:30"),
            ("21 09:00".into(), Some(90))
        );
        // A clock time that has passed is refused, with tomorrow suggested.
        assert_eq!(
            failed(&read("write the report at 9am for 1h").unwrap()),
            "the start, 09:00, has passed (it is 10:00); say \"tomorrow 09:00\" for tomorrow, or give a later time"
        );
        // It is 15:00: "from 2 to 4" is this afternoon's, passed (never 02:00 at night).
        let three = now() + TimeDelta::hours(5);
        let failed_at = |text: &str, at: &DateTime<FixedOffset>| {
            request(&read(text).unwrap(), Method::Auto, &Rhythms::default(), at)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            failed_at("write from 2 to 4", &three),
            "the start, 14:00, has passed (it is 15:00); say \"tomorrow 14:00\" for tomorrow, or give a later time"
        );
        // It is 17:00: an end that would come tomorrow has passed.
        let five = now() + TimeDelta::hours(7);
        for (text, end) in [("write until 4", "4"), ("write until 16:00", "16:00")] {
            assert_eq!(
                failed_at(text, &five),
                format!(
                    "until {end} has passed at the start (17:00); give a later end, or a length"
                )
            );
        }
        // From the evening, an end late at night is meant.
        let ten = now() + TimeDelta::hours(12);
        let late = request(
            &read("write until 1").unwrap(),
            Method::Auto,
            &Rhythms::default(),
            &ten,
        );
        assert_eq!(late.unwrap().minutes, Some(180));
    }

    #[test]
    fn no_length_asks_how_long() {
        assert_eq!(
            failed(&read("write the report").unwrap()),
            "how long? say it with the task, e.g. \"write the report for 50m\" (or until 16:00, or 3 pomodoros)"
        );
        // Time no clock places: when, rather than how long.
        assert_eq!(
            failed(&read("write the report until lunch").unwrap()),
            "\"until lunch\": focus cannot tell when that is; say a time or a length, e.g. \"write the report until 12:30\" or \"write the report for 90m\""
        );
        assert!(
            request(
                &read("write the report after the meeting for 1h").unwrap(),
                Method::Auto,
                &Rhythms::default(),
                &now()
            )
            .is_ok()
        );
    }

    #[test]
    fn settings_alone_change_only_their_part_of_a_request() {
        let base = read_ok("write the report for 90m, goal: 3 pages, 50/10");
        let change = |text: &str| amend(&base, read_ok(text));
        let longer = change("for 2h");
        assert_eq!(
            (
                longer.task.as_str(),
                longer.length,
                longer.goal.as_deref(),
                longer.work
            ),
            (
                "write the report",
                Some(mins(120)),
                Some("3 pages"),
                Some(50)
            )
        );
        assert_eq!(change("goal: 800 words").goal.as_deref(), Some("800 words"));
        let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        assert_eq!(
            change("until 17:00").length,
            Some(Length::Until(Time::At(ClockTime::TimeOfDay(five))))
        );
        // A method drops the old rhythm; a rhythm drops the old method.
        let deep = change("deep");
        assert_eq!(
            (deep.method, deep.work, deep.break_minutes),
            (Some(Method::Deep), None, None)
        );
        let base = read_ok("write the report for 90m, deep work");
        let rhythm = amend(&base, read_ok("25/5"));
        assert_eq!((rhythm.method, rhythm.work), (None, Some(25)));
        // A count drops the old length; a length drops the old count.
        let counted = amend(&base, read_ok("3 pomodoros"));
        assert_eq!(
            (counted.count, counted.length, counted.method),
            (Some(3), None, Some(Method::Pomodoro))
        );
        let longer = amend(&counted, read_ok("for 80m"));
        assert_eq!(
            (longer.count, longer.length, longer.method),
            (None, Some(mins(80)), Some(Method::Pomodoro))
        );
        // Said together, they go together.
        let fitted = amend(&counted, read_ok("4 pomodoros in 2h"));
        assert_eq!((fitted.count, fitted.length), (Some(4), Some(mins(120))));
        // Only a goal.
        assert!(only_goal(&read_ok("goal: 800 words")));
        assert!(!only_goal(&read_ok("goal: 800 words, for 1h")));
        assert!(!only_goal(&read_ok("for 1h")));
    }

    #[test]
    fn a_changed_plan_keeps_its_placed_start_until_it_passes() {
        // At 10:00, "at 11" is 11:00; kept as that time, a change made before then keeps it.
        let said = read_ok("write the report at 11 for 1h");
        let placed = request(&said, Method::Auto, &Rhythms::default(), &now()).unwrap();
        let drafted = settled(said, placed.start.naive_local());
        let soon = now() + TimeDelta::minutes(30);
        let (changed, amended) = said_under(Some(&drafted), read_ok("for 30m"), &soon);
        assert!(amended);
        let changed = request(&changed, Method::Auto, &Rhythms::default(), &soon).unwrap();
        assert_eq!(changed.start.to_rfc3339(), "2026-11-20T11:00:00+01:00");
        assert_eq!(changed.minutes, Some(30));
        // Once 11:00 has passed, the changed plan starts this minute: "at 11" read again
        // would be 23:00.
        let later = now() + TimeDelta::minutes(90);
        let (changed, _) = said_under(Some(&drafted), read_ok("for 30m"), &later);
        let changed = request(&changed, Method::Auto, &Rhythms::default(), &later).unwrap();
        assert_eq!(changed.start.to_rfc3339(), "2026-11-20T11:30:00+01:00");
        // Words with a task ask anew.
        let (anew, amended) = said_under(Some(&drafted), read_ok("email for 20m"), &later);
        assert!(!amended);
        assert_eq!((anew.task.as_str(), anew.start), ("email", None));
    }
}
