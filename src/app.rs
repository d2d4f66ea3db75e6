//! The edge between the command line and the library: reads the clock, the environment and
//! the config file once, turns flags into domain requests, and writes the results.

mod asking;
mod closing;
mod reading;
mod running;

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Local};
use clap::CommandFactory;

use clap::Parser;

use crate::cli::{Cli, Command, ConfigArgs, PlanArgs, PlanLine, PlanOptions};
use crate::clock;
use crate::coach;
use crate::config::{self, ConfigFile, Dirs, Env, Loaded, NamedBy, Settings};
use crate::error::Error;
use crate::output;
use crate::session::words::{self, Asked, Length, Start, Time};
use crate::session::{self, ClockTime, PlanRequest};

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
        Some(Command::Cancel(args)) => {
            let loaded = load_settings(cli.config.as_deref(), &env, &dirs)?;
            running::cancel(&args, &loaded.settings)
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

/// What was asked: the words of the task read, the options added. When the words say a
/// part an option gives otherwise ("Prepare slides for 2h workshop" with `--for 45m`), the
/// option is meant and the words are the task as typed.
fn asked(words: &str, options: &PlanOptions, start: Option<ClockTime>) -> Result<Asked, Error> {
    let said = words::read(words).map_err(|e| Error::Input(e.to_string()))?;
    let given = given(options, start);
    words::merge(said, given.clone())
        .or_else(|_| {
            let literal = Asked {
                task: words.trim().to_owned(),
                ..Asked::default()
            };
            words::merge(literal, given)
        })
        .map_err(|e| Error::Input(e.to_string()))
}

/// What was asked after `/plan`: its words, then any options as `focus plan` takes them
/// (`/plan "Report" --for 50m --method deep`), read by the command line's own definitions.
fn asked_in_line(line: &str) -> Result<Asked, Error> {
    let (words, options) = words::split_options(line);
    let Some(options) = options else {
        return asked(words, &PlanOptions::default(), None);
    };
    let parsed = PlanLine::try_parse_from(shell_words(options).map_err(Error::Input)?)
        .map_err(|e| Error::Input(clap_error(&e)))?;
    if let Some(stray) = parsed.stray.first() {
        return Err(Error::Input(format!(
            "\"{stray}\" follows the options; put a value of several words in quotes, e.g. --goal \"800 words\", and the task before the options"
        )));
    }
    asked(words, &parsed.options, parsed.start)
}

/// Words as a shell splits them, for clap.
fn shell_words(text: &str) -> Result<Vec<String>, String> {
    shlex::split(text).ok_or_else(|| format!("cannot read \"{text}\": a quote is not closed"))
}

/// A clap error on one line, for the REPL.
fn clap_error(error: &clap::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    first.trim_start_matches("error: ").to_owned()
}

/// The options as a reading, for [`words::merge`].
fn given(options: &PlanOptions, start: Option<ClockTime>) -> Asked {
    Asked {
        length: options
            .length
            .map(Length::Minutes)
            .or(options.until.map(|at| Length::Until(Time::At(at)))),
        method: options.method,
        goal: options.goal.clone(),
        block_goals: options
            .goals
            .as_deref()
            .map(|g| g.split(';').map(|g| g.trim().to_owned()).collect())
            .unwrap_or_default(),
        stack: options.stack.clone(),
        work: options.work,
        break_minutes: options.break_minutes,
        start: start.map(|at| Start {
            tomorrow: false,
            at: Time::At(at),
        }),
        ..Asked::default()
    }
}

/// The planner's request for what was asked, from `now` (the start and end placed in the
/// local time zone, the method from `session.default_method` when none was asked).
fn plan_request(
    asked: &Asked,
    settings: &Settings,
    now: DateTime<Local>,
) -> Result<PlanRequest<Local>, Error> {
    let rhythms = settings.session.rhythms();
    session::request::request(asked, settings.session.default_method, &rhythms, &now)
        .map_err(|e| Error::Input(e.to_string()))
}

/// This minute, as the start of a session.
fn this_minute(now: DateTime<Local>) -> Result<DateTime<Local>, Error> {
    session::request::start_at(None, &now).map_err(|e| Error::Input(e.to_string()))
}

fn plan(args: &PlanArgs, settings: &Settings) -> Result<(), Error> {
    let ics_to_stdout = args.ics.as_deref().is_some_and(|p| p == Path::new("-"));
    if ics_to_stdout && args.json {
        return Err(Error::Input(
            "--json and --ics both want standard output; give --ics a FILE to write the calendar there".into(),
        ));
    }
    let now = clock::now();
    let asked = asked(&args.spec.task.join(" "), &args.spec.options, args.start)?;
    let request = plan_request(&asked, settings, now)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Method;

    fn read(line: &str) -> Result<Asked, String> {
        asked_in_line(line).map_err(|e| e.to_string())
    }

    #[test]
    fn options_after_the_words_are_the_command_lines() {
        let asked =
            read(r#""Write blog post draft" --for 90m --goal "800 words" --method deep"#).unwrap();
        assert_eq!(asked.task, "Write blog post draft");
        assert_eq!(asked.length, Some(Length::Minutes(90)));
        assert_eq!(asked.goal.as_deref(), Some("800 words"));
        assert_eq!(asked.method, Some(Method::Deep));

        let asked = read(r#"review PRs --until 16:00 --goals "a; b" -m pomodoro"#).unwrap();
        assert_eq!(asked.task, "review PRs");
        assert!(matches!(asked.length, Some(Length::Until(_))));
        assert_eq!(asked.block_goals, ["a", "b"]);
        assert_eq!(asked.method, Some(Method::Pomodoro));

        let asked = read(r#"Blog post --stack "research 10, break 5, write 15""#).unwrap();
        assert_eq!(asked.stack.map(|s| s.len()), Some(3));
        let asked = read("write the report --work 40 --break=8 --for=2h").unwrap();
        assert_eq!(
            (asked.work, asked.break_minutes, asked.length),
            (Some(40), Some(8), Some(Length::Minutes(120)))
        );
        // The quoted goal the coach's suggestion offers is a goal alone.
        let asked = read("--goal '3 pages for 1h'").unwrap();
        assert!(session::request::only_goal(&asked));
        assert_eq!(asked.goal.as_deref(), Some("3 pages for 1h"));
        // Words that say a part an option gives otherwise are the task as typed.
        let asked = read("write the report for 90m --for 2h").unwrap();
        assert_eq!(
            (asked.task.as_str(), asked.length),
            ("write the report for 90m", Some(Length::Minutes(120)))
        );
        // Quotes still guard the words before the options.
        let asked = read(r#""Fix the --force flag until 5" --for 1h"#).unwrap();
        assert_eq!(asked.task, "Fix the --force flag until 5");
        // Dashes that are not options are words.
        let asked = read("write the report -- carefully, 1h").unwrap();
        assert_eq!(asked.task, "write the report -- carefully");
        assert!(asked.stack.is_none());
    }

    #[test]
    fn bad_options_say_what_to_type_on_one_line() {
        for (line, want) in [
            ("write --for", "a value is required for '--for <LENGTH>'"),
            ("write --for soon", "`soon` is not a length; try 25m"),
            (
                "write --method fast",
                "invalid value 'fast' for '--method <METHOD>'",
            ),
            ("write --length 50m", "unexpected argument '--length' found"),
            (
                "write --goal 800 words",
                "\"words\" follows the options; put a value of several words in quotes",
            ),
            ("write --goal \"800 words", "a quote is not closed"),
            ("write --for 1h --until 16:00", "cannot be used with"),
        ] {
            let error = read(line).unwrap_err();
            assert!(error.contains(want), "{line}: {error}");
            assert!(!error.contains('\n'), "{line}: {error}");
        }
    }
}
