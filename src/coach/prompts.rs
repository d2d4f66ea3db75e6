//! The coach's prompt templates: `prompts/<name>.md`, embedded in the binary; a file of the
//! same name in `<config dir>/focus/prompts/` takes its place.
//!
//! A template is Markdown, optionally opened by TOML front matter between `+++` lines that
//! sets the model parameters for the turn (`temperature`, `max_tokens`). Its body is rendered
//! with minijinja in strict mode: a variable the template uses but the code does not give is
//! an error, never an empty string (the tests render every template with what the code gives).

use std::fs;
use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

/// The templates focus ships, by name.
const EMBEDDED: [(&str, &str); 14] = [
    ("system", include_str!("../../prompts/system.md")),
    ("review", include_str!("../../prompts/review.md")),
    ("reflection", include_str!("../../prompts/reflection.md")),
    (
        "reflection-reply",
        include_str!("../../prompts/reflection-reply.md"),
    ),
    ("summary", include_str!("../../prompts/summary.md")),
    ("plan", include_str!("../../prompts/plan.md")),
    ("check-in", include_str!("../../prompts/check-in.md")),
    ("break", include_str!("../../prompts/break.md")),
    ("progress", include_str!("../../prompts/progress.md")),
    ("breakdown", include_str!("../../prompts/breakdown.md")),
    ("goal", include_str!("../../prompts/goal.md")),
    ("distracted", include_str!("../../prompts/distracted.md")),
    ("went-wrong", include_str!("../../prompts/went-wrong.md")),
    ("kickoff", include_str!("../../prompts/kickoff.md")),
];

/// Model parameters a template sets for its turn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
}

/// A template rendered: its text and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub params: Params,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    #[error("the prompt template {file} {problem}; fix it, or remove it to use the built-in one")]
    Bad { file: String, problem: String },
    #[error("cannot read the prompt template {file} ({reason})")]
    Unreadable { file: String, reason: String },
}

/// One template: where it came from, its parameters and its body.
#[derive(Debug, Clone)]
struct Template {
    /// The file it was read from, or `prompts/<name>.md (built in)`.
    origin: String,
    params: Params,
    body: String,
    /// The file's lines before the body (the front matter), for line numbers in errors.
    offset: usize,
}

/// Every template, built in or overridden.
#[derive(Debug, Clone)]
pub struct Prompts {
    templates: Vec<(&'static str, Template)>,
}

impl Prompts {
    /// The built-in templates only.
    pub fn builtin() -> Prompts {
        Prompts {
            templates: EMBEDDED
                .iter()
                .map(|&(name, text)| {
                    let origin = format!("prompts/{name}.md (built in)");
                    let template = parse(text, &origin).expect("built-in templates parse");
                    (name, template)
                })
                .collect(),
        }
    }

    /// The built-in templates, each replaced by a same-named file in `dir` when there is one.
    pub fn load(dir: Option<&Path>) -> Result<Prompts, PromptError> {
        let mut prompts = Prompts::builtin();
        let Some(dir) = dir else {
            return Ok(prompts);
        };
        for (name, template) in &mut prompts.templates {
            let path: PathBuf = dir.join(format!("{name}.md"));
            match fs::read_to_string(&path) {
                Ok(text) => {
                    let parsed = parse(&text, &path.display().to_string())?;
                    // A syntax error shows now, not in the middle of a session.
                    let mut env = environment();
                    env.add_template("check", &parsed.body)
                        .map_err(|e| parsed.error(&e))?;
                    *template = parsed;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(PromptError::Unreadable {
                        file: path.display().to_string(),
                        reason: e.to_string(),
                    });
                }
            }
        }
        Ok(prompts)
    }

    /// Renders template `name` with `context` (a serializable value, e.g. `minijinja::context!`).
    pub fn render(&self, name: &str, context: impl Serialize) -> Result<Rendered, PromptError> {
        let (_, template) = self
            .templates
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no template named {name}"));
        let env = environment();
        let text = env
            .render_str(&template.body, context)
            .map_err(|e| template.error(&e))?
            .trim()
            .to_owned();
        Ok(Rendered {
            text,
            params: template.params,
        })
    }
}

/// The template engine as prompts use it: strict about variables, no HTML escaping.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

impl Template {
    /// A template error as the person reads it: the file, the line in the file, and what.
    fn error(&self, e: &minijinja::Error) -> PromptError {
        let what = match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        }
        .replace("undefined value", "a variable focus does not give");
        PromptError::Bad {
            file: self.origin.clone(),
            problem: match e.line() {
                Some(line) => format!("has an error on line {} ({what})", line + self.offset),
                None => format!("has an error ({what})"),
            },
        }
    }
}

/// Splits off and reads the front matter, if any.
fn parse(text: &str, origin: &str) -> Result<Template, PromptError> {
    let bad = |problem: String| PromptError::Bad {
        file: origin.to_owned(),
        problem,
    };
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n");
    let (params, body) = match text.strip_prefix("+++\n") {
        Some(rest) => {
            let (front, body) = if let Some(body) = rest.strip_prefix("+++") {
                ("", body)
            } else {
                let end = rest.find("\n+++").ok_or_else(|| {
                    bad("opens its front matter with +++ but never closes it".into())
                })?;
                (&rest[..end], &rest[end + 4..])
            };
            let params: Params = toml::from_str(front)
                .map_err(|e| bad(format!("has bad front matter ({})", e.message())))?;
            (params, body.trim_start_matches('\n'))
        }
        None => (Params::default(), text.as_str()),
    };
    let offset = text[..text.len() - body.len()].matches('\n').count();
    if let Some(t) = params.temperature
        && !(0.0..=2.0).contains(&t)
    {
        return Err(bad(format!("sets temperature = {t}; give 0 to 2")));
    }
    Ok(Template {
        origin: origin.to_owned(),
        params,
        body: body.to_owned(),
        offset,
    })
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    use super::*;

    #[test]
    fn front_matter_sets_the_turns_parameters() {
        let t = parse(
            "+++\ntemperature = 0.2\nmax_tokens = 99\n+++\nHello {{ name }}.\n",
            "x",
        )
        .unwrap();
        assert_eq!(
            t.params,
            Params {
                temperature: Some(0.2),
                max_tokens: Some(99)
            }
        );
        assert_eq!(t.body, "Hello {{ name }}.\n");
        assert_eq!(
            parse("No front matter.", "x").unwrap().params,
            Params::default()
        );
        // Windows line ends, and an empty front matter, are fine.
        let t = parse("+++\r\nmax_tokens = 5\r\n+++\r\nHi\r\n", "x").unwrap();
        assert_eq!((t.params.max_tokens, t.body.as_str()), (Some(5), "Hi\n"));
        assert_eq!(parse("+++\n+++\nHi", "x").unwrap().body, "Hi");
    }

    #[test]
    fn bad_front_matter_names_the_file_and_what_is_wrong() {
        for (text, want) in [
            ("+++\ntemperature = 0.2\nHello", "never closes it"),
            (
                "+++\ntemprature = 0.2\n+++\nHi",
                "bad front matter (unknown field `temprature`",
            ),
            (
                "+++\ntemperature = 7\n+++\nHi",
                "temperature = 7; give 0 to 2",
            ),
        ] {
            let err = parse(text, "/home/me/.config/focus/prompts/summary.md").unwrap_err();
            let message = err.to_string();
            assert!(message.contains("summary.md"), "{message}");
            assert!(message.contains(want), "{message}");
        }
    }

    #[test]
    fn a_variable_the_code_does_not_give_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("summary.md"), "Summarise {{ recrod }}.").unwrap();
        let prompts = Prompts::load(Some(dir.path())).unwrap();
        let err = prompts
            .render("summary", context! { record => "{}" })
            .unwrap_err()
            .to_string();
        assert!(err.contains("summary.md"), "{err}");
        assert!(err.contains("a variable focus does not give"), "{err}");
    }

    #[test]
    fn a_syntax_error_is_found_on_load_with_the_files_line() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("summary.md"),
            "+++\nmax_tokens = 9\n+++\nLine one.\n{% if record %}never closed\n",
        )
        .unwrap();
        let err = Prompts::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("summary.md has an error on line 5"), "{err}");
        assert!(err.contains("syntax error"), "{err}");
    }

    #[test]
    fn a_file_in_the_prompts_directory_replaces_the_built_in_one() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("system.md"),
            "+++\ntemperature = 0.9\n+++\nYou are terse.\n",
        )
        .unwrap();
        let prompts = Prompts::load(Some(dir.path())).unwrap();
        let system = prompts.render("system", context! {}).unwrap();
        assert_eq!(system.text, "You are terse.");
        assert_eq!(system.params.temperature, Some(0.9));
        // The others stay built in.
        let builtin = Prompts::builtin();
        let review = context! { figures => "f", comparison => "c", ideas => ["i"] };
        assert_eq!(
            prompts.render("review", &review).unwrap(),
            builtin.render("review", &review).unwrap()
        );
        assert!(Prompts::load(Some(&dir.path().join("missing"))).is_ok());
    }

    #[test]
    fn text_is_not_html_escaped() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("summary.md"), "{{ record }}").unwrap();
        let prompts = Prompts::load(Some(dir.path())).unwrap();
        let out = prompts
            .render("summary", context! { record => "<b> & \"q\"" })
            .unwrap();
        assert_eq!(out.text, "<b> & \"q\"");
    }
}
