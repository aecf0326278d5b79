//! Provisioning a conformance run's pools and app clients on the target, and deleting them at
//! the end.
//!
//! Provisioning goes through the SigV4-signed admin API of the one wire client
//! ([`CognitoClient`]): per run, the pools the cases use (`main`, `email`, and the MFA pools
//! `mfa_optional` and `mfa_required`), with uniquely named app clients
//! (see [`ClientName`]), a resource server and a domain. Every case then creates its own users
//! with names unique to the run (`exec/`), so cases share no state. The pools (and with them
//! every user) are deleted at the end. Unless the issuer is given, it is read from a
//! provisioned pool's OpenID configuration ([`discover_issuer_base`]).

use std::collections::BTreeMap;

use rand::Rng as _;
use serde_json::Value;

use super::case::{ClientName, PoolName};
use super::matcher::resolve_pointer;
use super::target::{Answer, ClientFixture, Fixture, PoolFixture, RunError};
use crate::protocol::ops::{
    AdminCreateUserConfigType, CreateResourceServerRequest, CreateUserPoolClientRequest,
    CreateUserPoolDomainRequest, CreateUserPoolRequest, DeleteUserPoolDomainRequest,
    DeleteUserPoolRequest, ExplicitAuthFlowsType, Operation, PasswordPolicyType, PoolAttributeType,
    PreventUserExistenceErrorTypes, SetUserPoolMfaConfigRequest, SoftwareTokenMfaConfigType,
    UserPoolMfaType,
};
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

/// Sends one SigV4-signed admin call of the operation table; the answer's body, or a one-line
/// description of the failure.
async fn admin<Op: Operation>(client: &CognitoClient, request: &Op) -> Result<Value, String> {
    let op = Op::KIND.name();
    let body = serde_json::to_vec(request).map_err(|e| format!("{op}: {e}"))?;
    admin_send(client, op, body).await
}

async fn admin_send(client: &CognitoClient, op: &str, body: Vec<u8>) -> Result<Value, String> {
    let raw = client
        .send_raw(op, body, true)
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

/// The CreateUserPoolClient request of fixture client `name`.
fn client_request(
    pool_id: &str,
    pool: PoolName,
    run: &str,
    name: ClientName,
) -> CreateUserPoolClientRequest {
    let mut request =
        CreateUserPoolClientRequest::new(pool_id, format!("ch-{run}-{}", name.as_str()));
    request.enable_token_revocation = Some(true);
    match name {
        ClientName::Public | ClientName::Secret | ClientName::Prevent => {
            request = request.with_user_flows();
            request.prevent_user_existence_errors = Some(if name == ClientName::Prevent {
                PreventUserExistenceErrorTypes::Enabled
            } else {
                PreventUserExistenceErrorTypes::Legacy
            });
            request.generate_secret = Some(name == ClientName::Secret);
            if pool == PoolName::UserAuth
                && let Some(flows) = request.explicit_auth_flows.as_mut()
            {
                flows.push(ExplicitAuthFlowsType::AllowUserAuth);
            }
        }
        ClientName::DefaultFlows => {}
        ClientName::Oauth => {
            request = request.with_client_credentials(&["rs/read"]);
            request.explicit_auth_flows = Some(vec![ExplicitAuthFlowsType::AllowRefreshTokenAuth]);
        }
        ClientName::Code => {
            request = request.with_user_flows().with_code_grant(
                &[
                    "openid",
                    "email",
                    "profile",
                    "aws.cognito.signin.user.admin",
                ],
                "https://example.com/callback",
            );
            request.generate_secret = Some(false);
        }
    }
    request
}

/// The CreateUserPool request of fixture pool `pool`.
fn pool_request(run: &str, pool: PoolName) -> CreateUserPoolRequest {
    let mut request = CreateUserPoolRequest::named(format!("ch-{run}-{}", pool.as_str()))
        .with_password_policy(PasswordPolicyType {
            minimum_length: Some(8),
            require_uppercase: Some(true),
            require_lowercase: Some(true),
            require_numbers: Some(true),
            require_symbols: Some(false),
            ..Default::default()
        });
    request.admin_create_user_config = Some(AdminCreateUserConfigType {
        allow_admin_create_user_only: Some(false),
        ..Default::default()
    });
    if pool == PoolName::Email {
        request.username_attributes = Some(vec![PoolAttributeType::Email]);
        request.auto_verified_attributes = Some(vec![PoolAttributeType::Email]);
    }
    if pool == PoolName::UserAuth {
        request.auto_verified_attributes = Some(vec![PoolAttributeType::Email]);
        request
            .policies
            .get_or_insert_with(Default::default)
            .sign_in_policy = Some(crate::protocol::ops::SignInPolicyType {
            allowed_first_auth_factors: Some(vec!["PASSWORD".into(), "EMAIL_OTP".into()]),
        });
    }
    request
}

/// The `MfaConfiguration` of an MFA fixture pool.
fn mfa_mode(pool: PoolName) -> Option<UserPoolMfaType> {
    match pool {
        PoolName::MfaOptional => Some(UserPoolMfaType::Optional),
        PoolName::MfaRequired => Some(UserPoolMfaType::On),
        PoolName::Main | PoolName::Email | PoolName::UserAuth => None,
    }
}

pub(super) async fn provision_pool(
    client: &CognitoClient,
    run: &str,
    pool: PoolName,
) -> Result<PoolFixture, RunError> {
    // The first call of a run: a transport failure here means the target is not there.
    if let Err(CallError::Transport(e)) = client
        .send_raw("ListUserPools", br#"{"MaxResults":1}"#.to_vec(), true)
        .await
    {
        return Err(RunError::Unreachable(e.to_string()));
    }
    let created = admin(client, &pool_request(run, pool))
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
    // A target that refuses the MFA configuration fails the cases of that pool only.
    let mut mfa_error = None;
    if let Some(mode) = mfa_mode(pool) {
        let request = SetUserPoolMfaConfigRequest {
            user_pool_id: id.clone(),
            software_token_mfa_configuration: Some(SoftwareTokenMfaConfigType {
                enabled: Some(true),
            }),
            mfa_configuration: Some(mode),
            ..Default::default()
        };
        mfa_error = admin(client, &request).await.err();
    }
    if pool == PoolName::Main {
        let rs = admin(
            client,
            &CreateResourceServerRequest::with_scope(&id, "rs", "read", "read"),
        )
        .await;
        let domain = format!("ch-{run}");
        let dom = admin(client, &CreateUserPoolDomainRequest::new(&id, &domain)).await;
        match (rs, dom) {
            (Ok(_), Ok(_)) => fixture.domain = Some(domain),
            (Err(e), _) | (_, Err(e)) => oauth_error = Some(e),
        }
    }
    for &name in ClientName::in_pool(pool) {
        let result = match (&oauth_error, name) {
            _ if mfa_error.is_some() => Err(mfa_error.clone().unwrap_or_default()),
            (Some(e), ClientName::Oauth | ClientName::Code) => Err(e.clone()),
            _ => admin(client, &client_request(&id, pool, run, name))
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

/// The issuer base of the target (its tokens' `iss` without `/{poolId}`), from the OpenID
/// configuration of `pool_id`. Real Cognito serves that document on its API host, at
/// `https://cognito-idp.{region}.amazonaws.com/{poolId}/.well-known/openid-configuration`
/// (developer guide, "User pool OIDC and hosted UI API endpoints reference", "Additional user
/// pool endpoints"), so the same path under the target's endpoint is asked. `None` when the
/// target does not serve it or names no issuer for the pool; the caller then assumes the
/// Cognito form.
pub(super) async fn discover_issuer_base(client: &CognitoClient, pool_id: &str) -> Option<String> {
    let url = client
        .config()
        .endpoint
        .join(&format!("{pool_id}/.well-known/openid-configuration"))
        .ok()?;
    let raw = client.execute(client.http().get(url)).await.ok()?;
    let answer = Answer::from_raw(raw);
    if !answer.success() {
        return None;
    }
    issuer_base(&answer.body, pool_id)
}

/// The issuer base an OpenID configuration names for `pool_id`: its `issuer` without the
/// trailing `/{poolId}`, or `None` when the issuer is not of that form.
pub(super) fn issuer_base(document: &Value, pool_id: &str) -> Option<String> {
    let issuer = document.get("issuer")?.as_str()?;
    let base = issuer.strip_suffix(pool_id)?.strip_suffix('/')?;
    (!base.is_empty()).then(|| base.to_owned())
}

pub(super) async fn cleanup(fixture: &Fixture) {
    for pool in fixture.pools.values() {
        if let Some(domain) = &pool.domain {
            let request = DeleteUserPoolDomainRequest {
                domain: domain.clone(),
                user_pool_id: pool.id.clone(),
            };
            if let Ok(body) = serde_json::to_vec(&request) {
                let _ = admin_send(&fixture.client, "DeleteUserPoolDomain", body).await;
            }
        }
        let request = DeleteUserPoolRequest {
            user_pool_id: pool.id.clone(),
        };
        if let Err(e) = admin(&fixture.client, &request).await {
            tracing::warn!(pool = %pool.id, error = %e, "cleanup failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::issuer_base;
    use serde_json::json;

    #[test]
    fn the_issuer_base_is_the_discovered_issuer_without_the_pool() {
        let pool = "us-east-1_Abc123";
        let doc = json!({"issuer": "http://127.0.0.1:9229/us-east-1_Abc123"});
        assert_eq!(
            issuer_base(&doc, pool).as_deref(),
            Some("http://127.0.0.1:9229")
        );
        let real =
            json!({"issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc123"});
        assert_eq!(
            issuer_base(&real, pool).as_deref(),
            Some("https://cognito-idp.us-east-1.amazonaws.com")
        );
        for other in [
            json!({"issuer": "https://example.com/other-pool"}),
            json!({"issuer": "us-east-1_Abc123"}),
            json!({"issuer": 7}),
            json!({}),
        ] {
            assert_eq!(issuer_base(&other, pool), None, "{other}");
        }
    }
}
