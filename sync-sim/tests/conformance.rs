//! Conformance vectors: a listener's every input and output through a simulated song with
//! pauses, a seek and a delay change, recorded from the simulator. Replaying the inputs into a
//! fresh follower gives the same outputs (the follower depends on nothing but its inputs), and
//! the vectors survive JSON: what a port of the follower (the web page's) replays to match the
//! Rust follower's decisions.

use sync::{Output, TimeDelta};
use sync_sim::{self as sim, Input, Recording};

#[test]
fn a_recorded_follower_replays_to_the_same_decisions_through_json() {
    let (_, recording) = sim::record(&sim::conformance_scenario(), 0);
    let count = |f: fn(&Input) -> bool| recording.steps.iter().filter(|s| f(&s.input)).count();
    assert!(count(|i| matches!(i, Input::Message { .. })) > 300);
    assert!(count(|i| matches!(i, Input::Player { .. })) > 5_000);
    assert_eq!(count(|i| matches!(i, Input::ExtraDelay { .. })), 1);
    let steers = recording
        .steps
        .iter()
        .flat_map(|s| &s.outputs)
        .filter(|o| matches!(o, Output::Steer(_)))
        .count();
    assert!(steers > 10, "{steers} steering decisions");

    assert_eq!(recording.replay(), None);
    let json = serde_json::to_string(&recording).unwrap();
    // Ports replay the same vectors: `KTV_SYNC_VECTORS=file` writes them there.
    if let Some(path) = std::env::var_os("KTV_SYNC_VECTORS") {
        std::fs::write(path, &json).unwrap();
    }
    let back: Recording = serde_json::from_str(&json).unwrap();
    assert_eq!(back.replay(), None);

    // Changed input: a follower with another seek threshold decides differently somewhere.
    let mut other = back.clone();
    other.config.deadband = TimeDelta::from_millis(5);
    assert!(
        other.replay().is_some(),
        "a different follower matched the vectors"
    );
}
