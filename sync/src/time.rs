//! The time types on the wire and in the core: instants of a host's monotonic clock, positions
//! in a song, and signed intervals between them. All are whole microseconds. Only arithmetic
//! that means something is implemented: an instant minus an instant is an interval, an instant
//! plus an interval is an instant. Offsets between two machines' clocks are intervals.
//!
//! Adapters convert from `std::time::Instant` at the edge; the core never reads a clock.
//! [`HostClock`] models how a host's clock is skewed against another's.

mod skew;

use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Serialize};

pub use skew::HostClock;

/// An instant on some host's monotonic clock, in microseconds since an origin that host chose.
/// Which host's clock it is on is the caller's to know: a follower's own clock, or the room's
/// (the time reference every beat is expressed in).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct HostTime(i64);

/// A position in a song, in microseconds from its start (negative before it).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct MediaTime(i64);

/// A signed interval, in microseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct TimeDelta(i64);

macro_rules! micros {
    ($name:ident) => {
        impl $name {
            /// Zero.
            pub const ZERO: $name = $name(0);

            /// From whole microseconds.
            pub const fn from_micros(micros: i64) -> $name {
                $name(micros)
            }

            /// From whole milliseconds.
            pub const fn from_millis(millis: i64) -> $name {
                $name(millis.saturating_mul(1_000))
            }

            /// From seconds, rounded to the microsecond (saturating; NaN is zero).
            pub fn from_secs_f64(seconds: f64) -> $name {
                $name((seconds * 1e6).round() as i64)
            }

            /// Whole microseconds.
            pub const fn as_micros(self) -> i64 {
                self.0
            }

            /// Seconds.
            pub fn as_secs_f64(self) -> f64 {
                self.0 as f64 * 1e-6
            }
        }
    };
}

micros!(HostTime);
micros!(MediaTime);
micros!(TimeDelta);

impl TimeDelta {
    /// Milliseconds, as a float (for reports and thresholds).
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 * 1e-3
    }

    /// The size of the interval.
    pub const fn abs(self) -> TimeDelta {
        TimeDelta(self.0.saturating_abs())
    }

    /// This interval scaled by `factor` (a playback rate), rounded to the microsecond.
    pub fn scaled(self, factor: f64) -> TimeDelta {
        TimeDelta((self.0 as f64 * factor).round() as i64)
    }
}

impl Sub for HostTime {
    type Output = TimeDelta;
    fn sub(self, rhs: HostTime) -> TimeDelta {
        TimeDelta(self.0.saturating_sub(rhs.0))
    }
}

impl Sub for MediaTime {
    type Output = TimeDelta;
    fn sub(self, rhs: MediaTime) -> TimeDelta {
        TimeDelta(self.0.saturating_sub(rhs.0))
    }
}

macro_rules! point_plus_interval {
    ($point:ident) => {
        impl Add<TimeDelta> for $point {
            type Output = $point;
            fn add(self, rhs: TimeDelta) -> $point {
                $point(self.0.saturating_add(rhs.0))
            }
        }

        impl Sub<TimeDelta> for $point {
            type Output = $point;
            fn sub(self, rhs: TimeDelta) -> $point {
                $point(self.0.saturating_sub(rhs.0))
            }
        }

        impl AddAssign<TimeDelta> for $point {
            fn add_assign(&mut self, rhs: TimeDelta) {
                *self = *self + rhs;
            }
        }

        impl SubAssign<TimeDelta> for $point {
            fn sub_assign(&mut self, rhs: TimeDelta) {
                *self = *self - rhs;
            }
        }
    };
}

point_plus_interval!(HostTime);
point_plus_interval!(MediaTime);

impl Add for TimeDelta {
    type Output = TimeDelta;
    fn add(self, rhs: TimeDelta) -> TimeDelta {
        TimeDelta(self.0.saturating_add(rhs.0))
    }
}

impl Sub for TimeDelta {
    type Output = TimeDelta;
    fn sub(self, rhs: TimeDelta) -> TimeDelta {
        TimeDelta(self.0.saturating_sub(rhs.0))
    }
}

impl Neg for TimeDelta {
    type Output = TimeDelta;
    fn neg(self) -> TimeDelta {
        TimeDelta(self.0.saturating_neg())
    }
}

impl AddAssign for TimeDelta {
    fn add_assign(&mut self, rhs: TimeDelta) {
        *self = *self + rhs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_and_intervals_combine_as_they_mean() {
        let a = HostTime::from_millis(1_000);
        let b = a + TimeDelta::from_millis(250);
        assert_eq!(b - a, TimeDelta::from_micros(250_000));
        assert_eq!(a - b, -TimeDelta::from_millis(250));
        assert_eq!(b - TimeDelta::from_millis(250), a);
        let p = MediaTime::from_secs_f64(1.5);
        assert_eq!((p + TimeDelta::from_millis(500)).as_secs_f64(), 2.0);
        assert_eq!(
            TimeDelta::from_millis(1_000).scaled(1.002),
            TimeDelta::from_millis(1_002)
        );
    }

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        let far = HostTime::from_micros(i64::MAX);
        assert_eq!(far + TimeDelta::from_millis(1), far);
        assert_eq!(
            HostTime::from_micros(i64::MIN) - far,
            TimeDelta::from_micros(i64::MIN)
        );
    }
}
