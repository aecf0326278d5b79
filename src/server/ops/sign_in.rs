//! What a sign-in answers ([`AuthAnswer`], shared by InitiateAuth, RespondToAuthChallenge and
//! their Admin forms) and the issuing of a completed sign-in's tokens, shared by the password,
//! SRP and MFA paths (`auth`, `mfa`).

use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{AppClient, Pool, Store};
use crate::server::tokens;

/// The shared answer of InitiateAuth and RespondToAuthChallenge (and their Admin forms).
#[derive(Debug, Default)]
pub struct AuthAnswer {
    pub challenge_name: Option<ChallengeNameType>,
    pub session: Option<String>,
    pub challenge_parameters: Option<ParamMap>,
    pub authentication_result: Option<AuthenticationResultType>,
}

impl AuthAnswer {
    pub fn into_initiate(self) -> InitiateAuthResponse {
        InitiateAuthResponse {
            challenge_name: self.challenge_name,
            session: self.session.map(Into::into),
            challenge_parameters: self.challenge_parameters,
            authentication_result: self.authentication_result,
            available_challenges: None,
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
    })
}
