//! Threshold evaluation: a pure function of a [`Summary`]. The thresholds themselves are parsed
//! and resolved with the scenario (`scenario::thresholds`).
//!
//! A threshold whose scope recorded nothing (no samples for a latency, zero requests for a rate)
//! fails: absence of evidence is not a pass.

use serde::Serialize;

use super::summary::Summary;
use crate::scenario::Scope;
use crate::scenario::thresholds::{Metric, Threshold};

/// The outcome of one threshold against a summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub scope: Scope,
    pub source: String,
    pub passed: bool,
    /// The measured value in the metric's canonical unit; `None` when nothing was measured.
    pub observed: Option<f64>,
}

/// The metric's value for `scope` in `summary`, in canonical units.
pub fn observe(metric: Metric, scope: &Scope, summary: &Summary) -> Option<f64> {
    let s = summary.scope(scope)?;
    let latency = s.latency.as_ref();
    match metric {
        Metric::Percentile(p) => s.latency_quantile_us(p / 100.0).map(|v| v as f64),
        Metric::Avg => latency.map(|l| l.mean_us),
        Metric::Med => s.latency_quantile_us(0.5).map(|v| v as f64),
        Metric::Min => latency.map(|l| l.min_us as f64),
        Metric::Max => latency.map(|l| l.max_us as f64),
        Metric::ErrorRate => (s.count > 0).then_some(s.error_rate),
        Metric::ThrottleRate => (s.count > 0).then_some(s.throttle_rate),
        Metric::Rps => Some(s.rps),
        Metric::PeakRps => s.peak_rps,
        Metric::Count => Some(s.count as f64),
        Metric::QuotaShare => match scope {
            Scope::Category(category) => summary.quotas.get(category).map(|u| u.peak_share),
            _ => None,
        },
    }
}

/// Evaluates one threshold.
pub fn evaluate(threshold: &Threshold, summary: &Summary) -> Verdict {
    let observed = observe(threshold.expression.metric, &threshold.scope, summary);
    Verdict {
        scope: threshold.scope.clone(),
        source: threshold.source.clone(),
        passed: observed
            .is_some_and(|v| threshold.expression.op.holds(v, threshold.expression.value)),
        observed,
    }
}

/// Evaluates every threshold, in order.
pub fn evaluate_all(thresholds: &[Threshold], summary: &Summary) -> Vec<Verdict> {
    thresholds.iter().map(|t| evaluate(t, summary)).collect()
}
