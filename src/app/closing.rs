//! What happens when a session closes: its entry goes to the log (synced), its note to the
//! notes directory, and only then does its journal move to `journal/closed/`. A failure on the
//! way leaves the journal where it is, and the next `focus start` or `focus resume` finishes
//! the job, so a closed session is never lost and never logged twice.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::to_stderr;
use crate::coach::offline;
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
    /// `None` when the note could not be written (the log has everything).
    pub note: Option<PathBuf>,
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
    let note = match notes::write(settings.notes_dir(), &entry) {
        Ok(path) => Some(path),
        Err(e) => {
            to_stderr(&[format!(
                "cannot write the session's note in {} ({e}); the log has it, and `focus show {}` shows it",
                settings.notes_dir().display(),
                entry.id
            )]);
            None
        }
    };
    journal.close()?;
    Ok(Logged { entry, note })
}

/// Tells the person where the session went.
pub(super) fn report(out: &mut impl Write, logged: &Logged) -> Result<(), Error> {
    let summary = logged.entry.summary.as_deref().unwrap_or_default();
    let note = logged.note.as_ref().map_or_else(String::new, |p| {
        format!("\nThe note is in {}.", p.display())
    });
    writeln!(
        out,
        "{summary}\nLogged as session {} (`focus show {}`).{note}",
        logged.entry.id, logged.entry.id
    )
    .map_err(Error::io("cannot write to standard output"))
}

/// Finishes sessions that were closed but not logged (focus stopped between the two, or the
/// log could not be written then). A journal another process holds is left alone.
pub(super) fn recover(settings: &Settings, dir: &Path) -> Result<(), Error> {
    let found = journal::unfinished(dir)?;
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
        let (journal, _) = Journal::open(path)?;
        if logged_already(settings, &header.id)? {
            journal.close()?;
            continue;
        }
        let answers = machine.session().answers().cloned().unwrap_or_default();
        let closing = Closing {
            answers,
            ..Closing::default()
        };
        let logged = finish(settings, header, &machine, journal, closing)?;
        to_stderr(&[format!(
            "the session \"{}\" was closed but not logged; it is logged now as {}",
            logged.entry.task, logged.entry.id
        )]);
    }
    Ok(())
}

/// Whether the log already holds session `id`.
fn logged_already(settings: &Settings, id: &str) -> Result<bool, Error> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let path = log_path(settings);
    let mut found = false;
    log::read(&path, |_, _, entry: Id| found |= entry.id == id)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    Ok(found)
}
