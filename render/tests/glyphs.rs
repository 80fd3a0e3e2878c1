//! Every character of the demo songs' lyrics and titles renders as itself, not as the font's
//! missing-glyph box: measured on pixels, each character alone against the box a character no
//! font has (U+E000, private use) renders as.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lyrics::{Hint, SongTime};
use render::{Gpu, Image, Renderer, SongScreen};

fn manifest() -> PathBuf {
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
    )
}

/// The white (unsung) ink of the line on screen before it starts, cropped to its box.
fn ink(renderer: &mut Renderer, text: &str) -> (u32, u32, Vec<bool>) {
    let lrc = format!("[00:05.00]{text}\n");
    let lyrics = lyrics::parse(lrc.as_bytes(), Hint::from_path(Path::new("x.lrc")))
        .unwrap()
        .lyrics;
    renderer.set_song(Some(SongScreen::new(lyrics, None)));
    let frame: Image = renderer.snapshot(1, SongTime::from_secs_f64(0.5)).unwrap();
    let white = |x: u32, y: u32| {
        let p = frame.pixel(x, y);
        p[0] > 200 && p[1] > 200 && p[2] > 200
    };
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for y in 0..frame.height {
        for x in 0..frame.width {
            if white(x, y) {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    if x0 > x1 {
        return (0, 0, Vec::new());
    }
    let (w, h) = (x1 - x0 + 1, y1 - y0 + 1);
    let bits = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| white(x0 + x, y0 + y))
        .collect();
    (w, h, bits)
}

#[test]
fn no_character_of_the_demo_songs_renders_as_a_missing_glyph_box() {
    let gpu = Gpu::new().expect("a GPU or lavapipe (scripts/setup installs it)");
    let mut renderer = Renderer::new(gpu).unwrap();
    renderer.enable_display(1, 320, 180, true).unwrap();
    let missing = ink(&mut renderer, "\u{E000}");
    assert!(
        !missing.2.is_empty(),
        "the font draws a box for a missing glyph"
    );
    let mut characters = BTreeSet::new();
    for id in ["jasmine", "tigers", "twinkle", "susanna", "farewell"] {
        let bytes = std::fs::read(manifest().join("../assets").join(id).join("song.txt")).unwrap();
        let lyrics = lyrics::parse(&bytes, Hint::from_path(Path::new("song.txt")))
            .unwrap()
            .lyrics;
        let text = lyrics
            .lines
            .iter()
            .map(|l| l.text.as_str())
            .chain(lyrics.meta.title.as_deref())
            .chain(lyrics.meta.artist.as_deref())
            .collect::<String>();
        characters.extend(text.chars().filter(|c| !c.is_whitespace()));
    }
    let mut boxes = Vec::new();
    for c in &characters {
        if ink(&mut renderer, &c.to_string()) == missing {
            boxes.push(*c);
        }
    }
    println!(
        "{} characters checked, {} drawn as the missing-glyph box",
        characters.len(),
        boxes.len()
    );
    assert!(boxes.is_empty(), "drawn as boxes: {boxes:?}");
    // Changed input: characters no font here has are caught.
    assert_eq!(ink(&mut renderer, "\u{E001}"), missing);
}
