//! `${NAME}` and `${NAME:-default}` interpolation of environment variables in scenario values,
//! and `${env.NAME}`: a variable given on the command line with `-e NAME=VALUE` (k6's `--env`),
//! else the process environment's `NAME`.
//!
//! Only the fields documented as interpolated go through here (target settings, passwords), so
//! a `$` elsewhere stays literal. `$$` writes a literal `$`. The lookup is injected, so tests pin
//! the environment and the loader never reads it behind the caller's back: it receives `NAME`
//! for `${NAME}` and `env.NAME` for `${env.NAME}`.
//!
//! `${row.COLUMN}` is a column of the iteration's setup CSV row: it is not an environment
//! value, so fields that take it keep it through interpolation (their lookup answers
//! `row.COLUMN` with the reference itself) and the engine fills it per iteration with
//! [`fill_row`]; elsewhere it is an error.

/// Why interpolation failed. The loader adds the file location and the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error(
        "environment variable `{name}` is not set; export it, or write `${{{name}:-default}}` to give a default"
    )]
    Missing { name: String },
    #[error(
        "`${{env.{name}}}` is not defined; pass `-e {name}=VALUE` (or export {name}), or write `${{env.{name}:-default}}` to give a default"
    )]
    MissingCli { name: String },
    #[error(
        "`${{row.{name}}}` is not read here; only the `password` of `srp_sign_in`, `password_sign_in` and `admin_sign_in` takes a CSV column"
    )]
    RowNotHere { name: String },
    #[error("`${{` at byte {offset} is not closed; write `${{NAME}}`")]
    Unclosed { offset: usize },
    #[error(
        "`${{{name}}}` is not a variable name; use letters, digits and `_`, not starting with a digit"
    )]
    BadName { name: String },
}

/// Replaces every `${NAME}` / `${NAME:-default}` in `text` using `lookup`. An empty variable
/// counts as set (as in POSIX `${NAME-default}`), except that `:-` also replaces an empty value,
/// as the shell does.
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, EnvError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut consumed = 0;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            consumed += dollar + 2;
            rest = tail;
            continue;
        }
        let Some(body) = after.strip_prefix('{') else {
            out.push('$');
            consumed += dollar + 1;
            rest = after;
            continue;
        };
        let Some(close) = body.find('}') else {
            return Err(EnvError::Unclosed {
                offset: consumed + dollar,
            });
        };
        let inner = &body[..close];
        let (name, default) = match inner.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (inner, None),
        };
        if !is_variable_name(name) {
            return Err(EnvError::BadName {
                name: inner.to_string(),
            });
        }
        match (lookup(name), default) {
            (Some(value), Some(default)) if value.is_empty() => out.push_str(default),
            (Some(value), _) => out.push_str(&value),
            (None, Some(default)) => out.push_str(default),
            (None, None) => {
                return Err(if let Some(cli) = name.strip_prefix(CLI_PREFIX) {
                    EnvError::MissingCli {
                        name: cli.to_string(),
                    }
                } else if let Some(column) = name.strip_prefix(ROW_PREFIX) {
                    EnvError::RowNotHere {
                        name: column.to_string(),
                    }
                } else {
                    EnvError::Missing {
                        name: name.to_string(),
                    }
                });
            }
        }
        let used = dollar + 2 + close + 1;
        consumed += used;
        rest = &rest[used..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The prefix of a reference to a `-e NAME=VALUE` variable: `${env.NAME}`.
pub const CLI_PREFIX: &str = "env.";

/// The prefix of a reference to a column of the setup CSV: `${row.COLUMN}`.
pub const ROW_PREFIX: &str = "row.";

/// The `${row.COLUMN}` references in `text`: the byte offset of each `$` and the column name.
/// `$$` is skipped, as [`interpolate`] writes it as `$`.
pub fn row_references(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = text[i..].find('$') {
        let at = i + found;
        let rest = &text[at + 1..];
        if rest.starts_with('$') {
            i = at + 2;
            continue;
        }
        if let Some(body) = rest.strip_prefix("{row.")
            && let Some(close) = body.find('}')
        {
            out.push((at, &body[..close]));
        }
        i = at + 1;
    }
    out
}

/// Replaces every `${row.COLUMN}` in `text` (already interpolated) with the row's value;
/// `value` answers a column name. Validation has checked every column exists; one that does
/// not is left as written.
pub fn fill_row<'a>(text: &str, value: &dyn Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${row.") {
        out.push_str(&rest[..start]);
        let body = &rest[start + 6..];
        match body.find('}') {
            Some(close) => {
                match value(&body[..close]) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 6 + close + 1]),
                }
                rest = &body[close + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_variable_name(name: &str) -> bool {
    let name = name
        .strip_prefix(CLI_PREFIX)
        .or_else(|| name.strip_prefix(ROW_PREFIX))
        .unwrap_or(name);
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "POOL" => Some("eu-west-1_abc".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn replaces_variables_and_defaults() {
        assert_eq!(interpolate("${POOL}", &env).unwrap(), "eu-west-1_abc");
        assert_eq!(
            interpolate("id=${POOL}!", &env).unwrap(),
            "id=eu-west-1_abc!"
        );
        assert_eq!(interpolate("${NOPE:-x}", &env).unwrap(), "x");
        assert_eq!(interpolate("${EMPTY:-x}", &env).unwrap(), "x");
        assert_eq!(interpolate("${EMPTY}", &env).unwrap(), "");
        assert_eq!(interpolate("${NOPE:-}", &env).unwrap(), "");
        assert_eq!(interpolate("a$$b $x", &env).unwrap(), "a$b $x");
    }

    #[test]
    fn missing_variable_is_named() {
        let err = interpolate("${CLIENT_SECRET}", &env).unwrap_err();
        assert_eq!(
            err,
            EnvError::Missing {
                name: "CLIENT_SECRET".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "environment variable `CLIENT_SECRET` is not set; export it, or write `${CLIENT_SECRET:-default}` to give a default"
        );
    }

    #[test]
    fn cli_variables_are_looked_up_with_their_prefix_and_named_when_missing() {
        let lookup = |name: &str| (name == "env.POOL").then(|| "from-cli".to_string());
        assert_eq!(interpolate("${env.POOL}", &lookup).unwrap(), "from-cli");
        assert_eq!(interpolate("${env.NOPE:-d}", &lookup).unwrap(), "d");
        let err = interpolate("x ${env.STAGE}", &lookup).unwrap_err();
        assert_eq!(
            err,
            EnvError::MissingCli {
                name: "STAGE".into()
            }
        );
        assert!(err.to_string().contains("pass `-e STAGE=VALUE`"), "{err}");
        assert!(matches!(
            interpolate("${env.}", &lookup),
            Err(EnvError::BadName { .. })
        ));
    }

    #[test]
    fn row_references_are_kept_where_allowed_and_filled_per_row() {
        let keep = |name: &str| {
            name.strip_prefix(ROW_PREFIX)
                .map(|c| format!("${{row.{c}}}"))
        };
        let kept = interpolate("${row.pin}-$${row.no}", &keep).unwrap();
        assert_eq!(kept, "${row.pin}-${row.no}");
        assert_eq!(row_references("${row.pin}-$${row.no}"), [(0, "pin")]);
        let row = |c: &str| (c == "pin").then_some("1234");
        assert_eq!(fill_row("${row.pin}!${row.x}", &row), "1234!${row.x}");
        assert_eq!(
            interpolate("${row.pin}", &env),
            Err(EnvError::RowNotHere { name: "pin".into() })
        );
    }

    #[test]
    fn malformed_references_are_errors() {
        assert_eq!(
            interpolate("x${POOL", &env),
            Err(EnvError::Unclosed { offset: 1 })
        );
        assert!(matches!(
            interpolate("${1X}", &env),
            Err(EnvError::BadName { .. })
        ));
        assert!(matches!(
            interpolate("${}", &env),
            Err(EnvError::BadName { .. })
        ));
    }
}
