//! The OAuth2 endpoints and the JWKS fetch against local stubs: request shape per grant and
//! client-authentication method, error decoding from bodies and `WWW-Authenticate`.

mod protocol_support;

use base64::Engine;
use cognito_harness::protocol::oauth2::{OAuthErrorSource, basic_authorization};
use cognito_harness::protocol::{
    AppClient, CallError, ClientAuthMethod, CognitoClient, Grant, OAuthErrorCode, Pkce,
};
use protocol_support::*;

const TOKEN_OK: &str =
    r#"{"access_token":"eyJz9sdfsdfsdf","token_type":"Bearer","expires_in":3600}"#;

fn oauth_client(stub: &Stub, base_path: &str) -> CognitoClient {
    let config = config_for(&stub.url())
        .oauth_base(&format!("{}{base_path}", stub.url()))
        .unwrap();
    CognitoClient::new(config).unwrap()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn oauth_error(err: CallError) -> cognito_harness::protocol::OAuthError {
    match err {
        CallError::OAuth(e) => e,
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

#[tokio::test]
async fn client_credentials_with_basic_auth() {
    let stub = stub(|_| Reply::json(200, TOKEN_OK)).await;
    let client = oauth_client(&stub, "");
    let app = AppClient::confidential("djc98u3jiedmi283eu928", "abcdef01234567890");
    let tokens = client
        .oauth_token(
            &app,
            ClientAuthMethod::SecretBasic,
            &Grant::ClientCredentials {
                scope: Some("solar-system-data/asteroids.add".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, 3600);
    assert!(tokens.refresh_token.is_none() && tokens.id_token.is_none());

    let req = stub.only_request();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/oauth2/token");
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        req.header("authorization"),
        Some("Basic ZGpjOTh1M2ppZWRtaTI4M2V1OTI4OmFiY2RlZjAxMjM0NTY3ODkw")
    );
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&req.header("authorization").unwrap()["Basic ".len()..])
        .unwrap();
    assert_eq!(decoded, b"djc98u3jiedmi283eu928:abcdef01234567890");
    assert_eq!(
        req.form(),
        pairs(&[
            ("grant_type", "client_credentials"),
            ("scope", "solar-system-data/asteroids.add")
        ])
    );
}

#[tokio::test]
async fn refresh_with_client_secret_post_under_an_emulator_path() {
    let stub = stub(|_| {
        Reply::json(
            200,
            r#"{"id_token":"eyJz9sdfsdfsdfsd","access_token":"dmcxd329ujdmkemd349r","token_type":"Bearer","expires_in":3600}"#,
        )
    })
    .await;
    // cognito-local serves the token endpoint under `/<poolId>/oauth2/token`.
    let client = oauth_client(&stub, "us-east-1_abc/");
    let app = AppClient::confidential("cid", "csecret");
    let tokens = client
        .oauth_token(
            &app,
            ClientAuthMethod::SecretPost,
            &Grant::RefreshToken {
                refresh_token: "REFRESH_TOKEN".into(),
            },
        )
        .await
        .unwrap();
    assert!(tokens.id_token.is_some());
    let req = stub.only_request();
    assert_eq!(req.path, "/us-east-1_abc/oauth2/token");
    assert_eq!(req.header("authorization"), None);
    assert_eq!(
        req.form(),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("client_id", "cid"),
            ("client_secret", "csecret"),
            ("refresh_token", "REFRESH_TOKEN"),
        ])
    );
}

#[tokio::test]
async fn authorization_code_with_pkce_for_a_public_client() {
    let stub = stub(|_| {
        Reply::json(
            200,
            r#"{"access_token":"eyJz9sdfsdfsdfsd","refresh_token":"dn43ud8uj32nk2je","id_token":"dmcxd329ujdmkemd349r","token_type":"Bearer","expires_in":3600}"#,
        )
    })
    .await;
    let client = oauth_client(&stub, "");
    let pkce = Pkce::from_entropy([7u8; 32]);
    let tokens = client
        .oauth_token(
            &AppClient::public("djc98u3jiedmi283eu928"),
            ClientAuthMethod::SecretBasic,
            &Grant::AuthorizationCode {
                code: "AUTHORIZATION_CODE".into(),
                redirect_uri: "com.myclientapp://myclient/redirect".into(),
                code_verifier: Some(pkce.verifier.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(tokens.refresh_token.unwrap().expose(), "dn43ud8uj32nk2je");
    let req = stub.only_request();
    assert_eq!(req.header("authorization"), None);
    assert_eq!(
        req.form(),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("client_id", "djc98u3jiedmi283eu928"),
            ("code", "AUTHORIZATION_CODE"),
            ("redirect_uri", "com.myclientapp://myclient/redirect"),
            ("code_verifier", pkce.verifier.expose()),
        ])
    );
}

#[tokio::test]
async fn token_errors_are_typed() {
    let stub = stub(|req| {
        if req.header("authorization").is_some() {
            Reply::json(401, r#"{"error":"invalid_client"}"#)
        } else {
            Reply::json(
                400,
                r#"{"error":"invalid_request","error_description":"refresh_token is missing"}"#,
            )
        }
    })
    .await;
    let client = oauth_client(&stub, "");
    let e = oauth_error(
        client
            .oauth_token(
                &AppClient::confidential("cid", "wrong"),
                ClientAuthMethod::SecretBasic,
                &Grant::ClientCredentials { scope: None },
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code, OAuthErrorCode::InvalidClient);
    assert_eq!(e.status, 401);
    let e = oauth_error(
        client
            .oauth_token(
                &AppClient::public("cid"),
                ClientAuthMethod::SecretBasic,
                &Grant::RefreshToken {
                    refresh_token: "".into(),
                },
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code, OAuthErrorCode::InvalidRequest);
    assert_eq!(e.description.as_deref(), Some("refresh_token is missing"));
    assert_eq!(e.source, OAuthErrorSource::Body);
}

#[tokio::test]
async fn user_info_sends_bearer_and_reads_www_authenticate() {
    let stub = stub(|req| {
        if req.header("authorization") == Some("Bearer good-token") {
            Reply::json(200, r#"{"sub":"248289761001","email":"janedoe@example.com"}"#)
        } else {
            Reply {
                status: 401,
                headers: vec![(
                    "www-authenticate",
                    r#"error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out.""#
                        .to_owned(),
                )],
                body: Vec::new(),
            }
        }
    })
    .await;
    let client = oauth_client(&stub, "");
    let info = client.oauth_user_info("good-token").await.unwrap();
    assert_eq!(info["email"], "janedoe@example.com");
    let req = &stub.requests()[0];
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/oauth2/userInfo");

    let e = oauth_error(client.oauth_user_info("revoked").await.unwrap_err());
    assert_eq!(e.code, OAuthErrorCode::InvalidToken);
    assert_eq!(e.status, 401);
    assert_eq!(e.source, OAuthErrorSource::WwwAuthenticate);
}

#[tokio::test]
async fn revoke_public_and_confidential() {
    let stub = stub(|req| {
        let form = req.form();
        if form
            .iter()
            .any(|(k, v)| k == "token" && v == "an-access-token")
        {
            Reply::json(400, r#"{"error":"unsupported_token_type"}"#)
        } else {
            Reply {
                status: 200,
                headers: vec![],
                body: vec![],
            }
        }
    })
    .await;
    let client = oauth_client(&stub, "");
    client
        .oauth_revoke(
            &AppClient::public("djc98u3jiedmi283eu928"),
            ClientAuthMethod::SecretBasic,
            "2YotnFZFEjr1zCsicMWpAA",
        )
        .await
        .unwrap();
    client
        .oauth_revoke(
            &AppClient::confidential("cid", "sec"),
            ClientAuthMethod::SecretBasic,
            "2YotnFZFEjr1zCsicMWpAA",
        )
        .await
        .unwrap();
    let e = oauth_error(
        client
            .oauth_revoke(
                &AppClient::public("cid"),
                ClientAuthMethod::SecretBasic,
                "an-access-token",
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code, OAuthErrorCode::UnsupportedTokenType);

    let reqs = stub.requests();
    assert_eq!(reqs[0].path, "/oauth2/revoke");
    assert_eq!(
        reqs[0].form(),
        pairs(&[
            ("token", "2YotnFZFEjr1zCsicMWpAA"),
            ("client_id", "djc98u3jiedmi283eu928")
        ])
    );
    assert_eq!(reqs[0].header("authorization"), None);
    assert_eq!(
        reqs[1].form(),
        pairs(&[("token", "2YotnFZFEjr1zCsicMWpAA")])
    );
    assert_eq!(
        reqs[1].header("authorization"),
        Some(basic_authorization("cid", "sec").expose())
    );
}

#[tokio::test]
async fn jwks_default_and_explicit_urls() {
    const JWKS: &str =
        r#"{"keys":[{"kid":"k1","alg":"RS256","kty":"RSA","e":"AQAB","n":"abc","use":"sig"}]}"#;
    let stub = stub(|req| {
        if req.path.ends_with("jwks.json") || req.path == "/keys" {
            Reply::json(200, JWKS)
        } else {
            Reply::json(
                404,
                r#"{"__type":"ResourceNotFoundException","message":"no"}"#,
            )
        }
    })
    .await;
    let client = client_for(&stub.url());
    let bytes = client.fetch_jwks("us-east-1_abc").await.unwrap();
    assert_eq!(bytes, JWKS.as_bytes());
    assert_eq!(
        stub.requests()[0].path,
        "/us-east-1_abc/.well-known/jwks.json"
    );

    let config = config_for(&stub.url())
        .jwks_url(&format!("{}keys", stub.url()))
        .unwrap();
    let explicit = CognitoClient::new(config).unwrap();
    assert_eq!(
        explicit.fetch_jwks("ignored").await.unwrap(),
        JWKS.as_bytes()
    );
    assert_eq!(stub.requests()[1].path, "/keys");
}

#[tokio::test]
async fn oauth_without_a_domain_is_a_clear_error() {
    let client = client_for("http://127.0.0.1:1/");
    let err = client
        .oauth_token(
            &AppClient::public("c"),
            ClientAuthMethod::SecretBasic,
            &Grant::ClientCredentials { scope: None },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CallError::Request(m) if m.contains("OAuth base URL")),
        "{err}"
    );
}
