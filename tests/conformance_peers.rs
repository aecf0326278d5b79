//! The suite against each peer emulator, compared with the peer's expected-failure record
//! (`conformance/expected/<peer>.yaml`): the test fails when a peer fails a case its record does
//! not list, or passes one it does, so the compatibility matrix cannot silently go stale.
//!
//! Peers are started as `tests/peer_support` does.

mod peer_support;

use cognito_harness::conformance::expected::load_expected;
use cognito_harness::conformance::{
    CodeSource, RunOptions, TargetSpec, compare_to_expected, load_suite, run_suite,
};
use peer_support::{repo, start_peer};

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
