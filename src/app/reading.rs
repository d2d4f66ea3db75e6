//! Reading the log back: `focus log`, `show`, `stats`, `export` and `review`.
//!
//! Every command streams `sessions.jsonl` once, reading only the fields it needs, so a long
//! log costs time in proportion to its size and memory in proportion to what is shown. A
//! damaged line is skipped with a warning on standard error.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, Write};
use std::path::Path;

use chrono::{Days, NaiveDate, Utc};
use serde::Deserialize;

use super::closing::log_path;
use super::to_stderr;
use crate::cli::{DateArg, DateRange, ExportArgs, ExportFormat, LogArgs, ShowArgs, StatsArgs};
use crate::clock;
use crate::config::Settings;
use crate::error::Error;
use crate::output;
use crate::repl::machine::Figures;
use crate::session::reflection::Achieved;
use crate::session::{Method, format_minutes};
use crate::store::log::{self, Entry};
use crate::store::notes;
use crate::store::stats::{Brief, Group, Range, Stats, Tally, Text};
use crate::text;

/// How many distractions `stats` lists.
const TOP_DISTRACTIONS: usize = 5;

fn today() -> NaiveDate {
    clock::now().date_naive()
}

fn resolve(arg: Option<DateArg>, today: NaiveDate) -> Option<NaiveDate> {
    arg.map(|a| match a {
        DateArg::Day(day) => day,
        DateArg::DaysAgo(n) => today - Days::new(u64::from(n)),
    })
}

pub(super) fn range(args: &DateRange, today: NaiveDate) -> Result<Range, Error> {
    let range = Range {
        from: resolve(args.since, today),
        to: resolve(args.until, today),
    };
    if let (Some(from), Some(to)) = (range.from, range.to)
        && from > to
    {
        return Err(Error::Input(format!(
            "--since {from} is after --until {to}; swap them"
        )));
    }
    Ok(range)
}

/// Streams the log, warning about damaged lines.
pub(super) fn scan<T: for<'de> Deserialize<'de>>(
    path: &Path,
    each: impl FnMut(usize, &[u8], T),
) -> Result<(), Error> {
    let warnings =
        log::read(path, each).map_err(Error::io(format!("cannot read {}", path.display())))?;
    to_stderr(&warnings.messages(path));
    Ok(())
}

/// Folds the log's scanned fields ([`Brief`]) into one state per part of the file, read in
/// parallel; warns about damaged lines. The states come back in file order.
fn scan_briefs<S: Send>(
    path: &Path,
    init: impl Fn(usize) -> S + Sync,
    each: impl Fn(&mut S, &[u8], Brief<'_>) + Sync,
) -> Result<Vec<S>, Error> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let read = |state: &mut S, line: &[u8], text: &[u8]| {
        let brief: Brief<'_> = serde_json::from_slice(text)?;
        each(state, line, brief);
        Ok(())
    };
    let (states, warnings) = log::scan(path, threads, init, read)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    to_stderr(&warnings.messages(path));
    Ok(states)
}

fn write_out(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::io("cannot write to standard output"))
}

fn empty_log(path: &Path) -> String {
    format!(
        "No sessions in {} yet; `focus start \"<task>\" --for 50m` runs one, and its reflection is logged here.\n",
        path.display()
    )
}

/// Per part of the log file: lines read, and the newest matches (their brief, and their line
/// for --json).
type Part = (usize, VecDeque<(Brief<'static>, Option<Vec<u8>>)>);

/// `focus log`, written to `out`.
pub(super) fn log(args: &LogArgs, settings: &Settings, out: &mut dyn Write) -> Result<(), Error> {
    let mut emit = |text: &str| -> Result<(), Error> {
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(Error::io("cannot write to standard output"))
    };
    let path = log_path(settings);
    let range = range(&args.range, today())?;
    let needle = args.task.as_deref().map(str::to_lowercase);
    let limit = if args.limit == 0 {
        usize::MAX
    } else {
        args.limit
    };
    let parts = scan_briefs(
        &path,
        |_| Part::default(),
        |(total, kept): &mut Part, line, brief| {
            *total += 1;
            let matches = range.contains(brief.day())
                && needle
                    .as_ref()
                    .is_none_or(|n| brief.task.to_lowercase().contains(n));
            if !matches {
                return;
            }
            if kept.len() == limit {
                kept.pop_front();
            }
            kept.push_back((brief.into_owned(), args.json.then(|| line.to_vec())));
        },
    )?;
    let total: usize = parts.iter().map(|(n, _)| n).sum();
    let mut kept: VecDeque<(Brief<'static>, Option<Vec<u8>>)> = VecDeque::new();
    for (_, part) in parts {
        for item in part {
            if kept.len() == limit {
                kept.pop_front();
            }
            kept.push_back(item);
        }
    }
    if args.json {
        let mut entries: Vec<Entry> = Vec::with_capacity(kept.len());
        for (brief, line) in &kept {
            match serde_json::from_slice(line.as_deref().unwrap_or_default()) {
                Ok(entry) => entries.push(entry),
                Err(e) => to_stderr(&[format!(
                    "session {} in {} cannot be read in full ({e}); it is left out of the JSON",
                    text::sanitize(&brief.id),
                    path.display()
                )]),
            }
        }
        let mut text = serde_json::to_string_pretty(&entries).expect("entries serialize");
        text.push('\n');
        return emit(&text);
    }
    if total == 0 {
        return emit(&empty_log(&path));
    }
    if kept.is_empty() {
        return emit("No sessions match; `focus log` without filters lists the latest.\n");
    }
    let mut text = String::new();
    for (brief, _) in &kept {
        text.push_str(&log_line(brief));
        text.push('\n');
    }
    emit(&text)
}

/// `20261120-090000  Fri 20 Nov 09:00   45m/50m  partly   3/5  Write blog post draft`
fn log_line(brief: &Brief<'_>) -> String {
    let minutes = format!(
        "{}/{}",
        format_minutes(brief.focused_minutes),
        format_minutes(brief.planned_minutes)
    );
    let outcome = brief.outcome.map_or("-", |a| a.as_str());
    let energy = brief
        .energy
        .map_or_else(|| "-".to_owned(), |e| format!("{e}/5"));
    // The log is a file anyone can edit: what it says is printed without escapes.
    format!(
        "{}  {}  {minutes:>13}  {outcome:<6}  {energy:>3}  {}",
        text::sanitize(&brief.id),
        brief.start.0.format("%a %e %b %H:%M"),
        text::sanitize(&brief.task)
    )
}

/// `focus show [id]`
pub(super) fn show(args: &ShowArgs, settings: &Settings) -> Result<(), Error> {
    let path = log_path(settings);
    let entry = match args.id.as_deref().map(str::trim) {
        None => log::last(&path)
            .map_err(Error::io(format!("cannot read {}", path.display())))?
            .ok_or_else(|| Error::State(empty_log(&path).trim_end().to_owned()))?,
        Some("") => {
            return Err(Error::Input(
                "the id is empty; give one from `focus log`, or none for the last session".into(),
            ));
        }
        Some(wanted) => {
            let mut matches: Vec<(String, Vec<u8>)> = Vec::new();
            scan(&path, |_, line, entry: log::Id| {
                if entry.id.starts_with(wanted) && !matches.iter().any(|(id, _)| *id == entry.id) {
                    matches.push((entry.id, line.to_vec()));
                }
            })?;
            let line = match matches.len() {
                0 => {
                    return Err(Error::Input(format!(
                        "no session in {} has the id `{wanted}`; `focus log` lists them",
                        path.display()
                    )));
                }
                1 => matches.pop().expect("one").1,
                n => {
                    return Err(Error::Input(format!(
                        "`{wanted}` starts {n} session ids; give more of the id (`focus log` lists them)"
                    )));
                }
            };
            serde_json::from_slice(&line).map_err(|e| {
                Error::State(format!(
                    "the session's line in {} cannot be read in full ({e})",
                    path.display()
                ))
            })?
        }
    };
    if let Some(note) = notes::find(settings.notes_dir(), &entry)
        && let Ok(text) = std::fs::read_to_string(&note)
    {
        return write_out(&text::sanitize(&text));
    }
    to_stderr(&[format!(
        "the note is not in {}; this is rebuilt from the log",
        settings.notes_dir().display()
    )]);
    write_out(&text::sanitize(&notes::render(&entry)))
}

/// Figures over `range`, read from the log.
pub(super) fn tally(settings: &Settings, range: Range, today: NaiveDate) -> Result<Stats, Error> {
    let parts = scan_briefs(
        &log_path(settings),
        |part| Tally::for_part(range, today, part),
        |tally, _, brief| tally.add(&brief),
    )?;
    Ok(merged(parts, Tally::new(range, today)).finish(TOP_DISTRACTIONS))
}

/// The tallies of the parts of the log, in order, as one.
fn merged(parts: impl IntoIterator<Item = Tally>, empty: Tally) -> Tally {
    let mut parts = parts.into_iter();
    let Some(mut first) = parts.next() else {
        return empty;
    };
    for part in parts {
        first.merge(part);
    }
    first
}

/// `focus stats`, written to `out`.
pub(super) fn stats(
    args: &StatsArgs,
    settings: &Settings,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut emit = |text: &str| -> Result<(), Error> {
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(Error::io("cannot write to standard output"))
    };
    let today = today();
    let range = if args.week {
        Range {
            from: Some(today - Days::new(6)),
            to: Some(today),
        }
    } else if args.month {
        Range {
            from: Some(today - Days::new(29)),
            to: Some(today),
        }
    } else {
        range(&args.range, today)?
    };
    let stats = tally(settings, range, today)?;
    if args.json {
        let mut text = serde_json::to_string_pretty(&stats).expect("stats serialize");
        text.push('\n');
        return emit(&text);
    }
    if stats.sessions == 0 && stats.streak.longest == 0 {
        return emit(&empty_log(&log_path(settings)));
    }
    render_stats(&stats, &mut &mut *out).map_err(Error::io("cannot write to standard output"))
}

fn days(n: u32) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

fn mean(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
}

/// The figures as text, with a bar per day.
pub(super) fn render_stats(stats: &Stats, out: &mut impl Write) -> io::Result<()> {
    let heading = output::HEADING;
    let span = match (stats.range.from, stats.range.to) {
        (Some(from), Some(to)) => format!(
            "{} to {}",
            from.format("%a %-d %b %Y"),
            to.format("%a %-d %b %Y")
        ),
        (Some(from), None) => format!("since {}", from.format("%a %-d %b %Y")),
        (None, Some(to)) => format!("up to {}", to.format("%a %-d %b %Y")),
        (None, None) => "all sessions".to_owned(),
    };
    writeln!(out, "{heading}Focus stats{heading:#}: {span}\n")?;
    if stats.sessions == 0 {
        writeln!(out, "No sessions in this range.")?;
    }
    let g = &stats.goals;
    let rows = [
        (
            "Sessions",
            format!("{} on {}", stats.sessions, days(stats.days_with_sessions)),
        ),
        (
            "Focused",
            format!(
                "{} of {} planned (average {} a session)",
                format_minutes(stats.focused_minutes),
                format_minutes(stats.planned_minutes),
                stats
                    .average_minutes
                    .map_or_else(|| "-".to_owned(), |m| format_minutes(m.round() as u32))
            ),
        ),
        (
            "Goal reached",
            format!(
                "{} (yes {}, partly {}, no {}; n={})",
                percent(g.rate),
                g.yes,
                g.partly,
                g.no,
                g.answered
            ),
        ),
        ("Energy after", format!("{} of 5", mean(stats.energy))),
        (
            "Streak",
            format!(
                "{} now, longest {}",
                days(stats.streak.current),
                days(stats.streak.longest)
            ),
        ),
    ];
    for (name, value) in rows {
        writeln!(out, "  {name:<14}{value}")?;
    }
    if !stats.days.is_empty() {
        const SHOWN: usize = 31;
        let days = &stats.days[stats.days.len().saturating_sub(SHOWN)..];
        let most = days
            .iter()
            .map(|d| d.focused_minutes)
            .max()
            .unwrap_or(0)
            .max(1);
        let more = if stats.days.len() > SHOWN {
            format!(" (the last {SHOWN} days)")
        } else {
            String::new()
        };
        writeln!(out, "\n{heading}Focused time per day{heading:#}{more}")?;
        for day in days {
            let width = (u64::from(day.focused_minutes) * 40).div_ceil(u64::from(most)) as usize;
            let bar = "█".repeat(width);
            let work = output::WORK;
            writeln!(
                out,
                "  {}  {work}{bar:<40}{work:#}  {}",
                day.date.format("%a %e %b"),
                if day.sessions == 0 {
                    String::new()
                } else {
                    format_minutes(day.focused_minutes)
                }
            )?;
        }
    }
    groups(out, "By planned length", &stats.by_length)?;
    groups(out, "By hour started", &stats.by_hour)?;
    if !stats.distractions.is_empty() {
        writeln!(out, "\n{heading}Most common distractions{heading:#}")?;
        for d in &stats.distractions {
            writeln!(out, "  {:>4}  {}", d.count, d.text)?;
        }
    }
    out.flush()
}

fn groups(out: &mut impl Write, title: &str, groups: &[Group]) -> io::Result<()> {
    if groups.is_empty() {
        return Ok(());
    }
    let heading = output::HEADING;
    writeln!(
        out,
        "\n{heading}{title:<20}{heading:#}{:>9}{:>8}{:>6}{:>8}{:>6}",
        "sessions", "goal", "n", "energy", "n"
    )?;
    for g in groups {
        writeln!(
            out,
            "  {:<18}{:>9}{:>8}{:>6}{:>8}{:>6}",
            g.label,
            g.sessions,
            percent(g.goals.rate),
            g.goals.answered,
            mean(g.energy),
            g.energy_n
        )?;
    }
    Ok(())
}

/// What a part of the log becomes in an export: its text, its CSV rows, and scratch text.
type ExportPart = (Vec<u8>, csv::Writer<Vec<u8>>, String);

/// The start of a logged entry, all its JSON read.
#[derive(Deserialize)]
struct Head {
    start: chrono::DateTime<chrono::FixedOffset>,
}

/// What the CSV and iCalendar exports show of a logged entry, borrowed from its line where it
/// can be; the plan and the times of captures are passed over, not parsed.
#[derive(Deserialize)]
struct Exported<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    task: Cow<'a, str>,
    start: chrono::DateTime<chrono::FixedOffset>,
    end: chrono::DateTime<chrono::FixedOffset>,
    #[serde(borrow)]
    goal: Option<Cow<'a, str>>,
    method: Method,
    planned_minutes: u32,
    focused_minutes: u32,
    blocks_done: u32,
    blocks: u32,
    pauses: Vec<serde::de::IgnoredAny>,
    outcome: Option<Achieved>,
    criteria: Vec<Met>,
    energy: Option<u8>,
    #[serde(borrow)]
    distractions: Vec<Text<'a>>,
    #[serde(borrow)]
    insights: Vec<Text<'a>>,
    #[serde(borrow)]
    decisions: Vec<Text<'a>>,
    #[serde(borrow)]
    blockers: Vec<Text<'a>>,
    #[serde(borrow)]
    next_step: Option<Cow<'a, str>>,
    #[serde(borrow)]
    summary: Option<Cow<'a, str>>,
}

/// What the iCalendar export shows of a logged entry: fewer fields than CSV, so the rest of
/// the line is passed over.
#[derive(Deserialize)]
struct Calendared<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    task: Cow<'a, str>,
    start: chrono::DateTime<chrono::FixedOffset>,
    end: chrono::DateTime<chrono::FixedOffset>,
    planned_minutes: u32,
    focused_minutes: u32,
    outcome: Option<Achieved>,
    #[serde(borrow)]
    summary: Option<Cow<'a, str>>,
}

/// Whether a goal of the session was met (`null`: not answered).
#[derive(Deserialize)]
struct Met {
    met: Option<bool>,
}

/// `focus export`: the log's entries in `--range`, as JSON, CSV or iCalendar. The log is read
/// in parallel parts, each rendered by its own thread and written in file order.
pub(super) fn export(args: &ExportArgs, settings: &Settings) -> Result<(), Error> {
    let path = log_path(settings);
    let range = range(&args.range, today())?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let (head, tail): (Vec<u8>, &[u8]) = match args.format {
        ExportFormat::Json => (b"[".to_vec(), b"\n]\n"),
        ExportFormat::Csv => {
            let mut header = csv::Writer::from_writer(Vec::new());
            header
                .write_record(CSV_HEADER)
                .map_err(|e| Error::io("cannot write the CSV header")(io::Error::other(e)))?;
            (header.into_inner().unwrap_or_default(), b"")
        }
        ExportFormat::Ics => {
            let mut calendar = icalendar::Calendar::new();
            calendar.name("focus sessions");
            let text = calendar.done().to_string();
            let head = text
                .strip_suffix("END:VCALENDAR\r\n")
                .unwrap_or(&text)
                .as_bytes()
                .to_vec();
            (head, b"END:VCALENDAR\r\n")
        }
    };
    let mut written = out.write_all(&head);
    let stamp = ics_time(clock::now().fixed_offset());
    let stamp = std::str::from_utf8(&stamp).unwrap_or_default();
    let format = args.format;
    // Each part's entries as text (JSON items each begin with ",\n  "); CSV rows through
    // one writer a part; each iCalendar event made in the part's scratch text.
    let init = || {
        let rows = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        (Vec::new(), rows, String::new())
    };
    let each = |part: &mut ExportPart, line: &[u8]| -> serde_json::Result<()> {
        if format == ExportFormat::Json {
            // Each entry as logged: the line is read through (so a damaged one is skipped)
            // for its start, and written as it is.
            let head: Head = serde_json::from_slice(line)?;
            if range.contains(head.start.date_naive()) {
                part.0.extend_from_slice(b",\n  ");
                part.0.extend_from_slice(line);
            }
            return Ok(());
        }
        if format == ExportFormat::Ics {
            let entry: Calendared<'_> = serde_json::from_slice(line)?;
            if range.contains(entry.start.date_naive()) {
                part.2.clear();
                write_ics_event(&mut part.2, &entry, stamp);
                part.0.extend_from_slice(part.2.as_bytes());
            }
            return Ok(());
        }
        let entry: Exported<'_> = serde_json::from_slice(line)?;
        if range.contains(entry.start.date_naive()) {
            // Writing to memory cannot fail.
            let _ = part
                .1
                .write_record(csv_row(&entry).iter().map(|f| f.as_bytes()));
        }
        Ok(())
    };
    let mut first = true;
    let emit = |(mut text, rows, _): ExportPart| {
        // Flushing to memory cannot fail.
        text.extend(rows.into_inner().unwrap_or_default());
        let mut text = &text[..];
        if format == ExportFormat::Json && first && !text.is_empty() {
            // The first item has no comma before it.
            text = &text[1..];
            first = false;
        }
        if written.is_ok() {
            written = out.write_all(text);
        }
        written.is_ok()
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let warnings = log::map_ordered(&path, threads, init, each, emit)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    to_stderr(&warnings.messages(&path));
    let tail: &[u8] = if format == ExportFormat::Json && first {
        b"]\n"
    } else {
        tail
    };
    written
        .and_then(|()| out.write_all(tail))
        .and_then(|()| out.flush())
        .map_err(Error::io("cannot write to standard output"))
}

const CSV_HEADER: [&str; 22] = [
    "id",
    "date",
    "start",
    "end",
    "task",
    "goal",
    "method",
    "planned_minutes",
    "focused_minutes",
    "blocks_done",
    "blocks",
    "pauses",
    "outcome",
    "goals_met",
    "goals",
    "energy",
    "distractions",
    "insights",
    "decisions",
    "blockers",
    "next_step",
    "summary",
];

/// A CSV row, borrowing from the entry what it can.
fn csv_row<'a>(entry: &'a Exported<'_>) -> [Cow<'a, str>; 22] {
    let met = entry
        .criteria
        .iter()
        .filter(|c| c.met == Some(true))
        .count();
    let goals = entry.criteria.len();
    let joined = |items: &'a [Text<'_>]| -> Cow<'a, str> {
        match items {
            [] => Cow::Borrowed(""),
            [one] => Cow::Borrowed(one.text.as_ref()),
            many => Cow::Owned(
                many.iter()
                    .map(|i| i.text.as_ref())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    };
    let text =
        |value: &'a Option<Cow<'_, str>>| Cow::Borrowed(value.as_deref().unwrap_or_default());
    let number = |n: usize| Cow::Owned(n.to_string());
    [
        Cow::Borrowed(entry.id.as_ref()),
        Cow::Owned(entry.start.date_naive().to_string()),
        Cow::Owned(entry.start.to_rfc3339()),
        Cow::Owned(entry.end.to_rfc3339()),
        Cow::Borrowed(entry.task.as_ref()),
        text(&entry.goal),
        Cow::Borrowed(entry.method.name()),
        number(entry.planned_minutes as usize),
        number(entry.focused_minutes as usize),
        number(entry.blocks_done as usize),
        number(entry.blocks as usize),
        number(entry.pauses.len()),
        Cow::Borrowed(entry.outcome.map_or("", |a| a.as_str())),
        number(met),
        number(goals),
        entry
            .energy
            .map_or(Cow::Borrowed(""), |e| number(usize::from(e))),
        joined(&entry.distractions),
        joined(&entry.insights),
        joined(&entry.decisions),
        joined(&entry.blockers),
        text(&entry.next_step),
        text(&entry.summary),
    ]
}

/// A logged session as a calendar event (written as the `icalendar` crate writes one).
fn write_ics_event(out: &mut String, entry: &Calendared<'_>, stamp: &str) {
    let outcome = entry.outcome.map_or("not answered", |a| a.as_str());
    let figures = format!(
        "{} focused of {} planned. Goal reached: {outcome}.",
        format_minutes(entry.focused_minutes),
        format_minutes(entry.planned_minutes)
    );
    let description: &[&str] = match &entry.summary {
        Some(summary) => &[&figures, "\n", summary],
        None => &[&figures],
    };
    let (start, end) = (ics_time(entry.start), ics_time(entry.end));
    output::ics::write_event(
        out,
        &[
            ("DESCRIPTION", description),
            ("DTEND", &[std::str::from_utf8(&end).unwrap_or_default()]),
            ("DTSTAMP", &[stamp]),
            (
                "DTSTART",
                &[std::str::from_utf8(&start).unwrap_or_default()],
            ),
            ("SUMMARY", &["Focus: ", &entry.task]),
            ("UID", &["focus-session-", &entry.id, "@focus"]),
        ],
    );
}

/// A time as iCalendar writes it in UTC, `20261120T090000Z` (as `icalendar` writes `starts`
/// and `ends`, without a format string parsed for every event).
fn ics_time(at: chrono::DateTime<chrono::FixedOffset>) -> [u8; 16] {
    use chrono::{Datelike, Timelike};
    let at = at.with_timezone(&Utc);
    let mut text = *b"00000000T000000Z";
    let year = u32::try_from(at.year()).unwrap_or(0);
    for (end, width, value) in [
        (4, 4, year),
        (6, 2, at.month()),
        (8, 2, at.day()),
        (11, 2, at.hour()),
        (13, 2, at.minute()),
        (15, 2, at.second()),
    ] {
        let mut n = value;
        for digit in text[end - width..end].iter_mut().rev() {
            *digit = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    text
}

/// `focus review`: this week's figures against last week's; the model narrates them and
/// suggests one experiment, or the offline coach gives rule-based suggestions.
/// The week's figures for `/review` and `focus review`: as shown (this week, and against
/// last week), and as given to the coach.
pub(super) fn review_figures(settings: &Settings) -> Result<(String, Figures), Error> {
    let today = today();
    let this = Range {
        from: Some(today - Days::new(6)),
        to: Some(today),
    };
    let before = Range {
        from: Some(today - Days::new(13)),
        to: Some(today - Days::new(7)),
    };
    let parts = scan_briefs(
        &log_path(settings),
        |part| {
            (
                Tally::for_part(this, today, part),
                Tally::for_part(before, today, part),
            )
        },
        |(now, then), _, brief| {
            now.add(&brief);
            then.add(&brief);
        },
    )?;
    let (nows, thens): (Vec<Tally>, Vec<Tally>) = parts.into_iter().unzip();
    let now = merged(nows, Tally::new(this, today)).finish(TOP_DISTRACTIONS);
    let then = merged(thens, Tally::new(before, today)).finish(TOP_DISTRACTIONS);
    // The figures as plain text for the model: no styles.
    let mut text = anstream::StripStream::new(Vec::new());
    render_stats(&now, &mut text).map_err(Error::io("cannot render the figures"))?;
    let figures = String::from_utf8_lossy(&text.into_inner()).into_owned();
    let suggestions = crate::coach::offline::review_suggestions(&now, &then);
    let comparison = crate::coach::offline::week_against_week(&now, &then);
    let mut shown = Vec::new();
    render_stats(&now, &mut shown).map_err(Error::io("cannot render the figures"))?;
    let mut shown = String::from_utf8_lossy(&shown).into_owned();
    shown.push('\n');
    shown.push_str(&comparison);
    Ok((
        shown,
        Figures {
            figures,
            comparison,
            suggestions,
        },
    ))
}

/// `focus review`: the week's figures, then the model's narration or focus's suggestions.
pub(super) fn review(
    settings: &Settings,
    env: &crate::config::Env,
    offline: Option<&crate::coach::Offline>,
    prompts: &crate::coach::prompts::Prompts,
) -> Result<(), Error> {
    let (shown, figures) = review_figures(settings)?;
    let mut out = output::stdout(settings.ui.color);
    writeln!(out, "{shown}").map_err(Error::io("cannot write to standard output"))?;
    if let Some(offline) = offline {
        to_stderr(&[offline_note(offline)]);
        return write_suggestions(&mut out, &figures.suggestions);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("cannot start the network runtime"))?;
    runtime.block_on(async {
        let model = match crate::llm::connect(&settings.llm, env).await {
            Ok(model) => model,
            Err(error) if error.means_offline() => {
                to_stderr(&[offline_note(&crate::coach::Offline::Unavailable(error))]);
                return write_suggestions(&mut out, &figures.suggestions);
            }
            Err(error) => return Err(error.into()),
        };
        let request = crate::coach::review_request(
            prompts,
            &figures.figures,
            &figures.comparison,
            &figures.suggestions,
        )?;
        writeln!(out).map_err(Error::io("cannot write to standard output"))?;
        super::asking::stream_reply(model, request, false).await
    })
}

fn offline_note(offline: &crate::coach::Offline) -> String {
    format!(
        "the coach is offline ({}); the suggestions below are focus's own",
        offline.why()
    )
}

fn write_suggestions(out: &mut impl Write, suggestions: &[String]) -> Result<(), Error> {
    let text = crate::coach::talk::suggestions_text(suggestions);
    writeln!(out, "\n{text}")
        .and_then(|()| out.flush())
        .map_err(Error::io("cannot write to standard output"))
}
