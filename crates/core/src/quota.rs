//! Cognito's request-rate quota categories, as data.
//!
//! One table, from the developer guide's "Quotas in Amazon Cognito" section ("Amazon Cognito
//! user pools API operation categories and request rate quotas"), and one counting rule,
//! [`counted_usage`] (with the RespondToAuthChallenge allowance and its spill-over), serve every
//! user: `plan` (demand against quotas), the run report and category thresholds (usage per
//! second against the quota in force) and the reference server's optional throttling. The
//! quotas in force ([`Quotas`]) are the guide's defaults, replaced per category by a scenario's
//! `quotas:` block or a `--quota` flag, each remembering its [`QuotaSource`]. Keeping it data
//! means a correction lands in one place.

use std::collections::BTreeMap;
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
        // ⚠ The guide's table names no GetUserAttributeVerificationCode (it lists the unknown
        // "GetUserAttributeValues" and "GetUserAttributeMembership" in this row instead); the
        // operation reads the user's attribute and sends a code like ResendConfirmationCode,
        // which this row holds, so it is counted here.
        | "GetUserAttributeVerificationCode"
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

/// The challenge-response allowance of a UserAuthentication quota: `RespondToAuthChallenge` and
/// `AdminRespondToAuthChallenge` together may run at three times the category quota before
/// they count towards it ("Amazon Cognito user pools API operations with special request rate
/// handling").
pub fn challenge_allowance(category_quota_rps: f64) -> f64 {
    category_quota_rps * f64::from(RESPOND_TO_AUTH_CHALLENGE_MULTIPLIER)
}

/// Where the quota in force for a category came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaSource {
    /// The guide's default for accounts under 2 million MAUs.
    Default,
    /// The scenario's `quotas:` block.
    Scenario,
    /// A `--quota CATEGORY=RPS` flag.
    Flag,
}

/// The quotas in force for an account: the guide's defaults, replaced per category by what the
/// scenario or a flag states.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quotas {
    stated: BTreeMap<QuotaCategory, (f64, QuotaSource)>,
}

impl Quotas {
    /// States `rps` for `category`, replacing anything stated before (so apply the scenario's
    /// block first and the flags after: the flag wins).
    pub fn set(&mut self, category: QuotaCategory, rps: f64, source: QuotaSource) {
        self.stated.insert(category, (rps, source));
    }

    /// The quota in force for `category` and where it came from.
    pub fn in_force(&self, category: QuotaCategory) -> (f64, QuotaSource) {
        self.stated.get(&category).copied().unwrap_or((
            f64::from(category.quota().default_rps),
            QuotaSource::Default,
        ))
    }

    /// The quota in force for `category`, in requests per second.
    pub fn rps(&self, category: QuotaCategory) -> f64 {
        self.in_force(category).0
    }

    /// These quotas with `over`'s stated quotas replacing them (the scenario's block, then the
    /// flags over it).
    pub fn overlaid(&self, over: &Quotas) -> Quotas {
        let mut out = self.clone();
        for (category, rps, source) in over.stated() {
            out.set(category, rps, source);
        }
        out
    }

    /// The categories given a quota other than the default.
    pub fn stated(&self) -> impl Iterator<Item = (QuotaCategory, f64, QuotaSource)> + '_ {
        self.stated
            .iter()
            .map(|(c, (rps, source))| (*c, *rps, *source))
    }
}

/// Requests of one category in some window (a second, or a rate at an instant), with challenge
/// responses apart because the guide counts them differently.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CategoryDemand {
    /// Every request of the category except `RespondToAuthChallenge` and
    /// `AdminRespondToAuthChallenge`.
    pub requests: f64,
    /// `RespondToAuthChallenge` + `AdminRespondToAuthChallenge` (UserAuthentication only).
    pub challenge_responses: f64,
}

impl CategoryDemand {
    /// Adds `rate` of `operation` (which must be in this demand's category).
    pub fn add(&mut self, operation: &str, rate: f64) {
        if is_respond_to_auth_challenge(operation) {
            self.challenge_responses += rate;
        } else {
            self.requests += rate;
        }
    }
}

/// Per-category demand of a set of per-operation rates; uncategorised operations are left out.
pub fn demand_by_category<'a>(
    operations: impl IntoIterator<Item = (&'a str, f64)>,
) -> BTreeMap<QuotaCategory, CategoryDemand> {
    let mut out: BTreeMap<QuotaCategory, CategoryDemand> = BTreeMap::new();
    for (operation, rate) in operations {
        if let Some(category) = category_of(operation) {
            out.entry(category).or_default().add(operation, rate);
        }
    }
    out
}

/// The usage counted against one category's quota of `quota_rps`: the guide's rule, in one
/// place. Every request counts, except that challenge responses up to
/// [`challenge_allowance`] are carried by their own quota and only the excess counts towards
/// UserAuthentication ("Amazon Cognito user pools API operations with special request rate
/// handling": quota 80, 70 sign-ins/s with four challenge rounds = 280 responses/s, 40 above
/// the 240 allowance, so 110 RPS of UserAuthentication).
pub fn counted_usage(category: QuotaCategory, demand: CategoryDemand, quota_rps: f64) -> f64 {
    let responses = demand.challenge_responses.max(0.0);
    let counted_responses = if category == QuotaCategory::UserAuthentication {
        (responses - challenge_allowance(quota_rps)).max(0.0)
    } else {
        responses
    };
    demand.requests.max(0.0) + counted_responses
}

/// The usage counted against each category's quota in force, given each category's demand:
/// [`counted_usage`] per category. `plan`, the run report, category thresholds and the reference
/// server's throttling all count through this rule.
pub fn usage_by_category(
    demand: &BTreeMap<QuotaCategory, CategoryDemand>,
    quotas: &Quotas,
) -> BTreeMap<QuotaCategory, f64> {
    demand
        .iter()
        .map(|(category, d)| {
            (
                *category,
                counted_usage(*category, *d, quotas.rps(*category)),
            )
        })
        .collect()
}

/// Parses `CATEGORY=RPS` as given to `--quota`.
pub fn parse_quota_override(text: &str) -> Result<(QuotaCategory, f64), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not CATEGORY=RPS, e.g. UserAuthentication=200"))?;
    let category = QuotaCategory::from_name(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = QuotaCategory::all().map(|c| c.name()).collect();
        format!(
            "unknown quota category `{}`; categories are: {}",
            name.trim(),
            names.join(", ")
        )
    })?;
    let rps: f64 = value
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
        .ok_or_else(|| {
            format!(
                "`{}` is not a positive number of requests per second",
                value.trim()
            )
        })?;
    Ok((category, rps))
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

    /// Reports, `plan` tables and `--quota NAME=RPS` messages print a category through
    /// `Display`: the guide's name, which `from_name` reads back.
    #[test]
    fn a_category_prints_as_the_guides_name() {
        assert_eq!(
            QuotaCategory::UserAuthentication.to_string(),
            "UserAuthentication"
        );
        for category in QuotaCategory::all() {
            assert_eq!(category.to_string(), category.name());
            assert_eq!(
                QuotaCategory::from_name(&category.to_string()),
                Some(category)
            );
        }
    }

    /// The guide's operation-to-category table ("Quotas in Amazon Cognito", "Amazon Cognito
    /// user pools API operation categories and request rate quotas"), copied row by row as
    /// data: its two "UserPoolResourceOperations" rows are the read and the update categories
    /// here, UserFederation lists no API operation, and ClientAuthentication is the token
    /// endpoint's client_credentials grant.
    const GUIDE_TABLE: &[(QuotaCategory, &[&str])] = &[
        (
            QuotaCategory::UserAuthentication,
            &[
                "InitiateAuth",
                "RespondToAuthChallenge",
                "AdminInitiateAuth",
                "AdminRespondToAuthChallenge",
            ],
        ),
        (
            QuotaCategory::UserCreation,
            &[
                "SignUp",
                "ConfirmSignUp",
                "AdminCreateUser",
                "AdminConfirmSignUp",
            ],
        ),
        (QuotaCategory::UserFederation, &[]),
        (
            QuotaCategory::UserAccountRecovery,
            &[
                "ChangePassword",
                "ConfirmForgotPassword",
                "ForgotPassword",
                "AdminResetUserPassword",
                "AdminSetUserPassword",
            ],
        ),
        (QuotaCategory::UserRead, &["AdminGetUser", "GetUser"]),
        (
            QuotaCategory::UserUpdate,
            &[
                "AdminAddUserToGroup",
                "AdminDeleteUserAttributes",
                "AdminUpdateUserAttributes",
                "AdminDeleteUser",
                "AdminDisableUser",
                "AdminEnableUser",
                "AdminLinkProviderForUser",
                "AdminDisableProviderForUser",
                "VerifyUserAttribute",
                "DeleteUser",
                "DeleteUserAttributes",
                "UpdateUserAttributes",
                "AdminUserGlobalSignOut",
                "GlobalSignOut",
                "AdminRemoveUserFromGroup",
            ],
        ),
        (QuotaCategory::UserToken, &["RevokeToken"]),
        (
            QuotaCategory::UserResourceRead,
            &[
                "AdminGetDevice",
                "AdminListGroupsForUser",
                "AdminListDevices",
                "GetDevice",
                "ListDevices",
                "GetUserAttributeValues",
                "GetUserAttributeMembership",
                "ResendConfirmationCode",
                "AdminListUserAuthEvents",
            ],
        ),
        (
            QuotaCategory::UserResourceUpdate,
            &[
                "AdminForgetDevice",
                "AdminUpdateAuthEventFeedback",
                "AdminSetUserMFAPreference",
                "AdminSetUserSettings",
                "AdminUpdateDeviceStatus",
                "UpdateDeviceStatus",
                "UpdateAuthEventFeedback",
                "ConfirmDevice",
                "SetUserMFAPreference",
                "SetUserSettings",
                "VerifySoftwareToken",
                "AssociateSoftwareToken",
                "ForgetDevice",
            ],
        ),
        (QuotaCategory::UserList, &["ListUsers", "ListUsersInGroup"]),
        (
            QuotaCategory::UserPoolRead,
            &["DescribeUserPool", "ListUserPools"],
        ),
        (
            QuotaCategory::UserPoolUpdate,
            &["CreateUserPool", "UpdateUserPool", "DeleteUserPool"],
        ),
        (
            QuotaCategory::UserPoolResourceRead,
            &[
                "DescribeIdentityProvider",
                "DescribeResourceServer",
                "DescribeUserImportJob",
                "DescribeUserPoolDomain",
                "GetCSVHeader",
                "GetGroup",
                "GetSigningCertificate",
                "GetIdentityProviderByIdentifier",
                "GetUserPoolMfaConfig",
                "ListGroups",
                "ListIdentityProviders",
                "ListResourceServers",
                "ListTagsForResource",
                "ListUserImportJobs",
                "DescribeRiskConfiguration",
                "GetUICustomization",
            ],
        ),
        (
            QuotaCategory::UserPoolResourceUpdate,
            &[
                "AddCustomAttributes",
                "CreateGroup",
                "CreateIdentityProvider",
                "CreateResourceServer",
                "CreateUserImportJob",
                "CreateUserPoolDomain",
                "DeleteGroup",
                "DeleteIdentityProvider",
                "DeleteResourceServer",
                "DeleteUserPoolDomain",
                "SetUserPoolMfaConfig",
                "StartUserImportJob",
                "StopUserImportJob",
                "UpdateGroup",
                "UpdateIdentityProvider",
                "UpdateResourceServer",
                "UpdateUserPoolDomain",
                "SetRiskConfiguration",
                "SetUICustomization",
                "TagResource",
                "UntagResource",
            ],
        ),
        (
            QuotaCategory::UserPoolClientRead,
            &["DescribeUserPoolClient", "ListUserPoolClients"],
        ),
        (
            QuotaCategory::UserPoolClientUpdate,
            &[
                "CreateUserPoolClient",
                "DeleteUserPoolClient",
                "UpdateUserPoolClient",
            ],
        ),
        (
            QuotaCategory::ClientAuthentication,
            &[CLIENT_CREDENTIALS_OPERATION],
        ),
    ];

    #[test]
    fn every_operation_of_the_guides_table_counts_in_its_row() {
        for (category, operations) in GUIDE_TABLE {
            for operation in *operations {
                assert_eq!(category_of(operation), Some(*category), "{operation}");
            }
        }
        // Seventeen rows, in the guide's order: `all()` is neither empty nor reordered.
        let rows: Vec<QuotaCategory> = GUIDE_TABLE.iter().map(|(c, _)| *c).collect();
        assert_eq!(QuotaCategory::all().collect::<Vec<_>>(), rows);
        assert_eq!(rows.len(), 17);
        // An operation outside the table (and the one counted by analogy) is not a row's.
        assert_eq!(category_of("DescribeUserPoolClients"), None);
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
    fn guides_worked_example_counts_110_rps_of_user_authentication() {
        // "Amazon Cognito user pools API operations with special request rate handling": quota
        // 80 RPS, 70 sign-ins/s with four challenge rounds each.
        let mut quotas = Quotas::default();
        quotas.set(QuotaCategory::UserAuthentication, 80.0, QuotaSource::Flag);
        let sign_ins = 70.0;
        let demand = demand_by_category([
            ("InitiateAuth", sign_ins),
            ("RespondToAuthChallenge", sign_ins * 4.0),
        ]);
        let ua = demand[&QuotaCategory::UserAuthentication];
        assert_eq!(ua.challenge_responses, 280.0, "RespondToAuthChallenge RPS");
        assert_eq!(challenge_allowance(80.0), 240.0, "allowance");
        assert_eq!(
            ua.challenge_responses - challenge_allowance(80.0),
            40.0,
            "excess"
        );
        let usage = usage_by_category(&demand, &quotas);
        let counted = usage[&QuotaCategory::UserAuthentication];
        assert_eq!(counted, 110.0, "UserAuthentication usage");
        assert_eq!(
            counted - quotas.rps(QuotaCategory::UserAuthentication),
            30.0,
            "over quota"
        );
    }

    #[test]
    fn challenge_responses_within_the_allowance_cost_the_category_nothing() {
        let demand = CategoryDemand {
            requests: 70.0,
            challenge_responses: 70.0,
        };
        assert_eq!(
            counted_usage(QuotaCategory::UserAuthentication, demand, 80.0),
            70.0
        );
        // Admin variants share the allowance.
        let d = demand_by_category([
            ("AdminInitiateAuth", 10.0),
            ("AdminRespondToAuthChallenge", 20.0),
            ("RespondToAuthChallenge", 20.0),
        ]);
        let ua = d[&QuotaCategory::UserAuthentication];
        assert_eq!(
            counted_usage(QuotaCategory::UserAuthentication, ua, 10.0),
            20.0
        );
        // Other categories count every request; uncategorised operations are left out.
        let d = demand_by_category([("SignUp", 5.0), ("NoSuchOperation", 9.0)]);
        assert_eq!(d.len(), 1);
        assert_eq!(
            usage_by_category(&d, &Quotas::default())[&QuotaCategory::UserCreation],
            5.0
        );
    }

    #[test]
    fn stated_quotas_replace_defaults_and_say_where_they_came_from() {
        let mut q = Quotas::default();
        assert_eq!(
            q.in_force(QuotaCategory::UserAuthentication),
            (120.0, QuotaSource::Default)
        );
        q.set(
            QuotaCategory::UserAuthentication,
            60.0,
            QuotaSource::Scenario,
        );
        q.set(QuotaCategory::UserAuthentication, 50.0, QuotaSource::Flag);
        assert_eq!(
            q.in_force(QuotaCategory::UserAuthentication),
            (50.0, QuotaSource::Flag)
        );
    }

    #[test]
    fn quota_overrides_parse() {
        assert_eq!(
            parse_quota_override("UserAuthentication=200"),
            Ok((QuotaCategory::UserAuthentication, 200.0))
        );
        assert!(parse_quota_override("UserAuth=200").is_err());
        assert!(parse_quota_override("UserAuthentication=-1").is_err());
        assert!(parse_quota_override("UserAuthentication").is_err());
        // A quota of zero would make every request "over quota": refused like a negative one.
        assert!(parse_quota_override("UserAuthentication=0").is_err());
        assert!(parse_quota_override("UserAuthentication=inf").is_err());
        assert_eq!(
            parse_quota_override(" UserCreation = 0.5 "),
            Ok((QuotaCategory::UserCreation, 0.5))
        );
    }

    /// The scenario's `quotas:` block with the `--quota` flags laid over it: a flag replaces the
    /// scenario's value for its category, the scenario's other categories stay, and the
    /// categories neither names keep the guide's default.
    #[test]
    fn flags_laid_over_the_scenario_replace_only_their_categories() {
        let mut scenario = Quotas::default();
        scenario.set(
            QuotaCategory::UserAuthentication,
            60.0,
            QuotaSource::Scenario,
        );
        scenario.set(QuotaCategory::UserCreation, 10.0, QuotaSource::Scenario);
        let mut flags = Quotas::default();
        flags.set(QuotaCategory::UserAuthentication, 200.0, QuotaSource::Flag);
        let both = scenario.overlaid(&flags);
        assert_eq!(
            both.in_force(QuotaCategory::UserAuthentication),
            (200.0, QuotaSource::Flag)
        );
        assert_eq!(
            both.in_force(QuotaCategory::UserCreation),
            (10.0, QuotaSource::Scenario)
        );
        assert_eq!(
            both.in_force(QuotaCategory::UserAccountRecovery),
            (30.0, QuotaSource::Default)
        );
        let stated: Vec<_> = both.stated().collect();
        assert_eq!(
            stated,
            vec![
                (QuotaCategory::UserAuthentication, 200.0, QuotaSource::Flag),
                (QuotaCategory::UserCreation, 10.0, QuotaSource::Scenario),
            ]
        );
        assert_eq!(Quotas::default().stated().count(), 0);
    }
}
