//! Measurements of a run: what the engine records while traffic flows, and the [`Summary`]
//! that thresholds evaluate and reports render.
//!
//! The engine gives each worker its own [`Recorder`] (no lock per sample) and merges them at the
//! end, or periodically into a snapshot. A recorder keeps, per scope (the run, each flow, each
//! step, each quota category), an HDR histogram of latency in microseconds (1 µs to 60 s, three
//! significant digits) and counts by outcome, plus one per-second timeline of requests, errors,
//! throttles and per-category requests (challenge responses apart), from which the peak
//! one-second rates come; a category's usage is counted against the quota in force by the
//! guide's rule ([`crate::quota::counted_usage`], see [`QuotaUsage`]).
//!
//! Histograms travel inside the [`Summary`] in HdrHistogram's V2 encoding (base64), so shards of
//! one scenario run on several machines merge without loss ([`Summary::merge`]).
//!
//! [`thresholds`] evaluates a scenario's thresholds against a summary.
//!
//! What a scope counts: the run and each quota category count API requests; a flow counts
//! iterations; a step counts executions of the step (an `srp_sign_in` sends two requests).

mod quota_usage;
mod recorder;
mod summary;
pub mod thresholds;

/// Scopes are named by the scenario; re-exported here because every summary is keyed by them.
pub use crate::scenario::Scope;
pub use quota_usage::{ChallengeUsage, QuotaUsage};
pub use recorder::{Layout, MetricsError, Outcome, Recorder, StepId};
pub use summary::{LatencySummary, SUMMARY_SCHEMA_VERSION, ScopeSummary, SecondSummary, Summary};

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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::quota::QuotaCategory;

    fn layout() -> Layout {
        Layout::new(
            &[("sign_in", &["srp_sign_in", "refresh"])],
            &[QuotaCategory::UserAuthentication],
        )
    }

    /// A deterministic spread of latencies (µs), a few of them errors or throttles.
    fn feed(recorder: &mut Recorder, seed: u64, n: u64) {
        let mut x = seed;
        for i in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let micros = 200 + (x >> 33) % 400_000;
            let outcome = match i % 50 {
                0 => Outcome::Throttled,
                1 => Outcome::Error("NotAuthorizedException"),
                2 => Outcome::Transport("timeout"),
                _ => Outcome::Ok,
            };
            let at = Duration::from_millis(i * 37);
            let latency = Duration::from_micros(micros);
            recorder.record_request(
                at,
                Some(QuotaCategory::UserAuthentication),
                latency,
                outcome,
            );
            recorder.record_step(StepId(0), latency, outcome);
            recorder.record_iteration(0, latency * 2, outcome);
        }
    }

    #[test]
    fn merged_recorders_equal_one_recorder_fed_both_sample_sets() {
        let mut a = Recorder::new(layout());
        let mut b = Recorder::new(layout());
        let mut both = Recorder::new(layout());
        feed(&mut a, 1, 5_000);
        feed(&mut b, 2, 3_000);
        feed(&mut both, 1, 5_000);
        feed(&mut both, 2, 3_000);
        a.merge(&b).unwrap();
        let elapsed = Duration::from_secs(185);
        assert_eq!(
            Summary::from_recorder(&a, elapsed),
            Summary::from_recorder(&both, elapsed)
        );
    }

    #[test]
    fn merged_summaries_equal_one_summary_of_both_sample_sets() {
        let mut a = Recorder::new(layout());
        let mut b = Recorder::new(layout());
        let mut both = Recorder::new(layout());
        feed(&mut a, 7, 4_000);
        feed(&mut b, 8, 4_000);
        feed(&mut both, 7, 4_000);
        feed(&mut both, 8, 4_000);
        let elapsed = Duration::from_secs(150);
        let sa = Summary::from_recorder(&a, elapsed);
        let sb = Summary::from_recorder(&b, elapsed);
        // Through JSON, as shards' summaries travel.
        let sa: Summary = serde_json::from_str(&serde_json::to_string(&sa).unwrap()).unwrap();
        let merged = sa.merge(&sb).unwrap();
        let single = Summary::from_recorder(&both, elapsed);
        let (m, s) = (&merged.run, &single.run);
        assert_eq!(m.count, 8_000);
        assert_eq!(
            m.latency.as_ref().unwrap().p99_us,
            s.latency.as_ref().unwrap().p99_us
        );
        assert_eq!(
            m.latency.as_ref().unwrap().p50_us,
            s.latency.as_ref().unwrap().p50_us
        );
        assert_eq!(
            m.latency.as_ref().unwrap().max_us,
            s.latency.as_ref().unwrap().max_us
        );
        for q in [0.5, 0.9, 0.95, 0.99, 0.999] {
            assert_eq!(m.latency_quantile_us(q), s.latency_quantile_us(q), "q={q}");
        }
        assert_eq!(merged, single);
    }

    #[test]
    fn summary_counts_outcomes_and_rates() {
        let mut r = Recorder::new(layout());
        feed(&mut r, 3, 100);
        let s = Summary::from_recorder(&r, Duration::from_secs(4));
        assert_eq!(s.schema_version, SUMMARY_SCHEMA_VERSION);
        assert_eq!(s.run.count, 100);
        assert_eq!(s.run.throttled, 2);
        assert_eq!(s.run.errors["NotAuthorizedException"], 2);
        assert_eq!(s.run.transport["timeout"], 2);
        assert_eq!(s.run.ok, 94);
        assert!((s.run.error_rate - 0.06).abs() < 1e-12);
        assert!((s.run.throttle_rate - 0.02).abs() < 1e-12);
        assert_eq!(s.run.rps, 25.0);
        // 100 requests 37 ms apart: 28 land in each of the first seconds.
        assert_eq!(s.run.peak_rps, Some(28.0));
        assert_eq!(
            s.categories[&QuotaCategory::UserAuthentication].peak_rps,
            Some(28.0)
        );
        assert_eq!(s.steps["sign_in.srp_sign_in"].count, 100);
        assert_eq!(s.steps["sign_in.refresh"].count, 0);
        assert!(s.steps["sign_in.refresh"].latency.is_none());
        assert_eq!(s.flows["sign_in"].count, 100);
        assert_eq!(s.timeline.len(), 4);
        assert_eq!(s.timeline.iter().map(|t| t.requests).sum::<u64>(), 100);
    }

    #[test]
    fn latencies_beyond_the_histogram_saturate() {
        let mut r = Recorder::new(layout());
        r.record_request(Duration::ZERO, None, Duration::from_secs(600), Outcome::Ok);
        r.record_request(Duration::ZERO, None, Duration::ZERO, Outcome::Ok);
        let s = Summary::from_recorder(&r, Duration::from_secs(1));
        let latency = s.run.latency.unwrap();
        assert!(latency.max_us >= LATENCY_HIGH_US && latency.max_us < LATENCY_HIGH_US * 101 / 100);
        assert_eq!(latency.min_us, 1);
        assert_eq!(s.uncategorised_requests, 2);
    }

    #[test]
    fn recorders_of_different_scenarios_do_not_merge() {
        let mut a = Recorder::new(layout());
        let b = Recorder::new(Layout::new(&[("other", &["x"])], &[]));
        assert!(matches!(a.merge(&b), Err(MetricsError::LayoutMismatch)));
    }

    #[test]
    fn take_hands_over_and_resets() {
        let mut r = Recorder::new(layout());
        feed(&mut r, 5, 10);
        let snapshot = r.take();
        assert_eq!(
            Summary::from_recorder(&snapshot, Duration::from_secs(1))
                .run
                .count,
            10
        );
        assert_eq!(
            Summary::from_recorder(&r, Duration::from_secs(1)).run.count,
            0
        );
    }
}
