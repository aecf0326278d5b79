//! `POST /oauth2/revoke` ("Revoke endpoint"): revokes a refresh token of the authenticated
//! client.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::failure::{OAuthFailure, OAuthResult};
use super::form::{Form, authenticate, non_empty, read_form};
use crate::server::store::Store;
use crate::server::tokens;

pub(super) async fn revoke(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = match read_form(&store, &headers, body).await {
        Ok(form) => revoke_token(&store, &headers, &form),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

/// "Revoke endpoint": 401 `invalid_client` for bad client credentials; 400 `invalid_request`
/// without a token or when revocation is off; 400 `unsupported_token_type` for a token that is
/// not a refresh token; 200 for a revoked or unknown token.
pub(super) fn revoke_token(store: &Store, headers: &HeaderMap, form: &Form) -> OAuthResult<()> {
    let (_pool, client) = authenticate(store, headers, form, 401)?;
    let token = non_empty(form, "token")
        .ok_or_else(|| OAuthFailure::bad("invalid_request").describe("token is missing."))?;
    if !client.enable_token_revocation {
        return Err(OAuthFailure::bad("invalid_request")
            .describe("Token revocation isn't enabled for this client."));
    }
    if token.split('.').count() == 3 {
        return Err(OAuthFailure::bad("unsupported_token_type"));
    }
    // Another client's token is answered like an invalid one: 200, nothing revoked.
    tokens::revoke_refresh_token(store, token, &client.id);
    Ok(())
}
