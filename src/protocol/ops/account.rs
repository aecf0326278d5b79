//! The signed-in user's own account and its recovery (public, unsigned): GetUser,
//! ForgotPassword, ConfirmForgotPassword and ChangePassword.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::shared::*;
use crate::protocol::sensitive::Sensitive;

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
