//! Software-token (TOTP) MFA for load runs: enrolling the setup users (`setup: { mfa: totp }`)
//! and choosing the code a sign-in step answers SOFTWARE_TOKEN_MFA with (`mfa: totp`).
//!
//! Cognito accepts a code once ("Your software token has already been used once.", moto
//! `test_user_authentication_flow_mfa_on`, aws_verified) and codes within one 30-second step
//! either side of its clock (developer guide, "TOTP software token MFA"). So a user can answer
//! at most one challenge per step, plus the neighbours: each user remembers the last step it
//! used, a sign-in takes the earliest unused step of the window, and when the window is used
//! up it waits for the next step, as a person with an authenticator app would.

use std::sync::Mutex;
use std::time::Duration;

use super::EngineError;
use crate::protocol::ops::*;
use crate::protocol::{AppClient, CognitoClient, ParamMap};
use crate::totp;

/// A setup user's registered token.
#[derive(Debug)]
pub struct UserTotp {
    secret: Vec<u8>,
    /// The time step of the last code sent.
    last_step: Mutex<Option<i64>>,
}

/// The step a code should be computed for, given the last used step and the current step:
/// `Ok(step)` to use now, or `Err(step)` to use once the clock reaches `step - 1`.
pub fn next_step(last: Option<i64>, now_step: i64) -> Result<i64, i64> {
    let earliest = now_step - 1;
    let step = last.map_or(earliest, |l| (l + 1).max(earliest));
    if step <= now_step + 1 {
        Ok(step)
    } else {
        Err(step)
    }
}

impl UserTotp {
    /// The next unused code, waiting for the clock when the window's steps are all used.
    pub async fn next_code(&self) -> String {
        loop {
            let now = chrono::Utc::now().timestamp();
            let wait = {
                let mut last = self.last_step.lock().unwrap_or_else(|p| p.into_inner());
                match next_step(*last, totp::step_of(now)) {
                    Ok(step) => {
                        *last = Some(step);
                        return totp::code_at_step(&self.secret, step);
                    }
                    Err(step) => (step - 1) * totp::STEP_SECS - now,
                }
            };
            tokio::time::sleep(Duration::from_secs(wait.clamp(1, totp::STEP_SECS) as u64)).await;
        }
    }
}

fn enrol_error(op: &str, e: crate::protocol::CallError) -> EngineError {
    EngineError::Setup(format!("setup: enrolling a TOTP token: {op}: {e}"))
}

/// Registers a software token for a confirmed user: ADMIN_USER_PASSWORD_AUTH for an access
/// token, AssociateSoftwareToken, VerifySoftwareToken with the current code, and
/// SetUserMFAPreference (enabled, preferred) — "Configuring MFA for a user" in the guide. The
/// pool must allow software tokens with MFA optional (the run's own pool does).
pub async fn enrol(
    client: &CognitoClient,
    pool_id: &str,
    app: &AppClient,
    username: &str,
    password: &str,
) -> Result<UserTotp, EngineError> {
    let params = ParamMap::new()
        .with("USERNAME", username)
        .with("PASSWORD", password);
    let signed_in = client
        .admin_initiate_auth(
            pool_id,
            app,
            AuthFlowType::AdminUserPasswordAuth,
            params,
            None,
        )
        .await
        .map_err(|e| enrol_error("AdminInitiateAuth", e))?;
    let access = signed_in
        .authentication_result
        .and_then(|r| r.access_token)
        .ok_or_else(|| {
            EngineError::Setup(
                "setup: enrolling a TOTP token: the sign-in gave no access token (a pool that \
                 requires MFA asks for MFA_SETUP; use a pool with MFA optional)"
                    .into(),
            )
        })?;
    let associated = client
        .call(&AssociateSoftwareTokenRequest {
            access_token: Some(access.clone()),
            session: None,
        })
        .await
        .map_err(|e| enrol_error("AssociateSoftwareToken", e))?;
    let secret = associated
        .secret_code
        .as_ref()
        .and_then(|s| totp::base32_decode(s.expose()))
        .ok_or_else(|| {
            EngineError::Setup("setup: AssociateSoftwareToken gave no base32 SecretCode".into())
        })?;
    let step = totp::step_of(chrono::Utc::now().timestamp());
    client
        .call(&VerifySoftwareTokenRequest {
            access_token: Some(access.clone()),
            session: None,
            user_code: totp::code_at_step(&secret, step).into(),
            friendly_device_name: None,
        })
        .await
        .map_err(|e| enrol_error("VerifySoftwareToken", e))?;
    client
        .call(&SetUserMfaPreferenceRequest {
            software_token_mfa_settings: Some(MfaSettingsType {
                enabled: Some(true),
                preferred_mfa: Some(true),
            }),
            access_token: access,
            ..Default::default()
        })
        .await
        .map_err(|e| enrol_error("SetUserMFAPreference", e))?;
    Ok(UserTotp {
        secret,
        last_step: Mutex::new(Some(step)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_takes_the_earliest_unused_step_of_the_window_and_waits_when_it_is_used_up() {
        assert_eq!(
            next_step(None, 100),
            Ok(99),
            "a fresh user starts at the oldest step"
        );
        assert_eq!(next_step(Some(99), 100), Ok(100));
        assert_eq!(
            next_step(Some(100), 100),
            Ok(101),
            "the next step's code is accepted"
        );
        assert_eq!(
            next_step(Some(101), 100),
            Err(102),
            "wait until step 101 starts"
        );
        assert_eq!(
            next_step(Some(50), 100),
            Ok(99),
            "old use does not hold a user back"
        );
    }
}
