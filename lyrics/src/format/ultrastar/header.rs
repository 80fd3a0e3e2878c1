//! What the header tags say beyond the metadata: the media files and times, in the units of
//! the file's version, and the version rules.

use super::numbers::{decimal, valid_gap};
use crate::error::{Error, Result};
use crate::file_format::Format;
use crate::model::{Media, Meta};
use crate::time::SongTime;

/// The media headers, with times in the units of the file's version; `time` gives a beat's
/// time (the medley of files before 2.0.0 is in beats).
pub(super) fn media(meta: &Meta, major: u64, time: impl Fn(i64) -> SongTime) -> Media {
    let text = |key: &str| meta.tag(key).filter(|v| !v.is_empty()).map(str::to_owned);
    let number = |key: &str| meta.tag(key).and_then(decimal).filter(|v| valid_gap(*v));
    let millis = |v: f64| SongTime::from_secs_f64(v / 1000.0);
    let seconds = SongTime::from_secs_f64;
    let (start, video_gap, medley) = if major >= 2 {
        let medley = number("MEDLEYSTART").zip(number("MEDLEYEND"));
        (
            number("START").map(millis),
            number("VIDEOGAP").map(millis),
            medley.map(|(a, b)| (millis(a), millis(b))),
        )
    } else {
        let beat = |key: &str| meta.tag(key).and_then(|v| v.trim().parse::<i64>().ok());
        let medley = beat("MEDLEYSTARTBEAT").zip(beat("MEDLEYENDBEAT"));
        (
            number("START").map(seconds),
            number("VIDEOGAP").map(seconds),
            medley.map(|(a, b)| (time(a), time(b))),
        )
    };
    Media {
        audio: text("AUDIO").or_else(|| text("MP3")),
        vocals: text("VOCALS"),
        instrumental: text("INSTRUMENTAL"),
        video: text("VIDEO"),
        cover: text("COVER"),
        background: text("BACKGROUND"),
        video_gap,
        start,
        end: number("END").map(millis),
        medley,
    }
}

/// The newest UltraStar format version this reader knows.
pub const NEWEST_VERSION: &str = "2.0.0";

/// The major version the file declares (0 when it declares none); an error for a major
/// version newer than [`NEWEST_VERSION`]'s.
pub(super) fn version_major(meta: &Meta) -> Result<u64> {
    let Some(version) = meta.tag("VERSION") else {
        return Ok(0);
    };
    let major = version
        .trim()
        .split('.')
        .next()
        .and_then(|m| m.trim().parse::<u64>().ok());
    match major {
        Some(major) if major <= 2 => Ok(major),
        _ => Err(Error::UnsupportedVersion {
            format: Format::UltraStar,
            version: version.to_owned(),
            newest: NEWEST_VERSION,
        }),
    }
}

/// Whether the file's version requires UTF-8 (1.0.0 and later).
pub fn requires_utf8(meta: &Meta) -> bool {
    version_major(meta).is_ok_and(|major| major >= 1)
}
