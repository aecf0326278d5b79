//! What only the whole file shows about users and load: enough users for the flows that need
//! them, clean-up of created users, and rates the executor may not deliver (warnings).

use std::time::Duration;

use serde_saphyr::Spanned;

use super::checker::{Checker, Pos, TOP, pos};
use crate::scenario::doc::{FlowDoc, ScenarioDoc};
use crate::scenario::duration::format_duration;
use crate::scenario::model::*;
use crate::scenario::schedule;
use crate::yaml::DiagnosticKind;

/// Latency assumed per request where validation must guess how long an iteration takes.
pub const ASSUMED_LATENCY: Duration = Duration::from_millis(100);

/// Seconds one iteration of `flow` takes, with [`ASSUMED_LATENCY`] per request.
pub fn iteration_seconds(flow: &Flow, latency: Duration) -> f64 {
    flow.steps
        .iter()
        .map(|s| {
            s.kind.operations().len() as f64 * latency.as_secs_f64() + s.think.mean().as_secs_f64()
        })
        .sum::<f64>()
        .max(latency.as_secs_f64() / 10.0)
}

fn flow_doc<'d>(doc: &'d ScenarioDoc, name: &str) -> Option<&'d Spanned<FlowDoc>> {
    doc.flows
        .value
        .0
        .iter()
        .find(|(n, _)| n.value == name)
        .map(|(_, f)| f)
}

/// Expected iterations of each flow, for arrival-rate loads (exact), else `None`.
fn expected_iterations(flow: &Flow, flows: &[Flow], shared: Option<&Load>) -> Option<f64> {
    match &flow.load {
        FlowLoad::Own(load) => schedule::arrival_profile(load).map(|p| p.integral()),
        FlowLoad::Shared { weight } => {
            let total: u32 = flows
                .iter()
                .map(|f| match f.load {
                    FlowLoad::Shared { weight } => weight,
                    FlowLoad::Own(_) => 0,
                })
                .sum();
            let profile = schedule::arrival_profile(shared?)?;
            Some(profile.integral() * f64::from(*weight) / f64::from(total.max(1)))
        }
    }
}

pub(super) fn check_users(
    c: &mut Checker<'_>,
    doc: &ScenarioDoc,
    flows: &[Flow],
    setup: Option<&Setup>,
    shared: Option<&Load>,
) {
    let Some(setup) = setup else { return };
    let pool = setup.users.count();
    for flow in flows {
        let Some(fdoc) = flow_doc(doc, &flow.name) else {
            continue;
        };
        let key = format!("flows.{}", flow.name);
        if flow.draws_pool_user() && pool == 0 {
            let (index, step) = flow
                .steps
                .iter()
                .enumerate()
                .find(|(_, s)| s.kind.needs_user())
                .map(|(i, s)| (i, s.kind.name()))
                .unwrap_or((0, ""));
            let at = fdoc
                .value
                .steps
                .value
                .get(index)
                .map(pos)
                .unwrap_or(pos(fdoc));
            c.error(
                at,
                &format!("{key}.steps[{index}].{step}"),
                DiagnosticKind::UnknownReference,
                "acts as an existing user, and the scenario has none",
                Some(
                    "add `setup: { users: 100 }` (or a `csv`), or start the flow with sign_up"
                        .to_string(),
                ),
            );
        }
        if flow.users == UserSelection::Unique && flow.draws_pool_user() && pool > 0 {
            let at = fdoc.value.users.as_ref().map(pos).unwrap_or(pos(fdoc));
            match expected_iterations(flow, flows, shared) {
                Some(n) if n.ceil() > pool as f64 => c.error(
                    at,
                    &format!("{key}.users"),
                    DiagnosticKind::Conflict,
                    format!(
                        "`unique` takes a fresh user per iteration: the load starts {} iterations and setup provides {pool} users",
                        n.ceil()
                    ),
                    Some("raise setup.users, or use `sequential`".to_string()),
                ),
                Some(_) => {}
                None => c.warn(
                    at,
                    &format!("{key}.users"),
                    DiagnosticKind::Capacity,
                    format!("`unique` takes a fresh user per iteration, and a VU executor's iteration count depends on latency; iterations fail once the {pool} users run out"),
                    None,
                ),
            }
        }
    }
}

pub(super) fn check_cleanup(
    c: &mut Checker<'_>,
    doc: &ScenarioDoc,
    setup: &Setup,
    target: &Target,
    flows: &[Flow],
) {
    if setup.keep || target.capabilities().admin {
        return;
    }
    let provisions = matches!(setup.users, UserSource::Provision { count, .. } if count > 0);
    let creator = flows.iter().find(|f| f.creates_users());
    if !provisions && creator.is_none() {
        return;
    }
    let (at, what) = match (&doc.setup, creator) {
        (Some(s), _) if provisions => (pos(s), "provisioned users".to_string()),
        (_, Some(flow)) => (
            flow_doc(doc, &flow.name).map(pos).unwrap_or(TOP),
            format!("users that flow `{}` signs up", flow.name),
        ),
        _ => (TOP, "created users".to_string()),
    };
    c.error(
        at,
        "setup.keep",
        DiagnosticKind::Unsupported,
        format!("the run deletes the {what} afterwards (AdminDeleteUser), which needs admin credentials, and the target has `admin: none`"),
        Some("set `admin: aws` (or `admin: env`) on the target, or `setup: { keep: true }` to leave them".to_string()),
    );
}

pub(super) fn check_capacity(
    c: &mut Checker<'_>,
    doc: &ScenarioDoc,
    flows: &[Flow],
    shared: Option<&Load>,
) {
    let check = |c: &mut Checker<'_>, load: &Load, seconds: f64, key: &str, at: Pos| {
        let Some(profile) = schedule::arrival_profile(load) else {
            return;
        };
        let max_vus = match load.executor {
            Executor::ConstantArrivalRate { max_vus, .. }
            | Executor::RampingArrivalRate { max_vus, .. } => max_vus,
            _ => return,
        };
        // Shave float noise (100 x 0.3 s is 30.000000000000004) before rounding up.
        let needed = (profile.peak() * seconds - 1e-9).ceil();
        if needed > f64::from(max_vus) {
            c.warn(
                at,
                &format!("{key}.max_vus"),
                DiagnosticKind::Capacity,
                format!(
                    "at its peak of {:.1} iterations/s, iterations of ~{} (assuming {} per request) need ~{needed} VUs, more than max_vus {max_vus}; iterations beyond it are dropped and counted",
                    profile.peak(),
                    format_duration(Duration::from_secs_f64(seconds.min(1e9))),
                    format_duration(ASSUMED_LATENCY),
                ),
                Some(format!("raise max_vus to {needed} or more")),
            );
        }
    };
    for flow in flows {
        if let FlowLoad::Own(load) = &flow.load {
            let key = format!("flows.{}.load", flow.name);
            let at = flow_doc(doc, &flow.name)
                .and_then(|f| f.value.load.as_ref())
                .map(pos)
                .unwrap_or(TOP);
            check(c, load, iteration_seconds(flow, ASSUMED_LATENCY), &key, at);
        }
    }
    if let Some(load) = shared {
        let weights: f64 = flows
            .iter()
            .map(|f| match f.load {
                FlowLoad::Shared { weight } => f64::from(weight),
                FlowLoad::Own(_) => 0.0,
            })
            .sum();
        let mean: f64 = flows
            .iter()
            .map(|f| match f.load {
                FlowLoad::Shared { weight } => {
                    f64::from(weight) * iteration_seconds(f, ASSUMED_LATENCY)
                }
                FlowLoad::Own(_) => 0.0,
            })
            .sum::<f64>()
            / weights.max(1.0);
        let at = doc.load.as_ref().map(pos).unwrap_or(TOP);
        check(c, load, mean, "load", at);
    }
}
