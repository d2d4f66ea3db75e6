//! The slash commands, typed in the REPL or piped to `focus start`. One table drives parsing,
//! `/help`, and the REPL's completion and hints.

use std::fmt::Write as _;

use crate::session::machine::Event;
use crate::session::plan::tidy;
use crate::session::{format_minutes, parse_minutes};

/// The most one `/extend` adds.
const MAX_EXTEND: u32 = 240;

/// How `/help` groups the commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Session,
    Capture,
    Coach,
    Other,
}

impl Group {
    fn heading(self) -> &'static str {
        match self {
            Group::Session => "The session",
            Group::Capture => "Capture without breaking focus",
            Group::Coach => "The coach",
            Group::Other => "Your log, and the rest",
        }
    }
}

/// One command as the person sees it.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub usage: &'static str,
    pub help: &'static str,
    pub group: Group,
    /// Values Tab offers for the first argument.
    pub values: &'static [&'static str],
}

const fn spec(name: &'static str, usage: &'static str, group: Group, help: &'static str) -> Spec {
    Spec {
        name,
        usage,
        help,
        group,
        values: &[],
    }
}

const fn with_values(spec: Spec, values: &'static [&'static str]) -> Spec {
    Spec {
        name: spec.name,
        usage: spec.usage,
        help: spec.help,
        group: spec.group,
        values,
    }
}

/// Every command, in the order `/help` lists them within their groups.
pub const COMMANDS: &[Spec] = &[
    spec(
        "/plan",
        "/plan <task and time>",
        Group::Session,
        "plan a session from plain words: /plan write the report for 90m, goal 3 pages",
    ),
    spec(
        "/start",
        "/start",
        Group::Session,
        "start the planned session, or the next block after a break",
    ),
    spec(
        "/pause",
        "/pause [reason]",
        Group::Session,
        "pause the block, with the reason if you like",
    ),
    with_values(
        spec(
            "/resume",
            "/resume [worked]",
            Group::Session,
            "carry on after a pause; /resume worked counts the time away as focus",
        ),
        &["worked"],
    ),
    with_values(
        spec(
            "/extend",
            "/extend <minutes>",
            Group::Session,
            "more time for this block (or the one that just ended); the rest shifts",
        ),
        &["5", "10", "15", "25"],
    ),
    spec(
        "/skip",
        "/skip",
        Group::Session,
        "move on now: end this block, or end the break and start the next block",
    ),
    spec(
        "/replan",
        "/replan",
        Group::Session,
        "fit what is left into the time you planned (after a long pause)",
    ),
    spec(
        "/done",
        "/done",
        Group::Session,
        "end the session and reflect; in the reflection, close the session",
    ),
    spec(
        "/cancel",
        "/cancel",
        Group::Session,
        "end the session without logging it (asks after 5 focused minutes); drops a plan not started",
    ),
    spec(
        "/status",
        "/status",
        Group::Session,
        "the plan, the current block, time left and what you captured",
    ),
    spec(
        "/park",
        "/park <text>",
        Group::Capture,
        "park a distracting thought for later and carry on",
    ),
    spec(
        "/insight",
        "/insight <text>",
        Group::Capture,
        "note an insight",
    ),
    spec(
        "/decision",
        "/decision <text> -- <why>",
        Group::Capture,
        "note a decision and its reason",
    ),
    spec(
        "/blocker",
        "/blocker <text>",
        Group::Capture,
        "note what is blocking you",
    ),
    spec(
        "/breakdown",
        "/breakdown [task and time]",
        Group::Coach,
        "break your time into focused sessions with breaks",
    ),
    spec(
        "/goal",
        "/goal [what you are working on]",
        Group::Coach,
        "suggest a realistic goal for this block",
    ),
    spec(
        "/distracted",
        "/distracted [what keeps pulling you away]",
        Group::Coach,
        "help staying on task when distractions keep winning",
    ),
    spec(
        "/wentwrong",
        "/wentwrong [planned -- achieved]",
        Group::Coach,
        "look at a session that went wrong (the last one, unless you say)",
    ),
    spec(
        "/kickoff",
        "/kickoff",
        Group::Coach,
        "a few words from your accountability partner to get you started",
    ),
    spec(
        "/summary",
        "/summary",
        Group::Coach,
        "the coach sums up your progress so far",
    ),
    spec(
        "/model",
        "/model [name]",
        Group::Coach,
        "show the model, or switch to another one for this run",
    ),
    with_values(
        spec(
            "/offline",
            "/offline [on|off]",
            Group::Coach,
            "stop (or go back to) using the model for this run",
        ),
        &["on", "off"],
    ),
    spec(
        "/context",
        "/context",
        Group::Coach,
        "what is sent to the model with your next message: the fixed part, the conversation, where the session is now, their sizes, and what the server had cached",
    ),
    with_values(
        spec(
            "/log",
            "/log [focus log options]",
            Group::Other,
            "your finished sessions (e.g. /log -n 5, /log --since 7d)",
        ),
        &["-n", "--since", "--until", "--task"],
    ),
    with_values(
        spec(
            "/stats",
            "/stats [focus stats options]",
            Group::Other,
            "figures over your log (e.g. /stats --week)",
        ),
        &["--week", "--month", "--since", "--until"],
    ),
    spec(
        "/review",
        "/review",
        Group::Other,
        "this week against last week, and one experiment to try",
    ),
    spec(
        "/help",
        "/help [command]",
        Group::Other,
        "this list, or one command",
    ),
    spec(
        "/quit",
        "/quit",
        Group::Other,
        "leave; the session is saved and picked up next time (Ctrl-D too)",
    ),
];

/// The workflow's prompts, as commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workflow {
    Breakdown,
    Goal,
    Distracted,
    WentWrong,
    Kickoff,
}

impl Workflow {
    /// Its command's name, without the slash.
    pub fn command(self) -> &'static str {
        match self {
            Workflow::Breakdown => "breakdown",
            Workflow::Goal => "goal",
            Workflow::Distracted => "distracted",
            Workflow::WentWrong => "wentwrong",
            Workflow::Kickoff => "kickoff",
        }
    }

    /// The prompt template that words it for a model.
    pub fn template(self) -> &'static str {
        match self {
            Workflow::Breakdown => "breakdown",
            Workflow::Goal => "goal",
            Workflow::Distracted => "distracted",
            Workflow::WentWrong => "went-wrong",
            Workflow::Kickoff => "kickoff",
        }
    }
}

/// A typed line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Something for the session machine.
    Event(Event),
    /// Words for the coach: a reply to a check-in or the reflection, or just a message.
    Say(String),
    Plan(String),
    Status,
    Workflow(Workflow, String),
    Summary,
    Model(Option<String>),
    Offline(Option<bool>),
    Context,
    Log(String),
    Stats(String),
    Review,
    Help(Option<String>),
    Quit,
}

/// Reads one line. Plain text is words for the coach (kept with its line breaks); an empty
/// line is nothing (`Ok(None)`). Errors are one line saying what to type.
pub fn parse(line: &str) -> Result<Option<Command>, String> {
    let text = tidy_text(line);
    if text.is_empty() {
        return Ok(None);
    }
    if !text.starts_with('/') {
        return Ok(Some(Command::Say(text)));
    }
    let line = tidy(&text);
    let rest = &line[1..];
    let (name, arg) = match rest.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, arg.trim()),
        None => (rest, ""),
    };
    let name = name.to_lowercase();
    let spec = find(&name).ok_or_else(|| match suggest(&name) {
        Some(near) => {
            format!("unknown command /{name}; did you mean {near}? /help lists the commands")
        }
        None => format!("unknown command /{name}; /help lists the commands"),
    })?;
    let text = |what: &str| {
        if arg.is_empty() {
            Err(format!("{} needs {what}: {}", spec.name, spec.usage))
        } else {
            Ok(arg.to_owned())
        }
    };
    let no_argument = |command: Command| {
        if arg.is_empty() {
            Ok(command)
        } else {
            Err(format!(
                "{} takes no argument (got \"{arg}\"); type just {}",
                spec.name, spec.name
            ))
        }
    };
    let event = |event: Event| Command::Event(event);
    let command = match spec.name {
        "/plan" => Command::Plan(text(
            "the task and the time you have, e.g. /plan write the report for 50m",
        )?),
        "/start" => no_argument(event(Event::Start))?,
        "/pause" => event(Event::Pause {
            reason: (!arg.is_empty()).then(|| arg.to_owned()),
        }),
        "/resume" => event(Event::Resume {
            worked: worked(arg)?,
        }),
        "/extend" => event(Event::Extend {
            minutes: extend_minutes(&text("a length")?)?,
        }),
        "/skip" => no_argument(event(Event::Skip))?,
        "/replan" => no_argument(event(Event::Replan))?,
        "/done" => no_argument(event(Event::Done))?,
        "/cancel" => no_argument(event(Event::Cancel))?,
        "/status" => no_argument(Command::Status)?,
        "/park" => event(Event::Park {
            text: text("what came to mind")?,
        }),
        "/insight" => event(Event::Insight {
            text: text("the insight")?,
        }),
        "/decision" => decision(&text("the decision")?, spec)?,
        "/blocker" => event(Event::Blocker {
            text: text("what is blocking you")?,
        }),
        "/breakdown" => Command::Workflow(Workflow::Breakdown, arg.to_owned()),
        "/goal" => Command::Workflow(Workflow::Goal, arg.to_owned()),
        "/distracted" => Command::Workflow(Workflow::Distracted, arg.to_owned()),
        "/wentwrong" => Command::Workflow(Workflow::WentWrong, arg.to_owned()),
        "/kickoff" => no_argument(Command::Workflow(Workflow::Kickoff, String::new()))?,
        "/summary" => no_argument(Command::Summary)?,
        "/model" => Command::Model((!arg.is_empty()).then(|| arg.to_owned())),
        "/offline" => Command::Offline(on_or_off(arg)?),
        "/context" => no_argument(Command::Context)?,
        "/log" => Command::Log(arg.to_owned()),
        "/stats" => Command::Stats(arg.to_owned()),
        "/review" => no_argument(Command::Review)?,
        "/help" => Command::Help((!arg.is_empty()).then(|| arg.to_owned())),
        "/quit" => no_argument(Command::Quit)?,
        other => unreachable!("{other} is in the table but not parsed"),
    };
    Ok(Some(command))
}

/// `/resume`'s word: `worked` counts the time away as focus.
fn worked(arg: &str) -> Result<bool, String> {
    match arg.to_lowercase().as_str() {
        "" => Ok(false),
        "worked" => Ok(true),
        other => Err(format!(
            "/resume takes nothing, or worked to count the time away as focus (not \"{other}\")"
        )),
    }
}

/// `/offline`'s word: on, off, or nothing to switch.
fn on_or_off(arg: &str) -> Result<Option<bool>, String> {
    match arg.to_lowercase().as_str() {
        "" => Ok(None),
        "on" => Ok(Some(true)),
        "off" => Ok(Some(false)),
        other => Err(format!(
            "/offline takes on or off (not \"{other}\"); /offline alone switches"
        )),
    }
}

/// The command named `name` (without its slash), or the one command it is the start of.
pub fn find(name: &str) -> Option<&'static Spec> {
    let name = name.trim_start_matches('/');
    COMMANDS.iter().find(|spec| spec.name[1..] == *name)
}

/// Known commands close to a mistyped one: those it is the start of, or one that differs by
/// a single letter.
fn suggest(name: &str) -> Option<String> {
    let starting: Vec<&str> = COMMANDS
        .iter()
        .filter(|s| !name.is_empty() && s.name[1..].starts_with(name))
        .map(|s| s.name)
        .collect();
    if !starting.is_empty() {
        return Some(starting.join(" or "));
    }
    COMMANDS
        .iter()
        .find(|s| one_edit_apart(&s.name[1..], name))
        .map(|s| s.name.to_owned())
}

/// Whether two words differ by one inserted, removed or changed letter, or two swapped ones.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match (ra.len(), rb.len()) {
        (0, 0) => false,
        (x, y) if x == y => {
            ra[1..] == rb[1..] || (x >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        (x, y) if x == y + 1 => ra[1..] == *rb,
        (x, y) if y == x + 1 => *ra == rb[1..],
        _ => false,
    }
}

fn extend_minutes(length: &str) -> Result<u32, String> {
    match parse_minutes(length) {
        Ok(minutes) if minutes <= MAX_EXTEND => Ok(minutes),
        Ok(_) => Err(format!(
            "/extend adds at most {} at a time",
            format_minutes(MAX_EXTEND)
        )),
        Err(_) => Err(format!(
            "/extend takes a length, e.g. /extend 10 or /extend 1h (not \"{length}\")"
        )),
    }
}

fn decision(whole: &str, spec: &Spec) -> Result<Command, String> {
    let (decision, why) = match whole.split_once("--") {
        Some((d, w)) => (d.trim().to_owned(), Some(w.trim().to_owned())),
        None => (whole.to_owned(), None),
    };
    if decision.is_empty() {
        return Err(format!("/decision needs the decision: {}", spec.usage));
    }
    Ok(Command::Event(Event::Decision {
        text: decision,
        rationale: why.filter(|w| !w.is_empty()),
    }))
}

/// Words for the coach, cleaned line by line (escapes and invisible characters out, runs of
/// spaces made one) with their line breaks kept; blank lines at either end dropped.
fn tidy_text(raw: &str) -> String {
    let lines: Vec<String> = raw.lines().map(tidy).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(first), Some(last)) => lines[first..=last].join("\n"),
        _ => String::new(),
    }
}

/// The `/help` text: every command by group, or one command's usage.
pub fn help(about: Option<&str>) -> Result<String, String> {
    if let Some(name) = about {
        let spec = find(&name.to_lowercase())
            .ok_or_else(|| format!("there is no command {name}; /help lists the commands"))?;
        return Ok(format!("{}  {}", spec.usage, spec.help));
    }
    let width = COMMANDS.iter().map(|c| c.usage.len()).max().unwrap_or(0);
    let mut out = String::from("Anything that is not a command is a message to the coach.\n");
    for group in [Group::Session, Group::Capture, Group::Coach, Group::Other] {
        let _ = writeln!(out, "\n{}:", group.heading());
        for spec in COMMANDS.iter().filter(|s| s.group == group) {
            let _ = writeln!(out, "  {:width$}  {}", spec.usage, spec.help);
        }
    }
    let _ = write!(
        out,
        "\nTab completes commands; \"\"\" on a line of its own starts and ends a message of several lines."
    );
    Ok(out)
}

/// What Tab offers at the end of `line`: the commands it starts, or the values of the
/// command's first argument. Returns where the replaced word starts, and the candidates.
pub fn complete(line: &str) -> (usize, Vec<String>) {
    let Some(rest) = line.strip_prefix('/') else {
        return (0, Vec::new());
    };
    match rest.split_once(' ') {
        None => (
            0,
            COMMANDS
                .iter()
                .filter(|s| s.name[1..].starts_with(&rest.to_lowercase()))
                .map(|s| format!("{} ", s.name))
                .collect(),
        ),
        Some((name, arg)) => {
            let Some(spec) = find(&name.to_lowercase()) else {
                return (0, Vec::new());
            };
            // Only the word being typed, after the last space.
            let start = line.len() - arg.len() + arg.rfind(' ').map_or(0, |i| i + 1);
            let word = &line[start..];
            let values: Vec<String> = if spec.name == "/help" {
                COMMANDS.iter().map(|s| s.name[1..].to_owned()).collect()
            } else {
                spec.values.iter().map(|v| (*v).to_owned()).collect()
            };
            (
                start,
                values.into_iter().filter(|v| v.starts_with(word)).collect(),
            )
        }
    }
}

/// The grey text after the cursor: the rest of the only command the line can be, with its
/// arguments, or the arguments of a command typed in full.
pub fn hint(line: &str) -> Option<String> {
    let rest = line.strip_prefix('/')?;
    if rest.contains(char::is_whitespace) {
        let (name, arg) = rest.split_once(' ')?;
        let spec = find(&name.to_lowercase())?;
        let args = spec.usage.split_once(' ')?.1;
        return (arg.is_empty() && line.ends_with(' ')).then(|| args.to_owned());
    }
    let lower = rest.to_lowercase();
    let mut starting = COMMANDS.iter().filter(|s| s.name[1..].starts_with(&lower));
    let spec = starting.next()?;
    if starting.next().is_some() {
        return None;
    }
    let tail = &spec.usage[line.len().min(spec.name.len())..];
    (!tail.is_empty()).then(|| tail.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(line: &str) -> Event {
        match parse(line) {
            Ok(Some(Command::Event(event))) => event,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn every_command_in_the_table_parses() {
        for spec in COMMANDS {
            let line = spec
                .usage
                .replace("<minutes>", "10")
                .replace("<text> -- <why>", "a -- b")
                .replace("<text>", "x")
                .replace("<task and time>", "write it for 50m")
                .replace("[on|off]", "on");
            let line = line.split(" [").next().unwrap();
            assert!(parse(line).is_ok_and(|c| c.is_some()), "{line}");
        }
    }

    #[test]
    fn commands_carry_their_text() {
        assert_eq!(
            event("/park   email Sam about the invoice "),
            Event::Park {
                text: "email Sam about the invoice".into()
            }
        );
        assert_eq!(
            event("/pause phone call"),
            Event::Pause {
                reason: Some("phone call".into())
            }
        );
        assert_eq!(event("/pause"), Event::Pause { reason: None });
        assert_eq!(event("/EXTEND 1h"), Event::Extend { minutes: 60 });
        assert_eq!(
            event("/decision use SQLite -- one file, no server"),
            Event::Decision {
                text: "use SQLite".into(),
                rationale: Some("one file, no server".into())
            }
        );
        assert_eq!(
            event("/decision use SQLite"),
            Event::Decision {
                text: "use SQLite".into(),
                rationale: None
            }
        );
        assert_eq!(
            parse("/plan write the report  for 50m"),
            Ok(Some(Command::Plan("write the report for 50m".into())))
        );
        assert_eq!(
            parse("/offline off"),
            Ok(Some(Command::Offline(Some(false))))
        );
        assert_eq!(
            parse("/model qwen3:8b"),
            Ok(Some(Command::Model(Some("qwen3:8b".into()))))
        );
        assert_eq!(
            parse("/stats --week"),
            Ok(Some(Command::Stats("--week".into())))
        );
        assert_eq!(
            parse("/goal the intro"),
            Ok(Some(Command::Workflow(Workflow::Goal, "the intro".into())))
        );
    }

    #[test]
    fn plain_text_is_for_the_coach_with_its_lines_and_an_empty_line_is_nothing() {
        assert_eq!(
            parse("going well,   intro done"),
            Ok(Some(Command::Say("going well, intro done".into())))
        );
        assert_eq!(
            parse("\n\nfirst line\n  second\u{1b}[31m line\n\n"),
            Ok(Some(Command::Say("first line\nsecond line".into())))
        );
        assert_eq!(parse("   "), Ok(None));
        assert_eq!(
            parse("\u{1b}[31m"),
            Ok(None),
            "escape sequences are dropped"
        );
    }

    #[test]
    fn mistakes_say_what_to_type() {
        for (line, message) in [
            ("/park", "/park needs what came to mind: /park <text>"),
            ("/extend", "/extend needs a length: /extend <minutes>"),
            (
                "/extend soon",
                "/extend takes a length, e.g. /extend 10 or /extend 1h (not \"soon\")",
            ),
            (
                "/extend 0",
                "/extend takes a length, e.g. /extend 10 or /extend 1h (not \"0\")",
            ),
            ("/extend 5h", "/extend adds at most 4h at a time"),
            (
                "/frobnicate",
                "unknown command /frobnicate; /help lists the commands",
            ),
            (
                "/prak x",
                "unknown command /prak; did you mean /park? /help lists the commands",
            ),
            (
                "/stat",
                "unknown command /stat; did you mean /status or /stats? /help lists the commands",
            ),
            (
                "/skip it",
                "/skip takes no argument (got \"it\"); type just /skip",
            ),
            (
                "/decision -- because",
                "/decision needs the decision: /decision <text> -- <why>",
            ),
            (
                "/offline maybe",
                "/offline takes on or off (not \"maybe\"); /offline alone switches",
            ),
        ] {
            assert_eq!(parse(line).unwrap_err(), message, "{line}");
        }
    }

    #[test]
    fn help_lists_every_command_and_explains_one() {
        let help = help(None).unwrap();
        for spec in COMMANDS {
            assert!(help.contains(spec.usage), "{}", spec.name);
        }
        assert_eq!(
            super::help(Some("park")).unwrap(),
            "/park <text>  park a distracting thought for later and carry on"
        );
        assert_eq!(
            super::help(Some("/PARK")).unwrap(),
            "/park <text>  park a distracting thought for later and carry on"
        );
        assert!(super::help(Some("nope")).is_err());
    }

    #[test]
    fn tab_completes_commands_and_their_values() {
        assert_eq!(
            complete("/pa"),
            (0, vec!["/pause ".to_owned(), "/park ".to_owned()])
        );
        assert_eq!(complete("/ext"), (0, vec!["/extend ".to_owned()]));
        assert_eq!(
            complete("/extend 1"),
            (8, vec!["10".to_owned(), "15".to_owned()])
        );
        assert_eq!(
            complete("/offline o"),
            (9, vec!["on".to_owned(), "off".to_owned()])
        );
        assert_eq!(
            complete("/help pa"),
            (6, vec!["pause".to_owned(), "park".to_owned()])
        );
        assert_eq!(
            complete("/stats --week --m"),
            (14, vec!["--month".to_owned()])
        );
        assert_eq!(complete("hello"), (0, Vec::new()));
        assert_eq!(complete("/nope x"), (0, Vec::new()));
    }

    #[test]
    fn hints_show_the_rest_of_the_command_and_its_usage() {
        assert_eq!(hint("/ext").as_deref(), Some("end <minutes>"));
        assert_eq!(hint("/extend").as_deref(), Some(" <minutes>"));
        assert_eq!(hint("/extend ").as_deref(), Some("<minutes>"));
        assert_eq!(hint("/extend 1"), None);
        assert_eq!(hint("/p"), None, "several commands start so");
        assert_eq!(hint("/status"), None, "nothing left to show");
        assert_eq!(hint("hello"), None);
    }

    #[test]
    fn every_workflow_is_a_command_in_the_table() {
        for kind in [
            Workflow::Breakdown,
            Workflow::Goal,
            Workflow::Distracted,
            Workflow::WentWrong,
            Workflow::Kickoff,
        ] {
            let spec = find(kind.command()).unwrap_or_else(|| panic!("{}", kind.command()));
            assert_eq!(spec.group, Group::Coach);
        }
    }

    #[test]
    fn near_misses_are_one_edit_apart() {
        assert!(one_edit_apart("park", "prak"));
        assert!(one_edit_apart("park", "pak"));
        assert!(one_edit_apart("park", "parks"));
        assert!(one_edit_apart("park", "pork"));
        assert!(!one_edit_apart("park", "park"));
        assert!(!one_edit_apart("park", "stats"));
    }
}
