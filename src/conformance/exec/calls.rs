//! Steps that send one request: a raw operation call (`call`), a user set up through the admin
//! API or SignUp (`user`), a plain GET (`get`), and reading a delivered code (`code`).

use serde_json::{Value, json};

use super::vars::{CaseVars, describe_error};
use crate::conformance::case::{CallStep, CodeKind, CodeStep, TotpStep, UserStatus, UserStep};
use crate::conformance::target::{Answer, CodeSource, Fixture};
use crate::conformance::template::{self, Vars};
use crate::protocol::client::RawRequest;
use crate::protocol::ops::{OperationKind, TARGET_PREFIX};
use crate::protocol::shape;
use crate::protocol::{CallError, CognitoClient};

pub(super) async fn do_call(
    fixture: &Fixture,
    call: &CallStep,
    vars: &CaseVars<'_>,
) -> Result<Answer, String> {
    send(&fixture.client, &prepare_call(call, vars)?).await
}

/// The request of a `call` step, templates expanded.
pub(super) fn prepare_call(call: &CallStep, vars: &CaseVars<'_>) -> Result<RawRequest, String> {
    let body = match (&call.body, &call.body_text) {
        (Some(v), _) => template::expand_value(v, vars)
            .map_err(|e| e.to_string())?
            .to_string()
            .into_bytes(),
        (None, Some(t)) => vars.expand(t).map_err(|e| e.to_string())?.into_bytes(),
        (None, None) => b"{}".to_vec(),
    };
    let signed = call
        .signed
        .unwrap_or_else(|| match OperationKind::from_name(&call.op) {
            Some(kind) => kind.requires_sigv4(),
            None => call.op.starts_with("Admin") || call.op.contains("UserPool"),
        });
    let mut req = RawRequest::operation(&call.op, body, signed);
    if let Some(t) = &call.target {
        req.target = (!t.is_empty()).then(|| t.clone());
    }
    if let Some(ct) = &call.content_type {
        req.content_type = (!ct.is_empty()).then(|| ct.clone());
    }
    Ok(req)
}

/// Sends one request. Every answer is also checked against the service model's shapes, beyond
/// what the case expects: an answer an SDK would trip on fails the step, naming the member.
pub(super) async fn send(client: &CognitoClient, req: &RawRequest) -> Result<Answer, String> {
    let raw = client
        .send(req)
        .await
        .map_err(|e: CallError| e.to_string())?;
    let empty = raw.body.iter().all(u8::is_ascii_whitespace);
    let answer = Answer::from_raw(raw);
    match shape_issue(req, &answer, empty) {
        Some(message) => Err(message),
        None => Ok(answer),
    }
}

/// The shape mismatch of `answer` to a request for a known operation: the output shape of a
/// success, the JSON 1.1 error body of a service error. A body that is not JSON is left to the
/// case's expectations.
fn shape_issue(req: &RawRequest, answer: &Answer, empty: bool) -> Option<String> {
    let op = req
        .target
        .as_deref()?
        .strip_prefix(TARGET_PREFIX)?
        .strip_prefix('.')?;
    let issue = if answer.success() {
        // An empty body reads as `{}` (some targets send none for empty outputs).
        let nothing = Value::Object(Default::default());
        let body = match (&answer.body, empty) {
            (Value::Null, true) => &nothing,
            (Value::Null, false) => return None,
            (body, _) => body,
        };
        shape::check_output(op, body)?
    } else if answer.body.get("__type").is_some() {
        shape::check_error(&answer.body)?
    } else {
        return None;
    };
    Some(format!(
        "the {op} answer (HTTP {}) does not fit the service model: {issue} ({})",
        answer.status,
        issue.label()
    ))
}

pub(super) async fn call_json(
    fixture: &Fixture,
    op: &str,
    body: Value,
    signed: bool,
) -> Result<Answer, String> {
    send(
        &fixture.client,
        &RawRequest::operation(op, body.to_string().into_bytes(), signed),
    )
    .await
}

pub(super) async fn do_user(
    fixture: &Fixture,
    user: &UserStep,
    vars: &mut CaseVars<'_>,
) -> Result<Answer, String> {
    let name = vars.expand(&user.name).map_err(|e| e.to_string())?;
    let password = vars.expand(&user.password).map_err(|e| e.to_string())?;
    let email = match &user.email {
        Some(e) => Some(vars.expand(e).map_err(|e| e.to_string())?),
        None => None,
    };
    let pool_id = vars.pool.id.clone();
    let answer = match user.status {
        UserStatus::Unconfirmed => {
            let mut body = json!({
                "ClientId": vars.client.id, "Username": name, "Password": password,
            });
            if let Some(e) = &email {
                body["UserAttributes"] = json!([{"Name": "email", "Value": e}]);
            }
            if let Some(h) = vars.secret_hash(&name) {
                body["SecretHash"] = json!(h);
            }
            call_json(fixture, "SignUp", body, false).await?
        }
        UserStatus::Confirmed | UserStatus::ForceChange => {
            let mut body = json!({
                "UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
            });
            if let Some(e) = &email {
                body["UserAttributes"] = json!([
                    {"Name": "email", "Value": e},
                    {"Name": "email_verified", "Value": "true"}
                ]);
            }
            if user.status == UserStatus::ForceChange {
                body["TemporaryPassword"] = json!(password);
            }
            let created = call_json(fixture, "AdminCreateUser", body, true).await?;
            if created.success() && user.status == UserStatus::Confirmed {
                let set = call_json(
                    fixture,
                    "AdminSetUserPassword",
                    json!({"UserPoolId": pool_id, "Username": name, "Password": password,
                           "Permanent": true}),
                    true,
                )
                .await?;
                if !set.success() {
                    return Ok(set);
                }
            }
            created
        }
    };
    if answer.success() {
        for group in &user.groups {
            let _ = call_json(
                fixture,
                "CreateGroup",
                json!({"UserPoolId": pool_id, "GroupName": group}),
                true,
            )
            .await?;
            let added = call_json(
                fixture,
                "AdminAddUserToGroup",
                json!({"UserPoolId": pool_id, "Username": name, "GroupName": group}),
                true,
            )
            .await?;
            if !added.success() {
                return Ok(added);
            }
        }
    }
    Ok(answer)
}

pub(super) async fn do_get(
    fixture: &Fixture,
    path: &str,
    vars: &CaseVars<'_>,
) -> Result<Answer, String> {
    let path = vars.expand(path).map_err(|e| e.to_string())?;
    let url = fixture
        .client
        .config()
        .endpoint
        .join(path.trim_start_matches('/'))
        .map_err(|e| e.to_string())?;
    fixture
        .client
        .execute(fixture.client.http().get(url))
        .await
        .map(Answer::from_raw)
        .map_err(|e| e.to_string())
}

/// The TOTP code of a secret at the case's clock plus `step` steps, into a capture.
pub(super) fn do_totp(step: &TotpStep, vars: &mut CaseVars<'_>) -> Result<(), String> {
    let secret = vars.expand(&step.secret).map_err(|e| e.to_string())?;
    let key = crate::totp::base32_decode(&secret)
        .ok_or_else(|| "the TOTP secret is not base32".to_owned())?;
    let now = chrono::Utc::now().timestamp();
    let at = now.saturating_add(step.step.saturating_mul(crate::totp::STEP_SECS));
    vars.captures
        .insert(step.into.clone(), crate::totp::code_at(&key, at));
    Ok(())
}

pub(super) async fn do_code(
    fixture: &Fixture,
    step: &CodeStep,
    vars: &mut CaseVars<'_>,
) -> Result<(), String> {
    let code = match &fixture.spec.codes {
        CodeSource::Unavailable => return Err("no code source for this target".to_owned()),
        CodeSource::Fixed(code) => code.clone(),
        CodeSource::Harness => {
            let user = vars.expand(&step.user).map_err(|e| e.to_string())?;
            let base = &fixture.client.config().endpoint;
            let url = crate::protocol::endpoints::join_segments(
                base,
                &["_harness", "codes", &vars.pool.id, &user],
            );
            let answer = fixture
                .client
                .execute(fixture.client.http().get(url))
                .await
                .map(Answer::from_raw)
                .map_err(|e| e.to_string())?;
            if !answer.success() {
                return Err(format!("reading the code: {}", describe_error(&answer)));
            }
            let key = match step.kind {
                CodeKind::ConfirmSignUp => "ConfirmSignUp",
                CodeKind::ConfirmForgotPassword => "ConfirmForgotPassword",
                CodeKind::EmailOtp => "EmailOtp",
            };
            answer
                .body
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("no {key} code was issued for the user"))?
                .to_owned()
        }
    };
    vars.captures.insert(step.into.clone(), code);
    Ok(())
}
