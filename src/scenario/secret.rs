//! A redacting wrapper for credentials read from a scenario (client secrets, passwords).
//!
//! `Debug` and `Display` print `***`, so a secret can sit in any struct that is logged or
//! printed in an error without leaking. The value is reached only through [`Secret::expose`].

use std::fmt;

/// A string that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// Hands a scenario secret to the wire client's redacting type.
impl From<&Secret> for crate::protocol::Sensitive {
    fn from(secret: &Secret) -> Self {
        crate::protocol::Sensitive::new(secret.expose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(***)");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"***\"");
        assert_eq!(secret.expose(), "hunter2");
        let sensitive = crate::protocol::Sensitive::from(&secret);
        assert_eq!(sensitive.expose(), "hunter2");
        assert!(!format!("{sensitive:?}").contains("hunter2"));
    }
}
