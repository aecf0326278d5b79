//! The client side of USER_SRP_AUTH: `SRP_A` for InitiateAuth, then the answer to the
//! PASSWORD_VERIFIER challenge for RespondToAuthChallenge (cognito-srp.md "Client", steps 1-10;
//! developer guide "User pool authentication flow").
//!
//! The private `a` and the clock come from the caller, so a sign-in is a pure function of its
//! inputs. SECRET_HASH and DEVICE_KEY are the protocol module's business: they do not depend on
//! the SRP state.

use chrono::{DateTime, Utc};
use num_bigint::{BigInt, BigUint};
use num_traits::Zero;
use rand::RngCore;

use super::SrpError;
use super::math::{self, KEY_LEN};

/// Bytes of randomness in `a`, as the AWS SDKs draw it.
pub const A_BYTES: usize = 128;

/// The PASSWORD_VERIFIER ChallengeParameters, as wire strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordVerifierChallenge {
    /// SALT: Java hex, possibly odd-length or negative.
    pub salt: String,
    /// SRP_B: Java hex.
    pub srp_b: String,
    /// SECRET_BLOCK: opaque base64, returned unchanged and covered by the signature.
    pub secret_block: String,
    /// USER_ID_FOR_SRP: the internal user name; it, not the typed alias, goes into x and the
    /// signature (pitfall 5).
    pub user_id_for_srp: String,
    /// USERNAME as the service echoed it.
    pub username: String,
}

impl PasswordVerifierChallenge {
    /// The challenge from the InitiateAuth answer's ChallengeParameters; `parameter` gives
    /// each by its wire name (SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME) and
    /// decides what a missing one is.
    pub fn from_parameters(mut parameter: impl FnMut(&str) -> String) -> Self {
        PasswordVerifierChallenge {
            salt: parameter("SALT"),
            srp_b: parameter("SRP_B"),
            secret_block: parameter("SECRET_BLOCK"),
            user_id_for_srp: parameter("USER_ID_FOR_SRP"),
            username: parameter("USERNAME"),
        }
    }
}

/// The PASSWORD_VERIFIER ChallengeResponses this module produces (SECRET_HASH and DEVICE_KEY
/// are added by the protocol layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordVerifierResponse {
    /// USERNAME = USER_ID_FOR_SRP.
    pub username: String,
    /// PASSWORD_CLAIM_SECRET_BLOCK = SECRET_BLOCK, unchanged.
    pub password_claim_secret_block: String,
    /// TIMESTAMP, `EEE MMM d HH:mm:ss UTC yyyy`.
    pub timestamp: String,
    /// PASSWORD_CLAIM_SIGNATURE, standard base64 of the HMAC.
    pub password_claim_signature: String,
}

/// The client's intermediate values for one challenge (exposed for known-answer tests and
/// diagnostics).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKeys {
    /// `u = H(PAD(A) | PAD(B))`
    pub u: BigUint,
    /// `x = H(PAD(s) | H(poolName | I | ":" | P))`
    pub x: BigUint,
    /// `S = (B - k·g^x)^(a + u·x) mod N`
    pub s: BigUint,
    /// `K = HKDF(salt = PAD(u), ikm = PAD(S), "Caldera Derived Key")[..16]`
    pub key: [u8; KEY_LEN],
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("u", &self.u)
            .finish_non_exhaustive()
    }
}

/// One client sign-in: the private `a` and its public `A = g^a mod N`.
#[derive(Clone)]
pub struct SrpClient {
    a: BigUint,
    a_pub: BigUint,
}

impl std::fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrpClient")
            .field("a_pub", &self.a_pub)
            .finish_non_exhaustive()
    }
}

impl SrpClient {
    /// `A = g^a mod N` for a given `a` (g^a is never 0 mod N; a must not be 0).
    pub fn new(a: BigUint) -> Result<Self, SrpError> {
        if a.is_zero() {
            return Err(SrpError::ZeroPrivateExponent { which: "a" });
        }
        let a_pub = math::compute_a_pub(&a);
        Ok(SrpClient { a, a_pub })
    }

    /// Draws `a` from 128 random bytes, as the AWS SDKs do. An all-zero draw (probability
    /// 2^-1024, or a broken generator) is drawn again, a few times, then refused.
    pub fn from_rng(rng: &mut impl RngCore) -> Result<Self, SrpError> {
        let mut bytes = [0u8; A_BYTES];
        let mut last = SrpError::ZeroPrivateExponent { which: "a" };
        for _ in 0..4 {
            rng.fill_bytes(&mut bytes);
            match Self::new(BigUint::from_bytes_be(&bytes)) {
                Ok(client) => return Ok(client),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// `A = g^a mod N`.
    pub fn a_pub(&self) -> &BigUint {
        &self.a_pub
    }

    /// SRP_A for InitiateAuth, as Java hex.
    pub fn a_pub_hex(&self) -> String {
        format!("{:x}", self.a_pub)
    }

    /// u, x, S and K for a challenge: the whole computation short of the signature.
    ///
    /// Rejects `B mod N = 0` and `u = 0`.
    pub fn session_keys(
        &self,
        challenge: &PasswordVerifierChallenge,
        pool_id: &str,
        password: &str,
    ) -> Result<SessionKeys, SrpError> {
        let pool_name = math::pool_name(pool_id)?;
        let b_pub = math::parse_wire_hex("SRP_B", &challenge.srp_b)?;
        let salt = math::parse_wire_hex("SALT", &challenge.salt)?;
        self.keys(
            &b_pub,
            &salt,
            pool_name,
            &challenge.user_id_for_srp,
            password,
        )
    }

    fn keys(
        &self,
        b_pub: &BigInt,
        salt: &BigInt,
        pool_name: &str,
        user_id_for_srp: &str,
        password: &str,
    ) -> Result<SessionKeys, SrpError> {
        if math::is_zero_mod_n(b_pub) {
            return Err(SrpError::ZeroB);
        }
        let u = math::compute_u(&BigInt::from(self.a_pub.clone()), b_pub);
        if u.is_zero() {
            return Err(SrpError::ZeroU);
        }
        let x = math::compute_x(salt, pool_name, user_id_for_srp, password);
        let s = math::client_premaster(b_pub, &x, &self.a, &u);
        let key = math::derive_key(&u, &s);
        Ok(SessionKeys { u, x, s, key })
    }

    /// The PASSWORD_VERIFIER ChallengeResponses for `challenge`, signed at `now`.
    ///
    /// Cheap checks on the wire strings come first (pool id, hex, base64); then B and u are
    /// checked before any secret-dependent work.
    pub fn respond(
        &self,
        challenge: &PasswordVerifierChallenge,
        pool_id: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<PasswordVerifierResponse, SrpError> {
        let pool_name = math::pool_name(pool_id)?;
        let b_pub = math::parse_wire_hex("SRP_B", &challenge.srp_b)?;
        let salt = math::parse_wire_hex("SALT", &challenge.salt)?;
        let secret_block = math::decode_secret_block_lenient(&challenge.secret_block)?;
        let keys = self.keys(
            &b_pub,
            &salt,
            pool_name,
            &challenge.user_id_for_srp,
            password,
        )?;
        let timestamp = math::format_timestamp(now);
        let signature = math::password_claim_signature(
            &keys.key,
            pool_name,
            &challenge.user_id_for_srp,
            &secret_block,
            &timestamp,
        );
        Ok(PasswordVerifierResponse {
            username: challenge.user_id_for_srp.clone(),
            password_claim_secret_block: challenge.secret_block.clone(),
            timestamp,
            password_claim_signature: math::encode_signature(&signature),
        })
    }
}
