//! The JSON 1.1 requests to a plain-HTTP endpoint, sent with hyper's pooled client directly.
//!
//! reqwest, which every other request goes through (HTTPS endpoints, proxies, OAuth2, JWKS),
//! parses the request URL twice per request (once in its redirect layer, even with redirects
//! off, once when the request starts: about 11 000 instructions of a GetUser's 100 000 under
//! callgrind, `scripts/engine-cpu.sh --callgrind`) and wraps each request in tower layers. For
//! `http://` endpoints reached without a proxy (the reference server, emulators, a local
//! gateway) the wire work is the same with hyper-util's legacy client: one connection pool,
//! TCP_NODELAY as reqwest sets it, the same connect timeout and whole-request timeout, the same
//! `User-Agent` and `Accept: */*` headers, HTTP/1.1 only, no redirects followed. Failures are
//! classified by the rule reqwest's are (`classify.rs`), from the error chain.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Uri};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::endpoints::TargetConfig;
use super::error::{CallError, TransportError, TransportErrorKind};
use super::response::{RawResponse, Timing};

/// hyper's pooled HTTP/1.1 client bound to one `http://` endpoint.
pub(super) struct PlainHttp {
    client: Client<HttpConnector, Full<Bytes>>,
    uri: Uri,
    user_agent: HeaderValue,
    timeout: Duration,
    max_response_bytes: usize,
}

impl PlainHttp {
    /// The client for `config`'s endpoint, when it is `http://` and `proxies_off` (no system
    /// proxy configured, or every host of the target on loopback: the rule the reqwest client
    /// in `client.rs` is built by); `None` otherwise, and reqwest sends. Without `reuse` the
    /// pool keeps no idle connection, so every request opens one of its own.
    pub(super) fn for_config(
        config: &TargetConfig,
        proxies_off: bool,
        reuse: bool,
    ) -> Option<Self> {
        let endpoint = &config.endpoint;
        if endpoint.scheme() != "http" || !proxies_off {
            return None;
        }
        let uri: Uri = endpoint.as_str().parse().ok()?;
        let user_agent = HeaderValue::from_str(&config.user_agent).ok()?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(config.connect_timeout));
        let mut builder = Client::builder(TokioExecutor::new());
        if !reuse {
            builder.pool_max_idle_per_host(0);
        }
        let client = builder.build(connector);
        Some(Self {
            client,
            uri,
            user_agent,
            timeout: config.request_timeout,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// POSTs `body` with `headers` (plus `User-Agent` and `Accept` unless given) and reads the
    /// whole response, its body capped; the timeout covers the whole exchange, as reqwest's.
    pub(super) async fn post(
        &self,
        mut headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<RawResponse, CallError> {
        if !headers.contains_key(http::header::USER_AGENT) {
            headers.insert(http::header::USER_AGENT, self.user_agent.clone());
        }
        if !headers.contains_key(http::header::ACCEPT) {
            headers.insert(http::header::ACCEPT, HeaderValue::from_static("*/*"));
        }
        let mut request = http::Request::new(Full::new(Bytes::from(body)));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = headers;
        let start = Instant::now();
        match tokio::time::timeout(self.timeout, self.exchange(request, start)).await {
            Ok(result) => result,
            Err(_) => Err(CallError::Transport(TransportError {
                kind: TransportErrorKind::Timeout,
                status: None,
                detail: format!(
                    "no complete answer within {:?} (request timeout)",
                    self.timeout
                ),
            })),
        }
    }

    async fn exchange(
        &self,
        request: http::Request<Full<Bytes>>,
        start: Instant,
    ) -> Result<RawResponse, CallError> {
        let response = self.client.request(request).await.map_err(|e| {
            let connect = e.is_connect();
            CallError::Transport(super::classify::classify_error(
                &e, false, connect, false, None,
            ))
        })?;
        let head = start.elapsed();
        let (parts, mut incoming) = response.into_parts();
        let status = parts.status.as_u16();
        let cap = self.max_response_bytes;
        let too_large = |seen: u64| {
            CallError::Transport(TransportError {
                kind: TransportErrorKind::BodyTooLarge,
                status: Some(status),
                detail: format!(
                    "response body of at least {seen} bytes exceeds the limit of {cap} bytes \
                     (max_response_bytes)"
                ),
            })
        };
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(len) = declared
            && len > cap as u64
        {
            return Err(too_large(len));
        }
        let mut body = Vec::with_capacity(declared.map_or(0, |len| len as usize));
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(|e| {
                CallError::Transport(super::classify::classify_error(
                    &e,
                    false,
                    false,
                    true,
                    Some(status),
                ))
            })?;
            if let Ok(chunk) = frame.into_data() {
                if body.len() + chunk.len() > cap {
                    return Err(too_large((body.len() + chunk.len()) as u64));
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(RawResponse {
            status,
            headers: parts.headers,
            body,
            timing: Timing {
                head,
                total: start.elapsed(),
            },
        })
    }
}
