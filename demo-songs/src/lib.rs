//! The demo song library generator (`ktv demo-songs`): five public-domain songs, arranged,
//! sung and mixed here, written as the files a real library has.
//!
//! Everything comes from the scores in [`songs`] and a seed: the band ([`band`]), the guide
//! vocal ([`voice`]), mastering to a loudness target ([`master`]), the files through ffmpeg and
//! the music videos ([`media`]), the lyrics through the `lyrics` crate's writers (enhanced LRC
//! and UltraStar, whose notes are the reference melody), and a `song.toml` per song. The
//! generated files are committed; the generator stays so anyone can regenerate them.

pub mod band;
pub mod master;
pub mod media;
pub mod rng;
pub mod score;
mod songs;
pub mod voice;

use std::path::Path;

use anyhow::Context;
use lyrics::{
    LineBuilder, Lyrics, Meta, NoteKind, Pitch, ReferenceNote, SongTime, Voice, WordTiming,
};
use serde::Serialize;

use rng::Rng;
use score::{Score, Timeline};
use voice::Timbre;

/// Loudness of accompaniments and full mixes (LUFS).
pub const MUSIC_LUFS: f64 = -16.0;
/// Loudness of guide vocals alone (LUFS).
pub const VOCAL_LUFS: f64 = -18.0;

/// How a song is stored.
struct Plan {
    rate: u32,
    layout: Layout,
    video: Option<&'static str>,
}

enum Layout {
    /// Accompaniment and guide vocal in two files.
    TwoFiles {
        accompaniment: &'static str,
        guide: &'static str,
    },
    /// The old KTV stereo file: accompaniment left, full original right.
    StereoSplit { file: &'static str },
}

/// Across the library every format and both sample rates are used (see the issue).
fn plan(id: &str) -> Plan {
    match id {
        "jasmine" => Plan {
            rate: 44_100,
            layout: Layout::TwoFiles {
                accompaniment: "accompaniment.mp3",
                guide: "guide.m4a",
            },
            video: Some("video.mp4"),
        },
        "tigers" => Plan {
            rate: 48_000,
            layout: Layout::StereoSplit { file: "ktv.ogg" },
            video: None,
        },
        "twinkle" => Plan {
            rate: 48_000,
            layout: Layout::TwoFiles {
                accompaniment: "accompaniment.flac",
                guide: "guide.mp3",
            },
            video: None,
        },
        "susanna" => Plan {
            rate: 44_100,
            layout: Layout::TwoFiles {
                accompaniment: "accompaniment.ogg",
                guide: "guide.wav",
            },
            video: Some("video.webm"),
        },
        _ => Plan {
            rate: 48_000,
            layout: Layout::TwoFiles {
                accompaniment: "accompaniment.m4a",
                guide: "guide.flac",
            },
            video: None,
        },
    }
}

/// The `song.toml` of a generated song.
#[derive(Debug, Serialize)]
pub struct SongToml {
    /// Folder name.
    pub id: String,
    /// Title.
    pub title: String,
    /// Artist or origin.
    pub artist: String,
    /// BCP 47 language.
    pub language: String,
    /// Length in seconds.
    pub duration: f64,
    /// Key.
    pub key: String,
    /// Tempo in beats per minute.
    pub tempo: f64,
    /// Where the words and melody come from.
    pub credits: String,
    /// The generator's seed.
    pub seed: u64,
    /// The files.
    pub files: Files,
    /// Measured EBU R128 integrated loudness.
    pub loudness: Loudness,
}

/// The files of a song.
#[derive(Debug, Serialize)]
pub struct Files {
    /// `two-files` or `stereo-split`.
    pub layout: String,
    /// The accompaniment (two-files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accompaniment: Option<String>,
    /// The original: the guide vocal (two-files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// The stereo file: accompaniment left, original right (stereo-split).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `vocal` (the original is the voice alone) or `full-mix`.
    pub original_kind: String,
    /// Word-timed lyrics, enhanced LRC.
    pub lyrics: String,
    /// The same song as UltraStar: its notes are the reference melody.
    pub ultrastar: String,
    /// The music video, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<String>,
}

/// Measured loudness (LUFS).
#[derive(Debug, Serialize)]
pub struct Loudness {
    /// The accompaniment (or the left channel of a stereo-split file).
    pub accompaniment: f64,
    /// The original (the guide vocal, or the right channel of a stereo-split file).
    pub original: f64,
}

/// The scores of the demo songs.
pub fn scores() -> Vec<Score> {
    songs::all()
}

/// Generates every demo song (or only `only`) into `out/<id>/`; returns their manifests.
pub fn generate(
    out: &Path,
    seed: u64,
    only: Option<&str>,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<Vec<SongToml>> {
    let mut manifests = Vec::new();
    for score in songs::all() {
        if only.is_some_and(|id| id != score.id) {
            continue;
        }
        progress(score.id);
        let song_seed = seed ^ fnv(score.id);
        manifests.push(generate_song(&score, &out.join(score.id), song_seed, seed)?);
    }
    Ok(manifests)
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn generate_song(
    score: &Score,
    dir: &Path,
    seed: u64,
    library_seed: u64,
) -> anyhow::Result<SongToml> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let timeline = score.timeline()?;
    let plan = plan(score.id);
    let rate = plan.rate;
    let length = (timeline.duration * f64::from(rate)).round() as usize;
    let mut rng = Rng::new(seed);
    let mut accompaniment = band::play(&timeline, score.tempo, score.meter, rate, length, &mut rng);
    let guide = sing(score, &timeline, rate, length, &mut rng);

    let (files, loudness) = match plan.layout {
        Layout::TwoFiles {
            accompaniment: acc_name,
            guide: guide_name,
        } => {
            let acc_lufs = master::master(&mut accompaniment, 2, rate, MUSIC_LUFS, 0.89)?;
            let mut guide = guide;
            let guide_lufs = master::master(&mut guide, 1, rate, VOCAL_LUFS, 0.89)?;
            media::encode_audio(&accompaniment, 2, rate, &dir.join(acc_name))?;
            media::encode_audio(&guide, 1, rate, &dir.join(guide_name))?;
            (
                Files {
                    layout: "two-files".into(),
                    accompaniment: Some(acc_name.into()),
                    original: Some(guide_name.into()),
                    file: None,
                    original_kind: "vocal".into(),
                    lyrics: "lyrics.lrc".into(),
                    ultrastar: "song.txt".into(),
                    video: plan.video.map(Into::into),
                },
                Loudness {
                    accompaniment: acc_lufs,
                    original: guide_lufs,
                },
            )
        }
        Layout::StereoSplit { file } => {
            // Left: the accompaniment; right: the original, the accompaniment with the voice
            // added, so that right minus left is the voice alone. Mastered as a linked pair.
            let left: Vec<f32> = accompaniment
                .chunks(2)
                .map(|f| 0.5 * (f[0] + f[1]))
                .collect();
            let mut vocal = guide;
            let mut alone = left.clone();
            let acc_lufs = master::loudness(&alone, 1, rate)?;
            master::master(
                &mut vocal,
                1,
                rate,
                acc_lufs - (MUSIC_LUFS - VOCAL_LUFS),
                1.0,
            )?;
            let mut stereo: Vec<f32> = left
                .iter()
                .zip(&vocal)
                .flat_map(|(&l, &v)| [l, l + v])
                .collect();
            master::master(&mut stereo, 2, rate, MUSIC_LUFS, 0.89)?;
            alone = stereo.iter().step_by(2).copied().collect();
            let right: Vec<f32> = stereo.iter().skip(1).step_by(2).copied().collect();
            let left_lufs = master::loudness(&alone, 1, rate)?;
            let right_lufs = master::loudness(&right, 1, rate)?;
            media::encode_audio(&stereo, 2, rate, &dir.join(file))?;
            (
                Files {
                    layout: "stereo-split".into(),
                    accompaniment: None,
                    original: None,
                    file: Some(file.into()),
                    original_kind: "full-mix".into(),
                    lyrics: "lyrics.lrc".into(),
                    ultrastar: "song.txt".into(),
                    video: plan.video.map(Into::into),
                },
                Loudness {
                    accompaniment: left_lufs,
                    original: right_lufs,
                },
            )
        }
    };
    if let Some(video) = plan.video {
        media::encode_video(30.0, &dir.join(video))?;
    }
    let lyrics = lyrics_of(score, &timeline, &files);
    let elrc = lyrics::format::elrc::write(&lyrics);
    std::fs::write(dir.join(&files.lyrics), elrc)?;
    let ultrastar = lyrics::format::ultrastar::write(&lyrics);
    std::fs::write(dir.join(&files.ultrastar), ultrastar)?;
    let manifest = SongToml {
        id: score.id.into(),
        title: score.title.into(),
        artist: score.artist.into(),
        language: score.language.into(),
        duration: (length as f64 / f64::from(rate) * 1000.0).round() / 1000.0,
        key: score.key.into(),
        tempo: score.tempo,
        credits: score.credits.into(),
        seed: library_seed,
        files,
        loudness: Loudness {
            accompaniment: (loudness.accompaniment * 10.0).round() / 10.0,
            original: (loudness.original * 10.0).round() / 10.0,
        },
    };
    std::fs::write(dir.join("song.toml"), toml::to_string(&manifest)?)?;
    Ok(manifest)
}

/// The guide vocal: each voice sings its lines (both sing the shared ones), mixed to mono.
fn sing(score: &Score, timeline: &Timeline, rate: u32, length: usize, rng: &mut Rng) -> Vec<f32> {
    let mut mix = vec![0.0f32; length];
    for (voice, timbre) in [
        (
            Voice::P1,
            if score.tonic < 60 {
                Timbre::MALE
            } else {
                Timbre::FEMALE
            },
        ),
        (Voice::P2, Timbre::FEMALE),
    ] {
        let notes: Vec<_> = timeline
            .notes
            .iter()
            .filter(|n| n.voice.includes(voice))
            .cloned()
            .collect();
        if notes.is_empty() {
            continue;
        }
        let sung = voice::sing(&notes, timbre, rate, length, rng);
        for (m, s) in mix.iter_mut().zip(sung) {
            *m += s;
        }
    }
    mix
}

/// The lyrics and reference melody of a song, for the `lyrics` crate's writers.
fn lyrics_of(score: &Score, timeline: &Timeline, files: &Files) -> Lyrics {
    let mut meta = Meta {
        title: Some(score.title.into()),
        artist: Some(score.artist.into()),
        language: Some(score.language.into()),
        file_author: Some("ktv demo-songs".into()),
        ..Meta::default()
    };
    if timeline.notes.iter().any(|n| n.voice != Voice::P1) {
        meta.voice_names = [Some("Voice 1".into()), Some("Voice 2".into())];
    }
    // UltraStar: one beat is a sixteenth note at this tempo, so every note is on the grid.
    let audio = files
        .accompaniment
        .clone()
        .or(files.file.clone())
        .unwrap_or_default();
    let mut tags = vec![
        ("VERSION".to_string(), "1.0.0".to_string()),
        // Older players know only #MP3.
        (
            "MP3".into(),
            files
                .accompaniment
                .clone()
                .or(files.file.clone())
                .unwrap_or_default(),
        ),
        ("BPM".into(), format!("{}", score.tempo)),
        ("GAP".into(), "0".into()),
        ("AUDIO".into(), audio.clone()),
        ("INSTRUMENTAL".into(), audio),
    ];
    if let Some(guide) = &files.original {
        tags.push(("VOCALS".into(), guide.clone()));
    }
    if let Some(video) = &files.video {
        tags.push(("VIDEO".into(), video.clone()));
    }
    meta.tags = tags;
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    let mut current: Option<(usize, Voice, LineBuilder)> = None;
    let time = SongTime::from_secs_f64;
    for note in &timeline.notes {
        if current
            .as_ref()
            .is_none_or(|(line, _, _)| *line != note.line)
        {
            if let Some((_, voice, builder)) = current.take() {
                lines.push(builder.finish(voice, WordTiming::Exact, SongTime::ZERO));
            }
            current = Some((note.line, note.voice, LineBuilder::new()));
        }
        if let Some((_, _, builder)) = current.as_mut() {
            builder.push(
                time(note.start),
                time(note.start + note.duration),
                &note.syllable,
            );
        }
        let voices: &[Voice] = match note.voice {
            Voice::Both => &[Voice::P1, Voice::P2],
            Voice::P2 => &[Voice::P2],
            _ => &[Voice::P1],
        };
        for &voice in voices {
            notes.push(ReferenceNote {
                start: time(note.start),
                duration: time(note.duration),
                pitch: Pitch::from_midi(note.midi as f32),
                kind: NoteKind::Normal,
                voice,
            });
        }
    }
    if let Some((_, voice, builder)) = current {
        lines.push(builder.finish(voice, WordTiming::Exact, SongTime::ZERO));
    }
    notes.sort_by_key(|n| n.start);
    Lyrics { meta, lines, notes }
}
