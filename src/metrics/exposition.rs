//! A run's live numbers in the Prometheus text format (version 0.0.4), for
//! `run --metrics-listen`: encoded at scrape time from a snapshot of the run's [`Recorder`]s
//! and its per-flow counters, so the engine's hot path records nothing more than it did for
//! the reports (one extra relaxed atomic increment per scheduled iteration).
//!
//! Series (names follow the Prometheus naming practice: snake_case, a `cognito_harness_`
//! namespace, `_total` on counters, base units, so latencies are in seconds):
//!
//! | series | labels | what |
//! |---|---|---|
//! | `cognito_harness_requests_total` | `category`, `outcome`, `kind` | API requests per quota category |
//! | `cognito_harness_uncategorised_requests_total` | | requests of operations in no category |
//! | `cognito_harness_steps_total` | `flow`, `step`, `outcome`, `kind` | step executions |
//! | `cognito_harness_iterations_total` | `flow`, `outcome`, `kind` | finished iterations |
//! | `cognito_harness_step_latency_seconds` | `flow`, `step` | histogram, from the intended start |
//! | `cognito_harness_request_latency_seconds` | `category` | histogram, from the intended send |
//! | `cognito_harness_iterations_scheduled_total` | `flow` | iterations whose start was due |
//! | `cognito_harness_iterations_started_total` | `flow` | iterations a VU started |
//! | `cognito_harness_vus_active` | `flow` | VUs running an iteration of the flow |
//! | `cognito_harness_vus_waiting` | `flow` | due iterations waiting for a free VU |
//!
//! `outcome` is `ok`, `error`, `throttled`, `transport`, `not_sent` or `interrupted`; `kind` is
//! the exception name (`NotAuthorizedException`), the transport kind (`timeout`) or the
//! not-sent reason, empty for the other outcomes. Scheduled versus achieved rate is
//! `rate(..._scheduled_total)` against `rate(..._started_total)`. The histograms' buckets are
//! counted from the HDR histograms at scrape time ([`LATENCY_BUCKETS_S`]). No username,
//! password or token ever appears: labels are names from the scenario and kinds.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use super::Recorder;
use super::recorder::ScopeRecorder;

/// The Content-Type of the text this module writes.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds (seconds) of the latency histograms' buckets: 1 ms to 30 s, dense where
/// Cognito's answers fall (tens to hundreds of milliseconds).
pub const LATENCY_BUCKETS_S: [f64; 16] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 30.0,
];

/// One flow's live numbers besides what the recorder holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowLive {
    /// Iterations whose intended start has come (the pacer handed them to the VUs).
    pub scheduled: u64,
    /// Iterations a VU started.
    pub started: u64,
    /// VUs running an iteration of the flow now.
    pub active: u64,
    /// Iterations due but not yet started, waiting for a free VU.
    pub waiting: u64,
}

/// What one scrape of a run shows.
#[derive(Clone)]
pub struct RunView {
    /// The run's recorders merged; `None` before traffic starts.
    pub recorder: Option<Recorder>,
    /// Per flow, in the recorder's layout order.
    pub flows: Vec<(String, FlowLive)>,
}

/// The Prometheus text of `view`.
pub fn encode_run(view: RunView) -> String {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(view));
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &registry);
    text
}

type Labels = Vec<(&'static str, String)>;

/// Each outcome of `scope` with its count: (`outcome`, `kind`, count), zero counts left out
/// except `ok`, so a series exists from the first scrape.
fn outcomes(scope: &ScopeRecorder) -> Vec<(&'static str, String, u64)> {
    let mut out = vec![("ok", String::new(), scope.ok)];
    if scope.throttled > 0 {
        out.push(("throttled", String::new(), scope.throttled));
    }
    if scope.interrupted > 0 {
        out.push(("interrupted", String::new(), scope.interrupted));
    }
    for (outcome, map) in [
        ("error", &scope.errors),
        ("transport", &scope.transport),
        ("not_sent", &scope.not_sent),
    ] {
        out.extend(map.iter().map(|(kind, n)| (outcome, kind.clone(), *n)));
    }
    out
}

/// A histogram read at scrape time: (sum in seconds, count, cumulative buckets).
struct ConstHistogram {
    sum: f64,
    count: u64,
    buckets: Vec<(f64, u64)>,
}

impl ConstHistogram {
    fn of(histogram: &hdrhistogram::Histogram<u64>) -> Self {
        let count = histogram.len();
        let sum = histogram.mean() * count as f64 / 1e6;
        let mut buckets: Vec<(f64, u64)> = LATENCY_BUCKETS_S
            .iter()
            .map(|&le| {
                let micros = (le * 1e6) as u64;
                // Values equivalent to the bound (same HDR bucket) count as at or below it.
                (le, histogram.count_between(0, micros))
            })
            .collect();
        buckets.push((f64::INFINITY, count));
        // The encoder expects per-bucket counts, not cumulative ones.
        let mut below = 0;
        for (_, n) in &mut buckets {
            let cumulative = *n;
            *n = cumulative.saturating_sub(below);
            below = cumulative.max(below);
        }
        ConstHistogram {
            sum,
            count,
            buckets,
        }
    }
}

impl std::fmt::Debug for ConstHistogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConstHistogram")
            .field("count", &self.count)
            .finish()
    }
}

impl EncodeMetric for ConstHistogram {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::MetricEncoder,
    ) -> Result<(), std::fmt::Error> {
        encoder.encode_histogram::<NoLabelSet>(self.sum, self.count, &self.buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

/// One metric family: its name, help, type and labelled values.
fn family<M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric_type: MetricType,
    series: &[(Labels, M)],
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, metric_type)?;
    for (labels, metric) in series {
        metric.encode(family.encode_family(labels)?)?;
    }
    Ok(())
}

impl Collector for RunView {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        self.encode_flows(&mut encoder)?;
        let Some(r) = &self.recorder else {
            return Ok(());
        };
        let layout = &r.layout;
        let step_labels = |i: usize| -> Labels {
            let (flow, step) = &layout.steps[i];
            let flow = layout.flows.get(*flow).cloned().unwrap_or_default();
            vec![("flow", flow), ("step", step.clone())]
        };
        let with = |mut labels: Labels, outcome: &'static str, kind: String| {
            labels.push(("outcome", outcome.to_string()));
            labels.push(("kind", kind));
            labels
        };
        let mut requests = Vec::new();
        let mut request_latency = Vec::new();
        for (category, scope) in layout.categories.iter().zip(&r.categories) {
            let labels: Labels = vec![("category", category.name().to_string())];
            for (outcome, kind, n) in outcomes(scope) {
                requests.push((with(labels.clone(), outcome, kind), ConstCounter::new(n)));
            }
            request_latency.push((labels, ConstHistogram::of(&scope.latency)));
        }
        let mut steps = Vec::new();
        let mut step_latency = Vec::new();
        for (i, scope) in r.steps.iter().enumerate() {
            for (outcome, kind, n) in outcomes(scope) {
                steps.push((with(step_labels(i), outcome, kind), ConstCounter::new(n)));
            }
            step_latency.push((step_labels(i), ConstHistogram::of(&scope.latency)));
        }
        let mut iterations = Vec::new();
        for (flow, scope) in layout.flows.iter().zip(&r.flows) {
            for (outcome, kind, n) in outcomes(scope) {
                let labels = with(vec![("flow", flow.clone())], outcome, kind);
                iterations.push((labels, ConstCounter::new(n)));
            }
        }
        let counter = MetricType::Counter;
        let histogram = MetricType::Histogram;
        family(
            &mut encoder,
            "cognito_harness_requests",
            "API requests by quota category, outcome and kind.",
            counter,
            &requests,
        )?;
        let uncategorised = [(Labels::new(), ConstCounter::new(r.uncategorised))];
        family(
            &mut encoder,
            "cognito_harness_uncategorised_requests",
            "API requests of operations in no quota category.",
            counter,
            &uncategorised,
        )?;
        family(
            &mut encoder,
            "cognito_harness_steps",
            "Step executions by flow, step, outcome and kind.",
            counter,
            &steps,
        )?;
        family(
            &mut encoder,
            "cognito_harness_iterations",
            "Finished iterations by flow, outcome and kind.",
            counter,
            &iterations,
        )?;
        family(
            &mut encoder,
            "cognito_harness_step_latency_seconds",
            "Step latency from its intended start.",
            histogram,
            &step_latency,
        )?;
        family(
            &mut encoder,
            "cognito_harness_request_latency_seconds",
            "Request latency from its intended send time, by quota category.",
            histogram,
            &request_latency,
        )?;
        Ok(())
    }
}

impl RunView {
    fn encode_flows(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let per_flow = |value: fn(&FlowLive) -> u64| -> Vec<(Labels, u64)> {
            self.flows
                .iter()
                .map(|(name, live)| (vec![("flow", name.clone())], value(live)))
                .collect()
        };
        let counters = |v: Vec<(Labels, u64)>| -> Vec<(Labels, ConstCounter<u64>)> {
            v.into_iter()
                .map(|(l, n)| (l, ConstCounter::new(n)))
                .collect()
        };
        let gauges = |v: Vec<(Labels, u64)>| -> Vec<(Labels, ConstGauge<i64>)> {
            v.into_iter()
                .map(|(l, n)| (l, ConstGauge::new(i64::try_from(n).unwrap_or(i64::MAX))))
                .collect()
        };
        family(
            encoder,
            "cognito_harness_iterations_scheduled",
            "Iterations whose intended start has come.",
            MetricType::Counter,
            &counters(per_flow(|l| l.scheduled)),
        )?;
        family(
            encoder,
            "cognito_harness_iterations_started",
            "Iterations a VU started.",
            MetricType::Counter,
            &counters(per_flow(|l| l.started)),
        )?;
        family(
            encoder,
            "cognito_harness_vus_active",
            "VUs running an iteration of the flow.",
            MetricType::Gauge,
            &gauges(per_flow(|l| l.active)),
        )?;
        family(
            encoder,
            "cognito_harness_vus_waiting",
            "Due iterations waiting for a free VU.",
            MetricType::Gauge,
            &gauges(per_flow(|l| l.waiting)),
        )?;
        Ok(())
    }
}

impl std::fmt::Debug for RunView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunView")
            .field("flows", &self.flows)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Layout, Outcome, StepId};
    use crate::quota::QuotaCategory;
    use std::time::Duration;

    fn view() -> RunView {
        let layout = Layout::new(
            &[("sign_in", &["login"])],
            &[QuotaCategory::UserAuthentication],
        );
        let mut r = Recorder::new(layout);
        let at = Duration::ZERO;
        r.record_operation(at, "InitiateAuth", Duration::from_millis(40), Outcome::Ok);
        r.record_operation(
            at,
            "InitiateAuth",
            Duration::from_millis(3),
            Outcome::Throttled,
        );
        r.record_operation(
            at,
            "InitiateAuth",
            Duration::from_millis(2),
            Outcome::Transport("timeout"),
        );
        r.record_step(StepId(0), Duration::from_millis(40), Outcome::Ok);
        r.record_step(
            StepId(0),
            Duration::from_millis(600),
            Outcome::Error("NotAuthorizedException"),
        );
        r.record_iteration(0, Duration::from_millis(40), Outcome::Ok);
        let live = FlowLive {
            scheduled: 12,
            started: 10,
            active: 3,
            waiting: 2,
        };
        RunView {
            recorder: Some(r),
            flows: vec![("sign_in".into(), live)],
        }
    }

    #[test]
    fn requests_steps_and_iterations_are_counted_by_outcome_and_kind() {
        let text = encode_run(view());
        for line in [
            "cognito_harness_requests_total{category=\"UserAuthentication\",outcome=\"ok\",kind=\"\"} 1",
            "cognito_harness_requests_total{category=\"UserAuthentication\",outcome=\"throttled\",kind=\"\"} 1",
            "cognito_harness_requests_total{category=\"UserAuthentication\",outcome=\"transport\",kind=\"timeout\"} 1",
            "cognito_harness_steps_total{flow=\"sign_in\",step=\"login\",outcome=\"error\",kind=\"NotAuthorizedException\"} 1",
            "cognito_harness_iterations_total{flow=\"sign_in\",outcome=\"ok\",kind=\"\"} 1",
            "cognito_harness_iterations_scheduled_total{flow=\"sign_in\"} 12",
            "cognito_harness_iterations_started_total{flow=\"sign_in\"} 10",
            "cognito_harness_vus_active{flow=\"sign_in\"} 3",
            "cognito_harness_vus_waiting{flow=\"sign_in\"} 2",
            "# TYPE cognito_harness_step_latency_seconds histogram",
        ] {
            assert!(text.contains(line), "missing {line:?} in:\n{text}");
        }
    }

    #[test]
    fn latency_buckets_are_cumulative_seconds() {
        let text = encode_run(view());
        let bucket = |le: &str| {
            let prefix = format!(
                "cognito_harness_step_latency_seconds_bucket{{flow=\"sign_in\",step=\"login\",le=\"{le}\"}} "
            );
            text.lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()))
                .unwrap_or_else(|| panic!("no bucket {le} in:\n{text}"))
                .to_string()
        };
        assert_eq!(bucket("0.025"), "0");
        assert_eq!(bucket("0.05"), "1");
        assert_eq!(bucket("0.5"), "1");
        assert_eq!(bucket("0.75"), "2");
        assert_eq!(bucket("+Inf"), "2");
        assert!(text.contains(
            "cognito_harness_step_latency_seconds_count{flow=\"sign_in\",step=\"login\"} 2"
        ));
    }

    #[test]
    fn before_traffic_only_the_flow_series_are_shown() {
        let text = encode_run(RunView {
            recorder: None,
            flows: vec![("sign_in".into(), FlowLive::default())],
        });
        assert!(text.contains("cognito_harness_vus_active{flow=\"sign_in\"} 0"));
        assert!(!text.contains("cognito_harness_requests_total"));
    }
}
