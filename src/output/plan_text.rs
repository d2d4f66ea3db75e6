//! The plan as a person reads it: the page to pin above the desk.

use std::io::{self, Write};

use anstyle::Style;
use unicode_width::UnicodeWidthStr;

use super::{BREAK, DIM, HEADING, NOTE, WORK};
use crate::session::{Block, BlockKind, Plan, format_minutes};

/// Notes are wrapped to this many columns.
const WIDTH: usize = 88;

/// Writes `plan` as text.
pub fn render(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    let h = HEADING;
    writeln!(out, "{h}Focus plan: {}{h:#}", plan.task)?;
    let block_goals: Vec<&str> = plan
        .work_blocks()
        .map(|b| match &b.kind {
            BlockKind::Work { goal, .. } => goal.as_deref(),
            BlockKind::Break { .. } => None,
        })
        .collect::<Option<Vec<&str>>>()
        .unwrap_or_default();
    let goal = match plan.goal.as_deref() {
        Some(goal) => goal.to_owned(),
        // A goal for every block is the session's goal, one block at a time.
        None if block_goals.len() > 1 => block_goals.join("; "),
        None => "not set yet".to_owned(),
    };
    writeln!(out, "  Goal     {goal}")?;
    let next_day = if plan.end.date_naive() == plan.start.date_naive() {
        String::new()
    } else {
        format!("{} ", plan.end.format("%a %-d %b"))
    };
    writeln!(
        out,
        "  When     {}, {}–{next_day}{} ({})",
        plan.start.format("%a %-d %b"),
        plan.start.format("%H:%M"),
        plan.end.format("%H:%M"),
        format_minutes(plan.total_minutes)
    )?;
    let chosen = if plan.auto {
        format!(", chosen for {}", format_minutes(plan.total_minutes))
    } else {
        String::new()
    };
    let breaks = match plan.break_minutes {
        0 => "no breaks".to_owned(),
        minutes => format!("{} of breaks", format_minutes(minutes)),
    };
    writeln!(
        out,
        "  Method   {}{chosen}: {} focused, {breaks}",
        plan.method,
        format_minutes(plan.focus_minutes),
    )?;
    writeln!(out)?;

    let work_total = plan.work_blocks().count();
    let rows: Vec<(String, String, Style)> =
        plan.blocks.iter().map(|b| row(b, work_total)).collect();
    let title_width = rows
        .iter()
        .map(|(title, ..)| title.width())
        .max()
        .unwrap_or(0);
    for (block, (title, detail, style)) in plan.blocks.iter().zip(&rows) {
        let pad = title_width - title.width();
        writeln!(
            out,
            "  {}–{}  {DIM}{:>4}{DIM:#}  {style}{title}{style:#}{:pad$}  {detail}",
            block.start.format("%H:%M"),
            block.end.format("%H:%M"),
            format_minutes(block.minutes),
            "",
        )?;
    }

    writeln!(out)?;
    writeln!(out, "{h}Before you start{h:#}")?;
    for item in &plan.checklist {
        writeln!(out, "  [ ] {item}")?;
    }
    if !plan.notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "{h}Notes{h:#}")?;
        for note in &plan.notes {
            let mut lines = wrap(&note.message, WIDTH - 4).into_iter();
            if let Some(first) = lines.next() {
                writeln!(out, "  {NOTE}-{NOTE:#} {first}")?;
            }
            for line in lines {
                writeln!(out, "    {line}")?;
            }
        }
    }
    Ok(())
}

/// A block's title, detail and style.
fn row(block: &Block, work_total: usize) -> (String, String, Style) {
    match &block.kind {
        BlockKind::Work {
            number,
            goal,
            label,
        } => {
            let title = match label {
                Some(label) => format!("{label} ({number}/{work_total})"),
                None => format!("Work {number}/{work_total}"),
            };
            let detail = match goal {
                Some(goal) => format!("goal: {goal}"),
                None => format!("{DIM}goal: not set yet{DIM:#}"),
            };
            (title, detail, WORK)
        }
        BlockKind::Break { long, suggestion } => {
            let title = if *long { "Long break" } else { "Break" };
            (title.to_owned(), suggestion.clone(), BREAK)
        }
    }
}

/// Greedy word wrap.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_word_boundaries() {
        assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
        assert_eq!(wrap("a-very-long-word x", 4), ["a-very-long-word", "x"]);
        assert!(wrap("", 10).is_empty());
    }
}
