//! What the examples share: their process's memory from `/proc/self/status` (Linux), and the
//! runtimes and in-process engine run of the load examples. Each example uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cognito_harness::engine::target::Resolved;
use cognito_harness::engine::{self, RunOptions, RunResult};
use cognito_harness::scenario::{Scenario, parse_scenario};
use tokio::runtime::Runtime;

/// `VmRSS` and `VmHWM` in bytes (0 when they cannot be read).
pub fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// A runtime with one worker thread named `{prefix}-worker`, so that its CPU can be told
/// apart from the other runtime's per thread.
pub fn one_worker_runtime(prefix: &str) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(format!("{prefix}-worker"))
        .enable_all()
        .build()
        .unwrap()
}

/// A scenario parsed from YAML and provisioned on a reference server, ready to [`execute`].
pub struct Prepared {
    pub scenario: Arc<Scenario>,
    pub run_id: String,
    pub resolved: Resolved,
}

/// Parses `yaml` (named `path` in errors) and provisions a fresh pool for it on the reference
/// server at `endpoint`.
pub fn prepare(rt: &Runtime, endpoint: &str, yaml: &str, path: &Path) -> Prepared {
    let scenario = Arc::new(parse_scenario(yaml, path, &|_| None).unwrap().scenario);
    let run_id = engine::new_run_id();
    let resolved = rt
        .block_on(engine::target::reference_server_at(
            endpoint, &scenario, &run_id,
        ))
        .unwrap();
    Prepared {
        scenario,
        run_id,
        resolved,
    }
}

/// Runs a prepared scenario on `rt` to its end, quietly, writing reports under `reports_root`.
pub fn execute(rt: &Runtime, prepared: Prepared, reports_root: PathBuf) -> RunResult {
    let options = RunOptions {
        reports_root,
        quiet: true,
        shard: None,
        quotas: Default::default(),
        start_at: None,
        check_shapes: true,
    };
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let Prepared {
        scenario,
        run_id,
        resolved,
    } = prepared;
    rt.block_on(engine::execute_on(
        scenario, resolved, &run_id, &options, stop,
    ))
    .unwrap()
}
