//! `admin: aws`: credentials (and, when the scenario names none, the region) from the standard
//! AWS chain, resolved and checked once before any traffic.
//!
//! The resolution is `aws-config`'s, the same code the AWS SDK for Rust runs, so the harness
//! reads what the AWS CLI reads: the environment, the shared config and credentials files
//! (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`) with their profiles (static keys, SSO,
//! `credential_process`, an assumed role with a source profile or a web identity token), web
//! identity token files (EKS service accounts), container credentials (ECS, EKS Pod Identity)
//! and EC2 instance metadata. With a named profile only that profile is read: the default chain
//! would take `AWS_ACCESS_KEY_ID` from the environment first, and sign with keys the scenario did
//! not ask for. Errors name what was tried and never carry a secret.

use std::time::{Duration, SystemTime};

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::default_provider::region::DefaultRegionChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials as _;

/// How long a provider may take (an SSO token exchange, a `credential_process`, instance
/// metadata on a host that has none) before the run gives up on it.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(60);

/// Credentials that expire within this margin are refused: a run would lose them mid-way.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Resolved admin credentials and the chain's region.
#[derive(Debug)]
pub struct ChainIdentity {
    pub credentials: Credentials,
    /// The region the chain names (`AWS_REGION`, the profile's `region`, ...), if it was asked.
    pub region: Option<String>,
}

/// Why the chain gave no usable credentials or region. The message names the sources tried.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChainError(String);

/// Resolves credentials from `profile` (or the default chain without one) and, when
/// `need_region`, the region. Credentials must have a key id and a secret and must not expire
/// within a minute.
pub async fn resolve(
    profile: Option<&str>,
    need_region: bool,
) -> Result<ChainIdentity, ChainError> {
    let tried = tried_sources(profile, |k| std::env::var(k).ok());
    let provided = match profile {
        Some(name) => {
            let provider = ProfileFileCredentialsProvider::builder()
                .profile_name(name)
                .build();
            with_timeout(provider.provide_credentials()).await
        }
        None => {
            let provider = DefaultCredentialsChain::builder().build().await;
            with_timeout(provider.provide_credentials()).await
        }
    };
    let credentials = match provided {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            return Err(ChainError(format!(
                "admin: aws: no credentials ({}); tried {tried}",
                error_chain(&e)
            )));
        }
        Err(()) => {
            return Err(ChainError(format!(
                "admin: aws: no credentials within {}s; tried {tried}",
                RESOLVE_TIMEOUT.as_secs()
            )));
        }
    };
    check_usable(&credentials, SystemTime::now()).map_err(|why| {
        ChainError(format!(
            "admin: aws: unusable credentials from {tried}: {why}"
        ))
    })?;
    let region = if need_region {
        let mut chain = DefaultRegionChain::builder();
        if let Some(name) = profile {
            chain = chain.profile_name(name);
        }
        let found = tokio::time::timeout(RESOLVE_TIMEOUT, chain.build().region())
            .await
            .ok()
            .flatten();
        match found {
            Some(r) => Some(r.to_string()),
            None => {
                return Err(ChainError(format!(
                    "admin: aws: no region: the scenario sets no `target.region`, and neither \
                     AWS_REGION, AWS_DEFAULT_REGION, the `region` of {} nor instance metadata \
                     names one",
                    profile_label(profile, |k| std::env::var(k).ok())
                )));
            }
        }
    } else {
        None
    };
    Ok(ChainIdentity {
        credentials,
        region,
    })
}

async fn with_timeout<F: std::future::IntoFuture>(f: F) -> Result<F::Output, ()> {
    tokio::time::timeout(RESOLVE_TIMEOUT, f.into_future())
        .await
        .map_err(|_| ())
}

/// A key id and a secret, and not about to expire at `now`.
pub fn check_usable(c: &Credentials, now: SystemTime) -> Result<(), String> {
    if c.access_key_id().trim().is_empty() {
        return Err("the access key id is empty".into());
    }
    if c.secret_access_key().is_empty() {
        return Err("the secret access key is empty".into());
    }
    if let Some(expiry) = c.expiry()
        && expiry <= now + EXPIRY_MARGIN
    {
        return Err(match expiry.duration_since(now) {
            Ok(left) => format!("they expire in {}s; refresh them first", left.as_secs()),
            Err(_) => "they have expired; refresh them first (e.g. `aws sso login`)".into(),
        });
    }
    Ok(())
}

/// The profile as the chain reads it: the named one, else `AWS_PROFILE`, else `default`.
fn profile_label(profile: Option<&str>, get: impl Fn(&str) -> Option<String>) -> String {
    let name = profile
        .map(str::to_owned)
        .or_else(|| get("AWS_PROFILE").filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "default".into());
    let config = get("AWS_CONFIG_FILE").unwrap_or_else(|| "~/.aws/config".into());
    let credentials =
        get("AWS_SHARED_CREDENTIALS_FILE").unwrap_or_else(|| "~/.aws/credentials".into());
    format!("profile `{name}` ({config}, {credentials})")
}

/// The sources the resolution reads, in order, for error messages (paths and variable names,
/// never values of secret variables).
pub fn tried_sources(profile: Option<&str>, get: impl Fn(&str) -> Option<String>) -> String {
    let label = profile_label(profile, &get);
    if profile.is_some() {
        return label;
    }
    let imds = if get("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)"
    } else {
        "EC2 instance metadata"
    };
    format!(
        "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), {label}, a web identity token \
         (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), container credentials \
         (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI), {imds}"
    )
}

/// An error and its sources on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn tried_sources_name_the_profile_and_its_files() {
        let vars = [
            ("AWS_CONFIG_FILE", "/tmp/c"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/tmp/k"),
        ];
        assert_eq!(
            tried_sources(Some("load"), lookup(&vars)),
            "profile `load` (/tmp/c, /tmp/k)"
        );
    }

    #[test]
    fn tried_sources_of_the_default_chain_list_every_provider() {
        let vars = [("AWS_PROFILE", "ci"), ("AWS_EC2_METADATA_DISABLED", "true")];
        let text = tried_sources(None, lookup(&vars));
        for part in [
            "the environment (AWS_ACCESS_KEY_ID",
            "profile `ci` (~/.aws/config, ~/.aws/credentials)",
            "web identity token",
            "container credentials",
            "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn expired_or_empty_credentials_are_unusable() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let fresh = Credentials::new(
            "AKID",
            "s",
            None,
            Some(now + Duration::from_secs(3600)),
            "t",
        );
        assert_eq!(check_usable(&fresh, now), Ok(()));
        let expired = Credentials::new("AKID", "s", None, Some(now - Duration::from_secs(1)), "t");
        assert!(check_usable(&expired, now).unwrap_err().contains("expired"));
        let soon = Credentials::new("AKID", "s", None, Some(now + Duration::from_secs(30)), "t");
        assert!(
            check_usable(&soon, now)
                .unwrap_err()
                .contains("expire in 30s")
        );
        let no_key = Credentials::new(" ", "s", None, None, "t");
        assert!(
            check_usable(&no_key, now)
                .unwrap_err()
                .contains("access key id")
        );
        let no_secret = Credentials::new("AKID", "", None, None, "t");
        assert!(
            check_usable(&no_secret, now)
                .unwrap_err()
                .contains("secret")
        );
    }
}
