//! Reading and writing each lyrics format on files that look like the ones users have, with
//! the expected values written out by hand.

mod ass;
mod chinese_apps;
mod cross_format;
mod elrc;
mod encodings;
mod krc;
mod lrc;
mod lrc_variants;
mod ultrastar;
mod ultrastar_versions;

use lyrics::{Line, Lyrics, SongTime};

/// Milliseconds as a song time.
pub fn ms(v: i64) -> SongTime {
    SongTime::from_millis(v)
}

/// `(start ms, end ms, text)` of every line.
pub fn lines(lyrics: &Lyrics) -> Vec<(i64, i64, String)> {
    lyrics
        .lines
        .iter()
        .map(|l| (l.start.as_millis(), l.end.as_millis(), l.text.clone()))
        .collect()
}

/// `(start ms, end ms, text)` of every word of a line.
pub fn words(line: &Line) -> Vec<(i64, i64, &str)> {
    line.words_with_text()
        .map(|(w, t)| (w.start.as_millis(), w.end.as_millis(), t))
        .collect()
}
