//! A recorded follower's every input and output: conformance vectors that a port of the
//! follower (the web page's) replays to match the Rust follower's decisions, and the replay.

use serde::{Deserialize, Serialize};
use sync::{Follower, FollowerConfig, HostTime, Message, Output, PlayerReport, TimeDelta};

/// One input a recorded follower took, with what it output after it (drained up to its next
/// deadline): a conformance vector for ports of the follower (the web page's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The follower's clock at the input.
    pub now: HostTime,
    /// The input.
    pub input: Input,
    /// The outputs, the last always the next deadline.
    pub outputs: Vec<Output>,
}

/// An input to a follower.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum Input {
    /// `Follower::new(config, now)`.
    Start,
    /// `handle_message`.
    Message {
        /// The message.
        message: Message,
    },
    /// `handle_player`.
    Player {
        /// The report.
        report: PlayerReport,
    },
    /// `handle_timeout`.
    Timeout,
    /// `set_extra_delay`.
    ExtraDelay {
        /// The delay.
        delay: TimeDelta,
    },
}

/// Everything one follower of a run took and did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    /// Its settings.
    pub config: FollowerConfig,
    /// Its inputs and outputs, in order.
    pub steps: Vec<Step>,
}

impl Recording {
    /// Feeds the recorded inputs to a new follower and returns the first step whose outputs
    /// differ (its index, the recorded outputs, the replayed ones), if any.
    pub fn replay(&self) -> Option<(usize, Vec<Output>, Vec<Output>)> {
        let mut follower: Option<Follower> = None;
        for (i, step) in self.steps.iter().enumerate() {
            match (&step.input, follower.as_mut()) {
                (Input::Start, _) => follower = Some(Follower::new(self.config, step.now)),
                (Input::Message { message }, Some(f)) => f.handle_message(step.now, message),
                (Input::Player { report }, Some(f)) => f.handle_player(step.now, *report),
                (Input::Timeout, Some(f)) => f.handle_timeout(step.now),
                (Input::ExtraDelay { delay }, Some(f)) => f.set_extra_delay(step.now, *delay),
                (_, None) => return Some((i, step.outputs.clone(), Vec::new())),
            }
            let mut outputs = Vec::new();
            if let Some(f) = follower.as_mut() {
                loop {
                    let output = f.poll_output();
                    let done = matches!(output, Output::Timeout(_));
                    outputs.push(output);
                    if done {
                        break;
                    }
                }
            }
            if outputs != step.outputs {
                return Some((i, step.outputs.clone(), outputs));
            }
        }
        None
    }
}
