//! The SRP group: the RFC 5054 3072-bit prime N, the generator g, and the fixed-width limb
//! form every exponentiation works in.
//!
//! These constants are shared by the formulas (`math.rs`), the portable Montgomery code
//! (`monty.rs`), the IFMA code (`ifma.rs`) and the generator table (`fixed_base.rs`); they live
//! here, below all of them, so that each of those depends on this file and none on another for
//! N. `k = H(PAD(N) | PAD(g))` depends on Cognito's PAD and stays with the formulas in `math.rs`.

use std::sync::LazyLock;

use num_bigint::BigUint;

/// N: the 3072-bit prime of RFC 5054 appendix A (= RFC 3526 group 15), lowercase hex.
pub const N_HEX: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
    "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
    "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
    "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
    "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
    "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
    "08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff",
);

/// N, the group modulus.
pub static N: LazyLock<BigUint> =
    LazyLock::new(|| BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("N_HEX is hexadecimal"));

/// g = 2, the generator.
pub static G: LazyLock<BigUint> = LazyLock::new(|| BigUint::from(2u8));

/// Limbs in a residue modulo N (3072 bits / 64).
pub(crate) const LIMBS: usize = 48;

/// A residue modulo N, little-endian 64-bit limbs.
pub(crate) type Limbs = [u64; LIMBS];

/// N as limbs, parsed at compile time from the RFC 5054 hex.
pub(crate) const N_LIMBS: Limbs = limbs_from_hex(N_HEX);

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
