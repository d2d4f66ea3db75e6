//! Which check-ins fall inside a work block, and when.
//!
//! Offsets count *active* seconds since the block began, so a pause moves every later check-in
//! with it. The start and the end of a block are transitions of the machine, not check-ins, and
//! are not listed here.

use serde::{Deserialize, Serialize};

use super::duration::de;

/// `[session.checkins]`: when the coach checks in during a block. Minutes; 0 turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckIns {
    /// Name the block's goal when it starts.
    pub block_start: bool,
    /// Blocks at least this long get a check-in around their middle.
    #[serde(deserialize_with = "de::minutes_or_off")]
    pub mid_block_from: u32,
    /// Blocks at least twice this long get a check-in this often instead of one in the middle.
    #[serde(deserialize_with = "de::minutes_or_off")]
    pub mid_block_every: u32,
    /// A warning this many minutes before a block ends.
    #[serde(deserialize_with = "de::minutes_or_off")]
    pub end_warning: u32,
    /// One gentle follow-up this many minutes after an unanswered check-in.
    #[serde(deserialize_with = "de::minutes_or_off")]
    pub follow_up: u32,
}

impl Default for CheckIns {
    fn default() -> Self {
        CheckIns {
            block_start: true,
            mid_block_from: 20,
            mid_block_every: 30,
            end_warning: 2,
            follow_up: 5,
        }
    }
}

/// A check-in inside a work block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckInKind {
    /// "How is it going?" around the middle, or every `mid_block_every` minutes.
    Middle,
    /// "A couple of minutes left."
    EndWarning,
}

/// The check-ins of a work block lasting `length` active seconds, as (offset in active seconds,
/// kind), in order. Every offset is above 0 and below `length`.
///
/// - a block of at least `mid_block_from` minutes gets one in its middle, or, when it is at
///   least twice `mid_block_every` long, one every `mid_block_every` minutes, none of them in
///   the last half-interval (the end warning and the end are close enough);
/// - a block longer than twice `end_warning` gets a warning `end_warning` minutes before its end.
pub fn within_block(length: i64, rules: &CheckIns) -> Vec<(i64, CheckInKind)> {
    let warning = i64::from(rules.end_warning) * 60;
    let warning_at = (warning > 0 && length > 2 * warning).then(|| length - warning);
    let before_warning = |offset: i64| warning_at.is_none_or(|w| offset < w);

    let mut checkins = Vec::new();
    let from = i64::from(rules.mid_block_from) * 60;
    let every = i64::from(rules.mid_block_every) * 60;
    if from > 0 && length >= from {
        if every > 0 && length >= 2 * every {
            let mut offset = every;
            while offset <= length - every / 2 && before_warning(offset) {
                checkins.push((offset, CheckInKind::Middle));
                offset += every;
            }
        } else if before_warning(length / 2) {
            checkins.push((length / 2, CheckInKind::Middle));
        }
    }
    if let Some(at) = warning_at {
        checkins.push((at, CheckInKind::EndWarning));
    }
    checkins
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(length_minutes: i64, rules: &CheckIns) -> Vec<(f64, CheckInKind)> {
        within_block(length_minutes * 60, rules)
            .into_iter()
            .map(|(offset, kind)| (offset as f64 / 60.0, kind))
            .collect()
    }

    use CheckInKind::{EndWarning as W, Middle as M};

    #[test]
    fn a_pomodoro_gets_a_middle_and_a_warning() {
        assert_eq!(minutes(25, &CheckIns::default()), [(12.5, M), (23.0, W)]);
    }

    #[test]
    fn a_short_block_gets_only_the_warning() {
        assert_eq!(minutes(15, &CheckIns::default()), [(13.0, W)]);
        assert_eq!(minutes(5, &CheckIns::default()), [(3.0, W)]);
    }

    #[test]
    fn a_block_too_short_for_a_warning_gets_nothing() {
        assert_eq!(minutes(4, &CheckIns::default()), []);
        assert_eq!(minutes(1, &CheckIns::default()), []);
    }

    #[test]
    fn deep_blocks_check_in_every_half_hour_once_they_are_long() {
        let rules = CheckIns::default();
        assert_eq!(minutes(55, &rules), [(27.5, M), (53.0, W)]);
        assert_eq!(minutes(60, &rules), [(30.0, M), (58.0, W)]);
        assert_eq!(minutes(90, &rules), [(30.0, M), (60.0, M), (88.0, W)]);
        assert_eq!(
            minutes(105, &rules),
            [(30.0, M), (60.0, M), (90.0, M), (103.0, W)]
        );
        assert_eq!(minutes(100, &rules), [(30.0, M), (60.0, M), (98.0, W)]);
    }

    #[test]
    fn zero_turns_a_check_in_off() {
        let no_middle = CheckIns {
            mid_block_from: 0,
            ..CheckIns::default()
        };
        assert_eq!(minutes(50, &no_middle), [(48.0, W)]);
        let no_warning = CheckIns {
            end_warning: 0,
            ..CheckIns::default()
        };
        assert_eq!(minutes(25, &no_warning), [(12.5, M)]);
        let only_middles = CheckIns {
            mid_block_every: 0,
            ..no_warning
        };
        assert_eq!(minutes(120, &only_middles), [(60.0, M)]);
    }

    #[test]
    fn offsets_are_inside_the_block_and_in_order_for_every_length() {
        for rules in [
            CheckIns::default(),
            CheckIns {
                mid_block_every: 25,
                end_warning: 5,
                ..CheckIns::default()
            },
        ] {
            for length in 1..=720 * 60 / 7 {
                let length = i64::from(length) * 7;
                let checkins = within_block(length, &rules);
                assert!(
                    checkins
                        .windows(2)
                        .all(|pair| pair[0].0 < pair[1].0 && pair[1].0 - pair[0].0 >= 60),
                    "{length}: {checkins:?}"
                );
                assert!(checkins.iter().all(|&(o, _)| 0 < o && o < length));
            }
        }
    }
}
