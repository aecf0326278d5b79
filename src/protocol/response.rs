//! [`RawResponse`]: a complete HTTP answer as bytes (status, headers, capped body) and the
//! client's [`Timing`] of it.
//!
//! It is the input of the pure response decoders (JSON 1.1 in
//! `client.rs` (`decode_response`), OAuth2 in `oauth2/decode.rs`), so it sits below both the
//! client that produces it and the decoders that read it.

use std::fmt;
use std::time::Duration;

use http::HeaderMap;

/// Timing of one exchange, measured by the client around the HTTP stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timing {
    /// From handing the request to the HTTP stack to receiving the response head.
    pub head: Duration,
    /// From handing the request to the HTTP stack to the end of the body.
    pub total: Duration,
}

/// A complete HTTP response, body capped at `TargetConfig::max_response_bytes`.
#[derive(Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub timing: Timing,
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A header value as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl fmt::Debug for RawResponse {
    // The body may carry tokens: show its size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .field("timing", &self.timing)
            .finish()
    }
}
