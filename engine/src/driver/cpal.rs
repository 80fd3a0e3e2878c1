//! The device driver: cpal, on ALSA or on JACK (through cpal's `jack` feature).
//!
//! The device's callback calls [`Processor::process`] with the buffer and its playback
//! timestamp: the host time the first frame will be heard, callback time plus the latency the
//! device reports, mapped onto the engine's [`HostClock`]. Stream errors (xruns) are counted
//! in an atomic. When the stream is dropped, the processor comes back through a channel, so
//! [`Driver::stop`] returns it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use crate::driver::Driver;
use crate::error::{EngineError, Result};
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
        }
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

    fn open_device(&self) -> Result<cpal::Device> {
        let host = match &self.settings.host {
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
        };
        match &self.settings.device {
            None => host
                .default_output_device()
                .ok_or_else(|| EngineError::Device("no default output device".into())),
            Some(wanted) => {
                let devices = host
                    .output_devices()
                    .map_err(|e| EngineError::Device(e.to_string()))?;
                let mut names = Vec::new();
                for device in devices {
                    // Match the device's id (e.g. ALSA's `null`, JACK's port name) or its
                    // human description.
                    let id = device.id().map(|id| id.to_string()).unwrap_or_default();
                    let description = device
                        .description()
                        .map(|d| d.name().to_owned())
                        .unwrap_or_default();
                    if id.contains(wanted.as_str()) || description.contains(wanted.as_str()) {
                        return Ok(device);
                    }
                    names.push(format!("{id} ({description})"));
                }
                Err(EngineError::Device(format!(
                    "no output device matching {wanted:?}; devices: {names:?}"
                )))
            }
        }
    }
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

    fn stop(&mut self) -> Option<Processor> {
        drop(self.stream.take()?);
        self.returned.take()?.recv().ok()
    }

    fn output_latency_frames(&self) -> Option<u32> {
        self.latency_frames
    }
}
