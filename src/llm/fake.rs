//! A scripted [`ChatModel`] for tests: each turn plays the next script, and every request is
//! kept for the test to look at.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{ChatModel, Chunk, FinishReason, LlmError, ReplyStream, Request, Usage};

/// One step of a scripted reply.
#[derive(Debug, Clone)]
pub enum Say {
    /// Yield this item.
    Item(Result<Chunk, LlmError>),
    /// Wait this long first (tokio time, so a paused test clock skips it).
    Wait(Duration),
    /// Never yield anything more (a stalled server); only dropping the stream ends it.
    Hang,
}

/// A script for a whole reply: `text` in word-sized pieces, then `stop`.
pub fn reply(text: &str) -> Vec<Say> {
    let mut script: Vec<Say> = text
        .split_inclusive(' ')
        .map(|piece| Say::Item(Ok(Chunk::Text(piece.to_owned()))))
        .collect();
    script.push(Say::Item(Ok(Chunk::Usage(Usage {
        prompt_tokens: 10,
        completion_tokens: text.split_whitespace().count() as u32,
        cached_tokens: None,
        estimated: false,
    }))));
    script.push(Say::Item(Ok(Chunk::Finished {
        reason: FinishReason::Stop,
        skipped: 0,
    })));
    script
}

/// A script that fails at once with `error`.
pub fn failure(error: LlmError) -> Vec<Say> {
    vec![Say::Item(Err(error))]
}

/// Plays one script per turn, in order. A turn with no script left fails, so a test that
/// expects fewer turns than happen finds out.
#[derive(Debug, Clone, Default)]
pub struct Scripted {
    name: String,
    scripts: Arc<Mutex<VecDeque<Vec<Say>>>>,
    requests: Arc<Mutex<Vec<Request>>>,
    /// What [`ChatModel::probe`] says.
    probe: Option<LlmError>,
}

impl Scripted {
    pub fn new(scripts: impl IntoIterator<Item = Vec<Say>>) -> Scripted {
        Scripted {
            name: "scripted".to_owned(),
            scripts: Arc::new(Mutex::new(scripts.into_iter().collect())),
            requests: Arc::default(),
            probe: None,
        }
    }

    /// A model whose server does not answer the launch check.
    #[must_use]
    pub fn unreachable(mut self, error: LlmError) -> Scripted {
        self.probe = Some(error);
        self
    }

    /// Adds the script for another turn.
    pub fn push(&self, script: Vec<Say>) {
        self.scripts.lock().expect("scripts").push_back(script);
    }

    /// Every request sent so far, oldest first.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("requests").clone()
    }
}

impl ChatModel for Scripted {
    fn name(&self) -> &str {
        &self.name
    }

    fn probe(&self) -> futures::future::BoxFuture<'static, Result<(), LlmError>> {
        let probe = self.probe.clone();
        Box::pin(async move { probe.map_or(Ok(()), Err) })
    }

    fn stream(&self, request: Request) -> ReplyStream {
        self.requests.lock().expect("requests").push(request);
        let script = self.scripts.lock().expect("scripts").pop_front();
        Box::pin(async_stream::stream! {
            let Some(script) = script else {
                yield Err(LlmError::Settings("the scripted model has no reply left".to_owned()));
                return;
            };
            for step in script {
                match step {
                    Say::Item(item) => yield item,
                    Say::Wait(delay) => tokio::time::sleep(delay).await,
                    Say::Hang => std::future::pending::<()>().await,
                }
            }
        })
    }
}
