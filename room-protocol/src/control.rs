//! The live controls of the song on stage, relayed by the room to the singer's engine.

use serde::{Deserialize, Serialize};

use crate::queue::TrackMode;
use crate::{OutOfRange, Result};

/// The voice effect presets a control may name.
pub const EFFECT_PRESETS: [&str; 4] = ["none", "room", "hall", "ktv"];

/// A live control, relayed to the singer's engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "control", rename_all = "snake_case")]
pub enum Control {
    /// Pause the song.
    Pause,
    /// Resume it.
    Resume,
    /// Start it again from the top (重唱).
    Restart,
    /// Switch the track.
    Mode {
        /// The track.
        mode: TrackMode,
    },
    /// Shift the key.
    Key {
        /// Semitones, −12..=12.
        semitones: f32,
    },
    /// Music volume (0..=2, 1 = as mixed).
    MusicVolume {
        /// Linear gain.
        gain: f32,
    },
    /// Microphone volume (0..=2).
    MicVolume {
        /// Linear gain.
        gain: f32,
    },
    /// Voice effect preset (none, room, hall, ktv).
    Effect {
        /// The preset's name.
        preset: String,
    },
}

impl Control {
    /// Checks the ranges the engine accepts.
    pub fn check(&self) -> Result<()> {
        let bad = |what: &str, v: f32, lo: f32, hi: f32| {
            Err(OutOfRange(format!("{what} {v} is outside {lo}..={hi}")))
        };
        match self {
            Control::Key { semitones } if !(-12.0..=12.0).contains(semitones) => {
                bad("key", *semitones, -12.0, 12.0)
            }
            Control::MusicVolume { gain } | Control::MicVolume { gain }
                if !(0.0..=2.0).contains(gain) =>
            {
                bad("gain", *gain, 0.0, 2.0)
            }
            Control::Effect { preset } if !EFFECT_PRESETS.contains(&preset.as_str()) => {
                Err(OutOfRange(format!(
                    "effect preset {preset:?} is not one of none, room, hall, ktv"
                )))
            }
            _ => Ok(()),
        }
    }
}
