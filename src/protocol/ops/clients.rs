//! App-client management (SigV4-signed): DescribeUserPoolClient, ListUserPoolClients,
//! UpdateUserPoolClient and DeleteUserPoolClient. The client itself is
//! [`UserPoolClientType`](super::pools::UserPoolClientType), as CreateUserPoolClient returns it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pools::{RefreshTokenRotationType, TokenValidityUnitsType, UserPoolClientType};
use super::shared::*;

/// DescribeUserPoolClient request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolClientRequest {
    pub user_pool_id: String,
    pub client_id: String,
}

/// DescribeUserPoolClient response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolClientResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_client: Option<UserPoolClientType>,
}

/// DeleteUserPoolClient request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserPoolClientRequest {
    pub user_pool_id: String,
    pub client_id: String,
}

/// DeleteUserPoolClient returns an empty structure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUserPoolClientResponse {}

/// ListUserPoolClients request: `MaxResults` 1-60 (model `QueryLimit`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsRequest {
    pub user_pool_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `UserPoolClientDescription`: a client as ListUserPoolClients summarises it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientDescription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
}

/// ListUserPoolClients response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_clients: Option<Vec<UserPoolClientDescription>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// UpdateUserPoolClient request: CreateUserPoolClient's members less `GenerateSecret`, with
/// the client's id. A member left out is set to its default, not kept (API reference,
/// UpdateUserPoolClient).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolClientRequest {
    pub user_pool_id: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
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

/// UpdateUserPoolClient response: the client after the update.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolClientResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_client: Option<UserPoolClientType>,
}
