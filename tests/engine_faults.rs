//! The load engine against a reference server with injected faults: added latency shows up in
//! the step's percentiles (measured from the intended send time), a stalled operation shows up
//! as latency rather than as fewer requests (the open model keeps the arrival rate), and
//! injected errors and dropped connections are counted by kind with nothing lost.

mod engine_support;

use cognito_harness::metrics::Summary;
use cognito_harness::server::{FaultConfig, ServerConfig, parse_fault_spec, start};

async fn run_against_faults(faults: &[&str], scenario: &str) -> Summary {
    let server = start(ServerConfig {
        faults: FaultConfig {
            rules: faults
                .iter()
                .map(|s| parse_fault_spec(s).unwrap())
                .collect(),
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let run = engine_support::run_on(server.endpoint(), scenario, |_| {}).await;
    server.shutdown().await;
    run.result.report.summary
}

const SCENARIO: &str = r#"
target: embedded
setup: { users: 2, password: "Faults-Pa55word!" }
flows:
  f:
    load: { executor: constant-arrival-rate, rate: 20, duration: 3s, pre_allocated_vus: 4, max_vus: 60 }
    steps:
      - password_sign_in
      - get_user
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_latency_is_what_the_step_reports() {
    let s = run_against_faults(&["GetUser:latency=50ms"], SCENARIO).await;
    let get_user = &s.steps["f.get_user"];
    assert_eq!(get_user.count, 60, "every arrival ran");
    assert_eq!(get_user.ok, 60);
    let p50_ms = get_user.latency.as_ref().unwrap().p50_us as f64 / 1000.0;
    assert!(
        (50.0..100.0).contains(&p50_ms),
        "GetUser p50 {p50_ms} ms with 50 ms injected"
    );
    let sign_in = s.steps["f.password_sign_in"].latency.as_ref().unwrap();
    assert!(
        (sign_in.p50_us as f64) < 50_000.0,
        "the other step is not delayed: {} us",
        sign_in.p50_us
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_operation_is_latency_not_fewer_requests() {
    let s = run_against_faults(&["GetUser:latency=1s"], SCENARIO).await;
    let get_user = &s.steps["f.get_user"];
    assert_eq!(
        get_user.count, 60,
        "the arrival rate held while GetUser stalled"
    );
    let p50 = get_user.latency.as_ref().unwrap().p50_us;
    assert!(p50 >= 1_000_000, "the stall is in the latency: {p50} us");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_errors_and_drops_are_counted_by_kind() {
    let s = run_against_faults(&["GetUser:error_rate=0.3,drop_rate=0.3"], SCENARIO).await;
    let get_user = &s.steps["f.get_user"];
    let errors: u64 = get_user.errors.values().sum();
    let transport: u64 = get_user.transport.values().sum();
    assert_eq!(get_user.count, 60);
    assert_eq!(
        get_user.count,
        get_user.ok + errors + get_user.throttled + transport,
        "every attempt counted once: {get_user:?}"
    );
    assert!(
        get_user
            .errors
            .get("InternalErrorException")
            .copied()
            .unwrap_or(0)
            > 0,
        "{get_user:?}"
    );
    assert!(transport > 0, "{get_user:?}");
    assert!(get_user.ok > 0, "{get_user:?}");
    assert_eq!(
        s.steps["f.password_sign_in"].ok, 60,
        "untouched operations succeed"
    );
}
