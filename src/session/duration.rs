//! Lengths of time and clock times as a person types them.
//!
//! Everything here parses text into values and formats values back into text; nothing reads
//! the clock. A length is a whole number of minutes between 1 and [`MAX_MINUTES`]: focus works
//! in minutes, and a single plan longer than 12 hours is a typo, not a session.

use std::fmt;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};

/// The longest length a plan or a setting may have (12 hours).
pub const MAX_MINUTES: u32 = 12 * 60;

/// Why a piece of text is not a usable length or clock time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("no length given; try 25m, 1h30 or 2 hours")]
    Empty,
    #[error("`{0}` is not a length; try 25m, 1h30, 1.5h or 2 hours")]
    Garbage(String),
    #[error("`{0}` is negative; give a length such as 25m")]
    Negative(String),
    #[error("`{0}` is zero minutes; a session needs at least one minute")]
    Zero(String),
    #[error("`{0}` is longer than 12 hours; plan a shorter session (3 hours at most is best)")]
    TooLong(String),
    #[error("`{0}` uses seconds; focus counts whole minutes (e.g. 1m)")]
    Seconds(String),
    #[error("`{0}` has a fraction of a minute; focus counts whole minutes (e.g. 25m, or 1.5h)")]
    Fraction(String),
    #[error(
        "`{0}` looks like a clock time; write a length as 1h30, or use --until for an end time"
    )]
    LooksLikeClock(String),
    #[error("`{0}` is not a clock time; try 16:00, 9:30, 4pm or \"2026-11-20 16:00\"")]
    BadClock(String),
}

/// Parses a length such as `25`, `25m`, `90 min`, `1h`, `1h30`, `1h 30m`, `1.5h` or `2 hours`
/// into whole minutes (fractions are rounded to the nearest minute).
pub fn parse_minutes(text: &str) -> Result<u32, DurationError> {
    let raw = text.trim();
    if raw.is_empty() {
        return Err(DurationError::Empty);
    }
    let lower = raw.to_lowercase();
    if lower.starts_with('-') {
        return Err(DurationError::Negative(raw.to_owned()));
    }
    if looks_like_clock(&lower) {
        return Err(DurationError::LooksLikeClock(raw.to_owned()));
    }
    let garbage = || DurationError::Garbage(raw.to_owned());

    let tokens = tokenize(&lower).ok_or_else(garbage)?;
    let mut hours: Option<f64> = None;
    let mut minutes: Option<f64> = None;
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        let Token::Number(value, fractional) = token else {
            return Err(garbage());
        };
        let unit = match iter.peek() {
            Some(Token::Word(_)) => match iter.next() {
                Some(Token::Word(word)) => Some(word),
                _ => unreachable!("peeked a word"),
            },
            _ => None,
        };
        match unit.as_deref().map(Unit::from_word) {
            Some(Some(Unit::Hours)) if hours.is_none() && minutes.is_none() => hours = Some(value),
            // A bare number is minutes: on its own (`25`) or after hours (`1h30`).
            Some(Some(Unit::Minutes)) | None if minutes.is_none() => {
                if fractional {
                    return Err(DurationError::Fraction(raw.to_owned()));
                }
                minutes = Some(value);
            }
            Some(Some(Unit::Seconds)) => return Err(DurationError::Seconds(raw.to_owned())),
            _ => return Err(garbage()),
        }
    }
    if hours.is_none() && minutes.is_none() {
        return Err(garbage());
    }
    let total = hours.unwrap_or(0.0) * 60.0 + minutes.unwrap_or(0.0);
    let rounded = total.round();
    if rounded < 1.0 {
        return Err(DurationError::Zero(raw.to_owned()));
    }
    if rounded > f64::from(MAX_MINUTES) {
        return Err(DurationError::TooLong(raw.to_owned()));
    }
    Ok(rounded as u32)
}

/// Formats minutes the way focus prints lengths: `25m`, `1h`, `1h 30m`.
pub fn format_minutes(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m:02}m"),
    }
}

/// A clock time as typed: a time of day (`16:00`, `4pm`) or a full date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockTime {
    TimeOfDay(NaiveTime),
    At(NaiveDateTime),
}

impl ClockTime {
    /// The instant this clock time names when it is used as a start: a bare time of day is on
    /// `today`.
    pub fn on(self, today: NaiveDate) -> NaiveDateTime {
        match self {
            ClockTime::TimeOfDay(time) => today.and_time(time),
            ClockTime::At(at) => at,
        }
    }

    /// The instant this clock time names as an end after `start`: a bare time of day that has
    /// already passed on the start's day means the next day (`--until 01:00` late at night).
    pub fn after(self, start: NaiveDateTime) -> NaiveDateTime {
        match self {
            ClockTime::TimeOfDay(time) => {
                let same_day = start.date().and_time(time);
                if same_day > start {
                    same_day
                } else {
                    same_day + Days::new(1)
                }
            }
            ClockTime::At(at) => at,
        }
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClockTime::TimeOfDay(time) => write!(f, "{}", time.format("%H:%M")),
            ClockTime::At(at) => write!(f, "{}", at.format("%Y-%m-%d %H:%M")),
        }
    }
}

/// Parses `16:00`, `9:30`, `4pm`, `4:30 pm`, `2026-11-20 16:00` or `2026-11-20T16:00`.
pub fn parse_clock(text: &str) -> Result<ClockTime, DurationError> {
    let raw = text.trim();
    let bad = || DurationError::BadClock(raw.to_owned());
    let lower = raw.to_lowercase();
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(&lower.to_uppercase(), format) {
            return Ok(ClockTime::At(at));
        }
    }
    parse_time_of_day(&lower)
        .map(ClockTime::TimeOfDay)
        .ok_or_else(bad)
}

fn parse_time_of_day(lower: &str) -> Option<NaiveTime> {
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let (body, meridiem) = if let Some(body) = compact.strip_suffix("am") {
        (body, Some(false))
    } else if let Some(body) = compact.strip_suffix("pm") {
        (body, Some(true))
    } else {
        (compact.as_str(), None)
    };
    let (hour, minute) = match body.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        // `16` alone is ambiguous with a length; only `4pm` style is accepted without minutes.
        None if meridiem.is_some() => (body.parse::<u32>().ok()?, 0),
        Some(_) | None => return None,
    };
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        Some(_) => return None,
        None => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, 0)
}

fn looks_like_clock(lower: &str) -> bool {
    lower.contains(':') || lower.ends_with("am") || lower.ends_with("pm")
}

#[derive(Debug, PartialEq)]
enum Token {
    /// A value, and whether it was written with a decimal point or comma.
    Number(f64, bool),
    Word(String),
}

enum Unit {
    Hours,
    Minutes,
    Seconds,
}

impl Unit {
    fn from_word(word: &str) -> Option<Unit> {
        match word {
            "h" | "hr" | "hrs" | "hour" | "hours" => Some(Unit::Hours),
            "m" | "min" | "mins" | "minute" | "minutes" => Some(Unit::Minutes),
            "s" | "sec" | "secs" | "second" | "seconds" => Some(Unit::Seconds),
            _ => None,
        }
    }
}

/// Splits `1h 30m`, `1.5h`, `90 min` and `1 hour and 30 minutes` into numbers and words.
fn tokenize(lower: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = lower.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_digit() || c == '.' {
            // Digits with at most one decimal point or comma between digits: `1.5`, `1,5`.
            let mut number = String::new();
            while let Some(&d) = chars.peek() {
                let separator =
                    (d == '.' || d == ',') && number.ends_with(|p: char| p.is_ascii_digit());
                if d.is_ascii_digit() || separator || (d == '.' && number.is_empty()) {
                    number.push(if d == ',' { '.' } else { d });
                    chars.next();
                } else {
                    break;
                }
            }
            if number.ends_with('.') || number.matches('.').count() > 1 {
                return None;
            }
            let value: f64 = number.parse().ok()?;
            if !value.is_finite() {
                return None;
            }
            tokens.push(Token::Number(value, number.contains('.')));
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_alphabetic() {
                    word.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if word != "and" {
                tokens.push(Token::Word(word));
            }
        } else {
            return None;
        }
    }
    Some(tokens)
}

/// Serde helpers for settings given in minutes: a whole number (`25`) or a length (`"1h30"`).
/// Errors name the accepted range, so a config error says what is expected.
pub mod de {
    use std::fmt;

    use serde::Deserializer;
    use serde::de::{Error, Unexpected, Visitor};

    use super::{MAX_MINUTES, parse_minutes};

    struct Bounded {
        min: u32,
        max: u32,
        what: &'static str,
        text: bool,
    }

    impl Visitor<'_> for Bounded {
        type Value = u32;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} from {} to {}", self.what, self.min, self.max)?;
            if self.text {
                f.write_str(" (e.g. 25 or \"1h30\")")?;
            }
            Ok(())
        }

        fn visit_u64<E: Error>(self, value: u64) -> Result<u32, E> {
            match u32::try_from(value) {
                Ok(v) if (self.min..=self.max).contains(&v) => Ok(v),
                _ => Err(E::invalid_value(Unexpected::Unsigned(value), &self)),
            }
        }

        fn visit_i64<E: Error>(self, value: i64) -> Result<u32, E> {
            match u64::try_from(value) {
                Ok(v) => self.visit_u64(v),
                Err(_) => Err(E::invalid_value(Unexpected::Signed(value), &self)),
            }
        }

        fn visit_f64<E: Error>(self, value: f64) -> Result<u32, E> {
            Err(E::invalid_value(Unexpected::Float(value), &self))
        }

        fn visit_str<E: Error>(self, value: &str) -> Result<u32, E> {
            if !self.text {
                // Numbers from the environment arrive as text.
                return match value.trim().parse::<i64>() {
                    Ok(n) => self.visit_i64(n),
                    Err(_) => Err(E::invalid_value(Unexpected::Str(value), &self)),
                };
            }
            if value.trim() == "0" && self.min == 0 {
                return Ok(0);
            }
            match parse_minutes(value) {
                Ok(v) if (self.min..=self.max).contains(&v) => Ok(v),
                _ => Err(E::invalid_value(Unexpected::Str(value), &self)),
            }
        }
    }

    /// A length in minutes, 1 to 720.
    pub fn minutes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_any(Bounded {
            min: 1,
            max: MAX_MINUTES,
            what: "a number of minutes",
            text: true,
        })
    }

    /// A length in minutes where 0 turns the thing off.
    pub fn minutes_or_off<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_any(Bounded {
            min: 0,
            max: MAX_MINUTES,
            what: "a number of minutes (0 = off)",
            text: true,
        })
    }

    /// A whole number from `MIN` to `MAX` (counts, seconds).
    pub fn whole<'de, const MIN: u32, const MAX: u32, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<u32, D::Error> {
        deserializer.deserialize_any(Bounded {
            min: MIN,
            max: MAX,
            what: "a whole number",
            text: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_documented_form() {
        for (text, minutes) in [
            ("25", 25),
            ("25m", 25),
            ("90 min", 90),
            ("90 mins", 90),
            ("45 minutes", 45),
            ("1h", 60),
            ("1h30", 90),
            ("1h 30m", 90),
            ("1h30m", 90),
            ("1.5h", 90),
            ("1,5h", 90),
            ("2 hours", 120),
            ("1 hour and 15 minutes", 75),
            ("  50M  ", 50),
            ("0.75h", 45),
            ("12h", 720),
        ] {
            assert_eq!(parse_minutes(text), Ok(minutes), "{text}");
        }
    }

    #[test]
    fn rejects_invalid_lengths_with_a_reason() {
        assert_eq!(parse_minutes(""), Err(DurationError::Empty));
        assert_eq!(parse_minutes("0"), Err(DurationError::Zero("0".into())));
        assert_eq!(parse_minutes("0h"), Err(DurationError::Zero("0h".into())));
        assert_eq!(
            parse_minutes("-25m"),
            Err(DurationError::Negative("-25m".into()))
        );
        assert_eq!(
            parse_minutes("13h"),
            Err(DurationError::TooLong("13h".into()))
        );
        assert_eq!(
            parse_minutes("721"),
            Err(DurationError::TooLong("721".into()))
        );
        assert_eq!(
            parse_minutes("90s"),
            Err(DurationError::Seconds("90s".into()))
        );
        assert_eq!(
            parse_minutes("1:30"),
            Err(DurationError::LooksLikeClock("1:30".into()))
        );
        for garbage in [
            "soon",
            "abc",
            "h",
            "25 parsecs",
            "1h 2h",
            "30m 1h",
            "1..5h",
            "25m!",
            "m25",
        ] {
            assert_eq!(
                parse_minutes(garbage),
                Err(DurationError::Garbage(garbage.into())),
                "{garbage}"
            );
        }
    }

    #[test]
    fn errors_say_what_to_type() {
        let message = parse_minutes("soon").unwrap_err().to_string();
        assert_eq!(
            message,
            "`soon` is not a length; try 25m, 1h30, 1.5h or 2 hours"
        );
    }

    #[test]
    fn formats_lengths_compactly() {
        assert_eq!(format_minutes(25), "25m");
        assert_eq!(format_minutes(60), "1h");
        assert_eq!(format_minutes(90), "1h 30m");
        assert_eq!(format_minutes(125), "2h 05m");
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn parses_clock_times() {
        assert_eq!(parse_clock("16:00"), Ok(ClockTime::TimeOfDay(time(16, 0))));
        assert_eq!(parse_clock("9:30"), Ok(ClockTime::TimeOfDay(time(9, 30))));
        assert_eq!(parse_clock("4pm"), Ok(ClockTime::TimeOfDay(time(16, 0))));
        assert_eq!(
            parse_clock("4:30 PM"),
            Ok(ClockTime::TimeOfDay(time(16, 30)))
        );
        assert_eq!(parse_clock("12am"), Ok(ClockTime::TimeOfDay(time(0, 0))));
        assert_eq!(parse_clock("12pm"), Ok(ClockTime::TimeOfDay(time(12, 0))));
        let at = NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_time(time(9, 0));
        assert_eq!(parse_clock("2026-11-20 09:00"), Ok(ClockTime::At(at)));
        assert_eq!(parse_clock("2026-11-20T09:00"), Ok(ClockTime::At(at)));
        for bad in ["25:00", "16", "13pm", "9:5", "noon", "", "2026-13-01 09:00"] {
            assert_eq!(
                parse_clock(bad),
                Err(DurationError::BadClock(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_end_time_that_has_passed_today_means_tomorrow() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let late = day.and_time(time(23, 0));
        let until = parse_clock("01:00").unwrap();
        assert_eq!(until.after(late), (day + Days::new(1)).and_time(time(1, 0)));
        let morning = day.and_time(time(9, 0));
        assert_eq!(
            parse_clock("16:00").unwrap().after(morning),
            day.and_time(time(16, 0))
        );
        assert_eq!(
            parse_clock("09:00").unwrap().after(morning),
            (day + Days::new(1)).and_time(time(9, 0))
        );
    }
}
