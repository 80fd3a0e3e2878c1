//! The `ktv` command: parses arguments and calls into the `ktv_app` library.

#![warn(clippy::unwrap_used)] // input data must never panic the process

mod client_args;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

/// ktv: an open karaoke (KTV) engine service.
#[derive(Debug, Parser)]
#[command(name = "ktv", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the song library over HTTP.
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "0.0.0.0:8080")]
        bind: SocketAddr,
        /// The song library folder (one sub-folder with a song.toml per song).
        #[arg(long, env = "KTV_LIBRARY", default_value_os_t = default_library())]
        library: PathBuf,
        /// The SQLite database of rooms, queues and results (created if missing).
        #[arg(long, env = "KTV_DATABASE", default_value_os_t = default_database())]
        database: PathBuf,
    },
    /// Sing in a room, headless: take your next queued song, play it through the engine
    /// with its key, tempo and track, score it live and keep the room in step.
    Sing(client_args::SingOptions),
    /// Listen in a room, headless: play the song on stage locally, in step with the singer.
    Listen(client_args::ListenOptions),
    /// Check, convert and inspect lyrics files.
    #[command(subcommand)]
    Lyrics(LyricsCommand),
    /// Generate the demo song library (audio, lyrics, videos, song.toml) from its scores.
    DemoSongs {
        /// The library folder to write.
        #[arg(long, default_value_os_t = default_library())]
        out: PathBuf,
        /// The seed of every random choice (voice, drums).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Only this song.
        #[arg(long)]
        only: Option<String>,
    },
    /// Score a recording of a song's vocal against its reference melody.
    Score {
        /// A song folder (with song.toml) or a lyrics file with notes (UltraStar, KTV XML).
        song: PathBuf,
        /// The recording (any format ktv decodes), starting at the song's start.
        recording: PathBuf,
        /// Which voice of a duet: p1 or p2.
        #[arg(long, default_value = "p1")]
        voice: String,
        /// easy, normal or hard.
        #[arg(long, default_value = "normal")]
        difficulty: String,
        /// The microphone path's delay in milliseconds.
        #[arg(long, default_value_t = 0.0)]
        mic_delay_ms: f64,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Render a performance offline through the engine to a WAV or FLAC file: the song in a
    /// track mode, key and tempo, with a recording of the singer as the microphone.
    Mix {
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
        mode: Option<engine::TrackMode>,
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
    },
    /// Render a song's lyric video with its audio to MP4 (or one frame to PNG with --at), on
    /// the GPU or, without one, on the CPU (Mesa's lavapipe).
    Render {
        /// A song folder (with song.toml).
        song: PathBuf,
        /// The file to write: .mp4, .png for one frame, .y4m or - (standard output) for a
        /// Y4M stream without audio.
        #[arg(long, allow_hyphen_values = true)]
        out: PathBuf,
        /// Frame width.
        #[arg(long, default_value_t = 1280)]
        width: u32,
        /// Frame height.
        #[arg(long, default_value_t = 720)]
        height: u32,
        /// Frames per second.
        #[arg(long, default_value_t = 30)]
        fps: u32,
        /// The track heard: accompaniment (伴奏) or original (原唱).
        #[arg(long, default_value = "accompaniment")]
        mode: engine::TrackMode,
        /// Who asked for the song (shown on the title card).
        #[arg(long)]
        requester: Option<String>,
        /// For a .png: the song time of the frame, e.g. 01:23.4 or 83.4.
        #[arg(long)]
        at: Option<lyrics::SongTime>,
    },
}

/// What `ktv mix` was asked for.
struct MixArgs {
    song: PathBuf,
    vocal: Option<PathBuf>,
    out: PathBuf,
    full_mix: bool,
    performance: engine::render::Performance,
    mode_given: bool,
    sample_rate: u32,
}

#[derive(Debug, Subcommand)]
enum LyricsCommand {
    /// Validate lyrics files (folders are searched): format and encoding, warnings and errors
    /// with line numbers, and a summary. Exits with 1 if any file has errors.
    Check {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Convert lyrics to another format.
    Convert {
        /// The lyrics to read (any format ktv reads).
        input: PathBuf,
        /// The format to write: lrc, elrc or ultrastar.
        #[arg(long, value_parser = parse_format)]
        to: lyrics::Format,
        /// Where to write.
        output: PathBuf,
        /// A pitch file (JSON `pitchDatas`) whose notes become the reference melody.
        #[arg(long)]
        pitch: Option<PathBuf>,
    },
    /// Print the timeline state at a song time.
    Show {
        /// The lyrics file.
        file: PathBuf,
        /// The song time, e.g. 01:23.4 or 83.4.
        #[arg(long, allow_hyphen_values = true)]
        at: lyrics::SongTime,
    },
}

fn parse_format(name: &str) -> Result<lyrics::Format, String> {
    lyrics::Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = lyrics::Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format {name:?}; known: {}", names.join(", "))
    })
}

/// The demo songs bundled with the source tree.
fn default_library() -> PathBuf {
    // At run time first: cargo sets it for `cargo run`, and a target folder shared between
    // checkouts may hold a binary built in another one.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../assets")
}

fn main() {
    if let Err(error) = run(Cli::parse()) {
        // `{:#}` prints the chain of causes on one line: what failed, and why.
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(
                    "info,symphonia_core=error,symphonia_bundle_mp3=error,symphonia_format_ogg=warn,symphonia_format_isomp4=warn",
                )
            }),
        )
        .init();
    match cli.command {
        Command::Serve {
            bind,
            library,
            database,
        } => tokio::runtime::Runtime::new()
            .context("cannot start the async runtime")?
            .block_on(serve(bind, library, database)),
        Command::Sing(options) => {
            let args = options.into_args()?;
            tokio::runtime::Runtime::new()
                .context("cannot start the async runtime")?
                .block_on(ktv_app::client::sing::run(args))?;
            Ok(())
        }
        Command::Listen(options) => {
            let args = options.into_args()?;
            tokio::runtime::Runtime::new()
                .context("cannot start the async runtime")?
                .block_on(ktv_app::client::listen::run(args))?;
            Ok(())
        }
        Command::Lyrics(command) => lyrics_command(command),
        Command::DemoSongs { out, seed, only } => {
            let songs = ktv_app::demo_songs::generate(&out, seed, only.as_deref(), |id| {
                eprintln!("generating {id}…");
            })?;
            for song in songs {
                println!(
                    "{:<10} {:>6.2} s  accompaniment {:+.1} LUFS, original {:+.1} LUFS",
                    song.id, song.duration, song.loudness.accompaniment, song.loudness.original
                );
            }
            Ok(())
        }
        Command::Score {
            song,
            recording,
            voice,
            difficulty,
            mic_delay_ms,
            json,
        } => ktv_app::score_tool::run(&ktv_app::score_tool::ScoreArgs {
            song,
            recording,
            voice,
            difficulty,
            mic_delay_ms,
            json,
        }),
        Command::Render {
            song,
            out,
            width,
            height,
            fps,
            mode,
            requester,
            at,
        } => {
            let bar = indicatif::ProgressBar::new(1000).with_style(
                indicatif::ProgressStyle::with_template("{bar:40} {percent}% {elapsed} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message(format!("rendering {}", out.display()));
            let args = ktv_app::video_tool::VideoArgs {
                song,
                out,
                width,
                height,
                fps,
                mode,
                requester,
                at,
            };
            let said = ktv_app::video_tool::run(&args, |done| {
                bar.set_position((done * 1000.0) as u64);
            });
            bar.finish_and_clear();
            // A stream on standard output keeps it clean: the summary goes to stderr.
            if args.out.as_os_str() == "-" {
                eprintln!("{}", said?);
            } else {
                println!("{}", said?);
            }
            Ok(())
        }
        Command::Mix {
            song,
            vocal,
            out,
            full_mix,
            mic,
            mode,
            key,
            tempo,
            effects,
            bus,
            loudness,
            sample_rate,
        } => mix(MixArgs {
            song,
            vocal,
            out,
            full_mix,
            performance: engine::render::Performance {
                mode: mode.unwrap_or(engine::TrackMode::Original),
                mic,
                effects: engine::VoiceEffects::preset(effects),
                bus: if bus == "monitor" {
                    engine::Bus::Monitor
                } else {
                    engine::Bus::Room
                },
                key,
                tempo,
                loudness_target: loudness,
            },
            mode_given: mode.is_some(),
            sample_rate,
        }),
    }
}

fn mix(mut args: MixArgs) -> anyhow::Result<()> {
    use engine::{Original, SongSource, TrackMode};
    let song = if args.song.is_dir() {
        anyhow::ensure!(
            args.vocal.is_none(),
            "{} is a song folder: its song.toml names its files, so give no second file",
            args.song.display()
        );
        ktv_app::library::song_source(&args.song)?
    } else {
        match args.vocal.take() {
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
    if !args.mode_given && !has_original {
        args.performance.mode = TrackMode::Accompaniment;
    }
    let out = &args.out;
    let bar = indicatif::ProgressBar::new(1000).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {percent}% {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(format!("rendering {}", out.display()));
    let report =
        engine::render::render_song(&song, &args.performance, args.sample_rate, out, |done| {
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

fn lyrics_command(command: LyricsCommand) -> anyhow::Result<()> {
    use ktv_app::lyrics_tool;
    let mut stdout = std::io::stdout().lock();
    match command {
        LyricsCommand::Check { paths } => {
            let report = lyrics_tool::check(&paths, &mut stdout)?;
            if report.errors() > 0 {
                std::process::exit(1);
            }
        }
        LyricsCommand::Convert {
            input,
            to,
            output,
            pitch,
        } => {
            for warning in lyrics_tool::convert(&input, to, &output, pitch.as_deref())? {
                eprintln!("{}: {warning}", input.display());
            }
        }
        LyricsCommand::Show { file, at } => lyrics_tool::show(&file, at, &mut stdout)?,
    }
    Ok(())
}

async fn serve(bind: SocketAddr, library: PathBuf, database: PathBuf) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let library = std::fs::canonicalize(&library).unwrap_or(library);
    // The URL line is the contract with scripts and tests: they wait for it on stdout.
    let url = ktv_app::lan::url(local);
    println!("ktv is serving {url}");
    if local.ip().is_unspecified() {
        // Phones on the same network scan this to open the page.
        if let Some(qr) = ktv_app::lan::terminal_qr(&url) {
            eprintln!("{qr}scan to open {url} on a phone on this network");
        }
    }
    ktv_app::serve(
        ktv_app::ServeConfig { library, database },
        listener,
        ktv_app::shutdown_signal(),
    )
    .await?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// `$XDG_DATA_HOME/ktv/ktv.db`, else `~/.local/share/ktv/ktv.db`, else `./ktv.db`.
fn default_database() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")));
    match data {
        Some(dir) => dir.join("ktv").join("ktv.db"),
        None => PathBuf::from("ktv.db"),
    }
}
