//! Printing the timeline state at a song time.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use lyrics::{Hint, Line, Phase, SongTime, Timeline};

/// Prints, for `file` at `at`: the phase, the current line with the current word in
/// brackets and its progress, and the next line.
pub fn show(file: &Path, at: SongTime, out: &mut impl Write) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let parsed = lyrics::parse(&bytes, Hint::from_path(file))
        .with_context(|| format!("cannot read lyrics from {}", file.display()))?;
    let lyrics = &parsed.lyrics;
    let position = Timeline::new(lyrics).at(at);
    writeln!(out, "at {at} ({} {})", parsed.format, file.display())?;
    let phase = match position.phase {
        Phase::Intro {
            until_next,
            countdown,
        } => format!(
            "intro, next line in {}{}",
            secs(until_next),
            count(countdown)
        ),
        Phase::Singing => "singing".to_owned(),
        Phase::Pause { until_next } => format!("pause, next line in {}", secs(until_next)),
        Phase::Break {
            until_next,
            countdown,
        } => format!(
            "break, next line in {}{}",
            secs(until_next),
            count(countdown)
        ),
        Phase::Outro => "outro: no more lines".to_owned(),
    };
    writeln!(out, "phase: {phase}")?;
    if let Some(i) = position.line {
        let line = &lyrics.lines[i];
        writeln!(
            out,
            "line {}: {}  ({:.0}% of the line)",
            i + 1,
            marked(line, position.word),
            position.line_progress * 100.0
        )?;
        if let Some(w) = position.word {
            let word = &line.words[w];
            writeln!(
                out,
                "word: {:?} {}–{} ({:.0}% sung)",
                line.word_text(word).trim(),
                word.start,
                word.end,
                position.word_progress * 100.0
            )?;
        }
    }
    if let Some(next) = position.next_line {
        let line = &lyrics.lines[next];
        writeln!(
            out,
            "next line {} at {}: {}",
            next + 1,
            line.start,
            line.text
        )?;
    }
    Ok(())
}

fn secs(t: SongTime) -> String {
    format!("{:.1} s", t.as_secs_f64())
}

fn count(countdown: Option<f32>) -> String {
    countdown.map_or(String::new(), |c| format!(" (countdown {c:.1})"))
}

/// The line's text with the current word in brackets.
fn marked(line: &Line, word: Option<usize>) -> String {
    let Some(word) = word.and_then(|w| line.words.get(w)) else {
        return line.text.clone();
    };
    let text = line.word_text(word);
    let core = text.trim_end();
    format!(
        "{}[{core}]{}",
        &line.text[..word.text_start as usize],
        &line.text[word.text_start as usize + core.len()..]
    )
}
