//! UltraStar `.txt`: header tags, then notes with pitch that are both the lyrics and the
//! reference melody.
//!
//! Header lines are `#TAG:value` (`#TITLE`, `#ARTIST`, `#BPM`, `#GAP`, `#MP3`, `#VIDEO`,
//! `#COVER`, `#RELATIVE`, `#DUETSINGERP1`, …; unknown ones are kept). Note lines are
//! `T start length pitch text` with `T` one of `:` normal, `*` golden, `F` freestyle, `R` rap,
//! `G` golden rap; `- beat` ends a line; `P1`/`P2` (and `P3`, both) switch the duet voice; `E`
//! ends the song. One beat lasts 60000 / (BPM × 4) ms, beat 0 is at `#GAP` ms, and pitch 0 is
//! middle C (MIDI 60). In relative mode (`#RELATIVE:YES`) beats count from the last line
//! break, which `- a b` moves on by `b` (or by `a` alone).
//!
//! A syllable starting with a space starts a new word; a syllable `~` holds the previous one
//! (a melisma), so it extends that word and adds a note.
//!
//! Versions (`#VERSION`): unversioned files and 1.0.0 give `#START` and `#VIDEOGAP` in seconds,
//! `#END` in ms and the medley in beats (`#MEDLEYSTARTBEAT`/`#MEDLEYENDBEAT`); 1.0.0 requires
//! UTF-8 and adds `#AUDIO`, `#VOCALS` and `#INSTRUMENTAL`. The 2.0.0 draft replaces `#MP3` with
//! `#AUDIO` and gives every time in ms (`#MEDLEYSTART`/`#MEDLEYEND`). A file of a later major
//! version is refused.
//!
//! Layout: [`parse()`] reads a file line by line (`parse.rs`), what the media and version
//! headers mean is in `header.rs`, [`write()`] writes a file back (`write.rs`), and
//! `numbers.rs` holds the number rules both keep, so that what is written reads back.

mod header;
mod numbers;
mod parse;
mod write;

pub use header::{NEWEST_VERSION, requires_utf8};
pub use parse::{MAX_NOTES, parse};
pub use write::{DEFAULT_WRITE_BPM, write};
