//! `run` honours SIGTERM and SIGINT in every phase: while the reachability probe waits on a
//! target that accepts connections and never answers, it exits 130 within a second or two
//! (before, both signals were ignored and the run exited 3 after ~28 s); during set-up it
//! stops provisioning, skips the traffic and writes the (empty) partial report; during
//! clean-up it stops deleting, says so and writes the partial report. The traffic phase's
//! partial report is tested in `run_cli.rs`.

mod cli_support;

use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_support::{harness_process, only_summary, write};

/// `cognito-harness run SCENARIO --reports REPORTS`, ready for its environment and stdio.
fn run_process(scenario: &std::path::Path, reports: &std::path::Path) -> std::process::Command {
    let mut command = harness_process();
    command
        .arg("run")
        .arg(scenario)
        .arg("--reports")
        .arg(reports);
    command
}

/// A target that accepts connections and never answers; the accepted sockets are kept open.
fn silent_target() -> (std::net::SocketAddr, std::sync::mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (accepted, first) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
            let _ = accepted.send(());
        }
    });
    (addr, first)
}

/// Waits up to 3 s for `child` to exit after a signal; its exit code.
fn exit_within_3s(child: &mut std::process::Child, signal: &str) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running 3 s after {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupted_while_probing(signal: &str) {
    let (addr, accepted) = silent_target();
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "silent.yaml",
        &format!(
            r#"
target:
  endpoint: http://{addr}/
  region: us-east-1
  user_pool_id: us-east-1_Silent
  client_id: nobody
setup: {{ keep: true }}
flows:
  a:
    load: {{ executor: constant-arrival-rate, rate: 1, duration: 1s }}
    steps:
      - sign_up
"#
        ),
    );
    let reports = dir.path().join("reports");
    let mut child = run_process(&scenario, &reports)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    accepted
        .recv_timeout(Duration::from_secs(20))
        .expect("the run probes the target");
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = exit_within_3s(&mut child, signal);
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted while reaching the target"),
        "{stderr}"
    );
    assert!(!reports.exists(), "no traffic, no report");
}

#[test]
fn sigterm_while_the_probe_waits_exits_130_at_once() {
    interrupted_while_probing("-TERM");
}

#[test]
fn sigint_while_the_probe_waits_exits_130_at_once() {
    interrupted_while_probing("-INT");
}

fn interrupted_during_setup(signal: &str) {
    use std::io::BufRead as _;

    let dir = tempfile::tempdir().unwrap();
    // 1 000 users at 2 per second: set-up would take over eight minutes.
    let scenario = write(
        dir.path(),
        "slow-setup.yaml",
        r#"
target: embedded
setup: { users: 1000, rate: 2 }
flows:
  a:
    load: { executor: constant-arrival-rate, rate: 1, duration: 1s }
    steps:
      - password_sign_in
"#,
    );
    let reports = dir.path().join("reports");
    let mut child = run_process(&scenario, &reports)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    loop {
        let line = lines.next().expect("a set-up notice").unwrap();
        let started = line.contains("setup: 1000 users");
        seen.push(line);
        if started {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let code = exit_within_3s(&mut child, signal);
    seen.extend(rest.join().unwrap());
    assert_eq!(code, Some(130), "{seen:#?}");
    let summary = only_summary(&reports);
    assert_eq!(summary["partial"], true, "{summary}");
    assert_eq!(
        summary["summary"]["run"]["count"], 0,
        "no traffic after set-up stopped"
    );
}

#[test]
fn sigterm_during_setup_stops_it_and_writes_an_empty_partial_report() {
    interrupted_during_setup("-TERM");
}

#[test]
fn sigint_during_setup_stops_it_and_writes_an_empty_partial_report() {
    interrupted_during_setup("-INT");
}

/// `serve` with `args`, and the endpoint it listens on; killed when dropped.
struct Serve(std::process::Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(config: &std::path::Path, args: &[&str]) -> (Serve, String) {
    use std::io::BufRead as _;

    let mut child = harness_process()
        .args(["serve", "--port", "0", "--config"])
        .arg(config)
        .args(args)
        .env_remove("COGNITO_HARNESS_ADMIN_CREDENTIALS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Serve(child);
    for line in std::io::BufReader::new(stdout).lines() {
        if let Some(url) = line.unwrap().split("listening on ").nth(1) {
            return (server, url.trim().to_owned());
        }
    }
    panic!("serve did not listen");
}

#[test]
fn sigterm_during_clean_up_stops_it_and_writes_the_partial_report() {
    use std::io::BufRead as _;

    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "pools.yaml",
        "pools:\n  - name: p\n    id: us-east-1_Signals01\n    clients:\n      - name: app\n        id: signals0app0client0id00001\n        explicit_auth_flows: [ALLOW_USER_PASSWORD_AUTH]\n",
    );
    // Deleting a user never answers within the test: clean-up waits until the signal.
    let (_server, endpoint) = serve(&config, &["--fault", "AdminDeleteUser:latency=10m"]);
    let scenario = write(
        dir.path(),
        "cleanup.yaml",
        &format!(
            r#"
target:
  endpoint: {endpoint}
  region: us-east-1
  user_pool_id: us-east-1_Signals01
  client_id: signals0app0client0id00001
  admin: env
setup: {{ users: 2, method: admin }}
flows:
  a:
    load: {{ executor: constant-arrival-rate, rate: 2, duration: 1s }}
    steps:
      - password_sign_in
"#
        ),
    );
    let reports = dir.path().join("reports");
    let mut child = run_process(&scenario, &reports)
        .env("AWS_ACCESS_KEY_ID", "AKIDSIGNALSTEST00001")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "signals-test-secret-not-checked-by-serve",
        )
        .env_remove("AWS_SESSION_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    loop {
        let Some(line) = lines.next() else {
            panic!("no set-up notice: {seen:#?}");
        };
        let line = line.unwrap();
        let started = line.contains("setup: 2 users");
        seen.push(line);
        if started {
            break;
        }
    }
    // Set-up and the 1 s of traffic are over well before this; clean-up then waits on the
    // slow deletion (the client gives up on it only after 30 s).
    std::thread::sleep(Duration::from_secs(5));
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let code = exit_within_3s(&mut child, "-TERM");
    seen.extend(rest.join().unwrap());
    assert_eq!(code, Some(130), "{seen:#?}");
    assert!(
        seen.iter()
            .any(|l| l.contains("interrupted during clean-up")),
        "{seen:#?}"
    );
    let summary = only_summary(&reports);
    assert_eq!(summary["partial"], true, "{summary}");
    assert_eq!(summary["summary"]["run"]["ok"], 2, "{summary}");
}
