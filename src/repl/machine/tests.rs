//! The REPL's machine through whole conversations at explicit instants: no time passes and no
//! model runs. [`Harness`] plays a perfect driver: it fires timers exactly when due, keeps the
//! journal, opens journals and logs sessions when asked, and plays the model's replies piece
//! by piece when the test says so.

use chrono::{FixedOffset, TimeDelta, TimeZone};

use super::*;
use crate::coach::Offline;
use crate::coach::prompts::Prompts;
use crate::llm::{Chunk, FinishReason, LlmError, Usage};
use crate::session::machine::{Record, Rules};
use crate::session::plan::NoteKind;
use crate::session::words::{self, Length};
use crate::session::{BlockKind, Method, Rhythms};
use crate::store::log::Closing;

fn at(h: u32, m: u32, s: u32) -> Wall {
    FixedOffset::east_opt(0)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 20, h, m, s)
        .unwrap()
}

/// `/plan <words>` plans the words as focus does, from `now`; a task said with no length is
/// two pomodoros (55 minutes), or one when the words say "short", and starts two hours from
/// now when they say "later".
fn planner() -> Planner {
    Box::new(|line, base, now| {
        let said = words::read(line).map_err(|e| e.to_string())?;
        let goal_only = request::only_goal(&said);
        let (mut asked, amended) = request::said_under(base, said, &now);
        if asked.length.is_none() && asked.count.is_none() {
            let minutes = if line.contains("short") { 25 } else { 55 };
            asked.length = Some(Length::Minutes(minutes));
        }
        let now = if line.contains("later") {
            now + TimeDelta::hours(2)
        } else {
            now
        };
        let request = request::request(&asked, Method::Pomodoro, &Rhythms::default(), &now)
            .map_err(|e| e.to_string())?;
        let plan = plan(&request, &Rhythms::default()).map_err(|e| e.to_string())?;
        Ok(Planned {
            plan,
            asked: request::settled(asked, request.start.naive_local()),
            amended,
            goal_only: amended && goal_only,
        })
    })
}

fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

struct Harness {
    repl: Repl,
    now: Wall,
    /// Every line said, plain.
    said: Vec<String>,
    /// The coach's words as streamed, plain.
    streamed: String,
    journal: Vec<Record>,
    /// Model jobs started and not yet stopped, with their requests.
    asked: Vec<(JobId, Request)>,
    /// Every request made, in order.
    sent: Vec<Request>,
    cancelled: Vec<JobId>,
    timers: Vec<(TimerId, Wall)>,
    exited: bool,
    drafts: Vec<Option<String>>,
    /// Every effect, in order.
    effects: Vec<Effect>,
}

impl Harness {
    fn new(offline: bool) -> Harness {
        let why = offline.then_some(Offline::Chosen { by: "--offline" });
        let coach = Coach::new(
            Prompts::builtin(),
            "test-model",
            "http://127.0.0.1:9/v1",
            coach::talk::Limits::default(),
            why,
        );
        let setup = Setup {
            mode: Mode::Repl,
            interactive: true,
            styled: true,
        };
        let mut harness = Harness {
            repl: Repl::new(setup, coach, planner()),
            now: at(9, 0, 0),
            said: Vec::new(),
            streamed: String::new(),
            journal: Vec::new(),
            asked: Vec::new(),
            sent: Vec::new(),
            cancelled: Vec::new(),
            timers: Vec::new(),
            exited: false,
            drafts: Vec::new(),
            effects: Vec::new(),
        };
        let first = harness.repl.begin(None, harness.now);
        harness.take(first);
        harness
    }

    fn offline() -> Harness {
        Harness::new(true)
    }

    fn with_model() -> Harness {
        let mut harness = Harness::new(false);
        harness.send(Event::Probed(Ok(())));
        harness
    }

    /// Feeds an event now, and what the driver would feed back after it.
    fn send(&mut self, event: Event) {
        let effects = self.repl.handle(event, self.now);
        self.take(effects);
    }

    fn take(&mut self, effects: Vec<Effect>) {
        let mut follow = Vec::new();
        for effect in effects {
            self.effects.push(effect.clone());
            match effect {
                Effect::Say(text) => self.said.extend(plain(&text).lines().map(str::to_owned)),
                Effect::Stream(piece) => self.streamed.push_str(&plain(&piece)),
                Effect::Persist(record, _) => self.journal.push(record),
                Effect::Timer { id, at } => self.timers.push((id, at)),
                Effect::Ask { job, request } => {
                    self.sent.push(request.clone());
                    self.asked.push((job, request));
                }
                Effect::Cancel { job } => {
                    self.asked.retain(|(j, _)| *j != job);
                    self.cancelled.push(job);
                }
                Effect::Open(plan) => {
                    let header = Header::new(
                        "20261120-090000".into(),
                        self.now,
                        1.0,
                        Rules::default(),
                        *plan,
                    );
                    follow.push(Event::Opened(Ok(Box::new(header))));
                }
                Effect::Close(close) => {
                    let entry = Entry::new(
                        "20261120-090000",
                        1.0,
                        close.machine.session(),
                        Closing {
                            answers: close
                                .machine
                                .session()
                                .answers()
                                .cloned()
                                .unwrap_or_default(),
                            ..Closing::default()
                        },
                    );
                    let report = format!("Logged as session {}.", entry.id);
                    follow.push(Event::Logged(Ok(Box::new(Logged { entry, report }))));
                }
                Effect::SaveDraft(plan) => self.drafts.push(plan.map(|p| p.task)),
                Effect::Exit => self.exited = true,
                _ => {}
            }
        }
        for event in follow {
            self.send(event);
        }
    }

    fn line(&mut self, text: &str) {
        self.send(Event::Line(text.to_owned()));
    }

    /// Lets the clock run to `until`, firing every timer on time.
    fn run_to(&mut self, until: Wall) {
        loop {
            self.timers.sort_by_key(|(_, at)| *at);
            let Some(i) = self.timers.iter().position(|(_, at)| *at <= until) else {
                break;
            };
            let (id, when) = self.timers.remove(i);
            self.now = when.max(self.now);
            self.send(Event::Timer(id));
        }
        self.now = until;
    }

    /// The latest model job.
    fn job(&self) -> JobId {
        self.asked.last().expect("a job is running").0
    }

    /// The model's reply to the latest job: `pieces`, then the end.
    fn reply(&mut self, pieces: &[&str]) {
        let job = self.job();
        self.pieces(job, pieces);
        self.finish(job);
    }

    fn pieces(&mut self, job: JobId, pieces: &[&str]) {
        for piece in pieces {
            self.send(Event::Model {
                job,
                item: Ok(Chunk::Text((*piece).to_owned())),
            });
        }
    }

    fn finish(&mut self, job: JobId) {
        self.send(Event::Model {
            job,
            item: Ok(Chunk::Finished {
                reason: FinishReason::Stop,
                skipped: 0,
            }),
        });
        self.send(Event::ModelEnded { job });
    }

    fn fail(&mut self, job: JobId, error: LlmError) {
        self.send(Event::Model {
            job,
            item: Err(error),
        });
        self.send(Event::ModelEnded { job });
    }

    fn kinds(&self) -> Vec<&'static str> {
        self.journal
            .iter()
            .filter(|r| r.event != SessionEvent::Tick)
            .map(|r| r.event.command())
            .collect()
    }

    fn said_text(&self) -> String {
        self.said.join("\n")
    }

    /// Plans and starts a 50-minute session of two pomodoros.
    fn start(&mut self, task: &str) {
        self.line(&format!("/plan {task}"));
        if self
            .asked
            .last()
            .is_some_and(|(_, r)| r.messages.last().unwrap().content.contains(task))
        {
            // The model is asked to shape it: it does not, and focus's own plan stands.
            let job = self.job();
            self.fail(
                job,
                LlmError::Rejected {
                    status: 400,
                    message: "no".into(),
                },
            );
        }
        self.line("/start");
        assert!(self.repl.session().is_some(), "{}", self.said_text());
    }

    fn prompt(&self) -> String {
        self.repl.prompt(self.now)
    }
}

fn unreachable() -> LlmError {
    LlmError::Unreachable {
        url: "http://127.0.0.1:9/v1".into(),
        detail: "connection refused".into(),
        retries: 3,
    }
}

// ── nothing typed is lost ───────────────────────────────────────────────────

#[test]
fn lines_typed_while_the_coach_replies_act_at_once_and_in_order() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    h.line("how do I open the intro?");
    assert_eq!(h.asked.len(), 1, "the coach is asked");
    let first = h.job();
    h.pieces(first, &["Start ", "with the reader's ", "question"]);
    h.line("/park A");
    h.line("/park B");
    h.line("and the outline?");
    h.line("/park C");
    h.line("/status");
    // Every park is journaled when read, before the reply ends, in the order typed; the
    // question waits for the coach.
    assert_eq!(
        h.kinds(),
        [
            "/start",
            "a reply",
            "a message",
            "/park",
            "/park",
            "a message",
            "/park"
        ]
    );
    assert!(
        h.said_text().contains("Parked (1 in the lot)"),
        "{}",
        h.said_text()
    );
    assert!(
        h.said_text().contains("Parked (3): A; B; C"),
        "{}",
        h.said_text()
    );
    assert_eq!(h.asked.len(), 1, "the second question waits its turn");
    h.pieces(first, &[", then answer it."]);
    h.finish(first);
    assert_eq!(h.asked.len(), 1, "now the second question goes");
    assert_ne!(h.job(), first);
    let second = h.job();
    h.reply(&["Outline ", "after."]);
    assert!(h.asked.iter().all(|(j, _)| *j != second));
    // The reply's words are whole: no typed text and no check-in inside them.
    assert!(
        h.streamed
            .contains("Start with the reader's question… , then answer it.\n"),
        "{:?}",
        h.streamed
    );
    assert!(h.streamed.contains("Outline after.\n"), "{:?}", h.streamed);
    assert!(!h.streamed.contains("park"), "{:?}", h.streamed);
    // Both turns are in the journal, with the coach's answers.
    let coach: Vec<&SessionEvent> = h
        .journal
        .iter()
        .map(|r| &r.event)
        .filter(|e| matches!(e, SessionEvent::Coach { .. }))
        .collect();
    assert_eq!(coach.len(), 2);
}

#[test]
fn a_check_in_due_during_a_reply_says_the_figures_of_its_moment() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    h.run_to(at(9, 11, 0));
    h.line("tell me a story");
    let job = h.job();
    h.pieces(job, &["Once upon a time "]);
    h.run_to(at(9, 12, 30));
    let checkin = h
        .said
        .iter()
        .find(|l| l.contains("Check-in:"))
        .expect("the check-in is said on time, during the reply");
    assert!(checkin.contains("12m in, 13m left"), "{checkin}");
    h.pieces(job, &["the end."]);
    h.finish(job);
    assert!(
        h.streamed.contains("Once upon a time … the end."),
        "{:?}",
        h.streamed
    );
}

#[test]
fn a_reply_that_runs_past_its_time_limit_is_ended_and_kept() {
    let mut h = Harness::with_model();
    h.line("tell me a long story");
    let (_, request) = h.asked.last().expect("the coach is asked");
    assert_eq!(request.max_tokens, Some(600), "llm.max_reply_tokens");
    let job = h.job();
    h.pieces(job, &["Once upon a time, "]);
    h.run_to(at(9, 1, 59));
    assert!(!h.said_text().contains("ran past"));
    h.run_to(at(9, 2, 0));
    assert!(
        h.said_text().contains(
            "(the reply ran past 120 s, llm.reply_timeout_secs: focus ended it and kept what came)"
        ),
        "{}",
        h.said_text()
    );
    assert!(h.streamed.contains("Once upon a time,"));
    // The next message carries it, marked as cut off.
    h.line("and then?");
    let (_, request) = h.asked.last().unwrap();
    let kept = &request.messages[request.messages.len() - 2];
    assert_eq!(kept.content, "Once upon a time, [cut off]");
}

/// Whether a request asks for a summary of older turns.
fn summarising(request: &Request) -> bool {
    request.messages.last().is_some_and(|m| {
        m.content
            .starts_with("Summarise this part of our conversation")
    })
}

#[test]
fn each_request_to_the_coach_begins_with_the_one_before_until_a_summary() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    let answer = "Start with the one sentence you are surest of, then the next. ".repeat(8);
    for i in 0..40 {
        h.run_to(at(9, 1 + i, 0));
        // Check-ins asked for a line: the first few get one, kept in the conversation.
        for (job, _) in h.asked.clone() {
            if i < 10 {
                h.pieces(job, &["Keep going, the intro is close."]);
                h.finish(job);
            }
        }
        h.line(&format!("what should I write in paragraph {i}?"));
        // A summary comes first when the conversation has passed the budget.
        while let Some((job, request)) = h.asked.last().cloned()
            && summarising(&request)
        {
            h.pieces(
                job,
                &["They are writing the report's intro, a paragraph at a time."],
            );
            h.finish(job);
        }
        let job = h.job();
        h.pieces(job, &[answer.as_str()]);
        h.finish(job);
    }
    // The conversation's requests (the plan's is not one).
    let requests: Vec<&Request> = h
        .sent
        .iter()
        .filter(|r| r.response_format.is_none())
        .collect();
    let mut summaries = 0;
    let mut compared = 0;
    for pair in requests.windows(2) {
        let (earlier, later) = (pair[0], pair[1]);
        if summarising(earlier) || summarising(later) {
            summaries += usize::from(summarising(later));
            continue;
        }
        // Everything before the earlier request's newest message (which carries where the
        // session stood) is where the later one begins.
        let before = &earlier.messages[..earlier.messages.len() - 1];
        assert!(
            later.messages.starts_with(before),
            "request {compared} changed what came before its newest message"
        );
        compared += 1;
    }
    assert!(compared >= 40, "{compared}");
    // The conversation passed the budget, and was summarised rarely.
    assert!(
        (1..=5).contains(&summaries),
        "{summaries} summaries in 40 turns"
    );
}

#[test]
fn the_coach_adds_no_line_to_a_check_in_while_the_person_and_it_are_talking() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    // The check-in at 09:12:30 asks for a line; the person writes before it comes, so the
    // line is called off and the reply hears of the check-in instead.
    h.run_to(at(9, 12, 31));
    let (comment, _) = h.asked.last().cloned().expect("a line is asked for");
    h.line("how do I start?");
    assert!(h.asked.iter().all(|(job, _)| *job != comment), "called off");
    let (chat, asked) = h.asked.last().cloned().unwrap();
    let message = &asked.messages.last().unwrap().content;
    assert!(
        message.contains("focus said: Check-in: 12m in, 13m left"),
        "{message}"
    );
    h.pieces(chat, &["One sentence first."]);
    h.finish(chat);
    // While the coach replies, a check-in gets no line of its own.
    h.run_to(at(9, 22, 30));
    h.line("and then?");
    let (chat, asked) = h.asked.last().cloned().unwrap();
    h.run_to(at(9, 23, 0));
    assert!(h.said_text().contains("2 minutes left in block 1"));
    assert_eq!(h.asked.len(), 1, "only the reply is under way");
    h.pieces(chat, &["The second one."]);
    h.finish(chat);
    // The next request goes on from the last one, the only one the server saw.
    h.line("and after that?");
    let next = &h.asked.last().unwrap().1.messages;
    assert!(next.starts_with(&asked.messages), "{next:#?}");
    assert_eq!(next[asked.messages.len()].content, "The second one.");
}

#[test]
fn context_shows_its_three_parts_and_what_the_server_had_cached() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    h.line("/context");
    let said = h.said_text();
    assert!(
        said.contains("Nothing has been sent yet in this run."),
        "{said}"
    );
    h.line("how do I start?");
    let job = h.job();
    h.pieces(job, &["One sentence first."]);
    h.send(Event::Model {
        job,
        item: Ok(Chunk::Usage(Usage {
            prompt_tokens: 1000,
            completion_tokens: 4,
            cached_tokens: Some(900),
            estimated: false,
        })),
    });
    h.finish(job);
    h.line("/context");
    let said = h.said_text();
    for part in [
        "\n  fixed ",
        "the same every turn",
        "\n  conversation ",
        "1 exchange in full, only ever added to",
        "\n  changing ",
        "The last request: 1000 prompt tokens, 900 of them reused from the server's cache (90%).",
        "The session's facts, as the model sees them:\nThe person is in a focus session on \"write the report\"",
        "Where it is now, sent with your message:\n[It is 09:00. Block 1 of 2",
    ] {
        assert!(said.contains(part), "{part:?} in:\n{said}");
    }
}

// ── the prompt ───────────────────────────────────────────────────────────────

#[test]
fn the_prompt_follows_the_session_through_its_phases_and_questions() {
    let mut h = Harness::offline();
    assert_eq!(h.prompt(), "focus › ");
    h.start("write the report");
    assert_eq!(h.prompt(), "focus [goal for block 1?] › ");
    h.line("the intro");
    assert_eq!(h.prompt(), "focus [1/2 work → 09:25] › ");
    h.run_to(at(9, 25, 0));
    assert_eq!(h.prompt(), "focus [break → 09:30] › ", "{}", h.said_text());
    h.run_to(at(9, 30, 0));
    assert_eq!(h.prompt(), "focus [ready for 2/2] › ");
    h.line("/done");
    assert_eq!(h.prompt(), "focus [reflection 1/7] › ");
    h.line("partly");
    assert_eq!(h.prompt(), "focus [reflection 2/7] › ");
    assert_eq!(h.repl.title(h.now), "focus · reflection");
}

// ── a pending question does not swallow chat ─────────────────────────────────

#[test]
fn words_for_the_coach_leave_the_goal_question_open_and_it_is_asked_again() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("give me a pep talk");
    assert_eq!(h.kinds(), ["/start", "a message"]);
    h.reply(&["You can do this."]);
    let session = h.repl.session().unwrap().machine.session();
    assert_eq!(session.block_runs()[0].goal, None, "not the block's goal");
    assert!(
        h.said
            .last()
            .unwrap()
            .contains("Still open: what will block 1 produce by 09:25?"),
        "{}",
        h.said_text()
    );
    assert_eq!(h.prompt(), "focus [goal for block 1?] › ");
    h.line("the intro");
    let session = h.repl.session().unwrap().machine.session();
    assert_eq!(session.block_runs()[0].goal.as_deref(), Some("the intro"));
}

#[test]
fn offline_words_for_the_coach_get_an_honest_answer_never_a_bare_noted() {
    let mut h = Harness::offline();
    h.start("write the report");
    h.line("give me a pep talk");
    let text = h.said_text();
    assert!(
        text.contains("The coach is offline (you chose --offline)"),
        "{text}"
    );
    assert!(text.contains("/park it"), "{text}");
    assert!(
        text.contains("Still open: what will block 1 produce"),
        "{text}"
    );
    assert!(!text.contains("Noted."), "{text}");
    // In the reflection, a question to the coach is not an answer either.
    h.line("the intro");
    h.line("/done");
    h.line("why is this so hard?");
    let session = h.repl.session().unwrap().machine.session();
    assert!(session.reflection_turns().is_empty());
    assert!(
        h.said
            .last()
            .unwrap()
            .contains("Did you reach your goal, \"the intro\"?"),
        "the question is asked again: {}",
        h.said_text()
    );
}

#[test]
fn went_wrong_offline_uses_the_words_given() {
    let mut h = Harness::offline();
    h.line("/wentwrong 800 words -- 300 words and an outline");
    let text = h.said_text();
    assert!(text.contains("You planned: 800 words."), "{text}");
    assert!(
        text.contains("You got to: 300 words and an outline."),
        "{text}"
    );
}

// ── leaving pauses ───────────────────────────────────────────────────────────

#[test]
fn quitting_mid_block_pauses_it_first() {
    for leave in [
        Event::Line("/quit".into()),
        Event::Leave(LeftBy::Quit),
        Event::Leave(LeftBy::Hangup),
    ] {
        let mut h = Harness::offline();
        h.start("write the report");
        h.run_to(at(9, 10, 0));
        h.send(leave.clone());
        assert_eq!(h.kinds(), ["/start", "/quit"], "{leave:?}");
        assert_eq!(
            h.said.last().unwrap(),
            "Paused at 09:10; `focus` takes it up again."
        );
        assert!(h.exited);
    }
}

#[test]
fn leaving_during_a_break_stops_nothing() {
    let mut h = Harness::offline();
    h.start("write the report");
    h.run_to(at(9, 26, 0));
    h.line("/quit");
    assert_eq!(h.kinds(), ["/start"]);
    assert_eq!(
        h.said.last().unwrap(),
        "The session is saved; `focus` takes it up again."
    );
}

// ── one run, many sessions ───────────────────────────────────────────────────

#[test]
fn the_next_plan_in_the_same_run_gets_the_hand_off() {
    let mut h = Harness::offline();
    h.start("short task");
    h.line("/park call the bank");
    h.line("/done");
    for answer in [
        "yes",
        "/skip",
        "/skip",
        "/skip",
        "3",
        "the intro",
        "write tip 2",
        "keep",
    ] {
        h.line(answer);
    }
    assert!(h.repl.session().is_none(), "{}", h.said_text());
    assert!(h.said_text().contains("Logged as session"));
    let before = h.said.len();
    h.line("/plan the next thing");
    let after = h.said[before..].join("\n");
    assert!(
        after.contains("the next step was \"write tip 2\"")
            && after.contains("Still open from the parking lot: call the bank"),
        "{after}"
    );
    // Shown once.
    let before = h.said.len();
    h.line("/plan the next thing");
    assert!(!h.said[before..].join("\n").contains("Last time"));
}

#[test]
fn leaving_with_a_plan_keeps_it_for_the_next_run() {
    let mut h = Harness::offline();
    h.line("/plan write the report");
    h.send(Event::Leave(LeftBy::Quit));
    assert_eq!(h.drafts, [Some("write the report".to_owned())]);
    assert!(
        h.said
            .last()
            .unwrap()
            .contains("is kept; the next `focus` offers it")
    );
    // The next run offers it, and /start forgets the kept copy.
    let plan = planner()("write the report", None, at(9, 0, 0))
        .unwrap()
        .plan;
    let coach = Coach::new(
        Prompts::builtin(),
        "m",
        "u",
        coach::talk::Limits::default(),
        Some(Offline::Chosen { by: "--offline" }),
    );
    let setup = Setup {
        mode: Mode::Repl,
        interactive: true,
        styled: false,
    };
    let mut next = Harness::offline();
    next.repl = Repl::new(setup, coach, planner()).with_draft(Some(plan));
    let first = next.repl.begin(None, next.now);
    next.take(first);
    assert!(
        next.said_text()
            .contains("A plan from last time is waiting: \"write the report\""),
        "{}",
        next.said_text()
    );
    next.line("/start");
    assert!(next.repl.session().is_some());
    assert_eq!(next.drafts, [None]);
}

// ── a model that is down costs one line, once ───────────────────────────────

#[test]
fn a_server_that_is_down_costs_one_line_and_the_coach_stays_quiet_a_while() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    h.line("how do I start?");
    let job = h.job();
    h.fail(job, unreachable());
    let down: Vec<&String> = h
        .said
        .iter()
        .filter(|l| l.contains("cannot reach"))
        .collect();
    assert_eq!(down.len(), 1, "{}", h.said_text());
    assert!(down[0].contains("until 09:02"), "{}", down[0]);
    // The next message in the quiet period does not try; what focus handles never did.
    let asked = h.asked.len();
    h.line("/park A");
    h.line("any tips for the outline?");
    assert_eq!(h.asked.len(), asked, "no new job while quiet");
    assert!(
        h.said
            .iter()
            .any(|l| l.contains("its model server did not answer")),
        "{}",
        h.said_text()
    );
    assert_eq!(
        h.said.iter().filter(|l| l.contains("cannot reach")).count(),
        1,
        "one line, once"
    );
    // After the quiet period, the next message tries again.
    h.run_to(at(9, 3, 0));
    h.line("what now?");
    assert_eq!(h.asked.len(), asked + 1);
}

#[test]
fn a_failed_check_at_launch_is_said_in_one_line() {
    let mut h = Harness::new(false);
    h.send(Event::Probed(Err(unreachable())));
    assert_eq!(h.said.len(), 1, "{}", h.said_text());
    assert!(h.said[0].contains("cannot reach the model server"));
    h.line("hello");
    assert!(h.asked.is_empty());
    assert!(
        h.said_text().contains("The coach is offline"),
        "{}",
        h.said_text()
    );
}

#[test]
fn offline_and_model_act_at_once_even_while_quiet() {
    let mut h = Harness::new(false);
    h.send(Event::Probed(Err(unreachable())));
    h.line("/offline off");
    h.line("hello");
    assert_eq!(h.asked.len(), 1, "asked again at once");
}

// ── the smaller ones ─────────────────────────────────────────────────────────

#[test]
fn a_check_in_line_from_the_model_is_shown_as_markdown_unless_its_block_has_ended() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    h.run_to(at(9, 12, 30));
    let comment = h.job();
    h.reply(&["**One** paragraph at a time."]);
    assert_eq!(
        h.said.last().unwrap(),
        "[09:12] One paragraph at a time.",
        "{}",
        h.said_text()
    );
    // The line for the warning arrives after the block has ended (it was skipped): dropped.
    h.run_to(at(9, 23, 0));
    let late = h.job();
    assert_ne!(late, comment);
    h.line("/skip");
    let said = h.said.len();
    h.reply(&["Nearly there!"]);
    assert!(
        !h.said[said..].iter().any(|l| l.contains("Nearly there")),
        "{}",
        h.said_text()
    );
}

#[test]
fn a_reply_cut_by_the_connection_says_so_and_ctrl_c_says_stopped() {
    let mut h = Harness::with_model();
    h.line("tell me a story");
    let job = h.job();
    h.pieces(job, &["Once upon "]);
    h.fail(
        job,
        LlmError::Interrupted {
            detail: "connection reset".into(),
        },
    );
    assert!(
        h.said
            .last()
            .unwrap()
            .starts_with("(the reply was cut off: the connection was lost mid-reply"),
        "{}",
        h.said_text()
    );
    h.line("another story");
    let job = h.job();
    h.pieces(job, &["Once "]);
    h.send(Event::Interrupt);
    assert_eq!(h.said.last().unwrap(), "(stopped)");
    assert!(h.cancelled.contains(&job));
}

#[test]
fn answers_typed_during_a_reflection_reply_are_kept_at_once_and_shown_in_order() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    h.line("/done");
    h.line("partly");
    h.line("music helped");
    let reply = h.job();
    h.pieces(reply, &["Music is "]);
    // The next question waits for the reply; answers typed meanwhile are journaled at once.
    assert!(!h.said_text().contains("What pulled you away"));
    h.line("slack");
    h.line("/skip");
    let answers = h
        .journal
        .iter()
        .filter(|r| matches!(r.event, SessionEvent::Reply { .. } | SessionEvent::Skip))
        .count();
    assert_eq!(
        answers, 5,
        "the intro, partly, music helped, slack; and the skip"
    );
    assert!(!h.said_text().contains("What pulled you away"));
    h.pieces(reply, &["worth keeping."]);
    h.finish(reply);
    // Then, in order: the question "slack" answered, the coach's reply to it, the next one.
    let text = h.said_text();
    assert!(text.contains("What pulled you away"), "{text}");
    assert!(!text.contains("What would you do differently"), "{text}");
    h.reply(&["Slack can wait."]);
    let text = h.said_text();
    let asked = text.find("What pulled you away").expect("asked");
    let skipped = text
        .find("What would you do differently")
        .expect("asked, then skipped");
    let energy = text
        .find("Your energy now")
        .expect("the question after the skip");
    assert!(asked < skipped && skipped < energy, "{text}");
    assert!(
        h.streamed.contains("Music is … worth keeping.\n")
            && h.streamed.contains("Slack can wait.\n"),
        "{:?}",
        h.streamed
    );
}

#[test]
fn ctrl_c_without_a_terminal_leaves_and_with_one_only_stops_the_reply() {
    let mut h = Harness::offline();
    h.send(Event::Interrupt);
    assert!(!h.exited, "at a terminal Ctrl-C clears the line");
    let coach = Coach::new(
        Prompts::builtin(),
        "m",
        "u",
        coach::talk::Limits::default(),
        Some(Offline::Chosen { by: "--offline" }),
    );
    let setup = Setup {
        mode: Mode::Session,
        interactive: false,
        styled: false,
    };
    h.repl = Repl::new(setup, coach, planner());
    h.send(Event::Interrupt);
    assert!(h.exited);
}

// ── from review ──────────────────────────────────────────────────────────────

#[test]
fn a_second_failure_while_the_server_is_down_adds_no_line_of_its_own() {
    let mut h = Harness::with_model();
    h.line("how do I start?");
    let chat = h.job();
    // The launch check fails first; then the message in flight fails the same way.
    h.send(Event::Probed(Err(unreachable())));
    h.fail(chat, unreachable());
    assert_eq!(
        h.said.iter().filter(|l| l.contains("cannot reach")).count(),
        1,
        "{}",
        h.said_text()
    );
    assert!(
        !h.said_text().contains("could not answer"),
        "{}",
        h.said_text()
    );
    assert!(
        h.said.last().unwrap().contains("The coach is offline"),
        "focus answers in its own words: {}",
        h.said_text()
    );
}

#[test]
fn leaving_during_a_reply_stops_it_and_nothing_it_leads_to() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("give me a pep talk");
    let job = h.job();
    h.pieces(job, &["You can "]);
    h.line("/quit");
    assert!(h.cancelled.contains(&job));
    assert!(h.exited);
    // The goal question is not asked again on the way out, and the reply so far is kept.
    assert!(!h.said_text().contains("Still open"), "{}", h.said_text());
    assert_eq!(h.kinds(), ["/start", "a message", "the coach", "/quit"]);
}

#[test]
fn leaving_while_the_reflections_close_waits_behind_a_reply_logs_the_session() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    h.line("/done");
    h.line("partly");
    h.line("music helped");
    // The coach replies; /done closes the session meanwhile (its close waits its turn).
    h.line("/done");
    h.send(Event::Leave(LeftBy::Quit));
    assert!(
        h.effects.iter().any(|e| matches!(e, Effect::Close(_))),
        "the closed session goes to the log"
    );
    assert!(
        h.said_text().contains("Logged as session"),
        "{}",
        h.said_text()
    );
    assert!(h.exited);
}

#[test]
fn the_coachs_reply_names_the_words_it_answers_in_the_journal() {
    let mut h = Harness::with_model();
    h.start("write the report");
    h.line("the intro");
    h.line("tell me a story");
    let story = h.job();
    h.line("and the outline?");
    h.reply(&["Once."]);
    assert_ne!(h.job(), story);
    h.reply(&["Later."]);
    let coach: Vec<(String, Option<String>)> = h
        .journal
        .iter()
        .filter_map(|r| match &r.event {
            SessionEvent::Coach { text, to, .. } => Some((text.clone(), to.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        coach,
        [
            ("Once.".to_owned(), Some("tell me a story".to_owned())),
            ("Later.".to_owned(), Some("and the outline?".to_owned()))
        ]
    );
}

// ── the model's plan ────────────────────────────────────────────────────────

#[test]
fn the_models_plan_is_asked_in_a_shape_repaired_and_stays_the_persons() {
    let mut h = Harness::with_model();
    h.line("/plan write the post");
    let (_, request) = h.asked.last().expect("the coach is asked");
    assert_eq!(
        request.response_format.as_ref().unwrap()["type"],
        "json_schema"
    );
    // 50 minutes for the 55 drafted, another task, a goal they never gave, goals per block.
    h.reply(&[
        r#"{"task": "something else", "goal": "800 words", "blocks": [
            {"kind": "work", "minutes": 22, "goal": "outline"}, {"kind": "break", "minutes": 5},
            {"kind": "work", "minutes": 23, "goal": "first draft"}]}"#,
    ]);
    let said = h.said_text();
    assert!(said.contains("The work blocks were lengthened"), "{said}");
    let plan = h.repl.draft.clone().expect("a plan is drafted");
    assert_eq!(plan.task, "write the post");
    assert_eq!(plan.goal, None);
    assert_eq!(plan.total_minutes, 55);
    let goals: Vec<_> = plan
        .work_blocks()
        .map(|b| match &b.kind {
            BlockKind::Work { goal, .. } => goal.clone(),
            BlockKind::Break { .. } => None,
        })
        .collect();
    assert_eq!(
        goals,
        [Some("outline".to_owned()), Some("first draft".to_owned())]
    );
    assert!(
        said.contains("suggested goal: 800 words — /plan goal: 800 words to take it"),
        "{said}"
    );
    // A goal whose words would read as more than a goal is offered as the quoted option.
    assert_eq!(take_goal("800 words"), "/plan goal: 800 words");
    assert_eq!(take_goal("3 pages for 1h"), "/plan --goal '3 pages for 1h'");
    // Taking it keeps the coach's blocks, and asks nothing more.
    let asked = h.asked.len();
    h.line("/plan goal: 800 words");
    assert_eq!(h.asked.len(), asked, "no new request");
    let taken = h.repl.draft.clone().unwrap();
    assert_eq!(taken.goal.as_deref(), Some("800 words"));
    assert_eq!(taken.blocks, plan.blocks);
    assert!(taken.notes.iter().all(|n| n.kind != NoteKind::NoGoal));

    // Twice unusable: focus's own plan, and why in the person's words.
    h.line("/plan write the post");
    let first = h.job();
    h.reply(&["Sure! Here is a plan."]);
    assert_ne!(h.job(), first, "asked once more");
    h.reply(&[r#"{"blocks": [{"kind": "work", "minutes": 10}]}"#]);
    let said = h.said_text();
    assert!(
        said.contains(
            "the coach's plan could not be used (its blocks added up to 10 minutes, not 55); \
             here is focus's own plan"
        ),
        "{said}"
    );
}

// ── a plan that starts later ────────────────────────────────────────────────

#[test]
fn start_before_a_plans_start_asks_now_or_wait() {
    let mut h = Harness::offline();
    h.line("/plan write later");
    h.line("/start");
    assert!(
        h.said_text().contains("The plan starts at 11:00, in 2h."),
        "{}",
        h.said_text()
    );
    assert_eq!(h.prompt(), "focus [start now? yes/no] › ");
    assert!(h.repl.session().is_none());
    // Anything but yes or no says what the choices are.
    h.line("hmm");
    assert!(
        h.said_text()
            .contains("yes starts it now, no waits until 11:00")
    );
    h.line("no");
    assert_eq!(h.prompt(), "focus [starts 11:00] › ");
    assert!(
        h.timers
            .iter()
            .any(|(id, when)| *id == TimerId::PlannedStart && *when == at(11, 0, 0))
    );
    // At its time it begins, on its own.
    h.run_to(at(11, 0, 0));
    let session = h.repl.session().expect("the session began at its time");
    assert_eq!(session.machine.session().plan().start, at(11, 0, 0));
    assert!(h.said_text().contains("It is 11:00: the session begins."));

    // Yes: now, with the plan's blocks moved to begin now (the driver opens it from now).
    let mut h = Harness::offline();
    h.line("/plan write later");
    h.line("/start");
    h.line("yes");
    assert!(h.repl.session().is_some());
    // Waiting, /start begins it at once; a new /plan forgets the wait.
    let mut h = Harness::offline();
    h.line("/plan write later");
    h.line("/start");
    h.line("no");
    h.line("/start");
    assert!(h.repl.session().is_some());
    let mut h = Harness::offline();
    h.line("/plan write later");
    h.line("/start");
    h.line("wait");
    h.line("/plan write short");
    assert_eq!(h.prompt(), "focus › ");
    h.run_to(at(11, 0, 0));
    assert!(h.repl.session().is_none());
}

#[test]
fn a_wait_for_another_day_names_the_day() {
    let mut h = Harness::offline();
    h.line("/plan write the report tomorrow at 9");
    h.line("/start");
    assert!(
        h.said_text()
            .contains("The plan starts at tomorrow 09:00, in 24h.")
            && h.said_text().contains("no: wait until tomorrow 09:00"),
        "{}",
        h.said_text()
    );
    h.line("no");
    assert_eq!(h.prompt(), "focus [starts tomorrow 09:00] › ");
    assert!(
        h.said_text()
            .contains("Waiting: the session starts at tomorrow 09:00")
    );
    h.line("/status");
    assert!(
        h.said_text().contains("(2 blocks); /start begins it."),
        "{}",
        h.said_text()
    );
    h.line("/plan email, short");
    assert!(
        h.said_text()
            .contains("No longer waiting for tomorrow 09:00")
    );
    h.line("/status");
    assert!(
        h.said_text().contains("(1 block); /start begins it."),
        "{}",
        h.said_text()
    );
}

#[test]
fn a_wait_ends_only_at_its_own_time_and_survives_a_change_that_keeps_the_start() {
    // Waiting for 11:00, then a new plan for 11:30 waited for: the old timer opens nothing.
    let mut h = Harness::offline();
    h.line("/plan write later");
    h.line("/start");
    h.line("no");
    h.run_to(at(9, 30, 0));
    h.line("/plan write later again");
    assert!(
        h.said_text()
            .contains("No longer waiting for 11:00: /start begins this plan.")
    );
    h.line("/start");
    h.line("no");
    assert_eq!(h.prompt(), "focus [starts 11:30] › ");
    h.run_to(at(11, 0, 0));
    assert!(h.repl.session().is_none(), "the 11:00 timer is stale");
    h.run_to(at(11, 30, 0));
    let session = h.repl.session().expect("began at its own time");
    assert_eq!(session.machine.session().plan().start, at(11, 30, 0));

    // A goal given while waiting keeps the plan and its wait; a mistyped /plan changes nothing.
    let mut h = Harness::offline();
    h.line("/plan write later");
    h.line("/start");
    h.line("no");
    h.line("/plan goal: 800 words");
    assert!(h.said_text().contains("Still waiting: it starts at 11:00."));
    h.line("/plan for 13 hours");
    assert_eq!(h.prompt(), "focus [starts 11:00] › ");
    h.run_to(at(11, 0, 0));
    let session = h.repl.session().expect("began at its time");
    assert_eq!(
        session.machine.session().plan().goal.as_deref(),
        Some("800 words")
    );
}

// ── changing the drafted plan ───────────────────────────────────────────────

#[test]
fn plan_with_settings_alone_changes_that_part_of_the_draft() {
    let mut h = Harness::offline();
    h.line("/plan write the post for 90m, goal: 3 pages");
    h.line("/plan for 60m");
    let draft = h.repl.draft.clone().unwrap();
    assert_eq!(
        (
            draft.task.as_str(),
            draft.total_minutes,
            draft.goal.as_deref()
        ),
        ("write the post", 60, Some("3 pages"))
    );
    h.line("/plan deep");
    let draft = h.repl.draft.clone().unwrap();
    assert_eq!((draft.method, draft.total_minutes), (Method::Deep, 60));
    h.line("/plan goal: 800 words");
    assert_eq!(
        h.repl.draft.clone().unwrap().goal.as_deref(),
        Some("800 words")
    );
    h.line("/plan 50/10");
    let draft = h.repl.draft.clone().unwrap();
    let first = draft.work_blocks().next().unwrap().minutes;
    assert_eq!((first, draft.goal.as_deref()), (50, Some("800 words")));
    // The hint under every plan says so.
    assert!(
        h.said_text().contains(
            "/plan changes a part of it (/plan for 60m, /plan goal: 800 words, /plan deep)"
        )
    );
    // A task plans anew.
    h.line("/plan read the paper for 25m");
    let draft = h.repl.draft.clone().unwrap();
    assert_eq!((draft.task.as_str(), draft.goal), ("read the paper", None));
    // With no plan drafted, settings alone ask for the task.
    let mut h = Harness::offline();
    h.line("/plan for 60m");
    assert!(
        h.said_text().contains("focus: say what you will work on"),
        "{}",
        h.said_text()
    );
}

#[test]
fn a_change_asks_the_coach_with_the_first_words_and_the_change() {
    let mut h = Harness::with_model();
    h.line("/plan write the post for 90m");
    h.fail(h.job(), unreachable());
    h.send(Event::Probed(Ok(())));
    h.now += TimeDelta::minutes(10);
    h.line("/plan for 60m");
    let (_, request) = h.asked.last().expect("the coach is asked");
    let said = &request.messages.last().unwrap().content;
    assert!(
        said.contains("write the post for 90m (then: for 60m)"),
        "{said}"
    );
}
