//! Settings, and where they come from.
//!
//! One precedence, lowest first: built-in defaults < the config file < the environment
//! (`FOCUS__SECTION__KEY`, and `OPENAI_BASE_URL` for `llm.base_url`) < command-line flags (applied
//! by the caller on the loaded [`Settings`]). The file is the first of `--config PATH`,
//! `$FOCUS_CONFIG`, `<config dir>/focus/config.toml`; only the last may be missing.
//!
//! Loading never reads the process environment or the filesystem's well-known directories by
//! itself: the caller passes an [`Env`] snapshot and the [`Dirs`], so tests load settings
//! deterministically. `config.example.toml` documents every key; a test keeps the two in step.
//!
//! The API key is never a setting: it is read, when needed, from the variable named by
//! `llm.api_key_env` or from the output of `llm.api_key_cmd`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::clock::TIME_SCALES;
use crate::session::duration::de;
use crate::session::{CheckIns, DeepRhythm, Method, PomodoroRhythm, Rhythm, Rhythms};

/// The commented example configuration, shipped in the binary (`focus config --example`).
pub const EXAMPLE: &str = include_str!("../config.example.toml");

/// Every setting.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub llm: LlmSettings,
    pub session: SessionSettings,
    pub log: LogSettings,
    pub ui: UiSettings,
}

/// `[llm]`: the OpenAI-compatible server the coach talks through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmSettings {
    pub base_url: String,
    pub model: String,
    pub api_key_env: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_cmd: Option<String>,
    #[serde(deserialize_with = "de::whole::<1, 3600, _>")]
    pub connect_timeout_secs: u32,
    #[serde(deserialize_with = "de::whole::<1, 3600, _>")]
    pub first_token_timeout_secs: u32,
    #[serde(deserialize_with = "de::whole::<1, 3600, _>")]
    pub idle_timeout_secs: u32,
    #[serde(deserialize_with = "de::whole::<0, 10, _>")]
    pub max_retries: u32,
    /// Ask the server to count the tokens of each reply (`stream_options.include_usage`).
    pub include_usage: bool,
    /// Sent with every request (such as the `HTTP-Referer` and `X-Title` headers of `OpenRouter`).
    pub headers: BTreeMap<String, String>,
    pub offline: bool,
    /// The most a conversation request may take, in estimated tokens; older turns beyond it
    /// are summarised.
    #[serde(deserialize_with = "de::whole::<1000, 1000000, _>")]
    pub context_tokens: u32,
    /// The most a chat reply may take, in tokens (sent as `max_tokens`); the templates set
    /// their own.
    #[serde(deserialize_with = "de::whole::<16, 100000, _>")]
    pub max_reply_tokens: u32,
    /// The longest a chat reply may stream before focus ends it, keeping what came.
    #[serde(deserialize_with = "de::whole::<1, 3600, _>")]
    pub reply_timeout_secs: u32,
    /// After the server could not be reached, the coach stays quiet this long before it tries
    /// again.
    #[serde(deserialize_with = "de::whole::<0, 86400, _>")]
    pub retry_after_down_secs: u32,
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            base_url: "https://api.openai.com/v1".to_owned(),
            model: "gpt-4o-mini".to_owned(),
            api_key_env: "OPENAI_API_KEY".to_owned(),
            api_key_cmd: None,
            connect_timeout_secs: 10,
            first_token_timeout_secs: 60,
            idle_timeout_secs: 30,
            max_retries: 3,
            include_usage: true,
            headers: BTreeMap::new(),
            offline: false,
            context_tokens: 6000,
            max_reply_tokens: 600,
            reply_timeout_secs: 120,
            retry_after_down_secs: 120,
        }
    }
}

/// `[session]`: rhythms, check-ins and timekeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionSettings {
    pub default_method: Method,
    pub auto_start_work: bool,
    #[serde(deserialize_with = "de::minutes")]
    pub long_pause_minutes: u32,
    pub time_scale: f64,
    pub pomodoro: PomodoroRhythm,
    pub deep: DeepRhythm,
    pub micro: Rhythm,
    pub custom: Rhythm,
    pub checkins: CheckIns,
}

impl Default for SessionSettings {
    fn default() -> Self {
        let rhythms = Rhythms::default();
        SessionSettings {
            default_method: Method::Auto,
            auto_start_work: false,
            long_pause_minutes: 15,
            time_scale: 1.0,
            pomodoro: rhythms.pomodoro,
            deep: rhythms.deep,
            micro: rhythms.micro,
            custom: rhythms.custom,
            checkins: CheckIns::default(),
        }
    }
}

impl SessionSettings {
    pub fn rhythms(&self) -> Rhythms {
        Rhythms {
            pomodoro: self.pomodoro,
            deep: self.deep,
            micro: self.micro,
            custom: self.custom,
        }
    }
}

/// `[log]`: where finished sessions and notes are kept.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    /// Defaults to `<data dir>/focus`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// Defaults to `<data_dir>/notes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes_dir: Option<PathBuf>,
}

/// `[ui]`: how focus looks and sounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiSettings {
    pub color: ColorMode,
    pub bell: bool,
    pub desktop_notifications: bool,
    /// At a terminal, its title shows the session's phase and the time left.
    pub terminal_title: bool,
}

impl Default for UiSettings {
    fn default() -> Self {
        UiSettings {
            color: ColorMode::Auto,
            bell: true,
            desktop_notifications: false,
            terminal_title: true,
        }
    }
}

/// Whether to color output. `auto` colors a terminal unless `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum ColorMode {
    #[default]
    Auto,
    Always,
    Never,
}

impl TryFrom<String> for ColorMode {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        match text.trim().to_lowercase().as_str() {
            "auto" => Ok(ColorMode::Auto),
            "always" => Ok(ColorMode::Always),
            "never" => Ok(ColorMode::Never),
            _ => Err(format!("expected auto, always or never, got `{text}`")),
        }
    }
}

/// A snapshot of environment variables, taken once at the edge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env(BTreeMap<String, String>);

impl Env {
    /// Reads the process environment (variables that are not valid Unicode are skipped).
    pub fn from_process() -> Env {
        Env(std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect())
    }

    /// A non-empty variable.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn focus_vars(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().filter(|(k, _)| k.starts_with("FOCUS__"))
    }

    /// The `FOCUS__…` variable that sets `key`, if one does.
    fn var_for(&self, key: &str) -> Option<&str> {
        let wanted = format!("FOCUS__{}", key.replace('.', "__")).to_lowercase();
        self.focus_vars()
            .find(|(k, _)| k.to_lowercase() == wanted)
            .map(|(k, _)| k.as_str())
    }
}

impl<const N: usize> From<[(&str, &str); N]> for Env {
    fn from(vars: [(&str, &str); N]) -> Env {
        Env(vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect())
    }
}

/// The per-user directories settings fall back on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirs {
    pub home: Option<PathBuf>,
    /// The platform's config directory (e.g. `~/.config`).
    pub config: Option<PathBuf>,
    /// The platform's data directory (e.g. `~/.local/share`).
    pub data: Option<PathBuf>,
}

impl Dirs {
    /// The platform's directories for the current user.
    pub fn from_platform() -> Dirs {
        match directories::BaseDirs::new() {
            Some(base) => Dirs {
                home: Some(base.home_dir().to_owned()),
                config: Some(base.config_dir().to_owned()),
                data: Some(base.data_dir().to_owned()),
            },
            None => Dirs::default(),
        }
    }

    /// `<config dir>/focus/config.toml`.
    pub fn default_config_file(&self) -> Option<PathBuf> {
        Some(self.config.as_ref()?.join("focus").join("config.toml"))
    }
}

/// Which config file was used, and who named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    pub path: Option<PathBuf>,
    pub named_by: NamedBy,
    pub found: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedBy {
    Flag,
    EnvVar,
    Default,
}

impl fmt::Display for NamedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NamedBy::Flag => "--config",
            NamedBy::EnvVar => "FOCUS_CONFIG",
            NamedBy::Default => "the default location",
        })
    }
}

/// Settings as loaded, with what the person should hear about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub settings: Settings,
    pub file: ConfigFile,
    /// One line each: unknown keys, ignored values.
    pub warnings: Vec<String>,
}

/// A configuration that cannot be used. Each message names the file (or variable), the key and
/// what is expected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "config file {} (named by {named_by}) does not exist; create it with `focus config --example > {}` or fix the path",
        path.display(), path.display()
    )]
    Missing { path: PathBuf, named_by: NamedBy },
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config error in {}: line {line}, column {column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("config error in {origin}: {key}: {message}")]
    Invalid {
        origin: String,
        key: String,
        message: String,
    },
    #[error("cannot combine the settings: {0}")]
    Merge(String),
    #[error("cannot find a home directory for {what}; set HOME or {key}")]
    NoHome {
        what: &'static str,
        key: &'static str,
    },
}

/// Loads settings from the defaults, the config file and the environment.
pub fn load(config_flag: Option<&Path>, env: &Env, dirs: &Dirs) -> Result<Loaded, ConfigError> {
    let file = locate(config_flag, env, dirs);
    let text = match &file.path {
        Some(path) => read(path, file.named_by)?,
        None => None,
    };
    let file = ConfigFile {
        found: text.is_some(),
        ..file
    };
    let origin_of = |key: &str| -> String {
        if let Some(var) = env.var_for(key) {
            format!("environment variable {var}")
        } else if key == "llm.base_url" && env.get("OPENAI_BASE_URL").is_some() {
            "environment variable OPENAI_BASE_URL".to_owned()
        } else if let (true, Some(path)) = (file.found, &file.path) {
            path.display().to_string()
        } else {
            "the settings".to_owned()
        }
    };

    if let (Some(text), Some(path)) = (&text, &file.path) {
        check_syntax(text, path)?;
    }
    let merged = merge(text.as_deref(), env)
        .map_err(|err| ConfigError::Merge(plain_message(&err.to_string())))?;

    let mut unknown = Vec::new();
    let settings: Settings = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(
        merged,
        &mut |path: serde_ignored::Path<'_>| unknown.push(path.to_string()),
    ))
    .map_err(|err| {
        let key = err.path().to_string();
        ConfigError::Invalid {
            origin: origin_of(&key),
            message: plain_message(&err.inner().to_string()),
            key,
        }
    })?;
    let warnings = unknown
        .into_iter()
        .map(|key| {
            let origin = origin_of(&key);
            if key == "llm.api_key" {
                format!(
                    "warning: {origin}: llm.api_key is ignored; focus reads the key only from the \
                     variable named by llm.api_key_env ({}) or from llm.api_key_cmd",
                    settings.llm.api_key_env
                )
            } else {
                format!("warning: {origin}: unknown key `{key}` is ignored (see `focus config --example`)")
            }
        })
        .collect();
    validate(&settings).map_err(|(key, message)| ConfigError::Invalid {
        origin: origin_of(key),
        key: key.to_owned(),
        message,
    })?;
    let settings = resolve_paths(settings, dirs)?;
    Ok(Loaded {
        settings,
        file,
        warnings,
    })
}

/// The config file that would be read (not yet known to exist).
pub fn locate(config_flag: Option<&Path>, env: &Env, dirs: &Dirs) -> ConfigFile {
    let (path, named_by) = if let Some(path) = config_flag {
        (Some(path.to_owned()), NamedBy::Flag)
    } else if let Some(path) = env.get("FOCUS_CONFIG") {
        (Some(PathBuf::from(path)), NamedBy::EnvVar)
    } else {
        (dirs.default_config_file(), NamedBy::Default)
    };
    ConfigFile {
        path,
        named_by,
        found: false,
    }
}

fn read(path: &Path, named_by: NamedBy) -> Result<Option<String>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => match named_by {
            NamedBy::Default => Ok(None),
            NamedBy::Flag | NamedBy::EnvVar => Err(ConfigError::Missing {
                path: path.to_owned(),
                named_by,
            }),
        },
        Err(source) => Err(ConfigError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Reports TOML syntax errors with a line and column, before the config crate sees the text.
fn check_syntax(text: &str, path: &Path) -> Result<(), ConfigError> {
    let Err(err) = text.parse::<toml::Table>() else {
        return Ok(());
    };
    let (line, column) = err.span().map_or((1, 1), |span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    });
    Err(ConfigError::Syntax {
        path: path.to_owned(),
        line,
        column,
        message: plain_message(err.message()),
    })
}

fn merge(file: Option<&str>, env: &Env) -> Result<config::Config, config::ConfigError> {
    let mut builder =
        config::Config::builder().add_source(config::Config::try_from(&Settings::default())?);
    if let Some(text) = file {
        builder = builder.add_source(config::File::from_str(text, config::FileFormat::Toml));
    }
    if let Some(url) = env.get("OPENAI_BASE_URL") {
        builder = builder.add_source(
            config::Config::builder()
                .set_override("llm.base_url", url)?
                .build()?,
        );
    }
    let focus_vars = env
        .focus_vars()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    builder
        .add_source(
            config::Environment::with_prefix("FOCUS")
                .prefix_separator("__")
                .separator("__")
                // Values stay text: numbers and booleans are read from text where the setting
                // wants one, and text settings (a model named "1.10") keep what was typed.
                .source(Some(focus_vars)),
        )
        .build()
}

/// Turns a serde or config-crate message into one line without the crate's own "for key …"
/// suffix (the caller names the key) or Rust type names.
fn plain_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or("").trim();
    let cut = first.find(" for key `").map_or(first, |at| &first[..at]);
    let mut line = cut.trim_end_matches('.').to_owned();
    if let Some(at) = line.find("expected struct ") {
        line.replace_range(at.., "expected a table of settings");
    }
    line
}

/// Rules a type cannot express. Returns the key at fault and what is expected.
fn validate(settings: &Settings) -> Result<(), (&'static str, String)> {
    let llm = &settings.llm;
    let host = llm
        .base_url
        .strip_prefix("http://")
        .or_else(|| llm.base_url.strip_prefix("https://"))
        .map(|rest| rest.split(['/', '?']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) {
        return Err((
            "llm.base_url",
            format!(
                "expected an http:// or https:// URL with a host, like http://localhost:11434/v1; got `{}`",
                redact_url(&llm.base_url)
            ),
        ));
    }
    if llm.model.trim().is_empty() {
        return Err((
            "llm.model",
            "expected a model name, e.g. \"gpt-4o-mini\" or \"llama3.1\"".to_owned(),
        ));
    }
    let valid_var = !llm.api_key_env.is_empty()
        && llm
            .api_key_env
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !llm.api_key_env.starts_with(|c: char| c.is_ascii_digit());
    if !valid_var {
        return Err((
            "llm.api_key_env",
            "expected the name of an environment variable, like OPENAI_API_KEY (the key itself \
             belongs in that variable, never in the config)"
                .to_owned(),
        ));
    }
    if llm
        .api_key_cmd
        .as_deref()
        .is_some_and(|c| c.trim().is_empty())
    {
        return Err((
            "llm.api_key_cmd",
            "expected a command that prints the key, e.g. \"pass show openai\"; or leave the key out".to_owned(),
        ));
    }
    for (key, path) in [
        ("log.data_dir", &settings.log.data_dir),
        ("log.notes_dir", &settings.log.notes_dir),
    ] {
        if path.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
            return Err((
                key,
                "expected a directory path, or leave the key out for the default".to_owned(),
            ));
        }
    }
    let session = &settings.session;
    if session.default_method == Method::Stacked {
        return Err((
            "session.default_method",
            "stacked needs a chain for each session (--stack); expected auto, pomodoro, deep, micro or custom"
                .to_owned(),
        ));
    }
    let scale = session.time_scale;
    if !TIME_SCALES.contains(&scale) {
        return Err((
            "session.time_scale",
            format!("expected a number from 0.01 to 10000 (1 = real time), got {scale}"),
        ));
    }
    if !(5..=25).contains(&session.micro.work) {
        return Err((
            "session.micro.work",
            format!(
                "expected 5 to 25 minutes (micro-sessions are short), got {}",
                session.micro.work
            ),
        ));
    }
    Ok(())
}

/// Fills in the default data and notes directories and expands `~/`.
fn resolve_paths(mut settings: Settings, dirs: &Dirs) -> Result<Settings, ConfigError> {
    let expand = |path: PathBuf, key: &'static str| -> Result<PathBuf, ConfigError> {
        match path.strip_prefix("~") {
            Ok(rest) => dirs
                .home
                .as_ref()
                .map(|home| home.join(rest))
                .ok_or(ConfigError::NoHome {
                    what: "`~` in a path",
                    key,
                }),
            Err(_) => Ok(path),
        }
    };
    let data_dir = match settings.log.data_dir.take() {
        Some(path) => expand(path, "log.data_dir")?,
        None => dirs
            .data
            .as_ref()
            .map(|d| d.join("focus"))
            .ok_or(ConfigError::NoHome {
                what: "the data directory",
                key: "log.data_dir",
            })?,
    };
    let notes_dir = match settings.log.notes_dir.take() {
        Some(path) => expand(path, "log.notes_dir")?,
        None => data_dir.join("notes"),
    };
    settings.log.data_dir = Some(data_dir);
    settings.log.notes_dir = Some(notes_dir);
    Ok(settings)
}

/// Hides what a URL may carry as a secret: the user-info (`https://user:key@host` →
/// `https://***@host`) and the values of its query (`?key=sk-…` → `?key=***`).
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    let (before_query, query) = match rest.find('?') {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let authority_end = before_query.find('/').unwrap_or(before_query.len());
    let mut shown = scheme.to_owned();
    match before_query[..authority_end].rfind('@') {
        Some(at) => {
            shown.push_str("***");
            shown.push_str(&before_query[at..]);
        }
        None => shown.push_str(before_query),
    }
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) => format!("{key}=***"),
                None => pair.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    shown
}

impl Settings {
    /// The effective settings as TOML, with secrets hidden.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.llm.base_url = redact_url(&shown.llm.base_url);
        // A header may carry a credential (Azure's `api-key`, a proxy's token).
        for value in shown.llm.headers.values_mut() {
            "(hidden)".clone_into(value);
        }
        toml::to_string_pretty(&shown).expect("settings always serialize")
    }

    pub fn data_dir(&self) -> &Path {
        self.log.data_dir.as_deref().expect("resolved by load")
    }

    pub fn notes_dir(&self) -> &Path {
        self.log.notes_dir.as_deref().expect("resolved by load")
    }
}

#[cfg(test)]
mod tests;
