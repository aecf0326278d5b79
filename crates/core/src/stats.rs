//! Sampling noise: how far a run's value could move by chance alone, so `compare` calls a
//! change a regression only when it is beyond both the tolerance and that noise.
//!
//! Each side gets a 95 % confidence interval from its own samples:
//! - a latency percentile: the distribution-free order-statistic interval. Of `n` samples the
//!   rank of the `q` quantile is binomial(n, q), so the ranks `nq ∓ 1.96·√(nq(1−q))` bound it
//!   (Conover, *Practical Nonparametric Statistics*, 3rd ed., §3.2); the values at those ranks
//!   are read from the stored HDR histogram. When the upper rank falls past the largest sample,
//!   the run has too few samples to estimate that percentile and the row says so;
//! - an error or throttle rate: the Wilson score interval of a binomial proportion;
//! - a throughput: `N/T ∓ 1.96·√N/T`, counts treated as Poisson.
//!
//! A change counts only when it is beyond its tolerance *with confidence*: for a latency, the
//! current interval's low end must exceed the baseline interval's high end by more than the
//! tolerance (so the whole interval of the change lies beyond it); for a rate or a throughput,
//! the change minus the tolerance must exceed 2.576 standard errors of the difference (pooled
//! proportion; Poisson variances), a one-sided test at the 0.5 % level. A comparison tests
//! dozens of rows, and two runs of one build also differ by what the machine did meanwhile,
//! which no within-run interval sees: a looser rule flags some row of many identical pairs.

use hdrhistogram::Histogram;

/// The normal quantile of a two-sided 95 % interval.
pub const Z95: f64 = 1.96;

/// The z a rate or throughput change must exceed: two-sided 1 % level.
pub const Z_TEST: f64 = 2.576;

/// A 95 % interval, `lo <= hi`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

/// A percentile that `n` samples cannot bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooFew {
    pub have: u64,
    pub need: u64,
}

/// The 1-based ranks bounding the `q` quantile of `n` samples, or `None` when the upper one
/// falls past the sample.
fn rank_bounds(n: u64, q: f64) -> Option<(u64, u64)> {
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let spread = Z95 * (nf * q * (1.0 - q)).sqrt();
    let lo = (nf * q - spread).floor().max(1.0) as u64;
    let hi = (nf * q + spread).ceil() as u64 + 1;
    (hi <= n).then_some((lo, hi))
}

/// The fewest samples whose interval for the `q` quantile stays inside the sample (searched up
/// to ten million, the answer for quantiles no sample size bounds, such as the maximum). A
/// plain search from one: about 4,000 steps for p(99.9), each a square root.
pub fn samples_needed(q: f64) -> u64 {
    const CAP: u64 = 10_000_000;
    (1..CAP)
        .find(|&n| rank_bounds(n, q).is_some())
        .unwrap_or(CAP)
}

/// The 95 % interval of the `q` quantile of `histogram`'s samples.
pub fn percentile_interval(histogram: &Histogram<u64>, q: f64) -> Result<Interval, TooFew> {
    let n = histogram.len();
    let too_few = TooFew {
        have: n,
        need: samples_needed(q),
    };
    let (lo, hi) = rank_bounds(n, q).ok_or(too_few)?;
    // The value of rank r: the quantile half a sample below r/n, so rounding in
    // `value_at_quantile` cannot move it to rank r + 1.
    let at = |rank: u64| histogram.value_at_quantile((rank as f64 - 0.5) / n as f64) as f64;
    Ok(Interval {
        lo: at(lo),
        hi: at(hi),
    })
}

/// The Wilson score interval of `k` successes in `n` trials.
pub fn proportion_interval(k: f64, n: f64) -> Option<Interval> {
    if n <= 0.0 {
        return None;
    }
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some(Interval {
        lo: (centre - half).max(0.0),
        hi: (centre + half).min(1.0),
    })
}

/// The interval of a rate of `count` events over `seconds`, the count taken as Poisson.
pub fn rate_interval(count: f64, seconds: f64) -> Option<Interval> {
    if seconds <= 0.0 {
        return None;
    }
    let rate = count / seconds;
    let half = Z95 * count.sqrt() / seconds;
    Some(Interval {
        lo: (rate - half).max(0.0),
        hi: rate + half,
    })
}

/// The standard error of `k2/n2 - k1/n1` (pooled proportion), 0 when both are certain.
pub fn proportion_se(k1: f64, n1: f64, k2: f64, n2: f64) -> f64 {
    if n1 <= 0.0 || n2 <= 0.0 {
        return 0.0;
    }
    let pooled = (k1 + k2) / (n1 + n2);
    (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt()
}

/// The standard error of `c2/t2 - c1/t1`, both counts Poisson.
pub fn rate_se(c1: f64, t1: f64, c2: f64, t2: f64) -> f64 {
    if t1 <= 0.0 || t2 <= 0.0 {
        return 0.0;
    }
    (c1 / (t1 * t1) + c2 / (t2 * t2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two-proportion z statistic, from the standard error `compare` uses.
    fn proportion_z(k1: f64, n1: f64, k2: f64, n2: f64) -> f64 {
        let se = proportion_se(k1, n1, k2, n2);
        if se > 0.0 {
            (k2 / n2 - k1 / n1) / se
        } else {
            0.0
        }
    }

    /// The z statistic of two Poisson rates, from the standard error `compare` uses.
    fn rate_z(c1: f64, t1: f64, c2: f64, t2: f64) -> f64 {
        let se = rate_se(c1, t1, c2, t2);
        if se > 0.0 {
            (c2 / t2 - c1 / t1) / se
        } else {
            0.0
        }
    }

    fn uniform(n: u64, low: u64, width: u64) -> Histogram<u64> {
        let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        for i in 0..n {
            h.record(low + i * width / n).unwrap();
        }
        h
    }

    #[test]
    fn rank_bounds_follow_the_binomial_spread() {
        // 1000 samples, median: 500 ∓ 1.96·√250 = 500 ∓ 31.
        assert_eq!(rank_bounds(1000, 0.5), Some((469, 532)));
        // p99 of 300 samples: the upper rank is past the sample.
        assert_eq!(rank_bounds(300, 0.99), None);
        assert_eq!(rank_bounds(0, 0.5), None);
    }

    /// The interval's ends are the values *at* the bounding ranks: with the samples 1, 2, ...,
    /// 100, the median's ranks are 40 and 61 (50 ∓ 1.96·√25, rounded outwards, the upper one
    /// plus one), and so are its values; not the neighbours' values.
    #[test]
    fn a_percentile_interval_reads_the_values_at_its_ranks() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        for v in 1..=100 {
            h.record(v).unwrap();
        }
        assert_eq!(rank_bounds(100, 0.5), Some((40, 61)));
        assert_eq!(
            percentile_interval(&h, 0.5),
            Ok(Interval { lo: 40.0, hi: 61.0 })
        );
    }

    #[test]
    fn samples_needed_is_the_smallest_bounded_sample() {
        for q in [0.5, 0.9, 0.95, 0.99, 0.999] {
            let n = samples_needed(q);
            assert!(rank_bounds(n, q).is_some(), "q={q} n={n}");
            assert!(rank_bounds(n - 1, q).is_none(), "q={q} n={n}");
        }
        assert!(samples_needed(0.99) > 300 && samples_needed(0.99) < 1000);
        assert!(samples_needed(0.5) < 20);
        // No sample size bounds the maximum: the search gives up at its cap.
        assert_eq!(samples_needed(1.0), 10_000_000);
    }

    #[test]
    fn a_percentile_interval_brackets_the_percentile_and_narrows_with_samples() {
        let small = percentile_interval(&uniform(400, 1_000, 1_000), 0.5).unwrap();
        let large = percentile_interval(&uniform(40_000, 1_000, 1_000), 0.5).unwrap();
        for i in [small, large] {
            assert!(i.lo <= 1_500.0 && 1_500.0 <= i.hi, "{i:?}");
        }
        assert!(large.hi - large.lo < (small.hi - small.lo) / 5.0);
        assert_eq!(
            percentile_interval(&uniform(300, 1_000, 1_000), 0.99),
            Err(TooFew {
                have: 300,
                need: samples_needed(0.99)
            })
        );
    }

    /// The Wilson intervals of Newcombe's worked examples 81/263, 15/148, 0/20 and 1/29, to four
    /// places (R. G. Newcombe, "Two-sided confidence intervals for the single proportion:
    /// comparison of seven methods", Statistics in Medicine 17 (1998), method 3, the score
    /// interval without continuity correction).
    #[test]
    fn wilson_intervals_match_newcombes_examples() {
        for (k, n, lo, hi) in [
            (81.0, 263.0, 0.2553, 0.3662),
            (15.0, 148.0, 0.0624, 0.1605),
            (0.0, 20.0, 0.0, 0.1611),
            (1.0, 29.0, 0.0061, 0.1718),
        ] {
            let w = proportion_interval(k, n).unwrap();
            assert!((w.lo - lo).abs() < 5e-5, "{k}/{n}: {w:?}");
            assert!((w.hi - hi).abs() < 5e-5, "{k}/{n}: {w:?}");
        }
    }

    /// The standard errors and the rate interval, worked by hand: 8/800 against 40/800 pools to
    /// 3 %, √(0.03 · 0.97 · 2/800); 800 and 600 events in 8 s, √(800/64 + 600/64); 800 in 8 s is
    /// 100/s ∓ 1.96·√800/8.
    #[test]
    fn standard_errors_and_the_rate_interval_have_their_textbook_values() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(
            proportion_se(8.0, 800.0, 40.0, 800.0),
            0.008_529_361_054_615_99
        ));
        assert!(close(
            rate_se(800.0, 8.0, 600.0, 8.0),
            4.677_071_733_467_427
        ));
        let r = rate_interval(800.0, 8.0).unwrap();
        assert!(close(r.lo, 100.0 - 6.929_646_455_628_166), "{r:?}");
        assert!(close(r.hi, 100.0 + 6.929_646_455_628_166), "{r:?}");
        assert_eq!(proportion_se(1.0, 0.0, 1.0, 10.0), 0.0);
        assert_eq!(rate_se(1.0, 1.0, 1.0, 0.0), 0.0);
        assert!(rate_interval(1.0, 0.0).is_none());
        assert_eq!(
            rate_interval(0.0, 10.0).unwrap(),
            Interval { lo: 0.0, hi: 0.0 }
        );
    }

    #[test]
    fn proportions_and_rates() {
        let w = proportion_interval(10.0, 1000.0).unwrap();
        assert!(
            w.lo > 0.004 && w.lo < 0.01 && w.hi > 0.01 && w.hi < 0.02,
            "{w:?}"
        );
        assert!(proportion_interval(1.0, 0.0).is_none());
        // 1 % against 5 % of 800: far apart.
        assert!(proportion_z(8.0, 800.0, 40.0, 800.0) > 4.0);
        // 1 % against 1.5 % of 200: noise.
        assert!(proportion_z(2.0, 200.0, 3.0, 200.0).abs() < Z_TEST);
        assert_eq!(proportion_z(0.0, 100.0, 0.0, 100.0), 0.0);
        // 800 against 600 in 8 s.
        assert!(rate_z(800.0, 8.0, 600.0, 8.0) < -4.0);
        assert!(rate_z(800.0, 8.0, 790.0, 8.0).abs() < Z_TEST);
        let r = rate_interval(800.0, 8.0).unwrap();
        assert!(r.lo < 100.0 && r.hi > 100.0);
    }
}
