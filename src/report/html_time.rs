//! `report.html`'s charts over time, as inline SVG line charts (no script): latency
//! percentiles per step per interval of [`Summary::latency_timeline`], and each quota
//! category's usage per second (counted by the guide's rule, [`crate::quota::counted_usage`])
//! with the quota in force drawn as a dashed line. Series differ by colour and by dash, so
//! they stay apart in print and for colour-blind readers.

use std::fmt::Write as _;

use super::format::{html as esc, latency_us, rate};
use crate::metrics::{LatencyPoint, Summary};

/// Colours of the chart series (also used by the legends).
pub(super) const BLUE: &str = "#0969da";
pub(super) const PURPLE: &str = "#8250df";
pub(super) const ORANGE: &str = "#bc4c00";
pub(super) const RED: &str = "#cf222e";
pub(super) const GREEN: &str = "#1a7f37";

/// One line of a chart: colour, dash pattern (`None`: solid), legend label, and one value per
/// point (`None`: no sample there, the line breaks).
pub(super) struct Series<'a> {
    pub colour: &'a str,
    pub dash: Option<&'a str>,
    pub label: &'a str,
    pub values: Vec<Option<f64>>,
}

/// The legend of `series`, each as a short line drawn in its colour and dash.
pub(super) fn line_legend(out: &mut String, series: &[Series<'_>]) {
    let _ = write!(out, "<p class=\"legend\">");
    for s in series {
        let dash = s
            .dash
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<svg width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"2\" y1=\"5\" \
             x2=\"26\" y2=\"5\" stroke=\"{}\" stroke-width=\"2\"{dash}/></svg> {} ",
            s.colour,
            esc(s.label)
        );
    }
    let _ = writeln!(out, "</p>");
}

/// A line chart of `series` over `points` points, point `i` at second `i * step_s` (labelled
/// on the x axis), the y axis from 0 to the largest value, labelled with `y_label`.
pub(super) fn line_chart(
    out: &mut String,
    aria: &str,
    step_s: u32,
    series: &[Series<'_>],
    y_label: fn(f64) -> String,
) {
    let points = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    if points == 0 {
        return;
    }
    let (left, top, plot_w, plot_h) = (70.0, 10.0, 640.0, 150.0);
    let (width, height) = (left + plot_w + 20.0, top + plot_h + 30.0);
    let y_max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0_f64, |a, b| a.max(*b));
    let y_max = if y_max > 0.0 { y_max } else { 1.0 };
    let x = |i: usize| left + (i as f64 + 0.5) / points as f64 * plot_w;
    let y = |v: f64| top + plot_h - v / y_max * plot_h;
    let _ = writeln!(
        out,
        "<svg role=\"img\" aria-label=\"{}\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\">\n<rect x=\"{left}\" y=\"{top}\" width=\"{plot_w}\" \
         height=\"{plot_h}\" fill=\"none\" stroke=\"#d0d7de\"/>",
        esc(aria)
    );
    for v in [0.0, y_max / 2.0, y_max] {
        let py = y(v);
        let _ = writeln!(
            out,
            "<line x1=\"{left}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"#eaeef2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + plot_w,
            left - 4.0,
            py + 4.0,
            esc(&y_label(v))
        );
    }
    let last = points - 1;
    for i in [0, last / 2, last] {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} s</text>",
            x(i),
            top + plot_h + 16.0,
            i as u64 * u64::from(step_s)
        );
    }
    for s in series {
        let dash = s
            .dash
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        // Runs of consecutive points with a value, one polyline each (a gap breaks the line).
        let mut runs: Vec<Vec<String>> = vec![Vec::new()];
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => runs
                    .last_mut()
                    .map(|r| r.push(format!("{:.1},{:.1}", x(i), y(*v))))
                    .unwrap_or_default(),
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|r| !r.is_empty()) {
            let _ = writeln!(
                out,
                "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"{dash} points=\"{}\">\
                 <title>{}</title></polyline>",
                s.colour,
                run.join(" "),
                esc(s.label)
            );
        }
    }
    let _ = writeln!(out, "</svg>");
}

/// Reads one percentile of an interval's latency.
type Percentile = fn(&LatencyPoint) -> u64;

fn latency_label(v: f64) -> String {
    latency_us(v)
}

fn rate_label(v: f64) -> String {
    format!("{}/s", rate(v))
}

/// Latency percentiles over time, one small chart per step (p50 solid, p95 dashed, p99 dotted).
pub(super) fn latency_over_time(out: &mut String, s: &Summary) {
    if s.latency_timeline.is_empty() {
        let _ = writeln!(out, "<p>No step latency was recorded over time.</p>");
        return;
    }
    let _ = writeln!(
        out,
        "<p>Per interval of {} s, each step timed from its intended start.</p>",
        s.timeline_interval_s
    );
    let percentiles: [(&str, Option<&str>, &str, Percentile); 3] = [
        (BLUE, None, "p50", |p| p.p50_us),
        (PURPLE, Some("6 3"), "p95", |p| p.p95_us),
        (RED, Some("2 2"), "p99", |p| p.p99_us),
    ];
    let mut legend_done = false;
    for step in s.steps.keys() {
        let series: Vec<Series<'_>> = percentiles
            .iter()
            .map(|(colour, dash, label, value)| Series {
                colour,
                dash: *dash,
                label,
                values: s
                    .latency_timeline
                    .iter()
                    .map(|i| i.steps.get(step).map(|p| value(p) as f64))
                    .collect(),
            })
            .collect();
        if series.iter().all(|s| s.values.iter().all(Option::is_none)) {
            continue;
        }
        if !legend_done {
            line_legend(out, &series);
            legend_done = true;
        }
        let _ = writeln!(out, "<h4>{}</h4>", esc(step));
        line_chart(
            out,
            &format!("Latency of {step} over time"),
            s.timeline_interval_s,
            &series,
            latency_label,
        );
    }
}

/// Each quota category's usage per second (counted by the guide's rule) with its quota in force.
pub(super) fn quota_over_time(out: &mut String, s: &Summary) {
    let mut any = false;
    for (category, usage) in &s.quotas {
        let values: Vec<Option<f64>> = s
            .timeline
            .iter()
            .map(|second| {
                let demand = second.demand().get(category).copied().unwrap_or_default();
                Some(crate::quota::counted_usage(
                    *category,
                    demand,
                    usage.quota_rps,
                ))
            })
            .collect();
        let series = [
            Series {
                colour: BLUE,
                dash: None,
                label: "counted against the quota, per s",
                values,
            },
            Series {
                colour: "#57606a",
                dash: Some("8 4"),
                label: "quota in force",
                values: vec![Some(usage.quota_rps); s.timeline.len()],
            },
        ];
        if !any {
            line_legend(out, &series);
            any = true;
        }
        let _ = writeln!(out, "<h4>{}</h4>", esc(category.name()));
        line_chart(
            out,
            &format!("{} per second against its quota", category.name()),
            1,
            &series,
            rate_label,
        );
    }
    if !any {
        let _ = writeln!(out, "<p>No categorised requests.</p>");
    }
}
