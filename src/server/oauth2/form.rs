//! The request side shared by the OAuth endpoints: form decoding (a repeated parameter is
//! invalid, RFC 6749 §3.1), the form-encoded body of token, revoke and login requests, and
//! client authentication (`client_secret_basic` or `client_id`/`client_secret` in the body,
//! "Token endpoint").

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::HeaderMap;
use base64::Engine as _;

use super::failure::{OAuthFailure, OAuthResult};
use crate::protocol::Sensitive;
use crate::protocol::oauth2::FORM_CONTENT_TYPE;
use crate::protocol::ops::OAuthFlowType;
use crate::server::store::{AppClient, Pool, Store};

pub(super) type Form = HashMap<String, String>;

/// Decodes `application/x-www-form-urlencoded` pairs; a repeated parameter is invalid
/// (RFC 6749 §3.1).
pub(super) fn parse_pairs(raw: &[u8]) -> OAuthResult<Form> {
    let mut form = Form::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        if form
            .insert(k.clone().into_owned(), v.into_owned())
            .is_some()
        {
            return Err(OAuthFailure::bad("invalid_request")
                .describe(format!("Parameter {k} is repeated.")));
        }
    }
    Ok(form)
}

/// The form body of a token or revoke request: the content type must be form encoded
/// ("Token endpoint": "Must always be 'application/x-www-form-urlencoded'").
pub(super) async fn read_form(store: &Store, headers: &HeaderMap, body: Body) -> OAuthResult<Form> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(FORM_CONTENT_TYPE) {
        return Err(OAuthFailure::bad("invalid_request")
            .describe("Content-Type must be application/x-www-form-urlencoded."));
    }
    let bytes = axum::body::to_bytes(body, store.max_body_bytes)
        .await
        .map_err(|_| {
            OAuthFailure::new(413, "invalid_request").describe(format!(
                "Request body is larger than {} bytes.",
                store.max_body_bytes
            ))
        })?;
    parse_pairs(&bytes)
}

pub(super) fn non_empty<'a>(form: &'a Form, name: &str) -> Option<&'a str> {
    form.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

/// Client authentication: `Authorization: Basic base64(id:secret)`, else `client_id` (and
/// `client_secret`) in the body. A client with a secret must present it.
pub(super) fn authenticate(
    store: &Store,
    headers: &HeaderMap,
    form: &Form,
    status: u16,
) -> OAuthResult<(Arc<Pool>, Arc<AppClient>)> {
    let fail = || OAuthFailure::new(status, "invalid_client");
    let (id, secret) = match headers.get(http::header::AUTHORIZATION) {
        Some(value) => {
            let value = value.to_str().map_err(|_| fail())?;
            let (scheme, rest) = value.split_once(' ').ok_or_else(fail)?;
            if !scheme.eq_ignore_ascii_case("basic") {
                return Err(fail());
            }
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .map_err(|_| fail())?;
            let decoded = String::from_utf8(decoded).map_err(|_| fail())?;
            let (id, secret) = decoded.split_once(':').ok_or_else(fail)?;
            (id.to_owned(), Some(secret.to_owned()))
        }
        None => (
            non_empty(form, "client_id").ok_or_else(fail)?.to_owned(),
            form.get("client_secret").cloned(),
        ),
    };
    let (pool, client) = store.pool_of_client(&id).map_err(|_| fail())?;
    if let Some(expected) = &client.secret {
        let given = secret.as_deref().unwrap_or("");
        if !Sensitive::new(expected.as_str()).ct_eq(given) {
            return Err(fail());
        }
    }
    Ok((pool, client))
}

pub(super) fn allows_oauth(client: &AppClient, flow: OAuthFlowType) -> bool {
    client.allowed_oauth_flows.contains(&flow)
}
