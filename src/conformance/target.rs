//! The target a conformance run checks ([`TargetSpec`], [`CodeSource`]), how to run
//! ([`RunOptions`]), why a run cannot start ([`RunError`]), and what is provisioned on the target
//! for a run ([`Fixture`]: its pools and app clients) and what a step's answer looks like to the
//! checks ([`Answer`]).
//!
//! These are shared by the provisioning (`runner.rs`) and the case runner (`exec/`), so they sit
//! below both.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use tokio::sync::Mutex;

use super::case::{Capability, ClientName, PoolName};
use crate::jwt::KeySet;
use crate::protocol::sigv4::{credentials_from_env, static_credentials};
use crate::protocol::{CognitoClient, ConfigError, RawResponse, TargetConfig};

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
    /// The `iss` of a pool's tokens is `{issuer_base}/{poolId}`. Default (None): the issuer
    /// the target's `{endpoint}/{poolId}/.well-known/openid-configuration` names for a
    /// provisioned pool, else the real service's `https://cognito-idp.{region}.amazonaws.com`.
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
pub(super) struct ClientFixture {
    pub(super) id: String,
    pub(super) secret: Option<String>,
}

#[derive(Debug)]
pub(super) struct PoolFixture {
    pub(super) id: String,
    pub(super) clients: BTreeMap<ClientName, Result<ClientFixture, String>>,
    pub(super) domain: Option<String>,
}

pub(super) struct Fixture {
    pub(super) client: CognitoClient,
    pub(super) spec: TargetSpec,
    pub(super) run: String,
    pub(super) region: String,
    pub(super) pools: BTreeMap<PoolName, PoolFixture>,
    pub(super) jwks: Mutex<BTreeMap<String, KeySet>>,
}

/// The answer to one step, as the checks see it.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: http::HeaderMap,
    /// The body parsed as JSON; `Null` when it is not JSON.
    pub(super) body: Value,
}

impl Answer {
    pub(super) fn from_raw(raw: RawResponse) -> Answer {
        let body = serde_json::from_slice(&raw.body).unwrap_or(Value::Null);
        Answer {
            status: raw.status,
            headers: raw.headers,
            body,
        }
    }

    pub(super) fn success(&self) -> bool {
        (200..300).contains(&self.status)
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
