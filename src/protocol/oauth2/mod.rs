//! The OAuth 2.0 endpoints of a user-pool domain: token, userInfo, revoke; plus the JWKS fetch.
//!
//! Developer guide, "Token endpoint": `POST /oauth2/token`, form-encoded, grant types
//! `authorization_code` (with PKCE: "Exchanging an authorization code grant with PKCE for
//! tokens"), `refresh_token` and `client_credentials`; client authentication by
//! `client_secret_basic` (`Authorization: Basic base64(client_id:client_secret)`) or
//! `client_secret_post`, and public clients send `client_id` alone. Errors are
//! `{"error": "...", "error_description"?}`. "UserInfo endpoint": `GET /oauth2/userInfo` with a
//! bearer token; errors arrive in `WWW-Authenticate`. "Revoke endpoint": `POST /oauth2/revoke`
//! with `token` and client authentication; success is an empty 200.
//!
//! Building requests and decoding responses are pure functions below the client; the
//! `CognitoClient` methods sit on top of it and only move bytes:
//!
//! | file | owns |
//! |------|------|
//! | `form.rs` | client authentication, the token and revoke forms, the authorize URL (pure) |
//! | `pkce.rs` | PKCE verifier and S256 challenge (pure) |
//! | `decode.rs` | token, userInfo and revoke answers, OAuth errors from body or header (pure) |
//! | `calls.rs` | `CognitoClient::oauth_token`, `oauth_user_info`, `oauth_revoke` |
//! | `login.rs` | `CognitoClient::managed_login`: authorize, sign-in form, callback |
//! | `jwks.rs` | `CognitoClient::fetch_jwks` |
//!
//! The OAuth error types ([`OAuthError`], [`OAuthErrorCode`], [`OAuthErrorSource`]) are defined
//! in [`crate::protocol::error`] beside `CallError::OAuth` and re-exported here.

mod calls;
mod decode;
mod form;
mod jwks;
mod login;
mod pkce;

pub use crate::protocol::error::{OAuthError, OAuthErrorCode, OAuthErrorSource};
pub use decode::{
    TokenResponse, UserInfo, decode_oauth_error, decode_revoke_response, decode_token_response,
    decode_user_info_response, parse_www_authenticate,
};
pub use form::{
    ClientAuthMethod, FORM_CONTENT_TYPE, FormRequest, Grant, authorize_url, basic_authorization,
    revoke_request, token_request,
};
pub use login::LoginRedirect;
pub use pkce::{InvalidVerifier, Pkce, code_challenge_s256};
