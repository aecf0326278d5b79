//! The names a case uses for what the runner provides and how much a case matters: the
//! capabilities a target must offer, the case level, and the pools and app clients the runner
//! provisions. Shared by the case document, its checks, the checked model and templates.

use serde::{Deserialize, Serialize};

/// What a target must offer for a case to run; a target without it gets "skipped: needs X".
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Deserialize,
    Serialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Capability {
    /// The SigV4-signed admin API (AdminCreateUser, AdminInitiateAuth, ...).
    Admin,
    /// A user-pool domain with the OAuth 2.0 endpoints (`/oauth2/token`, `/oauth2/userInfo`).
    Oauth,
    /// App clients with a generated secret.
    SecretClient,
    /// A way to read the confirmation codes the target sends (a fixed code, or the reference
    /// server's `_harness/codes` path).
    ReadCodes,
    /// USER_SRP_AUTH.
    Srp,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Admin => "admin",
            Capability::Oauth => "oauth",
            Capability::SecretClient => "secret_client",
            Capability::ReadCodes => "read_codes",
            Capability::Srp => "srp",
        }
    }

    pub const ALL: [Capability; 5] = [
        Capability::Admin,
        Capability::Oauth,
        Capability::SecretClient,
        Capability::ReadCodes,
        Capability::Srp,
    ];
}

/// How much a case matters: a failed `must` fails the run (exit 11); a failed `should` is
/// reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Must,
    Should,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
        }
    }
}

/// The user pools the runner provisions for every run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Deserialize, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PoolName {
    /// Plain user names; password policy: at least 8 characters with upper case, lower case
    /// and digits; no auto-verified attributes; an OAuth domain and resource server `rs`.
    #[default]
    Main,
    /// `UsernameAttributes: [email]`, `AutoVerifiedAttributes: [email]`.
    Email,
    /// As `main` without OAuth, then SetUserPoolMfaConfig: MFA `OPTIONAL`, software tokens on.
    MfaOptional,
    /// As `mfa_optional` with MFA `ON` (required).
    MfaRequired,
    /// Choice-based sign-in: as `main` without OAuth, with `AutoVerifiedAttributes: [email]`
    /// and `Policies.SignInPolicy.AllowedFirstAuthFactors: [PASSWORD, EMAIL_OTP]`; its
    /// clients also allow `ALLOW_USER_AUTH`.
    UserAuth,
}

impl PoolName {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolName::Main => "main",
            PoolName::Email => "email",
            PoolName::MfaOptional => "mfa_optional",
            PoolName::MfaRequired => "mfa_required",
            PoolName::UserAuth => "user_auth",
        }
    }
}

/// The app clients the runner provisions (see `runner.rs` for their exact settings).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Deserialize, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ClientName {
    /// No secret; SRP, USER_PASSWORD, ADMIN_USER_PASSWORD and REFRESH_TOKEN flows;
    /// PreventUserExistenceErrors LEGACY; token revocation on.
    #[default]
    Public,
    /// As `public`, with a generated secret.
    Secret,
    /// As `public`, with PreventUserExistenceErrors ENABLED.
    Prevent,
    /// Created without ExplicitAuthFlows (the service's defaults apply).
    DefaultFlows,
    /// A secret client allowed the `client_credentials` grant with scope `rs/read` (main pool).
    Oauth,
    /// A public client allowed the `code` grant with scopes openid, email, profile (main pool).
    Code,
}

impl ClientName {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientName::Public => "public",
            ClientName::Secret => "secret",
            ClientName::Prevent => "prevent",
            ClientName::DefaultFlows => "default_flows",
            ClientName::Oauth => "oauth",
            ClientName::Code => "code",
        }
    }

    pub fn parse(name: &str) -> Option<ClientName> {
        Some(match name {
            "public" => ClientName::Public,
            "secret" => ClientName::Secret,
            "prevent" => ClientName::Prevent,
            "default_flows" => ClientName::DefaultFlows,
            "oauth" => ClientName::Oauth,
            "code" => ClientName::Code,
            _ => return None,
        })
    }

    /// Whether the client has a secret.
    pub fn has_secret(self) -> bool {
        matches!(self, ClientName::Secret | ClientName::Oauth)
    }

    /// The clients provisioned in `pool`.
    pub fn in_pool(pool: PoolName) -> &'static [ClientName] {
        match pool {
            PoolName::Main => &[
                ClientName::Public,
                ClientName::Secret,
                ClientName::Prevent,
                ClientName::DefaultFlows,
                ClientName::Oauth,
                ClientName::Code,
            ],
            PoolName::Email
            | PoolName::MfaOptional
            | PoolName::MfaRequired
            | PoolName::UserAuth => &[ClientName::Public, ClientName::Secret],
        }
    }
}
