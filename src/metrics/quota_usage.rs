//! Each quota category's usage over a run, counted second by second by the guide's rule
//! ([`quota::counted_usage`]: challenge responses up to three times the UserAuthentication quota
//! are carried by their own allowance; only the excess counts), and compared with the quota in
//! force and where that quota came from (default, the scenario's `quotas:` block, `--quota`).
//!
//! `plan` computes the same numbers from the scenario's load; a run computes them from its
//! timeline, which keeps challenge responses apart for this purpose.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::quota::{self, CategoryDemand, QuotaCategory, QuotaSource, Quotas};

/// One category's usage against its quota.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaUsage {
    /// The quota in force, requests per second.
    pub quota_rps: f64,
    /// Where the quota came from.
    pub quota_source: QuotaSource,
    /// The busiest second's usage counted against the quota.
    pub peak_rps: f64,
    /// The second of the timeline in which the peak fell.
    pub peak_second: u32,
    /// Counted usage per second of the measured window.
    pub avg_rps: f64,
    /// `peak_rps / quota_rps` (0..; above 1 the peak exceeded the quota).
    pub peak_share: f64,
    /// Challenge responses (UserAuthentication, when the run sent any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<ChallengeUsage>,
}

/// `RespondToAuthChallenge` + `AdminRespondToAuthChallenge` against their own allowance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChallengeUsage {
    /// The busiest second's challenge responses.
    pub peak_rps: f64,
    /// Three times the UserAuthentication quota in force.
    pub allowance_rps: f64,
}

/// Usage of each of `categories` over a timeline given as each second's number and demand per
/// category, against `quotas`.
pub(crate) fn quota_usage(
    timeline: &[(u32, BTreeMap<QuotaCategory, CategoryDemand>)],
    categories: impl IntoIterator<Item = QuotaCategory>,
    quotas: &Quotas,
    elapsed_s: f64,
) -> BTreeMap<QuotaCategory, QuotaUsage> {
    categories
        .into_iter()
        .map(|category| {
            let (quota_rps, quota_source) = quotas.in_force(category);
            let mut peak = (0.0, 0u32);
            let mut total = 0.0;
            let mut challenge_peak: f64 = 0.0;
            for (second, demands) in timeline {
                let demand = demands.get(&category).copied().unwrap_or_default();
                let used = quota::counted_usage(category, demand, quota_rps);
                total += used;
                if used > peak.0 {
                    peak = (used, *second);
                }
                challenge_peak = challenge_peak.max(demand.challenge_responses);
            }
            let usage = QuotaUsage {
                quota_rps,
                quota_source,
                peak_rps: peak.0,
                peak_second: peak.1,
                avg_rps: if elapsed_s > 0.0 {
                    total / elapsed_s
                } else {
                    0.0
                },
                peak_share: if quota_rps > 0.0 {
                    peak.0 / quota_rps
                } else {
                    0.0
                },
                challenge: (challenge_peak > 0.0).then(|| ChallengeUsage {
                    peak_rps: challenge_peak,
                    allowance_rps: quota::challenge_allowance(quota_rps),
                }),
            };
            (category, usage)
        })
        .collect()
}

/// The quotas a summary was counted against, to count a merge of shards the same way.
pub(crate) fn quotas_of(usage: &BTreeMap<QuotaCategory, QuotaUsage>) -> Quotas {
    let mut quotas = Quotas::default();
    for (category, u) in usage {
        if u.quota_source != QuotaSource::Default {
            quotas.set(*category, u.quota_rps, u.quota_source);
        }
    }
    quotas
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::metrics::{Layout, Outcome, Recorder, Summary};
    use crate::quota::{QuotaCategory, QuotaSource, Quotas};

    /// One second of `sign_ins` SRP sign-ins at second `second`: an InitiateAuth and a
    /// RespondToAuthChallenge each.
    fn sign_ins(r: &mut Recorder, second: u64, sign_ins: u64) {
        for i in 0..sign_ins {
            let at = Duration::from_secs(second) + Duration::from_millis(i * 900 / sign_ins);
            let ms = Duration::from_millis(5);
            r.record_operation(at, "InitiateAuth", ms, Outcome::Ok);
            r.record_operation(at, "RespondToAuthChallenge", ms, Outcome::Ok);
        }
    }

    fn recorder() -> Recorder {
        Recorder::new(Layout::new(
            &[("sign_in", &["srp_sign_in"])],
            &[QuotaCategory::UserAuthentication],
        ))
    }

    #[test]
    fn challenge_responses_within_the_allowance_do_not_count_towards_the_peak() {
        let mut r = recorder();
        sign_ins(&mut r, 0, 30);
        sign_ins(&mut r, 1, 45);
        let s = Summary::from_recorder(&r, Duration::from_secs(2));
        let ua = &s.quotas[&QuotaCategory::UserAuthentication];
        // 45 InitiateAuth in the busiest second; its 45 responses are within 360.
        assert_eq!(ua.peak_rps, 45.0);
        assert_eq!(ua.peak_second, 1);
        assert_eq!(ua.avg_rps, 37.5);
        assert_eq!(ua.quota_source, QuotaSource::Default);
        assert_eq!(ua.challenge.as_ref().map(|c| c.peak_rps), Some(45.0));
        assert_eq!(
            s.categories[&QuotaCategory::UserAuthentication].peak_rps,
            Some(45.0)
        );
        assert_eq!(
            s.timeline[1].categories[&QuotaCategory::UserAuthentication],
            90
        );
        assert_eq!(
            s.timeline[1].challenge_responses[&QuotaCategory::UserAuthentication],
            45
        );
    }

    #[test]
    fn the_excess_over_the_allowance_counts_against_a_stated_quota_and_merges_alike() {
        let mut r = recorder();
        sign_ins(&mut r, 0, 40);
        let mut quotas = Quotas::default();
        quotas.set(QuotaCategory::UserAuthentication, 10.0, QuotaSource::Flag);
        let s = Summary::from_recorder(&r, Duration::from_secs(1)).with_quotas(&quotas);
        let ua = &s.quotas[&QuotaCategory::UserAuthentication];
        // 40 + (40 - 30) = 50 against 10.
        assert_eq!(ua.peak_rps, 50.0);
        assert_eq!(ua.peak_share, 5.0);
        assert_eq!(ua.quota_source, QuotaSource::Flag);
        // Two shards of the same run: the merge counts the summed seconds by the same quota.
        let merged = s.merge(&s).unwrap();
        let ua = &merged.quotas[&QuotaCategory::UserAuthentication];
        assert_eq!(ua.quota_rps, 10.0);
        assert_eq!(ua.peak_rps, 80.0 + 50.0);
        let back: Summary = serde_json::from_str(&serde_json::to_string(&merged).unwrap()).unwrap();
        assert_eq!(back, merged);
    }
}
