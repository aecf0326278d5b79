//! The attribute operations, DeleteUser and AdminResetUserPassword ("Working with user
//! attributes", "Verifying updates to email addresses and phone numbers", "Managing users as an
//! administrator", API reference of each operation). Every write goes through the pool's schema
//! (server/attributes.rs).
//!
//! Changing `email` or `phone_number` of a pool that auto-verifies it marks the attribute
//! unverified and sends a code ("When a user updates their email address or phone number in
//! your app, Amazon Cognito immediately sends a message with a verification code to a user if
//! you configured your user pool to automatically verify that attribute"), readable at
//! `/_harness/codes` as `VerifyUserAttribute`. Setting `email_verified` / `phone_number_verified`
//! with the Admin form marks it verified ("Mark an email address as verified with the
//! AdminUpdateUserAttributes API"). ⚠ The server updates the value at once: it does not model
//! `AttributesRequireVerificationBeforeUpdate`, which keeps the old value until verification.

use super::{CONFIRM_CODE_VALIDITY_MS, Handle, admin_user, check_code, mask_destination};
use crate::protocol::ops::*;
use crate::server::attributes::{Write, check_delete, check_write};
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{Code, Pool, Status, Store, User};
use crate::server::tokens;
use crate::server::user_limits::{self, Limited};

/// The attributes that can be verified ("Only email and phone can be verified").
fn verifiable(name: &str) -> bool {
    matches!(name, "email" | "phone_number")
}

fn delivery_for(attribute: &str, value: &str) -> CodeDeliveryDetailsType {
    let medium = if attribute == "phone_number" {
        DeliveryMediumType::Sms
    } else {
        DeliveryMediumType::Email
    };
    CodeDeliveryDetailsType {
        destination: Some(mask_destination(value)),
        delivery_medium: Some(medium),
        attribute_name: Some(attribute.to_owned()),
    }
}

/// Moves a sign-in alias (username or alias attribute) from `old` to `new`; AliasExistsException
/// when another user holds `new` ("An account with the given email already exists.", the
/// wording of the sign-up refusal, ground truth §2).
fn move_alias(
    pool: &Pool,
    key: &str,
    attribute: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> ApiResult<()> {
    if !pool.signs_in_with(attribute) {
        return Ok(());
    }
    let key: Box<str> = key.into();
    // The new alias is checked and claimed in one step: two users taking one address at once
    // cannot both pass the check.
    let new_alias: Option<Box<str>> = new.map(|n| n.to_lowercase().into());
    if let Some(alias) = &new_alias {
        let won = pool.claim_alias(alias, &key);
        if !won {
            return Err(ApiError::new(
                "AliasExistsException",
                format!("An account with the given {attribute} already exists."),
            ));
        }
    }
    if let Some(old) = old {
        let alias: Box<str> = old.to_lowercase().into();
        if new_alias.as_ref() != Some(&alias) {
            pool.release_alias(&alias, &key);
        }
    }
    Ok(())
}

/// Applies checked attributes to a user; returns the deliveries of the codes sent for changed
/// auto-verified attributes. `admin` writes may set the `*_verified` flags.
fn apply_update(
    pool: &Pool,
    key: &str,
    user: &mut User,
    attributes: Vec<(Box<str>, Box<str>)>,
    admin: bool,
    now: i64,
) -> ApiResult<Vec<CodeDeliveryDetailsType>> {
    for (name, value) in &attributes {
        let old = user.attribute(name).map(str::to_owned);
        if old.as_deref() != Some(&**value) {
            move_alias(pool, key, name, old.as_deref(), Some(value))?;
        }
    }
    let mut deliveries = Vec::new();
    for (name, value) in &attributes {
        if name.ends_with("_verified") && !admin {
            // ⚠ A user cannot verify an attribute by writing its flag; the guide's only ways
            // are VerifyUserAttribute and the admin API.
            continue;
        }
        let changed = user.attribute(name) != Some(&**value);
        user.set_attribute(name, value);
        let auto = pool.auto_verified().iter().any(|a| a.as_str() == &**name);
        let flag_given = attributes
            .iter()
            .any(|(n, _)| **n == format!("{name}_verified"));
        if verifiable(name) && changed && !(admin && flag_given) {
            user.set_attribute(&format!("{name}_verified"), "false");
            if auto {
                let code = Code::random(now, CONFIRM_CODE_VALIDITY_MS);
                user.attribute_code = Some(Box::new((name.clone(), code)));
                deliveries.push(delivery_for(name, value));
            }
        }
    }
    user.modified_ms = now;
    Ok(deliveries)
}

fn update(
    pool: &Pool,
    key: &str,
    given: &[AttributeType],
    admin: bool,
    now: i64,
) -> ApiResult<Vec<CodeDeliveryDetailsType>> {
    let checked = check_write(&pool.schema(), given, Write::Update)?;
    pool.with_user(key, |user| {
        apply_update(pool, key, user, checked, admin, now)
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

fn delete(pool: &Pool, key: &str, names: &[String], now: i64) -> ApiResult<()> {
    check_delete(&pool.schema(), names)?;
    pool.with_user(key, |user| {
        for name in names {
            if let Some(old) = user.attribute(name).map(str::to_owned) {
                move_alias(pool, key, name, Some(&old), None)?;
            }
            user.remove_attribute(name);
            if verifiable(name) {
                user.remove_attribute(&format!("{name}_verified"));
            }
        }
        user.modified_ms = now;
        Ok(())
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

impl Handle for UpdateUserAttributesRequest {
    fn handle(self, store: &Store) -> ApiResult<UpdateUserAttributesResponse> {
        let token = tokens::check_admin_access_token(store, self.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        let sent = update(
            &pool,
            &token.user_key,
            &self.user_attributes,
            false,
            store.now_ms(),
        )?;
        Ok(UpdateUserAttributesResponse {
            code_delivery_details_list: (!sent.is_empty()).then_some(sent),
        })
    }
}

impl Handle for AdminUpdateUserAttributesRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminUpdateUserAttributesResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let key = admin_user(&pool, &self.username)?;
        update(&pool, &key, &self.user_attributes, true, store.now_ms())?;
        Ok(AdminUpdateUserAttributesResponse {})
    }
}

impl Handle for DeleteUserAttributesRequest {
    fn handle(self, store: &Store) -> ApiResult<DeleteUserAttributesResponse> {
        let token = tokens::check_admin_access_token(store, self.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        delete(
            &pool,
            &token.user_key,
            &self.user_attribute_names,
            store.now_ms(),
        )?;
        Ok(DeleteUserAttributesResponse {})
    }
}

impl Handle for AdminDeleteUserAttributesRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminDeleteUserAttributesResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let key = admin_user(&pool, &self.username)?;
        delete(&pool, &key, &self.user_attribute_names, store.now_ms())?;
        Ok(AdminDeleteUserAttributesResponse {})
    }
}

/// GetUserAttributeVerificationCode: a new code for the user's `email` or `phone_number`,
/// within the per-user quota (5 an hour, "Quotas in Amazon Cognito").
impl Handle for GetUserAttributeVerificationCodeRequest {
    fn handle(self, store: &Store) -> ApiResult<GetUserAttributeVerificationCodeResponse> {
        let token = tokens::check_admin_access_token(store, self.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        let now = store.now_ms();
        let name = self.attribute_name;
        pool.with_user(&token.user_key, |user| {
            user_limits::count(
                &mut user.limits,
                Limited::GetUserAttributeVerificationCode,
                now,
            )?;
            let value = user
                .attribute(&name)
                .filter(|_| verifiable(&name))
                .map(str::to_owned);
            // ⚠ Wording ours: no capture of the refusal for an attribute without a value.
            let value = value.ok_or_else(|| {
                ApiError::invalid(format!(
                    "Auto verification not turned on or the user has no {name}."
                ))
            })?;
            let code = Code::random(now, CONFIRM_CODE_VALIDITY_MS);
            user.attribute_code = Some(Box::new((name.as_str().into(), code)));
            Ok(GetUserAttributeVerificationCodeResponse {
                code_delivery_details: Some(delivery_for(&name, &value)),
            })
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()))
    }
}

/// VerifyUserAttribute: the code of the last GetUserAttributeVerificationCode (or attribute
/// change) for that attribute marks it verified; a wrong code is CodeMismatchException, an
/// expired or missing one ExpiredCodeException (the confirmation codes' messages, §n of
/// ConfirmSignUp), within the per-user quota (15 an hour).
impl Handle for VerifyUserAttributeRequest {
    fn handle(self, store: &Store) -> ApiResult<VerifyUserAttributeResponse> {
        let token = tokens::check_admin_access_token(store, self.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        let now = store.now_ms();
        let name = self.attribute_name;
        pool.with_user(&token.user_key, |user| {
            user_limits::count(&mut user.limits, Limited::VerifyUserAttribute, now)?;
            let pending = user
                .attribute_code
                .as_ref()
                .filter(|c| *c.0 == *name)
                .map(|c| c.1);
            check_code(pending, self.code.expose(), now)?;
            user.attribute_code = None;
            user.set_attribute(&format!("{name}_verified"), "true");
            user.modified_ms = now;
            Ok(VerifyUserAttributeResponse {})
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()))
    }
}

/// DeleteUser: the signed-in user deletes their own profile; its tokens stop working because
/// the user they name is gone (every token check looks the user up).
impl Handle for DeleteUserRequest {
    fn handle(self, store: &Store) -> ApiResult<DeleteUserResponse> {
        let token = tokens::check_admin_access_token(store, self.access_token.expose())?;
        let pool = store.pool(&token.pool_id)?;
        super::admin_users::remove_user(&pool, &token.user_key);
        Ok(DeleteUserResponse {})
    }
}

/// AdminResetUserPassword: the user must reset the password with a code (status
/// RESET_REQUIRED, sign-in refused with PasswordResetRequiredException until
/// ConfirmForgotPassword). The API reference: "Deactivates a user's password, requiring them to
/// change it. ... the user can't sign in until they reset their password"; the code goes to a
/// verified email or phone number. Refusals from moto's model of the operation (⚠ not marked
/// AWS-verified): a disabled user "User is disabled", a user without a verified contact
/// "Cannot reset password for the user as there is no registered/verified email or
/// phone_number".
impl Handle for AdminResetUserPasswordRequest {
    fn handle(self, store: &Store) -> ApiResult<AdminResetUserPasswordResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let key = admin_user(&pool, &self.username)?;
        let now = store.now_ms();
        pool.with_user(&key, |user| {
            if !user.enabled {
                return Err(ApiError::not_authorized("User is disabled."));
            }
            if super::recovery_delivery(user).is_none() {
                return Err(ApiError::invalid(
                    "Cannot reset password for the user as there is no registered/verified email or phone_number",
                ));
            }
            if user.status != Status::Unconfirmed {
                user.status = Status::ResetRequired;
            }
            user.forgot_code = Some(Code::random(now, 3600 * 1000));
            user.modified_ms = now;
            Ok(AdminResetUserPasswordResponse {})
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()))
    }
}

/// AddCustomAttributes: appends to the pool's schema (all or nothing).
impl Handle for AddCustomAttributesRequest {
    fn handle(self, store: &Store) -> ApiResult<AddCustomAttributesResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        pool.schema
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .add_custom(&self.custom_attributes)?;
        Ok(AddCustomAttributesResponse {})
    }
}
