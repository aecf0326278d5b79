//! What a case's templates expand against ([`CaseVars`]: the run's names, the case's pool and
//! client, the captures of earlier steps), and the small helpers every step and check uses to
//! report a mismatch.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::conformance::case::ClientName;
use crate::conformance::report::Mismatch;
use crate::conformance::target::{Answer, ClientFixture, Fixture, PoolFixture};
use crate::conformance::template::{self, TemplateError, Vars};

pub(super) struct CaseVars<'a> {
    pub(super) fixture: &'a Fixture,
    pub(super) pool: &'a PoolFixture,
    pub(super) client: ClientFixture,
    pub(super) simple: BTreeMap<&'static str, String>,
    pub(super) captures: BTreeMap<String, String>,
}

impl Vars for CaseVars<'_> {
    fn lookup(&self, name: &str) -> Option<String> {
        if let Some(c) = name.strip_prefix("captures.") {
            return self.captures.get(c).cloned();
        }
        if let Some(rest) = name.strip_prefix("clients.") {
            let (client, field) = rest.rsplit_once('.')?;
            let c = self
                .pool
                .clients
                .get(&ClientName::parse(client)?)?
                .as_ref()
                .ok()?;
            return match field {
                "id" => Some(c.id.clone()),
                _ => c.secret.clone(),
            };
        }
        match name {
            "pool_id" => Some(self.pool.id.clone()),
            "client_id" => Some(self.client.id.clone()),
            "client_secret" => self.client.secret.clone(),
            "region" => Some(self.fixture.region.clone()),
            "endpoint" => Some(self.fixture.client.config().endpoint.to_string()),
            "issuer" => Some(issuer(self.fixture, &self.pool.id)),
            "run" => Some(self.fixture.run.clone()),
            other => self.simple.get(other).cloned(),
        }
    }

    fn secret_hash(&self, username: &str) -> Option<String> {
        let secret = self.client.secret.as_ref()?;
        Some(crate::protocol::secret_hash(secret, username, &self.client.id).into_inner())
    }
}

impl CaseVars<'_> {
    pub(super) fn expand(&self, text: &str) -> Result<String, TemplateError> {
        template::expand(text, self)
    }
}

pub(super) fn issuer(fixture: &Fixture, pool_id: &str) -> String {
    match &fixture.spec.issuer_base {
        Some(base) => format!("{}/{pool_id}", base.trim_end_matches('/')),
        None => crate::jwt::cognito_issuer(&fixture.region, pool_id),
    }
}

/// What a step produced.
pub(super) enum StepOutcome {
    Checked(Vec<Mismatch>),
    Skip(String),
}

pub(super) fn mismatch(
    step: &str,
    what: impl Into<String>,
    expected: impl Into<String>,
    got: impl Into<String>,
) -> Mismatch {
    Mismatch {
        step: step.to_owned(),
        what: what.into(),
        expected: expected.into(),
        got: got.into(),
    }
}

pub(super) fn describe_error(answer: &Answer) -> String {
    let t = answer
        .body
        .get("__type")
        .and_then(Value::as_str)
        .unwrap_or("<no __type>");
    let m = message_of(&answer.body).unwrap_or_default();
    format!("HTTP {} {t} {m:?}", answer.status)
}

pub(super) fn message_of(body: &Value) -> Option<String> {
    body.get("message")
        .or_else(|| body.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
