//! The steps of a flow, one function per step kind, and the state an iteration hands from one
//! step to the next (its user, the tokens each step produced).
//!
//! Each step sends its requests through [`StepCalls`], which times and records them: the first
//! from the step's intended start, a second one (RespondToAuthChallenge after InitiateAuth) from
//! when it was sent. A request that fails the way the step's `expect` says ends the step as ok.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use super::calls::StepCalls;
use super::mfa::{PooledTotp, answer_totp};
use super::shared::{Failure, Shared};
use super::target::{PoolUser, random_password, read_codes, username_from};
use crate::jwt::{AcceptedTokenUse, VerifyPolicy, verify_token};
use crate::metrics::StepId;
use crate::protocol::oauth2::authorize_url;
use crate::protocol::ops::*;
use crate::protocol::{AppClient, ClientAuthMethod, Grant, ParamMap, Pkce, Sensitive};
use crate::quota;
use crate::scenario::Secret;
use crate::scenario::model::{
    AUTHORIZATION_CODE_OPERATION, ConfirmVia, DEFAULT_REDIRECT_URI, Flow, MANAGED_LOGIN_OPERATION,
    Step, StepKind, TokenUse,
};
use crate::srp::{PasswordVerifierChallenge, SrpClient};

/// The user an iteration acts as.
#[derive(Clone)]
pub(super) struct User {
    pub(super) username: String,
    pub(super) password: String,
    /// Set when the user is from the setup pool, so password changes persist.
    pub(super) pooled: Option<Arc<PoolUser>>,
}

impl User {
    /// A sign-in step's password: its option (with `${row.COLUMN}` filled from the user's CSV
    /// row), else the user's current one.
    fn sign_in_password(&self, option: &Option<Secret>) -> String {
        let Some(option) = option else {
            return self.password.clone();
        };
        let row = self.pooled.as_deref().map_or(&[][..], |u| u.row.as_slice());
        crate::scenario::env::fill_row(option.expose(), &|column| {
            row.iter()
                .find(|(name, _)| name == column)
                .map(|(_, value)| value.expose())
        })
    }
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

#[derive(Clone)]
pub(super) struct IterationState {
    pub(super) user: Option<User>,
    /// Tokens by step index.
    tokens: Vec<Option<Tokens>>,
    last_tokens: Option<usize>,
}

impl IterationState {
    /// The state before the first of `steps` steps: no user yet, no tokens.
    pub(super) fn new(steps: usize) -> Self {
        IterationState {
            user: None,
            tokens: vec![None; steps],
            last_tokens: None,
        }
    }

    fn tokens_for(&self, step: &Step) -> Option<&Tokens> {
        let index = step.tokens_from.or(self.last_tokens)?;
        self.tokens.get(index)?.as_ref()
    }
}

/// The user and software token a `mfa: totp` sign-in answers with.
fn pooled_totp(user: &Option<User>) -> PooledTotp<'_> {
    user.as_ref().map(|u| {
        (
            u.username.as_str(),
            u.pooled.as_deref().and_then(|p| p.totp.get()),
        )
    })
}

/// The target's answer lacks what it should carry: an error of the target, not of the harness.
fn incomplete_answer(what: &str) -> Failure {
    Failure::Error(format!("missing_{what}"))
}

/// A step that cannot be sent: what an earlier step should have produced is missing.
pub(super) fn missing(what: &str) -> Failure {
    Failure::NotSent(format!("missing_{what}"))
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn run_step(
    shared: &Shared,
    flow_index: usize,
    step: &Step,
    index: usize,
    n: u64,
    state: &mut IterationState,
    due: Instant,
    vu: usize,
    cancel: &tokio::sync::watch::Receiver<bool>,
    step_id: StepId,
) -> Result<(), Failure> {
    let mut calls = StepCalls {
        step: step_id,
        shared,
        vu,
        expect: &step.expect,
        due: Some(due),
        counters: &shared.counters[flow_index],
        cancel: cancel.clone(),
    };
    let flow = &shared.scenario.flows[flow_index];
    // A test-only fault: a flow named `panics_in_test` panics in its steps, as a bug would.
    #[cfg(test)]
    if flow.name == "panics_in_test" {
        panic!(
            "test panic near token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"
        );
    }
    let cx = StepCx {
        shared,
        flow,
        step,
        index,
        n,
        state,
        calls: &mut calls,
    };
    step_body(cx).await
}

/// Sends one request of a step through [`StepCalls::call`]; a step that ended (as expected, or
/// with a failure) returns from the step function.
macro_rules! call {
    ($calls:expr, $op:expr, $last:expr, $fut:expr) => {
        match $calls.call($op, $last, $fut).await {
            Ok(v) => v,
            Err(ended) => return ended,
        }
    };
}

/// What a step function works with: the run, its flow, the step and its place, and the
/// iteration's state and request timing.
struct StepCx<'s, 'c> {
    shared: &'s Shared,
    flow: &'s Flow,
    step: &'s Step,
    index: usize,
    /// The iteration's scenario-wide number (`{n}` of sign-up usernames).
    n: u64,
    state: &'s mut IterationState,
    calls: &'s mut StepCalls<'c>,
}

/// Runs one step: the function of its kind.
async fn step_body(cx: StepCx<'_, '_>) -> Result<(), Failure> {
    let step = cx.step;
    match &step.kind {
        StepKind::SignUp {
            username,
            password,
            attributes,
        } => sign_up(cx, username, password, attributes).await,
        StepKind::ConfirmSignUp { via } => confirm_sign_up(cx, via).await,
        StepKind::SrpSignIn { password, mfa } => srp_sign_in(cx, password, *mfa).await,
        StepKind::PasswordSignIn { password, mfa } => password_sign_in(cx, password, *mfa).await,
        StepKind::UserAuthSignIn {
            preferred,
            password,
            mfa,
        } => {
            let user = cx.state.user.as_ref().ok_or_else(|| missing("user"))?;
            let (name, password) = (user.username.clone(), user.sign_in_password(password));
            let how = (*preferred, *mfa, pooled_totp(&cx.state.user));
            match super::user_auth::sign_in(cx.shared, cx.calls, &name, password, how).await {
                Ok(result) => store_auth(cx.state, cx.index, result, Some(name)),
                Err(ended) => ended,
            }
        }
        StepKind::AdminSignIn { password } => admin_sign_in(cx, password).await,
        StepKind::Refresh => refresh(cx, false).await,
        StepKind::GetTokensFromRefreshToken => refresh(cx, true).await,
        StepKind::GetUser => get_user(cx).await,
        StepKind::ListUsers { filter, limit } => list_users(cx, filter.as_deref(), *limit).await,
        StepKind::UpdateUserAttributes { attributes } => {
            update_user_attributes(cx, attributes).await
        }
        StepKind::ChangePassword { new_password } => change_password(cx, new_password).await,
        StepKind::ForgotPassword {
            confirm,
            new_password,
        } => forgot_password(cx, confirm, new_password).await,
        StepKind::GlobalSignOut => global_sign_out(cx).await,
        StepKind::RevokeToken => revoke_token(cx).await,
        StepKind::ClientCredentials { scopes } => client_credentials(cx, scopes).await,
        StepKind::AuthorizationCodePkce {
            scopes,
            redirect_uri,
        } => authorization_code_pkce(cx, scopes, redirect_uri).await,
        StepKind::VerifyTokens { token } => verify_tokens(cx, token).await,
    }
}

/// SignUp of a new user (named from the run, flow and iteration number).
async fn sign_up(
    cx: StepCx<'_, '_>,
    username: &str,
    password: &Option<Secret>,
    attributes: &[(String, String)],
) -> Result<(), Failure> {
    let StepCx {
        shared,
        flow,
        n,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
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
        calls,
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

/// AdminConfirmSignUp, or ConfirmSignUp with the code the target delivered.
async fn confirm_sign_up(cx: StepCx<'_, '_>, via: &ConfirmVia) -> Result<(), Failure> {
    let StepCx {
        shared,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
    let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
    match via {
        ConfirmVia::Admin => {
            call!(
                calls,
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
                calls,
                "ConfirmSignUp",
                true,
                client.confirm_sign_up(app, &user.username, &code)
            );
        }
    }
    Ok(())
}

/// InitiateAuth (USER_SRP_AUTH), then RespondToAuthChallenge (PASSWORD_VERIFIER, then
/// SOFTWARE_TOKEN_MFA with `mfa`).
async fn srp_sign_in(
    cx: StepCx<'_, '_>,
    password: &Option<Secret>,
    mfa: bool,
) -> Result<(), Failure> {
    let StepCx {
        shared,
        index,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
    let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
    let password = user.sign_in_password(password);
    let username = user.username.clone();
    // SRP maths on the blocking pool, never on an I/O thread.
    let srp = tokio::task::spawn_blocking(|| SrpClient::from_rng(&mut rand::rng()))
        .await
        .map_err(|_| Failure::NotSent("srp_task".into()))?
        .map_err(|_| Failure::NotSent("srp_client".into()))?;
    let params = ParamMap::new()
        .with("USERNAME", username.as_str())
        .with("SRP_A", srp.a_pub_hex());
    let init = call!(
        calls,
        "InitiateAuth",
        false,
        client.initiate_auth(app, AuthFlowType::UserSrpAuth, params, Some(&username))
    );
    if init.challenge_name != Some(ChallengeNameType::PasswordVerifier) {
        return Err(Failure::Error("unexpected_challenge".into()));
    }
    let cp = init.challenge_parameters.unwrap_or_default();
    let challenge =
        PasswordVerifierChallenge::from_parameters(|k| cp.get(k).cloned().unwrap_or_default());
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
        calls,
        "RespondToAuthChallenge",
        !mfa,
        client.respond_to_auth_challenge(
            app,
            ChallengeNameType::PasswordVerifier,
            init.session,
            responses,
            Some(&response.username),
        )
    );
    let result = match mfa {
        false => out.authentication_result,
        true => {
            match answer_totp(
                shared,
                calls,
                pooled_totp(&state.user),
                out.challenge_name,
                out.session,
            )
            .await
            {
                Ok(r) => r,
                Err(ended) => return ended,
            }
        }
    };
    store_auth(state, index, result, Some(username))
}

/// InitiateAuth with USER_PASSWORD_AUTH (then SOFTWARE_TOKEN_MFA with `mfa`).
async fn password_sign_in(
    cx: StepCx<'_, '_>,
    password: &Option<Secret>,
    mfa: bool,
) -> Result<(), Failure> {
    let StepCx {
        shared,
        index,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
    let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
    let password = user.sign_in_password(password);
    let username = user.username.clone();
    let out = call!(
        calls,
        "InitiateAuth",
        !mfa,
        client.user_password_auth(app, &username, &password)
    );
    let result = match mfa {
        false => out.authentication_result,
        true => {
            match answer_totp(
                shared,
                calls,
                pooled_totp(&state.user),
                out.challenge_name,
                out.session,
            )
            .await
            {
                Ok(r) => r,
                Err(ended) => return ended,
            }
        }
    };
    store_auth(state, index, result, Some(username))
}

/// AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH.
async fn admin_sign_in(cx: StepCx<'_, '_>, password: &Option<Secret>) -> Result<(), Failure> {
    let StepCx {
        shared,
        index,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
    let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
    let password = user.sign_in_password(password);
    let username = user.username.clone();
    let params = ParamMap::new()
        .with("USERNAME", username.as_str())
        .with("PASSWORD", password);
    let out = call!(
        calls,
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

/// A refresh on an earlier step's refresh token: InitiateAuth REFRESH_TOKEN_AUTH, or with
/// `get_tokens` GetTokensFromRefreshToken (a rotating client's new refresh token is kept).
async fn refresh(cx: StepCx<'_, '_>, get_tokens: bool) -> Result<(), Failure> {
    let StepCx {
        shared,
        step,
        index,
        state,
        calls,
        ..
    } = cx;
    let (client, app) = (&shared.target.client, &shared.target.app);
    let tokens = state.tokens_for(step).ok_or_else(|| missing("tokens"))?;
    let refresh = tokens
        .refresh
        .clone()
        .ok_or_else(|| missing("refresh_token"))?;
    let username = tokens.username.clone();
    let result = if get_tokens {
        // GetTokensFromRefreshToken: a confidential app sends its secret as `ClientSecret`.
        let req = GetTokensFromRefreshTokenRequest {
            refresh_token: refresh.clone(),
            client_id: app.client_id.clone(),
            client_secret: app.client_secret.clone(),
            ..Default::default()
        };
        let op = "GetTokensFromRefreshToken";
        call!(calls, op, true, client.call(&req)).authentication_result
    } else {
        let r = client.refresh_token_auth(app, refresh.expose(), username.as_deref());
        call!(calls, "InitiateAuth", true, r).authentication_result
    };
    let result = result.ok_or_else(|| incomplete_answer("authentication_result"))?;
    let mut fresh = Tokens::from_result(result, username);
    // No new refresh token unless the client rotates them: the old one stays in use.
    if fresh.refresh.is_none() {
        fresh.refresh = Some(refresh);
    }
    state.tokens[index] = Some(fresh);
    state.last_tokens = Some(index);
    Ok(())
}

/// UpdateUserAttributes with the user's access token; with no attributes given, `nickname`
/// set to the iteration number (a standard attribute of every pool).
async fn update_user_attributes(
    cx: StepCx<'_, '_>,
    attributes: &[(String, String)],
) -> Result<(), Failure> {
    let access = user_access(cx.state, cx.step)?;
    let mut attrs: Vec<AttributeType> = attributes
        .iter()
        .map(|(k, v)| AttributeType::new(k, v))
        .collect();
    if attrs.is_empty() {
        attrs.push(AttributeType::new(
            "nickname",
            format!("iteration-{}", cx.n),
        ));
    }
    let client = &cx.shared.target.client;
    let r = client.update_user_attributes(access.expose(), attrs);
    call!(cx.calls, "UpdateUserAttributes", true, r);
    Ok(())
}

/// GetUser with the user's access token.
async fn get_user(cx: StepCx<'_, '_>) -> Result<(), Failure> {
    let StepCx {
        shared,
        step,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let access = user_access(state, step)?;
    call!(calls, "GetUser", true, client.get_user(access.expose()));
    Ok(())
}

/// ListUsers (signed) with the step's filter and limit: one page, as an admin back end reads.
async fn list_users(
    cx: StepCx<'_, '_>,
    filter: Option<&str>,
    limit: Option<i64>,
) -> Result<(), Failure> {
    let StepCx { shared, calls, .. } = cx;
    let t = &shared.target;
    call!(
        calls,
        "ListUsers",
        true,
        t.client.list_users(&t.pool_id, filter, limit, None)
    );
    Ok(())
}

/// ChangePassword, remembered for later steps (and the pool).
async fn change_password(cx: StepCx<'_, '_>, new_password: &Option<Secret>) -> Result<(), Failure> {
    let StepCx {
        shared,
        step,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let access = user_access(state, step)?;
    let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
    let new = new_password
        .as_ref()
        .map(|p| p.expose().to_owned())
        .unwrap_or_else(random_password);
    call!(
        calls,
        "ChangePassword",
        true,
        client.change_password(access.expose(), Some(&user.password), &new)
    );
    set_password(state, &new);
    Ok(())
}

/// ForgotPassword, and with `confirm` ConfirmForgotPassword with the delivered code.
async fn forgot_password(
    cx: StepCx<'_, '_>,
    confirm: &bool,
    new_password: &Option<Secret>,
) -> Result<(), Failure> {
    let StepCx {
        shared,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
    let user = state.user.as_ref().ok_or_else(|| missing("user"))?;
    let username = user.username.clone();
    call!(
        calls,
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
            calls,
            "ConfirmForgotPassword",
            true,
            client.confirm_forgot_password(app, &username, &code, &new)
        );
        set_password(state, &new);
    }
    Ok(())
}

/// GlobalSignOut with the user's access token.
async fn global_sign_out(cx: StepCx<'_, '_>) -> Result<(), Failure> {
    let StepCx {
        shared,
        step,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let access = user_access(state, step)?;
    call!(
        calls,
        "GlobalSignOut",
        true,
        client.global_sign_out(access.expose())
    );
    Ok(())
}

/// RevokeToken of an earlier step's refresh token.
async fn revoke_token(cx: StepCx<'_, '_>) -> Result<(), Failure> {
    let StepCx {
        shared,
        step,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
    let tokens = state.tokens_for(step).ok_or_else(|| missing("tokens"))?;
    let refresh = tokens
        .refresh
        .clone()
        .ok_or_else(|| missing("refresh_token"))?;
    call!(
        calls,
        "RevokeToken",
        true,
        client.revoke_token(app, refresh.expose())
    );
    Ok(())
}

/// the token endpoint's client_credentials grant for the M2M client.
async fn client_credentials(cx: StepCx<'_, '_>, scopes: &[String]) -> Result<(), Failure> {
    let StepCx {
        shared,
        index,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let m2m: &AppClient = t.m2m.as_ref().ok_or_else(|| missing("client_secret"))?;
    let scope = if scopes.is_empty() {
        None
    } else {
        Some(scopes.join(" "))
    };
    let out = call!(
        calls,
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

/// managed login, then the authorization_code grant with PKCE.
async fn authorization_code_pkce(
    cx: StepCx<'_, '_>,
    scopes: &[String],
    redirect_uri: &Option<String>,
) -> Result<(), Failure> {
    let StepCx {
        shared,
        index,
        state,
        calls,
        ..
    } = cx;
    let t = &shared.target;
    let client = &t.client;
    let app = &t.app;
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
        calls,
        MANAGED_LOGIN_OPERATION,
        false,
        client.managed_login(&url, &redirect, &username, &password)
    );
    if login.state.as_deref() != Some(expected_state.as_str()) {
        return Err(Failure::Error("oauth:state_mismatch".into()));
    }
    let out = call!(
        calls,
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

/// checks an earlier step's tokens against the target's JWKS (unrecorded).
async fn verify_tokens(cx: StepCx<'_, '_>, token: &TokenUse) -> Result<(), Failure> {
    let StepCx {
        shared,
        step,
        state,
        ..
    } = cx;
    let t = &shared.target;
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
    let result = result.ok_or_else(|| incomplete_answer("authentication_result"))?;
    state.tokens[index] = Some(Tokens::from_result(result, username));
    state.last_tokens = Some(index);
    Ok(())
}
