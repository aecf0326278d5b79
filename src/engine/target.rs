//! The system under test as the engine sees it: one wire client, the pool and app client ids,
//! the issuer to verify tokens against, and what can be done there (admin calls, OAuth, reading
//! confirmation codes). Also the set-up before traffic (users) and the clean-up after it.
//!
//! Everything goes over the user-pools API, whatever the target: pools, clients and users are
//! created through the SigV4-signed admin operations, exactly as they would be on Cognito. The
//! only non-Cognito request is reading a confirmation code back from the reference server
//! (`GET {endpoint}_harness/codes/{poolId}/{username}`), and only when the target can
//! ([`Capabilities::read_codes`]); a real pool delivers codes by email or SMS.

use crate::protocol::redact::redact_url;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng as _;

use super::EngineError;
use crate::protocol::ops::*;
use crate::protocol::{AppClient, CallError, CognitoClient, TargetConfig, TransportErrorKind};
use crate::scenario::model::{
    AdminCredentials, Capabilities, DEFAULT_REDIRECT_URI, Endpoint, Scenario, StepKind, Target,
    UserSource,
};

/// A target ready for traffic.
pub struct Resolved {
    /// `embedded` or the endpoint URL, for reports (never credentials).
    pub label: String,
    pub client: CognitoClient,
    pub pool_id: String,
    /// The app client users sign in with.
    pub app: AppClient,
    /// The app client `client_credentials` uses (has a secret), when there is one.
    pub m2m: Option<AppClient>,
    /// The `iss` tokens must carry.
    pub issuer: String,
    pub capabilities: Capabilities,
    /// Base URL of the code read-back path, when [`Capabilities::read_codes`].
    pub codes_base: Option<url::Url>,
    /// Keeps an in-process server alive for the run.
    pub(crate) _server: Option<Box<dyn std::any::Any + Send + Sync>>,
}

/// Whether an error means that nothing answered (exit code 3 before any result).
pub fn is_unreachable(e: &CallError) -> bool {
    matches!(
        e.transport_kind(),
        Some(TransportErrorKind::Connect | TransportErrorKind::Tls | TransportErrorKind::Timeout)
    )
}

fn setup_error(what: &str, e: CallError) -> EngineError {
    use crate::protocol::CognitoErrorKind as K;
    if is_unreachable(&e) {
        EngineError::Unreachable(format!("{what}: {e}"))
    } else if matches!(
        e.service_kind(),
        Some(
            K::UnrecognizedClientException
                | K::InvalidSignatureException
                | K::AccessDeniedException
                | K::ExpiredTokenException
        )
    ) {
        // Credentials the target refuses are a configuration error (exit 2), not a bug.
        EngineError::Config(format!(
            "{what}: the target refused the admin credentials: {e}"
        ))
    } else {
        EngineError::Setup(format!("{what}: {e}"))
    }
}

/// Connects to an endpoint target: builds the client and checks that something answers.
pub async fn resolve_endpoint(scenario: &Scenario) -> Result<Resolved, EngineError> {
    let Target::Endpoint(endpoint) = &scenario.target else {
        return Err(EngineError::Config(
            "resolve_endpoint called for a non-endpoint target".into(),
        ));
    };
    let (credentials, region) = admin_identity(endpoint).await?;
    let mut config = endpoint
        .target_config(&region)
        .map_err(|e| EngineError::Config(e.to_string()))?;
    config.credentials = credentials;
    let client = CognitoClient::new(config).map_err(|e| EngineError::Config(e.to_string()))?;
    let app = match &endpoint.client_secret {
        Some(secret) => AppClient::confidential(&endpoint.client_id, secret.expose()),
        None => AppClient::public(&endpoint.client_id),
    };
    let resolved = Resolved {
        label: redact_url(&endpoint.endpoint),
        client,
        pool_id: endpoint.user_pool_id.clone(),
        m2m: endpoint.client_secret.is_some().then(|| app.clone()),
        app,
        issuer: endpoint.issuer.clone(),
        capabilities: scenario.target.capabilities(),
        codes_base: None,
        _server: None,
    };
    probe(&resolved.client).await?;
    Ok(resolved)
}

/// The admin credentials and the region of an endpoint target, resolved and checked before
/// any traffic: missing or unusable credentials are a configuration error (exit 2) naming what
/// was tried. With `admin: none` no credentials are needed (the client still signs with the
/// `AWS_*` variables when they are set, as before).
async fn admin_identity(
    endpoint: &Endpoint,
) -> Result<(Option<aws_credential_types::Credentials>, String), EngineError> {
    let missing_region =
        || EngineError::Config("target.region is required unless `admin: aws` resolves it".into());
    match &endpoint.admin {
        AdminCredentials::None => Ok((None, endpoint.region.clone().ok_or_else(missing_region)?)),
        AdminCredentials::Env => {
            let credentials = crate::protocol::sigv4::credentials_from_env().ok_or_else(|| {
                EngineError::Config(
                    "admin: env: no credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                     must both be set (or use `admin: aws` for profiles, SSO and the rest of \
                     the AWS credential chain)"
                        .into(),
                )
            })?;
            crate::protocol::credential_chain::check_usable(
                &credentials,
                std::time::SystemTime::now(),
            )
            .map_err(|why| {
                EngineError::Config(format!("admin: env: unusable credentials: {why}"))
            })?;
            Ok((
                Some(credentials),
                endpoint.region.clone().ok_or_else(missing_region)?,
            ))
        }
        AdminCredentials::Aws { profile } => {
            let identity = crate::protocol::credential_chain::resolve(
                profile.as_deref(),
                endpoint.region.is_none(),
            )
            .await
            .map_err(|e| EngineError::Config(e.to_string()))?;
            let region = endpoint
                .region
                .clone()
                .or(identity.region)
                .ok_or_else(missing_region)?;
            Ok((Some(identity.credentials), region))
        }
    }
}

/// Sends one harmless unsigned request (GetUser with a malformed token, which any
/// implementation refuses without side effects): any HTTP answer means the target is up.
pub async fn probe(client: &CognitoClient) -> Result<(), EngineError> {
    match client
        .send_raw(
            op_names::GetUser,
            br#"{"AccessToken":"reachability-probe"}"#.to_vec(),
            false,
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_unreachable(&e) => Err(EngineError::Unreachable(format!(
            "{}: {e}",
            redact_url(&client.config().endpoint)
        ))),
        Err(e) => Err(EngineError::Unreachable(format!(
            "{}: no answer: {e}",
            redact_url(&client.config().endpoint)
        ))),
    }
}

/// Starts the reference server in-process (loopback, any free port, in memory) and creates the
/// run's pool and app clients on it. The server stops when the returned target is dropped.
pub async fn resolve_embedded(scenario: &Scenario, run_id: &str) -> Result<Resolved, EngineError> {
    let server = crate::server::start(crate::server::ServerConfig::default())
        .await
        .map_err(|e| EngineError::Setup(format!("embedded server: {e}")))?;
    let mut resolved = reference_server_at(server.endpoint(), scenario, run_id).await?;
    resolved._server = Some(Box::new(server));
    Ok(resolved)
}

/// A reference server at `endpoint` (the embedded one, or one a test started) prepared for a
/// run: a fresh pool and app clients created over the admin API, codes readable, the issuer the
/// reference server writes (`{endpoint without trailing /}/{poolId}`).
pub async fn reference_server_at(
    endpoint: &str,
    scenario: &Scenario,
    run_id: &str,
) -> Result<Resolved, EngineError> {
    let mut config = local_config(endpoint)?;
    // The reference server serves the OAuth endpoints under its API base URL.
    config.oauth_base = Some(config.endpoint.clone());
    let client = CognitoClient::new(config).map_err(|e| EngineError::Config(e.to_string()))?;
    let (pool_id, app, m2m) = create_pool(&client, run_id, PoolNeeds::of(scenario)).await?;
    let base = client.config().endpoint.clone();
    Ok(Resolved {
        label: "embedded".into(),
        issuer: format!("{}/{pool_id}", base.as_str().trim_end_matches('/')),
        codes_base: Some(base),
        client,
        pool_id,
        app,
        m2m,
        capabilities: Target::Embedded.capabilities(),
        _server: None,
    })
}

/// What a pool created for a run must allow.
#[derive(Debug, Clone, Copy)]
pub struct PoolNeeds {
    /// Some step uses `client_credentials`: a domain, a resource server and a confidential
    /// client allowed that grant.
    pub client_credentials: bool,
    /// Some step uses `authorization_code_pkce`: a domain, and the user client allowed the
    /// code grant with the default callback URL.
    pub authorization_code: bool,
    /// Some step uses `get_tokens_from_refresh_token` and none `refresh`: the user client
    /// rotates refresh tokens (`RefreshTokenRotation` ENABLED, a 10 s retry grace period), as
    /// an app adopting rotation configures it. REFRESH_TOKEN_AUTH is refused on such a client
    /// (developer guide, "Refresh tokens"), so a scenario with a `refresh` step keeps it off.
    pub refresh_rotation: bool,
    /// `setup: { mfa: totp }`: MFA optional with software tokens (SetUserPoolMfaConfig).
    pub totp: bool,
    /// Some step is `user_auth_sign_in`: the user client allows ALLOW_USER_AUTH.
    pub user_auth: bool,
    /// Some `user_auth_sign_in` prefers EMAIL_OTP: the pool allows the EMAIL_OTP first factor
    /// and provisioned users get a verified email address.
    pub email_otp: bool,
}

impl PoolNeeds {
    pub fn of(scenario: &Scenario) -> Self {
        Self {
            client_credentials: scenario
                .flows
                .iter()
                .flat_map(|f| &f.steps)
                .any(|s| matches!(s.kind, StepKind::ClientCredentials { .. })),
            authorization_code: scenario
                .flows
                .iter()
                .flat_map(|f| &f.steps)
                .any(|s| matches!(s.kind, StepKind::AuthorizationCodePkce { .. })),
            refresh_rotation: {
                let mut steps = scenario.flows.iter().flat_map(|f| &f.steps);
                let rotating = steps
                    .clone()
                    .any(|s| matches!(s.kind, StepKind::GetTokensFromRefreshToken));
                rotating && !steps.any(|s| matches!(s.kind, StepKind::Refresh))
            },
            totp: scenario.setup.mfa_totp,
            user_auth: scenario
                .flows
                .iter()
                .flat_map(|f| &f.steps)
                .any(|s| matches!(s.kind, StepKind::UserAuthSignIn { .. })),
            email_otp: scenario.flows.iter().flat_map(|f| &f.steps).any(|s| {
                matches!(
                    s.kind,
                    StepKind::UserAuthSignIn {
                        preferred: crate::scenario::model::PreferredChallenge::EmailOtp,
                        ..
                    }
                )
            }),
        }
    }
}

/// The resource server scope a run's machine-to-machine client is allowed.
pub const M2M_SCOPE: &str = "harness/load";

/// Creates a pool and its app clients on a target over the admin API (the embedded target
/// starts empty). Returns (pool id, user app client, machine-to-machine client).
pub async fn create_pool(
    client: &CognitoClient,
    run_id: &str,
    needs: PoolNeeds,
) -> Result<(String, AppClient, Option<AppClient>), EngineError> {
    let mut pool_request = CreateUserPoolRequest::named(format!("harness-{run_id}"));
    if needs.email_otp {
        // Signed-up users' addresses are verified at confirmation.
        pool_request.auto_verified_attributes = Some(vec![PoolAttributeType::Email]);
        pool_request.policies = Some(UserPoolPolicyType {
            password_policy: None,
            sign_in_policy: Some(SignInPolicyType {
                allowed_first_auth_factors: Some(vec!["PASSWORD".into(), "EMAIL_OTP".into()]),
            }),
        });
    }
    let pool = client
        .create_user_pool(&pool_request)
        .await
        .map_err(|e| setup_error(op_names::CreateUserPool, e))?;
    let pool_id = pool
        .user_pool
        .and_then(|p| p.id)
        .ok_or_else(|| EngineError::Setup("CreateUserPool returned no pool id".into()))?;
    if needs.totp {
        client
            .call(&SetUserPoolMfaConfigRequest {
                user_pool_id: pool_id.clone(),
                software_token_mfa_configuration: Some(SoftwareTokenMfaConfigType {
                    enabled: Some(true),
                }),
                mfa_configuration: Some(UserPoolMfaType::Optional),
                ..Default::default()
            })
            .await
            .map_err(|e| setup_error(op_names::SetUserPoolMfaConfig, e))?;
    }
    let mut user_client =
        CreateUserPoolClientRequest::new(&pool_id, "harness-users").with_user_flows();
    user_client.enable_token_revocation = Some(true);
    if needs.user_auth
        && let Some(flows) = user_client.explicit_auth_flows.as_mut()
    {
        flows.push(ExplicitAuthFlowsType::AllowUserAuth);
    }
    if needs.refresh_rotation {
        user_client.refresh_token_rotation = Some(RefreshTokenRotationType {
            feature: FeatureType::Enabled,
            retry_grace_period_seconds: Some(10),
        });
    }
    if needs.authorization_code {
        // Managed login: the code grant with the user scopes, to the default callback URL.
        user_client = user_client.with_code_grant(
            &[
                "openid",
                "email",
                "phone",
                "profile",
                "aws.cognito.signin.user.admin",
            ],
            DEFAULT_REDIRECT_URI,
        );
    }
    let user_client = client
        .create_user_pool_client(&user_client)
        .await
        .map_err(|e| setup_error(op_names::CreateUserPoolClient, e))?;
    let app = app_of(user_client.user_pool_client)?;
    if needs.client_credentials || needs.authorization_code {
        client
            .create_user_pool_domain(&CreateUserPoolDomainRequest::new(
                &pool_id,
                format!("harness-{run_id}"),
            ))
            .await
            .map_err(|e| setup_error(op_names::CreateUserPoolDomain, e))?;
    }
    let m2m = if needs.client_credentials {
        let (identifier, scope) = M2M_SCOPE.split_once('/').unwrap_or(("harness", "load"));
        client
            .create_resource_server(&CreateResourceServerRequest::with_scope(
                &pool_id,
                identifier,
                scope,
                "load generation",
            ))
            .await
            .map_err(|e| setup_error(op_names::CreateResourceServer, e))?;
        let m2m = client
            .create_user_pool_client(
                &CreateUserPoolClientRequest::new(&pool_id, "harness-m2m")
                    .with_client_credentials(&[M2M_SCOPE]),
            )
            .await
            .map_err(|e| setup_error("CreateUserPoolClient (client_credentials)", e))?;
        Some(app_of(m2m.user_pool_client)?)
    } else {
        None
    };
    Ok((pool_id, app, m2m))
}

fn app_of(client: Option<UserPoolClientType>) -> Result<AppClient, EngineError> {
    let client = client
        .ok_or_else(|| EngineError::Setup("CreateUserPoolClient returned no client".into()))?;
    let id = client
        .client_id
        .ok_or_else(|| EngineError::Setup("CreateUserPoolClient returned no client id".into()))?;
    Ok(match client.client_secret {
        Some(secret) => AppClient::confidential(id, secret),
        None => AppClient::public(id),
    })
}

/// A user of the setup pool. The password changes when a `change_password` or confirmed
/// `forgot_password` step succeeds, so later iterations sign in with the current one.
#[derive(Debug)]
pub struct PoolUser {
    pub username: String,
    pub password: std::sync::Mutex<String>,
    /// The user's CSV row as (column, value), read by `${row.COLUMN}`; empty for provisioned
    /// users.
    pub row: Vec<(String, crate::scenario::Secret)>,
    /// The registered software token (`setup: { mfa: totp }`), set once enrolled.
    pub totp: std::sync::OnceLock<super::enrol::UserTotp>,
}

impl PoolUser {
    pub fn password(&self) -> String {
        self.password
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_password(&self, password: &str) {
        *self.password.lock().unwrap_or_else(|p| p.into_inner()) = password.to_owned();
    }
}

/// A password meeting Cognito's default policy (8+ characters, upper, lower, digit, symbol),
/// fresh per call.
pub fn random_password() -> String {
    const ALNUM: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let body: String = (0..16)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect();
    format!("Aa9!{body}")
}

/// Fills in a username pattern: `{run}`, `{n}` and (for steps) `{flow}`.
pub fn username_from(pattern: &str, run_id: &str, flow: &str, n: u64) -> String {
    pattern
        .replace("{run}", run_id)
        .replace("{flow}", flow)
        .replace("{n}", &n.to_string())
}

/// The codes `_harness/codes` shows for a user.
#[derive(serde::Deserialize)]
struct HarnessCodes {
    #[serde(rename = "ConfirmSignUp")]
    confirm_sign_up: Option<String>,
    #[serde(rename = "ConfirmForgotPassword")]
    confirm_forgot_password: Option<String>,
    #[serde(rename = "EmailOtp", default)]
    email_otp: Option<String>,
}

async fn fetch_codes(
    client: &CognitoClient,
    base: &url::Url,
    pool_id: &str,
    username: &str,
) -> Result<HarnessCodes, CallError> {
    let url =
        crate::protocol::endpoints::join_segments(base, &["_harness", "codes", pool_id, username]);
    let raw = client.execute(client.http().get(url)).await?;
    if !raw.is_success() {
        return Err(crate::protocol::error::decode_error_response(
            raw.status,
            &raw.headers,
            &raw.body,
        ));
    }
    serde_json::from_slice(&raw.body).map_err(|e| CallError::Decode {
        operation: "_harness/codes".into(),
        status: raw.status,
        detail: crate::protocol::error::describe_json_error(&e),
    })
}

/// Reads the latest confirmation codes of a user from the reference server.
pub async fn read_codes(
    client: &CognitoClient,
    base: &url::Url,
    pool_id: &str,
    username: &str,
) -> Result<(Option<String>, Option<String>), CallError> {
    let codes = fetch_codes(client, base, pool_id, username).await?;
    Ok((codes.confirm_sign_up, codes.confirm_forgot_password))
}

/// Reads the code of a user's pending EMAIL_OTP sign-in from the reference server.
pub async fn read_email_otp(
    client: &CognitoClient,
    base: &url::Url,
    pool_id: &str,
    username: &str,
) -> Result<Option<String>, CallError> {
    Ok(fetch_codes(client, base, pool_id, username)
        .await?
        .email_otp)
}

/// Creates (or reads) the setup users of `shard`'s range, paced at `setup.rate` users per
/// second shared among the shards. Usernames keep the scenario-wide `{n}`.
pub async fn provision_users(
    target: &Resolved,
    scenario: &Scenario,
    run_id: &str,
    password: &str,
    shard: crate::shard::Shard,
) -> Result<Vec<Arc<PoolUser>>, EngineError> {
    let setup = &scenario.setup;
    let range = shard.range(setup.users.count());
    match &setup.users {
        UserSource::None => Ok(Vec::new()),
        UserSource::Csv { users, columns, .. } => Ok(users
            .iter()
            .skip(range.start as usize)
            .take((range.end - range.start) as usize)
            .map(|u| {
                Arc::new(PoolUser {
                    username: u.username.clone(),
                    password: std::sync::Mutex::new(u.password.expose().to_owned()),
                    row: columns.iter().cloned().zip(u.row.iter().cloned()).collect(),
                    totp: Default::default(),
                })
            })
            .collect()),
        UserSource::Provision { method, .. } => {
            let email_otp = PoolNeeds::of(scenario).email_otp;
            let rate = if setup.rate.is_finite() && setup.rate > 0.0 {
                setup.rate
            } else {
                crate::scenario::model::DEFAULT_SETUP_RATE
            };
            let rate = rate / f64::from(shard.count.max(1));
            let interval = Duration::from_secs_f64(1.0 / rate);
            let start = tokio::time::Instant::now();
            let mut tasks = tokio::task::JoinSet::new();
            let mut users = Vec::with_capacity((range.end - range.start) as usize);
            for (local, global) in range.enumerate() {
                let n = global + 1;
                let username = username_from(&setup.username, run_id, "setup", n);
                let user = Arc::new(PoolUser {
                    username: username.clone(),
                    password: std::sync::Mutex::new(password.to_owned()),
                    row: Vec::new(),
                    totp: Default::default(),
                });
                users.push(user.clone());
                let totp = setup.mfa_totp;
                let attributes = email_attributes(email_otp, &username);
                tokio::time::sleep_until(start + interval.mul_f64(local as f64)).await;
                let client = target.client.clone();
                let pool_id = target.pool_id.clone();
                let app = target.app.clone();
                let codes = target.codes_base.clone();
                let password = password.to_owned();
                let method = *method;
                tasks.spawn(async move {
                    create_user(
                        &client,
                        &pool_id,
                        &app,
                        codes.as_ref(),
                        method,
                        &username,
                        &password,
                        attributes,
                    )
                    .await?;
                    if totp {
                        let token =
                            super::enrol::enrol(&client, &pool_id, &app, &username, &password)
                                .await?;
                        let _ = user.totp.set(token);
                    }
                    Ok::<(), EngineError>(())
                });
                // Bound the in-flight creations so a slow target is not flooded.
                while tasks.len() >= 64 {
                    if let Some(r) = tasks.join_next().await {
                        r.map_err(|e| EngineError::Setup(e.to_string()))??;
                    }
                }
            }
            while let Some(r) = tasks.join_next().await {
                r.map_err(|e| EngineError::Setup(e.to_string()))??;
            }
            Ok(users)
        }
    }
}

/// The attributes a provisioned user gets: with `email_otp` (a `user_auth_sign_in` step
/// prefers EMAIL_OTP, which needs a verified email address) an address of the reserved
/// `example.com` domain (RFC 2606), or the user name when it is one.
fn email_attributes(email_otp: bool, username: &str) -> Vec<AttributeType> {
    if !email_otp {
        return Vec::new();
    }
    let email = if username.contains('@') {
        username.to_owned()
    } else {
        format!("{username}@example.com")
    };
    vec![AttributeType::new("email", email)]
}

#[allow(clippy::too_many_arguments)]
async fn create_user(
    client: &CognitoClient,
    pool_id: &str,
    app: &AppClient,
    codes: Option<&url::Url>,
    method: crate::scenario::model::ProvisionMethod,
    username: &str,
    password: &str,
    attributes: Vec<AttributeType>,
) -> Result<(), EngineError> {
    use crate::scenario::model::ProvisionMethod;
    match method {
        ProvisionMethod::Admin => {
            // An admin-created address is verified when it says so (AdminCreateUser
            // `email_verified`); the pool verifies a signed-up one at confirmation.
            let mut admin_attributes = attributes.clone();
            if !attributes.is_empty() {
                admin_attributes.push(AttributeType::new("email_verified", "true"));
            }
            client
                .admin_create_user(&AdminCreateUserRequest {
                    user_pool_id: pool_id.to_owned(),
                    username: username.to_owned(),
                    message_action: Some(MessageActionType::Suppress),
                    user_attributes: (!admin_attributes.is_empty()).then_some(admin_attributes),
                    ..Default::default()
                })
                .await
                .map_err(|e| setup_error("setup: AdminCreateUser", e))?;
            client
                .admin_set_user_password(pool_id, username, password, true)
                .await
                .map_err(|e| setup_error("setup: AdminSetUserPassword", e))?;
        }
        ProvisionMethod::SignUp => {
            client
                .sign_up(app, username, password, attributes)
                .await
                .map_err(|e| setup_error("setup: SignUp", e))?;
            let base = codes.ok_or_else(|| {
                EngineError::Config(
                    "setup method sign_up needs confirmation codes, which only the embedded \
                     target exposes"
                        .into(),
                )
            })?;
            let (code, _) = read_codes(client, base, pool_id, username)
                .await
                .map_err(|e| setup_error("setup: reading the confirmation code", e))?;
            let code = code.ok_or_else(|| {
                EngineError::Setup(format!("setup: no confirmation code for {username}"))
            })?;
            client
                .confirm_sign_up(app, username, &code)
                .await
                .map_err(|e| setup_error("setup: ConfirmSignUp", e))?;
        }
    }
    Ok(())
}

/// Deletes users the run created (AdminDeleteUser), at `rate` per second. Returns how many
/// could not be deleted.
pub async fn delete_users(target: &Resolved, usernames: Vec<String>, rate: f64) -> usize {
    let rate = if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        crate::scenario::model::DEFAULT_SETUP_RATE
    };
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut failed = 0;
    for (i, username) in usernames.into_iter().enumerate() {
        tokio::time::sleep_until(start + interval.mul_f64(i as f64)).await;
        let client = target.client.clone();
        let pool_id = target.pool_id.clone();
        tasks.spawn(async move {
            match client.admin_delete_user(&pool_id, &username).await {
                Ok(_) => true,
                // A sign-up that was refused created nothing: nothing to delete.
                Err(e) => matches!(
                    e.service_kind(),
                    Some(crate::protocol::CognitoErrorKind::UserNotFoundException)
                ),
            }
        });
        while tasks.len() >= 64 {
            if let Some(r) = tasks.join_next().await {
                failed += usize::from(!matches!(r, Ok(true)));
            }
        }
    }
    while let Some(r) = tasks.join_next().await {
        failed += usize::from(!matches!(r, Ok(true)));
    }
    failed
}

/// The wire configuration for a local endpoint (the embedded server) with fixed admin
/// credentials (the reference server accepts any by default).
pub fn local_config(endpoint: &str) -> Result<TargetConfig, EngineError> {
    let mut config =
        TargetConfig::local(endpoint).map_err(|e| EngineError::Config(e.to_string()))?;
    config.credentials = Some(crate::protocol::sigv4::static_credentials(
        "harness-embedded",
        "harness-embedded-secret",
        None,
    ));
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fill_every_placeholder() {
        assert_eq!(
            username_from("{run}-{flow}-{n}", "r1", "sign_up", 7),
            "r1-sign_up-7"
        );
        assert_eq!(
            username_from("harness-{run}-{n}", "x", "f", 1),
            "harness-x-1"
        );
    }

    #[test]
    fn random_passwords_meet_the_default_policy_and_differ() {
        let a = random_password();
        let b = random_password();
        assert_ne!(a, b);
        assert!(a.len() >= 8);
        assert!(a.chars().any(|c| c.is_ascii_uppercase()));
        assert!(a.chars().any(|c| c.is_ascii_lowercase()));
        assert!(a.chars().any(|c| c.is_ascii_digit()));
        assert!(a.chars().any(|c| !c.is_ascii_alphanumeric()));
    }
}
