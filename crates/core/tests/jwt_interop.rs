//! Cross-checks against an independent implementation, jsonwebtoken: its tokens verify with our
//! verifier, ours with its `decode`, and the JWK our signer publishes is the one jsonwebtoken
//! derives from the same private key.

mod jwt_support;

use cognito_harness_core::jwt::{CognitoClaims, JwtErrorKind, TokenSigner};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use jwt_support::*;

fn jsonwebtoken_encode(kid: &str, pem: &str, claims: &CognitoClaims) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn id_validation() -> Validation {
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[CLIENT_ID]);
    v.leeway = 0;
    v
}

/// jsonwebtoken checks `exp` against the real clock, so these tokens expire far in the future.
fn far_future(mut claims: CognitoClaims) -> CognitoClaims {
    claims.exp = 4_000_000_000;
    claims
}

#[test]
fn jsonwebtoken_id_token_verifies_with_our_verifier() {
    let claims = id_claims();
    let token = jsonwebtoken_encode(ID_KID, ID_PEM, &claims);
    let verified = verify(&token, &policy(), NOW).unwrap();
    assert_eq!(verified.claims, claims);
}

#[test]
fn jsonwebtoken_access_token_verifies_with_our_verifier() {
    let claims = access_claims();
    let token = jsonwebtoken_encode(ACCESS_KID, ACCESS_PEM, &claims);
    assert_eq!(verify(&token, &policy(), NOW).unwrap().claims, claims);
}

#[test]
fn jsonwebtoken_token_from_a_foreign_key_fails_our_signature_check() {
    let token = jsonwebtoken_encode(ID_KID, OTHER_PEM, &id_claims());
    assert!(matches!(reject(&token), JwtErrorKind::BadSignature { .. }));
}

#[test]
fn our_id_token_decodes_with_jsonwebtoken_using_the_published_jwk() {
    let claims = far_future(id_claims());
    let token = pool().id.sign(&claims).unwrap();
    let jwk = pool().id.public_jwk();
    let key =
        DecodingKey::from_rsa_components(jwk.n.as_deref().unwrap(), jwk.e.as_deref().unwrap())
            .unwrap();
    let decoded = jsonwebtoken::decode::<CognitoClaims>(&token, &key, &id_validation()).unwrap();
    assert_eq!(decoded.claims, claims);
    assert_eq!(decoded.header.kid.as_deref(), Some(ID_KID));
    assert_eq!(decoded.header.alg, Algorithm::RS256);
}

#[test]
fn our_access_token_decodes_with_jsonwebtoken_using_the_cached_decoding_key() {
    let claims = far_future(access_claims());
    let token = pool().access.sign(&claims).unwrap();
    let key = pool().keys.get(ACCESS_KID).unwrap().decoding_key();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[ISSUER]);
    validation.validate_aud = false; // access tokens carry client_id, not aud
    let decoded = jsonwebtoken::decode::<CognitoClaims>(&token, key, &validation).unwrap();
    assert_eq!(decoded.claims, claims);
}

#[test]
fn jsonwebtoken_rejects_our_token_once_tampered() {
    let token = pool().id.sign(&far_future(id_claims())).unwrap();
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims = far_future(id_claims());
    claims.sub = "someone-else".into();
    parts[1] = b64(&serde_json::to_vec(&claims).unwrap());
    let key = pool().keys.get(ID_KID).unwrap().decoding_key();
    let err =
        jsonwebtoken::decode::<CognitoClaims>(parts.join("."), key, &id_validation()).unwrap_err();
    assert_eq!(
        err.kind(),
        &jsonwebtoken::errors::ErrorKind::InvalidSignature
    );
}

#[test]
fn published_jwk_matches_the_one_jsonwebtoken_derives() {
    for (kid, pem) in [(ID_KID, ID_PEM), (ACCESS_KID, ACCESS_PEM)] {
        let ours = TokenSigner::from_pem(kid, pem).unwrap();
        let key = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
        let theirs = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap();
        let jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) = theirs.algorithm else {
            panic!("jsonwebtoken derived a non-RSA JWK");
        };
        assert_eq!(
            ours.public_jwk().n.as_deref(),
            Some(rsa.n.as_str()),
            "n of {kid}"
        );
        assert_eq!(
            ours.public_jwk().e.as_deref(),
            Some(rsa.e.as_str()),
            "e of {kid}"
        );
    }
}

#[test]
fn generated_key_exported_as_pem_signs_for_jsonwebtoken_too() {
    // A freshly generated key, exported, is usable by another implementation; and tokens it
    // signs through jsonwebtoken verify against the JWK our signer publishes.
    let signer = TokenSigner::generate("generated").unwrap();
    let pem = signer.to_pkcs8_pem().unwrap();
    let token = jsonwebtoken_encode("generated", &pem, &id_claims());
    let keys = cognito_harness_core::jwt::KeySet::from_jwks(
        &cognito_harness_core::jwt::jwks_from_signers([&signer]),
    )
    .unwrap();
    let verified = cognito_harness_core::jwt::verify_token(&token, &keys, &policy(), NOW).unwrap();
    assert_eq!(verified.kid, "generated");
    assert_eq!(keys.get("generated").unwrap().bits(), 2048);
}
