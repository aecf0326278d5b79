//! Pool management (SigV4-signed): user pools, app clients, resource servers and domains, with
//! the configuration blocks they carry (policies, schema, token validity).
//!
//! Rarely used configuration blocks (Lambda triggers, e-mail and SMS configuration, analytics,
//! message templates) are carried as raw `serde_json::Value`: the harness passes them through
//! and never interprets them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::shared::*;
use crate::protocol::sensitive::Sensitive;

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

string_enum! {
    /// `FeatureType`: the state of an app-client feature (refresh-token rotation).
    FeatureType {
        Enabled = "ENABLED",
        Disabled = "DISABLED",
    }
}

/// `RefreshTokenRotationType` of Create/UpdateUserPoolClient: with `Feature` ENABLED,
/// GetTokensFromRefreshToken issues a new refresh token and the submitted one stays valid for
/// `RetryGracePeriodSeconds` (0-60, the model's range) more.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshTokenRotationType {
    pub feature: FeatureType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_grace_period_seconds: Option<i64>,
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
    pub refresh_token_rotation: Option<RefreshTokenRotationType>,
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
    pub refresh_token_rotation: Option<RefreshTokenRotationType>,
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

/// DescribeUserPool request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolRequest {
    pub user_pool_id: String,
}

/// DescribeUserPool response: the pool, as CreateUserPool returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolResponse {
    pub user_pool: UserPoolType,
}

/// DeleteUserPoolDomain request. Not a row of the operation table (the reference server does
/// not implement it); the conformance runner sends it when cleaning up on other targets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserPoolDomainRequest {
    pub domain: String,
    pub user_pool_id: String,
}

// Builders: how a pool, client, resource server or domain declaration becomes a request. The
// engine's run pool, the conformance runner's fixture pools and the serve config's seed pools
// all start here, so each member is set in one place.

/// The `ALLOW_*` flows of a client that users sign in with: SRP, password, admin password and
/// refresh.
pub const USER_AUTH_FLOWS: [ExplicitAuthFlowsType; 4] = [
    ExplicitAuthFlowsType::AllowUserSrpAuth,
    ExplicitAuthFlowsType::AllowUserPasswordAuth,
    ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
];

impl CreateUserPoolRequest {
    /// A pool called `name` with every optional member unset.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            pool_name: name.into(),
            ..Default::default()
        }
    }

    /// The pool's password policy.
    pub fn with_password_policy(mut self, policy: PasswordPolicyType) -> Self {
        self.policies = Some(UserPoolPolicyType {
            password_policy: Some(policy),
            sign_in_policy: None,
        });
        self
    }
}

impl CreateUserPoolClientRequest {
    /// A client called `name` of pool `pool_id` with every optional member unset.
    pub fn new(pool_id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            user_pool_id: pool_id.into(),
            client_name: name.into(),
            ..Default::default()
        }
    }

    /// Users sign in with [`USER_AUTH_FLOWS`].
    pub fn with_user_flows(mut self) -> Self {
        self.explicit_auth_flows = Some(USER_AUTH_FLOWS.to_vec());
        self
    }

    /// Managed login: the code grant with `scopes`, to `callback_url`, through the Cognito
    /// user directory.
    pub fn with_code_grant(mut self, scopes: &[&str], callback_url: &str) -> Self {
        self.allowed_oauth_flows = Some(vec![OAuthFlowType::Code]);
        self.allowed_oauth_scopes = Some(scopes.iter().map(|s| (*s).to_owned()).collect());
        self.allowed_oauth_flows_user_pool_client = Some(true);
        self.callback_urls = Some(vec![callback_url.to_owned()]);
        self.supported_identity_providers = Some(vec!["COGNITO".to_owned()]);
        self
    }

    /// A confidential machine-to-machine client: a secret and the `client_credentials` grant
    /// for `scopes`.
    pub fn with_client_credentials(mut self, scopes: &[&str]) -> Self {
        self.generate_secret = Some(true);
        self.allowed_oauth_flows = Some(vec![OAuthFlowType::ClientCredentials]);
        self.allowed_oauth_scopes = Some(scopes.iter().map(|s| (*s).to_owned()).collect());
        self.allowed_oauth_flows_user_pool_client = Some(true);
        self
    }
}

impl CreateResourceServerRequest {
    /// A resource server `identifier` (also its name) of pool `pool_id` with one scope.
    pub fn with_scope(
        pool_id: impl Into<String>,
        identifier: &str,
        scope: &str,
        description: &str,
    ) -> Self {
        Self {
            user_pool_id: pool_id.into(),
            identifier: identifier.to_owned(),
            name: identifier.to_owned(),
            scopes: Some(vec![ResourceServerScopeType {
                scope_name: scope.to_owned(),
                scope_description: description.to_owned(),
            }]),
        }
    }
}

impl CreateUserPoolDomainRequest {
    /// The prefix domain `domain` of pool `pool_id`.
    pub fn new(pool_id: impl Into<String>, domain: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            user_pool_id: pool_id.into(),
            ..Default::default()
        }
    }
}
