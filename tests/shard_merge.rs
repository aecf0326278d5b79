//! Scale-out: the split maths of `--shard I/N`, the lossless merge of shard results, sharded
//! runs end to end (in process on one shared pool, and as processes merged by the binary), and
//! the Kubernetes manifests against the shard argument they pass.

mod cli_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::Deserializer;
use proptest::prelude::*;

use cli_support::harness;
use cognito_harness::engine::{self, RunOptions};
use cognito_harness::metrics::{Layout, Outcome, Recorder, Scope, StepId, Summary};
use cognito_harness::protocol::CognitoClient;
use cognito_harness::quota::QuotaCategory;
use cognito_harness::report::{RunInfo, RunReport};
use cognito_harness::shard::{
    self, MergeError, SHARD_FILE, SHARD_SCHEMA_VERSION, Shard, ShardResult, ThresholdSpec,
    UserRange,
};

// ---------------------------------------------------------------------------------------------
// The split

proptest! {
    #[test]
    fn ranges_are_contiguous_disjoint_and_cover_the_total(
        count in 1u32..300,
        total in prop_oneof![0u64..10_000, any::<u64>()],
    ) {
        let mut next = 0u64;
        let mut sum = 0u128;
        let (mut least, mut most) = (u64::MAX, 0u64);
        for index in 0..count {
            let shard = Shard::new(index, count).unwrap();
            let range = shard.range(total);
            prop_assert_eq!(range.start, next, "shard {} starts where {} ended", index, index.saturating_sub(1));
            prop_assert!(range.end >= range.start);
            prop_assert_eq!(shard.share(total), range.end - range.start);
            least = least.min(shard.share(total));
            most = most.max(shard.share(total));
            sum += u128::from(shard.share(total));
            next = range.end;
        }
        prop_assert_eq!(next, total);
        prop_assert_eq!(sum, u128::from(total));
        prop_assert!(most - least <= 1, "shares {least}..={most} differ by more than one");
    }

    #[test]
    fn every_item_of_a_sequence_has_exactly_one_shard_and_shares_match_the_ranges(
        count in 1u32..40,
        total in 0u64..1_500,
    ) {
        let shards: Vec<Shard> = (0..count).map(|i| Shard::new(i, count).unwrap()).collect();
        let mut owned = vec![0u64; count as usize];
        for k in 0..total {
            let owners: Vec<usize> = (0..shards.len()).filter(|i| shards[*i].owns(k, total)).collect();
            prop_assert_eq!(owners.len(), 1, "item {} of {}: owners {:?}", k, total, owners);
            owned[owners[0]] += 1;
        }
        for (i, shard) in shards.iter().enumerate() {
            // As many iterations as users: `users: unique` never runs dry on one shard.
            prop_assert_eq!(owned[i], shard.share(total));
            prop_assert!(!shard.owns(total, total));
        }
    }

    #[test]
    fn global_numbers_never_collide_between_shards(count in 1u32..40, locals in 1u64..300) {
        let mut seen = BTreeSet::new();
        for index in 0..count {
            let shard = Shard::new(index, count).unwrap();
            for local in 1..=locals {
                prop_assert!(seen.insert(shard.global_number(local)));
            }
        }
        // Together they number 1..=count*locals.
        prop_assert_eq!(seen.first().copied(), Some(1));
        prop_assert_eq!(seen.last().copied(), Some(u64::from(count) * locals));
    }
}

#[test]
fn shard_arguments_are_zero_based_and_checked() {
    assert_eq!(Shard::parse("0/1"), Ok(Shard::WHOLE));
    assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
    for bad in ["3/3", "0/0", "/3", "1", "x/2", "1/y", "-1/2"] {
        assert!(Shard::parse(bad).is_err(), "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// The merge

fn layout() -> Layout {
    Layout::new(
        &[("sign_in", &["srp_sign_in"])],
        &[QuotaCategory::UserAuthentication],
    )
}

/// One sample: when (ms since the shard's start), latency (µs), whether it failed.
type Sample = (u64, u64, bool);

fn shard_result(shard: Shard, started_at_ms: i64, samples: &[Sample]) -> ShardResult {
    let mut recorder = Recorder::new(layout());
    for &(at, latency, failed) in samples {
        let outcome = if failed {
            Outcome::Error("NotAuthorizedException")
        } else {
            Outcome::Ok
        };
        let latency = Duration::from_micros(latency);
        recorder.record_request(
            Duration::from_millis(at),
            Some(QuotaCategory::UserAuthentication),
            latency,
            outcome,
        );
        recorder.record_step(StepId(0), latency, outcome);
        recorder.record_iteration(0, latency, outcome);
    }
    let summary = Summary::from_recorder(&recorder, Duration::from_secs(4));
    let started = chrono::DateTime::from_timestamp_millis(started_at_ms).unwrap();
    let info = RunInfo {
        scenario: "burst".into(),
        scenario_path: "scenarios/burst.yaml".into(),
        description: None,
        target: "embedded".into(),
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        partial: false,
        shard: Some((shard.index, shard.count)),
        start: None,
    };
    ShardResult {
        schema_version: SHARD_SCHEMA_VERSION,
        shard,
        scenario_digest: Some(shard::digest(b"flows: {}")),
        started_at_ms,
        users: None,
        thresholds: thresholds(),
        report: RunReport::evaluate(info, &[], summary),
    }
}

fn thresholds() -> Vec<ThresholdSpec> {
    vec![
        ThresholdSpec {
            scope: Scope::Run,
            expression: "count>=1000".into(),
        },
        ThresholdSpec {
            scope: Scope::Step {
                flow: "sign_in".into(),
                step: "srp_sign_in".into(),
            },
            expression: "p(99)<10s".into(),
        },
    ]
}

/// Writes each result as `<root>/shard-<i>/shard.json` (as shards' report directories are).
fn write_results(root: &Path, results: &[ShardResult]) {
    for r in results {
        let dir = root.join(format!("shard-{}", r.shard.index));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(SHARD_FILE), serde_json::to_vec(r).unwrap()).unwrap();
    }
}

fn decode(text: &str) -> Histogram<u64> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap();
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .unwrap()
}

fn samples() -> impl Strategy<Value = Vec<Sample>> {
    prop::collection::vec(
        (0u64..3_900, 1u64..2_000_000, prop::bool::weighted(0.05)),
        0..400,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn merged_shards_equal_one_histogram_over_every_sample(
        parts in prop::collection::vec(samples(), 1..5),
        delays in prop::collection::vec(0i64..3_000, 5),
    ) {
        let count = parts.len() as u32;
        let t0 = 1_780_000_000_000i64;
        let results: Vec<ShardResult> = parts
            .iter()
            .enumerate()
            .map(|(i, s)| shard_result(Shard::new(i as u32, count).unwrap(), t0 + delays[i], s))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        write_results(dir.path(), &results);
        let found = shard::find_results(&[dir.path().to_path_buf()]).unwrap();
        prop_assert_eq!(found.len(), parts.len());
        let merged = shard::merge(&found, false).unwrap();
        let run = &merged.report.summary.run;

        let mut union = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        for &(_, latency, _) in parts.iter().flatten() {
            union.record(latency).unwrap();
        }
        let total = parts.iter().map(Vec::len).sum::<usize>() as u64;
        let failed = parts.iter().flatten().filter(|s| s.2).count() as u64;
        prop_assert_eq!(run.count, total);
        prop_assert_eq!(run.ok, total - failed);
        prop_assert_eq!(run.errors.get("NotAuthorizedException").copied().unwrap_or(0), failed);
        match &run.latency {
            None => prop_assert_eq!(total, 0),
            Some(l) => {
                prop_assert_eq!(decode(&l.histogram), union.clone());
                prop_assert_eq!(l.min_us, union.min());
                prop_assert_eq!(l.max_us, union.max());
                prop_assert_eq!(l.p50_us, union.value_at_quantile(0.5));
                prop_assert_eq!(l.p99_us, union.value_at_quantile(0.99));
                for q in [0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
                    prop_assert_eq!(run.latency_quantile_us(q), Some(union.value_at_quantile(q)));
                }
            }
        }
        // Timelines land on the wall-clock second since the earliest start.
        let earliest = delays[..parts.len()].iter().min().copied().unwrap();
        let mut expected = std::collections::BTreeMap::<u64, u64>::new();
        for (i, part) in parts.iter().enumerate() {
            let offset = ((delays[i] - earliest) as f64 / 1000.0).round() as u64;
            for s in part {
                *expected.entry(offset + s.0 / 1000).or_default() += 1;
            }
        }
        let timeline = &merged.report.summary.timeline;
        for (second, n) in &expected {
            prop_assert_eq!(timeline[*second as usize].requests, *n, "second {}", second);
        }
        prop_assert_eq!(timeline.iter().map(|s| s.requests).sum::<u64>(), total);
        // Thresholds are evaluated again, on the merged counts.
        prop_assert_eq!(merged.report.thresholds.len(), 2);
        prop_assert_eq!(merged.report.thresholds[0].observed, Some(total as f64));
        prop_assert_eq!(merged.report.thresholds[0].passed, total >= 1000);
        prop_assert_eq!(merged.report.shard, None);
        prop_assert!(!merged.report.partial);
    }
}

#[test]
fn a_merge_needs_one_complete_set_of_one_scenario() {
    let a = shard_result(Shard::new(0, 3).unwrap(), 1_000, &[(10, 500, false)]);
    let b = shard_result(Shard::new(1, 3).unwrap(), 1_000, &[(10, 700, false)]);
    let c = shard_result(Shard::new(2, 3).unwrap(), 1_000, &[(10, 900, true)]);
    let with = |results: Vec<ShardResult>| -> Vec<(PathBuf, ShardResult)> {
        results
            .into_iter()
            .enumerate()
            .map(|(i, r)| (PathBuf::from(format!("s{i}/shard.json")), r))
            .collect()
    };

    let merged = shard::merge(&with(vec![c.clone(), a.clone(), b.clone()]), false).unwrap();
    assert_eq!(merged.report.summary.run.count, 3);
    assert_eq!(merged.shards.len(), 3);

    let Err(MergeError::Missing { missing, count }) =
        shard::merge(&with(vec![a.clone(), c.clone()]), false)
    else {
        panic!("a missing shard is an error");
    };
    assert_eq!((missing, count), (vec![1], 3));
    let partial = shard::merge(&with(vec![a.clone(), c.clone()]), true).unwrap();
    assert!(
        partial.report.partial,
        "--allow-missing marks the report partial"
    );
    assert_eq!(partial.missing, [1]);
    assert_eq!(partial.report.summary.run.count, 2);

    let err = shard::merge(&with(vec![a.clone(), b.clone(), a.clone()]), false).unwrap_err();
    assert!(matches!(err, MergeError::Duplicate { .. }), "{err}");
    assert!(err.to_string().contains("s0/shard.json") && err.to_string().contains("s2/shard.json"));

    let mut other = b.clone();
    other.scenario_digest = Some(shard::digest(b"flows: { other: {} }"));
    let err = shard::merge(&with(vec![a.clone(), other, c.clone()]), false).unwrap_err();
    assert!(err.to_string().contains("s1/shard.json"), "{err}");
    assert!(err.to_string().contains("scenario file"), "{err}");

    // Each thing the shards must share, changed on one of them, is named as the mismatch.
    let mut renamed = b.clone();
    renamed.report.scenario = "other".into();
    let mut rejudged = b.clone();
    rejudged.thresholds.pop();
    let mut newer = b.clone();
    newer.report.summary.schema_version += 1;
    let mut anchored = b.clone();
    anchored.report.start = Some(cognito_harness::report::StartInfo {
        start_at: "2026-01-01T00:00:00Z".into(),
        late_ms: 0,
        setup_late: false,
    });
    for (changed, what) in [
        (renamed, "the scenario name"),
        (rejudged, "the thresholds"),
        (newer, "the summary schema version"),
        (anchored, "the common start"),
    ] {
        let err = shard::merge(&with(vec![a.clone(), changed, c.clone()]), false).unwrap_err();
        assert!(matches!(err, MergeError::Mismatch { .. }), "{err}");
        assert!(err.to_string().contains(what), "{what}: {err}");
    }
    // A shard without a digest (an older writer) merges with one that has it.
    let mut undigested = b.clone();
    undigested.scenario_digest = None;
    shard::merge(&with(vec![a.clone(), undigested, c.clone()]), false).unwrap();

    let mut four = b.clone();
    four.shard = Shard::new(1, 4).unwrap();
    let err = shard::merge(&with(vec![a.clone(), four, c.clone()]), false).unwrap_err();
    assert!(err.to_string().contains("shard count"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let err = shard::find_results(&[dir.path().to_path_buf()]).unwrap_err();
    assert!(err.to_string().contains("no shard.json"), "{err}");
    std::fs::write(dir.path().join(SHARD_FILE), b"{\"schema_version\": 99}").unwrap();
    let err = shard::find_results(&[dir.path().to_path_buf()]).unwrap_err();
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Sharded runs in process, on one shared pool

/// Setup users and sign-up names without `{run}`: two shards picking the same `{n}` would get
/// `UsernameExistsException`, which the run counts as an error.
const SHARED_POOL: &str = r#"
target: embedded
setup:
  users: 7
  username: "pooled-{n}"
  password: "Shard-Pa55word!"
flows:
  sign_in:
    users: unique
    load: { executor: constant-arrival-rate, rate: 7, duration: 1s, pre_allocated_vus: 2 }
    steps:
      - password_sign_in
  sign_up:
    load: { executor: constant-arrival-rate, rate: 5, duration: 1s }
    steps:
      - sign_up: { username: "signed-{n}" }
  looping:
    load: { executor: constant-vus, vus: 5, duration: 1s }
    steps:
      - password_sign_in: { think: 100ms }
thresholds:
  sign_in: ["count==7"]
  run: ["error_rate==0"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_on_one_pool_use_disjoint_users_and_together_run_the_scenario() {
    let server = cognito_harness::server::start(Default::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pool.yaml");
    std::fs::write(&path, SHARED_POOL).unwrap();
    let scenario = cognito_harness::scenario::parse_scenario(SHARED_POOL, &path, &|_| None)
        .unwrap()
        .scenario;
    let scenario = Arc::new(scenario);
    let count = 3;
    // Every shard on the first shard's pool and app client.
    let mut first: Option<(String, cognito_harness::protocol::AppClient, String)> = None;
    let mut runs = Vec::new();
    for index in 0..count {
        let run_id = engine::new_run_id();
        let mut resolved =
            engine::target::reference_server_at(server.endpoint(), &scenario, &run_id)
                .await
                .unwrap();
        match &first {
            None => {
                first = Some((
                    resolved.pool_id.clone(),
                    resolved.app.clone(),
                    resolved.issuer.clone(),
                ))
            }
            Some((pool_id, app, issuer)) => {
                resolved.pool_id = pool_id.clone();
                resolved.app = app.clone();
                resolved.issuer = issuer.clone();
            }
        }
        let options = RunOptions {
            reports_root: dir.path().join("reports"),
            quiet: true,
            shard: Some(Shard::new(index, count).unwrap()),
            quotas: Default::default(),
            start_at: None,
            check_shapes: true,
        };
        let scenario = scenario.clone();
        runs.push(tokio::spawn(async move {
            let (_stop_tx, stop) = tokio::sync::watch::channel(false);
            engine::execute_on(scenario, resolved, &run_id, &options, stop)
                .await
                .unwrap()
        }));
    }
    let mut results = Vec::new();
    for run in runs {
        results.push(run.await.unwrap());
    }
    let pool_id = first.unwrap().0;

    let mut sign_ins = 0;
    let mut sign_ups = 0;
    let mut looping = 0;
    for r in &results {
        let s = &r.report.summary;
        assert_eq!(
            s.run.ok, s.run.count,
            "{:?}: errors {:?} {:?}",
            r.report.shard, s.run.errors, s.run.transport
        );
        sign_ins += s.flows["sign_in"].count;
        sign_ups += s.flows["sign_up"].count;
        looping += s.flows["looping"].count;
        assert!(r.dir.join(SHARD_FILE).is_file());
        assert!(
            r.dir
                .to_string_lossy()
                .ends_with(&format!("shard{}of3", r.report.shard.unwrap().0)),
            "{}",
            r.dir.display()
        );
    }
    // Exactly the scenario's iterations, each pool user signed in once.
    assert_eq!(sign_ins, 7);
    assert_eq!(sign_ups, 5);
    assert!(looping >= 5, "{looping}");

    // Shard results: disjoint user ranges covering the 7 users, and a merge equal to the sums.
    let found = shard::find_results(&[dir.path().join("reports")]).unwrap();
    let mut ranges: Vec<UserRange> = found.iter().map(|(_, r)| r.users.unwrap()).collect();
    ranges.sort_by_key(|r| r.first);
    assert_eq!(ranges[0].first, 0);
    for pair in ranges.windows(2) {
        assert_eq!(pair[0].end, pair[1].first);
    }
    assert_eq!(ranges[2].end, 7);
    let merged = shard::merge(&found, false).unwrap();
    let m = &merged.report.summary;
    assert_eq!(m.flows["sign_in"].count, 7);
    assert_eq!(m.flows["sign_up"].count, 5);
    assert_eq!(
        m.run.count,
        results
            .iter()
            .map(|r| r.report.summary.run.count)
            .sum::<u64>()
    );
    assert!(merged.report.passed, "{:?}", merged.report.thresholds);
    // The sign_in threshold fails on every shard alone (7 is the whole scenario's count).
    assert!(results.iter().all(|r| !r.report.passed));

    // The pool holds each setup user and each signed-up user exactly once.
    let client =
        CognitoClient::new(engine::target::local_config(server.endpoint()).unwrap()).unwrap();
    for n in 1..=7 {
        client
            .admin_get_user(&pool_id, &format!("pooled-{n}"))
            .await
            .unwrap_or_else(|e| panic!("pooled-{n}: {e}"));
    }
    assert!(client.admin_get_user(&pool_id, "pooled-8").await.is_err());
    // Sign-up names carry scenario-wide numbers: each shard's are its own.
    let mut names = BTreeSet::new();
    for r in &results {
        let (index, count) = r.report.shard.unwrap();
        let shard = Shard::new(index, count).unwrap();
        for local in 1..=r.report.summary.flows["sign_up"].count {
            assert!(names.insert(format!("signed-{}", shard.global_number(local))));
        }
    }
    assert_eq!(names.len(), 5);
    for name in &names {
        client
            .admin_get_user(&pool_id, name)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Shard processes and `merge`, through the binary

const QUICK: &str = r#"
description: a short quickstart
target: embedded
setup:
  users: 6
  password: "Quick-Pa55word!"
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 15, duration: 2s, pre_allocated_vus: 3 }
    steps:
      - srp_sign_in: { capture: s }
      - verify_tokens
      - refresh: { tokens: s }
  sign_up:
    load: { executor: constant-arrival-rate, rate: 4, duration: 2s }
    steps:
      - sign_up: { username: "quick-{n}" }
      - confirm_sign_up
thresholds:
  run: ["error_rate==0"]
  sign_in: ["count==30"]
"#;

#[test]
fn shard_processes_merge_into_the_scenarios_load() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("quick.yaml");
    std::fs::write(&scenario, QUICK).unwrap();
    let reports = dir.path().join("reports");
    let count = 2;
    let children: Vec<std::process::Child> = (0..count)
        .map(|i| {
            let mut cmd = cli_support::harness_process();
            cmd.arg("run")
                .arg(&scenario)
                .arg("--reports")
                .arg(&reports)
                .arg("--quiet")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            // One through the flag, one through the environment.
            if i == 0 {
                cmd.env_remove("CH_SHARD")
                    .arg("--shard")
                    .arg(format!("{i}/{count}"));
            } else {
                cmd.env("CH_SHARD", format!("{i}/{count}"));
            }
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        // Each shard alone fails `count==30` (it ran half of it), which `merge` judges: exit 0.
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("✗ sign_in count==30  count="), "{stdout}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("Quick-Pa55word!"));
    }
    let shards = shard::find_results(std::slice::from_ref(&reports)).unwrap();
    assert_eq!(shards.len(), 2);
    for (path, r) in &shards {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            !text.contains("Quick-Pa55word!"),
            "no secret in {}",
            path.display()
        );
        assert_eq!(
            r.report.summary.run.ok, r.report.summary.run.count,
            "{:?}",
            r.report.summary.run.errors
        );
    }

    let out_dir = dir.path().join("merged");
    let out = harness()
        .arg("merge")
        .arg(&reports)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("merged 2 shards"), "{stdout}");
    for name in ["summary.json", "summary.md", "report.html"] {
        assert!(out_dir.join(name).is_file(), "{name}");
    }
    let merged: RunReport =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    let m = &merged.summary;

    // Totals are the shards' sums, and exactly the scenario's iterations.
    let sum = |f: &dyn Fn(&Summary) -> u64| -> u64 {
        shards.iter().map(|(_, r)| f(&r.report.summary)).sum()
    };
    assert_eq!(m.run.count, sum(&|s| s.run.count));
    assert_eq!(m.run.ok, sum(&|s| s.run.ok));
    assert_eq!(m.flows["sign_in"].count, 30);
    assert_eq!(m.flows["sign_up"].count, 8);
    assert_eq!(m.steps["sign_in.srp_sign_in"].count, 30);
    // SRP sign-in is two requests, a refresh one, verify_tokens none; a sign-up two.
    assert_eq!(m.run.count, 30 * 3 + 8 * 2);
    // The merged rate is the scenario's: 15 sign-ins per second over its 2 s.
    assert!(
        (m.flows["sign_in"].rps - 15.0).abs() < 0.5,
        "{}",
        m.flows["sign_in"].rps
    );
    assert!(merged.passed, "{:?}", merged.thresholds);

    // Percentiles equal those of the shards' histograms added here independently.
    for scope in ["sign_in.srp_sign_in", "sign_in.refresh"] {
        let mut union: Option<Histogram<u64>> = None;
        for (_, r) in &shards {
            let h = decode(
                &r.report.summary.steps[scope]
                    .latency
                    .as_ref()
                    .unwrap()
                    .histogram,
            );
            match union.as_mut() {
                None => union = Some(h),
                Some(u) => u.add(&h).unwrap(),
            }
        }
        let union = union.unwrap();
        let step = &m.steps[scope];
        let latency = step.latency.as_ref().unwrap();
        assert_eq!(latency.p50_us, union.value_at_quantile(0.5), "{scope}");
        assert_eq!(latency.p95_us, union.value_at_quantile(0.95), "{scope}");
        assert_eq!(latency.p99_us, union.value_at_quantile(0.99), "{scope}");
        assert_eq!(latency.max_us, union.max(), "{scope}");
        assert_eq!(step.count, union.len(), "{scope}");
    }

    // The shards' users are disjoint ranges covering the six.
    let mut ranges: Vec<UserRange> = shards.iter().map(|(_, r)| r.users.unwrap()).collect();
    ranges.sort_by_key(|r| r.first);
    assert_eq!(
        ranges.iter().map(|r| (r.first, r.end)).collect::<Vec<_>>(),
        [(0, 3), (3, 6)]
    );

    // Merging one shard alone: missing shards are an error, or a partial report on request.
    let one = shards[0].0.parent().unwrap().to_path_buf();
    let out = harness()
        .arg("merge")
        .arg(&one)
        .arg("--out")
        .arg(dir.path().join("m1"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--allow-missing"),
        "{out:?}"
    );
    let out = harness()
        .arg("merge")
        .arg(&one)
        .arg("--allow-missing")
        .arg("--out")
        .arg(dir.path().join("m2"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let partial: RunReport =
        serde_json::from_slice(&std::fs::read(dir.path().join("m2/summary.json")).unwrap())
            .unwrap();
    assert!(partial.partial);
}

#[test]
fn a_bad_shard_argument_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("quick.yaml");
    std::fs::write(&scenario, QUICK).unwrap();
    for bad in ["2/2", "0/0", "/2", "one/2"] {
        let out = harness()
            .arg("run")
            .arg(&scenario)
            .arg("--reports")
            .arg(dir.path().join("reports"))
            .arg("--shard")
            .arg(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--shard"), "{bad}: {stderr}");
    }
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(dir.path().join("reports"))
        .env("CH_SHARD", "5/3")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!dir.path().join("reports").exists(), "nothing ran");
    let out = harness()
        .arg("merge")
        .arg(dir.path().join("nowhere"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nowhere"),
        "{out:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The Kubernetes manifests

fn manifest(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy/kubernetes")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_job_is_indexed_and_its_completions_match_the_shard_count() {
    let job = manifest("job.yaml");
    assert_eq!(job["kind"], "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let completions = spec["completions"].as_u64().unwrap();
    assert_eq!(spec["parallelism"].as_u64(), Some(completions));
    let container = &spec["template"]["spec"]["containers"][0];
    let command: Vec<&str> = container["command"]
        .as_array()
        .unwrap()
        .iter()
        .chain(container["args"].as_array().into_iter().flatten())
        .map(|v| v.as_str().unwrap())
        .collect();
    let line = command.join(" ");
    let shard = line
        .split("--shard")
        .nth(1)
        .unwrap_or_else(|| panic!("no --shard in {line}"))
        .split_whitespace()
        .next()
        .unwrap()
        .trim_matches(['"', '\'']);
    let (index, count) = shard.split_once('/').unwrap();
    assert_eq!(index, "${JOB_COMPLETION_INDEX}", "{line}");
    assert_eq!(count.parse::<u64>().unwrap(), completions, "{line}");
    assert!(line.contains("/scenario/scenario.yaml"), "{line}");

    // The scenario the job runs is the configmap's, and it is a valid scenario.
    let configmap = manifest("configmap.yaml");
    assert_eq!(configmap["kind"], "ConfigMap");
    let volumes = job["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap();
    assert!(
        volumes
            .iter()
            .any(|v| v["configMap"]["name"] == configmap["metadata"]["name"])
    );
    let text = configmap["data"]["scenario.yaml"].as_str().unwrap();
    let env = |name: &str| {
        Some(match name {
            "COGNITO_REGION" => "eu-west-1".to_string(),
            "COGNITO_USER_POOL_ID" => "eu-west-1_Example".to_string(),
            _ => format!("Placeholder-{name}-1!"),
        })
    };
    let loaded = cognito_harness::scenario::parse_scenario(text, Path::new("scenario.yaml"), &env)
        .unwrap_or_else(|d| panic!("{:?}", d.0));
    assert!(!loaded.scenario.flows.is_empty());

    // The pod that collects the reports mounts the volume the shards wrote into.
    let claim = |spec: &serde_json::Value| {
        spec["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|v| v["persistentVolumeClaim"]["claimName"].as_str())
            .map(str::to_owned)
    };
    let pvc = manifest("pvc.yaml");
    let reports = manifest("reports-pod.yaml");
    assert_eq!(
        claim(&job["spec"]["template"]["spec"]).as_deref(),
        pvc["metadata"]["name"].as_str()
    );
    assert_eq!(
        claim(&reports["spec"]),
        claim(&job["spec"]["template"]["spec"])
    );

    // Credentials come from the secret, never from the manifests themselves.
    let secret = manifest("secret.yaml");
    assert_eq!(secret["kind"], "Secret");
    let env_from = container["envFrom"].as_array().unwrap();
    assert!(
        env_from
            .iter()
            .any(|e| e["secretRef"]["name"] == secret["metadata"]["name"])
    );
}
