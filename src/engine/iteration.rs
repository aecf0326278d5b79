//! One iteration of a flow: its steps in order, each request timed and classified, the tokens
//! and codes handed from one step to the next.
//!
//! Timing (no coordinated omission): the first request of an iteration, its first step and the
//! iteration itself are timed from the iteration's *intended* start (the pacer's time, even when
//! every VU was busy and it started late); later steps from the end of the previous step's think
//! time; a step's second request (RespondToAuthChallenge after InitiateAuth) from when it was
//! sent, since it could not be sent before the first answer.
//!
//! Outcomes: a request that fails the way the step's `expect` says counts as ok; a
//! TooManyRequestsException (or any HTTP 429) is a throttle, not an error; a failure without an
//! answer counts by transport kind (`connect`, `timeout`, ...). An iteration stops at its first
//! failed step (later steps would lack its tokens) and takes that step's outcome.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::Utc;

use super::target::{PoolUser, Resolved, random_password, read_codes, username_from};
use crate::jwt::KeySet;
use crate::jwt::{AcceptedTokenUse, VerifyPolicy, verify_token};
use crate::metrics::{Outcome, Recorder, StepId};
use crate::protocol::oauth2::authorize_url;
use crate::protocol::ops::*;
use crate::protocol::{
    AppClient, CallError, ClientAuthMethod, CognitoErrorKind, Grant, ParamMap, Pkce, Sensitive,
};
use crate::quota;
use crate::scenario::model::{
    AUTHORIZATION_CODE_OPERATION, ConfirmVia, DEFAULT_REDIRECT_URI, Expect, Flow,
    MANAGED_LOGIN_OPERATION, Scenario, Step, StepKind, TokenUse, UserSelection,
};
use crate::srp::{PasswordVerifierChallenge, SrpClient};

/// How a request, step or iteration failed (owned, so it outlives the error it came from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Error(String),
    Throttled,
    Transport(&'static str),
}

impl Failure {
    fn outcome(&self) -> Outcome<'_> {
        match self {
            Failure::Error(label) => Outcome::Error(label),
            Failure::Throttled => Outcome::Throttled,
            Failure::Transport(kind) => Outcome::Transport(kind),
        }
    }
}

fn outcome_of(result: &Result<(), Failure>) -> Outcome<'_> {
    match result {
        Ok(()) => Outcome::Ok,
        Err(f) => f.outcome(),
    }
}

/// How one failed call counts.
pub fn classify(e: &CallError) -> Failure {
    if e.status() == Some(429)
        || matches!(
            e.service_kind(),
            Some(CognitoErrorKind::TooManyRequestsException)
        )
    {
        return Failure::Throttled;
    }
    if let Some(kind) = e.transport_kind() {
        return Failure::Transport(kind.as_str());
    }
    Failure::Error(e.label())
}

/// Whether `e` is the failure `expect` asks for: the exception name (`NotAuthorizedException`)
/// or OAuth code (`invalid_client`, also written `oauth:invalid_client`), and the status if given.
pub fn matches_expected(e: &CallError, expect: &Expect) -> bool {
    let Some(wanted) = &expect.error else {
        return false;
    };
    let label = e.label();
    let name_ok = label == *wanted || label.strip_prefix("oauth:") == Some(wanted.as_str());
    name_ok && expect.status.is_none_or(|s| e.status() == Some(s))
}

/// Counters shown by the live progress, per flow (lock-free).
#[derive(Debug, Default)]
pub struct FlowCounters {
    pub started: AtomicU64,
    pub ok: AtomicU64,
    pub failed: AtomicU64,
    pub requests: AtomicU64,
    pub request_errors: AtomicU64,
    pub throttles: AtomicU64,
}

/// What every VU of a run shares.
pub struct Shared {
    /// The part of the scenario this process runs ([`crate::shard::Shard::WHOLE`] unless
    /// `run --shard`).
    pub segment: crate::shard::Shard,
    pub scenario: Arc<Scenario>,
    pub target: Resolved,
    pub run_id: String,
    /// The setup password (given, or random per run).
    pub password: String,
    pub pool: Vec<Arc<PoolUser>>,
    /// Users created by `sign_up` steps (for clean-up).
    pub created: std::sync::Mutex<Vec<String>>,
    /// Recorders, one per shard; a VU records into `shards[vu % len]` (short, uncontended
    /// critical sections instead of one recorder per VU, which would cost a histogram set each).
    pub shards: Vec<std::sync::Mutex<Recorder>>,
    /// Time zero of the run (intended times are offsets from it).
    pub start: Instant,
    /// Per flow: iterations this process numbered so far (`{n}` of sign-up usernames is their
    /// scenario-wide number, [`crate::shard::Shard::global_number`]).
    pub iteration_numbers: Vec<AtomicU64>,
    /// Per flow: the next pool user (sequential and unique selection).
    pub user_cursors: Vec<AtomicU64>,
    pub counters: Vec<FlowCounters>,
    /// The target's signing keys, fetched on first use by `verify_tokens`.
    pub keys: tokio::sync::OnceCell<Result<KeySet, String>>,
    /// Seed of `random` user selection.
    pub seed: u64,
}

impl Shared {
    fn record(&self, vu: usize, f: impl FnOnce(&mut Recorder)) {
        let shard = &self.shards[vu % self.shards.len()];
        let mut guard = shard.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard);
    }

    fn pick_user(&self, flow: usize, selection: UserSelection) -> Option<Arc<PoolUser>> {
        let len = self.pool.len() as u64;
        if len == 0 {
            return None;
        }
        let index = match selection {
            UserSelection::Sequential => {
                self.user_cursors[flow].fetch_add(1, Ordering::Relaxed) % len
            }
            UserSelection::Unique => {
                let i = self.user_cursors[flow].fetch_add(1, Ordering::Relaxed);
                if i >= len {
                    return None;
                }
                i
            }
            UserSelection::Random => {
                let n = self.user_cursors[flow].fetch_add(1, Ordering::Relaxed);
                splitmix64(self.seed ^ (flow as u64).rotate_left(32) ^ n) % len
            }
        };
        self.pool.get(index as usize).cloned()
    }

    async fn keys(&self) -> Result<&KeySet, String> {
        let result = self
            .keys
            .get_or_init(|| async {
                let bytes = self
                    .target
                    .client
                    .fetch_jwks(&self.target.pool_id)
                    .await
                    .map_err(|e| format!("jwks:{}", e.label()))?;
                KeySet::from_jwks_json(&bytes).map_err(|_| "jwks:invalid".to_string())
            })
            .await;
        result.as_ref().map_err(Clone::clone)
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The user an iteration acts as.
struct User {
    username: String,
    password: String,
    /// Set when the user is from the setup pool, so password changes persist.
    pooled: Option<Arc<PoolUser>>,
}

/// Tokens a step produced.
#[derive(Clone)]
struct Tokens {
    access: Option<Sensitive>,
    id: Option<Sensitive>,
    refresh: Option<Sensitive>,
    /// Tokens of a user (false for client_credentials).
    user: bool,
    /// The username the SECRET_HASH of a refresh is keyed on.
    username: Option<String>,
}

impl Tokens {
    fn from_result(r: AuthenticationResultType, username: Option<String>) -> Self {
        Self {
            access: r.access_token,
            id: r.id_token,
            refresh: r.refresh_token,
            user: true,
            username,
        }
    }
}

struct IterationState {
    user: Option<User>,
    /// Tokens by step index.
    tokens: Vec<Option<Tokens>>,
    last_tokens: Option<usize>,
}

impl IterationState {
    fn tokens_for(&self, step: &Step) -> Option<&Tokens> {
        let index = step.tokens_from.or(self.last_tokens)?;
        self.tokens.get(index)?.as_ref()
    }
}

/// Timing and recording of one step's requests.
struct StepCalls<'a> {
    shared: &'a Shared,
    vu: usize,
    expect: &'a Expect,
    /// When the next request counts from: the step's intended start, then `None` (sent now).
    due: Option<Instant>,
    counters: &'a FlowCounters,
}

/// A step ended early: as expected (`Ok`) or with a failure.
type Ended = Result<(), Failure>;

impl StepCalls<'_> {
    /// Sends one request of the step and records it. `last`: whether it is the step's final
    /// request (where `expect` applies to a success). `Err` ends the step.
    async fn call<T>(
        &mut self,
        operation: &'static str,
        last: bool,
        fut: impl Future<Output = Result<T, CallError>>,
    ) -> Result<T, Ended> {
        let from = self.due.take().unwrap_or_else(Instant::now);
        let result = fut.await;
        let latency = from.elapsed();
        let at = from.saturating_duration_since(self.shared.start);
        let (outcome, flow): (Result<(), Failure>, Result<T, Ended>) = match result {
            Ok(v) => {
                if last && self.expect.error.is_some() {
                    let f = Failure::Error("unexpected_success".into());
                    (Err(f.clone()), Err(Err(f)))
                } else if last && self.expect.status.is_some_and(|s| s != 200) {
                    // JSON 1.1 and the token endpoint answer a success with 200.
                    let f = Failure::Error("unexpected_status".into());
                    (Err(f.clone()), Err(Err(f)))
                } else {
                    (Ok(()), Ok(v))
                }
            }
            Err(e) if matches_expected(&e, self.expect) => (Ok(()), Err(Ok(()))),
            Err(e) => {
                let f = classify(&e);
                (Err(f.clone()), Err(Err(f)))
            }
        };
        let category = quota::category_of(operation);
        self.shared.record(self.vu, |r| {
            r.record_request(at, category, latency, outcome_of(&outcome))
        });
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        match &outcome {
            Ok(()) => {}
            Err(Failure::Throttled) => {
                self.counters.throttles.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                self.counters.request_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        flow
    }
}

/// Runs one iteration of `flow_index`, intended to start at `intended`.
pub async fn run_iteration(shared: &Shared, flow_index: usize, intended: Instant, vu: usize) {
    let flow = &shared.scenario.flows[flow_index];
    let counters = &shared.counters[flow_index];
    counters.started.fetch_add(1, Ordering::Relaxed);
    let n = shared
        .segment
        .global_number(shared.iteration_numbers[flow_index].fetch_add(1, Ordering::Relaxed) + 1);
    let mut state = IterationState {
        user: None,
        tokens: vec![None; flow.steps.len()],
        last_tokens: None,
    };
    let mut result: Result<(), Failure> = Ok(());
    if flow.draws_pool_user() {
        match shared.pick_user(flow_index, flow.users) {
            Some(u) => {
                state.user = Some(User {
                    username: u.username.clone(),
                    password: u.password(),
                    pooled: Some(u),
                })
            }
            None => result = Err(Failure::Error("no_user_left".into())),
        }
    }
    let mut step_due = intended;
    if result.is_ok() {
        for (index, step) in flow.steps.iter().enumerate() {
            let step_id = StepId(step_base(shared, flow_index) + index);
            let outcome =
                run_step(shared, flow_index, step, index, n, &mut state, step_due, vu).await;
            let latency = step_due.elapsed();
            shared.record(vu, |r| {
                r.record_step(step_id, latency, outcome_of(&outcome))
            });
            if outcome.is_err() {
                result = outcome;
                break;
            }
            if !step.think.is_zero() {
                tokio::time::sleep(step.think).await;
            }
            step_due = Instant::now();
        }
    }
    let latency = intended.elapsed();
    shared.record(vu, |r| {
        r.record_iteration(flow_index, latency, outcome_of(&result))
    });
    match result {
        Ok(()) => counters.ok.fetch_add(1, Ordering::Relaxed),
        Err(_) => counters.failed.fetch_add(1, Ordering::Relaxed),
    };
}

/// The [`StepId`] of a flow's first step (the layout lists steps flow by flow).
fn step_base(shared: &Shared, flow_index: usize) -> usize {
    shared.scenario.flows[..flow_index]
        .iter()
        .map(|f| f.steps.len())
        .sum()
}

fn missing(what: &str) -> Failure {
    Failure::Error(format!("missing_{what}"))
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    shared: &Shared,
    flow_index: usize,
    step: &Step,
    index: usize,
    n: u64,
    state: &mut IterationState,
    due: Instant,
    vu: usize,
) -> Result<(), Failure> {
    let mut calls = StepCalls {
        shared,
        vu,
        expect: &step.expect,
        due: Some(due),
        counters: &shared.counters[flow_index],
    };
    let flow = &shared.scenario.flows[flow_index];
    step_body(shared, flow, step, index, n, state, &mut calls).await
}

async fn step_body(
    shared: &Shared,
    flow: &Flow,
    step: &Step,
    index: usize,
    n: u64,
    state: &mut IterationState,
    calls: &mut StepCalls<'_>,
) -> Result<(), Failure> {
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
    // `Err(Ok(()))` from a call: the step ended as expected.
    macro_rules! call {
        ($op:expr, $last:expr, $fut:expr) => {
            match calls.call($op, $last, $fut).await {
                Ok(v) => v,
                Err(ended) => return ended,
            }
        };
    }
    match &step.kind {
        StepKind::SignUp {
            username,
            password,
            attributes,
        } => {
            let username = username_from(username, &shared.run_id, &flow.name, n);
            let password = password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_else(|| shared.password.clone());
            let attributes = attributes
                .iter()
                .map(|(k, v)| AttributeType::new(k, v))
                .collect();
            // Created or not, clean-up tries it (a lost answer may still have created it).
            shared
                .created
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(username.clone());
            call!(
                "SignUp",
                true,
                client.sign_up(app, &username, &password, attributes)
            );
            state.user = Some(User {
                username,
                password,
                pooled: None,
            });
            Ok(())
        }
        StepKind::ConfirmSignUp { via } => {
            let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
            match via {
                ConfirmVia::Admin => {
                    call!(
                        "AdminConfirmSignUp",
                        true,
                        client.admin_confirm_sign_up(&t.pool_id, &user.username)
                    );
                }
                ConfirmVia::Code => {
                    let base = t.codes_base.as_ref().ok_or_else(|| missing("codes"))?;
                    // Reading the code is harness bookkeeping, not Cognito traffic: unrecorded,
                    // and the ConfirmSignUp is timed from when it is sent.
                    let (code, _) = read_codes(client, base, &t.pool_id, &user.username)
                        .await
                        .map_err(|e| Failure::Error(format!("codes:{}", e.label())))?;
                    let code = code.ok_or_else(|| missing("code"))?;
                    calls.due = calls.due.map(|_| Instant::now());
                    call!(
                        "ConfirmSignUp",
                        true,
                        client.confirm_sign_up(app, &user.username, &code)
                    );
                }
            }
            Ok(())
        }
        StepKind::SrpSignIn { password } => {
            let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
            let password = password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_else(|| user.password.clone());
            let username = user.username.clone();
            // SRP maths on the blocking pool, never on an I/O thread.
            let srp = tokio::task::spawn_blocking(|| SrpClient::from_rng(&mut rand::rng()))
                .await
                .map_err(|_| Failure::Error("srp:task".into()))?
                .map_err(|_| Failure::Error("srp:client".into()))?;
            let params = ParamMap::new()
                .with("USERNAME", username.as_str())
                .with("SRP_A", srp.a_pub_hex());
            let init = call!(
                "InitiateAuth",
                false,
                client.initiate_auth(app, AuthFlowType::UserSrpAuth, params, Some(&username))
            );
            if init.challenge_name != Some(ChallengeNameType::PasswordVerifier) {
                return Err(Failure::Error("unexpected_challenge".into()));
            }
            let cp = init.challenge_parameters.unwrap_or_default();
            let challenge = PasswordVerifierChallenge::from_parameters(|k| {
                cp.get(k).cloned().unwrap_or_default()
            });
            let pool_id = t.pool_id.clone();
            let response = tokio::task::spawn_blocking(move || {
                srp.respond(&challenge, &pool_id, &password, Utc::now())
            })
            .await
            .map_err(|_| Failure::Error("srp:task".into()))?
            .map_err(|e| Failure::Error(format!("srp:{e}")))?;
            let responses = ParamMap::new()
                .with("USERNAME", response.username.as_str())
                .with(
                    "PASSWORD_CLAIM_SECRET_BLOCK",
                    response.password_claim_secret_block,
                )
                .with("TIMESTAMP", response.timestamp)
                .with(
                    "PASSWORD_CLAIM_SIGNATURE",
                    response.password_claim_signature,
                );
            let out = call!(
                "RespondToAuthChallenge",
                true,
                client.respond_to_auth_challenge(
                    app,
                    ChallengeNameType::PasswordVerifier,
                    init.session,
                    responses,
                    Some(&response.username),
                )
            );
            store_auth(state, index, out.authentication_result, Some(username))
        }
        StepKind::PasswordSignIn { password } => {
            let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
            let password = password
                .as_ref()
                .map(|p| p.expose())
                .unwrap_or(&user.password)
                .to_owned();
            let username = user.username.clone();
            let out = call!(
                "InitiateAuth",
                true,
                client.user_password_auth(app, &username, &password)
            );
            store_auth(state, index, out.authentication_result, Some(username))
        }
        StepKind::AdminSignIn { password } => {
            let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
            let password = password
                .as_ref()
                .map(|p| p.expose())
                .unwrap_or(&user.password)
                .to_owned();
            let username = user.username.clone();
            let params = ParamMap::new()
                .with("USERNAME", username.as_str())
                .with("PASSWORD", password);
            let out = call!(
                "AdminInitiateAuth",
                true,
                client.admin_initiate_auth(
                    &t.pool_id,
                    app,
                    AuthFlowType::AdminUserPasswordAuth,
                    params,
                    None
                )
            );
            store_auth(state, index, out.authentication_result, Some(username))
        }
        StepKind::Refresh => {
            let tokens = state.tokens_for(step).ok_or_else(|| missing("tokens"))?;
            let refresh = tokens
                .refresh
                .clone()
                .ok_or_else(|| missing("refresh_token"))?;
            let username = tokens.username.clone();
            let out = call!(
                "InitiateAuth",
                true,
                client.refresh_token_auth(app, refresh.expose(), username.as_deref())
            );
            let mut fresh = Tokens::from_result(
                out.authentication_result
                    .ok_or_else(|| missing("authentication_result"))?,
                username,
            );
            // REFRESH_TOKEN_AUTH does not return a new refresh token unless rotation is on.
            if fresh.refresh.is_none() {
                fresh.refresh = Some(refresh);
            }
            state.tokens[index] = Some(fresh);
            state.last_tokens = Some(index);
            Ok(())
        }
        StepKind::GetUser => {
            let access = user_access(state, step)?;
            call!("GetUser", true, client.get_user(access.expose()));
            Ok(())
        }
        StepKind::ChangePassword { new_password } => {
            let access = user_access(state, step)?;
            let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
            let new = new_password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_else(random_password);
            call!(
                "ChangePassword",
                true,
                client.change_password(access.expose(), Some(&user.password), &new)
            );
            set_password(state, &new);
            Ok(())
        }
        StepKind::ForgotPassword {
            confirm,
            new_password,
        } => {
            let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
            let username = user.username.clone();
            call!(
                "ForgotPassword",
                !confirm,
                client.forgot_password(app, &username)
            );
            if *confirm {
                let base = t.codes_base.as_ref().ok_or_else(|| missing("codes"))?;
                let (_, code) = read_codes(client, base, &t.pool_id, &username)
                    .await
                    .map_err(|e| Failure::Error(format!("codes:{}", e.label())))?;
                let code = code.ok_or_else(|| missing("code"))?;
                let new = new_password
                    .as_ref()
                    .map(|p| p.expose().to_owned())
                    .unwrap_or_else(random_password);
                call!(
                    "ConfirmForgotPassword",
                    true,
                    client.confirm_forgot_password(app, &username, &code, &new)
                );
                set_password(state, &new);
            }
            Ok(())
        }
        StepKind::GlobalSignOut => {
            let access = user_access(state, step)?;
            call!(
                "GlobalSignOut",
                true,
                client.global_sign_out(access.expose())
            );
            Ok(())
        }
        StepKind::RevokeToken => {
            let tokens = state.tokens_for(step).ok_or_else(|| missing("tokens"))?;
            let refresh = tokens
                .refresh
                .clone()
                .ok_or_else(|| missing("refresh_token"))?;
            call!(
                "RevokeToken",
                true,
                client.revoke_token(app, refresh.expose())
            );
            Ok(())
        }
        StepKind::ClientCredentials { scopes } => {
            let m2m: &AppClient = t.m2m.as_ref().ok_or_else(|| missing("client_secret"))?;
            let scope = if scopes.is_empty() {
                None
            } else {
                Some(scopes.join(" "))
            };
            let out = call!(
                quota::CLIENT_CREDENTIALS_OPERATION,
                true,
                client.oauth_token(
                    m2m,
                    ClientAuthMethod::SecretBasic,
                    &Grant::ClientCredentials { scope }
                )
            );
            state.tokens[index] = Some(Tokens {
                access: Some(out.access_token),
                id: None,
                refresh: None,
                user: false,
                username: None,
            });
            state.last_tokens = Some(index);
            Ok(())
        }
        StepKind::AuthorizationCodePkce {
            scopes,
            redirect_uri,
        } => {
            let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
            let username = user.username.clone();
            let password = Sensitive::new(user.password.clone());
            let redirect = redirect_uri
                .clone()
                .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_owned());
            let base = client
                .config()
                .oauth_base
                .clone()
                .ok_or_else(|| missing("oauth_domain"))?;
            let pkce = Pkce::from_entropy(rand::random());
            let expected_state = format!("{:016x}", rand::random::<u64>());
            let scope = scopes.join(" ");
            let url = authorize_url(
                &base,
                &app.client_id,
                &redirect,
                (!scope.is_empty()).then_some(scope.as_str()),
                Some(&expected_state),
                Some(&pkce),
            );
            let login = call!(
                MANAGED_LOGIN_OPERATION,
                false,
                client.managed_login(&url, &redirect, &username, &password)
            );
            if login.state.as_deref() != Some(expected_state.as_str()) {
                return Err(Failure::Error("oauth:state_mismatch".into()));
            }
            let out = call!(
                AUTHORIZATION_CODE_OPERATION,
                true,
                client.oauth_token(
                    app,
                    ClientAuthMethod::SecretBasic,
                    &Grant::AuthorizationCode {
                        code: login.code,
                        redirect_uri: redirect,
                        code_verifier: Some(pkce.verifier),
                    }
                )
            );
            state.tokens[index] = Some(Tokens {
                access: Some(out.access_token),
                id: out.id_token,
                refresh: out.refresh_token,
                user: true,
                username: Some(username),
            });
            state.last_tokens = Some(index);
            Ok(())
        }
        StepKind::VerifyTokens { token } => {
            let tokens = state
                .tokens_for(step)
                .ok_or_else(|| missing("tokens"))?
                .clone();
            let keys = shared.keys().await.map_err(Failure::Error)?;
            let mut client_ids = vec![t.app.client_id.clone()];
            if let Some(m2m) = &t.m2m {
                client_ids.push(m2m.client_id.clone());
            }
            let mut policy = VerifyPolicy::new(t.issuer.clone(), client_ids);
            policy.require_username = tokens.user;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let wanted: &[(AcceptedTokenUse, &Option<Sensitive>, &str)] = &[
                (AcceptedTokenUse::Id, &tokens.id, "id_token"),
                (AcceptedTokenUse::Access, &tokens.access, "access_token"),
            ];
            for (use_, value, name) in wanted {
                let wanted = match token {
                    TokenUse::Both => true,
                    TokenUse::Id => *use_ == AcceptedTokenUse::Id,
                    TokenUse::Access => *use_ == AcceptedTokenUse::Access,
                };
                // Client-credentials grants have no ID token; `both` checks what there is.
                if !wanted || (value.is_none() && !tokens.user && *token == TokenUse::Both) {
                    continue;
                }
                let value = value.as_ref().ok_or_else(|| missing(name))?;
                policy.token_use = *use_;
                verify_token(value.expose(), keys, &policy, now)
                    .map_err(|e| Failure::Error(format!("jwt:{}", e.kind().code())))?;
            }
            Ok(())
        }
    }
}

fn user_access(state: &IterationState, step: &Step) -> Result<Sensitive, Failure> {
    let tokens = state.tokens_for(step).ok_or_else(|| missing("tokens"))?;
    if !tokens.user {
        return Err(missing("user_tokens"));
    }
    tokens.access.clone().ok_or_else(|| missing("access_token"))
}

fn set_password(state: &mut IterationState, new: &str) {
    if let Some(user) = state.user.as_mut() {
        user.password = new.to_owned();
        if let Some(pooled) = &user.pooled {
            pooled.set_password(new);
        }
    }
}

fn store_auth(
    state: &mut IterationState,
    index: usize,
    result: Option<AuthenticationResultType>,
    username: Option<String>,
) -> Result<(), Failure> {
    let result = result.ok_or_else(|| missing("authentication_result"))?;
    state.tokens[index] = Some(Tokens::from_result(result, username));
    state.last_tokens = Some(index);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::TransportErrorKind;
    use crate::protocol::error::{ErrorTypeSource, ServiceError, TransportError};

    fn service(kind: &str, status: u16) -> CallError {
        CallError::Service(ServiceError {
            kind: CognitoErrorKind::from(kind),
            raw_type: kind.to_string(),
            type_source: ErrorTypeSource::BodyType,
            message: None,
            status,
            request_id: None,
        })
    }

    #[test]
    fn throttles_are_apart_from_errors() {
        assert_eq!(
            classify(&service("TooManyRequestsException", 400)),
            Failure::Throttled
        );
        assert_eq!(
            classify(&service("NotAuthorizedException", 400)),
            Failure::Error("NotAuthorizedException".into())
        );
        let transport = CallError::Transport(TransportError {
            kind: TransportErrorKind::Timeout,
            status: None,
            detail: String::new(),
        });
        assert_eq!(classify(&transport), Failure::Transport("timeout"));
    }

    #[test]
    fn expected_errors_match_by_name_and_status() {
        let e = service("NotAuthorizedException", 400);
        let mut expect = Expect {
            error: Some("NotAuthorizedException".into()),
            status: None,
        };
        assert!(matches_expected(&e, &expect));
        expect.status = Some(400);
        assert!(matches_expected(&e, &expect));
        expect.status = Some(401);
        assert!(!matches_expected(&e, &expect));
        assert!(!matches_expected(&e, &Expect::default()));
    }
}
