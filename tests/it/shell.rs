//! Help, version and shell completions.

use crate::harness::focus;

#[test]
fn help_lists_the_commands_with_examples() {
    let out = focus().args(["--help"]).run().ok();
    for needle in [
        "plan",
        "config",
        "completions",
        "--config <PATH>",
        "Examples:",
        "focus plan \"Write blog post draft\" --for 90m",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
}

#[test]
fn plan_help_explains_every_flag_with_an_example() {
    let out = focus().args(["plan", "--help"]).run().ok();
    for needle in [
        "--for <LENGTH>",
        "--until <TIME>",
        "--method <METHOD>",
        "pomodoro",
        "25m work / 5m break",
        "--goal <TEXT>",
        "--goals",
        "--start <TIME>",
        "--work <LENGTH>",
        "--break <LENGTH>",
        "--stack <CHAIN>",
        "--json",
        "--ics [<FILE>]",
        "Examples:",
        "--until 16:00 --method pomodoro",
        "Lengths: 25, 25m, 90 min, 1h, 1h30, 1h 30m, 1.5h, 2 hours",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
}

#[test]
fn no_arguments_opens_the_partner_and_the_end_of_input_leaves_it() {
    let run = focus().run();
    let out = run.ok();
    assert!(
        out.starts_with(&format!(
            "focus {} · your partner for focused work.",
            env!("CARGO_PKG_VERSION")
        )),
        "{out}"
    );
    assert!(out.contains("/plan <task and time>"), "{out}");
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_focus()"),
        ("zsh", "#compdef focus"),
        ("fish", "complete -c focus"),
    ] {
        let out = focus().args(["completions", shell]).run().ok();
        assert!(out.contains(marker), "{shell}: {out}");
        assert!(out.contains("plan"), "{shell}");
    }
    let line = focus().args(["completions", "tcsh"]).run().clap_error();
    assert!(line.starts_with("error: invalid value 'tcsh'"), "{line}");
}

#[test]
fn version_is_printed() {
    let out = focus().args(["--version"]).run().ok();
    assert_eq!(out, format!("focus {}\n", env!("CARGO_PKG_VERSION")));
}
