//! AWS Signature Version 4 for the Admin* and pool-management operations.
//!
//! The public user operations are `authtype: none`; everything else is signed with SigV4 under
//! the signing name `cognito-idp` and the target's region (ground truth §1.1, §1.3). The signing
//! itself is the `aws-sigv4` crate; this module resolves credentials (explicit, or the standard
//! `AWS_*` environment variables), fixes the headers that are signed, and takes the signing time
//! as a parameter so signatures are reproducible in tests.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use super::ops::SIGNING_NAME;

/// Provider name recorded in credentials built by this module.
const PROVIDER: &str = "cognito-harness";

/// Credentials from the standard variables, read through `get` (so tests need not touch the
/// process environment): `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional
/// `AWS_SESSION_TOKEN`. `None` unless both keys are present and non-empty.
pub fn credentials_from_lookup(get: impl Fn(&str) -> Option<String>) -> Option<Credentials> {
    let non_empty = |k: &str| get(k).filter(|v| !v.is_empty());
    let akid = non_empty("AWS_ACCESS_KEY_ID")?;
    let secret = non_empty("AWS_SECRET_ACCESS_KEY")?;
    let token = non_empty("AWS_SESSION_TOKEN");
    Some(Credentials::new(akid, secret, token, None, PROVIDER))
}

/// [`credentials_from_lookup`] over the process environment.
pub fn credentials_from_env() -> Option<Credentials> {
    credentials_from_lookup(|k| std::env::var(k).ok())
}

/// The region from `AWS_REGION`, else `AWS_DEFAULT_REGION`, read through `get`.
pub fn region_from_lookup(get: impl Fn(&str) -> Option<String>) -> Option<String> {
    get("AWS_REGION")
        .filter(|v| !v.is_empty())
        .or_else(|| get("AWS_DEFAULT_REGION").filter(|v| !v.is_empty()))
}

/// [`region_from_lookup`] over the process environment.
pub fn region_from_env() -> Option<String> {
    region_from_lookup(|k| std::env::var(k).ok())
}

/// Explicit static credentials (access key id, secret, optional session token).
pub fn static_credentials(
    access_key_id: impl Into<String>,
    secret_access_key: impl Into<String>,
    session_token: Option<String>,
) -> Credentials {
    Credentials::new(
        access_key_id,
        secret_access_key,
        session_token,
        None,
        PROVIDER,
    )
}

/// Sign a `POST` of `body` to `url` carrying `headers` (which must include every header that
/// will be sent and should be signed: `content-type` and `x-amz-target`; `host` is derived
/// from the URL). Returns the headers to add: `authorization`, `x-amz-date` and, with a
/// session token, `x-amz-security-token`.
pub fn sign_post(
    url: &url::Url,
    headers: &[(&str, &str)],
    body: &[u8],
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(String, String)>, String> {
    if url.host_str().is_none() {
        // aws-sigv4 requires a host to build the canonical request.
        return Err(format!("URL `{url}` has no host"));
    }
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SIGNING_NAME)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (added, _params) = instructions.into_parts();
    Ok(added
        .into_iter()
        .map(|h| (h.name().to_owned(), h.value().to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::{Duration, UNIX_EPOCH};

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn credentials_need_both_keys() {
        assert!(credentials_from_lookup(lookup(&[("AWS_ACCESS_KEY_ID", "AKID")])).is_none());
        assert!(
            credentials_from_lookup(lookup(&[
                ("AWS_ACCESS_KEY_ID", "AKID"),
                ("AWS_SECRET_ACCESS_KEY", "")
            ]))
            .is_none()
        );
        let c = credentials_from_lookup(lookup(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_SESSION_TOKEN", "TOKEN"),
        ]))
        .unwrap();
        assert_eq!(c.access_key_id(), "AKID");
        assert_eq!(c.session_token(), Some("TOKEN"));
        assert!(!format!("{c:?}").contains("SECRET"));
    }

    #[test]
    fn region_prefers_aws_region() {
        assert_eq!(
            region_from_lookup(lookup(&[
                ("AWS_REGION", "eu-west-1"),
                ("AWS_DEFAULT_REGION", "us-east-2")
            ]))
            .as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            region_from_lookup(lookup(&[("AWS_DEFAULT_REGION", "us-east-2")])).as_deref(),
            Some("us-east-2")
        );
        assert_eq!(region_from_lookup(lookup(&[])), None);
    }

    /// Known answer: the expected signature was computed independently (Python `hmac`/`hashlib`,
    /// following the SigV4 specification step by step) for the same request and time.
    #[test]
    fn signature_known_answer() {
        let url = url::Url::parse("http://127.0.0.1:9229/").unwrap();
        let body = br#"{"UserPoolId":"us-east-1_abc123","Username":"alice"}"#;
        let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000); // 2023-11-14T22:13:20Z
        let creds = static_credentials(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        );
        let headers = sign_post(
            &url,
            &[
                ("content-type", "application/x-amz-json-1.1"),
                (
                    "x-amz-target",
                    "AWSCognitoIdentityProviderService.AdminGetUser",
                ),
            ],
            body,
            &creds,
            "us-east-1",
            time,
        )
        .unwrap();
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("x-amz-date"), Some("20231114T221320Z"), "x-amz-date");
        assert_eq!(
            get("authorization"),
            Some(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/cognito-idp/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
                 Signature=e239ff3dbb5669abc8f6e9a01a89b2c386c9249811328d51363b581020326588"
            ),
            "authorization"
        );
        assert_eq!(get("x-amz-security-token"), None);
    }

    #[test]
    fn session_token_is_sent() {
        let url = url::Url::parse("http://localhost:4566/").unwrap();
        let creds = static_credentials("AKID", "SECRET", Some("SESSION".into()));
        let headers = sign_post(&url, &[], b"{}", &creds, "eu-west-1", SystemTime::now()).unwrap();
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "x-amz-security-token" && v == "SESSION")
        );
    }
}
