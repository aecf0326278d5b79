//! SRP-6a as Amazon Cognito runs it for USER_SRP_AUTH / PASSWORD_VERIFIER, both sides.
//!
//! - [`math`]: the formulas (`k`, `u`, `x`, `S`, the derived key, the claim signature) and the
//!   wire encodings they hinge on (`PAD`, Java hex, `TIMESTAMP`); pure functions.
//! - [`client`]: what a signing-in app computes ([`SrpClient`]); used by the load engine and the
//!   conformance runner through the protocol client, which adds SECRET_HASH.
//! - [`verifier`]: what the service computes ([`Verifier`] at sign-up, [`ServerSession`] per
//!   sign-in); used by the reference server.
//! - [`fixed_base`]: the precomputed powers of g that keep a sign-in near one exponentiation.
//! - `group` (private): the group constants N and g and the limb form of a residue; every
//!   file below depends on it, none on another for N.
//! - `monty` (private): fixed-width Montgomery arithmetic modulo N; `ifma` (private, x86-64):
//!   the same exponentiation with AVX-512 IFMA; `backend` (private) chooses between them at
//!   run time ([`Backend`]).
//!
//! Cost: with the portable code a client sign-in is about 0.85 of one num-bigint 3072-bit
//! `modpow` with a 1024-bit exponent, and the server's share (InitiateAuth +
//! RespondToAuthChallenge) about 0.4 of one; with AVX-512 IFMA, 0.15 and 0.07. `benches/srp.rs`
//! measures both against that unit in the same run (docs/benchmarks.md, "SRP backends"). The hot loops are in
//! `monty.rs`, inside this crate, so they run at the crate's optimisation level: in an
//! unoptimised (debug) build a sign-in costs a few hundred milliseconds.
//!
//! Randomness and the clock are parameters (`&mut impl RngCore`, `DateTime<Utc>`), so every
//! computation here is deterministic under test. The exact computation, with the pitfalls other
//! implementations fell into, is written down in `cognito-srp.md`; the flow is the developer
//! guide's "User pool authentication flow".

mod backend;
pub mod client;
pub mod fixed_base;
mod group;
#[cfg(target_arch = "x86_64")]
mod ifma;
pub mod math;
mod monty;
pub mod verifier;

pub use backend::Backend;
pub use client::{PasswordVerifierChallenge, PasswordVerifierResponse, SessionKeys, SrpClient};
pub use verifier::{ServerSession, Verifier};

/// Why an SRP step refused its input. Match on the variant, not the message.
///
/// For the reference server, the Cognito answer each maps to: [`SrpError::ZeroA`], [`SrpError::BadHex`]
/// and [`SrpError::MalformedTimestamp`] are InvalidParameterException (the latter with
/// exactly this variant's message); [`SrpError::NonCanonicalTimestamp`],
/// [`SrpError::BadSecretBlock`], [`SrpError::BadSignatureEncoding`] and
/// [`SrpError::SignatureMismatch`] are NotAuthorizedException "Incorrect username or password.".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    /// A wire integer is not `BigInteger.toString(16)` output (an optional `-`, then hex digits).
    #[error("{field} is not a hexadecimal integer")]
    BadHex { field: &'static str },
    /// `A mod N = 0`: the server must refuse it, or any password would verify.
    #[error("SRP_A mod N is zero")]
    ZeroA,
    /// `B mod N = 0`: the client must refuse it (SRP-6a safeguard).
    #[error("SRP_B mod N is zero")]
    ZeroB,
    /// `u = H(PAD(A) | PAD(B))` is zero (SRP-6a safeguard; probability 2^-256).
    #[error("u = H(PAD(A) | PAD(B)) is zero")]
    ZeroU,
    /// A private exponent (`a` or `b`) of zero would publish `1` or `k·v + 1`.
    #[error("the private SRP exponent {which} is zero")]
    ZeroPrivateExponent { which: &'static str },
    /// The pool id has no `_`, so it has no pool name to hash.
    #[error("pool id {pool_id:?} is not of the form <region>_<name>")]
    BadPoolId { pool_id: String },
    /// TIMESTAMP is not a date in the pattern; Cognito's own message.
    #[error("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")]
    MalformedTimestamp,
    /// TIMESTAMP names a real instant but not in canonical form (zero-padded day, wrong
    /// weekday, ...); Cognito signs over the canonical form, so this cannot verify.
    #[error("TIMESTAMP is not in canonical form (expected {canonical:?})")]
    NonCanonicalTimestamp { canonical: String },
    /// SECRET_BLOCK / PASSWORD_CLAIM_SECRET_BLOCK is not standard base64.
    #[error("SECRET_BLOCK is not valid base64")]
    BadSecretBlock,
    /// PASSWORD_CLAIM_SIGNATURE is not standard base64.
    #[error("PASSWORD_CLAIM_SIGNATURE is not valid base64")]
    BadSignatureEncoding,
    /// A salt too long for a stored [`Verifier`] (more than 17 bytes once PADded).
    #[error("salt of {len} bytes is longer than a stored verifier holds ({max})")]
    SaltTooLong { len: usize, max: usize },
    /// A stored verifier `v` that is not in `[1, N)`.
    #[error("verifier v is not in [1, N)")]
    BadVerifier,
    /// The password claim does not verify: wrong password, or a tampered field.
    #[error("Incorrect username or password.")]
    SignatureMismatch,
}
