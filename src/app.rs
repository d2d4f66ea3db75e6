//! The edge between the command line and the library: reads the clock, the environment and
//! the config file once, turns flags into domain requests, and writes the results.

mod asking;
mod closing;
mod reading;
mod running;

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Timelike};
use clap::CommandFactory;

use crate::cli::{Cli, Command, ConfigArgs, PlanArgs, PlanSpec};
use crate::clock;
use crate::coach;
use crate::config::{self, ConfigFile, Dirs, Env, Loaded, NamedBy, Settings};
use crate::error::Error;
use crate::output;
use crate::session::{self, ClockTime, Method, PlanRequest, format_minutes};

/// Runs one command.
pub fn run(cli: Cli) -> Result<(), Error> {
    let env = Env::from_process();
    init_tracing(&env);
    let dirs = Dirs::from_platform();
    let result = match cli.command {
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Config(args)) if args.example => write_stdout(config::EXAMPLE.as_bytes()),
        Some(Command::Config(args)) => show_config(&args, cli.config.as_deref(), &env, &dirs),
        Some(Command::Plan(args)) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            plan(&args, &loaded.settings)
        }
        None | Some(Command::Start(_) | Command::Resume) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            let offline = coach::offline_before_asking(&loaded.settings.llm, &env, cli.offline);
            let prompts = prompts(&dirs)?;
            let ctx = running::Ctx {
                settings: &loaded.settings,
                env: &env,
                offline: offline.as_ref(),
                prompts: &prompts,
            };
            match cli.command {
                Some(Command::Start(args)) => running::start(&args, &ctx),
                Some(Command::Resume) => running::resume(&ctx),
                _ => running::repl_command(&ctx),
            }
        }
        Some(Command::Log(args)) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            reading::log(&args, &loaded.settings, &mut io::stdout().lock())
        }
        Some(Command::Show(args)) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            reading::show(&args, &loaded.settings)
        }
        Some(Command::Stats(args)) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            let mut out = output::stdout(loaded.settings.ui.color);
            reading::stats(&args, &loaded.settings, &mut out)
        }
        Some(Command::Export(args)) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            reading::export(&args, &loaded.settings)
        }
        Some(Command::Review(args)) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            let offline = coach::offline_before_asking(
                &loaded.settings.llm,
                &env,
                cli.offline || args.figures,
            );
            reading::review(&loaded.settings, &env, offline.as_ref(), &prompts(&dirs)?)
        }
        Some(Command::Ask(args)) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            asking::ask(&args, &loaded.settings, &env, cli.offline, &prompts(&dirs)?)
        }
    };
    match result {
        Err(err) if err.is_broken_pipe() => Ok(()),
        other => other,
    }
}

/// The coach's prompt templates: built in, each replaceable by a same-named file in
/// `<config dir>/focus/prompts/`.
fn prompts(dirs: &Dirs) -> Result<coach::prompts::Prompts, Error> {
    let dir = dirs
        .config
        .as_ref()
        .map(|c| c.join("focus").join("prompts"));
    Ok(coach::prompts::Prompts::load(dir.as_deref())?)
}

/// Loads settings and prints their warnings.
fn load_settings(flag: Option<&Path>, env: &Env, dirs: &Dirs) -> Result<Loaded, Error> {
    let loaded = config::load(flag, env, dirs)?;
    to_stderr(&loaded.warnings);
    tracing::debug!(file = ?loaded.file, "settings loaded");
    Ok(loaded)
}

/// Lines for the person that are not the command's output (warnings, what was written where).
fn to_stderr(lines: &[String]) {
    let mut err = io::stderr().lock();
    for line in lines {
        // Nothing useful can be done if stderr is gone.
        let _ = writeln!(err, "focus: {line}");
    }
}

/// When `focus plan` starts the plan: `--start` today (or on its date), else this minute. A
/// time of day that has passed today is refused: a plan in the past helps nobody.
fn plan_start(start: Option<ClockTime>, now: DateTime<Local>) -> Result<DateTime<Local>, Error> {
    let minute = now
        .naive_local()
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("valid time");
    let Some(start) = start else {
        return local_instant(minute, "--start");
    };
    let naive = start.on(now.date_naive());
    // A bare time of day that has passed is a slip (a full date is the person's choice).
    if matches!(start, ClockTime::TimeOfDay(_)) && naive < minute {
        return Err(Error::Input(format!(
            "--start {start} has passed (it is {} now); give a later time, or tomorrow's date: --start \"{} {}\"",
            now.format("%H:%M"),
            (now.date_naive() + chrono::Days::new(1)).format("%Y-%m-%d"),
            naive.format("%H:%M")
        )));
    }
    local_instant(naive, "--start")
}

/// Turns plan flags into a request starting at `start`: `--until` resolved in the local time
/// zone, the method chosen from the flags and `session.default_method`.
fn plan_request(
    args: &PlanSpec,
    settings: &Settings,
    start: DateTime<Local>,
) -> Result<PlanRequest<Local>, Error> {
    let minutes = match (args.length, args.until) {
        (Some(minutes), _) => Some(minutes),
        (None, Some(until)) => Some(minutes_until(&start, until)?),
        (None, None) => None,
    };
    let method = match (args.method, &args.stack) {
        (Some(method), _) => method,
        (None, Some(_)) => Method::Stacked,
        (None, None) => {
            let default = settings.session.default_method;
            let rhythm_given = args.work.is_some() || args.break_minutes.is_some();
            if rhythm_given && matches!(default, Method::Deep | Method::Auto) {
                Method::Custom
            } else {
                default
            }
        }
    };
    Ok(PlanRequest {
        task: args.task.clone(),
        goal: args.goal.clone(),
        block_goals: args
            .goals
            .as_deref()
            .map(|g| g.split(';').map(str::to_owned).collect())
            .unwrap_or_default(),
        method,
        minutes,
        stack: args.stack.clone(),
        work: args.work,
        break_minutes: args.break_minutes,
        start,
    })
}

fn plan(args: &PlanArgs, settings: &Settings) -> Result<(), Error> {
    let ics_to_stdout = args.ics.as_deref().is_some_and(|p| p == Path::new("-"));
    if ics_to_stdout && args.json {
        return Err(Error::Input(
            "--json and --ics both want standard output; give --ics a FILE to write the calendar there".into(),
        ));
    }
    let now = clock::now();
    let request = plan_request(&args.spec, settings, plan_start(args.start, now)?)?;
    let plan = session::plan(&request, &settings.session.rhythms())?;

    if let Some(path) = &args.ics {
        let calendar = output::ics::render(&plan, now.to_utc());
        if ics_to_stdout {
            return write_stdout(calendar.as_bytes());
        }
        fs::write(path, calendar).map_err(Error::io(format!("cannot write {}", path.display())))?;
        to_stderr(&[format!(
            "wrote {} calendar events to {}",
            plan.blocks.len(),
            path.display()
        )]);
    }
    if args.json {
        let mut json = serde_json::to_string_pretty(&plan).expect("plans always serialize");
        json.push('\n');
        write_stdout(json.as_bytes())
    } else {
        let mut out = output::stdout(settings.ui.color);
        output::plan_text::render(&plan, &mut out)
            .and_then(|()| out.flush())
            .map_err(Error::io("cannot write the plan"))
    }
}

/// Minutes from `start` to an end time, counted between the real instants (a daylight-saving
/// change in between counts as it happens), checked for a usable session length.
fn minutes_until(start: &DateTime<Local>, until: ClockTime) -> Result<u32, Error> {
    let start_text = start.format("%H:%M");
    if let ClockTime::TimeOfDay(time) = until
        && time == start.time()
    {
        return Err(Error::Input(format!(
            "--until {until} is the start time; give a later end time or use --for"
        )));
    }
    let end = local_instant(until.after(start.naive_local()), "--until")?;
    let minutes = (end - *start).num_minutes();
    if minutes <= 0 {
        return Err(Error::Input(format!(
            "--until {until} is not after the start ({start_text}); give a later end time"
        )));
    }
    if minutes > i64::from(session::duration::MAX_MINUTES) {
        return Err(Error::Input(format!(
            "--until {until} is {} after the start ({start_text}), more than 12 hours; give a closer end time",
            format_minutes(minutes as u32)
        )));
    }
    Ok(minutes as u32)
}

/// A local wall-clock time as an instant (the earlier one when the clocks go back).
fn local_instant(naive: NaiveDateTime, flag: &str) -> Result<DateTime<Local>, Error> {
    Local.from_local_datetime(&naive).earliest().ok_or_else(|| {
        Error::Input(format!(
            "{flag} {} does not exist here (the clocks change then); pick another time",
            naive.format("%H:%M")
        ))
    })
}

fn show_config(
    args: &ConfigArgs,
    flag: Option<&Path>,
    env: &Env,
    dirs: &Dirs,
) -> Result<(), Error> {
    if args.path {
        let Some(path) = config::locate(flag, env, dirs).path else {
            return Err(Error::Input(
                "there is no config directory on this system; use --config PATH or $FOCUS_CONFIG"
                    .into(),
            ));
        };
        return write_stdout(format!("{}\n", path.display()).as_bytes());
    }
    let loaded = load_settings(flag, env, dirs)?;
    let text = format!(
        "# The settings in effect: defaults < config file < environment < flags.\n# {}\n# {}\n\n{}",
        describe_file(&loaded.file),
        describe_key(&loaded.settings, env),
        loaded.settings.to_redacted_toml()
    );
    write_stdout(text.as_bytes())
}

fn describe_file(file: &ConfigFile) -> String {
    match (&file.path, file.found) {
        (Some(path), true) if file.named_by == NamedBy::Default => {
            format!("Config file: {} (read)", path.display())
        }
        (Some(path), true) => format!(
            "Config file: {} (read; named by {})",
            path.display(),
            file.named_by
        ),
        (Some(path), false) => format!(
            "Config file: none ({} does not exist; `focus config --example` prints one to start from)",
            path.display()
        ),
        (None, _) => "Config file: none (no config directory on this system)".to_owned(),
    }
}

/// Where the API key would come from, without ever showing it.
fn describe_key(settings: &Settings, env: &Env) -> String {
    let var = &settings.llm.api_key_env;
    match (env.get(var), &settings.llm.api_key_cmd) {
        (Some(_), _) => format!("API key: set in ${var} (value hidden)"),
        (None, Some(_)) => {
            format!("API key: ${var} is not set; llm.api_key_cmd will be run when one is needed")
        }
        (None, None) => format!(
            "API key: ${var} is not set (fine for local servers such as Ollama; without a server the coach works offline)"
        ),
    }
}

fn completions(shell: clap_complete::Shell) -> Result<(), Error> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "focus", &mut buffer);
    write_stdout(&buffer)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(Error::io("cannot write to standard output"))
}

/// Debug logging to stderr when `FOCUS_LOG` is set (e.g. `FOCUS_LOG=debug`).
fn init_tracing(env: &Env) {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    let Some(filter) = env.get("FOCUS_LOG") else {
        return;
    };
    let targets: tracing_subscriber::filter::Targets = filter.parse().unwrap_or_else(|_| {
        tracing_subscriber::filter::Targets::new().with_default(tracing::Level::DEBUG)
    });
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(io::stderr))
        .with(targets)
        .try_init();
}
