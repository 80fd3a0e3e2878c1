//! Lyrics files of a chosen size, in the shapes real files have: Chinese and English lines,
//! syllable stamps, UltraStar notes with pitches.

use std::fmt::Write;

const WORDS: [&str; 12] = [
    "好", "一", "朵", "美", "丽", "的", "Twin", "kle ", "lit", "tle ", "star ", "how ",
];

fn stamp(out: &mut String, open: char, ms: u64, close: char) {
    let _ = write!(
        out,
        "{open}{:02}:{:02}.{:03}{close}",
        ms / 60_000,
        ms / 1000 % 60,
        ms % 1000
    );
}

/// Enhanced LRC with `lines` lines of eight stamped words each.
pub fn enhanced_lrc(lines: usize) -> String {
    let mut out = String::from("[ti:bench]\n[ar:ktv]\n");
    let mut t = 1_000u64;
    for line in 0..lines {
        stamp(&mut out, '[', t, ']');
        for w in 0..8 {
            stamp(&mut out, '<', t, '>');
            out.push_str(WORDS[(line + w) % WORDS.len()]);
            t += 310;
        }
        stamp(&mut out, '<', t, '>');
        out.push('\n');
        t += 700;
    }
    out
}

/// Line-timed LRC with `lines` lines, in the classic `[mm:ss.xx]` form every reader knows.
pub fn plain_lrc(lines: usize) -> String {
    let mut out = String::from("[ti:bench]\n[ar:ktv]\n");
    for line in 0..lines {
        let ms = 1_000 + line as u64 * 3_180;
        let _ = write!(
            out,
            "[{:02}:{:02}.{:02}]",
            ms / 60_000,
            ms / 1000 % 60,
            ms % 1000 / 10
        );
        for w in 0..8 {
            out.push_str(WORDS[(line + w) % WORDS.len()]);
        }
        out.push('\n');
    }
    out
}

/// An UltraStar file with `notes` notes, eight to a line.
pub fn ultrastar(notes: usize) -> String {
    let mut out = String::from("#TITLE:bench\n#ARTIST:ktv\n#BPM:300\n#GAP:1000\n");
    let mut beat = 0;
    for n in 0..notes {
        let kind = if n % 17 == 0 { '*' } else { ':' };
        let pitch = (n * 7 % 12) as i64 - 5;
        let space = if n % 2 == 0 { " " } else { "" };
        let _ = writeln!(
            out,
            "{kind} {beat} 5 {pitch} {space}{}",
            WORDS[n % WORDS.len()].trim()
        );
        beat += 6;
        if n % 8 == 7 {
            let _ = writeln!(out, "- {beat}");
            beat += 4;
        }
    }
    out.push_str("E\n");
    out
}

/// QRC plain text with `lines` lines of eight words, each word before its absolute stamp.
pub fn qrc(lines: usize) -> String {
    let mut out = String::from("[ti:bench]\n[ar:ktv]\n");
    let mut t = 1_000u64;
    for line in 0..lines {
        let _ = write!(out, "[{t},{}]", 8 * 310);
        for w in 0..8 {
            let _ = write!(out, "{}({t},310)", WORDS[(line + w) % WORDS.len()]);
            t += 310;
        }
        out.push('\n');
        t += 700;
    }
    out
}

/// YRC with `lines` lines of eight words, each stamp before its word.
pub fn yrc(lines: usize) -> String {
    let mut out = String::from("{\"t\":0,\"c\":[{\"tx\":\"作词: \"},{\"tx\":\"ktv\"}]}\n");
    let mut t = 1_000u64;
    for line in 0..lines {
        let _ = write!(out, "[{t},{}]", 8 * 310);
        for w in 0..8 {
            let _ = write!(out, "({t},310,0){}", WORDS[(line + w) % WORDS.len()]);
            t += 310;
        }
        out.push('\n');
        t += 700;
    }
    out
}

/// KTV-catalogue XML with `lines` sentences of eight tones with pitch.
pub fn ktv_xml(lines: usize) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<song>\n<general><name>bench</name><singer>ktv</singer></general>\n<midi_lrc>\n<paragraph>\n",
    );
    let mut t = 1_000u64;
    for line in 0..lines {
        out.push_str("<sentence>\n");
        for w in 0..8 {
            let hz = 220.0 * 2f64.powf(((line + w) % 12) as f64 / 12.0);
            let _ = writeln!(
                out,
                "<tone begin=\"{:.3}\" end=\"{:.3}\" pitch=\"{hz:.1}\" pronounce=\"\" lang=\"1\"><word>{}</word></tone>",
                t as f64 / 1000.0,
                (t + 310) as f64 / 1000.0,
                WORDS[(line + w) % WORDS.len()].trim()
            );
            t += 310;
        }
        out.push_str("</sentence>\n");
        t += 700;
    }
    out.push_str("</paragraph>\n</midi_lrc>\n</song>\n");
    out
}
