//! moto's own cognito-idp tests that its maintainers verified against real AWS (marked
//! `aws_verified` in `tests/test_cognitoidp/` of the pinned moto sdist, fetched into
//! `.peers/moto-tests` by `scripts/install-peers.sh`), run with pytest against `serve` the way
//! moto runs them against AWS: `MOTO_TEST_ALLOW_AWS_REQUEST=true` and every boto3 client pointed
//! at the server by `AWS_ENDPOINT_URL`. Each test that needs only cognito-idp must pass; the few
//! that need another AWS service are listed below with the reason, and must fail for that reason
//! only. Skipped when the peers are not installed, unless HARNESS_REQUIRE_PEERS=1 (docs/peers.md).

mod cli_support;
mod peer_support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

/// The `aws_verified` tests of moto 5.2.5's `tests/test_cognitoidp/test_cognitoidp.py` that call
/// cognito-idp only: each must pass against `serve`.
const COGNITO_ONLY: &[&str] = &[
    "test_authorize_user_with_force_password_change_status",
    "test_group_in_access_token",
    "test_scope_in_access_token",
    "test_jti_in_tokens",
    "test_forgot_password_with_email_delivery_details",
    "test_sign_up",
    "test_sign_up_with_unverified_email",
    "test_sign_up_with_verified_email",
    "test_sign_up_with_verified_but_not_supplied_email",
    "test_initiate_auth_REFRESH_TOKEN",
    "test_initiate_auth_USER_PASSWORD_AUTH",
    "test_initiate_auth_USER_PASSWORD_AUTH_with_email",
];

/// An `aws_verified` test that needs an AWS service besides cognito-idp.
struct NeedsOtherService {
    name: &'static str,
    reason: &'static str,
    /// Texts the failure must contain: where the call to the other service failed, and how.
    failure_contains: &'static [&'static str],
}

/// Why these cannot pass against a cognito-idp-only server: moto 5.2.5's
/// `tests/test_cognitoidp/__init__.py`, `cognitoidp_aws_verified(with_mfa=...)`, first creates an
/// IAM role (`iam.create_role`) and a policy allowing `sns:Publish`, to pass the role as the
/// pool's `SmsConfiguration.SnsCallerArn` (SMS MFA sends through SNS). With `AWS_ENDPOINT_URL`
/// every client, the IAM one included, talks to `serve`, which refuses IAM's CreateRole (a
/// query-protocol POST without `X-Amz-Target`); botocore cannot parse the JSON refusal as IAM's
/// XML, so the test fails there, before its first cognito-idp call.
/// Line 62 of moto 5.2.5's `tests/test_cognitoidp/__init__.py` is `role = iam.create_role(`.
const IAM_CREATE_ROLE_REFUSED: &[&str] = &[
    "tests/test_cognitoidp/__init__.py:62: in create_user_pool_and_test",
    "Missing X-Amz-Target header.",
];

const NEEDS_OTHER_SERVICES: &[NeedsOtherService] = &[
    NeedsOtherService {
        name: "test_user_authentication_flow_mfa_on",
        reason: "IAM role + SNS policy for the pool's SmsConfiguration (with_mfa=\"ON\")",
        failure_contains: IAM_CREATE_ROLE_REFUSED,
    },
    NeedsOtherService {
        name: "test_user_authentication_flow_mfa_optional",
        reason: "IAM role + SNS policy for the pool's SmsConfiguration (with_mfa=\"OPTIONAL\")",
        failure_contains: IAM_CREATE_ROLE_REFUSED,
    },
    NeedsOtherService {
        name: "test_initiate_mfa_auth_USER_PASSWORD_AUTH_with_FORCE_CHANGE_PASSWORD_status",
        reason: "IAM role + SNS policy for the pool's SmsConfiguration (with_mfa=\"ON\")",
        failure_contains: IAM_CREATE_ROLE_REFUSED,
    },
];

/// pytest-timeout's limit per test; the slowest test takes well under a second against `serve`.
const PER_TEST_TIMEOUT_SECS: u64 = 30;
/// The whole pytest run (interpreter start and imports included).
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// A `serve --port 0` child, killed on drop.
struct Serve {
    child: Child,
    endpoint: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Serve {
    let mut child = cli_support::harness_process()
        .args([
            "serve",
            "--port",
            "0",
            "--region",
            "us-west-2",
            "--quotas",
            "off",
        ])
        .env_remove("COGNITO_HARNESS_ADMIN_CREDENTIALS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut banner = String::new();
    let mut endpoint = None;
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap_or(0) > 0 {
        banner.push_str(&line);
        if let Some(url) = line.split("listening on ").nth(1) {
            endpoint = Some(url.trim().trim_end_matches('/').to_owned());
            break;
        }
        line.clear();
    }
    let endpoint = endpoint.unwrap_or_else(|| panic!("serve did not listen: {banner}"));
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    });
    Serve { child, endpoint }
}

/// One phase of one test, as `peers/py/pytest_outcomes.py` writes it.
#[derive(serde::Deserialize)]
struct Phase {
    nodeid: String,
    when: String,
    outcome: String,
    duration: f64,
    longrepr: String,
}

/// A test's outcome over its phases: failed if any phase failed.
#[derive(Default)]
struct Outcome {
    passed_call: bool,
    failures: Vec<String>,
    skipped: bool,
    seconds: f64,
}

fn test_name(nodeid: &str) -> &str {
    nodeid.rsplit("::").next().unwrap_or(nodeid)
}

fn outcomes(jsonl: &str) -> (BTreeMap<String, Outcome>, Vec<String>) {
    let mut tests: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut collect_errors = Vec::new();
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let phase: Phase = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if phase.when == "collect" {
            collect_errors.push(format!("{}:\n{}", phase.nodeid, phase.longrepr));
            continue;
        }
        let t = tests
            .entry(test_name(&phase.nodeid).to_owned())
            .or_default();
        t.seconds += phase.duration;
        match phase.outcome.as_str() {
            "failed" => t
                .failures
                .push(format!("[{}] {}", phase.when, phase.longrepr)),
            "skipped" => t.skipped = true,
            _ if phase.when == "call" => t.passed_call = true,
            _ => {}
        }
    }
    (tests, collect_errors)
}

/// Runs pytest on moto's AWS-verified cognito-idp tests against `endpoint`; returns the phases
/// file's text and pytest's own output.
async fn run_pytest(peers: &Path, endpoint: &str, scratch: &Path) -> (String, String) {
    let outcomes_file = scratch.join("outcomes.jsonl");
    let plugin_dir = peer_support::repo().join("peers/py");
    let mut cmd = tokio::process::Command::new(peers.join("venv/bin/python"));
    cmd.current_dir(peers.join("moto-tests"))
        .args([
            "-m",
            "pytest",
            "tests/test_cognitoidp",
            "-m",
            "aws_verified",
        ])
        .args([
            "-p",
            "pytest_outcomes",
            "-p",
            "pytest_timeout",
            "-p",
            "no:cacheprovider",
        ])
        .arg(format!("--timeout={PER_TEST_TIMEOUT_SECS}"))
        // moto's pyproject.toml adds --color=yes; plain text reads better in a failure message,
        // and short tracebacks (one line per frame, the full text of the failing one) keep a
        // botocore failure to a screen.
        .args(["-o", "addopts=", "-q", "-rN", "--tb=short"]);
    // Nothing from the machine's AWS set-up: only the server, dummy credentials and the region
    // the tests' clients use.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("MOTO_TEST_ALLOW_AWS_REQUEST", "true")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-west-2")
        .env("AWS_CONFIG_FILE", scratch.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            scratch.join("no-aws-credentials"),
        )
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("PYTEST_OUTCOMES_FILE", &outcomes_file)
        .env("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        .env("PYTHONPATH", &plugin_dir)
        // The peers folder may be shared and read-only: no .pyc files, no pytest cache.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().expect("the venv's python starts");
    let out = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("pytest did not finish within {RUN_TIMEOUT:?}"))
        .expect("pytest runs");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut jsonl = String::new();
    if let Ok(mut f) = std::fs::File::open(&outcomes_file) {
        f.read_to_string(&mut jsonl)
            .expect("outcomes file is UTF-8");
    }
    (jsonl, output)
}

/// What is wrong with the outcomes, one entry per test: empty when every cognito-only test
/// passed and every other one failed for its listed reason only.
fn problems(tests: &BTreeMap<String, Outcome>) -> Vec<String> {
    let mut problems = Vec::new();
    for name in COGNITO_ONLY {
        match tests.get(*name) {
            None => problems.push(format!("{name}: did not run")),
            Some(t) if !t.failures.is_empty() => {
                problems.push(format!("{name} failed:\n{}", t.failures.join("\n")))
            }
            Some(t) if t.skipped || !t.passed_call => {
                problems.push(format!("{name}: skipped or did not pass"))
            }
            Some(_) => {}
        }
    }
    for other in NEEDS_OTHER_SERVICES {
        let name = other.name;
        let for_its_reason = |f: &String| {
            other
                .failure_contains
                .iter()
                .all(|marker| f.contains(marker))
        };
        match tests.get(name) {
            None => problems.push(format!("{name}: did not run")),
            Some(t) if t.failures.is_empty() => problems.push(format!(
                "{name} no longer fails ({}): move it to COGNITO_ONLY",
                other.reason
            )),
            Some(t) if !t.failures.iter().all(for_its_reason) => problems.push(format!(
                "{name} failed, but not (only) at {:?} ({}):\n{}",
                other.failure_contains,
                other.reason,
                t.failures.join("\n")
            )),
            Some(_) => {}
        }
    }
    let known =
        |n: &str| COGNITO_ONLY.contains(&n) || NEEDS_OTHER_SERVICES.iter().any(|o| o.name == n);
    for name in tests.keys().filter(|n| !known(n)) {
        problems.push(format!(
            "{name}: an aws_verified test this file does not list (a new moto pin?)"
        ));
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_aws_verified_cognito_tests_pass_against_serve() {
    let peers: PathBuf = peer_support::peers_dir();
    if !peer_support::installed(&[
        peers.join("venv/bin/python"),
        peers.join("venv/bin/pytest"),
        peers.join("moto-tests/tests/test_cognitoidp/test_cognitoidp.py"),
    ]) {
        return;
    }
    let server = serve();
    let scratch = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (jsonl, output) = run_pytest(&peers, &server.endpoint, scratch.path()).await;
    let (tests, collect_errors) = outcomes(&jsonl);
    assert!(
        collect_errors.is_empty(),
        "pytest could not collect moto's tests:\n{}\n--- pytest output ---\n{output}",
        collect_errors.join("\n")
    );
    assert!(!tests.is_empty(), "pytest ran no test:\n{output}");
    for (name, t) in &tests {
        eprintln!("{name}: {:.2} s", t.seconds);
    }
    eprintln!(
        "{} tests in {:.1} s",
        tests.len(),
        started.elapsed().as_secs_f64()
    );
    let problems = problems(&tests);
    assert!(
        problems.is_empty(),
        "moto's AWS-verified tests against serve:\n\n{}",
        problems.join("\n\n")
    );
}

/// A phases file as the plugin writes it: one `call` phase per (name, outcome, longrepr).
fn phases(tests: &[(&str, &str, String)]) -> String {
    tests
        .iter()
        .map(|(name, outcome, longrepr)| {
            serde_json::json!({
                "nodeid": format!("tests/test_cognitoidp/test_cognitoidp.py::{name}"),
                "when": "call", "outcome": outcome, "duration": 0.1, "longrepr": longrepr,
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every cognito-only test passing and every listed one failing at its IAM call, with the one
/// named test replaced by `(outcome, longrepr)`.
fn run_with(name: &str, outcome: &str, longrepr: &str) -> Vec<String> {
    let refused = IAM_CREATE_ROLE_REFUSED.join("\n");
    let mut tests: Vec<(&str, &str, String)> = COGNITO_ONLY
        .iter()
        .map(|n| (*n, "passed", String::new()))
        .chain(
            NEEDS_OTHER_SERVICES
                .iter()
                .map(|o| (o.name, "failed", refused.clone())),
        )
        .filter(|(n, _, _)| *n != name)
        .collect();
    tests.push((name, outcome, longrepr.to_owned()));
    problems(&outcomes(&phases(&tests)).0)
}

#[test]
fn the_outcome_check_passes_only_the_expected_outcomes() {
    let listed = NEEDS_OTHER_SERVICES[0].name;
    let refused = IAM_CREATE_ROLE_REFUSED.join("\n");
    assert_eq!(run_with(listed, "failed", &refused), Vec::<String>::new());

    // A cognito-only test that fails is reported with pytest's text of the failure.
    let found = run_with(
        COGNITO_ONLY[0],
        "failed",
        "E   assert 'SUCCESS' == 'FAILED'",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains(COGNITO_ONLY[0]) && found[0].contains("assert 'SUCCESS'"));

    // A listed test failing anywhere but at its IAM call is a failure too.
    let found = run_with(
        listed,
        "failed",
        "InvalidParameterException: CreateUserPool",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("not (only) at"), "{found:?}");

    // So is one that starts passing (the list would be stale), and a test nobody listed.
    let found = run_with(listed, "passed", "");
    assert!(found[0].contains("move it to COGNITO_ONLY"), "{found:?}");
    let found = run_with("test_new_upstream", "passed", "");
    assert!(
        found.iter().any(|p| p.contains("does not list")),
        "{found:?}"
    );

    // A skipped cognito-only test is not a pass.
    let found = run_with(COGNITO_ONLY[1], "skipped", "");
    assert!(found[0].contains("skipped"), "{found:?}");
}
