//! The OAuth error answer of every endpoint here: `{"error": ..., "error_description"?}` as
//! JSON (token, revoke, authorize pages), or the same pair in `WWW-Authenticate` for userInfo
//! (RFC 6750 §3), and the no-store JSON answer they share.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(super) const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// An OAuth error answer.
#[derive(Debug)]
pub(super) struct OAuthFailure {
    pub(super) status: u16,
    pub(super) error: &'static str,
    pub(super) description: Option<String>,
    /// userInfo carries the error in `WWW-Authenticate` (RFC 6750 §3).
    pub(super) in_header: bool,
}

impl OAuthFailure {
    pub(super) fn new(status: u16, error: &'static str) -> Self {
        OAuthFailure {
            status,
            error,
            description: None,
            in_header: false,
        }
    }
    pub(super) fn bad(error: &'static str) -> Self {
        Self::new(400, error)
    }
    pub(super) fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

impl IntoResponse for OAuthFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        if self.in_header {
            let mut value = format!("error=\"{}\"", self.error);
            if let Some(d) = &self.description {
                value.push_str(&format!(", error_description=\"{d}\""));
            }
            let mut r = status.into_response();
            if let Ok(v) = HeaderValue::from_str(&value) {
                r.headers_mut().insert(http::header::WWW_AUTHENTICATE, v);
            }
            return r;
        }
        let mut body = json!({ "error": self.error });
        if let Some(d) = self.description {
            body["error_description"] = Value::String(d);
        }
        json_response(status, &body)
    }
}

pub(super) type OAuthResult<T> = Result<T, OAuthFailure>;

pub(super) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_UTF8),
    );
    r.headers_mut().insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    r
}
