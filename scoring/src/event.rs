//! `LiveEvent`: the one wire form of what the scorer hears and judges, as the service relays it
//! to the room (without looking inside) and the screen draws it.

use lyrics::{SongTime, Voice};
use serde::{Deserialize, Serialize};

/// A grade for a line, as players know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// Below 30.
    Miss,
    /// 30 or more.
    Ok,
    /// 55 or more.
    Good,
    /// 75 or more.
    Great,
    /// 90 or more.
    Perfect,
}

impl Grade {
    /// The grade of a line score (0–100).
    pub fn of(score: f32) -> Grade {
        match score {
            s if s >= 90.0 => Grade::Perfect,
            s if s >= 75.0 => Grade::Great,
            s if s >= 55.0 => Grade::Good,
            s if s >= 30.0 => Grade::Ok,
            _ => Grade::Miss,
        }
    }
}

/// Something the scorer wants the room to know, as it happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// The singer's pitch now (at most 20 a second): for the pitch guide and the audience.
    Pitch {
        /// Which voice of the song.
        voice: Voice,
        /// The song time it was sung at (microphone delay removed).
        time: SongTime,
        /// MIDI note with cents, or `None` when not singing.
        midi: Option<f32>,
    },
    /// A note of the reference melody has been judged.
    Note {
        /// Which voice.
        voice: Voice,
        /// Its index among the voice's notes.
        index: usize,
        /// When it started.
        start: SongTime,
        /// Credit 0..=1.
        credit: f32,
    },
    /// A line has ended and been scored.
    Line {
        /// Which voice.
        voice: Voice,
        /// Its index among the voice's lines.
        index: usize,
        /// Score 0–100.
        score: f32,
        /// Its grade.
        grade: Grade,
    },
    /// The song has ended: the totals.
    Song {
        /// Which voice.
        voice: Voice,
        /// Score 0–100.
        score: f32,
        /// Points on UltraStar's 10,000 scale.
        points: u32,
    },
}
