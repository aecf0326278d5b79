//! The load engine against the reference server on loopback: a short run whose report counts
//! match, request for request, what the run sent and what the server holds afterwards.

mod engine_support;

use cognito_harness::engine;
use cognito_harness::protocol::CognitoClient;
use cognito_harness::quota::QuotaCategory;
use cognito_harness::server::{ServerConfig, start};
use engine_support::run_on;

const SCENARIO: &str = r#"
target: embedded
setup:
  users: 4
  password: "E2e-Pa55word!"
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 10, duration: 2s, pre_allocated_vus: 2 }
    steps:
      - srp_sign_in: { capture: s }
      - verify_tokens
      - refresh: { tokens: s }
      - get_user
  sign_up:
    load: { executor: constant-arrival-rate, rate: 3, duration: 2s }
    steps:
      - sign_up: { username: "e2e-{n}" }
      - confirm_sign_up
      - password_sign_in:
          password: "Wrong-Pa55word!"
          expect: { error: NotAuthorizedException }
      - password_sign_in
  looping:
    load: { executor: constant-vus, vus: 2, duration: 1s }
    steps:
      - password_sign_in: { think: 100ms }
thresholds:
  run: ["error_rate==0"]
  sign_up.sign_up: ["count==6"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_counts_match_what_the_server_saw() {
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(server.endpoint(), SCENARIO, |_| {}).await;
    let (result, pool_id) = (&run.result, &run.pool_id);
    let s = &result.report.summary;

    // 20 sign-in iterations x 4 requests (SRP is two) + 6 sign-ups x 4 requests.
    assert_eq!(s.flows["sign_in"].count, 20);
    assert_eq!(s.flows["sign_up"].count, 6);
    // Two closed-model VUs loop for a second, one request per iteration.
    let looped = s.flows["looping"].count;
    assert!(looped >= 2, "{looped}");
    assert_eq!(s.steps["looping.password_sign_in"].count, looped);
    assert_eq!(s.run.count, 20 * 4 + 6 * 4 + looped, "{:?}", s.run.errors);
    assert_eq!(
        s.run.ok, s.run.count,
        "errors: {:?} {:?}",
        s.run.errors, s.run.transport
    );
    assert_eq!(s.steps["sign_in.verify_tokens"].ok, 20);
    // Every timed step execution lands in one interval of the latency timeline, placed by its
    // intended start; every categorised request in one of its category's.
    assert_eq!(s.timeline_interval_s, 1);
    for (name, step) in &s.steps {
        let timed: u64 = s
            .latency_timeline
            .iter()
            .filter_map(|i| i.steps.get(name))
            .map(|p| p.count)
            .sum();
        let expected = step
            .latency
            .as_ref()
            .map_or(0, |_| step.count - step.not_sent.values().sum::<u64>());
        assert_eq!(timed, expected, "{name}");
    }
    for (category, scope) in &s.categories {
        let timed: u64 = s
            .latency_timeline
            .iter()
            .filter_map(|i| i.categories.get(category))
            .map(|p| p.count)
            .sum();
        assert_eq!(timed, scope.count, "{category:?}");
    }
    // The expected NotAuthorizedException counts as ok, not as an error.
    assert_eq!(s.steps["sign_up.password_sign_in"].ok, 6);
    assert_eq!(
        s.timeline.iter().map(|t| t.requests).sum::<u64>(),
        s.run.count
    );
    assert!(result.report.passed, "{:?}", result.report.thresholds);
    assert!(!result.report.partial);
    assert!(result.dir.join("summary.json").is_file());

    // The server holds exactly the six users the sign-up flow created, confirmed.
    let client =
        CognitoClient::new(engine::target::local_config(server.endpoint()).unwrap()).unwrap();
    for n in 1..=6 {
        let user = client
            .admin_get_user(pool_id, &format!("e2e-{n}"))
            .await
            .unwrap_or_else(|e| panic!("e2e-{n}: {e}"));
        assert_eq!(
            user.user_status.map(|s| s.as_str().to_owned()).as_deref(),
            Some("CONFIRMED")
        );
    }
    assert!(client.admin_get_user(pool_id, "e2e-7").await.is_err());
    server.shutdown().await;
}

const MANAGED_LOGIN: &str = r#"
target: embedded
setup:
  users: 3
  password: "Web-Pa55word!"
flows:
  web:
    load: { executor: constant-arrival-rate, rate: 5, duration: 2s, pre_allocated_vus: 2 }
    steps:
      - authorization_code_pkce:
          scopes: [openid, email, aws.cognito.signin.user.admin]
          capture: web
      - verify_tokens: { tokens: web }
      - get_user
      - refresh: { tokens: web }
thresholds:
  run: ["error_rate==0"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_login_with_pkce_runs_against_the_reference_server() {
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(server.endpoint(), MANAGED_LOGIN, |_| {}).await;
    let s = &run.result.report.summary;
    assert_eq!(s.flows["web"].count, 10);
    let step = &s.steps["web.authorization_code_pkce"];
    assert_eq!(step.count, 10);
    assert_eq!(step.ok, 10, "{:?} {:?}", step.errors, step.transport);
    // The tokens verify locally and work for the API and for a refresh.
    assert_eq!(s.steps["web.verify_tokens"].ok, 10);
    assert_eq!(s.steps["web.get_user"].ok, 10);
    assert_eq!(s.steps["web.refresh"].ok, 10);
    // Managed login and the code exchange are two requests; get_user and refresh one each.
    assert_eq!(s.run.count, 10 * 4);
    assert_eq!(s.run.ok, s.run.count, "{:?}", s.run.errors);
    server.shutdown().await;
}

const ADMIN_SEARCH: &str = r#"
target: embedded
setup:
  users: 3
  password: "Search-Pa55word!"
flows:
  support:
    load: { executor: constant-arrival-rate, rate: 5, duration: 2s, pre_allocated_vus: 2 }
    steps:
      - list_users: { filter: 'cognito:user_status = "CONFIRMED"', limit: 2 }
      - list_users: { name: bad_filter, filter: "username = unquoted", expect: { error: InvalidParameterException } }
thresholds:
  run: ["error_rate==0"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_users_runs_against_the_reference_server_and_counts_as_user_list() {
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(server.endpoint(), ADMIN_SEARCH, |_| {}).await;
    let s = &run.result.report.summary;
    assert_eq!(s.flows["support"].count, 10);
    let step = &s.steps["support.list_users"];
    assert_eq!(step.ok, 10, "{:?} {:?}", step.errors, step.transport);
    // The malformed filter is refused as the API reference's form requires.
    assert_eq!(s.steps["support.bad_filter"].ok, 10);
    // Both are ListUsers requests, counted in UserList ("Quotas in Amazon Cognito").
    assert_eq!(s.categories[&QuotaCategory::UserList].count, 20);
    server.shutdown().await;
}
