//! `${NAME}` and `${NAME:-default}` interpolation of environment variables in scenario values,
//! and `${env.NAME}`: a variable given on the command line with `-e NAME=VALUE` (k6's `--env`),
//! else the process environment's `NAME`.
//!
//! Only the fields documented as interpolated go through here (target settings, passwords), so
//! a `$` elsewhere stays literal. `$$` writes a literal `$`. The lookup is injected, so tests pin
//! the environment and the loader never reads it behind the caller's back: it receives `NAME`
//! for `${NAME}` and `env.NAME` for `${env.NAME}`.

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
                return Err(match name.strip_prefix(CLI_PREFIX) {
                    Some(cli) => EnvError::MissingCli {
                        name: cli.to_string(),
                    },
                    None => EnvError::Missing {
                        name: name.to_string(),
                    },
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

fn is_variable_name(name: &str) -> bool {
    let name = name.strip_prefix(CLI_PREFIX).unwrap_or(name);
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
