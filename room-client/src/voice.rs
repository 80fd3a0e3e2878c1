//! The singer's voice to the audience: the singer's engine's wet voice in 20 ms Opus frames,
//! each stamped with the song position it was sung at; a listener decodes them into its
//! engine's remote voice, which mixes each frame where its stamp says in the listener's own
//! copy of the music. The listener plays the music behind the singer by the voice path's
//! delay (the follower's extra delay), measured here from the frames' lateness, so the voice
//! comes in time for its turn.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use audiopus::coder::{Decoder, Encoder};
use audiopus::{Application, Bitrate, Channels, SampleRate};
use engine::{BusTap, RemoteVoiceInput, VOICE_PACKET};
use sync::voice::{Stream, VoiceFrame};
use sync::{MediaTime, TimeDelta};
use tokio::sync::mpsc;

use crate::time::{delta_to_frames, frames_to_delta, frames_to_media, media_to_frames};
use crate::{Error, Result};

/// The Opus streams' sample rate, the engine's taps' too.
const OPUS_RATE: u32 = 48_000;

/// Frames per Opus frame: 20 ms at 48 kHz.
pub const FRAME: usize = 960;

/// The voice's bit rate: stereo (the effects' reverb is stereo), ample for singing.
const VOICE_BITRATE: i32 = 64_000;
/// The room mix's: music as well as voice.
const MIX_BITRATE: i32 = 96_000;

/// Tap blocks buffered between reads.
pub const TAP_BLOCKS: usize = 64;

fn opus_error(what: &'static str) -> impl Fn(audiopus::Error) -> Error {
    move |e| Error::Internal(format!("{what}: {e}"))
}

/// The singer's side: a thread encoding the wet-voice tap; stops when dropped.
pub struct VoiceSender {
    stop: Arc<AtomicBool>,
    latency: Arc<AtomicU32>,
    thread: Option<JoinHandle<()>>,
}

impl VoiceSender {
    /// Encodes `tap` (at 48 kHz: the engine's wet voice for [`Stream::Voice`], its room bus
    /// for [`Stream::Mix`]) for song number `song`, sung at `tempo`, sending each frame's
    /// bytes to `out`.
    pub fn start(
        tap: BusTap,
        stream: Stream,
        song: u64,
        tempo: f64,
        out: mpsc::Sender<Vec<u8>>,
    ) -> Result<VoiceSender> {
        let mut encoder = Encoder::new(SampleRate::Hz48000, Channels::Stereo, Application::Audio)
            .map_err(opus_error("starting the voice encoder"))?;
        let bitrate = match stream {
            Stream::Voice => VOICE_BITRATE,
            Stream::Mix => MIX_BITRATE,
        };
        encoder
            .set_bitrate(Bitrate::BitsPerSecond(bitrate))
            .and_then(|()| encoder.set_inband_fec(true))
            .and_then(|()| encoder.set_packet_loss_perc(5))
            .map_err(opus_error("setting up the voice encoder"))?;
        // Opus decodes each sample this many samples late (its look-ahead): stamps say so.
        let lookahead = encoder
            .lookahead()
            .map_err(opus_error("reading the voice encoder's look-ahead"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let latency = Arc::new(AtomicU32::new(0));
        let (flag, delay) = (Arc::clone(&stop), Arc::clone(&latency));
        let thread = std::thread::Builder::new()
            .name("ktv-voice-out".into())
            .spawn(move || {
                let mut framer = Framer::new(song, tempo);
                let mut packet = [0u8; 1000];
                let mut tap = tap;
                while !flag.load(Ordering::Relaxed) {
                    while let Some(block) = tap.pop() {
                        let delay =
                            f64::from(delay.load(Ordering::Relaxed)) + f64::from(lookahead) * tempo;
                        framer.push(
                            block.samples(),
                            block.song_frame.map(|f| f - delay),
                            |frame, position| {
                                let Ok(len) = encoder.encode_float(frame, &mut packet) else {
                                    return None;
                                };
                                Some(packet[..len].to_vec()).map(|opus| (opus, position))
                            },
                            |frame| {
                                if let Ok(bytes) = sync::voice::encode_as(&frame, stream) {
                                    let _ = out.blocking_send(bytes);
                                }
                            },
                        );
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
            .map_err(|e| Error::Internal(format!("cannot start the voice sender: {e}")))?;
        Ok(VoiceSender {
            stop,
            latency,
            thread: Some(thread),
        })
    }

    /// The microphone's monitor latency (the voice in a block was sung this long before the
    /// block's song position). Not for the room mix: its stamps follow the music in it.
    pub fn set_monitor_latency(&self, frames: u32) {
        self.latency.store(frames, Ordering::Relaxed);
    }
}

impl Drop for VoiceSender {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Cuts the tap's blocks into 20 ms frames stamped with the song frame of their first
/// sample; a jump in the song (a seek, a restart, a pause) starts a new frame.
struct Framer {
    song: u64,
    tempo: f64,
    seq: u32,
    buffer: Vec<f32>,
    /// The song frame of the buffer's first sample.
    start: Option<f64>,
}

impl Framer {
    fn new(song: u64, tempo: f64) -> Framer {
        Framer {
            song,
            tempo,
            seq: 0,
            buffer: Vec::with_capacity(FRAME * 2),
            start: None,
        }
    }

    fn push(
        &mut self,
        samples: &[f32],
        song_frame: Option<f64>,
        mut encode: impl FnMut(&[f32], f64) -> Option<(Vec<u8>, f64)>,
        mut send: impl FnMut(VoiceFrame),
    ) {
        let Some(block_start) = song_frame else {
            // Not playing: nothing is sung into the song.
            self.buffer.clear();
            self.start = None;
            return;
        };
        let expected = self
            .start
            .map(|s| s + (self.buffer.len() / 2) as f64 * self.tempo);
        if expected.is_none_or(|e| (e - block_start).abs() > 2.0) {
            self.buffer.clear();
            self.start = Some(block_start);
        }
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (FRAME * 2 - self.buffer.len()).min(rest.len());
            self.buffer.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.buffer.len() == FRAME * 2 {
                let start = self.start.unwrap_or(block_start);
                if let Some((opus, position)) = encode(&self.buffer, start) {
                    send(VoiceFrame {
                        song: self.song,
                        seq: self.seq,
                        position: frames_to_media(position, OPUS_RATE),
                        span: frames_to_delta(FRAME as f64 * self.tempo, OPUS_RATE),
                        opus,
                    });
                }
                self.seq = self.seq.wrapping_add(1);
                self.buffer.clear();
                self.start = Some(start + FRAME as f64 * self.tempo);
            }
        }
    }
}

/// The listener's side: decodes the frames of the song playing into the engine's remote
/// voice, recovers a lost frame from the next one's FEC, and measures how late frames come.
pub struct VoiceReceiver {
    decoder: Decoder,
    input: RemoteVoiceInput,
    song: Option<u64>,
    last_seq: Option<u32>,
    pcm: Vec<f32>,
    /// Recent lateness: how far the singer was past a frame's end when it was decoded.
    lateness: VecDeque<TimeDelta>,
    /// Frames come ahead of one still missing, in sequence order.
    waiting: VecDeque<VoiceFrame>,
    /// Frames received, recovered by FEC, concealed.
    pub stats: VoiceStats,
}

/// What the receiver has seen.
#[derive(Debug, Default, Clone, Copy)]
pub struct VoiceStats {
    /// Frames received.
    pub received: u64,
    /// Lost frames recovered from the next one's FEC.
    pub recovered: u64,
    /// Lost frames concealed (more than one in a row).
    pub concealed: u64,
    /// Frames that came twice (over both paths, or duplicated on the way) or after the
    /// frames behind them were decoded: not used (the decoder has moved on).
    pub stale: u64,
    /// Bytes received.
    pub bytes: u64,
}

/// Lateness samples kept (10 s of frames).
const LATENESS_WINDOW: usize = 500;

/// Frames that may come ahead of a missing one before it is taken for lost (60 ms: a
/// datagram path's reordering is a frame or two).
pub const REORDER_DEPTH: usize = 3;

impl VoiceReceiver {
    /// A receiver feeding `input`.
    pub fn new(input: RemoteVoiceInput) -> Result<VoiceReceiver> {
        Ok(VoiceReceiver {
            decoder: Decoder::new(SampleRate::Hz48000, Channels::Stereo)
                .map_err(opus_error("starting the voice decoder"))?,
            input,
            song: None,
            last_seq: None,
            pcm: vec![0.0; FRAME * 2 * 6],
            lateness: VecDeque::with_capacity(LATENESS_WINDOW),
            waiting: VecDeque::with_capacity(REORDER_DEPTH + 1),
            stats: VoiceStats::default(),
        })
    }

    /// Takes a frame that arrived when the singer was at `singer_now` (the follower's
    /// estimate, no extra delay), while this listener plays song number `playing`. Frames
    /// are decoded in order: one that comes before the frame ahead of it waits in a small
    /// reorder buffer (a datagram path reorders), and a frame still missing once
    /// [`REORDER_DEPTH`] later ones have come is taken for lost.
    pub fn receive(&mut self, bytes: &[u8], playing: Option<u64>, singer_now: Option<MediaTime>) {
        let Ok(Some(frame)) = sync::voice::decode(bytes) else {
            return;
        };
        if playing != Some(frame.song) {
            return;
        }
        if self.song != Some(frame.song) {
            self.song = Some(frame.song);
            self.last_seq = None;
            self.waiting.clear();
        }
        // Sequence numbers wrap: a frame at or behind the last one decoded is old news.
        let behind = |seq: u32, last: u32| (seq.wrapping_sub(last) as i32) <= 0;
        if self.last_seq.is_some_and(|last| behind(frame.seq, last))
            || self.waiting.iter().any(|f| f.seq == frame.seq)
        {
            self.stats.stale += 1;
            return;
        }
        self.stats.received += 1;
        self.stats.bytes += bytes.len() as u64;
        let at = self
            .waiting
            .iter()
            .position(|f| behind(frame.seq, f.seq))
            .unwrap_or(self.waiting.len());
        self.waiting.insert(at, frame);
        // Decode what is in order, or what has waited long enough for a gap to fill.
        while let Some(next) = self.waiting.front() {
            let in_order = self
                .last_seq
                .is_none_or(|last| next.seq == last.wrapping_add(1));
            if !in_order && self.waiting.len() <= REORDER_DEPTH {
                break;
            }
            let Some(next) = self.waiting.pop_front() else {
                break;
            };
            if let Some(now) = singer_now {
                // Lateness as decoded: the wait for a reordered frame is part of the path.
                if self.lateness.len() == LATENESS_WINDOW {
                    self.lateness.pop_front();
                }
                self.lateness.push_back(now - (next.position + next.span));
            }
            self.decode(&next);
        }
    }

    /// Decodes `frame` into the remote voice, recovering or concealing the frames lost just
    /// before it.
    fn decode(&mut self, frame: &VoiceFrame) {
        let speed = delta_to_frames(frame.span, OPUS_RATE) / FRAME as f64;
        let missing = self.last_seq.map_or(0, |last| {
            frame.seq.wrapping_sub(last).wrapping_sub(1).min(5)
        });
        // A frame lost just before: its FEC copy rides in this one; before that, concealed.
        for k in (1..=missing).rev() {
            let fec = k == 1;
            let out = &mut self.pcm[..FRAME * 2];
            let decoded = if fec {
                self.decoder
                    .decode_float(Some(frame.opus.as_slice()), out, true)
            } else {
                self.decoder.decode_float(None::<&[u8]>, out, false)
            };
            if let Ok(n) = decoded {
                let position = media_to_frames(frame.position, OPUS_RATE)
                    - f64::from(k) * FRAME as f64 * speed;
                self.input.push(position, speed, &self.pcm[..n * 2]);
                if fec {
                    self.stats.recovered += 1;
                } else {
                    self.stats.concealed += 1;
                }
            }
        }
        self.last_seq = Some(frame.seq);
        let out = &mut self.pcm[..];
        if let Ok(n) = self
            .decoder
            .decode_float(Some(frame.opus.as_slice()), out, false)
        {
            for (i, chunk) in self.pcm[..n * 2].chunks(VOICE_PACKET * 2).enumerate() {
                let position =
                    media_to_frames(frame.position, OPUS_RATE) + (i * VOICE_PACKET) as f64 * speed;
                self.input.push(position, speed, chunk);
            }
        }
    }

    /// The delay the music needs behind the singer for the voice to come in time: the latest
    /// any recent frame came, plus a margin for the engine's block and decoding. The largest,
    /// not a percentile: on a path that holds segments back now and then, a percentile of a
    /// few seconds comes and goes with each hold, and every change moves the music.
    pub fn needed_delay(&self) -> Option<TimeDelta> {
        // A fifth of a second of frames is enough for a first guess (it only grows after).
        if self.lateness.len() < 10 {
            return None;
        }
        let latest = self.lateness.iter().copied().max()?;
        Some(latest.max(TimeDelta::ZERO) + TimeDelta::from_millis(15))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_framer_stamps_frames_and_restarts_on_a_jump() {
        let mut framer = Framer::new(7, 1.0);
        let mut sent = Vec::new();
        let encode = |_: &[f32], at: f64| Some((vec![1u8], at));
        // 256-frame blocks from song frame 1000.
        for i in 0..8 {
            framer.push(
                &[0.0; 512],
                Some(1000.0 + 256.0 * f64::from(i)),
                encode,
                |f| sent.push(f),
            );
        }
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].position, frames_to_media(1000.0, OPUS_RATE));
        assert_eq!(sent[1].position, frames_to_media(1960.0, OPUS_RATE));
        assert_eq!((sent[0].seq, sent[1].seq, sent[0].song), (0, 1, 7));
        // A restart: the next frame starts at the new position.
        for i in 0..4 {
            framer.push(&[0.0; 512], Some(256.0 * f64::from(i)), encode, |f| {
                sent.push(f)
            });
        }
        assert_eq!(sent[2].position, frames_to_media(0.0, OPUS_RATE));
        // Paused: nothing.
        framer.push(&[0.0; 512], None, encode, |f| sent.push(f));
        assert_eq!(sent.len(), 3);
    }
}
