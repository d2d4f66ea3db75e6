//! The domain of a focus session: lengths of time, methods, the planner, and the state machine
//! that runs a session.
//!
//! This module is pure. It does no I/O, reads no clock and no environment, and spawns nothing:
//! every function takes the instants and settings it needs as arguments and returns values, so
//! every rule of the workflow is tested without time passing. The edge (`crate::app`) reads the
//! clock and the terminal and hands the values in.

pub mod duration;
pub mod goal;
pub mod machine;
pub mod method;
pub mod plan;
pub mod reflection;
pub mod request;
pub mod schedule;
pub mod stack;
pub mod words;

pub use duration::{ClockTime, DurationError, format_minutes, parse_clock, parse_minutes};
pub use method::{DeepRhythm, Method, PomodoroRhythm, Rhythm, Rhythms};
pub use plan::{Block, BlockKind, Note, NoteKind, Plan, PlanError, PlanRequest, plan};
pub use schedule::{CheckInKind, CheckIns};
pub use stack::{StackError, Step, parse_stack};
