//! The `target` block: `embedded`, or an endpoint whose URLs, region, ids and admin
//! credentials are checked here, so a scenario that validates is one the client accepts.

use crate::protocol::redact::redact_url_str;
use serde_saphyr::Spanned;

use super::checker::{Checker, pos};
use crate::scenario::doc::{AdminDoc, TargetDoc};
use crate::scenario::model::*;
use crate::yaml::DiagnosticKind;

/// The client's loopback rule (`protocol::endpoints`), so a scenario that validates is one the
/// client accepts.
fn is_loopback(url: &url::Url) -> bool {
    url.host()
        .is_some_and(|h| crate::protocol::endpoints::is_loopback_host(&h))
}

fn check_url(c: &mut Checker<'_>, s: &Spanned<String>, key: &str) -> Option<url::Url> {
    let text = c.text(s, key)?;
    match url::Url::parse(&text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
        Ok(u) => {
            c.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!(
                    "`{}` is not an http(s) URL (scheme `{}`)",
                    redact_url_str(&text),
                    u.scheme()
                ),
                Some("write e.g. https://cognito-idp.eu-west-1.amazonaws.com".to_string()),
            );
            None
        }
        Err(e) => {
            c.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("`{}` is not a URL ({e})", redact_url_str(&text)),
                Some("write e.g. https://cognito-idp.eu-west-1.amazonaws.com".to_string()),
            );
            None
        }
    }
}

pub(super) fn check_target(
    c: &mut Checker<'_>,
    target: Option<&Spanned<TargetDoc>>,
) -> Option<Target> {
    let Some(target) = target else {
        return Some(Target::Embedded);
    };
    let e = match &target.value {
        TargetDoc::Embedded => return Some(Target::Embedded),
        TargetDoc::Endpoint(e) => e,
    };
    let endpoint = check_url(c, &e.endpoint, "target.endpoint");
    let admin = check_admin(c, e);
    let region = match &e.region {
        Some(r) => c.text(r, "target.region").map(Some),
        // With `admin: aws` the credential chain supplies the region before any traffic.
        None if matches!(admin, Some(AdminCredentials::Aws { .. })) => Some(None),
        None => {
            c.error(
                pos(target),
                "target.region",
                DiagnosticKind::MissingKey,
                "is missing",
                Some("set it (e.g. eu-west-1), or use `admin: aws`, which can take it from the AWS configuration".to_string()),
            );
            None
        }
    };
    let user_pool_id = c.text(&e.user_pool_id, "target.user_pool_id");
    let client_id = c.text(&e.client_id, "target.client_id");
    if let (Some(Some(value)), Some(s)) = (&region, &e.region)
        && value.trim().is_empty()
    {
        c.error(
            pos(s),
            "target.region",
            DiagnosticKind::InvalidValue,
            "is empty",
            Some("set it, or take it from the environment with ${NAME}".to_string()),
        );
    }
    for (value, s, key) in [(&client_id, &e.client_id, "target.client_id")] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            c.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                "is empty",
                Some("set it, or take it from the environment with ${NAME}".to_string()),
            );
        }
    }
    let client_secret = e
        .client_secret
        .as_ref()
        .and_then(|s| c.secret(s, "target.client_secret"));
    let oauth_domain = e
        .oauth_domain
        .as_ref()
        .and_then(|s| check_url(c, s, "target.oauth_domain"));
    if let (Some(Some(r)), Some(written)) = (&region, &e.region)
        && !r.trim().is_empty()
        && !r
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        c.error(
            pos(written),
            "target.region",
            DiagnosticKind::InvalidValue,
            format!("`{r}` is not an AWS region name"),
            Some("write it like eu-west-1".to_string()),
        );
    }
    // Defaults follow Cognito's layout, which emulators copy: the issuer and the JWKS live under
    // the pool id on the API endpoint's host.
    let pool_url = match (&endpoint, &user_pool_id) {
        (Some(endpoint), Some(pool)) => Some(crate::protocol::endpoints::join_segments(
            endpoint,
            &[pool.as_str()],
        )),
        _ => None,
    };
    let issuer = match &e.issuer {
        Some(s) => c.text(s, "target.issuer"),
        None => pool_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_string()),
    };
    let jwks_url = match &e.jwks_url {
        Some(s) => check_url(c, s, "target.jwks_url"),
        None => pool_url
            .as_ref()
            .map(|u| crate::protocol::endpoints::join_segments(u, &[".well-known", "jwks.json"])),
    };
    let allow_remote = e.allow_remote.as_ref().is_some_and(|a| a.value);
    let urls = [
        ("target.endpoint", Some(&e.endpoint), endpoint.as_ref()),
        (
            "target.oauth_domain",
            e.oauth_domain.as_ref(),
            oauth_domain.as_ref(),
        ),
        ("target.jwks_url", e.jwks_url.as_ref(), jwks_url.as_ref()),
    ];
    for (key, written, url) in urls {
        let (Some(written), Some(url)) = (written, url) else {
            continue;
        };
        if !allow_remote && !is_loopback(url) {
            c.error(
                pos(written),
                key,
                DiagnosticKind::Conflict,
                format!(
                    "`{}` is not a loopback address, and load tests against remote pools must be opted into",
                    url.host_str().unwrap_or_default()
                ),
                Some("add `allow_remote: true` to the target if you mean to send this load there".to_string()),
            );
        }
    }
    Some(Target::Endpoint(Box::new(Endpoint {
        endpoint: endpoint?,
        region: region?,
        user_pool_id: user_pool_id?,
        client_id: client_id?,
        client_secret,
        oauth_domain,
        jwks_url: jwks_url?,
        issuer: issuer?,
        admin: admin?,
        allow_remote,
    })))
}

/// `admin` and `profile`: `profile` names a shared-config profile, so it goes with `admin: aws`
/// only.
fn check_admin(
    c: &mut Checker<'_>,
    e: &crate::scenario::doc::EndpointDoc,
) -> Option<AdminCredentials> {
    let profile = match &e.profile {
        None => None,
        Some(p) => {
            let name = c.text(p, "target.profile")?;
            if name.trim().is_empty() {
                c.error(
                    pos(p),
                    "target.profile",
                    DiagnosticKind::InvalidValue,
                    "is empty",
                    Some("name a profile of your AWS config, or leave `profile` out for the default chain".to_string()),
                );
                return None;
            }
            Some((name, p))
        }
    };
    match (e.admin.as_ref().map(|a| a.value), profile) {
        (Some(AdminDoc::Aws), profile) => Some(AdminCredentials::Aws {
            profile: profile.map(|(name, _)| name),
        }),
        (_, Some((_, p))) => {
            c.error(
                pos(p),
                "target.profile",
                DiagnosticKind::Conflict,
                "names a shared-config profile, which only `admin: aws` reads",
                Some("add `admin: aws` to the target, or remove `profile`".to_string()),
            );
            None
        }
        (Some(AdminDoc::Env), None) => Some(AdminCredentials::Env),
        (Some(AdminDoc::None) | None, None) => Some(AdminCredentials::None),
    }
}
