//! The whole suite against the reference server, in process, with codes read from
//! `_harness/codes`. The reference server is the suite's 100 % target: what it does not do yet
//! is listed in `conformance/expected/embedded.yaml`, and this test fails when the run drifts
//! from that list in either direction, so a fixed gap must be removed from it.

use std::path::Path;

use cognito_harness::conformance::expected::load_expected;
use cognito_harness::conformance::report::render_terminal;
use cognito_harness::conformance::{
    CodeSource, RunOptions, TargetSpec, compare_to_expected, load_suite, run_suite,
};
use cognito_harness::server::{ServerConfig, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_fails_only_its_recorded_gaps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let server = start(ServerConfig::default()).await.expect("server starts");
    let endpoint = server.endpoint().to_owned();
    let cases = load_suite(&root.join("conformance")).expect("suite loads");
    let total = cases.len();
    let mut spec = TargetSpec::url(endpoint.clone()).with_codes(CodeSource::Harness);
    spec.issuer_base = Some(endpoint.trim_end_matches('/').to_owned());
    let report = run_suite(cases, &spec, &RunOptions::default())
        .await
        .expect("the suite runs");
    server.shutdown().await;
    assert_eq!(report.cases.len(), total);
    assert_eq!(
        report.totals.skipped, 0,
        "every capability is available in process"
    );
    let record = load_expected(&root.join("conformance/expected/embedded.yaml")).expect("record");
    let drift = compare_to_expected(&report, &record, true);
    assert!(
        drift.is_empty(),
        "{}\n{}",
        drift.describe(),
        render_terminal(&report)
    );
}
