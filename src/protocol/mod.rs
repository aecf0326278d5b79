//! The Cognito user-pools wire protocol: JSON 1.1 types, typed errors, SECRET_HASH, SigV4,
//! the OAuth2 endpoints and the one HTTP client that the load engine and the conformance runner
//! share.
//!
//! Pure encoding and decoding (`types`, `error`, `secret_hash`) sit beside the thin I/O shell
//! (`client`, `oauth2`), so every byte the harness sends or accepts can be unit-tested.

pub mod sensitive;
pub mod types;

pub use sensitive::{ParamMap, Sensitive};
pub use types::{Operation, OperationKind};
