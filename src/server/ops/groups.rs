//! Groups: CreateGroup and AdminAddUserToGroup ("Adding groups to a user pool"); later
//! sign-ins of a member carry the group in `cognito:groups`.

use super::{Handle, admin_user, secs};
use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{Group, Store};

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
