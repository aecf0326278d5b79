//! Threshold scopes and expressions, resolved against the flows, steps and quota categories
//! the scenario has.

use serde_saphyr::Spanned;

use super::checker::{Checker, pos};
use crate::quota::QuotaCategory;
use crate::scenario::doc::ThresholdDoc;
use crate::scenario::model::*;
use crate::scenario::scope::Scope;
use crate::scenario::thresholds::{AbortOnFail, Metric, Threshold, parse_expression};
use crate::yaml::DiagnosticKind;

pub(super) fn check_thresholds(
    c: &mut Checker<'_>,
    thresholds: &crate::scenario::doc::NamedMap<Spanned<Vec<Spanned<ThresholdDoc>>>>,
    flows: &[Flow],
    categories: &[QuotaCategory],
) -> Vec<Threshold> {
    let mut out = Vec::new();
    for (scope_name, expressions) in &thresholds.0 {
        let key = format!("thresholds.{}", scope_name.value);
        let Some(scope) = resolve_scope(c, scope_name, &key, flows, categories) else {
            continue;
        };
        if expressions.value.is_empty() {
            c.error(
                pos(expressions),
                &key,
                DiagnosticKind::InvalidValue,
                "no expressions",
                Some("add e.g. [\"p(99)<300ms\", \"error_rate<1%\"]".to_string()),
            );
        }
        for (i, entry) in expressions.value.iter().enumerate() {
            let ekey = format!("{key}[{i}]");
            let (expression, abort) = match &entry.value {
                ThresholdDoc::Plain(text) => (
                    Spanned::new(text.clone(), entry.referenced, entry.defined),
                    None,
                ),
                ThresholdDoc::Long(long) => {
                    let Some(abort) = check_abort(c, long, &ekey) else {
                        continue;
                    };
                    (long.threshold.clone(), abort)
                }
            };
            let expression = &expression;
            match parse_expression(&expression.value) {
                Ok(parsed) => {
                    if parsed.metric == Metric::PeakRps
                        && !matches!(scope, Scope::Run | Scope::Category(_))
                    {
                        c.error(
                            pos(expression),
                            &ekey,
                            DiagnosticKind::UnknownReference,
                            format!(
                                "peak_rps is measured for the run and quota categories, not for {}",
                                describe(&scope)
                            ),
                            Some(
                                "use `rps` here, or put peak_rps under `run` or a category"
                                    .to_string(),
                            ),
                        );
                        continue;
                    }
                    if parsed.metric == Metric::QuotaShare && !matches!(scope, Scope::Category(_)) {
                        c.error(
                            pos(expression),
                            &ekey,
                            DiagnosticKind::UnknownReference,
                            format!(
                                "quota_share is measured for quota categories, not for {}",
                                describe(&scope)
                            ),
                            Some(
                                "put quota_share under a category, e.g. UserAuthentication"
                                    .to_string(),
                            ),
                        );
                        continue;
                    }
                    out.push(Threshold {
                        scope: scope.clone(),
                        expression: parsed,
                        source: expression.value.trim().to_string(),
                        abort,
                    });
                }
                Err(e) => {
                    let at = c.inside(expression, e.offset);
                    let (message, fix) = match e.message.split_once("; ") {
                        Some((m, f)) => (m.to_string(), Some(f.to_string())),
                        None => (e.message.clone(), None),
                    };
                    c.error(at, &ekey, DiagnosticKind::InvalidValue, message, fix);
                }
            }
        }
    }
    out
}

/// `abort_on_fail` and `delay_abort_eval` of a long-form threshold: `Some(None)` when it does
/// not abort, `None` when a value is invalid (reported).
fn check_abort(
    c: &mut Checker<'_>,
    long: &crate::scenario::doc::ThresholdLongDoc,
    key: &str,
) -> Option<Option<AbortOnFail>> {
    let delay = match &long.delay_abort_eval {
        Some(d) => Some(c.duration(d, &format!("{key}.delay_abort_eval"))?),
        None => None,
    };
    let abort = long.abort_on_fail.as_ref().is_some_and(|a| a.value);
    if let (Some(d), false) = (&long.delay_abort_eval, abort) {
        c.error(
            pos(d),
            &format!("{key}.delay_abort_eval"),
            DiagnosticKind::InvalidValue,
            "delay_abort_eval without abort_on_fail: true has no effect",
            Some("add `abort_on_fail: true`, or remove delay_abort_eval".to_string()),
        );
        return None;
    }
    Some(abort.then(|| AbortOnFail {
        delay: delay.unwrap_or_default(),
    }))
}

fn describe(scope: &Scope) -> String {
    match scope {
        Scope::Run => "the run".to_string(),
        Scope::Flow(f) => format!("flow `{f}`"),
        Scope::Step { flow, step } => format!("step `{flow}.{step}`"),
        Scope::Category(c) => format!("category {c}"),
    }
}

fn resolve_scope(
    c: &mut Checker<'_>,
    name: &Spanned<String>,
    key: &str,
    flows: &[Flow],
    categories: &[QuotaCategory],
) -> Option<Scope> {
    let text = name.value.as_str();
    if text == "run" {
        return Some(Scope::Run);
    }
    if let Some(category) = QuotaCategory::from_name(text) {
        if categories.contains(&category) {
            return Some(Scope::Category(category));
        }
        let used: Vec<&str> = categories.iter().map(|c| c.name()).collect();
        c.error(
            pos(name),
            key,
            DiagnosticKind::UnknownReference,
            format!("no step of this scenario sends a {category} operation"),
            Some(if used.is_empty() {
                "this scenario's steps send no categorised operation".to_string()
            } else {
                format!("its categories are: {}", used.join(", "))
            }),
        );
        return None;
    }
    if let Some((flow, step)) = text.split_once('.') {
        match flows.iter().find(|f| f.name == flow) {
            Some(f) if f.step(step).is_some() => {
                return Some(Scope::Step {
                    flow: flow.to_string(),
                    step: step.to_string(),
                });
            }
            Some(f) => {
                let steps: Vec<&str> = f.steps.iter().map(|s| s.name.as_str()).collect();
                c.error(
                    pos(name),
                    key,
                    DiagnosticKind::UnknownReference,
                    format!("flow `{flow}` has no step `{step}`"),
                    Some(format!("its steps are: {}", steps.join(", "))),
                );
                return None;
            }
            None => {}
        }
    } else if flows.iter().any(|f| f.name == text) {
        return Some(Scope::Flow(text.to_string()));
    } else {
        let owners: Vec<&Flow> = flows.iter().filter(|f| f.step(text).is_some()).collect();
        match owners.as_slice() {
            [only] => {
                return Some(Scope::Step {
                    flow: only.name.clone(),
                    step: text.to_string(),
                });
            }
            [] => {}
            many => {
                let options: Vec<String> =
                    many.iter().map(|f| format!("{}.{text}", f.name)).collect();
                c.error(
                    pos(name),
                    key,
                    DiagnosticKind::UnknownReference,
                    format!("step `{text}` is in several flows"),
                    Some(format!("name one: {}", options.join(", "))),
                );
                return None;
            }
        }
    }
    let mut known = vec!["run".to_string()];
    known.extend(flows.iter().map(|f| f.name.clone()));
    known.extend(flows.iter().flat_map(|f| {
        f.steps
            .iter()
            .map(move |s| format!("{}.{}", f.name, s.name))
    }));
    known.extend(categories.iter().map(|c| c.name().to_string()));
    c.error(
        pos(name),
        key,
        DiagnosticKind::UnknownReference,
        format!("`{text}` is not a scope of this scenario"),
        Some(format!("scopes are: {}", known.join(", "))),
    );
    None
}
