//! focus: a terminal accountability partner for focused work.
//!
//! The binary is a thin shell over [`run`]; everything it does lives here so that tests can
//! call it. [`session`] is the pure domain.

pub mod config;
pub mod session;
