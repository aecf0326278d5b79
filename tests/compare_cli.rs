//! `cognito-harness compare`, driven as a CI job drives it, over summary.json files of
//! fixture runs built from recorders with known samples.

mod report_support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use report_support::{BASELINE, Variant, report, write_summary};

/// 30 % slower everywhere and 5 % of sign-ins failing instead of 1 %.
const SLOWER: Variant = Variant {
    latency_factor: 1.3,
    error_every: 20,
    ..BASELINE
};

fn harness() -> Command {
    Command::cargo_bin("cognito-harness").unwrap()
}

fn pair(dir: &Path, current: Variant) -> (PathBuf, PathBuf) {
    (
        write_summary(dir, "baseline.json", &report(BASELINE)),
        write_summary(dir, "current.json", &report(current)),
    )
}

fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = harness().arg("compare").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn identical_runs_pass_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let (b, c) = pair(dir.path(), BASELINE);
    let (code, out, err) = run(&[b.as_os_str(), c.as_os_str()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("**No regression** beyond tolerance."), "{out}");
    assert!(out.contains("<details><summary>All "), "{out}");
}

#[test]
fn slower_and_failing_run_exits_10_and_names_each_regression() {
    let dir = tempfile::tempdir().unwrap();
    let (b, c) = pair(dir.path(), SLOWER);
    let (code, out, _) = run(&[b.as_os_str(), c.as_os_str()]);
    assert_eq!(code, 10, "{out}");
    assert!(out.contains(" regressions** beyond tolerance."), "{out}");
    // The regressions table comes before the details block and lists the step's p99.
    let head = out.split("<details>").next().unwrap();
    let row = head
        .lines()
        .find(|l| l.starts_with("| sign\\_in.srp\\_sign\\_in | p99 |"))
        .expect("the step's p99 regression is listed");
    assert!(
        row.contains("+3") && row.ends_with("| **regressed** |"),
        "{row}"
    );
    // Sign-ins failing at 5 % instead of 1 %: beyond the 1 pp tolerance with confidence.
    assert!(
        head.lines()
            .any(|l| l.starts_with("| sign\\_in | error rate |") && l.contains("regressed")),
        "{head}"
    );
    // The run-wide rate moved 1.34 pp, only 0.34 pp past the tolerance: sampling explains it.
    assert!(
        out.lines()
            .any(|l| l.starts_with("| run | error rate |") && l.ends_with("| within noise |")),
        "{out}"
    );
}

#[test]
fn looser_tolerances_from_flags_accept_the_same_change() {
    let dir = tempfile::tempdir().unwrap();
    let (b, c) = pair(dir.path(), SLOWER);
    let (code, out, _) = run(&[
        b.as_os_str(),
        c.as_os_str(),
        "--latency-tolerance".as_ref(),
        "40%".as_ref(),
        "--error-rate-tolerance".as_ref(),
        "10%".as_ref(),
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn tolerances_come_from_a_yaml_or_json_file_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let (b, c) = pair(dir.path(), SLOWER);
    let yaml = dir.path().join("tolerances.yaml");
    std::fs::write(&yaml, "latency: 40%\nlatency_floor: 2ms\nerror_rate: 0.1\n").unwrap();
    let (code, out, _) = run(&[
        b.as_os_str(),
        c.as_os_str(),
        "--tolerances".as_ref(),
        yaml.as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("latency +40.00 %"), "{out}");
    let json = dir.path().join("tolerances.json");
    std::fs::write(&json, r#"{"latency": "40%", "error_rate": "10%"}"#).unwrap();
    let (code, _, _) = run(&[
        b.as_os_str(),
        c.as_os_str(),
        "--tolerances".as_ref(),
        json.as_os_str(),
    ]);
    assert_eq!(code, 0);
    // A flag wins over the file.
    let (code, _, _) = run(&[
        b.as_os_str(),
        c.as_os_str(),
        "--tolerances".as_ref(),
        json.as_os_str(),
        "--latency-tolerance".as_ref(),
        "5%".as_ref(),
    ]);
    assert_eq!(code, 10);
}

#[test]
fn a_throughput_drop_is_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let fewer = Variant {
        sign_ins: 600,
        ..BASELINE
    };
    let (b, c) = pair(dir.path(), fewer);
    let (code, out, _) = run(&[
        b.as_os_str(),
        c.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(code, 10, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == "sign_in" && r["metric"] == "throughput")
        .unwrap();
    assert_eq!(row["verdict"], "regressed");
    assert_eq!(row["baseline"], 100.0);
    assert_eq!(row["current"], 75.0);
    assert!((row["change"].as_f64().unwrap() + 0.25).abs() < 1e-9);
}

#[test]
fn text_format_and_report_directories() {
    let dir = tempfile::tempdir().unwrap();
    let base = cognito_harness::report::write_run_report(dir.path(), &report(BASELINE)).unwrap();
    let (_, c) = pair(dir.path(), SLOWER);
    let (code, out, _) = run(&[
        base.as_os_str(),
        c.as_os_str(),
        "--format".as_ref(),
        "text".as_ref(),
    ]);
    assert_eq!(code, 10, "{out}");
    assert!(out.lines().any(|l| l.starts_with("sign_in.srp_sign_in")
        && l.contains("p99")
        && l.ends_with("regressed")));
    assert!(out.ends_with("regression(s) beyond tolerance\n"), "{out}");
}

#[test]
fn bad_inputs_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = pair(dir.path(), BASELINE);
    let missing = dir.path().join("nope.json");
    let (code, _, err) = run(&[b.as_os_str(), missing.as_os_str()]);
    assert_eq!(code, 2);
    assert!(err.contains("nope.json: cannot read"), "{err}");

    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{ not json").unwrap();
    let (code, _, err) = run(&[garbage.as_os_str(), b.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("garbage.json: not a cognito-harness summary.json"),
        "{err}"
    );

    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&b).unwrap()).unwrap();
    doc["schema_version"] = 99.into();
    let future = dir.path().join("future.json");
    std::fs::write(&future, doc.to_string()).unwrap();
    let (code, _, err) = run(&[b.as_os_str(), future.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("future.json: summary.json schema version 99"),
        "{err}"
    );

    doc["schema_version"] = cognito_harness::report::REPORT_SCHEMA_VERSION.into();
    doc["summary"]["run"].as_object_mut().unwrap().remove("rps");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, doc.to_string()).unwrap();
    let (code, _, err) = run(&[b.as_os_str(), broken.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("broken.json") && err.contains("summary.run"),
        "{err}"
    );

    let tolerances = dir.path().join("t.yaml");
    std::fs::write(&tolerances, "latency: 10%\nlatncy_floor: 1ms\n").unwrap();
    let (code, _, err) = run(&[
        b.as_os_str(),
        b.as_os_str(),
        "--tolerances".as_ref(),
        tolerances.as_os_str(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("t.yaml") && err.contains("latncy_floor"),
        "{err}"
    );

    let (code, _, err) = run(&[
        b.as_os_str(),
        b.as_os_str(),
        "--latency-tolerance".as_ref(),
        "lots".as_ref(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--latency-tolerance"), "{err}");
}

#[test]
fn markdown_comment_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    pair(dir.path(), SLOWER);
    let out = harness()
        .current_dir(dir.path())
        .args(["compare", "baseline.json", "current.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(10));
    insta::assert_snapshot!("compare_md", String::from_utf8(out.stdout).unwrap());
}
