//! `focus config`, configuration precedence and configuration errors, seen from outside.

use crate::harness::focus;

const PLAN: [&str; 6] = [
    "plan",
    "Write the report",
    "--for",
    "2h",
    "--start",
    "2031-03-03 09:00",
];

#[test]
fn shows_the_defaults_when_there_is_no_file() {
    let run = focus().args(["config"]).run();
    let out = run.ok();
    let path = run.home.path().join(".config/focus/config.toml");
    assert!(
        out.contains(&format!(
            "# Config file: none ({} does not exist;",
            path.display()
        )),
        "{out}"
    );
    assert!(
        out.contains("[llm]\nbase_url = \"https://api.openai.com/v1\"\nmodel = \"gpt-4o-mini\""),
        "{out}"
    );
    assert!(out.contains("default_method = \"auto\""));
    let data = run.home.path().join(".local/share/focus");
    assert!(
        out.contains(&format!("data_dir = \"{}\"", data.display())),
        "{out}"
    );
    assert!(
        out.contains("# API key: $OPENAI_API_KEY is not set"),
        "{out}"
    );
}

#[test]
fn says_which_file_was_read_and_applies_it() {
    let f =
        focus().config("[llm]\nmodel = \"llama3.1\"\nbase_url = \"http://localhost:11434/v1\"\n");
    let path = f.config_path();
    let out = f.args(["config"]).run().ok();
    assert!(
        out.contains(&format!("# Config file: {} (read)", path.display())),
        "{out}"
    );
    assert!(out.contains("model = \"llama3.1\""));
    assert!(out.contains("base_url = \"http://localhost:11434/v1\""));
}

#[test]
fn environment_beats_the_file_and_flags_beat_both() {
    let f = focus().config("[session]\ndefault_method = \"deep\"\n[llm]\nmodel = \"from-file\"\n");
    let out = f
        .env("FOCUS__LLM__MODEL", "from-env")
        .args(["config"])
        .run()
        .ok();
    assert!(out.contains("model = \"from-env\""), "{out}");

    let method = |f: crate::harness::Focus, flags: &[&str]| -> serde_json::Value {
        let out = f.args(PLAN).args(flags).args(["--json"]).run().ok();
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["method"].clone()
    };
    let file = || focus().config("[session]\ndefault_method = \"deep\"\n");
    assert_eq!(method(file(), &[]), "deep");
    let env = || file().env("FOCUS__SESSION__DEFAULT_METHOD", "pomodoro");
    assert_eq!(method(env(), &[]), "pomodoro");
    assert_eq!(method(env(), &["--method", "micro"]), "micro");
}

#[test]
fn rhythms_from_the_config_shape_the_plan() {
    let f = focus().config("[session.pomodoro]\nwork = \"50m\"\nbreak = 10\n");
    let out = f
        .args(PLAN)
        .args(["--method", "pomodoro", "--json"])
        .run()
        .ok();
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    let lengths: Vec<u64> = plan["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["minutes"].as_u64().unwrap())
        .collect();
    assert_eq!(lengths, [50, 10, 50, 10]);
}

#[test]
fn the_config_flag_and_focus_config_name_the_file() {
    let f = focus();
    let custom = f.home().join("elsewhere.toml");
    std::fs::write(&custom, "[llm]\nmodel = \"named\"\n").unwrap();
    let out = f
        .args(["--config", custom.to_str().unwrap(), "config"])
        .run()
        .ok();
    assert!(out.contains("(read; named by --config)"), "{out}");
    assert!(out.contains("model = \"named\""));

    let f = focus();
    let custom = f.home().join("elsewhere.toml");
    std::fs::write(&custom, "[llm]\nmodel = \"named\"\n").unwrap();
    let out = f
        .env("FOCUS_CONFIG", &custom)
        .args(["config", "--path"])
        .run()
        .ok();
    assert_eq!(out.trim(), custom.display().to_string());
}

#[test]
fn a_missing_named_file_is_an_error() {
    let line = focus()
        .args([
            "--config",
            "/nonexistent/focus.toml",
            "plan",
            "x y",
            "--for",
            "1h",
        ])
        .run()
        .usage_error();
    assert_eq!(
        line,
        "focus: error: config file /nonexistent/focus.toml (named by --config) does not exist; create it with \
         `focus config --example > /nonexistent/focus.toml` or fix the path"
    );
}

#[test]
fn broken_configs_exit_2_naming_the_file_the_key_and_what_is_expected() {
    for (text, expected) in [
        (
            "[llm\nmodel = 1\n",
            "line 1, column 5: unclosed table, expected `]`",
        ),
        (
            "[session.pomodoro]\nwork = -5\n",
            "session.pomodoro.work: invalid value: integer `-5`, expected a number of minutes from 1 to 720 (e.g. 25 or \"1h30\")",
        ),
        (
            "[ui]\nbell = \"loud\"\n",
            "ui.bell: invalid type: string \"loud\", expected a boolean",
        ),
        (
            "[session]\ndefault_method = \"pomodor\"\n",
            "session.default_method: unknown method `pomodor`; expected one of auto, pomodoro, deep, micro, stacked, custom",
        ),
        (
            "[llm]\nmax_retries = \"three\"\n",
            "llm.max_retries: invalid value: string \"three\", expected a whole number from 0 to 10",
        ),
    ] {
        let f = focus().config(text);
        let path = f.config_path();
        let line = f.args(PLAN).run().usage_error();
        assert_eq!(
            line,
            format!(
                "focus: error: config error in {}: {expected}",
                path.display()
            ),
            "{text}"
        );
    }
}

#[test]
fn a_bad_environment_value_names_the_variable() {
    let line = focus()
        .env("FOCUS__SESSION__TIME_SCALE", "fast")
        .args(PLAN)
        .run()
        .usage_error();
    assert_eq!(
        line,
        "focus: error: config error in environment variable FOCUS__SESSION__TIME_SCALE: session.time_scale: \
         invalid type: string \"fast\", expected a floating point"
    );
}

#[test]
fn unknown_keys_warn_and_the_plan_still_runs() {
    let f = focus().config("[llm]\nmodle = \"x\"\n");
    let path = f.config_path();
    let run = f.args(PLAN).run();
    run.ok();
    assert_eq!(
        run.stderr(),
        format!(
            "focus: warning: {}: unknown key `llm.modle` is ignored (see `focus config --example`)\n",
            path.display()
        )
    );
}

#[test]
fn the_api_key_is_never_printed() {
    let secret = "sk-test-0123456789abcdef";
    let run = focus()
        .env("OPENAI_API_KEY", secret)
        .env("FOCUS__LLM__API_KEY", secret)
        .config(&format!(
            "[llm]\napi_key = \"{secret}\"\nbase_url = \"https://me:{secret}@proxy.local/v1\"\n"
        ))
        .args(["config"])
        .run();
    let out = run.ok();
    assert!(
        out.contains("# API key: set in $OPENAI_API_KEY (value hidden)"),
        "{out}"
    );
    assert!(
        out.contains("base_url = \"https://***@proxy.local/v1\""),
        "{out}"
    );
    assert!(!out.contains(secret), "{out}");
    assert!(!run.stderr().contains(secret), "{}", run.stderr());
    assert!(
        run.stderr()
            .contains("llm.api_key is ignored; focus reads the key only from the"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_key_from_a_command_is_described_not_run() {
    let out = focus()
        .config("[llm]\napi_key_cmd = \"false\"\n")
        .args(["config"])
        .run()
        .ok();
    assert!(
        out.contains(
            "# API key: $OPENAI_API_KEY is not set; llm.api_key_cmd will be run when one is needed"
        ),
        "{out}"
    );
}

#[test]
fn the_example_is_printed_and_is_a_valid_config() {
    let example = focus().args(["config", "--example"]).run().ok();
    assert_eq!(example, include_str!("../../config.example.toml"));
    let run = focus().config(&example).args(PLAN).run();
    run.ok();
    assert_eq!(run.stderr(), "", "the example loads without warnings");
}

#[test]
fn config_example_works_even_when_the_config_is_broken() {
    let out = focus()
        .config("[llm\n")
        .args(["config", "--example"])
        .run()
        .ok();
    assert!(out.starts_with("# focus configuration"));
}
