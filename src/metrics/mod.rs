//! Measurements of a run: what the engine records while traffic flows, and the [`Summary`]
//! that thresholds evaluate and reports render.
//!
//! The engine gives each worker its own [`Recorder`] (no lock per sample) and merges them at the
//! end, or periodically into a snapshot. A recorder keeps, per scope (the run, each flow, each
//! step, each quota category), an HDR histogram of latency in microseconds (1 µs to 60 s, three
//! significant digits) and counts by outcome (and one sample message per failure kind), plus
//! one per-second timeline of requests, errors, throttles and per-category requests (challenge
//! responses apart), from which the peak one-second rates come, and a latency timeline per
//! step and category per interval ([`latency_timeline`]: 1 s, wider for long runs); a
//! category's usage is counted against the quota in force by the guide's rule
//! ([`crate::quota::counted_usage`], see [`QuotaUsage`]).
//!
//! Histograms travel inside the [`Summary`] in HdrHistogram's V2 encoding (base64), so shards of
//! one scenario run on several machines merge without loss ([`Summary::merge`]).
//!
//! [`thresholds`] evaluates a scenario's thresholds against a summary.
//!
//! What a scope counts: the run and each quota category count API requests; a flow counts
//! iterations; a step counts executions of the step (an `srp_sign_in` sends two requests). A
//! step execution that ended not sent (a failure inside the harness) also counts at the run.
//! Every scope adds up: `count = ok + Σerrors + throttled + Σtransport + Σnot_sent +
//! interrupted`; `error_rate` counts every failure but throttles, `throttle_rate` the throttles
//! (disjoint). Flows keep a second histogram, the iteration duration with think time.
//!
//! [`exposition`] encodes a live snapshot in the Prometheus text format (`run --metrics-listen`).

pub mod exposition;
pub mod latency_timeline;
mod quota_usage;
mod recorder;
mod summary;
pub mod thresholds;

/// Scopes are named by the scenario; re-exported here because every summary is keyed by them.
pub use crate::scenario::Scope;
pub use latency_timeline::{IntervalSummary, LatencyPoint};
pub use quota_usage::{ChallengeUsage, QuotaUsage};
pub use recorder::{Layout, MetricsError, Outcome, Recorder, StepId};
pub use summary::{
    IterationTotals, LatencySummary, SUMMARY_SCHEMA_VERSION, ScopeSummary, SecondSummary, Summary,
};

/// Lowest trackable latency, in microseconds.
pub const LATENCY_LOW_US: u64 = 1;
/// Highest trackable latency, in microseconds (60 s); longer samples are recorded as 60 s.
pub const LATENCY_HIGH_US: u64 = 60_000_000;
/// Significant decimal digits kept by the latency histograms.
pub const LATENCY_SIGFIG: u8 = 3;

/// `message` with every token-like word (a JWT, or a run of 20 or more base64 or hex
/// characters) replaced by `[redacted]`, and cut to 200 characters: failure samples go into
/// reports, which must never hold a token or a secret.
pub fn redact_token_like(message: &str) -> String {
    let token_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-' | '.');
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let long = word.chars().filter(char::is_ascii_alphanumeric).count() >= 20;
        let mixed = word.chars().any(|c| c.is_ascii_digit()) || word.starts_with("eyJ");
        if long && mixed {
            out.push_str("[redacted]");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in message.chars() {
        if token_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    if out.chars().count() > 200 {
        out = out.chars().take(200).collect::<String>() + "...";
    }
    out
}

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
        // Throttles count apart from errors: 2 errors + 2 transport failures of 100.
        assert!((s.run.error_rate - 0.04).abs() < 1e-12);
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

    /// One recorded event of a random run: what it is and how it ended.
    fn outcome_of(code: u8) -> Outcome<'static> {
        match code % 8 {
            0 | 1 => Outcome::Ok,
            2 => Outcome::Error("NotAuthorizedException"),
            3 => Outcome::Throttled,
            4 => Outcome::Transport("timeout"),
            5 => Outcome::Transport("interrupted"),
            6 => Outcome::NotSent("missing_tokens"),
            _ => Outcome::NotSent("panic"),
        }
    }

    fn apply(r: &mut Recorder, events: &[(u8, u8, u32)]) {
        for (what, code, micros) in events {
            let latency = Duration::from_micros(u64::from(*micros));
            let outcome = outcome_of(*code);
            match (what % 3, outcome) {
                (0, Outcome::NotSent(_)) | (1, _) => r.record_step(StepId(1), latency, outcome),
                (0, _) => r.record_request(
                    Duration::from_millis(u64::from(*micros) / 10),
                    Some(QuotaCategory::UserAuthentication),
                    latency,
                    outcome,
                ),
                _ if *code % 8 == 5 => {
                    r.record_iteration_timed(0, None, None, Outcome::Interrupted)
                }
                _ => r.record_iteration_timed(0, Some(latency), Some(latency * 2), outcome),
            }
        }
    }

    fn assert_adds_up(s: &Summary) {
        let scopes = std::iter::once(&s.run)
            .chain(s.flows.values())
            .chain(s.steps.values())
            .chain(s.categories.values());
        for scope in scopes {
            assert!(scope.adds_up(), "{scope:?}");
            let failed = scope.count - scope.ok;
            let rates = scope.error_rate + scope.throttle_rate;
            let expected = if scope.count == 0 {
                0.0
            } else {
                failed as f64 / scope.count as f64
            };
            assert!((rates - expected).abs() < 1e-9, "{scope:?}");
            assert!(
                (scope.throttle_rate * scope.count as f64 - scope.throttled as f64).abs() < 1e-6
            );
        }
        let it = &s.iterations;
        assert_eq!(
            it.scheduled,
            it.ok + it.failed.values().sum::<u64>() + it.interrupted
        );
    }

    proptest::proptest! {
        #[test]
        fn every_scope_adds_up_and_rates_are_disjoint(
            events in proptest::collection::vec((0u8..3, 0u8..8, 1u32..5_000_000), 0..300),
            split in 0usize..300,
        ) {
            let mut whole = Recorder::new(layout());
            apply(&mut whole, &events);
            let elapsed = Duration::from_secs(10);
            let summary = Summary::from_recorder(&whole, elapsed);
            assert_adds_up(&summary);
            // Two shards' summaries, merged, equal the whole and still add up.
            let cut = split.min(events.len());
            let (mut a, mut b) = (Recorder::new(layout()), Recorder::new(layout()));
            apply(&mut a, &events[..cut]);
            apply(&mut b, &events[cut..]);
            let merged = Summary::from_recorder(&a, elapsed)
                .merge(&Summary::from_recorder(&b, elapsed))
                .unwrap();
            assert_adds_up(&merged);
            proptest::prop_assert_eq!(&merged, &summary);
            // And so do the two recorders, merged before summarising.
            a.merge(&b).unwrap();
            proptest::prop_assert_eq!(&Summary::from_recorder(&a, elapsed), &summary);
        }
    }

    #[test]
    fn steps_not_sent_count_at_the_run_scope_as_errors() {
        let mut r = Recorder::new(layout());
        for _ in 0..20 {
            r.record_step(
                StepId(0),
                Duration::from_micros(5),
                Outcome::NotSent("no_user_left"),
            );
            r.record_iteration(
                0,
                Duration::from_micros(5),
                Outcome::NotSent("no_user_left"),
            );
        }
        let s = Summary::from_recorder(&r, Duration::from_secs(2));
        assert_eq!(s.run.count, 20);
        assert_eq!(s.run.not_sent["no_user_left"], 20);
        assert_eq!(s.run.error_rate, 1.0);
        // Nothing was sent: no latency, no request rate.
        assert!(s.run.latency.is_none());
        assert_eq!(s.run.rps, 0.0);
        assert_eq!(s.iterations.failed["no_user_left"], 20);
    }

    #[test]
    fn throttles_are_not_errors_in_rates_or_timeline() {
        let mut r = Recorder::new(layout());
        let ua = Some(QuotaCategory::UserAuthentication);
        r.record_request(
            Duration::ZERO,
            ua,
            Duration::from_millis(1),
            Outcome::Throttled,
        );
        r.record_request(
            Duration::ZERO,
            ua,
            Duration::from_millis(1),
            Outcome::Error("X"),
        );
        r.record_request(Duration::ZERO, ua, Duration::from_millis(1), Outcome::Ok);
        r.record_request(Duration::ZERO, ua, Duration::from_millis(1), Outcome::Ok);
        let s = Summary::from_recorder(&r, Duration::from_secs(1));
        assert_eq!(s.run.error_rate, 0.25);
        assert_eq!(s.run.throttle_rate, 0.25);
        assert_eq!((s.timeline[0].errors, s.timeline[0].throttles), (1, 1));
    }

    #[test]
    fn flow_latency_leaves_think_time_to_iteration_duration() {
        let mut r = Recorder::new(layout());
        r.record_iteration_timed(
            0,
            Some(Duration::from_millis(8)),
            Some(Duration::from_millis(508)),
            Outcome::Ok,
        );
        let s = Summary::from_recorder(&r, Duration::from_secs(1));
        let flow = &s.flows["sign_in"];
        assert!(flow.latency.as_ref().unwrap().p95_us < 9_000);
        assert!(flow.iteration_duration.as_ref().unwrap().p95_us >= 500_000);
        assert!(s.steps["sign_in.srp_sign_in"].iteration_duration.is_none());
    }

    #[test]
    fn samples_redact_token_like_words() {
        let mut r = Recorder::new(layout());
        r.record_sample(
            StepId(1),
            "panic",
            "bad header in eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc123def456ghi789 at byte 3",
        );
        r.record_sample(StepId(1), "panic", "a second message is not kept");
        let s = Summary::from_recorder(&r, Duration::from_secs(1));
        for scope in [&s.run, &s.flows["sign_in"], &s.steps["sign_in.refresh"]] {
            assert_eq!(scope.samples["panic"], "bad header in [redacted] at byte 3");
        }
        assert!(s.steps["sign_in.srp_sign_in"].samples.is_empty());
    }
}
