//! The service model's input constraints, enforced on every request before its typed parse.
//!
//! The constraints are data, not code: `conformance/model/cognito-idp.json` (extracted from
//! botocore by `scripts/extract-model.py`) holds each operation's input shape with its members'
//! `required`, `min`, `max`, `pattern` and `enum`; this module compiles it once (patterns
//! included) and checks the request JSON against it. A violation is answered as real Cognito
//! answers it (ground truth §1.9): `InvalidParameterException` with
//! `N validation error(s) detected: Value '<v>' at '<member>' failed to satisfy constraint:
//! Member must …`, violations joined by `"; "`.
//!
//! The wording, from messages quoted from the real service:
//! - lengths name the bound that failed, even when the shape has both: "Member must have length
//!   greater than or equal to 1" for an empty Username (min 1, max 128;
//!   amazon-cognito-identity-js#388), "less than or equal to 20" (aws-cdk#14175);
//! - "Member must satisfy regular expression pattern: <the model's pattern>" (identity-js#388,
//!   #551); "Member must satisfy enum value set: [OPTIONAL, OFF, ON]" lists the values in the
//!   iteration order of a Java `HashSet` (the two quoted sets, MfaConfiguration and
//!   MessageAction, are in that order and not the model's); "Value null at 'sub' failed to
//!   satisfy constraint: Member must not be null" (amazon-cognito-auth-js#65);
//! - the value is quoted (`Value 'SURPRESS' at 'messageAction'`, aws-doc-sdk-examples#891)
//!   except for members the model marks `sensitive` (`Value at 'username'`, identity-js#388);
//! - members are lowerCamelCase, list elements of structures `schema.1.member.name` (1-based,
//!   aws-cdk#14175), a list of strings reports once at the list: `Member must satisfy
//!   constraint: [Member must satisfy enum value set: […]]`;
//! - violations are ordered by member name (identity-js#388 lists `password` before `username`,
//!   not in the model's order), within a member length before pattern.
//!
//! ⚠ No quoted sample shows a numeric range or a map key/value violation from Cognito; they use
//! the same Coral forms ("Member must have value less than or equal to 15", "Map value must
//! satisfy constraint: […]").
//!
//! Model patterns are Java regular expressions, matched against the whole value; [`java_regex`]
//! translates the classes whose meaning differs in the `regex` crate (`\w`, `\d`, `\s` are
//! ASCII in Java, Unicode in `regex`).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use crate::protocol::ops::{Operation, OperationKind};

/// The committed model extract (regenerate with `scripts/extract-model.py`).
pub const MODEL_JSON: &str = include_str!("../../conformance/model/cognito-idp.json");

#[derive(Deserialize)]
struct ModelFile {
    operations: HashMap<String, OperationModel>,
}

#[derive(Deserialize)]
struct OperationModel {
    input: ShapeModel,
}

/// One shape of the extract, as `scripts/extract-model.py` writes it.
#[derive(Deserialize)]
struct ShapeModel {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    required: bool,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<String>,
    #[serde(rename = "enum")]
    values: Option<Vec<String>>,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    members: Vec<ShapeModel>,
    member: Option<Box<ShapeModel>>,
    key: Option<Box<ShapeModel>>,
    value: Option<Box<ShapeModel>>,
}

/// A shape with its pattern compiled and its enum ready to match and to print.
struct Node {
    kind: Kind,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<(String, Regex)>,
    values: Option<(Vec<String>, String)>,
    sensitive: bool,
    members: Vec<Member>,
    element: Option<Box<Node>>,
    key: Option<Box<Node>>,
    value: Option<Box<Node>>,
}

struct Member {
    /// The wire name (`UserAttributes`).
    name: String,
    /// The name in messages (`userAttributes`).
    label: String,
    required: bool,
    node: Node,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Number,
    List,
    Map,
    Structure,
    Other,
}

/// The compiled input shapes, by operation name; built once, on first use.
static MODEL: LazyLock<HashMap<String, Node>> = LazyLock::new(|| {
    // The extract is committed and checked by tests (model_data, validate's unit tests), so a
    // failure here is a build defect, not an input.
    let file: ModelFile = serde_json::from_str(MODEL_JSON).expect("conformance/model extract");
    file.operations
        .into_iter()
        .map(|(name, op)| (name, compile(op.input).expect("model patterns compile")))
        .collect()
});

fn compile(shape: ShapeModel) -> Result<Node, regex::Error> {
    let kind = match shape.kind.as_str() {
        "string" => Kind::String,
        "integer" | "long" => Kind::Number,
        "list" => Kind::List,
        "map" => Kind::Map,
        "structure" => Kind::Structure,
        _ => Kind::Other,
    };
    let pattern = match shape.pattern {
        Some(p) => {
            let re = java_regex(&p)?;
            Some((p, re))
        }
        None => None,
    };
    let values = shape.values.map(|v| {
        let shown = format!("[{}]", java_hash_set_order(&v).join(", "));
        (v, shown)
    });
    let members = shape
        .members
        .into_iter()
        .map(|m| {
            let name = m.name.clone();
            let required = m.required;
            Ok(Member {
                label: lower_camel(&name),
                name,
                required,
                node: compile(m)?,
            })
        })
        .collect::<Result<_, regex::Error>>()?;
    let boxed = |s: Option<Box<ShapeModel>>| -> Result<Option<Box<Node>>, regex::Error> {
        s.map(|s| compile(*s).map(Box::new)).transpose()
    };
    Ok(Node {
        kind,
        min: shape.min,
        max: shape.max,
        pattern,
        values,
        sensitive: shape.sensitive,
        members,
        element: boxed(shape.member)?,
        key: boxed(shape.key)?,
        value: boxed(shape.value)?,
    })
}

/// Compiles a model (Java) pattern for whole-value matching, as Java's `String.matches` does.
/// `\w \W \d \D \s \S` become their ASCII classes (Java's default meaning), and a `-` right
/// after a range inside a class is a literal, as Java reads `[A-Za-z0-9-_=.]`.
pub fn java_regex(pattern: &str) -> Result<Regex, regex::Error> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    // Inside a class: whether the previous item closed a range (`a-z`), or started the class.
    let mut after_range = false;
    let mut prev_literal = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let class = match e {
                    'w' => Some("[0-9A-Za-z_]"),
                    'W' => Some("[^0-9A-Za-z_]"),
                    'd' => Some("[0-9]"),
                    'D' => Some("[^0-9]"),
                    's' => Some("[\\t\\n\\x0B\\f\\r ]"),
                    'S' => Some("[^\\t\\n\\x0B\\f\\r ]"),
                    _ => None,
                };
                match class {
                    Some(cls) => out.push_str(cls),
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
                after_range = false;
                prev_literal = class.is_none() && !matches!(e, 'p' | 'P');
                if matches!(e, 'p' | 'P') {
                    // \p{L}: copy the braces through.
                    if chars.peek() == Some(&'{') {
                        for c in chars.by_ref() {
                            out.push(c);
                            if c == '}' {
                                break;
                            }
                        }
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                after_range = false;
                prev_literal = false;
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '-' if in_class => {
                let next_is_end = chars.peek() == Some(&']');
                if after_range || !prev_literal || next_is_end {
                    out.push_str("\\-");
                    after_range = false;
                    prev_literal = true;
                } else {
                    // A range: copy its upper bound.
                    out.push('-');
                    if let Some(hi) = chars.next() {
                        if hi == '\\' {
                            out.push('\\');
                            if let Some(x) = chars.next() {
                                out.push(x);
                                if x == 'x' {
                                    out.extend(chars.by_ref().take(2));
                                }
                            }
                        } else {
                            out.push(hi);
                        }
                    }
                    after_range = true;
                    prev_literal = false;
                }
            }
            _ => {
                out.push(c);
                after_range = false;
                prev_literal = in_class;
            }
        }
    }
    Regex::new(&format!("\\A(?:{out})\\z"))
}

/// Java's `String.hashCode` (over UTF-16 code units).
fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16().fold(0u32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(u32::from(unit))
    })
}

/// The iteration order of `new HashSet<>(values)` in Java 8+: by bucket
/// (`(h ^ h >>> 16) & (capacity - 1)`, capacity the power of two the constructor picks), then by
/// insertion within a bucket. Cognito's enum messages list the values in this order.
fn java_hash_set_order(values: &[String]) -> Vec<&str> {
    let wanted = ((values.len() as f64 / 0.75) as usize + 1).max(16);
    let capacity = wanted.next_power_of_two();
    let mut order: Vec<(usize, usize, &str)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = java_string_hash(v);
            (((h ^ (h >> 16)) as usize) & (capacity - 1), i, v.as_str())
        })
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, _, v)| v).collect()
}

fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_lowercase());
    }
    out.extend(chars);
    out
}

/// One failed constraint: where, the value as shown (`None` for sensitive members), and what.
struct Violation {
    path: String,
    shown: Shown,
    constraint: String,
}

enum Shown {
    Null,
    Hidden,
    Value(String),
}

/// Checks `body` (the raw request) against the input constraints of `kind`. A body that is not
/// a JSON object passes: the typed parse answers it with its SerializationException.
pub fn check(kind: OperationKind, body: &[u8]) -> ApiResult<()> {
    let Some(input) = MODEL.get(kind.name()) else {
        return Ok(());
    };
    let body: &[u8] = if body.is_empty() { b"{}" } else { body };
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(body) else {
        return Ok(());
    };
    let mut found = Found::default();
    check_members(input, &request, "", &mut found);
    // A value of the wrong JSON type is the deserializer's SerializationException, which the
    // service answers before any constraint; the typed parse gives it.
    if found.items.is_empty() || found.mistyped {
        return Ok(());
    }
    Err(ApiError::invalid(message(found.items)))
}

/// The violations of one request, and whether a value had the wrong JSON type.
#[derive(Default)]
struct Found {
    items: Vec<Violation>,
    mistyped: bool,
}

impl Found {
    fn push(&mut self, violation: Violation) {
        self.items.push(violation);
    }
}

/// [`check`] for a typed request (pools and clients declared in a config file are created
/// through the handlers without a wire body).
pub fn check_typed<T: Operation>(request: &T) -> ApiResult<()> {
    let body = serde_json::to_vec(request)
        .map_err(|e| ApiError::new("InternalErrorException", e.to_string()))?;
    check(T::KIND, &body)
}

/// The InvalidParameterException message for `found` (not empty).
fn message(mut found: Vec<Violation>) -> String {
    found.sort_by(|a, b| a.path.cmp(&b.path));
    let n = found.len();
    let plural = if n == 1 { "error" } else { "errors" };
    let parts: Vec<String> = found
        .into_iter()
        .map(|v| {
            let shown = match v.shown {
                Shown::Null => " null".to_owned(),
                Shown::Hidden => String::new(),
                Shown::Value(s) => format!(" '{s}'"),
            };
            format!(
                "Value{shown} at '{}' failed to satisfy constraint: {}",
                v.path, v.constraint
            )
        })
        .collect();
    format!("{n} validation {plural} detected: {}", parts.join("; "))
}

fn check_members(
    node: &Node,
    object: &serde_json::Map<String, Value>,
    prefix: &str,
    found: &mut Found,
) {
    for member in &node.members {
        let path = format!("{prefix}{}", member.label);
        match object.get(&member.name) {
            None | Some(Value::Null) => {
                if member.required {
                    found.push(Violation {
                        path,
                        shown: Shown::Null,
                        constraint: "Member must not be null".to_owned(),
                    });
                }
            }
            Some(value) => check_value(&member.node, value, path, found),
        }
    }
}

/// Checks one present value; a value of the wrong JSON type is left to the typed parse.
fn check_value(node: &Node, value: &Value, path: String, found: &mut Found) {
    match (node.kind, value) {
        (Kind::Structure, Value::Object(object)) => {
            check_members(node, object, &format!("{path}."), found);
        }
        (Kind::List, Value::Array(items)) => check_list(node, items, value, path, found),
        (Kind::Map, Value::Object(entries)) => check_map(node, entries, value, path, found),
        (Kind::Structure | Kind::List | Kind::Map, _) => found.mistyped = true,
        (Kind::String, v) if !v.is_string() => found.mistyped = true,
        (Kind::Number, v) if !v.is_number() => found.mistyped = true,
        _ => {
            let constraints = scalar_constraints(node, value);
            if constraints.is_empty() {
                return;
            }
            let shown = shown(node, value);
            for constraint in constraints {
                found.push(Violation {
                    path: path.clone(),
                    shown: shown_again(&shown),
                    constraint,
                });
            }
        }
    }
}

fn shown_again(shown: &Shown) -> Shown {
    match shown {
        Shown::Null => Shown::Null,
        Shown::Hidden => Shown::Hidden,
        Shown::Value(s) => Shown::Value(s.clone()),
    }
}

fn shown(node: &Node, value: &Value) -> Shown {
    if node.sensitive {
        Shown::Hidden
    } else {
        Shown::Value(java_to_string(value))
    }
}

/// A JSON value as Java's `toString` prints the request object: strings bare, lists
/// `[a, b]`, maps `{k=v}`.
fn java_to_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(java_to_string).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}={}", java_to_string(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// The failed constraints of a string or number (empty when it passes, or has another type).
fn scalar_constraints(node: &Node, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match (node.kind, value) {
        (Kind::String, Value::String(s)) => {
            // Java's String.length(): UTF-16 code units.
            let len = s.encode_utf16().count() as i64;
            length_constraints(node, len, &mut out);
            if let Some((source, re)) = &node.pattern
                && !re.is_match(s)
            {
                out.push(format!(
                    "Member must satisfy regular expression pattern: {source}"
                ));
            }
            if let Some((values, shown)) = &node.values
                && !values.iter().any(|v| v == s)
            {
                out.push(format!("Member must satisfy enum value set: {shown}"));
            }
        }
        (Kind::Number, Value::Number(n)) => {
            if let Some(v) = n.as_i64() {
                if let Some(min) = node.min.filter(|m| v < *m) {
                    out.push(format!(
                        "Member must have value greater than or equal to {min}"
                    ));
                }
                if let Some(max) = node.max.filter(|m| v > *m) {
                    out.push(format!(
                        "Member must have value less than or equal to {max}"
                    ));
                }
            }
        }
        _ => {}
    }
    out
}

fn length_constraints(node: &Node, len: i64, out: &mut Vec<String>) {
    if let Some(min) = node.min.filter(|m| len < *m) {
        out.push(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(max) = node.max.filter(|m| len > *m) {
        out.push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
}

fn check_list(node: &Node, items: &[Value], value: &Value, path: String, found: &mut Found) {
    let mut own = Vec::new();
    length_constraints(node, items.len() as i64, &mut own);
    if let Some(element) = &node.element {
        if element.kind == Kind::Structure {
            for (i, item) in items.iter().enumerate() {
                check_value(element, item, format!("{path}.{}.member", i + 1), found);
            }
        } else {
            let inner = items.iter().flat_map(|v| scalar_constraints(element, v));
            push_nested(&mut own, "Member", inner);
        }
    }
    push_all(node, value, path, own, found);
}

fn check_map(
    node: &Node,
    entries: &serde_json::Map<String, Value>,
    value: &Value,
    path: String,
    found: &mut Found,
) {
    let mut own = Vec::new();
    length_constraints(node, entries.len() as i64, &mut own);
    if let Some(key) = &node.key {
        let inner = entries
            .keys()
            .flat_map(|k| scalar_constraints(key, &Value::String(k.clone())));
        push_nested(&mut own, "Map keys", inner);
    }
    if let Some(val) = &node.value {
        let inner = entries.values().flat_map(|v| scalar_constraints(val, v));
        push_nested(&mut own, "Map value", inner);
    }
    push_all(node, value, path, own, found);
}

/// The violations of a list's elements or a map's keys or values, each once, as one
/// `<what> must satisfy constraint: [...]` line.
fn push_nested(own: &mut Vec<String>, what: &str, inner: impl Iterator<Item = String>) {
    let inner = distinct(inner);
    if !inner.is_empty() {
        own.push(format!(
            "{what} must satisfy constraint: [{}]",
            inner.join(", ")
        ));
    }
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn push_all(node: &Node, value: &Value, path: String, constraints: Vec<String>, found: &mut Found) {
    if constraints.is_empty() {
        return;
    }
    let shown = shown(node, value);
    for constraint in constraints {
        found.push(Violation {
            path: path.clone(),
            shown: shown_again(&shown),
            constraint,
        });
    }
}

/// Every pattern of the extract, for tests: `(operation, member path, pattern)`.
#[cfg(test)]
pub fn model_patterns() -> Vec<(String, String, String)> {
    fn walk(shape: &ShapeModel, op: &str, path: &str, out: &mut Vec<(String, String, String)>) {
        if let Some(p) = &shape.pattern {
            out.push((op.to_owned(), path.to_owned(), p.clone()));
        }
        for m in &shape.members {
            walk(m, op, &format!("{path}.{}", m.name), out);
        }
        for (label, s) in [
            ("[]", &shape.member),
            ("{key}", &shape.key),
            ("{value}", &shape.value),
        ] {
            if let Some(s) = s {
                walk(s, op, &format!("{path}{label}"), out);
            }
        }
    }
    let file: ModelFile = match serde_json::from_str(MODEL_JSON) {
        Ok(f) => f,
        Err(_) => return Vec::new(),
    };
    let mut out = Vec::new();
    for (name, op) in &file.operations {
        walk(&op.input, name, "", &mut out);
    }
    out
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
