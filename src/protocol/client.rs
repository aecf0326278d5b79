//! The one wire client shared by the load engine and the conformance runner.
//!
//! [`CognitoClient`] speaks JSON 1.1 (`POST /`, `X-Amz-Target:
//! AWSCognitoIdentityProviderService.<Op>`, `Content-Type: application/x-amz-json-1.1`), signs
//! the Admin* and pool-management calls with SigV4, fills in SECRET_HASH for app clients with a
//! secret, caps response bodies and classifies every failure into a [`CallError`].
//!
//! Three layers, each usable on its own:
//! - [`CognitoClient::send`] / [`CognitoClient::send_raw`]: bytes in, status + headers + bytes
//!   out ([`RawResponse`]), for conformance cases that check exact responses or send malformed
//!   requests, and for the load engine's byte counts.
//! - [`CognitoClient::call`]: any [`Operation`] request, typed output or typed error.
//! - Convenience methods (`sign_up`, `user_password_auth`, `admin_create_user`, ...) that build
//!   the request and apply the SECRET_HASH rules (developer guide, "Computing SecretHash values"),
//!   in `convenience.rs`; this file owns the wire work they all go through.
//!
//! The HTTP stack is reqwest, except for the JSON 1.1 requests to a plain-HTTP endpoint reached
//! without a proxy, which hyper's pooled client sends directly (`plain_http.rs`: the same wire
//! work without reqwest's per-request URL parsing and layers, the load engine's hot path).
//!
//! Cloning is cheap (an `Arc`); clones share the connection pool.

use super::redact::redact_url;
use std::fmt;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use http::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;

use super::endpoints::{ConfigError, TargetConfig, is_loopback_host};
use super::error::{
    CallError, TransportError, TransportErrorKind, decode_error_response, describe_json_error,
};
use super::ops::*;
use super::secret_hash::{AppClient, SecretHashed};
use super::sigv4;

pub use super::response::{RawResponse, Timing};

/// A clock for SigV4 timestamps; injectable so signed requests are reproducible in tests.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A JSON 1.1 request at the byte level. Every field can be set to something a correct
/// client would never send, which is what conformance cases need.
#[derive(Clone, Default)]
pub struct RawRequest {
    /// `X-Amz-Target`; `None` omits the header.
    pub target: Option<String>,
    /// `Content-Type`; `None` omits the header.
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// Sign with SigV4.
    pub signed: bool,
    /// Extra headers, added after the standard ones (and signed when `signed`).
    pub extra_headers: Vec<(String, String)>,
}

impl RawRequest {
    /// The request a correct client sends for operation `op_name`.
    pub fn operation(op_name: &str, body: Vec<u8>, signed: bool) -> Self {
        Self {
            target: Some(format!("{TARGET_PREFIX}.{op_name}")),
            content_type: Some(CONTENT_TYPE.to_owned()),
            body,
            signed,
            extra_headers: Vec::new(),
        }
    }
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("target", &self.target)
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.len())
            .field("signed", &self.signed)
            .finish_non_exhaustive()
    }
}

struct Inner {
    http: reqwest::Client,
    /// The JSON 1.1 requests' client when the endpoint is plain HTTP without a proxy.
    plain: Option<super::plain_http::PlainHttp>,
    config: TargetConfig,
    credentials: Option<aws_credential_types::Credentials>,
    clock: Clock,
}

/// The wire client. See the module documentation.
#[derive(Clone)]
pub struct CognitoClient {
    inner: Arc<Inner>,
    /// Check every answer of [`CognitoClient::call`] against the service model's shapes
    /// ([`super::shape`]). Default: on.
    check_shapes: bool,
}

impl fmt::Debug for CognitoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoClient")
            .field("endpoint", &redact_url(&self.inner.config.endpoint))
            .field("region", &self.inner.config.region)
            .field("signing", &self.inner.credentials.is_some())
            .finish_non_exhaustive()
    }
}

/// Which phase of the exchange failed, to tell a reset from a truncated body.
#[derive(Clone, Copy)]
enum Phase {
    Head,
    Body,
}

fn classify(e: &reqwest::Error, phase: Phase, status: Option<u16>) -> TransportError {
    let body = matches!(phase, Phase::Body);
    super::classify::classify_error(e, e.is_timeout(), e.is_connect(), body, status)
}

/// The result of a call together with what the load engine records about the exchange.
#[derive(Debug)]
pub struct CallOutcome<T> {
    pub result: Result<T, CallError>,
    /// The HTTP status, when a response head arrived.
    pub status: Option<u16>,
    /// Request body size in bytes.
    pub bytes_sent: usize,
    /// Response body size in bytes (0 when no complete body was read).
    pub bytes_received: usize,
    /// Client-side timing, when a complete response was read.
    pub timing: Option<Timing>,
}

/// Decode a response as `T`: a 2xx body as JSON (an empty body reads as `{}`, which some
/// emulators send for empty outputs), anything else through [`decode_error_response`]; every
/// answer checked against the service model's shapes ([`decode_response_with`]).
pub fn decode_response<T: DeserializeOwned>(
    operation: &str,
    raw: &RawResponse,
) -> Result<T, CallError> {
    decode_response_with(operation, raw, true)
}

/// [`decode_response`], with the shape check ([`super::shape`]) on or off. With it on, the body
/// is parsed once into a JSON value, checked, then converted; a mismatch is a
/// [`CallError::Shape`] naming the member.
pub fn decode_response_with<T: DeserializeOwned>(
    operation: &str,
    raw: &RawResponse,
    check_shapes: bool,
) -> Result<T, CallError> {
    let decode_error = |e: serde_json::Error| CallError::Decode {
        operation: operation.to_owned(),
        status: raw.status,
        detail: describe_json_error(&e),
    };
    if !raw.is_success() {
        let error = decode_error_response(raw.status, &raw.headers, &raw.body);
        if check_shapes
            && matches!(error, CallError::Service(_))
            && let Ok(body) = serde_json::from_slice::<serde_json::Value>(&raw.body)
            && let Some(issue) = super::shape::check_error(&body)
        {
            return Err(CallError::Shape {
                operation: operation.to_owned(),
                status: raw.status,
                issue,
            });
        }
        return Err(error);
    }
    let body: &[u8] = if raw.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &raw.body
    };
    if !check_shapes {
        return serde_json::from_slice(body).map_err(decode_error);
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(decode_error)?;
    if let Some(issue) = super::shape::check_output(operation, &value) {
        return Err(CallError::Shape {
            operation: operation.to_owned(),
            status: raw.status,
            issue,
        });
    }
    serde_json::from_value(value).map_err(decode_error)
}

/// The JSON body of a request. GetUser, the request a load test sends most, is written
/// directly when its token needs no escaping (a JWT: base64url and dots): serde_json escapes a
/// string byte by byte, which was 12 000 instructions per GetUser with a 1 kB token, a tenth of
/// the request's cost in the engine. The bytes are the same as serde_json's.
fn encode<Op: Operation>(req: &Op) -> Result<Vec<u8>, serde_json::Error> {
    let any: &dyn std::any::Any = req;
    if let Some(get_user) = any.downcast_ref::<GetUserRequest>()
        && let Some(body) = single_string_body("AccessToken", get_user.access_token.expose())
    {
        return Ok(body);
    }
    serde_json::to_vec(req)
}

/// `{"<member>":"<value>"}` when `value` has only bytes JSON never escapes and `/` (which
/// serde_json does not escape either); `None` otherwise.
fn single_string_body(member: &str, value: &str) -> Option<Vec<u8>> {
    // Printable ASCII but `"` and `\`. Branch-free over the whole value so that it is
    // vectorised: an early-exit `all` over the bytes took 11 instructions a byte.
    let escaped = value.bytes().fold(0u8, |seen, b| {
        seen | u8::from(b <= b' ')
            | u8::from(b >= 0x7f)
            | u8::from(b == b'"')
            | u8::from(b == b'\\')
    });
    if escaped != 0 {
        return None;
    }
    let mut body = Vec::with_capacity(member.len() + value.len() + 7);
    body.extend_from_slice(b"{\"");
    body.extend_from_slice(member.as_bytes());
    body.extend_from_slice(b"\":\"");
    body.extend_from_slice(value.as_bytes());
    body.extend_from_slice(b"\"}");
    Some(body)
}

impl CognitoClient {
    /// Build a client. Fails when the configuration is invalid or targets a non-loopback host
    /// without [`TargetConfig::allow_non_loopback`].
    pub fn new(config: TargetConfig) -> Result<Self, ConfigError> {
        Self::with_clock(config, Arc::new(SystemTime::now))
    }

    /// [`CognitoClient::new`] with an injected clock for SigV4 timestamps.
    pub fn with_clock(config: TargetConfig, clock: Clock) -> Result<Self, ConfigError> {
        Self::build(config, clock, true)
    }

    /// A client with this one's configuration and clock that keeps no connection open: every
    /// request opens a connection of its own, so requests sent at once never share one or wait
    /// for one (the conformance suite's `together` races).
    pub fn without_connection_reuse(&self) -> Result<Self, ConfigError> {
        let client = Self::build(self.inner.config.clone(), self.inner.clock.clone(), false)?;
        Ok(client.with_shape_check(self.check_shapes))
    }

    fn build(config: TargetConfig, clock: Clock, reuse: bool) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut builder = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(config.user_agent.clone());
        let all_loopback = [
            Some(&config.endpoint),
            config.oauth_base.as_ref(),
            config.jwks_url.as_ref(),
        ]
        .into_iter()
        .flatten()
        .all(|u| u.host().is_some_and(|h| is_loopback_host(&h)));
        let proxies_off = !config.use_system_proxy || all_loopback;
        if proxies_off {
            builder = builder.no_proxy();
        }
        if !reuse {
            // hyper's pool is off with no idle connection allowed: none is kept or shared.
            builder = builder.pool_max_idle_per_host(0);
        }
        let plain = super::plain_http::PlainHttp::for_config(&config, proxies_off, reuse);
        let http = builder
            .build()
            .map_err(|e| ConfigError::HttpClient(e.to_string()))?;
        let credentials = config
            .credentials
            .clone()
            .or_else(sigv4::credentials_from_env);
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                plain,
                config,
                credentials,
                clock,
            }),
            check_shapes: true,
        })
    }

    /// This client (sharing its connections) with the shape check of every answer turned on or
    /// off (`run --no-shape-check`).
    pub fn with_shape_check(mut self, on: bool) -> Self {
        self.check_shapes = on;
        self
    }

    pub fn config(&self) -> &TargetConfig {
        &self.inner.config
    }

    /// Send any request to the JSON 1.1 endpoint and read the whole (capped) response. Only
    /// transport failures are errors here; every status is a `RawResponse`.
    pub async fn send(&self, req: &RawRequest) -> Result<RawResponse, CallError> {
        self.send_body(req, req.body.clone()).await
    }

    /// [`CognitoClient::send`] of `req` with `body` in place of its own (which is not read), so
    /// a body built for one request is moved, not copied.
    async fn send_body(&self, req: &RawRequest, body: Vec<u8>) -> Result<RawResponse, CallError> {
        let config = &self.inner.config;
        let map = self.header_map(req, &body)?;
        let result = match &self.inner.plain {
            Some(plain) => plain.post(map, body).await,
            None => {
                let builder = self
                    .inner
                    .http
                    .post(config.endpoint.clone())
                    .headers(map)
                    .body(body);
                self.execute(builder).await
            }
        };
        // Operation name, status and sizes only: bodies and headers may carry secrets.
        match &result {
            Ok(raw) => tracing::debug!(
                target_op = req.target.as_deref().unwrap_or("-"),
                status = raw.status,
                bytes = raw.body.len(),
                elapsed_ms = raw.timing.total.as_secs_f64() * 1e3,
                "cognito call"
            ),
            Err(e) => tracing::debug!(
                target_op = req.target.as_deref().unwrap_or("-"),
                error = %e.label(),
                "cognito call failed"
            ),
        }
        result
    }

    /// The headers of `req` (with `body`): `Content-Type`, `X-Amz-Target`, the extra ones
    /// lower-cased, and the SigV4 ones when it is signed.
    fn header_map(&self, req: &RawRequest, body: &[u8]) -> Result<HeaderMap, CallError> {
        let value = |k: &str, v: &str| {
            HeaderValue::from_str(v).map_err(|e| CallError::Request(format!("header `{k}`: {e}")))
        };
        if !req.signed && req.extra_headers.is_empty() {
            // What the load engine sends: two headers, with names known in advance.
            let mut map = HeaderMap::with_capacity(4);
            if let Some(ct) = &req.content_type {
                let ct = if ct == CONTENT_TYPE {
                    HeaderValue::from_static(CONTENT_TYPE)
                } else {
                    value("content-type", ct)?
                };
                map.append(http::header::CONTENT_TYPE, ct);
            }
            if let Some(t) = &req.target {
                let name = http::HeaderName::from_static("x-amz-target");
                map.append(name, value("x-amz-target", t)?);
            }
            return Ok(map);
        }
        let config = &self.inner.config;
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some(ct) = &req.content_type {
            headers.push(("content-type".to_owned(), ct.clone()));
        }
        if let Some(t) = &req.target {
            headers.push(("x-amz-target".to_owned(), t.clone()));
        }
        headers.extend(
            req.extra_headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone())),
        );
        if req.signed {
            let creds = self.inner.credentials.as_ref().ok_or_else(|| {
                CallError::Signing(
                    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                     (emulators accept any values) or configure them on the target"
                        .to_owned(),
                )
            })?;
            let to_sign: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let added = sigv4::sign_post(
                &config.endpoint,
                &to_sign,
                body,
                creds,
                &config.region,
                (self.inner.clock)(),
            )
            .map_err(CallError::Signing)?;
            headers.extend(added);
        }
        let mut map = HeaderMap::new();
        for (k, v) in &headers {
            let name = http::HeaderName::from_bytes(k.as_bytes())
                .map_err(|e| CallError::Request(format!("header name `{k}`: {e}")))?;
            map.append(name, value(k, v)?);
        }
        Ok(map)
    }

    /// Send `body` as operation `op_name` (the `X-Amz-Target` suffix), signed or not.
    pub async fn send_raw(
        &self,
        op_name: &str,
        body: Vec<u8>,
        signed: bool,
    ) -> Result<RawResponse, CallError> {
        let req = RawRequest::operation(op_name, Vec::new(), signed);
        self.send_body(&req, body).await
    }

    /// Encode `req` and send it as its operation, without decoding the answer.
    pub async fn call_raw<Op: Operation>(&self, req: &Op) -> Result<RawResponse, CallError> {
        let body = encode(req).map_err(|e| CallError::Request(e.to_string()))?;
        self.send_raw(Op::KIND.name(), body, Op::KIND.requires_sigv4())
            .await
    }

    /// Call an operation: encode, send (signed when the operation requires it), decode the
    /// output or the error.
    pub async fn call<Op: Operation>(&self, req: &Op) -> Result<Op::Output, CallError> {
        let raw = self.call_raw(req).await?;
        decode_response_with(Op::KIND.name(), &raw, self.check_shapes)
    }

    /// [`CognitoClient::call`] that also reports status, sizes and timing, whatever the
    /// outcome. Apply SECRET_HASH first with [`SecretHashed::apply_secret_hash`] if needed.
    pub async fn call_measured<Op: Operation>(&self, req: &Op) -> CallOutcome<Op::Output> {
        let body = match encode(req) {
            Ok(b) => b,
            Err(e) => {
                return CallOutcome {
                    result: Err(CallError::Request(e.to_string())),
                    status: None,
                    bytes_sent: 0,
                    bytes_received: 0,
                    timing: None,
                };
            }
        };
        let bytes_sent = body.len();
        match self
            .send_raw(Op::KIND.name(), body, Op::KIND.requires_sigv4())
            .await
        {
            Ok(raw) => CallOutcome {
                result: decode_response_with(Op::KIND.name(), &raw, self.check_shapes),
                status: Some(raw.status),
                bytes_sent,
                bytes_received: raw.body.len(),
                timing: Some(raw.timing),
            },
            Err(e) => CallOutcome {
                status: e.status(),
                result: Err(e),
                bytes_sent,
                bytes_received: 0,
                timing: None,
            },
        }
    }

    /// [`CognitoClient::call`] after filling in the SECRET_HASH for `app` (keyed on
    /// `hash_username`, else the request's own username).
    pub async fn call_with_app<Op: Operation + SecretHashed>(
        &self,
        app: &AppClient,
        mut req: Op,
        hash_username: Option<&str>,
    ) -> Result<Op::Output, CallError> {
        req.apply_secret_hash(app, hash_username);
        self.call(&req).await
    }

    /// Execute a prepared request: read the head, then the body up to the cap.
    pub(crate) async fn execute(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<RawResponse, CallError> {
        let start = Instant::now();
        let mut resp = builder
            .send()
            .await
            .map_err(|e| CallError::Transport(classify(&e, Phase::Head, None)))?;
        let head = start.elapsed();
        let status = resp.status().as_u16();
        let cap = self.inner.config.max_response_bytes;
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
        if let Some(len) = resp.content_length()
            && len > cap as u64
        {
            return Err(too_large(len));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > cap {
                        return Err(too_large((body.len() + chunk.len()) as u64));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(CallError::Transport(classify(
                        &e,
                        Phase::Body,
                        Some(status),
                    )));
                }
            }
        }
        Ok(RawResponse {
            status,
            headers: std::mem::take(resp.headers_mut()),
            body,
            timing: Timing {
                head,
                total: start.elapsed(),
            },
        })
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &[u8]) -> RawResponse {
        RawResponse {
            status,
            headers: HeaderMap::new(),
            body: body.to_vec(),
            timing: Timing::default(),
        }
    }

    #[test]
    fn empty_2xx_body_decodes_as_empty_output() {
        let out: GlobalSignOutResponse = decode_response("GlobalSignOut", &raw(200, b"")).unwrap();
        assert_eq!(out, GlobalSignOutResponse {});
        // ... but not as an output with required members: the shape check names the first
        // member the model requires, and without it the typed decode still refuses.
        let err = decode_response::<SignUpResponse>("SignUp", &raw(200, b"")).unwrap_err();
        assert_eq!(err.label(), "shape:UserConfirmed:missing", "{err:?}");
        let err =
            decode_response_with::<SignUpResponse>("SignUp", &raw(200, b""), false).unwrap_err();
        assert!(
            matches!(&err, CallError::Decode { detail, .. } if detail.contains("missing field")),
            "{err:?}"
        );
    }

    #[test]
    fn truncated_2xx_body_is_a_decode_error_without_values() {
        let err = decode_response::<InitiateAuthResponse>(
            "InitiateAuth",
            &raw(
                200,
                br#"{"AuthenticationResult":{"AccessToken":"eyJhbGciOi"#,
            ),
        )
        .unwrap_err();
        match err {
            CallError::Decode {
                operation, detail, ..
            } => {
                assert_eq!(operation, "InitiateAuth");
                assert!(!detail.contains("eyJ"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
    }

    /// The load engine spawns calls on a multi-threaded runtime: their futures must be `Send`.
    #[test]
    fn call_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let client =
            CognitoClient::new(TargetConfig::local("http://127.0.0.1:1/").unwrap()).unwrap();
        let req = GetUserRequest::default();
        assert_send(&client.call(&req));
        assert_send(&client.call_measured(&req));
        let app = AppClient::public("c");
        assert_send(&client.user_password_auth(&app, "u", "p"));
        assert_send(&client.send_raw("X", Vec::new(), false));
    }

    #[test]
    fn plain_http_endpoints_without_a_proxy_go_through_hyper_directly() {
        let direct = |url: &str, system_proxy: bool| {
            let mut config = TargetConfig::local(url).unwrap();
            config.use_system_proxy = system_proxy;
            CognitoClient::new(config).unwrap().inner.plain.is_some()
        };
        assert!(direct("http://127.0.0.1:1/", false));
        // Loopback is never proxied, so the system proxy setting does not matter there.
        assert!(direct("http://127.0.0.1:1/", true));
        // TLS stays with reqwest.
        assert!(!direct("https://127.0.0.1:1/", false));
    }

    #[test]
    fn get_user_bodies_are_the_bytes_serde_json_writes() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl-_x";
        for token in [
            jwt,
            "",
            "with space",
            "quote\"and\\back",
            "tab\there",
            "é/ünïcode",
            "a/b+c=",
        ] {
            let req = GetUserRequest {
                access_token: token.into(),
            };
            assert_eq!(
                encode(&req).unwrap(),
                serde_json::to_vec(&req).unwrap(),
                "{token:?}"
            );
        }
        // The direct writer is taken for a JWT, and refuses what needs escaping.
        assert!(single_string_body("AccessToken", jwt).is_some());
        assert!(single_string_body("AccessToken", "quote\"").is_none());
        assert!(single_string_body("AccessToken", "line\nbreak").is_none());
    }

    #[test]
    fn raw_response_debug_hides_the_body() {
        let r = raw(200, br#"{"AccessToken":"secret-token"}"#);
        assert!(!format!("{r:?}").contains("secret-token"));
    }
}
