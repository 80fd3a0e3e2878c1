//! The music video layer, measured on read-back pixels: the demo video draws its frame number
//! in binary along its bottom edge; the number read from the rendered frame is the one that
//! should show at that song time, forwards, after a jump back and after a jump ahead.

use std::path::{Path, PathBuf};

use lyrics::{Hint, SongTime};
use render::{Gpu, Image, Renderer, SongScreen, VideoDecoder};

fn manifest() -> PathBuf {
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
    )
}

/// The frame number in the stripe: 16 blocks of 32 video pixels along the bottom 24 rows,
/// white for 1, least significant bit first (see the demo songs' video maker). The video is
/// 640x360 in a 1280x720 display: twice the size, no bars.
fn stripe_number(frame: &Image) -> u32 {
    (0..16).fold(0, |number, bit| {
        let p = frame.pixel(bit * 64 + 32, 720 - 24);
        let luma = (u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3;
        number | (u32::from(luma > 128) << bit)
    })
}

#[test]
fn the_video_frame_shown_is_the_one_for_the_song_time() {
    let dir = manifest().join("../assets/jasmine");
    let bytes = std::fs::read(dir.join("song.txt")).unwrap();
    let lyrics = lyrics::parse(&bytes, Hint::from_path(Path::new("song.txt")))
        .unwrap()
        .lyrics;
    let gap = lyrics
        .meta
        .media
        .video_gap
        .map_or(0.0, SongTime::as_secs_f64);
    let mut video = VideoDecoder::open(&dir.join("video.mp4")).unwrap();
    let rate = video.frame_rate();
    assert!((rate - 30.0).abs() < 1e-6, "{rate}");
    let gpu = Gpu::new().expect("a GPU or lavapipe (scripts/setup installs it)");
    let mut renderer = Renderer::new(gpu).unwrap();
    renderer.set_song(Some(SongScreen::new(lyrics, None)));
    renderer.enable_display(1, 1280, 720, true).unwrap();
    let mut report = Vec::new();
    // Forwards, then back (a seek), then far ahead (a seek), then just after.
    for seconds in [1.0, 1.5, 5.55, 12.34, 3.0, 28.9, 7.77, 7.8] {
        let at = SongTime::from_secs_f64(seconds);
        let frame = video.frame_at(seconds - gap).unwrap().unwrap().clone();
        renderer.push_video_frame(1, &frame).unwrap();
        let image = renderer.snapshot(1, at).unwrap();
        let expected = ((seconds - gap) * rate + 1e-6).floor() as u32;
        let read = stripe_number(&image);
        report.push(format!("{seconds} s: frame {read}, expected {expected}"));
        assert_eq!(read, expected, "{}", report.join("\n"));
    }
    println!("{}", report.join("\n"));
    // Changed input: the frame for half a second later reads as another number.
    let later = video.frame_at(8.3 - gap).unwrap().unwrap().clone();
    renderer.push_video_frame(1, &later).unwrap();
    let image = renderer.snapshot(1, SongTime::from_secs_f64(7.8)).unwrap();
    assert_ne!(stripe_number(&image), ((7.8 - gap) * rate) as u32);
}

#[test]
fn an_rgba_frame_is_letterboxed_with_its_colours() {
    let gpu = Gpu::new().expect("a GPU or lavapipe (scripts/setup installs it)");
    let mut renderer = Renderer::new(gpu).unwrap();
    renderer.enable_display(1, 320, 180, true).unwrap();
    // A square frame, left half orange, right half teal, in a 16:9 display: bars left and
    // right, the picture 180 pixels wide in the middle.
    let (w, h) = (8u32, 8u32);
    let rgba = (0..w * h)
        .flat_map(|i| {
            if i % w < w / 2 {
                [255, 128, 0, 255]
            } else {
                [0, 128, 128, 255]
            }
        })
        .collect();
    let frame = render::VideoFrame {
        time: 0.0,
        width: w,
        height: h,
        planes: render::Planes::Rgba(rgba),
    };
    renderer.push_video_frame(1, &frame).unwrap();
    let image = renderer.snapshot(1, SongTime::ZERO).unwrap();
    let near = |p: [u8; 4], q: [u8; 3]| (0..3).all(|c| p[c].abs_diff(q[c]) <= 2);
    assert!(
        near(image.pixel(10, 90), [0, 0, 0]),
        "left bar {:?}",
        image.pixel(10, 90)
    );
    assert!(near(image.pixel(310, 90), [0, 0, 0]), "right bar");
    assert!(
        near(image.pixel(90, 90), [255, 128, 0]),
        "orange {:?}",
        image.pixel(90, 90)
    );
    assert!(
        near(image.pixel(230, 90), [0, 128, 128]),
        "teal {:?}",
        image.pixel(230, 90)
    );
    // Changed input: without the frame, the background shows there.
    renderer.clear_video(1).unwrap();
    let plain = renderer.snapshot(1, SongTime::ZERO).unwrap();
    assert!(!near(plain.pixel(90, 90), [255, 128, 0]));
}
