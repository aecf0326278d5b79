//! `GET /oauth2/authorize` ("Authorize endpoint"): checks the client, the redirect URI, the
//! response type, the scopes and PKCE, then redirects to the sign-in page. Before the redirect
//! URI is trusted a refusal is a page; after, it goes to the redirect URI. The checked request
//! and the callback redirect are shared with the login form (`login.rs`).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::failure::OAuthFailure;
use super::form::{Form, allows_oauth, non_empty, parse_pairs};
use crate::protocol::ops::OAuthFlowType;
use crate::server::store::{AppClient, Pool, Store};

/// The scopes that need `openid` with them ("Authorize endpoint", `scope`).
pub(super) const OPENID_SCOPES: &[&str] = &["email", "phone", "profile"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResponseType {
    Code,
    Token,
}

/// A checked authorization request.
pub(super) struct Authorization {
    pub(super) pool: Arc<Pool>,
    pub(super) client: Arc<AppClient>,
    pub(super) response_type: ResponseType,
    pub(super) redirect_uri: String,
    pub(super) state: Option<String>,
    pub(super) scopes: String,
    pub(super) code_challenge: Option<String>,
    pub(super) nonce: Option<String>,
}

/// Why an authorization request fails: before the redirect URI is trusted the answer is a page
/// (HTTP 400); after, the error goes to the redirect URI ("Authorize endpoint", negative
/// responses).
pub(super) enum Refusal {
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

pub(super) fn redirect(location: &str) -> Response {
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
pub(super) fn callback(redirect_uri: &str, pairs: &[(&str, &str)], in_fragment: bool) -> Response {
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

pub(super) fn refuse(redirect_uri: &str, error: &str, state: Option<&str>) -> Refusal {
    let mut pairs = vec![("error", error)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    Refusal::Redirect(Box::new(callback(redirect_uri, &pairs, false)))
}

pub(super) fn authorization(store: &Store, query: &Form) -> Result<Authorization, Refusal> {
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

pub(super) fn query_form(raw: &Option<String>) -> Result<Form, Refusal> {
    parse_pairs(raw.as_deref().unwrap_or("").as_bytes()).map_err(Refusal::Page)
}

pub(super) async fn authorize(
    State(store): State<Arc<Store>>,
    RawQuery(raw): RawQuery,
) -> Response {
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
