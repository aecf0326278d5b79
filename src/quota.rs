//! Cognito's request-rate quota categories, as data.
//!
//! One table, from the developer guide's "Quotas in Amazon Cognito" section ("Amazon Cognito
//! user pools API operation categories and request rate quotas"), serves three users: `plan`
//! (demand against quotas), the run report (achieved rate per category) and the reference
//! server's optional throttling. Keeping it data means a correction lands in one place.

use std::fmt;

/// A quota category of the user-pools API. Every operation belongs to at most one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum QuotaCategory {
    UserAuthentication,
    UserCreation,
    UserFederation,
    UserAccountRecovery,
    UserRead,
    UserUpdate,
    UserToken,
    UserResourceRead,
    UserResourceUpdate,
    UserList,
    UserPoolRead,
    UserPoolUpdate,
    /// The guide's table names both resource rows "UserPoolResourceOperations"; they are kept
    /// apart here because their quotas differ (20 RPS to read, 15 RPS to modify).
    UserPoolResourceRead,
    UserPoolResourceUpdate,
    UserPoolClientRead,
    UserPoolClientUpdate,
    ClientAuthentication,
}

/// One row of the guide's category table.
#[derive(Debug, Clone, Copy)]
pub struct CategoryQuota {
    pub category: QuotaCategory,
    /// Default requests per second for accounts with fewer than 2 million MAUs.
    pub default_rps: u32,
    /// Whether a quota increase can be requested.
    pub adjustable: bool,
    /// Footnote 1 of the table: any single operation of the category is limited to 5 RPS per
    /// user pool, whatever the category quota.
    pub per_pool_operation_rps: Option<u32>,
}

/// Footnote 1's per-pool, per-operation limit.
pub const PER_POOL_OPERATION_RPS: u32 = 5;

/// `RespondToAuthChallenge` and `AdminRespondToAuthChallenge` have their own quota of three
/// times the UserAuthentication quota; the excess counts towards UserAuthentication
/// ("Amazon Cognito user pools API operations with special request rate handling").
pub const RESPOND_TO_AUTH_CHALLENGE_MULTIPLIER: u32 = 3;

/// Per-user limits ("Per-user quotas also apply"): 10 reads and 10 writes per second per user.
pub const PER_USER_READS_PER_SECOND: u32 = 10;
pub const PER_USER_WRITES_PER_SECOND: u32 = 10;

const fn row(category: QuotaCategory, default_rps: u32, adjustable: bool) -> CategoryQuota {
    CategoryQuota {
        category,
        default_rps,
        adjustable,
        per_pool_operation_rps: None,
    }
}

const fn per_pool(category: QuotaCategory, default_rps: u32) -> CategoryQuota {
    CategoryQuota {
        category,
        default_rps,
        adjustable: false,
        per_pool_operation_rps: Some(PER_POOL_OPERATION_RPS),
    }
}

/// The guide's table, in its order.
pub const CATEGORY_QUOTAS: &[CategoryQuota] = &[
    row(QuotaCategory::UserAuthentication, 120, true),
    row(QuotaCategory::UserCreation, 50, true),
    row(QuotaCategory::UserFederation, 25, true),
    row(QuotaCategory::UserAccountRecovery, 30, false),
    row(QuotaCategory::UserRead, 120, true),
    row(QuotaCategory::UserUpdate, 25, false),
    row(QuotaCategory::UserToken, 120, true),
    row(QuotaCategory::UserResourceRead, 50, true),
    row(QuotaCategory::UserResourceUpdate, 25, false),
    row(QuotaCategory::UserList, 30, false),
    row(QuotaCategory::UserPoolRead, 15, false),
    row(QuotaCategory::UserPoolUpdate, 15, false),
    per_pool(QuotaCategory::UserPoolResourceRead, 20),
    per_pool(QuotaCategory::UserPoolResourceUpdate, 15),
    per_pool(QuotaCategory::UserPoolClientRead, 15),
    per_pool(QuotaCategory::UserPoolClientUpdate, 15),
    row(QuotaCategory::ClientAuthentication, 150, false),
];

/// Whether an operation reads or writes the user it acts on, for the per-user 10/10 rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAccess {
    Read,
    Write,
    /// Not an operation on one user (pool administration, client credentials).
    None,
}

/// The pseudo-operation name under which `/oauth2/token` client_credentials grants are counted
/// (the ClientAuthentication category has no API operation).
pub const CLIENT_CREDENTIALS_OPERATION: &str = "oauth2/token:client_credentials";

impl QuotaCategory {
    /// The category's row in the guide's table.
    pub fn quota(self) -> CategoryQuota {
        // The table holds every variant exactly once (checked by a test).
        CATEGORY_QUOTAS
            .iter()
            .copied()
            .find(|q| q.category == self)
            .unwrap_or(CategoryQuota {
                category: self,
                default_rps: 0,
                adjustable: false,
                per_pool_operation_rps: None,
            })
    }

    /// The name the guide and Service Quotas use.
    pub fn name(self) -> &'static str {
        match self {
            Self::UserAuthentication => "UserAuthentication",
            Self::UserCreation => "UserCreation",
            Self::UserFederation => "UserFederation",
            Self::UserAccountRecovery => "UserAccountRecovery",
            Self::UserRead => "UserRead",
            Self::UserUpdate => "UserUpdate",
            Self::UserToken => "UserToken",
            Self::UserResourceRead => "UserResourceRead",
            Self::UserResourceUpdate => "UserResourceUpdate",
            Self::UserList => "UserList",
            Self::UserPoolRead => "UserPoolRead",
            Self::UserPoolUpdate => "UserPoolUpdate",
            Self::UserPoolResourceRead => "UserPoolResourceRead",
            Self::UserPoolResourceUpdate => "UserPoolResourceUpdate",
            Self::UserPoolClientRead => "UserPoolClientRead",
            Self::UserPoolClientUpdate => "UserPoolClientUpdate",
            Self::ClientAuthentication => "ClientAuthentication",
        }
    }

    /// Parses a category name as written in the guide (case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        CATEGORY_QUOTAS
            .iter()
            .map(|q| q.category)
            .find(|c| c.name() == name)
    }

    pub fn all() -> impl Iterator<Item = QuotaCategory> {
        CATEGORY_QUOTAS.iter().map(|q| q.category)
    }
}

impl fmt::Display for QuotaCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether an operation is one of the two with the 3x special handling.
pub fn is_respond_to_auth_challenge(operation: &str) -> bool {
    matches!(
        operation,
        "RespondToAuthChallenge" | "AdminRespondToAuthChallenge"
    )
}

/// The category an operation is counted in, or `None` for operations the guide does not
/// categorise. `operation` is the `X-Amz-Target` suffix, or [`CLIENT_CREDENTIALS_OPERATION`].
pub fn category_of(operation: &str) -> Option<QuotaCategory> {
    use QuotaCategory::*;
    let category = match operation {
        "InitiateAuth"
        | "RespondToAuthChallenge"
        | "AdminInitiateAuth"
        | "AdminRespondToAuthChallenge" => UserAuthentication,
        "SignUp" | "ConfirmSignUp" | "AdminCreateUser" | "AdminConfirmSignUp" => UserCreation,
        "ChangePassword"
        | "ConfirmForgotPassword"
        | "ForgotPassword"
        | "AdminResetUserPassword"
        | "AdminSetUserPassword" => UserAccountRecovery,
        "AdminGetUser" | "GetUser" => UserRead,
        "AdminAddUserToGroup"
        | "AdminDeleteUserAttributes"
        | "AdminUpdateUserAttributes"
        | "AdminDeleteUser"
        | "AdminDisableUser"
        | "AdminEnableUser"
        | "AdminLinkProviderForUser"
        | "AdminDisableProviderForUser"
        | "VerifyUserAttribute"
        | "DeleteUser"
        | "DeleteUserAttributes"
        | "UpdateUserAttributes"
        | "AdminUserGlobalSignOut"
        | "GlobalSignOut"
        | "AdminRemoveUserFromGroup" => UserUpdate,
        "RevokeToken" => UserToken,
        "AdminGetDevice"
        | "AdminListGroupsForUser"
        | "AdminListDevices"
        | "GetDevice"
        | "ListDevices"
        | "GetUserAttributeValues"
        | "GetUserAttributeMembership"
        | "ResendConfirmationCode"
        | "AdminListUserAuthEvents" => UserResourceRead,
        "AdminForgetDevice"
        | "AdminUpdateAuthEventFeedback"
        | "AdminSetUserMFAPreference"
        | "AdminSetUserSettings"
        | "AdminUpdateDeviceStatus"
        | "UpdateDeviceStatus"
        | "UpdateAuthEventFeedback"
        | "ConfirmDevice"
        | "SetUserMFAPreference"
        | "SetUserSettings"
        | "VerifySoftwareToken"
        | "AssociateSoftwareToken"
        | "ForgetDevice" => UserResourceUpdate,
        "ListUsers" | "ListUsersInGroup" => UserList,
        "DescribeUserPool" | "ListUserPools" => UserPoolRead,
        "CreateUserPool" | "UpdateUserPool" | "DeleteUserPool" => UserPoolUpdate,
        "DescribeIdentityProvider"
        | "DescribeResourceServer"
        | "DescribeUserImportJob"
        | "DescribeUserPoolDomain"
        | "GetCSVHeader"
        | "GetGroup"
        | "GetSigningCertificate"
        | "GetIdentityProviderByIdentifier"
        | "GetUserPoolMfaConfig"
        | "ListGroups"
        | "ListIdentityProviders"
        | "ListResourceServers"
        | "ListTagsForResource"
        | "ListUserImportJobs"
        | "DescribeRiskConfiguration"
        | "GetUICustomization" => UserPoolResourceRead,
        "AddCustomAttributes"
        | "CreateGroup"
        | "CreateIdentityProvider"
        | "CreateResourceServer"
        | "CreateUserImportJob"
        | "CreateUserPoolDomain"
        | "DeleteGroup"
        | "DeleteIdentityProvider"
        | "DeleteResourceServer"
        | "DeleteUserPoolDomain"
        | "SetUserPoolMfaConfig"
        | "StartUserImportJob"
        | "StopUserImportJob"
        | "UpdateGroup"
        | "UpdateIdentityProvider"
        | "UpdateResourceServer"
        | "UpdateUserPoolDomain"
        | "SetRiskConfiguration"
        | "SetUICustomization"
        | "TagResource"
        | "UntagResource" => UserPoolResourceUpdate,
        "DescribeUserPoolClient" | "ListUserPoolClients" => UserPoolClientRead,
        "CreateUserPoolClient" | "DeleteUserPoolClient" | "UpdateUserPoolClient" => {
            UserPoolClientUpdate
        }
        CLIENT_CREDENTIALS_OPERATION => ClientAuthentication,
        _ => return None,
    };
    Some(category)
}

/// How an operation counts against the per-user 10 reads / 10 writes per second rule. The guide
/// names signing in and reading the profile as reads, updating the profile or MFA as writes.
pub fn user_access_of(operation: &str) -> UserAccess {
    match category_of(operation) {
        Some(
            QuotaCategory::UserAuthentication
            | QuotaCategory::UserRead
            | QuotaCategory::UserResourceRead,
        ) => UserAccess::Read,
        Some(
            QuotaCategory::UserCreation
            | QuotaCategory::UserAccountRecovery
            | QuotaCategory::UserUpdate
            | QuotaCategory::UserToken
            | QuotaCategory::UserResourceUpdate,
        ) => UserAccess::Write,
        _ => UserAccess::None,
    }
}

/// Demand, in requests per second, that one category's quota must absorb, given the rates of
/// `InitiateAuth`-like and `RespondToAuthChallenge`-like calls. Applies the 3x rule: challenge
/// responses up to three times the category quota are free of the category; the excess counts.
pub fn user_authentication_load(
    initiate_rps: f64,
    respond_rps: f64,
    category_quota_rps: f64,
) -> f64 {
    let respond_allowance = category_quota_rps * f64::from(RESPOND_TO_AUTH_CHALLENGE_MULTIPLIER);
    initiate_rps + (respond_rps - respond_allowance).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_exactly_one_row() {
        for category in QuotaCategory::all() {
            assert_eq!(
                CATEGORY_QUOTAS
                    .iter()
                    .filter(|q| q.category == category)
                    .count(),
                1,
                "{category}"
            );
            assert!(category.quota().default_rps > 0);
            assert_eq!(QuotaCategory::from_name(category.name()), Some(category));
        }
    }

    #[test]
    fn defaults_match_the_guide() {
        assert_eq!(QuotaCategory::UserAuthentication.quota().default_rps, 120);
        assert_eq!(QuotaCategory::UserCreation.quota().default_rps, 50);
        assert_eq!(QuotaCategory::ClientAuthentication.quota().default_rps, 150);
        assert_eq!(QuotaCategory::UserToken.quota().default_rps, 120);
        assert_eq!(
            QuotaCategory::UserPoolClientUpdate
                .quota()
                .per_pool_operation_rps,
            Some(5)
        );
        assert_eq!(
            QuotaCategory::UserAuthentication
                .quota()
                .per_pool_operation_rps,
            None
        );
    }

    #[test]
    fn operations_map_to_the_guide_categories() {
        assert_eq!(
            category_of("InitiateAuth"),
            Some(QuotaCategory::UserAuthentication)
        );
        assert_eq!(
            category_of("AdminRespondToAuthChallenge"),
            Some(QuotaCategory::UserAuthentication)
        );
        assert_eq!(category_of("SignUp"), Some(QuotaCategory::UserCreation));
        assert_eq!(
            category_of("GlobalSignOut"),
            Some(QuotaCategory::UserUpdate)
        );
        assert_eq!(
            category_of("ResendConfirmationCode"),
            Some(QuotaCategory::UserResourceRead)
        );
        assert_eq!(
            category_of(CLIENT_CREDENTIALS_OPERATION),
            Some(QuotaCategory::ClientAuthentication)
        );
        assert_eq!(category_of("NoSuchOperation"), None);
        assert_eq!(user_access_of("GetUser"), UserAccess::Read);
        assert_eq!(user_access_of("ChangePassword"), UserAccess::Write);
        assert_eq!(user_access_of("CreateUserPool"), UserAccess::None);
    }

    #[test]
    fn respond_to_auth_challenge_excess_counts_towards_the_category() {
        // The guide's worked example: quota 80, 70 sign-ins/s with four challenge rounds each:
        // 280 responses/s, 40 above 240, so the category carries 70 + 40 = 110 RPS.
        assert_eq!(user_authentication_load(70.0, 280.0, 80.0), 110.0);
        // Within the allowance, responses cost the category nothing.
        assert_eq!(user_authentication_load(70.0, 70.0, 80.0), 70.0);
    }
}
