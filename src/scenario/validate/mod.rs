//! Checks a [`ScenarioDoc`] and builds the [`Scenario`] model, before any traffic.
//!
//! Validation collects every error rather than stopping at the first, each located and phrased
//! as `key: what is wrong; what to do`. Beyond types it checks what only the whole file shows:
//! executor options against the executor, captures against earlier steps, steps against the
//! target's capabilities, threshold scopes against the flows, steps and quota categories that
//! exist, stated quotas against the guide's categories, and users against the flows that need them.
//!
//! Rates that the executor may not deliver (an arrival rate whose iterations need more VUs than
//! `max_vus`, assuming [`ASSUMED_LATENCY`] per request) are warnings, not errors: the estimate
//! rests on a latency guess, and k6's answer (drop the iteration and count it) is a result
//! worth measuring.

mod burst;
mod capacity;
mod checker;
mod load;
mod quotas;
mod setup;
mod steps;
mod target;
mod thresholds;

pub use burst::MAX_BURST;
pub use capacity::{ASSUMED_LATENCY, iteration_seconds};
use capacity::{check_capacity, check_cleanup, check_users};
use checker::Checker;
pub(crate) use checker::Context;
use load::check_load;
use quotas::check_quotas;
use setup::check_setup;
pub use setup::parse_users_csv;
use steps::check_flows;
use target::check_target;
use thresholds::check_thresholds;

use super::doc::ScenarioDoc;
use super::model::{Scenario, Target, categories_of};
use crate::yaml::{Diagnostic, Diagnostics};

/// A scenario that passed validation, and the warnings it raised.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub warnings: Vec<Diagnostic>,
}

pub(crate) fn validate(doc: ScenarioDoc, ctx: &Context<'_>) -> Result<Loaded, Diagnostics> {
    let mut c = Checker {
        ctx,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let target = check_target(&mut c, doc.target.as_ref());
    let capabilities = target.as_ref().map(Target::capabilities);
    let setup = check_setup(&mut c, doc.setup.as_ref(), target.as_ref());
    let shared_load = doc
        .load
        .as_ref()
        .and_then(|l| check_load(&mut c, l, "load"));
    let flows = check_flows(
        &mut c,
        &doc.flows,
        doc.load.is_some(),
        capabilities,
        setup.as_ref(),
    );
    check_users(&mut c, &doc, &flows, setup.as_ref(), shared_load.as_ref());
    if let (Some(setup), Some(target)) = (&setup, &target) {
        check_cleanup(&mut c, &doc, setup, target, &flows);
    }
    check_capacity(&mut c, &doc, &flows, shared_load.as_ref());
    let categories = categories_of(&flows);
    let thresholds = doc
        .thresholds
        .as_ref()
        .map(|t| check_thresholds(&mut c, t, &flows, &categories))
        .unwrap_or_default();
    let quotas = doc
        .quotas
        .as_ref()
        .map(|q| check_quotas(&mut c, q))
        .unwrap_or_default();
    if !c.errors.is_empty() {
        return Err(Diagnostics(c.errors));
    }
    // Every part is `Some` when no error was reported; stay total anyway.
    let (Some(target), Some(setup)) = (target, setup) else {
        return Err(Diagnostics(c.errors));
    };
    Ok(Loaded {
        scenario: Scenario {
            path: ctx.path.clone(),
            description: doc.description,
            target,
            setup,
            shared_load,
            flows,
            thresholds,
            quotas,
        },
        warnings: c.warnings,
    })
}
