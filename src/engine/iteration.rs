//! One iteration of a flow: its user, its steps in order, each step timed and recorded. The
//! steps themselves (one function per kind, and the tokens and codes handed from one step to the
//! next) are in `steps.rs`; what every VU shares and how a failure counts, in `shared.rs`.
//!
//! Timing (no coordinated omission): the first request of an iteration, its first step and the
//! iteration itself are timed from the iteration's *intended* start (the pacer's time, even when
//! every VU was busy and it started late); later steps from the end of the previous step's think
//! time; a step's second request (RespondToAuthChallenge after InitiateAuth) from when it was
//! sent, since it could not be sent before the first answer. The flow's latency is the sum of
//! its steps' latencies (think time excluded); its duration, think time included, is recorded
//! apart (k6's `iteration_duration`).
//!
//! Outcomes: a request that fails the way the step's `expect` says counts as ok; a
//! TooManyRequestsException (or any HTTP 429) is a throttle, not an error; a failure without an
//! answer counts by transport kind (`connect`, `timeout`, ...); a step that fails inside the
//! harness before sending (no user left, missing tokens, a caught panic) counts not sent. An
//! iteration stops at its first failed step (later steps would lack its tokens) and takes that
//! step's outcome. Cancelled at the end of graceful stop, it records its unanswered request and
//! step as transport `interrupted` and itself as interrupted.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use tokio::sync::watch;

use super::execution::{StepAt, execute_step};
use super::shared::{outcome_of, wait_true};
use super::steps::{IterationState, User};
use crate::metrics::{Outcome, StepId};

pub use super::shared::{Failure, FlowCounters, Shared, classify, matches_expected};

/// Runs one iteration of `flow_index`, intended to start at `intended`, until it ends or
/// `cancel` turns true (the end of its load's graceful stop, or an interruption): then its
/// unanswered request and its step count as transport `interrupted`, and the iteration as
/// interrupted. A panic in a step is caught and counted (step not sent `panic`, iteration
/// failed `panic`, its message kept as a sample); one anywhere else in the iteration is caught
/// by the caller's [`run_iteration_caught`].
pub async fn run_iteration(
    shared: &Shared,
    flow_index: usize,
    intended: Instant,
    vu: usize,
    cancel: &watch::Receiver<bool>,
) {
    let flow = &shared.scenario.flows[flow_index];
    let counters = &shared.counters[flow_index];
    counters.started.fetch_add(1, Ordering::Relaxed);
    let n = shared
        .segment
        .global_number(shared.iteration_numbers[flow_index].fetch_add(1, Ordering::Relaxed) + 1);
    let base = step_base(shared, flow_index);
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
            None => {
                // The first step cannot be sent: counted there, and so at the run scope.
                result = Err(Failure::NotSent("no_user_left".into()));
                if !flow.steps.is_empty() {
                    shared.record(vu, |r| {
                        r.record_step(StepId(base), Duration::ZERO, outcome_of(&result))
                    });
                }
            }
        }
    }
    let mut step_due = intended;
    let mut steps_latency = Duration::ZERO;
    let mut cancelled = false;
    let mut cancel_rx = cancel.clone();
    if result.is_ok() {
        for (index, step) in flow.steps.iter().enumerate() {
            let at = StepAt {
                flow_index,
                index,
                n,
                due: step_due,
                vu,
                step_id: StepId(base + index),
            };
            let (outcome, latency) = if step.burst > 1 {
                super::burst::run_burst(shared, step, &at, &mut state, cancel).await
            } else {
                execute_step(shared, step, &at, &mut state, cancel).await
            };
            if !matches!(outcome, Err(Failure::NotSent(_))) {
                steps_latency += latency;
            }
            if outcome.is_err() {
                result = outcome;
                break;
            }
            if !step.think.is_zero() {
                tokio::select! {
                    biased;
                    _ = wait_true(&mut cancel_rx) => {
                        cancelled = true;
                        break;
                    }
                    _ = tokio::time::sleep(think_pause(&step.think)) => {}
                }
            }
            step_due = Instant::now();
        }
    }
    let interrupted = cancelled || matches!(&result, Err(f) if f.is_interrupted());
    let outcome = if interrupted {
        Outcome::Interrupted
    } else {
        outcome_of(&result)
    };
    let duration = intended.elapsed();
    shared.record(vu, |r| {
        r.record_iteration_timed(flow_index, Some(steps_latency), Some(duration), outcome)
    });
    let counter = match (interrupted, &result) {
        (true, _) => &counters.interrupted,
        (false, Ok(())) => &counters.ok,
        (false, Err(_)) => &counters.failed,
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// [`run_iteration`], with a panic outside its steps (choosing its user, recording) caught and
/// counted as a failed iteration (not sent, `panic`), so the VU goes on with the next one.
pub async fn run_iteration_caught(
    shared: &Shared,
    flow_index: usize,
    intended: Instant,
    vu: usize,
    cancel: &watch::Receiver<bool>,
) {
    let run = AssertUnwindSafe(run_iteration(shared, flow_index, intended, vu, cancel));
    if run.catch_unwind().await.is_err() {
        shared.record(vu, |r| {
            r.record_iteration_timed(flow_index, None, None, Outcome::NotSent("panic"))
        });
        shared.counters[flow_index]
            .failed
            .fetch_add(1, Ordering::Relaxed);
    }
}

/// Counts an iteration whose intended start had passed but which was still waiting for a free
/// VU when its load's graceful stop ended (or the run was interrupted): no request, no step.
pub fn record_waiting_interrupted(shared: &Shared, flow_index: usize) {
    shared.record(0, |r| {
        r.record_iteration_timed(flow_index, None, None, Outcome::Interrupted)
    });
    shared.counters[flow_index]
        .interrupted
        .fetch_add(1, Ordering::Relaxed);
}

/// The [`StepId`] of a flow's first step (the layout lists steps flow by flow).
fn step_base(shared: &Shared, flow_index: usize) -> usize {
    shared.scenario.flows[..flow_index]
        .iter()
        .map(|f| f.steps.len())
        .sum()
}

/// One draw of a step's think time (uniform numbers from the thread's generator).
fn think_pause(think: &crate::scenario::think::Think) -> std::time::Duration {
    think.sample(rand::random(), rand::random())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::engine::{RunOptions, execute_on, new_run_id, target};
    use crate::scenario::parse_scenario;

    /// `panics_in_test` is the flow name on which `run_step` panics (a test-only fault).
    const PANICS: &str = r#"
target: embedded
setup:
  users: 2
  password: "Panic-Pa55word!"
flows:
  panics_in_test:
    load: { executor: constant-arrival-rate, rate: 10, duration: 1s, pre_allocated_vus: 2, max_vus: 2 }
    steps:
      - password_sign_in
  steady:
    load: { executor: constant-arrival-rate, rate: 5, duration: 1s, pre_allocated_vus: 1 }
    steps:
      - password_sign_in
thresholds:
  run: ["error_rate<1%"]
"#;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_iteration_is_caught_counted_and_the_vu_goes_on() {
        let server = crate::server::start(crate::server::ServerConfig::default())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scenario.yaml");
        let scenario = Arc::new(parse_scenario(PANICS, &path, &|_| None).unwrap().scenario);
        let run_id = new_run_id();
        let resolved = target::reference_server_at(server.endpoint(), &scenario, &run_id)
            .await
            .unwrap();
        let options = RunOptions {
            reports_root: dir.path().join("reports"),
            quiet: true,
            shard: None,
            quotas: Default::default(),
            start_at: None,
            check_shapes: true,
        };
        let (_stop_tx, stop) = tokio::sync::watch::channel(false);
        let result = execute_on(scenario, resolved, &run_id, &options, stop)
            .await
            .unwrap();
        server.shutdown().await;
        let s = &result.report.summary;
        // Ten iterations on two VUs, every one panicking: none lost, the VUs lived on.
        let flow = &s.flows["panics_in_test"];
        assert_eq!(flow.count, 10, "{flow:?}");
        assert_eq!(flow.not_sent["panic"], 10);
        let step = &s.steps["panics_in_test.password_sign_in"];
        assert_eq!(step.not_sent["panic"], 10);
        assert_eq!(s.flows["steady"].ok, 5);
        assert_eq!(s.run.count, 15);
        assert_eq!(s.run.not_sent["panic"], 10);
        assert_eq!(s.iterations.failed["panic"], 10);
        // The message is kept, the token in it is not.
        for scope in [&s.run, flow, step] {
            let sample = &scope.samples["panic"];
            assert!(
                sample.starts_with("test panic near token [redacted]"),
                "{sample}"
            );
        }
        assert!(!result.report.passed);
    }
}
