//! Validating lyrics files, many at once.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lyrics::{Format, Hint, Parsed};
use rayon::prelude::*;

/// The file extensions `check` picks up when walking a folder.
const LYRICS_EXTENSIONS: [&str; 9] = [
    "lrc", "txt", "ass", "ssa", "krc", "qrc", "yrc", "xml", "pitch",
];

/// What checking one file found.
#[derive(Debug)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// The parse result, or the error (I/O errors included) as text.
    pub outcome: Result<Summary, String>,
}

/// What a file that reads holds.
#[derive(Debug)]
pub struct Summary {
    /// The format detected (`None` for a pitch file).
    pub format: Option<Format>,
    /// Lines, words and notes.
    pub counts: (usize, usize, usize),
    /// Warnings as `line: message` (line 0: about the whole file).
    pub warnings: Vec<(usize, String)>,
}

/// What checking everything found.
#[derive(Debug)]
pub struct CheckReport {
    /// One report per file, in path order.
    pub files: Vec<FileReport>,
    /// How long it took.
    pub elapsed: Duration,
}

impl CheckReport {
    /// Files that failed to read.
    pub fn errors(&self) -> usize {
        self.files.iter().filter(|f| f.outcome.is_err()).count()
    }
}

/// Checks every lyrics file in `paths` (files, or folders walked recursively), printing each
/// problem as `path:line: warning|error: message`, then a summary table, to `out`. A progress
/// bar goes to stderr when it is a terminal.
pub fn check(paths: &[PathBuf], out: &mut impl Write) -> std::io::Result<CheckReport> {
    let started = Instant::now();
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files);
    }
    files.sort();
    files.dedup();
    let progress = indicatif::ProgressBar::new(files.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let reports: Vec<FileReport> = files
        .par_iter()
        .map(|path| {
            let report = check_file(path);
            progress.inc(1);
            report
        })
        .collect();
    progress.finish_and_clear();
    let report = CheckReport {
        files: reports,
        elapsed: started.elapsed(),
    };
    print_problems(&report, out)?;
    print_summary(&report, out)?;
    Ok(report)
}

/// Adds `path` (a file) or the lyrics files under it (a folder) to `files`.
fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if !path.is_dir() {
        // A missing file is reported by check_file, with its error.
        files.push(path.to_owned());
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        files.push(path.to_owned());
        return;
    };
    for entry in entries.flatten() {
        let child = entry.path();
        if child.is_dir() {
            collect(&child, files);
        } else if child
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| LYRICS_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            files.push(child);
        }
    }
}

fn check_file(path: &Path) -> FileReport {
    let outcome = std::fs::read(path)
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(|bytes| read(path, &bytes));
    FileReport {
        path: path.to_owned(),
        outcome,
    }
}

fn read(path: &Path, bytes: &[u8]) -> Result<Summary, String> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pitch"))
    {
        let text = lyrics::encoding::decode(bytes);
        let notes = lyrics::format::pitch::parse(&text.text).map_err(|e| e.to_string())?;
        return Ok(Summary {
            format: None,
            counts: (0, 0, notes.len()),
            warnings: Vec::new(),
        });
    }
    let Parsed {
        lyrics,
        format,
        warnings,
        ..
    } = lyrics::parse(bytes, Hint::from_path(path)).map_err(|e| e.to_string())?;
    let words = lyrics.lines.iter().map(|l| l.words.len()).sum();
    Ok(Summary {
        format: Some(format),
        counts: (lyrics.lines.len(), words, lyrics.notes.len()),
        warnings: warnings
            .iter()
            .map(|w| (w.line, w.kind.to_string()))
            .collect(),
    })
}

fn print_problems(report: &CheckReport, out: &mut impl Write) -> std::io::Result<()> {
    for file in &report.files {
        let path = file.path.display();
        match &file.outcome {
            Err(error) => writeln!(out, "{path}: error: {error}")?,
            Ok(summary) => {
                for (line, warning) in &summary.warnings {
                    writeln!(out, "{path}:{line}: warning: {warning}")?;
                }
            }
        }
    }
    Ok(())
}

fn print_summary(report: &CheckReport, out: &mut impl Write) -> std::io::Result<()> {
    // Per format: files, with warnings, lines, words, notes.
    let mut rows: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    for file in &report.files {
        let Ok(summary) = &file.outcome else { continue };
        let name = summary
            .format
            .map_or("pitch file".to_owned(), |f| f.to_string());
        let row = rows.entry(name).or_default();
        row[0] += 1;
        row[1] += usize::from(!summary.warnings.is_empty());
        row[2] += summary.counts.0;
        row[3] += summary.counts.1;
        row[4] += summary.counts.2;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<14} {:>7} {:>9} {:>8} {:>9} {:>8}",
        "format", "files", "warnings", "lines", "words", "notes"
    )?;
    for (name, [files, warned, lines, words, notes]) in &rows {
        writeln!(
            out,
            "{name:<14} {files:>7} {warned:>9} {lines:>8} {words:>9} {notes:>8}"
        )?;
    }
    let errors = report.errors();
    writeln!(
        out,
        "{} files checked in {:.1} s: {} read, {} with errors",
        report.files.len(),
        report.elapsed.as_secs_f64(),
        report.files.len() - errors,
        errors
    )
}
