//! Turns session moments into words. The machine decides *what* to say (a typed
//! [`Message`](crate::session::machine::Message)); the coach decides *how*.
//!
//! [`offline`] is the deterministic wording used with no model; it is also what every
//! check-in shows first, so a check-in never waits on a network.

pub mod offline;
