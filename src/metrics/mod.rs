//! Measurements of a run: what the engine records while traffic flows, and the [`Summary`]
//! that thresholds evaluate and reports render.
//!
//! The engine gives each worker its own [`Recorder`] (no lock per sample) and merges them at the
//! end, or periodically into a snapshot. A recorder keeps, per scope (the run, each flow, each
//! step, each quota category), an HDR histogram of latency in microseconds (1 µs to 60 s, three
//! significant digits) and counts by outcome, plus one per-second timeline of requests, errors,
//! throttles and per-category requests, from which the peak one-second rates come.
//!
//! Histograms travel inside the [`Summary`] in HdrHistogram's V2 encoding (base64), so shards of
//! one scenario run on several machines merge without loss ([`Summary::merge`]).
//!
//! What a scope counts: the run and each quota category count API requests; a flow counts
//! iterations; a step counts executions of the step (an `srp_sign_in` sends two requests).

mod recorder;
mod summary;

pub use recorder::{Layout, MetricsError, Outcome, Recorder, StepId};
pub use summary::{
    LatencySummary, SUMMARY_SCHEMA_VERSION, Scope, ScopeSummary, SecondSummary, Summary,
};

/// Lowest trackable latency, in microseconds.
pub const LATENCY_LOW_US: u64 = 1;
/// Highest trackable latency, in microseconds (60 s); longer samples are recorded as 60 s.
pub const LATENCY_HIGH_US: u64 = 60_000_000;
/// Significant decimal digits kept by the latency histograms.
pub const LATENCY_SIGFIG: u8 = 3;

/// A new, empty latency histogram with the bounds above.
pub(crate) fn new_histogram() -> hdrhistogram::Histogram<u64> {
    // The bounds are constants that hdrhistogram accepts (low >= 1, high >= 2 * low, sigfig <= 5).
    hdrhistogram::Histogram::new_with_bounds(LATENCY_LOW_US, LATENCY_HIGH_US, LATENCY_SIGFIG)
        .expect("constant histogram bounds are valid")
}
