//! The OAuth 2.0 and OpenID Connect endpoints of the pool's domain. The server's endpoint is
//! also the domain of every pool on it, so a request finds its pool through its client (token,
//! revoke, authorize, login) or its access token (userInfo).
//!
//! - `POST /oauth2/token` ("Token endpoint"): `client_credentials` with resource-server scopes,
//!   `refresh_token` and `authorization_code` (with PKCE S256); `client_secret_basic` and
//!   `client_secret_post`; the guide's error codes as `{"error": ...}` with HTTP 400.
//! - `GET /oauth2/authorize` ("Authorize endpoint") checks the client, the redirect URI, the
//!   response type, the scopes and PKCE, and redirects to `GET /login` ("Login endpoint"), a
//!   minimal sign-in form. `POST /login` checks the password as USER_PASSWORD_AUTH does and
//!   redirects to the callback with a one-time code (five minutes) or, for `response_type=token`,
//!   the tokens in the fragment. The form carries a `_csrf` field that must equal the
//!   `XSRF-TOKEN` cookie set with it, as Cognito's hosted UI does.
//! - `GET|POST /oauth2/userInfo` ("UserInfo endpoint"): errors in `WWW-Authenticate`.
//! - `POST /oauth2/revoke` ("Revoke endpoint").
//! - `GET /{poolId}/.well-known/openid-configuration` (OpenID Connect Discovery).
//!
//! | file | owns |
//! |------|------|
//! | `failure.rs` | the OAuth error answer (JSON body or `WWW-Authenticate`) |
//! | `form.rs` | form decoding and client authentication |
//! | `token.rs` | `POST /oauth2/token` and its three grants |
//! | `revoke.rs` | `POST /oauth2/revoke` |
//! | `userinfo.rs` | `GET\|POST /oauth2/userInfo` |
//! | `authorize.rs` | `GET /oauth2/authorize`: the checked request, refusals, callback redirects |
//! | `login.rs` | `GET\|POST /login`: the sign-in form and the code or token redirect |
//! | `discovery.rs` | OpenID Connect Discovery |

mod authorize;
mod discovery;
mod failure;
mod form;
mod login;
mod revoke;
mod token;
mod userinfo;

use std::sync::Arc;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};

use crate::server::store::Store;
use authorize::authorize;
use discovery::openid_configuration;
use failure::OAuthFailure;
use login::{login_page, login_submit};
use revoke::revoke;
use token::token;
use userinfo::user_info;

/// The OAuth routes, merged into the server's router.
pub fn routes() -> Router<Arc<Store>> {
    Router::new()
        .route("/oauth2/token", only(post(token)))
        .route("/oauth2/revoke", only(post(revoke)))
        .route("/oauth2/userInfo", only(get(user_info).post(user_info)))
        .route("/oauth2/authorize", only(get(authorize)))
        .route("/login", only(get(login_page).post(login_submit)))
        .route(
            "/{pool}/.well-known/openid-configuration",
            only(get(openid_configuration)),
        )
}

fn only(router: MethodRouter<Arc<Store>>) -> MethodRouter<Arc<Store>> {
    router.fallback(|| async {
        OAuthFailure::new(405, "invalid_request")
            .describe("HTTP method not supported by this endpoint.")
            .into_response()
    })
}
