//! `scripts/setup` installs only what is missing: run twice in a row, the second run does
//! nothing and says so.

use std::process::Command;

use ktv_tests::process::workspace_root;

fn run_setup() -> String {
    let output = Command::new(workspace_root().join("scripts/setup"))
        .output()
        .expect("cannot run scripts/setup");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "scripts/setup failed:\n{text}");
    text
}

#[test]
fn second_setup_run_does_nothing_and_says_so() {
    run_setup();
    let second = run_setup();
    assert!(
        second.contains("nothing to do"),
        "the second run did not say it had nothing to do:\n{second}"
    );
    assert!(
        !second.contains("installing"),
        "the second run installed something:\n{second}"
    );
}
