//! What a run gave: per listener, its alignment samples, counters and switch instants.

use sync::{FollowerStats, TimeDelta};

/// One alignment sample of one listener.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// True time.
    pub at: TimeDelta,
    /// Listener's heard position − singer's heard position + the listener's extra delay,
    /// whenever both have the song loaded (playing, paused, or one of each).
    pub error: Option<TimeDelta>,
    /// While both are paused: the difference of the held positions.
    pub paused_error: Option<TimeDelta>,
    /// The listener's room-clock estimate minus the truth, and the singer's.
    pub clock_error: (Option<TimeDelta>, Option<TimeDelta>),
    /// The same for the drift, in parts per million.
    pub drift_error: (Option<f64>, Option<f64>),
    /// Within 25 ms after either player jumped (a start, seek or pause switches at an
    /// instant; the two instants may differ by a block or two, during which the positions
    /// differ by the whole jump), or, both paused, within 400 ms of the singer's jump
    /// (nothing is heard; the held position follows when the message arrives).
    pub switching: bool,
}

/// What one listener went through.
#[derive(Debug, Clone)]
pub struct FollowerRun {
    /// When it joined.
    pub joined: TimeDelta,
    /// Its samples, in time order.
    pub samples: Vec<Sample>,
    /// Its counters.
    pub stats: FollowerStats,
    /// True instants at which its player was told to (re)start.
    pub starts: Vec<TimeDelta>,
    /// The clock estimator's jumps.
    pub clock_jumps: u32,
    /// True instants at which its player's position jumped.
    pub switches: Vec<TimeDelta>,
}

/// What a run gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Per listener.
    pub followers: Vec<FollowerRun>,
    /// Messages the room relayed to listeners, and pings answered.
    pub relayed: u64,
    /// Pings the room answered.
    pub pings: u64,
    /// True instants at which the singer's player jumped.
    pub leader_switches: Vec<TimeDelta>,
}
