//! Decoding one audio stream of one file with symphonia into stereo f32 at the file's rate,
//! trimmed to the frames that are really the song, with sample-accurate seeking.
//!
//! Timeline: a decoded frame's *song frame* is its timestamp minus the encoder delay the
//! container declares. MP3 (LAME tag) and Vorbis delays are trimmed by symphonia's gapless
//! decoding; AAC in MP4 is trimmed here from the edit list or `iTunSMPB` (see [`super::mp4`]).
//! A packet that fails to decode becomes silence of the same length, so the two tracks of a
//! song stay in lockstep and the lyrics stay in time.

use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::{MetadataOptions, RawValue};
use symphonia::core::units::Timestamp;

use crate::error::{EngineError, Result};
use crate::source::mp4::{self, Edit};

/// Frames decoded before a seek target, so codecs with overlapping frames (MP3's bit
/// reservoir, AAC's MDCT) produce the target exactly.
const SEEK_PREROLL: u64 = 2048;

/// The longest gap (corrupt packets) filled with silence; beyond it the stream is broken.
const MAX_GAP_FRAMES: i64 = 1 << 22;

/// Which audio stream of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamChoice {
    /// The file's default audio stream.
    Default,
    /// The n-th audio stream (0-based).
    Index(usize),
}

/// One audio stream being decoded.
pub(crate) struct StreamDecoder {
    path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    sample_rate: u32,
    channels: usize,
    /// Frames to drop at the start of the timeline (priming) that symphonia does not drop.
    lead: u64,
    /// The track's timestamp unit as a fraction of a second (MP4 and WAV count frames;
    /// Matroska counts milliseconds).
    time_base: (u64, u64),
    /// The song's length in frames at the file's rate, if known.
    length: Option<u64>,
    /// The song frame of the next frame to hand out.
    next_frame: i64,
    /// Decoded frames before this song frame are dropped (after a seek).
    skip_until: i64,
    scratch: Vec<f32>,
    ended: bool,
}

/// What one call to [`StreamDecoder::decode_next`] produced.
pub(crate) enum Decoded {
    /// Frames were appended (possibly none, e.g. a packet before a seek target).
    Frames,
    /// The stream has ended.
    End,
}

impl StreamDecoder {
    /// Opens `path` and prepares to decode the chosen stream from its start.
    pub(crate) fn open(path: &Path, choice: StreamChoice) -> Result<Self> {
        let error = |reason: String| EngineError::Decode {
            path: path.to_owned(),
            reason,
        };
        let file = std::fs::File::open(path).map_err(|source| EngineError::Io {
            path: path.to_owned(),
            source,
        })?;
        let stream = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let mut format = symphonia::default::get_probe()
            .probe(
                &hint,
                stream,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| error(format!("not audio in a format ktv decodes ({e})")))?;
        let audio: Vec<u32> = format
            .tracks()
            .iter()
            .filter(|t| t.codec_params.as_ref().and_then(|p| p.audio()).is_some())
            .map(|t| t.id)
            .collect();
        let track_id = match choice {
            StreamChoice::Default => format
                .default_track(TrackType::Audio)
                .map(|t| t.id)
                .ok_or_else(|| error("no audio stream".into()))?,
            StreamChoice::Index(index) => {
                *audio.get(index).ok_or_else(|| EngineError::NoSuchStream {
                    path: path.to_owned(),
                    index,
                    count: audio.len(),
                })?
            }
        };
        let track = format
            .tracks()
            .iter()
            .find(|t| t.id == track_id)
            .cloned()
            .ok_or_else(|| error("the audio stream vanished".into()))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| error("no audio parameters".into()))?;
        let sample_rate = params
            .sample_rate
            .filter(|&r| r > 0)
            .ok_or_else(|| error("no sample rate".into()))?;
        let channels = params.channels.as_ref().map_or(2, |c| c.count()).max(1);
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(params, &AudioDecoderOptions::default().gapless(true))
            .map_err(|e| error(format!("unsupported codec ({e})")))?;
        // Containers whose priming symphonia does not trim (MP4): the edit list, else iTunSMPB.
        let trimmed_by_symphonia = track.delay.is_some() || track.padding.is_some();
        let edit = if trimmed_by_symphonia {
            None
        } else {
            mp4::edit_list(path, track_id).or_else(|| itunsmpb(format.as_mut()))
        };
        let edit = edit.unwrap_or(Edit {
            skip: 0,
            keep: None,
        });
        let length = edit.keep.or(track.num_frames);
        let time_base = track.time_base.map_or((1, u64::from(sample_rate)), |tb| {
            (u64::from(tb.numer.get()), u64::from(tb.denom.get()))
        });
        Ok(StreamDecoder {
            path: path.to_owned(),
            format,
            decoder,
            track_id,
            sample_rate,
            channels,
            lead: edit.skip,
            time_base,
            length,
            next_frame: 0,
            skip_until: 0,
            scratch: Vec::new(),
            ended: false,
        })
    }

    /// The file's sample rate.
    pub(crate) fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The stream's channel count (decoded to stereo regardless).
    pub(crate) fn channels(&self) -> usize {
        self.channels
    }

    /// The song's length in frames at the file's rate, if the container says.
    pub(crate) fn length(&self) -> Option<u64> {
        self.length
    }

    /// The song frame (at the file's rate) of the next frame to be handed out.
    pub(crate) fn position(&self) -> i64 {
        self.next_frame.max(self.skip_until)
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Continues from song frame `frame` (at the file's rate): the next frames handed out
    /// start exactly there.
    pub(crate) fn seek(&mut self, frame: u64) -> Result<()> {
        self.ended = false;
        self.skip_until = frame as i64;
        let target = frame + self.lead;
        let from = target.saturating_sub(SEEK_PREROLL);
        self.format
            .seek(
                SeekMode::Accurate,
                SeekTo::Timestamp {
                    ts: Timestamp::new(self.frames_to_ts(from)),
                    track_id: self.track_id,
                },
            )
            .map_err(|e| self.error(format!("cannot seek ({e})")))?;
        self.decoder.reset();
        // Until a packet says where it is, assume the target: gaps are measured from it.
        self.next_frame = i64::MIN;
        Ok(())
    }

    /// Decodes the next packet of this stream, appending stereo frames to `out`.
    pub(crate) fn decode_next(&mut self, out: &mut Vec<f32>) -> Result<Decoded> {
        if self.ended {
            return Ok(Decoded::End);
        }
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => return Ok(self.end()),
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(self.end());
                }
                Err(e) => return Err(self.error(format!("cannot read ({e})"))),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let buffer = match self.decoder.decode(&packet) {
                Ok(buffer) => buffer,
                // A corrupt packet: skip it; the next one's timestamp leaves a gap of silence.
                Err(SymphoniaError::DecodeError(_) | SymphoniaError::IoError(_)) => continue,
                Err(SymphoniaError::ResetRequired) => {
                    self.decoder.reset();
                    continue;
                }
                Err(e) => return Err(self.error(format!("cannot decode ({e})"))),
            };
            let frames = buffer.frames();
            let channels = buffer.spec().channels().count().max(1);
            buffer.copy_to_vec_interleaved(&mut self.scratch);
            // Song frame of this buffer's first frame.
            let first = self.ts_to_frames(packet.pts.get()) + packet.trim_start.get() as i64
                - self.lead as i64;
            let appended = self.append(out, first, frames, channels);
            if appended > 0 || self.ended {
                return Ok(Decoded::Frames);
            }
        }
    }

    /// Appends the frames of the decoded buffer starting at song frame `first` that fall in
    /// the song and after the seek target, filling a gap since the last frame with silence.
    fn append(&mut self, out: &mut Vec<f32>, first: i64, frames: usize, channels: usize) -> usize {
        let start = out.len();
        if self.next_frame == i64::MIN {
            self.next_frame = self.skip_until;
        }
        // Timestamps coarser than a frame (Matroska counts milliseconds) jitter by up to one
        // tick: within that, packets are contiguous.
        let first = if (first - self.next_frame).abs() <= self.tick_frames() {
            self.next_frame
        } else {
            first
        };
        let gap = first - self.next_frame;
        if gap > 0 && gap < MAX_GAP_FRAMES && self.next_frame >= self.skip_until {
            out.resize(out.len() + 2 * gap as usize, 0.0);
            self.next_frame = first;
        }
        let end = self.length.map_or(i64::MAX, |l| l as i64);
        for i in 0..frames {
            let frame = first + i as i64;
            if frame < self.skip_until.max(self.next_frame) {
                continue;
            }
            if frame >= end {
                self.ended = true;
                break;
            }
            let sample = &self.scratch[i * channels..(i + 1) * channels];
            let (left, right) = match sample {
                [mono] => (*mono, *mono),
                [l, r, ..] => (*l, *r),
                [] => (0.0, 0.0),
            };
            out.push(left);
            out.push(right);
            self.next_frame = frame + 1;
        }
        (out.len() - start) / 2
    }

    /// Frames in one timestamp tick, rounded up (1 when timestamps count frames).
    fn tick_frames(&self) -> i64 {
        let (numer, denom) = self.time_base;
        let frames =
            (u128::from(numer) * u128::from(self.sample_rate)).div_ceil(u128::from(denom.max(1)));
        frames.clamp(1, 1 << 20) as i64 - 1
    }

    /// A timestamp in the track's time base, as frames.
    fn ts_to_frames(&self, ts: i64) -> i64 {
        let (numer, denom) = self.time_base;
        let frames = i128::from(ts) * i128::from(numer) * i128::from(self.sample_rate);
        (frames / i128::from(denom.max(1))).clamp(i64::MIN.into(), i64::MAX.into()) as i64
    }

    /// Frames as a timestamp in the track's time base (rounded down).
    fn frames_to_ts(&self, frames: u64) -> i64 {
        let (numer, denom) = self.time_base;
        let ts = u128::from(frames) * u128::from(denom)
            / (u128::from(numer.max(1)) * u128::from(self.sample_rate));
        ts.min(i64::MAX as u128) as i64
    }

    fn end(&mut self) -> Decoded {
        self.ended = true;
        Decoded::End
    }

    fn error(&self, reason: String) -> EngineError {
        EngineError::Decode {
            path: self.path.clone(),
            reason,
        }
    }
}

/// The encoder delay an `iTunSMPB` tag declares, if the file has one.
fn itunsmpb(format: &mut dyn FormatReader) -> Option<Edit> {
    let mut metadata = format.metadata();
    let revision = metadata.skip_to_latest()?;
    revision
        .media
        .tags
        .iter()
        .find(|t| t.raw.key.to_ascii_lowercase().ends_with("itunsmpb"))
        .and_then(|t| match &t.raw.value {
            RawValue::String(value) => mp4::itunsmpb(value),
            _ => None,
        })
}
