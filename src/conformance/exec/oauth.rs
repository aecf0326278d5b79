//! The OAuth 2.0 steps: a request to the token, userInfo or revoke endpoint (`oauth`), and a
//! managed-login sign-in through the authorize endpoint (`login`).

use serde_json::{Value, json};

use super::vars::CaseVars;
use crate::conformance::case::{Case, LoginStep, OAuthAuth, OAuthEndpoint, OAuthStep};
use crate::conformance::target::{Answer, Fixture};
use crate::protocol::{CallError, CognitoClient};

pub(super) async fn do_oauth(
    fixture: &Fixture,
    case: &Case,
    step: &OAuthStep,
    vars: &CaseVars<'_>,
) -> Result<Answer, String> {
    send_http(&fixture.client, &prepare_oauth(fixture, case, step, vars)?).await
}

/// A request to an OAuth 2.0 endpoint, ready to send on any connection.
#[derive(Debug, Clone)]
pub(super) struct HttpRequest {
    url: url::Url,
    /// The form (POST); `None` for a GET.
    form: Option<String>,
    content_type: String,
    /// `Authorization` headers in order (client authentication, then a bearer token).
    authorization: Vec<String>,
}

pub(super) async fn send_http(client: &CognitoClient, req: &HttpRequest) -> Result<Answer, String> {
    let http = client.http();
    let mut builder = match &req.form {
        None => http.get(req.url.clone()),
        Some(form) => http
            .post(req.url.clone())
            .header(http::header::CONTENT_TYPE, req.content_type.as_str())
            .body(form.clone()),
    };
    for a in &req.authorization {
        builder = builder.header(http::header::AUTHORIZATION, a.as_str());
    }
    client
        .execute(builder)
        .await
        .map(Answer::from_raw)
        .map_err(|e| e.to_string())
}

/// The request of an `oauth` step: client authentication, form and bearer token expanded.
pub(super) fn prepare_oauth(
    fixture: &Fixture,
    case: &Case,
    step: &OAuthStep,
    vars: &CaseVars<'_>,
) -> Result<HttpRequest, String> {
    let client_name = step.client.unwrap_or(case.client);
    let client = vars
        .pool
        .clients
        .get(&client_name)
        .ok_or("no such client")?
        .clone()?;
    let auth = step.auth.unwrap_or(if client.secret.is_some() {
        OAuthAuth::Basic
    } else {
        OAuthAuth::None
    });
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in &step.form {
        pairs.push((k.clone(), vars.expand(v).map_err(|e| e.to_string())?));
    }
    let mut authorization = Vec::new();
    match auth {
        OAuthAuth::Basic | OAuthAuth::BasicWrongSecret => {
            let secret = client.secret.clone().unwrap_or_default();
            let secret = if auth == OAuthAuth::BasicWrongSecret {
                format!("{secret}x")
            } else {
                secret
            };
            authorization.push(
                crate::protocol::oauth2::basic_authorization(&client.id, &secret)
                    .expose()
                    .to_owned(),
            );
        }
        OAuthAuth::Post => {
            pairs.push(("client_id".to_owned(), client.id.clone()));
            if let Some(s) = &client.secret {
                pairs.push(("client_secret".to_owned(), s.clone()));
            }
        }
        OAuthAuth::None => {}
    }
    let endpoint = match step.endpoint {
        OAuthEndpoint::Token => "token",
        OAuthEndpoint::UserInfo => "userInfo",
        OAuthEndpoint::Revoke => "revoke",
    };
    let url = fixture
        .client
        .config()
        .oauth_url(endpoint)
        .map_err(|e| e.to_string())?;
    if let Some(b) = &step.bearer {
        let token = vars.expand(b).map_err(|e| e.to_string())?;
        authorization.push(format!("Bearer {token}"));
    }
    let form = (step.endpoint != OAuthEndpoint::UserInfo).then(|| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish()
    });
    Ok(HttpRequest {
        url,
        form,
        content_type: step
            .content_type
            .clone()
            .unwrap_or_else(|| crate::protocol::oauth2::FORM_CONTENT_TYPE.to_owned()),
        authorization,
    })
}

pub(super) async fn do_login(
    fixture: &Fixture,
    case: &Case,
    step: &LoginStep,
    vars: &CaseVars<'_>,
) -> Result<Answer, String> {
    use crate::protocol::oauth2::{Pkce, authorize_url};
    let client = vars
        .pool
        .clients
        .get(&case.client)
        .ok_or("no such client")?
        .clone()?;
    let username = vars.expand(&step.username).map_err(|e| e.to_string())?;
    let password = vars.expand(&step.password).map_err(|e| e.to_string())?;
    let scope = match &step.scope {
        Some(s) => Some(vars.expand(s).map_err(|e| e.to_string())?),
        None => None,
    };
    let pkce = step.pkce.then(|| Pkce::from_entropy(rand::random()));
    let state = format!("ch{:016x}", rand::random::<u64>());
    let base = fixture
        .client
        .config()
        .oauth_base
        .clone()
        .ok_or("the target has no OAuth domain")?;
    let url = authorize_url(
        &base,
        &client.id,
        &step.redirect_uri,
        scope.as_deref(),
        Some(&state),
        pkce.as_ref(),
    );
    let result = fixture
        .client
        .managed_login(
            &url,
            &step.redirect_uri,
            &username,
            &crate::protocol::Sensitive::new(password),
        )
        .await;
    let mut body = serde_json::Map::new();
    let status = match result {
        Ok(redirect) => {
            body.insert("code".into(), json!(redirect.code.expose()));
            if let Some(s) = redirect.state {
                body.insert("state".into(), json!(s));
            }
            body.insert(
                "state_matches".into(),
                json!(body.get("state") == Some(&json!(state))),
            );
            if let Some(p) = &pkce {
                body.insert("code_verifier".into(), json!(p.verifier.expose()));
            }
            200
        }
        Err(CallError::OAuth(e)) => {
            body.insert("error".into(), json!(e.code.as_str()));
            if let Some(d) = e.description {
                body.insert("error_description".into(), json!(d));
            }
            e.status
        }
        Err(e) => return Err(e.to_string()),
    };
    Ok(Answer {
        status,
        headers: http::HeaderMap::new(),
        body: Value::Object(body),
    })
}
