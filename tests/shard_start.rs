//! `run --start-at`: shards of one run anchored at a common start instant send together
//! however far apart their processes started, and `merge` keeps every iteration.

mod cli_support;

use std::time::Duration;

use cli_support::harness;
use cognito_harness::report::RunReport;
use cognito_harness::shard;

const STAGGERED: &str = r#"
description: three shards started a second apart
target: embedded
flows:
  sign_up:
    load: { executor: constant-arrival-rate, rate: 30, duration: 3s, pre_allocated_vus: 6 }
    steps:
      - sign_up: { username: "staggered-{n}" }
thresholds:
  run: ["error_rate==0"]
"#;

/// Three shard processes given one start instant eight seconds ahead, started 0, 1 and 2 s
/// apart (a debug build took up to 4.5 s to reach the wait on a busy 2-core machine, so the
/// last shard has six seconds): the merged timeline has the scenario's whole rate from its
/// first second, and every scheduled iteration is in the merge.
#[test]
fn staggered_shards_with_one_start_instant_send_the_whole_rate_from_the_first_second() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = cli_support::write(dir.path(), "staggered.yaml", STAGGERED);
    let reports = dir.path().join("reports");
    let start_at = chrono::Utc::now() + chrono::TimeDelta::seconds(8);
    let start_at = start_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut children = Vec::new();
    for i in 0..3 {
        if i > 0 {
            std::thread::sleep(Duration::from_secs(1));
        }
        let mut cmd = cli_support::harness_process();
        cmd.arg("run")
            .arg(&scenario)
            .arg("--out")
            .arg(&reports)
            .arg("--shard")
            .arg(format!("{i}/3"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        // One through the environment, the others through the flag.
        if i == 1 {
            cmd.env("CH_START_AT", &start_at);
        } else {
            cmd.env_remove("CH_START_AT")
                .arg("--start-at")
                .arg(&start_at);
        }
        children.push(cmd.spawn().unwrap());
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("for the common start at"), "{stderr}");
    }
    let shards = shard::find_results(std::slice::from_ref(&reports)).unwrap();
    assert_eq!(shards.len(), 3);
    for (_, r) in &shards {
        let start = r
            .report
            .start
            .as_ref()
            .expect("the report records the start");
        assert_eq!(start.start_at, start_at);
        assert_eq!((start.late_ms, start.setup_late), (0, false), "{start:?}");
        assert_eq!(
            r.started_at_ms,
            chrono::DateTime::parse_from_rfc3339(&start_at)
                .unwrap()
                .timestamp_millis()
        );
    }

    let out_dir = dir.path().join("merged");
    let out = harness()
        .arg("merge")
        .arg(&reports)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let merged: RunReport =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    let m = &merged.summary;
    // Every scheduled iteration, once: 30 per second for 3 s, all answered.
    assert_eq!(m.flows["sign_up"].count, 90);
    assert_eq!(m.flows["sign_up"].ok, 90);
    assert_eq!(m.run.count, 90);
    let per_second: Vec<u64> = m.timeline.iter().map(|s| s.requests).collect();
    // The whole rate from the first second: each shard's third of it lines up in second 0
    // (unanchored, the shards' thirds would land in seconds 0, 1 and 2).
    assert!(per_second.len() >= 3, "{per_second:?}");
    for (second, n) in per_second.iter().take(3).enumerate() {
        assert!((27..=33).contains(n), "second {second}: {per_second:?}");
    }
    assert_eq!(merged.start.as_ref().unwrap().start_at, start_at);
    println!("merged requests per second: {per_second:?}");
}

#[test]
fn a_start_instant_that_is_not_a_time_exits_2_with_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = cli_support::write(dir.path(), "s.yaml", STAGGERED);
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--start-at")
        .arg("in two minutes")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--start-at") && stderr.contains("RFC 3339"),
        "{stderr}"
    );
}

/// A shard whose setup ends after the start instant still sends every iteration (the overdue
/// ones at once) and says how late it was.
#[test]
fn a_shard_that_misses_the_start_instant_sends_everything_and_reports_the_lateness() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = cli_support::write(dir.path(), "late.yaml", STAGGERED);
    let reports = dir.path().join("reports");
    let start_at = chrono::Utc::now() - chrono::TimeDelta::seconds(2);
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&reports)
        .arg("--start-at")
        .arg(start_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("after the common start"), "{stderr}");
    let summary = cli_support::only_summary(&reports);
    assert_eq!(summary["summary"]["flows"]["sign_up"]["count"], 90);
    assert_eq!(summary["summary"]["flows"]["sign_up"]["ok"], 90);
    assert_eq!(summary["start"]["setup_late"], true);
    assert!(
        summary["start"]["late_ms"].as_u64().unwrap() >= 2000,
        "{}",
        summary["start"]
    );
}
