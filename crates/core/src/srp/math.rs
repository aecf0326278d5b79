//! The SRP-6a formulas exactly as Amazon Cognito computes them, and the wire encodings they
//! depend on.
//!
//! Cognito's SRP is RFC 5054's group with its own byte conventions, inherited from the Java
//! `BigInteger` the service and the first SDKs were written with (cognito-srp.md):
//! - `PAD(n)` is `BigInteger.toByteArray()`: minimal two's complement, never fixed-width
//!   (pitfalls 1 and 2);
//! - hex on the wire is `BigInteger.toString(16)`: may be odd-length or negative (pitfall 3);
//! - the key is a one-block HKDF keyed on `PAD(u)`, and the signature covers an English
//!   `TIMESTAMP` with an unpadded day (pitfall 4).
//!
//! Everything here is a pure function of its arguments. The group arithmetic runs on the
//! fixed-width Montgomery code in `monty.rs` and the generator table in `fixed_base.rs`; the
//! signatures take and return num-bigint values. The flow that strings these together is the
//! developer guide's "User pool authentication flow" (USER_SRP_AUTH, PASSWORD_VERIFIER).

use std::sync::LazyLock;

use aws_lc_rs::{digest, hmac};
use base64::Engine as _;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone as _, Timelike, Utc};
use num_bigint::{BigInt, BigUint, Sign};
use num_traits::Zero;

use super::SrpError;
use super::backend::{self, Backend};
use super::fixed_base::g_table;
use super::group::{LIMBS, Limbs};
use super::monty::{self, Exponent};

pub use super::group::{G, N, N_HEX};

/// `k = H(PAD(N) | PAD(g))` = H(0x00 | N | 0x02): N's top bit is set, so PAD adds a sign byte
/// (385 bytes), and g is one byte. Not RFC 5054's fixed-width padding (pitfall 1).
pub static K: LazyLock<BigUint> = LazyLock::new(|| {
    let mut h = digest::Context::new(&digest::SHA256);
    h.update(&pad_unsigned(&N));
    h.update(&pad_unsigned(&G));
    BigUint::from_bytes_be(h.finish().as_ref())
});

/// k in Montgomery form, for `k·v` inside B and S.
static K_MONT: LazyLock<Limbs> = LazyLock::new(|| monty::to_mont(&monty::reduce_biguint(&K)));

/// Bytes of the derived key K (Cognito keeps the first 16 bytes of the HKDF output).
pub const KEY_LEN: usize = 16;

/// HKDF `info` for the key: the label followed by the block counter 0x01.
const DERIVED_KEY_INFO: &[u8] = b"Caldera Derived Key\x01";

/// `PAD(n)` = Java `BigInteger.toByteArray()`: minimal big-endian two's complement.
///
/// For n ≥ 0 leading zero bytes are stripped and one 0x00 is prepended when the top bit is set
/// (0 → `00`); for n < 0 it is the shortest two's complement (-20 → `EC`, -236 → `FF14`).
pub fn pad(n: &BigInt) -> Vec<u8> {
    match n.sign() {
        Sign::Minus => pad_negative(n.magnitude()),
        Sign::NoSign | Sign::Plus => pad_unsigned(n.magnitude()),
    }
}

/// `PAD(n)` for n ≥ 0: magnitude bytes, with a 0x00 sign byte when the top bit is set.
pub fn pad_unsigned(n: &BigUint) -> Vec<u8> {
    let bytes = n.to_bytes_be(); // [0] for zero
    if bytes[0] & 0x80 != 0 {
        let mut out = Vec::with_capacity(bytes.len() + 1);
        out.push(0);
        out.extend_from_slice(&bytes);
        out
    } else {
        bytes
    }
}

/// `PAD(-m)` for m > 0: `2^(8L) - m` in L bytes, for the least L with `m ≤ 2^(8L-1)`.
fn pad_negative(m: &BigUint) -> Vec<u8> {
    let mag = m.to_bytes_be();
    // m fits the negative range of mag.len() bytes only if m ≤ 0x80 00 .. 00.
    let is_min = mag[0] == 0x80 && mag[1..].iter().all(|&b| b == 0);
    let extra = usize::from(mag[0] & 0x80 != 0 && !is_min);
    let mut out = vec![0u8; extra];
    out.extend_from_slice(&mag);
    // Two's complement: invert and add one.
    let mut carry = true;
    for byte in out.iter_mut().rev() {
        let (v, c) = (!*byte).overflowing_add(u8::from(carry));
        *byte = v;
        carry = c;
    }
    out
}

/// Parses wire hex as `BigInteger.toString(16)` writes it: an optional `-`, then one or more
/// hex digits of either case, any length (odd included). `field` names the parameter in the
/// error.
pub fn parse_wire_hex(field: &'static str, s: &str) -> Result<BigInt, SrpError> {
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) => (Sign::Minus, rest),
        None => (Sign::Plus, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SrpError::BadHex { field });
    }
    let magnitude =
        BigUint::parse_bytes(digits.as_bytes(), 16).ok_or(SrpError::BadHex { field })?;
    Ok(BigInt::from_biguint(sign, magnitude))
}

/// Wire hex of n, as `BigInteger.toString(16)`: lowercase, no leading zeros, `-` if negative.
pub fn to_wire_hex(n: &BigInt) -> String {
    format!("{n:x}")
}

/// `H(m)` read as an unsigned big-endian integer.
fn hash_to_int(parts: &[&[u8]]) -> BigUint {
    let mut h = digest::Context::new(&digest::SHA256);
    for part in parts {
        h.update(part);
    }
    BigUint::from_bytes_be(h.finish().as_ref())
}

/// `u = H(PAD(A) | PAD(B))`, over the integers as they travel on the wire.
pub fn compute_u(a_pub: &BigInt, b_pub: &BigInt) -> BigUint {
    hash_to_int(&[&pad(a_pub), &pad(b_pub)])
}

/// `x = H(PAD(s) | H(poolName | I | ":" | P))`, I = USER_ID_FOR_SRP, all strings as UTF-8.
pub fn compute_x(salt: &BigInt, pool_name: &str, user_id_for_srp: &str, password: &str) -> BigUint {
    let inner = digest::digest(
        &digest::SHA256,
        format!("{pool_name}{user_id_for_srp}:{password}").as_bytes(),
    );
    hash_to_int(&[&pad(salt), inner.as_ref()])
}

/// `A = g^a mod N` (fixed-base table).
pub fn compute_a_pub(a: &BigUint) -> BigUint {
    g_table().pow(a)
}

/// `v = g^x mod N` (fixed-base table).
pub fn compute_v(x: &BigUint) -> BigUint {
    g_table().pow(x)
}

/// `B = (k·v + g^b) mod N`.
pub fn compute_b_pub(v: &BigUint, b: &BigUint) -> BigUint {
    monty::to_biguint(&compute_b_pub_limbs(&monty::reduce_biguint(v), b))
}

/// `B = (k·v + g^b) mod N` on a plain residue `v < N`; returns B as a plain residue.
pub(crate) fn compute_b_pub_limbs(v: &Limbs, b: &BigUint) -> Limbs {
    let kv = monty::mul(&K_MONT, &monty::to_mont(v));
    let gb = g_table().pow_mont(&Exponent::new(b));
    monty::from_mont(&monty::add_mod(&kv, &gb))
}

/// `base^e mod N` with this module's variable-base exponentiation (Montgomery form, sliding
/// window): what `S` costs, exposed so benches can set it beside num-bigint's `modpow`.
pub fn pow_mod_n(base: &BigUint, e: &BigUint) -> BigUint {
    pow_mod_n_on(Backend::active(), base, e)
}

/// [`pow_mod_n`] on a chosen [`Backend`](Backend) (one the CPU lacks falls back to the
/// portable code), so benches and tests can set the backends side by side.
pub fn pow_mod_n_on(backend: Backend, base: &BigUint, e: &BigUint) -> BigUint {
    let base = monty::to_mont(&monty::reduce_biguint(base));
    monty::to_biguint(&monty::from_mont(&backend::pow_on(
        backend,
        &base,
        &Exponent::new(e),
    )))
}

/// `S = (B - k·g^x)^(a + u·x) mod N`, the client's premaster secret.
///
/// The base is taken as `(B mod N - k·v mod N) mod N`, so it is never negative (pitfall 6);
/// the exponent (about 1025 bits) is not reduced.
pub fn client_premaster(b_pub: &BigInt, x: &BigUint, a: &BigUint, u: &BigUint) -> BigUint {
    let v = g_table().pow_mont(&Exponent::new(x));
    let kv = monty::mul(&K_MONT, &v);
    let b_mont = monty::to_mont(&reduce_signed(b_pub));
    let base = monty::sub_mod(&b_mont, &kv);
    let exponent = a + u * x;
    let s = backend::pow(&base, &Exponent::new(&exponent));
    monty::to_biguint(&monty::from_mont(&s))
}

/// `S = (A · v^u mod N)^b mod N`, the server's premaster secret.
pub fn server_premaster(a_pub: &BigInt, v: &BigUint, u: &BigUint, b: &BigUint) -> BigUint {
    monty::to_biguint(&server_premaster_limbs(
        &reduce_signed(a_pub),
        &monty::reduce_biguint(v),
        u,
        b,
    ))
}

/// `S = (A · v^u mod N)^b mod N` on plain residues `A, v < N`.
pub(crate) fn server_premaster_limbs(a_pub: &Limbs, v: &Limbs, u: &BigUint, b: &BigUint) -> Limbs {
    let v_u = backend::pow(&monty::to_mont(v), &Exponent::new(u));
    let base = monty::mul(&monty::to_mont(a_pub), &v_u);
    monty::from_mont(&backend::pow(&base, &Exponent::new(b)))
}

/// `n mod N` in `[0, N)` (Java's `BigInteger.mod`, never negative) as limbs.
pub(crate) fn reduce_signed(n: &BigInt) -> Limbs {
    let r = monty::reduce_biguint(n.magnitude());
    if n.sign() == Sign::Minus && !monty::is_zero(&r) {
        monty::sub_mod(&[0u64; LIMBS], &r)
    } else {
        r
    }
}

/// `K = HMAC(HMAC(PAD(u), PAD(S)), "Caldera Derived Key" | 0x01)[..16]`: a one-block HKDF
/// (RFC 5869) with salt `PAD(u)`, truncated to 16 bytes. Minimal `PAD(u)` matters: about one
/// u in 512 is shorter than 32 bytes (pitfall 2).
pub fn derive_key(u: &BigUint, s: &BigUint) -> [u8; KEY_LEN] {
    let prk = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &pad_unsigned(u)),
        &pad_unsigned(s),
    );
    let okm = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, prk.as_ref()),
        DERIVED_KEY_INFO,
    );
    let mut key = [0u8; KEY_LEN];
    key.copy_from_slice(&okm.as_ref()[..KEY_LEN]);
    key
}

/// `PASSWORD_CLAIM_SIGNATURE` bytes = `HMAC(K, poolName | I | SECRET_BLOCK bytes | TIMESTAMP)`
/// (base64 on the wire, see [`encode_signature`]).
pub fn password_claim_signature(
    key: &[u8; KEY_LEN],
    pool_name: &str,
    user_id_for_srp: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, key));
    ctx.update(pool_name.as_bytes());
    ctx.update(user_id_for_srp.as_bytes());
    ctx.update(secret_block);
    ctx.update(timestamp.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.sign().as_ref());
    out
}

/// Standard padded base64, as Cognito expects PASSWORD_CLAIM_SIGNATURE.
pub fn encode_signature(signature: &[u8; 32]) -> String {
    base64::engine::general_purpose::STANDARD.encode(signature)
}

/// Encodes SECRET_BLOCK bytes as the service sends them (standard padded base64).
pub fn encode_secret_block(secret_block: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(secret_block)
}

/// Decodes SECRET_BLOCK (standard padded base64) into the bytes the signature covers.
pub fn decode_secret_block(secret_block: &str) -> Result<Vec<u8>, SrpError> {
    base64::engine::general_purpose::STANDARD
        .decode(secret_block)
        .map_err(|_| SrpError::BadSecretBlock)
}

/// SECRET_BLOCK as the official clients read it: amazon-cognito-identity-js decodes it with
/// Node's `Buffer.from(s, "base64")`, which accepts both base64 alphabets, skips other
/// characters and needs no padding. Cognito's blocks are plain base64 and decode the same
/// either way; some emulators send other text (moto: a UUID), which the official clients, and
/// so this client, still sign. The server side stays strict ([`decode_secret_block`]).
pub fn decode_secret_block_lenient(secret_block: &str) -> Result<Vec<u8>, SrpError> {
    let mut cleaned: String = secret_block
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' => Some(c),
            '-' => Some('+'),
            '_' => Some('/'),
            _ => None,
        })
        .collect();
    if cleaned.len() % 4 == 1 {
        cleaned.pop();
    }
    if cleaned.is_empty() {
        // "" is base64 for no bytes; text with nothing of base64 in it is refused.
        return if secret_block.is_empty() {
            Ok(Vec::new())
        } else {
            Err(SrpError::BadSecretBlock)
        };
    }
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&cleaned)
        .map_err(|_| SrpError::BadSecretBlock)
}

/// The pool name of a pool id: what follows the first `_` (`us-east-1_AbCdEf123` →
/// `AbCdEf123`).
pub fn pool_name(pool_id: &str) -> Result<&str, SrpError> {
    match pool_id.split_once('_') {
        Some((region, name)) if !region.is_empty() && !name.is_empty() => Ok(name),
        _ => Err(SrpError::BadPoolId {
            pool_id: pool_id.to_owned(),
        }),
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const WEEKDAYS_FULL: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `TIMESTAMP` = `EEE MMM d HH:mm:ss UTC yyyy` in English: the day is not zero-padded, the time
/// is (`Tue Jan 7 03:04:05 UTC 2025`). Written by hand so no locale can leak in (pitfall 4).
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {:04}",
        WEEKDAYS[t.weekday().num_days_from_monday() as usize],
        MONTHS[t.month0() as usize],
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year(),
    )
}

/// Strict parse of a `TIMESTAMP`: accepts exactly what [`format_timestamp`] writes.
///
/// Two kinds of rejection, because Cognito answers them differently (ground truth #49):
/// - [`SrpError::MalformedTimestamp`]: not a date in the pattern at all (wrong field count,
///   unknown month, day 32, Feb 30, a zone other than UTC/GMT). Cognito:
///   InvalidParameterException "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in
///   english.".
/// - [`SrpError::NonCanonicalTimestamp`]: a real instant written differently from the canonical
///   form (zero-padded day `Sep 05`, wrong weekday, other case, full names, unpadded hour,
///   `GMT`, extra spaces). Cognito parses such a value leniently and checks the signature over
///   the canonical form, so the client's signature cannot match: NotAuthorizedException.
///
/// The weekday is checked by re-formatting the parsed instant and comparing strings.
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, SrpError> {
    let t = parse_timestamp_lenient(s).ok_or(SrpError::MalformedTimestamp)?;
    let canonical = format_timestamp(t);
    if canonical == s {
        Ok(t)
    } else {
        Err(SrpError::NonCanonicalTimestamp { canonical })
    }
}

/// The shape `EEE MMM d HH:mm:ss z yyyy` read the way Java's English `SimpleDateFormat` reads it
/// (names case-insensitive, short or full; numbers one or two digits), with the weekday
/// ignored and only UTC/GMT accepted as the zone.
fn parse_timestamp_lenient(s: &str) -> Option<DateTime<Utc>> {
    let mut fields = s.split_ascii_whitespace();
    let (weekday, month, day, time, zone, year) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if fields.next().is_some() {
        return None;
    }
    let named = |names: &[&str], full: &[&str], text: &str| {
        names.iter().zip(full).position(|(short, long)| {
            text.eq_ignore_ascii_case(short) || text.eq_ignore_ascii_case(long)
        })
    };
    named(&WEEKDAYS, &WEEKDAYS_FULL, weekday)?;
    let month = named(&MONTHS, &MONTHS_FULL, month)? as u32 + 1;
    let day = small_number(day, 2)?;
    let mut hms = time.split(':');
    let (hour, minute, second) = (
        small_number(hms.next()?, 2)?,
        small_number(hms.next()?, 2)?,
        small_number(hms.next()?, 2)?,
    );
    if hms.next().is_some() {
        return None;
    }
    if !zone.eq_ignore_ascii_case("UTC") && !zone.eq_ignore_ascii_case("GMT") {
        return None;
    }
    let year = i32::try_from(small_number(year, 4)?).ok()?;
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
    Some(Utc.from_utc_datetime(&naive))
}

/// 1..=`max_digits` ASCII digits.
fn small_number(text: &str, max_digits: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max_digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// True if `n mod N` is zero (Java `n.mod(N).equals(ZERO)`).
pub fn is_zero_mod_n(n: &BigInt) -> bool {
    n.is_zero() || monty::is_zero(&reduce_signed(n))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_blocks_decode_as_the_official_client_reads_them() {
        let bytes: Vec<u8> = (0u8..=255).collect();
        for len in [1, 2, 3, 64, 255, 256] {
            let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes[..len]);
            assert_eq!(
                decode_secret_block_lenient(&b64).unwrap(),
                decode_secret_block(&b64).unwrap()
            );
        }
        // An emulator's UUID still yields bytes to sign; garbage without base64 does not.
        let uuid = "d1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b";
        assert_eq!(decode_secret_block_lenient(uuid).unwrap().len(), 27);
        assert!(decode_secret_block(uuid).is_err());
        assert_eq!(
            decode_secret_block_lenient("!!! ???"),
            Err(SrpError::BadSecretBlock)
        );
    }

    use super::*;

    fn int(v: i64) -> BigInt {
        BigInt::from(v)
    }

    #[test]
    fn pad_matches_java_to_byte_array_examples() {
        assert_eq!(pad(&int(0)), vec![0x00]);
        assert_eq!(pad(&int(127)), vec![0x7f]);
        assert_eq!(pad(&int(128)), vec![0x00, 0x80]);
        assert_eq!(pad(&int(-20)), vec![0xec]);
        assert_eq!(pad(&int(-236)), vec![0xff, 0x14]);
        assert_eq!(pad(&int(-128)), vec![0x80]);
        assert_eq!(pad(&int(-129)), vec![0xff, 0x7f]);
        assert_eq!(pad(&int(-256)), vec![0xff, 0x00]);
        assert_eq!(pad(&int(-32768)), vec![0x80, 0x00]);
        assert_eq!(pad_unsigned(&N).len(), 385);
    }

    #[test]
    fn k_is_cognitos_value() {
        assert_eq!(
            format!("{:x}", *K),
            "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
        );
    }

    #[test]
    fn wire_hex_accepts_odd_length_and_negative_and_rejects_junk() {
        assert_eq!(parse_wire_hex("SALT", "abc"), Ok(int(0xabc)));
        assert_eq!(parse_wire_hex("SALT", "-0F"), Ok(int(-15)));
        assert_eq!(to_wire_hex(&int(-0xabc)), "-abc");
        assert_eq!(to_wire_hex(&int(0)), "0");
        for bad in ["", "-", "0x12", "+12", "12 ", "g", "--1", "１"] {
            assert_eq!(
                parse_wire_hex("SRP_B", bad),
                Err(SrpError::BadHex { field: "SRP_B" }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn timestamp_formats_unpadded_day_and_padded_time() {
        let t = Utc.with_ymd_and_hms(2025, 1, 7, 3, 4, 5).unwrap();
        assert_eq!(format_timestamp(t), "Tue Jan 7 03:04:05 UTC 2025");
        assert_eq!(parse_timestamp("Tue Jan 7 03:04:05 UTC 2025"), Ok(t));
    }

    #[test]
    fn timestamp_rejects_non_canonical_and_malformed_distinctly() {
        for s in [
            "Tue Jan 07 03:04:05 UTC 2025",
            "Wed Jan 7 03:04:05 UTC 2025",
            "tue Jan 7 03:04:05 UTC 2025",
            "Tue January 7 03:04:05 UTC 2025",
            "Tue Jan 7 3:04:05 UTC 2025",
            "Tue Jan 7 03:04:05 GMT 2025",
            "Tue  Jan 7 03:04:05 UTC 2025",
        ] {
            assert!(
                matches!(
                    parse_timestamp(s),
                    Err(SrpError::NonCanonicalTimestamp { .. })
                ),
                "{s:?}"
            );
        }
        for s in [
            "",
            "Tue Jan 7 03:04:05 UTC",
            "Tue Jan 7 03:04:05 UTC 2025 x",
            "Tue Foo 7 03:04:05 UTC 2025",
            "Tue Jan 32 03:04:05 UTC 2025",
            "Sat Feb 29 03:04:05 UTC 2025",
            "Tue Jan 7 24:04:05 UTC 2025",
            "Tue Jan 7 03:04 UTC 2025",
            "Tue Jan 7 03:04:05 PST 2025",
            "Tue Jan 7 03:04:05 UTC 20250",
            "2025-01-07T03:04:05Z",
        ] {
            assert_eq!(
                parse_timestamp(s),
                Err(SrpError::MalformedTimestamp),
                "{s:?}"
            );
        }
    }

    #[test]
    fn pool_name_is_the_part_after_the_first_underscore() {
        assert_eq!(pool_name("us-east-1_AbC_def"), Ok("AbC_def"));
        assert!(matches!(
            pool_name("nounderscore"),
            Err(SrpError::BadPoolId { .. })
        ));
        assert!(matches!(
            pool_name("us-east-1_"),
            Err(SrpError::BadPoolId { .. })
        ));
    }
}
