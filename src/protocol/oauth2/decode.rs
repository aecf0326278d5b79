//! Pure decoding of the OAuth2 answers: token responses, userInfo claims, revoke results, and
//! the OAuth error of any non-2xx answer (the JSON `{"error": ...}` body, else the
//! `WWW-Authenticate` header, else the JSON 1.1 error shape some emulators use).
//!
//! Developer guide: errors are `{"error": "...", "error_description"?}` ("Token endpoint");
//! "UserInfo endpoint" errors arrive in `WWW-Authenticate`; "Revoke endpoint" success is an
//! empty 200. The error types themselves live in [`crate::protocol::error`] beside
//! [`CallError`].

use std::fmt;

use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::protocol::error::{
    CallError, OAuthError, OAuthErrorCode, OAuthErrorSource, decode_error_response,
    describe_json_error,
};
use crate::protocol::response::RawResponse;
use crate::protocol::sensitive::Sensitive;

/// A successful token response.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: Sensitive,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Sensitive>,
    /// Only for `authorization_code` grants (guide, "Token endpoint").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Sensitive>,
    pub token_type: String,
    pub expires_in: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("id_token", &self.id_token)
            .field("refresh_token", &self.refresh_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Parse the OAuth error body `{"error": "...", "error_description": "..."}`.
fn oauth_error_from_body(status: u16, body: &[u8]) -> Option<OAuthError> {
    #[derive(Deserialize)]
    struct Body {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
    }
    let b: Body = serde_json::from_slice(body).ok()?;
    Some(OAuthError {
        code: OAuthErrorCode::parse(&b.error),
        description: b.error_description,
        status,
        source: OAuthErrorSource::Body,
    })
}

/// Parse a `WWW-Authenticate` value such as
/// `Bearer error="invalid_token", error_description="Access token is expired, ..."` or the
/// guide's scheme-less `error="invalid_request", error_description="..."`. Returns the
/// `error` and `error_description` parameters.
pub fn parse_www_authenticate(value: &str) -> Option<(String, Option<String>)> {
    let mut rest = value.trim();
    // An optional auth scheme: a token followed by whitespace, not by `=`.
    if let Some((first, after)) = rest.split_once(char::is_whitespace)
        && !first.contains('=')
    {
        rest = after.trim_start();
    }
    let mut error = None;
    let mut description = None;
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() {
            break;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            continue;
        }
        chars.next();
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            val.push(n);
                        }
                    }
                    '"' => break,
                    c => val.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                val.push(c);
                chars.next();
            }
            val = val.trim().to_owned();
        }
        match key.to_ascii_lowercase().as_str() {
            "error" => error = Some(val),
            "error_description" => description = Some(val),
            _ => {}
        }
    }
    error.map(|e| (e, description))
}

fn oauth_error_from_header(status: u16, headers: &HeaderMap) -> Option<OAuthError> {
    let value = headers.get("www-authenticate")?.to_str().ok()?;
    let (code, description) = parse_www_authenticate(value)?;
    Some(OAuthError {
        code: OAuthErrorCode::parse(&code),
        description,
        status,
        source: OAuthErrorSource::WwwAuthenticate,
    })
}

/// The error of a non-2xx OAuth response: the JSON `error` body, else `WWW-Authenticate`, else
/// whatever [`decode_error_response`] makes of it (emulators sometimes answer in the JSON 1.1
/// error shape).
pub fn decode_oauth_error(status: u16, headers: &HeaderMap, body: &[u8]) -> CallError {
    if let Some(e) = oauth_error_from_body(status, body) {
        return CallError::OAuth(e);
    }
    if let Some(e) = oauth_error_from_header(status, headers) {
        return CallError::OAuth(e);
    }
    decode_error_response(status, headers, body)
}

/// Decode a token-endpoint response.
pub fn decode_token_response(raw: &RawResponse) -> Result<TokenResponse, CallError> {
    if !raw.is_success() {
        return Err(decode_oauth_error(raw.status, &raw.headers, &raw.body));
    }
    serde_json::from_slice(&raw.body).map_err(|e| CallError::Decode {
        operation: "oauth2/token".to_owned(),
        status: raw.status,
        detail: describe_json_error(&e),
    })
}

/// The claims returned by `/oauth2/userInfo` (`sub`, `email`, ...).
pub type UserInfo = serde_json::Map<String, serde_json::Value>;

/// Decode a userInfo response.
pub fn decode_user_info_response(raw: &RawResponse) -> Result<UserInfo, CallError> {
    if !raw.is_success() {
        return Err(decode_oauth_error(raw.status, &raw.headers, &raw.body));
    }
    serde_json::from_slice(&raw.body).map_err(|e| CallError::Decode {
        operation: "oauth2/userInfo".to_owned(),
        status: raw.status,
        detail: describe_json_error(&e),
    })
}

/// Decode a revoke response: any 2xx is success (the body is empty).
pub fn decode_revoke_response(raw: &RawResponse) -> Result<(), CallError> {
    if raw.is_success() {
        Ok(())
    } else {
        Err(decode_oauth_error(raw.status, &raw.headers, &raw.body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, headers: &[(&'static str, &str)], body: &[u8]) -> RawResponse {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, v.parse().unwrap());
        }
        RawResponse {
            status,
            headers: h,
            body: body.to_vec(),
            timing: Default::default(),
        }
    }

    #[test]
    fn token_responses() {
        // Guide, "Exchanging an authorization code grant with PKCE for tokens".
        let ok = decode_token_response(&raw(
            200,
            &[],
            br#"{"access_token":"eyJz9sdfsdfsdfsd","refresh_token":"dn43ud8uj32nk2je","id_token":"dmcxd329ujdmkemd349r","token_type":"Bearer","expires_in":3600}"#,
        ))
        .unwrap();
        assert_eq!(ok.token_type, "Bearer");
        assert_eq!(ok.expires_in, 3600);
        assert_eq!(
            ok.refresh_token.as_ref().unwrap().expose(),
            "dn43ud8uj32nk2je"
        );
        assert!(!format!("{ok:?}").contains("eyJz9"));

        let err =
            decode_token_response(&raw(400, &[], br#"{"error":"invalid_grant"}"#)).unwrap_err();
        match err {
            CallError::OAuth(e) => {
                assert_eq!(e.code, OAuthErrorCode::InvalidGrant);
                assert_eq!(e.source, OAuthErrorSource::Body);
                assert_eq!(e.status, 400);
            }
            other => panic!("{other:?}"),
        }
        let err = decode_token_response(&raw(
            400,
            &[],
            br#"{"error":"invalid_scope","error_description":"scope not allowed"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.label(), "oauth:invalid_scope");
        // cognito-local answers its token endpoint in the JSON 1.1 error shape.
        let err = decode_token_response(&raw(
            400,
            &[],
            br#"{"code":"CognitoLocal#NotAuthorizedException","message":"User not authorized"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.label(), "NotAuthorizedException");
    }

    #[test]
    fn www_authenticate_forms() {
        // Guide, "UserInfo endpoint", both negative samples (the header folded onto one line).
        assert_eq!(
            parse_www_authenticate(
                r#"error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint""#
            ),
            Some((
                "invalid_request".into(),
                Some("Bad OAuth2 request at UserInfo Endpoint".into())
            ))
        );
        assert_eq!(
            parse_www_authenticate(
                r#"Bearer error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out.""#
            ),
            Some((
                "invalid_token".into(),
                Some(
                    "Access token is expired, disabled, or deleted, or the user has globally signed out."
                        .into()
                )
            ))
        );
        assert_eq!(
            parse_www_authenticate(r#"Bearer realm="x",error=invalid_token"#),
            Some(("invalid_token".into(), None))
        );
        assert_eq!(parse_www_authenticate("Bearer"), None);
        assert_eq!(
            parse_www_authenticate(r#"error="unterminated"#),
            Some(("unterminated".into(), None))
        );
        assert_eq!(parse_www_authenticate(""), None);
        assert_eq!(parse_www_authenticate("==,,\"\\"), None);
    }

    #[test]
    fn user_info_errors_from_header() {
        let err = decode_user_info_response(&raw(
            401,
            &[(
                "www-authenticate",
                r#"error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out.""#,
            )],
            b"",
        ))
        .unwrap_err();
        match err {
            CallError::OAuth(e) => {
                assert_eq!(e.code, OAuthErrorCode::InvalidToken);
                assert_eq!(e.source, OAuthErrorSource::WwwAuthenticate);
                assert_eq!(e.status, 401);
            }
            other => panic!("{other:?}"),
        }
        let ok = decode_user_info_response(&raw(
            200,
            &[],
            br#"{"sub":"248289761001","email":"janedoe@example.com"}"#,
        ))
        .unwrap();
        assert_eq!(ok["sub"], "248289761001");
    }
}
