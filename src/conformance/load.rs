//! Case files and suites to checked cases: each file is read by the crate's one YAML loader
//! (`crate::yaml`) and checked by [`super::validate`].

use std::path::Path;

use super::doc::CaseDoc;
use super::model::Case;
use super::validate::{check_case, diag};
use crate::yaml::{self, Diagnostic};

/// Parses and checks one case. `file` names it in messages; `area` is its folder.
pub fn load_case_str(source: &str, file: &str, area: &str) -> Result<Case, Vec<Diagnostic>> {
    let doc = yaml::parse::<CaseDoc>(source, yaml::Options::STRICT)
        .map_err(|e| vec![e.diagnostic(file)])?;
    check_case(doc, file, area)
}

/// One case file's text: how messages name it, its area (folder) and its contents.
#[derive(Debug, Clone)]
pub struct SuiteFile {
    pub path: String,
    pub area: String,
    pub source: String,
}

/// Loads every `<dir>/<area>/*.yaml` case, sorted by area and file name. Reports every bad file
/// and every duplicate id.
pub fn load_suite(dir: &Path) -> Result<Vec<Case>, Vec<Diagnostic>> {
    let (files, mut errors) = read_suite_dir(dir);
    match load_files(files) {
        Ok(cases) if errors.is_empty() => Ok(cases),
        Ok(_) => Err(errors),
        Err(mut more) => {
            errors.append(&mut more);
            Err(errors)
        }
    }
}

/// Parses and checks `files` in order. Reports every bad file and every duplicate id.
pub fn load_files(files: Vec<SuiteFile>) -> Result<Vec<Case>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut cases: Vec<Case> = Vec::new();
    for file in files {
        match load_case_str(&file.source, &file.path, &file.area) {
            Ok(case) => {
                if let Some(first) = cases.iter().find(|c| c.id == case.id) {
                    errors.push(diag(
                        &case.file,
                        case.line,
                        1,
                        "id",
                        format!("duplicate case id `{}` (also in {})", case.id, first.file),
                    ));
                } else {
                    cases.push(case);
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

/// The `<dir>/<area>/*.yaml` files (not `expected/`), sorted by area and file name, and the
/// files or folders that could not be read.
fn read_suite_dir(dir: &Path) -> (Vec<SuiteFile>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let io_error = |path: &Path, e: std::io::Error| {
        yaml::io_diagnostic(&path.display().to_string(), format!("cannot read: {e}"))
    };
    let mut areas: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "expected"))
            .collect(),
        Err(e) => return (out, vec![io_error(dir, e)]),
    };
    areas.sort();
    for area_dir in areas {
        let area = area_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut files: Vec<_> = match std::fs::read_dir(&area_dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect(),
            Err(e) => {
                errors.push(io_error(&area_dir, e));
                continue;
            }
        };
        files.sort();
        for path in files {
            match yaml::read_text(&path, "the case") {
                Ok(source) => out.push(SuiteFile {
                    path: path.display().to_string(),
                    area: area.clone(),
                    source,
                }),
                Err(d) => errors.push(d),
            }
        }
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::names::Capability;

    fn load(text: &str) -> Result<Case, Vec<String>> {
        load_case_str(text, "c.yaml", "wire")
            .map_err(|e| e.into_iter().map(|d| d.to_string()).collect())
    }

    const MINIMAL: &str = "id: wire.x\ntitle: t\nref: r\nlevel: must\nsteps:\n  - call: SignUp\n    body: { ClientId: \"{client_id}\" }\n    expect: { status: [400, 403], type: X }\n";

    #[test]
    fn a_minimal_case_loads_with_implied_capabilities() {
        let case = load(MINIMAL).unwrap();
        assert_eq!(case.id, "wire.x");
        assert_eq!(case.area, "wire");
        assert_eq!(case.steps.len(), 1);
        assert_eq!(case.steps[0].expect.status, Some(vec![400, 403]));
        assert!(case.steps[0].expect.expects_error());
        let srp = "id: s\ntitle: t\nref: r\nlevel: should\nclient: secret\nsteps:\n  - srp: {}\n";
        let case = load(srp).unwrap();
        assert!(case.needs.contains(&Capability::Srp));
        assert!(case.needs.contains(&Capability::SecretClient));
    }

    #[test]
    fn unknown_keys_are_located() {
        let text = MINIMAL.replace("level: must\n", "level: must\ncolour: red\n");
        let errors = load(&text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(
                "c.yaml:5:1: colour: unknown key `colour`; valid keys here: id, title, ref,"
            ),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn unknown_enum_values_are_located() {
        let text = MINIMAL.replace("level: must", "level: may");
        let errors = load(&text).unwrap_err();
        assert!(
            errors[0].starts_with("c.yaml:4:8: level: unknown value `may`"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_step_with_two_kinds_is_located_at_the_step() {
        let text = "id: a\ntitle: t\nref: r\nlevel: must\nsteps:\n  - call: SignUp\n    get: /x\n";
        let errors = load(text).unwrap_err();
        assert_eq!(
            errors,
            vec![
                "c.yaml:6:5: steps[0]: a step has exactly one of `call`, `user`, `srp`, `oauth`, \
                 `get`, `code`, `login`, `totp`"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn unknown_template_names_and_bad_matchers_are_reported() {
        let text = "id: a\ntitle: t\nref: r\nlevel: must\nsteps:\n  - call: SignUp\n    body: { Username: \"{usr}\" }\n    expect:\n      body: { \"/A\": { lenght: 3 } }\n";
        let errors = load(text).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(
            errors[0],
            "c.yaml:9:7: steps[0].expect.body./A: unknown matcher `lenght`"
        );
        assert!(
            errors[1]
                .starts_with("c.yaml:7:11: steps[0].body.Username: unknown template name `usr`"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn bad_status_and_missing_keys_are_reported() {
        let text = MINIMAL.replace("[400, 403]", "[40]");
        let errors = load(&text).unwrap_err();
        assert!(
            errors[0].contains("steps[0].expect.status: expected an HTTP status"),
            "{errors:?}"
        );
        let errors = load("id: a\ntitle: t\nlevel: must\nsteps: []\n").unwrap_err();
        assert!(
            errors[0].contains("ref: required key is missing"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_client_outside_the_pool_is_refused() {
        let text = MINIMAL.replace("level: must\n", "level: must\npool: email\nclient: oauth\n");
        let errors = load(&text).unwrap_err();
        assert!(
            errors[0].contains("the email pool has no `oauth` client"),
            "{errors:?}"
        );
    }
}
