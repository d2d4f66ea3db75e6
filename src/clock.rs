//! The one place focus reads the wall clock. Everything else takes instants as arguments
//! (clippy's `disallowed-methods` enforces it), so the domain can be tested at any time of day.

use chrono::{DateTime, Local};

/// The current local time.
#[allow(clippy::disallowed_methods)]
pub fn now() -> DateTime<Local> {
    Local::now()
}
