//! Shared set-up for the reference-server tests: a server on 127.0.0.1:0, the project's wire
//! client pointed at it, and helpers for pools, clients, codes and SRP sign-ins.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cognito_harness::protocol::ops::*;
use cognito_harness::protocol::sigv4::static_credentials;
use cognito_harness::protocol::{AppClient, CallError, CognitoClient, ParamMap, TargetConfig};
use cognito_harness::server::{RunningServer, ServerConfig, start};
use cognito_harness::srp::{PasswordVerifierChallenge, SrpClient};

pub const PASSWORD: &str = "Corr3ct-Horse!";

/// A clock tests can move forward.
#[derive(Clone)]
pub struct TestClock(pub Arc<Mutex<SystemTime>>);

impl TestClock {
    pub fn new() -> Self {
        TestClock(Arc::new(Mutex::new(SystemTime::now())))
    }
    pub fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
    pub fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

pub struct Harness {
    pub server: RunningServer,
    pub client: CognitoClient,
    pub clock: TestClock,
}

pub async fn harness_with(mut config: ServerConfig) -> Harness {
    let clock = TestClock::new();
    let c = clock.clone();
    config.clock = Arc::new(move || c.now());
    let server = start(config).await.expect("server starts");
    let mut target = TargetConfig::local(server.endpoint()).unwrap();
    target.credentials = Some(static_credentials("AKIDTEST", "test-secret", None));
    let client = CognitoClient::new(target).unwrap();
    Harness {
        server,
        client,
        clock,
    }
}

pub async fn harness() -> Harness {
    harness_with(ServerConfig::default()).await
}

impl Harness {
    pub async fn pool(&self, req: CreateUserPoolRequest) -> String {
        self.client
            .create_user_pool(&req)
            .await
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap()
    }

    pub async fn default_pool(&self) -> String {
        self.pool(CreateUserPoolRequest {
            pool_name: "test".into(),
            ..Default::default()
        })
        .await
    }

    pub async fn app(&self, req: CreateUserPoolClientRequest) -> AppClient {
        let c = self
            .client
            .create_user_pool_client(&req)
            .await
            .unwrap()
            .user_pool_client
            .unwrap();
        match c.client_secret {
            Some(s) => AppClient::confidential(c.client_id.unwrap(), s),
            None => AppClient::public(c.client_id.unwrap()),
        }
    }

    /// A client with SRP, USER_PASSWORD_AUTH, admin password auth and refresh.
    pub async fn all_flows_app(&self, pool_id: &str, secret: bool) -> AppClient {
        self.app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.into(),
            client_name: "app".into(),
            generate_secret: Some(secret),
            explicit_auth_flows: Some(vec![
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ]),
            ..Default::default()
        })
        .await
    }

    /// One operation with a raw JSON body (SigV4-signed when `signed`): status and JSON answer.
    pub async fn call_json(
        &self,
        op: &str,
        body: serde_json::Value,
        signed: bool,
    ) -> (u16, serde_json::Value) {
        let r = self
            .client
            .send_raw(op, body.to_string().into_bytes(), signed)
            .await
            .unwrap();
        let json = if r.body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&r.body).unwrap()
        };
        (r.status, json)
    }

    /// The `_harness/codes` answer.
    pub async fn codes(&self, pool_id: &str, username: &str) -> (u16, serde_json::Value) {
        let url = format!(
            "{}_harness/codes/{pool_id}/{username}",
            self.server.endpoint()
        );
        let r = reqwest::get(url).await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// A user's `sub`, read with AdminGetUser.
    pub async fn user_sub(&self, pool_id: &str, username: &str) -> String {
        self.client
            .admin_get_user(pool_id, username)
            .await
            .unwrap()
            .user_attributes
            .unwrap_or_default()
            .into_iter()
            .find(|a| a.name == "sub")
            .and_then(|a| a.value)
            .expect("a sub")
    }

    /// A confirmed user with `PASSWORD`, through SignUp + ConfirmSignUp.
    pub async fn confirmed_user(&self, pool_id: &str, app: &AppClient, username: &str) {
        self.client
            .sign_up(
                app,
                username,
                PASSWORD,
                vec![AttributeType::new(
                    "email",
                    format!("{username}@example.com"),
                )],
            )
            .await
            .unwrap();
        let (_, codes) = self.codes(pool_id, username).await;
        let code = codes["ConfirmSignUp"].as_str().unwrap().to_owned();
        self.client
            .confirm_sign_up(app, username, &code)
            .await
            .unwrap();
    }

    /// A full USER_SRP_AUTH sign-in; returns the PASSWORD_VERIFIER answer.
    pub async fn srp_sign_in(
        &self,
        pool_id: &str,
        app: &AppClient,
        username: &str,
        password: &str,
    ) -> Result<RespondToAuthChallengeResponse, CallError> {
        let srp = SrpClient::from_rng(&mut rand::rng()).unwrap();
        let init = self
            .client
            .initiate_auth(
                app,
                AuthFlowType::UserSrpAuth,
                ParamMap::new()
                    .with("USERNAME", username)
                    .with("SRP_A", srp.a_pub_hex()),
                None,
            )
            .await?;
        assert_eq!(
            init.challenge_name,
            Some(ChallengeNameType::PasswordVerifier)
        );
        let p = init.challenge_parameters.unwrap();
        let challenge = PasswordVerifierChallenge::from_parameters(|k| p[k].clone());
        let answer = srp
            .respond(&challenge, pool_id, password, chrono::Utc::now())
            .unwrap();
        self.client
            .respond_to_auth_challenge(
                app,
                ChallengeNameType::PasswordVerifier,
                None,
                ParamMap::new()
                    .with("USERNAME", &answer.username)
                    .with(
                        "PASSWORD_CLAIM_SECRET_BLOCK",
                        &answer.password_claim_secret_block,
                    )
                    .with("TIMESTAMP", &answer.timestamp)
                    .with("PASSWORD_CLAIM_SIGNATURE", &answer.password_claim_signature),
                None,
            )
            .await
    }
}

/// The Cognito error type and message of a failed call.
pub fn service_error(e: &CallError) -> (String, String) {
    match e {
        CallError::Service(s) => (
            s.kind.as_str().to_owned(),
            s.message.clone().unwrap_or_default(),
        ),
        other => panic!("not a service error: {other}"),
    }
}

pub fn expect_err<T: std::fmt::Debug>(r: Result<T, CallError>) -> (String, String) {
    service_error(&r.expect_err("call should fail"))
}
