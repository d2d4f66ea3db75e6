//! One Markdown note per finished session, in `log.notes_dir`: YAML front matter with the
//! structured fields (for tools that query a notes vault), then a body worth rereading.
//!
//! The front matter's values are written as JSON, which is valid YAML (flow style), so every
//! string is quoted and escaped the same way whatever the person typed.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::log::{Entry, Item};
use crate::session::format_minutes;
use crate::session::machine::Outcome;
use crate::session::reflection::Fate;

/// `2026-11-20-0930-write-the-report.md`
pub fn file_name(entry: &Entry) -> String {
    format!(
        "{}-{}.md",
        entry.start.format("%Y-%m-%d-%H%M"),
        slug(&entry.task)
    )
}

/// Lower-case words joined by `-`, at most 48 characters.
fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.chars().count() >= 48 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "session".to_owned()
    } else {
        slug.to_owned()
    }
}

/// Writes the note into `dir` (created if needed) under a name no other note has, whole or not
/// at all. Returns its path.
pub fn write(dir: &Path, entry: &Entry) -> io::Result<PathBuf> {
    let name = file_name(entry);
    super::private::write_new(
        dir,
        name.trim_end_matches(".md"),
        "md",
        render(entry).as_bytes(),
    )
}

/// The note of `entry` in `dir`, if it is there: the file named for it whose front matter
/// carries its id.
pub fn find(dir: &Path, entry: &Entry) -> Option<PathBuf> {
    let name = file_name(entry);
    let stem = name.trim_end_matches(".md").to_owned();
    let id_line = format!("id: {}", json!(entry.id));
    (1..1000)
        .map(|n| {
            if n == 1 {
                dir.join(&name)
            } else {
                dir.join(format!("{stem}-{n}.md"))
            }
        })
        .take_while(|path| path.exists())
        .find(|path| fs::read_to_string(path).is_ok_and(|text| text.lines().any(|l| l == id_line)))
}

fn time(t: DateTime<FixedOffset>) -> String {
    t.format("%H:%M").to_string()
}

/// A cell of a Markdown table: one line, no column breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn or_skipped(answer: Option<&String>) -> String {
    answer.map_or_else(|| "*(skipped)*".to_owned(), Clone::clone)
}

/// The front matter: the record's structured fields.
fn front_matter(entry: &Entry) -> String {
    let texts = |items: &[Item]| -> Value { items.iter().map(|i| i.text.as_str()).collect() };
    let (met, goals) = entry.goals_met();
    let fields: Vec<(&str, Value)> = vec![
        ("id", json!(entry.id)),
        ("date", json!(entry.start.format("%Y-%m-%d").to_string())),
        ("start", json!(entry.start)),
        ("end", json!(entry.end)),
        ("task", json!(entry.task)),
        ("goal", json!(entry.goal)),
        ("method", json!(entry.method)),
        ("outcome", json!(entry.outcome)),
        ("goals_met", json!(met)),
        ("goals", json!(goals)),
        (
            "criteria",
            entry.criteria.iter().map(|c| c.goal.as_str()).collect(),
        ),
        ("planned_minutes", json!(entry.planned_minutes)),
        ("focused_minutes", json!(entry.focused_minutes)),
        ("duration_minutes", json!(entry.span_minutes())),
        ("blocks_done", json!(entry.blocks_done)),
        ("blocks", json!(entry.blocks)),
        ("pauses", json!(entry.pauses.len())),
        ("energy", json!(entry.energy)),
        ("distractions", texts(&entry.distractions)),
        ("insights", texts(&entry.insights)),
        ("decisions", texts(&entry.decisions)),
        ("blockers", texts(&entry.blockers)),
        ("next_step", json!(entry.next_step)),
        ("skipped", json!(entry.skipped)),
        ("model", json!(entry.model)),
        ("tags", json!(["focus-session"])),
    ];
    let mut out = String::from("---\n");
    for (key, value) in fields {
        let _ = writeln!(out, "{key}: {}", yaml_safe(&value.to_string()));
    }
    out.push_str("---\n");
    out
}

/// JSON text with the characters YAML does not allow in a document (DEL, C1 controls,
/// U+FFFE, U+FFFF) or reads as line breaks (NEL, U+2028, U+2029) escaped. They can only occur
/// inside JSON strings, where YAML's double-quoted style reads `\uXXXX` as JSON does.
fn yaml_safe(json: &str) -> String {
    let allowed = |c: char| {
        !matches!(
            c,
            '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
        )
    };
    if json.chars().all(allowed) {
        return json.to_owned();
    }
    json.chars()
        .map(|c| {
            if allowed(c) {
                c.to_string()
            } else {
                format!("\\u{:04X}", u32::from(c))
            }
        })
        .collect()
}

/// The whole note.
pub fn render(entry: &Entry) -> String {
    let mut out = front_matter(entry);
    let _ = writeln!(out, "\n# Focus session: {}\n", entry.task);
    let _ = writeln!(
        out,
        "*{} · {}–{} · {} · {} focused of {} planned*\n",
        entry.start.format("%a %-d %b %Y"),
        time(entry.start),
        time(entry.end),
        entry.method.name(),
        format_minutes(entry.focused_minutes),
        format_minutes(entry.planned_minutes),
    );
    objective(entry, &mut out);
    plan_as_run(entry, &mut out);
    work_log(entry, &mut out);
    review(entry, &mut out);
    metrics(entry, &mut out);
    next_session(entry, &mut out);
    let by = entry
        .model
        .as_deref()
        .map_or_else(|| "the offline coach".to_owned(), |m| format!("model {m}"));
    let _ = writeln!(out, "---\n*Session {} · reflection with {by}*", entry.id);
    out
}

fn objective(entry: &Entry, out: &mut String) {
    out.push_str("## Objective\n\n");
    match &entry.goal {
        Some(goal) => {
            let _ = writeln!(out, "**Goal:** {goal}\n");
        }
        None => out.push_str("**Goal:** none set\n\n"),
    }
    if !entry.criteria.is_empty() {
        out.push_str("Success criteria:\n\n");
        for c in &entry.criteria {
            let mark = match c.met {
                Some(true) => "x",
                _ => " ",
            };
            let unanswered = if c.met.is_none() {
                " *(not answered)*"
            } else {
                ""
            };
            let _ = writeln!(out, "- [{mark}] {}{unanswered}", c.goal);
        }
        out.push('\n');
    }
}

fn plan_as_run(entry: &Entry, out: &mut String) {
    out.push_str(
        "## The plan as run\n\n| Block | Planned | Ran | Goal | Outcome |\n|---|---|---|---|---|\n",
    );
    for block in &entry.plan {
        let name = match (block.number, &block.label) {
            (Some(n), Some(label)) => format!("Work {n} · {}", cell(label)),
            (Some(n), None) => format!("Work {n}"),
            (None, _) => "Break".to_owned(),
        };
        let planned_end =
            block.planned_start + chrono::TimeDelta::minutes(i64::from(block.planned_minutes));
        let ran = match (block.started, block.ended) {
            (Some(s), Some(e)) => format!(
                "{}–{} ({})",
                time(s),
                time(e),
                format_minutes(block.minutes)
            ),
            (Some(s), None) => format!("from {}", time(s)),
            _ => "—".to_owned(),
        };
        let outcome = match block.outcome {
            Some(Outcome::Completed) => "completed",
            Some(Outcome::CutShort) => "cut short",
            None if block.started.is_none() => "not reached",
            None => "—",
        };
        let _ = writeln!(
            out,
            "| {name} | {}–{} ({}) | {ran} | {} | {outcome} |",
            time(block.planned_start),
            time(planned_end),
            format_minutes(block.planned_minutes),
            block.goal.as_deref().map(cell).unwrap_or_default(),
        );
    }
    out.push('\n');
    if !entry.pauses.is_empty() {
        let pauses: Vec<String> = entry
            .pauses
            .iter()
            .map(|p| {
                let reason = p
                    .reason
                    .as_deref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default();
                format!(
                    "{}–{} in block {} ({}{reason})",
                    time(p.from),
                    time(p.to),
                    p.block,
                    format_minutes(p.minutes)
                )
            })
            .collect();
        let _ = writeln!(out, "Pauses: {}.\n", pauses.join("; "));
    }
    if !entry.extensions.is_empty() {
        let ext: Vec<String> = entry
            .extensions
            .iter()
            .map(|e| format!("block {} +{}", e.block, format_minutes(e.minutes)))
            .collect();
        let _ = writeln!(out, "Extended: {}.\n", ext.join("; "));
    }
}

fn work_log(entry: &Entry, out: &mut String) {
    out.push_str("## Work log\n\n");
    let captured_in = |block: Option<u32>| -> Vec<String> {
        let mut lines = Vec::new();
        for d in entry.decisions.iter().filter(|i| i.block == block) {
            let why = d
                .rationale
                .as_deref()
                .map_or_else(|| " *(no reason given)*".to_owned(), |r| format!(": {r}"));
            lines.push(format!("- **Decision:** {}{why}", d.text));
        }
        for i in entry.insights.iter().filter(|i| i.block == block) {
            lines.push(format!("- **Insight:** {}", i.text));
        }
        for b in entry.blockers.iter().filter(|i| i.block == block) {
            lines.push(format!("- **Blocker:** {}", b.text));
        }
        for d in entry.distractions.iter().filter(|i| i.block == block) {
            lines.push(format!("- Parked: {}", d.text));
        }
        lines
    };
    for block in entry.plan.iter().filter(|b| b.number.is_some()) {
        let number = block.number;
        let mut heading = format!("### Block {}", number.unwrap_or(0));
        if let Some(label) = &block.label {
            let _ = write!(heading, " · {label}");
        }
        if let (Some(s), Some(e)) = (block.started, block.ended) {
            let _ = write!(heading, " · {}–{}", time(s), time(e));
        }
        let _ = writeln!(out, "{heading}\n");
        if let Some(goal) = &block.goal {
            let _ = writeln!(out, "Goal: {goal}\n");
        }
        let what = match block.outcome {
            Some(Outcome::Completed) => {
                format!("Completed, {} focused.", format_minutes(block.minutes))
            }
            Some(Outcome::CutShort) => {
                format!("Cut short after {}.", format_minutes(block.minutes))
            }
            None if block.started.is_none() => "Not reached.".to_owned(),
            None => format!("{} focused.", format_minutes(block.minutes)),
        };
        let _ = writeln!(out, "{what}\n");
        let mut lines: Vec<String> = block
            .notes
            .iter()
            .map(|n| format!("- Check-in: {n}"))
            .collect();
        lines.extend(captured_in(number));
        if !lines.is_empty() {
            let _ = writeln!(out, "{}\n", lines.join("\n"));
        }
    }
    let outside = captured_in(None);
    if !outside.is_empty() {
        let _ = writeln!(out, "### Between blocks\n\n{}\n", outside.join("\n"));
    }
}

fn review(entry: &Entry, out: &mut String) {
    out.push_str("## Review\n\n");
    let (met, goals) = entry.goals_met();
    let outcome = entry.outcome.map_or("not answered", |a| a.as_str());
    if goals > 0 {
        let _ = writeln!(
            out,
            "Goal reached: **{outcome}** ({met} of {goals} criteria met).\n"
        );
    } else {
        let _ = writeln!(out, "Goal reached: **{outcome}**.\n");
    }
    if let Some(summary) = &entry.summary {
        let _ = writeln!(out, "{}\n", summary.trim());
    }
    let accomplished: Vec<&str> = entry
        .criteria
        .iter()
        .filter(|c| c.met == Some(true))
        .map(|c| c.goal.as_str())
        .collect();
    out.push_str("### Accomplishments\n\n");
    if accomplished.is_empty() {
        let _ = writeln!(
            out,
            "- {} of {} blocks completed, {} focused\n",
            entry.blocks_done,
            entry.blocks,
            format_minutes(entry.focused_minutes)
        );
    } else {
        for goal in accomplished {
            let _ = writeln!(out, "- {goal}");
        }
        out.push('\n');
    }
    let mut outstanding = Vec::new();
    for c in entry.criteria.iter().filter(|c| c.met != Some(true)) {
        let reason = match (&entry.stopped, c.met) {
            (_, None) => "not answered in the reflection".to_owned(),
            (Some(stopped), _) => format!("stopped at: {stopped}"),
            (None, _) => "not reached".to_owned(),
        };
        outstanding.push(format!("- {} (reason: {reason})", c.goal));
    }
    for b in &entry.blockers {
        outstanding.push(format!("- {} (reason: a blocker)", b.text));
    }
    for d in entry.open_items() {
        let why = if d.fate == Some(Fate::Keep) {
            "parked, kept as a to-do"
        } else {
            "parked, not decided yet"
        };
        outstanding.push(format!("- {} (reason: {why})", d.text));
    }
    if !outstanding.is_empty() {
        let _ = writeln!(out, "### Outstanding\n\n{}\n", outstanding.join("\n"));
    }
    let patterns: Vec<&str> = entry
        .distractions
        .iter()
        .filter(|d| d.fate == Some(Fate::Pattern))
        .map(|d| d.text.as_str())
        .collect();
    out.push_str("### Looking back\n\n");
    let _ = writeln!(out, "- What helped: {}", or_skipped(entry.helped.as_ref()));
    let _ = writeln!(
        out,
        "- What distracted: {}",
        or_skipped(entry.distracted.as_ref())
    );
    if !patterns.is_empty() {
        let _ = writeln!(
            out,
            "- Distractions that keep coming back: {}",
            patterns.join("; ")
        );
    }
    let _ = writeln!(out, "- Next time: {}", or_skipped(entry.improve.as_ref()));
    let energy = entry
        .energy
        .map_or_else(|| "*(skipped)*".to_owned(), |e| format!("{e}/5"));
    let _ = writeln!(out, "- Energy after the session: {energy}\n");
}

fn metrics(entry: &Entry, out: &mut String) {
    let planned_total: u32 = entry.plan.iter().map(|b| b.planned_minutes).sum();
    let (met, goals) = entry.goals_met();
    let paused: u32 = entry.pauses.iter().map(|p| p.minutes).sum();
    let rows = [
        (
            "Planned duration",
            format!(
                "{} ({} of focus)",
                format_minutes(planned_total),
                format_minutes(entry.planned_minutes)
            ),
        ),
        (
            "Actual duration",
            format!(
                "{} ({} focused)",
                format_minutes(entry.span_minutes()),
                format_minutes(entry.focused_minutes)
            ),
        ),
        ("Goals completed", format!("{met}/{goals}")),
        (
            "Blocks completed",
            format!("{}/{}", entry.blocks_done, entry.blocks),
        ),
        (
            "Pauses",
            format!("{} ({})", entry.pauses.len(), format_minutes(paused)),
        ),
        ("Distractions parked", entry.distractions.len().to_string()),
        ("Decisions", entry.decisions.len().to_string()),
        ("Insights", entry.insights.len().to_string()),
        ("Blockers", entry.blockers.len().to_string()),
    ];
    out.push_str("## Metrics\n\n| Metric | Value |\n|---|---|\n");
    for (name, value) in rows {
        let _ = writeln!(out, "| {name} | {value} |");
    }
    out.push('\n');
}

fn next_session(entry: &Entry, out: &mut String) {
    out.push_str("## Next session\n\n");
    let _ = writeln!(
        out,
        "- Where it stopped: {}",
        or_skipped(entry.stopped.as_ref())
    );
    let _ = writeln!(out, "- Next step: {}", or_skipped(entry.next_step.as_ref()));
    let open: Vec<&str> = entry.open_items().map(|d| d.text.as_str()).collect();
    if !open.is_empty() {
        let _ = writeln!(
            out,
            "- Still open from the parking lot: {}",
            open.join("; ")
        );
    }
    if let Some(improve) = &entry.improve {
        let _ = writeln!(out, "- Try: {improve}");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dated_slugs() {
        assert_eq!(slug("Write the Report: v2!"), "write-the-report-v2");
        assert_eq!(slug("  ***  "), "session");
        assert_eq!(slug("Écrire l'article"), "écrire-l-article");
        assert_eq!(slug(&"a".repeat(100)).len(), 48);
    }

    #[test]
    fn characters_yaml_does_not_allow_are_escaped_in_the_front_matter() {
        let json = json!("a\u{ffff}b\u{7f}c\u{85}d\u{2028}é").to_string();
        assert_eq!(yaml_safe(&json), "\"a\\uFFFFb\\u007Fc\\u0085d\\u2028é\"");
    }

    #[test]
    fn table_cells_stay_in_their_column() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
