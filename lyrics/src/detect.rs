//! Which format a lyrics file is in, judged by its content.
//!
//! As with Symphonia's probe, the content decides and the file name is only a hint: a `.txt`
//! file holding LRC is read as LRC. Each format scores how sure it is from the first lines;
//! the hint breaks ties.

use std::path::Path;

pub use crate::file_format::Format;

/// What is known about a file besides its content: a format guessed from its name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hint {
    format: Option<Format>,
}

impl Hint {
    /// No hint.
    pub fn none() -> Self {
        Hint::default()
    }

    /// A hint from a file name's extension (`.lrc`, `.txt`, `.ass`, `.ssa`, `.krc`).
    pub fn from_path(path: &Path) -> Self {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let format = match ext.as_deref() {
            Some("lrc") => Some(Format::Lrc),
            Some("txt") => Some(Format::UltraStar),
            Some("ass" | "ssa") => Some(Format::Ass),
            Some("krc") => Some(Format::Krc),
            Some("qrc") => Some(Format::Qrc),
            Some("yrc") => Some(Format::Yrc),
            Some("xml") => Some(Format::KtvXml),
            _ => None,
        };
        Hint { format }
    }

    /// A hint naming a format.
    pub fn format(format: Format) -> Self {
        Hint {
            format: Some(format),
        }
    }
}

/// How many lines from the top are looked at.
const PROBE_LINES: usize = 200;

/// Detects the format of `text`, or `None` if it looks like none of them.
pub fn detect(text: &str, hint: Hint) -> Option<Format> {
    let mut scores = Scores::default();
    for (_, line) in crate::text::lines(text).take(PROBE_LINES) {
        scores.add(line.trim());
    }
    scores.decide(hint)
}

#[derive(Debug, Default)]
struct Scores {
    lrc_lines: u32,
    lrc_word_stamps: u32,
    ultrastar_headers: u32,
    ultrastar_notes: u32,
    ass_markers: u32,
    krc_lines: u32,
    qrc_lines: u32,
    yrc_lines: u32,
    ktv_xml_markers: u32,
}

impl Scores {
    fn add(&mut self, line: &str) {
        let bytes = line.as_bytes();
        match bytes.first() {
            Some(b'#') => {
                let upper = line.get(..7).unwrap_or(line).to_ascii_uppercase();
                if ["#TITLE:", "#ARTIST", "#BPM:", "#GAP:", "#MP3:", "#AUDIO:"]
                    .iter()
                    .any(|tag| upper.starts_with(tag))
                {
                    self.ultrastar_headers += 1;
                }
            }
            Some(b':' | b'*' | b'F' | b'R' | b'G')
                if bytes.get(1).is_some_and(u8::is_ascii_whitespace) =>
            {
                self.ultrastar_notes += 1;
            }
            Some(b'[') => {
                if line.eq_ignore_ascii_case("[script info]")
                    || line.eq_ignore_ascii_case("[events]")
                {
                    self.ass_markers += 1;
                } else if let Some(after) = bracket_stamp(bytes) {
                    match stamp_family(after) {
                        Some(StampFamily::Krc) => self.krc_lines += 1,
                        Some(StampFamily::Yrc) => self.yrc_lines += 1,
                        Some(StampFamily::Qrc) => self.qrc_lines += 1,
                        None => {}
                    }
                } else if bytes.get(1).is_some_and(u8::is_ascii_digit) {
                    self.lrc_lines += 1;
                    if memchr::memchr(b'<', bytes)
                        .is_some_and(|i| bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
                    {
                        self.lrc_word_stamps += 1;
                    }
                }
            }
            Some(b'D') if line.starts_with("Dialogue:") => self.ass_markers += 1,
            Some(b'<') => {
                if line.contains("LyricContent=") || line.starts_with("<QrcInfos") {
                    self.qrc_lines += 1;
                } else if line.starts_with("<midi_lrc") || line.starts_with("<song>") {
                    self.ktv_xml_markers += 1;
                }
            }
            _ => {}
        }
    }

    fn decide(&self, hint: Hint) -> Option<Format> {
        let mut candidates: Vec<(Format, u32)> = Vec::with_capacity(4);
        if self.ultrastar_headers > 0 && self.ultrastar_notes > 0 {
            candidates.push((
                Format::UltraStar,
                self.ultrastar_headers + self.ultrastar_notes,
            ));
        }
        if self.ass_markers > 0 {
            candidates.push((Format::Ass, self.ass_markers));
        }
        for (format, count) in [
            (Format::Krc, self.krc_lines),
            (Format::Qrc, self.qrc_lines),
            (Format::Yrc, self.yrc_lines),
            (Format::KtvXml, self.ktv_xml_markers),
        ] {
            if count > 0 {
                candidates.push((format, count));
            }
        }
        if self.lrc_lines > 0 {
            let format = if self.lrc_word_stamps > 0 {
                Format::EnhancedLrc
            } else {
                Format::Lrc
            };
            candidates.push((format, self.lrc_lines));
        }
        let hinted = |f: Format| match hint.format {
            Some(Format::Lrc) => matches!(f, Format::Lrc | Format::EnhancedLrc),
            Some(h) => h == f,
            None => false,
        };
        candidates
            .into_iter()
            .max_by_key(|&(f, score)| (score, hinted(f)))
            .map(|(f, _)| f)
    }
}

/// After `[digits,digits]` at the start of a line (the line stamp of KRC, QRC and YRC), the
/// rest of the line.
fn bracket_stamp(bytes: &[u8]) -> Option<&[u8]> {
    let rest = &bytes[1..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&b',') {
        return None;
    }
    let rest = &rest[digits + 1..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    (digits > 0 && rest.get(digits) == Some(&b']')).then(|| &rest[digits + 1..])
}

enum StampFamily {
    Krc,
    Qrc,
    Yrc,
}

/// Which word stamps follow a `[start,duration]` line stamp: `<o,d,0>` (KRC), `(s,d,0)` at the
/// start (YRC), or `(s,d)` after a word (QRC). `None` for a line with no word stamps.
fn stamp_family(after: &[u8]) -> Option<StampFamily> {
    let open = memchr::memchr2(b'<', b'(', after)?;
    let close = memchr::memchr2(b'>', b')', &after[open..])? + open;
    let inner = &after[open + 1..close];
    let numeric = !inner.is_empty() && inner.iter().all(|b| b.is_ascii_digit() || *b == b',');
    let commas = inner.iter().filter(|&&b| b == b',').count();
    match (after[open], numeric, commas) {
        (b'<', true, 2) => Some(StampFamily::Krc),
        (b'(', true, 2) => Some(StampFamily::Yrc),
        (b'(', true, 1) => Some(StampFamily::Qrc),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_by_content() {
        let cases = [
            ("[ti:x]\n[00:01.00]hello\n[00:02.00]world\n", Format::Lrc),
            (
                "[00:01.00]<00:01.00>hel<00:01.50>lo<00:02.00>\n",
                Format::EnhancedLrc,
            ),
            (
                "#TITLE:x\n#BPM:300\n: 0 4 0 Hel\n: 4 4 2 lo\nE\n",
                Format::UltraStar,
            ),
            (
                "[Script Info]\nTitle: x\n[Events]\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\k50}hel\n",
                Format::Ass,
            ),
            (
                "[ti:x]\n[1000,2000]<0,500,0>hel<500,500,0>lo\n",
                Format::Krc,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(detect(text, Hint::none()), Some(expected), "{text}");
        }
    }

    #[test]
    fn content_beats_the_file_name() {
        let lrc = "[00:01.00]hello\n";
        assert_eq!(
            detect(lrc, Hint::from_path(Path::new("song.txt"))),
            Some(Format::Lrc)
        );
        assert_eq!(
            detect("just some prose\n", Hint::from_path(Path::new("a.lrc"))),
            None
        );
    }

    #[test]
    fn format_names_round_trip() {
        for f in [
            Format::Lrc,
            Format::EnhancedLrc,
            Format::UltraStar,
            Format::Ass,
            Format::Krc,
        ] {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
    }
}
