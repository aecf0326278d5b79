//! The checked case: what the runner executes. Built by validation from a case document;
//! every template and matcher in it has been checked.

use std::collections::BTreeSet;

use serde_json::Value;

use super::doc::{CodeStep, JwtUse, LoginStep, OAuthStep, SrpStep, TotpStep, UserStep};
use super::matcher::Matcher;
use super::names::{Capability, ClientName, Level, PoolName};
use super::template::Template;

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
    /// capture name -> JSON pointer into the answer (of the first success of a `together`
    /// step).
    pub capture: Vec<(String, String)>,
    /// Fire the step as N identical requests at one instant; `expect` applies to each answer
    /// that succeeds.
    pub together: Option<Together>,
}

/// Default number of requests of a `together: true` step.
pub const TOGETHER_DEFAULT: usize = 20;
/// The most requests one `together` step may fire (each opens its own connection).
pub const TOGETHER_MAX: usize = 100;

/// A race: `n` identical requests released by one barrier, each on a fresh connection, and how
/// their answers may split.
#[derive(Debug, Clone)]
pub struct Together {
    pub n: usize,
    /// How many answers may succeed (2xx).
    pub succeed: Count,
    /// The kinds of answer the rest may get (each with an optional bound); empty: any error.
    pub others: Vec<Other>,
    /// One different request released by the same barrier; its answer is checked against its
    /// own `expect`.
    pub alongside: Option<Box<Step>>,
}

/// One allowed kind of unsuccessful answer of a `together` step.
#[derive(Debug, Clone)]
pub struct Other {
    pub expect: Expect,
    pub count: Option<Count>,
}

/// A bound on how many of a `together` step's answers are of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Exactly(usize),
    AtMost(usize),
    AtLeast(usize),
}

impl Count {
    /// `exactly 1`, `at most 5`, `at least 1`, or a bare number (exactly).
    pub fn parse(text: &str) -> Result<Count, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let number = |w: &str| {
            w.parse::<usize>()
                .map_err(|_| format!("`{w}` is not a number of answers"))
        };
        match words.as_slice() {
            [n] => Ok(Count::Exactly(number(n)?)),
            ["exactly", n] => Ok(Count::Exactly(number(n)?)),
            ["at", "most", n] => Ok(Count::AtMost(number(n)?)),
            ["at", "least", n] => Ok(Count::AtLeast(number(n)?)),
            _ => Err(format!(
                "`{text}` is not a count; write `exactly K`, `at most K` or `at least K`"
            )),
        }
    }

    pub fn allows(self, n: usize) -> bool {
        match self {
            Count::Exactly(k) => n == k,
            Count::AtMost(k) => n <= k,
            Count::AtLeast(k) => n >= k,
        }
    }

    /// The smallest number of answers the bound needs.
    pub fn minimum(self) -> usize {
        match self {
            Count::Exactly(k) | Count::AtLeast(k) => k,
            Count::AtMost(_) => 0,
        }
    }

    /// `exactly 1 of 20`.
    pub fn describe(self, of: usize) -> String {
        match self {
            Count::Exactly(k) => format!("exactly {k} of {of}"),
            Count::AtMost(k) => format!("at most {k} of {of}"),
            Count::AtLeast(k) => format!("at least {k} of {of}"),
        }
    }
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
    Totp(TotpStep),
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
