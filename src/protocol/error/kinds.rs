//! The error values of a call: [`CallError`] and what it carries (the service's
//! [`ServiceError`] and its [`CognitoErrorKind`], an OAuth error, an unexpected response, a
//! transport failure). Plain data with `Display` and stable labels; the decoding that produces
//! them from a response is in `decode.rs`.

use std::fmt;

string_enum! {
    /// The exception names of the user-pools API, plus the generic AWS front-end errors a
    /// target may answer with (signature, serialization, unknown operation).
    CognitoErrorKind {
        NotAuthorizedException = "NotAuthorizedException",
        UserNotFoundException = "UserNotFoundException",
        UsernameExistsException = "UsernameExistsException",
        InvalidParameterException = "InvalidParameterException",
        InvalidPasswordException = "InvalidPasswordException",
        CodeMismatchException = "CodeMismatchException",
        ExpiredCodeException = "ExpiredCodeException",
        UserNotConfirmedException = "UserNotConfirmedException",
        TooManyRequestsException = "TooManyRequestsException",
        LimitExceededException = "LimitExceededException",
        PasswordResetRequiredException = "PasswordResetRequiredException",
        ResourceNotFoundException = "ResourceNotFoundException",
        AliasExistsException = "AliasExistsException",
        TooManyFailedAttemptsException = "TooManyFailedAttemptsException",
        InternalErrorException = "InternalErrorException",
        UnsupportedOperationException = "UnsupportedOperationException",
        UnsupportedTokenTypeException = "UnsupportedTokenTypeException",
        InvalidUserPoolConfigurationException = "InvalidUserPoolConfigurationException",
        UnauthorizedException = "UnauthorizedException",
        ForbiddenException = "ForbiddenException",
        CodeDeliveryFailureException = "CodeDeliveryFailureException",
        InvalidLambdaResponseException = "InvalidLambdaResponseException",
        UnexpectedLambdaException = "UnexpectedLambdaException",
        UserLambdaValidationException = "UserLambdaValidationException",
        InvalidSmsRoleAccessPolicyException = "InvalidSmsRoleAccessPolicyException",
        InvalidSmsRoleTrustRelationshipException = "InvalidSmsRoleTrustRelationshipException",
        InvalidEmailRoleAccessPolicyException = "InvalidEmailRoleAccessPolicyException",
        MfaMethodNotFoundException = "MFAMethodNotFoundException",
        SoftwareTokenMfaNotFoundException = "SoftwareTokenMFANotFoundException",
        EnableSoftwareTokenMfaException = "EnableSoftwareTokenMFAException",
        UserPoolTaggingException = "UserPoolTaggingException",
        UserImportInProgressException = "UserImportInProgressException",
        ConcurrentModificationException = "ConcurrentModificationException",
        GroupExistsException = "GroupExistsException",
        DuplicateProviderException = "DuplicateProviderException",
        ScopeDoesNotExistException = "ScopeDoesNotExistException",
        InvalidOAuthFlowException = "InvalidOAuthFlowException",
        PreconditionNotMetException = "PreconditionNotMetException",
        UnsupportedUserStateException = "UnsupportedUserStateException",
        UserPoolAddOnNotEnabledException = "UserPoolAddOnNotEnabledException",
        FeatureUnavailableInTierException = "FeatureUnavailableInTierException",
        UnrecognizedClientException = "UnrecognizedClientException",
        InvalidSignatureException = "InvalidSignatureException",
        IncompleteSignature = "IncompleteSignature",
        MissingAuthenticationTokenException = "MissingAuthenticationTokenException",
        AccessDeniedException = "AccessDeniedException",
        ExpiredTokenException = "ExpiredTokenException",
        SerializationException = "SerializationException",
        UnknownOperationException = "UnknownOperationException",
        ValidationException = "ValidationException",
        ThrottlingException = "ThrottlingException",
    }
}

/// Where the error type was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorTypeSource {
    /// `__type` in the body.
    BodyType,
    /// `code` in the body.
    BodyCode,
    /// The `x-amzn-ErrorType` header.
    Header,
}

/// An error answered by the service in the JSON 1.1 error shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceError {
    pub kind: CognitoErrorKind,
    /// The type as received, before the namespace and suffix were stripped.
    pub raw_type: String,
    pub type_source: ErrorTypeSource,
    /// `message` / `Message` in the body, else the `x-amzn-ErrorMessage` header.
    pub message: Option<String>,
    pub status: u16,
    pub request_id: Option<String>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.kind, self.status)?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// Why a response could not be read as the JSON 1.1 error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnexpectedReason {
    /// The body is empty and no header names an error type.
    EmptyBody,
    /// The body is not JSON (an HTML error page from a proxy, plain text).
    NotJson,
    /// The body is JSON but names no error type (e.g. cognito-local's
    /// `{"message":"Missing x-amz-target header"}`).
    NoErrorType,
    /// A non-2xx, non-error status such as a 3xx redirect.
    UnexpectedStatus,
}

/// A non-2xx response that is not a recognisable service error.
#[derive(Debug, Clone, PartialEq)]
pub struct UnexpectedResponse {
    pub status: u16,
    pub reason: UnexpectedReason,
    pub content_type: Option<String>,
    /// At most `EXCERPT_CHARS` characters of the body, with control characters and long
    /// token-like runs masked.
    pub excerpt: String,
    pub request_id: Option<String>,
}

impl fmt::Display for UnexpectedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.reason {
            UnexpectedReason::EmptyBody => "an empty body",
            UnexpectedReason::NotJson => "a body that is not JSON",
            UnexpectedReason::NoErrorType => "a JSON body naming no error type",
            UnexpectedReason::UnexpectedStatus => "an unexpected status",
        };
        write!(f, "HTTP {} with {what}", self.status)?;
        if let Some(ct) = &self.content_type {
            write!(f, " (content-type {ct})")?;
        }
        if !self.excerpt.is_empty() {
            write!(f, ": {:?}", self.excerpt)?;
        }
        Ok(())
    }
}

/// What went wrong below HTTP semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// TCP connect failed (refused, unreachable, DNS).
    Connect,
    /// The configured request timeout elapsed.
    Timeout,
    /// The connection was closed or reset before a complete response arrived.
    ConnectionReset,
    /// The body was cut short of its declared length, or the stream failed mid-body.
    IncompleteBody,
    /// The body exceeded the configured limit (`TargetConfig::max_response_bytes`).
    BodyTooLarge,
    /// TLS handshake or certificate failure.
    Tls,
    /// Anything else reported by the HTTP stack.
    Other,
}

impl TransportErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::ConnectionReset => "connection_reset",
            Self::IncompleteBody => "incomplete_body",
            Self::BodyTooLarge => "body_too_large",
            Self::Tls => "tls",
            Self::Other => "other",
        }
    }
}

/// A failure to exchange a complete HTTP request and response.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    /// The status, when the failure came after the response head.
    pub status: Option<u16>,
    pub detail: String,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind.as_str().replace('_', " "))?;
        if let Some(s) = self.status {
            write!(f, " after HTTP {s}")?;
        }
        write!(f, ": {}", self.detail)
    }
}

string_enum! {
    /// OAuth error codes (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1) as Cognito uses them.
    OAuthErrorCode {
        InvalidRequest = "invalid_request",
        InvalidClient = "invalid_client",
        InvalidGrant = "invalid_grant",
        UnauthorizedClient = "unauthorized_client",
        UnsupportedGrantType = "unsupported_grant_type",
        InvalidScope = "invalid_scope",
        InvalidToken = "invalid_token",
        UnsupportedTokenType = "unsupported_token_type",
        AccessDenied = "access_denied",
        ServerError = "server_error",
    }
}

/// Where an OAuth error was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthErrorSource {
    /// The JSON body (token and revoke endpoints).
    Body,
    /// The `WWW-Authenticate` header (userInfo endpoint).
    WwwAuthenticate,
    /// The query of the redirect to the callback URL (authorize and login endpoints), or the
    /// sign-in page answered again instead of a redirect (`access_denied`).
    Redirect,
}

/// An OAuth error response.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthError {
    pub code: OAuthErrorCode,
    pub description: Option<String>,
    pub status: u16,
    pub source: OAuthErrorSource,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.status)?;
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

/// Every way a call can fail.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// The service answered with a JSON 1.1 error.
    #[error("service error: {0}")]
    Service(ServiceError),
    /// An OAuth2 endpoint answered with an OAuth error.
    #[error("OAuth error: {0}")]
    OAuth(OAuthError),
    /// A non-2xx answer that is not a recognisable error.
    #[error("unexpected response: {0}")]
    Unexpected(UnexpectedResponse),
    /// A 2xx answer whose body does not decode as the operation's output.
    #[error("cannot decode the {operation} response (HTTP {status}): {detail}")]
    Decode {
        operation: String,
        status: u16,
        detail: String,
    },
    /// An answer that does not fit the service model's shape for the operation (a required
    /// member missing, a member of the wrong JSON type, an unknown enum value, a malformed error
    /// body): what an SDK's decoder would trip on.
    #[error("the {operation} answer (HTTP {status}) does not fit the service model: {issue}")]
    Shape {
        operation: String,
        status: u16,
        issue: crate::protocol::shape::ShapeIssue,
    },
    /// No complete HTTP exchange.
    #[error("transport error: {0}")]
    Transport(TransportError),
    /// The request could not be signed (no credentials, bad header).
    #[error("cannot sign the request: {0}")]
    Signing(String),
    /// The request could not be built.
    #[error("cannot build the request: {0}")]
    Request(String),
}

impl CallError {
    /// The HTTP status, when a response head was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Service(e) => Some(e.status),
            Self::OAuth(e) => Some(e.status),
            Self::Unexpected(e) => Some(e.status),
            Self::Decode { status, .. } | Self::Shape { status, .. } => Some(*status),
            Self::Transport(e) => e.status,
            Self::Signing(_) | Self::Request(_) => None,
        }
    }

    /// The service exception kind, for a service error.
    pub fn service_kind(&self) -> Option<&CognitoErrorKind> {
        match self {
            Self::Service(e) => Some(&e.kind),
            _ => None,
        }
    }

    /// The transport failure kind, for a transport error.
    pub fn transport_kind(&self) -> Option<TransportErrorKind> {
        match self {
            Self::Transport(e) => Some(e.kind),
            _ => None,
        }
    }

    /// A short, stable label for counting errors by kind in metrics: the exception name
    /// (`NotAuthorizedException`), the OAuth code (`oauth:invalid_grant`), or a category
    /// (`transport:timeout`, `unexpected:not_json`, `decode`, `signing`, `request`).
    pub fn label(&self) -> String {
        match self {
            Self::Service(e) => e.kind.as_str().to_owned(),
            Self::OAuth(e) => format!("oauth:{}", e.code.as_str()),
            Self::Unexpected(e) => format!(
                "unexpected:{}",
                match e.reason {
                    UnexpectedReason::EmptyBody => "empty_body",
                    UnexpectedReason::NotJson => "not_json",
                    UnexpectedReason::NoErrorType => "no_error_type",
                    UnexpectedReason::UnexpectedStatus => "status",
                }
            ),
            Self::Decode { .. } => "decode".to_owned(),
            Self::Shape { issue, .. } => issue.label(),
            Self::Transport(e) => format!("transport:{}", e.kind.as_str()),
            Self::Signing(_) => "signing".to_owned(),
            Self::Request(_) => "request".to_owned(),
        }
    }
}
