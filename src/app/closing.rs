//! What happens when a session closes: its entry goes to the log (synced), its note to the
//! notes directory, and only then does its journal move to `journal/closed/`. A failure on the
//! way leaves the journal where it is, and the next `focus start` or `focus resume` finishes
//! the job, so a closed session is never lost and never logged twice.

use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use super::to_stderr;
use crate::coach::offline;
use crate::coach::writeup::offline_closing;
use crate::config::Settings;
use crate::error::Error;
use crate::session::machine::{Machine, Phase};
use crate::store::journal::{self, Header, Journal};
use crate::store::log::{self, Closing, Entry};
use crate::store::notes;

pub(super) fn log_path(settings: &Settings) -> PathBuf {
    settings.data_dir().join(log::FILE)
}

/// Where the closed session went.
#[derive(Debug)]
pub(super) struct Logged {
    pub entry: Entry,
    /// Where the note went, or why it could not be written (the log has everything).
    pub note: Result<PathBuf, String>,
}

/// Logs a closed session, writes its note, and closes its journal.
pub(super) fn finish(
    settings: &Settings,
    header: &Header,
    machine: &Machine,
    journal: Journal,
    closing: Closing,
) -> Result<Logged, Error> {
    let mut entry = Entry::new(&header.id, header.time_scale, machine.session(), closing);
    if entry.summary.is_none() {
        entry.summary = Some(offline::session_summary(&entry));
    }
    let path = log_path(settings);
    log::append(&path, &entry).map_err(Error::io(format!(
        "cannot write the session log {} (the session is kept in its journal; `focus resume` logs it once the file can be written)",
        path.display()
    )))?;
    let note = notes::write(settings.notes_dir(), &entry).map_err(|e| {
        format!(
            "cannot write the session's note in {} ({e}); the log has it, and `focus show {}` shows it",
            settings.notes_dir().display(),
            entry.id
        )
    });
    journal.close()?;
    Ok(Logged { entry, note })
}

/// What to tell the person about where the session went.
pub(super) fn report(logged: &Logged) -> String {
    let summary = logged.entry.summary.as_deref().unwrap_or_default();
    let note = match &logged.note {
        Ok(path) => format!("\nThe note is in {}.", path.display()),
        Err(why) => format!("\nfocus: {why}"),
    };
    format!(
        "{summary}\nLogged as session {} (`focus show {}`).{note}",
        logged.entry.id, logged.entry.id
    )
}

/// What to tell the person about a cancelled session's journal.
pub(super) fn cancelled_report(path: &std::path::Path) -> String {
    format!(
        "Nothing is logged; what you typed is kept in {}.",
        path.display()
    )
}

/// What [`recover`] did.
#[derive(Debug, Default)]
pub(super) struct Recovery {
    /// Sessions logged now.
    pub logged: usize,
    /// Closed sessions that still could not be logged; their journals stay where they are.
    pub stuck: Vec<PathBuf>,
    /// Every closed session's journal seen (logged now, already logged, or stuck): none of
    /// them is a session to resume.
    pub closed: Vec<PathBuf>,
}

/// Finishes sessions that were closed but not logged (focus stopped between the two, or the
/// log could not be written then). A journal another process holds is left alone. A session
/// that still cannot be logged is reported and kept; it does not stop anything else.
pub(super) fn recover(settings: &Settings, found: &journal::Unfinished) -> Recovery {
    let mut recovery = Recovery::default();
    for (path, header) in &found.journals {
        if journal::in_use(path) {
            continue;
        }
        let Ok(bytes) = fs::read(path) else { continue };
        let Ok(replay) = journal::parse(&bytes, &path.display().to_string()) else {
            continue;
        };
        let machine = Machine::replay(replay.header.plan, replay.header.rules, replay.records);
        if machine.session().phase() != Phase::Closed {
            continue;
        }
        recovery.closed.push(path.clone());
        if machine.session().cancelled() {
            // Cancelled, and focus stopped before its journal was put away.
            if let Err(error) = Journal::open(path).and_then(|(journal, _)| journal.cancel()) {
                to_stderr(&[format!(
                    "the cancelled session \"{}\" could not be put away ({error}); it is not logged",
                    header.plan.task
                )]);
            }
            continue;
        }
        // `None`: it was in the log already, and only its journal needed closing.
        let attempt = || -> Result<Option<Logged>, Error> {
            let (journal, _) = Journal::open(path)?;
            if logged_already(settings, &Identity::of(header, &machine))? {
                journal.close()?;
                return Ok(None);
            }
            finish(
                settings,
                header,
                &machine,
                journal,
                offline_closing(&machine),
            )
            .map(Some)
        };
        match attempt() {
            Ok(None) => {}
            Ok(Some(logged)) => {
                if let Err(why) = &logged.note {
                    to_stderr(std::slice::from_ref(why));
                }
                to_stderr(&[format!(
                    "the session \"{}\" was closed but not logged; it is logged now as {}",
                    logged.entry.task, logged.entry.id
                )]);
                recovery.logged += 1;
            }
            Err(error) => {
                to_stderr(&[format!(
                    "the closed session \"{}\" is still not logged ({error}); its journal {} is kept",
                    header.plan.task,
                    path.display()
                )]);
                recovery.stuck.push(path.clone());
            }
        }
    }
    recovery
}

/// What tells one session from every other: its id, task and start. Ids are unique for
/// sessions this focus starts, but a log written before may hold two sessions that started in
/// the same second under one id, so the id alone is not enough.
#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
struct Identity {
    id: String,
    task: String,
    start: DateTime<FixedOffset>,
}

impl Identity {
    fn of(header: &Header, machine: &Machine) -> Identity {
        let session = machine.session();
        Identity {
            id: header.id.clone(),
            task: session.plan().task.clone(),
            start: session.started().unwrap_or(session.plan().start),
        }
    }
}

/// Whether the log already holds this very session.
fn logged_already(settings: &Settings, session: &Identity) -> Result<bool, Error> {
    let path = log_path(settings);
    let mut found = false;
    log::read(&path, |_, _, logged: Identity| found |= logged == *session)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    Ok(found)
}
