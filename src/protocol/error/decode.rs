//! Pure decoding of any non-2xx response into a [`CallError`] ([`decode_error_response`]), the
//! encoding servers answer with ([`encode_error_body`]), and the helpers that keep bodies out of
//! errors ([`excerpt`], [`describe_json_error`]).

use http::HeaderMap;

use super::kinds::{
    CallError, CognitoErrorKind, ErrorTypeSource, ServiceError, UnexpectedReason,
    UnexpectedResponse,
};

/// Header carrying the error type when the body does not (ground truth §1.5).
pub const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";
/// Header carrying the error message on some responses.
pub const ERROR_MESSAGE_HEADER: &str = "x-amzn-errormessage";
/// Header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

/// Longest excerpt of an unexpected body kept in an error, in characters.
pub const EXCERPT_CHARS: usize = 160;

/// The JSON 1.1 error body real Cognito sends: `{"__type":"<Type>","message":"<message>"}`.
/// For servers (the reference target, test stubs) so they answer in the shape
/// [`decode_error_response`] reads.
pub fn encode_error_body(error_type: &str, message: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "__type": error_type, "message": message }))
        .unwrap_or_default()
}

/// The `x-amzn-ErrorType` header value for `error_type`, with the trailing colon real Cognito
/// sends (ground truth §1.5).
pub fn error_type_header_value(error_type: &str) -> String {
    format!("{error_type}:")
}

/// Strip a namespace (`ns#Name`) and a suffix (`Name:url`) from an error type, as the AWS JSON
/// protocols prescribe: the part before the first `:`, then the part after the last `#`.
pub fn sanitize_error_type(raw: &str) -> &str {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    let name = before_colon.rsplit('#').next().unwrap_or(before_colon);
    name.trim()
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The `x-amzn-RequestId` (or `x-amz-request-id`) header.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    header_str(headers, REQUEST_ID_HEADER)
        .or_else(|| header_str(headers, "x-amz-request-id"))
        .map(str::to_owned)
}

/// Decode a non-2xx JSON 1.1 response into a [`CallError`]: a [`ServiceError`] when the body or
/// the headers name an error type, otherwise an [`UnexpectedResponse`]. The body type wins over
/// the header, as the header may be absent or generic behind proxies.
pub fn decode_error_response(status: u16, headers: &HeaderMap, body: &[u8]) -> CallError {
    let request_id = request_id(headers);
    let content_type = header_str(headers, "content-type").map(str::to_owned);
    let parsed: Option<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(body).ok();

    let str_field = |keys: &[&str]| -> Option<String> {
        let obj = parsed.as_ref()?;
        keys.iter()
            .find_map(|k| obj.get(*k).and_then(|v| v.as_str()))
            .map(str::to_owned)
    };

    let body_type = str_field(&["__type"])
        .map(|t| (t, ErrorTypeSource::BodyType))
        .or_else(|| str_field(&["code"]).map(|t| (t, ErrorTypeSource::BodyCode)));
    let typed = body_type
        .filter(|(t, _)| !sanitize_error_type(t).is_empty())
        .or_else(|| {
            header_str(headers, ERROR_TYPE_HEADER)
                .filter(|t| !sanitize_error_type(t).is_empty())
                .map(|t| (t.to_owned(), ErrorTypeSource::Header))
        });

    if let Some((raw_type, type_source)) = typed {
        let message = str_field(&["message", "Message", "errorMessage"])
            .or_else(|| header_str(headers, ERROR_MESSAGE_HEADER).map(str::to_owned));
        return CallError::Service(ServiceError {
            kind: CognitoErrorKind::parse(sanitize_error_type(&raw_type)),
            raw_type,
            type_source,
            message,
            status,
            request_id,
        });
    }

    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        UnexpectedReason::EmptyBody
    } else if parsed.is_some() || serde_json::from_slice::<serde_json::Value>(body).is_ok() {
        UnexpectedReason::NoErrorType
    } else {
        UnexpectedReason::NotJson
    };
    CallError::Unexpected(UnexpectedResponse {
        status,
        reason,
        content_type,
        excerpt: excerpt(body),
        request_id,
    })
}

/// A short, printable excerpt of an untrusted body: at most [`EXCERPT_CHARS`] characters,
/// whitespace runs collapsed, control characters dropped, and any run of 24 or more
/// token-alphabet characters (JWTs, base64 secrets, hex keys) replaced by `[masked]`.
pub fn excerpt(body: &[u8]) -> String {
    const MASK_RUN: usize = 24;
    // Never look at more than a few KiB: the excerpt is short anyway.
    let head = &body[..body.len().min(4096)];
    let text = String::from_utf8_lossy(head);

    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= MASK_RUN {
            out.push_str("[masked]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    let mut last_space = true;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | '+' | '/') {
            run.push(c);
            last_space = false;
            continue;
        }
        flush(&mut run, &mut out);
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else if !c.is_control() {
            out.push(c);
            last_space = false;
        }
        if out.chars().count() >= EXCERPT_CHARS {
            break;
        }
    }
    flush(&mut run, &mut out);
    let trimmed = out.trim();
    if trimmed.chars().count() > EXCERPT_CHARS {
        let mut cut: String = trimmed.chars().take(EXCERPT_CHARS).collect();
        cut.push('…');
        cut
    } else {
        trimmed.to_owned()
    }
}

/// Describe a JSON decode failure without quoting values: serde's own message for missing or
/// unknown fields (which name only fields), otherwise the category and position.
pub fn describe_json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("missing field") || msg.starts_with("unknown field") {
        return msg;
    }
    let category = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected type or value",
        serde_json::error::Category::Eof => "unexpected end of input (truncated body?)",
    };
    format!("{category} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn service(e: CallError) -> ServiceError {
        match e {
            CallError::Service(s) => s,
            other => panic!("expected a service error, got {other:?}"),
        }
    }

    fn unexpected(e: CallError) -> UnexpectedResponse {
        match e {
            CallError::Unexpected(u) => u,
            other => panic!("expected an unexpected response, got {other:?}"),
        }
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/protocol/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn sanitizes_namespaces_and_suffixes() {
        assert_eq!(
            sanitize_error_type(
                "com.amazonaws.cognito.identityprovider.model#NotAuthorizedException"
            ),
            "NotAuthorizedException"
        );
        assert_eq!(
            sanitize_error_type("NotAuthorizedException:"),
            "NotAuthorizedException"
        );
        assert_eq!(
            sanitize_error_type(
                "NotAuthorizedException:http://internal.amazon.com/coral/com.amazonaws.cognito.identityprovider.model/"
            ),
            "NotAuthorizedException"
        );
        assert_eq!(
            sanitize_error_type("aws.protocoltests#FooError:http://x/y"),
            "FooError"
        );
        assert_eq!(
            sanitize_error_type("CognitoLocal#Unsupported"),
            "Unsupported"
        );
    }

    #[test]
    fn moto_body_and_header() {
        // moto's JsonRESTError: `{"__type": ..., "message": ...}` plus X-Amzn-ErrorType.
        let e = service(decode_error_response(
            400,
            &headers(&[
                ("x-amzn-errortype", "NotAuthorizedException"),
                ("content-type", "application/json"),
            ]),
            &fixture("moto_not_authorized.json"),
        ));
        assert_eq!(e.kind, CognitoErrorKind::NotAuthorizedException);
        assert_eq!(e.type_source, ErrorTypeSource::BodyType);
        assert_eq!(
            e.message.as_deref(),
            Some("Incorrect username or password.")
        );
        assert_eq!(e.status, 400);
    }

    #[test]
    fn cognito_local_namespaced_type() {
        // cognito-local: `{"__type":"CognitoLocal#<Code>","message":...}`, status 400, no header.
        let e = service(decode_error_response(
            400,
            &HeaderMap::new(),
            &fixture("cognito_local_user_not_found.json"),
        ));
        assert_eq!(e.kind, CognitoErrorKind::UserNotFoundException);
        assert_eq!(e.raw_type, "CognitoLocal#UserNotFoundException");
        assert_eq!(e.message.as_deref(), Some("User not found"));
    }

    #[test]
    fn cognito_local_code_member() {
        // cognito-local's token endpoint: `{"code":..., "message":...}`.
        let e = service(decode_error_response(
            400,
            &HeaderMap::new(),
            br#"{"code":"CognitoLocal#InvalidParameterException","message":"Invalid parameter"}"#,
        ));
        assert_eq!(e.kind, CognitoErrorKind::InvalidParameterException);
        assert_eq!(e.type_source, ErrorTypeSource::BodyCode);
    }

    #[test]
    fn aws_namespaced_type_with_capital_message_and_request_id() {
        let e = service(decode_error_response(
            400,
            &headers(&[
                ("x-amzn-requestid", "5a3d8f5e-1111-2222-3333-444455556666"),
                ("x-amzn-errortype", "UserNotConfirmedException:"),
            ]),
            &fixture("aws_namespaced_user_not_confirmed.json"),
        ));
        assert_eq!(e.kind, CognitoErrorKind::UserNotConfirmedException);
        assert_eq!(e.message.as_deref(), Some("User is not confirmed."));
        assert_eq!(
            e.request_id.as_deref(),
            Some("5a3d8f5e-1111-2222-3333-444455556666")
        );
    }

    #[test]
    fn header_only_error() {
        let e = service(decode_error_response(
            400,
            &headers(&[
                (
                    "x-amzn-errortype",
                    "ExpiredCodeException:http://internal.amazon.com/coral/com.amazonaws.cognito.identityprovider.model/",
                ),
                (
                    "x-amzn-errormessage",
                    "Invalid code provided, please request a code again.",
                ),
            ]),
            b"",
        ));
        assert_eq!(e.kind, CognitoErrorKind::ExpiredCodeException);
        assert_eq!(e.type_source, ErrorTypeSource::Header);
        assert_eq!(
            e.message.as_deref(),
            Some("Invalid code provided, please request a code again.")
        );
    }

    #[test]
    fn unknown_exception_is_kept_verbatim() {
        let e = service(decode_error_response(
            500,
            &HeaderMap::new(),
            br#"{"__type":"CognitoLocal#Unsupported","message":"Cognito Local unsupported feature: x"}"#,
        ));
        assert_eq!(e.kind, CognitoErrorKind::Other("Unsupported".into()));
        assert_eq!(CallError::Service(e).label(), "Unsupported");
    }

    #[test]
    fn html_502_is_not_json() {
        let u = unexpected(decode_error_response(
            502,
            &headers(&[("content-type", "text/html")]),
            &fixture("html_502.html"),
        ));
        assert_eq!(u.reason, UnexpectedReason::NotJson);
        assert_eq!(u.status, 502);
        assert_eq!(u.content_type.as_deref(), Some("text/html"));
        assert!(u.excerpt.contains("502 Bad Gateway"), "{}", u.excerpt);
        assert!(u.excerpt.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn empty_500() {
        let err = decode_error_response(500, &HeaderMap::new(), b"");
        assert_eq!(err.label(), "unexpected:empty_body");
        let u = unexpected(err);
        assert_eq!(u.reason, UnexpectedReason::EmptyBody);
        assert_eq!(u.excerpt, "");
    }

    #[test]
    fn json_without_type() {
        let u = unexpected(decode_error_response(
            400,
            &HeaderMap::new(),
            br#"{"message":"Missing x-amz-target header"}"#,
        ));
        assert_eq!(u.reason, UnexpectedReason::NoErrorType);
        assert!(u.excerpt.contains("Missing x-amz-target header"));
    }

    #[test]
    fn encoded_errors_decode_back() {
        let mut h = HeaderMap::new();
        h.insert(
            ERROR_TYPE_HEADER,
            HeaderValue::from_str(&error_type_header_value("UsernameExistsException")).unwrap(),
        );
        let body = encode_error_body("UsernameExistsException", "User already exists");
        assert_eq!(
            body,
            br#"{"__type":"UsernameExistsException","message":"User already exists"}"#
        );
        let e = service(decode_error_response(400, &h, &body));
        assert_eq!(e.kind, CognitoErrorKind::UsernameExistsException);
        assert_eq!(e.message.as_deref(), Some("User already exists"));
        let header_only = service(decode_error_response(400, &h, b""));
        assert_eq!(header_only.kind, CognitoErrorKind::UsernameExistsException);
    }

    #[test]
    fn body_type_wins_over_header() {
        let e = service(decode_error_response(
            400,
            &headers(&[("x-amzn-errortype", "InternalFailure")]),
            br#"{"__type":"CodeMismatchException","message":"Invalid verification code provided, please try again."}"#,
        ));
        assert_eq!(e.kind, CognitoErrorKind::CodeMismatchException);
    }

    #[test]
    fn excerpt_masks_token_like_runs_and_controls() {
        let body =
            b"<p>token eyJraWQiOiJhYmMiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig\x07 here</p>";
        let ex = excerpt(body);
        assert!(!ex.contains("eyJ"), "{ex}");
        assert!(ex.contains("[masked]"), "{ex}");
        assert!(!ex.contains('\x07'));
        let long = "x ".repeat(1000);
        assert!(excerpt(long.as_bytes()).chars().count() <= EXCERPT_CHARS + 1);
        // Invalid UTF-8 never panics.
        let _ = excerpt(&[0xff, 0xfe, 0x00, 0xc3]);
    }

    #[test]
    fn json_error_descriptions_do_not_quote_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            a: bool,
        }
        let e = serde_json::from_str::<T>(r#"{"a":"secret-value"}"#).unwrap_err();
        let d = describe_json_error(&e);
        assert!(!d.contains("secret-value"), "{d}");
        let e = serde_json::from_str::<T>("{}").unwrap_err();
        assert!(describe_json_error(&e).contains("missing field `a`"));
        let e = serde_json::from_str::<T>(r#"{"a":tr"#).unwrap_err();
        assert!(describe_json_error(&e).contains("truncated"));
    }
}
