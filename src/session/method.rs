//! The ways of dividing focused time, and the rhythm each one follows.
//!
//! The defaults come from the workflow focus is built on: 25/5 pomodoros with a long break after
//! four, deep work in 50–60 minute blocks (or 90–120 once the time allows it), micro-sessions
//! of 5–25 minutes for fragmented days, a stacked chain the person writes out, or a custom
//! rhythm. The settings types live here so that the configuration can hold them as they are.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::duration::de;

/// How a session's time is divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Method {
    /// Picks what the workflow recommends for the time given.
    Auto,
    /// 25 minutes of work, 5 of break; a long break after every fourth.
    Pomodoro,
    /// Long blocks: 50–60 minutes, or 90–120 minutes in sessions over three hours.
    Deep,
    /// Short blocks of 5–25 minutes, for fragmented days.
    Micro,
    /// A chain written out by the person: "research 10, break 5, write 15".
    Stacked,
    /// Work and break lengths of the person's choosing.
    Custom,
}

impl Method {
    pub const ALL: [Method; 6] = [
        Method::Auto,
        Method::Pomodoro,
        Method::Deep,
        Method::Micro,
        Method::Stacked,
        Method::Custom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::Pomodoro => "pomodoro",
            Method::Deep => "deep",
            Method::Micro => "micro",
            Method::Stacked => "stacked",
            Method::Custom => "custom",
        }
    }

    /// One line for `--help` and error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Method::Auto => "choose for me from the time available",
            Method::Pomodoro => "25m work / 5m break, a long break after every 4th",
            Method::Deep => "50–60m blocks with 10m breaks; 90–120m blocks over 3 hours",
            Method::Micro => "short 5–25m blocks for a fragmented day",
            Method::Stacked => "your own chain, e.g. \"research 10, break 5, write 15\"",
            Method::Custom => "your own work and break lengths (--work, --break)",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A method name that is not one of [`Method::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown method `{0}`; expected one of auto, pomodoro, deep, micro, stacked, custom")]
pub struct UnknownMethod(pub String);

impl FromStr for Method {
    type Err = UnknownMethod;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_lowercase();
        Method::ALL
            .into_iter()
            .find(|method| method.name() == wanted)
            .ok_or_else(|| UnknownMethod(text.to_owned()))
    }
}

impl TryFrom<String> for Method {
    type Error = UnknownMethod;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

/// A plain work/break rhythm (micro and custom).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rhythm {
    /// Minutes of work per block.
    #[serde(deserialize_with = "de::minutes")]
    pub work: u32,
    /// Minutes of break between blocks.
    #[serde(rename = "break", deserialize_with = "de::minutes")]
    pub break_minutes: u32,
}

/// The pomodoro rhythm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PomodoroRhythm {
    #[serde(deserialize_with = "de::minutes")]
    pub work: u32,
    #[serde(rename = "break", deserialize_with = "de::minutes")]
    pub break_minutes: u32,
    #[serde(deserialize_with = "de::minutes")]
    pub long_break: u32,
    /// A long break follows every this many pomodoros.
    #[serde(deserialize_with = "de::whole::<1, 100, _>")]
    pub long_break_every: u32,
}

impl Default for PomodoroRhythm {
    fn default() -> Self {
        PomodoroRhythm {
            work: 25,
            break_minutes: 5,
            long_break: 15,
            long_break_every: 4,
        }
    }
}

/// The deep-work rhythms: short for sessions up to three hours, long beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeepRhythm {
    #[serde(deserialize_with = "de::minutes")]
    pub short_work: u32,
    #[serde(deserialize_with = "de::minutes")]
    pub short_break: u32,
    #[serde(deserialize_with = "de::minutes")]
    pub long_work: u32,
    #[serde(deserialize_with = "de::minutes")]
    pub long_break: u32,
}

impl Default for DeepRhythm {
    fn default() -> Self {
        DeepRhythm {
            short_work: 55,
            short_break: 10,
            long_work: 105,
            long_break: 15,
        }
    }
}

/// Every method's rhythm, as the planner needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rhythms {
    pub pomodoro: PomodoroRhythm,
    pub deep: DeepRhythm,
    pub micro: Rhythm,
    pub custom: Rhythm,
}

impl Default for Rhythms {
    fn default() -> Self {
        Rhythms {
            pomodoro: PomodoroRhythm::default(),
            deep: DeepRhythm::default(),
            micro: Rhythm {
                work: 15,
                break_minutes: 5,
            },
            custom: Rhythm {
                work: 45,
                break_minutes: 10,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_round_trip() {
        for method in Method::ALL {
            assert_eq!(method.name().parse::<Method>(), Ok(method));
        }
        assert_eq!(" Pomodoro ".parse::<Method>(), Ok(Method::Pomodoro));
    }

    #[test]
    fn an_unknown_method_lists_the_known_ones() {
        let err = "pomodor".parse::<Method>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown method `pomodor`; expected one of auto, pomodoro, deep, micro, stacked, custom"
        );
    }
}
