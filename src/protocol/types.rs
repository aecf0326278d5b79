//! Wire types of the Cognito user-pools API (JSON 1.1, API version 2016-04-18).
//!
//! One request and one response struct per operation, named after the operation
//! (`SignUpRequest`, `SignUpResponse`), with the member names and JSON shapes of the AWS API
//! reference: PascalCase members, optional members as `Option` and omitted when `None`, numbers
//! where the model has numbers (timestamps are epoch seconds as a JSON number). Both the client
//! (which encodes requests and decodes responses) and the reference server (which does the
//! opposite) use these types, so they are plain data with no behaviour beyond serde.
//!
//! Enumerations are `string_enum!` types: a Rust enum for the documented values plus an
//! `Other(String)` variant, so a value an implementation invents round-trips instead of failing
//! the whole decode. Unknown members are ignored on decode (forward compatibility).
//!
//! Members holding passwords, secrets, tokens, codes or sessions are [`Sensitive`]; the
//! string maps of authentication parameters are [`ParamMap`]. Both redact themselves in `Debug`.
//!
//! Rarely used configuration blocks (Lambda triggers, e-mail and SMS configuration, analytics,
//! message templates) are carried as raw `serde_json::Value`: the harness passes them through
//! and never interprets them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::sensitive::{ParamMap, Sensitive};

/// The `X-Amz-Target` prefix of every operation: `AWSCognitoIdentityProviderService.<Op>`.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";

/// The request and response content type of the JSON 1.1 protocol.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The SigV4 signing name of the service (ground truth §1.1).
pub const SIGNING_NAME: &str = "cognito-idp";

string_enum! {
    /// `AuthFlow` of InitiateAuth / AdminInitiateAuth.
    AuthFlowType {
        UserSrpAuth = "USER_SRP_AUTH",
        RefreshTokenAuth = "REFRESH_TOKEN_AUTH",
        RefreshToken = "REFRESH_TOKEN",
        CustomAuth = "CUSTOM_AUTH",
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        UserPasswordAuth = "USER_PASSWORD_AUTH",
        AdminUserPasswordAuth = "ADMIN_USER_PASSWORD_AUTH",
        UserAuth = "USER_AUTH",
    }
}

string_enum! {
    /// `ChallengeName` of the authentication operations.
    ChallengeNameType {
        SmsMfa = "SMS_MFA",
        EmailOtp = "EMAIL_OTP",
        SoftwareTokenMfa = "SOFTWARE_TOKEN_MFA",
        SelectMfaType = "SELECT_MFA_TYPE",
        MfaSetup = "MFA_SETUP",
        PasswordVerifier = "PASSWORD_VERIFIER",
        CustomChallenge = "CUSTOM_CHALLENGE",
        SelectChallenge = "SELECT_CHALLENGE",
        DeviceSrpAuth = "DEVICE_SRP_AUTH",
        DevicePasswordVerifier = "DEVICE_PASSWORD_VERIFIER",
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        NewPasswordRequired = "NEW_PASSWORD_REQUIRED",
        SmsOtp = "SMS_OTP",
        Password = "PASSWORD",
        WebAuthn = "WEB_AUTHN",
        PasswordSrp = "PASSWORD_SRP",
    }
}

string_enum! {
    /// `DeliveryMedium` of CodeDeliveryDetails and `DesiredDeliveryMediums` of AdminCreateUser.
    DeliveryMediumType {
        Sms = "SMS",
        Email = "EMAIL",
    }
}

string_enum! {
    /// `UserStatus` of a user.
    UserStatusType {
        Unconfirmed = "UNCONFIRMED",
        Confirmed = "CONFIRMED",
        Archived = "ARCHIVED",
        Compromised = "COMPROMISED",
        Unknown = "UNKNOWN",
        ResetRequired = "RESET_REQUIRED",
        ForceChangePassword = "FORCE_CHANGE_PASSWORD",
        ExternalProvider = "EXTERNAL_PROVIDER",
    }
}

string_enum! {
    /// `MessageAction` of AdminCreateUser.
    MessageActionType {
        Resend = "RESEND",
        Suppress = "SUPPRESS",
    }
}

string_enum! {
    /// `ExplicitAuthFlows` entries of an app client.
    ExplicitAuthFlowsType {
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        CustomAuthFlowOnly = "CUSTOM_AUTH_FLOW_ONLY",
        UserPasswordAuth = "USER_PASSWORD_AUTH",
        AllowAdminUserPasswordAuth = "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        AllowCustomAuth = "ALLOW_CUSTOM_AUTH",
        AllowUserPasswordAuth = "ALLOW_USER_PASSWORD_AUTH",
        AllowUserSrpAuth = "ALLOW_USER_SRP_AUTH",
        AllowRefreshTokenAuth = "ALLOW_REFRESH_TOKEN_AUTH",
        AllowUserAuth = "ALLOW_USER_AUTH",
    }
}

string_enum! {
    /// `AllowedOAuthFlows` entries of an app client.
    OAuthFlowType {
        Code = "code",
        Implicit = "implicit",
        ClientCredentials = "client_credentials",
    }
}

string_enum! {
    /// `PreventUserExistenceErrors` of an app client.
    PreventUserExistenceErrorTypes {
        Legacy = "LEGACY",
        Enabled = "ENABLED",
    }
}

string_enum! {
    /// Units of `TokenValidityUnits`.
    TimeUnitsType {
        Seconds = "seconds",
        Minutes = "minutes",
        Hours = "hours",
        Days = "days",
    }
}

string_enum! {
    /// `UsernameAttributes`, `AliasAttributes` and `AutoVerifiedAttributes` entries of a pool.
    PoolAttributeType {
        Email = "email",
        PhoneNumber = "phone_number",
        PreferredUsername = "preferred_username",
    }
}

string_enum! {
    /// `AttributeDataType` of a schema attribute.
    AttributeDataType {
        String = "String",
        Number = "Number",
        DateTime = "DateTime",
        Boolean = "Boolean",
    }
}

string_enum! {
    /// `MfaConfiguration` of a pool.
    UserPoolMfaType {
        Off = "OFF",
        On = "ON",
        Optional = "OPTIONAL",
    }
}

string_enum! {
    /// `DeletionProtection` of a pool.
    DeletionProtectionType {
        Active = "ACTIVE",
        Inactive = "INACTIVE",
    }
}

// ---------------------------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------------------------

/// `AttributeType`: one user attribute. `Value` is optional in the model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl AttributeType {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }
}

/// `NewDeviceMetadataType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadataType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_group_key: Option<String>,
}

/// `AuthenticationResultType`: the tokens of a completed sign-in. Every member is optional in
/// the model (a refresh returns no `RefreshToken`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResultType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Sensitive>,
    /// Lifetime of the access token in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_device_metadata: Option<NewDeviceMetadataType>,
}

/// `CodeDeliveryDetailsType`: where a confirmation code was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetailsType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_medium: Option<DeliveryMediumType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// `AnalyticsMetadataType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AnalyticsMetadataType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_endpoint_id: Option<String>,
}

/// `UserContextDataType` (advanced security data of the public operations).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserContextDataType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_data: Option<String>,
}

/// `HttpHeader`: note the lower-camel member names, as in the model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpHeader {
    #[serde(
        rename = "headerName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub header_name: Option<String>,
    #[serde(
        rename = "headerValue",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub header_value: Option<String>,
}

/// `ContextDataType` (advanced security data of the Admin authentication operations).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContextDataType {
    pub ip_address: String,
    pub server_name: String,
    pub server_path: String,
    pub http_headers: Vec<HttpHeader>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_data: Option<String>,
}

/// `MFAOptionType` (legacy SMS MFA settings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaOptionType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_medium: Option<DeliveryMediumType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// `UserType`: a user as returned by AdminCreateUser (and ListUsers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<AttributeType>>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_create_date: Option<f64>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_last_modified_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_status: Option<UserStatusType>,
    #[serde(
        rename = "MFAOptions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mfa_options: Option<Vec<MfaOptionType>>,
}

// ---------------------------------------------------------------------------------------------
// Public (unsigned) user operations
// ---------------------------------------------------------------------------------------------

/// SignUp request. `Password` is optional in the current model (passwordless pools).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_attributes: Option<Vec<AttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_data: Option<Vec<AttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

/// SignUp response: `UserConfirmed` and `UserSub` are required (ground truth §1.15).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    pub user_confirmed: bool,
    pub user_sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetailsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    pub username: String,
    pub confirmation_code: Sensitive,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_alias_creation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextDataType>,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetailsType>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthRequest {
    pub auth_flow: AuthFlowType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_parameters: Option<ParamMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

/// InitiateAuth response: every member optional (ground truth §1.15).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<ChallengeNameType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_parameters: Option<ParamMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResultType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_challenges: Option<Vec<ChallengeNameType>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallengeRequest {
    pub client_id: String,
    pub challenge_name: ChallengeNameType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_responses: Option<ParamMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallengeResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<ChallengeNameType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_parameters: Option<ParamMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResultType>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserRequest {
    pub access_token: Sensitive,
}

/// GetUser response: `Username` and `UserAttributes` are required (ground truth §1.15).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    pub username: String,
    pub user_attributes: Vec<AttributeType>,
    #[serde(
        rename = "MFAOptions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mfa_options: Option<Vec<MfaOptionType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
    #[serde(
        rename = "UserMFASettingList",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub user_mfa_setting_list: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSignOutRequest {
    pub access_token: Sensitive,
}

/// GlobalSignOut returns an empty structure (ground truth §11.95).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalSignOutResponse {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeTokenRequest {
    /// The refresh token to revoke.
    pub token: Sensitive,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Sensitive>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeTokenResponse {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextDataType>,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetailsType>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Sensitive>,
    pub username: String,
    pub confirmation_code: Sensitive,
    pub password: Sensitive,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmForgotPasswordResponse {}

/// ChangePassword: `PreviousPassword` is optional in the current model (ground truth §12.107).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePasswordRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_password: Option<Sensitive>,
    pub proposed_password: Sensitive,
    pub access_token: Sensitive,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordResponse {}

// ---------------------------------------------------------------------------------------------
// Pool management (SigV4-signed)
// ---------------------------------------------------------------------------------------------

/// `PasswordPolicyType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicyType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_length: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_uppercase: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_lowercase: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_numbers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_symbols: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_history_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password_validity_days: Option<i64>,
}

/// `SignInPolicyType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignInPolicyType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_first_auth_factors: Option<Vec<String>>,
}

/// `UserPoolPolicyType`: the pool's `Policies`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolPolicyType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicyType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_policy: Option<SignInPolicyType>,
}

/// `NumberAttributeConstraintsType`: bounds are strings in the model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NumberAttributeConstraintsType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<String>,
}

/// `StringAttributeConstraintsType`: bounds are strings in the model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StringAttributeConstraintsType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<String>,
}

/// `SchemaAttributeType`: one entry of `Schema` / `SchemaAttributes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttributeType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_data_type: Option<AttributeDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer_only_attribute: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_attribute_constraints: Option<NumberAttributeConstraintsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<StringAttributeConstraintsType>,
}

/// `MessageTemplateType` (AdminCreateUserConfig's invitation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTemplateType {
    #[serde(
        rename = "SMSMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sms_message: Option<String>,
    #[serde(
        rename = "EmailMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub email_message: Option<String>,
    #[serde(
        rename = "EmailSubject",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub email_subject: Option<String>,
}

/// `AdminCreateUserConfigType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserConfigType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_admin_create_user_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_account_validity_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_message_template: Option<MessageTemplateType>,
}

/// `DeviceConfigurationType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceConfigurationType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_required_on_new_device: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_only_remembered_on_user_prompt: Option<bool>,
}

/// `UsernameConfigurationType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UsernameConfigurationType {
    pub case_sensitive: bool,
}

/// `RecoveryOptionType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecoveryOptionType {
    pub priority: i64,
    /// `verified_email`, `verified_phone_number` or `admin_only`.
    pub name: String,
}

/// `AccountRecoverySettingType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountRecoverySettingType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_mechanisms: Option<Vec<RecoveryOptionType>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolRequest {
    pub pool_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<UserPoolPolicyType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<DeletionProtectionType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_config: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_verified_attributes: Option<Vec<PoolAttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_attributes: Option<Vec<PoolAttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_attributes: Option<Vec<PoolAttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_verification_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verification_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verification_subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_message_template: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_authentication_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_configuration: Option<UserPoolMfaType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_attribute_update_settings: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_configuration: Option<DeviceConfigurationType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_configuration: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_configuration: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_tags: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_create_user_config: Option<AdminCreateUserConfigType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Vec<SchemaAttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_add_ons: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_configuration: Option<UsernameConfigurationType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_recovery_setting: Option<AccountRecoverySettingType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_tier: Option<String>,
}

/// `UserPoolType`: a pool as returned by CreateUserPool / DescribeUserPool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<UserPoolPolicyType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<DeletionProtectionType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_config: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<f64>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_attributes: Option<Vec<SchemaAttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_verified_attributes: Option<Vec<PoolAttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_attributes: Option<Vec<PoolAttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_attributes: Option<Vec<PoolAttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_verification_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verification_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verification_subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_message_template: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_authentication_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_attribute_update_settings: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_configuration: Option<UserPoolMfaType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_configuration: Option<DeviceConfigurationType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_number_of_users: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_configuration: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_configuration: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_tags: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_configuration_failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_configuration_failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_create_user_config: Option<AdminCreateUserConfigType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_add_ons: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_configuration: Option<UsernameConfigurationType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_recovery_setting: Option<AccountRecoverySettingType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_tier: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool: Option<UserPoolType>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserPoolRequest {
    pub user_pool_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUserPoolResponse {}

/// `TokenValidityUnitsType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnitsType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<TimeUnitsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<TimeUnitsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<TimeUnitsType>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolClientRequest {
    pub user_pool_id: String,
    pub client_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_secret: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_validity_units: Option<TokenValidityUnitsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_attributes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_attributes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit_auth_flows: Option<Vec<ExplicitAuthFlowsType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_identity_providers: Option<Vec<String>>,
    #[serde(
        rename = "CallbackURLs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_urls: Option<Vec<String>>,
    #[serde(
        rename = "LogoutURLs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub logout_urls: Option<Vec<String>>,
    #[serde(
        rename = "DefaultRedirectURI",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_redirect_uri: Option<String>,
    #[serde(
        rename = "AllowedOAuthFlows",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_flows: Option<Vec<OAuthFlowType>>,
    #[serde(
        rename = "AllowedOAuthScopes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_scopes: Option<Vec<String>>,
    #[serde(
        rename = "AllowedOAuthFlowsUserPoolClient",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_configuration: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_user_existence_errors: Option<PreventUserExistenceErrorTypes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_token_revocation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_propagate_additional_user_context_data: Option<bool>,
    /// Minutes (3-15) a challenge `Session` stays valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<Value>,
}

/// `UserPoolClientType`: an app client as returned by CreateUserPoolClient.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Sensitive>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<f64>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_validity_units: Option<TokenValidityUnitsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_attributes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_attributes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit_auth_flows: Option<Vec<ExplicitAuthFlowsType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_identity_providers: Option<Vec<String>>,
    #[serde(
        rename = "CallbackURLs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_urls: Option<Vec<String>>,
    #[serde(
        rename = "LogoutURLs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub logout_urls: Option<Vec<String>>,
    #[serde(
        rename = "DefaultRedirectURI",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_redirect_uri: Option<String>,
    #[serde(
        rename = "AllowedOAuthFlows",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_flows: Option<Vec<OAuthFlowType>>,
    #[serde(
        rename = "AllowedOAuthScopes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_scopes: Option<Vec<String>>,
    #[serde(
        rename = "AllowedOAuthFlowsUserPoolClient",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_configuration: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevent_user_existence_errors: Option<PreventUserExistenceErrorTypes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_token_revocation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_propagate_additional_user_context_data: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolClientResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_client: Option<UserPoolClientType>,
}

/// `ResourceServerScopeType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerScopeType {
    pub scope_name: String,
    pub scope_description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateResourceServerRequest {
    pub user_pool_id: String,
    pub identifier: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<ResourceServerScopeType>>,
}

/// `ResourceServerType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<ResourceServerScopeType>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateResourceServerResponse {
    pub resource_server: ResourceServerType,
}

/// `CustomDomainConfigType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomDomainConfigType {
    pub certificate_arn: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolDomainRequest {
    /// The prefix (`my-prefix` of `my-prefix.auth.<region>.amazoncognito.com`) or a custom
    /// domain name.
    pub domain: String,
    pub user_pool_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_login_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain_config: Option<CustomDomainConfigType>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolDomainResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_login_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_front_domain: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Admin user operations (SigV4-signed)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_attributes: Option<Vec<AttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_data: Option<Vec<AttributeType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_alias_creation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_action: Option<MessageActionType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_delivery_mediums: Option<Vec<DeliveryMediumType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserType>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserPasswordRequest {
    pub user_pool_id: String,
    pub username: String,
    pub password: Sensitive,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanent: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSetUserPasswordResponse {}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminConfirmSignUpRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminConfirmSignUpResponse {}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminDeleteUserRequest {
    pub user_pool_id: String,
    pub username: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDeleteUserResponse {}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetUserRequest {
    pub user_pool_id: String,
    pub username: String,
}

/// AdminGetUser response. With no MFA, real Cognito omits `UserMFASettingList` and
/// `PreferredMfaSetting` entirely (ground truth §7.71), hence `Option` rather than empty lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetUserResponse {
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_attributes: Option<Vec<AttributeType>>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_create_date: Option<f64>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_last_modified_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_status: Option<UserStatusType>,
    #[serde(
        rename = "MFAOptions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mfa_options: Option<Vec<MfaOptionType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
    #[serde(
        rename = "UserMFASettingList",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub user_mfa_setting_list: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminInitiateAuthRequest {
    pub user_pool_id: String,
    pub client_id: String,
    pub auth_flow: AuthFlowType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_parameters: Option<ParamMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_data: Option<ContextDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminInitiateAuthResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<ChallengeNameType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_parameters: Option<ParamMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResultType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_challenges: Option<Vec<ChallengeNameType>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminRespondToAuthChallengeRequest {
    pub user_pool_id: String,
    pub client_id: String,
    pub challenge_name: ChallengeNameType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_responses: Option<ParamMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_data: Option<ContextDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminRespondToAuthChallengeResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<ChallengeNameType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_parameters: Option<ParamMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResultType>,
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/// Declares [`OperationKind`], the [`Operation`] impls and the operation-name constants from one
/// table: `Name => Request, Response, signed`.
macro_rules! operations {
    ( $( $name:ident => $req:ident, $resp:ident, $signed:literal ; )+ ) => {
        /// Every operation the harness speaks, named as in `X-Amz-Target`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OperationKind {
            $( $name, )+
        }

        impl OperationKind {
            /// Every operation, in declaration order.
            pub const ALL: &'static [OperationKind] = &[ $( OperationKind::$name ),+ ];

            /// The operation name (`"InitiateAuth"`), the suffix of `X-Amz-Target`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( OperationKind::$name => stringify!($name), )+
                }
            }

            /// Whether the operation is SigV4-signed. The public user operations are
            /// `authtype: none` (ground truth §1.3); Admin* and pool management use SigV4.
            pub const fn requires_sigv4(self) -> bool {
                match self {
                    $( OperationKind::$name => $signed, )+
                }
            }

            /// The operation called `name` (exact, case-sensitive, as Cognito matches it).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( stringify!($name) => Some(OperationKind::$name), )+
                    _ => None,
                }
            }
        }

        /// Operation names as constants (`op_names::InitiateAuth == "InitiateAuth"`), for code
        /// that dispatches on strings. Named exactly as the operations, hence the lint allowance.
        #[allow(non_upper_case_globals)]
        pub mod op_names {
            $( pub const $name: &str = stringify!($name); )+
        }

        $(
            impl Operation for $req {
                const KIND: OperationKind = OperationKind::$name;
                type Output = $resp;
            }
        )+
    };
}

/// A request type of one operation: ties it to its name, its signing and its response type.
pub trait Operation:
    Serialize + serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + 'static
{
    const KIND: OperationKind;
    type Output: Serialize + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static;
}

operations! {
    SignUp => SignUpRequest, SignUpResponse, false;
    ConfirmSignUp => ConfirmSignUpRequest, ConfirmSignUpResponse, false;
    ResendConfirmationCode => ResendConfirmationCodeRequest, ResendConfirmationCodeResponse, false;
    InitiateAuth => InitiateAuthRequest, InitiateAuthResponse, false;
    RespondToAuthChallenge => RespondToAuthChallengeRequest, RespondToAuthChallengeResponse, false;
    GetUser => GetUserRequest, GetUserResponse, false;
    GlobalSignOut => GlobalSignOutRequest, GlobalSignOutResponse, false;
    RevokeToken => RevokeTokenRequest, RevokeTokenResponse, false;
    ForgotPassword => ForgotPasswordRequest, ForgotPasswordResponse, false;
    ConfirmForgotPassword => ConfirmForgotPasswordRequest, ConfirmForgotPasswordResponse, false;
    ChangePassword => ChangePasswordRequest, ChangePasswordResponse, false;
    CreateUserPool => CreateUserPoolRequest, CreateUserPoolResponse, true;
    DeleteUserPool => DeleteUserPoolRequest, DeleteUserPoolResponse, true;
    CreateUserPoolClient => CreateUserPoolClientRequest, CreateUserPoolClientResponse, true;
    CreateResourceServer => CreateResourceServerRequest, CreateResourceServerResponse, true;
    CreateUserPoolDomain => CreateUserPoolDomainRequest, CreateUserPoolDomainResponse, true;
    AdminCreateUser => AdminCreateUserRequest, AdminCreateUserResponse, true;
    AdminSetUserPassword => AdminSetUserPasswordRequest, AdminSetUserPasswordResponse, true;
    AdminConfirmSignUp => AdminConfirmSignUpRequest, AdminConfirmSignUpResponse, true;
    AdminDeleteUser => AdminDeleteUserRequest, AdminDeleteUserResponse, true;
    AdminGetUser => AdminGetUserRequest, AdminGetUserResponse, true;
    AdminInitiateAuth => AdminInitiateAuthRequest, AdminInitiateAuthResponse, true;
    AdminRespondToAuthChallenge => AdminRespondToAuthChallengeRequest, AdminRespondToAuthChallengeResponse, true;
}

impl OperationKind {
    /// The operation named by an `X-Amz-Target` header value
    /// (`AWSCognitoIdentityProviderService.InitiateAuth`).
    pub fn from_target(target: &str) -> Option<Self> {
        let (prefix, name) = target.split_once('.')?;
        if prefix != TARGET_PREFIX {
            return None;
        }
        Self::from_name(name)
    }

    /// The full `X-Amz-Target` header value for this operation.
    pub fn target(self) -> String {
        format!("{TARGET_PREFIX}.{}", self.name())
    }
}

impl std::fmt::Display for OperationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;

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
        let typed: T = serde_json::from_value(original.clone())
            .unwrap_or_else(|e| panic!("{name}: decode: {e}"));
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
        assert_eq!(
            OperationKind::ALL.len(),
            23,
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
                    | OperationKind::ForgotPassword
                    | OperationKind::ConfirmForgotPassword
                    | OperationKind::ChangePassword
            );
            assert_eq!(op.requires_sigv4(), !unsigned, "{op}");
            assert!(
                crate::quota::category_of(op.name()).is_some()
                    || matches!(
                        op,
                        OperationKind::GlobalSignOut | OperationKind::RevokeToken
                    ),
                "{op} has no quota category"
            );
        }
    }
}
