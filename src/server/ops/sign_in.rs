//! What a sign-in answers ([`AuthAnswer`], shared by InitiateAuth, RespondToAuthChallenge and
//! their Admin forms), the challenge sessions a sign-in goes through ([`open_session`],
//! [`pending_challenge`], [`end_session`]) and the issuing of a completed sign-in's tokens,
//! shared by the password, SRP, MFA and choice-based paths (`auth`, `mfa`, `user_auth`).

use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{AppClient, ChallengeKind, ChallengePending, Pool, Store, random_token};
use crate::server::tokens;

/// The shared answer of InitiateAuth and RespondToAuthChallenge (and their Admin forms).
#[derive(Debug, Default)]
pub struct AuthAnswer {
    pub challenge_name: Option<ChallengeNameType>,
    pub session: Option<String>,
    pub challenge_parameters: Option<ParamMap>,
    pub authentication_result: Option<AuthenticationResultType>,
    /// `AvailableChallenges` of a SELECT_CHALLENGE (InitiateAuth and AdminInitiateAuth only:
    /// RespondToAuthChallenge has no such member in the service model).
    pub available_challenges: Option<Vec<ChallengeNameType>>,
}

impl AuthAnswer {
    pub fn into_initiate(self) -> InitiateAuthResponse {
        InitiateAuthResponse {
            challenge_name: self.challenge_name,
            session: self.session.map(Into::into),
            challenge_parameters: self.challenge_parameters,
            authentication_result: self.authentication_result,
            available_challenges: self.available_challenges,
        }
    }
    pub fn into_respond(self) -> RespondToAuthChallengeResponse {
        RespondToAuthChallengeResponse {
            challenge_name: self.challenge_name,
            session: self.session.map(Into::into),
            challenge_parameters: self.challenge_parameters,
            authentication_result: self.authentication_result,
        }
    }
}

/// The user for a sign-in; unknown users per PreventUserExistenceErrors (§8.73, §6.59).
pub fn sign_in_user(pool: &Pool, client: &AppClient, username: &str) -> ApiResult<Box<str>> {
    pool.resolve(username).ok_or_else(|| {
        if client.prevent_user_existence_errors {
            ApiError::bad_credentials()
        } else {
            ApiError::user_not_found()
        }
    })
}

pub fn invalid_session() -> ApiError {
    ApiError::not_authorized("Invalid session for the user.")
}

/// A new challenge session of `kind` for the user `key`, living as long as the client's
/// `AuthSessionValidity` (3 minutes by default, ground truth §63).
pub fn open_session(
    store: &Store,
    pool: &Pool,
    client_id: &str,
    key: &str,
    kind: ChallengeKind,
) -> String {
    let now = store.now_ms();
    let minutes = pool
        .client(client_id)
        .map(|c| c.auth_session_validity_mins)
        .unwrap_or(3);
    let session = random_token(96);
    store.challenges.insert_expiring(
        session.clone(),
        ChallengePending {
            pool_id: pool.id.clone(),
            client_id: client_id.to_owned(),
            user_key: key.into(),
            kind,
            expires_ms: now + minutes * 60_000,
        },
        now,
        |p| p.expires_ms,
    );
    session
}

/// Whether [`pending_challenge`] leaves the session in place or takes it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionUse {
    /// Left in place: a wrong answer may be tried again (codes); end it with [`end_session`].
    Peek,
    /// Taken out whatever the outcome: the answer is single use (a second answer with the
    /// same session is refused even while the first is being checked).
    Take,
}

/// The pending challenge of kind `kind` behind an answer's `Session`: required, live, of that
/// kind, and opened for this pool and client. Every challenge answer with a session starts
/// here (NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, MFA_SETUP, SELECT_CHALLENGE, EMAIL_OTP).
pub fn pending_challenge(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    session: Option<&str>,
    kind: ChallengeKind,
    how: SessionUse,
) -> ApiResult<ChallengePending> {
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| super::missing("Session"))?;
    let pending = peek_or_take(store, session, kind, how)?;
    if pending.pool_id != pool.id || pending.client_id != client.id {
        return Err(invalid_session());
    }
    Ok(pending)
}

/// The live session `session` of `kind`, peeked or taken out.
pub fn peek_or_take(
    store: &Store,
    session: &str,
    kind: ChallengeKind,
    how: SessionUse,
) -> ApiResult<ChallengePending> {
    let pending = store
        .challenges
        .with(session, |m| {
            let found = m.get(session).filter(|p| p.kind == kind).cloned();
            if found.is_some() && how == SessionUse::Take {
                m.remove(session);
            }
            found
        })
        .ok_or_else(invalid_session)?;
    if store.now_ms() > pending.expires_ms {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    Ok(pending)
}

/// Ends a session once it has been used.
pub fn end_session(store: &Store, session: &str) {
    store.challenges.with(session, |m| m.remove(session));
}

/// Issues the tokens of a completed sign-in.
pub fn issue_sign_in(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    key: &str,
) -> ApiResult<AuthAnswer> {
    let auth_time = store.now_secs();
    let generation = pool.with_user(key, |u| u.generation).unwrap_or(0);
    let (origin, refresh_token) =
        tokens::new_sign_in(store, pool, client, key, generation, auth_time);
    let result = pool
        .with_user(key, |u| {
            tokens::issue(
                store,
                pool,
                client,
                u,
                origin,
                auth_time,
                Some(refresh_token),
            )
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()))?;
    Ok(AuthAnswer {
        challenge_name: None,
        session: None,
        challenge_parameters: Some(ParamMap::new()),
        authentication_result: Some(result),
        available_challenges: None,
    })
}
