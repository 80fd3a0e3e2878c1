//! The event loop: a room (the time reference and relay), a singer's [`Leader`] and the
//! listeners' [`Follower`]s, each on a host with its own [`HostClock`] and [`SimPlayer`],
//! talking through [`Path`]s. Time advances from event to event (str0m's `progress()`), so ten
//! simulated minutes take seconds. Every message goes through the binary wire format.

mod measure;
mod relay;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sync::{
    Follower, FollowerStats, HostClock, HostTime, Leader, Output, SongInfo, Steer, TimeDelta,
    TrackMode, wire,
};

use crate::outcome::{FollowerRun, Outcome};
use crate::path::Path;
use crate::player::SimPlayer;
use crate::recording::{Input, Recording, Step};
use crate::scenario::{Command, Scenario};

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
                    if let (Party::Follower(i), Steer::PlayAt { .. }) = (party, &steer) {
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
}
