//! A precomputed table of powers of the generator g = 2, so that `g^e` costs one Montgomery
//! product per 6-bit digit of `e` and no squarings.
//!
//! Every sign-in needs `g^a` (client), `g^x` (client, inside `v = g^x`) and `g^b` (server). With
//! a 1024-bit `a`, a plain exponentiation is ~1024 squarings; with the table it is at most 171
//! products, so a client sign-in costs about one variable-base exponentiation
//! (`S = (B - k·v)^(a + u·x)`) plus small change (cognito-srp.md, "Cost").
//!
//! Layout: row `i` holds `g^(d·2^(6i))` for `d = 1..=63`, in Montgomery form. 171 rows cover
//! exponents up to 1026 bits: 171 × 63 × 384 bytes = 4,136,832 bytes (3.95 MiB). The table is
//! built once, lazily, by the first caller (or eagerly by a server at start-up through
//! [`g_table`]); longer exponents fall back to the variable-base path.

use std::sync::LazyLock;

use num_bigint::BigUint;

use super::backend::{self, Backend};
use super::group::{LIMBS, Limbs};
use super::monty::{self, Exponent};

/// Window width of the default table (bits of exponent per product).
pub const WINDOW: usize = 6;

/// Exponent bits the default table covers (a 128-byte `a` is at most 1024 bits).
pub const COVERED_BITS: usize = 1024;

static G_TABLE: LazyLock<GTable> = LazyLock::new(|| GTable::build(WINDOW, COVERED_BITS));

/// The process-wide table for g, built on first use (3.95 MiB; about 50 ms on the project's
/// machines, see `table_build` in `benches/srp.rs`).
pub fn g_table() -> &'static GTable {
    &G_TABLE
}

/// Fixed-base powers of g = 2 modulo N.
pub struct GTable {
    window: usize,
    rows: usize,
    /// `rows × (2^window - 1)` residues in Montgomery form, row-major.
    entries: Vec<Limbs>,
}

impl std::fmt::Debug for GTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GTable")
            .field("window", &self.window)
            .field("rows", &self.rows)
            .field("memory_bytes", &self.memory_bytes())
            .finish()
    }
}

impl GTable {
    /// Builds a table with `window`-bit digits covering exponents of up to `covered_bits`
    /// bits. Costs one Montgomery product per entry.
    ///
    /// # Panics
    /// If `window` is not in `1..=10` (a programming error, not an input error).
    pub fn build(window: usize, covered_bits: usize) -> Self {
        assert!((1..=10).contains(&window), "window must be 1..=10 bits");
        let rows = covered_bits.div_ceil(window).max(1);
        let per_row = (1usize << window) - 1;
        let mut entries = Vec::with_capacity(rows * per_row);
        // base = g^(2^(window·row)), starting from g = 2.
        let mut two = [0u64; LIMBS];
        two[0] = 2;
        let mut base = monty::to_mont(&two);
        for _ in 0..rows {
            let start = entries.len();
            entries.push(base);
            for d in 1..per_row {
                let next = monty::mul(&entries[start + d - 1], &base);
                entries.push(next);
            }
            // g^(2^(window·(row+1))) = g^((2^window - 1)·2^(window·row)) · base.
            base = monty::mul(&entries[start + per_row - 1], &base);
        }
        GTable {
            window,
            rows,
            entries,
        }
    }

    /// Heap bytes held by the table.
    pub fn memory_bytes(&self) -> usize {
        self.entries.len() * std::mem::size_of::<Limbs>()
    }

    /// Largest exponent size (bits) served from the table.
    pub fn covered_bits(&self) -> usize {
        self.rows * self.window
    }

    /// `g^e mod N` as a plain integer.
    pub fn pow(&self, e: &BigUint) -> BigUint {
        monty::to_biguint(&monty::from_mont(&self.pow_mont(&Exponent::new(e))))
    }

    /// `g^e` in Montgomery form: one product per nonzero digit.
    pub(crate) fn pow_mont(&self, e: &Exponent) -> Limbs {
        if e.bits() > self.covered_bits() {
            return backend::pow(&self.entries[0], e);
        }
        self.pow_on(Backend::active(), e)
    }

    /// [`GTable::pow_mont`] on a chosen backend, for exponents the table covers.
    pub(crate) fn pow_on(&self, backend: Backend, e: &Exponent) -> Limbs {
        let per_row = (1usize << self.window) - 1;
        let used_rows = e.bits().div_ceil(self.window);
        let entries = (0..used_rows).filter_map(|row| {
            let digit = e.window(row * self.window, self.window);
            (digit != 0).then(|| &self.entries[row * per_row + digit - 1])
        });
        #[cfg(target_arch = "x86_64")]
        if backend == Backend::Ifma
            && used_rows <= super::ifma::MAX_FACTORS
            && super::ifma::available()
        {
            return super::ifma::product(entries);
        }
        let _ = backend;
        entries
            .copied()
            .reduce(|a, entry| monty::mul(&a, &entry))
            .unwrap_or(monty::ONE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::One;

    #[test]
    fn small_table_matches_modpow_inside_and_beyond_its_range() {
        let table = GTable::build(4, 64);
        let n = &*super::super::group::N;
        let two = BigUint::from(2u8);
        for e in [
            BigUint::from(0u8),
            BigUint::from(1u8),
            BigUint::from(0x10u8),
            BigUint::from(u64::MAX),
            (BigUint::one() << 64) + 5u8,
            BigUint::from(3u8).pow(200),
        ] {
            assert_eq!(table.pow(&e), two.modpow(&e, n), "exponent {e}");
        }
        assert_eq!(table.memory_bytes(), 16 * 15 * 384);
    }

    /// Every backend gives `2^e`: on the default table at the SRP sizes, and on a one-bit
    /// table whose exponents need up to 300 factors, past what the IFMA product takes in one
    /// go (all-ones exponents of 256 bits are exactly that limit).
    #[test]
    fn every_backend_agrees_with_modpow() {
        let n = &*super::super::group::N;
        let two = BigUint::from(2u8);
        let one_bit = GTable::build(1, 300);
        let cases = [
            (g_table(), BigUint::from(0u8)),
            (g_table(), BigUint::from(1u8)),
            (g_table(), (BigUint::one() << 256) - 1u8),
            (g_table(), (BigUint::one() << 1024) - 1u8),
            (g_table(), BigUint::from(7u8).pow(360) + 1u8),
            (&one_bit, (BigUint::one() << 256) - 1u8),
            (&one_bit, (BigUint::one() << 300) - 1u8),
        ];
        for backend in Backend::available() {
            for (table, e) in &cases {
                let got = monty::from_mont(&table.pow_on(backend, &Exponent::new(e)));
                assert_eq!(
                    monty::to_biguint(&got),
                    two.modpow(e, n),
                    "{} 2^{e}",
                    backend.name()
                );
            }
        }
    }
}
