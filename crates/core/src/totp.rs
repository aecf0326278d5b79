//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as Cognito's software-token
//! MFA uses them: HMAC-SHA1, a 30-second step from the Unix epoch, 6 digits, and a secret
//! handed out as RFC 4648 base32 (`AssociateSoftwareToken`'s `SecretCode`, `[A-Za-z0-9]+`, at
//! least 16 characters in the service model).
//!
//! Pure: the time is a parameter, so the client (the load engine and the conformance runner
//! answer `SOFTWARE_TOKEN_MFA` challenges with it) and the reference server (which checks the
//! codes) share one tested implementation. A small module rather than the `totp-rs` crate: the
//! HMAC comes from `aws-lc-rs`, already in the build, and the rest is a dozen lines; RFC 6238
//! appendix B's vectors pin it (the tests below).

use aws_lc_rs::hmac;

/// The time step, seconds (RFC 6238 §4.1 default; Cognito's authenticator-app codes).
pub const STEP_SECS: i64 = 30;

/// Digits of a code (`SoftwareTokenMFAUserCodeType`: exactly 6, `[0-9]+`, service model).
pub const DIGITS: u32 = 6;

/// The RFC 4648 base32 alphabet.
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encodes `bytes` as unpadded base32 (RFC 4648 §6).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 (case-insensitive, `=` padding and spaces ignored, as authenticator apps
/// accept it); `None` on any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let value = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The time step `unix_secs` falls in: `floor(T / 30)` (RFC 6238 §4.2, T0 = 0).
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// HOTP (RFC 4226 §5.3) of `counter` with `digits` digits, over the HMAC `algorithm`.
pub fn hotp_with(algorithm: hmac::Algorithm, key: &[u8], counter: u64, digits: u32) -> String {
    let tag = hmac::sign(&hmac::Key::new(algorithm, key), &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    let code = u64::from(binary) % 10u64.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The 6-digit HMAC-SHA1 code of time step `step`.
pub fn code_at_step(key: &[u8], step: i64) -> String {
    // A step before 1970 has no code; the counter is unsigned in RFC 4226.
    let counter = u64::try_from(step).unwrap_or(0);
    hotp_with(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key, counter, DIGITS)
}

/// The code an authenticator app shows at `unix_secs`.
pub fn code_at(key: &[u8], unix_secs: i64) -> String {
    code_at_step(key, step_of(unix_secs))
}

/// The step within `window` steps of `unix_secs` whose code is `code`, if any, nearest first
/// (RFC 6238 §5.2: the verifier may accept codes of neighbouring steps for clock drift).
/// Compared in constant time.
pub fn matching_step(key: &[u8], code: &str, unix_secs: i64, window: i64) -> Option<i64> {
    let now = step_of(unix_secs);
    let mut steps = vec![now];
    for d in 1..=window.max(0) {
        steps.push(now - d);
        steps.push(now + d);
    }
    steps.into_iter().find(|&s| {
        aws_lc_rs::constant_time::verify_slices_are_equal(
            code_at_step(key, s).as_bytes(),
            code.as_bytes(),
        )
        .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 seed is the ASCII of "12345678901234567890", and the
    /// table lists 8-digit codes; the 6-digit code is the same number modulo 10^6.
    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";

    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        let table = [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ];
        for (t, expected) in table {
            let counter = step_of(t) as u64;
            let code = hotp_with(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, SEED_SHA1, counter, 8);
            assert_eq!(code, expected, "SHA1 at T={t}");
            assert_eq!(code_at(SEED_SHA1, t), &expected[2..], "6 digits at T={t}");
        }
    }

    #[test]
    fn rfc6238_appendix_b_sha256_vectors_check_the_truncation_on_a_longer_mac() {
        let table = [
            (59, "46119246"),
            (1111111109, "68084774"),
            (1234567890, "91819424"),
            (20000000000, "77737706"),
        ];
        for (t, expected) in table {
            let code = hotp_with(hmac::HMAC_SHA256, SEED_SHA256, step_of(t) as u64, 8);
            assert_eq!(code, expected, "SHA256 at T={t}");
        }
    }

    #[test]
    fn rfc4648_base32_vectors_round_trip() {
        let table = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in table {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
            assert_eq!(
                base32_decode(&format!("{}======", encoded.to_lowercase())).unwrap(),
                plain.as_bytes()
            );
        }
        assert_eq!(base32_decode("MZ1"), None, "1 is not base32");
    }

    #[test]
    fn a_code_matches_within_one_step_either_side_and_not_beyond() {
        let t = 1_700_000_000;
        let prev = code_at(SEED_SHA1, t - 30);
        let next = code_at(SEED_SHA1, t + 30);
        let far = code_at(SEED_SHA1, t + 60);
        assert_eq!(matching_step(SEED_SHA1, &prev, t, 1), Some(step_of(t) - 1));
        assert_eq!(matching_step(SEED_SHA1, &next, t, 1), Some(step_of(t) + 1));
        assert_eq!(matching_step(SEED_SHA1, &far, t, 1), None);
        assert_eq!(matching_step(SEED_SHA1, "12345", t, 1), None, "short code");
    }

    #[test]
    fn a_step_before_the_epoch_does_not_panic() {
        assert_eq!(code_at(SEED_SHA1, -100).len(), 6);
    }
}
