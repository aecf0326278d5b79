//! What every VU of a run shares ([`Shared`]: the target, the setup users, the recorders, the
//! live counters), and how a failed call counts ([`Failure`], [`classify`], [`matches_expected`]).
//!
//! A TooManyRequestsException (or any HTTP 429) is a throttle, not an error; a failure without
//! an answer counts by transport kind (`connect`, `timeout`, ...).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::target::{PoolUser, Resolved};
use crate::jwt::KeySet;
use crate::metrics::{Outcome, Recorder};
use crate::protocol::{CallError, CognitoErrorKind};
use crate::scenario::model::{Expect, Scenario, UserSelection};

/// How a request, step or iteration failed (owned, so it outlives the error it came from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Error(String),
    Throttled,
    /// No answer; [`INTERRUPTED`] when the run ended while waiting for it.
    Transport(&'static str),
    /// Failed inside the harness before sending (`no_user_left`, `missing_tokens`, `panic`, ...).
    NotSent(String),
}

/// The transport kind of a request still waiting for its answer when the run ended.
pub const INTERRUPTED: &str = "interrupted";

impl Failure {
    fn outcome(&self) -> Outcome<'_> {
        match self {
            Failure::Error(label) => Outcome::Error(label),
            Failure::Throttled => Outcome::Throttled,
            Failure::Transport(kind) => Outcome::Transport(kind),
            Failure::NotSent(kind) => Outcome::NotSent(kind),
        }
    }

    /// Whether the run ended while this step was still in progress: waiting for its answer
    /// (a transport failure) or before its request went out (not sent).
    pub fn is_interrupted(&self) -> bool {
        match self {
            Failure::Transport(kind) => *kind == INTERRUPTED,
            Failure::NotSent(kind) => kind == INTERRUPTED,
            _ => false,
        }
    }
}

/// Resolves once `flag` is true (never, once its sender is gone while false): the run's stop
/// signal, or a load's cancellation at the end of its graceful stop.
pub async fn wait_true(flag: &mut tokio::sync::watch::Receiver<bool>) {
    while !*flag.borrow_and_update() {
        if flag.changed().await.is_err() {
            // The sender is gone: nobody can set it any more.
            std::future::pending::<()>().await;
        }
    }
}

pub(super) fn outcome_of(result: &Result<(), Failure>) -> Outcome<'_> {
    match result {
        Ok(()) => Outcome::Ok,
        Err(f) => f.outcome(),
    }
}

/// How one failed call counts.
pub fn classify(e: &CallError) -> Failure {
    if e.status() == Some(429)
        || matches!(
            e.service_kind(),
            Some(CognitoErrorKind::TooManyRequestsException)
        )
    {
        return Failure::Throttled;
    }
    if let Some(kind) = e.transport_kind() {
        return Failure::Transport(kind.as_str());
    }
    Failure::Error(e.label())
}

/// Whether `e` is the failure `expect` asks for: the exception name (`NotAuthorizedException`)
/// or OAuth code (`invalid_client`, also written `oauth:invalid_client`), and the status if given.
pub fn matches_expected(e: &CallError, expect: &Expect) -> bool {
    let Some(wanted) = &expect.error else {
        return false;
    };
    let label = e.label();
    let name_ok = label == *wanted || label.strip_prefix("oauth:") == Some(wanted.as_str());
    name_ok && expect.status.is_none_or(|s| e.status() == Some(s))
}

/// Counters shown by the live progress, per flow (lock-free).
#[derive(Debug, Default)]
pub struct FlowCounters {
    /// Iterations whose intended start has come: handed to the VUs by an arrival-rate pacer,
    /// or picked by a looping VU (the live metrics' scheduled rate and waiting VUs).
    pub scheduled: AtomicU64,
    pub started: AtomicU64,
    pub ok: AtomicU64,
    pub failed: AtomicU64,
    /// Iterations still running or waiting for a VU when the graceful stop ended.
    pub interrupted: AtomicU64,
    pub requests: AtomicU64,
    pub request_errors: AtomicU64,
    pub throttles: AtomicU64,
}

/// What every VU of a run shares.
pub struct Shared {
    /// The part of the scenario this process runs ([`crate::shard::Shard::WHOLE`] unless
    /// `run --shard`).
    pub segment: crate::shard::Shard,
    pub scenario: Arc<Scenario>,
    pub target: Resolved,
    pub run_id: String,
    /// The setup password (given, or random per run).
    pub password: String,
    pub pool: Vec<Arc<PoolUser>>,
    /// Users created by `sign_up` steps (for clean-up).
    pub created: std::sync::Mutex<Vec<String>>,
    /// Recorders, one per shard; a VU records into `shards[vu % len]` (short, uncontended
    /// critical sections instead of one recorder per VU, which would cost a histogram set each).
    pub shards: Vec<std::sync::Mutex<Recorder>>,
    /// Time zero of the run (intended times are offsets from it).
    pub start: Instant,
    /// Per flow: iterations this process numbered so far (`{n}` of sign-up usernames is their
    /// scenario-wide number, [`crate::shard::Shard::global_number`]).
    pub iteration_numbers: Vec<AtomicU64>,
    /// Per flow: the next pool user (sequential and unique selection).
    pub user_cursors: Vec<AtomicU64>,
    pub counters: Vec<FlowCounters>,
    /// The target's signing keys, fetched on first use by `verify_tokens`.
    pub keys: tokio::sync::OnceCell<Result<KeySet, String>>,
    /// Seed of `random` user selection.
    pub seed: u64,
}

impl Shared {
    pub(super) fn record(&self, vu: usize, f: impl FnOnce(&mut Recorder)) {
        let shard = &self.shards[vu % self.shards.len()];
        let mut guard = shard.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard);
    }

    pub(super) fn pick_user(&self, flow: usize, selection: UserSelection) -> Option<Arc<PoolUser>> {
        let len = self.pool.len() as u64;
        if len == 0 {
            return None;
        }
        let index = match selection {
            UserSelection::Sequential => {
                self.user_cursors[flow].fetch_add(1, Ordering::Relaxed) % len
            }
            UserSelection::Unique => {
                let i = self.user_cursors[flow].fetch_add(1, Ordering::Relaxed);
                if i >= len {
                    return None;
                }
                i
            }
            UserSelection::Random => {
                let n = self.user_cursors[flow].fetch_add(1, Ordering::Relaxed);
                splitmix64(self.seed ^ (flow as u64).rotate_left(32) ^ n) % len
            }
        };
        self.pool.get(index as usize).cloned()
    }

    pub(super) async fn keys(&self) -> Result<&KeySet, String> {
        let result = self
            .keys
            .get_or_init(|| async {
                let bytes = self
                    .target
                    .client
                    .fetch_jwks(&self.target.pool_id)
                    .await
                    .map_err(|e| format!("jwks:{}", e.label()))?;
                KeySet::from_jwks_json(&bytes).map_err(|_| "jwks:invalid".to_string())
            })
            .await;
        result.as_ref().map_err(Clone::clone)
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::TransportErrorKind;
    use crate::protocol::error::{ErrorTypeSource, ServiceError, TransportError};

    fn service(kind: &str, status: u16) -> CallError {
        CallError::Service(ServiceError {
            kind: CognitoErrorKind::from(kind),
            raw_type: kind.to_string(),
            type_source: ErrorTypeSource::BodyType,
            message: None,
            status,
            request_id: None,
        })
    }

    #[test]
    fn throttles_are_apart_from_errors() {
        assert_eq!(
            classify(&service("TooManyRequestsException", 400)),
            Failure::Throttled
        );
        assert_eq!(
            classify(&service("NotAuthorizedException", 400)),
            Failure::Error("NotAuthorizedException".into())
        );
        let transport = CallError::Transport(TransportError {
            kind: TransportErrorKind::Timeout,
            status: None,
            detail: String::new(),
        });
        assert_eq!(classify(&transport), Failure::Transport("timeout"));
    }

    #[test]
    fn expected_errors_match_by_name_and_status() {
        let e = service("NotAuthorizedException", 400);
        let mut expect = Expect {
            error: Some("NotAuthorizedException".into()),
            status: None,
        };
        assert!(matches_expected(&e, &expect));
        expect.status = Some(400);
        assert!(matches_expected(&e, &expect));
        expect.status = Some(401);
        assert!(!matches_expected(&e, &expect));
        assert!(!matches_expected(&e, &Expect::default()));
    }
}
