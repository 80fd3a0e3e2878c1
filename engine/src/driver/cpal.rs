//! The device driver: cpal, on ALSA or on JACK (through cpal's `jack` feature).
//!
//! The device's callback calls [`Processor::process`] with the buffer and its playback
//! timestamp: the host time the first frame will be heard, callback time plus the latency the
//! device reports, mapped onto the engine's [`HostClock`]. A microphone, when given, is an
//! input stream whose callback pushes one channel into a [`MicInput`] with its capture time
//! (callback time minus the input latency the device reports); the processor mixes it in the
//! next output block. On JACK, cpal opens the input and the output as two clients, so the
//! ring between them is the only buffering the engine adds.
//!
//! Stream errors (xruns) are counted in atomics. When the stream is dropped, the processor
//! comes back through a channel, so [`Driver::stop`] returns it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use crate::driver::Driver;
use crate::error::{EngineError, Result};
use crate::mic::MicInput;
use crate::processor::Processor;
use crate::time::HostClock;

/// Which device to open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CpalSettings {
    /// The audio host by name (`"ALSA"`, `"JACK"`); the default host if `None`.
    pub host: Option<String>,
    /// A device whose name contains this; the host's default output device if `None`.
    pub device: Option<String>,
    /// The buffer size in frames; the device's default if `None`.
    pub buffer_frames: Option<u32>,
    /// The input device for the microphone, by a part of its name; the host's default input
    /// device if `None`.
    pub input_device: Option<String>,
}

/// Plays the processor on an audio device.
pub struct CpalDriver {
    settings: CpalSettings,
    clock: HostClock,
    stream: Option<cpal::Stream>,
    returned: Option<mpsc::Receiver<Processor>>,
    errors: Arc<AtomicU64>,
    callbacks: Arc<AtomicU64>,
    latency_frames: Option<u32>,
    /// The microphone to feed from the input device, and which of its channels.
    microphone: Option<(MicInput, usize)>,
    input: Option<cpal::Stream>,
    input_errors: Arc<AtomicU64>,
    input_callbacks: Arc<AtomicU64>,
}

impl CpalDriver {
    /// A driver for the device `settings` names, timing callbacks on `clock`.
    pub fn new(settings: CpalSettings, clock: HostClock) -> Self {
        CpalDriver {
            settings,
            clock,
            stream: None,
            returned: None,
            errors: Arc::default(),
            callbacks: Arc::default(),
            latency_frames: None,
            microphone: None,
            input: None,
            input_errors: Arc::default(),
            input_callbacks: Arc::default(),
        }
    }

    /// Feeds `mic` from channel `channel` of the input device once started (the microphone
    /// is unplugged when the driver stops).
    pub fn set_microphone(&mut self, mic: MicInput, channel: usize) {
        self.microphone = Some((mic, channel));
    }

    /// Stream errors (xruns and the like) the input device reported since it started.
    pub fn input_errors(&self) -> u64 {
        self.input_errors.load(Ordering::Relaxed)
    }

    /// Input callbacks so far.
    pub fn input_callbacks(&self) -> u64 {
        self.input_callbacks.load(Ordering::Relaxed)
    }

    /// Stream errors (xruns and the like) reported by the device since it started.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Callbacks so far.
    pub fn callbacks(&self) -> u64 {
        self.callbacks.load(Ordering::Relaxed)
    }

    /// The audio hosts this build can use, by name.
    pub fn hosts() -> Vec<&'static str> {
        cpal::available_hosts().iter().map(|h| h.name()).collect()
    }

    fn open_host(&self) -> Result<cpal::Host> {
        Ok(match &self.settings.host {
            None => cpal::default_host(),
            Some(name) => {
                let id = cpal::available_hosts()
                    .into_iter()
                    .find(|h| h.name().eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        EngineError::Device(format!(
                            "no audio host {name:?}; available: {:?}",
                            Self::hosts()
                        ))
                    })?;
                cpal::host_from_id(id).map_err(|e| EngineError::Device(e.to_string()))?
            }
        })
    }

    fn open_input_device(&self) -> Result<cpal::Device> {
        let host = self.open_host()?;
        match &self.settings.input_device {
            None => host
                .default_input_device()
                .ok_or_else(|| EngineError::Device("no default input device".into())),
            Some(wanted) => {
                let devices = host
                    .input_devices()
                    .map_err(|e| EngineError::Device(e.to_string()))?;
                find_device(devices, wanted, "input")
            }
        }
    }

    fn open_device(&self) -> Result<cpal::Device> {
        let host = self.open_host()?;
        match &self.settings.device {
            None => host
                .default_output_device()
                .ok_or_else(|| EngineError::Device("no default output device".into())),
            Some(wanted) => {
                let devices = host
                    .output_devices()
                    .map_err(|e| EngineError::Device(e.to_string()))?;
                find_device(devices, wanted, "output")
            }
        }
    }

    /// Opens the input stream feeding the microphone, at the engine's rate.
    fn start_input(&mut self, rate: u32) -> Result<()> {
        let Some((mut mic, channel)) = self.microphone.take() else {
            return Ok(());
        };
        let device = self.open_input_device()?;
        let default = device
            .default_input_config()
            .map_err(|e| EngineError::Device(e.to_string()))?;
        let mut config = default.config();
        config.sample_rate = rate;
        if let Some(frames) = self.settings.buffer_frames {
            config.buffer_size = cpal::BufferSize::Fixed(frames);
        }
        let channels = usize::from(config.channels);
        let clock = self.clock;
        let callbacks = Arc::clone(&self.input_callbacks);
        let errors = Arc::clone(&self.input_errors);
        let stream = device
            .build_input_stream(
                config,
                move |data: &[f32], info: &cpal::InputCallbackInfo| {
                    let timestamp = info.timestamp();
                    // The device's own input latency: from capture to now.
                    let latency = timestamp
                        .callback
                        .saturating_duration_since(timestamp.capture);
                    let captured = clock.host_time(
                        std::time::Instant::now()
                            .checked_sub(latency)
                            .unwrap_or_else(std::time::Instant::now),
                    );
                    callbacks.fetch_add(1, Ordering::Relaxed);
                    mic.push_channel(data, channels, channel, captured);
                },
                move |_error| {
                    errors.fetch_add(1, Ordering::Relaxed);
                },
                None,
            )
            .map_err(|e| EngineError::Device(format!("cannot open the input stream: {e}")))?;
        stream
            .play()
            .map_err(|e| EngineError::Device(format!("cannot start the input stream: {e}")))?;
        self.input = Some(stream);
        Ok(())
    }
}

/// The device whose id (e.g. ALSA's `null`, JACK's port name) or human description contains
/// `wanted`.
fn find_device(
    devices: impl Iterator<Item = cpal::Device>,
    wanted: &str,
    kind: &str,
) -> Result<cpal::Device> {
    let mut names = Vec::new();
    for device in devices {
        let id = device.id().map(|id| id.to_string()).unwrap_or_default();
        let description = device
            .description()
            .map(|d| d.name().to_owned())
            .unwrap_or_default();
        if id.contains(wanted) || description.contains(wanted) {
            return Ok(device);
        }
        names.push(format!("{id} ({description})"));
    }
    Err(EngineError::Device(format!(
        "no {kind} device matching {wanted:?}; devices: {names:?}"
    )))
}

/// Sends the processor back when the stream's callback is dropped.
struct ReturnOnDrop {
    processor: Option<Processor>,
    back: mpsc::Sender<Processor>,
}

impl Drop for ReturnOnDrop {
    fn drop(&mut self) {
        if let Some(processor) = self.processor.take() {
            let _ = self.back.send(processor);
        }
    }
}

impl Driver for CpalDriver {
    fn start(&mut self, processor: Processor) -> Result<()> {
        let rate = processor.sample_rate();
        // The input first: a microphone that cannot open fails the start before any sound.
        self.start_input(rate)?;
        let started = self.start_output(processor);
        if started.is_err() {
            drop(self.input.take());
        }
        started
    }

    fn stop(&mut self) -> Option<Processor> {
        drop(self.input.take());
        drop(self.stream.take()?);
        self.returned.take()?.recv().ok()
    }

    fn output_latency_frames(&self) -> Option<u32> {
        self.latency_frames
    }
}

impl CpalDriver {
    fn start_output(&mut self, processor: Processor) -> Result<()> {
        let device = self.open_device()?;
        let default = device
            .default_output_config()
            .map_err(|e| EngineError::Device(e.to_string()))?;
        let rate = processor.sample_rate();
        let mut config = default.config();
        config.sample_rate = rate;
        if let Some(frames) = self.settings.buffer_frames {
            config.buffer_size = cpal::BufferSize::Fixed(frames);
        }
        let channels = usize::from(config.channels);
        let (back, returned) = mpsc::channel();
        let mut slot = ReturnOnDrop {
            processor: Some(processor),
            back,
        };
        let clock = self.clock;
        let callbacks = Arc::clone(&self.callbacks);
        let errors = Arc::clone(&self.errors);
        let stream = device
            .build_output_stream(
                config,
                move |data: &mut [f32], info: &cpal::OutputCallbackInfo| {
                    let timestamp = info.timestamp();
                    // The device's own latency: from now to when this buffer is heard.
                    let latency = timestamp
                        .playback
                        .saturating_duration_since(timestamp.callback);
                    let heard = clock.host_time(std::time::Instant::now() + latency);
                    callbacks.fetch_add(1, Ordering::Relaxed);
                    if let Some(processor) = slot.processor.as_mut() {
                        processor.process(data, channels, heard);
                    } else {
                        data.fill(0.0);
                    }
                },
                move |_error| {
                    errors.fetch_add(1, Ordering::Relaxed);
                },
                None,
            )
            .map_err(|e| EngineError::Device(format!("cannot open the output stream: {e}")))?;
        stream
            .play()
            .map_err(|e| EngineError::Device(format!("cannot start the output stream: {e}")))?;
        self.latency_frames = self.settings.buffer_frames;
        self.stream = Some(stream);
        self.returned = Some(returned);
        Ok(())
    }
}
