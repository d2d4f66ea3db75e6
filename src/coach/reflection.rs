//! The reflection with a model: the conversation as the model reads it, the JSON it must
//! return, and how that JSON is checked and merged with the person's direct answers.
//!
//! The extraction is asked for with a JSON schema ([`extraction_schema`]) that servers able
//! to hold a model to one apply; a server that refuses it is asked without it (see
//! `llm::openai`). Either way, model output is untrusted: the JSON is validated field by
//! field (types, ranges, array lengths), and every answer the person gave directly wins over
//! the model's reading, so nothing they said is replaced. The model's value is used only where they skipped a
//! question but answered it elsewhere ("music helped, Slack did not" fills "distracted").

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use minijinja::context;

use super::offline::question_text;
use super::prompts::{PromptError, Prompts};
use super::turn;
use crate::llm::{Message, Request};
use crate::session::machine::Session;
use crate::session::reflection::{Achieved, Answers, Fate, Question, Turn};
use crate::store::log::Entry;
use crate::text;

/// The longest free-text field kept from the model, in characters.
const FIELD_CHARS: usize = 300;
/// The longest free-text field the schema lets a model write, in characters: the fields are
/// short phrases, and nine of them must fit in the reply's tokens.
const SCHEMA_FIELD_CHARS: usize = 160;
/// The longest summary kept, in characters.
const SUMMARY_CHARS: usize = 1200;

/// The session and the reflection conversation, for the extraction request.
pub fn transcript(session: &Session) -> String {
    let criteria = session.criteria();
    let parked: Vec<&str> = session.parked().collect();
    let mut out = format!("Task: {}\n", session.plan().task);
    if let Some(goal) = &session.plan().goal {
        let _ = writeln!(out, "Session goal: {goal}");
    }
    out.push_str("Success criteria (in order):\n");
    if criteria.is_empty() {
        out.push_str("  (none)\n");
    }
    for (i, c) in criteria.iter().enumerate() {
        let _ = writeln!(out, "  {}. {c}", i + 1);
    }
    out.push_str("Parked distractions (in order):\n");
    if parked.is_empty() {
        out.push_str("  (none)\n");
    }
    for (i, p) in parked.iter().enumerate() {
        let _ = writeln!(out, "  {}. {p}", i + 1);
    }
    out.push_str("\nThe reflection:\n");
    for turn in session.reflection_turns() {
        let (question, answer) = match turn {
            Turn::Answered(q, text) if text.is_empty() => (*q, "(skipped)".to_owned()),
            Turn::Answered(q, text) => (*q, text.clone()),
            Turn::Unclear(q, text) => (*q, format!("{text} (could not be read; asked again)")),
            Turn::Skipped(q) => (*q, "(skipped)".to_owned()),
        };
        let item = match question {
            Question::Parked(n) => parked.get(n).copied(),
            _ => None,
        };
        let asked = question_text(question, &criteria, parked.len() as u32, item);
        let _ = writeln!(out, "Q: {asked}\nA: {answer}");
    }
    out
}

/// The request for the coach's short reply to the answer just given
/// (`reflection-reply` template).
pub fn reply_request(prompts: &Prompts, session: &Session) -> Result<Request, PromptError> {
    turn(
        prompts,
        "reflection-reply",
        context! { transcript => transcript(session).trim_end() },
    )
}

/// Whether the coach replies to this turn: a free-text answer that says something.
pub fn worth_a_reply(turn: &Turn) -> bool {
    matches!(turn, Turn::Answered(question, text) if question.is_free_text() && !text.is_empty())
}

/// The request that asks for the record's fields as JSON (`reflection` template), held to
/// [`extraction_schema`] where the server can.
pub fn extraction_request(prompts: &Prompts, session: &Session) -> Result<Request, PromptError> {
    let mut request = turn(
        prompts,
        "reflection",
        context! { transcript => transcript(session).trim_end() },
    )?;
    let criteria = session.criteria().len();
    let parked = session.parked().count();
    request.response_format = Some(extraction_schema(criteria, parked));
    Ok(request)
}

/// The record's fields as a JSON schema, for servers that hold a model to one: every key
/// present, each of its type or null, the outcome and the parked items' fates as enums, the
/// energy from 1 to 5, and one entry per criterion and per parked item. A model held to it
/// gives what [`parse_extraction`] reads; the reply is still checked, as for any server.
pub fn extraction_schema(criteria: usize, parked: usize) -> Value {
    let text = || json!({ "type": ["string", "null"], "maxLength": SCHEMA_FIELD_CHARS });
    let either = |value: Value| json!({ "anyOf": [value, { "type": "null" }] });
    let list = |item: Value, n: usize| json!({ "type": "array", "items": item, "minItems": n, "maxItems": n });
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": "focus_reflection",
            "strict": true,
            "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "outcome", "criteria", "helped", "distracted", "improve", "energy",
                    "stopped", "next_step", "parked"
                ],
                "properties": {
                    "outcome": either(json!({ "type": "string", "enum": ["yes", "partly", "no"] })),
                    "criteria": list(json!({ "type": ["boolean", "null"] }), criteria),
                    "helped": text(),
                    "distracted": text(),
                    "improve": text(),
                    "energy": either(json!({ "type": "integer", "minimum": 1, "maximum": 5 })),
                    "stopped": text(),
                    "next_step": text(),
                    "parked": list(
                        either(json!({ "type": "string", "enum": ["keep", "drop", "pattern"] })),
                        parked
                    ),
                },
            },
        },
    })
}

/// The same request once more, after a reply that did not validate.
pub fn retry_request(first: &Request, reply: &str, problem: &str) -> Request {
    let mut messages = first.messages.clone();
    messages.push(Message::assistant(reply));
    messages.push(Message::user(format!(
        "That reply could not be used: {problem}. Reply again with the JSON object only, keys as described."
    )));
    Request {
        messages,
        ..first.clone()
    }
}

/// Reads the model's reply as the record's fields (`skipped` stays empty: the model says
/// nothing about it), or says what is wrong with the reply.
pub fn parse_extraction(reply: &str, criteria: usize, parked: usize) -> Result<Answers, String> {
    let body = unfence(reply);
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("it is not a JSON object ({e})"))?;
    let Value::Object(map) = value else {
        return Err("it is JSON but not an object".to_owned());
    };
    let outcome = match map.get("outcome") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(match s.trim().to_lowercase().as_str() {
            "yes" => Achieved::Yes,
            "partly" | "partially" => Achieved::Partly,
            "no" => Achieved::No,
            other => {
                return Err(format!(
                    "\"outcome\" is \"{other}\", not yes, partly, no or null"
                ));
            }
        }),
        Some(_) => return Err("\"outcome\" must be a string or null".to_owned()),
    };
    let energy = match map.get("energy") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(e @ 1..=5) => Some(e as u8),
            _ => return Err(format!("\"energy\" is {n}, not an integer from 1 to 5")),
        },
        Some(_) => return Err("\"energy\" must be an integer from 1 to 5, or null".to_owned()),
    };
    let criteria = list(&map, "criteria", criteria, |v| match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        _ => Err("true, false or null"),
    })?;
    let parked = list(&map, "parked", parked, |v| match v {
        Value::Null => Ok(None),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "keep" => Ok(Some(Fate::Keep)),
            "drop" => Ok(Some(Fate::Drop)),
            "pattern" => Ok(Some(Fate::Pattern)),
            _ => Err("\"keep\", \"drop\", \"pattern\" or null"),
        },
        _ => Err("\"keep\", \"drop\", \"pattern\" or null"),
    })?;
    Ok(Answers {
        achieved: outcome,
        criteria,
        helped: free(&map, "helped")?,
        distracted: free(&map, "distracted")?,
        improve: free(&map, "improve")?,
        energy,
        stopped: free(&map, "stopped")?,
        next_step: free(&map, "next_step")?,
        parked,
        skipped: Vec::new(),
    })
}

/// A reply wrapped in a Markdown code fence, unwrapped.
fn unfence(reply: &str) -> &str {
    let trimmed = reply.trim();
    let Some(inner) = trimmed.strip_prefix("```") else {
        return trimmed;
    };
    let inner = inner.strip_prefix("json").unwrap_or(inner);
    inner.strip_suffix("```").unwrap_or(inner).trim()
}

/// A free-text field: a string (sanitized, one line, capped) or null.
fn free(map: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let clean = one_line(s);
            Ok((!clean.is_empty()).then(|| text::truncate(&clean, FIELD_CHARS)))
        }
        Some(_) => Err(format!("\"{key}\" must be a string or null")),
    }
}

fn one_line(s: &str) -> String {
    text::sanitize(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An array of exactly `n` entries, each read by `item`. A missing key is all nulls.
fn list<T: Clone>(
    map: &Map<String, Value>,
    key: &str,
    n: usize,
    item: impl Fn(&Value) -> Result<Option<T>, &'static str>,
) -> Result<Vec<Option<T>>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(vec![None; n]),
        Some(Value::Array(values)) if values.len() == n => values
            .iter()
            .enumerate()
            .map(|(i, v)| item(v).map_err(|want| format!("\"{key}\"[{i}] must be {want}")))
            .collect(),
        Some(Value::Array(values)) => Err(format!(
            "\"{key}\" has {} entries; it needs exactly {n}, one per item in order",
            values.len()
        )),
        Some(_) => Err(format!("\"{key}\" must be an array")),
    }
}

/// The answers the record keeps: the person's direct answers win; the model fills what they
/// skipped but said elsewhere. A question ends up in `skipped` only if it has no value from
/// either.
pub fn merge(direct: &Answers, model: &Answers) -> Answers {
    let pick_free = |d: &Option<String>, m: &Option<String>| d.clone().or_else(|| m.clone());
    let criteria = direct
        .criteria
        .iter()
        .enumerate()
        .map(|(i, d)| d.or(model.criteria.get(i).copied().flatten()))
        .collect();
    let parked = direct
        .parked
        .iter()
        .enumerate()
        .map(|(i, d)| d.or(model.parked.get(i).copied().flatten()))
        .collect();
    let mut answers = Answers {
        achieved: direct.achieved.or(model.achieved),
        criteria,
        helped: pick_free(&direct.helped, &model.helped),
        distracted: pick_free(&direct.distracted, &model.distracted),
        improve: pick_free(&direct.improve, &model.improve),
        energy: direct.energy.or(model.energy),
        stopped: pick_free(&direct.stopped, &model.stopped),
        next_step: pick_free(&direct.next_step, &model.next_step),
        parked,
        skipped: Vec::new(),
    };
    answers.skipped = direct
        .skipped
        .iter()
        .copied()
        .filter(|q| !has_value(&answers, *q))
        .collect();
    answers
}

fn has_value(a: &Answers, question: Question) -> bool {
    match question {
        Question::Goal => a.achieved.is_some(),
        Question::Criteria => !a.criteria.is_empty() && a.criteria.iter().all(Option::is_some),
        Question::Helped => a.helped.is_some(),
        Question::Distracted => a.distracted.is_some(),
        Question::Improve => a.improve.is_some(),
        Question::Energy => a.energy.is_some(),
        Question::Stopped => a.stopped.is_some(),
        Question::NextStep => a.next_step.is_some(),
        Question::Parked(n) => a.parked.get(n).copied().flatten().is_some(),
    }
}

/// The request for the summary, given the record so far (`summary` template).
pub fn summary_request(prompts: &Prompts, entry: &Entry) -> Result<Request, PromptError> {
    let mut record = serde_json::to_value(entry).expect("entries serialize");
    if let Value::Object(map) = &mut record {
        for key in ["schema", "summary", "model", "usage", "plan", "time_scale"] {
            map.remove(key);
        }
    }
    turn(
        prompts,
        "summary",
        context! { record => record.to_string() },
    )
}

/// The model's summary as the log keeps it: sanitized prose on one paragraph, at most six
/// sentences; `None` when nothing usable is left.
pub fn tidy_summary(reply: &str) -> Option<String> {
    let clean = one_line(reply);
    if clean.is_empty() {
        return None;
    }
    let mut end = clean.len();
    let mut sentences = 0;
    for (i, c) in clean.char_indices() {
        if matches!(c, '.' | '!' | '?') && clean[i + 1..].starts_with(' ') {
            sentences += 1;
            if sentences == 6 {
                end = i + 1;
                break;
            }
        }
    }
    Some(text::truncate(&clean[..end], SUMMARY_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"outcome":"partly","criteria":[true,false],"helped":"quiet room",
        "distracted":"Slack","improve":null,"energy":3,"stopped":"tip 2","next_step":"finish tip 2",
        "parked":["keep"]}"#;

    #[test]
    fn a_valid_reply_is_read_field_by_field() {
        let x = parse_extraction(GOOD, 2, 1).unwrap();
        assert_eq!(x.achieved, Some(Achieved::Partly));
        assert_eq!(x.criteria, [Some(true), Some(false)]);
        assert_eq!(x.energy, Some(3));
        assert_eq!(x.improve, None);
        assert_eq!(x.parked, [Some(Fate::Keep)]);
        // A code fence around it is fine too.
        let fenced = format!("```json\n{GOOD}\n```");
        assert_eq!(parse_extraction(&fenced, 2, 1).unwrap(), x);
    }

    #[test]
    fn the_schema_asks_for_every_field_and_one_entry_per_item() {
        let format = extraction_schema(2, 3);
        let schema = &format["json_schema"]["schema"];
        assert_eq!(schema["required"].as_array().unwrap().len(), 9);
        assert_eq!(schema["properties"]["criteria"]["minItems"], 2);
        assert_eq!(schema["properties"]["criteria"]["maxItems"], 2);
        assert_eq!(schema["properties"]["parked"]["maxItems"], 3);
        // What the schema allows at its fullest reads back.
        let reply = r#"{"outcome": "partly", "criteria": [true, null], "helped": "music",
            "distracted": null, "improve": null, "energy": 5, "stopped": null,
            "next_step": "tests", "parked": ["keep", null, "pattern"]}"#;
        let answers = parse_extraction(reply, 2, 3).unwrap();
        assert_eq!(answers.achieved, Some(Achieved::Partly));
        assert_eq!(
            answers.parked,
            [Some(Fate::Keep), None, Some(Fate::Pattern)]
        );
    }

    #[test]
    fn an_invalid_reply_says_what_is_wrong() {
        for (reply, want) in [
            ("Sure! Here it is.", "not a JSON object"),
            ("[1,2]", "not an object"),
            (r#"{"outcome":"maybe"}"#, "\"outcome\" is \"maybe\""),
            (r#"{"energy":9}"#, "\"energy\" is 9"),
            (r#"{"energy":"high"}"#, "\"energy\" must be"),
            (
                r#"{"criteria":[true]}"#,
                "\"criteria\" has 1 entries; it needs exactly 2",
            ),
            (
                r#"{"criteria":[true,"yes"]}"#,
                "\"criteria\"[1] must be true, false or null",
            ),
            (r#"{"parked":["later"]}"#, "\"parked\"[0] must be"),
            (r#"{"helped":42}"#, "\"helped\" must be a string"),
        ] {
            let err = parse_extraction(reply, 2, 1).unwrap_err();
            assert!(err.contains(want), "{reply}: {err}");
        }
    }

    #[test]
    fn model_text_is_sanitized_and_capped() {
        let reply = format!(
            r#"{{"helped":"\u001b[31mred\u001b[0m\nmusic","stopped":"{}"}}"#,
            "x".repeat(1000)
        );
        let x = parse_extraction(&reply, 0, 0).unwrap();
        assert_eq!(x.helped.as_deref(), Some("red music"));
        assert_eq!(
            x.stopped.unwrap().chars().count(),
            FIELD_CHARS + 1,
            "cut, with …"
        );
    }

    #[test]
    fn direct_answers_win_and_the_model_fills_what_was_skipped() {
        let direct = Answers {
            achieved: Some(Achieved::Yes),
            criteria: vec![Some(true), Some(true)],
            helped: Some("music, and slack was closed".into()),
            energy: None,
            parked: vec![None],
            skipped: vec![Question::Distracted, Question::Energy, Question::Parked(0)],
            ..Answers::default()
        };
        let model = Answers {
            achieved: Some(Achieved::No),
            criteria: vec![Some(false), None],
            helped: Some("music".into()),
            distracted: Some("slack".into()),
            energy: None,
            parked: vec![Some(Fate::Drop)],
            ..Answers::default()
        };
        let merged = merge(&direct, &model);
        assert_eq!(merged.achieved, Some(Achieved::Yes));
        assert_eq!(merged.criteria, [Some(true), Some(true)]);
        assert_eq!(
            merged.helped.as_deref(),
            Some("music, and slack was closed")
        );
        assert_eq!(merged.distracted.as_deref(), Some("slack"));
        assert_eq!(merged.parked, [Some(Fate::Drop)]);
        assert_eq!(merged.skipped, [Question::Energy]);
    }

    #[test]
    fn a_summary_keeps_six_sentences_at_most() {
        let long = "One. Two! Three? Four. Five. Six. Seven. Eight.";
        assert_eq!(
            tidy_summary(long).unwrap(),
            "One. Two! Three? Four. Five. Six."
        );
        assert_eq!(tidy_summary("  \n "), None);
        assert_eq!(
            tidy_summary("Good work.\n\nNext: tip 3.").unwrap(),
            "Good work. Next: tip 3."
        );
    }
}
