//! Live metrics as Prometheus sees them: a real Prometheus server (Debian's `prometheus`,
//! installed by `scripts/install-peers.sh`) scrapes a `serve --metrics-listen` child and a
//! `run --metrics-listen` child that signs in against it (with a quota low enough to be
//! throttled) every second, and the series are read back through Prometheus's HTTP API
//! (`/api/v1/query`). Everything on 127.0.0.1: the children on port 0, Prometheus on a free
//! port picked here (it cannot take port 0), its storage in a temporary directory. Skipped when
//! `prometheus` is missing, unless HARNESS_REQUIRE_PEERS=1 (as `scripts/test.sh` sets).

mod cli_support;
mod peer_support;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cli_support::{harness_process, write};

fn prometheus_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PROMETHEUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/prometheus"));
    if path.exists() {
        return Some(path);
    }
    assert!(
        !peer_support::required(),
        "HARNESS_REQUIRE_PEERS=1 but {} is missing: run scripts/install-peers.sh",
        path.display()
    );
    eprintln!(
        "skipped: {} missing (scripts/install-peers.sh)",
        path.display()
    );
    None
}

/// A child process, killed on drop.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads `stream` line by line in a thread; sends each line.
fn lines_of(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The first line with `prefix`, its rest; panics after 60 s with what was read.
fn wait_for(lines: &mpsc::Receiver<String>, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = String::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.split(prefix).nth(1) {
                    return rest.trim().to_owned();
                }
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => break,
        }
    }
    panic!("no line with {prefix:?} in:\n{seen}");
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The scenario: password sign-ins and refreshes of the seeded users, 10 per second for 12 s,
/// and 2 sign-ups per second.
fn scenario(endpoint: &str) -> String {
    let csv = peer_support::repo().join("scenarios/find-pool-limit/users.csv");
    format!(
        r#"target:
  endpoint: "{endpoint}"
  region: us-east-1
  user_pool_id: us-east-1_PoolLimit1
  client_id: poollimit0app0client0id0001
setup:
  csv: "{}"
  keep: true
flows:
  sign_in:
    load: {{ executor: constant-arrival-rate, rate: 10, duration: 12s, pre_allocated_vus: 4, max_vus: 20 }}
    users: sequential
    steps:
      - password_sign_in:
          capture: session
      - refresh:
          tokens: session
  sign_up:
    load: {{ executor: constant-arrival-rate, rate: 2, duration: 12s, pre_allocated_vus: 2, max_vus: 4 }}
    steps:
      - sign_up:
          username: "metrics-{{run}}-{{n}}"
"#,
        csv.display()
    )
}

/// `query`'s value (the sum of its series) through Prometheus's HTTP API, or `None` while it
/// has no result.
async fn query(http: &reqwest::Client, prometheus: &str, query: &str) -> Option<f64> {
    let url = url::Url::parse_with_params(
        &format!("http://{prometheus}/api/v1/query"),
        [("query", query)],
    )
    .unwrap();
    let answer: serde_json::Value = http.get(url).send().await.ok()?.json().await.ok()?;
    assert_eq!(answer["status"], "success", "{query}: {answer}");
    let result = answer["data"]["result"].as_array()?;
    let values: Vec<f64> = result
        .iter()
        .filter_map(|r| r["value"][1].as_str()?.parse().ok())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_run_and_the_server_series() {
    let Some(prometheus) = prometheus_binary() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pools = peer_support::repo().join("scenarios/find-pool-limit/pools.yaml");
    let mut serve = harness_process();
    serve
        .args(["serve", "--port", "0", "--metrics-listen", "127.0.0.1:0"])
        .arg("--config")
        .arg(&pools)
        .args(["--quota", "UserAuthentication=4"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut serve = Killed(serve.spawn().expect("serve starts"));
    let serve_lines = lines_of(serve.0.stdout.take().unwrap());
    let serve_metrics = wait_for(&serve_lines, "metrics on http://").replace("/metrics", "");
    let endpoint = wait_for(&serve_lines, "listening on ");

    let path = write(dir.path(), "signin.yaml", &scenario(&endpoint));
    let mut run = harness_process();
    run.arg("run")
        .arg(&path)
        .args(["--metrics-listen", "127.0.0.1:0", "--quiet", "--reports"])
        .arg(dir.path().join("reports"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut run = Killed(run.spawn().expect("run starts"));
    let run_lines = lines_of(run.0.stderr.take().unwrap());
    let run_metrics = wait_for(&run_lines, "metrics on http://").replace("/metrics", "");

    let port = free_port();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  \
         - job_name: serve\n    static_configs: [{{ targets: ['{serve_metrics}'] }}]\n  \
         - job_name: run\n    static_configs: [{{ targets: ['{run_metrics}'] }}]\n"
    );
    let config = write(dir.path(), "prometheus.yml", &config);
    let mut prom = std::process::Command::new(prometheus);
    prom.arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _prom = Killed(prom.spawn().expect("prometheus starts"));

    let prom_addr = format!("127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let pool = r#"user_pool="us-east-1_PoolLimit1",user_pool_client="poollimit0app0client0id0001""#;
    let checks = [
        r#"sum(cognito_harness_steps_total{job="run",flow="sign_in",step="password_sign_in",outcome="ok"})"#.to_string(),
        r#"sum(cognito_harness_requests_total{job="run",category="UserAuthentication",outcome="throttled"})"#.to_string(),
        r#"sum(cognito_harness_step_latency_seconds_count{job="run",step="refresh"})"#.to_string(),
        r#"sum(cognito_harness_iterations_scheduled_total{job="run",flow="sign_in"})"#.to_string(),
        format!("sum(cognito_sign_in_successes_total{{job=\"serve\",{pool}}})"),
        format!("sum(cognito_sign_in_throttles_total{{job=\"serve\",{pool}}})"),
        format!("sum(cognito_token_refresh_successes_total{{job=\"serve\",{pool}}})"),
        format!("sum(cognito_sign_up_successes_total{{job=\"serve\",{pool}}})"),
    ];
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut last = Vec::new();
    loop {
        last.clear();
        for q in &checks {
            last.push((q.as_str(), query(&http, &prom_addr, q).await));
        }
        if last.iter().all(|(_, v)| v.is_some_and(|v| v > 0.0)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never saw every series above zero: {last:#?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for (q, v) in &last {
        eprintln!("{q} => {}", v.unwrap_or_default());
    }
    // The server's Sample Count covers the throttled sign-ins too (guide: a throttled request
    // is a sample of 0).
    let samples = query(
        &http,
        &prom_addr,
        &format!("sum(cognito_sign_in_successes_samples_total{{job=\"serve\",{pool}}})"),
    )
    .await
    .unwrap_or_default();
    let successes = last[4].1.unwrap_or_default();
    let throttles = last[5].1.unwrap_or_default();
    assert!(
        samples >= successes + throttles,
        "samples {samples} < successes {successes} + throttles {throttles}"
    );
    // Every series the Grafana dashboard queries is one Prometheus scraped.
    let names: serde_json::Value = http
        .get(format!("http://{prom_addr}/api/v1/label/__name__/values"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let scraped: Vec<&str> = names["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for name in dashboard_series() {
        assert!(
            scraped.contains(&name.as_str()),
            "the dashboard queries {name}, which Prometheus never scraped: {scraped:?}"
        );
    }
    drop(run);
    drop(serve);
}

/// The metric names deploy/grafana/cognito-harness.json queries.
fn dashboard_series() -> Vec<String> {
    let path = peer_support::repo().join("deploy/grafana/cognito-harness.json");
    let dashboard: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let name = regex::Regex::new(r"\bcognito_[a-z_]+").unwrap();
    let mut names: Vec<String> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t["expr"].as_str().map(str::to_owned))
        .flat_map(|expr| {
            name.find_iter(&expr)
                .map(|m| m.as_str().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_dashboard_shows_the_run_and_the_server_series() {
    let names = dashboard_series();
    for wanted in [
        "cognito_harness_requests_total",
        "cognito_harness_step_latency_seconds_bucket",
        "cognito_harness_iterations_scheduled_total",
        "cognito_harness_iterations_started_total",
        "cognito_harness_vus_active",
        "cognito_harness_vus_waiting",
        "cognito_sign_in_successes_total",
        "cognito_sign_in_throttles_total",
        "cognito_sign_up_successes_total",
        "cognito_token_refresh_successes_total",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "{wanted} not in {names:?}"
        );
    }
}

#[test]
fn the_kubernetes_job_is_scraped_on_the_port_its_metrics_listen_on() {
    let path = peer_support::repo().join("deploy/kubernetes/job.yaml");
    let job: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let template = &job["spec"]["template"];
    let annotations = &template["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/scrape"], "true");
    assert_eq!(annotations["prometheus.io/path"], "/metrics");
    let port = annotations["prometheus.io/port"].as_str().unwrap();
    let container = &template["spec"]["containers"][0];
    let line: Vec<&str> = container["command"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let line = line.join(" ");
    assert!(
        line.contains(&format!("--metrics-listen 0.0.0.0:{port}"))
            && line.contains("--allow-remote"),
        "{line}"
    );
    assert_eq!(
        container["ports"][0]["containerPort"].as_u64(),
        port.parse::<u64>().ok()
    );
}

#[test]
fn metrics_on_a_non_loopback_address_need_allow_remote() {
    let serve = cli_support::harness()
        .args(["serve", "--port", "0", "--metrics-listen", "0.0.0.0:0"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(serve.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&serve.stderr);
    assert!(
        stderr.contains("--metrics-listen 0.0.0.0:0: not a loopback address")
            && stderr.contains("--allow-remote"),
        "{stderr}"
    );
    let scenario = peer_support::repo().join("scenarios/quickstart.yaml");
    let run = cli_support::harness()
        .arg("run")
        .arg(&scenario)
        .args(["--metrics-listen", "0.0.0.0:0", "--quiet"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("not a loopback address"), "{stderr}");
}
