//! `focus ask`: one message to the coach, the reply streamed to standard output.

use std::io::{self, Read, Write};
use std::time::Duration;

use futures::StreamExt;

use super::running::session_status;
use crate::cli::AskArgs;
use crate::coach::prompts::Prompts;
use crate::coach::{self, Offline};
use crate::config::{Env, Settings};
use crate::error::Error;
use crate::llm::{self, Ending, FinishReason, LlmError, Message, Reply, Request, Step};

/// Sends the message (with the running session's context, if there is one) and prints the
/// reply as it arrives. Offline, prints the offline coach's answer instead: a success when
/// offline was chosen, a failure (after the answer) when the model is unavailable.
pub(super) fn ask(
    args: &AskArgs,
    settings: &Settings,
    env: &Env,
    offline: bool,
    prompts: &Prompts,
) -> Result<(), Error> {
    let text = message(&args.text)?;
    // A one-off message has no template of its own: the system template's front matter
    // sets the turn's parameters.
    let system = prompts.render("system", minijinja::context! {})?;
    let mut messages = vec![Message::system(system.text)];
    if let Some(status) = session_status(settings) {
        messages.push(Message::system(coach::session_context(&status)));
    }
    messages.push(Message::user(text));
    let mut request = Request::new(messages);
    request.temperature = system.params.temperature;
    request.max_tokens = system
        .params
        .max_tokens
        .or(Some(settings.llm.max_reply_tokens));

    let chosen = if offline {
        Some("--offline")
    } else if settings.llm.offline {
        Some("llm.offline = true")
    } else {
        None
    };
    if let Some(by) = chosen {
        return say_offline(&Offline::Chosen { by });
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("cannot start the network runtime"))?;
    runtime.block_on(async {
        match llm::connect(&settings.llm, env).await {
            Ok(model) => stream_reply(model, request, args.usage).await,
            Err(error) if error.means_offline() => {
                say_offline(&Offline::Unavailable(error.clone()))?;
                Err(error.into())
            }
            Err(error) => Err(error.into()),
        }
    })
}

/// The words of the message; `-` stands for standard input.
fn message(words: &[String]) -> Result<String, Error> {
    let mut parts = Vec::with_capacity(words.len());
    for word in words {
        if word == "-" {
            let mut input = String::new();
            io::stdin()
                .read_to_string(&mut input)
                .map_err(Error::io("cannot read the message from standard input"))?;
            parts.push(input.trim().to_owned());
        } else {
            parts.push(word.trim().to_owned());
        }
    }
    let text = parts.join(" ").trim().to_owned();
    if text.is_empty() {
        return Err(Error::Input(
            "the message is empty: write it after `focus ask`, e.g. focus ask \"how do I start?\""
                .to_owned(),
        ));
    }
    Ok(text)
}

fn say_offline(offline: &Offline) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    writeln!(out, "{}", coach::offline::chat(offline)).map_err(Error::io("cannot write the answer"))
}

fn notice(line: &str) {
    let _ = writeln!(io::stderr(), "focus: {line}");
}

pub(super) async fn stream_reply(
    model: std::sync::Arc<dyn llm::ChatModel>,
    request: Request,
    show_usage: bool,
) -> Result<(), Error> {
    let name = model.name().to_owned();
    let limit = request.max_tokens;
    let mut reply = Reply::new(&request);
    let mut stream = llm::with_trim(model, request);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut out = io::stdout();
    let write_failed = Error::io("cannot write the reply");
    let mut line_open = false;
    loop {
        tokio::select! {
            item = stream.next() => {
                let Some(item) = item else {
                    reply.end_of_stream();
                    break;
                };
                match reply.absorb(item) {
                    Step::Text(text) => {
                        if let Some(last) = text.chars().last() {
                            line_open = last != '\n';
                        }
                        if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                            return Err(write_failed(e));
                        }
                    }
                    Step::Retrying(retry) => notice(&format!(
                        "{}; retrying in {} ({} of {})",
                        retry.cause,
                        seconds(retry.delay),
                        retry.attempt,
                        retry.of
                    )),
                    Step::Trimmed { dropped } => notice(&format!(
                        "the conversation was too long for the model; sent it again without {dropped} older message{}",
                        if dropped == 1 { "" } else { "s" }
                    )),
                    Step::Reasoning(_) | Step::Quiet => {}
                    Step::Ended => break,
                }
            }
            _ = &mut ctrl_c => {
                reply.cancel();
                break;
            }
        }
    }
    // Dropping the stream closes the connection (a cancelled reply stops costing tokens).
    drop(stream);
    if line_open {
        writeln!(out).map_err(write_failed)?;
    }
    if show_usage {
        let usage = reply.usage();
        notice(&format!(
            "{name}: {} prompt{} + {} reply tokens{}",
            usage.prompt_tokens,
            usage
                .cached_tokens
                .map_or_else(String::new, |cached| format!(" ({cached} cached)")),
            usage.completion_tokens,
            if usage.estimated { " (estimated)" } else { "" }
        ));
    }
    conclude(&reply, limit)
}

/// What the reply's ending means for the exit: notes on stderr, and the error to exit with.
fn conclude(reply: &Reply, limit: Option<u32>) -> Result<(), Error> {
    match reply.ending() {
        Some(Ending::Finished { .. }) if reply.text().trim().is_empty() => {
            Err(LlmError::NoAnswer {
                reasoning: !reply.reasoning().is_empty(),
            }
            .into())
        }
        Some(Ending::Finished { reason, skipped }) => {
            match reason {
                FinishReason::Stop => {}
                FinishReason::Length => notice(&limit.map_or_else(
                    || "the reply stopped at the model's length limit".to_owned(),
                    |max| format!("the reply stopped at its length limit, {max} tokens (llm.max_reply_tokens)"),
                )),
                FinishReason::ContentFilter => {
                    notice("the provider's content filter stopped the reply");
                }
                FinishReason::Other(why) => notice(&format!("the reply ended ({why})")),
            }
            if *skipped > 0 {
                notice(&format!(
                    "{skipped} piece{} of the reply could not be read, so the text may have a gap",
                    if *skipped == 1 { "" } else { "s" }
                ));
            }
            Ok(())
        }
        Some(Ending::CutOff(error)) => {
            notice("the reply above is incomplete");
            Err(error.clone().into())
        }
        Some(Ending::Failed(error)) => {
            if error.means_offline() {
                say_offline(&Offline::Unavailable(error.clone()))?;
            }
            Err(error.clone().into())
        }
        Some(Ending::Cancelled) if reply.text().is_empty() => Err(Error::Cancelled(
            "cancelled before the reply began".to_owned(),
        )),
        Some(Ending::Cancelled) | None => Err(Error::Cancelled(
            "cancelled; the reply above is incomplete".to_owned(),
        )),
    }
}

/// "1.5 s", "12 s"
fn seconds(delay: Duration) -> String {
    let secs = delay.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.1} s")
    } else {
        format!("{secs:.0} s")
    }
}
