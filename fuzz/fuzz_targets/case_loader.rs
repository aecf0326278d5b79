//! The conformance case loader: any text, through parsing and validation.
#![no_main]

use cognito_harness::conformance::load_case_str;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = load_case_str(text, "fuzz.yaml", "auth");
    }
});
