//! One iteration of a flow: its user, its steps in order, each step timed and recorded. The
//! steps themselves (one function per kind, and the tokens and codes handed from one step to the
//! next) are in `steps.rs`; what every VU shares and how a failure counts, in `shared.rs`.
//!
//! Timing (no coordinated omission): the first request of an iteration, its first step and the
//! iteration itself are timed from the iteration's *intended* start (the pacer's time, even when
//! every VU was busy and it started late); later steps from the end of the previous step's think
//! time; a step's second request (RespondToAuthChallenge after InitiateAuth) from when it was
//! sent, since it could not be sent before the first answer.
//!
//! Outcomes: a request that fails the way the step's `expect` says counts as ok; a
//! TooManyRequestsException (or any HTTP 429) is a throttle, not an error; a failure without an
//! answer counts by transport kind (`connect`, `timeout`, ...). An iteration stops at its first
//! failed step (later steps would lack its tokens) and takes that step's outcome.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::shared::outcome_of;
use super::steps::{IterationState, User, run_step};
use crate::metrics::StepId;

pub use super::shared::{Failure, FlowCounters, Shared, classify, matches_expected};

/// Runs one iteration of `flow_index`, intended to start at `intended`.
pub async fn run_iteration(shared: &Shared, flow_index: usize, intended: Instant, vu: usize) {
    let flow = &shared.scenario.flows[flow_index];
    let counters = &shared.counters[flow_index];
    counters.started.fetch_add(1, Ordering::Relaxed);
    let n = shared
        .segment
        .global_number(shared.iteration_numbers[flow_index].fetch_add(1, Ordering::Relaxed) + 1);
    let mut state = IterationState::new(flow.steps.len());
    let mut result: Result<(), Failure> = Ok(());
    if flow.draws_pool_user() {
        match shared.pick_user(flow_index, flow.users) {
            Some(u) => {
                state.user = Some(User {
                    username: u.username.clone(),
                    password: u.password(),
                    pooled: Some(u),
                })
            }
            None => result = Err(Failure::Error("no_user_left".into())),
        }
    }
    let mut step_due = intended;
    if result.is_ok() {
        for (index, step) in flow.steps.iter().enumerate() {
            let step_id = StepId(step_base(shared, flow_index) + index);
            let outcome =
                run_step(shared, flow_index, step, index, n, &mut state, step_due, vu).await;
            let latency = step_due.elapsed();
            shared.record(vu, |r| {
                r.record_step(step_id, latency, outcome_of(&outcome))
            });
            if outcome.is_err() {
                result = outcome;
                break;
            }
            if !step.think.is_zero() {
                tokio::time::sleep(step.think).await;
            }
            step_due = Instant::now();
        }
    }
    let latency = intended.elapsed();
    shared.record(vu, |r| {
        r.record_iteration(flow_index, latency, outcome_of(&result))
    });
    match result {
        Ok(()) => counters.ok.fetch_add(1, Ordering::Relaxed),
        Err(_) => counters.failed.fetch_add(1, Ordering::Relaxed),
    };
}

/// The [`StepId`] of a flow's first step (the layout lists steps flow by flow).
fn step_base(shared: &Shared, flow_index: usize) -> usize {
    shared.scenario.flows[..flow_index]
        .iter()
        .map(|f| f.steps.len())
        .sum()
}
