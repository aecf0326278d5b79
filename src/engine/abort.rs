//! Abort on fail (k6's `abortOnFail` / `delayAbortEval`): while traffic runs, the thresholds
//! marked `abort_on_fail` are judged every second on a live snapshot of the recorders, once
//! their `delay_abort_eval` has passed; the first that fails stops the run through the engine's
//! cooperative stop (every iteration still counted, clean-up done, reports written).
//!
//! What the watch finds is an [`Aborted`]: the threshold, its value, when, and the rates the run
//! had reached then — each quota category's usage in the last full second and the scheduled
//! arrival rate — which is what a breakpoint test (a `ramping-arrival-rate` load with an
//! aborting threshold) is run to learn.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::iteration::Shared;
use super::shared::wait_true;
use crate::metrics::thresholds::evaluate;
use crate::metrics::{Recorder, Summary};
use crate::quota::{Quotas, counted_usage};
use crate::report::Aborted;
use crate::scenario::schedule::Profile;
use crate::scenario::thresholds::Threshold;

/// How often the aborting thresholds are judged (k6 judges them every 2 s; one second matches
/// the resolution of the quota timeline).
pub const CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// The first threshold with `abort_on_fail` whose delay has passed at `elapsed` and which
/// fails on `summary`, as an [`Aborted`] (with the breakpoint rates of `summary`).
pub fn judge(
    thresholds: &[Threshold],
    summary: &Summary,
    quotas: &Quotas,
    arrival_rates: &[Profile],
    elapsed: Duration,
) -> Option<Aborted> {
    let failed = thresholds.iter().find_map(|t| {
        let abort = t.abort?;
        if elapsed < abort.delay {
            return None;
        }
        let verdict = evaluate(t, summary);
        (!verdict.passed).then_some(verdict)
    })?;
    let at_s = elapsed.as_secs_f64();
    Some(Aborted {
        scope: failed.scope.to_string(),
        expression: failed.source,
        observed: failed.observed,
        at_s,
        category_rps: last_full_second_usage(summary, quotas, at_s),
        arrival_rate: (!arrival_rates.is_empty())
            .then(|| arrival_rates.iter().map(|p| p.at(at_s)).sum()),
    })
}

/// Each quota category's usage in the last second that ended before `at_s`, counted against
/// its quota by the guide's rule ([`counted_usage`]); 0 for a category with no request then.
pub fn last_full_second_usage(
    summary: &Summary,
    quotas: &Quotas,
    at_s: f64,
) -> BTreeMap<String, f64> {
    // The second [n, n+1) is full once n + 1 <= at_s.
    let last = (at_s.floor() as i64 - 1).max(0) as u32;
    let demand = summary
        .timeline
        .iter()
        .find(|s| s.second == last)
        .map(|s| s.demand())
        .unwrap_or_default();
    summary
        .categories
        .keys()
        .map(|category| {
            let used = demand.get(category).map_or(0.0, |d| {
                counted_usage(*category, *d, quotas.in_force(*category).0)
            });
            (category.name().to_string(), used)
        })
        .collect()
}

/// Judges the aborting thresholds every [`CHECK_INTERVAL`] until `done`; on the first failure
/// turns `stop` on and returns what it found.
pub async fn watch_thresholds(
    shared: Arc<Shared>,
    quotas: Quotas,
    arrival_rates: Vec<Profile>,
    stop: Arc<watch::Sender<bool>>,
    mut done: watch::Receiver<bool>,
) -> Option<Aborted> {
    let thresholds: Vec<Threshold> = shared
        .scenario
        .thresholds
        .iter()
        .filter(|t| t.abort.is_some())
        .cloned()
        .collect();
    if thresholds.is_empty() {
        return None;
    }
    let layout = crate::metrics::Layout::from_scenario(&shared.scenario);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(CHECK_INTERVAL) => {}
            _ = wait_true(&mut done) => return None,
        }
        let elapsed = shared.start.elapsed();
        let recorder =
            super::progress::snapshot(&shared).unwrap_or_else(|| Recorder::new(layout.clone()));
        let summary = Summary::from_recorder(&recorder, elapsed).with_quotas(&quotas);
        if let Some(aborted) = judge(&thresholds, &summary, &quotas, &arrival_rates, elapsed) {
            let _ = stop.send(true);
            return Some(aborted);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Layout, Outcome};
    use crate::quota::QuotaCategory;
    use crate::scenario::scope::Scope;
    use crate::scenario::thresholds::{AbortOnFail, parse_expression};

    /// `ok` accepted and `throttled` refused InitiateAuth calls in second `second`.
    fn second(r: &mut Recorder, second: u64, ok: u64, throttled: u64) {
        for i in 0..ok + throttled {
            let at =
                Duration::from_secs(second) + Duration::from_millis(i * 900 / (ok + throttled));
            let outcome = if i < ok {
                Outcome::Ok
            } else {
                Outcome::Throttled
            };
            r.record_operation(at, "InitiateAuth", Duration::from_millis(5), outcome);
        }
    }

    fn throttle_threshold(delay: Option<u64>) -> Threshold {
        Threshold {
            scope: Scope::Category(QuotaCategory::UserAuthentication),
            expression: parse_expression("throttle_rate<1%").unwrap(),
            source: "throttle_rate<1%".into(),
            abort: delay.map(|s| AbortOnFail {
                delay: Duration::from_secs(s),
            }),
        }
    }

    fn summary(quotas: &Quotas) -> Summary {
        let mut r = Recorder::new(Layout::new(
            &[("sign_in", &["password_sign_in"])],
            &[QuotaCategory::UserAuthentication],
        ));
        second(&mut r, 0, 10, 0);
        second(&mut r, 1, 20, 0);
        second(&mut r, 2, 20, 5);
        Summary::from_recorder(&r, Duration::from_millis(3500)).with_quotas(quotas)
    }

    #[test]
    fn a_failing_aborting_threshold_stops_the_run_with_the_rates_reached() {
        let quotas = Quotas::default();
        let s = summary(&quotas);
        let ramp = Profile::ramp(10.0, &[(40.0, 6.0)], 0.0);
        let found = judge(
            &[throttle_threshold(Some(2))],
            &s,
            &quotas,
            &[ramp],
            Duration::from_millis(3500),
        )
        .expect("5 of 55 throttled fails throttle_rate<1%");
        assert_eq!(found.scope, "UserAuthentication");
        assert_eq!(found.expression, "throttle_rate<1%");
        assert!((found.observed.unwrap() - 5.0 / 55.0).abs() < 1e-9);
        assert_eq!(found.at_s, 3.5);
        // The last full second before 3.5 s is [2, 3): 25 requests, throttled ones included.
        assert_eq!(found.category_rps["UserAuthentication"], 25.0);
        assert!((found.arrival_rate.unwrap() - 27.5).abs() < 1e-9);
    }

    #[test]
    fn an_aborting_threshold_is_not_judged_before_its_delay_nor_one_without_abort_on_fail() {
        let quotas = Quotas::default();
        let s = summary(&quotas);
        let at = Duration::from_millis(3500);
        assert_eq!(
            judge(&[throttle_threshold(Some(4))], &s, &quotas, &[], at),
            None
        );
        assert_eq!(
            judge(&[throttle_threshold(None)], &s, &quotas, &[], at),
            None
        );
        let found = judge(&[throttle_threshold(Some(0))], &s, &quotas, &[], at).unwrap();
        assert_eq!(found.arrival_rate, None, "no arrival-rate load");
    }

    #[test]
    fn a_holding_aborting_threshold_does_not_stop_the_run() {
        let quotas = Quotas::default();
        let s = summary(&quotas);
        let mut lenient = throttle_threshold(Some(0));
        lenient.expression = parse_expression("throttle_rate<50%").unwrap();
        assert_eq!(
            judge(&[lenient], &s, &quotas, &[], Duration::from_secs(3)),
            None
        );
    }
}
