//! Is a task or a goal specific enough to focus on and to check off at the end?
//!
//! The workflow's first rule: one specific task per session, and a goal that says what will be
//! done when the time is up (a count, a section, a deliverable). This module recognises the
//! vague cases ("work on stuff", a single generic word, "make progress") so that the plan can
//! nudge the person, kindly, toward something checkable. It never refuses a plan.

/// Words that say nothing about *what* will be worked on.
const GENERIC: &[&str] = &[
    "admin",
    "anything",
    "bit",
    "busywork",
    "code",
    "coding",
    "email",
    "emails",
    "everything",
    "general",
    "homework",
    "it",
    "misc",
    "miscellaneous",
    "project",
    "projects",
    "reading",
    "something",
    "stuff",
    "study",
    "studying",
    "task",
    "tasks",
    "that",
    "thing",
    "things",
    "this",
    "todo",
    "todos",
    "various",
    "work",
    "writing",
    "etc",
];

/// Words that carry no subject of their own ("do some", "get done", "as much as possible").
const FILLER: &[&str] = &[
    "a", "an", "and", "as", "at", "best", "continue", "do", "doing", "done", "finish", "for",
    "further", "get", "getting", "go", "going", "i", "can", "keep", "little", "lot", "make",
    "more", "much", "my", "of", "on", "possible", "progress", "some", "start", "the", "to", "try",
    "with", "working", "hard", "really", "just", "up",
];

/// What the plan says about a task or goal that is not specific yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vague {
    /// A single word: "Taxes", "Email".
    OneWord,
    /// Only generic words: "work on stuff", "make progress".
    Generic,
}

/// Judges a task: vague when it is one word or only generic words.
pub fn vague_task(task: &str) -> Option<Vague> {
    judge(task)
}

/// Judges a goal: like a task, except that a number makes it checkable ("800 words", "3 tests").
pub fn vague_goal(goal: &str) -> Option<Vague> {
    if goal.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    judge(goal)
}

fn judge(text: &str) -> Option<Vague> {
    let words = words(text);
    let subject = words
        .iter()
        .filter(|w| !GENERIC.contains(&w.as_str()) && !FILLER.contains(&w.as_str()))
        .count();
    if subject == 0 {
        Some(Vague::Generic)
    } else if words.len() == 1 {
        Some(Vague::OneWord)
    } else {
        None
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The friendly nudge for a vague task.
pub fn task_nudge(task: &str, why: &Vague) -> String {
    match why {
        Vague::OneWord => format!(
            "\"{task}\" is a topic, not yet a task. Name the one piece you will do now, \
             e.g. \"{task}: draft the first section\"."
        ),
        Vague::Generic => format!(
            "\"{task}\" is hard to focus on. Pick one concrete task, e.g. \"write the \
             introduction of the report\" rather than \"work on the report\"."
        ),
    }
}

/// The friendly nudge for a vague goal.
pub fn goal_nudge(goal: &str) -> String {
    format!(
        "\"{goal}\" will be hard to check off. Say what will exist when the time is up: \
         a count (\"500 words\"), a section (\"the API chapter\") or a deliverable (\"PR opened\")."
    )
}

/// The nudge when no goal was given at all.
pub const NO_GOAL_NUDGE: &str = "No session goal yet. What will be finished when the time is up? \
     Say it as goal: 800 words (a count, a section or a deliverable).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vague_tasks_are_recognised() {
        assert_eq!(vague_task("work on stuff"), Some(Vague::Generic));
        assert_eq!(vague_task("Work on stuff"), Some(Vague::Generic));
        assert_eq!(vague_task("do some work"), Some(Vague::Generic));
        assert_eq!(vague_task("things"), Some(Vague::Generic));
        assert_eq!(vague_task("Taxes"), Some(Vague::OneWord));
        assert_eq!(vague_task("project"), Some(Vague::Generic));
    }

    #[test]
    fn specific_tasks_pass() {
        assert_eq!(vague_task("Write blog post draft"), None);
        assert_eq!(
            vague_task("Write the introduction section of my report"),
            None
        );
        assert_eq!(vague_task("API design doc"), None);
        assert_eq!(vague_task("fix issue 42"), None);
    }

    #[test]
    fn goals_with_a_count_or_a_deliverable_pass() {
        assert_eq!(vague_goal("800 words"), None);
        assert_eq!(vague_goal("Outline all 5 sections"), None);
        assert_eq!(vague_goal("first draft of the introduction"), None);
        assert_eq!(vague_goal("PR opened"), None);
    }

    #[test]
    fn vague_goals_are_recognised() {
        assert_eq!(vague_goal("make progress"), Some(Vague::Generic));
        assert_eq!(vague_goal("as much as possible"), Some(Vague::Generic));
        assert_eq!(vague_goal("get stuff done"), Some(Vague::Generic));
        assert_eq!(vague_goal("outline"), Some(Vague::OneWord));
    }

    #[test]
    fn nudges_quote_the_text_and_suggest_a_shape() {
        let nudge = task_nudge("work on stuff", &Vague::Generic);
        assert!(nudge.starts_with("\"work on stuff\" is hard to focus on."));
        assert!(goal_nudge("make progress").contains("500 words"));
    }
}
