//! focus: a terminal accountability partner for focused work.
//!
//! The binary is a thin shell over [`run`]; everything it does lives here so that tests can
//! call it. [`session`] is the pure domain; [`config`] the settings; [`output`] what is
//! printed; [`app`] the edge that reads the clock, the environment and the files; [`usage`]
//! the tokens a model turn took, counted by [`llm`] and kept by [`store`], which does not
//! depend on the client.

pub mod app;
pub mod cli;
pub mod clock;
pub mod coach;
pub mod config;
pub mod error;
pub mod llm;
pub mod output;
pub mod repl;
pub mod session;
pub mod store;
pub mod text;
pub mod usage;

pub use app::run;
pub use error::Error;
