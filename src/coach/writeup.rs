//! The model writes up a closed session: it turns the reflection into the record's fields
//! (checked; asked once more if they do not check out, else the person's direct answers
//! stand) and writes the summary. Any failure falls back to focus's own closing, so what the
//! person said is kept either way. Nothing is printed here: what went wrong comes back as
//! notes for the caller to show.

use std::sync::Arc;

use futures::StreamExt;

use super::prompts::Prompts;
use super::reflection;
use crate::llm::{self, ChatModel, Ending, LlmError, Reply, Request, Step, Usage};
use crate::session::machine::Machine;
use crate::store::journal::Header;
use crate::store::log::{Closing, Entry};

/// The reflection's answers as the person gave them; focus writes the summary.
pub fn offline_closing(machine: &Machine) -> Closing {
    Closing {
        answers: machine.session().answers().cloned().unwrap_or_default(),
        ..Closing::default()
    }
}

/// The closing the model writes for the session, and notes on what it could not do.
/// `spent`: what the model has used in the session already (its replies in the reflection).
pub async fn write_up(
    model: Arc<dyn ChatModel>,
    spent: Usage,
    prompts: &Prompts,
    header: &Header,
    machine: &Machine,
) -> (Closing, Vec<String>) {
    let mut notes = Vec::new();
    let session = machine.session();
    let direct = session.answers().cloned().unwrap_or_default();
    // As the extraction request counts them (no reflection leaves `direct` empty).
    let parked = session.parked().count();
    let criteria = session.criteria().len();
    let mut usage = spent;
    let mut add = |u: Usage| usage.add(u);

    let request = match reflection::extraction_request(prompts, session) {
        Ok(request) => request,
        Err(error) => {
            notes.push(format!("{error}; the record keeps your own answers"));
            return (offline_closing(machine), notes);
        }
    };
    let first = match collect(&model, &request).await {
        Ok((text, u)) => {
            add(u);
            text
        }
        Err(error) => {
            notes.push(format!(
                "the model could not write up the reflection ({error}); the record keeps your own answers"
            ));
            return (offline_closing(machine), notes);
        }
    };
    let extracted = match reflection::parse_extraction(&first, criteria, parked) {
        Ok(extracted) => Some(extracted),
        Err(problem) => {
            tracing::debug!(%problem, "the extraction did not validate; asking once more");
            let again = reflection::retry_request(&request, &first, &problem);
            match collect(&model, &again).await {
                Ok((text, u)) => {
                    add(u);
                    match reflection::parse_extraction(&text, criteria, parked) {
                        Ok(extracted) => Some(extracted),
                        Err(problem) => {
                            notes.push(format!(
                                "the model's reading of the reflection could not be used twice ({problem}); the record keeps your own answers"
                            ));
                            None
                        }
                    }
                }
                Err(error) => {
                    notes.push(format!(
                        "the model could not write up the reflection ({error}); the record keeps your own answers"
                    ));
                    None
                }
            }
        }
    };
    let answers = extracted.map_or_else(|| direct.clone(), |x| reflection::merge(&direct, &x));
    let draft = Entry::new(
        &header.id,
        header.time_scale,
        session,
        Closing {
            answers: answers.clone(),
            ..Closing::default()
        },
    );
    let summary = match reflection::summary_request(prompts, &draft) {
        Ok(request) => match collect(&model, &request).await {
            Ok((text, u)) => {
                add(u);
                reflection::tidy_summary(&text)
            }
            Err(error) => {
                notes.push(format!(
                    "the model could not write the summary ({error}); focus wrote its own"
                ));
                None
            }
        },
        Err(error) => {
            notes.push(format!("{error}; focus wrote the summary itself"));
            None
        }
    };
    let closing = Closing {
        answers,
        summary,
        model: Some(model.name().to_owned()),
        usage: Some(usage),
    };
    (closing, notes)
}

/// One request, its reply gathered silently (it is data, not for the screen).
async fn collect(
    model: &Arc<dyn ChatModel>,
    request: &Request,
) -> Result<(String, Usage), LlmError> {
    let mut reply = Reply::new(request);
    let mut stream = llm::with_trim(Arc::clone(model), request.clone());
    while let Some(item) = stream.next().await {
        if matches!(reply.absorb(item), Step::Ended) {
            break;
        }
    }
    if reply.ending().is_none() {
        reply.end_of_stream();
    }
    match reply.ending() {
        Some(Ending::Finished { .. }) if reply.text().trim().is_empty() => {
            Err(LlmError::NoAnswer {
                reasoning: !reply.reasoning().is_empty(),
            })
        }
        Some(Ending::Finished { .. }) => Ok((reply.text().to_owned(), reply.usage())),
        Some(Ending::CutOff(error) | Ending::Failed(error)) => Err(error.clone()),
        Some(Ending::Cancelled) | None => Err(LlmError::EndedEarly),
    }
}
