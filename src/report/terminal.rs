//! The text `run` (and `merge`) print when a run ends, as k6 prints its end-of-test summary: the
//! totals, each step in the scenario's order with its latency, the most frequent error kinds,
//! each quota category's peak rate against its quota, and every threshold with ✓ or ✗ and the
//! value it was judged on. A pure function of a [`RunReport`], like the other renderers.

use std::fmt::Write as _;
use std::path::Path;

use super::RunReport;
use super::format::{latency_columns, observed, percent, quota_source, rate};
use crate::metrics::ScopeSummary;
use crate::protocol::redact::redact_urls_in;

/// How many error kinds are listed per step.
pub const TOP_ERROR_KINDS: usize = 3;

/// The end-of-run text. `step_order` lists `flow.step` names in the scenario's order (flows as
/// declared, steps as they run); steps it does not name follow in name order, so a report
/// whose scenario is gone (a merge) still shows every step.
pub fn render_terminal(report: &RunReport, dir: &Path, step_order: &[String]) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: {} requests in {:.1}s ({:.1}/s), {} ok, {} errors, {} throttled, {} not sent",
        report.scenario,
        if report.aborted.is_some() {
            "(aborted)"
        } else if report.partial {
            "(interrupted)"
        } else {
            "finished"
        },
        s.run.count - s.run.not_sent.values().sum::<u64>(),
        s.elapsed_s,
        s.run.rps,
        s.run.ok,
        s.run.errors.values().sum::<u64>() + s.run.transport.values().sum::<u64>(),
        s.run.throttled,
        s.run.not_sent.values().sum::<u64>(),
    );
    if let Some(aborted) = &report.aborted {
        for line in super::format::abort_lines(aborted) {
            let _ = writeln!(out, "  {line}");
        }
    }
    let it = &s.iterations;
    let _ = writeln!(
        out,
        "  iterations: {} scheduled, {} ok, {} failed, {} interrupted",
        it.scheduled,
        it.ok,
        it.failed.values().sum::<u64>(),
        it.interrupted,
    );
    let steps = ordered_steps(report, step_order);
    if !steps.is_empty() {
        let _ = writeln!(out, "  steps:");
        let width = steps.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        for (name, step) in &steps {
            let [p50, p95, p99, _] = latency_columns(step);
            let _ = writeln!(
                out,
                "    {name:<width$}  {} runs, p50 {p50}, p95 {p95}, p99 {p99}, error rate {}, throttled {}",
                step.count,
                percent(step.error_rate),
                step.throttled,
            );
        }
    }
    let failing: Vec<_> = steps
        .iter()
        .filter(|(_, s)| s.count > s.ok)
        .map(|(name, s)| (name, top_kinds(s)))
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "  errors (top {TOP_ERROR_KINDS} kinds per step):");
        for (name, kinds) in failing {
            for kind in kinds {
                let sample = kind
                    .sample
                    .map(|m| format!("  \"{}\"", redact_urls_in(m)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {name}  {}  {} ({} of its runs){sample}",
                    kind.name,
                    kind.count,
                    percent(kind.share),
                );
            }
        }
    }
    quota_lines(&mut out, report);
    if !report.thresholds.is_empty() {
        let _ = writeln!(out, "  thresholds:");
        for t in &report.thresholds {
            let _ = writeln!(
                out,
                "    {} {} {}  {}={}",
                if t.passed { "✓" } else { "✗" },
                t.scope,
                t.expression,
                metric_label(&t.expression),
                observed(&t.expression, t.observed),
            );
        }
    }
    if let Some((index, count)) = report.shard {
        let _ = writeln!(
            out,
            "  shard {index}/{count}: thresholds count for the whole run once `cognito-harness \
             merge` has every shard"
        );
    }
    let _ = writeln!(out, "reports: {}", dir.display());
    out
}

/// The report's steps: `order` first, then the rest by name.
fn ordered_steps<'r>(report: &'r RunReport, order: &[String]) -> Vec<(&'r str, &'r ScopeSummary)> {
    let steps = &report.summary.steps;
    let mut out: Vec<(&str, &ScopeSummary)> = order
        .iter()
        .filter_map(|name| steps.get_key_value(name))
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    for (name, step) in steps {
        if !order.contains(name) {
            out.push((name.as_str(), step));
        }
    }
    out
}

/// One kind of non-ok outcome of a step.
struct KindCount<'s> {
    name: String,
    count: u64,
    /// Of the step's runs.
    share: f64,
    /// The first message seen of this kind, when the summary kept one.
    sample: Option<&'s str>,
}

/// The step's most frequent non-ok outcomes (errors, transport failures, harness-side
/// failures, interruptions, throttles), largest first, ties by name.
fn top_kinds(s: &ScopeSummary) -> Vec<KindCount<'_>> {
    let mut kinds: Vec<(String, u64, Option<&str>)> = s
        .errors
        .iter()
        .map(|(k, n)| (k.clone(), *n, s.samples.get(k).map(String::as_str)))
        .chain(s.transport.iter().map(|(k, n)| {
            (
                format!("{k} (transport)"),
                *n,
                s.samples.get(k).map(String::as_str),
            )
        }))
        .chain(s.not_sent.iter().map(|(k, n)| {
            (
                format!("{k} (not sent)"),
                *n,
                s.samples.get(k).map(String::as_str),
            )
        }))
        .collect();
    if s.interrupted > 0 {
        kinds.push(("interrupted".into(), s.interrupted, None));
    }
    if s.throttled > 0 {
        kinds.push(("throttled".into(), s.throttled, None));
    }
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    kinds
        .into_iter()
        .filter(|(_, n, _)| *n > 0)
        .take(TOP_ERROR_KINDS)
        .map(|(name, count, sample)| KindCount {
            name,
            count,
            share: count as f64 / s.count.max(1) as f64,
            sample,
        })
        .collect()
}

/// Each category's peak one-second usage, counted by the guide's rule (developer guide,
/// "Quotas in Amazon Cognito"; [`crate::quota::counted_usage`]), against the quota in force.
fn quota_lines(out: &mut String, report: &RunReport) {
    let quotas = &report.summary.quotas;
    if quotas.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  quota categories (peak 1 s usage against the quota in force):"
    );
    for (category, u) in quotas {
        let _ = writeln!(
            out,
            "    {category} peak {}/s of {}/s, {} ({}){}",
            rate(u.peak_rps),
            rate(u.quota_rps),
            quota_source(u.quota_source),
            percent(u.peak_share),
            if u.peak_share > 1.0 {
                "  beyond the quota"
            } else {
                ""
            }
        );
    }
}

/// The metric an expression is written in (`p95`, `p(99)`, `error_rate`): the text before its
/// operator.
fn metric_label(expression: &str) -> &str {
    let end = expression
        .find(['<', '>', '=', '!'])
        .unwrap_or(expression.len());
    expression[..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metric_is_the_text_before_the_operator() {
        assert_eq!(metric_label("p(95)<500ms"), "p(95)");
        assert_eq!(metric_label("error_rate <= 1%"), "error_rate");
        assert_eq!(metric_label("count!=0"), "count");
        assert_eq!(metric_label("odd"), "odd");
    }
}
