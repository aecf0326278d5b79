//! The case format: what a case file says, and the paths the runner and reports use for it.
//!
//! The users' documentation of the format is `docs/conformance-cases.md` (checked against this
//! code by `tests/docs_formats.rs`).
//!
//! One YAML file is one case. A case names the documented behaviour it checks (`ref`), how much
//! it matters (`level`: `must` when the guide or every sourced fact agrees, `should` when the
//! sources disagree or the guide is silent), what the target must offer to run it (`needs`),
//! and a list of steps with expectations. The smallest case:
//!
//! ```yaml
//! id: wire.unknown-client
//! title: An unknown app client is ResourceNotFoundException
//! ref: "API reference InitiateAuth, Errors"
//! level: must
//! steps:
//!   - call: InitiateAuth
//!     body: { AuthFlow: USER_PASSWORD_AUTH, ClientId: nosuchclient0000000000000,
//!             AuthParameters: { USERNAME: "{user}", PASSWORD: "{password}" } }
//!     expect: { status: 400, type: ResourceNotFoundException }
//! ```
//!
//! The pipeline is split as the scenarios' is: [`super::doc`] (the file as written),
//! [`super::load`] (file and suite to documents, through the one YAML loader),
//! [`super::validate`] (document to model, with located errors) and [`super::model`] (the
//! checked case); [`super::names`] holds the pools, clients, levels and capabilities a case
//! names. This module gathers their public items under one path.

pub use super::doc::{
    CODE_CLIENT_CALLBACK, CodeKind, CodeStep, JwtUse, LoginStep, OAuthAuth, OAuthEndpoint,
    OAuthStep, SrpIdentity, SrpStep, TimestampForm, TotpStep, UserStatus, UserStep,
};
pub use super::load::{load_case_str, load_suite};
pub use super::model::{
    CallStep, Case, Count, Expect, JwtCheck, Other, SrpStepChecked, Step, StepKind, Together,
};
pub use super::names::{Capability, ClientName, Level, PoolName};
