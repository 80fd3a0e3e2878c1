//! The engine as the sync crate's player, and the audio device it runs on.
//!
//! It has the sync crate's `Player` methods without the trait: a sound device's stream need
//! not move between threads, so the player stays on the client's own thread. A sync machine
//! steers ([`Steer`]) and asks where the player is ([`PlayerReport`]); the
//! engine's handle does the first and its position clock answers the second. Two things the
//! engine does not do itself are done here: a pause at a future instant (held until its
//! instant comes, checked at every report, i.e. every audio block), and a song that is not on
//! this machine yet (the load and the start wait until the client has fetched it).

use std::collections::HashMap;

use engine::driver::Driver;
use engine::driver::cpal::{CpalDriver, CpalSettings};
use engine::driver::offline::PacedDriver;
use engine::{EngineHandle, EngineSettings, Event, SongSource};
use sync::{MediaTime, PlayerReport, SongStart, Steer};

use crate::Clocks;
use crate::mic::MicFeed;
use crate::time::{frames_to_media, media_to_frame_index};
use crate::{Error, Result};

/// Frames per block of the paced (device-less) driver: about 5 ms at 48 kHz.
pub const PACED_BLOCK: usize = 256;

/// Where a client's engine plays.
#[derive(Debug, Clone)]
pub enum AudioOutput {
    /// No device: the paced offline driver, in real time on the host clock.
    Paced,
    /// A sound device through cpal (ALSA or JACK).
    Device(CpalSettings),
}

/// The singer's microphone.
pub enum MicSource {
    /// None (a listener).
    None,
    /// A recording sung along with the song (mono at the engine's rate).
    Recording(Vec<f32>),
    /// The sound device's input, this channel of it.
    Device {
        /// The input channel.
        channel: usize,
    },
}

/// A running engine: its handle and the driver calling its processor.
pub struct Audio {
    /// The engine's control side.
    pub engine: EngineHandle,
    driver: Box<dyn Driver>,
    _mic: Option<MicFeed>,
}

impl Audio {
    /// Builds an engine with `settings` and starts it on `output` with `mic`.
    pub fn start(
        settings: EngineSettings,
        output: &AudioOutput,
        mic: MicSource,
        clocks: &Clocks,
    ) -> Result<Audio> {
        let engine_error = |what| move |error| Error::Engine { what, error };
        let (mut engine, processor) = engine::new(settings);
        let channels = settings.device_bus.channels();
        let mut feed = None;
        let mut driver: Box<dyn Driver> = match output {
            AudioOutput::Paced => Box::new(PacedDriver::new(
                clocks.engine,
                channels,
                PACED_BLOCK,
                |_: &[f32]| {},
            )),
            AudioOutput::Device(settings) => {
                let mut driver = CpalDriver::new(settings.clone(), clocks.engine);
                if let MicSource::Device { channel } = mic {
                    let input = engine
                        .add_microphone()
                        .map_err(engine_error("adding the microphone"))?;
                    driver.set_microphone(input, channel);
                }
                Box::new(driver)
            }
        };
        if let MicSource::Recording(recording) = mic {
            let input = engine
                .add_microphone()
                .map_err(engine_error("adding the microphone"))?;
            feed = Some(MicFeed::start(
                input,
                recording,
                settings.sample_rate,
                engine.position_clock(),
                clocks.engine,
            )?);
        }
        driver
            .start(processor)
            .map_err(engine_error("starting the audio output"))?;
        Ok(Audio {
            engine,
            driver,
            _mic: feed,
        })
    }
}

impl Drop for Audio {
    fn drop(&mut self) {
        // The device stops here; the microphone's feed ends with its field, after.
        let _ = self.driver.stop();
    }
}

/// What the player heard from the engine since it was last asked.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PlayerNews {
    /// The song played to its end.
    pub ended: bool,
    /// Decoding failed (the file is corrupt): what the engine said.
    pub decode_errors: Vec<String>,
    /// The microphone's monitor latency (capture to playback), in frames, when measured.
    pub monitor_latency: Option<u32>,
}

/// The engine steered by a sync machine.
pub struct EnginePlayer {
    audio: Audio,
    clocks: Clocks,
    /// Songs this machine has, by id.
    songs: HashMap<String, SongSource>,
    /// The song the machine asked for, and whether the engine has it loaded.
    song: Option<(SongStart, bool)>,
    /// A start asked for before the song was loaded.
    pending_play: Option<(MediaTime, sync::HostTime)>,
    /// A pause whose instant has not come.
    pending_pause: Option<(MediaTime, sync::HostTime)>,
    /// The instant of the last start the engine was given.
    last_start: Option<sync::HostTime>,
    /// The rate asked for last.
    rate: f64,
    /// The microphone's monitor latency, as last measured.
    monitor_latency: Option<u32>,
    news: PlayerNews,
}

impl EnginePlayer {
    /// A player over a running engine.
    pub fn new(audio: Audio, clocks: Clocks) -> EnginePlayer {
        EnginePlayer {
            audio,
            clocks,
            songs: HashMap::new(),
            song: None,
            pending_play: None,
            pending_pause: None,
            last_start: None,
            rate: 1.0,
            monitor_latency: None,
            news: PlayerNews::default(),
        }
    }

    /// The engine, for what sync does not steer (microphones, taps, effects, levels).
    pub fn engine(&mut self) -> &mut EngineHandle {
        &mut self.audio.engine
    }

    /// Makes song `id` playable here; a load waiting for it goes ahead.
    pub fn provide(&mut self, id: &str, source: SongSource) {
        self.songs.insert(id.to_owned(), source);
        if self
            .song
            .as_ref()
            .is_some_and(|(start, loaded)| !loaded && start.song_id == id)
        {
            self.load();
        }
    }

    /// Whether song `id` is here.
    pub fn has(&self, id: &str) -> bool {
        self.songs.contains_key(id)
    }

    /// The song the machine asked for that is not here yet (the client fetches it).
    pub fn wanted(&self) -> Option<&str> {
        match &self.song {
            Some((start, false)) if !self.songs.contains_key(&start.song_id) => {
                Some(&start.song_id)
            }
            _ => None,
        }
    }

    /// The song loaded in the engine, as the machine started it.
    pub fn current(&self) -> Option<&SongStart> {
        self.song
            .as_ref()
            .and_then(|(start, loaded)| loaded.then_some(start))
    }

    /// The microphone's monitor latency (capture to playback) in frames, as last measured
    /// (the engine reports it when it changes, so it is kept here).
    pub fn monitor_latency(&self) -> Option<u32> {
        self.monitor_latency
    }

    /// What happened since the last call.
    pub fn take_news(&mut self) -> PlayerNews {
        std::mem::take(&mut self.news)
    }

    fn load(&mut self) {
        let Some((start, loaded)) = self.song.as_mut() else {
            return;
        };
        let Some(source) = self.songs.get(&start.song_id) else {
            return;
        };
        let engine = &mut self.audio.engine;
        let mode = match start.track_mode {
            sync::TrackMode::Accompaniment => engine::TrackMode::Accompaniment,
            sync::TrackMode::Original => engine::TrackMode::Original,
            sync::TrackMode::Guide => engine::TrackMode::Guide,
        };
        let result = engine
            .load(source)
            .and_then(|_| engine.set_track_mode(mode))
            .and_then(|()| engine.set_key(start.key))
            .and_then(|()| engine.set_tempo(f64::from(start.tempo)))
            .and_then(|()| engine.set_rate(self.rate));
        match result {
            Ok(()) => *loaded = true,
            Err(e) => {
                tracing::error!(song = %start.song_id, "cannot load the song: {e}");
                self.news.decode_errors.push(e.to_string());
                return;
            }
        }
        if let Some((position, at)) = self.pending_play.take() {
            self.play_at(position, at);
        }
    }

    /// The instant of the last start the engine was given (it plays on from where it was
    /// until then).
    pub fn last_start(&self) -> Option<sync::HostTime> {
        self.last_start
    }

    fn play_at(&mut self, position: MediaTime, at: sync::HostTime) {
        self.last_start = Some(at);
        let engine = &mut self.audio.engine;
        let frame = media_to_frame_index(position, engine.sample_rate());
        if let Err(e) = engine.seek_at(frame, self.clocks.to_engine(at)) {
            tracing::warn!("the engine did not take a start: {e}");
        }
    }

    /// Reads the engine's events and carries out a pause whose instant came.
    fn poll(&mut self) {
        for event in self.audio.engine.poll_events() {
            match event {
                Event::EndOfSong { .. } => self.news.ended = true,
                Event::DecodeError(e) => {
                    tracing::error!("decoding the song: {e}");
                    self.news.decode_errors.push(e);
                }
                Event::Underrun { blocks } => tracing::debug!(blocks, "underrun"),
                Event::MonitorLatency { frames, .. } => {
                    self.news.monitor_latency = Some(frames);
                    self.monitor_latency = Some(frames);
                }
                _ => {}
            }
        }
        if let Some((position, at)) = self.pending_pause
            && self.clocks.net.now() >= at
        {
            self.pending_pause = None;
            let engine = &mut self.audio.engine;
            let frame = media_to_frame_index(position, engine.sample_rate());
            if let Err(e) = engine.pause().and_then(|()| engine.seek(frame)) {
                tracing::warn!("the engine did not take a pause: {e}");
            }
        }
    }
}

impl EnginePlayer {
    /// Does what the sync machine asked (the sync crate's `Player::steer`).
    pub fn steer(&mut self, steer: &Steer) {
        match steer {
            Steer::Load(start) => {
                self.song = Some((start.clone(), false));
                self.pending_play = None;
                self.pending_pause = None;
                self.load();
            }
            Steer::PlayAt { position, at } => {
                self.pending_pause = None;
                if self.current().is_some() {
                    self.play_at(*position, *at);
                } else {
                    self.pending_play = Some((*position, *at));
                }
            }
            Steer::Pause { position, at } => {
                self.pending_play = None;
                if self.current().is_some() {
                    self.pending_pause = Some((*position, *at));
                    self.poll();
                }
            }
            Steer::Rate(rate) => {
                self.rate = rate.clamp(engine::MIN_RATE, engine::MAX_RATE);
                if self.current().is_some()
                    && let Err(e) = self.audio.engine.set_rate(self.rate)
                {
                    tracing::warn!("the engine did not take a rate: {e}");
                }
            }
            Steer::Stop => {
                self.song = None;
                self.pending_play = None;
                self.pending_pause = None;
                if let Err(e) = self.audio.engine.stop() {
                    tracing::warn!("the engine did not stop: {e}");
                }
            }
        }
    }

    /// Where the engine is (the sync crate's `Player::report`); call once per audio block.
    pub fn report(&mut self) -> Option<PlayerReport> {
        self.poll();
        self.current()?;
        let reading = self.audio.engine.clock();
        Some(PlayerReport {
            position: frames_to_media(reading.position, reading.sample_rate),
            at: self.clocks.to_sync(reading.host_time),
            playing: reading.frames_per_second > 0.0,
        })
    }
}
