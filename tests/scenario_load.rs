//! Loading and validating scenarios: every committed example loads, broken files fail with
//! located, actionable messages (a few pinned exactly), `${ENV}` works, and no input panics.

use std::path::{Path, PathBuf};

use cognito_harness::scenario::model::{
    AdminCredentials, Executor, FlowLoad, StepKind, Target, UserSelection, UserSource,
};
use cognito_harness::scenario::{DiagnosticKind, Diagnostics, Loaded, Severity, parse_scenario};
use proptest::prelude::*;

fn no_env(_: &str) -> Option<String> {
    None
}

/// What the examples' `${...}` references need.
fn example_env(name: &str) -> Option<String> {
    match name {
        "COGNITO_USER_POOL_ID" | "POOL_ID" => Some("eu-west-1_Example".into()),
        "COGNITO_ENDPOINT" => Some("https://cognito-idp.eu-west-1.amazonaws.com".into()),
        "CLIENT_ID" => Some("example-client".into()),
        "COGNITO_CLIENT_ID" => Some("example-client".into()),
        "COGNITO_CLIENT_SECRET" => Some("example-secret".into()),
        "COGNITO_OAUTH_DOMAIN" => Some("https://example.auth.eu-west-1.amazoncognito.com".into()),
        _ => None,
    }
}

fn load_fixture(name: &str) -> Result<Loaded, Diagnostics> {
    let path = PathBuf::from("tests/data/scenarios").join(name);
    let source = std::fs::read_to_string(&path).unwrap();
    parse_scenario(&source, &path, &no_env)
}

fn errors(name: &str) -> Vec<String> {
    match load_fixture(name) {
        Ok(_) => panic!("{name} should not validate"),
        Err(d) => d.0.iter().map(|d| d.to_string()).collect(),
    }
}

fn kinds(name: &str) -> Vec<DiagnosticKind> {
    load_fixture(name).expect_err(name).kinds()
}

fn parse(source: &str) -> Result<Loaded, Diagnostics> {
    parse_scenario(source, Path::new("inline.yaml"), &no_env)
}

#[test]
fn every_example_scenario_loads_and_validates() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let source = std::fs::read_to_string(&path).unwrap();
            let loaded = parse_scenario(&source, &path, &example_env)
                .unwrap_or_else(|e| panic!("{}:\n{e}", path.display()));
            assert!(
                loaded.warnings.is_empty(),
                "{}: {:?}",
                path.display(),
                loaded.warnings
            );
            names.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    names.sort();
    assert_eq!(
        names,
        [
            "find-pool-limit.yaml",
            "m2m-client-credentials.yaml",
            "mfa-sign-in.yaml",
            "mixed.yaml",
            "morning-peak.yaml",
            "own-pool.yaml",
            "profile-rotation.yaml",
            "quickstart.yaml",
            "signup-storm.yaml",
            "user-auth.yaml"
        ]
    );
}

#[test]
fn negative_rate_names_the_key_the_value_and_the_fix() {
    assert_eq!(
        errors("negative-rate.yaml"),
        [
            "tests/data/scenarios/negative-rate.yaml:6:13: flows.sign_in.load.rate: must be > 0 (got -5); set a positive rate per time_unit"
        ]
    );
}

#[test]
fn unknown_key_lists_the_valid_keys() {
    assert_eq!(
        errors("unknown-key.yaml"),
        [
            "tests/data/scenarios/unknown-key.yaml:7:7: flows.sign_in.load.duraton: unknown key `duraton`; valid keys here: executor, rate, time_unit, duration, pre_allocated_vus, max_vus, start_rate, stages, vus, start_vus, start_time, graceful_stop"
        ]
    );
}

#[test]
fn missing_environment_variable_is_named_where_it_is_used() {
    assert_eq!(
        errors("missing-env.yaml"),
        [
            "tests/data/scenarios/missing-env.yaml:5:14: target.client_id: environment variable `HARNESS_TEST_CLIENT_ID` is not set; export it, or write `${HARNESS_TEST_CLIENT_ID:-default}` to give a default"
        ]
    );
    assert_eq!(kinds("missing-env.yaml"), [DiagnosticKind::MissingEnv]);
}

#[test]
fn threshold_syntax_errors_point_inside_the_expression() {
    assert_eq!(
        errors("bad-threshold-expression.yaml"),
        [
            "tests/data/scenarios/bad-threshold-expression.yaml:8:16: thresholds.run[0]: `300` needs a unit: write 300ms (or us, s)",
            "tests/data/scenarios/bad-threshold-expression.yaml:8:34: thresholds.run[1]: `=` is not an operator; write `==`",
            "tests/data/scenarios/bad-threshold-expression.yaml:9:13: thresholds.sign_in[0]: peak_rps is measured for the run and quota categories, not for flow `sign_in`; use `rps` here, or put peak_rps under `run` or a category",
        ]
    );
}

#[test]
fn thresholds_on_scopes_the_scenario_lacks_are_errors() {
    assert_eq!(
        errors("unknown-threshold-scope.yaml"),
        [
            "tests/data/scenarios/unknown-threshold-scope.yaml:10:3: thresholds.sign_in.get_user: flow `sign_in` has no step `get_user`; its steps are: srp_sign_in, refresh",
            "tests/data/scenarios/unknown-threshold-scope.yaml:11:3: thresholds.UserCreation: no step of this scenario sends a UserCreation operation; its categories are: UserAuthentication",
            "tests/data/scenarios/unknown-threshold-scope.yaml:12:3: thresholds.signin: `signin` is not a scope of this scenario; scopes are: run, sign_in, sign_in.srp_sign_in, sign_in.refresh, UserAuthentication",
        ]
    );
}

#[test]
fn step_options_beside_the_kind_explain_the_indentation() {
    assert_eq!(
        errors("step-options-not-indented.yaml"),
        [
            "tests/data/scenarios/step-options-not-indented.yaml:6:9: flows.sign_in.steps[0]: a step is one key, its kind, with the options indented under it; `think` sits beside `srp_sign_in`: indent it under `srp_sign_in:`"
        ]
    );
}

#[test]
fn broken_files_report_machine_matchable_kinds() {
    use DiagnosticKind::*;
    assert_eq!(kinds("oauth-without-domain.yaml"), [Unsupported]);
    assert_eq!(kinds("remote-without-opt-in.yaml"), [Conflict, Unsupported]);
    assert_eq!(
        kinds("refresh-without-sign-in.yaml"),
        [UnknownReference, UnknownReference]
    );
    assert_eq!(kinds("not-yaml.yaml"), [Syntax]);
    assert_eq!(
        kinds("executor-option-mismatch.yaml"),
        [UnknownKey, MissingKey]
    );
    assert_eq!(kinds("bad-duration.yaml"), [InvalidValue, InvalidValue]);
    assert_eq!(kinds("unknown-step.yaml"), [UnknownKey]);
    let unknown_step = errors("unknown-step.yaml");
    assert!(unknown_step[0].starts_with(
        "tests/data/scenarios/unknown-step.yaml:6:9: flows.sign_in.steps[0]: unknown step `srp_signin`; steps are: sign_up, "
    ));
    assert_eq!(
        errors("bad-duration.yaml")[0],
        "tests/data/scenarios/bad-duration.yaml:4:55: flows.sign_in.load.duration: `30` has no unit; write it with one, e.g. 30s or 30ms"
    );
}

#[test]
fn defaults_are_applied_and_steps_numbered() {
    let loaded = parse(
        "setup: { users: 5 }\n\
         flows:\n  a:\n    load: { executor: constant-arrival-rate, rate: 2, duration: 10s }\n    steps:\n      - srp_sign_in\n      - refresh\n      - refresh\n      - get_user\n",
    )
    .unwrap();
    let s = loaded.scenario;
    assert!(matches!(s.target, Target::Embedded));
    assert_eq!(s.setup.rate, 20.0);
    assert!(!s.setup.keep);
    assert_eq!(s.setup.username, "harness-{run}-{n}");
    assert!(matches!(
        s.setup.users,
        UserSource::Provision { count: 5, .. }
    ));
    let flow = &s.flows[0];
    assert_eq!(flow.users, UserSelection::Sequential);
    let names: Vec<&str> = flow.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["srp_sign_in", "refresh", "refresh_2", "get_user"]);
    // Token users take the latest producer: refresh_2 uses refresh's tokens.
    let sources: Vec<Option<usize>> = flow.steps.iter().map(|s| s.tokens_from).collect();
    assert_eq!(sources, [None, Some(0), Some(1), Some(2)]);
    let FlowLoad::Own(load) = &flow.load else {
        panic!("own load expected")
    };
    assert_eq!(load.graceful_stop.as_secs(), 30);
    assert!(matches!(
        load.executor,
        Executor::ConstantArrivalRate {
            pre_allocated_vus: 10,
            max_vus: 1000,
            ..
        }
    ));
}

#[test]
fn environment_values_and_defaults_fill_the_target_and_secrets_stay_hidden() {
    let source = "target:\n  endpoint: \"http://127.0.0.1:${PORT:-9229}\"\n  region: eu-west-1\n  user_pool_id: \"${POOL}\"\n  client_id: abc\n  client_secret: \"${SECRET}\"\n  admin: env\nsetup: { users: 3, password: \"${PASSWORD}\" }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [srp_sign_in]\n";
    let env = |name: &str| match name {
        "POOL" => Some("eu-west-1_pool".to_string()),
        "SECRET" => Some("very-secret-value".to_string()),
        "PASSWORD" => Some("Pa55word-secret!".to_string()),
        _ => None,
    };
    let loaded = parse_scenario(source, Path::new("env.yaml"), &env).unwrap();
    let Target::Endpoint(e) = &loaded.scenario.target else {
        panic!("endpoint expected")
    };
    assert_eq!(e.endpoint.as_str(), "http://127.0.0.1:9229/");
    assert_eq!(e.user_pool_id, "eu-west-1_pool");
    assert_eq!(e.admin, AdminCredentials::Env);
    assert_eq!(e.issuer, "http://127.0.0.1:9229/eu-west-1_pool");
    assert_eq!(
        e.jwks_url.as_str(),
        "http://127.0.0.1:9229/eu-west-1_pool/.well-known/jwks.json"
    );
    // The wire client accepts what validation accepted.
    let config = e.target_config(e.region.as_deref().unwrap()).unwrap();
    assert_eq!(config.endpoint, e.endpoint);
    assert_eq!(config.region, "eu-west-1");
    assert!(!config.allow_non_loopback);
    assert_eq!(
        e.client_secret.as_ref().unwrap().expose(),
        "very-secret-value"
    );
    let debug = format!("{:?}", loaded.scenario);
    assert!(!debug.contains("very-secret-value"), "{debug}");
    assert!(!debug.contains("Pa55word-secret!"), "{debug}");
    assert!(debug.contains("***"));
}

#[test]
fn a_real_pool_gets_cognito_issuer_and_jwks_by_default() {
    let path = Path::new("scenarios/m2m-client-credentials.yaml");
    let source = std::fs::read_to_string(path).unwrap();
    let loaded = parse_scenario(&source, path, &example_env).unwrap();
    let Target::Endpoint(e) = &loaded.scenario.target else {
        panic!("endpoint expected")
    };
    assert_eq!(
        e.issuer,
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example"
    );
    assert_eq!(
        e.jwks_url.as_str(),
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example/.well-known/jwks.json"
    );
    let config = e.target_config(e.region.as_deref().unwrap()).unwrap();
    assert!(config.allow_non_loopback);
    assert_eq!(
        config.oauth_url("token").unwrap().as_str(),
        "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token"
    );
}

#[test]
fn remote_oauth_domains_need_the_opt_in_too() {
    let err = parse(
        "target:\n  endpoint: http://127.0.0.1:9229\n  region: EU\n  user_pool_id: p\n  client_id: c\n  client_secret: s\n  oauth_domain: https://x.auth.eu-west-1.amazoncognito.com\nflows:\n  m2m:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [client_credentials]\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "inline.yaml:3:11: target.region: `EU` is not an AWS region name; write it like eu-west-1\n\
         inline.yaml:7:17: target.oauth_domain: `x.auth.eu-west-1.amazoncognito.com` is not a loopback address, and load tests against remote pools must be opted into; add `allow_remote: true` to the target if you mean to send this load there"
    );
}

#[test]
fn arrival_rates_beyond_max_vus_warn_rather_than_fail() {
    let loaded = parse(
        "setup: { users: 5 }\nflows:\n  a:\n    load: { executor: constant-arrival-rate, rate: 100, duration: 10s, pre_allocated_vus: 2, max_vus: 5 }\n    steps: [srp_sign_in, refresh]\n",
    )
    .unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    let w = &loaded.warnings[0];
    assert_eq!(w.kind, DiagnosticKind::Capacity);
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(
        w.to_string(),
        "inline.yaml:4:11: warning: flows.a.load.max_vus: at its peak of 100.0 iterations/s, iterations of ~300ms (assuming 100ms per request) need ~30 VUs, more than max_vus 5; iterations beyond it are dropped and counted; raise max_vus to 30 or more"
    );
}

#[test]
fn unique_users_must_cover_every_iteration() {
    let err = parse(
        "setup: { users: 10 }\nflows:\n  a:\n    users: unique\n    load: { executor: constant-arrival-rate, rate: 1, duration: 20s }\n    steps: [srp_sign_in]\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "inline.yaml:4:12: flows.a.users: `unique` takes a fresh user per iteration: the load starts 20 iterations and setup provides 10 users; raise setup.users, or use `sequential`"
    );
}

#[test]
fn flows_that_act_as_users_need_users() {
    let err = parse(
        "flows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [get_user, srp_sign_in]\n",
    )
    .unwrap_err();
    assert_eq!(err.kinds(), [DiagnosticKind::UnknownReference]);
    assert!(
        err.to_string().contains(
            "flows.a.steps[0].get_user: needs a user's access token from an earlier step"
        )
    );
    let err = parse(
        "flows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [verify_tokens, srp_sign_in]\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "inline.yaml:4:13: flows.a.steps[0].verify_tokens: needs tokens from an earlier step of this flow, and there is none; add srp_sign_in (or password_sign_in, admin_sign_in, authorization_code_pkce) before it"
    );
    let err = parse(
        "flows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [srp_sign_in, get_user]\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "inline.yaml:4:13: flows.a.steps[0].srp_sign_in: acts as an existing user, and the scenario has none; add `setup: { users: 100 }` (or a `csv`), or start the flow with sign_up"
    );
}

#[test]
fn a_shared_load_splits_by_weight_and_rejects_per_flow_loads() {
    let ok = parse(
        "setup: { users: 5 }\nload: { executor: constant-arrival-rate, rate: 10, duration: 10s }\nflows:\n  a: { weight: 3, steps: [srp_sign_in] }\n  b: { steps: [srp_sign_in] }\n",
    )
    .unwrap();
    assert!(ok.scenario.shared_load.is_some());
    assert!(matches!(
        ok.scenario.flows[0].load,
        FlowLoad::Shared { weight: 3 }
    ));
    assert!(matches!(
        ok.scenario.flows[1].load,
        FlowLoad::Shared { weight: 1 }
    ));
    let err = parse(
        "setup: { users: 5 }\nload: { executor: constant-arrival-rate, rate: 10, duration: 10s }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [srp_sign_in]\n",
    )
    .unwrap_err();
    assert_eq!(err.kinds(), [DiagnosticKind::Conflict]);
    let err = parse("setup: { users: 5 }\nflows:\n  a: { weight: 2, steps: [srp_sign_in] }\n")
        .unwrap_err();
    assert_eq!(err.kinds(), [DiagnosticKind::Conflict]);
    assert!(err.0[0].key == "flows.a.weight");
}

#[test]
fn captures_resolve_and_client_tokens_cannot_be_refreshed() {
    let ok = parse(
        "setup: { users: 5 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps:\n      - srp_sign_in: { capture: first }\n      - client_credentials\n      - refresh: { tokens: first }\n",
    )
    .unwrap();
    assert_eq!(ok.scenario.flows[0].steps[2].tokens_from, Some(0));
    let err = parse(
        "setup: { users: 5 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps:\n      - srp_sign_in\n      - client_credentials\n      - refresh\n",
    )
    .unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "inline.yaml:8:9: flows.a.steps[2].refresh: needs a refresh token, and `client_credentials` (client_credentials) issues none; use the tokens of a user sign-in step"
    );
}

#[test]
fn csv_users_are_read_relative_to_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "username,password\nalice,\"pa,ss\"\"1\"\nbob,secret2\n",
    )
    .unwrap();
    let scenario = "target:\n  endpoint: http://127.0.0.1:9229\n  region: eu-west-1\n  user_pool_id: eu-west-1_x\n  client_id: c\nsetup: { csv: users.csv, keep: true }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [srp_sign_in]\n";
    let path = dir.path().join("s.yaml");
    let loaded = parse_scenario(scenario, &path, &no_env).unwrap();
    let UserSource::Csv { users, .. } = &loaded.scenario.setup.users else {
        panic!("csv users expected")
    };
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].username, "alice");
    assert_eq!(users[0].password.expose(), "pa,ss\"1");

    std::fs::write(dir.path().join("users.csv"), "name,pw\nalice,x\n").unwrap();
    let err = parse_scenario(scenario, &path, &no_env).unwrap_err();
    assert_eq!(err.kinds(), [DiagnosticKind::InvalidValue]);
    assert!(
        err.to_string().contains(
            "users.csv:1: the header (2 columns) lacks `username` and `password` columns"
        )
    );
}

#[test]
fn remote_pools_need_admin_credentials_to_clean_up() {
    let err = parse(
        "target:\n  endpoint: http://127.0.0.1:9229\n  region: eu-west-1\n  user_pool_id: eu-west-1_x\n  client_id: c\nflows:\n  storm:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [sign_up]\n",
    )
    .unwrap_err();
    assert_eq!(err.kinds(), [DiagnosticKind::Unsupported]);
    assert_eq!(err.0[0].key, "setup.keep");
}

#[test]
fn step_kinds_map_to_operations() {
    let loaded = parse(
        "setup: { users: 5 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [srp_sign_in, refresh, verify_tokens, client_credentials]\n",
    )
    .unwrap();
    let ops: Vec<&[&str]> = loaded.scenario.flows[0]
        .steps
        .iter()
        .map(|s| s.kind.operations())
        .collect();
    assert_eq!(
        ops,
        [
            &["InitiateAuth", "RespondToAuthChallenge"][..],
            &["InitiateAuth"][..],
            &[][..],
            &["oauth2/token:client_credentials"][..],
        ]
    );
    assert!(matches!(
        loaded.scenario.flows[0].steps[2].kind,
        StepKind::VerifyTokens { .. }
    ));
}

#[test]
fn empty_and_odd_documents_are_errors_not_panics() {
    for source in [
        "",
        "---\n",
        "flows: {}\n",
        "[1, 2]\n",
        "flows:\n  a: null\n",
        "\u{feff}flows: x\n",
    ] {
        let err = parse(source).expect_err(source);
        assert!(!err.0.is_empty(), "{source:?}");
    }
}

const VALID: &str = include_str!("../scenarios/mixed.yaml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,400}") {
        let _ = parse(&source);
    }

    #[test]
    fn yaml_shaped_noise_never_panics(
        source in "([a-z_]{1,8}: (\\{|\\[|-?[0-9]{1,4}(ms|s|m|%)?|\"\\$\\{[A-Z]{1,4}\\}\"|[a-z_-]{1,10}|\\]|\\})?\n( {2,6}- ?)?){0,30}"
    ) {
        let _ = parse(&source);
    }

    #[test]
    fn garbled_valid_scenarios_never_panic(
        cuts in proptest::collection::vec((0usize..VALID.len(), 0usize..12, "[ :\\-\\[\\]{}#\"'\\n0-9a-z]{0,6}"), 1..6)
    ) {
        let mut text = VALID.to_string();
        for (at, len, insert) in cuts {
            let mut start = at.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(start..end, &insert);
        }
        let _ = parse(&text);
    }
}

#[test]
fn deeply_nested_documents_are_refused_without_crashing() {
    let deep = format!("flows: {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    assert!(parse(&deep).is_err());
    let deep_maps: String = (1..2_000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    assert!(parse(&format!("flows:\n{deep_maps}")).is_err());
}

#[test]
fn a_step_after_a_sign_in_expected_to_fail_is_rejected_for_want_of_tokens() {
    let err = parse(
        "setup: { users: 5 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps:\n      - password_sign_in: { expect: { error: NotAuthorizedException } }\n      - change_password\n",
    )
    .unwrap_err();
    assert_eq!(err.kinds(), [DiagnosticKind::UnknownReference]);
    assert_eq!(
        err.to_string(),
        "inline.yaml:7:9: flows.a.steps[1].change_password: needs a user's access token from an earlier step of this flow, and none yields one: `password_sign_in` expects the error NotAuthorizedException, so it yields no tokens; add a sign-in expected to succeed before it (srp_sign_in, password_sign_in, admin_sign_in or authorization_code_pkce)"
    );
    // A capture of such a step cannot hand tokens on either.
    let err = parse(
        "setup: { users: 5 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps:\n      - srp_sign_in\n      - password_sign_in: { capture: bad, expect: { status: 400 } }\n      - refresh: { tokens: bad }\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "inline.yaml:8:9: flows.a.steps[2].refresh: needs a refresh token from `password_sign_in`, and `password_sign_in` expects status 400, so it yields no tokens; take the tokens of a sign-in expected to succeed (`tokens:` naming its capture)"
    );
}

#[test]
fn tokens_come_from_the_latest_sign_in_expected_to_succeed() {
    let ok = parse(
        "setup: { users: 5 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps:\n      - srp_sign_in\n      - password_sign_in: { expect: { error: NotAuthorizedException } }\n      - get_user\n",
    )
    .unwrap();
    assert_eq!(
        ok.scenario.flows[0].steps[2].tokens_from,
        Some(0),
        "the engine keeps tokens only from a success, and so does the validator"
    );
}

#[test]
fn verifying_an_id_token_needs_a_step_that_issues_one() {
    let err = parse(
        "flows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps:\n      - client_credentials\n      - verify_tokens: { token: id }\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "inline.yaml:6:9: flows.a.steps[1].verify_tokens: needs an ID token, and `client_credentials` (client_credentials) issues none; use the tokens of a user sign-in step"
    );
    // Client tokens have no ID token, and `both` checks what there is.
    parse(
        "flows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [client_credentials, verify_tokens]\n",
    )
    .unwrap();
    let err = parse(
        "setup: { users: 5 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps:\n      - authorization_code_pkce: { scopes: [aws.cognito.signin.user.admin] }\n      - verify_tokens\n",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("needs an ID token, and `authorization_code_pkce` issues none; request the `openid` scope"),
        "{err}"
    );
}

#[test]
fn think_takes_a_range_or_a_distribution_and_errors_point_inside_the_value() {
    use cognito_harness::scenario::think::Think;
    use std::time::Duration;
    let loaded = parse(
        "setup: { users: 1 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps:\n      - srp_sign_in: { think: 100ms..300ms }\n      - get_user: { think: \"normal(200ms, 50ms)\" }\n      - refresh: { think: exponential(1s) }\n",
    )
    .unwrap();
    let thinks: Vec<Think> = loaded.scenario.flows[0]
        .steps
        .iter()
        .map(|s| s.think)
        .collect();
    let ms = Duration::from_millis;
    assert_eq!(
        thinks,
        [
            Think::Uniform {
                min: ms(100),
                max: ms(300)
            },
            Think::Normal {
                mean: ms(200),
                stddev: ms(50)
            },
            Think::Exponential { mean: ms(1000) },
        ]
    );
    let errors: Vec<String> = parse(
        "setup: { users: 1 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps:\n      - srp_sign_in: { think: 100ms..3x }\n      - refresh: { think: 300ms..100ms }\n",
    )
    .unwrap_err()
    .0
    .iter()
    .map(|d| d.to_string())
    .collect();
    assert_eq!(
        errors,
        [
            "inline.yaml:6:38: flows.a.steps[0].srp_sign_in.think: `3x` has an unknown unit `x`; use us, ms, s, m or h",
            "inline.yaml:7:27: flows.a.steps[1].refresh.think: the range `300ms..100ms` starts after it ends; write the smaller bound first: 100ms..300ms",
        ]
    );
}

#[test]
fn env_references_read_the_command_line_variables_and_a_missing_one_is_named() {
    let source = "setup: { users: 1, password: \"${env.PW}\" }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [srp_sign_in]\n";
    let cli = |name: &str| (name == "env.PW").then(|| "Cli-Pa55word!".to_string());
    let loaded = parse_scenario(source, Path::new("inline.yaml"), &cli).unwrap();
    assert_eq!(
        loaded.scenario.setup.password.unwrap().expose(),
        "Cli-Pa55word!"
    );
    let err = parse(source).unwrap_err();
    assert_eq!(
        err.0.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        [
            "inline.yaml:1:30: setup.password: `${env.PW}` is not defined; pass `-e PW=VALUE` (or export PW), or write `${env.PW:-default}` to give a default"
        ]
    );
    assert_eq!(err.0[0].kind, DiagnosticKind::MissingEnv);
}

#[test]
fn csv_rows_take_any_columns_read_by_row_references_checked_at_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "username,password,pin,email\nalice,x,1234,a@example.com\n",
    )
    .unwrap();
    let scenario = |password: &str| {
        format!(
            "target:\n  endpoint: http://127.0.0.1:9229\n  region: eu-west-1\n  user_pool_id: eu-west-1_x\n  client_id: c\nsetup: {{ csv: users.csv, keep: true }}\nflows:\n  a:\n    load: {{ executor: constant-vus, vus: 1, duration: 5s }}\n    steps:\n      - password_sign_in: {{ password: \"{password}\" }}\n"
        )
    };
    let path = dir.path().join("s.yaml");
    let loaded = parse_scenario(&scenario("p-${row.pin}"), &path, &no_env).unwrap();
    let UserSource::Csv { columns, users, .. } = &loaded.scenario.setup.users else {
        panic!("csv users expected")
    };
    assert_eq!(columns, &["username", "password", "pin", "email"]);
    assert_eq!(users[0].row[3].expose(), "a@example.com");
    let StepKind::PasswordSignIn { password, .. } = &loaded.scenario.flows[0].steps[0].kind else {
        panic!("password_sign_in expected")
    };
    assert_eq!(
        password.as_ref().unwrap().expose(),
        "p-${row.pin}",
        "kept for the engine to fill per iteration"
    );

    let err = parse_scenario(&scenario("${row.pni}"), &path, &no_env).unwrap_err();
    assert_eq!(err.kinds(), [DiagnosticKind::UnknownReference]);
    assert!(
        err.to_string().contains(":11:40: flows.a.steps[0].password_sign_in.password: `${row.pni}` names no column of the setup CSV; its columns are: username, password, pin, email"),
        "{err}"
    );

    // A row reference outside a sign-in password, and in a flow without CSV users.
    let elsewhere = "setup: { users: 1, password: \"${row.pin}\" }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps:\n      - srp_sign_in: { password: \"${row.pin}\" }\n";
    let messages: Vec<String> = parse(elsewhere)
        .unwrap_err()
        .0
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        messages,
        [
            "inline.yaml:1:30: setup.password: `${row.pin}` is not read here; only the `password` of `srp_sign_in`, `password_sign_in` and `admin_sign_in` takes a CSV column",
            "inline.yaml:6:35: flows.a.steps[0].srp_sign_in.password: `${row.pin}` has no row here: `setup` reads no `csv:` file",
        ]
    );
}

#[test]
fn a_malformed_csv_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "target:\n  endpoint: http://127.0.0.1:9229\n  region: eu-west-1\n  user_pool_id: eu-west-1_x\n  client_id: c\nsetup: { csv: users.csv, keep: true }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 5s }\n    steps: [srp_sign_in]\n";
    let path = dir.path().join("s.yaml");
    for (csv, expected) in [
        (
            "username,password,pin\nalice,x,1\nbob,y\n",
            "users.csv:3: expected 3 fields (the header's), found 2",
        ),
        (
            "username,password\nalice,\"x\n",
            "users.csv:2: unclosed quote",
        ),
        (
            "username,password,pin,PIN\nalice,x,1,2\n",
            "users.csv:1: columns 3 and 4 of the header have the same name",
        ),
    ] {
        std::fs::write(dir.path().join("users.csv"), csv).unwrap();
        let err = parse_scenario(scenario, &path, &no_env).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
        assert!(
            err.to_string().contains("s.yaml:6:"),
            "located at setup.csv: {err}"
        );
    }
}

#[test]
fn admin_aws_takes_an_optional_profile_and_may_leave_the_region_to_the_chain() {
    let head =
        "target:\n  endpoint: http://127.0.0.1:9229\n  user_pool_id: eu-west-1_x\n  client_id: c\n";
    let tail = "setup: { users: 1 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [srp_sign_in]\n";
    let loaded = parse(&format!("{head}  admin: aws\n  profile: load\n{tail}")).unwrap();
    let Target::Endpoint(e) = &loaded.scenario.target else {
        panic!("endpoint expected")
    };
    assert_eq!(
        e.admin,
        AdminCredentials::Aws {
            profile: Some("load".into())
        }
    );
    assert_eq!(e.region, None);
    assert!(loaded.scenario.target.capabilities().admin);

    let errors = |text: String| -> Vec<String> {
        parse(&text)
            .expect_err("invalid")
            .0
            .iter()
            .map(|d| d.to_string())
            .collect()
    };
    assert_eq!(
        errors(format!(
            "{head}  region: eu-west-1\n  admin: env\n  profile: load\n{tail}"
        )),
        [
            "inline.yaml:7:12: target.profile: names a shared-config profile, which only `admin: aws` reads; add `admin: aws` to the target, or remove `profile`"
        ]
    );
    assert_eq!(
        errors(format!("{head}  admin: env\n{tail}")),
        [
            "inline.yaml:2:3: target.region: is missing; set it (e.g. eu-west-1), or use `admin: aws`, which can take it from the AWS configuration"
        ]
    );
}

fn csv_scenario_error(dir: &Path, csv: &str) -> String {
    let scenario = format!(
        "target:\n  endpoint: http://127.0.0.1:9229\n  region: eu-west-1\n  user_pool_id: eu-west-1_x\n  client_id: c\nsetup: {{ csv: \"{csv}\", keep: true }}\nflows:\n  a:\n    load: {{ executor: constant-vus, vus: 1, duration: 5s }}\n    steps: [srp_sign_in]\n"
    );
    parse_scenario(&scenario, &dir.join("s.yaml"), &no_env)
        .expect_err("the csv is refused")
        .to_string()
}

#[test]
fn csv_users_are_read_from_regular_files_only() {
    let dir = tempfile::tempdir().unwrap();
    // A device: read to the end, it would never end.
    let err = csv_scenario_error(dir.path(), "/dev/zero");
    assert!(err.contains("`/dev/zero` is not a regular file"), "{err}");
    let err = csv_scenario_error(dir.path(), ".");
    assert!(err.contains("is a directory"), "{err}");
    // A FIFO: opening it would wait for a writer forever.
    let fifo = dir.path().join("users.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let err = csv_scenario_error(dir.path(), "users.fifo");
    assert!(err.contains("is not a regular file"), "{err}");
}

#[test]
fn csv_errors_never_repeat_the_file_content() {
    let dir = tempfile::tempdir().unwrap();
    let passwd_like = "root:x:0:0:root-secret-word:/root:/bin/bash\ndaemon:x:1:1::/:/bin/false\n";
    std::fs::write(dir.path().join("passwd"), passwd_like).unwrap();
    let err = csv_scenario_error(dir.path(), "passwd");
    assert!(
        err.contains("passwd:1: the header (1 columns) lacks"),
        "{err}"
    );
    assert!(!err.contains("root"), "the content is echoed: {err}");

    std::fs::write(
        dir.path().join("dup.csv"),
        "username,Secret-Column,password,secret-column\nalice,a,b,c\n",
    )
    .unwrap();
    let err = csv_scenario_error(dir.path(), "dup.csv");
    assert!(
        err.contains("dup.csv:1: columns 2 and 4 of the header have the same name"),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("secret-column"), "{err}");

    std::fs::write(
        dir.path().join("latin1.csv"),
        b"username,password\nal\xefce-hidden,x\n",
    )
    .unwrap();
    let err = csv_scenario_error(dir.path(), "latin1.csv");
    assert!(err.contains("latin1.csv:2:3: not UTF-8 text"), "{err}");
    assert!(!err.contains("hidden"), "{err}");
}

#[test]
fn csv_files_over_the_size_limit_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = std::fs::File::create(dir.path().join("big.csv")).unwrap();
    // Sparse: 65 MiB on paper, nothing on disk.
    big.set_len(65 << 20).unwrap();
    let err = csv_scenario_error(dir.path(), "big.csv");
    assert!(err.contains("is larger than 64 MiB"), "{err}");
}
