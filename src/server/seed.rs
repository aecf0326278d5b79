//! Pools declared up front (`serve --config`, [`super::ServerConfig::pools`]) created through
//! the same handlers the API calls use, so a seeded pool is exactly what CreateUserPool,
//! CreateUserPoolClient and AdminCreateUser would have made.

use super::config::{CustomAttributeSeed, PoolSeed};
use super::error::ApiError;
use super::ops;
use super::store::{Status, Store};
use super::validate;
use crate::protocol::ops::*;

fn attrs(list: &[String]) -> Option<Vec<PoolAttributeType>> {
    (!list.is_empty()).then(|| list.iter().map(|s| PoolAttributeType::parse(s)).collect())
}

/// The CreateUserPool `Schema` entry of a configured custom attribute.
fn schema_entry(a: &CustomAttributeSeed) -> SchemaAttributeType {
    let number = a.min_value.is_some() || a.max_value.is_some();
    let string = a.min_length.is_some() || a.max_length.is_some();
    SchemaAttributeType {
        name: Some(a.name.clone()),
        attribute_data_type: Some(AttributeDataType::parse(
            a.data_type.as_deref().unwrap_or("String"),
        )),
        developer_only_attribute: None,
        mutable: a.mutable,
        required: None,
        number_attribute_constraints: number.then(|| NumberAttributeConstraintsType {
            min_value: a.min_value.map(|v| v.to_string()),
            max_value: a.max_value.map(|v| v.to_string()),
        }),
        string_attribute_constraints: string.then(|| StringAttributeConstraintsType {
            min_length: a.min_length.map(|v| v.to_string()),
            max_length: a.max_length.map(|v| v.to_string()),
        }),
    }
}

/// Creates a seed pool with its clients and users.
pub fn apply_seed(store: &Store, seed: &PoolSeed) -> Result<(), ApiError> {
    let policy = seed.password_policy.as_ref().map(|p| PasswordPolicyType {
        minimum_length: p.minimum_length,
        require_uppercase: p.require_uppercase,
        require_lowercase: p.require_lowercase,
        require_numbers: p.require_numbers,
        require_symbols: p.require_symbols,
        password_history_size: None,
        temporary_password_validity_days: p.temporary_password_validity_days,
    });
    let pool_request = CreateUserPoolRequest {
        policies: Some(UserPoolPolicyType {
            password_policy: policy,
            sign_in_policy: None,
        }),
        username_attributes: attrs(&seed.username_attributes),
        alias_attributes: attrs(&seed.alias_attributes),
        auto_verified_attributes: attrs(&seed.auto_verified_attributes),
        schema: (!seed.custom_attributes.is_empty())
            .then(|| seed.custom_attributes.iter().map(schema_entry).collect()),
        ..CreateUserPoolRequest::named(&seed.name)
    };
    // The model's input constraints, as an API call would meet them before the handler.
    validate::check_typed(&pool_request)?;
    let created = ops::pools::create_user_pool_with_id(store, pool_request, seed.id.clone())?;
    let pool_id = created
        .user_pool
        .and_then(|p| p.id)
        .ok_or_else(|| ApiError::new("InternalErrorException", "pool without id"))?;
    for c in &seed.clients {
        let minutes = Some(TimeUnitsType::Minutes);
        let client_request = CreateUserPoolClientRequest {
            generate_secret: Some(c.generate_secret),
            explicit_auth_flows: (!c.explicit_auth_flows.is_empty()).then(|| {
                c.explicit_auth_flows
                    .iter()
                    .map(|f| ExplicitAuthFlowsType::parse(f))
                    .collect()
            }),
            prevent_user_existence_errors: c
                .prevent_user_existence_errors
                .as_deref()
                .map(PreventUserExistenceErrorTypes::parse),
            enable_token_revocation: c.enable_token_revocation,
            access_token_validity: c.access_token_validity_minutes,
            id_token_validity: c.id_token_validity_minutes,
            refresh_token_validity: c.refresh_token_validity_days,
            token_validity_units: Some(TokenValidityUnitsType {
                access_token: minutes.clone(),
                id_token: minutes,
                refresh_token: Some(TimeUnitsType::Days),
            }),
            allowed_oauth_flows: (!c.allowed_oauth_flows.is_empty()).then(|| {
                c.allowed_oauth_flows
                    .iter()
                    .map(|f| OAuthFlowType::parse(f))
                    .collect()
            }),
            allowed_oauth_scopes: (!c.allowed_oauth_scopes.is_empty())
                .then(|| c.allowed_oauth_scopes.clone()),
            callback_urls: (!c.callback_urls.is_empty()).then(|| c.callback_urls.clone()),
            ..CreateUserPoolClientRequest::new(&pool_id, &c.name)
        };
        validate::check_typed(&client_request)?;
        ops::pools::create_user_pool_client_with(
            store,
            client_request,
            c.id.clone(),
            c.secret.as_ref().map(|s| s.expose().to_owned()),
        )?;
    }
    for u in &seed.users {
        let status = match u.status.as_deref().unwrap_or("CONFIRMED") {
            "CONFIRMED" => Status::Confirmed,
            "UNCONFIRMED" => Status::Unconfirmed,
            "FORCE_CHANGE_PASSWORD" => Status::ForceChangePassword,
            other => {
                return Err(ApiError::invalid(format!(
                    "user {}: unknown status {other}; use CONFIRMED, UNCONFIRMED or FORCE_CHANGE_PASSWORD",
                    u.username
                )));
            }
        };
        let attributes: Vec<AttributeType> = u
            .attributes
            .iter()
            .map(|(k, v)| AttributeType::new(k, v))
            .collect();
        // The Username and password constraints of the model, as AdminCreateUser meets them.
        let as_call = serde_json::json!({
            "UserPoolId": pool_id,
            "Username": u.username,
            "TemporaryPassword": u.password.expose(),
        });
        validate::check(
            OperationKind::AdminCreateUser,
            as_call.to_string().as_bytes(),
        )
        .map_err(|e| ApiError::new(e.kind, format!("user {}: {}", u.username, e.message)))?;
        ops::admin_users::seed_user(
            store,
            &pool_id,
            &u.username,
            u.password.expose(),
            &attributes,
            status,
        )
        .map_err(|e| ApiError::new(e.kind, format!("user {}: {}", u.username, e.message)))?;
    }
    Ok(())
}
