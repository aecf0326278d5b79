//! Thresholds of a real scenario evaluated against a summary built from recorded samples.

use std::path::Path;
use std::time::Duration;

use cognito_harness::metrics::thresholds::{Verdict, evaluate_all};
use cognito_harness::metrics::{Layout, Outcome, Recorder, Scope, Summary};
use cognito_harness::quota::QuotaCategory;
use cognito_harness::scenario::parse_scenario;

const SCENARIO: &str = "setup: { users: 10 }\nflows:\n  sign_in:\n    load: { executor: constant-arrival-rate, rate: 10, duration: 10s }\n    steps: [srp_sign_in, refresh]\nthresholds:\n  run: [\"error_rate<1%\", \"throttle_rate==0\", \"peak_rps>=10\"]\n  sign_in.srp_sign_in: [\"p(99)<300ms\", \"p(50)<=100ms\", \"max<1s\"]\n  refresh: [\"avg<50ms\", \"count>0\"]\n  sign_in: [\"rps>=10\"]\n  UserAuthentication: [\"rps>=20\", \"med<100ms\"]\n";

fn summary(slow_ms: u64, failures: u64) -> Summary {
    let scenario = parse_scenario(SCENARIO, Path::new("t.yaml"), &|_| None)
        .unwrap()
        .scenario;
    let layout = Layout::from_scenario(&scenario);
    let srp = layout.step_id("sign_in", "srp_sign_in").unwrap();
    let refresh = layout.step_id("sign_in", "refresh").unwrap();
    let mut recorder = Recorder::new(layout);
    for i in 0..100u64 {
        let at = Duration::from_millis(i * 100);
        let fail = i < failures;
        let outcome = if fail {
            Outcome::Throttled
        } else {
            Outcome::Ok
        };
        let srp_latency = Duration::from_millis(if i == 99 { slow_ms } else { 40 + i % 20 });
        let category = Some(QuotaCategory::UserAuthentication);
        recorder.record_request(at, category, srp_latency / 2, outcome);
        recorder.record_request(at, category, srp_latency / 2, Outcome::Ok);
        recorder.record_step(srp, srp_latency, outcome);
        recorder.record_request(at, category, Duration::from_millis(20), Outcome::Ok);
        recorder.record_step(refresh, Duration::from_millis(20), Outcome::Ok);
        recorder.record_iteration(0, srp_latency + Duration::from_millis(20), outcome);
    }
    Summary::from_recorder(&recorder, Duration::from_secs(10))
}

fn verdicts(slow_ms: u64, failures: u64) -> Vec<Verdict> {
    let scenario = parse_scenario(SCENARIO, Path::new("t.yaml"), &|_| None)
        .unwrap()
        .scenario;
    evaluate_all(&scenario.thresholds, &summary(slow_ms, failures))
}

fn failed(verdicts: &[Verdict]) -> Vec<String> {
    verdicts
        .iter()
        .filter(|v| !v.passed)
        .map(|v| format!("{}: {}", v.scope, v.source))
        .collect()
}

#[test]
fn a_healthy_run_passes_every_threshold() {
    let v = verdicts(80, 0);
    assert_eq!(v.len(), 11);
    assert_eq!(failed(&v), Vec::<String>::new());
    let p99 = v.iter().find(|v| v.source == "p(99)<300ms").unwrap();
    assert_eq!(
        p99.scope,
        Scope::Step {
            flow: "sign_in".into(),
            step: "srp_sign_in".into()
        }
    );
    // The 99th of 100 samples is the slowest of the ordinary ones (59 ms).
    assert!((p99.observed.unwrap() - 59_000.0).abs() < 100.0);
}

#[test]
fn slow_tails_and_throttles_fail_the_matching_thresholds() {
    let v = verdicts(2_000, 4);
    assert_eq!(
        failed(&v),
        ["run: throttle_rate==0", "sign_in.srp_sign_in: max<1s"]
    );
    let throttle = v.iter().find(|v| v.source == "throttle_rate==0").unwrap();
    // Four throttled requests out of 300.
    assert!((throttle.observed.unwrap() - 4.0 / 300.0).abs() < 1e-12);
    // Throttles are counted apart from errors: they do not fail `error_rate`.
    let errors = v.iter().find(|v| v.source == "error_rate<1%").unwrap();
    assert_eq!(errors.observed, Some(0.0));
}

#[test]
fn a_scope_with_no_samples_fails_rather_than_passes() {
    let scenario = parse_scenario(SCENARIO, Path::new("t.yaml"), &|_| None)
        .unwrap()
        .scenario;
    let empty = Summary::from_recorder(
        &Recorder::new(Layout::from_scenario(&scenario)),
        Duration::from_secs(10),
    );
    let v = evaluate_all(&scenario.thresholds, &empty);
    let latency = v.iter().find(|v| v.source == "p(99)<300ms").unwrap();
    assert!(!latency.passed);
    assert_eq!(latency.observed, None);
    let errors = v.iter().find(|v| v.source == "error_rate<1%").unwrap();
    assert!(!errors.passed);
}
