//! Scoring a whole recording offline: the same tracker and judge as live, run over a buffer.

use lyrics::{Lyrics, SongTime, Voice};

use crate::error::Result;
use crate::event::LiveEvent;
use crate::judge::{Judge, JudgeSettings, SongResult};
use crate::pitch::{PitchSettings, PitchTracker};

/// Scores `voice` of `lyrics` from a mono recording at `rate` that starts at song time zero.
pub fn score_recording(
    lyrics: &Lyrics,
    voice: Voice,
    recording: &[f32],
    rate: u32,
    pitch: PitchSettings,
    judge: JudgeSettings,
) -> Result<(SongResult, Vec<LiveEvent>)> {
    let mut tracker = PitchTracker::new(pitch, rate)?;
    tracker.set_origin(SongTime::ZERO);
    let mut judge = Judge::new(lyrics, voice, judge)?;
    let mut events = Vec::new();
    let mut emit = |e: LiveEvent| events.push(e);
    for block in recording.chunks(4096) {
        tracker.push(block, |frame| judge.push(&frame, pitch.gate_db, &mut emit));
    }
    let result = judge.finish(&mut emit);
    Ok((result, events))
}
