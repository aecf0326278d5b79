//! A fixed run report built the way the engine builds one: a Recorder fed known samples,
//! summarised, thresholds evaluated. `Variant` changes the samples so comparisons have
//! something to find.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use cognito_harness::metrics::Scope;
use cognito_harness::metrics::thresholds::evaluate;
use cognito_harness::metrics::{Layout, Outcome, Recorder, StepId, Summary};
use cognito_harness::quota::QuotaCategory;
use cognito_harness::report::{REPORT_SCHEMA_VERSION, RunReport, ThresholdResult};
use cognito_harness::scenario::thresholds::{Threshold, parse_expression};

/// How the fixture run differs from the baseline one.
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    /// Multiplies every latency.
    pub latency_factor: f64,
    /// Every n-th sign-in is answered NotAuthorizedException (0: never).
    pub error_every: u64,
    /// Every n-th sign-in is throttled (0: never).
    pub throttle_every: u64,
    /// Sign-in iterations over the 8 s run.
    pub sign_ins: u64,
}

pub const BASELINE: Variant = Variant {
    latency_factor: 1.0,
    error_every: 100,
    throttle_every: 0,
    sign_ins: 800,
};

fn layout() -> Layout {
    Layout::new(
        &[
            ("sign_in", &["srp_sign_in", "refresh"]),
            ("sign_up", &["sign_up"]),
        ],
        &[
            QuotaCategory::UserAuthentication,
            QuotaCategory::UserCreation,
        ],
    )
}

/// A deterministic pseudo-random latency in microseconds between `low` and `low + spread`.
fn latency(x: &mut u64, low: u64, spread: u64, factor: f64) -> Duration {
    *x = x
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let micros = low + (*x >> 33) % spread;
    Duration::from_micros((micros as f64 * factor) as u64)
}

pub fn summary(v: Variant) -> Summary {
    let mut r = Recorder::new(layout());
    let srp = StepId(0);
    let refresh = StepId(1);
    let sign_up = StepId(2);
    let mut x = 42;
    let ua = Some(QuotaCategory::UserAuthentication);
    // Sign-ins spread evenly over 8 s: InitiateAuth, RespondToAuthChallenge, then a refresh.
    for i in 0..v.sign_ins {
        let at = Duration::from_micros(i * 8_000_000 / v.sign_ins.max(1));
        let outcome = if v.throttle_every > 0 && i % v.throttle_every == 7 {
            Outcome::Throttled
        } else if v.error_every > 0 && i % v.error_every == 3 {
            Outcome::Error("NotAuthorizedException")
        } else {
            Outcome::Ok
        };
        let initiate = latency(&mut x, 20_000, 30_000, v.latency_factor);
        r.record_request(at, ua, initiate, Outcome::Ok);
        let respond = latency(&mut x, 30_000, 60_000, v.latency_factor);
        r.record_request(at + initiate, ua, respond, outcome);
        r.record_step_at(srp, at, initiate + respond, outcome);
        let mut total = initiate + respond;
        if outcome == Outcome::Ok {
            let refresh_latency = latency(&mut x, 15_000, 20_000, v.latency_factor);
            r.record_request(at + total, ua, refresh_latency, Outcome::Ok);
            r.record_step_at(refresh, at + total, refresh_latency, Outcome::Ok);
            total += refresh_latency;
        }
        r.record_iteration(0, total, outcome);
    }
    // 40 sign-ups, one of them timing out, and one uncategorised request.
    for i in 0..40u64 {
        let at = Duration::from_millis(i * 200);
        let outcome = if i == 17 {
            Outcome::Transport("timeout")
        } else {
            Outcome::Ok
        };
        let l = latency(&mut x, 40_000, 80_000, v.latency_factor);
        r.record_request(at, Some(QuotaCategory::UserCreation), l, outcome);
        r.record_step_at(sign_up, at, l, outcome);
        r.record_iteration(1, l, outcome);
    }
    r.record_request(
        Duration::from_millis(7_500),
        None,
        Duration::from_millis(12),
        Outcome::Ok,
    );
    Summary::from_recorder(&r, Duration::from_secs(8))
}

fn threshold(scope: Scope, source: &str, summary: &Summary) -> ThresholdResult {
    let t = Threshold {
        scope,
        expression: parse_expression(source).expect("fixture expression"),
        source: source.to_string(),
        abort: None,
    };
    ThresholdResult::from(&evaluate(&t, summary))
}

pub fn report(v: Variant) -> RunReport {
    let summary = summary(v);
    let step = Scope::Step {
        flow: "sign_in".into(),
        step: "srp_sign_in".into(),
    };
    let thresholds = vec![
        threshold(step.clone(), "p(99)<150ms", &summary),
        threshold(Scope::Run, "error_rate<2%", &summary),
        threshold(
            Scope::Category(QuotaCategory::UserAuthentication),
            "throttle_rate==0",
            &summary,
        ),
        threshold(Scope::Flow("sign_up".into()), "rps>=4", &summary),
    ];
    let passed = thresholds.iter().all(|t| t.passed);
    RunReport {
        schema_version: REPORT_SCHEMA_VERSION,
        tool_version: "0.1.0".into(),
        scenario: "sign-in-burst".into(),
        scenario_path: "scenarios/sign-in-burst.yaml".into(),
        description: Some("Sign-in <burst> & refresh | \"two\" flows".into()),
        target: "embedded".into(),
        started_at: "2026-01-02T03:04:05Z".into(),
        partial: false,
        shard: None,
        start: None,
        thresholds,
        passed,
        aborted: None,
        summary,
    }
}

/// Writes `report`'s summary.json to `dir/name` and returns its path.
pub fn write_summary(dir: &Path, name: &str, report: &RunReport) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, cognito_harness::report::render_json(report)).unwrap();
    path
}
