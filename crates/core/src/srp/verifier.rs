//! The service side of USER_SRP_AUTH, for the reference server: the password verifier stored
//! at sign-up, and the per-sign-in session that issues `SRP_B` and checks the password claim
//! (cognito-srp.md "Server"; developer guide "User pool authentication flow").
//!
//! Stored state is kept small because the reference server holds every user in memory: a
//! [`Verifier`] is 402 bytes inline (`v` as 384 fixed-width bytes, the salt's PAD form in 17
//! bytes plus a length) and owns no heap memory.
//!
//! Per sign-in CPU (the reference server's budget is 3 ms for the whole sign-in, two RS256
//! signatures included) is one fixed-base `g^b` at InitiateAuth and two exponentiations with
//! 256-bit exponents (`v^u`, then `^b`) at RespondToAuthChallenge; `benches/srp.rs` measures
//! both.

use aws_lc_rs::constant_time;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use num_bigint::{BigInt, BigUint, Sign};
use num_traits::Zero;
use rand::RngCore;

use super::SrpError;
use super::client::PasswordVerifierResponse;
use super::group::{LIMBS, Limbs};
use super::math::{self, KEY_LEN};
use super::monty;

/// Bytes of randomness in a sign-up salt.
pub const SALT_BYTES: usize = 16;

/// Longest salt a [`Verifier`] stores, in PAD bytes: 16 bytes of magnitude plus a sign byte.
pub const MAX_SALT_PAD_LEN: usize = SALT_BYTES + 1;

/// Bytes of randomness in the server's private `b` (SRP-6a asks for at least 256 bits).
pub const B_BYTES: usize = 32;

/// Bytes of a stored `v` (fixed width, big-endian; this is storage, not PAD).
pub const V_BYTES: usize = LIMBS * 8;

/// A user's password verifier: `s` and `v = g^x mod N`, where
/// `x = H(PAD(s) | H(poolName | I | ":" | P))`.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    /// `PAD(s)` in the first `salt_len` bytes.
    salt_pad: [u8; MAX_SALT_PAD_LEN],
    salt_len: u8,
    v: [u8; V_BYTES],
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("salt", &self.salt_hex())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Sign-up: a fresh 16-byte salt from `rng`, then `v = g^x mod N`.
    pub fn new(
        pool_id: &str,
        user_id_for_srp: &str,
        password: &str,
        rng: &mut impl RngCore,
    ) -> Result<Self, SrpError> {
        let mut salt = [0u8; SALT_BYTES];
        rng.fill_bytes(&mut salt);
        Self::with_salt(salt, pool_id, user_id_for_srp, password)
    }

    /// Sign-up with a given salt, read as a non-negative big-endian integer (the wire form is
    /// its minimal non-negative hex).
    pub fn with_salt(
        salt: [u8; SALT_BYTES],
        pool_id: &str,
        user_id_for_srp: &str,
        password: &str,
    ) -> Result<Self, SrpError> {
        let pool_name = math::pool_name(pool_id)?;
        let salt = BigInt::from_biguint(Sign::Plus, BigUint::from_bytes_be(&salt));
        let x = math::compute_x(&salt, pool_name, user_id_for_srp, password);
        Self::from_parts(&math::to_wire_hex(&salt), &math::compute_v(&x))
    }

    /// A verifier from stored or imported parts: the salt as wire hex (negative salts, which
    /// Cognito has issued, are kept as they are) and `v`.
    pub fn from_parts(salt_hex: &str, v: &BigUint) -> Result<Self, SrpError> {
        let salt = math::parse_wire_hex("SALT", salt_hex)?;
        let pad = math::pad(&salt);
        if pad.len() > MAX_SALT_PAD_LEN {
            return Err(SrpError::SaltTooLong {
                len: pad.len(),
                max: MAX_SALT_PAD_LEN,
            });
        }
        if v.is_zero() || v >= &*math::N {
            return Err(SrpError::BadVerifier);
        }
        let mut salt_pad = [0u8; MAX_SALT_PAD_LEN];
        salt_pad[..pad.len()].copy_from_slice(&pad);
        Ok(Verifier {
            salt_pad,
            salt_len: pad.len() as u8,
            v: monty::to_be_bytes(&monty::reduce_biguint(v)),
        })
    }

    /// The salt as an integer.
    pub fn salt(&self) -> BigInt {
        BigInt::from_signed_bytes_be(&self.salt_pad[..usize::from(self.salt_len)])
    }

    /// SALT for the PASSWORD_VERIFIER challenge, as Java hex.
    pub fn salt_hex(&self) -> String {
        math::to_wire_hex(&self.salt())
    }

    /// `v = g^x mod N`.
    pub fn v(&self) -> BigUint {
        BigUint::from_bytes_be(&self.v)
    }

    fn v_limbs(&self) -> Limbs {
        // Checked below N when the verifier was made.
        monty::from_be_bytes(&self.v).unwrap_or([0; LIMBS])
    }
}

/// One sign-in on the server: created at InitiateAuth (issuing `SRP_B`), consumed at
/// RespondToAuthChallenge (checking PASSWORD_CLAIM_SIGNATURE).
///
/// Binding it to SECRET_BLOCK, expiry and single use is the server's job.
#[derive(Clone)]
pub struct ServerSession {
    /// `A mod N`
    a_pub: Limbs,
    v: Limbs,
    b: BigUint,
    /// `B = (k·v + g^b) mod N`
    b_pub: Limbs,
    /// `u = H(PAD(A) | PAD(B))`
    u: BigUint,
}

impl std::fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSession")
            .field("u", &self.u)
            .finish_non_exhaustive()
    }
}

impl ServerSession {
    /// `B = (k·v + g^b) mod N` and `u = H(PAD(A) | PAD(B))` for the client's SRP_A.
    ///
    /// Rejects `A mod N = 0` ([`SrpError::ZeroA`]: InvalidParameterException), `b = 0` and
    /// `u = 0`. `b` should carry at least 256 random bits ([`ServerSession::from_rng`]).
    pub fn new(verifier: &Verifier, a_pub_hex: &str, b: BigUint) -> Result<Self, SrpError> {
        let a_wire = math::parse_wire_hex("SRP_A", a_pub_hex)?;
        if math::is_zero_mod_n(&a_wire) {
            return Err(SrpError::ZeroA);
        }
        if b.is_zero() {
            return Err(SrpError::ZeroPrivateExponent { which: "b" });
        }
        let v = verifier.v_limbs();
        let b_pub = math::compute_b_pub_limbs(&v, &b);
        // u hashes A as the client sent it (the client hashes the same string's integer).
        let u = math::compute_u(&a_wire, &BigInt::from(monty::to_biguint(&b_pub)));
        if u.is_zero() {
            return Err(SrpError::ZeroU);
        }
        Ok(ServerSession {
            a_pub: math::reduce_signed(&a_wire),
            v,
            b,
            b_pub,
            u,
        })
    }

    /// Draws a 256-bit `b` from `rng`. A draw giving `b = 0` or `u = 0` is drawn again, a
    /// few times.
    pub fn from_rng(
        verifier: &Verifier,
        a_pub_hex: &str,
        rng: &mut impl RngCore,
    ) -> Result<Self, SrpError> {
        let mut bytes = [0u8; B_BYTES];
        let mut last = SrpError::ZeroU;
        for _ in 0..4 {
            rng.fill_bytes(&mut bytes);
            match Self::new(verifier, a_pub_hex, BigUint::from_bytes_be(&bytes)) {
                Err(e @ (SrpError::ZeroU | SrpError::ZeroPrivateExponent { .. })) => last = e,
                other => return other,
            }
        }
        Err(last)
    }

    /// `B = (k·v + g^b) mod N`.
    pub fn b_pub(&self) -> BigUint {
        monty::to_biguint(&self.b_pub)
    }

    /// SRP_B for the PASSWORD_VERIFIER challenge, as Java hex.
    pub fn b_pub_hex(&self) -> String {
        format!("{:x}", self.b_pub())
    }

    /// `u = H(PAD(A) | PAD(B))`.
    pub fn u(&self) -> &BigUint {
        &self.u
    }

    /// `S = (A · v^u mod N)^b mod N`.
    pub fn premaster_secret(&self) -> BigUint {
        monty::to_biguint(&self.premaster_limbs())
    }

    fn premaster_limbs(&self) -> Limbs {
        math::server_premaster_limbs(&self.a_pub, &self.v, &self.u, &self.b)
    }

    /// `K = HKDF(salt = PAD(u), ikm = PAD(S), "Caldera Derived Key")[..16]`.
    pub fn session_key(&self) -> [u8; KEY_LEN] {
        math::derive_key(&self.u, &self.premaster_secret())
    }

    /// Checks a PASSWORD_VERIFIER answer; on success returns its TIMESTAMP.
    ///
    /// Order: the strict TIMESTAMP parse first (a malformed one is InvalidParameterException
    /// whatever the password), then the base64 fields, then S, K and the signature, compared
    /// in constant time. `user_id_for_srp` is the server's own record of the user, not the
    /// USERNAME the client echoed.
    pub fn verify(
        &self,
        pool_id: &str,
        user_id_for_srp: &str,
        response: &PasswordVerifierResponse,
    ) -> Result<DateTime<Utc>, SrpError> {
        let timestamp = math::parse_timestamp(&response.timestamp)?;
        let pool_name = math::pool_name(pool_id)?;
        let secret_block = math::decode_secret_block(&response.password_claim_secret_block)?;
        let claimed = base64::engine::general_purpose::STANDARD
            .decode(&response.password_claim_signature)
            .map_err(|_| SrpError::BadSignatureEncoding)?;
        let expected = math::password_claim_signature(
            &self.session_key(),
            pool_name,
            user_id_for_srp,
            &secret_block,
            &response.timestamp,
        );
        constant_time::verify_slices_are_equal(&expected, &claimed)
            .map_err(|_| SrpError::SignatureMismatch)?;
        Ok(timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_verifier_is_402_bytes_with_no_heap() {
        assert_eq!(std::mem::size_of::<Verifier>(), 402);
    }

    #[test]
    fn verifier_rejects_out_of_range_parts() {
        let n = &*math::N;
        assert_eq!(
            Verifier::from_parts("1", &BigUint::zero()),
            Err(SrpError::BadVerifier)
        );
        assert_eq!(Verifier::from_parts("1", n), Err(SrpError::BadVerifier));
        assert_eq!(
            Verifier::from_parts(&"f".repeat(34), &BigUint::from(4u8)),
            Err(SrpError::SaltTooLong { len: 18, max: 17 })
        );
        let v = Verifier::from_parts("-16e4", &BigUint::from(4u8)).unwrap();
        assert_eq!(v.salt_hex(), "-16e4");
    }
}
