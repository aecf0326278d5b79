//! The admin-call credential check. Admin and pool-management operations are SigV4-signed
//! (ground truth §1.3). Every such request must carry a well-formed `AWS4-HMAC-SHA256`
//! authorization; by default that is all (any key and signature are accepted, as moto and
//! ministack do). With pinned credentials (`serve --admin-credentials`) the request is checked
//! as AWS checks it: the clock, the signed `Host`, the credential scope, the access key, and the
//! signature recomputed (canonical request, string to sign, derived key).
//!
//! The refusals, their order, `__type`s and messages are those of AWS's JSON-protocol
//! front end, which Cognito shares (each is cited where it is built). All are HTTP 400, like
//! every Cognito client error (ground truth §1.7; for these kinds, the 400s quoted below).

use aws_lc_rs::{digest, hmac};
use chrono::{DateTime, NaiveDateTime, Utc};
use http::HeaderMap;

use super::error::ApiError;

/// The only signing algorithm AWS accepts in an `Authorization` header.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The signing name of the service, `cognito-idp` (ground truth §1.1).
const SERVICE: &str = crate::protocol::ops::SIGNING_NAME;
/// How far a request's date may be from the server's clock. 15 minutes: Cognito's own answer
/// reads "(… - 15 min.)" (aws-amplify/amplify-js#3719, 400); some other services say 5.
const SKEW_MINUTES: i64 = 15;

/// The credentials a server pins, and what a signature is checked against.
#[derive(Clone, Copy)]
pub struct Pinned<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a str,
    /// The server's region: the only region a credential scope may name.
    pub region: &'a str,
    pub now: DateTime<Utc>,
}

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// No `Authorization`, or one that is not an AWS4 signature. "Missing Authentication Token"
/// is Cognito's text (aws/aws-aspnet-cognito-identity-provider#66 and #155, an unsigned
/// AdminCreateUser); ⚠ DynamoDB, on the same front end, says "Request is missing
/// Authentication Token" (mhart/dynalite index.js records its answers, 400), and the general
/// "Common Errors" page lists the query-protocol `MissingAuthenticationToken` with 403.
fn missing_token() -> ApiError {
    ApiError::new(
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
}

/// A structurally incomplete signature: "Authorization header requires 'Credential'
/// parameter. … Authorization=<header>" (aws/aws-sdk-js#4285, SSM over JSON 1.1; aws/chalice#828;
/// mhart/dynalite index.js, 400).
fn incomplete(message: impl Into<String>) -> ApiError {
    ApiError::new("IncompleteSignatureException", message)
}

/// A signature that does not match: the exact message Cognito answers to AdminInitiateAuth and
/// AdminCreateUser with a wrong secret (ArranJacques/laravel-aws-cognito-auth#18,
/// ellaisys/aws-cognito#24: `400 Bad Request`).
fn bad_signature() -> ApiError {
    ApiError::new(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )
}

/// An access key the server does not know: Cognito's answer to AdminInitiateAuth and ListUsers
/// with an unknown key (ArranJacques/laravel-aws-cognito-auth#25, aws/aws-sdk-php#2444:
/// `400 Bad Request`).
fn unknown_key() -> ApiError {
    ApiError::new(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
}

/// The parts of a well-formed `Authorization` header.
struct Authorization<'a> {
    algorithm: &'a str,
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
    /// The request date as sent (`X-Amz-Date`, else `Date`) and as parsed.
    date_text: &'a str,
    date: DateTime<Utc>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// `X-Amz-Date` is ISO-8601 basic format (`20260101T000000Z`); `Date` is an HTTP date.
fn parse_date(text: &str, from_amz_header: bool) -> Option<DateTime<Utc>> {
    if from_amz_header {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
            .ok()
            .map(|d| d.and_utc())
    } else {
        DateTime::parse_from_rfc2822(text)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }
}

/// Parses the header as AWS does, in AWS's order (mhart/dynalite index.js records the order
/// and each answer): a missing or non-AWS4 header, then the missing parameters and date
/// together, then the date's format, then the algorithm.
fn parse(headers: &HeaderMap) -> Result<Authorization<'_>, ApiError> {
    let auth = header(headers, "authorization")
        .filter(|a| a.starts_with("AWS4-"))
        .ok_or_else(missing_token)?;
    let (algorithm, rest) = auth.split_once(' ').unwrap_or((auth, ""));
    let (mut credential, mut signed_headers, mut signature) = ("", "", "");
    for part in rest.split([',', ' ']).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = v,
            Some(("SignedHeaders", v)) => signed_headers = v,
            Some(("Signature", v)) => signature = v,
            _ => {}
        }
    }
    let amz_date = header(headers, "x-amz-date");
    let date_text = amz_date.or_else(|| header(headers, "date"));
    let mut missing = String::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_empty() {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if date_text.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let Some(date_text) = date_text.filter(|_| missing.is_empty()) else {
        return Err(incomplete(format!("{missing}Authorization={auth}")));
    };
    let date = parse_date(date_text, amz_date.is_some()).ok_or_else(|| {
        incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{date_text}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))
    })?;
    if algorithm != ALGORITHM {
        return Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "
        )));
    }
    Ok(Authorization {
        algorithm,
        credential,
        signed_headers,
        signature,
        date_text,
        date,
    })
}

/// The credential's five elements (`keyid/date/region/service/aws4_request`; trailing slashes
/// are ignored), or AWS's IncompleteSignatureException (mhart/dynalite index.js).
fn credential_parts(credential: &str) -> Result<[&str; 5], ApiError> {
    let parts: Vec<&str> = credential.trim_end_matches('/').split('/').collect();
    <[&str; 5]>::try_from(parts).map_err(|_| {
        incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        ))
    })
}

/// Checks an admin request's `Authorization`. Without `pinned`, any well-formed AWS4
/// signature passes; with it, the request must be signed by the pinned key for this server.
pub fn check(
    method: &str,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    pinned: Option<Pinned<'_>>,
) -> Result<(), ApiError> {
    let auth = parse(headers)?;
    let [key_id, scope_date, region, service, terminator] = credential_parts(auth.credential)?;
    let Some(pinned) = pinned else {
        return Ok(());
    };
    check_clock(&auth, pinned.now)?;
    // "'Host' must be a 'SignedHeader' in the AWS Authorization." (mhart/dynalite index.js).
    if !auth
        .signed_headers
        .split(';')
        .any(|h| h.eq_ignore_ascii_case("host"))
    {
        return Err(ApiError::new(
            "InvalidSignatureException",
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    check_scope(
        &auth,
        [scope_date, region, service, terminator],
        pinned.region,
    )?;
    aws_lc_rs::constant_time::verify_slices_are_equal(
        key_id.as_bytes(),
        pinned.access_key_id.as_bytes(),
    )
    .map_err(|_| unknown_key())?;
    let expected = signature(method, path, headers, body, &auth, pinned.secret)?;
    aws_lc_rs::constant_time::verify_slices_are_equal(
        expected.as_bytes(),
        auth.signature.as_bytes(),
    )
    .map_err(|_| bad_signature())
}

/// A request dated more than [`SKEW_MINUTES`] from the server's clock: "Signature expired: D is
/// now earlier than E (N - 15 min.)" (aws-amplify/amplify-js#3719, Cognito, 400;
/// aws/aws-sdk-js#254) or "Signature not yet current: D is still later than E (N + 15 min.)"
/// (devopsaitoolkit.com, "Signature expired / InvalidSignatureException").
fn check_clock(auth: &Authorization<'_>, now: DateTime<Utc>) -> Result<(), ApiError> {
    let basic = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let window = chrono::Duration::minutes(SKEW_MINUTES);
    let sent = basic(auth.date);
    if auth.date < now - window {
        return Err(ApiError::new(
            "InvalidSignatureException",
            format!(
                "Signature expired: {sent} is now earlier than {} ({} - {SKEW_MINUTES} min.)",
                basic(now - window),
                basic(now)
            ),
        ));
    }
    if auth.date > now + window {
        return Err(ApiError::new(
            "InvalidSignatureException",
            format!(
                "Signature not yet current: {sent} is still later than {} ({} + {SKEW_MINUTES} min.)",
                basic(now + window),
                basic(now)
            ),
        ));
    }
    Ok(())
}

/// The credential scope names this server's region, the service, the terminator and the
/// request's date; every wrong piece is named in one InvalidSignatureException, in AWS's
/// words (mhart/dynalite index.js; aws/aws-sdk-ruby#508 for the region sentence).
fn check_scope(
    auth: &Authorization<'_>,
    [scope_date, region, service, terminator]: [&str; 4],
    server_region: &str,
) -> Result<(), ApiError> {
    let mut wrong = Vec::new();
    if region != server_region {
        wrong.push(format!(
            "Credential should be scoped to a valid region, not '{region}'."
        ));
    }
    if service != SERVICE {
        wrong.push(format!(
            "Credential should be scoped to correct service: '{SERVICE}'."
        ));
    }
    if terminator != "aws4_request" {
        wrong.push(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        ));
    }
    let day = auth.date.format("%Y%m%d").to_string();
    if scope_date != day {
        wrong.push(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{day}', from '{}'.",
            auth.date_text
        ));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(ApiError::new("InvalidSignatureException", wrong.join(" ")))
    }
}

/// The signature the pinned secret gives this request (AWS Signature Version 4).
fn signature(
    method: &str,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    auth: &Authorization<'_>,
    secret: &str,
) -> Result<String, ApiError> {
    let mut canonical_headers = String::new();
    for name in auth.signed_headers.split(';') {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        if values.is_empty() {
            return Err(bad_signature());
        }
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload_hash = header(headers, "x-amz-content-sha256")
        .map(str::to_owned)
        .unwrap_or_else(|| hex_sha256(body));
    let canonical = format!(
        "{method}\n{path}\n\n{canonical_headers}\n{}\n{payload_hash}",
        auth.signed_headers
    );
    let scope = auth
        .credential
        .trim_end_matches('/')
        .split_once('/')
        .map_or("", |(_, scope)| scope);
    let string_to_sign = format!(
        "{}\n{}\n{scope}\n{}",
        auth.algorithm,
        auth.date.format("%Y%m%dT%H%M%SZ"),
        hex_sha256(canonical.as_bytes())
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in scope.split('/') {
        key = hmac_sha256(&key, part.as_bytes());
    }
    Ok(hex::encode(hmac_sha256(&key, string_to_sign.as_bytes())))
}

#[cfg(test)]
mod tests;
