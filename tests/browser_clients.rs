//! The official browser clients against the reference server, in a real browser: headless
//! Chromium (Debian's `chromium`, installed by `scripts/install-peers.sh`) driven by
//! `peers/js/browser-clients.mjs` through playwright-core. The server runs on 127.0.0.1:0 and the
//! page on another loopback origin served here, so every call is cross-origin and needs the
//! server's CORS answers. One browser launch runs (a) an SRP sign-in with
//! amazon-cognito-identity-js, (b) Amplify JS v6 signIn, forced refresh and signOut, and (c) the
//! managed-login flow: `/oauth2/authorize` with PKCE S256, the `/login` form filled and submitted
//! by the browser, the callback with a code on the page's origin, and the code exchanged at
//! `/oauth2/token`. Skipped when the peers or Chromium are missing, unless
//! HARNESS_REQUIRE_PEERS=1 (as `scripts/test.sh` sets).

mod peer_support;
mod server_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use cognito_harness::protocol::ops::*;
use server_support::*;

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Whether the browser, playwright-core and the client packages are installed; panics when they
/// are required and missing.
fn browser_peers_installed() -> bool {
    let node = peer_support::peers_dir().join("node/node_modules");
    let mut paths: Vec<PathBuf> = [
        "playwright-core",
        "esbuild",
        "aws-amplify",
        "amazon-cognito-identity-js",
    ]
    .iter()
    .map(|p| node.join(p))
    .collect();
    paths.push(chromium());
    peer_support::installed(&paths)
}

/// Serves the files of one directory (no subdirectories) on 127.0.0.1:0; returns its base URL.
async fn serve_page(dir: &Path) -> String {
    async fn file(
        State(dir): State<Arc<PathBuf>>,
        UrlPath(name): UrlPath<String>,
    ) -> impl IntoResponse {
        let safe = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']);
        let body = match safe {
            true => tokio::fs::read(dir.join(&name)).await.ok(),
            false => None,
        };
        let kind = if name.ends_with(".js") {
            "text/javascript"
        } else {
            "text/html;charset=utf-8"
        };
        match body {
            Some(b) => (StatusCode::OK, [(header::CONTENT_TYPE, kind)], b).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
    let app = axum::Router::new()
        .route("/{name}", axum::routing::get(file))
        .with_state(Arc::new(dir.to_owned()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_clients_sign_in_refresh_sign_out_and_complete_managed_login() {
    if !browser_peers_installed() {
        return;
    }
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "alice").await;
    let sub = h.user_sub(&pool_id, "alice").await;

    let page_dir = tempfile::tempdir().unwrap();
    let page_url = serve_page(page_dir.path()).await;
    let oauth = h
        .app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "web".into(),
            generate_secret: Some(false),
            allowed_oauth_flows: Some(vec![OAuthFlowType::Code]),
            allowed_oauth_scopes: Some(vec!["openid".into(), "email".into()]),
            allowed_oauth_flows_user_pool_client: Some(true),
            callback_urls: Some(vec![format!("{page_url}callback.html")]),
            ..Default::default()
        })
        .await;
    assert_ne!(
        url_origin(&page_url),
        url_origin(h.server.endpoint()),
        "the page must be cross-origin"
    );

    let started = std::time::Instant::now();
    let out = tokio::process::Command::new("bash")
        .arg(peer_support::repo().join("scripts/peer-client.sh"))
        .args(["browser", "--endpoint", h.server.endpoint()])
        .args(["--user-pool-id", &pool_id, "--client-id", &app.client_id])
        .args(["--oauth-client-id", &oauth.client_id, "--username", "alice"])
        .arg("--page-dir")
        .arg(page_dir.path())
        .args(["--page-url", &page_url])
        .env("COGNITO_PASSWORD", PASSWORD)
        .env("COGNITO_PEERS_DIR", peer_support::peers_dir())
        .output()
        .await
        .expect("the browser driver runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let r: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|_| {
            panic!(
                "no JSON line; stdout: {stdout}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    // The report holds claims and timings, never tokens or passwords.
    eprintln!(
        "browser clients: {:.1} s: {r}",
        started.elapsed().as_secs_f64()
    );

    // (a) amazon-cognito-identity-js: SRP in the page, tokens verify against the JWKS.
    assert_eq!(r["srp"]["ok"], true, "{r}");
    assert_eq!(r["srp"]["sub"], sub.as_str(), "{r}");
    // (b) Amplify JS v6: sign-in, a refresh that gave a new access token, and a sign-out after
    // which the page has no session and the old access token is refused.
    assert_eq!(r["amplify"]["step"], "DONE", "{r}");
    assert_eq!(r["amplify"]["sign_in"]["sub"], sub.as_str(), "{r}");
    assert_eq!(r["amplify"]["refresh"]["ok"], true, "{r}");
    assert_eq!(r["amplify"]["refresh"]["new_access_token"], true, "{r}");
    assert_eq!(r["amplify"]["session_after_sign_out"], false, "{r}");
    assert_eq!(
        r["amplify"]["old_access_token_after_sign_out"], "NotAuthorizedException:",
        "{r}"
    );
    assert_eq!(r["amplify"]["ok"], true, "{r}");
    // (c) managed login with PKCE, the form submitted by the browser, the code exchanged.
    assert_eq!(r["managed_login"]["ok"], true, "{r}");
    assert_eq!(r["managed_login"]["sub"], sub.as_str(), "{r}");
    assert_eq!(
        r["managed_login"]["access"]["client_id"],
        oauth.client_id.as_str(),
        "{r}"
    );
    assert_eq!(r["ok"], true, "{r}");
    assert!(out.status.success(), "{r}");
}

fn url_origin(url: &str) -> String {
    let u = reqwest::Url::parse(url).unwrap();
    format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default()) + &format!(":{:?}", u.port())
}
