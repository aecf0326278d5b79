//! `burst: N` on a step, from the scenario file to the report: the loader's limits and
//! refusals, `plan` budgeting N requests at once, and runs against the reference server in
//! which every copy counts as one execution of the step, exactly once.

mod engine_support;

use std::path::Path;

use cognito_harness::plan::{PlanOptions, plan};
use cognito_harness::quota::QuotaCategory;
use cognito_harness::scenario::{DiagnosticKind, parse_scenario};
use cognito_harness::server::{ServerConfig, start};
use engine_support::run_on;

/// A one-flow scenario whose second step is `step` (the first signs in, for its tokens).
fn with_step(step: &str) -> String {
    format!(
        "target: embedded\nsetup: {{ users: 4, password: \"Burst-Pa55word!\" }}\nflows:\n  f:\n    load: {{ executor: constant-arrival-rate, rate: 5, duration: 2s, pre_allocated_vus: 2 }}\n    steps:\n      - password_sign_in\n      - {step}\n"
    )
}

fn errors(source: &str) -> Vec<String> {
    match parse_scenario(source, Path::new("s.yaml"), &|_| None) {
        Ok(_) => panic!("should not validate:\n{source}"),
        Err(d) => d.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_burst_of_zero_is_refused_where_it_is_written() {
    assert_eq!(
        errors(&with_step("get_user: { burst: 0 }")),
        [
            "s.yaml:8:28: flows.f.steps[1].get_user.burst: must be from 1 to 1000 (got 0); give the number of identical concurrent requests, 1 to 1000"
        ]
    );
    assert_eq!(
        errors(&with_step("get_user: { burst: 1001 }")),
        [
            "s.yaml:8:28: flows.f.steps[1].get_user.burst: must be from 1 to 1000 (got 1001); give the number of identical concurrent requests, 1 to 1000"
        ]
    );
}

#[test]
fn a_burst_that_is_not_a_number_is_a_located_syntax_error() {
    let err = errors(&with_step("get_user: { burst: lots }"));
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(err[0].starts_with("s.yaml:8:"), "{}", err[0]);
    assert!(err[0].contains("burst"), "{}", err[0]);
    let kinds = parse_scenario(
        &with_step("get_user: { burst: [1] }"),
        Path::new("s.yaml"),
        &|_| None,
    )
    .expect_err("refused")
    .kinds();
    assert_eq!(kinds, [DiagnosticKind::Syntax]);
}

#[test]
fn steps_without_exactly_one_request_refuse_a_burst_with_the_reason() {
    assert_eq!(
        errors(&with_step("verify_tokens: { burst: 3 }")),
        [
            "s.yaml:8:33: flows.f.steps[1].verify_tokens.burst: `burst` is for steps that send one request: `verify_tokens` sends no request (it checks tokens locally), so there is nothing to burst; remove `burst`, or burst a one-request step (password_sign_in, refresh, get_user, sign_up, ...)"
        ]
    );
    let srp = errors(&with_step("srp_sign_in: { burst: 3 }"));
    assert_eq!(srp.len(), 1, "{srp:?}");
    assert!(
        srp[0].contains("`srp_sign_in` sends InitiateAuth then RespondToAuthChallenge, each built from the answer before"),
        "{}",
        srp[0]
    );
    let forgot = errors(&with_step("forgot_password: { confirm: true, burst: 2 }"));
    assert!(
        forgot[0].contains("ForgotPassword then ConfirmForgotPassword"),
        "{}",
        forgot[0]
    );
    // The one-request form of the same kinds takes it.
    for ok in [
        "forgot_password: { burst: 2 }",
        "password_sign_in: { burst: 2 }",
    ] {
        parse_scenario(&with_step(ok), Path::new("s.yaml"), &|_| None)
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

#[test]
fn plan_budgets_a_burst_as_n_requests_at_once() {
    let source = "setup: { users: 100 }\nflows:\n  f:\n    load: { executor: constant-arrival-rate, rate: 10, duration: 1m }\n    steps:\n      - password_sign_in\n      - get_user: { burst: BURST }\n";
    let demand = |burst: &str| {
        let s = parse_scenario(
            &source.replace("BURST", burst),
            Path::new("s.yaml"),
            &|_| None,
        )
        .unwrap()
        .scenario;
        let plan = plan(&s, &PlanOptions::default());
        let read = plan
            .categories
            .iter()
            .find(|c| c.category == QuotaCategory::UserRead)
            .expect("GetUser counts in UserRead")
            .clone();
        let auth = plan
            .categories
            .iter()
            .find(|c| c.category == QuotaCategory::UserAuthentication)
            .expect("InitiateAuth counts in UserAuthentication")
            .clone();
        (read, auth)
    };
    let (one, auth_one) = demand("1");
    let (ten, auth_ten) = demand("10");
    assert!((one.peak_rps - 10.0).abs() < 1e-6, "{}", one.peak_rps);
    assert!((ten.peak_rps - 100.0).abs() < 1e-6, "{}", ten.peak_rps);
    assert!((ten.avg_rps - 10.0 * one.avg_rps).abs() < 1e-6);
    // The other steps are not multiplied.
    assert_eq!(auth_one.peak_rps, auth_ten.peak_rps);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_ten_is_ten_executions_of_the_step_counted_once_each() {
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(
        server.endpoint(),
        &with_step("get_user: { burst: 10 }"),
        |_| {},
    )
    .await;
    server.shutdown().await;
    let s = &run.result.report.summary;
    assert_eq!(s.flows["f"].count, 10);
    assert_eq!(s.flows["f"].ok, 10);
    assert_eq!(s.steps["f.password_sign_in"].count, 10);
    let burst = &s.steps["f.get_user"];
    assert_eq!(burst.count, 100, "{burst:?}");
    assert_eq!(burst.ok, 100, "{:?} {:?}", burst.errors, burst.transport);
    assert_eq!(s.categories[&QuotaCategory::UserRead].count, 100);
    assert_eq!(s.run.count, 10 + 100);

    // summary.json as written: every scope's count is the sum of its outcomes.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.result.dir.join("summary.json")).unwrap())
            .unwrap();
    let json = &json["summary"];
    let sum = |m: &serde_json::Value| -> u64 {
        m.as_object()
            .map_or(0, |o| o.values().map(|v| v.as_u64().unwrap()).sum())
    };
    let step = &json["steps"]["f.get_user"];
    assert_eq!(step["count"], 100);
    for scope in [&json["run"], step, &json["categories"]["UserRead"]] {
        let parts = scope["ok"].as_u64().unwrap()
            + sum(&scope["errors"])
            + scope["throttled"].as_u64().unwrap()
            + sum(&scope["transport"])
            + sum(&scope["not_sent"]);
        assert_eq!(scope["count"].as_u64().unwrap(), parts, "{scope}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sign_ups_goes_on_with_the_one_that_succeeded() {
    // One username, five concurrent SignUps: one creates the user, the others are told it
    // exists; the iteration confirms and signs in as the user the successful copy created.
    let scenario = "target: embedded\nsetup: { password: \"Burst-Pa55word!\" }\nflows:\n  f:\n    load: { executor: constant-arrival-rate, rate: 3, duration: 1s }\n    steps:\n      - sign_up: { username: \"burst-{n}\", burst: 5 }\n      - confirm_sign_up\n      - password_sign_in\n";
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(server.endpoint(), scenario, |_| {}).await;
    server.shutdown().await;
    let s = &run.result.report.summary;
    assert_eq!(s.flows["f"].count, 3);
    assert_eq!(s.flows["f"].ok, 3, "{:?}", s.flows["f"].errors);
    let sign_up = &s.steps["f.sign_up"];
    assert_eq!(sign_up.count, 15);
    assert_eq!(sign_up.ok, 3);
    assert_eq!(sign_up.errors["UsernameExistsException"], 12, "{sign_up:?}");
    assert_eq!(s.steps["f.password_sign_in"].ok, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_in_which_no_copy_succeeds_fails_the_iteration() {
    let scenario = "target: embedded\nsetup: { users: 2, password: \"Burst-Pa55word!\" }\nflows:\n  f:\n    load: { executor: constant-arrival-rate, rate: 2, duration: 1s }\n    steps:\n      - password_sign_in: { password: \"Wrong-Pa55word!\", burst: 3 }\n      - get_user\n";
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(server.endpoint(), scenario, |_| {}).await;
    server.shutdown().await;
    let s = &run.result.report.summary;
    assert_eq!(s.flows["f"].count, 2);
    assert_eq!(s.flows["f"].ok, 0);
    assert_eq!(s.iterations.failed.values().sum::<u64>(), 2);
    let step = &s.steps["f.password_sign_in"];
    assert_eq!(step.count, 6);
    assert_eq!(step.errors["NotAuthorizedException"], 6, "{step:?}");
    // The iteration stopped at the failed burst.
    assert!(!s.steps.contains_key("f.get_user") || s.steps["f.get_user"].count == 0);
}
