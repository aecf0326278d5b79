//! `string_enum!`: enumerations carried on the wire as strings.
//!
//! AWS enumerations (auth flows, challenge names, error codes, OAuth error codes) grow over time
//! and emulators invent values. Each becomes a Rust enum of the documented values plus
//! `Other(String)`, so decoding never fails on a new value and the value round-trips verbatim.

/// Defines an enumeration carried on the wire as a string: the documented values as unit
/// variants, anything else as `Other(String)`. Serializes as the plain string.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $( $variant, )+
            /// A value outside the documented set, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every documented value.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// The documented variant for `s`, or `Other(s)`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl Default for $name {
            /// An empty `Other`: the value has not been set.
            fn default() -> Self {
                $name::Other(String::new())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $wire => $name::$variant, )+
                    _ => $name::Other(s),
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Other(s) => s,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
