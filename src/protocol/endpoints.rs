//! Where a target lives and how the client may talk to it.
//!
//! One [`TargetConfig`] names the JSON 1.1 API endpoint, the region (for SigV4 and the default
//! endpoint), the OAuth domain, the JWKS URL, timeouts, the response-size cap and the signing
//! credentials. The JWKS URL is configured, not derived from a token's `iss`: emulators publish
//! their keys at different places, and trusting `iss` would let a token choose where its own keys
//! are fetched from.
//!
//! Safety first: a harness aimed at the wrong host is a load test against someone else. Every
//! URL must be loopback (127.0.0.0/8, ::1, `localhost`) unless [`TargetConfig::allow_non_loopback`]
//! is set, which the CLI exposes as `--allow-remote`.

use super::redact::{redact_url, redact_url_str};
use std::net::IpAddr;
use std::time::Duration;

use aws_credential_types::Credentials;
use url::{Host, Url};

/// Region used when none is configured or found in the environment.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Default cap on a response body (1 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Default whole-request timeout (connect, send, and read the complete body).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default TCP (and TLS) connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The CLI flag that sets [`TargetConfig::allow_non_loopback`].
pub const ALLOW_REMOTE_FLAG: &str = "--allow-remote";

/// A configuration the client refuses to use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "refusing to send requests to non-loopback host `{host}` ({field}): pass {ALLOW_REMOTE_FLAG} \
         (TargetConfig::allow_non_loopback) to target a remote service deliberately"
    )]
    NonLoopback { field: &'static str, host: String },
    #[error("{field}: `{value}` is not a valid URL: {reason}")]
    InvalidUrl {
        field: &'static str,
        value: String,
        reason: String,
    },
    #[error("{field}: `{url}` must use http or https")]
    UnsupportedScheme { field: &'static str, url: String },
    #[error("{field}: `{url}` has no host")]
    MissingHost { field: &'static str, url: String },
    #[error("region `{0}` is not a valid AWS region name (expected e.g. `us-east-1`)")]
    InvalidRegion(String),
    #[error("no OAuth domain configured: set the target's OAuth base URL to call {0}")]
    NoOAuthDomain(&'static str),
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
}

/// Everything the client needs to know about one target.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// The JSON 1.1 API endpoint; requests are `POST` to it. Default for AWS:
    /// `https://cognito-idp.{region}.amazonaws.com/`.
    pub endpoint: Url,
    /// Signing region and default-endpoint region. Default: `AWS_REGION`, else
    /// `AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: String,
    /// Base URL of the OAuth domain (`https://<prefix>.auth.<region>.amazoncognito.com/`, or an
    /// emulator path such as `http://localhost:9229/<poolId>/`); `oauth2/token` and friends are
    /// appended to it. Default: none (OAuth calls fail with [`ConfigError::NoOAuthDomain`]).
    pub oauth_base: Option<Url>,
    /// Explicit JWKS URL. Default: none, meaning `{endpoint}/{poolId}/.well-known/jwks.json`,
    /// which real Cognito serves at `https://cognito-idp.{region}.amazonaws.com/{poolId}/...`
    /// and most emulators mirror.
    pub jwks_url: Option<Url>,
    /// Whole-request timeout. Default [`DEFAULT_REQUEST_TIMEOUT`] (30 s).
    pub request_timeout: Duration,
    /// Connect timeout. Default [`DEFAULT_CONNECT_TIMEOUT`] (10 s).
    pub connect_timeout: Duration,
    /// Largest response body accepted, in bytes. Default [`DEFAULT_MAX_RESPONSE_BYTES`] (1 MiB).
    pub max_response_bytes: usize,
    /// Allow hosts other than loopback. Default false; the CLI's `--allow-remote`.
    pub allow_non_loopback: bool,
    /// SigV4 credentials for Admin* and pool-management calls. Default: none here; the client
    /// falls back to `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
    pub credentials: Option<Credentials>,
    /// Use the system proxy settings (`HTTPS_PROXY`, ...). Default false: a harness measures the
    /// target, not a proxy, and loopback targets must never be proxied.
    pub use_system_proxy: bool,
    /// `User-Agent` header. Default `cognito-harness/<version>`.
    pub user_agent: String,
}

fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_url(field: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| ConfigError::InvalidUrl {
        field,
        value: redact_url_str(value),
        reason: e.to_string(),
    })?;
    check_url_shape(field, &url)?;
    Ok(url)
}

fn check_url_shape(field: &'static str, url: &Url) -> Result<(), ConfigError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::UnsupportedScheme {
            field,
            url: redact_url(url),
        });
    }
    if url.host().is_none() {
        return Err(ConfigError::MissingHost {
            field,
            url: redact_url(url),
        });
    }
    Ok(())
}

/// Whether `host` is loopback: 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z), or `localhost`.
pub fn is_loopback_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Whether an IP address is loopback (for listeners and resolved peers).
pub fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v| v.is_loopback()),
    }
}

/// Append path segments to a base URL, keeping the base's own path
/// (`http://h/pool/` + `["oauth2","token"]` = `http://h/pool/oauth2/token`). Segments are
/// percent-encoded, so a pool id can never change the URL's structure.
pub fn join_segments(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

impl TargetConfig {
    /// A configuration for the real service in `region`. Non-loopback, so it is only usable
    /// with [`TargetConfig::allow_non_loopback`] set.
    pub fn aws(region: &str) -> Result<Self, ConfigError> {
        if !valid_region(region) {
            return Err(ConfigError::InvalidRegion(region.to_owned()));
        }
        let endpoint = parse_url(
            "endpoint",
            &format!("https://cognito-idp.{region}.amazonaws.com/"),
        )?;
        Ok(Self::with_endpoint(endpoint, region.to_owned()))
    }

    /// A configuration for an emulator or the reference server at `endpoint`
    /// (e.g. `http://127.0.0.1:9229/`). The region comes from the environment, else
    /// `us-east-1`.
    pub fn local(endpoint: &str) -> Result<Self, ConfigError> {
        let endpoint = parse_url("endpoint", endpoint)?;
        let region = super::sigv4::region_from_env().unwrap_or_else(|| DEFAULT_REGION.to_owned());
        if !valid_region(&region) {
            return Err(ConfigError::InvalidRegion(region));
        }
        Ok(Self::with_endpoint(endpoint, region))
    }

    fn with_endpoint(endpoint: Url, region: String) -> Self {
        Self {
            endpoint,
            region,
            oauth_base: None,
            jwks_url: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_non_loopback: false,
            credentials: None,
            use_system_proxy: false,
            user_agent: concat!("cognito-harness/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Set the OAuth domain base URL.
    pub fn oauth_base(mut self, base: &str) -> Result<Self, ConfigError> {
        self.oauth_base = Some(parse_url("oauth_base", base)?);
        Ok(self)
    }

    /// Set an explicit JWKS URL.
    pub fn jwks_url(mut self, url: &str) -> Result<Self, ConfigError> {
        self.jwks_url = Some(parse_url("jwks_url", url)?);
        Ok(self)
    }

    /// The JWKS URL for `pool_id`: the explicit one, else
    /// `{endpoint}/{poolId}/.well-known/jwks.json`.
    pub fn jwks_url_for(&self, pool_id: &str) -> Url {
        match &self.jwks_url {
            Some(u) => u.clone(),
            None => join_segments(&self.endpoint, &[pool_id, ".well-known", "jwks.json"]),
        }
    }

    /// The URL of an OAuth endpoint (`"token"`, `"userInfo"`, `"revoke"` under `oauth2/`).
    pub fn oauth_url(&self, endpoint: &'static str) -> Result<Url, ConfigError> {
        let base = self
            .oauth_base
            .as_ref()
            .ok_or(ConfigError::NoOAuthDomain(endpoint))?;
        Ok(join_segments(base, &["oauth2", endpoint]))
    }

    /// Check schemes, hosts and the loopback rule for every configured URL.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !valid_region(&self.region) {
            return Err(ConfigError::InvalidRegion(self.region.clone()));
        }
        let urls = [
            ("endpoint", Some(&self.endpoint)),
            ("oauth_base", self.oauth_base.as_ref()),
            ("jwks_url", self.jwks_url.as_ref()),
        ];
        for (field, url) in urls {
            let Some(url) = url else { continue };
            check_url_shape(field, url)?;
            if !self.allow_non_loopback
                && let Some(host) = url.host()
                && !is_loopback_host(&host)
            {
                return Err(ConfigError::NonLoopback {
                    field,
                    host: host.to_string(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for ok in [
            "http://127.0.0.1:1/",
            "http://127.1.2.3/",
            "http://[::1]:8080/",
            "http://localhost:9229/",
            "http://LOCALHOST/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            let c = TargetConfig::local(ok).unwrap();
            assert_eq!(c.validate(), Ok(()), "{ok}");
        }
        for bad in [
            "http://10.0.0.1/",
            "http://example.com/",
            "http://localhost.example.com/",
            "http://[::2]/",
            "http://0.0.0.0/",
        ] {
            let c = TargetConfig::local(bad).unwrap();
            assert!(
                matches!(
                    c.validate(),
                    Err(ConfigError::NonLoopback {
                        field: "endpoint",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn aws_needs_opt_in_and_the_message_names_the_flag() {
        let c = TargetConfig::aws("eu-west-1").unwrap();
        assert_eq!(
            c.endpoint.as_str(),
            "https://cognito-idp.eu-west-1.amazonaws.com/"
        );
        let err = c.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "refusing to send requests to non-loopback host `cognito-idp.eu-west-1.amazonaws.com` \
             (endpoint): pass --allow-remote (TargetConfig::allow_non_loopback) to target a remote \
             service deliberately"
        );
        let c = TargetConfig {
            allow_non_loopback: true,
            ..c
        };
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn every_url_is_checked() {
        let c = TargetConfig::local("http://127.0.0.1:1/")
            .unwrap()
            .oauth_base("https://mydomain.auth.us-east-1.amazoncognito.com")
            .unwrap();
        assert!(matches!(
            c.validate(),
            Err(ConfigError::NonLoopback {
                field: "oauth_base",
                ..
            })
        ));
        let c = TargetConfig::local("http://127.0.0.1:1/")
            .unwrap()
            .jwks_url("https://example.com/jwks.json")
            .unwrap();
        assert!(matches!(
            c.validate(),
            Err(ConfigError::NonLoopback {
                field: "jwks_url",
                ..
            })
        ));
    }

    #[test]
    fn bad_urls_and_regions() {
        assert!(matches!(
            TargetConfig::local("ftp://127.0.0.1/"),
            Err(ConfigError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            TargetConfig::local("not a url"),
            Err(ConfigError::InvalidUrl { .. })
        ));
        assert!(matches!(
            TargetConfig::aws("us-east-1.evil.com/x"),
            Err(ConfigError::InvalidRegion(_))
        ));
    }

    #[test]
    fn derived_urls() {
        let c = TargetConfig::local("http://127.0.0.1:9229/")
            .unwrap()
            .oauth_base("http://127.0.0.1:9229/us-east-1_abc/")
            .unwrap();
        assert_eq!(
            c.jwks_url_for("us-east-1_abc").as_str(),
            "http://127.0.0.1:9229/us-east-1_abc/.well-known/jwks.json"
        );
        // A hostile pool id stays one path segment.
        assert_eq!(
            c.jwks_url_for("../x?y").as_str(),
            "http://127.0.0.1:9229/..%2Fx%3Fy/.well-known/jwks.json"
        );
        assert_eq!(
            c.oauth_url("token").unwrap().as_str(),
            "http://127.0.0.1:9229/us-east-1_abc/oauth2/token"
        );
        let c = c.jwks_url("http://localhost:1/keys").unwrap();
        assert_eq!(c.jwks_url_for("p").as_str(), "http://localhost:1/keys");
        let bare = TargetConfig::local("http://127.0.0.1:9229").unwrap();
        assert_eq!(
            bare.oauth_url("token"),
            Err(ConfigError::NoOAuthDomain("token"))
        );
    }
}
