//! Wrappers that keep secrets out of logs.
//!
//! Passwords, client secrets, tokens, confirmation codes, challenge sessions and SRP values travel
//! in the same structs as harmless identifiers. Every such member is a [`Sensitive`], whose
//! `Debug` prints `<redacted>`, and the string maps of `AuthParameters`, `ChallengeParameters`
//! and `ChallengeResponses` are a [`ParamMap`], whose `Debug` shows only values under keys known
//! to be identifiers. Both serialize exactly as the plain value, so the wire shape is unchanged.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

/// Text shown by `Debug` in place of a secret.
pub const REDACTED: &str = "<redacted>";

/// A string whose value never appears in `Debug` output.
///
/// Serializes as the bare string. There is deliberately no `Display`: reaching the value takes
/// an explicit [`Sensitive::expose`].
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call sites are easy to audit by searching for `expose`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Comparison whose time does not depend on where the values first differ (for servers
    /// checking a presented secret).
    pub fn ct_eq(&self, other: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(self.0.as_bytes(), other.as_bytes())
            .is_ok()
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Sensitive {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<&String> for Sensitive {
    fn from(value: &String) -> Self {
        Self(value.clone())
    }
}

/// Keys of `AuthParameters` / `ChallengeParameters` / `ChallengeResponses` whose values are
/// identifiers or public metadata and may be shown by `Debug`. Every other key (PASSWORD,
/// NEW_PASSWORD, SECRET_HASH, SRP_A, SRP_B, SALT, SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE,
/// PASSWORD_CLAIM_SECRET_BLOCK, REFRESH_TOKEN, *_MFA_CODE, ANSWER, ...) is redacted: an
/// allow-list fails safe when a new secret key appears.
pub const PUBLIC_PARAM_KEYS: &[&str] = &[
    "USERNAME",
    "USER_ID_FOR_SRP",
    "DEVICE_KEY",
    "TIMESTAMP",
    "CHALLENGE_NAME",
    "CODE_DELIVERY_DELIVERY_MEDIUM",
    "CODE_DELIVERY_DESTINATION",
    "MFAS_CAN_CHOOSE",
    "MFAS_CAN_SETUP",
    "PREFERRED_CHALLENGE",
    "requiredAttributes",
];

/// A string-to-string map (`AuthParameters`, `ChallengeParameters`, `ChallengeResponses`,
/// `ClientMetadata`-like members) whose `Debug` redacts every value not under a
/// [`PUBLIC_PARAM_KEYS`] key.
///
/// Dereferences to the inner `BTreeMap`, so `params.get("USERNAME")` and `params.insert(..)`
/// work directly.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParamMap(pub BTreeMap<String, String>);

impl ParamMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builder-style insert.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }

    pub fn into_inner(self) -> BTreeMap<String, String> {
        self.0
    }
}

impl Deref for ParamMap {
    type Target = BTreeMap<String, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for ParamMap {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<BTreeMap<String, String>> for ParamMap {
    fn from(value: BTreeMap<String, String>) -> Self {
        Self(value)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for ParamMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl fmt::Debug for ParamMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.0 {
            if PUBLIC_PARAM_KEYS.contains(&key.as_str()) {
                map.entry(key, value);
            } else {
                map.entry(key, &format_args!("{REDACTED}"));
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_debug_hides_the_value_and_serde_is_transparent() {
        let s = Sensitive::from("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
        let back: Sensitive = serde_json::from_str("\"hunter2\"").unwrap();
        assert_eq!(back.expose(), "hunter2");
        assert!(back.ct_eq("hunter2"));
        assert!(!back.ct_eq("hunter3"));
    }

    #[test]
    fn param_map_debug_shows_only_public_keys() {
        let m = ParamMap::new()
            .with("USERNAME", "alice")
            .with("PASSWORD", "Correct-Horse-1")
            .with("SRP_A", "abcdef0123")
            .with("SECRET_HASH", "c2VjcmV0");
        let shown = format!("{m:?}");
        assert!(shown.contains("alice"), "{shown}");
        assert!(!shown.contains("Correct-Horse-1"), "{shown}");
        assert!(!shown.contains("abcdef0123"), "{shown}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            serde_json::json!({"USERNAME":"alice","PASSWORD":"Correct-Horse-1","SRP_A":"abcdef0123","SECRET_HASH":"c2VjcmV0"})
        );
    }
}
