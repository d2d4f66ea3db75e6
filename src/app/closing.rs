//! What happens when a session closes: its entry goes to the log (synced), its note to the
//! notes directory, and only then does its journal move to `journal/closed/`. A failure on the
//! way leaves the journal where it is, and the next `focus start` or `focus resume` finishes
//! the job, so a closed session is never lost and never logged twice.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;

use super::to_stderr;
use crate::coach::prompts::Prompts;
use crate::coach::{offline, reflection};
use crate::config::Settings;
use crate::error::Error;
use crate::llm::{self, ChatModel, Ending, LlmError, Reply, Request, Step, Usage};
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

/// The reflection's answers as the person gave them, with focus's own summary.
pub(super) fn offline_closing(machine: &Machine) -> Closing {
    Closing {
        answers: machine.session().answers().cloned().unwrap_or_default(),
        ..Closing::default()
    }
}

/// Has the model turn the reflection into the record's fields (checked; asked once more if
/// they do not check out, else the person's direct answers stand) and write the summary. Any
/// failure, or Ctrl-C, falls back to the offline closing: what the person said is kept
/// either way.
pub(super) async fn model_closing(
    model: Arc<dyn ChatModel>,
    spent: Usage,
    prompts: &Prompts,
    header: &Header,
    machine: &Machine,
    out: &mut impl Write,
) -> Closing {
    let _ = writeln!(out, "Thanks. The coach is writing up the session…");
    let _ = out.flush();
    let work = write_up(model, spent, prompts, header, machine);
    tokio::select! {
        closing = work => closing,
        _ = tokio::signal::ctrl_c() => {
            to_stderr(&["stopped; the record keeps your own answers and focus's summary".to_owned()]);
            offline_closing(machine)
        }
    }
}

/// `spent`: what the model has used in the session already (its replies in the reflection).
async fn write_up(
    model: Arc<dyn ChatModel>,
    spent: Usage,
    prompts: &Prompts,
    header: &Header,
    machine: &Machine,
) -> Closing {
    let session = machine.session();
    let direct = session.answers().cloned().unwrap_or_default();
    let parked = direct.parked.len();
    let criteria = direct.criteria.len();
    let mut usage = spent;
    let mut add = |u: Usage| usage.add(u);

    let request = match reflection::extraction_request(prompts, session) {
        Ok(request) => request,
        Err(error) => {
            to_stderr(&[format!("{error}; the record keeps your own answers")]);
            return offline_closing(machine);
        }
    };
    let first = match collect(&model, &request).await {
        Ok((text, u)) => {
            add(u);
            text
        }
        Err(error) => {
            to_stderr(&[format!(
                "the model could not write up the reflection ({error}); the record keeps your own answers"
            )]);
            return offline_closing(machine);
        }
    };
    let extracted = match reflection::parse_extraction(&first, criteria, parked) {
        Ok(extracted) => Some(extracted),
        Err(problem) => {
            tracing::debug!(%problem, "the extraction did not validate; asking once more");
            let again = reflection::retry_request(&request, &first, &problem);
            match collect(&model, &again).await {
                Ok((text, u)) => {
                    add(u);
                    match reflection::parse_extraction(&text, criteria, parked) {
                        Ok(extracted) => Some(extracted),
                        Err(problem) => {
                            to_stderr(&[format!(
                                "the model's reading of the reflection could not be used twice ({problem}); the record keeps your own answers"
                            )]);
                            None
                        }
                    }
                }
                Err(error) => {
                    to_stderr(&[format!(
                        "the model could not write up the reflection ({error}); the record keeps your own answers"
                    )]);
                    None
                }
            }
        }
    };
    let answers = extracted.map_or_else(|| direct.clone(), |x| reflection::merge(&direct, &x));
    let draft = Entry::new(
        &header.id,
        header.time_scale,
        session,
        Closing {
            answers: answers.clone(),
            ..Closing::default()
        },
    );
    let summary = match reflection::summary_request(prompts, &draft) {
        Ok(request) => match collect(&model, &request).await {
            Ok((text, u)) => {
                add(u);
                reflection::tidy_summary(&text)
            }
            Err(error) => {
                to_stderr(&[format!(
                    "the model could not write the summary ({error}); focus wrote its own"
                )]);
                None
            }
        },
        Err(error) => {
            to_stderr(&[format!("{error}; focus wrote the summary itself")]);
            None
        }
    };
    Closing {
        answers,
        summary,
        model: Some(model.name().to_owned()),
        usage: Some(usage),
    }
}

/// One request, its reply gathered silently (it is data, not for the screen).
async fn collect(
    model: &Arc<dyn ChatModel>,
    request: &Request,
) -> Result<(String, Usage), LlmError> {
    let mut reply = Reply::new(request);
    let mut stream = llm::with_trim(Arc::clone(model), request.clone());
    while let Some(item) = stream.next().await {
        if matches!(reply.absorb(item), Step::Ended) {
            break;
        }
    }
    if reply.ending().is_none() {
        reply.end_of_stream();
    }
    match reply.ending() {
        Some(Ending::Finished { .. }) if reply.text().trim().is_empty() => {
            Err(LlmError::NoAnswer {
                reasoning: !reply.reasoning().is_empty(),
            })
        }
        Some(Ending::Finished { .. }) => Ok((reply.text().to_owned(), reply.usage())),
        Some(Ending::CutOff(error) | Ending::Failed(error)) => Err(error.clone()),
        Some(Ending::Cancelled) | None => Err(LlmError::EndedEarly),
    }
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
        // `None`: it was in the log already, and only its journal needed closing.
        let attempt = || -> Result<Option<Logged>, Error> {
            let (journal, _) = Journal::open(path)?;
            if logged_already(settings, &header.id)? {
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

/// Whether the log already holds session `id`.
fn logged_already(settings: &Settings, id: &str) -> Result<bool, Error> {
    let path = log_path(settings);
    let mut found = false;
    log::read(&path, |_, _, entry: log::Id| found |= entry.id == id)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    Ok(found)
}
