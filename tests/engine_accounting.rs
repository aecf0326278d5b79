//! Every iteration counted, every scope adding up, against the reference server on loopback:
//! a step that fails inside the harness shows at the run scope and fails its thresholds, the
//! iterations a stalled target holds at the end of graceful stop are counted interrupted (with
//! their latency so far), and a flow's latency leaves its think time to iteration duration.

mod engine_support;

use cognito_harness::engine;
use cognito_harness::exit::ExitCode;
use cognito_harness::metrics::Summary;
use cognito_harness::protocol::CognitoClient;
use cognito_harness::scenario::model::{Scenario, UserSelection};
use cognito_harness::server::{ServerConfig, start};
use engine_support::{run_changed_on, run_on};

fn assert_every_scope_adds_up(s: &Summary) {
    let scopes = std::iter::once(&s.run)
        .chain(s.flows.values())
        .chain(s.steps.values())
        .chain(s.categories.values());
    for scope in scopes {
        assert!(scope.adds_up(), "{scope:?}");
    }
    let it = &s.iterations;
    assert_eq!(
        it.scheduled,
        it.ok + it.failed.values().sum::<u64>() + it.interrupted,
        "{it:?}"
    );
}

const OUT_OF_USERS: &str = r#"
target: embedded
setup:
  users: 2
  password: "Acc-Pa55word!"
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 10, duration: 2s, pre_allocated_vus: 2 }
    steps:
      - password_sign_in
thresholds:
  run: ["error_rate<1%"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_that_fail_inside_the_harness_fail_the_run_error_rate() {
    let server = start(ServerConfig::default()).await.unwrap();
    // The validator refuses `unique` with too few users; the engine must count it anyway.
    let unique = |s: &mut Scenario| s.flows[0].users = UserSelection::Unique;
    let run = run_changed_on(server.endpoint(), OUT_OF_USERS, unique, |_| {}).await;
    server.shutdown().await;
    let s = &run.result.report.summary;
    // Two users for twenty iterations: two sign-ins sent, eighteen steps never sent.
    assert_eq!(s.flows["sign_in"].count, 20);
    assert_eq!(s.flows["sign_in"].ok, 2);
    assert_eq!(s.flows["sign_in"].not_sent["no_user_left"], 18);
    assert_eq!(
        s.steps["sign_in.password_sign_in"].not_sent["no_user_left"],
        18
    );
    assert_eq!(s.run.count, 20);
    assert_eq!(s.run.ok, 2);
    assert_eq!(s.run.not_sent["no_user_left"], 18);
    assert!(
        (s.run.error_rate - 0.9).abs() < 1e-9,
        "{}",
        s.run.error_rate
    );
    assert_every_scope_adds_up(s);
    assert!(!run.result.report.passed);
    assert_eq!(run.result.exit_code(), ExitCode::ThresholdsFailed);
}

const STALLED: &str = r#"
target: embedded
flows:
  sign_up:
    load:
      executor: constant-arrival-rate
      rate: 10
      duration: 3s
      pre_allocated_vus: 5
      max_vus: 5
      graceful_stop: 1s
    steps:
      - sign_up: { username: "stalled-{n}" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iterations_a_stalled_target_holds_are_counted_interrupted() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stalled = format!("http://{}/", listener.local_addr().unwrap());
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(server.endpoint(), STALLED, |resolved| {
        let config = engine::target::local_config(&stalled).unwrap();
        resolved.client = CognitoClient::new(config).unwrap();
    })
    .await;
    server.shutdown().await;
    holder.abort();
    let s = &run.result.report.summary;
    let flow = &s.flows["sign_up"];
    // 30 scheduled: 5 were sending when graceful stop ended, 25 waited for a VU.
    assert_eq!(flow.count, 30, "{flow:?}");
    assert_eq!(flow.interrupted, 30, "{flow:?}");
    assert_eq!(s.iterations.scheduled, 30);
    assert_eq!(s.iterations.interrupted, 30);
    // The 5 VUs' steps were waiting for their answer, or (on a slow machine) had not yet sent
    // when the stop came: every one of them is counted, once, at the step and at the run.
    let step = &s.steps["sign_up.sign_up"];
    assert!((1..=5).contains(&step.count), "{step:?}");
    let in_flight = step.transport.get("interrupted").copied().unwrap_or(0);
    let unsent = step.not_sent.get("interrupted").copied().unwrap_or(0);
    assert_eq!(in_flight + unsent, step.count, "{step:?}");
    assert!(in_flight >= 1, "{step:?}");
    assert_eq!(s.run.count, step.count, "{:?}", s.run);
    assert_eq!(
        s.run.transport.get("interrupted").copied().unwrap_or(0),
        in_flight
    );
    assert_eq!(
        s.run.not_sent.get("interrupted").copied().unwrap_or(0),
        unsent
    );
    assert_eq!(s.run.error_rate, 1.0);
    // Waiting from 0-0.4 s until the end of graceful stop (4 s): the stall is latency.
    let latency = s.run.latency.as_ref().unwrap();
    assert!(latency.min_us >= 3_400_000, "{latency:?}");
    // (The cancellation can come late on a loaded machine; the bound only rules out runaway.)
    assert!(latency.max_us <= 9_000_000, "{latency:?}");
    assert_every_scope_adds_up(s);
    // Graceful stop expiring is not an interruption of the run.
    assert!(!run.result.report.partial);
}

const THINKING: &str = r#"
target: embedded
setup:
  users: 2
  password: "Acc-Pa55word!"
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 4, duration: 1s, pre_allocated_vus: 4 }
    steps:
      - password_sign_in: { think: 400ms }
      - get_user
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_latency_excludes_think_time() {
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(server.endpoint(), THINKING, |_| {}).await;
    server.shutdown().await;
    let s = &run.result.report.summary;
    let flow = &s.flows["sign_in"];
    assert_eq!(flow.ok, 4, "{flow:?}");
    let latency = flow.latency.as_ref().unwrap();
    let duration = flow.iteration_duration.as_ref().unwrap();
    // Two loopback requests take far less than the 400 ms pause between them.
    assert!(latency.max_us < 300_000, "{latency:?}");
    assert!(duration.min_us >= 400_000, "{duration:?}");
    assert_every_scope_adds_up(s);
}

const WRONG_PASSWORD: &str = r#"
target: embedded
setup:
  users: 2
  password: "Acc-Pa55word!"
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 4, duration: 1s, pre_allocated_vus: 2 }
    steps:
      - password_sign_in: { password: "Wrong-Pa55word!" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_kinds_keep_one_sample_message() {
    let server = start(ServerConfig::default()).await.unwrap();
    let run = run_on(server.endpoint(), WRONG_PASSWORD, |_| {}).await;
    server.shutdown().await;
    let s = &run.result.report.summary;
    assert_eq!(s.run.errors["NotAuthorizedException"], 4);
    for scope in [
        &s.run,
        &s.flows["sign_in"],
        &s.steps["sign_in.password_sign_in"],
    ] {
        let sample = &scope.samples["NotAuthorizedException"];
        assert!(
            !sample.is_empty() && !sample.contains("Pa55word"),
            "{sample}"
        );
    }
    let text = cognito_harness::report::render_terminal(
        &run.result.report,
        &run.result.dir,
        &["sign_in.password_sign_in".to_string()],
    );
    assert!(
        text.lines()
            .any(|l| l.contains("NotAuthorizedException") && l.contains("  \"")),
        "the error kind's line carries its sample message: {text}"
    );
}
