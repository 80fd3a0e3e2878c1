//! `ktv render`: a song's lyric video with its audio, made offline: the engine renders the
//! chosen track to a WAV, the renderer draws every frame for its song time over the song's
//! music video (or the animated background), FFmpeg encodes and muxes. A `.png` output is a single frame at `--at`.

use std::path::PathBuf;

use anyhow::Context;
use lyrics::SongTime;

/// What `ktv render` was asked for.
#[derive(Debug, Clone, clap::Args)]
pub struct VideoArgs {
    /// A song folder (with song.toml).
    pub song: PathBuf,
    /// The file to write: .mp4, .png for one frame, .y4m or - (standard output) for a
    /// Y4M stream without audio.
    #[arg(long, allow_hyphen_values = true)]
    pub out: PathBuf,
    /// Frame width.
    #[arg(long, default_value_t = 1280)]
    pub width: u32,
    /// Frame height.
    #[arg(long, default_value_t = 720)]
    pub height: u32,
    /// Frames per second.
    #[arg(long, default_value_t = 30)]
    pub fps: u32,
    /// The track heard: accompaniment (伴奏) or original (原唱).
    #[arg(long, default_value = "accompaniment")]
    pub mode: engine::TrackMode,
    /// Who asked for the song (shown on the title card).
    #[arg(long)]
    pub requester: Option<String>,
    /// For a .png: the song time of the frame, e.g. 01:23.4 or 83.4.
    #[arg(long)]
    pub at: Option<SongTime>,
}

/// Renders the video (or frame) and returns a line saying what was written.
pub fn run(args: &VideoArgs, mut progress: impl FnMut(f64)) -> anyhow::Result<String> {
    let lyrics = room_service::library::song_lyrics(&args.song)?;
    let video_gap = lyrics
        .meta
        .media
        .video_gap
        .map_or(0.0, lyrics::SongTime::as_secs_f64);
    let mut video = match room_service::library::song_video(&args.song)? {
        Some(path) => Some(render::VideoDecoder::open(&path)?),
        None => None,
    };
    let gpu = render::Gpu::new()?;
    let device = gpu.describe();
    let mut renderer = render::Renderer::new(gpu)?;
    renderer.set_song(Some(render::SongScreen::new(
        lyrics,
        args.requester.clone(),
    )));
    renderer.enable_display(0, args.width, args.height, true)?;

    let is_png = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if is_png {
        let at = args.at.unwrap_or(SongTime::ZERO);
        if let Some(video) = video.as_mut()
            && let Some(frame) = video.frame_at(at.as_secs_f64() - video_gap)?
        {
            renderer.push_video_frame(0, frame)?;
        }
        renderer.snapshot(0, at)?.save_png(&args.out)?;
        return Ok(format!("wrote {} at {at} on {device}", args.out.display()));
    }

    let source = room_service::library::song_source(&args.song)?;
    let audio = std::env::temp_dir().join(format!("ktv-render-{}.wav", std::process::id()));
    let _cleanup = RemoveOnDrop(audio.clone());
    let performance = engine::render::Performance {
        mode: args.mode,
        ..Default::default()
    };
    let report = engine::render::render_song(&source, &performance, 48_000, &audio, |done| {
        progress(done * 0.1)
    })
    .context("rendering the audio")?;
    let seconds = report.frames as f64 / f64::from(report.sample_rate);
    let frames = (seconds * f64::from(args.fps)).ceil() as u64;
    let mut sink = if is_y4m(&args.out) {
        let out: Box<dyn std::io::Write> = if args.out.as_os_str() == "-" {
            Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
        } else {
            Box::new(std::io::BufWriter::new(
                std::fs::File::create(&args.out)
                    .with_context(|| format!("cannot write {}", args.out.display()))?,
            ))
        };
        Sink::Y4m(render::Y4mSink::new(
            out,
            args.width,
            args.height,
            args.fps,
        )?)
    } else {
        Sink::Mp4(render::Mp4Sink::create(
            &args.out,
            args.width,
            args.height,
            args.fps,
            Some(&audio),
        )?)
    };
    let mut image = render::Image {
        width: 0,
        height: 0,
        rgba: Vec::new(),
    };
    // One frame of latency: frame i renders while frame i - 1 is read back and encoded.
    for i in 0..frames {
        let at = SongTime::from_secs_f64(i as f64 / f64::from(args.fps));
        if let Some(video) = video.as_mut()
            && let Some(frame) = video.frame_at(at.as_secs_f64() - video_gap)?
        {
            renderer.push_video_frame(0, frame)?;
        }
        renderer.render(0, at)?;
        if i > 0 && renderer.read_frame_into(0, true, &mut image)?.is_some() {
            sink.write(&image)?;
        }
        if i % u64::from(args.fps) == 0 {
            progress(0.1 + 0.9 * i as f64 / frames as f64);
        }
    }
    while renderer.read_frame_into(0, true, &mut image)?.is_some() {
        sink.write(&image)?;
    }
    sink.finish()?;
    progress(1.0);
    Ok(format!(
        "wrote {}: {seconds:.2} s, {frames} frames of {}x{} at {} fps on {device}",
        args.out.display(),
        args.width,
        args.height,
        args.fps
    ))
}

/// Whether `out` asks for a Y4M stream (video only): `-` (standard output) or `*.y4m`.
pub fn is_y4m(out: &std::path::Path) -> bool {
    out.as_os_str() == "-"
        || out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("y4m"))
}

enum Sink {
    Mp4(render::Mp4Sink),
    Y4m(render::Y4mSink<Box<dyn std::io::Write>>),
}

impl Sink {
    fn write(&mut self, image: &render::Image) -> anyhow::Result<()> {
        match self {
            Sink::Mp4(sink) => sink.write(image)?,
            Sink::Y4m(sink) => sink.write(image)?,
        }
        Ok(())
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            Sink::Mp4(sink) => sink.finish()?,
            Sink::Y4m(sink) => sink.finish()?,
        }
        Ok(())
    }
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
