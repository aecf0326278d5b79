//! `report.html`: one self-contained page (inline CSS and SVG, no script, no external URL, so
//! it opens offline and from a CI artifact store) with the Markdown report's tables and its
//! charts: latency percentiles per step, requests / errors (solid red) / throttles (dashed
//! orange) per second over the run (from [`Summary::timeline`](crate::metrics::Summary)), each
//! quota category's peak rate against its quota, and the charts over time of
//! [`super::html_time`] (latency per step per interval, usage per category against its quota). Every string is HTML-escaped ([`super::format::html`]).

use std::fmt::Write as _;

use super::RunReport;
use super::format::{
    challenge_note, duration_columns, errors_by_kind, html as esc, iteration_totals,
    latency_columns, latency_us, observed, percent, quota_source, quota_usage, rate,
};
use super::html_time::{BLUE, GREEN, ORANGE, PURPLE, RED, Series, line_legend};
use crate::metrics::{ScopeSummary, SecondSummary, Summary};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1f2328;max-width:72rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child,td.text{text-align:left}
th{background:#f6f8fa}
.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}
.banner{background:#fff8c5;border:1px solid #d4a72c;padding:.6rem 1rem;margin:1rem 0}
svg{font-size:11px;font-family:inherit}
svg text{fill:#1f2328}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
";

/// The `report.html` document.
pub fn render_html(report: &RunReport) -> Vec<u8> {
    let s = &report.summary;
    let mut out = String::new();
    let title = format!("Run report: {}", report.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    if let Some(aborted) = &report.aborted {
        let [what, reached] = super::format::abort_lines(aborted);
        let _ = writeln!(
            out,
            "<p class=\"banner\"><strong>Aborted</strong>: {}.<br>{}.</p>",
            esc(&what),
            esc(&reached)
        );
    }
    if report.partial {
        let _ = writeln!(
            out,
            "<p class=\"banner\"><strong>Partial run</strong>: stopped before the scenario's \
             end. The figures cover the {:.1} s that were measured.</p>",
            s.elapsed_s
        );
    }
    overview(&mut out, report);
    thresholds(&mut out, report);

    let _ = writeln!(out, "<h2>Requests</h2>");
    scope_table(&mut out, "Scope", [("run", &s.run)]);
    if s.uncategorised_requests > 0 {
        let _ = writeln!(
            out,
            "<p>Requests in no quota category of the guide's table: {}.</p>",
            s.uncategorised_requests
        );
    }
    let _ = writeln!(out, "<h2>Throughput, errors and throttles per second</h2>");
    timeline_chart(&mut out, &s.timeline);

    let _ = writeln!(out, "<h2>Flows (iterations)</h2>");
    flows(&mut out, report);

    let _ = writeln!(out, "<h2>Steps</h2>");
    scope_table(
        &mut out,
        "Step",
        s.steps.iter().map(|(k, v)| (k.as_str(), v)),
    );
    let _ = writeln!(out, "<h3>Latency percentiles per step</h3>");
    latency_chart(&mut out, s);
    let _ = writeln!(out, "<h3>Latency percentiles per step over time</h3>");
    super::html_time::latency_over_time(&mut out, s);

    let _ = writeln!(out, "<h2>Quota categories</h2>");
    let names: Vec<String> = s.categories.keys().map(|c| c.name().to_string()).collect();
    scope_table(
        &mut out,
        "Category",
        names.iter().map(String::as_str).zip(s.categories.values()),
    );
    let _ = writeln!(
        out,
        "<h3>Busiest second against the quota in force</h3>\n<p>Usage counted as the developer \
         guide's \"Quotas in Amazon Cognito\" counts it (challenge responses within their \
         allowance are not counted); each bar says where its quota came from (default, \
         scenario, --quota).</p>"
    );
    quota_chart(&mut out, s);
    let _ = writeln!(out, "<h3>Usage per second against the quota in force</h3>");
    super::html_time::quota_over_time(&mut out, s);
    for (category, u) in &s.quotas {
        if let Some(note) = challenge_note(*category, u) {
            let _ = writeln!(out, "<p>{}</p>", esc(&note));
        }
    }
    let _ = writeln!(out, "</body>\n</html>");
    out.into_bytes()
}

fn overview(out: &mut String, report: &RunReport) {
    let failed = report.thresholds.iter().filter(|t| !t.passed).count();
    let verdict = if report.passed {
        format!(
            "<span class=\"pass\">PASSED</span> ({} thresholds held)",
            report.thresholds.len()
        )
    } else {
        format!(
            "<span class=\"fail\">FAILED</span> ({failed} of {} thresholds failed)",
            report.thresholds.len()
        )
    };
    let _ = writeln!(out, "<table>");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "<tr><th>{k}</th><td class=\"text\">{v}</td></tr>");
    };
    row("Result", verdict);
    row(
        "Scenario",
        format!("{} ({})", esc(&report.scenario), esc(&report.scenario_path)),
    );
    if let Some(d) = &report.description {
        row("Description", esc(d));
    }
    row("Target", esc(&report.target));
    row("Started", esc(&report.started_at));
    row("Measured", format!("{:.1} s", report.summary.elapsed_s));
    if let Some((index, count)) = report.shard {
        row("Shard", format!("{index}/{count}"));
    }
    row(
        "Tool",
        format!("cognito-harness {}", esc(&report.tool_version)),
    );
    let _ = writeln!(out, "</table>");
}

fn thresholds(out: &mut String, report: &RunReport) {
    let _ = writeln!(out, "<h2>Thresholds</h2>");
    if report.thresholds.is_empty() {
        let _ = writeln!(out, "<p>The scenario sets no thresholds.</p>");
        return;
    }
    let _ = writeln!(
        out,
        "<table>\n<tr><th>Scope</th><th>Threshold</th><th>Observed</th><th>Result</th></tr>"
    );
    for t in &report.thresholds {
        let result = if t.passed {
            "<span class=\"pass\">pass</span>"
        } else {
            "<span class=\"fail\">FAIL</span>"
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"text\">{}</td><td>{}</td><td class=\"text\">{result}</td></tr>",
            esc(&t.scope),
            esc(&t.expression),
            esc(&observed(&t.expression, t.observed)),
        );
    }
    let _ = writeln!(out, "</table>");
}

/// The flows: iteration totals, the flow table (latency = the sum of the steps' latencies),
/// iteration durations (think time included) and the failure samples.
fn flows(out: &mut String, report: &RunReport) {
    let s = &report.summary;
    let _ = writeln!(out, "<p>Iterations: {}.</p>", esc(&iteration_totals(s)));
    if s.iterations.interrupted > 0 && !report.partial {
        let _ = writeln!(
            out,
            "<p class=\"banner\">{} iterations were still running or waiting for a VU when \
             <code>graceful_stop</code> ended; they count as interrupted (and as errors).</p>",
            s.iterations.interrupted
        );
    }
    let _ = writeln!(
        out,
        "<p>A flow's latency is the sum of its steps' latencies (think time excluded).</p>"
    );
    scope_table(out, "Flow", s.flows.iter().map(|(k, v)| (k.as_str(), v)));
    if !s.flows.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Iteration duration (think time included)</h3>\n<table>\n<tr><th>Flow</th>\
             <th>p50</th><th>p95</th><th>p99</th><th>Max</th></tr>"
        );
        for (name, flow) in &s.flows {
            let [p50, p95, p99, max] = duration_columns(flow).map(|v| esc(&v));
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{p50}</td><td>{p95}</td><td>{p99}</td><td>{max}</td></tr>",
                esc(name)
            );
        }
        let _ = writeln!(out, "</table>");
    }
    if !s.run.samples.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Failure samples</h3>\n<table>\n<tr><th>Kind</th><th>Message</th></tr>"
        );
        for (kind, message) in &s.run.samples {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"text\">{}</td></tr>",
                esc(kind),
                esc(message)
            );
        }
        let _ = writeln!(out, "</table>");
    }
}

fn scope_table<'a>(
    out: &mut String,
    title: &str,
    rows: impl IntoIterator<Item = (&'a str, &'a ScopeSummary)>,
) {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        let _ = writeln!(out, "<p>None.</p>");
        return;
    }
    let _ = writeln!(
        out,
        "<table>\n<tr><th>{title}</th><th>Count</th><th>Rate/s</th><th>p50</th><th>p95</th>\
         <th>p99</th><th>Max</th><th>Error rate</th><th>Throttle rate</th><th>Errors by kind</th></tr>"
    );
    for (name, s) in rows {
        let [p50, p95, p99, max] = latency_columns(s);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
            esc(name),
            s.count,
            rate(s.rps),
            esc(&p50),
            esc(&p95),
            esc(&p99),
            esc(&max),
            esc(&percent(s.error_rate)),
            esc(&percent(s.throttle_rate)),
            esc(&errors_by_kind(s)),
        );
    }
    let _ = writeln!(out, "</table>");
}

fn legend(out: &mut String, items: &[(&str, &str)]) {
    let _ = write!(out, "<p class=\"legend\">");
    for (colour, label) in items {
        let _ = write!(
            out,
            "<span style=\"background:{colour}\"></span>{}",
            esc(label)
        );
    }
    let _ = writeln!(out, "</p>");
}

/// The label column and bar area of the horizontal bar charts, in SVG user units.
const LABEL_W: f64 = 220.0;
const BAR_AREA_W: f64 = 520.0;

/// One horizontal bar group per step: p50, p95 and p99 on one linear scale (the largest p99).
fn latency_chart(out: &mut String, s: &Summary) {
    let rows: Vec<(&str, [u64; 3])> = s
        .steps
        .iter()
        .filter_map(|(name, step)| {
            let l = step.latency.as_ref()?;
            Some((name.as_str(), [l.p50_us, l.p95_us, l.p99_us]))
        })
        .collect();
    if rows.is_empty() {
        let _ = writeln!(out, "<p>No step recorded a latency.</p>");
        return;
    }
    let series = [(BLUE, "p50"), (PURPLE, "p95"), (ORANGE, "p99")];
    legend(out, &series);
    let scale = rows.iter().map(|(_, v)| v[2]).max().unwrap_or(1).max(1) as f64;
    let (bar_h, group_h) = (10.0, 40.0);
    let height = rows.len() as f64 * group_h + 10.0;
    let width = LABEL_W + BAR_AREA_W + 90.0;
    let _ = writeln!(
        out,
        "<svg role=\"img\" aria-label=\"Latency percentiles per step\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    for (i, (name, values)) in rows.iter().enumerate() {
        let top = 5.0 + i as f64 * group_h;
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL_W - 8.0,
            top + 19.0,
            esc(name)
        );
        for (j, ((colour, label), v)) in series.iter().zip(values).enumerate() {
            let y = top + j as f64 * bar_h;
            let w = (*v as f64 / scale * BAR_AREA_W).max(1.0);
            let text = latency_us(*v as f64);
            let _ = writeln!(
                out,
                "<rect x=\"{LABEL_W:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" \
                 fill=\"{colour}\"><title>{} {label}: {}</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                bar_h - 1.0,
                esc(name),
                esc(&text),
                LABEL_W + w + 4.0,
                y + bar_h - 1.5,
                esc(&text)
            );
        }
    }
    let _ = writeln!(out, "</svg>");
}

/// Reads one series' value from a second of the timeline.
type SeriesValue = fn(&SecondSummary) -> u64;

/// Requests, errors and throttles per second as three lines on one linear scale.
fn timeline_chart(out: &mut String, timeline: &[SecondSummary]) {
    if timeline.is_empty() {
        let _ = writeln!(out, "<p>No requests were recorded.</p>");
        return;
    }
    let series: [(&str, Option<&str>, &str, SeriesValue); 3] = [
        (BLUE, None, "requests/s", |t| t.requests),
        (RED, None, "errors/s", |t| t.errors),
        (ORANGE, Some("6 3"), "throttles/s", |t| t.throttles),
    ];
    let legend_series: Vec<Series<'_>> = series
        .iter()
        .map(|(colour, dash, label, _)| Series {
            colour,
            dash: *dash,
            label,
            values: Vec::new(),
        })
        .collect();
    line_legend(out, &legend_series);
    let (left, top, plot_w, plot_h) = (50.0, 10.0, 660.0, 180.0);
    let (width, height) = (left + plot_w + 20.0, top + plot_h + 30.0);
    let y_max = timeline
        .iter()
        .map(|t| t.requests)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    // One point per second, at the middle of its second.
    let span = timeline.len() as f64;
    let x = |i: usize| left + (i as f64 + 0.5) / span * plot_w;
    let y = |v: u64| top + plot_h - v as f64 / y_max * plot_h;
    let _ = writeln!(
        out,
        "<svg role=\"img\" aria-label=\"Requests, errors and throttles per second\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    let _ = writeln!(
        out,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"none\" \
         stroke=\"#d0d7de\"/>"
    );
    for (v, label) in [
        (0.0, "0".to_string()),
        (y_max / 2.0, format!("{:.0}", y_max / 2.0)),
        (y_max, format!("{y_max:.0}")),
    ] {
        let py = top + plot_h - v / y_max * plot_h;
        let _ = writeln!(
            out,
            "<line x1=\"{left}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"#eaeef2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>",
            left + plot_w,
            left - 4.0,
            py + 4.0
        );
    }
    let last = timeline.len() - 1;
    for i in [0, last / 2, last] {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{i} s</text>",
            x(i),
            top + plot_h + 16.0
        );
    }
    for (colour, dash, _, value) in series {
        let dash = dash
            .map(|d| format!(" stroke-dasharray=\"{d}\" stroke-width=\"2.5\""))
            .unwrap_or_else(|| " stroke-width=\"1.5\"".to_string());
        let points: Vec<String> = timeline
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{:.1},{:.1}", x(i), y(value(t))))
            .collect();
        let _ = writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{colour}\"{dash} points=\"{}\"/>",
            points.join(" ")
        );
    }
    let _ = writeln!(out, "</svg>");
}

/// One bar per category: its busiest second's usage as a share of the quota in force, with a
/// marker at 100 %; bars beyond the quota are red.
fn quota_chart(out: &mut String, s: &Summary) {
    let rows: Vec<(&str, f64, f64, String)> = s
        .categories
        .keys()
        .filter_map(|category| {
            let u = quota_usage(s, *category)?;
            Some((
                category.name(),
                u.peak_share,
                u.peak_rps,
                format!(
                    "{} per s, {}",
                    rate(u.quota_rps),
                    quota_source(u.quota_source)
                ),
            ))
        })
        .collect();
    if rows.is_empty() {
        let _ = writeln!(out, "<p>No categorised requests.</p>");
        return;
    }
    legend(out, &[(GREEN, "within quota"), (RED, "beyond quota")]);
    let scale = rows.iter().map(|r| r.1).fold(1.0_f64, f64::max);
    let row_h = 22.0;
    let height = rows.len() as f64 * row_h + 24.0;
    let width = LABEL_W + BAR_AREA_W + 150.0;
    let _ = writeln!(
        out,
        "<svg role=\"img\" aria-label=\"Quota usage per category\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    for (i, (name, share, peak, quota)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = (share / scale * BAR_AREA_W).max(1.0);
        let colour = if *share > 1.0 { RED } else { GREEN };
        let text = format!("{} ({}/{quota})", percent(*share), rate(*peak));
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{LABEL_W:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" \
             fill=\"{colour}\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LABEL_W - 8.0,
            y + 13.0,
            esc(name),
            row_h - 6.0,
            esc(name),
            esc(&text),
            LABEL_W + w + 4.0,
            y + 13.0,
            esc(&text)
        );
    }
    let marker = LABEL_W + BAR_AREA_W / scale;
    let bottom = rows.len() as f64 * row_h + 4.0;
    let _ = writeln!(
        out,
        "<line x1=\"{marker:.1}\" y1=\"0\" x2=\"{marker:.1}\" y2=\"{bottom:.1}\" stroke=\"#57606a\" \
         stroke-dasharray=\"4 3\"/><text x=\"{marker:.1}\" y=\"{:.1}\" \
         text-anchor=\"middle\">quota</text>",
        bottom + 14.0
    );
    let _ = writeln!(out, "</svg>");
}
