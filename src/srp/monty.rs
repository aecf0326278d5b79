//! Fixed-width Montgomery arithmetic modulo the SRP group prime N.
//!
//! Every SRP exponentiation is modulo one constant 3072-bit prime, so this module hard-wires it:
//! numbers are `[u64; 48]` little-endian limbs on the stack, with no allocation per
//! multiplication. num-bigint's `modpow` is the reference (its Montgomery code is private, always
//! multiplies in a fixed 4-bit window and allocates per step); the hot paths here are checked
//! against it by the property tests in `tests/srp_props.rs` and the unit tests below.
//!
//! Representation: an element `x` of Z/N is held as `x·R mod N` with `R = 2^3072`, fully
//! reduced to `[0, N)` after every operation.
//!
//! Timing: exponentiation uses sliding windows, so its running time depends on the exponent.
//! That is acceptable for a load-testing client and a reference server that is never exposed
//! as a production identity provider; the signature comparison, where an attacker chooses the
//! input, is constant-time (see `verifier.rs`).

use std::sync::LazyLock;

use num_bigint::BigUint;

use super::math::N_HEX;

/// Limbs in a residue modulo N (3072 bits / 64).
pub(crate) const LIMBS: usize = 48;

/// A residue modulo N, little-endian 64-bit limbs.
pub(crate) type Limbs = [u64; LIMBS];

/// N as limbs, parsed at compile time from the RFC 5054 hex.
pub(crate) const N: Limbs = limbs_from_hex(N_HEX);

/// `-N^-1 mod 2^64` (for this N, whose low limb is all ones, it is 1).
const N0INV: u64 = neg_inverse_mod_word(N[0]);

/// `R mod N` = the Montgomery form of 1. N > R/2, so `R mod N = R - N`.
pub(crate) const ONE: Limbs = r_minus_n();

/// `R^2 mod N`, to enter Montgomery form with one multiplication.
static R2: LazyLock<Limbs> = LazyLock::new(r_squared_mod_n);

/// The plain integer 1 (multiplying by it leaves Montgomery form).
const PLAIN_ONE: Limbs = {
    let mut one = [0u64; LIMBS];
    one[0] = 1;
    one
};

const fn limbs_from_hex(hex: &str) -> Limbs {
    let bytes = hex.as_bytes();
    assert!(
        bytes.len() == LIMBS * 16,
        "N must be exactly 768 hex digits"
    );
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[bytes.len() - 1 - i];
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("N_HEX holds a non-hex character"),
        };
        out[i / 16] |= (d as u64) << (4 * (i % 16));
        i += 1;
    }
    out
}

/// Newton iteration for the inverse modulo 2^64 (each step doubles the correct bits).
const fn neg_inverse_mod_word(n0: u64) -> u64 {
    assert!(n0 & 1 == 1, "the modulus must be odd");
    let mut inv = n0; // correct to 3 bits for odd n0
    let mut i = 0;
    while i < 5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(n0.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
}

const fn r_minus_n() -> Limbs {
    // 2^3072 - N, computed as (0 - N) mod 2^3072 limb by limb.
    let mut out = [0u64; LIMBS];
    let mut borrow = 0u64;
    let mut i = 0;
    while i < LIMBS {
        let (d, b1) = 0u64.overflowing_sub(N[i]);
        let (d, b2) = d.overflowing_sub(borrow);
        out[i] = d;
        borrow = (b1 | b2) as u64;
        i += 1;
    }
    out
}

/// R^2 mod N by doubling R mod N 3072 times (evaluated once, on first use).
fn r_squared_mod_n() -> Limbs {
    let mut x = r_minus_n();
    let mut step = 0;
    while step < LIMBS * 64 {
        // x = 2x mod N (x < N < 2^3072, so 2x < 2N fits in 3073 bits).
        let mut carry = 0u64;
        let mut i = 0;
        while i < LIMBS {
            let next = x[i] >> 63;
            x[i] = (x[i] << 1) | carry;
            carry = next;
            i += 1;
        }
        if carry == 1 || !less_than_n(&x) {
            x = sub_n(&x);
        }
        step += 1;
    }
    x
}

/// `x < N`, most significant limb first.
#[inline]
const fn less_than_n(x: &Limbs) -> bool {
    let mut i = LIMBS;
    while i > 0 {
        i -= 1;
        if x[i] != N[i] {
            return x[i] < N[i];
        }
    }
    false
}

/// `x - N mod 2^3072`.
#[inline]
const fn sub_n(x: &Limbs) -> Limbs {
    let mut out = [0u64; LIMBS];
    let mut borrow = 0u64;
    let mut i = 0;
    while i < LIMBS {
        let (d, b1) = x[i].overflowing_sub(N[i]);
        let (d, b2) = d.overflowing_sub(borrow);
        out[i] = d;
        borrow = (b1 | b2) as u64;
        i += 1;
    }
    out
}

/// `acc + a·b + carry` as (low, high) words; cannot overflow 128 bits.
#[inline(always)]
fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(acc) + u128::from(a) * u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// Brings a value in `[0, 2N)` (given as limbs plus a top bit) into `[0, N)`.
#[inline(always)]
fn finish(t: Limbs, top: u64) -> Limbs {
    if top != 0 || !less_than_n(&t) {
        sub_n(&t)
    } else {
        t
    }
}

/// Montgomery product `a·b·R^-1 mod N` (FIOS: one pass of multiply and reduce per limb of b).
///
/// Inputs must be below N; the running value then stays below 2N (Koç, Acar, Kaliski,
/// "Analyzing and comparing Montgomery multiplication algorithms", 1996).
pub(crate) fn mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut t = [0u64; LIMBS];
    let mut top = 0u64;
    for &bi in b {
        let (t0, mut c1) = mac(t[0], a[0], bi, 0);
        let m = t0.wrapping_mul(N0INV);
        let (_, mut c2) = mac(t0, m, N[0], 0);
        for j in 1..LIMBS {
            let (x, c) = mac(t[j], a[j], bi, c1);
            c1 = c;
            let (y, c) = mac(x, m, N[j], c2);
            c2 = c;
            t[j - 1] = y;
        }
        let (x, o1) = top.overflowing_add(c1);
        let (y, o2) = x.overflowing_add(c2);
        t[LIMBS - 1] = y;
        top = u64::from(o1) + u64::from(o2);
    }
    finish(t, top)
}

/// Montgomery square `a²·R^-1 mod N`: the cross products are computed once and doubled, so it
/// costs about three quarters of `mul`.
pub(crate) fn sqr(a: &Limbs) -> Limbs {
    let mut t = [0u64; 2 * LIMBS];
    // Cross products a[i]·a[j], i < j.
    for i in 0..LIMBS - 1 {
        let ai = a[i];
        let mut c = 0u64;
        for j in i + 1..LIMBS {
            let (lo, hi) = mac(t[i + j], ai, a[j], c);
            t[i + j] = lo;
            c = hi;
        }
        t[i + LIMBS] = c;
    }
    // Double them.
    let mut carry = 0u64;
    for limb in t.iter_mut() {
        let next = *limb >> 63;
        *limb = (*limb << 1) | carry;
        carry = next;
    }
    // Add the squares a[i]² on the diagonal.
    let mut c = 0u64;
    for i in 0..LIMBS {
        let (lo, hi) = mac(t[2 * i], a[i], a[i], c);
        t[2 * i] = lo;
        let (x, o) = t[2 * i + 1].overflowing_add(hi);
        t[2 * i + 1] = x;
        c = u64::from(o);
    }
    reduce(t)
}

/// Montgomery reduction `t·R^-1 mod N` of a double-width value `t < N·R` (SOS form).
fn reduce(mut t: [u64; 2 * LIMBS]) -> Limbs {
    let mut top = 0u64;
    for i in 0..LIMBS {
        let m = t[i].wrapping_mul(N0INV);
        let mut c = 0u64;
        for j in 0..LIMBS {
            let (lo, hi) = mac(t[i + j], m, N[j], c);
            t[i + j] = lo;
            c = hi;
        }
        // The carry lands on limb i + LIMBS; an overflow from there is deferred to the next
        // row's landing limb (one limb higher), where it belongs.
        let (x, o1) = t[i + LIMBS].overflowing_add(c);
        let (x, o2) = x.overflowing_add(top);
        t[i + LIMBS] = x;
        top = u64::from(o1 | o2);
    }
    let mut out = [0u64; LIMBS];
    out.copy_from_slice(&t[LIMBS..]);
    finish(out, top)
}

/// `a - b mod N` for `a, b < N` (valid in and out of Montgomery form alike).
pub(crate) fn sub_mod(a: &Limbs, b: &Limbs) -> Limbs {
    let mut out = [0u64; LIMBS];
    let mut borrow = 0u64;
    for i in 0..LIMBS {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(borrow);
        out[i] = d;
        borrow = u64::from(b1 | b2);
    }
    if borrow == 0 {
        return out;
    }
    // Went negative: add N back (the carry out cancels the borrow).
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let s = u128::from(out[i]) + u128::from(N[i]) + u128::from(carry);
        out[i] = s as u64;
        carry = (s >> 64) as u64;
    }
    out
}

/// `a + b mod N` for `a, b < N`.
pub(crate) fn add_mod(a: &Limbs, b: &Limbs) -> Limbs {
    let mut out = [0u64; LIMBS];
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let s = u128::from(a[i]) + u128::from(b[i]) + u128::from(carry);
        out[i] = s as u64;
        carry = (s >> 64) as u64;
    }
    finish(out, carry)
}

/// `x·R mod N` for `x < N`.
pub(crate) fn to_mont(x: &Limbs) -> Limbs {
    mul(x, &R2)
}

/// `x·R^-1 mod N`: leaves Montgomery form.
pub(crate) fn from_mont(x: &Limbs) -> Limbs {
    mul(x, &PLAIN_ONE)
}

pub(crate) fn is_zero(x: &Limbs) -> bool {
    x.iter().all(|&l| l == 0)
}

/// Limbs of `x mod N`.
pub(crate) fn reduce_biguint(x: &BigUint) -> Limbs {
    let reduced;
    let x = if x.bits() > (LIMBS as u64) * 64 || !less_than_n(&limbs_of_fitting(x)) {
        reduced = x % &*super::math::N;
        &reduced
    } else {
        x
    };
    limbs_of_fitting(x)
}

/// Limbs of an `x < 2^3072`; higher digits are ignored (callers check the size).
fn limbs_of_fitting(x: &BigUint) -> Limbs {
    let mut out = [0u64; LIMBS];
    for (slot, digit) in out.iter_mut().zip(x.iter_u64_digits()) {
        *slot = digit;
    }
    out
}

pub(crate) fn to_biguint(x: &Limbs) -> BigUint {
    let mut digits = Vec::with_capacity(LIMBS * 2);
    for &limb in x {
        digits.push(limb as u32);
        digits.push((limb >> 32) as u32);
    }
    BigUint::new(digits)
}

/// Big-endian bytes of a residue, fixed 384-byte width (storage form, not PAD).
pub(crate) fn to_be_bytes(x: &Limbs) -> [u8; LIMBS * 8] {
    let mut out = [0u8; LIMBS * 8];
    for (i, limb) in x.iter().enumerate() {
        let at = (LIMBS - 1 - i) * 8;
        out[at..at + 8].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// Inverse of [`to_be_bytes`]; `None` if the value is not below N.
pub(crate) fn from_be_bytes(bytes: &[u8; LIMBS * 8]) -> Option<Limbs> {
    let mut out = [0u64; LIMBS];
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        out[LIMBS - 1 - i] = u64::from_be_bytes(word);
    }
    less_than_n(&out).then_some(out)
}

/// The exponent's bits, least significant first, as 64-bit words.
pub(crate) struct Exponent {
    words: Vec<u64>,
    bits: usize,
}

impl Exponent {
    pub(crate) fn new(e: &BigUint) -> Self {
        Exponent {
            words: e.to_u64_digits(),
            bits: e.bits() as usize,
        }
    }

    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    #[inline]
    pub(crate) fn bit(&self, i: usize) -> u64 {
        (self.words[i / 64] >> (i % 64)) & 1
    }

    /// Bits `[lo, lo + width)` as a number (bits past the top read as zero).
    #[inline]
    pub(crate) fn window(&self, lo: usize, width: usize) -> usize {
        let mut v = 0usize;
        for k in (0..width).rev() {
            let i = lo + k;
            let b = if i < self.bits { self.bit(i) } else { 0 };
            v = (v << 1) | b as usize;
        }
        v
    }
}

/// Largest sliding window used by [`pow`].
const MAX_WINDOW: usize = 6;

/// Sliding-window width minimising squarings plus multiplications for an exponent size.
fn window_for(bits: usize) -> usize {
    match bits {
        0..=24 => 1,
        25..=80 => 3,
        81..=240 => 4,
        241..=672 => 5,
        _ => MAX_WINDOW,
    }
}

/// `base^e` for `base` in Montgomery form (result in Montgomery form): left-to-right sliding
/// window over odd powers; one squaring per exponent bit, one product per window.
pub(crate) fn pow(base: &Limbs, e: &Exponent) -> Limbs {
    let bits = e.bits();
    if bits == 0 {
        return ONE;
    }
    let w = window_for(bits);
    // odd[i] = base^(2i+1)
    let mut odd = [[0u64; LIMBS]; 1 << (MAX_WINDOW - 1)];
    odd[0] = *base;
    if w > 1 {
        let base_sq = sqr(base);
        for i in 1..(1 << (w - 1)) {
            odd[i] = mul(&odd[i - 1], &base_sq);
        }
    }
    let mut acc: Option<Limbs> = None;
    let mut i = bits; // bits [0, i) remain
    while i > 0 {
        if e.bit(i - 1) == 0 {
            if let Some(a) = acc.as_mut() {
                *a = sqr(a);
            }
            i -= 1;
            continue;
        }
        // The window ends (low side) at the lowest set bit within w bits of the top.
        let mut lo = i.saturating_sub(w);
        while e.bit(lo) == 0 {
            lo += 1;
        }
        let len = i - lo;
        let digit = e.window(lo, len);
        acc = Some(match acc {
            None => odd[digit >> 1],
            Some(mut a) => {
                for _ in 0..len {
                    a = sqr(&a);
                }
                mul(&a, &odd[digit >> 1])
            }
        });
        i = lo;
    }
    acc.unwrap_or(ONE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::One;

    fn big(x: &Limbs) -> BigUint {
        to_biguint(x)
    }

    fn r() -> BigUint {
        BigUint::one() << (LIMBS * 64)
    }

    #[test]
    fn constants_agree_with_num_bigint() {
        let n = &*super::super::math::N;
        assert_eq!(&big(&N), n);
        assert_eq!(big(&ONE), r() % n);
        assert_eq!(big(&*R2), (r() * r()) % n);
        assert_eq!(
            N0INV.wrapping_mul(N[0]),
            u64::MAX,
            "N0INV·N[0] = -1 mod 2^64"
        );
    }

    #[test]
    fn mul_sqr_pow_agree_with_num_bigint() {
        let n = &*super::super::math::N;
        let a = reduce_biguint(&(BigUint::from(3u8).pow(1900) + 12345u32));
        let b = reduce_biguint(&(BigUint::from(7u8).pow(1000) * 99991u32));
        let (ab, aa) = (big(&a), big(&b));
        let r_inv = r().modpow(&(n - 2u32), n);
        assert_eq!(big(&mul(&a, &b)), (&ab * &aa * &r_inv) % n);
        assert_eq!(big(&sqr(&a)), (&ab * &ab * &r_inv) % n);
        assert_eq!(big(&from_mont(&to_mont(&a))), ab);
        for e in [
            BigUint::from(0u8),
            BigUint::from(1u8),
            BigUint::from(2u8),
            BigUint::from(0xffff_ffffu32),
            BigUint::from(5u8).pow(300),
            (BigUint::one() << 1024) - 1u8,
        ] {
            let got = from_mont(&pow(&to_mont(&a), &Exponent::new(&e)));
            assert_eq!(big(&got), ab.modpow(&e, n), "exponent {e}");
        }
    }

    #[test]
    fn sub_and_add_wrap_modulo_n() {
        let n = &*super::super::math::N;
        let a = reduce_biguint(&BigUint::from(5u8));
        let b = reduce_biguint(&(n - 3u8));
        assert_eq!(big(&sub_mod(&a, &b)), BigUint::from(8u8));
        assert_eq!(big(&add_mod(&a, &b)), BigUint::from(2u8));
    }

    #[test]
    fn bytes_round_trip_and_reject_values_not_below_n() {
        let a = reduce_biguint(&BigUint::from(0xdead_beefu32));
        assert_eq!(from_be_bytes(&to_be_bytes(&a)), Some(a));
        assert_eq!(from_be_bytes(&to_be_bytes(&N)), None);
    }
}
