//! Measures the load engine against the reference server on loopback: achieved arrival rate
//! against the target rate, latency, and the harness's CPU per request next to a bare reqwest
//! loop sending the same request at the same rate in the same process.
//!
//! ```sh
//! cargo run --release --example engine_rate -- [SECONDS] [RATE...]   # default: 15 10 100 500
//! ```
//!
//! The server and the load run on separate runtimes with named threads, and CPU time is read per
//! thread from `/proc/self/task/*/stat` (Linux), so the server's own work is not counted as the
//! harness's. An iteration is one USER_PASSWORD_AUTH sign-in and nine GetUser calls; the bare
//! loop sends GetUser only, at the engine's request rate.

mod support;

use std::time::Duration;

use cognito_harness::engine;
use cognito_harness::protocol::CognitoClient;
use cognito_harness::server::{ServerConfig, start};

/// CPU seconds used so far by this process's threads whose name starts with `prefix`.
fn thread_cpu(prefix: &str) -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    let mut total = 0u64;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if !stat[open + 1..close].starts_with(prefix) {
            continue;
        }
        // Fields after the command: state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        let utime: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0);
        let stime: u64 = fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
        total += utime + stime;
    }
    total as f64 / ticks
}

fn scenario_text(rate: u32, seconds: u64) -> String {
    format!(
        r#"
target: embedded
setup: {{ users: 20, password: "Bench-Pa55word!" }}
flows:
  reads:
    load:
      executor: constant-arrival-rate
      rate: {rate}
      duration: {seconds}s
      pre_allocated_vus: 20
      max_vus: 2000
    steps:
      - password_sign_in
      - get_user
      - get_user
      - get_user
      - get_user
      - get_user
      - get_user
      - get_user
      - get_user
      - get_user
"#
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(15);
    let mut rates: Vec<u32> = args.iter().skip(1).filter_map(|a| a.parse().ok()).collect();
    if rates.is_empty() {
        rates = vec![10, 100, 500];
    }
    let server_rt = support::one_worker_runtime("srv");
    let server = server_rt.block_on(start(ServerConfig::default())).unwrap();
    let endpoint = server.endpoint().to_owned();
    let load_rt = support::one_worker_runtime("load");
    let dir = tempfile::tempdir().unwrap();
    println!(
        "| target it/s | achieved it/s | requests | achieved req/s | p50 ms | p99 ms | max ms | harness CPU µs/req | bare reqwest CPU µs/req | ratio |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for rate in rates {
        let prepared = support::prepare(
            &load_rt,
            &endpoint,
            &scenario_text(rate, seconds),
            &dir.path().join(format!("rate-{rate}.yaml")),
        );
        let app = prepared.resolved.app.clone();
        let run_id = prepared.run_id.clone();
        let cpu0 = thread_cpu("load-");
        let result = support::execute(&load_rt, prepared, dir.path().join("reports"));
        let engine_cpu = thread_cpu("load-") - cpu0;
        let s = &result.report.summary;
        let flow = &s.flows["reads"];
        let requests = s.run.count;
        let latency = s.run.latency.clone().unwrap();
        // Includes provisioning 20 users (40 admin calls): small next to the run's requests.
        let engine_us = engine_cpu * 1e6 / requests as f64;

        // The bare loop: GetUser with one valid token, open loop at the engine's request rate.
        let bare_rate = rate as f64 * 10.0;
        let bare_us = load_rt.block_on(async {
            let client =
                CognitoClient::new(engine::target::local_config(&endpoint).unwrap()).unwrap();
            let username = format!("harness-{run_id}-1");
            let auth = client
                .user_password_auth(&app, &username, "Bench-Pa55word!")
                .await
                .unwrap();
            let token = auth
                .authentication_result
                .unwrap()
                .access_token
                .unwrap()
                .expose()
                .to_owned();
            let body = serde_json::to_vec(&serde_json::json!({ "AccessToken": token })).unwrap();
            let http = reqwest::Client::builder().no_proxy().build().unwrap();
            let n = (bare_rate * seconds as f64) as u64;
            let cpu0 = thread_cpu("load-");
            let start = tokio::time::Instant::now();
            let mut tasks = tokio::task::JoinSet::new();
            for i in 0..n {
                tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / bare_rate))
                    .await;
                let http = http.clone();
                let body = body.clone();
                let url = endpoint.clone();
                tasks.spawn(async move {
                    let r = http
                        .post(url)
                        .header("content-type", "application/x-amz-json-1.1")
                        .header("x-amz-target", "AWSCognitoIdentityProviderService.GetUser")
                        .body(body)
                        .send()
                        .await;
                    if let Ok(r) = r {
                        let _ = r.bytes().await;
                    }
                });
                while let Some(r) = tasks.try_join_next() {
                    let _ = r;
                }
            }
            while tasks.join_next().await.is_some() {}
            (thread_cpu("load-") - cpu0) * 1e6 / n as f64
        });
        println!(
            "| {rate} | {:.2} | {requests} | {:.1} | {:.2} | {:.2} | {:.2} | {engine_us:.0} | {bare_us:.0} | {:.2} |",
            flow.count as f64 / s.elapsed_s,
            s.run.rps,
            latency.p50_us as f64 / 1e3,
            latency.p99_us as f64 / 1e3,
            latency.max_us as f64 / 1e3,
            engine_us / bare_us,
        );
    }
    drop(server);
}
