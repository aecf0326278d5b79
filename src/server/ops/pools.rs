//! Pool management: CreateUserPool, DeleteUserPool, DescribeUserPool, CreateUserPoolClient,
//! CreateResourceServer and CreateUserPoolDomain, and the fixed-id forms the serve config seeds
//! pools and clients with. [`build_app_client`] is shared with UpdateUserPoolClient
//! (`clients.rs`).

use std::sync::{Arc, RwLock};

use super::{Handle, secs};
use crate::protocol::ops::*;
use crate::server::attributes::Schema;
use crate::server::error::{ApiError, ApiResult};
use crate::server::password::PasswordPolicy;
use crate::server::store::{
    AppClient, Pool, PoolSettings, Store, default_auth_flows, new_client_id, new_client_secret,
    new_pool_id, prevent_errors, validity_secs,
};

impl Handle for CreateUserPoolRequest {
    fn handle(self, store: &Store) -> ApiResult<CreateUserPoolResponse> {
        let req = self;
        create_user_pool_with_id(store, req, None)
    }
}

/// CreateUserPool with a fixed id (config files), else a generated `<region>_<9 alnum>`.
pub fn create_user_pool_with_id(
    store: &Store,
    req: CreateUserPoolRequest,
    id: Option<String>,
) -> ApiResult<CreateUserPoolResponse> {
    // PoolName's length and pattern are the model's constraints, checked before the handler
    // (server/validate.rs; seed.rs for configured pools).
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
    let schema = Schema::from_request(req.schema.as_deref())?;
    // UserPoolTier "Defaults to ESSENTIALS" (service model, CreateUserPool).
    let tier = req
        .user_pool_tier
        .clone()
        .unwrap_or_else(|| "ESSENTIALS".to_owned());
    let sign_in_policy = super::user_auth::sign_in_policy(
        req.policies.as_ref().and_then(|p| p.sign_in_policy.clone()),
        Some(&tier),
    )?;
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
            sign_in_policy: Some(sign_in_policy),
        }),
        user_pool_tier: Some(tier),
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
        schema_attributes: Some(schema.to_wire()),
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
        created_ms: now,
        settings: RwLock::new(Arc::new(PoolSettings {
            temporary_password_days: policy.temporary_password_validity_days,
            policy,
            auto_verified: req.auto_verified_attributes.unwrap_or_default(),
            wire: wire.clone(),
        })),
        username_attributes,
        alias_attributes,
        schema: RwLock::new(schema),
        case_sensitive,
        clients: RwLock::default(),
        resource_servers: RwLock::default(),
        domain: RwLock::default(),
        groups: RwLock::default(),
        users: Default::default(),
        aliases: Default::default(),
        mfa: RwLock::new(crate::server::mfa::PoolMfa::created(
            wire.mfa_configuration.as_ref(),
        )),
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

impl Handle for DeleteUserPoolRequest {
    fn handle(self, store: &Store) -> ApiResult<DeleteUserPoolResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        if pool.wire().deletion_protection == Some(DeletionProtectionType::Active) {
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
}

impl Handle for DescribeUserPoolRequest {
    fn handle(self, store: &Store) -> ApiResult<DescribeUserPoolResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let mut wire = pool.wire();
        wire.estimated_number_of_users = Some(pool.users.len() as i64);
        wire.schema_attributes = Some(pool.schema().to_wire());
        wire.domain = pool
            .domain
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        Ok(DescribeUserPoolResponse { user_pool: wire })
    }
}

impl Handle for CreateUserPoolClientRequest {
    fn handle(self, store: &Store) -> ApiResult<CreateUserPoolClientResponse> {
        let req = self;
        create_user_pool_client_with(store, req, None, None)
    }
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
    let client = build_app_client(store, &pool, req, id.clone(), secret)?;
    let wire = client.wire.clone();
    let mut clients = pool.clients.write().unwrap_or_else(|e| e.into_inner());
    if clients.contains_key(&id) {
        return Err(ApiError::invalid(format!("Client {id} already exists.")));
    }
    clients.insert(id, Arc::new(client));
    Ok(CreateUserPoolClientResponse {
        user_pool_client: Some(wire),
    })
}

/// The app client `req` declares, with its id and secret: every member left out takes its
/// default (CreateUserPoolClient, and UpdateUserPoolClient, which resets omitted members).
pub fn build_app_client(
    store: &Store,
    pool: &Pool,
    req: CreateUserPoolClientRequest,
    id: String,
    secret: Option<String>,
) -> ApiResult<AppClient> {
    let flows = req
        .explicit_auth_flows
        .clone()
        .filter(|f| !f.is_empty())
        .unwrap_or_else(default_auth_flows);
    super::user_auth::check_client_flows(pool, &flows)?;
    // Unknown ExplicitAuthFlows values fail the model's enum before the handler
    // (server/validate.rs; seed.rs for configured clients).
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
    // AuthSessionValidity 3-15: the model's range, checked with the request (server/validate.rs).
    let session_mins = req.auth_session_validity.unwrap_or(3);
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
        refresh_token_rotation: req.refresh_token_rotation.clone(),
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
        wire,
        allowed_oauth_flows: req.allowed_oauth_flows.unwrap_or_default(),
        allowed_oauth_scopes: req.allowed_oauth_scopes.unwrap_or_default(),
        callback_urls: req.callback_urls.unwrap_or_default(),
        // RetryGracePeriodSeconds 0-60 is the model's range, checked with the request
        // (server/validate.rs); ⚠ no source gives its default: 0, no grace.
        rotation_grace_secs: req
            .refresh_token_rotation
            .as_ref()
            .filter(|r| r.feature == FeatureType::Enabled)
            .map(|r| r.retry_grace_period_seconds.unwrap_or(0)),
    };
    Ok(client)
}

impl Handle for CreateResourceServerRequest {
    fn handle(self, store: &Store) -> ApiResult<CreateResourceServerResponse> {
        let req = self;
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
}

impl Handle for CreateUserPoolDomainRequest {
    fn handle(self, store: &Store) -> ApiResult<CreateUserPoolDomainResponse> {
        let req = self;
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
}
