//! Hostile input to the two loaders a user feeds by hand — scenarios and conformance cases:
//! mutated copies of the shipped files and arbitrary text never panic, and every error names
//! the file and a line inside it (or line 0 for whole-file problems) with a message.

use std::path::Path;

use cognito_harness::conformance::load_case_str;
use cognito_harness::scenario::{Diagnostic, parse_scenario};
use proptest::prelude::*;

const SCENARIOS: &[&str] = &[
    include_str!("../scenarios/quickstart.yaml"),
    include_str!("../scenarios/mixed.yaml"),
    include_str!("../scenarios/m2m-client-credentials.yaml"),
];

const CASES: &[&str] = &[
    include_str!("../conformance/srp/wrong-password.yaml"),
    include_str!("../conformance/tokens/id-token-claims.yaml"),
];

/// A mutation of `source`: bytes cut out, YAML punctuation or junk spliced in, or a truncation.
fn mutated(sources: &'static [&'static str]) -> impl Strategy<Value = String> {
    let junk = prop::sample::select(vec![
        ":", " ", "\n", "-", "{", "}", "[", "]", "\"", "'", "#", "&a", "*a", "!!int", "\t", "?",
        "${NOPE}", "${", "1e999", "-1", "0", "ms", "p(", "<", "%", "\u{0}", "é", "|", ">",
    ]);
    (
        prop::sample::select(sources.to_vec()),
        prop::collection::vec((any::<prop::sample::Index>(), 0usize..8, junk), 1..6),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(source, edits, cut, truncate)| {
            let mut text = source.to_owned();
            for (at, delete, insert) in edits {
                let mut i = at.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                let mut j = (i + delete).min(text.len());
                while !text.is_char_boundary(j) {
                    j += 1;
                }
                text.replace_range(i..j, insert);
            }
            if truncate {
                let mut i = cut.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                text.truncate(i);
            }
            text
        })
}

fn check_located(diagnostics: &[Diagnostic], file: &str, source: &str) {
    assert!(
        !diagnostics.is_empty(),
        "an error carries at least one diagnostic"
    );
    let lines = source.lines().count() as u64 + 1;
    for d in diagnostics {
        assert_eq!(d.file, file, "{d:?}");
        assert!(!d.message.trim().is_empty(), "{d:?}");
        assert!(
            d.line <= lines,
            "line {} of a {lines}-line file: {d:?}",
            d.line
        );
    }
}

fn scenario_env(name: &str) -> Option<String> {
    (name == "HARNESS_FUZZ_SET").then(|| "value".to_owned())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_load_or_fail_with_located_errors(text in mutated(SCENARIOS)) {
        let file = "fuzz/scenario.yaml";
        if let Err(diagnostics) = parse_scenario(&text, Path::new(file), &scenario_env) {
            check_located(&diagnostics.0, file, &text);
        }
    }

    #[test]
    fn arbitrary_text_as_a_scenario_fails_cleanly(text in "\\PC{0,200}") {
        let file = "fuzz/any.yaml";
        if let Err(diagnostics) = parse_scenario(&text, Path::new(file), &scenario_env) {
            check_located(&diagnostics.0, file, &text);
        }
    }

    #[test]
    fn mutated_cases_load_or_fail_with_located_errors(text in mutated(CASES)) {
        let file = "fuzz/case.yaml";
        if let Err(diagnostics) = load_case_str(&text, file, "fuzz") {
            check_located(&diagnostics, file, &text);
        }
    }

    #[test]
    fn arbitrary_text_as_a_case_fails_cleanly(text in "\\PC{0,200}") {
        let file = "fuzz/any-case.yaml";
        if let Err(diagnostics) = load_case_str(&text, file, "fuzz") {
            check_located(&diagnostics, file, &text);
        }
    }
}

#[test]
fn a_missing_env_value_is_a_located_error_before_any_traffic() {
    let text = "target:\n  endpoint: http://127.0.0.1:9229/\n  region: us-east-1\n  user_pool_id: us-east-1_X\n  client_id: \"${HARNESS_FUZZ_UNSET}\"\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [get_user]\n";
    let Err(diagnostics) = parse_scenario(text, Path::new("env.yaml"), &scenario_env) else {
        panic!("an unset variable is an error");
    };
    let d = diagnostics
        .0
        .iter()
        .find(|d| d.message.contains("HARNESS_FUZZ_UNSET"))
        .unwrap_or_else(|| panic!("names the variable: {diagnostics:?}"));
    assert_eq!(d.line, 5, "{d:?}");
}
