//! What every check shares: the validation context, positions, and the [`Checker`] that
//! collects located errors and warnings and reads common values (interpolated text,
//! durations, rates, counts).

use std::path::PathBuf;
use std::time::Duration;

use serde_saphyr::Spanned;

use crate::scenario::duration::parse_duration;
use crate::scenario::env;
use crate::scenario::secret::Secret;
use crate::yaml::{Diagnostic, DiagnosticKind, Severity};

/// What validation needs besides the document.
pub(crate) struct Context<'a> {
    /// The file as named by the user, for messages.
    pub file: String,
    pub path: PathBuf,
    /// Relative paths (the setup CSV) are resolved against this directory.
    pub dir: PathBuf,
    pub source: &'a str,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Pos {
    pub(super) line: u64,
    pub(super) column: u64,
}

pub(super) fn pos<T>(s: &Spanned<T>) -> Pos {
    Pos {
        line: s.referenced.line(),
        column: s.referenced.column(),
    }
}

pub(super) struct Checker<'a> {
    pub(super) ctx: &'a Context<'a>,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) warnings: Vec<Diagnostic>,
}

impl Checker<'_> {
    pub(super) fn push(
        &mut self,
        severity: Severity,
        at: Pos,
        key: &str,
        kind: DiagnosticKind,
        message: impl Into<String>,
        fix: Option<String>,
    ) {
        let diagnostic = Diagnostic {
            file: self.ctx.file.clone(),
            line: at.line,
            column: at.column,
            key: key.to_string(),
            kind,
            severity,
            message: message.into(),
            fix,
        };
        match severity {
            Severity::Error => self.errors.push(diagnostic),
            Severity::Warning => self.warnings.push(diagnostic),
        }
    }

    pub(super) fn error(
        &mut self,
        at: Pos,
        key: &str,
        kind: DiagnosticKind,
        message: impl Into<String>,
        fix: impl Into<Option<String>>,
    ) {
        self.push(Severity::Error, at, key, kind, message, fix.into());
    }

    pub(super) fn warn(
        &mut self,
        at: Pos,
        key: &str,
        kind: DiagnosticKind,
        message: impl Into<String>,
        fix: impl Into<Option<String>>,
    ) {
        self.push(Severity::Warning, at, key, kind, message, fix.into());
    }

    /// `${ENV}`-interpolated text.
    pub(super) fn text(&mut self, s: &Spanned<String>, key: &str) -> Option<String> {
        let env = self.ctx.env;
        self.text_with(s, key, env)
    }

    fn text_with(
        &mut self,
        s: &Spanned<String>,
        key: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Option<String> {
        match env::interpolate(&s.value, lookup) {
            Ok(text) => Some(text),
            Err(e) => {
                let kind = match e {
                    env::EnvError::Missing { .. }
                    | env::EnvError::MissingCli { .. }
                    | env::EnvError::RowNotHere { .. } => DiagnosticKind::MissingEnv,
                    _ => DiagnosticKind::InvalidValue,
                };
                let (message, fix) = match e.to_string().split_once("; ") {
                    Some((m, f)) => (m.to_string(), Some(f.to_string())),
                    None => (e.to_string(), None),
                };
                self.error(pos(s), key, kind, message, fix);
                None
            }
        }
    }

    /// A secret that may read columns of the setup CSV with `${row.COLUMN}`: `columns` is the
    /// CSV's header, or why this field has no row. The references are kept for the engine.
    pub(super) fn secret_with_row(
        &mut self,
        s: &Spanned<String>,
        key: &str,
        columns: Result<&[String], &str>,
    ) -> Option<Secret> {
        let mut ok = true;
        for (offset, name) in env::row_references(&s.value) {
            let at = self.inside(s, offset);
            let (message, fix) = match columns {
                Err(why) => (format!("`${{row.{name}}}` has no row here: {why}"), None),
                Ok(columns) if columns.iter().any(|c| c == name) => continue,
                Ok(columns) => (
                    format!("`${{row.{name}}}` names no column of the setup CSV"),
                    Some(format!("its columns are: {}", columns.join(", "))),
                ),
            };
            self.error(at, key, DiagnosticKind::UnknownReference, message, fix);
            ok = false;
        }
        let env = self.ctx.env;
        let keep = |name: &str| match name.strip_prefix(env::ROW_PREFIX) {
            Some(column) => Some(format!("${{row.{column}}}")),
            None => env(name),
        };
        let text = self.text_with(s, key, &keep)?;
        ok.then(|| Secret::new(text))
    }

    pub(super) fn secret(&mut self, s: &Spanned<String>, key: &str) -> Option<Secret> {
        self.text(s, key).map(Secret::new)
    }

    pub(super) fn duration(&mut self, s: &Spanned<String>, key: &str) -> Option<Duration> {
        match parse_duration(&s.value) {
            Ok(d) => Some(d),
            Err(e) => {
                let text = e.to_string();
                let (message, fix) = match text.split_once("; ") {
                    Some((m, f)) => (m.to_string(), Some(f.to_string())),
                    None => (text, None),
                };
                self.error(pos(s), key, DiagnosticKind::InvalidValue, message, fix);
                None
            }
        }
    }

    /// A step's `think`: errors point at the part of the value that is wrong.
    pub(super) fn think(
        &mut self,
        s: &Spanned<String>,
        key: &str,
    ) -> Option<crate::scenario::think::Think> {
        match crate::scenario::think::parse_think(&s.value) {
            Ok(think) => Some(think),
            Err(e) => {
                let at = self.inside(s, e.offset);
                self.error(
                    at,
                    key,
                    DiagnosticKind::InvalidValue,
                    e.message,
                    Some(e.fix),
                );
                None
            }
        }
    }

    pub(super) fn positive_duration(&mut self, s: &Spanned<String>, key: &str) -> Option<Duration> {
        let d = self.duration(s, key)?;
        if d.is_zero() {
            self.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                "must be longer than 0s",
                Some("give a duration such as 30s or 5m".to_string()),
            );
            return None;
        }
        Some(d)
    }

    pub(super) fn positive_rate(&mut self, s: &Spanned<f64>, key: &str, fix: &str) -> Option<f64> {
        if s.value.is_finite() && s.value > 0.0 {
            Some(s.value)
        } else {
            self.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("must be > 0 (got {})", s.value),
                Some(fix.to_string()),
            );
            None
        }
    }

    pub(super) fn non_negative_rate(&mut self, s: &Spanned<f64>, key: &str) -> Option<f64> {
        if s.value.is_finite() && s.value >= 0.0 {
            Some(s.value)
        } else {
            self.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("must be >= 0 (got {})", s.value),
                None,
            );
            None
        }
    }

    pub(super) fn whole(
        &mut self,
        s: &Spanned<i64>,
        key: &str,
        min: i64,
        fix: &str,
    ) -> Option<u32> {
        match u32::try_from(s.value) {
            Ok(n) if s.value >= min => Some(n),
            _ => {
                let bound = if s.value > i64::from(u32::MAX) {
                    format!("must be at most {}", u32::MAX)
                } else {
                    format!("must be >= {min}")
                };
                self.error(
                    pos(s),
                    key,
                    DiagnosticKind::InvalidValue,
                    format!("{bound} (got {})", s.value),
                    Some(fix.to_string()),
                );
                None
            }
        }
    }

    /// The column of character `offset` inside a scalar, skipping an opening quote.
    pub(super) fn inside(&self, s: &Spanned<String>, offset: usize) -> Pos {
        let start = pos(s);
        let quoted = s
            .referenced
            .span()
            .byte_offset()
            .and_then(|b| usize::try_from(b).ok())
            .and_then(|b| self.ctx.source.get(b..))
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c == '"' || c == '\'');
        Pos {
            line: start.line,
            column: start.column + u64::from(quoted) + u64::try_from(offset).unwrap_or(0),
        }
    }
}

pub(super) fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The document start, for errors about the whole file.
pub(super) const TOP: Pos = Pos { line: 1, column: 1 };
