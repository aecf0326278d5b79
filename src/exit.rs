//! The process exit codes: one table, documented in the README ("Exit codes"), so CI jobs can
//! tell a failed threshold from a broken configuration or an unreachable target.

/// Why the process ended. The discriminant is the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// Everything ran and every check passed.
    Ok = 0,
    /// An unexpected internal error (a bug: please report it).
    Internal = 1,
    /// The command line, a scenario, a case file or a config file is invalid, or admin
    /// credentials are missing (nothing was sent) or refused by the target while provisioning.
    Config = 2,
    /// The target could not be reached (connection refused, DNS, TLS) before any result.
    Unreachable = 3,
    /// A run (or the merge of a sharded run's results) finished but a threshold failed, or
    /// `compare` found a regression. A `run --shard` leaves its thresholds to `merge`.
    ThresholdsFailed = 10,
    /// A conformance case at level `must` failed.
    ConformanceFailed = 11,
    /// Interrupted by Ctrl-C or SIGTERM; a partial report was written and marked as such. For
    /// `merge`: a shard's report was partial, or shards were missing (`--allow-missing`).
    Interrupted = 130,
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code as u8)
    }
}
