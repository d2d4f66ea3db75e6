//! The driver: it feeds typed lines, timer firings and signals to the session machine and
//! carries out its effects. `focus start` and `focus resume` run it on stdin; the REPL puts an
//! interactive front on the same driver.

pub mod command;
pub mod driver;

pub use driver::{Coach, Driver, Ending, Input};
