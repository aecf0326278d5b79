//! The one located-YAML loader, shared by every file the harness reads: scenarios, conformance
//! cases, expected-failure records and the `serve --config` file.
//!
//! - [`load`]: text -> typed document with serde-saphyr (line and column) and
//!   `serde_path_to_error` (the key path), or a located [`Diagnostic`];
//! - [`diagnostic`]: [`Diagnostic`], its kind and severity, as `file:line:column: key: message; fix`.
//!
//! Each file kind keeps its own document types and semantic checks; what they share is how a
//! syntax or shape error is located and worded.

pub mod diagnostic;
pub mod load;

pub use diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Severity};
pub use load::{KeyTrail, Options, YamlError, decode_text, io_diagnostic, parse, read_text};
