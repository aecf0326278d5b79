//! `summary.md`: the run report as GitHub-flavoured Markdown, fit for a terminal, a CI log or a
//! pull-request comment. Every string from the scenario or the target is escaped
//! ([`super::format::md`]), so a flow named `a|b` cannot break a table.

use std::fmt::Write as _;

use super::RunReport;
use super::format::{
    challenge_note, duration_columns, errors_by_kind, iteration_totals, latency_columns, md,
    observed, percent, quota_source, quota_usage, rate,
};
use crate::metrics::{ScopeSummary, Summary};

/// The `summary.md` document.
pub fn render_markdown(report: &RunReport) -> Vec<u8> {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(out, "# Run report: {}\n", md(&report.scenario));
    if let Some(aborted) = &report.aborted {
        let [what, reached] = super::format::abort_lines(aborted);
        let _ = writeln!(
            out,
            "> **Aborted**: {}.  \n> {}.\n",
            md(&what),
            md(&reached)
        );
    }
    if report.partial {
        let _ = writeln!(
            out,
            "> **Partial run**: stopped before the scenario's end. The figures cover the \
             {:.1} s that were measured.\n",
            s.elapsed_s
        );
    }
    let failed = report.thresholds.iter().filter(|t| !t.passed).count();
    let verdict = if report.passed {
        format!("**PASSED** ({} thresholds held)", report.thresholds.len())
    } else {
        format!(
            "**FAILED** ({failed} of {} thresholds failed)",
            report.thresholds.len()
        )
    };
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Result | {verdict} |");
    let _ = writeln!(
        out,
        "| Scenario | {} ({}) |",
        md(&report.scenario),
        md(&report.scenario_path)
    );
    if let Some(d) = &report.description {
        let _ = writeln!(out, "| Description | {} |", md(d));
    }
    let _ = writeln!(out, "| Target | {} |", md(&report.target));
    let _ = writeln!(out, "| Started | {} |", md(&report.started_at));
    let _ = writeln!(out, "| Measured | {:.1} s |", s.elapsed_s);
    if let Some((index, count)) = report.shard {
        let _ = writeln!(out, "| Shard | {index}/{count} |");
    }
    let _ = writeln!(
        out,
        "| Tool | cognito-harness {} |",
        md(&report.tool_version)
    );

    let _ = writeln!(out, "\n## Thresholds\n");
    if report.thresholds.is_empty() {
        let _ = writeln!(out, "The scenario sets no thresholds.");
    } else {
        let _ = writeln!(out, "| Scope | Threshold | Observed | Result |");
        let _ = writeln!(out, "|---|---|---:|---|");
        for t in &report.thresholds {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md(&t.scope),
                md(&t.expression),
                md(&observed(&t.expression, t.observed)),
                if t.passed { "pass" } else { "**FAIL**" }
            );
        }
    }

    let _ = writeln!(out, "\n## Requests\n");
    scope_table(&mut out, "Scope", [("run", &s.run)]);
    if s.uncategorised_requests > 0 {
        let _ = writeln!(
            out,
            "\nRequests in no quota category of the guide's table: {}.",
            s.uncategorised_requests
        );
    }

    let _ = writeln!(out, "\n## Flows (iterations)\n");
    if s.flows.is_empty() {
        let _ = writeln!(out, "No flows.");
    } else {
        let _ = writeln!(out, "Iterations: {}.", iteration_totals(s));
        if s.iterations.interrupted > 0 && !report.partial {
            let _ = writeln!(
                out,
                "\n{} iterations were still running or waiting for a VU when `graceful_stop` \
                 ended; they count as interrupted (and as errors).",
                s.iterations.interrupted
            );
        }
        let _ = writeln!(
            out,
            "\nA flow's latency is the sum of its steps' latencies (think time excluded).\n"
        );
        scope_table(
            &mut out,
            "Flow",
            s.flows.iter().map(|(k, v)| (k.as_str(), v)),
        );
        let _ = writeln!(
            out,
            "\nIteration duration (intended start to end, think time included):\n"
        );
        let _ = writeln!(
            out,
            "| Flow | p50 | p95 | p99 | Max |\n|---|---:|---:|---:|---:|"
        );
        for (name, flow) in &s.flows {
            let [p50, p95, p99, max] = duration_columns(flow);
            let _ = writeln!(out, "| {} | {p50} | {p95} | {p99} | {max} |", md(name));
        }
    }
    failure_samples(&mut out, s);

    let _ = writeln!(out, "\n## Steps\n");
    if s.steps.is_empty() {
        let _ = writeln!(out, "No steps.");
    } else {
        scope_table(
            &mut out,
            "Step",
            s.steps.iter().map(|(k, v)| (k.as_str(), v)),
        );
    }

    let _ = writeln!(out, "\n## Quota categories\n");
    if s.categories.is_empty() {
        let _ = writeln!(out, "No categorised requests.");
    } else {
        let names: Vec<String> = s.categories.keys().map(|c| c.name().to_string()).collect();
        scope_table(
            &mut out,
            "Category",
            names.iter().map(String::as_str).zip(s.categories.values()),
        );
        let _ = writeln!(
            out,
            "\nBusiest second's usage against each category's quota in force (developer guide, \
             \"Quotas in Amazon Cognito\"; challenge responses within their allowance are not \
             counted):\n"
        );
        let _ = writeln!(
            out,
            "| Category | Peak 1 s | Average/s | Quota/s | Quota from | Peak / quota |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---|---:|");
        let mut notes = Vec::new();
        for category in s.categories.keys() {
            let Some(u) = quota_usage(s, *category) else {
                continue;
            };
            let share = if u.peak_share > 1.0 {
                format!("**{}**", percent(u.peak_share))
            } else {
                percent(u.peak_share)
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {share} |",
                md(category.name()),
                rate(u.peak_rps),
                rate(u.avg_rps),
                rate(u.quota_rps),
                md(quota_source(u.quota_source)),
            );
            notes.extend(challenge_note(*category, u));
        }
        for note in notes {
            let _ = writeln!(out, "\n{}", md(&note));
        }
    }
    out.into_bytes()
}

/// One sample message per failure kind (token-like words already redacted when recorded).
fn failure_samples(out: &mut String, s: &Summary) {
    if s.run.samples.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Failure samples\n");
    let _ = writeln!(out, "| Kind | Message |\n|---|---|");
    for (kind, message) in &s.run.samples {
        let _ = writeln!(out, "| {} | {} |", md(kind), md(message));
    }
}

fn scope_table<'a>(
    out: &mut String,
    title: &str,
    rows: impl IntoIterator<Item = (&'a str, &'a ScopeSummary)>,
) {
    let _ = writeln!(
        out,
        "| {title} | Count | Rate/s | p50 | p95 | p99 | Max | Error rate | Throttle rate | \
         Errors by kind |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (name, s) in rows {
        let [p50, p95, p99, max] = latency_columns(s);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {p50} | {p95} | {p99} | {max} | {} | {} | {} |",
            md(name),
            s.count,
            rate(s.rps),
            percent(s.error_rate),
            percent(s.throttle_rate),
            md(&errors_by_kind(s)),
        );
    }
}
