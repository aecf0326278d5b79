//! `cognito-harness run` end to end through the binary: exit codes (configuration error,
//! unreachable target) and, against the embedded reference server, a complete run that writes
//! its reports.

use std::path::Path;

use assert_cmd::Command;

fn harness() -> Command {
    let mut cmd = Command::cargo_bin("cognito-harness").unwrap();
    // Plain progress lines, and no AWS settings from the machine running the tests.
    cmd.env_remove("AWS_PROFILE").env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn an_invalid_scenario_exits_2_with_located_errors_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "broken.yaml",
        "flows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps:\n      - get_usr\n",
    );
    let reports = dir.path().join("reports");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:5:", scenario.display())),
        "the error names file:line: {stderr}"
    );
    assert!(stderr.contains("get_usr"), "{stderr}");
    assert!(!reports.exists(), "no report for a run that never started");
}

#[test]
fn an_unreachable_endpoint_exits_3_without_a_report() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let scenario = write(
        dir.path(),
        "down.yaml",
        r#"
target:
  endpoint: http://127.0.0.1:1/
  region: us-east-1
  user_pool_id: us-east-1_Down
  client_id: nobody
flows:
  a:
    load: { executor: constant-arrival-rate, rate: 1, duration: 1s }
    steps:
      - client_credentials
"#,
    );
    let reports = dir.path().join("reports");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // client_credentials needs an OAuth domain: that is a configuration error, found first.
    assert_eq!(out.status.code(), Some(2), "{stderr}");

    let scenario = write(
        dir.path(),
        "down2.yaml",
        r#"
target:
  endpoint: http://127.0.0.1:1/
  region: us-east-1
  user_pool_id: us-east-1_Down
  client_id: nobody
flows:
  a:
    load: { executor: constant-arrival-rate, rate: 1, duration: 1s }
    steps:
      - sign_up
"#,
    );
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("unreachable"), "{stderr}");
    assert!(!reports.exists(), "no report when nothing answered");
}
