//! Planning with a model: `/plan <words>` in the REPL.
//!
//! The planner drafts a plan from the person's words first. The model then gets the words and
//! the draft (`plan` template) and returns the plan as JSON: checkable goals for the blocks and
//! the session, the blocks in the draft's shape. Servers that can hold a model to a JSON schema
//! get one ([`plan_schema`]): the draft's blocks in order, each of its kind, work minutes
//! within a tenth of the draft's and never past the method's limit, breaks as drafted. The
//! reply is still untrusted text: [`read_plan`] reads it, repairs what can be repaired without
//! guessing, and otherwise names the problem for one retry ([`retry_request`]); a second
//! unusable reply leaves focus's own plan, with the reason in the person's words
//! ([`Unusable`]). What comes out is a real [`Plan`], for the person to confirm.
//!
//! The person's words stay theirs: the task is always the draft's, and a session goal the
//! model proposes where they gave none is a suggestion ([`Proposal::suggested_goal`]), never
//! set. Block goals are the model's to sharpen.
//!
//! What [`read_plan`] checks and repairs, in this order:
//! - the reply holds a JSON object with `blocks`, a non-empty array; every block has `kind`
//!   "work" or "break" and `minutes`, a whole number from 1 to 720; one block at least is work;
//!   no work block breaks the workflow's rule of a break within 90 minutes of work (120 for
//!   deep work; see `hard_limit`). Each is an error: a block over the limit is not split,
//!   since where the break's minutes should come from is the model's call. A block longer
//!   than the method's usual (see `work_limit`) but within the rule stays, with a note.
//! - Two breaks in a row become one break.
//! - A break before the first work block goes into that block.
//! - Two work blocks in a row get a break between them (the draft's break length), taken from
//!   the second block when that leaves it 5 minutes or more; otherwise they become one block.
//! - Minutes that do not add up to the draft's total: when they miss it by at most 15 % (or 5
//!   minutes), the work blocks are scaled together to fit (the breaks stay), as long as every
//!   block stays between 5 minutes and the method's limit; otherwise it is an error.
//!
//! A repair that would make a work block break the rule is an error instead; scaling never
//! takes a block past the method's usual length.
//! The blocks go to the planner as a stack (which the planner labels `stacked`); the plan's
//! method is then set back to the draft's, whose rules the blocks were checked against.
//! A break of 15 minutes or more becomes a long break; work blocks carry no step names (a
//! stacked draft's names are not carried over, since the model may reorder the steps).

use minijinja::context;
use serde_json::{Map, Value, json};

use super::prompts::{PromptError, Prompts};
use super::{reflection, turn};
use crate::llm::Request;
use crate::session::duration::{MAX_MINUTES, format_minutes};
use crate::session::plan::{self, tidy};
use crate::session::{BlockKind, Method, Plan, PlanRequest, Rhythms, Step};
use crate::text;

/// The longest task or goal kept from the model, in characters.
const TEXT_CHARS: usize = 200;
/// The shortest work block a repair may leave.
const MIN_WORK: u32 = 5;
/// How far (in percent of the draft's total) the blocks may miss it and still be scaled to
/// fit.
const MAX_TOTAL_OFF_PERCENT: u32 = 15;
/// How far a block may stray from the draft's block at its place under the schema, in tenths
/// of its length.
const SCHEMA_SLACK_TENTHS: u32 = 1;
/// A break this long or longer is a long break (with a walk or a snack to suggest).
const LONG_BREAK: u32 = 15;
/// The break put between two work blocks when the draft has none to copy.
const DEFAULT_BREAK: u32 = 5;
/// How many `{` in a reply are tried as the start of the plan's object.
const MAX_OBJECT_TRIES: usize = 64;

/// Why the model's reply cannot be used: what the model is told when asked again, and what
/// the person is told when the second reply fails too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable {
    /// The problem and what to do instead, for the model's retry.
    pub for_model: String,
    /// The problem in the person's terms (no JSON paths, no instructions to the model).
    pub for_person: String,
}

impl Unusable {
    /// A reply that is not a plan in the asked shape: the person needs no details.
    fn form(for_model: impl Into<String>) -> Self {
        Unusable {
            for_model: for_model.into(),
            for_person: "its reply was not a plan focus could read".to_owned(),
        }
    }

    /// A plan that breaks the workflow's rules or the draft's length.
    fn rule(for_person: impl Into<String>, for_model: impl Into<String>) -> Self {
        Unusable {
            for_model: for_model.into(),
            for_person: for_person.into(),
        }
    }
}

/// A plan the model proposed, checked and repaired, for the person to confirm.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub plan: Plan,
    /// What focus changed in the model's plan, one short sentence each, for the person.
    pub repairs: Vec<String>,
    /// A session goal the model proposes where the person gave none: offered, never set.
    pub suggested_goal: Option<String>,
}

/// The request for a plan as JSON (`plan` template): the person's words, the draft the
/// planner made from them, and the method's rules.
pub fn plan_request(prompts: &Prompts, said: &str, draft: &Plan) -> Result<Request, PromptError> {
    let mut request = turn(
        prompts,
        "plan",
        context! {
            said => text::sanitize(said).trim(),
            method => draft.method.name(),
            total_minutes => draft.total_minutes,
            rules => rules(draft),
            draft => draft_json(draft),
        },
    )?;
    request.response_format = Some(plan_schema(draft));
    Ok(request)
}

/// The plan's shape as a JSON schema for servers that hold a model to one (`OpenAI`,
/// llama.cpp, vLLM, Ollama, LM Studio): the draft's blocks in order, each of its kind; a work
/// block's minutes up to a tenth under the draft's and never past the method's longest block,
/// a break's exactly the draft's; a goal (or null) for each work block, and the session's goal
/// (or null). A model held to it cannot break the workflow's rules, and misses the total by a
/// tenth at most, which [`read_plan`] spreads back; it words the goals. No boolean
/// sub-schemas (`"items": false`): llama.cpp cannot make a grammar of them.
pub fn plan_schema(draft: &Plan) -> Value {
    let limit = work_limit(draft);
    let blocks: Vec<Value> = draft
        .blocks
        .iter()
        .map(|block| {
            // Work may move a little; a break is the method's and stays as drafted.
            let slack = if block.is_work() {
                (block.minutes * SCHEMA_SLACK_TENTHS / 10).max(1)
            } else {
                0
            };
            let low = block.minutes.saturating_sub(slack).max(1);
            let mut high = block.minutes + slack;
            if block.is_work()
                && let Some(limit) = limit
            {
                high = high.min(limit.max(block.minutes));
            }
            let (kind, goal) = if block.is_work() {
                (
                    "work",
                    json!({ "type": ["string", "null"], "maxLength": TEXT_CHARS }),
                )
            } else {
                ("break", json!({ "type": "null" }))
            };
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["kind", "minutes", "goal"],
                "properties": {
                    "kind": { "type": "string", "enum": [kind] },
                    "minutes": { "type": "integer", "minimum": low, "maximum": high },
                    "goal": goal,
                },
            })
        })
        .collect();
    let count = blocks.len();
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": "focus_plan",
            "strict": true,
            "schema": {
                "type": "object",
                "additionalProperties": false,
                "required": ["goal", "blocks"],
                "properties": {
                    "goal": { "type": ["string", "null"], "maxLength": TEXT_CHARS },
                    "blocks": {
                        "type": "array",
                        "prefixItems": blocks,
                        "minItems": count,
                        "maxItems": count,
                    },
                },
            },
        },
    })
}

/// The plan request once more, after a reply that [`read_plan`] refused: the reply and the
/// problem join the conversation, as for the reflection.
pub fn retry_request(first: &Request, reply: &str, problem: &str) -> Request {
    reflection::retry_request(first, reply, problem)
}

/// Reads the model's reply as a plan for the draft's time and method, repairing what is safe
/// to repair (see the module's documentation). The error says in one line what is wrong, once
/// for the model's retry and once for the person.
pub fn read_plan(reply: &str, draft: &Plan) -> Result<Proposal, Unusable> {
    let object = find_object(reply)?;
    // The task is the person's words: the model proposes, it does not rename. A goal they did
    // not give is offered, not set.
    let task = draft.task.clone();
    let proposed = text_field(object.get("goal"), "\"goal\"").map_err(Unusable::form)?;
    let (goal, suggested_goal) = match &draft.goal {
        Some(goal) => (Some(goal.clone()), None),
        None => (None, proposed),
    };
    let items = read_blocks(&object)?;
    let limit = work_limit(draft);
    let hard = hard_limit(draft);
    check_limit(&items, draft.method, limit, hard)?;
    let mut repairs = Vec::new();
    let items = merge_breaks(items, &mut repairs);
    let items = lead_with_work(items, hard, &mut repairs)?;
    let items = separate_work(items, break_length(draft), hard, &mut repairs)?;
    let items = fit_total(items, draft.total_minutes, limit, &mut repairs)?;
    note_long_blocks(&items, draft.method, limit, &mut repairs);
    let plan = build(task, goal, &items, draft)?;
    Ok(Proposal {
        plan,
        repairs,
        suggested_goal,
    })
}

/// The longest work block the draft's method allows: 25 minutes for micro and pomodoro, 120
/// for deep work, and for a custom rhythm the person's own length. Never less than the draft's
/// longest work block, so a configured rhythm still fits. `None` for a stacked chain, whose
/// lengths are the person's.
fn work_limit(draft: &Plan) -> Option<u32> {
    let method = match draft.method {
        Method::Micro | Method::Pomodoro => 25,
        Method::Deep => 120,
        Method::Custom => 0,
        Method::Stacked | Method::Auto => return None,
    };
    let drafted = draft.work_blocks().map(|b| b.minutes).max().unwrap_or(0);
    Some(method.max(drafted))
}

/// The method's rules in a sentence, for the model.
fn rules(draft: &Plan) -> String {
    let Some(limit) = work_limit(draft) else {
        return "the person's own chain of steps: keep its steps and their order, and change \
                lengths only when their words ask for it."
            .to_owned();
    };
    match draft.method {
        Method::Pomodoro => format!(
            "pomodoro: work blocks of at most {limit} minutes, each followed by a short break, \
             with a longer break after every few."
        ),
        Method::Micro => format!(
            "micro-sessions: short work blocks of 5 to {limit} minutes with short breaks \
             between them."
        ),
        Method::Deep => format!(
            "deep work: long work blocks of at most {limit} minutes, with breaks of about 10 \
             minutes between them."
        ),
        Method::Custom | Method::Stacked | Method::Auto => format!(
            "the person's own rhythm: work blocks of at most {limit} minutes, with breaks \
             between them."
        ),
    }
}

/// The draft in the shape the reply must have.
fn draft_json(draft: &Plan) -> String {
    let blocks: Vec<Value> = draft
        .blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Work { goal, .. } => {
                json!({ "kind": "work", "minutes": b.minutes, "goal": goal })
            }
            BlockKind::Break { .. } => json!({ "kind": "break", "minutes": b.minutes }),
        })
        .collect();
    format!(
        "{:#}",
        json!({ "task": draft.task, "goal": draft.goal, "blocks": blocks })
    )
}

/// The draft's first break length, for a break focus has to add.
fn break_length(draft: &Plan) -> u32 {
    draft
        .blocks
        .iter()
        .find(|b| !b.is_work())
        .map_or(DEFAULT_BREAK, |b| b.minutes)
}

/// A block as the model gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Work { minutes: u32, goal: Option<String> },
    Break { minutes: u32 },
}

impl Item {
    fn minutes(&self) -> u32 {
        match self {
            Item::Work { minutes, .. } | Item::Break { minutes } => *minutes,
        }
    }

    fn is_work(&self) -> bool {
        matches!(self, Item::Work { .. })
    }
}

/// The first JSON object in the reply that has `blocks`, whatever surrounds it (a code fence,
/// a sentence before or after).
fn find_object(reply: &str) -> Result<Map<String, Value>, Unusable> {
    let mut first_error = None;
    for (at, _) in reply.match_indices('{').take(MAX_OBJECT_TRIES) {
        let mut values = serde_json::Deserializer::from_str(&reply[at..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(Value::Object(map))) if map.contains_key("blocks") => return Ok(map),
            Some(Err(e)) => {
                first_error.get_or_insert_with(|| e.to_string());
            }
            _ => {}
        }
    }
    Err(Unusable::form(match first_error {
        Some(e) => format!("it is not valid JSON ({e})"),
        None if reply.contains('{') => "\"blocks\" is missing; give the blocks as an array".into(),
        None => "it holds no JSON object".to_owned(),
    }))
}

/// A text field: a string (sanitized, on one line, capped) or null; blank is null.
fn text_field(value: Option<&Value>, name: &str) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let clean = tidy(&text::sanitize(s));
            Ok((!clean.is_empty()).then(|| text::truncate(&clean, TEXT_CHARS)))
        }
        Some(_) => Err(format!("{name} must be a string or null")),
    }
}

/// The blocks as given, each checked on its own; at least one is work.
fn read_blocks(object: &Map<String, Value>) -> Result<Vec<Item>, Unusable> {
    let Some(Value::Array(blocks)) = object.get("blocks") else {
        return Err(Unusable::form("\"blocks\" must be an array of blocks"));
    };
    if blocks.is_empty() {
        return Err(Unusable::form(
            "\"blocks\" is empty; give at least one work block",
        ));
    }
    let items = blocks
        .iter()
        .enumerate()
        .map(|(i, block)| read_block(i, block))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Unusable::form)?;
    if !items.iter().any(Item::is_work) {
        return Err(Unusable::rule(
            "it had breaks and no work",
            "there is no work block, only breaks",
        ));
    }
    Ok(items)
}

fn read_block(i: usize, block: &Value) -> Result<Item, String> {
    let Value::Object(block) = block else {
        return Err(format!(
            "\"blocks\"[{i}] must be an object with \"kind\" and \"minutes\""
        ));
    };
    let minutes = match block.get("minutes") {
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|m| (1..=u64::from(MAX_MINUTES)).contains(m))
            .map(|m| m as u32),
        _ => None,
    }
    .ok_or_else(|| {
        format!("\"blocks\"[{i}].minutes must be a whole number of minutes from 1 to {MAX_MINUTES}")
    })?;
    let kind = match block.get("kind") {
        Some(Value::String(kind)) => kind.trim().to_lowercase(),
        _ => String::new(),
    };
    match kind.as_str() {
        "work" => Ok(Item::Work {
            minutes,
            goal: text_field(block.get("goal"), &format!("\"blocks\"[{i}].goal"))?,
        }),
        "break" => Ok(Item::Break { minutes }),
        _ => Err(format!(
            "\"blocks\"[{i}].kind must be \"work\" or \"break\""
        )),
    }
}

/// The longest work block the workflow allows without a break: 120 minutes for deep work, 90
/// for the rest (or the draft's own longest block, if longer). `None` for a stacked chain.
fn hard_limit(draft: &Plan) -> Option<u32> {
    let rule = if draft.method == Method::Deep {
        120
    } else {
        90
    };
    work_limit(draft).map(|limit| limit.max(rule))
}

/// Refuses a work block that breaks the workflow's rule, naming it as the model gave it.
fn check_limit(
    items: &[Item],
    method: Method,
    usual: Option<u32>,
    hard: Option<u32>,
) -> Result<(), Unusable> {
    let (Some(usual), Some(hard)) = (usual, hard) else {
        return Ok(());
    };
    let Some(i) = items.iter().position(|b| b.is_work() && b.minutes() > hard) else {
        return Ok(());
    };
    let minutes = items[i].minutes();
    Err(Unusable::rule(
        format!(
            "it had a {minutes}-minute work block, and {hard} minutes is the most without a break"
        ),
        format!(
            "\"blocks\"[{i}] is a {minutes}-minute work block, but {method} work blocks last at \
             most {usual} minutes; split it with a break or shorten it"
        ),
    ))
}

/// Notes each work block longer than the method's usual: it stays, and the person knows.
fn note_long_blocks(items: &[Item], method: Method, usual: Option<u32>, repairs: &mut Vec<String>) {
    let Some(usual) = usual else {
        return;
    };
    for item in items.iter().filter(|b| b.is_work() && b.minutes() > usual) {
        repairs.push(format!(
            "The coach's {}-minute work block is longer than {method}'s usual {}; it stays as \
             planned.",
            item.minutes(),
            format_minutes(usual)
        ));
    }
}

/// Two (or more) breaks in a row become one.
fn merge_breaks(items: Vec<Item>, repairs: &mut Vec<String>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    for item in items {
        if let (Some(Item::Break { minutes }), Item::Break { minutes: more }) =
            (out.last_mut(), &item)
        {
            *minutes += more;
            repairs.push(format!(
                "Two breaks in a row became one break of {}.",
                format_minutes(*minutes)
            ));
        } else {
            out.push(item);
        }
    }
    out
}

/// A break before the first work block goes into it (after [`merge_breaks`], there is one
/// such break at most).
fn lead_with_work(
    mut items: Vec<Item>,
    limit: Option<u32>,
    repairs: &mut Vec<String>,
) -> Result<Vec<Item>, Unusable> {
    let Some(Item::Break { minutes: lead }) = items.first() else {
        return Ok(items);
    };
    let lead = *lead;
    items.remove(0);
    if let Some(Item::Work { minutes, .. }) = items.iter_mut().find(|b| b.is_work()) {
        *minutes += lead;
        if limit.is_some_and(|limit| *minutes > limit) {
            return Err(Unusable::rule(
                "it started with a break",
                "the plan starts with a break; start with a work block",
            ));
        }
    }
    repairs.push(format!(
        "The plan began with a break; its {} went to the first work block.",
        format_minutes(lead)
    ));
    Ok(items)
}

/// Two work blocks in a row get a break of `pause` minutes out of the second, or become one
/// block when the second is too short to give it.
fn separate_work(
    items: Vec<Item>,
    pause: u32,
    limit: Option<u32>,
    repairs: &mut Vec<String>,
) -> Result<Vec<Item>, Unusable> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    for item in items {
        let (
            Some(Item::Work {
                minutes: before,
                goal: first,
            }),
            Item::Work { minutes, goal },
        ) = (out.last_mut(), &item)
        else {
            out.push(item);
            continue;
        };
        if *minutes >= pause + MIN_WORK {
            let second = Item::Work {
                minutes: minutes - pause,
                goal: goal.clone(),
            };
            out.push(Item::Break { minutes: pause });
            out.push(second);
            repairs.push(format!(
                "Two work blocks had no break between them; a {} break now comes out of the second.",
                format_minutes(pause)
            ));
            continue;
        }
        *before += minutes;
        if limit.is_some_and(|limit| *before > limit) {
            return Err(Unusable::rule(
                "two of its work blocks had no break between them",
                "two work blocks follow each other with no break between them; put a break \
                 between them",
            ));
        }
        *first = join_goals(first.take(), goal.clone());
        repairs.push(format!(
            "Two work blocks had no break between them and were too short to give one; they \
             became one block of {}.",
            format_minutes(*before)
        ));
    }
    Ok(out)
}

/// The goals of two blocks that became one.
fn join_goals(first: Option<String>, second: Option<String>) -> Option<String> {
    match (first, second) {
        (Some(a), Some(b)) => Some(format!("{a}, then {b}")),
        (a, b) => a.or(b),
    }
}

/// Makes the minutes add up to `total` by scaling the work blocks together, when they miss
/// it by at most [`MAX_TOTAL_OFF_PERCENT`] (or [`MIN_WORK`] minutes) and every block stays
/// between [`MIN_WORK`] minutes and the method's limit.
fn fit_total(
    items: Vec<Item>,
    total: u32,
    limit: Option<u32>,
    repairs: &mut Vec<String>,
) -> Result<Vec<Item>, Unusable> {
    let sum: u32 = items.iter().map(Item::minutes).sum();
    if sum == total {
        return Ok(items);
    }
    let problem = || {
        Unusable::rule(
            format!("its blocks added up to {sum} minutes, not {total}"),
            format!("the blocks add up to {sum} minutes, not {total}; make them add up to {total}"),
        )
    };
    let allowed = (total * MAX_TOTAL_OFF_PERCENT / 100).max(MIN_WORK);
    if sum.abs_diff(total) > allowed {
        return Err(problem());
    }
    // The breaks stay; the difference is spread over the work blocks a minute at a time,
    // each to the block with the most room (the shortest when lengthening, the longest when
    // shortening), so they stay even and within the method's limit.
    let mut items = items;
    let breaks: u32 = items
        .iter()
        .filter(|b| !b.is_work())
        .map(Item::minutes)
        .sum();
    let work = sum - breaks;
    let target = total.checked_sub(breaks).ok_or_else(problem)?;
    let floor = MIN_WORK.min(total);
    let mut now = work;
    while now != target {
        let lengthen = now < target;
        let pick = items
            .iter_mut()
            .filter_map(|item| match item {
                Item::Work { minutes, .. } => Some(minutes),
                Item::Break { .. } => None,
            })
            .filter(|m| {
                if lengthen {
                    limit.is_none_or(|limit| **m < limit)
                } else {
                    **m > floor
                }
            })
            .min_by_key(|m| if lengthen { **m } else { u32::MAX - **m });
        let Some(minutes) = pick else {
            return Err(problem());
        };
        if lengthen {
            *minutes += 1;
            now += 1;
        } else {
            *minutes -= 1;
            now -= 1;
        }
    }
    repairs.push(format!(
        "The work blocks were {} from {} to {} in all so the plan fills its {} exactly.",
        if work < target {
            "lengthened"
        } else {
            "shortened"
        },
        format_minutes(work),
        format_minutes(target),
        format_minutes(total)
    ));
    Ok(items)
}

/// The checked blocks as a plan from the planner, starting when the draft does, with the
/// draft's method.
fn build(
    task: String,
    goal: Option<String>,
    items: &[Item],
    draft: &Plan,
) -> Result<Plan, Unusable> {
    let stack = items
        .iter()
        .map(|item| match item {
            Item::Work { minutes, .. } => Step::Work {
                label: String::new(),
                minutes: *minutes,
            },
            Item::Break { minutes } => Step::Break {
                minutes: *minutes,
                long: *minutes >= LONG_BREAK,
            },
        })
        .collect();
    let block_goals = items
        .iter()
        .filter_map(|item| match item {
            Item::Work { goal, .. } => Some(goal.clone().unwrap_or_default()),
            Item::Break { .. } => None,
        })
        .collect();
    let request = PlanRequest {
        task,
        goal,
        block_goals,
        method: Method::Stacked,
        minutes: Some(draft.total_minutes),
        blocks: None,
        stack: Some(stack),
        work: None,
        break_minutes: None,
        start: draft.start,
    };
    let mut plan = plan::plan(&request, &Rhythms::default()).map_err(|e| {
        Unusable::rule(
            format!("focus cannot plan it: {e}"),
            format!("focus cannot plan it: {e}"),
        )
    })?;
    plan.method = draft.method;
    plan.auto = draft.auto;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, FixedOffset, TimeZone};

    use super::*;
    use crate::session::PomodoroRhythm;
    use crate::session::plan::NoteKind;

    fn at(h: u32, m: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, h, m, 0)
            .unwrap()
    }

    fn request(method: Method, minutes: u32) -> PlanRequest {
        PlanRequest {
            task: "Write the report".into(),
            goal: Some("3 pages".into()),
            block_goals: Vec::new(),
            method,
            minutes: Some(minutes),
            blocks: None,
            stack: None,
            work: None,
            break_minutes: None,
            start: at(9, 0),
        }
    }

    fn draft(method: Method, minutes: u32) -> Plan {
        plan::plan(&request(method, minutes), &Rhythms::default()).unwrap()
    }

    /// A reply with these blocks: `W25` is 25 minutes of work, `B5` a 5-minute break.
    fn reply(shape: &str) -> String {
        let blocks: Vec<String> = shape
            .split_whitespace()
            .map(|b| {
                let (kind, minutes) = b.split_at(1);
                let kind = if kind == "W" { "work" } else { "break" };
                format!(r#"{{"kind": "{kind}", "minutes": {minutes}}}"#)
            })
            .collect();
        format!(
            r#"{{"task": "Write the report intro", "goal": "intro drafted", "blocks": [{}]}}"#,
            blocks.join(", ")
        )
    }

    /// The plan's blocks as `W25 B5 …` (`L` for a long break).
    fn shape(plan: &Plan) -> String {
        plan.blocks
            .iter()
            .map(|b| match b.kind {
                BlockKind::Work { .. } => format!("W{}", b.minutes),
                BlockKind::Break { long: true, .. } => format!("L{}", b.minutes),
                BlockKind::Break { long: false, .. } => format!("B{}", b.minutes),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn goals(plan: &Plan) -> Vec<Option<&str>> {
        plan.work_blocks()
            .map(|b| match &b.kind {
                BlockKind::Work { goal, .. } => goal.as_deref(),
                BlockKind::Break { .. } => unreachable!("work blocks only"),
            })
            .collect()
    }

    fn read(reply: &str, draft: &Plan) -> Proposal {
        read_plan(reply, draft).unwrap_or_else(|e| panic!("{reply}: {}", e.for_model))
    }

    const GOOD: &str = r#"{"task": "Write the report intro", "goal": "intro drafted",
        "blocks": [
            {"kind": "work", "minutes": 25, "goal": "outline the 3 sections"},
            {"kind": "break", "minutes": 5},
            {"kind": "work", "minutes": 25, "goal": "draft section 1"},
            {"kind": "break", "minutes": 5}
        ]}"#;

    #[test]
    fn a_valid_reply_becomes_the_plan() {
        let draft = draft(Method::Pomodoro, 60);
        let p = read(GOOD, &draft);
        assert!(p.repairs.is_empty(), "{:?}", p.repairs);
        let plan = p.plan;
        assert_eq!(shape(&plan), "W25 B5 W25 B5");
        assert_eq!(
            goals(&plan),
            [Some("outline the 3 sections"), Some("draft section 1")]
        );
        // The person's task and goal stand; the model's "task" is not read.
        assert_eq!(plan.task, "Write the report");
        assert_eq!(plan.goal.as_deref(), Some("3 pages"));
        assert_eq!(p.suggested_goal, None, "they gave a goal");
        assert_eq!(plan.method, Method::Pomodoro, "the draft's method is kept");
        let times: Vec<String> = plan
            .blocks
            .iter()
            .map(|b| format!("{}-{}", b.start.format("%H:%M"), b.end.format("%H:%M")))
            .collect();
        assert_eq!(
            times,
            ["09:00-09:25", "09:25-09:30", "09:30-09:55", "09:55-10:00"]
        );
        assert_eq!((plan.start, plan.end), (draft.start, draft.end));
        assert_eq!((plan.focus_minutes, plan.break_minutes), (50, 10));
    }

    #[test]
    fn a_fence_and_prose_around_the_object_are_fine() {
        let draft = draft(Method::Pomodoro, 60);
        let want = read(GOOD, &draft);
        for reply in [
            format!("```json\n{GOOD}\n```"),
            format!("Here is the plan {{as asked}}:\n```\n{GOOD}\n```\nGood luck!"),
            format!("Plan: {GOOD} Hope it helps."),
        ] {
            assert_eq!(read(&reply, &draft), want, "{reply}");
        }
    }

    #[test]
    fn the_drafts_own_json_reads_back_as_the_draft() {
        for (method, minutes) in [
            (Method::Pomodoro, 90),
            (Method::Pomodoro, 180),
            (Method::Micro, 40),
            (Method::Deep, 120),
            (Method::Deep, 240),
            (Method::Custom, 100),
        ] {
            let draft = draft(method, minutes);
            let p = read(&draft_json(&draft), &draft);
            assert!(p.repairs.is_empty(), "{method} {minutes}: {:?}", p.repairs);
            let minutes = |plan: &Plan| plan.blocks.iter().map(|b| b.minutes).collect::<Vec<_>>();
            assert_eq!(minutes(&p.plan), minutes(&draft), "{method}");
            assert_eq!(goals(&p.plan), goals(&draft), "{method}");
        }
    }

    #[test]
    fn each_repair_is_made_and_said() {
        for (method, minutes, given, want, said) in [
            (
                Method::Deep,
                120,
                "W55 B5 B5 W55",
                "W55 B10 W55",
                "Two breaks in a row became one break of 10m.",
            ),
            (
                Method::Deep,
                120,
                "B10 W50 B10 W50",
                "W60 B10 W50",
                "The plan began with a break; its 10m went to the first work block.",
            ),
            (
                Method::Pomodoro,
                60,
                "W25 W25 B10",
                "W25 B5 W20 B10",
                "Two work blocks had no break between them; a 5m break now comes out of the second.",
            ),
            (
                Method::Micro,
                20,
                "W12 W3 B5",
                "W15 B5",
                "Two work blocks had no break between them and were too short to give one; \
                 they became one block of 15m.",
            ),
            (
                Method::Pomodoro,
                60,
                "W25 B5 W20 B5",
                "W25 B5 W25 B5",
                "The work blocks were lengthened from 45m to 50m in all so the plan fills its 1h exactly.",
            ),
            (
                Method::Pomodoro,
                60,
                "W25 B5 W25 B10",
                "W22 B5 W23 B10",
                "The work blocks were shortened from 50m to 45m in all so the plan fills its 1h exactly.",
            ),
            (
                Method::Deep,
                120,
                "W50 B10 W50",
                "W55 B10 W55",
                "The work blocks were lengthened from 1h 40m to 1h 50m in all so the plan fills its 2h exactly.",
            ),
        ] {
            let draft = draft(method, minutes);
            let p = read(&reply(given), &draft);
            assert_eq!(shape(&p.plan), want, "{given}");
            assert_eq!(p.repairs, [said], "{given}");
            assert_eq!(p.plan.total_minutes, minutes);
            assert_eq!(p.plan.end, draft.end);
        }
    }

    #[test]
    fn repairs_keep_the_goals_where_they_belong() {
        let pomodoro = draft(Method::Pomodoro, 60);
        let split = r#"{"task": "t", "blocks": [{"kind": "work", "minutes": 25, "goal": "a"},
            {"kind": "work", "minutes": 30, "goal": "b"}, {"kind": "break", "minutes": 5}]}"#;
        // The 30-minute block gives the missing break and is a pomodoro again.
        let p = read(split, &pomodoro);
        assert_eq!(shape(&p.plan), "W25 B5 W25 B5");
        assert_eq!(goals(&p.plan), [Some("a"), Some("b")]);
        let split = split
            .replace("30", "25")
            .replace("\"minutes\": 5}", "\"minutes\": 10}");
        assert_eq!(goals(&read(&split, &pomodoro).plan), [Some("a"), Some("b")]);

        let micro = draft(Method::Micro, 20);
        let merged = r#"{"task": "t", "blocks": [{"kind": "work", "minutes": 12, "goal": "a"},
            {"kind": "work", "minutes": 3, "goal": "b"}, {"kind": "break", "minutes": 5}]}"#;
        assert_eq!(goals(&read(merged, &micro).plan), [Some("a, then b")]);
    }

    #[test]
    fn each_unusable_reply_says_what_is_wrong() {
        let pomodoro = draft(Method::Pomodoro, 60);
        for (reply, want) in [
            ("Sure, let's plan it!".to_owned(), "it holds no JSON object"),
            ("[1, 2]".to_owned(), "it holds no JSON object"),
            (r#"{"task": "x"}"#.to_owned(), "\"blocks\" is missing"),
            (
                r#"{"blocks": [{"kind": "work", "minutes": 25},]}"#.to_owned(),
                "it is not valid JSON (",
            ),
            (
                r#"{"blocks": {}}"#.to_owned(),
                "\"blocks\" must be an array",
            ),
            (r#"{"blocks": []}"#.to_owned(), "\"blocks\" is empty"),
            (
                r#"{"blocks": [25]}"#.to_owned(),
                "\"blocks\"[0] must be an object",
            ),
            (
                r#"{"blocks": [{"kind": "nap", "minutes": 60}]}"#.to_owned(),
                "\"blocks\"[0].kind must be \"work\" or \"break\"",
            ),
            (
                r#"{"blocks": [{"minutes": 60}]}"#.to_owned(),
                "\"blocks\"[0].kind must be",
            ),
            (
                reply("W25 B5 W0 B5"),
                "\"blocks\"[2].minutes must be a whole number",
            ),
            (
                r#"{"blocks": [{"kind": "work", "minutes": 2.5}]}"#.to_owned(),
                "\"blocks\"[0].minutes must be",
            ),
            (
                r#"{"blocks": [{"kind": "work", "minutes": "25"}]}"#.to_owned(),
                "\"blocks\"[0].minutes must be",
            ),
            (
                r#"{"blocks": [{"kind": "work", "minutes": 99999999999}]}"#.to_owned(),
                "\"blocks\"[0].minutes must be",
            ),
            (reply("B30 B30"), "there is no work block, only breaks"),
            (
                reply("W25 B5"),
                "the blocks add up to 30 minutes, not 60; make them add up to 60",
            ),
            // Shortening the last block to fit would leave it under 5 minutes.
            (reply("W25 B5 W25 B5 W5 B5"), "add up to 70 minutes, not 60"),
            // Lengthening it to fit would take it over 25 minutes.
            (reply("W25 B5 W25"), "add up to 55 minutes, not 60"),
            (
                r#"{"goal": 3, "blocks": [{"kind": "work", "minutes": 25}]}"#.to_owned(),
                "\"goal\" must be a string or null",
            ),
            (
                r#"{"blocks": [{"kind": "work", "minutes": 25, "goal": {}}]}"#.to_owned(),
                "\"blocks\"[0].goal must be a string or null",
            ),
        ] {
            let err = read_plan(&reply, &pomodoro).unwrap_err();
            assert!(err.for_model.contains(want), "{reply}: {err:?}");
            assert!(!err.for_model.contains('\n'), "one line: {err:?}");
            // The person reads what went wrong, with no JSON and no instructions to the model.
            let person = &err.for_person;
            assert!(
                !person.contains("\"blocks\"") && !person.contains(';') && !person.contains('\n'),
                "{reply}: {person}"
            );
        }
        assert_eq!(
            read_plan(&reply("W25 B5"), &pomodoro)
                .unwrap_err()
                .for_person,
            "its blocks added up to 30 minutes, not 60"
        );
        // The work blocks share up to 15 % of the session's length, even within the method's
        // limit: 18 minutes of 120.
        let deep = draft(Method::Deep, 120);
        assert!(read_plan(&reply("W55 B10 W37"), &deep).is_ok());
        let err = read_plan(&reply("W55 B10 W36"), &deep)
            .unwrap_err()
            .for_model;
        assert!(err.contains("add up to 101 minutes, not 120"), "{err}");
        // Two work blocks too short to separate, merged past 90 minutes without a break.
        let err = read_plan(&reply("W85 W8 B5 W22"), &draft(Method::Micro, 120))
            .unwrap_err()
            .for_model;
        assert!(err.contains("no break between them"), "{err}");
    }

    #[test]
    fn work_blocks_keep_to_the_workflows_rule_and_longer_than_usual_ones_stay() {
        let over = |method, minutes, given: &str| read_plan(&reply(given), &draft(method, minutes));
        // Longer than the method's usual: kept, and the person is told.
        let p = over(Method::Micro, 60, "W30 B5 W20 B5").unwrap();
        assert_eq!(shape(&p.plan), "W30 B5 W20 B5");
        assert_eq!(
            p.repairs,
            [
                "The coach's 30-minute work block is longer than micro's usual 25m; it stays as planned."
            ]
        );
        assert!(
            over(Method::Micro, 60, "W25 B5 W25 B5")
                .unwrap()
                .repairs
                .is_empty()
        );
        assert!(over(Method::Pomodoro, 60, "W25 B5 W30").is_ok());
        assert!(over(Method::Custom, 100, "W50 B10 W40").is_ok());
        // Past the rule (90 minutes without a break, 120 for deep work): refused.
        let err = over(Method::Deep, 240, "W150 B15 W75").unwrap_err();
        assert!(
            err.for_model
                .contains("deep work blocks last at most 120 minutes"),
            "{err:?}"
        );
        assert_eq!(
            err.for_person,
            "it had a 150-minute work block, and 120 minutes is the most without a break"
        );
        assert!(over(Method::Deep, 240, "W120 B15 W105").is_ok());
        assert!(over(Method::Pomodoro, 100, "W95 B5").is_err());
        assert!(over(Method::Custom, 100, "W90 B10").is_ok());

        // A configured rhythm is the usual length.
        let rhythms = Rhythms {
            pomodoro: PomodoroRhythm {
                work: 50,
                break_minutes: 10,
                ..PomodoroRhythm::default()
            },
            ..Rhythms::default()
        };
        let long = plan::plan(&request(Method::Pomodoro, 120), &rhythms).unwrap();
        assert!(
            read_plan(&reply("W50 B10 W50 B10"), &long)
                .unwrap()
                .repairs
                .is_empty()
        );
        assert_eq!(
            read_plan(&reply("W55 B5 W50 B10"), &long)
                .unwrap()
                .repairs
                .len(),
            1
        );

        // A stacked chain has no limit: its lengths are the person's.
        let mut chain = request(Method::Stacked, 150);
        chain.minutes = None;
        chain.stack = Some(crate::session::parse_stack("write 100, break 10, edit 40").unwrap());
        let chain = plan::plan(&chain, &Rhythms::default()).unwrap();
        let p = read(&reply("W140 B10"), &chain);
        assert_eq!(
            (shape(&p.plan), p.plan.method),
            ("W140 B10".into(), Method::Stacked)
        );
    }

    #[test]
    fn model_text_is_sanitized_capped_or_left_unset() {
        let mut request = request(Method::Pomodoro, 30);
        request.goal = None;
        let draft = plan::plan(&request, &Rhythms::default()).unwrap();
        let long = format!("\\u001b[31m{}\\u001b[0m", "x".repeat(500));
        let reply = format!(
            r#"{{"task": "Another task", "goal": "{long}",
              "blocks": [{{"kind": " Work ", "minutes": 25, "goal": "  "}}, {{"kind": "BREAK", "minutes": 5}}]}}"#
        );
        let p = read(&reply, &draft);
        assert_eq!(p.plan.task, draft.task, "the task is the person's");
        assert_eq!(p.plan.goal, None, "a goal they did not give is not set");
        let suggested = p.suggested_goal.expect("but offered");
        assert_eq!(suggested.chars().count(), TEXT_CHARS + 1, "cut, with …");
        assert!(!suggested.contains('\u{1b}'));
        // A blank block goal is not set.
        assert_eq!(goals(&p.plan), [None]);

        // A missing or blank goal is no suggestion.
        for goal in [r#""goal": "  ","#, ""] {
            let reply = format!(
                r#"{{{goal} "blocks": [{{"kind": "work", "minutes": 25}}, {{"kind": "break", "minutes": 5}}]}}"#
            );
            let p = read(&reply, &draft);
            assert_eq!(p.suggested_goal, None, "{reply}");
            assert!(p.plan.notes.iter().any(|n| n.kind == NoteKind::NoGoal));
        }
    }

    #[test]
    fn the_schema_holds_the_drafts_shape_and_the_methods_limits() {
        let draft = draft(Method::Pomodoro, 60);
        let format = plan_schema(&draft);
        assert_eq!(format["type"], "json_schema");
        let blocks = &format["json_schema"]["schema"]["properties"]["blocks"];
        assert_eq!(blocks["minItems"], 4);
        assert_eq!(blocks["maxItems"], 4);
        // llama.cpp turns the schema into a grammar and refuses `"items": false`.
        assert!(blocks.get("items").is_none());
        let first = &blocks["prefixItems"][0]["properties"];
        assert_eq!(first["kind"]["enum"], serde_json::json!(["work"]));
        // 25 minutes less a tenth at most, and never past pomodoro's 25; breaks as drafted.
        assert_eq!(
            (
                first["minutes"]["minimum"].as_u64(),
                first["minutes"]["maximum"].as_u64()
            ),
            (Some(23), Some(25))
        );
        let second = &blocks["prefixItems"][1]["properties"];
        assert_eq!(second["kind"]["enum"], serde_json::json!(["break"]));
        assert_eq!(
            (
                second["minutes"]["minimum"].as_u64(),
                second["minutes"]["maximum"].as_u64()
            ),
            (Some(5), Some(5))
        );
        // Every reply the schema allows reads back as a plan of the draft's length.
        let most = reply("W25 B5 W25 B5");
        let least = reply("W23 B5 W23 B5");
        for reply in [most, least] {
            let p = read(&reply, &draft);
            assert_eq!(p.plan.total_minutes, 60, "{reply}");
        }
    }

    #[test]
    fn a_break_of_fifteen_minutes_or_more_is_a_long_break() {
        let p = read(
            &reply("W25 B5 W25 B5 W25 B5 W25 B15"),
            &draft(Method::Pomodoro, 130),
        );
        assert_eq!(shape(&p.plan), "W25 B5 W25 B5 W25 B5 W25 L15");
    }

    #[test]
    fn the_template_renders_with_what_the_code_gives() {
        let prompts = Prompts::builtin();
        let draft = draft(Method::Pomodoro, 60);
        let request = plan_request(
            &prompts,
            "write the report intro\u{1b}[2J for an hour",
            &draft,
        )
        .unwrap();
        assert_eq!(request.temperature, Some(0.2));
        assert_eq!(request.max_tokens, Some(1500));
        let text = &request.messages[1].content;
        for want in [
            "write the report intro for an hour",
            "a pomodoro plan of 60 minutes",
            "\"task\": \"Write the report\"",
            "\"goal\": \"3 pages\"",
            "\"kind\": \"break\"",
            "work blocks of at most 25 minutes",
            "exactly 60",
        ] {
            assert!(text.contains(want), "{want} in:\n{text}");
        }
    }

    #[test]
    fn every_method_has_its_rules() {
        let chain = plan::plan(
            &PlanRequest {
                minutes: None,
                stack: Some(crate::session::parse_stack("write 20, break 5, edit 10").unwrap()),
                ..request(Method::Stacked, 0)
            },
            &Rhythms::default(),
        )
        .unwrap();
        for (draft, want) in [
            (draft(Method::Micro, 40), "5 to 25 minutes"),
            (draft(Method::Deep, 120), "at most 120 minutes"),
            (
                draft(Method::Custom, 100),
                "own rhythm: work blocks of at most 45",
            ),
            (chain, "own chain of steps"),
        ] {
            assert!(rules(&draft).contains(want), "{}", rules(&draft));
        }
    }

    #[test]
    fn a_retry_states_the_problem() {
        let prompts = Prompts::builtin();
        let first = plan_request(&prompts, "write", &draft(Method::Pomodoro, 30)).unwrap();
        let again = retry_request(&first, "not json", "it holds no JSON object");
        assert_eq!(again.messages.len(), first.messages.len() + 2);
        assert_eq!(again.messages[2].content, "not json");
        assert!(
            again.messages[3]
                .content
                .contains("it holds no JSON object")
        );
        assert_eq!(again.temperature, first.temperature);
    }
}
