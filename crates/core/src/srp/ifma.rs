//! Exponentiation modulo N with AVX-512 IFMA (52-bit digits), on x86-64 CPUs that have it.
//!
//! Why: the reference server's share of an SRP sign-in is two 3072-bit exponentiations with
//! 256-bit exponents (`S = (A·v^u)^b`), about 600 Montgomery products. The portable 64-bit
//! product in `monty.rs` costs ~3.5 µs each on the project's machines; `vpmadd52luq` /
//! `vpmadd52huq` do eight 52×52-bit multiply-adds per instruction, and the product here is
//! measured in `benches/srp.rs` beside the portable one (`modpow_1024bit_exp`).
//!
//! Algorithm: almost Montgomery multiplication (AMM) in radix 2^52, operand scanning (Gueron
//! and Krasnov, "Accelerating Big Integer Arithmetic Using Intel IFMA Extensions", ARITH 2016).
//! A number is 60 digits of 52 bits in eight 512-bit vectors (64 lanes, the top 4 zero). Step
//! `i` adds the low halves of `a·b[i]` and `m·N` (with `m` chosen to clear digit 0), shifts the
//! accumulator down one digit and adds the high halves, which belong one digit up. Digits are
//! not carried inside the loop: a lane gains at most four 52-bit terms per step, 240 in all,
//! well below 2^64. The product is carried into 52-bit digits once, at the end.
//!
//! Bounds: with `R' = 2^3120 > 4N`, inputs below `2N` give an output below `2N` (Walter, "Montgomery
//! exponentiation needs no final subtractions", 1999), so the exponentiation never subtracts;
//! one subtraction at the end brings the result into `[0, N)`.
//!
//! Interface: [`pow`] takes and returns the 64-bit Montgomery form of `monty.rs` (`x·2^3072`),
//! converting at both ends (two extra products), so callers never see the 52-bit form.
//!
//! Safety: the only `unsafe` is calling `#[target_feature]` functions, and [`pow`] is reached
//! only through `pow` in `backend.rs` after [`available`] returned true, which checks the CPU
//! for `avx512f` and `avx512ifma` at run time.
#![allow(unsafe_code)]

use std::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_alignr_epi64, _mm512_and_si512, _mm512_broadcastq_epi64,
    _mm512_castsi512_si128, _mm512_loadu_si512, _mm512_madd52hi_epu64, _mm512_madd52lo_epu64,
    _mm512_maskz_mov_epi64, _mm512_set1_epi64, _mm512_setzero_si512, _mm512_srli_epi64,
    _mm512_storeu_si512,
};
use std::sync::LazyLock;

use num_bigint::BigUint;
use num_traits::One;

use super::group::{LIMBS, Limbs, N_LIMBS};
use super::monty::{self, Exponent};

/// 52-bit digits per number: 60 × 52 = 3120 bits hold anything below 2N (3073 bits).
const DIGITS: usize = 60;
/// Lanes per number, padded to whole vectors.
const LANES: usize = 64;
/// 512-bit vectors per number.
const VECTORS: usize = LANES / 8;
const DIGIT_BITS: u32 = 52;
const MASK: u64 = (1 << DIGIT_BITS) - 1;

// The Montgomery digit is `m = t·(-N^-1) mod 2^52`; N's low 52 bits are all ones (N ≡ -1), so
// `-N^-1 ≡ 1` and `m` is digit 0 of the accumulator itself, with no multiplication.
const _: () = assert!(N_LIMBS[0] & MASK == MASK);

/// A number as 52-bit digits, least significant first (lanes 60..64 are zero).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct Digits([u64; LANES]);

/// N in digits.
static N52: LazyLock<Digits> = LazyLock::new(|| to_digits(&N_LIMBS));

/// `R'^2 / R mod N = 2^(2·3120 - 3072) mod N`: the AMM of `x·R` with this is `x·R'`.
static INTO: LazyLock<Digits> = LazyLock::new(|| {
    let k = (BigUint::one() << (2 * DIGITS * DIGIT_BITS as usize - LIMBS * 64)) % &*super::group::N;
    to_digits(&monty::reduce_biguint(&k))
});

/// `R mod N` as a plain number: the AMM of `x·R'` with this is `x·R`.
static BACK: LazyLock<Digits> = LazyLock::new(|| to_digits(&monty::ONE));

/// True when this CPU runs AVX-512 F and IFMA (checked once, then cached by std).
pub(crate) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512ifma")
}

/// Splits 64-bit limbs (a value below 2^3072) into 52-bit digits.
fn to_digits(x: &Limbs) -> Digits {
    let mut out = [0u64; LANES];
    for (i, digit) in out.iter_mut().take(DIGITS).enumerate() {
        let bit = i * DIGIT_BITS as usize;
        let (word, shift) = (bit / 64, bit % 64);
        let mut v = x[word] >> shift;
        if shift + DIGIT_BITS as usize > 64 && word + 1 < LIMBS {
            v |= x[word + 1] << (64 - shift);
        }
        *digit = v & MASK;
    }
    Digits(out)
}

/// Joins normalised 52-bit digits of a value below 2^3072 into 64-bit limbs.
fn to_limbs(d: &Digits) -> Limbs {
    let mut out = [0u64; LIMBS];
    for (i, &digit) in d.0.iter().take(DIGITS).enumerate() {
        let bit = i * DIGIT_BITS as usize;
        let (word, shift) = (bit / 64, bit % 64);
        out[word] |= digit << shift;
        if shift + DIGIT_BITS as usize > 64 && word + 1 < LIMBS {
            out[word + 1] |= digit >> (64 - shift);
        }
    }
    out
}

/// Carries every lane into 52-bit digits. The value is below 2^3120, so nothing carries out.
fn normalise(d: &mut Digits) {
    let mut carry = 0u64;
    for digit in d.0.iter_mut().take(DIGITS) {
        let v = *digit + carry;
        *digit = v & MASK;
        carry = v >> DIGIT_BITS;
    }
    debug_assert_eq!(carry, 0, "an AMM result below 2N fits in 60 digits");
}

/// Subtracts N from a normalised value in `[0, 2N)` if it is not below N.
fn reduce_below_n(d: &mut Digits) {
    let n = &*N52;
    let mut diff = [0u64; LANES];
    let mut borrow = 0u64;
    for ((out, &x), &y) in diff.iter_mut().zip(&d.0).zip(&n.0).take(DIGITS) {
        let v = x.wrapping_sub(y).wrapping_sub(borrow);
        *out = v & MASK;
        borrow = v >> 63;
    }
    if borrow == 0 {
        d.0 = diff;
    }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn load(d: &Digits) -> [__m512i; VECTORS] {
    // SAFETY: `Digits` is 64 u64s, so each of the eight 64-byte reads is in bounds.
    std::array::from_fn(|v| unsafe { _mm512_loadu_si512(d.0.as_ptr().add(8 * v).cast()) })
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn store(vectors: &[__m512i; VECTORS]) -> Digits {
    let mut out = Digits([0; LANES]);
    for (v, vector) in vectors.iter().enumerate() {
        // SAFETY: as in `load`, each 64-byte write is inside the 512-byte array.
        unsafe { _mm512_storeu_si512(out.0.as_mut_ptr().add(8 * v).cast(), *vector) };
    }
    out
}

/// `a·b·R'^-1 mod N`, below 2N, for normalised `a, b < 2N`.
#[target_feature(enable = "avx512f,avx512ifma")]
fn amm(a: &Digits, b: &Digits) -> Digits {
    let av = load(a);
    let nv = load(&N52);
    let mask = _mm512_set1_epi64(MASK as i64);
    let zero = _mm512_setzero_si512();
    let mut acc = [zero; VECTORS];
    for &bi in b.0.iter().take(DIGITS) {
        let bi = _mm512_set1_epi64(bi as i64);
        for j in 0..VECTORS {
            acc[j] = _mm512_madd52lo_epu64(acc[j], av[j], bi);
        }
        // m = digit 0 mod 2^52 (see the assertion on N above), in every lane.
        let m = _mm512_and_si512(
            _mm512_broadcastq_epi64(_mm512_castsi512_si128(acc[0])),
            mask,
        );
        for j in 0..VECTORS {
            acc[j] = _mm512_madd52lo_epu64(acc[j], nv[j], m);
        }
        // Digit 0 is now a multiple of 2^52: drop it, keep its carry for the new digit 0.
        let carry = _mm512_maskz_mov_epi64(1, _mm512_srli_epi64(acc[0], DIGIT_BITS));
        for j in 0..VECTORS - 1 {
            acc[j] = _mm512_alignr_epi64(acc[j + 1], acc[j], 1);
        }
        acc[VECTORS - 1] = _mm512_alignr_epi64(zero, acc[VECTORS - 1], 1);
        acc[0] = _mm512_add_epi64(acc[0], carry);
        for j in 0..VECTORS {
            acc[j] = _mm512_madd52hi_epu64(acc[j], av[j], bi);
            acc[j] = _mm512_madd52hi_epu64(acc[j], nv[j], m);
        }
    }
    let mut out = store(&acc);
    normalise(&mut out);
    out
}

/// `base^e` for `base` in 64-bit Montgomery form, result in that form and below N.
///
/// Only call after [`available`] returned true.
pub(crate) fn pow(base: &Limbs, e: &Exponent) -> Limbs {
    debug_assert!(available());
    // SAFETY: callers check `available()` first (see the module's safety note).
    let mul = |x: &Digits, y: &Digits| unsafe { amm(x, y) };
    let start = mul(&to_digits(base), &INTO);
    let Some(power) = monty::sliding_window(&start, e, |x| mul(x, x), mul) else {
        return monty::ONE;
    };
    let mut out = mul(&power, &BACK);
    reduce_below_n(&mut out);
    to_limbs(&out)
}

/// Most factors [`product`] takes (the default `g` table needs 171).
pub(crate) const MAX_FACTORS: usize = 256;

/// `FIX[k] = 2^(3072 + 48k) mod N`: undoes the `2^-48` that each of `k` factors read straight
/// from 64-bit Montgomery form carries in [`product`], and returns to that form.
static FIX: LazyLock<Vec<Digits>> = LazyLock::new(|| {
    let n = &*super::group::N;
    let step = DIGITS * DIGIT_BITS as usize - LIMBS * 64;
    let mut k = (BigUint::one() << (LIMBS * 64)) % n;
    let mut out = Vec::with_capacity(MAX_FACTORS + 1);
    for _ in 0..=MAX_FACTORS {
        out.push(to_digits(&monty::reduce_biguint(&k)));
        k = (k << step) % n;
    }
    out
});

/// `Π x_i` for up to [`MAX_FACTORS`] factors in 64-bit Montgomery form (the fixed-base
/// table's entries), result in that form and below N; 1 for none.
///
/// The factors are not converted: the integer `x·R` read as 52-bit digits is `x·R'·2^-48` in
/// the 52-bit form, so a product of `k` of them carries `2^-48k`, which one last AMM with
/// `FIX[k]` removes while leaving the 52-bit form. Only call after [`available`] returned true.
pub(crate) fn product<'a>(factors: impl Iterator<Item = &'a Limbs>) -> Limbs {
    debug_assert!(available());
    // SAFETY: callers check `available()` first (see the module's safety note).
    let mul = |x: &Digits, y: &Digits| unsafe { amm(x, y) };
    let mut acc: Option<Digits> = None;
    let mut count = 0;
    for factor in factors {
        let factor = to_digits(factor);
        count += 1;
        acc = Some(match acc {
            None => factor,
            Some(a) => mul(&a, &factor),
        });
    }
    let Some(acc) = acc else {
        return monty::ONE;
    };
    assert!(
        count <= MAX_FACTORS,
        "product of more than MAX_FACTORS factors"
    );
    let mut out = mul(&acc, &FIX[count]);
    reduce_below_n(&mut out);
    to_limbs(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_round_trip() {
        for x in [N_LIMBS, monty::ONE, [u64::MAX; LIMBS], [0; LIMBS]] {
            assert_eq!(to_limbs(&to_digits(&x)), x);
        }
    }

    #[test]
    fn reduce_below_n_subtracts_once_at_n_and_above() {
        let mut n = *N52;
        reduce_below_n(&mut n);
        assert!(n.0.iter().all(|&d| d == 0), "N reduces to 0");
        let mut below = to_digits(&monty::ONE);
        reduce_below_n(&mut below);
        assert_eq!(to_limbs(&below), monty::ONE, "a value below N is kept");
    }
}
