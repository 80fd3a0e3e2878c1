//! What calls the processor: the seam between the engine and the outside world's clock.
//!
//! A [`Driver`] takes the [`Processor`] and calls [`Processor::process`] with buffers and the
//! host time they will be heard at, from a device callback ([`cpal`]) or from a loop of its own
//! ([`offline`]). Stopping a driver gives the processor back, so a device can be changed
//! without losing the song.

pub mod cpal;
pub mod offline;

use crate::error::Result;
use crate::processor::Processor;

/// Something that runs a processor.
pub trait Driver {
    /// Starts calling `processor`; it runs until [`Driver::stop`].
    fn start(&mut self, processor: Processor) -> Result<()>;

    /// Stops and returns the processor (`None` if it was not running, or the device lost it).
    fn stop(&mut self) -> Option<Processor>;

    /// The output latency the driver reports, in frames, if it knows it.
    fn output_latency_frames(&self) -> Option<u32> {
        None
    }
}
