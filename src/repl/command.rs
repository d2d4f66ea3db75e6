//! The slash commands a session takes, typed in the REPL or piped to `focus start`. One table
//! drives parsing and `/help` (and the REPL's completion and hints).

use std::fmt::Write as _;

use crate::session::machine::Event;
use crate::session::plan::tidy;
use crate::session::{format_minutes, parse_minutes};

/// The most one `/extend` adds.
const MAX_EXTEND: u32 = 240;

/// One command as the person sees it.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub usage: &'static str,
    pub help: &'static str,
}

/// Every command, in the order `/help` lists them.
pub const COMMANDS: &[Spec] = &[
    Spec {
        name: "/start",
        usage: "/start",
        help: "begin the next block (the go after a break)",
    },
    Spec {
        name: "/pause",
        usage: "/pause [reason]",
        help: "pause the block, with the reason if you like",
    },
    Spec {
        name: "/resume",
        usage: "/resume",
        help: "carry on after a pause",
    },
    Spec {
        name: "/extend",
        usage: "/extend <minutes>",
        help: "more time for this block (or the one that just ended); the rest shifts",
    },
    Spec {
        name: "/skip",
        usage: "/skip",
        help: "move on now: end this block, or end the break and start the next block",
    },
    Spec {
        name: "/replan",
        usage: "/replan",
        help: "fit what is left into the time you planned (after a long pause)",
    },
    Spec {
        name: "/done",
        usage: "/done",
        help: "end the session and reflect; in the reflection, close the session",
    },
    Spec {
        name: "/park",
        usage: "/park <text>",
        help: "park a distracting thought for later and carry on",
    },
    Spec {
        name: "/insight",
        usage: "/insight <text>",
        help: "note an insight",
    },
    Spec {
        name: "/decision",
        usage: "/decision <text> -- <why>",
        help: "note a decision and its reason",
    },
    Spec {
        name: "/blocker",
        usage: "/blocker <text>",
        help: "note what is blocking you",
    },
    Spec {
        name: "/status",
        usage: "/status",
        help: "the plan, the current block, time left and what you captured",
    },
    Spec {
        name: "/help",
        usage: "/help",
        help: "this list",
    },
    Spec {
        name: "/quit",
        usage: "/quit",
        help: "leave; the session is saved and `focus resume` picks it up",
    },
];

/// A typed line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Something for the session machine.
    Event(Event),
    Status,
    Help,
    Quit,
}

/// Reads one line. Plain text is a reply to the coach; an empty line is nothing (`Ok(None)`).
/// Errors are one line saying what to type.
pub fn parse(line: &str) -> Result<Option<Command>, String> {
    let line = tidy(line);
    if line.is_empty() {
        return Ok(None);
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Ok(Some(Command::Event(Event::Reply { text: line })));
    };
    let (name, arg) = match rest.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, arg.trim()),
        None => (rest, ""),
    };
    let name = name.to_lowercase();
    let spec = COMMANDS
        .iter()
        .find(|spec| spec.name[1..] == name)
        .ok_or_else(|| format!("unknown command /{name}; /help lists the commands"))?;
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
    let command = match spec.name {
        "/start" => no_argument(Command::Event(Event::Start))?,
        "/pause" => Command::Event(Event::Pause {
            reason: (!arg.is_empty()).then(|| arg.to_owned()),
        }),
        "/resume" => no_argument(Command::Event(Event::Resume))?,
        "/extend" => {
            let length = text("a length")?;
            match parse_minutes(&length) {
                Ok(minutes) if minutes <= MAX_EXTEND => Command::Event(Event::Extend { minutes }),
                Ok(_) => {
                    return Err(format!(
                        "/extend adds at most {} at a time",
                        format_minutes(MAX_EXTEND)
                    ));
                }
                Err(_) => {
                    return Err(format!(
                        "/extend takes a length, e.g. /extend 10 or /extend 1h (not \"{length}\")"
                    ));
                }
            }
        }
        "/skip" => no_argument(Command::Event(Event::Skip))?,
        "/replan" => no_argument(Command::Event(Event::Replan))?,
        "/done" => no_argument(Command::Event(Event::Done))?,
        "/park" => Command::Event(Event::Park {
            text: text("what came to mind")?,
        }),
        "/insight" => Command::Event(Event::Insight {
            text: text("the insight")?,
        }),
        "/decision" => {
            let whole = text("the decision")?;
            let (decision, why) = match whole.split_once("--") {
                Some((d, w)) => (d.trim().to_owned(), Some(w.trim().to_owned())),
                None => (whole, None),
            };
            if decision.is_empty() {
                return Err(format!("/decision needs the decision: {}", spec.usage));
            }
            Command::Event(Event::Decision {
                text: decision,
                rationale: why.filter(|w| !w.is_empty()),
            })
        }
        "/blocker" => Command::Event(Event::Blocker {
            text: text("what is blocking you")?,
        }),
        "/status" => no_argument(Command::Status)?,
        "/help" => Command::Help,
        "/quit" => no_argument(Command::Quit)?,
        other => unreachable!("{other} is in the table but not parsed"),
    };
    Ok(Some(command))
}

/// The `/help` text.
pub fn help() -> String {
    let width = COMMANDS.iter().map(|c| c.usage.len()).max().unwrap_or(0);
    let mut out = String::from("Commands (anything else is a note to the coach):\n");
    for spec in COMMANDS {
        let _ = writeln!(out, "  {:width$}  {}", spec.usage, spec.help);
    }
    out.pop();
    out
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
                .replace("[reason]", "");
            assert!(parse(&line).is_ok_and(|c| c.is_some()), "{line}");
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
    }

    #[test]
    fn plain_text_is_a_reply_and_an_empty_line_is_nothing() {
        assert_eq!(
            event("going well, intro done"),
            Event::Reply {
                text: "going well, intro done".into()
            }
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
                "/skip it",
                "/skip takes no argument (got \"it\"); type just /skip",
            ),
            (
                "/decision -- because",
                "/decision needs the decision: /decision <text> -- <why>",
            ),
        ] {
            assert_eq!(parse(line).unwrap_err(), message, "{line}");
        }
    }

    #[test]
    fn help_lists_every_command() {
        let help = help();
        for spec in COMMANDS {
            assert!(help.contains(spec.usage), "{}", spec.name);
        }
    }
}
