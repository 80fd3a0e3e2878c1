//! The audio side: [`Processor::process`] fills the device's buffer, once per callback.
//!
//! It owns only what processing touches: the music player, the microphones, the mixer, the
//! taps, the transport state and preallocated buffers. It talks to the control side through
//! lock-free rings (commands in; events and garbage out) and the position clock. It never
//! allocates, frees, locks, blocks, reads a clock or does I/O: the driver passes the host time
//! of the buffer, and anything to free goes back to the control side.
//!
//! A device buffer is processed in blocks of at most [`MAX_BLOCK`] frames; each block runs the
//! transport and the music player, reads the microphones, mixes the four buses, plays the
//! device's bus and feeds the taps. Commands are applied between blocks (`commands.rs`);
//! events go out without blocking (`report.rs`).

mod commands;
mod report;

use std::sync::Arc;

use crate::bus::{Bus, MAX_MICS};
use crate::clock::{ClockReading, PositionClock};
use crate::command::{Command, Garbage};
use crate::event::Event;
use crate::fx::VoiceChain;
use crate::mic::MicStream;
use crate::mixer::Mixer;
use crate::music::{MusicPlayer, Shortfall};
use crate::remote::RemoteVoice;
use crate::song::Original;
use crate::source::chunk::TRACK_CHANNELS;
use crate::tap::{MAX_TAPS, TapWriter};
use crate::time::HostTime;
use report::{latency_to_report, push_event};

/// The most frames processed in one go; larger device buffers are split.
pub const MAX_BLOCK: usize = 512;

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
/// [`crate::new`]; a driver calls [`Processor::process`].
pub struct Processor {
    sample_rate: u32,
    commands: rtrb::Consumer<Command>,
    events: rtrb::Producer<Event>,
    trash: rtrb::Producer<Garbage>,
    clock: Arc<PositionClock>,
    transport: Transport,
    epoch: u32,
    music: MusicPlayer,
    mixer: Mixer,
    mics: [Option<Box<MicStream>>; MAX_MICS],
    taps: [Option<Box<TapWriter>>; MAX_TAPS],
    /// A voice from elsewhere, mixed at its song positions.
    remote: Option<Box<RemoteVoice>>,
    /// The bus the device plays.
    device_bus: Bus,
    /// One block of music, four channels.
    music_block: Vec<f32>,
    /// One block per microphone slot.
    mic_blocks: Vec<f32>,
    /// The song frame of the current block's first frame, if it played.
    block_song_frame: Option<f64>,
    dropped_events: u32,
}

impl Processor {
    pub(crate) fn new(
        sample_rate: u32,
        device_bus: Bus,
        commands: rtrb::Consumer<Command>,
        events: rtrb::Producer<Event>,
        trash: rtrb::Producer<Garbage>,
        clock: Arc<PositionClock>,
        effects: Box<VoiceChain>,
    ) -> Self {
        Processor {
            sample_rate,
            commands,
            events,
            trash,
            clock,
            transport: Transport::Idle,
            epoch: 0,
            music: MusicPlayer::new(sample_rate, MAX_BLOCK),
            mixer: Mixer::new(sample_rate, MAX_BLOCK, effects),
            mics: std::array::from_fn(|_| None),
            taps: std::array::from_fn(|_| None),
            remote: None,
            device_bus,
            music_block: vec![0.0; MAX_BLOCK * TRACK_CHANNELS],
            mic_blocks: vec![0.0; MAX_BLOCK * MAX_MICS],
            block_song_frame: None,
            dropped_events: 0,
        }
    }

    /// The engine's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The bus the device plays.
    pub fn device_bus(&self) -> Bus {
        self.device_bus
    }

    /// A bus's samples from the last block processed (interleaved, [`Bus::channels`] per
    /// frame; at most [`MAX_BLOCK`] frames: the end of the last device buffer). Offline
    /// renders and tests read every bus this way.
    pub fn last_block(&self, bus: Bus, frames: usize) -> &[f32] {
        self.mixer.bus(bus, frames.min(MAX_BLOCK))
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
        !pending || self.music.can_supply(frames + late)
    }

    /// Fills `out` (interleaved, `channels` per frame) with the next frames of the device's
    /// bus. `host_time` is when the first frame of `out` will be heard. Real-time safe.
    pub fn process(&mut self, out: &mut [f32], channels: usize, host_time: HostTime) {
        let channels = channels.max(1);
        let frames = out.len() / channels;
        self.handle_commands();
        let mut published = false;
        let mut done = 0;
        while done < frames {
            let n = (frames - done).min(MAX_BLOCK);
            let at = host_time.plus_frames(done as u64, self.sample_rate);
            self.block(n, at, &mut published);
            let bus = self.mixer.bus(self.device_bus, n);
            let out = &mut out[done * channels..(done + n) * channels];
            write_to_device(bus, self.device_bus.channels(), out, channels);
            done += n;
        }
        if !published {
            self.publish(host_time, false);
        }
        self.report();
    }

    /// One block: music, microphones, mix, taps.
    fn block(&mut self, frames: usize, at: HostTime, published: &mut bool) {
        self.block_song_frame = None;
        let mut done = 0;
        while done < frames {
            let segment_at = at.plus_frames(done as u64, self.sample_rate);
            let (played, silent) = self.segment(done, frames, segment_at, published);
            if played + silent == 0 {
                break;
            }
            done += played + silent;
        }
        self.music_block[done * TRACK_CHANNELS..frames * TRACK_CHANNELS].fill(0.0);

        let mut mics: [Option<&[f32]>; MAX_MICS] = [None; MAX_MICS];
        for (slot, (stream, block)) in self
            .mics
            .iter_mut()
            .zip(self.mic_blocks.chunks_exact_mut(MAX_BLOCK))
            .enumerate()
        {
            let Some(stream) = stream.as_mut() else {
                continue;
            };
            let block = &mut block[..frames];
            if let Some(captured) = stream.read(block)
                && let Some(latency) =
                    latency_to_report(stream, at, captured, frames, self.sample_rate)
            {
                let event = Event::MonitorLatency {
                    mic: slot,
                    frames: latency,
                };
                push_event(&mut self.events, &mut self.dropped_events, event);
            }
            mics[slot] = Some(block);
        }
        let original = self.music.original().unwrap_or(Original::FullMix);
        let speed = self.music.speed();
        // The remote voice plays where the song plays; not while it is stopped.
        let remote = match (self.remote.as_deref_mut(), self.block_song_frame) {
            (Some(voice), Some(start)) => Some((voice, start, speed)),
            _ => None,
        };
        self.mixer.mix(
            &self.music_block[..frames * TRACK_CHANNELS],
            mics,
            remote,
            frames,
            original,
        );

        for tap in self.taps.iter_mut().flatten() {
            let samples = self.mixer.bus(tap.bus(), frames);
            tap.write(samples, at, self.block_song_frame, speed, self.sample_rate);
        }
        self.collect_garbage();
    }

    /// Renders the music from frame `from` of the block: silence until the transport has
    /// something to play, then played frames. Returns (played, silent) frame counts; at least
    /// one is non-zero unless the block is full.
    fn segment(
        &mut self,
        from: usize,
        to: usize,
        at: HostTime,
        published: &mut bool,
    ) -> (usize, usize) {
        let frames = to - from;
        if frames == 0 {
            return (0, 0);
        }
        let out = &mut self.music_block[from * TRACK_CHANNELS..to * TRACK_CHANNELS];
        match self.transport {
            Transport::Idle | Transport::Paused => {
                out.fill(0.0);
                (0, frames)
            }
            Transport::StartAt(start) => {
                let until_frames = frames_until(at, start, self.sample_rate);
                // Not yet, or late and still waiting for frames (then the start skips ahead to
                // stay on schedule).
                if until_frames >= frames as i128 || !self.music.is_ready() {
                    out.fill(0.0);
                    return (0, frames);
                }
                if until_frames < 0 {
                    // Frames arrived after the start time: skip what should have played.
                    self.music.skip((-until_frames) as usize);
                }
                let silent = until_frames.max(0) as usize;
                out[..silent * TRACK_CHANNELS].fill(0.0);
                self.transport = Transport::Playing;
                self.push_event(Event::Started {
                    frame: self.music.position().max(0.0) as u64,
                });
                let at = at.plus_frames(silent as u64, self.sample_rate);
                let played = self.play(from + silent, to, at, published);
                (played, silent)
            }
            Transport::Playing => {
                let played = self.play(from, to, at, published);
                if played < frames {
                    // Underrun or end: the rest of this block is silent.
                    self.music_block[(from + played) * TRACK_CHANNELS..to * TRACK_CHANNELS]
                        .fill(0.0);
                    (played, frames - played)
                } else {
                    (played, 0)
                }
            }
        }
    }

    /// Plays music into frames `from..to` of the block until they are full, the decoder falls
    /// behind, or the song ends.
    fn play(&mut self, from: usize, to: usize, at: HostTime, published: &mut bool) -> usize {
        if !*published {
            self.publish(at, true);
            *published = true;
        }
        if from == 0 {
            self.block_song_frame = Some(self.music.position());
        }
        let out = &mut self.music_block[from * TRACK_CHANNELS..to * TRACK_CHANNELS];
        let (played, shortfall) = self.music.play(out);
        if shortfall == Shortfall::End {
            self.transport = Transport::Paused;
            self.push_event(Event::EndOfSong {
                frame: self.music.position().round().max(0.0) as u64,
            });
        }
        played
    }

    fn publish(&mut self, at: HostTime, playing: bool) {
        let frames_per_second = if playing {
            f64::from(self.sample_rate) * self.music.speed()
        } else {
            0.0
        };
        self.clock.publish(&ClockReading {
            position: self.music.position(),
            host_time: at,
            frames_per_second,
            sample_rate: self.sample_rate,
            epoch: self.epoch,
        });
    }
}

/// Copies a bus into a device buffer: a stereo bus to the first two channels (silence in the
/// rest), or mixed down to a mono device; a mono bus to every channel.
fn write_to_device(bus: &[f32], bus_channels: usize, out: &mut [f32], channels: usize) {
    for (frame, o) in bus
        .chunks_exact(bus_channels)
        .zip(out.chunks_exact_mut(channels))
    {
        match (frame, o) {
            ([l, r], [mono]) => *mono = 0.5 * (l + r),
            ([l, r], [ol, or, rest @ ..]) => {
                *ol = *l;
                *or = *r;
                rest.fill(0.0);
            }
            ([m], o) => o.fill(*m),
            (_, o) => o.fill(0.0),
        }
    }
}
