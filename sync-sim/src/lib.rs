//! The seeded simulator of the sync protocol and the impairments tests put on real sockets:
//! for tests and benches only, never a dependency of a production crate.
//!
//! Layout:
//! - [`run()`] ([`run`](mod@run)) steps a room (the time reference and relay), a singer's
//!   `Leader` and N `Follower`s through a [`Scenario`] ([`scenario`]): each on a host whose
//!   clock has its own offset, drift and jumps (`sync::HostClock`), each with a [`SimPlayer`]
//!   ([`player`]), talking through [`Path`]s ([`path`]) with latency, jitter, loss,
//!   duplication and reordering. Ten simulated minutes take seconds.
//! - [`Outcome`] ([`outcome`]): the alignment, measured on the players in true time — a
//!   follower's heard position minus the singer's (less its extra delay), never the
//!   followers' own estimates; [`percentiles`] ([`stats`]) summarises it.
//! - [`record`] and [`Recording`] ([`recording`]): one follower's every input and output,
//!   the conformance vectors ports of the follower replay.
//! - On real sockets: [`RealTimePlayer`] ([`realtime`]), the simulated player against a
//!   `sync::net::NetClock`, and [`proxy`], an impairment proxy with the same [`Path`] model.

#![warn(clippy::unwrap_used)] // a test driver's input must not panic it either

pub mod outcome;
pub mod path;
pub mod player;
pub mod proxy;
pub mod realtime;
pub mod recording;
pub mod run;
pub mod scenario;
pub mod stats;

pub use outcome::{FollowerRun, Outcome, Sample};
pub use path::Path;
pub use player::{PlayerModel, SimPlayer};
pub use realtime::RealTimePlayer;
pub use recording::{Input, Recording, Step};
pub use run::{record, run};
pub use scenario::{Command, Scenario, conformance_scenario};
pub use stats::percentiles;
