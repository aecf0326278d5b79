//! `conformance/COVERAGE.md`, the audit record, cannot drift: for every implemented operation it
//! lists each input constraint and each declared error of the committed model extract
//! (`conformance/model/cognito-idp.json`), plus hand-written developer-guide and moto lines; each
//! line ends in `→ case <id>[, <id>…]` naming cases of the suite, or `→ not covered: <reason>`.
//!
//! `UPDATE_COVERAGE=1 cargo test --test coverage_record` rewrites the file from the model, keeping
//! every existing annotation and the hand-written subsections, and filling new lines with the
//! cases that assert them (a call of the operation expecting that error, or that validation
//! message) or a default reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cognito_harness::conformance::load_suite;
use cognito_harness::conformance::matcher::Matcher;
use cognito_harness::conformance::model::{Case, Expect, StepKind};
use cognito_harness::protocol::ops::OperationKind;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const DERIVED: [&str; 2] = ["Input constraints", "Errors"];
const HAND: [&str; 2] = ["Developer guide", "moto aws_verified"];
const ARROW: &str = " → ";

/// One derived line: its key, and the text a case's expected message holds when it asserts it.
struct Line {
    key: String,
    needle: Option<String>,
    default: String,
}

fn camel(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// The constraint lines of one shape's members, as `validate.rs` names them.
fn constraint_lines(shape: &Value, prefix: &str, out: &mut Vec<Line>) {
    let Some(members) = shape["members"].as_array() else {
        return;
    };
    for m in members {
        let path = format!("{prefix}{}", camel(m["name"].as_str().unwrap_or("")));
        if m["required"].as_bool() == Some(true) {
            push(out, &path, "not null", "Member must not be null".into());
        }
        value_lines(m, &path, out);
    }
}

fn value_lines(m: &Value, path: &str, out: &mut Vec<Line>) {
    let unit = match m["type"].as_str() {
        Some("string" | "list" | "map") => "length",
        Some("integer" | "long") => "value",
        _ => "",
    };
    if !unit.is_empty() {
        if let Some(min) = m["min"].as_i64() {
            let text = format!("Member must have {unit} greater than or equal to {min}");
            push(out, path, &format!("{unit} ≥ {min}"), text);
        }
        if let Some(max) = m["max"].as_i64() {
            let text = format!("Member must have {unit} less than or equal to {max}");
            push(out, path, &format!("{unit} ≤ {max}"), text);
        }
    }
    if let Some(p) = m["pattern"].as_str() {
        let text = format!("Member must satisfy regular expression pattern: {p}");
        push(out, path, &format!("pattern `{p}`"), text);
    }
    if let Some(values) = m["enum"].as_array() {
        let list: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let text = "Member must satisfy enum value set".to_owned();
        push(out, path, &format!("enum {}", list.join(" | ")), text);
    }
    match m["type"].as_str() {
        Some("structure") => constraint_lines(m, &format!("{path}."), out),
        Some("list") if m["member"]["type"] == "structure" => {
            constraint_lines(&m["member"], &format!("{path}.N.member."), out)
        }
        Some("list") => value_lines(&m["member"], &format!("{path}[]"), out),
        Some("map") => {
            value_lines(&m["key"], &format!("{path}{{key}}"), out);
            value_lines(&m["value"], &format!("{path}{{value}}"), out);
        }
        _ => {}
    }
}

fn push(out: &mut Vec<Line>, path: &str, kind: &str, text: String) {
    let default = if kind.ends_with("≥ 0") {
        "not covered: cannot fail (minimum 0)".to_owned()
    } else {
        "not covered: enforced by the model validator (src/server/validate.rs); the suite asserts one member per constraint kind per operation (conformance/validation/)".to_owned()
    };
    // Only top-level members have a message a case can name exactly; nested ones share it.
    let needle = (!path.contains(['.', '[', '{']))
        .then(|| format!("at '{path}' failed to satisfy constraint: {text}"));
    out.push(Line {
        key: format!("`{path}` {kind}"),
        needle,
        default,
    });
}

/// Why a declared error is not asserted, for the errors no request to the server can raise.
fn error_default(name: &str) -> &'static str {
    match name {
        "UnexpectedLambdaException"
        | "UserLambdaValidationException"
        | "InvalidLambdaResponseException" => {
            "not covered: the reference server has no Lambda triggers"
        }
        "InvalidSmsRoleAccessPolicyException"
        | "InvalidSmsRoleTrustRelationshipException"
        | "InvalidEmailRoleAccessPolicyException"
        | "CodeDeliveryFailureException" => {
            "not covered: the reference server sends no SMS or email (codes are read from /_harness/codes)"
        }
        "InternalErrorException" => {
            "not covered: no request provokes it (500s are injected by serve --faults, tests/server_faults.rs)"
        }
        "TooManyRequestsException" => {
            "not covered: quotas are opt-in (serve --quotas), asserted by tests/server_quotas.rs rather than the suite"
        }
        "ForbiddenException" => "not covered: AWS WAF web ACLs are not modelled",
        "FeatureUnavailableInTierException" | "TierChangeNotAllowedException" => {
            "not covered: feature plans are not modelled"
        }
        "UserImportInProgressException" => "not covered: user import jobs are not modelled",
        "UnsupportedUserStateException"
        | "InvalidUserPoolConfigurationException"
        | "MFAMethodNotFoundException"
        | "SoftwareTokenMFANotFoundException"
        | "EnableSoftwareTokenMFAException" => {
            "not covered: MFA and user-state flows beyond the implemented ones are not modelled"
        }
        "PasswordResetRequiredException" | "PasswordHistoryPolicyViolationException" => {
            "not covered: password history and forced resets are not modelled"
        }
        "UnauthorizedException"
        | "UnsupportedOperationException"
        | "UnsupportedTokenTypeException"
        | "ScopeDoesNotExistException"
        | "InvalidOAuthFlowException"
        | "ManagedLoginBrandingExistsException"
        | "ConcurrentModificationException"
        | "GroupExistsException"
        | "PreconditionNotMetException"
        | "UserPoolTaggingException"
        | "UserPoolAddOnNotEnabledException"
        | "UnsupportedIdentityProviderException"
        | "InvalidParameterException"
        | "AliasExistsException"
        | "CodeMismatchException"
        | "ExpiredCodeException"
        | "LimitExceededException"
        | "TooManyFailedAttemptsException"
        | "UserNotConfirmedException"
        | "UserNotFoundException"
        | "UsernameExistsException"
        | "NotAuthorizedException"
        | "ResourceNotFoundException"
        | "InvalidPasswordException"
        | "OperationNotEnabledException"
        | "DeviceKeyExistsException"
        | "RefreshTokenReuseException"
        | "WebAuthnNotEnabledException" => "not covered: no case asserts it on this operation yet",
        _ => "not covered: not modelled by the reference server",
    }
}

fn error_lines(op: &Value) -> Vec<Line> {
    op["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let name = e["name"].as_str().unwrap_or("");
            Line {
                key: format!("`{name}`: {}", e["when"].as_str().unwrap_or("")),
                needle: Some(format!("type:{name}")),
                default: error_default(name).to_owned(),
            }
        })
        .collect()
}

/// What each case asserts about each operation: `type:<Error>` and the validation messages.
fn asserted(cases: &[Case]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut add = |op: &str, expect: &Expect, id: &str| {
        if let Some(t) = &expect.error_type {
            out.entry((op.to_owned(), format!("type:{t}")))
                .or_default()
                .insert(id.to_owned());
        }
        if let Some(Matcher::Contains(s) | Matcher::Prefix(s)) = &expect.message {
            // Matchers hold template text: `{{`/`}}` are literal braces.
            let text = s.replace("{{", "{").replace("}}", "}");
            out.entry((op.to_owned(), text))
                .or_default()
                .insert(id.to_owned());
        }
        if let Some(Matcher::Equals(Value::String(s))) = &expect.message {
            out.entry((op.to_owned(), s.clone()))
                .or_default()
                .insert(id.to_owned());
        }
    };
    for case in cases {
        for step in &case.steps {
            match &step.kind {
                StepKind::Call(call) => add(&call.op, &step.expect, &case.id),
                StepKind::Srp(srp) => {
                    add("InitiateAuth", &srp.challenge, &case.id);
                    add("RespondToAuthChallenge", &step.expect, &case.id);
                }
                _ => {}
            }
        }
    }
    out
}

fn cases_for(
    map: &BTreeMap<(String, String), BTreeSet<String>>,
    op: &str,
    needle: &str,
) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for ((o, text), found) in map {
        if o == op && (text == needle || (!needle.starts_with("type:") && text.contains(needle))) {
            ids.extend(found.iter().cloned());
        }
    }
    ids
}

/// The record as parsed: op -> subsection -> lines (key, annotation) in file order.
type Record = BTreeMap<String, BTreeMap<String, Vec<(String, String)>>>;

fn parse(text: &str) -> (String, Record) {
    let mut intro = String::new();
    let mut record = Record::new();
    let (mut op, mut sub) = (None::<String>, None::<String>);
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            op = Some(name.trim().to_owned());
            sub = None;
        } else if let Some(name) = line.strip_prefix("### ") {
            sub = Some(name.trim().to_owned());
        } else if op.is_none() {
            intro.push_str(line);
            intro.push('\n');
        } else if let (Some(o), Some(s), Some(item)) = (&op, &sub, line.strip_prefix("- ")) {
            let (key, note) = item.rsplit_once(ARROW).unwrap_or((item, ""));
            record
                .entry(o.clone())
                .or_default()
                .entry(s.clone())
                .or_default()
                .push((key.to_owned(), note.to_owned()));
        }
    }
    (intro, record)
}

fn model() -> Value {
    let path = repo().join("conformance/model/cognito-idp.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The record regenerated from the model and the suite, keeping `old`'s annotations.
fn regenerate(intro: &str, old: &Record, cases: &[Case]) -> String {
    let model = model();
    let map = asserted(cases);
    let mut out = intro.trim_end().to_owned();
    out.push('\n');
    for kind in OperationKind::ALL {
        let op = kind.name();
        let spec = &model["operations"][op];
        out.push_str(&format!("\n## {op}\n"));
        for sub in DERIVED {
            let mut lines = Vec::new();
            if sub == "Input constraints" {
                constraint_lines(&spec["input"], "", &mut lines);
            } else {
                lines = error_lines(spec);
            }
            out.push_str(&format!("\n### {sub}\n"));
            let kept: BTreeMap<&str, &str> = old
                .get(op)
                .and_then(|s| s.get(sub))
                .map(|l| l.iter().map(|(k, n)| (k.as_str(), n.as_str())).collect())
                .unwrap_or_default();
            for line in lines {
                let found = line
                    .needle
                    .as_deref()
                    .map(|n| cases_for(&map, op, n))
                    .unwrap_or_default();
                let note = match kept.get(line.key.as_str()) {
                    Some(n) if !n.starts_with("not covered") || found.is_empty() => (*n).to_owned(),
                    _ if !found.is_empty() => {
                        format!("case {}", found.into_iter().collect::<Vec<_>>().join(", "))
                    }
                    _ => line.default.clone(),
                };
                out.push_str(&format!("- {}{ARROW}{note}\n", line.key));
            }
        }
        for sub in HAND {
            out.push_str(&format!("\n### {sub}\n"));
            for (key, note) in old.get(op).and_then(|s| s.get(sub)).into_iter().flatten() {
                out.push_str(&format!("- {key}{ARROW}{note}\n"));
            }
        }
    }
    out
}

fn problems(record: &Record, ids: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (op, subs) in record {
        for (sub, lines) in subs {
            for (key, note) in lines {
                let at = format!("{op} / {sub} / {key}");
                if let Some(list) = note.strip_prefix("case ") {
                    for id in list.split(',').map(str::trim) {
                        if !ids.contains(id) {
                            out.push(format!("{at}: no case {id} in the suite"));
                        }
                    }
                } else if let Some(reason) = note.strip_prefix("not covered: ") {
                    if reason.trim().is_empty() {
                        out.push(format!("{at}: `not covered` without a reason"));
                    }
                } else {
                    out.push(format!(
                        "{at}: ends in neither `case <id>` nor `not covered: <reason>`"
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn coverage_record_lists_every_model_constraint_and_error_with_a_case_or_a_reason() {
    let path: &Path = &repo().join("conformance/COVERAGE.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let cases = load_suite(&repo().join("conformance")).unwrap_or_else(|e| panic!("{e:?}"));
    let ids: BTreeSet<String> = cases.iter().map(|c| c.id.clone()).collect();
    let (intro, old) = parse(&text);
    let fresh = regenerate(&intro, &old, &cases);
    if std::env::var("UPDATE_COVERAGE").is_ok_and(|v| v == "1") {
        std::fs::write(path, &fresh).unwrap();
        return;
    }
    let (_, current) = parse(&fresh);
    let mut errors = problems(&old, &ids);
    // Missing and stale lines: the derived subsections must hold exactly the model's lines.
    for (op, subs) in &current {
        for sub in DERIVED {
            let want: BTreeSet<&String> = subs
                .get(sub)
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
                .collect();
            let have: BTreeSet<&String> = old
                .get(op)
                .and_then(|s| s.get(sub))
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
                .collect();
            for k in want.difference(&have) {
                errors.push(format!("{op} / {sub}: missing line {k}"));
            }
            for k in have.difference(&want) {
                errors.push(format!("{op} / {sub}: stale line {k}"));
            }
        }
    }
    for op in old.keys() {
        if !current.contains_key(op) {
            errors.push(format!("section {op} is not an implemented operation"));
        }
    }
    assert!(
        errors.is_empty(),
        "conformance/COVERAGE.md is out of date (UPDATE_COVERAGE=1 cargo test --test coverage_record regenerates it):\n{}",
        errors.join("\n")
    );
}

#[test]
fn coverage_annotations_are_checked() {
    let mut record = Record::new();
    record.entry("SignUp".into()).or_default().insert(
        "Errors".into(),
        vec![
            ("`A`: x".into(), "case no.such-case".into()),
            ("`B`: y".into(), "not covered: ".into()),
            ("`C`: z".into(), "fine".into()),
        ],
    );
    let problems = problems(&record, &BTreeSet::new());
    assert_eq!(problems.len(), 3, "{problems:?}");
}

/// `COVERAGE-behaviour.md`: one line per audited behaviour, each ending in the cases that
/// assert it (which must exist) or the reason none does.
#[test]
fn behaviour_record_names_existing_cases_or_a_reason() {
    let path = repo().join("conformance/COVERAGE-behaviour.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let cases = load_suite(&repo().join("conformance")).unwrap_or_else(|e| panic!("{e:?}"));
    let ids: BTreeSet<String> = cases.iter().map(|c| c.id.clone()).collect();
    let mut record = Record::new();
    let mut section = String::new();
    let mut lines = 0;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            section = name.trim().to_owned();
        } else if let Some(item) = line.strip_prefix("- ") {
            lines += 1;
            let (key, note) = item.rsplit_once(ARROW).unwrap_or((item, ""));
            record
                .entry(section.clone())
                .or_default()
                .entry("behaviour".into())
                .or_default()
                .push((key.to_owned(), note.to_owned()));
        }
    }
    assert!(lines > 50, "the behaviour record has only {lines} lines");
    let errors = problems(&record, &ids);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
