//! How the reference server runs ([`ServerConfig`], with each default where it is declared) and
//! why it could not ([`ServerError`]). Kept apart from `mod.rs`, which assembles the server
//! from its parts, so the parts can read the settings without importing their assembler.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use super::clock::Clock;
use super::config::PoolSeed;
use super::connections::ConnectionLimits;
use super::faults::FaultConfig;
use super::throttle::QuotaConfig;
use crate::protocol::Sensitive;

/// Default largest request body, in bytes (Cognito requests are a few KiB at most).
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// How the reference server runs.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to bind. Default `127.0.0.1:0` (loopback, any free port).
    pub bind: SocketAddr,
    /// Region used in generated pool ids (`<region>_<9 alnum>`). Default `us-east-1`.
    pub region: String,
    /// When set, admin (SigV4) calls must be signed with this access key and secret, and the
    /// signature is verified. Default none: any `AWS4-HMAC-SHA256` authorization is accepted,
    /// as moto and ministack do.
    pub admin_credentials: Option<(String, Sensitive)>,
    /// Serve `/_harness/codes` to clients that are not on loopback. Default false: the codes
    /// a server issued are for the harness on the same machine.
    pub expose_codes: bool,
    /// Pools (with clients and users) created at start-up. Default none.
    pub pools: Vec<PoolSeed>,
    /// Largest request body accepted. Default [`DEFAULT_MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
    /// The clock. Default the system clock.
    pub clock: Clock,
    /// Request-rate quotas. Default off ([`QuotaConfig::default`]).
    pub quotas: QuotaConfig,
    /// Injected faults. Default none.
    pub faults: FaultConfig,
    /// Header and idle timeouts and the connection limit. Default
    /// [`ConnectionLimits::default`] (10 s, 60 s, up to 4096 fitting the open-file limit).
    pub connections: ConnectionLimits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            region: "us-east-1".to_owned(),
            admin_credentials: None,
            expose_codes: false,
            pools: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            clock: Arc::new(SystemTime::now),
            quotas: QuotaConfig::default(),
            faults: FaultConfig::default(),
            connections: ConnectionLimits::default(),
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("bind", &self.bind)
            .field("region", &self.region)
            .field(
                "admin_credentials",
                &self.admin_credentials.as_ref().map(|(k, _)| k),
            )
            .field("expose_codes", &self.expose_codes)
            .field("pools", &self.pools.len())
            .field("max_body_bytes", &self.max_body_bytes)
            .field("quotas", &self.quotas)
            .field("faults", &self.faults)
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

/// `ACCESS_KEY_ID:SECRET` as pinned admin credentials. The error never repeats the text, which
/// holds the secret.
pub fn parse_admin_credentials(text: &str) -> Result<(String, Sensitive), String> {
    match text.trim().split_once(':') {
        Some((key, secret)) if !key.is_empty() && !secret.is_empty() => {
            Ok((key.to_owned(), Sensitive::new(secret)))
        }
        _ => Err("expected ACCESS_KEY_ID:SECRET, both non-empty".to_owned()),
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("signing keys: {0}")]
    Keys(#[from] crate::jwt::SignError),
    #[error("config: pool {pool:?}: {message}")]
    Seed { pool: String, message: String },
}
