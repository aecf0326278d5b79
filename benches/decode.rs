//! The cost of the shape check on one answer: decoding an InitiateAuth answer with its three
//! tokens (the largest answer of a sign-in) with the check on (parse to a value, check it
//! against the model's shape, convert) and off (typed parse only).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use cognito_harness::protocol::ops::InitiateAuthResponse;
use cognito_harness::protocol::{RawResponse, Timing, decode_response_with};

fn token(len: usize) -> String {
    let body: String = "eyJhbGciOiJSUzI1NiJ9".chars().cycle().take(len).collect();
    format!("{body}.{body}.{body}")
}

fn answer() -> RawResponse {
    let body = serde_json::json!({
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "AccessToken": token(330),
            "ExpiresIn": 3600,
            "TokenType": "Bearer",
            "RefreshToken": token(560),
            "IdToken": token(360),
        }
    });
    RawResponse {
        status: 200,
        headers: Default::default(),
        body: serde_json::to_vec(&body).unwrap(),
        timing: Timing::default(),
    }
}

fn bench(c: &mut Criterion) {
    let raw = answer();
    let mut group = c.benchmark_group("decode_initiate_auth");
    for (name, check) in [("shape_checked", true), ("typed_only", false)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                decode_response_with::<InitiateAuthResponse>("InitiateAuth", black_box(&raw), check)
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
