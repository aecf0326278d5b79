//! Hostile responses to every wire decoder: arbitrary bytes, mutated recorded bodies of real
//! emulators, any status and any `x-amzn-ErrorType` / `WWW-Authenticate` header. Decoding
//! never panics; a failure is a typed error whose message can be printed.

use cognito_harness::protocol::oauth2::{
    decode_oauth_error, decode_revoke_response, decode_token_response, decode_user_info_response,
    parse_www_authenticate,
};
use cognito_harness::protocol::ops::{
    GetUserResponse, InitiateAuthResponse, RespondToAuthChallengeResponse,
};
use cognito_harness::protocol::{RawResponse, Timing, decode_response};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

/// Bodies real targets sent (moto, cognito-local, ministack, the reference server, Cognito's
/// documented shapes), as the seeds of the mutations.
const SEEDS: &[&str] = &[
    r#"{"__type": "NotAuthorizedException", "message": "Incorrect username or password."}"#,
    r#"{"__type":"com.amazonaws.cognito#UserNotFoundException","message":"User does not exist."}"#,
    r#"{"code":"NotAuthorizedException","message":"Incorrect username or password."}"#,
    r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":"ff","SECRET_BLOCK":"c2I=","USER_ID_FOR_SRP":"u","USERNAME":"u"}}"#,
    r#"{"AuthenticationResult":{"AccessToken":"a.b.c","ExpiresIn":3600,"IdToken":"a.b.c","RefreshToken":"r","TokenType":"Bearer"},"ChallengeParameters":{}}"#,
    r#"{"Username":"u","UserAttributes":[{"Name":"sub","Value":"x"}]}"#,
    r#"{"access_token":"a.b.c","expires_in":3600,"token_type":"Bearer"}"#,
    r#"{"error":"invalid_grant","error_description":"Invalid code"}"#,
    r#"{"sub":"x","email":"a@example.com","username":"u"}"#,
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    "",
];

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        (
            prop::sample::select(SEEDS.to_vec()),
            prop::collection::vec((any::<prop::sample::Index>(), 0usize..6, any::<u8>()), 0..6),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(seed, edits, cut)| {
                let mut bytes = seed.as_bytes().to_vec();
                for (at, delete, insert) in edits {
                    let i = at.index(bytes.len() + 1);
                    let j = (i + delete).min(bytes.len());
                    bytes.splice(i..j, [insert]);
                }
                let keep = cut.index(bytes.len() + 1).max(bytes.len() / 2);
                bytes.truncate(keep);
                bytes
            }),
    ]
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    (
        prop::option::of("[ -~]{0,60}"),
        prop::option::of("[ -~]{0,80}"),
        prop::option::of("[ -~]{0,40}"),
    )
        .prop_map(|(error_type, www_authenticate, content_type)| {
            let mut map = HeaderMap::new();
            let mut put = |name: &'static str, value: Option<String>| {
                if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    map.insert(name, v);
                }
            };
            put("x-amzn-errortype", error_type);
            put("www-authenticate", www_authenticate);
            put("content-type", content_type);
            map
        })
}

fn raw(status: u16, headers: HeaderMap, body: Vec<u8>) -> RawResponse {
    RawResponse {
        status,
        headers,
        body,
        timing: Timing::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn cognito_decoders_never_panic(status in 100u16..600, headers in headers(), body in body()) {
        let raw = raw(status, headers, body);
        for result in [
            decode_response::<InitiateAuthResponse>("InitiateAuth", &raw).map(|_| ()),
            decode_response::<RespondToAuthChallengeResponse>("RespondToAuthChallenge", &raw)
                .map(|_| ()),
            decode_response::<GetUserResponse>("GetUser", &raw).map(|_| ()),
        ] {
            if let Err(e) = result {
                prop_assert!(!e.to_string().is_empty());
            }
        }
        if !raw.is_success() {
            let e = cognito_harness::protocol::error::decode_error_response(
                raw.status, &raw.headers, &raw.body,
            );
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn oauth2_decoders_never_panic(status in 100u16..600, headers in headers(), body in body()) {
        let raw = raw(status, headers, body);
        for result in [
            decode_token_response(&raw).map(|_| ()),
            decode_user_info_response(&raw).map(|_| ()),
            decode_revoke_response(&raw),
        ] {
            if let Err(e) = result {
                prop_assert!(!e.to_string().is_empty());
            }
        }
        let e = decode_oauth_error(raw.status, &raw.headers, &raw.body);
        prop_assert!(!e.to_string().is_empty());
    }

    #[test]
    fn www_authenticate_parsing_never_panics(value in "\\PC{0,120}") {
        let _ = parse_www_authenticate(&value);
    }
}

#[test]
fn an_html_error_page_decodes_as_a_typed_failure() {
    let raw = raw(
        502,
        HeaderMap::new(),
        b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
    );
    let Err(err) = decode_response::<InitiateAuthResponse>("InitiateAuth", &raw) else {
        panic!("a 502 is an error");
    };
    let text = err.to_string();
    assert!(text.contains("502"), "the status is kept: {text}");
}
