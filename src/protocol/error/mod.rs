//! Typed errors of a call: what the service said, or why no answer could be read.
//!
//! A JSON 1.1 error names its type in the body (`__type`, or `code` as some emulators send) or
//! in the `x-amzn-ErrorType` header (ground truth §1.5), possibly with a namespace
//! (`com.amazonaws.cognito.identityprovider.model#NotAuthorizedException`, cognito-local's
//! `CognitoLocal#NotAuthorizedException`) or a `:`-separated suffix
//! (`NotAuthorizedException:http://internal.amazon.com/...`). [`decode_error_response`] is the
//! one pure function that turns any non-2xx response into a [`CallError`]; the variants keep a
//! machine-matchable kind so conformance verdicts assert variants, not strings. The OAuth error
//! types ([`OAuthError`]: RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1) live here too, beside
//! `CallError::OAuth`; `oauth2/decode.rs` reads them from the wire.
//!
//! Nothing here keeps a whole body: excerpts of unexpected responses are short and have long
//! token-like runs masked, and JSON decode failures are described by position and field name
//! only (serde's messages may quote values).
//!
//! | file | owns |
//! |------|------|
//! | `kinds.rs` | `CallError` and the values it carries, OAuth error types included |
//! | `decode.rs` | `decode_error_response`, the server-side encoding, excerpts and JSON error descriptions |

mod decode;
mod kinds;

pub use decode::{
    ERROR_MESSAGE_HEADER, ERROR_TYPE_HEADER, EXCERPT_CHARS, REQUEST_ID_HEADER,
    decode_error_response, describe_json_error, encode_error_body, error_type_header_value,
    excerpt, request_id, sanitize_error_type,
};
pub use kinds::{
    CallError, CognitoErrorKind, ErrorTypeSource, OAuthError, OAuthErrorCode, OAuthErrorSource,
    ServiceError, TransportError, TransportErrorKind, UnexpectedReason, UnexpectedResponse,
};
