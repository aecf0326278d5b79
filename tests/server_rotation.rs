//! Refresh-token rotation on the reference server (127.0.0.1:0, with a test clock): the
//! rotated-out token works within the client's `RetryGracePeriodSeconds` and is refused after
//! it (API reference RefreshTokenRotationType; server/ops/auth.rs).

mod server_support;

use std::time::Duration;

use cognito_harness::protocol::ops::*;
use server_support::*;

async fn refresh(h: &Harness, client_id: &str, token: &str) -> Result<String, (String, String)> {
    h.client
        .call(&GetTokensFromRefreshTokenRequest {
            refresh_token: token.into(),
            client_id: client_id.to_owned(),
            ..Default::default()
        })
        .await
        .map(|r| {
            r.authentication_result
                .and_then(|a| a.refresh_token)
                .map(|t| t.expose().to_owned())
                .unwrap_or_default()
        })
        .map_err(|e| service_error(&e))
}

#[tokio::test]
async fn a_rotated_out_refresh_token_works_within_the_grace_period_only() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let mut req = CreateUserPoolClientRequest::new(&pool, "rotating").with_user_flows();
    req.refresh_token_rotation = Some(RefreshTokenRotationType {
        feature: FeatureType::Enabled,
        retry_grace_period_seconds: Some(30),
    });
    let app = h.app(req).await;
    h.confirmed_user(&pool, &app, "jane").await;
    let first = h
        .client
        .user_password_auth(&app, "jane", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .refresh_token
        .unwrap()
        .expose()
        .to_owned();
    let second = refresh(&h, &app.client_id, &first).await.unwrap();
    assert!(!second.is_empty() && second != first, "a new refresh token");
    h.clock.advance(Duration::from_secs(20));
    refresh(&h, &app.client_id, &first)
        .await
        .expect("the old token within the 30 s grace period");
    h.clock.advance(Duration::from_secs(15));
    let (kind, _) = refresh(&h, &app.client_id, &first).await.unwrap_err();
    assert_eq!(kind, "RefreshTokenReuseException");
    refresh(&h, &app.client_id, &second)
        .await
        .expect("the new token keeps working");
    let (kind, _) = expect_err(h.client.refresh_token_auth(&app, &second, None).await);
    assert_eq!(kind, "UnsupportedOperationException");
}
