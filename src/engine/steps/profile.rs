//! The account steps an app sends around sign-in: `get_tokens_from_refresh_token` (the refresh
//! of current SDKs, rotating the refresh token on a client with `RefreshTokenRotation`) and
//! `update_user_attributes` (a profile edit with the user's access token).

use super::{Failure, IterationState, StepCx, Tokens, incomplete_answer, missing, user_access};
use crate::protocol::ops::*;

/// GetTokensFromRefreshToken on an earlier step's refresh token; the client secret of a
/// confidential app goes as `ClientSecret`. A new refresh token in the answer (rotation)
/// replaces the old one for the steps after this one.
pub(super) async fn get_tokens_from_refresh_token(cx: StepCx<'_, '_>) -> Result<(), Failure> {
    let StepCx {
        shared,
        step,
        index,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let tokens = state.tokens_for(step).ok_or_else(|| missing("tokens"))?;
    let refresh = tokens
        .refresh
        .clone()
        .ok_or_else(|| missing("refresh_token"))?;
    let username = tokens.username.clone();
    let request = GetTokensFromRefreshTokenRequest {
        refresh_token: refresh.clone(),
        client_id: t.app.client_id.clone(),
        client_secret: t.app.client_secret.clone(),
        ..Default::default()
    };
    let out = call!(
        calls,
        "GetTokensFromRefreshToken",
        true,
        t.client.call(&request)
    );
    let result = out
        .authentication_result
        .ok_or_else(|| incomplete_answer("authentication_result"))?;
    store_refreshed(state, index, result, username, refresh);
    Ok(())
}

fn store_refreshed(
    state: &mut IterationState,
    index: usize,
    result: AuthenticationResultType,
    username: Option<String>,
    previous: crate::protocol::Sensitive,
) {
    let mut fresh = Tokens::from_result(result, username);
    // Without rotation the answer has no refresh token: the old one stays in use.
    if fresh.refresh.is_none() {
        fresh.refresh = Some(previous);
    }
    state.tokens[index] = Some(fresh);
    state.last_tokens = Some(index);
}

/// UpdateUserAttributes with the user's access token. With no attributes given it sets
/// `nickname` to the iteration number, a standard attribute every pool has ("Working with
/// user attributes").
pub(super) async fn update_user_attributes(
    cx: StepCx<'_, '_>,
    attributes: &[(String, String)],
) -> Result<(), Failure> {
    let StepCx {
        shared,
        step,
        n,
        state,
        calls,
        ..
    } = cx;
    let access = user_access(state, step)?;
    let attributes: Vec<AttributeType> = if attributes.is_empty() {
        vec![AttributeType::new("nickname", format!("iteration-{n}"))]
    } else {
        attributes
            .iter()
            .map(|(k, v)| AttributeType::new(k, v))
            .collect()
    };
    call!(
        calls,
        "UpdateUserAttributes",
        true,
        shared
            .target
            .client
            .update_user_attributes(access.expose(), attributes)
    );
    Ok(())
}
