//! Music videos: decoded by FFmpeg's libraries (through `ffmpeg-next`), frame-accurate to
//! the song time, as YUV 4:2:0 planes for the GPU to convert.
//!
//! [`VideoDecoder::frame_at`] gives the frame showing at a time: it decodes forward while the
//! asked times move forward, and seeks (to the key frame before, then decodes up to the
//! frame) when they jump back or far ahead, so a seek in the song is a seek in the video.

use std::path::{Path, PathBuf};

use ffmpeg_next as ffmpeg;

use crate::error::{RenderError, Result};

/// A decoded frame, ready for [`crate::Renderer::push_video_frame`].
#[derive(Debug, Clone, PartialEq)]
pub struct VideoFrame {
    /// When it shows, in seconds of the video.
    pub time: f64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixels.
    pub planes: Planes,
}

/// A frame's pixels, rows packed with no padding.
#[derive(Debug, Clone, PartialEq)]
pub enum Planes {
    /// 8-bit YUV 4:2:0, limited range: Y at full size, U and V at half width and height
    /// (rounded up).
    Yuv420 {
        /// Luma.
        y: Vec<u8>,
        /// Blue difference.
        u: Vec<u8>,
        /// Red difference.
        v: Vec<u8>,
    },
    /// 8-bit RGBA, sRGB.
    Rgba(Vec<u8>),
}

/// A video file being decoded.
pub struct VideoDecoder {
    path: PathBuf,
    input: ffmpeg::format::context::Input,
    stream: usize,
    decoder: ffmpeg::decoder::Video,
    time_base: f64,
    frame_rate: f64,
    scaler: Option<ffmpeg::software::scaling::Context>,
    /// The frame showing, and the one after it (to know when the first stops showing).
    current: Option<VideoFrame>,
    next: Option<VideoFrame>,
    /// The decoder has given its last frame.
    drained: bool,
    /// Packets have run out (the decoder was told).
    input_ended: bool,
}

fn failed(path: &Path, reason: impl std::fmt::Display) -> RenderError {
    RenderError::Video {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

impl VideoDecoder {
    /// Opens the best video stream of `path`.
    pub fn open(path: &Path) -> Result<VideoDecoder> {
        ffmpeg::init().map_err(|e| failed(path, e))?;
        let input = ffmpeg::format::input(path).map_err(|e| failed(path, e))?;
        let stream = input
            .streams()
            .best(ffmpeg::media::Type::Video)
            .ok_or_else(|| failed(path, "no video stream"))?;
        let index = stream.index();
        let time_base = f64::from(stream.time_base());
        let rate = stream.avg_frame_rate();
        let frame_rate = if rate.denominator() != 0 && rate.numerator() > 0 {
            f64::from(rate)
        } else {
            30.0
        };
        let context = ffmpeg::codec::context::Context::from_parameters(stream.parameters())
            .map_err(|e| failed(path, e))?;
        let decoder = context.decoder().video().map_err(|e| failed(path, e))?;
        Ok(VideoDecoder {
            path: path.to_owned(),
            input,
            stream: index,
            decoder,
            time_base,
            frame_rate,
            scaler: None,
            current: None,
            next: None,
            drained: false,
            input_ended: false,
        })
    }

    /// Frames per second (the stream's average).
    pub fn frame_rate(&self) -> f64 {
        self.frame_rate
    }

    /// The frame showing at `seconds` of the video: the last one that starts at or before
    /// it (the first frame before the video starts, the last after it ends).
    pub fn frame_at(&mut self, seconds: f64) -> Result<Option<&VideoFrame>> {
        let behind = self.current.as_ref().is_some_and(|f| seconds < f.time);
        let far = self
            .current
            .as_ref()
            .is_some_and(|f| seconds > f.time + 2.0);
        if behind || far {
            self.seek(seconds)?;
        }
        loop {
            if self.next.is_none() && !self.drained {
                self.next = self.decode_next()?;
            }
            match self.next.take() {
                Some(frame) if self.current.is_none() || frame.time <= seconds + 1e-6 => {
                    self.current = Some(frame);
                }
                Some(frame) => {
                    self.next = Some(frame);
                    break;
                }
                None => break,
            }
        }
        Ok(self.current.as_ref())
    }

    fn seek(&mut self, seconds: f64) -> Result<()> {
        let target = (seconds.max(0.0) * 1_000_000.0) as i64;
        self.input
            .seek(target, ..target)
            .map_err(|e| failed(&self.path, e))?;
        self.decoder.flush();
        self.current = None;
        self.next = None;
        self.drained = false;
        self.input_ended = false;
        Ok(())
    }

    /// The next frame in decoding order, or `None` after the last.
    fn decode_next(&mut self) -> Result<Option<VideoFrame>> {
        let mut frame = ffmpeg::frame::Video::empty();
        loop {
            match self.decoder.receive_frame(&mut frame) {
                Ok(()) => return self.convert(&frame).map(Some),
                Err(ffmpeg::Error::Eof) => {
                    self.drained = true;
                    return Ok(None);
                }
                Err(ffmpeg::Error::Other { errno }) if errno == ffmpeg::util::error::EAGAIN => {}
                Err(e) => return Err(failed(&self.path, e)),
            }
            if self.input_ended {
                self.drained = true;
                return Ok(None);
            }
            // Feed the decoder the next packet of our stream.
            let mut fed = false;
            while let Some((stream, packet)) = self.input.packets().next() {
                if stream.index() == self.stream {
                    self.decoder
                        .send_packet(&packet)
                        .map_err(|e| failed(&self.path, e))?;
                    fed = true;
                    break;
                }
            }
            if !fed {
                self.decoder.send_eof().map_err(|e| failed(&self.path, e))?;
                self.input_ended = true;
            }
        }
    }

    fn convert(&mut self, frame: &ffmpeg::frame::Video) -> Result<VideoFrame> {
        let time = frame.timestamp().or(frame.pts()).unwrap_or(0) as f64 * self.time_base;
        let (width, height) = (frame.width(), frame.height());
        let converted;
        let source = if frame.format() == ffmpeg::format::Pixel::YUV420P {
            frame
        } else {
            let scaler = match &mut self.scaler {
                Some(scaler) => scaler,
                None => self.scaler.insert(
                    ffmpeg::software::scaling::Context::get(
                        frame.format(),
                        width,
                        height,
                        ffmpeg::format::Pixel::YUV420P,
                        width,
                        height,
                        ffmpeg::software::scaling::Flags::BILINEAR,
                    )
                    .map_err(|e| failed(&self.path, e))?,
                ),
            };
            let mut out = ffmpeg::frame::Video::empty();
            scaler
                .run(frame, &mut out)
                .map_err(|e| failed(&self.path, e))?;
            converted = out;
            &converted
        };
        let plane = |index: usize, w: u32, h: u32| -> Vec<u8> {
            let stride = source.stride(index);
            let data = source.data(index);
            let mut packed = Vec::with_capacity((w * h) as usize);
            for row in 0..h as usize {
                packed.extend_from_slice(&data[row * stride..row * stride + w as usize]);
            }
            packed
        };
        let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
        Ok(VideoFrame {
            time,
            width,
            height,
            planes: Planes::Yuv420 {
                y: plane(0, width, height),
                u: plane(1, cw, ch),
                v: plane(2, cw, ch),
            },
        })
    }
}
