//! `together` steps (races): the loader's located errors, a race's verdict against the
//! reference server when its answers split otherwise than the case allows (too many successes,
//! an error the case does not list, a bound on an error's count), and the client that gives
//! each request of a race a connection of its own.

use assert_cmd::Command;
use cognito_harness::conformance::case::{Count, StepKind};
use cognito_harness::conformance::load_case_str;

/// Runs `case` (one file of the area `concurrency`) against the reference server: (exit code,
/// stdout).
fn run_case(id: &str, case: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("concurrency")).unwrap();
    std::fs::write(dir.path().join("concurrency").join("race.yaml"), case).unwrap();
    let out = Command::cargo_bin("cognito-harness")
        .unwrap()
        .args(["conform", "--target", "embedded", "--suite"])
        .arg(dir.path())
        .args(["--case", id])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn load_error(text: &str) -> String {
    let errors = load_case_str(text, "race.yaml", "concurrency").unwrap_err();
    errors
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

const HEAD: &str = "id: concurrency.t\ntitle: t\nref: r\nlevel: must\nsteps:\n";

#[test]
fn a_together_step_loads_with_its_count_bounds_and_alongside_request() {
    let case = load_case_str(
        &format!(
            "{HEAD}  - call: SignUp\n    body: {{ClientId: x}}\n    together: true\n    succeed: at most 2\n    others:\n      - {{type: UsernameExistsException, count: at least 3}}\n    alongside: {{call: GlobalSignOut, body: {{AccessToken: x}}}}\n"
        ),
        "race.yaml",
        "concurrency",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let race = case.steps[0].together.as_ref().expect("a race");
    assert_eq!(race.n, 20);
    assert_eq!(race.succeed, Count::AtMost(2));
    assert_eq!(race.others[0].count, Some(Count::AtLeast(3)));
    let alongside = race.alongside.as_ref().expect("an alongside request");
    assert!(matches!(&alongside.kind, StepKind::Call(c) if c.op == "GlobalSignOut"));
}

#[test]
fn race_keys_in_the_wrong_place_are_located_errors() {
    let without_succeed = load_error(&format!(
        "{HEAD}  - call: SignUp\n    body: {{ClientId: x}}\n    together: 20\n"
    ));
    assert!(
        without_succeed.contains(
            "race.yaml:6:5: steps[0].succeed: a `together` step says how many may succeed"
        ),
        "{without_succeed}"
    );
    let without_together = load_error(&format!("{HEAD}  - call: SignUp\n    succeed: exactly 1\n"));
    assert!(
        without_together
            .contains("steps[0]: `succeed`, `others` and `alongside` belong to `together` steps"),
        "{without_together}"
    );
    let on_a_user_step = load_error(&format!(
        "{HEAD}  - user: {{}}\n    together: 5\n    succeed: 1\n"
    ));
    assert!(
        on_a_user_step.contains(
            "`together` fires a `call`, an `oauth` request or the answer of an `srp` sign-in"
        ),
        "{on_a_user_step}"
    );
    let one_request = load_error(&format!(
        "{HEAD}  - call: SignUp\n    together: 1\n    succeed: 1\n"
    ));
    assert!(
        one_request
            .contains("race.yaml:7:15: steps[0].together: expected a number of requests (2-100)"),
        "{one_request}"
    );
    let bad_count = load_error(&format!(
        "{HEAD}  - call: SignUp\n    together: 5\n    succeed: about 1\n"
    ));
    assert!(
        bad_count
            .contains("`about 1` is not a count; write `exactly K`, `at most K` or `at least K`"),
        "{bad_count}"
    );
    let too_many = load_error(&format!(
        "{HEAD}  - call: SignUp\n    together: 5\n    succeed: exactly 3\n    others:\n      - {{type: X, count: at least 3}}\n"
    ));
    assert!(
        too_many.contains("`succeed` and the counts of `others` need 6 answers of 5"),
        "{too_many}"
    );
    let nested = load_error(&format!(
        "{HEAD}  - call: SignUp\n    together: 5\n    succeed: 1\n    alongside: {{call: SignUp, together: 2}}\n"
    ));
    assert!(
        nested.contains("steps[0].alongside: `alongside` is one request"),
        "{nested}"
    );
    let no_error_named = load_error(&format!(
        "{HEAD}  - call: SignUp\n    together: 5\n    succeed: 1\n    others:\n      - {{count: at most 1}}\n"
    ));
    assert!(
        no_error_named.contains("steps[0].others[0]: an `others` entry names the error"),
        "{no_error_named}"
    );
}

#[test]
fn a_race_that_lets_more_through_than_allowed_fails_saying_how_many_succeeded() {
    // Twenty reads of one user all succeed: a case that allows one sees the other nineteen.
    let (code, stdout) = run_case(
        "concurrency.too-many",
        "id: concurrency.too-many\ntitle: t\nref: r\nlevel: must\nsteps:\n  - user: {}\n  - call: AdminGetUser\n    body: {UserPoolId: \"{pool_id}\", Username: \"{user}\"}\n    together: 20\n    succeed: exactly 1\n",
    );
    assert_eq!(code, Some(11), "{stdout}");
    assert!(stdout.contains("answers that succeeded"), "{stdout}");
    assert!(stdout.contains("expected: exactly 1 of 20"), "{stdout}");
    assert!(stdout.contains("got:      20 of 20"), "{stdout}");
}

#[test]
fn losers_of_a_race_must_get_an_error_the_case_lists_and_within_its_count() {
    let case = |others: &str| {
        format!(
            "id: concurrency.losers\ntitle: t\nref: r\nlevel: must\nsteps:\n  - call: CreateGroup\n    body: {{UserPoolId: \"{{pool_id}}\", GroupName: \"g-{{user}}\"}}\n    signed: true\n    together: 5\n    succeed: exactly 1\n    others:\n      - {others}\n"
        )
    };
    let (code, stdout) = run_case(
        "concurrency.losers",
        &case("{type: UsernameExistsException}"),
    );
    assert_eq!(code, Some(11), "{stdout}");
    assert!(
        stdout.contains("answers that fit no `others` entry"),
        "{stdout}"
    );
    assert!(
        stdout.contains("4 of 5: HTTP 400 GroupExistsException"),
        "{stdout}"
    );
    let (code, stdout) = run_case(
        "concurrency.losers",
        &case("{type: GroupExistsException, count: at most 2}"),
    );
    assert_eq!(code, Some(11), "{stdout}");
    assert!(stdout.contains("answers matching others[0]"), "{stdout}");
    assert!(
        stdout.contains("got:      4 of 5 (the others: 4 HTTP 400 GroupExistsException)"),
        "{stdout}"
    );
    let (code, stdout) = run_case(
        "concurrency.losers",
        &case("{type: GroupExistsException, count: exactly 4}"),
    );
    assert_eq!(code, Some(0), "{stdout}");
}

#[test]
fn the_request_alongside_a_race_is_checked_against_its_own_expectation() {
    let (code, stdout) = run_case(
        "concurrency.alongside",
        "id: concurrency.alongside\ntitle: t\nref: r\nlevel: must\nsteps:\n  - user: {}\n  - call: AdminGetUser\n    body: {UserPoolId: \"{pool_id}\", Username: \"{user}\"}\n    together: 3\n    succeed: exactly 3\n    alongside:\n      call: AdminGetUser\n      body: {UserPoolId: \"{pool_id}\", Username: \"nobody-{user}\"}\n      expect: {status: 200}\n",
    );
    assert_eq!(code, Some(11), "{stdout}");
    assert!(stdout.contains("alongside status"), "{stdout}");
    assert!(stdout.contains("UserNotFoundException"), "{stdout}");
}

/// A loopback HTTP/1.1 server that keeps connections alive and answers `{}` to every request;
/// returns its port and the number of connections it accepted.
fn start_counting_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                loop {
                    let mut length = 0usize;
                    loop {
                        let mut line = String::new();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0u8; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 2\r\n\r\n{}";
                    if writer.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_connection_reuse_opens_a_connection_per_request() {
    use cognito_harness::protocol::client::RawRequest;
    use cognito_harness::protocol::{CognitoClient, TargetConfig};
    use std::sync::atomic::Ordering;
    let (port, accepted) = start_counting_server();
    let config = TargetConfig::local(&format!("http://127.0.0.1:{port}/")).unwrap();
    let shared = CognitoClient::new(config).unwrap();
    let request = RawRequest::operation("GetUser", b"{}".to_vec(), false);
    // A pause between sends lets the pool take the connection back (hyper returns it from a
    // task of its own after the answer), so reuse is possible each time.
    for _ in 0..3 {
        assert_eq!(shared.send(&request).await.unwrap().status, 200);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "a keep-alive client reuses its connection"
    );
    let fresh = shared.without_connection_reuse().unwrap();
    for _ in 0..3 {
        assert_eq!(fresh.send(&request).await.unwrap().status, 200);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        4,
        "each request of a client without reuse opens its own connection"
    );
}
