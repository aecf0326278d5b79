//! Text to typed document, with locations: the one place serde-saphyr and
//! `serde_path_to_error` are called.
//!
//! Syntax and shape errors come from serde-saphyr with their line and column; the key path comes
//! from `serde_path_to_error`. Spanned map keys show up as `?` in that path: a file kind whose
//! documents have user-chosen names (the scenario's flows and threshold scopes) passes a
//! [`KeyTrail`] that records them while reading, and the path is filled in from it. Everything is
//! reported as `file:line:column: key: message; fix` ([`YamlError::diagnostic`]).

use serde::de::DeserializeOwned;
use serde_saphyr::{Error as SaphyrError, MessageFormatter as _};

use super::diagnostic::{Diagnostic, DiagnosticKind, Severity};

/// Records the user-chosen names read so far, outermost first, for the `?` segments of a key
/// path: `reset` before reading, `take` after an error.
#[derive(Debug, Clone, Copy)]
pub struct KeyTrail {
    pub reset: fn(),
    pub take: fn() -> Vec<String>,
}

/// How a file kind is read.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Only `true`/`false` are booleans (no `yes`/`on`), and errors carry no source snippet.
    /// When false, serde-saphyr's defaults apply.
    pub strict: bool,
    /// Fills in user-chosen names in key paths; `None` leaves them as `?`.
    pub key_trail: Option<KeyTrail>,
}

impl Options {
    /// Strict booleans, no key trail: cases and the server config.
    pub const STRICT: Options = Options {
        strict: true,
        key_trail: None,
    };
    /// serde-saphyr's defaults, no key trail: expected-failure records.
    pub const DEFAULT: Options = Options {
        strict: false,
        key_trail: None,
    };
}

/// A document that could not be read: the parser's error, the key path where it happened and
/// the names of the trail.
#[derive(Debug)]
pub struct YamlError {
    error: SaphyrError,
    path: Option<String>,
    trail: Vec<String>,
}

/// Parses `source` as a `T`.
pub fn parse<T: DeserializeOwned>(source: &str, options: Options) -> Result<T, Box<YamlError>> {
    if let Some(trail) = options.key_trail {
        (trail.reset)();
    }
    let mut path = None;
    let saphyr_options = if options.strict {
        serde_saphyr::options! {
            strict_booleans: true,
            with_snippet: false,
        }
    } else {
        serde_saphyr::Options::default()
    };
    let result =
        serde_saphyr::with_deserializer_from_str_with_options(source, saphyr_options, |de| {
            serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
                path = Some(e.path().to_string());
                e.into_inner()
            })
        });
    let trail = options.key_trail.map(|t| (t.take)()).unwrap_or_default();
    result.map_err(|error| Box::new(YamlError { error, path, trail }))
}

/// Reads `path` as UTF-8 text, as every loader does. A file that cannot be read is an
/// [`DiagnosticKind::Io`] diagnostic (`cannot read {what}: …`); one that is not UTF-8 is located
/// at its first invalid byte (line and column, the column counted in characters), so the
/// message points at it rather than saying only that the stream was not UTF-8.
pub fn read_text(path: &std::path::Path, what: &str) -> Result<String, Diagnostic> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| io_diagnostic(&file, format!("cannot read {what}: {e}")))?;
    decode_text(file, bytes)
}

/// `bytes` of `file` as text, or the located diagnostic of [`read_text`].
pub fn decode_text(file: String, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = utf8_error_location(e.as_bytes(), e.utf8_error().valid_up_to());
        Diagnostic {
            file,
            line,
            column,
            key: String::new(),
            kind: DiagnosticKind::Syntax,
            severity: Severity::Error,
            message: "not UTF-8: this byte does not start a valid UTF-8 character".to_string(),
            fix: Some("save the file as UTF-8".to_string()),
        }
    })
}

/// 1-based line and column (in characters) of byte `at` of `bytes`, whose bytes before `at`
/// are valid UTF-8.
fn utf8_error_location(bytes: &[u8], at: usize) -> (u64, u64) {
    let before = &bytes[..at.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = std::str::from_utf8(&before[line_start..]).map_or(0, |s| s.chars().count()) + 1;
    (line as u64, column as u64)
}

/// A file that could not be read: `file: message`, with no location.
pub fn io_diagnostic(file: &str, message: String) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        line: 0,
        column: 0,
        key: String::new(),
        kind: DiagnosticKind::Io,
        severity: Severity::Error,
        message,
        fix: None,
    }
}

impl YamlError {
    /// 1-based line and column; (0, 0) when the parser gave none.
    pub fn location(&self) -> (u64, u64) {
        self.error
            .location()
            .map_or((0, 0), |l| (l.line(), l.column()))
    }

    /// The key path as `serde_path_to_error` wrote it (`.` for the root), unprocessed.
    pub fn raw_path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The key path, cleaned as in [`YamlError::diagnostic`] (empty for the root).
    pub fn key_path(&self) -> String {
        self.with_duplicate_key(clean_path(self.path.as_deref(), self.trail.clone()))
    }

    /// The message, on one line: ours for a duplicate key, otherwise the parser's own.
    pub fn parser_message(&self) -> String {
        if let Some(message) = self.duplicate_key_message() {
            return message;
        }
        let text =
            serde_saphyr::DefaultMessageFormatter.format_message(self.error.without_snippet());
        text.chars().filter(|c| !c.is_control()).collect()
    }

    /// A key given twice in one map, in our words (the parser's names an option of its own).
    fn duplicate_key_message(&self) -> Option<String> {
        let SaphyrError::DuplicateMappingKey { key, .. } = self.error.without_snippet() else {
            return None;
        };
        Some(match key {
            Some(key) => format!(
                "duplicate key `{key}`: this map already has it; keep one `{key}:` (YAML maps name each key once)"
            ),
            None => {
                "duplicate key: this map already has it; keep one (YAML maps name each key once)"
                    .to_string()
            }
        })
    }

    /// `path` with its last unnamed segment (`?`, the map key being read) named after the
    /// duplicate key, when that is the error.
    fn with_duplicate_key(&self, path: String) -> String {
        let SaphyrError::DuplicateMappingKey { key: Some(key), .. } = self.error.without_snippet()
        else {
            return path;
        };
        match path.strip_suffix('?') {
            Some(parent) if parent.is_empty() || parent.ends_with('.') => format!("{parent}{key}"),
            _ if path.is_empty() => key.clone(),
            _ => path,
        }
    }

    /// The error as a located diagnostic with a cleaned key path, a message and a fix.
    pub fn diagnostic(&self, file: &str) -> Diagnostic {
        let (line, column) = self.location();
        let mut key = self.key_path();
        let (kind, message, fix) = match self.error.without_snippet() {
            SaphyrError::SerdeUnknownField {
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
            SaphyrError::SerdeMissingField { field, .. } => {
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
            SaphyrError::SerdeUnknownVariant {
                variant, expected, ..
            } => (
                DiagnosticKind::InvalidValue,
                format!("unknown value `{variant}`"),
                Some(format!("use one of: {}", expected.join(", "))),
            ),
            SaphyrError::SerdeInvalidType {
                unexpected,
                expected,
                ..
            } => (
                DiagnosticKind::Syntax,
                format!("expected {expected}, found {unexpected}"),
                None,
            ),
            SaphyrError::SerdeInvalidValue {
                unexpected,
                expected,
                ..
            } => (
                DiagnosticKind::InvalidValue,
                format!("expected {expected}, found {unexpected}"),
                None,
            ),
            SaphyrError::Message { msg, .. } => {
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
            _ => {
                // The text comes from the parser: keep it on one line.
                let (message, fix) = split_fix(&self.parser_message());
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
