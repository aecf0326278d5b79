//! One scenario run by the engine in-process against a reference server the test started: the
//! scenario parsed from YAML, a fresh pool provisioned on the server, quiet progress, and
//! reports in a temporary directory that lives as long as the returned [`EngineRun`].
#![allow(dead_code)]

use std::sync::Arc;

use cognito_harness::engine::target::Resolved;
use cognito_harness::engine::{self, RunOptions, RunResult};
use cognito_harness::scenario::model::Scenario;
use cognito_harness::scenario::parse_scenario;

pub struct EngineRun {
    pub result: RunResult,
    /// The pool the run provisioned on the server.
    pub pool_id: String,
    _reports: tempfile::TempDir,
}

/// Runs scenario `yaml` on the reference server at `endpoint`; `adjust` may change the
/// resolved target before any traffic.
pub async fn run_on(endpoint: &str, yaml: &str, adjust: impl FnOnce(&mut Resolved)) -> EngineRun {
    run_changed_on(endpoint, yaml, |_| {}, adjust).await
}

/// [`run_on`] with the scenario changed after validation by `change` (a scenario the
/// validator would refuse, to see what the engine does with it).
pub async fn run_changed_on(
    endpoint: &str,
    yaml: &str,
    change: impl FnOnce(&mut Scenario),
    adjust: impl FnOnce(&mut Resolved),
) -> EngineRun {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.yaml");
    let mut scenario = parse_scenario(yaml, &path, &|_| None).unwrap().scenario;
    change(&mut scenario);
    let scenario = Arc::new(scenario);
    let run_id = engine::new_run_id();
    let mut resolved = engine::target::reference_server_at(endpoint, &scenario, &run_id)
        .await
        .unwrap();
    adjust(&mut resolved);
    let pool_id = resolved.pool_id.clone();
    let options = RunOptions {
        reports_root: dir.path().join("reports"),
        quiet: true,
        shard: None,
        quotas: Default::default(),
        start_at: None,
        check_shapes: true,
    };
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let result = engine::execute_on(scenario, resolved, &run_id, &options, stop)
        .await
        .unwrap();
    EngineRun {
        result,
        pool_id,
        _reports: dir,
    }
}
