//! One function per operation, over the [`Store`]. Pure with respect to I/O: the HTTP layer
//! decodes the request, calls here, and encodes the answer or the [`ApiError`].
//!
//! Behaviour follows the developer guide ("User pool authentication flow", "Signing up and
//! confirming user accounts", "Managing error responses", "Using tokens with user pools") and
//! the exact messages of the ground-truth notes (cited as §n).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use super::password::PasswordPolicy;
use super::store::{
    ApiError, ApiResult, AppClient, ChallengeKind, ChallengePending, Code, Group, Pool, SrpPending,
    Status, Store, User, default_auth_flows, derive_password, new_client_id, new_client_secret,
    new_pool_id, prevent_errors, random_token, validity_secs,
};
use super::tokens;
use crate::protocol::secret_hash::secret_hash;
use crate::protocol::types::*;
use crate::srp::{PasswordVerifierResponse, ServerSession, SrpError, Verifier};

/// A sign-up confirmation code lasts 24 hours ("Signing up and confirming user accounts").
const CONFIRM_CODE_VALIDITY_MS: i64 = 24 * 3600 * 1000;
/// A password-reset code lasts one hour ("Forgot password").
const FORGOT_CODE_VALIDITY_MS: i64 = 3600 * 1000;
/// Failed sign-ins before the first lockout ("User pool authentication flow": five).
const LOCKOUT_THRESHOLD: u16 = 5;
/// The longest lockout, about 15 minutes.
const LOCKOUT_MAX_MS: i64 = 15 * 60 * 1000;
/// The failure counter resets after 15 minutes without a failed attempt.
const LOCKOUT_RESET_MS: i64 = 15 * 60 * 1000;

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

/// The input constraint on a password member (at most 256 characters, §1.11), named as
/// Cognito's validation message names it, then the pool's policy.
fn check_password(pool: &Pool, member: &str, password: &str) -> ApiResult<()> {
    if password.chars().count() > super::password::MAX_LENGTH {
        return Err(ApiError::invalid(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {}",
            super::password::MAX_LENGTH
        )));
    }
    pool.policy.check(password).map_err(invalid_password)
}

/// The delivery an unknown user's code "was sent" to under PreventUserExistenceErrors: an
/// email masked like a real one, so the answer cannot be told from a known user's.
fn simulated_delivery(username: &str) -> CodeDeliveryDetailsType {
    CodeDeliveryDetailsType {
        destination: Some(mask_destination(username)),
        delivery_medium: Some(DeliveryMediumType::Email),
        attribute_name: Some("email".to_owned()),
    }
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
    for attr in &pool.auto_verified {
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

// ---------------------------------------------------------------------------------------------
// Pools and clients
// ---------------------------------------------------------------------------------------------

pub fn create_user_pool(
    store: &Store,
    req: CreateUserPoolRequest,
) -> ApiResult<CreateUserPoolResponse> {
    create_user_pool_with_id(store, req, None)
}

/// CreateUserPool with a fixed id (config files), else a generated `<region>_<9 alnum>`.
pub fn create_user_pool_with_id(
    store: &Store,
    req: CreateUserPoolRequest,
    id: Option<String>,
) -> ApiResult<CreateUserPoolResponse> {
    if req.pool_name.is_empty() || req.pool_name.len() > 128 {
        return Err(ApiError::invalid(
            "1 validation error detected: Value at 'poolName' failed to satisfy constraint: Member must have length between 1 and 128",
        ));
    }
    let username_attributes = req.username_attributes.clone().unwrap_or_default();
    let alias_attributes = req.alias_attributes.clone().unwrap_or_default();
    if !username_attributes.is_empty() && !alias_attributes.is_empty() {
        return Err(ApiError::invalid(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool",
        ));
    }
    let policy = PasswordPolicy::from_wire(
        req.policies
            .as_ref()
            .and_then(|p| p.password_policy.as_ref()),
    );
    let id = id.unwrap_or_else(|| new_pool_id(&store.region));
    if crate::srp::math::pool_name(&id).is_err() {
        return Err(ApiError::invalid(format!("Invalid user pool id {id}")));
    }
    let now = store.now_ms();
    let case_sensitive = req
        .username_configuration
        .as_ref()
        .map(|c| c.case_sensitive)
        .unwrap_or(true);
    let wire = UserPoolType {
        id: Some(id.clone()),
        name: Some(req.pool_name.clone()),
        policies: Some(UserPoolPolicyType {
            password_policy: Some(policy.to_wire()),
            sign_in_policy: None,
        }),
        deletion_protection: Some(
            req.deletion_protection
                .clone()
                .unwrap_or(DeletionProtectionType::Inactive),
        ),
        status: None,
        last_modified_date: Some(secs(now)),
        creation_date: Some(secs(now)),
        auto_verified_attributes: req.auto_verified_attributes.clone(),
        alias_attributes: req.alias_attributes.clone(),
        username_attributes: req.username_attributes.clone(),
        mfa_configuration: Some(
            req.mfa_configuration
                .clone()
                .unwrap_or(UserPoolMfaType::Off),
        ),
        estimated_number_of_users: Some(0),
        admin_create_user_config: req.admin_create_user_config.clone(),
        username_configuration: req.username_configuration.clone(),
        user_pool_tags: req.user_pool_tags.clone(),
        arn: Some(format!(
            "arn:aws:cognito-idp:{}:000000000000:userpool/{id}",
            store.region
        )),
        ..Default::default()
    };
    let pool = Pool {
        id: id.clone(),
        name: req.pool_name,
        created_ms: now,
        temporary_password_days: policy.temporary_password_validity_days,
        policy,
        username_attributes,
        alias_attributes,
        auto_verified: req.auto_verified_attributes.unwrap_or_default(),
        case_sensitive,
        wire: wire.clone(),
        clients: RwLock::default(),
        resource_servers: RwLock::default(),
        domain: RwLock::default(),
        groups: RwLock::default(),
        users: Default::default(),
        aliases: Default::default(),
    };
    let mut pools = store.pools.write().unwrap_or_else(|e| e.into_inner());
    if pools.contains_key(&id) {
        return Err(ApiError::invalid(format!("User pool {id} already exists.")));
    }
    pools.insert(id, Arc::new(pool));
    Ok(CreateUserPoolResponse {
        user_pool: Some(wire),
    })
}

pub fn delete_user_pool(
    store: &Store,
    req: DeleteUserPoolRequest,
) -> ApiResult<DeleteUserPoolResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    if pool.wire.deletion_protection == Some(DeletionProtectionType::Active) {
        return Err(ApiError::invalid(
            "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
        ));
    }
    store
        .pools
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&req.user_pool_id);
    let id = req.user_pool_id;
    store.sign_ins.retain(|_, s| s.pool_id != id);
    store.srp_pending.retain(|_, s| s.pool_id != id);
    store.challenges.retain(|_, s| s.pool_id != id);
    Ok(DeleteUserPoolResponse {})
}

/// DescribeUserPool request (not among the typed operations: the server answers it minimally).
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolRequest {
    pub user_pool_id: String,
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolResponse {
    pub user_pool: UserPoolType,
}

pub fn describe_user_pool(
    store: &Store,
    req: DescribeUserPoolRequest,
) -> ApiResult<DescribeUserPoolResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let mut wire = pool.wire.clone();
    wire.estimated_number_of_users = Some(pool.users.len() as i64);
    wire.domain = pool
        .domain
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(DescribeUserPoolResponse { user_pool: wire })
}

pub fn create_user_pool_client(
    store: &Store,
    req: CreateUserPoolClientRequest,
) -> ApiResult<CreateUserPoolClientResponse> {
    create_user_pool_client_with(store, req, None, None)
}

/// CreateUserPoolClient, optionally with a fixed id and secret (config files).
pub fn create_user_pool_client_with(
    store: &Store,
    req: CreateUserPoolClientRequest,
    id: Option<String>,
    secret: Option<String>,
) -> ApiResult<CreateUserPoolClientResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let id = id.unwrap_or_else(new_client_id);
    let secret = secret.or_else(|| req.generate_secret.unwrap_or(false).then(new_client_secret));
    let flows = req
        .explicit_auth_flows
        .clone()
        .filter(|f| !f.is_empty())
        .unwrap_or_else(default_auth_flows);
    for f in &flows {
        if !f.is_known() {
            return Err(ApiError::invalid(format!(
                "1 validation error detected: Value '[{}]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, ALLOW_USER_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, CUSTOM_AUTH_FLOW_ONLY, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]]",
                f.as_str()
            )));
        }
    }
    let units = req.token_validity_units.clone();
    let u = units.as_ref();
    // Defaults ("Using tokens with user pools"): access and ID 60 minutes, refresh 30 days.
    let access = req.access_token_validity.unwrap_or(60);
    let idv = req.id_token_validity.unwrap_or(60);
    let refresh = req.refresh_token_validity.unwrap_or(30);
    let access_secs = if req.access_token_validity.is_some() {
        validity_secs(
            access,
            u.and_then(|u| u.access_token.as_ref()),
            TimeUnitsType::Hours,
        )
    } else {
        3600
    };
    let id_secs = if req.id_token_validity.is_some() {
        validity_secs(
            idv,
            u.and_then(|u| u.id_token.as_ref()),
            TimeUnitsType::Hours,
        )
    } else {
        3600
    };
    let refresh_secs = validity_secs(
        refresh,
        u.and_then(|u| u.refresh_token.as_ref()),
        TimeUnitsType::Days,
    );
    if !(300..=86400).contains(&access_secs) || !(300..=86400).contains(&id_secs) {
        return Err(ApiError::invalid(
            "Invalid range for token validity: access and ID tokens must be valid between 5 minutes and 1 day",
        ));
    }
    if !(3600..=315_360_000).contains(&refresh_secs) {
        return Err(ApiError::invalid(
            "Invalid range for token validity: refresh tokens must be valid between 60 minutes and 3650 days",
        ));
    }
    let session_mins = req.auth_session_validity.unwrap_or(3);
    if !(3..=15).contains(&session_mins) {
        return Err(ApiError::invalid(
            "1 validation error detected: Value at 'authSessionValidity' failed to satisfy constraint: Member must have value between 3 and 15",
        ));
    }
    let now = store.now_ms();
    let prevent = req
        .prevent_user_existence_errors
        .clone()
        .unwrap_or(PreventUserExistenceErrorTypes::Legacy);
    let revocation = req.enable_token_revocation.unwrap_or(true);
    let wire = UserPoolClientType {
        user_pool_id: Some(pool.id.clone()),
        client_name: Some(req.client_name.clone()),
        client_id: Some(id.clone()),
        client_secret: secret.clone().map(Into::into),
        last_modified_date: Some(secs(now)),
        creation_date: Some(secs(now)),
        refresh_token_validity: Some(refresh),
        access_token_validity: req.access_token_validity,
        id_token_validity: req.id_token_validity,
        token_validity_units: units,
        read_attributes: req.read_attributes.clone(),
        write_attributes: req.write_attributes.clone(),
        explicit_auth_flows: Some(flows.clone()),
        supported_identity_providers: req.supported_identity_providers.clone(),
        callback_urls: req.callback_urls.clone(),
        logout_urls: req.logout_urls.clone(),
        default_redirect_uri: req.default_redirect_uri.clone(),
        allowed_oauth_flows: req.allowed_oauth_flows.clone(),
        allowed_oauth_scopes: req.allowed_oauth_scopes.clone(),
        allowed_oauth_flows_user_pool_client: Some(
            req.allowed_oauth_flows_user_pool_client.unwrap_or(false),
        ),
        analytics_configuration: None,
        prevent_user_existence_errors: Some(prevent.clone()),
        enable_token_revocation: Some(revocation),
        enable_propagate_additional_user_context_data: Some(false),
        auth_session_validity: Some(session_mins),
        refresh_token_rotation: None,
    };
    let client = AppClient {
        id: id.clone(),
        name: req.client_name,
        secret,
        explicit_auth_flows: flows,
        prevent_user_existence_errors: prevent_errors(&Some(prevent)),
        enable_token_revocation: revocation,
        access_validity_secs: access_secs,
        id_validity_secs: id_secs,
        refresh_validity_secs: refresh_secs,
        auth_session_validity_mins: session_mins,
        wire: wire.clone(),
        allowed_oauth_flows: req.allowed_oauth_flows.unwrap_or_default(),
        allowed_oauth_scopes: req.allowed_oauth_scopes.unwrap_or_default(),
        callback_urls: req.callback_urls.unwrap_or_default(),
    };
    let mut clients = pool.clients.write().unwrap_or_else(|e| e.into_inner());
    if clients.contains_key(&id) {
        return Err(ApiError::invalid(format!("Client {id} already exists.")));
    }
    clients.insert(id, Arc::new(client));
    Ok(CreateUserPoolClientResponse {
        user_pool_client: Some(wire),
    })
}

pub fn create_resource_server(
    store: &Store,
    req: CreateResourceServerRequest,
) -> ApiResult<CreateResourceServerResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let server = ResourceServerType {
        user_pool_id: Some(pool.id.clone()),
        identifier: Some(req.identifier.clone()),
        name: Some(req.name),
        scopes: req.scopes,
    };
    let mut servers = pool
        .resource_servers
        .write()
        .unwrap_or_else(|e| e.into_inner());
    if servers
        .iter()
        .any(|s| s.identifier.as_deref() == Some(&req.identifier))
    {
        return Err(ApiError::invalid(format!(
            "{} already exists in user pool {}.",
            req.identifier, pool.id
        )));
    }
    servers.push(server.clone());
    Ok(CreateResourceServerResponse {
        resource_server: server,
    })
}

pub fn create_user_pool_domain(
    store: &Store,
    req: CreateUserPoolDomainRequest,
) -> ApiResult<CreateUserPoolDomainResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    {
        let pools = store.pools.read().unwrap_or_else(|e| e.into_inner());
        for other in pools.values() {
            if other
                .domain
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .as_deref()
                == Some(&req.domain)
            {
                return Err(ApiError::invalid(
                    "Domain already associated with another user pool.",
                ));
            }
        }
    }
    let mut domain = pool.domain.write().unwrap_or_else(|e| e.into_inner());
    if domain.is_some() {
        return Err(ApiError::invalid(format!(
            "User pool {} already has a domain configured.",
            pool.id
        )));
    }
    *domain = Some(req.domain);
    Ok(CreateUserPoolDomainResponse {
        managed_login_version: req.managed_login_version,
        cloud_front_domain: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

/// The internal user name and attributes for a new user, per the pool's username attributes
/// (with UsernameAttributes the typed name is an email or phone number and the internal name
/// is the sub).
/// A user's attributes as stored.
type Attributes = Vec<(Box<str>, Box<str>)>;

fn new_identity(
    pool: &Pool,
    username: &str,
    attributes: &[AttributeType],
    sub: uuid::Uuid,
) -> ApiResult<(String, Attributes)> {
    if username.is_empty()
        || username.chars().count() > 128
        || username.chars().any(char::is_whitespace)
    {
        return Err(ApiError::invalid(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    let mut attrs: Attributes = Vec::new();
    for a in attributes {
        let name = a.name.as_str();
        let standard = matches!(
            name,
            "address"
                | "birthdate"
                | "email"
                | "email_verified"
                | "family_name"
                | "gender"
                | "given_name"
                | "locale"
                | "middle_name"
                | "name"
                | "nickname"
                | "phone_number"
                | "phone_number_verified"
                | "picture"
                | "preferred_username"
                | "profile"
                | "updated_at"
                | "website"
                | "zoneinfo"
        );
        if name == "sub" {
            continue;
        }
        if !standard && !name.starts_with("custom:") {
            return Err(ApiError::invalid(format!(
                "Attribute does not exist in the schema: {name}"
            )));
        }
        let value = a.value.clone().unwrap_or_default();
        attrs.retain(|(n, _)| &**n != name);
        attrs.push((name.into(), value.into()));
    }
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
fn insert_user(pool: &Pool, mut user: User, exists_message: &str) -> ApiResult<()> {
    // Kept for the user's lifetime: no spare capacity.
    user.attributes.shrink_to_fit();
    let key = pool.key(&user.username);
    // With UsernameAttributes the email / phone number is the sign-in name: it is unique.
    let mut alias_keys = Vec::new();
    for attr in &pool.username_attributes {
        if let Some(v) = user.attribute(attr.as_str()) {
            let alias: Box<str> = v.to_lowercase().into();
            if pool.aliases.with(&alias, |m| m.contains_key(&alias)) {
                return Err(ApiError::new(
                    "UsernameExistsException",
                    format!(
                        "An account with the given {} already exists.",
                        attr.as_str()
                    ),
                ));
            }
            alias_keys.push(alias);
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
        return Err(ApiError::new("UsernameExistsException", exists_message));
    }
    for alias in alias_keys {
        let k = key.clone();
        pool.aliases.with(&alias, |m| m.insert(alias.clone(), k));
    }
    Ok(())
}

fn build_user(
    store: &Store,
    pool: &Pool,
    username: &str,
    password: &str,
    attributes: &[AttributeType],
    status: Status,
) -> ApiResult<User> {
    let sub = uuid::Uuid::new_v4();
    let (internal, attributes) = new_identity(pool, username, attributes, sub)?;
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
        temporary_expires_ms: now + pool.temporary_password_days * 86_400_000,
        confirm_code: None,
        forgot_code: None,
        lockout: Default::default(),
        generation: 0,
        groups: Vec::new(),
    })
}

pub fn sign_up(store: &Store, req: SignUpRequest) -> ApiResult<SignUpResponse> {
    let (pool, client) = store.pool_of_client(&req.client_id)?;
    check_secret_hash(
        &client,
        &[&req.username],
        req.secret_hash.as_ref().map(|s| s.expose()),
    )?;
    let password = req
        .password
        .as_ref()
        .map(|p| p.expose())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| missing("Password"))?;
    check_password(&pool, "password", password)?;
    let attributes = req.user_attributes.unwrap_or_default();
    let mut user = build_user(
        store,
        &pool,
        &req.username,
        password,
        &attributes,
        Status::Unconfirmed,
    )?;
    user.confirm_code = Some(Code::random(store.now_ms(), CONFIRM_CODE_VALIDITY_MS));
    let details = delivery(&user, &pool);
    let sub = user.sub;
    insert_user(&pool, user, "User already exists")?;
    Ok(SignUpResponse {
        user_confirmed: false,
        user_sub: sub.to_string(),
        code_delivery_details: details,
        session: None,
    })
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

/// Marks the auto-verified attributes verified and registers alias-attribute aliases.
fn confirm_user(pool: &Pool, key: &str, user: &mut User) {
    user.status = Status::Confirmed;
    user.confirm_code = None;
    for attr in &pool.auto_verified {
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

pub fn confirm_sign_up(
    store: &Store,
    req: ConfirmSignUpRequest,
) -> ApiResult<ConfirmSignUpResponse> {
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
    let pool2 = pool.clone();
    pool.with_user(&key, |user| {
        if user.status != Status::Unconfirmed {
            return Err(ApiError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_wire().as_str()
            )));
        }
        check_code(user.confirm_code, req.confirmation_code.expose(), now)?;
        confirm_user(&pool2, &key, user);
        user.modified_ms = now;
        Ok(())
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))?;
    Ok(ConfirmSignUpResponse { session: None })
}

pub fn resend_confirmation_code(
    store: &Store,
    req: ResendConfirmationCodeRequest,
) -> ApiResult<ResendConfirmationCodeResponse> {
    let (pool, client) = store.pool_of_client(&req.client_id)?;
    check_secret_hash(
        &client,
        &[&req.username],
        req.secret_hash.as_ref().map(|s| s.expose()),
    )?;
    let Some(key) = pool.resolve(&req.username) else {
        if client.prevent_user_existence_errors {
            // "Managing error responses": ResendConfirmationCode answers with a simulated
            // delivery, so an unknown user cannot be told from a known one.
            return Ok(ResendConfirmationCodeResponse {
                code_delivery_details: Some(simulated_delivery(&req.username)),
            });
        }
        return Err(ApiError::new(
            "UserNotFoundException",
            "Username/client id combination not found.",
        ));
    };
    let now = store.now_ms();
    pool.with_user(&key, |user| {
        if user.status != Status::Unconfirmed {
            return Err(ApiError::invalid("User is already confirmed."));
        }
        user.confirm_code = Some(Code::random(now, CONFIRM_CODE_VALIDITY_MS));
        Ok(ResendConfirmationCodeResponse {
            code_delivery_details: delivery(user, &pool).or(Some(CodeDeliveryDetailsType {
                destination: None,
                delivery_medium: Some(DeliveryMediumType::Email),
                attribute_name: Some("email".to_owned()),
            })),
        })
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

/// A temporary password that satisfies `policy`.
fn generate_temporary_password(policy: &PasswordPolicy) -> String {
    let body = random_token(12);
    let mut p = format!("Aa1!{body}");
    while p.chars().count() < policy.minimum_length {
        p.push('x');
    }
    p
}

pub fn admin_create_user(
    store: &Store,
    req: AdminCreateUserRequest,
) -> ApiResult<AdminCreateUserResponse> {
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
            .unwrap_or_else(|| generate_temporary_password(&pool.policy));
        let pool_id = pool.id.clone();
        let days = pool.temporary_password_days;
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
            check_password(&pool, "temporaryPassword", p.expose())?;
            p.expose().to_owned()
        }
        None => generate_temporary_password(&pool.policy),
    };
    let attributes = req.user_attributes.unwrap_or_default();
    let user = build_user(
        store,
        &pool,
        &req.username,
        &temp,
        &attributes,
        Status::ForceChangePassword,
    )?;
    let out = user_type(&user);
    insert_user(&pool, user, "User account already exists")?;
    Ok(AdminCreateUserResponse { user: Some(out) })
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

/// The key of a user named in an admin call (UserNotFoundException "User does not exist.").
fn admin_user(pool: &Pool, username: &str) -> ApiResult<Box<str>> {
    pool.resolve(username).ok_or_else(ApiError::user_not_found)
}

pub fn admin_set_user_password(
    store: &Store,
    req: AdminSetUserPasswordRequest,
) -> ApiResult<AdminSetUserPasswordResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let key = admin_user(&pool, &req.username)?;
    check_password(&pool, "password", req.password.expose())?;
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
            user.temporary_expires_ms = now + pool.temporary_password_days * 86_400_000;
        }
        Ok(AdminSetUserPasswordResponse {})
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

pub fn admin_confirm_sign_up(
    store: &Store,
    req: AdminConfirmSignUpRequest,
) -> ApiResult<AdminConfirmSignUpResponse> {
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

pub fn admin_delete_user(
    store: &Store,
    req: AdminDeleteUserRequest,
) -> ApiResult<AdminDeleteUserResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let key = admin_user(&pool, &req.username)?;
    if let Some(user) = pool.users.with(&key, |m| m.remove(&key)) {
        for attr in pool
            .username_attributes
            .iter()
            .chain(&pool.alias_attributes)
        {
            if let Some(v) = user.attribute(attr.as_str()) {
                let alias: Box<str> = v.to_lowercase().into();
                pool.aliases.with(&alias, |m| {
                    if m.get(&alias) == Some(&key) {
                        m.remove(&alias);
                    }
                });
            }
        }
    }
    Ok(AdminDeleteUserResponse {})
}

/// The request of AdminDisableUser, AdminEnableUser and AdminUserGlobalSignOut.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserRequest {
    pub user_pool_id: String,
    pub username: String,
}

/// The empty `{}` answer of the operations that return nothing.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EmptyResponse {}

fn set_enabled(store: &Store, req: AdminUserRequest, enabled: bool) -> ApiResult<EmptyResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let key = admin_user(&pool, &req.username)?;
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
    Ok(EmptyResponse {})
}

/// AdminDisableUser: the user can no longer sign in ("User is disabled."), and the tokens
/// issued before stop working.
pub fn admin_disable_user(store: &Store, req: AdminUserRequest) -> ApiResult<EmptyResponse> {
    set_enabled(store, req, false)
}

/// AdminEnableUser: a disabled user can sign in again.
pub fn admin_enable_user(store: &Store, req: AdminUserRequest) -> ApiResult<EmptyResponse> {
    set_enabled(store, req, true)
}

/// AdminUserGlobalSignOut: revokes every refresh token of the user, as GlobalSignOut does.
pub fn admin_user_global_sign_out(
    store: &Store,
    req: AdminUserRequest,
) -> ApiResult<EmptyResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let key = admin_user(&pool, &req.username)?;
    pool.with_user(&key, |user| {
        user.generation = user.generation.wrapping_add(1);
    })
    .ok_or_else(ApiError::user_not_found)?;
    Ok(EmptyResponse {})
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroupRequest {
    pub user_pool_id: String,
    pub group_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub precedence: Option<i64>,
    #[serde(default)]
    pub role_arn: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupWire {
    pub group_name: String,
    pub user_pool_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precedence: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub creation_date: f64,
    pub last_modified_date: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroupResponse {
    pub group: GroupWire,
}

/// CreateGroup ("Adding groups to a user pool"); a taken name is GroupExistsException.
pub fn create_group(store: &Store, req: CreateGroupRequest) -> ApiResult<CreateGroupResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    if req.group_name.is_empty() || req.group_name.chars().count() > 128 {
        return Err(ApiError::invalid(
            "1 validation error detected: Value at 'groupName' failed to satisfy constraint: Member must have length between 1 and 128",
        ));
    }
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
        group: GroupWire {
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

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminAddUserToGroupRequest {
    pub user_pool_id: String,
    pub username: String,
    pub group_name: String,
}

/// AdminAddUserToGroup: later sign-ins carry the group in `cognito:groups`.
pub fn admin_add_user_to_group(
    store: &Store,
    req: AdminAddUserToGroupRequest,
) -> ApiResult<EmptyResponse> {
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
    Ok(EmptyResponse {})
}

pub fn admin_get_user(store: &Store, req: AdminGetUserRequest) -> ApiResult<AdminGetUserResponse> {
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
        preferred_mfa_setting: None,
        user_mfa_setting_list: None,
    })
    .ok_or_else(ApiError::user_not_found)
}

pub fn get_user(store: &Store, req: GetUserRequest) -> ApiResult<GetUserResponse> {
    let token = tokens::check_admin_access_token(store, req.access_token.expose())?;
    let pool = store.pool(&token.pool_id)?;
    pool.with_user(&token.user_key, |user| GetUserResponse {
        username: user.username.to_string(),
        user_attributes: wire_attributes(user),
        mfa_options: None,
        preferred_mfa_setting: None,
        user_mfa_setting_list: None,
    })
    .ok_or_else(|| ApiError::not_authorized("User does not exist."))
}

pub fn forgot_password(
    store: &Store,
    req: ForgotPasswordRequest,
) -> ApiResult<ForgotPasswordResponse> {
    let (pool, client) = store.pool_of_client(&req.client_id)?;
    check_secret_hash(
        &client,
        &[&req.username],
        req.secret_hash.as_ref().map(|s| s.expose()),
    )?;
    let Some(key) = pool.resolve(&req.username) else {
        if client.prevent_user_existence_errors {
            // "Managing error responses": a simulated delivery, so existence is not revealed.
            return Ok(ForgotPasswordResponse {
                code_delivery_details: Some(simulated_delivery(&req.username)),
            });
        }
        return Err(ApiError::new(
            "UserNotFoundException",
            "Username/client id combination not found.",
        ));
    };
    let now = store.now_ms();
    pool.with_user(&key, |user| {
        let details = recovery_delivery(user).ok_or_else(|| {
            ApiError::invalid(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            )
        })?;
        user.forgot_code = Some(Code::random(now, FORGOT_CODE_VALIDITY_MS));
        Ok(ForgotPasswordResponse {
            code_delivery_details: Some(details),
        })
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

pub fn confirm_forgot_password(
    store: &Store,
    req: ConfirmForgotPasswordRequest,
) -> ApiResult<ConfirmForgotPasswordResponse> {
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
        check_code(user.forgot_code, req.confirmation_code.expose(), now)?;
        check_password(&pool, "password", req.password.expose())?;
        user.set_password(&pool.id, req.password.expose())?;
        user.forgot_code = None;
        user.lockout = Default::default();
        user.modified_ms = now;
        if user.status == Status::ForceChangePassword {
            user.status = Status::Confirmed;
        }
        Ok(ConfirmForgotPasswordResponse {})
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

pub fn change_password(
    store: &Store,
    req: ChangePasswordRequest,
) -> ApiResult<ChangePasswordResponse> {
    let token = tokens::check_admin_access_token(store, req.access_token.expose())?;
    let pool = store.pool(&token.pool_id)?;
    let now = store.now_ms();
    pool.with_user(&token.user_key, |user| {
        if let Some(prev) = &req.previous_password {
            if locked(user, now) {
                return Err(ApiError::not_authorized("Password attempts exceeded"));
            }
            if !user.password_matches(prev.expose()) {
                record_failure(user, now);
                return Err(ApiError::bad_credentials());
            }
        }
        check_password(&pool, "proposedPassword", req.proposed_password.expose())?;
        user.set_password(&pool.id, req.proposed_password.expose())?;
        user.lockout = Default::default();
        user.modified_ms = now;
        Ok(ChangePasswordResponse {})
    })
    .unwrap_or_else(|| Err(ApiError::not_authorized("User does not exist.")))
}

pub fn global_sign_out(
    store: &Store,
    req: GlobalSignOutRequest,
) -> ApiResult<GlobalSignOutResponse> {
    let token = tokens::check_admin_access_token(store, req.access_token.expose())?;
    let pool = store.pool(&token.pool_id)?;
    pool.with_user(&token.user_key, |user| {
        user.generation = user.generation.wrapping_add(1);
    });
    Ok(GlobalSignOutResponse {})
}

pub fn revoke_token(store: &Store, req: RevokeTokenRequest) -> ApiResult<RevokeTokenResponse> {
    let (_pool, client) = store.pool_of_client(&req.client_id)?;
    if let Some(secret) = &client.secret {
        let given = req.client_secret.as_ref().map(|s| s.expose()).unwrap_or("");
        if !crate::protocol::Sensitive::new(secret.as_str()).ct_eq(given) {
            return Err(ApiError::new(
                "UnauthorizedException",
                format!("Unable to verify client secret for client {}", client.id),
            ));
        }
    }
    if !client.enable_token_revocation {
        return Err(ApiError::new(
            "UnsupportedOperationException",
            "Token revocation isn't enabled for this client.",
        ));
    }
    // An unknown token is not an error (RFC 7009 §2.2, "Revoking tokens").
    if !tokens::revoke_refresh_token(store, req.token.expose(), &client.id) {
        return Err(ApiError::invalid(
            "The token was not issued to this client.",
        ));
    }
    Ok(RevokeTokenResponse {})
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

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

/// The flow's `ALLOW_*` name for the error message.
fn require_flow(client: &AppClient, flow: ExplicitAuthFlowsType, name: &str) -> ApiResult<()> {
    if client.allows(&flow) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "{name} flow not enabled for this client"
        )))
    }
}

/// The shared answer of InitiateAuth and RespondToAuthChallenge (and their Admin forms).
#[derive(Debug, Default)]
pub struct AuthAnswer {
    pub challenge_name: Option<ChallengeNameType>,
    pub session: Option<String>,
    pub challenge_parameters: Option<ParamMap>,
    pub authentication_result: Option<AuthenticationResultType>,
}

impl AuthAnswer {
    pub fn into_initiate(self) -> InitiateAuthResponse {
        InitiateAuthResponse {
            challenge_name: self.challenge_name,
            session: self.session.map(Into::into),
            challenge_parameters: self.challenge_parameters,
            authentication_result: self.authentication_result,
            available_challenges: None,
        }
    }
    pub fn into_respond(self) -> RespondToAuthChallengeResponse {
        RespondToAuthChallengeResponse {
            challenge_name: self.challenge_name,
            session: self.session.map(Into::into),
            challenge_parameters: self.challenge_parameters,
            authentication_result: self.authentication_result,
        }
    }
}

pub fn initiate_auth(store: &Store, req: InitiateAuthRequest) -> ApiResult<InitiateAuthResponse> {
    let (pool, client) = store.pool_of_client(&req.client_id)?;
    let params = req
        .auth_parameters
        .map(|p| p.into_inner())
        .unwrap_or_default();
    initiate(store, &pool, &client, &req.auth_flow, &params, false).map(AuthAnswer::into_initiate)
}

pub fn admin_initiate_auth(
    store: &Store,
    req: AdminInitiateAuthRequest,
) -> ApiResult<AdminInitiateAuthResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let client = pool.client(&req.client_id)?;
    let params = req
        .auth_parameters
        .map(|p| p.into_inner())
        .unwrap_or_default();
    let a = initiate(store, &pool, &client, &req.auth_flow, &params, true)?;
    Ok(AdminInitiateAuthResponse {
        challenge_name: a.challenge_name,
        session: a.session.map(Into::into),
        challenge_parameters: a.challenge_parameters,
        authentication_result: a.authentication_result,
        available_challenges: None,
    })
}

fn initiate(
    store: &Store,
    pool: &Arc<Pool>,
    client: &AppClient,
    flow: &AuthFlowType,
    params: &BTreeMap<String, String>,
    admin: bool,
) -> ApiResult<AuthAnswer> {
    let not_supported = || ApiError::invalid("Initiate Auth method not supported.");
    match flow {
        AuthFlowType::UserSrpAuth => srp_initiate(store, pool, client, params),
        AuthFlowType::UserPasswordAuth if !admin => {
            require_flow(
                client,
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                "USER_PASSWORD_AUTH",
            )?;
            password_auth(store, pool, client, params)
        }
        AuthFlowType::AdminUserPasswordAuth | AuthFlowType::AdminNoSrpAuth if admin => {
            require_flow(
                client,
                ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                "ADMIN_USER_PASSWORD_AUTH",
            )?;
            password_auth(store, pool, client, params)
        }
        AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => {
            require_flow(
                client,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                "REFRESH_TOKEN",
            )?;
            refresh(store, pool, client, params)
        }
        AuthFlowType::CustomAuth => Err(ApiError::invalid(
            "Custom auth lambda trigger is not configured for the user pool.",
        )),
        AuthFlowType::Other(v) => Err(ApiError::invalid(format!(
            "1 validation error detected: Value '{v}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
        ))),
        _ => Err(not_supported()),
    }
}

/// The user for a sign-in; unknown users per PreventUserExistenceErrors (§8.73, §6.59).
fn sign_in_user(pool: &Pool, client: &AppClient, username: &str) -> ApiResult<Box<str>> {
    pool.resolve(username).ok_or_else(|| {
        if client.prevent_user_existence_errors {
            ApiError::bad_credentials()
        } else {
            ApiError::user_not_found()
        }
    })
}

/// Issues tokens, or the NEW_PASSWORD_REQUIRED challenge for a FORCE_CHANGE_PASSWORD user.
fn complete_sign_in(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    key: &str,
) -> ApiResult<AuthAnswer> {
    let now = store.now_ms();
    let status = pool.with_user(key, |u| {
        (u.status, u.username.clone(), u.attributes.clone())
    });
    let Some((status, username, attributes)) = status else {
        return Err(ApiError::user_not_found());
    };
    if status == Status::ForceChangePassword {
        let session = random_token(96);
        store.challenges.insert_expiring(
            session.clone(),
            ChallengePending {
                pool_id: pool.id.clone(),
                client_id: client.id.clone(),
                user_key: key.into(),
                kind: ChallengeKind::NewPasswordRequired,
                expires_ms: now + client.auth_session_validity_mins * 60_000,
            },
            now,
            |p| p.expires_ms,
        );
        let user_attributes: serde_json::Map<String, serde_json::Value> = attributes
            .iter()
            .filter(|(n, _)| !n.ends_with("_verified"))
            .map(|(n, v)| (n.to_string(), serde_json::Value::String(v.to_string())))
            .collect();
        let params = ParamMap::new()
            .with("USER_ID_FOR_SRP", &*username)
            .with("requiredAttributes", "[]")
            .with(
                "userAttributes",
                serde_json::Value::Object(user_attributes).to_string(),
            );
        return Ok(AuthAnswer {
            challenge_name: Some(ChallengeNameType::NewPasswordRequired),
            session: Some(session),
            challenge_parameters: Some(params),
            authentication_result: None,
        });
    }
    let auth_time = store.now_secs();
    let generation = pool.with_user(key, |u| u.generation).unwrap_or(0);
    let (origin, refresh_token) =
        tokens::new_sign_in(store, pool, client, key, generation, auth_time);
    let result = pool
        .with_user(key, |u| {
            tokens::issue(
                store,
                pool,
                client,
                u,
                origin,
                auth_time,
                Some(refresh_token),
            )
        })
        .unwrap_or_else(|| Err(ApiError::user_not_found()))?;
    Ok(AuthAnswer {
        challenge_name: None,
        session: None,
        challenge_parameters: Some(ParamMap::new()),
        authentication_result: Some(result),
    })
}

fn password_auth(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let username = param(params, "USERNAME")?;
    let password = param(params, "PASSWORD")?;
    let key = sign_in_user(pool, client, username)?;
    let now = store.now_ms();
    let (internal, sub) = pool
        .with_user(&key, |u| (u.username.clone(), u.sub.to_string()))
        .ok_or_else(ApiError::user_not_found)?;
    check_secret_hash(
        client,
        &[username, &internal, &sub],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    check_sign_in_password(pool, &key, password, now)?;
    complete_sign_in(store, pool, client, &key)
}

/// The password sign-in checks of user `key`, in Cognito's order: confirmed, enabled, not
/// locked out, then the password (a failure counts towards the lockout).
pub(crate) fn check_sign_in_password(
    pool: &Pool,
    key: &str,
    password: &str,
    now: i64,
) -> ApiResult<()> {
    pool.with_user(key, |user| {
        // The confirmation check comes before the password check (§2.27).
        if user.status == Status::Unconfirmed {
            return Err(ApiError::new(
                "UserNotConfirmedException",
                "User is not confirmed.",
            ));
        }
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        if locked(user, now) {
            return Err(ApiError::not_authorized("Password attempts exceeded"));
        }
        let expired_temp =
            user.status == Status::ForceChangePassword && now > user.temporary_expires_ms;
        if !user.password_matches(password) || expired_temp {
            record_failure(user, now);
            return Err(ApiError::bad_credentials());
        }
        user.lockout = Default::default();
        Ok(())
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))
}

fn refresh(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let token = param(params, "REFRESH_TOKEN")?;
    let invalid = || ApiError::not_authorized("Invalid Refresh Token.");
    let origin = tokens::parse_refresh_token(store, token).ok_or_else(invalid)?;
    let now = store.now_ms();
    let record = tokens::sign_in_record(store, &origin).ok_or_else(invalid)?;
    if record.pool_id != pool.id || record.client_id != client.id {
        return Err(invalid());
    }
    let names = pool.with_user(&record.user_key, |u| {
        (
            u.username.clone(),
            u.sub.to_string(),
            u.generation,
            u.enabled,
        )
    });
    let (internal, sub, current_generation, enabled) = names.ok_or_else(invalid)?;
    check_secret_hash(
        client,
        &[&internal, &sub],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    if !enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if record.revoked_for(current_generation) {
        return Err(ApiError::not_authorized("Refresh Token has been revoked"));
    }
    if now > record.refresh_expires_ms {
        return Err(ApiError::not_authorized("Refresh Token has expired"));
    }
    // No new refresh token on refresh; auth_time and origin_jti carry over.
    let result = pool
        .with_user(&record.user_key, |u| {
            tokens::issue(store, pool, client, u, origin, record.auth_time, None)
        })
        .ok_or_else(invalid)??;
    Ok(AuthAnswer {
        challenge_name: None,
        session: None,
        challenge_parameters: Some(ParamMap::new()),
        authentication_result: Some(result),
    })
}

fn srp_error(e: SrpError) -> ApiError {
    match e {
        SrpError::ZeroA | SrpError::BadHex { .. } | SrpError::MalformedTimestamp => {
            ApiError::invalid(e.to_string())
        }
        _ => ApiError::bad_credentials(),
    }
}

fn srp_initiate(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    require_flow(
        client,
        ExplicitAuthFlowsType::AllowUserSrpAuth,
        "USER_SRP_AUTH",
    )?;
    let username = param(params, "USERNAME")?;
    let srp_a = param(params, "SRP_A")?;
    let now = store.now_ms();
    let key = pool.resolve(username);
    let (user_key, internal, user_id_for_srp, verifier) = match key {
        Some(key) => {
            let found = pool.with_user(&key, |u| {
                (
                    u.username.clone(),
                    u.sub.to_string(),
                    u.verifier.clone(),
                    u.status,
                    locked(u, now),
                    u.enabled,
                )
            });
            let (internal, sub, verifier, status, is_locked, enabled) =
                found.ok_or_else(ApiError::user_not_found)?;
            check_secret_hash(
                client,
                &[username, &internal, &sub],
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            if status == Status::Unconfirmed {
                return Err(ApiError::new(
                    "UserNotConfirmedException",
                    "User is not confirmed.",
                ));
            }
            if !enabled {
                return Err(ApiError::not_authorized("User is disabled."));
            }
            if is_locked {
                return Err(ApiError::not_authorized("Password attempts exceeded"));
            }
            (Some(key), internal.clone(), internal, verifier)
        }
        None if client.prevent_user_existence_errors => {
            check_secret_hash(
                client,
                &[username],
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            // A decoy challenge with a salt and a UUID internal user id, both stable per pool
            // and user name, so the answer does not tell an unknown user from a wrong
            // password ("Managing error responses").
            let d = aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                format!("{}|{username}", pool.id).as_bytes(),
            );
            let mut salt = [0u8; 16];
            salt.copy_from_slice(&d.as_ref()[..16]);
            let mut id = [0u8; 16];
            id.copy_from_slice(&d.as_ref()[16..]);
            let user_id = uuid::Builder::from_random_bytes(id).into_uuid().to_string();
            let verifier = Verifier::with_salt(salt, &pool.id, username, &random_token(16))
                .map_err(srp_error)?;
            (None, username.into(), user_id.into_boxed_str(), verifier)
        }
        None => return Err(ApiError::user_not_found()),
    };
    let session = ServerSession::from_rng(&verifier, srp_a, &mut rand::rng()).map_err(srp_error)?;
    let secret_block = {
        let mut bytes = [0u8; 64];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        crate::srp::math::encode_secret_block(&bytes)
    };
    let params = ParamMap::new()
        .with("SALT", verifier.salt_hex())
        .with("SECRET_BLOCK", &secret_block)
        .with("SRP_B", session.b_pub_hex())
        .with("USERNAME", &*internal)
        .with("USER_ID_FOR_SRP", &*user_id_for_srp);
    store.srp_pending.insert_expiring(
        secret_block.clone(),
        SrpPending {
            pool_id: pool.id.clone(),
            client_id: client.id.clone(),
            user_key,
            username: internal,
            session,
            expires_ms: now + client.auth_session_validity_mins * 60_000,
        },
        now,
        |p| p.expires_ms,
    );
    Ok(AuthAnswer {
        challenge_name: Some(ChallengeNameType::PasswordVerifier),
        session: None,
        challenge_parameters: Some(params),
        authentication_result: None,
    })
}

pub fn respond_to_auth_challenge(
    store: &Store,
    req: RespondToAuthChallengeRequest,
) -> ApiResult<RespondToAuthChallengeResponse> {
    let (pool, client) = store.pool_of_client(&req.client_id)?;
    let responses = req
        .challenge_responses
        .map(|p| p.into_inner())
        .unwrap_or_default();
    let session = req.session.as_ref().map(|s| s.expose());
    respond(
        store,
        &pool,
        &client,
        &req.challenge_name,
        session,
        &responses,
    )
    .map(AuthAnswer::into_respond)
}

pub fn admin_respond_to_auth_challenge(
    store: &Store,
    req: AdminRespondToAuthChallengeRequest,
) -> ApiResult<AdminRespondToAuthChallengeResponse> {
    let pool = store.pool(&req.user_pool_id)?;
    let client = pool.client(&req.client_id)?;
    let responses = req
        .challenge_responses
        .map(|p| p.into_inner())
        .unwrap_or_default();
    let session = req.session.as_ref().map(|s| s.expose());
    let a = respond(
        store,
        &pool,
        &client,
        &req.challenge_name,
        session,
        &responses,
    )?;
    Ok(AdminRespondToAuthChallengeResponse {
        challenge_name: a.challenge_name,
        session: a.session.map(Into::into),
        challenge_parameters: a.challenge_parameters,
        authentication_result: a.authentication_result,
    })
}

fn respond(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    challenge: &ChallengeNameType,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    match challenge {
        ChallengeNameType::PasswordVerifier => password_verifier(store, pool, client, responses),
        ChallengeNameType::NewPasswordRequired => {
            new_password_required(store, pool, client, session, responses)
        }
        other => Err(ApiError::invalid(format!(
            "Challenge {} is not supported for this user pool.",
            other.as_str()
        ))),
    }
}

fn password_verifier(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let username = param(responses, "USERNAME")?;
    let secret_block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let timestamp = param(responses, "TIMESTAMP")?;
    let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    // Single use: the pending challenge is taken out whatever the outcome.
    let pending = store
        .srp_pending
        .with(secret_block, |m| m.remove(secret_block))
        .ok_or_else(ApiError::bad_credentials)?;
    let now = store.now_ms();
    if pending.pool_id != pool.id || pending.client_id != client.id || now > pending.expires_ms {
        return Err(ApiError::bad_credentials());
    }
    let sub = pending
        .user_key
        .as_ref()
        .and_then(|k| pool.with_user(k, |u| u.sub.to_string()))
        .unwrap_or_default();
    check_secret_hash(
        client,
        &[username, &pending.username, &sub],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    let Some(key) = pending.user_key.clone() else {
        // Decoy: still check the TIMESTAMP format, as for a real user.
        crate::srp::math::parse_timestamp(timestamp).map_err(srp_error)?;
        return Err(ApiError::bad_credentials());
    };
    let answer = PasswordVerifierResponse {
        username: username.to_owned(),
        password_claim_secret_block: secret_block.to_owned(),
        timestamp: timestamp.to_owned(),
        password_claim_signature: signature.to_owned(),
    };
    let verified = pending.session.verify(&pool.id, &pending.username, &answer);
    pool.with_user(&key, |user| {
        if locked(user, now) {
            return Err(ApiError::not_authorized("Password attempts exceeded"));
        }
        match verified {
            Ok(_) => {
                user.lockout = Default::default();
                if user.status == Status::ForceChangePassword && now > user.temporary_expires_ms {
                    return Err(ApiError::bad_credentials());
                }
                Ok(())
            }
            Err(SrpError::SignatureMismatch) => {
                record_failure(user, now);
                Err(ApiError::bad_credentials())
            }
            Err(e) => Err(srp_error(e)),
        }
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))?;
    complete_sign_in(store, pool, client, &key)
}

fn new_password_required(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("Session"))?;
    let invalid_session = || ApiError::not_authorized("Invalid session for the user.");
    let now = store.now_ms();
    let pending = store
        .challenges
        .with(session, |m| m.remove(session))
        .ok_or_else(invalid_session)?;
    if pending.kind != ChallengeKind::NewPasswordRequired
        || pending.pool_id != pool.id
        || pending.client_id != client.id
    {
        return Err(invalid_session());
    }
    if now > pending.expires_ms {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    let username = param(responses, "USERNAME")?;
    let new_password = param(responses, "NEW_PASSWORD")?;
    let (internal, sub) = pool
        .with_user(&pending.user_key, |u| {
            (u.username.clone(), u.sub.to_string())
        })
        .ok_or_else(ApiError::user_not_found)?;
    check_secret_hash(
        client,
        &[username, &internal, &sub],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    if let Err(message) = pool.policy.check(new_password) {
        // The session stays usable for another try, as Cognito's does.
        store
            .challenges
            .insert_expiring(session.to_owned(), pending_again(&pending), now, |p| {
                p.expires_ms
            });
        return Err(invalid_password(message));
    }
    pool.with_user(&pending.user_key, |user| {
        user.set_password(&pool.id, new_password)?;
        user.status = Status::Confirmed;
        user.modified_ms = now;
        for (name, value) in responses {
            if let Some(attr) = name.strip_prefix("userAttributes.") {
                user.set_attribute(attr, value);
            }
        }
        Ok::<(), ApiError>(())
    })
    .unwrap_or_else(|| Err(ApiError::user_not_found()))?;
    complete_sign_in(store, pool, client, &pending.user_key)
}

fn pending_again(p: &ChallengePending) -> ChallengePending {
    ChallengePending {
        pool_id: p.pool_id.clone(),
        client_id: p.client_id.clone(),
        user_key: p.user_key.clone(),
        kind: p.kind,
        expires_ms: p.expires_ms,
    }
}

/// The latest unused codes of a user, for `GET /_harness/codes/{poolId}/{username}`.
pub fn codes(
    store: &Store,
    pool_id: &str,
    username: &str,
) -> ApiResult<(Option<String>, Option<String>)> {
    let pool = store.pool(pool_id)?;
    let key = pool
        .resolve(username)
        .ok_or_else(ApiError::user_not_found)?;
    pool.with_user(&key, |u| {
        (
            u.confirm_code.map(|c| c.as_str().to_owned()),
            u.forgot_code.map(|c| c.as_str().to_owned()),
        )
    })
    .ok_or_else(ApiError::user_not_found)
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
    pool.policy.check(password).map_err(invalid_password)?;
    let mut user = build_user(store, &pool, username, password, attributes, status)?;
    if status == Status::Confirmed {
        for attr in &pool.auto_verified {
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
