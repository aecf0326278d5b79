//! Fixtures shared by the `jwt_*` integration tests: a pool with the two test keys under
//! `tests/data/`, Cognito-shaped claims, and helpers to hand-assemble tokens that a real signer
//! would never produce.
#![allow(dead_code)] // each test crate uses a different subset

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_harness_core::jwt::{
    CognitoClaims, JwtErrorKind, KeySet, TokenSigner, TokenUse, VerifiedToken, VerifyPolicy,
    jwks_from_signers, verify_token,
};
use serde_json::{Map, Value, json};

pub const ID_PEM: &str = include_str!("../../../../tests/data/rsa2048-id.pk8.pem");
pub const ACCESS_PEM: &str = include_str!("../../../../tests/data/rsa2048-access.pk8.pem");
pub const OTHER_PEM: &str = include_str!("../../../../tests/data/rsa2048-other.pk8.pem");

pub const ID_KID: &str = "id-kid-example=";
pub const ACCESS_KID: &str = "access-kid-example=";
pub const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example";
pub const CLIENT_ID: &str = "57cbishk4j24pabc1234567890";
pub const SUB: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
/// The fixed clock of every test: 2023-11-14T22:13:20Z.
pub const NOW: i64 = 1_700_000_000;
pub const HOUR: i64 = 3600;

pub struct Pool {
    pub id: TokenSigner,
    pub access: TokenSigner,
    pub keys: KeySet,
    pub jwks_json: Vec<u8>,
}

/// The pool's signers and the key set built from the JWKS they publish, loaded once.
pub fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let id = TokenSigner::from_pem(ID_KID, ID_PEM).expect("id key");
        let access = TokenSigner::from_pem(ACCESS_KID, ACCESS_PEM).expect("access key");
        let jwks_json = serde_json::to_vec(&jwks_from_signers([&id, &access])).unwrap();
        let keys = KeySet::from_jwks_json(&jwks_json).expect("pool JWKS");
        Pool {
            id,
            access,
            keys,
            jwks_json,
        }
    })
}

pub fn policy() -> VerifyPolicy {
    VerifyPolicy::new(ISSUER, [CLIENT_ID])
}

/// An ID token's claims as Cognito writes them after a sign-in at `NOW - 60`.
pub fn id_claims() -> CognitoClaims {
    let mut extra = Map::new();
    extra.insert("custom:tier".into(), json!("gold"));
    extra.insert("given_name".into(), json!("Jane"));
    CognitoClaims {
        sub: SUB.into(),
        iss: ISSUER.into(),
        token_use: TokenUse::Id,
        exp: NOW - 60 + HOUR,
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
        extra,
    }
}

/// The access token of the same sign-in.
pub fn access_claims() -> CognitoClaims {
    let mut extra = Map::new();
    extra.insert("version".into(), json!(2));
    CognitoClaims {
        token_use: TokenUse::Access,
        jti: Some("44444444-4444-4444-8444-444444444444".into()),
        aud: None,
        client_id: Some(CLIENT_ID.into()),
        cognito_username: None,
        username: Some("janedoe".into()),
        scope: Some("aws.cognito.signin.user.admin".into()),
        email: None,
        email_verified: None,
        extra,
        ..id_claims()
    }
}

pub fn id_token(claims: &CognitoClaims) -> String {
    pool().id.sign(claims).unwrap()
}

pub fn access_token(claims: &CognitoClaims) -> String {
    pool().access.sign(claims).unwrap()
}

/// Claims as a JSON object, to remove or retype members.
pub fn to_map(claims: &CognitoClaims) -> Map<String, Value> {
    match serde_json::to_value(claims).unwrap() {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token with the given raw header and payload parts (already base64url, or deliberately
/// not), signed correctly by `signer`.
pub fn signed_parts(signer: &TokenSigner, header_b64: &str, payload_b64: &str) -> String {
    let message = format!("{header_b64}.{payload_b64}");
    let signature = signer.sign_message(message.as_bytes()).unwrap();
    format!("{message}.{}", b64(&signature))
}

/// A token with an arbitrary header and payload JSON, signed by `signer`.
pub fn signed_json(signer: &TokenSigner, header: &Value, payload: &Value) -> String {
    signed_parts(
        signer,
        &b64(&serde_json::to_vec(header).unwrap()),
        &b64(&serde_json::to_vec(payload).unwrap()),
    )
}

/// An ID token whose payload is `claims` edited by `edit`.
pub fn id_token_with(edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut map = to_map(&id_claims());
    edit(&mut map);
    pool().id.sign(&map).unwrap()
}

pub fn access_token_with(edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut map = to_map(&access_claims());
    edit(&mut map);
    pool().access.sign(&map).unwrap()
}

pub fn verify(token: &str, policy: &VerifyPolicy, now: i64) -> Result<VerifiedToken, JwtErrorKind> {
    verify_token(token, &pool().keys, policy, now).map_err(|e| {
        let shown = format!("{e} {e:?}");
        // Tokens are credentials: no error may quote one, or its signature.
        if let Some(signature) = token.rsplit('.').next().filter(|s| s.len() >= 16) {
            assert!(
                !shown.contains(signature),
                "error output quotes the signature: {shown}"
            );
        }
        if token.len() >= 16 {
            assert!(
                !shown.contains(token),
                "error output quotes the token: {shown}"
            );
        }
        e.into_kind()
    })
}

/// Verifies with the default policy at `NOW` and returns the failure kind.
pub fn reject(token: &str) -> JwtErrorKind {
    reject_with(token, &policy(), NOW)
}

pub fn reject_with(token: &str, policy: &VerifyPolicy, now: i64) -> JwtErrorKind {
    match verify(token, policy, now) {
        Ok(v) => panic!("token was accepted: {:?}", v.claims),
        Err(kind) => kind,
    }
}
