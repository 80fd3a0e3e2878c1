//! A voice from elsewhere: on a listener's machine, the singer's voice as it arrives from the
//! network, mixed into the voice at the song positions it was sung at.
//!
//! The network side ([`RemoteVoiceInput`]) pushes decoded packets stamped with the song frame
//! of their first sample and the song frames they span; the audio side takes, for each block,
//! the samples of the song frames the block plays. A packet whose positions have already
//! played is dropped (it came too late); one ahead of the song waits. So the voice lines up
//! with the listener's own copy of the music however long the network took, as long as it
//! came before its turn: the listener plays the music that much behind the singer (the sync
//! follower's extra delay).

/// Frames per packet at most: 20 ms at 48 kHz, one Opus frame.
pub const VOICE_PACKET: usize = 960;

/// Packets the ring holds: 128 × 20 ms, far beyond any delay worth waiting for.
const PACKETS: usize = 128;

/// One packet of voice.
#[derive(Clone, Copy)]
pub(crate) struct RemotePacket {
    /// The song frame (at the engine rate) its first sample was sung at.
    song_frame: f64,
    /// Song frames per sample (the tempo the singer sang at).
    speed: f64,
    len: u32,
    /// Stereo, interleaved.
    samples: [f32; VOICE_PACKET * 2],
}

/// The feeding end: the network's decoder pushes here. Dropping it removes the voice.
pub struct RemoteVoiceInput {
    packets: rtrb::Producer<RemotePacket>,
    dropped: u64,
}

impl RemoteVoiceInput {
    /// Pushes stereo interleaved `samples` (at most [`VOICE_PACKET`] frames) whose first frame
    /// was sung at song frame `song_frame`, each frame `speed` song frames after the last.
    /// Real-time safe; a full ring drops the packet (counted).
    pub fn push(&mut self, song_frame: f64, speed: f64, samples: &[f32]) {
        let frames = (samples.len() / 2).min(VOICE_PACKET);
        let mut packet = RemotePacket {
            song_frame,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
            len: frames as u32,
            samples: [0.0; VOICE_PACKET * 2],
        };
        packet.samples[..frames * 2].copy_from_slice(&samples[..frames * 2]);
        if self.packets.push(packet).is_err() {
            self.dropped += 1;
        }
    }

    /// Packets dropped because the ring was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// The audio side.
pub(crate) struct RemoteVoice {
    packets: rtrb::Consumer<RemotePacket>,
    /// Packets that came after their positions had played.
    late: u64,
}

/// A connected pair.
pub(crate) fn new() -> (RemoteVoiceInput, RemoteVoice) {
    let (packets, consumer) = rtrb::RingBuffer::new(PACKETS);
    (
        RemoteVoiceInput {
            packets,
            dropped: 0,
        },
        RemoteVoice {
            packets: consumer,
            late: 0,
        },
    )
}

impl RemoteVoice {
    /// Whether the input was dropped (the voice is gone for good).
    pub(crate) fn is_unplugged(&self) -> bool {
        self.packets.is_abandoned() && self.packets.is_empty()
    }

    /// Adds into `wet` (stereo interleaved) the voice for the block whose first frame plays
    /// song frame `start`, each next frame `speed` song frames on. Real-time safe.
    pub(crate) fn mix_into(&mut self, start: f64, speed: f64, wet: &mut [f32]) {
        let frames = wet.len() / 2;
        let end = start + frames as f64 * speed;
        while let Ok(packet) = self.packets.peek() {
            let span = f64::from(packet.len) * packet.speed;
            let packet_end = packet.song_frame + span;
            if packet_end <= start {
                // Its turn has passed.
                self.late += 1;
                let _ = self.packets.pop();
                continue;
            }
            if packet.song_frame >= end {
                break;
            }
            for (i, out) in wet.chunks_exact_mut(2).enumerate() {
                let position = start + i as f64 * speed;
                let index = ((position - packet.song_frame) / packet.speed).round();
                if index < 0.0 || index >= f64::from(packet.len) {
                    continue;
                }
                let index = index as usize;
                out[0] += packet.samples[2 * index];
                out[1] += packet.samples[2 * index + 1];
            }
            if packet_end <= end {
                let _ = self.packets.pop();
            } else {
                break;
            }
        }
    }

    /// Packets that came too late, so far.
    #[cfg(test)]
    pub(crate) fn late(&self) -> u64 {
        self.late
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(start: f32, frames: usize) -> Vec<f32> {
        (0..frames)
            .flat_map(|i| {
                let v = start + i as f32;
                [v, -v]
            })
            .collect()
    }

    #[test]
    fn packets_play_at_their_song_positions() {
        let (mut input, mut voice) = new();
        // Two packets of 960 frames from song frame 48_000.
        input.push(48_000.0, 1.0, &ramp(0.0, 960));
        input.push(48_960.0, 1.0, &ramp(960.0, 960));
        // A block before the voice starts: silence, nothing consumed.
        let mut wet = vec![0.0; 256 * 2];
        voice.mix_into(47_000.0, 1.0, &mut wet);
        assert!(wet.iter().all(|&s| s == 0.0));
        // A block that straddles the start: the voice from its first sample on.
        let mut wet = vec![0.0; 256 * 2];
        voice.mix_into(47_900.0, 1.0, &mut wet);
        assert_eq!(wet[2 * 99], 0.0);
        assert_eq!((wet[2 * 100], wet[2 * 100 + 1]), (0.0, -0.0));
        assert_eq!(wet[2 * 101], 1.0);
        assert_eq!(wet[2 * 255], 155.0);
        // Across the packets' seam, continuous.
        let mut wet = vec![0.0; 256 * 2];
        voice.mix_into(48_900.0, 1.0, &mut wet);
        let left: Vec<f32> = wet.chunks_exact(2).map(|f| f[0]).collect();
        assert!(left.windows(2).all(|w| w[1] - w[0] == 1.0), "{left:?}");
    }

    #[test]
    fn a_packet_whose_turn_has_passed_is_dropped() {
        let (mut input, mut voice) = new();
        input.push(1_000.0, 1.0, &ramp(0.0, 960));
        input.push(10_000.0, 1.0, &ramp(5.0, 960));
        let mut wet = vec![0.0; 256 * 2];
        voice.mix_into(9_900.0, 1.0, &mut wet);
        assert_eq!(voice.late(), 1);
        assert_eq!(wet[2 * 100], 5.0);
    }

    #[test]
    fn a_slower_tempo_spreads_the_packet_over_fewer_song_frames() {
        let (mut input, mut voice) = new();
        // Sung at tempo 0.5: 960 samples span 480 song frames.
        input.push(0.0, 0.5, &ramp(0.0, 960));
        let mut wet = vec![0.0; 100 * 2];
        voice.mix_into(0.0, 0.5, &mut wet);
        assert_eq!(wet[2 * 99], 99.0);
    }
}
