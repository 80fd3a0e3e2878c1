//! The word wipe, measured on rendered pixels (lavapipe in CI): at 50% through a word the
//! edge between the sung and unsung fill is at the word's horizontal midpoint (± 2 px), and it
//! moves right as time goes on.

use lyrics::{Hint, SongTime};
use render::{Gpu, Image, Renderer, SongScreen};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;

fn renderer_with(lrc: &str) -> (Renderer, lyrics::Lyrics) {
    let parsed = lyrics::parse(
        lrc.as_bytes(),
        Hint::from_path(std::path::Path::new("x.lrc")),
    )
    .expect("test lyrics");
    let lyrics = parsed.lyrics;
    let gpu = Gpu::new().expect("a GPU or lavapipe (scripts/setup installs it)");
    eprintln!("rendering on {}", gpu.describe());
    let mut renderer = Renderer::new(gpu).expect("renderer");
    renderer.set_song(Some(SongScreen::new(lyrics.clone(), None)));
    renderer
        .enable_display(1, WIDTH, HEIGHT, true)
        .expect("display");
    (renderer, lyrics)
}

/// Sung fill (the first voice's blue) and unsung fill (white), by colour.
fn is_sung(p: [u8; 4]) -> bool {
    p[2] > 200 && p[0] < 120 && (110..=200).contains(&p[1])
}

fn is_unsung(p: [u8; 4]) -> bool {
    p[0] > 215 && p[1] > 215 && p[2] > 215
}

/// Columns in rows `top..bottom` where `test` holds for some pixel.
fn columns(image: &Image, top: u32, bottom: u32, test: impl Fn([u8; 4]) -> bool) -> Vec<u32> {
    (0..image.width)
        .filter(|&x| (top..bottom).any(|y| test(image.pixel(x, y))))
        .collect()
}

#[test]
fn at_half_a_word_the_wipe_is_at_its_middle_and_moves_right() {
    let (mut renderer, lyrics) = renderer_with(
        "[ti:wipe]\n[00:01.00]<00:01.00>送<00:02.00>别 <00:03.00>Hello <00:04.00>world<00:05.00>\n\
         [00:06.00]<00:06.00>长<00:07.00>亭<00:08.00>\n",
    );
    let line = &lyrics.lines[0];
    let band = |renderer: &Renderer| {
        let place = renderer.placements(1).unwrap()[0];
        let px = (HEIGHT as f32 / 13.5).round();
        (place.top as u32, (place.top + px * 1.3) as u32)
    };
    for (w, word) in line.words.iter().enumerate() {
        let at = |fraction: f64| {
            let (s, e) = (word.start.as_micros() as f64, word.end.as_micros() as f64);
            SongTime::from_micros((s + fraction * (e - s)) as i64)
        };
        // The word's ink: what is white just after it starts and blue just before it ends.
        let before = renderer.snapshot(1, at(0.001)).unwrap();
        let (top, bottom) = band(&renderer);
        let after = renderer.snapshot(1, at(0.999)).unwrap();
        let ink: Vec<u32> = (0..WIDTH)
            .filter(|&x| {
                (top..bottom).any(|y| is_unsung(before.pixel(x, y)) && is_sung(after.pixel(x, y)))
            })
            .collect();
        let (left, right) = (ink[0], ink[ink.len() - 1]);
        let middle = (left + right) as f64 / 2.0;
        let mut edges = Vec::new();
        for fraction in [0.25, 0.5, 0.75] {
            let frame = renderer.snapshot(1, at(fraction)).unwrap();
            // The edge: the last sung column inside the word.
            let sung = columns(&frame, top, bottom, is_sung);
            let edge = sung
                .iter()
                .copied()
                .filter(|&x| (left..=right).contains(&x))
                .max()
                .unwrap_or(left);
            edges.push(f64::from(edge));
        }
        eprintln!(
            "word {w} {:?}: ink {left}..={right}, middle {middle}, edges at 25/50/75% {edges:?}",
            &line.text[word.text_start as usize..word.text_end as usize]
        );
        assert!(
            (edges[1] - middle).abs() <= 2.0,
            "word {w}: the wipe is at {} at 50%, the word's middle is {middle}",
            edges[1]
        );
        assert!(edges[0] < edges[1] && edges[1] < edges[2], "{edges:?}");
        // Changed input: a quarter of the way in, the same check fails.
        assert!((edges[0] - middle).abs() > 2.0, "{edges:?} {middle}");
    }
}
