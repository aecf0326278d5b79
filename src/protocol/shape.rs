//! Every answer checked against the service model's output shapes: a member the model marks
//! required is present, each member has the model's JSON type, an enum holds a value the model
//! (and so the SDKs) know, and an error body is what the JSON 1.1 protocol defines.
//!
//! The shapes are data, not code: the committed extract of the cognito-idp service model
//! (`conformance/model/cognito-idp.json`, written by `scripts/extract-model.py` from botocore)
//! holds each implemented operation's output shape; this module compiles it once. Members the
//! model does not know are accepted, as the SDKs accept them (new members are how the service
//! evolves); lengths and patterns are input constraints and are not checked on answers.
//!
//! JSON 1.1 (the protocol of cognito-idp, Smithy's `awsJson1_1`): timestamps are epoch-second
//! numbers, integers are JSON integers, an error body is an object whose `__type` names the
//! error and whose `message` (or `Message`) is a string. The Go SDK v2's error decoder failed on
//! an emulator's array `message`, so any other member of an error body is reported too.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

/// The committed model extract (regenerate with `scripts/extract-model.py`).
pub const MODEL_JSON: &str = include_str!("../../conformance/model/cognito-idp.json");

/// What is wrong with one member of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A required member is absent (or null).
    Missing,
    /// The member has another JSON type than the model's.
    Type,
    /// A string outside the model's enum.
    Enum,
    /// A member an error body may not have.
    Unexpected,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Missing => "missing",
            Problem::Type => "type",
            Problem::Enum => "enum",
            Problem::Unexpected => "unexpected",
        }
    }
}

/// The first mismatch found in an answer: the member's path (`CodeDeliveryDetails.DeliveryMedium`,
/// `Users[].Attributes`, `error.message`) and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeIssue {
    pub path: String,
    pub problem: Problem,
    /// What the model wants (`string`, `one of SMS, EMAIL`, ...), for messages.
    pub expected: String,
}

impl ShapeIssue {
    /// The failure kind reports count it under: `shape:<path>:<problem>`.
    pub fn label(&self) -> String {
        format!("shape:{}:{}", self.path, self.problem.as_str())
    }
}

impl std::fmt::Display for ShapeIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.problem {
            Problem::Missing => write!(f, "{} is missing (the model requires it)", self.path),
            Problem::Type => write!(f, "{} is not a {}", self.path, self.expected),
            Problem::Enum => write!(f, "{} is not {}", self.path, self.expected),
            Problem::Unexpected => write!(f, "{} is not a member of an error body", self.path),
        }
    }
}

#[derive(Deserialize)]
struct ModelFile {
    operations: HashMap<String, OperationModel>,
}

#[derive(Deserialize)]
struct OperationModel {
    #[serde(default)]
    output: Option<ShapeModel>,
}

#[derive(Deserialize)]
struct ShapeModel {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    required: bool,
    #[serde(rename = "enum")]
    values: Option<Vec<String>>,
    #[serde(default)]
    members: Vec<ShapeModel>,
    member: Option<Box<ShapeModel>>,
    value: Option<Box<ShapeModel>>,
}

/// A compiled output shape.
enum Shape {
    Structure(Vec<(String, bool, Shape)>),
    List(Box<Shape>),
    Map(Box<Shape>),
    String(Option<Vec<String>>),
    Boolean,
    Integer,
    Number,
    /// Epoch seconds in JSON 1.1.
    Timestamp,
    /// A type this module does not check (blobs, documents).
    Any,
}

fn compile(model: &ShapeModel) -> Shape {
    match model.kind.as_str() {
        "structure" => Shape::Structure(
            model
                .members
                .iter()
                .map(|m| (m.name.clone(), m.required, compile(m)))
                .collect(),
        ),
        "list" => Shape::List(Box::new(
            model.member.as_deref().map_or(Shape::Any, compile),
        )),
        "map" => Shape::Map(Box::new(model.value.as_deref().map_or(Shape::Any, compile))),
        "string" => Shape::String(model.values.clone()),
        "boolean" => Shape::Boolean,
        "integer" | "long" => Shape::Integer,
        "double" | "float" => Shape::Number,
        "timestamp" => Shape::Timestamp,
        _ => Shape::Any,
    }
}

/// The compiled output shapes, by operation name; built once, on first use.
static OUTPUTS: LazyLock<HashMap<String, Shape>> = LazyLock::new(|| {
    // The extract is committed and checked by tests (model_data), so a failure here is a
    // build defect, not an input.
    let file: ModelFile = serde_json::from_str(MODEL_JSON).expect("conformance/model extract");
    file.operations
        .into_iter()
        .map(|(name, op)| {
            let shape = op
                .output
                .as_ref()
                .map_or_else(|| Shape::Structure(Vec::new()), compile);
            (name, shape)
        })
        .collect()
});

/// Whether the model extract has `operation` (only those are checked).
pub fn knows(operation: &str) -> bool {
    OUTPUTS.contains_key(operation)
}

/// Checks a successful answer of `operation` against its output shape; `None` when it fits or
/// the operation is not in the extract.
pub fn check_output(operation: &str, body: &Value) -> Option<ShapeIssue> {
    let shape = OUTPUTS.get(operation)?;
    let mut path = String::new();
    check(shape, body, &mut path)
}

/// Checks a JSON 1.1 error body: an object with a string `__type`, at most a string `message`
/// (or `Message`) besides.
pub fn check_error(body: &Value) -> Option<ShapeIssue> {
    let issue = |path: &str, problem, expected: &str| {
        Some(ShapeIssue {
            path: format!("error.{path}"),
            problem,
            expected: expected.to_string(),
        })
    };
    let Some(object) = body.as_object() else {
        return issue("", Problem::Type, "JSON object").map(|mut i| {
            i.path = "error".into();
            i
        });
    };
    match object.get("__type") {
        None | Some(Value::Null) => return issue("__type", Problem::Missing, "string"),
        Some(Value::String(_)) => {}
        Some(_) => return issue("__type", Problem::Type, "string"),
    }
    for (key, value) in object {
        match key.as_str() {
            "__type" => {}
            "message" | "Message" => {
                if !value.is_string() && !value.is_null() {
                    return issue(key, Problem::Type, "string");
                }
            }
            _ => return issue(key, Problem::Unexpected, ""),
        }
    }
    None
}

fn issue(path: &str, problem: Problem, expected: impl Into<String>) -> Option<ShapeIssue> {
    Some(ShapeIssue {
        path: path.to_string(),
        problem,
        expected: expected.into(),
    })
}

fn check(shape: &Shape, value: &Value, path: &mut String) -> Option<ShapeIssue> {
    // Null is how JSON says "absent"; `required` is checked by the structure holding it.
    if value.is_null() {
        return None;
    }
    let top = |p: &str| {
        if p.is_empty() {
            "(body)".to_string()
        } else {
            p.to_string()
        }
    };
    match shape {
        Shape::Structure(members) => {
            let Some(object) = value.as_object() else {
                return issue(&top(path), Problem::Type, "JSON object");
            };
            for (name, required, member) in members {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                let found = match object.get(name) {
                    None | Some(Value::Null) if *required => issue(path, Problem::Missing, ""),
                    None => None,
                    Some(v) => check(member, v, path),
                };
                path.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        Shape::List(element) => {
            let Some(items) = value.as_array() else {
                return issue(&top(path), Problem::Type, "JSON array");
            };
            let len = path.len();
            path.push_str("[]");
            let found = items.iter().find_map(|item| check(element, item, path));
            path.truncate(len);
            found
        }
        Shape::Map(element) => {
            let Some(object) = value.as_object() else {
                return issue(&top(path), Problem::Type, "JSON object");
            };
            let len = path.len();
            path.push_str("{}");
            let found = object.values().find_map(|item| check(element, item, path));
            path.truncate(len);
            found
        }
        Shape::String(values) => match (value.as_str(), values) {
            (None, _) => issue(path, Problem::Type, "string"),
            (Some(s), Some(values)) if !values.iter().any(|v| v == s) => {
                issue(path, Problem::Enum, format!("one of {}", values.join(", ")))
            }
            _ => None,
        },
        Shape::Boolean => (!value.is_boolean()).then(|| issue(path, Problem::Type, "boolean"))?,
        Shape::Integer => {
            (!(value.is_i64() || value.is_u64())).then(|| issue(path, Problem::Type, "integer"))?
        }
        Shape::Number => (!value.is_number()).then(|| issue(path, Problem::Type, "number"))?,
        Shape::Timestamp => {
            (!value.is_number()).then(|| issue(path, Problem::Type, "number (epoch seconds)"))?
        }
        Shape::Any => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn label(op: &str, body: Value) -> Option<String> {
        check_output(op, &body).map(|i| i.label())
    }

    #[test]
    fn a_sign_up_answer_fits_and_each_kind_of_mismatch_is_named_by_member() {
        let ok = json!({"UserConfirmed": false, "UserSub": "1b7c",
            "CodeDeliveryDetails": {"Destination": "a***@e.com", "DeliveryMedium": "EMAIL",
            "AttributeName": "email"}, "SomethingNew": 1});
        assert_eq!(label("SignUp", ok), None, "unknown members are accepted");
        assert_eq!(
            label("SignUp", json!({"UserConfirmed": false})).as_deref(),
            Some("shape:UserSub:missing")
        );
        assert_eq!(
            label("SignUp", json!({"UserConfirmed": false, "UserSub": null})).as_deref(),
            Some("shape:UserSub:missing")
        );
        assert_eq!(
            label("SignUp", json!({"UserConfirmed": "false", "UserSub": "x"})).as_deref(),
            Some("shape:UserConfirmed:type")
        );
        assert_eq!(
            label(
                "SignUp",
                json!({"UserConfirmed": true, "UserSub": "x",
                "CodeDeliveryDetails": {"DeliveryMedium": "PIGEON"}})
            )
            .as_deref(),
            Some("shape:CodeDeliveryDetails.DeliveryMedium:enum")
        );
        assert_eq!(
            label("SignUp", json!([])).as_deref(),
            Some("shape:(body):type")
        );
    }

    #[test]
    fn numbers_lists_and_maps_are_checked_inside() {
        let auth = |expires: Value| json!({"AuthenticationResult": {"AccessToken": "a", "ExpiresIn": expires}});
        assert_eq!(label("InitiateAuth", auth(json!(3600))), None);
        assert_eq!(
            label("InitiateAuth", auth(json!("3600"))).as_deref(),
            Some("shape:AuthenticationResult.ExpiresIn:type")
        );
        assert_eq!(
            label("InitiateAuth", auth(json!(3600.5))).as_deref(),
            Some("shape:AuthenticationResult.ExpiresIn:type")
        );
        assert_eq!(
            label("InitiateAuth", json!({"ChallengeParameters": {"SRP_B": 7}})).as_deref(),
            Some("shape:ChallengeParameters{}:type")
        );
        assert_eq!(
            label(
                "InitiateAuth",
                json!({"AvailableChallenges": ["PASSWORD", "TELEPATHY"]})
            )
            .as_deref(),
            Some("shape:AvailableChallenges[]:enum")
        );
        assert!(knows("SignUp") && !knows("NoSuchOperation"));
        assert_eq!(label("NoSuchOperation", json!(1)), None);
    }

    #[test]
    fn an_error_body_has_a_string_type_and_at_most_a_string_message() {
        let e = |v: Value| check_error(&v).map(|i| i.label());
        assert_eq!(
            e(json!({"__type": "NotAuthorizedException", "message": "x"})),
            None
        );
        assert_eq!(
            e(json!({"__type": "NotAuthorizedException", "Message": "x"})),
            None
        );
        assert_eq!(e(json!({"__type": "NotAuthorizedException"})), None);
        assert_eq!(
            e(json!({"__type": "X", "message": ["a", "b"]})).as_deref(),
            Some("shape:error.message:type")
        );
        assert_eq!(
            e(json!({"__type": "X", "message": "m", "code": "X"})).as_deref(),
            Some("shape:error.code:unexpected")
        );
        assert_eq!(
            e(json!({"message": "m"})).as_deref(),
            Some("shape:error.__type:missing")
        );
        assert_eq!(e(json!("oops")).as_deref(), Some("shape:error:type"));
    }
}
