//! [`ApiError`], the Cognito error answer every handler, check and layer of the reference
//! server returns, and [`ApiResult`]. Its own file so that the store, the quota throttle, the
//! SigV4 check and the fault layer share it without depending on each other.

/// A Cognito error answer: the `__type` and the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ApiError {
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", message)
    }
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new("NotAuthorizedException", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", message)
    }
    pub fn bad_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }
    pub fn user_not_found() -> Self {
        Self::new("UserNotFoundException", "User does not exist.")
    }
    /// The HTTP status: 400 for every client error, as observed on the wire (ground truth
    /// §1.7), 500 only for InternalErrorException.
    pub fn status(&self) -> u16 {
        match self.kind {
            "InternalErrorException" => 500,
            _ => 400,
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
