//! The OAuth 2.0 and OpenID Connect endpoints of the pool's domain. The server's endpoint is
//! also the domain of every pool on it, so a request finds its pool through its client (token,
//! revoke, authorize, login) or its access token (userInfo).
//!
//! - `POST /oauth2/token` ("Token endpoint"): `client_credentials` with resource-server scopes,
//!   `refresh_token` and `authorization_code` (with PKCE S256); `client_secret_basic` and
//!   `client_secret_post`; the guide's error codes as `{"error": ...}` with HTTP 400.
//! - `GET /oauth2/authorize` ("Authorize endpoint") checks the client, the redirect URI, the
//!   response type, the scopes and PKCE, and redirects to `GET /login` ("Login endpoint"), a
//!   minimal sign-in form. `POST /login` checks the password as USER_PASSWORD_AUTH does and
//!   redirects to the callback with a one-time code (five minutes) or, for `response_type=token`,
//!   the tokens in the fragment. The form carries a `_csrf` field that must equal the
//!   `XSRF-TOKEN` cookie set with it, as Cognito's hosted UI does.
//! - `GET|POST /oauth2/userInfo` ("UserInfo endpoint"): errors in `WWW-Authenticate`.
//! - `POST /oauth2/revoke` ("Revoke endpoint").
//! - `GET /{poolId}/.well-known/openid-configuration` (OpenID Connect Discovery).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use base64::Engine as _;
use serde_json::{Value, json};

use super::store::{AppClient, AuthCode, Pool, Store, random_token};
use super::tokens::{self, ADMIN_SCOPE};
use crate::protocol::Sensitive;
use crate::protocol::oauth2::{FORM_CONTENT_TYPE, code_challenge_s256};
use crate::protocol::ops::{ExplicitAuthFlowsType, OAuthFlowType};

/// How long an authorization code can be redeemed ("Authorize endpoint": "valid for five
/// minutes").
pub const CODE_VALIDITY_MS: i64 = 5 * 60 * 1000;

/// The cookie holding the sign-in form's CSRF token.
pub const CSRF_COOKIE: &str = "XSRF-TOKEN";

const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// The scopes that need `openid` with them ("Authorize endpoint", `scope`).
const OPENID_SCOPES: &[&str] = &["email", "phone", "profile"];

/// The OAuth routes, merged into the server's router.
pub fn routes() -> Router<Arc<Store>> {
    Router::new()
        .route("/oauth2/token", only(post(token)))
        .route("/oauth2/revoke", only(post(revoke)))
        .route("/oauth2/userInfo", only(get(user_info).post(user_info)))
        .route("/oauth2/authorize", only(get(authorize)))
        .route("/login", only(get(login_page).post(login_submit)))
        .route(
            "/{pool}/.well-known/openid-configuration",
            only(get(openid_configuration)),
        )
}

fn only(router: MethodRouter<Arc<Store>>) -> MethodRouter<Arc<Store>> {
    router.fallback(|| async {
        OAuthFailure::new(405, "invalid_request")
            .describe("HTTP method not supported by this endpoint.")
            .into_response()
    })
}

/// An OAuth error answer.
#[derive(Debug)]
struct OAuthFailure {
    status: u16,
    error: &'static str,
    description: Option<String>,
    /// userInfo carries the error in `WWW-Authenticate` (RFC 6750 §3).
    in_header: bool,
}

impl OAuthFailure {
    fn new(status: u16, error: &'static str) -> Self {
        OAuthFailure {
            status,
            error,
            description: None,
            in_header: false,
        }
    }
    fn bad(error: &'static str) -> Self {
        Self::new(400, error)
    }
    fn describe(mut self, description: impl Into<String>) -> Self {
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

type OAuthResult<T> = Result<T, OAuthFailure>;

fn json_response(status: StatusCode, body: &Value) -> Response {
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

type Form = HashMap<String, String>;

/// Decodes `application/x-www-form-urlencoded` pairs; a repeated parameter is invalid
/// (RFC 6749 §3.1).
fn parse_pairs(raw: &[u8]) -> OAuthResult<Form> {
    let mut form = Form::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        if form
            .insert(k.clone().into_owned(), v.into_owned())
            .is_some()
        {
            return Err(OAuthFailure::bad("invalid_request")
                .describe(format!("Parameter {k} is repeated.")));
        }
    }
    Ok(form)
}

/// The form body of a token or revoke request: the content type must be form encoded
/// ("Token endpoint": "Must always be 'application/x-www-form-urlencoded'").
async fn read_form(store: &Store, headers: &HeaderMap, body: Body) -> OAuthResult<Form> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(FORM_CONTENT_TYPE) {
        return Err(OAuthFailure::bad("invalid_request")
            .describe("Content-Type must be application/x-www-form-urlencoded."));
    }
    let bytes = axum::body::to_bytes(body, store.max_body_bytes)
        .await
        .map_err(|_| {
            OAuthFailure::new(413, "invalid_request").describe(format!(
                "Request body is larger than {} bytes.",
                store.max_body_bytes
            ))
        })?;
    parse_pairs(&bytes)
}

fn non_empty<'a>(form: &'a Form, name: &str) -> Option<&'a str> {
    form.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

/// Client authentication: `Authorization: Basic base64(id:secret)`, else `client_id` (and
/// `client_secret`) in the body. A client with a secret must present it.
fn authenticate(
    store: &Store,
    headers: &HeaderMap,
    form: &Form,
    status: u16,
) -> OAuthResult<(Arc<Pool>, Arc<AppClient>)> {
    let fail = || OAuthFailure::new(status, "invalid_client");
    let (id, secret) = match headers.get(http::header::AUTHORIZATION) {
        Some(value) => {
            let value = value.to_str().map_err(|_| fail())?;
            let (scheme, rest) = value.split_once(' ').ok_or_else(fail)?;
            if !scheme.eq_ignore_ascii_case("basic") {
                return Err(fail());
            }
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .map_err(|_| fail())?;
            let decoded = String::from_utf8(decoded).map_err(|_| fail())?;
            let (id, secret) = decoded.split_once(':').ok_or_else(fail)?;
            (id.to_owned(), Some(secret.to_owned()))
        }
        None => (
            non_empty(form, "client_id").ok_or_else(fail)?.to_owned(),
            form.get("client_secret").cloned(),
        ),
    };
    let (pool, client) = store.pool_of_client(&id).map_err(|_| fail())?;
    if let Some(expected) = &client.secret {
        let given = secret.as_deref().unwrap_or("");
        if !Sensitive::new(expected.as_str()).ct_eq(given) {
            return Err(fail());
        }
    }
    Ok((pool, client))
}

fn allows_oauth(client: &AppClient, flow: OAuthFlowType) -> bool {
    client.allowed_oauth_flows.contains(&flow)
}

// ---------------------------------------------------------------------------------------------
// POST /oauth2/token
// ---------------------------------------------------------------------------------------------

async fn token(State(store): State<Arc<Store>>, headers: HeaderMap, body: Body) -> Response {
    let result = match read_form(&store, &headers, body).await {
        Ok(form) => token_grant(&store, &headers, &form),
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(e) => e.into_response(),
    }
}

fn token_grant(store: &Store, headers: &HeaderMap, form: &Form) -> OAuthResult<Value> {
    let (pool, client) = authenticate(store, headers, form, 400)?;
    let grant = non_empty(form, "grant_type")
        .ok_or_else(|| OAuthFailure::bad("invalid_request").describe("grant_type is missing."))?;
    match grant {
        "client_credentials" => client_credentials(store, &pool, &client, form),
        "refresh_token" => refresh_grant(store, &pool, &client, form),
        "authorization_code" => code_grant(store, &pool, &client, form),
        _ => Err(OAuthFailure::bad("unsupported_grant_type")),
    }
}

/// The custom (resource-server) scopes `client` may request.
fn custom_scopes(pool: &Pool, client: &AppClient) -> Vec<String> {
    let servers = pool
        .resource_servers
        .read()
        .unwrap_or_else(|e| e.into_inner());
    client
        .allowed_oauth_scopes
        .iter()
        .filter(|scope| {
            servers.iter().any(|rs| {
                let Some(id) = rs.identifier.as_deref() else {
                    return false;
                };
                scope
                    .strip_prefix(id)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|name| rs.scopes.iter().flatten().any(|s| s.scope_name == name))
            })
        })
        .cloned()
        .collect()
}

fn client_credentials(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    form: &Form,
) -> OAuthResult<Value> {
    // "you have configured a client secret, and you have allowed client_credentials grants"
    if client.secret.is_none() || !allows_oauth(client, OAuthFlowType::ClientCredentials) {
        return Err(OAuthFailure::bad("unauthorized_client")
            .describe("Client is not allowed the client_credentials grant."));
    }
    if let Some(throttle) = &store.throttle
        && let Err(e) = throttle.admit(&pool.id, crate::quota::CLIENT_CREDENTIALS_OPERATION)
    {
        return Err(OAuthFailure::new(429, "too_many_requests").describe(e.message));
    }
    let allowed = custom_scopes(pool, client);
    let requested: Vec<&str> = form
        .get("scope")
        .map(|s| s.split_whitespace().collect())
        .unwrap_or_default();
    let granted = if requested.is_empty() {
        allowed.clone()
    } else {
        if let Some(bad) = requested.iter().find(|s| !allowed.iter().any(|a| a == *s)) {
            return Err(OAuthFailure::bad("invalid_scope")
                .describe(format!("Scope {bad} is not allowed for this client.")));
        }
        requested.iter().map(|s| (*s).to_owned()).collect()
    };
    if granted.is_empty() {
        return Err(OAuthFailure::bad("invalid_scope")
            .describe("The client has no custom scopes to grant."));
    }
    let access = tokens::issue_client_credentials(store, pool, client, &granted.join(" "))
        .map_err(|e| OAuthFailure::new(500, "server_error").describe(e.message))?;
    Ok(json!({
        "access_token": access,
        "expires_in": client.access_validity_secs,
        "token_type": "Bearer",
    }))
}

fn token_answer(result: crate::protocol::ops::AuthenticationResultType) -> Value {
    let mut body = serde_json::Map::new();
    if let Some(t) = result.id_token {
        body.insert("id_token".into(), Value::String(t.expose().to_owned()));
    }
    if let Some(t) = result.access_token {
        body.insert("access_token".into(), Value::String(t.expose().to_owned()));
    }
    if let Some(t) = result.refresh_token {
        body.insert("refresh_token".into(), Value::String(t.expose().to_owned()));
    }
    body.insert("token_type".into(), Value::String("Bearer".into()));
    body.insert(
        "expires_in".into(),
        json!(result.expires_in.unwrap_or_default()),
    );
    Value::Object(body)
}

fn server_error(e: super::error::ApiError) -> OAuthFailure {
    OAuthFailure::new(500, "server_error").describe(e.message)
}

fn refresh_grant(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    form: &Form,
) -> OAuthResult<Value> {
    if !client.allows(&ExplicitAuthFlowsType::AllowRefreshTokenAuth) {
        return Err(OAuthFailure::bad("unauthorized_client")
            .describe("Client is not allowed to refresh tokens."));
    }
    let token = non_empty(form, "refresh_token").ok_or_else(|| {
        OAuthFailure::bad("invalid_request").describe("refresh_token is missing.")
    })?;
    let invalid = |d: &str| OAuthFailure::bad("invalid_grant").describe(d);
    let origin = tokens::parse_refresh_token(store, token)
        .ok_or_else(|| invalid("Invalid refresh token."))?;
    let record = tokens::sign_in_record(store, &origin)
        .filter(|r| r.pool_id == pool.id && r.client_id == client.id)
        .ok_or_else(|| invalid("Invalid refresh token."))?;
    let current = pool.with_user(&record.user_key, |u| u.generation);
    if current.is_none_or(|g| record.revoked_for(g)) {
        return Err(invalid("Refresh token has been revoked"));
    }
    if store.now_ms() > record.refresh_expires_ms {
        return Err(invalid("Refresh token has expired"));
    }
    let result = pool
        .with_user(&record.user_key, |u| {
            tokens::issue(store, pool, client, u, origin, record.auth_time, None)
        })
        .ok_or_else(|| invalid("Invalid refresh token."))?
        .map_err(server_error)?;
    Ok(token_answer(result))
}

fn code_grant(store: &Store, pool: &Pool, client: &AppClient, form: &Form) -> OAuthResult<Value> {
    if !allows_oauth(client, OAuthFlowType::Code) {
        return Err(OAuthFailure::bad("unauthorized_client")
            .describe("Client is not allowed for code grant flow."));
    }
    let missing =
        |name: &str| OAuthFailure::bad("invalid_request").describe(format!("{name} is missing."));
    let code = non_empty(form, "code").ok_or_else(|| missing("code"))?;
    let redirect_uri = non_empty(form, "redirect_uri").ok_or_else(|| missing("redirect_uri"))?;
    let invalid = |d: &str| OAuthFailure::bad("invalid_grant").describe(d);
    // One-time use: the code is gone whatever the outcome below.
    let found = store.auth_codes.with(code, |m| m.remove(code));
    let grant = found
        .filter(|c| {
            c.pool_id == pool.id && c.client_id == client.id && store.now_ms() <= c.expires_ms
        })
        .ok_or_else(|| {
            invalid("Authorization code has been consumed already or does not exist.")
        })?;
    if grant.redirect_uri != redirect_uri {
        return Err(invalid(
            "redirect_uri does not match the authorization request.",
        ));
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier =
            non_empty(form, "code_verifier").ok_or_else(|| invalid("code_verifier is missing."))?;
        let computed = code_challenge_s256(verifier);
        if !Sensitive::new(computed).ct_eq(challenge) {
            return Err(invalid("code_verifier does not match the code_challenge."));
        }
    }
    let generation = pool
        .with_user(&grant.user_key, |u| u.generation)
        .ok_or_else(|| invalid("The user no longer exists."))?;
    let (origin, refresh) = tokens::new_scoped_sign_in(
        store,
        pool,
        client,
        &grant.user_key,
        generation,
        grant.auth_time,
        Some(grant.scopes.as_str().into()),
    );
    let result = pool
        .with_user(&grant.user_key, |u| {
            tokens::issue_with_nonce(
                store,
                pool,
                client,
                u,
                origin,
                grant.auth_time,
                Some(refresh),
                grant.nonce.as_deref(),
            )
        })
        .ok_or_else(|| invalid("The user no longer exists."))?
        .map_err(server_error)?;
    Ok(token_answer(result))
}

// ---------------------------------------------------------------------------------------------
// POST /oauth2/revoke
// ---------------------------------------------------------------------------------------------

async fn revoke(State(store): State<Arc<Store>>, headers: HeaderMap, body: Body) -> Response {
    let result = match read_form(&store, &headers, body).await {
        Ok(form) => revoke_token(&store, &headers, &form),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

/// "Revoke endpoint": 401 `invalid_client` for bad client credentials; 400 `invalid_request`
/// without a token or when revocation is off; 400 `unsupported_token_type` for a token that is
/// not a refresh token; 200 for a revoked or unknown token.
fn revoke_token(store: &Store, headers: &HeaderMap, form: &Form) -> OAuthResult<()> {
    let (_pool, client) = authenticate(store, headers, form, 401)?;
    let token = non_empty(form, "token")
        .ok_or_else(|| OAuthFailure::bad("invalid_request").describe("token is missing."))?;
    if !client.enable_token_revocation {
        return Err(OAuthFailure::bad("invalid_request")
            .describe("Token revocation isn't enabled for this client."));
    }
    if token.split('.').count() == 3 {
        return Err(OAuthFailure::bad("unsupported_token_type"));
    }
    // Another client's token is answered like an invalid one: 200, nothing revoked.
    tokens::revoke_refresh_token(store, token, &client.id);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// GET|POST /oauth2/userInfo
// ---------------------------------------------------------------------------------------------

async fn user_info(State(store): State<Arc<Store>>, headers: HeaderMap) -> Response {
    match user_info_body(&store, &headers) {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(e) => e.into_response(),
    }
}

/// The answers of ground truth §13.115.
fn user_info_body(store: &Store, headers: &HeaderMap) -> OAuthResult<Value> {
    let bad_request = || OAuthFailure {
        status: 400,
        error: "invalid_request",
        description: Some("Bad OAuth2 request at UserInfo Endpoint".into()),
        in_header: true,
    };
    let invalid_token = || OAuthFailure {
        status: 401,
        error: "invalid_token",
        description: Some(
            "Access token is expired, disabled, or deleted, or the user has globally signed out."
                .into(),
        ),
        in_header: true,
    };
    let value = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(bad_request)?;
    let (scheme, token) = value.split_once(' ').ok_or_else(bad_request)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(bad_request());
    }
    let checked = tokens::check_access_token(store, token.trim()).map_err(|_| invalid_token())?;
    let scoped = checked
        .claims
        .scope
        .as_deref()
        .is_some_and(|s| tokens::grants_any(s, &["openid", ADMIN_SCOPE]));
    if !scoped {
        return Err(invalid_token());
    }
    let pool = store.pool(&checked.pool_id).map_err(|_| invalid_token())?;
    let enabled = pool.with_user(&checked.user_key, |u| u.enabled);
    if enabled != Some(true) {
        return Err(invalid_token());
    }
    pool.with_user(&checked.user_key, |u| {
        let mut body = serde_json::Map::new();
        body.insert("sub".into(), Value::String(u.sub.to_string()));
        for (name, value) in &u.attributes {
            if &**name != "sub" {
                body.insert(name.to_string(), Value::String(value.to_string()));
            }
        }
        body.insert("username".into(), Value::String(u.username.to_string()));
        Value::Object(body)
    })
    .ok_or_else(invalid_token)
}

// ---------------------------------------------------------------------------------------------
// GET /oauth2/authorize, GET|POST /login
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseType {
    Code,
    Token,
}

/// A checked authorization request.
struct Authorization {
    pool: Arc<Pool>,
    client: Arc<AppClient>,
    response_type: ResponseType,
    redirect_uri: String,
    state: Option<String>,
    scopes: String,
    code_challenge: Option<String>,
    nonce: Option<String>,
}

/// Why an authorization request fails: before the redirect URI is trusted the answer is a page
/// (HTTP 400); after, the error goes to the redirect URI ("Authorize endpoint", negative
/// responses).
enum Refusal {
    Page(OAuthFailure),
    Redirect(Box<Response>),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Page(f) => f.into_response(),
            Refusal::Redirect(r) => *r,
        }
    }
}

fn redirect(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(http::header::LOCATION, v);
    }
    r.headers_mut().insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    r
}

/// `redirect_uri` with `pairs` in its query (or, for implicit grants, its fragment).
fn callback(redirect_uri: &str, pairs: &[(&str, &str)], in_fragment: bool) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return OAuthFailure::bad("invalid_request")
            .describe("redirect_uri is not an absolute URI.")
            .into_response();
    };
    if in_fragment {
        let fragment = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        url.set_fragment(Some(&fragment));
    } else {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    redirect(url.as_str())
}

fn refuse(redirect_uri: &str, error: &str, state: Option<&str>) -> Refusal {
    let mut pairs = vec![("error", error)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    Refusal::Redirect(Box::new(callback(redirect_uri, &pairs, false)))
}

fn authorization(store: &Store, query: &Form) -> Result<Authorization, Refusal> {
    let page = |error: &'static str, d: &str| Refusal::Page(OAuthFailure::bad(error).describe(d));
    let client_id = non_empty(query, "client_id")
        .ok_or_else(|| page("invalid_request", "client_id is missing."))?;
    let (pool, client) = store
        .pool_of_client(client_id)
        .map_err(|_| page("invalid_client", "No such client."))?;
    let redirect_uri = non_empty(query, "redirect_uri")
        .ok_or_else(|| page("invalid_request", "redirect_uri is missing."))?;
    if !client.callback_urls.iter().any(|u| u == redirect_uri) {
        return Err(page(
            "redirect_mismatch",
            "redirect_uri is not a callback URL of the client.",
        ));
    }
    let state = non_empty(query, "state");
    let refuse = |error: &str| refuse(redirect_uri, error, state);
    let response_type = match non_empty(query, "response_type") {
        Some("code") => ResponseType::Code,
        Some("token") => ResponseType::Token,
        _ => return Err(refuse("invalid_request")),
    };
    let flow = match response_type {
        ResponseType::Code => OAuthFlowType::Code,
        ResponseType::Token => OAuthFlowType::Implicit,
    };
    if !allows_oauth(&client, flow) {
        return Err(refuse("unauthorized_client"));
    }
    if let Some(idp) = non_empty(query, "identity_provider")
        && idp != "COGNITO"
    {
        return Err(refuse("invalid_request"));
    }
    let code_challenge = match (
        non_empty(query, "code_challenge_method"),
        non_empty(query, "code_challenge"),
    ) {
        (None, None) => None,
        (Some("S256"), Some(c)) if response_type == ResponseType::Code => Some(c.to_owned()),
        _ => return Err(refuse("invalid_request")),
    };
    let requested: Vec<&str> = query
        .get("scope")
        .map(|s| s.split_whitespace().collect())
        .unwrap_or_default();
    let scopes: Vec<&str> = if requested.is_empty() {
        client
            .allowed_oauth_scopes
            .iter()
            .map(String::as_str)
            .collect()
    } else {
        requested
    };
    if scopes.is_empty()
        || scopes
            .iter()
            .any(|s| !client.allowed_oauth_scopes.iter().any(|a| a == s))
        || (scopes.iter().any(|s| OPENID_SCOPES.contains(s)) && !scopes.contains(&"openid"))
    {
        return Err(refuse("invalid_scope"));
    }
    let scopes = scopes.join(" ");
    Ok(Authorization {
        pool,
        client,
        response_type,
        redirect_uri: redirect_uri.to_owned(),
        state: state.map(str::to_owned),
        scopes,
        code_challenge,
        nonce: non_empty(query, "nonce").map(str::to_owned),
    })
}

fn query_form(raw: &Option<String>) -> Result<Form, Refusal> {
    parse_pairs(raw.as_deref().unwrap_or("").as_bytes()).map_err(Refusal::Page)
}

async fn authorize(State(store): State<Arc<Store>>, RawQuery(raw): RawQuery) -> Response {
    let checked = query_form(&raw).and_then(|q| authorization(&store, &q));
    match checked {
        Ok(_) => redirect(&format!(
            "{}/login?{}",
            store.base_url,
            raw.unwrap_or_default()
        )),
        Err(r) => r.into_response(),
    }
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The sign-in page, with a fresh CSRF token in the form and in the `XSRF-TOKEN` cookie.
fn login_form(status: StatusCode, raw_query: &str, error: Option<&str>) -> Response {
    let csrf = random_token(32);
    let error = error
        .map(|e| {
            format!(
                "<p id=\"loginErrorMessage\" class=\"errorMessage\">{}</p>\n",
                html_escape(e)
            )
        })
        .unwrap_or_default();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signin</title></head>\n\
         <body>\n<h1>Sign in with your username and password</h1>\n{error}\
         <form name=\"cognitoSignInForm\" method=\"post\" action=\"login?{query}\">\n\
         <input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">\n\
         <label for=\"signInFormUsername\">Username</label>\n\
         <input id=\"signInFormUsername\" name=\"username\" type=\"text\" autocomplete=\"username\" required>\n\
         <label for=\"signInFormPassword\">Password</label>\n\
         <input id=\"signInFormPassword\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\n\
         <input name=\"signInSubmitButton\" type=\"submit\" value=\"Sign in\">\n\
         </form>\n</body></html>\n",
        query = html_escape(raw_query),
    );
    let mut r = (status, page).into_response();
    let h = r.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    );
    h.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Lax"
    )) {
        h.insert(http::header::SET_COOKIE, v);
    }
    r
}

async fn login_page(State(store): State<Arc<Store>>, RawQuery(raw): RawQuery) -> Response {
    match query_form(&raw).and_then(|q| authorization(&store, &q)) {
        Ok(_) => login_form(StatusCode::OK, raw.as_deref().unwrap_or(""), None),
        Err(r) => r.into_response(),
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn login_submit(
    State(store): State<Arc<Store>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let raw_query = raw.clone().unwrap_or_default();
    let request = match query_form(&raw).and_then(|q| authorization(&store, &q)) {
        Ok(r) => r,
        Err(r) => return r.into_response(),
    };
    let form = match read_form(&store, &headers, body).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let csrf_ok = match (cookie(&headers, CSRF_COOKIE), non_empty(&form, "_csrf")) {
        (Some(c), Some(f)) => Sensitive::new(c).ct_eq(f),
        _ => false,
    };
    if !csrf_ok {
        return login_form(
            StatusCode::FORBIDDEN,
            &raw_query,
            Some("Your sign-in form expired; sign in again."),
        );
    }
    let username = non_empty(&form, "username").unwrap_or("");
    let password = form.get("password").map(String::as_str).unwrap_or("");
    match sign_in(&store, &request, username, password) {
        Ok(response) => response,
        Err(message) => login_form(StatusCode::BAD_REQUEST, &raw_query, Some(&message)),
    }
}

/// Checks the password of the form and answers the redirect to the callback.
fn sign_in(
    store: &Store,
    request: &Authorization,
    username: &str,
    password: &str,
) -> Result<Response, String> {
    let pool = &request.pool;
    let client = &request.client;
    let bad = || "Incorrect username or password.".to_owned();
    let key = pool.resolve(username).ok_or_else(bad)?;
    let now = store.now_ms();
    super::ops::auth::check_sign_in_password(pool, &key, password, now).map_err(|e| e.message)?;
    let status = pool.with_user(&key, |u| u.status).ok_or_else(bad)?;
    if status == super::store::Status::ForceChangePassword {
        return Err(
            "The user must set a new password (NEW_PASSWORD_REQUIRED) before signing in here."
                .to_owned(),
        );
    }
    let auth_time = store.now_secs();
    let state = request.state.as_deref();
    match request.response_type {
        ResponseType::Code => {
            let code = random_token(32);
            let grant = AuthCode {
                pool_id: pool.id.clone(),
                client_id: client.id.clone(),
                user_key: key,
                redirect_uri: request.redirect_uri.clone(),
                scopes: request.scopes.clone(),
                code_challenge: request.code_challenge.clone(),
                nonce: request.nonce.clone(),
                auth_time,
                expires_ms: now + CODE_VALIDITY_MS,
            };
            // Unredeemed codes expire and are swept as the table grows.
            store
                .auth_codes
                .insert_expiring(code.clone(), grant, now, |c| c.expires_ms);
            let mut pairs = vec![("code", code.as_str())];
            if let Some(s) = state {
                pairs.push(("state", s));
            }
            Ok(callback(&request.redirect_uri, &pairs, false))
        }
        ResponseType::Token => {
            let generation = pool.with_user(&key, |u| u.generation).ok_or_else(bad)?;
            let (origin, _refresh) = tokens::new_scoped_sign_in(
                store,
                pool,
                client,
                &key,
                generation,
                auth_time,
                Some(request.scopes.as_str().into()),
            );
            let result = pool
                .with_user(&key, |u| {
                    tokens::issue_with_nonce(
                        store,
                        pool,
                        client,
                        u,
                        origin,
                        auth_time,
                        None,
                        request.nonce.as_deref(),
                    )
                })
                .ok_or_else(bad)?
                .map_err(|e| e.message)?;
            let expires = result.expires_in.unwrap_or_default().to_string();
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            if let Some(t) = &result.id_token {
                pairs.push(("id_token", t.expose()));
            }
            if let Some(t) = &result.access_token {
                pairs.push(("access_token", t.expose()));
            }
            pairs.push(("token_type", "Bearer"));
            pairs.push(("expires_in", &expires));
            if let Some(s) = state {
                pairs.push(("state", s));
            }
            Ok(callback(&request.redirect_uri, &pairs, true))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// GET /{poolId}/.well-known/openid-configuration
// ---------------------------------------------------------------------------------------------

async fn openid_configuration(
    State(store): State<Arc<Store>>,
    Path(pool): Path<String>,
) -> Response {
    if let Err(e) = store.pool(&pool) {
        return super::http::error_response(404, &e);
    }
    let issuer = store.issuer(&pool);
    let base = &store.base_url;
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{base}/oauth2/authorize"),
            "token_endpoint": format!("{base}/oauth2/token"),
            "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
            "revocation_endpoint": format!("{base}/oauth2/revoke"),
            "response_types_supported": ["code", "token"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }),
    )
}
