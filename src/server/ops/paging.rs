//! Pagination of the list operations (ListUsers, ListUsersInGroup, ListGroups,
//! AdminListGroupsForUser, ListUserPools, ListUserPoolClients).
//!
//! A page is cut from the items sorted by a unique key; the token names the last key returned
//! and the listing it belongs to (`scope`: the operation, the pool and the filter). The next
//! page starts strictly after that key, so paging stays stable while items are added: an item
//! added behind the cursor is not returned, none is returned twice and none is skipped. The
//! API reference describes the token only as an identifier to present again with the same
//! parameters (ListUsers `PaginationToken`); a token from another listing or no token at all is
//! refused with InvalidParameterException, as Cognito refuses a paging marker presented with
//! other parameters (aws/aws-sdk-js#3705: "Paging marker … is invalid for request …").

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::server::error::{ApiError, ApiResult};

/// One page of items and the token of the next, `None` on the last page.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The largest page of every list operation (model `QueryLimitType`, `QueryLimit`,
/// `PoolQueryLimitType`: at most 60), also the size when the caller gives no limit or 0.
pub const MAX_PAGE: usize = 60;

/// The page size for a `Limit` / `MaxResults` member: absent or 0 means [`MAX_PAGE`] (⚠ the
/// sources do not say what 0 means; the model's range 0-60 admits it).
pub fn page_size(limit: Option<i64>) -> usize {
    match limit {
        Some(n) if n > 0 => (n as usize).min(MAX_PAGE),
        _ => MAX_PAGE,
    }
}

fn encode(scope: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{scope}\n{key}"))
}

/// The key after which the page starts, from a token of `scope`.
fn decode(scope: &str, token: &str) -> ApiResult<String> {
    let invalid = || ApiError::invalid(format!("Paging marker {token} is invalid for request."));
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (got_scope, key) = text.split_once('\n').ok_or_else(invalid)?;
    if got_scope != scope {
        return Err(invalid());
    }
    Ok(key.to_owned())
}

/// The page of `items` (any order; keys unique) after `token`, at most `size` long.
pub fn page<T>(
    mut items: Vec<(String, T)>,
    scope: &str,
    token: Option<&str>,
    size: usize,
) -> ApiResult<Page<T>> {
    let after = token.map(|t| decode(scope, t)).transpose()?;
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rest = items
        .into_iter()
        .filter(|(k, _)| after.as_ref().is_none_or(|a| k > a))
        .peekable();
    let mut out = Vec::new();
    let mut last = None;
    while out.len() < size {
        match rest.next() {
            Some((k, v)) => {
                last = Some(k);
                out.push(v);
            }
            None => break,
        }
    }
    let next = match (rest.peek(), last) {
        (Some(_), Some(last)) => Some(encode(scope, &last)),
        _ => None,
    };
    Ok(Page { items: out, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<(String, usize)> {
        (0..n).map(|i| (format!("k{i:03}"), i)).collect()
    }

    #[test]
    fn pages_cover_every_item_once_while_items_are_added() {
        let mut all = keys(10);
        let first = page(all.clone(), "s", None, 4).unwrap();
        assert_eq!(first.items, vec![0, 1, 2, 3]);
        // An item sorted before the cursor and one after it arrive between the pages.
        all.push(("k000a".into(), 100));
        all.push(("k009a".into(), 101));
        let second = page(all.clone(), "s", first.next.as_deref(), 4).unwrap();
        assert_eq!(second.items, vec![4, 5, 6, 7]);
        let third = page(all, "s", second.next.as_deref(), 4).unwrap();
        assert_eq!(third.items, vec![8, 9, 101]);
        assert!(third.next.is_none(), "the last page has no token");
    }

    #[test]
    fn a_token_of_another_listing_or_garbage_is_refused() {
        let first = page(keys(3), "s", None, 1).unwrap();
        let token = first.next.unwrap();
        let err = page(keys(3), "other", Some(&token), 1).err().unwrap();
        assert_eq!(err.kind, "InvalidParameterException");
        assert!(page(keys(3), "s", Some("!!"), 1).is_err());
    }

    #[test]
    fn the_page_size_is_sixty_unless_smaller() {
        assert_eq!(page_size(None), 60);
        assert_eq!(page_size(Some(0)), 60);
        assert_eq!(page_size(Some(5)), 5);
        assert_eq!(page_size(Some(600)), 60);
    }
}
