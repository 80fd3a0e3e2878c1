//! The web page's follower (`room-service/web/sync/`, JavaScript) replays `sync-sim`'s
//! conformance vectors under node and makes exactly the Rust follower's decisions, output for
//! output; a vector changed in one bit must make it fail.

use std::process::Command;

use ktv_tests::process::workspace_root;

fn replay(vectors: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("ktv-web-follower-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("vectors-{}.json", vectors.len()));
    std::fs::write(&file, vectors).unwrap();
    let output = Command::new("node")
        .arg(workspace_root().join("room-service/web/sync/replay.mjs"))
        .arg(&file)
        .output()
        .expect("node is installed by scripts/setup");
    let _ = std::fs::remove_file(&file);
    output
}

#[test]
fn the_page_follower_matches_the_rust_follower_decision_for_decision() {
    let (_, recording) = sync_sim::record(&sync_sim::conformance_scenario(), 0);
    let steps = recording.steps.len();
    let json = serde_json::to_string(&recording).unwrap();
    let output = replay(&json);
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(said.contains(&format!("all {steps} steps match")), "{said}");

    // Changed input: one recorded rate decision off in its last digit must be caught.
    let mut changed = recording.clone();
    let step = changed
        .steps
        .iter_mut()
        .find_map(|s| {
            s.outputs.iter_mut().find_map(|o| match o {
                sync::Output::Steer(sync::Steer::Rate(rate)) => Some(rate),
                _ => None,
            })
        })
        .expect("the vectors hold a rate decision");
    *step = f64::from_bits(step.to_bits() + 1);
    let output = replay(&serde_json::to_string(&changed).unwrap());
    assert!(
        !output.status.success(),
        "a changed decision was not noticed"
    );
}
