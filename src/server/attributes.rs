//! A pool's attribute schema and the checks every attribute write meets (SignUp,
//! AdminCreateUser, UpdateUserAttributes, AdminUpdateUserAttributes, DeleteUserAttributes).
//!
//! Sources: developer guide "Working with user attributes" (the standard attributes; "attribute
//! values can be any string with a length of up to 2048 characters"; "You can add up to 50
//! custom attributes"; custom attributes are mutable or immutable, "You can only write a value
//! to an immutable attribute when you create a user"; a required attribute must be given at
//! sign-up, "administrators can use the AdminCreateUser API" without it) and "Quotas in Amazon
//! Cognito" (custom attributes per pool 50, characters per attribute 2,048 bytes, characters in
//! a custom attribute name 20). The default schema (data types, mutability, length bounds) is
//! the one DescribeUserPool answers for a new pool, as quoted in public dumps of real pools
//! (stackguides.com/questions/56044852; aws-amplify/amplify-js#10491) and as moto models it.
//!
//! Messages: "Attributes did not conform to the schema: <name>: The attribute is required"
//! (real SignUp answers quoted in Amplify questions) for writes at creation; "Invalid user
//! attributes: user.<name>: Attribute does not exist in the schema.\n" (moto's
//! `test_admin_delete_user_attributes_non_existing_attribute`) and "user.<name>: Attribute
//! cannot be updated." (the real service's answer quoted in aws-amplify/amplify-swift#3981) for
//! later writes. ⚠ No capture of the real creation-time message for an undeclared attribute
//! was found: it uses the creation prefix with the schema wording.
//!
//! Memory per user is bounded by construction: only schema attributes are stored (at most the
//! 20 standard ones and 50 custom ones), each at most 2048 bytes, and a request's repeated
//! names collapse to one value.

use crate::protocol::ops::{
    AttributeDataType, AttributeType, NumberAttributeConstraintsType, SchemaAttributeType,
    StringAttributeConstraintsType,
};
use crate::server::error::{ApiError, ApiResult};

/// "Custom attributes per user pool: 50" ("Quotas in Amazon Cognito", non-adjustable).
pub const MAX_CUSTOM_ATTRIBUTES: usize = 50;
/// "Characters per attribute: 2,048 bytes" ("Quotas in Amazon Cognito").
pub const MAX_VALUE_BYTES: usize = 2048;
/// Problems named in one error message at most; the rest are counted, so a request with
/// thousands of bad names gets a short answer.
const MAX_LISTED_PROBLEMS: usize = 10;

/// The type of a schema attribute (`AttributeDataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    String,
    Number,
    DateTime,
    Boolean,
}

impl DataType {
    fn wire(self) -> AttributeDataType {
        match self {
            DataType::String => AttributeDataType::String,
            DataType::Number => AttributeDataType::Number,
            DataType::DateTime => AttributeDataType::DateTime,
            DataType::Boolean => AttributeDataType::Boolean,
        }
    }

    fn parse(t: &AttributeDataType) -> Option<Self> {
        match t {
            AttributeDataType::String => Some(DataType::String),
            AttributeDataType::Number => Some(DataType::Number),
            AttributeDataType::DateTime => Some(DataType::DateTime),
            AttributeDataType::Boolean => Some(DataType::Boolean),
            AttributeDataType::Other(_) => None,
        }
    }
}

/// One attribute of a pool's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaAttribute {
    /// The full name (`email`, `custom:tenant`).
    pub name: Box<str>,
    pub data_type: DataType,
    pub mutable: bool,
    pub required: bool,
    pub developer_only: bool,
    /// String bounds (characters), when the type is String.
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    /// Number bounds, when the type is Number.
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
}

/// A pool's attributes: the standard ones, then the custom ones in the order declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    attributes: Vec<SchemaAttribute>,
}

/// `(name, type, mutable, required, min length, max length)` of the default schema.
const STANDARD: &[(&str, DataType, bool, bool, usize, usize)] = &[
    ("sub", DataType::String, false, true, 1, 2048),
    ("name", DataType::String, true, false, 0, 2048),
    ("given_name", DataType::String, true, false, 0, 2048),
    ("family_name", DataType::String, true, false, 0, 2048),
    ("middle_name", DataType::String, true, false, 0, 2048),
    ("nickname", DataType::String, true, false, 0, 2048),
    ("preferred_username", DataType::String, true, false, 0, 2048),
    ("profile", DataType::String, true, false, 0, 2048),
    ("picture", DataType::String, true, false, 0, 2048),
    ("website", DataType::String, true, false, 0, 2048),
    ("email", DataType::String, true, false, 0, 2048),
    ("email_verified", DataType::Boolean, true, false, 0, 0),
    ("gender", DataType::String, true, false, 0, 2048),
    ("birthdate", DataType::String, true, false, 10, 10),
    ("zoneinfo", DataType::String, true, false, 0, 2048),
    ("locale", DataType::String, true, false, 0, 2048),
    ("phone_number", DataType::String, true, false, 0, 2048),
    (
        "phone_number_verified",
        DataType::Boolean,
        true,
        false,
        0,
        0,
    ),
    ("address", DataType::String, true, false, 0, 2048),
    ("updated_at", DataType::Number, true, false, 0, 0),
];

fn standard_attribute(entry: &(&str, DataType, bool, bool, usize, usize)) -> SchemaAttribute {
    let (name, data_type, mutable, required, min, max) = *entry;
    let string = data_type == DataType::String;
    SchemaAttribute {
        name: name.into(),
        data_type,
        mutable,
        required,
        developer_only: false,
        min_length: string.then_some(min),
        max_length: string.then_some(max),
        min_value: (data_type == DataType::Number).then_some(0),
        max_value: None,
    }
}

/// Whether `name` is one of the standard attributes.
pub fn is_standard(name: &str) -> bool {
    STANDARD.iter().any(|s| s.0 == name)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid(message)
}

fn parse_bound(value: Option<&String>, what: &str, name: &str) -> ApiResult<Option<i64>> {
    match value {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| invalid(format!("Invalid {what} for schema attribute {name}"))),
    }
}

/// A schema entry of CreateUserPool / AddCustomAttributes for a custom attribute.
/// Messages from moto's schema tests (`test_create_user_pool_custom_attribute_*`), ⚠ not
/// marked as verified against AWS.
fn custom_attribute(given: &SchemaAttributeType) -> ApiResult<SchemaAttribute> {
    let base = given.name.clone().unwrap_or_default();
    let data_type = given
        .attribute_data_type
        .as_ref()
        .and_then(DataType::parse)
        .ok_or_else(|| {
            invalid("Invalid AttributeDataType input, consider using the provided AttributeDataType enum.")
        })?;
    if given.required == Some(true) {
        return Err(invalid(
            "Required custom attributes are not supported currently.",
        ));
    }
    let developer_only = given.developer_only_attribute == Some(true);
    let prefix = if developer_only {
        "dev:custom:"
    } else {
        "custom:"
    };
    let name = format!("{prefix}{base}");
    let strings = given.string_attribute_constraints.as_ref();
    let numbers = given.number_attribute_constraints.as_ref();
    let (mut min_length, mut max_length, mut min_value, mut max_value) = (None, None, None, None);
    if data_type == DataType::String {
        let c = strings.cloned().unwrap_or_default();
        min_length = parse_bound(c.min_length.as_ref(), "StringAttributeConstraints", &name)?
            .map(|v| v.max(0) as usize);
        max_length = parse_bound(c.max_length.as_ref(), "StringAttributeConstraints", &name)?
            .map(|v| v.max(0) as usize);
        if min_length.unwrap_or(0) > MAX_VALUE_BYTES || max_length.unwrap_or(0) > MAX_VALUE_BYTES {
            return Err(invalid(format!(
                "user.{name}: String attributes cannot have a length of more than 2048"
            )));
        }
    }
    if data_type == DataType::Number {
        let c = numbers.cloned().unwrap_or_default();
        min_value = parse_bound(c.min_value.as_ref(), "NumberAttributeConstraints", &name)?;
        max_value = parse_bound(c.max_value.as_ref(), "NumberAttributeConstraints", &name)?;
    }
    Ok(SchemaAttribute {
        name: name.into(),
        data_type,
        // "Mutable" defaults to true for a custom attribute (moto
        // test_create_user_pool_custom_attribute_defaults).
        mutable: given.mutable.unwrap_or(true),
        required: false,
        developer_only,
        min_length,
        max_length,
        min_value,
        max_value,
    })
}

impl Default for Schema {
    fn default() -> Self {
        Schema {
            attributes: STANDARD.iter().map(standard_attribute).collect(),
        }
    }
}

impl Schema {
    /// The schema of CreateUserPool `Schema`: the standard attributes, with the `Required`,
    /// `Mutable` and string bounds given for them, and the custom attributes declared.
    pub fn from_request(given: Option<&[SchemaAttributeType]>) -> ApiResult<Schema> {
        let mut schema = Schema::default();
        let mut custom = Vec::new();
        for entry in given.unwrap_or_default() {
            let name = entry.name.as_deref().unwrap_or_default();
            let Some(standard) = schema.attributes.iter_mut().find(|a| &*a.name == name) else {
                custom.push(entry.clone());
                continue;
            };
            let changes_type = entry
                .attribute_data_type
                .as_ref()
                .is_some_and(|t| DataType::parse(t) != Some(standard.data_type));
            if changes_type || entry.developer_only_attribute == Some(true) {
                return Err(invalid(format!(
                    "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
                )));
            }
            if let Some(required) = entry.required {
                standard.required = required;
            }
            if let Some(mutable) = entry.mutable {
                standard.mutable = mutable;
            }
            if let Some(c) = &entry.string_attribute_constraints
                && standard.data_type == DataType::String
            {
                if let Some(v) =
                    parse_bound(c.min_length.as_ref(), "StringAttributeConstraints", name)?
                {
                    standard.min_length = Some(v.max(0) as usize);
                }
                if let Some(v) =
                    parse_bound(c.max_length.as_ref(), "StringAttributeConstraints", name)?
                {
                    standard.max_length = Some((v.max(0) as usize).min(MAX_VALUE_BYTES));
                }
            }
        }
        schema.add_custom(&custom)?;
        Ok(schema)
    }

    /// AddCustomAttributes: appends custom attributes; a name already in the schema is refused
    /// ("custom:x: Existing attribute already has name custom:x.", moto), as is a schema
    /// beyond [`MAX_CUSTOM_ATTRIBUTES`]. All or nothing.
    pub fn add_custom(&mut self, given: &[SchemaAttributeType]) -> ApiResult<()> {
        let mut added: Vec<SchemaAttribute> = Vec::new();
        for entry in given {
            let attribute = custom_attribute(entry)?;
            let base = entry.name.as_deref().unwrap_or_default();
            let clash = self.attributes.iter().chain(&added).find(|a| {
                a.name.trim_start_matches("dev:") == attribute.name.trim_start_matches("dev:")
            });
            if let Some(existing) = clash {
                return Err(invalid(format!(
                    "custom:{base}: Existing attribute already has name {}.",
                    existing.name
                )));
            }
            added.push(attribute);
        }
        let custom = self.custom_count() + added.len();
        if custom > MAX_CUSTOM_ATTRIBUTES {
            // ⚠ The quota is the guide's; no capture of the refusal's wording was found.
            return Err(invalid(format!(
                "A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
            )));
        }
        self.attributes.extend(added);
        Ok(())
    }

    fn custom_count(&self) -> usize {
        self.attributes
            .iter()
            .filter(|a| !is_standard(&a.name))
            .count()
    }

    pub fn get(&self, name: &str) -> Option<&SchemaAttribute> {
        self.attributes.iter().find(|a| &*a.name == name)
    }

    /// The schema as DescribeUserPool answers it (`SchemaAttributes`).
    pub fn to_wire(&self) -> Vec<SchemaAttributeType> {
        self.attributes
            .iter()
            .map(|a| SchemaAttributeType {
                name: Some(a.name.to_string()),
                attribute_data_type: Some(a.data_type.wire()),
                developer_only_attribute: Some(a.developer_only),
                mutable: Some(a.mutable),
                required: Some(a.required),
                number_attribute_constraints: (a.data_type == DataType::Number).then(|| {
                    NumberAttributeConstraintsType {
                        min_value: a.min_value.map(|v| v.to_string()),
                        max_value: a.max_value.map(|v| v.to_string()),
                    }
                }),
                string_attribute_constraints: (a.data_type == DataType::String).then(|| {
                    StringAttributeConstraintsType {
                        min_length: a.min_length.map(|v| v.to_string()),
                        max_length: a.max_length.map(|v| v.to_string()),
                    }
                }),
            })
            .collect()
    }
}

/// When an attribute write happens: at creation (SignUp, AdminCreateUser) or later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// SignUp: required attributes must be given.
    SignUp,
    /// AdminCreateUser and config seeding: required attributes may be left out.
    AdminCreate,
    /// UpdateUserAttributes / AdminUpdateUserAttributes: immutable attributes are refused.
    Update,
}

/// Collects the problems of one request, naming the first [`MAX_LISTED_PROBLEMS`].
#[derive(Default)]
struct Problems {
    listed: Vec<String>,
    more: usize,
}

impl Problems {
    fn push(&mut self, problem: String) {
        if self.listed.len() < MAX_LISTED_PROBLEMS {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }

    fn into_result(self, write: Write) -> ApiResult<()> {
        if self.listed.is_empty() {
            return Ok(());
        }
        let mut message = match write {
            Write::Update => String::from("Invalid user attributes: "),
            _ => String::from("Attributes did not conform to the schema: "),
        };
        for p in &self.listed {
            if write == Write::Update {
                message.push_str("user.");
            }
            message.push_str(p);
            message.push('\n');
        }
        if self.more > 0 {
            message.push_str(&format!("... and {} more.\n", self.more));
        }
        Err(invalid(message))
    }
}

/// What is wrong with `value` for `attribute`, if anything.
fn value_problem(attribute: &SchemaAttribute, value: &str) -> Option<String> {
    let name = &attribute.name;
    if value.len() > MAX_VALUE_BYTES {
        return Some(format!(
            "{name}: String must be no longer than {MAX_VALUE_BYTES} characters"
        ));
    }
    match attribute.data_type {
        DataType::String => {
            let chars = value.chars().count();
            if let Some(max) = attribute.max_length
                && chars > max
            {
                return Some(format!(
                    "{name}: String must be no longer than {max} characters"
                ));
            }
            if let Some(min) = attribute.min_length
                && chars < min
                && !value.is_empty()
            {
                return Some(format!(
                    "{name}: String must be no shorter than {min} characters"
                ));
            }
            None
        }
        DataType::Number => {
            let Ok(n) = value.trim().parse::<i64>() else {
                return Some(format!("{name}: Number must be an integer"));
            };
            if attribute.min_value.is_some_and(|min| n < min)
                || attribute.max_value.is_some_and(|max| n > max)
            {
                return Some(format!("{name}: Number is out of the attribute's range"));
            }
            None
        }
        // Case-insensitive: real Cognito accepts `email_verified: "True"` in AdminCreateUser
        // and then treats the address as verified (moto's `aws_verified` test
        // test_forgot_password_with_email_delivery_details, 5.2.5). Stored lowercase
        // ([`check_write`]), which the rest of the server compares against.
        DataType::Boolean => (!value.eq_ignore_ascii_case("true")
            && !value.eq_ignore_ascii_case("false"))
        .then(|| format!("{name}: Value must be 'true' or 'false'")),
        DataType::DateTime => None,
    }
}

/// Checks the attributes of one write against `schema` and returns them as stored: schema
/// attributes only, the last value of a repeated name winning. `sub` is never written: at
/// creation it is dropped (the server assigns it), later it is immutable.
pub fn check_write(
    schema: &Schema,
    given: &[AttributeType],
    write: Write,
) -> ApiResult<Vec<(Box<str>, Box<str>)>> {
    let mut problems = Problems::default();
    let mut out: Vec<(Box<str>, Box<str>)> = Vec::new();
    for a in given {
        let name = a.name.as_str();
        if name == "sub" && write != Write::Update {
            continue;
        }
        let Some(attribute) = schema.get(name) else {
            problems.push(format!("{name}: Attribute does not exist in the schema."));
            continue;
        };
        if write == Write::Update && !attribute.mutable {
            problems.push(format!("{name}: Attribute cannot be updated."));
            continue;
        }
        let value = a.value.as_deref().unwrap_or_default();
        if let Some(p) = value_problem(attribute, value) {
            problems.push(p);
            continue;
        }
        let value = match attribute.data_type {
            DataType::Boolean => value.to_ascii_lowercase(),
            _ => value.to_owned(),
        };
        out.retain(|(n, _)| &**n != name);
        out.push((name.into(), value.into()));
    }
    if write == Write::SignUp {
        for required in schema
            .attributes
            .iter()
            .filter(|a| a.required && &*a.name != "sub")
        {
            let given = out
                .iter()
                .any(|(n, v)| **n == *required.name && !v.is_empty());
            if !given {
                problems.push(format!("{}: The attribute is required", required.name));
            }
        }
    }
    problems.into_result(write)?;
    Ok(out)
}

/// Checks the names of DeleteUserAttributes: each must be in the schema and not required.
pub fn check_delete(schema: &Schema, names: &[String]) -> ApiResult<()> {
    let mut problems = Problems::default();
    for name in names {
        match schema.get(name) {
            None => problems.push(format!("{name}: Attribute does not exist in the schema.")),
            Some(a) if a.required || !a.mutable => {
                problems.push(format!("{name}: Attribute cannot be deleted."))
            }
            Some(_) => {}
        }
    }
    problems.into_result(Write::Update)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(name: &str, data_type: AttributeDataType, mutable: bool) -> SchemaAttributeType {
        SchemaAttributeType {
            name: Some(name.into()),
            attribute_data_type: Some(data_type),
            mutable: Some(mutable),
            ..Default::default()
        }
    }

    #[test]
    fn a_boolean_attribute_is_accepted_in_any_case_and_stored_lowercase() {
        let schema = Schema::default();
        let stored = check_write(
            &schema,
            &[AttributeType::new("email_verified", "True")],
            Write::AdminCreate,
        )
        .unwrap();
        assert_eq!(stored, vec![("email_verified".into(), "true".into())]);
        let e = check_write(
            &schema,
            &[AttributeType::new("email_verified", "yes")],
            Write::AdminCreate,
        )
        .unwrap_err();
        assert!(
            e.message.contains("Value must be 'true' or 'false'"),
            "{e:?}"
        );
    }

    #[test]
    fn an_undeclared_custom_attribute_is_refused_and_not_stored() {
        let schema = Schema::default();
        let e = check_write(
            &schema,
            &[AttributeType::new("custom:blob", "x".repeat(250_000))],
            Write::SignUp,
        )
        .unwrap_err();
        assert_eq!(e.kind, "InvalidParameterException");
        assert_eq!(
            e.message,
            "Attributes did not conform to the schema: custom:blob: Attribute does not exist in the schema.\n"
        );
    }

    #[test]
    fn thousands_of_bad_names_get_a_short_message() {
        let given: Vec<_> = (0..5000)
            .map(|i| AttributeType::new(format!("custom:a{i}"), "v"))
            .collect();
        let e = check_write(&Schema::default(), &given, Write::AdminCreate).unwrap_err();
        assert!(e.message.len() < 1000, "{}", e.message.len());
        assert!(e.message.ends_with("... and 4990 more.\n"), "{}", e.message);
    }

    #[test]
    fn declared_custom_attributes_are_stored_with_their_bounds() {
        let mut entry = custom("tenant", AttributeDataType::String, false);
        entry.string_attribute_constraints = Some(StringAttributeConstraintsType {
            min_length: Some("1".into()),
            max_length: Some("8".into()),
        });
        let schema = Schema::from_request(Some(&[entry])).unwrap();
        let ok = check_write(
            &schema,
            &[AttributeType::new("custom:tenant", "acme")],
            Write::SignUp,
        )
        .unwrap();
        assert_eq!(ok, vec![("custom:tenant".into(), "acme".into())]);
        let e = check_write(
            &schema,
            &[AttributeType::new("custom:tenant", "far-too-long")],
            Write::SignUp,
        )
        .unwrap_err();
        assert!(e.message.contains("no longer than 8"), "{}", e.message);
        let e = check_write(
            &schema,
            &[AttributeType::new("custom:tenant", "other")],
            Write::Update,
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid user attributes: user.custom:tenant: Attribute cannot be updated.\n"
        );
    }

    #[test]
    fn a_standard_required_attribute_is_needed_at_sign_up_only() {
        let entry = SchemaAttributeType {
            name: Some("email".into()),
            required: Some(true),
            ..Default::default()
        };
        let schema = Schema::from_request(Some(&[entry])).unwrap();
        let e = check_write(&schema, &[], Write::SignUp).unwrap_err();
        assert_eq!(
            e.message,
            "Attributes did not conform to the schema: email: The attribute is required\n"
        );
        assert!(check_write(&schema, &[], Write::AdminCreate).is_ok());
    }

    #[test]
    fn custom_attributes_are_capped_at_fifty_and_never_duplicated() {
        let mut schema = Schema::default();
        let fifty: Vec<_> = (0..50)
            .map(|i| custom(&format!("a{i}"), AttributeDataType::String, true))
            .collect();
        schema.add_custom(&fifty).unwrap();
        assert!(
            schema
                .add_custom(&[custom("b", AttributeDataType::String, true)])
                .is_err()
        );
        let e = schema
            .add_custom(&[custom("a1", AttributeDataType::Number, true)])
            .unwrap_err();
        assert_eq!(
            e.message,
            "custom:a1: Existing attribute already has name custom:a1."
        );
    }

    #[test]
    fn required_custom_attributes_and_retyped_standard_ones_are_refused() {
        let mut entry = custom("x", AttributeDataType::String, true);
        entry.required = Some(true);
        let e = Schema::from_request(Some(&[entry])).unwrap_err();
        assert_eq!(
            e.message,
            "Required custom attributes are not supported currently."
        );
        let e = Schema::from_request(Some(&[custom("email", AttributeDataType::Number, true)]))
            .unwrap_err();
        assert!(
            e.message
                .starts_with("You can not change AttributeDataType")
        );
    }

    #[test]
    fn sub_is_dropped_at_creation_and_immutable_later() {
        let schema = Schema::default();
        let stored =
            check_write(&schema, &[AttributeType::new("sub", "x")], Write::SignUp).unwrap();
        assert!(stored.is_empty());
        assert!(check_write(&schema, &[AttributeType::new("sub", "x")], Write::Update).is_err());
    }
}
