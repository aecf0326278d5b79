//! Shapes several feature areas share: the string enumerations (auth flows, challenge names,
//! user status, ...) and the structures more than one operation carries (`AttributeType`,
//! `UserType`, `AuthenticationResultType`, `CodeDeliveryDetailsType`, the context data of the
//! advanced-security members).
//!
//! Enumerations are `string_enum!` types: a Rust enum for the documented values plus an
//! `Other(String)` variant, so a value an implementation invents round-trips instead of failing
//! the whole decode.

use serde::{Deserialize, Serialize};

use crate::protocol::sensitive::Sensitive;

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
