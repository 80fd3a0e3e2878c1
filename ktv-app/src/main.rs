//! The `ktv` command: parses arguments and calls into the `ktv_app` library.

#![warn(clippy::unwrap_used)] // input data must never panic the process

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
    },
}

/// The demo songs bundled with the source tree.
fn default_library() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets"))
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    match cli.command {
        Command::Serve { bind, library } => runtime.block_on(serve(bind, library)),
    }
}

async fn serve(bind: SocketAddr, library: PathBuf) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let library = std::fs::canonicalize(&library).unwrap_or(library);
    // The URL line is the contract with scripts and tests: they wait for it on stdout.
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        local.ip().to_string()
    };
    println!("ktv is serving http://{host}:{}/", local.port());
    ktv_app::serve(
        ktv_app::ServeConfig { library },
        listener,
        shutdown_signal(),
    )
    .await?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {err}");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
