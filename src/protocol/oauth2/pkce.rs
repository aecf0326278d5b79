//! PKCE (RFC 7636) for the code grant: the verifier, its S256 challenge and the verifier
//! syntax check. Pure; the server checks challenges with the same [`code_challenge_s256`].

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::protocol::sensitive::Sensitive;

/// A PKCE pair (RFC 7636): the secret verifier and its S256 challenge, the only method Cognito
/// supports (guide, "Login endpoint", `code_challenge_method`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: Sensitive,
    pub challenge: String,
}

/// A code verifier outside RFC 7636 §4.1 (43-128 characters of `[A-Za-z0-9-._~]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid PKCE code verifier: must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (got {len})"
)]
pub struct InvalidVerifier {
    pub len: usize,
}

/// `BASE64URL-NOPAD(SHA256(ASCII(verifier)))` (RFC 7636 §4.2, S256).
pub fn code_challenge_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref())
}

impl Pkce {
    pub const METHOD: &'static str = "S256";

    /// A pair from 32 bytes of caller-supplied randomness: the verifier is their base64url
    /// encoding (43 characters, 256 bits of entropy, as RFC 7636 §4.1 recommends).
    pub fn from_entropy(entropy: [u8; 32]) -> Self {
        let verifier = URL_SAFE_NO_PAD.encode(entropy);
        let challenge = code_challenge_s256(&verifier);
        Self {
            verifier: Sensitive::new(verifier),
            challenge,
        }
    }

    /// A pair for a given verifier, checked against RFC 7636 §4.1.
    pub fn from_verifier(verifier: &str) -> Result<Self, InvalidVerifier> {
        let ok_len = (43..=128).contains(&verifier.len());
        let ok_chars = verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !(ok_len && ok_chars) {
            return Err(InvalidVerifier {
                len: verifier.chars().count(),
            });
        }
        Ok(Self {
            verifier: Sensitive::new(verifier),
            challenge: code_challenge_s256(verifier),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc7636_appendix_b() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        // Appendix B's octets are the verifier's entropy.
        let entropy = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let q = Pkce::from_entropy(entropy);
        assert_eq!(
            q.verifier.expose(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        assert_eq!(q.challenge, p.challenge);
        assert!(!format!("{q:?}").contains("dBjft"));
    }

    #[test]
    fn pkce_rejects_bad_verifiers() {
        assert!(Pkce::from_verifier("short").is_err());
        assert!(Pkce::from_verifier(&"a".repeat(129)).is_err());
        assert!(Pkce::from_verifier(&format!("{}!", "a".repeat(43))).is_err());
        assert!(Pkce::from_verifier(&"a~.-_".repeat(9)).is_ok());
    }
}
