//! The signed-in user's own account and its recovery: GetUser, ForgotPassword,
//! ConfirmForgotPassword and ChangePassword ("Forgot password", "Changing passwords").

use super::{
    Handle, check_code, check_password, check_secret_hash, find_user, locked, record_failure,
    recovery_delivery, simulated_delivery, wire_attributes,
};
use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{Code, Status, Store};
use crate::server::tokens;
use crate::server::user_limits::{self, Limited};

/// A password-reset code lasts one hour ("Forgot password").
const FORGOT_CODE_VALIDITY_MS: i64 = 3600 * 1000;

impl Handle for GetUserRequest {
    fn handle(self, store: &Store) -> ApiResult<GetUserResponse> {
        let req = self;
        let token = tokens::check_admin_access_token(store, req.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        pool.with_user(&token.user_key, |user| GetUserResponse {
            username: user.username.to_string(),
            user_attributes: wire_attributes(user),
            mfa_options: None,
            preferred_mfa_setting: super::mfa::user_mfa_settings(user).0,
            user_mfa_setting_list: super::mfa::user_mfa_settings(user).1,
        })
        .ok_or_else(|| ApiError::not_authorized("User does not exist."))
    }
}

impl Handle for ForgotPasswordRequest {
    fn handle(self, store: &Store) -> ApiResult<ForgotPasswordResponse> {
        let req = self;
        let (pool, client) = store.pool_of_client(&req.client_id)?;
        check_secret_hash(
            &client,
            &[&req.username],
            req.secret_hash.as_ref().map(|s| s.expose()),
        )?;
        let prevent = client.prevent_user_existence_errors;
        // "Managing error responses" (ForgotPassword): under PreventUserExistenceErrors a user
        // who "isn't found, is deactivated, or doesn't have a verified delivery mechanism"
        // gets a simulated delivery, like an unknown one.
        let simulated = || ForgotPasswordResponse {
            code_delivery_details: Some(simulated_delivery(&pool, &req.username)),
        };
        let Some(key) = pool.resolve(&req.username) else {
            if prevent {
                return Ok(simulated());
            }
            return Err(ApiError::new(
                "UserNotFoundException",
                "Username/client id combination not found.",
            ));
        };
        let now = store.now_ms();
        let answer = pool.with_user(&key, |user| {
            if prevent && !user.enabled {
                return Ok(None);
            }
            let Some(details) = recovery_delivery(user) else {
                if prevent {
                    return Ok(None);
                }
                return Err(ApiError::invalid(
                    "Cannot reset password for the user as there is no registered/verified email or phone_number",
                ));
            };
            user.forgot_code = Some(Code::random(now, FORGOT_CODE_VALIDITY_MS));
            Ok(Some(ForgotPasswordResponse {
                code_delivery_details: Some(details),
            }))
        });
        match answer {
            Some(Ok(Some(found))) => Ok(found),
            Some(Ok(None)) => Ok(simulated()),
            Some(Err(e)) => Err(e),
            None => Err(ApiError::user_not_found()),
        }
    }
}

impl Handle for ConfirmForgotPasswordRequest {
    fn handle(self, store: &Store) -> ApiResult<ConfirmForgotPasswordResponse> {
        let req = self;
        let (pool, client) = store.pool_of_client(&req.client_id)?;
        check_secret_hash(
            &client,
            &[&req.username],
            req.secret_hash.as_ref().map(|s| s.expose()),
        )?;
        let key = find_user(
            &pool,
            &client,
            &req.username,
            "Username/client id combination not found.",
            || {
                ApiError::new(
                    "CodeMismatchException",
                    "Invalid verification code provided, please try again.",
                )
            },
        )?;
        let now = store.now_ms();
        pool.with_user(&key, |user| {
            user_limits::count(&mut user.limits, Limited::ConfirmForgotPassword, now)?;
            check_code(user.forgot_code, req.confirmation_code.expose(), now)?;
            check_password(&pool, req.password.expose())?;
            user.set_password(&pool.id, req.password.expose())?;
            user.forgot_code = None;
            user.lockout = Default::default();
            user.modified_ms = now;
            if matches!(
                user.status,
                Status::ForceChangePassword | Status::ResetRequired
            ) {
                user.status = Status::Confirmed;
            }
            Ok(ConfirmForgotPasswordResponse {})
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()))
    }
}

impl Handle for ChangePasswordRequest {
    fn handle(self, store: &Store) -> ApiResult<ChangePasswordResponse> {
        let req = self;
        let token = tokens::check_admin_access_token(store, req.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        let now = store.now_ms();
        pool.with_user(&token.user_key, |user| {
            user_limits::count(&mut user.limits, Limited::ChangePassword, now)?;
            if let Some(prev) = &req.previous_password {
                if locked(user, now) {
                    return Err(ApiError::not_authorized("Password attempts exceeded"));
                }
                if !user.password_matches(prev.expose()) {
                    record_failure(user, now);
                    return Err(ApiError::bad_credentials());
                }
            }
            check_password(&pool, req.proposed_password.expose())?;
            user.set_password(&pool.id, req.proposed_password.expose())?;
            user.lockout = Default::default();
            user.modified_ms = now;
            Ok(ChangePasswordResponse {})
        })
        .unwrap_or_else(|| Err(ApiError::not_authorized("User does not exist.")))
    }
}
