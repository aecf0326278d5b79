//! Sign-up: SignUp, ConfirmSignUp and ResendConfirmationCode ("Signing up and confirming user
//! accounts").

use super::users::{build_user, confirm_user, insert_user};
use super::{
    CONFIRM_CODE_VALIDITY_MS, Handle, check_code, check_password, check_secret_hash, delivery,
    find_user, missing, simulated_delivery,
};
use crate::protocol::ops::*;
use crate::server::attributes::Write;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{Code, Status, Store};
use crate::server::user_limits::{self, Limited};

impl Handle for SignUpRequest {
    fn handle(self, store: &Store) -> ApiResult<SignUpResponse> {
        let req = self;
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
        check_password(&pool, password)?;
        let attributes = req.user_attributes.unwrap_or_default();
        let mut user = build_user(
            store,
            &pool,
            &req.username,
            password,
            &attributes,
            Status::Unconfirmed,
            Write::SignUp,
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
}
impl Handle for ConfirmSignUpRequest {
    fn handle(self, store: &Store) -> ApiResult<ConfirmSignUpResponse> {
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
        let pool2 = pool.clone();
        pool.with_user(&key, |user| {
            user_limits::count(&mut user.limits, Limited::ConfirmSignUp, now)?;
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
}

impl Handle for ResendConfirmationCodeRequest {
    fn handle(self, store: &Store) -> ApiResult<ResendConfirmationCodeResponse> {
        let req = self;
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
                    code_delivery_details: Some(simulated_delivery(&pool, &req.username)),
                });
            }
            return Err(ApiError::new(
                "UserNotFoundException",
                "Username/client id combination not found.",
            ));
        };
        let now = store.now_ms();
        pool.with_user(&key, |user| {
            user_limits::count(&mut user.limits, Limited::ResendConfirmationCode, now)?;
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
}
