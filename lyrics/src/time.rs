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
    fn arithmetic_saturates() {
        assert_eq!(SongTime::MAX + SongTime::from_millis(1), SongTime::MAX);
        assert_eq!(
            SongTime::from_millis(3) - SongTime::from_millis(5),
            SongTime::from_millis(-2)
        );
        assert_eq!(SongTime::from_millis(-2).max_zero(), SongTime::ZERO);
    }
}
