//! One execution of one step: run, with a panic caught and a cancellation before its request
//! went out counted, then recorded as one execution of the step. An iteration runs each step
//! through it once, a `burst` (`burst.rs`) N times at once.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use tokio::sync::watch;

use super::shared::{Failure, Shared, outcome_of, wait_true};
use super::steps::{IterationState, run_step};
use crate::metrics::StepId;
use crate::scenario::model::Step;

/// Where one execution of a step stands: its flow and place, the iteration's number, when it
/// is due, the VU running it and its metrics id.
pub(super) struct StepAt {
    pub(super) flow_index: usize,
    pub(super) index: usize,
    pub(super) n: u64,
    pub(super) due: Instant,
    pub(super) vu: usize,
    pub(super) step_id: StepId,
}

/// Runs one execution of `step` on `state` and records it as one execution of the step (its
/// latency from `at.due`). A panic in the step is caught and counted (not sent `panic`, its
/// message kept as a sample); a cancellation before the step sent its request counts it not
/// sent `interrupted`.
pub(super) async fn execute_step(
    shared: &Shared,
    step: &Step,
    at: &StepAt,
    state: &mut IterationState,
    cancel: &watch::Receiver<bool>,
) -> (Result<(), Failure>, Duration) {
    let step_id = at.step_id;
    let body = AssertUnwindSafe(run_step(
        shared,
        at.flow_index,
        step,
        at.index,
        at.n,
        state,
        at.due,
        at.vu,
        cancel,
        step_id,
    ))
    .catch_unwind();
    let mut cancel_rx = cancel.clone();
    // Biased: the step sees the cancellation first and records its request.
    let outcome = tokio::select! {
        biased;
        ended = body => ended.unwrap_or_else(|panic| {
            let message = panic_message(&*panic);
            shared.record(at.vu, |r| r.record_sample(step_id, "panic", &message));
            Err(Failure::NotSent("panic".into()))
        }),
        // The step had not sent its request (it records its own when one is in flight): the
        // execution ends not sent, of kind `interrupted`, so the run scope, which counts
        // requests, still counts it once.
        _ = wait_true(&mut cancel_rx) => Err(Failure::NotSent(super::shared::INTERRUPTED.into())),
    };
    let latency = at.due.elapsed();
    let offset = at.due.saturating_duration_since(shared.start);
    shared.record(at.vu, |r| {
        r.record_step_at(step_id, offset, latency, outcome_of(&outcome))
    });
    (outcome, latency)
}

/// The message a panic carried (`panic!` with a literal or a formatted string), else a
/// placeholder.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic without a message".to_string()
    }
}
