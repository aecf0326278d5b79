//! Cross-origin answers, so that browser clients (Amplify JS, amazon-cognito-identity-js in a
//! page, a managed-login page on another origin) can call `serve` as they call Cognito.
//!
//! What the real endpoint answers, and where that comes from:
//! - A preflight `OPTIONS /` to `cognito-idp.us-east-1.amazonaws.com` answers `200` with an empty
//!   body, `access-control-allow-origin: *`, `access-control-allow-headers` echoing the
//!   requested headers verbatim, `access-control-allow-methods: POST` (what the preflight asked
//!   for; ⚠ only a POST preflight was captured, so the requested method is echoed, which also lets
//!   a page send `GET /oauth2/userInfo` with an `Authorization` header),
//!   `access-control-expose-headers: x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date`
//!   and `access-control-max-age: 172800`: a captured answer in the AWS SDK team's CORS survey of
//!   every service endpoint, github.com/AllanZhengYP/cors-test `output.md` (2021-02-16, commit
//!   79b2242), cognito-idp entry.
//! - Answers to the calls themselves carry `Access-Control-Allow-Origin: *` and the same
//!   `Access-Control-Expose-Headers` (a `GetUser` answer to aws-amplify 5.0.4 in Firefox captured
//!   on 11 Aug 2023 in a public write-up on misconfigured Cognito attributes; the issue "Fidelity
//!   to real Cognito" quotes the same pair), so a page can read
//!   `x-amzn-ErrorType` on a failed call.
//! - The managed-login (hosted UI) endpoints: "Amazon Cognito returns an
//!   `Access-Control-Allow-Origin: *` response header to all requests" (developer guide,
//!   "Configure a domain", the note under "To view your sign-in page"). No
//!   capture of a preflight to `/oauth2/token` was found, so it is answered as the API host's is.
//!
//! tower-http's `CorsLayer` cannot say this exactly (it lower-cases and re-joins the exposed
//! names and sends them only on non-preflight answers), so this is a small layer of its own.
//! No `Vary` is added: the origin does not change the answer, and the captured answers have none.
//! The layer wraps everything `serve` answers, fault-injected errors included, since a browser
//! that gets an answer without `Access-Control-Allow-Origin` reports a network error instead of
//! the status and error type.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::respond::add_request_id;

/// `Access-Control-Max-Age` of a preflight answer, in seconds (cors-test capture).
pub const PREFLIGHT_MAX_AGE: &str = "172800";

/// `Access-Control-Expose-Headers` of every answer, byte for byte as the real endpoint sends it.
pub const EXPOSED_HEADERS: &str = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";

/// The middleware: an `OPTIONS` request is a preflight and answered here (it reaches no route);
/// every other answer gets the allow-origin and expose-headers pair.
pub async fn cors(request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        return add_request_id(preflight(request.headers())).await;
    }
    let mut response = next.run(request).await;
    allow_any_origin(response.headers_mut());
    response
}

/// `200`, empty, allowing the requested method and headers from any origin.
fn preflight(request: &HeaderMap) -> Response {
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    allow_any_origin(h);
    // The real endpoint echoes the requested headers verbatim (case kept) and the method.
    if let Some(v) = request.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
    }
    if let Some(v) = request.get(header::ACCESS_CONTROL_REQUEST_METHOD) {
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v.clone());
    }
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    response
}

fn allow_any_origin(h: &mut HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
}
