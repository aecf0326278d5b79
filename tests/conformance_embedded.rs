//! The whole suite against the reference server, in process: every case must pass (the
//! reference server is the suite's 100 % target), with codes read from `_harness/codes`.

use std::path::Path;

use cognito_harness::conformance::report::render_terminal;
use cognito_harness::conformance::{CaseOutcome, CodeSource, RunOptions, TargetSpec, load_suite, run_suite};
use cognito_harness::server::{ServerConfig, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_every_case() {
    let server = start(ServerConfig::default()).await.expect("server starts");
    let endpoint = server.endpoint().to_owned();
    let cases = load_suite(&Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance"))
        .expect("suite loads");
    let total = cases.len();
    let mut spec = TargetSpec::url(endpoint.clone()).with_codes(CodeSource::Harness);
    spec.issuer_base = Some(endpoint.trim_end_matches('/').to_owned());
    let report = run_suite(cases, &spec, &RunOptions::default())
        .await
        .expect("the suite runs");
    server.shutdown().await;
    let not_passed: Vec<&str> = report
        .cases
        .iter()
        .filter(|c| c.outcome != CaseOutcome::Passed)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(report.cases.len(), total);
    assert!(
        not_passed.is_empty(),
        "{} of {total} cases did not pass: {not_passed:?}\n{}",
        not_passed.len(),
        render_terminal(&report)
    );
}
