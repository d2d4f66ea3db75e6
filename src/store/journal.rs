//! The journal of a running session: `<data dir>/journal/<id>.jsonl`.
//!
//! The first line is a [`Header`] (schema version, the plan, the rules, the clock); every
//! other line is one [`Record`]. Invariants:
//! - Lines are only ever appended, each in one write. A record of something the person did is
//!   synced to disk before the machine's effects go on, so nothing they said is acknowledged
//!   before it is on disk. A tick (the clock moved the session on) is written but not synced:
//!   the OS has it even if focus is killed, a replay would recompute it anyway, and the next
//!   synced record carries it to disk. That keeps check-ins on time on a slow disk.
//! - One process drives a session: the file is locked while it is open, and a second process
//!   gets [`JournalError::Locked`] instead of a share of the file.
//! - A last line cut off mid-write (the process was killed) is dropped with a warning when the
//!   journal is opened again; nothing before it is touched. A damaged line elsewhere is skipped
//!   with a warning naming it.
//! - A closed session's journal moves to `journal/closed/`, so the unfinished ones are exactly
//!   the files left in `journal/`.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::clock::TIME_SCALES;
use crate::session::Plan;
use crate::session::machine::{Event, Record, Rules};

/// The journal format this build writes and reads.
/// 2: the `leave` and `message` records, `resume` with `worked`, heartbeat ticks, and the
/// rules' `time_away_pauses`; a focus that reads only 1 refuses these journals.
pub const SCHEMA: u32 = 2;

const KIND: &str = "focus-session-journal";

/// The first line of a journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always `focus-session-journal`, so a stray file is not mistaken for a journal.
    pub kind: String,
    pub schema: u32,
    pub id: String,
    /// The wall-clock instant the session clock starts from.
    pub origin: DateTime<FixedOffset>,
    /// How much faster than wall time the session clock runs (1 = real time).
    pub time_scale: f64,
    pub rules: Rules,
    pub plan: Plan,
}

impl Header {
    pub fn new(
        id: String,
        origin: DateTime<FixedOffset>,
        time_scale: f64,
        rules: Rules,
        plan: Plan,
    ) -> Header {
        Header {
            kind: KIND.to_owned(),
            schema: SCHEMA,
            id,
            origin,
            time_scale,
            rules,
            plan,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "the session \"{task}\" is open in another focus process; carry on there, or end that process first"
    )]
    Locked { task: String },
    #[error(
        "{} is not a journal focus can read ({reason}); move it out of {} to start afresh",
        path.display(),
        path.parent().map_or_else(String::new, |p| p.display().to_string())
    )]
    Damaged { path: PathBuf, reason: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> JournalError {
    let context = context.into();
    move |source| JournalError::Io { context, source }
}

/// A journal read back: what it holds and what was wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub header: Header,
    pub records: Vec<Record>,
    /// One line per problem (a skipped line, a dropped cut-off tail), for the person.
    pub warnings: Vec<String>,
    /// The byte length of the text up to the end of the last whole line.
    pub sound_len: u64,
    /// The last line is a whole record that lacks only its newline.
    pub needs_newline: bool,
}

/// Reads a header line, checking what a replay relies on.
fn parse_header(line: &[u8]) -> Result<Header, String> {
    let header: Header = serde_json::from_slice(line.trim_ascii_end())
        .map_err(|e| format!("its first line is not a journal header: {e}"))?;
    if header.kind != KIND {
        return Err(format!(
            "its first line is a \"{}\", not a journal header",
            header.kind
        ));
    }
    if header.schema > SCHEMA {
        return Err(format!(
            "it was written by a newer focus (journal schema {}, this one reads {SCHEMA}); update focus",
            header.schema
        ));
    }
    if !TIME_SCALES.contains(&header.time_scale) {
        return Err(format!(
            "its time scale is {}, outside 0.01 to 10000",
            header.time_scale
        ));
    }
    Ok(header)
}

/// Parses a journal's bytes. `name` names it in warnings. Offsets count bytes, so a line
/// that is not UTF-8 is skipped without shifting the repair of the end.
pub fn parse(bytes: &[u8], name: &str) -> Result<Replay, String> {
    let mut lines = bytes.split_inclusive(|&b| b == b'\n');
    let first = lines.next().ok_or("it is empty")?;
    let header = parse_header(first)?;
    let mut replay = Replay {
        header,
        records: Vec::new(),
        warnings: Vec::new(),
        sound_len: first.len() as u64,
        needs_newline: false,
    };
    for (index, line) in lines.enumerate() {
        let number = index + 2;
        let whole = line.ends_with(b"\n");
        let parsed = serde_json::from_slice::<Record>(line.trim_ascii_end());
        match (parsed, whole) {
            (Ok(record), _) => {
                replay.records.push(record);
                replay.needs_newline = !whole;
                if whole {
                    replay.sound_len += line.len() as u64;
                }
            }
            (Err(_), false) => replay.warnings.push(format!(
                "{name}: its last line was cut off mid-write ({} bytes, when focus was stopped); it was dropped",
                line.len()
            )),
            (Err(_), true) if line.trim_ascii().is_empty() => replay.sound_len += line.len() as u64,
            (Err(e), true) => {
                replay.sound_len += line.len() as u64;
                replay
                    .warnings
                    .push(format!("{name}: line {number} is damaged and was skipped ({e})"));
            }
        }
    }
    Ok(replay)
}

/// Where the journals of logged sessions go, beside the unfinished ones.
pub const CLOSED: &str = "closed";

/// Where the journals of cancelled sessions go.
pub const CANCELLED: &str = "cancelled";

/// An open journal, locked for this process.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Starts the journal of a new session in `dir`. Its id is made unique in the data
    /// directory: a session started in the same second as another (whose journal is open,
    /// closed, or named by `taken`, such as the log's last session) gets `-2`, `-3`… after
    /// it, in its journal's name and in `header`.
    pub fn create(
        dir: &Path,
        header: &mut Header,
        taken: impl Fn(&str) -> bool,
    ) -> Result<Journal, JournalError> {
        super::private::create_dir_all(dir)
            .map_err(io_error(format!("cannot create {}", dir.display())))?;
        let base = header.id.clone();
        let closed = dir.join(CLOSED);
        let (path, (file, id)) = super::private::unique(dir, &base, "jsonl", |path, n| {
            let id = numbered(&base, n);
            if taken(&id) || closed.join(format!("{id}.jsonl")).exists() {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            let file = super::private::options()
                .create_new(true)
                .append(true)
                .read(true)
                .open(path)?;
            Ok((file, id))
        })
        .map_err(io_error(format!(
            "cannot create a journal in {}",
            dir.display()
        )))?;
        header.id = id;
        lock(&file, &header.plan.task)?;
        let mut journal = Journal { file, path };
        let line = serde_json::to_string(header).expect("headers serialize");
        journal
            .write_line(&line, true)
            .map_err(io_error(format!("cannot write {}", journal.path.display())))?;
        // The new name must survive a crash too.
        super::private::sync_dir(dir);
        Ok(journal)
    }

    /// Opens an unfinished journal to go on with it: locks it, reads it back, and drops a
    /// cut-off last line so that new records start on a line of their own.
    pub fn open(path: &Path) -> Result<(Journal, Replay), JournalError> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(io_error(format!("cannot open {}", path.display())))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(io_error(format!("cannot read {}", path.display())))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let replay = parse(&bytes, &name).map_err(|reason| JournalError::Damaged {
            path: path.to_owned(),
            reason,
        })?;
        lock(&file, &replay.header.plan.task)?;
        let context = format!("cannot repair the end of {}", path.display());
        if replay.needs_newline {
            file.write_all(b"\n").map_err(io_error(&context))?;
        } else if replay.sound_len < bytes.len() as u64 {
            file.set_len(replay.sound_len).map_err(io_error(&context))?;
            file.seek(SeekFrom::End(0)).map_err(io_error(&context))?;
        }
        file.sync_data().map_err(io_error(&context))?;
        Ok((
            Journal {
                file,
                path: path.to_owned(),
            },
            replay,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record: written in one call, and synced unless it is a tick.
    pub fn append(&mut self, record: &Record) -> io::Result<()> {
        let line = serde_json::to_string(record).map_err(io::Error::other)?;
        self.write_line(&line, record.event != Event::Tick)
    }

    fn write_line(&mut self, line: &str, sync: bool) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.file.write_all(&bytes)?;
        self.file.flush()?;
        if sync {
            self.file.sync_data()?;
        }
        Ok(())
    }

    /// Moves a closed session's journal to `closed/` beside it, never over another one.
    /// Returns the new path.
    pub fn close(self) -> Result<PathBuf, JournalError> {
        self.move_to(CLOSED)
    }

    /// Moves a cancelled session's journal to `cancelled/` beside it, never over another
    /// one: nothing of the session is logged, and nothing the person typed is destroyed.
    pub fn cancel(self) -> Result<PathBuf, JournalError> {
        self.move_to(CANCELLED)
    }

    fn move_to(self, folder: &str) -> Result<PathBuf, JournalError> {
        let dir = self.path.parent().unwrap_or(Path::new(".")).join(folder);
        super::private::create_dir_all(&dir)
            .map_err(io_error(format!("cannot create {}", dir.display())))?;
        let stem = self
            .path
            .file_stem()
            .expect("journals have file names")
            .to_string_lossy()
            .into_owned();
        let context = || format!("cannot move {} to {}", self.path.display(), dir.display());
        // A hard link fails when the name is taken, where a rename would replace it.
        let (to, ()) =
            super::private::unique(&dir, &stem, "jsonl", |to, _| fs::hard_link(&self.path, to))
                .map_err(io_error(context()))?;
        fs::remove_file(&self.path).map_err(io_error(context()))?;
        super::private::sync_dir(&dir);
        Ok(to)
    }
}

/// `<base>`, then `<base>-2`, …: a session's id, and its journal's file stem.
fn numbered(base: &str, n: u32) -> String {
    if n == 1 {
        base.to_owned()
    } else {
        format!("{base}-{n}")
    }
}

fn lock(file: &File, task: &str) -> Result<(), JournalError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(JournalError::Locked {
            task: task.to_owned(),
        }),
        Err(TryLockError::Error(e)) => Err(io_error("cannot lock the session journal")(e)),
    }
}

/// The unfinished sessions in a journal directory.
#[derive(Debug, Default)]
pub struct Unfinished {
    /// Journals with a readable header, oldest session first.
    pub journals: Vec<(PathBuf, Header)>,
    /// One line per `.jsonl` file that is not a journal focus can read.
    pub ignored: Vec<String>,
}

/// Finds the unfinished sessions in `dir`: the journals left there (closed ones have moved).
pub fn unfinished(dir: &Path) -> Result<Unfinished, JournalError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Unfinished::default()),
        Err(e) => return Err(io_error(format!("cannot read {}", dir.display()))(e)),
    };
    let mut found = Unfinished::default();
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if !(path.is_file() && path.extension().is_some_and(|e| e == "jsonl")) {
            continue;
        }
        match read_header(&path) {
            Ok(header) => found.journals.push((path, header)),
            Err(reason) => found.ignored.push(format!(
                "{} is not a session journal focus can read ({reason}); it was left alone",
                path.display()
            )),
        }
    }
    found
        .journals
        .sort_by(|(a_path, a), (b_path, b)| a.origin.cmp(&b.origin).then(a_path.cmp(b_path)));
    Ok(found)
}

/// The header of a journal, read without locking it.
fn read_header(path: &Path) -> Result<Header, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut first = Vec::new();
    io::BufReader::new(file)
        .read_until(b'\n', &mut first)
        .map_err(|e| e.to_string())?;
    if first.is_empty() {
        return Err("it is empty".into());
    }
    parse_header(&first)
}

/// Whether another process holds the journal open.
pub fn in_use(path: &Path) -> bool {
    File::open(path)
        .is_ok_and(|file| matches!(file.try_lock_shared(), Err(TryLockError::WouldBlock)))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::session::{Method, PlanRequest, Rhythms, plan};

    fn header() -> Header {
        let start = FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .unwrap();
        let plan = plan(
            &PlanRequest {
                task: "Write the report".into(),
                goal: None,
                block_goals: Vec::new(),
                method: Method::Pomodoro,
                minutes: Some(25),
                blocks: None,
                stack: None,
                work: None,
                break_minutes: None,
                start,
            },
            &Rhythms::default(),
        )
        .unwrap();
        Header::new("20261120-090000".into(), start, 1.0, Rules::default(), plan)
    }

    fn text(lines: &[&str]) -> String {
        let mut text = serde_json::to_string(&header()).unwrap();
        text.push('\n');
        for line in lines {
            text.push_str(line);
        }
        text
    }

    fn paths(dir: &Path) -> Vec<PathBuf> {
        unfinished(dir)
            .unwrap()
            .journals
            .into_iter()
            .map(|(path, _)| path)
            .collect()
    }

    const PARK: &str = r#"{"at":"2026-11-20T09:01:00Z","type":"park","text":"email"}"#;
    const START: &str = r#"{"at":"2026-11-20T09:00:00Z","type":"start"}"#;

    #[test]
    fn a_journal_reads_back_its_header_and_records() {
        let replay = parse(text(&[START, "\n", PARK, "\n"]).as_bytes(), "j").unwrap();
        assert_eq!(replay.header, header());
        assert_eq!(replay.records.len(), 2);
        assert_eq!(
            replay.records[1].event,
            Event::Park {
                text: "email".into()
            }
        );
        assert!(replay.warnings.is_empty());
        assert!(!replay.needs_newline);
    }

    #[test]
    fn a_cut_off_last_line_is_dropped_with_a_warning() {
        let full = text(&[START, "\n", &PARK[..20]]);
        let replay = parse(full.as_bytes(), "j.jsonl").unwrap();
        assert_eq!(replay.records.len(), 1);
        assert_eq!(
            replay.warnings,
            [
                "j.jsonl: its last line was cut off mid-write (20 bytes, when focus was stopped); it was dropped"
            ]
        );
        assert_eq!(replay.sound_len, (full.len() - 20) as u64);
    }

    #[test]
    fn a_whole_last_record_missing_only_its_newline_is_kept() {
        let replay = parse(text(&[START, "\n", PARK]).as_bytes(), "j").unwrap();
        assert_eq!(replay.records.len(), 2);
        assert!(replay.needs_newline);
    }

    #[test]
    fn a_damaged_line_in_the_middle_is_skipped_and_named() {
        let replay = parse(text(&[START, "\n", "{oops\n", PARK, "\n"]).as_bytes(), "j").unwrap();
        assert_eq!(replay.records.len(), 2);
        assert_eq!(replay.warnings.len(), 1);
        assert!(
            replay.warnings[0].starts_with("j: line 3 is damaged and was skipped"),
            "{:?}",
            replay.warnings
        );
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused() {
        assert_eq!(parse(b"", "j").unwrap_err(), "it is empty");
        assert!(
            parse(b"hello\n", "j")
                .unwrap_err()
                .starts_with("its first line is not a journal header")
        );
        let newer = text(&[]).replace(&format!("\"schema\":{SCHEMA}"), "\"schema\":7");
        assert_eq!(
            parse(newer.as_bytes(), "j").unwrap_err(),
            format!(
                "it was written by a newer focus (journal schema 7, this one reads {SCHEMA}); update focus"
            )
        );
    }

    #[test]
    fn sessions_started_in_the_same_second_get_their_own_ids() {
        let dir = tempfile::tempdir().unwrap();
        let ids = |header: &Header| header.id.clone();
        // One still open, one closed, one the log holds: the next takes the next number.
        let mut first = header();
        let open = Journal::create(dir.path(), &mut first, |_| false).unwrap();
        let mut second = header();
        let closing = Journal::create(dir.path(), &mut second, |_| false).unwrap();
        closing.close().unwrap();
        let mut third = header();
        Journal::create(dir.path(), &mut third, |id| id == "20261120-090000-3").unwrap();
        let mut fourth = header();
        let last = Journal::create(dir.path(), &mut fourth, |_| false).unwrap();
        assert_eq!(
            [&first, &second, &third, &fourth].map(ids),
            [
                "20261120-090000",
                "20261120-090000-2",
                "20261120-090000-4",
                "20261120-090000-3",
            ]
        );
        // The journal's name and its header say the same id.
        let (_, replay) = {
            drop(last);
            Journal::open(&dir.path().join("20261120-090000-3.jsonl")).unwrap()
        };
        assert_eq!(replay.header.id, "20261120-090000-3");
        drop(open);
    }

    #[test]
    fn records_are_appended_and_a_second_opener_is_locked_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::create(dir.path(), &mut header(), |_| false).unwrap();
        let record: Record = serde_json::from_str(PARK).unwrap();
        journal.append(&record).unwrap();
        let err = Journal::open(journal.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the session \"Write the report\" is open in another focus process; carry on there, or end that process first"
        );
        let path = journal.path().to_owned();
        drop(journal);
        let (_journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.records, [record]);
        assert_eq!(paths(dir.path()), [path]);
    }

    #[test]
    fn opening_drops_a_cut_off_tail_so_the_next_record_has_its_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = Journal::create(dir.path(), &mut header(), |_| false)
            .unwrap()
            .path()
            .to_owned();
        OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(&PARK.as_bytes()[..30])
            .unwrap();
        let (mut journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.warnings.len(), 1);
        journal
            .append(&serde_json::from_str(START).unwrap())
            .unwrap();
        drop(journal);
        let (_, replay) = Journal::open(&path).unwrap();
        assert!(replay.warnings.is_empty(), "{:?}", replay.warnings);
        assert_eq!(replay.records.len(), 1);
    }

    #[test]
    fn offsets_count_bytes_so_a_line_that_is_not_utf8_does_not_shift_the_repair() {
        let mut bytes = text(&[START, "\n"]).into_bytes();
        bytes.extend_from_slice(b"\xff\xff\xff\xff\n");
        let sound = bytes.len() as u64;
        bytes.extend_from_slice(b"{\"at\":\"2026");
        let replay = parse(&bytes, "j").unwrap();
        assert_eq!(replay.sound_len, sound);
        assert_eq!(replay.records.len(), 1);
        assert_eq!(replay.warnings.len(), 2);
    }

    #[test]
    fn a_header_with_an_impossible_time_scale_is_refused() {
        let zero = text(&[]).replace("\"time_scale\":1.0", "\"time_scale\":0.0");
        assert_eq!(
            parse(zero.as_bytes(), "j").unwrap_err(),
            "its time scale is 0, outside 0.01 to 10000"
        );
    }

    #[test]
    fn only_readable_journals_are_unfinished_sessions_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut later = header();
        later.origin += chrono::TimeDelta::hours(1);
        later.id = "a-later-one".into();
        let later = Journal::create(dir.path(), &mut later, |_| false).unwrap();
        let earlier = Journal::create(dir.path(), &mut header(), |_| false).unwrap();
        fs::write(dir.path().join("notes.jsonl"), "{\"a\":1}\n").unwrap();
        fs::write(dir.path().join("empty.jsonl"), "").unwrap();
        let found = unfinished(dir.path()).unwrap();
        assert_eq!(paths(dir.path()), [earlier.path(), later.path()]);
        assert_eq!(found.ignored.len(), 2);
        assert!(
            found
                .ignored
                .iter()
                .any(|w| w.contains("notes.jsonl is not a session journal"))
        );
        assert!(in_use(earlier.path()));
        let path = earlier.path().to_owned();
        drop(earlier);
        assert!(!in_use(&path));
    }

    #[test]
    fn closing_never_replaces_an_earlier_closed_journal() {
        let dir = tempfile::tempdir().unwrap();
        let first = Journal::create(dir.path(), &mut header(), |_| false)
            .unwrap()
            .close()
            .unwrap();
        let second = Journal::create(dir.path(), &mut header(), |_| false)
            .unwrap()
            .close()
            .unwrap();
        assert!(first.ends_with("closed/20261120-090000.jsonl"));
        assert!(second.ends_with("closed/20261120-090000-2.jsonl"));
        assert!(first.exists() && second.exists());
        assert_eq!(paths(dir.path()), Vec::<PathBuf>::new());
    }

    #[test]
    fn a_closed_journal_is_no_longer_unfinished() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::create(dir.path(), &mut header(), |_| false).unwrap();
        let second = Journal::create(dir.path(), &mut header(), |_| false).unwrap();
        assert!(second.path().ends_with("20261120-090000-2.jsonl"));
        let closed = journal.close().unwrap();
        assert!(closed.ends_with("closed/20261120-090000.jsonl"));
        assert_eq!(paths(dir.path()), [second.path().to_owned()]);
    }
}
