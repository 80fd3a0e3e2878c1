//! The separate pitch file that pairs with KRC or LRC lyrics in Agora's catalogue:
//! `{"pitchDatas":[{"pitch":50,"startTime":15203,"duration":241},…]}`, times in ms.
//!
//! **`pitch` is a semitone number, read as a MIDI note number** (60 = middle C). The file
//! format states no unit, so this is inferred from how LyricsView uses it: its KRC scoring path
//! (`ScoringMachine.calculateScoreWithPitch`) compares it with the singer's value by plain
//! difference in steps of one (≤ 1 scores 90, … ≤ 5 scores 50), and its test
//! (`testKrcCalculateScoreWithPitch`) treats 65 and 68 as near 66, which only makes sense in
//! semitones; its sample file holds 18–90 (median 58), where Hz would be below the voice.
//! Pitch 0 means no pitch. The notes are the reference melody, exactly as UltraStar notes are.

use serde::Deserialize;

use crate::error::{Error, ParseErrorKind, Result};
use crate::melody::{NoteKind, Pitch, ReferenceNote};
use crate::model::Voice;
use crate::time::SongTime;

/// The most notes accepted in one file.
const MAX_NOTES: usize = 100_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PitchFile {
    pitch_datas: Vec<PitchData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PitchData {
    pitch: f64,
    start_time: f64,
    duration: f64,
}

/// Reads a pitch file into the reference melody, sorted by start.
pub fn parse(text: &str) -> Result<Vec<ReferenceNote>> {
    let file: PitchFile =
        serde_json::from_str(text.trim_start_matches('\u{FEFF}')).map_err(|e| {
            Error::PitchFile {
                line: e.line().max(1),
                kind: ParseErrorKind::Malformed(e.to_string()),
            }
        })?;
    if file.pitch_datas.len() > MAX_NOTES {
        return Err(Error::Limit {
            what: "note count",
            limit: MAX_NOTES,
        });
    }
    let mut notes = Vec::with_capacity(file.pitch_datas.len());
    for data in &file.pitch_datas {
        let valid = |v: f64| (0.0..1e13).contains(&v);
        if !(valid(data.start_time) && valid(data.duration) && data.pitch.is_finite()) {
            return Err(Error::PitchFile {
                line: 1,
                kind: ParseErrorKind::BadNumber {
                    what: "non-negative times and a finite pitch",
                    found: format!("{} {} {}", data.pitch, data.start_time, data.duration),
                },
            });
        }
        if data.pitch <= 0.0 {
            continue;
        }
        notes.push(ReferenceNote {
            start: SongTime::from_secs_f64(data.start_time / 1000.0),
            duration: SongTime::from_secs_f64(data.duration / 1000.0),
            pitch: Pitch::from_midi(data.pitch.min(200.0) as f32),
            kind: NoteKind::Normal,
            voice: Voice::P1,
        });
    }
    notes.sort_by_key(|n| n.start);
    Ok(notes)
}
