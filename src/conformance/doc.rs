//! A case file as written: serde types that mirror the YAML one to one.
//!
//! As with scenarios (STYLE.md), every struct denies unknown keys and no user-facing type is
//! flattened or internally tagged, so serde-saphyr reports `file:line:column` for every shape
//! error; the checks that follow (one step kind per step, known template names, valid
//! matchers) use the [`Spanned`] locations. The step kinds that need no checking beyond their
//! shape ([`UserStep`], [`SrpStep`], [`OAuthStep`], [`LoginStep`], [`CodeStep`]) are carried
//! into the checked model as they are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::names::{Capability, ClientName, Level, PoolName};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseDoc {
    pub(crate) id: Spanned<String>,
    pub(crate) title: String,
    #[serde(rename = "ref")]
    pub(crate) reference: String,
    pub(crate) level: Level,
    #[serde(default)]
    pub(crate) needs: Vec<Capability>,
    #[serde(default)]
    pub(crate) pool: PoolName,
    #[serde(default)]
    pub(crate) client: ClientName,
    #[serde(default)]
    pub(crate) note: Option<String>,
    pub(crate) steps: Vec<Spanned<StepDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepDoc {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) call: Option<String>,
    #[serde(default)]
    pub(crate) body: Option<Spanned<Value>>,
    #[serde(default)]
    pub(crate) body_text: Option<String>,
    #[serde(default)]
    pub(crate) signed: Option<bool>,
    #[serde(default)]
    pub(crate) target: Option<String>,
    #[serde(default)]
    pub(crate) content_type: Option<String>,
    #[serde(default)]
    pub(crate) user: Option<UserStep>,
    #[serde(default)]
    pub(crate) srp: Option<SrpStep>,
    #[serde(default)]
    pub(crate) oauth: Option<OAuthStep>,
    #[serde(default)]
    pub(crate) get: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<CodeStep>,
    #[serde(default)]
    pub(crate) login: Option<LoginStep>,
    #[serde(default)]
    pub(crate) totp: Option<TotpStep>,
    #[serde(default)]
    pub(crate) expect: Option<Spanned<ExpectDoc>>,
    #[serde(default)]
    pub(crate) capture: BTreeMap<String, String>,
    /// Fire the step as this many identical requests at one instant (`true`: 20). Default:
    /// one request.
    #[serde(default)]
    pub(crate) together: Option<Spanned<Value>>,
    /// With `together`: how many answers may succeed (`exactly 1`, `at most 5`, `at least 1`).
    #[serde(default)]
    pub(crate) succeed: Option<Spanned<Value>>,
    /// With `together`: what the answers that do not succeed may be. Default: any error.
    #[serde(default)]
    pub(crate) others: Vec<Spanned<OtherDoc>>,
    /// With `together`: one different request fired at the same instant (a `call` or `oauth`
    /// step, without `together`, `capture` or `alongside`).
    #[serde(default)]
    pub(crate) alongside: Option<Box<Spanned<StepDoc>>>,
}

/// One kind of answer a `together` step's unsuccessful requests may get, and how many of them
/// may get it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OtherDoc {
    #[serde(default)]
    pub(crate) status: Option<Value>,
    #[serde(default, rename = "type")]
    pub(crate) error_type: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<Value>,
    #[serde(default)]
    pub(crate) body: BTreeMap<String, Value>,
    /// How many answers may be of this kind (`at most 5`). Default: any number.
    #[serde(default)]
    pub(crate) count: Option<Value>,
}

/// Creates a user for the case. Defaults: `name: "{user}"`, `password: "{password}"`,
/// `status: confirmed`, no e-mail.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserStep {
    #[serde(default = "default_user")]
    pub name: String,
    #[serde(default = "default_password")]
    pub password: String,
    /// An e-mail address (marked verified for admin-created users). Default: none.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub status: UserStatus,
    /// Groups to add the user to (created when missing). Default: none.
    #[serde(default)]
    pub groups: Vec<String>,
}

fn default_user() -> String {
    "{user}".to_owned()
}
fn default_password() -> String {
    "{password}".to_owned()
}

/// How a [`UserStep`] user is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// AdminCreateUser (MessageAction SUPPRESS) + AdminSetUserPassword (Permanent).
    #[default]
    Confirmed,
    /// SignUp through the case's client: UNCONFIRMED.
    Unconfirmed,
    /// AdminCreateUser with the password as TemporaryPassword: FORCE_CHANGE_PASSWORD.
    ForceChange,
}

/// A full USER_SRP_AUTH sign-in with the project's SRP client, with knobs for the negative
/// cases. The expectation applies to the RespondToAuthChallenge answer (the replayed one with
/// `replay`), or to InitiateAuth when that already failed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SrpStep {
    /// USERNAME in InitiateAuth. Default `"{user}"`.
    #[serde(default = "default_user")]
    pub username: String,
    /// The password the client proves. Default `"{password}"`.
    #[serde(default = "default_password")]
    pub password: String,
    /// Use AdminInitiateAuth / AdminRespondToAuthChallenge. Default false.
    #[serde(default)]
    pub admin: bool,
    /// How TIMESTAMP is written (the signature always covers what is sent). Default canonical.
    #[serde(default)]
    pub timestamp: TimestampForm,
    /// Which name goes into x and the signature: USER_ID_FOR_SRP (correct) or the typed
    /// USERNAME (pitfall 5 of cognito-srp.md). Default `user_id_for_srp`.
    #[serde(default)]
    pub identity: SrpIdentity,
    /// After a sign-in, send the same ChallengeResponses (same SECRET_BLOCK) again; the
    /// expectation applies to the second answer. Default false.
    #[serde(default)]
    pub replay: bool,
    /// Leave SECRET_HASH out even when the client has a secret. Default false.
    #[serde(default)]
    pub omit_secret_hash: bool,
    /// Expectations on the InitiateAuth (PASSWORD_VERIFIER) answer. Default none.
    #[serde(default)]
    pub(crate) challenge: Option<Spanned<ExpectDoc>>,
}

/// TIMESTAMP variants for [`SrpStep::timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampForm {
    /// `EEE MMM d HH:mm:ss UTC yyyy`, day not zero-padded.
    #[default]
    Canonical,
    /// The day zero-padded (`Dec 02`); skipped on days 10-31, which have no padded form.
    ZeroPaddedDay,
    /// The right instant with the wrong weekday name.
    WrongWeekday,
    /// Not a date in the pattern at all (ISO 8601).
    Malformed,
}

/// [`SrpStep::identity`] values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SrpIdentity {
    #[default]
    UserIdForSrp,
    Typed,
}

/// A request to the OAuth 2.0 endpoints of the pool's domain.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthStep {
    pub endpoint: OAuthEndpoint,
    /// Form fields (templated), sent as given. Default none.
    #[serde(default)]
    pub form: BTreeMap<String, String>,
    /// Client authentication. Default `basic` for a client with a secret, else `none`.
    #[serde(default)]
    pub auth: Option<OAuthAuth>,
    /// The client whose id (and secret) authenticates. Default the case's client.
    #[serde(default)]
    pub client: Option<ClientName>,
    /// userInfo: the bearer token (templated). Default none (no Authorization header).
    #[serde(default)]
    pub bearer: Option<String>,
    /// Override the form content type. Default `application/x-www-form-urlencoded`.
    #[serde(default)]
    pub content_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum OAuthEndpoint {
    #[serde(rename = "token")]
    Token,
    #[serde(rename = "userInfo")]
    UserInfo,
    #[serde(rename = "revoke")]
    Revoke,
}

/// [`OAuthStep::auth`] values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthAuth {
    /// `Authorization: Basic base64(id:secret)`.
    Basic,
    /// `client_id` and `client_secret` in the form.
    Post,
    /// `Authorization: Basic` with a wrong secret.
    BasicWrongSecret,
    /// Nothing added.
    None,
}

/// A managed-login sign-in of the case's `code` client: `/oauth2/authorize`, the sign-in form,
/// and the redirect to the callback URL. The answer is, with status 200, the redirect's
/// parameters as a JSON object (`/code`, `/state`, `/state_matches`, and `/code_verifier` with
/// `pkce`), or `{"error": ...}` with the status of the refusal: the redirect's (302) for an
/// error sent to the callback URL, the page's when the sign-in page is shown again
/// (`access_denied`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginStep {
    /// Default `"{user}"`.
    #[serde(default = "default_user")]
    pub username: String,
    /// Default `"{password}"`.
    #[serde(default = "default_password")]
    pub password: String,
    /// The `scope` parameter (templated). Default none (all the client's scopes).
    #[serde(default)]
    pub scope: Option<String>,
    /// Send an S256 `code_challenge` from a fresh verifier. Default false.
    #[serde(default)]
    pub pkce: bool,
    /// Default `https://example.com/callback`, the `code` client's callback URL.
    #[serde(default = "default_callback")]
    pub redirect_uri: String,
}

/// The callback URL of the `code` client.
pub const CODE_CLIENT_CALLBACK: &str = "https://example.com/callback";

fn default_callback() -> String {
    CODE_CLIENT_CALLBACK.to_owned()
}

/// Computes the TOTP code (RFC 6238: HMAC-SHA1, 30 s, 6 digits) of a base32 secret, as an
/// authenticator app shows it, into `captures.<into>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotpStep {
    /// The base32 secret (templated), usually `"{captures.secret}"` from AssociateSoftwareToken.
    pub secret: String,
    /// Time steps from now: `-1` the previous code, `1` the next. Default 0.
    #[serde(default)]
    pub step: i64,
    /// Capture name. Default `totp`.
    #[serde(default = "default_totp_capture")]
    pub into: String,
}

fn default_totp_capture() -> String {
    "totp".to_owned()
}

/// Reads the latest confirmation code for a user into `captures.<into>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeStep {
    /// Default `"{user}"`.
    #[serde(default = "default_user")]
    pub user: String,
    pub kind: CodeKind,
    /// Capture name. Default `code`.
    #[serde(default = "default_code_capture")]
    pub into: String,
}

fn default_code_capture() -> String {
    "code".to_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum CodeKind {
    ConfirmSignUp,
    ConfirmForgotPassword,
    /// The code of the user's pending EMAIL_OTP sign-in (choice-based sign-in).
    EmailOtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpectDoc {
    #[serde(default)]
    pub(crate) status: Option<Value>,
    #[serde(default, rename = "type")]
    pub(crate) error_type: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<Value>,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, Value>,
    #[serde(default)]
    pub(crate) body: BTreeMap<String, Value>,
    #[serde(default)]
    pub(crate) jwt: Vec<JwtCheckDoc>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JwtCheckDoc {
    pub(crate) token: String,
    #[serde(rename = "use")]
    pub(crate) token_use: JwtUse,
    #[serde(default)]
    pub(crate) client: Option<ClientName>,
    #[serde(default = "default_true")]
    pub(crate) require_username: bool,
    #[serde(default)]
    pub(crate) header: BTreeMap<String, Value>,
    #[serde(default)]
    pub(crate) claims: BTreeMap<String, Value>,
    #[serde(default)]
    pub(crate) capture: BTreeMap<String, String>,
}

fn default_true() -> bool {
    true
}

/// Which token a JWT check expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JwtUse {
    Id,
    Access,
}
