//! JWT costs the load engine and the reference server pay per token.
//!
//! - `verify`: one ID token against a cached key set (the load engine's per-response check).
//! - `verify_jsonwebtoken_decode`: the same token through `jsonwebtoken::decode` with the cached
//!   `DecodingKey`, for contrast: it rebuilds the RSA key from `n` and `e` on every call.
//! - `jwks_parse_and_lookup`: parse a two-key JWKS and find a kid (a refresh).
//! - `sign_parsed_key`: [`TokenSigner::sign`], the key parsed once.
//! - `sign_jsonwebtoken_encode`: `jsonwebtoken::encode`, which parses the private key per call.
//! - `rsa_keygen`: a fresh 2048-bit key (server start-up).
//!
//! Absolute times vary with the machine; compare ratios measured in one run.

use std::hint::black_box;
use std::time::Duration;

use cognito_harness::jwt::{
    CognitoClaims, KeySet, TokenSigner, TokenUse, VerifyPolicy, jwks_from_signers, verify_token,
};
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{Algorithm, EncodingKey, Header, Validation};

const ID_PEM: &str = include_str!("../tests/data/rsa2048-id.pk8.pem");
const ACCESS_PEM: &str = include_str!("../tests/data/rsa2048-access.pk8.pem");
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example";
const CLIENT_ID: &str = "57cbishk4j24pabc1234567890";
const NOW: i64 = 1_700_000_000;

fn claims() -> CognitoClaims {
    CognitoClaims {
        sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".into(),
        iss: ISSUER.into(),
        token_use: TokenUse::Id,
        // Far ahead, so jsonwebtoken's own clock check passes too.
        exp: 4_000_000_000,
        iat: NOW - 60,
        auth_time: Some(NOW - 60),
        jti: Some("11111111-1111-4111-8111-111111111111".into()),
        origin_jti: Some("22222222-2222-4222-8222-222222222222".into()),
        aud: Some(CLIENT_ID.into()),
        client_id: None,
        cognito_username: Some("janedoe".into()),
        username: None,
        scope: None,
        cognito_groups: Some(vec!["admin".into()]),
        email: Some("janedoe@example.com".into()),
        email_verified: Some(true),
        event_id: Some("33333333-3333-4333-8333-333333333333".into()),
        device_key: None,
        extra: serde_json::Map::new(),
    }
}

fn signers() -> (TokenSigner, TokenSigner) {
    (
        TokenSigner::from_pem("id-kid", ID_PEM).unwrap(),
        TokenSigner::from_pem("access-kid", ACCESS_PEM).unwrap(),
    )
}

fn bench_verify(c: &mut Criterion) {
    let (id, access) = signers();
    let keys = KeySet::from_jwks(&jwks_from_signers([&id, &access])).unwrap();
    let policy = VerifyPolicy::new(ISSUER, [CLIENT_ID]);
    let token = id.sign(&claims()).unwrap();
    assert!(verify_token(&token, &keys, &policy, NOW).is_ok());
    c.bench_function("verify", |b| {
        b.iter(|| verify_token(black_box(&token), &keys, &policy, NOW).unwrap())
    });

    let key = keys.get("id-kid").unwrap().decoding_key();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[CLIENT_ID]);
    c.bench_function("verify_jsonwebtoken_decode", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<CognitoClaims>(black_box(&token), key, &validation).unwrap()
        })
    });
}

fn bench_jwks(c: &mut Criterion) {
    let (id, access) = signers();
    let json = serde_json::to_vec(&jwks_from_signers([&id, &access])).unwrap();
    c.bench_function("jwks_parse_and_lookup", |b| {
        b.iter(|| {
            let keys = KeySet::from_jwks_json(black_box(&json)).unwrap();
            assert!(keys.get(black_box("access-kid")).is_some());
            keys
        })
    });
}

fn bench_sign(c: &mut Criterion) {
    let (id, _) = signers();
    let claims = claims();
    c.bench_function("sign_parsed_key", |b| {
        b.iter(|| id.sign(black_box(&claims)).unwrap())
    });

    let key = EncodingKey::from_rsa_pem(ID_PEM.as_bytes()).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("id-kid".into());
    c.bench_function("sign_jsonwebtoken_encode", |b| {
        b.iter(|| jsonwebtoken::encode(&header, black_box(&claims), &key).unwrap())
    });
}

fn bench_keygen(c: &mut Criterion) {
    let mut group = c.benchmark_group("rsa_keygen");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("rsa_keygen", |b| {
        b.iter(|| TokenSigner::generate("k").unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_verify, bench_jwks, bench_sign, bench_keygen);
criterion_main!(benches);
