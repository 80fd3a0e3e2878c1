//! Word-timed lyrics: the base of ktv's song domain.
//!
//! This crate turns the lyric files that users have into one model and answers "where are we"
//! for any song time, fast enough to be asked every audio block and every video frame. It
//! depends on none of ktv's other crates; `scoring` and `render` build on it.
//!
//! What it will hold (see `ARCHITECTURE.md`):
//! - `SongTime`, the one type for a position in a song, used by lyrics, scoring and render;
//! - the model: `Lyrics { meta, lines, notes }` with word-timed `Line`s and `Word`s;
//! - the reference melody: `ReferenceNote { start, duration, pitch, kind, voice }`, so that
//!   neither `render` nor `scoring` needs the other to know what should be sung;
//! - readers (and writers where the format allows) for LRC, enhanced LRC, UltraStar, ASS
//!   karaoke, KRC and the formats of Chinese music apps, with encoding and format detection;
//! - `Timeline`, which maps a song time to the current line, word and progress without
//!   allocating.
//!
//! Nothing is implemented yet: the lyrics issue delivers the model, formats and timeline.
