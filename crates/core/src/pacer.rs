//! Pacing: when each iteration is due, as pure functions of a flow's (or the shared) `load`.
//!
//! Arrival-rate executors (open model) get a stream of intended start times from
//! [`crate::scenario::schedule::send_times`], split among flows by weight with
//! [`crate::scenario::schedule::FlowMix`] when several flows share one `load`. VU executors
//! (closed model) get the number of VUs that should be active at a time, from the piecewise-linear
//! VU profile (k6 interpolates ramping stages linearly and rounds down).
//!
//! Nothing here sleeps or reads a clock: the engine turns these times into timers, and the tests
//! check the counts exactly.

use std::time::Duration;

use crate::scenario::executor::Load;
use crate::scenario::schedule::{self, FlowMix, Profile};

/// The intended start of one iteration: when, since the run's start, and of which flow (an
/// index into the flows that share the load).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    pub at: Duration,
    pub flow: usize,
}

/// Every iteration an arrival-rate profile starts, in order, assigned to flows by `weights`
/// (one weight of 1 for a flow's own load). Lazy: a million-iteration run holds no list.
pub struct Arrivals<'a> {
    times: schedule::SendTimes<'a>,
    mix: FlowMix,
}

impl<'a> Arrivals<'a> {
    pub fn new(rate: &'a Profile, weights: &[u32]) -> Self {
        Self {
            times: schedule::send_times(rate),
            mix: FlowMix::new(weights),
        }
    }
}

impl Iterator for Arrivals<'_> {
    type Item = Arrival;

    fn next(&mut self) -> Option<Arrival> {
        let at = self.times.next()?;
        let flow = self.mix.pick()?;
        Some(Arrival { at, flow })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.times.size_hint()
    }
}

/// The number of VUs a VU profile wants at `t` seconds since the run's start: the profile's
/// value rounded down (a ramp from 0 to 10 over 10 s has 5 VUs at 5.9 s, as in k6).
pub fn vus_at(profile: &Profile, t: f64) -> u32 {
    let v = profile.at(t);
    if !v.is_finite() || v <= 0.0 {
        return 0;
    }
    // `at` is exact at stage ends; a hair of tolerance keeps 9.999999 from reading as 9.
    (v + 1e-9).floor().min(f64::from(u32::MAX)) as u32
}

/// The most VUs a VU profile ever wants (how many VU tasks to start).
pub fn peak_vus(profile: &Profile) -> u32 {
    let v = profile.peak();
    if !v.is_finite() || v <= 0.0 {
        0
    } else {
        (v + 1e-9).floor().min(f64::from(u32::MAX)) as u32
    }
}

/// When a load stops starting iterations, since the run's start.
pub fn end_of(load: &Load) -> Duration {
    load.start_time + load.executor.duration()
}

/// Iterations started per whole second of the run, per flow: the shape a report's timeline
/// should show for a perfectly paced run (used by tests and by the pacing measurement).
pub fn per_second_counts(arrivals: impl Iterator<Item = Arrival>, flows: usize) -> Vec<Vec<u64>> {
    let mut out: Vec<Vec<u64>> = vec![Vec::new(); flows];
    for a in arrivals {
        let Some(row) = out.get_mut(a.flow) else {
            continue;
        };
        let s = a.at.as_secs() as usize;
        if row.len() <= s {
            row.resize(s + 1, 0);
        }
        row[s] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::executor::{Executor, Stage};
    use crate::scenario::schedule::{arrival_profile, vu_profile};

    fn load(executor: Executor) -> Load {
        Load {
            executor,
            start_time: Duration::ZERO,
            graceful_stop: Duration::from_secs(30),
        }
    }

    #[test]
    fn constant_rate_gives_the_rate_every_second() {
        let l = load(Executor::ConstantArrivalRate {
            rate: 500.0,
            time_unit: Duration::from_secs(1),
            duration: Duration::from_secs(4),
            pre_allocated_vus: 1,
            max_vus: 1,
        });
        let profile = arrival_profile(&l).unwrap();
        let counts = per_second_counts(Arrivals::new(&profile, &[1]), 1);
        assert_eq!(counts, vec![vec![500, 500, 500, 500]]);
        assert_eq!(end_of(&l), Duration::from_secs(4));
    }

    /// The arrivals know how many are left, exactly, at every point: what a caller sizes its
    /// buffers by.
    #[test]
    fn arrivals_say_exactly_how_many_are_left() {
        let profile = Profile::constant(50.0, 0.0, 2.0);
        let mut arrivals = Arrivals::new(&profile, &[1]);
        assert_eq!(arrivals.size_hint(), (100, Some(100)));
        arrivals.nth(39);
        assert_eq!(arrivals.size_hint(), (60, Some(60)));
        assert_eq!(arrivals.count(), 60);
    }

    /// A profile that is negative, infinite or not a number (none passes validation, but the
    /// engine sizes its VU pool from these) wants no VUs rather than four billion.
    #[test]
    fn a_profile_with_no_sensible_value_wants_no_vus() {
        for v in [-3.0, f64::NAN, f64::INFINITY] {
            let profile = Profile::constant(v, 0.0, 10.0);
            assert_eq!(vus_at(&profile, 5.0), 0, "{v}");
            assert_eq!(peak_vus(&profile), 0, "{v}");
        }
        assert_eq!(peak_vus(&Profile::constant(7.0, 0.0, 10.0)), 7);
    }

    #[test]
    fn shared_load_splits_by_weight() {
        let l = load(Executor::ConstantArrivalRate {
            rate: 100.0,
            time_unit: Duration::from_secs(1),
            duration: Duration::from_secs(2),
            pre_allocated_vus: 1,
            max_vus: 1,
        });
        let profile = arrival_profile(&l).unwrap();
        let counts = per_second_counts(Arrivals::new(&profile, &[3, 1]), 2);
        assert_eq!(counts, vec![vec![75, 75], vec![25, 25]]);
    }

    #[test]
    fn vu_counts_round_down_along_a_ramp() {
        let l = load(Executor::RampingVus {
            start_vus: 0,
            stages: vec![
                Stage {
                    target: 10.0,
                    duration: Duration::from_secs(10),
                },
                Stage {
                    target: 0.0,
                    duration: Duration::from_secs(10),
                },
            ],
        });
        let profile = vu_profile(&l).unwrap();
        assert_eq!(vus_at(&profile, 0.0), 0);
        assert_eq!(vus_at(&profile, 5.9), 5);
        assert_eq!(vus_at(&profile, 10.0), 10);
        assert_eq!(vus_at(&profile, 15.0), 5);
        assert_eq!(vus_at(&profile, 20.0), 0);
        assert_eq!(peak_vus(&profile), 10);
    }
}
