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

// ---------------------------------------------------------------------------------------------
// deploy/kubernetes/start.sh: one start instant for every pod

/// Runs start.sh with `args` and a stand-in `kubectl` that records each call (its arguments,
/// and what was piped into `apply -f -`) and renders `rendered-<verb>`; returns the exit
/// status, stderr and the calls (in order, but for the two ends of a pipe).
/// One recorded `kubectl` call: its arguments, and what was piped into it.
type Call = (Vec<String>, String);

fn start_script(args: &[&str]) -> (Option<i32>, String, Vec<Call>) {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    std::fs::create_dir(&calls).unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("kubectl");
    std::fs::write(
        &fake,
        r#"#!/bin/sh
n=0
while ! mkdir "$CALLS/$n" 2>/dev/null; do n=$((n + 1)); done
printf '%s\0' "$@" > "$CALLS/$n/args"
case " $* " in *" -f - "*) cat > "$CALLS/$n/stdin" ;; *) echo "rendered-$1" ;; esac
"#,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes/start.sh");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .arg(&script)
        .args(args)
        .env("PATH", path)
        .env("CALLS", &calls)
        .output()
        .unwrap();
    let mut recorded = Vec::new();
    for n in 0.. {
        let Ok(bytes) = std::fs::read(calls.join(format!("{n}/args"))) else {
            break;
        };
        let argv = bytes
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let stdin = std::fs::read_to_string(calls.join(format!("{n}/stdin"))).unwrap_or_default();
        recorded.push((argv, stdin));
    }
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        recorded,
    )
}

fn job_manifest() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes/job.yaml");
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The JSON pointer `path` in `doc`.
fn at<'a>(doc: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    doc.pointer(path).unwrap_or(&serde_json::Value::Null)
}

#[test]
fn the_kubernetes_start_script_gives_every_pod_one_start_instant_lead_seconds_ahead() {
    let before = chrono::Utc::now().timestamp();
    let (code, stderr, calls) =
        start_script(&["--lead", "240", "--out", "s3://load-reports/march"]);
    let after = chrono::Utc::now().timestamp();
    assert_eq!(code, Some(0), "{stderr}");
    let argv: Vec<&Vec<String>> = calls.iter().map(|(a, _)| a).collect();

    // The start ConfigMap: CH_START_AT lead seconds ahead (to the second), and CH_OUT.
    let create = argv
        .iter()
        .find(|a| a[0] == "create")
        .expect("the start ConfigMap");
    assert_eq!(
        &create[..3],
        ["create", "configmap", "cognito-harness-start"]
    );
    let start_at = create
        .iter()
        .find_map(|a| a.strip_prefix("--from-literal=CH_START_AT="))
        .expect("CH_START_AT");
    let t = chrono::DateTime::parse_from_rfc3339(start_at)
        .unwrap()
        .timestamp();
    assert!((before + 240..=after + 240).contains(&t), "{start_at}");
    assert!(create.contains(&"--from-literal=CH_OUT=s3://load-reports/march".to_string()));
    let piped: Vec<&str> = calls
        .iter()
        .filter(|(a, _)| a[..] == ["apply", "-f", "-"])
        .map(|(_, stdin)| stdin.trim())
        .collect();
    assert_eq!(
        piped,
        ["rendered-create", "rendered-patch"],
        "both rendered manifests applied"
    );

    // The Job, without the shared volume: the patch's tests hold on job.yaml and its removals
    // take exactly the reports volume and its mount.
    let patch = argv
        .iter()
        .find(|a| a.first().map(String::as_str) == Some("patch"))
        .expect("a patched Job");
    assert!(patch.contains(&"--local".to_string()), "{patch:?}");
    let ops: serde_json::Value =
        serde_json::from_str(&patch[patch.iter().position(|a| a == "-p").unwrap() + 1]).unwrap();
    let job = job_manifest();
    for op in ops.as_array().unwrap() {
        let path = op["path"].as_str().unwrap();
        match op["op"].as_str().unwrap() {
            "test" => assert_eq!(at(&job, path), &op["value"], "{path}"),
            "remove" => assert_eq!(at(&job, path)["name"], "reports", "{path}"),
            other => panic!("unexpected op {other}"),
        }
    }
    assert!(argv.iter().any(|a| a[..]
        == [
            "delete",
            "job",
            "cognito-harness-load",
            "--ignore-not-found"
        ]));
    assert!(
        !argv
            .iter()
            .any(|a| a.iter().any(|x| x.ends_with("job.yaml") && a[0] == "apply"))
    );

    // The pods read both values from that ConfigMap, and pass them on.
    let container = at(&job, "/spec/template/spec/containers/0");
    assert!(
        container["envFrom"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["configMapRef"]["name"] == "cognito-harness-start"
                && e["configMapRef"]["optional"] == true)
    );
    let command = container["command"][2].as_str().unwrap();
    assert!(
        command.contains(r#"--out "${CH_OUT:-/reports}""#),
        "{command}"
    );
}

#[test]
fn the_start_script_without_s3_applies_the_job_with_its_volume_and_checks_its_arguments() {
    let (code, stderr, calls) = start_script(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    let create = &calls.iter().find(|(a, _)| a[0] == "create").unwrap().0;
    assert!(!create.iter().any(|a| a.contains("CH_OUT")), "{create:?}");
    assert!(
        calls
            .iter()
            .any(|(a, _)| a.len() == 3 && a[0] == "apply" && a[2].ends_with("job.yaml"))
    );
    for bad in [
        &["--lead", "soon"][..],
        &["--out", "/reports"][..],
        &["--frobnicate"][..],
    ] {
        let (code, stderr, calls) = start_script(bad);
        assert_eq!(code, Some(2), "{bad:?}: {stderr}");
        assert!(stderr.contains("start.sh:"), "{stderr}");
        assert!(calls.is_empty(), "nothing applied for {bad:?}");
    }
}
