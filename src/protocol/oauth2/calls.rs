//! The OAuth2 endpoint calls of [`CognitoClient`]: `POST /oauth2/token`, `GET /oauth2/userInfo`
//! and `POST /oauth2/revoke`. They build requests with `form.rs`, move bytes through the
//! client, and decode with `decode.rs`.

use url::Url;

use super::decode::{
    TokenResponse, UserInfo, decode_revoke_response, decode_token_response,
    decode_user_info_response,
};
use super::form::{
    ClientAuthMethod, FORM_CONTENT_TYPE, FormRequest, Grant, revoke_request, token_request,
};
use crate::protocol::client::CognitoClient;
use crate::protocol::endpoints::ConfigError;
use crate::protocol::error::CallError;
use crate::protocol::response::RawResponse;
use crate::protocol::secret_hash::AppClient;

fn config_error(e: ConfigError) -> CallError {
    CallError::Request(e.to_string())
}

impl CognitoClient {
    async fn post_form(&self, url: Url, form: &FormRequest) -> Result<RawResponse, CallError> {
        let mut builder = self
            .http()
            .post(url)
            .header(http::header::CONTENT_TYPE, FORM_CONTENT_TYPE)
            .header(http::header::ACCEPT, "application/json")
            .body(form.body.expose().to_owned());
        if let Some(auth) = &form.authorization {
            builder = builder.header(http::header::AUTHORIZATION, auth.expose());
        }
        self.execute(builder).await
    }

    /// `POST /oauth2/token` without decoding (for conformance checks of the raw answer).
    pub async fn oauth_token_raw(&self, form: &FormRequest) -> Result<RawResponse, CallError> {
        let url = self.config().oauth_url("token").map_err(config_error)?;
        self.post_form(url, form).await
    }

    /// `POST /oauth2/token` for `grant`, authenticating `app` with `method`.
    pub async fn oauth_token(
        &self,
        app: &AppClient,
        method: ClientAuthMethod,
        grant: &Grant,
    ) -> Result<TokenResponse, CallError> {
        let raw = self
            .oauth_token_raw(&token_request(app, method, grant))
            .await?;
        decode_token_response(&raw)
    }

    /// `GET /oauth2/userInfo` with `Authorization: Bearer <access_token>`.
    pub async fn oauth_user_info_raw(&self, access_token: &str) -> Result<RawResponse, CallError> {
        let url = self.config().oauth_url("userInfo").map_err(config_error)?;
        let builder = self.http().get(url).header(
            http::header::AUTHORIZATION,
            format!("Bearer {access_token}"),
        );
        self.execute(builder).await
    }

    /// `GET /oauth2/userInfo`, decoded.
    pub async fn oauth_user_info(&self, access_token: &str) -> Result<UserInfo, CallError> {
        let raw = self.oauth_user_info_raw(access_token).await?;
        decode_user_info_response(&raw)
    }

    /// `POST /oauth2/revoke` for a refresh token.
    pub async fn oauth_revoke(
        &self,
        app: &AppClient,
        method: ClientAuthMethod,
        refresh_token: &str,
    ) -> Result<(), CallError> {
        let url = self.config().oauth_url("revoke").map_err(config_error)?;
        let raw = self
            .post_form(url, &revoke_request(app, method, refresh_token))
            .await?;
        decode_revoke_response(&raw)
    }
}
