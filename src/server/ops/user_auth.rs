//! Choice-based sign-in: InitiateAuth and AdminInitiateAuth with `AuthFlow` USER_AUTH, the
//! SELECT_CHALLENGE and EMAIL_OTP challenges, and the pool's `Policies.SignInPolicy` that says
//! which first factors a pool allows.
//!
//! Sources: the service model (`AuthFlowType` USER_AUTH, `ChallengeNameType`, `SignInPolicyType`,
//! `AuthFactorType`, `ExplicitAuthFlowsType` ALLOW_USER_AUTH) and the API reference's
//! InitiateAuth / RespondToAuthChallenge members: USER_AUTH takes USERNAME and an optional
//! PREFERRED_CHALLENGE, "If you don't provide a value for PREFERRED_CHALLENGE, Amazon Cognito
//! responds with the AvailableChallenges parameter"; a SELECT_CHALLENGE answer carries ANSWER
//! (PASSWORD with PASSWORD, PASSWORD_SRP with SRP_A, EMAIL_OTP alone, after which "Your user
//! pool will send a code"), an EMAIL_OTP answer carries EMAIL_OTP_CODE; ALLOW_USER_AUTH "can do
//! username-password and SRP authentication without other ExplicitAuthFlows permitting them".
//! Amplify JS v6 (`handleUserAuthFlow`, `handlePasswordSRP`, `signInHelpers`) is the client
//! this follows on the wire: PREFERRED_CHALLENGE PASSWORD comes with PASSWORD in the
//! AuthParameters, PASSWORD_SRP with SRP_A, and an EMAIL_OTP challenge is read for
//! CODE_DELIVERY_DELIVERY_MEDIUM and CODE_DELIVERY_DESTINATION.
//!
//! Decisions where no source was found (⚠):
//! - the stored developer guide predates choice-based sign-in; a preferred challenge that is
//!   not available to the user (WEB_AUTHN and SMS_OTP always here: the server registers no
//!   passkeys and sends no SMS; EMAIL_OTP when the pool does not allow it or the user has no
//!   verified email) is answered with SELECT_CHALLENGE and the challenges that are;
//! - a pool's first factors default to PASSWORD alone (what a pool created without a
//!   SignInPolicy describes in the console; ministack, a peer, defaults the same);
//! - EMAIL_OTP is not offered in a pool whose MFA is required (ministack: "AWS forbids OTP
//!   factors when MFA is required"), and a passwordless sign-in is not followed by an MFA
//!   challenge; PASSWORD and PASSWORD_SRP meet NEW_PASSWORD_REQUIRED and MFA as the classic
//!   flows do;
//! - an ANSWER that is not among the available challenges is InvalidParameterException.

use std::collections::BTreeMap;

use super::sign_in::{
    AuthAnswer, SessionUse, end_session, invalid_session, issue_sign_in, open_session,
    pending_challenge, sign_in_user,
};
use super::{check_user_secret_hash, param};
use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{
    AppClient, ChallengeKind, ChallengePending, EmailOtp, Pool, Status, Store,
};

/// What a choice-based sign-in goes on with: a password factor, which `auth` runs as the
/// classic flows run it (it owns the password checks, the SRP start, NEW_PASSWORD_REQUIRED and
/// MFA), or an answer made here (SELECT_CHALLENGE, the EMAIL_OTP challenge).
pub enum FirstFactor {
    /// PASSWORD for the user of this key, with the PASSWORD that came with the choice.
    Password(Box<str>),
    /// PASSWORD_SRP with the USERNAME and SRP_A that came with the choice.
    PasswordSrp,
    /// An answer made here: SELECT_CHALLENGE, or the EMAIL_OTP challenge (boxed: it is large).
    Answered(Box<AuthAnswer>),
}

/// A first-factor challenge this server can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Password,
    PasswordSrp,
    EmailOtp,
}

impl Choice {
    fn parse(name: &str) -> Option<Choice> {
        match name {
            "PASSWORD" => Some(Choice::Password),
            "PASSWORD_SRP" => Some(Choice::PasswordSrp),
            "EMAIL_OTP" => Some(Choice::EmailOtp),
            _ => None,
        }
    }

    fn challenge(self) -> ChallengeNameType {
        match self {
            Choice::Password => ChallengeNameType::Password,
            Choice::PasswordSrp => ChallengeNameType::PasswordSrp,
            Choice::EmailOtp => ChallengeNameType::EmailOtp,
        }
    }
}

/// The pool's `AllowedFirstAuthFactors` (PASSWORD alone when none was set, ⚠ see above).
pub fn first_factors(pool: &Pool) -> Vec<String> {
    pool.wire()
        .policies
        .and_then(|p| p.sign_in_policy)
        .and_then(|p| p.allowed_first_auth_factors)
        .unwrap_or_else(default_factors)
}

fn default_factors() -> Vec<String> {
    vec!["PASSWORD".to_owned()]
}

/// The `SignInPolicy` a CreateUserPool or UpdateUserPool stores: the given factors, checked,
/// or the default. `AllowedFirstAuthFactors` holds 1 to 5 `AuthFactorType` values, not
/// SOFTWARE_TOKEN ("SOFTWARE_TOKEN is not currently supported as a first auth factor"), and a
/// factor other than PASSWORD needs the Essentials tier or higher ("To activate this setting,
/// your user pool must be in the Essentials tier or higher", SignInPolicyType;
/// FeatureUnavailableInTierException is a declared error of both operations).
pub fn sign_in_policy(
    given: Option<SignInPolicyType>,
    tier: Option<&str>,
) -> ApiResult<SignInPolicyType> {
    let factors = given
        .and_then(|p| p.allowed_first_auth_factors)
        .unwrap_or_else(default_factors);
    if factors.is_empty() || factors.len() > 5 {
        return Err(ApiError::invalid(
            "AllowedFirstAuthFactors must hold between 1 and 5 factors.",
        ));
    }
    for factor in &factors {
        match factor.as_str() {
            "PASSWORD" | "EMAIL_OTP" | "SMS_OTP" | "WEB_AUTHN" => {}
            "SOFTWARE_TOKEN" => {
                return Err(ApiError::invalid(
                    "SOFTWARE_TOKEN is not supported as a first auth factor.",
                ));
            }
            other => {
                return Err(ApiError::invalid(format!(
                    "Invalid AllowedFirstAuthFactors value {other}."
                )));
            }
        }
    }
    if tier == Some("LITE") && factors.iter().any(|f| f != "PASSWORD") {
        return Err(not_in_tier("Passwordless sign-in"));
    }
    Ok(SignInPolicyType {
        allowed_first_auth_factors: Some(factors),
    })
}

/// ALLOW_USER_AUTH on an app client needs the pool in the Essentials tier or higher
/// (ExplicitAuthFlowsType, API reference of CreateUserPoolClient: "To activate this setting,
/// your user pool must be in the Essentials tier or higher").
pub fn check_client_flows(pool: &Pool, flows: &[ExplicitAuthFlowsType]) -> ApiResult<()> {
    let lite = pool.wire().user_pool_tier.as_deref() == Some("LITE");
    if lite && flows.contains(&ExplicitAuthFlowsType::AllowUserAuth) {
        return Err(not_in_tier("ALLOW_USER_AUTH"));
    }
    Ok(())
}

/// ⚠ The exception is the model's; the wording is ours.
fn not_in_tier(feature: &str) -> ApiError {
    ApiError::new(
        "FeatureUnavailableInTierException",
        format!("{feature} is not available in the LITE feature plan of this user pool."),
    )
}

/// The first-factor challenges user `key` can take, in the order the pool lists its factors.
fn available(pool: &Pool, key: &str) -> ApiResult<Vec<Choice>> {
    let verified_email = pool
        .with_user(key, |u| {
            u.attribute("email").is_some_and(|e| !e.is_empty())
                && u.attribute("email_verified") == Some("true")
        })
        .ok_or_else(ApiError::user_not_found)?;
    let mfa_required =
        pool.mfa.read().unwrap_or_else(|e| e.into_inner()).mode == UserPoolMfaType::On;
    let mut out = Vec::new();
    for factor in first_factors(pool) {
        match factor.as_str() {
            "PASSWORD" => out.extend([Choice::Password, Choice::PasswordSrp]),
            "EMAIL_OTP" if verified_email && !mfa_required => out.push(Choice::EmailOtp),
            _ => {}
        }
    }
    out.dedup();
    Ok(out)
}

/// InitiateAuth / AdminInitiateAuth USER_AUTH (the caller has checked ALLOW_USER_AUTH).
pub(super) fn initiate(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    params: &BTreeMap<String, String>,
) -> ApiResult<FirstFactor> {
    let username = param(params, "USERNAME")?;
    let key = sign_in_user(pool, client, username)?;
    check_user_secret_hash(
        pool,
        client,
        &key,
        username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let choices = available(pool, &key)?;
    let preferred = params
        .get("PREFERRED_CHALLENGE")
        .and_then(|p| Choice::parse(p))
        .filter(|c| choices.contains(c));
    match preferred {
        Some(choice) => start(store, pool, client, &key, choice),
        None => {
            let session = open_session(
                store,
                pool,
                &client.id,
                &key,
                ChallengeKind::SelectChallenge,
            );
            Ok(FirstFactor::Answered(Box::new(AuthAnswer {
                challenge_name: Some(ChallengeNameType::SelectChallenge),
                session: Some(session),
                challenge_parameters: Some(ParamMap::new()),
                authentication_result: None,
                available_challenges: Some(choices.iter().map(|c| c.challenge()).collect()),
            })))
        }
    }
}

/// Starts the first factor `choice` for user `key`.
fn start(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    key: &str,
    choice: Choice,
) -> ApiResult<FirstFactor> {
    Ok(match choice {
        Choice::Password => FirstFactor::Password(key.into()),
        Choice::PasswordSrp => FirstFactor::PasswordSrp,
        Choice::EmailOtp => {
            FirstFactor::Answered(Box::new(send_email_otp(store, pool, client, key)?))
        }
    })
}

/// Opens an EMAIL_OTP challenge and "sends" its code: the code is readable on
/// `/_harness/codes` as `EmailOtp`, as confirmation codes are. A new code replaces the user's
/// previous one.
fn send_email_otp(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    key: &str,
) -> ApiResult<AuthAnswer> {
    let now = store.now_ms();
    let session = open_session(store, pool, &client.id, key, ChallengeKind::EmailOtp);
    let validity_ms = client.auth_session_validity_mins * 60_000;
    let email = pool
        .with_user(key, |u| {
            if u.status == Status::Unconfirmed {
                return Err(ApiError::new(
                    "UserNotConfirmedException",
                    "User is not confirmed.",
                ));
            }
            if !u.enabled {
                return Err(ApiError::not_authorized("User is disabled."));
            }
            u.email_otp = Some(Box::new(EmailOtp::random(now, validity_ms, &session)));
            Ok(u.attribute("email").unwrap_or_default().to_owned())
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()));
    let email = match email {
        Ok(email) => email,
        Err(e) => {
            end_session(store, &session);
            return Err(e);
        }
    };
    let params = ParamMap::new()
        .with("CODE_DELIVERY_DELIVERY_MEDIUM", "EMAIL")
        .with("CODE_DELIVERY_DESTINATION", super::mask_destination(&email));
    Ok(AuthAnswer {
        challenge_name: Some(ChallengeNameType::EmailOtp),
        session: Some(session),
        challenge_parameters: Some(params),
        authentication_result: None,
        available_challenges: None,
    })
}

/// The answer's USERNAME (and SECRET_HASH) must name the user the session was opened for.
fn check_answer_user(
    pool: &Pool,
    client: &AppClient,
    pending: &ChallengePending,
    responses: &BTreeMap<String, String>,
) -> ApiResult<()> {
    let username = param(responses, "USERNAME")?;
    if pool.resolve(username).as_deref() != Some(&*pending.user_key) {
        return Err(invalid_session());
    }
    check_user_secret_hash(
        pool,
        client,
        &pending.user_key,
        username,
        responses.get("SECRET_HASH").map(String::as_str),
    )
}

/// RespondToAuthChallenge SELECT_CHALLENGE: USERNAME and ANSWER, with the chosen challenge's
/// parameters. The session is single use.
pub(super) fn respond_select(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<FirstFactor> {
    let pending = pending_challenge(
        store,
        pool,
        client,
        session,
        ChallengeKind::SelectChallenge,
        SessionUse::Take,
    )?;
    check_answer_user(pool, client, &pending, responses)?;
    let answer = param(responses, "ANSWER")?;
    let choices = available(pool, &pending.user_key)?;
    let choice = Choice::parse(answer)
        .filter(|c| choices.contains(c))
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "The challenge {answer} is not available for this user."
            ))
        })?;
    start(store, pool, client, &pending.user_key, choice)
}

/// Why an EMAIL_OTP code was refused.
enum Refusal {
    Mismatch,
    GaveUp,
    Gone,
}

/// RespondToAuthChallenge EMAIL_OTP: USERNAME and EMAIL_OTP_CODE. A wrong code is
/// CodeMismatchException and leaves the session for another try, up to
/// [`EmailOtp::MAX_FAILURES`]; the right one is used up and completes the sign-in.
pub(super) fn respond_email_otp(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let pending = pending_challenge(
        store,
        pool,
        client,
        session,
        ChallengeKind::EmailOtp,
        SessionUse::Peek,
    )?;
    let session = session.unwrap_or_default();
    check_answer_user(pool, client, &pending, responses)?;
    let code = param(responses, "EMAIL_OTP_CODE")?;
    let now = store.now_ms();
    // Checked and used up under the user's lock, so two answers with one code cannot both pass.
    let verdict = pool
        .with_user(&pending.user_key, |u| {
            let Some(otp) = u
                .email_otp
                .as_deref_mut()
                .filter(|o| &*o.session == session && now <= o.expires_ms)
            else {
                return Err(Refusal::Gone);
            };
            if crate::protocol::Sensitive::new(otp.as_str()).ct_eq(code) {
                u.email_otp = None;
                return Ok(u.enabled);
            }
            otp.failures = otp.failures.saturating_add(1);
            if otp.failures >= EmailOtp::MAX_FAILURES {
                u.email_otp = None;
                return Err(Refusal::GaveUp);
            }
            Err(Refusal::Mismatch)
        })
        .unwrap_or(Err(Refusal::Gone));
    let mismatch = || ApiError::new("CodeMismatchException", "Invalid code received for user");
    match verdict {
        Ok(enabled) => {
            end_session(store, session);
            if !enabled {
                return Err(ApiError::not_authorized("User is disabled."));
            }
            issue_sign_in(store, pool, client, &pending.user_key)
        }
        Err(Refusal::Mismatch) => Err(mismatch()),
        Err(Refusal::GaveUp) => {
            end_session(store, session);
            Err(mismatch())
        }
        Err(Refusal::Gone) => {
            end_session(store, session);
            Err(invalid_session())
        }
    }
}
