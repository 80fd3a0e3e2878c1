//! The simulated player on a real clock, for loopback tests over real sockets.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sync::net::{NetClock, Player};
use sync::{HostTime, MediaTime, PlayerReport, Steer};

use crate::player::{PlayerModel, SimPlayer};

/// The simulator's player run in real time against a [`NetClock`] (loopback tests): it
/// prepares, starts within a block of the instant asked, drifts, reports with jitter.
#[derive(Debug)]
pub struct RealTimePlayer {
    player: SimPlayer,
    clock: NetClock,
    rng: ChaCha8Rng,
}

impl RealTimePlayer {
    /// A player on a host with `clock`, its sound card `device_drift` off.
    pub fn new(model: PlayerModel, device_drift: f64, clock: NetClock, seed: u64) -> Self {
        RealTimePlayer {
            player: SimPlayer::new(model, device_drift),
            clock,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// What is heard at unskewed instant `t` (since the clock's origin), and whether it
    /// moves: what a test compares between peers.
    pub fn heard_at(&mut self, t: HostTime) -> Option<(MediaTime, bool)> {
        self.player.position(t)
    }

    /// The clock this player's host reads.
    pub fn clock(&self) -> &NetClock {
        &self.clock
    }
}

impl Player for RealTimePlayer {
    fn steer(&mut self, steer: &Steer) {
        let now = self.clock.true_now();
        self.player
            .steer(now, steer, self.clock.skew(), &mut self.rng);
    }

    fn report(&mut self) -> Option<PlayerReport> {
        let now = self.clock.true_now();
        self.player.report(now, self.clock.skew(), &mut self.rng)
    }
}
