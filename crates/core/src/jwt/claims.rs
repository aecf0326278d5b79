//! The claims of Cognito ID and access tokens, typed once for both directions: the reference
//! server serializes [`CognitoClaims`] into tokens, the verifier hands them back in a
//! [`VerifiedToken`](super::VerifiedToken).
//!
//! One struct serves both token kinds because the two share most claims ("ID Token Payload" and
//! "Access token payload" in the developer guide); the fields that belong to one kind only are
//! `Option`s, and `None` fields are left out of the JSON, as Cognito leaves them out.
//! Everything else (OIDC profile claims, `custom:*` attributes, `version`, ...) is kept verbatim
//! in [`CognitoClaims::extra`].
//!
//! The verifier does not go through serde's derive to read a payload: it reads the JSON object
//! field by field ([`ExtractedClaims::from_map`]) so that a failure names the claim and the
//! expected JSON type, which the derive cannot tell.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `token_use` claim: what a token is for ("Token use" in "Using the ID token" and "Using
/// the access token").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenUse {
    /// `"id"`: claims about the user's identity, audience = the app client.
    Id,
    /// `"access"`: authorizes user-pool API calls; carries `client_id` and `scope`.
    Access,
}

impl TokenUse {
    /// The claim's wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "id" => Some(TokenUse::Id),
            "access" => Some(TokenUse::Access),
            _ => None,
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A claim the verifier knows by name, so that an error can say which claim failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Claim {
    Iss,
    Sub,
    Aud,
    ClientId,
    TokenUse,
    Exp,
    Iat,
    Nbf,
    AuthTime,
    Jti,
    OriginJti,
    /// `cognito:username`, the ID token's user name.
    CognitoUsername,
    /// `username`, the access token's user name.
    Username,
    Scope,
    CognitoGroups,
    Email,
    EmailVerified,
    EventId,
    DeviceKey,
}

impl Claim {
    /// The claim's name in the token payload.
    pub const fn name(self) -> &'static str {
        match self {
            Claim::Iss => "iss",
            Claim::Sub => "sub",
            Claim::Aud => "aud",
            Claim::ClientId => "client_id",
            Claim::TokenUse => "token_use",
            Claim::Exp => "exp",
            Claim::Iat => "iat",
            Claim::Nbf => "nbf",
            Claim::AuthTime => "auth_time",
            Claim::Jti => "jti",
            Claim::OriginJti => "origin_jti",
            Claim::CognitoUsername => "cognito:username",
            Claim::Username => "username",
            Claim::Scope => "scope",
            Claim::CognitoGroups => "cognito:groups",
            Claim::Email => "email",
            Claim::EmailVerified => "email_verified",
            Claim::EventId => "event_id",
            Claim::DeviceKey => "device_key",
        }
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The claims of a Cognito ID or access token.
///
/// Times are Unix seconds (JWT NumericDate). In a verified token the required claims are
/// guaranteed: `sub`, `iss`, `token_use`, `exp`, `iat` and `jti` always; `aud` and
/// `cognito:username` for ID tokens; `client_id` and `username` for access tokens (the user name
/// unless the policy waived it for machine-to-machine tokens); `origin_jti` when the policy asks.
///
/// Serializing skips every `None` field, and `extra` is written inline, so a server can build
/// the exact payload Cognito would.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CognitoClaims {
    /// The user's UUID ("Subject (sub)"); for client-credentials access tokens, the client id.
    pub sub: String,
    /// `https://cognito-idp.{region}.amazonaws.com/{userPoolId}` on Cognito; emulators differ.
    pub iss: String,
    pub token_use: TokenUse,
    pub exp: i64,
    pub iat: i64,
    /// When the user signed in; unchanged by refreshes ("Authentication time (auth_time)").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// Unique per token; added when token revocation is enabled, the default for new clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Shared by the ID and access tokens of one sign-in and kept across refreshes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_jti: Option<String>,
    /// ID tokens: the app client id the user signed in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Access tokens: the app client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// ID tokens: the user name.
    #[serde(
        rename = "cognito:username",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cognito_username: Option<String>,
    /// Access tokens: the user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Access tokens: space-separated OAuth 2.0 scopes, `aws.cognito.signin.user.admin` after an
    /// API sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(
        rename = "cognito:groups",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cognito_groups: Option<Vec<String>>,
    /// ID tokens, when the user has an email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Access tokens, when device tracking remembered the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    /// Every other claim, verbatim: OIDC profile claims, `custom:*` attributes (always strings,
    /// "Using the ID token"), `nonce`, `version`, `nbf`...
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CognitoClaims {
    /// The user name whichever the token kind: `cognito:username` (ID) or `username` (access).
    pub fn user_name(&self) -> Option<&str> {
        match self.token_use {
            TokenUse::Id => self.cognito_username.as_deref(),
            TokenUse::Access => self.username.as_deref(),
        }
    }

    /// The app client whichever the token kind: `aud` (ID) or `client_id` (access).
    pub fn app_client_id(&self) -> Option<&str> {
        match self.token_use {
            TokenUse::Id => self.aud.as_deref(),
            TokenUse::Access => self.client_id.as_deref(),
        }
    }

    /// The scopes of an access token (`scope` split on spaces); none for an ID token.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.as_deref().unwrap_or("").split_ascii_whitespace()
    }

    /// Whether `scope` lists `wanted`.
    pub fn has_scope(&self, wanted: &str) -> bool {
        self.scopes().any(|s| s == wanted)
    }
}

/// A claim whose JSON type is not the one the guide gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ClaimTypeError {
    pub claim: Claim,
    pub expected: &'static str,
    pub got: &'static str,
}

/// The payload read field by field, types checked, values not yet judged. The verifier applies
/// the rules to this, then turns it into [`CognitoClaims`].
#[derive(Debug, Default)]
pub(crate) struct ExtractedClaims {
    pub sub: Option<String>,
    pub iss: Option<String>,
    /// Kept as a string so that an unexpected value can be quoted in the error.
    pub token_use: Option<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub nbf: Option<i64>,
    pub auth_time: Option<i64>,
    pub jti: Option<String>,
    pub origin_jti: Option<String>,
    pub aud: Option<String>,
    pub client_id: Option<String>,
    pub cognito_username: Option<String>,
    pub username: Option<String>,
    pub scope: Option<String>,
    pub cognito_groups: Option<Vec<String>>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub event_id: Option<String>,
    pub device_key: Option<String>,
    pub extra: Map<String, Value>,
}

impl ExtractedClaims {
    /// Moves the known claims out of `map`, checking each one's JSON type. `nbf` is read for the
    /// verifier but left in `extra` as well, since Cognito never sets it and the typed struct has
    /// no field for it.
    pub fn from_map(mut map: Map<String, Value>) -> Result<Self, ClaimTypeError> {
        let nbf = match map.get(Claim::Nbf.name()) {
            Some(v) => Some(numeric_date(v).ok_or_else(|| type_error(Claim::Nbf, NUMBER, v))?),
            None => None,
        };
        Ok(ExtractedClaims {
            sub: take_string(&mut map, Claim::Sub)?,
            iss: take_string(&mut map, Claim::Iss)?,
            token_use: take_string(&mut map, Claim::TokenUse)?,
            exp: take_date(&mut map, Claim::Exp)?,
            iat: take_date(&mut map, Claim::Iat)?,
            nbf,
            auth_time: take_date(&mut map, Claim::AuthTime)?,
            jti: take_string(&mut map, Claim::Jti)?,
            origin_jti: take_string(&mut map, Claim::OriginJti)?,
            aud: take_string(&mut map, Claim::Aud)?,
            client_id: take_string(&mut map, Claim::ClientId)?,
            cognito_username: take_string(&mut map, Claim::CognitoUsername)?,
            username: take_string(&mut map, Claim::Username)?,
            scope: take_string(&mut map, Claim::Scope)?,
            cognito_groups: take_string_list(&mut map, Claim::CognitoGroups)?,
            email: take_string(&mut map, Claim::Email)?,
            email_verified: take_bool(&mut map, Claim::EmailVerified)?,
            event_id: take_string(&mut map, Claim::EventId)?,
            device_key: take_string(&mut map, Claim::DeviceKey)?,
            extra: map,
        })
    }

    /// Parses `token_use` into a [`TokenUse`] if it is one of the two values Cognito uses.
    pub fn token_use_kind(&self) -> Option<TokenUse> {
        self.token_use.as_deref().and_then(TokenUse::parse)
    }
}

const STRING: &str = "string";
const NUMBER: &str = "number (seconds since the epoch)";

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(claim: Claim, expected: &'static str, got: &Value) -> ClaimTypeError {
    ClaimTypeError {
        claim,
        expected,
        got: json_type(got),
    }
}

fn take_string(
    map: &mut Map<String, Value>,
    claim: Claim,
) -> Result<Option<String>, ClaimTypeError> {
    match map.remove(claim.name()) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(type_error(claim, STRING, &other)),
    }
}

fn take_bool(map: &mut Map<String, Value>, claim: Claim) -> Result<Option<bool>, ClaimTypeError> {
    match map.remove(claim.name()) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(other) => Err(type_error(claim, "boolean", &other)),
    }
}

fn take_date(map: &mut Map<String, Value>, claim: Claim) -> Result<Option<i64>, ClaimTypeError> {
    match map.remove(claim.name()) {
        None => Ok(None),
        Some(v) => numeric_date(&v)
            .map(Some)
            .ok_or_else(|| type_error(claim, NUMBER, &v)),
    }
}

fn take_string_list(
    map: &mut Map<String, Value>,
    claim: Claim,
) -> Result<Option<Vec<String>>, ClaimTypeError> {
    const LIST: &str = "array of strings";
    match map.remove(claim.name()) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(type_error(claim, LIST, &other)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(type_error(claim, LIST, &other)),
    }
}

/// A JWT NumericDate (RFC 7519 §2): seconds since the epoch, possibly fractional. Cognito writes
/// integers; a fraction is floored, so `exp` errs early by under a second, never late. Values
/// outside `i64` are not dates.
fn numeric_date(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(n) => n,
        _ => return None,
    };
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    // `i64::MAX as f64` rounds up to 2^63, so the upper bound is exclusive.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match n.as_f64() {
        Some(f) if (-LIMIT..LIMIT).contains(&f) => Some(f.floor() as i64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_use_is_written_as_the_claim_cognito_sets() {
        // "Using the ID token" / "Using the access token": `token_use` is `id` or `access`.
        assert_eq!(TokenUse::Id.as_str(), "id");
        assert_eq!(TokenUse::Access.as_str(), "access");
        for use_ in [TokenUse::Id, TokenUse::Access] {
            assert_eq!(TokenUse::parse(use_.as_str()), Some(use_));
            // Printed, it is the claim's value too.
            assert_eq!(use_.to_string(), use_.as_str());
        }
    }

    fn sample_access() -> CognitoClaims {
        CognitoClaims {
            sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".into(),
            iss: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_example".into(),
            token_use: TokenUse::Access,
            exp: 1_562_194_124,
            iat: 1_562_190_524,
            auth_time: Some(1_562_190_524),
            jti: Some("j".into()),
            origin_jti: Some("o".into()),
            aud: None,
            client_id: Some("57cbishk4j24pabc1234567890".into()),
            cognito_username: None,
            username: Some("janedoe@example.com".into()),
            scope: Some("aws.cognito.signin.user.admin".into()),
            cognito_groups: Some(vec!["admin".into()]),
            email: None,
            email_verified: None,
            event_id: None,
            device_key: None,
            extra: Map::new(),
        }
    }

    #[test]
    fn none_fields_are_not_serialized() {
        let v = serde_json::to_value(sample_access()).unwrap();
        let obj = v.as_object().unwrap();
        for absent in [
            "aud",
            "cognito:username",
            "email",
            "email_verified",
            "device_key",
        ] {
            assert!(!obj.contains_key(absent), "{absent} should be skipped");
        }
        assert_eq!(obj["cognito:groups"], json!(["admin"]));
        assert_eq!(obj["token_use"], json!("access"));
    }

    #[test]
    fn extra_claims_are_written_inline_and_read_back() {
        let mut claims = sample_access();
        claims.extra.insert("custom:tier".into(), json!("gold"));
        claims.extra.insert("version".into(), json!(2));
        let v = serde_json::to_value(&claims).unwrap();
        assert_eq!(v["custom:tier"], json!("gold"));
        let back: CognitoClaims = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back, claims);

        let Value::Object(map) = v else {
            unreachable!()
        };
        let extracted = ExtractedClaims::from_map(map).unwrap();
        assert_eq!(extracted.extra.get("custom:tier"), Some(&json!("gold")));
        assert_eq!(extracted.cognito_groups, Some(vec!["admin".to_string()]));
        assert_eq!(extracted.token_use_kind(), Some(TokenUse::Access));
    }

    #[test]
    fn helpers_pick_the_claim_of_the_token_kind() {
        let claims = sample_access();
        assert_eq!(claims.user_name(), Some("janedoe@example.com"));
        assert_eq!(claims.app_client_id(), Some("57cbishk4j24pabc1234567890"));
        assert!(claims.has_scope("aws.cognito.signin.user.admin"));
        assert!(!claims.has_scope("aws.cognito"));
    }

    #[test]
    fn wrong_json_types_name_the_claim() {
        let cases = [
            (json!({"exp": "soon"}), Claim::Exp, "string"),
            (json!({"sub": 7}), Claim::Sub, "number"),
            (
                json!({"cognito:groups": "admin"}),
                Claim::CognitoGroups,
                "string",
            ),
            (
                json!({"cognito:groups": ["a", 1]}),
                Claim::CognitoGroups,
                "number",
            ),
            (
                json!({"email_verified": "true"}),
                Claim::EmailVerified,
                "string",
            ),
            (json!({"nbf": null}), Claim::Nbf, "null"),
        ];
        for (payload, claim, got) in cases {
            let Value::Object(map) = payload else {
                unreachable!()
            };
            let err = ExtractedClaims::from_map(map).unwrap_err();
            assert_eq!((err.claim, err.got), (claim, got));
        }
    }

    #[test]
    fn numeric_dates_accept_fractions_and_reject_out_of_range() {
        assert_eq!(numeric_date(&json!(1_500_000_000)), Some(1_500_000_000));
        assert_eq!(numeric_date(&json!(1_500_000_000.9)), Some(1_500_000_000));
        assert_eq!(numeric_date(&json!(u64::MAX)), None);
        assert_eq!(numeric_date(&json!(1e300)), None);
        assert_eq!(numeric_date(&json!("1500000000")), None);
    }
}
