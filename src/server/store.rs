//! The reference server's in-memory state.
//!
//! Locking is designed for a multi-threaded runtime: the pool table is a read-mostly `RwLock`
//! map of `Arc<Pool>`; each pool keeps its users in [`SHARDS`] independently locked maps (by
//! hash of the user key), so sign-ins of different users rarely contend. Sign-in sessions and
//! refresh records are sharded the same way. No lock is held across an `.await`.
//!
//! Users are stored compactly: an SRP [`Verifier`] (402 bytes, no heap) for USER_SRP_AUTH and a
//! 32-byte salted SHA-256 for USER_PASSWORD_AUTH, not the password; attributes as boxed strs;
//! each record boxed, so the tables' spare buckets are small (`examples/server_users.rs`
//! measures the bytes per user).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use aws_lc_rs::digest;
use rand::{Rng, RngCore};

use super::clock::Clock;
use super::error::{ApiError, ApiResult};
use super::settings::{ServerConfig, ServerError};
use crate::jwt::{Jwks, KeySet, TokenSigner, jwks_from_signers};
use crate::protocol::ops::{
    ExplicitAuthFlowsType, OAuthFlowType, PoolAttributeType, PreventUserExistenceErrorTypes,
    ResourceServerType, TimeUnitsType, UserPoolClientType,
};
use crate::srp::{ServerSession, Verifier};

use super::password::PasswordPolicy;

/// Number of independently locked shards per sharded map.
pub const SHARDS: usize = 32;

/// Entries a shard of an expiring map holds before its first expiry sweep
/// ([`Sharded::insert_expiring`]).
pub const SWEEP_MIN: usize = 16;

/// A map split into [`SHARDS`] mutex-protected parts.
pub struct Sharded<K, V> {
    shards: Box<[Mutex<HashMap<K, V>>]>,
    /// Per shard, the size at which [`Sharded::insert_expiring`] next sweeps it; only read and
    /// written with that shard's lock held.
    sweep_at: Box<[AtomicUsize]>,
    hasher: std::collections::hash_map::RandomState,
}

impl<K: Hash + Eq, V> Default for Sharded<K, V> {
    fn default() -> Self {
        Sharded {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            sweep_at: (0..SHARDS).map(|_| AtomicUsize::new(SWEEP_MIN)).collect(),
            hasher: Default::default(),
        }
    }
}

impl<K: Hash + Eq, V> Sharded<K, V> {
    fn shard<Q: Hash + ?Sized>(&self, key: &Q) -> &Mutex<HashMap<K, V>> {
        let h = self.hasher.hash_one(key) as usize;
        &self.shards[h % SHARDS]
    }

    /// Runs `f` on the shard holding `key`.
    pub fn with<Q: Hash + ?Sized, R>(&self, key: &Q, f: impl FnOnce(&mut HashMap<K, V>) -> R) -> R {
        let mut guard = self.shard(key).lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Inserts into a map whose entries expire (`expires_ms` of an entry; expired once `now_ms`
    /// is past it). When the shard has doubled since its last sweep, its expired entries are
    /// dropped first. A sweep costs the shard's size and follows at least that many inserts
    /// since the one before, so inserting stays amortized O(1), and a shard never holds more
    /// than twice the entries still live at its last sweep (or [`SWEEP_MIN`]): entries that
    /// are never used up (challenges never answered) cannot pile up.
    pub fn insert_expiring(
        &self,
        key: K,
        value: V,
        now_ms: i64,
        expires_ms: impl Fn(&V) -> i64,
    ) -> Option<V> {
        let h = self.hasher.hash_one(&key) as usize % SHARDS;
        let mut map = self.shards[h].lock().unwrap_or_else(|e| e.into_inner());
        let sweep_at = &self.sweep_at[h];
        if map.len() >= sweep_at.load(Ordering::Relaxed) {
            map.retain(|_, v| expires_ms(v) >= now_ms);
            sweep_at.store((map.len() * 2).max(SWEEP_MIN), Ordering::Relaxed);
        }
        map.insert(key, value)
    }

    /// Drops the entries `keep` refuses, shard by shard.
    pub fn retain(&self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        for s in self.shards.iter() {
            s.lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(&mut keep);
        }
    }
}

/// `UserStatus`, one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    /// AdminResetUserPassword: sign-in is refused until ConfirmForgotPassword.
    ResetRequired,
}

impl Status {
    pub fn as_wire(self) -> crate::protocol::ops::UserStatusType {
        use crate::protocol::ops::UserStatusType as U;
        match self {
            Status::Unconfirmed => U::Unconfirmed,
            Status::Confirmed => U::Confirmed,
            Status::ForceChangePassword => U::ForceChangePassword,
            Status::ResetRequired => U::ResetRequired,
        }
    }
}

/// A one-time code (confirmation or password reset): six digits and an expiry (ms).
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub digits: [u8; 6],
    pub expires_ms: i64,
}

impl Code {
    pub fn random(now_ms: i64, validity_ms: i64) -> Self {
        let mut rng = rand::rng();
        let mut digits = [0u8; 6];
        for d in &mut digits {
            *d = b'0' + rng.random_range(0..10u8);
        }
        Code {
            digits,
            expires_ms: now_ms + validity_ms,
        }
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits).unwrap_or("")
    }
}

/// Failed sign-in bookkeeping for the lockout ("User pool authentication flow").
#[derive(Debug, Clone, Copy, Default)]
pub struct Lockout {
    pub failures: u16,
    pub last_failure_ms: i64,
    pub locked_until_ms: i64,
}

/// One user, compact.
pub struct User {
    /// The internal user name (USER_ID_FOR_SRP), as created.
    pub username: Box<str>,
    pub sub: uuid::Uuid,
    pub status: Status,
    pub enabled: bool,
    pub attributes: Vec<(Box<str>, Box<str>)>,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub verifier: Verifier,
    /// SHA-256(salt hex | 0 | password).
    pub password_hash: [u8; 32],
    /// A FORCE_CHANGE_PASSWORD user's temporary password stops working at this time.
    pub temporary_expires_ms: i64,
    pub confirm_code: Option<Code>,
    pub forgot_code: Option<Code>,
    /// The pending GetUserAttributeVerificationCode code and the attribute it verifies
    /// (boxed: most users never have one).
    pub attribute_code: Option<Box<(Box<str>, Code)>>,
    pub lockout: Lockout,
    /// Per-user quota counters ([`super::user_limits`]), allocated at the first limited call.
    pub limits: Option<Box<super::user_limits::UserLimits>>,
    /// Bumped by GlobalSignOut: sign-ins of an older generation are revoked.
    pub generation: u32,
    pub groups: Vec<Box<str>>,
    /// Software-token MFA ([`super::mfa::UserMfa`]), allocated at the first AssociateSoftwareToken.
    pub mfa: Option<Box<super::mfa::UserMfa>>,
    /// The code of the user's pending EMAIL_OTP sign-in (boxed: most users never have one).
    pub email_otp: Option<Box<EmailOtp>>,
}

/// The one-time code of a choice-based EMAIL_OTP sign-in: eight digits (fixed length, an
/// Amazon Cognito answer in aws-amplify/amplify-js#14428), valid while its sign-in session is
/// (the client's AuthSessionValidity), single use, and given up after
/// [`EmailOtp::MAX_FAILURES`] wrong answers.
#[derive(Debug, Clone)]
pub struct EmailOtp {
    pub digits: [u8; 8],
    pub expires_ms: i64,
    /// The session the code was sent for: another sign-in's session cannot use it.
    pub session: Box<str>,
    pub failures: u8,
}

impl EmailOtp {
    /// Wrong codes before the code and its session are given up. ⚠ No source names Cognito's
    /// number; three is ours (a guess is one in 10^8 per try either way).
    pub const MAX_FAILURES: u8 = 3;

    pub fn random(now_ms: i64, validity_ms: i64, session: &str) -> Self {
        let mut rng = rand::rng();
        let mut digits = [0u8; 8];
        for d in &mut digits {
            *d = b'0' + rng.random_range(0..10u8);
        }
        EmailOtp {
            digits,
            expires_ms: now_ms + validity_ms,
            session: session.into(),
            failures: 0,
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits).unwrap_or("")
    }
}

impl User {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| &**v)
    }

    /// Removes an attribute; whether it was there.
    pub fn remove_attribute(&mut self, name: &str) -> bool {
        let before = self.attributes.len();
        self.attributes.retain(|(n, _)| &**n != name);
        self.attributes.len() != before
    }

    pub fn set_attribute(&mut self, name: &str, value: &str) {
        if let Some(slot) = self.attributes.iter_mut().find(|(n, _)| &**n == name) {
            slot.1 = value.into();
        } else {
            self.attributes.push((name.into(), value.into()));
        }
    }

    /// Replaces the password (verifier and hash).
    pub fn set_password(&mut self, pool_id: &str, password: &str) -> ApiResult<()> {
        let (verifier, hash) = derive_password(pool_id, &self.username, password)?;
        self.verifier = verifier;
        self.password_hash = hash;
        Ok(())
    }

    pub fn password_matches(&self, password: &str) -> bool {
        let hash = password_hash(&self.verifier.salt_hex(), password);
        aws_lc_rs::constant_time::verify_slices_are_equal(&hash, &self.password_hash).is_ok()
    }
}

fn password_hash(salt_hex: &str, password: &str) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(salt_hex.as_bytes());
    ctx.update(&[0]);
    ctx.update(password.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// The SRP verifier and password hash for a new password.
pub fn derive_password(
    pool_id: &str,
    username: &str,
    password: &str,
) -> ApiResult<(Verifier, [u8; 32])> {
    let verifier = Verifier::new(pool_id, username, password, &mut rand::rng())
        .map_err(|e| ApiError::new("InternalErrorException", e.to_string()))?;
    let hash = password_hash(&verifier.salt_hex(), password);
    Ok((verifier, hash))
}

/// An app client.
#[derive(Debug, Clone)]
pub struct AppClient {
    pub id: String,
    pub name: String,
    pub secret: Option<String>,
    pub explicit_auth_flows: Vec<ExplicitAuthFlowsType>,
    pub prevent_user_existence_errors: bool,
    pub enable_token_revocation: bool,
    pub access_validity_secs: i64,
    pub id_validity_secs: i64,
    pub refresh_validity_secs: i64,
    /// Minutes a challenge Session / SECRET_BLOCK stays valid (AuthSessionValidity, default 3).
    pub auth_session_validity_mins: i64,
    /// As given, for the CreateUserPoolClient answer.
    pub wire: UserPoolClientType,
    pub allowed_oauth_flows: Vec<OAuthFlowType>,
    pub allowed_oauth_scopes: Vec<String>,
    pub callback_urls: Vec<String>,
    /// `RefreshTokenRotation` ENABLED: the grace period in seconds (0-60) of a rotated-out
    /// refresh token; `None` when rotation is off.
    pub rotation_grace_secs: Option<i64>,
}

impl AppClient {
    /// Whether `flow` (an `ALLOW_*` name) is enabled; the legacy names count too.
    ///
    /// A client configured with the legacy values (`ADMIN_NO_SRP_AUTH`, `USER_PASSWORD_AUTH`,
    /// `CUSTOM_AUTH_FLOW_ONLY`, which cannot be mixed with `ALLOW_*` ones, botocore
    /// `ExplicitAuthFlows`) still signs in with SRP and refreshes: the legacy values only
    /// switched the extra flows on, and SRP and refresh could not be switched off until the
    /// `ALLOW_*` values came (release of 2019-11-14: "adds support to enable or disable
    /// specific authentication flows for a user pool client",
    /// https://awsapichanges.info/archive/changes/1fa7bd-cognito-idp.html). The exception is
    /// `CUSTOM_AUTH_FLOW_ONLY`, the console's "Only allow custom authentication", which keeps
    /// SRP off (⚠ the sources say nothing more precise).
    pub fn allows(&self, flow: &ExplicitAuthFlowsType) -> bool {
        use ExplicitAuthFlowsType as F;
        let flows = &self.explicit_auth_flows;
        let legacy = flows.iter().any(|f| {
            matches!(
                f,
                F::AdminNoSrpAuth | F::UserPasswordAuth | F::CustomAuthFlowOnly
            )
        });
        if legacy {
            let custom_only = flows.contains(&F::CustomAuthFlowOnly);
            match flow {
                F::AllowRefreshTokenAuth => return true,
                F::AllowUserSrpAuth => return !custom_only,
                F::AllowCustomAuth if custom_only => return true,
                _ => {}
            }
        }
        flows.iter().any(|f| {
            f == flow
                || matches!(
                    (f, flow),
                    (F::UserPasswordAuth, F::AllowUserPasswordAuth)
                        | (F::AdminNoSrpAuth, F::AllowAdminUserPasswordAuth)
                )
        })
    }
}

/// The flows a client gets when CreateUserPoolClient names none (ground truth §5.43).
pub fn default_auth_flows() -> Vec<ExplicitAuthFlowsType> {
    vec![
        ExplicitAuthFlowsType::AllowUserSrpAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ExplicitAuthFlowsType::AllowCustomAuth,
    ]
}

/// Seconds in `value` `unit`s; `default_unit` when the client gave none.
pub fn validity_secs(value: i64, unit: Option<&TimeUnitsType>, default_unit: TimeUnitsType) -> i64 {
    let unit = unit.cloned().unwrap_or(default_unit);
    value.saturating_mul(match unit {
        TimeUnitsType::Seconds => 1,
        TimeUnitsType::Minutes => 60,
        TimeUnitsType::Hours => 3600,
        TimeUnitsType::Days => 86400,
        TimeUnitsType::Other(_) => 1,
    })
}

/// One user pool.
/// A user pool group ("Adding groups to a user pool").
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub description: Option<String>,
    pub precedence: Option<i64>,
    pub role_arn: Option<String>,
    pub created_ms: i64,
}

/// The settings of a pool that UpdateUserPool changes.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub policy: PasswordPolicy,
    pub auto_verified: Vec<PoolAttributeType>,
    pub temporary_password_days: i64,
    /// As DescribeUserPool answers it (less the live counts).
    pub wire: crate::protocol::ops::UserPoolType,
}

pub struct Pool {
    pub id: String,
    pub created_ms: i64,
    pub username_attributes: Vec<PoolAttributeType>,
    pub alias_attributes: Vec<PoolAttributeType>,
    /// The attribute schema (CreateUserPool `Schema`, AddCustomAttributes).
    pub schema: RwLock<super::attributes::Schema>,
    pub case_sensitive: bool,
    /// Replaced whole by UpdateUserPool.
    pub settings: RwLock<Arc<PoolSettings>>,
    pub clients: RwLock<HashMap<String, Arc<AppClient>>>,
    pub resource_servers: RwLock<Vec<ResourceServerType>>,
    pub domain: RwLock<Option<String>>,
    /// Groups by name (CreateGroup); a user's memberships are in [`User::groups`].
    pub groups: RwLock<BTreeMap<String, Group>>,
    /// Users by key (the user name, lower-cased unless the pool is case sensitive). Boxed: a
    /// hash table runs between 44 % and 87 % full, so a 600-byte record inline would leave up
    /// to a kilobyte of empty buckets per user; boxed, an empty bucket costs 24 bytes.
    pub users: Sharded<Box<str>, Box<User>>,
    /// Sign-in aliases (email, phone number, preferred_username) to user keys.
    pub aliases: Sharded<Box<str>, Box<str>>,
    /// MfaConfiguration and software-token MFA (CreateUserPool, SetUserPoolMfaConfig).
    pub mfa: RwLock<super::mfa::PoolMfa>,
}

impl Pool {
    /// A copy of the attribute schema (a read lock held only while copying).
    pub fn schema(&self) -> super::attributes::Schema {
        self.schema
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The current settings (a snapshot: UpdateUserPool swaps them whole).
    pub fn settings(&self) -> Arc<PoolSettings> {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn policy(&self) -> PasswordPolicy {
        self.settings().policy.clone()
    }

    pub fn auto_verified(&self) -> Vec<PoolAttributeType> {
        self.settings().auto_verified.clone()
    }

    pub fn temporary_password_days(&self) -> i64 {
        self.settings().temporary_password_days
    }

    pub fn wire(&self) -> crate::protocol::ops::UserPoolType {
        self.settings().wire.clone()
    }

    /// The map key for a user name.
    pub fn key(&self, username: &str) -> Box<str> {
        if self.case_sensitive {
            username.into()
        } else {
            username.to_lowercase().into()
        }
    }

    /// Points the sign-in alias `alias` (lowercase) at the user `key`, checking and writing in one
    /// step under the alias's shard lock, so two users can never both take one address; false
    /// when another user holds it.
    pub fn claim_alias(&self, alias: &str, key: &str) -> bool {
        self.aliases.with(alias, |m| match m.get(alias) {
            Some(k) => &**k == key,
            None => {
                m.insert(alias.into(), key.into());
                true
            }
        })
    }

    /// Drops the sign-in alias `alias` if it points at the user `key` (another user's is kept).
    pub fn release_alias(&self, alias: &str, key: &str) {
        self.aliases.with(alias, |m| {
            if m.get(alias).is_some_and(|k| &**k == key) {
                m.remove(alias);
            }
        });
    }

    /// The key of the user `name` designates: a user name, else an alias, else a sub.
    pub fn resolve(&self, name: &str) -> Option<Box<str>> {
        let key = self.key(name);
        if self.users.with(&key, |m| m.contains_key(&key)) {
            return Some(key);
        }
        let alias_key: Box<str> = name.to_lowercase().into();
        self.aliases
            .with(&alias_key, |m| m.get(&alias_key).cloned())
    }

    pub fn client(&self, client_id: &str) -> ApiResult<Arc<AppClient>> {
        self.clients
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(client_id)
            .cloned()
            .ok_or_else(|| client_not_found(client_id))
    }

    /// Runs `f` on the user `key`, if present.
    pub fn with_user<R>(&self, key: &str, f: impl FnOnce(&mut User) -> R) -> Option<R> {
        self.users.with(key, |m| m.get_mut(key).map(|u| f(u)))
    }

    /// Whether `attr` is a sign-in identifier of this pool (username or alias attribute).
    pub fn signs_in_with(&self, attr: &str) -> bool {
        self.username_attributes
            .iter()
            .chain(&self.alias_attributes)
            .any(|a| a.as_str() == attr)
    }
}

pub fn client_not_found(client_id: &str) -> ApiError {
    ApiError::not_found(format!("User pool client {client_id} does not exist."))
}

/// A pending PASSWORD_VERIFIER challenge, keyed by its SECRET_BLOCK.
pub struct SrpPending {
    pub pool_id: String,
    pub client_id: String,
    /// None for a decoy answered to an unknown user under PreventUserExistenceErrors.
    pub user_key: Option<Box<str>>,
    pub username: Box<str>,
    pub session: ServerSession,
    pub expires_ms: i64,
}

/// What a challenge `Session` is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeKind {
    NewPasswordRequired,
    /// SOFTWARE_TOKEN_MFA after the password.
    SoftwareTokenMfa,
    /// MFA_SETUP: AssociateSoftwareToken and VerifySoftwareToken take this session.
    MfaSetup,
    /// MFA_SETUP after a successful VerifySoftwareToken: RespondToAuthChallenge completes it.
    MfaSetupVerified,
    /// SELECT_CHALLENGE of a choice-based (USER_AUTH) sign-in.
    SelectChallenge,
    /// EMAIL_OTP of a choice-based sign-in: the code is the user's [`User::email_otp`].
    EmailOtp,
}

/// A pending challenge with a `Session` (NEW_PASSWORD_REQUIRED, the MFA challenges).
#[derive(Clone)]
pub struct ChallengePending {
    pub pool_id: String,
    pub client_id: String,
    pub user_key: Box<str>,
    pub kind: ChallengeKind,
    pub expires_ms: i64,
}

/// One sign-in: its refresh token and the tokens issued from it, keyed by `origin_jti`.
#[derive(Clone)]
pub struct SignIn {
    pub pool_id: String,
    pub client_id: String,
    pub user_key: Box<str>,
    /// The refresh token's secret part (the whole token is `origin_jti` bytes + this).
    pub refresh_secret: [u8; 32],
    pub auth_time: i64,
    pub generation: u32,
    pub revoked: bool,
    pub refresh_expires_ms: i64,
    /// The granted OAuth scopes (space-separated) of a managed-login sign-in; `None` for an
    /// API sign-in, whose access tokens carry `aws.cognito.signin.user.admin`.
    pub scopes: Option<Box<str>>,
    /// When refresh-token rotation replaced this sign-in's refresh token (GetTokensFromRefreshToken
    /// on a rotating client); the token keeps working for the client's grace period after it.
    pub rotated_out_ms: Option<i64>,
}

/// An authorization code from managed login ("Authorize endpoint": one-time use, valid for
/// five minutes), keyed by the code.
pub struct AuthCode {
    pub pool_id: String,
    pub client_id: String,
    pub user_key: Box<str>,
    pub redirect_uri: String,
    /// The granted scopes, space-separated.
    pub scopes: String,
    /// The S256 `code_challenge`, when the code was requested with PKCE.
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub auth_time: i64,
    pub expires_ms: i64,
}

/// How long a sign-in's record outlives its refresh token: the access and ID tokens it issued
/// (valid at most a day) are checked against it for revocation until they expire.
pub const SIGN_IN_GRACE_MS: i64 = 86_400_000;

impl SignIn {
    /// Whether the sign-in was revoked (RevokeToken, `/oauth2/revoke`) or signed out since
    /// (GlobalSignOut, AdminDisableUser bump the user's generation to `current_generation`).
    pub fn revoked_for(&self, current_generation: u32) -> bool {
        self.revoked || self.generation != current_generation
    }

    /// When the record may be dropped: nothing issued from it is valid any more.
    pub fn forgettable_after_ms(&self) -> i64 {
        self.refresh_expires_ms.saturating_add(SIGN_IN_GRACE_MS)
    }
}

/// The whole server state.
pub struct Store {
    pub region: String,
    /// `http://127.0.0.1:PORT` (no trailing slash): the issuer is `{base}/{poolId}`.
    pub base_url: String,
    pub clock: Clock,
    pub admin_credentials: Option<(String, crate::protocol::Sensitive)>,
    /// Serve `/_harness/codes` to non-loopback clients ([`ServerConfig::expose_codes`]).
    pub expose_codes: bool,
    pub max_body_bytes: usize,
    pub pools: RwLock<HashMap<String, Arc<Pool>>>,
    pub id_signer: TokenSigner,
    pub access_signer: TokenSigner,
    pub jwks: Jwks,
    pub jwks_json: Vec<u8>,
    /// The access key only, for verifying access tokens the server issued.
    pub access_keys: KeySet,
    pub srp_pending: Sharded<String, SrpPending>,
    pub challenges: Sharded<String, ChallengePending>,
    pub sign_ins: Sharded<uuid::Uuid, SignIn>,
    pub auth_codes: Sharded<String, AuthCode>,
    /// Quota enforcement, `None` when quotas are off.
    pub throttle: Option<super::throttle::Throttle>,
    /// The CloudWatch user-pool metrics (`serve --metrics-listen`).
    pub pool_metrics: super::cloudwatch::PoolMetrics,
}

impl Store {
    /// A fresh store with new signing keys and no pools: the configured seed pools are created
    /// over it by [`super::new_store`].
    pub fn new(config: &ServerConfig, endpoint: &str) -> Result<Self, ServerError> {
        let id_signer = TokenSigner::generate(random_kid())?;
        let access_signer = TokenSigner::generate(random_kid())?;
        let jwks = jwks_from_signers([&id_signer, &access_signer]);
        let jwks_json = serde_json::to_vec(&jwks).unwrap_or_default();
        let access_keys = KeySet::from_jwks(&jwks_from_signers([&access_signer]))
            .map_err(|e| ServerError::Keys(crate::jwt::SignError::KeyRejected(e.to_string())))?;
        Ok(Store {
            region: config.region.clone(),
            base_url: endpoint.trim_end_matches('/').to_owned(),
            clock: config.clock.clone(),
            throttle: super::throttle::Throttle::new(&config.quotas, config.clock.clone()),
            admin_credentials: config.admin_credentials.clone(),
            expose_codes: config.expose_codes,
            max_body_bytes: config.max_body_bytes,
            pools: RwLock::new(HashMap::new()),
            id_signer,
            access_signer,
            jwks,
            jwks_json,
            access_keys,
            srp_pending: Sharded::default(),
            challenges: Sharded::default(),
            sign_ins: Sharded::default(),
            auth_codes: Sharded::default(),
            pool_metrics: Default::default(),
        })
    }

    pub fn now_ms(&self) -> i64 {
        let t = (self.clock)();
        match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_millis() as i64,
            Err(e) => -(e.duration().as_millis() as i64),
        }
    }

    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}", self.base_url)
    }

    pub fn pool(&self, pool_id: &str) -> ApiResult<Arc<Pool>> {
        self.pools
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(pool_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("User pool {pool_id} does not exist.")))
    }

    /// The pool that owns `client_id` (clients are looked up across pools for the public
    /// operations, which carry no pool id).
    pub fn pool_of_client(&self, client_id: &str) -> ApiResult<(Arc<Pool>, Arc<AppClient>)> {
        let pools = self.pools.read().unwrap_or_else(|e| e.into_inner());
        for pool in pools.values() {
            if let Some(c) = pool
                .clients
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(client_id)
            {
                return Ok((pool.clone(), c.clone()));
            }
        }
        Err(client_not_found(client_id))
    }
}

fn random_kid() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// `<region>_<9 alnum>`, as Cognito's pool ids.
pub fn new_pool_id(region: &str) -> String {
    format!("{region}_{}", random_from(ALNUM, 9))
}

/// 26 lower-case alphanumerics, as Cognito's client ids.
pub fn new_client_id() -> String {
    random_from(LOWER_ALNUM, 26)
}

/// 51 lower-case alphanumerics, as Cognito's client secrets.
pub fn new_client_secret() -> String {
    random_from(LOWER_ALNUM, 51)
}

/// A random opaque string of `bytes` random bytes, base64url.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, buf)
}

pub fn prevent_errors(v: &Option<PreventUserExistenceErrorTypes>) -> bool {
    matches!(v, Some(PreventUserExistenceErrorTypes::Enabled))
}

/// A bare pool for unit tests of the operations.
#[cfg(test)]
pub fn test_pool(auto_verified: Vec<PoolAttributeType>) -> Pool {
    Pool {
        id: "us-east-1_TestPool".into(),
        created_ms: 0,
        username_attributes: Vec::new(),
        alias_attributes: Vec::new(),
        schema: RwLock::default(),
        case_sensitive: false,
        settings: RwLock::new(Arc::new(PoolSettings {
            policy: PasswordPolicy::default(),
            auto_verified,
            temporary_password_days: 7,
            wire: Default::default(),
        })),
        clients: RwLock::new(HashMap::new()),
        resource_servers: RwLock::new(Vec::new()),
        domain: RwLock::new(None),
        groups: RwLock::new(BTreeMap::new()),
        users: Sharded::default(),
        aliases: Sharded::default(),
        mfa: RwLock::default(),
    }
}
