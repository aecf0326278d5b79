//! Scenarios: the YAML a capacity planner writes, read with locations, validated before any
//! traffic, and turned into the checked [`model::Scenario`] that `plan` and the engine use.
//!
//! The format borrows k6's executor vocabulary (`constant-arrival-rate`, `ramping-vus`, ...)
//! and Artillery's YAML shape (named flows of steps). A minimal file:
//!
//! ```yaml
//! setup: { users: 100 }
//! flows:
//!   sign_in:
//!     load: { executor: constant-arrival-rate, rate: 20, duration: 1m }
//!     steps:
//!       - srp_sign_in
//!       - verify_tokens
//!       - refresh
//! thresholds:
//!   sign_in.srp_sign_in: ["p(99)<300ms"]
//!   run: ["error_rate<1%"]
//! ```
//!
//! - [`doc`]: the file's serde types (as written, with spans);
//! - [`load`]: file -> document, with located syntax errors;
//! - [`validate`]: document -> model, with located semantic errors and warnings;
//! - [`model`]: the checked scenario; [`schedule`]: load shapes and pacing;
//! - [`overrides`]: `-e`, `--duration` and `--rate-scale` from the command line;
//! - [`think`]: a step's pause (fixed, a range or a distribution);
//! - [`thresholds`]: threshold expressions (evaluated against a run's summary in
//!   `metrics::thresholds`); [`scope`]: what a threshold or a report row is about.
//!
//! Syntax errors are located by the crate's one YAML loader, `crate::yaml`.

pub mod doc;
pub mod env;
pub mod load;
pub mod model;
pub mod overrides;
pub mod secret;
pub mod think;
pub mod validate;

pub use cognito_harness_core::scenario::{duration, schedule, scope, thresholds};

/// Findings are the crate-wide located diagnostics of [`crate::yaml`].
pub use crate::yaml::{Diagnostic, DiagnosticKind, Diagnostics, Severity};
pub use load::{load_scenario, load_scenario_with, parse_scenario};
pub use model::Scenario;
pub use overrides::Overrides;
pub use scope::Scope;
pub use secret::Secret;
pub use validate::Loaded;
