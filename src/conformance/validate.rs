//! Case document to checked [`Case`], with located errors: one step kind per step, known
//! template names, valid matchers and statuses, clients that exist in the case's pool, and the
//! capabilities each step implies.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use serde_saphyr::Spanned;

use super::doc::{
    CaseDoc, ExpectDoc, LoginStep, OAuthStep, OtherDoc, SrpStep, StepDoc, UserStatus, UserStep,
};
use super::matcher::{Matcher, parse_matcher};
use super::model::{
    CallStep, Case, Count, Expect, JwtCheck, Other, SrpStepChecked, Step, StepKind,
    TOGETHER_DEFAULT, TOGETHER_MAX, Together,
};
use super::names::{Capability, ClientName, PoolName};
use super::template::{Template, check_template};
use crate::yaml::{Diagnostic, DiagnosticKind, Severity};

pub(super) fn diag(
    file: &str,
    line: u64,
    column: u64,
    key: &str,
    message: impl Into<String>,
) -> Diagnostic {
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
        self.expect_at(line, column, doc.value, key)
    }

    fn expect_at(&mut self, line: u64, column: u64, doc: ExpectDoc, key: &str) -> Expect {
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

/// Checks a case document and builds the case.
pub(super) fn check_case(doc: CaseDoc, file: &str, area: &str) -> Result<Case, Vec<Diagnostic>> {
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
    let mut case = CaseChecker {
        ck,
        needs,
        pool: doc.pool,
        client: doc.client,
    };
    let mut steps = Vec::new();
    for (i, spanned) in doc.steps.into_iter().enumerate() {
        if let Some(step) = case.step(format!("steps[{i}]"), spanned) {
            steps.push(step);
        }
    }
    if !case.ck.errors.is_empty() {
        return Err(case.ck.errors);
    }
    Ok(Case {
        id,
        title: doc.title,
        reference: doc.reference,
        level: doc.level,
        needs: case.needs,
        pool: doc.pool,
        client: doc.client,
        note: doc.note,
        area: area.to_owned(),
        file: file.to_owned(),
        line: id_line,
        steps,
    })
}

/// Where a step sits: its line and column, and its key (`steps[2]`).
struct At {
    line: u64,
    column: u64,
    key: String,
}

/// A step's race keys, taken out of its document before the step kind is checked.
struct Race {
    together: Option<Spanned<Value>>,
    succeed: Option<Spanned<Value>>,
    others: Vec<Spanned<OtherDoc>>,
    alongside: Option<Box<Spanned<StepDoc>>>,
    replay: bool,
}

/// Checks the steps of one case, collecting the capabilities they imply.
struct CaseChecker<'a> {
    ck: Checker<'a>,
    needs: BTreeSet<Capability>,
    pool: PoolName,
    client: ClientName,
}

impl CaseChecker<'_> {
    /// One step; `None` when it does not have exactly one kind.
    fn step(&mut self, key: String, spanned: Spanned<StepDoc>) -> Option<Step> {
        let at = At {
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
            key,
        };
        let (line, column, key) = (at.line, at.column, at.key.as_str());
        let s = spanned.value;
        let kinds = [
            s.call.is_some(),
            s.user.is_some(),
            s.srp.is_some(),
            s.oauth.is_some(),
            s.get.is_some(),
            s.code.is_some(),
            s.login.is_some(),
            s.totp.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            self.ck.at(
                line,
                column,
                key,
                "a step has exactly one of `call`, `user`, `srp`, `oauth`, `get`, `code`, `login`, `totp`",
            );
            return None;
        }
        if s.call.is_none()
            && (s.body.is_some()
                || s.body_text.is_some()
                || s.signed.is_some()
                || s.target.is_some()
                || s.content_type.is_some())
        {
            self.ck.at(
                line,
                column,
                key,
                "`body`, `body_text`, `signed`, `target` and `content_type` belong to `call` steps",
            );
        }
        let expect = match s.expect {
            Some(e) => self.ck.expect(e, &format!("{key}.expect")),
            None => Expect::default(),
        };
        for pointer in s.capture.values() {
            if !pointer.starts_with('/') {
                self.ck.at(
                    line,
                    column,
                    &format!("{key}.capture"),
                    format!("`{pointer}` is not a JSON pointer; start it with `/`"),
                );
            }
        }
        let race = Race {
            together: s.together,
            succeed: s.succeed,
            others: s.others,
            alongside: s.alongside,
            replay: s.srp.as_ref().is_some_and(|r| r.replay),
        };
        let (kind, label) = if let Some(op) = s.call {
            let call = CallStep {
                op,
                body: None,
                body_text: s.body_text,
                signed: s.signed,
                target: s.target,
                content_type: s.content_type,
            };
            self.call(&at, call, s.body)
        } else if let Some(u) = s.user {
            self.user(&at, u)
        } else if let Some(srp) = s.srp {
            self.srp(&at, srp)
        } else if let Some(o) = s.oauth {
            self.oauth(&at, o)
        } else if let Some(g) = s.get {
            self.ck.template(line, column, &format!("{key}.get"), &g);
            let label = format!("get {g}");
            (StepKind::Get(Template(g)), label)
        } else if let Some(c) = s.code {
            self.needs.insert(Capability::ReadCodes);
            self.ck
                .template(line, column, &format!("{key}.code.user"), &c.user);
            (StepKind::Code(c), "read code".to_owned())
        } else if let Some(l) = s.login {
            self.login(&at, l)
        } else if let Some(t) = s.totp {
            self.ck
                .template(line, column, &format!("{key}.totp.secret"), &t.secret);
            (StepKind::Totp(t), "compute TOTP code".to_owned())
        } else {
            unreachable!("exactly one step kind was checked above")
        };
        let together = self.together(&at, race, &kind);
        Some(Step {
            label: s.name.unwrap_or(label),
            line,
            kind,
            expect,
            capture: s.capture.into_iter().collect(),
            together,
        })
    }

    /// `together`, `succeed`, `others` and `alongside`: all or none of the first two, on a
    /// step kind that sends one request (`call`, `oauth`, the answer of an `srp` sign-in).
    fn together(&mut self, at: &At, race: Race, kind: &StepKind) -> Option<Together> {
        let (line, column, key) = (at.line, at.column, at.key.as_str());
        let Some(n) = race.together else {
            if race.succeed.is_some() || !race.others.is_empty() || race.alongside.is_some() {
                self.ck.at(
                    line,
                    column,
                    key,
                    "`succeed`, `others` and `alongside` belong to `together` steps",
                );
            }
            return None;
        };
        let (nl, nc) = (n.referenced.line(), n.referenced.column());
        let n = match n.value {
            Value::Bool(true) => TOGETHER_DEFAULT,
            Value::Number(v)
                if v.as_u64()
                    .is_some_and(|v| (2..=TOGETHER_MAX as u64).contains(&v)) =>
            {
                v.as_u64().unwrap_or(0) as usize
            }
            other => {
                self.ck.at(
                    nl,
                    nc,
                    &format!("{key}.together"),
                    format!(
                        "expected a number of requests (2-{TOGETHER_MAX}) or `true` \
                         ({TOGETHER_DEFAULT}), found {other}"
                    ),
                );
                return None;
            }
        };
        match kind {
            StepKind::Call(_) | StepKind::OAuth(_) => {}
            StepKind::Srp(_) if !race.replay => {}
            _ => {
                self.ck.at(
                    line,
                    column,
                    &format!("{key}.together"),
                    "`together` fires a `call`, an `oauth` request or the answer of an `srp` \
                     sign-in (without `replay`)",
                );
                return None;
            }
        }
        let succeed = match race.succeed {
            None => {
                self.ck.at(
                    line,
                    column,
                    &format!("{key}.succeed"),
                    "a `together` step says how many may succeed: `succeed: exactly 1`",
                );
                None
            }
            Some(c) => self.count(
                c.referenced.line(),
                c.referenced.column(),
                &format!("{key}.succeed"),
                c.value,
                n,
            ),
        };
        let mut others = Vec::new();
        let mut least = succeed.map_or(0, Count::minimum);
        for (i, o) in race.others.into_iter().enumerate() {
            let (ol, oc) = (o.referenced.line(), o.referenced.column());
            if let Some(other) = self.other(ol, oc, &format!("{key}.others[{i}]"), o.value, n) {
                least += other.count.map_or(0, Count::minimum);
                others.push(other);
            }
        }
        if least > n {
            self.ck.at(
                line,
                column,
                key,
                format!("`succeed` and the counts of `others` need {least} answers of {n}"),
            );
        }
        let alongside = race
            .alongside
            .and_then(|a| self.alongside(key, *a))
            .map(Box::new);
        Some(Together {
            n,
            succeed: succeed?,
            others,
            alongside,
        })
    }

    fn count(
        &mut self,
        line: u64,
        column: u64,
        key: &str,
        value: Value,
        n: usize,
    ) -> Option<Count> {
        let parsed = match &value {
            Value::Number(v) => v
                .as_u64()
                .map(|v| Count::Exactly(v as usize))
                .ok_or_else(|| format!("`{v}` is not a number of answers")),
            Value::String(text) => Count::parse(text),
            other => Err(format!(
                "expected `exactly K`, `at most K` or `at least K`, found {other}"
            )),
        };
        match parsed {
            Ok(c) if c.minimum() > n => {
                self.ck.at(
                    line,
                    column,
                    key,
                    format!("{} is more answers than the step's {n}", c.minimum()),
                );
                None
            }
            Ok(c) => Some(c),
            Err(e) => {
                self.ck.at(line, column, key, e);
                None
            }
        }
    }

    fn other(
        &mut self,
        line: u64,
        column: u64,
        key: &str,
        doc: OtherDoc,
        n: usize,
    ) -> Option<Other> {
        if doc.status.is_none() && doc.error_type.is_none() && doc.message.is_none() {
            self.ck.at(
                line,
                column,
                key,
                "an `others` entry names the error: `type`, `status` or `message`",
            );
            return None;
        }
        let count = doc
            .count
            .and_then(|c| self.count(line, column, &format!("{key}.count"), c, n));
        let expect = self.ck.expect_at(
            line,
            column,
            ExpectDoc {
                status: doc.status,
                error_type: doc.error_type,
                message: doc.message,
                headers: BTreeMap::new(),
                body: doc.body,
                jwt: Vec::new(),
            },
            key,
        );
        if expect
            .status
            .as_ref()
            .is_some_and(|s| s.iter().any(|c| *c < 300))
        {
            self.ck.at(
                line,
                column,
                &format!("{key}.status"),
                "`others` are the answers that did not succeed; a 2xx status is `succeed`'s",
            );
        }
        Some(Other { expect, count })
    }

    fn alongside(&mut self, key: &str, doc: Spanned<StepDoc>) -> Option<Step> {
        let (line, column) = (doc.referenced.line(), doc.referenced.column());
        let key = format!("{key}.alongside");
        let s = &doc.value;
        if s.call.is_none() && s.oauth.is_none() {
            self.ck.at(
                line,
                column,
                &key,
                "`alongside` is a `call` or an `oauth` step",
            );
            return None;
        }
        if s.together.is_some() || s.alongside.is_some() || !s.capture.is_empty() {
            self.ck.at(
                line,
                column,
                &key,
                "`alongside` is one request: no `together`, `alongside` or `capture` in it",
            );
            return None;
        }
        self.step(key, doc)
    }

    /// `call:`; `body` is checked here and moved into the step.
    fn call(
        &mut self,
        at: &At,
        mut call: CallStep,
        body: Option<Spanned<Value>>,
    ) -> (StepKind, String) {
        let (line, column, key) = (at.line, at.column, at.key.as_str());
        if body.is_some() && call.body_text.is_some() {
            self.ck
                .at(line, column, key, "use `body` or `body_text`, not both");
        }
        call.body = body.map(|b| {
            self.ck.templates_in(
                b.referenced.line(),
                b.referenced.column(),
                &format!("{key}.body"),
                &b.value,
            );
            b.value
        });
        if let Some(t) = &call.body_text {
            self.ck
                .template(line, column, &format!("{key}.body_text"), t);
        }
        if call.op.starts_with("Admin") {
            self.needs.insert(Capability::Admin);
        }
        let label = format!("call {}", call.op);
        (StepKind::Call(call), label)
    }

    fn user(&mut self, at: &At, u: UserStep) -> (StepKind, String) {
        let (line, column, key) = (at.line, at.column, at.key.as_str());
        self.ck
            .template(line, column, &format!("{key}.user.name"), &u.name);
        self.ck
            .template(line, column, &format!("{key}.user.password"), &u.password);
        if let Some(e) = &u.email {
            self.ck
                .template(line, column, &format!("{key}.user.email"), e);
        }
        if u.status != UserStatus::Unconfirmed || !u.groups.is_empty() {
            self.needs.insert(Capability::Admin);
        }
        (StepKind::User(u), "user".to_owned())
    }

    fn srp(&mut self, at: &At, mut srp: SrpStep) -> (StepKind, String) {
        let (line, column, key) = (at.line, at.column, at.key.as_str());
        self.needs.insert(Capability::Srp);
        if srp.admin {
            self.needs.insert(Capability::Admin);
        }
        self.ck
            .template(line, column, &format!("{key}.srp.username"), &srp.username);
        self.ck
            .template(line, column, &format!("{key}.srp.password"), &srp.password);
        let challenge = match srp.challenge.take() {
            Some(e) => self.ck.expect(e, &format!("{key}.srp.challenge")),
            None => Expect::default(),
        };
        (
            StepKind::Srp(Box::new(SrpStepChecked {
                step: srp,
                challenge,
            })),
            "srp sign-in".to_owned(),
        )
    }

    fn oauth(&mut self, at: &At, o: OAuthStep) -> (StepKind, String) {
        let (line, column, key) = (at.line, at.column, at.key.as_str());
        self.needs.insert(Capability::Oauth);
        for (k, v) in &o.form {
            self.ck
                .template(line, column, &format!("{key}.oauth.form.{k}"), v);
        }
        if let Some(b) = &o.bearer {
            self.ck
                .template(line, column, &format!("{key}.oauth.bearer"), b);
        }
        let pool = self.pool;
        if let Some(c) = o.client.filter(|c| !ClientName::in_pool(pool).contains(c)) {
            self.ck.at(
                line,
                column,
                &format!("{key}.oauth.client"),
                format!("the {} pool has no `{}` client", pool.as_str(), c.as_str()),
            );
        }
        let label = format!("oauth {:?}", o.endpoint).to_lowercase();
        (StepKind::OAuth(o), label)
    }

    fn login(&mut self, at: &At, l: LoginStep) -> (StepKind, String) {
        let (line, column, key) = (at.line, at.column, at.key.as_str());
        self.needs.insert(Capability::Oauth);
        self.ck
            .template(line, column, &format!("{key}.login.username"), &l.username);
        self.ck
            .template(line, column, &format!("{key}.login.password"), &l.password);
        if let Some(scope) = &l.scope {
            self.ck
                .template(line, column, &format!("{key}.login.scope"), scope);
        }
        if self.client != ClientName::Code {
            self.ck.at(
                line,
                column,
                &format!("{key}.login"),
                "managed login signs in through the `code` client; set `client: code`",
            );
        }
        (StepKind::Login(l), "managed login".to_owned())
    }
}
