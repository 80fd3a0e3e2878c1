//! A seeded simulator: a room (the time reference and relay), a singer's [`Leader`] and N
//! [`Follower`]s, each on a host whose clock has its own offset, drift and jumps, each with a
//! [`SimPlayer`], talking through [`Path`]s with latency, jitter, loss, duplication and
//! reordering. Time advances from event to event (str0m's `progress()`), so ten simulated
//! minutes take seconds. Every message goes through the binary wire format.
//!
//! The alignment error is measured on the players, in true time: a follower's heard position
//! minus the singer's heard position (less the follower's extra delay), never from the
//! followers' own estimates.

pub mod clock;
pub mod net;
pub mod player;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use clock::HostClock;
pub use net::Path;
pub use player::{PlayerModel, SimPlayer};

use serde::{Deserialize, Serialize};

use crate::follower::{Follower, FollowerConfig, FollowerStats};
use crate::leader::{Leader, LeaderConfig, SongInfo};
use crate::ping;
use crate::proto::{Message, TrackMode};
use crate::steer::{Output, PlayerReport};
use crate::time::{HostTime, MediaTime, TimeDelta};
use crate::wire;

/// Something the singer (or a listener's app) does at a moment of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// The singer starts the song at a position.
    Start(MediaTime),
    /// The singer pauses.
    Pause,
    /// The singer resumes.
    Resume,
    /// The singer jumps.
    Seek(MediaTime),
    /// The singer stops.
    Stop,
    /// A listener changes its extra delay.
    ExtraDelay {
        /// Which listener.
        follower: usize,
        /// The new delay.
        delay: TimeDelta,
    },
}

/// A run to simulate.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Seeds every random draw.
    pub seed: u64,
    /// How long, in true time.
    pub duration: TimeDelta,
    /// When each listener joins (true time); one listener per entry.
    pub joins: Vec<TimeDelta>,
    /// The singer's path to the room and back.
    pub leader_path: (Path, Path),
    /// Each listener's path to the room and back.
    pub follower_path: (Path, Path),
    /// Host clocks drift by up to this either way (100e-6: ±100 ppm), sound cards by a
    /// tenth of it.
    pub max_drift: f64,
    /// Clock jumps: (host, true instant, by); host 0 is the singer, i + 1 listener i.
    pub jumps: Vec<(usize, TimeDelta, TimeDelta)>,
    /// The players.
    pub player: PlayerModel,
    /// The singer's settings.
    pub leader: LeaderConfig,
    /// The listeners' settings.
    pub follower: FollowerConfig,
    /// What happens when.
    pub script: Vec<(TimeDelta, Command)>,
    /// How often the alignment is sampled.
    pub sample_every: TimeDelta,
}

impl Scenario {
    /// The conditions: 40 ms ± 20 ms each way, 5% loss, 1% duplicates and reorders,
    /// ±100 ppm clocks; `followers` listeners joining in the first seconds; the song starts
    /// at 1 s and plays for `duration`.
    pub fn standard(seed: u64, followers: usize, duration: TimeDelta) -> Scenario {
        Scenario {
            seed,
            duration,
            joins: (0..followers)
                .map(|i| TimeDelta::from_millis(300 + 700 * i as i64))
                .collect(),
            leader_path: (Path::lossy(), Path::lossy()),
            follower_path: (Path::lossy(), Path::lossy()),
            max_drift: 100e-6,
            jumps: Vec::new(),
            player: PlayerModel::default(),
            leader: LeaderConfig::default(),
            follower: FollowerConfig::default(),
            script: vec![(
                TimeDelta::from_millis(1_000),
                Command::Start(MediaTime::ZERO),
            )],
            sample_every: TimeDelta::from_millis(10),
        }
    }
}

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

/// The run conformance vectors come from: two listeners through the standard conditions for
/// 40 s, with a pause, a resume, a seek and a change of listener 0's extra delay.
pub fn conformance_scenario() -> Scenario {
    let ms = TimeDelta::from_millis;
    let mut scenario = Scenario::standard(77, 2, ms(40_000));
    scenario.script.extend([
        (ms(12_000), Command::Pause),
        (ms(14_000), Command::Resume),
        (ms(20_000), Command::Seek(MediaTime::from_millis(60_000))),
        (
            ms(25_000),
            Command::ExtraDelay {
                follower: 0,
                delay: ms(20),
            },
        ),
    ]);
    scenario
}

/// Runs `scenario` recording listener `follower`'s every input and output.
pub fn record(scenario: &Scenario, follower: usize) -> (Outcome, Recording) {
    let mut sim = Sim::new(scenario);
    sim.record = Some(follower);
    sim.start();
    sim.run();
    let recording = Recording {
        config: scenario.follower,
        steps: std::mem::take(&mut sim.recording),
    };
    (sim.finish(), recording)
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Party {
    Room,
    Leader,
    Follower(usize),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// A packet arrives: from, to, bytes.
    Deliver(Party, Party, Vec<u8>),
    /// A party's deadline (with the generation it was set in).
    Wake(Party, u64),
    /// A party's player reports (a block boundary).
    Report(Party),
    /// Alignment sample.
    Sample,
    /// Script entry.
    Script(usize),
    /// Listener joins.
    Join(usize),
}

struct Host {
    clock: HostClock,
    player: SimPlayer,
    /// The deadline generation.
    generation: u64,
}

struct Sim {
    scenario: Scenario,
    rng: ChaCha8Rng,
    now: HostTime,
    seq: u64,
    queue: BinaryHeap<Reverse<(HostTime, u64, Event)>>,
    room_clock: HostClock,
    leader_host: Host,
    leader: Leader,
    hosts: Vec<Host>,
    followers: Vec<Option<Follower>>,
    runs: Vec<FollowerRun>,
    /// The room's latest song start and latest transport message, for joiners.
    last_start: Option<Vec<u8>>,
    last_transport: Option<Vec<u8>>,
    relayed: u64,
    pings: u64,
    /// The listener being recorded, and its steps.
    record: Option<usize>,
    recording: Vec<Step>,
}

/// Runs `scenario` to its end.
pub fn run(scenario: &Scenario) -> Outcome {
    let mut sim = Sim::new(scenario);
    sim.start();
    sim.run();
    sim.finish()
}

impl Sim {
    fn new(scenario: &Scenario) -> Sim {
        let mut rng = ChaCha8Rng::seed_from_u64(scenario.seed);
        let host = |index: usize, rng: &mut ChaCha8Rng| {
            let drift = scenario.max_drift;
            let clock = HostClock {
                offset: TimeDelta::from_micros(rng.random_range(-3_600_000_000..3_600_000_000)),
                drift: if drift > 0.0 {
                    rng.random_range(-drift..=drift)
                } else {
                    0.0
                },
                jumps: scenario
                    .jumps
                    .iter()
                    .filter(|(h, _, _)| *h == index)
                    .map(|&(_, at, by)| (HostTime::ZERO + at, by))
                    .collect(),
            };
            let device = if drift > 0.0 {
                rng.random_range(-drift..=drift) / 10.0
            } else {
                0.0
            };
            Host {
                clock,
                player: SimPlayer::new(scenario.player, device),
                generation: 0,
            }
        };
        let room_clock = host(usize::MAX, &mut rng).clock;
        let leader_host = host(0, &mut rng);
        let hosts: Vec<Host> = (0..scenario.joins.len())
            .map(|i| host(i + 1, &mut rng))
            .collect();
        let leader = Leader::new(
            scenario.leader,
            rng.random(),
            leader_host.clock.local(HostTime::ZERO),
        );
        Sim {
            scenario: scenario.clone(),
            rng,
            now: HostTime::ZERO,
            seq: 0,
            queue: BinaryHeap::new(),
            room_clock,
            leader_host,
            leader,
            hosts,
            followers: (0..scenario.joins.len()).map(|_| None).collect(),
            runs: scenario
                .joins
                .iter()
                .map(|&joined| FollowerRun {
                    joined,
                    samples: Vec::new(),
                    stats: FollowerStats::default(),
                    starts: Vec::new(),
                    clock_jumps: 0,
                    switches: Vec::new(),
                })
                .collect(),
            last_start: None,
            last_transport: None,
            relayed: 0,
            pings: 0,
            record: None,
            recording: Vec::new(),
        }
    }

    fn finish(self) -> Outcome {
        let mut sim = self;
        let since = |switches: &[HostTime]| -> Vec<TimeDelta> {
            switches.iter().map(|&t| t - HostTime::ZERO).collect()
        };
        for ((run, follower), host) in sim.runs.iter_mut().zip(&sim.followers).zip(&sim.hosts) {
            if let Some(follower) = follower {
                run.stats = follower.stats();
                run.clock_jumps = follower.pinger().estimator().jumps();
            }
            run.switches = since(&host.player.switches);
        }
        let leader_switches = since(&sim.leader_host.player.switches);
        Outcome {
            followers: sim.runs,
            relayed: sim.relayed,
            pings: sim.pings,
            leader_switches,
        }
    }

    /// Notes an input to listener `i` if it is the one recorded.
    fn note(&mut self, i: usize, now: HostTime, input: Input) {
        if self.record == Some(i) {
            self.recording.push(Step {
                now,
                input,
                outputs: Vec::new(),
            });
        }
    }

    fn at(&mut self, t: HostTime, event: Event) {
        self.seq += 1;
        self.queue.push(Reverse((t, self.seq, event)));
    }

    fn start(&mut self) {
        for i in 0..self.scenario.script.len() {
            let t = HostTime::ZERO + self.scenario.script[i].0;
            self.at(t, Event::Script(i));
        }
        for i in 0..self.scenario.joins.len() {
            let t = HostTime::ZERO + self.scenario.joins[i];
            self.at(t, Event::Join(i));
        }
        self.at(HostTime::ZERO, Event::Sample);
        self.at(HostTime::ZERO, Event::Report(Party::Leader));
        self.drain(Party::Leader);
    }

    fn run(&mut self) {
        let end = HostTime::ZERO + self.scenario.duration;
        let mut same_instant = 0u32;
        while let Some(Reverse((t, _, event))) = self.queue.pop() {
            if t > end {
                break;
            }
            same_instant = if t == self.now { same_instant + 1 } else { 0 };
            // A state machine that keeps asking to be woken at the same instant is a bug.
            assert!(same_instant < 100_000, "no progress at {t:?}: {event:?}");
            self.now = t;
            self.handle(event);
        }
    }

    fn host(&mut self, party: Party) -> &mut Host {
        match party {
            Party::Follower(i) => &mut self.hosts[i],
            _ => &mut self.leader_host,
        }
    }

    fn handle(&mut self, event: Event) {
        let now = self.now;
        match event {
            Event::Deliver(from, to, bytes) => self.deliver(from, to, &bytes),
            Event::Wake(party, generation) => {
                if self.host(party).generation != generation {
                    return;
                }
                let local = self.host(party).clock.local(now);
                match party {
                    Party::Leader => self.leader.handle_timeout(local),
                    Party::Follower(i) => {
                        if let Some(f) = self.followers[i].as_mut() {
                            f.handle_timeout(local);
                            self.note(i, local, Input::Timeout);
                        }
                    }
                    Party::Room => {}
                }
                self.drain(party);
            }
            Event::Report(party) => {
                let block = self.host(party).player.block();
                self.report(party);
                self.at(now + block, Event::Report(party));
            }
            Event::Sample => {
                self.sample();
                let every = self.scenario.sample_every;
                self.at(now + every, Event::Sample);
            }
            Event::Script(i) => self.script(i),
            Event::Join(i) => {
                let local = self.hosts[i].clock.local(now);
                self.followers[i] = Some(Follower::new(self.scenario.follower, local));
                self.note(i, local, Input::Start);
                // The room gives a joiner the song that is on, as it will on a real join.
                for bytes in [self.last_start.clone(), self.last_transport.clone()]
                    .into_iter()
                    .flatten()
                {
                    self.send(Party::Room, Party::Follower(i), bytes);
                }
                self.at(now, Event::Report(Party::Follower(i)));
                self.drain(Party::Follower(i));
            }
        }
    }

    fn report(&mut self, party: Party) {
        let now = self.now;
        let host = match party {
            Party::Follower(i) => &mut self.hosts[i],
            _ => &mut self.leader_host,
        };
        let Some(report) = host.player.report(now, &host.clock, &mut self.rng) else {
            return;
        };
        let local = host.clock.local(now);
        match party {
            Party::Leader => self.leader.handle_player(local, report),
            Party::Follower(i) => {
                if let Some(f) = self.followers[i].as_mut() {
                    f.handle_player(local, report);
                    self.note(i, local, Input::Player { report });
                }
            }
            Party::Room => {}
        }
        self.drain(party);
    }

    fn script(&mut self, i: usize) {
        let local = self.leader_host.clock.local(self.now);
        match self.scenario.script[i].1.clone() {
            Command::Start(from) => self.leader.start(
                local,
                SongInfo {
                    song_id: "jasmine".into(),
                    media: "/media/jasmine".into(),
                    track_mode: TrackMode::Accompaniment,
                    key: 0.0,
                    tempo: 1.0,
                },
                from,
            ),
            Command::Pause => self.leader.pause(local),
            Command::Resume => self.leader.resume(local),
            Command::Seek(to) => self.leader.seek(local, to),
            Command::Stop => self.leader.stop(local),
            Command::ExtraDelay { follower, delay } => {
                let local = self.hosts[follower].clock.local(self.now);
                if let Some(f) = self.followers[follower].as_mut() {
                    f.set_extra_delay(local, delay);
                    self.note(follower, local, Input::ExtraDelay { delay });
                }
                self.drain(Party::Follower(follower));
                return;
            }
        }
        self.drain(Party::Leader);
    }

    /// Carries out a party's outputs until its next deadline.
    fn drain(&mut self, party: Party) {
        loop {
            let output = match party {
                Party::Leader => self.leader.poll_output(),
                Party::Follower(i) => match self.followers[i].as_mut() {
                    Some(f) => f.poll_output(),
                    None => return,
                },
                Party::Room => return,
            };
            if let Party::Follower(i) = party
                && self.record == Some(i)
                && let Some(step) = self.recording.last_mut()
            {
                step.outputs.push(output.clone());
            }
            match output {
                Output::Send(message) => {
                    if let Ok(bytes) = wire::encode(&message) {
                        self.send(party, Party::Room, bytes);
                    }
                }
                Output::Steer(steer) => {
                    if let (Party::Follower(i), crate::Steer::PlayAt { .. }) = (party, &steer) {
                        self.runs[i].starts.push(self.now - HostTime::ZERO);
                    }
                    let now = self.now;
                    let host = match party {
                        Party::Follower(i) => &mut self.hosts[i],
                        _ => &mut self.leader_host,
                    };
                    host.player.steer(now, &steer, &host.clock, &mut self.rng);
                }
                Output::Timeout(deadline) => {
                    let now = self.now;
                    let host = self.host(party);
                    host.generation += 1;
                    let generation = host.generation;
                    // From the clock's reading now (it may have jumped), not from its origin.
                    let ahead = deadline - host.clock.local(now);
                    let mut at = now + ahead.scaled(1.0 / (1.0 + host.clock.drift));
                    if ahead > TimeDelta::ZERO {
                        // Rounding must not leave a deadline due at the same instant forever.
                        at = at.max(now + TimeDelta::from_micros(1));
                    }
                    let at = at.max(now);
                    self.at(at, Event::Wake(party, generation));
                    return;
                }
            }
        }
    }

    fn path(&self, from: Party, to: Party) -> Path {
        match (from, to) {
            (Party::Leader, _) => self.scenario.leader_path.0,
            (_, Party::Leader) => self.scenario.leader_path.1,
            (Party::Follower(_), _) => self.scenario.follower_path.0,
            _ => self.scenario.follower_path.1,
        }
    }

    fn send(&mut self, from: Party, to: Party, bytes: Vec<u8>) {
        let path = self.path(from, to);
        let delays: Vec<TimeDelta> = path.deliveries(&mut self.rng).collect();
        for delay in delays {
            let t = self.now + delay;
            self.at(t, Event::Deliver(from, to, bytes.clone()));
        }
    }

    fn deliver(&mut self, from: Party, to: Party, bytes: &[u8]) {
        let Ok(Some(message)) = wire::decode(bytes) else {
            return;
        };
        match to {
            Party::Room => self.room(from, message, bytes),
            Party::Leader => {
                let local = self.leader_host.clock.local(self.now);
                self.leader.handle_message(local, &message);
                self.drain(Party::Leader);
            }
            Party::Follower(i) => {
                let local = self.hosts[i].clock.local(self.now);
                if let Some(f) = self.followers[i].as_mut() {
                    f.handle_message(local, &message);
                    self.note(i, local, Input::Message { message });
                }
                self.drain(Party::Follower(i));
            }
        }
    }

    fn room(&mut self, from: Party, message: Message, bytes: &[u8]) {
        let room_now = self.room_clock.local(self.now);
        match &message {
            Message::Ping(p) => {
                self.pings += 1;
                // The room answers at once: t2 = t3 here, as a busy room would be a little later.
                let pong = ping::answer(p, room_now, room_now);
                if let Ok(bytes) = wire::encode(&Message::Pong(pong)) {
                    self.send(Party::Room, from, bytes);
                }
            }
            Message::Pong(_) => {}
            _ if from == Party::Leader => {
                if matches!(message, Message::SongStart(_)) {
                    self.last_start = Some(bytes.to_vec());
                }
                if matches!(message, Message::Stop(_)) {
                    self.last_start = None;
                }
                self.last_transport = Some(bytes.to_vec());
                for i in 0..self.followers.len() {
                    if self.followers[i].is_some() {
                        self.relayed += 1;
                        self.send(Party::Room, Party::Follower(i), bytes.to_vec());
                    }
                }
            }
            _ => {}
        }
    }

    fn sample(&mut self) {
        let now = self.now;
        let leader = self.leader_host.player.position(now);
        let room = self.room_clock.local(now);
        let leader_clock = self
            .leader
            .pinger()
            .estimate()
            .map(|e| e.to_room(self.leader_host.clock.local(now)) - room);
        let true_drift =
            |host: &HostClock| (1.0 + self.room_clock.drift) / (1.0 + host.drift) - 1.0;
        let leader_drift = self
            .leader
            .pinger()
            .estimate()
            .map(|e| (e.drift - true_drift(&self.leader_host.clock)) * 1e6);
        for i in 0..self.followers.len() {
            let Some(follower) = self.followers[i].as_ref() else {
                continue;
            };
            let extra = follower.extra_delay();
            let mine = self.hosts[i].player.position(now);
            let recent = |switches: &[HostTime], within: TimeDelta| {
                switches
                    .last()
                    .is_some_and(|&t| now >= t && now - t <= within)
            };
            let both_paused = matches!((leader, mine), (Some((_, false)), Some((_, false))));
            let switching = recent(&self.hosts[i].player.switches, TimeDelta::from_millis(25))
                || recent(
                    &self.leader_host.player.switches,
                    TimeDelta::from_millis(25),
                )
                || both_paused
                    && recent(
                        &self.leader_host.player.switches,
                        TimeDelta::from_millis(400),
                    );
            // Every moment both have a song, moving or not: transitions count.
            let (error, paused_error) = match (leader, mine) {
                (Some((l, false)), Some((f, false))) => (Some(f - l), Some(f - l)),
                (Some((l, _)), Some((f, _))) => (Some((f - l) + extra), None),
                _ => (None, None),
            };
            let clock = follower
                .pinger()
                .estimate()
                .map(|e| e.to_room(self.hosts[i].clock.local(now)) - room);
            self.runs[i].samples.push(Sample {
                at: now - HostTime::ZERO,
                error,
                paused_error,
                clock_error: (clock, leader_clock),
                drift_error: (
                    follower
                        .pinger()
                        .estimate()
                        .map(|e| (e.drift - true_drift(&self.hosts[i].clock)) * 1e6),
                    leader_drift,
                ),
                switching,
            });
        }
    }
}

/// Alignment statistics over a set of samples: (p50, p99, max) of |error|, in ms.
pub fn percentiles(errors: impl IntoIterator<Item = TimeDelta>) -> Option<(f64, f64, f64)> {
    let mut values: Vec<f64> = errors
        .into_iter()
        .map(|e| e.abs().as_millis_f64())
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((at(0.5), at(0.99), at(1.0)))
}
