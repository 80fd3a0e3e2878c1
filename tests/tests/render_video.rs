//! `ktv render`: a lyric video with audio, checked on what a viewer gets: ffprobe's duration
//! and streams, and the decoded frames against the guide vocal (every line's wipe starts
//! within one frame of the vocal's onset).

use std::io::Read;
use std::process::{Command, Stdio};

use ktv_tests::analysis;
use ktv_tests::process::{run_ktv, workspace_root};

const WIDTH: usize = 1280;
const HEIGHT: usize = 720;
const FPS: f64 = 25.0;

/// Where the sung fill is in one lyric band of a frame.
#[derive(Clone, Copy, Default)]
struct Sung {
    pixels: u32,
    left: usize,
    right: usize,
}

/// The sung (blue) fill in the two lyric bands of each decoded frame.
fn sung_per_frame(video: &std::path::Path) -> Vec<[Sung; 2]> {
    let mut child = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(video)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("ffmpeg is installed by scripts/setup");
    let mut stdout = child.stdout.take().unwrap();
    let px = (HEIGHT as f32 / 13.5).round();
    let first = (HEIGHT as f32 * 0.66) as usize;
    let second = (HEIGHT as f32 * 0.66 + px * 1.35) as usize;
    let bands = [first..first + px as usize, second..second + px as usize];
    let mut frame = vec![0u8; WIDTH * HEIGHT * 3];
    let mut counts = Vec::new();
    while stdout.read_exact(&mut frame).is_ok() {
        let mut sung = [Sung::default(); 2];
        for (band, rows) in bands.iter().enumerate() {
            let found = &mut sung[band];
            found.left = WIDTH;
            for y in rows.clone() {
                for x in 0..WIDTH {
                    let p = &frame[(y * WIDTH + x) * 3..][..3];
                    if p[2] > 180 && p[0] < 140 && i32::from(p[2]) - i32::from(p[0]) > 80 {
                        found.pixels += 1;
                        found.left = found.left.min(x);
                        found.right = found.right.max(x);
                    }
                }
            }
        }
        counts.push(sung);
    }
    assert!(child.wait().unwrap().success());
    counts
}

#[test]
fn render_makes_a_lyric_video_whose_wipes_start_on_the_vocal() {
    let dir = std::env::temp_dir().join(format!("ktv-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("twinkle.mp4");
    let song = workspace_root().join("assets/twinkle");
    let run = run_ktv(&[
        "render",
        song.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--width",
        &WIDTH.to_string(),
        "--height",
        &HEIGHT.to_string(),
        "--fps",
        "25",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");

    // The container, as ffprobe reads it: the song's 76.8 s (± 0.1 s), video and audio.
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration:stream=codec_type",
        ])
        .args(["-of", "csv=p=0"])
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&probe.stdout);
    assert!(text.contains("video") && text.contains("audio"), "{text}");
    let duration: f64 = text
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next()
        .unwrap_or_else(|| panic!("{text}"));
    assert!((duration - 76.8).abs() <= 0.1, "{duration} s");

    // The content: when each line's wipe starts. A band's sung fill leaving zero marks a line
    // being wiped; the wipe edge's first frames, extrapolated back to the line's left edge,
    // give when it started (a sliver of a pixel or two does not survive 4:2:0 chroma).
    let frames = sung_per_frame(&out);
    let mut starts = Vec::new();
    for band in 0..2 {
        let mut i = 1;
        while i < frames.len() {
            if frames[i - 1][band].pixels == 0 && frames[i][band].pixels > 0 {
                let end = (i..frames.len())
                    .find(|&j| frames[j][band].pixels == 0)
                    .unwrap_or(frames.len());
                let left = (i..end).map(|j| frames[j][band].left).min().unwrap_or(0) as f64;
                // The edge over its first eight frames (a third of a second, inside the first word), fitted by least squares.
                let points: Vec<(f64, f64)> = (i..(i + 8).min(end))
                    .map(|j| (j as f64, frames[j][band].right as f64))
                    .collect();
                let n = points.len() as f64;
                let (mt, mx) = (
                    points.iter().map(|p| p.0).sum::<f64>() / n,
                    points.iter().map(|p| p.1).sum::<f64>() / n,
                );
                let speed = points.iter().map(|p| (p.0 - mt) * (p.1 - mx)).sum::<f64>()
                    / points
                        .iter()
                        .map(|p| (p.0 - mt).powi(2))
                        .sum::<f64>()
                        .max(1e-9);
                assert!(
                    speed > 0.0,
                    "the wipe of the line at frame {i} does not move"
                );
                starts.push((mt - (mx - left) / speed) / FPS);
                i = end;
            }
            i += 1;
        }
    }
    starts.sort_by(f64::total_cmp);
    let guide = analysis::decode_file(&song.join("guide.mp3"));
    let onsets = analysis::onsets(&guide);
    let errors: Vec<f64> = starts
        .iter()
        .map(|&s| {
            onsets
                .iter()
                .map(|&o| s - o)
                .min_by(|a, b| a.abs().total_cmp(&b.abs()))
                .unwrap_or(f64::MAX)
        })
        .collect();
    println!(
        "{} line wipes; start minus nearest onset (ms): {:?}",
        starts.len(),
        errors
            .iter()
            .map(|e| (e * 1000.0).round())
            .collect::<Vec<_>>()
    );
    assert!(starts.len() >= 6, "{starts:?}");
    let frame = 1.0 / FPS;
    assert!(errors.iter().all(|e| e.abs() <= frame), "{errors:?}");
    // Changed input: the same video a frame late fails.
    assert!(
        errors.iter().any(|e| (e + frame).abs() > frame),
        "{errors:?}"
    );
}

#[test]
fn render_streams_y4m_on_standard_output() {
    let dir = std::env::temp_dir().join(format!("ktv-render-y4m-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stream = dir.join("twinkle.y4m");
    let song = workspace_root().join("assets/twinkle");
    let status = Command::new(ktv_tests::process::ktv_binary())
        .arg("render")
        .arg(&song)
        .args([
            "--out", "-", "--width", "320", "--height", "180", "--fps", "10",
        ])
        .stdout(std::fs::File::create(&stream).unwrap())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // ffprobe reads the stream: 320x180, 768 frames (76.8 s at 10 fps).
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=width,height,nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(&stream)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&probe.stdout);
    assert_eq!(text.trim(), "320,180,768", "{text}");
}
