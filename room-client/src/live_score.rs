//! Live scoring on the singer's machine: a thread (never the audio thread) drains the
//! engine's dry-voice tap, tracks the pitch and judges it against the song's reference
//! melody, and hands each [`LiveEvent`] to the client to show the singer (the room's scores
//! are the service's, judged from the voice it is sent).
//!
//! Each tap block carries the song frame it was heard at: less the microphone's monitor
//! latency (the voice is heard that much after it was sung), that is the song time the
//! block was sung at, which [`scoring::LiveJudge`] places every pitch frame by.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use engine::BusTap;
use lyrics::{Lyrics, Voice};
use scoring::{JudgeSettings, LiveEvent, LiveJudge, PitchSettings, SongResult};
use tokio::sync::mpsc;

use crate::time::frames_to_song;
use crate::{Error, Result};

/// Tap blocks buffered between reads (≈ 340 ms at 48 kHz).
pub const TAP_BLOCKS: usize = 64;

/// Settings the singer's side may change during the song.
#[derive(Debug, Default)]
struct Live {
    /// Semitones the music is shifted by (f32 bits).
    key: AtomicU32,
    /// The monitor latency in frames.
    delay_frames: AtomicU32,
    stop: AtomicBool,
}

/// One song being scored.
pub struct LiveScorer {
    live: Arc<Live>,
    thread: Option<JoinHandle<Option<SongResult>>>,
}

impl LiveScorer {
    /// Starts scoring `voice` of `lyrics` from `tap` (the engine's dry-voice bus at `rate`),
    /// sending events to `events`.
    pub fn start(
        tap: BusTap,
        lyrics: &Lyrics,
        voice: Voice,
        judge: JudgeSettings,
        rate: u32,
        events: mpsc::Sender<LiveEvent>,
    ) -> Result<LiveScorer> {
        let pitch = PitchSettings::default();
        let live = Arc::new(Live::default());
        let shared = Arc::clone(&live);
        let lyrics = lyrics.clone();
        // aubio's tracker cannot move between threads: it is built on the one it runs on.
        let (ready_tx, ready) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("ktv-live-score".into())
            .spawn(move || {
                let judge = match LiveJudge::new(&lyrics, voice, pitch, judge, rate) {
                    Ok(judge) => {
                        let _ = ready_tx.send(Ok(()));
                        judge
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return None;
                    }
                };
                let mut scorer = Scorer {
                    tap,
                    judge: Some(judge),
                    rate,
                    events,
                    live: shared,
                };
                scorer.run()
            })
            .map_err(|e| Error::Internal(format!("cannot start live scoring: {e}")))?;
        match ready.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => return Err(Error::Internal("live scoring did not start".into())),
        }
        Ok(LiveScorer {
            live,
            thread: Some(thread),
        })
    }

    /// The music's key shift from now on.
    pub fn set_key(&self, semitones: f32) {
        self.live.key.store(semitones.to_bits(), Ordering::Relaxed);
    }

    /// The microphone's monitor latency, as the engine measured it.
    pub fn set_monitor_latency(&self, frames: u32) {
        self.live.delay_frames.store(frames, Ordering::Relaxed);
    }

    /// Judges what is left and gives the song's result (its final event is sent too).
    pub fn finish(mut self) -> Option<SongResult> {
        self.live.stop.store(true, Ordering::Relaxed);
        self.thread.take()?.join().ok().flatten()
    }
}

impl Drop for LiveScorer {
    fn drop(&mut self) {
        self.live.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Scorer {
    tap: BusTap,
    /// Taken when the song is finished.
    judge: Option<LiveJudge>,
    rate: u32,
    events: mpsc::Sender<LiveEvent>,
    live: Arc<Live>,
}

impl Scorer {
    fn run(&mut self) -> Option<SongResult> {
        loop {
            let stopping = self.live.stop.load(Ordering::Relaxed);
            while let Some(block) = self.tap.pop() {
                // Only what was sung while the song played is judged.
                let (Some(song_frame), Some(judge)) = (block.song_frame, self.judge.as_mut())
                else {
                    continue;
                };
                judge.set_key(f32::from_bits(self.live.key.load(Ordering::Relaxed)));
                let delay = f64::from(self.live.delay_frames.load(Ordering::Relaxed));
                let sung_at = frames_to_song(song_frame - delay, self.rate);
                let events = &self.events;
                judge.push(block.samples(), sung_at, &mut |event| {
                    // Pitch events are many and replaced by the next: dropped if the client
                    // is behind. Judgements wait for room.
                    if matches!(event, LiveEvent::Pitch { .. }) {
                        let _ = events.try_send(event);
                    } else {
                        let _ = events.blocking_send(event);
                    }
                });
            }
            if stopping {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let events = &self.events;
        self.judge.take().map(|judge| {
            judge.finish(&mut |event| {
                let _ = events.blocking_send(event);
            })
        })
    }
}
