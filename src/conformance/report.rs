//! A conformance run's results and their renderings: a terminal summary per area (failing
//! expectations as expected vs got), JSON, JUnit XML (one `<testcase>` per case, grouped in one
//! `<testsuite>` per area) and Markdown. Rendering is pure; `commands/conform.rs` writes the
//! files with the report writer.
//!
//! Values shown as "got" pass through [`super::matcher::redact`], so tokens, sessions and
//! secrets never reach a report.

use crate::protocol::redact::redact_urls_in;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::case::Level;

/// The version of the JSON document's shape.
pub const REPORT_VERSION: u32 = 1;

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    Passed,
    Failed,
    /// Not run: the target lacks a capability, or the case cannot apply today.
    Skipped {
        reason: String,
    },
}

impl CaseOutcome {
    pub fn label(&self) -> &'static str {
        match self {
            CaseOutcome::Passed => "pass",
            CaseOutcome::Failed => "FAIL",
            CaseOutcome::Skipped { .. } => "skip",
        }
    }
}

/// One unmet expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// `2: srp sign-in` (1-based step number and label).
    pub step: String,
    /// What was checked: `status`, `__type`, `message`, `body /X`, `header x-amzn-ErrorType`,
    /// `jwt /AuthenticationResult/IdToken`, `request`, ...
    pub what: String,
    pub expected: String,
    pub got: String,
}

/// One case's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub area: String,
    pub title: String,
    pub reference: String,
    pub level: Level,
    pub outcome: CaseOutcome,
    pub mismatches: Vec<Mismatch>,
    pub duration_ms: u64,
}

/// Totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub cases: usize,
    pub passed: usize,
    pub failed_must: usize,
    pub failed_should: usize,
    pub skipped: usize,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConformanceReport {
    pub version: u32,
    /// `embedded` or the endpoint URL.
    pub target: String,
    /// A label for the target (`moto 5.2.5`), when given.
    pub target_label: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    pub duration_ms: u64,
    pub totals: Totals,
    pub cases: Vec<CaseResult>,
}

impl ConformanceReport {
    pub fn new(
        target: String,
        target_label: Option<String>,
        started_at: String,
        duration_ms: u64,
        cases: Vec<CaseResult>,
    ) -> Self {
        let mut totals = Totals {
            cases: cases.len(),
            ..Totals::default()
        };
        for c in &cases {
            match (&c.outcome, c.level) {
                (CaseOutcome::Passed, _) => totals.passed += 1,
                (CaseOutcome::Failed, Level::Must) => totals.failed_must += 1,
                (CaseOutcome::Failed, Level::Should) => totals.failed_should += 1,
                (CaseOutcome::Skipped { .. }, _) => totals.skipped += 1,
            }
        }
        ConformanceReport {
            version: REPORT_VERSION,
            target: redact_urls_in(&target),
            target_label: target_label.as_deref().map(redact_urls_in),
            started_at,
            duration_ms,
            totals,
            cases,
        }
    }

    /// Whether a `must` case failed (exit code 11).
    pub fn must_failed(&self) -> bool {
        self.totals.failed_must > 0
    }

    fn by_area(&self) -> BTreeMap<&str, Vec<&CaseResult>> {
        let mut areas: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
        for c in &self.cases {
            areas.entry(c.area.as_str()).or_default().push(c);
        }
        areas
    }
}

/// The terminal summary: one line per area, then every failure with its expectations.
pub fn render_terminal(report: &ConformanceReport) -> String {
    let mut out = String::new();
    let name = report.target_label.as_deref().unwrap_or(&report.target);
    let _ = writeln!(out, "conformance against {name}");
    for (area, cases) in report.by_area() {
        let count = |f: &dyn Fn(&CaseResult) -> bool| cases.iter().filter(|c| f(c)).count();
        let _ = writeln!(
            out,
            "  {area:<18} {:>3} cases  {:>3} pass  {:>3} fail  {:>3} skip",
            cases.len(),
            count(&|c| c.outcome == CaseOutcome::Passed),
            count(&|c| c.outcome == CaseOutcome::Failed),
            count(&|c| matches!(c.outcome, CaseOutcome::Skipped { .. })),
        );
    }
    let failed: Vec<&CaseResult> = report
        .cases
        .iter()
        .filter(|c| c.outcome == CaseOutcome::Failed)
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nfailures:");
    }
    for c in failed {
        let _ = writeln!(out, "  FAIL [{}] {}: {}", c.level.as_str(), c.id, c.title);
        let _ = writeln!(out, "       ref: {}", c.reference);
        for m in &c.mismatches {
            let _ = writeln!(out, "       step {}: {}", m.step, m.what);
            let _ = writeln!(out, "         expected: {}", m.expected);
            let _ = writeln!(out, "         got:      {}", m.got);
        }
    }
    let t = &report.totals;
    let _ = writeln!(
        out,
        "\n{} cases: {} passed, {} failed (must {}, should {}), {} skipped in {:.1} s",
        t.cases,
        t.passed,
        t.failed_must + t.failed_should,
        t.failed_must,
        t.failed_should,
        t.skipped,
        report.duration_ms as f64 / 1000.0
    );
    out
}

/// The JSON document (pretty-printed, with a trailing newline).
pub fn render_json(report: &ConformanceReport) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(report).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Escapes text for XML attribute values and character data; drops characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn mismatch_text(c: &CaseResult) -> String {
    let mut text = String::new();
    for m in &c.mismatches {
        let _ = writeln!(
            text,
            "step {}: {}\n  expected: {}\n  got:      {}",
            m.step, m.what, m.expected, m.got
        );
    }
    let _ = writeln!(text, "ref: {}", c.reference);
    text
}

/// JUnit XML: `<testsuites>` with one `<testsuite>` per area and one `<testcase>` per case
/// (`classname` = `conformance.<area>`, `name` = the case id). A failed case has a
/// `<failure type="must|should">`, a skipped one `<skipped message="...">`.
pub fn render_junit(report: &ConformanceReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let t = &report.totals;
    let _ = writeln!(
        out,
        "<testsuites name=\"cognito-harness conform\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">",
        t.cases,
        t.failed_must + t.failed_should,
        t.skipped,
        report.duration_ms as f64 / 1000.0
    );
    for (area, cases) in report.by_area() {
        let failures = cases
            .iter()
            .filter(|c| c.outcome == CaseOutcome::Failed)
            .count();
        let skipped = cases
            .iter()
            .filter(|c| matches!(c.outcome, CaseOutcome::Skipped { .. }))
            .count();
        let time: u64 = cases.iter().map(|c| c.duration_ms).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{:.3}\">",
            xml_escape(area),
            cases.len(),
            time as f64 / 1000.0
        );
        for c in cases {
            let open = format!(
                "    <testcase classname=\"conformance.{}\" name=\"{}\" time=\"{:.3}\"",
                xml_escape(area),
                xml_escape(&c.id),
                c.duration_ms as f64 / 1000.0
            );
            match &c.outcome {
                CaseOutcome::Passed => {
                    let _ = writeln!(out, "{open}/>");
                }
                CaseOutcome::Skipped { reason } => {
                    let _ = writeln!(out, "{open}>");
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", xml_escape(reason));
                    let _ = writeln!(out, "    </testcase>");
                }
                CaseOutcome::Failed => {
                    let first = c
                        .mismatches
                        .first()
                        .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.got))
                        .unwrap_or_default();
                    let _ = writeln!(out, "{open}>");
                    let _ = writeln!(
                        out,
                        "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                        c.level.as_str(),
                        xml_escape(&format!("{}: {first}", c.title)),
                        xml_escape(&mismatch_text(c))
                    );
                    let _ = writeln!(out, "    </testcase>");
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown: totals, a table per area, then the failures with expected vs got.
pub fn render_markdown(report: &ConformanceReport) -> String {
    let mut out = String::new();
    let name = report.target_label.as_deref().unwrap_or(&report.target);
    let t = &report.totals;
    let _ = writeln!(out, "# Conformance: {}\n", md_cell(name));
    let _ = writeln!(
        out,
        "{} cases: {} passed, {} failed (must {}, should {}), {} skipped. Started {}.\n",
        t.cases,
        t.passed,
        t.failed_must + t.failed_should,
        t.failed_must,
        t.failed_should,
        t.skipped,
        report.started_at
    );
    for (area, cases) in report.by_area() {
        let _ = writeln!(out, "## {area}\n");
        let _ = writeln!(out, "| case | level | result | title |");
        let _ = writeln!(out, "| --- | --- | --- | --- |");
        for c in cases {
            let result = match &c.outcome {
                CaseOutcome::Skipped { reason } => format!("skip ({})", md_cell(reason)),
                other => other.label().to_owned(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                c.id,
                c.level.as_str(),
                result,
                md_cell(&c.title)
            );
        }
        out.push('\n');
    }
    let failed: Vec<&CaseResult> = report
        .cases
        .iter()
        .filter(|c| c.outcome == CaseOutcome::Failed)
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "## Failures\n");
        for c in failed {
            let _ = writeln!(out, "### `{}` ({})\n", c.id, c.level.as_str());
            let _ = writeln!(out, "{} — {}\n", md_cell(&c.title), md_cell(&c.reference));
            for m in &c.mismatches {
                let _ = writeln!(
                    out,
                    "- step {}, {}: expected {}, got {}",
                    md_cell(&m.step),
                    md_cell(&m.what),
                    md_cell(&m.expected),
                    md_cell(&m.got)
                );
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, area: &str, level: Level, outcome: CaseOutcome) -> CaseResult {
        let mismatches = if outcome == CaseOutcome::Failed {
            vec![Mismatch {
                step: "1: call InitiateAuth".into(),
                what: "__type".into(),
                expected: "NotAuthorizedException".into(),
                got: "<none> & \"x\"".into(),
            }]
        } else {
            Vec::new()
        };
        CaseResult {
            id: id.into(),
            area: area.into(),
            title: format!("title of {id}"),
            reference: "guide".into(),
            level,
            outcome,
            mismatches,
            duration_ms: 12,
        }
    }

    fn sample() -> ConformanceReport {
        ConformanceReport::new(
            "http://127.0.0.1:1/".into(),
            Some("peer 1.0".into()),
            "2026-01-01T00:00:00Z".into(),
            1500,
            vec![
                result("a.one", "srp", Level::Must, CaseOutcome::Passed),
                result("a.two", "srp", Level::Must, CaseOutcome::Failed),
                result("b.one", "wire", Level::Should, CaseOutcome::Failed),
                result(
                    "b.two",
                    "wire",
                    Level::Must,
                    CaseOutcome::Skipped {
                        reason: "needs oauth".into(),
                    },
                ),
            ],
        )
    }

    #[test]
    fn totals_count_must_and_should_failures_apart() {
        let r = sample();
        assert_eq!(
            r.totals,
            Totals {
                cases: 4,
                passed: 1,
                failed_must: 1,
                failed_should: 1,
                skipped: 1
            }
        );
        assert!(r.must_failed());
    }

    #[test]
    fn junit_has_one_testcase_per_case_in_one_suite_per_area() {
        let xml = render_junit(&sample());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
        assert!(xml.contains("tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\""));
        assert_eq!(xml.matches("<testsuite ").count(), 2);
        assert_eq!(xml.matches("<testcase ").count(), 4);
        assert!(xml.contains(
            "<testsuite name=\"srp\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"0.024\">"
        ));
        assert!(
            xml.contains("<testcase classname=\"conformance.srp\" name=\"a.one\" time=\"0.012\"/>")
        );
        assert!(xml.contains("<failure type=\"must\" message=\"title of a.two: __type: expected NotAuthorizedException, got &lt;none&gt; &amp; &quot;x&quot;\">"));
        assert!(xml.contains("<skipped message=\"needs oauth\"/>"));
        assert_eq!(
            xml.matches("<testcase").count(),
            xml.matches("</testcase>").count() + 1
        );
        assert!(xml.ends_with("</testsuites>\n"));
    }

    #[test]
    fn xml_escape_drops_forbidden_control_characters() {
        assert_eq!(xml_escape("a\u{1}b<"), "ab&lt;");
    }

    #[test]
    fn terminal_and_markdown_show_expected_vs_got() {
        let text = render_terminal(&sample());
        assert!(text.contains("FAIL [must] a.two: title of a.two"));
        assert!(text.contains("expected: NotAuthorizedException"));
        assert!(text.contains("4 cases: 1 passed, 2 failed (must 1, should 1), 1 skipped"));
        let md = render_markdown(&sample());
        assert!(md.contains("| `b.two` | must | skip (needs oauth) | title of b.two |"));
        assert!(md.contains("### `a.two` (must)"));
    }

    #[test]
    fn json_round_trips() {
        let r = sample();
        let back: ConformanceReport = serde_json::from_slice(&render_json(&r)).unwrap();
        assert_eq!(back, r);
    }
}
