//! Verifying a Cognito ID or access token: "Verifying a JSON web token" in the developer guide,
//! made strict enough to grade emulators.
//!
//! [`verify_token`] applies the rules below, in this order, and stops at the first failure:
//!
//! 1. Structure (step 1): three base64url parts, header and payload JSON objects.
//! 2. Signature (step 2): `alg` must be RS256 (an unsigned `none` token and an HMAC token, the
//!    classic key-confusion forgery, are each their own kind), `kid` must name a key of the
//!    JWKS, and the signature must verify with it. The payload is not read before this passes.
//! 3. Claims (step 3, with `token_use` first because it decides whether `aud` or `client_id`
//!    is the audience claim): `token_use` is one the policy accepts; `iss` is exactly the expected
//!    issuer; `exp`, `iat`, `nbf` and `auth_time` are consistent with `now`; `aud` (ID) or
//!    `client_id` (access) is an accepted app client; `sub`, the user name (`cognito:username`
//!    or `username`) and `jti` are present ("Using the ID token", "Using the access token");
//!    `origin_jti` when the policy asks ("Revoking tokens" says both come with revocation, the
//!    default for new clients); the access token carries the scopes the policy requires.
//!
//! Every failure is a distinct [`JwtErrorKind`] variant, so the conformance suite and the load
//! engine match on the variant (or on [`JwtErrorKind::code`]) and never on message text. The
//! messages name the claim and the expected and actual values, but never include the token or
//! its signature: tokens are bearer credentials.
//!
//! Revocation is not checked: "Revoking tokens" notes that a revoked token still verifies
//! locally; only the user-pool API knows. That is the conformance suite's business.

use std::fmt;

use serde_json::{Map, Value};

use super::claims::{Claim, ClaimTypeError, CognitoClaims, ExtractedClaims, TokenUse};
use super::jwks::KeySet;
use super::{ALG_RS256, b64url_decode};

/// Tokens longer than this are rejected before any decoding. Cognito tokens are a few KB even
/// with many groups and custom attributes; the cap bounds the work an attacker can cause.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// Error values quoted from a token are cut to this many characters, so an error stays small
/// whatever the token holds.
const MAX_QUOTED_CHARS: usize = 128;

/// The issuer Cognito writes in `iss` ("Issuer (iss)" in "Using the ID token"). Emulators use
/// other forms, so [`VerifyPolicy::issuer`] is always an exact string; this only builds the
/// real service's.
pub fn cognito_issuer(region: &str, user_pool_id: &str) -> String {
    format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}

/// Which `token_use` values a caller accepts (step 3.4 of "Verifying a JSON web token").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AcceptedTokenUse {
    Id,
    Access,
    Either,
}

impl AcceptedTokenUse {
    pub fn accepts(self, token_use: TokenUse) -> bool {
        matches!(
            (self, token_use),
            (AcceptedTokenUse::Either, _)
                | (AcceptedTokenUse::Id, TokenUse::Id)
                | (AcceptedTokenUse::Access, TokenUse::Access)
        )
    }
}

impl fmt::Display for AcceptedTokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AcceptedTokenUse::Id => "\"id\"",
            AcceptedTokenUse::Access => "\"access\"",
            AcceptedTokenUse::Either => "\"id\" or \"access\"",
        })
    }
}

/// What a token must satisfy beyond a good signature. Build with [`VerifyPolicy::new`], which
/// sets the defaults documented on each field, then adjust the public fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyPolicy {
    /// The exact `iss` expected, compared byte for byte. No default: real Cognito uses
    /// [`cognito_issuer`], emulators use their own endpoint, and deriving one from the other
    /// would hide exactly the differences the harness exists to find.
    pub issuer: String,
    /// App client ids accepted in `aud` (ID tokens) and `client_id` (access tokens). No default;
    /// an empty list accepts no token.
    pub client_ids: Vec<String>,
    /// Default: [`AcceptedTokenUse::Either`].
    pub token_use: AcceptedTokenUse,
    /// Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. Default 0, as aws-jwt-verify
    /// (the library the guide points to) defaults to no grace period.
    pub leeway_secs: u32,
    /// Require `origin_jti`. Default false: Cognito adds it only when token revocation is
    /// enabled on the app client ("Revoking tokens").
    pub require_origin_jti: bool,
    /// Require the user name claim. Default true; turn off for client-credentials access
    /// tokens, which have no user.
    pub require_username: bool,
    /// Scopes an access token must all list in `scope`. Default none. ID tokens carry no scope
    /// and are not checked against this.
    pub required_scopes: Vec<String>,
}

impl VerifyPolicy {
    pub fn new(
        issuer: impl Into<String>,
        client_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        VerifyPolicy {
            issuer: issuer.into(),
            client_ids: client_ids.into_iter().map(Into::into).collect(),
            token_use: AcceptedTokenUse::Either,
            leeway_secs: 0,
            require_origin_jti: false,
            require_username: true,
            required_scopes: Vec::new(),
        }
    }
}

/// Which part of the compact serialization a structural error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenPart {
    Header,
    Payload,
    Signature,
}

impl fmt::Display for TokenPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenPart::Header => "header",
            TokenPart::Payload => "payload",
            TokenPart::Signature => "signature",
        })
    }
}

/// Why a token was rejected: one variant per rule. Match on the variant (or [`Self::code`]),
/// not on the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtErrorKind {
    /// Not three non-empty-headed parts separated by `.`, or longer than [`MAX_TOKEN_LEN`].
    #[error("token structure: {reason}")]
    Malformed { reason: &'static str },
    #[error("token {part}: not unpadded base64url")]
    Base64 { part: TokenPart },
    #[error("token {part}: not a JSON object")]
    Json { part: TokenPart },
    /// `alg` is `none` in any letter case: an unsigned token.
    #[error("alg: expected \"RS256\", got an unsigned token (alg \"none\")")]
    AlgNone,
    /// `alg` is HS256/HS384/HS512: a forgery that signs with the public key as an HMAC secret.
    #[error("alg: expected \"RS256\", got the symmetric {alg:?}")]
    AlgSymmetric { alg: String },
    /// Any other `alg`, or none at all (`alg: None`).
    #[error("alg: expected \"RS256\", got {}", quoted_or_missing(.alg))]
    AlgUnsupported { alg: Option<String> },
    /// The header lists `crit` extensions, none of which this verifier implements (RFC 7515
    /// §4.1.11 says to reject the token then). Cognito never sets `crit`.
    #[error("crit: the header requires extensions this verifier does not implement")]
    CriticalHeader,
    #[error("kid: missing from the header")]
    MissingKid,
    /// The `kid` is not in the key set. The caller may refetch the JWKS (through a
    /// [`RefetchGate`](super::RefetchGate)) and verify again.
    #[error("kid: {kid:?} is not in the JWKS")]
    UnknownKid { kid: String },
    #[error("signature: does not verify with the key {kid:?}")]
    BadSignature { kid: String },
    /// A required claim is absent, or an empty string.
    #[error("{claim}: missing")]
    MissingClaim { claim: Claim },
    #[error("{claim}: expected a {expected}, got a {got}")]
    InvalidClaimType {
        claim: Claim,
        expected: &'static str,
        got: &'static str,
    },
    #[error("token_use: expected {expected}, got {got:?}")]
    WrongTokenUse {
        expected: AcceptedTokenUse,
        got: String,
    },
    #[error("iss: expected {expected:?}, got {got:?}")]
    WrongIssuer { expected: String, got: String },
    /// An ID token's `aud` is not an accepted app client.
    #[error("aud: expected one of {expected:?}, got {got:?}")]
    WrongAudience { expected: Vec<String>, got: String },
    /// An access token's `client_id` is not an accepted app client.
    #[error("client_id: expected one of {expected:?}, got {got:?}")]
    WrongClientId { expected: Vec<String>, got: String },
    #[error("exp: expired at {exp}, now is {now} (leeway {leeway_secs} s)")]
    Expired {
        exp: i64,
        now: i64,
        leeway_secs: u32,
    },
    #[error("nbf: not valid before {nbf}, now is {now} (leeway {leeway_secs} s)")]
    NotYetValid {
        nbf: i64,
        now: i64,
        leeway_secs: u32,
    },
    #[error("iat: issued at {iat}, after now {now} (leeway {leeway_secs} s)")]
    IssuedInFuture {
        iat: i64,
        now: i64,
        leeway_secs: u32,
    },
    /// `auth_time` is when the user signed in, so it cannot follow the token's `iat`.
    #[error("auth_time: expected at or before iat {iat}, got {auth_time}")]
    AuthTimeAfterIssue { auth_time: i64, iat: i64 },
    #[error("scope: expected to include {missing:?}, got {}", quoted_or_missing(.got))]
    MissingScope {
        missing: String,
        got: Option<String>,
    },
}

impl JwtErrorKind {
    /// A stable snake_case name for the variant, for metrics labels and expectation files.
    pub fn code(&self) -> &'static str {
        match self {
            JwtErrorKind::Malformed { .. } => "malformed",
            JwtErrorKind::Base64 { .. } => "base64",
            JwtErrorKind::Json { .. } => "json",
            JwtErrorKind::AlgNone => "alg_none",
            JwtErrorKind::AlgSymmetric { .. } => "alg_symmetric",
            JwtErrorKind::AlgUnsupported { .. } => "alg_unsupported",
            JwtErrorKind::CriticalHeader => "critical_header",
            JwtErrorKind::MissingKid => "missing_kid",
            JwtErrorKind::UnknownKid { .. } => "unknown_kid",
            JwtErrorKind::BadSignature { .. } => "bad_signature",
            JwtErrorKind::MissingClaim { .. } => "missing_claim",
            JwtErrorKind::InvalidClaimType { .. } => "invalid_claim_type",
            JwtErrorKind::WrongTokenUse { .. } => "wrong_token_use",
            JwtErrorKind::WrongIssuer { .. } => "wrong_issuer",
            JwtErrorKind::WrongAudience { .. } => "wrong_audience",
            JwtErrorKind::WrongClientId { .. } => "wrong_client_id",
            JwtErrorKind::Expired { .. } => "expired",
            JwtErrorKind::NotYetValid { .. } => "not_yet_valid",
            JwtErrorKind::IssuedInFuture { .. } => "issued_in_future",
            JwtErrorKind::AuthTimeAfterIssue { .. } => "auth_time_after_issue",
            JwtErrorKind::MissingScope { .. } => "missing_scope",
        }
    }
}

fn quoted_or_missing(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{s:?}"),
        None => "none".to_owned(),
    }
}

/// A rejected token. Boxed, like jsonwebtoken's error, so `Result<_, JwtError>` stays small.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtError(Box<JwtErrorKind>);

impl JwtError {
    pub fn kind(&self) -> &JwtErrorKind {
        &self.0
    }

    pub fn into_kind(self) -> JwtErrorKind {
        *self.0
    }

    /// The unknown `kid`, when that is why the token failed: the caller's cue to refetch.
    pub fn unknown_kid(&self) -> Option<&str> {
        match self.kind() {
            JwtErrorKind::UnknownKid { kid } => Some(kid),
            _ => None,
        }
    }
}

impl From<JwtErrorKind> for JwtError {
    fn from(kind: JwtErrorKind) -> Self {
        JwtError(Box::new(kind))
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for JwtError {}

impl From<ClaimTypeError> for JwtErrorKind {
    fn from(e: ClaimTypeError) -> Self {
        JwtErrorKind::InvalidClaimType {
            claim: e.claim,
            expected: e.expected,
            got: e.got,
        }
    }
}

/// A token that passed every rule.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedToken {
    /// The key that signed it.
    pub kid: String,
    pub claims: CognitoClaims,
}

impl VerifiedToken {
    pub fn token_use(&self) -> TokenUse {
        self.claims.token_use
    }
}

/// Verifies a compact-serialized Cognito token against `keys` and `policy` at time `now` (Unix
/// seconds). Never panics, whatever `token` holds.
pub fn verify_token(
    token: &str,
    keys: &KeySet,
    policy: &VerifyPolicy,
    now: i64,
) -> Result<VerifiedToken, JwtError> {
    let (kid, payload) = verify_signature(token, keys)?;
    let claims = verify_claims(payload, policy, now)?;
    Ok(VerifiedToken { kid, claims })
}

/// Steps 1 and 2: structure, header, signature. Returns the kid and the decoded payload JSON.
fn verify_signature(
    token: &str,
    keys: &KeySet,
) -> Result<(String, Map<String, Value>), JwtErrorKind> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtErrorKind::Malformed {
            reason: "longer than 64 KiB",
        });
    }
    let mut parts = token.split('.');
    let (header_b64, payload_b64, signature_b64) =
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(s), None) => (h, p, s),
            _ => {
                return Err(JwtErrorKind::Malformed {
                    reason: "expected three base64url parts separated by '.'",
                });
            }
        };
    if header_b64.is_empty() || payload_b64.is_empty() {
        return Err(JwtErrorKind::Malformed {
            reason: "empty header or payload part",
        });
    }

    let header = decode_json_object(header_b64, TokenPart::Header)?;
    check_alg(header.get("alg"))?;
    if header.contains_key("crit") {
        return Err(JwtErrorKind::CriticalHeader);
    }
    let kid = match header.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => kid.as_str(),
        _ => return Err(JwtErrorKind::MissingKid),
    };
    let key = keys
        .get(kid)
        .ok_or_else(|| JwtErrorKind::UnknownKid { kid: clip(kid) })?;

    let signature = b64url_decode(signature_b64.as_bytes()).map_err(|_| JwtErrorKind::Base64 {
        part: TokenPart::Signature,
    })?;
    let signing_input = &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
    if !key.verify_rs256(signing_input, &signature) {
        return Err(JwtErrorKind::BadSignature { kid: clip(kid) });
    }

    let payload = decode_json_object(payload_b64, TokenPart::Payload)?;
    Ok((key.kid().to_owned(), payload))
}

fn decode_json_object(part_b64: &str, part: TokenPart) -> Result<Map<String, Value>, JwtErrorKind> {
    let bytes = b64url_decode(part_b64.as_bytes()).map_err(|_| JwtErrorKind::Base64 { part })?;
    serde_json::from_slice(&bytes).map_err(|_| JwtErrorKind::Json { part })
}

/// RS256 only ("Algorithm (alg)"). `none` and HMAC get their own kinds because they are the two
/// forgeries every verifier must refuse; libraries have accepted both (CVE-2015-9235).
fn check_alg(alg: Option<&Value>) -> Result<(), JwtErrorKind> {
    let alg = match alg {
        Some(Value::String(alg)) => alg.as_str(),
        _ => return Err(JwtErrorKind::AlgUnsupported { alg: None }),
    };
    if alg == ALG_RS256 {
        Ok(())
    } else if alg.eq_ignore_ascii_case("none") {
        Err(JwtErrorKind::AlgNone)
    } else if alg
        .get(..2)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("HS"))
    {
        // `get`, not `[..2]`: the header is remote input and byte 2 may fall inside a
        // multi-byte character (`"Hé"`).
        Err(JwtErrorKind::AlgSymmetric { alg: clip(alg) })
    } else {
        Err(JwtErrorKind::AlgUnsupported {
            alg: Some(clip(alg)),
        })
    }
}

/// Step 3: the claims, in the order the module documentation lists.
fn verify_claims(
    payload: Map<String, Value>,
    policy: &VerifyPolicy,
    now: i64,
) -> Result<CognitoClaims, JwtErrorKind> {
    let c = ExtractedClaims::from_map(payload)?;
    let leeway_secs = policy.leeway_secs;
    let leeway = i64::from(leeway_secs);

    let token_use = match (c.token_use_kind(), c.token_use.as_deref()) {
        (Some(token_use), _) if policy.token_use.accepts(token_use) => token_use,
        (_, Some(got)) => {
            return Err(JwtErrorKind::WrongTokenUse {
                expected: policy.token_use,
                got: clip(got),
            });
        }
        (_, None) => return Err(missing(Claim::TokenUse)),
    };

    let iss = required(c.iss, Claim::Iss)?;
    if iss != policy.issuer {
        return Err(JwtErrorKind::WrongIssuer {
            expected: policy.issuer.clone(),
            got: clip(&iss),
        });
    }

    // RFC 7519 §4.1.4: valid only while now < exp.
    let exp = c.exp.ok_or(missing(Claim::Exp))?;
    if now >= exp.saturating_add(leeway) {
        return Err(JwtErrorKind::Expired {
            exp,
            now,
            leeway_secs,
        });
    }
    if let Some(nbf) = c.nbf
        && now.saturating_add(leeway) < nbf
    {
        return Err(JwtErrorKind::NotYetValid {
            nbf,
            now,
            leeway_secs,
        });
    }
    let iat = c.iat.ok_or(missing(Claim::Iat))?;
    if iat > now.saturating_add(leeway) {
        return Err(JwtErrorKind::IssuedInFuture {
            iat,
            now,
            leeway_secs,
        });
    }
    // Both come from the issuer's clock, so no leeway applies between them.
    if let Some(auth_time) = c.auth_time
        && auth_time > iat
    {
        return Err(JwtErrorKind::AuthTimeAfterIssue { auth_time, iat });
    }

    // Step 3.2: `aud` in an ID token, `client_id` in an access token.
    let accepted = |client: &str| policy.client_ids.iter().any(|id| id == client);
    match token_use {
        TokenUse::Id => {
            let aud = non_empty(c.aud.as_deref(), Claim::Aud)?;
            if !accepted(aud) {
                return Err(JwtErrorKind::WrongAudience {
                    expected: policy.client_ids.clone(),
                    got: clip(aud),
                });
            }
        }
        TokenUse::Access => {
            let client_id = non_empty(c.client_id.as_deref(), Claim::ClientId)?;
            if !accepted(client_id) {
                return Err(JwtErrorKind::WrongClientId {
                    expected: policy.client_ids.clone(),
                    got: clip(client_id),
                });
            }
        }
    }

    let sub = required(c.sub, Claim::Sub)?;
    if policy.require_username {
        match token_use {
            TokenUse::Id => non_empty(c.cognito_username.as_deref(), Claim::CognitoUsername)?,
            TokenUse::Access => non_empty(c.username.as_deref(), Claim::Username)?,
        };
    }
    non_empty(c.jti.as_deref(), Claim::Jti)?;
    if policy.require_origin_jti {
        non_empty(c.origin_jti.as_deref(), Claim::OriginJti)?;
    }

    if token_use == TokenUse::Access {
        let granted = c.scope.as_deref().unwrap_or("");
        if let Some(missing) = policy.required_scopes.iter().find(|wanted| {
            !granted
                .split_ascii_whitespace()
                .any(|s| s == wanted.as_str())
        }) {
            return Err(JwtErrorKind::MissingScope {
                missing: missing.clone(),
                got: c.scope.as_deref().map(clip),
            });
        }
    }

    Ok(CognitoClaims {
        sub,
        iss,
        token_use,
        exp,
        iat,
        auth_time: c.auth_time,
        jti: c.jti,
        origin_jti: c.origin_jti,
        aud: c.aud,
        client_id: c.client_id,
        cognito_username: c.cognito_username,
        username: c.username,
        scope: c.scope,
        cognito_groups: c.cognito_groups,
        email: c.email,
        email_verified: c.email_verified,
        event_id: c.event_id,
        device_key: c.device_key,
        extra: c.extra,
    })
}

fn missing(claim: Claim) -> JwtErrorKind {
    JwtErrorKind::MissingClaim { claim }
}

/// A present, non-empty string claim, moved out.
fn required(value: Option<String>, claim: Claim) -> Result<String, JwtErrorKind> {
    value.filter(|v| !v.is_empty()).ok_or(missing(claim))
}

fn non_empty(value: Option<&str>, claim: Claim) -> Result<&str, JwtErrorKind> {
    value.filter(|v| !v.is_empty()).ok_or(missing(claim))
}

/// A value quoted from a token, cut to [`MAX_QUOTED_CHARS`] characters.
fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_values_and_cuts_long_ones_on_a_char_boundary() {
        assert_eq!(clip("abc"), "abc");
        let long = "é".repeat(300);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(clipped.ends_with('…'));
    }

    #[test]
    fn alg_classification() {
        let kind = |alg: Value| check_alg(Some(&alg)).err();
        assert_eq!(kind(Value::from("RS256")), None);
        for none in ["none", "None", "NONE", "nOnE"] {
            assert_eq!(kind(Value::from(none)), Some(JwtErrorKind::AlgNone));
        }
        assert!(matches!(
            kind(Value::from("HS256")),
            Some(JwtErrorKind::AlgSymmetric { .. })
        ));
        assert!(matches!(
            kind(Value::from("hs512")),
            Some(JwtErrorKind::AlgSymmetric { .. })
        ));
        assert!(matches!(
            kind(Value::from("RS384")),
            Some(JwtErrorKind::AlgUnsupported { alg: Some(_) })
        ));
        assert!(matches!(
            kind(Value::from("rs256")),
            Some(JwtErrorKind::AlgUnsupported { .. })
        ));
        assert!(matches!(
            kind(Value::from(7)),
            Some(JwtErrorKind::AlgUnsupported { alg: None })
        ));
        assert!(matches!(
            check_alg(None),
            Err(JwtErrorKind::AlgUnsupported { alg: None })
        ));
        assert!(matches!(
            kind(Value::from("H")),
            Some(JwtErrorKind::AlgUnsupported { .. })
        ));
    }

    #[test]
    fn messages_name_the_claim_and_both_values() {
        let e = JwtErrorKind::WrongIssuer {
            expected: "https://a".into(),
            got: "https://b".into(),
        };
        assert_eq!(
            e.to_string(),
            r#"iss: expected "https://a", got "https://b""#
        );
        let e = JwtErrorKind::Expired {
            exp: 10,
            now: 20,
            leeway_secs: 5,
        };
        assert_eq!(e.to_string(), "exp: expired at 10, now is 20 (leeway 5 s)");
        let e = JwtErrorKind::MissingClaim {
            claim: Claim::CognitoUsername,
        };
        assert_eq!(e.to_string(), "cognito:username: missing");
        let e = JwtErrorKind::WrongTokenUse {
            expected: AcceptedTokenUse::Access,
            got: "id".into(),
        };
        assert_eq!(e.to_string(), r#"token_use: expected "access", got "id""#);
    }

    #[test]
    fn cognito_issuer_matches_the_guide() {
        assert_eq!(
            cognito_issuer("us-east-1", "u123456"),
            "https://cognito-idp.us-east-1.amazonaws.com/u123456"
        );
    }

    /// A rejected token's message is what a run report and `conform` show: it names the part
    /// of the token, and quotes the `alg` or `scope` it got, or says there was none.
    #[test]
    fn rejection_messages_name_the_part_and_quote_what_was_got() {
        let message = |kind: JwtErrorKind| kind.to_string();
        assert_eq!(
            message(JwtErrorKind::Base64 {
                part: TokenPart::Header
            }),
            "token header: not unpadded base64url"
        );
        assert_eq!(
            message(JwtErrorKind::Json {
                part: TokenPart::Payload
            }),
            "token payload: not a JSON object"
        );
        assert_eq!(
            message(JwtErrorKind::Base64 {
                part: TokenPart::Signature
            }),
            "token signature: not unpadded base64url"
        );
        assert_eq!(
            message(JwtErrorKind::AlgUnsupported {
                alg: Some("ES256".into())
            }),
            "alg: expected \"RS256\", got \"ES256\""
        );
        assert_eq!(
            message(JwtErrorKind::AlgUnsupported { alg: None }),
            "alg: expected \"RS256\", got none"
        );
        assert_eq!(
            message(JwtErrorKind::MissingScope {
                missing: "openid".into(),
                got: Some("email".into())
            }),
            "scope: expected to include \"openid\", got \"email\""
        );
    }
}
