//! `burst: N`: one execution of a step sent as N identical concurrent requests, the retry
//! storm a client produces after a network blip.
//!
//! Accounting: each copy is one execution of the step, recorded once with its own latency from
//! the step's intended start and its own outcome (ok, failed by kind, throttled, interrupted), so
//! the step's counts, histograms and the quota category of its operation see N requests. The
//! copies start together from copies of the iteration's state; the iteration waits until every
//! copy has ended, then goes on with the state of the first copy to succeed (its tokens, its
//! user) and counts that copy's latency in its own; if none succeeded it fails with the first
//! copy to fail (in the order they ended). Only steps that send one request take `burst` (the
//! scenario validation refuses the others), and a step whose request would differ from copy to
//! copy is made identical first: `change_password` without `new_password` draws one new
//! password for all copies.

use std::time::Duration;

use futures_util::StreamExt as _;
use futures_util::stream::FuturesUnordered;
use tokio::sync::watch;

use super::execution::{StepAt, execute_step};
use super::shared::{Failure, Shared};
use super::steps::IterationState;
use super::target::random_password;
use crate::scenario::Secret;
use crate::scenario::model::{Step, StepKind};

/// Runs `step.burst` copies of one execution of `step` at once and leaves in `state` what the
/// first successful copy produced. Returns the outcome and latency the iteration takes.
pub(super) async fn run_burst(
    shared: &Shared,
    step: &Step,
    at: &StepAt,
    state: &mut IterationState,
    cancel: &watch::Receiver<bool>,
) -> (Result<(), Failure>, Duration) {
    let step = &identical(step);
    let mut copies: FuturesUnordered<_> = (0..step.burst.max(1))
        .map(|_| {
            let mut copy = state.clone();
            async move {
                let (outcome, latency) = execute_step(shared, step, at, &mut copy, cancel).await;
                (outcome, latency, copy)
            }
        })
        .collect();
    let mut first_ok: Option<(Duration, IterationState)> = None;
    let mut first_failure: Option<(Failure, Duration)> = None;
    while let Some((outcome, latency, copy)) = copies.next().await {
        match outcome {
            Ok(()) => {
                first_ok.get_or_insert((latency, copy));
            }
            Err(failure) => {
                first_failure.get_or_insert((failure, latency));
            }
        }
    }
    match (first_ok, first_failure) {
        (Some((latency, copy)), _) => {
            *state = copy;
            (Ok(()), latency)
        }
        (None, Some((failure, latency))) => (Err(failure), latency),
        // A burst has at least one copy; none ended only if there were none.
        (None, None) => (Err(Failure::NotSent("empty_burst".into())), Duration::ZERO),
    }
}

/// `step` with what would differ from copy to copy drawn once: a `change_password` without
/// `new_password` gets one random new password for every copy.
fn identical(step: &Step) -> Step {
    let mut step = step.clone();
    if let StepKind::ChangePassword { new_password } = &mut step.kind {
        new_password.get_or_insert_with(|| Secret::new(random_password()));
    }
    step
}
