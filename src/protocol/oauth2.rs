//! The OAuth 2.0 endpoints of a user-pool domain: token, userInfo, revoke; plus the JWKS fetch.
//!
//! Developer guide, "Token endpoint": `POST /oauth2/token`, form-encoded, grant types
//! `authorization_code` (with PKCE: "Exchanging an authorization code grant with PKCE for
//! tokens"), `refresh_token` and `client_credentials`; client authentication by
//! `client_secret_basic` (`Authorization: Basic base64(client_id:client_secret)`) or
//! `client_secret_post`, and public clients send `client_id` alone. Errors are
//! `{"error": "...", "error_description"?}`. "UserInfo endpoint": `GET /oauth2/userInfo` with a
//! bearer token; errors arrive in `WWW-Authenticate`. "Revoke endpoint": `POST /oauth2/revoke`
//! with `token` and client authentication; success is an empty 200.
//!
//! Building requests and decoding responses are pure functions; the `CognitoClient` methods at
//! the end only move bytes.

use std::fmt;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use url::Url;

use super::client::{CognitoClient, RawResponse};
use super::endpoints::ConfigError;
use super::error::{CallError, decode_error_response, describe_json_error};
use super::secret_hash::AppClient;
use super::sensitive::Sensitive;

/// The form content type the OAuth endpoints require.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

string_enum! {
    /// OAuth error codes (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1) as Cognito uses them.
    OAuthErrorCode {
        InvalidRequest = "invalid_request",
        InvalidClient = "invalid_client",
        InvalidGrant = "invalid_grant",
        UnauthorizedClient = "unauthorized_client",
        UnsupportedGrantType = "unsupported_grant_type",
        InvalidScope = "invalid_scope",
        InvalidToken = "invalid_token",
        UnsupportedTokenType = "unsupported_token_type",
        AccessDenied = "access_denied",
        ServerError = "server_error",
    }
}

/// Where an OAuth error was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthErrorSource {
    /// The JSON body (token and revoke endpoints).
    Body,
    /// The `WWW-Authenticate` header (userInfo endpoint).
    WwwAuthenticate,
    /// The query of the redirect to the callback URL (authorize and login endpoints), or the
    /// sign-in page answered again instead of a redirect (`access_denied`).
    Redirect,
}

/// An OAuth error response.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthError {
    pub code: OAuthErrorCode,
    pub description: Option<String>,
    pub status: u16,
    pub source: OAuthErrorSource,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.status)?;
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

/// How the client authenticates itself at the token and revoke endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthMethod {
    /// `Authorization: Basic base64(client_id:client_secret)`. The guide's form, used whenever
    /// the client has a secret unless told otherwise.
    #[default]
    SecretBasic,
    /// `client_id` and `client_secret` in the form body.
    SecretPost,
}

/// A token-endpoint grant.
#[derive(Debug, Clone, PartialEq)]
pub enum Grant {
    /// `client_credentials`, with optional space-separated custom scopes.
    ClientCredentials { scope: Option<String> },
    /// `refresh_token`.
    RefreshToken { refresh_token: Sensitive },
    /// `authorization_code`, with the PKCE verifier when the code was requested with one.
    AuthorizationCode {
        code: Sensitive,
        redirect_uri: String,
        code_verifier: Option<Sensitive>,
    },
}

impl Grant {
    pub fn grant_type(&self) -> &'static str {
        match self {
            Grant::ClientCredentials { .. } => "client_credentials",
            Grant::RefreshToken { .. } => "refresh_token",
            Grant::AuthorizationCode { .. } => "authorization_code",
        }
    }
}

/// A form request ready to send: the form-encoded body and the optional `Authorization`
/// value. Both may hold secrets and are redacted in `Debug`.
#[derive(Debug, Clone, PartialEq)]
pub struct FormRequest {
    pub authorization: Option<Sensitive>,
    pub body: Sensitive,
}

/// `Basic base64(client_id:client_secret)`. The guide encodes the pair as is; Cognito ids and
/// generated secrets are alphanumeric, so RFC 6749's form-encoding step changes nothing.
pub fn basic_authorization(client_id: &str, client_secret: &str) -> Sensitive {
    Sensitive::new(format!(
        "Basic {}",
        STANDARD.encode(format!("{client_id}:{client_secret}"))
    ))
}

fn encode_form(pairs: &[(&str, &str)]) -> Sensitive {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    Sensitive::new(s.finish())
}

/// Client authentication for `app`: a Basic header, or form pairs. A public client sends
/// `client_id` in the form.
fn client_auth<'a>(
    app: &'a AppClient,
    method: ClientAuthMethod,
    pairs: &mut Vec<(&'static str, &'a str)>,
) -> Option<Sensitive> {
    match (&app.client_secret, method) {
        (Some(secret), ClientAuthMethod::SecretBasic) => {
            Some(basic_authorization(&app.client_id, secret.expose()))
        }
        (Some(secret), ClientAuthMethod::SecretPost) => {
            pairs.push(("client_id", &app.client_id));
            pairs.push(("client_secret", secret.expose()));
            None
        }
        (None, _) => {
            pairs.push(("client_id", &app.client_id));
            None
        }
    }
}

/// The `/oauth2/token` request for `grant`.
pub fn token_request(app: &AppClient, method: ClientAuthMethod, grant: &Grant) -> FormRequest {
    let mut pairs: Vec<(&str, &str)> = vec![("grant_type", grant.grant_type())];
    let authorization = client_auth(app, method, &mut pairs);
    match grant {
        Grant::ClientCredentials { scope } => {
            if let Some(scope) = scope {
                pairs.push(("scope", scope));
            }
        }
        Grant::RefreshToken { refresh_token } => {
            pairs.push(("refresh_token", refresh_token.expose()));
        }
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            pairs.push(("code", code.expose()));
            pairs.push(("redirect_uri", redirect_uri));
            if let Some(v) = code_verifier {
                pairs.push(("code_verifier", v.expose()));
            }
        }
    }
    FormRequest {
        authorization,
        body: encode_form(&pairs),
    }
}

/// The `/oauth2/revoke` request for a refresh token. The guide's examples send `client_id` in
/// the body for public clients and a Basic header for clients with a secret.
pub fn revoke_request(app: &AppClient, method: ClientAuthMethod, token: &str) -> FormRequest {
    let mut pairs: Vec<(&str, &str)> = vec![("token", token)];
    let authorization = client_auth(app, method, &mut pairs);
    FormRequest {
        authorization,
        body: encode_form(&pairs),
    }
}

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

/// A PKCE pair (RFC 7636): the secret verifier and its S256 challenge, the only method Cognito
/// supports (guide, "Login endpoint", `code_challenge_method`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: Sensitive,
    pub challenge: String,
}

/// A code verifier outside RFC 7636 §4.1 (43-128 characters of `[A-Za-z0-9-._~]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid PKCE code verifier: must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (got {len})"
)]
pub struct InvalidVerifier {
    pub len: usize,
}

/// `BASE64URL-NOPAD(SHA256(ASCII(verifier)))` (RFC 7636 §4.2, S256).
pub fn code_challenge_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref())
}

impl Pkce {
    pub const METHOD: &'static str = "S256";

    /// A pair from 32 bytes of caller-supplied randomness: the verifier is their base64url
    /// encoding (43 characters, 256 bits of entropy, as RFC 7636 §4.1 recommends).
    pub fn from_entropy(entropy: [u8; 32]) -> Self {
        let verifier = URL_SAFE_NO_PAD.encode(entropy);
        let challenge = code_challenge_s256(&verifier);
        Self {
            verifier: Sensitive::new(verifier),
            challenge,
        }
    }

    /// A pair for a given verifier, checked against RFC 7636 §4.1.
    pub fn from_verifier(verifier: &str) -> Result<Self, InvalidVerifier> {
        let ok_len = (43..=128).contains(&verifier.len());
        let ok_chars = verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !(ok_len && ok_chars) {
            return Err(InvalidVerifier {
                len: verifier.chars().count(),
            });
        }
        Ok(Self {
            verifier: Sensitive::new(verifier),
            challenge: code_challenge_s256(verifier),
        })
    }
}

/// The `/oauth2/authorize` URL for the code grant (guide, "Authorize endpoint"), with PKCE when
/// given. The harness follows it against targets that sign users in without a browser.
pub fn authorize_url(
    oauth_base: &Url,
    client_id: &str,
    redirect_uri: &str,
    scope: Option<&str>,
    state: Option<&str>,
    pkce: Option<&Pkce>,
) -> Url {
    let mut url = super::endpoints::join_segments(oauth_base, &["oauth2", "authorize"]);
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("client_id", client_id);
        q.append_pair("redirect_uri", redirect_uri);
        if let Some(s) = scope {
            q.append_pair("scope", s);
        }
        if let Some(s) = state {
            q.append_pair("state", s);
        }
        if let Some(p) = pkce {
            q.append_pair("code_challenge_method", Pkce::METHOD);
            q.append_pair("code_challenge", &p.challenge);
        }
    }
    url
}

fn config_error(e: ConfigError) -> CallError {
    CallError::Request(e.to_string())
}

impl CognitoClient {
    async fn post_form(&self, url: Url, form: &FormRequest) -> Result<RawResponse, CallError> {
        let mut builder = self
            .http()
            .post(url)
            .header(http::header::CONTENT_TYPE, FORM_CONTENT_TYPE)
            .header(http::header::ACCEPT, "application/json")
            .body(form.body.expose().to_owned());
        if let Some(auth) = &form.authorization {
            builder = builder.header(http::header::AUTHORIZATION, auth.expose());
        }
        self.execute(builder).await
    }

    /// `POST /oauth2/token` without decoding (for conformance checks of the raw answer).
    pub async fn oauth_token_raw(&self, form: &FormRequest) -> Result<RawResponse, CallError> {
        let url = self.config().oauth_url("token").map_err(config_error)?;
        self.post_form(url, form).await
    }

    /// `POST /oauth2/token` for `grant`, authenticating `app` with `method`.
    pub async fn oauth_token(
        &self,
        app: &AppClient,
        method: ClientAuthMethod,
        grant: &Grant,
    ) -> Result<TokenResponse, CallError> {
        let raw = self
            .oauth_token_raw(&token_request(app, method, grant))
            .await?;
        decode_token_response(&raw)
    }

    /// `GET /oauth2/userInfo` with `Authorization: Bearer <access_token>`.
    pub async fn oauth_user_info_raw(&self, access_token: &str) -> Result<RawResponse, CallError> {
        let url = self.config().oauth_url("userInfo").map_err(config_error)?;
        let builder = self.http().get(url).header(
            http::header::AUTHORIZATION,
            format!("Bearer {access_token}"),
        );
        self.execute(builder).await
    }

    /// `GET /oauth2/userInfo`, decoded.
    pub async fn oauth_user_info(&self, access_token: &str) -> Result<UserInfo, CallError> {
        let raw = self.oauth_user_info_raw(access_token).await?;
        decode_user_info_response(&raw)
    }

    /// `POST /oauth2/revoke` for a refresh token.
    pub async fn oauth_revoke(
        &self,
        app: &AppClient,
        method: ClientAuthMethod,
        refresh_token: &str,
    ) -> Result<(), CallError> {
        let url = self.config().oauth_url("revoke").map_err(config_error)?;
        let raw = self
            .post_form(url, &revoke_request(app, method, refresh_token))
            .await?;
        decode_revoke_response(&raw)
    }

    /// Fetch the JWKS document for `pool_id` and return its bytes unparsed (the `jwt` module
    /// parses them). Uses [`super::endpoints::TargetConfig::jwks_url_for`].
    pub async fn fetch_jwks(&self, pool_id: &str) -> Result<Vec<u8>, CallError> {
        let url = self.config().jwks_url_for(pool_id);
        let raw = self
            .execute(
                self.http()
                    .get(url)
                    .header(http::header::ACCEPT, "application/json"),
            )
            .await?;
        if raw.is_success() {
            Ok(raw.body)
        } else {
            Err(decode_error_response(raw.status, &raw.headers, &raw.body))
        }
    }
}

/// The authorization code a managed-login sign-in ends with.
#[derive(Debug)]
pub struct LoginRedirect {
    pub code: Sensitive,
    pub state: Option<String>,
}

/// The value of the first `<input>` named `name` in `html`.
fn input_value<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!("name=\"{name}\"");
    let at = html.find(&needle)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let len = tag[v..].find('"')?;
    Some(&tag[v..v + len])
}

/// The `action` of the first `<form>` in `html`, with `&amp;` decoded.
fn form_action(html: &str) -> Option<String> {
    let form = html.find("<form")?;
    let tag = &html[form..form + html[form..].find('>')?];
    let v = tag.find("action=\"")? + "action=\"".len();
    let len = tag[v..].find('"')?;
    Some(tag[v..v + len].replace("&amp;", "&"))
}

/// The text of the sign-in page's error message, if it shows one.
fn login_error_message(html: &str) -> Option<String> {
    let at = html.find("errorMessage")?;
    let open = at + html[at..].find('>')? + 1;
    let close = open + html[open..].find('<')?;
    let text = html[open..close].trim();
    (!text.is_empty()).then(|| text.chars().take(200).collect())
}

/// `name=value` of every `Set-Cookie`, joined for a `Cookie` header.
fn cookies(headers: &HeaderMap) -> String {
    headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::trim)
        .filter(|c| c.contains('='))
        .collect::<Vec<_>>()
        .join("; ")
}

fn login_step_error(status: u16, detail: impl Into<String>) -> CallError {
    CallError::Decode {
        operation: "managed login".to_owned(),
        status,
        detail: detail.into(),
    }
}

/// The code (or error) in a redirect to `redirect_uri`.
fn callback_result(location: &Url, status: u16) -> Result<LoginRedirect, CallError> {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in location.query_pairs() {
        match &*k {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    match (code, error) {
        (_, Some(e)) => Err(CallError::OAuth(OAuthError {
            code: OAuthErrorCode::parse(&e),
            description,
            status,
            source: OAuthErrorSource::Redirect,
        })),
        (Some(c), None) => Ok(LoginRedirect {
            code: Sensitive::new(c),
            state,
        }),
        (None, None) => Err(login_step_error(
            status,
            "the redirect to the callback URL carries neither code nor error",
        )),
    }
}

fn location(raw: &RawResponse, base: &Url) -> Result<Url, CallError> {
    let value = raw
        .header("location")
        .ok_or_else(|| login_step_error(raw.status, "a redirect without Location"))?;
    base.join(value)
        .map_err(|e| login_step_error(raw.status, format!("Location is not a URL: {e}")))
}

impl CognitoClient {
    /// Signs `username` in through managed login the way a browser does: `GET /oauth2/authorize`
    /// (a redirect to the sign-in page), `GET` the page (its form carries a `_csrf` field and
    /// sets cookies), `POST` the form with the user name and password, and read the
    /// authorization code from the redirect to `redirect_uri` ("Authorize endpoint", "Login
    /// endpoint"). A page answered again instead of a redirect is `access_denied` with the
    /// page's error message.
    pub async fn managed_login(
        &self,
        authorize: &Url,
        redirect_uri: &str,
        username: &str,
        password: &Sensitive,
    ) -> Result<LoginRedirect, CallError> {
        let is_callback = |u: &Url| u.as_str().starts_with(redirect_uri);
        let first = self.execute(self.http().get(authorize.clone())).await?;
        let login_url = match first.status {
            301 | 302 | 303 | 307 => location(&first, authorize)?,
            200 => authorize.clone(),
            _ => {
                return Err(decode_oauth_error(
                    first.status,
                    &first.headers,
                    &first.body,
                ));
            }
        };
        // An error, or a code straight away when the target keeps a sign-in session.
        if is_callback(&login_url) {
            return callback_result(&login_url, first.status);
        }
        let page = if first.status == 200 {
            first
        } else {
            self.execute(self.http().get(login_url.clone())).await?
        };
        if page.status != 200 {
            return Err(decode_oauth_error(page.status, &page.headers, &page.body));
        }
        let html = String::from_utf8_lossy(&page.body);
        let csrf = input_value(&html, "_csrf")
            .ok_or_else(|| login_step_error(page.status, "the sign-in page has no _csrf field"))?;
        let action = match form_action(&html) {
            Some(a) => login_url
                .join(&a)
                .map_err(|e| login_step_error(page.status, format!("bad form action: {e}")))?,
            None => login_url.clone(),
        };
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("_csrf", csrf)
            .append_pair("username", username)
            .append_pair("password", password.expose())
            .append_pair("signInSubmitButton", "Sign in")
            .finish();
        let mut builder = self
            .http()
            .post(action.clone())
            .header(http::header::CONTENT_TYPE, FORM_CONTENT_TYPE)
            .body(body);
        let jar = cookies(&page.headers);
        if !jar.is_empty() {
            builder = builder.header(http::header::COOKIE, jar);
        }
        let answer = self.execute(builder).await?;
        match answer.status {
            301 | 302 | 303 | 307 => {
                let to = location(&answer, &action)?;
                if !is_callback(&to) {
                    return Err(login_step_error(
                        answer.status,
                        "the sign-in form redirected somewhere other than the callback URL",
                    ));
                }
                callback_result(&to, answer.status)
            }
            status => {
                let html = String::from_utf8_lossy(&answer.body);
                Err(CallError::OAuth(OAuthError {
                    code: OAuthErrorCode::AccessDenied,
                    description: login_error_message(&html),
                    status,
                    source: OAuthErrorSource::Redirect,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_pairs(body: &Sensitive) -> Vec<(String, String)> {
        url::form_urlencoded::parse(body.expose().as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn basic_header_matches_the_guide_example() {
        // Guide, "Token endpoint": client djc98u3jiedmi283eu928, secret abcdef01234567890. The
        // guide's printed header has OCR damage (`0` for `O`); this is the correct encoding.
        assert_eq!(
            basic_authorization("djc98u3jiedmi283eu928", "abcdef01234567890").expose(),
            "Basic ZGpjOTh1M2ppZWRtaTI4M2V1OTI4OmFiY2RlZjAxMjM0NTY3ODkw"
        );
    }

    #[test]
    fn client_credentials_basic() {
        let app = AppClient::confidential("cid", "csecret");
        let req = token_request(
            &app,
            ClientAuthMethod::SecretBasic,
            &Grant::ClientCredentials {
                scope: Some("api/read api/write".into()),
            },
        );
        assert_eq!(
            req.authorization.as_ref().map(Sensitive::expose),
            Some(basic_authorization("cid", "csecret").expose())
        );
        assert_eq!(
            req.body.expose(),
            "grant_type=client_credentials&scope=api%2Fread+api%2Fwrite"
        );
    }

    #[test]
    fn refresh_secret_post() {
        let app = AppClient::confidential("cid", "csecret");
        let req = token_request(
            &app,
            ClientAuthMethod::SecretPost,
            &Grant::RefreshToken {
                refresh_token: "rt".into(),
            },
        );
        assert!(req.authorization.is_none());
        assert_eq!(
            form_pairs(&req.body),
            vec![
                ("grant_type".into(), "refresh_token".into()),
                ("client_id".into(), "cid".into()),
                ("client_secret".into(), "csecret".into()),
                ("refresh_token".into(), "rt".into()),
            ]
        );
    }

    #[test]
    fn public_client_code_with_pkce() {
        let app = AppClient::public("cid");
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let req = token_request(
            &app,
            ClientAuthMethod::SecretBasic,
            &Grant::AuthorizationCode {
                code: "AUTHORIZATION_CODE".into(),
                redirect_uri: "com.myclientapp://myclient/redirect".into(),
                code_verifier: Some(pkce.verifier.clone()),
            },
        );
        assert!(req.authorization.is_none(), "public clients send no header");
        assert_eq!(
            form_pairs(&req.body),
            vec![
                ("grant_type".into(), "authorization_code".into()),
                ("client_id".into(), "cid".into()),
                ("code".into(), "AUTHORIZATION_CODE".into()),
                (
                    "redirect_uri".into(),
                    "com.myclientapp://myclient/redirect".into()
                ),
                (
                    "code_verifier".into(),
                    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into()
                ),
            ]
        );
        assert!(!format!("{req:?}").contains("AUTHORIZATION_CODE"));
    }

    #[test]
    fn pkce_rfc7636_appendix_b() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        // Appendix B's octets are the verifier's entropy.
        let entropy = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let q = Pkce::from_entropy(entropy);
        assert_eq!(
            q.verifier.expose(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        assert_eq!(q.challenge, p.challenge);
        assert!(!format!("{q:?}").contains("dBjft"));
    }

    #[test]
    fn pkce_rejects_bad_verifiers() {
        assert!(Pkce::from_verifier("short").is_err());
        assert!(Pkce::from_verifier(&"a".repeat(129)).is_err());
        assert!(Pkce::from_verifier(&format!("{}!", "a".repeat(43))).is_err());
        assert!(Pkce::from_verifier(&"a~.-_".repeat(9)).is_ok());
    }

    #[test]
    fn revoke_forms() {
        let public = revoke_request(
            &AppClient::public("djc98u3jiedmi283eu928"),
            ClientAuthMethod::SecretBasic,
            "2YotnFZFEjr1zCsicMWpAA",
        );
        assert_eq!(
            public.body.expose(),
            "token=2YotnFZFEjr1zCsicMWpAA&client_id=djc98u3jiedmi283eu928"
        );
        assert!(public.authorization.is_none());
        let confidential = revoke_request(
            &AppClient::confidential("cid", "sec"),
            ClientAuthMethod::SecretBasic,
            "t",
        );
        assert_eq!(confidential.body.expose(), "token=t");
        assert!(confidential.authorization.is_some());
    }

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

    #[test]
    fn authorize_url_with_pkce() {
        let base = Url::parse("http://127.0.0.1:1/pool/").unwrap();
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let url = authorize_url(
            &base,
            "cid",
            "https://app/cb",
            Some("openid email"),
            Some("st"),
            Some(&pkce),
        );
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/pool/oauth2/authorize?response_type=code&client_id=cid&redirect_uri=https%3A%2F%2Fapp%2Fcb&scope=openid+email&state=st&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
