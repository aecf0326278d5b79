//! The reference server under abuse, over real HTTP on 127.0.0.1:0: fuzzed requests to every
//! operation get Cognito-shaped errors (never a 5xx, never a non-JSON body), and 500
//! concurrent connections are all served.

mod server_support;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use server_support::*;

const OPERATIONS: &[&str] = &[
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetUser",
    "GlobalSignOut",
    "RevokeToken",
    "GetTokensFromRefreshToken",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "ChangePassword",
    "CreateUserPool",
    "DeleteUserPool",
    "CreateUserPoolClient",
    "CreateResourceServer",
    "CreateUserPoolDomain",
    "AdminCreateUser",
    "AdminSetUserPassword",
    "AdminConfirmSignUp",
    "AdminDeleteUser",
    "AdminInitiateAuth",
    "AdminRespondToAuthChallenge",
    "DescribeUserPool",
    "NoSuchOperation",
];

const KEYS: &[&str] = &[
    "UserPoolId",
    "ClientId",
    "Username",
    "Password",
    "AuthFlow",
    "AuthParameters",
    "ChallengeName",
    "ChallengeResponses",
    "Session",
    "AccessToken",
    "Token",
    "ConfirmationCode",
    "SecretHash",
    "UserAttributes",
    "PoolName",
    "ClientName",
    "Identifier",
    "Name",
    "Scopes",
    "Domain",
    "PreviousPassword",
    "ProposedPassword",
    "TemporaryPassword",
    "Permanent",
];

const WORDS: &[&str] = &[
    "USER_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "PASSWORD_VERIFIER",
    "NEW_PASSWORD_REQUIRED",
    "SRP_A",
    "USERNAME",
    "PASSWORD",
    "SECRET_BLOCK",
    "TIMESTAMP",
    "PASSWORD_CLAIM_SIGNATURE",
    "REFRESH_TOKEN",
    "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
    "Abcdef1!",
    "",
    "0",
    "ff",
];

fn value(rng: &mut StdRng, pool: &str, client: &str, depth: u32) -> Value {
    match rng.random_range(0..12) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random::<i64>()),
        3 => json!(rng.random::<f64>() * 1e300),
        4 => json!(pool),
        5 => json!(client),
        6 => json!("x".repeat(rng.random_range(0..5000))),
        7 => json!(
            (0..rng.random_range(0..40))
                .map(|_| rng.random_range(0x20u32..0x3000))
                .filter_map(char::from_u32)
                .collect::<String>()
        ),
        8 if depth < 3 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| value(rng, pool, client, depth + 1))
                .collect(),
        ),
        9 if depth < 3 => object(rng, pool, client, depth + 1),
        _ => json!(WORDS[rng.random_range(0..WORDS.len())]),
    }
}

fn object(rng: &mut StdRng, pool: &str, client: &str, depth: u32) -> Value {
    let mut map = serde_json::Map::new();
    for _ in 0..rng.random_range(0..8) {
        let key = if rng.random_range(0..8) == 0 {
            WORDS[rng.random_range(0..WORDS.len())]
        } else {
            KEYS[rng.random_range(0..KEYS.len())]
        };
        map.insert(key.to_owned(), value(rng, pool, client, depth));
    }
    Value::Object(map)
}

#[tokio::test]
async fn fuzzed_requests_to_every_operation_get_cognito_shaped_errors() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    let http = reqwest::Client::new();
    let mut rng = StdRng::seed_from_u64(0x5eed_c0de);
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for i in 0..600 {
        let op = OPERATIONS[rng.random_range(0..OPERATIONS.len())];
        let body = object(&mut rng, &pool, &app.client_id, 0).to_string();
        // One request in ten is not JSON at all: cut mid-way or raw bytes.
        let body = match i % 10 {
            0 => body[..body.floor_char_boundary(body.len() / 2)].to_owned(),
            5 => String::from_utf8_lossy(&rng.random::<[u8; 32]>()).into_owned(),
            _ => body,
        };
        let mut req = http
            .post(h.server.endpoint())
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{op}"),
            )
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.clone());
        if op.starts_with("Admin") || op.contains("Pool") || op.starts_with("Create") {
            req = req.header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
            );
        }
        let r = req.send().await.expect("the server answers");
        let status = r.status().as_u16();
        *statuses.entry(status).or_default() += 1;
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        assert!(
            status < 500,
            "{op} answered {status}: {text}\nrequest: {body}"
        );
        assert!(
            headers.contains_key("x-amzn-requestid"),
            "{op}: no request id"
        );
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{op} answered non-JSON {status}: {text}"));
        if status >= 400 {
            let kind = json["__type"].as_str().unwrap_or_default();
            assert!(!kind.is_empty(), "{op} {status} has no __type: {text}");
            assert!(
                headers.contains_key("x-amzn-errortype"),
                "{op} {status}: no x-amzn-ErrorType"
            );
            assert!(json["message"].is_string(), "{op} {status}: {text}");
        }
    }
    assert!(
        statuses.keys().any(|s| *s >= 400),
        "fuzzed requests are refused: {statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_connections_are_all_served() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    let endpoint = h.server.endpoint().to_owned();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(500));
    let mut tasks = Vec::new();
    for i in 0..500 {
        let endpoint = endpoint.clone();
        let client_id = app.client_id.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            // A client of its own: one connection per task, all open at once.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap();
            barrier.wait().await;
            let r = http
                .post(&endpoint)
                .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
                .header("content-type", "application/x-amz-json-1.1")
                .body(
                    json!({
                        "ClientId": client_id,
                        "Username": format!("crowd-{i}"),
                        "Password": "Crowd-Pa55word!",
                    })
                    .to_string(),
                )
                .send()
                .await
                .map_err(|e| format!("request {i}: {e}"))?;
            let status = r.status().as_u16();
            let text = r.text().await.map_err(|e| format!("body {i}: {e}"))?;
            if status == 200 && text.contains("UserSub") {
                Ok(())
            } else {
                Err(format!("request {i}: {status} {text}"))
            }
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 500 failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}
