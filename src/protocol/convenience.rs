//! The convenience methods of [`CognitoClient`]: one per operation the load engine, the
//! conformance runner and the examples call by name (`sign_up`, `user_password_auth`,
//! `admin_create_user`, ...). Each builds the typed request, applies the SECRET_HASH rules
//! (developer guide, "Computing SecretHash values") and goes through [`CognitoClient::call`];
//! the wire work stays in `client.rs`.

use super::client::CognitoClient;
use super::error::CallError;
use super::ops::*;
use super::secret_hash::AppClient;
use super::sensitive::{ParamMap, Sensitive};

impl CognitoClient {
    // ---- public user operations (unsigned) -------------------------------------------------

    /// SignUp with SECRET_HASH when `app` has a secret.
    pub async fn sign_up(
        &self,
        app: &AppClient,
        username: &str,
        password: &str,
        attributes: Vec<AttributeType>,
    ) -> Result<SignUpResponse, CallError> {
        let req = SignUpRequest {
            client_id: app.client_id.clone(),
            username: username.to_owned(),
            password: Some(password.into()),
            user_attributes: (!attributes.is_empty()).then_some(attributes),
            ..Default::default()
        };
        self.call_with_app(app, req, None).await
    }

    pub async fn confirm_sign_up(
        &self,
        app: &AppClient,
        username: &str,
        code: &str,
    ) -> Result<ConfirmSignUpResponse, CallError> {
        let req = ConfirmSignUpRequest {
            client_id: app.client_id.clone(),
            username: username.to_owned(),
            confirmation_code: code.into(),
            ..Default::default()
        };
        self.call_with_app(app, req, None).await
    }

    pub async fn resend_confirmation_code(
        &self,
        app: &AppClient,
        username: &str,
    ) -> Result<ResendConfirmationCodeResponse, CallError> {
        let req = ResendConfirmationCodeRequest {
            client_id: app.client_id.clone(),
            username: username.to_owned(),
            ..Default::default()
        };
        self.call_with_app(app, req, None).await
    }

    /// InitiateAuth with any flow and parameters; SECRET_HASH keyed on `hash_username`, else
    /// `USERNAME`.
    pub async fn initiate_auth(
        &self,
        app: &AppClient,
        flow: AuthFlowType,
        params: ParamMap,
        hash_username: Option<&str>,
    ) -> Result<InitiateAuthResponse, CallError> {
        let req = InitiateAuthRequest {
            auth_flow: flow,
            auth_parameters: Some(params),
            client_id: app.client_id.clone(),
            ..Default::default()
        };
        self.call_with_app(app, req, hash_username).await
    }

    /// InitiateAuth with `USER_PASSWORD_AUTH`.
    pub async fn user_password_auth(
        &self,
        app: &AppClient,
        username: &str,
        password: &str,
    ) -> Result<InitiateAuthResponse, CallError> {
        let params = ParamMap::new()
            .with("USERNAME", username)
            .with("PASSWORD", password);
        self.initiate_auth(app, AuthFlowType::UserPasswordAuth, params, None)
            .await
    }

    /// InitiateAuth with `REFRESH_TOKEN_AUTH`. With a client secret, the hash is keyed on
    /// `hash_username` (the user's username or sub), since the flow carries no USERNAME.
    pub async fn refresh_token_auth(
        &self,
        app: &AppClient,
        refresh_token: &str,
        hash_username: Option<&str>,
    ) -> Result<InitiateAuthResponse, CallError> {
        let params = ParamMap::new().with("REFRESH_TOKEN", refresh_token);
        self.initiate_auth(app, AuthFlowType::RefreshTokenAuth, params, hash_username)
            .await
    }

    /// RespondToAuthChallenge; SECRET_HASH keyed on `hash_username`, else the responses'
    /// `USERNAME` (for PASSWORD_VERIFIER, the `USER_ID_FOR_SRP` the server returned).
    pub async fn respond_to_auth_challenge(
        &self,
        app: &AppClient,
        challenge: ChallengeNameType,
        session: Option<Sensitive>,
        responses: ParamMap,
        hash_username: Option<&str>,
    ) -> Result<RespondToAuthChallengeResponse, CallError> {
        let req = RespondToAuthChallengeRequest {
            client_id: app.client_id.clone(),
            challenge_name: challenge,
            session,
            challenge_responses: Some(responses),
            ..Default::default()
        };
        self.call_with_app(app, req, hash_username).await
    }

    pub async fn get_user(&self, access_token: &str) -> Result<GetUserResponse, CallError> {
        self.call(&GetUserRequest {
            access_token: access_token.into(),
        })
        .await
    }

    pub async fn global_sign_out(
        &self,
        access_token: &str,
    ) -> Result<GlobalSignOutResponse, CallError> {
        self.call(&GlobalSignOutRequest {
            access_token: access_token.into(),
        })
        .await
    }

    /// RevokeToken for a refresh token, with `ClientSecret` when `app` has one.
    pub async fn revoke_token(
        &self,
        app: &AppClient,
        refresh_token: &str,
    ) -> Result<RevokeTokenResponse, CallError> {
        self.call(&RevokeTokenRequest {
            token: refresh_token.into(),
            client_id: app.client_id.clone(),
            client_secret: app.client_secret.clone(),
        })
        .await
    }

    pub async fn forgot_password(
        &self,
        app: &AppClient,
        username: &str,
    ) -> Result<ForgotPasswordResponse, CallError> {
        let req = ForgotPasswordRequest {
            client_id: app.client_id.clone(),
            username: username.to_owned(),
            ..Default::default()
        };
        self.call_with_app(app, req, None).await
    }

    pub async fn confirm_forgot_password(
        &self,
        app: &AppClient,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<ConfirmForgotPasswordResponse, CallError> {
        let req = ConfirmForgotPasswordRequest {
            client_id: app.client_id.clone(),
            username: username.to_owned(),
            confirmation_code: code.into(),
            password: new_password.into(),
            ..Default::default()
        };
        self.call_with_app(app, req, None).await
    }

    pub async fn change_password(
        &self,
        access_token: &str,
        previous_password: Option<&str>,
        proposed_password: &str,
    ) -> Result<ChangePasswordResponse, CallError> {
        self.call(&ChangePasswordRequest {
            previous_password: previous_password.map(Sensitive::from),
            proposed_password: proposed_password.into(),
            access_token: access_token.into(),
        })
        .await
    }

    // ---- pool management and admin operations (SigV4) --------------------------------------

    pub async fn create_user_pool(
        &self,
        req: &CreateUserPoolRequest,
    ) -> Result<CreateUserPoolResponse, CallError> {
        self.call(req).await
    }

    pub async fn delete_user_pool(
        &self,
        user_pool_id: &str,
    ) -> Result<DeleteUserPoolResponse, CallError> {
        self.call(&DeleteUserPoolRequest {
            user_pool_id: user_pool_id.to_owned(),
        })
        .await
    }

    pub async fn create_user_pool_client(
        &self,
        req: &CreateUserPoolClientRequest,
    ) -> Result<CreateUserPoolClientResponse, CallError> {
        self.call(req).await
    }

    pub async fn create_resource_server(
        &self,
        req: &CreateResourceServerRequest,
    ) -> Result<CreateResourceServerResponse, CallError> {
        self.call(req).await
    }

    pub async fn create_user_pool_domain(
        &self,
        req: &CreateUserPoolDomainRequest,
    ) -> Result<CreateUserPoolDomainResponse, CallError> {
        self.call(req).await
    }

    pub async fn admin_create_user(
        &self,
        req: &AdminCreateUserRequest,
    ) -> Result<AdminCreateUserResponse, CallError> {
        self.call(req).await
    }

    pub async fn admin_set_user_password(
        &self,
        user_pool_id: &str,
        username: &str,
        password: &str,
        permanent: bool,
    ) -> Result<AdminSetUserPasswordResponse, CallError> {
        self.call(&AdminSetUserPasswordRequest {
            user_pool_id: user_pool_id.to_owned(),
            username: username.to_owned(),
            password: password.into(),
            permanent: Some(permanent),
        })
        .await
    }

    pub async fn admin_confirm_sign_up(
        &self,
        user_pool_id: &str,
        username: &str,
    ) -> Result<AdminConfirmSignUpResponse, CallError> {
        self.call(&AdminConfirmSignUpRequest {
            user_pool_id: user_pool_id.to_owned(),
            username: username.to_owned(),
            client_metadata: None,
        })
        .await
    }

    pub async fn admin_delete_user(
        &self,
        user_pool_id: &str,
        username: &str,
    ) -> Result<AdminDeleteUserResponse, CallError> {
        self.call(&AdminDeleteUserRequest {
            user_pool_id: user_pool_id.to_owned(),
            username: username.to_owned(),
        })
        .await
    }

    /// One page of ListUsers: `filter` as the API reference writes it (`username ^= "x"`),
    /// `limit` 1-60, `pagination_token` from the previous page.
    pub async fn list_users(
        &self,
        user_pool_id: &str,
        filter: Option<&str>,
        limit: Option<i64>,
        pagination_token: Option<String>,
    ) -> Result<ListUsersResponse, CallError> {
        self.call(&ListUsersRequest {
            user_pool_id: user_pool_id.to_owned(),
            filter: filter.map(str::to_owned),
            limit,
            pagination_token,
            attributes_to_get: None,
        })
        .await
    }

    pub async fn admin_get_user(
        &self,
        user_pool_id: &str,
        username: &str,
    ) -> Result<AdminGetUserResponse, CallError> {
        self.call(&AdminGetUserRequest {
            user_pool_id: user_pool_id.to_owned(),
            username: username.to_owned(),
        })
        .await
    }

    /// AdminInitiateAuth; SECRET_HASH as for [`CognitoClient::initiate_auth`].
    pub async fn admin_initiate_auth(
        &self,
        user_pool_id: &str,
        app: &AppClient,
        flow: AuthFlowType,
        params: ParamMap,
        hash_username: Option<&str>,
    ) -> Result<AdminInitiateAuthResponse, CallError> {
        let req = AdminInitiateAuthRequest {
            user_pool_id: user_pool_id.to_owned(),
            client_id: app.client_id.clone(),
            auth_flow: flow,
            auth_parameters: Some(params),
            ..Default::default()
        };
        self.call_with_app(app, req, hash_username).await
    }

    /// AdminRespondToAuthChallenge; SECRET_HASH as for
    /// [`CognitoClient::respond_to_auth_challenge`].
    pub async fn admin_respond_to_auth_challenge(
        &self,
        user_pool_id: &str,
        app: &AppClient,
        challenge: ChallengeNameType,
        session: Option<Sensitive>,
        responses: ParamMap,
        hash_username: Option<&str>,
    ) -> Result<AdminRespondToAuthChallengeResponse, CallError> {
        let req = AdminRespondToAuthChallengeRequest {
            user_pool_id: user_pool_id.to_owned(),
            client_id: app.client_id.clone(),
            challenge_name: challenge,
            session,
            challenge_responses: Some(responses),
            ..Default::default()
        };
        self.call_with_app(app, req, hash_username).await
    }

    // ---- attributes and account removal ----------------------------------------------------

    /// UpdateUserAttributes with the user's access token (a profile edit).
    pub async fn update_user_attributes(
        &self,
        access_token: &str,
        attributes: Vec<AttributeType>,
    ) -> Result<UpdateUserAttributesResponse, CallError> {
        self.call(&UpdateUserAttributesRequest {
            user_attributes: attributes,
            access_token: access_token.into(),
            client_metadata: None,
        })
        .await
    }

    /// AdminUpdateUserAttributes (SigV4).
    pub async fn admin_update_user_attributes(
        &self,
        user_pool_id: &str,
        username: &str,
        attributes: Vec<AttributeType>,
    ) -> Result<AdminUpdateUserAttributesResponse, CallError> {
        self.call(&AdminUpdateUserAttributesRequest {
            user_pool_id: user_pool_id.to_owned(),
            username: username.to_owned(),
            user_attributes: attributes,
            client_metadata: None,
        })
        .await
    }

    /// DeleteUserAttributes with the user's access token.
    pub async fn delete_user_attributes(
        &self,
        access_token: &str,
        names: Vec<String>,
    ) -> Result<DeleteUserAttributesResponse, CallError> {
        self.call(&DeleteUserAttributesRequest {
            user_attribute_names: names,
            access_token: access_token.into(),
        })
        .await
    }

    /// GetUserAttributeVerificationCode for `email` or `phone_number`.
    pub async fn get_user_attribute_verification_code(
        &self,
        access_token: &str,
        attribute: &str,
    ) -> Result<GetUserAttributeVerificationCodeResponse, CallError> {
        self.call(&GetUserAttributeVerificationCodeRequest {
            access_token: access_token.into(),
            attribute_name: attribute.to_owned(),
            client_metadata: None,
        })
        .await
    }

    /// VerifyUserAttribute with the code sent for `attribute`.
    pub async fn verify_user_attribute(
        &self,
        access_token: &str,
        attribute: &str,
        code: &str,
    ) -> Result<VerifyUserAttributeResponse, CallError> {
        self.call(&VerifyUserAttributeRequest {
            access_token: access_token.into(),
            attribute_name: attribute.to_owned(),
            code: code.into(),
        })
        .await
    }

    /// DeleteUser: the signed-in user deletes their own profile.
    pub async fn delete_user(&self, access_token: &str) -> Result<DeleteUserResponse, CallError> {
        self.call(&DeleteUserRequest {
            access_token: access_token.into(),
        })
        .await
    }

    /// AdminResetUserPassword (SigV4).
    pub async fn admin_reset_user_password(
        &self,
        user_pool_id: &str,
        username: &str,
    ) -> Result<AdminResetUserPasswordResponse, CallError> {
        self.call(&AdminResetUserPasswordRequest {
            user_pool_id: user_pool_id.to_owned(),
            username: username.to_owned(),
            client_metadata: None,
        })
        .await
    }

    /// AddCustomAttributes (SigV4).
    pub async fn add_custom_attributes(
        &self,
        user_pool_id: &str,
        attributes: Vec<SchemaAttributeType>,
    ) -> Result<AddCustomAttributesResponse, CallError> {
        self.call(&AddCustomAttributesRequest {
            user_pool_id: user_pool_id.to_owned(),
            custom_attributes: attributes,
        })
        .await
    }
}
