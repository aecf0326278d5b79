//! Optional enforcement of Cognito's request-rate quotas ("Quotas in Amazon Cognito"), so a user
//! can rehearse throttling before meeting it in production.
//!
//! Token buckets keyed per user pool: one per quota category (default rates from
//! [`crate::quota::CATEGORY_QUOTAS`], overridable per category), one per operation for the
//! categories whose footnote limits any single operation to 5 RPS per pool, and the special
//! handling of `RespondToAuthChallenge` / `AdminRespondToAuthChallenge`: their own bucket at 3x
//! the UserAuthentication quota, the excess drawing on UserAuthentication ("Amazon Cognito user
//! pools API operations with special request rate handling"). A refused call answers
//! `TooManyRequestsException` "Rate exceeded" with HTTP 400, as observed on the wire (ground
//! truth §1.7). Time comes from the server's injected clock, so tests need no sleeps.
//!
//! Each bucket holds one second of its rate (a burst of `rps` calls) and refills continuously.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use super::clock::Clock;
use super::error::ApiError;
use crate::quota::{self, PER_POOL_OPERATION_RPS, QuotaCategory};

/// The quota settings of the reference server.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct QuotaConfig {
    /// Whether quotas are enforced at all. Default `false` (no throttling).
    pub enabled: bool,
    /// Requests per second per category, replacing the guide's default for that category.
    /// Default none (every category at its default from "Quotas in Amazon Cognito").
    pub overrides: BTreeMap<QuotaCategory, u32>,
}

/// Why a `CATEGORY=RPS` quota setting does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QuotaSpecError {
    #[error("expected CATEGORY=RPS, got {0:?}")]
    Shape(String),
    #[error("unknown quota category {0:?} (use a name from the guide, e.g. UserAuthentication)")]
    Category(String),
    #[error("rate {0:?} is not a whole number of requests per second")]
    Rate(String),
}

/// Parses `serve --quota CATEGORY=RPS`.
pub fn parse_quota_spec(spec: &str) -> Result<(QuotaCategory, u32), QuotaSpecError> {
    let (name, rps) = spec
        .split_once('=')
        .ok_or_else(|| QuotaSpecError::Shape(spec.to_owned()))?;
    let category = QuotaCategory::from_name(name.trim())
        .ok_or_else(|| QuotaSpecError::Category(name.trim().to_owned()))?;
    let rps = rps
        .trim()
        .parse::<u32>()
        .map_err(|_| QuotaSpecError::Rate(rps.trim().to_owned()))?;
    Ok((category, rps))
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum BucketKey {
    Category(QuotaCategory),
    /// The footnote's per-operation limit within a category.
    Operation(&'static str),
    /// The 3x allowance of the two challenge-response operations.
    Respond,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: f64,
}

/// The buckets of every pool, and the rates they refill at.
pub struct Throttle {
    config: QuotaConfig,
    clock: Clock,
    buckets: Mutex<HashMap<(String, BucketKey), Bucket>>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The refusal Cognito sends (HTTP 400 with `x-amzn-ErrorType: TooManyRequestsException:`).
pub fn rate_exceeded() -> ApiError {
    ApiError::new("TooManyRequestsException", "Rate exceeded")
}

impl Throttle {
    /// `None` when quotas are off.
    pub fn new(config: &QuotaConfig, clock: Clock) -> Option<Self> {
        config.enabled.then(|| Throttle {
            config: config.clone(),
            clock,
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// The rate in force for a category.
    pub fn rate(&self, category: QuotaCategory) -> u32 {
        self.config
            .overrides
            .get(&category)
            .copied()
            .unwrap_or_else(|| category.quota().default_rps)
    }

    fn now_secs(&self) -> f64 {
        (self.clock)()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }

    /// Counts one call of `operation` against `pool`; `Err(rate_exceeded())` when a bucket it
    /// needs is empty. Operations the guide does not categorise are never throttled.
    pub fn admit(&self, pool: &str, operation: &str) -> Result<(), ApiError> {
        let Some(category) = quota::category_of(operation) else {
            return Ok(());
        };
        let now = self.now_secs();
        let category_rps = self.rate(category);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let mut take = |key: BucketKey, rps: f64, commit: bool| -> bool {
            let bucket = buckets.entry((pool.to_owned(), key)).or_insert(Bucket {
                tokens: rps,
                last: now,
            });
            let elapsed = (now - bucket.last).max(0.0);
            bucket.tokens = (bucket.tokens + elapsed * rps).min(rps);
            bucket.last = now;
            if bucket.tokens >= 1.0 {
                if commit {
                    bucket.tokens -= 1.0;
                }
                true
            } else {
                false
            }
        };
        // Footnote 1: a single operation of some categories is held to 5 RPS per pool.
        if let Some(op_rps) = category.quota().per_pool_operation_rps {
            let op_rps = f64::from(op_rps.min(PER_POOL_OPERATION_RPS).min(category_rps));
            let category_rps = f64::from(category_rps);
            let key = BucketKey::Operation(static_name(operation));
            if !take(key.clone(), op_rps, false) {
                return Err(rate_exceeded());
            }
            if !take(BucketKey::Category(category), category_rps, true) {
                return Err(rate_exceeded());
            }
            take(key, op_rps, true);
            return Ok(());
        }
        let category_rps = f64::from(category_rps);
        // The guide's rule as `quota::counted_usage` states it: challenge responses draw on their
        // own allowance first; only the excess counts towards UserAuthentication.
        if quota::is_respond_to_auth_challenge(operation) {
            let allowance = quota::challenge_allowance(category_rps);
            if take(BucketKey::Respond, allowance, true) {
                return Ok(());
            }
        }
        if take(BucketKey::Category(category), category_rps, true) {
            Ok(())
        } else {
            Err(rate_exceeded())
        }
    }
}

/// A `'static` name for the bucket key (operation names come from a fixed set; anything else
/// shares one key, which is never reached since uncategorised operations are not throttled).
fn static_name(operation: &str) -> &'static str {
    crate::protocol::ops::OperationKind::from_name(operation)
        .map(|k| k.name())
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    fn throttle(overrides: &[(QuotaCategory, u32)]) -> (Throttle, Arc<Mutex<SystemTime>>) {
        let t = Arc::new(Mutex::new(UNIX_EPOCH + Duration::from_secs(1_000_000)));
        let c = t.clone();
        let config = QuotaConfig {
            enabled: true,
            overrides: overrides.iter().copied().collect(),
        };
        let clock: Clock = Arc::new(move || *c.lock().unwrap());
        (Throttle::new(&config, clock).unwrap(), t)
    }

    fn served(t: &Throttle, pool: &str, op: &str, n: usize) -> usize {
        (0..n).filter(|_| t.admit(pool, op).is_ok()).count()
    }

    #[test]
    fn off_by_default() {
        assert!(Throttle::new(&QuotaConfig::default(), Arc::new(SystemTime::now)).is_none());
    }

    #[test]
    fn burst_is_one_second_of_rate_then_refills() {
        let (t, clock) = throttle(&[(QuotaCategory::UserAuthentication, 10)]);
        assert_eq!(served(&t, "p", "InitiateAuth", 50), 10);
        *clock.lock().unwrap() += Duration::from_millis(500);
        assert_eq!(served(&t, "p", "InitiateAuth", 50), 5);
        // Pools have their own buckets.
        assert_eq!(served(&t, "q", "AdminInitiateAuth", 50), 10);
    }

    #[test]
    fn respond_to_auth_challenge_has_three_times_then_draws_on_the_category() {
        let (t, _) = throttle(&[(QuotaCategory::UserAuthentication, 4)]);
        // 12 from its own allowance, then 4 from UserAuthentication.
        assert_eq!(served(&t, "p", "RespondToAuthChallenge", 100), 16);
        assert!(t.admit("p", "InitiateAuth").is_err());
    }

    #[test]
    fn the_guides_worked_example_admits_the_allowance_and_throttles_the_excess() {
        // Quota 80, 70 sign-ins in one second with four challenge rounds each: 280 responses,
        // 240 within their allowance, 40 drawing on UserAuthentication with the 70 sign-ins:
        // 110 against 80, so 30 are refused ("special request rate handling").
        let (t, _) = throttle(&[(QuotaCategory::UserAuthentication, 80)]);
        assert_eq!(served(&t, "p", "InitiateAuth", 70), 70);
        assert_eq!(served(&t, "p", "RespondToAuthChallenge", 280), 250);
        let demand = quota::CategoryDemand {
            requests: 70.0,
            challenge_responses: 250.0,
        };
        assert_eq!(
            quota::counted_usage(QuotaCategory::UserAuthentication, demand, 80.0),
            80.0,
            "what was admitted is exactly the quota, counted by the shared rule"
        );
    }

    #[test]
    fn a_burst_within_the_rule_is_admitted_and_one_beyond_it_throttled() {
        let (t, _) = throttle(&[(QuotaCategory::UserAuthentication, 60)]);
        // 60 sign-ins and 180 challenge responses: usage 60, exactly the quota.
        assert_eq!(served(&t, "p", "AdminInitiateAuth", 60), 60);
        assert_eq!(served(&t, "p", "AdminRespondToAuthChallenge", 90), 90);
        assert_eq!(served(&t, "p", "RespondToAuthChallenge", 90), 90);
        // One more response would count towards UserAuthentication, which is full.
        assert!(t.admit("p", "RespondToAuthChallenge").is_err());
    }

    #[test]
    fn uncategorised_operations_are_never_throttled() {
        let (t, _) = throttle(&[]);
        assert_eq!(served(&t, "p", "NoSuchOperation", 1000), 1000);
    }

    #[test]
    fn footnote_categories_hold_one_operation_to_five_per_pool() {
        let (t, _) = throttle(&[(QuotaCategory::UserPoolClientUpdate, 100)]);
        assert_eq!(served(&t, "p", "CreateUserPoolClient", 50), 5);
        // Another pool is not affected.
        assert_eq!(served(&t, "q", "CreateUserPoolClient", 50), 5);
    }

    #[test]
    fn quota_specs_parse_and_reject() {
        assert_eq!(
            parse_quota_spec("UserAuthentication=120"),
            Ok((QuotaCategory::UserAuthentication, 120))
        );
        assert!(matches!(
            parse_quota_spec("Nope=1"),
            Err(QuotaSpecError::Category(_))
        ));
        assert!(matches!(
            parse_quota_spec("UserRead=x"),
            Err(QuotaSpecError::Rate(_))
        ));
        assert!(matches!(
            parse_quota_spec("UserRead"),
            Err(QuotaSpecError::Shape(_))
        ));
    }
}
