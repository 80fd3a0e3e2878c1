//! A take as a singer's client sends it: 20 ms stereo Opus frames at 48 kHz, each stamped
//! with the song time of its first decoded sample (the encoder's look-ahead taken off), in
//! the `sync::voice` envelope. For tests that sing to the service without `ktv sing`.

use audiopus::coder::Encoder;
use audiopus::{Application, Bitrate, Channels, SampleRate};
use sync::voice::VoiceFrame;
use sync::{MediaTime, TimeDelta};

/// The rate voice frames are coded at.
pub const RATE: u32 = 48_000;
/// Samples per frame (20 ms).
pub const FRAME: usize = 960;

/// Encodes a mono take into voice frames.
pub struct VoiceCoder {
    encoder: Encoder,
    lookahead: f64,
    song: u64,
    seq: u32,
    stereo: Vec<f32>,
}

impl VoiceCoder {
    /// A coder for the leader's song number `song`.
    pub fn new(song: u64) -> VoiceCoder {
        let mut encoder = Encoder::new(SampleRate::Hz48000, Channels::Stereo, Application::Audio)
            .expect("an Opus encoder");
        encoder
            .set_bitrate(Bitrate::BitsPerSecond(64_000))
            .expect("the voice bitrate");
        let lookahead = f64::from(encoder.lookahead().expect("the encoder's look-ahead"));
        VoiceCoder {
            encoder,
            lookahead,
            song,
            seq: 0,
            stereo: vec![0.0; FRAME * 2],
        }
    }

    /// The encoder's look-ahead in samples: decoded audio starts this late.
    pub fn lookahead(&self) -> usize {
        self.lookahead as usize
    }

    /// The frame of `block` ([`FRAME`] mono samples) whose first sample was sung at song
    /// second `sung_at`, at `tempo` song seconds per second sung.
    pub fn frame(&mut self, block: &[f32], sung_at: f64, tempo: f64) -> Vec<u8> {
        for (pair, &x) in self.stereo.chunks_exact_mut(2).zip(block) {
            pair.fill(x);
        }
        let mut packet = [0u8; 1500];
        let len = self
            .encoder
            .encode_float(&self.stereo, &mut packet)
            .expect("an Opus frame");
        let first = sung_at - self.lookahead / f64::from(RATE) * tempo;
        let frame = VoiceFrame {
            song: self.song,
            seq: self.seq,
            position: MediaTime::from_micros((first * 1e6).round() as i64),
            span: TimeDelta::from_micros((FRAME as f64 / f64::from(RATE) * tempo * 1e6) as i64),
            opus: packet[..len].to_vec(),
        };
        self.seq = self.seq.wrapping_add(1);
        sync::voice::encode(&frame).expect("a voice frame in its envelope")
    }

    /// All of `take` (from song time zero), at `tempo`.
    pub fn take(&mut self, take: &[f32], tempo: f64) -> Vec<Vec<u8>> {
        take.chunks_exact(FRAME)
            .enumerate()
            .map(|(i, block)| {
                self.frame(block, (i * FRAME) as f64 / f64::from(RATE) * tempo, tempo)
            })
            .collect()
    }
}
