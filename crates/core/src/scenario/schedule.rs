//! Load shapes as functions of time, and the pacing maths the engine and `plan` share.
//!
//! An executor's shape is a [`Profile`]: piecewise linear in time, in iterations per second for
//! arrival-rate executors and in VUs for VU executors (k6 interpolates ramping stages linearly
//! between targets). For arrival-rate executors, [`send_times`] gives each iteration's intended
//! start: the `i`-th iteration (from 0) starts when the integral of the rate reaches `i`, so a
//! constant 10/s for 1 s starts exactly 10 iterations, 100 ms apart, and a ramp sends exactly
//! the area under it (rounded up). The engine measures latency from these times, which is what
//! keeps a slow target from hiding its slowness (coordinated omission).

use std::time::Duration;

use super::executor::{Executor, Load};

/// One linear piece of a profile, on `[start, end)` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    /// Value at `start`.
    pub from: f64,
    /// Value approaching `end`.
    pub to: f64,
}

impl Segment {
    fn duration(&self) -> f64 {
        self.end - self.start
    }

    fn area(&self) -> f64 {
        (self.from + self.to) / 2.0 * self.duration()
    }

    /// The value at `t` in `[start, end]` (the left limit at `end`).
    pub fn value_at(&self, t: f64) -> f64 {
        let d = self.duration();
        if d <= 0.0 {
            return self.from;
        }
        let f = ((t - self.start) / d).clamp(0.0, 1.0);
        self.from + (self.to - self.from) * f
    }
}

/// A piecewise-linear function of time (seconds from the run's start), zero outside its
/// segments. Segments are sorted and do not overlap.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    pub segments: Vec<Segment>,
}

impl Profile {
    /// `value` from `start` for `duration` seconds.
    pub fn constant(value: f64, start: f64, duration: f64) -> Profile {
        Profile {
            segments: vec![Segment {
                start,
                end: start + duration,
                from: value,
                to: value,
            }],
        }
    }

    /// From `initial`, linearly to each `(target, duration)` in turn, starting at `start`.
    pub fn ramp(initial: f64, stages: &[(f64, f64)], start: f64) -> Profile {
        let mut segments = Vec::with_capacity(stages.len());
        let mut t = start;
        let mut value = initial;
        for &(target, duration) in stages {
            if duration > 0.0 {
                segments.push(Segment {
                    start: t,
                    end: t + duration,
                    from: value,
                    to: target,
                });
            }
            t += duration;
            value = target;
        }
        Profile { segments }
    }

    /// The value at `t` (right-continuous: at a boundary, the later segment's value).
    pub fn at(&self, t: f64) -> f64 {
        self.segments
            .iter()
            .rev()
            .find(|s| s.start <= t && t < s.end)
            .map_or(0.0, |s| s.value_at(t))
    }

    /// The largest value taken (a piecewise-linear function peaks at a segment end).
    pub fn peak(&self) -> f64 {
        self.segments
            .iter()
            .flat_map(|s| [s.from, s.to])
            .fold(0.0, f64::max)
    }

    /// The area under the profile: for a rate, the number of events.
    pub fn integral(&self) -> f64 {
        self.segments.iter().map(Segment::area).sum()
    }

    pub fn start(&self) -> f64 {
        self.segments.first().map_or(0.0, |s| s.start)
    }

    pub fn end(&self) -> f64 {
        self.segments.last().map_or(0.0, |s| s.end)
    }

    /// Every segment boundary.
    pub fn breakpoints(&self) -> impl Iterator<Item = f64> + '_ {
        self.segments.iter().flat_map(|s| [s.start, s.end])
    }

    /// The same shape `dt` seconds later.
    pub fn shifted(&self, dt: f64) -> Profile {
        Profile {
            segments: self
                .segments
                .iter()
                .map(|s| Segment {
                    start: s.start + dt,
                    end: s.end + dt,
                    ..*s
                })
                .collect(),
        }
    }

    /// Every value times `k`.
    pub fn scaled(&self, k: f64) -> Profile {
        Profile {
            segments: self
                .segments
                .iter()
                .map(|s| Segment {
                    from: s.from * k,
                    to: s.to * k,
                    ..*s
                })
                .collect(),
        }
    }

    /// The left limit at `t` (the value approaching `t` from before).
    pub fn before(&self, t: f64) -> f64 {
        self.segments
            .iter()
            .find(|s| s.start < t && t <= s.end)
            .map_or(0.0, |s| s.value_at(t))
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// An arrival-rate executor's rate, in iterations per second; `None` for VU executors.
pub fn arrival_profile(load: &Load) -> Option<Profile> {
    let start = secs(load.start_time);
    match &load.executor {
        Executor::ConstantArrivalRate {
            rate,
            time_unit,
            duration,
            ..
        } => Some(Profile::constant(
            rate / secs(*time_unit),
            start,
            secs(*duration),
        )),
        Executor::RampingArrivalRate {
            start_rate,
            time_unit,
            stages,
            ..
        } => {
            let unit = secs(*time_unit);
            let stages: Vec<(f64, f64)> = stages
                .iter()
                .map(|s| (s.target / unit, secs(s.duration)))
                .collect();
            Some(Profile::ramp(start_rate / unit, &stages, start))
        }
        _ => None,
    }
}

/// A VU executor's VU count over time; `None` for arrival-rate executors.
pub fn vu_profile(load: &Load) -> Option<Profile> {
    let start = secs(load.start_time);
    match &load.executor {
        Executor::ConstantVus { vus, duration } => {
            Some(Profile::constant(f64::from(*vus), start, secs(*duration)))
        }
        Executor::RampingVus { start_vus, stages } => {
            let stages: Vec<(f64, f64)> = stages
                .iter()
                .map(|s| (s.target, secs(s.duration)))
                .collect();
            Some(Profile::ramp(f64::from(*start_vus), &stages, start))
        }
        _ => None,
    }
}

/// Tolerance for float accumulation when counting iterations (an integral of exactly 10 must
/// give 10 iterations, not 11).
const EPSILON: f64 = 1e-9;

/// How many iterations a rate profile starts: the integral, rounded up.
pub fn iteration_count(rate: &Profile) -> u64 {
    let total = rate.integral();
    if !total.is_finite() || total <= EPSILON {
        return 0;
    }
    (total - EPSILON).ceil().max(0.0) as u64
}

/// Intended start times of the iterations of a rate profile (iterations per second), in order.
pub fn send_times(rate: &Profile) -> SendTimes<'_> {
    SendTimes {
        segments: &rate.segments,
        segment: 0,
        before: 0.0,
        next: 0,
        total: iteration_count(rate),
    }
}

/// Iterator returned by [`send_times`].
#[derive(Debug, Clone)]
pub struct SendTimes<'a> {
    segments: &'a [Segment],
    segment: usize,
    /// Iterations due before the current segment starts.
    before: f64,
    next: u64,
    total: u64,
}

impl Iterator for SendTimes<'_> {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.next >= self.total {
            return None;
        }
        let i = self.next as f64;
        loop {
            let segment = self.segments.get(self.segment)?;
            let area = segment.area();
            if i < self.before + area - EPSILON || self.segment + 1 == self.segments.len() {
                let c = (i - self.before).max(0.0);
                let d = segment.duration();
                let r0 = segment.from;
                let a = (segment.to - segment.from) / (2.0 * d);
                // Solve r0*tau + a*tau^2 = c in the numerically stable form.
                let tau = if c == 0.0 {
                    0.0
                } else {
                    let disc = (r0 * r0 + 4.0 * a * c).max(0.0);
                    let denom = r0 + disc.sqrt();
                    if denom > 0.0 { 2.0 * c / denom } else { d }
                };
                let t = segment.start + tau.clamp(0.0, d);
                self.next += 1;
                return Some(Duration::try_from_secs_f64(t).unwrap_or(Duration::MAX));
            }
            self.before += area;
            self.segment += 1;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.total - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

/// Splits one stream of iterations among flows by weight, deterministically (smooth weighted
/// round robin): over any `sum(weights)` consecutive picks, flow `i` gets exactly `weights[i]`,
/// evenly interleaved.
#[derive(Debug, Clone)]
pub struct FlowMix {
    weights: Vec<i64>,
    current: Vec<i64>,
    total: i64,
}

impl FlowMix {
    pub fn new(weights: &[u32]) -> FlowMix {
        let weights: Vec<i64> = weights.iter().map(|w| i64::from(*w)).collect();
        FlowMix {
            total: weights.iter().sum(),
            current: vec![0; weights.len()],
            weights,
        }
    }

    /// The index of the flow the next iteration belongs to; `None` when all weights are zero.
    pub fn pick(&mut self) -> Option<usize> {
        if self.total <= 0 {
            return None;
        }
        for (c, w) in self.current.iter_mut().zip(&self.weights) {
            *c += w;
        }
        let (best, _) = self
            .current
            .iter()
            .enumerate()
            .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))?;
        self.current[best] -= self.total;
        Some(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::executor::Stage;

    /// 10/s for 10 s, a jump to 40/s, then a ramp down to 0 over 10 s: a step and a ramp.
    fn jump_then_ramp() -> Profile {
        Profile::ramp(10.0, &[(10.0, 10.0), (40.0, 0.0), (0.0, 10.0)], 5.0)
    }

    #[test]
    fn at_a_segment_boundary_the_left_limit_is_the_earlier_segments_value() {
        let p = jump_then_ramp();
        // Outside the profile: zero on both sides, including the left limit at its start.
        assert_eq!(p.before(5.0), 0.0);
        assert_eq!(p.at(5.0), 10.0);
        // The jump at 15 s: 10 just before, 40 from it on (`at` is right-continuous).
        assert_eq!(p.before(15.0), 10.0);
        assert_eq!(p.at(15.0), 40.0);
        // Inside the ramp the two agree.
        assert_eq!(p.before(20.0), 20.0);
        assert_eq!(p.at(20.0), 20.0);
        // The profile's end: the left limit is the ramp's last value, after it zero.
        assert_eq!(p.before(25.0), 0.0);
        assert_eq!(p.at(25.0), 0.0);
        assert_eq!(p.before(30.0), 0.0);
        let step = Profile {
            segments: vec![
                Segment {
                    start: 0.0,
                    end: 2.0,
                    from: 3.0,
                    to: 3.0,
                },
                Segment {
                    start: 2.0,
                    end: 4.0,
                    from: 7.0,
                    to: 7.0,
                },
            ],
        };
        assert_eq!(step.before(2.0), 3.0);
        assert_eq!(step.at(2.0), 7.0);
        assert_eq!(step.before(4.0), 7.0);
        assert_eq!(step.at(4.0), 0.0);
        assert_eq!(step.before(0.0), 0.0);
    }

    #[test]
    fn breakpoints_are_every_segments_start_and_end() {
        let p = jump_then_ramp();
        // The zero-length jump stage adds no segment: 10/s over [5, 15], then 40 -> 0 over
        // [15, 25].
        assert_eq!(p.breakpoints().collect::<Vec<_>>(), [5.0, 15.0, 15.0, 25.0]);
        assert_eq!(Profile::default().breakpoints().count(), 0);
        assert_eq!(p.peak(), 40.0);
        assert_eq!(p.integral(), 10.0 * 10.0 + 40.0 / 2.0 * 10.0);
    }

    fn load(executor: Executor) -> Load {
        Load {
            executor,
            start_time: Duration::ZERO,
            graceful_stop: Duration::from_secs(30),
        }
    }

    #[test]
    fn constant_rate_sends_exact_count_at_exact_spacing() {
        let profile = arrival_profile(&load(Executor::ConstantArrivalRate {
            rate: 10.0,
            time_unit: Duration::from_secs(1),
            duration: Duration::from_secs(1),
            pre_allocated_vus: 1,
            max_vus: 1,
        }))
        .unwrap();
        let times: Vec<Duration> = send_times(&profile).collect();
        assert_eq!(times.len(), 10);
        for (i, t) in times.iter().enumerate() {
            let expected = Duration::from_millis(100 * i as u64);
            let diff = t.as_nanos().abs_diff(expected.as_nanos());
            assert!(
                diff < 1_000,
                "iteration {i} at {t:?}, expected {expected:?}"
            );
        }
    }

    #[test]
    fn time_unit_scales_the_rate() {
        // 30 per minute for 2 minutes: 60 iterations, 2 s apart.
        let profile = arrival_profile(&load(Executor::ConstantArrivalRate {
            rate: 30.0,
            time_unit: Duration::from_secs(60),
            duration: Duration::from_secs(120),
            pre_allocated_vus: 1,
            max_vus: 1,
        }))
        .unwrap();
        let times: Vec<Duration> = send_times(&profile).collect();
        assert_eq!(times.len(), 60);
        assert_eq!(times[1] - times[0], Duration::from_secs(2));
        assert_eq!(times[59], Duration::from_secs(118));
    }

    #[test]
    fn ramp_from_zero_follows_the_area_under_the_rate() {
        // 0 -> 10/s over 10 s: 50 iterations; the i-th when 10*t^2/20 = i, at sqrt(2i).
        let profile = arrival_profile(&load(Executor::RampingArrivalRate {
            start_rate: 0.0,
            time_unit: Duration::from_secs(1),
            stages: vec![Stage {
                target: 10.0,
                duration: Duration::from_secs(10),
            }],
            pre_allocated_vus: 1,
            max_vus: 1,
        }))
        .unwrap();
        assert_eq!(profile.integral(), 50.0);
        let times: Vec<Duration> = send_times(&profile).collect();
        assert_eq!(times.len(), 50);
        for (i, t) in times.iter().enumerate() {
            let expected = (2.0 * i as f64).sqrt();
            assert!((t.as_secs_f64() - expected).abs() < 1e-6, "{i}: {t:?}");
        }
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn multi_stage_ramp_counts_every_stage() {
        // 5/s held 4 s (20), 5 -> 15 over 2 s (20), down to 0 over 2 s (15): 55 in total.
        let mut l = load(Executor::RampingArrivalRate {
            start_rate: 5.0,
            time_unit: Duration::from_secs(1),
            stages: vec![
                Stage {
                    target: 5.0,
                    duration: Duration::from_secs(4),
                },
                Stage {
                    target: 15.0,
                    duration: Duration::from_secs(2),
                },
                Stage {
                    target: 0.0,
                    duration: Duration::from_secs(2),
                },
            ],
            pre_allocated_vus: 1,
            max_vus: 1,
        });
        l.start_time = Duration::from_secs(3);
        let profile = arrival_profile(&l).unwrap();
        assert_eq!(profile.peak(), 15.0);
        let times: Vec<Duration> = send_times(&profile).collect();
        assert_eq!(times.len(), 55);
        assert_eq!(times[0], Duration::from_secs(3));
        assert!((times[19].as_secs_f64() - 6.8).abs() < 1e-9);
        assert!((times[20].as_secs_f64() - 7.0).abs() < 1e-9);
        assert!(times.iter().all(|t| t.as_secs_f64() < 11.0));
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn fractional_totals_round_up() {
        // 0.5/s for 3 s: 1.5 iterations due, so two start (at 0 s and 2 s).
        let profile = Profile::constant(0.5, 0.0, 3.0);
        let times: Vec<Duration> = send_times(&profile).collect();
        assert_eq!(times, vec![Duration::ZERO, Duration::from_secs(2)]);
    }

    #[test]
    fn weighted_mix_is_exact_and_interleaved() {
        let mut mix = FlowMix::new(&[5, 1, 1]);
        let picks: Vec<usize> = (0..7).map(|_| mix.pick().unwrap()).collect();
        assert_eq!(picks.iter().filter(|p| **p == 0).count(), 5);
        assert_eq!(picks.iter().filter(|p| **p == 1).count(), 1);
        assert_eq!(picks, vec![0, 0, 1, 0, 2, 0, 0]);
        assert_eq!(FlowMix::new(&[0, 0]).pick(), None);
    }

    #[test]
    fn vu_profiles_follow_stages() {
        let profile = vu_profile(&load(Executor::RampingVus {
            start_vus: 0,
            stages: vec![
                Stage {
                    target: 10.0,
                    duration: Duration::from_secs(10),
                },
                Stage {
                    target: 10.0,
                    duration: Duration::from_secs(5),
                },
            ],
        }))
        .unwrap();
        assert_eq!(profile.at(5.0), 5.0);
        assert_eq!(profile.at(12.0), 10.0);
        assert_eq!(profile.end(), 15.0);
        assert_eq!(profile.at(15.0), 0.0);
    }
}
