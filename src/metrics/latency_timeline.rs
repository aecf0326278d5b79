//! Latency over time: per interval of the run, per step and per quota category, the latency
//! samples of that interval as HDR histogram counts (the run's bounds, [`super::new_histogram`]).
//!
//! The interval is 1 s for runs scheduled up to 10 minutes and grows for longer runs (the
//! smallest of 1, 2, 5, 10, 30, 60 s that keeps at most [`MAX_INTERVALS`] intervals), so an
//! 8-hour run keeps 480 intervals. The per-second request, error, throttle and category counts
//! of the timeline stay per second whatever the interval (quota peaks are per second).
//!
//! While recording, an interval keeps only the histogram buckets it uses (each sample's
//! bucket, keyed by the bucket's lowest equivalent value): a full histogram with these bounds
//! takes ~140 KB, which per step, category, interval and worker would not fit in memory. The
//! sparse counts rebuild exactly the histogram the samples would have filled.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer as _, V2Serializer};
use serde::{Deserialize, Serialize};

use crate::quota::QuotaCategory;

/// The most intervals a run's latency timeline is meant to hold (beyond 10 hours, more).
pub const MAX_INTERVALS: u64 = 600;

/// The interval lengths a latency timeline may use, in seconds, smallest first.
pub const INTERVAL_CHOICES_S: [u32; 6] = [1, 2, 5, 10, 30, 60];

/// The latency timeline's interval for a run scheduled to last `scheduled`: the smallest of
/// [`INTERVAL_CHOICES_S`] that keeps at most [`MAX_INTERVALS`] intervals, else 60 s.
pub fn interval_for(scheduled: Duration) -> u32 {
    let seconds = scheduled.as_secs() + u64::from(scheduled.subsec_nanos() > 0);
    INTERVAL_CHOICES_S
        .into_iter()
        .find(|i| seconds.div_ceil(u64::from(*i)) <= MAX_INTERVALS)
        .unwrap_or(60)
}

/// `histogram` in HdrHistogram's V2 encoding, base64 (standard alphabet).
pub(crate) fn encode(histogram: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    // Serializing into a Vec only fails for histograms too large to encode, which ours are not;
    // an empty string then decodes as an error rather than wrong data.
    if V2Serializer::new()
        .serialize(histogram, &mut bytes)
        .is_err()
    {
        return String::new();
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The histogram [`encode`] wrote, or why `text` is not one.
pub(crate) fn decode(text: &str) -> Result<Histogram<u64>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| e.to_string())?;
    Deserializer::new()
        .deserialize::<u64, _>(&mut bytes.as_slice())
        .map_err(|e| format!("{e:?}"))
}

fn template() -> &'static Histogram<u64> {
    static TEMPLATE: OnceLock<Histogram<u64>> = OnceLock::new();
    TEMPLATE.get_or_init(super::new_histogram)
}

/// Histogram counts of one scope in one interval, sparse: bucket (its lowest equivalent value,
/// µs) → samples.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SparseHistogram(BTreeMap<u64, u64>);

impl SparseHistogram {
    pub(crate) fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .clamp(super::LATENCY_LOW_US, super::LATENCY_HIGH_US);
        *self
            .0
            .entry(template().lowest_equivalent(micros))
            .or_default() += 1;
    }

    pub(crate) fn add(&mut self, other: &SparseHistogram) {
        for (bucket, n) in &other.0 {
            *self.0.entry(*bucket).or_default() += n;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The histogram these counts describe (the run's bounds).
    pub(crate) fn to_histogram(&self) -> Histogram<u64> {
        let mut histogram = super::new_histogram();
        for (bucket, n) in &self.0 {
            histogram.saturating_record_n(*bucket, *n);
        }
        histogram
    }
}

/// One interval of the latency timeline: per step and per category (in layout order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IntervalLatency {
    pub(crate) steps: Vec<SparseHistogram>,
    pub(crate) categories: Vec<SparseHistogram>,
}

impl IntervalLatency {
    pub(crate) fn new(steps: usize, categories: usize) -> Self {
        Self {
            steps: vec![SparseHistogram::default(); steps],
            categories: vec![SparseHistogram::default(); categories],
        }
    }

    pub(crate) fn add(&mut self, other: &IntervalLatency) {
        for (a, b) in self.steps.iter_mut().zip(&other.steps) {
            a.add(b);
        }
        for (a, b) in self.categories.iter_mut().zip(&other.categories) {
            a.add(b);
        }
    }
}

/// Latency of one scope in one interval of the timeline (µs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyPoint {
    /// Timed samples in the interval.
    pub count: u64,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    /// HdrHistogram V2 encoding, base64, as the scopes' histograms: merging shards adds them.
    pub histogram: String,
}

impl LatencyPoint {
    pub(crate) fn of(histogram: &Histogram<u64>) -> Option<LatencyPoint> {
        (!histogram.is_empty()).then(|| LatencyPoint {
            count: histogram.len(),
            p50_us: histogram.value_at_quantile(0.50),
            p95_us: histogram.value_at_quantile(0.95),
            p99_us: histogram.value_at_quantile(0.99),
            histogram: encode(histogram),
        })
    }
}

/// One interval of [`Summary::latency_timeline`](super::Summary): scopes without a timed
/// sample in it are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntervalSummary {
    /// The interval's first second since the run started (a multiple of the interval).
    pub start_s: u32,
    /// Keyed `flow.step`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub steps: BTreeMap<String, LatencyPoint>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<QuotaCategory, LatencyPoint>,
}

fn merge_points<K: Ord + Clone>(
    a: &BTreeMap<K, LatencyPoint>,
    b: &BTreeMap<K, LatencyPoint>,
) -> Result<BTreeMap<K, LatencyPoint>, String> {
    let mut out = a.clone();
    for (key, point) in b {
        let merged = match a.get(key) {
            None => point.clone(),
            Some(mine) => {
                let mut histogram = decode(&mine.histogram)?;
                let theirs = decode(&point.histogram)?;
                histogram.add(&theirs).map_err(|e| format!("{e:?}"))?;
                match LatencyPoint::of(&histogram) {
                    Some(p) => p,
                    None => continue,
                }
            }
        };
        out.insert(key.clone(), merged);
    }
    Ok(out)
}

/// Two shards' latency timelines (same interval) added interval by interval: lossless, the
/// histograms add.
pub(crate) fn merge(
    a: &[IntervalSummary],
    b: &[IntervalSummary],
    interval_s: u32,
) -> Result<Vec<IntervalSummary>, String> {
    let len = a.len().max(b.len());
    (0..len)
        .map(|i| {
            let empty = IntervalSummary {
                start_s: u32::try_from(i as u64 * u64::from(interval_s)).unwrap_or(u32::MAX),
                steps: BTreeMap::new(),
                categories: BTreeMap::new(),
            };
            let (x, y) = (a.get(i).unwrap_or(&empty), b.get(i).unwrap_or(&empty));
            Ok(IntervalSummary {
                start_s: empty.start_s,
                steps: merge_points(&x.steps, &y.steps)?,
                categories: merge_points(&x.categories, &y.categories)?,
            })
        })
        .collect()
}

/// `timeline` moved `seconds` later, in whole intervals (rounded to the nearest: a shard's
/// start is aligned on the interval's grid, exact when the interval is 1 s).
pub(crate) fn delayed(
    timeline: &[IntervalSummary],
    seconds: u32,
    interval_s: u32,
) -> Vec<IntervalSummary> {
    let interval_s = interval_s.max(1);
    let shift = (seconds + interval_s / 2) / interval_s;
    let empty = (0..shift).map(|i| IntervalSummary {
        start_s: i.saturating_mul(interval_s),
        steps: BTreeMap::new(),
        categories: BTreeMap::new(),
    });
    let moved = timeline.iter().map(|s| IntervalSummary {
        start_s: s.start_s.saturating_add(shift.saturating_mul(interval_s)),
        ..s.clone()
    });
    empty.chain(moved).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::metrics::{Layout, Outcome, Recorder, StepId, Summary};
    use crate::quota::QuotaCategory;

    fn layout(interval: Duration) -> Layout {
        Layout::new(
            &[("sign_in", &["srp_sign_in", "refresh"])],
            &[QuotaCategory::UserAuthentication],
        )
        .with_timeline_interval(interval)
    }

    /// Samples `(at, latency)` spread over ~`n * 13` ms, latency varying with the second.
    fn samples(seed: u64, n: u64) -> Vec<(Duration, Duration)> {
        let mut x = seed;
        (0..n)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = Duration::from_millis(i * 13 + (x >> 60));
                let micros = 100 + at.as_secs() * 1_000 + (x >> 35) % 50_000;
                (at, Duration::from_micros(micros))
            })
            .collect()
    }

    fn feed(recorder: &mut Recorder, samples: &[(Duration, Duration)]) {
        for (i, (at, latency)) in samples.iter().enumerate() {
            let outcome = if i % 17 == 0 {
                Outcome::Throttled
            } else {
                Outcome::Ok
            };
            let category = Some(QuotaCategory::UserAuthentication);
            recorder.record_request(*at, category, *latency, outcome);
            recorder.record_step_at(StepId(i % 2), *at, *latency, outcome);
        }
    }

    #[test]
    fn each_interval_holds_the_latency_of_the_samples_recorded_in_it() {
        let samples = samples(7, 2_000);
        let mut recorder = Recorder::new(layout(Duration::from_secs(30)));
        feed(&mut recorder, &samples);
        let summary = Summary::from_recorder(&recorder, Duration::from_secs(27));
        assert_eq!(summary.timeline_interval_s, 1);
        assert_eq!(summary.latency_timeline.len(), summary.timeline.len());
        for interval in &summary.latency_timeline {
            let mut expected = crate::metrics::new_histogram();
            for (i, (at, latency)) in samples.iter().enumerate() {
                if at.as_secs() == u64::from(interval.start_s) && i % 2 == 0 {
                    expected.record(latency.as_micros() as u64).unwrap();
                }
            }
            let point = &interval.steps["sign_in.srp_sign_in"];
            assert_eq!(point.count, expected.len());
            assert_eq!(point.p50_us, expected.value_at_quantile(0.50));
            assert_eq!(point.p95_us, expected.value_at_quantile(0.95));
            assert_eq!(point.p99_us, expected.value_at_quantile(0.99));
            let category = &interval.categories[&QuotaCategory::UserAuthentication];
            let requests = interval_requests(&samples, interval.start_s, 1);
            assert_eq!(category.count, requests);
        }
    }

    fn interval_requests(samples: &[(Duration, Duration)], start: u32, width: u64) -> u64 {
        let start = u64::from(start);
        samples
            .iter()
            .filter(|(at, _)| (start..start + width).contains(&at.as_secs()))
            .count() as u64
    }

    #[test]
    fn long_runs_keep_per_second_counts_and_wider_latency_intervals() {
        let samples = samples(3, 3_000);
        let mut recorder = Recorder::new(layout(Duration::from_secs(8 * 3600)));
        feed(&mut recorder, &samples);
        let summary = Summary::from_recorder(&recorder, Duration::from_secs(40));
        assert_eq!(summary.timeline_interval_s, 60);
        assert_eq!(summary.latency_timeline.len(), 1);
        assert!(summary.timeline.len() > 30, "the counts stay per second");
        let all = &summary.latency_timeline[0].categories[&QuotaCategory::UserAuthentication];
        assert_eq!(all.count, interval_requests(&samples, 0, 60));
    }

    #[test]
    fn merged_shard_summaries_equal_one_recorder_fed_both() {
        let (first, second) = (samples(1, 1_500), samples(2, 2_500));
        let scheduled = Duration::from_secs(60);
        let mut a = Recorder::new(layout(scheduled));
        let mut b = Recorder::new(layout(scheduled));
        let mut both = Recorder::new(layout(scheduled));
        feed(&mut a, &first);
        feed(&mut b, &second);
        feed(&mut both, &first);
        feed(&mut both, &second);
        let elapsed = Duration::from_secs(33);
        let merged = Summary::from_recorder(&a, elapsed)
            .merge(&Summary::from_recorder(&b, elapsed))
            .unwrap();
        let one = Summary::from_recorder(&both, elapsed);
        assert!(!one.latency_timeline.is_empty());
        assert_eq!(merged.latency_timeline, one.latency_timeline);
        assert_eq!(merged.timeline, one.timeline);
        a.merge(&b).unwrap();
        assert_eq!(Summary::from_recorder(&a, elapsed), one);
    }

    #[test]
    fn shards_with_different_intervals_do_not_merge() {
        let a = Summary::from_recorder(
            &Recorder::new(layout(Duration::from_secs(60))),
            Duration::from_secs(1),
        );
        let b = Summary::from_recorder(
            &Recorder::new(layout(Duration::from_secs(7200))),
            Duration::from_secs(1),
        );
        assert!(a.merge(&b).is_err());
    }

    #[test]
    fn short_runs_use_one_second_intervals() {
        for secs in [0, 1, 60, 599, 600] {
            assert_eq!(interval_for(Duration::from_secs(secs)), 1, "{secs} s");
        }
    }

    #[test]
    fn long_runs_grow_the_interval_to_keep_at_most_600() {
        assert_eq!(interval_for(Duration::from_millis(600_001)), 2);
        assert_eq!(interval_for(Duration::from_secs(1200)), 2);
        assert_eq!(interval_for(Duration::from_secs(3600)), 10);
        let eight_hours = Duration::from_secs(8 * 3600);
        assert_eq!(interval_for(eight_hours), 60);
        assert_eq!(eight_hours.as_secs().div_ceil(60), 480);
        assert_eq!(interval_for(Duration::from_secs(30 * 24 * 3600)), 60);
    }

    #[test]
    fn sparse_counts_rebuild_the_histogram_the_samples_fill() {
        let mut sparse = SparseHistogram::default();
        let mut direct = crate::metrics::new_histogram();
        for i in 0..5_000u64 {
            let micros = 1 + (i * 7919) % 3_000_000;
            sparse.record(Duration::from_micros(micros));
            direct.record(micros).unwrap();
        }
        let rebuilt = sparse.to_histogram();
        assert_eq!(rebuilt.len(), direct.len());
        for q in [0.0, 0.5, 0.95, 0.99, 1.0] {
            assert_eq!(
                rebuilt.value_at_quantile(q),
                direct.value_at_quantile(q),
                "{q}"
            );
        }
        assert_eq!((rebuilt.min(), rebuilt.max()), (direct.min(), direct.max()));
    }
}
