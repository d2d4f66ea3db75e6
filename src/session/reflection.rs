//! The reflection at the end of a session: its questions, how a typed answer is read, and the
//! answers gathered so far.
//!
//! The questions come one at a time in a fixed order, so every answer belongs to one question
//! (with a model, these direct answers are what the record falls back on when its extraction
//! fails). Any question can be skipped, and ending the reflection early skips the rest; the
//! answers say which were skipped. An answer that cannot be read (a "maybe" to yes / partly /
//! no, an energy of 7) asks the same question again with a hint.

use serde::{Deserialize, Serialize};

/// Whether the session reached its goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Achieved {
    Yes,
    Partly,
    No,
}

impl Achieved {
    pub fn as_str(self) -> &'static str {
        match self {
            Achieved::Yes => "yes",
            Achieved::Partly => "partly",
            Achieved::No => "no",
        }
    }
}

/// What becomes of a distraction parked during the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// A to-do: shown again when the next session starts.
    Keep,
    Drop,
    /// Not a to-do but something that keeps pulling: noted as a pattern.
    Pattern,
}

/// One reflection question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Yes, partly or no.
    Goal,
    /// Which of several success criteria were met.
    Criteria,
    Helped,
    Distracted,
    Improve,
    /// 1 to 5.
    Energy,
    /// Where the work stopped.
    Stopped,
    NextStep,
    /// What becomes of parked distraction `n` (0-based).
    Parked(usize),
}

impl Question {
    /// Whether the answer is the person's own words (not yes/no, a number or a choice).
    pub fn is_free_text(self) -> bool {
        matches!(
            self,
            Question::Helped
                | Question::Distracted
                | Question::Improve
                | Question::Stopped
                | Question::NextStep
        )
    }

    /// The field of the record this question fills, as the record and its readers name it.
    pub fn field(self) -> String {
        match self {
            Question::Goal => "outcome".into(),
            Question::Criteria => "criteria".into(),
            Question::Helped => "helped".into(),
            Question::Distracted => "distracted".into(),
            Question::Improve => "improve".into(),
            Question::Energy => "energy".into(),
            Question::Stopped => "stopped".into(),
            Question::NextStep => "next_step".into(),
            Question::Parked(n) => format!("parked {}", n + 1),
        }
    }
}

/// The answers so far. `None` is a question not answered (yet, or skipped: see `skipped`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    pub achieved: Option<Achieved>,
    /// Per success criterion, in order; empty when the session had none.
    pub criteria: Vec<Option<bool>>,
    pub helped: Option<String>,
    pub distracted: Option<String>,
    pub improve: Option<String>,
    pub energy: Option<u8>,
    pub stopped: Option<String>,
    pub next_step: Option<String>,
    /// Per parked distraction, in order.
    pub parked: Vec<Option<Fate>>,
    /// The questions passed over (with /skip, or by ending the reflection early).
    pub skipped: Vec<Question>,
}

/// An answer that could not be read; the question stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclear {
    pub question: Question,
    /// What an answer looks like.
    pub hint: &'static str,
}

/// What the person did with one question, in order: the reflection as a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    Answered(Question, String),
    /// An answer that could not be read; the question was asked again.
    Unclear(Question, String),
    Skipped(Question),
}

/// The reflection as it goes: the questions left and the answers given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// How many success criteria the session had.
    criteria: usize,
    current: Option<Question>,
    answers: Answers,
    turns: Vec<Turn>,
}

impl Form {
    /// A reflection on a session with `criteria` success criteria and `parked` distractions.
    pub fn new(criteria: usize, parked: usize) -> Form {
        Form {
            criteria,
            current: Some(Question::Goal),
            answers: Answers {
                criteria: vec![None; criteria],
                parked: vec![None; parked],
                ..Answers::default()
            },
            turns: Vec::new(),
        }
    }

    /// Every answer, unreadable answer and skip, in order.
    pub fn turns(&self) -> &[Turn] {
        &self.turns
    }

    /// The question waiting for an answer; `None` when the reflection is complete.
    pub fn current(&self) -> Option<Question> {
        self.current
    }

    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// Where the current question stands: its number (from 1) and how many questions the
    /// reflection has as far as can be told now (the criteria question is counted while it
    /// may still come).
    pub fn progress(&self) -> (usize, usize) {
        let criteria = self.criteria > 1 && self.answers.achieved != Some(Achieved::Yes);
        let order = |question: Question| -> usize {
            let after_goal = usize::from(criteria);
            match question {
                Question::Goal => 0,
                Question::Criteria => 1,
                Question::Helped => 1 + after_goal,
                Question::Distracted => 2 + after_goal,
                Question::Improve => 3 + after_goal,
                Question::Energy => 4 + after_goal,
                Question::Stopped => 5 + after_goal,
                Question::NextStep => 6 + after_goal,
                Question::Parked(n) => 7 + after_goal + n,
            }
        };
        let of = 7 + usize::from(criteria) + self.answers.parked.len();
        match self.current {
            Some(question) => (order(question) + 1, of),
            None => (of, of),
        }
    }

    /// A distraction parked during the reflection joins the review.
    pub fn add_parked(&mut self) {
        self.answers.parked.push(None);
        if self.current.is_none() {
            self.current = Some(Question::Parked(self.answers.parked.len() - 1));
        }
    }

    /// Reads `text` as the answer to the current question and moves on. An answer that cannot
    /// be read leaves the question in place.
    pub fn answer(&mut self, text: &str) -> Result<(), Unclear> {
        let Some(question) = self.current else {
            return Ok(());
        };
        let text = crate::text::truncate(text.trim(), ANSWER_CHARS);
        let result = self.read(question, &text);
        self.turns.push(match result {
            Ok(()) => Turn::Answered(question, text),
            Err(_) => Turn::Unclear(question, text),
        });
        result
    }

    fn read(&mut self, question: Question, text: &str) -> Result<(), Unclear> {
        let unclear = |hint| Unclear { question, hint };
        let free = || (!text.is_empty()).then(|| text.to_owned());
        match question {
            Question::Goal => {
                let achieved = read_achieved(text).ok_or(unclear(GOAL_HINT))?;
                self.answers.achieved = Some(achieved);
                self.settle_criteria(achieved);
            }
            Question::Criteria => {
                let met = read_criteria(text, self.criteria).ok_or(unclear(CRITERIA_HINT))?;
                self.answers.criteria = met.into_iter().map(Some).collect();
            }
            Question::Helped => self.answers.helped = free(),
            Question::Distracted => self.answers.distracted = free(),
            Question::Improve => self.answers.improve = free(),
            Question::Energy => {
                self.answers.energy = Some(read_energy(text).ok_or(unclear(ENERGY_HINT))?);
            }
            Question::Stopped => self.answers.stopped = free(),
            Question::NextStep => self.answers.next_step = free(),
            Question::Parked(n) => {
                let (fate, all) = read_fate(text).ok_or(unclear(PARKED_HINT))?;
                let end = if all {
                    self.answers.parked.len()
                } else {
                    n + 1
                };
                for slot in &mut self.answers.parked[n..end] {
                    *slot = Some(fate);
                }
                self.current = self.after(Question::Parked(end - 1));
                return Ok(());
            }
        }
        if question.is_free_text() && text.is_empty() {
            self.answers.skipped.push(question);
        }
        self.current = self.after(question);
        Ok(())
    }

    /// Passes over the current question.
    pub fn skip(&mut self) {
        if let Some(question) = self.current {
            self.turns.push(Turn::Skipped(question));
            self.answers.skipped.push(question);
            if question == Question::Goal {
                // Without an overall answer the criteria are asked one by one.
                self.current = Some(self.after_goal(None));
                return;
            }
            self.current = self.after(question);
        }
    }

    /// Ends the reflection here: every question not reached counts as skipped.
    pub fn finish(&mut self) {
        while self.current.is_some() {
            self.skip();
        }
    }

    /// With one criterion, the overall answer is its answer; with a "yes", every criterion
    /// was met. Otherwise they are asked about.
    fn settle_criteria(&mut self, achieved: Achieved) {
        if self.criteria == 1 || achieved == Achieved::Yes {
            let met = achieved == Achieved::Yes;
            self.answers.criteria = vec![Some(met); self.criteria];
        }
        self.current = Some(self.after_goal(Some(achieved)));
    }

    fn after_goal(&self, achieved: Option<Achieved>) -> Question {
        if self.criteria > 1 && achieved != Some(Achieved::Yes) {
            Question::Criteria
        } else {
            Question::Helped
        }
    }

    fn after(&self, question: Question) -> Option<Question> {
        let parked = self.answers.parked.len();
        let first_parked = (parked > 0).then_some(Question::Parked(0));
        match question {
            Question::Goal => Some(self.after_goal(self.answers.achieved)),
            Question::Criteria => Some(Question::Helped),
            Question::Helped => Some(Question::Distracted),
            Question::Distracted => Some(Question::Improve),
            Question::Improve => Some(Question::Energy),
            Question::Energy => Some(Question::Stopped),
            Question::Stopped => Some(Question::NextStep),
            Question::NextStep => first_parked,
            Question::Parked(n) => (n + 1 < parked).then_some(Question::Parked(n + 1)),
        }
    }
}

/// The longest answer kept, in characters; the rest is cut (a paste gone wrong should not
/// fill the log).
pub const ANSWER_CHARS: usize = 1000;

const GOAL_HINT: &str = "yes, partly or no (or /skip)";
const CRITERIA_HINT: &str =
    "the numbers of the goals you reached, e.g. \"1 3\", or \"all\" or \"none\" (or /skip)";
const ENERGY_HINT: &str = "a number from 1 (drained) to 5 (full of energy), or /skip";
const PARKED_HINT: &str = "keep (a to-do for later), drop, or pattern (it keeps pulling at you); add \"all\" for every one left";

/// The first word, lower-cased, without punctuation around it.
fn first_word(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// "yes", "y", "yep, it's done", "partly", "mostly", "no", "not really", …
pub fn read_achieved(text: &str) -> Option<Achieved> {
    let lower = text.trim().to_lowercase();
    if lower.starts_with("not really") || lower.starts_with("not quite") {
        return Some(if lower.starts_with("not quite") {
            Achieved::Partly
        } else {
            Achieved::No
        });
    }
    match first_word(text).as_str() {
        "yes" | "y" | "yep" | "yeah" | "yup" | "done" | "achieved" | "fully" | "completely"
        | "oui" | "ja" | "si" | "sí" => Some(Achieved::Yes),
        "partly" | "partially" | "part" | "p" | "half" | "halfway" | "some" | "mostly"
        | "almost" | "kind" | "kinda" | "sort" | "somewhat" => Some(Achieved::Partly),
        "no" | "n" | "nope" | "not" | "nah" | "nothing" | "non" | "nein" => Some(Achieved::No),
        _ => None,
    }
}

/// "3", "4/5", "energy: 2", "about 4 - good", "three": a number from 1 to 5 at the start of
/// the answer (so "halfway through tip 4" is not an energy of 4).
pub fn read_energy(text: &str) -> Option<u8> {
    let lower = text.trim().to_lowercase();
    let mut rest = lower.as_str();
    for lead in [
        "energy", "about", "around", "maybe", "roughly", "~", ":", "=",
    ] {
        rest = rest.trim_start().strip_prefix(lead).unwrap_or(rest);
    }
    let rest = rest.trim_start();
    if let Some(n) = ["one", "two", "three", "four", "five"]
        .iter()
        .position(|w| first_word(rest) == *w)
    {
        return Some(n as u8 + 1);
    }
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let value: u8 = digits.parse().ok()?;
    // "3.5" and "5/10" are not on the scale; the person is asked again.
    let after = &rest[digits.len()..];
    let fraction =
        after.starts_with(['.', ',']) && after[1..].starts_with(|c: char| c.is_ascii_digit());
    let other_scale = after.strip_prefix('/').is_some_and(|d| {
        let d = d.trim_start();
        !d.starts_with('5') || d[1..].starts_with(|c: char| c.is_ascii_digit())
    });
    if fraction || other_scale {
        return None;
    }
    // "12" is not a typo for 1 or 2 that we could guess.
    (1..=5).contains(&value).then_some(value)
}

/// "1 3", "1, 3", "all", "none", "0": which of `n` criteria were met.
pub fn read_criteria(text: &str, n: usize) -> Option<Vec<bool>> {
    let lower = text.trim().to_lowercase();
    match lower.as_str() {
        "all" | "every one" | "each" => return Some(vec![true; n]),
        "none" | "0" | "no" | "nothing" => return Some(vec![false; n]),
        _ => {}
    }
    let mut met = vec![false; n];
    let mut any = false;
    for token in lower.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        let token = token.trim_matches(|c: char| !c.is_alphanumeric());
        if token.is_empty() || token == "and" {
            continue;
        }
        let k: usize = token.parse().ok()?;
        if k == 0 || k > n {
            return None;
        }
        met[k - 1] = true;
        any = true;
    }
    any.then_some(met)
}

/// "keep", "k", "drop", "pattern", "keep all", …; the flag is "for all that are left".
pub fn read_fate(text: &str) -> Option<(Fate, bool)> {
    let lower = text.trim().to_lowercase();
    let all = lower.split_whitespace().any(|w| w == "all");
    let fate = match first_word(&lower).as_str() {
        "keep" | "k" | "todo" | "to-do" | "yes" | "y" => Fate::Keep,
        "drop" | "d" | "no" | "n" | "delete" | "forget" => Fate::Drop,
        "pattern" | "p" | "note" => Fate::Pattern,
        "all" => {
            // "all keep"
            let second = lower.split_whitespace().nth(1).unwrap_or("");
            return read_fate(second).map(|(fate, _)| (fate, true));
        }
        _ => return None,
    };
    Some((fate, all))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(form: &mut Form, answers: &[&str]) {
        for a in answers {
            form.answer(a).unwrap_or_else(|u| panic!("{a:?}: {u:?}"));
        }
    }

    #[test]
    fn the_questions_come_in_order_and_the_form_completes() {
        let mut form = Form::new(1, 1);
        let mut asked = Vec::new();
        let replies = [
            "yes",
            "music",
            "slack",
            "phone away",
            "4",
            "tip 3",
            "edit tip 3",
            "keep",
        ];
        for reply in replies {
            asked.push(form.current().unwrap());
            form.answer(reply).unwrap();
        }
        assert_eq!(
            asked,
            [
                Question::Goal,
                Question::Helped,
                Question::Distracted,
                Question::Improve,
                Question::Energy,
                Question::Stopped,
                Question::NextStep,
                Question::Parked(0),
            ]
        );
        assert_eq!(form.current(), None);
        let a = form.answers();
        assert_eq!(a.achieved, Some(Achieved::Yes));
        assert_eq!(a.criteria, [Some(true)]);
        assert_eq!(a.energy, Some(4));
        assert_eq!(a.next_step.as_deref(), Some("edit tip 3"));
        assert_eq!(a.parked, [Some(Fate::Keep)]);
        assert!(a.skipped.is_empty());
    }

    #[test]
    fn several_criteria_are_asked_about_unless_the_goal_was_reached() {
        let mut form = Form::new(3, 0);
        answered(&mut form, &["partly"]);
        assert_eq!(form.current(), Some(Question::Criteria));
        answered(&mut form, &["1, 3"]);
        assert_eq!(
            form.answers().criteria,
            [Some(true), Some(false), Some(true)]
        );
        assert_eq!(form.current(), Some(Question::Helped));

        let mut form = Form::new(3, 0);
        answered(&mut form, &["Yes!"]);
        assert_eq!(form.answers().criteria, [Some(true); 3]);
        assert_eq!(form.current(), Some(Question::Helped));
    }

    #[test]
    fn an_answer_that_cannot_be_read_asks_again_with_a_hint() {
        let mut form = Form::new(2, 0);
        let unclear = form.answer("maybe").unwrap_err();
        assert_eq!(unclear.question, Question::Goal);
        assert!(unclear.hint.contains("yes, partly or no"));
        answered(&mut form, &["no"]);
        assert!(form.answer("4").is_err(), "only 2 criteria");
        assert!(form.answer("first").is_err());
        answered(&mut form, &["none", "a", "b", "c"]);
        assert_eq!(form.current(), Some(Question::Energy));
        assert!(form.answer("7").is_err());
        assert!(form.answer("tired").is_err());
        answered(&mut form, &["2/5"]);
        assert_eq!(form.answers().energy, Some(2));
    }

    #[test]
    fn skipped_questions_are_recorded_and_finishing_early_skips_the_rest() {
        let mut form = Form::new(2, 2);
        form.skip();
        // Without an overall answer, the criteria are asked.
        assert_eq!(form.current(), Some(Question::Criteria));
        answered(&mut form, &["2", "the quiet"]);
        form.skip();
        answered(&mut form, &[""]);
        form.finish();
        assert_eq!(form.current(), None);
        let a = form.answers();
        assert_eq!(a.achieved, None);
        assert_eq!(a.criteria, [Some(false), Some(true)]);
        assert_eq!(a.helped.as_deref(), Some("the quiet"));
        assert_eq!(
            a.skipped,
            [
                Question::Goal,
                Question::Distracted,
                Question::Improve,
                Question::Energy,
                Question::Stopped,
                Question::NextStep,
                Question::Parked(0),
                Question::Parked(1),
            ]
        );
        assert_eq!(a.parked, [None, None]);
    }

    #[test]
    fn parked_items_are_reviewed_one_by_one_or_all_at_once() {
        let mut form = Form::new(0, 3);
        answered(&mut form, &["no", "", "", "", "3", "", "", "drop"]);
        assert_eq!(form.current(), Some(Question::Parked(1)));
        answered(&mut form, &["keep all"]);
        assert_eq!(form.current(), None);
        assert_eq!(
            form.answers().parked,
            [Some(Fate::Drop), Some(Fate::Keep), Some(Fate::Keep)]
        );
        assert!(form.answers().criteria.is_empty());
    }

    #[test]
    fn a_distraction_parked_after_the_questions_is_still_reviewed() {
        let mut form = Form::new(0, 0);
        answered(&mut form, &["yes", "", "", "", "5", "", "x"]);
        assert_eq!(form.current(), None);
        form.add_parked();
        assert_eq!(form.current(), Some(Question::Parked(0)));
        answered(&mut form, &["pattern"]);
        assert_eq!(form.answers().parked, [Some(Fate::Pattern)]);
    }

    #[test]
    fn answers_are_read_the_way_people_type_them() {
        for (text, want) in [
            ("yes", Some(Achieved::Yes)),
            ("Y", Some(Achieved::Yes)),
            ("yep, all done", Some(Achieved::Yes)),
            ("Partially: the intro only", Some(Achieved::Partly)),
            ("mostly", Some(Achieved::Partly)),
            ("not quite", Some(Achieved::Partly)),
            ("not really", Some(Achieved::No)),
            ("No.", Some(Achieved::No)),
            ("maybe", None),
            ("", None),
        ] {
            assert_eq!(read_achieved(text), want, "{text:?}");
        }
        for (text, want) in [
            ("3", Some(3)),
            ("4/5", Some(4)),
            ("energy: 2", Some(2)),
            ("5 - great", Some(5)),
            ("about 3", Some(3)),
            ("3.5", None),
            ("5/10", None),
            ("4/5 good", Some(4)),
            ("4/5.", Some(4)),
            ("4/5, decent", Some(4)),
            ("4/50", None),
            ("3, tired", Some(3)),
            ("Four", Some(4)),
            ("halfway through tip 4", None),
            ("0", None),
            ("6", None),
            ("12", None),
            ("low", None),
        ] {
            assert_eq!(read_energy(text), want, "{text:?}");
        }
        assert_eq!(read_criteria("1 and 2", 3), Some(vec![true, true, false]));
        assert_eq!(read_criteria("all", 2), Some(vec![true, true]));
        assert_eq!(read_criteria("", 2), None);
        assert_eq!(read_fate("k"), Some((Fate::Keep, false)));
        assert_eq!(read_fate("all drop"), Some((Fate::Drop, true)));
        assert_eq!(
            read_fate("Pattern, all of them"),
            Some((Fate::Pattern, true))
        );
        assert_eq!(read_fate("later"), None);
    }

    #[test]
    fn a_long_answer_is_cut() {
        let mut form = Form::new(0, 0);
        answered(&mut form, &["yes", &"x".repeat(5000)]);
        let helped = form.answers().helped.as_deref().unwrap();
        assert_eq!(helped.chars().count(), ANSWER_CHARS + 1, "cut, with …");
    }

    #[test]
    fn skipped_questions_name_their_record_fields() {
        assert_eq!(Question::NextStep.field(), "next_step");
        assert_eq!(Question::Parked(1).field(), "parked 2");
    }
}
