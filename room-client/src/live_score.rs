//! Live scoring on the singer's machine: a thread (never the audio thread) drains the
//! engine's dry-voice tap, tracks the pitch and judges it against the song's reference
//! melody, and hands each [`LiveEvent`] to the client to send to the room.
//!
//! The tracker counts samples; the song is what matters. Each tap block carries the song
//! frame it was heard at, so every pitch frame's time is read off those anchors (a tempo
//! preset, a pause, a restart all line up), less the microphone's monitor latency (the voice
//! is heard that much after it was sung). A key shift moves the music, so the singer sings
//! shifted too: their pitch is shifted back before it is judged.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use engine::BusTap;
use lyrics::{Lyrics, SongTime, Voice};
use scoring::{Judge, JudgeSettings, LiveEvent, PitchSettings, PitchTracker, SongResult};
use tokio::sync::mpsc;

use crate::time::frames_to_song;
use crate::{Error, Result};

/// Tap blocks buffered between reads (≈ 340 ms at 48 kHz).
pub const TAP_BLOCKS: usize = 64;

/// Anchors kept: enough to cover the tracker's window many times over.
const ANCHORS: usize = 64;

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
                let built = PitchTracker::new(pitch, rate)
                    .and_then(|tracker| Ok((tracker, Judge::new(&lyrics, voice, judge)?)));
                let (tracker, judge) = match built {
                    Ok(parts) => {
                        let _ = ready_tx.send(Ok(()));
                        parts
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return None;
                    }
                };
                let mut scorer = Scorer {
                    tap,
                    tracker,
                    judge: Some(judge),
                    frames: Vec::with_capacity(4),
                    gate_db: pitch.gate_db,
                    rate,
                    fed: 0,
                    anchors: VecDeque::with_capacity(ANCHORS),
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
    tracker: PitchTracker,
    /// Taken when the song is finished.
    judge: Option<Judge>,
    /// Frames the tracker completed in the last push.
    frames: Vec<scoring::PitchFrame>,
    gate_db: f32,
    rate: u32,
    /// Samples fed to the tracker so far.
    fed: u64,
    /// (sample fed, song frame) at the start of recent blocks.
    anchors: VecDeque<(u64, f64)>,
    events: mpsc::Sender<LiveEvent>,
    live: Arc<Live>,
}

impl Scorer {
    fn run(&mut self) -> Option<SongResult> {
        loop {
            let stopping = self.live.stop.load(Ordering::Relaxed);
            while let Some(block) = self.tap.pop() {
                // Only what was sung while the song played is judged.
                let Some(song_frame) = block.song_frame else {
                    continue;
                };
                if self.anchors.len() == ANCHORS {
                    self.anchors.pop_front();
                }
                self.anchors.push_back((self.fed, song_frame));
                self.feed(block.samples());
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

    /// Feeds samples in pieces that end where a hop ends, so each frame's time is known.
    fn feed(&mut self, samples: &[f32]) {
        let hop = self.tracker.hop() as u64;
        let half_window = (self.tracker.window() / 2) as u64;
        let mut rest = samples;
        while !rest.is_empty() {
            let take = ((hop - self.fed % hop) as usize).min(rest.len());
            let mut frames = std::mem::take(&mut self.frames);
            frames.clear();
            self.tracker.push(&rest[..take], |frame| frames.push(frame));
            self.fed += take as u64;
            rest = &rest[take..];
            for mut frame in frames.drain(..) {
                let Some(time) = self.song_time(self.fed.saturating_sub(half_window)) else {
                    continue;
                };
                frame.time = time;
                let key = f32::from_bits(self.live.key.load(Ordering::Relaxed));
                if frame.hz > 0.0 && key != 0.0 {
                    frame.hz *= 2f32.powf(-key / 12.0);
                }
                let (Some(judge), events) = (self.judge.as_mut(), &self.events) else {
                    continue;
                };
                judge.push(&frame, self.gate_db, &mut |event| {
                    // Pitch events are many and replaced by the next: dropped if the client
                    // is behind. Judgements wait for room.
                    if matches!(event, LiveEvent::Pitch { .. }) {
                        let _ = events.try_send(event);
                    } else {
                        let _ = events.blocking_send(event);
                    }
                });
            }
            self.frames = frames;
        }
    }

    /// The song time sample `index` was sung at, from the anchors around it.
    fn song_time(&self, index: u64) -> Option<SongTime> {
        let after = self.anchors.partition_point(|&(at, _)| at <= index);
        let (i0, f0) = *self.anchors.get(after.checked_sub(1)?)?;
        // Frames of song per sample fed: from the next anchor, else the last two.
        let slope = match (self.anchors.get(after), after.checked_sub(2)) {
            (Some(&(i1, f1)), _) if i1 > i0 => (f1 - f0) / (i1 - i0) as f64,
            (_, Some(before)) => {
                let (ib, fb) = self.anchors[before];
                if i0 > ib {
                    (f0 - fb) / (i0 - ib) as f64
                } else {
                    1.0
                }
            }
            _ => 1.0,
        };
        let frame = f0 + (index - i0) as f64 * slope;
        let delay = f64::from(self.live.delay_frames.load(Ordering::Relaxed));
        Some(frames_to_song(frame - delay, self.rate))
    }
}
