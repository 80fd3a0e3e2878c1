//! The audio side: [`Processor::process`] fills the device's buffer, once per callback.
//!
//! It owns only what processing touches: the loaded song's [`Playback`], the varispeed
//! resampler, the transport state and preallocated buffers. It talks to the control side
//! through lock-free rings (commands in; events and spent songs out) and the position clock.
//! It never allocates, frees, locks, blocks, reads a clock or does I/O: the driver passes the
//! host time of the buffer, and replaced songs go back to the control side to be dropped.

use std::sync::Arc;

use crate::clock::{ClockReading, PositionClock};
use crate::command::Command;
use crate::event::Event;
use crate::playback::{Playback, Read};
use crate::song::{Original, Track};
use crate::source::chunk::TRACK_CHANNELS;
use crate::time::HostTime;
use crate::varispeed::{BLOCK, Varispeed};

/// How long a track switch crossfades.
pub const CROSSFADE_SECONDS: f64 = 0.03;

/// Frames from host time `at` to `start`, rounded up: the index of the first frame heard at or
/// after `start`, counting from `at` (negative when `start` has passed).
fn frames_until(at: HostTime, start: HostTime, sample_rate: u32) -> i128 {
    let nanos = i128::from(start.nanos_since(at)) * i128::from(sample_rate);
    -((-nanos).div_euclid(1_000_000_000))
}

/// What the transport is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Transport {
    /// No song loaded.
    Idle,
    /// A song is loaded and holds its position.
    Paused,
    /// Playing (or waiting for decoded frames after a seek, holding position).
    Playing,
    /// Will start playing at this host time, exactly.
    StartAt(HostTime),
}

/// The audio-thread half of the engine. Created with its [`crate::EngineHandle`] by
/// [`crate::Engine::new`]; a driver calls [`Processor::process`].
pub struct Processor {
    sample_rate: u32,
    commands: rtrb::Consumer<Command>,
    events: rtrb::Producer<Event>,
    trash: rtrb::Producer<Box<Playback>>,
    clock: Arc<PositionClock>,
    song: Option<Box<Playback>>,
    transport: Transport,
    varispeed: Varispeed,
    /// Resampled four-channel frames not yet played, and where they start.
    fifo: Vec<f32>,
    fifo_read: usize,
    fifo_len: usize,
    /// Song position of the next frame to play.
    position: f64,
    /// Output frames still to drop after a seek (the resampler's pre-roll).
    discard: usize,
    /// The song's end frame, once its last chunk has been read.
    song_end: Option<f64>,
    /// Whether the decoder has delivered the last frame into the resampler.
    input_ended: bool,
    epoch: u32,
    /// Gain of the original track, 0..=1, moving towards `original_target`.
    original_gain: f32,
    original_target: f32,
    crossfade_step: f32,
    underruns: u32,
    dropped_events: u32,
}

impl Processor {
    pub(crate) fn new(
        sample_rate: u32,
        commands: rtrb::Consumer<Command>,
        events: rtrb::Producer<Event>,
        trash: rtrb::Producer<Box<Playback>>,
        clock: Arc<PositionClock>,
    ) -> Self {
        Processor {
            sample_rate,
            commands,
            events,
            trash,
            clock,
            song: None,
            transport: Transport::Idle,
            varispeed: Varispeed::new(),
            fifo: vec![0.0; BLOCK * TRACK_CHANNELS],
            fifo_read: 0,
            fifo_len: 0,
            position: 0.0,
            discard: 0,
            song_end: None,
            input_ended: false,
            epoch: 0,
            original_gain: 0.0,
            original_target: 0.0,
            crossfade_step: (1.0 / (CROSSFADE_SECONDS * f64::from(sample_rate))) as f32,
            underruns: 0,
            dropped_events: 0,
        }
    }

    /// The engine's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Whether the next `frames` frames can be produced without waiting for the decoder.
    /// Real-time drivers never ask (an underrun plays silence); the offline driver waits for
    /// this, so its output does not depend on how fast the decode thread runs.
    pub fn is_ready_for(&mut self, frames: usize, at: HostTime) -> bool {
        // Commands sent since the last block decide what the next block plays.
        self.handle_commands();
        // A start whose time has passed skips the frames that should have played.
        let late = match self.transport {
            Transport::StartAt(start) => {
                (-frames_until(at, start, self.sample_rate)).max(0) as usize
            }
            _ => 0,
        };
        let pending = matches!(self.transport, Transport::Playing | Transport::StartAt(_));
        match self.song.as_mut() {
            Some(song) if pending && !self.input_ended => {
                // Input for the block, plus the varispeed's slack and the frames still to drop.
                let needed = ((frames + late) as f64 * self.varispeed.rate()).ceil() as usize
                    + self.varispeed.input_needed()
                    + self.discard;
                song.can_read(needed)
            }
            _ => true,
        }
    }

    /// Fills `out` (interleaved, `channels` per frame) with the next frames. `host_time` is
    /// when the first frame of `out` will be heard. Real-time safe.
    pub fn process(&mut self, out: &mut [f32], channels: usize, host_time: HostTime) {
        let channels = channels.max(1);
        let frames = out.len() / channels;
        self.handle_commands();
        let mut done = 0;
        let mut published = false;
        while done < frames {
            let at = host_time.plus_frames(done as u64, self.sample_rate);
            let segment = &mut out[done * channels..frames * channels];
            let (played, silent) = self.segment(segment, channels, at, &mut published);
            done += played + silent;
            if played + silent == 0 {
                break;
            }
        }
        if !published {
            self.publish(host_time, false);
        }
        self.report();
    }

    /// Renders the next stretch of `out`: silence until the transport has something to play,
    /// then played frames. Returns (played, silent) frame counts; at least one is non-zero
    /// unless `out` is empty.
    fn segment(
        &mut self,
        out: &mut [f32],
        channels: usize,
        at: HostTime,
        published: &mut bool,
    ) -> (usize, usize) {
        let frames = out.len() / channels;
        if frames == 0 {
            return (0, 0);
        }
        match self.transport {
            Transport::Idle | Transport::Paused => {
                out.fill(0.0);
                (0, frames)
            }
            Transport::StartAt(start) => {
                let ready = self.song.as_mut().is_some_and(|s| s.is_ready());
                let until_frames = frames_until(at, start, self.sample_rate);
                // Not yet, or late and still waiting for frames (then the start skips ahead to
                // stay on schedule).
                if until_frames >= frames as i128 || !ready {
                    out.fill(0.0);
                    return (0, frames);
                }
                if until_frames < 0 {
                    // Frames arrived after the start time: skip what should have played.
                    self.skip((-until_frames) as usize);
                }
                let silent = until_frames.max(0) as usize;
                out[..silent * channels].fill(0.0);
                self.transport = Transport::Playing;
                self.push_event(Event::Started {
                    frame: self.position.max(0.0) as u64,
                });
                let at = at.plus_frames(silent as u64, self.sample_rate);
                let played = self.play(&mut out[silent * channels..], channels, at, published);
                (played, silent)
            }
            Transport::Playing => {
                let played = self.play(out, channels, at, published);
                if played < frames {
                    // Underrun or end: the rest of this buffer is silent.
                    out[played * channels..].fill(0.0);
                    (played, frames - played)
                } else {
                    (played, 0)
                }
            }
        }
    }

    /// Plays frames into `out` until it is full, the decoder falls behind, or the song ends.
    fn play(
        &mut self,
        out: &mut [f32],
        channels: usize,
        at: HostTime,
        published: &mut bool,
    ) -> usize {
        if !*published {
            self.publish(at, true);
            *published = true;
        }
        let frames = out.len() / channels;
        let mut played = 0;
        while played < frames {
            if let Some(end) = self.song_end
                && self.position >= end
            {
                self.end_of_song();
                break;
            }
            if self.fifo_len == 0 && !self.refill() {
                // Waiting for the first frames after a seek is not an underrun.
                if !self.input_ended && self.song.as_mut().is_some_and(|s| s.is_ready()) {
                    self.underruns = self.underruns.saturating_add(1);
                }
                break;
            }
            let at = self.fifo_read * TRACK_CHANNELS;
            let frame: [f32; TRACK_CHANNELS] = [
                self.fifo[at],
                self.fifo[at + 1],
                self.fifo[at + 2],
                self.fifo[at + 3],
            ];
            let (left, right) = self.mix(&frame);
            let o = &mut out[played * channels..(played + 1) * channels];
            match o {
                [mono] => *mono = 0.5 * (left + right),
                [l, r, rest @ ..] => {
                    *l = left;
                    *r = right;
                    rest.fill(0.0);
                }
                [] => {}
            }
            self.fifo_read += 1;
            self.fifo_len -= 1;
            self.position += self.varispeed.rate();
            played += 1;
        }
        played
    }

    /// Mixes one four-channel frame to stereo with the track gains, stepping the crossfade.
    fn mix(&mut self, frame: &[f32]) -> (f32, f32) {
        if self.original_gain != self.original_target {
            let step = self.crossfade_step;
            self.original_gain = if self.original_gain < self.original_target {
                (self.original_gain + step).min(self.original_target)
            } else {
                (self.original_gain - step).max(self.original_target)
            };
        }
        let g = self.original_gain;
        let accompaniment = match self.song.as_ref().map(|s| s.original) {
            Some(Original::VocalOnly) => 1.0,
            _ => 1.0 - g,
        };
        (
            frame[0] * accompaniment + frame[2] * g,
            frame[1] * accompaniment + frame[3] * g,
        )
    }

    /// Resamples the next block into the FIFO. `false` if the decoder is behind or the song
    /// has no more frames.
    fn refill(&mut self) -> bool {
        loop {
            let Some(song) = self.song.as_mut() else {
                return false;
            };
            let needed = self.varispeed.input_needed();
            let valid = if self.input_ended {
                // After the last frame, silence flushes the resampler's tail.
                0
            } else {
                let input = &mut self.varispeed.input_mut()[..needed * TRACK_CHANNELS];
                match song.read(input, needed) {
                    Read::NotReady => return false,
                    Read::Frames(n) => n,
                }
            };
            if !self.input_ended && song.ended() {
                self.input_ended = true;
                self.song_end = song.end_frame().map(|f| f as f64);
            }
            if self.input_ended && self.song_end.is_none() {
                return false;
            }
            let block = self.varispeed.process(valid);
            self.fifo[..BLOCK * TRACK_CHANNELS].copy_from_slice(block);
            let drop = self.discard.min(BLOCK);
            self.discard -= drop;
            self.fifo_read = drop;
            self.fifo_len = BLOCK - drop;
            if self.fifo_len > 0 {
                return true;
            }
        }
    }

    /// Drops `frames` of song without playing them (to honour a start time that passed).
    fn skip(&mut self, frames: usize) {
        for _ in 0..frames {
            if self.fifo_len == 0 && !self.refill() {
                return;
            }
            self.fifo_read += 1;
            self.fifo_len -= 1;
            self.position += self.varispeed.rate();
        }
    }

    fn end_of_song(&mut self) {
        self.transport = Transport::Paused;
        self.push_event(Event::EndOfSong {
            frame: self.position.round().max(0.0) as u64,
        });
    }

    fn handle_commands(&mut self) {
        while let Ok(command) = self.commands.peek() {
            if matches!(command, Command::Load(_) | Command::Stop) && self.trash.is_full() {
                // The old song could not be handed back for dropping: wait for the control
                // side to drain the trash rather than free it here.
                return;
            }
            let Ok(command) = self.commands.pop() else {
                return;
            };
            self.apply(command);
        }
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::Load(song) => {
                if let Some(old) = self.song.replace(song) {
                    self.throw_away(old);
                }
                self.transport = Transport::Paused;
                self.original_gain = self.original_target;
                self.seek_to(0);
                self.push_event(Event::Loaded);
            }
            Command::Stop => {
                if let Some(old) = self.song.take() {
                    self.throw_away(old);
                }
                self.transport = Transport::Idle;
                self.position = 0.0;
                self.epoch = self.epoch.wrapping_add(1);
                self.push_event(Event::Stopped);
            }
            Command::Play if self.song.is_some() => {
                if self.transport != Transport::Playing {
                    self.transport = Transport::Playing;
                    self.push_event(Event::Started {
                        frame: self.position.max(0.0) as u64,
                    });
                }
            }
            Command::PlayAt(at) if self.song.is_some() => self.transport = Transport::StartAt(at),
            Command::Pause if self.song.is_some() => {
                self.transport = Transport::Paused;
                self.push_event(Event::Paused {
                    frame: self.position.max(0.0) as u64,
                });
            }
            Command::Seek { frame } if self.song.is_some() => {
                self.seek_to(frame);
                self.push_event(Event::Seeked { frame });
            }
            Command::SeekAt { frame, at } if self.song.is_some() => {
                self.seek_to(frame);
                self.transport = Transport::StartAt(at);
                self.push_event(Event::Seeked { frame });
            }
            Command::SelectTrack(track) => {
                self.original_target = match track {
                    Track::Accompaniment => 0.0,
                    Track::Original => 1.0,
                };
                self.push_event(Event::TrackSelected(track));
            }
            Command::SetRate(rate) => self.varispeed.set_rate(rate),
            // Transport commands without a song do nothing.
            Command::Play
            | Command::PlayAt(_)
            | Command::Pause
            | Command::Seek { .. }
            | Command::SeekAt { .. } => {}
        }
    }

    /// Starts decoding from `frame`, so that the next frame played is exactly `frame`.
    fn seek_to(&mut self, frame: u64) {
        let latency = self.varispeed.latency();
        self.varispeed.reset();
        if let Some(song) = self.song.as_mut() {
            song.seek(frame as i64 - latency as i64);
        }
        self.discard = 2 * latency;
        self.fifo_len = 0;
        self.fifo_read = 0;
        self.position = frame as f64;
        self.song_end = None;
        self.input_ended = false;
        self.epoch = self.epoch.wrapping_add(1);
    }

    fn throw_away(&mut self, song: Box<Playback>) {
        // `handle_commands` checked there is room; if not, leaking beats freeing here.
        if let Err(rtrb::PushError::Full(song)) = self.trash.push(song) {
            std::mem::forget(song);
        }
    }

    fn publish(&mut self, at: HostTime, playing: bool) {
        let frames_per_second = if playing {
            f64::from(self.sample_rate) * self.varispeed.rate()
        } else {
            0.0
        };
        self.clock.publish(&ClockReading {
            position: self.position,
            host_time: at,
            frames_per_second,
            sample_rate: self.sample_rate,
            epoch: self.epoch,
        });
    }

    fn report(&mut self) {
        if self.underruns > 0 && self.events.slots() > 1 {
            let blocks = std::mem::take(&mut self.underruns);
            self.push_event(Event::Underrun { blocks });
        }
        if self.dropped_events > 0 && self.events.slots() > 0 {
            let dropped = std::mem::take(&mut self.dropped_events);
            let _ = self.events.push(Event::CommandsDropped(dropped));
        }
    }

    fn push_event(&mut self, event: Event) {
        if self.events.push(event).is_err() {
            self.dropped_events = self.dropped_events.saturating_add(1);
        }
    }
}
