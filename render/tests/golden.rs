//! Golden images: frames of a demo song at known moments, rendered on lavapipe, compared with
//! PNGs a person has looked at (`tests/golden/*.png`). A missing reference fails (it is never
//! written silently); the actual frame and a difference image are written next to it on every
//! run, in `target/golden/`.
//!
//! Tolerance: lavapipe and GPUs rasterise glyph edges a little differently; a reference made on
//! lavapipe matches lavapipe to the byte. The bound (mean difference ≤ 0.5 per channel, at
//! most 0.02% of pixels, 184 at 720p, off by more than 64) allows edge antialiasing elsewhere
//! and fails one changed character (tested).

use std::path::{Path, PathBuf};

use lyrics::{Hint, SongTime};
use render::{Gpu, Image, Renderer, SingerState, SongScreen};

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(std::env::var_os("CARGO_TARGET_DIR").unwrap_or("target".into()))
        .join("golden");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn manifest() -> PathBuf {
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
    )
}

/// Compares `actual` with the reference `name`; writes the actual and difference images.
fn compare(name: &str, actual: &Image) -> Result<(), String> {
    compare_as(name, name, actual)
}

/// Compares `actual` with the reference `reference`, writing the images under `name`.
fn compare_as(reference: &str, name: &str, actual: &Image) -> Result<(), String> {
    let reference_path = manifest()
        .join("tests/golden")
        .join(format!("{reference}.png"));
    let actual_path = out_dir().join(format!("{name}-actual.png"));
    actual.save_png(&actual_path).unwrap();
    if !reference_path.exists() {
        return Err(format!(
            "no reference {}: look at {} and, if it is right, copy it there",
            reference_path.display(),
            actual_path.display()
        ));
    }
    let reference = Image::load_png(&reference_path).unwrap();
    assert_eq!(
        (reference.width, reference.height),
        (actual.width, actual.height)
    );
    let differences: Vec<u8> = reference
        .rgba
        .chunks_exact(4)
        .zip(actual.rgba.chunks_exact(4))
        .map(|(r, a)| (0..3).map(|c| r[c].abs_diff(a[c])).max().unwrap_or(0))
        .collect();
    let difference = Image {
        width: actual.width,
        height: actual.height,
        rgba: differences
            .iter()
            .flat_map(|&d| {
                [
                    d.saturating_mul(4),
                    d.saturating_mul(4),
                    d.saturating_mul(4),
                    255,
                ]
            })
            .collect(),
    };
    difference
        .save_png(&out_dir().join(format!("{name}-difference.png")))
        .unwrap();
    let mean = differences.iter().map(|&d| f64::from(d)).sum::<f64>() / differences.len() as f64;
    let far = differences.iter().filter(|&&d| d > 64).count();
    let share = far as f64 / differences.len() as f64;
    eprintln!(
        "{name}: mean difference {mean:.3}, {far} pixels ({:.4}%) off by more than 64",
        share * 100.0
    );
    if mean <= 0.5 && share <= 0.0002 {
        Ok(())
    } else {
        Err(format!(
            "{name} differs from {}: mean {mean:.3}, {far} pixels off by more than 64 (see {})",
            reference_path.display(),
            actual_path.display()
        ))
    }
}

fn demo(id: &str) -> lyrics::Lyrics {
    let path = manifest().join("../assets").join(id).join("song.txt");
    let bytes = std::fs::read(&path).unwrap();
    lyrics::parse(&bytes, Hint::from_path(Path::new("song.txt")))
        .unwrap()
        .lyrics
}

/// A singer who sang every note until `at` a little sharp, every second note hit, the
/// first line graded: what the app would fill from scoring's events.
fn singing_along(lyrics: &lyrics::Lyrics, at: SongTime) -> SingerState {
    let mut singer = SingerState::default();
    for (i, note) in lyrics.notes.iter().enumerate() {
        if note.start >= at {
            break;
        }
        let mut t = note.start;
        while t < note.end().min(at) {
            singer.trace.push((t, note.pitch.midi() + 0.3));
            t += SongTime::from_millis(20);
        }
        if note.end() <= at && i % 2 == 0 {
            singer.hit_notes.push(i);
        }
    }
    singer.line_grades.push((0, "Perfect!".into()));
    singer.score = Some(87.4);
    singer
}

#[test]
fn demo_song_frames_match_their_references() {
    let gpu = Gpu::new().expect("a GPU or lavapipe (scripts/setup installs it)");
    let mut renderer = Renderer::new(gpu).unwrap();
    renderer.enable_display(7, 1280, 720, true).unwrap();
    // Every frame is compared (and written) before the test fails, so one run shows them all.
    let mut failures = Vec::new();
    let mut check = |outcome: Result<(), String>| failures.extend(outcome.err());
    let farewell = demo("farewell");
    // The first line's third word, half sung: 13.33 s + 2.5 beats of 72 BPM quarter-beats.
    renderer.set_song(Some(SongScreen::new(farewell.clone(), Some("小明".into()))));
    let line_end = farewell.lines[0].end.as_secs_f64();
    let cases = [
        ("farewell-mid-word", 13.333 + 8.0 * 0.2083 + 4.0 * 0.2083),
        ("farewell-countdown", 11.5),
        ("farewell-title-card", 2.0),
        ("farewell-grade", line_end + 0.5),
    ];
    for (name, seconds) in cases {
        let at = SongTime::from_secs_f64(seconds);
        renderer.set_singer(singing_along(&farewell, at));
        let frame = renderer.snapshot(7, at).unwrap();
        check(compare(name, &frame));
    }
    // The room's overlays near the end: who sings next, the join link.
    renderer.set_singer(SingerState::default());
    renderer.set_room(render::RoomOverlay {
        up_next: Some(render::UpNext {
            title: "茉莉花".into(),
            singer: "小明".into(),
        }),
        join_link: Some("https://ktv.example/r/8f3k2".into()),
    });
    let near_end = farewell.lines.last().unwrap().end - SongTime::from_millis(5_000);
    let image = renderer.snapshot(7, near_end).unwrap();
    check(compare("farewell-up-next", &image));
    renderer.set_room(render::RoomOverlay::default());

    // A duet: the second voice's line, part sung, in its own colour.
    let susanna = demo("susanna");
    let duet = susanna
        .lines
        .iter()
        .find(|l| l.voice == lyrics::Voice::P2)
        .expect("susanna has a second voice");
    let at = duet.start + SongTime::from_micros((duet.end - duet.start).as_micros() * 2 / 5);
    renderer.set_song(Some(SongScreen::new(susanna.clone(), None)));
    let image = renderer.snapshot(7, at).unwrap();
    check(compare("susanna-duet", &image));

    // A music video frame under the lyrics (jasmine's demo video, frame 370).
    let jasmine = demo("jasmine");
    let gap = jasmine
        .meta
        .media
        .video_gap
        .map_or(0.0, SongTime::as_secs_f64);
    let mut video =
        render::VideoDecoder::open(&manifest().join("../assets/jasmine/video.mp4")).unwrap();
    renderer.set_song(Some(SongScreen::new(jasmine, None)));
    let frame = video.frame_at(12.34 - gap).unwrap().unwrap().clone();
    renderer.push_video_frame(7, &frame).unwrap();
    let image = renderer
        .snapshot(7, SongTime::from_secs_f64(12.34))
        .unwrap();
    check(compare("jasmine-music-video", &image));
    renderer.clear_video(7).unwrap();

    let mut failed = farewell;
    failed.lines[0].text = failed.lines[0].text.replace('长', "短");
    renderer.set_song(Some(SongScreen::new(failed, Some("小明".into()))));
    // Changed input: one character different must not pass as the reference.
    let frame = renderer
        .snapshot(7, SongTime::from_secs_f64(cases[0].1))
        .unwrap();
    assert!(
        compare_as("farewell-mid-word", "changed-character", &frame).is_err(),
        "a changed character passed the comparison"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
