//! The service's referee judges a singer from the voice frames their client sends: Opus
//! frames stamped with the song time they were sung at, as `ktv sing` sends them. A take on
//! the reference melody (the demo song's guide vocal) scores high; the same take a semitone
//! sharp, or sung in the written key while the room's music is shifted, scores low; and the
//! referee's score is what the `scoring` crate computes from the same decoded recording.

use std::sync::{Arc, Mutex};

use audiopus::coder::Decoder;
use audiopus::{Channels, SampleRate};
use ktv_tests::analysis::decode_file_at;
use ktv_tests::process::workspace_root;
use ktv_tests::voice_frames::{FRAME, RATE, VoiceCoder};
use lyrics::Voice;
use room_service::referee::{Outcome, Referee, Song};
use scoring::{JudgeSettings, LiveEvent, PitchSettings, Progress, score_recording};

const SONG: &str = "susanna";

fn folder() -> std::path::PathBuf {
    workspace_root().join("assets").join(SONG)
}

/// The guide vocal at 48 kHz, mono.
fn guide() -> Vec<f32> {
    decode_file_at(&folder().join("guide.wav"), RATE)
}

/// `take` played `factor` times as fast by linear interpolation: `factor` = 2^(1/12) is a
/// semitone sharp, sung in time with a song played that much faster.
fn faster(take: &[f32], factor: f64) -> Vec<f32> {
    let len = (take.len() as f64 / factor) as usize;
    (0..len)
        .map(|j| {
            let x = j as f64 * factor;
            let (i, frac) = (x as usize, (x - x.floor()) as f32);
            let a = take[i];
            let b = take.get(i + 1).copied().unwrap_or(a);
            a + (b - a) * frac
        })
        .collect()
}

/// `take` as a singer's client sends it, at `tempo`.
fn voice_frames(take: &[f32], tempo: f64) -> Vec<Vec<u8>> {
    VoiceCoder::new(1).take(take, tempo)
}

/// What a referee sent the room.
#[derive(Default, Clone)]
struct Seen {
    events: Arc<Mutex<Vec<LiveEvent>>>,
    progress: Arc<Mutex<Vec<Progress>>>,
}

impl Outcome for Seen {
    fn event(&mut self, event: LiveEvent) {
        self.events.lock().unwrap().push(event);
    }
    fn progress(&mut self, progress: Progress) {
        self.progress.lock().unwrap().push(progress);
    }
}

/// What a referee makes of `frames` with the room's music shifted `key` semitones, taking
/// over `resume` if given: its score and what it sent the room.
fn judged(frames: &[Vec<u8>], key: f32, resume: Option<Progress>) -> (f32, Seen) {
    let seen = Seen::default();
    let song = Song {
        request: 7,
        folder: folder(),
        resume,
    };
    let mut referee = Referee::start(song, seen.clone()).unwrap();
    for frame in frames {
        referee.hear(frame, key);
        // As a socket hands them over: never faster than the referee takes them here.
        std::thread::sleep(std::time::Duration::from_micros(500));
    }
    assert_eq!(
        referee.dropped(),
        0,
        "frames dropped: the referee fell behind"
    );
    let result = referee.finish().expect("the referee's result");
    (result.score, seen)
}

fn referee(frames: &[Vec<u8>], key: f32) -> (f32, Vec<LiveEvent>) {
    let (score, seen) = judged(frames, key, None);
    let events = seen.events.lock().unwrap().clone();
    (score, events)
}

/// The frames decoded as a listener would, mono, from song time zero on.
fn decoded(frames: &[Vec<u8>]) -> Vec<f32> {
    let mut decoder = Decoder::new(SampleRate::Hz48000, Channels::Stereo).unwrap();
    let lookahead = VoiceCoder::new(1).lookahead();
    let mut pcm = vec![0f32; FRAME * 2 * 6];
    let mut mono = Vec::new();
    for bytes in frames {
        let frame = sync::voice::decode(bytes).unwrap().unwrap();
        let n = decoder
            .decode_float(Some(frame.opus.as_slice()), &mut pcm[..], false)
            .unwrap();
        mono.extend(pcm[..n * 2].chunks_exact(2).map(|p| 0.5 * (p[0] + p[1])));
    }
    mono.split_off(lookahead)
}

#[test]
fn the_referee_scores_an_on_pitch_take_high_and_a_semitone_off_low() {
    let take = guide();
    let on_pitch = voice_frames(&take, 1.0);
    let (score, events) = referee(&on_pitch, 0.0);
    println!("on pitch: {score:.1}");
    assert!(score >= 85.0, "the guide vocal scored {score}");
    // The room saw it live: pitches, notes, lines and the song's total, as the judge said.
    let count = |f: fn(&LiveEvent) -> bool| events.iter().filter(|e| f(e)).count();
    assert!(count(|e| matches!(e, LiveEvent::Pitch { .. })) > 500);
    assert!(count(|e| matches!(e, LiveEvent::Line { .. })) >= 4);
    assert!(
        matches!(events.last(), Some(LiveEvent::Song { score: s, .. }) if *s == score),
        "{:?}",
        events.last()
    );

    // The same take a semitone sharp (and in time: the stamps say the song ran faster).
    let semitone = 2f64.powf(1.0 / 12.0);
    let (sharp, _) = referee(&voice_frames(&faster(&take, semitone), semitone), 0.0);
    println!("a semitone sharp: {sharp:.1}");
    assert!(sharp <= 60.0, "a semitone sharp scored {sharp}");

    // Sung as written while the room's music is a semitone up: off by as much.
    let (unshifted, _) = referee(&on_pitch, 1.0);
    println!("the music a semitone up, sung as written: {unshifted:.1}");
    assert!(unshifted <= 60.0, "unshifted singing scored {unshifted}");
}

#[test]
fn the_referee_gives_what_scoring_computes_from_the_recording() {
    let frames = voice_frames(&guide(), 1.0);
    let (score, _) = referee(&frames, 0.0);
    let lyrics = room_service::library::song_lyrics(&folder()).unwrap();
    let (offline, _) = score_recording(
        &lyrics,
        Voice::P1,
        &decoded(&frames),
        RATE,
        PitchSettings::default(),
        JudgeSettings::default(),
    )
    .unwrap();
    println!(
        "referee {score:.2}, the recording scored offline {:.2}",
        offline.score
    );
    assert!(
        (score - offline.score).abs() <= 0.5,
        "referee {score} against {} offline",
        offline.score
    );
}

#[test]
fn a_referee_that_takes_over_mid_song_keeps_what_was_judged() {
    // The service dies 20 s into the song and is back 2 s later: its new referee takes over
    // the judgement the first one had stored, and hears the singer from 22 s on.
    let frames = voice_frames(&guide(), 1.0);
    let (whole, _) = referee(&frames, 0.0);
    let per_second = RATE as usize / FRAME;
    let (_, before) = judged(&frames[..20 * per_second], 0.0, None);
    let progress = *before
        .progress
        .lock()
        .unwrap()
        .last()
        .expect("lines judged in the first 20 s");
    let (taken_over, _) = judged(&frames[22 * per_second..], 0.0, Some(progress));
    // Without what the first referee judged, the song's first lines count as unsung.
    let (fresh, _) = judged(&frames[22 * per_second..], 0.0, None);
    println!(
        "whole {whole:.1}; taken over at 22 s {taken_over:.1} ({} lines judged before); judged afresh from 22 s {fresh:.1}",
        progress.lines_judged
    );
    assert!(progress.lines_judged >= 1, "{progress:?}");
    assert!(
        (taken_over - whole).abs() <= 2.0,
        "taken over {taken_over} against {whole} whole"
    );
    assert!(fresh < whole - 20.0, "judged afresh {fresh}");
}
