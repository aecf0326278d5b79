//! A pool's password policy ("Password policies" in the guide: minimum length and required
//! character classes; the default policy requires 8 characters and all four classes) and the
//! InvalidPasswordException messages Cognito answers with (ground truth §3.31: one unmet rule
//! per response).

use crate::protocol::ops::PasswordPolicyType;

/// The special characters of the guide's "Password policies"; the space counts too.
pub const SPECIAL: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// The rules a pool enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Default 8.
    pub minimum_length: usize,
    /// Default true.
    pub require_uppercase: bool,
    /// Default true.
    pub require_lowercase: bool,
    /// Default true.
    pub require_numbers: bool,
    /// Default true.
    pub require_symbols: bool,
    /// Days a temporary password stays valid. Default 7.
    pub temporary_password_validity_days: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

impl PasswordPolicy {
    /// The policy CreateUserPool asked for; absent members take the defaults.
    pub fn from_wire(p: Option<&PasswordPolicyType>) -> Self {
        let d = Self::default();
        let Some(p) = p else { return d };
        PasswordPolicy {
            minimum_length: p
                .minimum_length
                .map(|n| n.clamp(6, 99) as usize)
                .unwrap_or(d.minimum_length),
            require_uppercase: p.require_uppercase.unwrap_or(d.require_uppercase),
            require_lowercase: p.require_lowercase.unwrap_or(d.require_lowercase),
            require_numbers: p.require_numbers.unwrap_or(d.require_numbers),
            require_symbols: p.require_symbols.unwrap_or(d.require_symbols),
            temporary_password_validity_days: p
                .temporary_password_validity_days
                .unwrap_or(d.temporary_password_validity_days),
        }
    }

    pub fn to_wire(&self) -> PasswordPolicyType {
        PasswordPolicyType {
            minimum_length: Some(self.minimum_length as i64),
            require_uppercase: Some(self.require_uppercase),
            require_lowercase: Some(self.require_lowercase),
            require_numbers: Some(self.require_numbers),
            require_symbols: Some(self.require_symbols),
            password_history_size: None,
            temporary_password_validity_days: Some(self.temporary_password_validity_days),
        }
    }

    /// The first unmet rule, as Cognito words it.
    pub fn check(&self, password: &str) -> Result<(), String> {
        const PREFIX: &str = "Password did not conform with password policy: ";
        let fail = |rule: &str| Err(format!("{PREFIX}{rule}"));
        if password.chars().count() < self.minimum_length {
            return fail("Password not long enough");
        }
        if self.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
            return fail("Password must have lowercase characters");
        }
        if self.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
            return fail("Password must have uppercase characters");
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return fail("Password must have numeric characters");
        }
        if self.require_symbols && !password.chars().any(|c| SPECIAL.contains(c)) {
            return fail("Password must have symbol characters");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_names_the_first_unmet_rule() {
        let p = PasswordPolicy::default();
        assert_eq!(
            p.check("Ab1!").unwrap_err(),
            "Password did not conform with password policy: Password not long enough"
        );
        assert!(
            p.check("ABCDEFG1!")
                .unwrap_err()
                .ends_with("lowercase characters")
        );
        assert!(
            p.check("abcdefg1!")
                .unwrap_err()
                .ends_with("uppercase characters")
        );
        assert!(
            p.check("Abcdefgh!")
                .unwrap_err()
                .ends_with("numeric characters")
        );
        assert!(
            p.check("Abcdefgh1")
                .unwrap_err()
                .ends_with("symbol characters")
        );
        assert_eq!(p.check("Abcdefg1!"), Ok(()));
        assert_eq!(p.check("Abcdefg1 "), Ok(()), "space is a special character");
    }

    #[test]
    fn relaxed_policy_from_the_wire() {
        let p = PasswordPolicy::from_wire(Some(&PasswordPolicyType {
            minimum_length: Some(6),
            require_symbols: Some(false),
            require_uppercase: Some(false),
            ..Default::default()
        }));
        assert_eq!(p.check("abc123"), Ok(()));
        assert!(p.check("abc12").is_err());
    }
}
