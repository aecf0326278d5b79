//! Groups (SigV4-signed): CreateGroup and AdminAddUserToGroup ("Adding groups to a user
//! pool"). Members of a group carry it in the `cognito:groups` claim of later sign-ins.

use serde::{Deserialize, Serialize};

/// CreateGroup request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroupRequest {
    pub user_pool_id: String,
    pub group_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedence: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

/// `GroupType`: a group as CreateGroup returns it. The dates are epoch seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupType {
    pub group_name: String,
    pub user_pool_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedence: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub creation_date: f64,
    pub last_modified_date: f64,
}

/// CreateGroup response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroupResponse {
    pub group: GroupType,
}

/// AdminAddUserToGroup request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminAddUserToGroupRequest {
    pub user_pool_id: String,
    pub username: String,
    pub group_name: String,
}

/// AdminAddUserToGroup returns an empty structure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAddUserToGroupResponse {}
