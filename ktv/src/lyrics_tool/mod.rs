//! `ktv lyrics`: the lyrics tool for the people who prepare songs.
//!
//! - [`check`]: validates files and folders of lyrics in parallel (format and encoding
//!   detected, warnings and errors with line numbers, a summary table).
//! - [`convert`]: reads any format and writes LRC, enhanced LRC or UltraStar, optionally
//!   adding the reference melody from a pitch file.
//! - [`show`]: prints the timeline state at a song time.
//!
//! Each takes its output as a writer so tests read what a user would see.

mod check;
mod convert;
mod show;

use std::path::PathBuf;

pub use check::check;
pub use convert::convert;
pub use show::show;

/// `ktv lyrics ...`.
#[derive(Debug, clap::Subcommand)]
pub enum LyricsCommand {
    /// Validate lyrics files (folders are searched): format and encoding, warnings and errors
    /// with line numbers, and a summary. Exits with 1 if any file has errors.
    Check(CheckArgs),
    /// Convert lyrics to another format.
    Convert(ConvertArgs),
    /// Print the timeline state at a song time.
    Show(ShowArgs),
}

/// What `ktv lyrics check` was asked for.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// What `ktv lyrics convert` was asked for.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
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
}

/// What `ktv lyrics show` was asked for.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The lyrics file.
    file: PathBuf,
    /// The song time, e.g. 01:23.4 or 83.4.
    #[arg(long, allow_hyphen_values = true)]
    at: lyrics::SongTime,
}

fn parse_format(name: &str) -> Result<lyrics::Format, String> {
    lyrics::Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = lyrics::Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format {name:?}; known: {}", names.join(", "))
    })
}

/// Runs `command`, printing to stdout (warnings to stderr).
pub fn run(command: LyricsCommand) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match command {
        LyricsCommand::Check(CheckArgs { paths }) => {
            let report = check(&paths, &mut stdout)?;
            if report.errors() > 0 {
                std::process::exit(1);
            }
        }
        LyricsCommand::Convert(ConvertArgs {
            input,
            to,
            output,
            pitch,
        }) => {
            for warning in convert(&input, to, &output, pitch.as_deref())? {
                eprintln!("{}: {warning}", input.display());
            }
        }
        LyricsCommand::Show(ShowArgs { file, at }) => show(&file, at, &mut stdout)?,
    }
    Ok(())
}
