//! Running a session: `focus start` (a new plan and journal), `focus resume` (a journal read
//! back) and `focus` with no arguments (the REPL, which plans and runs one session after
//! another). Each hands the driver its input (rustyline on a terminal, else lines as they
//! come) and does what the driver hands back: logging a closed session, opening a new one,
//! printing the log.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::pin::pin;

use chrono::{DateTime, FixedOffset, Local};

use super::closing::{self, log_path};
use super::reading;
use super::{plan_request, plan_start, to_stderr};
use crate::cli::{PlanSpec, StartArgs};
use crate::clock::{self, SessionClock};
use crate::coach::Offline;
use crate::coach::prompts::Prompts;
use crate::config::{Env, Settings};
use crate::error::Error;
use crate::llm::Usage;
use crate::output;
use crate::repl::driver::Planner;
use crate::repl::input;
use crate::repl::notify::Alerts;
use crate::repl::{Coach, Driver, Ending, LeftBy, Lines, Live, Screen, Show};
use crate::session::machine::{Event, Machine, Phase, Rules, Status};
use crate::session::phrase::{self, Length};
use crate::session::{self, Plan};
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
pub(super) fn start(args: &StartArgs, ctx: &Ctx<'_>) -> Result<(), Error> {
    let settings = ctx.settings;
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
    // The journal first: if it cannot be written there is no session to show a plan for.
    let live = open(&dir, settings, plan, scale)?;
    let (lines, screen) = input::stdin(Some(history(settings)), colored(settings));
    let mut driver = ctx.driver(screen, &lines);
    output::plan_text::render(&live.header.plan, driver.out())
        .map_err(Error::io("cannot write the plan"))?;
    last_time(settings, driver.out())?;
    let faster = if (scale - 1.0).abs() > f64::EPSILON {
        format!(" The clock runs {scale}x faster.")
    } else {
        String::new()
    };
    writeln!(
        driver.out(),
        "\nOne command per line: /pause [reason], /park <text>, /status, /done; /help lists them all.{faster}"
    )
    .map_err(Error::io("cannot write to standard output"))?;
    say_offline(driver.out(), ctx.offline)?;
    drive(driver, lines, ctx, Some((live, Event::Start)), false)
}

/// `focus resume`: replays the unfinished session's journal and goes on from where it is now.
pub(super) fn resume(ctx: &Ctx<'_>) -> Result<(), Error> {
    let settings = ctx.settings;
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
    let (live, turns) = reopen(&path)?;
    let (lines, screen) = input::stdin(Some(history(settings)), colored(settings));
    let mut driver = ctx.driver(screen, &lines);
    say_offline(driver.out(), ctx.offline)?;
    if let Some(coach) = driver.coach_mut() {
        coach.remember(turns);
    }
    drive(driver, lines, ctx, Some((live, Event::Reopen)), false)
}

/// `focus` with no arguments: the REPL. An unfinished session is taken up where it is;
/// otherwise it waits for `/plan` and `/start`, or a message to the coach.
pub(super) fn repl(ctx: &Ctx<'_>) -> Result<(), Error> {
    let settings = ctx.settings;
    let (_, found, _) = unfinished(settings)?;
    let (lines, screen) = input::stdin(Some(history(settings)), colored(settings));
    let mut driver = ctx.driver(screen, &lines);
    driver.set_last(last_entry(settings));
    let resumable = found
        .journals
        .last()
        .filter(|(path, _)| !journal::in_use(path))
        .map(|(path, _)| path.clone());
    if let Some((_, header)) = found.journals.last()
        && resumable.is_none()
    {
        to_stderr(&[format!(
            "{} is running in another focus process; a new one can start here once it ends",
            describe(header)
        )]);
    }
    let dim = output::DIM;
    writeln!(
        driver.out(),
        "focus {} · your partner for focused work. {dim}/plan <task and time> to plan a session, /help for the rest, Ctrl-D to leave.{dim:#}",
        env!("CARGO_PKG_VERSION")
    )
    .map_err(Error::io("cannot write to standard output"))?;
    say_offline(driver.out(), ctx.offline)?;
    let first = if let Some(path) = resumable {
        let (live, turns) = reopen(&path)?;
        if let Some(coach) = driver.coach_mut() {
            coach.remember(turns);
        }
        Some((live, Event::Reopen))
    } else {
        last_time(settings, driver.out())?;
        None
    };
    drive(driver, lines, ctx, first, true)
}

/// What every way of running a session needs from the command line.
#[derive(Debug)]
pub(super) struct Ctx<'a> {
    pub settings: &'a Settings,
    pub env: &'a Env,
    pub offline: Option<&'a Offline>,
    pub prompts: &'a Prompts,
}

impl Ctx<'_> {
    /// A driver on `screen`, with a model to speak through unless the coach is offline
    /// (nothing connects until the model is needed).
    fn driver(&self, screen: Screen, lines: &Lines) -> Driver<Screen> {
        let settings = self.settings;
        let alerts = Alerts::new(
            settings.ui.bell && io::stdout().is_terminal(),
            settings.ui.desktop_notifications,
            self.env.get("PATH"),
        );
        let styled = screen.is_colored();
        let owned = settings.clone();
        let planner: Planner = Box::new(move |words| plan_words(words, &owned));
        // At a terminal, Ctrl-C stops a reply or clears the line; Ctrl-D and /quit leave.
        let driver = Driver::new(screen, alerts).interactive(lines.is_terminal(), styled, planner);
        match self.offline {
            Some(offline) => driver.offline(offline.clone()),
            None => driver.with_coach(Coach::new(
                settings.llm.clone(),
                self.env.clone(),
                self.prompts.clone(),
                settings.llm.context_tokens,
            )),
        }
    }
}

/// A plan from the words after `/plan`, starting this minute.
fn plan_words(words: &str, settings: &Settings) -> Result<Plan, String> {
    let asked = phrase::read(words).map_err(|e| e.to_string())?;
    let spec = PlanSpec {
        task: asked.task,
        length: match asked.length {
            Some(Length::Minutes(minutes)) => Some(minutes),
            _ => None,
        },
        until: match asked.length {
            Some(Length::Until(at)) => Some(at),
            _ => None,
        },
        method: asked.method,
        goal: asked.goal,
        goals: (!asked.block_goals.is_empty()).then(|| asked.block_goals.join("; ")),
        work: asked.work,
        break_minutes: asked.break_minutes,
        stack: asked.stack,
    };
    if spec.length.is_none() && spec.until.is_none() && spec.stack.is_none() {
        return Err(format!(
            "how long? say it with the task, e.g. /plan {} for 50m (or until 16:00)",
            spec.task
        ));
    }
    let start = plan_start(None, clock::now()).map_err(|e| e.to_string())?;
    let request = plan_request(&spec, settings, start).map_err(|e| e.to_string())?;
    session::plan(&request, &settings.session.rhythms()).map_err(|e| e.to_string())
}

/// Opens the journal of a new session on `plan`, its times moved to start this minute.
fn open(dir: &Path, settings: &Settings, plan: Plan, scale: f64) -> Result<Live, Error> {
    let now = clock::now();
    let origin = now.fixed_offset();
    let plan = starting_at(plan, plan_start(None, now)?.fixed_offset());
    let rules = rules(settings);
    let id = now.format("%Y%m%d-%H%M%S").to_string();
    let header = Header::new(id, origin, scale, rules, plan.clone());
    let journal = Journal::create(dir, &header)?;
    Ok(Live {
        machine: Machine::new(plan, rules),
        journal,
        clock: SessionClock::new(origin, scale),
        header,
    })
}

/// The plan with every clock time moved so that it starts at `start` (a plan made a while
/// before `/start`).
fn starting_at(mut plan: Plan, start: DateTime<FixedOffset>) -> Plan {
    let shift = start - plan.start;
    if shift.is_zero() {
        return plan;
    }
    plan.start += shift;
    plan.end += shift;
    for block in &mut plan.blocks {
        block.start += shift;
        block.end += shift;
    }
    plan
}

/// Reads an unfinished session's journal back: the session, and the conversation with the
/// coach it holds (each reply with the words it answered).
fn reopen(path: &Path) -> Result<(Live, Vec<(String, String)>), Error> {
    let (journal, replay) = Journal::open(path)?;
    to_stderr(&replay.warnings);
    let header = replay.header;
    let mut turns = Vec::new();
    let mut said: Option<String> = None;
    for record in &replay.records {
        match &record.event {
            Event::Reply { text } => said = Some(text.clone()),
            Event::Coach { text, cut_off } => {
                let person = said.take().unwrap_or_default();
                let text = if *cut_off {
                    format!("{text} [cut off]")
                } else {
                    text.clone()
                };
                turns.push((person, text));
            }
            _ => {}
        }
    }
    let clock = SessionClock::new(header.origin, header.time_scale);
    let machine = Machine::replay(header.plan.clone(), header.rules, replay.records);
    Ok((
        Live {
            machine,
            journal,
            clock,
            header,
        },
        turns,
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

/// The REPL's history file.
fn history(settings: &Settings) -> PathBuf {
    settings.data_dir().join("history")
}

/// Whether standard output takes styles, decided as for every other command.
fn colored(settings: &Settings) -> bool {
    output::stdout(settings.ui.color).current_choice() != anstream::ColorChoice::Never
}

/// The last finished session in the log, if it can be read.
fn last_entry(settings: &Settings) -> Option<Entry> {
    log::last(&log_path(settings)).ok().flatten()
}

/// Runs the driver, from the session `first` if there is one, until the person leaves (or,
/// outside the `repl`, until the session is logged), doing what it hands over: logging a
/// closed session, opening a new one, printing the log.
fn drive(
    mut driver: Driver<Screen>,
    mut lines: Lines,
    ctx: &Ctx<'_>,
    first: Option<(Live, Event)>,
    repl: bool,
) -> Result<(), Error> {
    let settings = ctx.settings;
    // What was said before the first prompt shows now.
    driver
        .out()
        .flush()
        .map_err(Error::io("cannot write to standard output"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("cannot start the timer runtime"))?;
    // Ctrl-C is caught from here on, before the line editor reads its first line.
    let interrupts = {
        let _inside = runtime.enter();
        if let Some((live, event)) = first {
            driver.begin(live, event)?;
        }
        input::interrupts()
    };
    let mut interrupts = pin!(interrupts);
    loop {
        let ending = runtime.block_on(driver.run(&mut lines, interrupts.as_mut()))?;
        let message = match ending {
            Ending::Closed => {
                let result = runtime.block_on(close(&mut driver, settings));
                match result {
                    Ok(()) if !repl => return Ok(()),
                    Ok(()) => {
                        driver.set_last(last_entry(settings));
                        continue;
                    }
                    Err(error) if repl => {
                        let _ = writeln!(driver.out(), "focus: {error}");
                        let _ = driver.out().flush();
                        continue;
                    }
                    Err(error) => return Err(error),
                }
            }
            Ending::Start(plan) => {
                let _inside = runtime.enter();
                start_planned(&mut driver, *plan, settings)?;
                continue;
            }
            Ending::Show(show) => {
                driver.out().flush().map_err(Error::io("cannot write to standard output"))?;
                // /offline in this run holds for /review too.
                let off = driver.coach_mut().is_some_and(|c| !c.is_on());
                let chosen = Offline::Chosen { by: "/offline" };
                let ctx = Ctx {
                    offline: if off { Some(&chosen) } else { ctx.offline },
                    ..*ctx
                };
                if let Err(error) = self::show(&show, &ctx) {
                    let _ = writeln!(driver.out(), "focus: {error}");
                    let _ = driver.out().flush();
                }
                continue;
            }
            Ending::Left(LeftBy::InputClosed) if reflecting(&driver) => {
                "Input ended during the reflection. Your answers so far are saved; `focus resume` picks up at the next question.".to_owned()
            }
            Ending::Left(_) if reflecting(&driver) => {
                "Your answers so far are saved; `focus` (or `focus resume`) finishes the reflection.".to_owned()
            }
            Ending::Left(LeftBy::InputClosed) if driver.session().is_some() => {
                "Input ended. The session is saved; `focus resume` continues it.".to_owned()
            }
            Ending::Left(_) if driver.session().is_some() => {
                if repl {
                    "The session is saved; `focus` takes it up again.".to_owned()
                } else {
                    "The session is saved; `focus resume` continues it.".to_owned()
                }
            }
            Ending::Left(_) => String::new(),
        };
        if !message.is_empty() {
            writeln!(driver.out(), "{message}")
                .map_err(Error::io("cannot write to standard output"))?;
        }
        return driver
            .out()
            .flush()
            .map_err(Error::io("cannot write to standard output"));
    }
}

/// `/start` in the REPL: opens the journal of the planned session and begins it, or says why
/// not (the plan then waits for another `/start`). Called inside the runtime.
fn start_planned(
    driver: &mut Driver<Screen>,
    plan: Plan,
    settings: &Settings,
) -> Result<(), Error> {
    // One session at a time: another process may have begun one meanwhile.
    // Closed sessions that could not be logged are logged now, and do not count.
    let running = unfinished(settings)
        .ok()
        .and_then(|(_, found, _)| found.journals.last().map(|(_, h)| describe(h)));
    let opened = match running {
        Some(what) => Err(Error::State(format!(
            "{what} is not finished (it runs in another focus process, or `focus resume` continues it); end it before starting another"
        ))),
        None => open(
            &journal_dir(settings),
            settings,
            plan.clone(),
            settings.session.time_scale,
        ),
    };
    match opened {
        Ok(live) => {
            let planned_end = plan.end;
            let end = live.header.plan.end;
            if (end - planned_end).num_minutes() != 0 {
                writeln!(
                    driver.out(),
                    "The plan starts now, so it ends at {} (planned: {}).",
                    end.format("%H:%M"),
                    planned_end.format("%H:%M")
                )
                .map_err(Error::io("cannot write to standard output"))?;
            }
            driver.begin(live, Event::Start)?;
        }
        Err(error) => {
            // The plan waits for another /start.
            driver.keep_draft(plan);
            writeln!(driver.out(), "focus: {error}")
                .and_then(|()| driver.out().flush())
                .map_err(Error::io("cannot write to standard output"))?;
        }
    }
    Ok(())
}

/// `/log`, `/stats` and `/review` in the REPL, with the options of their commands.
fn show(show: &Show, ctx: &Ctx<'_>) -> Result<(), Error> {
    #[derive(clap::Parser)]
    #[command(name = "/log", no_binary_name = true, disable_help_flag = true)]
    struct LogWords {
        #[command(flatten)]
        args: crate::cli::LogArgs,
    }
    #[derive(clap::Parser)]
    #[command(name = "/stats", no_binary_name = true, disable_help_flag = true)]
    struct StatsWords {
        #[command(flatten)]
        args: crate::cli::StatsArgs,
    }
    fn words(text: &str) -> Result<Vec<String>, Error> {
        shlex::split(text)
            .ok_or_else(|| Error::Input(format!("cannot read \"{text}\": a quote is not closed")))
    }
    fn clap_error(error: &clap::Error) -> Error {
        let text = error.to_string();
        let first = text.lines().next().unwrap_or_default();
        Error::Input(first.trim_start_matches("error: ").to_owned())
    }
    match show {
        Show::Log(text) => {
            let parsed = <LogWords as clap::Parser>::try_parse_from(words(text)?)
                .map_err(|e| clap_error(&e))?;
            reading::log(&parsed.args, ctx.settings)
        }
        Show::Stats(text) => {
            let parsed = <StatsWords as clap::Parser>::try_parse_from(words(text)?)
                .map_err(|e| clap_error(&e))?;
            reading::stats(&parsed.args, ctx.settings)
        }
        Show::Review => reading::review(ctx.settings, ctx.env, ctx.offline, ctx.prompts),
    }
}

/// Logs the session that just closed: the model writes it up when it can, else focus does.
async fn close(driver: &mut Driver<Screen>, settings: &Settings) -> Result<(), Error> {
    let live = driver.take_session().expect("a session closed");
    let (coach, out) = driver.coach_and_out();
    let closing = match coach {
        // Offline, or the model already failed in this session (and said so).
        Some(coach) if coach.is_on() => match coach.model().await {
            Ok(model) => {
                let spent = std::mem::take(&mut coach.spent);
                closing::model_closing(
                    model,
                    spent,
                    &coach.prompts,
                    &live.header,
                    &live.machine,
                    out,
                )
                .await
            }
            Err(error) => {
                to_stderr(&[format!(
                    "{}; the record keeps your own answers and focus's summary",
                    Offline::Unavailable(error).line().trim_end_matches('.')
                )]);
                closing::offline_closing(&live.machine)
            }
        },
        _ => closing::offline_closing(&live.machine),
    };
    if let Some(coach) = driver.coach_mut() {
        coach.spent = Usage::default();
        coach.revive();
    }
    let logged = closing::finish(settings, &live.header, &live.machine, live.journal, closing)?;
    closing::report(driver.out(), &logged)?;
    driver
        .out()
        .flush()
        .map_err(Error::io("cannot write to standard output"))
}

fn reflecting<W: Write>(driver: &Driver<W>) -> bool {
    driver
        .session()
        .is_some_and(|s| matches!(s.phase(), Phase::Reflecting(_)))
}
