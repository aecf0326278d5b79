//! The conformance suite: YAML cases that say what any Cognito user-pools endpoint must answer,
//! and the runner that checks a target against them (the `conform` subcommand, in
//! `commands/conform.rs`, drives it and prints).
//!
//! Cases are data (`conformance/<area>/*.yaml`), each grounded in a section of the developer
//! guide or a sourced fact, so a verdict says which documented behaviour a target breaks rather
//! than how it differs from one implementation.
//!
//! | file | owns |
//! |------|------|
//! | `case.rs` | the case format's public paths (re-exported from the files below) |
//! | `doc.rs` | a case file as written (serde types with locations) |
//! | `builtin.rs` | the suite embedded in the binary (by `build.rs`), and `--suite` folders added to it |
//! | `load.rs` | case files and suites to cases, through the one YAML loader: `file:line:column` errors |
//! | `validate.rs` | document to checked case: templates, matchers, statuses, clients, implied capabilities |
//! | `model.rs` | the checked case, its steps and expectations |
//! | `names.rs` | capabilities, levels, and the pools and clients the runner provisions |
//! | `template.rs` | `{user}`, `{pool_id}`, `{captures.x}`, `{secret_hash:user}` expansion |
//! | `matcher.rs` | the JSON-pointer matcher and the expectation check (pure) |
//! | `target.rs` | the target and run options, and the fixture provisioned on it |
//! | `runner.rs` | provisioning the run's pools and clients, and deleting them |
//! | `exec/` | running cases: steps (calls, SRP, OAuth2), expectation and JWT checks, verdicts |
//! | `report.rs` | terminal, JSON, JUnit XML and Markdown renderings of a run (pure) |
//! | `expected.rs` | per-target expected-failure records and drift between a run and its record |

pub mod builtin;
pub mod case;
pub mod doc;
pub mod exec;
pub mod expected;
pub mod load;
pub mod matcher;
pub mod model;
pub mod names;
pub mod report;
pub mod runner;
pub mod target;
pub mod template;
pub mod validate;

pub use case::{Capability, Case, Level, load_case_str, load_suite};
pub use exec::run_suite;
pub use expected::{Drift, ExpectedFailures, compare_to_expected};
pub use report::{CaseOutcome, CaseResult, ConformanceReport, Mismatch};
pub use target::{CodeSource, RunOptions, TargetSpec};
