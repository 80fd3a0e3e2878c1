//! The demo songs' scores: a compact notation for melody, lyrics and chords, and its reading
//! into absolute times.
//!
//! A song is a list of blocks of whole bars. A sung block has melody tokens
//! `DEGREE/BEATS/SYLLABLE/VOWEL` (degree `1`–`7` of the major scale, `'` an octave up, `,` an
//! octave down, `#`/`b` a semitone; degree `0` is a rest; `_` at the end of a syllable ends a
//! word); an instrumental block may have the lead instrument play a melody of tokens without
//! syllables. Chords are roman numerals per bar (`I IV | V I`: bars split by `|`, chords in a
//! bar share it evenly; lower case is minor).

use lyrics::Voice;

/// A vowel the voice sings (the formants it shapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vowel {
    /// /a/ as in "father", 花 hua.
    A,
    /// /e/ as in "bed", 得 de.
    E,
    /// /i/ as in "see", 一 yi.
    I,
    /// /o/ as in "go", 朵 duo.
    O,
    /// /u/ as in "you", 虎 hu.
    U,
}

impl Vowel {
    fn parse(s: &str) -> Option<Vowel> {
        Some(match s {
            "a" => Vowel::A,
            "e" => Vowel::E,
            "i" => Vowel::I,
            "o" => Vowel::O,
            "u" => Vowel::U,
            _ => return None,
        })
    }
}

/// What a block holds.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// The band alone (intro, break, outro); the lead may play `lead`.
    Instrumental {
        /// Lead melody tokens (no syllables), or empty.
        lead: &'static str,
    },
    /// A sung line.
    Sung {
        /// Who sings it.
        voice: Voice,
        /// Melody tokens with syllables.
        melody: &'static str,
    },
}

/// Some bars of a song.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// How many bars.
    pub bars: u32,
    /// Chords, per bar.
    pub chords: &'static str,
    /// What plays.
    pub kind: BlockKind,
}

/// A demo song's score and facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Folder name and id.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Artist or origin.
    pub artist: &'static str,
    /// BCP 47 language.
    pub language: &'static str,
    /// Where the words come from, and why they are free to use.
    pub credits: &'static str,
    /// Beats per minute (quarter notes).
    pub tempo: f64,
    /// Beats per bar.
    pub meter: u32,
    /// The tonic's MIDI note for the first voice (the second sings `second_voice_offset` above).
    pub tonic: i32,
    /// Semitones the second voice sings above the first in its solo lines.
    pub second_voice_offset: i32,
    /// The key, for people.
    pub key: &'static str,
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

/// One sung syllable in absolute time.
#[derive(Debug, Clone, PartialEq)]
pub struct SungNote {
    /// Start, seconds from the song's start.
    pub start: f64,
    /// Length, seconds.
    pub duration: f64,
    /// MIDI pitch.
    pub midi: i32,
    /// The syllable as displayed, with a trailing space where a word ends.
    pub syllable: String,
    /// Its vowel.
    pub vowel: Vowel,
    /// Who sings it.
    pub voice: Voice,
    /// Which sung line (0-based) it belongs to.
    pub line: usize,
    /// The start, in beats from the song's start.
    pub beat: f64,
    /// The length in beats.
    pub beats: f64,
}

/// A chord in absolute time.
#[derive(Debug, Clone, PartialEq)]
pub struct ChordSpan {
    /// Start, seconds.
    pub start: f64,
    /// Length, seconds.
    pub duration: f64,
    /// Root as MIDI note (in the octave below the tonic).
    pub root: i32,
    /// Minor?
    pub minor: bool,
}

/// A lead-instrument note in absolute time.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadNote {
    /// Start, seconds.
    pub start: f64,
    /// Length, seconds.
    pub duration: f64,
    /// MIDI pitch.
    pub midi: i32,
}

/// A score read into absolute time.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Every sung syllable.
    pub notes: Vec<SungNote>,
    /// Every chord.
    pub chords: Vec<ChordSpan>,
    /// Every lead note.
    pub lead: Vec<LeadNote>,
    /// The song's length in seconds.
    pub duration: f64,
    /// Seconds per beat.
    pub beat: f64,
    /// Instrumental stretches (start, end) in seconds, intro first.
    pub instrumental: Vec<(f64, f64)>,
}

/// A token that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("song {song}: bad token {token:?}: {why}")]
pub struct ScoreError {
    song: &'static str,
    token: String,
    why: &'static str,
}

/// The semitone of a scale degree token like `5`, `1'`, `6,`, `#4`.
fn degree(token: &str) -> Option<i32> {
    let mut semitone = 0;
    let mut digits = String::new();
    for c in token.chars() {
        match c {
            '\'' => semitone += 12,
            ',' => semitone -= 12,
            '#' => semitone += 1,
            'b' => semitone -= 1,
            '0'..='7' => digits.push(c),
            _ => return None,
        }
    }
    let steps = [0, 0, 2, 4, 5, 7, 9, 11];
    let d: usize = digits.parse().ok()?;
    (d <= 7).then(|| steps[d] + semitone).filter(|_| d > 0)
}

impl Score {
    /// Reads the score into absolute time.
    pub fn timeline(&self) -> Result<Timeline, ScoreError> {
        let beat = 60.0 / self.tempo;
        let mut out = Timeline {
            notes: Vec::new(),
            chords: Vec::new(),
            lead: Vec::new(),
            duration: 0.0,
            beat,
            instrumental: Vec::new(),
        };
        let mut bar_start = 0.0f64; // in beats
        let mut line = 0;
        let error = |token: &str, why| ScoreError {
            song: self.id,
            token: token.to_owned(),
            why,
        };
        for block in &self.blocks {
            let block_beats = f64::from(block.bars * self.meter);
            // Chords.
            let bars: Vec<&str> = block.chords.split('|').map(str::trim).collect();
            if bars.len() != block.bars as usize {
                return Err(error(block.chords, "one chord group per bar"));
            }
            for (b, bar) in bars.iter().enumerate() {
                let names: Vec<&str> = bar.split_whitespace().collect();
                let each = f64::from(self.meter) / names.len().max(1) as f64;
                for (k, name) in names.iter().enumerate() {
                    let (root, minor) =
                        roman(name).ok_or_else(|| error(name, "not a roman numeral"))?;
                    out.chords.push(ChordSpan {
                        start: (bar_start + (b as u32 * self.meter) as f64 + k as f64 * each)
                            * beat,
                        duration: each * beat,
                        root: self.tonic - 12 + root,
                        minor,
                    });
                }
            }
            // Melody.
            let (tokens, voice, sung) = match &block.kind {
                BlockKind::Instrumental { lead } => {
                    out.instrumental
                        .push((bar_start * beat, (bar_start + block_beats) * beat));
                    (*lead, Voice::P1, false)
                }
                BlockKind::Sung { voice, melody } => (*melody, *voice, true),
            };
            let offset = if voice == Voice::P2 {
                self.second_voice_offset
            } else {
                0
            };
            let mut at = bar_start;
            for token in tokens.split_whitespace() {
                let parts: Vec<&str> = token.split('/').collect();
                let beats: f64 = parts
                    .get(1)
                    .and_then(|b| b.parse().ok())
                    .filter(|b: &f64| *b > 0.0)
                    .ok_or_else(|| error(token, "no length in beats"))?;
                if parts[0] != "0" {
                    let semitone = degree(parts[0]).ok_or_else(|| error(token, "not a degree"))?;
                    if sung {
                        let syllable = parts.get(2).ok_or_else(|| error(token, "no syllable"))?;
                        let vowel = parts
                            .get(3)
                            .and_then(|v| Vowel::parse(v))
                            .ok_or_else(|| error(token, "no vowel"))?;
                        out.notes.push(SungNote {
                            start: at * beat,
                            duration: beats * beat,
                            midi: self.tonic + offset + semitone,
                            syllable: syllable.replace('_', " "),
                            vowel,
                            voice,
                            line,
                            beat: at,
                            beats,
                        });
                    } else {
                        out.lead.push(LeadNote {
                            start: at * beat,
                            duration: beats * beat,
                            midi: self.tonic + 12 + semitone,
                        });
                    }
                }
                at += beats;
            }
            if (at - bar_start - block_beats).abs() > 1e-9 && !tokens.is_empty() {
                return Err(error(tokens, "the melody does not fill its bars"));
            }
            if sung {
                line += 1;
            }
            bar_start += block_beats;
        }
        out.duration = bar_start * beat;
        Ok(out)
    }
}

/// The root (semitones above the tonic) and minor flag of a roman numeral.
fn roman(name: &str) -> Option<(i32, bool)> {
    let minor = name.chars().all(|c| c.is_lowercase());
    let root = match name.to_ascii_uppercase().as_str() {
        "I" => 0,
        "II" => 2,
        "III" => 4,
        "IV" => 5,
        "V" => 7,
        "VI" => 9,
        "VII" => 11,
        _ => return None,
    };
    Some((root, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_and_numerals() {
        assert_eq!(degree("1"), Some(0));
        assert_eq!(degree("5,"), Some(-5));
        assert_eq!(degree("1'"), Some(12));
        assert_eq!(degree("#4"), Some(6));
        assert_eq!(degree("0"), None);
        assert_eq!(roman("vi"), Some((9, true)));
        assert_eq!(roman("IV"), Some((5, false)));
    }

    #[test]
    fn every_demo_song_reads() {
        for score in crate::songs::all() {
            let timeline = score.timeline().unwrap();
            assert!(!timeline.notes.is_empty(), "{}", score.id);
            assert!(
                (45.0..=120.0).contains(&timeline.duration),
                "{}: {}",
                score.id,
                timeline.duration
            );
        }
    }
}
