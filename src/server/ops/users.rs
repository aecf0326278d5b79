//! Creating a user, shared by SignUp, AdminCreateUser and config seeding: the internal name and
//! attributes per the pool's username attributes, alias uniqueness, the stored record, and what
//! confirming a user marks verified.

use crate::protocol::ops::*;
use crate::server::attributes::{Write, check_write};
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{Pool, Status, Store, User, derive_password};

/// A user's attributes as stored.
type Attributes = Vec<(Box<str>, Box<str>)>;

pub(super) fn new_identity(
    pool: &Pool,
    username: &str,
    attributes: &[AttributeType],
    sub: uuid::Uuid,
    write: Write,
) -> ApiResult<(String, Attributes)> {
    // The Username's length and pattern are the model's, checked before the handler
    // (server/validate.rs).
    // Only attributes of the pool's schema, within their bounds (server/attributes.rs).
    let mut attrs: Attributes = check_write(&pool.schema(), attributes, write)?;
    let internal = if pool.username_attributes.is_empty() {
        username.to_owned()
    } else {
        let email = pool.username_attributes.contains(&PoolAttributeType::Email);
        let phone = pool
            .username_attributes
            .contains(&PoolAttributeType::PhoneNumber);
        let attr = if email && username.contains('@') {
            "email"
        } else if phone && username.starts_with('+') {
            "phone_number"
        } else if email {
            return Err(ApiError::invalid("Username should be an email."));
        } else {
            return Err(ApiError::invalid("Username should be a phone number."));
        };
        attrs.retain(|(n, _)| &**n != attr);
        attrs.push((attr.into(), username.into()));
        sub.to_string()
    };
    Ok((internal, attrs))
}

/// Inserts a user; UsernameExistsException when the name or a sign-in alias is taken.
pub(super) fn insert_user(pool: &Pool, mut user: User, exists_message: &str) -> ApiResult<()> {
    // Kept for the user's lifetime: no spare capacity.
    user.attributes.shrink_to_fit();
    let key = pool.key(&user.username);
    // With UsernameAttributes the email / phone number is the sign-in name: it is unique. Each
    // alias is claimed in the step that checks it, so two sign-ups of one address at once cannot
    // both pass the check (case concurrency.email-username-unique).
    let mut claimed: Vec<Box<str>> = Vec::new();
    for attr in &pool.username_attributes {
        if let Some(v) = user.attribute(attr.as_str()) {
            let alias: Box<str> = v.to_lowercase().into();
            let won = pool.claim_alias(&alias, &key);
            if !won {
                release_aliases(pool, &key, &claimed);
                return Err(ApiError::new(
                    "UsernameExistsException",
                    format!(
                        "An account with the given {} already exists.",
                        attr.as_str()
                    ),
                ));
            }
            claimed.push(alias);
        }
    }
    let inserted = pool.users.with(&key, |m| {
        if m.contains_key(&key) {
            false
        } else {
            m.insert(key.clone(), Box::new(user));
            true
        }
    });
    if !inserted {
        release_aliases(pool, &key, &claimed);
        return Err(ApiError::new("UsernameExistsException", exists_message));
    }
    Ok(())
}

/// Gives back the aliases a failed insert claimed for `key`.
fn release_aliases(pool: &Pool, key: &str, aliases: &[Box<str>]) {
    for alias in aliases {
        pool.release_alias(alias, key);
    }
}

pub(super) fn build_user(
    store: &Store,
    pool: &Pool,
    username: &str,
    password: &str,
    attributes: &[AttributeType],
    status: Status,
    write: Write,
) -> ApiResult<User> {
    let sub = uuid::Uuid::new_v4();
    let (internal, attributes) = new_identity(pool, username, attributes, sub, write)?;
    let (verifier, password_hash) = derive_password(&pool.id, &internal, password)?;
    let now = store.now_ms();
    Ok(User {
        username: internal.into(),
        sub,
        status,
        enabled: true,
        attributes,
        created_ms: now,
        modified_ms: now,
        verifier,
        password_hash,
        temporary_expires_ms: now + pool.temporary_password_days() * 86_400_000,
        confirm_code: None,
        forgot_code: None,
        attribute_code: None,
        lockout: Default::default(),
        limits: None,
        generation: 0,
        groups: Vec::new(),
        mfa: None,
        email_otp: None,
    })
}
/// Marks the auto-verified attributes verified and registers alias-attribute aliases.
pub(super) fn confirm_user(pool: &Pool, key: &str, user: &mut User) {
    user.status = Status::Confirmed;
    user.confirm_code = None;
    for attr in &pool.auto_verified() {
        if user.attribute(attr.as_str()).is_some() {
            user.set_attribute(&format!("{}_verified", attr.as_str()), "true");
        }
    }
    for attr in &pool.alias_attributes {
        if let Some(v) = user.attribute(attr.as_str()) {
            let alias: Box<str> = v.to_lowercase().into();
            let key: Box<str> = key.into();
            pool.aliases.with(&alias, |m| m.insert(alias.clone(), key));
        }
    }
}
