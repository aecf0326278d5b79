//! Property tests: whatever arrives as a token or a JWKS, the verifier and the loader return an
//! error instead of panicking, and no mutation of a good token is accepted.

mod jwt_support;

use std::collections::BTreeMap;

use cognito_harness_core::jwt::{KeySet, VerifyPolicy, verify_token};
use jwt_support::*;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Value, json};

const CLAIM_NAMES: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "client_id",
    "token_use",
    "exp",
    "iat",
    "nbf",
    "auth_time",
    "jti",
    "origin_jti",
    "cognito:username",
    "username",
    "scope",
    "cognito:groups",
    "email",
    "email_verified",
    "event_id",
    "device_key",
];

fn lenient_policy() -> VerifyPolicy {
    let mut p = policy();
    p.leeway_secs = u32::MAX;
    p
}

fn check(token: &str) {
    for p in [policy(), lenient_policy()] {
        for now in [NOW, i64::MIN, i64::MAX, 0] {
            let _ = verify_token(token, &pool().keys, &p, now);
        }
    }
}

/// JSON values biased towards the ones that matter for claims: times near NOW, the pool's
/// issuer and client, the two token uses, extreme numbers.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (NOW - 7200..NOW + 7200).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(json!(ISSUER)),
        Just(json!(CLIENT_ID)),
        Just(json!("id")),
        Just(json!("access")),
        Just(json!("")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(".{0,6}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_claim_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(CLAIM_NAMES).prop_map(str::to_owned),
        1 => ".{0,10}",
    ]
}

fn arb_payload() -> impl Strategy<Value = BTreeMap<String, Value>> {
    btree_map(arb_claim_name(), arb_json(), 0..20)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(token in any::<String>()) {
        check(&token);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..600)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_shaped_garbage_never_panics(
        token in "[A-Za-z0-9_=+/-]{0,40}\\.[A-Za-z0-9_-]{0,120}\\.[A-Za-z0-9_-]{0,360}",
    ) {
        check(&token);
    }

    #[test]
    fn arbitrary_base64url_json_parts_never_panic(header in arb_json(), payload in arb_json(), sig in vec(any::<u8>(), 0..300)) {
        let token = format!(
            "{}.{}.{}",
            b64(&serde_json::to_vec(&header).unwrap()),
            b64(&serde_json::to_vec(&payload).unwrap()),
            b64(&sig),
        );
        check(&token);
    }

    /// Arbitrary header members (any string as `alg`, `kid`, `typ`, `crit`), signed or not,
    /// reach the header checks without panicking.
    #[test]
    fn arbitrary_header_strings_never_panic(
        alg in any::<String>(),
        kid in any::<String>(),
        typ in any::<String>(),
        extra in btree_map(any::<String>(), arb_json(), 0..3),
        sig in vec(any::<u8>(), 0..64),
    ) {
        let mut header = serde_json::Map::new();
        header.insert("alg".into(), Value::from(alg));
        header.insert("kid".into(), Value::from(kid));
        header.insert("typ".into(), Value::from(typ));
        header.extend(extra);
        let header = Value::Object(header);
        let payload = b64(br#"{"sub":"x"}"#);
        let header_b64 = b64(&serde_json::to_vec(&header).unwrap());
        check(&format!("{header_b64}.{payload}.{}", b64(&sig)));
        check(&signed_parts(&pool().id, &header_b64, &payload));
    }

    /// Validly signed tokens with arbitrary claims reach every claim rule. Whatever is accepted
    /// satisfies the rules.
    #[test]
    fn signed_arbitrary_claims_never_panic_and_acceptance_implies_the_rules(payload in arb_payload()) {
        let payload: serde_json::Map<String, Value> = payload.into_iter().collect();
        let token = pool().id.sign(&payload).unwrap();
        check(&token);
        if let Ok(v) = verify_token(&token, &pool().keys, &policy(), NOW) {
            let c = v.claims;
            prop_assert_eq!(c.iss.as_str(), ISSUER);
            prop_assert!(c.exp > NOW && c.iat <= NOW);
            prop_assert!(!c.sub.is_empty());
            prop_assert!(c.jti.as_deref().is_some_and(|j| !j.is_empty()));
            prop_assert_eq!(c.app_client_id(), Some(CLIENT_ID));
            prop_assert!(c.user_name().is_some_and(|u| !u.is_empty()));
        }
    }

    /// A good ID token with a few claims replaced or removed: most stay close enough to valid
    /// that the later rules run. Accepted tokens still satisfy every rule.
    #[test]
    fn perturbed_valid_claims_never_panic_and_acceptance_implies_the_rules(
        replaced in btree_map(arb_claim_name(), arb_json(), 0..3),
        removed in vec(proptest::sample::select(CLAIM_NAMES), 0..2),
    ) {
        let mut payload = to_map(&id_claims());
        payload.extend(replaced);
        for name in removed {
            payload.remove(name);
        }
        let token = pool().id.sign(&payload).unwrap();
        check(&token);
        if let Ok(v) = verify_token(&token, &pool().keys, &policy(), NOW) {
            let c = v.claims;
            prop_assert_eq!(c.iss.as_str(), ISSUER);
            prop_assert!(c.exp > NOW && c.iat <= NOW);
            prop_assert!(c.auth_time.is_none_or(|t| t <= c.iat));
            prop_assert!(!c.sub.is_empty());
            prop_assert!(c.jti.as_deref().is_some_and(|j| !j.is_empty()));
            prop_assert_eq!(c.aud.as_deref(), Some(CLIENT_ID));
            prop_assert!(c.cognito_username.as_deref().is_some_and(|u| !u.is_empty()));
        }
    }

    /// Changing any one character of a good token (to another base64url character or a dot)
    /// makes it fail: every byte is covered by the signature or is the signature.
    #[test]
    fn any_single_character_change_is_rejected(
        index in any::<proptest::sample::Index>(),
        replacement in proptest::sample::select(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.".to_vec()),
    ) {
        let good = id_token(&id_claims());
        let mut bytes = good.clone().into_bytes();
        let i = index.index(bytes.len());
        prop_assume!(bytes[i] != replacement);
        bytes[i] = replacement;
        let token = String::from_utf8(bytes).unwrap();
        prop_assert!(verify_token(&token, &pool().keys, &policy(), NOW).is_err());
    }

    #[test]
    fn arbitrary_jwks_bytes_never_panic(bytes in vec(any::<u8>(), 0..400)) {
        let _ = KeySet::from_jwks_json(&bytes);
        let _ = pool().keys.refreshed(&bytes);
    }

    #[test]
    fn arbitrary_jwk_members_never_panic(
        keys in vec(btree_map(
            proptest::sample::select(&["kid", "alg", "kty", "n", "e", "use"][..]),
            prop_oneof![
                Just(json!("RSA")), Just(json!("RS256")), Just(json!("sig")), Just(json!("AQAB")),
                "[A-Za-z0-9_-]{0,400}".prop_map(Value::from),
                arb_json(),
            ],
            0..6,
        ), 0..4),
    ) {
        let doc = json!({ "keys": keys });
        let bytes = serde_json::to_vec(&doc).unwrap();
        let _ = KeySet::from_jwks_json(&bytes);
        let _ = pool().keys.merged(&bytes);
    }
}
