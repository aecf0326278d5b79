//! Software-token (TOTP) MFA state of the reference server: the pool's MFA configuration and a
//! user's token, and the rules a code is checked by.
//!
//! Rules, with their sources:
//! - codes are RFC 6238 TOTP ([`crate::totp`]): 30-second steps, 6 digits;
//! - "Amazon Cognito accepts TOTP tokens that are within 30 seconds before or after the
//!   attempt, to account for minor clock skew" (developer guide, "TOTP software token MFA",
//!   Verify the TOTP token): a window of one step either side;
//! - a code is accepted once: a second use answers ExpiredCodeException "Your software token
//!   has already been used once." (moto `test_user_authentication_flow_mfa_on`, an
//!   `aws_verified` test, quotes it from AWS; RFC 6238 §5.2 asks the same). A code of a step
//!   not after the last accepted one counts as used, so an old code cannot be replayed either.

use crate::protocol::ops::UserPoolMfaType;
use crate::totp;

/// Steps accepted either side of the current one.
pub const WINDOW_STEPS: i64 = 1;

/// Bytes of a generated secret: 160 bits, the HMAC-SHA1 key size RFC 4226 §4 recommends
/// (32 base32 characters, over the model's 16-character minimum).
pub const SECRET_BYTES: usize = 20;

/// The pool's MFA configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolMfa {
    pub mode: UserPoolMfaType,
    /// `SoftwareTokenMfaConfiguration.Enabled`.
    pub software_token: bool,
}

impl Default for PoolMfa {
    fn default() -> Self {
        PoolMfa {
            mode: UserPoolMfaType::Off,
            software_token: false,
        }
    }
}

impl PoolMfa {
    /// The configuration of a pool CreateUserPool made with `MfaConfiguration` `mode`.
    pub fn created(mode: Option<&UserPoolMfaType>) -> Self {
        PoolMfa {
            mode: mode.cloned().unwrap_or(UserPoolMfaType::Off),
            software_token: false,
        }
    }
}

/// A user's software token.
#[derive(Debug, Clone, Default)]
pub struct UserMfa {
    /// The secret of the last AssociateSoftwareToken, until VerifySoftwareToken accepts it.
    pub pending_secret: Option<Vec<u8>>,
    /// The verified secret (registered token).
    pub secret: Option<Vec<u8>>,
    /// `SoftwareTokenMfaSettings.Enabled` / `PreferredMfa` (SetUserMFAPreference).
    pub enabled: bool,
    pub preferred: bool,
    /// The time step of the last accepted code.
    pub last_step: Option<i64>,
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    Mismatch,
    AlreadyUsed,
}

/// Checks `code` against `secret` at `now_secs` and, when accepted, records its step in
/// `last_step`.
pub fn accept_code(
    secret: &[u8],
    last_step: &mut Option<i64>,
    code: &str,
    now_secs: i64,
) -> Result<(), CodeRefusal> {
    let step =
        totp::matching_step(secret, code, now_secs, WINDOW_STEPS).ok_or(CodeRefusal::Mismatch)?;
    if last_step.is_some_and(|last| step <= last) {
        return Err(CodeRefusal::AlreadyUsed);
    }
    *last_step = Some(step);
    Ok(())
}

/// What a sign-in needs after the password, by the pool's mode and the user's token
/// (developer guide "Adding MFA to a user pool": with MFA required, users without a factor
/// set one up, MFA_SETUP; with MFA optional, users who activated a factor answer it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    None,
    SoftwareToken,
    Setup,
}

pub fn second_factor(pool: &PoolMfa, user: Option<&UserMfa>) -> SecondFactor {
    let registered = user.is_some_and(|u| u.secret.is_some());
    match pool.mode {
        UserPoolMfaType::On if registered => SecondFactor::SoftwareToken,
        UserPoolMfaType::On => SecondFactor::Setup,
        UserPoolMfaType::Optional if registered && user.is_some_and(|u| u.enabled) => {
            SecondFactor::SoftwareToken
        }
        _ => SecondFactor::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn a_code_is_accepted_once_and_a_later_steps_code_after_it() {
        let t = 1_700_000_000;
        let mut last = None;
        let code = totp::code_at(KEY, t);
        assert_eq!(accept_code(KEY, &mut last, &code, t), Ok(()));
        assert_eq!(
            accept_code(KEY, &mut last, &code, t + 1),
            Err(CodeRefusal::AlreadyUsed)
        );
        let previous = totp::code_at(KEY, t - 30);
        assert_eq!(
            accept_code(KEY, &mut last, &previous, t),
            Err(CodeRefusal::AlreadyUsed),
            "an older step's code is not replayable"
        );
        let next = totp::code_at(KEY, t + 30);
        assert_eq!(accept_code(KEY, &mut last, &next, t), Ok(()));
        assert_eq!(
            accept_code(KEY, &mut last, "000000", t),
            Err(CodeRefusal::Mismatch)
        );
    }

    #[test]
    fn required_mfa_asks_unregistered_users_to_set_up_and_optional_mfa_asks_only_enabled_users() {
        let on = PoolMfa {
            mode: UserPoolMfaType::On,
            software_token: true,
        };
        let optional = PoolMfa {
            mode: UserPoolMfaType::Optional,
            ..on.clone()
        };
        let registered = UserMfa {
            secret: Some(KEY.to_vec()),
            ..Default::default()
        };
        let enabled = UserMfa {
            enabled: true,
            ..registered.clone()
        };
        assert_eq!(second_factor(&on, None), SecondFactor::Setup);
        assert_eq!(
            second_factor(&on, Some(&registered)),
            SecondFactor::SoftwareToken
        );
        assert_eq!(
            second_factor(&optional, Some(&registered)),
            SecondFactor::None
        );
        assert_eq!(
            second_factor(&optional, Some(&enabled)),
            SecondFactor::SoftwareToken
        );
        assert_eq!(
            second_factor(&PoolMfa::default(), Some(&enabled)),
            SecondFactor::None
        );
    }
}
