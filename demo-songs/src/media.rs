//! Writing the demo songs' files: audio through Debian's ffmpeg (MP3, AAC, Ogg Vorbis, FLAC,
//! WAV), and the music videos: frames drawn here with their frame number, as digits and as a
//! stripe of blocks a test can read back, encoded to H.264 or VP9.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// Encodes interleaved f32 audio to `path`, the codec chosen by its extension.
pub fn encode_audio(samples: &[f32], channels: u32, rate: u32, path: &Path) -> anyhow::Result<()> {
    let codec: &[&str] = match path.extension().and_then(|e| e.to_str()) {
        Some("mp3") => &["-c:a", "libmp3lame", "-b:a", "160k"],
        Some("m4a") => &["-c:a", "aac", "-b:a", "160k"],
        Some("ogg") => &["-c:a", "libvorbis", "-q:a", "5"],
        Some("flac") => &["-c:a", "flac", "-sample_fmt", "s16"],
        Some("wav") => &["-c:a", "pcm_s16le"],
        other => bail!("no encoder for {other:?}"),
    };
    let mut child = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "f32le"])
        .args([
            "-ar",
            &rate.to_string(),
            "-ac",
            &channels.to_string(),
            "-i",
            "-",
        ])
        .args(codec)
        // Reproducible files: no encoder version or creation time in the metadata.
        .args([
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
        ])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .context("cannot run ffmpeg (scripts/setup installs it)")?;
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    child
        .stdin
        .take()
        .context("ffmpeg's stdin")?
        .write_all(&bytes)
        .context("cannot feed ffmpeg")?;
    let status = child.wait()?;
    if !status.success() {
        bail!("ffmpeg could not write {}", path.display());
    }
    Ok(())
}

/// Video size and rate.
pub const WIDTH: usize = 640;
/// Video height.
pub const HEIGHT: usize = 360;
/// Frames per second.
pub const FPS: u32 = 30;
/// Bits of the frame number in the stripe.
pub const STRIPE_BITS: usize = 16;
/// Width of one stripe block in pixels; blocks start at x = 0 along the bottom edge.
pub const STRIPE_BLOCK: usize = 32;
/// Height of the stripe in pixels, at the bottom of the frame.
pub const STRIPE_HEIGHT: usize = 24;

/// Draws and encodes a video of `seconds`: a moving colour field, the frame number in big
/// digits, and the frame number in binary as white (1) and black (0) blocks along the
/// bottom edge, least significant bit first.
pub fn encode_video(seconds: f64, path: &Path) -> anyhow::Result<()> {
    let codec: &[&str] = match path.extension().and_then(|e| e.to_str()) {
        Some("mp4") => &[
            "-c:v", "libx264", "-preset", "medium", "-crf", "26", "-pix_fmt", "yuv420p", "-g", "30",
        ],
        Some("webm") => &[
            "-c:v",
            "libvpx-vp9",
            "-b:v",
            "0",
            "-crf",
            "40",
            "-deadline",
            "good",
            "-cpu-used",
            "4",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "30",
        ],
        other => bail!("no video encoder for {other:?}"),
    };
    let size = format!("{WIDTH}x{HEIGHT}");
    let mut child = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
        ])
        .args(["-s", &size, "-r", &FPS.to_string(), "-i", "-"])
        .args(codec)
        .args([
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:v",
            "+bitexact",
        ])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .context("cannot run ffmpeg (scripts/setup installs it)")?;
    let mut stdin = child.stdin.take().context("ffmpeg's stdin")?;
    let frames = (seconds * f64::from(FPS)).round() as usize;
    let mut image = vec![0u8; WIDTH * HEIGHT * 3];
    for frame in 0..frames {
        draw(&mut image, frame);
        stdin.write_all(&image).context("cannot feed ffmpeg")?;
    }
    drop(stdin);
    if !child.wait()?.success() {
        bail!("ffmpeg could not write {}", path.display());
    }
    Ok(())
}

/// Draws frame `n`.
fn draw(image: &mut [u8], n: usize) {
    let t = n as f64 / f64::from(FPS);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let i = (y * WIDTH + x) * 3;
            let u = x as f64 / WIDTH as f64;
            let v = y as f64 / HEIGHT as f64;
            image[i] = (60.0 + 50.0 * (u * 3.0 + t * 0.7).sin()) as u8;
            image[i + 1] = (50.0 + 40.0 * (v * 4.0 - t * 0.5).sin()) as u8;
            image[i + 2] = (110.0 + 60.0 * ((u + v) * 2.0 + t * 0.3).sin()) as u8;
        }
    }
    // The frame number in seven-segment digits, top left.
    let digits = n.to_string();
    for (k, c) in digits.chars().enumerate() {
        let d = c.to_digit(10).unwrap_or(0) as usize;
        digit(image, 24 + k * 56, 24, d);
    }
    // The stripe: one block per bit, white for 1.
    for bit in 0..STRIPE_BITS {
        let on = (n >> bit) & 1 == 1;
        let value = if on { 255 } else { 0 };
        fill(
            image,
            bit * STRIPE_BLOCK,
            HEIGHT - STRIPE_HEIGHT,
            STRIPE_BLOCK,
            STRIPE_HEIGHT,
            [value; 3],
        );
    }
}

fn fill(image: &mut [u8], x0: usize, y0: usize, w: usize, h: usize, rgb: [u8; 3]) {
    for y in y0..(y0 + h).min(HEIGHT) {
        for x in x0..(x0 + w).min(WIDTH) {
            let i = (y * WIDTH + x) * 3;
            image[i..i + 3].copy_from_slice(&rgb);
        }
    }
}

/// A seven-segment digit 40 px wide, 72 px tall, at (x, y).
fn digit(image: &mut [u8], x: usize, y: usize, d: usize) {
    // Segments a b c d e f g, per digit.
    const SEGMENTS: [u8; 10] = [
        0b1111110, 0b0110000, 0b1101101, 0b1111001, 0b0110011, 0b1011011, 0b1011111, 0b1110000,
        0b1111111, 0b1111011,
    ];
    let on = SEGMENTS[d % 10];
    let white = [250, 250, 250];
    let (w, h, t) = (40, 72, 8);
    let parts = [
        (x, y, w, t),                     // a
        (x + w - t, y, t, h / 2),         // b
        (x + w - t, y + h / 2, t, h / 2), // c
        (x, y + h - t, w, t),             // d
        (x, y + h / 2, t, h / 2),         // e
        (x, y, t, h / 2),                 // f
        (x, y + h / 2 - t / 2, w, t),     // g
    ];
    for (k, &(px, py, pw, ph)) in parts.iter().enumerate() {
        if on & (1 << (6 - k)) != 0 {
            fill(image, px, py, pw, ph, white);
        }
    }
}
