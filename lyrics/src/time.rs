//! `SongTime`: a position in a song.
//!
//! Every crate that speaks song positions uses this one type (see `ARCHITECTURE.md`): lyrics,
//! scoring and render. It counts microseconds, fine enough for audio-rate queries (one frame at
//! 48 kHz is about 21 µs) and wide enough for any song. Times before the song starts are
//! negative; the lyrics model never holds one, but arithmetic on them is well defined.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

/// A position in a song (or a span of song time), in microseconds from the song's start.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct SongTime(i64);

impl SongTime {
    /// The start of the song.
    pub const ZERO: SongTime = SongTime(0);
    /// The latest representable time; used as "never".
    pub const MAX: SongTime = SongTime(i64::MAX);

    /// A time from whole microseconds.
    pub const fn from_micros(micros: i64) -> Self {
        SongTime(micros)
    }

    /// A time from whole milliseconds.
    pub const fn from_millis(millis: i64) -> Self {
        SongTime(millis.saturating_mul(1000))
    }

    /// A time from seconds, rounded to the nearest microsecond. NaN gives zero; values out of
    /// range saturate.
    pub fn from_secs_f64(secs: f64) -> Self {
        // `as` saturates on overflow and maps NaN to 0, which is what we want here.
        SongTime((secs * 1e6).round() as i64)
    }

    /// Whole microseconds.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// Milliseconds, rounded to the nearest (half away from zero).
    pub const fn as_millis(self) -> i64 {
        if self.0 >= 0 {
            self.0.saturating_add(500) / 1000
        } else {
            self.0.saturating_sub(500) / 1000
        }
    }

    /// Seconds as a float.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// The time `self - earlier`, saturating.
    pub const fn saturating_sub(self, earlier: SongTime) -> SongTime {
        SongTime(self.0.saturating_sub(earlier.0))
    }

    /// The later of zero and `self`.
    pub const fn max_zero(self) -> SongTime {
        if self.0 < 0 { SongTime::ZERO } else { self }
    }
}

impl Add for SongTime {
    type Output = SongTime;
    fn add(self, rhs: SongTime) -> SongTime {
        SongTime(self.0.saturating_add(rhs.0))
    }
}

impl Sub for SongTime {
    type Output = SongTime;
    fn sub(self, rhs: SongTime) -> SongTime {
        SongTime(self.0.saturating_sub(rhs.0))
    }
}

impl AddAssign for SongTime {
    fn add_assign(&mut self, rhs: SongTime) {
        *self = *self + rhs;
    }
}

impl SubAssign for SongTime {
    fn sub_assign(&mut self, rhs: SongTime) {
        *self = *self - rhs;
    }
}

impl fmt::Display for SongTime {
    /// `mm:ss.mmm`, with a leading `-` before the song starts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.as_millis();
        let sign = if millis < 0 { "-" } else { "" };
        let millis = millis.unsigned_abs();
        write!(
            f,
            "{sign}{:02}:{:02}.{:03}",
            millis / 60_000,
            millis / 1000 % 60,
            millis % 1000
        )
    }
}

/// A time that could not be read from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a song time: {0:?} (expected e.g. 01:23.4, 1:05 or 83.4)")]
pub struct ParseSongTimeError(String);

impl std::str::FromStr for SongTime {
    type Err = ParseSongTimeError;

    /// Reads `[-][h:]m:ss[.fff]` or plain seconds (`83.4`), as people type times.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || ParseSongTimeError(s.to_owned());
        let text = s.trim();
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut seconds = 0.0f64;
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(error());
        }
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let value: f64 = if last {
                part.parse().map_err(|_| error())?
            } else {
                part.parse::<u32>().map_err(|_| error())? as f64
            };
            if !value.is_finite() || value < 0.0 || (i > 0 && value >= 60.0) {
                return Err(error());
            }
            seconds = seconds * 60.0 + value;
        }
        Ok(SongTime::from_secs_f64(if negative {
            -seconds
        } else {
            seconds
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_the_nearest() {
        assert_eq!(SongTime::from_millis(1500).as_micros(), 1_500_000);
        assert_eq!(SongTime::from_secs_f64(1.2345678).as_micros(), 1_234_568);
        assert_eq!(SongTime::from_micros(1_499).as_millis(), 1);
        assert_eq!(SongTime::from_micros(1_500).as_millis(), 2);
        assert_eq!(SongTime::from_micros(-1_500).as_millis(), -2);
        assert_eq!(SongTime::from_secs_f64(f64::NAN), SongTime::ZERO);
    }

    #[test]
    fn display_is_minutes_seconds_millis() {
        assert_eq!(SongTime::from_millis(83_400).to_string(), "01:23.400");
        assert_eq!(SongTime::from_millis(-250).to_string(), "-00:00.250");
        assert_eq!(SongTime::from_millis(6_000_000).to_string(), "100:00.000");
    }

    #[test]
    fn reads_times_as_people_type_them() {
        let ms = |s: &str| s.parse::<SongTime>().map(SongTime::as_millis);
        assert_eq!(ms("01:23.4"), Ok(83_400));
        assert_eq!(ms("1:05"), Ok(65_000));
        assert_eq!(ms("83.4"), Ok(83_400));
        assert_eq!(ms("1:00:00"), Ok(3_600_000));
        assert_eq!(ms("-0:01.5"), Ok(-1_500));
        for bad in ["", "1:60", "a:10", "1::2", "1:2:3:4", "NaN"] {
            assert!(bad.parse::<SongTime>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SongTime::MAX + SongTime::from_millis(1), SongTime::MAX);
        assert_eq!(
            SongTime::from_millis(3) - SongTime::from_millis(5),
            SongTime::from_millis(-2)
        );
        assert_eq!(SongTime::from_millis(-2).max_zero(), SongTime::ZERO);
    }
}
