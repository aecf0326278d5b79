//! Quota enforcement over real HTTP on 127.0.0.1:0: a burst far above the configured rate is
//! split into served and throttled calls, throttled calls are Cognito-shaped
//! TooManyRequestsException answers with HTTP 400, and the bucket refills with the clock.

mod server_support;

use std::time::Duration;

use cognito_harness::quota::QuotaCategory;
use cognito_harness::server::{QuotaConfig, ServerConfig};
use server_support::*;

async fn initiate(endpoint: &str, client_id: &str) -> (u16, String, String) {
    let body = serde_json::json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": client_id,
        "AuthParameters": {"USERNAME": "nobody", "PASSWORD": "wrong-Passw0rd!"},
    });
    let r = reqwest::Client::new()
        .post(endpoint)
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.InitiateAuth",
        )
        .header("content-type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let header = r
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let json: serde_json::Value = r.json().await.unwrap();
    (
        status,
        header,
        json["message"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn burst_above_the_rate_is_throttled_then_refills() {
    let h = harness_with(ServerConfig {
        quotas: QuotaConfig {
            enabled: true,
            overrides: [(QuotaCategory::UserAuthentication, 3)]
                .into_iter()
                .collect(),
        },
        ..Default::default()
    })
    .await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    let ep = h.server.endpoint().to_owned();
    let mut throttled = 0;
    let mut served = 0;
    for _ in 0..20 {
        let (status, kind, message) = initiate(&ep, &app.client_id).await;
        assert_eq!(status, 400);
        if kind == "TooManyRequestsException:" {
            assert_eq!(message, "Rate exceeded");
            throttled += 1;
        } else {
            assert_eq!(kind, "UserNotFoundException:");
            served += 1;
        }
    }
    assert_eq!((served, throttled), (3, 17));
    h.clock.advance(Duration::from_secs(1));
    let (_, kind, _) = initiate(&ep, &app.client_id).await;
    assert_eq!(kind, "UserNotFoundException:");
}

#[tokio::test]
async fn quotas_are_off_by_default() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    let ep = h.server.endpoint().to_owned();
    for _ in 0..200 {
        let (_, kind, _) = initiate(&ep, &app.client_id).await;
        assert_eq!(kind, "UserNotFoundException:");
    }
}
