//! `ktv mix`: a performance rendered offline through the engine to a WAV or FLAC file: the
//! song in a track mode, key and tempo, with a recording of the singer as the microphone.

use std::path::PathBuf;

use engine::{Original, SongSource, TrackMode};

/// What `ktv mix` was asked for.
#[derive(Debug, clap::Args)]
pub struct MixArgs {
    /// A song folder (with song.toml), or an accompaniment file.
    song: PathBuf,
    /// With an accompaniment file: a vocal to play with it (or, with --full-mix, the full
    /// original).
    vocal: Option<PathBuf>,
    /// The file to write (.wav or .flac).
    #[arg(long)]
    out: PathBuf,
    /// The second file is the full original song, not a vocal.
    #[arg(long)]
    full_mix: bool,
    /// The singer's recording (any format ktv decodes), played as the microphone from the
    /// song's first frame.
    #[arg(long)]
    mic: Option<PathBuf>,
    /// Track mode: accompaniment (伴奏), original (原唱) or guide (导唱: the original in
    /// the singer's monitor only). Default: original when the song has one.
    #[arg(long)]
    mode: Option<TrackMode>,
    /// Key shift in semitones, −12 to +12 (e.g. +2, -3, 1.5).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    key: f32,
    /// Tempo, 0.8 to 1.2 (pitch kept).
    #[arg(long, default_value_t = 1.0)]
    tempo: f64,
    /// Voice effects on the microphone: dry, room, hall or ktv.
    #[arg(long, default_value = "ktv")]
    effects: engine::Preset,
    /// The bus written: room (what listeners hear) or monitor (the singer's headphones).
    #[arg(long, default_value = "room", value_parser = ["room", "monitor"])]
    bus: String,
    /// Level the song to this loudness (LUFS, EBU R128), e.g. -16.
    #[arg(long, allow_negative_numbers = true)]
    loudness: Option<f64>,
    /// The output sample rate.
    #[arg(long, default_value_t = 48_000)]
    sample_rate: u32,
}

/// Renders the mix, showing progress, and prints what was written.
pub fn run(args: MixArgs) -> anyhow::Result<()> {
    let song = if args.song.is_dir() {
        anyhow::ensure!(
            args.vocal.is_none(),
            "{} is a song folder: its song.toml names its files, so give no second file",
            args.song.display()
        );
        room_service::library::song_source(&args.song)?
    } else {
        match &args.vocal {
            Some(vocal) => {
                SongSource::two_files(&args.song, vocal).with_original(if args.full_mix {
                    Original::FullMix
                } else {
                    Original::VocalOnly
                })
            }
            None => SongSource::accompaniment_only(&args.song),
        }
    };
    let has_original = !matches!(song.files, engine::SongFiles::AccompanimentOnly { .. });
    let mode = match args.mode {
        Some(mode) => mode,
        None if has_original => TrackMode::Original,
        None => TrackMode::Accompaniment,
    };
    let performance = engine::render::Performance {
        mode,
        mic: args.mic,
        effects: engine::VoiceEffects::preset(args.effects),
        bus: if args.bus == "monitor" {
            engine::Bus::Monitor
        } else {
            engine::Bus::Room
        },
        key: args.key,
        tempo: args.tempo,
        loudness_target: args.loudness,
    };
    let out = &args.out;
    let bar = crate::progress_bar(format!("rendering {}", out.display()));
    let report = engine::render::render_song(&song, &performance, args.sample_rate, out, |done| {
        bar.set_position((done * 1000.0) as u64);
    })?;
    bar.finish_and_clear();
    println!(
        "wrote {}: {:.2} s at {} Hz",
        out.display(),
        report.frames as f64 / f64::from(report.sample_rate),
        report.sample_rate
    );
    Ok(())
}
