//! The scenario loader: any text, through parsing and validation.
#![no_main]

use cognito_harness::scenario::load::parse_scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_scenario(
            text,
            std::path::Path::new("/nonexistent/fuzz.yaml"),
            &|_| None,
        );
    }
});
