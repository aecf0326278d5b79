//! The scenario file as written: serde types that mirror the YAML one to one, with
//! [`Spanned`] on every value that validation may need to point at.
//!
//! Nothing here interprets a value; validation turns a [`ScenarioDoc`] into the checked
//! `Scenario` model. Every struct denies unknown keys, and no type uses
//! `#[serde(flatten)]`, untagged or internally tagged enums: serde buffers those through a
//! generic content tree that drops locations. Executors therefore use a flat `load` map checked
//! per executor, and steps a one-key map (`- srp_sign_in: {...}`) read by a hand-written visitor.
//!
//! Defaults are applied by validation and documented on the checked model's fields.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

use crate::yaml::KeyTrail;

thread_local! {
    /// Keys of [`NamedMap`] entries being read, outermost first. Spanned keys show up as `?` in
    /// `serde_path_to_error`'s path; on an error the loader reads this trail to fill them in.
    static TRAIL: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The hook by which the loader fills user-chosen names into key paths.
pub(crate) const KEY_TRAIL: KeyTrail = KeyTrail {
    reset: reset_key_trail,
    take: take_key_trail,
};

fn reset_key_trail() {
    TRAIL.with(|trail| trail.borrow_mut().clear());
}

fn take_key_trail() -> Vec<String> {
    TRAIL.with(|trail| std::mem::take(&mut *trail.borrow_mut()))
}

/// A YAML mapping whose keys are user-chosen names (flows, threshold scopes), kept in file
/// order with the location of each name.
#[derive(Debug)]
pub struct NamedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for NamedMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for NamedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamedMapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for NamedMapVisitor<V> {
            type Value = NamedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to entries")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    TRAIL.with(|trail| trail.borrow_mut().push(key.value.clone()));
                    let value = map.next_value::<V>()?;
                    TRAIL.with(|trail| trail.borrow_mut().pop());
                    entries.push((key, value));
                }
                Ok(NamedMap(entries))
            }
        }
        deserializer.deserialize_map(NamedMapVisitor(std::marker::PhantomData))
    }
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDoc {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub target: Option<Spanned<TargetDoc>>,
    #[serde(default)]
    pub setup: Option<Spanned<SetupDoc>>,
    #[serde(default)]
    pub load: Option<Spanned<LoadDoc>>,
    pub flows: Spanned<NamedMap<Spanned<FlowDoc>>>,
    #[serde(default)]
    pub thresholds: Option<NamedMap<Spanned<Vec<Spanned<ThresholdDoc>>>>>,
    /// The account's request-rate quotas, `CATEGORY: RPS` (category names as in the guide).
    #[serde(default)]
    pub quotas: Option<NamedMap<Spanned<f64>>>,
}

/// One threshold: an expression (`"p(99)<300ms"`), or the long form
/// `{ threshold: "...", abort_on_fail: true, delay_abort_eval: 10s }`.
#[derive(Debug)]
pub enum ThresholdDoc {
    Plain(String),
    Long(Box<ThresholdLongDoc>),
}

/// The long form of a threshold (k6's `abortOnFail` and `delayAbortEval`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdLongDoc {
    pub threshold: Spanned<String>,
    /// Default: false.
    #[serde(default)]
    pub abort_on_fail: Option<Spanned<bool>>,
    /// Default: 0s (judged from the first second of traffic).
    #[serde(default)]
    pub delay_abort_eval: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for ThresholdDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ThresholdVisitor;
        impl<'de> Visitor<'de> for ThresholdVisitor {
            type Value = ThresholdDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an expression such as \"p(99)<300ms\", or { threshold: \"...\", abort_on_fail: true, delay_abort_eval: 10s }")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<ThresholdDoc, E> {
                Ok(ThresholdDoc::Plain(value.to_string()))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<ThresholdDoc, M::Error> {
                let long =
                    ThresholdLongDoc::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ThresholdDoc::Long(Box::new(long)))
            }
        }
        deserializer.deserialize_any(ThresholdVisitor)
    }
}

/// `target: embedded` or an endpoint block.
#[derive(Debug)]
pub enum TargetDoc {
    Embedded,
    Endpoint(Box<EndpointDoc>),
}

impl<'de> Deserialize<'de> for TargetDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TargetVisitor;
        impl<'de> Visitor<'de> for TargetVisitor {
            type Value = TargetDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`embedded` or an endpoint block (endpoint, region, user_pool_id, client_id, ...)")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<TargetDoc, E> {
                if value == "embedded" {
                    Ok(TargetDoc::Embedded)
                } else {
                    Err(E::custom(format!(
                        "unknown target `{value}`; write `embedded`, or an endpoint block with endpoint, region, user_pool_id and client_id"
                    )))
                }
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<TargetDoc, M::Error> {
                let endpoint =
                    EndpointDoc::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(TargetDoc::Endpoint(Box::new(endpoint)))
            }
        }
        deserializer.deserialize_any(TargetVisitor)
    }
}

/// A Cognito-compatible endpoint. String values are `${ENV}`-interpolated.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointDoc {
    pub endpoint: Spanned<String>,
    /// Required, except with `admin: aws`, where the credential chain may supply it.
    #[serde(default)]
    pub region: Option<Spanned<String>>,
    pub user_pool_id: Spanned<String>,
    pub client_id: Spanned<String>,
    #[serde(default)]
    pub client_secret: Option<Spanned<String>>,
    #[serde(default)]
    pub oauth_domain: Option<Spanned<String>>,
    #[serde(default)]
    pub jwks_url: Option<Spanned<String>>,
    #[serde(default)]
    pub issuer: Option<Spanned<String>>,
    #[serde(default)]
    pub admin: Option<Spanned<AdminDoc>>,
    /// The shared-config profile `admin: aws` resolves credentials (and the region) from.
    #[serde(default)]
    pub profile: Option<Spanned<String>>,
    #[serde(default)]
    pub allow_remote: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminDoc {
    Env,
    Aws,
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupDoc {
    #[serde(default)]
    pub users: Option<Spanned<i64>>,
    #[serde(default)]
    pub method: Option<Spanned<ProvisionMethodDoc>>,
    #[serde(default)]
    pub csv: Option<Spanned<String>>,
    #[serde(default)]
    pub username: Option<Spanned<String>>,
    #[serde(default)]
    pub password: Option<Spanned<String>>,
    #[serde(default)]
    pub rate: Option<Spanned<f64>>,
    #[serde(default)]
    pub keep: Option<Spanned<bool>>,
    #[serde(default)]
    pub mfa: Option<Spanned<MfaDoc>>,
}

/// `mfa: totp` of the setup and of the sign-in steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaDoc {
    Totp,
}

/// `preferred:` of `user_auth_sign_in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreferredChallengeDoc {
    Password,
    PasswordSrp,
    EmailOtp,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionMethodDoc {
    Admin,
    SignUp,
}

/// k6's executor options in one flat map; which keys apply depends on `executor`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadDoc {
    pub executor: Spanned<ExecutorDoc>,
    #[serde(default)]
    pub rate: Option<Spanned<f64>>,
    #[serde(default)]
    pub time_unit: Option<Spanned<String>>,
    #[serde(default)]
    pub duration: Option<Spanned<String>>,
    #[serde(default)]
    pub pre_allocated_vus: Option<Spanned<i64>>,
    #[serde(default)]
    pub max_vus: Option<Spanned<i64>>,
    #[serde(default)]
    pub start_rate: Option<Spanned<f64>>,
    #[serde(default)]
    pub stages: Option<Spanned<Vec<Spanned<StageDoc>>>>,
    #[serde(default)]
    pub vus: Option<Spanned<i64>>,
    #[serde(default)]
    pub start_vus: Option<Spanned<i64>>,
    #[serde(default)]
    pub start_time: Option<Spanned<String>>,
    #[serde(default)]
    pub graceful_stop: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExecutorDoc {
    ConstantArrivalRate,
    RampingArrivalRate,
    ConstantVus,
    RampingVus,
}

impl ExecutorDoc {
    pub fn name(self) -> &'static str {
        match self {
            Self::ConstantArrivalRate => "constant-arrival-rate",
            Self::RampingArrivalRate => "ramping-arrival-rate",
            Self::ConstantVus => "constant-vus",
            Self::RampingVus => "ramping-vus",
        }
    }

    /// The `load` keys this executor reads (besides `executor`).
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Self::ConstantArrivalRate => &[
                "rate",
                "time_unit",
                "duration",
                "pre_allocated_vus",
                "max_vus",
                "start_time",
                "graceful_stop",
            ],
            Self::RampingArrivalRate => &[
                "start_rate",
                "time_unit",
                "stages",
                "pre_allocated_vus",
                "max_vus",
                "start_time",
                "graceful_stop",
            ],
            Self::ConstantVus => &["vus", "duration", "start_time", "graceful_stop"],
            Self::RampingVus => &["start_vus", "stages", "start_time", "graceful_stop"],
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageDoc {
    pub target: Spanned<f64>,
    pub duration: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowDoc {
    #[serde(default)]
    pub load: Option<Spanned<LoadDoc>>,
    #[serde(default)]
    pub weight: Option<Spanned<i64>>,
    #[serde(default)]
    pub users: Option<Spanned<UserSelectionDoc>>,
    pub steps: Spanned<Vec<Spanned<StepDoc>>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSelectionDoc {
    Sequential,
    Random,
    Unique,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectDoc {
    #[serde(default)]
    pub error: Option<Spanned<String>>,
    #[serde(default)]
    pub status: Option<Spanned<i64>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmViaDoc {
    Code,
    Admin,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenUseDoc {
    Id,
    Access,
    Both,
}

/// Every option any step may carry; which ones a kind accepts is enforced while reading, by a
/// per-kind struct with `deny_unknown_fields`.
#[derive(Debug, Default)]
pub struct StepOptionsDoc {
    pub name: Option<Spanned<String>>,
    pub expect: Option<Spanned<ExpectDoc>>,
    pub think: Option<Spanned<String>>,
    /// `burst: N`: the step's request sent as N identical concurrent requests.
    pub burst: Option<Spanned<i64>>,
    pub capture: Option<Spanned<String>>,
    pub tokens: Option<Spanned<String>>,
    pub username: Option<Spanned<String>>,
    pub password: Option<Spanned<String>>,
    pub new_password: Option<Spanned<String>>,
    pub attributes: Option<Spanned<BTreeMap<String, String>>>,
    pub via: Option<Spanned<ConfirmViaDoc>>,
    pub confirm: Option<Spanned<bool>>,
    pub scopes: Option<Spanned<Vec<String>>>,
    pub redirect_uri: Option<Spanned<String>>,
    pub token: Option<Spanned<TokenUseDoc>>,
    pub filter: Option<Spanned<String>>,
    pub limit: Option<Spanned<i64>>,
    pub mfa: Option<Spanned<MfaDoc>>,
    pub preferred: Option<Spanned<PreferredChallengeDoc>>,
}

/// One step: its kind and options.
#[derive(Debug)]
pub struct StepDoc {
    pub kind: StepKindDoc,
    pub options: StepOptionsDoc,
}

/// The one declaration of the step kinds: each kind's variant, its name in the file and the
/// options it accepts. It yields [`StepKindDoc`], [`STEP_KINDS`], the name look-ups and one
/// options struct per kind (with `deny_unknown_fields`, so a key the kind does not take is
/// located).
macro_rules! step_kinds {
    ($($kind:ident = $text:literal => $name:ident { $($field:ident : $ty:ty),* $(,)? })*) => {
        /// The step kinds, as written.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum StepKindDoc {
            $($kind,)*
        }

        /// Every step kind's name, in declaration order.
        pub const STEP_KINDS: &[&str] = &[$($text,)*];

        impl StepKindDoc {
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some(Self::$kind),)*
                    _ => None,
                }
            }

            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$kind => $text,)*
                }
            }
        }

        $(
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct $name {
                #[serde(default)]
                name: Option<Spanned<String>>,
                #[serde(default)]
                expect: Option<Spanned<ExpectDoc>>,
                #[serde(default)]
                think: Option<Spanned<String>>,
                #[serde(default)]
                burst: Option<Spanned<i64>>,
                $(#[serde(default)] $field: Option<$ty>,)*
            }

            impl From<$name> for StepOptionsDoc {
                fn from(o: $name) -> Self {
                    StepOptionsDoc {
                        name: o.name,
                        expect: o.expect,
                        think: o.think,
                        burst: o.burst,
                        $($field: o.$field,)*
                        ..StepOptionsDoc::default()
                    }
                }
            }
        )*

        fn read_step_options<'de, M: MapAccess<'de>>(
            kind: StepKindDoc,
            map: &mut M,
        ) -> Result<StepOptionsDoc, M::Error> {
            Ok(match kind {
                $(StepKindDoc::$kind => map
                    .next_value::<Option<$name>>()?
                    .map(StepOptionsDoc::from)
                    .unwrap_or_default(),)*
            })
        }
    };
}

step_kinds! {
    SignUp = "sign_up" => SignUpOptions {
        username: Spanned<String>,
        password: Spanned<String>,
        attributes: Spanned<BTreeMap<String, String>>,
    }
    ConfirmSignUp = "confirm_sign_up" => ConfirmSignUpOptions { via: Spanned<ConfirmViaDoc> }
    SrpSignIn = "srp_sign_in" => SrpSignInOptions { password: Spanned<String>, capture: Spanned<String>, mfa: Spanned<MfaDoc> }
    PasswordSignIn = "password_sign_in" => PasswordSignInOptions { password: Spanned<String>, capture: Spanned<String>, mfa: Spanned<MfaDoc> }
    UserAuthSignIn = "user_auth_sign_in" => UserAuthSignInOptions {
        preferred: Spanned<PreferredChallengeDoc>,
        password: Spanned<String>,
        capture: Spanned<String>,
        mfa: Spanned<MfaDoc>,
    }
    AdminSignIn = "admin_sign_in" => AdminSignInOptions { password: Spanned<String>, capture: Spanned<String> }
    Refresh = "refresh" => RefreshOptions { tokens: Spanned<String>, capture: Spanned<String> }
    GetUser = "get_user" => GetUserOptions { tokens: Spanned<String> }
    GetTokensFromRefreshToken = "get_tokens_from_refresh_token" => GetTokensFromRefreshTokenOptions {
        tokens: Spanned<String>,
        capture: Spanned<String>,
    }
    UpdateUserAttributes = "update_user_attributes" => UpdateUserAttributesOptions {
        tokens: Spanned<String>,
        attributes: Spanned<BTreeMap<String, String>>,
    }
    ChangePassword = "change_password" => ChangePasswordOptions {
        tokens: Spanned<String>,
        new_password: Spanned<String>,
    }
    ForgotPassword = "forgot_password" => ForgotPasswordOptions {
        confirm: Spanned<bool>,
        new_password: Spanned<String>,
    }
    GlobalSignOut = "global_sign_out" => GlobalSignOutOptions { tokens: Spanned<String> }
    RevokeToken = "revoke_token" => RevokeTokenOptions { tokens: Spanned<String> }
    ClientCredentials = "client_credentials" => ClientCredentialsOptions {
        scopes: Spanned<Vec<String>>,
        capture: Spanned<String>,
    }
    AuthorizationCodePkce = "authorization_code_pkce" => AuthorizationCodePkceOptions {
        scopes: Spanned<Vec<String>>,
        redirect_uri: Spanned<String>,
        capture: Spanned<String>,
    }
    ListUsers = "list_users" => ListUsersOptions { filter: Spanned<String>, limit: Spanned<i64> }
    VerifyTokens = "verify_tokens" => VerifyTokensOptions {
        tokens: Spanned<String>,
        token: Spanned<TokenUseDoc>,
    }
}

fn unknown_step<E: de::Error>(name: &str) -> E {
    E::custom(format!(
        "unknown step `{name}`; steps are: {}",
        STEP_KINDS.join(", ")
    ))
}

impl<'de> Deserialize<'de> for StepDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StepVisitor;
        impl<'de> Visitor<'de> for StepVisitor {
            type Value = StepDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a step: its kind (`- srp_sign_in`) or a one-key map of kind to options (`- refresh: { think: 1s }`)")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<StepDoc, E> {
                let kind = StepKindDoc::from_name(value).ok_or_else(|| unknown_step(value))?;
                Ok(StepDoc {
                    kind,
                    options: StepOptionsDoc::default(),
                })
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<StepDoc, M::Error> {
                let Some(name) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(format!(
                        "empty step; write one of: {}",
                        STEP_KINDS.join(", ")
                    )));
                };
                let kind = StepKindDoc::from_name(&name).ok_or_else(|| unknown_step(&name))?;
                let options = read_step_options(kind, &mut map)?;
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "a step is one key, its kind, with the options indented under it; `{extra}` sits beside `{name}`: indent it under `{name}:`"
                    )));
                }
                Ok(StepDoc { kind, options })
            }
        }
        deserializer.deserialize_any(StepVisitor)
    }
}
