//! The hot paths the instruction-count gate measures (`scripts/bench-gate.sh`), one per run:
//!
//! - `srp_client_step`: a client sign-in's arithmetic: A = g^a, then the PASSWORD_VERIFIER answer.
//! - `srp_server_step`: the reference server's side: B = kv + g^b, then checking the claim.
//! - `jwt_verify`: one ID token against a cached key set (signature and Cognito claim rules).
//! - `jwt_sign`: one RS256 token with a parsed key (the reference server's per-token cost).
//!
//! `hotpaths OP N` builds the fixture (keys, verifier, challenge), then runs OP N times inside
//! `hot_loop`. The gate runs it under callgrind collecting only inside `hot_loop` and divides by
//! N, so set-up cost (and its variation) is left out. Inputs are fixed (seeded), so the counts
//! repeat from run to run on one machine; RSA signing blinds with fresh randomness, which moves
//! its count by well under 1 %.

use std::hint::black_box;
use std::process::ExitCode;

use chrono::{TimeZone, Utc};
use cognito_harness::jwt::{
    CognitoClaims, KeySet, TokenSigner, TokenUse, VerifyPolicy, jwks_from_signers, verify_token,
};
use cognito_harness::srp::math;
use cognito_harness::srp::{PasswordVerifierChallenge, ServerSession, SrpClient, Verifier};
use num_bigint::BigUint;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

const OPS: [&str; 4] = [
    "srp_client_step",
    "srp_server_step",
    "jwt_verify",
    "jwt_sign",
];

const POOL_ID: &str = "us-east-1_BenchPool";
const USER: &str = "6f1d2c3b-4a59-4e7f-8d6c-5b4a39281706";
const PASSWORD: &str = "Correct-Horse-Battery-9!";
const ID_PEM: &str = include_str!("../tests/data/rsa2048-id.pk8.pem");
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example";
const CLIENT_ID: &str = "57cbishk4j24pabc1234567890";
const NOW: i64 = 1_700_000_000;

fn random_biguint(rng: &mut StdRng, bytes: usize) -> BigUint {
    let mut buf = vec![0u8; bytes];
    rng.fill_bytes(&mut buf);
    buf[0] |= 0x80; // full length
    BigUint::from_bytes_be(&buf)
}

fn srp(n: u64, server: bool) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let verifier = Verifier::new(POOL_ID, USER, PASSWORD, &mut rng).map_err(|e| e.to_string())?;
    let a = random_biguint(&mut rng, 128);
    let client = SrpClient::new(a.clone()).map_err(|e| e.to_string())?;
    let b = random_biguint(&mut rng, 32);
    let session =
        ServerSession::new(&verifier, &client.a_pub_hex(), b.clone()).map_err(|e| e.to_string())?;
    let mut block = vec![0u8; 1024];
    rng.fill_bytes(&mut block);
    let challenge = PasswordVerifierChallenge {
        salt: verifier.salt_hex(),
        srp_b: session.b_pub_hex(),
        secret_block: math::encode_secret_block(&block),
        user_id_for_srp: USER.to_owned(),
        username: USER.to_owned(),
    };
    let now = Utc.with_ymd_and_hms(2025, 9, 5, 9, 5, 9).unwrap();
    let response = client
        .respond(&challenge, POOL_ID, PASSWORD, now)
        .map_err(|e| e.to_string())?;
    let a_hex = client.a_pub_hex();
    if server {
        hot_loop(n, &mut || {
            let s = ServerSession::new(&verifier, black_box(&a_hex), black_box(&b).clone())
                .map_err(|e| e.to_string())?;
            black_box(
                s.verify(POOL_ID, USER, black_box(&response))
                    .map_err(|e| e.to_string())?,
            );
            Ok(())
        })
    } else {
        hot_loop(n, &mut || {
            let c = SrpClient::new(black_box(&a).clone()).map_err(|e| e.to_string())?;
            black_box(
                c.respond(black_box(&challenge), POOL_ID, PASSWORD, now)
                    .map_err(|e| e.to_string())?,
            );
            Ok(())
        })
    }
}

fn claims() -> CognitoClaims {
    CognitoClaims {
        sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".into(),
        iss: ISSUER.into(),
        token_use: TokenUse::Id,
        exp: NOW + 3600,
        iat: NOW - 60,
        auth_time: Some(NOW - 60),
        jti: Some("11111111-1111-4111-8111-111111111111".into()),
        origin_jti: Some("22222222-2222-4222-8222-222222222222".into()),
        aud: Some(CLIENT_ID.into()),
        client_id: None,
        cognito_username: Some("janedoe".into()),
        username: None,
        scope: None,
        cognito_groups: Some(vec!["admin".into()]),
        email: Some("janedoe@example.com".into()),
        email_verified: Some(true),
        event_id: Some("33333333-3333-4333-8333-333333333333".into()),
        device_key: None,
        extra: serde_json::Map::new(),
    }
}

fn jwt(n: u64, sign: bool) -> Result<(), String> {
    let signer = TokenSigner::from_pem("id-kid", ID_PEM).map_err(|e| e.to_string())?;
    let keys = KeySet::from_jwks(&jwks_from_signers([&signer])).map_err(|e| e.to_string())?;
    let policy = VerifyPolicy::new(ISSUER, [CLIENT_ID]);
    let claims = claims();
    let token = signer.sign(&claims).map_err(|e| e.to_string())?;
    verify_token(&token, &keys, &policy, NOW).map_err(|e| e.to_string())?;
    if sign {
        hot_loop(n, &mut || {
            black_box(signer.sign(black_box(&claims)).map_err(|e| e.to_string())?);
            Ok(())
        })
    } else {
        hot_loop(n, &mut || {
            black_box(
                verify_token(black_box(&token), &keys, &policy, NOW).map_err(|e| e.to_string())?,
            );
            Ok(())
        })
    }
}

/// The measured part: callgrind counts only inside this function (`--toggle-collect`), so
/// set-up, start-up and exit are left out whatever they cost.
#[inline(never)]
fn hot_loop(n: u64, step: &mut dyn FnMut() -> Result<(), String>) -> Result<(), String> {
    for _ in 0..n {
        step()?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (op, n) = match args.as_slice() {
        [op, n] if OPS.contains(&op.as_str()) => match n.parse::<u64>() {
            Ok(n) => (op.as_str(), n),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    let result = match op {
        "srp_client_step" => srp(n, false),
        "srp_server_step" => srp(n, true),
        "jwt_verify" => jwt(n, false),
        _ => jwt(n, true),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {op}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: hotpaths OP ITERATIONS   (OP: {})", OPS.join(", "));
    ExitCode::from(2)
}
