//! A room's song queue as members see it: who sings, what was requested and how, in the
//! order it will be sung. The rules that keep that order are the service's.

use serde::{Deserialize, Serialize};

use crate::{OutOfRange, Result};

/// A room member's id.
pub type MemberId = u64;

/// A request's id, unique in its room.
pub type RequestId = u64;

/// Who sings a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Singer {
    /// A member of the room.
    Member(MemberId),
    /// Someone without a device, added by the owner by name.
    WalkUp(String),
}

/// Which track a singer plays (and the audience hears).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrackMode {
    /// The music without the lead vocal (伴奏).
    #[default]
    Accompaniment,
    /// The original recording (原唱).
    Original,
    /// The singer hears the original vocal quietly, the audience the accompaniment (导唱).
    Guide,
}

/// How a request is to be sung, applied when the song starts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preset {
    /// Key shift in semitones, −12..=12.
    pub key: f32,
    /// Tempo, 0.8..=1.2.
    pub tempo: f32,
    /// The track.
    pub mode: TrackMode,
}

impl Default for Preset {
    fn default() -> Self {
        Preset {
            key: 0.0,
            tempo: 1.0,
            mode: TrackMode::Accompaniment,
        }
    }
}

impl Preset {
    /// Checks the ranges the engine accepts.
    pub fn check(&self) -> Result<()> {
        if !(-12.0..=12.0).contains(&self.key) {
            return Err(OutOfRange(format!(
                "key {} is outside -12..=12 semitones",
                self.key
            )));
        }
        if !(0.8..=1.2).contains(&self.tempo) {
            return Err(OutOfRange(format!(
                "tempo {} is outside 0.8..=1.2",
                self.tempo
            )));
        }
        Ok(())
    }
}

/// One requested song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Request {
    /// Its id.
    pub id: RequestId,
    /// The library's song id.
    pub song_id: String,
    /// The song's length in seconds (for time limits).
    pub seconds: u32,
    /// Who sings it.
    pub singer: Singer,
    /// Who asked for it (the owner, for a walk-up singer).
    pub requested_by: MemberId,
    /// How it is to be sung.
    pub preset: Preset,
    /// When it was asked for (milliseconds, the room's clock).
    pub requested_at: u64,
    /// When it was pinned, if it was.
    pub pinned_at: Option<u64>,
}

/// The queue's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueRules {
    /// The most songs one member may have waiting (the owner is exempt).
    pub max_songs: Option<u32>,
    /// The most seconds of song one member may have waiting (the owner is exempt).
    pub max_seconds: Option<u32>,
    /// One song per singer per round, newcomers placed fairly.
    pub fair_rotation: bool,
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            max_songs: Some(5),
            max_seconds: None,
            fair_rotation: false,
        }
    }
}

/// The queue as members see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Described as `Queue`, the name the API has always given it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Queue))]
pub struct QueueView {
    /// The rules.
    pub rules: QueueRules,
    /// The song being sung.
    pub playing: Option<Request>,
    /// The songs waiting, in the order they will be sung.
    pub waiting: Vec<Request>,
    /// Whether the first waiting song was announced ("up next") and so stays first.
    pub next_locked: bool,
    /// Bumped by every change.
    pub version: u64,
}

impl QueueView {
    /// An empty queue with `rules`.
    pub fn new(rules: QueueRules) -> QueueView {
        QueueView {
            rules,
            playing: None,
            waiting: Vec::new(),
            next_locked: false,
            version: 0,
        }
    }

    /// The request with `id`, waiting or playing.
    pub fn get(&self, id: RequestId) -> Option<&Request> {
        self.playing
            .iter()
            .chain(&self.waiting)
            .find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_outside_the_engines_ranges_are_named() {
        assert!(Preset::default().check().is_ok());
        let high = Preset {
            key: 13.0,
            ..Preset::default()
        };
        assert_eq!(
            high.check().unwrap_err().to_string(),
            "key 13 is outside -12..=12 semitones"
        );
        let slow = Preset {
            tempo: 0.5,
            ..Preset::default()
        };
        assert_eq!(
            slow.check().unwrap_err().to_string(),
            "tempo 0.5 is outside 0.8..=1.2"
        );
    }
}
