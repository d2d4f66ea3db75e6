//! The command line: clap definitions and the value parsers for its flags. No behaviour here;
//! [`crate::run`] acts on what this parses.
//!
//! Doc comments on arguments are the `--help` text a person reads, so they are plain prose
//! rather than rustdoc Markdown.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clock::TIME_SCALES;
use crate::session::{ClockTime, Method, Step, parse_clock, parse_minutes, parse_stack};

const ABOUT: &str = "A terminal accountability partner for focused work";

const LONG_ABOUT: &str = "\
A terminal accountability partner for focused work.

Run `focus` alone to talk to your partner: plan a session in plain words (/plan), run it with \
check-ins (/start), capture what comes up (/park), and reflect at the end. focus turns a task and the time you have into a plan: work blocks with clock times and \
goals, real breaks, and a checklist to clear distractions before you begin. `focus start` \
runs the session: it keeps time, checks in, and keeps everything you capture in a journal \
that survives a crash (`focus resume`). At the end a short reflection goes to your session log \
and a Markdown note; `focus log`, `stats` and `review` read it back.";

const EXAMPLES: &str = "\
Examples:
  focus                        the interactive partner; /plan, /start, /help inside
  focus plan \"Write blog post draft\" --for 90m --goal \"800 words\"
  focus plan \"Review the API design doc\" --until 16:00 --method deep
  focus plan \"Inbox and admin\" --stack \"email 10, break 5, invoices 15\"
  focus start \"Write blog post draft\" --for 50m --goal \"800 words\"
  focus stats --week           how the last 7 days went
  focus config                 show the settings in effect
  focus completions bash > ~/.local/share/bash-completion/completions/focus";

#[derive(Debug, Parser)]
#[command(
    name = "focus",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    propagate_version = true
)]
pub struct Cli {
    /// Read settings from this file instead of $FOCUS_CONFIG or <config dir>/focus/config.toml
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Never contact a model: the offline coach answers (same as llm.offline = true)
    #[arg(long, global = true)]
    pub offline: bool,

    /// Without a command: the interactive partner (the REPL)
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan a focus session: blocks with clock times, goals and breaks
    #[command(after_help = PLAN_EXAMPLES)]
    Plan(PlanArgs),
    /// Run a focus session: check-ins on time, commands read line by line from stdin
    #[command(after_help = START_EXAMPLES)]
    Start(StartArgs),
    /// Continue the unfinished session (after a crash, a reboot or /quit)
    Resume,
    /// End the unfinished session without logging it (what you typed stays in its journal)
    #[command(after_help = CANCEL_EXAMPLES)]
    Cancel(CancelArgs),
    /// Send one message to the coach and print the reply (also a quick check of the model settings)
    #[command(after_help = ASK_EXAMPLES)]
    Ask(AskArgs),
    /// Finished sessions, one line each (newest last)
    #[command(after_help = LOG_EXAMPLES)]
    Log(LogArgs),
    /// One finished session's note (the last one without an id)
    Show(ShowArgs),
    /// Figures over the log: focused time per day, goal rate, streaks, what works best
    #[command(after_help = STATS_EXAMPLES)]
    Stats(StatsArgs),
    /// A weekly review: this week's figures against last week's, and one experiment to try
    Review(ReviewArgs),
    /// Write the log for other tools: CSV, JSON or iCalendar
    #[command(after_help = EXPORT_EXAMPLES)]
    Export(ExportArgs),
    /// Show the settings in effect (secrets hidden) and which config file was read
    Config(ConfigArgs),
    /// Print a shell completion script
    #[command(after_help = COMPLETION_EXAMPLES)]
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}

const CANCEL_EXAMPLES: &str = "\
Nothing of a cancelled session reaches the log, the stats or the notes. Its journal moves to
journal/cancelled/ in the data directory, so nothing you typed is destroyed. Inside a session,
/cancel does the same.

Examples:
  focus cancel         asks first when the session holds more than 5 focused minutes
  focus cancel --yes";

const PLAN_EXAMPLES: &str = "\
Examples:
  focus plan \"Write blog post draft\" --for 90m --goal \"800 words\"
  focus plan \"Write blog post draft\" --for 90m --goals \"intro; tips 2-3; conclusion\"
  focus plan \"Design the permissions API\" --for 2h --method deep --start 09:00
  focus plan \"Clear the review queue\" --until 16:00 --method pomodoro
  focus plan \"Learn Spanish\" --for 30m --method micro
  focus plan \"Blog post\" --stack \"research 10, break 5, write 15, break 5, edit 10\"
  focus plan \"Refactor the parser\" --for 2h --work 40 --break 8
  focus plan \"Write blog post draft\" --for 90m --json
  focus plan \"Write blog post draft\" --for 90m --ics plan.ics

Lengths: 25, 25m, 90 min, 1h, 1h30, 1h 30m, 1.5h, 2 hours (at most 12 hours).
Times: 16:00, 9:30, 4pm, or \"2026-11-20 09:00\".";

const START_EXAMPLES: &str = "\
Commands, one per line (typed or piped):
  /pause [reason]  /resume  /extend <minutes>  /skip  /replan  /done  /start (the go)
  /cancel (ends it without a record; after 5 focused minutes it asks first)
  /park <text>  /insight <text>  /decision <text> -- <why>  /blocker <text>
  /status  /help  /quit (the session is saved; `focus resume` continues it)
  Anything else is a reply to the last check-in.

Examples:
  focus start \"Write blog post draft\" --for 50m --goal \"800 words\"
  focus start \"Refactor the parser\" --until 16:00 --method deep
  printf '/park email Sam\\n/status\\n' | focus start \"Demo\" --for 25m --time-scale 60";

const ASK_EXAMPLES: &str = "\
The reply streams to standard output; notices and errors go to standard error. While a session
is running, the coach sees where it stands. Ctrl-C stops the reply.

Examples:
  focus ask \"hello\"                       check that the model settings work
  focus ask \"How do I start a hard task?\"
  git diff | focus ask - \"Is this one task or two?\"";

const LOG_EXAMPLES: &str = "\
Dates: 2026-11-20, today, yesterday, or 7d (seven days ago).

Examples:
  focus log                          the last 20 sessions
  focus log --since 7d --task report
  focus log -n 0 --json              every session, as JSON";

const STATS_EXAMPLES: &str = "\
Examples:
  focus stats                        everything in the log
  focus stats --week                 the last 7 days
  focus stats --since 2026-11-01 --json";

const EXPORT_EXAMPLES: &str = "\
Examples:
  focus export --format csv > sessions.csv
  focus export --format ics --since 30d > focus.ics
  focus export --format json | jq '.[].focused_minutes'";

const COMPLETION_EXAMPLES: &str = "\
Examples:
  focus completions bash > ~/.local/share/bash-completion/completions/focus
  focus completions zsh > ~/.zfunc/_focus
  focus completions fish > ~/.config/fish/completions/focus.fish";

/// What to plan: shared by `focus plan` and `focus start`.
#[derive(Debug, Args)]
pub struct PlanSpec {
    /// What you will work on, in plain words that may also say how long, how and with what
    /// goal, as after /plan: "write the report for 50m, goal: 800 words", "3 pomodoros on the
    /// budget", "review PRs until 16:00"
    #[arg(required = true, value_name = "WORDS")]
    pub task: Vec<String>,

    #[command(flatten)]
    pub options: PlanOptions,
}

/// The options that shape a plan: those of `focus plan` and `focus start`, and of `/plan`
/// after its words.
#[derive(Debug, Args, Default)]
pub struct PlanOptions {
    /// How long the session is, e.g. 50m, 1h30, 2 hours
    #[arg(long = "for", value_name = "LENGTH", value_parser = length, allow_hyphen_values = true)]
    pub length: Option<u32>,

    /// End the session at this time and fit the blocks to it, e.g. 16:00
    #[arg(long, value_name = "TIME", value_parser = clock, conflicts_with = "length")]
    pub until: Option<ClockTime>,

    /// How to divide the time [default: session.default_method, normally auto]
    #[arg(long, short, value_name = "METHOD")]
    pub method: Option<Method>,

    /// What will be done when the time is up, e.g. "800 words" or "PR opened"
    #[arg(long, short, value_name = "TEXT")]
    pub goal: Option<String>,

    /// A goal per work block, separated by semicolons: "intro; tips 2-3; conclusion"
    #[arg(long, value_name = "\"A; B; C\"")]
    pub goals: Option<String>,

    /// Minutes per work block, for pomodoro, micro and custom (alone it means custom)
    #[arg(long, value_name = "LENGTH", value_parser = length, allow_hyphen_values = true)]
    pub work: Option<u32>,

    /// Minutes per break, for pomodoro, micro and custom
    #[arg(long = "break", value_name = "LENGTH", value_parser = length, allow_hyphen_values = true)]
    pub break_minutes: Option<u32>,

    /// A stacked session written out: "research 10, break 5, write 15"
    #[arg(long, value_name = "CHAIN", value_parser = stack)]
    pub stack: Option<Chain>,
}

/// The options of `/plan`, after its words: `/plan "Report" --for 50m --method deep`.
#[derive(Debug, Parser)]
#[command(
    name = "/plan",
    no_binary_name = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
pub struct PlanLine {
    /// Words after an option: a value of several words needs quotes.
    #[arg(hide = true)]
    pub stray: Vec<String>,

    #[command(flatten)]
    pub options: PlanOptions,

    /// When the first block starts: a time today (09:00) or a date and time
    #[arg(long, short, value_name = "TIME", value_parser = clock)]
    pub start: Option<ClockTime>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub spec: PlanSpec,

    /// When the first block starts: a time today (09:00) or a date and time [default: now]
    #[arg(long, short, value_name = "TIME", value_parser = clock)]
    pub start: Option<ClockTime>,

    /// Print the plan as JSON (schema in the README)
    #[arg(long)]
    pub json: bool,

    /// Write the blocks as iCalendar events to FILE (to standard output without FILE)
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    pub ics: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub spec: PlanSpec,

    /// Run the clock N times faster, for demos and tests (60: a minute passes in a second)
    /// [default: session.time_scale, normally 1]
    #[arg(long, value_name = "N", value_parser = time_scale)]
    pub time_scale: Option<f64>,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The message (several words are joined with spaces; - reads standard input in its place)
    #[arg(required = true, value_name = "TEXT")]
    pub text: Vec<String>,

    /// Also print the tokens the turn took (from the server, or estimated)
    #[arg(long)]
    pub usage: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the commented example configuration (every key with its default)
    #[arg(long, conflicts_with = "path")]
    pub example: bool,

    /// Print only the path of the config file that is (or would be) read
    #[arg(long)]
    pub path: bool,
}

/// Which sessions to read, by the date they started.
#[derive(Debug, Args, Clone, Copy)]
pub struct DateRange {
    /// Only sessions from this day on (2026-11-20, today, yesterday, 7d)
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub since: Option<DateArg>,

    /// Only sessions up to this day, included
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub until: Option<DateArg>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub range: DateRange,

    /// Only sessions whose task contains this text (any case)
    #[arg(long, value_name = "TEXT")]
    pub task: Option<String>,

    /// How many of the latest matching sessions to show (0: all)
    #[arg(long, short = 'n', value_name = "N", default_value_t = 20)]
    pub limit: usize,

    /// Print the sessions as a JSON array of log entries
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// Do not ask, however long the session ran
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The session's id, as `focus log` shows it (a unique start is enough) [default: the last]
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The last 7 days, today included
    #[arg(long, conflicts_with_all = ["month", "since", "until"])]
    pub week: bool,

    /// The last 30 days, today included
    #[arg(long, conflicts_with_all = ["since", "until"])]
    pub month: bool,

    #[command(flatten)]
    pub range: DateRange,

    /// Print the figures as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Print the figures and the offline suggestions only (same as --offline)
    #[arg(long)]
    pub figures: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One row per session, with a header row
    Csv,
    /// A JSON array of the full log entries
    Json,
    /// One calendar event per session
    Ics,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The format to write to standard output
    #[arg(long, short, value_name = "FORMAT")]
    pub format: ExportFormat,

    #[command(flatten)]
    pub range: DateRange,
}

/// The furthest back `Nd` reaches (about 270 years; anything before is every session).
const MAX_DAYS_AGO: u32 = 100_000;

/// A day given on the command line, resolved against today by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateArg {
    Day(chrono::NaiveDate),
    DaysAgo(u32),
}

fn date(text: &str) -> Result<DateArg, String> {
    let t = text.trim().to_lowercase();
    let bad = || {
        format!(
            "`{text}` is not a date; give 2026-11-20, today, yesterday, or 7d for seven days ago"
        )
    };
    match t.as_str() {
        "today" => return Ok(DateArg::DaysAgo(0)),
        "yesterday" => return Ok(DateArg::DaysAgo(1)),
        _ => {}
    }
    if let Some(n) = t.strip_suffix('d') {
        return match n.parse::<u32>() {
            Ok(n) if n <= MAX_DAYS_AGO => Ok(DateArg::DaysAgo(n)),
            Ok(_) => Err(format!(
                "`{text}` is too far back; give at most {MAX_DAYS_AGO}d, or a date"
            )),
            Err(_) => Err(bad()),
        };
    }
    chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
        .map(DateArg::Day)
        .map_err(|_| bad())
}

/// A parsed `--stack` (an alias, so that clap takes it as one value rather than many).
pub type Chain = Vec<Step>;

impl ValueEnum for Method {
    fn value_variants<'a>() -> &'a [Self] {
        &Method::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.describe()))
    }
}

fn length(text: &str) -> Result<u32, String> {
    parse_minutes(text).map_err(|e| e.to_string())
}

fn clock(text: &str) -> Result<ClockTime, String> {
    parse_clock(text).map_err(|e| e.to_string())
}

fn time_scale(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(n) if TIME_SCALES.contains(&n) => Ok(n),
        _ => Err(format!(
            "`{text}` is not a time scale; give a number from 0.01 to 10000 (1 is real time, 60 makes a minute pass in a second)"
        )),
    }
}

fn stack(text: &str) -> Result<Vec<Step>, String> {
    parse_stack(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dates_are_days_or_days_ago() {
        assert_eq!(
            date("2026-11-20"),
            Ok(DateArg::Day(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
            ))
        );
        assert_eq!(date("Today"), Ok(DateArg::DaysAgo(0)));
        assert_eq!(date("yesterday"), Ok(DateArg::DaysAgo(1)));
        assert_eq!(date("7d"), Ok(DateArg::DaysAgo(7)));
        assert!(date("99999999d").unwrap_err().contains("too far back"));
        assert!(
            date("last week")
                .unwrap_err()
                .contains("give 2026-11-20, today")
        );
        assert!(date("2026-13-01").is_err());
    }

    #[test]
    fn for_and_until_cannot_both_be_given() {
        let err = Cli::try_parse_from(["focus", "plan", "x", "--for", "1h", "--until", "16:00"])
            .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn a_bad_length_is_a_usage_error_that_says_what_to_type() {
        let err = Cli::try_parse_from(["focus", "plan", "x", "--for", "soon"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(
            err.to_string()
                .contains("`soon` is not a length; try 25m, 1h30"),
            "{err}"
        );
    }
}
