//! The three renderings of a [`Comparison`]: Markdown for a pull-request comment, aligned text
//! for a terminal, and JSON.

use std::fmt::Write as _;

use super::{Comparison, Metric, Row, Tolerances, Verdict};
use crate::report::format::{latency_us, md, percent};

fn change_text(row: &Row) -> String {
    match (row.metric, row.change) {
        (_, None) => "-".into(),
        (Metric::ErrorRate | Metric::ThrottleRate, Some(d)) => {
            format!("{:+.2} pp", d * 100.0)
        }
        (_, Some(d)) => format!("{:+.1} %", d * 100.0),
    }
}

fn value_text(metric: Metric, v: Option<f64>) -> String {
    v.map(|v| metric.show(v)).unwrap_or_else(|| "-".into())
}

fn verdict_text(v: Verdict) -> &'static str {
    match v {
        Verdict::Regressed => "regressed",
        Verdict::Improved => "improved",
        Verdict::Unchanged => "ok",
        Verdict::WithinNoise => "within noise",
        Verdict::TooFewSamples => "too few samples",
        Verdict::NoData => "no data",
    }
}

/// How many changes beyond tolerance were within noise, and how many percentiles were not
/// judged for want of samples; `None` when neither happened.
fn unjudged_text(c: &Comparison) -> Option<String> {
    let count = |v: Verdict| c.rows.iter().filter(|r| r.verdict == v).count();
    let (noise, few) = (count(Verdict::WithinNoise), count(Verdict::TooFewSamples));
    if noise + few == 0 {
        return None;
    }
    Some(format!(
        "{noise} change(s) beyond tolerance were within sampling noise (95 % intervals); \
         {few} percentile(s) had too few samples to judge."
    ))
}

fn tolerance_text(t: &Tolerances) -> String {
    format!(
        "latency +{} (and more than {}), throughput -{}, error rate +{:.2} pp, throttle rate +{:.2} pp",
        percent(t.latency),
        latency_us(t.latency_floor_us),
        percent(t.throughput),
        t.error_rate * 100.0,
        t.throttle_rate * 100.0
    )
}

fn md_row(out: &mut String, r: &Row) {
    let mark = match r.verdict {
        Verdict::Regressed => "**regressed**",
        other => verdict_text(other),
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {mark} |",
        md(&r.scope),
        r.metric.label(),
        value_text(r.metric, r.baseline),
        value_text(r.metric, r.current),
        change_text(r),
    );
}

const MD_HEADER: &str =
    "| Scope | Metric | Baseline | Current | Change | |\n|---|---|---:|---:|---:|---|\n";

/// Markdown for a pull-request comment: the verdict, the regressions, then every row in a
/// collapsed `<details>` block.
pub fn render_markdown(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## cognito-harness: {}\n", md(&c.current.scenario));
    if c.regressed() {
        let _ = writeln!(
            out,
            "**{} regression{}** beyond tolerance.\n",
            c.regressions,
            if c.regressions == 1 { "" } else { "s" }
        );
    } else {
        let _ = writeln!(out, "**No regression** beyond tolerance.\n");
    }
    if let Some(line) = unjudged_text(c) {
        let _ = writeln!(out, "{}\n", md(&line));
    }
    let _ = writeln!(
        out,
        "Baseline: {} (started {}) · Current: {} (started {})  ",
        md(&c.baseline.path),
        md(&c.baseline.started_at),
        md(&c.current.path),
        md(&c.current.started_at)
    );
    let _ = writeln!(out, "Tolerances: {}.\n", md(&tolerance_text(&c.tolerances)));
    for w in &c.warnings {
        let _ = writeln!(out, "> Warning: {}\n", md(w));
    }
    let regressed: Vec<&Row> = c
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::Regressed)
        .collect();
    if !regressed.is_empty() {
        out.push_str(MD_HEADER);
        for r in regressed {
            md_row(&mut out, r);
        }
        out.push('\n');
    }
    for (label, scopes) in [
        ("Only in the baseline", &c.only_in_baseline),
        ("Only in the current run", &c.only_in_current),
    ] {
        if !scopes.is_empty() {
            let names: Vec<String> = scopes.iter().map(|s| md(s)).collect();
            let _ = writeln!(out, "{label} (not compared): {}.\n", names.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "<details><summary>All {} comparisons</summary>\n",
        c.rows.len()
    );
    out.push_str(MD_HEADER);
    for r in &c.rows {
        md_row(&mut out, r);
    }
    let _ = writeln!(out, "\n</details>");
    out
}

/// Plain text for a terminal: the verdict, then one aligned line per row.
pub fn render_text(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "compare {}: {} -> {}",
        c.current.scenario, c.baseline.path, c.current.path
    );
    let _ = writeln!(out, "tolerances: {}", tolerance_text(&c.tolerances));
    for w in &c.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let _ = writeln!(
        out,
        "{:<36} {:<14} {:>12} {:>12} {:>10}  verdict",
        "scope", "metric", "baseline", "current", "change"
    );
    for r in &c.rows {
        let _ = writeln!(
            out,
            "{:<36} {:<14} {:>12} {:>12} {:>10}  {}",
            r.scope,
            r.metric.label(),
            value_text(r.metric, r.baseline),
            value_text(r.metric, r.current),
            change_text(r),
            verdict_text(r.verdict)
        );
    }
    for r in c.rows.iter().filter(|r| r.note.is_some()) {
        let _ = writeln!(
            out,
            "note: {} {}: {}",
            r.scope,
            r.metric.label(),
            r.note.as_deref().unwrap_or_default()
        );
    }
    if let Some(line) = unjudged_text(c) {
        let _ = writeln!(out, "{line}");
    }
    for s in &c.only_in_baseline {
        let _ = writeln!(out, "only in the baseline (not compared): {s}");
    }
    for s in &c.only_in_current {
        let _ = writeln!(out, "only in the current run (not compared): {s}");
    }
    if c.regressed() {
        let _ = writeln!(out, "{} regression(s) beyond tolerance", c.regressions);
    } else {
        let _ = writeln!(out, "no regression beyond tolerance");
    }
    out
}

/// The comparison as pretty JSON.
pub fn render_json(c: &Comparison) -> String {
    // Plain data with string keys: serializing cannot fail.
    let mut s = serde_json::to_string_pretty(c).unwrap_or_default();
    s.push('\n');
    s
}
