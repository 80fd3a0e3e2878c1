//! A recording as the singer's microphone (`ktv sing --mic FILE`): a thread that stands in
//! for an input device's callback, pushing a packet every 128 frames in real time, stamped
//! with its capture instant. What it pushes is the recording at the song position the singer
//! hears at that instant (read from the engine's position clock), as a singer sings along
//! with what they hear: silence before the song starts and while it is paused, and the same
//! place again after a restart or a seek.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use engine::mic::MIC_PACKET;
use engine::{HostClock, MicInput, PositionClock};

use crate::{Error, Result};

/// Reads `path` (any format the engine decodes) as mono samples at `rate`.
pub fn read_recording(path: &Path, rate: u32) -> Result<Vec<f32>> {
    let mut mono = Vec::new();
    engine::source::stream::decode_to_end(
        &engine::SongSource::accompaniment_only(path),
        rate,
        |frames| mono.extend(frames.chunks_exact(4).map(|f| 0.5 * (f[0] + f[1]))),
    )
    .map_err(|error| Error::Engine {
        what: "reading the microphone recording",
        error,
    })?;
    Ok(mono)
}

/// A recording being sung into a microphone; stops when dropped.
pub struct MicFeed {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<MicInput>>,
}

impl MicFeed {
    /// Starts feeding `recording` (mono, at the engine's rate `rate`) into `mic`, following
    /// `position` on `clock`.
    pub fn start(
        mut mic: MicInput,
        recording: Vec<f32>,
        rate: u32,
        position: Arc<PositionClock>,
        clock: HostClock,
    ) -> Result<MicFeed> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("ktv-mic-file".into())
            .spawn(move || {
                let mut packet = [0.0f32; MIC_PACKET];
                let mut due = clock.now();
                // The recording's next sample while the song plays on.
                let mut next: Option<i64> = None;
                let tolerance = i64::from(rate / 500); // 2 ms
                while !flag.load(Ordering::Relaxed) {
                    let now = clock.now();
                    if due > now {
                        std::thread::sleep(Duration::from_nanos(due.nanos_since(now) as u64));
                    }
                    let reading = position.read();
                    packet.fill(0.0);
                    if reading.frames_per_second > 0.0 {
                        let heard = reading.position_at(due).round() as i64;
                        // Carry on where the last packet ended unless the song jumped.
                        let at = match next {
                            Some(n) if (n - heard).abs() <= tolerance => n,
                            _ => heard,
                        };
                        next = Some(at + MIC_PACKET as i64);
                        let start = at.clamp(0, recording.len() as i64) as usize;
                        let end = (start + MIC_PACKET).min(recording.len());
                        packet[..end - start].copy_from_slice(&recording[start..end]);
                    } else {
                        next = None;
                    }
                    mic.push(&packet, due);
                    due = due.plus_frames(MIC_PACKET as u64, rate);
                }
                mic
            })
            .map_err(|e| Error::Internal(format!("cannot start the microphone feed: {e}")))?;
        Ok(MicFeed {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for MicFeed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
