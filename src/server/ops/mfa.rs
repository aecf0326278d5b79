//! Software-token (TOTP) MFA: AssociateSoftwareToken, VerifySoftwareToken, the MFA
//! preferences, the pool's MFA configuration, and the two challenges a sign-in meets after
//! its password (SOFTWARE_TOKEN_MFA, MFA_SETUP). The rules a code is checked by are in
//! [`crate::server::mfa`], with their sources.
//!
//! Messages: "Software Token MFA has not been enabled by the userPool." (developer guide,
//! "TOTP software token MFA"); EnableSoftwareTokenMFAException "Code mismatch and fail enable
//! Software Token MFA" (a real answer quoted in aws-samples/aws-amplify-auth-starters#15);
//! "Software Token MFA does not exist for the user." (a real answer quoted in
//! amazon-archives/amazon-cognito-identity-js#630); ExpiredCodeException "Your software token
//! has already been used once." (moto `test_user_authentication_flow_mfa_on`, aws_verified).

use std::collections::BTreeMap;

use super::sign_in::{
    AuthAnswer, SessionUse, end_session, issue_sign_in, open_session, peek_or_take,
    pending_challenge,
};
use super::{Handle, admin_user, check_user_secret_hash, missing, param};
use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::mfa::{self, CodeRefusal, SecondFactor, UserMfa};
use crate::server::store::{AppClient, ChallengeKind, Pool, Store};
use crate::server::tokens;

const NOT_ENABLED_BY_POOL: &str = "Software Token MFA has not been enabled by the userPool.";

/// The challenge a sign-in meets after its password, if any: SOFTWARE_TOKEN_MFA for a user
/// whose token the pool asks for, MFA_SETUP (with `MFAS_CAN_SETUP`, service model
/// RespondToAuthChallenge) for a user a pool with MFA ON has no token of (ground truth §55).
pub(super) fn second_factor_challenge(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    key: &str,
) -> ApiResult<Option<AuthAnswer>> {
    let config = pool.mfa.read().unwrap_or_else(|e| e.into_inner()).clone();
    let found = pool.with_user(key, |u| {
        (
            mfa::second_factor(&config, u.mfa.as_deref()),
            u.username.clone(),
        )
    });
    let (factor, username) = found.ok_or_else(ApiError::user_not_found)?;
    let (kind, name, params) = match factor {
        SecondFactor::None => return Ok(None),
        SecondFactor::SoftwareToken => (
            ChallengeKind::SoftwareTokenMfa,
            ChallengeNameType::SoftwareTokenMfa,
            ParamMap::new(),
        ),
        SecondFactor::Setup => (
            ChallengeKind::MfaSetup,
            ChallengeNameType::MfaSetup,
            ParamMap::new().with("MFAS_CAN_SETUP", "[\"SOFTWARE_TOKEN_MFA\"]"),
        ),
    };
    let session = open_session(store, pool, &client.id, key, kind);
    Ok(Some(AuthAnswer {
        challenge_name: Some(name),
        session: Some(session),
        challenge_parameters: Some(params.with("USER_ID_FOR_SRP", &*username)),
        authentication_result: None,
        available_challenges: None,
    }))
}

/// RespondToAuthChallenge SOFTWARE_TOKEN_MFA: USERNAME and SOFTWARE_TOKEN_MFA_CODE (service
/// model). A wrong code is CodeMismatchException and leaves the session usable until it
/// expires (the guide asks users to "try again"; it names no number of tries).
pub(super) fn respond_software_token(
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
        ChallengeKind::SoftwareTokenMfa,
        SessionUse::Peek,
    )?;
    // The code check records the step under the user's lock, so two answers racing with one
    // code cannot both pass.
    check_username_and_code(store, pool, client, &pending.user_key, responses)?;
    end_session(store, session.unwrap_or_default());
    issue_sign_in(store, pool, client, &pending.user_key)
}

fn check_username_and_code(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    key: &str,
    responses: &BTreeMap<String, String>,
) -> ApiResult<()> {
    let username = param(responses, "USERNAME")?;
    let code = param(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
    check_user_secret_hash(
        pool,
        client,
        key,
        username,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    let now = store.now_secs();
    pool.with_user(key, |u| {
        let token = u.mfa.as_deref_mut().filter(|m| m.secret.is_some());
        let Some(token) = token else {
            return Err(ApiError::new(
                "SoftwareTokenMFANotFoundException",
                "Software Token MFA does not exist for the user.",
            ));
        };
        let secret = token.secret.clone().unwrap_or_default();
        mfa::accept_code(&secret, &mut token.last_step, code, now).map_err(|r| match r {
            CodeRefusal::Mismatch => {
                ApiError::new("CodeMismatchException", "Invalid code received for user")
            }
            CodeRefusal::AlreadyUsed => already_used(),
        })
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

fn already_used() -> ApiError {
    ApiError::new(
        "ExpiredCodeException",
        "Your software token has already been used once.",
    )
}

/// RespondToAuthChallenge MFA_SETUP: USERNAME and the Session VerifySoftwareToken returned
/// (service model RespondToAuthChallenge; ground truth §61).
pub(super) fn respond_mfa_setup(
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
        ChallengeKind::MfaSetupVerified,
        SessionUse::Peek,
    )?;
    let username = param(responses, "USERNAME")?;
    check_user_secret_hash(
        pool,
        client,
        &pending.user_key,
        username,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    end_session(store, session.unwrap_or_default());
    issue_sign_in(store, pool, client, &pending.user_key)
}

/// Who an AssociateSoftwareToken or VerifySoftwareToken is for: the access token's user, or
/// the MFA_SETUP session's (ended when the call succeeds; the answer carries a new one).
struct TokenCaller {
    pool: std::sync::Arc<Pool>,
    key: Box<str>,
    /// The MFA_SETUP session and its client, when the caller came with one.
    session: Option<(String, String)>,
}

impl TokenCaller {
    /// Ends the caller's session and opens the next one of `kind`.
    fn next_session(&self, store: &Store, kind: ChallengeKind) -> Option<Sensitive> {
        let (session, client_id) = self.session.as_ref()?;
        end_session(store, session);
        Some(open_session(store, &self.pool, client_id, &self.key, kind).into())
    }
}

fn token_caller(
    store: &Store,
    access_token: Option<&Sensitive>,
    session: Option<&Sensitive>,
    kind: ChallengeKind,
) -> ApiResult<TokenCaller> {
    match (access_token, session) {
        (Some(token), _) => {
            let token = tokens::check_admin_access_token(store, token.expose())?;
            Ok(TokenCaller {
                pool: store.pool(&token.pool_id)?,
                key: token.user_key,
                session: None,
            })
        }
        (None, Some(session)) => {
            let pending = peek_or_take(store, session.expose(), kind, SessionUse::Peek)?;
            Ok(TokenCaller {
                pool: store.pool(&pending.pool_id)?,
                key: pending.user_key,
                session: Some((session.expose().to_owned(), pending.client_id)),
            })
        }
        (None, None) => Err(missing("AccessToken")),
    }
}

fn require_pool_software_token(pool: &Pool) -> ApiResult<()> {
    if pool
        .mfa
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .software_token
    {
        Ok(())
    } else {
        Err(ApiError::new(
            "SoftwareTokenMFANotFoundException",
            NOT_ENABLED_BY_POOL,
        ))
    }
}

/// AssociateSoftwareToken: a fresh secret, pending until VerifySoftwareToken accepts a code of
/// it ("Associate the TOTP software token").
impl Handle for AssociateSoftwareTokenRequest {
    fn handle(self, store: &Store) -> ApiResult<AssociateSoftwareTokenResponse> {
        let req = self;
        let caller = token_caller(
            store,
            req.access_token.as_ref(),
            req.session.as_ref(),
            ChallengeKind::MfaSetup,
        )?;
        require_pool_software_token(&caller.pool)?;
        let mut secret = vec![0u8; mfa::SECRET_BYTES];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        let secret_code = crate::totp::base32_encode(&secret);
        caller
            .pool
            .with_user(&caller.key, |u| {
                u.mfa
                    .get_or_insert_with(Box::<UserMfa>::default)
                    .pending_secret = Some(secret);
            })
            .ok_or_else(ApiError::user_not_found)?;
        Ok(AssociateSoftwareTokenResponse {
            secret_code: Some(secret_code.into()),
            session: caller.next_session(store, ChallengeKind::MfaSetup),
        })
    }
}

/// VerifySoftwareToken: a code of the pending secret registers it ("Verify the TOTP token").
impl Handle for VerifySoftwareTokenRequest {
    fn handle(self, store: &Store) -> ApiResult<VerifySoftwareTokenResponse> {
        let req = self;
        let caller = token_caller(
            store,
            req.access_token.as_ref(),
            req.session.as_ref(),
            ChallengeKind::MfaSetup,
        )?;
        require_pool_software_token(&caller.pool)?;
        let now = store.now_secs();
        let code = req.user_code.expose();
        let verified = caller
            .pool
            .with_user(&caller.key, |u| {
                let token = u.mfa.get_or_insert_with(Box::<UserMfa>::default);
                let Some(secret) = token.pending_secret.clone() else {
                    return Err(ApiError::new(
                        "SoftwareTokenMFANotFoundException",
                        "Software Token MFA does not exist for the user.",
                    ));
                };
                let mut last = token.last_step;
                mfa::accept_code(&secret, &mut last, code, now).map_err(|r| match r {
                    CodeRefusal::Mismatch => ApiError::new(
                        "EnableSoftwareTokenMFAException",
                        "Code mismatch and fail enable Software Token MFA",
                    ),
                    CodeRefusal::AlreadyUsed => already_used(),
                })?;
                token.secret = Some(secret);
                token.pending_secret = None;
                token.last_step = last;
                Ok(())
            })
            .unwrap_or_else(|| Err(ApiError::user_not_found()));
        // On failure the MFA_SETUP session stays usable for another try.
        verified?;
        Ok(VerifySoftwareTokenResponse {
            status: Some("SUCCESS".to_owned()),
            session: caller.next_session(store, ChallengeKind::MfaSetupVerified),
        })
    }
}

/// Applies `SoftwareTokenMfaSettings` to a user. Activating needs a verified token
/// ("Configuring MFA for a user": associate and verify, then set the preference); SMS and
/// email MFA cannot be activated (the server sends no SMS or email MFA codes).
fn set_preference(
    pool: &Pool,
    key: &str,
    software: Option<&MfaSettingsType>,
    others: [Option<&MfaSettingsType>; 2],
) -> ApiResult<()> {
    if others.iter().flatten().any(|s| s.enabled == Some(true)) {
        return Err(ApiError::invalid(
            "SMS and email MFA are not supported by this server.",
        ));
    }
    let Some(settings) = software else {
        return Ok(());
    };
    pool.with_user(key, |u| {
        let token = u.mfa.get_or_insert_with(Box::<UserMfa>::default);
        let enable = settings.enabled.unwrap_or(token.enabled);
        if enable && token.secret.is_none() {
            return Err(ApiError::invalid(
                "User has not verified software token mfa",
            ));
        }
        token.enabled = enable;
        token.preferred = enable && settings.preferred_mfa.unwrap_or(token.preferred);
        Ok(())
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

impl Handle for SetUserMfaPreferenceRequest {
    fn handle(self, store: &Store) -> ApiResult<SetUserMfaPreferenceResponse> {
        let req = self;
        let token = tokens::check_admin_access_token(store, req.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        set_preference(
            &pool,
            &token.user_key,
            req.software_token_mfa_settings.as_ref(),
            [
                req.sms_mfa_settings.as_ref(),
                req.email_mfa_settings.as_ref(),
            ],
        )?;
        Ok(SetUserMfaPreferenceResponse {})
    }
}

impl Handle for AdminSetUserMfaPreferenceRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminSetUserMfaPreferenceResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let key = admin_user(&pool, &req.username)?;
        set_preference(
            &pool,
            &key,
            req.software_token_mfa_settings.as_ref(),
            [
                req.sms_mfa_settings.as_ref(),
                req.email_mfa_settings.as_ref(),
            ],
        )?;
        Ok(AdminSetUserMfaPreferenceResponse {})
    }
}

/// The `SoftwareTokenMfaConfiguration` an answer shows: present only when enabled (moto
/// `test_set_user_pool_mfa_config` asserts the key absent after MFA OFF).
fn software_token_config(enabled: bool) -> Option<SoftwareTokenMfaConfigType> {
    enabled.then_some(SoftwareTokenMfaConfigType {
        enabled: Some(true),
    })
}

/// SetUserPoolMfaConfig: the members given replace the pool's; `MfaConfiguration` OFF turns
/// software tokens off too (moto `test_set_user_pool_mfa_config`).
impl Handle for SetUserPoolMfaConfigRequest {
    fn handle(self, store: &Store) -> ApiResult<SetUserPoolMfaConfigResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        if req.sms_mfa_configuration.is_some() || req.email_mfa_configuration.is_some() {
            return Err(ApiError::invalid(
                "SMS and email MFA are not supported by this server.",
            ));
        }
        let mut config = pool.mfa.write().unwrap_or_else(|e| e.into_inner());
        if let Some(mode) = req.mfa_configuration {
            config.mode = mode;
        }
        if let Some(software) = req.software_token_mfa_configuration {
            config.software_token = software.enabled.unwrap_or(false);
        }
        if config.mode == UserPoolMfaType::Off {
            config.software_token = false;
        }
        Ok(SetUserPoolMfaConfigResponse {
            software_token_mfa_configuration: software_token_config(config.software_token),
            mfa_configuration: Some(config.mode.clone()),
        })
    }
}

impl Handle for GetUserPoolMfaConfigRequest {
    fn handle(self, store: &Store) -> ApiResult<GetUserPoolMfaConfigResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let config = pool.mfa.read().unwrap_or_else(|e| e.into_inner()).clone();
        Ok(GetUserPoolMfaConfigResponse {
            software_token_mfa_configuration: software_token_config(config.software_token),
            mfa_configuration: Some(config.mode),
        })
    }
}

/// `PreferredMfaSetting` and `UserMFASettingList` of GetUser and AdminGetUser: absent without
/// an activated factor (ground truth §71).
pub(crate) fn user_mfa_settings(
    user: &crate::server::store::User,
) -> (Option<String>, Option<Vec<String>>) {
    match user.mfa.as_deref() {
        Some(m) if m.enabled => (
            m.preferred.then(|| "SOFTWARE_TOKEN_MFA".to_owned()),
            Some(vec!["SOFTWARE_TOKEN_MFA".to_owned()]),
        ),
        _ => (None, None),
    }
}
