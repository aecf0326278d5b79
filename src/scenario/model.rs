//! The checked scenario: what validation hands to `plan` and to the load engine.
//!
//! Every value here has been parsed (durations, URLs), defaulted, interpolated (`${ENV}`) and
//! cross-checked (captures resolve, thresholds name real scopes, steps fit the target). Each
//! field documents its default, which is applied by validation.

use std::path::PathBuf;

use crate::quota::{self, QuotaCategory};

use super::secret::Secret;
use super::thresholds::Threshold;

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it was read from (for messages and for paths relative to it).
    pub path: PathBuf,
    /// Free text for reports. Default: none.
    pub description: Option<String>,
    /// Where traffic goes. Default: [`Target::Embedded`].
    pub target: Target,
    /// Users provisioned before the run. Default: none, and `keep: false`.
    pub setup: Setup,
    /// The top-level `load` that flows share by `weight` (a traffic mix). Default: none; each
    /// flow then has its own `load`.
    pub shared_load: Option<Load>,
    /// Flows in file order; at least one.
    pub flows: Vec<Flow>,
    /// Pass/fail criteria. Default: none.
    pub thresholds: Vec<Threshold>,
    /// The account's request-rate quotas from the `quotas:` block (source
    /// [`QuotaSource::Scenario`](crate::quota::QuotaSource)); `plan` and `run` compare demand
    /// against them, and `--quota` overrides them. Default: the guide's defaults.
    pub quotas: crate::quota::Quotas,
}

/// The system under test.
#[derive(Debug, Clone)]
pub enum Target {
    /// The reference server, in-process: zero set-up, every capability.
    Embedded,
    /// A Cognito user pool, an emulator, or a `serve`d reference server.
    Endpoint(Box<Endpoint>),
}

/// A Cognito-compatible endpoint. String values may use `${ENV}` / `${ENV:-default}`.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The user-pools API endpoint, e.g. `https://cognito-idp.eu-west-1.amazonaws.com`. Required.
    pub endpoint: url::Url,
    /// AWS region, used for SigV4. Required, except with [`AdminCredentials::Aws`], where
    /// `None` means the credential chain's region (`AWS_REGION`, the profile's `region`, ...),
    /// resolved before any traffic.
    pub region: Option<String>,
    /// Required.
    pub user_pool_id: String,
    /// The app client. Required.
    pub client_id: String,
    /// The app client's secret, when it has one (SECRET_HASH, client_credentials). Default: none.
    pub client_secret: Option<Secret>,
    /// The OAuth 2.0 domain (`https://<prefix>.auth.<region>.amazoncognito.com`), needed by
    /// `client_credentials` and `authorization_code_pkce`. Default: none.
    pub oauth_domain: Option<url::Url>,
    /// Default: `{endpoint}/{user_pool_id}/.well-known/jwks.json`, where Cognito (and emulators
    /// that copy its layout) publish the keys.
    pub jwks_url: url::Url,
    /// The `iss` claim to expect. Default: `{endpoint}/{user_pool_id}`, which for Cognito's
    /// endpoint is `https://cognito-idp.{region}.amazonaws.com/{user_pool_id}`.
    pub issuer: String,
    /// Where admin (SigV4) credentials come from. Default: [`AdminCredentials::None`].
    pub admin: AdminCredentials,
    /// Must be `true` to send traffic to a host that is not a loopback address, so that a typo
    /// cannot load-test a production pool. Default: `false`.
    pub allow_remote: bool,
}

/// Where SigV4 credentials for the `Admin*` operations come from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminCredentials {
    /// The standard AWS environment variables (`AWS_ACCESS_KEY_ID`, ...).
    Env,
    /// The standard AWS credential chain (`aws-config`): with a `profile`, that profile of the
    /// shared config and credentials files (static keys, SSO, `credential_process`, a role with
    /// a web identity token or a source profile); without, the default chain (environment,
    /// `AWS_PROFILE` or `default`, web identity, container, instance metadata).
    Aws { profile: Option<String> },
    /// No admin operations: no `admin` provisioning, no `admin_sign_in`, no clean-up.
    None,
}

/// What the target can do, as far as steps are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub admin: bool,
    pub oauth: bool,
    pub client_secret: bool,
    /// Confirmation codes can be read back (the reference server exposes them; a real pool
    /// sends them by email or SMS).
    pub read_codes: bool,
}

impl Endpoint {
    /// The wire client's configuration for this endpoint in `region` (the scenario's, or the one
    /// the credential chain resolved). Admin credentials are not included: the caller resolves
    /// them (`engine::target::resolve_endpoint`).
    pub fn target_config(
        &self,
        region: &str,
    ) -> Result<crate::protocol::TargetConfig, crate::protocol::ConfigError> {
        let mut config = crate::protocol::TargetConfig::aws(region)?;
        config.endpoint = self.endpoint.clone();
        config.allow_non_loopback = self.allow_remote;
        if let Some(domain) = &self.oauth_domain {
            config = config.oauth_base(domain.as_str())?;
        }
        config = config.jwks_url(self.jwks_url.as_str())?;
        config.validate()?;
        Ok(config)
    }
}

impl Target {
    pub fn capabilities(&self) -> Capabilities {
        match self {
            Target::Embedded => Capabilities {
                admin: true,
                oauth: true,
                client_secret: true,
                read_codes: true,
            },
            Target::Endpoint(e) => Capabilities {
                admin: e.admin != AdminCredentials::None,
                oauth: e.oauth_domain.is_some(),
                client_secret: e.client_secret.is_some(),
                read_codes: false,
            },
        }
    }
}

/// Users that exist before the first iteration.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Default: [`UserSource::None`].
    pub users: UserSource,
    /// Username pattern for provisioned users: `{n}` is 1..=count, `{run}` a per-run id.
    /// Default: `harness-{run}-{n}`.
    pub username: String,
    /// Password for provisioned users. Default: a random one per run, meeting Cognito's
    /// default password policy.
    pub password: Option<Secret>,
    /// Provisioning rate in users per second. Default: 20, which keeps every provisioning and
    /// clean-up operation under its default quota (AdminSetUserPassword: UserAccountRecovery,
    /// 30 RPS; AdminDeleteUser: UserUpdate, 25 RPS).
    pub rate: f64,
    /// Keep what the run created (provisioned users and users created by `sign_up` steps).
    /// Default: `false`: delete them after the run.
    pub keep: bool,
    /// `mfa: totp`: register a software token for every provisioned user (and create the
    /// run's pool with MFA optional and software tokens). Default: `false`.
    pub mfa_totp: bool,
}

/// The operations that enrol one provisioned user in TOTP MFA ([`Setup::mfa_totp`]).
pub const TOTP_ENROL_OPERATIONS: [&str; 4] = [
    "AdminInitiateAuth",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "SetUserMFAPreference",
];

impl Setup {
    /// The operations that provision one user: its creation, then its TOTP enrolment.
    pub fn operations_per_user(&self, method: ProvisionMethod) -> Vec<&'static str> {
        let mut ops = method.operations().to_vec();
        if self.mfa_totp {
            ops.extend(TOTP_ENROL_OPERATIONS);
        }
        ops
    }
}

/// Default provisioning rate (users per second); see [`Setup::rate`].
pub const DEFAULT_SETUP_RATE: f64 = 20.0;
/// Default username pattern; see [`Setup::username`].
pub const DEFAULT_USERNAME_PATTERN: &str = "harness-{run}-{n}";

/// Where the pool of pre-existing users comes from.
#[derive(Debug, Clone)]
pub enum UserSource {
    None,
    /// Create `count` users before the run.
    Provision {
        count: u64,
        method: ProvisionMethod,
    },
    /// Users that already exist on the target, read from a CSV file: a header row with
    /// `username` and `password` and any other columns, read by `${row.COLUMN}`.
    Csv {
        path: PathBuf,
        /// The header's column names, in order.
        columns: Vec<String>,
        users: Vec<CsvUser>,
    },
}

impl UserSource {
    /// How many users the pool holds.
    pub fn count(&self) -> u64 {
        match self {
            UserSource::None => 0,
            UserSource::Provision { count, .. } => *count,
            UserSource::Csv { users, .. } => users.len() as u64,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CsvUser {
    pub username: String,
    pub password: Secret,
    /// Every column's value, in the header's order (any column may hold a secret).
    pub row: Vec<Secret>,
}

/// How provisioned users are created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionMethod {
    /// AdminCreateUser, then AdminSetUserPassword (permanent). The default.
    Admin,
    /// SignUp, then ConfirmSignUp with the code the reference server exposes.
    SignUp,
}

impl ProvisionMethod {
    /// The operations that create one user.
    pub fn operations(self) -> &'static [&'static str] {
        match self {
            Self::Admin => &["AdminCreateUser", "AdminSetUserPassword"],
            Self::SignUp => &["SignUp", "ConfirmSignUp"],
        }
    }
}

/// The operation that deletes one user in clean-up.
pub const CLEANUP_OPERATION: &str = "AdminDeleteUser";

/// One named sequence of steps and its load.
#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub load: FlowLoad,
    /// How iterations pick a pre-existing user. Default: [`UserSelection::Sequential`].
    pub users: UserSelection,
    pub steps: Vec<Step>,
}

/// A flow's share of traffic.
#[derive(Debug, Clone)]
pub enum FlowLoad {
    /// The flow's own executor.
    Own(Load),
    /// A share of the scenario's top-level `load`: `weight` out of the sum of all weights.
    /// Default weight: 1.
    Shared { weight: u32 },
}

/// How an iteration picks its user from the setup pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSelection {
    /// Round robin over the pool: spreads per-user load evenly. The default.
    Sequential,
    /// Uniformly at random (seeded per run).
    Random,
    /// A user no other iteration has used; the run fails an iteration when the pool runs out.
    Unique,
}

// The executors and their timing are pure values, in the pure cores' crate with the schedules
// built from them.
pub use cognito_harness_core::scenario::executor::{
    DEFAULT_GRACEFUL_STOP, DEFAULT_MAX_VUS, DEFAULT_PRE_ALLOCATED_VUS, Executor, Load, Stage,
};

/// One step of a flow.
#[derive(Debug, Clone)]
pub struct Step {
    /// Unique in its flow. Default: the kind (`refresh`), then `refresh_2`, `refresh_3`, ...
    pub name: String,
    pub kind: StepKind,
    /// What counts as success. Default: a successful response.
    pub expect: Expect,
    /// Pause after the step: fixed, a range or a distribution ([`super::think`]). Default:
    /// none.
    pub think: super::think::Think,
    /// `burst: N`: each execution sends the step's request as `N` identical concurrent
    /// requests, each counted as one execution of the step; the iteration goes on with the
    /// first that succeeds ([`crate::engine`]'s `burst.rs`). Only steps that send exactly one
    /// request take it. Default: 1 (no burst).
    pub burst: u32,
    /// Name under which this step's tokens can be used by a later step. Default: none (later
    /// steps use the most recent tokens anyway).
    pub capture: Option<String>,
    /// For steps that use tokens: the index, in the flow, of the step whose tokens they use.
    /// Default: the most recent earlier step that produced tokens.
    pub tokens_from: Option<usize>,
}

/// The expected result of a step.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Expect {
    /// An error code (`NotAuthorizedException`, `invalid_client`): the step succeeds when the
    /// target answers with this error. Default: none (success expected).
    pub error: Option<String>,
    /// The HTTP status. Default: any 2xx, or any status when `error` is set.
    pub status: Option<u16>,
}

/// Which token `verify_tokens` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenUse {
    Id,
    Access,
    Both,
}

/// How `confirm_sign_up` confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmVia {
    /// ConfirmSignUp with the code the target sent (readable on the embedded target only).
    Code,
    /// AdminConfirmSignUp (needs admin credentials).
    Admin,
}

/// What a step does, with its kind-specific options.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// SignUp a new user, who becomes the iteration's user.
    SignUp {
        /// Default: `{run}-{flow}-{n}` with `n` the flow's iteration number.
        username: String,
        /// Default: the setup password.
        password: Option<Secret>,
        /// User attributes sent with SignUp. Default: none.
        attributes: Vec<(String, String)>,
    },
    /// Confirms the user created by the flow's `sign_up`.
    ConfirmSignUp {
        via: ConfirmVia,
    },
    /// USER_SRP_AUTH: InitiateAuth, then RespondToAuthChallenge (PASSWORD_VERIFIER).
    SrpSignIn {
        password: Option<Secret>,
        /// `mfa: totp`: answer SOFTWARE_TOKEN_MFA with the user's next code (one more
        /// RespondToAuthChallenge).
        mfa: bool,
    },
    /// USER_PASSWORD_AUTH: InitiateAuth (then RespondToAuthChallenge with `mfa: totp`).
    PasswordSignIn {
        password: Option<Secret>,
        mfa: bool,
    },
    /// Choice-based sign-in (USER_AUTH) with PREFERRED_CHALLENGE `preferred`: InitiateAuth,
    /// then RespondToAuthChallenge for PASSWORD_VERIFIER (`password_srp`) or EMAIL_OTP
    /// (`email_otp`, the code read from the embedded target), then SOFTWARE_TOKEN_MFA with
    /// `mfa: totp` after a password factor.
    UserAuthSignIn {
        preferred: PreferredChallenge,
        password: Option<Secret>,
        mfa: bool,
    },
    /// ADMIN_USER_PASSWORD_AUTH: AdminInitiateAuth.
    AdminSignIn {
        password: Option<Secret>,
    },
    /// REFRESH_TOKEN_AUTH: InitiateAuth.
    Refresh,
    /// GetTokensFromRefreshToken; on a client with refresh-token rotation the answer's new
    /// refresh token replaces the old one for later steps.
    GetTokensFromRefreshToken,
    GetUser,
    /// UpdateUserAttributes with the user's access token (a profile edit). Default
    /// attributes: `nickname` set to the iteration number.
    UpdateUserAttributes {
        attributes: Vec<(String, String)>,
    },
    /// ChangePassword. The new password (default: a fresh random one) becomes the user's
    /// password for later iterations.
    ChangePassword {
        new_password: Option<Secret>,
    },
    /// ForgotPassword; with `confirm` (default `false`, embedded target only) also
    /// ConfirmForgotPassword with the delivered code.
    ForgotPassword {
        confirm: bool,
        new_password: Option<Secret>,
    },
    GlobalSignOut,
    /// RevokeToken on the refresh token.
    RevokeToken,
    /// `/oauth2/token` with `grant_type=client_credentials`. Scopes default to none (all the
    /// client's allowed scopes).
    ClientCredentials {
        scopes: Vec<String>,
    },
    /// Managed login with PKCE, then `/oauth2/token` with `grant_type=authorization_code`.
    /// Scopes default to `openid`.
    AuthorizationCodePkce {
        scopes: Vec<String>,
        redirect_uri: Option<String>,
    },
    /// ListUsers (signed): an admin back end searching the pool. `filter` is sent as written
    /// (`username ^= "load-"`; default: none, every user); `limit` 1-60 (default: 60).
    ListUsers {
        filter: Option<String>,
        limit: Option<i64>,
    },
    /// Local JWT verification against the target's JWKS (fetched once per run); no request.
    VerifyTokens {
        token: TokenUse,
    },
}

/// The `preferred` challenge of a `user_auth_sign_in` step (its PREFERRED_CHALLENGE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreferredChallenge {
    /// PASSWORD, sent with the password: tokens (or the MFA challenge) at once.
    Password,
    /// PASSWORD_SRP, sent with SRP_A: PASSWORD_VERIFIER follows.
    PasswordSrp,
    /// EMAIL_OTP: the EMAIL_OTP challenge follows, answered with the emailed code.
    EmailOtp,
}

impl PreferredChallenge {
    /// The PREFERRED_CHALLENGE value on the wire.
    pub fn wire(self) -> &'static str {
        match self {
            Self::Password => "PASSWORD",
            Self::PasswordSrp => "PASSWORD_SRP",
            Self::EmailOtp => "EMAIL_OTP",
        }
    }
}

/// Pseudo-operation for the managed-login authorization-code exchange; the guide's category
/// table has no row for it.
pub const AUTHORIZATION_CODE_OPERATION: &str = "oauth2/token:authorization_code";

/// Pseudo-operation for managed login itself: `/oauth2/authorize`, the sign-in page and the
/// form post, timed as one request.
pub const MANAGED_LOGIN_OPERATION: &str = "oauth2/login";

/// The callback URL an `authorization_code_pkce` step uses when it names none (the guide
/// allows `http://localhost` callbacks for testing; the embedded target registers it).
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost/callback";

/// What a step needs from earlier steps or from the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenNeed {
    None,
    /// Any tokens (id or access).
    Any,
    /// A refresh token.
    Refresh,
    /// A user's access token (not a client_credentials token).
    UserAccess,
}

impl StepKind {
    pub fn name(&self) -> &'static str {
        match self {
            Self::SignUp { .. } => "sign_up",
            Self::ConfirmSignUp { .. } => "confirm_sign_up",
            Self::SrpSignIn { .. } => "srp_sign_in",
            Self::PasswordSignIn { .. } => "password_sign_in",
            Self::UserAuthSignIn { .. } => "user_auth_sign_in",
            Self::AdminSignIn { .. } => "admin_sign_in",
            Self::Refresh => "refresh",
            Self::GetTokensFromRefreshToken => "get_tokens_from_refresh_token",
            Self::GetUser => "get_user",
            Self::UpdateUserAttributes { .. } => "update_user_attributes",
            Self::ChangePassword { .. } => "change_password",
            Self::ForgotPassword { .. } => "forgot_password",
            Self::GlobalSignOut => "global_sign_out",
            Self::RevokeToken => "revoke_token",
            Self::ClientCredentials { .. } => "client_credentials",
            Self::AuthorizationCodePkce { .. } => "authorization_code_pkce",
            Self::ListUsers { .. } => "list_users",
            Self::VerifyTokens { .. } => "verify_tokens",
        }
    }

    /// The API operations one execution sends, in order (`X-Amz-Target` suffixes, or the
    /// pseudo-operations of the OAuth endpoints). `verify_tokens` sends none.
    pub fn operations(&self) -> &'static [&'static str] {
        match self {
            Self::SignUp { .. } => &["SignUp"],
            Self::ConfirmSignUp {
                via: ConfirmVia::Code,
            } => &["ConfirmSignUp"],
            Self::ConfirmSignUp {
                via: ConfirmVia::Admin,
            } => &["AdminConfirmSignUp"],
            Self::SrpSignIn { mfa: false, .. } => &["InitiateAuth", "RespondToAuthChallenge"],
            // The MFA round is one more RespondToAuthChallenge, within the 3x allowance
            // ("Quotas in Amazon Cognito").
            Self::SrpSignIn { mfa: true, .. } => &[
                "InitiateAuth",
                "RespondToAuthChallenge",
                "RespondToAuthChallenge",
            ],
            Self::PasswordSignIn { mfa: true, .. } => &["InitiateAuth", "RespondToAuthChallenge"],
            Self::PasswordSignIn { mfa: false, .. } | Self::Refresh => &["InitiateAuth"],
            // One RespondToAuthChallenge per challenge round after InitiateAuth: the PASSWORD
            // factor completes in InitiateAuth, PASSWORD_SRP answers PASSWORD_VERIFIER, EMAIL_OTP
            // answers EMAIL_OTP; `mfa: totp` adds SOFTWARE_TOKEN_MFA after a password factor.
            Self::UserAuthSignIn {
                preferred: PreferredChallenge::Password,
                mfa: false,
                ..
            } => &["InitiateAuth"],
            Self::UserAuthSignIn {
                preferred: PreferredChallenge::Password,
                mfa: true,
                ..
            }
            | Self::UserAuthSignIn {
                preferred: PreferredChallenge::PasswordSrp | PreferredChallenge::EmailOtp,
                mfa: false,
                ..
            } => &["InitiateAuth", "RespondToAuthChallenge"],
            Self::UserAuthSignIn {
                preferred: PreferredChallenge::PasswordSrp | PreferredChallenge::EmailOtp,
                mfa: true,
                ..
            } => &[
                "InitiateAuth",
                "RespondToAuthChallenge",
                "RespondToAuthChallenge",
            ],
            Self::AdminSignIn { .. } => &["AdminInitiateAuth"],
            Self::GetTokensFromRefreshToken => &["GetTokensFromRefreshToken"],
            Self::GetUser => &["GetUser"],
            Self::UpdateUserAttributes { .. } => &["UpdateUserAttributes"],
            Self::ChangePassword { .. } => &["ChangePassword"],
            Self::ForgotPassword { confirm: false, .. } => &["ForgotPassword"],
            Self::ForgotPassword { confirm: true, .. } => {
                &["ForgotPassword", "ConfirmForgotPassword"]
            }
            Self::GlobalSignOut => &["GlobalSignOut"],
            Self::RevokeToken => &["RevokeToken"],
            Self::ClientCredentials { .. } => &[quota::CLIENT_CREDENTIALS_OPERATION],
            Self::AuthorizationCodePkce { .. } => {
                &[MANAGED_LOGIN_OPERATION, AUTHORIZATION_CODE_OPERATION]
            }
            Self::ListUsers { .. } => &["ListUsers"],
            Self::VerifyTokens { .. } => &[],
        }
    }

    /// The quota categories this step's operations count in.
    pub fn categories(&self) -> Vec<QuotaCategory> {
        let mut out: Vec<QuotaCategory> = self
            .operations()
            .iter()
            .filter_map(|op| quota::category_of(op))
            .collect();
        out.dedup();
        out
    }

    /// Whether the step acts as a user who must already exist (from the pool or `sign_up`).
    pub fn needs_user(&self) -> bool {
        matches!(
            self,
            Self::SrpSignIn { .. }
                | Self::PasswordSignIn { .. }
                | Self::UserAuthSignIn { .. }
                | Self::AdminSignIn { .. }
                | Self::ForgotPassword { .. }
                | Self::AuthorizationCodePkce { .. }
        )
    }

    /// Whether the step yields tokens a later step can use, and whether they include a
    /// refresh token and a user.
    pub fn produces_tokens(&self) -> Option<ProducedTokens> {
        match self {
            Self::SrpSignIn { .. }
            | Self::PasswordSignIn { .. }
            | Self::UserAuthSignIn { .. }
            | Self::AdminSignIn { .. }
            | Self::Refresh
            | Self::GetTokensFromRefreshToken => Some(ProducedTokens {
                refresh: true,
                user: true,
                id: true,
            }),
            Self::AuthorizationCodePkce { scopes, .. } => Some(ProducedTokens {
                refresh: true,
                user: true,
                // Default scopes: `openid`.
                id: scopes.is_empty() || scopes.iter().any(|s| s == "openid"),
            }),
            Self::ClientCredentials { .. } => Some(ProducedTokens {
                refresh: false,
                user: false,
                id: false,
            }),
            _ => None,
        }
    }

    pub fn token_need(&self) -> TokenNeed {
        match self {
            Self::Refresh | Self::GetTokensFromRefreshToken | Self::RevokeToken => {
                TokenNeed::Refresh
            }
            Self::GetUser
            | Self::UpdateUserAttributes { .. }
            | Self::ChangePassword { .. }
            | Self::GlobalSignOut => TokenNeed::UserAccess,
            Self::VerifyTokens { .. } => TokenNeed::Any,
            _ => TokenNeed::None,
        }
    }
}

/// What a token-producing step yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducedTokens {
    pub refresh: bool,
    /// Tokens of a user (not of an app client).
    pub user: bool,
    /// An ID token. `client_credentials` issues none, and neither does the authorization-code
    /// grant without the `openid` scope ("An ID token is only returned if `openid` scope is
    /// requested": developer guide, "Authorize endpoint", GET /oauth2/authorize).
    pub id: bool,
}

impl Step {
    /// The tokens a later step can take from this one: the kind's tokens when the step is
    /// expected to succeed, none when it expects an error (the engine keeps tokens only from a
    /// success, and a success is a failure of a step that `expect`s an error or a non-200
    /// status).
    pub fn yields_tokens(&self) -> Option<ProducedTokens> {
        if self.expect.error.is_some() || self.expect.status.is_some_and(|s| s != 200) {
            return None;
        }
        self.kind.produces_tokens()
    }
}

impl Flow {
    /// Whether iterations draw a user from the setup pool: some step needs a user and no
    /// `sign_up` comes before it.
    pub fn draws_pool_user(&self) -> bool {
        for step in &self.steps {
            if matches!(step.kind, StepKind::SignUp { .. }) {
                return false;
            }
            if step.kind.needs_user() {
                return true;
            }
        }
        false
    }

    /// Whether iterations create users (which clean-up must delete).
    pub fn creates_users(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s.kind, StepKind::SignUp { .. }))
    }

    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }
}

/// The quota categories the flows' steps touch, in the guide's table order.
pub fn categories_of(flows: &[Flow]) -> Vec<QuotaCategory> {
    let used: Vec<QuotaCategory> = flows
        .iter()
        .flat_map(|f| f.steps.iter())
        .flat_map(|s| s.kind.categories())
        .collect();
    QuotaCategory::all().filter(|c| used.contains(c)).collect()
}

impl Scenario {
    pub fn flow(&self, name: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.name == name)
    }

    /// Every step as `flow.step`, in the scenario's order: flows as declared, steps as they
    /// run (the order the end-of-run summary lists them in).
    pub fn step_order(&self) -> Vec<String> {
        self.flows
            .iter()
            .flat_map(|f| {
                f.steps
                    .iter()
                    .map(move |s| format!("{}.{}", f.name, s.name))
            })
            .collect()
    }

    /// The quota categories the run's steps touch (setup and clean-up excluded), in table order.
    pub fn categories(&self) -> Vec<QuotaCategory> {
        categories_of(&self.flows)
    }
}
