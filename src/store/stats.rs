//! Figures over the log: computed by code, one pass, memory bounded by the number of distinct
//! days, hours and distraction texts (not by the number of sessions).
//!
//! Definitions (the README says the same):
//! - A session's day and hour are those of its start, in the offset it was recorded with.
//! - Goal rate: sessions answered "yes" out of those whose outcome was answered.
//! - Length bucket: the focus minutes the session planned (what a person chooses).
//! - Streak: consecutive days with at least one session; the current one ends today or
//!   yesterday (a day not over yet does not break it).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

use crate::session::reflection::Achieved;

/// The fields of a log entry the figures and `focus log` need. They all come before `plan` in
/// a line (read with [`crate::store::log::scan`]); none has a default, so a line that
/// lacks one is read in full rather than counted wrong.
#[derive(Debug, Clone, Deserialize)]
pub struct Brief<'a> {
    pub schema: u32,
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub task: Cow<'a, str>,
    pub start: LocalStart,
    pub planned_minutes: u32,
    pub focused_minutes: u32,
    // `deserialize_with` makes a missing field an error rather than `None`.
    #[serde(deserialize_with = "Option::deserialize")]
    pub outcome: Option<Achieved>,
    #[serde(deserialize_with = "Option::deserialize")]
    pub energy: Option<u8>,
    #[serde(borrow)]
    pub distractions: Vec<Text<'a>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Text<'a> {
    #[serde(borrow)]
    pub text: Cow<'a, str>,
}

impl Brief<'_> {
    pub fn day(&self) -> NaiveDate {
        self.start.0.date()
    }

    /// The same, no longer borrowing the line it was read from.
    pub fn into_owned(self) -> Brief<'static> {
        Brief {
            id: Cow::Owned(self.id.into_owned()),
            task: Cow::Owned(self.task.into_owned()),
            distractions: self
                .distractions
                .into_iter()
                .map(|t| Text {
                    text: Cow::Owned(t.text.into_owned()),
                })
                .collect(),
            ..self
        }
    }
}

/// A session's start as a wall-clock time in the offset it was recorded with: the date and
/// time digits of its RFC 3339 text, read without a full date-time parse (the log's readers
/// read one per line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalStart(pub NaiveDateTime);

impl LocalStart {
    pub fn hour(self) -> u32 {
        self.0.hour()
    }

    /// `2026-11-20T09:00:00+01:00` (or `…Z`) as 2026-11-20 09:00:00.
    pub fn parse(text: &str) -> Option<LocalStart> {
        let b = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = b.get(range)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
        };
        let separators = b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && matches!(b.get(10), Some(b'T' | b't' | b' '))
            && b.get(13) == Some(&b':')
            && b.get(16) == Some(&b':');
        if !separators || !b.get(19..).is_some_and(valid_offset) {
            return None;
        }
        let date =
            NaiveDate::from_ymd_opt(digits(0..4)?.cast_signed(), digits(5..7)?, digits(8..10)?)?;
        let time =
            chrono::NaiveTime::from_hms_opt(digits(11..13)?, digits(14..16)?, digits(17..19)?)?;
        Some(LocalStart(date.and_time(time)))
    }
}

/// What follows the seconds: an optional fraction, then `Z` or `±HH:MM` (within a day).
fn valid_offset(rest: &[u8]) -> bool {
    let mut rest = rest;
    if let Some((b'.', digits)) = rest.split_first() {
        let n = digits.iter().take_while(|d| d.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &digits[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') < 24
                && (m1 - b'0') * 10 + (m2 - b'0') < 60
        }
        _ => false,
    }
}

impl<'de> Deserialize<'de> for LocalStart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = LocalStart;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an RFC 3339 date and time")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<LocalStart, E> {
                LocalStart::parse(text)
                    .ok_or_else(|| E::custom(format!("`{text}` is not an RFC 3339 date and time")))
            }
        }
        // Reads the text in place: no copy of it is made.
        deserializer.deserialize_str(Visitor)
    }
}

/// The dates a report covers, both ends included (`None`: open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Range {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Range {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// Yes / partly / no counts and the rate they give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Goals {
    pub yes: u32,
    pub partly: u32,
    pub no: u32,
    /// Sessions whose outcome was answered.
    pub answered: u32,
    /// `yes / answered`; `null` with nothing answered.
    pub rate: Option<f64>,
}

impl Goals {
    fn merge(&mut self, other: &Goals) {
        self.yes += other.yes;
        self.partly += other.partly;
        self.no += other.no;
        self.answered += other.answered;
        self.rate = (self.answered > 0).then(|| f64::from(self.yes) / f64::from(self.answered));
    }

    fn add(&mut self, outcome: Option<Achieved>) {
        match outcome {
            Some(Achieved::Yes) => self.yes += 1,
            Some(Achieved::Partly) => self.partly += 1,
            Some(Achieved::No) => self.no += 1,
            None => return,
        }
        self.answered += 1;
        self.rate = Some(f64::from(self.yes) / f64::from(self.answered));
    }
}

/// Figures for one group of sessions (a length bucket, an hour of the day).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Group {
    pub label: String,
    pub sessions: u32,
    pub goals: Goals,
    /// Mean energy over the sessions that gave one, and how many did.
    pub energy: Option<f64>,
    pub energy_n: u32,
    #[serde(skip)]
    energy_sum: u32,
}

impl Group {
    fn merge(&mut self, other: &Group) {
        self.sessions += other.sessions;
        self.goals.merge(&other.goals);
        self.energy_sum += other.energy_sum;
        self.energy_n += other.energy_n;
        self.energy =
            (self.energy_n > 0).then(|| f64::from(self.energy_sum) / f64::from(self.energy_n));
    }

    fn add(&mut self, brief: &Brief) {
        self.sessions += 1;
        self.goals.add(brief.outcome);
        if let Some(e) = brief.energy {
            self.energy_sum += u32::from(e);
            self.energy_n += 1;
            self.energy = Some(f64::from(self.energy_sum) / f64::from(self.energy_n));
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    pub date: NaiveDate,
    pub sessions: u32,
    pub focused_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distraction {
    pub text: String,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Streak {
    /// Days in a row up to today (or yesterday).
    pub current: u32,
    pub longest: u32,
}

/// Everything `focus stats` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub range: Range,
    pub sessions: u32,
    pub days_with_sessions: u32,
    pub focused_minutes: u32,
    pub planned_minutes: u32,
    /// Mean focused minutes a session.
    pub average_minutes: Option<f64>,
    pub goals: Goals,
    pub energy: Option<f64>,
    pub streak: Streak,
    /// Every day from the first session in the range to its end (or today), days without a
    /// session included.
    pub days: Vec<Day>,
    pub by_length: Vec<Group>,
    pub by_hour: Vec<Group>,
    pub distractions: Vec<Distraction>,
}

/// The planned-length buckets, by their lower bound in minutes.
const BUCKETS: [(u32, &str); 5] = [
    (0, "under 30m"),
    (30, "30-59m"),
    (60, "60-89m"),
    (90, "90-119m"),
    (120, "2h or more"),
];

fn bucket(minutes: u32) -> usize {
    BUCKETS
        .iter()
        .rposition(|&(from, _)| minutes >= from)
        .unwrap_or(0)
}

/// One distraction text as it is counted: lower case, single spaces, no end punctuation.
fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(['.', '!', '?', ','])
        .to_lowercase()
}

/// Folds sessions into figures, one at a time.
#[derive(Debug)]
pub struct Tally {
    range: Range,
    today: NaiveDate,
    sessions: u32,
    focused: u32,
    planned: u32,
    goals: Goals,
    energy: Group,
    /// Every day with a session in the whole log, for the streak.
    all_days: BTreeSet<NaiveDate>,
    days: BTreeMap<NaiveDate, (u32, u32)>,
    by_length: Vec<Group>,
    by_hour: BTreeMap<u32, Group>,
    /// Normalized text → (count, first spelling seen, where first seen: part, then order).
    distractions: HashMap<String, (u32, String, (usize, usize))>,
    /// Which part of the log this tally reads (for the order distractions were first seen).
    part: usize,
}

impl Tally {
    pub fn new(range: Range, today: NaiveDate) -> Tally {
        Tally {
            range,
            today,
            sessions: 0,
            focused: 0,
            planned: 0,
            goals: Goals::default(),
            energy: Group::default(),
            all_days: BTreeSet::new(),
            days: BTreeMap::new(),
            by_length: BUCKETS
                .iter()
                .map(|&(_, label)| Group {
                    label: label.to_owned(),
                    ..Group::default()
                })
                .collect(),
            by_hour: BTreeMap::new(),
            distractions: HashMap::new(),
            part: 0,
        }
    }

    /// A tally of part `part` of the log, to be merged with the others in order.
    pub fn for_part(range: Range, today: NaiveDate, part: usize) -> Tally {
        Tally {
            part,
            ..Tally::new(range, today)
        }
    }

    /// Adds the figures of a later part of the log.
    pub fn merge(&mut self, other: Tally) {
        self.sessions += other.sessions;
        self.focused = self.focused.saturating_add(other.focused);
        self.planned = self.planned.saturating_add(other.planned);
        self.goals.merge(&other.goals);
        self.energy.merge(&other.energy);
        self.all_days.extend(other.all_days);
        for (day, (n, minutes)) in other.days {
            let slot = self.days.entry(day).or_default();
            slot.0 += n;
            slot.1 = slot.1.saturating_add(minutes);
        }
        for (mine, theirs) in self.by_length.iter_mut().zip(&other.by_length) {
            mine.merge(theirs);
        }
        for (hour, group) in other.by_hour {
            match self.by_hour.get_mut(&hour) {
                Some(mine) => mine.merge(&group),
                None => {
                    self.by_hour.insert(hour, group);
                }
            }
        }
        for (key, (count, text, seen)) in other.distractions {
            let slot = self.distractions.entry(key).or_insert((0, text, seen));
            slot.0 += count;
            slot.2 = slot.2.min(seen);
        }
    }

    pub fn add(&mut self, brief: &Brief) {
        let day = brief.day();
        self.all_days.insert(day);
        if !self.range.contains(day) {
            return;
        }
        self.sessions += 1;
        self.focused = self.focused.saturating_add(brief.focused_minutes);
        self.planned = self.planned.saturating_add(brief.planned_minutes);
        self.goals.add(brief.outcome);
        self.energy.add(brief);
        let slot = self.days.entry(day).or_default();
        slot.0 += 1;
        slot.1 = slot.1.saturating_add(brief.focused_minutes);
        self.by_length[bucket(brief.planned_minutes)].add(brief);
        let hour = brief.start.hour();
        self.by_hour
            .entry(hour)
            .or_insert_with(|| Group {
                label: format!("{hour:02}:00"),
                ..Group::default()
            })
            .add(brief);
        let seen = (self.part, self.distractions.len());
        for d in &brief.distractions {
            let key = normalize(&d.text);
            if key.is_empty() {
                continue;
            }
            self.distractions
                .entry(key)
                .or_insert_with(|| (0, d.text.trim().to_owned(), seen))
                .0 += 1;
        }
    }

    pub fn finish(self, top: usize) -> Stats {
        let days = match (self.days.keys().next(), self.days.keys().next_back()) {
            (Some(&first), Some(&last)) => {
                // From the first session in the range (not from a --since long before it),
                // up to today, or the range's end if that is sooner.
                let from = first;
                let to = self
                    .range
                    .to
                    .unwrap_or(self.today)
                    .min(self.today)
                    .max(last);
                from.iter_days()
                    .take_while(|d| *d <= to)
                    .map(|date| {
                        let (sessions, focused_minutes) =
                            self.days.get(&date).copied().unwrap_or_default();
                        Day {
                            date,
                            sessions,
                            focused_minutes,
                        }
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let mut distractions: Vec<(u32, String, (usize, usize))> =
            self.distractions.into_values().collect();
        distractions.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
        Stats {
            range: self.range,
            sessions: self.sessions,
            days_with_sessions: self.days.len() as u32,
            focused_minutes: self.focused,
            planned_minutes: self.planned,
            average_minutes: (self.sessions > 0)
                .then(|| f64::from(self.focused) / f64::from(self.sessions)),
            goals: self.goals,
            energy: self.energy.energy,
            streak: streak(&self.all_days, self.today),
            days,
            by_length: self
                .by_length
                .into_iter()
                .filter(|g| g.sessions > 0)
                .collect(),
            by_hour: self.by_hour.into_values().collect(),
            distractions: distractions
                .into_iter()
                .take(top)
                // The log is a file anyone can edit: its text is shown without escapes.
                .map(|(count, text, _)| Distraction {
                    text: crate::text::sanitize(&text),
                    count,
                })
                .collect(),
        }
    }
}

/// The current and the longest run of consecutive days.
fn streak(days: &BTreeSet<NaiveDate>, today: NaiveDate) -> Streak {
    let mut longest = 0;
    let mut run = 0;
    let mut previous: Option<NaiveDate> = None;
    for &day in days {
        run = match previous {
            Some(p) if p.succ_opt() == Some(day) => run + 1,
            _ => 1,
        };
        longest = longest.max(run);
        previous = Some(day);
    }
    let mut current = 0;
    let mut day = if days.contains(&today) {
        today
    } else {
        today.pred_opt().unwrap_or(today)
    };
    while days.contains(&day) {
        current += 1;
        day = match day.pred_opt() {
            Some(d) => d,
            None => break,
        };
    }
    Streak { current, longest }
}

/// The Monday of the week `day` falls in.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(
        day: u32,
        hour: u32,
        planned: u32,
        focused: u32,
        outcome: Option<Achieved>,
        energy: Option<u8>,
        distractions: &[&str],
    ) -> Brief<'static> {
        let start = LocalStart::parse(&format!("2026-11-{day:02}T{hour:02}:00:00+01:00")).unwrap();
        Brief {
            schema: 1,
            id: format!("{day}-{hour}").into(),
            task: "t".into(),
            start,
            planned_minutes: planned,
            focused_minutes: focused,
            outcome,
            energy,
            distractions: distractions
                .iter()
                .map(|t| Text {
                    text: Cow::Owned((*t).to_owned()),
                })
                .collect(),
        }
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    const OPEN: Range = Range {
        from: None,
        to: None,
    };

    #[test]
    fn streaks_count_consecutive_days_and_today_need_not_have_one_yet() {
        let days: BTreeSet<NaiveDate> = [1, 2, 3, 5, 6, 9, 10].into_iter().map(date).collect();
        assert_eq!(
            streak(&days, date(10)),
            Streak {
                current: 2,
                longest: 3
            }
        );
        assert_eq!(
            streak(&days, date(11)),
            Streak {
                current: 2,
                longest: 3
            }
        );
        assert_eq!(
            streak(&days, date(12)),
            Streak {
                current: 0,
                longest: 3
            }
        );
        assert_eq!(streak(&BTreeSet::new(), date(1)), Streak::default());
    }

    #[test]
    fn figures_over_a_small_log_match_a_count_by_hand() {
        use Achieved::{No, Partly, Yes};
        let log = [
            brief(16, 9, 50, 50, Some(Yes), Some(4), &["Slack", "email"]),
            brief(16, 14, 25, 20, Some(Partly), Some(2), &["slack."]),
            brief(17, 9, 90, 85, Some(Yes), None, &[]),
            brief(19, 9, 50, 30, Some(No), Some(3), &["phone", "Slack"]),
            brief(19, 20, 120, 100, None, Some(5), &["email"]),
        ];
        let mut tally = Tally::new(OPEN, date(19));
        for b in &log {
            tally.add(b);
        }
        let stats = tally.finish(5);
        assert_eq!(stats.sessions, 5);
        assert_eq!(stats.days_with_sessions, 3);
        assert_eq!(stats.focused_minutes, 285);
        assert_eq!(stats.average_minutes, Some(57.0));
        assert_eq!(
            (
                stats.goals.yes,
                stats.goals.partly,
                stats.goals.no,
                stats.goals.answered
            ),
            (2, 1, 1, 4)
        );
        assert_eq!(stats.goals.rate, Some(0.5));
        assert_eq!(stats.energy, Some(3.5));
        assert_eq!(
            stats.streak,
            Streak {
                current: 1,
                longest: 2
            }
        );
        let days: Vec<(u32, u32)> = stats
            .days
            .iter()
            .map(|d| (d.date.day(), d.focused_minutes))
            .collect();
        assert_eq!(days, [(16, 70), (17, 85), (18, 0), (19, 130)]);

        let lengths: Vec<(&str, u32, Option<f64>, Option<f64>)> = stats
            .by_length
            .iter()
            .map(|g| (g.label.as_str(), g.sessions, g.goals.rate, g.energy))
            .collect();
        assert_eq!(
            lengths,
            [
                ("under 30m", 1, Some(0.0), Some(2.0)),
                ("30-59m", 2, Some(0.5), Some(3.5)),
                ("90-119m", 1, Some(1.0), None),
                ("2h or more", 1, None, Some(5.0)),
            ]
        );
        let hours: Vec<(&str, u32)> = stats
            .by_hour
            .iter()
            .map(|g| (g.label.as_str(), g.sessions))
            .collect();
        assert_eq!(hours, [("09:00", 3), ("14:00", 1), ("20:00", 1)]);
        assert_eq!(stats.by_hour[0].goals.rate, Some(2.0 / 3.0));
        assert_eq!(
            stats.distractions,
            [
                Distraction {
                    text: "Slack".into(),
                    count: 3
                },
                Distraction {
                    text: "email".into(),
                    count: 2
                },
                Distraction {
                    text: "phone".into(),
                    count: 1
                },
            ]
        );
    }

    #[test]
    fn a_range_keeps_its_sessions_but_the_streak_sees_the_whole_log() {
        let log = [
            brief(16, 9, 50, 50, None, None, &[]),
            brief(17, 9, 50, 40, None, None, &[]),
            brief(18, 9, 50, 30, None, None, &[]),
        ];
        let range = Range {
            from: Some(date(18)),
            to: None,
        };
        let mut tally = Tally::new(range, date(20));
        for b in &log {
            tally.add(b);
        }
        let stats = tally.finish(5);
        assert_eq!(stats.sessions, 1);
        assert_eq!(stats.focused_minutes, 30);
        assert_eq!(
            stats.streak,
            Streak {
                current: 0,
                longest: 3
            }
        );
        // Days run up to today, empty ones included.
        assert_eq!(stats.days.len(), 3);
        assert_eq!(stats.goals.rate, None);
    }

    #[test]
    fn tallies_of_parts_merge_into_the_tally_of_the_whole() {
        use Achieved::{No, Partly, Yes};
        let log = [
            brief(16, 9, 50, 50, Some(Yes), Some(4), &["email", "Slack"]),
            brief(16, 14, 25, 20, Some(Partly), Some(2), &["slack."]),
            brief(17, 9, 90, 85, Some(Yes), None, &["phone"]),
            brief(19, 9, 50, 30, Some(No), Some(3), &["phone", "Slack"]),
            brief(19, 20, 120, 100, None, Some(5), &["email"]),
        ];
        let mut whole = Tally::new(OPEN, date(19));
        for b in &log {
            whole.add(b);
        }
        let whole = whole.finish(5);
        for cut in 0..=log.len() {
            let mut first = Tally::for_part(OPEN, date(19), 0);
            let mut second = Tally::for_part(OPEN, date(19), 1);
            for b in &log[..cut] {
                first.add(b);
            }
            for b in &log[cut..] {
                second.add(b);
            }
            first.merge(second);
            assert_eq!(first.finish(5), whole, "cut at {cut}");
        }
    }

    #[test]
    fn a_start_is_read_as_the_wall_time_it_was_recorded_in() {
        let t = LocalStart::parse("2026-11-20T23:30:00-05:00").unwrap();
        assert_eq!(t.0.to_string(), "2026-11-20 23:30:00");
        assert_eq!(t.hour(), 23);
        assert_eq!(
            LocalStart::parse("2026-11-20T09:00:00.123Z")
                .unwrap()
                .hour(),
            9
        );
        assert_eq!(LocalStart::parse("2026-02-30T09:00:00Z"), None);
        assert_eq!(LocalStart::parse("yesterday"), None);
        assert_eq!(LocalStart::parse("2026-11-20"), None);
        assert_eq!(LocalStart::parse("2026-11-20T09:00:00+25:00"), None);
        assert_eq!(LocalStart::parse("2026-11-20T09:00:00"), None);
        assert_eq!(LocalStart::parse("2026-11-20T09:00:"), None);
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(date(20)), date(16));
        assert_eq!(week_start(date(16)), date(16));
    }
}
