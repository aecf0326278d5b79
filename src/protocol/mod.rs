//! The Cognito user-pools wire protocol: JSON 1.1 types, typed errors, SECRET_HASH, SigV4,
//! the OAuth2 endpoints and the one HTTP client that the load engine and the conformance runner
//! share.
//!
//! Pure encoding and decoding sit beside a thin I/O shell, so every byte the harness sends or
//! accepts can be unit-tested:
//! - `ops`: the operation table (`OperationKind`, the `X-Amz-Target` names, which operations
//!   are signed) and the request/response structs of each operation, one file per feature area.
//! - `sensitive`: `Sensitive` and `ParamMap`, which keep secrets out of `Debug` output.
//! - `error`: `CallError` (with the OAuth error types) and the decoding of any JSON 1.1 error
//!   response.
//! - `response`: `RawResponse` and `Timing`, the bytes every pure decoder reads.
//! - `secret_hash`: the SECRET_HASH formula and where it goes.
//! - `sigv4`: credentials and SigV4 signing of Admin* and pool-management calls.
//! - `credential_chain`: `admin: aws`, the standard AWS credential chain (`aws-config`).
//! - `endpoints`: `TargetConfig`, derived URLs and the loopback safety rule.
//! - `client`: `CognitoClient` (JSON 1.1 over HTTP, capped bodies, timing).
//! - `convenience`: `CognitoClient::sign_up`, `user_password_auth`, ... (typed request plus the
//!   SECRET_HASH rules, one method per operation called by name).
//! - `oauth2/`: token, userInfo and revoke endpoints, PKCE, managed login, JWKS fetch; pure
//!   encoding and decoding below the client, the calls on top of it.

#[macro_use]
mod macros;

mod classify;
pub mod client;
mod convenience;
pub mod credential_chain;
pub mod endpoints;
pub mod error;
pub mod oauth2;
pub mod ops;
mod plain_http;
pub mod redact;
pub mod response;
pub mod secret_hash;
pub mod sensitive;
pub mod shape;
pub mod sigv4;

pub use client::{
    CallOutcome, CognitoClient, RawRequest, RawResponse, Timing, decode_response,
    decode_response_with,
};
pub use endpoints::{ConfigError, TargetConfig};
pub use error::{CallError, CognitoErrorKind, ServiceError, TransportErrorKind};
pub use oauth2::{ClientAuthMethod, Grant, OAuthError, OAuthErrorCode, Pkce, TokenResponse};
pub use ops::{Operation, OperationKind};
pub use secret_hash::{AppClient, SecretHashed, secret_hash};
pub use sensitive::{ParamMap, Sensitive};
