//! Challenge state of the reference server: a PASSWORD_VERIFIER SECRET_BLOCK and a
//! NEW_PASSWORD_REQUIRED `Session` are single use and expire with the app client's auth
//! session validity (3 minutes by default, ground truth §6.63), on the injected clock; state
//! left by challenges nobody answers is swept, so it stays bounded while sessions churn; and
//! refresh tokens carry at least 128 random bits.
//!
//! Set-up goes over HTTP; the churn loops call the operations in-process through
//! `server::call` (the dispatch `POST /` runs) to make 100 000 sign-ins affordable.

mod server_support;

use std::collections::HashSet;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_harness::protocol::AppClient;
use cognito_harness::protocol::ops::*;
use cognito_harness::server::{self, ApiError};
use cognito_harness::srp::{PasswordVerifierChallenge, SrpClient};
use serde_json::{Value, json};
use server_support::*;

const TEMPORARY: &str = "Temp-Pa55word!";
const NEW_PASSWORD: &str = "N3w-Pa55word!";

fn call(h: &Harness, op: &str, body: Value) -> Result<Value, ApiError> {
    let answer = server::call(h.server.store(), op, body.to_string().as_bytes())?;
    Ok(serde_json::from_slice(&answer).unwrap())
}

fn refused(r: Result<Value, ApiError>) -> (&'static str, String) {
    let e = r.expect_err("call should fail");
    (e.kind, e.message)
}

/// A pool, a public client with every flow, and the user names given as FORCE_CHANGE_PASSWORD
/// users with [`TEMPORARY`] (AdminCreateUser).
async fn pool_with_new_users(h: &Harness, users: &[&str]) -> (String, AppClient) {
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    for user in users {
        h.client
            .admin_create_user(&AdminCreateUserRequest {
                user_pool_id: pool_id.clone(),
                username: (*user).into(),
                temporary_password: Some(TEMPORARY.into()),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    (pool_id, app)
}

fn password_auth(h: &Harness, app: &AppClient, user: &str, password: &str) -> Value {
    call(
        h,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": app.client_id,
            "AuthParameters": { "USERNAME": user, "PASSWORD": password },
        }),
    )
    .unwrap()
}

/// A NEW_PASSWORD_REQUIRED `Session` for `user`.
fn new_password_session(h: &Harness, app: &AppClient, user: &str) -> String {
    let r = password_auth(h, app, user, TEMPORARY);
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{r}");
    r["Session"].as_str().unwrap().to_owned()
}

fn answer_new_password(
    h: &Harness,
    app: &AppClient,
    user: &str,
    session: &str,
) -> Result<Value, ApiError> {
    call(
        h,
        "RespondToAuthChallenge",
        json!({
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "ClientId": app.client_id,
            "Session": session,
            "ChallengeResponses": { "USERNAME": user, "NEW_PASSWORD": NEW_PASSWORD },
        }),
    )
}

/// InitiateAuth USER_SRP_AUTH: the client and the challenge parameters.
fn srp_initiate(h: &Harness, app: &AppClient, user: &str) -> (SrpClient, Value) {
    let srp = SrpClient::from_rng(&mut rand::rng()).unwrap();
    let init = call(
        h,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": app.client_id,
            "AuthParameters": { "USERNAME": user, "SRP_A": srp.a_pub_hex() },
        }),
    )
    .unwrap();
    assert_eq!(init["ChallengeName"], "PASSWORD_VERIFIER", "{init}");
    (srp, init["ChallengeParameters"].clone())
}

/// The RespondToAuthChallenge body answering `params` with `password`.
fn srp_answer(
    srp: &SrpClient,
    params: &Value,
    pool_id: &str,
    password: &str,
    app: &AppClient,
) -> Value {
    let challenge =
        PasswordVerifierChallenge::from_parameters(|k| params[k].as_str().unwrap().to_owned());
    let a = srp
        .respond(&challenge, pool_id, password, chrono::Utc::now())
        .unwrap();
    json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ClientId": app.client_id,
        "ChallengeResponses": {
            "USERNAME": a.username,
            "PASSWORD_CLAIM_SECRET_BLOCK": a.password_claim_secret_block,
            "TIMESTAMP": a.timestamp,
            "PASSWORD_CLAIM_SIGNATURE": a.password_claim_signature,
        },
    })
}

#[tokio::test]
async fn a_password_verifier_secret_block_is_used_once_whatever_the_outcome() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "ana").await;
    let store = h.server.store();

    let (srp, params) = srp_initiate(&h, &app, "ana");
    assert_eq!(store.srp_pending.len(), 1);
    let answer = srp_answer(&srp, &params, &pool_id, PASSWORD, &app);
    let done = call(&h, "RespondToAuthChallenge", answer.clone()).unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(store.srp_pending.len(), 0, "consumed by the answer");
    assert_eq!(
        refused(call(&h, "RespondToAuthChallenge", answer)),
        (
            "NotAuthorizedException",
            "Incorrect username or password.".into()
        ),
        "a replayed answer"
    );

    // A wrong password uses the block up too: the right answer to it comes too late.
    let (srp, params) = srp_initiate(&h, &app, "ana");
    let wrong = srp_answer(&srp, &params, &pool_id, "Wr0ng-Password!", &app);
    let right = srp_answer(&srp, &params, &pool_id, PASSWORD, &app);
    assert_eq!(
        refused(call(&h, "RespondToAuthChallenge", wrong)).0,
        "NotAuthorizedException"
    );
    assert_eq!(
        refused(call(&h, "RespondToAuthChallenge", right)),
        (
            "NotAuthorizedException",
            "Incorrect username or password.".into()
        )
    );
    assert_eq!(store.srp_pending.len(), 0);
}

#[tokio::test]
async fn a_secret_block_expires_after_the_three_minute_auth_session() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "bo").await;

    let (srp, params) = srp_initiate(&h, &app, "bo");
    h.clock.advance(Duration::from_secs(179));
    let answer = srp_answer(&srp, &params, &pool_id, PASSWORD, &app);
    assert!(
        call(&h, "RespondToAuthChallenge", answer).is_ok(),
        "in time at 2:59"
    );

    let (srp, params) = srp_initiate(&h, &app, "bo");
    h.clock.advance(Duration::from_secs(181));
    let answer = srp_answer(&srp, &params, &pool_id, PASSWORD, &app);
    assert_eq!(
        refused(call(&h, "RespondToAuthChallenge", answer)),
        (
            "NotAuthorizedException",
            "Incorrect username or password.".into()
        ),
        "too late at 3:01"
    );
}

#[tokio::test]
async fn a_new_password_session_is_used_once_and_expires() {
    let h = harness().await;
    let (_, app) = pool_with_new_users(&h, &["cy", "di"]).await;

    let session = new_password_session(&h, &app, "cy");
    h.clock.advance(Duration::from_secs(179));
    let done = answer_new_password(&h, &app, "cy", &session).unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(
        refused(answer_new_password(&h, &app, "cy", &session)),
        (
            "NotAuthorizedException",
            "Invalid session for the user.".into()
        ),
        "a replayed session"
    );

    let session = new_password_session(&h, &app, "di");
    h.clock.advance(Duration::from_secs(181));
    assert_eq!(
        refused(answer_new_password(&h, &app, "di", &session)),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.".into()
        )
    );
    // The expired session is gone; a new one works.
    assert_eq!(
        refused(answer_new_password(&h, &app, "di", &session)).1,
        "Invalid session for the user."
    );
    let session = new_password_session(&h, &app, "di");
    assert!(answer_new_password(&h, &app, "di", &session).is_ok());
}

#[tokio::test]
async fn unanswered_new_password_sessions_stay_bounded_while_they_churn() {
    let h = harness().await;
    let (_, app) = pool_with_new_users(&h, &["eve"]).await;
    let store = h.server.store();
    // 100 000 sign-ins that never answer, 10 ms apart on the clock (100/s): the last 3 minutes
    // hold 18 000 live sessions.
    let iterations = 100_000;
    let live = 18_000;
    let mut first = None;
    let mut last = String::new();
    for _ in 0..iterations {
        last = new_password_session(&h, &app, "eve");
        first.get_or_insert_with(|| last.clone());
        h.clock.advance(Duration::from_millis(10));
    }
    let held = store.challenges.len();
    assert!(held >= live, "live sessions were dropped: {held}");
    assert!(
        held <= 2 * (live + 1) + 32 * 16,
        "expired sessions piled up: {held} held after {iterations}"
    );
    // Long expired: swept (or, had its shard not been swept since, refused as expired).
    let (kind, message) = refused(answer_new_password(&h, &app, "eve", &first.unwrap()));
    assert_eq!(kind, "NotAuthorizedException");
    assert!(
        message.starts_with("Invalid session for the user"),
        "{message}"
    );
    assert!(answer_new_password(&h, &app, "eve", &last).is_ok());
}

#[tokio::test]
async fn unanswered_secret_blocks_stay_bounded_while_they_churn() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "flo").await;
    let store = h.server.store();
    // One InitiateAuth every 2 s on the clock: 91 live at a time, 1 000 in all (each costs an
    // exponentiation, so fewer than for the sessions above).
    let iterations = 1_000;
    for _ in 0..iterations {
        srp_initiate(&h, &app, "flo");
        h.clock.advance(Duration::from_secs(2));
    }
    let held = store.srp_pending.len();
    assert!(held >= 90, "live secret blocks were dropped: {held}");
    assert!(
        held <= 2 * 91 + 32 * 16,
        "expired secret blocks piled up: {held} held after {iterations}"
    );
}

#[tokio::test]
async fn refresh_tokens_carry_at_least_128_random_bits() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "gus").await;
    let n = 1000;
    let mut tokens = HashSet::new();
    let mut values_at = vec![HashSet::new(); 48];
    for _ in 0..n {
        let r = password_auth(&h, &app, "gus", PASSWORD);
        let token = r["AuthenticationResult"]["RefreshToken"]
            .as_str()
            .unwrap()
            .to_owned();
        // base64url of the sign-in id (16 bytes) and a 32-byte secret.
        let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        assert_eq!(raw.len(), 48, "{token}");
        for (i, b) in raw.iter().enumerate() {
            values_at[i].insert(*b);
        }
        tokens.insert(token);
    }
    assert_eq!(tokens.len(), n, "all distinct");
    // A uniformly random byte takes about 251 of 256 values in 1000 draws; a fixed, counted or
    // padded byte takes few. At least 16 such bytes: 128 bits.
    let random_bytes = values_at.iter().filter(|v| v.len() >= 200).count();
    assert!(random_bytes >= 16, "{random_bytes} random-looking bytes");
    for (i, v) in values_at[16..].iter().enumerate() {
        assert!(v.len() >= 200, "secret byte {i} takes {} values", v.len());
    }
}

#[tokio::test]
async fn sign_in_records_are_swept_a_day_after_their_refresh_token_expires() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h
        .app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "hourly".into(),
            explicit_auth_flows: Some(vec![
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ]),
            refresh_token_validity: Some(60),
            token_validity_units: Some(TokenValidityUnitsType {
                refresh_token: Some(TimeUnitsType::Minutes),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await;
    h.confirmed_user(&pool_id, &app, "hal").await;
    let store = h.server.store();
    // Ten rounds of 300 sign-ins, each round a day and an hour after the one before: only the
    // latest round's records can still matter.
    let per_round = 300;
    let mut refresh = String::new();
    for round in 0..10 {
        if round > 0 {
            h.clock.advance(Duration::from_secs(25 * 3600 + 60));
        }
        for _ in 0..per_round {
            let r = password_auth(&h, &app, "hal", PASSWORD);
            refresh = r["AuthenticationResult"]["RefreshToken"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        let held = store.sign_ins.len();
        assert!(held >= per_round, "live sign-ins were dropped: {held}");
        assert!(
            held <= 2 * per_round + 32 * 16,
            "expired sign-ins piled up: {held}"
        );
    }
    h.clock.advance(Duration::from_secs(2 * 3600));
    let r = call(
        &h,
        "InitiateAuth",
        json!({
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": app.client_id,
            "AuthParameters": { "REFRESH_TOKEN": refresh },
        }),
    );
    assert_eq!(
        refused(r),
        ("NotAuthorizedException", "Refresh Token has expired".into()),
        "the last round's token, an hour expired, is still known"
    );
}
