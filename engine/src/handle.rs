//! The control side: [`EngineHandle`] sends commands, reads events and the position clock,
//! and owns everything that allocates (decode threads, spent songs).

use std::sync::Arc;
use std::sync::mpsc;

use crate::bus::{Bus, Level, MAX_MICS};
use crate::clock::{ClockReading, PositionClock};
use crate::command::{Command, Garbage};
use crate::error::{EngineError, Result};
use crate::event::Event;
use crate::fx::{VoiceChain, VoiceEffects};
use crate::loudness::{self, TrackGains};
use crate::mic::{self, MicInput};
use crate::playback::Playback;
use crate::processor::{MAX_BLOCK, Processor};
use crate::record::{RECORD_TAP_BLOCKS, RecordTarget, Recording};
use crate::remote::RemoteVoiceInput;
use crate::song::{SongSource, TrackMode};
use crate::source::stream::{self, SongInfo};
use crate::tap::{self, BusTap, MAX_TAPS};
use crate::time::HostTime;
use crate::{MAX_RATE, MIN_RATE};

/// How an engine is built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineSettings {
    /// The output sample rate; songs are resampled to it.
    pub sample_rate: u32,
    /// Commands that can wait for the audio thread.
    pub command_capacity: usize,
    /// Events that can wait for the control side.
    pub event_capacity: usize,
    /// Decoded chunks buffered per song (256 frames each).
    pub ring_chunks: usize,
    /// The bus the device plays: the singer's [`Bus::Monitor`] on a singer's machine, the
    /// [`Bus::Room`] for a room's speakers or an offline performance.
    pub device_bus: Bus,
    /// The loudness (LUFS, EBU R128) every song is levelled to, or `None` to play songs as
    /// they are.
    pub loudness_target: Option<f64>,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            sample_rate: 48_000,
            command_capacity: 64,
            event_capacity: 256,
            // 96 × 256 frames ≈ 0.5 s at 48 kHz: deep enough for a slow disk, small enough
            // that a song is never whole in memory.
            ring_chunks: 96,
            device_bus: Bus::Monitor,
            loudness_target: None,
        }
    }
}

/// Builds an engine: the control-side handle and the audio-side processor, joined only by
/// lock-free rings and the position clock.
pub fn new(settings: EngineSettings) -> (EngineHandle, Processor) {
    let (command_tx, command_rx) = rtrb::RingBuffer::new(settings.command_capacity);
    let (event_tx, event_rx) = rtrb::RingBuffer::new(settings.event_capacity);
    let (trash_tx, trash_rx) = rtrb::RingBuffer::new(32);
    let clock = Arc::new(PositionClock::new(settings.sample_rate));
    let (decode_events_tx, decode_events) = mpsc::channel();
    let effects = VoiceChain::new(&VoiceEffects::default(), settings.sample_rate, MAX_BLOCK);
    let processor = Processor::new(
        settings.sample_rate,
        settings.device_bus,
        command_rx,
        event_tx,
        trash_tx,
        Arc::clone(&clock),
        Box::new(effects),
    );
    let handle = EngineHandle {
        settings,
        commands: command_tx,
        events: event_rx,
        trash: trash_rx,
        decode_events,
        decode_events_tx,
        clock,
        decoders: Vec::new(),
        mics: Default::default(),
        taps: Vec::new(),
    };
    (handle, processor)
}

/// The control side of an engine. Not real-time: it may allocate and block briefly (it opens
/// files, spawns decode threads and drops spent songs).
pub struct EngineHandle {
    settings: EngineSettings,
    commands: rtrb::Producer<Command>,
    events: rtrb::Consumer<Event>,
    trash: rtrb::Consumer<Garbage>,
    decode_events: mpsc::Receiver<Event>,
    decode_events_tx: mpsc::Sender<Event>,
    clock: Arc<PositionClock>,
    decoders: Vec<std::thread::JoinHandle<()>>,
    /// Which microphone slots are in use: each holds a token its [`MicInput`] shares, so a
    /// dropped input frees its slot.
    mics: [Option<Arc<()>>; MAX_MICS],
    /// A token per open tap, shared with its [`BusTap`].
    taps: Vec<Arc<()>>,
}

impl EngineHandle {
    /// The engine's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.settings.sample_rate
    }

    /// Opens a song (errors here are about the files: missing, not audio, no such stream),
    /// starts its decode thread and hands it to the audio thread, replacing any song there.
    /// It is paused at its start; [`EngineHandle::play`] starts it.
    pub fn load(&mut self, song: &SongSource) -> Result<SongInfo> {
        self.reap();
        let (chunks_tx, chunks_rx) = rtrb::RingBuffer::new(self.settings.ring_chunks);
        let (control_tx, control_rx) = rtrb::RingBuffer::new(16);
        let (info, thread) = stream::spawn(
            song,
            self.settings.sample_rate,
            chunks_tx,
            control_rx,
            self.decode_events_tx.clone(),
        )?;
        self.decoders.push(thread);
        let gains = Arc::new(self.loudness_gains(song));
        let playback = Playback::new(chunks_rx, control_tx, song.original, Arc::clone(&gains));
        self.send(Command::Load(Box::new(playback)))?;
        if let Some(target) = self.settings.loudness_target
            && song.loudness.is_none()
        {
            self.measure_loudness(song, target, gains)?;
        }
        Ok(info)
    }

    /// The gains a song starts with: levelled now when its loudness is known, unity until a
    /// measuring thread has levelled it otherwise.
    fn loudness_gains(&mut self, song: &SongSource) -> TrackGains {
        let Some(target) = self.settings.loudness_target else {
            return TrackGains::new(1.0, 1.0);
        };
        if let Some(loudness) = song.loudness {
            let (a, o) = loudness.gains(target, song.original);
            return TrackGains::new(a, o);
        }
        TrackGains::new(1.0, 1.0)
    }

    /// Measures a song's loudness on a thread of its own and levels it when done (the audio
    /// thread ramps to the new gains), reporting [`Event::LoudnessMeasured`].
    fn measure_loudness(
        &mut self,
        song: &SongSource,
        target: f64,
        gains: Arc<TrackGains>,
    ) -> Result<()> {
        let song = song.clone();
        let rate = self.settings.sample_rate;
        let events = self.decode_events_tx.clone();
        let thread = std::thread::Builder::new()
            .name("ktv-loudness".into())
            .spawn(move || {
                let event = match loudness::measure(&song, rate) {
                    Ok(measured) => {
                        let (a, o) = measured.gains(target, song.original);
                        gains.set(a, o);
                        Event::LoudnessMeasured(measured)
                    }
                    Err(e) => Event::DecodeError(format!("measuring loudness: {e}")),
                };
                let _ = events.send(event);
            })
            .map_err(|e| EngineError::Device(format!("cannot start a loudness thread: {e}")))?;
        self.decoders.push(thread);
        Ok(())
    }

    /// Unloads the song.
    pub fn stop(&mut self) -> Result<()> {
        self.send(Command::Stop)
    }

    /// Starts or resumes playback now.
    pub fn play(&mut self) -> Result<()> {
        self.send(Command::Play)
    }

    /// Starts or resumes playback so that the current position is heard exactly at `at`.
    pub fn play_at(&mut self, at: HostTime) -> Result<()> {
        self.send(Command::PlayAt(at))
    }

    /// Pauses, holding the position.
    pub fn pause(&mut self) -> Result<()> {
        self.send(Command::Pause)
    }

    /// Jumps to a song frame (at the engine rate), keeping the transport state.
    pub fn seek(&mut self, frame: u64) -> Result<()> {
        self.send(Command::Seek { frame })
    }

    /// Jumps to a song frame and starts playing it exactly at `at` (late frames are skipped
    /// so the song stays on that schedule).
    pub fn seek_at(&mut self, frame: u64, at: HostTime) -> Result<()> {
        self.send(Command::SeekAt { frame, at })
    }

    /// Crossfades to a track mode (original, accompaniment, guide), keeping the position.
    pub fn set_track_mode(&mut self, mode: TrackMode) -> Result<()> {
        self.send(Command::SetTrackMode(mode))
    }

    /// Sets a level's gain (linear: 0 silent, 1 unity, at most [`crate::MAX_GAIN`]), ramped.
    pub fn set_level(&mut self, level: Level, gain: f32) -> Result<()> {
        check_level(level)?;
        if !gain.is_finite() || !(0.0..=crate::MAX_GAIN).contains(&gain) {
            return Err(EngineError::GainOutOfRange(gain));
        }
        self.send(Command::SetLevel(level, gain))
    }

    /// Mutes or unmutes a level, ramped.
    pub fn set_mute(&mut self, level: Level, muted: bool) -> Result<()> {
        check_level(level)?;
        self.send(Command::SetMute(level, muted))
    }

    /// Builds a chain for `effects` and crossfades the voice to it.
    pub fn set_voice_effects(&mut self, effects: &VoiceEffects) -> Result<()> {
        let chain = VoiceChain::new(effects, self.settings.sample_rate, MAX_BLOCK);
        self.send(Command::SetEffects(Box::new(chain)))
    }

    /// Plugs in a microphone in the first free slot. Feed the returned input from the input
    /// device's callback (or a file); drop it to unplug.
    pub fn add_microphone(&mut self) -> Result<MicInput> {
        let slot = self
            .mics
            .iter()
            .position(|token| token.as_ref().is_none_or(|t| Arc::strong_count(t) == 1))
            .ok_or(EngineError::TooMany {
                what: "microphones",
                max: MAX_MICS,
            })?;
        let token = Arc::new(());
        let (input, stream) = mic::new(slot, self.settings.sample_rate, Arc::clone(&token));
        self.send(Command::AddMic {
            slot,
            stream: Box::new(stream),
        })?;
        self.mics[slot] = Some(token);
        Ok(input)
    }

    /// Plugs in a voice from elsewhere (the singer's, on a listener's machine), mixed into the
    /// voice at the song positions its packets carry; replaces any other. Feed the returned
    /// input from the network's decoder; drop it to unplug.
    pub fn add_remote_voice(&mut self) -> Result<RemoteVoiceInput> {
        let (input, voice) = crate::remote::new();
        self.send(Command::AddRemoteVoice(Box::new(voice)))?;
        Ok(input)
    }

    /// Starts recording buses to files (see [`crate::record`]), from the next block on.
    pub fn record(&mut self, targets: &[RecordTarget]) -> Result<Recording> {
        let mut taps = Vec::new();
        for target in targets {
            taps.push(self.tap(target.bus, RECORD_TAP_BLOCKS)?);
        }
        Recording::start(targets, taps, self.settings.sample_rate)
    }

    /// Opens a tap on `bus` holding up to `blocks` blocks of up to
    /// [`crate::tap::TAP_FRAMES`] frames; drop it to close.
    pub fn tap(&mut self, bus: Bus, blocks: usize) -> Result<BusTap> {
        self.taps.retain(|token| Arc::strong_count(token) > 1);
        if self.taps.len() >= MAX_TAPS {
            return Err(EngineError::TooMany {
                what: "taps",
                max: MAX_TAPS,
            });
        }
        let token = Arc::new(());
        let (reader, writer) = tap::new(bus, blocks, Arc::clone(&token));
        self.send(Command::AddTap(Box::new(writer)))?;
        self.taps.push(token);
        Ok(reader)
    }

    /// Sets the playback rate (1 = normal) within ±0.5%, ramped (for sync's drift
    /// correction).
    pub fn set_rate(&mut self, rate: f64) -> Result<()> {
        if !(MIN_RATE..=MAX_RATE).contains(&rate) {
            return Err(EngineError::RateOutOfRange(rate));
        }
        self.send(Command::SetRate(rate))
    }

    /// Shifts the music's key by `semitones` (−12..=12, fractions allowed), tempo kept.
    /// Set before playing, it applies from the first frame; during a song, within about
    /// 30 ms.
    pub fn set_key(&mut self, semitones: f32) -> Result<()> {
        if !(crate::MIN_KEY..=crate::MAX_KEY).contains(&semitones) {
            return Err(EngineError::KeyOutOfRange(semitones));
        }
        self.send(Command::SetKey(semitones))
    }

    /// Plays the music at `tempo` (0.8..=1.2, 1 = as recorded), pitch kept. The position
    /// clock follows what is heard.
    pub fn set_tempo(&mut self, tempo: f64) -> Result<()> {
        if !(crate::MIN_TEMPO..=crate::MAX_TEMPO).contains(&tempo) {
            return Err(EngineError::TempoOutOfRange(tempo));
        }
        self.send(Command::SetTempo(tempo))
    }

    /// The position clock's latest reading.
    pub fn clock(&self) -> ClockReading {
        self.clock.read()
    }

    /// The position clock itself, for threads that read it without the handle (a
    /// microphone's feeder, a logger): reading it is lock-free.
    pub fn position_clock(&self) -> Arc<PositionClock> {
        Arc::clone(&self.clock)
    }

    /// The events since the last call, from the audio thread and the decode threads. Also
    /// drops songs the audio thread has finished with; call it regularly.
    pub fn poll_events(&mut self) -> Vec<Event> {
        while let Ok(spent) = self.trash.pop() {
            drop(spent);
        }
        self.reap();
        let mut events = Vec::new();
        while let Ok(event) = self.events.pop() {
            events.push(event);
        }
        events.extend(self.decode_events.try_iter());
        events
    }

    /// The rate the engine runs at and how it was built.
    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    fn send(&mut self, command: Command) -> Result<()> {
        self.commands
            .push(command)
            .map_err(|_| EngineError::QueueFull)
    }

    /// Joins decode threads that have finished.
    fn reap(&mut self) {
        let (finished, running): (Vec<_>, Vec<_>) =
            self.decoders.drain(..).partition(|t| t.is_finished());
        self.decoders = running;
        for thread in finished {
            // A decode thread reports its errors as events; a panic there is a bug, and
            // joining it here keeps it from passing silently.
            if thread.join().is_err() {
                let _ = self
                    .decode_events_tx
                    .send(Event::DecodeError("the decode thread panicked".into()));
            }
        }
    }
}

/// Checks that a level names something that exists.
fn check_level(level: Level) -> Result<()> {
    match level {
        Level::Mic(slot) if slot >= MAX_MICS => Err(EngineError::TooMany {
            what: "microphones",
            max: MAX_MICS,
        }),
        _ => Ok(()),
    }
}
