//! The pure cores of cognito-harness: the SRP client and verifier math (`srp`), JWT decoding and
//! verification (`jwt`), RFC 6238 codes (`totp`), Cognito's quota categories and counting rule
//! (`quota`), the threshold expressions, durations, scopes, executors and schedules of scenarios
//! (`scenario`), when iterations are due (`pacer`), and the sampling-noise statistics of
//! `compare` (`stats`). Nothing here opens a socket or a file; the
//! `cognito-harness` crate re-exports each module under its own path.
// `unsafe` is refused everywhere but `srp::ifma`, which calls CPU-feature-gated intrinsics.
#![deny(unsafe_code)]

pub mod jwt;
pub mod pacer;
pub mod quota;
pub mod scenario;
pub mod srp;
pub mod stats;
pub mod totp;
