//! The `user_auth_sign_in` step: choice-based sign-in (USER_AUTH) with a preferred challenge,
//! each request timed and counted through [`StepCalls`] in its quota category. InitiateAuth
//! carries USERNAME and PREFERRED_CHALLENGE, with the PASSWORD (then tokens, or the MFA
//! challenge, at once) or SRP_A (then PASSWORD_VERIFIER); EMAIL_OTP is answered with the code
//! the embedded target shows on `_harness/codes`; `mfa: totp` answers SOFTWARE_TOKEN_MFA after
//! a password factor. The requests are those Amplify JS v6 sends (`handleUserAuthFlow`,
//! `handlePasswordSRP`).

use std::time::Instant;

use chrono::Utc;

use super::calls::{Ended, StepCalls};
use super::mfa::{PooledTotp, answer_totp};
use super::shared::{Failure, Shared};
use super::target::read_email_otp;
use crate::protocol::ParamMap;
use crate::protocol::ops::*;
use crate::scenario::model::PreferredChallenge;
use crate::srp::{PasswordVerifierChallenge, SrpClient};

fn ended(failure: Failure) -> Ended {
    Err(failure)
}

fn unexpected(challenge: Option<&ChallengeNameType>) -> Ended {
    ended(Failure::Error(match challenge {
        Some(c) => format!("unexpected_challenge:{}", c.as_str()),
        None => "unexpected_challenge".into(),
    }))
}

/// One choice-based sign-in of `username` preferring `preferred` (answering the MFA challenge
/// with `mfa` and the user's token): the tokens it ends with.
pub(super) async fn sign_in(
    shared: &Shared,
    calls: &mut StepCalls<'_>,
    username: &str,
    password: String,
    (preferred, mfa, totp): (PreferredChallenge, bool, PooledTotp<'_>),
) -> Result<Option<AuthenticationResultType>, Ended> {
    let t = &shared.target;
    let (client, app) = (&t.client, &t.app);
    let params = ParamMap::new()
        .with("USERNAME", username)
        .with("PREFERRED_CHALLENGE", preferred.wire());
    let initiate =
        |params| client.initiate_auth(app, AuthFlowType::UserAuth, params, Some(username));
    match preferred {
        PreferredChallenge::Password => {
            let params = params.with("PASSWORD", password);
            let init = calls.call("InitiateAuth", !mfa, initiate(params)).await?;
            if !mfa {
                return Ok(init.authentication_result);
            }
            answer_totp(shared, calls, totp, init.challenge_name, init.session).await
        }
        PreferredChallenge::PasswordSrp => {
            // SRP maths on the blocking pool, never on an I/O thread.
            let srp = tokio::task::spawn_blocking(|| SrpClient::from_rng(&mut rand::rng()))
                .await
                .map_err(|_| ended(Failure::NotSent("srp_task".into())))?
                .map_err(|_| ended(Failure::NotSent("srp_client".into())))?;
            let params = params.with("SRP_A", srp.a_pub_hex());
            let init = calls.call("InitiateAuth", false, initiate(params)).await?;
            if init.challenge_name != Some(ChallengeNameType::PasswordVerifier) {
                return Err(unexpected(init.challenge_name.as_ref()));
            }
            let cp = init.challenge_parameters.unwrap_or_default();
            let challenge = PasswordVerifierChallenge::from_parameters(|k| {
                cp.get(k).cloned().unwrap_or_default()
            });
            let pool_id = t.pool_id.clone();
            let response = tokio::task::spawn_blocking(move || {
                srp.respond(&challenge, &pool_id, &password, Utc::now())
            })
            .await
            .map_err(|_| ended(Failure::Error("srp:task".into())))?
            .map_err(|e| ended(Failure::Error(format!("srp:{e}"))))?;
            let responses = ParamMap::new()
                .with("USERNAME", response.username.as_str())
                .with(
                    "PASSWORD_CLAIM_SECRET_BLOCK",
                    response.password_claim_secret_block,
                )
                .with("TIMESTAMP", response.timestamp)
                .with(
                    "PASSWORD_CLAIM_SIGNATURE",
                    response.password_claim_signature,
                );
            let answer = client.respond_to_auth_challenge(
                app,
                ChallengeNameType::PasswordVerifier,
                init.session,
                responses,
                Some(&response.username),
            );
            let out = calls.call("RespondToAuthChallenge", !mfa, answer).await?;
            if !mfa {
                return Ok(out.authentication_result);
            }
            answer_totp(shared, calls, totp, out.challenge_name, out.session).await
        }
        PreferredChallenge::EmailOtp => {
            let init = calls.call("InitiateAuth", false, initiate(params)).await?;
            if init.challenge_name != Some(ChallengeNameType::EmailOtp) {
                return Err(unexpected(init.challenge_name.as_ref()));
            }
            let base = t
                .codes_base
                .as_ref()
                .ok_or_else(|| ended(Failure::NotSent("missing_codes".into())))?;
            // Reading the code is harness bookkeeping, not Cognito traffic: unrecorded, and
            // the answer is timed from when it is sent.
            let code = read_email_otp(client, base, &t.pool_id, username)
                .await
                .map_err(|e| ended(Failure::Error(format!("codes:{}", e.label()))))?
                .ok_or_else(|| ended(Failure::Error("missing_email_otp_code".into())))?;
            calls.due = calls.due.map(|_| Instant::now());
            let responses = ParamMap::new()
                .with("USERNAME", username)
                .with("EMAIL_OTP_CODE", code);
            let answer = client.respond_to_auth_challenge(
                app,
                ChallengeNameType::EmailOtp,
                init.session,
                responses,
                Some(username),
            );
            Ok(calls
                .call("RespondToAuthChallenge", true, answer)
                .await?
                .authentication_result)
        }
    }
}
