//! The [`Summary`] of a run: serde, versioned, self-contained (it carries its histograms), and
//! mergeable across shards.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::latency_timeline::{self, IntervalSummary, LatencyPoint};
use super::quota_usage::{QuotaUsage, quota_usage, quotas_of};
use super::recorder::{MetricsError, Recorder, ScopeRecorder};
use crate::quota::{CategoryDemand, QuotaCategory, Quotas};
use crate::scenario::Scope;

/// Bumped on any incompatible change to [`Summary`]'s JSON. 2: `not_sent`, `interrupted`,
/// `samples` and `iteration_duration` per scope, run-level `iterations`, disjoint error and
/// throttle rates (a timeline's `errors` no longer include its throttles).
pub const SUMMARY_SCHEMA_VERSION: u32 = 2;

/// Measurements of a run, per scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    /// The measured window, in seconds (rates are per second of it).
    pub elapsed_s: f64,
    pub run: ScopeSummary,
    /// Scheduled iterations of every flow and how they ended.
    pub iterations: IterationTotals,
    pub flows: BTreeMap<String, ScopeSummary>,
    /// Keyed `flow.step`.
    pub steps: BTreeMap<String, ScopeSummary>,
    pub categories: BTreeMap<QuotaCategory, ScopeSummary>,
    /// Requests in no category of the guide's table (e.g. the authorization-code exchange).
    pub uncategorised_requests: u64,
    /// One entry per second of the run, from second 0.
    pub timeline: Vec<SecondSummary>,
    /// The length of one interval of `latency_timeline`, in seconds: 1 for runs scheduled up
    /// to 10 minutes, more for longer runs ([`super::latency_timeline::interval_for`]).
    #[serde(default = "one_second")]
    pub timeline_interval_s: u32,
    /// Latency per interval of `timeline_interval_s` seconds, per step and per quota category
    /// (p50/p95/p99 and the interval's histogram), from interval 0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latency_timeline: Vec<IntervalSummary>,
    /// Each quota category's usage, counted by the guide's rule, against the quota in force.
    #[serde(default)]
    pub quotas: BTreeMap<QuotaCategory, QuotaUsage>,
}

fn one_second() -> u32 {
    1
}

/// Counts, rates and latency of one scope. The counts always add up:
/// `count = ok + Σerrors + throttled + Σtransport + Σnot_sent + interrupted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeSummary {
    /// Requests (run, categories), step executions (steps) or scheduled iterations (flows); the
    /// run also counts every step execution that ended not sent.
    pub count: u64,
    pub ok: u64,
    /// Error answers by code.
    pub errors: BTreeMap<String, u64>,
    pub throttled: u64,
    /// Transport failures by kind (`interrupted`: no answer yet when the run ended).
    pub transport: BTreeMap<String, u64>,
    /// Failures inside the harness before sending, by kind (`no_user_left`, `missing_tokens`,
    /// `panic`, ...).
    #[serde(default)]
    pub not_sent: BTreeMap<String, u64>,
    /// Flows: iterations still running or waiting for a VU when the run ended.
    #[serde(default)]
    pub interrupted: u64,
    /// Share of `count` that failed other than by throttling (errors, transport failures, not
    /// sent, interrupted), 0..=1.
    pub error_rate: f64,
    /// Share of `count` that was throttled, 0..=1 (disjoint from `error_rate`).
    pub throttle_rate: f64,
    /// Per second of the run: requests sent (the run: `count` less `not_sent`), step
    /// executions, iterations.
    pub rps: f64,
    /// The busiest second: for the run, its request count; for a quota category, the usage
    /// counted against its quota (challenge responses within their allowance left out, see
    /// [`Summary::quotas`]); `None` for flows and steps.
    pub peak_rps: Option<f64>,
    /// `None` when nothing was timed. A flow's latency is the sum of its steps' latencies
    /// (think time excluded).
    pub latency: Option<LatencySummary>,
    /// Flows only: iteration duration from intended start to end, think time included (k6's
    /// `iteration_duration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iteration_duration: Option<LatencySummary>,
    /// One message per failure kind, token-like words redacted (e.g. a panic's message).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub samples: BTreeMap<String, String>,
}

/// Iterations of the whole run: `scheduled = ok + Σfailed + interrupted`, the sum over flows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IterationTotals {
    pub scheduled: u64,
    pub ok: u64,
    /// Failed iterations by the kind of their failed step (an error code, `throttled`, a
    /// transport or not-sent kind).
    pub failed: BTreeMap<String, u64>,
    pub interrupted: u64,
}

impl IterationTotals {
    fn of(flows: &BTreeMap<String, ScopeSummary>) -> Self {
        let mut totals = IterationTotals::default();
        for f in flows.values() {
            totals.scheduled += f.count;
            totals.ok += f.ok;
            totals.interrupted += f.interrupted;
            for (kind, n) in f.errors.iter().chain(&f.transport).chain(&f.not_sent) {
                *totals.failed.entry(kind.clone()).or_default() += n;
            }
            if f.throttled > 0 {
                *totals.failed.entry("throttled".into()).or_default() += f.throttled;
            }
        }
        totals
    }
}

/// Latency statistics in microseconds, and the histogram they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub min_us: u64,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// HdrHistogram V2 encoding, base64 (standard alphabet): decode to merge or for any other
    /// percentile.
    pub histogram: String,
}

/// One second of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondSummary {
    pub second: u32,
    pub requests: u64,
    pub errors: u64,
    pub throttles: u64,
    /// Requests per quota category (categories with none are left out).
    pub categories: BTreeMap<QuotaCategory, u64>,
    /// Of those, challenge responses (`RespondToAuthChallenge`, `AdminRespondToAuthChallenge`),
    /// which count against their own allowance first (categories with none are left out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub challenge_responses: BTreeMap<QuotaCategory, u64>,
}

use latency_timeline::encode;

fn decode(text: &str) -> Result<Histogram<u64>, MetricsError> {
    latency_timeline::decode(text).map_err(MetricsError::Histogram)
}

/// The recorder's latency timeline as the summary carries it.
fn latency_timeline_of(recorder: &Recorder) -> Vec<IntervalSummary> {
    let layout = &recorder.layout;
    let step_names: Vec<String> = layout
        .steps
        .iter()
        .map(|(flow, step)| {
            let flow = layout.flows.get(*flow).map(String::as_str).unwrap_or("");
            format!("{flow}.{step}")
        })
        .collect();
    let interval_s = u64::from(layout.interval_s);
    recorder
        .latency_timeline
        .iter()
        .enumerate()
        .map(|(index, interval)| IntervalSummary {
            start_s: u32::try_from(index as u64 * interval_s).unwrap_or(u32::MAX),
            steps: step_names
                .iter()
                .zip(&interval.steps)
                .filter(|(_, h)| !h.is_empty())
                .filter_map(|(name, h)| Some((name.clone(), LatencyPoint::of(&h.to_histogram())?)))
                .collect(),
            categories: layout
                .categories
                .iter()
                .zip(&interval.categories)
                .filter(|(_, h)| !h.is_empty())
                .filter_map(|(c, h)| Some((*c, LatencyPoint::of(&h.to_histogram())?)))
                .collect(),
        })
        .collect()
}

fn latency_summary(histogram: &Histogram<u64>) -> Option<LatencySummary> {
    if histogram.is_empty() {
        return None;
    }
    Some(LatencySummary {
        min_us: histogram.min(),
        mean_us: histogram.mean(),
        p50_us: histogram.value_at_quantile(0.50),
        p90_us: histogram.value_at_quantile(0.90),
        p95_us: histogram.value_at_quantile(0.95),
        p99_us: histogram.value_at_quantile(0.99),
        max_us: histogram.max(),
        histogram: encode(histogram),
    })
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn per_second(count: u64, elapsed_s: f64) -> f64 {
    if elapsed_s > 0.0 {
        count as f64 / elapsed_s
    } else {
        0.0
    }
}

impl ScopeSummary {
    /// Failures other than throttles: `Σerrors + Σtransport + Σnot_sent + interrupted`.
    pub fn failures(&self) -> u64 {
        self.errors.values().sum::<u64>()
            + self.transport.values().sum::<u64>()
            + self.not_sent.values().sum::<u64>()
            + self.interrupted
    }

    /// Whether the counts add up: `count = ok + throttled + failures()`.
    pub fn adds_up(&self) -> bool {
        self.count == self.ok + self.throttled + self.failures()
    }

    /// Sets the rates from the counts: `error_rate`, `throttle_rate` (disjoint) and `rps`
    /// (`sent_only`: per second of requests sent, leaving not-sent step executions out).
    fn with_rates(mut self, elapsed_s: f64, sent_only: bool) -> Self {
        self.error_rate = ratio(self.failures(), self.count);
        self.throttle_rate = ratio(self.throttled, self.count);
        let per = if sent_only {
            self.count
                .saturating_sub(self.not_sent.values().sum::<u64>())
        } else {
            self.count
        };
        self.rps = per_second(per, elapsed_s);
        self
    }
}

fn from_scope(
    scope: &ScopeRecorder,
    elapsed_s: f64,
    peak_rps: Option<f64>,
    sent_only: bool,
) -> ScopeSummary {
    ScopeSummary {
        count: scope.count(),
        ok: scope.ok,
        errors: scope.errors.clone(),
        throttled: scope.throttled,
        transport: scope.transport.clone(),
        not_sent: scope.not_sent.clone(),
        interrupted: scope.interrupted,
        error_rate: 0.0,
        throttle_rate: 0.0,
        rps: 0.0,
        peak_rps,
        latency: latency_summary(&scope.latency),
        iteration_duration: scope.duration.as_ref().and_then(latency_summary),
        samples: scope.samples.clone(),
    }
    .with_rates(elapsed_s, sent_only)
}

impl Summary {
    /// Summarises a (merged) recorder over a run that lasted `elapsed`.
    pub fn from_recorder(recorder: &Recorder, elapsed: Duration) -> Summary {
        let elapsed_s = elapsed.as_secs_f64();
        let layout = &recorder.layout;
        let timeline: Vec<SecondSummary> = recorder
            .timeline
            .iter()
            .enumerate()
            .map(|(second, bucket)| SecondSummary {
                second: u32::try_from(second).unwrap_or(u32::MAX),
                requests: bucket.requests,
                errors: bucket.errors,
                throttles: bucket.throttles,
                categories: layout
                    .categories
                    .iter()
                    .zip(&bucket.categories)
                    .filter(|(_, n)| **n > 0)
                    .map(|(c, n)| (*c, *n))
                    .collect(),
                challenge_responses: layout
                    .categories
                    .iter()
                    .zip(&bucket.challenges)
                    .filter(|(_, n)| **n > 0)
                    .map(|(c, n)| (*c, *n))
                    .collect(),
            })
            .collect();
        let run_peak = timeline.iter().map(|s| s.requests).max().unwrap_or(0);
        let steps = layout
            .steps
            .iter()
            .zip(&recorder.steps)
            .map(|((flow, step), scope)| {
                let flow = layout.flows.get(*flow).map(String::as_str).unwrap_or("");
                (
                    format!("{flow}.{step}"),
                    from_scope(scope, elapsed_s, None, false),
                )
            })
            .collect();
        let categories = layout
            .categories
            .iter()
            .zip(&recorder.categories)
            .map(|(category, scope)| (*category, from_scope(scope, elapsed_s, None, true)))
            .collect();
        let flows = layout
            .flows
            .iter()
            .zip(&recorder.flows)
            .map(|(name, scope)| (name.clone(), from_scope(scope, elapsed_s, None, false)))
            .collect();
        Summary {
            schema_version: SUMMARY_SCHEMA_VERSION,
            elapsed_s,
            run: from_scope(&recorder.run, elapsed_s, Some(run_peak as f64), true),
            iterations: IterationTotals::of(&flows),
            flows,
            steps,
            categories,
            uncategorised_requests: recorder.uncategorised,
            timeline,
            timeline_interval_s: layout.interval_s,
            latency_timeline: latency_timeline_of(recorder),
            quotas: BTreeMap::new(),
        }
        .with_quotas(&Quotas::default())
    }

    /// The same summary counted against `quotas` (the quotas in force for the account): each
    /// category's usage per second by the guide's rule, its peak (also the category's
    /// `peak_rps`, which thresholds read) and average, and where each quota came from.
    pub fn with_quotas(mut self, quotas: &Quotas) -> Summary {
        let timeline: Vec<_> = self
            .timeline
            .iter()
            .map(|s| (s.second, s.demand()))
            .collect();
        self.quotas = quota_usage(
            &timeline,
            self.categories.keys().copied(),
            quotas,
            self.elapsed_s,
        );
        for (category, scope) in self.categories.iter_mut() {
            scope.peak_rps = self.quotas.get(category).map(|u| u.peak_rps);
        }
        self
    }

    /// The summary of one scope, if the run has it.
    pub fn scope(&self, scope: &Scope) -> Option<&ScopeSummary> {
        match scope {
            Scope::Run => Some(&self.run),
            Scope::Flow(flow) => self.flows.get(flow),
            Scope::Step { flow, step } => self.steps.get(&format!("{flow}.{step}")),
            Scope::Category(category) => self.categories.get(category),
        }
    }

    /// The same summary with `seconds` empty seconds before its timeline: a shard that started
    /// later than another, aligned on the other's start before [`Summary::merge`].
    pub fn delayed(&self, seconds: u32) -> Summary {
        let mut out = self.clone();
        if seconds == 0 {
            return out;
        }
        let empty = (0..seconds).map(|second| SecondSummary {
            second,
            requests: 0,
            errors: 0,
            throttles: 0,
            categories: BTreeMap::new(),
            challenge_responses: BTreeMap::new(),
        });
        let shifted = self.timeline.iter().map(|s| SecondSummary {
            second: s.second.saturating_add(seconds),
            ..s.clone()
        });
        out.timeline = empty.chain(shifted).collect();
        out.latency_timeline =
            latency_timeline::delayed(&self.latency_timeline, seconds, self.timeline_interval_s);
        out
    }

    /// Merges two shards of one scenario that ran over the same window: counts add, histograms
    /// add (losslessly), timelines add second by second, the window is the longer of the two.
    pub fn merge(&self, other: &Summary) -> Result<Summary, MetricsError> {
        for s in [self, other] {
            if s.schema_version != SUMMARY_SCHEMA_VERSION {
                return Err(MetricsError::SchemaVersion {
                    found: s.schema_version,
                    expected: SUMMARY_SCHEMA_VERSION,
                });
            }
        }
        if self.flows.keys().ne(other.flows.keys())
            || self.steps.keys().ne(other.steps.keys())
            || self.categories.keys().ne(other.categories.keys())
        {
            return Err(MetricsError::LayoutMismatch);
        }
        if self.timeline_interval_s != other.timeline_interval_s {
            return Err(MetricsError::LayoutMismatch);
        }
        let elapsed_s = self.elapsed_s.max(other.elapsed_s);
        let len = self.timeline.len().max(other.timeline.len());
        let timeline: Vec<SecondSummary> = (0..len)
            .map(|i| {
                let mut merged = SecondSummary {
                    second: u32::try_from(i).unwrap_or(u32::MAX),
                    requests: 0,
                    errors: 0,
                    throttles: 0,
                    categories: BTreeMap::new(),
                    challenge_responses: BTreeMap::new(),
                };
                for s in [self.timeline.get(i), other.timeline.get(i)]
                    .into_iter()
                    .flatten()
                {
                    merged.requests += s.requests;
                    merged.errors += s.errors;
                    merged.throttles += s.throttles;
                    for (c, n) in &s.categories {
                        *merged.categories.entry(*c).or_default() += n;
                    }
                    for (c, n) in &s.challenge_responses {
                        *merged.challenge_responses.entry(*c).or_default() += n;
                    }
                }
                merged
            })
            .collect();
        let run_peak = timeline.iter().map(|s| s.requests).max().unwrap_or(0) as f64;
        let mut flows = BTreeMap::new();
        for (name, a) in &self.flows {
            flows.insert(
                name.clone(),
                merge_scope(a, &other.flows[name], elapsed_s, None)?,
            );
        }
        let mut steps = BTreeMap::new();
        for (name, a) in &self.steps {
            steps.insert(
                name.clone(),
                merge_scope(a, &other.steps[name], elapsed_s, None)?,
            );
        }
        let mut categories = BTreeMap::new();
        for (category, a) in &self.categories {
            categories.insert(
                *category,
                merge_scope(a, &other.categories[category], elapsed_s, None)?
                    .with_rates(elapsed_s, true),
            );
        }
        Ok(Summary {
            schema_version: SUMMARY_SCHEMA_VERSION,
            elapsed_s,
            run: merge_scope(&self.run, &other.run, elapsed_s, Some(run_peak))?
                .with_rates(elapsed_s, true),
            iterations: IterationTotals::of(&flows),
            flows,
            steps,
            categories,
            uncategorised_requests: self.uncategorised_requests + other.uncategorised_requests,
            timeline,
            timeline_interval_s: self.timeline_interval_s,
            latency_timeline: latency_timeline::merge(
                &self.latency_timeline,
                &other.latency_timeline,
                self.timeline_interval_s,
            )
            .map_err(MetricsError::Histogram)?,
            quotas: BTreeMap::new(),
        }
        .with_quotas(&quotas_of(&self.quotas)))
    }
}

impl SecondSummary {
    /// This second's demand per category, challenge responses apart.
    pub fn demand(&self) -> BTreeMap<QuotaCategory, CategoryDemand> {
        self.categories
            .iter()
            .map(|(category, all)| {
                let challenge = self
                    .challenge_responses
                    .get(category)
                    .copied()
                    .unwrap_or(0)
                    .min(*all);
                let demand = CategoryDemand {
                    requests: (all - challenge) as f64,
                    challenge_responses: challenge as f64,
                };
                (*category, demand)
            })
            .collect()
    }
}

impl ScopeSummary {
    /// The latency (µs) at quantile `q` in 0..=1, from the histogram; `None` without samples.
    pub fn latency_quantile_us(&self, q: f64) -> Option<u64> {
        let latency = self.latency.as_ref()?;
        let histogram = decode(&latency.histogram).ok()?;
        Some(histogram.value_at_quantile(q.clamp(0.0, 1.0)))
    }

    /// The scope's latency histogram (µs), decoded; `None` without samples or when the stored
    /// encoding does not decode.
    pub fn latency_histogram(&self) -> Option<Histogram<u64>> {
        decode(&self.latency.as_ref()?.histogram).ok()
    }
}

fn merge_histograms(
    a: &Option<LatencySummary>,
    b: &Option<LatencySummary>,
) -> Result<Option<LatencySummary>, MetricsError> {
    Ok(match (a, b) {
        (None, None) => None,
        (Some(x), None) | (None, Some(x)) => Some(x.clone()),
        (Some(x), Some(y)) => {
            let mut histogram = decode(&x.histogram)?;
            let other = decode(&y.histogram)?;
            histogram
                .add(&other)
                .map_err(|e| MetricsError::Histogram(format!("{e:?}")))?;
            latency_summary(&histogram)
        }
    })
}

fn add_counts(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let mut out = a.clone();
    for (k, n) in b {
        *out.entry(k.clone()).or_default() += n;
    }
    out
}

/// Adds two shards' summaries of one scope (rates per second of step executions or
/// iterations; the run and categories set theirs again with `with_rates(_, true)`).
fn merge_scope(
    a: &ScopeSummary,
    b: &ScopeSummary,
    elapsed_s: f64,
    peak_rps: Option<f64>,
) -> Result<ScopeSummary, MetricsError> {
    let mut samples = a.samples.clone();
    for (kind, message) in &b.samples {
        samples
            .entry(kind.clone())
            .or_insert_with(|| message.clone());
    }
    Ok(ScopeSummary {
        count: a.count + b.count,
        ok: a.ok + b.ok,
        errors: add_counts(&a.errors, &b.errors),
        throttled: a.throttled + b.throttled,
        transport: add_counts(&a.transport, &b.transport),
        not_sent: add_counts(&a.not_sent, &b.not_sent),
        interrupted: a.interrupted + b.interrupted,
        error_rate: 0.0,
        throttle_rate: 0.0,
        rps: 0.0,
        peak_rps,
        latency: merge_histograms(&a.latency, &b.latency)?,
        iteration_duration: merge_histograms(&a.iteration_duration, &b.iteration_duration)?,
        samples,
    }
    .with_rates(elapsed_s, false))
}
