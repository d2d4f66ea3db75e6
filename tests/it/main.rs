//! Integration tests: the real `focus` binary, run with a scrubbed environment and a temporary
//! HOME, so nothing of the developer's machine (config, keys, time zone) leaks in.

mod harness;
#[path = "../support/server.rs"]
mod server;

mod ask;
mod config;
mod llm;
mod log;
mod plan;
mod records;
mod repl;
mod session;
mod shell;
mod words;
