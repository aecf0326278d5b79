//! `verify_tokens` when the target's keys cannot be had or do not fit: a JWKS URL that refuses
//! connections, answers 500 with an HTML page, or answers 200 with HTML; a valid JWKS of other
//! keys (the token's kid is not in it); and tokens that expired before they were checked (a
//! reference server whose clock runs two hours behind). Each run completes, the sign-ins it
//! checks still succeed, and every failed check is counted under its own kind.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
mod engine_support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cognito_harness::jwt::{TokenSigner, jwks_from_signers};
use cognito_harness::metrics::{ScopeSummary, Summary};
use cognito_harness::protocol::CognitoClient;
use cognito_harness::server::{ServerConfig, start};

const SCENARIO: &str = r#"
target: embedded
setup: { users: 2, password: "Jwks-Pa55word!" }
flows:
  f:
    load: { executor: constant-arrival-rate, rate: 10, duration: 2s, pre_allocated_vus: 4, max_vus: 40 }
    steps:
      - password_sign_in
      - verify_tokens
"#;

/// Iterations of [`SCENARIO`]: 10/s for 2 s.
const ITERATIONS: u64 = 20;

/// Reads one HTTP request head (a JWKS fetch is a GET without a body); false when the peer
/// went away.
fn read_head(stream: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while !data.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// A loopback server answering every request with `status`, `content_type` and `body`; its URL.
fn fixed_server(status: &'static str, content_type: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/keys.json", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            if read_head(&mut stream) {
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        }
    });
    url
}

/// A loopback URL nothing listens on (bound, then released).
fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/keys.json")
}

/// Runs [`SCENARIO`] against a reference server with `config`, fetching the JWKS from
/// `jwks_url` when given (else the server's own).
async fn run(config: ServerConfig, jwks_url: Option<&str>) -> Summary {
    let server = start(config).await.unwrap();
    let run = engine_support::run_on(server.endpoint(), SCENARIO, |resolved| {
        if let Some(url) = jwks_url {
            let config = resolved.client.config().clone().jwks_url(url).unwrap();
            resolved.client = CognitoClient::new(config).unwrap();
        }
    })
    .await;
    server.shutdown().await;
    run.result.report.summary
}

fn assert_balanced(name: &str, s: &ScopeSummary) {
    let errors: u64 = s.errors.values().sum();
    let transport: u64 = s.transport.values().sum();
    assert_eq!(
        s.count,
        s.ok + errors + s.throttled + transport,
        "{name}: every attempt counted once: {s:?}"
    );
}

/// Checks a run where every token check failed with `kind`; returns the kind.
fn failed_checks(case: &str, s: &Summary, kind: &str) -> String {
    let sign_in = &s.steps["f.password_sign_in"];
    let verify = &s.steps["f.verify_tokens"];
    assert_balanced("password_sign_in", sign_in);
    assert_balanced("verify_tokens", verify);
    assert_eq!(sign_in.count, ITERATIONS, "{case}: every arrival ran");
    assert_eq!(sign_in.ok, ITERATIONS, "{case}: sign-ins unaffected");
    assert_eq!(verify.count, ITERATIONS, "{case}: every check attempted");
    assert_eq!(verify.ok, 0, "{case}: {verify:?}");
    assert_eq!(
        verify.errors.get(kind).copied(),
        Some(ITERATIONS),
        "{case}: all under {kind}: {verify:?}"
    );
    assert_eq!(verify.errors.len(), 1, "{case}: one kind: {verify:?}");
    kind.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_faults_are_counted_by_kind_and_the_run_completes() {
    // The server's own JWKS: every check passes (what the failures below depart from).
    let s = run(ServerConfig::default(), None).await;
    let verify = &s.steps["f.verify_tokens"];
    assert_balanced("verify_tokens", verify);
    assert_eq!(
        (verify.count, verify.ok),
        (ITERATIONS, ITERATIONS),
        "{verify:?}"
    );

    let mut kinds = BTreeSet::new();
    let s = run(ServerConfig::default(), Some(&refused_url())).await;
    kinds.insert(failed_checks("refused", &s, "jwks:transport:connect"));

    let html = b"<html><body><h1>500 Internal Server Error</h1></body></html>".to_vec();
    let url = fixed_server("500 Internal Server Error", "text/html", html);
    let s = run(ServerConfig::default(), Some(&url)).await;
    kinds.insert(failed_checks("500 html", &s, "jwks:unexpected:not_json"));

    let html = b"<!doctype html><html><body>Sign in</body></html>".to_vec();
    let url = fixed_server("200 OK", "text/html", html);
    let s = run(ServerConfig::default(), Some(&url)).await;
    kinds.insert(failed_checks("200 html", &s, "jwks:invalid"));

    // A well-formed JWKS whose keys are not the ones the tokens were signed with.
    let a = TokenSigner::generate("other-id-kid").unwrap();
    let b = TokenSigner::generate("other-access-kid").unwrap();
    let json = serde_json::to_vec(&jwks_from_signers([&a, &b])).unwrap();
    let url = fixed_server("200 OK", "application/json", json);
    let s = run(ServerConfig::default(), Some(&url)).await;
    kinds.insert(failed_checks("other keys", &s, "jwt:unknown_kid"));

    // Tokens from a server two hours behind: an hour-long access token expired an hour ago.
    let behind = ServerConfig {
        clock: Arc::new(|| SystemTime::now() - Duration::from_secs(2 * 3600)),
        ..Default::default()
    };
    let s = run(behind, None).await;
    kinds.insert(failed_checks("expired", &s, "jwt:expired"));

    assert_eq!(kinds.len(), 5, "a distinct kind per fault: {kinds:?}");
}
