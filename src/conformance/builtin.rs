//! The suite built into the binary: every `conformance/<area>/*.yaml` case and every
//! `conformance/expected/*.yaml` record, embedded by `build.rs`, so `conform` needs no files on
//! disk. A directory given with `--suite` adds cases to it; a case there with the id of a
//! built-in case replaces that case.

use std::path::Path;

use super::load::{SuiteFile, load_files, load_suite};
use super::model::Case;
use crate::yaml::Diagnostic;

/// One embedded file: its folder under `conformance/`, its file name and its text.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinFile {
    pub area: &'static str,
    pub name: &'static str,
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/builtin_suite.rs"));

/// How messages name an embedded file: `<built-in>/<area>/<name>`.
pub fn builtin_path(file: &BuiltinFile) -> String {
    format!("<built-in>/{}/{}", file.area, file.name)
}

/// The built-in cases, sorted by area and file name.
pub fn builtin_cases() -> Result<Vec<Case>, Vec<Diagnostic>> {
    load_files(
        CASE_FILES
            .iter()
            .map(|f| SuiteFile {
                path: builtin_path(f),
                area: f.area.to_owned(),
                source: f.source.to_owned(),
            })
            .collect(),
    )
}

/// The built-in cases, with the cases of `extra` (a suite folder: `<area>/*.yaml`) added; a case
/// of `extra` with the id of a built-in case replaces it. Sorted by area, then as loaded.
pub fn load_cases(extra: Option<&Path>) -> Result<Vec<Case>, Vec<Diagnostic>> {
    let mut cases = builtin_cases()?;
    if let Some(dir) = extra {
        for case in load_suite(dir)? {
            match cases.iter_mut().find(|c| c.id == case.id) {
                Some(slot) => *slot = case,
                None => cases.push(case),
            }
        }
        cases.sort_by(|a, b| a.area.cmp(&b.area));
    }
    Ok(cases)
}

/// The names of the built-in expected-failure records (`moto` for `expected/moto.yaml`).
pub fn builtin_expected_names() -> Vec<&'static str> {
    EXPECTED_FILES.iter().map(|f| record_name(f.name)).collect()
}

/// The built-in expected-failure record called `name` (`moto`, or `moto.yaml`).
pub fn builtin_expected(name: &str) -> Option<&'static BuiltinFile> {
    EXPECTED_FILES
        .iter()
        .find(|f| f.name == name || record_name(f.name) == name)
}

fn record_name(file_name: &str) -> &str {
    file_name
        .strip_suffix(".yaml")
        .or_else(|| file_name.strip_suffix(".yml"))
        .unwrap_or(file_name)
}

/// The areas of `cases`, sorted, each once.
pub fn areas(cases: &[Case]) -> Vec<String> {
    let mut areas: Vec<String> = cases.iter().map(|c| c.area.clone()).collect();
    areas.sort();
    areas.dedup();
    areas
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The build script embeds exactly the files `load_suite` reads from the source tree.
    #[test]
    fn the_built_in_suite_is_the_source_trees_suite() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance");
        let on_disk = load_suite(&dir).unwrap_or_else(|e| panic!("{e:?}"));
        let built_in = builtin_cases().unwrap_or_else(|e| panic!("{e:?}"));
        let ids = |cases: &[Case]| cases.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&built_in), ids(&on_disk));
        assert!(
            built_in[0].file.starts_with("<built-in>/"),
            "{}",
            built_in[0].file
        );
        let records = std::fs::read_dir(dir.join("expected")).unwrap().count();
        assert_eq!(builtin_expected_names().len(), records);
        assert!(builtin_expected("moto").is_some());
        assert!(builtin_expected("moto.yaml").is_some());
        assert!(builtin_expected("nosuch").is_none());
    }
}
