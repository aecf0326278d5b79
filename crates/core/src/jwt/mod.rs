//! Cognito user-pool JSON web tokens: verification for the harness, signing for the reference
//! server.
//!
//! The harness checks every ID and access token a target hands out, the way a resource server
//! would ("Verifying a JSON web token" in the developer guide), so that the conformance suite can
//! say which rule an emulator breaks and the load engine can count bad tokens by kind. The
//! reference server signs its tokens with the same key material it publishes as a JWKS.
//!
//! Everything here is pure: no I/O, and the clock is an argument (`now`, Unix seconds). Fetching
//! `/.well-known/jwks.json` belongs to `protocol`, which hands the bytes to [`KeySet`].
//!
//! | file | owns |
//! |------|------|
//! | `jwks.rs` | the JWKS wire types ([`Jwks`], [`Jwk`]) and the key cache ([`KeySet`]): each RSA key is parsed once, refreshes reuse unchanged keys, and [`RefetchGate`] rate-limits refetches on unknown `kid`s |
//! | `verify.rs` | [`verify_token`] and its [`VerifyPolicy`]; every failed rule is a distinct [`JwtErrorKind`] |
//! | `claims.rs` | [`CognitoClaims`], the typed claims shared by the verifier and the signer, and [`TokenUse`] |
//! | `sign.rs` | [`TokenSigner`]: a parsed RSA key that signs RS256 tokens and publishes its [`Jwk`] |
//!
//! ```
//! use cognito_harness_core::jwt::{
//!     CognitoClaims, KeySet, TokenSigner, TokenUse, VerifyPolicy, jwks_from_signers, verify_token,
//! };
//!
//! // Server side: two keys, one JWKS.
//! let id_signer = TokenSigner::generate("id-key")?;
//! let access_signer = TokenSigner::generate("access-key")?;
//! let jwks_json = serde_json::to_vec(&jwks_from_signers([&id_signer, &access_signer]))?;
//!
//! let now = 1_700_000_000;
//! let claims = CognitoClaims {
//!     sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".into(),
//!     iss: "http://localhost:9229/local_pool".into(),
//!     token_use: TokenUse::Id,
//!     exp: now + 3600,
//!     iat: now,
//!     auth_time: Some(now),
//!     jti: Some("11111111-1111-4111-8111-111111111111".into()),
//!     origin_jti: None,
//!     aud: Some("client-a".into()),
//!     client_id: None,
//!     cognito_username: Some("janedoe".into()),
//!     username: None,
//!     scope: None,
//!     cognito_groups: None,
//!     email: None,
//!     email_verified: None,
//!     event_id: None,
//!     device_key: None,
//!     extra: Default::default(),
//! };
//! let token = id_signer.sign(&claims)?;
//!
//! // Harness side: the JWKS bytes come from the protocol client.
//! let keys = KeySet::from_jwks_json(&jwks_json)?;
//! let policy = VerifyPolicy::new("http://localhost:9229/local_pool", ["client-a"]);
//! let verified = verify_token(&token, &keys, &policy, now)?;
//! assert_eq!(verified.claims.user_name(), Some("janedoe"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Tokens are credentials: no error, `Debug` or `Display` output here contains a token, a
//! signature or a private key. Errors quote claim values (truncated), never the token itself.

mod claims;
mod jwks;
mod sign;
mod verify;

pub use claims::{Claim, CognitoClaims, TokenUse};
pub use jwks::{
    Jwk, JwkRejection, Jwks, JwksError, KeySet, RefetchGate, RefreshReport, SkippedKey,
    VerifyingKey,
};
pub use sign::{SignError, TokenSigner, jwks_from_signers};
pub use verify::{
    AcceptedTokenUse, JwtError, JwtErrorKind, MAX_TOKEN_LEN, TokenPart, VerifiedToken,
    VerifyPolicy, cognito_issuer, verify_token,
};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The only algorithm user pools sign with ("Algorithm (alg)" in "Using the ID token").
pub const ALG_RS256: &str = "RS256";

/// base64url without padding, as JWS compact serialization requires (RFC 7515 §2). The engine
/// rejects padding and non-canonical trailing bits, so one token has one encoding.
pub(crate) fn b64url_decode(input: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(input)
}

pub(crate) fn b64url_encode(input: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(input)
}
