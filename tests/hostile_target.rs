//! A run against a deliberately broken target: a raw TCP server on loopback that answers with
//! HTML error pages, garbage JSON, truncated and oversized bodies, throttling and dropped
//! connections in turn. The run goes on, exits normally, writes its report, and counts every
//! request the server saw: per step, count = ok + errors + throttled + transport failures.

mod cli_support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Reads one HTTP request (head and a Content-Length body); false when the peer went away.
fn read_request(stream: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => data.extend_from_slice(&buf[..n]),
                }
            }
            return true;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// The behaviours, in turn; request 0 (the reachability probe) gets the first.
fn misbehave(n: u64, stream: &mut TcpStream) {
    const JSON: &str = "application/x-amz-json-1.1";
    match n % 7 {
        0 => respond(
            stream,
            "400 Bad Request",
            JSON,
            br#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#,
        ),
        1 => respond(
            stream,
            "502 Bad Gateway",
            "text/html",
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        ),
        2 => respond(stream, "200 OK", JSON, br#"{"UserConfirmed": [1, 2"#),
        3 => {} // dropped: the connection closes with no answer
        4 => {
            // Truncated: promises 1000 bytes, sends 10, closes.
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 1000\r\n\r\n{\"UserSub\"",
            );
        }
        5 => respond(
            stream,
            "400 Bad Request",
            JSON,
            br#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
        ),
        _ => respond(stream, "200 OK", JSON, &vec![b' '; 2 * 1024 * 1024]),
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn start_hostile_server() -> (u16, Arc<AtomicU64>) {
    start_server(misbehave)
}

/// A loopback server answering request `n` with `behave(n, stream)`.
fn start_server(behave: fn(u64, &mut TcpStream)) -> (u16, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicU64::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let counter = counter.clone();
            std::thread::spawn(move || {
                if read_request(&mut stream) {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    behave(n, &mut stream);
                }
            });
        }
    });
    (port, seen)
}

#[test]
fn a_broken_target_is_counted_outcome_by_outcome_and_the_run_completes() {
    let (port, seen) = start_hostile_server();
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("hostile.yaml");
    std::fs::write(
        &scenario,
        format!(
            r#"
target:
  endpoint: http://127.0.0.1:{port}/
  region: us-east-1
  user_pool_id: us-east-1_Hostile
  client_id: hostileclient
setup: {{ keep: true }}
flows:
  storm:
    load: {{ executor: constant-arrival-rate, rate: 20, duration: 2s, pre_allocated_vus: 5, max_vus: 20 }}
    steps:
      - sign_up:
          password: "Hostile-Pa55word!"
"#
        ),
    )
    .unwrap();
    let reports = dir.path().join("reports");
    let out = cli_support::harness_process()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0) | Some(10)),
        "the run completes normally: {out:?}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let dirs: Vec<_> = std::fs::read_dir(&reports).unwrap().collect();
    assert_eq!(dirs.len(), 1, "one report");
    let report_dir = dirs.into_iter().next().unwrap().unwrap().path();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report_dir.join("summary.json")).unwrap()).unwrap();

    let step = &summary["summary"]["steps"]["storm.sign_up"];
    assert!(step.is_object(), "the step is reported: {summary}");
    let sum = |v: &serde_json::Value| -> u64 {
        v.as_object()
            .map(|m| m.values().map(|n| n.as_u64().unwrap()).sum())
            .unwrap_or(0)
    };
    eprintln!("storm.sign_up: {step}");
    let count = step["count"].as_u64().unwrap();
    let ok = step["ok"].as_u64().unwrap();
    let errors = sum(&step["errors"]);
    let throttled = step["throttled"].as_u64().unwrap();
    let transport = sum(&step["transport"]);
    assert_eq!(
        count,
        ok + errors + throttled + transport,
        "every attempt is counted once: {step}"
    );
    // The server saw the probe plus every attempt (a dropped connection may be retried by
    // nothing: the harness does not retry, so the numbers match).
    let served = seen.load(Ordering::SeqCst);
    assert_eq!(
        count + 1,
        served,
        "the report counts every request sent: {step}"
    );
    assert!(count >= 30, "about 40 arrivals in 2 s at 20/s: {step}");
    assert_eq!(
        ok, 0,
        "nothing the hostile server sent is a success: {step}"
    );
    assert!(
        throttled >= 1,
        "TooManyRequestsException is a throttle: {step}"
    );
    assert!(
        step["errors"]["NotAuthorizedException"]
            .as_u64()
            .unwrap_or(0)
            >= 1,
        "service errors are kept by code: {step}"
    );
    assert!(
        transport >= 1,
        "dropped and truncated answers are transport failures: {step}"
    );
    assert!(
        step["errors"].as_object().unwrap().len() + step["transport"].as_object().unwrap().len()
            >= 4,
        "the failures are told apart by kind: {step}"
    );
}

/// SignUp answers that are wrong only in shape, in turn (request 0, the reachability probe,
/// gets the first): each is what an SDK's decoder trips on, and none is a transport or
/// service failure.
fn misshape(n: u64, stream: &mut TcpStream) {
    const JSON: &str = "application/x-amz-json-1.1";
    let (status, body): (&str, &[u8]) = match n % 5 {
        0 => ("200 OK", br#"{"UserConfirmed": false}"#),
        1 => ("200 OK", br#"{"UserConfirmed": "false", "UserSub": "5f1c"}"#),
        2 => (
            "200 OK",
            br#"{"UserConfirmed": false, "UserSub": "5f1c", "CodeDeliveryDetails": {"DeliveryMedium": "PIGEON"}}"#,
        ),
        3 => (
            "400 Bad Request",
            br#"{"__type": "InvalidParameterException", "message": ["Username", "is invalid"]}"#,
        ),
        _ => ("200 OK", br#"{"UserConfirmed": false, "UserSub": "5f1c"}"#),
    };
    respond(stream, status, JSON, body);
}

/// Runs a sign-up storm against the misshapen server; returns the step's summary.
fn run_against_misshapen(extra: &[&str]) -> serde_json::Value {
    let (port, _seen) = start_server(misshape);
    let dir = tempfile::tempdir().unwrap();
    let scenario = cli_support::write(
        dir.path(),
        "misshapen.yaml",
        &format!(
            r#"
target:
  endpoint: http://127.0.0.1:{port}/
  region: us-east-1
  user_pool_id: us-east-1_Shapes
  client_id: shapesclient
setup: {{ keep: true }}
flows:
  storm:
    load: {{ executor: constant-arrival-rate, rate: 25, duration: 2s, pre_allocated_vus: 5 }}
    steps:
      - sign_up:
          password: "Shapes-Pa55word!"
"#
        ),
    );
    let reports = dir.path().join("reports");
    let out = cli_support::harness_process()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&reports)
        .args(extra)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 10)), "{out:?}");
    cli_support::only_summary(&reports)["summary"]["steps"]["storm.sign_up"].clone()
}

#[test]
fn answers_wrong_only_in_shape_are_failures_counted_by_member() {
    let step = run_against_misshapen(&[]);
    let count = step["count"].as_u64().unwrap();
    let errors = step["errors"].as_object().unwrap();
    for label in [
        "shape:UserSub:missing",
        "shape:UserConfirmed:type",
        "shape:CodeDeliveryDetails.DeliveryMedium:enum",
        "shape:error.message:type",
    ] {
        assert!(
            errors.get(label).and_then(|n| n.as_u64()).unwrap_or(0) >= 1,
            "{label}: {step}"
        );
    }
    let failed: u64 = errors.values().map(|n| n.as_u64().unwrap()).sum();
    // One answer in five fits; every other is a shape failure, and nothing else.
    assert_eq!(errors.len(), 4, "{step}");
    assert_eq!(step["ok"].as_u64().unwrap() + failed, count, "{step}");
    assert!(step["ok"].as_u64().unwrap() >= 1, "{step}");

    // Without the check, only what the typed decode cannot read fails: the unknown enum value
    // is accepted (as the SDKs' open enums do) and the error counts by its type.
    let step = run_against_misshapen(&["--no-shape-check"]);
    let errors = step["errors"].as_object().unwrap();
    assert!(errors.keys().all(|k| !k.starts_with("shape:")), "{step}");
    assert!(errors.contains_key("InvalidParameterException"), "{step}");
}
