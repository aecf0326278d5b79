//! The operation table and the wire types of the Cognito user-pools API (JSON 1.1, API version
//! 2016-04-18), one file per feature area.
//!
//! One request and one response struct per operation, named after the operation
//! (`SignUpRequest`, `SignUpResponse`), with the member names and JSON shapes of the AWS API
//! reference: PascalCase members, optional members as `Option` and omitted when `None`, numbers
//! where the model has numbers (timestamps are epoch seconds as a JSON number). Both the client
//! (which encodes requests and decodes responses) and the reference server (which does the
//! opposite) use these types, so they are plain data with no behaviour beyond serde. Unknown
//! members are ignored on decode (forward compatibility).
//!
//! Members holding passwords, secrets, tokens, codes or sessions are [`Sensitive`]; the
//! string maps of authentication parameters are [`ParamMap`]. Both redact themselves in `Debug`.
//!
//! This file owns the table ([`for_each_operation!`]), which declares [`OperationKind`], the
//! [`Operation`] impls and [`op_names`]; the areas own the types:
//! - `signup`: SignUp, ConfirmSignUp, ResendConfirmationCode.
//! - `auth`: InitiateAuth, RespondToAuthChallenge, their Admin forms, GetTokensFromRefreshToken
//!   and the sign-outs.
//! - `account`: GetUser, ForgotPassword, ConfirmForgotPassword, ChangePassword.
//! - `admin_users`: AdminCreateUser and the other Admin* user operations.
//! - `groups`: CreateGroup, GetGroup, ListGroups, DeleteGroup and the group memberships.
//! - `pools`: pools, app clients, resource servers, domains (creation and description).
//! - `clients`: Describe/List/Update/DeleteUserPoolClient.
//! - `listing`: ListUsers (filter, pagination) and ListUserPools.
//! - `pool_settings`: UpdateUserPool and DescribeUserPoolDomain.
//! - `attributes`: the attribute operations (Update/Delete/Verify, their Admin forms,
//!   GetUserAttributeVerificationCode, AddCustomAttributes), DeleteUser and
//!   AdminResetUserPassword.
//! - `mfa`: software-token (TOTP) MFA: Associate/VerifySoftwareToken, the MFA preferences and
//!   the pool's MFA configuration.
//! - `shared`: the string enumerations and the shapes several areas carry.

use serde::Serialize;

pub mod account;
pub mod admin_users;
pub mod attributes;
pub mod auth;
pub mod clients;
pub mod groups;
pub mod listing;
pub mod mfa;
pub mod pool_settings;
pub mod pools;
pub mod shared;
pub mod signup;

pub use super::sensitive::{ParamMap, Sensitive};
pub use account::*;
pub use admin_users::*;
pub use attributes::*;
pub use auth::*;
pub use clients::*;
pub use groups::*;
pub use listing::*;
pub use mfa::*;
pub use pool_settings::*;
pub use pools::*;
pub use shared::*;
pub use signup::*;

/// The `X-Amz-Target` prefix of every operation: `AWSCognitoIdentityProviderService.<Op>`.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";

/// The request and response content type of the JSON 1.1 protocol.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The SigV4 signing name of the service (ground truth §1.1).
pub const SIGNING_NAME: &str = "cognito-idp";

/// Declares [`OperationKind`], the [`Operation`] impls and the operation-name constants from one
/// table: `Name => Request, Response, signed`.
macro_rules! operations {
    ( $( $name:ident => $req:ident, $resp:ident, $signed:literal ; )+ ) => {
        /// Every operation the harness speaks, named as in `X-Amz-Target`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OperationKind {
            $( $name, )+
        }

        impl OperationKind {
            /// Every operation, in declaration order.
            pub const ALL: &'static [OperationKind] = &[ $( OperationKind::$name ),+ ];

            /// The operation name (`"InitiateAuth"`), the suffix of `X-Amz-Target`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( OperationKind::$name => stringify!($name), )+
                }
            }

            /// Whether the operation is SigV4-signed. The public user operations are
            /// `authtype: none` (ground truth §1.3); Admin* and pool management use SigV4.
            pub const fn requires_sigv4(self) -> bool {
                match self {
                    $( OperationKind::$name => $signed, )+
                }
            }

            /// The operation called `name` (exact, case-sensitive, as Cognito matches it).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( stringify!($name) => Some(OperationKind::$name), )+
                    _ => None,
                }
            }
        }

        /// Operation names as constants (`op_names::InitiateAuth == "InitiateAuth"`), for code
        /// that dispatches on strings. Named exactly as the operations, hence the lint allowance.
        #[allow(non_upper_case_globals)]
        pub mod op_names {
            $( pub const $name: &str = stringify!($name); )+
        }

        $(
            impl Operation for $req {
                const KIND: OperationKind = OperationKind::$name;
                type Output = $resp;
            }
        )+
    };
}

/// A request type of one operation: ties it to its name, its signing and its response type.
pub trait Operation:
    Serialize + serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + 'static
{
    const KIND: OperationKind;
    type Output: Serialize + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static;
}

/// The operations table: `Name => Request, Response, signed;`, one row per operation the harness
/// speaks (the client calls them, the reference server answers them). Expands `$callback!` over
/// the rows, so every consumer sees the same list: [`operations!`] here declares
/// [`OperationKind`] and the [`Operation`] impls, and the server's dispatch calls the handler of
/// each request type (a row without a handler does not build).
///
/// Adding an operation: a row here, its types in the area file, its handler in
/// `server/ops/<area>.rs`, and its conformance cases.
macro_rules! for_each_operation {
    ($callback:ident) => {
        $callback! {
            SignUp => SignUpRequest, SignUpResponse, false;
            ConfirmSignUp => ConfirmSignUpRequest, ConfirmSignUpResponse, false;
            ResendConfirmationCode => ResendConfirmationCodeRequest, ResendConfirmationCodeResponse, false;
            InitiateAuth => InitiateAuthRequest, InitiateAuthResponse, false;
            RespondToAuthChallenge => RespondToAuthChallengeRequest, RespondToAuthChallengeResponse, false;
            GetUser => GetUserRequest, GetUserResponse, false;
            GlobalSignOut => GlobalSignOutRequest, GlobalSignOutResponse, false;
            RevokeToken => RevokeTokenRequest, RevokeTokenResponse, false;
            GetTokensFromRefreshToken => GetTokensFromRefreshTokenRequest, GetTokensFromRefreshTokenResponse, false;
            ForgotPassword => ForgotPasswordRequest, ForgotPasswordResponse, false;
            ConfirmForgotPassword => ConfirmForgotPasswordRequest, ConfirmForgotPasswordResponse, false;
            ChangePassword => ChangePasswordRequest, ChangePasswordResponse, false;
            CreateUserPool => CreateUserPoolRequest, CreateUserPoolResponse, true;
            DeleteUserPool => DeleteUserPoolRequest, DeleteUserPoolResponse, true;
            CreateUserPoolClient => CreateUserPoolClientRequest, CreateUserPoolClientResponse, true;
            CreateResourceServer => CreateResourceServerRequest, CreateResourceServerResponse, true;
            CreateUserPoolDomain => CreateUserPoolDomainRequest, CreateUserPoolDomainResponse, true;
            AdminCreateUser => AdminCreateUserRequest, AdminCreateUserResponse, true;
            AdminSetUserPassword => AdminSetUserPasswordRequest, AdminSetUserPasswordResponse, true;
            AdminConfirmSignUp => AdminConfirmSignUpRequest, AdminConfirmSignUpResponse, true;
            AdminDeleteUser => AdminDeleteUserRequest, AdminDeleteUserResponse, true;
            AdminGetUser => AdminGetUserRequest, AdminGetUserResponse, true;
            AdminInitiateAuth => AdminInitiateAuthRequest, AdminInitiateAuthResponse, true;
            AdminRespondToAuthChallenge => AdminRespondToAuthChallengeRequest, AdminRespondToAuthChallengeResponse, true;
            DescribeUserPool => DescribeUserPoolRequest, DescribeUserPoolResponse, true;
            AdminDisableUser => AdminDisableUserRequest, AdminDisableUserResponse, true;
            AdminEnableUser => AdminEnableUserRequest, AdminEnableUserResponse, true;
            AdminUserGlobalSignOut => AdminUserGlobalSignOutRequest, AdminUserGlobalSignOutResponse, true;
            CreateGroup => CreateGroupRequest, CreateGroupResponse, true;
            AdminAddUserToGroup => AdminAddUserToGroupRequest, AdminAddUserToGroupResponse, true;
            // Listing, groups, clients and pool settings.
            ListUsers => ListUsersRequest, ListUsersResponse, true;
            ListUserPools => ListUserPoolsRequest, ListUserPoolsResponse, true;
            ListUserPoolClients => ListUserPoolClientsRequest, ListUserPoolClientsResponse, true;
            DescribeUserPoolClient => DescribeUserPoolClientRequest, DescribeUserPoolClientResponse, true;
            UpdateUserPoolClient => UpdateUserPoolClientRequest, UpdateUserPoolClientResponse, true;
            DeleteUserPoolClient => DeleteUserPoolClientRequest, DeleteUserPoolClientResponse, true;
            UpdateUserPool => UpdateUserPoolRequest, UpdateUserPoolResponse, true;
            DescribeUserPoolDomain => DescribeUserPoolDomainRequest, DescribeUserPoolDomainResponse, true;
            GetGroup => GetGroupRequest, GetGroupResponse, true;
            ListGroups => ListGroupsRequest, ListGroupsResponse, true;
            DeleteGroup => DeleteGroupRequest, DeleteGroupResponse, true;
            AdminRemoveUserFromGroup => AdminRemoveUserFromGroupRequest, AdminRemoveUserFromGroupResponse, true;
            AdminListGroupsForUser => AdminListGroupsForUserRequest, AdminListGroupsForUserResponse, true;
            ListUsersInGroup => ListUsersInGroupRequest, ListUsersInGroupResponse, true;
            UpdateUserAttributes => UpdateUserAttributesRequest, UpdateUserAttributesResponse, false;
            DeleteUserAttributes => DeleteUserAttributesRequest, DeleteUserAttributesResponse, false;
            GetUserAttributeVerificationCode => GetUserAttributeVerificationCodeRequest, GetUserAttributeVerificationCodeResponse, false;
            VerifyUserAttribute => VerifyUserAttributeRequest, VerifyUserAttributeResponse, false;
            DeleteUser => DeleteUserRequest, DeleteUserResponse, false;
            AdminUpdateUserAttributes => AdminUpdateUserAttributesRequest, AdminUpdateUserAttributesResponse, true;
            AdminDeleteUserAttributes => AdminDeleteUserAttributesRequest, AdminDeleteUserAttributesResponse, true;
            AdminResetUserPassword => AdminResetUserPasswordRequest, AdminResetUserPasswordResponse, true;
            AddCustomAttributes => AddCustomAttributesRequest, AddCustomAttributesResponse, true;
            AssociateSoftwareToken => AssociateSoftwareTokenRequest, AssociateSoftwareTokenResponse, false;
            VerifySoftwareToken => VerifySoftwareTokenRequest, VerifySoftwareTokenResponse, false;
            SetUserMFAPreference => SetUserMfaPreferenceRequest, SetUserMfaPreferenceResponse, false;
            AdminSetUserMFAPreference => AdminSetUserMfaPreferenceRequest, AdminSetUserMfaPreferenceResponse, true;
            SetUserPoolMfaConfig => SetUserPoolMfaConfigRequest, SetUserPoolMfaConfigResponse, true;
            GetUserPoolMfaConfig => GetUserPoolMfaConfigRequest, GetUserPoolMfaConfigResponse, true;
        }
    };
}
pub(crate) use for_each_operation;

for_each_operation!(operations);

impl OperationKind {
    /// The operation named by an `X-Amz-Target` header value
    /// (`AWSCognitoIdentityProviderService.InitiateAuth`).
    pub fn from_target(target: &str) -> Option<Self> {
        let (prefix, name) = target.split_once('.')?;
        if prefix != TARGET_PREFIX {
            return None;
        }
        Self::from_name(name)
    }

    /// The full `X-Amz-Target` header value for this operation.
    pub fn target(self) -> String {
        format!("{TARGET_PREFIX}.{}", self.name())
    }
}

impl std::fmt::Display for OperationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests;
