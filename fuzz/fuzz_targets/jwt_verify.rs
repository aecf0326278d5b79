//! The JWT decode/verify path: any text as a token, and any JSON as the claims of a token
//! signed with the pool's key (so the claim checks run, not only the signature check).
#![no_main]

use std::sync::OnceLock;

use cognito_harness::jwt::{KeySet, TokenSigner, VerifyPolicy, jwks_from_signers, verify_token};
use libfuzzer_sys::fuzz_target;

struct Pool {
    signer: TokenSigner,
    keys: KeySet,
    policy: VerifyPolicy,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let signer = TokenSigner::generate("fuzz-kid").expect("a key");
        let jwks = serde_json::to_vec(&jwks_from_signers([&signer])).expect("JWKS");
        let keys = KeySet::from_jwks_json(&jwks).expect("key set");
        let policy = VerifyPolicy::new(
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fuzz",
            ["fuzzclient"],
        );
        Pool {
            signer,
            keys,
            policy,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let pool = pool();
    let now = 1_700_000_000;
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = verify_token(token, &pool.keys, &pool.policy, now);
    }
    let _ = KeySet::from_jwks_json(data);
    if let Ok(claims) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(token) = pool.signer.sign(&claims) {
            let _ = verify_token(&token, &pool.keys, &pool.policy, now);
        }
    }
});
