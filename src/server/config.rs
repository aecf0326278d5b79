//! The `serve --config FILE` file: pools, app clients (with fixed ids and secrets) and users
//! declared up front, so a run needs no admin calls. YAML, read by the crate's one loader
//! (`crate::yaml`); errors are `file:line:column: key: message`. Users read the format in
//! `docs/serve-config.md` (checked against these types by `tests/docs_formats.rs`).
//!
//! ```yaml
//! region: us-east-1                 # default us-east-1
//! admin_credentials:                # default none: any well-formed signature is accepted
//!   access_key_id: AKIDEXAMPLE
//!   secret_file: /run/secrets/admin # or secret: … (one of the two)
//! expose_codes: false               # default false: /_harness/codes for loopback clients only
//! connections:                      # default 10s, 60s, 4096 (fitting the open-file limit)
//!   header_read_timeout: 10s
//!   idle_timeout: 60s
//!   max_connections: 1024
//! pools:
//!   - name: load
//!     id: us-east-1_LoadTest1       # default: generated
//!     password_policy: { minimum_length: 8, require_symbols: false }
//!     username_attributes: [email]  # default none
//!     auto_verified_attributes: [email]
//!     clients:
//!       - name: app
//!         id: 1example23456789abcdefghij   # default: generated
//!         secret: s3cr3t                    # default: none (or generate_secret: true)
//!         explicit_auth_flows: [ALLOW_USER_SRP_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
//!     users:
//!       - username: alice
//!         password: Passw0rd!
//!         attributes: { email: alice@example.com, email_verified: "true" }
//!         status: CONFIRMED          # default CONFIRMED
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::protocol::Sensitive;

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerFile {
    /// Region of generated pool ids. Default `us-east-1`.
    #[serde(default)]
    pub region: Option<String>,
    /// Default none.
    #[serde(default)]
    pub pools: Vec<PoolSeed>,
    /// Request-rate quotas (`enabled`, `overrides: {Category: rps}`). Default off.
    #[serde(default)]
    pub quotas: Option<super::throttle::QuotaConfig>,
    /// Credentials admin (SigV4) calls must be signed with. Default none: any well-formed
    /// AWS4-HMAC-SHA256 signature is accepted.
    #[serde(default)]
    pub admin_credentials: Option<AdminCredentialsSeed>,
    /// Serve `/_harness/codes` to clients that are not on loopback. Default false.
    #[serde(default)]
    pub expose_codes: Option<bool>,
    /// Header and idle timeouts and the connection limit. Default: each field's default.
    #[serde(default)]
    pub connections: Option<ConnectionsSeed>,
}

/// `connections:` — how long a client may take and how many may be connected at once.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionsSeed {
    /// Time to send a request's headers, as a duration (`10s`, `500ms`). Default 10 s.
    #[serde(default)]
    pub header_read_timeout: Option<PositiveDuration>,
    /// Time a kept-alive connection may stay idle between requests. Default 60 s.
    #[serde(default)]
    pub idle_timeout: Option<PositiveDuration>,
    /// Open connections beyond this are refused with `503`. Default 4096, or fewer to fit the
    /// open-file limit.
    #[serde(default)]
    pub max_connections: Option<std::num::NonZeroUsize>,
}

impl ConnectionsSeed {
    /// The configured limits over `limits`.
    pub fn apply(&self, limits: &mut super::connections::ConnectionLimits) {
        if let Some(d) = self.header_read_timeout {
            limits.header_read_timeout = d.0;
        }
        if let Some(d) = self.idle_timeout {
            limits.idle_timeout = d.0;
        }
        if let Some(n) = self.max_connections {
            limits.max_connections = n.get();
        }
    }
}

/// A duration written as `10s`, `1m30s` or `500ms` that is more than zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositiveDuration(pub std::time::Duration);

impl std::str::FromStr for PositiveDuration {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match crate::scenario::duration::parse_duration(text) {
            Ok(d) if d.is_zero() => Err(format!("{text:?}: must be more than 0")),
            Ok(d) => Ok(PositiveDuration(d)),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for PositiveDuration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// `admin_credentials:` — the access key and its secret, given inline or in a file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminCredentialsSeed {
    pub access_key_id: String,
    /// The secret itself. Default none (then `secret_file`).
    #[serde(default)]
    pub secret: Option<Sensitive>,
    /// A file whose content (trimmed) is the secret. Default none (then `secret`).
    #[serde(default)]
    pub secret_file: Option<std::path::PathBuf>,
}

impl AdminCredentialsSeed {
    /// The pinned (access key, secret): exactly one of `secret` and `secret_file` is given.
    /// Errors name the key to fix, never the secret.
    pub fn resolve(&self) -> Result<(String, Sensitive), String> {
        if self.access_key_id.is_empty() {
            return Err("admin_credentials: access_key_id is empty".to_owned());
        }
        let secret = match (&self.secret, &self.secret_file) {
            (Some(secret), None) => secret.clone(),
            (None, Some(path)) => Sensitive::new(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("admin_credentials: secret_file {}: {e}", path.display()))?
                    .trim(),
            ),
            _ => {
                return Err(
                    "admin_credentials: give exactly one of `secret` and `secret_file`".to_owned(),
                );
            }
        };
        if secret.is_empty() {
            return Err("admin_credentials: the secret is empty".to_owned());
        }
        Ok((self.access_key_id.clone(), secret))
    }
}

/// A pool created at start-up.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSeed {
    pub name: String,
    /// A fixed pool id (`<region>_<name>`). Default: generated.
    #[serde(default)]
    pub id: Option<String>,
    /// Default: Cognito's default policy (8 characters, all four classes).
    #[serde(default)]
    pub password_policy: Option<PasswordPolicySeed>,
    /// Default none.
    #[serde(default)]
    pub username_attributes: Vec<String>,
    /// Default none.
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    /// Default none.
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    /// Custom attributes of the pool's schema (CreateUserPool `Schema`). Default none.
    #[serde(default)]
    pub custom_attributes: Vec<CustomAttributeSeed>,
    /// Default none.
    #[serde(default)]
    pub clients: Vec<ClientSeed>,
    /// Default none.
    #[serde(default)]
    pub users: Vec<UserSeed>,
}

/// A custom attribute: one `Schema` entry of CreateUserPool, named without the `custom:`
/// prefix (users write it as `custom:<name>`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomAttributeSeed {
    pub name: String,
    /// `AttributeDataType`: `String`, `Number`, `DateTime` or `Boolean`. Default `String`.
    #[serde(default, rename = "type")]
    pub data_type: Option<String>,
    /// Whether the value may change after the user is created. Default `true` (Cognito's
    /// default for a custom attribute).
    #[serde(default)]
    pub mutable: Option<bool>,
    /// String bounds in characters (at most 2048). Default none.
    #[serde(default)]
    pub min_length: Option<u32>,
    #[serde(default)]
    pub max_length: Option<u32>,
    /// Number bounds. Default none.
    #[serde(default)]
    pub min_value: Option<i64>,
    #[serde(default)]
    pub max_value: Option<i64>,
}

/// `Policies.PasswordPolicy`; each member defaults to Cognito's default policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicySeed {
    pub minimum_length: Option<i64>,
    pub require_uppercase: Option<bool>,
    pub require_lowercase: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_symbols: Option<bool>,
    pub temporary_password_validity_days: Option<i64>,
}

/// An app client created at start-up.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSeed {
    pub name: String,
    /// A fixed client id. Default: generated (26 lower-case alphanumerics).
    #[serde(default)]
    pub id: Option<String>,
    /// A fixed client secret. Default none.
    #[serde(default)]
    pub secret: Option<Sensitive>,
    /// Generate a secret when `secret` is not given. Default false.
    #[serde(default)]
    pub generate_secret: bool,
    /// Default: ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_CUSTOM_AUTH.
    #[serde(default)]
    pub explicit_auth_flows: Vec<String>,
    /// `ENABLED` or `LEGACY`. Default LEGACY.
    #[serde(default)]
    pub prevent_user_existence_errors: Option<String>,
    /// Default true.
    #[serde(default)]
    pub enable_token_revocation: Option<bool>,
    /// Minutes. Default 60.
    #[serde(default)]
    pub access_token_validity_minutes: Option<i64>,
    /// Minutes. Default 60.
    #[serde(default)]
    pub id_token_validity_minutes: Option<i64>,
    /// Days. Default 30.
    #[serde(default)]
    pub refresh_token_validity_days: Option<i64>,
    /// Default none.
    #[serde(default)]
    pub allowed_oauth_flows: Vec<String>,
    /// Default none.
    #[serde(default)]
    pub allowed_oauth_scopes: Vec<String>,
    /// Default none.
    #[serde(default)]
    pub callback_urls: Vec<String>,
}

/// A user created at start-up.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    pub username: String,
    pub password: Sensitive,
    /// Default none.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// `CONFIRMED`, `UNCONFIRMED` or `FORCE_CHANGE_PASSWORD`. Default CONFIRMED.
    #[serde(default)]
    pub status: Option<String>,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {key}{message}")]
    Parse {
        path: String,
        line: u64,
        column: u64,
        key: String,
        message: String,
    },
}

/// Reads and parses a config file.
pub fn load_config_file(path: &Path) -> Result<ServerFile, ConfigFileError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ConfigFileError::Read {
        path: shown.clone(),
        source,
    })?;
    let text =
        crate::yaml::decode_text(shown.clone(), bytes).map_err(|d| ConfigFileError::Parse {
            path: shown.clone(),
            line: d.line,
            column: d.column,
            key: String::new(),
            message: format!("{}; {}", d.message, d.fix.unwrap_or_default()),
        })?;
    parse_config(&text, &shown)
}

/// Parses config text; `path` is used in error messages.
pub fn parse_config(text: &str, path: &str) -> Result<ServerFile, ConfigFileError> {
    crate::yaml::parse(text, crate::yaml::Options::STRICT).map_err(|e| {
        let (line, column) = e.location();
        let key = Some(e.key_path())
            .filter(|k| !k.is_empty())
            .map(|k| format!("{k}: "))
            .unwrap_or_default();
        ConfigFileError::Parse {
            path: path.to_owned(),
            line,
            column,
            key,
            message: e.parser_message(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_located() {
        let err = parse_config("pools:\n  - name: p\n    clientz: []\n", "f.yaml").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("f.yaml:3:"), "{text}");
        assert!(text.contains("clientz"), "{text}");
    }

    #[test]
    fn admin_credentials_come_inline_or_from_a_file_and_stay_hidden() {
        let file = parse_config(
            "admin_credentials: {access_key_id: AKID, secret: topsecret}\nexpose_codes: true\n",
            "f.yaml",
        )
        .unwrap();
        assert_eq!(file.expose_codes, Some(true));
        let seed = file.admin_credentials.unwrap();
        assert!(!format!("{seed:?}").contains("topsecret"));
        let (key, secret) = seed.resolve().unwrap();
        assert_eq!((key.as_str(), secret.expose()), ("AKID", "topsecret"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "from-file\n").unwrap();
        let seed = AdminCredentialsSeed {
            access_key_id: "AKID".into(),
            secret: None,
            secret_file: Some(path),
        };
        assert_eq!(seed.resolve().unwrap().1.expose(), "from-file");
        let both = AdminCredentialsSeed {
            secret: Some("x".into()),
            ..seed
        };
        let err = both.resolve().unwrap_err();
        assert!(err.contains("exactly one"), "{err}");
    }

    #[test]
    fn a_full_file_parses_and_hides_secrets() {
        let file = parse_config(
            "pools:\n  - name: p\n    id: us-east-1_Fixed1\n    clients:\n      - name: c\n        secret: topsecret\n    users:\n      - username: alice\n        password: Passw0rd!\n",
            "f.yaml",
        )
        .unwrap();
        assert_eq!(file.pools[0].id.as_deref(), Some("us-east-1_Fixed1"));
        let shown = format!("{file:?}");
        assert!(
            !shown.contains("topsecret") && !shown.contains("Passw0rd!"),
            "{shown}"
        );
    }
}
