//! `plan`: demand per quota category from a scenario's load, checked against the guide's
//! worked example and hand-computed cases; and the `plan` subcommand as a user runs it.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use cognito_harness::plan::{Plan, PlanOptions, QuotaSource, RateBasis, plan};
use cognito_harness::quota::QuotaCategory;
use cognito_harness::scenario::{Scenario, load_scenario, parse_scenario};

fn scenario(source: &str) -> Scenario {
    parse_scenario(source, Path::new("inline.yaml"), &|_| None)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

fn category(plan: &Plan, category: QuotaCategory) -> &cognito_harness::plan::CategoryPlan {
    plan.categories
        .iter()
        .find(|c| c.category == category)
        .unwrap_or_else(|| panic!("{category} not in the plan"))
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-6 * expected.abs().max(1.0)
}

#[test]
fn morning_peak_needs_about_200_rps_of_user_authentication() {
    let loaded = load_scenario(Path::new("scenarios/morning-peak.yaml")).unwrap();
    let plan = plan(&loaded.scenario, &PlanOptions::default());
    let auth = category(&plan, QuotaCategory::UserAuthentication);
    // The guide: 1M sign-ins in 8 h is ~35/s; with one refresh each ~70 RPS; at 3:1, ~200 RPS.
    let average = 2.0 * 1_000_000.0 / (8.0 * 3600.0);
    assert!(close(auth.avg_rps, average), "avg {}", auth.avg_rps);
    assert!(
        close(auth.peak_rps, 3.0 * average),
        "peak {}",
        auth.peak_rps
    );
    assert!(
        (auth.peak_rps / 200.0 - 1.0).abs() < 0.05,
        "peak {} is not within 5% of the guide's 200 RPS",
        auth.peak_rps
    );
    // Over the 120 RPS default, by the difference.
    assert_eq!(auth.quota_rps, 120.0);
    assert_eq!(auth.quota_source, QuotaSource::Default);
    assert!(auth.would_throttle);
    assert!(close(auth.throttled_rps, 3.0 * average - 120.0));
    assert!(plan.would_throttle);
    // SRP's challenge responses stay inside their 3 x 120 allowance.
    let challenge = auth.challenge.as_ref().unwrap();
    assert!(close(challenge.respond_peak_rps, 6250.0 / 60.0));
    assert_eq!(challenge.allowance_rps, 360.0);
    assert_eq!(challenge.excess_peak_rps, 0.0);
    // Exactly a million iterations over exactly eight hours.
    assert_eq!(plan.run_seconds, 8.0 * 3600.0);
    assert!(close(plan.flows[0].iterations, 1_000_000.0));
    assert_eq!(plan.flows[0].basis, RateBasis::Exact);
}

#[test]
fn a_raised_quota_absorbs_the_morning_peak() {
    let loaded = load_scenario(Path::new("scenarios/morning-peak.yaml")).unwrap();
    let mut options = PlanOptions::default();
    options
        .quotas
        .set(QuotaCategory::UserAuthentication, 250.0, QuotaSource::Flag);
    let plan = plan(&loaded.scenario, &options);
    let auth = category(&plan, QuotaCategory::UserAuthentication);
    assert!(!auth.would_throttle);
    assert_eq!(auth.quota_source, QuotaSource::Flag);
    assert!(close(
        auth.utilisation_pct,
        100.0 * 3.0 * 2.0 * 1_000_000.0 / 28_800.0 / 250.0
    ));
}

#[test]
fn challenge_responses_beyond_three_times_the_quota_count_towards_it() {
    // 100 SRP sign-ins/s: 100 InitiateAuth + 100 RespondToAuthChallenge. With a 30 RPS quota
    // the allowance is 90, so 10 responses count: 110 RPS against 30.
    let s = scenario(
        "setup: { users: 1000 }\nflows:\n  a:\n    load: { executor: constant-arrival-rate, rate: 100, duration: 1m }\n    steps: [srp_sign_in]\n",
    );
    let mut options = PlanOptions::default();
    options
        .quotas
        .set(QuotaCategory::UserAuthentication, 30.0, QuotaSource::Flag);
    let plan = plan(&s, &options);
    let auth = category(&plan, QuotaCategory::UserAuthentication);
    assert!(close(auth.peak_rps, 110.0), "{}", auth.peak_rps);
    assert!(close(auth.avg_rps, 110.0), "{}", auth.avg_rps);
    assert!(close(
        auth.challenge.as_ref().unwrap().excess_peak_rps,
        10.0
    ));
    assert!(close(auth.throttled_rps, 80.0));
}

#[test]
fn vu_executors_use_the_assumed_latency() {
    // 10 VUs, one request per iteration: 100 iterations/s at 100 ms, 50 at 200 ms.
    let s = scenario(
        "setup: { users: 100 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 10, duration: 1m }\n    steps: [password_sign_in]\n",
    );
    let at_100 = plan(&s, &PlanOptions::default());
    assert_eq!(at_100.flows[0].basis, RateBasis::AssumedLatency);
    assert!(close(
        category(&at_100, QuotaCategory::UserAuthentication).peak_rps,
        100.0
    ));
    let options = PlanOptions {
        assumed_latency: Duration::from_millis(200),
        ..PlanOptions::default()
    };
    let at_200 = plan(&s, &options);
    assert!(close(
        category(&at_200, QuotaCategory::UserAuthentication).peak_rps,
        50.0
    ));
    assert!(at_200.notes.iter().any(|n| n.contains("200ms per request")));
}

#[test]
fn peaks_are_of_the_sum_not_the_sum_of_peaks() {
    // Two flows each peaking at 60/s, one in the first minute and one in the second: the
    // category never carries more than 60 at once.
    let s = scenario(
        "setup: { users: 100 }\nflows:\n  early:\n    load: { executor: constant-arrival-rate, rate: 60, duration: 1m }\n    steps: [password_sign_in]\n  late:\n    load: { executor: constant-arrival-rate, rate: 60, duration: 1m, start_time: 1m }\n    steps: [password_sign_in]\n",
    );
    let plan = plan(&s, &PlanOptions::default());
    let auth = category(&plan, QuotaCategory::UserAuthentication);
    assert!(close(auth.peak_rps, 60.0), "{}", auth.peak_rps);
    assert!(close(auth.avg_rps, 60.0), "{}", auth.avg_rps);
    assert_eq!(plan.run_seconds, 120.0);
}

#[test]
fn a_shared_load_is_split_by_weight() {
    let s = scenario(
        "setup: { users: 100 }\nload: { executor: constant-arrival-rate, rate: 40, duration: 1m }\nflows:\n  reads: { weight: 3, steps: [password_sign_in, get_user] }\n  m2m: { weight: 1, steps: [client_credentials] }\n",
    );
    let plan = plan(&s, &PlanOptions::default());
    assert!(close(plan.flows[0].peak_iterations_per_s, 30.0));
    assert!(close(plan.flows[1].peak_iterations_per_s, 10.0));
    assert!(close(
        category(&plan, QuotaCategory::UserRead).peak_rps,
        30.0
    ));
    assert!(close(
        category(&plan, QuotaCategory::ClientAuthentication).peak_rps,
        10.0
    ));
}

#[test]
fn setup_and_clean_up_are_planned_as_phases() {
    let s = scenario(
        "setup: { users: 600, rate: 40 }\nflows:\n  storm:\n    load: { executor: constant-arrival-rate, rate: 5, duration: 1m }\n    steps: [sign_up, confirm_sign_up]\n",
    );
    let plan = plan(&s, &PlanOptions::default());
    let setup = plan.setup.as_ref().unwrap();
    assert_eq!(setup.seconds, 15.0);
    let recovery = setup
        .categories
        .iter()
        .find(|c| c.category == QuotaCategory::UserAccountRecovery)
        .unwrap();
    // AdminSetUserPassword at 40/s against UserAccountRecovery's 30.
    assert!(recovery.would_throttle);
    assert!(close(recovery.throttled_rps, 10.0));
    let cleanup = plan.cleanup.as_ref().unwrap();
    // The 600 provisioned users and the 300 signed up during the run.
    assert_eq!(cleanup.users, 900.0);
    assert_eq!(cleanup.categories[0].category, QuotaCategory::UserUpdate);
    // During the run: SignUp + ConfirmSignUp at 5/s each.
    assert!(close(
        category(&plan, QuotaCategory::UserCreation).peak_rps,
        10.0
    ));
}

#[test]
fn per_user_limits_flag_a_flow_that_hammers_one_user() {
    let s = scenario(
        "setup: { users: 10 }\nflows:\n  greedy:\n    load: { executor: constant-arrival-rate, rate: 1, duration: 1m }\n    steps: [srp_sign_in, get_user, get_user, get_user, get_user, get_user, get_user, get_user, get_user, get_user, get_user]\n",
    );
    let plan = plan(&s, &PlanOptions::default());
    let greedy = plan
        .per_user
        .iter()
        .find(|u| u.scope == "flow greedy")
        .unwrap();
    // Twelve reads 100 ms apart: ten fall in one second.
    assert_eq!(greedy.reads_per_s, 10.0);
    assert!(!greedy.over_limit);
    let s = scenario(
        "setup: { users: 10 }\nflows:\n  greedy:\n    load: { executor: constant-arrival-rate, rate: 1, duration: 1m }\n    steps: [srp_sign_in, get_user, get_user, get_user, get_user, get_user, get_user, get_user, get_user, get_user, get_user]\n",
    );
    let options = PlanOptions {
        assumed_latency: Duration::from_millis(50),
        ..PlanOptions::default()
    };
    let plan = cognito_harness::plan::plan(&s, &options);
    let greedy = plan
        .per_user
        .iter()
        .find(|u| u.scope == "flow greedy")
        .unwrap();
    assert_eq!(greedy.reads_per_s, 12.0);
    assert!(greedy.over_limit);
    // 1 iteration/s of 12 reads over 10 users: 1.2 reads/s each.
    let pool = plan
        .per_user
        .iter()
        .find(|u| u.scope == "pool of 10 users")
        .unwrap();
    assert!(close(pool.reads_per_s, 1.2));
}

fn cli() -> Command {
    Command::cargo_bin("cognito-harness").unwrap()
}

#[test]
fn plan_prints_a_table_and_exits_zero_even_when_it_would_throttle() {
    let output = cli()
        .args(["plan", "scenarios/morning-peak.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("UserAuthentication"), "{stdout}");
    assert!(stdout.contains("would throttle by 88.3 RPS"), "{stdout}");
}

#[test]
fn plan_json_is_versioned_and_carries_the_numbers() {
    let output = cli()
        .args(["plan", "scenarios/morning-peak.yaml", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["schema_version"], 2);
    let auth = &json["categories"][0];
    assert_eq!(auth["category"], "UserAuthentication");
    assert!((auth["peak_rps"].as_f64().unwrap() - 208.333).abs() < 0.01);
    assert_eq!(auth["would_throttle"], true);
}

#[test]
fn plan_fails_on_throttle_only_when_asked() {
    let output = cli()
        .args(["plan", "scenarios/morning-peak.yaml", "--fail-on-throttle"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(10));
    let output = cli()
        .args([
            "plan",
            "scenarios/morning-peak.yaml",
            "--fail-on-throttle",
            "--quota",
            "UserAuthentication=250",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn plan_configuration_errors_exit_2_with_located_messages() {
    let output = cli()
        .args(["plan", "tests/data/scenarios/negative-rate.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: tests/data/scenarios/negative-rate.yaml:6:13: flows.sign_in.load.rate: must be > 0 (got -5); set a positive rate per time_unit\n"
    );
    let output = cli()
        .args([
            "plan",
            "scenarios/morning-peak.yaml",
            "--quota",
            "UserAuth=5",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = cli()
        .args([
            "plan",
            "scenarios/morning-peak.yaml",
            "--assume-latency",
            "100",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = cli().args(["plan", "no-such-file.yaml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn plan_reads_the_scenarios_quotas_block_and_the_flag_overrides_it() {
    let s = scenario(
        "quotas: { UserAuthentication: 60 }\nsetup: { users: 1000 }\nflows:\n  a:\n    load: { executor: constant-arrival-rate, rate: 20, duration: 1m }\n    steps: [srp_sign_in]\n",
    );
    let from_block = plan(&s, &PlanOptions::default());
    let auth = category(&from_block, QuotaCategory::UserAuthentication);
    assert_eq!(auth.quota_rps, 60.0);
    assert_eq!(auth.quota_source, QuotaSource::Scenario);
    // 20 InitiateAuth/s count; 20 responses/s are within the 180 allowance.
    assert!(close(auth.peak_rps, 20.0), "{}", auth.peak_rps);
    let mut options = PlanOptions::default();
    options
        .quotas
        .set(QuotaCategory::UserAuthentication, 15.0, QuotaSource::Flag);
    let flagged = plan(&s, &options);
    let auth = category(&flagged, QuotaCategory::UserAuthentication);
    assert_eq!(auth.quota_rps, 15.0);
    assert_eq!(auth.quota_source, QuotaSource::Flag);
    assert!(auth.would_throttle);
}

#[test]
fn an_unknown_quota_category_is_a_located_error_naming_the_valid_ones() {
    let err = parse_scenario(
        "flows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [srp_sign_in]\nquotas:\n  UserAuth: 60\n  UserRead: -1\n",
        Path::new("inline.yaml"),
        &|_| None,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("inline.yaml:6:3"), "{err}");
    assert!(err.contains("unknown quota category `UserAuth`"), "{err}");
    assert!(err.contains("UserAuthentication, UserCreation"), "{err}");
    assert!(err.contains("quotas.UserRead"), "{err}");
}

#[test]
fn list_users_steps_count_in_user_list_whose_quota_is_thirty() {
    let s = scenario(
        "setup: { users: 10 }\nload: { executor: constant-arrival-rate, rate: 40, duration: 1m }\nflows:\n  support: { steps: [{ list_users: { filter: 'email ^= \"a\"' } }] }\n",
    );
    let plan = plan(&s, &PlanOptions::default());
    let list = category(&plan, QuotaCategory::UserList);
    assert!(close(list.peak_rps, 40.0), "peak {}", list.peak_rps);
    assert_eq!(list.quota_rps, 30.0);
    assert!(list.would_throttle);
}
