//! The errors `focus` reports, and the exit code of each.
//!
//! Messages are one line, start in lower case and say what to do next. The shell (`main.rs`)
//! prints them after `focus: `.

use std::io;

use crate::coach::prompts::PromptError;
use crate::config::ConfigError;
use crate::llm::LlmError;
use crate::session::PlanError;
use crate::store::JournalError;

/// Exit code for a bad command line, configuration or input (as clap uses).
pub const EXIT_USAGE: u8 = 2;
/// Exit code for a failure while doing the work (I/O, …).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code after Ctrl-C, as shells report a process ended by SIGINT.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A prompt template in the config directory is broken.
    #[error(transparent)]
    Prompt(#[from] PromptError),
    /// Input that parsed but does not make sense (e.g. an end time before the start).
    #[error("{0}")]
    Input(String),
    /// The sessions on disk do not allow it (nothing to resume, one already under way).
    #[error("{0}")]
    State(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A turn with the model failed.
    #[error(transparent)]
    Model(#[from] LlmError),
    /// The person stopped it (Ctrl-C).
    #[error("{0}")]
    Cancelled(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl Error {
    pub fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_)
            | Error::Plan(_)
            | Error::Prompt(_)
            | Error::Input(_)
            | Error::Model(LlmError::Settings(_)) => EXIT_USAGE,
            Error::State(_) | Error::Journal(_) | Error::Model(_) | Error::Io { .. } => {
                EXIT_FAILURE
            }
            Error::Cancelled(_) => EXIT_INTERRUPTED,
        }
    }

    /// A closed pipe (`focus plan … | head -1`) is not a failure worth reporting.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}
