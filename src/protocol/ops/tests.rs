//! Fixture tests of the table and the wire types: every operation round-trips its recorded
//! bodies (`tests/data/protocol/ops/`), and the typed values decode as documented.

use super::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/data/protocol/ops/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// JSON equality where numbers compare by value (`3600` and `3600.0` are the same number
/// on the wire).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Decode a recorded body into `T` and encode it again: every member must survive (a
/// misspelt member name would be dropped on decode and fail here).
fn round_trip<T: Serialize + DeserializeOwned>(name: &str) -> T {
    let original = fixture(name);
    let typed: T =
        serde_json::from_value(original.clone()).unwrap_or_else(|e| panic!("{name}: decode: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert!(
        same_json(&original, &back),
        "{name}: round trip changed the body\n original: {original}\n re-encoded: {back}"
    );
    typed
}

fn check_op<Op: Operation>() {
    let name = Op::KIND.name();
    let req: Op = round_trip(&format!("{name}.request"));
    round_trip::<Op::Output>(&format!("{name}.response"));
    // Secrets in the recorded requests never reach Debug output.
    let shown = format!("{req:?}");
    for secret in [
        "TestPassword1!",
        "This-is-my-test-99!",
        "NewPassword1!",
        "Temp-Pa55word!",
        "Perm-Pa55word!",
        "New-Pa55word!",
        "IFVoC8EJZ5Rbp4pPNb",
        "oT5ZkS8ctnrhYeeGsGTvOzPhoc",
        "eyJra456defEXAMPLE",
        "eyJjd123abcEXAMPLE",
        "1example23456789abcdefghijklmnopqrstuvwxyz",
        "AYABeEXAMPLEsession",
        "zbhFEXAMPLEsig",
        "AGV4EXAMPLEsecretblock",
        "123456",
    ] {
        assert!(
            !shown.contains(secret),
            "{name}: Debug shows {secret}: {shown}"
        );
    }
}

#[test]
fn every_operation_round_trips_its_recorded_bodies() {
    check_op::<SignUpRequest>();
    check_op::<ConfirmSignUpRequest>();
    check_op::<ResendConfirmationCodeRequest>();
    check_op::<InitiateAuthRequest>();
    check_op::<RespondToAuthChallengeRequest>();
    check_op::<GetUserRequest>();
    check_op::<GlobalSignOutRequest>();
    check_op::<RevokeTokenRequest>();
    check_op::<GetTokensFromRefreshTokenRequest>();
    check_op::<ForgotPasswordRequest>();
    check_op::<ConfirmForgotPasswordRequest>();
    check_op::<ChangePasswordRequest>();
    check_op::<CreateUserPoolRequest>();
    check_op::<DeleteUserPoolRequest>();
    check_op::<CreateUserPoolClientRequest>();
    check_op::<CreateResourceServerRequest>();
    check_op::<CreateUserPoolDomainRequest>();
    check_op::<AdminCreateUserRequest>();
    check_op::<AdminSetUserPasswordRequest>();
    check_op::<AdminConfirmSignUpRequest>();
    check_op::<AdminDeleteUserRequest>();
    check_op::<AdminGetUserRequest>();
    check_op::<AdminInitiateAuthRequest>();
    check_op::<AdminRespondToAuthChallengeRequest>();
    check_op::<DescribeUserPoolRequest>();
    check_op::<AdminDisableUserRequest>();
    check_op::<AdminEnableUserRequest>();
    check_op::<AdminUserGlobalSignOutRequest>();
    check_op::<CreateGroupRequest>();
    check_op::<AdminAddUserToGroupRequest>();
    check_op::<ListUsersRequest>();
    check_op::<ListUserPoolsRequest>();
    check_op::<ListUserPoolClientsRequest>();
    check_op::<DescribeUserPoolClientRequest>();
    check_op::<UpdateUserPoolClientRequest>();
    check_op::<DeleteUserPoolClientRequest>();
    check_op::<UpdateUserPoolRequest>();
    check_op::<DescribeUserPoolDomainRequest>();
    check_op::<GetGroupRequest>();
    check_op::<ListGroupsRequest>();
    check_op::<DeleteGroupRequest>();
    check_op::<AdminRemoveUserFromGroupRequest>();
    check_op::<AdminListGroupsForUserRequest>();
    check_op::<ListUsersInGroupRequest>();
    check_op::<UpdateUserAttributesRequest>();
    check_op::<DeleteUserAttributesRequest>();
    check_op::<GetUserAttributeVerificationCodeRequest>();
    check_op::<VerifyUserAttributeRequest>();
    check_op::<DeleteUserRequest>();
    check_op::<AdminUpdateUserAttributesRequest>();
    check_op::<AdminDeleteUserAttributesRequest>();
    check_op::<AdminResetUserPasswordRequest>();
    check_op::<AddCustomAttributesRequest>();
    check_op::<AssociateSoftwareTokenRequest>();
    check_op::<VerifySoftwareTokenRequest>();
    check_op::<SetUserMfaPreferenceRequest>();
    check_op::<AdminSetUserMfaPreferenceRequest>();
    check_op::<SetUserPoolMfaConfigRequest>();
    check_op::<GetUserPoolMfaConfigRequest>();
    assert_eq!(
        OperationKind::ALL.len(),
        59,
        "a new operation needs fixtures here"
    );
}

#[test]
fn decoded_values_are_typed() {
    let r: InitiateAuthResponse = round_trip("InitiateAuth.response");
    let auth = r.authentication_result.unwrap();
    assert_eq!(auth.expires_in, Some(3600));
    assert_eq!(auth.token_type.as_deref(), Some("Bearer"));
    assert_eq!(auth.access_token.unwrap().expose(), "eyJra456defEXAMPLE");
    assert_eq!(r.challenge_parameters, Some(ParamMap::new()));

    let srp: InitiateAuthResponse = round_trip("InitiateAuth.srp.response");
    assert_eq!(
        srp.challenge_name,
        Some(ChallengeNameType::PasswordVerifier)
    );
    let params = srp.challenge_parameters.unwrap();
    assert_eq!(params["USER_ID_FOR_SRP"], "mytestuser");
    let shown = format!("{params:?}");
    assert!(
        shown.contains("mytestuser") && !shown.contains("bbbb0123"),
        "{shown}"
    );

    let mfa: InitiateAuthResponse = round_trip("InitiateAuth.mfa.response");
    assert_eq!(
        mfa.available_challenges,
        Some(vec![
            ChallengeNameType::Password,
            ChallengeNameType::WebAuthn
        ])
    );

    let u: AdminCreateUserResponse = round_trip("AdminCreateUser.response");
    let user = u.user.unwrap();
    assert_eq!(user.user_status, Some(UserStatusType::ForceChangePassword));
    assert_eq!(user.user_create_date, Some(1689980857.949));

    let c: CreateUserPoolClientResponse = round_trip("CreateUserPoolClient.response");
    let client = c.user_pool_client.unwrap();
    assert_eq!(
        client.client_id.as_deref(),
        Some("26cb2c60kq7nbmas7rbme9b6pp")
    );
    assert!(client.client_secret.is_some());
    assert!(!format!("{client:?}").contains("13ka4h7u28d9"));
    assert_eq!(
        client.allowed_oauth_flows,
        Some(vec![OAuthFlowType::Code, OAuthFlowType::ClientCredentials])
    );

    let req: AdminInitiateAuthRequest = round_trip("AdminInitiateAuth.request");
    assert_eq!(
        req.context_data.unwrap().http_headers[0]
            .header_name
            .as_deref(),
        Some("User-Agent")
    );
}

#[test]
fn absent_and_empty_are_distinct() {
    // AdminGetUser without MFA: AWS sends no UserMFASettingList key (ground truth §7.71).
    let r: AdminGetUserResponse = round_trip("AdminGetUser.response");
    assert_eq!(r.user_mfa_setting_list, None);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("UserMFASettingList").is_none());
    assert!(json.get("PreferredMfaSetting").is_none());
    let empty = AdminGetUserResponse {
        user_mfa_setting_list: Some(vec![]),
        ..r
    };
    assert_eq!(
        serde_json::to_value(&empty).unwrap()["UserMFASettingList"],
        serde_json::json!([])
    );
}

#[test]
fn unknown_enum_values_round_trip() {
    let v: AuthFlowType = serde_json::from_str("\"SOME_FUTURE_FLOW\"").unwrap();
    assert_eq!(v, AuthFlowType::Other("SOME_FUTURE_FLOW".into()));
    assert!(!v.is_known());
    assert_eq!(serde_json::to_string(&v).unwrap(), "\"SOME_FUTURE_FLOW\"");
    assert_eq!(
        AuthFlowType::parse("USER_SRP_AUTH"),
        AuthFlowType::UserSrpAuth
    );
    for flow in AuthFlowType::ALL {
        assert_eq!(&AuthFlowType::parse(flow.as_str()), flow);
    }
}

#[test]
fn required_members_are_required() {
    let err = serde_json::from_str::<SignUpResponse>(r#"{"UserConfirmed":true}"#).unwrap_err();
    assert!(err.to_string().contains("UserSub"), "{err}");
    let err = serde_json::from_str::<InitiateAuthRequest>(r#"{"ClientId":"c"}"#).unwrap_err();
    assert!(err.to_string().contains("AuthFlow"), "{err}");
}

#[test]
fn minimal_requests_encode_only_what_is_set() {
    let req = SignUpRequest {
        client_id: "c".into(),
        username: "u".into(),
        password: Some("p".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"ClientId":"c","Username":"u","Password":"p"}"#
    );
    assert_eq!(
        serde_json::to_string(&GlobalSignOutResponse {}).unwrap(),
        "{}"
    );
}

#[test]
fn debug_output_redacts_passwords() {
    let sign_up = SignUpRequest {
        client_id: "c".into(),
        username: "alice".into(),
        password: Some("Sup3r-Secret!".into()),
        secret_hash: Some("hash-value".into()),
        ..Default::default()
    };
    let shown = format!("{sign_up:?}");
    assert!(shown.contains("alice"));
    assert!(!shown.contains("Sup3r-Secret!"), "{shown}");
    assert!(!shown.contains("hash-value"), "{shown}");

    let auth = InitiateAuthRequest {
        auth_flow: AuthFlowType::UserPasswordAuth,
        auth_parameters: Some(
            ParamMap::new()
                .with("USERNAME", "alice")
                .with("PASSWORD", "Sup3r-Secret!"),
        ),
        client_id: "c".into(),
        ..Default::default()
    };
    let shown = format!("{auth:?}");
    assert!(shown.contains("alice"));
    assert!(!shown.contains("Sup3r-Secret!"), "{shown}");
    let shown = format!("{auth:#?}");
    assert!(!shown.contains("Sup3r-Secret!"), "{shown}");
}

#[test]
fn operation_names_and_targets() {
    assert_eq!(
        OperationKind::from_target("AWSCognitoIdentityProviderService.InitiateAuth"),
        Some(OperationKind::InitiateAuth)
    );
    assert_eq!(OperationKind::from_target("InitiateAuth"), None);
    assert_eq!(OperationKind::from_target("Other.InitiateAuth"), None);
    assert_eq!(
        OperationKind::from_target("AWSCognitoIdentityProviderService.initiateauth"),
        None
    );
    assert_eq!(op_names::AdminGetUser, "AdminGetUser");
    assert_eq!(
        OperationKind::AdminGetUser.target(),
        "AWSCognitoIdentityProviderService.AdminGetUser"
    );
    for op in OperationKind::ALL {
        assert_eq!(OperationKind::from_name(op.name()), Some(*op));
        // Ground truth §1.3: the public user operations are unsigned, the rest are SigV4.
        let unsigned = matches!(
            op,
            OperationKind::SignUp
                | OperationKind::ConfirmSignUp
                | OperationKind::ResendConfirmationCode
                | OperationKind::InitiateAuth
                | OperationKind::RespondToAuthChallenge
                | OperationKind::GetUser
                | OperationKind::GlobalSignOut
                | OperationKind::RevokeToken
                | OperationKind::GetTokensFromRefreshToken
                | OperationKind::ForgotPassword
                | OperationKind::ConfirmForgotPassword
                | OperationKind::ChangePassword
                | OperationKind::UpdateUserAttributes
                | OperationKind::DeleteUserAttributes
                | OperationKind::GetUserAttributeVerificationCode
                | OperationKind::VerifyUserAttribute
                | OperationKind::DeleteUser
                | OperationKind::AssociateSoftwareToken
                | OperationKind::VerifySoftwareToken
                | OperationKind::SetUserMFAPreference
        );
        assert_eq!(op.requires_sigv4(), !unsigned, "{op}");
        assert!(
            crate::quota::category_of(op.name()).is_some()
                || matches!(
                    op,
                    OperationKind::GlobalSignOut
                        | OperationKind::RevokeToken
                        | OperationKind::GetTokensFromRefreshToken
                ),
            "{op} has no quota category"
        );
    }
}
