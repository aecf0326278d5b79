//! The response helpers the HTTP surface (`http.rs`) and the OAuth2 endpoints (`oauth2/`) share:
//! the Cognito-shaped error answer (`__type`, `message`, `x-amzn-ErrorType` with the trailing
//! colon, `x-amzn-ErrorMessage`; ground truth §1.5) and the `x-amzn-RequestId` every answer
//! carries.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::protocol::error::{encode_error_body, error_type_header_value};
use crate::protocol::ops::CONTENT_TYPE;

/// The `x-amzn-RequestId` header.
pub const REQUEST_ID: &str = "x-amzn-requestid";

/// Adds a fresh `x-amzn-RequestId` to an answer that has none.
pub async fn add_request_id(mut response: Response) -> Response {
    if !response.headers().contains_key(REQUEST_ID)
        && let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
    {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    response
}

/// A Cognito-shaped error response.
pub fn error_response(status: u16, error: &ApiError) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, encode_error_body(error.kind, &error.message)).into_response();
    let h = response.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE),
    );
    if let Ok(v) = HeaderValue::from_str(&error_type_header_value(error.kind)) {
        h.insert("x-amzn-errortype", v);
    }
    let ascii: String = error
        .message
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&ascii) {
        h.insert("x-amzn-errormessage", v);
    }
    response
}
