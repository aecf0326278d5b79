//! Each refusal of the admin-call check, and signatures of the crate's own signer (the
//! `aws-sigv4` crate) verifying.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;
use crate::protocol::sigv4::{sign_post, static_credentials};

const BODY: &[u8] = br#"{"UserPoolId":"us-east-1_abc"}"#;
/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// A request signed by the crate's client signer with `key:secret` for `region` at `time`.
fn signed(key: &str, secret: &str, region: &str, time: SystemTime) -> HeaderMap {
    let base = [
        ("content-type", "application/x-amz-json-1.1"),
        (
            "x-amz-target",
            "AWSCognitoIdentityProviderService.DeleteUserPool",
        ),
    ];
    let url = url::Url::parse("http://127.0.0.1:9229/").unwrap();
    let creds = static_credentials(key, secret, None);
    let added = sign_post(&url, &base, BODY, &creds, region, time).unwrap();
    let mut all = HeaderMap::new();
    for (k, v) in base {
        all.insert(k, v.parse().unwrap());
    }
    for (k, v) in added {
        all.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    all.insert("host", "127.0.0.1:9229".parse().unwrap());
    all
}

fn pinned(now: u64) -> Pinned<'static> {
    Pinned {
        access_key_id: "AKIDEXAMPLE",
        secret: "secret-example",
        region: "us-east-1",
        now: DateTime::<Utc>::from(at(now)),
    }
}

fn good() -> HeaderMap {
    signed("AKIDEXAMPLE", "secret-example", "us-east-1", at(T0))
}

fn with_authorization(value: &str) -> HeaderMap {
    let mut h = good();
    h.insert("authorization", value.parse().unwrap());
    h
}

fn refusal(headers: &HeaderMap, pinned: Option<Pinned<'_>>) -> (&'static str, String) {
    let e = check("POST", "/", headers, BODY, pinned).unwrap_err();
    (e.kind, e.message)
}

#[test]
fn a_signature_of_the_pinned_key_verifies_and_any_well_formed_one_passes_by_default() {
    assert_eq!(check("POST", "/", &good(), BODY, Some(pinned(T0))), Ok(()));
    assert_eq!(
        check("POST", "/", &good(), BODY, Some(pinned(T0 + 600))),
        Ok(())
    );
    let other = signed("ANYKEY", "any-secret", "eu-west-1", at(T0 - 86_400));
    assert_eq!(check("POST", "/", &other, BODY, None), Ok(()));
}

#[test]
fn a_missing_or_non_aws4_authorization_is_a_missing_token() {
    let mut none = good();
    none.remove("authorization");
    for headers in [none, with_authorization("Bearer abc")] {
        for pin in [None, Some(pinned(T0))] {
            assert_eq!(
                refusal(&headers, pin),
                (
                    "MissingAuthenticationTokenException",
                    "Missing Authentication Token".to_owned()
                )
            );
        }
    }
}

#[test]
fn missing_parameters_and_date_are_named_together_with_the_header() {
    let auth =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request";
    let mut headers = with_authorization(auth);
    headers.remove("x-amz-date");
    let (kind, message) = refusal(&headers, None);
    assert_eq!(kind, "IncompleteSignatureException");
    assert_eq!(
        message,
        format!(
            "Authorization header requires 'Signature' parameter. Authorization header requires \
             'SignedHeaders' parameter. Authorization header requires existence of either a \
             'X-Amz-Date' or a 'Date' header. Authorization={auth}"
        )
    );
}

#[test]
fn a_date_not_in_basic_format_an_unknown_algorithm_and_a_short_credential_are_incomplete() {
    let mut headers = good();
    headers.insert("x-amz-date", "2026-01-01".parse().unwrap());
    assert_eq!(
        refusal(&headers, None),
        (
            "IncompleteSignatureException",
            "Date must be in ISO-8601 'basic format'. Got '2026-01-01'. See http://en.wikipedia.org/wiki/ISO_8601".to_owned()
        )
    );
    let auth = good()["authorization"].to_str().unwrap().to_owned();
    let headers = with_authorization(&auth.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"));
    assert_eq!(
        refusal(&headers, None),
        (
            "IncompleteSignatureException",
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "
                .to_owned()
        )
    );
    let headers = with_authorization(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1, SignedHeaders=host, Signature=ab",
    );
    assert_eq!(
        refusal(&headers, None),
        (
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20260101/us-east-1'".to_owned()
        )
    );
}

#[test]
fn a_request_too_far_from_the_clock_has_expired_or_is_not_yet_current() {
    let (kind, message) = refusal(&good(), Some(pinned(T0 + 16 * 60)));
    assert_eq!(kind, "InvalidSignatureException");
    assert_eq!(
        message,
        "Signature expired: 20260101T000000Z is now earlier than 20260101T000100Z (20260101T001600Z - 15 min.)"
    );
    let (kind, message) = refusal(&good(), Some(pinned(T0 - 16 * 60)));
    assert_eq!(kind, "InvalidSignatureException");
    assert_eq!(
        message,
        "Signature not yet current: 20260101T000000Z is still later than 20251231T235900Z (20251231T234400Z + 15 min.)"
    );
}

#[test]
fn a_wrong_scope_names_each_wrong_piece() {
    let headers = signed("AKIDEXAMPLE", "secret-example", "eu-west-1", at(T0));
    assert_eq!(
        refusal(&headers, Some(pinned(T0))),
        (
            "InvalidSignatureException",
            "Credential should be scoped to a valid region, not 'eu-west-1'.".to_owned()
        )
    );
    let auth = good()["authorization"].to_str().unwrap().to_owned();
    let headers = with_authorization(
        &auth
            .replace("/20260101/", "/20251231/")
            .replace("/cognito-idp/", "/dynamodb/")
            .replace("/aws4_request", "/aws5_request"),
    );
    assert_eq!(
        refusal(&headers, Some(pinned(T0))).1,
        "Credential should be scoped to correct service: 'cognito-idp'. Credential should be \
         scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential \
         scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != \
         '20260101', from '20260101T000000Z'."
    );
}

#[test]
fn an_unsigned_host_is_refused() {
    let auth = good()["authorization"].to_str().unwrap().to_owned();
    assert!(auth.contains(";host;"), "{auth}");
    let headers = with_authorization(&auth.replace(";host;", ";"));
    assert_eq!(
        refusal(&headers, Some(pinned(T0))),
        (
            "InvalidSignatureException",
            "'Host' must be a 'SignedHeader' in the AWS Authorization.".to_owned()
        )
    );
}

#[test]
fn an_unknown_key_is_unrecognized_and_a_wrong_secret_or_body_does_not_match() {
    let other = signed("AKIDOTHER", "secret-example", "us-east-1", at(T0));
    assert_eq!(
        refusal(&other, Some(pinned(T0))),
        (
            "UnrecognizedClientException",
            "The security token included in the request is invalid.".to_owned()
        )
    );
    let wrong = signed("AKIDEXAMPLE", "not-the-secret", "us-east-1", at(T0));
    let (kind, message) = refusal(&wrong, Some(pinned(T0)));
    assert_eq!(kind, "InvalidSignatureException");
    assert!(message.starts_with("The request signature we calculated does not match"));
    let e = check("POST", "/", &good(), b"{}", Some(pinned(T0))).unwrap_err();
    assert_eq!(e.kind, "InvalidSignatureException");
}

#[test]
fn no_refusal_shows_the_secret() {
    let cases = [
        signed("AKIDOTHER", "secret-example", "us-east-1", at(T0)),
        signed("AKIDEXAMPLE", "not-the-secret", "us-east-1", at(T0)),
        signed("AKIDEXAMPLE", "secret-example", "eu-west-1", at(T0)),
        with_authorization("AWS4-HMAC-SHA256 Credential=x"),
    ];
    for headers in cases {
        let e = check("POST", "/", &headers, BODY, Some(pinned(T0))).unwrap_err();
        assert!(!e.to_string().contains("secret-example"), "{e}");
    }
}
