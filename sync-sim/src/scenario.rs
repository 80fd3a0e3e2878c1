//! What a simulated run is: the conditions (paths, clocks, players, settings), who joins
//! when and what the singer does when; the standard conditions and the conformance run.

use sync::{FollowerConfig, LeaderConfig, MediaTime, TimeDelta};

use crate::path::Path;
use crate::player::PlayerModel;

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
