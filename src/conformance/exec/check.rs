//! A step's answer against its expectations: status, `__type`, message, headers, body, and
//! the JWTs it carries (verified against the pool's JWKS, then matched claim by claim).

use base64::Engine as _;
use chrono::Utc;
use serde_json::Value;

use super::vars::{CaseVars, describe_error, issuer, message_of, mismatch};
use crate::conformance::case::{Expect, JwtCheck, JwtUse};
use crate::conformance::matcher::{redact, resolve_pointer};
use crate::conformance::report::Mismatch;
use crate::conformance::target::{Answer, Fixture, JWT_LEEWAY_SECS};
use crate::conformance::template;
use crate::jwt::{AcceptedTokenUse, KeySet, VerifyPolicy, verify_token};
use crate::protocol::error::sanitize_error_type;

/// Checks `answer` against `expect`; `prefix` names the part of the step in mismatches (the
/// challenge of an SRP step is `"challenge "`). Captures from JWTs go into `vars`.
pub(super) async fn check(
    expect: &Expect,
    answer: &Answer,
    vars: &mut CaseVars<'_>,
    fixture: &Fixture,
    step: &str,
    prefix: &str,
) -> Vec<Mismatch> {
    let mut out = check_answer(expect, answer, vars, step, prefix);
    for j in &expect.jwt {
        check_jwt(j, answer, vars, fixture, step, prefix, &mut out).await;
    }
    out
}

/// The status, `__type`, message, headers and body of an answer.
fn check_answer(
    expect: &Expect,
    answer: &Answer,
    vars: &CaseVars<'_>,
    step: &str,
    prefix: &str,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let what = |w: &str| format!("{prefix}{w}");
    match &expect.status {
        Some(allowed) if !allowed.contains(&answer.status) => out.push(mismatch(
            step,
            what("status"),
            allowed
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            describe_error(answer),
        )),
        Some(_) => {}
        None if expect.expects_error() && answer.success() => out.push(mismatch(
            step,
            what("status"),
            "an error",
            format!("HTTP {}", answer.status),
        )),
        None if !expect.expects_error() && !answer.success() => out.push(mismatch(
            step,
            what("status"),
            "2xx",
            describe_error(answer),
        )),
        None => {}
    }
    if let Some(t) = &expect.error_type {
        let got = answer
            .body
            .get("__type")
            .and_then(Value::as_str)
            .map(sanitize_error_type);
        if got != Some(t.as_str()) {
            out.push(mismatch(step, what("__type"), t, got.unwrap_or("<none>")));
        }
    }
    if let Some(m) = &expect.message {
        match m.map_strings(&|v| template::expand_value(v, vars)) {
            Ok(m) => {
                let got = message_of(&answer.body).map(Value::String);
                if !m.matches(got.as_ref()) {
                    out.push(mismatch(
                        step,
                        what("message"),
                        m.describe(),
                        got.map_or("<none>".to_owned(), |g| g.to_string()),
                    ));
                }
            }
            Err(e) => out.push(mismatch(step, what("message"), "a template", e.to_string())),
        }
    }
    for (name, m) in &expect.headers {
        let got = answer
            .headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .map(|s| Value::String(s.to_owned()));
        match m.map_strings(&|v| template::expand_value(v, vars)) {
            Ok(m) if m.matches(got.as_ref()) => {}
            Ok(m) => out.push(mismatch(
                step,
                what(&format!("header {name}")),
                m.describe(),
                got.map_or("<absent>".to_owned(), |g| g.to_string()),
            )),
            Err(e) => out.push(mismatch(
                step,
                what(&format!("header {name}")),
                "a template",
                e.to_string(),
            )),
        }
    }
    for (pointer, m) in &expect.body {
        let got = resolve_pointer(&answer.body, pointer);
        match m.map_strings(&|v| template::expand_value(v, vars)) {
            Ok(m) if m.matches(got) => {}
            Ok(m) => out.push(mismatch(
                step,
                what(&format!("body {pointer}")),
                m.describe(),
                got.map_or("<absent>".to_owned(), |g| redact(pointer, g)),
            )),
            Err(e) => out.push(mismatch(
                step,
                what(&format!("body {pointer}")),
                "a template",
                e.to_string(),
            )),
        }
    }
    out
}

/// One `jwt` expectation: the token verifies against the pool's JWKS under the claim rules,
/// its header and claims match, and its captures are taken.
async fn check_jwt(
    j: &JwtCheck,
    answer: &Answer,
    vars: &mut CaseVars<'_>,
    fixture: &Fixture,
    step: &str,
    prefix: &str,
    out: &mut Vec<Mismatch>,
) {
    let what = |w: &str| format!("{prefix}{w}");
    let token = if j.token.starts_with('/') {
        resolve_pointer(&answer.body, &j.token)
            .and_then(Value::as_str)
            .map(str::to_owned)
    } else {
        vars.expand(&j.token).ok()
    };
    let label = what(&format!("jwt {}", j.token));
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        out.push(mismatch(step, label, "a token", "<absent>"));
        return;
    };
    let client_id = match j.client {
        None => Some(vars.client.id.clone()),
        Some(c) => vars
            .pool
            .clients
            .get(&c)
            .and_then(|r| r.as_ref().ok())
            .map(|c| c.id.clone()),
    };
    let Some(client_id) = client_id else {
        out.push(mismatch(step, label, "a provisioned client", "none"));
        return;
    };
    let mut policy = VerifyPolicy::new(issuer(fixture, &vars.pool.id), [client_id]);
    policy.token_use = match j.token_use {
        JwtUse::Id => AcceptedTokenUse::Id,
        JwtUse::Access => AcceptedTokenUse::Access,
    };
    policy.require_username = j.require_username;
    policy.leeway_secs = JWT_LEEWAY_SECS;
    if let Err(e) = verify_jwt(fixture, &vars.pool.id, &token, &policy).await {
        out.push(mismatch(
            step,
            format!("{label} (signature and claim rules)"),
            "a token that verifies against the pool's JWKS",
            e,
        ));
    }
    let (header, claims) = decode_jwt_parts(&token);
    for (pointer, m) in &j.header {
        let got = resolve_pointer(&header, pointer);
        match m.map_strings(&|v| template::expand_value(v, &*vars)) {
            Ok(m) if m.matches(got) => {}
            Ok(m) => out.push(mismatch(
                step,
                format!("{label} header {pointer}"),
                m.describe(),
                got.map_or("<absent>".to_owned(), |g| redact(pointer, g)),
            )),
            Err(e) => out.push(mismatch(step, label.clone(), "a template", e.to_string())),
        }
    }
    for (pointer, m) in &j.claims {
        let got = resolve_pointer(&claims, pointer);
        match m.map_strings(&|v| template::expand_value(v, &*vars)) {
            Ok(m) if m.matches(got) => {}
            Ok(m) => out.push(mismatch(
                step,
                format!("{label} claim {pointer}"),
                m.describe(),
                got.map_or("<absent>".to_owned(), |g| redact(pointer, g)),
            )),
            Err(e) => out.push(mismatch(step, label.clone(), "a template", e.to_string())),
        }
    }
    for (name, pointer) in &j.capture {
        let got = match pointer.strip_prefix("header") {
            Some(p) => resolve_pointer(&header, p),
            None => resolve_pointer(&claims, pointer),
        };
        match got {
            Some(Value::String(s)) => {
                vars.captures.insert(name.clone(), s.clone());
            }
            Some(other) => {
                vars.captures.insert(name.clone(), other.to_string());
            }
            None => out.push(mismatch(
                step,
                format!("{label} capture {name}"),
                format!("{pointer} present"),
                "absent",
            )),
        }
    }
}

fn decode_jwt_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next = || {
        parts
            .next()
            .and_then(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null)
    };
    let header = next();
    let claims = next();
    (header, claims)
}

async fn verify_jwt(
    fixture: &Fixture,
    pool_id: &str,
    token: &str,
    policy: &VerifyPolicy,
) -> Result<(), String> {
    let now = Utc::now().timestamp();
    let mut cache = fixture.jwks.lock().await;
    for attempt in 0..2 {
        if attempt == 1 || !cache.contains_key(pool_id) {
            let bytes = fixture
                .client
                .fetch_jwks(pool_id)
                .await
                .map_err(|e| format!("JWKS fetch: {e}"))?;
            let keys = KeySet::from_jwks_json(&bytes).map_err(|e| format!("JWKS: {e}"))?;
            cache.insert(pool_id.to_owned(), keys);
        }
        let keys = cache.get(pool_id).expect("inserted above");
        match verify_token(token, keys, policy, now) {
            Ok(_) => return Ok(()),
            Err(e) if e.unknown_kid().is_some() && attempt == 0 => continue,
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("unknown kid after a JWKS refetch".to_owned())
}
