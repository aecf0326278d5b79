//! `GET|POST /oauth2/userInfo` ("UserInfo endpoint"): the user's attributes for an access token
//! with the `openid` scope; errors in `WWW-Authenticate`.
//!
//! An access token from the user-pools API (InitiateAuth: scope `aws.cognito.signin.user.admin`
//! only) is refused: "The openid scope must be one of the access token claims. [...] Because
//! they don't contain any scopes, the userInfo endpoint doesn't accept these access tokens"
//! (current developer guide, "The user attributes endpoint",
//! https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::failure::{OAuthFailure, OAuthResult, json_response};
use crate::server::store::Store;
use crate::server::tokens;

pub(super) async fn user_info(State(store): State<Arc<Store>>, headers: HeaderMap) -> Response {
    match user_info_body(&store, &headers) {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(e) => e.into_response(),
    }
}

/// The answers of ground truth §13.115.
pub(super) fn user_info_body(store: &Store, headers: &HeaderMap) -> OAuthResult<Value> {
    let bad_request = || OAuthFailure {
        status: 400,
        error: "invalid_request",
        description: Some("Bad OAuth2 request at UserInfo Endpoint".into()),
        in_header: true,
    };
    let invalid_token = || OAuthFailure {
        status: 401,
        error: "invalid_token",
        description: Some(
            "Access token is expired, disabled, or deleted, or the user has globally signed out."
                .into(),
        ),
        in_header: true,
    };
    let value = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(bad_request)?;
    let (scheme, token) = value.split_once(' ').ok_or_else(bad_request)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(bad_request());
    }
    let checked = tokens::check_access_token(store, token.trim()).map_err(|_| invalid_token())?;
    let scoped = checked
        .claims
        .scope
        .as_deref()
        .is_some_and(|s| tokens::grants_any(s, &["openid"]));
    if !scoped {
        // The guide names no status for this refusal; the description is the one a user
        // quoted from Cognito (https://github.com/simov/grant/issues/189, 2020), answered
        // as the guide's other refusal of a token (401 invalid_token, ground truth §13.115).
        return Err(OAuthFailure {
            description: Some("Access token does not contain openid scope".into()),
            ..invalid_token()
        });
    }
    let pool = store.pool(&checked.pool_id).map_err(|_| invalid_token())?;
    let enabled = pool.with_user(&checked.user_key, |u| u.enabled);
    if enabled != Some(true) {
        return Err(invalid_token());
    }
    pool.with_user(&checked.user_key, |u| {
        let mut body = serde_json::Map::new();
        body.insert("sub".into(), Value::String(u.sub.to_string()));
        for (name, value) in &u.attributes {
            if &**name != "sub" {
                body.insert(name.to_string(), Value::String(value.to_string()));
            }
        }
        body.insert("username".into(), Value::String(u.username.to_string()));
        Value::Object(body)
    })
    .ok_or_else(invalid_token)
}
