//! Where read-back frames go besides PNG snapshots: an MP4 through FFmpeg (a real encoder,
//! H.264 in yuv420p so every player opens it) with the song's audio muxed in.

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
