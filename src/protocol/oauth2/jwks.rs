//! The JWKS fetch of [`CognitoClient`]: `GET /{poolId}/.well-known/jwks.json`, bytes returned
//! unparsed (the `jwt` module parses them).

use crate::protocol::client::CognitoClient;
use crate::protocol::error::{CallError, decode_error_response};

impl CognitoClient {
    /// Fetch the JWKS document for `pool_id` and return its bytes unparsed (the `jwt` module
    /// parses them). Uses [`crate::protocol::endpoints::TargetConfig::jwks_url_for`].
    pub async fn fetch_jwks(&self, pool_id: &str) -> Result<Vec<u8>, CallError> {
        let url = self.config().jwks_url_for(pool_id);
        let raw = self
            .execute(
                self.http()
                    .get(url)
                    .header(http::header::ACCEPT, "application/json"),
            )
            .await?;
        if raw.is_success() {
            Ok(raw.body)
        } else {
            Err(decode_error_response(raw.status, &raw.headers, &raw.body))
        }
    }
}
