//! A simulated player that behaves like a real one: a start scheduled at a host instant
//! begins there within one audio block, after a preparation of 20–100 ms (late frames skipped
//! if it is ready only after the instant); a rate change takes effect after a delay; the
//! device's crystal runs a little fast or slow; positions are reported once per block with
//! jittered timestamps. Internally everything is in true time.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use sync::{HostClock, HostTime, MediaTime, PlayerReport, Steer, TimeDelta};

/// How the player behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlayerModel {
    /// The audio block (256 frames at 48 kHz).
    pub block: TimeDelta,
    /// A seek is ready after a time in this range.
    pub prepare: (TimeDelta, TimeDelta),
    /// A rate change is heard after this.
    pub rate_delay: TimeDelta,
    /// Reported timestamps are off by up to this.
    pub report_jitter: TimeDelta,
}

impl Default for PlayerModel {
    fn default() -> Self {
        PlayerModel {
            block: TimeDelta::from_micros(5_333),
            prepare: (TimeDelta::from_millis(20), TimeDelta::from_millis(100)),
            rate_delay: TimeDelta::from_millis(30),
            report_jitter: TimeDelta::from_micros(500),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Stopped,
    Paused(MediaTime),
    /// Heard from true instant `at` at `position`, moving.
    Playing {
        position: MediaTime,
        at: HostTime,
    },
}

/// The simulated player.
#[derive(Debug, Clone)]
pub struct SimPlayer {
    model: PlayerModel,
    /// The device's crystal error (song seconds per true second − 1 at rate 1).
    device_drift: f64,
    state: State,
    /// A scheduled start or pause: (true instant, position, playing after it).
    scheduled: Option<(HostTime, MediaTime, bool)>,
    tempo: f64,
    rate: f64,
    pending_rate: Option<(HostTime, f64)>,
    /// Starts and seeks done.
    pub starts: u32,
    /// True instants at which what is heard jumped (starts, seeks, pauses).
    pub switches: Vec<HostTime>,
}

impl SimPlayer {
    /// A stopped player whose device runs `device_drift` fast.
    pub fn new(model: PlayerModel, device_drift: f64) -> Self {
        SimPlayer {
            model,
            device_drift,
            state: State::Stopped,
            scheduled: None,
            tempo: 1.0,
            rate: 1.0,
            pending_rate: None,
            starts: 0,
            switches: Vec::new(),
        }
    }

    /// The audio block.
    pub fn block(&self) -> TimeDelta {
        self.model.block
    }

    fn speed(&self) -> f64 {
        self.tempo * self.rate * (1.0 + self.device_drift)
    }

    /// Applies what has become due by true instant `t`.
    fn update(&mut self, t: HostTime) {
        loop {
            let rate_due = self.pending_rate.filter(|(at, _)| *at <= t);
            let change_due = self.scheduled.filter(|(at, _, _)| *at <= t);
            match (rate_due, change_due) {
                (Some((ra, r)), Some((sa, _, _))) if ra <= sa => self.apply_rate(ra, r),
                (_, Some((sa, position, playing))) => {
                    self.scheduled = None;
                    self.switches.push(sa);
                    self.state = if playing {
                        State::Playing { position, at: sa }
                    } else {
                        State::Paused(position)
                    };
                }
                (Some((ra, r)), None) => self.apply_rate(ra, r),
                (None, None) => return,
            }
        }
    }

    fn apply_rate(&mut self, at: HostTime, rate: f64) {
        self.pending_rate = None;
        if let State::Playing { .. } = self.state {
            let position = self.position_now(at);
            self.state = State::Playing { position, at };
        }
        self.rate = rate;
    }

    fn position_now(&self, t: HostTime) -> MediaTime {
        match self.state {
            State::Stopped => MediaTime::ZERO,
            State::Paused(position) => position,
            State::Playing { position, at } => position + (t - at).scaled(self.speed()),
        }
    }

    /// The position heard at true instant `t` (None: nothing loaded) and whether it moves.
    pub fn position(&mut self, t: HostTime) -> Option<(MediaTime, bool)> {
        self.update(t);
        match self.state {
            State::Stopped => None,
            State::Paused(p) => Some((p, false)),
            State::Playing { .. } => Some((self.position_now(t), true)),
        }
    }

    /// Carries out `steer` given at true instant `now` on a host with `clock`.
    pub fn steer(&mut self, now: HostTime, steer: &Steer, clock: &HostClock, rng: &mut ChaCha8Rng) {
        self.update(now);
        match steer {
            Steer::Load(start) => {
                self.tempo = f64::from(start.tempo);
                self.state = State::Paused(MediaTime::ZERO);
                self.scheduled = None;
            }
            Steer::PlayAt { position, at } => {
                let block = self.model.block.as_micros();
                let wanted =
                    clock.true_time(*at) + TimeDelta::from_micros(rng.random_range(-block..=block));
                let (lo, hi) = self.model.prepare;
                let ready =
                    now + TimeDelta::from_micros(rng.random_range(lo.as_micros()..=hi.as_micros()));
                let start = if ready <= wanted {
                    (wanted, *position, true)
                } else {
                    // Late: start when ready, skipping what should have been heard by then.
                    (
                        ready,
                        *position + (ready - wanted).scaled(self.tempo * self.rate),
                        true,
                    )
                };
                self.scheduled = Some(start);
                self.starts += 1;
            }
            Steer::Pause { position, at } => {
                let block = self.model.block.as_micros();
                let when =
                    clock.true_time(*at) + TimeDelta::from_micros(rng.random_range(-block..=block));
                if when <= now {
                    self.scheduled = None;
                    self.switches.push(now);
                    self.state = State::Paused(*position);
                } else {
                    self.scheduled = Some((when, *position, false));
                }
            }
            Steer::Rate(rate) => self.pending_rate = Some((now + self.model.rate_delay, *rate)),
            Steer::Stop => {
                self.scheduled = None;
                self.state = State::Stopped;
            }
        }
    }

    /// What the player reports at true instant `t` (a block boundary).
    pub fn report(
        &mut self,
        t: HostTime,
        clock: &HostClock,
        rng: &mut ChaCha8Rng,
    ) -> Option<PlayerReport> {
        let (position, playing) = self.position(t)?;
        let jitter = self.model.report_jitter.as_micros();
        let at = clock.local(t) + TimeDelta::from_micros(rng.random_range(-jitter..=jitter));
        Some(PlayerReport {
            position,
            at,
            playing,
        })
    }
}
