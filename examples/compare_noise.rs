//! Does `compare` stay quiet on two runs of one build, and speak up on a real change?
//!
//! Runs one short scenario (a password sign-in and a GetUser, constant arrival rate) against a
//! reference server whose GetUser is slowed by a fixed 10 ms, `PAIRS` times in pairs with
//! nothing changed, then once more against a server whose GetUser is slowed by 30 % of the
//! step's measured median on top (a real +30 % on `get_user`), and prints what `compare`
//! (default tolerances) says of each pair.
//!
//! ```sh
//! cargo run --release --example compare_noise -- [PAIRS] [SECONDS]   # default 10 pairs, 8 s
//! ```

mod support;

use std::path::Path;

use cognito_harness::report::RunReport;
use cognito_harness::report::compare::{Tolerances, Verdict, compare, render_text};
use cognito_harness::server::{FaultConfig, ServerConfig, parse_fault_spec, start};

fn scenario(seconds: u64) -> String {
    format!(
        r#"
target: embedded
setup: {{ users: 4, password: "Noise-Pa55word!" }}
flows:
  f:
    load: {{ executor: constant-arrival-rate, rate: 40, duration: {seconds}s, pre_allocated_vus: 8, max_vus: 40 }}
    steps:
      - password_sign_in
      - get_user
"#
    )
}

/// One run against a fresh reference server whose GetUser takes `latency` longer.
fn run(rt: &tokio::runtime::Runtime, latency: &str, yaml: &str, reports: &Path) -> RunReport {
    let server = rt
        .block_on(start(ServerConfig {
            faults: FaultConfig {
                rules: vec![parse_fault_spec(&format!("GetUser:latency={latency}")).unwrap()],
            },
            ..Default::default()
        }))
        .unwrap();
    let prepared = support::prepare(rt, server.endpoint(), yaml, Path::new("noise.yaml"));
    let result = support::execute(rt, prepared, reports.to_path_buf());
    rt.block_on(server.shutdown());
    result.report
}

fn p50_ms(report: &RunReport) -> f64 {
    report.summary.steps["f.get_user"]
        .latency
        .as_ref()
        .map_or(0.0, |l| l.p50_us as f64 / 1e3)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let reports = tempfile_dir();
    let yaml = scenario(seconds);
    let tolerances = Tolerances::default();
    let mut false_alarms = 0;
    let mut last = None;
    for pair in 1..=pairs {
        let a = run(&rt, "10ms", &yaml, &reports);
        let b = run(&rt, "10ms", &yaml, &reports);
        let c = compare("a", &a, "b", &b, &tolerances);
        let noise = c
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::WithinNoise)
            .count();
        println!(
            "identical pair {pair:>2}: get_user p50 {:.2} -> {:.2} ms, {} regression(s), {noise} beyond tolerance but within noise",
            p50_ms(&a),
            p50_ms(&b),
            c.regressions
        );
        if c.regressed() {
            false_alarms += 1;
            print!("{}", render_text(&c));
        }
        last = Some(b);
    }
    let baseline = last.unwrap_or_else(|| run(&rt, "10ms", &yaml, &reports));
    // +30 % of the measured median, on top of the 10 ms already injected.
    let extra_us = (p50_ms(&baseline) * 1e3 * 0.3).round() as u64;
    let slower = run(&rt, &format!("{}us", 10_000 + extra_us), &yaml, &reports);
    let c = compare("baseline", &baseline, "slower", &slower, &tolerances);
    let flagged: Vec<String> = c
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::Regressed)
        .map(|r| {
            format!(
                "{} {} {:+.1} %",
                r.scope,
                r.metric.label(),
                r.change.unwrap_or(0.0) * 100.0
            )
        })
        .collect();
    println!(
        "slower pair: get_user p50 {:.2} -> {:.2} ms, {} regression(s): {}",
        p50_ms(&baseline),
        p50_ms(&slower),
        c.regressions,
        flagged.join(", ")
    );
    println!(
        "summary: {false_alarms} of {pairs} identical pairs flagged; the +30 % pair {}",
        if c.regressed() {
            "was flagged"
        } else {
            "was NOT flagged"
        }
    );
}

/// A fresh directory for the runs' reports under the system temporary directory.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("compare-noise-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
