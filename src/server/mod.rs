//! The reference target: an in-memory Cognito user-pools server (`cognito-harness serve`, or
//! in-process through [`start`]).
//!
//! It exists so the harness has a target that needs no set-up and that behaves like Cognito
//! where the emulators do not: real SRP verification, the password policy, SECRET_HASH, the
//! lockout of "User pool authentication flow", RS256 tokens with separate ID and access keys.
//!
//! | file | owns |
//! |------|------|
//! | `oauth2/` | `/oauth2/token`, `/oauth2/authorize` + `/login`, `/oauth2/userInfo`, `/oauth2/revoke`, OpenID discovery |
//! | `connections.rs` | the accept loop: header-read and idle timeouts per connection, the connection limit and its `503` refusal |
//! | `http.rs` | JSON 1.1 routing by `X-Amz-Target` (the dispatch is generated from the operation table), JWKS, the `_harness/codes` path (loopback clients only unless exposed) |
//! | `cloudwatch.rs` | the CloudWatch user-pool metrics (`SignUpSuccesses`, `SignInThrottles`, ...) counted per pool and client, in the Prometheus text format for `serve --metrics-listen` |
//! | `cors.rs` | the CORS answers browsers need: preflights, `Access-Control-Allow-Origin: *` and the exposed `x-amzn-*` headers on every answer |
//! | `respond.rs` | Cognito-shaped error answers and request ids, shared by `http.rs` and `oauth2/` |
//! | `store.rs` | the in-memory state ([`Store`]): pools, clients, users in sharded maps, sign-in sessions, refresh tokens |
//! | `ops/` | one `Handle` impl per operation, over the store, one file per feature area (as in `protocol/ops/`) |
//! | `error.rs` | `ApiError`, the Cognito error answer every handler and layer returns |
//! | `tokens.rs` | the ID/access token claims and signing |
//! | `password.rs` | the pool password policy and its messages |
//! | `sigv4.rs` | the admin-call `Authorization` check |
//! | `validate.rs` | the service model's input constraints (`conformance/model/`), checked before each typed parse |
//! | `config.rs` | the `serve --config` file: pools, clients and users declared up front |
//! | `seed.rs` | the configured pools created through the handlers, as the API would create them |
//! | `settings.rs` | [`ServerConfig`] and [`ServerError`] |
//! | `clock.rs` | the injected [`Clock`] |
//! | `throttle.rs` | optional quota enforcement: token buckets per pool and category |
//! | `user_limits.rs` | the per-user hard limits (ConfirmSignUp, ResendConfirmationCode, ConfirmForgotPassword, ChangePassword, GetUserAttributeVerificationCode, VerifyUserAttribute per hour) |
//! | `attributes.rs` | a pool's attribute schema (standard and custom attributes) and the checks of every attribute write |
//! | `faults.rs` | optional fault injection per operation: added latency, 500s, dropped connections |
//!
//! The axum [`router`], assembled here from the routes of `http.rs` and `oauth2/`, is a plain
//! `axum::Router` over an `Arc<Store>`, so other layers (quotas, fault injection) can wrap or
//! extend it and reach the same state.

mod attributes;
mod clock;
mod cloudwatch;
mod config;
mod connections;
mod cors;
mod error;
mod faults;
mod http;
mod mfa;
mod oauth2;
mod ops;
mod password;
mod respond;
mod seed;
mod settings;
mod sigv4;
mod store;
mod throttle;
mod tokens;
mod user_limits;
mod validate;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use clock::Clock;
pub use cloudwatch::{Ending, PoolMetric, PoolMetrics, Watched};
pub use config::{
    AdminCredentialsSeed, ClientSeed, ConfigFileError, ConnectionsSeed, PoolSeed, PositiveDuration,
    ServerFile, UserSeed, load_config_file, parse_config,
};
pub use connections::{
    ConnectionLimits, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    default_max_connections,
};
pub use error::ApiError;
pub use faults::{FaultConfig, FaultRule, FaultSpecError, parse_fault_spec};
pub use settings::{DEFAULT_MAX_BODY_BYTES, ServerConfig, ServerError, parse_admin_credentials};
pub use store::{Store, new_pool_id};
pub use throttle::{QuotaConfig, QuotaSpecError, Throttle, parse_quota_spec, rate_exceeded};
pub use tokens::{AccessToken, check_access_token};
pub use validate::check as check_input_constraints;

/// The router over `store`: the JSON 1.1 API, JWKS and harness paths, and the OAuth2
/// endpoints, with one fallback and a request id on every answer. Layers (quotas, faults) wrap
/// it.
pub fn router(store: Arc<Store>) -> axum::Router {
    http::routes()
        .merge(oauth2::routes())
        .fallback(http::fallback)
        .layer(axum::middleware::map_response(respond::add_request_id))
        .with_state(store)
}

/// A running in-process server; shut down by [`RunningServer::shutdown`] or on drop.
pub struct RunningServer {
    endpoint: String,
    addr: SocketAddr,
    store: Arc<Store>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), ServerError>>>,
}

impl RunningServer {
    /// `http://127.0.0.1:PORT/`: the JSON 1.1 API endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's state, for layers and tests that run in the same process.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds `config.bind` and serves in a background task.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.bind,
            source,
        })?;
    let addr = listener.local_addr()?;
    let store = Arc::new(new_store(&config, &endpoint_for(addr))?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = served(router(store.clone()), &config.faults);
    let task = tokio::spawn(serve(listener, app, config.connections, async move {
        let _ = stopped.await;
    }));
    Ok(RunningServer {
        endpoint: endpoint_for(addr),
        addr,
        store,
        stop: Some(stop),
        task: Some(task),
    })
}

/// Serves on `listener` until `shutdown` completes (for `serve`).
pub async fn run(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let addr = listener.local_addr()?;
    let store = Arc::new(new_store(&config, &endpoint_for(addr))?);
    run_store(listener, store, &config, shutdown).await
}

/// Serves `store` (made by [`new_store`] for this listener's endpoint) on `listener` until
/// `shutdown` completes: [`run`] for a caller that keeps a handle on the state (`serve
/// --metrics-listen` reads its [`PoolMetrics`]).
pub async fn run_store(
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    serve(
        listener,
        served(router(store), &config.faults),
        config.connections,
        shutdown,
    )
    .await
}

/// A fresh store with new signing keys and the configured seed pools, created through the
/// same handlers the API calls use.
pub fn new_store(config: &ServerConfig, endpoint: &str) -> Result<Store, ServerError> {
    let store = Store::new(config, endpoint)?;
    for seed in &config.pools {
        seed::apply_seed(&store, seed).map_err(|e| ServerError::Seed {
            pool: seed.name.clone(),
            message: e.to_string(),
        })?;
    }
    Ok(store)
}

/// What `serve` answers with: `app` with fault injection inside and CORS outermost, so that
/// injected errors reach a browser as errors too.
fn served(app: axum::Router, faults: &FaultConfig) -> axum::Router {
    with_faults(app, faults).layer(axum::middleware::from_fn(cors::cors))
}

/// Wraps `app` in the fault-injection layer when any rule is configured.
fn with_faults(app: axum::Router, faults: &FaultConfig) -> axum::Router {
    if faults.is_empty() {
        return app;
    }
    app.layer(axum::middleware::from_fn_with_state(
        Arc::new(faults.clone()),
        faults::inject,
    ))
}

/// Serves `app` under `limits`; each request carries its connection's peer address, which
/// `/_harness/codes` checks.
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    connections::serve(listener, app, limits, shutdown).await?;
    Ok(())
}

/// Answers one JSON 1.1 operation in-process, as `POST /` with `X-Amz-Target:
/// AWSCognitoIdentityProviderService.{operation}` would, without HTTP: the body is decoded,
/// the operation runs over `store`, and the answer is encoded. Quotas are not applied here, and
/// operations that need SigV4 are refused as an unsigned request would be. For benchmarks and
/// in-process drivers that want the server's own cost without the network's.
pub fn call(store: &Store, operation: &str, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let body = axum::body::Bytes::copy_from_slice(body);
    http::dispatch(store, operation, &axum::http::HeaderMap::new(), &body)
}

/// Creates a confirmed user directly in the store, as a `serve --config` seed does: the same
/// record a sign-up stores (SRP verifier, password hash, attributes), without a request. The
/// password must meet the pool's policy.
pub fn seed_confirmed_user(
    store: &Store,
    pool_id: &str,
    username: &str,
    password: &str,
    attributes: &[crate::protocol::ops::AttributeType],
) -> Result<(), ApiError> {
    ops::admin_users::seed_user(
        store,
        pool_id,
        username,
        password,
        attributes,
        store::Status::Confirmed,
    )
}

/// The endpoint URL for a bound address (IPv6 in brackets).
pub fn endpoint_for(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}
