//! `run` honours SIGTERM and SIGINT in every phase: while the reachability probe waits on a
//! target that accepts connections and never answers, it exits 130 within a second or two
//! (before, both signals were ignored and the run exited 3 after ~28 s).

mod cli_support;

use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_support::{harness_process, write};

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
    let mut child = harness_process()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    accepted
        .recv_timeout(Duration::from_secs(20))
        .expect("the run probes the target");
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = sent + Duration::from_secs(3);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running 3 s after {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
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
