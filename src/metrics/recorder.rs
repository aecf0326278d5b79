//! Per-worker recorders: plain owned data, updated without synchronisation, merged losslessly.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

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
    /// No answer: `timeout`, `connect`, `tls`, `io`, ...
    Transport(&'a str),
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
        }
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

/// Latency and outcome counts of one scope.
#[derive(Debug, Clone)]
pub(crate) struct ScopeRecorder {
    pub(crate) latency: Histogram<u64>,
    pub(crate) ok: u64,
    pub(crate) errors: BTreeMap<String, u64>,
    pub(crate) throttled: u64,
    pub(crate) transport: BTreeMap<String, u64>,
}

impl ScopeRecorder {
    fn new() -> Self {
        Self {
            latency: super::new_histogram(),
            ok: 0,
            errors: BTreeMap::new(),
            throttled: 0,
            transport: BTreeMap::new(),
        }
    }

    fn record(&mut self, latency: Duration, outcome: Outcome<'_>) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency
            .saturating_record(micros.clamp(super::LATENCY_LOW_US, super::LATENCY_HIGH_US));
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Error(kind) => bump(&mut self.errors, kind),
            Outcome::Throttled => self.throttled += 1,
            Outcome::Transport(kind) => bump(&mut self.transport, kind),
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.latency.len()
    }

    fn merge(&mut self, other: &ScopeRecorder) {
        // Same bounds on both sides, so addition cannot fail; saturate rather than panic.
        if self.latency.add(&other.latency).is_err() {
            for v in other.latency.iter_recorded() {
                self.latency
                    .saturating_record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
        self.ok += other.ok;
        self.throttled += other.throttled;
        for (kind, n) in &other.errors {
            *self.errors.entry(kind.clone()).or_default() += n;
        }
        for (kind, n) in &other.transport {
            *self.transport.entry(kind.clone()).or_default() += n;
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
}

impl Recorder {
    pub fn new(layout: Layout) -> Self {
        Self {
            run: ScopeRecorder::new(),
            flows: layout.flows.iter().map(|_| ScopeRecorder::new()).collect(),
            steps: layout.steps.iter().map(|_| ScopeRecorder::new()).collect(),
            categories: layout
                .categories
                .iter()
                .map(|_| ScopeRecorder::new())
                .collect(),
            uncategorised: 0,
            timeline: Vec::new(),
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
        self.run.record(latency, outcome);
        let category_index = category.and_then(|c| self.layout.category_index(c));
        match category_index {
            Some(i) => self.categories[i].record(latency, outcome),
            None => self.uncategorised += 1,
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
        match outcome {
            Outcome::Ok => {}
            Outcome::Throttled => {
                bucket.errors += 1;
                bucket.throttles += 1;
            }
            Outcome::Error(_) | Outcome::Transport(_) => bucket.errors += 1,
        }
        if let Some(i) = category_index {
            bucket.categories[i] += 1;
            if challenge {
                bucket.challenges[i] += 1;
            }
        }
    }

    /// One execution of a step (all its requests), timed from its intended start.
    pub fn record_step(&mut self, step: StepId, latency: Duration, outcome: Outcome<'_>) {
        if let Some(scope) = self.steps.get_mut(step.0) {
            scope.record(latency, outcome);
        }
    }

    /// One iteration of a flow, timed from its intended start; `Ok` when every step was.
    pub fn record_iteration(&mut self, flow: usize, latency: Duration, outcome: Outcome<'_>) {
        if let Some(scope) = self.flows.get_mut(flow) {
            scope.record(latency, outcome);
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
        Ok(())
    }

    /// Hands over what was recorded so far and starts afresh (for periodic snapshots).
    pub fn take(&mut self) -> Recorder {
        let fresh = Recorder::new(self.layout.clone());
        std::mem::replace(self, fresh)
    }
}
