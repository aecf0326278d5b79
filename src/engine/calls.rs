//! Timing and recording of one step's requests ([`StepCalls`]): the first from the step's
//! intended start, a later one (RespondToAuthChallenge after InitiateAuth) from when it was
//! sent; a request that fails the way the step's `expect` says ends the step as ok.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::shared::{
    Failure, FlowCounters, INTERRUPTED, Shared, classify, matches_expected, outcome_of, wait_true,
};
use crate::metrics::StepId;
use crate::protocol::CallError;
use crate::scenario::model::Expect;

/// Timing and recording of one step's requests.
pub(super) struct StepCalls<'a> {
    pub(super) shared: &'a Shared,
    pub(super) vu: usize,
    pub(super) expect: &'a Expect,
    /// When the next request counts from: the step's intended start, then `None` (sent now).
    pub(super) due: Option<Instant>,
    pub(super) counters: &'a FlowCounters,
    /// Turns true when the load's graceful stop ends: an unanswered request counts as
    /// interrupted, with its latency so far.
    pub(super) cancel: tokio::sync::watch::Receiver<bool>,
    /// The step, for its failure samples.
    pub(super) step: StepId,
}

/// A step ended early: as expected (`Ok`) or with a failure.
pub(super) type Ended = Result<(), Failure>;

impl StepCalls<'_> {
    /// Sends one request of the step and records it. `last`: whether it is the step's final
    /// request (where `expect` applies to a success). `Err` ends the step.
    pub(super) async fn call<T>(
        &mut self,
        operation: &'static str,
        last: bool,
        fut: impl Future<Output = Result<T, CallError>>,
    ) -> Result<T, Ended> {
        let from = self.due.take().unwrap_or_else(Instant::now);
        let result = tokio::select! {
            biased;
            result = fut => Some(result),
            _ = wait_true(&mut self.cancel) => None,
        };
        let latency = from.elapsed();
        let at = from.saturating_duration_since(self.shared.start);
        let (outcome, flow): (Result<(), Failure>, Result<T, Ended>) = match result {
            None => {
                let f = Failure::Transport(INTERRUPTED);
                (Err(f.clone()), Err(Err(f)))
            }
            Some(Ok(v)) => {
                if last && self.expect.error.is_some() {
                    let f = Failure::Error("unexpected_success".into());
                    (Err(f.clone()), Err(Err(f)))
                } else if last && self.expect.status.is_some_and(|s| s != 200) {
                    // JSON 1.1 and the token endpoint answer a success with 200.
                    let f = Failure::Error("unexpected_status".into());
                    (Err(f.clone()), Err(Err(f)))
                } else {
                    (Ok(()), Ok(v))
                }
            }
            Some(Err(e)) if matches_expected(&e, self.expect) => (Ok(()), Err(Ok(()))),
            Some(Err(e)) => {
                let f = classify(&e);
                if let (Failure::Error(kind), CallError::Service(service)) = (&f, &e) {
                    // The service's own message (never a transport detail, which may hold
                    // the endpoint URL).
                    let message = service.message.as_deref().unwrap_or(&service.raw_type);
                    self.shared
                        .record(self.vu, |r| r.record_sample(self.step, kind, message));
                }
                (Err(f.clone()), Err(Err(f)))
            }
        };
        self.shared.record(self.vu, |r| {
            r.record_operation(at, operation, latency, outcome_of(&outcome))
        });
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        match &outcome {
            Ok(()) => {}
            Err(Failure::Throttled) => {
                self.counters.throttles.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                self.counters.request_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        flow
    }
}
