use super::*;

fn err(kind: OperationKind, body: &str) -> String {
    match check(kind, body.as_bytes()) {
        Err(e) => {
            assert_eq!(e.kind, "InvalidParameterException");
            e.message
        }
        Ok(()) => panic!("{body} passed"),
    }
}

#[test]
fn every_model_pattern_compiles_as_a_rust_regex() {
    let patterns = model_patterns();
    assert!(patterns.len() > 50, "{} patterns", patterns.len());
    for (op, path, p) in patterns {
        java_regex(&p).unwrap_or_else(|e| panic!("{op}{path}: {p}: {e}"));
    }
    assert!(!MODEL.is_empty());
}

#[test]
fn java_classes_keep_their_ascii_meaning() {
    let client_id = java_regex("[\\w+]+").unwrap();
    assert!(client_id.is_match("abc_123+"));
    assert!(!client_id.is_match("é"), "Java's \\w is ASCII");
    let token = java_regex("[A-Za-z0-9-_=.]+").unwrap();
    assert!(token.is_match("a-b_c=.9"));
    assert!(!token.is_match("a b"));
    let password = java_regex("[\\S]+").unwrap();
    assert!(password.is_match("Pässword1!"));
    assert!(!password.is_match("pass word"));
    assert!(!password.is_match(""), "the whole value must match");
}

#[test]
fn enum_sets_print_in_java_hash_set_order() {
    // The two sets quoted from the real service (module docs).
    let mfa: Vec<String> = ["OFF", "ON", "OPTIONAL"].map(String::from).to_vec();
    assert_eq!(java_hash_set_order(&mfa), ["OPTIONAL", "OFF", "ON"]);
    let action: Vec<String> = ["RESEND", "SUPPRESS"].map(String::from).to_vec();
    assert_eq!(java_hash_set_order(&action), ["SUPPRESS", "RESEND"]);
}

#[test]
fn missing_required_members_are_not_null_violations_in_name_order() {
    assert_eq!(
        err(OperationKind::SignUp, "{}"),
        "2 validation errors detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null; Value null at 'username' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn sensitive_values_are_not_shown_and_each_failed_constraint_is_listed() {
    let m = err(
        OperationKind::SignUp,
        r#"{"ClientId":"abc","Username":"","Password":"a b"}"#,
    );
    assert_eq!(
        m,
        "3 validation errors detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+; Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
    );
}

#[test]
fn enum_violations_quote_the_value() {
    let m = err(
        OperationKind::AdminCreateUser,
        r#"{"UserPoolId":"us-east-1_abc","Username":"u","MessageAction":"SURPRESS"}"#,
    );
    assert_eq!(
        m,
        "1 validation error detected: Value 'SURPRESS' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [SUPPRESS, RESEND]"
    );
}

#[test]
fn list_elements_of_structures_are_named_by_position() {
    let m = err(
        OperationKind::SignUp,
        r#"{"ClientId":"abc","Username":"u","UserAttributes":[{"Name":"email","Value":"x"},{"Value":"y"}]}"#,
    );
    assert_eq!(
        m,
        "1 validation error detected: Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn lists_of_strings_report_once_at_the_list() {
    let m = err(
        OperationKind::CreateUserPoolClient,
        r#"{"UserPoolId":"us-east-1_abc","ClientName":"c","ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","NOPE"]}"#,
    );
    assert!(
        m.starts_with("1 validation error detected: Value '[ALLOW_USER_SRP_AUTH, NOPE]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ["),
        "{m}"
    );
}

#[test]
fn numbers_outside_their_range_name_the_bound() {
    let m = err(
        OperationKind::CreateUserPoolClient,
        r#"{"UserPoolId":"us-east-1_abc","ClientName":"c","AuthSessionValidity":2}"#,
    );
    assert_eq!(
        m,
        "1 validation error detected: Value '2' at 'authSessionValidity' failed to satisfy constraint: Member must have value greater than or equal to 3"
    );
}

#[test]
fn valid_requests_and_undecodable_bodies_pass_to_the_typed_parse() {
    let ok = r#"{"ClientId":"abc","Username":"user","Password":"Passw0rd!"}"#;
    assert!(check(OperationKind::SignUp, ok.as_bytes()).is_ok());
    assert!(check(OperationKind::SignUp, b"not json").is_ok());
    assert!(
        check(
            OperationKind::SignUp,
            br#"{"ClientId": 5, "Username": "u"}"#
        )
        .is_ok()
    );
    assert!(
        check(OperationKind::SignUp, br#"{"ClientId": 5}"#).is_ok(),
        "a mistyped value is a SerializationException, before any constraint"
    );
}

#[test]
fn lengths_count_utf16_units_as_java_does() {
    // 64 astral characters are 128 UTF-16 units: at the limit; 65 are over it.
    let name = "\u{1F600}".repeat(64);
    let body = format!(r#"{{"ClientId":"abc","Username":"{name}"}}"#);
    assert!(check(OperationKind::SignUp, body.as_bytes()).is_ok());
    let body = format!(r#"{{"ClientId":"abc","Username":"{name}x"}}"#);
    assert!(err(OperationKind::SignUp, &body).contains("less than or equal to 128"));
}
