//! Singing for the scoring tests, made by the demo songs' voice generator with other seeds,
//! melodies and voices: random melodies, their reference notes and lyrics lines, and the
//! truth of what was sung.

use demo_songs::rng::Rng;
use demo_songs::score::{SungNote, Vowel};
use demo_songs::voice::{self, Timbre};
use lyrics::{LineBuilder, Lyrics, NoteKind, Pitch, ReferenceNote, SongTime, Voice, WordTiming};

/// The engine rate the tests sing at.
pub const RATE: u32 = 48_000;

/// A sung test song.
pub struct TestSong {
    /// The notes as sung (times in seconds).
    pub notes: Vec<SungNote>,
    /// The reference: lines of six notes and the notes as `ReferenceNote`s.
    pub lyrics: Lyrics,
    /// Length in seconds.
    pub seconds: f64,
}

/// A random melody of `count` notes around `low` (MIDI), starting after a 1 s lead-in: steps of
/// up to a fourth, durations of 0.3–1.2 s, legato within lines, short rests between lines.
pub fn melody(seed: u64, count: usize, low: i32) -> TestSong {
    let mut rng = Rng::new(seed);
    let vowels = [Vowel::A, Vowel::E, Vowel::I, Vowel::O, Vowel::U];
    let mut at = 1.0;
    let mut pitch = low + 5;
    let mut notes = Vec::new();
    for i in 0..count {
        let step = (rng.uniform() * 11.0) as i32 - 5;
        pitch = (pitch + step).clamp(low, low + 12);
        let duration = [0.3, 0.45, 0.6, 0.8, 1.2][(rng.uniform() * 5.0) as usize];
        notes.push(SungNote {
            start: at,
            duration,
            midi: pitch,
            syllable: format!("la{i} "),
            vowel: vowels[(rng.uniform() * 5.0) as usize],
            voice: Voice::P1,
            line: i / 6,
            beat: 0.0,
            beats: 0.0,
        });
        at += duration;
        if i % 6 == 5 {
            at += 0.5 + rng.uniform();
        }
    }
    let lyrics = reference(&notes);
    TestSong {
        notes,
        lyrics,
        seconds: at + 1.0,
    }
}

/// The reference (lines and notes) of sung notes.
pub fn reference(notes: &[SungNote]) -> Lyrics {
    let mut lines = Vec::new();
    let mut reference = Vec::new();
    let time = SongTime::from_secs_f64;
    for line in notes.chunk_by(|a, b| a.line == b.line) {
        let mut builder = LineBuilder::new();
        for n in line {
            builder.push(time(n.start), time(n.start + n.duration), &n.syllable);
            reference.push(ReferenceNote {
                start: time(n.start),
                duration: time(n.duration),
                pitch: Pitch::from_midi(n.midi as f32),
                kind: NoteKind::Normal,
                voice: Voice::P1,
            });
        }
        lines.push(builder.finish(Voice::P1, WordTiming::Exact, SongTime::ZERO));
    }
    Lyrics {
        lines,
        notes: reference,
        ..Lyrics::default()
    }
}

/// Sings `song` (shifted by `offset_semitones` and `delay` seconds) with `timbre`, returning
/// the samples and the true pitch per sample (0 where no voice sounds, -1 in attacks and
/// releases).
pub fn sing(
    song: &TestSong,
    timbre: Timbre,
    seed: u64,
    offset_semitones: i32,
    delay: f64,
) -> (Vec<f32>, Vec<f32>) {
    let notes: Vec<SungNote> = song
        .notes
        .iter()
        .map(|n| SungNote {
            start: n.start + delay,
            midi: n.midi + offset_semitones,
            ..n.clone()
        })
        .collect();
    let length = ((song.seconds + delay.max(0.0)) * f64::from(RATE)) as usize;
    let mut rng = Rng::new(seed);
    voice::sing_with_truth(&notes, timbre, RATE, length, &mut rng)
}

/// The male and female voices of the generator.
pub fn voices() -> [(Timbre, i32, &'static str); 2] {
    // Melodies span an octave up from `low`: F3–F4 and C4–C5, so that sung an octave lower
    // they stay in the voice range (above 80 Hz).
    [(Timbre::MALE, 53, "male"), (Timbre::FEMALE, 60, "female")]
}
