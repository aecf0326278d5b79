//! The HTTP surface: `POST /` routed by `X-Amz-Target` (JSON 1.1), the JWKS at
//! `/{poolId}/.well-known/jwks.json`, and the reference-server-only
//! `/_harness/codes/{poolId}/{username}` (for loopback clients only, unless the server was
//! started with `--expose-codes`). Every answer carries `x-amzn-RequestId`; every error
//! is Cognito-shaped (`__type`, `message`, `x-amzn-ErrorType` with the trailing colon,
//! `x-amzn-ErrorMessage`; ground truth §1.5), never an HTML page. Both come from `respond.rs`,
//! which the OAuth2 endpoints share, so neither this file nor `oauth2/` imports the other.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::cloudwatch;
use super::error::{ApiError, ApiResult};
use super::ops::{self, Handle};
use super::respond::error_response;
use super::store::Store;
use crate::protocol::ops::{
    self as wire, CONTENT_TYPE, OperationKind, TARGET_PREFIX, for_each_operation,
};

/// The JSON 1.1 routes, JWKS and `_harness/codes` over the store. The server's `router` (in
/// `server/mod.rs`) merges the OAuth2 routes in and adds [`fallback`] and the request-id layer.
pub(super) fn routes() -> Router<Arc<Store>> {
    Router::new()
        .route("/", post(api).fallback(fallback))
        .route("/_harness/codes/{pool}/{username}", get(codes))
        .route("/{pool}/.well-known/jwks.json", get(jwks))
}

fn api_error(error: &ApiError) -> Response {
    error_response(error.status(), error)
}

/// The answer to an unknown operation or path.
pub(super) async fn fallback() -> Response {
    error_response(
        404,
        &ApiError::new("UnknownOperationException", "Unknown operation or path."),
    )
}

async fn jwks(State(store): State<Arc<Store>>, Path(pool): Path<String>) -> Response {
    match store.pool(&pool) {
        Ok(_) => {
            let mut r = (StatusCode::OK, store.jwks_json.clone()).into_response();
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        Err(e) => error_response(404, &e),
    }
}

/// Whether `/_harness/codes` answers a client at `peer`: loopback clients always (the harness
/// on the same machine), others only when the server was started with `--expose-codes`. A
/// request whose peer is unknown (a router served without connection info) is not loopback.
fn codes_allowed(peer: Option<SocketAddr>, expose: bool) -> bool {
    expose || peer.is_some_and(|p| p.ip().to_canonical().is_loopback())
}

async fn codes(
    State(store): State<Arc<Store>>,
    Path((pool, username)): Path<(String, String)>,
    request: Request,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !codes_allowed(peer, store.expose_codes) {
        return error_response(
            403,
            &ApiError::new(
                "AccessDeniedException",
                "/_harness/codes answers loopback clients only; start serve with \
                 --expose-codes (or `expose_codes: true` in its config file) to serve the \
                 codes to other hosts.",
            ),
        );
    }
    match ops::codes(&store, &pool, &username) {
        Ok(issued) => {
            let body = serde_json::to_string(&issued).unwrap_or_default();
            let mut r = (StatusCode::OK, body).into_response();
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        Err(e) => error_response(404, &e),
    }
}

/// Whether `value` is a JSON content type a Cognito client sends.
fn json_content_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/x-amz-json-1.1")
        || essence.eq_ignore_ascii_case("application/x-amz-json-1.0")
        || essence.eq_ignore_ascii_case("application/json")
}

async fn api(State(store): State<Arc<Store>>, headers: HeaderMap, body: Body) -> Response {
    let body = match axum::body::to_bytes(body, store.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                413,
                &ApiError::new(
                    "SerializationException",
                    format!(
                        "Request body is larger than {} bytes.",
                        store.max_body_bytes
                    ),
                ),
            );
        }
    };
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = match target.split_once('.') {
        Some((prefix, name)) if prefix == TARGET_PREFIX => name,
        _ => {
            return api_error(&ApiError::new(
                "UnknownOperationException",
                if target.is_empty() {
                    "Missing X-Amz-Target header.".to_owned()
                } else {
                    format!("Unknown operation {target}.")
                },
            ));
        }
    };
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !json_content_type(content_type) {
        return api_error(&ApiError::new(
            "UnknownOperationException",
            "Content type must be application/x-amz-json-1.1.",
        ));
    }
    let watched = cloudwatch::watch(name, &body, |client| {
        store
            .pool_of_client(client)
            .ok()
            .map(|(pool, _)| pool.id.clone())
    });
    let count = |ending: cloudwatch::Ending| {
        if let Some(w) = &watched {
            store.pool_metrics.record(w.clone(), ending);
        }
    };
    if let Some(throttle) = &store.throttle
        && let Err(e) = throttle.admit(&quota_pool(&store, &body), name)
    {
        count(cloudwatch::Ending::Throttled);
        return api_error(&e);
    }
    let answer = dispatch(&store, name, &headers, &body);
    if let Some(w) = &watched {
        count(match &answer {
            Ok(bytes) => cloudwatch::ending_of(w.metric, bytes),
            Err(_) => cloudwatch::Ending::Failure,
        });
    }
    match answer {
        Ok(bytes) => {
            let mut r = (StatusCode::OK, bytes).into_response();
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(CONTENT_TYPE),
            );
            r
        }
        Err(e) => api_error(&e),
    }
}

/// The pool a request is counted against: its `UserPoolId`, else the pool owning its
/// `ClientId`, else its access token's pool is unknown here and the call shares one bucket per
/// category with other pool-less calls ("Quotas in Amazon Cognito" counts per pool).
fn quota_pool(store: &Store, body: &Bytes) -> String {
    #[derive(serde::Deserialize)]
    struct Keys {
        #[serde(rename = "UserPoolId")]
        user_pool_id: Option<String>,
        #[serde(rename = "ClientId")]
        client_id: Option<String>,
    }
    let keys: Option<Keys> = serde_json::from_slice(body).ok();
    match keys {
        Some(Keys {
            user_pool_id: Some(pool),
            ..
        }) => pool,
        Some(Keys {
            client_id: Some(client),
            ..
        }) => store
            .pool_of_client(&client)
            .map(|(pool, _)| pool.id.clone())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The InvalidParameterException / SerializationException for a body that does not decode.
fn decode_error(e: &serde_json::Error) -> ApiError {
    // Missing required members never reach here: the model's "Member must not be null" is
    // checked first (server/validate.rs).
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => ApiError::new(
            "SerializationException",
            crate::protocol::error::describe_json_error(e),
        ),
        _ => ApiError::new("SerializationException", "Malformed JSON request body."),
    }
}

fn decode<T: serde::de::DeserializeOwned>(body: &Bytes) -> ApiResult<T> {
    let body: &[u8] = if body.is_empty() { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|e| decode_error(&e))
}

fn encode<T: serde::Serialize>(value: &T) -> ApiResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| ApiError::new("InternalErrorException", e.to_string()))
}

/// Generates `handle_operation` from the operation table: one arm per operation, each decoding
/// the request type, calling its [`Handle`] impl and encoding the answer. A table row without a
/// handler does not build, and every operation takes this one path.
macro_rules! dispatch_table {
    ( $( $name:ident => $req:ident, $resp:ident, $signed:literal ; )+ ) => {
        fn handle_operation(store: &Store, kind: OperationKind, body: &Bytes) -> ApiResult<Vec<u8>> {
            match kind {
                $( OperationKind::$name => {
                    encode(&<wire::$req as Handle>::handle(decode(body)?, store)?)
                } )+
            }
        }
    };
}
for_each_operation!(dispatch_table);

pub(super) fn dispatch(
    store: &Store,
    name: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> ApiResult<Vec<u8>> {
    let Some(kind) = OperationKind::from_name(name) else {
        return Err(ApiError::new(
            "UnknownOperationException",
            format!("Unknown operation {name}."),
        ));
    };
    if kind.requires_sigv4() {
        let pinned = store
            .admin_credentials
            .as_ref()
            .map(|(key, secret)| super::sigv4::Pinned {
                access_key_id: key.as_str(),
                secret: secret.expose(),
                region: store.region.as_str(),
                now: chrono::DateTime::<chrono::Utc>::from((store.clock)()),
            });
        super::sigv4::check("POST", "/", headers, body, pinned)?;
    }
    super::validate::check(kind, body)?;
    handle_operation(store, kind, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn codes_for(peer: Option<SocketAddr>, expose: bool) -> Response {
        let config = crate::server::settings::ServerConfig {
            expose_codes: expose,
            ..Default::default()
        };
        let store = Arc::new(Store::new(&config, "http://127.0.0.1:9229/").unwrap());
        let mut request = Request::new(Body::empty());
        if let Some(peer) = peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        codes(
            State(store),
            Path(("us-east-1_none".to_owned(), "alice".to_owned())),
            request,
        )
        .await
    }

    #[tokio::test]
    async fn codes_answer_loopback_peers_and_refuse_others_unless_exposed() {
        let remote: SocketAddr = "192.0.2.7:40000".parse().unwrap();
        let refused = codes_for(Some(remote), false).await;
        assert_eq!(refused.status(), 403);
        let body = axum::body::to_bytes(refused.into_body(), 4096)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("loopback clients only") && text.contains("--expose-codes"),
            "{text}"
        );
        assert_eq!(codes_for(None, false).await.status(), 403);
        // Past the peer check, an unknown pool is the handler's 404.
        for peer in ["127.0.0.1:40000", "[::1]:40000", "[::ffff:127.0.0.1]:40000"] {
            let peer: SocketAddr = peer.parse().unwrap();
            assert_eq!(codes_for(Some(peer), false).await.status(), 404, "{peer}");
        }
        assert_eq!(codes_for(Some(remote), true).await.status(), 404);
    }
}
