//! The suite against each peer emulator, compared with the peer's expected-failure record
//! (`conformance/expected/<peer>.yaml`): the test fails when a peer fails a case its record does
//! not list, or passes one it does, so the compatibility matrix cannot silently go stale.
//!
//! Peers are started with `scripts/start-peer.sh` (127.0.0.1, a free port) and stopped by their
//! recorded PID. Without an installation (`scripts/install-peers.sh`) the tests are skipped,
//! unless HARNESS_REQUIRE_PEERS=1 (as `scripts/test.sh` sets), which makes a missing peer a
//! failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use cognito_harness::conformance::expected::load_expected;
use cognito_harness::conformance::{
    CodeSource, RunOptions, TargetSpec, compare_to_expected, load_suite, run_suite,
};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn peers_dir() -> PathBuf {
    std::env::var_os("COGNITO_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".peers"))
}

fn required() -> bool {
    std::env::var("HARNESS_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// A started emulator, stopped on drop.
struct Peer {
    endpoint: String,
    pid: String,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("scripts/stop-peer.sh"))
            .arg(&self.pid)
            .env("COGNITO_PEERS_DIR", peers_dir())
            .output();
    }
}

fn start_peer(name: &str, extra: &[&str]) -> Option<Peer> {
    if !peers_dir().join("install.stamp").exists() {
        assert!(
            !required(),
            "HARNESS_REQUIRE_PEERS=1 but no peers are installed in {}",
            peers_dir().display()
        );
        eprintln!("skipped: peers are not installed (scripts/install-peers.sh)");
        return None;
    }
    let out = Command::new("bash")
        .arg(repo().join("scripts/start-peer.sh"))
        .arg(name)
        .args(extra)
        .env("COGNITO_PEERS_DIR", peers_dir())
        .output()
        .expect("run start-peer.sh");
    assert!(
        out.status.success(),
        "start-peer.sh {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no {key} in {line:?}"))
    };
    Some(Peer {
        endpoint: format!("{}/", field("ENDPOINT").trim_end_matches('/')),
        pid: field("PID"),
    })
}

async fn check_peer(name: &str, extra: &[&str], record: &str, issuer_is_endpoint: bool) {
    let Some(peer) = start_peer(name, extra) else {
        return;
    };
    let cases = load_suite(&repo().join("conformance")).expect("suite loads");
    let mut spec =
        TargetSpec::url(peer.endpoint.clone()).with_codes(CodeSource::Fixed("123456".to_owned()));
    if issuer_is_endpoint {
        spec.issuer_base = Some(peer.endpoint.trim_end_matches('/').to_owned());
    }
    let report = run_suite(cases, &spec, &RunOptions::default())
        .await
        .expect("the suite runs");
    let expected =
        load_expected(&repo().join("conformance/expected").join(record)).expect("record loads");
    let drift = compare_to_expected(&report, &expected, true);
    assert!(
        drift.is_empty(),
        "{name} drifted from {record}:\n{}",
        drift.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_matches_its_expected_failures() {
    check_peer("moto", &[], "moto.yaml", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ministack_matches_its_expected_failures() {
    check_peer("ministack", &["--auth"], "ministack.yaml", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_local_matches_its_expected_failures() {
    check_peer("cognito-local", &[], "cognito-local.yaml", true).await;
}
