//! The reference melody: the notes a singer should sing.
//!
//! UltraStar notes (and, later, the catalogue formats with per-syllable pitch) become
//! `ReferenceNote`s. The type lives here rather than in `scoring` so that `render` can draw the
//! pitch guide without depending on the scorer.

use serde::{Deserialize, Serialize};

use crate::model::Voice;
use crate::time::SongTime;

/// A pitch as a MIDI note number: 60 is middle C (C4, 261.63 Hz), 69 is A4 (440 Hz); the
/// fractional part is cents / 100.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pitch(f32);

impl Pitch {
    /// A pitch from a (fractional) MIDI note number.
    pub const fn from_midi(note: f32) -> Self {
        Pitch(note)
    }

    /// A pitch from a frequency in Hz; `None` for a frequency that is not positive and finite.
    pub fn from_hz(hz: f32) -> Option<Self> {
        (hz.is_finite() && hz > 0.0).then(|| Pitch(69.0 + 12.0 * (hz / 440.0).log2()))
    }

    /// The MIDI note number.
    pub const fn midi(self) -> f32 {
        self.0
    }

    /// The frequency in Hz (equal temperament, A4 = 440 Hz).
    pub fn hz(self) -> f32 {
        440.0 * ((self.0 - 69.0) / 12.0).exp2()
    }

    /// The interval from `other` to `self` in cents (positive when `self` is higher).
    pub fn cents_above(self, other: Pitch) -> f32 {
        (self.0 - other.0) * 100.0
    }
}

/// How a note is sung and scored (the UltraStar note types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum NoteKind {
    /// A normal note (UltraStar `:`).
    #[default]
    Normal,
    /// A golden note, worth more (UltraStar `*`).
    Golden,
    /// A freestyle note, not scored (UltraStar `F`).
    Freestyle,
    /// A rap note, scored on voicing, not pitch (UltraStar `R`).
    Rap,
    /// A golden rap note (UltraStar `G`).
    GoldenRap,
}

/// One note of the reference melody.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReferenceNote {
    /// When the note starts.
    pub start: SongTime,
    /// How long it lasts.
    pub duration: SongTime,
    /// Its pitch.
    pub pitch: Pitch,
    /// How it is sung and scored.
    pub kind: NoteKind,
    /// Who sings it (`P1` or `P2`; a note both sing appears once per voice).
    pub voice: Voice,
}

impl ReferenceNote {
    /// When the note ends.
    pub fn end(&self) -> SongTime {
        self.start + self.duration
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pitch_converts_between_midi_and_hz() {
        assert!((Pitch::from_midi(69.0).hz() - 440.0).abs() < 1e-3);
        assert!((Pitch::from_midi(60.0).hz() - 261.6256).abs() < 1e-2);
        let a3 = Pitch::from_hz(220.0).unwrap();
        assert!((a3.midi() - 57.0).abs() < 1e-4);
        assert!(Pitch::from_hz(0.0).is_none());
        assert!(Pitch::from_hz(f32::NAN).is_none());
        assert!((Pitch::from_midi(61.0).cents_above(Pitch::from_midi(60.5)) - 50.0).abs() < 1e-3);
    }
}
