//! The service's own judge of every singer: the scores a room shows and stores are computed
//! here, from the voice the singer's client sends the room, never taken from what a client
//! says about itself.
//!
//! Each song on stage that sends voice gets a [`Referee`]: a thread of its own (the pitch
//! tracker is aubio's, which cannot move between threads, and decoding and judging are no
//! work for the async runtime) that decodes the singer's Opus frames and judges them with the
//! `scoring` crate against the song's reference melody. Every frame is stamped with the song
//! position it was sung at, the singer's latency already removed by their client (as their
//! listeners mix it), so the judge places each pitch frame by the stamps, whatever the
//! tempo, pauses or restarts. The room's key shift comes with each frame: the music moved,
//! so the singer sings moved too, and is judged moved back.
//!
//! The socket hands frames over without waiting: when the thread falls behind, frames are
//! dropped and counted, never queued without bound.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use audiopus::coder::Decoder;
use audiopus::{Channels, SampleRate};
use lyrics::{SongTime, Voice};
use room_protocol::RequestId;
use scoring::{JudgeSettings, LiveEvent, LiveJudge, PitchSettings, Progress, SongResult};

use crate::{Error, Result};

/// The rate every voice frame is coded at.
const OPUS_RATE: u32 = 48_000;
/// The longest Opus frame (120 ms), per channel.
const MAX_FRAME: usize = OPUS_RATE as usize * 120 / 1000;
/// Voice frames waiting for the thread (≈ 5 s of 20 ms frames).
const WAITING: usize = 256;

/// Where a referee's judgements go (the room: its relay, its running score).
pub trait Outcome: Send + 'static {
    /// A live event, as it is judged.
    fn event(&mut self, event: LiveEvent);
    /// How far the judgement has come, after each line.
    fn progress(&mut self, progress: Progress);
}

/// What the referee of a song needs to know of it.
#[derive(Debug, Clone)]
pub struct Song {
    /// The request on stage.
    pub request: RequestId,
    /// The song's folder in the library (its lyrics hold the reference melody).
    pub folder: PathBuf,
    /// What an earlier referee of this request had judged (the service restarted
    /// mid-song): taken over, not judged again.
    pub resume: Option<Progress>,
}

enum Heard {
    /// A voice frame as it came (`sync::voice`), with the room's key shift when it came.
    Voice { bytes: Vec<u8>, key: f32 },
    /// The song is over: judge what is left.
    Finish,
}

/// One song's judge, on its own thread.
pub struct Referee {
    request: RequestId,
    heard: SyncSender<Heard>,
    thread: Option<JoinHandle<Option<SongResult>>>,
    dropped: u64,
}

impl Referee {
    /// Starts judging `song`; its judgements go to `outcome`.
    pub fn start(song: Song, outcome: impl Outcome) -> Result<Referee> {
        let (heard, frames) = sync_channel(WAITING);
        let request = song.request;
        let thread = std::thread::Builder::new()
            .name("ktv-referee".into())
            .spawn(move || judge_song(&song, &frames, outcome))
            .map_err(|e| Error::Internal(format!("cannot start the referee: {e}")))?;
        Ok(Referee {
            request,
            heard,
            thread: Some(thread),
            dropped: 0,
        })
    }

    /// Hands a voice frame over, or drops it if the referee is behind.
    pub fn hear(&mut self, bytes: &[u8], key: f32) {
        let frame = Heard::Voice {
            bytes: bytes.to_vec(),
            key,
        };
        if let Err(TrySendError::Full(_)) = self.heard.try_send(frame) {
            self.dropped += 1;
            if self.dropped.is_power_of_two() {
                tracing::warn!(
                    request = self.request,
                    dropped = self.dropped,
                    "the referee is behind; voice frames dropped"
                );
            }
        }
    }

    /// Frames dropped so far because the referee was behind.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Judges what is left and gives the song's result (`None` if nothing could be judged).
    /// Blocks until the thread is done: call it off the async runtime.
    pub fn finish(mut self) -> Option<SongResult> {
        // Blocking: what the thread has not yet taken waits its turn, then the end.
        let _ = self.heard.send(Heard::Finish);
        self.thread.take()?.join().ok().flatten()
    }
}

/// The referees of every room's song on stage, by room.
#[derive(Default)]
pub struct Referees {
    rooms: Mutex<HashMap<String, Referee>>,
}

impl Referees {
    /// Hands `bytes` (a voice frame) to the referee of `request` in room `room`, starting
    /// one with `start` if that song has none yet.
    pub fn hear(
        &self,
        room: &str,
        request: RequestId,
        key: f32,
        bytes: &[u8],
        start: impl FnOnce() -> Result<Referee>,
    ) -> Result<()> {
        let mut rooms = self.lock()?;
        if rooms.get(room).is_some_and(|r| r.request != request) {
            // The last song's referee, never finished (its end was not seen): dropped.
            rooms.remove(room);
        }
        let referee = match rooms.entry(room.to_owned()) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => entry.insert(start()?),
        };
        referee.hear(bytes, key);
        Ok(())
    }

    /// Takes the referee of `request` in `room`, if it has one, to be finished.
    pub fn take(&self, room: &str, request: RequestId) -> Option<Referee> {
        let mut rooms = self.lock().ok()?;
        match rooms.get(room) {
            Some(referee) if referee.request == request => rooms.remove(room),
            _ => None,
        }
    }

    /// Drops the referee of `room`'s song, if any (the song starts over, or is gone).
    pub fn forget(&self, room: &str) {
        if let Ok(mut rooms) = self.lock() {
            rooms.remove(room);
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Referee>>> {
        self.rooms
            .lock()
            .map_err(|_| Error::Internal("the referees' lock was poisoned".into()))
    }
}

/// The referee's thread: builds the judge, then decodes and judges every frame until the
/// song is finished (a result) or the referee is dropped (none).
fn judge_song(
    song: &Song,
    frames: &Receiver<Heard>,
    mut outcome: impl Outcome,
) -> Option<SongResult> {
    let mut judge = match build(song) {
        Ok(parts) => parts,
        Err(e) => {
            tracing::warn!(request = song.request, "cannot judge the song: {e}");
            // Frames are taken and forgotten, so the socket never waits on a full queue.
            while let Ok(Heard::Voice { .. }) = frames.recv() {}
            return None;
        }
    };
    while let Ok(heard) = frames.recv() {
        match heard {
            Heard::Voice { bytes, key } => {
                let mut lines = 0;
                judge.hear(&bytes, key, &mut |event| {
                    lines += usize::from(matches!(event, LiveEvent::Line { .. }));
                    outcome.event(event);
                });
                if lines > 0 {
                    outcome.progress(judge.judge.progress());
                }
            }
            Heard::Finish => return judge.finish(&mut |event| outcome.event(event)),
        }
    }
    None
}

fn build(song: &Song) -> Result<VoiceJudge> {
    let lyrics = crate::library::song_lyrics(&song.folder)?;
    let mut judge = LiveJudge::new(
        &lyrics,
        Voice::P1,
        PitchSettings::default(),
        JudgeSettings::default(),
        OPUS_RATE,
    )
    .map_err(|e| Error::Internal(format!("cannot judge {}: {e}", song.folder.display())))?;
    if let Some(progress) = song.resume {
        judge.resume(progress);
    }
    let decoder = Decoder::new(SampleRate::Hz48000, Channels::Stereo)
        .map_err(|e| Error::Internal(format!("cannot start a voice decoder: {e}")))?;
    Ok(VoiceJudge {
        judge,
        decoder,
        song: None,
        judged: false,
        pcm: vec![0.0; MAX_FRAME * 2],
        mono: vec![0.0; MAX_FRAME],
    })
}

/// Voice frames in, judgements out.
struct VoiceJudge {
    judge: LiveJudge,
    decoder: Decoder,
    /// The leader's song number of the first frame: frames of another are not this song's.
    song: Option<u64>,
    /// Whether any frame was judged.
    judged: bool,
    pcm: Vec<f32>,
    mono: Vec<f32>,
}

impl VoiceJudge {
    fn hear(&mut self, bytes: &[u8], key: f32, out: &mut impl FnMut(LiveEvent)) {
        // A frame that does not decode is lost, as on a bad network: the stamps of the
        // next place it.
        let Ok(Some(frame)) = sync::voice::decode(bytes) else {
            return;
        };
        if *self.song.get_or_insert(frame.song) != frame.song {
            return;
        }
        let Ok(n) =
            self.decoder
                .decode_float(Some(frame.opus.as_slice()), &mut self.pcm[..], false)
        else {
            return;
        };
        for (mono, pair) in self.mono.iter_mut().zip(self.pcm[..n * 2].chunks_exact(2)) {
            *mono = 0.5 * (pair[0] + pair[1]);
        }
        self.judge.set_key(key);
        let at = SongTime::from_micros(frame.position.as_micros());
        self.judge.push(&self.mono[..n], at, out);
        self.judged = true;
    }

    /// The result, if anything was judged (here, or before it took over).
    fn finish(self, out: &mut impl FnMut(LiveEvent)) -> Option<SongResult> {
        let resumed = self.judge.progress().lines_judged > 0;
        (self.judged || resumed).then(|| self.judge.finish(out))
    }
}
