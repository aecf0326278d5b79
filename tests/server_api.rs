//! The reference server's wire surface and pool management, over real HTTP on 127.0.0.1:0:
//! Cognito-shaped errors for every malformed request, SigV4 on admin calls, ids shaped like
//! Cognito's, the JWKS and the `_harness/codes` path, and config-file seeding.

mod server_support;

use cognito_harness::protocol::ops::*;
use cognito_harness::protocol::{AppClient, ParamMap};
use cognito_harness::server::{ClientSeed, PoolSeed, ServerConfig, UserSeed};
use server_support::*;

async fn raw(
    endpoint: &str,
    target: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let mut req = reqwest::Client::new().post(endpoint).body(body.to_owned());
    if let Some(t) = target {
        req = req.header("x-amz-target", t);
    }
    if let Some(c) = content_type {
        req = req.header("content-type", c);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, headers, json)
}

const JSON11: Option<&str> = Some("application/x-amz-json-1.1");

#[tokio::test]
async fn malformed_requests_get_cognito_shaped_errors() {
    let h = harness().await;
    let ep = h.server.endpoint();
    let cases = [
        (None, JSON11, "{}", "UnknownOperationException"),
        (
            Some("AWSCognitoIdentityProviderService.NoSuchOp"),
            JSON11,
            "{}",
            "UnknownOperationException",
        ),
        (
            Some("Other.SignUp"),
            JSON11,
            "{}",
            "UnknownOperationException",
        ),
        (
            Some("AWSCognitoIdentityProviderService.SignUp"),
            Some("text/html"),
            "{}",
            "UnknownOperationException",
        ),
        (
            Some("AWSCognitoIdentityProviderService.SignUp"),
            JSON11,
            "{not json",
            "SerializationException",
        ),
        (
            Some("AWSCognitoIdentityProviderService.SignUp"),
            JSON11,
            r#"{"ClientId":5}"#,
            "SerializationException",
        ),
        (
            Some("AWSCognitoIdentityProviderService.SignUp"),
            JSON11,
            r#"{"ClientId":"x"}"#,
            "InvalidParameterException",
        ),
    ];
    for (target, ct, body, expected) in cases {
        let (status, headers, json) = raw(ep, target, ct, body).await;
        assert_eq!(status, 400, "{target:?} {body}: {json}");
        assert_eq!(json["__type"], expected, "{target:?} {body}: {json}");
        assert!(json["message"].is_string(), "{json}");
        assert_eq!(
            headers["x-amzn-errortype"].to_str().unwrap(),
            format!("{expected}:")
        );
        assert!(headers.contains_key("x-amzn-requestid"));
    }
    let (_, _, json) = raw(
        ep,
        Some("AWSCognitoIdentityProviderService.SignUp"),
        JSON11,
        r#"{"ClientId":"x"}"#,
    )
    .await;
    assert_eq!(
        json["message"],
        "1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null"
    );
    // Unknown paths and methods are JSON errors too, never HTML.
    let r = reqwest::get(format!("{ep}nowhere")).await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.headers().contains_key("x-amzn-requestid"));
    let json: serde_json::Value = r.json().await.unwrap();
    assert_eq!(json["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn oversized_bodies_are_refused_in_shape() {
    let h = harness_with(ServerConfig {
        max_body_bytes: 1024,
        ..Default::default()
    })
    .await;
    let body = format!(r#"{{"ClientId":"{}"}}"#, "x".repeat(4096));
    let (status, _, json) = raw(
        h.server.endpoint(),
        Some("AWSCognitoIdentityProviderService.SignUp"),
        JSON11,
        &body,
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(json["__type"], "SerializationException");
}

#[tokio::test]
async fn admin_calls_need_sigv4_and_pinned_keys_are_verified() {
    let h = harness().await;
    let (status, _, json) = raw(
        h.server.endpoint(),
        Some("AWSCognitoIdentityProviderService.CreateUserPool"),
        JSON11,
        r#"{"PoolName":"p"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(json["__type"], "MissingAuthenticationTokenException");

    let pinned = harness_with(ServerConfig {
        admin_credentials: Some(("AKIDTEST".into(), "other-secret".into())),
        ..Default::default()
    })
    .await;
    let (kind, _) = expect_err(
        pinned
            .client
            .create_user_pool(&CreateUserPoolRequest {
                pool_name: "p".into(),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(kind, "InvalidSignatureException");
    let good = harness_with(ServerConfig {
        admin_credentials: Some(("AKIDTEST".into(), "test-secret".into())),
        ..Default::default()
    })
    .await;
    good.default_pool().await;
}

#[tokio::test]
async fn ids_are_shaped_like_cognitos_and_defaults_apply() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let (region, name) = pool_id.split_once('_').unwrap();
    assert_eq!(region, "us-east-1");
    assert_eq!(name.len(), 9);
    assert!(name.chars().all(|c| c.is_ascii_alphanumeric()));
    let created = h
        .client
        .create_user_pool_client(&CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "c".into(),
            generate_secret: Some(true),
            ..Default::default()
        })
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = created.client_id.unwrap();
    assert_eq!(id.len(), 26);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    assert_eq!(created.client_secret.unwrap().expose().len(), 51);
    assert_eq!(
        created.explicit_auth_flows.unwrap(),
        vec![
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ExplicitAuthFlowsType::AllowCustomAuth
        ]
    );
    assert_eq!(created.enable_token_revocation, Some(true));

    // Unknown pool: ResourceNotFoundException.
    let (kind, message) = expect_err(
        h.client
            .create_user_pool_client(&CreateUserPoolClientRequest {
                user_pool_id: "us-east-1_missing00".into(),
                client_name: "c".into(),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(kind, "ResourceNotFoundException");
    assert_eq!(message, "User pool us-east-1_missing00 does not exist.");

    h.client
        .create_resource_server(&CreateResourceServerRequest {
            user_pool_id: pool_id.clone(),
            identifier: "https://api.example.com".into(),
            name: "api".into(),
            scopes: Some(vec![ResourceServerScopeType {
                scope_name: "read".into(),
                scope_description: "read".into(),
            }]),
        })
        .await
        .unwrap();
    h.client
        .create_user_pool_domain(&CreateUserPoolDomainRequest {
            domain: "my-prefix".into(),
            user_pool_id: pool_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap();

    // JWKS: two RS256 keys while the pool exists, 404 after DeleteUserPool.
    let jwks: serde_json::Value =
        serde_json::from_slice(&h.client.fetch_jwks(&pool_id).await.unwrap()).unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert_ne!(jwks["keys"][0]["kid"], jwks["keys"][1]["kid"]);
    h.client.delete_user_pool(&pool_id).await.unwrap();
    assert!(h.client.fetch_jwks(&pool_id).await.is_err());
}

#[tokio::test]
async fn codes_path_answers_404_for_unknown_pool_or_user() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let (status, json) = h.codes(&pool_id, "nobody").await;
    assert_eq!(status, 404);
    assert_eq!(json["__type"], "UserNotFoundException");
    let (status, json) = h.codes("us-east-1_nopool000", "nobody").await;
    assert_eq!(status, 404);
    assert_eq!(json["__type"], "ResourceNotFoundException");
}

#[tokio::test]
async fn seeded_pools_sign_in_without_admin_calls() {
    let pool_id = "us-east-1_Seeded123".to_owned();
    let config = ServerConfig {
        pools: vec![PoolSeed {
            name: "seeded".into(),
            id: Some(pool_id.clone()),
            clients: vec![ClientSeed {
                name: "app".into(),
                id: Some("seededclient0000000000000a".into()),
                secret: Some("seeded-secret".into()),
                explicit_auth_flows: vec![
                    "ALLOW_USER_PASSWORD_AUTH".into(),
                    "ALLOW_USER_SRP_AUTH".into(),
                    "ALLOW_REFRESH_TOKEN_AUTH".into(),
                ],
                ..Default::default()
            }],
            users: vec![UserSeed {
                username: "alice".into(),
                password: PASSWORD.into(),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let h = harness_with(config).await;
    let app = AppClient::confidential("seededclient0000000000000a", "seeded-secret");
    let r = h
        .client
        .user_password_auth(&app, "alice", PASSWORD)
        .await
        .unwrap();
    assert!(r.authentication_result.unwrap().access_token.is_some());
    let r = h
        .srp_sign_in(&pool_id, &app, "alice", PASSWORD)
        .await
        .unwrap();
    assert!(r.authentication_result.is_some());
    // Without the SECRET_HASH the confidential client refuses.
    let (kind, message) = expect_err(
        h.client
            .user_password_auth(
                &AppClient::public("seededclient0000000000000a"),
                "alice",
                PASSWORD,
            )
            .await,
    );
    assert_eq!(kind, "NotAuthorizedException");
    assert_eq!(
        message,
        "Client seededclient0000000000000a is configured with secret but SECRET_HASH was not received"
    );
    let _ = ParamMap::new();
}

/// A `--config` pool, client or user breaking the model's input constraints is refused at
/// start-up with the message the API call would get (the same validator, server/validate.rs).
#[test]
fn seeded_pools_clients_and_users_meet_the_model_constraints() {
    let seed_error = |pool: PoolSeed| {
        let config = ServerConfig {
            pools: vec![pool],
            ..Default::default()
        };
        match cognito_harness::server::new_store(&config, "http://127.0.0.1:1/") {
            Ok(_) => panic!("the seed was accepted"),
            Err(e) => e.to_string(),
        }
    };
    let long_name = seed_error(PoolSeed {
        name: "p".repeat(129),
        ..Default::default()
    });
    assert!(
        long_name.contains(
            "at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128"
        ),
        "{long_name}"
    );
    let bad_flow = seed_error(PoolSeed {
        name: "seeded".into(),
        clients: vec![ClientSeed {
            name: "app".into(),
            explicit_auth_flows: vec!["ALLOW_NOTHING".into()],
            ..Default::default()
        }],
        ..Default::default()
    });
    assert!(
        bad_flow.contains("at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set:"),
        "{bad_flow}"
    );
    let bad_user = seed_error(PoolSeed {
        name: "seeded".into(),
        users: vec![UserSeed {
            username: "has space".into(),
            password: PASSWORD.into(),
            ..Default::default()
        }],
        ..Default::default()
    });
    assert!(
        bad_user.contains("user has space: 1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern"),
        "{bad_user}"
    );
}

/// UpdateUserPool sets every member it is not given to its default (API reference,
/// UpdateUserPool: "If you don't provide a value for an attribute, Amazon Cognito sets it to
/// its default value"), and the new password policy applies at once.
#[tokio::test]
async fn update_user_pool_resets_what_it_omits_and_applies_the_new_policy() {
    let h = harness().await;
    let pool_id = h
        .pool(
            CreateUserPoolRequest::named("strict").with_password_policy(PasswordPolicyType {
                minimum_length: Some(14),
                ..Default::default()
            }),
        )
        .await;
    h.client
        .admin_create_user(&AdminCreateUserRequest {
            user_pool_id: pool_id.clone(),
            username: "jane".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let short = "Short-Pa55!";
    let set = |password: &'static str| AdminSetUserPasswordRequest {
        user_pool_id: pool_id.clone(),
        username: "jane".into(),
        password: password.into(),
        permanent: Some(true),
    };
    assert!(
        h.client.call(&set(short)).await.is_err(),
        "14 characters needed"
    );
    h.client
        .call(&UpdateUserPoolRequest {
            user_pool_id: pool_id.clone(),
            user_pool_tags: Some([("team".to_owned(), "qa".to_owned())].into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let pool = h
        .client
        .call(&DescribeUserPoolRequest {
            user_pool_id: pool_id.clone(),
        })
        .await
        .unwrap()
        .user_pool;
    let policy = pool.policies.unwrap().password_policy.unwrap();
    assert_eq!(policy.minimum_length, Some(8), "the default policy");
    assert_eq!(pool.name.as_deref(), Some("strict"), "the name is kept");
    assert_eq!(pool.user_pool_tags.unwrap()["team"], "qa");
    h.client.call(&set(short)).await.unwrap();
}
