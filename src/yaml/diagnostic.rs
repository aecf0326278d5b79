//! Located findings about an input file (a scenario, a conformance case, an expected-failure
//! record, a server config): `file:line:column: key: message; fix`.

use std::fmt;

use serde::Serialize;

/// A machine-matchable kind, so tests and tools can assert the variant rather than the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// The file could not be read.
    Io,
    /// Not YAML, or YAML of the wrong shape for the key (a list where a map belongs).
    Syntax,
    /// A key the format does not have (or that this executor or step does not take).
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A value of the right type that is out of range or malformed.
    InvalidValue,
    /// `${NAME}` names an unset environment variable.
    MissingEnv,
    /// A name that refers to nothing: a capture, a threshold scope, a CSV file.
    UnknownReference,
    /// Two keys that cannot be used together.
    Conflict,
    /// The target cannot do what a step needs (no admin credentials, no OAuth domain, ...).
    Unsupported,
    /// The load may exceed what the executor can deliver (a warning).
    Capacity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based; 0 when unknown (the file could not be read).
    pub line: u64,
    /// 1-based, in characters.
    pub column: u64,
    /// The dotted key path, e.g. `flows.sign_in.load.rate`.
    pub key: String,
    pub kind: DiagnosticKind,
    pub severity: Severity,
    pub message: String,
    /// What to change, when there is a clear fix.
    pub fix: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        } else {
            write!(f, "{}: ", self.file)?;
        }
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, "; {fix}")?;
        }
        Ok(())
    }
}

/// Every error found in a file (validation reports them all, not just the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn kinds(&self) -> Vec<DiagnosticKind> {
        self.0.iter().map(|d| d.kind).collect()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
