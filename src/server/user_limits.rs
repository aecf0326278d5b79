//! The per-user hard limits of the developer guide's "Quotas in Amazon Cognito" (table "Amazon
//! Cognito user pools code security resource quotas (non-adjustable)"): how many calls of an
//! operation one user may make per hour. Beyond the limit Cognito answers
//! `LimitExceededException` "Attempt limit exceeded, please try after some time." (ground truth
//! §12.105).
//!
//! Each user counts its calls per operation in a window of one hour that opens at the first
//! call counted and closes an hour later (the guide gives the quota per hour, not how the
//! window slides). The counters live behind an `Option<Box<_>>` in the user record, allocated
//! at the first limited call, so users who never make one pay 8 bytes. Time is the server's
//! injected clock (the caller passes `now_ms`), so tests step over the hour without sleeping.

use super::error::{ApiError, ApiResult};

/// One hour, the window of every per-user quota in the table.
pub const WINDOW_MS: i64 = 3600 * 1000;

/// An operation with a per-user quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// "Maximum number of ConfirmSignUp calls per user: 15 attempts per hour".
    ConfirmSignUp,
    /// "Maximum number of ResendConfirmationCode calls per user: 5 attempts per hour".
    ResendConfirmationCode,
    /// "Maximum number of ConfirmForgotPassword calls per user: 5–20 attempts per hour,
    /// depending on risk score". The server has no risk score: it allows the upper bound, so
    /// it never refuses a call real Cognito would take.
    ConfirmForgotPassword,
    /// "Maximum number of ChangePassword calls per user: 5 attempts per hour".
    ChangePassword,
    /// "Maximum number of GetUserAttributeVerificationCode calls per user: 5 attempts per hour".
    GetUserAttributeVerificationCode,
    /// "Maximum number of VerifyUserAttribute calls per user: 15 attempts per hour".
    VerifyUserAttribute,
}

impl Limited {
    const ALL: usize = 6;

    fn index(self) -> usize {
        match self {
            Limited::ConfirmSignUp => 0,
            Limited::ResendConfirmationCode => 1,
            Limited::ConfirmForgotPassword => 2,
            Limited::ChangePassword => 3,
            Limited::GetUserAttributeVerificationCode => 4,
            Limited::VerifyUserAttribute => 5,
        }
    }

    /// Calls allowed per user per hour.
    pub fn per_hour(self) -> u16 {
        match self {
            Limited::ConfirmSignUp => 15,
            Limited::ResendConfirmationCode => 5,
            Limited::ConfirmForgotPassword => 20,
            Limited::ChangePassword => 5,
            Limited::GetUserAttributeVerificationCode => 5,
            Limited::VerifyUserAttribute => 15,
        }
    }
}

/// A user's counters: per operation, when its window opened and the calls counted in it.
#[derive(Debug, Default, Clone)]
pub struct UserLimits {
    windows: [(i64, u16); Limited::ALL],
}

/// The answer beyond a quota (ground truth §12.105).
pub fn limit_exceeded() -> ApiError {
    ApiError::new(
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
}

/// Counts one call of `op` by the user whose counters are `slot`; the call is refused with
/// [`limit_exceeded`] when the user already made [`Limited::per_hour`] of them in the window.
/// A refused call is not counted.
pub fn count(slot: &mut Option<Box<UserLimits>>, op: Limited, now_ms: i64) -> ApiResult<()> {
    let limits = slot.get_or_insert_with(Default::default);
    let (opened, calls) = &mut limits.windows[op.index()];
    if *calls == 0 || now_ms.saturating_sub(*opened) >= WINDOW_MS {
        *opened = now_ms;
        *calls = 0;
    }
    if *calls >= op.per_hour() {
        return Err(limit_exceeded());
    }
    *calls += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls_allowed(op: Limited, slot: &mut Option<Box<UserLimits>>, now: i64) -> u16 {
        let mut n = 0;
        while count(slot, op, now).is_ok() {
            n += 1;
            assert!(n <= 100, "{op:?} never refused");
        }
        n
    }

    #[test]
    fn each_operation_allows_its_quota_per_hour_then_refuses() {
        for op in [
            Limited::ConfirmSignUp,
            Limited::ResendConfirmationCode,
            Limited::ConfirmForgotPassword,
            Limited::ChangePassword,
            Limited::GetUserAttributeVerificationCode,
            Limited::VerifyUserAttribute,
        ] {
            let mut slot = None;
            assert_eq!(calls_allowed(op, &mut slot, 1_000), op.per_hour(), "{op:?}");
            let e = count(&mut slot, op, 1_000).unwrap_err();
            assert_eq!(e.kind, "LimitExceededException");
            assert_eq!(
                e.message,
                "Attempt limit exceeded, please try after some time."
            );
        }
    }

    #[test]
    fn the_window_reopens_an_hour_after_its_first_call() {
        let mut slot = None;
        let op = Limited::ChangePassword;
        let start = 5_000;
        assert_eq!(calls_allowed(op, &mut slot, start), 5);
        assert!(count(&mut slot, op, start + WINDOW_MS - 1).is_err());
        assert!(count(&mut slot, op, start + WINDOW_MS).is_ok());
    }

    #[test]
    fn operations_are_counted_apart() {
        let mut slot = None;
        assert_eq!(calls_allowed(Limited::ChangePassword, &mut slot, 0), 5);
        assert!(count(&mut slot, Limited::ResendConfirmationCode, 0).is_ok());
    }
}
