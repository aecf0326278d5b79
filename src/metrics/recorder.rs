//! Per-worker recorders: plain owned data, updated without synchronisation, merged losslessly.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

use super::latency_timeline::IntervalLatency;
use crate::quota::QuotaCategory;
use crate::scenario::model::Scenario;

/// The longest timeline kept, in seconds (a guard against a bogus timestamp allocating
/// gigabytes); later samples land in the last second.
const MAX_TIMELINE_SECONDS: usize = 14 * 24 * 3600;

/// How a request, a step or an iteration ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Succeeded, or failed exactly as the step's `expect` said.
    Ok,
    /// The target answered with an error (its code, e.g. `NotAuthorizedException`), or with
    /// something the step did not expect (`unexpected_success`, `unexpected_status`).
    Error(&'a str),
    /// The target refused for rate (`TooManyRequestsException`, HTTP 429).
    Throttled,
    /// No answer: `timeout`, `connect`, `tls`, `io`, ..., or `interrupted` (still waiting for
    /// its answer when the graceful stop ended or the run was interrupted).
    Transport(&'a str),
    /// The step failed inside the harness before sending anything (its kind: `no_user_left`,
    /// `missing_tokens`, `srp_client`, `panic`, ...). Counted at the step, its flow and the run.
    NotSent(&'a str),
    /// An iteration still running or still waiting for a free VU when the graceful stop ended
    /// (or the run was interrupted). Flows only: its in-flight request and step count as
    /// `Transport("interrupted")`.
    Interrupted,
}

impl Outcome<'_> {
    /// The kind a failure is counted under (`None` for `Ok`): the error code, `throttled`, the
    /// transport or not-sent kind, or `interrupted`.
    pub fn kind(&self) -> Option<&str> {
        match self {
            Outcome::Ok => None,
            Outcome::Error(k) | Outcome::Transport(k) | Outcome::NotSent(k) => Some(k),
            Outcome::Throttled => Some("throttled"),
            Outcome::Interrupted => Some("interrupted"),
        }
    }
}

/// Errors combining measurements.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("the recorders describe different scenarios (flows, steps or categories differ)")]
    LayoutMismatch,
    #[error("summary schema version {found} cannot be merged with version {expected}")]
    SchemaVersion { found: u32, expected: u32 },
    #[error("a latency histogram in the summary is not valid base64 V2 HdrHistogram data: {0}")]
    Histogram(String),
}

/// The scopes a recorder measures, fixed for a run: flows, their steps, the categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub(crate) flows: Vec<String>,
    /// (flow index, step name)
    pub(crate) steps: Vec<(usize, String)>,
    pub(crate) categories: Vec<QuotaCategory>,
    /// The latency timeline's interval, in seconds (1 unless set from the scheduled duration).
    pub(crate) interval_s: u32,
}

/// A step's index in the [`Layout`], for cheap recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StepId(pub usize);

impl Layout {
    /// `flows`: each flow's name and its steps' names, in order.
    pub fn new(flows: &[(&str, &[&str])], categories: &[QuotaCategory]) -> Self {
        let mut steps = Vec::new();
        for (index, (_, names)) in flows.iter().enumerate() {
            steps.extend(names.iter().map(|n| (index, n.to_string())));
        }
        Self {
            flows: flows.iter().map(|(f, _)| f.to_string()).collect(),
            steps,
            categories: categories.to_vec(),
            interval_s: 1,
        }
    }

    pub fn from_scenario(scenario: &Scenario) -> Self {
        let mut steps = Vec::new();
        for (index, flow) in scenario.flows.iter().enumerate() {
            steps.extend(flow.steps.iter().map(|s| (index, s.name.clone())));
        }
        Self {
            flows: scenario.flows.iter().map(|f| f.name.clone()).collect(),
            steps,
            categories: scenario.categories(),
            interval_s: 1,
        }
    }

    /// The same layout with the latency timeline's interval chosen for a run scheduled to last
    /// `scheduled` ([`super::latency_timeline::interval_for`]).
    pub fn with_timeline_interval(mut self, scheduled: Duration) -> Self {
        self.interval_s = super::latency_timeline::interval_for(scheduled);
        self
    }

    /// The latency timeline's interval, in seconds.
    pub fn timeline_interval_s(&self) -> u32 {
        self.interval_s
    }

    pub fn flow_index(&self, flow: &str) -> Option<usize> {
        self.flows.iter().position(|f| f == flow)
    }

    pub fn step_id(&self, flow: &str, step: &str) -> Option<StepId> {
        let flow = self.flow_index(flow)?;
        self.steps
            .iter()
            .position(|(f, s)| *f == flow && s == step)
            .map(StepId)
    }

    fn category_index(&self, category: QuotaCategory) -> Option<usize> {
        self.categories.iter().position(|c| *c == category)
    }
}

/// Latency and outcome counts of one scope. `count` is explicit, not the histogram's length: a
/// step that was never sent and an iteration interrupted while waiting for a VU count without a
/// latency.
#[derive(Debug, Clone)]
pub(crate) struct ScopeRecorder {
    pub(crate) count: u64,
    pub(crate) latency: Histogram<u64>,
    /// Flows only: iteration duration, think time included (k6's `iteration_duration`).
    pub(crate) duration: Option<Histogram<u64>>,
    pub(crate) ok: u64,
    pub(crate) errors: BTreeMap<String, u64>,
    pub(crate) throttled: u64,
    pub(crate) transport: BTreeMap<String, u64>,
    pub(crate) not_sent: BTreeMap<String, u64>,
    pub(crate) interrupted: u64,
    /// One message per failure kind (the first seen), token-like words redacted.
    pub(crate) samples: BTreeMap<String, String>,
}

fn record_micros(histogram: &mut Histogram<u64>, latency: Duration) {
    let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    histogram.saturating_record(micros.clamp(super::LATENCY_LOW_US, super::LATENCY_HIGH_US));
}

fn add_histogram(into: &mut Histogram<u64>, other: &Histogram<u64>) {
    // Same bounds on both sides, so addition cannot fail; saturate rather than panic.
    if into.add(other).is_err() {
        for v in other.iter_recorded() {
            into.saturating_record_n(v.value_iterated_to(), v.count_at_value());
        }
    }
}

impl ScopeRecorder {
    fn new() -> Self {
        Self {
            count: 0,
            latency: super::new_histogram(),
            duration: None,
            ok: 0,
            errors: BTreeMap::new(),
            throttled: 0,
            transport: BTreeMap::new(),
            not_sent: BTreeMap::new(),
            interrupted: 0,
            samples: BTreeMap::new(),
        }
    }

    fn with_duration() -> Self {
        Self {
            duration: Some(super::new_histogram()),
            ..Self::new()
        }
    }

    /// One outcome; `latency` is `None` when nothing was timed (not sent, or interrupted while
    /// waiting for a VU).
    fn record(&mut self, latency: Option<Duration>, outcome: Outcome<'_>) {
        self.count += 1;
        if let Some(latency) = latency {
            record_micros(&mut self.latency, latency);
        }
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Error(kind) => bump(&mut self.errors, kind),
            Outcome::Throttled => self.throttled += 1,
            Outcome::Transport(kind) => bump(&mut self.transport, kind),
            Outcome::NotSent(kind) => bump(&mut self.not_sent, kind),
            Outcome::Interrupted => self.interrupted += 1,
        }
    }

    fn sample(&mut self, kind: &str, message: &str) {
        if !self.samples.contains_key(kind) {
            self.samples
                .insert(kind.to_string(), super::redact_token_like(message));
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    fn merge(&mut self, other: &ScopeRecorder) {
        self.count += other.count;
        add_histogram(&mut self.latency, &other.latency);
        match (&mut self.duration, &other.duration) {
            (Some(a), Some(b)) => add_histogram(a, b),
            (None, Some(b)) => self.duration = Some(b.clone()),
            _ => {}
        }
        self.ok += other.ok;
        self.throttled += other.throttled;
        self.interrupted += other.interrupted;
        for (map, theirs) in [
            (&mut self.errors, &other.errors),
            (&mut self.transport, &other.transport),
            (&mut self.not_sent, &other.not_sent),
        ] {
            for (kind, n) in theirs {
                *map.entry(kind.clone()).or_default() += n;
            }
        }
        for (kind, message) in &other.samples {
            self.samples
                .entry(kind.clone())
                .or_insert_with(|| message.clone());
        }
    }
}

fn bump(map: &mut BTreeMap<String, u64>, kind: &str) {
    match map.get_mut(kind) {
        Some(n) => *n += 1,
        None => {
            map.insert(kind.to_string(), 1);
        }
    }
}

/// One second of the run's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecondBucket {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) throttles: u64,
    /// Requests per category, in [`Layout`] category order.
    pub(crate) categories: Vec<u64>,
    /// Of those, challenge responses (`RespondToAuthChallenge`, `AdminRespondToAuthChallenge`),
    /// kept apart because the guide counts them against their own allowance first.
    pub(crate) challenges: Vec<u64>,
}

/// Everything one worker measured. Cheap to update (no locks, no allocation per sample once
/// an error kind has been seen), and mergeable.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub(crate) layout: Layout,
    pub(crate) run: ScopeRecorder,
    pub(crate) flows: Vec<ScopeRecorder>,
    pub(crate) steps: Vec<ScopeRecorder>,
    pub(crate) categories: Vec<ScopeRecorder>,
    /// Requests whose operation is in no category of the layout (or in none at all).
    pub(crate) uncategorised: u64,
    pub(crate) timeline: Vec<SecondBucket>,
    /// Latency per interval of `layout.interval_s` seconds, per step and category.
    pub(crate) latency_timeline: Vec<IntervalLatency>,
}

impl Recorder {
    pub fn new(layout: Layout) -> Self {
        Self {
            run: ScopeRecorder::new(),
            flows: layout
                .flows
                .iter()
                .map(|_| ScopeRecorder::with_duration())
                .collect(),
            steps: layout.steps.iter().map(|_| ScopeRecorder::new()).collect(),
            categories: layout
                .categories
                .iter()
                .map(|_| ScopeRecorder::new())
                .collect(),
            uncategorised: 0,
            timeline: Vec::new(),
            latency_timeline: Vec::new(),
            layout,
        }
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// One API request of `operation` (its quota category, and whether it is a challenge
    /// response, come from [`crate::quota`]). See [`Recorder::record_request`].
    pub fn record_operation(
        &mut self,
        at: Duration,
        operation: &str,
        latency: Duration,
        outcome: Outcome<'_>,
    ) {
        let category = crate::quota::category_of(operation);
        let challenge = crate::quota::is_respond_to_auth_challenge(operation);
        self.record(at, category, challenge, latency, outcome);
    }

    /// One API request in `category` that is not a challenge response. `at` is its intended
    /// send time since the run started (it picks the timeline second); `latency` is measured
    /// from that intended time.
    pub fn record_request(
        &mut self,
        at: Duration,
        category: Option<QuotaCategory>,
        latency: Duration,
        outcome: Outcome<'_>,
    ) {
        self.record(at, category, false, latency, outcome);
    }

    fn record(
        &mut self,
        at: Duration,
        category: Option<QuotaCategory>,
        challenge: bool,
        latency: Duration,
        outcome: Outcome<'_>,
    ) {
        self.run.record(Some(latency), outcome);
        let category_index = category.and_then(|c| self.layout.category_index(c));
        match category_index {
            Some(i) => self.categories[i].record(Some(latency), outcome),
            None => self.uncategorised += 1,
        }
        if let Some(i) = category_index {
            self.interval_mut(at).categories[i].record(latency);
        }
        let second = usize::try_from(at.as_secs())
            .unwrap_or(usize::MAX)
            .min(MAX_TIMELINE_SECONDS);
        let width = self.layout.categories.len();
        if self.timeline.len() <= second {
            self.timeline.resize(
                second + 1,
                SecondBucket {
                    requests: 0,
                    errors: 0,
                    throttles: 0,
                    categories: vec![0; width],
                    challenges: vec![0; width],
                },
            );
        }
        let bucket = &mut self.timeline[second];
        bucket.requests += 1;
        // Disjoint, as the scopes' rates: a throttle is not an error.
        match outcome {
            Outcome::Ok => {}
            Outcome::Throttled => bucket.throttles += 1,
            Outcome::Error(_)
            | Outcome::Transport(_)
            | Outcome::NotSent(_)
            | Outcome::Interrupted => bucket.errors += 1,
        }
        if let Some(i) = category_index {
            bucket.categories[i] += 1;
            if challenge {
                bucket.challenges[i] += 1;
            }
        }
    }

    /// The latency timeline's interval holding `at` (created, with those before it, if new).
    fn interval_mut(&mut self, at: Duration) -> &mut IntervalLatency {
        let interval = at.as_secs() / u64::from(self.layout.interval_s.max(1));
        let cap = (MAX_TIMELINE_SECONDS / self.layout.interval_s.max(1) as usize).max(1) - 1;
        let index = usize::try_from(interval).unwrap_or(usize::MAX).min(cap);
        if self.latency_timeline.len() <= index {
            let fresh = IntervalLatency::new(self.layout.steps.len(), self.layout.categories.len());
            self.latency_timeline.resize(index + 1, fresh);
        }
        &mut self.latency_timeline[index]
    }

    /// One execution of a step (all its requests), timed from its intended start, without a
    /// place on the latency timeline: [`Recorder::record_step_at`] places it.
    pub fn record_step(&mut self, step: StepId, latency: Duration, outcome: Outcome<'_>) {
        self.record_step_inner(step, None, latency, outcome);
    }

    /// One execution of a step (all its requests) that was due `at` since the run started
    /// (which picks its latency-timeline interval), timed from that intended start. A step that
    /// ended [`Outcome::NotSent`] has no latency and also counts at the run scope (which
    /// otherwise counts requests), so a run whose steps all failed inside the harness shows it.
    pub fn record_step_at(
        &mut self,
        step: StepId,
        at: Duration,
        latency: Duration,
        outcome: Outcome<'_>,
    ) {
        self.record_step_inner(step, Some(at), latency, outcome);
    }

    fn record_step_inner(
        &mut self,
        step: StepId,
        at: Option<Duration>,
        latency: Duration,
        outcome: Outcome<'_>,
    ) {
        let not_sent = matches!(outcome, Outcome::NotSent(_));
        let latency = (!not_sent).then_some(latency);
        if step.0 >= self.steps.len() {
            return;
        }
        self.steps[step.0].record(latency, outcome);
        if not_sent {
            self.run.record(None, outcome);
        }
        if let (Some(at), Some(latency)) = (at, latency) {
            self.interval_mut(at).steps[step.0].record(latency);
        }
    }

    /// One iteration of a flow whose latency (the sum of its steps' latencies) is also its
    /// duration: [`Recorder::record_iteration_timed`] without think time.
    pub fn record_iteration(&mut self, flow: usize, latency: Duration, outcome: Outcome<'_>) {
        self.record_iteration_timed(flow, Some(latency), Some(latency), outcome);
    }

    /// One iteration of a flow: `latency` is the sum of its steps' latencies (think time left
    /// out), `duration` the time from its intended start to its end (think time in); both
    /// `None` for an iteration interrupted before it started.
    pub fn record_iteration_timed(
        &mut self,
        flow: usize,
        latency: Option<Duration>,
        duration: Option<Duration>,
        outcome: Outcome<'_>,
    ) {
        if let Some(scope) = self.flows.get_mut(flow) {
            scope.record(latency, outcome);
            if let (Some(histogram), Some(duration)) = (scope.duration.as_mut(), duration) {
                record_micros(histogram, duration);
            }
        }
    }

    /// Keeps `message` (token-like words redacted) as the sample of failure `kind` at the run,
    /// the step's flow and the step, unless one is kept already.
    pub fn record_sample(&mut self, step: StepId, kind: &str, message: &str) {
        self.run.sample(kind, message);
        if let Some((flow, _)) = self.layout.steps.get(step.0) {
            if let Some(scope) = self.flows.get_mut(*flow) {
                scope.sample(kind, message);
            }
            self.steps[step.0].sample(kind, message);
        }
    }

    /// Adds `other`'s measurements to this recorder (same layout required). Lossless: the
    /// result equals one recorder fed both sample sets.
    pub fn merge(&mut self, other: &Recorder) -> Result<(), MetricsError> {
        if self.layout != other.layout {
            return Err(MetricsError::LayoutMismatch);
        }
        self.run.merge(&other.run);
        for (a, b) in self.flows.iter_mut().zip(&other.flows) {
            a.merge(b);
        }
        for (a, b) in self.steps.iter_mut().zip(&other.steps) {
            a.merge(b);
        }
        for (a, b) in self.categories.iter_mut().zip(&other.categories) {
            a.merge(b);
        }
        self.uncategorised += other.uncategorised;
        if self.timeline.len() < other.timeline.len() {
            let width = self.layout.categories.len();
            self.timeline.resize(
                other.timeline.len(),
                SecondBucket {
                    requests: 0,
                    errors: 0,
                    throttles: 0,
                    categories: vec![0; width],
                    challenges: vec![0; width],
                },
            );
        }
        for (a, b) in self.timeline.iter_mut().zip(&other.timeline) {
            a.requests += b.requests;
            a.errors += b.errors;
            a.throttles += b.throttles;
            for (x, y) in a.categories.iter_mut().zip(&b.categories) {
                *x += y;
            }
            for (x, y) in a.challenges.iter_mut().zip(&b.challenges) {
                *x += y;
            }
        }
        if self.latency_timeline.len() < other.latency_timeline.len() {
            let fresh = IntervalLatency::new(self.layout.steps.len(), self.layout.categories.len());
            self.latency_timeline
                .resize(other.latency_timeline.len(), fresh);
        }
        for (a, b) in self
            .latency_timeline
            .iter_mut()
            .zip(&other.latency_timeline)
        {
            a.add(b);
        }
        Ok(())
    }

    /// A copy of the scopes' counts and histograms without the timelines (cheap, for a live
    /// scrape that holds the recorder's lock only while copying).
    pub fn scopes_only(&self) -> Recorder {
        Recorder {
            layout: self.layout.clone(),
            run: self.run.clone(),
            flows: self.flows.clone(),
            steps: self.steps.clone(),
            categories: self.categories.clone(),
            uncategorised: self.uncategorised,
            timeline: Vec::new(),
            latency_timeline: Vec::new(),
        }
    }

    /// Hands over what was recorded so far and starts afresh (for periodic snapshots).
    pub fn take(&mut self) -> Recorder {
        let fresh = Recorder::new(self.layout.clone());
        std::mem::replace(self, fresh)
    }
}
