//! The load engine behind `cognito-harness run`: set-up, paced traffic, measurements,
//! thresholds, reports.
//!
//! A run is: validate the scenario (nothing is sent if it has errors), resolve the target (start
//! the embedded reference server and create its pool, or connect to an endpoint), provision the
//! setup users over the admin API, drive every `load` with its executor while live progress
//! goes to the caller's [`RunSink`], clean up, evaluate the thresholds against the merged
//! [`crate::metrics::Summary`] and write the reports with [`crate::report::write_run_report`].
//! The engine neither prints nor builds its runtime nor handles signals: `commands/run.rs` does.
//!
//! - [`pacer`]: when iterations are due (pure);
//! - [`iteration`]: one iteration: its user, its steps in order, its timing and outcome;
//! - `steps`: one function per step kind, and the state steps hand on; `calls`: the timing and
//!   recording of a step's requests; `shared`: what every VU
//!   shares, and how a failed call counts; `user_auth`: the requests of a choice-based
//!   (USER_AUTH) sign-in, `mfa`: the SOFTWARE_TOKEN_MFA answer; `execution`: one execution of
//!   a step, caught, recorded; `burst`: a step's request sent as `burst: N` identical
//!   concurrent requests, and how they count;
//! - [`target`]: the target, set-up and clean-up; [`enrol`]: TOTP enrolment of the setup users
//!   and the code a sign-in answers SOFTWARE_TOKEN_MFA with;
//! - [`progress`]: live progress and notices, handed to the caller's [`RunSink`];
//! - [`live`]: the run's live metrics on demand ([`LiveMetrics`], handed to
//!   [`RunSink::live`]; `run --metrics-listen` encodes them at each scrape);
//! - [`run`]: executors, VUs, interruption and the report;
//! - [`abort`]: thresholds with `abort_on_fail`, judged every second during the run.
//!
//! With `run --shard I/N` ([`RunOptions::shard`]) the engine runs only its part of every load
//! and of the setup users, as [`crate::shard`] describes, and adds `shard.json` to the reports.
//!
//! ## Why the engine hosts its own VUs instead of goose
//!
//! The project's design named goose as the host of users and scenarios. Evaluated (goose
//! 0.19): it brings its own reqwest 0.12 client (this crate uses reqwest 0.13, so a second HTTP
//! stack would be compiled and the wire client could not be shared), its users are closed-model
//! loops (no arrival-rate executor; `--throttle-requests` paces below target and leaves its own
//! wait out of latency), and its metrics and controllers would all have to be switched off. What
//! would remain of it is a task spawner. So VUs are plain tokio tasks: an arrival-rate executor
//! is a pacer task that sends each iteration's intended start time to a pool of VU tasks (grown
//! on demand up to `max_vus`); a VU executor is `vus` looping tasks that follow the VU profile.
//!
//! ## Decisions where k6 and this engine differ
//!
//! - When every VU of an arrival-rate executor is busy (`max_vus` reached), k6 drops the
//!   iteration. Here it waits for the next free VU and its latency is counted from its intended
//!   start, so a stalled target shows up as latency, not as fewer requests.
//! - When a load's graceful stop ends, k6 drops what is still running. Here the VUs are
//!   cancelled cooperatively (each iteration selects on a cancellation signal): an unanswered
//!   request and its step count as transport `interrupted` with their latency so far, the
//!   iteration and every iteration still waiting for a VU count as interrupted in their flow.
//!   A VU whose iteration panics catches it, counts it (`panic`) and goes on.
//! - Rates (`rps`) are per second of the scheduled window (the executors' end), since every
//!   request is placed on the timeline at its intended time; an interrupted run uses the time
//!   it actually ran.

pub mod abort;
mod burst;
mod calls;
pub mod enrol;
mod execution;
pub mod iteration;
pub mod live;
pub mod mfa;
pub use cognito_harness_core::pacer;
pub mod progress;
pub mod run;
mod shared;
pub mod start;
mod steps;
pub mod target;
mod user_auth;

pub use live::LiveMetrics;
pub use progress::{RunSink, TracingSink};
pub use run::{
    RunOptions, RunResult, execute, execute_on, execute_on_with, execute_with, new_run_id,
};

/// Why a run could not complete.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The scenario asks for something this target or build cannot do (exit code 2).
    #[error("configuration: {0}")]
    Config(String),
    /// Nothing answered at the target (exit code 3).
    #[error("target unreachable: {0}")]
    Unreachable(String),
    /// The target answered set-up requests with errors.
    #[error("setup failed: {0}")]
    Setup(String),
    /// The reports could not be written.
    #[error("cannot write the reports: {0}")]
    Report(#[from] crate::report::ReportError),
    /// Stopped by the caller's `stop` before any traffic (while the target was being reached);
    /// no report is written (exit code 130). The text names the phase.
    #[error("interrupted {0}")]
    Interrupted(&'static str),
}
