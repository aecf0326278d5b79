//! SECRET_HASH: the proof that a caller knows an app client's secret.
//!
//! Developer guide, "Computing SecretHash values":
//! `Base64(HMAC_SHA256(key = client secret, msg = username + client id))`. The value goes in the
//! `SecretHash` member of SignUp, ConfirmSignUp, ForgotPassword, ConfirmForgotPassword and
//! ResendConfirmationCode, and under the `SECRET_HASH` key of `AuthParameters` /
//! `ChallengeResponses` for (Admin)InitiateAuth and (Admin)RespondToAuthChallenge (ground truth
//! §4.35). This module holds the formula, the app-client identity that carries the secret, and
//! [`SecretHashed`], which lets the client fill the hash into any request that takes one.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::ops::{
    AdminInitiateAuthRequest, AdminRespondToAuthChallengeRequest, ConfirmForgotPasswordRequest,
    ConfirmSignUpRequest, ForgotPasswordRequest, InitiateAuthRequest, ParamMap,
    ResendConfirmationCodeRequest, RespondToAuthChallengeRequest, SignUpRequest,
};
use super::sensitive::Sensitive;

/// The `AuthParameters` / `ChallengeResponses` key of the hash.
pub const SECRET_HASH_KEY: &str = "SECRET_HASH";

/// `Base64(HMAC_SHA256(client_secret, username + client_id))`.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> Sensitive {
    let key = hmac::Key::new(hmac::HMAC_SHA256, client_secret.as_bytes());
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(username.as_bytes());
    ctx.update(client_id.as_bytes());
    Sensitive::new(STANDARD.encode(ctx.sign().as_ref()))
}

/// An app client as a caller sees it: its id and, for confidential clients, its secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppClient {
    pub client_id: String,
    /// `None` for a public client (created without `GenerateSecret`).
    pub client_secret: Option<Sensitive>,
}

impl AppClient {
    pub fn public(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: None,
        }
    }

    pub fn confidential(client_id: impl Into<String>, secret: impl Into<Sensitive>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: Some(secret.into()),
        }
    }

    /// The SECRET_HASH for `username`, or `None` for a public client.
    pub fn secret_hash(&self, username: &str) -> Option<Sensitive> {
        self.client_secret
            .as_ref()
            .map(|secret| secret_hash(secret.expose(), username, &self.client_id))
    }
}

/// A request that can carry a SECRET_HASH.
pub trait SecretHashed {
    /// The username the hash is keyed on by default: the `Username` member, or the `USERNAME`
    /// entry of `AuthParameters` / `ChallengeResponses`. For an SRP `PASSWORD_VERIFIER` answer
    /// that entry is the `USER_ID_FOR_SRP` the server returned, as the hash requires.
    fn default_hash_username(&self) -> Option<&str>;
    /// Whether a hash is already present (an explicit value is never overwritten, so
    /// conformance cases can send a wrong one on purpose).
    fn has_secret_hash(&self) -> bool;
    /// Store the hash.
    fn set_secret_hash(&mut self, hash: Sensitive);

    /// Fill in the hash for `app` when it has a secret and the request has none. `username`
    /// overrides the key (e.g. REFRESH_TOKEN_AUTH carries no USERNAME; the hash is keyed on the
    /// user's username or sub). Returns whether a hash was added.
    fn apply_secret_hash(&mut self, app: &AppClient, username: Option<&str>) -> bool {
        if self.has_secret_hash() {
            return false;
        }
        let Some(name) = username.or_else(|| self.default_hash_username()) else {
            return false;
        };
        match app.secret_hash(name) {
            Some(hash) => {
                self.set_secret_hash(hash);
                true
            }
            None => false,
        }
    }
}

macro_rules! member_hashed {
    ($($ty:ty),+) => {$(
        impl SecretHashed for $ty {
            fn default_hash_username(&self) -> Option<&str> {
                Some(&self.username)
            }
            fn has_secret_hash(&self) -> bool {
                self.secret_hash.is_some()
            }
            fn set_secret_hash(&mut self, hash: Sensitive) {
                self.secret_hash = Some(hash);
            }
        }
    )+};
}

member_hashed!(
    SignUpRequest,
    ConfirmSignUpRequest,
    ForgotPasswordRequest,
    ConfirmForgotPasswordRequest,
    ResendConfirmationCodeRequest
);

macro_rules! param_hashed {
    ($($ty:ty => $field:ident),+) => {$(
        impl SecretHashed for $ty {
            fn default_hash_username(&self) -> Option<&str> {
                self.$field.as_ref()?.get("USERNAME").map(String::as_str)
            }
            fn has_secret_hash(&self) -> bool {
                self.$field
                    .as_ref()
                    .is_some_and(|p| p.contains_key(SECRET_HASH_KEY))
            }
            fn set_secret_hash(&mut self, hash: Sensitive) {
                self.$field
                    .get_or_insert_with(ParamMap::new)
                    .insert(SECRET_HASH_KEY.to_owned(), hash.into_inner());
            }
        }
    )+};
}

param_hashed!(
    InitiateAuthRequest => auth_parameters,
    AdminInitiateAuthRequest => auth_parameters,
    RespondToAuthChallengeRequest => challenge_responses,
    AdminRespondToAuthChallengeRequest => challenge_responses
);

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed independently with Python's `hmac` and `base64` modules, using
    // the app client id and secret of the developer guide's token-endpoint example.
    #[test]
    fn secret_hash_known_answers() {
        assert_eq!(
            secret_hash("abcdef01234567890", "jane.doe", "djc98u3jiedmi283eu928").expose(),
            "vqKlqm8xco1Nb8v0B0sNxkHdytFDPDoDfAgsgi4Sw7g=",
            "guide example client, username jane.doe"
        );
        assert_eq!(
            secret_hash(
                "1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6p7q8r9s0t1u2v3w4x",
                "janedoe@example.com",
                "1example23456789"
            )
            .expose(),
            "IFVoC8EJZ5Rbp4pPNb+m/+FKEoAMby4X97sD/vmq9SY=",
            "e-mail username"
        );
    }

    #[test]
    fn secret_hash_is_order_sensitive() {
        // username + clientId, not clientId + username.
        assert_ne!(
            secret_hash("s", "user", "client").expose(),
            secret_hash("s", "client", "user").expose()
        );
    }

    #[test]
    fn public_client_adds_nothing() {
        let mut req = SignUpRequest {
            client_id: "c".into(),
            username: "u".into(),
            ..Default::default()
        };
        assert!(!req.apply_secret_hash(&AppClient::public("c"), None));
        assert!(req.secret_hash.is_none());
    }

    #[test]
    fn member_requests_key_on_username() {
        let app = AppClient::confidential("djc98u3jiedmi283eu928", "abcdef01234567890");
        let mut req = ForgotPasswordRequest {
            client_id: app.client_id.clone(),
            username: "jane.doe".into(),
            ..Default::default()
        };
        assert!(req.apply_secret_hash(&app, None));
        assert_eq!(
            req.secret_hash.as_ref().map(Sensitive::expose),
            Some("vqKlqm8xco1Nb8v0B0sNxkHdytFDPDoDfAgsgi4Sw7g=")
        );
    }

    #[test]
    fn explicit_hash_is_kept() {
        let app = AppClient::confidential("c", "s");
        let mut req = SignUpRequest {
            client_id: "c".into(),
            username: "u".into(),
            secret_hash: Some("deliberately-wrong".into()),
            ..Default::default()
        };
        assert!(!req.apply_secret_hash(&app, None));
        assert_eq!(
            req.secret_hash.as_ref().map(Sensitive::expose),
            Some("deliberately-wrong")
        );
    }

    #[test]
    fn auth_parameters_key_on_username_or_override() {
        let app = AppClient::confidential("djc98u3jiedmi283eu928", "abcdef01234567890");
        let mut req = InitiateAuthRequest {
            client_id: app.client_id.clone(),
            auth_parameters: Some(ParamMap::new().with("USERNAME", "jane.doe")),
            ..Default::default()
        };
        assert!(req.apply_secret_hash(&app, None));
        assert_eq!(
            req.auth_parameters.as_ref().unwrap()[SECRET_HASH_KEY],
            "vqKlqm8xco1Nb8v0B0sNxkHdytFDPDoDfAgsgi4Sw7g="
        );

        // REFRESH_TOKEN_AUTH: no USERNAME, the caller names the key.
        let mut refresh = InitiateAuthRequest {
            client_id: app.client_id.clone(),
            auth_parameters: Some(ParamMap::new().with("REFRESH_TOKEN", "r")),
            ..Default::default()
        };
        assert!(!refresh.clone().apply_secret_hash(&app, None));
        assert!(refresh.apply_secret_hash(&app, Some("jane.doe")));
        assert_eq!(
            refresh.auth_parameters.as_ref().unwrap()[SECRET_HASH_KEY],
            "vqKlqm8xco1Nb8v0B0sNxkHdytFDPDoDfAgsgi4Sw7g="
        );
    }

    #[test]
    fn challenge_responses_are_created_when_absent() {
        let app = AppClient::confidential("c", "s");
        let mut req = RespondToAuthChallengeRequest::default();
        assert!(req.apply_secret_hash(&app, Some("user-id-for-srp")));
        assert_eq!(
            req.challenge_responses.unwrap()[SECRET_HASH_KEY],
            secret_hash("s", "user-id-for-srp", "c").expose()
        );
    }
}
