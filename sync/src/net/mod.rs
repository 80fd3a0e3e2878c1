//! Thin adapters that put the sans-IO core on real sockets: a peer loop over UDP or a
//! WebSocket ([`peer`]) and a room that answers pings and relays ([`room`]), with the host
//! clock they read ([`NetClock`]). No protocol decision is made here: feed input, drain
//! output, sleep until the deadline.

pub mod peer;
pub mod room;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::follower::Follower;
use crate::leader::Leader;
use crate::proto::Message;
use crate::steer::{Output, PlayerReport, Steer};
use crate::time::{HostClock, HostTime, TimeDelta};

/// A host clock read from the OS's monotonic clock: microseconds since `origin`, seen through
/// a [`HostClock`] skew (offset, drift) so that tests can give each peer a clock of its own.
#[derive(Debug, Clone)]
pub struct NetClock {
    origin: Instant,
    skew: HostClock,
}

impl NetClock {
    /// The machine's clock from now on, unskewed.
    #[allow(clippy::disallowed_methods)] // adapters are where the clock is read
    pub fn system() -> NetClock {
        NetClock::new(Instant::now(), HostClock::default())
    }

    /// The machine's clock from `origin`, seen through `skew`.
    pub fn new(origin: Instant, skew: HostClock) -> NetClock {
        NetClock { origin, skew }
    }

    /// The same origin, another skew.
    pub fn skewed(&self, skew: HostClock) -> NetClock {
        NetClock::new(self.origin, skew)
    }

    /// Unskewed time since the origin.
    pub fn true_now(&self) -> HostTime {
        HostTime::from_micros(self.origin.elapsed().as_micros() as i64)
    }

    /// This clock's reading now.
    pub fn now(&self) -> HostTime {
        self.skew.local(self.true_now())
    }

    /// The skew.
    pub fn skew(&self) -> &HostClock {
        &self.skew
    }

    /// The tokio instant at which this clock reads `local` (now if that has passed).
    pub fn instant_at(&self, local: HostTime) -> tokio::time::Instant {
        let ahead = (local - self.now()).max(TimeDelta::ZERO);
        let ahead = ahead.scaled(1.0 / (1.0 + self.skew.drift));
        tokio::time::Instant::now()
            + std::time::Duration::from_micros(ahead.as_micros().max(0) as u64)
    }
}

/// What a peer's adapter steers and listens to.
pub trait Player: Send {
    /// Does what the core asked, now.
    fn steer(&mut self, steer: &Steer);
    /// Where the player is (once per audio block).
    fn report(&mut self) -> Option<PlayerReport>;
}

impl<P: Player> Player for Arc<Mutex<P>> {
    fn steer(&mut self, steer: &Steer) {
        if let Ok(mut player) = self.lock() {
            player.steer(steer);
        }
    }

    fn report(&mut self) -> Option<PlayerReport> {
        self.lock().ok()?.report()
    }
}

/// A sync state machine an adapter can drive.
pub trait Machine: Send {
    /// A message from the room.
    fn handle_message(&mut self, now: HostTime, message: &Message);
    /// What the local player reports.
    fn handle_player(&mut self, now: HostTime, report: PlayerReport);
    /// The deadline came.
    fn handle_timeout(&mut self, now: HostTime);
    /// The next output.
    fn poll_output(&mut self) -> Output;
}

macro_rules! machine {
    ($type:ty) => {
        impl Machine for $type {
            fn handle_message(&mut self, now: HostTime, message: &Message) {
                <$type>::handle_message(self, now, message)
            }
            fn handle_player(&mut self, now: HostTime, report: PlayerReport) {
                <$type>::handle_player(self, now, report)
            }
            fn handle_timeout(&mut self, now: HostTime) {
                <$type>::handle_timeout(self, now)
            }
            fn poll_output(&mut self) -> Output {
                <$type>::poll_output(self)
            }
        }
    };
}

machine!(Leader);
machine!(Follower);
