//! The JSON Web Key Set a user pool publishes at `/.well-known/jwks.json`, and the key cache the
//! verifier looks `kid`s up in.
//!
//! "Verifying a JSON web token", step 2, says to download the JWKS once and match each token's
//! `kid` against it. [`KeySet`] is that download, parsed: every usable RSA key is turned into an
//! aws-lc-rs `ParsedPublicKey` (and a `jsonwebtoken::DecodingKey`, for callers that verify with
//! jsonwebtoken) once, when the JWKS arrives, so verifying a token costs one RSA operation and
//! no key parsing. A broken key is reported when the JWKS is loaded, not as a mysterious bad
//! signature later.
//!
//! Fetching is the protocol module's job. It hands the bytes to [`KeySet::from_jwks_json`], and
//! on a token whose `kid` is unknown ([`JwtErrorKind::UnknownKid`](super::JwtErrorKind)) it may
//! refetch, through a [`RefetchGate`] so that a stream of forged `kid`s cannot turn into a
//! stream of JWKS downloads, then build the new set with [`KeySet::refreshed`] or
//! [`KeySet::merged`], which reuse the keys that did not change.
//!
//! Which keys are used: `kty` "RSA", `alg` "RS256" or absent, `use` "sig" or absent, and a
//! `kid`. Other keys (EC, symmetric, encryption keys) are skipped and listed in
//! [`KeySet::skipped`]; a JWKS may legitimately carry them. A key that passes those tests but
//! cannot be used (no `n`, bad base64, not an RSA public key, under 2048 bits) is an error for
//! the whole set, because it means the target publishes a signing key nobody can check.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use jsonwebtoken::DecodingKey;
use serde::{Deserialize, Serialize};

use super::{ALG_RS256, b64url_decode};

/// RSA modulus sizes accepted for RS256, as aws-lc-rs' `RSA_PKCS1_2048_8192_SHA256` does.
const MIN_KEY_BITS: usize = 2048;
const MAX_KEY_BITS: usize = 8192;

/// A JSON Web Key Set (RFC 7517 §5): `{"keys": [...]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// One JSON Web Key, with the members a user pool publishes (the sample `jwks.json` in
/// "Verifying a JSON web token"). Every member is optional on input so that one odd key does not
/// make the whole set unreadable; members this type does not name (`x5c`, `crv`...) are ignored.
/// Field order is the guide's, so a served JWKS reads like Cognito's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kty: Option<String>,
    /// RSA public exponent, Base64urlUInt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// RSA modulus, Base64urlUInt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// `use`: "sig" for signature keys.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
}

impl Jwk {
    /// An RS256 signing key as a user pool publishes it; `n` and `e` are base64url big-endian
    /// integers without leading zeros.
    pub fn rs256(
        kid: impl Into<String>,
        n_b64: impl Into<String>,
        e_b64: impl Into<String>,
    ) -> Self {
        Jwk {
            kid: Some(kid.into()),
            alg: Some(ALG_RS256.to_owned()),
            kty: Some("RSA".to_owned()),
            e: Some(e_b64.into()),
            n: Some(n_b64.into()),
            key_use: Some("sig".to_owned()),
        }
    }
}

/// Why a JWK was not put in a [`KeySet`]. The first four are skips (the key is not an RS256
/// signing key, so it is not meant for us); the rest are errors (see [`Self::is_skip`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwkRejection {
    #[error("no kid, so no token can name it")]
    MissingKid,
    #[error("kty is {}, not \"RSA\"", quoted_or_missing(.kty))]
    NotRsa { kty: Option<String> },
    #[error("alg is {alg:?}, not \"RS256\"")]
    NotRs256 { alg: String },
    #[error("use is {key_use:?}, not \"sig\"")]
    NotForSignatures { key_use: String },
    #[error("RS256 key without its {component:?} member")]
    MissingComponent { component: &'static str },
    #[error("{component:?} is not unpadded base64url")]
    BadBase64 { component: &'static str },
    #[error("n and e do not form an RSA public key (empty, or a leading zero byte)")]
    InvalidRsaKey,
    #[error("modulus is {bits} bits; RS256 keys must be {MIN_KEY_BITS} to {MAX_KEY_BITS} bits")]
    KeySize { bits: usize },
}

impl JwkRejection {
    /// True when the key was skipped as not ours; false when it is a broken RS256 key.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            JwkRejection::MissingKid
                | JwkRejection::NotRsa { .. }
                | JwkRejection::NotRs256 { .. }
                | JwkRejection::NotForSignatures { .. }
        )
    }
}

fn quoted_or_missing(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{s:?}"),
        None => "missing".to_owned(),
    }
}

/// Loading a JWKS failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    #[error("JWKS is not a JSON object of the form {{\"keys\": [...]}}: {0}")]
    Json(#[from] serde_json::Error),
    #[error("JWKS key {kid:?}: {reason}")]
    InvalidKey { kid: String, reason: JwkRejection },
    #[error("JWKS lists kid {kid:?} more than once; a token's kid must name one key")]
    DuplicateKid { kid: String },
}

/// A key skipped while loading a JWKS, kept so that a conformance report can mention it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    /// Position in the JWKS `keys` array.
    pub index: usize,
    pub kid: Option<String>,
    pub reason: JwkRejection,
}

/// An RS256 public key, parsed once.
pub struct VerifyingKey {
    kid: String,
    /// Big-endian, no leading zeros; kept to tell an unchanged key on refresh.
    n: Vec<u8>,
    e: Vec<u8>,
    parsed: ParsedPublicKey,
    decoding: DecodingKey,
}

impl VerifyingKey {
    /// Parses an RS256 signing key. Keys that are not RS256 signing keys get a skip rejection
    /// ([`JwkRejection::is_skip`]).
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, JwkRejection> {
        let (kid, n, e) = decode_rs256_jwk(jwk)?;
        Self::from_components(kid, n, e)
    }

    fn from_components(kid: String, n: Vec<u8>, e: Vec<u8>) -> Result<Self, JwkRejection> {
        // Leading zeros are invalid in Base64urlUInt (RFC 7518 §2) and aws-lc-rs rejects them.
        if n.first().is_none_or(|&b| b == 0) {
            return Err(JwkRejection::InvalidRsaKey);
        }
        let bits = n.len() * 8 - n[0].leading_zeros() as usize;
        if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
            return Err(JwkRejection::KeySize { bits });
        }
        let parsed = RsaPublicKeyComponents { n: &n, e: &e }
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map_err(|_| JwkRejection::InvalidRsaKey)?;
        let decoding = DecodingKey::from_rsa_raw_components(&n, &e);
        Ok(VerifyingKey {
            kid,
            n,
            e,
            parsed,
            decoding,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.n.len() * 8 - self.n[0].leading_zeros() as usize
    }

    /// The same key for `jsonwebtoken::decode`, for callers that want jsonwebtoken's checks.
    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub(crate) fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.parsed.verify_sig(message, signature).is_ok()
    }

    fn same_material(&self, n: &[u8], e: &[u8]) -> bool {
        self.n == n && self.e == e
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

/// Checks that `jwk` is an RS256 signing key and decodes its kid, n and e.
fn decode_rs256_jwk(jwk: &Jwk) -> Result<(String, Vec<u8>, Vec<u8>), JwkRejection> {
    if jwk.kty.as_deref() != Some("RSA") {
        return Err(JwkRejection::NotRsa {
            kty: jwk.kty.clone(),
        });
    }
    if let Some(alg) = jwk.alg.as_deref().filter(|a| *a != ALG_RS256) {
        return Err(JwkRejection::NotRs256 {
            alg: alg.to_owned(),
        });
    }
    if let Some(key_use) = jwk.key_use.as_deref().filter(|u| *u != "sig") {
        return Err(JwkRejection::NotForSignatures {
            key_use: key_use.to_owned(),
        });
    }
    let kid = match jwk.kid.as_deref() {
        Some(kid) if !kid.is_empty() => kid.to_owned(),
        _ => return Err(JwkRejection::MissingKid),
    };
    let component = |value: &Option<String>, component: &'static str| {
        let text = value
            .as_deref()
            .ok_or(JwkRejection::MissingComponent { component })?;
        b64url_decode(text.as_bytes()).map_err(|_| JwkRejection::BadBase64 { component })
    };
    let n = component(&jwk.n, "n")?;
    let e = component(&jwk.e, "e")?;
    Ok((kid, n, e))
}

/// What changed between a key set and the JWKS it was refreshed from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshReport {
    /// Kids that were not in the old set.
    pub added: Vec<String>,
    /// Kids whose key material changed. Cognito does not reuse a kid for a new key, so a
    /// conformance run should flag this.
    pub changed: Vec<String>,
    /// Kids of the old set that the fresh JWKS no longer lists: dropped by
    /// [`KeySet::refreshed`], kept by [`KeySet::merged`].
    pub missing_from_fresh: Vec<String>,
}

/// The verifier's key cache: usable RS256 keys by `kid`.
///
/// Cloning is cheap (keys are shared), so a caller can keep the current set behind a lock or an
/// `Arc` and swap in a refreshed one while verifications proceed on the old one.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: HashMap<String, Arc<VerifyingKey>>,
    skipped: Vec<SkippedKey>,
}

impl KeySet {
    /// Parses a JWKS document (the body of `/.well-known/jwks.json`).
    pub fn from_jwks_json(bytes: &[u8]) -> Result<Self, JwksError> {
        let jwks: Jwks = serde_json::from_slice(bytes)?;
        Self::from_jwks(&jwks)
    }

    pub fn from_jwks(jwks: &Jwks) -> Result<Self, JwksError> {
        Self::build(jwks, |_, _, _| None)
    }

    /// A set holding exactly the keys of the fresh JWKS. Keys whose kid and material are
    /// unchanged are shared with `self`, not parsed again.
    pub fn refreshed(&self, fresh_json: &[u8]) -> Result<(KeySet, RefreshReport), JwksError> {
        self.refresh(fresh_json, false)
    }

    /// Like [`Self::refreshed`], but keys the fresh JWKS no longer lists are kept, so tokens
    /// signed just before a key rotation still verify. A kid whose material changed takes the
    /// fresh key.
    pub fn merged(&self, fresh_json: &[u8]) -> Result<(KeySet, RefreshReport), JwksError> {
        self.refresh(fresh_json, true)
    }

    fn refresh(
        &self,
        fresh_json: &[u8],
        keep_missing: bool,
    ) -> Result<(KeySet, RefreshReport), JwksError> {
        let jwks: Jwks = serde_json::from_slice(fresh_json)?;
        let mut report = RefreshReport::default();
        let mut fresh = Self::build(&jwks, |kid, n, e| {
            self.keys
                .get(kid)
                .filter(|old| old.same_material(n, e))
                .cloned()
        })?;
        for (kid, key) in &fresh.keys {
            match self.keys.get(kid) {
                None => report.added.push(kid.clone()),
                Some(old) if !Arc::ptr_eq(old, key) => report.changed.push(kid.clone()),
                Some(_) => {}
            }
        }
        for (kid, old) in &self.keys {
            if !fresh.keys.contains_key(kid) {
                report.missing_from_fresh.push(kid.clone());
                if keep_missing {
                    fresh.keys.insert(kid.clone(), Arc::clone(old));
                }
            }
        }
        report.added.sort();
        report.changed.sort();
        report.missing_from_fresh.sort();
        Ok((fresh, report))
    }

    /// Builds a set, taking already-parsed keys from `reuse` when it has them.
    fn build(
        jwks: &Jwks,
        reuse: impl Fn(&str, &[u8], &[u8]) -> Option<Arc<VerifyingKey>>,
    ) -> Result<Self, JwksError> {
        let mut set = KeySet::default();
        for (index, jwk) in jwks.keys.iter().enumerate() {
            let (kid, n, e) = match decode_rs256_jwk(jwk) {
                Ok(parts) => parts,
                Err(reason) if reason.is_skip() => {
                    set.skipped.push(SkippedKey {
                        index,
                        kid: jwk.kid.clone(),
                        reason,
                    });
                    continue;
                }
                Err(reason) => {
                    return Err(JwksError::InvalidKey {
                        kid: jwk.kid.clone().unwrap_or_default(),
                        reason,
                    });
                }
            };
            if set.keys.contains_key(&kid) {
                return Err(JwksError::DuplicateKid { kid });
            }
            let key = match reuse(&kid, &n, &e) {
                Some(key) => key,
                None => match VerifyingKey::from_components(kid.clone(), n, e) {
                    Ok(key) => Arc::new(key),
                    Err(reason) => return Err(JwksError::InvalidKey { kid, reason }),
                },
            };
            set.keys.insert(kid, key);
        }
        Ok(set)
    }

    /// Adds or replaces one key, for a server that verifies its own tokens.
    pub fn insert(&mut self, key: VerifyingKey) {
        self.keys.insert(key.kid.clone(), Arc::new(key));
    }

    pub fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.get(kid).map(Arc::as_ref)
    }

    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    /// The kids of the usable keys, sorted.
    pub fn kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self.keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        kids
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys of the JWKS that were not RS256 signing keys.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }
}

/// Decides whether an unknown `kid` may trigger a JWKS download: at most one per
/// `min_interval_secs`. Unknown kids are attacker-controlled (anyone can put any kid in a
/// header), so without a limit every forged token would cost a fetch.
#[derive(Clone, Debug)]
pub struct RefetchGate {
    min_interval_secs: i64,
    last_fetch: Option<i64>,
}

impl RefetchGate {
    /// Default spacing between refetches: 10 s, the wait aws-jwt-verify's `SimplePenaltyBox`
    /// imposes before it fetches a JWKS again for an unknown kid.
    pub const DEFAULT_MIN_INTERVAL_SECS: u32 = 10;

    pub fn new(min_interval_secs: u32) -> Self {
        RefetchGate {
            min_interval_secs: i64::from(min_interval_secs),
            last_fetch: None,
        }
    }

    /// Records a fetch made for another reason (the first download), so the interval counts
    /// from it.
    pub fn record_fetch(&mut self, now: i64) {
        self.last_fetch = Some(now);
    }

    /// True, and recorded as a fetch at `now`, when enough time has passed since the last one
    /// (or the clock went backwards, which would otherwise block refetches until it caught up).
    pub fn try_begin(&mut self, now: i64) -> bool {
        let allowed = match self.last_fetch {
            None => true,
            Some(last) => now.saturating_sub(last) >= self.min_interval_secs || now < last,
        };
        if allowed {
            self.last_fetch = Some(now);
        }
        allowed
    }
}

impl Default for RefetchGate {
    fn default() -> Self {
        RefetchGate::new(Self::DEFAULT_MIN_INTERVAL_SECS)
    }
}
