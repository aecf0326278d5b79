//! Pure encoding of the OAuth2 requests: client authentication (`client_secret_basic`,
//! `client_secret_post`, public clients), the `/oauth2/token` form of each grant, the
//! `/oauth2/revoke` form and the `/oauth2/authorize` URL.
//!
//! Developer guide, "Token endpoint": form-encoded bodies, `Authorization: Basic
//! base64(client_id:client_secret)` or the pair in the body, and public clients send
//! `client_id` alone. No I/O here; `calls.rs` sends what these functions build.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use url::Url;

use super::pkce::Pkce;
use crate::protocol::endpoints::join_segments;
use crate::protocol::secret_hash::AppClient;
use crate::protocol::sensitive::Sensitive;

/// The form content type the OAuth endpoints require.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

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
    let mut url = join_segments(oauth_base, &["oauth2", "authorize"]);
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
