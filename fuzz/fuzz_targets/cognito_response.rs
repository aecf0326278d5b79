//! The Cognito JSON 1.1 response decoders: any status, error-type header and body, decoded as
//! a success of a few operations or as an error.
#![no_main]

use cognito_harness::protocol::client::decode_response;
use cognito_harness::protocol::error::decode_error_response;
use cognito_harness::protocol::ops::{
    AdminGetUserResponse, GetUserResponse, InitiateAuthResponse, RespondToAuthChallengeResponse,
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
        headers.insert("x-amzn-errortype", value.clone());
        headers.insert("x-amzn-requestid", value);
    }
    let raw = RawResponse {
        status,
        headers: headers.clone(),
        body: body.to_vec(),
        timing: Timing::default(),
    };
    let _ = decode_error_response(status, &headers, body);
    let _ = decode_response::<InitiateAuthResponse>("InitiateAuth", &raw);
    let _ = decode_response::<RespondToAuthChallengeResponse>("RespondToAuthChallenge", &raw);
    let _ = decode_response::<GetUserResponse>("GetUser", &raw);
    let _ = decode_response::<AdminGetUserResponse>("AdminGetUser", &raw);
});
