//! Template expansion for case files: `{name}` is replaced by a value of the run, `{{` and `}}`
//! are literal braces.
//!
//! Names (checked when the case loads, resolved when it runs):
//! - `user`, `user2`: user names unique to the case and the run; `email`, `email2`: the
//!   matching `@example.com` addresses; `password`, `password2`: passwords that satisfy the
//!   pools' policy (fresh per case);
//! - `pool_id`, `client_id`, `client_secret`: the case's pool and client; `clients.NAME.id`,
//!   `clients.NAME.secret`: another client of the same pool;
//! - `region`, `endpoint` (the API endpoint, with its trailing `/`), `issuer` (the expected
//!   `iss` of the case's pool);
//! - `captures.NAME`: a value captured by an earlier step;
//! - `secret_hash:NAME`: SECRET_HASH of the value of NAME for the case's client (developer
//!   guide, "Computing SecretHash values"), e.g. `{secret_hash:user}`.

use serde_json::Value;

/// A templated string as written in a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(pub String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unclosed `{{` at byte {at}; write `{{{{` for a literal brace")]
    Unclosed { at: usize },
    #[error("stray `}}` at byte {at}; write `}}}}` for a literal brace")]
    Stray { at: usize },
    #[error(
        "unknown template name `{name}`; known: user, user2, email, email2, password, password2, \
         pool_id, client_id, client_secret, clients.NAME.id, clients.NAME.secret, region, \
         endpoint, issuer, captures.NAME, secret_hash:NAME"
    )]
    UnknownName { name: String },
    /// A known name without a value in this run (a capture no earlier step made, a client
    /// without a secret).
    #[error("template name `{name}` has no value here")]
    Unresolved { name: String },
}

#[derive(Debug, PartialEq, Eq)]
enum Part<'a> {
    Literal(String),
    Name(&'a str),
}

fn parse(text: &str) -> Result<Vec<Part<'_>>, TemplateError> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                literal.push('{');
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                literal.push('}');
                i += 2;
            }
            b'{' => {
                let end = text[i + 1..]
                    .find('}')
                    .ok_or(TemplateError::Unclosed { at: i })?;
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Name(&text[i + 1..i + 1 + end]));
                i += end + 2;
            }
            b'}' => return Err(TemplateError::Stray { at: i }),
            _ => {
                // Copy one whole UTF-8 character.
                let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
                literal.push(ch);
                i += ch.len_utf8().max(1);
            }
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Literal(literal));
    }
    Ok(parts)
}

const SIMPLE_NAMES: [&str; 13] = [
    "user",
    "user2",
    "email",
    "email2",
    "password",
    "password2",
    "pool_id",
    "client_id",
    "client_secret",
    "region",
    "endpoint",
    "issuer",
    "run",
];

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether `name` is a name a template may use.
pub fn is_known_name(name: &str) -> bool {
    if SIMPLE_NAMES.contains(&name) {
        return true;
    }
    if let Some(rest) = name.strip_prefix("captures.") {
        return is_ident(rest);
    }
    if let Some(rest) = name.strip_prefix("clients.") {
        return match rest.rsplit_once('.') {
            Some((client, "id" | "secret")) => super::names::ClientName::parse(client).is_some(),
            _ => false,
        };
    }
    if let Some(rest) = name.strip_prefix("secret_hash:") {
        return !rest.starts_with("secret_hash:") && is_known_name(rest);
    }
    false
}

/// Checks the syntax and every name of a template.
pub fn check_template(text: &str) -> Result<(), TemplateError> {
    for part in parse(text)? {
        if let Part::Name(name) = part
            && !is_known_name(name)
        {
            return Err(TemplateError::UnknownName {
                name: name.to_owned(),
            });
        }
    }
    Ok(())
}

/// Values of the names for one case.
pub trait Vars {
    /// The value of a simple name, `captures.X` or `clients.X.id|secret`.
    fn lookup(&self, name: &str) -> Option<String>;
    /// SECRET_HASH of `username` for the case's client, if it has a secret.
    fn secret_hash(&self, username: &str) -> Option<String>;
}

fn resolve(name: &str, vars: &dyn Vars) -> Result<String, TemplateError> {
    let unresolved = || TemplateError::Unresolved {
        name: name.to_owned(),
    };
    if !is_known_name(name) {
        return Err(TemplateError::UnknownName {
            name: name.to_owned(),
        });
    }
    if let Some(inner) = name.strip_prefix("secret_hash:") {
        let username = resolve(inner, vars)?;
        return vars.secret_hash(&username).ok_or_else(unresolved);
    }
    vars.lookup(name).ok_or_else(unresolved)
}

/// Expands a template.
pub fn expand(text: &str, vars: &dyn Vars) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    for part in parse(text)? {
        match part {
            Part::Literal(s) => out.push_str(&s),
            Part::Name(name) => out.push_str(&resolve(name, vars)?),
        }
    }
    Ok(out)
}

/// Expands every string (not the keys) in a JSON value.
pub fn expand_value(value: &Value, vars: &dyn Vars) -> Result<Value, TemplateError> {
    Ok(match value {
        Value::String(s) => Value::String(expand(s, vars)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| expand_value(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), expand_value(v, vars)?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        other => other.clone(),
    })
}

/// `text` for a person to read: each `{name}` becomes its meaning in words between angle
/// brackets (`{pool_id}` → `<pool id>`, `{captures.sub}` → `<captured sub>`), so a step label
/// in a report never reads as a template left unfilled. Text that does not parse is returned
/// as written.
pub fn describe(text: &str) -> String {
    let Ok(parts) = parse(text) else {
        return text.to_owned();
    };
    parts
        .into_iter()
        .map(|part| match part {
            Part::Literal(l) => l,
            Part::Name(name) => format!("<{}>", name_in_words(name)),
        })
        .collect()
}

fn name_in_words(name: &str) -> String {
    if let Some(c) = name.strip_prefix("captures.") {
        return format!("captured {c}");
    }
    if let Some(of) = name.strip_prefix("secret_hash:") {
        return format!("SECRET_HASH of {}", name_in_words(of));
    }
    if let Some(rest) = name.strip_prefix("clients.")
        && let Some((client, field)) = rest.rsplit_once('.')
    {
        return format!("{client} client {field}");
    }
    name.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    struct Fixed(BTreeMap<&'static str, &'static str>);

    impl Vars for Fixed {
        fn lookup(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|s| (*s).to_owned())
        }
        fn secret_hash(&self, username: &str) -> Option<String> {
            Some(crate::protocol::secret_hash("secret", username, "client").into_inner())
        }
    }

    fn vars() -> Fixed {
        Fixed(BTreeMap::from([
            ("user", "alice"),
            ("pool_id", "us-east-1_Ab"),
            ("captures.sub", "1234"),
        ]))
    }

    #[test]
    fn names_are_replaced_and_double_braces_are_literal() {
        assert_eq!(
            expand("{user}@{pool_id}/{captures.sub}", &vars()).unwrap(),
            "alice@us-east-1_Ab/1234"
        );
        assert_eq!(expand("{{\"a\": 1}}", &vars()).unwrap(), "{\"a\": 1}");
        assert_eq!(expand("héllo {user}", &vars()).unwrap(), "héllo alice");
        assert_eq!(expand("", &vars()).unwrap(), "");
    }

    #[test]
    fn secret_hash_is_computed_over_the_named_value() {
        let expected = crate::protocol::secret_hash("secret", "alice", "client").into_inner();
        assert_eq!(expand("{secret_hash:user}", &vars()).unwrap(), expected);
    }

    #[test]
    fn unknown_unresolved_and_malformed_templates_are_errors() {
        assert_eq!(
            check_template("{usr}"),
            Err(TemplateError::UnknownName { name: "usr".into() })
        );
        assert_eq!(
            check_template("a {user"),
            Err(TemplateError::Unclosed { at: 2 })
        );
        assert_eq!(check_template("a } b"), Err(TemplateError::Stray { at: 2 }));
        assert!(check_template("{clients.secret.id}{clients.oauth.secret}").is_ok());
        assert!(check_template("{clients.nope.id}").is_err());
        assert!(check_template("{secret_hash:captures.sub}").is_ok());
        assert_eq!(
            expand("{captures.missing}", &vars()),
            Err(TemplateError::Unresolved {
                name: "captures.missing".into()
            })
        );
    }

    #[test]
    fn values_are_expanded_recursively_and_keys_are_kept() {
        let v = serde_json::json!({"Username": "{user}", "n": 3, "l": ["{pool_id}"]});
        assert_eq!(
            expand_value(&v, &vars()).unwrap(),
            serde_json::json!({"Username": "alice", "n": 3, "l": ["us-east-1_Ab"]})
        );
    }

    #[test]
    fn described_templates_name_their_values_in_words() {
        assert_eq!(
            describe("get {pool_id}/.well-known/openid-configuration"),
            "get <pool id>/.well-known/openid-configuration"
        );
        assert_eq!(
            describe("{captures.sub} {secret_hash:user} {clients.public.id} {{x}}"),
            "<captured sub> <SECRET_HASH of user> <public client id> {x}"
        );
        assert_eq!(describe("unclosed {pool_id"), "unclosed {pool_id");
    }
}
