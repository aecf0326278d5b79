//! Groups ("Adding groups to a user pool"): CreateGroup, GetGroup, ListGroups, DeleteGroup,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup.
//! A user's memberships are in `User::groups`, read when tokens are issued, so later sign-ins
//! and refreshes of a member carry the group in `cognito:groups` and stop carrying it once
//! the user is removed or the group deleted (API reference, DeleteGroup: a deleted group "no
//! longer contributes to users' cognito:preferred_group or cognito:groups claims").

use super::listing::user_summary;
use super::paging::{Page, page, page_size};
use super::{Handle, admin_user, secs};
use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{Group, Pool, Store};

/// An unknown group: ResourceNotFoundException "Group not found." (as AdminAddUserToGroup).
fn group_not_found() -> ApiError {
    ApiError::not_found("Group not found.")
}

fn group_type(pool: &Pool, group: &Group) -> GroupType {
    GroupType {
        group_name: group.name.clone(),
        user_pool_id: pool.id.clone(),
        description: group.description.clone(),
        precedence: group.precedence,
        role_arn: group.role_arn.clone(),
        creation_date: secs(group.created_ms),
        last_modified_date: secs(group.created_ms),
    }
}

fn group(pool: &Pool, name: &str) -> ApiResult<Group> {
    pool.groups
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(name)
        .cloned()
        .ok_or_else(group_not_found)
}

/// CreateGroup ("Adding groups to a user pool"); a taken name is GroupExistsException.
impl Handle for CreateGroupRequest {
    fn handle(self, store: &Store) -> ApiResult<CreateGroupResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        // GroupName's length (1-128) and pattern are the model's, checked before the handler
        // (server/validate.rs).
        let group = Group {
            name: req.group_name.clone(),
            description: req.description,
            precedence: req.precedence,
            role_arn: req.role_arn,
            created_ms: store.now_ms(),
        };
        {
            let mut groups = pool.groups.write().unwrap_or_else(|e| e.into_inner());
            if groups.contains_key(&group.name) {
                return Err(ApiError::new(
                    "GroupExistsException",
                    format!("A group with the name {} already exists.", group.name),
                ));
            }
            groups.insert(group.name.clone(), group.clone());
        }
        Ok(CreateGroupResponse {
            group: GroupType {
                group_name: group.name,
                user_pool_id: pool.id.clone(),
                description: group.description,
                precedence: group.precedence,
                role_arn: group.role_arn,
                creation_date: secs(group.created_ms),
                last_modified_date: secs(group.created_ms),
            },
        })
    }
}

/// AdminAddUserToGroup: later sign-ins carry the group in `cognito:groups`.
impl Handle for AdminAddUserToGroupRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminAddUserToGroupResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let known = pool
            .groups
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&req.group_name);
        if !known {
            return Err(ApiError::not_found("Group not found."));
        }
        let key = admin_user(&pool, &req.username)?;
        let now = store.now_ms();
        pool.with_user(&key, |user| {
            if !user.groups.iter().any(|g| **g == *req.group_name) {
                user.groups.push(req.group_name.as_str().into());
                user.modified_ms = now;
            }
        })
        .ok_or_else(ApiError::user_not_found)?;
        Ok(AdminAddUserToGroupResponse {})
    }
}

impl Handle for GetGroupRequest {
    fn handle(self, store: &Store) -> ApiResult<GetGroupResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let group = group(&pool, &self.group_name)?;
        Ok(GetGroupResponse {
            group: Some(group_type(&pool, &group)),
        })
    }
}

impl Handle for ListGroupsRequest {
    fn handle(self, store: &Store) -> ApiResult<ListGroupsResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let groups: Vec<(String, GroupType)> = pool
            .groups
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|g| (g.name.clone(), group_type(&pool, g)))
            .collect();
        let scope = format!("ListGroups|{}", pool.id);
        let Page { items, next } = page(
            groups,
            &scope,
            self.next_token.as_deref(),
            page_size(self.limit),
        )?;
        Ok(ListGroupsResponse {
            groups: Some(items),
            next_token: next,
        })
    }
}

/// DeleteGroup: the group goes, and with it every membership, so no later token carries it.
impl Handle for DeleteGroupRequest {
    fn handle(self, store: &Store) -> ApiResult<DeleteGroupResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let removed = pool
            .groups
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.group_name);
        if removed.is_none() {
            return Err(group_not_found());
        }
        let name = self.group_name.as_str();
        pool.users.retain(|_, user| {
            user.groups.retain(|g| &**g != name);
            true
        });
        Ok(DeleteGroupResponse {})
    }
}

/// AdminRemoveUserFromGroup: removing a user who is not a member changes nothing (moto
/// `test_admin_remove_user_from_group_again_is_noop`).
impl Handle for AdminRemoveUserFromGroupRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminRemoveUserFromGroupResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        group(&pool, &self.group_name)?;
        let key = admin_user(&pool, &self.username)?;
        let now = store.now_ms();
        pool.with_user(&key, |user| {
            let before = user.groups.len();
            user.groups.retain(|g| **g != *self.group_name);
            if user.groups.len() != before {
                user.modified_ms = now;
            }
        })
        .ok_or_else(ApiError::user_not_found)?;
        Ok(AdminRemoveUserFromGroupResponse {})
    }
}

impl Handle for AdminListGroupsForUserRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminListGroupsForUserResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let key = admin_user(&pool, &self.username)?;
        let names = pool
            .with_user(&key, |user| user.groups.clone())
            .ok_or_else(ApiError::user_not_found)?;
        let groups: Vec<(String, GroupType)> = {
            let all = pool.groups.read().unwrap_or_else(|e| e.into_inner());
            names
                .iter()
                .filter_map(|n| all.get(&**n))
                .map(|g| (g.name.clone(), group_type(&pool, g)))
                .collect()
        };
        let scope = format!("AdminListGroupsForUser|{}|{key}", pool.id);
        let Page { items, next } = page(
            groups,
            &scope,
            self.next_token.as_deref(),
            page_size(self.limit),
        )?;
        Ok(AdminListGroupsForUserResponse {
            groups: Some(items),
            next_token: next,
        })
    }
}

impl Handle for ListUsersInGroupRequest {
    fn handle(self, store: &Store) -> ApiResult<ListUsersInGroupResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        group(&pool, &self.group_name)?;
        let name = self.group_name.as_str();
        let mut users = Vec::new();
        pool.users.retain(|key, user| {
            if user.groups.iter().any(|g| &**g == name) {
                users.push((key.to_string(), user_summary(user, None)));
            }
            true
        });
        let scope = format!("ListUsersInGroup|{}|{name}", pool.id);
        let Page { items, next } = page(
            users,
            &scope,
            self.next_token.as_deref(),
            page_size(self.limit),
        )?;
        Ok(ListUsersInGroupResponse {
            users: Some(items),
            next_token: next,
        })
    }
}
