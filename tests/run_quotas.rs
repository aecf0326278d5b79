//! The account's quotas in a run: `run --quota` and the scenario's `quotas:` block decide the
//! quota each category's peak is compared with, reports say where it came from, and the run
//! counts UserAuthentication as `plan` does (challenge responses within three times the quota
//! are not counted; developer guide, "Quotas in Amazon Cognito").

mod cli_support;

use std::sync::Arc;

use cli_support::{harness, only_summary, write};
use cognito_harness::engine::{self, RunOptions};
use cognito_harness::plan::{PlanOptions, plan};
use cognito_harness::quota::{QuotaCategory, QuotaSource, Quotas};
use cognito_harness::scenario::parse_scenario;
use cognito_harness::server::{QuotaConfig, ServerConfig, start};

const SRP: &str = r#"
target: embedded
quotas: { UserAuthentication: 90 }
setup: { users: 4, password: "Quota-Pa55word!" }
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 20, duration: 3s, pre_allocated_vus: 4, max_vus: 40 }
    steps:
      - srp_sign_in
"#;

#[test]
fn plan_and_run_agree_on_the_user_authentication_peak_of_an_srp_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "srp.yaml", SRP);
    let planned = plan(
        &parse_scenario(SRP, &scenario, &|_| None).unwrap().scenario,
        &PlanOptions::default(),
    );
    let planned = planned
        .categories
        .iter()
        .find(|c| c.category == QuotaCategory::UserAuthentication)
        .unwrap()
        .peak_rps;
    // 20 InitiateAuth/s count; the 20 RespondToAuthChallenge/s are within the 270 allowance.
    assert!((planned - 20.0).abs() < 1e-9, "{planned}");
    let reports = dir.path().join("reports");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let summary = only_summary(&reports)["summary"].clone();
    let usage = &summary["quotas"]["UserAuthentication"];
    let peak = usage["peak_rps"].as_f64().unwrap();
    // Sampling tolerance: a request's second is its intended send time, so a second holds the
    // 20 arrivals of the schedule, give or take one at a boundary.
    assert!(
        (peak - planned).abs() <= 2.0,
        "run peak {peak} vs plan {planned}"
    );
    assert_eq!(
        summary["categories"]["UserAuthentication"]["peak_rps"], usage["peak_rps"],
        "the category's peak_rps (read by thresholds) is the counted one"
    );
    assert_eq!(usage["quota_rps"], 90.0);
    assert_eq!(usage["quota_source"], "scenario");
    // The timeline keeps challenge responses apart: two requests per sign-in, one of them a
    // challenge response.
    let (mut all, mut challenges) = (0, 0);
    for second in summary["timeline"].as_array().unwrap() {
        all += second["categories"]["UserAuthentication"]
            .as_u64()
            .unwrap_or(0);
        challenges += second["challenge_responses"]["UserAuthentication"]
            .as_u64()
            .unwrap_or(0);
    }
    assert_eq!(all, 120);
    assert_eq!(challenges, 60);
}

#[test]
fn run_quota_flag_overrides_the_scenario_and_every_report_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "srp.yaml", SRP);
    let reports = dir.path().join("reports");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .arg("--quiet")
        .arg("--quota")
        .arg("UserAuthentication=10")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout.contains("    UserAuthentication peak 2")
            && stdout.contains("/s of 10.0/s, --quota ("),
        "{stdout}"
    );
    let summary = only_summary(&reports);
    let usage = &summary["summary"]["quotas"]["UserAuthentication"];
    assert_eq!(usage["quota_rps"], 10.0);
    assert_eq!(usage["quota_source"], "flag");
    // At a quota of 10 the allowance is 30: the 20 responses/s still do not count.
    assert!(usage["peak_rps"].as_f64().unwrap() <= 22.0, "{usage}");
    assert_eq!(usage["challenge"]["allowance_rps"], 30.0);
    let dir = std::fs::read_dir(&reports)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("| 10.0 | --quota |"), "{md}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("10.0 per s, --quota"), "{html}");
}

#[test]
fn an_unknown_category_in_run_quota_is_a_configuration_error_naming_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "srp.yaml", SRP);
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(dir.path().join("reports"))
        .arg("--quota")
        .arg("UserAuth=60")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown quota category `UserAuth`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("UserAuthentication, UserCreation"),
        "{stderr}"
    );
}

/// Against a reference server enforcing UserAuthentication=60 (what `serve --quota
/// UserAuthentication=60` runs), a run told the same quota reports against 60, not the
/// guide's default of 120.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_against_a_throttling_server_reports_against_the_stated_quota() {
    let server = start(ServerConfig {
        quotas: QuotaConfig {
            enabled: true,
            overrides: [(QuotaCategory::UserAuthentication, 60)]
                .into_iter()
                .collect(),
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let yaml = r#"
target: embedded
setup: { users: 4, password: "Quota-Pa55word!" }
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 150, duration: 2s, pre_allocated_vus: 20, max_vus: 200 }
    steps:
      - password_sign_in
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.yaml");
    let scenario = Arc::new(parse_scenario(yaml, &path, &|_| None).unwrap().scenario);
    let run_id = engine::new_run_id();
    let resolved = engine::target::reference_server_at(server.endpoint(), &scenario, &run_id)
        .await
        .unwrap();
    let mut quotas = Quotas::default();
    quotas.set(QuotaCategory::UserAuthentication, 60.0, QuotaSource::Flag);
    let options = RunOptions {
        reports_root: dir.path().join("reports"),
        quiet: true,
        shard: None,
        quotas,
        start_at: None,
        check_shapes: true,
    };
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let result = engine::execute_on(scenario, resolved, &run_id, &options, stop)
        .await
        .unwrap();
    server.shutdown().await;
    let s = &result.report.summary;
    assert!(s.run.throttled > 0, "the server throttled: {:?}", s.run);
    let usage = &s.quotas[&QuotaCategory::UserAuthentication];
    assert_eq!(usage.quota_rps, 60.0);
    assert_eq!(usage.quota_source, QuotaSource::Flag);
    assert!((usage.peak_share - usage.peak_rps / 60.0).abs() < 1e-12);
    let md = std::fs::read_to_string(result.dir.join("summary.md")).unwrap();
    assert!(md.contains("| 60.0 | --quota |"), "{md}");
    assert!(!md.contains("/120"), "{md}");
}

/// Category thresholds read the usage counted by the guide's rule, against the quota in force:
/// 30 SRP sign-ins a second are 30 RPS of UserAuthentication (not 60), half of a 60 RPS quota.
#[test]
fn category_thresholds_are_evaluated_against_the_quota_in_force() {
    use cognito_harness::metrics::thresholds::evaluate_all;
    use cognito_harness::metrics::{Layout, Outcome, Recorder, Summary};
    use std::time::Duration;

    let yaml = "quotas: { UserAuthentication: 60 }\nsetup: { users: 10 }\nflows:\n  f:\n    load: { executor: constant-arrival-rate, rate: 30, duration: 2s }\n    steps: [srp_sign_in]\nthresholds:\n  UserAuthentication: [\"peak_rps<=30\", \"quota_share<=50%\", \"quota_share<50%\"]\n";
    let scenario = parse_scenario(yaml, std::path::Path::new("t.yaml"), &|_| None)
        .unwrap()
        .scenario;
    let mut recorder = Recorder::new(Layout::from_scenario(&scenario));
    for i in 0..60u64 {
        let at = Duration::from_millis(i * 1000 / 30);
        let l = Duration::from_millis(10);
        recorder.record_operation(at, "InitiateAuth", l, Outcome::Ok);
        recorder.record_operation(at + l, "RespondToAuthChallenge", l, Outcome::Ok);
    }
    let summary =
        Summary::from_recorder(&recorder, Duration::from_secs(2)).with_quotas(&scenario.quotas);
    let verdicts = evaluate_all(&scenario.thresholds, &summary);
    let observed: Vec<_> = verdicts.iter().map(|v| (v.passed, v.observed)).collect();
    assert_eq!(
        observed,
        vec![(true, Some(30.0)), (true, Some(0.5)), (false, Some(0.5))]
    );
}

#[test]
fn quota_share_outside_a_category_is_a_located_error() {
    let err = parse_scenario(
        "flows:\n  f:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [srp_sign_in]\nthresholds:\n  run: [\"quota_share<80%\"]\n",
        std::path::Path::new("t.yaml"),
        &|_| None,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("t.yaml:6:9"), "{err}");
    assert!(
        err.contains("quota_share is measured for quota categories"),
        "{err}"
    );
}
