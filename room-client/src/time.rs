//! The clients' conversions between time types, one function per pair and direction: engine
//! frames at a sample rate, song time (`lyrics::SongTime`: what lyrics, scoring and the
//! renderer speak) and sync's media time and spans (`sync::MediaTime`, `sync::TimeDelta`: the
//! song position on the wire). Every conversion in the clients goes through here, rounded to
//! the microsecond the same way; the host clocks' conversions are [`crate::Clocks`]'.

use lyrics::SongTime;
use sync::{MediaTime, TimeDelta};

fn micros(frames: f64, rate: u32) -> i64 {
    (frames * 1e6 / f64::from(rate.max(1))).round() as i64
}

/// A song position in frames at `rate`, as sync's media time.
pub fn frames_to_media(frames: f64, rate: u32) -> MediaTime {
    MediaTime::from_micros(micros(frames, rate))
}

/// A media time as (fractional) frames at `rate`.
pub fn media_to_frames(position: MediaTime, rate: u32) -> f64 {
    position.as_micros() as f64 * f64::from(rate) / 1e6
}

/// A media time as the engine's whole frame index at `rate` (before the song's start: 0).
pub fn media_to_frame_index(position: MediaTime, rate: u32) -> u64 {
    media_to_frames(position.max(MediaTime::ZERO), rate).round() as u64
}

/// A length in frames at `rate`, as a sync span.
pub fn frames_to_delta(frames: f64, rate: u32) -> TimeDelta {
    TimeDelta::from_micros(micros(frames, rate))
}

/// A sync span as (fractional) frames at `rate`.
pub fn delta_to_frames(span: TimeDelta, rate: u32) -> f64 {
    span.as_micros() as f64 * f64::from(rate) / 1e6
}

/// A song position in frames at `rate`, as song time.
pub fn frames_to_song(frames: f64, rate: u32) -> SongTime {
    SongTime::from_micros(micros(frames, rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_times_convert_both_ways() {
        assert_eq!(
            media_to_frame_index(frames_to_media(96_000.0, 48_000), 48_000),
            96_000
        );
        assert_eq!(frames_to_media(24_000.0, 48_000).as_micros(), 500_000);
        assert_eq!(media_to_frame_index(MediaTime::from_micros(-5), 48_000), 0);
        assert_eq!(frames_to_delta(960.0, 48_000), TimeDelta::from_millis(20));
        assert_eq!(delta_to_frames(TimeDelta::from_millis(20), 48_000), 960.0);
        assert_eq!(
            frames_to_song(44_100.0, 44_100),
            SongTime::from_millis(1000)
        );
        assert_eq!(media_to_frames(MediaTime::from_micros(10), 44_100), 0.441);
    }
}
