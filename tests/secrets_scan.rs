//! Secrets never reach what the harness writes: a scenario run and a conformance run against
//! the embedded reference server, with known passwords, then every byte of the terminal
//! output and of every file written is searched for the passwords and for token-shaped
//! strings (a JWT's base64url header always starts `eyJ`).

use std::path::{Path, PathBuf};

mod cli_support;

use cli_support::harness;

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// A JWT: three base64url segments, the first starting `eyJ` (`{"`), at least 20 characters.
fn find_jwt(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(tail.len());
        let candidate = &tail[..end];
        if candidate.len() >= 20 && candidate.matches('.').count() >= 2 {
            return Some(candidate);
        }
        rest = &tail[3..];
    }
    None
}

/// The conformance runner's generated passwords: `Pw-` + 15 of `[a-z0-9]` + `-9Z`.
fn find_generated_password(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find("Pw-").map(|i| i + from) {
        let end = at + 3 + 15 + 3;
        if end <= bytes.len()
            && bytes[at + 3..at + 18]
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && &bytes[at + 18..end] == b"-9Z"
        {
            return Some(&text[at..end]);
        }
        from = at + 3;
    }
    None
}

fn assert_clean(what: &str, text: &str, literals: &[&str]) {
    for secret in literals {
        assert!(
            !text.contains(secret),
            "{what} contains the secret {:?}",
            &secret[..4]
        );
    }
    if let Some(jwt) = find_jwt(text) {
        panic!("{what} contains a token: {}...", &jwt[..12]);
    }
    if let Some(pw) = find_generated_password(text) {
        panic!("{what} contains a generated password: {}...", &pw[..5]);
    }
}

fn scan_all(out: &std::process::Output, dir: &Path, literals: &[&str]) -> usize {
    assert_clean("stdout", &String::from_utf8_lossy(&out.stdout), literals);
    assert_clean("stderr", &String::from_utf8_lossy(&out.stderr), literals);
    let files = files_under(dir);
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert_clean(
            &file.display().to_string(),
            &String::from_utf8_lossy(&bytes),
            literals,
        );
    }
    files.len()
}

#[test]
fn a_scenario_run_writes_no_password_or_token() {
    let dir = tempfile::tempdir().unwrap();
    let setup_password = "Setup-Secret-Pa55word!";
    let signup_password = "SignUp-Secret-Pa55word!";
    let new_password = "Changed-Secret-Pa55word!";
    let wrong_password = "Wrong-Secret-Pa55word!";
    let scenario = dir.path().join("secrets.yaml");
    std::fs::write(
        &scenario,
        format!(
            r#"
target: embedded
setup:
  users: 4
  password: "{setup_password}"
flows:
  sign_in:
    load: {{ executor: constant-vus, vus: 2, duration: 2s }}
    steps:
      - srp_sign_in:
          capture: session
      - verify_tokens
      - refresh:
          tokens: session
      - get_user
      - password_sign_in:
          password: "{wrong_password}"
          expect: {{ error: NotAuthorizedException }}
  churn:
    load: {{ executor: constant-vus, vus: 1, duration: 2s }}
    steps:
      - sign_up:
          username: "secrets-{{run}}-{{n}}"
          password: "{signup_password}"
      - confirm_sign_up
      - srp_sign_in:
          password: "{signup_password}"
      - change_password:
          new_password: "{new_password}"
      - revoke_token
"#
        ),
    )
    .unwrap();
    let reports = dir.path().join("reports");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "the run completes (thresholds aside): {out:?}"
    );
    let terminal = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        terminal.contains(" ok, 0 errors"),
        "every step succeeded, so tokens flowed through the run: {terminal}"
    );
    let summary = files_under(&reports)
        .into_iter()
        .find(|p| p.ends_with("summary.json"))
        .expect("the run wrote summary.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(summary).unwrap()).unwrap();
    assert!(
        json.to_string().contains("srp_sign_in"),
        "the report describes the steps that ran"
    );
    // Everything the run wrote (the scenario file beside it holds the passwords by design).
    let written = scan_all(
        &out,
        &reports,
        &[
            setup_password,
            signup_password,
            new_password,
            wrong_password,
        ],
    );
    assert!(
        written >= 3,
        "summary.json, summary.md and report.html were written"
    );
}

#[test]
fn a_conformance_run_writes_no_password_or_token() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = harness()
        .args(["conform", "--target", "embedded"])
        .args([
            "--area",
            "srp",
            "--area",
            "tokens",
            "--area",
            "password-auth",
        ])
        .args(["--area", "refresh", "--area", "forgot-password"])
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(11)),
        "the suite ran: {out:?}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("srp"), "a summary per area: {stdout}");
    let written = scan_all(&out, &out_dir, &[]);
    assert_eq!(written, 3, "conformance.json, .junit.xml and .md");
}

#[test]
fn the_detectors_find_what_they_look_for() {
    let jwt = "eyJraWQiOiJhIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    assert_eq!(find_jwt(&format!("token={jwt}\n")), Some(jwt));
    assert_eq!(find_jwt("eyJ alone, eyJabc.def"), None);
    let pw = "Pw-abcdefghij01234-9Z";
    assert_eq!(find_generated_password(&format!("\"{pw}\"")), Some(pw));
    assert_eq!(find_generated_password("Pw-short-9Z"), None);
}

/// A loopback server that answers every request with a Cognito-shaped NotAuthorizedException.
fn start_refusing_server() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                // The head, then as much body as Content-Length says.
                loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                    if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if data.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let body = br#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#;
                let head = format!(
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body);
            });
        }
    });
    port
}

/// The secrets an endpoint URL carries in the test below.
const URL_USER: &str = "leaky-user-9431";
const URL_PASSWORD: &str = "Url-Pa55word-7710";
const URL_CLIENT_SECRET: &str = "query-client-secret-5521";
const URL_SIGNATURE: &str = "f00dbabe0123456789signature";

fn secret_endpoint(port: u16) -> String {
    format!(
        "http://{URL_USER}:{URL_PASSWORD}@127.0.0.1:{port}/?region=us-east-1&Client_Secret={URL_CLIENT_SECRET}&X-Amz-Signature={URL_SIGNATURE}"
    )
}

#[test]
fn credentials_in_an_endpoint_url_reach_no_report_or_stream() {
    let port = start_refusing_server();
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("url-secrets.yaml");
    std::fs::write(
        &scenario,
        format!(
            r#"
target:
  endpoint: "{}"
  region: us-east-1
  user_pool_id: us-east-1_Leaky
  client_id: leakyclient
setup: {{ keep: true }}
flows:
  churn:
    load: {{ executor: constant-vus, vus: 1, duration: 1s }}
    steps:
      - sign_up:
          password: "SignUp-Secret-Pa55word!"
"#,
            secret_endpoint(port)
        ),
    )
    .unwrap();
    let reports = dir.path().join("reports");
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(10)),
        "the run completes: {out:?}"
    );
    let json = cli_support::only_summary(&reports);
    let target = json["target"].as_str().unwrap_or_default().to_owned();
    assert!(
        target.starts_with("http://REDACTED@127.0.0.1:")
            && target.contains("region=us-east-1")
            && target.contains("X-Amz-Signature=REDACTED"),
        "the report still says where the run went: {target}"
    );
    let secrets = [URL_USER, URL_PASSWORD, URL_CLIENT_SECRET, URL_SIGNATURE];
    let written = scan_all(&out, &reports, &secrets);
    assert!(written >= 3, "summary.json, summary.md and report.html");

    // The same URL when nothing answers: the error message names the target, redacted.
    let down = dir.path().join("down.yaml");
    let text = std::fs::read_to_string(&scenario)
        .unwrap()
        .replace(&format!(":{port}/"), ":1/");
    std::fs::write(&down, text).unwrap();
    let out = harness()
        .arg("run")
        .arg(&down)
        .arg("--reports")
        .arg(dir.path().join("down-reports"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("REDACTED@127.0.0.1:1"), "{stderr}");
    assert_clean("stderr of an unreachable run", &stderr, &secrets);
}
