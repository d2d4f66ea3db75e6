//! The one place focus reads the wall clock. Everything else takes instants as arguments
//! (clippy's `disallowed-methods` enforces it), so the domain can be tested at any time of day.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Local, SubsecRound, TimeDelta};

/// The current local time.
#[allow(clippy::disallowed_methods)]
pub fn now() -> DateTime<Local> {
    Local::now()
}

/// Where a long-running loop reads the time: the wall clock, or, for tests, a clock that
/// starts at a chosen instant and moves with tokio's (paused) time, so a test drives whole
/// sessions in no time at all.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    /// `origin` at the tokio instant `since`, moving with tokio's clock from there.
    Tokio {
        origin: DateTime<FixedOffset>,
        since: tokio::time::Instant,
    },
}

impl Clock {
    /// A clock at `origin` now, moving with tokio's clock.
    pub fn tokio(origin: DateTime<FixedOffset>) -> Clock {
        Clock::Tokio {
            origin,
            since: tokio::time::Instant::now(),
        }
    }

    /// The wall instant now.
    pub fn now(&self) -> DateTime<FixedOffset> {
        match self {
            Clock::System => now().fixed_offset(),
            Clock::Tokio { origin, since } => {
                let passed = tokio::time::Instant::now() - *since;
                *origin + TimeDelta::from_std(passed).unwrap_or(TimeDelta::MAX)
            }
        }
    }
}

/// The time scales a session may run at: from a hundredth of real time (a long, slow demo)
/// to 10000 times faster (a whole session in seconds, for tests).
pub const TIME_SCALES: std::ops::RangeInclusive<f64> = 0.01..=10_000.0;

/// A session's clock: wall time from `origin` on, running `scale` times faster. At scale 1 it
/// is the wall clock. Session instants are what the machine and the journal see; wall instants
/// are what the driver sleeps until.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionClock {
    origin: DateTime<FixedOffset>,
    scale: f64,
}

impl SessionClock {
    pub fn new(origin: DateTime<FixedOffset>, scale: f64) -> SessionClock {
        SessionClock { origin, scale }
    }

    /// The session instant now, to the millisecond (journals stay readable).
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.session_at(now().fixed_offset()).round_subsecs(3)
    }

    /// The session instant at wall instant `wall`.
    pub fn session_at(&self, wall: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        self.origin + scale_delta(wall - self.origin, self.scale)
    }

    /// The wall instant at session instant `at`.
    pub fn wall_at(&self, at: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        self.origin + scale_delta(at - self.origin, 1.0 / self.scale)
    }

    /// Wall time from now until session instant `at` (zero if it has passed).
    pub fn until(&self, at: DateTime<FixedOffset>) -> Duration {
        (self.wall_at(at) - now().fixed_offset())
            .to_std()
            .unwrap_or(Duration::ZERO)
    }
}

fn scale_delta(delta: TimeDelta, factor: f64) -> TimeDelta {
    if (factor - 1.0).abs() < f64::EPSILON {
        return delta;
    }
    let micros = delta.num_microseconds().unwrap_or(i64::MAX) as f64 * factor;
    TimeDelta::microseconds(micros as i64)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_scaled_clock_maps_session_and_wall_instants_both_ways() {
        let origin = FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .unwrap();
        let clock = SessionClock::new(origin, 60.0);
        let wall = origin + TimeDelta::seconds(25);
        assert_eq!(clock.session_at(wall), origin + TimeDelta::minutes(25));
        assert_eq!(clock.wall_at(origin + TimeDelta::minutes(25)), wall);
        let real = SessionClock::new(origin, 1.0);
        assert_eq!(real.session_at(wall), wall);
    }
}
