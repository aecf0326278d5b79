//! `plan`: what a scenario would ask of a user pool, per quota category, without sending a
//! request.
//!
//! Each flow's iteration rate over time comes from its load: exact for arrival-rate executors;
//! for VU executors it depends on latency, so the plan assumes a latency per request
//! ([`PlanOptions::assumed_latency`]) and says so. Each step's operations follow its iteration
//! start by the time the earlier requests (at the assumed latency) and think times take. The
//! operations map to the guide's categories ([`crate::quota::category_of`]); the
//! RespondToAuthChallenge rule applies (challenge responses beyond three times the
//! UserAuthentication quota count towards it). Per category the plan shows peak and average
//! demand, the quota, utilisation at the peak and by how much the peak would be throttled.
//! Setup (provisioning) and clean-up are planned as phases of their own.
//!
//! All rate functions are piecewise linear, so peaks are found exactly at segment boundaries
//! and averages by exact integration. Demand is summed across flows and operations at the same
//! instant: the peak is the peak of the sum, not the sum of the peaks.
//!
//! The per-user rule ("10 reads and 10 writes per second per user") is checked two ways: the
//! densest second of one iteration (requests at the assumed latency), and the pool's average
//! when flows share setup users.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::quota::{self, CategoryDemand, QuotaCategory, Quotas, UserAccess};
pub use crate::quota::{QuotaSource, parse_quota_override};
use crate::scenario::duration::format_duration;
use crate::scenario::model::{
    CLEANUP_OPERATION, Flow, FlowLoad, Scenario, UserSelection, UserSource,
};
use crate::scenario::schedule::{self, Profile};
use crate::scenario::validate::iteration_seconds;

/// Bumped on any incompatible change to the JSON form of [`Plan`] (2: `quota_source` is
/// `default`, `scenario` or `flag`; it was `default` or `override`).
pub const PLAN_SCHEMA_VERSION: u32 = 2;

/// The default latency assumed per request where timing matters (the same guess validation
/// uses for its capacity warnings).
pub const DEFAULT_ASSUMED_LATENCY: Duration = crate::scenario::validate::ASSUMED_LATENCY;

/// Knobs for [`plan`].
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Quotas given with `--quota` (they override the scenario's `quotas:` block, which
    /// overrides the guide's defaults). Default: none.
    pub quotas: Quotas,
    /// Latency per request for VU executors' iteration rates and for step offsets.
    /// Default: [`DEFAULT_ASSUMED_LATENCY`].
    pub assumed_latency: Duration,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            quotas: Quotas::default(),
            assumed_latency: DEFAULT_ASSUMED_LATENCY,
        }
    }
}

/// How a flow's rate was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateBasis {
    /// From an arrival-rate executor: exact.
    Exact,
    /// From a VU executor at the assumed latency: an estimate.
    AssumedLatency,
}

/// Demand for one operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationDemand {
    pub operation: String,
    pub category: Option<QuotaCategory>,
    pub peak_rps: f64,
    pub avg_rps: f64,
}

/// One flow's iterations and the operations they send.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowPlan {
    pub name: String,
    pub executor: &'static str,
    pub basis: RateBasis,
    pub peak_iterations_per_s: f64,
    pub avg_iterations_per_s: f64,
    /// Iterations over the whole run.
    pub iterations: f64,
    pub operations: Vec<OperationDemand>,
}

/// The RespondToAuthChallenge allowance of the UserAuthentication category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallengeAllowance {
    /// Peak RespondToAuthChallenge + AdminRespondToAuthChallenge rate.
    pub respond_peak_rps: f64,
    /// Three times the category quota.
    pub allowance_rps: f64,
    /// The part of the peak beyond the allowance, which counts towards the category.
    pub excess_peak_rps: f64,
}

/// Demand against one category's quota.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryPlan {
    pub category: QuotaCategory,
    /// Peak demand counted against the quota (after the RespondToAuthChallenge rule).
    pub peak_rps: f64,
    pub avg_rps: f64,
    pub quota_rps: f64,
    pub quota_source: QuotaSource,
    /// Peak demand as a percentage of the quota.
    pub utilisation_pct: f64,
    /// How far the peak exceeds the quota (0 when it fits).
    pub throttled_rps: f64,
    pub would_throttle: bool,
    /// Footnote 1 of the guide's table: each operation of the category is limited to this rate
    /// per user pool.
    pub per_pool_operation_rps: Option<u32>,
    pub operations: Vec<OperationDemand>,
    pub challenge: Option<ChallengeAllowance>,
}

/// Provisioning before, or clean-up after, the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhasePlan {
    pub users: f64,
    /// Users per second.
    pub rate: f64,
    pub seconds: f64,
    pub categories: Vec<CategoryPlan>,
}

/// The busiest a single user gets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerUserPlan {
    /// What was measured: `flow NAME` (one iteration's densest second) or `pool`.
    pub scope: String,
    pub reads_per_s: f64,
    pub writes_per_s: f64,
    pub over_limit: bool,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub schema_version: u32,
    pub scenario: String,
    pub assumed_latency_ms: f64,
    /// From the start to the end of the last executor (graceful stops excluded).
    pub run_seconds: f64,
    pub flows: Vec<FlowPlan>,
    /// Categories the run's operations touch, in the guide's order.
    pub categories: Vec<CategoryPlan>,
    /// Operations with no row in the guide's table.
    pub uncategorised: Vec<OperationDemand>,
    pub setup: Option<PhasePlan>,
    pub cleanup: Option<PhasePlan>,
    pub per_user_limit: PerUserLimit,
    pub per_user: Vec<PerUserPlan>,
    pub would_throttle: bool,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerUserLimit {
    pub reads_per_s: u32,
    pub writes_per_s: u32,
}

/// One operation's demand over time.
struct Demand {
    operation: &'static str,
    profile: Profile,
}

/// Each flow's iteration rate over time (iterations per second), and its basis.
fn iteration_profiles(scenario: &Scenario, latency: Duration) -> Vec<(Profile, RateBasis)> {
    let weights: f64 = scenario
        .flows
        .iter()
        .map(|f| match f.load {
            FlowLoad::Shared { weight } => f64::from(weight),
            FlowLoad::Own(_) => 0.0,
        })
        .sum();
    let mean_shared_iteration = scenario
        .flows
        .iter()
        .map(|f| match f.load {
            FlowLoad::Shared { weight } => f64::from(weight) * iteration_seconds(f, latency),
            FlowLoad::Own(_) => 0.0,
        })
        .sum::<f64>()
        / weights.max(1.0);
    scenario
        .flows
        .iter()
        .map(|flow| match &flow.load {
            FlowLoad::Own(load) => match schedule::arrival_profile(load) {
                Some(p) => (p, RateBasis::Exact),
                None => {
                    let vus = schedule::vu_profile(load).unwrap_or_default();
                    (
                        vus.scaled(1.0 / iteration_seconds(flow, latency)),
                        RateBasis::AssumedLatency,
                    )
                }
            },
            FlowLoad::Shared { weight } => {
                let share = f64::from(*weight) / weights.max(1.0);
                let Some(load) = &scenario.shared_load else {
                    return (Profile::default(), RateBasis::Exact);
                };
                match schedule::arrival_profile(load) {
                    Some(p) => (p.scaled(share), RateBasis::Exact),
                    None => {
                        let vus = schedule::vu_profile(load).unwrap_or_default();
                        (
                            vus.scaled(share / mean_shared_iteration.max(f64::MIN_POSITIVE)),
                            RateBasis::AssumedLatency,
                        )
                    }
                }
            }
        })
        .collect()
}

/// `(operation, offset from iteration start in seconds)` for every request of one iteration.
fn request_offsets(flow: &Flow, latency: Duration) -> Vec<(&'static str, f64)> {
    let latency = latency.as_secs_f64();
    let mut t = 0.0;
    let mut out = Vec::new();
    for step in &flow.steps {
        for op in step.kind.operations() {
            // A burst's copies are sent together: N requests at one offset.
            out.extend(std::iter::repeat_n((*op, t), step.burst as usize));
            t += latency;
        }
        t += step.think.mean().as_secs_f64();
    }
    out
}

/// Sorted, de-duplicated breakpoints of all profiles.
fn breakpoints<'a>(profiles: impl IntoIterator<Item = &'a Profile>) -> Vec<f64> {
    let mut points: Vec<f64> = profiles.into_iter().flat_map(|p| p.breakpoints()).collect();
    points.sort_by(f64::total_cmp);
    points.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    points
}

fn sum_at(profiles: &[&Profile], t: f64, before: bool) -> f64 {
    profiles
        .iter()
        .map(|p| if before { p.before(t) } else { p.at(t) })
        .sum()
}

/// Peak and integral of the usage counted against `category`'s quota of `quota_rps`
/// ([`quota::counted_usage`]) when `base` are its requests other than challenge responses and
/// `extra` its challenge responses. Both parts are piecewise linear between the breakpoints, so
/// the peak is at one of them; the integral is exact (the counted part of the challenge
/// responses, `max(0, extra - allowance)`, is integrated piece by piece).
fn peak_and_integral(
    base: &[&Profile],
    extra: &[&Profile],
    category: QuotaCategory,
    quota_rps: f64,
) -> (f64, f64) {
    let points = breakpoints(base.iter().chain(extra.iter()).copied());
    let value = |t: f64, before: bool| {
        let demand = CategoryDemand {
            requests: sum_at(base, t, before),
            challenge_responses: sum_at(extra, t, before),
        };
        quota::counted_usage(category, demand, quota_rps)
    };
    let allowance = if category == QuotaCategory::UserAuthentication {
        quota::challenge_allowance(quota_rps)
    } else {
        0.0
    };
    let mut peak: f64 = 0.0;
    for &t in &points {
        peak = peak.max(value(t, true)).max(value(t, false));
    }
    let mut integral = 0.0;
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let width = b - a;
        integral += (sum_at(base, a, false) + sum_at(base, b, true)) / 2.0 * width;
        if !extra.is_empty() {
            let ga = sum_at(extra, a, false) - allowance;
            let gb = sum_at(extra, b, true) - allowance;
            integral += positive_part_integral(ga, gb, width);
        }
    }
    (peak, integral)
}

/// Peak and integral of a plain sum of rates (one operation's demand, or a flow's iterations).
fn sum_peak_and_integral(profiles: &[&Profile]) -> (f64, f64) {
    // With no challenge responses apart, every category counts every request.
    peak_and_integral(profiles, &[], QuotaCategory::UserCreation, 0.0)
}

/// The integral over `width` of `max(0, g)` for `g` linear from `ga` to `gb`.
fn positive_part_integral(ga: f64, gb: f64, width: f64) -> f64 {
    if ga >= 0.0 && gb >= 0.0 {
        (ga + gb) / 2.0 * width
    } else if ga <= 0.0 && gb <= 0.0 {
        0.0
    } else {
        let (pos, neg) = if ga > 0.0 { (ga, gb) } else { (gb, ga) };
        let fraction = pos / (pos - neg);
        pos / 2.0 * fraction * width
    }
}

fn category_plan(
    category: QuotaCategory,
    demands: &[&Demand],
    seconds: f64,
    options: &PlanOptions,
) -> CategoryPlan {
    let (quota_rps, quota_source) = options.quotas.in_force(category);
    let (respond, others): (Vec<&&Demand>, Vec<&&Demand>) = demands
        .iter()
        .partition(|d| quota::is_respond_to_auth_challenge(d.operation));
    let base: Vec<&Profile> = others.iter().map(|d| &d.profile).collect();
    let extra: Vec<&Profile> = respond.iter().map(|d| &d.profile).collect();
    let allowance = quota::challenge_allowance(quota_rps);
    let (peak_rps, integral) = peak_and_integral(&base, &extra, category, quota_rps);
    let challenge = (!extra.is_empty()).then(|| {
        let (respond_peak, _) = sum_peak_and_integral(&extra);
        ChallengeAllowance {
            respond_peak_rps: respond_peak,
            allowance_rps: allowance,
            excess_peak_rps: (respond_peak - allowance).max(0.0),
        }
    });
    let mut by_operation: BTreeMap<&str, Vec<&Profile>> = BTreeMap::new();
    for d in demands {
        by_operation
            .entry(d.operation)
            .or_default()
            .push(&d.profile);
    }
    let operations = by_operation
        .into_iter()
        .map(|(operation, profiles)| {
            let (peak, integral) = sum_peak_and_integral(&profiles);
            OperationDemand {
                operation: operation.to_string(),
                category: Some(category),
                peak_rps: peak,
                avg_rps: average(integral, seconds),
            }
        })
        .collect();
    let throttled_rps = (peak_rps - quota_rps).max(0.0);
    CategoryPlan {
        category,
        peak_rps,
        avg_rps: average(integral, seconds),
        quota_rps,
        quota_source,
        utilisation_pct: if quota_rps > 0.0 {
            peak_rps / quota_rps * 100.0
        } else {
            f64::INFINITY
        },
        throttled_rps,
        // A hair of tolerance so that demand exactly at the quota is not called over it.
        would_throttle: throttled_rps > 1e-9,
        per_pool_operation_rps: category.quota().per_pool_operation_rps,
        operations,
        challenge,
    }
}

fn average(integral: f64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        integral / seconds
    } else {
        0.0
    }
}

fn categories_of(demands: &[Demand], seconds: f64, options: &PlanOptions) -> Vec<CategoryPlan> {
    QuotaCategory::all()
        .filter_map(|category| {
            let in_category: Vec<&Demand> = demands
                .iter()
                .filter(|d| quota::category_of(d.operation) == Some(category))
                .collect();
            (!in_category.is_empty())
                .then(|| category_plan(category, &in_category, seconds, options))
        })
        .collect()
}

/// A phase that runs `operations` once per user, `users` users at `rate` per second.
fn phase(users: f64, rate: f64, operations: &[&'static str], options: &PlanOptions) -> PhasePlan {
    let seconds = users / rate;
    let demands: Vec<Demand> = operations
        .iter()
        .map(|op| Demand {
            operation: op,
            profile: Profile::constant(rate, 0.0, seconds),
        })
        .collect();
    PhasePlan {
        users,
        rate,
        seconds,
        categories: categories_of(&demands, seconds, options),
    }
}

/// The most requests of one access kind that fall in any one-second window of `offsets`.
fn densest_second(offsets: &[f64]) -> usize {
    let mut best = 0;
    let mut start = 0;
    for end in 0..offsets.len() {
        while offsets[end] - offsets[start] >= 1.0 - 1e-12 {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

/// Computes the plan of a validated scenario.
pub fn plan(scenario: &Scenario, options: &PlanOptions) -> Plan {
    let options = &PlanOptions {
        quotas: scenario.quotas.overlaid(&options.quotas),
        assumed_latency: options.assumed_latency,
    };
    let latency = options.assumed_latency;
    let rates = iteration_profiles(scenario, latency);
    let mut demands: Vec<Demand> = Vec::new();
    let mut flows = Vec::new();
    let mut run_seconds: f64 = 0.0;
    for flow in &scenario.flows {
        if let FlowLoad::Own(load) = &flow.load {
            run_seconds =
                run_seconds.max((load.start_time + load.executor.duration()).as_secs_f64());
        }
    }
    if let Some(load) = &scenario.shared_load {
        run_seconds = run_seconds.max((load.start_time + load.executor.duration()).as_secs_f64());
    }
    for (flow, (rate, basis)) in scenario.flows.iter().zip(&rates) {
        let first = demands.len();
        for (operation, offset) in request_offsets(flow, latency) {
            demands.push(Demand {
                operation,
                profile: rate.shifted(offset),
            });
        }
        let mut operations: BTreeMap<&str, Vec<&Profile>> = BTreeMap::new();
        for d in &demands[first..] {
            operations.entry(d.operation).or_default().push(&d.profile);
        }
        let executor = match &flow.load {
            FlowLoad::Own(load) => load.executor.name(),
            FlowLoad::Shared { .. } => scenario
                .shared_load
                .as_ref()
                .map_or("shared", |l| l.executor.name()),
        };
        flows.push(FlowPlan {
            name: flow.name.clone(),
            executor,
            basis: *basis,
            peak_iterations_per_s: rate.peak(),
            avg_iterations_per_s: average(rate.integral(), run_seconds),
            iterations: rate.integral(),
            operations: operations
                .into_iter()
                .map(|(operation, profiles)| {
                    let (peak, integral) = sum_peak_and_integral(&profiles);
                    OperationDemand {
                        operation: operation.to_string(),
                        category: quota::category_of(operation),
                        peak_rps: peak,
                        avg_rps: average(integral, run_seconds),
                    }
                })
                .collect(),
        });
    }
    let categories = categories_of(&demands, run_seconds, options);
    let mut uncategorised: BTreeMap<&str, Vec<&Profile>> = BTreeMap::new();
    for d in demands
        .iter()
        .filter(|d| quota::category_of(d.operation).is_none())
    {
        uncategorised
            .entry(d.operation)
            .or_default()
            .push(&d.profile);
    }
    let uncategorised: Vec<OperationDemand> = uncategorised
        .into_iter()
        .map(|(operation, profiles)| {
            let (peak, integral) = sum_peak_and_integral(&profiles);
            OperationDemand {
                operation: operation.to_string(),
                category: None,
                peak_rps: peak,
                avg_rps: average(integral, run_seconds),
            }
        })
        .collect();

    let setup_rate = scenario.setup.rate;
    let setup = match &scenario.setup.users {
        UserSource::Provision { count, method } if *count > 0 => Some(phase(
            *count as f64,
            setup_rate,
            &scenario.setup.operations_per_user(*method),
            options,
        )),
        _ => None,
    };
    let created: f64 = scenario
        .flows
        .iter()
        .zip(&rates)
        .filter(|(f, _)| f.creates_users())
        .map(|(_, (rate, _))| rate.integral())
        .sum::<f64>()
        + match &scenario.setup.users {
            UserSource::Provision { count, .. } => *count as f64,
            _ => 0.0,
        };
    let cleanup = (!scenario.setup.keep && created > 0.0)
        .then(|| phase(created.ceil(), setup_rate, &[CLEANUP_OPERATION], options));

    let per_user = per_user_plan(scenario, &rates, latency);
    let mut notes = Vec::new();
    if rates.iter().any(|(_, b)| *b == RateBasis::AssumedLatency) {
        notes.push(format!(
            "VU executors' demand depends on latency: their rates assume {} per request (--assume-latency)",
            format_duration(latency)
        ));
    }
    if !uncategorised.is_empty() {
        notes.push(
            "operations without a row in the guide's category table are listed apart and counted against no quota".to_string(),
        );
    }
    if categories
        .iter()
        .any(|c| c.per_pool_operation_rps.is_some())
    {
        notes.push(format!(
            "categories marked with a per-pool limit also cap each operation at {} RPS per user pool",
            quota::PER_POOL_OPERATION_RPS
        ));
    }
    let would_throttle = categories
        .iter()
        .chain(setup.iter().flat_map(|p| &p.categories))
        .chain(cleanup.iter().flat_map(|p| &p.categories))
        .any(|c| c.would_throttle);
    Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        scenario: scenario.path.display().to_string(),
        assumed_latency_ms: latency.as_secs_f64() * 1000.0,
        run_seconds,
        flows,
        categories,
        uncategorised,
        setup,
        cleanup,
        per_user_limit: PerUserLimit {
            reads_per_s: quota::PER_USER_READS_PER_SECOND,
            writes_per_s: quota::PER_USER_WRITES_PER_SECOND,
        },
        per_user,
        would_throttle,
        notes,
    }
}

fn per_user_plan(
    scenario: &Scenario,
    rates: &[(Profile, RateBasis)],
    latency: Duration,
) -> Vec<PerUserPlan> {
    let reads_limit = f64::from(quota::PER_USER_READS_PER_SECOND);
    let writes_limit = f64::from(quota::PER_USER_WRITES_PER_SECOND);
    let mut out = Vec::new();
    let mut pool_reads = 0.0;
    let mut pool_writes = 0.0;
    for (flow, (rate, _)) in scenario.flows.iter().zip(rates) {
        let offsets = request_offsets(flow, latency);
        let of = |access: UserAccess| -> Vec<f64> {
            offsets
                .iter()
                .filter(|(op, _)| quota::user_access_of(op) == access)
                .map(|(_, t)| *t)
                .collect()
        };
        let (reads, writes) = (of(UserAccess::Read), of(UserAccess::Write));
        if reads.is_empty() && writes.is_empty() {
            continue;
        }
        let (r, w) = (
            densest_second(&reads) as f64,
            densest_second(&writes) as f64,
        );
        out.push(PerUserPlan {
            scope: format!("flow {}", flow.name),
            reads_per_s: r,
            writes_per_s: w,
            over_limit: r > reads_limit || w > writes_limit,
        });
        if flow.draws_pool_user() && flow.users != UserSelection::Unique {
            pool_reads += rate.peak() * reads.len() as f64;
            pool_writes += rate.peak() * writes.len() as f64;
        }
    }
    let pool = scenario.setup.users.count();
    if pool > 0 && (pool_reads > 0.0 || pool_writes > 0.0) {
        let (r, w) = (pool_reads / pool as f64, pool_writes / pool as f64);
        out.push(PerUserPlan {
            scope: format!("pool of {pool} users"),
            reads_per_s: r,
            writes_per_s: w,
            over_limit: r > reads_limit || w > writes_limit,
        });
    }
    out
}

fn rps(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn seconds_text(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "?".to_string();
    }
    format_duration(Duration::from_secs(seconds.round() as u64))
}

fn category_rows(out: &mut String, categories: &[CategoryPlan]) {
    let _ = writeln!(
        out,
        "  {:<34} {:>9} {:>9} {:>7} {:>6}  status",
        "category", "peak RPS", "avg RPS", "quota", "peak%"
    );
    for c in categories {
        let quota = match c.quota_source {
            QuotaSource::Default => format!("{}", c.quota_rps),
            QuotaSource::Scenario => format!("{}^", c.quota_rps),
            QuotaSource::Flag => format!("{}*", c.quota_rps),
        };
        let status = if c.would_throttle {
            format!("would throttle by {} RPS", rps(c.throttled_rps))
        } else {
            "ok".to_string()
        };
        let _ = writeln!(
            out,
            "  {:<34} {:>9} {:>9} {:>7} {:>5.0}%  {status}",
            c.category.name(),
            rps(c.peak_rps),
            rps(c.avg_rps),
            quota,
            c.utilisation_pct
        );
        for op in &c.operations {
            let _ = writeln!(
                out,
                "    {:<32} {:>9} {:>9}",
                op.operation,
                rps(op.peak_rps),
                rps(op.avg_rps)
            );
        }
        if let Some(ch) = &c.challenge {
            let verdict = if ch.excess_peak_rps > 0.0 {
                format!(
                    "{} RPS over it counts towards the category",
                    rps(ch.excess_peak_rps)
                )
            } else {
                "within it, so it adds nothing to the category".to_string()
            };
            let _ = writeln!(
                out,
                "    challenge responses peak at {} RPS against their {} RPS allowance (3 x quota): {verdict}",
                rps(ch.respond_peak_rps),
                rps(ch.allowance_rps)
            );
        }
    }
}

/// The plan as a plain-text table for a terminal.
pub fn render_text(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Plan for {}", plan.scenario);
    let _ = writeln!(out, "Run: {}", seconds_text(plan.run_seconds));
    let _ = writeln!(out);
    let _ = writeln!(out, "Flows");
    let _ = writeln!(
        out,
        "  {:<24} {:<22} {:>12} {:>12} {:>12}",
        "flow", "executor", "peak it/s", "avg it/s", "iterations"
    );
    for f in &plan.flows {
        let basis = match f.basis {
            RateBasis::Exact => "",
            RateBasis::AssumedLatency => " (est.)",
        };
        let _ = writeln!(
            out,
            "  {:<24} {:<22} {:>12} {:>12} {:>12.0}{basis}",
            f.name,
            f.executor,
            rps(f.peak_iterations_per_s),
            rps(f.avg_iterations_per_s),
            f.iterations
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Quota categories during the run");
    if plan.categories.is_empty() {
        let _ = writeln!(out, "  (no categorised operations)");
    } else {
        category_rows(&mut out, &plan.categories);
    }
    for op in &plan.uncategorised {
        let _ = writeln!(
            out,
            "  {:<34} {:>9} {:>9}  not in the guide's category table",
            op.operation,
            rps(op.peak_rps),
            rps(op.avg_rps)
        );
    }
    for (title, phase) in [("Setup", &plan.setup), ("Clean-up", &plan.cleanup)] {
        if let Some(p) = phase {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{title}: {:.0} users at {}/s ({})",
                p.users,
                rps(p.rate),
                seconds_text(p.seconds)
            );
            category_rows(&mut out, &p.categories);
        }
    }
    if !plan.per_user.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Per user (limit {} reads/s and {} writes/s per user)",
            plan.per_user_limit.reads_per_s, plan.per_user_limit.writes_per_s
        );
        for u in &plan.per_user {
            let status = if u.over_limit { "over the limit" } else { "ok" };
            let _ = writeln!(
                out,
                "  {:<32} {:>7} reads/s {:>7} writes/s  {status}",
                u.scope,
                rps(u.reads_per_s),
                rps(u.writes_per_s)
            );
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out);
        for note in &plan.notes {
            let _ = writeln!(out, "note: {note}");
        }
    }
    if plan
        .categories
        .iter()
        .any(|c| c.quota_source == QuotaSource::Flag)
    {
        let _ = writeln!(out, "note: * quota given with --quota");
    }
    if plan
        .categories
        .iter()
        .any(|c| c.quota_source == QuotaSource::Scenario)
    {
        let _ = writeln!(out, "note: ^ quota from the scenario's quotas: block");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        if plan.would_throttle {
            "Verdict: the peak exceeds at least one quota (see \"would throttle\")."
        } else {
            "Verdict: every category fits its quota."
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_part_integrates_the_triangle_above_zero() {
        assert_eq!(positive_part_integral(2.0, 2.0, 3.0), 6.0);
        assert_eq!(positive_part_integral(-1.0, -1.0, 3.0), 0.0);
        // From -2 to 2 over 4 s: a triangle of width 2 and height 2.
        assert_eq!(positive_part_integral(-2.0, 2.0, 4.0), 2.0);
        assert_eq!(positive_part_integral(2.0, -2.0, 4.0), 2.0);
    }

    #[test]
    fn densest_second_counts_requests_in_any_one_second_window() {
        assert_eq!(densest_second(&[]), 0);
        assert_eq!(densest_second(&[0.0, 0.1, 0.2, 1.5]), 3);
        assert_eq!(densest_second(&[0.0, 1.0, 2.0]), 1);
    }
}
