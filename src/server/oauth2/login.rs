//! `GET|POST /login` ("Login endpoint"): a minimal sign-in form. `POST` checks the password as
//! USER_PASSWORD_AUTH does and redirects to the callback with a one-time code (five minutes)
//! or, for `response_type=token`, the tokens in the fragment. The form carries a `_csrf` field
//! that must equal the `XSRF-TOKEN` cookie set with it, as Cognito's hosted UI does.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::authorize::{Authorization, ResponseType, authorization, callback, query_form};
use super::form::{non_empty, read_form};
use crate::protocol::Sensitive;
use crate::server::ops;
use crate::server::store::{AuthCode, Status, Store, random_token};
use crate::server::tokens;

/// How long an authorization code can be redeemed ("Authorize endpoint": "valid for five
/// minutes").
pub const CODE_VALIDITY_MS: i64 = 5 * 60 * 1000;

/// The cookie holding the sign-in form's CSRF token.
pub const CSRF_COOKIE: &str = "XSRF-TOKEN";

pub(super) fn html_escape(s: &str) -> String {
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
pub(super) fn login_form(status: StatusCode, raw_query: &str, error: Option<&str>) -> Response {
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

pub(super) async fn login_page(
    State(store): State<Arc<Store>>,
    RawQuery(raw): RawQuery,
) -> Response {
    match query_form(&raw).and_then(|q| authorization(&store, &q)) {
        Ok(_) => login_form(StatusCode::OK, raw.as_deref().unwrap_or(""), None),
        Err(r) => r.into_response(),
    }
}

pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(super) async fn login_submit(
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
pub(super) fn sign_in(
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
    ops::auth::check_sign_in_password(pool, &key, password, now).map_err(|e| e.message)?;
    let status = pool.with_user(&key, |u| u.status).ok_or_else(bad)?;
    if status == Status::ForceChangePassword {
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
