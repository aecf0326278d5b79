//! The reference server's OAuth 2.0 endpoints end to end over real HTTP: managed login with
//! PKCE through the project's client (authorize, the sign-in form, the code exchange), the
//! claims of the tokens it yields, one-time and expiring codes, the implicit grant, the CSRF
//! check of the form, refresh and revocation at the token and revoke endpoints, userInfo, and
//! client_credentials scopes.

mod server_support;

use std::time::Duration;

use cognito_harness::jwt::{AcceptedTokenUse, KeySet, VerifyPolicy, verify_token};
use cognito_harness::protocol::oauth2::{ClientAuthMethod, Grant, Pkce, authorize_url};
use cognito_harness::protocol::ops::*;
use cognito_harness::protocol::sigv4::static_credentials;
use cognito_harness::protocol::{AppClient, CallError, CognitoClient, Sensitive, TargetConfig};
use server_support::*;
use url::Url;

const CALLBACK: &str = "https://app.example.com/callback";

struct OAuthFixture {
    h: Harness,
    oauth: CognitoClient,
    pool_id: String,
    app: AppClient,
    base: Url,
}

async fn fixture(flows: Vec<OAuthFlowType>, scopes: &[&str]) -> OAuthFixture {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h
        .app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "web".into(),
            generate_secret: Some(false),
            explicit_auth_flows: Some(vec![
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ]),
            allowed_oauth_flows: Some(flows),
            allowed_oauth_scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
            allowed_oauth_flows_user_pool_client: Some(true),
            callback_urls: Some(vec![CALLBACK.into()]),
            enable_token_revocation: Some(true),
            ..Default::default()
        })
        .await;
    h.confirmed_user(&pool_id, &app, "alice").await;
    let endpoint = h.server.endpoint().to_owned();
    let mut target = TargetConfig::local(&endpoint)
        .unwrap()
        .oauth_base(&endpoint)
        .unwrap();
    target.credentials = Some(static_credentials("AKIDTEST", "test-secret", None));
    let oauth = CognitoClient::new(target).unwrap();
    OAuthFixture {
        h,
        oauth,
        pool_id,
        app,
        base: Url::parse(&endpoint).unwrap(),
    }
}

fn pkce() -> Pkce {
    Pkce::from_entropy(rand::random())
}

fn oauth_code(e: &CallError) -> String {
    match e {
        CallError::OAuth(o) => o.code.as_str().to_owned(),
        other => panic!("expected an OAuth error, got {other}"),
    }
}

impl OAuthFixture {
    fn authorize(&self, scope: Option<&str>, pkce: Option<&Pkce>) -> Url {
        authorize_url(
            &self.base,
            &self.app.client_id,
            CALLBACK,
            scope,
            Some("st-123"),
            pkce,
        )
    }

    async fn login(
        &self,
        scope: Option<&str>,
        pkce: Option<&Pkce>,
        password: &str,
    ) -> Result<cognito_harness::protocol::oauth2::LoginRedirect, CallError> {
        self.oauth
            .managed_login(
                &self.authorize(scope, pkce),
                CALLBACK,
                "alice",
                &Sensitive::new(password),
            )
            .await
    }

    async fn exchange(
        &self,
        code: &Sensitive,
        verifier: Option<&Sensitive>,
    ) -> Result<cognito_harness::protocol::oauth2::TokenResponse, CallError> {
        self.oauth
            .oauth_token(
                &self.app,
                ClientAuthMethod::SecretBasic,
                &Grant::AuthorizationCode {
                    code: code.clone(),
                    redirect_uri: CALLBACK.into(),
                    code_verifier: verifier.cloned(),
                },
            )
            .await
    }

    async fn keys(&self) -> KeySet {
        KeySet::from_jwks_json(&self.h.client.fetch_jwks(&self.pool_id).await.unwrap()).unwrap()
    }

    fn issuer(&self) -> String {
        format!(
            "{}/{}",
            self.h.server.endpoint().trim_end_matches('/'),
            self.pool_id
        )
    }
}

#[tokio::test]
async fn managed_login_with_pkce_yields_verified_tokens_and_a_working_refresh_token() {
    let f = fixture(
        vec![OAuthFlowType::Code],
        &["openid", "email", "aws.cognito.signin.user.admin"],
    )
    .await;
    let p = pkce();
    let redirect = f
        .login(
            Some("openid email aws.cognito.signin.user.admin"),
            Some(&p),
            PASSWORD,
        )
        .await
        .unwrap();
    assert_eq!(redirect.state.as_deref(), Some("st-123"));
    // At least 128 bits of randomness: 32 random bytes, base64url.
    assert!(redirect.code.expose().len() >= 43, "code too short");

    let tokens = f.exchange(&redirect.code, Some(&p.verifier)).await.unwrap();
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, 3600);
    let refresh = tokens
        .refresh_token
        .clone()
        .expect("code grants get a refresh token");
    let keys = f.keys().await;
    let mut policy = VerifyPolicy::new(f.issuer(), [f.app.client_id.clone()]);
    policy.token_use = AcceptedTokenUse::Id;
    let id = verify_token(
        tokens
            .id_token
            .as_ref()
            .expect("openid was granted")
            .expose(),
        &keys,
        &policy,
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    assert_eq!(id.claims.cognito_username.as_deref(), Some("alice"));
    assert_eq!(id.claims.email.as_deref(), Some("alice@example.com"));
    policy.token_use = AcceptedTokenUse::Access;
    let access = verify_token(
        tokens.access_token.expose(),
        &keys,
        &policy,
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    assert_eq!(
        access.claims.scope.as_deref(),
        Some("openid email aws.cognito.signin.user.admin")
    );

    // The access token works for the user-pool API (it has the admin scope) and userInfo.
    let me =
        f.h.client
            .get_user(tokens.access_token.expose())
            .await
            .unwrap();
    assert_eq!(me.username, "alice");
    let info = f
        .oauth
        .oauth_user_info(tokens.access_token.expose())
        .await
        .unwrap();
    assert_eq!(info["sub"], id.claims.sub.as_str());

    // The code is single-use.
    let again = f
        .exchange(&redirect.code, Some(&p.verifier))
        .await
        .unwrap_err();
    assert_eq!(oauth_code(&again), "invalid_grant");

    // Refresh at the token endpoint keeps the granted scopes and issues no refresh token.
    let refreshed = f
        .oauth
        .oauth_token(
            &f.app,
            ClientAuthMethod::SecretBasic,
            &Grant::RefreshToken {
                refresh_token: refresh.clone(),
            },
        )
        .await
        .unwrap();
    assert!(refreshed.refresh_token.is_none());
    let again = verify_token(
        refreshed.access_token.expose(),
        &keys,
        &policy,
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    assert_eq!(again.claims.scope, access.claims.scope);
    assert_eq!(again.claims.origin_jti, access.claims.origin_jti);

    // Revoke: the refresh token and the access tokens issued from it stop working.
    f.oauth
        .oauth_revoke(&f.app, ClientAuthMethod::SecretBasic, refresh.expose())
        .await
        .unwrap();
    let e = f
        .oauth
        .oauth_token(
            &f.app,
            ClientAuthMethod::SecretBasic,
            &Grant::RefreshToken {
                refresh_token: refresh,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(oauth_code(&e), "invalid_grant");
    let e = f
        .oauth
        .oauth_user_info(refreshed.access_token.expose())
        .await
        .unwrap_err();
    assert_eq!(oauth_code(&e), "invalid_token");
}

#[tokio::test]
async fn pkce_verifier_must_match_the_challenge() {
    let f = fixture(vec![OAuthFlowType::Code], &["openid"]).await;
    let p = pkce();
    let redirect = f.login(None, Some(&p), PASSWORD).await.unwrap();
    let other = pkce();
    let e = f
        .exchange(&redirect.code, Some(&other.verifier))
        .await
        .unwrap_err();
    assert_eq!(oauth_code(&e), "invalid_grant");
    // The failed attempt consumed the code.
    let e = f
        .exchange(&redirect.code, Some(&p.verifier))
        .await
        .unwrap_err();
    assert_eq!(oauth_code(&e), "invalid_grant");

    let redirect = f.login(None, Some(&p), PASSWORD).await.unwrap();
    let e = f.exchange(&redirect.code, None).await.unwrap_err();
    assert_eq!(oauth_code(&e), "invalid_grant");
}

#[tokio::test]
async fn codes_expire_after_five_minutes() {
    let f = fixture(vec![OAuthFlowType::Code], &["openid"]).await;
    let redirect = f.login(None, None, PASSWORD).await.unwrap();
    f.h.clock.advance(Duration::from_secs(5 * 60 + 1));
    let e = f.exchange(&redirect.code, None).await.unwrap_err();
    assert_eq!(oauth_code(&e), "invalid_grant");

    let redirect = f.login(None, None, PASSWORD).await.unwrap();
    f.h.clock.advance(Duration::from_secs(4 * 60));
    f.exchange(&redirect.code, None).await.unwrap();
}

#[tokio::test]
async fn scopes_decide_the_id_token_and_api_access() {
    let f = fixture(
        vec![OAuthFlowType::Code],
        &["openid", "email", "aws.cognito.signin.user.admin"],
    )
    .await;
    // Without openid: no ID token; without the admin scope, the API refuses the access token.
    let redirect = f
        .login(Some("aws.cognito.signin.user.admin"), None, PASSWORD)
        .await
        .unwrap();
    let tokens = f.exchange(&redirect.code, None).await.unwrap();
    assert!(tokens.id_token.is_none());

    let redirect = f.login(Some("openid"), None, PASSWORD).await.unwrap();
    let tokens = f.exchange(&redirect.code, None).await.unwrap();
    assert!(tokens.id_token.is_some());
    let e =
        f.h.client
            .get_user(tokens.access_token.expose())
            .await
            .unwrap_err();
    assert_eq!(
        expect_err::<()>(Err(e)),
        (
            "NotAuthorizedException".to_owned(),
            "Access Token does not have required scopes".to_owned()
        )
    );

    // A scope the client may not request, or email without openid, is invalid_scope.
    for scope in ["phone openid", "email"] {
        let e = f.login(Some(scope), None, PASSWORD).await.unwrap_err();
        assert_eq!(oauth_code(&e), "invalid_scope", "{scope}");
    }
}

#[tokio::test]
async fn wrong_password_shows_the_form_again_and_counts_towards_lockout() {
    let f = fixture(vec![OAuthFlowType::Code], &["openid"]).await;
    let Err(e) = f.login(None, None, "Wrong-Passw0rd").await else {
        panic!("a wrong password signed in");
    };
    let CallError::OAuth(o) = &e else {
        panic!("expected access_denied, got {e}");
    };
    assert_eq!(o.code.as_str(), "access_denied");
    assert_eq!(
        o.description.as_deref(),
        Some("Incorrect username or password.")
    );
    assert!(!format!("{e:?}").contains("Wrong-Passw0rd"));
}

#[tokio::test]
async fn the_sign_in_form_needs_its_csrf_cookie() {
    let f = fixture(vec![OAuthFlowType::Code], &["openid"]).await;
    let login = f
        .authorize(None, None)
        .as_str()
        .replace("/oauth2/authorize", "/login");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(&login).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let cookie = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("XSRF-TOKEN="), "{cookie}");
    let token = cookie["XSRF-TOKEN=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let form = |csrf: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("_csrf", csrf)
            .append_pair("username", "alice")
            .append_pair("password", PASSWORD)
            .finish()
    };
    // The form's token without the cookie: refused.
    let r = http
        .post(&login)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // With the cookie: a redirect to the callback with a code and the state.
    let r = http
        .post(&login)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("XSRF-TOKEN={token}"))
        .body(form(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let location = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(CALLBACK));
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert!(pairs.iter().any(|(k, v)| k == "code" && v.len() >= 43));
    assert!(pairs.iter().any(|(k, v)| k == "state" && v == "st-123"));
}

#[tokio::test]
async fn authorize_refuses_bad_requests_as_the_guide_lists() {
    let f = fixture(vec![OAuthFlowType::Code], &["openid"]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |query: String| {
        let http = http.clone();
        let url = format!("{}oauth2/authorize?{query}", f.h.server.endpoint());
        async move { http.get(url).send().await.unwrap() }
    };
    let id = f.app.client_id.clone();
    let cb = url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>();
    // Redirect URI not registered: an error page, never a redirect.
    let r = get(format!(
        "response_type=code&client_id={id}&redirect_uri=https%3A%2F%2Fevil.example%2F"
    ))
    .await;
    assert_eq!(r.status(), 400);
    // Unknown client: an error page.
    let r = get(format!(
        "response_type=code&client_id=nosuchclient&redirect_uri={cb}"
    ))
    .await;
    assert_eq!(r.status(), 400);
    // Errors after the redirect URI is trusted go to it.
    for (query, error) in [
        (
            format!("client_id={id}&redirect_uri={cb}"),
            "invalid_request",
        ),
        (
            format!("response_type=token&client_id={id}&redirect_uri={cb}"),
            "unauthorized_client",
        ),
        (
            format!("response_type=code&client_id={id}&redirect_uri={cb}&code_challenge=abc"),
            "invalid_request",
        ),
        (
            format!(
                "response_type=code&client_id={id}&redirect_uri={cb}&code_challenge=abc&code_challenge_method=plain"
            ),
            "invalid_request",
        ),
    ] {
        let r = get(format!("{query}&state=s1")).await;
        assert_eq!(r.status(), 302, "{query}");
        let location = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(CALLBACK));
        let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
        assert!(
            pairs.contains(&("error".into(), error.into())),
            "{query}: {pairs:?}"
        );
        assert!(pairs.contains(&("state".into(), "s1".into())), "{query}");
    }
    // A good request redirects to the sign-in page with the same parameters.
    let r = get(format!(
        "response_type=code&client_id={id}&redirect_uri={cb}"
    ))
    .await;
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(location.contains("/login?response_type=code"), "{location}");
}

#[tokio::test]
async fn implicit_grant_puts_tokens_in_the_fragment() {
    let f = fixture(vec![OAuthFlowType::Implicit], &["openid"]).await;
    let url = authorize_url(&f.base, &f.app.client_id, CALLBACK, None, Some("s"), None)
        .as_str()
        .replace("response_type=code", "response_type=token");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = url.replace("/oauth2/authorize", "/login");
    let page = http.get(&login).send().await.unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    let token = cookie["XSRF-TOKEN=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let r = http
        .post(&login)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("XSRF-TOKEN={token}"))
        .body(format!("_csrf={token}&username=alice&password={PASSWORD}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let location = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.query().is_none(), "tokens never in the query");
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(location.fragment().unwrap().as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert!(get("id_token").is_some());
    assert!(get("refresh_token").is_none());
    assert_eq!(get("token_type").as_deref(), Some("Bearer"));
    assert_eq!(get("state").as_deref(), Some("s"));
    let info = f
        .oauth
        .oauth_user_info(&get("access_token").unwrap())
        .await
        .unwrap();
    assert_eq!(info["username"], "alice");
}

#[tokio::test]
async fn client_credentials_grants_only_resource_server_scopes() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    h.client
        .create_resource_server(&CreateResourceServerRequest {
            user_pool_id: pool_id.clone(),
            identifier: "orders".into(),
            name: "orders".into(),
            scopes: Some(vec![
                ResourceServerScopeType {
                    scope_name: "read".into(),
                    scope_description: "read".into(),
                },
                ResourceServerScopeType {
                    scope_name: "write".into(),
                    scope_description: "write".into(),
                },
            ]),
        })
        .await
        .unwrap();
    let m2m = h
        .app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "m2m".into(),
            generate_secret: Some(true),
            allowed_oauth_flows: Some(vec![OAuthFlowType::ClientCredentials]),
            allowed_oauth_scopes: Some(vec!["orders/read".into(), "orders/write".into()]),
            allowed_oauth_flows_user_pool_client: Some(true),
            ..Default::default()
        })
        .await;
    let endpoint = h.server.endpoint().to_owned();
    let oauth = CognitoClient::new(
        TargetConfig::local(&endpoint)
            .unwrap()
            .oauth_base(&endpoint)
            .unwrap(),
    )
    .unwrap();
    let grant = |scope: Option<&str>| Grant::ClientCredentials {
        scope: scope.map(str::to_owned),
    };
    let keys = KeySet::from_jwks_json(&h.client.fetch_jwks(&pool_id).await.unwrap()).unwrap();
    let mut policy = VerifyPolicy::new(
        format!("{}/{pool_id}", endpoint.trim_end_matches('/')),
        [m2m.client_id.clone()],
    );
    policy.token_use = AcceptedTokenUse::Access;
    policy.require_username = false;
    let scope_of = |t: &str| {
        verify_token(t, &keys, &policy, chrono::Utc::now().timestamp())
            .unwrap()
            .claims
            .scope
            .unwrap()
    };
    for method in [ClientAuthMethod::SecretBasic, ClientAuthMethod::SecretPost] {
        let t = oauth
            .oauth_token(&m2m, method, &grant(Some("orders/read")))
            .await
            .unwrap();
        assert_eq!(scope_of(t.access_token.expose()), "orders/read");
        assert!(t.id_token.is_none() && t.refresh_token.is_none());
    }
    // No scope: every custom scope of the client.
    let t = oauth
        .oauth_token(&m2m, ClientAuthMethod::SecretBasic, &grant(None))
        .await
        .unwrap();
    assert_eq!(
        scope_of(t.access_token.expose()),
        "orders/read orders/write"
    );
    // A user scope is not a client_credentials scope.
    let e = oauth
        .oauth_token(&m2m, ClientAuthMethod::SecretBasic, &grant(Some("openid")))
        .await
        .unwrap_err();
    assert_eq!(oauth_code(&e), "invalid_scope");
    // The token is no user's: the user-pool API refuses it.
    let e = h
        .client
        .get_user(t.access_token.expose())
        .await
        .unwrap_err();
    assert_eq!(expect_err::<()>(Err(e)).0, "NotAuthorizedException");
    // A wrong secret is invalid_client.
    let wrong = AppClient::confidential(m2m.client_id.clone(), "not-the-secret");
    let e = oauth
        .oauth_token(&wrong, ClientAuthMethod::SecretBasic, &grant(None))
        .await
        .unwrap_err();
    assert_eq!(oauth_code(&e), "invalid_client");
}

#[tokio::test]
async fn openid_configuration_names_the_served_endpoints() {
    let f = fixture(vec![OAuthFlowType::Code], &["openid"]).await;
    let url = format!(
        "{}{}/.well-known/openid-configuration",
        f.h.server.endpoint(),
        f.pool_id
    );
    let doc: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(doc["issuer"], f.issuer());
    let http = reqwest::Client::new();
    let jwks = http
        .get(doc["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(jwks.status(), 200);
    let token = doc["token_endpoint"].as_str().unwrap();
    let r = http
        .post(token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "the token endpoint is served where it says"
    );
    assert_eq!(doc["code_challenge_methods_supported"][0], "S256");
}
