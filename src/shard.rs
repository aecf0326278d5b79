//! Scale-out: one scenario's load split across N processes (`run --shard I/N`), and the merge of
//! their results into one report (`merge`).
//!
//! ## The split
//!
//! Shards are numbered from 0, as a Kubernetes Indexed Job numbers its pods
//! (`JOB_COMPLETION_INDEX`): `--shard I/N` with `0 <= I < N`. As in k6's execution segments,
//! shard `I` owns the segment `[I/N, (I+1)/N)` of everything the scenario asks for, so the N
//! shards together send exactly the scenario's load and no user is used twice:
//!
//! - arrival-rate executors: every shard computes the scenario's full sequence of intended
//!   iteration starts and runs its stripe of it ([`Shard::owns`]: position `k` with
//!   `k mod N == I`, the remainder dealt to the shards with the longer ranges), so the shards
//!   interleave in time instead of all firing at once, and each runs exactly its share of the
//!   iterations;
//! - VU executors: the scenario's VUs `0..peak` are dealt the same way, so at the peak the
//!   shards together run exactly the profile's VUs, and about `1/N` of them before it;
//! - counts (setup users, CSV rows, `pre_allocated_vus`, `max_vus`): shard `I` gets the
//!   contiguous range `[floor(I*V/N), floor((I+1)*V/N))` ([`Shard::range`]), which sums to `V`
//!   exactly; provisioned users keep their global number in `{n}` (`harness-{run}-17` is user 17
//!   of the whole scenario, whichever shard created it), and the setup rate is divided by N;
//! - `{n}` of `sign_up` usernames is the iteration's global number `(local - 1) * N + I + 1`,
//!   so shards never sign up the same name even on one shared pool.
//!
//! ## The result
//!
//! A sharded run writes, beside its `summary.json`, `summary.md` and `report.html`,
//! [`SHARD_FILE`] (`shard.json`): a [`ShardResult`] holding the shard's id, a digest of the
//! scenario file, the wall-clock start in milliseconds, its user range, the scenario's
//! thresholds and the shard's whole report, whose [`Summary`] carries the HdrHistograms (V2,
//! base64) of every scope. [`merge`] adds the summaries (histograms losslessly, counters, and
//! timelines aligned by wall-clock second), evaluates the thresholds again on the merged data
//! and builds the report exactly as a single run does ([`RunReport::evaluate`]).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::metrics::{MetricsError, Scope, Summary};
use crate::report::{RunInfo, RunReport};
use crate::scenario::thresholds::{Threshold, parse_expression};

/// The file a sharded run writes into its report directory.
pub const SHARD_FILE: &str = "shard.json";

/// Bumped on any incompatible change to `shard.json`.
pub const SHARD_SCHEMA_VERSION: u32 = 2;

/// One shard of a scenario: `index` in `0..count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Default for Shard {
    fn default() -> Self {
        Shard::WHOLE
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The whole scenario in one process.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// A shard, checked: `count >= 1` and `index < count`.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 {
            return Err("the shard count N must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "shard index {index} is not below the count {count}: shards are numbered 0 to \
                 {} (as JOB_COMPLETION_INDEX numbers an Indexed Job's pods)",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// Parses `I/N` (e.g. `0/4`), 0-based.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let text = text.trim();
        let Some((index, count)) = text.split_once('/') else {
            return Err(format!(
                "{text:?} is not I/N: give the shard's index (from 0) and the number of shards, \
                 e.g. 0/4"
            ));
        };
        let (index, count) = (index.trim(), count.trim());
        if index.is_empty() {
            return Err(format!(
                "{text:?} has no index before the `/` (is JOB_COMPLETION_INDEX set?)"
            ));
        }
        let index: u32 = index
            .parse()
            .map_err(|_| format!("{text:?}: the index {index:?} is not a whole number"))?;
        let count: u32 = count
            .parse()
            .map_err(|_| format!("{text:?}: the count {count:?} is not a whole number"))?;
        Shard::new(index, count)
    }

    pub fn is_whole(self) -> bool {
        self.count <= 1
    }

    /// This shard's contiguous part of `0..total`: `[floor(I*total/N), floor((I+1)*total/N))`.
    /// The N ranges are disjoint, in order, and cover `0..total`.
    pub fn range(self, total: u64) -> Range<u64> {
        let n = u128::from(self.count.max(1));
        let bound = |i: u128| (i * u128::from(total) / n) as u64;
        bound(u128::from(self.index))..bound(u128::from(self.index) + 1)
    }

    /// How many of `total` this shard gets (the length of [`Shard::range`]).
    pub fn share(self, total: u64) -> u64 {
        let r = self.range(total);
        r.end - r.start
    }

    /// [`Shard::share`] of a `u32` count.
    pub fn share_u32(self, total: u32) -> u32 {
        // A share is never more than the total.
        u32::try_from(self.share(u64::from(total))).unwrap_or(total)
    }

    /// Whether item `k` (from 0) of a sequence of `total` items (an executor's iterations in
    /// start order, its VUs) is this shard's. Items are dealt round robin (`k mod N`) and the
    /// last `total mod N` go, one each, to the shards whose [`Shard::range`] is one longer: so
    /// a shard gets exactly [`Shard::share`] items, spread over the whole sequence, and as many
    /// iterations as it has users when the scenario has one user per iteration.
    pub fn owns(self, k: u64, total: u64) -> bool {
        let n = u64::from(self.count.max(1));
        let index = u64::from(self.index);
        let full = total / n * n;
        if k >= total {
            return false;
        }
        if k < full {
            return k % n == index;
        }
        // The remainder r = total mod N: shard i has one of it when floor((i+1)r/N) exceeds
        // floor(ir/N), and then it is remainder item floor(ir/N).
        let r = total - full;
        let before = index * r / n;
        (index + 1) * r / n > before && k - full == before
    }

    /// A scenario-wide number for this shard's `local`-th item (both from 1): distinct across
    /// shards (`(local - 1) * N + I + 1`), for `{n}` of usernames.
    pub fn global_number(self, local: u64) -> u64 {
        local.saturating_sub(1) * u64::from(self.count.max(1)) + u64::from(self.index) + 1
    }
}

/// The setup users a shard used: `[first, end)` of the scenario's `total` (0-based; user `i` is
/// `{n} = i + 1`, or CSV row `i + 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRange {
    pub first: u64,
    pub end: u64,
    pub total: u64,
}

/// A threshold as it travels in `shard.json`: its scope and its expression as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdSpec {
    pub scope: Scope,
    pub expression: String,
}

impl From<&Threshold> for ThresholdSpec {
    fn from(t: &Threshold) -> Self {
        ThresholdSpec {
            scope: t.scope.clone(),
            expression: t.source.clone(),
        }
    }
}

/// `shard.json`: what one shard measured, and what a merge needs to check and re-evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardResult {
    /// [`SHARD_SCHEMA_VERSION`].
    pub schema_version: u32,
    pub shard: Shard,
    /// SHA-256 (hex) of the scenario file's bytes, when it could be read: shards of one run
    /// must agree on it.
    pub scenario_digest: Option<String>,
    /// When traffic started, in milliseconds since the Unix epoch (aligns the timelines).
    pub started_at_ms: i64,
    /// The setup users this shard provisioned or read, when the scenario has any.
    pub users: Option<UserRange>,
    /// The scenario's thresholds, evaluated again on the merged data.
    pub thresholds: Vec<ThresholdSpec>,
    /// The shard's own report (its `summary.json`), histograms included.
    pub report: RunReport,
}

/// SHA-256 (hex) of a scenario file's bytes.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

/// Why shards cannot be merged. Every message names the file or shard at fault.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a shard result: {message}")]
    Parse { path: PathBuf, message: String },
    #[error(
        "{path}: no {SHARD_FILE} in it or in its subdirectories (was it written by `run --shard I/N`?)"
    )]
    NoResults { path: PathBuf },
    #[error("{path}: shard.json schema version {found}; this build reads version {expected}")]
    SchemaVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("{path}: {what} differs from {first}'s: the shards are not of one run")]
    Mismatch {
        path: PathBuf,
        first: PathBuf,
        what: &'static str,
    },
    #[error("shard {shard} appears twice: {a} and {b}")]
    Duplicate {
        shard: Shard,
        a: PathBuf,
        b: PathBuf,
    },
    #[error(
        "shards {missing} of {count} are missing; pass their report directories too, or \
         --allow-missing to merge what is there (the report is then marked partial)",
        missing = .missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    )]
    Missing { missing: Vec<u32>, count: u32 },
    #[error("{path}: threshold {scope} {expression:?}: {message}")]
    Threshold {
        path: PathBuf,
        scope: String,
        expression: String,
        message: String,
    },
    #[error("{path}: {source}")]
    Metrics { path: PathBuf, source: MetricsError },
}

/// Reads one `shard.json`.
pub fn read_result(path: &Path) -> Result<ShardResult, MergeError> {
    let bytes = std::fs::read(path).map_err(|source| MergeError::Read {
        path: path.to_owned(),
        source,
    })?;
    #[derive(Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let version: Version = serde_json::from_slice(&bytes).map_err(|e| MergeError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    if version.schema_version != SHARD_SCHEMA_VERSION {
        return Err(MergeError::SchemaVersion {
            path: path.to_owned(),
            found: version.schema_version,
            expected: SHARD_SCHEMA_VERSION,
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| MergeError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// The shard results under `paths`: each path is a `shard.json`, a report directory holding
/// one, or a directory whose subdirectories hold them (one shared volume for every pod).
pub fn find_results(paths: &[PathBuf]) -> Result<Vec<(PathBuf, ShardResult)>, MergeError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_file() {
            out.push((path.clone(), read_result(path)?));
            continue;
        }
        let direct = path.join(SHARD_FILE);
        if direct.is_file() {
            out.push((direct.clone(), read_result(&direct)?));
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|source| MergeError::Read {
            path: path.clone(),
            source,
        })?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path().join(SHARD_FILE))
            .filter(|p| p.is_file())
            .collect();
        if found.is_empty() {
            return Err(MergeError::NoResults { path: path.clone() });
        }
        found.sort();
        for file in found {
            let result = read_result(&file)?;
            out.push((file, result));
        }
    }
    Ok(out)
}

/// A merged run: its report, and the shards that went into it.
#[derive(Debug)]
pub struct Merged {
    pub report: RunReport,
    pub shards: Vec<Shard>,
    /// Indexes of shards that were not given (only with `allow_missing`).
    pub missing: Vec<u32>,
}

/// Merges the results of one sharded run. They must be of one scenario (same digest, name,
/// thresholds and shard count) with no shard twice; a missing shard is an error unless
/// `allow_missing`, when the report is marked partial.
pub fn merge(
    results: &[(PathBuf, ShardResult)],
    allow_missing: bool,
) -> Result<Merged, MergeError> {
    let Some((first_path, first)) = results.first() else {
        return Err(MergeError::NoResults {
            path: PathBuf::from("."),
        });
    };
    let mut by_index: BTreeMap<u32, (&PathBuf, &ShardResult)> = BTreeMap::new();
    for (path, r) in results {
        let mismatch = |what| MergeError::Mismatch {
            path: path.clone(),
            first: first_path.clone(),
            what,
        };
        if r.shard.count != first.shard.count {
            return Err(mismatch("the shard count"));
        }
        if r.scenario_digest.is_some()
            && first.scenario_digest.is_some()
            && r.scenario_digest != first.scenario_digest
        {
            return Err(mismatch("the scenario file (its digest)"));
        }
        if r.report.scenario != first.report.scenario {
            return Err(mismatch("the scenario name"));
        }
        if r.thresholds != first.thresholds {
            return Err(mismatch("the thresholds"));
        }
        if r.report.summary.schema_version != first.report.summary.schema_version {
            return Err(mismatch("the summary schema version"));
        }
        let start_of = |r: &ShardResult| r.report.start.as_ref().map(|s| s.start_at.clone());
        if start_of(r) != start_of(first) {
            return Err(mismatch("the common start (--start-at)"));
        }
        if let Some((other, _)) = by_index.insert(r.shard.index, (path, r)) {
            return Err(MergeError::Duplicate {
                shard: r.shard,
                a: other.clone(),
                b: path.clone(),
            });
        }
    }
    let count = first.shard.count;
    let missing: Vec<u32> = (0..count).filter(|i| !by_index.contains_key(i)).collect();
    if !missing.is_empty() && !allow_missing {
        return Err(MergeError::Missing { missing, count });
    }

    // Timelines count seconds since each shard's own start: shift them onto the earliest
    // start, to the nearest second.
    let t0 = by_index
        .values()
        .map(|(_, r)| r.started_at_ms)
        .min()
        .unwrap_or(0);
    let mut summary: Option<Summary> = None;
    for (path, r) in by_index.values() {
        let offset = ((r.started_at_ms - t0) as f64 / 1000.0).round();
        let shifted = r
            .report
            .summary
            .delayed(offset.clamp(0.0, f64::from(u32::MAX)) as u32);
        summary = Some(match summary {
            None => shifted,
            Some(s) => s.merge(&shifted).map_err(|source| MergeError::Metrics {
                path: (*path).clone(),
                source,
            })?,
        });
    }
    let summary = summary.unwrap_or_else(|| first.report.summary.clone());

    let mut thresholds = Vec::with_capacity(first.thresholds.len());
    for spec in &first.thresholds {
        let expression = parse_expression(&spec.expression).map_err(|e| MergeError::Threshold {
            path: first_path.clone(),
            scope: spec.scope.to_string(),
            expression: spec.expression.clone(),
            message: e.message,
        })?;
        thresholds.push(Threshold {
            scope: spec.scope.clone(),
            expression,
            source: spec.expression.clone(),
            abort: None,
        });
    }

    let earliest = by_index
        .values()
        .min_by_key(|(_, r)| r.started_at_ms)
        .map_or(first, |(_, r)| *r);
    let mut targets: Vec<&str> = by_index
        .values()
        .map(|(_, r)| r.report.target.as_str())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let info = RunInfo {
        scenario: first.report.scenario.clone(),
        scenario_path: first.report.scenario_path.clone(),
        description: first.report.description.clone(),
        target: targets.join(", "),
        started_at: earliest.report.started_at.clone(),
        partial: !missing.is_empty() || by_index.values().any(|(_, r)| r.report.partial),
        shard: None,
        start: merged_start(by_index.values().map(|(_, r)| *r)),
    };
    Ok(Merged {
        report: RunReport::evaluate(info, &thresholds, summary),
        shards: by_index.values().map(|(_, r)| r.shard).collect(),
        missing,
    })
}

/// The merged run's common start: the shards' instant, the latest shard's lateness, and
/// whether any shard's setup missed it. `None` when the shards had no `--start-at`.
fn merged_start<'a>(
    shards: impl Iterator<Item = &'a ShardResult>,
) -> Option<crate::report::StartInfo> {
    let mut merged: Option<crate::report::StartInfo> = None;
    for start in shards.filter_map(|r| r.report.start.as_ref()) {
        match &mut merged {
            None => merged = Some(start.clone()),
            Some(m) => {
                m.late_ms = m.late_ms.max(start.late_ms);
                m.setup_late |= start.setup_late;
            }
        }
    }
    merged
}

/// Shards that began traffic after the common start, with how late (milliseconds), for
/// `merge` to name them.
pub fn late_shards(results: &[(PathBuf, ShardResult)]) -> Vec<(Shard, u64)> {
    results
        .iter()
        .filter_map(|(_, r)| {
            let start = r.report.start.as_ref()?;
            (start.setup_late || start.late_ms > 0).then_some((r.shard, start.late_ms))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_zero_based_shards_and_explains_bad_ones() {
        assert_eq!(Shard::parse("0/3"), Ok(Shard { index: 0, count: 3 }));
        assert_eq!(Shard::parse(" 2 / 3 "), Ok(Shard { index: 2, count: 3 }));
        assert!(Shard::parse("3/3").unwrap_err().contains("0 to 2"));
        assert!(Shard::parse("0/0").unwrap_err().contains("at least 1"));
        assert!(
            Shard::parse("/3")
                .unwrap_err()
                .contains("JOB_COMPLETION_INDEX")
        );
        assert!(Shard::parse("1").unwrap_err().contains("I/N"));
        assert!(Shard::parse("a/3").unwrap_err().contains("whole number"));
        assert!(Shard::parse("-1/3").is_err());
    }

    #[test]
    fn ranges_and_stripes_split_exactly() {
        let shards: Vec<Shard> = (0..3).map(|i| Shard::new(i, 3).unwrap()).collect();
        let ranges: Vec<_> = shards.iter().map(|s| s.range(10)).collect();
        assert_eq!(ranges, [0..3, 3..6, 6..10]);
        assert_eq!(
            shards.iter().map(|s| s.share(2)).collect::<Vec<_>>(),
            [0, 1, 1]
        );
        let owned: Vec<u64> = (0..9).filter(|k| shards[1].owns(*k, 9)).collect();
        assert_eq!(owned, [1, 4, 7]);
        // 10 items: the tenth goes to the shard whose range is longer (6..10).
        let owned: Vec<Vec<u64>> = shards
            .iter()
            .map(|s| (0..10).filter(|k| s.owns(*k, 10)).collect())
            .collect();
        assert_eq!(owned, [vec![0, 3, 6], vec![1, 4, 7], vec![2, 5, 8, 9]]);
        assert_eq!(
            (1..=3)
                .map(|n| shards[1].global_number(n))
                .collect::<Vec<_>>(),
            [2, 5, 8]
        );
        assert_eq!(Shard::WHOLE.range(7), 0..7);
        assert_eq!(Shard::WHOLE.global_number(5), 5);
    }
}
