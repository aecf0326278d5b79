//! Run reports: pure renderers of a [`RunReport`] (one file per format) and one writer that puts
//! them on disk atomically.
//!
//! A [`RunReport`] is everything a run's reports show: the measured [`Summary`] plus what was run,
//! against what, and how each threshold fared. Its JSON form is `summary.json`, versioned by
//! [`REPORT_SCHEMA_VERSION`]. Renderers never do I/O, so they can be tested byte for byte; only
//! [`write_run_report`] touches the file system.

use serde::{Deserialize, Serialize};

use crate::metrics::Summary;

pub mod compare;
mod format;
mod html;
mod html_time;
mod json;
mod markdown;
pub mod s3;
mod terminal;
mod writer;

pub use format::quota_lines;
pub use html::render_html;
pub use json::render_json;
pub use markdown::render_markdown;
pub use terminal::{TOP_ERROR_KINDS, render_terminal};
pub use writer::{
    ReportError, write_atomic, write_report_into, write_run_report, write_run_report_with,
};

/// Bumped on any incompatible change to `summary.json`.
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// Everything a run's reports show. Serialized, it is the `summary.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// [`REPORT_SCHEMA_VERSION`] of the tool that wrote it.
    pub schema_version: u32,
    /// The version of cognito-harness that ran.
    pub tool_version: String,
    /// The scenario's name (its file stem).
    pub scenario: String,
    /// The scenario file as given on the command line.
    pub scenario_path: String,
    /// The scenario's `description`, when it has one.
    pub description: Option<String>,
    /// `embedded` or the endpoint URL, redacted ([`crate::protocol::redact`]): never credentials.
    pub target: String,
    /// When traffic started, RFC 3339 in UTC.
    pub started_at: String,
    /// True when the run was interrupted (Ctrl-C, SIGTERM) or aborted before its end.
    pub partial: bool,
    /// `(index, count)` when this is one shard of a scenario (`run --shard I/N`).
    pub shard: Option<(u32, u32)>,
    /// Every threshold of the scenario, in order.
    pub thresholds: Vec<ThresholdResult>,
    /// Whether every threshold held (false when a threshold aborted the run).
    pub passed: bool,
    /// Set when the run was given a common start instant (`run --start-at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<StartInfo>,
    /// Set when a threshold with `abort_on_fail` failed during the run and stopped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aborted: Option<Aborted>,
    pub summary: Summary,
}

/// A run anchored at a common start instant (`run --start-at`): the instant, and how late
/// this process's traffic began after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartInfo {
    /// The common start instant, RFC 3339 in UTC: the schedule's time zero.
    pub start_at: String,
    /// How long after it traffic could begin, in milliseconds (0 when setup was done in time;
    /// the overdue iterations were then sent at once and measured from their intended times).
    /// In a merge: the latest shard's.
    pub late_ms: u64,
    /// True when setup was not done by the start instant (in a merge: by some shard).
    pub setup_late: bool,
}

/// Which threshold stopped the run, when, and the rates the run had reached then (for a
/// breakpoint test: the capacity found).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aborted {
    /// The threshold's scope: `run`, a flow, `flow.step` or a quota category.
    pub scope: String,
    /// The expression as written.
    pub expression: String,
    /// Its value when it failed, in the metric's canonical unit; `None` when nothing was
    /// measured.
    pub observed: Option<f64>,
    /// Seconds since traffic started when it failed.
    pub at_s: f64,
    /// Each quota category's usage in the last full second before the abort, requests per
    /// second, counted as against the quota (the guide's rule for RespondToAuthChallenge).
    pub category_rps: std::collections::BTreeMap<String, f64>,
    /// The scheduled arrival rate (iterations per second, every arrival-rate load together)
    /// at that moment; `None` when no load is an arrival-rate executor.
    pub arrival_rate: Option<f64>,
}

/// What a report says about the run besides its measurements: the scenario, the target, when
/// it started and whether it is whole.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub scenario: String,
    pub scenario_path: String,
    pub description: Option<String>,
    pub target: String,
    pub started_at: String,
    pub partial: bool,
    pub shard: Option<(u32, u32)>,
    pub start: Option<StartInfo>,
}

impl RunReport {
    /// The report of a run measured as `summary`: every threshold evaluated on it. A single
    /// run and a merge of shards both build their report here, from a [`Summary`].
    pub fn evaluate(
        info: RunInfo,
        thresholds: &[crate::scenario::thresholds::Threshold],
        summary: Summary,
    ) -> RunReport {
        let verdicts = crate::metrics::thresholds::evaluate_all(thresholds, &summary);
        let thresholds: Vec<ThresholdResult> = verdicts.iter().map(ThresholdResult::from).collect();
        let passed = thresholds.iter().all(|t| t.passed);
        RunReport {
            schema_version: REPORT_SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: info.scenario,
            scenario_path: info.scenario_path,
            description: info.description,
            // Labels are redacted where they are made; once more here, for every renderer.
            target: crate::protocol::redact::redact_urls_in(&info.target),
            started_at: info.started_at,
            partial: info.partial,
            shard: info.shard,
            start: info.start,
            thresholds,
            passed,
            aborted: None,
            summary,
        }
    }

    /// This report of a run that `aborted` stopped: it did not pass, whatever the thresholds
    /// say on the data as a whole.
    pub fn with_abort(mut self, aborted: Option<Aborted>) -> RunReport {
        if aborted.is_some() {
            self.passed = false;
        }
        self.aborted = aborted;
        self
    }
}

/// How one threshold fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    /// What it is about: `run`, a flow, `flow.step` or a quota category.
    pub scope: String,
    /// The expression as written, e.g. `p(99)<300ms`.
    pub expression: String,
    /// The measured value in the metric's canonical unit (microseconds for latency, a fraction
    /// for rates, requests per second for `rps`); `None` when nothing was measured.
    pub observed: Option<f64>,
    pub passed: bool,
}

impl From<&crate::metrics::thresholds::Verdict> for ThresholdResult {
    fn from(v: &crate::metrics::thresholds::Verdict) -> Self {
        Self {
            scope: v.scope.to_string(),
            expression: v.source.clone(),
            observed: v.observed,
            passed: v.passed,
        }
    }
}

/// The directory name of a run's reports: `<scenario>-<YYYYMMDDTHHMMSSZ>`.
pub fn run_dir_name(scenario: &str, started_at: chrono::DateTime<chrono::Utc>) -> String {
    let safe: String = scenario
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}-{}", started_at.format("%Y%m%dT%H%M%SZ"))
}

/// The directory name of one shard's reports: `<scenario>-<YYYYMMDDTHHMMSSZ>-shard<I>of<N>`, so
/// shards that start in the same second under one reports root never share a directory.
pub fn shard_dir_name(
    scenario: &str,
    started_at: chrono::DateTime<chrono::Utc>,
    (index, count): (u32, u32),
) -> String {
    format!(
        "{}-shard{index}of{count}",
        run_dir_name(scenario, started_at)
    )
}
