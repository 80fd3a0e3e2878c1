//! The pitch guide: the reference notes scrolling right to left past a "now" line, the
//! singer's pitch trace drawn over them, notes the singer hit lit up. Built as rectangles for
//! the shapes layer; the singer's part is plain input the app fills from scoring's events.

use lyrics::{Lyrics, NoteKind, SongTime, Voice};

use crate::frame::SingerState;
use crate::layer::shapes::Rect;

/// Seconds of the past and of the future the guide shows.
const PAST: f64 = 1.0;
const FUTURE: f64 = 3.0;

/// Where the guide sits in a display of `size`: left, top, width, height.
pub(crate) fn panel(size: (u32, u32)) -> (f32, f32, f32, f32) {
    let (w, h) = (size.0 as f32, size.1 as f32);
    (w * 0.04, h * 0.05, w * 0.92, h * 0.30)
}

/// The guide's rectangles at song time `at`; none for a song without notes.
pub(crate) fn rects(
    lyrics: &Lyrics,
    singer: &SingerState,
    at: SongTime,
    size: (u32, u32),
) -> Vec<Rect> {
    let notes = &lyrics.notes;
    let mut out = Vec::new();
    if notes.is_empty() {
        return out;
    }
    let (left, top, width, height) = panel(size);
    out.push(Rect {
        left,
        top,
        width,
        height,
        colour: [0, 0, 0, 96],
        radius: height * 0.06,
    });
    let (low, high) = notes.iter().fold((f32::MAX, f32::MIN), |(lo, hi), n| {
        (lo.min(n.pitch.midi()), hi.max(n.pitch.midi()))
    });
    let (low, high) = (low - 2.0, high + 2.0);
    let row = height / (high - low + 1.0);
    let y_of = |midi: f32| top + (high - midi) * row;
    let now = at.as_secs_f64();
    let x_of = |seconds: f64| left + ((seconds - (now - PAST)) / (PAST + FUTURE)) as f32 * width;
    let hit: std::collections::HashSet<usize> = singer.hit_notes.iter().copied().collect();
    for (i, note) in notes.iter().enumerate() {
        let (start, end) = (note.start.as_secs_f64(), note.end().as_secs_f64());
        if end < now - PAST || start > now + FUTURE || note.kind == NoteKind::Freestyle {
            continue;
        }
        let (x0, x1) = (x_of(start).max(left), x_of(end).min(left + width));
        if x1 - x0 < 4.0 {
            // A sliver at the guide's edge.
            continue;
        }
        let colour = if hit.contains(&i) {
            [90, 225, 140, 235]
        } else if end < now {
            [255, 255, 255, 70]
        } else if note.kind == NoteKind::Golden {
            [255, 205, 70, 220]
        } else if note.voice == Voice::P2 {
            [255, 150, 200, 180]
        } else {
            [255, 255, 255, 170]
        };
        // A small gap keeps repeated notes apart.
        let bar = (row * 0.8).max(height / 22.0);
        out.push(Rect {
            left: x0 + 1.5,
            top: y_of(note.pitch.midi()) - bar / 2.0,
            width: (x1 - x0 - 3.0).max(1.0),
            height: bar,
            colour,
            radius: bar / 2.0,
        });
    }
    // The singer's trace over the last second, folded into the octave of the note it is
    // nearest, as scoring judges it.
    let dot = (height / 60.0).max(2.0);
    for &(time, midi) in &singer.trace {
        let t = time.as_secs_f64();
        if t < now - PAST || t > now {
            continue;
        }
        let reference = notes
            .iter()
            .find(|n| n.start <= time && time < n.end())
            .map_or((low + high) / 2.0, |n| n.pitch.midi());
        let folded = midi - 12.0 * ((midi - reference) / 12.0).round();
        out.push(Rect {
            left: x_of(t) - dot / 2.0,
            top: y_of(folded) - dot / 2.0,
            width: dot,
            height: dot,
            colour: [255, 236, 120, 255],
            radius: dot / 2.0,
        });
    }
    // Now.
    out.push(Rect {
        left: x_of(now) - 1.0,
        top,
        width: 2.0,
        height,
        colour: [255, 255, 255, 200],
        radius: 0.0,
    });
    out
}
