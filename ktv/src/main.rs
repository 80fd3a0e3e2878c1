//! The `ktv` command: the room service, the headless singer and listener, and the offline
//! tools. It parses arguments and wires the crates that do the work: `room-service`,
//! `room-client`, `demo-songs`, and the engine, lyrics, scoring and render crates for the
//! tools (one module each here).

#![warn(clippy::unwrap_used)] // input data must never panic the process

mod client_args;
mod lyrics_tool;
mod mix_tool;
mod score_tool;
mod shutdown;
mod video_tool;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use room_service::tls::{Tls, TlsSource};
use tokio::net::TcpListener;

use shutdown::shutdown_signal;

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
    Serve(ServeArgs),
    /// Sing in a room, headless: take your next queued song, play it through the engine
    /// with its key, tempo and track, score it live and keep the room in step.
    Sing(client_args::SingOptions),
    /// Listen in a room, headless: play the song on stage locally, in step with the singer.
    Listen(client_args::ListenOptions),
    /// Check, convert and inspect lyrics files.
    #[command(subcommand)]
    Lyrics(lyrics_tool::LyricsCommand),
    /// Generate the demo song library (audio, lyrics, videos, song.toml) from its scores.
    DemoSongs(DemoSongsArgs),
    /// Score a recording of a song's vocal against its reference melody.
    Score(score_tool::ScoreArgs),
    /// Render a performance offline through the engine to a WAV or FLAC file: the song in a
    /// track mode, key and tempo, with a recording of the singer as the microphone.
    Mix(mix_tool::MixArgs),
    /// Render a song's lyric video with its audio to MP4 (or one frame to PNG with --at), on
    /// the GPU or, without one, on the CPU (Mesa's lavapipe).
    Render(video_tool::VideoArgs),
}

/// What `ktv serve` was asked for.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "0.0.0.0:8080")]
    bind: SocketAddr,
    /// The song library folder (one sub-folder with a song.toml per song).
    #[arg(long, env = "KTV_LIBRARY", default_value_os_t = default_library())]
    library: PathBuf,
    /// The SQLite database of rooms, queues and results (created if missing).
    #[arg(long, env = "KTV_DATABASE", default_value_os_t = default_database())]
    database: PathBuf,
    /// HTTPS with this certificate chain (PEM); phones give a page the microphone only over
    /// HTTPS.
    #[arg(long, requires = "tls_key", conflicts_with = "tls")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `--tls-cert`.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// `self-signed`: HTTPS with a certificate made for this machine's names and addresses,
    /// kept in a `tls` folder beside the database (for a party on a LAN; each phone accepts
    /// it once).
    #[arg(long, value_enum)]
    tls: Option<TlsMode>,
    /// On an all-interfaces `--bind` without `--tls*`, HTTPS (a self-signed certificate, as
    /// `--tls self-signed` makes) is served beside HTTP on this port, and the QR code and the
    /// page's join links point there, so phones can sing with no flag given. Defaults to
    /// 8443, or a free port when `--bind` asks for one.
    #[arg(long)]
    https_port: Option<u16>,
    /// No HTTPS beside HTTP.
    #[arg(long, conflicts_with = "https_port")]
    no_https: bool,
}

/// How `ktv serve --tls` gets its certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TlsMode {
    /// Made for this machine and kept.
    SelfSigned,
}

/// What `ktv demo-songs` was asked for.
#[derive(Debug, clap::Args)]
struct DemoSongsArgs {
    /// The library folder to write.
    #[arg(long, default_value_os_t = default_library())]
    out: PathBuf,
    /// The seed of every random choice (voice, drums).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Only this song.
    #[arg(long)]
    only: Option<String>,
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
    let runtime = || tokio::runtime::Runtime::new().context("cannot start the async runtime");
    match cli.command {
        Command::Serve(args) => runtime()?.block_on(serve(args)),
        Command::Sing(options) => {
            let args = options.into_args()?;
            runtime()?.block_on(async { room_client::sing::run(args, shutdown_signal()).await })?;
            Ok(())
        }
        Command::Listen(options) => {
            let args = options.into_args()?;
            runtime()?
                .block_on(async { room_client::listen::run(args, shutdown_signal()).await })?;
            Ok(())
        }
        Command::Lyrics(command) => lyrics_tool::run(command),
        Command::DemoSongs(DemoSongsArgs { out, seed, only }) => {
            let songs = demo_songs::generate(&out, seed, only.as_deref(), |id| {
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
        Command::Score(args) => score_tool::run(&args),
        Command::Render(args) => {
            let bar = progress_bar(format!("rendering {}", args.out.display()));
            let said = video_tool::run(&args, |done| {
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
        Command::Mix(args) => mix_tool::run(args),
    }
}

/// A progress bar for a render, in thousandths.
fn progress_bar(message: String) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(1000).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {percent}% {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Before the URL is printed: whoever reads it may stop the service at once.
    let shutdown = shutdown_signal();
    let ServeArgs {
        bind,
        library,
        database,
        tls_cert,
        tls_key,
        tls,
        https_port,
        no_https,
    } = args;
    let self_signed = TlsSource::SelfSigned {
        folder: database
            .parent()
            .unwrap_or_else(|| std::path::Path::new("."))
            .join("tls"),
        names: room_service::tls::machine_names(),
    };
    let tls = match (tls_cert, tls_key, tls) {
        (Some(cert), Some(key), _) => Some(TlsSource::Files { cert, key }),
        (_, _, Some(TlsMode::SelfSigned)) => Some(self_signed.clone()),
        _ => None,
    };
    let tls = match &tls {
        Some(source) => Some(Tls::load(source).await?),
        None => None,
    };
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let https_beside = if tls.is_none() && !no_https && local.ip().is_unspecified() {
        let port = https_port.unwrap_or(if bind.port() == 0 { 0 } else { 8443 });
        https_beside(SocketAddr::new(local.ip(), port), &self_signed).await
    } else {
        None
    };
    let library = std::fs::canonicalize(&library).unwrap_or(library);
    // The URL line is the contract with scripts and tests: they wait for it on stdout.
    let url = room_service::lan::url(local, tls.is_some());
    println!("ktv is serving {url}");
    let https_url = match (&tls, &https_beside) {
        (Some(_), _) => Some(url.clone()),
        (None, Some(beside)) => beside
            .listener
            .local_addr()
            .ok()
            .map(|address| room_service::lan::url(address, true)),
        (None, None) => None,
    };
    if let Some(https) = &https_url {
        let certificate = tls
            .as_ref()
            .or(https_beside.as_ref().map(|b| &b.tls))
            .map(|tls| tls.certificate.display().to_string())
            .unwrap_or_default();
        println!("phones open {https}");
        eprintln!(
            "HTTPS at {https} with the certificate {certificate} (made for this machine: \
             each phone accepts it once)"
        );
    }
    if local.ip().is_unspecified() {
        // Phones on the same network scan this to open the page.
        let phones = https_url.as_deref().unwrap_or(&url);
        if let Some(qr) = room_service::lan::terminal_qr(phones) {
            eprintln!("{qr}scan to open {phones} on a phone on this network");
        }
    }
    room_service::serve(
        room_service::ServeConfig {
            library,
            database,
            tls,
            https_beside,
            https_url,
        },
        listener,
        shutdown,
    )
    .await?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// The self-signed HTTPS listener beside plain HTTP at `address`, or none (said why) if the
/// certificate cannot be made or the port is taken: plain HTTP still serves.
async fn https_beside(
    address: SocketAddr,
    source: &TlsSource,
) -> Option<room_service::HttpsBeside> {
    let tls = match Tls::load(source).await {
        Ok(tls) => tls,
        Err(e) => {
            tracing::warn!("no HTTPS beside HTTP: {e}");
            return None;
        }
    };
    match TcpListener::bind(address).await {
        Ok(listener) => Some(room_service::HttpsBeside { listener, tls }),
        Err(e) => {
            tracing::warn!(
                "no HTTPS beside HTTP: cannot listen on {address}: {e} (--https-port picks another)"
            );
            None
        }
    }
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
