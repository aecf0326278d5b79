//! Matching answers against expectations: a small JSON-pointer resolver and value matchers.
//! Pure functions, so every rule is unit-tested without a server.
//!
//! A matcher as written in a case is either a plain value (equality; numbers compare by
//! value, so `3600` equals `3600.0`) or a one-key map naming an operator:
//! `{present: true}`, `{absent: true}`, `{not: V}`, `{one_of: [..]}`, `{contains: "s"}`,
//! `{prefix: "s"}`, `{suffix: "s"}`, `{type: string|number|bool|object|array|null}`,
//! `{uuid: true}`, `{min_len: N}`, `{max_len: N}`, `{eq: V}` (equality with a map value).
//!
//! Pointers are RFC 6901 (`/AuthenticationResult/TokenType`, `~1` for `/`, `~0` for `~`),
//! extended with one selector for the attribute lists of the API: `[Name=sub]` picks the
//! element of an array whose `Name` is `sub` (`/UserAttributes/[Name=email]/Value`).

use serde_json::Value;

/// A checked matcher.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    Equals(Value),
    NotEquals(Value),
    OneOf(Vec<Value>),
    Present,
    Absent,
    Contains(String),
    Prefix(String),
    Suffix(String),
    Type(&'static str),
    Uuid,
    MinLen(usize),
    MaxLen(usize),
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Reads a matcher as written (see the module documentation).
pub fn parse_matcher(value: Value) -> Result<Matcher, String> {
    let Value::Object(map) = value else {
        return Ok(Matcher::Equals(value));
    };
    if map.len() != 1 {
        return Err(
            "a map here is an operator with one key (present, absent, not, one_of, contains, \
             prefix, suffix, type, uuid, min_len, max_len, eq)"
                .to_owned(),
        );
    }
    let (op, arg) = map.into_iter().next().expect("one entry");
    let text = |arg: Value| match arg {
        Value::String(s) => Ok(s),
        other => Err(format!(
            "`{op}` takes a string, found {}",
            type_name(&other)
        )),
    };
    let len = |arg: &Value| {
        arg.as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| format!("`{op}` takes a non-negative integer"))
    };
    let flag = |arg: &Value| match arg {
        Value::Bool(true) => Ok(()),
        _ => Err(format!("`{op}` takes `true`")),
    };
    Ok(match op.as_str() {
        "present" => match arg {
            Value::Bool(true) => Matcher::Present,
            Value::Bool(false) => Matcher::Absent,
            _ => return Err("`present` takes true or false".to_owned()),
        },
        "absent" => {
            flag(&arg)?;
            Matcher::Absent
        }
        "eq" => Matcher::Equals(arg),
        "not" => Matcher::NotEquals(arg),
        "one_of" => match arg {
            Value::Array(items) if !items.is_empty() => Matcher::OneOf(items),
            _ => return Err("`one_of` takes a non-empty list".to_owned()),
        },
        "contains" => Matcher::Contains(text(arg)?),
        "prefix" => Matcher::Prefix(text(arg)?),
        "suffix" => Matcher::Suffix(text(arg)?),
        "type" => {
            let t = text(arg)?;
            Matcher::Type(
                ["null", "bool", "number", "string", "array", "object"]
                    .into_iter()
                    .find(|n| *n == t)
                    .ok_or_else(|| {
                        format!("unknown type `{t}`; use string, number, bool, object, array, null")
                    })?,
            )
        }
        "uuid" => {
            flag(&arg)?;
            Matcher::Uuid
        }
        "min_len" => Matcher::MinLen(len(&arg)?),
        "max_len" => Matcher::MaxLen(len(&arg)?),
        other => return Err(format!("unknown matcher `{other}`")),
    })
}

impl Matcher {
    /// Applies `f` to every string inside the matcher's values (template expansion).
    pub fn map_strings<E>(&self, f: &dyn Fn(&Value) -> Result<Value, E>) -> Result<Matcher, E> {
        let s = |text: &str| -> Result<String, E> {
            Ok(match f(&Value::String(text.to_owned()))? {
                Value::String(s) => s,
                other => other.to_string(),
            })
        };
        Ok(match self {
            Matcher::Equals(v) => Matcher::Equals(f(v)?),
            Matcher::NotEquals(v) => Matcher::NotEquals(f(v)?),
            Matcher::OneOf(vs) => Matcher::OneOf(vs.iter().map(f).collect::<Result<_, _>>()?),
            Matcher::Contains(t) => Matcher::Contains(s(t)?),
            Matcher::Prefix(t) => Matcher::Prefix(s(t)?),
            Matcher::Suffix(t) => Matcher::Suffix(s(t)?),
            other => other.clone(),
        })
    }

    /// What the matcher expects, for reports.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Equals(v) => v.to_string(),
            Matcher::NotEquals(v) => format!("not {v}"),
            Matcher::OneOf(vs) => format!(
                "one of {}",
                vs.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Matcher::Present => "present".to_owned(),
            Matcher::Absent => "absent".to_owned(),
            Matcher::Contains(s) => format!("containing {s:?}"),
            Matcher::Prefix(s) => format!("starting with {s:?}"),
            Matcher::Suffix(s) => format!("ending with {s:?}"),
            Matcher::Type(t) => format!("a {t}"),
            Matcher::Uuid => "a UUID".to_owned(),
            Matcher::MinLen(n) => format!("length >= {n}"),
            Matcher::MaxLen(n) => format!("length <= {n}"),
        }
    }

    /// Whether `got` (None = absent) satisfies the matcher.
    pub fn matches(&self, got: Option<&Value>) -> bool {
        let Some(got) = got else {
            return matches!(self, Matcher::Absent | Matcher::NotEquals(_));
        };
        let length = |v: &Value| match v {
            Value::String(s) => Some(s.chars().count()),
            Value::Array(a) => Some(a.len()),
            Value::Object(o) => Some(o.len()),
            _ => None,
        };
        match self {
            Matcher::Equals(v) => json_eq(v, got),
            Matcher::NotEquals(v) => !json_eq(v, got),
            Matcher::OneOf(vs) => vs.iter().any(|v| json_eq(v, got)),
            Matcher::Present => true,
            Matcher::Absent => false,
            Matcher::Contains(s) => match got {
                Value::String(g) => g.contains(s.as_str()),
                Value::Array(items) => items.iter().any(|i| i.as_str() == Some(s)),
                _ => false,
            },
            Matcher::Prefix(s) => got.as_str().is_some_and(|g| g.starts_with(s.as_str())),
            Matcher::Suffix(s) => got.as_str().is_some_and(|g| g.ends_with(s.as_str())),
            Matcher::Type(t) => type_name(got) == *t,
            Matcher::Uuid => got.as_str().is_some_and(is_uuid),
            Matcher::MinLen(n) => length(got).is_some_and(|l| l >= *n),
            Matcher::MaxLen(n) => length(got).is_some_and(|l| l <= *n),
        }
    }
}

/// A canonical 8-4-4-4-12 hex UUID.
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// JSON equality with numbers compared by value.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Resolves an RFC 6901 pointer, with the `[Name=value]` array selector.
pub fn resolve_pointer<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut current = root;
    for raw in rest.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Object(map) => map.get(&token)?,
            Value::Array(items) => {
                if let Some(sel) = token.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                    let (key, want) = sel.split_once('=')?;
                    items
                        .iter()
                        .find(|i| i.get(key).and_then(Value::as_str) == Some(want))?
                } else {
                    items.get(token.parse::<usize>().ok()?)?
                }
            }
            _ => return None,
        };
    }
    Some(current)
}

/// Keys whose values are secrets in any answer: never shown in reports.
const SECRET_KEYS: [&str; 14] = [
    "AccessToken",
    "IdToken",
    "RefreshToken",
    "Session",
    "SECRET_BLOCK",
    "SRP_B",
    "SALT",
    "ClientSecret",
    "access_token",
    "id_token",
    "refresh_token",
    "SecretCode",
    "PASSWORD_CLAIM_SIGNATURE",
    "Password",
];

/// A value as reports may show it: strings under secret keys, and anything that looks like a
/// token (a long string without spaces), become `<redacted len=N>`.
pub fn redact(pointer: &str, value: &Value) -> String {
    let last = pointer.rsplit('/').next().unwrap_or("");
    match value {
        Value::String(s) if SECRET_KEYS.contains(&last) || looks_secret(s) => {
            format!("<redacted len={}>", s.len())
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k:?}: {}", redact(&format!("{pointer}/{k}"), v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(|v| redact(pointer, v)).collect();
            format!("[{}]", inner.join(", "))
        }
        other => other.to_string(),
    }
}

fn looks_secret(s: &str) -> bool {
    s.len() > 64 && !s.contains(' ')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn m(v: Value) -> Matcher {
        parse_matcher(v).unwrap()
    }

    #[test]
    fn pointers_resolve_objects_indices_escapes_and_selectors() {
        let doc = json!({
            "a": {"b/c": [10, 20]},
            "UserAttributes": [{"Name": "sub", "Value": "s-1"}, {"Name": "email", "Value": "e"}]
        });
        assert_eq!(resolve_pointer(&doc, "/a/b~1c/1"), Some(&json!(20)));
        assert_eq!(
            resolve_pointer(&doc, "/UserAttributes/[Name=email]/Value"),
            Some(&json!("e"))
        );
        assert_eq!(
            resolve_pointer(&doc, "/UserAttributes/[Name=phone]/Value"),
            None
        );
        assert_eq!(resolve_pointer(&doc, "/a/x"), None);
        assert_eq!(resolve_pointer(&doc, "a"), None);
        assert_eq!(resolve_pointer(&doc, ""), Some(&doc));
    }

    #[test]
    fn plain_values_are_equality_with_numbers_by_value() {
        assert!(m(json!(3600)).matches(Some(&json!(3600.0))));
        assert!(m(json!("Bearer")).matches(Some(&json!("Bearer"))));
        assert!(!m(json!("Bearer")).matches(Some(&json!("bearer"))));
        assert!(!m(json!("Bearer")).matches(None));
        assert!(m(json!({"eq": {"a": 1}})).matches(Some(&json!({"a": 1}))));
    }

    #[test]
    fn operators_match_as_documented() {
        assert!(m(json!({"present": true})).matches(Some(&json!(null))));
        assert!(!m(json!({"present": true})).matches(None));
        assert!(m(json!({"absent": true})).matches(None));
        assert!(m(json!({"present": false})).matches(None));
        assert!(m(json!({"not": "a"})).matches(Some(&json!("b"))));
        assert!(m(json!({"not": "a"})).matches(None));
        assert!(m(json!({"one_of": [400, 403]})).matches(Some(&json!(403))));
        assert!(m(json!({"contains": "secret"})).matches(Some(&json!("no secret here"))));
        assert!(m(json!({"contains": "openid"})).matches(Some(&json!(["email", "openid"]))));
        assert!(m(json!({"prefix": "Client "})).matches(Some(&json!("Client x"))));
        assert!(m(json!({"suffix": ":"})).matches(Some(&json!("X:"))));
        assert!(m(json!({"type": "object"})).matches(Some(&json!({}))));
        assert!(!m(json!({"type": "object"})).matches(Some(&json!([]))));
        assert!(
            m(json!({"uuid": true})).matches(Some(&json!("c15cc760-7579-4793-bb66-410094f1812c")))
        );
        assert!(!m(json!({"uuid": true})).matches(Some(&json!("c15cc7607579"))));
        assert!(m(json!({"min_len": 3})).matches(Some(&json!("abc"))));
        assert!(!m(json!({"max_len": 2})).matches(Some(&json!("abc"))));
    }

    #[test]
    fn bad_matchers_are_refused_with_a_reason() {
        assert_eq!(
            parse_matcher(json!({"lenght": 3})),
            Err("unknown matcher `lenght`".to_owned())
        );
        assert!(parse_matcher(json!({"a": 1, "b": 2})).is_err());
        assert!(parse_matcher(json!({"type": "text"})).is_err());
        assert!(parse_matcher(json!({"one_of": []})).is_err());
        assert!(parse_matcher(json!({"uuid": false})).is_err());
    }

    #[test]
    fn reports_never_show_tokens() {
        let body =
            json!({"AuthenticationResult": {"AccessToken": "eyJ.x.y", "TokenType": "Bearer"}});
        let shown = redact("", &body);
        assert!(!shown.contains("eyJ"), "{shown}");
        assert!(shown.contains("Bearer"));
        let long = "a".repeat(100);
        assert_eq!(redact("/x", &json!(long)), "<redacted len=100>");
        assert_eq!(
            redact("/message", &json!("User does not exist.")),
            "\"User does not exist.\""
        );
    }
}
