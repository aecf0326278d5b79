//! `together` steps: a race. The step's request is prepared once (templates expanded; for an
//! `srp` step, the sign-in run up to its PASSWORD_VERIFIER answer), then sent N times at one
//! instant: every copy, and the `alongside` request, waits on one barrier, and each opens a
//! connection of its own (a client that keeps none), so no two share a keep-alive connection
//! and none is queued behind another.
//!
//! The answers are then counted: those that succeed (2xx) against `succeed`, each checked
//! against the step's `expect`; each of the rest against the first `others` entry it matches,
//! and each entry's count against its bound. Captures come from the first answer (in send
//! order) that succeeded.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Barrier;

use super::calls::{prepare_call, send};
use super::check::check;
use super::oauth::{HttpRequest, prepare_oauth, send_http};
use super::srp::{SrpAnswer, SrpPrepared, prepare_srp};
use super::vars::{CaseVars, StepOutcome, describe_error, mismatch};
use crate::conformance::case::{Case, Step, StepKind, Together};
use crate::conformance::matcher::resolve_pointer;
use crate::conformance::report::Mismatch;
use crate::conformance::target::{Answer, Fixture};
use crate::protocol::CognitoClient;
use crate::protocol::client::RawRequest;

/// One request of a race, ready to send on any connection.
#[derive(Debug, Clone)]
enum Prepared {
    Json(RawRequest),
    Http(HttpRequest),
}

impl Prepared {
    async fn send(&self, client: &CognitoClient) -> Result<Answer, String> {
        match self {
            Prepared::Json(req) => send(client, req).await,
            Prepared::Http(req) => send_http(client, req).await,
        }
    }
}

/// The request of a `call` or `oauth` step, or of an `srp` step's challenge answer; `Err` is
/// the step's outcome when the sign-in ended before its answer.
async fn prepare(
    fixture: &Fixture,
    case: &Case,
    step: &Step,
    vars: &mut CaseVars<'_>,
    label: &str,
) -> Result<Prepared, StepOutcome> {
    let request =
        |e: String| StepOutcome::Checked(vec![mismatch(label, "request", "an answer", e)]);
    match &step.kind {
        StepKind::Call(call) => prepare_call(call, vars)
            .map(Prepared::Json)
            .map_err(request),
        StepKind::OAuth(o) => prepare_oauth(fixture, case, o, vars)
            .map(Prepared::Http)
            .map_err(request),
        StepKind::Srp(srp) => match prepare_srp(fixture, srp, vars, label).await {
            Ok(SrpPrepared::Respond(req)) => Ok(Prepared::Json(req)),
            Ok(SrpPrepared::Done(SrpAnswer::Final(a))) => {
                Err(StepOutcome::Checked(vec![mismatch(
                    label,
                    "the sign-in before the race",
                    "a PASSWORD_VERIFIER challenge",
                    describe_error(&a),
                )]))
            }
            Ok(SrpPrepared::Done(SrpAnswer::Mismatches(m))) => Err(StepOutcome::Checked(m)),
            Ok(SrpPrepared::Done(SrpAnswer::Skip(reason))) => Err(StepOutcome::Skip(reason)),
            Err(e) => Err(request(e)),
        },
        // Validation allows `together` on the kinds above only.
        _ => Err(request(
            "`together` on a step that sends no request".to_owned(),
        )),
    }
}

/// Sends every request at once: each on a fresh client, all released by one barrier. The
/// answers come back in the order of `requests`.
async fn fire(fixture: &Fixture, requests: Vec<Prepared>) -> Vec<Result<Answer, String>> {
    let barrier = Arc::new(Barrier::new(requests.len()));
    // One client that keeps no connection: each request opens its own, as N clients would,
    // without paying for N clients' set-up (TLS roots) before the barrier.
    let client = fixture
        .client
        .without_connection_reuse()
        .map_err(|e| e.to_string());
    let mut set = tokio::task::JoinSet::new();
    let mut answers: Vec<Result<Answer, String>> = Vec::with_capacity(requests.len());
    for (i, req) in requests.into_iter().enumerate() {
        answers.push(Err("the request's task ended without an answer".to_owned()));
        let client = client.clone();
        let barrier = barrier.clone();
        set.spawn(async move {
            // Every task reaches the barrier, even one without a client, or the rest would
            // wait for it forever.
            barrier.wait().await;
            let answer = match client {
                Ok(client) => req.send(&client).await,
                Err(e) => Err(e),
            };
            (i, answer)
        });
    }
    while let Some(joined) = set.join_next().await {
        if let Ok((i, answer)) = joined {
            answers[i] = answer;
        }
    }
    answers
}

/// Runs a `together` step: prepares its request, fires `n` copies (and the `alongside`
/// request) at once, and checks how the answers split.
pub(super) async fn run_together(
    fixture: &Fixture,
    case: &Case,
    step: &Step,
    race: &Together,
    vars: &mut CaseVars<'_>,
    label: &str,
) -> StepOutcome {
    let main = match prepare(fixture, case, step, vars, label).await {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let mut requests = vec![main; race.n];
    if let Some(other) = &race.alongside {
        match prepare(fixture, case, other, vars, label).await {
            Ok(p) => requests.push(p),
            Err(outcome) => return outcome,
        }
    }
    let mut answers = fire(fixture, requests).await;
    let mut found = Vec::new();
    if let Some(other) = &race.alongside
        && let Some(answer) = answers.pop()
    {
        match answer {
            Ok(a) => {
                found.extend(check(&other.expect, &a, vars, fixture, label, "alongside ").await)
            }
            Err(e) => found.push(mismatch(label, "alongside request", "an answer", e)),
        }
    }
    let first_success = tally(step, race, &answers, vars, fixture, label, &mut found).await;
    if found.is_empty() {
        capture(step, first_success, label, vars, &mut found);
    }
    StepOutcome::Checked(found)
}

/// Counts the answers against `succeed` and `others`; returns the first that succeeded.
async fn tally<'a>(
    step: &Step,
    race: &Together,
    answers: &'a [Result<Answer, String>],
    vars: &mut CaseVars<'_>,
    fixture: &Fixture,
    label: &str,
    found: &mut Vec<Mismatch>,
) -> Option<&'a Answer> {
    let n = race.n;
    let mut succeeded = 0;
    let mut first_success = None;
    let mut per_other = vec![0usize; race.others.len()];
    // Description -> how many answers fit no `others` entry (or were no answer at all).
    let mut unexpected: BTreeMap<String, usize> = BTreeMap::new();
    // Status and error type -> how many answers did not succeed, for the failure text.
    let mut split: BTreeMap<String, usize> = BTreeMap::new();
    for (i, answer) in answers.iter().enumerate() {
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                *unexpected.entry(format!("no answer: {e}")).or_default() += 1;
                continue;
            }
        };
        if answer.success() {
            succeeded += 1;
            let prefix = format!("answer {} of {n}: ", i + 1);
            let m = check(&step.expect, answer, vars, fixture, label, &prefix).await;
            if first_success.is_none() {
                first_success = Some(answer);
                // One success's mismatches stand for all: the copies are identical requests.
                found.extend(m);
            }
            continue;
        }
        *split.entry(error_kind(answer)).or_default() += 1;
        let mut matched = race.others.is_empty();
        for (j, other) in race.others.iter().enumerate() {
            if check(&other.expect, answer, vars, fixture, label, "")
                .await
                .is_empty()
            {
                per_other[j] += 1;
                matched = true;
                break;
            }
        }
        if !matched {
            *unexpected.entry(describe_error(answer)).or_default() += 1;
        }
    }
    if !race.succeed.allows(succeeded) {
        found.push(mismatch(
            label,
            "answers that succeeded",
            race.succeed.describe(n),
            with_split(format!("{succeeded} of {n}"), &split),
        ));
    }
    for (j, (other, got)) in race.others.iter().zip(per_other).enumerate() {
        if let Some(count) = other.count.filter(|c| !c.allows(got)) {
            found.push(mismatch(
                label,
                format!("answers matching others[{j}]"),
                count.describe(n),
                with_split(format!("{got} of {n}"), &split),
            ));
        }
    }
    for (what, count) in unexpected {
        found.push(mismatch(
            label,
            "answers that fit no `others` entry",
            "none",
            format!("{count} of {n}: {what}"),
        ));
    }
    first_success
}

/// `HTTP 400 CodeMismatchException`: an answer's kind without its message, which may carry
/// run-specific values.
fn error_kind(answer: &Answer) -> String {
    let kind = answer
        .body
        .get("__type")
        .and_then(Value::as_str)
        .map(crate::protocol::error::sanitize_error_type)
        .or_else(|| answer.body.get("error").and_then(Value::as_str))
        .unwrap_or("<no error type>");
    format!("HTTP {} {kind}", answer.status)
}

/// `3 of 20` followed by how the answers that did not succeed split (`17 HTTP 400 X`).
fn with_split(count: String, split: &BTreeMap<String, usize>) -> String {
    if split.is_empty() {
        return count;
    }
    let parts: Vec<String> = split.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!("{count} (the others: {})", parts.join(", "))
}

fn capture(
    step: &Step,
    answer: Option<&Answer>,
    label: &str,
    vars: &mut CaseVars<'_>,
    found: &mut Vec<Mismatch>,
) {
    for (name, pointer) in &step.capture {
        match answer.and_then(|a| resolve_pointer(&a.body, pointer)) {
            Some(Value::String(s)) => {
                vars.captures.insert(name.clone(), s.clone());
            }
            Some(other) => {
                vars.captures.insert(name.clone(), other.to_string());
            }
            None => found.push(mismatch(
                label,
                format!("capture {name}"),
                format!("{pointer} present in an answer that succeeded"),
                "absent",
            )),
        }
    }
}
