//! Running sessions: `focus` with no arguments (the REPL, which plans and runs one session
//! after another), `focus start` (a new plan and journal) and `focus resume` (a journal read
//! back). Each sets up the REPL's machine, its input (rustyline at a terminal, else lines as
//! they come) and its screen, and runs the one loop ([`crate::repl::Driver`]), whose file
//! work it does: the [`Files`] edge opens journals, logs closed sessions, reads the log back
//! for `/log`, `/stats` and `/review`, and keeps a plan for the next run.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::pin::pin;

use chrono::{DateTime, FixedOffset, Local};

use super::closing::{self, log_path};
use super::reading;
use super::{asked, asked_in_line, plan_request, this_minute, to_stderr};
use crate::cli::{CancelArgs, StartArgs};
use crate::clock::{self, Clock, SessionClock};
use crate::coach::prompts::Prompts;
use crate::coach::{Coach, Offline};
use crate::config::{Env, Settings, redact_url};
use crate::error::Error;
use crate::output;
use crate::repl::driver::{Edge, Link};
use crate::repl::input::{self, Lines};
use crate::repl::machine::{Figures, Logged, Mode, Planned, Planner, Running, Setup, Show};
use crate::repl::notify::Alerts;
use crate::repl::screen::{Plain, Screen, Terminal};
use crate::repl::{Driver, Repl};
use crate::session::machine::{Event, Machine, Rules, Status};
use crate::session::request;
use crate::session::words::Asked;
use crate::session::{self, Plan};
use crate::store::journal::{self, Header, Journal};
use crate::store::log::{self, Closing, Entry};

fn journal_dir(settings: &Settings) -> PathBuf {
    settings.data_dir().join("journal")
}

fn rules(settings: &Settings) -> Rules {
    Rules {
        checkins: settings.session.checkins,
        long_pause_minutes: settings.session.long_pause_minutes,
        auto_start_work: settings.session.auto_start_work,
        time_away_pauses: true,
    }
}

/// The unfinished sessions' journals (and their directory), once any session that was closed
/// but not logged has been logged. Every command that writes to the data directory starts
/// here, so this is where it is made private first ([`make_private`]).
fn unfinished(
    settings: &Settings,
) -> Result<(PathBuf, journal::Unfinished, closing::Recovery), Error> {
    make_private(settings.data_dir());
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

/// Files and folders in the data directory that others could read (written by an older
/// focus, or by hand) are made readable by their owner only, and the person is told once:
/// after that, nothing is left to tighten.
fn make_private(dir: &Path) {
    match crate::store::private::tighten(dir) {
        Ok(0) => {}
        Ok(n) => to_stderr(&[format!(
            "made {n} of the files and folders in {} readable by you only: they hold your sessions and what you told the coach",
            dir.display(),
        )]),
        Err(error) => {
            tracing::debug!(%error, dir = %dir.display(), "cannot tighten the data directory");
        }
    }
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
    let asked = asked(&args.spec.task.join(" "), &args.spec.options, None)?;
    if let Some(start) = asked.start {
        return Err(Error::Input(format!(
            "focus start begins the session now, not {start}; plan a later start with focus plan (or /plan in focus)"
        )));
    }
    let request = plan_request(&asked, settings, now)?;
    let plan = session::plan(&request, &settings.session.rhythms())?;
    let scale = args.time_scale.unwrap_or(settings.session.time_scale);
    // The journal first: if it cannot be written there is no session to show a plan for.
    let (journal, header) = open(&dir, settings, plan, scale)?;
    let (mut lines, mut screen) = screen(settings);
    let mut text = Vec::new();
    output::plan_text::render(&header.plan, &mut text)
        .map_err(Error::io("cannot show the plan"))?;
    say(&mut screen, String::from_utf8_lossy(&text).trim_end())?;
    let faster = if (scale - 1.0).abs() > f64::EPSILON {
        format!(" The clock runs {scale}x faster.")
    } else {
        String::new()
    };
    say(
        &mut screen,
        &format!(
            "\nOne command per line: /pause [reason], /park <text>, /status, /done; /help lists them all.{faster}"
        ),
    )?;
    say_offline(&mut screen, ctx.offline)?;
    let running = Running::new(&header, Machine::new(header.plan.clone(), header.rules));
    let machine = repl(ctx, &lines, Mode::Session)
        .with_last(last_entry(settings))
        .with_session(running, Vec::new());
    let files = Files::new(settings, scale);
    drive(
        ctx,
        machine,
        files,
        &mut lines,
        screen,
        Some((journal, header)),
        Event::Start,
    )
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
    let (journal, header, running, turns) = reopen(&path)?;
    let (mut lines, mut screen) = screen(settings);
    say_offline(&mut screen, ctx.offline)?;
    let machine = repl(ctx, &lines, Mode::Session).with_session(running, turns);
    let files = Files::new(settings, header.time_scale);
    drive(
        ctx,
        machine,
        files,
        &mut lines,
        screen,
        Some((journal, header)),
        Event::Reopen,
    )
}

/// `focus cancel`: ends the unfinished session without logging it, after a yes when it
/// holds more than a few focused minutes. Its journal, with the cancel at the end, moves to
/// `journal/cancelled/`.
pub(super) fn cancel(args: &CancelArgs, settings: &Settings) -> Result<(), Error> {
    let (_, found, _) = unfinished(settings)?;
    let Some((path, header)) = found.journals.last() else {
        return Err(Error::State(
            "there is no unfinished session to cancel (a logged one can be removed with `focus delete ID`)"
                .into(),
        ));
    };
    let what = describe(header);
    if journal::in_use(path) {
        return Err(Error::State(format!(
            "{what} is running in another focus process; type /cancel there"
        )));
    }
    let (mut journal, header, mut running, _) = reopen(path)?;
    let focused = running.machine.session().focused_minutes();
    if focused > 5 && !args.yes {
        let question = format!(
            "Cancel {what}? Its {} of focus would not count in the log or the stats. [y/N] ",
            session::format_minutes(focused)
        );
        if !confirm(&question)? {
            return Err(Error::State(format!(
                "not cancelled; {what} has {} of focus: `focus cancel --yes` cancels it without asking, `focus resume` goes on with it",
                session::format_minutes(focused)
            )));
        }
    }
    let now = running.clock.now();
    for event in [Event::Reopen, Event::Cancel] {
        for effect in running.machine.handle(event, now) {
            if let session::machine::Effect::Persist(record) = effect {
                journal.append(&record).map_err(Error::io(format!(
                    "cannot write {}",
                    journal.path().display()
                )))?;
            }
        }
    }
    let kept = journal.cancel()?;
    let said = format!(
        "Cancelled \"{}\". {}\n",
        header.plan.task,
        closing::cancelled_report(&kept)
    );
    super::write_stdout(said.as_bytes())
}

/// Asks a yes-or-no question at the terminal; a pipe answers no.
pub(super) fn confirm(question: &str) -> Result<bool, Error> {
    if !io::stdin().is_terminal() {
        return Ok(false);
    }
    let mut err = io::stderr().lock();
    err.write_all(question.as_bytes())
        .and_then(|()| err.flush())
        .map_err(Error::io("cannot ask"))?;
    let mut answer = String::new();
    io::stdin()
        .read_line(&mut answer)
        .map_err(Error::io("cannot read the answer"))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// `focus` with no arguments: the REPL. An unfinished session is taken up where it is;
/// otherwise a plan left from the last run is offered, or it waits for `/plan`.
pub(super) fn repl_command(ctx: &Ctx<'_>) -> Result<(), Error> {
    let settings = ctx.settings;
    let (_, found, _) = unfinished(settings)?;
    let (mut lines, mut screen) = screen(settings);
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
    say(
        &mut screen,
        &format!(
            "focus {} · your partner for focused work. {dim}/plan <task and time> to plan a session, /help for the rest, Ctrl-D to leave.{dim:#}",
            env!("CARGO_PKG_VERSION")
        ),
    )?;
    say_offline(&mut screen, ctx.offline)?;
    let machine = repl(ctx, &lines, Mode::Repl).with_last(last_entry(settings));
    let files = Files::new(settings, settings.session.time_scale);
    if let Some(path) = resumable {
        let (journal, header, running, turns) = reopen(&path)?;
        let machine = machine.with_session(running, turns);
        return drive(
            ctx,
            machine,
            files,
            &mut lines,
            screen,
            Some((journal, header)),
            Event::Reopen,
        );
    }
    let machine = machine.with_draft(load_draft(settings));
    drive(ctx, machine, files, &mut lines, screen, None, Event::Reopen)
}

/// What every way of running a session needs from the command line.
#[derive(Debug)]
pub(super) struct Ctx<'a> {
    pub settings: &'a Settings,
    pub env: &'a Env,
    pub offline: Option<&'a Offline>,
    pub prompts: &'a Prompts,
}

/// The REPL's machine for this run: its coach (speaking through a model unless offline) and
/// its planner.
fn repl(ctx: &Ctx<'_>, lines: &Lines, mode: Mode) -> Repl {
    let settings = ctx.settings;
    let coach = Coach::new(
        ctx.prompts.clone(),
        &settings.llm.model,
        &redact_url(settings.llm.base_url.trim().trim_end_matches('/')),
        crate::coach::talk::Limits::from(&settings.llm),
        ctx.offline.cloned(),
    );
    let owned = settings.clone();
    let planner: Planner = Box::new(move |words, base, now| plan_words(words, base, &owned, now));
    let setup = Setup {
        mode,
        interactive: lines.is_terminal(),
        styled: colored(settings),
    };
    Repl::new(setup, coach, planner)
}

/// The screen the REPL writes to: the line editor's board at a terminal, else standard
/// output.
enum Output {
    Terminal(Terminal),
    Plain(Plain<io::Stdout>),
}

impl Screen for Output {
    fn say(&mut self, text: &str) -> io::Result<()> {
        match self {
            Output::Terminal(t) => t.say(text),
            Output::Plain(p) => p.say(text),
        }
    }

    fn stream(&mut self, piece: &str) -> io::Result<()> {
        match self {
            Output::Terminal(t) => t.stream(piece),
            Output::Plain(p) => p.stream(piece),
        }
    }

    fn prompt(&mut self, prompt: &str) {
        match self {
            Output::Terminal(t) => t.prompt(prompt),
            Output::Plain(p) => p.prompt(prompt),
        }
    }

    fn title(&mut self, title: &str) {
        match self {
            Output::Terminal(t) => t.title(title),
            Output::Plain(p) => p.title(title),
        }
    }

    fn bell(&mut self) {
        match self {
            Output::Terminal(t) => t.bell(),
            Output::Plain(p) => p.bell(),
        }
    }
}

/// Standard input and output for the REPL: the line editor at a terminal (its title taken
/// over when `ui.terminal_title` says so), else plain lines.
fn screen(settings: &Settings) -> (Lines, Output) {
    let titles = settings.ui.terminal_title;
    let (lines, terminal) = input::stdin(Some(history(settings)), colored(settings), titles);
    let output = match terminal {
        Some(terminal) => {
            if titles {
                // The terminal's own title is kept on its stack and put back at the end.
                let mut out = io::stdout().lock();
                let _ = out.write_all(b"\x1b[22;0t").and_then(|()| out.flush());
            }
            Output::Terminal(terminal)
        }
        None => Output::Plain(input::plain_stdout(colored(settings))),
    };
    (lines, output)
}

fn say(screen: &mut Output, text: &str) -> Result<(), Error> {
    screen
        .say(text)
        .map_err(Error::io("cannot write to standard output"))
}

/// Runs the loop on one runtime, from `first` (the session's `Start` or `Reopen`, when one
/// is under way), until the person leaves or (outside the REPL) the session is logged.
fn drive(
    ctx: &Ctx<'_>,
    mut machine: Repl,
    files: Files<'_>,
    lines: &mut Lines,
    screen: Output,
    live: Option<(Journal, Header)>,
    first: Event,
) -> Result<(), Error> {
    let settings = ctx.settings;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("cannot start the timer runtime"))?;
    let clock = Clock::System;
    // Signals are caught from here on, before the line editor reads its first line.
    let signals = {
        let _inside = runtime.enter();
        input::signals()
    };
    let mut signals = pin!(signals);
    let alerts = Alerts::new(
        settings.ui.bell && io::stdout().is_terminal(),
        settings.ui.desktop_notifications,
        ctx.env.get("PATH"),
    );
    let link = Link::to(settings.llm.clone(), ctx.env.clone());
    let first = machine.begin(live.is_some().then_some(first), clock.now());
    let mut driver = Driver::new(
        machine,
        screen,
        files,
        clock,
        link,
        ctx.prompts.clone(),
        alerts,
    );
    if let Some((journal, header)) = live {
        driver = driver.with_journal(journal, header);
    }
    let result = runtime.block_on(driver.run(first, lines, signals.as_mut()));
    let editing = lines.stop();
    let finished = finish(driver.screen(), lines, editing, settings.ui.terminal_title);
    drop(runtime);
    result.and(finished.map_err(Error::io("cannot write to standard output")))
}

/// What is left on the screen when the loop ends, written now that the editor has stopped
/// (`editing`: it was still reading; it draws its last, then its line goes, and the
/// terminal's modes and bracketed paste are put back); the terminal's title back.
fn finish(screen: &mut Output, lines: &Lines, editing: bool, titles: bool) -> io::Result<()> {
    let Output::Terminal(terminal) = screen else {
        return Ok(());
    };
    let rest = terminal.board().close(editing);
    let mut out = io::stdout().lock();
    if editing {
        lines.give_back();
        out.write_all(b"\r\x1b[J\x1b[?2004l")?;
    }
    out.write_all(rest.as_bytes())?;
    if titles {
        out.write_all(b"\x1b[23;0t")?;
    }
    out.flush()
}

/// A plan from the line after `/plan` (words, then options as `focus plan` takes them),
/// from the minute of `now`; words that say no task change `base`, the drafted plan's
/// request.
fn plan_words(
    line: &str,
    base: Option<&Asked>,
    settings: &Settings,
    now: DateTime<FixedOffset>,
) -> Result<Planned, String> {
    let said = asked_in_line(line).map_err(|e| e.to_string())?;
    let goal_only = request::only_goal(&said);
    let (asked, amended) = request::said_under(base, said, &now);
    let request =
        plan_request(&asked, settings, now.with_timezone(&Local)).map_err(|e| e.to_string())?;
    let plan = session::plan(&request, &settings.session.rhythms()).map_err(|e| e.to_string())?;
    Ok(Planned {
        plan,
        asked: request::settled(asked, request.start.naive_local()),
        amended,
        goal_only: amended && goal_only,
    })
}

/// Opens the journal of a new session on `plan`, its times moved to start this minute.
fn open(
    dir: &Path,
    settings: &Settings,
    plan: Plan,
    scale: f64,
) -> Result<(Journal, Header), Error> {
    let now = clock::now();
    let origin = now.fixed_offset();
    let plan = starting_at(plan, this_minute(now)?.fixed_offset());
    let id = now.format("%Y%m%d-%H%M%S").to_string();
    let mut header = Header::new(id, origin, scale, rules(settings), plan);
    // The last logged session may have started in this same second.
    let last = log::last(&log_path(settings)).ok().flatten().map(|e| e.id);
    let journal = Journal::create(dir, &mut header, |id| last.as_deref() == Some(id))?;
    Ok((journal, header))
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

/// A journal read back: its file, its header, the session as it stands, and the
/// conversation with the coach it holds (each reply with the words it answered).
type Reopened = (Journal, Header, Running, Vec<(String, String)>);

/// Reads an unfinished session's journal back.
fn reopen(path: &Path) -> Result<Reopened, Error> {
    let (journal, replay) = Journal::open(path)?;
    to_stderr(&replay.warnings);
    let header = replay.header;
    let mut turns = Vec::new();
    let mut said: Option<String> = None;
    for record in &replay.records {
        match &record.event {
            Event::Reply { text } | Event::Message { text } => said = Some(text.clone()),
            Event::Coach { text, cut_off, to } => {
                let person = to.clone().or_else(|| said.take()).unwrap_or_default();
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
    let machine = Machine::replay(header.plan.clone(), header.rules, replay.records);
    let running = Running::new(&header, machine);
    Ok((journal, header, running, turns))
}

/// Says once, in one line, that the coach works without a model, and why.
fn say_offline(screen: &mut Output, offline: Option<&Offline>) -> Result<(), Error> {
    match offline {
        Some(offline) => say(screen, &offline.line()),
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

/// The plan kept for the next run.
fn draft_path(settings: &Settings) -> PathBuf {
    settings.data_dir().join("draft.json")
}

/// The plan the last run left waiting, if any (one that cannot be read is dropped with a
/// warning).
fn load_draft(settings: &Settings) -> Option<Plan> {
    let path = draft_path(settings);
    let text = fs::read_to_string(&path).ok()?;
    match serde_json::from_str(&text) {
        Ok(plan) => Some(plan),
        Err(e) => {
            to_stderr(&[format!(
                "the plan kept in {} cannot be read ({e}); it is left out",
                path.display()
            )]);
            None
        }
    }
}

/// Whether standard output takes styles, decided as for every other command.
fn colored(settings: &Settings) -> bool {
    output::stdout(settings.ui.color).current_choice() != anstream::ColorChoice::Never
}

/// The last finished session in the log, if it can be read.
fn last_entry(settings: &Settings) -> Option<Entry> {
    log::last(&log_path(settings)).ok().flatten()
}

/// The files the REPL's loop works with.
#[derive(Debug)]
pub(super) struct Files<'a> {
    settings: &'a Settings,
    /// The time scale of sessions started here.
    scale: f64,
}

impl<'a> Files<'a> {
    pub(super) fn new(settings: &'a Settings, scale: f64) -> Files<'a> {
        Files { settings, scale }
    }
}

impl Edge for Files<'_> {
    fn open(&mut self, plan: &Plan) -> Result<(Journal, Header), String> {
        // One session at a time: another process may have begun one meanwhile. Closed
        // sessions that could not be logged are logged now, and do not count.
        let running = unfinished(self.settings)
            .ok()
            .and_then(|(_, found, _)| found.journals.last().map(|(_, h)| describe(h)));
        if let Some(what) = running {
            return Err(format!(
                "{what} is not finished (it runs in another focus process, or `focus resume` continues it); end it before starting another"
            ));
        }
        open(
            &journal_dir(self.settings),
            self.settings,
            plan.clone(),
            self.scale,
        )
        .map_err(|e| e.to_string())
    }

    fn log(
        &mut self,
        header: &Header,
        machine: &Machine,
        journal: Journal,
        closing: Closing,
    ) -> Result<Logged, String> {
        let logged = closing::finish(self.settings, header, machine, journal, closing)
            .map_err(|e| e.to_string())?;
        let report = closing::report(&logged);
        Ok(Logged {
            entry: logged.entry,
            report,
        })
    }

    fn discard(&mut self, _: &Header, journal: Journal) -> Result<String, String> {
        let path = journal.cancel().map_err(|e| {
            format!("{e} (the session is cancelled in its journal; the next `focus` puts it away)")
        })?;
        Ok(closing::cancelled_report(&path))
    }

    fn show(&mut self, show: &Show) -> Result<String, String> {
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
        use super::{clap_error, shell_words as words};
        let mut out = Vec::new();
        match show {
            Show::Log(text) => {
                let parsed = <LogWords as clap::Parser>::try_parse_from(words(text)?)
                    .map_err(|e| clap_error(&e))?;
                reading::log(&parsed.args, self.settings, &mut out)
            }
            Show::Stats(text) => {
                let parsed = <StatsWords as clap::Parser>::try_parse_from(words(text)?)
                    .map_err(|e| clap_error(&e))?;
                reading::stats(&parsed.args, self.settings, &mut out)
            }
        }
        .map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn figures(&mut self) -> Result<(String, Figures), String> {
        reading::review_figures(self.settings).map_err(|e| e.to_string())
    }

    fn save_draft(&mut self, plan: Option<&Plan>) -> Result<(), String> {
        let path = draft_path(self.settings);
        let Some(plan) = plan else {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    Err(format!("cannot remove {} ({e})", path.display()))
                }
                _ => Ok(()),
            };
        };
        let text = serde_json::to_string_pretty(plan).expect("plans serialize");
        crate::store::private::write(&path, text.as_bytes())
            .map_err(|e| format!("cannot keep the plan in {} ({e})", path.display()))
    }
}
