//! `cognito-harness run` end to end through the binary: exit codes (configuration error,
//! unreachable target) and, against the embedded reference server, a complete run that writes
//! its reports.

mod cli_support;

use cli_support::{harness, harness_process, only_summary, write};

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
fn a_step_whose_tokens_cannot_exist_exits_2_before_any_traffic() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "tokenless.yaml",
        r#"
setup: { users: 2 }
flows:
  a:
    load: { executor: constant-vus, vus: 2, duration: 2s }
    steps:
      - password_sign_in:
          expect: { error: NotAuthorizedException }
      - change_password
thresholds:
  run: ["error_rate<1%"]
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
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:9:9: flows.a.steps[1].change_password: needs a user's access token",
            scenario.display()
        )),
        "located, naming the step and what it needs: {stderr}"
    );
    assert!(
        stderr.contains("add a sign-in expected to succeed"),
        "{stderr}"
    );
    assert!(!reports.exists(), "no traffic, no report");
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
setup: { keep: true }
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

#[test]
fn a_failed_threshold_exits_10_and_still_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "short.yaml",
        r#"
target: embedded
setup: { users: 2, password: "Short-Pa55word!" }
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 5, duration: 1s }
    steps:
      - password_sign_in
      - get_user
thresholds:
  run: ["count>1000", "error_rate==0"]
"#,
    );
    let reports = dir.path().join("reports");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .arg("--quiet")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(10), "{stdout}");
    assert!(stdout.contains("✗ run count>1000  count="), "{stdout}");
    assert!(
        !stdout.contains("Short-Pa55word!"),
        "no secret in the output"
    );
    let summary = only_summary(&reports);
    assert_eq!(summary["passed"], false);
    assert_eq!(summary["partial"], false);
    assert_eq!(summary["target"], "embedded");
    // 5 iterations of two requests each, all answered.
    assert_eq!(summary["summary"]["run"]["count"], 10);
    assert_eq!(summary["summary"]["run"]["ok"], 10);
    assert_eq!(summary["thresholds"][1]["passed"], true);
    assert!(!summary.to_string().contains("Short-Pa55word!"));
}

#[cfg(unix)]
#[test]
fn sigterm_writes_a_partial_report_and_exits_130() {
    use std::io::BufRead as _;
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "long.yaml",
        r#"
target: embedded
setup: { users: 2 }
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 5, duration: 10m }
    steps:
      - password_sign_in
"#,
    );
    let reports = dir.path().join("reports");
    let mut child = harness_process()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first progress line: traffic is flowing.
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    loop {
        let line = lines.next().expect("progress before the end").unwrap();
        if line.contains("sign_in:") {
            break;
        }
    }
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    // Drain stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let summary = only_summary(&reports);
    assert_eq!(summary["partial"], true);
    assert!(summary["summary"]["run"]["count"].as_u64().unwrap() > 0);
}

#[test]
fn duration_and_rate_scale_shrink_plan_and_run_alike_and_out_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "long.yaml",
        r#"
target: embedded
setup: { users: 2, password: "${env.PW}" }
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 10, duration: 10m }
    steps:
      - password_sign_in
"#,
    );
    let flags = [
        "--duration",
        "1s",
        "--rate-scale",
        "0.5",
        "-e",
        "PW=Short-Pa55word!",
    ];
    let out = harness()
        .arg("plan")
        .arg(&scenario)
        .args(flags)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["run_seconds"], 1.0);
    assert_eq!(plan["flows"][0]["iterations"], 5.0);

    let reports = dir.path().join("out");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .args(flags)
        .arg("--out")
        .arg(&reports)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let summary = only_summary(&reports);
    assert_eq!(
        summary["summary"]["run"]["count"], 5,
        "the plan's 5 iterations"
    );
    assert_eq!(summary["summary"]["run"]["ok"], 5);
}

#[test]
fn bad_override_flags_and_an_undefined_env_reference_exit_2_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "env.yaml",
        "setup: { users: 1, password: \"${env.CH_TEST_UNSET_PW}\" }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [srp_sign_in]\n",
    );
    for (flags, expected) in [
        (vec![], "pass `-e CH_TEST_UNSET_PW=VALUE`"),
        (vec!["-e", "1X=y"], "-e: `1X` is not a variable name"),
        (
            vec!["--duration", "0s"],
            "--duration: must be longer than 0s",
        ),
        (
            vec!["--rate-scale", "0"],
            "--rate-scale: `0` is not a factor greater than 0",
        ),
    ] {
        let out = harness()
            .arg("plan")
            .arg(&scenario)
            .args(&flags)
            .env_remove("CH_TEST_UNSET_PW")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(expected), "{flags:?}: {stderr}");
    }
    let located = format!("{}:1:30: setup.password", scenario.display());
    let out = harness().arg("plan").arg(&scenario).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains(&located));
}

#[test]
fn a_sign_in_password_reads_the_iterations_csv_row() {
    use std::io::BufRead as _;
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "serve.yaml",
        "pools:\n  - name: csv\n    id: us-east-1_CsvRows\n    clients:\n      - name: app\n        id: csvclient\n        explicit_auth_flows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]\n    users:\n      - { username: alice, password: \"Alice-Pa55word!\" }\n      - { username: bob, password: \"Bob-Pa55word!!\" }\n",
    );
    let mut server = harness_process()
        .args(["serve", "--port", "0", "--config"])
        .arg(&config)
        .env_remove("COGNITO_HARNESS_ADMIN_CREDENTIALS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let endpoint = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("listening on ")
                .nth(1)
                .map(|u| u.trim().to_owned())
        });
    let Some(endpoint) = endpoint else {
        let _ = server.kill();
        panic!("serve did not listen");
    };
    // The password column is wrong on purpose: only `${row.real}` signs in.
    write(
        dir.path(),
        "users.csv",
        "username,password,real\nalice,wrong,Alice-Pa55word!\nbob,wrong,Bob-Pa55word!!\n",
    );
    let scenario = write(
        dir.path(),
        "rows.yaml",
        &format!(
            "target:\n  endpoint: {endpoint}\n  region: us-east-1\n  user_pool_id: us-east-1_CsvRows\n  client_id: csvclient\nsetup: {{ csv: users.csv, keep: true }}\nflows:\n  a:\n    load: {{ executor: constant-arrival-rate, rate: 4, duration: 1s }}\n    steps:\n      - password_sign_in: {{ password: \"${{row.real}}\" }}\n"
        ),
    );
    let reports = dir.path().join("out");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&reports)
        .arg("--quiet")
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("Pa55word"), "no row value in the output");
    let summary = only_summary(&reports);
    assert_eq!(summary["summary"]["run"]["count"], 4);
    assert_eq!(summary["summary"]["run"]["ok"], 4, "{summary}");
    assert!(!summary.to_string().contains("Pa55word"));
}
