//! JWKS loading and the key cache: which keys are used, which are skipped, which are errors,
//! and how a refreshed JWKS replaces or merges into the cached keys.

mod jwt_support;

use cognito_harness_core::jwt::{
    Jwk, JwkRejection, Jwks, JwksError, KeySet, RefetchGate, TokenSigner, jwks_from_signers,
    verify_token,
};
use jwt_support::*;
use serde_json::{Value, json};

fn id_jwk() -> Value {
    serde_json::to_value(pool().id.public_jwk()).unwrap()
}

fn access_jwk() -> Value {
    serde_json::to_value(pool().access.public_jwk()).unwrap()
}

fn other_signer(kid: &str) -> TokenSigner {
    TokenSigner::from_pem(kid, OTHER_PEM).unwrap()
}

fn load(doc: Value) -> Result<KeySet, JwksError> {
    KeySet::from_jwks_json(&serde_json::to_vec(&doc).unwrap())
}

fn with_member(mut jwk: Value, member: &str, value: Value) -> Value {
    jwk[member] = value;
    jwk
}

#[test]
fn published_jwks_has_the_guides_shape() {
    let doc: Value = serde_json::from_slice(&pool().jwks_json).unwrap();
    let keys = doc["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for (key, kid) in keys.iter().zip([ID_KID, ACCESS_KID]) {
        let members: Vec<&str> = key
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(members.len(), 6);
        assert_eq!(key["kid"], json!(kid));
        assert_eq!(key["alg"], json!("RS256"));
        assert_eq!(key["kty"], json!("RSA"));
        assert_eq!(key["use"], json!("sig"));
        assert_eq!(key["e"], json!("AQAB"));
        assert_eq!(key["n"].as_str().unwrap().len(), 342); // 256 bytes, unpadded base64url
    }
    assert_eq!(pool().keys.kids(), [ACCESS_KID, ID_KID]);
    assert!(pool().keys.skipped().is_empty());
}

#[test]
fn keys_that_are_not_rs256_signing_keys_are_skipped_with_a_reason() {
    let doc = json!({"keys": [
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AAAA", "y": "AAAA", "alg": "ES256"},
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
        with_member(id_jwk(), "use", json!("enc")),
        with_member(with_member(id_jwk(), "alg", json!("RS512")), "kid", json!("rs512")),
        with_member(id_jwk(), "kid", Value::Null),
        {"kid": "no-kty"},
        access_jwk(),
    ]});
    let keys = load(doc).unwrap();
    assert_eq!(keys.kids(), [ACCESS_KID]);
    let reasons: Vec<(usize, &JwkRejection)> = keys
        .skipped()
        .iter()
        .map(|s| (s.index, &s.reason))
        .collect();
    assert!(matches!(reasons[0], (0, JwkRejection::NotRsa { kty: Some(k) }) if k == "EC"));
    assert!(matches!(reasons[1], (1, JwkRejection::NotRsa { .. })));
    assert!(matches!(
        reasons[2],
        (2, JwkRejection::NotForSignatures { .. })
    ));
    assert!(matches!(reasons[3], (3, JwkRejection::NotRs256 { .. })));
    assert!(matches!(reasons[4], (4, JwkRejection::MissingKid)));
    assert!(matches!(
        reasons[5],
        (5, JwkRejection::NotRsa { kty: None })
    ));
    assert!(keys.skipped().iter().all(|s| s.reason.is_skip()));
}

#[test]
fn rsa_key_without_alg_or_use_is_used() {
    let mut jwk = id_jwk();
    let obj = jwk.as_object_mut().unwrap();
    obj.remove("alg");
    obj.remove("use");
    let keys = load(json!({"keys": [jwk]})).unwrap();
    assert!(keys.contains_kid(ID_KID));
}

#[test]
fn bad_base64_in_n_or_e_is_an_error_naming_the_member() {
    let cases = [
        ("n", json!("not base64!")),
        ("n", json!("AQAB==")), // padding is not Base64urlUInt
        ("e", json!("AQ+B")),   // '+' is standard base64, not base64url
    ];
    for (member, value) in cases {
        let err =
            load(json!({"keys": [with_member(id_jwk(), member, value.clone())]})).unwrap_err();
        assert!(
            matches!(&err, JwksError::InvalidKey { kid, reason: JwkRejection::BadBase64 { component } }
                if kid == ID_KID && *component == member),
            "{member}={value}: {err}"
        );
    }
}

#[test]
fn missing_n_or_e_is_an_error() {
    for member in ["n", "e"] {
        let mut jwk = id_jwk();
        jwk.as_object_mut().unwrap().remove(member);
        let err = load(json!({"keys": [jwk]})).unwrap_err();
        assert!(matches!(
            err,
            JwksError::InvalidKey { reason: JwkRejection::MissingComponent { component }, .. }
                if component == member
        ));
    }
}

#[test]
fn the_guides_placeholder_modulus_is_rejected_as_bad_base64() {
    // The sample jwks.json in "Verifying a JSON web token" has n = "1234567890": ten
    // characters leave four non-zero trailing bits, which canonical base64url does not allow.
    let doc = json!({"keys": [
        {"kid": "1234example=", "alg": "RS256", "kty": "RSA", "e": "AQAB", "n": "1234567890", "use": "sig"},
    ]});
    assert!(matches!(
        load(doc).unwrap_err(),
        JwksError::InvalidKey {
            reason: JwkRejection::BadBase64 { component: "n" },
            ..
        }
    ));
    // "123456789012" is canonical (nine bytes), and far too small for RS256.
    let doc = json!({"keys": [
        {"kid": "1234example=", "alg": "RS256", "kty": "RSA", "e": "AQAB", "n": "123456789012", "use": "sig"},
    ]});
    assert!(matches!(
        load(doc).unwrap_err(),
        JwksError::InvalidKey {
            reason: JwkRejection::KeySize { bits: 72 },
            ..
        }
    ));
}

#[test]
fn weak_or_malformed_rsa_keys_are_errors() {
    let mut n_1024 = vec![0xC0u8];
    n_1024.extend([0x55; 127]);
    let leading_zero = {
        let mut n = vec![0u8];
        n.extend([0xC5; 256]);
        n
    };
    let cases = [
        (b64(&n_1024), "AQAB", "1024-bit"),
        (b64(&leading_zero), "AQAB", "leading zero"),
        (pool().id.public_jwk().n.clone().unwrap(), "", "empty e"),
        (pool().id.public_jwk().n.clone().unwrap(), "AA", "zero e"),
    ];
    for (n, e, what) in cases {
        let jwk = Jwk::rs256("weak", n, e);
        let err = KeySet::from_jwks(&Jwks { keys: vec![jwk] }).unwrap_err();
        assert!(
            matches!(
                &err,
                JwksError::InvalidKey {
                    reason: JwkRejection::KeySize { .. } | JwkRejection::InvalidRsaKey,
                    ..
                }
            ),
            "{what}: {err}"
        );
    }
}

#[test]
fn documents_that_are_not_a_jwks_are_json_errors() {
    for doc in [
        &b""[..],
        b"[]",
        b"{}",
        b"{\"keys\": 5}",
        b"{\"keys\": [{\"n\": 5}]}",
        b"\xff",
    ] {
        assert!(
            matches!(KeySet::from_jwks_json(doc), Err(JwksError::Json(_))),
            "{doc:?}"
        );
    }
    assert!(
        KeySet::from_jwks_json(br#"{"keys": []}"#)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn duplicate_kids_are_an_error() {
    let doc = json!({"keys": [id_jwk(), with_member(access_jwk(), "kid", json!(ID_KID))]});
    assert!(matches!(load(doc).unwrap_err(), JwksError::DuplicateKid { kid } if kid == ID_KID));
    // Even the same key twice: a JWKS that lists a kid twice is not what Cognito serves.
    let doc = json!({"keys": [id_jwk(), id_jwk()]});
    assert!(matches!(
        load(doc).unwrap_err(),
        JwksError::DuplicateKid { .. }
    ));
}

#[test]
fn refreshed_set_replaces_keys_and_reuses_unchanged_ones() {
    let old = &pool().keys;
    let rotated = other_signer("rotated");
    let fresh_json = serde_json::to_vec(&jwks_from_signers([&pool().id, &rotated])).unwrap();
    let (fresh, report) = old.refreshed(&fresh_json).unwrap();

    assert_eq!(fresh.kids(), [ID_KID, "rotated"]);
    assert_eq!(report.added, ["rotated"]);
    assert_eq!(report.missing_from_fresh, [ACCESS_KID]);
    assert!(report.changed.is_empty());
    // The unchanged key is the same parsed key, not a re-parse.
    assert!(std::ptr::eq(
        old.get(ID_KID).unwrap(),
        fresh.get(ID_KID).unwrap()
    ));
}

#[test]
fn merged_set_keeps_keys_the_fresh_jwks_dropped() {
    let rotated = other_signer("rotated");
    let fresh_json = serde_json::to_vec(&jwks_from_signers([&rotated])).unwrap();
    let (merged, report) = pool().keys.merged(&fresh_json).unwrap();
    assert_eq!(merged.kids(), [ACCESS_KID, ID_KID, "rotated"]);
    assert_eq!(report.missing_from_fresh, [ACCESS_KID, ID_KID]);
    // Tokens signed before the rotation still verify.
    assert!(verify_token(&id_token(&id_claims()), &merged, &policy(), NOW).is_ok());
}

#[test]
fn refresh_reports_a_kid_whose_key_changed_and_uses_the_new_key() {
    let swapped = other_signer(ID_KID);
    let fresh_json = serde_json::to_vec(&jwks_from_signers([&swapped, &pool().access])).unwrap();
    for (set, report) in [
        pool().keys.refreshed(&fresh_json).unwrap(),
        pool().keys.merged(&fresh_json).unwrap(),
    ] {
        assert_eq!(report.changed, [ID_KID]);
        assert!(report.added.is_empty());
        let token = swapped.sign(&id_claims()).unwrap();
        assert!(verify_token(&token, &set, &policy(), NOW).is_ok());
    }
}

#[test]
fn a_bad_refresh_leaves_the_current_set_usable() {
    assert!(pool().keys.refreshed(b"<html>502</html>").is_err());
    assert!(
        pool()
            .keys
            .merged(br#"{"keys":[{"kty":"RSA","kid":"x","n":"!"}]}"#)
            .is_err()
    );
    assert_eq!(pool().keys.len(), 2);
}

#[test]
fn unknown_kid_then_gated_refetch_then_success() {
    // The flow a caller runs: unknown kid -> ask the gate -> refetch -> merge -> verify again.
    let rotated = other_signer("rotated");
    let token = rotated.sign(&id_claims()).unwrap();
    let mut keys = pool().keys.clone();
    let mut gate = RefetchGate::default();
    gate.record_fetch(NOW - 3600);

    let err = verify_token(&token, &keys, &policy(), NOW).unwrap_err();
    let kid = err.unknown_kid().expect("unknown kid");
    assert!(!keys.contains_kid(kid));
    assert!(gate.try_begin(NOW));
    let fetched =
        serde_json::to_vec(&jwks_from_signers([&pool().id, &pool().access, &rotated])).unwrap();
    let (merged, report) = keys.merged(&fetched).unwrap();
    assert_eq!(report.added, ["rotated"]);
    keys = merged;
    assert!(verify_token(&token, &keys, &policy(), NOW).is_ok());

    // A second forged kid a moment later does not cause another download.
    assert!(!gate.try_begin(NOW + 1));
}

#[test]
fn refetch_gate_spaces_fetches() {
    let mut gate = RefetchGate::new(30);
    assert!(gate.try_begin(1000));
    assert!(!gate.try_begin(1000));
    assert!(!gate.try_begin(1029));
    assert!(gate.try_begin(1030));
    assert!(!gate.try_begin(1031));
    // A clock that steps backwards does not lock refetching out.
    assert!(gate.try_begin(500));
    assert_eq!(RefetchGate::DEFAULT_MIN_INTERVAL_SECS, 10);
}

#[test]
fn key_set_built_from_signers_verifies_their_tokens() {
    // How the reference server checks the access tokens it issued (GetUser, GlobalSignOut).
    let keys = KeySet::from_jwks(&jwks_from_signers([&pool().id, &pool().access])).unwrap();
    let token = access_token(&access_claims());
    assert_eq!(
        verify_token(&token, &keys, &policy(), NOW).unwrap().kid,
        ACCESS_KID
    );
}

#[test]
fn insert_adds_a_single_key() {
    let mut keys = KeySet::default();
    let key = cognito_harness_core::jwt::VerifyingKey::from_jwk(pool().id.public_jwk()).unwrap();
    assert_eq!(key.bits(), 2048);
    keys.insert(key);
    assert!(verify_token(&id_token(&id_claims()), &keys, &policy(), NOW).is_ok());
}

#[test]
fn errors_read_well() {
    let err = load(json!({"keys": [with_member(id_jwk(), "n", json!("#"))]})).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("JWKS key \"{ID_KID}\": \"n\" is not unpadded base64url")
    );
    let err = load(json!({"keys": [id_jwk(), id_jwk()]})).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("JWKS lists kid \"{ID_KID}\" more than once; a token's kid must name one key")
    );
}
