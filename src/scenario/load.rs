//! File to model: read the YAML, deserialize it with locations, and hand it to validation.
//!
//! Syntax and shape errors come from serde-saphyr with their line and column; the key path comes
//! from `serde_path_to_error` (with [`super::doc::NamedMap`]'s trail filling in user-chosen
//! names). Everything is reported as `file:line:column: key: message; fix`.

use std::path::{Path, PathBuf};

use serde_saphyr::{Error as YamlError, MessageFormatter as _};

use super::diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Severity};
use super::doc::{self, ScenarioDoc};
use super::model::Scenario;
use super::validate;

/// A scenario that passed validation, and the warnings it raised.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates a scenario file, interpolating `${ENV}` from the process environment.
pub fn load_scenario(path: &Path) -> Result<Loaded, Diagnostics> {
    let source = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            key: String::new(),
            kind: DiagnosticKind::Io,
            severity: Severity::Error,
            message: format!("cannot read the scenario: {e}"),
            fix: None,
        }])
    })?;
    parse_scenario(&source, path, &|name| std::env::var(name).ok())
}

/// Validates scenario text. `path` names the file in messages and anchors relative paths (the
/// setup CSV); `env` answers `${NAME}` look-ups.
pub fn parse_scenario(
    source: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, Diagnostics> {
    let file = path.display().to_string();
    let doc = parse_document(source, &file).map_err(|d| Diagnostics(vec![d]))?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let context = validate::Context {
        file,
        path: path.to_path_buf(),
        dir,
        source,
        env,
    };
    validate::validate(doc, &context)
}

fn parse_document(source: &str, file: &str) -> Result<ScenarioDoc, Diagnostic> {
    doc::reset_key_trail();
    let mut path = None;
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
    };
    let result = serde_saphyr::with_deserializer_from_str_with_options(source, options, |de| {
        serde_path_to_error::deserialize::<_, ScenarioDoc>(de).map_err(|e| {
            path = Some(e.path().to_string());
            e.into_inner()
        })
    });
    let trail = doc::take_key_trail();
    result.map_err(|e| yaml_diagnostic(&e, path.as_deref(), trail, file))
}

/// `flows.?.load.rate.value` with trail `[sign_in]` -> `flows.sign_in.load.rate`.
fn clean_path(path: Option<&str>, trail: Vec<String>) -> String {
    let Some(path) = path else {
        return String::new();
    };
    if path == "." {
        return String::new();
    }
    let mut names = trail.into_iter();
    let mut out: Vec<String> = Vec::new();
    for segment in path.split('.') {
        // `Spanned<T>` shows up as a `value` segment (`steps.value[0]`): drop it.
        let segment = match segment.strip_prefix("value") {
            Some("") => continue,
            Some(index) if index.starts_with('[') => {
                match out.last_mut() {
                    Some(last) => last.push_str(index),
                    None => out.push(index.to_string()),
                }
                continue;
            }
            _ => segment,
        };
        out.push(match segment.strip_prefix('?') {
            Some(rest) => format!("{}{rest}", names.next().unwrap_or_else(|| "?".into())),
            None => segment.to_string(),
        });
    }
    out.join(".")
}

fn split_fix(message: &str) -> (String, Option<String>) {
    match message.split_once("; ") {
        Some((message, fix)) => (message.to_string(), Some(fix.to_string())),
        None => (message.to_string(), None),
    }
}

pub(crate) fn yaml_diagnostic(
    error: &YamlError,
    path: Option<&str>,
    trail: Vec<String>,
    file: &str,
) -> Diagnostic {
    let (line, column) = error.location().map_or((0, 0), |l| (l.line(), l.column()));
    let mut key = clean_path(path, trail);
    let inner = error.without_snippet();
    let (kind, message, fix) = match inner {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (
            DiagnosticKind::UnknownKey,
            format!("unknown key `{field}`"),
            Some(if expected.is_empty() {
                "this map takes no keys".to_string()
            } else {
                format!("valid keys here: {}", expected.join(", "))
            }),
        ),
        YamlError::SerdeMissingField { field, .. } => {
            key = if key.is_empty() {
                field.to_string()
            } else {
                format!("{key}.{field}")
            };
            (
                DiagnosticKind::MissingKey,
                "required key is missing".to_string(),
                Some(format!("add `{field}:`")),
            )
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            DiagnosticKind::InvalidValue,
            format!("unknown value `{variant}`"),
            Some(format!("use one of: {}", expected.join(", "))),
        ),
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => (
            DiagnosticKind::Syntax,
            format!("expected {expected}, found {unexpected}"),
            None,
        ),
        YamlError::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            DiagnosticKind::InvalidValue,
            format!("expected {expected}, found {unexpected}"),
            None,
        ),
        YamlError::Message { msg, .. } => {
            let (message, fix) = split_fix(msg);
            let kind = if message.starts_with("unknown step") {
                DiagnosticKind::UnknownKey
            } else if message.starts_with("unknown target") {
                DiagnosticKind::InvalidValue
            } else {
                DiagnosticKind::Syntax
            };
            (kind, message, fix)
        }
        other => {
            let text = serde_saphyr::DefaultMessageFormatter.format_message(other);
            // The text comes from the parser: keep it on one line.
            let text: String = text.chars().filter(|c| !c.is_control()).collect();
            let (message, fix) = split_fix(&text);
            (DiagnosticKind::Syntax, message, fix)
        }
    };
    Diagnostic {
        file: file.to_string(),
        line,
        column,
        key,
        kind,
        severity: Severity::Error,
        message,
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_and_names_filled_in() {
        assert_eq!(
            clean_path(Some("flows.?.load.rate.value"), vec!["sign_in".to_string()]),
            "flows.sign_in.load.rate"
        );
        assert_eq!(clean_path(Some("."), vec![]), "");
        assert_eq!(
            clean_path(Some("flows.?.steps.value[0]"), vec!["a".to_string()]),
            "flows.a.steps[0]"
        );
        assert_eq!(clean_path(Some("flows.?"), vec![]), "flows.?");
    }
}
