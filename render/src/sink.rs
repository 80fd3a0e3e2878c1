//! Where read-back frames go besides PNG snapshots: an MP4 through FFmpeg (a real encoder,
//! H.264 in yuv420p so every player opens it) with the song's audio muxed in, or a Y4M
//! stream for any encoder that reads one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::error::{RenderError, Result};
use crate::image::Image;

/// An FFmpeg process encoding RGBA frames to an MP4 file.
pub struct Mp4Sink {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    size: (u32, u32),
    path: PathBuf,
}

impl Mp4Sink {
    /// Starts FFmpeg writing `out` from frames of `width`×`height` at `fps`, with `audio`
    /// (any file FFmpeg reads) as the sound track; the video ends where the frames end.
    pub fn create(
        out: &Path,
        width: u32,
        height: u32,
        fps: u32,
        audio: Option<&Path>,
    ) -> Result<Mp4Sink> {
        let failed = |reason: String| RenderError::Write {
            path: out.to_owned(),
            reason,
        };
        let mut command = Command::new("ffmpeg");
        command
            .args(["-hide_banner", "-loglevel", "error", "-y"])
            .args(["-f", "rawvideo", "-pix_fmt", "rgba", "-s"])
            .arg(format!("{width}x{height}"))
            .args(["-r", &fps.to_string(), "-i", "-"]);
        if let Some(audio) = audio {
            command.arg("-i").arg(audio);
            command.args(["-map", "0:v", "-map", "1:a", "-c:a", "aac", "-b:a", "192k"]);
        }
        command
            .args(["-c:v", "libx264", "-preset", "veryfast", "-crf", "20"])
            .args([
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
                "-shortest",
            ])
            .arg(out)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| {
            failed(format!(
                "cannot start ffmpeg ({e}); scripts/setup installs it"
            ))
        })?;
        let stdin = child.stdin.take();
        Ok(Mp4Sink {
            child: Some(child),
            stdin,
            size: (width, height),
            path: out.to_owned(),
        })
    }

    /// Encodes one frame (the size the sink was made for).
    pub fn write(&mut self, frame: &Image) -> Result<()> {
        if (frame.width, frame.height) != self.size {
            return Err(self.error(format!(
                "a {}x{} frame for a {}x{} video",
                frame.width, frame.height, self.size.0, self.size.1
            )));
        }
        let result = match self.stdin.as_mut() {
            Some(stdin) => stdin.write_all(&frame.rgba),
            None => return Err(self.error("the encoder is closed".into())),
        };
        result.map_err(|e| self.error(format!("ffmpeg stopped taking frames: {e}")))
    }

    /// Closes the stream and waits for FFmpeg to finish the file.
    pub fn finish(mut self) -> Result<()> {
        drop(self.stdin.take());
        let Some(child) = self.child.take() else {
            return Err(self.error("the encoder is closed".into()));
        };
        let output = child
            .wait_with_output()
            .map_err(|e| self.error(e.to_string()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(self.error(format!(
                "ffmpeg failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )))
        }
    }

    fn error(&self, reason: String) -> RenderError {
        RenderError::Write {
            path: self.path.clone(),
            reason,
        }
    }
}

impl Drop for Mp4Sink {
    /// Dropped unfinished (an error upstream): FFmpeg is told the stream ended and waited for,
    /// so no process is left behind.
    fn drop(&mut self) {
        drop(self.stdin.take());
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }
}

/// Frames as a YUV4MPEG2 stream (4:2:0, full range "jpeg" chroma siting) on any writer, for
/// encoders that read one on standard input (`ktv render --out -`).
pub struct Y4mSink<W: Write> {
    out: W,
    size: (u32, u32),
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

impl<W: Write> Y4mSink<W> {
    /// Writes the stream header for frames of `width`×`height` at `fps`.
    pub fn new(mut out: W, width: u32, height: u32, fps: u32) -> std::io::Result<Self> {
        writeln!(
            out,
            "YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg"
        )?;
        Ok(Y4mSink {
            out,
            size: (width, height),
            y: Vec::new(),
            u: Vec::new(),
            v: Vec::new(),
        })
    }

    /// Converts (BT.601, full range) and writes one frame.
    pub fn write(&mut self, frame: &Image) -> std::io::Result<()> {
        let (w, h) = self.size;
        if (frame.width, frame.height) != (w, h) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "a {}x{} frame for a {w}x{h} stream",
                    frame.width, frame.height
                ),
            ));
        }
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        self.y.clear();
        self.u.clear();
        self.v.clear();
        let rgb = |x: u32, y: u32| {
            let p = frame.pixel(x.min(w - 1), y.min(h - 1));
            (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]))
        };
        for y in 0..h {
            for x in 0..w {
                let (r, g, b) = rgb(x, y);
                self.y.push(
                    (0.299 * r + 0.587 * g + 0.114 * b)
                        .round()
                        .clamp(0.0, 255.0) as u8,
                );
            }
        }
        for cy in 0..ch {
            for cx in 0..cw {
                // The mean of the 2x2 block the chroma sample covers.
                let (mut r, mut g, mut b) = (0.0, 0.0, 0.0);
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let p = rgb(cx * 2 + dx, cy * 2 + dy);
                    r += p.0 / 4.0;
                    g += p.1 / 4.0;
                    b += p.2 / 4.0;
                }
                let u = 128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b;
                let v = 128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b;
                self.u.push(u.round().clamp(0.0, 255.0) as u8);
                self.v.push(v.round().clamp(0.0, 255.0) as u8);
            }
        }
        self.out.write_all(b"FRAME\n")?;
        self.out.write_all(&self.y)?;
        self.out.write_all(&self.u)?;
        self.out.write_all(&self.v)
    }

    /// Flushes the stream.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y4m_frames_are_header_then_planes_with_the_right_colours() {
        // A 4x2 frame: left half pure red, right half white.
        let mut rgba = Vec::new();
        for _ in 0..2 {
            for x in 0..4 {
                rgba.extend_from_slice(if x < 2 { &[255, 0, 0, 255] } else { &[255; 4] });
            }
        }
        let frame = Image {
            width: 4,
            height: 2,
            rgba,
        };
        let mut out = Vec::new();
        let mut sink = Y4mSink::new(&mut out, 4, 2, 25).unwrap();
        sink.write(&frame).unwrap();
        sink.finish().unwrap();
        let header = b"YUV4MPEG2 W4 H2 F25:1 Ip A1:1 C420jpeg\nFRAME\n";
        assert_eq!(&out[..header.len()], header);
        let planes = &out[header.len()..];
        assert_eq!(planes.len(), 8 + 2 + 2);
        assert_eq!(&planes[..4], &[76, 76, 255, 255], "luma of red and white");
        assert_eq!((planes[8], planes[10]), (85, 255), "red's U and V");
        assert_eq!((planes[9], planes[11]), (128, 128), "white has no chroma");
        let wrong = Image {
            width: 2,
            height: 2,
            rgba: vec![0; 16],
        };
        assert!(
            Y4mSink::new(Vec::new(), 4, 2, 25)
                .unwrap()
                .write(&wrong)
                .is_err()
        );
    }
}
