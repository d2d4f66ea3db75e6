use std::collections::BTreeSet;
use std::fs;

use super::*;

fn dirs(root: &Path) -> Dirs {
    Dirs {
        home: Some(root.to_owned()),
        config: Some(root.join(".config")),
        data: Some(root.join(".local/share")),
    }
}

/// Writes `text` as the default config file under `root` and returns its path.
fn write_default(root: &Path, text: &str) -> PathBuf {
    let path = dirs(root).default_config_file().unwrap();
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

fn load_with(root: &Path, env: &Env) -> Result<Loaded, ConfigError> {
    load(None, env, &dirs(root))
}

#[test]
fn no_file_and_no_environment_gives_the_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = load_with(tmp.path(), &Env::default()).unwrap();
    assert!(!loaded.file.found);
    assert_eq!(loaded.file.named_by, NamedBy::Default);
    assert!(loaded.warnings.is_empty());
    let mut expected = Settings::default();
    expected.log.data_dir = Some(tmp.path().join(".local/share/focus"));
    expected.log.notes_dir = Some(tmp.path().join(".local/share/focus/notes"));
    assert_eq!(loaded.settings, expected);
}

#[test]
fn each_layer_overrides_the_one_before() {
    let tmp = tempfile::tempdir().unwrap();
    write_default(
        tmp.path(),
        "[llm]\nmodel = \"from-file\"\nbase_url = \"http://file:1/v1\"\n[session.pomodoro]\nwork = 30\nbreak = \"7m\"\n",
    );
    let loaded = load_with(tmp.path(), &Env::default()).unwrap();
    assert!(loaded.file.found);
    assert_eq!(loaded.settings.llm.model, "from-file");
    assert_eq!(loaded.settings.session.pomodoro.work, 30);
    assert_eq!(loaded.settings.session.pomodoro.break_minutes, 7);
    // Keys the file leaves out keep their defaults.
    assert_eq!(loaded.settings.session.pomodoro.long_break, 15);

    let env = Env::from([
        ("FOCUS__LLM__MODEL", "from-env"),
        ("FOCUS__SESSION__POMODORO__WORK", "40"),
        ("FOCUS__SESSION__TIME_SCALE", "60"),
        ("FOCUS__UI__BELL", "false"),
        ("OPENAI_BASE_URL", "http://openai-env:2/v1"),
    ]);
    let s = load_with(tmp.path(), &env).unwrap().settings;
    assert_eq!(s.llm.model, "from-env");
    assert_eq!(s.session.pomodoro.work, 40);
    assert!((s.session.time_scale - 60.0).abs() < f64::EPSILON);
    assert!(!s.ui.bell);
    // OPENAI_BASE_URL beats the file...
    assert_eq!(s.llm.base_url, "http://openai-env:2/v1");
    // ...and FOCUS__LLM__BASE_URL beats OPENAI_BASE_URL.
    let env = Env::from([
        ("OPENAI_BASE_URL", "http://openai-env:2/v1"),
        ("FOCUS__LLM__BASE_URL", "http://focus-env:3/v1"),
    ]);
    assert_eq!(
        load_with(tmp.path(), &env).unwrap().settings.llm.base_url,
        "http://focus-env:3/v1"
    );
}

#[test]
fn the_config_flag_beats_focus_config_which_beats_the_default_location() {
    let tmp = tempfile::tempdir().unwrap();
    write_default(tmp.path(), "[llm]\nmodel = \"default-location\"\n");
    let from_env = tmp.path().join("env.toml");
    fs::write(&from_env, "[llm]\nmodel = \"named-by-env\"\n").unwrap();
    let from_flag = tmp.path().join("flag.toml");
    fs::write(&from_flag, "[llm]\nmodel = \"named-by-flag\"\n").unwrap();
    let env = Env::from([("FOCUS_CONFIG", from_env.to_str().unwrap())]);

    let loaded = load(Some(&from_flag), &env, &dirs(tmp.path())).unwrap();
    assert_eq!(loaded.settings.llm.model, "named-by-flag");
    assert_eq!(loaded.file.named_by, NamedBy::Flag);
    let loaded = load(None, &env, &dirs(tmp.path())).unwrap();
    assert_eq!(loaded.settings.llm.model, "named-by-env");
    assert_eq!(loaded.file.path.as_deref(), Some(from_env.as_path()));
    let loaded = load(None, &Env::default(), &dirs(tmp.path())).unwrap();
    assert_eq!(loaded.settings.llm.model, "default-location");
}

#[test]
fn a_named_file_that_is_missing_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope.toml");
    let err = load(Some(&missing), &Env::default(), &dirs(tmp.path())).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::Missing {
            named_by: NamedBy::Flag,
            ..
        }
    ));
    assert!(
        err.to_string().contains("focus config --example >"),
        "{err}"
    );
}

fn error_for(text: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_default(tmp.path(), text);
    let message = load_with(tmp.path(), &Env::default())
        .unwrap_err()
        .to_string();
    message.replace(&path.display().to_string(), "CONFIG")
}

#[test]
fn a_syntax_error_names_the_file_line_and_column() {
    assert_eq!(
        error_for("[llm]\nmodel = \"x\"\nmax_retries = = 3\n"),
        "config error in CONFIG: line 3, column 15: extra `=`, expected nothing"
    );
}

#[test]
fn a_wrong_value_names_the_file_the_key_and_what_is_expected() {
    assert_eq!(
        error_for("[session.pomodoro]\nwork = -5\n"),
        "config error in CONFIG: session.pomodoro.work: invalid value: integer `-5`, expected a number of \
         minutes from 1 to 720 (e.g. 25 or \"1h30\")"
    );
    assert_eq!(
        error_for("[session]\ndefault_method = \"pomodor\"\n"),
        "config error in CONFIG: session.default_method: unknown method `pomodor`; expected one of auto, \
         pomodoro, deep, micro, stacked, custom"
    );
    assert_eq!(
        error_for("[ui]\nbell = \"loud\"\n"),
        "config error in CONFIG: ui.bell: invalid type: string \"loud\", expected a boolean"
    );
    assert_eq!(
        error_for("[ui]\ncolor = \"sometimes\"\n"),
        "config error in CONFIG: ui.color: expected auto, always or never, got `sometimes`"
    );
    assert_eq!(
        error_for("[session]\ntime_scale = 0\n"),
        "config error in CONFIG: session.time_scale: expected a number from 0.01 to 10000 (1 = real time), got 0"
    );
    assert_eq!(
        error_for("[session]\ndefault_method = \"stacked\"\n"),
        "config error in CONFIG: session.default_method: stacked needs a chain for each session (--stack); \
         expected auto, pomodoro, deep, micro or custom"
    );
    assert_eq!(
        error_for("[session.pomodoro]\nlong_break_every = 0\n"),
        "config error in CONFIG: session.pomodoro.long_break_every: invalid value: integer `0`, expected a \
         whole number from 1 to 100"
    );
    assert_eq!(
        error_for("[llm]\nbase_url = \"localhost:11434\"\n"),
        "config error in CONFIG: llm.base_url: expected an http:// or https:// URL with a host, like \
         http://localhost:11434/v1; got `localhost:11434`"
    );
}

#[test]
fn more_wrong_values_are_explained_in_words() {
    for (text, expected) in [
        (
            "llm = 5\n",
            "llm: invalid type: integer `5`, expected a table of settings",
        ),
        (
            "[llm]\nmax_retries = 50\n",
            "llm.max_retries: invalid value: integer `50`, expected a whole number from 0 to 10",
        ),
        (
            "[llm]\nconnect_timeout_secs = 0\n",
            "llm.connect_timeout_secs: invalid value: integer `0`, expected a whole number from 1 to 3600",
        ),
        (
            "[llm]\napi_key_cmd = \" \"\n",
            "llm.api_key_cmd: expected a command that prints the key, e.g. \"pass show openai\"; or leave the key out",
        ),
        (
            "[log]\ndata_dir = \"\"\n",
            "log.data_dir: expected a directory path, or leave the key out for the default",
        ),
        (
            "[llm]\nbase_url = \"ftp://u:sk-SECRET@h\"\n",
            "llm.base_url: expected an http:// or https:// URL with a host, like http://localhost:11434/v1; got `ftp://***@h`",
        ),
        (
            "[llm]\nbase_url = \"https://\"\n",
            "llm.base_url: expected an http:// or https:// URL with a host, like http://localhost:11434/v1; got `https://`",
        ),
    ] {
        assert_eq!(
            error_for(text),
            format!("config error in CONFIG: {expected}"),
            "{text}"
        );
    }
}

#[test]
fn text_from_the_environment_stays_text() {
    let tmp = tempfile::tempdir().unwrap();
    let env = Env::from([
        ("FOCUS__LLM__MODEL", "1.10"),
        ("FOCUS__LOG__DATA_DIR", "0010"),
        ("FOCUS__LLM__MAX_RETRIES", "5"),
        ("FOCUS__SESSION__AUTO_START_WORK", "true"),
    ]);
    let s = load_with(tmp.path(), &env).unwrap().settings;
    assert_eq!(s.llm.model, "1.10");
    assert_eq!(s.data_dir(), Path::new("0010"));
    assert_eq!(s.llm.max_retries, 5);
    assert!(s.session.auto_start_work);
}

#[test]
fn a_wrong_value_from_the_environment_names_the_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let env = Env::from([("FOCUS__SESSION__POMODORO__WORK", "lots")]);
    let err = load_with(tmp.path(), &env).unwrap_err().to_string();
    assert_eq!(
        err,
        "config error in environment variable FOCUS__SESSION__POMODORO__WORK: session.pomodoro.work: invalid \
         value: string \"lots\", expected a number of minutes from 1 to 720 (e.g. 25 or \"1h30\")"
    );
}

#[test]
fn unknown_keys_are_warnings_that_name_them() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_default(tmp.path(), "[llm]\nmodle = \"x\"\n[colour]\nmode = 1\n");
    let env = Env::from([("FOCUS__UI__COLOUR", "never")]);
    let loaded = load_with(tmp.path(), &env).unwrap();
    let file = path.display();
    let warnings: BTreeSet<String> = loaded.warnings.into_iter().collect();
    let expected: BTreeSet<String> = [
        "warning: environment variable FOCUS__UI__COLOUR: unknown key `ui.colour` is ignored (see `focus config --example`)"
            .to_owned(),
        format!("warning: {file}: unknown key `llm.modle` is ignored (see `focus config --example`)"),
        format!("warning: {file}: unknown key `colour` is ignored (see `focus config --example`)"),
    ]
    .into_iter()
    .collect();
    assert_eq!(warnings, expected);
    // Unknown keys do not stop the known ones from applying.
    assert_eq!(loaded.settings.llm.model, "gpt-4o-mini");
}

#[test]
fn a_key_written_into_the_file_is_ignored_and_never_repeated() {
    let tmp = tempfile::tempdir().unwrap();
    write_default(tmp.path(), "[llm]\napi_key = \"sk-very-secret-123\"\n");
    let loaded = load_with(tmp.path(), &Env::default()).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    let warning = &loaded.warnings[0];
    assert!(warning.contains("llm.api_key is ignored"), "{warning}");
    assert!(!warning.contains("sk-very-secret-123"), "{warning}");
    assert!(
        !loaded
            .settings
            .to_redacted_toml()
            .contains("sk-very-secret-123")
    );
}

#[test]
fn header_values_are_hidden_when_shown() {
    let tmp = tempfile::tempdir().unwrap();
    write_default(
        tmp.path(),
        "[llm.headers]\napi-key = \"azure-secret-1\"\nX-Title = \"focus\"\n",
    );
    let settings = load_with(tmp.path(), &Env::default()).unwrap().settings;
    assert_eq!(settings.llm.headers["api-key"], "azure-secret-1");
    let shown = settings.to_redacted_toml();
    assert!(!shown.contains("azure-secret-1"), "{shown}");
    assert!(shown.contains("api-key = \"(hidden)\""), "{shown}");
}

#[test]
fn a_key_in_api_key_env_is_rejected_without_echoing_it() {
    let message = error_for("[llm]\napi_key_env = \"sk-very-secret-123\"\n");
    assert!(message.starts_with(
        "config error in CONFIG: llm.api_key_env: expected the name of an environment variable"
    ));
    assert!(!message.contains("sk-very-secret-123"), "{message}");
}

#[test]
fn paths_expand_the_home_directory() {
    let tmp = tempfile::tempdir().unwrap();
    write_default(tmp.path(), "[log]\ndata_dir = \"~/focus-data\"\n");
    let s = load_with(tmp.path(), &Env::default()).unwrap().settings;
    assert_eq!(s.data_dir(), tmp.path().join("focus-data"));
    assert_eq!(s.notes_dir(), tmp.path().join("focus-data/notes"));
}

#[test]
fn urls_lose_their_passwords_when_shown() {
    assert_eq!(
        redact_url("https://user:s3cret@proxy.example/v1"),
        "https://***@proxy.example/v1"
    );
    assert_eq!(redact_url("http://sk-TOKEN@h/v1"), "http://***@h/v1");
    assert_eq!(
        redact_url("https://h/v1?key=sk-1&x"),
        "https://h/v1?key=***&x"
    );
    assert_eq!(
        redact_url("http://localhost:11434/v1"),
        "http://localhost:11434/v1"
    );
    assert_eq!(redact_url("http://host/v1?x=a@b"), "http://host/v1?x=***");
}

/// Every `key = value` line of the example, commented-out ones included, as dotted paths.
fn documented_keys(example: &str) -> BTreeSet<String> {
    let uncommented: String = example
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest)
                if rest
                    .split_once(" = ")
                    .is_some_and(|(k, _)| !k.contains(' ')) =>
            {
                rest
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let table: toml::Table = uncommented
        .parse()
        .expect("the uncommented example is valid TOML");
    let mut keys = BTreeSet::new();
    flatten("", &toml::Value::Table(table), &mut keys);
    keys
}

/// The dotted keys of a table; `llm.headers` is one key (its entries are the person's own).
fn flatten(prefix: &str, value: &toml::Value, keys: &mut BTreeSet<String>) {
    match value {
        toml::Value::Table(table) if prefix != "llm.headers" => {
            for (k, v) in table {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, keys);
            }
        }
        _ => {
            keys.insert(prefix.to_owned());
        }
    }
}

#[test]
fn the_example_documents_every_setting_and_loads_as_the_defaults() {
    // Every key, optional ones included.
    let mut full = Settings::default();
    full.llm.api_key_cmd = Some("cmd".into());
    full.llm.headers.insert("X-Title".into(), "focus".into());
    full.log.data_dir = Some("d".into());
    full.log.notes_dir = Some("n".into());
    let mut setting_keys = BTreeSet::new();
    flatten(
        "",
        &toml::Value::try_from(&full).unwrap(),
        &mut setting_keys,
    );
    assert_eq!(
        documented_keys(EXAMPLE),
        setting_keys,
        "config.example.toml and Settings differ"
    );

    let tmp = tempfile::tempdir().unwrap();
    write_default(tmp.path(), EXAMPLE);
    let loaded = load_with(tmp.path(), &Env::default()).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let defaults = load_with(tempfile::tempdir().unwrap().path(), &Env::default()).unwrap();
    let mut example = loaded.settings;
    example.log = defaults.settings.log.clone();
    assert_eq!(
        example, defaults.settings,
        "the example's values are the defaults"
    );
}

#[test]
fn the_settings_print_as_toml_that_loads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let settings = load_with(tmp.path(), &Env::default()).unwrap().settings;
    let printed = settings.to_redacted_toml();
    write_default(tmp.path(), &printed);
    let again = load_with(tmp.path(), &Env::default()).unwrap();
    assert!(again.warnings.is_empty());
    assert_eq!(again.settings, settings);
}
