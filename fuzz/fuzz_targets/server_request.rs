//! The reference server's request path (decode, validate, operation) over a seeded store. An
//! input that starts with an operation's name and a newline (`InitiateAuth\n{...}`, the form
//! scripts/fuzz.sh seeds the corpus with) calls that operation with the rest as the JSON body;
//! any other input's first byte picks the operation and the rest is the body.
#![no_main]

use std::sync::OnceLock;

use cognito_harness::protocol::ops::OperationKind;
use cognito_harness::server::{ServerConfig, Store, call, new_store, parse_config};
use libfuzzer_sys::fuzz_target;

const SEED: &str = r#"
pools:
  - name: fuzz
    id: us-east-1_Fuzz00001
    clients:
      - name: app
        id: 1fuzz23456789abcdefghijkl
        explicit_auth_flows: [ALLOW_USER_SRP_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
      - name: secret
        id: 2fuzz23456789abcdefghijkl
        secret: s3cr3t-fuzz
        explicit_auth_flows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    users:
      - username: alice
        password: Passw0rd!
        attributes: { email: alice@example.com, email_verified: "true" }
"#;

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let file = parse_config(SEED, "seed.yaml").expect("the seed parses");
        let config = ServerConfig {
            pools: file.pools,
            ..Default::default()
        };
        new_store(&config, "http://127.0.0.1:1/").expect("the seed is accepted")
    })
}

/// The operation named on the input's first line, and the body after it.
fn named(data: &[u8]) -> Option<(OperationKind, &[u8])> {
    let newline = data.iter().position(|&b| b == b'\n')?;
    let name = std::str::from_utf8(&data[..newline]).ok()?;
    Some((OperationKind::from_name(name)?, &data[newline + 1..]))
}

fuzz_target!(|data: &[u8]| {
    let (operation, body) = match named(data) {
        Some(named) => named,
        None => {
            let Some((&pick, body)) = data.split_first() else {
                return;
            };
            let operations = OperationKind::ALL;
            (operations[usize::from(pick) % operations.len()], body)
        }
    };
    let _ = call(store(), operation.name(), body);
});
