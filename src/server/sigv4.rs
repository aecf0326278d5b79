//! The admin-call credential check. Admin and pool-management operations are SigV4-signed
//! (ground truth §1.3): a request without an `AWS4-HMAC-SHA256` authorization is refused. By
//! default any key is accepted, like moto and ministack; with pinned credentials the access
//! key must match and the signature is recomputed and compared (AWS Signature Version 4:
//! canonical request, string to sign, derived key).

use aws_lc_rs::{digest, hmac};
use http::HeaderMap;

use super::error::ApiError;

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

fn missing_token() -> ApiError {
    ApiError::new(
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
}

fn bad_signature() -> ApiError {
    ApiError::new(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )
}

/// Checks an admin request's `Authorization`; `pinned` is (access key, secret).
pub fn check(
    method: &str,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    pinned: Option<(&str, &str)>,
) -> Result<(), ApiError> {
    let auth = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(missing_token)?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(missing_token)?;
    let Some((key_id, secret)) = pinned else {
        return Ok(());
    };
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(ApiError::new(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
        ));
    };
    let mut scope = credential.splitn(2, '/');
    let access_key = scope.next().unwrap_or("");
    let scope = scope.next().unwrap_or("");
    if access_key != key_id {
        return Err(ApiError::new(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    let parts: Vec<&str> = scope.split('/').collect();
    if parts.len() != 4 || parts[3] != "aws4_request" {
        return Err(bad_signature());
    }
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(bad_signature)?;
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return Err(bad_signature());
        }
        let joined: Vec<String> = values
            .iter()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        canonical_headers.push_str(&format!("{name}:{}\n", joined.join(",")));
    }
    let payload_hash = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| hex_sha256(body));
    let canonical =
        format!("{method}\n{path}\n\n{canonical_headers}\n{signed_headers}\n{payload_hash}");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex_sha256(canonical.as_bytes())
    );
    let mut key = hmac_sha256(format!("AWS4{secret}").as_bytes(), parts[0].as_bytes());
    for p in &parts[1..] {
        key = hmac_sha256(&key, p.as_bytes());
    }
    let expected = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), signature.as_bytes())
        .map_err(|_| bad_signature())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::sigv4::{sign_post, static_credentials};

    #[test]
    fn sdk_signature_verifies_and_tampering_fails() {
        let creds = static_credentials("AKIDEXAMPLE", "secret-example", None);
        let body = br#"{"UserPoolId":"us-east-1_abc"}"#;
        let base = [
            ("content-type", "application/x-amz-json-1.1"),
            (
                "x-amz-target",
                "AWSCognitoIdentityProviderService.DeleteUserPool",
            ),
        ];
        let url = url::Url::parse("http://127.0.0.1:9229/").unwrap();
        let signed = sign_post(
            &url,
            &base,
            body,
            &creds,
            "us-east-1",
            std::time::SystemTime::now(),
        )
        .unwrap();
        let mut all = HeaderMap::new();
        for (k, v) in base {
            all.insert(k, v.parse().unwrap());
        }
        for (k, v) in signed {
            all.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        all.insert("host", "127.0.0.1:9229".parse().unwrap());
        let pinned = Some(("AKIDEXAMPLE", "secret-example"));
        assert_eq!(check("POST", "/", &all, body, pinned), Ok(()));
        assert_eq!(check("POST", "/", &all, body, None), Ok(()));
        let err = check("POST", "/", &all, b"{}", pinned).unwrap_err();
        assert_eq!(err.kind, "InvalidSignatureException");
        let err = check("POST", "/", &all, body, Some(("OTHER", "x"))).unwrap_err();
        assert_eq!(err.kind, "UnrecognizedClientException");
        let err = check("POST", "/", &HeaderMap::new(), body, None).unwrap_err();
        assert_eq!(err.kind, "MissingAuthenticationTokenException");
    }
}
