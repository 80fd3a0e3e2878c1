//! Enhanced LRC (A2): `[mm:ss.xxx]<mm:ss.xxx>word <mm:ss.xxx>word<mm:ss.xxx>`.
//!
//! Reading is shared with plain LRC ([`super::lrc::parse`] reads both). Writing puts a stamp
//! before every word and a closing stamp at the end of the line; a pause inside a line is a
//! stamp with no word after it. Times are written in milliseconds, which every reader we know
//! accepts, so a round trip keeps them exactly.

use crate::error::Result;
use crate::format::{Parsed, lrc, stamp};
use crate::model::Lyrics;

/// Reads enhanced (or plain) LRC; the same as [`lrc::parse`].
pub fn parse(text: &str) -> Result<Parsed> {
    lrc::parse(text)
}

/// Writes enhanced LRC with a stamp before each word.
pub fn write(lyrics: &Lyrics) -> String {
    let mut out = String::new();
    lrc::write_meta(&mut out, &lyrics.meta);
    lrc::write_lines(&mut out, &lyrics.lines, true, false, |out, line| {
        for (i, (word, text)) in line.words_with_text().enumerate() {
            out.push('<');
            stamp::write(out, word.start, true);
            out.push('>');
            out.push_str(&lrc::escape(text));
            let next_start = line.words.get(i + 1).map(|w| w.start);
            if next_start.is_none_or(|next| next > word.end) {
                out.push('<');
                stamp::write(out, word.end, true);
                out.push('>');
            }
        }
    });
    out
}
