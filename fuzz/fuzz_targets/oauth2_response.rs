//! The OAuth 2.0 response decoders: token, userInfo and revoke answers, their errors and the
//! `WWW-Authenticate` header.
#![no_main]

use cognito_harness::protocol::oauth2::{
    decode_oauth_error, decode_revoke_response, decode_token_response, decode_user_info_response,
    parse_www_authenticate,
};
use cognito_harness::protocol::response::{RawResponse, Timing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let split = usize::from(data[2]).min(data.len() - 3);
    let (header, body) = data[3..].split_at(split);
    let mut headers = http::HeaderMap::new();
    if let Ok(value) = http::HeaderValue::from_bytes(header) {
        headers.insert(http::header::WWW_AUTHENTICATE, value);
    }
    if let Ok(text) = std::str::from_utf8(header) {
        let _ = parse_www_authenticate(text);
    }
    let raw = RawResponse {
        status,
        headers: headers.clone(),
        body: body.to_vec(),
        timing: Timing::default(),
    };
    let _ = decode_oauth_error(status, &headers, body);
    let _ = decode_token_response(&raw);
    let _ = decode_user_info_response(&raw);
    let _ = decode_revoke_response(&raw);
});
