//! Running cases against a target: provision, run (concurrently where independent), verdict,
//! clean up.
//!
//! Provisioning goes through the SigV4-signed admin API of the one wire client
//! ([`CognitoClient`]): per run, a `main` and an `email` pool with uniquely named app clients
//! (see [`ClientName`]), a resource server and a domain. Every case then creates its own users
//! with names unique to the run, so cases share no state and run in parallel, bounded by
//! [`RunOptions::concurrency`]. The pools (and with them every user) are deleted at the end.
//!
//! A step's answer is checked against its expectations; the first step with a mismatch ends
//! the case, since later steps depend on its captures. A case whose needs the target lacks is
//! skipped with "needs X".

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use chrono::{Datelike, Utc};
use rand::Rng as _;
use serde_json::{Value, json};
use tokio::sync::{Mutex, Semaphore};

use super::case::{
    CallStep, Capability, Case, ClientName, CodeKind, CodeStep, Expect, JwtUse, LoginStep,
    OAuthAuth, OAuthEndpoint, OAuthStep, PoolName, SrpIdentity, SrpStepChecked, StepKind,
    TimestampForm, UserStatus, UserStep,
};
use super::matcher::{redact, resolve_pointer};
use super::report::{CaseOutcome, CaseResult, ConformanceReport, Mismatch};
use super::template::{self, TemplateError, Vars};
use crate::jwt::{AcceptedTokenUse, KeySet, VerifyPolicy, verify_token};
use crate::protocol::client::RawRequest;
use crate::protocol::error::sanitize_error_type;
use crate::protocol::ops::{
    AdminCreateUserConfigType, CreateResourceServerRequest, CreateUserPoolClientRequest,
    CreateUserPoolDomainRequest, CreateUserPoolRequest, DeleteUserPoolDomainRequest,
    DeleteUserPoolRequest, ExplicitAuthFlowsType, Operation, OperationKind, PasswordPolicyType,
    PoolAttributeType, PreventUserExistenceErrorTypes,
};
use crate::protocol::sigv4::{credentials_from_env, static_credentials};
use crate::protocol::{CallError, CognitoClient, ConfigError, RawResponse, TargetConfig};
use crate::srp::{PasswordVerifierChallenge, SrpClient, math};

/// Seconds of clock skew tolerated on `exp`/`iat` when checking tokens: the target and the
/// harness read different clocks, even on one machine.
pub const JWT_LEEWAY_SECS: u32 = 5;

/// Where confirmation and forgot-password codes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSource {
    /// The target's codes cannot be read: cases that need `read_codes` are skipped.
    Unavailable,
    /// The target issues this fixed code (ministack and cognito-local issue 123456; moto
    /// accepts any code).
    Fixed(String),
    /// The reference server's `GET {endpoint}_harness/codes/{poolId}/{username}`.
    Harness,
}

/// The target and what it offers.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    /// The JSON 1.1 endpoint (`http://127.0.0.1:PORT/`).
    pub endpoint: String,
    /// A human label for reports (`ministack 1.5.33`). Default: none (the endpoint is shown).
    pub label: Option<String>,
    /// The `iss` of a pool's tokens is `{issuer_base}/{poolId}`. Default (None): the real
    /// service's `https://cognito-idp.{region}.amazonaws.com`.
    pub issuer_base: Option<String>,
    /// The OAuth domain's base URL (`oauth2/token` is appended). Default (None): the endpoint.
    pub oauth_base: Option<String>,
    /// What the target offers. Default for a URL target: everything but `read_codes`, which
    /// comes with a [`CodeSource`].
    pub capabilities: BTreeSet<Capability>,
    pub codes: CodeSource,
    /// Allow a non-loopback endpoint. Default false.
    pub allow_remote: bool,
}

impl TargetSpec {
    /// A URL target with the default capabilities.
    pub fn url(endpoint: impl Into<String>) -> Self {
        let mut capabilities: BTreeSet<Capability> = Capability::ALL.into_iter().collect();
        capabilities.remove(&Capability::ReadCodes);
        TargetSpec {
            endpoint: endpoint.into(),
            label: None,
            issuer_base: None,
            oauth_base: None,
            capabilities,
            codes: CodeSource::Unavailable,
            allow_remote: false,
        }
    }

    /// Sets the code source, adding or removing `read_codes`.
    pub fn with_codes(mut self, codes: CodeSource) -> Self {
        if codes == CodeSource::Unavailable {
            self.capabilities.remove(&Capability::ReadCodes);
        } else {
            self.capabilities.insert(Capability::ReadCodes);
        }
        self.codes = codes;
        self
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Cases in flight at once. Default 4 (SRP cases cost a few ms of CPU each).
    pub concurrency: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { concurrency: 4 }
    }
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("target configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("cannot provision the {pool} pool: {detail}")]
    Provision { pool: &'static str, detail: String },
    #[error("the target did not answer: {0}")]
    Unreachable(String),
}

#[derive(Debug, Clone)]
struct ClientFixture {
    id: String,
    secret: Option<String>,
}

#[derive(Debug)]
struct PoolFixture {
    id: String,
    clients: BTreeMap<ClientName, Result<ClientFixture, String>>,
    domain: Option<String>,
}

struct Fixture {
    client: CognitoClient,
    spec: TargetSpec,
    run: String,
    region: String,
    pools: BTreeMap<PoolName, PoolFixture>,
    jwks: Mutex<BTreeMap<String, KeySet>>,
}

/// The answer to one step, as the checks see it.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    headers: http::HeaderMap,
    /// The body parsed as JSON; `Null` when it is not JSON.
    body: Value,
}

impl Answer {
    fn from_raw(raw: RawResponse) -> Answer {
        let body = serde_json::from_slice(&raw.body).unwrap_or(Value::Null);
        Answer {
            status: raw.status,
            headers: raw.headers,
            body,
        }
    }

    fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A password satisfying the pools' policy (upper, lower, digit, symbol, 20 characters).
fn random_password() -> String {
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
fn client_request(pool_id: &str, run: &str, name: ClientName) -> CreateUserPoolClientRequest {
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
    request
}

async fn provision_pool(
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
            (Some(e), ClientName::Oauth | ClientName::Code) => Err(e.clone()),
            _ => admin(client, &client_request(&id, run, name))
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

async fn cleanup(fixture: &Fixture) {
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

/// Builds the wire client for a target.
pub fn target_client(spec: &TargetSpec) -> Result<CognitoClient, ConfigError> {
    let mut config = TargetConfig::local(&spec.endpoint)?;
    config.allow_non_loopback = spec.allow_remote;
    config.oauth_base = None;
    let config = config.oauth_base(spec.oauth_base.as_deref().unwrap_or(&spec.endpoint))?;
    let mut config = config;
    if credentials_from_env().is_none() {
        // Emulators accept any key; ministack's IAM mode takes `test` as root.
        config.credentials = Some(static_credentials("test", "test", None));
    }
    CognitoClient::new(config)
}

/// Runs `cases` against the target and returns the report. Provisioning failures of the pools
/// are errors; a failure to create one app client fails only the cases that use it.
pub async fn run_suite(
    cases: Vec<Case>,
    spec: &TargetSpec,
    options: &RunOptions,
) -> Result<ConformanceReport, RunError> {
    let started = Utc::now();
    let clock = Instant::now();
    let client = target_client(spec)?;
    let run = random_token(8);
    let needed: BTreeSet<PoolName> = cases
        .iter()
        .filter(|c| c.needs.is_subset(&spec.capabilities))
        .map(|c| c.pool)
        .collect();
    let mut pools = BTreeMap::new();
    for pool in needed {
        match provision_pool(&client, &run, pool).await {
            Ok(p) => {
                pools.insert(pool, p);
            }
            Err(e) => {
                let partial = Fixture {
                    client: client.clone(),
                    spec: spec.clone(),
                    run: run.clone(),
                    region: client.config().region.clone(),
                    pools,
                    jwks: Mutex::new(BTreeMap::new()),
                };
                cleanup(&partial).await;
                return Err(e);
            }
        }
    }
    let fixture = Arc::new(Fixture {
        region: client.config().region.clone(),
        client,
        spec: spec.clone(),
        run,
        pools,
        jwks: Mutex::new(BTreeMap::new()),
    });
    let semaphore = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (index, case) in cases.into_iter().enumerate() {
        let fixture = fixture.clone();
        let semaphore = semaphore.clone();
        set.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            (index, run_case(&fixture, &case, index).await)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(r) => results.push(r),
            Err(e) => tracing::error!(error = %e, "a case task panicked"),
        }
    }
    results.sort_by_key(|(i, _)| *i);
    cleanup(&fixture).await;
    Ok(ConformanceReport::new(
        spec.endpoint.clone(),
        spec.label.clone(),
        started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        clock.elapsed().as_millis() as u64,
        results.into_iter().map(|(_, r)| r).collect(),
    ))
}

struct CaseVars<'a> {
    fixture: &'a Fixture,
    pool: &'a PoolFixture,
    client: ClientFixture,
    simple: BTreeMap<&'static str, String>,
    captures: BTreeMap<String, String>,
}

impl Vars for CaseVars<'_> {
    fn lookup(&self, name: &str) -> Option<String> {
        if let Some(c) = name.strip_prefix("captures.") {
            return self.captures.get(c).cloned();
        }
        if let Some(rest) = name.strip_prefix("clients.") {
            let (client, field) = rest.rsplit_once('.')?;
            let c = self
                .pool
                .clients
                .get(&ClientName::parse(client)?)?
                .as_ref()
                .ok()?;
            return match field {
                "id" => Some(c.id.clone()),
                _ => c.secret.clone(),
            };
        }
        match name {
            "pool_id" => Some(self.pool.id.clone()),
            "client_id" => Some(self.client.id.clone()),
            "client_secret" => self.client.secret.clone(),
            "region" => Some(self.fixture.region.clone()),
            "endpoint" => Some(self.fixture.client.config().endpoint.to_string()),
            "issuer" => Some(issuer(self.fixture, &self.pool.id)),
            "run" => Some(self.fixture.run.clone()),
            other => self.simple.get(other).cloned(),
        }
    }

    fn secret_hash(&self, username: &str) -> Option<String> {
        let secret = self.client.secret.as_ref()?;
        Some(crate::protocol::secret_hash(secret, username, &self.client.id).into_inner())
    }
}

impl CaseVars<'_> {
    fn expand(&self, text: &str) -> Result<String, TemplateError> {
        template::expand(text, self)
    }
}

fn issuer(fixture: &Fixture, pool_id: &str) -> String {
    match &fixture.spec.issuer_base {
        Some(base) => format!("{}/{pool_id}", base.trim_end_matches('/')),
        None => crate::jwt::cognito_issuer(&fixture.region, pool_id),
    }
}

/// What a step produced.
enum StepOutcome {
    Checked(Vec<Mismatch>),
    Skip(String),
}

fn mismatch(
    step: &str,
    what: impl Into<String>,
    expected: impl Into<String>,
    got: impl Into<String>,
) -> Mismatch {
    Mismatch {
        step: step.to_owned(),
        what: what.into(),
        expected: expected.into(),
        got: got.into(),
    }
}

async fn run_case(fixture: &Fixture, case: &Case, index: usize) -> CaseResult {
    let start = Instant::now();
    let mut result = CaseResult {
        id: case.id.clone(),
        area: case.area.clone(),
        title: case.title.clone(),
        reference: case.reference.clone(),
        level: case.level,
        outcome: CaseOutcome::Passed,
        mismatches: Vec::new(),
        duration_ms: 0,
    };
    let missing: Vec<&str> = case
        .needs
        .iter()
        .filter(|n| !fixture.spec.capabilities.contains(n))
        .map(|n| n.as_str())
        .collect();
    if !missing.is_empty() {
        result.outcome = CaseOutcome::Skipped {
            reason: format!("needs {}", missing.join(", ")),
        };
        return result;
    }
    let setup_failure = |what: String| {
        vec![mismatch(
            "0: setup",
            "provisioning",
            "the case's pool and client",
            what,
        )]
    };
    let outcome = match fixture.pools.get(&case.pool) {
        None => StepOutcome::Checked(setup_failure(format!("no {} pool", case.pool.as_str()))),
        Some(pool) => match pool.clients.get(&case.client) {
            Some(Ok(client)) => {
                let user = format!("c{}-{index}", fixture.run);
                let user2 = format!("{user}-b");
                let simple = BTreeMap::from([
                    ("email", format!("{user}@example.com")),
                    ("email2", format!("{user2}@example.com")),
                    ("user", user),
                    ("user2", user2),
                    ("password", random_password()),
                    ("password2", random_password()),
                ]);
                let mut vars = CaseVars {
                    fixture,
                    pool,
                    client: client.clone(),
                    simple,
                    captures: BTreeMap::new(),
                };
                let outcome = run_steps(fixture, case, &mut vars).await;
                scrub(outcome, &vars)
            }
            Some(Err(e)) => StepOutcome::Checked(setup_failure(format!(
                "client {}: {e}",
                case.client.as_str()
            ))),
            None => {
                StepOutcome::Checked(setup_failure(format!("no {} client", case.client.as_str())))
            }
        },
    };
    match outcome {
        StepOutcome::Checked(m) if m.is_empty() => {}
        StepOutcome::Checked(m) => {
            result.outcome = CaseOutcome::Failed;
            result.mismatches = m;
        }
        StepOutcome::Skip(reason) => result.outcome = CaseOutcome::Skipped { reason },
    }
    result.duration_ms = start.elapsed().as_millis() as u64;
    result
}

/// Replaces the run's generated names and ids in mismatch texts with their template names, so
/// reports and expected-failure records read the same from run to run.
fn scrub(outcome: StepOutcome, vars: &CaseVars<'_>) -> StepOutcome {
    let StepOutcome::Checked(mismatches) = outcome else {
        return outcome;
    };
    let mut names: Vec<(String, String)> = Vec::new();
    for key in ["email2", "email", "user2", "user"] {
        if let Some(v) = vars.simple.get(key) {
            names.push((v.clone(), format!("{{{key}}}")));
        }
    }
    names.push((vars.pool.id.clone(), "{pool_id}".to_owned()));
    for (name, client) in &vars.pool.clients {
        if let Ok(c) = client {
            names.push((c.id.clone(), format!("{{clients.{}.id}}", name.as_str())));
        }
    }
    names.push((vars.fixture.run.clone(), "{run}".to_owned()));
    let endpoint = vars.fixture.client.config().endpoint.to_string();
    names.push((
        endpoint.trim_end_matches('/').to_owned(),
        "{endpoint}".to_owned(),
    ));
    let clean = |text: String| {
        names
            .iter()
            .filter(|(value, _)| !value.is_empty())
            .fold(text, |t, (value, name)| t.replace(value.as_str(), name))
    };
    StepOutcome::Checked(
        mismatches
            .into_iter()
            .map(|m| Mismatch {
                step: m.step,
                what: clean(m.what),
                expected: clean(m.expected),
                got: clean(m.got),
            })
            .collect(),
    )
}

async fn run_steps(fixture: &Fixture, case: &Case, vars: &mut CaseVars<'_>) -> StepOutcome {
    for (i, step) in case.steps.iter().enumerate() {
        let label = format!("{}: {}", i + 1, step.label);
        let answer = match &step.kind {
            StepKind::Call(call) => do_call(fixture, call, vars).await,
            StepKind::User(user) => do_user(fixture, user, vars).await,
            StepKind::Srp(srp) => match do_srp(fixture, srp, vars, &label).await {
                Ok(SrpAnswer::Final(a)) => Ok(a),
                Ok(SrpAnswer::Mismatches(m)) => return StepOutcome::Checked(m),
                Ok(SrpAnswer::Skip(reason)) => return StepOutcome::Skip(reason),
                Err(e) => Err(e),
            },
            StepKind::OAuth(o) => do_oauth(fixture, case, o, vars).await,
            StepKind::Get(path) => do_get(fixture, &path.0, vars).await,
            StepKind::Login(l) => do_login(fixture, case, l, vars).await,
            StepKind::Code(c) => match do_code(fixture, c, vars).await {
                Ok(()) => continue,
                Err(e) => Err(e),
            },
        };
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                return StepOutcome::Checked(vec![mismatch(&label, "request", "an answer", e)]);
            }
        };
        let is_setup = matches!(step.kind, StepKind::User(_));
        let mut found = if is_setup && !answer.success() {
            vec![mismatch(&label, "setup", "2xx", describe_error(&answer))]
        } else {
            check(&step.expect, &answer, vars, fixture, &label, "").await
        };
        if found.is_empty() {
            for (name, pointer) in &step.capture {
                match resolve_pointer(&answer.body, pointer) {
                    Some(Value::String(s)) => {
                        vars.captures.insert(name.clone(), s.clone());
                    }
                    Some(other) => {
                        vars.captures.insert(name.clone(), other.to_string());
                    }
                    None => found.push(mismatch(
                        &label,
                        format!("capture {name}"),
                        format!("{pointer} present"),
                        "absent",
                    )),
                }
            }
        }
        if !found.is_empty() {
            return StepOutcome::Checked(found);
        }
    }
    StepOutcome::Checked(Vec::new())
}

fn describe_error(answer: &Answer) -> String {
    let t = answer
        .body
        .get("__type")
        .and_then(Value::as_str)
        .unwrap_or("<no __type>");
    let m = message_of(&answer.body).unwrap_or_default();
    format!("HTTP {} {t} {m:?}", answer.status)
}

fn message_of(body: &Value) -> Option<String> {
    body.get("message")
        .or_else(|| body.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

async fn check(
    expect: &Expect,
    answer: &Answer,
    vars: &mut CaseVars<'_>,
    fixture: &Fixture,
    step: &str,
    prefix: &str,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let what = |w: &str| format!("{prefix}{w}");
    match &expect.status {
        Some(allowed) if !allowed.contains(&answer.status) => out.push(mismatch(
            step,
            what("status"),
            allowed
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            describe_error(answer),
        )),
        Some(_) => {}
        None if expect.expects_error() && answer.success() => out.push(mismatch(
            step,
            what("status"),
            "an error",
            format!("HTTP {}", answer.status),
        )),
        None if !expect.expects_error() && !answer.success() => out.push(mismatch(
            step,
            what("status"),
            "2xx",
            describe_error(answer),
        )),
        None => {}
    }
    if let Some(t) = &expect.error_type {
        let got = answer
            .body
            .get("__type")
            .and_then(Value::as_str)
            .map(sanitize_error_type);
        if got != Some(t.as_str()) {
            out.push(mismatch(step, what("__type"), t, got.unwrap_or("<none>")));
        }
    }
    if let Some(m) = &expect.message {
        match m.map_strings(&|v| template::expand_value(v, &*vars)) {
            Ok(m) => {
                let got = message_of(&answer.body).map(Value::String);
                if !m.matches(got.as_ref()) {
                    out.push(mismatch(
                        step,
                        what("message"),
                        m.describe(),
                        got.map_or("<none>".to_owned(), |g| g.to_string()),
                    ));
                }
            }
            Err(e) => out.push(mismatch(step, what("message"), "a template", e.to_string())),
        }
    }
    for (name, m) in &expect.headers {
        let got = answer
            .headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .map(|s| Value::String(s.to_owned()));
        match m.map_strings(&|v| template::expand_value(v, &*vars)) {
            Ok(m) if m.matches(got.as_ref()) => {}
            Ok(m) => out.push(mismatch(
                step,
                what(&format!("header {name}")),
                m.describe(),
                got.map_or("<absent>".to_owned(), |g| g.to_string()),
            )),
            Err(e) => out.push(mismatch(
                step,
                what(&format!("header {name}")),
                "a template",
                e.to_string(),
            )),
        }
    }
    for (pointer, m) in &expect.body {
        let got = resolve_pointer(&answer.body, pointer);
        match m.map_strings(&|v| template::expand_value(v, &*vars)) {
            Ok(m) if m.matches(got) => {}
            Ok(m) => out.push(mismatch(
                step,
                what(&format!("body {pointer}")),
                m.describe(),
                got.map_or("<absent>".to_owned(), |g| redact(pointer, g)),
            )),
            Err(e) => out.push(mismatch(
                step,
                what(&format!("body {pointer}")),
                "a template",
                e.to_string(),
            )),
        }
    }
    for j in &expect.jwt {
        let token = if j.token.starts_with('/') {
            resolve_pointer(&answer.body, &j.token)
                .and_then(Value::as_str)
                .map(str::to_owned)
        } else {
            vars.expand(&j.token).ok()
        };
        let label = what(&format!("jwt {}", j.token));
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            out.push(mismatch(step, label, "a token", "<absent>"));
            continue;
        };
        let client_id = match j.client {
            None => Some(vars.client.id.clone()),
            Some(c) => vars
                .pool
                .clients
                .get(&c)
                .and_then(|r| r.as_ref().ok())
                .map(|c| c.id.clone()),
        };
        let Some(client_id) = client_id else {
            out.push(mismatch(step, label, "a provisioned client", "none"));
            continue;
        };
        let mut policy = VerifyPolicy::new(issuer(fixture, &vars.pool.id), [client_id]);
        policy.token_use = match j.token_use {
            JwtUse::Id => AcceptedTokenUse::Id,
            JwtUse::Access => AcceptedTokenUse::Access,
        };
        policy.require_username = j.require_username;
        policy.leeway_secs = JWT_LEEWAY_SECS;
        if let Err(e) = verify_jwt(fixture, &vars.pool.id, &token, &policy).await {
            out.push(mismatch(
                step,
                format!("{label} (signature and claim rules)"),
                "a token that verifies against the pool's JWKS",
                e,
            ));
        }
        let (header, claims) = decode_jwt_parts(&token);
        for (pointer, m) in &j.header {
            let got = resolve_pointer(&header, pointer);
            match m.map_strings(&|v| template::expand_value(v, &*vars)) {
                Ok(m) if m.matches(got) => {}
                Ok(m) => out.push(mismatch(
                    step,
                    format!("{label} header {pointer}"),
                    m.describe(),
                    got.map_or("<absent>".to_owned(), |g| redact(pointer, g)),
                )),
                Err(e) => out.push(mismatch(step, label.clone(), "a template", e.to_string())),
            }
        }
        for (pointer, m) in &j.claims {
            let got = resolve_pointer(&claims, pointer);
            match m.map_strings(&|v| template::expand_value(v, &*vars)) {
                Ok(m) if m.matches(got) => {}
                Ok(m) => out.push(mismatch(
                    step,
                    format!("{label} claim {pointer}"),
                    m.describe(),
                    got.map_or("<absent>".to_owned(), |g| redact(pointer, g)),
                )),
                Err(e) => out.push(mismatch(step, label.clone(), "a template", e.to_string())),
            }
        }
        for (name, pointer) in &j.capture {
            let got = match pointer.strip_prefix("header") {
                Some(p) => resolve_pointer(&header, p),
                None => resolve_pointer(&claims, pointer),
            };
            match got {
                Some(Value::String(s)) => {
                    vars.captures.insert(name.clone(), s.clone());
                }
                Some(other) => {
                    vars.captures.insert(name.clone(), other.to_string());
                }
                None => out.push(mismatch(
                    step,
                    format!("{label} capture {name}"),
                    format!("{pointer} present"),
                    "absent",
                )),
            }
        }
    }
    out
}

fn decode_jwt_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next = || {
        parts
            .next()
            .and_then(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null)
    };
    let header = next();
    let claims = next();
    (header, claims)
}

async fn verify_jwt(
    fixture: &Fixture,
    pool_id: &str,
    token: &str,
    policy: &VerifyPolicy,
) -> Result<(), String> {
    let now = Utc::now().timestamp();
    let mut cache = fixture.jwks.lock().await;
    for attempt in 0..2 {
        if attempt == 1 || !cache.contains_key(pool_id) {
            let bytes = fixture
                .client
                .fetch_jwks(pool_id)
                .await
                .map_err(|e| format!("JWKS fetch: {e}"))?;
            let keys = KeySet::from_jwks_json(&bytes).map_err(|e| format!("JWKS: {e}"))?;
            cache.insert(pool_id.to_owned(), keys);
        }
        let keys = cache.get(pool_id).expect("inserted above");
        match verify_token(token, keys, policy, now) {
            Ok(_) => return Ok(()),
            Err(e) if e.unknown_kid().is_some() && attempt == 0 => continue,
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("unknown kid after a JWKS refetch".to_owned())
}

async fn do_call(
    fixture: &Fixture,
    call: &CallStep,
    vars: &CaseVars<'_>,
) -> Result<Answer, String> {
    let body = match (&call.body, &call.body_text) {
        (Some(v), _) => template::expand_value(v, vars)
            .map_err(|e| e.to_string())?
            .to_string()
            .into_bytes(),
        (None, Some(t)) => vars.expand(t).map_err(|e| e.to_string())?.into_bytes(),
        (None, None) => b"{}".to_vec(),
    };
    let signed = call
        .signed
        .unwrap_or_else(|| match OperationKind::from_name(&call.op) {
            Some(kind) => kind.requires_sigv4(),
            None => call.op.starts_with("Admin") || call.op.contains("UserPool"),
        });
    let mut req = RawRequest::operation(&call.op, body, signed);
    if let Some(t) = &call.target {
        req.target = (!t.is_empty()).then(|| t.clone());
    }
    if let Some(ct) = &call.content_type {
        req.content_type = (!ct.is_empty()).then(|| ct.clone());
    }
    send(&fixture.client, &req).await
}

async fn send(client: &CognitoClient, req: &RawRequest) -> Result<Answer, String> {
    client
        .send(req)
        .await
        .map(Answer::from_raw)
        .map_err(|e: CallError| e.to_string())
}

async fn call_json(
    fixture: &Fixture,
    op: &str,
    body: Value,
    signed: bool,
) -> Result<Answer, String> {
    send(
        &fixture.client,
        &RawRequest::operation(op, body.to_string().into_bytes(), signed),
    )
    .await
}

async fn do_user(
    fixture: &Fixture,
    user: &UserStep,
    vars: &mut CaseVars<'_>,
) -> Result<Answer, String> {
    let name = vars.expand(&user.name).map_err(|e| e.to_string())?;
    let password = vars.expand(&user.password).map_err(|e| e.to_string())?;
    let email = match &user.email {
        Some(e) => Some(vars.expand(e).map_err(|e| e.to_string())?),
        None => None,
    };
    let pool_id = vars.pool.id.clone();
    let answer = match user.status {
        UserStatus::Unconfirmed => {
            let mut body = json!({
                "ClientId": vars.client.id, "Username": name, "Password": password,
            });
            if let Some(e) = &email {
                body["UserAttributes"] = json!([{"Name": "email", "Value": e}]);
            }
            if let Some(h) = vars.secret_hash(&name) {
                body["SecretHash"] = json!(h);
            }
            call_json(fixture, "SignUp", body, false).await?
        }
        UserStatus::Confirmed | UserStatus::ForceChange => {
            let mut body = json!({
                "UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
            });
            if let Some(e) = &email {
                body["UserAttributes"] = json!([
                    {"Name": "email", "Value": e},
                    {"Name": "email_verified", "Value": "true"}
                ]);
            }
            if user.status == UserStatus::ForceChange {
                body["TemporaryPassword"] = json!(password);
            }
            let created = call_json(fixture, "AdminCreateUser", body, true).await?;
            if created.success() && user.status == UserStatus::Confirmed {
                let set = call_json(
                    fixture,
                    "AdminSetUserPassword",
                    json!({"UserPoolId": pool_id, "Username": name, "Password": password,
                           "Permanent": true}),
                    true,
                )
                .await?;
                if !set.success() {
                    return Ok(set);
                }
            }
            created
        }
    };
    if answer.success() {
        for group in &user.groups {
            let _ = call_json(
                fixture,
                "CreateGroup",
                json!({"UserPoolId": pool_id, "GroupName": group}),
                true,
            )
            .await?;
            let added = call_json(
                fixture,
                "AdminAddUserToGroup",
                json!({"UserPoolId": pool_id, "Username": name, "GroupName": group}),
                true,
            )
            .await?;
            if !added.success() {
                return Ok(added);
            }
        }
    }
    Ok(answer)
}

enum SrpAnswer {
    Final(Answer),
    Mismatches(Vec<Mismatch>),
    Skip(String),
}

fn timestamp(form: TimestampForm, now: chrono::DateTime<Utc>) -> Option<String> {
    Some(match form {
        TimestampForm::Canonical => math::format_timestamp(now),
        TimestampForm::ZeroPaddedDay => {
            if now.day() >= 10 {
                return None;
            }
            now.format("%a %b %d %H:%M:%S UTC %Y").to_string()
        }
        TimestampForm::WrongWeekday => {
            let canonical = math::format_timestamp(now);
            let other = (now + chrono::Duration::days(1)).format("%a").to_string();
            format!("{other}{}", &canonical[3..])
        }
        TimestampForm::Malformed => now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

async fn do_srp(
    fixture: &Fixture,
    srp: &SrpStepChecked,
    vars: &mut CaseVars<'_>,
    label: &str,
) -> Result<SrpAnswer, String> {
    let step = &srp.step;
    let now = Utc::now();
    let Some(ts) = timestamp(step.timestamp, now) else {
        return Ok(SrpAnswer::Skip(format!(
            "a zero-padded day needs a day of the month below 10 (today is the {})",
            now.day()
        )));
    };
    let username = vars.expand(&step.username).map_err(|e| e.to_string())?;
    let password = vars.expand(&step.password).map_err(|e| e.to_string())?;
    let client = tokio::task::spawn_blocking(|| SrpClient::from_rng(&mut rand::rng()))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let pool_id = vars.pool.id.clone();
    let mut params = json!({"USERNAME": username, "SRP_A": client.a_pub_hex()});
    if !step.omit_secret_hash
        && let Some(h) = vars.secret_hash(&username)
    {
        params["SECRET_HASH"] = json!(h);
    }
    let (init_op, respond_op) = if step.admin {
        ("AdminInitiateAuth", "AdminRespondToAuthChallenge")
    } else {
        ("InitiateAuth", "RespondToAuthChallenge")
    };
    let mut body = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": vars.client.id,
                          "AuthParameters": params});
    if step.admin {
        body["UserPoolId"] = json!(pool_id);
    }
    let initiated = call_json(fixture, init_op, body, step.admin).await?;
    if !initiated.success() {
        return Ok(SrpAnswer::Final(initiated));
    }
    let found = check(
        &srp.challenge,
        &initiated,
        vars,
        fixture,
        label,
        "challenge ",
    )
    .await;
    if !found.is_empty() {
        return Ok(SrpAnswer::Mismatches(found));
    }
    let name = initiated.body.get("ChallengeName").and_then(Value::as_str);
    if name != Some("PASSWORD_VERIFIER") {
        return Ok(SrpAnswer::Mismatches(vec![mismatch(
            label,
            "challenge ChallengeName",
            "\"PASSWORD_VERIFIER\"",
            name.unwrap_or("<absent>"),
        )]));
    }
    let p = |k: &str| str_at(&initiated.body, &format!("/ChallengeParameters/{k}"));
    let (Some(salt), Some(srp_b), Some(secret_block), Some(user_id)) = (
        p("SALT"),
        p("SRP_B"),
        p("SECRET_BLOCK"),
        p("USER_ID_FOR_SRP"),
    ) else {
        return Ok(SrpAnswer::Mismatches(vec![mismatch(
            label,
            "challenge ChallengeParameters",
            "SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP",
            redact(
                "/ChallengeParameters",
                initiated
                    .body
                    .get("ChallengeParameters")
                    .unwrap_or(&Value::Null),
            ),
        )]));
    };
    let identity = match step.identity {
        SrpIdentity::UserIdForSrp => user_id.clone(),
        SrpIdentity::Typed => username.clone(),
    };
    let challenge = PasswordVerifierChallenge {
        salt,
        srp_b,
        secret_block: secret_block.clone(),
        user_id_for_srp: identity.clone(),
        username: p("USERNAME").unwrap_or_default(),
    };
    let pool_for_math = pool_id.clone();
    let ts_for_math = ts.clone();
    let signature = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let keys = client
            .session_keys(&challenge, &pool_for_math, &password)
            .map_err(|e| format!("the challenge cannot be answered: {e}"))?;
        let pool_name = math::pool_name(&pool_for_math).map_err(|e| e.to_string())?;
        // A SECRET_BLOCK that is not base64 is signed as its text, so a target that issues one
        // is still probed for whether it checks the signature at all.
        let block = math::decode_secret_block(&challenge.secret_block)
            .unwrap_or_else(|_| challenge.secret_block.as_bytes().to_vec());
        let sig = math::password_claim_signature(
            &keys.key,
            pool_name,
            &challenge.user_id_for_srp,
            &block,
            &ts_for_math,
        );
        Ok(math::encode_signature(&sig))
    })
    .await
    .map_err(|e| e.to_string())?;
    let signature = match signature {
        Ok(s) => s,
        Err(e) => {
            return Ok(SrpAnswer::Mismatches(vec![mismatch(
                label,
                "challenge",
                "a PASSWORD_VERIFIER challenge an SRP client can answer",
                e,
            )]));
        }
    };
    let mut responses = json!({
        "USERNAME": identity,
        "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
        "TIMESTAMP": ts,
        "PASSWORD_CLAIM_SIGNATURE": signature,
    });
    if !step.omit_secret_hash
        && let Some(h) = vars.secret_hash(&identity)
    {
        responses["SECRET_HASH"] = json!(h);
    }
    let mut body = json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": vars.client.id,
                          "ChallengeResponses": responses});
    if let Some(session) = initiated.body.get("Session").filter(|s| s.is_string()) {
        body["Session"] = session.clone();
    }
    if step.admin {
        body["UserPoolId"] = json!(pool_id);
    }
    let answered = call_json(fixture, respond_op, body.clone(), step.admin).await?;
    if !step.replay {
        return Ok(SrpAnswer::Final(answered));
    }
    if !answered.success() {
        return Ok(SrpAnswer::Mismatches(vec![mismatch(
            label,
            "first sign-in (before the replay)",
            "2xx",
            describe_error(&answered),
        )]));
    }
    Ok(SrpAnswer::Final(
        call_json(fixture, respond_op, body, step.admin).await?,
    ))
}

async fn do_oauth(
    fixture: &Fixture,
    case: &Case,
    step: &OAuthStep,
    vars: &CaseVars<'_>,
) -> Result<Answer, String> {
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
    let mut authorization = None;
    match auth {
        OAuthAuth::Basic | OAuthAuth::BasicWrongSecret => {
            let secret = client.secret.clone().unwrap_or_default();
            let secret = if auth == OAuthAuth::BasicWrongSecret {
                format!("{secret}x")
            } else {
                secret
            };
            authorization = Some(
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
    let http = fixture.client.http();
    let mut builder = if step.endpoint == OAuthEndpoint::UserInfo {
        http.get(url)
    } else {
        http.post(url)
            .header(
                http::header::CONTENT_TYPE,
                step.content_type
                    .as_deref()
                    .unwrap_or(crate::protocol::oauth2::FORM_CONTENT_TYPE),
            )
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&pairs)
                    .finish(),
            )
    };
    if let Some(a) = authorization {
        builder = builder.header(http::header::AUTHORIZATION, a);
    }
    if let Some(b) = &step.bearer {
        let token = vars.expand(b).map_err(|e| e.to_string())?;
        builder = builder.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
    }
    fixture
        .client
        .execute(builder)
        .await
        .map(Answer::from_raw)
        .map_err(|e| e.to_string())
}

async fn do_login(
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

async fn do_get(fixture: &Fixture, path: &str, vars: &CaseVars<'_>) -> Result<Answer, String> {
    let path = vars.expand(path).map_err(|e| e.to_string())?;
    let url = fixture
        .client
        .config()
        .endpoint
        .join(path.trim_start_matches('/'))
        .map_err(|e| e.to_string())?;
    fixture
        .client
        .execute(fixture.client.http().get(url))
        .await
        .map(Answer::from_raw)
        .map_err(|e| e.to_string())
}

async fn do_code(
    fixture: &Fixture,
    step: &CodeStep,
    vars: &mut CaseVars<'_>,
) -> Result<(), String> {
    let code = match &fixture.spec.codes {
        CodeSource::Unavailable => return Err("no code source for this target".to_owned()),
        CodeSource::Fixed(code) => code.clone(),
        CodeSource::Harness => {
            let user = vars.expand(&step.user).map_err(|e| e.to_string())?;
            let base = &fixture.client.config().endpoint;
            let url = crate::protocol::endpoints::join_segments(
                base,
                &["_harness", "codes", &vars.pool.id, &user],
            );
            let answer = fixture
                .client
                .execute(fixture.client.http().get(url))
                .await
                .map(Answer::from_raw)
                .map_err(|e| e.to_string())?;
            if !answer.success() {
                return Err(format!("reading the code: {}", describe_error(&answer)));
            }
            let key = match step.kind {
                CodeKind::ConfirmSignUp => "ConfirmSignUp",
                CodeKind::ConfirmForgotPassword => "ConfirmForgotPassword",
            };
            answer
                .body
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("no {key} code was issued for the user"))?
                .to_owned()
        }
    };
    vars.captures.insert(step.into.clone(), code);
    Ok(())
}
