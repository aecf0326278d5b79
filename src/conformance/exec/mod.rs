//! Running cases against a target: provision, run (concurrently where independent), verdict,
//! clean up.
//!
//! The pools and clients are provisioned by `runner.rs`; every case then creates its own users
//! with names unique to the run, so cases share no state and run in parallel, bounded by
//! [`RunOptions::concurrency`].
//!
//! A step's answer is checked against its expectations (`check.rs`); the first step with a
//! mismatch ends the case, since later steps depend on its captures. A case whose needs the
//! target lacks is skipped with "needs X". The step executors: `calls.rs` (call, user, get,
//! code), `srp.rs`, `oauth.rs` (oauth, login); `together.rs` fires one step as N identical
//! requests at one instant and counts how their answers split.

mod calls;
mod check;
mod oauth;
mod srp;
mod together;
mod vars;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use serde_json::Value;
use tokio::sync::{Mutex, Semaphore};

use super::runner::{cleanup, discover_issuer_base, provision_pool, random_password, random_token};
use crate::conformance::case::{Case, PoolName, StepKind};
use crate::conformance::matcher::resolve_pointer;
use crate::conformance::report::{CaseOutcome, CaseResult, ConformanceReport, Mismatch};
use crate::conformance::target::{Fixture, RunError, RunOptions, TargetSpec, target_client};
use crate::conformance::template;
use calls::{do_call, do_code, do_get, do_totp, do_user};
use check::check;
use oauth::{do_login, do_oauth};
use srp::{SrpAnswer, do_srp};
use together::run_together;
use vars::{CaseVars, StepOutcome, describe_error, mismatch};

/// Runs `cases` against the target and returns the report. Provisioning failures of the pools
/// are errors; a failure to create one app client fails only the cases that use it.
pub async fn run_suite(
    cases: Vec<Case>,
    spec: &TargetSpec,
    options: &RunOptions,
) -> Result<ConformanceReport, RunError> {
    let started = Utc::now();
    let clock = Instant::now();
    let client = target_client(spec)?;
    let run = random_token(8);
    let needed: BTreeSet<PoolName> = cases
        .iter()
        .filter(|c| c.needs.is_subset(&spec.capabilities))
        .map(|c| c.pool)
        .collect();
    let mut pools = BTreeMap::new();
    for pool in needed {
        match provision_pool(&client, &run, pool).await {
            Ok(p) => {
                pools.insert(pool, p);
            }
            Err(e) => {
                let partial = Fixture {
                    client: client.clone(),
                    spec: spec.clone(),
                    run: run.clone(),
                    region: client.config().region.clone(),
                    pools,
                    jwks: Mutex::new(BTreeMap::new()),
                };
                cleanup(&partial).await;
                return Err(e);
            }
        }
    }
    let mut run_spec = spec.clone();
    if run_spec.issuer_base.is_none()
        && let Some(pool) = pools.values().next()
    {
        run_spec.issuer_base = discover_issuer_base(&client, &pool.id).await;
    }
    let fixture = Arc::new(Fixture {
        region: client.config().region.clone(),
        client,
        spec: run_spec,
        run,
        pools,
        jwks: Mutex::new(BTreeMap::new()),
    });
    let semaphore = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (index, case) in cases.into_iter().enumerate() {
        let fixture = fixture.clone();
        let semaphore = semaphore.clone();
        set.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            (index, run_case(&fixture, &case, index).await)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(r) => results.push(r),
            Err(e) => tracing::error!(error = %e, "a case task panicked"),
        }
    }
    results.sort_by_key(|(i, _)| *i);
    cleanup(&fixture).await;
    Ok(ConformanceReport::new(
        spec.endpoint.clone(),
        spec.label.clone(),
        started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        clock.elapsed().as_millis() as u64,
        results.into_iter().map(|(_, r)| r).collect(),
    ))
}

async fn run_case(fixture: &Fixture, case: &Case, index: usize) -> CaseResult {
    let start = Instant::now();
    let mut result = CaseResult {
        id: case.id.clone(),
        area: case.area.clone(),
        title: case.title.clone(),
        reference: case.reference.clone(),
        level: case.level,
        outcome: CaseOutcome::Passed,
        mismatches: Vec::new(),
        duration_ms: 0,
    };
    let missing: Vec<&str> = case
        .needs
        .iter()
        .filter(|n| !fixture.spec.capabilities.contains(n))
        .map(|n| n.as_str())
        .collect();
    if !missing.is_empty() {
        result.outcome = CaseOutcome::Skipped {
            reason: format!("needs {}", missing.join(", ")),
        };
        return result;
    }
    let setup_failure = |what: String| {
        vec![mismatch(
            "0: setup",
            "provisioning",
            "the case's pool and client",
            what,
        )]
    };
    let outcome = match fixture.pools.get(&case.pool) {
        None => StepOutcome::Checked(setup_failure(format!("no {} pool", case.pool.as_str()))),
        Some(pool) => match pool.clients.get(&case.client) {
            Some(Ok(client)) => {
                let user = format!("c{}-{index}", fixture.run);
                let user2 = format!("{user}-b");
                let simple = BTreeMap::from([
                    ("email", format!("{user}@example.com")),
                    ("email2", format!("{user2}@example.com")),
                    ("user", user),
                    ("user2", user2),
                    ("password", random_password()),
                    ("password2", random_password()),
                ]);
                let mut vars = CaseVars {
                    fixture,
                    pool,
                    client: client.clone(),
                    simple,
                    captures: BTreeMap::new(),
                };
                let outcome = run_steps(fixture, case, &mut vars).await;
                scrub(outcome, &vars)
            }
            Some(Err(e)) => StepOutcome::Checked(setup_failure(format!(
                "client {}: {e}",
                case.client.as_str()
            ))),
            None => {
                StepOutcome::Checked(setup_failure(format!("no {} client", case.client.as_str())))
            }
        },
    };
    match outcome {
        StepOutcome::Checked(m) if m.is_empty() => {}
        StepOutcome::Checked(m) => {
            result.outcome = CaseOutcome::Failed;
            result.mismatches = m;
        }
        StepOutcome::Skip(reason) => result.outcome = CaseOutcome::Skipped { reason },
    }
    result.duration_ms = start.elapsed().as_millis() as u64;
    result
}

/// Replaces the run's generated names and ids in mismatch texts with a word for each (see
/// [`placeholder`]), so reports and expected-failure records read the same from run to run.
fn scrub(outcome: StepOutcome, vars: &CaseVars<'_>) -> StepOutcome {
    let StepOutcome::Checked(mismatches) = outcome else {
        return outcome;
    };
    let mut names: Vec<(String, String)> = Vec::new();
    for key in ["email2", "email", "user2", "user"] {
        if let Some(v) = vars.simple.get(key) {
            names.push((v.clone(), placeholder(key)));
        }
    }
    names.push((vars.pool.id.clone(), placeholder("pool id")));
    for (name, client) in &vars.pool.clients {
        if let Ok(c) = client {
            names.push((
                c.id.clone(),
                placeholder(&format!("{} client id", name.as_str())),
            ));
        }
    }
    names.push((vars.fixture.run.clone(), placeholder("run")));
    let endpoint = vars.fixture.client.config().endpoint.to_string();
    names.push((
        endpoint.trim_end_matches('/').to_owned(),
        placeholder("endpoint"),
    ));
    StepOutcome::Checked(
        mismatches
            .into_iter()
            .map(|m| Mismatch {
                step: m.step,
                what: scrub_text(&names, m.what),
                expected: scrub_text(&names, m.expected),
                got: scrub_text(&names, m.got),
            })
            .collect(),
    )
}

/// How a run-specific value is shown in a failure text: its name in words between angle
/// brackets (`<pool id>`), like `<absent>`. Never the `{pool_id}` form of a case's templates,
/// which would read as a template the harness failed to fill.
fn placeholder(name: &str) -> String {
    format!("<{name}>")
}

/// `text` with each (value, placeholder) of `names` replaced, in order.
fn scrub_text(names: &[(String, String)], text: String) -> String {
    names
        .iter()
        .filter(|(value, _)| !value.is_empty())
        .fold(text, |t, (value, name)| t.replace(value.as_str(), name))
}

async fn run_steps(fixture: &Fixture, case: &Case, vars: &mut CaseVars<'_>) -> StepOutcome {
    for (i, step) in case.steps.iter().enumerate() {
        let label = format!("{}: {}", i + 1, template::describe(&step.label));
        if let Some(race) = &step.together {
            match run_together(fixture, case, step, race, vars, &label).await {
                StepOutcome::Checked(m) if m.is_empty() => continue,
                outcome => return outcome,
            }
        }
        let answer = match &step.kind {
            StepKind::Call(call) => do_call(fixture, call, vars).await,
            StepKind::User(user) => do_user(fixture, user, vars).await,
            StepKind::Srp(srp) => match do_srp(fixture, srp, vars, &label).await {
                Ok(SrpAnswer::Final(a)) => Ok(a),
                Ok(SrpAnswer::Mismatches(m)) => return StepOutcome::Checked(m),
                Ok(SrpAnswer::Skip(reason)) => return StepOutcome::Skip(reason),
                Err(e) => Err(e),
            },
            StepKind::OAuth(o) => do_oauth(fixture, case, o, vars).await,
            StepKind::Get(path) => do_get(fixture, &path.0, vars).await,
            StepKind::Login(l) => do_login(fixture, case, l, vars).await,
            StepKind::Code(c) => match do_code(fixture, c, vars).await {
                Ok(()) => continue,
                Err(e) => Err(e),
            },
            StepKind::Totp(t) => match do_totp(t, vars) {
                Ok(()) => continue,
                Err(e) => Err(e),
            },
        };
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                return StepOutcome::Checked(vec![mismatch(&label, "request", "an answer", e)]);
            }
        };
        let is_setup = matches!(step.kind, StepKind::User(_));
        let mut found = if is_setup && !answer.success() {
            vec![mismatch(&label, "setup", "2xx", describe_error(&answer))]
        } else {
            check(&step.expect, &answer, vars, fixture, &label, "").await
        };
        if found.is_empty() {
            for (name, pointer) in &step.capture {
                match resolve_pointer(&answer.body, pointer) {
                    Some(Value::String(s)) => {
                        vars.captures.insert(name.clone(), s.clone());
                    }
                    Some(other) => {
                        vars.captures.insert(name.clone(), other.to_string());
                    }
                    None => found.push(mismatch(
                        &label,
                        format!("capture {name}"),
                        format!("{pointer} present"),
                        "absent",
                    )),
                }
            }
        }
        if !found.is_empty() {
            return StepOutcome::Checked(found);
        }
    }
    StepOutcome::Checked(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_texts_name_run_values_in_words_not_as_templates() {
        let names = vec![
            ("us-east-1_AbC123xyz".to_owned(), placeholder("pool id")),
            ("http://127.0.0.1:41234".to_owned(), placeholder("endpoint")),
        ];
        let got = scrub_text(
            &names,
            "body /issuer: expected \"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz\", got \"http://127.0.0.1:41234/us-east-1_AbC123xyz\"".to_owned(),
        );
        assert_eq!(
            got,
            "body /issuer: expected \"https://cognito-idp.us-east-1.amazonaws.com/<pool id>\", got \"<endpoint>/<pool id>\""
        );
        assert!(!got.contains('{'), "{got}");
    }
}
