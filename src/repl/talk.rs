//! The coach's side of the conversation: the model it speaks through, the turns it remembers,
//! and each kind of request the REPL makes of it (a reply to the person's words, a plan, a
//! workflow prompt, a summary, a short line after a check-in, a reply in the reflection).
//!
//! Replies stream as they come, rendered as light Markdown on a terminal. Ctrl-C stops a reply
//! (what came is kept, and the journal says it was cut off). A model that cannot be reached is
//! said in one line, and the offline coach carries on.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use anstyle::Style;
use futures::{Stream, StreamExt};
use minijinja::context;
use serde::Serialize;

use super::command::Workflow;
use super::driver::Driver;
use super::markdown::Markdown;
use crate::coach::context::{Conversation, summary_request};
use crate::coach::prompts::Prompts;
use crate::coach::{self, Offline, offline, planning, reflection};
use crate::config::{Env, LlmSettings};
use crate::error::Error;
use crate::llm::{self, ChatModel, Ending, LlmError, Message, Reply, Request, Step, Usage};
use crate::output;
use crate::session::Plan;
use crate::session::machine::{Effect, Event, Message as Said, Next, Phase, Status};
use crate::text;

/// The longest the coach's reply to a reflection answer may take before the next question
/// comes anyway.
const REPLY_LIMIT: Duration = Duration::from_secs(20);

/// The longest the coach's line after a check-in may take; after that it is dropped.
const CHECKIN_LIMIT: Duration = Duration::from_secs(15);

/// The longest the model may take to shape a plan (and to summarise older turns).
const PLAN_LIMIT: Duration = Duration::from_secs(60);

/// How many turns beyond the budget are summarised at once.
const SUMMARY_BATCH: usize = 4;

/// The most a line after a check-in may hold, in characters.
const CHECKIN_CHARS: usize = 300;

/// The model the coach speaks through, connected when first needed (so nothing waits on it
/// to begin), the conversation it remembers and the tokens it has spent.
#[derive(Debug)]
pub struct Coach {
    link: Link,
    settings: LlmSettings,
    env: Env,
    pub prompts: Prompts,
    pub spent: Usage,
    /// The coach replies to reflection answers (off once its template failed).
    replies: bool,
    /// Switched off with `/offline` for this run.
    off: bool,
    conversation: Conversation,
    /// The most a request may take, in estimated tokens.
    budget: u32,
}

#[derive(Debug)]
enum Link {
    Unconnected,
    Ready(Arc<dyn ChatModel>),
    /// It failed in the reflection; the session goes on without it (said once).
    Gone,
}

impl Coach {
    pub fn new(settings: LlmSettings, env: Env, prompts: Prompts, budget: u32) -> Coach {
        Coach {
            link: Link::Unconnected,
            settings,
            env,
            prompts,
            spent: Usage::default(),
            replies: true,
            off: false,
            conversation: Conversation::default(),
            budget,
        }
    }

    /// Whether the model failed in this session's reflection.
    pub fn is_gone(&self) -> bool {
        matches!(self.link, Link::Gone)
    }

    /// Whether the coach speaks through the model now.
    pub fn is_on(&self) -> bool {
        !self.off && !self.is_gone()
    }

    /// The model, connecting on first use.
    pub async fn model(&mut self) -> Result<Arc<dyn ChatModel>, LlmError> {
        match &self.link {
            Link::Ready(model) => Ok(Arc::clone(model)),
            Link::Unconnected => {
                let model = llm::connect(&self.settings, &self.env).await?;
                self.link = Link::Ready(Arc::clone(&model));
                Ok(model)
            }
            Link::Gone => Err(LlmError::EndedEarly),
        }
    }

    /// After a session: a model that failed in its reflection is tried again next time.
    pub fn revive(&mut self) {
        if self.is_gone() {
            self.link = Link::Unconnected;
        }
    }

    /// Takes up the conversation of a resumed session.
    pub fn remember(&mut self, turns: impl IntoIterator<Item = (String, String)>) {
        for (person, coach) in turns {
            self.conversation.push(person, coach);
        }
    }

    /// The system message and the parameters its front matter sets.
    fn system(&self) -> Result<(Message, Request), Error> {
        let rendered = self.prompts.render("system", context! {})?;
        let mut params = Request::new(Vec::new());
        params.temperature = rendered.params.temperature;
        params.max_tokens = rendered.params.max_tokens;
        Ok((Message::system(rendered.text), params))
    }
}

/// How a reply is shown while it streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// Stamped with the time, as light Markdown.
    Reply,
    /// Stamped, on one line (a reply in the reflection, before the next question).
    Paragraph,
    /// Not shown (JSON for focus to read).
    Hidden,
}

impl<W: std::io::Write> Driver<W> {
    /// Whether the coach speaks through a model now.
    pub(super) fn model_on(&self) -> bool {
        self.coach.as_ref().is_some_and(Coach::is_on)
    }

    /// Why the coach is offline now (`None`: it is not).
    fn offline_why(&self) -> Option<Offline> {
        match &self.coach {
            Some(coach) if coach.off => Some(Offline::Chosen { by: "/offline" }),
            Some(_) => None,
            None => Some(
                self.offline
                    .clone()
                    .unwrap_or(Offline::Chosen { by: "--offline" }),
            ),
        }
    }

    /// Words for the coach: the answer to a reflection question, a reply to a check-in, or
    /// a message. A running session journals them first; then the model replies.
    pub(super) async fn say<I: Stream<Item = ()>>(
        &mut self,
        text: &str,
        line: &str,
        interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        if self.reflecting() {
            return self.answer(text, line, interrupts).await;
        }
        let mut talking = self.model_on();
        if let Some(live) = self.live.as_mut() {
            // An answer to a check-in's question is for focus; the coach answers questions
            // and anything said when nothing was asked.
            if live.machine.session().is_asking() && !text.trim_end().ends_with('?') {
                talking = false;
            }
            let event = Event::Reply {
                text: text.to_owned(),
            };
            let mut effects = live.machine.handle(event, live.clock.now());
            if talking {
                // The coach answers for itself.
                effects.retain(|e| !matches!(e, Effect::Say(Said::Noted)));
            }
            self.execute(effects, Some(line))?;
            if !talking {
                return Ok(());
            }
        } else if !talking {
            let why = self.offline_why().expect("offline");
            return self.print_plain(&offline::repl_chat(&why));
        }
        self.chat(text, text, interrupts).await
    }

    /// One turn of conversation: `shown` is what the person said (kept in the conversation),
    /// `sent` what goes to the model for it (a workflow prompt in full, or the same words).
    async fn chat<I: Stream<Item = ()>>(
        &mut self,
        shown: &str,
        sent: &str,
        mut interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        self.summarise_older(interrupts.as_mut()).await?;
        let request = self.chat_request(sent)?;
        let reply = match self.ask(request, Shown::Reply, None, interrupts).await? {
            Ok(reply) => reply,
            Err(error) => {
                let kept = if self.live.is_some() {
                    "what you wrote is in the session's journal"
                } else {
                    "send it again later"
                };
                return self.print_plain(&format!(
                    "focus: the coach could not answer ({error}); {kept}. /offline stops asking the model"
                ));
            }
        };
        let cut_off = matches!(
            reply.ending(),
            Some(Ending::Cancelled | Ending::CutOff(_) | Ending::Failed(_))
        );
        if cut_off {
            let dim = Style::new().dimmed();
            self.print_plain(&format!("{dim}(reply cut off){dim:#}"))?;
        }
        let answer = text::sanitize(reply.text().trim());
        if let Some(live) = self.live.as_mut() {
            let event = Event::Coach {
                text: answer.clone(),
                cut_off,
            };
            let effects = live.machine.handle(event, live.clock.now());
            self.execute(effects, None)?;
        }
        let remembered = if cut_off {
            format!("{answer} [cut off]")
        } else {
            answer
        };
        if let Some(coach) = self.coach.as_mut() {
            coach.conversation.push(shown, remembered);
        }
        Ok(())
    }

    /// The request for the person's message: the system prompt, the session, the turns that
    /// fit the budget, the message.
    fn chat_request(&self, person: &str) -> Result<Request, Error> {
        let coach = self.coach.as_ref().expect("a model is on");
        let (system, params) = coach.system()?;
        let mut request =
            coach
                .conversation
                .request(system, self.session_block(), person, coach.budget);
        request.temperature = params.temperature;
        request.max_tokens = params.max_tokens;
        Ok(request)
    }

    /// The compact description of where the person is, sent with each message.
    fn session_block(&self) -> Option<String> {
        let last = self.last.as_ref().and_then(|e| e.next_step.as_deref());
        let status = self.status_now();
        coach::session_block(
            status.as_ref(),
            self.session().map(crate::session::machine::Session::plan),
            self.draft.as_ref(),
            last,
        )
    }

    /// Turns that no longer fit the budget are summarised by the model before the next
    /// request, so none is dropped silently. A failure leaves the digest in their place.
    async fn summarise_older<I: Stream<Item = ()>>(
        &mut self,
        interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        let block = self.session_block();
        let Some(coach) = self.coach.as_ref() else {
            return Ok(());
        };
        let (system, _) = coach.system()?;
        let fixed = 3 * 4
            + llm::estimate_tokens(&system.content)
            + block.as_deref().map_or(0, llm::estimate_tokens)
            // Room for the new message.
            + 200;
        let layout = coach.conversation.layout(fixed, coach.budget);
        // In batches: until a few turns have left the budget, the digest stands in for them.
        let Some((previous, turns)) = coach
            .conversation
            .to_summarise(layout.recent_from)
            .filter(|(_, turns)| turns.len() >= SUMMARY_BATCH)
        else {
            return Ok(());
        };
        let request = summary_request(system, previous, turns);
        let dim = Style::new().dimmed();
        self.print_plain(&format!(
            "{dim}(the coach is summarising earlier turns…){dim:#}"
        ))?;
        if let Ok(reply) = self
            .ask(request, Shown::Hidden, Some(PLAN_LIMIT), interrupts)
            .await?
            && matches!(reply.ending(), Some(Ending::Finished { .. }))
            && !reply.text().trim().is_empty()
            && let Some(coach) = self.coach.as_mut()
        {
            coach.conversation.fold(reply.text(), layout.recent_from);
        }
        Ok(())
    }

    /// Sends `request` and shows the reply as `shown` while it streams, until it ends, the
    /// `limit` passes, or Ctrl-C. `Err` inside: the model could not be reached or failed
    /// before a word of the reply.
    async fn ask<I: Stream<Item = ()>>(
        &mut self,
        request: Request,
        shown: Shown,
        limit: Option<Duration>,
        mut interrupts: Pin<&mut I>,
    ) -> Result<Result<Reply, LlmError>, Error> {
        let Some(coach) = self.coach.as_mut() else {
            return Ok(Err(LlmError::EndedEarly));
        };
        let model = match coach.model().await {
            Ok(model) => model,
            Err(error) => return Ok(Err(error)),
        };
        let mut reply = Reply::new(&request);
        let mut stream = llm::with_trim(model, request);
        let limit = tokio::time::sleep(limit.unwrap_or(Duration::MAX / 4));
        tokio::pin!(limit);
        let mut markdown = Markdown::new(self.styled && shown == Shown::Reply);
        let mut started = false;
        loop {
            tokio::select! {
                item = stream.next() => {
                    let Some(item) = item else {
                        reply.end_of_stream();
                        break;
                    };
                    match reply.absorb(item) {
                        Step::Text(text) if shown != Shown::Hidden => {
                            if !started {
                                started = true;
                                let dim = Style::new().dimmed();
                                let stamp = format!("{dim}[{}]{dim:#} ", self.now().format("%H:%M"));
                                self.write(stamp.as_bytes())?;
                            }
                            let text = if shown == Shown::Paragraph {
                                text.replace('\n', " ")
                            } else {
                                markdown.push(&text)
                            };
                            self.write(text.as_bytes())?;
                            self.flush()?;
                        }
                        Step::Retrying(retry) => self.print_plain(&format!(
                            "focus: {}; retrying ({} of {})",
                            retry.cause, retry.attempt, retry.of
                        ))?,
                        Step::Ended => break,
                        _ => {}
                    }
                }
                () = &mut limit => {
                    reply.cancel();
                    break;
                }
                Some(()) = interrupts.next() => {
                    reply.cancel();
                    break;
                }
            }
        }
        drop(stream);
        if started {
            let rest = markdown.finish();
            self.write(rest.as_bytes())?;
            if !reply.text().ends_with('\n') || shown == Shown::Paragraph {
                self.write(b"\n")?;
            }
            self.flush()?;
        }
        if let Some(coach) = self.coach.as_mut() {
            coach.spent.add(reply.usage());
        }
        match reply.ending() {
            Some(Ending::Failed(error) | Ending::CutOff(error)) if reply.text().is_empty() => {
                Ok(Err(error.clone()))
            }
            _ => Ok(Ok(reply)),
        }
    }

    /// An answer in the reflection: saved first; the coach replies in a sentence or two, then
    /// the next question comes.
    async fn answer<I: Stream<Item = ()>>(
        &mut self,
        text: &str,
        line: &str,
        interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        let live = self.live.as_mut().expect("reflecting");
        let event = Event::Reply {
            text: text.to_owned(),
        };
        let effects = live.machine.handle(event, live.clock.now());
        let reply_due = self.coach.as_ref().is_some_and(|c| c.replies && c.is_on())
            && live
                .machine
                .session()
                .reflection_turns()
                .last()
                .is_some_and(reflection::worth_a_reply);
        if !reply_due {
            return self.execute(effects, Some(line));
        }
        let (next, first): (Vec<Effect>, Vec<Effect>) = effects.into_iter().partition(|e| {
            matches!(
                e,
                Effect::Say(Said::Question { .. } | Said::Closed) | Effect::Exit
            )
        });
        self.execute(first, Some(line))?;
        self.reflection_reply(interrupts).await?;
        self.execute(next, Some(line))
    }

    /// The coach's short reply to the reflection answer just given. It gives up after
    /// [`REPLY_LIMIT`] or on Ctrl-C; a model that fails is said once, and the reflection goes
    /// on without it.
    async fn reflection_reply<I: Stream<Item = ()>>(
        &mut self,
        interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        let (Some(coach), Some(session)) = (self.coach.as_mut(), self.live.as_ref()) else {
            return Ok(());
        };
        let request = match reflection::reply_request(&coach.prompts, session.machine.session()) {
            Ok(request) => request,
            Err(error) => {
                // The template is broken, not the model: no more replies, but the model
                // still writes the session up at the end.
                coach.replies = false;
                return self.print_plain(&format!(
                    "focus: {error}; the coach's replies are off for this session"
                ));
            }
        };
        match self
            .ask(request, Shown::Paragraph, Some(REPLY_LIMIT), interrupts)
            .await?
        {
            Ok(_) => Ok(()),
            Err(error) => {
                if let Some(coach) = self.coach.as_mut() {
                    coach.link = Link::Gone;
                }
                self.print_plain(&format!(
                    "focus: the coach's model is not answering ({error}); the reflection goes on without it"
                ))
            }
        }
    }

    /// `/plan <words>`: focus's planner makes the plan; with a model, the model shapes it
    /// (as JSON that focus checks and repairs). The person confirms with `/start`.
    pub(super) async fn plan<I: Stream<Item = ()>>(
        &mut self,
        words: &str,
        interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        if self
            .session()
            .is_some_and(|s| !matches!(s.phase(), Phase::Closed))
        {
            return self.print_plain(
                "focus: a session is running; /done ends it, then /plan the next one",
            );
        }
        let draft = match self.draft_plan(words) {
            Ok(plan) => plan,
            Err(message) => return self.print_plain(&format!("focus: {message}")),
        };
        let plan = if self.model_on() {
            self.model_plan(words, draft, interrupts).await?
        } else {
            draft
        };
        output::plan_text::render(&plan, &mut self.out)
            .map_err(Error::io("cannot write the plan"))?;
        self.print_plain(
            "\n/start begins it; /plan again changes it (e.g. add \"goal: 800 words\" or \"for 60m\").",
        )?;
        self.draft = Some(plan);
        Ok(())
    }

    /// The model's shaping of `draft`, checked and repaired by focus; focus's own plan when
    /// the model fails, twice gives a plan that cannot be used, or Ctrl-C.
    async fn model_plan<I: Stream<Item = ()>>(
        &mut self,
        words: &str,
        draft: Plan,
        mut interrupts: Pin<&mut I>,
    ) -> Result<Plan, Error> {
        let prompts = self.coach.as_ref().expect("model on").prompts.clone();
        let mut request = planning::plan_request(&prompts, words, &draft)?;
        let dim = Style::new().dimmed();
        self.print_plain(&format!(
            "{dim}Asking the coach to shape the plan (Ctrl-C uses focus's own)…{dim:#}"
        ))?;
        let mut problem = String::new();
        for _ in 0..2 {
            let reply = match self
                .ask(
                    request.clone(),
                    Shown::Hidden,
                    Some(PLAN_LIMIT),
                    interrupts.as_mut(),
                )
                .await?
            {
                Ok(reply) => reply,
                Err(error) => {
                    self.print_plain(&format!(
                        "focus: the coach could not plan ({error}); here is focus's own plan"
                    ))?;
                    return Ok(draft);
                }
            };
            match reply.ending() {
                Some(Ending::Finished { .. }) => {}
                Some(Ending::Cancelled) => {
                    self.print_plain(&format!(
                        "focus: stopped (Ctrl-C) or no plan within {} s; here is focus's own plan",
                        PLAN_LIMIT.as_secs()
                    ))?;
                    return Ok(draft);
                }
                _ => {
                    self.print_plain(
                        "focus: the coach's plan broke off; here is focus's own plan",
                    )?;
                    return Ok(draft);
                }
            }
            match planning::read_plan(reply.text(), &draft) {
                Ok(proposal) => {
                    for repair in &proposal.repairs {
                        self.print_plain(&format!("{dim}focus: {repair}{dim:#}"))?;
                    }
                    return Ok(proposal.plan);
                }
                Err(why) => {
                    request = planning::retry_request(&request, reply.text(), &why);
                    problem = why;
                }
            }
        }
        self.print_plain(&format!(
            "focus: the coach's plan could not be used ({problem}); here is focus's own plan"
        ))?;
        Ok(draft)
    }

    /// The workflow's prompts as commands: through the model as a conversation turn, or the
    /// offline coach's own answer.
    pub(super) async fn workflow<I: Stream<Item = ()>>(
        &mut self,
        kind: Workflow,
        words: &str,
        interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        let status = self.status_now();
        let facts = offline::Facts {
            said: words,
            status: status.as_ref(),
            plan: self.draft.as_ref(),
            last: self.last.as_ref(),
        };
        if !self.model_on() {
            if kind == Workflow::Breakdown && !words.is_empty() {
                return self.plan(words, interrupts).await;
            }
            return self.print_plain(&offline::workflow(kind.command(), &facts));
        }
        let prompts = self.coach.as_ref().expect("model on").prompts.clone();
        let rendered = prompts.render(kind.template(), workflow_context(&facts))?;
        self.chat(&rendered.text, &rendered.text, interrupts).await
    }

    /// `/summary`: the coach sums up the progress so far.
    pub(super) async fn summary<I: Stream<Item = ()>>(
        &mut self,
        interrupts: Pin<&mut I>,
    ) -> Result<(), Error> {
        let Some(status) = self.status_now() else {
            return self.print_plain(
                "No session is running, so there is no progress to sum up yet; /log shows your finished sessions.",
            );
        };
        if !self.model_on() {
            return self.print_plain(&offline::progress(&status));
        }
        let prompts = self.coach.as_ref().expect("model on").prompts.clone();
        let block = self.session_block().unwrap_or_default();
        let rendered = prompts.render("progress", context! { session => block })?;
        self.chat("/summary", &rendered.text, interrupts).await
    }

    /// `/model`: the model in use, or a switch to another for this run.
    pub(super) fn model(&mut self, name: Option<&str>) -> Result<(), Error> {
        let why = self.offline_why();
        let Some(coach) = self.coach.as_mut() else {
            let why = why.expect("no coach").why();
            return self.print_plain(&format!(
                "focus: the coach is offline ({why}); there is no model to show or switch"
            ));
        };
        let text = if let Some(name) = name {
            name.clone_into(&mut coach.settings.model);
            coach.link = Link::Unconnected;
            format!(
                "The coach now uses {} at {}, from your next message.",
                coach.settings.model, coach.settings.base_url
            )
        } else {
            let state = match (&coach.link, coach.off) {
                (_, true) => "off for this run; /offline off turns it back on",
                (Link::Ready(_), _) => "connected",
                (Link::Unconnected, _) => "connects with your next message",
                (Link::Gone, _) => "not answering",
            };
            format!(
                "Model {} at {} ({state}). Tokens this run: {} sent, {} received{}.",
                coach.settings.model,
                coach.settings.base_url,
                coach.spent.prompt_tokens,
                coach.spent.completion_tokens,
                if coach.spent.estimated {
                    " (estimated)"
                } else {
                    ""
                }
            )
        };
        self.print_plain(&text)
    }

    /// `/offline [on|off]`: stop or go back to asking the model, for this run.
    pub(super) fn switch_offline(&mut self, on: Option<bool>) -> Result<(), Error> {
        let why = self.offline.clone();
        let Some(coach) = self.coach.as_mut() else {
            let why = why.unwrap_or(Offline::Chosen { by: "--offline" });
            let text = if on == Some(true) {
                format!("The coach is offline already ({}).", why.why())
            } else {
                format!(
                    "focus: the coach cannot use a model: {}. `focus config` shows the model settings",
                    why.why()
                )
            };
            return self.print_plain(&text);
        };
        coach.off = on.unwrap_or(!coach.off);
        if coach.is_gone() && !coach.off {
            coach.link = Link::Unconnected;
        }
        let text = if coach.off {
            "The coach is offline for this run: check-ins, plans and the reflection come from focus itself. /offline again goes back to the model.".to_owned()
        } else {
            format!("The coach uses {} again.", coach.settings.model)
        };
        self.print_plain(&text)
    }

    /// `/context`: what goes to the model with the next message, and its size.
    pub(super) fn context(&mut self) -> Result<(), Error> {
        let block = self.session_block();
        let Some(coach) = self.coach.as_ref() else {
            let why = self.offline_why().expect("offline").why();
            let mut text = format!(
                "The coach is offline ({why}), so nothing is sent. A model would get the system prompt"
            );
            text.push_str(if block.is_some() {
                ", this description of the session, and the recent conversation:\n\n"
            } else {
                " and the recent conversation."
            });
            text.push_str(block.as_deref().unwrap_or_default());
            return self.print_plain(&text);
        };
        let (system, _) = coach.system()?;
        let request = coach
            .conversation
            .request(system.clone(), block.clone(), "", coach.budget);
        let turns = coach.conversation.turns().len();
        let sent_turns = request
            .messages
            .iter()
            .filter(|m| m.role == llm::Role::Assistant)
            .count();
        let earlier = request
            .messages
            .iter()
            .skip(1 + usize::from(block.is_some()))
            .find(|m| m.role == llm::Role::System)
            .map_or(0, |m| llm::estimate_tokens(&m.content));
        let mut text = format!(
            "Sent with your next message: about {} tokens of a budget of {} (llm.context_tokens).\n  system prompt        {:>6} tokens\n  the session          {:>6} tokens\n  earlier exchanges    {:>6} tokens ({} summarised or in brief)\n  recent exchanges     {:>6} in full, of {turns} in all",
            request.estimated_tokens(),
            coach.budget,
            llm::estimate_tokens(&system.content),
            block.as_deref().map_or(0, llm::estimate_tokens),
            earlier,
            turns - sent_turns,
            sent_turns,
        );
        if let Some(block) = &block {
            text.push_str("\n\nThe session, as the model sees it:\n");
            text.push_str(block);
        }
        self.print_plain(&text)
    }

    /// After a check-in, with a model: a short personal line, fetched in the background
    /// within [`CHECKIN_LIMIT`]; it arrives through the driver's loop, or never.
    pub(super) fn personal_line(&mut self, said: &Said, text: &str) {
        if !self.model_on() {
            return;
        }
        let block = self.session_block().unwrap_or_default();
        let coach = self.coach.as_mut().expect("model on");
        let template = match said {
            Said::BlockEnd {
                next: Next::Break(_),
                ..
            } => "break",
            _ => "check-in",
        };
        let request = match coach::turn(
            &coach.prompts,
            template,
            context! { said => text, session => block },
        ) {
            Ok(request) => request,
            Err(error) => {
                tracing::debug!(%error, "no line after the check-in");
                return;
            }
        };
        let link = match &coach.link {
            Link::Ready(model) => Ok(Arc::clone(model)),
            _ => Err((coach.settings.clone(), coach.env.clone())),
        };
        let tx = self.lines_tx.clone();
        tokio::spawn(async move {
            let line = tokio::time::timeout(CHECKIN_LIMIT, async move {
                let model = match link {
                    Ok(model) => model,
                    Err((settings, env)) => llm::connect(&settings, &env).await.ok()?,
                };
                let mut reply = Reply::new(&request);
                let mut stream = llm::with_trim(model, request);
                while let Some(item) = stream.next().await {
                    if reply.absorb(item) == Step::Ended {
                        break;
                    }
                }
                matches!(reply.ending(), Some(Ending::Finished { .. }))
                    .then(|| text::truncate(&text::sanitize(reply.text().trim()), CHECKIN_CHARS))
            })
            .await;
            if let Ok(Some(line)) = line
                && !line.is_empty()
            {
                let _ = tx.send(line.replace('\n', " "));
            }
        });
    }
}

/// What the workflow templates are given: the same for each, so an override can use any.
#[derive(Debug, Serialize)]
struct WorkflowContext {
    said: String,
    task: Option<String>,
    goal: Option<String>,
    method: Option<String>,
    minutes: Option<u32>,
    block_minutes: Option<u32>,
    block_goal: Option<String>,
    last_task: Option<String>,
    last_goal: Option<String>,
    last_achieved: Option<String>,
    last_summary: Option<String>,
}

fn workflow_context(facts: &offline::Facts<'_>) -> WorkflowContext {
    let status: Option<&Status> = facts.status;
    let block = status.and_then(|s| s.block.as_ref());
    WorkflowContext {
        said: facts.said.to_owned(),
        task: status
            .map(|s| s.task.clone())
            .or_else(|| facts.plan.map(|p| p.task.clone())),
        goal: status
            .and_then(|s| s.goal.clone())
            .or_else(|| facts.plan.and_then(|p| p.goal.clone())),
        method: facts.plan.map(|p| p.method.name().to_owned()),
        minutes: status
            .map(|s| s.planned)
            .or_else(|| facts.plan.map(|p| p.total_minutes)),
        block_minutes: block.map(|b| b.minutes),
        block_goal: block.and_then(|b| b.goal.clone()),
        last_task: facts.last.map(|e| e.task.clone()),
        last_goal: facts.last.and_then(|e| e.goal.clone()),
        last_achieved: facts
            .last
            .and_then(|e| e.outcome.map(|a| a.as_str().to_owned())),
        last_summary: facts.last.and_then(|e| e.summary.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every template the REPL sends renders with what the code gives it, with every fact
    /// known and with none (strict mode fails on a variable the code does not give).
    #[test]
    fn the_repls_templates_render_with_what_the_code_gives() {
        let prompts = Prompts::builtin();
        let empty = offline::Facts {
            said: "",
            status: None,
            plan: None,
            last: None,
        };
        let entry: crate::store::log::Entry =
            serde_json::from_str(include_str!("../../tests/fixtures/log/expected-entry.json"))
                .unwrap();
        let known = offline::Facts {
            said: "the intro",
            status: None,
            plan: None,
            last: Some(&entry),
        };
        for kind in [
            Workflow::Breakdown,
            Workflow::Goal,
            Workflow::Distracted,
            Workflow::WentWrong,
            Workflow::Kickoff,
        ] {
            for facts in [&empty, &known] {
                let text = prompts
                    .render(kind.template(), workflow_context(facts))
                    .unwrap_or_else(|e| panic!("{}: {e}", kind.template()))
                    .text;
                assert!(!text.trim().is_empty());
            }
        }
        // Without words of their own, the last logged session is what went wrong.
        let last_only = offline::Facts { said: "", ..known };
        let went_wrong = prompts
            .render("went-wrong", workflow_context(&last_only))
            .unwrap()
            .text;
        assert!(went_wrong.contains(&entry.task), "{went_wrong}");
        let said = prompts
            .render("went-wrong", workflow_context(&known))
            .unwrap()
            .text;
        assert!(
            said.contains("Planned against achieved: the intro."),
            "{said}"
        );
        for name in ["check-in", "break"] {
            let request = coach::turn(
                &prompts,
                name,
                context! { said => "Check-in: 12m in.", session => "The plan: …" },
            )
            .unwrap();
            assert!(request.messages[1].content.contains("Check-in: 12m in."));
            assert_eq!(request.max_tokens, Some(60));
        }
        let progress = prompts
            .render("progress", context! { session => "Block 2 of 3" })
            .unwrap();
        assert!(progress.text.contains("Block 2 of 3"));
    }
}
