//! Number and text formatting shared by the human-readable renderers (Markdown, HTML and the
//! `compare` output), so one quantity reads the same everywhere and the output is deterministic
//! (fixed precision, no locale).

use crate::metrics::{QuotaUsage, ScopeSummary, Summary};
use crate::quota::{QuotaCategory, QuotaSource};
use crate::scenario::thresholds::{MetricClass, parse_expression};

/// A latency in microseconds: `850 µs`, `12.3 ms`, `1.25 s`.
pub fn latency_us(us: f64) -> String {
    if !us.is_finite() {
        return "n/a".into();
    }
    if us.abs() < 1_000.0 {
        format!("{us:.0} µs")
    } else if us.abs() < 1_000_000.0 {
        format!("{:.1} ms", us / 1_000.0)
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

/// A share 0..=1 as a percentage: `1.25 %`.
pub fn percent(share: f64) -> String {
    format!("{:.2} %", share * 100.0)
}

/// A rate per second: `12.5`.
pub fn rate(per_s: f64) -> String {
    format!("{per_s:.1}")
}

/// A threshold's observed value, in the unit its expression's metric is written in.
pub fn observed(expression: &str, value: Option<f64>) -> String {
    let Some(v) = value else {
        return "no data".into();
    };
    match parse_expression(expression).map(|e| e.metric.class()) {
        Ok(MetricClass::Latency) => latency_us(v),
        Ok(MetricClass::Share) => percent(v),
        Ok(MetricClass::Number) | Err(_) => format!("{v:.1}"),
    }
}

/// A scope's latency at p50, p95, p99 and max, or `-` each without samples.
pub fn latency_columns(s: &ScopeSummary) -> [String; 4] {
    match &s.latency {
        Some(l) => [l.p50_us, l.p95_us, l.p99_us, l.max_us].map(|v| latency_us(v as f64)),
        None => std::array::from_fn(|_| "-".into()),
    }
}

/// A flow's iteration duration (think time included) at p50, p95, p99 and max, or `-` each.
pub fn duration_columns(s: &ScopeSummary) -> [String; 4] {
    match &s.iteration_duration {
        Some(l) => [l.p50_us, l.p95_us, l.p99_us, l.max_us].map(|v| latency_us(v as f64)),
        None => std::array::from_fn(|_| "-".into()),
    }
}

/// The run's iterations and how they ended: `30 scheduled: 2 ok, 18 failed, 10 interrupted`.
pub fn iteration_totals(s: &Summary) -> String {
    let it = &s.iterations;
    format!(
        "{} scheduled: {} ok, {} failed, {} interrupted",
        it.scheduled,
        it.ok,
        it.failed.values().sum::<u64>(),
        it.interrupted
    )
}

/// Non-ok outcomes by kind, largest first (ties by name): `NotAuthorizedException 2,
/// throttled 1, timeout 2 (transport), no_user_left 1 (not sent), interrupted 1`. Empty when
/// everything was ok.
pub fn errors_by_kind(s: &ScopeSummary) -> String {
    let mut kinds: Vec<(String, u64)> = s
        .errors
        .iter()
        .map(|(k, n)| (k.clone(), *n))
        .chain(
            s.transport
                .iter()
                .map(|(k, n)| (format!("{k} (transport)"), *n)),
        )
        .chain(
            s.not_sent
                .iter()
                .map(|(k, n)| (format!("{k} (not sent)"), *n)),
        )
        .collect();
    if s.throttled > 0 {
        kinds.push(("throttled".into(), s.throttled));
    }
    if s.interrupted > 0 {
        kinds.push(("interrupted".into(), s.interrupted));
    }
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    kinds
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A category's usage against the quota in force (developer guide, "Quotas in Amazon Cognito";
/// counted by [`crate::quota::counted_usage`]), from the summary; `None` for a category the
/// summary does not count.
pub fn quota_usage(s: &Summary, category: QuotaCategory) -> Option<&QuotaUsage> {
    s.quotas.get(&category)
}

/// Where a quota came from, as a reader would say it.
pub fn quota_source(source: QuotaSource) -> &'static str {
    match source {
        QuotaSource::Default => "default",
        QuotaSource::Scenario => "scenario",
        QuotaSource::Flag => "--quota",
    }
}

/// One line per quota category for the terminal: the busiest second against the quota in force
/// and where that quota came from, e.g. `UserAuthentication: peak 45.0/s of 60.0/s (--quota),
/// 75.00 %`.
pub fn quota_lines(s: &Summary) -> Vec<String> {
    s.quotas
        .iter()
        .map(|(category, u)| {
            format!(
                "{category}: peak {}/s of {}/s ({}), {}{}",
                rate(u.peak_rps),
                rate(u.quota_rps),
                quota_source(u.quota_source),
                percent(u.peak_share),
                if u.peak_share > 1.0 {
                    " OVER QUOTA"
                } else {
                    ""
                }
            )
        })
        .collect()
}

/// One sentence on the challenge-response allowance, when the run sent challenge responses.
pub fn challenge_note(category: QuotaCategory, usage: &QuotaUsage) -> Option<String> {
    let c = usage.challenge.as_ref()?;
    Some(format!(
        "{category}: challenge responses peaked at {}/s against their own allowance of {}/s \
         (3x the quota); only the excess counts towards the category.",
        rate(c.peak_rps),
        rate(c.allowance_rps)
    ))
}

/// Escapes text for a Markdown table cell: Markdown punctuation is backslash-escaped, `<`, `>`
/// and `&` become entities (GitHub renders inline HTML), line breaks become spaces.
/// What stopped an aborted run, in two plain lines: the threshold with its value and time, and
/// the rates reached (each quota category's last full second, the scheduled arrival rate).
pub fn abort_lines(a: &super::Aborted) -> [String; 2] {
    let first = format!(
        "aborted at {:.1} s: threshold {} {} failed (observed {})",
        a.at_s,
        a.scope,
        a.expression,
        observed(&a.expression, a.observed)
    );
    let mut reached: Vec<String> = a
        .category_rps
        .iter()
        .map(|(category, rps)| format!("{category} {}", rate(*rps)))
        .collect();
    if let Some(arrival) = a.arrival_rate {
        reached.push(format!("scheduled arrival rate {}", rate(arrival)));
    }
    let second = if reached.is_empty() {
        "rates reached: none measured".to_string()
    } else {
        format!("rates reached (last full second): {}", reached.join(", "))
    };
    [first, second]
}

pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_pick_a_readable_unit() {
        assert_eq!(latency_us(850.0), "850 µs");
        assert_eq!(latency_us(12_345.0), "12.3 ms");
        assert_eq!(latency_us(1_250_000.0), "1.25 s");
        assert_eq!(latency_us(f64::NAN), "n/a");
    }

    #[test]
    fn observed_values_use_the_metric_unit() {
        assert_eq!(observed("p(99)<300ms", Some(250_000.0)), "250.0 ms");
        assert_eq!(observed("error_rate<1%", Some(0.005)), "0.50 %");
        assert_eq!(observed("rps>=100", Some(99.0)), "99.0");
        assert_eq!(observed("rps>=100", None), "no data");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<script>"), "&lt;script&gt;");
        assert_eq!(md("x\ny"), "x y");
        assert_eq!(md("sign_in"), "sign\\_in");
    }

    #[test]
    fn html_escapes_every_special_character() {
        assert_eq!(
            html(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
