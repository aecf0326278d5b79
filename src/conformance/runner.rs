//! Provisioning a conformance run's pools and app clients on the target, and deleting them at
//! the end.
//!
//! Provisioning goes through the SigV4-signed admin API of the one wire client
//! ([`CognitoClient`]): per run, a `main` and an `email` pool with uniquely named app clients
//! (see [`ClientName`]), a resource server and a domain. Every case then creates its own users
//! with names unique to the run (`exec/`), so cases share no state. The pools (and with them
//! every user) are deleted at the end.

use std::collections::BTreeMap;

use rand::Rng as _;
use serde_json::{Value, json};

use super::case::{ClientName, PoolName};
use super::matcher::resolve_pointer;
use super::target::{Answer, ClientFixture, Fixture, PoolFixture, RunError};
use crate::protocol::{CallError, CognitoClient};

pub(super) fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A password satisfying the pools' policy (upper, lower, digit, symbol, 20 characters).
pub(super) fn random_password() -> String {
    format!("Pw-{}-9Z", random_token(15))
}

async fn admin(client: &CognitoClient, op: &str, body: Value) -> Result<Value, String> {
    let raw = client
        .send_raw(op, body.to_string().into_bytes(), true)
        .await
        .map_err(|e| format!("{op}: {e}"))?;
    let answer = Answer::from_raw(raw);
    if answer.success() {
        Ok(answer.body)
    } else {
        Err(format!(
            "{op}: HTTP {} {} {}",
            answer.status,
            answer
                .body
                .get("__type")
                .and_then(Value::as_str)
                .unwrap_or(""),
            answer
                .body
                .get("message")
                .or_else(|| answer.body.get("Message"))
                .and_then(Value::as_str)
                .unwrap_or("")
        ))
    }
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    resolve_pointer(v, pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn client_body(pool_id: &str, run: &str, name: ClientName) -> Value {
    let user_flows = json!([
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH"
    ]);
    let mut body = json!({
        "UserPoolId": pool_id,
        "ClientName": format!("ch-{run}-{}", name.as_str()),
        "EnableTokenRevocation": true,
    });
    let map = body.as_object_mut().expect("object");
    match name {
        ClientName::Public | ClientName::Secret | ClientName::Prevent => {
            map.insert("ExplicitAuthFlows".into(), user_flows);
            map.insert(
                "PreventUserExistenceErrors".into(),
                json!(if name == ClientName::Prevent {
                    "ENABLED"
                } else {
                    "LEGACY"
                }),
            );
            map.insert("GenerateSecret".into(), json!(name == ClientName::Secret));
        }
        ClientName::DefaultFlows => {}
        ClientName::Oauth => {
            map.insert("GenerateSecret".into(), json!(true));
            map.insert("AllowedOAuthFlows".into(), json!(["client_credentials"]));
            map.insert("AllowedOAuthScopes".into(), json!(["rs/read"]));
            map.insert("AllowedOAuthFlowsUserPoolClient".into(), json!(true));
            map.insert(
                "ExplicitAuthFlows".into(),
                json!(["ALLOW_REFRESH_TOKEN_AUTH"]),
            );
        }
        ClientName::Code => {
            map.insert("GenerateSecret".into(), json!(false));
            map.insert("ExplicitAuthFlows".into(), user_flows);
            map.insert("AllowedOAuthFlows".into(), json!(["code"]));
            map.insert(
                "AllowedOAuthScopes".into(),
                json!([
                    "openid",
                    "email",
                    "profile",
                    "aws.cognito.signin.user.admin"
                ]),
            );
            map.insert(
                "CallbackURLs".into(),
                json!(["https://example.com/callback"]),
            );
            map.insert("SupportedIdentityProviders".into(), json!(["COGNITO"]));
            map.insert("AllowedOAuthFlowsUserPoolClient".into(), json!(true));
        }
    }
    body
}

pub(super) async fn provision_pool(
    client: &CognitoClient,
    run: &str,
    pool: PoolName,
) -> Result<PoolFixture, RunError> {
    let mut body = json!({
        "PoolName": format!("ch-{run}-{}", pool.as_str()),
        "Policies": { "PasswordPolicy": {
            "MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
            "RequireNumbers": true, "RequireSymbols": false } },
        "AdminCreateUserConfig": { "AllowAdminCreateUserOnly": false },
    });
    if pool == PoolName::Email {
        let map = body.as_object_mut().expect("object");
        map.insert("UsernameAttributes".into(), json!(["email"]));
        map.insert("AutoVerifiedAttributes".into(), json!(["email"]));
    }
    // The first call of a run: a transport failure here means the target is not there.
    if let Err(CallError::Transport(e)) = client
        .send_raw("ListUserPools", br#"{"MaxResults":1}"#.to_vec(), true)
        .await
    {
        return Err(RunError::Unreachable(e.to_string()));
    }
    let created = admin(client, "CreateUserPool", body)
        .await
        .map_err(|detail| RunError::Provision {
            pool: pool.as_str(),
            detail,
        })?;
    let id = str_at(&created, "/UserPool/Id").ok_or_else(|| RunError::Provision {
        pool: pool.as_str(),
        detail: "CreateUserPool answered without UserPool.Id".to_owned(),
    })?;
    let mut fixture = PoolFixture {
        id: id.clone(),
        clients: BTreeMap::new(),
        domain: None,
    };
    let mut oauth_error = None;
    if pool == PoolName::Main {
        let rs = admin(
            client,
            "CreateResourceServer",
            json!({"UserPoolId": id, "Identifier": "rs", "Name": "rs",
                   "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}),
        )
        .await;
        let domain = format!("ch-{run}");
        let dom = admin(
            client,
            "CreateUserPoolDomain",
            json!({"UserPoolId": id, "Domain": domain}),
        )
        .await;
        match (rs, dom) {
            (Ok(_), Ok(_)) => fixture.domain = Some(domain),
            (Err(e), _) | (_, Err(e)) => oauth_error = Some(e),
        }
    }
    for &name in ClientName::in_pool(pool) {
        let result = match (&oauth_error, name) {
            (Some(e), ClientName::Oauth | ClientName::Code) => Err(e.clone()),
            _ => admin(client, "CreateUserPoolClient", client_body(&id, run, name))
                .await
                .and_then(|v| {
                    let id = str_at(&v, "/UserPoolClient/ClientId")
                        .ok_or("CreateUserPoolClient answered without ClientId")?;
                    let secret = str_at(&v, "/UserPoolClient/ClientSecret");
                    if name.has_secret() && secret.is_none() {
                        return Err("CreateUserPoolClient with GenerateSecret answered without \
                                    ClientSecret"
                            .to_owned());
                    }
                    Ok(ClientFixture { id, secret })
                }),
        };
        fixture.clients.insert(name, result);
    }
    Ok(fixture)
}

pub(super) async fn cleanup(fixture: &Fixture) {
    for pool in fixture.pools.values() {
        if let Some(domain) = &pool.domain {
            let _ = admin(
                &fixture.client,
                "DeleteUserPoolDomain",
                json!({"UserPoolId": pool.id, "Domain": domain}),
            )
            .await;
        }
        if let Err(e) = admin(
            &fixture.client,
            "DeleteUserPool",
            json!({"UserPoolId": pool.id}),
        )
        .await
        {
            tracing::warn!(pool = %pool.id, error = %e, "cleanup failed");
        }
    }
}
