//! The README recipe "Find your pool's limit": `scenarios/find-pool-limit.yaml` (a
//! `ramping-arrival-rate` sign-in load with `abort_on_fail` on UserAuthentication's
//! `throttle_rate`) run against a reference server enforcing `--quota UserAuthentication=N`
//! stops near N, says so in every report and exits 10. Also the long-form threshold syntax and
//! its located errors.

mod cli_support;

use cli_support::{harness_process, only_summary};
use cognito_harness::quota::QuotaCategory;
use cognito_harness::scenario::parse_scenario;
use cognito_harness::server::{QuotaConfig, ServerConfig, load_config_file, start};

const QUOTA: u32 = 10;
/// The scenario's ramp: +2 sign-ins per second every second.
const SLOPE: f64 = 2.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breakpoint_recipe_aborts_near_the_quota_and_exits_10() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = load_config_file(&root.join("scenarios/find-pool-limit/pools.yaml")).unwrap();
    let server = start(ServerConfig {
        pools: file.pools,
        quotas: QuotaConfig {
            enabled: true,
            overrides: [(QuotaCategory::UserAuthentication, QUOTA)]
                .into_iter()
                .collect(),
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let mut cmd = harness_process();
    cmd.arg("run")
        .arg(root.join("scenarios/find-pool-limit.yaml"))
        .arg("--reports")
        .arg(&reports)
        .arg("--quiet")
        .arg("--quota")
        .arg(format!("UserAuthentication={QUOTA}"))
        .env("ENDPOINT", server.endpoint());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    server.shutdown().await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(10), "{stderr}");
    let report = only_summary(&reports);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("reports/summary.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let invalid: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        invalid.is_empty(),
        "summary.json against its schema: {invalid:?}"
    );
    let aborted = &report["aborted"];
    assert_eq!(aborted["scope"], "UserAuthentication", "{report:#}");
    assert_eq!(aborted["expression"], "throttle_rate<1%");
    assert_eq!(report["passed"], false);
    assert_eq!(report["partial"], true);
    let at = aborted["at_s"].as_f64().unwrap();
    assert!(
        (2.0..30.0).contains(&at),
        "aborted at {at} s, long before the 60 s ramp's end"
    );
    // The server's bucket holds one second of the quota (a burst of N), so on a ramp of slope
    // s it starts refusing once the excess s·t²/2 has used the burst: at N + sqrt(2·N·s).
    // A second of sampling either side is the tolerance.
    let n = f64::from(QUOTA);
    let reached = aborted["category_rps"]["UserAuthentication"]
        .as_f64()
        .unwrap();
    let expected = n + (2.0 * n * SLOPE).sqrt();
    assert!(
        (reached - expected).abs() <= 2.0 * SLOPE + 1.0,
        "UserAuthentication reached {reached}/s; expected about {expected:.1}/s for a quota of {n}"
    );
    let arrival = aborted["arrival_rate"].as_f64().unwrap();
    assert!(
        (arrival - (2.0 + SLOPE * at)).abs() < 0.5,
        "{arrival} at {at}"
    );
    // Every iteration counted, and the reports say why the run stopped.
    let it = &report["summary"]["iterations"];
    let failed: u64 = it["failed"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        it["scheduled"].as_u64().unwrap(),
        it["ok"].as_u64().unwrap() + failed + it["interrupted"].as_u64().unwrap()
    );
    let run_dir = std::fs::read_dir(&reports)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let md = std::fs::read_to_string(run_dir.join("summary.md")).unwrap();
    assert!(md.contains("**Aborted**"), "{md}");
    assert!(
        md.contains("threshold UserAuthentication throttle\\_rate&lt;1%"),
        "{md}"
    );
    let html = std::fs::read_to_string(run_dir.join("report.html")).unwrap();
    assert!(html.contains("<strong>Aborted</strong>"), "{html}");
    let terminal = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(
        terminal.contains("rates reached (last full second): UserAuthentication"),
        "{terminal}"
    );
}

#[test]
fn long_form_thresholds_parse_beside_plain_ones() {
    let yaml = "flows:\n  f:\n    load: { executor: constant-arrival-rate, rate: 2, duration: 2s }\n    steps: [password_sign_in]\nsetup: { users: 2 }\nthresholds:\n  run: [\"error_rate<1%\", { threshold: \"p(99)<1s\", abort_on_fail: true, delay_abort_eval: 10s }, { threshold: \"rps>=1\" }]\n";
    let scenario = parse_scenario(yaml, std::path::Path::new("t.yaml"), &|_| None)
        .unwrap()
        .scenario;
    let t = &scenario.thresholds;
    assert_eq!(t.len(), 3);
    assert_eq!(t[0].abort, None);
    assert_eq!(
        t[1].abort.map(|a| a.delay),
        Some(std::time::Duration::from_secs(10))
    );
    assert_eq!(t[1].source, "p(99)<1s");
    assert_eq!(t[2].abort, None);
}

#[test]
fn long_form_threshold_errors_are_located() {
    let head = "flows:\n  f:\n    load: { executor: constant-arrival-rate, rate: 2, duration: 2s }\n    steps: [password_sign_in]\nsetup: { users: 2 }\nthresholds:\n  run:\n";
    let cases = [
        (
            "    - { threshold: \"error_rate<1%\", abort: true }\n",
            "t.yaml:8:",
            "abort",
        ),
        (
            "    - { threshold: \"error_rate<1%\", abort_on_fail: true, delay_abort_eval: 10 }\n",
            "t.yaml:8:",
            "delay_abort_eval",
        ),
        (
            "    - { threshold: \"error_rate<1%\", delay_abort_eval: 10s }\n",
            "t.yaml:8:",
            "has no effect",
        ),
        (
            "    - { threshold: \"error_rate=1%\", abort_on_fail: true }\n",
            "t.yaml:8:",
            "`=` is not an operator",
        ),
        ("    - { abort_on_fail: true }\n", "t.yaml:8:", "threshold"),
    ];
    for (entry, at, needle) in cases {
        let yaml = format!("{head}{entry}");
        let errors = match parse_scenario(&yaml, std::path::Path::new("t.yaml"), &|_| None) {
            Ok(_) => panic!("accepted: {entry}"),
            Err(e) => e.to_string(),
        };
        assert!(errors.contains(at), "{entry}: {errors}");
        assert!(errors.contains(needle), "{entry}: {errors}");
    }
}
