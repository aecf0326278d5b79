//! `POST /oauth2/token` ("Token endpoint"): the `client_credentials` grant with
//! resource-server scopes, `refresh_token`, and `authorization_code` with PKCE S256; the
//! guide's error codes as `{"error": ...}` with HTTP 400.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::failure::{OAuthFailure, OAuthResult, json_response};
use super::form::{Form, allows_oauth, authenticate, non_empty, read_form};
use crate::protocol::Sensitive;
use crate::protocol::oauth2::code_challenge_s256;
use crate::protocol::ops::{ExplicitAuthFlowsType, OAuthFlowType};
use crate::server::error::ApiError;
use crate::server::store::{AppClient, Pool, Store};
use crate::server::tokens;

pub(super) async fn token(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = match read_form(&store, &headers, body).await {
        Ok(form) => token_grant(&store, &headers, &form),
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(e) => e.into_response(),
    }
}

pub(super) fn token_grant(store: &Store, headers: &HeaderMap, form: &Form) -> OAuthResult<Value> {
    let (pool, client) = authenticate(store, headers, form, 400)?;
    let grant = non_empty(form, "grant_type")
        .ok_or_else(|| OAuthFailure::bad("invalid_request").describe("grant_type is missing."))?;
    match grant {
        "client_credentials" => client_credentials(store, &pool, &client, form),
        "refresh_token" => refresh_grant(store, &pool, &client, form),
        "authorization_code" => code_grant(store, &pool, &client, form),
        _ => Err(OAuthFailure::bad("unsupported_grant_type")),
    }
}

/// The custom (resource-server) scopes `client` may request.
pub(super) fn custom_scopes(pool: &Pool, client: &AppClient) -> Vec<String> {
    let servers = pool
        .resource_servers
        .read()
        .unwrap_or_else(|e| e.into_inner());
    client
        .allowed_oauth_scopes
        .iter()
        .filter(|scope| {
            servers.iter().any(|rs| {
                let Some(id) = rs.identifier.as_deref() else {
                    return false;
                };
                scope
                    .strip_prefix(id)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|name| rs.scopes.iter().flatten().any(|s| s.scope_name == name))
            })
        })
        .cloned()
        .collect()
}

pub(super) fn client_credentials(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    form: &Form,
) -> OAuthResult<Value> {
    // "you have configured a client secret, and you have allowed client_credentials grants"
    if client.secret.is_none() || !allows_oauth(client, OAuthFlowType::ClientCredentials) {
        return Err(OAuthFailure::bad("unauthorized_client")
            .describe("Client is not allowed the client_credentials grant."));
    }
    if let Some(throttle) = &store.throttle
        && let Err(e) = throttle.admit(&pool.id, crate::quota::CLIENT_CREDENTIALS_OPERATION)
    {
        return Err(OAuthFailure::new(429, "too_many_requests").describe(e.message));
    }
    let allowed = custom_scopes(pool, client);
    let requested: Vec<&str> = form
        .get("scope")
        .map(|s| s.split_whitespace().collect())
        .unwrap_or_default();
    let granted = if requested.is_empty() {
        allowed.clone()
    } else {
        if let Some(bad) = requested.iter().find(|s| !allowed.iter().any(|a| a == *s)) {
            return Err(OAuthFailure::bad("invalid_scope")
                .describe(format!("Scope {bad} is not allowed for this client.")));
        }
        requested.iter().map(|s| (*s).to_owned()).collect()
    };
    if granted.is_empty() {
        return Err(OAuthFailure::bad("invalid_scope")
            .describe("The client has no custom scopes to grant."));
    }
    let access = tokens::issue_client_credentials(store, pool, client, &granted.join(" "))
        .map_err(|e| OAuthFailure::new(500, "server_error").describe(e.message))?;
    Ok(json!({
        "access_token": access,
        "expires_in": client.access_validity_secs,
        "token_type": "Bearer",
    }))
}

pub(super) fn token_answer(result: crate::protocol::ops::AuthenticationResultType) -> Value {
    let mut body = serde_json::Map::new();
    if let Some(t) = result.id_token {
        body.insert("id_token".into(), Value::String(t.expose().to_owned()));
    }
    if let Some(t) = result.access_token {
        body.insert("access_token".into(), Value::String(t.expose().to_owned()));
    }
    if let Some(t) = result.refresh_token {
        body.insert("refresh_token".into(), Value::String(t.expose().to_owned()));
    }
    body.insert("token_type".into(), Value::String("Bearer".into()));
    body.insert(
        "expires_in".into(),
        json!(result.expires_in.unwrap_or_default()),
    );
    Value::Object(body)
}

pub(super) fn server_error(e: ApiError) -> OAuthFailure {
    OAuthFailure::new(500, "server_error").describe(e.message)
}

pub(super) fn refresh_grant(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    form: &Form,
) -> OAuthResult<Value> {
    if !client.allows(&ExplicitAuthFlowsType::AllowRefreshTokenAuth) {
        return Err(OAuthFailure::bad("unauthorized_client")
            .describe("Client is not allowed to refresh tokens."));
    }
    let token = non_empty(form, "refresh_token").ok_or_else(|| {
        OAuthFailure::bad("invalid_request").describe("refresh_token is missing.")
    })?;
    let invalid = |d: &str| OAuthFailure::bad("invalid_grant").describe(d);
    let origin = tokens::parse_refresh_token(store, token)
        .ok_or_else(|| invalid("Invalid refresh token."))?;
    let record = tokens::sign_in_record(store, &origin)
        .filter(|r| r.pool_id == pool.id && r.client_id == client.id)
        .ok_or_else(|| invalid("Invalid refresh token."))?;
    let current = pool.with_user(&record.user_key, |u| u.generation);
    if current.is_none_or(|g| record.revoked_for(g)) {
        return Err(invalid("Refresh token has been revoked"));
    }
    if store.now_ms() > record.refresh_expires_ms {
        return Err(invalid("Refresh token has expired"));
    }
    let result = pool
        .with_user(&record.user_key, |u| {
            tokens::issue(store, pool, client, u, origin, record.auth_time, None)
        })
        .ok_or_else(|| invalid("Invalid refresh token."))?
        .map_err(server_error)?;
    Ok(token_answer(result))
}

pub(super) fn code_grant(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    form: &Form,
) -> OAuthResult<Value> {
    if !allows_oauth(client, OAuthFlowType::Code) {
        return Err(OAuthFailure::bad("unauthorized_client")
            .describe("Client is not allowed for code grant flow."));
    }
    let missing =
        |name: &str| OAuthFailure::bad("invalid_request").describe(format!("{name} is missing."));
    let code = non_empty(form, "code").ok_or_else(|| missing("code"))?;
    let redirect_uri = non_empty(form, "redirect_uri").ok_or_else(|| missing("redirect_uri"))?;
    let invalid = |d: &str| OAuthFailure::bad("invalid_grant").describe(d);
    // One-time use: the code is gone whatever the outcome below.
    let found = store.auth_codes.with(code, |m| m.remove(code));
    let grant = found
        .filter(|c| {
            c.pool_id == pool.id && c.client_id == client.id && store.now_ms() <= c.expires_ms
        })
        .ok_or_else(|| {
            invalid("Authorization code has been consumed already or does not exist.")
        })?;
    if grant.redirect_uri != redirect_uri {
        return Err(invalid(
            "redirect_uri does not match the authorization request.",
        ));
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier =
            non_empty(form, "code_verifier").ok_or_else(|| invalid("code_verifier is missing."))?;
        let computed = code_challenge_s256(verifier);
        if !Sensitive::new(computed).ct_eq(challenge) {
            return Err(invalid("code_verifier does not match the code_challenge."));
        }
    }
    let generation = pool
        .with_user(&grant.user_key, |u| u.generation)
        .ok_or_else(|| invalid("The user no longer exists."))?;
    let (origin, refresh) = tokens::new_scoped_sign_in(
        store,
        pool,
        client,
        &grant.user_key,
        generation,
        grant.auth_time,
        Some(grant.scopes.as_str().into()),
    );
    let result = pool
        .with_user(&grant.user_key, |u| {
            tokens::issue_with_nonce(
                store,
                pool,
                client,
                u,
                origin,
                grant.auth_time,
                Some(refresh),
                grant.nonce.as_deref(),
            )
        })
        .ok_or_else(|| invalid("The user no longer exists."))?
        .map_err(server_error)?;
    Ok(token_answer(result))
}
