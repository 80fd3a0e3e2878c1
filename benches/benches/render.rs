//! Render: frames per second of a KTV screen (jasmine's music video decoded and uploaded each
//! frame, the pitch guide, two lyric lines with the wipe, score) rendered and read back, at
//! 720p and 1080p, and four displays at once; the baseline in the same run is FFmpeg decoding
//! the same video, scaling it and burning an equivalent karaoke ASS file (libass `\k` wipes)
//! into it.
//!
//! Targets (issue: render), lavapipe with 2 threads: ≥ 100 fps at 720p and ≥ 50 fps at 1080p.
//! Run with `LP_NUM_THREADS=1` for one thread (Mesa reads it when the device opens).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lyrics::{Hint, Lyrics, SongTime};
use render::{Gpu, Renderer, SingerState, SongScreen, VideoDecoder};

fn manifest() -> PathBuf {
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
    )
}

fn jasmine() -> Lyrics {
    let bytes = std::fs::read(manifest().join("../assets/jasmine/song.txt")).expect("demo song");
    lyrics::parse(&bytes, Hint::from_path(Path::new("song.txt")))
        .expect("demo lyrics")
        .lyrics
}

/// The frame times: 30 fps from 2 s on, through the video's 30 s again and again.
fn at(frame: u64) -> SongTime {
    SongTime::from_secs_f64(2.0 + (frame % 750) as f64 / 30.0)
}

fn video_path() -> PathBuf {
    manifest().join("../assets/jasmine/video.mp4")
}

/// Renders `frames` frames on every display given, each over the video frame for its time
/// (decoded and uploaded), reading each back one frame behind.
fn run(
    renderer: &mut Renderer,
    video: &mut VideoDecoder,
    displays: &[u32],
    frames: u64,
) -> Duration {
    let mut image = render::Image {
        width: 0,
        height: 0,
        rgba: Vec::new(),
    };
    let start = Instant::now();
    for i in 0..frames {
        let frame = video
            .frame_at(at(i).as_secs_f64())
            .expect("video")
            .expect("a frame")
            .clone();
        for &id in displays {
            renderer.push_video_frame(id, &frame).expect("video frame");
            renderer.render(id, at(i)).expect("render");
            if i > 0 {
                renderer
                    .read_frame_into(id, true, &mut image)
                    .expect("read back");
            }
        }
    }
    for &id in displays {
        while renderer
            .read_frame_into(id, true, &mut image)
            .expect("read back")
            .is_some()
        {}
    }
    start.elapsed()
}

fn screen(c: &mut Criterion) {
    let gpu = Gpu::new().expect("a GPU or lavapipe (scripts/setup installs it)");
    let device = gpu.describe();
    let mut renderer = Renderer::new(gpu).expect("renderer");
    let lyrics = jasmine();
    let mut video = VideoDecoder::open(&video_path()).expect("demo video");
    renderer.set_song(Some(SongScreen::new(lyrics.clone(), Some("bench".into()))));
    renderer.set_singer(SingerState {
        trace: (0..2000)
            .map(|i| (SongTime::from_millis(i * 10), 67.0))
            .collect(),
        score: Some(80.0),
        ..SingerState::default()
    });
    let mut group = c.benchmark_group("render/screen");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1));
    let mut figures = Vec::new();
    for (name, width, height) in [("720p", 1280, 720), ("1080p", 1920, 1080)] {
        renderer
            .enable_display(1, width, height, true)
            .expect("display");
        let mut fps = 0.0;
        group.bench_function(format!("ktv_render_readback_{name}"), |b| {
            b.iter_custom(|iters| {
                let took = run(&mut renderer, &mut video, &[1], iters);
                fps = iters as f64 / took.as_secs_f64();
                took
            })
        });
        let ass = ass_file(&lyrics, width, height);
        let mut baseline = 0.0;
        group.bench_function(format!("ffmpeg_ass_burn_{name}"), |b| {
            b.iter_custom(|iters| {
                let took = burn(&ass, width, height, iters);
                baseline = iters as f64 / took.as_secs_f64();
                took
            })
        });
        figures.push(format!(
            "{name}: ktv {fps:.1} fps, ffmpeg -vf ass {baseline:.1} fps (ratio {:.2})",
            fps / baseline.max(1e-9)
        ));
        renderer.disable_display(1);
    }
    for id in 1..=4 {
        renderer
            .enable_display(id, 1280, 720, true)
            .expect("display");
    }
    let mut fps = 0.0;
    group.bench_function("ktv_four_displays_720p", |b| {
        b.iter_custom(|iters| {
            let took = run(&mut renderer, &mut video, &[1, 2, 3, 4], iters);
            fps = iters as f64 / took.as_secs_f64();
            took
        })
    });
    figures.push(format!(
        "four 720p displays: {fps:.1} frames per second on each"
    ));
    group.finish();
    eprintln!("render on {device}:\n  {}", figures.join("\n  "));
}

/// FFmpeg decoding the video, scaling it to the size and drawing `ass` over it, `frames`
/// frames (looping the video as the bench does), to nowhere.
fn burn(ass: &Path, width: u32, height: u32, frames: u64) -> Duration {
    let start = Instant::now();
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-threads",
            "2",
            "-stream_loop",
            "-1",
        ])
        .args(["-ss", "2", "-i"])
        .arg(video_path())
        .args(["-frames:v", &frames.to_string(), "-vf"])
        .arg(format!("scale={width}:{height},ass={}", ass.display()))
        .args(["-pix_fmt", "rgba", "-f", "null", "-"])
        .status()
        .expect("ffmpeg is installed by scripts/setup");
    assert!(status.success());
    start.elapsed()
}

/// The lyrics as a karaoke ASS file: two alternating lines, `\k` wipes per word, outline
/// and shadow like ours.
fn ass_file(lyrics: &Lyrics, width: u32, height: u32) -> PathBuf {
    let cs = |t: SongTime| t.as_millis() / 10;
    let clock = |t: SongTime| {
        let c = cs(t);
        format!(
            "{}:{:02}:{:02}.{:02}",
            c / 360_000,
            c / 6000 % 60,
            c / 100 % 60,
            c % 100
        )
    };
    let size = height / 13;
    let mut text = format!(
        "[Script Info]\nScriptType: v4.00+\nPlayResX: {width}\nPlayResY: {height}\n\n\
         [V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, \
         OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, \
         Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n\
         Style: L,WenQuanYi Micro Hei,{size},&H00FF9C40,&H00FFFFFF,&H00180C0C,&H96000000,0,0,0,0,\
         100,100,0,0,1,2,2,1,100,100,{},1\n\
         Style: R,WenQuanYi Micro Hei,{size},&H00FF9C40,&H00FFFFFF,&H00180C0C,&H96000000,0,0,0,0,\
         100,100,0,0,1,2,2,3,100,100,{},1\n\n\
         [Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n",
        height * 30 / 100,
        height * 19 / 100
    );
    for (i, line) in lyrics.lines.iter().enumerate() {
        let shown = lyrics
            .lines
            .get(i.saturating_sub(1))
            .map_or(line.start, |p| p.start);
        let mut body = String::new();
        let mut cursor = shown;
        for word in &line.words {
            let lead = cs(word.start) - cs(cursor);
            if lead > 0 {
                body.push_str(&format!("{{\\k{lead}}}"));
            }
            let part = &line.text[word.text_start as usize..word.text_end as usize];
            body.push_str(&format!("{{\\kf{}}}{part}", cs(word.end) - cs(word.start)));
            cursor = word.end;
        }
        let style = if i % 2 == 0 { "L" } else { "R" };
        text.push_str(&format!(
            "Dialogue: 0,{},{},{style},,0,0,0,,{body}\n",
            clock(shown),
            clock(line.end)
        ));
    }
    let path = std::env::temp_dir().join(format!("ktv-bench-{width}x{height}.ass"));
    std::fs::write(&path, text).expect("bench ASS file");
    path
}

criterion_group!(benches, screen);
criterion_main!(benches);
