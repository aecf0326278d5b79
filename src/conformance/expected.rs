//! Expected-failure records (`conformance/expected/<target>.yaml`, documented for users in
//! `docs/expected-failures.md`): the cases a known target fails today, each with the reason,
//! so the compatibility matrix stays honest and CI notices when a target's behaviour changes in
//! either direction.
//!
//! ```yaml
//! target: moto 5.2.5
//! failures:
//!   srp.wrong-password-rejected: "SRP is not verified: tokens for a wrong password"
//! unstable:
//!   oauth2.refresh-api-token: "passes alone; failed under load once"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::report::{CaseOutcome, ConformanceReport};
use crate::yaml::Diagnostic;

/// One target's record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailures {
    /// The target and version the record was made against.
    pub target: String,
    /// Case id -> why the target fails it. `failures:` with nothing under it is an empty list.
    #[serde(default, deserialize_with = "empty_when_null")]
    pub failures: BTreeMap<String, String>,
    /// Case id -> why its outcome varies from run to run on one version of the target (it
    /// depends on timing): neither a failure nor a pass of it is drift. Kept by `--record`.
    #[serde(default, deserialize_with = "empty_when_null")]
    pub unstable: BTreeMap<String, String>,
}

fn empty_when_null<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    Ok(Option::<BTreeMap<String, String>>::deserialize(de)?.unwrap_or_default())
}

/// Parses a record; errors are located like case files.
pub fn parse_expected(source: &str, file: &str) -> Result<ExpectedFailures, Diagnostic> {
    crate::yaml::parse(source, crate::yaml::Options::DEFAULT).map_err(|e| e.diagnostic(file))
}

/// Reads a record file.
pub fn load_expected(path: &Path) -> Result<ExpectedFailures, String> {
    let source = crate::yaml::read_text(path, "the record").map_err(|d| d.to_string())?;
    parse_expected(&source, &path.display().to_string()).map_err(|d| d.to_string())
}

/// How a run differs from its record. Skipped cases count neither way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    /// Failed, but not in the record: a regression (or a new case to record).
    pub unexpected_failures: Vec<String>,
    /// In the record, but passed: the target was fixed; remove the entry.
    pub unexpected_passes: Vec<String>,
    /// In the record, but not a case of the suite.
    pub unknown_ids: Vec<String>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.unexpected_failures.is_empty()
            && self.unexpected_passes.is_empty()
            && self.unknown_ids.is_empty()
    }

    /// One line per difference.
    pub fn describe(&self) -> String {
        let mut lines = Vec::new();
        for id in &self.unexpected_failures {
            lines.push(format!(
                "unexpected failure: {id} (not in the expected-failure record)"
            ));
        }
        for id in &self.unexpected_passes {
            lines.push(format!(
                "unexpected pass: {id} (recorded as failing; remove it)"
            ));
        }
        for id in &self.unknown_ids {
            lines.push(format!("unknown case in the record: {id}"));
        }
        lines.join("\n")
    }
}

/// Compares a run (possibly of a subset of the suite) with a record. Record entries for cases
/// the run did not include are not drift unless `full_suite` is set.
pub fn compare_to_expected(
    report: &ConformanceReport,
    expected: &ExpectedFailures,
    full_suite: bool,
) -> Drift {
    let mut drift = Drift::default();
    for case in &report.cases {
        if expected.unstable.contains_key(&case.id) {
            continue;
        }
        let recorded = expected.failures.contains_key(&case.id);
        match (&case.outcome, recorded) {
            (CaseOutcome::Failed, false) => drift.unexpected_failures.push(case.id.clone()),
            (CaseOutcome::Passed, true) => drift.unexpected_passes.push(case.id.clone()),
            _ => {}
        }
    }
    if full_suite {
        for id in expected.failures.keys().chain(expected.unstable.keys()) {
            if !report.cases.iter().any(|c| &c.id == id) {
                drift.unknown_ids.push(id.clone());
            }
        }
    }
    drift
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unstable_case_is_drift_neither_way_but_must_exist() {
        let expected = parse_expected(
            "target: t\nfailures: {}\nunstable:\n  flip: timing\n  gone: timing\n",
            "t.yaml",
        )
        .unwrap();
        for outcome in [CaseOutcome::Failed, CaseOutcome::Passed] {
            let report = ConformanceReport::new(
                "t".into(),
                None,
                String::new(),
                0,
                vec![case("flip", outcome)],
            );
            let drift = compare_to_expected(&report, &expected, true);
            assert!(drift.unexpected_failures.is_empty() && drift.unexpected_passes.is_empty());
            assert_eq!(drift.unknown_ids, ["gone"]);
        }
    }
    use crate::conformance::case::Level;
    use crate::conformance::report::CaseResult;

    fn case(id: &str, outcome: CaseOutcome) -> CaseResult {
        CaseResult {
            id: id.into(),
            area: "a".into(),
            title: String::new(),
            reference: String::new(),
            level: Level::Must,
            outcome,
            mismatches: Vec::new(),
            duration_ms: 0,
        }
    }

    #[test]
    fn drift_is_reported_both_ways_and_skips_count_neither() {
        let report = ConformanceReport::new(
            "t".into(),
            None,
            String::new(),
            0,
            vec![
                case("fails-recorded", CaseOutcome::Failed),
                case("fails-new", CaseOutcome::Failed),
                case("passes-recorded", CaseOutcome::Passed),
                case(
                    "skipped-recorded",
                    CaseOutcome::Skipped {
                        reason: "needs oauth".into(),
                    },
                ),
            ],
        );
        let expected = parse_expected(
            "target: t 1\nfailures:\n  fails-recorded: r\n  passes-recorded: r\n  skipped-recorded: r\n  gone: r\n",
            "e.yaml",
        )
        .unwrap();
        let drift = compare_to_expected(&report, &expected, true);
        assert_eq!(drift.unexpected_failures, vec!["fails-new"]);
        assert_eq!(drift.unexpected_passes, vec!["passes-recorded"]);
        assert_eq!(drift.unknown_ids, vec!["gone"]);
        assert!(
            compare_to_expected(&report, &expected, false)
                .unknown_ids
                .is_empty()
        );
    }

    #[test]
    fn an_empty_record_is_read_whichever_way_it_is_written() {
        for text in [
            "target: t\nfailures:\n",
            "target: t\nfailures: {}\n",
            "target: t\n",
        ] {
            let e = parse_expected(text, "e.yaml").unwrap();
            assert!(e.failures.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn records_deny_unknown_keys_with_a_location() {
        let err = parse_expected("target: t\nfailure: {}\n", "e.yaml").unwrap_err();
        assert!(
            err.to_string().starts_with(
                "e.yaml:2:1: failure: unknown key `failure`; valid keys here: target, failures"
            ),
            "{err}"
        );
    }
}
