//! RS256 signing for the reference server.
//!
//! A user pool "generates two pairs of RSA cryptographic keys" and signs ID and access tokens
//! with different ones ("Verifying a JSON web token", step 2; "Using the access token"), so the
//! server holds two [`TokenSigner`]s and publishes both public keys with [`jwks_from_signers`].
//!
//! The signer keeps its key parsed (an aws-lc-rs `RsaKeyPair`) and its encoded header ready,
//! and signs with `RSA_PKCS1_SHA256` directly. `jsonwebtoken::encode` parses the private key
//! again on every call, which makes it about three times slower (the `sign_parsed_key` and
//! `sign_jsonwebtoken_encode` benches).

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Serialize;

use super::jwks::{Jwk, Jwks};
use super::{ALG_RS256, b64url_encode};

/// Loading, generating or using a signing key failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    #[error("kid must not be empty")]
    EmptyKid,
    #[error("RSA key generation failed")]
    Generate,
    #[error("PEM: {0}")]
    Pem(&'static str),
    /// aws-lc-rs refused the key: not RSA, malformed, or outside 2048..=8192 bits.
    #[error("RSA private key rejected: {0}")]
    KeyRejected(String),
    #[error("RSA signing failed")]
    Sign,
    #[error("claims do not serialize to a JSON object: {0}")]
    Claims(String),
}

/// An RSA private key, parsed once, that signs RS256 tokens under one `kid`.
pub struct TokenSigner {
    kid: String,
    key_pair: RsaKeyPair,
    /// `base64url({"kid":...,"alg":"RS256"})`, the first part of every token.
    header_b64: String,
    jwk: Jwk,
    rng: SystemRandom,
}

/// The JOSE header Cognito writes ("ID Token Header"), in its member order.
#[derive(Serialize)]
struct Header<'a> {
    kid: &'a str,
    alg: &'a str,
}

impl TokenSigner {
    /// Generates a fresh 2048-bit key, the size Cognito's JWKS keys have. Takes around 100 ms,
    /// more or less as the prime search is lucky (`rsa_keygen` bench): do it at start-up, not
    /// per request.
    pub fn generate(kid: impl Into<String>) -> Result<Self, SignError> {
        let key_pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| SignError::Generate)?;
        Self::with_key_pair(kid.into(), key_pair)
    }

    /// Loads an unencrypted PKCS#8 (`PrivateKeyInfo`) DER RSA key.
    pub fn from_pkcs8_der(kid: impl Into<String>, der: &[u8]) -> Result<Self, SignError> {
        let key_pair =
            RsaKeyPair::from_pkcs8(der).map_err(|e| SignError::KeyRejected(e.to_string()))?;
        Self::with_key_pair(kid.into(), key_pair)
    }

    /// Loads a PEM RSA key: `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1), as openssl
    /// writes them. Encrypted keys are refused.
    pub fn from_pem(kid: impl Into<String>, pem: &str) -> Result<Self, SignError> {
        let (label, der) = pem_decode(pem)?;
        let key_pair = match label {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            "ENCRYPTED PRIVATE KEY" => {
                return Err(SignError::Pem("encrypted keys are not supported"));
            }
            _ => {
                return Err(SignError::Pem(
                    "expected a PRIVATE KEY or RSA PRIVATE KEY block",
                ));
            }
        }
        .map_err(|e| SignError::KeyRejected(e.to_string()))?;
        Self::with_key_pair(kid.into(), key_pair)
    }

    fn with_key_pair(kid: String, key_pair: RsaKeyPair) -> Result<Self, SignError> {
        if kid.is_empty() {
            return Err(SignError::EmptyKid);
        }
        let header = serde_json::to_vec(&Header {
            kid: &kid,
            alg: ALG_RS256,
        })
        .map_err(|e| SignError::Claims(e.to_string()))?;
        let public = key_pair.public_key();
        let jwk = Jwk::rs256(
            kid.clone(),
            b64url_encode(public.modulus().big_endian_without_leading_zero()),
            b64url_encode(public.exponent().big_endian_without_leading_zero()),
        );
        Ok(TokenSigner {
            header_b64: b64url_encode(&header),
            kid,
            key_pair,
            jwk,
            rng: SystemRandom::new(),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK: kty RSA, alg RS256, use sig, kid, n, e.
    pub fn public_jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The private key as unencrypted PKCS#8 DER, to persist a generated key. Secret.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, SignError> {
        let der = self.key_pair.as_der().map_err(|_| SignError::Sign)?;
        Ok(der.as_ref().to_vec())
    }

    /// The private key as a PKCS#8 PEM (`PRIVATE KEY`) block. Secret.
    pub fn to_pkcs8_pem(&self) -> Result<String, SignError> {
        let b64 = STANDARD.encode(self.to_pkcs8_der()?);
        let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
        for line in b64.as_bytes().chunks(64) {
            // base64 output is ASCII, so every chunk is valid UTF-8.
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        Ok(pem)
    }

    /// Signs `claims` (any type serializing to a JSON object, usually
    /// [`CognitoClaims`](super::CognitoClaims)) into a compact JWT with the header
    /// `{"kid":<kid>,"alg":"RS256"}`.
    pub fn sign<C: Serialize + ?Sized>(&self, claims: &C) -> Result<String, SignError> {
        let payload = serde_json::to_vec(claims).map_err(|e| SignError::Claims(e.to_string()))?;
        if payload.first() != Some(&b'{') {
            return Err(SignError::Claims("not an object".to_owned()));
        }
        let sig_len = self.key_pair.public_modulus_len();
        let mut token = String::with_capacity(
            self.header_b64.len() + 2 + (payload.len() + sig_len).div_ceil(3) * 4,
        );
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let signature = self.sign_message(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(token)
    }

    /// The raw RS256 signature of `message`. For callers that assemble tokens themselves, such
    /// as fault injection sending deliberately malformed tokens that still carry a good
    /// signature.
    pub fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut signature = vec![0; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .map_err(|_| SignError::Sign)?;
        Ok(signature)
    }

    /// `base64url` of this signer's header, the first part of the tokens it signs.
    pub fn header_b64(&self) -> &str {
        &self.header_b64
    }
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The JWKS a server publishes for its signers, in the order given (ID key, access key).
pub fn jwks_from_signers<'a>(signers: impl IntoIterator<Item = &'a TokenSigner>) -> Jwks {
    Jwks {
        keys: signers.into_iter().map(|s| s.jwk.clone()).collect(),
    }
}

/// Decodes the first PEM block (RFC 7468) in `pem`: its label and DER body.
fn pem_decode(pem: &str) -> Result<(&str, Vec<u8>), SignError> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let start = pem.find(BEGIN).ok_or(SignError::Pem("no BEGIN line"))? + BEGIN.len();
    let rest = &pem[start..];
    let label_end = rest
        .find(DASHES)
        .ok_or(SignError::Pem("unterminated BEGIN line"))?;
    let label = &rest[..label_end];
    let body = &rest[label_end + DASHES.len()..];
    let end_line = format!("-----END {label}-----");
    let body_end = body
        .find(&end_line)
        .ok_or(SignError::Pem("no matching END line"))?;
    let b64: String = body[..body_end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = STANDARD
        .decode(b64)
        .map_err(|_| SignError::Pem("body is not base64"))?;
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID_PEM: &str = include_str!("../../../../tests/data/rsa2048-id.pk8.pem");
    const PKCS1_PEM: &str = include_str!("../../../../tests/data/rsa2048-other.pkcs1.pem");
    const PKCS8_OTHER_PEM: &str = include_str!("../../../../tests/data/rsa2048-other.pk8.pem");

    #[test]
    fn header_is_kid_then_alg() {
        let signer = TokenSigner::from_pem("k1", ID_PEM).unwrap();
        let header = URL_SAFE_NO_PAD.decode(signer.header_b64()).unwrap();
        assert_eq!(header, br#"{"kid":"k1","alg":"RS256"}"#);
    }

    #[test]
    fn pkcs1_and_pkcs8_pems_of_one_key_give_one_jwk() {
        let a = TokenSigner::from_pem("k", PKCS1_PEM).unwrap();
        let b = TokenSigner::from_pem("k", PKCS8_OTHER_PEM).unwrap();
        assert_eq!(a.public_jwk(), b.public_jwk());
        assert_eq!(a.public_jwk().e.as_deref(), Some("AQAB"));
    }

    #[test]
    fn pem_round_trips_through_pkcs8() {
        let a = TokenSigner::from_pem("k", ID_PEM).unwrap();
        let pem = a.to_pkcs8_pem().unwrap();
        let b = TokenSigner::from_pem("k", &pem).unwrap();
        assert_eq!(a.public_jwk(), b.public_jwk());
        let c = TokenSigner::from_pkcs8_der("k", &a.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!(a.public_jwk(), c.public_jwk());
    }

    #[test]
    fn bad_pems_are_errors() {
        for bad in [
            "",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n",
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        ] {
            assert!(
                matches!(TokenSigner::from_pem("k", bad), Err(SignError::Pem(_))),
                "{bad:?}"
            );
        }
        let not_a_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            TokenSigner::from_pem("k", not_a_key),
            Err(SignError::KeyRejected(_))
        ));
        assert!(matches!(
            TokenSigner::from_pem("", ID_PEM),
            Err(SignError::EmptyKid)
        ));
    }

    #[test]
    fn non_object_claims_are_refused() {
        let signer = TokenSigner::from_pem("k", ID_PEM).unwrap();
        assert!(matches!(signer.sign(&[1, 2]), Err(SignError::Claims(_))));
        assert!(matches!(signer.sign("x"), Err(SignError::Claims(_))));
    }

    #[test]
    fn debug_shows_no_key_material() {
        let signer = TokenSigner::from_pem("k", ID_PEM).unwrap();
        assert_eq!(format!("{signer:?}"), r#"TokenSigner { kid: "k", .. }"#);
    }
}
