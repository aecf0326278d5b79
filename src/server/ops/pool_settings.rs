//! UpdateUserPool and DescribeUserPoolDomain.
//!
//! UpdateUserPool follows the API reference's warning: "If you don't provide a value for an
//! attribute, Amazon Cognito sets it to its default value" — the new settings are built from
//! the request alone, as CreateUserPool builds them (default password policy, no auto-verified
//! attributes, MFA `OFF`, deletion protection `INACTIVE`, …). What UpdateUserPool cannot change
//! stays: the id, the sign-in attributes (username and alias attributes, case sensitivity), the
//! creation date and, when `PoolName` is left out, the name.

use std::sync::Arc;

use super::{Handle, secs};
use crate::protocol::ops::*;
use crate::server::error::ApiResult;
use crate::server::password::PasswordPolicy;
use crate::server::store::{PoolSettings, Store};

/// The AWS account of every pool `serve` holds, as in the pools' ARNs.
const ACCOUNT_ID: &str = "000000000000";

impl Handle for UpdateUserPoolRequest {
    fn handle(self, store: &Store) -> ApiResult<UpdateUserPoolResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let policy = PasswordPolicy::from_wire(
            req.policies
                .as_ref()
                .and_then(|p| p.password_policy.as_ref()),
        );
        let old = pool.wire();
        // The tier is kept when left out: a feature plan is chosen, not reset with the
        // settings. The sign-in policy is reset to its default, as other settings are.
        let tier = req.user_pool_tier.or(old.user_pool_tier.clone());
        let sign_in_policy = super::user_auth::sign_in_policy(
            req.policies.as_ref().and_then(|p| p.sign_in_policy.clone()),
            tier.as_deref(),
        )?;
        let wire = UserPoolType {
            name: req.pool_name.or(old.name.clone()),
            policies: Some(UserPoolPolicyType {
                password_policy: Some(policy.to_wire()),
                sign_in_policy: Some(sign_in_policy),
            }),
            deletion_protection: Some(
                req.deletion_protection
                    .unwrap_or(DeletionProtectionType::Inactive),
            ),
            lambda_config: req.lambda_config,
            last_modified_date: Some(secs(store.now_ms())),
            auto_verified_attributes: req.auto_verified_attributes.clone(),
            sms_verification_message: req.sms_verification_message,
            email_verification_message: req.email_verification_message,
            email_verification_subject: req.email_verification_subject,
            verification_message_template: req.verification_message_template,
            sms_authentication_message: req.sms_authentication_message,
            user_attribute_update_settings: req.user_attribute_update_settings,
            mfa_configuration: Some(req.mfa_configuration.unwrap_or(UserPoolMfaType::Off)),
            device_configuration: req.device_configuration,
            email_configuration: req.email_configuration,
            sms_configuration: req.sms_configuration,
            user_pool_tags: req.user_pool_tags,
            admin_create_user_config: req.admin_create_user_config,
            user_pool_add_ons: req.user_pool_add_ons,
            account_recovery_setting: req.account_recovery_setting,
            user_pool_tier: tier,
            ..old
        };
        let settings = PoolSettings {
            temporary_password_days: policy.temporary_password_validity_days,
            policy,
            auto_verified: req.auto_verified_attributes.unwrap_or_default(),
            wire,
        };
        *pool.settings.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(settings);
        Ok(UpdateUserPoolResponse {})
    }
}

/// DescribeUserPoolDomain: the pool a domain belongs to. An unknown domain is described as
/// `{}` with status 200, not an error (moto `test_delete_user_pool_domain`: "a surprising
/// behavior of the real service").
impl Handle for DescribeUserPoolDomainRequest {
    fn handle(self, store: &Store) -> ApiResult<DescribeUserPoolDomainResponse> {
        let pools = store.pools.read().unwrap_or_else(|e| e.into_inner());
        let owner = pools.values().find(|p| {
            p.domain
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .as_deref()
                == Some(&self.domain)
        });
        let description = match owner {
            Some(pool) => DomainDescriptionType {
                user_pool_id: Some(pool.id.clone()),
                aws_account_id: Some(ACCOUNT_ID.to_owned()),
                domain: Some(self.domain),
                status: Some("ACTIVE".to_owned()),
                ..Default::default()
            },
            None => DomainDescriptionType::default(),
        };
        Ok(DescribeUserPoolDomainResponse {
            domain_description: Some(description),
        })
    }
}
