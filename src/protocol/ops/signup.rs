//! Sign-up (public, unsigned): SignUp, ConfirmSignUp and ResendConfirmationCode
//! ("Signing up and confirming user accounts").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::shared::*;
use crate::protocol::sensitive::Sensitive;

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
