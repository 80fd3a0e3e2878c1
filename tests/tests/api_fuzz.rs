//! schemathesis (from PyPI, installed by scripts/setup) generates requests from the served
//! OpenAPI description for a bounded number of examples per operation, authenticated as a
//! room's owner with the room's id filled in, so the calls reach the room logic: no response
//! may be a server error.

use std::path::PathBuf;
use std::process::Command;

use ktv_tests::process::{http_call, serve};
use serde_json::Value;

fn schemathesis() -> PathBuf {
    let venv = std::env::var_os("KTV_PYTHON_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/ktv/venv")
        });
    venv.join("bin/schemathesis")
}

#[test]
fn generated_requests_never_get_a_server_error() {
    let dir = std::env::temp_dir().join(format!("ktv-api-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("ktv.db");
    let (_server, url) = serve("127.0.0.1:0", &database);
    let (status, body) = http_call(
        "POST",
        &format!("{url}/api/rooms"),
        None,
        Some(r#"{"name": "fuzzed", "owner_name": "Owner"}"#),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let owner: Value = serde_json::from_str(&body).unwrap();
    std::fs::write(
        dir.join("schemathesis.toml"),
        format!(
            "[parameters]\n\"path.room\" = \"{}\"\n",
            owner["room"].as_str().unwrap()
        ),
    )
    .unwrap();
    let output = Command::new(schemathesis())
        .current_dir(&dir)
        .args(["run", &format!("{url}/api/openapi.json")])
        .args(["--checks", "not_a_server_error", "--max-examples", "25"])
        .args(["--request-timeout", "5", "--no-color"])
        .arg("--header")
        .arg(format!(
            "Authorization: Bearer {}.{}",
            owner["member"],
            owner["secret"].as_str().unwrap()
        ))
        .output()
        .expect("schemathesis is installed by scripts/setup");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("passed"), "{report}");
    assert!(
        !report.contains("Authentication failed"),
        "the calls did not get past authentication:\n{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
