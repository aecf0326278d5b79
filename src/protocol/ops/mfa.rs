//! Multi-factor authentication with software tokens (TOTP): AssociateSoftwareToken,
//! VerifySoftwareToken, the user's and the admin's MFA preference, and the pool's MFA
//! configuration (developer guide "Adding MFA to a user pool", "TOTP software token MFA";
//! shapes from the botocore `cognito-idp` 2016-04-18 service model).

use serde::{Deserialize, Serialize};

use super::shared::*;
use crate::protocol::sensitive::Sensitive;

/// AssociateSoftwareToken: a new TOTP secret for the user named by an access token or by the
/// `Session` of an `MFA_SETUP` challenge. Unsigned (`authtype: none`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenResponse {
    /// The base32 TOTP secret (`[A-Za-z0-9]+`, at least 16 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_code: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

/// VerifySoftwareToken: a code of the associated secret; success registers the token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
    pub user_code: Sensitive,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_device_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenResponse {
    /// `SUCCESS` or `ERROR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Sensitive>,
}

/// `SMSMfaSettings`, `SoftwareTokenMfaSettings` and `EmailMfaSettings`: one factor's
/// preference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettingsType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserMfaPreferenceRequest {
    #[serde(
        default,
        rename = "SMSMfaSettings",
        skip_serializing_if = "Option::is_none"
    )]
    pub sms_mfa_settings: Option<MfaSettingsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_settings: Option<MfaSettingsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_mfa_settings: Option<MfaSettingsType>,
    pub access_token: Sensitive,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetUserMfaPreferenceResponse {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserMfaPreferenceRequest {
    #[serde(
        default,
        rename = "SMSMfaSettings",
        skip_serializing_if = "Option::is_none"
    )]
    pub sms_mfa_settings: Option<MfaSettingsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_settings: Option<MfaSettingsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_mfa_settings: Option<MfaSettingsType>,
    pub username: String,
    pub user_pool_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSetUserMfaPreferenceResponse {}

/// `SoftwareTokenMfaConfiguration` of a pool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoftwareTokenMfaConfigType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserPoolMfaConfigRequest {
    pub user_pool_id: String,
    /// `SmsMfaConfiguration`, `EmailMfaConfiguration` and `WebAuthnConfiguration` are kept as
    /// JSON: the server does not send SMS or email MFA codes, and echoes nothing of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_mfa_configuration: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfigType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_mfa_configuration: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_configuration: Option<UserPoolMfaType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_authn_configuration: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserPoolMfaConfigResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfigType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_configuration: Option<UserPoolMfaType>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserPoolMfaConfigRequest {
    pub user_pool_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserPoolMfaConfigResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfigType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_configuration: Option<UserPoolMfaType>,
}
