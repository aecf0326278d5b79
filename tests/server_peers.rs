//! The official clients against the reference server: amazon-cognito-identity-js (SRP sign-in
//! ×300 and refresh), Amplify JS v6 (signIn with SRP and with USER_AUTH for each preferred
//! challenge, forced refresh, signOut), the AWS SDK for
//! JavaScript v3 (sign-up, confirm, sign-in, GetUser), and
//! boto3 + pycognito with PyJWT verifying the tokens against the served JWKS. Driven through
//! `scripts/peer-client.sh` (docs/peers.md). Skipped when the peers are not installed, unless
//! HARNESS_REQUIRE_PEERS=1 (as `scripts/test.sh` sets).

mod peer_support;
mod server_support;

use std::path::PathBuf;

use cognito_harness::protocol::ops::*;
use server_support::*;

fn peers_installed() -> bool {
    let dir = peer_support::peers_dir();
    peer_support::installed(&[
        dir.join("node/node_modules/amazon-cognito-identity-js"),
        dir.join("venv/bin/python"),
    ])
}

/// Runs a peer client; returns its JSON line.
async fn peer(args: Vec<String>) -> serde_json::Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/peer-client.sh");
    let out = tokio::process::Command::new("bash")
        .arg(script)
        .args(&args)
        .env("COGNITO_PASSWORD", PASSWORD)
        .output()
        .await
        .expect("peer client runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|_| {
        panic!(
            "{args:?}: no JSON line; stdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_clients_sign_in() {
    if !peers_installed() {
        return;
    }
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    let secret_app = h.all_flows_app(&pool_id, true).await;
    h.confirmed_user(&pool_id, &app, "alice").await;
    let endpoint = h.server.endpoint().to_owned();
    let issuer = format!("{endpoint}{pool_id}");

    // amazon-cognito-identity-js: hundreds of consecutive SRP sign-ins, then a refresh.
    let r = peer(vec![
        s("srp-signin"),
        s("--endpoint"),
        endpoint.clone(),
        s("--user-pool-id"),
        pool_id.clone(),
        s("--client-id"),
        app.client_id.clone(),
        s("--username"),
        s("alice"),
        s("--count"),
        s("300"),
        s("--issuer"),
        issuer.clone(),
        s("--max-failures"),
        s("1"),
    ])
    .await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["signins"], 300, "{r}");
    assert_eq!(r["refresh"]["ok"], true, "{r}");

    // The same through a confidential client (SECRET_HASH added by the script).
    let r = peer(vec![
        s("srp-signin"),
        s("--endpoint"),
        endpoint.clone(),
        s("--user-pool-id"),
        pool_id.clone(),
        s("--client-id"),
        secret_app.client_id.clone(),
        s("--client-secret"),
        secret_app
            .client_secret
            .as_ref()
            .unwrap()
            .expose()
            .to_owned(),
        s("--username"),
        s("alice"),
        s("--count"),
        s("5"),
    ])
    .await;
    assert_eq!(r["ok"], true, "{r}");

    // A wrong password is refused by real verification.
    let out = tokio::process::Command::new("bash")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/peer-client.sh"))
        .args([
            "srp-signin",
            "--endpoint",
            &endpoint,
            "--user-pool-id",
            &pool_id,
            "--client-id",
            &app.client_id,
            "--username",
            "alice",
            "--count",
            "2",
            "--no-refresh",
            "--expect-error",
            "NotAuthorizedException",
        ])
        .env("COGNITO_PASSWORD", "Wr0ng-Password!")
        .output()
        .await
        .unwrap();
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    let r: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(r["ok"], true, "{r}");

    // AWS SDK v3: SignUp -> AdminConfirmSignUp -> USER_PASSWORD_AUTH -> GetUser.
    let r = peer(vec![
        s("sdk-flow"),
        s("--endpoint"),
        endpoint.clone(),
        s("--client-id"),
        app.client_id.clone(),
        s("--count"),
        s("2"),
        s("--admin-confirm"),
        s("--user-pool-id"),
        pool_id.clone(),
    ])
    .await;
    assert_eq!(r["ok"], true, "{r}");

    // The same with ConfirmSignUp and the code the server delivered (read back from it).
    let r = peer(vec![
        s("sdk-flow"),
        s("--endpoint"),
        endpoint.clone(),
        s("--client-id"),
        app.client_id.clone(),
        s("--count"),
        s("2"),
        s("--code-url"),
        s("harness"),
        s("--user-pool-id"),
        pool_id.clone(),
    ])
    .await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["confirm_via"], "code-url", "{r}");
    assert_eq!(r["steps"]["ConfirmSignUp"]["ok"], 2, "{r}");

    // boto3 sign-up flow + pycognito SRP, tokens verified by PyJWT against the JWKS.
    let r = peer(vec![
        s("clients"),
        s("--endpoint"),
        endpoint.clone(),
        s("--user-pool-id"),
        pool_id.clone(),
        s("--client-id"),
        secret_app.client_id.clone(),
        s("--client-secret"),
        secret_app
            .client_secret
            .as_ref()
            .unwrap()
            .expose()
            .to_owned(),
        s("--flows"),
        s("signup,srp"),
        s("--count"),
        s("3"),
        s("--admin-confirm"),
        s("--issuer"),
        issuer,
    ])
    .await;
    assert_eq!(r["ok"], true, "{r}");
    let _ = AuthFlowType::UserSrpAuth;
}

/// Amplify JS v6 in Node, configured with `userPoolEndpoint`: SRP sign-in, a forced refresh
/// (GetTokensFromRefreshToken) that gives a new, verifying access token for the same user, and a
/// sign-out (RevokeToken) after which the session is empty and the old access token refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amplify_v6_signs_in_refreshes_and_signs_out() {
    if !peers_installed() {
        return;
    }
    if !peer_support::installed(&[peer_support::peers_dir().join("node/node_modules/aws-amplify")])
    {
        return;
    }
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "alice").await;
    let sub = h.user_sub(&pool_id, "alice").await;

    let r = peer(vec![
        s("amplify-flow"),
        s("--endpoint"),
        h.server.endpoint().to_owned(),
        s("--user-pool-id"),
        pool_id.clone(),
        s("--client-id"),
        app.client_id.clone(),
        s("--username"),
        s("alice"),
    ])
    .await;
    assert_eq!(r["sign_in"]["ok"], true, "{r}");
    assert_eq!(r["sign_in"]["step"], "DONE", "{r}");
    assert_eq!(r["sub"], sub.as_str(), "{r}");
    assert_eq!(r["refresh"]["new_access_token"], true, "{r}");
    assert_eq!(r["refresh"]["ok"], true, "{r}");
    assert_eq!(r["sign_out"]["session_empty"], true, "{r}");
    assert_eq!(
        r["sign_out"]["old_access_token"], "NotAuthorizedException",
        "{r}"
    );
    assert_eq!(r["ok"], true, "{r}");
}

/// Amplify JS v6's choice-based sign-in, `signIn({options: {authFlowType: "USER_AUTH",
/// preferredChallenge}})`, with each preferred challenge the server offers: PASSWORD and
/// PASSWORD_SRP end signed in at once; EMAIL_OTP stops at CONFIRM_SIGN_IN_WITH_EMAIL_CODE and
/// `confirmSignIn` with the code from `/_harness/codes` signs in. Each session then refreshes and
/// signs out as the SRP one does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amplify_v6_signs_in_with_user_auth_and_each_preferred_challenge() {
    if !peers_installed() {
        return;
    }
    if !peer_support::installed(&[peer_support::peers_dir().join("node/node_modules/aws-amplify")])
    {
        return;
    }
    let h = harness().await;
    let (status, pool) = h
        .call_json(
            "CreateUserPool",
            serde_json::json!({
                "PoolName": "choice",
                "AutoVerifiedAttributes": ["email"],
                "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
            }),
            true,
        )
        .await;
    assert_eq!(status, 200, "{pool}");
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let (status, client) = h
        .call_json(
            "CreateUserPoolClient",
            serde_json::json!({
                "UserPoolId": pool_id,
                "ClientName": "app",
                "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            }),
            true,
        )
        .await;
    assert_eq!(status, 200, "{client}");
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let app = cognito_harness::protocol::AppClient::public(client_id.clone());
    h.confirmed_user(&pool_id, &app, "alice").await;
    let sub = h.user_sub(&pool_id, "alice").await;

    for (preferred, steps) in [
        ("PASSWORD", serde_json::json!(["DONE"])),
        ("PASSWORD_SRP", serde_json::json!(["DONE"])),
        (
            "EMAIL_OTP",
            serde_json::json!(["CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "DONE"]),
        ),
    ] {
        let r = peer(vec![
            s("amplify-flow"),
            s("--endpoint"),
            h.server.endpoint().to_owned(),
            s("--user-pool-id"),
            pool_id.clone(),
            s("--client-id"),
            client_id.clone(),
            s("--username"),
            s("alice"),
            s("--preferred-challenge"),
            s(preferred),
        ])
        .await;
        assert_eq!(r["sign_in"]["flow"], "USER_AUTH", "{preferred}: {r}");
        assert_eq!(r["sign_in"]["steps"], steps, "{preferred}: {r}");
        assert_eq!(r["sign_in"]["ok"], true, "{preferred}: {r}");
        assert_eq!(r["sub"], sub.as_str(), "{preferred}: {r}");
        assert_eq!(r["refresh"]["ok"], true, "{preferred}: {r}");
        assert_eq!(r["sign_out"]["ok"], true, "{preferred}: {r}");
        assert_eq!(r["ok"], true, "{preferred}: {r}");
    }
}
