//! Authentication: InitiateAuth, RespondToAuthChallenge and their Admin forms, and the
//! sign-out operations (GlobalSignOut, RevokeToken, AdminUserGlobalSignOut), GetTokensFromRefreshToken, that end what a
//! sign-in started ("User pool authentication flow").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::shared::*;
use crate::protocol::sensitive::{ParamMap, Sensitive};

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

/// GetTokensFromRefreshToken (botocore `cognito-idp` 2016-04-18 service model): new ID and
/// access tokens for a refresh token, the operation Amplify JS v6 refreshes sessions with
/// (`@aws-amplify/auth` 6.21 `providers/cognito/utils/refreshAuthTokens`). Unsigned (`authtype:
/// none` in the model). `ClientSecret` is the secret itself, not a SECRET_HASH.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenRequest {
    pub refresh_token: Sensitive,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResultType>,
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

/// AdminUserGlobalSignOut: revokes every refresh token of the user, as GlobalSignOut does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserGlobalSignOutRequest {
    pub user_pool_id: String,
    pub username: String,
}

/// AdminUserGlobalSignOut returns an empty structure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserGlobalSignOutResponse {}
