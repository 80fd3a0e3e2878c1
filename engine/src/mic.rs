//! Microphones: samples from an input device's callback to the processor, through a
//! lock-free ring, mixed in the next output block.
//!
//! The input side ([`MicInput`]) pushes mono samples with the host time they were captured;
//! the audio side (`MicStream`) pops exactly a block's worth per output block. Input and output
//! callbacks run on their own schedules (cpal opens separate JACK clients for them), so the
//! ring sometimes holds more than a block; whatever it holds beyond the block for a whole
//! trim window is latency nobody needs, and is dropped. The capture times make the monitor
//! latency (capture to playback) measurable live.

use std::sync::Arc;

use crate::time::HostTime;

/// Samples per packet in a microphone's ring.
pub const MIC_PACKET: usize = 128;

/// Packets a microphone's ring holds: 64 × 128 frames ≈ 170 ms at 48 kHz, far beyond any
/// latency worth keeping, so the ring only fills when the processor stops.
const MIC_PACKETS: usize = 64;

/// How long queued samples must stay above zero before they are trimmed, in frames at
/// 48 kHz-ish rates: half a second.
const TRIM_WINDOW_FRAMES: u64 = 24_000;

/// Captured samples and when the first was captured.
#[derive(Clone, Copy)]
pub(crate) struct MicPacket {
    captured_at: HostTime,
    len: u32,
    samples: [f32; MIC_PACKET],
}

/// The feeding end of a microphone: give it to the input device's callback (real-time safe),
/// or push a file's samples block by block for offline rendering. Dropping it unplugs the
/// microphone.
pub struct MicInput {
    slot: usize,
    sample_rate: u32,
    packets: rtrb::Producer<MicPacket>,
    dropped: u64,
}

impl MicInput {
    /// The slot this microphone occupies (for [`crate::Level::Mic`] and [`crate::Event`]s).
    pub fn slot(&self) -> usize {
        self.slot
    }

    /// Pushes mono `samples` whose first was captured at `captured_at`. Real-time safe.
    /// Samples that do not fit (the processor is not running) are dropped and counted.
    pub fn push(&mut self, samples: &[f32], captured_at: HostTime) {
        for (i, piece) in samples.chunks(MIC_PACKET).enumerate() {
            let mut packet = MicPacket {
                captured_at: captured_at.plus_frames((i * MIC_PACKET) as u64, self.sample_rate),
                len: piece.len() as u32,
                samples: [0.0; MIC_PACKET],
            };
            packet.samples[..piece.len()].copy_from_slice(piece);
            if self.packets.push(packet).is_err() {
                self.dropped += piece.len() as u64;
            }
        }
    }

    /// Pushes channel `channel` of interleaved `samples` (`channels` per frame), as an input
    /// device delivers them. Real-time safe.
    pub fn push_channel(
        &mut self,
        samples: &[f32],
        channels: usize,
        channel: usize,
        captured_at: HostTime,
    ) {
        let channels = channels.max(1);
        let channel = channel.min(channels - 1);
        let frames = samples.len() / channels;
        let mut start = 0;
        while start < frames {
            let len = (frames - start).min(MIC_PACKET);
            let mut packet = MicPacket {
                captured_at: captured_at.plus_frames(start as u64, self.sample_rate),
                len: len as u32,
                samples: [0.0; MIC_PACKET],
            };
            for (i, sample) in packet.samples[..len].iter_mut().enumerate() {
                *sample = samples[(start + i) * channels + channel];
            }
            if self.packets.push(packet).is_err() {
                self.dropped += len as u64;
            }
            start += len;
        }
    }

    /// Samples dropped because the ring was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// The audio side of a microphone.
pub(crate) struct MicStream {
    packets: rtrb::Consumer<MicPacket>,
    sample_rate: u32,
    /// The packet being read and how much of it was read.
    current: Option<(MicPacket, usize)>,
    /// The fewest samples left queued after a read, in this trim window.
    min_left: usize,
    window_frames: u64,
    /// Frames with no sample to play since the last report.
    pub(crate) starved: u32,
    /// Whether the first read has happened (it drops any backlog at once).
    started: bool,
    /// The latency reported last, to report only changes.
    pub(crate) reported_latency: Option<u32>,
    pub(crate) frames_since_report: u64,
    /// Keeps the slot taken until this stream is dropped on the control side.
    _slot: Arc<()>,
}

/// Builds a microphone's two ends (allocates: control thread only).
pub(crate) fn new(slot: usize, sample_rate: u32, slot_token: Arc<()>) -> (MicInput, MicStream) {
    let (tx, rx) = rtrb::RingBuffer::new(MIC_PACKETS);
    (
        MicInput {
            slot,
            sample_rate,
            packets: tx,
            dropped: 0,
        },
        MicStream {
            packets: rx,
            sample_rate,
            current: None,
            min_left: usize::MAX,
            window_frames: 0,
            starved: 0,
            started: false,
            reported_latency: None,
            frames_since_report: 0,
            _slot: slot_token,
        },
    )
}

impl MicStream {
    /// Whether the input end was dropped and everything it sent was read.
    pub(crate) fn is_unplugged(&self) -> bool {
        self.packets.is_abandoned() && self.packets.is_empty() && self.current.is_none()
    }

    /// Fills `out` with the next samples, silence where there are none. Returns when the
    /// first sample of `out` was captured, if it was a captured sample.
    pub(crate) fn read(&mut self, out: &mut [f32]) -> Option<HostTime> {
        if !self.started {
            // What queued before the processor ran is latency from the first word: keep only
            // the newest block.
            self.started = true;
            let backlog = self.queued().saturating_sub(out.len());
            self.drop_samples(backlog);
        }
        let mut first = None;
        let mut written = 0;
        while written < out.len() {
            if self.current.is_none() {
                match self.packets.pop() {
                    Ok(packet) => self.current = Some((packet, 0)),
                    Err(_) => break,
                }
            }
            let Some((packet, read)) = self.current.as_mut() else {
                break;
            };
            if written == 0 {
                first = Some(
                    packet
                        .captured_at
                        .plus_frames(*read as u64, self.sample_rate),
                );
            }
            let take = (packet.len as usize - *read).min(out.len() - written);
            out[written..written + take].copy_from_slice(&packet.samples[*read..*read + take]);
            *read += take;
            written += take;
            if *read >= packet.len as usize {
                self.current = None;
            }
        }
        if written < out.len() {
            out[written..].fill(0.0);
            self.starved = self.starved.saturating_add((out.len() - written) as u32);
        }
        self.trim(out.len());
        first
    }

    /// Samples queued and not yet read.
    fn queued(&mut self) -> usize {
        let current = self
            .current
            .as_ref()
            .map_or(0, |(p, read)| p.len as usize - read);
        let mut queued = current;
        let slots = self.packets.slots();
        if slots > 0
            && let Ok(chunk) = self.packets.read_chunk(slots)
        {
            let (a, b) = chunk.as_slices();
            queued += a.iter().chain(b).map(|p| p.len as usize).sum::<usize>();
        }
        queued
    }

    /// Drops samples that stayed queued for a whole window: latency nobody needs.
    fn trim(&mut self, frames: usize) {
        self.min_left = self.min_left.min(self.queued());
        self.window_frames += frames as u64;
        let window = TRIM_WINDOW_FRAMES * u64::from(self.sample_rate) / 48_000;
        if self.window_frames < window {
            return;
        }
        let excess = std::mem::replace(&mut self.min_left, usize::MAX);
        self.window_frames = 0;
        self.drop_samples(excess);
    }

    /// Drops the oldest `count` queued samples (or all there are).
    fn drop_samples(&mut self, mut excess: usize) {
        while excess > 0 {
            if self.current.is_none() {
                match self.packets.pop() {
                    Ok(packet) => self.current = Some((packet, 0)),
                    Err(_) => return,
                }
            }
            let Some((packet, read)) = self.current.as_mut() else {
                return;
            };
            let take = (packet.len as usize - *read).min(excess);
            *read += take;
            excess -= take;
            if *read >= packet.len as usize {
                self.current = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_come_out_in_order_with_their_capture_time() {
        let (mut input, mut stream) = new(0, 1000, Arc::default());
        let mut out = vec![0.0; 200];
        stream.read(&mut out); // running before the input starts
        stream.starved = 0;
        let samples: Vec<f32> = (0..300).map(|i| i as f32).collect();
        input.push(&samples, HostTime::from_nanos(5_000_000_000));
        let captured = stream.read(&mut out);
        assert_eq!(out, samples[..200]);
        assert_eq!(captured, Some(HostTime::from_nanos(5_000_000_000)));
        let captured = stream.read(&mut out);
        assert_eq!(out[..100], samples[200..]);
        assert!(out[100..].iter().all(|&s| s == 0.0), "silence when starved");
        assert_eq!(stream.starved, 100);
        // 200 samples at 1 kHz after the first: 0.2 s later.
        assert_eq!(captured, Some(HostTime::from_nanos(5_200_000_000)));
    }

    #[test]
    fn one_channel_of_interleaved_input() {
        let (mut input, mut stream) = new(0, 48_000, Arc::default());
        let frames: Vec<f32> = (0..20).map(|i| i as f32).collect();
        input.push_channel(&frames, 2, 1, HostTime::ZERO);
        let mut out = vec![0.0; 10];
        stream.read(&mut out);
        assert_eq!(out, [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0]);
    }

    #[test]
    fn latency_that_stays_queued_is_trimmed() {
        let (mut input, mut stream) = new(0, 48_000, Arc::default());
        let mut out = [0.0; 128];
        stream.read(&mut out);
        // The input ran two blocks ahead once and stays ahead.
        let block = [0.5f32; 128];
        input.push(&block, HostTime::ZERO);
        input.push(&block, HostTime::ZERO);
        let mut lag = Vec::new();
        for _ in 0..400 {
            input.push(&block, HostTime::ZERO);
            stream.read(&mut out);
            lag.push(stream.queued());
        }
        assert_eq!(lag[0], 256);
        assert_eq!(*lag.last().unwrap(), 0, "{lag:?}");
    }

    #[test]
    fn a_backlog_before_the_first_read_is_dropped() {
        let (mut input, mut stream) = new(0, 48_000, Arc::default());
        for n in 0..10 {
            input.push(&[n as f32; 128], HostTime::ZERO);
        }
        let mut out = [0.0; 128];
        stream.read(&mut out);
        assert_eq!(out, [9.0; 128], "the newest block plays first");
        assert_eq!(stream.queued(), 0);
    }

    #[test]
    fn a_full_ring_drops_and_counts() {
        let (mut input, _stream) = new(0, 48_000, Arc::default());
        let lots = vec![0.1f32; MIC_PACKET * (MIC_PACKETS + 3)];
        input.push(&lots, HostTime::ZERO);
        assert_eq!(input.dropped(), (3 * MIC_PACKET) as u64);
    }
}
