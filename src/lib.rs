//! cognito-harness: load-testing and conformance for anything that speaks the Amazon Cognito
//! user-pools API.
//!
//! The crate is laid out as its architecture: pure cores (`srp`, `jwt`, `totp`, the wire encoding in
//! `protocol`) under one wire client, used by the load engine and the conformance runner, and a
//! reference target (`server`) built from the same cores. `scenario` reads and validates load
//! scenarios, `plan` turns one into demand per quota category, `metrics` records a run, and
//! `shard` splits a run across processes and merges their results.
// `unsafe` is refused everywhere but `srp::ifma`, which calls CPU-feature-gated intrinsics.
#![deny(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod conformance;
pub mod engine;
pub mod exit;
pub mod metrics;
pub mod plan;
pub mod protocol;
pub mod report;
pub mod scenario;
pub mod server;
pub mod shard;
pub mod yaml;

// The pure cores live in the `cognito-harness-core` crate (crates/core), under these paths.
pub use cognito_harness_core::{jwt, quota, srp, totp};
