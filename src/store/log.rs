//! The log of finished sessions: `<data dir>/sessions.jsonl`, one [`Entry`] per line.
//!
//! Invariants:
//! - Entries are only appended, each in one write, and synced before the session's journal is
//!   closed; nothing rewrites an old line.
//! - Every entry carries `schema`. A reader skips a line it cannot read (damaged, or written by
//!   a newer focus) with a warning naming the line, and goes on.
//! - Readers stream the file line by line; memory does not grow with the log unless the caller
//!   keeps what it reads.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::session::machine::{CaptureKind, Outcome, Session, Why};
use crate::session::plan::BlockKind;
use crate::session::reflection::{Achieved, Answers, Fate};
use crate::session::{Method, Plan};
use crate::usage::Usage;

/// The entry format this build writes and reads.
pub const SCHEMA: u32 = 1;

/// The file name of the log in the data directory.
pub const FILE: &str = "sessions.jsonl";

/// One finished session.
///
/// Field order is part of the format: everything the readers scan ([`crate::store::stats::Brief`])
/// comes before `plan`, so they can parse a line only up to [`SCAN_END`] (see [`scan`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub schema: u32,
    pub id: String,
    pub task: String,
    /// When the first block began (the plan's start if it never did), in session time.
    pub start: DateTime<FixedOffset>,
    /// Focus minutes as planned, and as worked (pauses left out).
    pub planned_minutes: u32,
    pub focused_minutes: u32,
    /// Yes, partly or no; `null` when skipped.
    pub outcome: Option<Achieved>,
    pub energy: Option<u8>,
    pub distractions: Vec<Item>,
    // ── the scanned fields end here ──────────────────────────────────────────
    /// The blocks as planned and as run.
    pub plan: Vec<BlockEntry>,
    pub goal: Option<String>,
    pub method: Method,
    /// When the session ended, in session time.
    pub end: DateTime<FixedOffset>,
    pub ended: Why,
    pub blocks_done: u32,
    pub blocks: u32,
    pub criteria: Vec<Criterion>,
    pub pauses: Vec<Pause>,
    pub extensions: Vec<Extension>,
    pub helped: Option<String>,
    pub distracted: Option<String>,
    pub improve: Option<String>,
    pub stopped: Option<String>,
    pub next_step: Option<String>,
    pub insights: Vec<Item>,
    pub decisions: Vec<Item>,
    pub blockers: Vec<Item>,
    /// The reflection questions passed over, by field name.
    pub skipped: Vec<String>,
    pub summary: Option<String>,
    /// The model that held the reflection; `null` for the offline coach.
    pub model: Option<String>,
    pub usage: Option<Usage>,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub time_scale: f64,
}

/// Where the fields readers scan end in a line this build wrote. The bytes `,"plan":` cannot
/// occur inside a JSON string (a quote there is always escaped), and no field before `plan`
/// holds an object with a `plan` key, so the first occurrence is the top-level field.
pub const SCAN_END: &[u8] = b",\"plan\":";

fn one() -> f64 {
    1.0
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_one(x: &f64) -> bool {
    (x - 1.0).abs() < f64::EPSILON
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub block: u32,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub minutes: u32,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub block: u32,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockEntry {
    /// `work` or `break`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    pub planned_start: DateTime<FixedOffset>,
    pub planned_minutes: u32,
    pub started: Option<DateTime<FixedOffset>>,
    pub ended: Option<DateTime<FixedOffset>>,
    /// Minutes it ran, pauses left out.
    pub minutes: u32,
    /// `completed`, `cut_short`, or `null` for a block never reached.
    pub outcome: Option<Outcome>,
    /// The person's answers to its check-ins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub goal: String,
    /// `null` when not answered.
    pub met: Option<bool>,
}

/// Something captured during the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub text: String,
    pub at: DateTime<FixedOffset>,
    /// The work block it was captured in.
    pub block: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// For a parked distraction: kept as a to-do, dropped, or a pattern (`null`: not decided,
    /// so still open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fate: Option<Fate>,
}

/// What the reflection produced, beyond what the session itself holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Closing {
    pub answers: Answers,
    pub summary: Option<String>,
    pub model: Option<String>,
    pub usage: Option<Usage>,
}

impl Entry {
    /// The entry for a closed session.
    #[allow(clippy::too_many_lines)] // one field after another
    pub fn new(id: &str, time_scale: f64, session: &Session, closing: Closing) -> Entry {
        let plan: &Plan = session.plan();
        let end = session.ended().unwrap_or(plan.end);
        let start = session.started().unwrap_or(plan.start);
        let runs = session.block_runs();
        let replies = session.replies();
        let blocks = runs
            .iter()
            .map(|run| {
                let block = &plan.blocks[run.index];
                let label = match &block.kind {
                    BlockKind::Work { label, .. } => label.clone(),
                    BlockKind::Break { .. } => None,
                };
                BlockEntry {
                    kind: if block.is_work() { "work" } else { "break" }.to_owned(),
                    number: run.number,
                    label,
                    goal: run.goal.clone(),
                    planned_start: block.start,
                    planned_minutes: block.minutes,
                    started: run.started,
                    ended: run.ended,
                    minutes: run.active_minutes,
                    outcome: run.outcome,
                    notes: replies
                        .iter()
                        .filter(|r| r.during.block() == Some(run.index) && block.is_work())
                        .map(|r| r.text.clone())
                        .collect(),
                }
            })
            .collect();
        let answers = closing.answers;
        let items = |kind: CaptureKind| -> Vec<Item> {
            session
                .captures()
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| Item {
                    text: c.text.clone(),
                    at: c.at,
                    block: c.block,
                    rationale: c.rationale.clone(),
                    fate: None,
                })
                .collect()
        };
        let mut distractions = items(CaptureKind::Distraction);
        for (item, fate) in distractions.iter_mut().zip(&answers.parked) {
            item.fate = *fate;
        }
        let criteria = session
            .criteria()
            .into_iter()
            .enumerate()
            .map(|(i, goal)| Criterion {
                goal,
                met: answers.criteria.get(i).copied().flatten(),
            })
            .collect();
        let (blocks_done, block_count) = session.blocks_done();
        Entry {
            schema: SCHEMA,
            id: id.to_owned(),
            task: plan.task.clone(),
            goal: plan.goal.clone(),
            method: plan.method,
            start,
            end,
            ended: session.why_ended().unwrap_or(Why::EndedEarly),
            planned_minutes: plan.focus_minutes,
            focused_minutes: session.focused_minutes(),
            blocks_done,
            blocks: block_count,
            pauses: session
                .pauses()
                .iter()
                .map(|p| Pause {
                    block: p.block,
                    from: p.from,
                    to: p.to,
                    minutes: ((p.to - p.from).num_seconds().max(0) / 60) as u32,
                    reason: p.reason.clone(),
                })
                .collect(),
            extensions: runs
                .iter()
                .filter(|r| r.extended > 0)
                .map(|r| Extension {
                    block: r.number.unwrap_or(0),
                    minutes: r.extended,
                })
                .collect(),
            plan: blocks,
            outcome: answers.achieved,
            criteria,
            energy: answers.energy,
            helped: answers.helped,
            distracted: answers.distracted,
            improve: answers.improve,
            stopped: answers.stopped,
            next_step: answers.next_step,
            distractions,
            insights: items(CaptureKind::Insight),
            decisions: items(CaptureKind::Decision),
            blockers: items(CaptureKind::Blocker),
            skipped: answers.skipped.iter().map(|q| q.field()).collect(),
            summary: closing.summary,
            model: closing.model,
            usage: closing.usage,
            time_scale,
        }
    }

    /// Parked distractions still open: kept as to-dos, or never decided.
    pub fn open_items(&self) -> impl Iterator<Item = &Item> {
        self.distractions
            .iter()
            .filter(|d| matches!(d.fate, Some(Fate::Keep) | None))
    }

    /// Success criteria met, and in all.
    pub fn goals_met(&self) -> (usize, usize) {
        let met = self.criteria.iter().filter(|c| c.met == Some(true)).count();
        (met, self.criteria.len())
    }

    /// Minutes from the start to the end, breaks and pauses included.
    pub fn span_minutes(&self) -> u32 {
        ((self.end - self.start).num_seconds().max(0) / 60) as u32
    }
}

/// Appends one entry, synced to disk, creating the directory and file as needed.
pub fn append(path: &Path, entry: &Entry) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        super::private::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
    line.push(b'\n');
    let mut file = super::private::options()
        .create(true)
        .append(true)
        .open(path)?;
    // A previous write cut off mid-line would glue this entry to it: start on a new line.
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8];
        let mut reader = File::open(path)?;
        reader.seek(SeekFrom::Start(len - 1))?;
        reader.read_exact(&mut last)?;
        if last[0] != b'\n' {
            line.insert(0, b'\n');
        }
    }
    file.write_all(&line)?;
    file.sync_data()
}

/// What a read of the log found wrong, one line each, for the person.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Warnings {
    pub lines: Vec<String>,
    /// Lines skipped beyond those named in `lines`.
    pub more: usize,
}

impl Warnings {
    /// At most this many skipped lines are named; the rest are counted.
    const NAMED: usize = 5;

    fn push(&mut self, line: String) {
        if self.lines.len() < Self::NAMED {
            self.lines.push(line);
        } else {
            self.more += 1;
        }
    }

    /// The warnings as they are printed.
    pub fn messages(&self, path: &Path) -> Vec<String> {
        let mut out = self.lines.clone();
        if self.more > 0 {
            out.push(format!(
                "{} more lines in {} were skipped too (damaged, or written by a newer focus)",
                self.more,
                path.display()
            ));
        }
        out
    }
}

/// The schema a line says it has: read from its start when focus wrote it (`{"schema":N`),
/// else from the whole line; `None` when it has none.
fn schema_of(line: &[u8]) -> Option<u32> {
    if let Some(rest) = line.strip_prefix(b"{\"schema\":") {
        let digits = rest.iter().take_while(|d| d.is_ascii_digit()).count();
        if digits > 0 && rest.get(digits).is_some_and(|&b| b == b',' || b == b'}') {
            return std::str::from_utf8(&rest[..digits]).ok()?.parse().ok();
        }
    }
    serde_json::from_slice::<Version>(line)
        .ok()
        .map(|v| v.schema)
}

/// Why a line written by a newer focus is skipped.
fn newer(schema: u32) -> String {
    format!(
        "was written by a newer focus (schema {schema}, this one reads {SCHEMA}); skipped it, update focus to read it"
    )
}

/// A log line read for its id alone.
#[derive(Debug, Deserialize)]
pub struct Id {
    pub id: String,
}

/// The version field alone, to tell a newer entry from a damaged one.
#[derive(Deserialize)]
struct Version {
    schema: u32,
}

/// Calls `each` with every readable line of the log: its 1-based number, its text, and the
/// line parsed as `T` (a full [`Entry`], or a narrower view of one that reads faster). A
/// missing log is an empty one.
pub fn read<T: DeserializeOwned>(
    path: &Path,
    each: impl FnMut(usize, &[u8], T),
) -> io::Result<Warnings> {
    read_with(path, |line| serde_json::from_slice::<T>(line), each)
}

/// Streams the lines of the log through `parse`, then `each`.
fn read_with<T>(
    path: &Path,
    mut parse: impl FnMut(&[u8]) -> serde_json::Result<T>,
    mut each: impl FnMut(usize, &[u8], T),
) -> io::Result<Warnings> {
    let mut warnings = Warnings::default();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(warnings),
        Err(e) => return Err(e),
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buffer = Vec::with_capacity(4096);
    let mut number = 0;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        number += 1;
        let line = buffer.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if let Some(schema) = schema_of(line).filter(|&s| s > SCHEMA) {
            warnings.push(skipped(path, number, &newer(schema)));
            continue;
        }
        match parse(line) {
            Ok(value) => each(number, line, value),
            Err(e) => warnings.push(skipped(path, number, &damaged(&e))),
        }
    }
    Ok(warnings)
}

/// Reads every line, in parallel over parts of the file, for readers that need only fields
/// that come before `plan`. `each(state, line, text)` gets the whole line and the JSON text
/// to parse: the line only up to [`SCAN_END`] (a fifth of it or less, closed with `}`), or,
/// when parsing that fails (a line written some other way), the whole line; so the result is
/// the same, only faster. `each` must parse before it changes its state, and returns the
/// parse error of a line it cannot read.
///
/// The file is cut into up to `threads` parts at line ends; part `i` folds its lines into its
/// own state, made by `init(i)`. The states come back in file order, for the caller to merge.
pub fn scan<S: Send>(
    path: &Path,
    threads: usize,
    init: impl Fn(usize) -> S + Sync,
    each: impl Fn(&mut S, &[u8], &[u8]) -> serde_json::Result<()> + Sync,
) -> io::Result<(Vec<S>, Warnings)> {
    let len = match fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok((Vec::new(), Warnings::default()));
        }
        Err(e) => return Err(e),
    };
    // Small logs are not worth a thread.
    let parts = if len < 4 << 20 {
        1
    } else {
        threads.clamp(1, 8)
    };
    scan_in(path, len, parts, init, each)
}

/// [`scan`] over exactly `parts` parts (some may be empty when the file has few lines).
fn scan_in<S: Send>(
    path: &Path,
    len: u64,
    parts: usize,
    init: impl Fn(usize) -> S + Sync,
    each: impl Fn(&mut S, &[u8], &[u8]) -> serde_json::Result<()> + Sync,
) -> io::Result<(Vec<S>, Warnings)> {
    let bounds = line_bounds(path, len, parts)?;
    let results: Vec<io::Result<Part<S>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let (from, to) = (w[0], w[1]);
                let (init, each) = (&init, &each);
                scope.spawn(move || {
                    let mut state = init(i);
                    let (lines, problems) = scan_part(path, from, to, true, |line, text| {
                        each(&mut state, line, text)
                    })?;
                    Ok((state, lines, problems))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a log reader thread panicked"))
            .collect()
    });
    let mut states = Vec::with_capacity(results.len());
    let mut warnings = Warnings::default();
    let mut before = 0;
    for result in results {
        let (state, lines, problems) = result?;
        for (number, why) in problems.lines {
            warnings.push(skipped(path, before + number, &why));
        }
        warnings.more += problems.more;
        before += lines;
        states.push(state);
    }
    Ok((states, warnings))
}

/// The most log bytes one part of [`map_ordered`] reads; its output is held until the parts
/// before it are written.
const ORDERED_PART: u64 = 2 << 20;

/// Reads every whole line, in parallel, and hands what `each` makes of them to `emit` in file
/// order: each part of the file folds its lines into its own state (`init()`), `each(state,
/// line)` returning the line's parse error if it cannot read it; `emit(state)` takes the
/// parts' states in order and says whether to go on (`false` after a failed write). The file
/// is cut into parts of about [`ORDERED_PART`] bytes, read `threads` at a time, so memory
/// stays at a few parts' worth however long the log.
pub fn map_ordered<S: Send>(
    path: &Path,
    threads: usize,
    init: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, &[u8]) -> serde_json::Result<()> + Sync,
    emit: impl FnMut(S) -> bool,
) -> io::Result<Warnings> {
    map_ordered_in(path, threads, ORDERED_PART, init, each, emit)
}

/// [`map_ordered`] with parts of about `part_bytes`.
fn map_ordered_in<S: Send>(
    path: &Path,
    threads: usize,
    part_bytes: u64,
    init: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, &[u8]) -> serde_json::Result<()> + Sync,
    mut emit: impl FnMut(S) -> bool,
) -> io::Result<Warnings> {
    let len = match fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Warnings::default()),
        Err(e) => return Err(e),
    };
    let parts = usize::try_from(len.div_ceil(part_bytes.max(1)).max(1)).unwrap_or(usize::MAX);
    let bounds = line_bounds(path, len, parts)?;
    let windows: Vec<&[u64]> = bounds.windows(2).collect();
    let mut warnings = Warnings::default();
    let mut before = 0;
    for batch in windows.chunks(threads.max(1)) {
        let results: Vec<io::Result<Part<S>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|w| {
                    let (from, to) = (w[0], w[1]);
                    let (init, each) = (&init, &each);
                    scope.spawn(move || {
                        let mut state = init();
                        let (lines, problems) =
                            scan_part(path, from, to, false, |line, _| each(&mut state, line))?;
                        Ok((state, lines, problems))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a log reader thread panicked"))
                .collect()
        });
        for result in results {
            let (state, lines, problems) = result?;
            for (number, why) in problems.lines {
                warnings.push(skipped(path, before + number, &why));
            }
            warnings.more += problems.more;
            before += lines;
            if !emit(state) {
                return Ok(warnings);
            }
        }
    }
    Ok(warnings)
}

/// What a part of the log gave: its state, how many lines it has, and its problems.
type Part<S> = (S, usize, Problems);

/// The lines a part skipped: the first few by number within the part, and a count of the
/// rest (so memory does not grow with the damage).
#[derive(Debug, Default)]
struct Problems {
    lines: Vec<(usize, String)>,
    more: usize,
}

impl Problems {
    fn push(&mut self, number: usize, why: String) {
        if self.lines.len() < Warnings::NAMED {
            self.lines.push((number, why));
        } else {
            self.more += 1;
        }
    }
}

/// `parts + 1` offsets from 0 to `len`, each inner one just after a newline.
fn line_bounds(path: &Path, len: u64, parts: usize) -> io::Result<Vec<u64>> {
    let mut file = File::open(path)?;
    let mut bounds = vec![0];
    let mut window = vec![0u8; 64 * 1024];
    for k in 1..parts {
        let mut at = (len * k as u64 / parts as u64).max(*bounds.last().expect("0 is there"));
        file.seek(SeekFrom::Start(at))?;
        loop {
            let n = file.read(&mut window)?;
            if n == 0 {
                at = len;
                break;
            }
            if let Some(i) = memchr::memchr(b'\n', &window[..n]) {
                at += i as u64 + 1;
                break;
            }
            at += n as u64;
        }
        // The file may have grown since `len` was read; the scan reads up to `len` only.
        bounds.push(at.min(len));
    }
    bounds.push(len);
    Ok(bounds)
}

/// Reads the lines in `from..to`; returns how many there were and the problems. `prefix`:
/// `each` is tried on the line up to [`SCAN_END`] first (see [`scan`]).
fn scan_part(
    path: &Path,
    from: u64,
    to: u64,
    prefix: bool,
    mut each: impl FnMut(&[u8], &[u8]) -> serde_json::Result<()>,
) -> io::Result<(usize, Problems)> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let mut reader = file.take(to - from);
    let finder = memchr::memmem::Finder::new(SCAN_END);
    let first_prefix = prefix;
    let mut prefix = Vec::with_capacity(1024);
    let mut problems = Problems::default();
    let mut number = 0;
    let mut line = |number: usize, line: &[u8]| {
        let line = line.trim_ascii();
        if line.is_empty() {
            return;
        }
        if let Some(schema) = schema_of(line).filter(|&s| s > SCHEMA) {
            problems.push(number, newer(schema));
            return;
        }
        if let Some(end) = finder.find(line).filter(|_| first_prefix) {
            // The whole line must read, or a line cut after its first fields would pass.
            if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(line) {
                problems.push(number, damaged(&e));
                return;
            }
            prefix.clear();
            prefix.extend_from_slice(&line[..end]);
            prefix.push(b'}');
            if each(line, &prefix).is_ok() {
                return;
            }
        }
        if let Err(e) = each(line, line) {
            problems.push(number, damaged(&e));
        }
    };
    // Lines are read in place from a large buffer, not copied out one by one.
    let mut buffer = vec![0u8; 1 << 20];
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            // One line longer than the buffer.
            buffer.resize(buffer.len() * 2, 0);
        }
        let read = reader.read(&mut buffer[filled..])?;
        filled += read;
        let mut start = 0;
        while let Some(i) = memchr::memchr(b'\n', &buffer[start..filled]) {
            number += 1;
            line(number, &buffer[start..start + i]);
            start += i + 1;
        }
        if read == 0 {
            if start < filled {
                number += 1;
                line(number, &buffer[start..filled]);
            }
            break;
        }
        buffer.copy_within(start..filled, 0);
        filled -= start;
    }
    Ok((number, problems))
}

/// "<log> line 7 is damaged (…); skipped it"
fn skipped(path: &Path, number: usize, why: &str) -> String {
    format!("{} line {number} {why}", path.display())
}

/// Why a line that is not of a newer schema could not be read.
fn damaged(error: &serde_json::Error) -> String {
    format!("is damaged ({error}); skipped it")
}

/// The last readable entry, read from the end of the file (the log can be long).
pub fn last(path: &Path) -> io::Result<Option<Entry>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut window: u64 = 64 * 1024;
    loop {
        let from = len.saturating_sub(window);
        file.seek(SeekFrom::Start(from))?;
        let mut tail = Vec::new();
        Read::by_ref(&mut file)
            .take(window)
            .read_to_end(&mut tail)?;
        let mut lines: Vec<&[u8]> = tail.split(|&b| b == b'\n').collect();
        if from > 0 {
            // The first piece may be the end of a longer line.
            lines.remove(0);
        }
        for line in lines.iter().rev() {
            let line = line.trim_ascii();
            if schema_of(line).is_some_and(|s| s > SCHEMA) {
                continue;
            }
            if let Ok(entry) = serde_json::from_slice::<Entry>(line) {
                return Ok(Some(entry));
            }
        }
        if from == 0 {
            return Ok(None);
        }
        window *= 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(path: &Path) -> (Vec<String>, Warnings) {
        let mut ids = Vec::new();
        let warnings = read(path, |_, _, e: Id| ids.push(e.id)).unwrap();
        (ids, warnings)
    }

    const KNOWN: &str = include_str!("../../tests/fixtures/log/expected-entry.json");

    #[test]
    fn the_scanned_fields_come_before_plan_and_a_line_written_otherwise_reads_the_same() {
        use crate::store::stats::Brief;
        let entry: Entry = serde_json::from_str(KNOWN).unwrap();
        let line = serde_json::to_string(&entry).unwrap();
        let cut = memchr::memmem::find(line.as_bytes(), SCAN_END).expect("plan is there");
        assert!(cut < line.len() / 2, "the scanned part is the short one");

        // The same entry with `plan` first: the prefix is useless, the full parse is used.
        let mut value: serde_json::Value = serde_json::from_str(KNOWN).unwrap();
        let plan = value.as_object_mut().unwrap().remove("plan").unwrap();
        let mut reordered = serde_json::Map::new();
        reordered.insert("plan".into(), plan);
        reordered.extend(value.as_object().unwrap().clone());
        let other = serde_json::to_string(&reordered).unwrap();

        // And with `outcome` and `energy` after `plan`: the part before it lacks them, so
        // the whole line is read rather than taking them for "not answered".
        let moved = ",\"outcome\":\"partly\",\"energy\":4";
        assert!(line.contains(moved), "{line}");
        let late = format!(
            "{}{moved}}}",
            line.replacen(moved, "", 1).trim_end_matches('}')
        );
        assert!(late.find("\"energy\"") > late.find(",\"plan\":"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        fs::write(&path, format!("{line}\n{other}\n{late}\n")).unwrap();
        let (parts, warnings) = scan(
            &path,
            1,
            |_| Vec::new(),
            |v: &mut Vec<Brief<'static>>, _, text| {
                v.push(serde_json::from_slice::<Brief>(text)?.into_owned());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(warnings, Warnings::default());
        let briefs: Vec<Brief<'static>> = parts.into_iter().flatten().collect();
        assert_eq!(briefs.len(), 3);
        for brief in &briefs {
            assert_eq!(brief.id, "20261120-090000");
            assert_eq!(brief.focused_minutes, 63);
            assert_eq!(brief.energy, Some(4));
            assert_eq!(brief.outcome, Some(Achieved::Partly));
            assert_eq!(brief.distractions.len(), 2);
        }
    }

    #[test]
    #[allow(clippy::items_after_statements)]
    fn parts_of_the_file_are_read_in_order_and_damaged_lines_keep_their_numbers() {
        use std::fmt::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut text = String::new();
        for i in 1..=30 {
            if i % 7 == 0 {
                text.push_str("damaged\n");
            } else {
                let _ = writeln!(text, "{{\"schema\":1,\"id\":\"{i}\"}}");
            }
        }
        fs::write(&path, &text).unwrap();
        let len = text.len() as u64;
        for parts in [1, 2, 3, 8] {
            let (states, warnings) = scan_in(
                &path,
                len,
                parts,
                |part| (part, Vec::new()),
                |state: &mut (usize, Vec<String>), _, text| {
                    state.1.push(serde_json::from_slice::<Id>(text)?.id);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(states.len(), parts);
            let ids: Vec<String> = states.into_iter().flat_map(|(_, ids)| ids).collect();
            let want: Vec<String> = (1..=30)
                .filter(|i| i % 7 != 0)
                .map(|i| i.to_string())
                .collect();
            assert_eq!(ids, want, "{parts} parts");
            let named: Vec<&str> = warnings
                .lines
                .iter()
                .map(|w| w.split(" line ").nth(1).unwrap().split(' ').next().unwrap())
                .collect();
            assert_eq!(named, ["7", "14", "21", "28"], "{parts} parts");
        }
    }

    #[test]
    #[allow(clippy::items_after_statements)]
    fn ordered_parts_come_out_in_file_order_and_a_failed_write_stops_the_reading() {
        use std::fmt::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut text = String::new();
        for i in 1..=200 {
            if i % 23 == 0 {
                text.push_str("damaged\n");
            } else {
                let _ = writeln!(text, "{{\"schema\":1,\"id\":\"{i}\"}}");
            }
        }
        fs::write(&path, &text).unwrap();
        let want: Vec<String> = (1..=200)
            .filter(|i| i % 23 != 0)
            .map(|i| i.to_string())
            .collect();
        // Parts of a line or two up to the whole file, read one to four at a time.
        for (part_bytes, threads) in [(30, 1), (30, 4), (100, 3), (1 << 20, 2)] {
            let mut ids = Vec::new();
            let mut parts = 0;
            let warnings = map_ordered_in(
                &path,
                threads,
                part_bytes,
                Vec::new,
                |out: &mut Vec<String>, line| {
                    out.push(serde_json::from_slice::<Id>(line)?.id);
                    Ok(())
                },
                |out| {
                    parts += 1;
                    ids.extend(out);
                    true
                },
            )
            .unwrap();
            assert_eq!(ids, want, "parts of {part_bytes} bytes");
            assert!(parts > 1 || part_bytes > 4096, "{parts} parts");
            let named: Vec<&str> = warnings
                .lines
                .iter()
                .map(|w| w.split(" line ").nth(1).unwrap().split(' ').next().unwrap())
                .collect();
            assert_eq!(named, ["23", "46", "69", "92", "115"], "{part_bytes}");
            assert_eq!(warnings.more, 3, "{part_bytes}");
        }
        // A write that fails (a closed pipe) ends the reading.
        let mut emitted = 0;
        map_ordered_in(
            &path,
            2,
            30,
            Vec::new,
            |_: &mut Vec<()>, _| Ok(()),
            |_| {
                emitted += 1;
                false
            },
        )
        .unwrap();
        assert_eq!(emitted, 1);
    }

    #[test]
    fn a_missing_log_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        assert_eq!(ids(&path), (vec![], Warnings::default()));
        assert_eq!(last(&path).unwrap(), None);
    }

    #[test]
    fn damaged_and_newer_lines_are_skipped_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        fs::write(
            &path,
            "{\"schema\":1,\"id\":\"a\"}\n{\"schema\":1,\"id\":\nnot json\n\n{\"schema\":9,\"id\":7}\n{\"schema\":1,\"id\":\"b\"}\n",
        )
        .unwrap();
        let (ids, warnings) = ids(&path);
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(warnings.lines.len(), 3);
        assert!(
            warnings.lines[0].contains("line 2 is damaged"),
            "{warnings:?}"
        );
        assert!(warnings.lines[1].contains("line 3 is damaged"));
        assert!(
            warnings.lines[2].contains("line 5 was written by a newer focus (schema 9"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_newer_line_is_skipped_even_when_it_would_parse() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        fs::write(&path, "{\"schema\":2,\"id\":\"new\"}\n{\"id\":\"newer\",\"schema\":3}\n{\"schema\":1,\"id\":\"old\"}\n").unwrap();
        let (ids, warnings) = ids(&path);
        assert_eq!(ids, ["old"]);
        assert!(warnings.lines[0].contains("line 1 was written by a newer focus (schema 2"));
        assert!(warnings.lines[1].contains("line 2 was written by a newer focus (schema 3"));
        let (parts, warnings) = scan(
            &path,
            1,
            |_| Vec::new(),
            |v: &mut Vec<String>, _, text| {
                v.push(serde_json::from_slice::<Id>(text)?.id);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(parts.concat(), ["old"]);
        assert_eq!(warnings.lines.len(), 2);
    }

    #[test]
    fn many_damaged_lines_are_counted_not_all_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        fs::write(&path, "x\n".repeat(12)).unwrap();
        let (_, warnings) = ids(&path);
        assert_eq!(warnings.lines.len(), 5);
        assert_eq!(warnings.more, 7);
        let messages = warnings.messages(&path);
        assert!(messages[5].starts_with("7 more lines in "), "{messages:?}");
    }
}
