//! Admin user management: AdminCreateUser, AdminSetUserPassword, AdminConfirmSignUp,
//! AdminDeleteUser, AdminGetUser, AdminDisableUser, AdminEnableUser, and the seeding of users
//! from the serve config (a user created directly in a given status).

use super::users::{build_user, confirm_user, insert_user};
use super::{
    CONFIRM_CODE_VALIDITY_MS, Handle, admin_user, check_password, invalid_password, secs,
    wire_attributes,
};
use crate::protocol::ops::*;
use crate::server::attributes::Write;
use crate::server::error::{ApiError, ApiResult};
use crate::server::password::PasswordPolicy;
use crate::server::store::{Code, Pool, Status, Store, User, random_token};

/// A temporary password that satisfies `policy`.
fn generate_temporary_password(policy: &PasswordPolicy) -> String {
    let body = random_token(12);
    let mut p = format!("Aa1!{body}");
    while p.chars().count() < policy.minimum_length {
        p.push('x');
    }
    p
}

impl Handle for AdminCreateUserRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminCreateUserResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        if req.message_action == Some(MessageActionType::Resend) {
            let key = pool
                .resolve(&req.username)
                .ok_or_else(ApiError::user_not_found)?;
            let now = store.now_ms();
            let temp = req
                .temporary_password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_else(|| generate_temporary_password(&pool.policy()));
            let pool_id = pool.id.clone();
            let days = pool.temporary_password_days();
            return pool
                .with_user(&key, |user| {
                    if user.status != Status::ForceChangePassword {
                        return Err(ApiError::new(
                            "UnsupportedUserStateException",
                            "Resend not possible. User must be in FORCE_CHANGE_PASSWORD status.",
                        ));
                    }
                    user.set_password(&pool_id, &temp)?;
                    user.temporary_expires_ms = now + days * 86_400_000;
                    Ok(AdminCreateUserResponse {
                        user: Some(user_type(user)),
                    })
                })
                .unwrap_or_else(|| Err(ApiError::user_not_found()));
        }
        let temp = match &req.temporary_password {
            Some(p) => {
                check_password(&pool, p.expose())?;
                p.expose().to_owned()
            }
            None => generate_temporary_password(&pool.policy()),
        };
        let attributes = req.user_attributes.unwrap_or_default();
        let user = build_user(
            store,
            &pool,
            &req.username,
            &temp,
            &attributes,
            Status::ForceChangePassword,
            Write::AdminCreate,
        )?;
        let out = user_type(&user);
        insert_user(&pool, user, "User account already exists")?;
        Ok(AdminCreateUserResponse { user: Some(out) })
    }
}

fn user_type(user: &User) -> UserType {
    UserType {
        username: Some(user.username.to_string()),
        attributes: Some(wire_attributes(user)),
        user_create_date: Some(secs(user.created_ms)),
        user_last_modified_date: Some(secs(user.modified_ms)),
        enabled: Some(user.enabled),
        user_status: Some(user.status.as_wire()),
        mfa_options: None,
    }
}

impl Handle for AdminSetUserPasswordRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminSetUserPasswordResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let key = admin_user(&pool, &req.username)?;
        check_password(&pool, req.password.expose())?;
        let now = store.now_ms();
        let permanent = req.permanent.unwrap_or(false);
        pool.with_user(&key, |user| {
            user.set_password(&pool.id, req.password.expose())?;
            user.modified_ms = now;
            user.lockout = Default::default();
            if permanent {
                if user.status == Status::ForceChangePassword {
                    user.status = Status::Confirmed;
                }
            } else {
                user.status = Status::ForceChangePassword;
                user.temporary_expires_ms = now + pool.temporary_password_days() * 86_400_000;
            }
            Ok(AdminSetUserPasswordResponse {})
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()))
    }
}

impl Handle for AdminConfirmSignUpRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminConfirmSignUpResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let key = admin_user(&pool, &req.username)?;
        let now = store.now_ms();
        let p = pool.clone();
        pool.with_user(&key, |user| {
            if user.status != Status::Unconfirmed {
                return Err(ApiError::not_authorized(format!(
                    "User cannot be confirmed. Current status is {}",
                    user.status.as_wire().as_str()
                )));
            }
            confirm_user(&p, &key, user);
            user.modified_ms = now;
            Ok(AdminConfirmSignUpResponse {})
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()))
    }
}

impl Handle for AdminDeleteUserRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminDeleteUserResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let key = admin_user(&pool, &req.username)?;
        remove_user(&pool, &key);
        Ok(AdminDeleteUserResponse {})
    }
}

/// Removes a user and the sign-in aliases that point at it (AdminDeleteUser, DeleteUser).
pub(super) fn remove_user(pool: &Pool, key: &str) {
    let key: Box<str> = key.into();
    if let Some(user) = pool.users.with(&key, |m| m.remove(&key)) {
        for attr in pool
            .username_attributes
            .iter()
            .chain(&pool.alias_attributes)
        {
            if let Some(v) = user.attribute(attr.as_str()) {
                let alias: Box<str> = v.to_lowercase().into();
                pool.release_alias(&alias, &key);
            }
        }
    }
}

/// Sets a user's `enabled` flag.
fn set_enabled(store: &Store, pool_id: &str, username: &str, enabled: bool) -> ApiResult<()> {
    let pool = store.pool(pool_id)?;
    let key = admin_user(&pool, username)?;
    let now = store.now_ms();
    pool.with_user(&key, |user| {
        // Disabling "revokes all access tokens for the user" (API reference,
        // AdminDisableUser): the sign-ins so far are of an older generation.
        if user.enabled && !enabled {
            user.generation = user.generation.wrapping_add(1);
        }
        user.enabled = enabled;
        user.modified_ms = now;
    })
    .ok_or_else(ApiError::user_not_found)?;
    Ok(())
}

/// AdminDisableUser: the user can no longer sign in ("User is disabled."), and the tokens
/// issued before stop working.
impl Handle for AdminDisableUserRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminDisableUserResponse> {
        let req = self;
        set_enabled(store, &req.user_pool_id, &req.username, false)?;
        Ok(AdminDisableUserResponse {})
    }
}

/// AdminEnableUser: a disabled user can sign in again.
impl Handle for AdminEnableUserRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminEnableUserResponse> {
        let req = self;
        set_enabled(store, &req.user_pool_id, &req.username, true)?;
        Ok(AdminEnableUserResponse {})
    }
}

impl Handle for AdminGetUserRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminGetUserResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let key = admin_user(&pool, &req.username)?;
        pool.with_user(&key, |user| AdminGetUserResponse {
            username: user.username.to_string(),
            user_attributes: Some(wire_attributes(user)),
            user_create_date: Some(secs(user.created_ms)),
            user_last_modified_date: Some(secs(user.modified_ms)),
            enabled: Some(user.enabled),
            user_status: Some(user.status.as_wire()),
            mfa_options: None,
            preferred_mfa_setting: super::mfa::user_mfa_settings(user).0,
            user_mfa_setting_list: super::mfa::user_mfa_settings(user).1,
        })
        .ok_or_else(ApiError::user_not_found)
    }
}
/// Creates a user directly in a given status (config-file seeding). The password must meet
/// the pool's policy.
pub fn seed_user(
    store: &Store,
    pool_id: &str,
    username: &str,
    password: &str,
    attributes: &[AttributeType],
    status: Status,
) -> ApiResult<()> {
    let pool = store.pool(pool_id)?;
    pool.policy().check(password).map_err(invalid_password)?;
    let mut user = build_user(
        store,
        &pool,
        username,
        password,
        attributes,
        status,
        Write::AdminCreate,
    )?;
    if status == Status::Confirmed {
        for attr in &pool.auto_verified() {
            if user.attribute(attr.as_str()).is_some()
                && user
                    .attribute(&format!("{}_verified", attr.as_str()))
                    .is_none()
            {
                user.set_attribute(&format!("{}_verified", attr.as_str()), "true");
            }
        }
    }
    if status == Status::Unconfirmed {
        user.confirm_code = Some(Code::random(store.now_ms(), CONFIRM_CODE_VALIDITY_MS));
    }
    let key = pool.key(&user.username);
    insert_user(&pool, user, "User account already exists")?;
    if status == Status::Confirmed {
        for attr in &pool.alias_attributes {
            let v = pool.with_user(&key, |u| u.attribute(attr.as_str()).map(str::to_owned));
            if let Some(Some(v)) = v {
                let alias: Box<str> = v.to_lowercase().into();
                let k = key.clone();
                pool.aliases.with(&alias, |m| m.insert(alias.clone(), k));
            }
        }
    }
    Ok(())
}
