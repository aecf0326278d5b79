//! Which implementation runs an exponentiation modulo N: the portable Montgomery code
//! (`monty.rs`) or AVX-512 IFMA (`ifma.rs`), chosen once at run time.
//!
//! The choice sits above both implementations, so that neither depends on the other: the IFMA
//! code reuses the portable code's exponent walk, and this file dispatches between them.

use std::sync::LazyLock;

use super::group::Limbs;
use super::monty::{self, Exponent};

/// Which implementation of the Montgomery exponentiation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// 64-bit limbs in portable Rust (`monty.rs`).
    Portable,
    /// AVX-512 IFMA, 52-bit digits (`ifma.rs`), on x86-64 CPUs that have it.
    Ifma,
}

impl Backend {
    /// The backends this CPU can run, the portable one first.
    pub fn available() -> Vec<Backend> {
        let mut out = vec![Backend::Portable];
        #[cfg(target_arch = "x86_64")]
        if super::ifma::available() {
            out.push(Backend::Ifma);
        }
        out
    }

    /// The backend in use: the fastest available one, unless `CH_SRP_BACKEND=portable` asks
    /// for the portable code (for comparing the two on one machine). Read once.
    pub fn active() -> Backend {
        static ACTIVE: LazyLock<Backend> = LazyLock::new(|| {
            let portable = std::env::var("CH_SRP_BACKEND").is_ok_and(|v| v == "portable");
            match Backend::available().last() {
                Some(&fastest) if !portable => fastest,
                _ => Backend::Portable,
            }
        });
        *ACTIVE
    }

    /// Its name in reports and benches.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Portable => "portable",
            Backend::Ifma => "avx512ifma",
        }
    }
}

/// `base^e` for `base` in Montgomery form (result in Montgomery form, below N), on the
/// [`Backend::active`] backend.
pub(crate) fn pow(base: &Limbs, e: &Exponent) -> Limbs {
    pow_on(Backend::active(), base, e)
}

/// [`pow`] on a chosen backend; one that this CPU lacks falls back to the portable code.
pub(crate) fn pow_on(backend: Backend, base: &Limbs, e: &Exponent) -> Limbs {
    #[cfg(target_arch = "x86_64")]
    if backend == Backend::Ifma && super::ifma::available() {
        return super::ifma::pow(base, e);
    }
    let _ = backend;
    monty::pow_portable(base, e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use num_traits::One;

    use crate::srp::monty::{from_mont, reduce_biguint, to_biguint as big, to_mont};

    /// Every backend this CPU runs gives num-bigint's `modpow`, at the edges of the base (0, 1,
    /// N-1, all-ones limbs) and of the exponent (0, 1, one window, the SRP sizes).
    #[test]
    fn every_available_backend_agrees_with_num_bigint() {
        let n = &*super::super::group::N;
        let bases = [
            BigUint::from(0u8),
            BigUint::from(1u8),
            BigUint::from(2u8),
            n - 1u8,
            (BigUint::one() << 3071) + 12345u32,
            BigUint::from(3u8).pow(1900) + 7u8,
        ];
        let exponents = [
            BigUint::from(0u8),
            BigUint::from(1u8),
            BigUint::from(0x3fu8),
            (BigUint::one() << 256) - 1u8,
            BigUint::from(5u8).pow(110),
            (BigUint::one() << 1100) + 3u8,
        ];
        let backends = Backend::available();
        assert_eq!(backends[0], Backend::Portable);
        assert!(backends.contains(&Backend::active()));
        for backend in backends {
            for base in &bases {
                let mont = to_mont(&reduce_biguint(base));
                for e in &exponents {
                    let got = big(&from_mont(&pow_on(backend, &mont, &Exponent::new(e))));
                    assert_eq!(got, base.modpow(e, n), "{} {base}^{e}", backend.name());
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// Random bases and 256-bit exponents (the server's sizes) on every backend.
        #[test]
        fn backends_agree_on_random_operands(
            base in proptest::collection::vec(proptest::prelude::any::<u32>(), 96),
            e in proptest::collection::vec(proptest::prelude::any::<u32>(), 8),
        ) {
            let n = &*super::super::group::N;
            let (base, e) = (BigUint::from_slice(&base) % n, BigUint::from_slice(&e));
            let want = base.modpow(&e, n);
            let mont = to_mont(&reduce_biguint(&base));
            for backend in Backend::available() {
                let got = big(&from_mont(&pow_on(backend, &mont, &Exponent::new(&e))));
                proptest::prop_assert_eq!(&got, &want, "{}", backend.name());
            }
        }
    }
}
