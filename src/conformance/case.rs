//! The case format and its loader.
//!
//! One YAML file is one case. A case names the documented behaviour it checks (`ref`), how much
//! it matters (`level`: `must` when the guide or every sourced fact agrees, `should` when the
//! sources disagree or the guide is silent), what the target must offer to run it (`needs`),
//! and a list of steps with expectations. The smallest case:
//!
//! ```yaml
//! id: wire.unknown-client
//! title: An unknown app client is ResourceNotFoundException
//! ref: "API reference InitiateAuth, Errors"
//! level: must
//! steps:
//!   - call: InitiateAuth
//!     body: { AuthFlow: USER_PASSWORD_AUTH, ClientId: nosuchclient0000000000000,
//!             AuthParameters: { USERNAME: "{user}", PASSWORD: "{password}" } }
//!     expect: { status: 400, type: ResourceNotFoundException }
//! ```
//!
//! As with scenarios (STYLE.md), every struct denies unknown keys and no user-facing type is
//! flattened or internally tagged, so serde-saphyr reports `file:line:column` for every shape
//! error; the semantic checks (one step kind per step, known template names, valid matchers)
//! use the [`Spanned`] locations.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::matcher::{Matcher, parse_matcher};
use super::template::{Template, check_template};
use crate::yaml::{Diagnostic, DiagnosticKind, Severity};

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
}

impl PoolName {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolName::Main => "main",
            PoolName::Email => "email",
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
            PoolName::Email => &[ClientName::Public, ClientName::Secret],
        }
    }
}

// ---- the file as written ----------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseDoc {
    id: Spanned<String>,
    title: String,
    #[serde(rename = "ref")]
    reference: String,
    level: Level,
    #[serde(default)]
    needs: Vec<Capability>,
    #[serde(default)]
    pool: PoolName,
    #[serde(default)]
    client: ClientName,
    #[serde(default)]
    note: Option<String>,
    steps: Vec<Spanned<StepDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDoc {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    call: Option<String>,
    #[serde(default)]
    body: Option<Spanned<Value>>,
    #[serde(default)]
    body_text: Option<String>,
    #[serde(default)]
    signed: Option<bool>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    user: Option<UserStep>,
    #[serde(default)]
    srp: Option<SrpStep>,
    #[serde(default)]
    oauth: Option<OAuthStep>,
    #[serde(default)]
    get: Option<String>,
    #[serde(default)]
    code: Option<CodeStep>,
    #[serde(default)]
    login: Option<LoginStep>,
    #[serde(default)]
    expect: Option<Spanned<ExpectDoc>>,
    #[serde(default)]
    capture: BTreeMap<String, String>,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpectDoc {
    #[serde(default)]
    status: Option<Value>,
    #[serde(default, rename = "type")]
    error_type: Option<String>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(default)]
    headers: BTreeMap<String, Value>,
    #[serde(default)]
    body: BTreeMap<String, Value>,
    #[serde(default)]
    jwt: Vec<JwtCheckDoc>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct JwtCheckDoc {
    token: String,
    #[serde(rename = "use")]
    token_use: JwtUse,
    #[serde(default)]
    client: Option<ClientName>,
    #[serde(default = "default_true")]
    require_username: bool,
    #[serde(default)]
    header: BTreeMap<String, Value>,
    #[serde(default)]
    claims: BTreeMap<String, Value>,
    #[serde(default)]
    capture: BTreeMap<String, String>,
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

// ---- the checked model ------------------------------------------------------------------------

/// A loaded, checked case.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub title: String,
    /// The guide section (or sourced fact) that grounds the expectations.
    pub reference: String,
    pub level: Level,
    /// Declared and implied capabilities.
    pub needs: BTreeSet<Capability>,
    pub pool: PoolName,
    pub client: ClientName,
    pub note: Option<String>,
    /// The folder under `conformance/` (`srp`, `oauth2`, ...).
    pub area: String,
    /// The file as named, and the line of `id:`.
    pub file: String,
    pub line: u64,
    pub steps: Vec<Step>,
}

/// One checked step.
#[derive(Debug, Clone)]
pub struct Step {
    /// `name`, or the step kind and operation.
    pub label: String,
    pub line: u64,
    pub kind: StepKind,
    pub expect: Expect,
    /// capture name -> JSON pointer into the answer.
    pub capture: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub enum StepKind {
    Call(CallStep),
    User(UserStep),
    Srp(Box<SrpStepChecked>),
    OAuth(OAuthStep),
    Get(Template),
    Code(CodeStep),
    Login(LoginStep),
}

/// A JSON 1.1 operation call, at the byte level when the case needs it.
#[derive(Debug, Clone)]
pub struct CallStep {
    /// The operation (`X-Amz-Target` suffix).
    pub op: String,
    /// The JSON body (templated); `None` with `body_text`.
    pub body: Option<Value>,
    /// A raw body (templated), sent as is.
    pub body_text: Option<String>,
    /// SigV4: default from the operation table (Admin* and pool management are signed).
    pub signed: Option<bool>,
    /// `X-Amz-Target` override; `""` omits the header.
    pub target: Option<String>,
    /// `Content-Type` override; `""` omits the header.
    pub content_type: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SrpStepChecked {
    pub step: SrpStep,
    pub challenge: Expect,
}

/// What an answer must look like. Every field is optional; an empty `Expect` on a call step
/// means "any 2xx".
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// Allowed HTTP statuses. Default: any 2xx when nothing else is expected of an error.
    pub status: Option<Vec<u16>>,
    /// `__type` after stripping a namespace (`ns#Name`).
    pub error_type: Option<String>,
    /// The error `message` (or `Message`).
    pub message: Option<Matcher>,
    /// Header name (case-insensitive) -> matcher.
    pub headers: Vec<(String, Matcher)>,
    /// JSON pointer -> matcher.
    pub body: Vec<(String, Matcher)>,
    pub jwt: Vec<JwtCheck>,
}

impl Expect {
    /// Whether the step expects a failure (any expectation about an error).
    pub fn expects_error(&self) -> bool {
        self.error_type.is_some()
            || self.message.is_some()
            || self
                .status
                .as_ref()
                .is_some_and(|s| s.iter().all(|c| *c >= 300))
    }
}

/// A JWT check: verify the signature against the pool's JWKS and the claim rules of "Verifying
/// a JSON web token", then match header and claims.
#[derive(Debug, Clone)]
pub struct JwtCheck {
    /// A JSON pointer into the answer (`/AuthenticationResult/IdToken`) or a template.
    pub token: String,
    pub token_use: JwtUse,
    /// The client the token was issued to (aud / client_id). Default the case's client.
    pub client: Option<ClientName>,
    /// Require the user-name claim. Default true (false for client-credentials tokens).
    pub require_username: bool,
    pub header: Vec<(String, Matcher)>,
    pub claims: Vec<(String, Matcher)>,
    /// capture name -> pointer into the claims (`/jti`) or the header (`header/kid`).
    pub capture: Vec<(String, String)>,
}

// ---- loading ----------------------------------------------------------------------------------

fn diag(file: &str, line: u64, column: u64, key: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line,
        column,
        key: key.to_owned(),
        kind: DiagnosticKind::InvalidValue,
        severity: Severity::Error,
        message: message.into(),
        fix: None,
    }
}

/// Parses and checks one case. `file` names it in messages; `area` is its folder.
pub fn load_case_str(source: &str, file: &str, area: &str) -> Result<Case, Vec<Diagnostic>> {
    let doc = crate::yaml::parse::<CaseDoc>(source, crate::yaml::Options::STRICT)
        .map_err(|e| vec![e.diagnostic(file)])?;
    check_case(doc, file, area)
}

struct Checker<'a> {
    file: &'a str,
    errors: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&mut self, line: u64, column: u64, key: &str, message: impl Into<String>) {
        self.errors
            .push(diag(self.file, line, column, key, message.into()));
    }

    fn template(&mut self, line: u64, column: u64, key: &str, text: &str) {
        if let Err(e) = check_template(text) {
            self.at(line, column, key, e.to_string());
        }
    }

    fn templates_in(&mut self, line: u64, column: u64, key: &str, value: &Value) {
        match value {
            Value::String(s) => self.template(line, column, key, s),
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.templates_in(line, column, &format!("{key}[{i}]"), v);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    self.templates_in(line, column, &format!("{key}.{k}"), v);
                }
            }
            _ => {}
        }
    }

    fn matchers(
        &mut self,
        line: u64,
        column: u64,
        key: &str,
        map: BTreeMap<String, Value>,
        pointers: bool,
    ) -> Vec<(String, Matcher)> {
        let mut out = Vec::new();
        for (k, v) in map {
            let here = format!("{key}.{k}");
            if pointers && !(k.is_empty() || k.starts_with('/')) {
                self.at(
                    line,
                    column,
                    &here,
                    format!("`{k}` is not a JSON pointer; start it with `/`"),
                );
                continue;
            }
            self.templates_in(line, column, &here, &v);
            match parse_matcher(v) {
                Ok(m) => out.push((k, m)),
                Err(e) => self.at(line, column, &here, e),
            }
        }
        out
    }

    fn expect(&mut self, doc: Spanned<ExpectDoc>, key: &str) -> Expect {
        let line = doc.referenced.line();
        let column = doc.referenced.column();
        let doc = doc.value;
        let status = doc.status.and_then(|v| match parse_status(&v) {
            Ok(s) => Some(s),
            Err(e) => {
                self.at(line, column, &format!("{key}.status"), e);
                None
            }
        });
        let message = doc.message.and_then(|v| {
            self.templates_in(line, column, &format!("{key}.message"), &v);
            match parse_matcher(v) {
                Ok(m) => Some(m),
                Err(e) => {
                    self.at(line, column, &format!("{key}.message"), e);
                    None
                }
            }
        });
        let headers = self.matchers(line, column, &format!("{key}.headers"), doc.headers, false);
        let body = self.matchers(line, column, &format!("{key}.body"), doc.body, true);
        let mut jwt = Vec::new();
        for (i, j) in doc.jwt.into_iter().enumerate() {
            let jkey = format!("{key}.jwt[{i}]");
            if !j.token.starts_with('/') {
                self.template(line, column, &format!("{jkey}.token"), &j.token);
            }
            let header = self.matchers(line, column, &format!("{jkey}.header"), j.header, true);
            let claims = self.matchers(line, column, &format!("{jkey}.claims"), j.claims, true);
            for (name, pointer) in &j.capture {
                if !(pointer.starts_with('/') || pointer.starts_with("header/")) {
                    self.at(
                        line,
                        column,
                        &format!("{jkey}.capture.{name}"),
                        "a JWT capture is a pointer into the claims (`/jti`) or the header \
                         (`header/kid`)",
                    );
                }
            }
            jwt.push(JwtCheck {
                token: j.token,
                token_use: j.token_use,
                client: j.client,
                require_username: j.require_username,
                header,
                claims,
                capture: j.capture.into_iter().collect(),
            });
        }
        Expect {
            status,
            error_type: doc.error_type,
            message,
            headers,
            body,
            jwt,
        }
    }
}

fn parse_status(v: &Value) -> Result<Vec<u16>, String> {
    let one = |v: &Value| {
        v.as_u64()
            .filter(|n| (100..=599).contains(n))
            .map(|n| n as u16)
            .ok_or_else(|| format!("expected an HTTP status (100-599), found {v}"))
    };
    match v {
        Value::Array(items) if !items.is_empty() => items.iter().map(one).collect(),
        Value::Array(_) => Err("the list of allowed statuses is empty".to_owned()),
        other => Ok(vec![one(other)?]),
    }
}

fn check_case(doc: CaseDoc, file: &str, area: &str) -> Result<Case, Vec<Diagnostic>> {
    let mut ck = Checker {
        file,
        errors: Vec::new(),
    };
    let id_line = doc.id.referenced.line();
    let id_col = doc.id.referenced.column();
    let id = doc.id.value;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c))
    {
        ck.at(
            id_line,
            id_col,
            "id",
            format!("`{id}` is not a case id; use lower-case letters, digits, `-`, `.`, `_`"),
        );
    }
    if !ClientName::in_pool(doc.pool).contains(&doc.client) {
        ck.at(
            id_line,
            id_col,
            "client",
            format!(
                "the {} pool has no `{}` client",
                doc.pool.as_str(),
                doc.client.as_str()
            ),
        );
    }
    let mut needs: BTreeSet<Capability> = doc.needs.into_iter().collect();
    if doc.client.has_secret() {
        needs.insert(Capability::SecretClient);
    }
    if matches!(doc.client, ClientName::Oauth | ClientName::Code) {
        needs.insert(Capability::Oauth);
    }
    if doc.steps.is_empty() {
        ck.at(id_line, id_col, "steps", "a case needs at least one step");
    }
    let mut steps = Vec::new();
    for (i, spanned) in doc.steps.into_iter().enumerate() {
        let line = spanned.referenced.line();
        let column = spanned.referenced.column();
        let key = format!("steps[{i}]");
        let s = spanned.value;
        let kinds = [
            s.call.is_some(),
            s.user.is_some(),
            s.srp.is_some(),
            s.oauth.is_some(),
            s.get.is_some(),
            s.code.is_some(),
            s.login.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            ck.at(
                line,
                column,
                &key,
                "a step has exactly one of `call`, `user`, `srp`, `oauth`, `get`, `code`, `login`",
            );
            continue;
        }
        if s.call.is_none()
            && (s.body.is_some()
                || s.body_text.is_some()
                || s.signed.is_some()
                || s.target.is_some()
                || s.content_type.is_some())
        {
            ck.at(
                line,
                column,
                &key,
                "`body`, `body_text`, `signed`, `target` and `content_type` belong to `call` steps",
            );
        }
        let expect = match s.expect {
            Some(e) => ck.expect(e, &format!("{key}.expect")),
            None => Expect::default(),
        };
        for pointer in s.capture.values() {
            if !pointer.starts_with('/') {
                ck.at(
                    line,
                    column,
                    &format!("{key}.capture"),
                    format!("`{pointer}` is not a JSON pointer; start it with `/`"),
                );
            }
        }
        let (kind, label) = if let Some(op) = s.call {
            if s.body.is_some() && s.body_text.is_some() {
                ck.at(line, column, &key, "use `body` or `body_text`, not both");
            }
            let body = s.body.map(|b| {
                ck.templates_in(
                    b.referenced.line(),
                    b.referenced.column(),
                    &format!("{key}.body"),
                    &b.value,
                );
                b.value
            });
            if let Some(t) = &s.body_text {
                ck.template(line, column, &format!("{key}.body_text"), t);
            }
            if op.starts_with("Admin") {
                needs.insert(Capability::Admin);
            }
            let label = format!("call {op}");
            (
                StepKind::Call(CallStep {
                    op,
                    body,
                    body_text: s.body_text,
                    signed: s.signed,
                    target: s.target,
                    content_type: s.content_type,
                }),
                label,
            )
        } else if let Some(u) = s.user {
            ck.template(line, column, &format!("{key}.user.name"), &u.name);
            ck.template(line, column, &format!("{key}.user.password"), &u.password);
            if let Some(e) = &u.email {
                ck.template(line, column, &format!("{key}.user.email"), e);
            }
            if u.status != UserStatus::Unconfirmed || !u.groups.is_empty() {
                needs.insert(Capability::Admin);
            }
            (StepKind::User(u), "user".to_owned())
        } else if let Some(mut srp) = s.srp {
            needs.insert(Capability::Srp);
            if srp.admin {
                needs.insert(Capability::Admin);
            }
            ck.template(line, column, &format!("{key}.srp.username"), &srp.username);
            ck.template(line, column, &format!("{key}.srp.password"), &srp.password);
            let challenge = match srp.challenge.take() {
                Some(e) => ck.expect(e, &format!("{key}.srp.challenge")),
                None => Expect::default(),
            };
            (
                StepKind::Srp(Box::new(SrpStepChecked {
                    step: srp,
                    challenge,
                })),
                "srp sign-in".to_owned(),
            )
        } else if let Some(o) = s.oauth {
            needs.insert(Capability::Oauth);
            for (k, v) in &o.form {
                ck.template(line, column, &format!("{key}.oauth.form.{k}"), v);
            }
            if let Some(b) = &o.bearer {
                ck.template(line, column, &format!("{key}.oauth.bearer"), b);
            }
            if let Some(c) = o
                .client
                .filter(|c| !ClientName::in_pool(doc.pool).contains(c))
            {
                ck.at(
                    line,
                    column,
                    &format!("{key}.oauth.client"),
                    format!(
                        "the {} pool has no `{}` client",
                        doc.pool.as_str(),
                        c.as_str()
                    ),
                );
            }
            let label = format!("oauth {:?}", o.endpoint).to_lowercase();
            (StepKind::OAuth(o), label)
        } else if let Some(g) = s.get {
            ck.template(line, column, &format!("{key}.get"), &g);
            let label = format!("get {g}");
            (StepKind::Get(Template(g)), label)
        } else if let Some(c) = s.code {
            needs.insert(Capability::ReadCodes);
            ck.template(line, column, &format!("{key}.code.user"), &c.user);
            (StepKind::Code(c), "read code".to_owned())
        } else if let Some(l) = s.login {
            needs.insert(Capability::Oauth);
            ck.template(line, column, &format!("{key}.login.username"), &l.username);
            ck.template(line, column, &format!("{key}.login.password"), &l.password);
            if let Some(scope) = &l.scope {
                ck.template(line, column, &format!("{key}.login.scope"), scope);
            }
            if doc.client != ClientName::Code {
                ck.at(
                    line,
                    column,
                    &format!("{key}.login"),
                    "managed login signs in through the `code` client; set `client: code`",
                );
            }
            (StepKind::Login(l), "managed login".to_owned())
        } else {
            unreachable!("exactly one step kind was checked above")
        };
        steps.push(Step {
            label: s.name.unwrap_or(label),
            line,
            kind,
            expect,
            capture: s.capture.into_iter().collect(),
        });
    }
    if !ck.errors.is_empty() {
        return Err(ck.errors);
    }
    Ok(Case {
        id,
        title: doc.title,
        reference: doc.reference,
        level: doc.level,
        needs,
        pool: doc.pool,
        client: doc.client,
        note: doc.note,
        area: area.to_owned(),
        file: file.to_owned(),
        line: id_line,
        steps,
    })
}

/// Loads every `<dir>/<area>/*.yaml` case, sorted by area and file name. Reports every bad file
/// and every duplicate id.
pub fn load_suite(dir: &Path) -> Result<Vec<Case>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut cases: Vec<Case> = Vec::new();
    let io_error = |path: &Path, e: std::io::Error| Diagnostic {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        key: String::new(),
        kind: DiagnosticKind::Io,
        severity: Severity::Error,
        message: format!("cannot read: {e}"),
        fix: None,
    };
    let mut areas: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "expected"))
            .collect(),
        Err(e) => return Err(vec![io_error(dir, e)]),
    };
    areas.sort();
    for area_dir in areas {
        let area = area_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut files: Vec<_> = match std::fs::read_dir(&area_dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect(),
            Err(e) => {
                errors.push(io_error(&area_dir, e));
                continue;
            }
        };
        files.sort();
        for path in files {
            let source = match std::fs::read_to_string(&path) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(io_error(&path, e));
                    continue;
                }
            };
            match load_case_str(&source, &path.display().to_string(), &area) {
                Ok(case) => {
                    if let Some(first) = cases.iter().find(|c| c.id == case.id) {
                        errors.push(diag(
                            &case.file,
                            case.line,
                            1,
                            "id",
                            format!("duplicate case id `{}` (also in {})", case.id, first.file),
                        ));
                    } else {
                        cases.push(case);
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Case, Vec<String>> {
        load_case_str(text, "c.yaml", "wire")
            .map_err(|e| e.into_iter().map(|d| d.to_string()).collect())
    }

    const MINIMAL: &str = "id: wire.x\ntitle: t\nref: r\nlevel: must\nsteps:\n  - call: SignUp\n    body: { ClientId: \"{client_id}\" }\n    expect: { status: [400, 403], type: X }\n";

    #[test]
    fn a_minimal_case_loads_with_implied_capabilities() {
        let case = load(MINIMAL).unwrap();
        assert_eq!(case.id, "wire.x");
        assert_eq!(case.area, "wire");
        assert_eq!(case.steps.len(), 1);
        assert_eq!(case.steps[0].expect.status, Some(vec![400, 403]));
        assert!(case.steps[0].expect.expects_error());
        let srp = "id: s\ntitle: t\nref: r\nlevel: should\nclient: secret\nsteps:\n  - srp: {}\n";
        let case = load(srp).unwrap();
        assert!(case.needs.contains(&Capability::Srp));
        assert!(case.needs.contains(&Capability::SecretClient));
    }

    #[test]
    fn unknown_keys_are_located() {
        let text = MINIMAL.replace("level: must\n", "level: must\ncolour: red\n");
        let errors = load(&text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(
                "c.yaml:5:1: colour: unknown key `colour`; valid keys here: id, title, ref,"
            ),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn unknown_enum_values_are_located() {
        let text = MINIMAL.replace("level: must", "level: may");
        let errors = load(&text).unwrap_err();
        assert!(
            errors[0].starts_with("c.yaml:4:8: level: unknown value `may`"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_step_with_two_kinds_is_located_at_the_step() {
        let text = "id: a\ntitle: t\nref: r\nlevel: must\nsteps:\n  - call: SignUp\n    get: /x\n";
        let errors = load(text).unwrap_err();
        assert_eq!(
            errors,
            vec![
                "c.yaml:6:5: steps[0]: a step has exactly one of `call`, `user`, `srp`, `oauth`, \
                 `get`, `code`, `login`"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn unknown_template_names_and_bad_matchers_are_reported() {
        let text = "id: a\ntitle: t\nref: r\nlevel: must\nsteps:\n  - call: SignUp\n    body: { Username: \"{usr}\" }\n    expect:\n      body: { \"/A\": { lenght: 3 } }\n";
        let errors = load(text).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(
            errors[0],
            "c.yaml:9:7: steps[0].expect.body./A: unknown matcher `lenght`"
        );
        assert!(
            errors[1]
                .starts_with("c.yaml:7:11: steps[0].body.Username: unknown template name `usr`"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn bad_status_and_missing_keys_are_reported() {
        let text = MINIMAL.replace("[400, 403]", "[40]");
        let errors = load(&text).unwrap_err();
        assert!(
            errors[0].contains("steps[0].expect.status: expected an HTTP status"),
            "{errors:?}"
        );
        let errors = load("id: a\ntitle: t\nlevel: must\nsteps: []\n").unwrap_err();
        assert!(
            errors[0].contains("ref: required key is missing"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_client_outside_the_pool_is_refused() {
        let text = MINIMAL.replace("level: must\n", "level: must\npool: email\nclient: oauth\n");
        let errors = load(&text).unwrap_err();
        assert!(
            errors[0].contains("the email pool has no `oauth` client"),
            "{errors:?}"
        );
    }
}
