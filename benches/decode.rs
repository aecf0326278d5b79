//! The cost of the shape check on one answer, with the check on (parse to a value, check it
//! against the model's shape, convert) and off (typed parse only), side by side in one run for
//! three representative answers: InitiateAuth with its three tokens (the largest answer of a
//! sign-in), SignUp (required members and a nested enum, `CodeDeliveryDetails.DeliveryMedium`)
//! and an error (`NotAuthorizedException`, where the check reads the body's keys).
//!
//! `nice -n 10 cargo bench --bench decode -- --warm-up-time 1 --measurement-time 3`; the
//! figures and their comparison with the cost of a request are in docs/benchmarks.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use cognito_harness::protocol::ops::{InitiateAuthResponse, SignUpResponse};
use cognito_harness::protocol::{RawResponse, Timing, decode_response_with};

fn token(len: usize) -> String {
    let body: String = "eyJhbGciOiJSUzI1NiJ9".chars().cycle().take(len).collect();
    format!("{body}.{body}.{body}")
}

fn raw(status: u16, body: serde_json::Value) -> RawResponse {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    RawResponse {
        status,
        headers,
        body: serde_json::to_vec(&body).unwrap(),
        timing: Timing::default(),
    }
}

fn initiate_auth() -> RawResponse {
    raw(
        200,
        serde_json::json!({
            "ChallengeParameters": {},
            "AuthenticationResult": {
                "AccessToken": token(330),
                "ExpiresIn": 3600,
                "TokenType": "Bearer",
                "RefreshToken": token(560),
                "IdToken": token(360),
            }
        }),
    )
}

fn sign_up() -> RawResponse {
    raw(
        200,
        serde_json::json!({
            "UserConfirmed": false,
            "UserSub": "5f1c2a9e-6b7d-4c1e-9a53-0f3b2d8e7c41",
            "CodeDeliveryDetails": {
                "Destination": "u***@e***",
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }
        }),
    )
}

fn error() -> RawResponse {
    raw(
        400,
        serde_json::json!({
            "__type": "NotAuthorizedException",
            "message": "Incorrect username or password.",
        }),
    )
}

fn bench(c: &mut Criterion) {
    let checks = [("shape_checked", true), ("typed_only", false)];
    let answer = initiate_auth();
    let mut group = c.benchmark_group("decode_initiate_auth");
    for (name, check) in checks {
        group.bench_function(name, |b| {
            b.iter(|| {
                decode_response_with::<InitiateAuthResponse>(
                    "InitiateAuth",
                    black_box(&answer),
                    check,
                )
                .unwrap()
            })
        });
    }
    group.finish();
    let answer = sign_up();
    let mut group = c.benchmark_group("decode_sign_up");
    for (name, check) in checks {
        group.bench_function(name, |b| {
            b.iter(|| {
                decode_response_with::<SignUpResponse>("SignUp", black_box(&answer), check).unwrap()
            })
        });
    }
    group.finish();
    let answer = error();
    let mut group = c.benchmark_group("decode_error");
    for (name, check) in checks {
        group.bench_function(name, |b| {
            b.iter(|| {
                decode_response_with::<InitiateAuthResponse>(
                    "InitiateAuth",
                    black_box(&answer),
                    check,
                )
                .unwrap_err()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
