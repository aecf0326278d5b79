//! Fixed-width Montgomery arithmetic modulo the SRP group prime N.
//!
//! Every SRP exponentiation is modulo one constant 3072-bit prime, so this module hard-wires it:
//! numbers are `[u64; 48]` little-endian limbs on the stack, with no allocation per
//! multiplication. num-bigint's `modpow` is the reference (its Montgomery code is private, always
//! multiplies in a fixed 4-bit window and allocates per step); the hot paths here are checked
//! against it by the property tests in `crates/core/tests/srp_props.rs` and the unit tests below.
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

use super::group::{LIMBS, Limbs, N_LIMBS as N};

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

/// Brings a value in `[0, 2N)` (given as limbs plus a top bit) into `[0, N)`.
#[inline(always)]
fn finish(t: Limbs, top: u64) -> Limbs {
    if top != 0 || !less_than_n(&t) {
        sub_n(&t)
    } else {
        t
    }
}

/// A three-word column accumulator `lo + hi·2^128` for product scanning: a column of a
/// 48-limb product plus its reduction sums at most 97 double-word products, well below 2^192.
#[derive(Clone, Copy, Default)]
struct Acc {
    lo: u128,
    hi: u64,
}

impl Acc {
    /// `self += a·b`
    #[inline(always)]
    fn add_mul(&mut self, a: u64, b: u64) {
        let (lo, carry) = self.lo.overflowing_add(u128::from(a) * u128::from(b));
        self.lo = lo;
        self.hi += u64::from(carry);
    }

    /// `self += other`
    #[inline(always)]
    fn add(&mut self, other: Acc) {
        let (lo, carry) = self.lo.overflowing_add(other.lo);
        self.lo = lo;
        self.hi += other.hi + u64::from(carry);
    }

    /// Takes the low word out and shifts the rest down by one word (next column).
    #[inline(always)]
    fn shift(&mut self) -> u64 {
        let low = self.lo as u64;
        self.lo = (self.lo >> 64) | (u128::from(self.hi) << 64);
        self.hi = 0;
        low
    }
}

/// `acc += Σ x[i]·y[len-1-i]`: one column of a product, `y` read backwards. Two accumulators
/// take alternate terms so their carry chains overlap.
#[inline(always)]
fn dot(acc: &mut Acc, x: &[u64], y: &[u64]) {
    let mut other = Acc::default();
    let xs = x.chunks_exact(2);
    let ys = y.rchunks_exact(2);
    let (x_rest, y_rest) = (xs.remainder(), ys.remainder());
    for (xc, yc) in xs.zip(ys) {
        acc.add_mul(xc[0], yc[1]);
        other.add_mul(xc[1], yc[0]);
    }
    if let (Some(&p), Some(&q)) = (x_rest.first(), y_rest.first()) {
        acc.add_mul(p, q);
    }
    acc.add(other);
}

/// `acc += Σ x[i]·y[len-1-i] + Σ p[i]·q[len-1-i]` for four slices of one length: the two
/// sums of a Montgomery column run side by side on their own carry chains.
#[inline(always)]
fn dot_pair(acc: &mut Acc, x: &[u64], y: &[u64], p: &[u64], q: &[u64]) {
    let mut other = Acc::default();
    for (((&x, &y), &p), &q) in x.iter().zip(y.iter().rev()).zip(p).zip(q.iter().rev()) {
        acc.add_mul(x, y);
        other.add_mul(p, q);
    }
    acc.add(other);
}

/// Montgomery product `a·b·R^-1 mod N`, for `a, b < N`.
///
/// Finely integrated product scanning (FIPS in Koç, Acar, Kaliski, "Analyzing and comparing
/// Montgomery multiplication algorithms", IEEE Micro 1996): column k of `a·b + m·N` is summed
/// at once, and the Montgomery digit `m[k]` is chosen to clear it. The result is below 2N
/// before the final subtraction. Measured on the project's machines: about 0.8 of one step of
/// num-bigint's Montgomery loop, which also uses 64-bit limbs but scans by rows.
pub(crate) fn mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc = Acc::default();
    for k in 0..LIMBS {
        dot_pair(&mut acc, &a[..k], &b[1..=k], &m[..k], &N[1..=k]);
        acc.add_mul(a[k], b[0]);
        let mk = (acc.lo as u64).wrapping_mul(N0INV);
        m[k] = mk;
        acc.add_mul(mk, N[0]);
        acc.shift(); // zero by the choice of m[k]
    }
    for k in LIMBS..2 * LIMBS - 1 {
        let lo = k + 1 - LIMBS;
        dot_pair(&mut acc, &a[lo..], &b[lo..], &m[lo..], &N[lo..]);
        out[k - LIMBS] = acc.shift();
    }
    out[LIMBS - 1] = acc.shift();
    let top = acc.shift();
    finish(out, top)
}

/// Montgomery square `a²·R^-1 mod N`: as [`mul`], but each cross product `a[i]·a[j]` is
/// computed once and doubled, so it costs about 0.9 of [`mul`] (the reduction half is
/// unchanged).
pub(crate) fn sqr(a: &Limbs) -> Limbs {
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc = Acc::default();
    for k in 0..2 * LIMBS - 1 {
        let lo = k.saturating_sub(LIMBS - 1);
        // Cross products a[i]·a[k-i] with lo <= i < k - i.
        let n = k.div_ceil(2).saturating_sub(lo);
        let mut cross = Acc::default();
        dot(&mut cross, &a[lo..lo + n], &a[k + 1 - lo - n..k + 1 - lo]);
        acc.add(cross);
        acc.add(cross);
        if k % 2 == 0 {
            acc.add_mul(a[k / 2], a[k / 2]);
        }
        if k < LIMBS {
            dot(&mut acc, &m[..k], &N[1..=k]);
            let mk = (acc.lo as u64).wrapping_mul(N0INV);
            m[k] = mk;
            acc.add_mul(mk, N[0]);
            acc.shift();
        } else {
            dot(&mut acc, &m[lo..], &N[lo..]);
            out[k - LIMBS] = acc.shift();
        }
    }
    out[LIMBS - 1] = acc.shift();
    let top = acc.shift();
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
        reduced = x % &*super::group::N;
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

/// `base^e` for `base` in Montgomery form (result in Montgomery form, below N), in portable
/// Rust; `backend.rs` chooses between this and the IFMA code.
pub(crate) fn pow_portable(base: &Limbs, e: &Exponent) -> Limbs {
    sliding_window(base, e, sqr, mul).unwrap_or(ONE)
}

/// `base^e` by left-to-right sliding windows over odd powers, for any Montgomery
/// representation: one `sqr` per exponent bit, one `mul` per window. `None` for `e = 0`
/// (the caller knows its form of 1).
pub(crate) fn sliding_window<T: Copy>(
    base: &T,
    e: &Exponent,
    sqr: impl Fn(&T) -> T,
    mul: impl Fn(&T, &T) -> T,
) -> Option<T> {
    let bits = e.bits();
    if bits == 0 {
        return None;
    }
    let w = window_for(bits);
    // odd[i] = base^(2i+1)
    let mut odd = [*base; 1 << (MAX_WINDOW - 1)];
    if w > 1 {
        let base_sq = sqr(base);
        for i in 1..(1 << (w - 1)) {
            odd[i] = mul(&odd[i - 1], &base_sq);
        }
    }
    let mut acc: Option<T> = None;
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
    acc
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
        let n = &*super::super::group::N;
        assert_eq!(&big(&N), n);
        assert_eq!(big(&ONE), r() % n);
        assert_eq!(big(&R2), (r() * r()) % n);
        assert_eq!(
            N0INV.wrapping_mul(N[0]),
            u64::MAX,
            "N0INV·N[0] = -1 mod 2^64"
        );
    }

    #[test]
    fn mul_sqr_pow_agree_with_num_bigint() {
        let n = &*super::super::group::N;
        let a = reduce_biguint(&(BigUint::from(3u8).pow(1900) + 12345u32));
        let b = reduce_biguint(&(BigUint::from(7u8).pow(1000) * 99991u32));
        let (ab, aa) = (big(&a), big(&b));
        let r_inv = r().modinv(n).unwrap();
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
            let got = from_mont(&pow_portable(&to_mont(&a), &Exponent::new(&e)));
            assert_eq!(big(&got), ab.modpow(&e, n), "exponent {e}");
        }
    }

    /// Montgomery products against num-bigint's `a·b·R^-1 mod N`, at random points and at the
    /// edges (0, 1, N-1, values with all-ones limbs).
    fn check_mul_and_sqr(a: &Limbs, b: &Limbs) {
        static R_INV: LazyLock<BigUint> = LazyLock::new(|| {
            let n = &*super::super::group::N;
            r().modinv(n).expect("R is invertible mod N")
        });
        let n = &*super::super::group::N;
        let r_inv = &*R_INV;
        let (x, y) = (big(a), big(b));
        assert_eq!(big(&mul(a, b)), (&x * &y * r_inv) % n, "mul");
        assert_eq!(big(&sqr(a)), (&x * &x * r_inv) % n, "sqr");
    }

    #[test]
    fn mul_and_sqr_at_the_edges() {
        let n_minus_1 = sub_mod(&N, &PLAIN_ONE);
        let low_ones = reduce_biguint(&((BigUint::one() << 3000) - 1u8));
        let edges = [[0u64; LIMBS], PLAIN_ONE, ONE, n_minus_1, low_ones];
        for a in &edges {
            for b in &edges {
                check_mul_and_sqr(a, b);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn mul_and_sqr_match_num_bigint(
            a in proptest::collection::vec(proptest::prelude::any::<u64>(), LIMBS),
            b in proptest::collection::vec(proptest::prelude::any::<u64>(), LIMBS),
        ) {
            let a = reduce_biguint(&BigUint::from_slice(&a.iter().flat_map(|l| [*l as u32, (*l >> 32) as u32]).collect::<Vec<_>>()));
            let b = reduce_biguint(&BigUint::from_slice(&b.iter().flat_map(|l| [*l as u32, (*l >> 32) as u32]).collect::<Vec<_>>()));
            check_mul_and_sqr(&a, &b);
        }
    }

    #[test]
    fn sub_and_add_wrap_modulo_n() {
        let n = &*super::super::group::N;
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
