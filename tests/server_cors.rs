//! Cross-origin answers of the reference server over real HTTP on 127.0.0.1:0: the preflight of
//! the JSON 1.1 endpoint and of `/oauth2/token`, and `Access-Control-Allow-Origin: *` with the
//! exposed `x-amzn-*` headers on successful and failed answers. The expected values are the real
//! endpoint's (src/server/cors.rs cites the captures and the developer guide).

mod server_support;

use reqwest::header::HeaderMap;
use server_support::*;

const EXPOSED: &str = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";
const ORIGIN: &str = "http://127.0.0.1:9";
/// What the AWS SDK for JavaScript asks for in a browser (the cors-test capture's request).
const REQUESTED_HEADERS: &str = "content-type,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request,Authorization";

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} in {h:?}"))
}

async fn preflight(url: &str) -> (u16, HeaderMap, String) {
    let r = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, url)
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", REQUESTED_HEADERS)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

fn assert_preflight(status: u16, h: &HeaderMap, body: &str) {
    assert_eq!(status, 200, "{h:?}");
    assert_eq!(body, "");
    assert_eq!(header(h, "access-control-allow-origin"), "*");
    assert_eq!(header(h, "access-control-allow-headers"), REQUESTED_HEADERS);
    assert_eq!(header(h, "access-control-allow-methods"), "POST");
    assert_eq!(header(h, "access-control-max-age"), "172800");
    assert_eq!(header(h, "access-control-expose-headers"), EXPOSED);
    assert!(!header(h, "x-amzn-requestid").is_empty());
    assert!(h.get("vary").is_none(), "{h:?}");
}

fn assert_cross_origin(h: &HeaderMap) {
    assert_eq!(header(h, "access-control-allow-origin"), "*");
    assert_eq!(header(h, "access-control-expose-headers"), EXPOSED);
}

#[tokio::test]
async fn api_preflight_allows_the_requested_method_and_headers_from_any_origin() {
    let h = harness().await;
    let (status, headers, body) = preflight(h.server.endpoint()).await;
    assert_preflight(status, &headers, &body);
}

#[tokio::test]
async fn token_endpoint_preflight_is_answered_as_the_api_hosts() {
    let h = harness().await;
    let url = format!("{}oauth2/token", h.server.endpoint());
    let (status, headers, body) = preflight(&url).await;
    assert_preflight(status, &headers, &body);
}

async fn post_api(endpoint: &str, op: &str, body: serde_json::Value) -> (u16, HeaderMap) {
    let r = reqwest::Client::new()
        .post(endpoint)
        .header("origin", ORIGIN)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.headers().clone())
}

#[tokio::test]
async fn api_answers_expose_the_error_headers_to_any_origin() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "alice").await;
    let auth = |password: &str| {
        serde_json::json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": app.client_id,
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": password},
        })
    };

    let (status, headers) = post_api(h.server.endpoint(), "InitiateAuth", auth(PASSWORD)).await;
    assert_eq!(status, 200);
    assert_cross_origin(&headers);

    let (status, headers) =
        post_api(h.server.endpoint(), "InitiateAuth", auth("Wr0ng-Password!")).await;
    assert_eq!(status, 400);
    assert_cross_origin(&headers);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        "NotAuthorizedException:"
    );

    // A request no route answers gets them too.
    let (status, headers) = post_api(h.server.endpoint(), "NoSuchOperation", auth(PASSWORD)).await;
    assert_eq!(status, 400);
    assert_cross_origin(&headers);
}

#[tokio::test]
async fn oauth_and_jwks_answers_allow_any_origin() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let http = reqwest::Client::new();

    let r = http
        .post(format!("{}oauth2/token", h.server.endpoint()))
        .header("origin", ORIGIN)
        .form(&[("grant_type", "authorization_code")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_cross_origin(r.headers());

    let r = http
        .get(format!(
            "{}{pool_id}/.well-known/jwks.json",
            h.server.endpoint()
        ))
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_cross_origin(r.headers());
}
