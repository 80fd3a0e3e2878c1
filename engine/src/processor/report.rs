//! Events from the audio thread: pushed without blocking (counted when the ring is full, and
//! the count reported once there is room), underruns and the microphones' monitor latency.

use super::Processor;
use crate::event::Event;
use crate::mic::MicStream;
use crate::time::HostTime;

/// How often a microphone's monitor latency is reported, at most, in seconds.
const LATENCY_REPORT_SECONDS: u64 = 1;

impl Processor {
    pub(super) fn report(&mut self) {
        let underruns = self.music.take_underruns();
        if underruns > 0 {
            self.push_event(Event::Underrun { blocks: underruns });
        }
        if self.dropped_events > 0 && self.events.slots() > 0 {
            let dropped = std::mem::take(&mut self.dropped_events);
            let _ = self.events.push(Event::EventsDropped(dropped));
        }
    }

    pub(super) fn push_event(&mut self, event: Event) {
        push_event(&mut self.events, &mut self.dropped_events, event);
    }
}

pub(super) fn push_event(events: &mut rtrb::Producer<Event>, dropped: &mut u32, event: Event) {
    // The last slot is kept for the report of dropped events.
    if events.slots() < 2 || events.push(event).is_err() {
        *dropped = dropped.saturating_add(1);
    }
}

/// The monitor latency (capture to playback, in frames) to report for a microphone whose
/// block of `frames` captured at `captured` is heard at `heard`: when it changed by a
/// millisecond or more, at most once per [`LATENCY_REPORT_SECONDS`].
pub(super) fn latency_to_report(
    stream: &mut MicStream,
    heard: HostTime,
    captured: HostTime,
    frames: usize,
    sample_rate: u32,
) -> Option<u32> {
    stream.frames_since_report += frames as u64;
    if stream.reported_latency.is_some()
        && stream.frames_since_report < LATENCY_REPORT_SECONDS * u64::from(sample_rate)
    {
        return None;
    }
    let nanos = heard.nanos_since(captured).max(0) as u128;
    let latency = (nanos * u128::from(sample_rate) / 1_000_000_000) as u32;
    let threshold = sample_rate / 1000;
    if stream
        .reported_latency
        .is_some_and(|last| last.abs_diff(latency) < threshold)
    {
        return None;
    }
    stream.reported_latency = Some(latency);
    stream.frames_since_report = 0;
    Some(latency)
}
