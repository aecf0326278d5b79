//! The `srp` step: USER_SRP_AUTH as a client does it, with the deviations a case asks for
//! (timestamp forms, the identity signed over, an omitted SECRET_HASH, a replayed answer).

use chrono::{Datelike, Utc};
use serde_json::{Value, json};

use super::calls::{call_json, send};
use super::check::check;
use super::vars::{CaseVars, describe_error, mismatch};
use crate::conformance::case::{SrpIdentity, SrpStepChecked, TimestampForm};
use crate::conformance::matcher::{redact, resolve_pointer};
use crate::conformance::report::Mismatch;
use crate::conformance::target::{Answer, Fixture};
use crate::conformance::template::Vars;
use crate::protocol::client::RawRequest;
use crate::srp::{PasswordVerifierChallenge, SrpClient, math};

pub(super) enum SrpAnswer {
    Final(Answer),
    Mismatches(Vec<Mismatch>),
    Skip(String),
}

fn timestamp(form: TimestampForm, now: chrono::DateTime<Utc>) -> Option<String> {
    Some(match form {
        TimestampForm::Canonical => math::format_timestamp(now),
        TimestampForm::ZeroPaddedDay => {
            if now.day() >= 10 {
                return None;
            }
            now.format("%a %b %d %H:%M:%S UTC %Y").to_string()
        }
        TimestampForm::WrongWeekday => {
            let canonical = math::format_timestamp(now);
            let other = (now + chrono::Duration::days(1)).format("%a").to_string();
            format!("{other}{}", &canonical[3..])
        }
        TimestampForm::Malformed => now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

pub(super) async fn do_srp(
    fixture: &Fixture,
    srp: &SrpStepChecked,
    vars: &mut CaseVars<'_>,
    label: &str,
) -> Result<SrpAnswer, String> {
    let req = match prepare_srp(fixture, srp, vars, label).await? {
        SrpPrepared::Respond(req) => req,
        SrpPrepared::Done(answer) => return Ok(answer),
    };
    let answered = send(&fixture.client, &req).await?;
    if !srp.step.replay {
        return Ok(SrpAnswer::Final(answered));
    }
    if !answered.success() {
        return Ok(SrpAnswer::Mismatches(vec![mismatch(
            label,
            "first sign-in (before the replay)",
            "2xx",
            describe_error(&answered),
        )]));
    }
    Ok(SrpAnswer::Final(send(&fixture.client, &req).await?))
}

/// Where an `srp` step stands before its challenge answer is sent.
pub(super) enum SrpPrepared {
    /// The RespondToAuthChallenge (or admin) request answering PASSWORD_VERIFIER.
    Respond(RawRequest),
    /// The sign-in ended before the answer: InitiateAuth failed, or its challenge did not meet
    /// the step's expectations.
    Done(SrpAnswer),
}

/// InitiateAuth (USER_SRP_AUTH), its challenge checked, and the answer to it computed.
pub(super) async fn prepare_srp(
    fixture: &Fixture,
    srp: &SrpStepChecked,
    vars: &mut CaseVars<'_>,
    label: &str,
) -> Result<SrpPrepared, String> {
    let step = &srp.step;
    let now = Utc::now();
    let Some(ts) = timestamp(step.timestamp, now) else {
        return Ok(SrpPrepared::Done(SrpAnswer::Skip(format!(
            "a zero-padded day needs a day of the month below 10 (today is the {})",
            now.day()
        ))));
    };
    let username = vars.expand(&step.username).map_err(|e| e.to_string())?;
    let password = vars.expand(&step.password).map_err(|e| e.to_string())?;
    let client = tokio::task::spawn_blocking(|| SrpClient::from_rng(&mut rand::rng()))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let pool_id = vars.pool.id.clone();
    let mut params = json!({"USERNAME": username, "SRP_A": client.a_pub_hex()});
    if !step.omit_secret_hash
        && let Some(h) = vars.secret_hash(&username)
    {
        params["SECRET_HASH"] = json!(h);
    }
    let (init_op, respond_op) = if step.admin {
        ("AdminInitiateAuth", "AdminRespondToAuthChallenge")
    } else {
        ("InitiateAuth", "RespondToAuthChallenge")
    };
    let mut body = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": vars.client.id,
                          "AuthParameters": params});
    if step.admin {
        body["UserPoolId"] = json!(pool_id);
    }
    let initiated = call_json(fixture, init_op, body, step.admin).await?;
    if !initiated.success() {
        return Ok(SrpPrepared::Done(SrpAnswer::Final(initiated)));
    }
    let found = check(
        &srp.challenge,
        &initiated,
        vars,
        fixture,
        label,
        "challenge ",
    )
    .await;
    if !found.is_empty() {
        return Ok(SrpPrepared::Done(SrpAnswer::Mismatches(found)));
    }
    let name = initiated.body.get("ChallengeName").and_then(Value::as_str);
    if name != Some("PASSWORD_VERIFIER") {
        return Ok(SrpPrepared::Done(SrpAnswer::Mismatches(vec![mismatch(
            label,
            "challenge ChallengeName",
            "\"PASSWORD_VERIFIER\"",
            name.unwrap_or("<absent>"),
        )])));
    }
    let p = |k: &str| {
        resolve_pointer(&initiated.body, &format!("/ChallengeParameters/{k}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (Some(salt), Some(srp_b), Some(secret_block), Some(user_id)) = (
        p("SALT"),
        p("SRP_B"),
        p("SECRET_BLOCK"),
        p("USER_ID_FOR_SRP"),
    ) else {
        return Ok(SrpPrepared::Done(SrpAnswer::Mismatches(vec![mismatch(
            label,
            "challenge ChallengeParameters",
            "SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP",
            redact(
                "/ChallengeParameters",
                initiated
                    .body
                    .get("ChallengeParameters")
                    .unwrap_or(&Value::Null),
            ),
        )])));
    };
    let identity = match step.identity {
        SrpIdentity::UserIdForSrp => user_id.clone(),
        SrpIdentity::Typed => username.clone(),
    };
    let challenge = PasswordVerifierChallenge {
        salt,
        srp_b,
        secret_block: secret_block.clone(),
        user_id_for_srp: identity.clone(),
        username: p("USERNAME").unwrap_or_default(),
    };
    let signature = sign_claim(client, challenge, &pool_id, password, &ts).await?;
    let signature = match signature {
        Ok(s) => s,
        Err(e) => {
            return Ok(SrpPrepared::Done(SrpAnswer::Mismatches(vec![mismatch(
                label,
                "challenge",
                "a PASSWORD_VERIFIER challenge an SRP client can answer",
                e,
            )])));
        }
    };
    let mut responses = json!({
        "USERNAME": identity,
        "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
        "TIMESTAMP": ts,
        "PASSWORD_CLAIM_SIGNATURE": signature,
    });
    if !step.omit_secret_hash
        && let Some(h) = vars.secret_hash(&identity)
    {
        responses["SECRET_HASH"] = json!(h);
    }
    let mut body = json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": vars.client.id,
                          "ChallengeResponses": responses});
    if let Some(session) = initiated.body.get("Session").filter(|s| s.is_string()) {
        body["Session"] = session.clone();
    }
    if step.admin {
        body["UserPoolId"] = json!(pool_id);
    }
    Ok(SrpPrepared::Respond(RawRequest::operation(
        respond_op,
        body.to_string().into_bytes(),
        step.admin,
    )))
}

/// The PASSWORD_CLAIM_SIGNATURE over `challenge` at `ts`, computed on the blocking pool. The
/// inner `Err` is a challenge an SRP client cannot answer (a mismatch); the outer one a failed
/// task.
async fn sign_claim(
    client: SrpClient,
    challenge: PasswordVerifierChallenge,
    pool_id: &str,
    password: String,
    ts: &str,
) -> Result<Result<String, String>, String> {
    let pool_for_math = pool_id.to_owned();
    let ts_for_math = ts.to_owned();
    tokio::task::spawn_blocking(move || -> Result<String, String> {
        let keys = client
            .session_keys(&challenge, &pool_for_math, &password)
            .map_err(|e| format!("the challenge cannot be answered: {e}"))?;
        let pool_name = math::pool_name(&pool_for_math).map_err(|e| e.to_string())?;
        // A SECRET_BLOCK that is not base64 is signed as its text, so a target that issues one
        // is still probed for whether it checks the signature at all.
        let block = math::decode_secret_block(&challenge.secret_block)
            .unwrap_or_else(|_| challenge.secret_block.as_bytes().to_vec());
        let sig = math::password_claim_signature(
            &keys.key,
            pool_name,
            &challenge.user_id_for_srp,
            &block,
            &ts_for_math,
        );
        Ok(math::encode_signature(&sig))
    })
    .await
    .map_err(|e| e.to_string())
}
