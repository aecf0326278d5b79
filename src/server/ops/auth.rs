//! Authentication: InitiateAuth and RespondToAuthChallenge with their Admin forms (password,
//! SRP, refresh, NEW_PASSWORD_REQUIRED), lockout after failed passwords, and the sign-outs
//! (GlobalSignOut, RevokeToken, AdminUserGlobalSignOut) ("User pool authentication flow"), and
//! GetTokensFromRefreshToken, the refresh Amplify JS v6 uses.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::sign_in::{
    AuthAnswer, SessionUse, issue_sign_in, open_session, pending_challenge, sign_in_user,
};
use super::user_auth::FirstFactor;
use super::{
    Handle, admin_user, check_secret_hash, check_user_secret_hash, invalid_password, locked, param,
    record_failure,
};
use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{
    AppClient, ChallengeKind, ChallengePending, Pool, SrpPending, Status, Store,
};
use crate::server::tokens;
use crate::srp::{PasswordVerifierResponse, ServerSession, SrpError, Verifier};

impl Handle for GlobalSignOutRequest {
    fn handle(self, store: &Store) -> ApiResult<GlobalSignOutResponse> {
        let req = self;
        let token = tokens::check_admin_access_token(store, req.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        pool.with_user(&token.user_key, |user| {
            user.generation = user.generation.wrapping_add(1);
        });
        Ok(GlobalSignOutResponse {})
    }
}

impl Handle for RevokeTokenRequest {
    fn handle(self, store: &Store) -> ApiResult<RevokeTokenResponse> {
        let req = self;
        let (_pool, client) = store.pool_of_client(&req.client_id)?;
        if let Some(secret) = &client.secret {
            let given = req.client_secret.as_ref().map(|s| s.expose()).unwrap_or("");
            if !crate::protocol::Sensitive::new(secret.as_str()).ct_eq(given) {
                return Err(ApiError::new(
                    "UnauthorizedException",
                    format!("Unable to verify client secret for client {}", client.id),
                ));
            }
        }
        if !client.enable_token_revocation {
            return Err(ApiError::new(
                "UnsupportedOperationException",
                "Token revocation isn't enabled for this client.",
            ));
        }
        // An unknown token is not an error (RFC 7009 §2.2, "Revoking tokens").
        if !tokens::revoke_refresh_token(store, req.token.expose(), &client.id) {
            return Err(ApiError::invalid(
                "The token was not issued to this client.",
            ));
        }
        Ok(RevokeTokenResponse {})
    }
}

/// AdminUserGlobalSignOut: revokes every refresh token of the user, as GlobalSignOut does.
impl Handle for AdminUserGlobalSignOutRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminUserGlobalSignOutResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let key = admin_user(&pool, &req.username)?;
        pool.with_user(&key, |user| {
            user.generation = user.generation.wrapping_add(1);
        })
        .ok_or_else(ApiError::user_not_found)?;
        Ok(AdminUserGlobalSignOutResponse {})
    }
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

/// The flow's `ALLOW_*` name for the error message.
fn require_flow(client: &AppClient, flow: ExplicitAuthFlowsType, name: &str) -> ApiResult<()> {
    if client.allows(&flow) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "{name} flow not enabled for this client"
        )))
    }
}

impl Handle for InitiateAuthRequest {
    fn handle(self, store: &Store) -> ApiResult<InitiateAuthResponse> {
        let req = self;
        let (pool, client) = store.pool_of_client(&req.client_id)?;
        let params = req
            .auth_parameters
            .map(|p| p.into_inner())
            .unwrap_or_default();
        initiate(store, &pool, &client, &req.auth_flow, &params, false)
            .map(AuthAnswer::into_initiate)
    }
}

impl Handle for AdminInitiateAuthRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminInitiateAuthResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let client = pool.client(&req.client_id)?;
        let params = req
            .auth_parameters
            .map(|p| p.into_inner())
            .unwrap_or_default();
        let a = initiate(store, &pool, &client, &req.auth_flow, &params, true)?;
        Ok(AdminInitiateAuthResponse {
            challenge_name: a.challenge_name,
            session: a.session.map(Into::into),
            challenge_parameters: a.challenge_parameters,
            authentication_result: a.authentication_result,
            available_challenges: a.available_challenges,
        })
    }
}

fn initiate(
    store: &Store,
    pool: &Arc<Pool>,
    client: &AppClient,
    flow: &AuthFlowType,
    params: &BTreeMap<String, String>,
    admin: bool,
) -> ApiResult<AuthAnswer> {
    let not_supported = || ApiError::invalid("Initiate Auth method not supported.");
    match flow {
        AuthFlowType::UserSrpAuth => {
            require_flow(
                client,
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                "USER_SRP_AUTH",
            )?;
            srp_initiate(store, pool, client, params)
        }
        // Choice-based sign-in, in InitiateAuth and AdminInitiateAuth alike (service model
        // AuthFlowType; AdminInitiateAuth's AuthParameters list USER_AUTH too).
        AuthFlowType::UserAuth => {
            require_flow(client, ExplicitAuthFlowsType::AllowUserAuth, "USER_AUTH")?;
            let start = super::user_auth::initiate(store, pool, client, params)?;
            first_factor(store, pool, client, start, params)
        }
        AuthFlowType::UserPasswordAuth if !admin => {
            require_flow(
                client,
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                "USER_PASSWORD_AUTH",
            )?;
            password_auth(store, pool, client, params)
        }
        AuthFlowType::AdminUserPasswordAuth | AuthFlowType::AdminNoSrpAuth if admin => {
            require_flow(
                client,
                ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                "ADMIN_USER_PASSWORD_AUTH",
            )?;
            password_auth(store, pool, client, params)
        }
        AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => {
            require_flow(
                client,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                "REFRESH_TOKEN",
            )?;
            refresh(store, pool, client, params)
        }
        AuthFlowType::CustomAuth => Err(ApiError::invalid(
            "Custom auth lambda trigger is not configured for the user pool.",
        )),
        _ => Err(not_supported()),
    }
}

/// Runs the first factor a choice-based sign-in chose (`super::user_auth`) with the
/// parameters that came with the choice: the password factors run here, as the classic flows
/// do (PASSWORD then NEW_PASSWORD_REQUIRED and MFA; PASSWORD_SRP answered with
/// PASSWORD_VERIFIER); USER_AUTH "can do username-password and SRP authentication without
/// other ExplicitAuthFlows permitting them" (ExplicitAuthFlowsType, service model).
fn first_factor(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    start: FirstFactor,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    match start {
        FirstFactor::Password(key) => {
            let password = param(params, "PASSWORD")?;
            check_sign_in_password(pool, &key, password, store.now_ms())?;
            complete_sign_in(store, pool, client, &key)
        }
        FirstFactor::PasswordSrp => srp_initiate(store, pool, client, params),
        FirstFactor::Answered(answer) => Ok(*answer),
    }
}

/// After the password: the NEW_PASSWORD_REQUIRED challenge for a FORCE_CHANGE_PASSWORD user,
/// else the MFA challenge the pool asks for (`super::mfa`), else tokens.
fn complete_sign_in(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    key: &str,
) -> ApiResult<AuthAnswer> {
    let status = pool.with_user(key, |u| {
        (u.status, u.username.clone(), u.attributes.clone())
    });
    let Some((status, username, attributes)) = status else {
        return Err(ApiError::user_not_found());
    };
    if status == Status::ForceChangePassword {
        let session = open_session(
            store,
            pool,
            &client.id,
            key,
            ChallengeKind::NewPasswordRequired,
        );
        let user_attributes: serde_json::Map<String, serde_json::Value> = attributes
            .iter()
            .filter(|(n, _)| !n.ends_with("_verified"))
            .map(|(n, v)| (n.to_string(), serde_json::Value::String(v.to_string())))
            .collect();
        let params = ParamMap::new()
            .with("USER_ID_FOR_SRP", &*username)
            .with("requiredAttributes", "[]")
            .with(
                "userAttributes",
                serde_json::Value::Object(user_attributes).to_string(),
            );
        return Ok(AuthAnswer {
            challenge_name: Some(ChallengeNameType::NewPasswordRequired),
            session: Some(session),
            challenge_parameters: Some(params),
            authentication_result: None,
            available_challenges: None,
        });
    }
    if let Some(challenge) = super::mfa::second_factor_challenge(store, pool, client, key)? {
        return Ok(challenge);
    }
    issue_sign_in(store, pool, client, key)
}

fn password_auth(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let username = param(params, "USERNAME")?;
    let password = param(params, "PASSWORD")?;
    let key = sign_in_user(pool, client, username)?;
    let now = store.now_ms();
    check_user_secret_hash(
        pool,
        client,
        &key,
        username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    check_sign_in_password(pool, &key, password, now)?;
    complete_sign_in(store, pool, client, &key)
}

/// The password sign-in checks of user `key`, in Cognito's order: confirmed, enabled, not
/// locked out, then the password (a failure counts towards the lockout).
pub(crate) fn check_sign_in_password(
    pool: &Pool,
    key: &str,
    password: &str,
    now: i64,
) -> ApiResult<()> {
    pool.with_user(key, |user| {
        // The confirmation check comes before the password check (§2.27).
        if user.status == Status::Unconfirmed {
            return Err(ApiError::new(
                "UserNotConfirmedException",
                "User is not confirmed.",
            ));
        }
        if user.status == Status::ResetRequired {
            return Err(password_reset_required());
        }
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        if locked(user, now) {
            return Err(ApiError::not_authorized("Password attempts exceeded"));
        }
        let expired_temp =
            user.status == Status::ForceChangePassword && now > user.temporary_expires_ms;
        if !user.password_matches(password) || expired_temp {
            record_failure(user, now);
            return Err(ApiError::bad_credentials());
        }
        user.lockout = Default::default();
        Ok(())
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

/// A RESET_REQUIRED user's sign-in (after AdminResetUserPassword): PasswordResetRequiredException,
/// a declared error of InitiateAuth ("This exception is thrown when a password reset is
/// required", service model); ⚠ the wording is the one quoted in public questions, not a
/// capture of ours.
fn password_reset_required() -> ApiError {
    ApiError::new(
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )
}

fn refresh(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    // "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with refresh token
    // rotation enabled" (developer guide, "Refresh tokens"; API reference
    // RefreshTokenRotationType: "Refresh token rotation must be completed with
    // GetTokensFromRefreshToken"). ⚠ No capture of the refusal was found: the type is the
    // model's UnsupportedOperationException ("an operation that isn't enabled for the user
    // pool client"), the wording ours.
    if client.rotation_grace_secs.is_some() {
        return Err(ApiError::new(
            "UnsupportedOperationException",
            "Refresh token rotation is enabled for this app client: refresh with GetTokensFromRefreshToken.",
        ));
    }
    let token = param(params, "REFRESH_TOKEN")?;
    let secret_hash = params.get("SECRET_HASH").map(String::as_str);
    let result = refresh_session(store, pool, client, token, false, |internal, sub| {
        check_secret_hash(client, &[internal, sub], secret_hash)
    })?;
    Ok(AuthAnswer {
        challenge_name: None,
        session: None,
        challenge_parameters: Some(ParamMap::new()),
        authentication_result: Some(result),
        available_challenges: None,
    })
}

/// New ID and access tokens for `token`, a refresh token of `client`, once `check_secret`
/// (given the user's internal name and sub) accepts the caller: REFRESH_TOKEN_AUTH and
/// GetTokensFromRefreshToken share it. With `rotate` the answer carries a new refresh token
/// (a new sign-in record with the same `auth_time`) and the submitted one is rotated out.
fn refresh_session(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    token: &str,
    rotate: bool,
    check_secret: impl FnOnce(&str, &str) -> ApiResult<()>,
) -> ApiResult<AuthenticationResultType> {
    let invalid = || ApiError::not_authorized("Invalid Refresh Token.");
    let origin = tokens::parse_refresh_token(store, token).ok_or_else(invalid)?;
    let now = store.now_ms();
    let record = tokens::sign_in_record(store, &origin).ok_or_else(invalid)?;
    if record.pool_id != pool.id || record.client_id != client.id {
        return Err(invalid());
    }
    let names = pool.with_user(&record.user_key, |u| {
        (
            u.username.clone(),
            u.sub.to_string(),
            u.generation,
            u.enabled,
        )
    });
    let (internal, sub, current_generation, enabled) = names.ok_or_else(invalid)?;
    check_secret(&internal, &sub)?;
    if !enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if record.revoked_for(current_generation) {
        return Err(ApiError::not_authorized("Refresh Token has been revoked"));
    }
    if now > record.refresh_expires_ms {
        return Err(ApiError::not_authorized("Refresh Token has expired"));
    }
    // A rotated-out token works for the grace period after its rotation, then is
    // RefreshTokenReuseException ("a refresh token that has been invalidated by refresh-token
    // rotation", service model; ⚠ the wording is ours).
    if let Some(rotated) = record.rotated_out_ms {
        let grace_ms = client.rotation_grace_secs.unwrap_or(0).saturating_mul(1000);
        if now > rotated.saturating_add(grace_ms) || grace_ms == 0 {
            return Err(ApiError::new(
                "RefreshTokenReuseException",
                "Refresh token has been rotated and is no longer valid.",
            ));
        }
    }
    if rotate {
        let (new_origin, new_token) = tokens::new_sign_in(
            store,
            pool,
            client,
            &record.user_key,
            record.generation,
            record.auth_time,
        );
        tokens::rotate_out(store, &origin, now);
        return pool
            .with_user(&record.user_key, |u| {
                tokens::issue(
                    store,
                    pool,
                    client,
                    u,
                    new_origin,
                    record.auth_time,
                    Some(new_token),
                )
            })
            .ok_or_else(invalid)?;
    }
    // No new refresh token on refresh; auth_time and origin_jti carry over.
    pool.with_user(&record.user_key, |u| {
        tokens::issue(store, pool, client, u, origin, record.auth_time, None)
    })
    .ok_or_else(invalid)?
}

/// GetTokensFromRefreshToken (service model, 2016-04-18): "issues a new refresh token and
/// invalidates the original refresh token after an optional grace period when refresh token
/// rotation is enabled. If refresh token rotation is disabled, issues new ID and access tokens
/// only" — the client's `RefreshTokenRotation` decides. A client with a secret needs
/// `ClientSecret`, the secret itself; a missing or wrong one is NotAuthorizedException (a
/// declared error of the operation; no capture of the real message was found, so it is the
/// SECRET_HASH refusal's wording).
impl Handle for GetTokensFromRefreshTokenRequest {
    fn handle(self, store: &Store) -> ApiResult<GetTokensFromRefreshTokenResponse> {
        let req = self;
        let (pool, client) = store.pool_of_client(&req.client_id)?;
        let given = req.client_secret.as_ref().map(|s| s.expose());
        let rotate = client.rotation_grace_secs.is_some();
        let result = refresh_session(
            store,
            &pool,
            &client,
            req.refresh_token.expose(),
            rotate,
            |_, _| check_client_secret(&client, given),
        )?;
        Ok(GetTokensFromRefreshTokenResponse {
            authentication_result: Some(result),
        })
    }
}

fn check_client_secret(client: &AppClient, given: Option<&str>) -> ApiResult<()> {
    match (&client.secret, given.filter(|g| !g.is_empty())) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::invalid(format!(
            "Client {} is not configured for secret but secret was received",
            client.id
        ))),
        (Some(secret), given) => {
            if crate::protocol::Sensitive::new(secret.as_str()).ct_eq(given.unwrap_or("")) {
                Ok(())
            } else {
                Err(ApiError::not_authorized(format!(
                    "Unable to verify secret hash for client {}",
                    client.id
                )))
            }
        }
    }
}

fn srp_error(e: SrpError) -> ApiError {
    match e {
        SrpError::ZeroA | SrpError::BadHex { .. } | SrpError::MalformedTimestamp => {
            ApiError::invalid(e.to_string())
        }
        _ => ApiError::bad_credentials(),
    }
}

/// The decoy an unknown user gets under PreventUserExistenceErrors: a salt and a UUID internal
/// user id, both stable per pool and user name ("Managing error responses": "the same 'salt'
/// and internal user id in UUID format for the same user name and user pool combination"),
/// and a verifier `v` nobody knows the password of.
///
/// `v` is drawn from the same hash (384 bytes reduced modulo N), not computed as `g^x`: a known
/// user's verifier is read from the store, so an exponentiation here would make the unknown
/// user's InitiateAuth the slower one. From there on the decoy runs the same arithmetic as a
/// real sign-in (B = kv + g^b, then S at PASSWORD_VERIFIER), so the two cost the server the
/// same time (`examples/srp_decoy_cost.rs` measures it).
fn decoy_identity(pool_id: &str, username: &str) -> ApiResult<(Box<str>, Verifier)> {
    let block = |i: u8| {
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        ctx.update(pool_id.as_bytes());
        ctx.update(&[0]);
        ctx.update(username.as_bytes());
        ctx.update(&[0, i]);
        ctx.finish()
    };
    let d = block(0);
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&d.as_ref()[..16]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&d.as_ref()[16..]);
    let user_id = uuid::Builder::from_random_bytes(id).into_uuid().to_string();
    let v_bytes: Vec<u8> = (1..=12u8)
        .flat_map(|i| block(i).as_ref().to_vec())
        .collect();
    let v = num_bigint::BigUint::from_bytes_be(&v_bytes) % &*crate::srp::math::N;
    let v = if v < num_bigint::BigUint::from(2u8) {
        num_bigint::BigUint::from(2u8)
    } else {
        v
    };
    let salt_hex = crate::srp::math::to_wire_hex(&num_bigint::BigInt::from(
        num_bigint::BigUint::from_bytes_be(&salt),
    ));
    let verifier = Verifier::from_parts(&salt_hex, &v).map_err(srp_error)?;
    Ok((user_id.into_boxed_str(), verifier))
}

/// The SRP start (USERNAME, SRP_A) answered with PASSWORD_VERIFIER: USER_SRP_AUTH, and the
/// PASSWORD_SRP challenge of a choice-based sign-in. The caller checks the flow is allowed.
fn srp_initiate(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let username = param(params, "USERNAME")?;
    let srp_a = param(params, "SRP_A")?;
    let now = store.now_ms();
    let key = pool.resolve(username);
    let (user_key, internal, user_id_for_srp, verifier) = match key {
        Some(key) => {
            let found = pool.with_user(&key, |u| {
                (
                    u.username.clone(),
                    u.sub.to_string(),
                    u.verifier.clone(),
                    u.status,
                    locked(u, now),
                    u.enabled,
                )
            });
            let (internal, sub, verifier, status, is_locked, enabled) =
                found.ok_or_else(ApiError::user_not_found)?;
            check_secret_hash(
                client,
                &[username, &internal, &sub],
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            if status == Status::Unconfirmed {
                return Err(ApiError::new(
                    "UserNotConfirmedException",
                    "User is not confirmed.",
                ));
            }
            if status == Status::ResetRequired {
                return Err(password_reset_required());
            }
            if !enabled {
                return Err(ApiError::not_authorized("User is disabled."));
            }
            if is_locked {
                return Err(ApiError::not_authorized("Password attempts exceeded"));
            }
            (Some(key), internal.clone(), internal, verifier)
        }
        None if client.prevent_user_existence_errors => {
            check_secret_hash(
                client,
                &[username],
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            let (user_id, verifier) = decoy_identity(&pool.id, username)?;
            (None, username.into(), user_id, verifier)
        }
        None => return Err(ApiError::user_not_found()),
    };
    let session = ServerSession::from_rng(&verifier, srp_a, &mut rand::rng()).map_err(srp_error)?;
    let secret_block = {
        let mut bytes = [0u8; 64];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        crate::srp::math::encode_secret_block(&bytes)
    };
    let params = ParamMap::new()
        .with("SALT", verifier.salt_hex())
        .with("SECRET_BLOCK", &secret_block)
        .with("SRP_B", session.b_pub_hex())
        .with("USERNAME", &*internal)
        .with("USER_ID_FOR_SRP", &*user_id_for_srp);
    store.srp_pending.insert_expiring(
        secret_block.clone(),
        SrpPending {
            pool_id: pool.id.clone(),
            client_id: client.id.clone(),
            user_key,
            username: internal,
            session,
            expires_ms: now + client.auth_session_validity_mins * 60_000,
        },
        now,
        |p| p.expires_ms,
    );
    Ok(AuthAnswer {
        challenge_name: Some(ChallengeNameType::PasswordVerifier),
        session: None,
        challenge_parameters: Some(params),
        authentication_result: None,
        available_challenges: None,
    })
}

impl Handle for RespondToAuthChallengeRequest {
    fn handle(self, store: &Store) -> ApiResult<RespondToAuthChallengeResponse> {
        let req = self;
        let (pool, client) = store.pool_of_client(&req.client_id)?;
        let responses = req
            .challenge_responses
            .map(|p| p.into_inner())
            .unwrap_or_default();
        let session = req.session.as_ref().map(|s| s.expose());
        respond(
            store,
            &pool,
            &client,
            &req.challenge_name,
            session,
            &responses,
        )
        .map(AuthAnswer::into_respond)
    }
}

impl Handle for AdminRespondToAuthChallengeRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminRespondToAuthChallengeResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let client = pool.client(&req.client_id)?;
        let responses = req
            .challenge_responses
            .map(|p| p.into_inner())
            .unwrap_or_default();
        let session = req.session.as_ref().map(|s| s.expose());
        let a = respond(
            store,
            &pool,
            &client,
            &req.challenge_name,
            session,
            &responses,
        )?;
        Ok(AdminRespondToAuthChallengeResponse {
            challenge_name: a.challenge_name,
            session: a.session.map(Into::into),
            challenge_parameters: a.challenge_parameters,
            authentication_result: a.authentication_result,
        })
    }
}

fn respond(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    challenge: &ChallengeNameType,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    match challenge {
        ChallengeNameType::PasswordVerifier => password_verifier(store, pool, client, responses),
        ChallengeNameType::NewPasswordRequired => {
            new_password_required(store, pool, client, session, responses)
        }
        ChallengeNameType::SoftwareTokenMfa => {
            super::mfa::respond_software_token(store, pool, client, session, responses)
        }
        ChallengeNameType::MfaSetup => {
            super::mfa::respond_mfa_setup(store, pool, client, session, responses)
        }
        ChallengeNameType::SelectChallenge => {
            let start = super::user_auth::respond_select(store, pool, client, session, responses)?;
            first_factor(store, pool, client, start, responses)
        }
        ChallengeNameType::EmailOtp => {
            super::user_auth::respond_email_otp(store, pool, client, session, responses)
        }
        other => Err(ApiError::invalid(format!(
            "Challenge {} is not supported for this user pool.",
            other.as_str()
        ))),
    }
}

fn password_verifier(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let username = param(responses, "USERNAME")?;
    let secret_block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let timestamp = param(responses, "TIMESTAMP")?;
    let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    // Single use: the pending challenge is taken out whatever the outcome.
    let pending = store
        .srp_pending
        .with(secret_block, |m| m.remove(secret_block))
        .ok_or_else(ApiError::bad_credentials)?;
    let now = store.now_ms();
    if pending.pool_id != pool.id || pending.client_id != client.id || now > pending.expires_ms {
        return Err(ApiError::bad_credentials());
    }
    let sub = pending
        .user_key
        .as_ref()
        .and_then(|k| pool.with_user(k, |u| u.sub.to_string()))
        .unwrap_or_default();
    check_secret_hash(
        client,
        &[username, &pending.username, &sub],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    let answer = PasswordVerifierResponse {
        username: username.to_owned(),
        password_claim_secret_block: secret_block.to_owned(),
        timestamp: timestamp.to_owned(),
        password_claim_signature: signature.to_owned(),
    };
    // The decoy's claim is checked with the same arithmetic as a real one (S, K, the
    // signature), so its answer costs the same time; it can only fail.
    let verified = pending.session.verify(&pool.id, &pending.username, &answer);
    let Some(key) = pending.user_key.clone() else {
        return Err(verified
            .err()
            .map_or_else(ApiError::bad_credentials, srp_error));
    };
    pool.with_user(&key, |user| {
        if locked(user, now) {
            return Err(ApiError::not_authorized("Password attempts exceeded"));
        }
        match verified {
            Ok(_) => {
                user.lockout = Default::default();
                if user.status == Status::ForceChangePassword && now > user.temporary_expires_ms {
                    return Err(ApiError::bad_credentials());
                }
                Ok(())
            }
            Err(SrpError::SignatureMismatch) => {
                record_failure(user, now);
                Err(ApiError::bad_credentials())
            }
            Err(e) => Err(srp_error(e)),
        }
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))?;
    complete_sign_in(store, pool, client, &key)
}

fn new_password_required(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    // Taken out while it is checked, so two answers cannot both set a password; a password
    // the policy refuses puts it back for another try, as Cognito's does.
    let pending = pending_challenge(
        store,
        pool,
        client,
        session,
        ChallengeKind::NewPasswordRequired,
        SessionUse::Take,
    )?;
    let session = session.unwrap_or_default();
    let now = store.now_ms();
    let username = param(responses, "USERNAME")?;
    let new_password = param(responses, "NEW_PASSWORD")?;
    check_user_secret_hash(
        pool,
        client,
        &pending.user_key,
        username,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    if let Err(message) = pool.policy().check(new_password) {
        // The session stays usable for another try, as Cognito's does.
        store
            .challenges
            .insert_expiring(session.to_owned(), pending_again(&pending), now, |p| {
                p.expires_ms
            });
        return Err(invalid_password(message));
    }
    pool.with_user(&pending.user_key, |user| {
        user.set_password(&pool.id, new_password)?;
        user.status = Status::Confirmed;
        user.modified_ms = now;
        for (name, value) in responses {
            if let Some(attr) = name.strip_prefix("userAttributes.") {
                user.set_attribute(attr, value);
            }
        }
        Ok::<(), ApiError>(())
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))?;
    complete_sign_in(store, pool, client, &pending.user_key)
}

fn pending_again(p: &ChallengePending) -> ChallengePending {
    ChallengePending {
        pool_id: p.pool_id.clone(),
        client_id: p.client_id.clone(),
        user_key: p.user_key.clone(),
        kind: p.kind,
        expires_ms: p.expires_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_srp_decoy_is_stable_per_pool_and_name_and_differs_between_names() {
        let (id1, v1) = decoy_identity("us-east-1_Pool1", "nobody").unwrap();
        let (id2, v2) = decoy_identity("us-east-1_Pool1", "nobody").unwrap();
        assert_eq!(id1, id2);
        assert_eq!(v1, v2, "same salt and verifier on every request");
        assert!(
            uuid::Uuid::parse_str(&id1).is_ok(),
            "USER_ID_FOR_SRP is a UUID"
        );
        let (id3, v3) = decoy_identity("us-east-1_Pool1", "somebody").unwrap();
        let (id4, _) = decoy_identity("us-east-1_Pool2", "nobody").unwrap();
        assert_ne!(id1, id3);
        assert_ne!(id1, id4);
        assert_ne!(v1.salt_hex(), v3.salt_hex());
        // A full-width residue, as g^x would be, not a small number.
        assert!(v1.v().bits() > 3000);
    }
}
