//! The `serve --config` loader: any text, parsed, and the pools it declares created in a
//! fresh store as `serve` would.
#![no_main]

use cognito_harness::server::{ServerConfig, new_store, parse_config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = parse_config(text, "fuzz.yaml") else {
        return;
    };
    if let Some(seed) = &file.admin_credentials {
        let _ = seed.resolve();
    }
    // Users cost an SRP verifier each: keep the seeded ones few.
    let users: usize = file.pools.iter().map(|p| p.users.len()).sum();
    if users > 4 {
        return;
    }
    let config = ServerConfig {
        pools: file.pools,
        ..Default::default()
    };
    let _ = new_store(&config, "http://127.0.0.1:1/");
});
