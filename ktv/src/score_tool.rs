//! `ktv score SONG RECORDING`: scores a recorded vocal offline and prints the lines and the
//! total, as a table or JSON.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use lyrics::{Hint, Lyrics, SongTime, Voice};
use scoring::{Difficulty, JudgeSettings, PitchSettings, SongResult};

/// What `ktv score` was asked for.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// A song folder (with song.toml) or a lyrics file with notes (UltraStar, KTV XML).
    pub song: PathBuf,
    /// The recording (any format ktv decodes), starting at the song's start.
    pub recording: PathBuf,
    /// Which voice of a duet: p1 or p2.
    #[arg(long, default_value = "p1")]
    pub voice: String,
    /// easy, normal or hard.
    #[arg(long, default_value = "normal")]
    pub difficulty: String,
    /// The microphone path's delay in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    pub mic_delay_ms: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command, printing to stdout.
pub fn run(args: &ScoreArgs) -> anyhow::Result<()> {
    let result = score(args)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(());
    }
    println!(
        "{:>4}  {:>9}  {:>7}  {:<8}  line",
        "#", "start", "score", "grade"
    );
    for line in &result.lines {
        println!(
            "{:>4}  {:>9}  {:>7.1}  {:<8}  {}",
            line.index + 1,
            line.start.to_string(),
            line.score,
            format!("{:?}", line.grade),
            line.text
        );
    }
    println!("score {:.1} / 100, {} points", result.score, result.points);
    Ok(())
}

/// Scores the recording.
pub fn score(args: &ScoreArgs) -> anyhow::Result<SongResult> {
    let lyrics = reference(&args.song)?;
    let voice = match args.voice.to_ascii_lowercase().as_str() {
        "p1" => Voice::P1,
        "p2" => Voice::P2,
        other => bail!("unknown voice {other:?}: p1 or p2"),
    };
    let difficulty = Difficulty::from_name(&args.difficulty).with_context(|| {
        format!(
            "unknown difficulty {:?}: easy, normal or hard",
            args.difficulty
        )
    })?;
    const RATE: u32 = 48_000;
    let mut recording = Vec::new();
    engine::source::stream::decode_to_end(
        &engine::SongSource::accompaniment_only(&args.recording),
        RATE,
        |frames| {
            recording.extend(frames.chunks(4).map(|f| 0.5 * (f[0] + f[1])));
        },
    )
    .with_context(|| format!("cannot read the recording {}", args.recording.display()))?;
    let judge = JudgeSettings {
        difficulty,
        mic_delay: SongTime::from_secs_f64(args.mic_delay_ms / 1000.0),
        ..JudgeSettings::default()
    };
    let (result, _) = scoring::score_recording(
        &lyrics,
        voice,
        &recording,
        RATE,
        PitchSettings::default(),
        judge,
    )?;
    Ok(result)
}

/// The lyrics with notes of a song folder (its UltraStar file) or of a lyrics file.
fn reference(song: &Path) -> anyhow::Result<Lyrics> {
    let file = if song.is_dir() {
        let manifest = std::fs::read_to_string(song.join("song.toml"))
            .with_context(|| format!("{} has no song.toml", song.display()))?;
        let manifest: toml::Table = toml::from_str(&manifest).context("cannot read song.toml")?;
        let name = manifest
            .get("files")
            .and_then(|f| f.get("ultrastar"))
            .and_then(|v| v.as_str())
            .context("song.toml names no ultrastar file")?;
        song.join(name)
    } else {
        song.to_owned()
    };
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let parsed = lyrics::parse(&bytes, Hint::from_path(&file))
        .with_context(|| format!("cannot read lyrics from {}", file.display()))?;
    if parsed.lyrics.notes.is_empty() {
        bail!(
            "{} has no notes to score against (use UltraStar or KTV XML)",
            file.display()
        );
    }
    Ok(parsed.lyrics)
}
