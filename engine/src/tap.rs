//! Taps: a bus's audio, block by block, out of the audio thread to whoever needs it (the
//! recorder, the scorer, the network), through a lock-free ring.
//!
//! Each block carries the host time its first frame is heard at and, while the song plays,
//! the song position of that frame, so a reader can line the audio up with song time without
//! asking the clock. A reader that falls behind loses whole blocks, counted, and never stalls
//! the audio thread. Dropping the [`BusTap`] removes the tap.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::bus::Bus;
use crate::time::HostTime;

/// Frames per tap block at most.
pub const TAP_FRAMES: usize = 256;

/// Taps open at once at most.
pub const MAX_TAPS: usize = 8;

/// One block of a bus.
#[derive(Clone)]
pub struct TapBlock {
    /// The bus.
    pub bus: Bus,
    /// When the first frame is heard.
    pub host_time: HostTime,
    /// The song frame (at the engine rate) of the first frame, if the song was playing then.
    pub song_frame: Option<f64>,
    frames: u32,
    channels: u32,
    samples: [f32; TAP_FRAMES * 2],
}

impl TapBlock {
    /// Frames in the block.
    pub fn frames(&self) -> usize {
        self.frames as usize
    }

    /// Channels per frame (see [`Bus::channels`]).
    pub fn channels(&self) -> usize {
        self.channels as usize
    }

    /// The samples, interleaved.
    pub fn samples(&self) -> &[f32] {
        &self.samples[..(self.frames * self.channels) as usize]
    }
}

/// The reading end of a tap.
pub struct BusTap {
    bus: Bus,
    blocks: rtrb::Consumer<TapBlock>,
    lost: Arc<AtomicU64>,
}

impl BusTap {
    /// The bus it taps.
    pub fn bus(&self) -> Bus {
        self.bus
    }

    /// The next block, if one is waiting.
    pub fn pop(&mut self) -> Option<TapBlock> {
        self.blocks.pop().ok()
    }

    /// Appends every waiting block's samples to `out`; returns the frames appended.
    pub fn drain_into(&mut self, out: &mut Vec<f32>) -> usize {
        let mut frames = 0;
        while let Ok(block) = self.blocks.pop() {
            out.extend_from_slice(block.samples());
            frames += block.frames();
        }
        frames
    }

    /// Blocks lost because this reader fell behind.
    pub fn lost_blocks(&self) -> u64 {
        self.lost.load(Ordering::Relaxed)
    }
}

/// The audio side of a tap.
pub(crate) struct TapWriter {
    bus: Bus,
    blocks: rtrb::Producer<TapBlock>,
    lost: Arc<AtomicU64>,
    /// Keeps the tap counted until this writer is dropped on the control side.
    _slot: Arc<()>,
}

/// Builds a tap's two ends holding up to `capacity` blocks (allocates: control thread only).
pub(crate) fn new(bus: Bus, capacity: usize, slot_token: Arc<()>) -> (BusTap, TapWriter) {
    let (tx, rx) = rtrb::RingBuffer::new(capacity.max(1));
    let lost = Arc::new(AtomicU64::new(0));
    (
        BusTap {
            bus,
            blocks: rx,
            lost: Arc::clone(&lost),
        },
        TapWriter {
            bus,
            blocks: tx,
            lost,
            _slot: slot_token,
        },
    )
}

impl TapWriter {
    pub(crate) fn bus(&self) -> Bus {
        self.bus
    }

    /// Whether the reader is gone.
    pub(crate) fn is_closed(&self) -> bool {
        self.blocks.is_abandoned()
    }

    /// Sends `samples` (interleaved, the bus's channels) in blocks of at most [`TAP_FRAMES`].
    /// `song_frame` is the song frame of the first sample and `speed` song frames per frame.
    pub(crate) fn write(
        &mut self,
        samples: &[f32],
        host_time: HostTime,
        song_frame: Option<f64>,
        speed: f64,
        sample_rate: u32,
    ) {
        let channels = self.bus.channels();
        let frames = samples.len() / channels;
        let mut start = 0;
        while start < frames {
            let len = (frames - start).min(TAP_FRAMES);
            if self.blocks.is_full() {
                self.lost.fetch_add(1, Ordering::Relaxed);
                start += len;
                continue;
            }
            let mut block = TapBlock {
                bus: self.bus,
                host_time: host_time.plus_frames(start as u64, sample_rate),
                song_frame: song_frame.map(|f| f + start as f64 * speed),
                frames: len as u32,
                channels: channels as u32,
                samples: [0.0; TAP_FRAMES * 2],
            };
            block.samples[..len * channels]
                .copy_from_slice(&samples[start * channels..(start + len) * channels]);
            // Only this thread pushes, so the slot checked above is still free.
            let _ = self.blocks.push(block);
            start += len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_carry_time_and_song_position() {
        let (mut tap, mut writer) = new(Bus::Room, 8, Arc::default());
        let samples: Vec<f32> = (0..600 * 2).map(|i| i as f32).collect();
        writer.write(&samples, HostTime::ZERO, Some(1000.0), 1.0, 1000);
        let first = tap.pop().unwrap();
        assert_eq!((first.frames(), first.channels()), (256, 2));
        assert_eq!(first.samples()[..4], [0.0, 1.0, 2.0, 3.0]);
        let second = tap.pop().unwrap();
        assert_eq!(second.song_frame, Some(1256.0));
        assert_eq!(second.host_time, HostTime::from_nanos(256_000_000));
        let third = tap.pop().unwrap();
        assert_eq!(third.frames(), 88);
        assert!(tap.pop().is_none());
    }

    #[test]
    fn a_slow_reader_loses_counted_blocks() {
        let (tap, mut writer) = new(Bus::DryVoice, 2, Arc::default());
        writer.write(&[0.0; 1024], HostTime::ZERO, None, 1.0, 48_000);
        assert_eq!(tap.lost_blocks(), 2);
        drop(tap);
        assert!(writer.is_closed());
    }
}
