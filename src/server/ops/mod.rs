//! The reference server's operations: one [`Handle`] impl per request type of the operation
//! table ([`crate::protocol::ops`]), over the [`Store`]. Pure with respect to I/O: the HTTP
//! layer decodes the request, calls the handler, and encodes the answer or the [`ApiError`].
//!
//! Behaviour follows the developer guide ("User pool authentication flow", "Signing up and
//! confirming user accounts", "Managing error responses", "Using tokens with user pools") and
//! the exact messages of the ground-truth notes (cited as §n).
//!
//! This file owns the trait and the checks several areas share (SECRET_HASH, the password
//! policy, code checks, delivery details, resolve-or-simulate under PreventUserExistenceErrors);
//! the handlers live in one file per feature area, named as in `protocol/ops/`:
//! `signup`, `auth`, `account`, `admin_users`, `attributes`, `groups`, `mfa`, `pools`,
//! `clients`, `listing`, `pool_settings`, with `users` for creating a user (shared by sign-up,
//! AdminCreateUser and seeding), `paging` for the page tokens of the list operations,
//! `sign_in` for what every sign-in path shares (its answer, its challenge sessions, issuing
//! tokens) and `user_auth` for choice-based sign-in (USER_AUTH), whose password factors
//! `auth` runs.

use std::collections::BTreeMap;

use super::error::{ApiError, ApiResult};
use super::store::{AppClient, Code, Pool, Store, User};
use crate::protocol::Operation;
use crate::protocol::ops::{
    AttributeType, CodeDeliveryDetailsType, DeliveryMediumType, PoolAttributeType,
};
use crate::protocol::secret_hash::secret_hash;

pub mod account;
pub mod admin_users;
pub mod attributes;
pub mod auth;
pub mod clients;
pub mod groups;
pub mod listing;
pub mod mfa;
pub mod paging;
pub mod pool_settings;
pub mod pools;
pub mod sign_in;
pub mod signup;
pub mod user_auth;
pub mod users;

/// The reference server's answer to one operation: implemented by every request type of the
/// operation table, so the generated dispatch does not build while a handler is missing.
pub trait Handle: Operation {
    fn handle(self, store: &Store) -> ApiResult<Self::Output>;
}

/// A sign-up confirmation code lasts 24 hours ("Signing up and confirming user accounts").
const CONFIRM_CODE_VALIDITY_MS: i64 = 24 * 3600 * 1000;

fn missing(name: &str) -> ApiError {
    ApiError::invalid(format!("Missing required parameter {name}"))
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing(name))
}

/// [`check_secret_hash`] for a request about the stored user `key`, typed as `typed`: the hash
/// may be keyed on that name, the user's internal name or its sub.
fn check_user_secret_hash(
    pool: &Pool,
    client: &AppClient,
    key: &str,
    typed: &str,
    provided: Option<&str>,
) -> ApiResult<()> {
    let (internal, sub) = pool
        .with_user(key, |u| (u.username.clone(), u.sub.to_string()))
        .ok_or_else(ApiError::user_not_found)?;
    check_secret_hash(client, &[typed, &internal, &sub], provided)
}

/// SECRET_HASH rules (§4.35-39): required with a secret, refused without one. The hash may be
/// keyed on any of `names` (the user name as typed, the internal name, the sub).
fn check_secret_hash(client: &AppClient, names: &[&str], provided: Option<&str>) -> ApiResult<()> {
    match (&client.secret, provided.filter(|p| !p.is_empty())) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::invalid(format!(
            "Client {} is not configured for secret but secret hash was received",
            client.id
        ))),
        (Some(_), None) => Err(ApiError::not_authorized(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.id
        ))),
        (Some(secret), Some(hash)) => {
            let ok = names
                .iter()
                .any(|n| secret_hash(secret, n, &client.id).ct_eq(hash));
            if ok {
                Ok(())
            } else {
                Err(ApiError::not_authorized(format!(
                    "Unable to verify secret hash for client {}",
                    client.id
                )))
            }
        }
    }
}

fn invalid_password(message: String) -> ApiError {
    ApiError::new("InvalidPasswordException", message)
}

/// The pool's password policy. The input constraints of the password members (at most 256
/// characters, `[\S]+`, §1.11) are the model's, checked before the handler (server/validate.rs).
fn check_password(pool: &Pool, password: &str) -> ApiResult<()> {
    pool.policy().check(password).map_err(invalid_password)
}

/// The delivery an unknown user's code "was sent" to under PreventUserExistenceErrors, shaped
/// so it cannot be told from a known user's: "The simulated delivery medium is determined by
/// the input user name format and verification settings of the user pool" (developer guide,
/// "Managing error responses", ForgotPassword). A name that is an email or a phone number is
/// masked as one (`t***@e***`, `+*******1234`); any other name gets the medium the pool
/// verifies (phone number: SMS, else email), with a masked destination drawn from a hash of
/// the pool and the name, so it is the same on every request.
fn simulated_delivery(pool: &Pool, username: &str) -> CodeDeliveryDetailsType {
    let phone_like = username.starts_with('+')
        && username.len() > 1
        && username[1..].bytes().all(|b| b.is_ascii_digit());
    let sms = |destination: String| CodeDeliveryDetailsType {
        destination: Some(destination),
        delivery_medium: Some(DeliveryMediumType::Sms),
        attribute_name: Some("phone_number".to_owned()),
    };
    let email = |destination: String| CodeDeliveryDetailsType {
        destination: Some(destination),
        delivery_medium: Some(DeliveryMediumType::Email),
        attribute_name: Some("email".to_owned()),
    };
    if username.contains('@') {
        return email(mask_destination(username));
    }
    if phone_like {
        return sms(mask_destination(username));
    }
    let seed = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{}|{username}", pool.id).as_bytes(),
    );
    let seed = seed.as_ref();
    let verifies_phone = pool
        .auto_verified()
        .contains(&PoolAttributeType::PhoneNumber)
        && !pool.auto_verified().contains(&PoolAttributeType::Email);
    if verifies_phone {
        let digits: String = seed[..4]
            .iter()
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        return sms(format!("+*******{digits}"));
    }
    let letter = |b: u8| char::from(b'a' + b % 26);
    let first = username
        .chars()
        .next()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_lowercase().to_string())
        .unwrap_or_else(|| letter(seed[0]).to_string());
    email(format!("{first}***@{}***", letter(seed[1])))
}

/// `t***@e***` / `+*******1234`, the masked destinations of CodeDeliveryDetails (§2.19).
fn mask_destination(value: &str) -> String {
    if let Some((local, domain)) = value.split_once('@') {
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let tail: String = value
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("+*******{tail}")
    }
}

fn delivery(user: &User, pool: &Pool) -> Option<CodeDeliveryDetailsType> {
    for attr in &pool.auto_verified() {
        if let Some(v) = user.attribute(attr.as_str()) {
            let medium = if *attr == PoolAttributeType::PhoneNumber {
                DeliveryMediumType::Sms
            } else {
                DeliveryMediumType::Email
            };
            return Some(CodeDeliveryDetailsType {
                destination: Some(mask_destination(v)),
                delivery_medium: Some(medium),
                attribute_name: Some(attr.as_str().to_owned()),
            });
        }
    }
    None
}

/// Where a reset code can go: a verified email or phone number.
fn recovery_delivery(user: &User) -> Option<CodeDeliveryDetailsType> {
    for (attr, medium) in [
        ("email", DeliveryMediumType::Email),
        ("phone_number", DeliveryMediumType::Sms),
    ] {
        if user.attribute(&format!("{attr}_verified")) == Some("true")
            && let Some(v) = user.attribute(attr)
        {
            return Some(CodeDeliveryDetailsType {
                destination: Some(mask_destination(v)),
                delivery_medium: Some(medium),
                attribute_name: Some(attr.to_owned()),
            });
        }
    }
    None
}

fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

fn wire_attributes(user: &User) -> Vec<AttributeType> {
    let mut out = vec![AttributeType::new("sub", user.sub.to_string())];
    out.extend(
        user.attributes
            .iter()
            .filter(|(n, _)| &**n != "sub")
            .map(|(n, v)| AttributeType::new(&**n, &**v)),
    );
    out
}

/// Looks a user up for a public operation; LEGACY answers UserNotFoundException with
/// `legacy_message`, ENABLED answers `prevented`.
fn find_user(
    pool: &Pool,
    client: &AppClient,
    name: &str,
    legacy_message: &str,
    prevented: impl FnOnce() -> ApiError,
) -> ApiResult<Box<str>> {
    pool.resolve(name).ok_or_else(|| {
        if client.prevent_user_existence_errors {
            prevented()
        } else {
            ApiError::new("UserNotFoundException", legacy_message)
        }
    })
}

fn check_code(code: Option<Code>, given: &str, now_ms: i64) -> ApiResult<()> {
    let code = code.ok_or_else(expired_code)?;
    if !crate::protocol::Sensitive::new(code.as_str()).ct_eq(given) {
        return Err(ApiError::new(
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        ));
    }
    if now_ms > code.expires_ms {
        return Err(expired_code());
    }
    Ok(())
}

fn expired_code() -> ApiError {
    ApiError::new(
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )
}

/// Failed sign-ins before the first lockout ("User pool authentication flow": five).
const LOCKOUT_THRESHOLD: u16 = 5;
/// The longest lockout, about 15 minutes.
const LOCKOUT_MAX_MS: i64 = 15 * 60 * 1000;
/// The failure counter resets after 15 minutes without a failed attempt.
const LOCKOUT_RESET_MS: i64 = 15 * 60 * 1000;

fn locked(user: &mut User, now: i64) -> bool {
    if user.lockout.failures > 0 && now - user.lockout.last_failure_ms > LOCKOUT_RESET_MS {
        user.lockout = Default::default();
    }
    now < user.lockout.locked_until_ms
}

/// A failed password: from the fifth on, a lockout of 1 s doubling per failure, at most
/// about 15 minutes ("User pool authentication flow").
fn record_failure(user: &mut User, now: i64) {
    let l = &mut user.lockout;
    l.failures = l.failures.saturating_add(1);
    l.last_failure_ms = now;
    if l.failures >= LOCKOUT_THRESHOLD {
        let exp = u32::from(l.failures - LOCKOUT_THRESHOLD).min(20);
        let ms = (1000i64 << exp).min(LOCKOUT_MAX_MS);
        l.locked_until_ms = now + ms;
    }
}

/// The key of a user named in an admin call (UserNotFoundException "User does not exist.").
fn admin_user(pool: &Pool, username: &str) -> ApiResult<Box<str>> {
    pool.resolve(username).ok_or_else(ApiError::user_not_found)
}

/// The latest unused codes of a user, as `GET /_harness/codes/{poolId}/{username}` shows them.
#[derive(Debug, Default, serde::Serialize)]
pub struct IssuedCodes {
    #[serde(rename = "ConfirmSignUp")]
    pub confirm_sign_up: Option<String>,
    #[serde(rename = "ConfirmForgotPassword")]
    pub confirm_forgot_password: Option<String>,
    #[serde(rename = "VerifyUserAttribute")]
    pub verify_user_attribute: Option<String>,
    /// The code of the user's pending EMAIL_OTP sign-in (choice-based sign-in, `user_auth`).
    #[serde(rename = "EmailOtp")]
    pub email_otp: Option<String>,
}

/// The latest unused codes of a user, for `GET /_harness/codes/{poolId}/{username}`.
pub fn codes(store: &Store, pool_id: &str, username: &str) -> ApiResult<IssuedCodes> {
    let pool = store.pool(pool_id)?;
    let key = pool
        .resolve(username)
        .ok_or_else(ApiError::user_not_found)?;
    pool.with_user(&key, |u| IssuedCodes {
        confirm_sign_up: u.confirm_code.map(|c| c.as_str().to_owned()),
        confirm_forgot_password: u.forgot_code.map(|c| c.as_str().to_owned()),
        verify_user_attribute: u.attribute_code.as_ref().map(|c| c.1.as_str().to_owned()),
        email_otp: u.email_otp.as_ref().map(|c| c.as_str().to_owned()),
    })
    .ok_or_else(ApiError::user_not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulated_delivery_is_shaped_by_the_name_format() {
        let pool = |auto: Vec<PoolAttributeType>| crate::server::store::test_pool(auto);
        let email_pool = pool(vec![PoolAttributeType::Email]);
        let d = simulated_delivery(&email_pool, "jane@example.com");
        assert_eq!(d.destination.as_deref(), Some("j***@e***"));
        assert_eq!(d.delivery_medium, Some(DeliveryMediumType::Email));
        let d = simulated_delivery(&email_pool, "+15551234567");
        assert_eq!(d.destination.as_deref(), Some("+*******4567"));
        assert_eq!(d.delivery_medium, Some(DeliveryMediumType::Sms));
        let d = simulated_delivery(&email_pool, "jane");
        let dest = d.destination.unwrap_or_default();
        assert!(dest.starts_with("j***@") && dest.ends_with("***"), "{dest}");
        assert_eq!(d.delivery_medium, Some(DeliveryMediumType::Email));
        assert_eq!(
            simulated_delivery(&email_pool, "jane")
                .destination
                .as_deref(),
            Some(dest.as_str()),
            "stable per name"
        );
        let phone_pool = pool(vec![PoolAttributeType::PhoneNumber]);
        let d = simulated_delivery(&phone_pool, "jane");
        assert_eq!(d.delivery_medium, Some(DeliveryMediumType::Sms));
        assert!(d.destination.unwrap_or_default().starts_with("+*******"));
    }
}
