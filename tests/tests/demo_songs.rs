//! The demo song library, judged on the committed, encoded files as decoded by the engine:
//! the guide vocals sing the reference melody, words start where the voice starts, tracks are
//! in step, and the voice sounds sung (formants, harmonics-to-noise, vibrato). Each check also
//! runs on a changed input that must fail it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use engine::{Original, SongFiles, SongSource};
use ktv_tests::analysis::{self, RATE};
use ktv_tests::process::workspace_root;
use lyrics::{Hint, ReferenceNote, Voice};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Manifest {
    id: String,
    language: String,
    duration: f64,
    files: Files,
}

#[derive(Debug, Deserialize)]
struct Files {
    layout: String,
    accompaniment: Option<String>,
    original: Option<String>,
    file: Option<String>,
    lyrics: String,
    ultrastar: String,
    video: Option<String>,
}

struct Song {
    dir: PathBuf,
    manifest: Manifest,
    /// Unique notes (a shared duet note counts once).
    notes: Vec<ReferenceNote>,
    lyrics: lyrics::Lyrics,
    accompaniment: Vec<f32>,
    /// The voice alone: the guide track, or right minus left of a stereo-split file.
    voice: Vec<f32>,
    /// Decoded length of the original track, for the in-step check.
    original_frames: usize,
}

fn library() -> PathBuf {
    workspace_root().join("assets")
}

fn songs() -> Vec<Song> {
    let mut songs = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(library())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("song.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let manifest: Manifest =
            toml::from_str(&std::fs::read_to_string(dir.join("song.toml")).unwrap()).unwrap();
        let ultrastar = std::fs::read(dir.join(&manifest.files.ultrastar)).unwrap();
        let parsed = lyrics::parse(&ultrastar, Hint::from_path(Path::new("song.txt"))).unwrap();
        let mut notes = parsed.lyrics.notes.clone();
        notes.dedup_by(|a, b| a.start == b.start && a.pitch == b.pitch);
        let elrc = std::fs::read(dir.join(&manifest.files.lyrics)).unwrap();
        let lyrics = lyrics::parse(&elrc, Hint::from_path(Path::new("x.lrc")))
            .unwrap()
            .lyrics;
        let (accompaniment, voice, original_frames) = match manifest.files.layout.as_str() {
            "stereo-split" => {
                let file = dir.join(manifest.files.file.as_ref().unwrap());
                let tracks = analysis::decode(&SongSource {
                    files: SongFiles::StereoSplit { file },
                    original: Original::FullMix,
                    loudness: None,
                });
                let voice: Vec<f32> = tracks
                    .original
                    .iter()
                    .zip(&tracks.accompaniment)
                    .map(|(o, a)| o - a)
                    .collect();
                let frames = tracks.original.len();
                (tracks.accompaniment, voice, frames)
            }
            _ => {
                let acc = analysis::decode_file(
                    &dir.join(manifest.files.accompaniment.as_ref().unwrap()),
                );
                let voice =
                    analysis::decode_file(&dir.join(manifest.files.original.as_ref().unwrap()));
                let frames = voice.len();
                (acc, voice, frames)
            }
        };
        songs.push(Song {
            dir,
            manifest,
            notes,
            lyrics,
            accompaniment,
            voice,
            original_frames,
        });
    }
    songs
}

/// The share of notes whose median pitch over their middle half is within 25 cents.
fn pitch_accuracy(track: &[f32], notes: &[ReferenceNote], transpose: f32) -> f64 {
    let hits = notes
        .iter()
        .filter(|n| {
            let (s, d) = (n.start.as_secs_f64(), n.duration.as_secs_f64());
            let expected = analysis::midi_hz(f64::from(n.pitch.midi() + transpose));
            analysis::median_pitch(track, s + d / 4.0, s + 3.0 * d / 4.0)
                .is_some_and(|hz| analysis::cents(hz, expected).abs() <= 25.0)
        })
        .count();
    hits as f64 / notes.len() as f64
}

/// The share of `starts` (s) with a detected onset within 30 ms.
fn onset_match(onsets: &[f64], starts: &[f64]) -> f64 {
    let hits = starts
        .iter()
        .filter(|&&s| onsets.iter().any(|&o| (o - s).abs() <= 0.030))
        .count();
    hits as f64 / starts.len() as f64
}

#[test]
fn the_library_covers_formats_rates_languages_duets_and_gaps() {
    let songs = songs();
    assert!(songs.len() >= 5);
    let mut extensions = BTreeMap::new();
    let mut total = 0u64;
    for entry in walk(&library()) {
        total += std::fs::metadata(&entry).unwrap().len();
        if let Some(ext) = entry.extension().and_then(|e| e.to_str()) {
            *extensions.entry(ext.to_owned()).or_insert(0) += 1;
        }
    }
    for ext in ["mp3", "m4a", "flac", "ogg", "wav", "mp4", "webm"] {
        assert!(
            extensions.contains_key(ext),
            "no .{ext} file in assets/: {extensions:?}"
        );
    }
    assert!(total < 50 << 20, "assets/ holds {total} bytes");
    let zh = songs.iter().filter(|s| s.manifest.language == "zh").count();
    let en = songs.iter().filter(|s| s.manifest.language == "en").count();
    assert!(zh >= 2 && en >= 2, "{zh} Chinese, {en} English");
    assert!(
        songs
            .iter()
            .any(|s| s.lyrics.lines.iter().any(|l| l.voice == Voice::P2)
                && s.lyrics.lines.iter().any(|l| l.voice == Voice::Both)),
        "no duet with alternating and shared lines"
    );
    assert!(
        songs
            .iter()
            .any(|s| s.manifest.files.layout == "stereo-split")
    );
    for song in &songs {
        assert!(
            (45.0..=120.0).contains(&song.manifest.duration),
            "{}",
            song.manifest.id
        );
    }
    let gaps = songs.iter().any(|s| {
        let lines = &s.lyrics.lines;
        lines[0].start.as_secs_f64() >= 8.0
            && lines
                .windows(2)
                .any(|w| (w[1].start - w[0].end).as_secs_f64() >= 10.0)
    });
    assert!(gaps, "no song with an 8 s intro and a 10 s break");
    let rates: std::collections::BTreeSet<u32> = songs
        .iter()
        .flat_map(|s| {
            let mut engine = engine::new(engine::EngineSettings::default()).0;
            engine.load(&source(s)).unwrap().sample_rates
        })
        .collect();
    assert!(
        rates.contains(&44_100) && rates.contains(&48_000),
        "{rates:?}"
    );
    let codecs: Vec<String> = songs
        .iter()
        .filter_map(|s| s.manifest.files.video.as_ref().map(|v| s.dir.join(v)))
        .map(|v| probe(&v, "stream=codec_name"))
        .collect();
    assert!(
        codecs.iter().any(|c| c == "h264") && codecs.iter().any(|c| c == "vp9"),
        "{codecs:?}"
    );
}

fn source(song: &Song) -> SongSource {
    let files = &song.manifest.files;
    match files.layout.as_str() {
        "stereo-split" => SongSource {
            files: SongFiles::StereoSplit {
                file: song.dir.join(files.file.as_ref().unwrap()),
            },
            original: Original::FullMix,
            loudness: None,
        },
        _ => SongSource::two_files(
            song.dir.join(files.accompaniment.as_ref().unwrap()),
            song.dir.join(files.original.as_ref().unwrap()),
        )
        .with_original(Original::VocalOnly),
    }
}

fn probe(file: &Path, entries: &str) -> String {
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            entries,
            "-of",
            "csv=p=0",
        ])
        .arg(file)
        .output()
        .expect("ffprobe is installed by scripts/setup");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn guide_vocals_sing_the_reference_melody_and_words_start_on_their_onsets() {
    let mut report = Vec::new();
    for song in songs() {
        let id = &song.manifest.id;
        let track = analysis::pitch_track(&song.voice);
        let accuracy = pitch_accuracy(&track, &song.notes, 0.0);
        // Changed input: the melody a semitone off must fail.
        let off = pitch_accuracy(&track, &song.notes, 1.0);
        let onsets = analysis::onsets(&song.voice);
        let note_starts: Vec<f64> = song.notes.iter().map(|n| n.start.as_secs_f64()).collect();
        let word_starts: Vec<f64> = song
            .lyrics
            .lines
            .iter()
            .flat_map(|l| l.words.iter().map(|w| w.start.as_secs_f64()))
            .collect();
        let (notes_match, words_match) = (
            onset_match(&onsets, &note_starts),
            onset_match(&onsets, &word_starts),
        );
        let shifted: Vec<f64> = word_starts.iter().map(|s| s + 0.2).collect();
        let shifted_match = onset_match(&onsets, &shifted);
        report.push(format!(
            "{id}: pitch {:.1}% (a semitone off: {:.1}%), note starts on onsets {:.1}%, word starts {:.1}% (shifted 200 ms: {:.1}%)",
            accuracy * 100.0, off * 100.0, notes_match * 100.0, words_match * 100.0, shifted_match * 100.0
        ));
        assert!(accuracy >= 0.95, "{}", report.last().unwrap());
        assert!(off < 0.95, "{}", report.last().unwrap());
        assert!(
            notes_match >= 0.95 && words_match >= 0.95,
            "{}",
            report.last().unwrap()
        );
        assert!(shifted_match < 0.95, "{}", report.last().unwrap());
    }
    println!("{}", report.join("\n"));
}

#[test]
fn tracks_are_in_step_and_durations_are_right() {
    for song in songs() {
        let id = &song.manifest.id;
        let (acc, orig) = (song.accompaniment.len() as f64, song.original_frames as f64);
        let apart_ms = (acc - orig).abs() * 1000.0 / f64::from(RATE);
        assert!(apart_ms <= 10.0, "{id}: tracks differ by {apart_ms} ms");
        let decoded = acc / f64::from(RATE);
        let off_ms = (decoded - song.manifest.duration).abs() * 1000.0;
        assert!(
            off_ms <= 50.0,
            "{id}: song.toml says {} s, decoded {decoded} s",
            song.manifest.duration
        );
        // Changed input: a duration 100 ms off must fail the check.
        assert!((decoded - (song.manifest.duration + 0.1)).abs() * 1000.0 > 50.0);
    }
}

#[test]
fn guide_vocals_sound_sung() {
    use demo_songs::score::Vowel;
    let scores = demo_songs::scores();
    let mut report = Vec::new();
    for song in songs() {
        let id = song.manifest.id.clone();
        let score = scores.iter().find(|s| s.id == id).unwrap();
        let timeline = score.timeline().unwrap();
        let track = analysis::pitch_track(&song.voice);
        // Harmonics-to-noise in 40 ms at the middle of each note of 0.3 s or more.
        let mut hnr: Vec<f64> = timeline
            .notes
            .iter()
            .filter(|n| n.duration >= 0.3)
            .filter_map(|n| {
                analysis::hnr(
                    &song.voice,
                    n.start + n.duration / 2.0 - 0.02,
                    analysis::midi_hz(f64::from(n.midi)),
                )
            })
            .collect();
        hnr.sort_by(f64::total_cmp);
        let hnr = hnr[hnr.len() / 2];
        // Vibrato on notes of 0.9 s or more sung by one voice (two voices in unison beat
        // against each other, which no pitch tracker follows), after it has set in.
        let mut vibratos: Vec<(f64, f64)> = timeline
            .notes
            .iter()
            .filter(|n| n.duration >= 0.9 && n.voice != Voice::Both)
            .filter_map(|n| analysis::vibrato(&track, n.start + 0.45, n.start + n.duration - 0.08))
            .collect();
        assert!(!vibratos.is_empty(), "{id}: no long solo note");
        vibratos.sort_by(|a, b| a.0.total_cmp(&b.0));
        let rate = vibratos[vibratos.len() / 2].0;
        vibratos.sort_by(|a, b| a.1.total_cmp(&b.1));
        let depth = vibratos[vibratos.len() / 2].1;
        // Formants of the first voice's solo notes: the LPC envelope of its /a/ notes peaks at
        // F1 and F2, of its /i/ notes at F2 (the /i/ F1 lies below a high voice's pitch).
        let stretches = |vowel: Vowel| -> Vec<(f64, f64)> {
            timeline
                .notes
                .iter()
                .filter(|n| n.vowel == vowel && n.duration >= 0.25 && n.voice == Voice::P1)
                .map(|n| (n.start + n.duration * 0.25, n.start + n.duration * 0.75))
                .collect()
        };
        let scale = if score.tonic < 60 { 1.0 } else { 1.17 };
        let (f1_a, f2_a, f2_i) = (730.0 * scale, 1_090.0 * scale, 2_290.0 * scale);
        let a = analysis::lpc_envelope(&song.voice, &stretches(Vowel::A));
        let i = analysis::lpc_envelope(&song.voice, &stretches(Vowel::I));
        let near = |peak: Option<f64>, expected: f64| {
            peak.is_some_and(|p| (p / expected - 1.0).abs() < 0.15)
        };
        let f1 = analysis::envelope_peak(&a, 400.0, 1_100.0);
        let f2 = analysis::envelope_peak(&a, f1.unwrap_or(700.0) + 150.0, 1_800.0);
        let fi = analysis::envelope_peak(&i, 1_800.0, 3_200.0);
        // Changed input: the /i/ notes do not have the /a/ formants.
        let wrong = analysis::envelope_peak(&i, 400.0, 1_100.0);
        report.push(format!(
            "{id}: HNR {hnr:.1} dB, vibrato {rate:.2} Hz {depth:.0} cents p-p, /a/ F1 {f1:?} F2 {f2:?} (expected {f1_a:.0}, {f2_a:.0}), /i/ F2 {fi:?} (expected {f2_i:.0}), /i/ as /a/ F1 {wrong:?}"
        ));
        let line = report.last().unwrap().clone();
        assert!((10.0..=25.0).contains(&hnr), "{line}");
        assert!(
            (5.0..=6.0).contains(&rate) && (30.0..=60.0).contains(&depth),
            "{line}"
        );
        assert!(near(f1, f1_a) && near(f2, f2_a), "{line}");
        assert!(near(fi, f2_i), "{line}");
        assert!(!near(wrong, f1_a), "{line}");
    }
    println!("{}", report.join("\n"));
}

#[test]
fn the_sung_checks_fail_on_a_plain_tone_and_on_noise() {
    // A steady pure tone: no vibrato, HNR far above 25 dB.
    let tone: Vec<f32> = (0..RATE as usize * 2)
        .map(|n| 0.3 * (std::f32::consts::TAU * 220.0 * n as f32 / RATE as f32).sin())
        .collect();
    assert!(analysis::hnr(&tone, 1.0, 220.0).unwrap() > 25.0);
    let track = analysis::pitch_track(&tone);
    let vibrato = analysis::vibrato(&track, 0.5, 1.9);
    assert!(vibrato.is_none_or(|(_, depth)| depth < 30.0), "{vibrato:?}");
    // Noise: HNR far below 10 dB.
    let mut state = 1u32;
    let noise: Vec<f32> = (0..RATE as usize)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1 << 24) as f32 - 0.5
        })
        .collect();
    assert!(analysis::hnr(&noise, 0.5, 220.0).unwrap() < 10.0);
}
