//! Room overlays on rendered pixels: the join link's QR code reads back (with `rqrr`, an
//! independent decoder) as the link, and "up next" shows only near the end of the song.

use std::path::{Path, PathBuf};

use lyrics::{Hint, SongTime};
use render::{Gpu, Image, Renderer, RoomOverlay, SongScreen, UpNext};

fn manifest() -> PathBuf {
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
    )
}

/// The QR codes an independent decoder finds in the bottom-left quarter of `frame`.
fn qr_codes(frame: &Image) -> Vec<String> {
    let (w, h) = (frame.width as usize / 4, frame.height as usize / 2);
    let top = frame.height as usize - h;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let p = frame.pixel(x as u32, (top + y) as u32);
        ((u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3) as u8
    });
    image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// White text pixels in the "up next" panel's area (bottom right).
fn up_next_ink(frame: &Image) -> usize {
    let (w, h) = (frame.width, frame.height);
    let mut count = 0;
    for y in (h as f32 * 0.885) as u32..(h as f32 * 0.97) as u32 {
        for x in (w as f32 * 0.56) as u32..(w as f32 * 0.98) as u32 {
            let p = frame.pixel(x, y);
            if p[0] > 220 && p[1] > 220 && p[2] > 220 {
                count += 1;
            }
        }
    }
    count
}

#[test]
fn the_join_link_reads_back_and_up_next_shows_at_the_end() {
    let bytes = std::fs::read(manifest().join("../assets/farewell/song.txt")).unwrap();
    let lyrics = lyrics::parse(&bytes, Hint::from_path(Path::new("song.txt")))
        .unwrap()
        .lyrics;
    let last_end = lyrics.lines.last().unwrap().end;
    let gpu = Gpu::new().expect("a GPU or lavapipe (scripts/setup installs it)");
    let mut renderer = Renderer::new(gpu).unwrap();
    renderer.set_song(Some(SongScreen::new(lyrics, None)));
    renderer.enable_display(1, 1280, 720, true).unwrap();

    let mid_song = SongTime::from_secs_f64(20.0);
    let near_end = last_end - SongTime::from_millis(5_000);
    let plain = renderer.snapshot(1, mid_song).unwrap();
    assert!(qr_codes(&plain).is_empty(), "no link, no code");
    let quiet_end = up_next_ink(&renderer.snapshot(1, near_end).unwrap());

    let link = "https://ktv.example/r/8f3k2?join=1";
    renderer.set_room(RoomOverlay {
        up_next: Some(UpNext {
            title: "茉莉花".into(),
            singer: "小明".into(),
        }),
        join_link: Some(link.into()),
    });
    let frame = renderer.snapshot(1, mid_song).unwrap();
    assert_eq!(qr_codes(&frame), [link]);
    let mid_ink = up_next_ink(&frame);
    let end = renderer.snapshot(1, near_end).unwrap();
    let end_ink = up_next_ink(&end);
    println!("up next ink: mid-song {mid_ink}, near the end {end_ink} (without it {quiet_end})");
    assert!(
        end_ink > 500 && end_ink > quiet_end + 500,
        "{end_ink} vs {quiet_end}"
    );
    assert!(mid_ink < end_ink / 10, "{mid_ink}");
    assert_eq!(qr_codes(&end), [link]);
}
