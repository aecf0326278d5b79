//! App-client management: DescribeUserPoolClient, ListUserPoolClients, UpdateUserPoolClient
//! and DeleteUserPoolClient.
//!
//! UpdateUserPoolClient follows the API reference's warning: "If you don't provide a value for
//! an attribute, Amazon Cognito sets it to its default value", so the update is the client
//! CreateUserPoolClient would make from the same members ([`build_app_client`]), keeping only
//! what the request cannot carry: the id, the secret (moto
//! `test_update_user_pool_client_returns_secret`), the creation date and, when `ClientName`
//! is left out, the name (a client always has one; ⚠ the sources do not say more).

use std::sync::Arc;

use super::paging::{Page, page, page_size};
use super::pools::build_app_client;
use super::{Handle, secs};
use crate::protocol::ops::*;
use crate::server::error::ApiResult;
use crate::server::store::{Store, client_not_found};

impl Handle for DescribeUserPoolClientRequest {
    fn handle(self, store: &Store) -> ApiResult<DescribeUserPoolClientResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let client = pool.client(&self.client_id)?;
        Ok(DescribeUserPoolClientResponse {
            user_pool_client: Some(client.wire.clone()),
        })
    }
}

impl Handle for ListUserPoolClientsRequest {
    fn handle(self, store: &Store) -> ApiResult<ListUserPoolClientsResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let clients: Vec<(String, UserPoolClientDescription)> = pool
            .clients
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|c| {
                let description = UserPoolClientDescription {
                    client_id: Some(c.id.clone()),
                    user_pool_id: Some(pool.id.clone()),
                    client_name: Some(c.name.clone()),
                };
                (c.id.clone(), description)
            })
            .collect();
        let scope = format!("ListUserPoolClients|{}", pool.id);
        let Page { items, next } = page(
            clients,
            &scope,
            self.next_token.as_deref(),
            page_size(self.max_results),
        )?;
        Ok(ListUserPoolClientsResponse {
            user_pool_clients: Some(items),
            next_token: next,
        })
    }
}

impl Handle for UpdateUserPoolClientRequest {
    fn handle(self, store: &Store) -> ApiResult<UpdateUserPoolClientResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let old = pool.client(&self.client_id)?;
        let req = CreateUserPoolClientRequest {
            user_pool_id: self.user_pool_id,
            client_name: self.client_name.unwrap_or_else(|| old.name.clone()),
            generate_secret: None,
            refresh_token_validity: self.refresh_token_validity,
            access_token_validity: self.access_token_validity,
            id_token_validity: self.id_token_validity,
            token_validity_units: self.token_validity_units,
            read_attributes: self.read_attributes,
            write_attributes: self.write_attributes,
            explicit_auth_flows: self.explicit_auth_flows,
            supported_identity_providers: self.supported_identity_providers,
            callback_urls: self.callback_urls,
            logout_urls: self.logout_urls,
            default_redirect_uri: self.default_redirect_uri,
            allowed_oauth_flows: self.allowed_oauth_flows,
            allowed_oauth_scopes: self.allowed_oauth_scopes,
            allowed_oauth_flows_user_pool_client: self.allowed_oauth_flows_user_pool_client,
            analytics_configuration: self.analytics_configuration,
            prevent_user_existence_errors: self.prevent_user_existence_errors,
            enable_token_revocation: self.enable_token_revocation,
            enable_propagate_additional_user_context_data: self
                .enable_propagate_additional_user_context_data,
            auth_session_validity: self.auth_session_validity,
            refresh_token_rotation: self.refresh_token_rotation,
        };
        let mut client = build_app_client(store, &pool, req, old.id.clone(), old.secret.clone())?;
        client.wire.creation_date = old.wire.creation_date;
        client.wire.last_modified_date = Some(secs(store.now_ms()));
        let wire = client.wire.clone();
        let mut clients = pool.clients.write().unwrap_or_else(|e| e.into_inner());
        // Deleted meanwhile: an update does not bring it back.
        let slot = clients
            .get_mut(&self.client_id)
            .ok_or_else(|| client_not_found(&self.client_id))?;
        *slot = Arc::new(client);
        Ok(UpdateUserPoolClientResponse {
            user_pool_client: Some(wire),
        })
    }
}

impl Handle for DeleteUserPoolClientRequest {
    fn handle(self, store: &Store) -> ApiResult<DeleteUserPoolClientResponse> {
        let pool = store.pool(&self.user_pool_id)?;
        let removed = pool
            .clients
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.client_id);
        if removed.is_none() {
            return Err(client_not_found(&self.client_id));
        }
        Ok(DeleteUserPoolClientResponse {})
    }
}
