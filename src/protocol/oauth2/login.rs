//! Managed login as a browser does it: `GET /oauth2/authorize`, the sign-in page and its
//! `_csrf` field and cookies, `POST` of the form, and the authorization code (or error) in the
//! redirect to the callback URL (developer guide, "Authorize endpoint", "Login endpoint").
//!
//! The HTML and redirect reading are small pure helpers; [`CognitoClient::managed_login`] moves
//! the bytes.

use http::HeaderMap;
use url::Url;

use super::decode::decode_oauth_error;
use super::form::FORM_CONTENT_TYPE;
use crate::protocol::client::CognitoClient;
use crate::protocol::error::{CallError, OAuthError, OAuthErrorCode, OAuthErrorSource};
use crate::protocol::response::RawResponse;
use crate::protocol::sensitive::Sensitive;

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
