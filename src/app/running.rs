//! `focus start` and `focus resume`: set up a session (a new plan and journal, or a journal
//! read back), then hand it to the driver with stdin as its input.

use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::thread;

use chrono::Local;
use tokio::sync::mpsc;

use super::closing::{self, log_path};
use super::{plan_request, plan_start, to_stderr};
use crate::cli::StartArgs;
use crate::clock::{self, SessionClock};
use crate::coach::Offline;
use crate::coach::prompts::Prompts;
use crate::config::{Env, Settings};
use crate::error::Error;
use crate::output;
use crate::repl::driver::LeftBy;
use crate::repl::{Coach, Driver, Ending, Input};
use crate::session;
use crate::session::machine::{Event, Machine, Phase, Rules, Status};
use crate::store::journal::{self, Header, Journal};
use crate::store::log::{self, Entry};
use crate::text;

fn journal_dir(settings: &Settings) -> PathBuf {
    settings.data_dir().join("journal")
}

fn rules(settings: &Settings) -> Rules {
    Rules {
        checkins: settings.session.checkins,
        long_pause_minutes: settings.session.long_pause_minutes,
        auto_start_work: settings.session.auto_start_work,
    }
}

/// The unfinished sessions' journals (and their directory), once any session that was closed
/// but not logged has been logged.
fn unfinished(
    settings: &Settings,
) -> Result<(PathBuf, journal::Unfinished, closing::Recovery), Error> {
    let dir = journal_dir(settings);
    let mut found = journal::unfinished(&dir)?;
    to_stderr(&found.ignored);
    let recovery = closing::recover(settings, &found);
    // A closed session (logged now, or still stuck) is not one to resume.
    found
        .journals
        .retain(|(path, _)| !recovery.closed.contains(path));
    Ok((dir, found, recovery))
}

/// `focus start`: plans the session from now, prints the plan, and runs it.
pub(super) fn start(
    args: &StartArgs,
    settings: &Settings,
    env: &Env,
    offline: Option<&Offline>,
    prompts: &Prompts,
) -> Result<(), Error> {
    let (dir, found, _) = unfinished(settings)?;
    if let Some((path, header)) = found.journals.last() {
        let what = describe(header);
        return Err(Error::State(if journal::in_use(path) {
            format!("{what} is running in another focus process; carry on there, or end it first")
        } else {
            format!("{what} is not finished; `focus resume` continues it (and /done there ends it)")
        }));
    }
    let now = clock::now();
    // Planned from this minute, as `focus plan` would, so `--until 16:00` gets every minute
    // up to 16:00; the blocks then run from the actual start.
    let request = plan_request(&args.spec, settings, plan_start(None, now)?)?;
    let plan = session::plan(&request, &settings.session.rhythms())?;
    let scale = args.time_scale.unwrap_or(settings.session.time_scale);
    let rules = rules(settings);
    let origin = now.fixed_offset();
    let id = now.format("%Y%m%d-%H%M%S").to_string();
    let header = Header::new(id, origin, scale, rules, plan.clone());

    // The journal first: if it cannot be written there is no session to show a plan for.
    let journal = Journal::create(&dir, &header)?;
    let mut out = output::stdout(settings.ui.color);
    output::plan_text::render(&plan, &mut out).map_err(Error::io("cannot write the plan"))?;
    last_time(settings, &mut out)?;
    let faster = if (scale - 1.0).abs() > f64::EPSILON {
        format!(" The clock runs {scale}x faster.")
    } else {
        String::new()
    };
    writeln!(
        out,
        "\nOne command per line: /pause [reason], /park <text>, /status, /done; /help lists them all.{faster}"
    )
    .map_err(Error::io("cannot write to standard output"))?;
    say_offline(&mut out, offline)?;

    let machine = Machine::new(plan, rules);
    let mut driver = Driver::new(
        machine,
        journal,
        SessionClock::new(origin, scale),
        out,
        bell(settings),
    );
    driver.send(Event::Start)?;
    drive(
        with_coach(driver, settings, env, offline, prompts),
        &header,
        settings,
    )
}

/// `focus resume`: replays the unfinished session's journal and goes on from where it is now.
pub(super) fn resume(
    settings: &Settings,
    env: &Env,
    offline: Option<&Offline>,
    prompts: &Prompts,
) -> Result<(), Error> {
    let (dir, found, recovery) = unfinished(settings)?;
    let mut paths: Vec<PathBuf> = found.journals.into_iter().map(|(path, _)| path).collect();
    let Some(path) = paths.pop() else {
        if !recovery.stuck.is_empty() {
            return Err(Error::State(format!(
                "the closed session above is still not logged; once {} can be written, `focus resume` logs it",
                log_path(settings).display()
            )));
        }
        if recovery.logged > 0 {
            // Finishing the closed session was all there was to resume.
            return Ok(());
        }
        return Err(Error::State(
            "there is no unfinished session to resume; `focus start \"<task>\" --for 50m` starts one"
                .into(),
        ));
    };
    if !paths.is_empty() {
        to_stderr(&[format!(
            "{} older unfinished session(s) are in {}; resuming the latest",
            paths.len(),
            dir.display()
        )]);
    }
    let (journal, replay) = Journal::open(&path)?;
    to_stderr(&replay.warnings);
    let header = replay.header;
    let clock = SessionClock::new(header.origin, header.time_scale);
    let machine = Machine::replay(header.plan.clone(), header.rules, replay.records);
    let mut out = output::stdout(settings.ui.color);
    say_offline(&mut out, offline)?;
    let mut driver = Driver::new(machine, journal, clock, out, bell(settings));
    driver.send(Event::Reopen)?;
    drive(
        with_coach(driver, settings, env, offline, prompts),
        &header,
        settings,
    )
}

/// The driver with a model to speak through, unless the coach is offline. Nothing connects
/// until the model is needed.
fn with_coach<W: Write>(
    driver: Driver<W>,
    settings: &Settings,
    env: &Env,
    offline: Option<&Offline>,
    prompts: &Prompts,
) -> Driver<W> {
    if offline.is_some() {
        return driver;
    }
    driver.with_coach(Coach::new(
        settings.llm.clone(),
        env.clone(),
        prompts.clone(),
    ))
}

/// Reminds the person where the last session stopped: its next step and the parked items it
/// kept open.
fn last_time(settings: &Settings, out: &mut impl Write) -> Result<(), Error> {
    let path = log_path(settings);
    let last = match log::last(&path) {
        Ok(last) => last,
        Err(e) => {
            to_stderr(&[format!(
                "cannot read {} ({e}); going on without it",
                path.display()
            )]);
            None
        }
    };
    let Some(last) = last else { return Ok(()) };
    if let Some(text) = reminder(&last) {
        writeln!(out, "\n{text}").map_err(Error::io("cannot write to standard output"))?;
    }
    Ok(())
}

/// "Last time (Thu 19 Nov, \"Write the report\"): next step: … Still open: …"
fn reminder(last: &Entry) -> Option<String> {
    let open: Vec<String> = last.open_items().map(|i| text::sanitize(&i.text)).collect();
    if last.next_step.is_none() && open.is_empty() {
        return None;
    }
    let next = last.next_step.as_ref().map_or_else(
        || ".".to_owned(),
        |next| format!(": the next step was \"{}\".", text::sanitize(next)),
    );
    let open = if open.is_empty() {
        String::new()
    } else {
        format!(" Still open from the parking lot: {}.", open.join("; "))
    };
    Some(format!(
        "Last time ({}, \"{}\"){next}{open}",
        last.start.format("%a %-d %b"),
        text::sanitize(&last.task)
    ))
}

/// Says once, in one line, that the coach works without a model, and why.
fn say_offline(out: &mut impl Write, offline: Option<&Offline>) -> Result<(), Error> {
    match offline {
        Some(offline) => writeln!(out, "{}", offline.line())
            .map_err(Error::io("cannot write to standard output")),
        None => Ok(()),
    }
}

/// The unfinished session as it stands now, read without disturbing a process that may be
/// running it; `None` when there is none or it cannot be read.
pub(super) fn session_status(settings: &Settings) -> Option<Status> {
    let found = journal::unfinished(&journal_dir(settings)).ok()?;
    let (path, _) = found.journals.last()?;
    let bytes = fs::read(path).ok()?;
    let replay = journal::parse(&bytes, &path.display().to_string()).ok()?;
    let header = replay.header;
    let clock = SessionClock::new(header.origin, header.time_scale);
    let mut machine = Machine::replay(header.plan, header.rules, replay.records);
    let now = clock.now();
    // Brings the copy up to now (the effects are for the process that runs the session).
    machine.handle(Event::Tick, now);
    Some(machine.session().status(now))
}

/// "the session \"Write the report\" (started 2026-11-20 09:30)"
fn describe(header: &Header) -> String {
    format!(
        "the session \"{}\" (started {})",
        header.plan.task,
        header.origin.with_timezone(&Local).format("%Y-%m-%d %H:%M")
    )
}

fn bell(settings: &Settings) -> bool {
    settings.ui.bell && io::stdout().is_terminal()
}

/// Runs the driver on stdin until the session closes (then logs it) or the person leaves.
fn drive<W: Write>(
    mut driver: Driver<W>,
    header: &Header,
    settings: &Settings,
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("cannot start the timer runtime"))?;
    let (tx, rx) = mpsc::channel(64);
    read_lines(tx);
    // One item per Ctrl-C, for as long as the signal can be listened to.
    let interrupts = futures::stream::unfold((), |()| async {
        tokio::signal::ctrl_c().await.ok().map(|()| ((), ()))
    });
    let ending = runtime.block_on(driver.run(rx, interrupts))?;
    let message = match ending {
        Ending::Closed => {
            let (machine, journal, mut out, coach) = driver.into_parts();
            let closing = runtime.block_on(async {
                let mut coach = match coach {
                    // Offline, or the model already failed in this session (and said so).
                    Some(coach) if !coach.is_gone() => coach,
                    _ => return closing::offline_closing(&machine),
                };
                match coach.model().await {
                    Ok(model) => {
                        closing::model_closing(
                            model,
                            coach.spent,
                            &coach.prompts,
                            header,
                            &machine,
                            &mut out,
                        )
                        .await
                    }
                    Err(error) => {
                        to_stderr(&[format!(
                            "{}; the record keeps your own answers and focus's summary",
                            Offline::Unavailable(error).line().trim_end_matches('.')
                        )]);
                        closing::offline_closing(&machine)
                    }
                }
            });
            let logged = closing::finish(settings, header, &machine, journal, closing)?;
            closing::report(&mut out, &logged)?;
            return out.flush().map_err(Error::io("cannot write to standard output"));
        }
        Ending::Left(LeftBy::InputClosed) if reflecting(&driver) => {
            "Input ended during the reflection. Your answers so far are saved; `focus resume` picks up at the next question.".to_owned()
        }
        Ending::Left(LeftBy::InputClosed) => {
            "Input ended. The session is saved; `focus resume` continues it.".to_owned()
        }
        Ending::Left(LeftBy::Quit | LeftBy::Interrupt) if reflecting(&driver) => {
            "Your answers so far are saved; `focus resume` finishes the reflection.".to_owned()
        }
        Ending::Left(LeftBy::Quit | LeftBy::Interrupt) => {
            "The session is saved; `focus resume` continues it.".to_owned()
        }
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{message}")
        .and_then(|()| out.flush())
        .map_err(Error::io("cannot write to standard output"))
}

fn reflecting<W: Write>(driver: &Driver<W>) -> bool {
    matches!(driver.session().phase(), Phase::Reflecting(_))
}

/// Reads stdin line by line on its own thread (reads block; the timers must not), sending
/// each line, then `Input::Closed` at the end. Bytes that are not UTF-8 are replaced, not
/// fatal.
fn read_lines(tx: mpsc::Sender<Input>) {
    thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match stdin.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buffer);
                    let line = line.trim_end_matches(['\n', '\r']).to_owned();
                    if tx.blocking_send(Input::Line(line)).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = tx.blocking_send(Input::Closed);
    });
}
