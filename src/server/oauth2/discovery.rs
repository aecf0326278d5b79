//! `GET /{poolId}/.well-known/openid-configuration` (OpenID Connect Discovery): the issuer,
//! the endpoints above and what they support.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::failure::json_response;
use crate::server::respond::error_response;
use crate::server::store::Store;

pub(super) async fn openid_configuration(
    State(store): State<Arc<Store>>,
    Path(pool): Path<String>,
) -> Response {
    if let Err(e) = store.pool(&pool) {
        return error_response(404, &e);
    }
    let issuer = store.issuer(&pool);
    let base = &store.base_url;
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{base}/oauth2/authorize"),
            "token_endpoint": format!("{base}/oauth2/token"),
            "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
            "revocation_endpoint": format!("{base}/oauth2/revoke"),
            "response_types_supported": ["code", "token"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }),
    )
}
