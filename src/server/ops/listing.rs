//! ListUsers and ListUserPools.
//!
//! ListUsers' `Filter` is parsed as the API reference and the developer guide ("Searching
//! user attributes", "Searching for users with the ListUsers API") define it:
//! `AttributeName Filter-Type "AttributeValue"` with `=` (exact) or `^=` (starts with), one
//! attribute, quotation marks inside the value escaped with a backslash; an empty filter lists
//! every user. Only the standard attributes `username`, `email`, `phone_number`, `name`,
//! `given_name`, `family_name`, `preferred_username`, `cognito:user_status`, `status` and `sub`
//! are searchable; custom attributes are not.
//!
//! Case: the guide says "All searches are case-insensitive", while its list (and the API
//! reference's) marks `username` and `status` case-sensitive and `cognito:user_status`
//! case-insensitive. ⚠ The sources disagree; the per-attribute notes are the more specific
//! and the more recent (the API reference's Filter member), so `username` and `status` match
//! case-sensitively (a user name in a case-insensitive pool is matched on its key, the folded
//! name, since such a pool treats names differing in case as one user) and every other
//! attribute case-insensitively.
//!
//! Results are "sorted by the attribute named by the AttributeName string, in ascending
//! order" (guide), then by user name; without a filter, by user name.

use super::paging::{Page, page, page_size};
use super::{Handle, secs, wire_attributes};
use crate::protocol::ops::*;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{Pool, Store, User};

/// The searchable attributes (API reference, ListUsers `Filter`).
pub const SEARCHABLE: [&str; 10] = [
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// A parsed ListUsers filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    pub attribute: String,
    /// `^=`: the value is a prefix; `=`: the whole value.
    pub prefix: bool,
    pub value: String,
}

/// The answer to a filter that does not parse: the service's own message, as returned to SDK
/// users (aws/aws-sdk-php#1088, #1961: `{"__type":"InvalidParameterException","message":"Error
/// while parsing filter."}`).
fn parse_error() -> ApiError {
    ApiError::invalid("Error while parsing filter.")
}

/// Parses `filter`; `None` for an empty (or blank) filter, which lists every user.
pub fn parse_filter(filter: &str) -> ApiResult<Option<UserFilter>> {
    let text = filter.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(parse_error)?;
    let attribute = &text[..name_end];
    let rest = text[name_end..].trim_start();
    let (prefix, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (false, r)
    } else {
        return Err(parse_error());
    };
    let rest = rest.trim_start();
    let body = rest.strip_prefix('"').ok_or_else(parse_error)?;
    let mut value = String::new();
    let mut chars = body.chars();
    let mut closed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(parse_error)?),
            '"' => {
                closed = true;
                break;
            }
            c => value.push(c),
        }
    }
    if !closed || !chars.as_str().trim().is_empty() || attribute.is_empty() {
        return Err(parse_error());
    }
    if !SEARCHABLE.contains(&attribute) {
        // ⚠ The message is moto's (tests/test_cognitoidp, test_list_users_invalid_attributes,
        // not verified against AWS); the sources agree only that custom attributes are not
        // searchable.
        return Err(ApiError::invalid(format!(
            "Invalid search attribute: {attribute}"
        )));
    }
    Ok(Some(UserFilter {
        attribute: attribute.to_owned(),
        prefix,
        value,
    }))
}

/// The value `filter.attribute` has for `user` in the form it is compared in (folded where
/// the search is case-insensitive), `None` when the user has no such value.
fn searched_value(pool: &Pool, user: &User, attribute: &str) -> Option<String> {
    match attribute {
        "username" if pool.case_sensitive => Some(user.username.to_string()),
        "username" => Some(user.username.to_lowercase()),
        "status" => Some(if user.enabled { "Enabled" } else { "Disabled" }.to_owned()),
        "cognito:user_status" => Some(user.status.as_wire().as_str().to_lowercase()),
        "sub" => Some(user.sub.to_string()),
        other => user.attribute(other).map(str::to_lowercase),
    }
}

impl UserFilter {
    /// The filter's value in the form [`searched_value`] compares.
    fn needle(&self, pool: &Pool) -> String {
        match self.attribute.as_str() {
            "status" => self.value.clone(),
            "username" if pool.case_sensitive => self.value.clone(),
            _ => self.value.to_lowercase(),
        }
    }
}

/// The users of `pool` that `filter` selects, each with its sort key (the searched value,
/// then the user key) and its wire form.
fn matching_users(
    pool: &Pool,
    filter: Option<&UserFilter>,
    attributes_to_get: Option<&[String]>,
) -> Vec<(String, UserType)> {
    let needle = filter.map(|f| f.needle(pool));
    let mut out = Vec::new();
    pool.users.retain(|key, user| {
        let sort = match (filter, &needle) {
            (Some(f), Some(needle)) => match searched_value(pool, user, &f.attribute) {
                Some(v) if (f.prefix && v.starts_with(needle.as_str())) || v == *needle => {
                    format!("{v}\u{0}{key}")
                }
                _ => return true,
            },
            _ => key.to_string(),
        };
        out.push((sort, user_summary(user, attributes_to_get)));
        true
    });
    out
}

/// A user as the list operations return it; `attributes_to_get` (when non-empty) limits the
/// attributes ("If the array is empty, all attributes are returned", developer guide).
pub fn user_summary(user: &User, attributes_to_get: Option<&[String]>) -> UserType {
    let mut attributes = wire_attributes(user);
    if let Some(names) = attributes_to_get.filter(|n| !n.is_empty()) {
        attributes.retain(|a| names.contains(&a.name));
    }
    UserType {
        username: Some(user.username.to_string()),
        attributes: Some(attributes),
        user_create_date: Some(secs(user.created_ms)),
        user_last_modified_date: Some(secs(user.modified_ms)),
        enabled: Some(user.enabled),
        user_status: Some(user.status.as_wire()),
        mfa_options: None,
    }
}

impl Handle for ListUsersRequest {
    fn handle(self, store: &Store) -> ApiResult<ListUsersResponse> {
        let req = self;
        let pool = store.pool(&req.user_pool_id)?;
        let filter_text = req.filter.as_deref().unwrap_or("");
        let filter = parse_filter(filter_text)?;
        let users = matching_users(&pool, filter.as_ref(), req.attributes_to_get.as_deref());
        let scope = format!("ListUsers|{}|{filter_text}", pool.id);
        let Page { items, next } = page(
            users,
            &scope,
            req.pagination_token.as_deref(),
            page_size(req.limit),
        )?;
        Ok(ListUsersResponse {
            users: Some(items),
            pagination_token: next,
        })
    }
}

impl Handle for ListUserPoolsRequest {
    fn handle(self, store: &Store) -> ApiResult<ListUserPoolsResponse> {
        let req = self;
        let pools: Vec<(String, UserPoolDescriptionType)> = store
            .pools
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|p| {
                let wire = p.wire();
                let description = UserPoolDescriptionType {
                    id: Some(p.id.clone()),
                    name: wire.name.clone(),
                    lambda_config: wire.lambda_config.clone(),
                    last_modified_date: wire.last_modified_date,
                    creation_date: wire.creation_date,
                };
                (p.id.clone(), description)
            })
            .collect();
        let Page { items, next } = page(
            pools,
            "ListUserPools",
            req.next_token.as_deref(),
            page_size(Some(req.max_results)),
        )?;
        Ok(ListUserPoolsResponse {
            user_pools: Some(items),
            next_token: next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(attribute: &str, prefix: bool, value: &str) -> Option<UserFilter> {
        Some(UserFilter {
            attribute: attribute.into(),
            prefix,
            value: value.into(),
        })
    }

    #[test]
    fn filters_parse_as_the_api_reference_writes_them() {
        assert_eq!(
            parse_filter("family_name = \"Reddy\"").unwrap(),
            filter("family_name", false, "Reddy")
        );
        assert_eq!(
            parse_filter("given_name ^= \"Jon\"").unwrap(),
            filter("given_name", true, "Jon")
        );
        assert_eq!(
            parse_filter("phone_number=\"+33666666666\"").unwrap(),
            filter("phone_number", false, "+33666666666")
        );
        assert_eq!(
            parse_filter("name = \"say \\\"hi\\\"\"").unwrap(),
            filter("name", false, "say \"hi\"")
        );
        assert_eq!(
            parse_filter("cognito:user_status = \"CONFIRMED\"").unwrap(),
            filter("cognito:user_status", false, "CONFIRMED")
        );
        assert_eq!(parse_filter("").unwrap(), None);
        assert_eq!(parse_filter("  ").unwrap(), None);
    }

    #[test]
    fn malformed_filters_are_a_parse_error() {
        for bad in [
            "username = foo",
            "username=",
            "username",
            "= \"x\"",
            "username ~= \"x\"",
            "username = \"x",
            "username = \"x\" and",
            "username = \"x\\",
        ] {
            let err = parse_filter(bad).err().unwrap_or_else(|| panic!("{bad}"));
            assert_eq!(err.kind, "InvalidParameterException", "{bad}");
            assert_eq!(err.message, "Error while parsing filter.", "{bad}");
        }
    }

    #[test]
    fn custom_attributes_are_not_searchable() {
        let err = parse_filter("custom:foo = \"bar\"").err().unwrap();
        assert_eq!(err.kind, "InvalidParameterException");
    }
}
