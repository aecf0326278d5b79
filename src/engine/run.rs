//! Executors, VUs, interruption, and the run's report and exit code.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinSet;

use super::EngineError;
use super::iteration::{FlowCounters, Shared, record_waiting_interrupted, run_iteration_caught};
use super::pacer::{Arrivals, end_of, peak_vus, vus_at};
use super::progress::{RunSink, TracingSink};
use super::shared::wait_true;
use super::target::{self, Resolved};
use crate::exit::ExitCode;
use crate::metrics::{Layout, Recorder, Summary};
use crate::report::{RunInfo, RunReport};
use crate::scenario::model::{FlowLoad, Load, Scenario, Target, UserSource};
use crate::scenario::schedule::{FlowMix, arrival_profile, vu_profile};
use crate::shard::{SHARD_FILE, SHARD_SCHEMA_VERSION, Shard, ShardResult, UserRange};

/// How `run` was asked to behave.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Where `<scenario>-<timestamp>/` is created. Default (CLI): `reports/runs`.
    pub reports_root: PathBuf,
    /// No live progress. Default: false.
    pub quiet: bool,
    /// Run only this shard's part of the load and also write `shard.json` (see
    /// [`crate::shard`]). Default: the whole scenario.
    pub shard: Option<crate::shard::Shard>,
    /// Quotas given with `--quota` (source `flag`); they override the scenario's `quotas:`
    /// block. Default: none.
    pub quotas: crate::quota::Quotas,
    /// `--start-at`: the common start instant every shard anchors its schedule at (see
    /// [`super::start`]). Default: traffic starts when setup is done.
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Check every answer against the service model's shapes (a mismatch fails the request as
    /// `shape:<member>:<problem>`). Default: true; `run --no-shape-check` turns it off.
    pub check_shapes: bool,
}

/// A finished (or interrupted) run.
#[derive(Debug)]
pub struct RunResult {
    pub report: RunReport,
    /// The directory the reports were written to.
    pub dir: PathBuf,
    /// Users the clean-up could not delete.
    pub cleanup_failures: usize,
}

impl RunResult {
    /// The process exit code: interrupted (130), thresholds failed (10, also when a threshold
    /// aborted the run), or ok. A shard's own
    /// verdicts do not count: its thresholds are judged by `merge`, on every shard's data (a
    /// shard alone sends 1/N of the load).
    pub fn exit_code(&self) -> ExitCode {
        if self.report.aborted.is_some() {
            ExitCode::ThresholdsFailed
        } else if self.report.partial {
            ExitCode::Interrupted
        } else if !self.report.passed && self.report.shard.is_none() {
            ExitCode::ThresholdsFailed
        } else {
            ExitCode::Ok
        }
    }
}

/// A short random id for usernames and pool names of this run.
pub fn new_run_id() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    id[..10].to_string()
}

/// Resolves the target of `scenario` (the embedded server, or an endpoint).
pub async fn resolve(scenario: &Scenario, run_id: &str) -> Result<Resolved, EngineError> {
    match &scenario.target {
        Target::Endpoint(_) => target::resolve_endpoint(scenario).await,
        Target::Embedded => super::target::resolve_embedded(scenario, run_id).await,
    }
}

/// Runs a validated scenario to the end (or until `stop` turns true) and writes its reports;
/// notices and progress go to `tracing` ([`TracingSink`]).
pub async fn execute(
    scenario: Arc<Scenario>,
    options: &RunOptions,
    stop: watch::Receiver<bool>,
) -> Result<RunResult, EngineError> {
    execute_with(scenario, options, stop, Arc::new(TracingSink)).await
}

/// [`execute`] with notices and live progress going to `sink`.
pub async fn execute_with(
    scenario: Arc<Scenario>,
    options: &RunOptions,
    stop: watch::Receiver<bool>,
    sink: Arc<dyn RunSink>,
) -> Result<RunResult, EngineError> {
    let run_id = new_run_id();
    // The reachability probe can wait on a target that accepts and never answers: an
    // interruption ends it at once.
    let resolved = {
        let mut stop = stop.clone();
        tokio::select! {
            resolved = resolve(&scenario, &run_id) => resolved?,
            _ = wait_true(&mut stop) => {
                return Err(EngineError::Interrupted("while reaching the target"));
            }
        }
    };
    execute_on_with(scenario, resolved, &run_id, options, stop, sink).await
}

/// [`execute`] on a target already resolved (for a server the caller started). `run_id` is
/// the id in usernames and pool names.
pub async fn execute_on(
    scenario: Arc<Scenario>,
    resolved: Resolved,
    run_id: &str,
    options: &RunOptions,
    stop: watch::Receiver<bool>,
) -> Result<RunResult, EngineError> {
    execute_on_with(
        scenario,
        resolved,
        run_id,
        options,
        stop,
        Arc::new(TracingSink),
    )
    .await
}

/// [`execute_on`] with notices and live progress going to `sink`.
pub async fn execute_on_with(
    scenario: Arc<Scenario>,
    resolved: Resolved,
    run_id: &str,
    options: &RunOptions,
    stop: watch::Receiver<bool>,
    sink: Arc<dyn RunSink>,
) -> Result<RunResult, EngineError> {
    let run_id = run_id.to_string();
    let mut resolved = resolved;
    resolved.client = resolved.client.with_shape_check(options.check_shapes);
    let password = scenario
        .setup
        .password
        .as_ref()
        .map(|p| p.expose().to_owned())
        .unwrap_or_else(target::random_password);
    let segment = options.shard.unwrap_or(Shard::WHOLE);
    let users_total = scenario.setup.users.count();
    let users = segment.range(users_total);
    if !options.quiet {
        if let Some(shard) = options.shard {
            sink.notice(&format!(
                "shard {shard}: setup users {}..{} of {users_total}",
                users.start, users.end
            ));
        }
        if users.end > users.start {
            sink.notice(&format!("setup: {} users", users.end - users.start));
        }
    }
    // An interruption during set-up skips the traffic; the (empty) partial report still follows.
    let pool = {
        let mut stop = stop.clone();
        tokio::select! {
            pool = target::provision_users(&resolved, &scenario, &run_id, &password, segment) => pool?,
            _ = wait_true(&mut stop) => Vec::new(),
        }
    };

    let loads = loads_of(&scenario);
    let scheduled = loads
        .iter()
        .map(|(load, _)| end_of(load))
        .max()
        .unwrap_or_default();
    let layout = Layout::from_scenario(&scenario).with_timeline_interval(scheduled);
    let shard_count = std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 2)
        .clamp(2, 16);
    let flows = scenario.flows.len();
    let graceful = loads
        .iter()
        .map(|(load, _)| load.graceful_stop)
        .max()
        .unwrap_or_default();
    let anchor = {
        let mut stop = stop.clone();
        super::start::anchor(options.start_at, graceful, &mut stop, &*sink, options.quiet).await
    };
    let started_at = anchor.wall;
    let shared = Arc::new(Shared {
        segment,
        scenario: scenario.clone(),
        target: resolved,
        run_id: run_id.clone(),
        password,
        pool,
        created: std::sync::Mutex::new(Vec::new()),
        shards: (0..shard_count)
            .map(|_| std::sync::Mutex::new(Recorder::new(layout.clone())))
            .collect(),
        start: anchor.instant,
        iteration_numbers: (0..flows).map(|_| AtomicU64::new(0)).collect(),
        user_cursors: (0..flows).map(|_| AtomicU64::new(0)).collect(),
        counters: (0..flows).map(|_| FlowCounters::default()).collect(),
        keys: tokio::sync::OnceCell::new(),
        seed: rand::random(),
    });

    sink.live(super::LiveMetrics::new(shared.clone()));
    let (done_tx, done_rx) = watch::channel(false);
    // The drivers stop on a signal (the caller's `stop`) or when an aborting threshold fails.
    let (halt_tx, halt) = watch::channel(false);
    let halt_tx = Arc::new(halt_tx);
    let forward = {
        let halt_tx = halt_tx.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            wait_true(&mut stop).await;
            let _ = halt_tx.send(true);
        })
    };
    let quotas = scenario.quotas.overlaid(&options.quotas);
    let arrival_rates = loads
        .iter()
        .filter_map(|(l, _)| arrival_profile(l))
        .collect();
    let watcher = tokio::spawn(super::abort::watch_thresholds(
        shared.clone(),
        quotas.clone(),
        arrival_rates,
        halt_tx,
        done_rx.clone(),
    ));
    let progress = (!options.quiet).then(|| {
        tokio::spawn(super::progress::run(
            shared.clone(),
            scheduled,
            done_rx,
            sink.clone(),
        ))
    });
    let mut drivers = JoinSet::new();
    let mut vu_base = 0usize;
    // Interrupted during set-up or the wait for a common start: no traffic at all. (The halt
    // forwarded from `stop` arrives asynchronously, after a driver could send its first
    // iteration.)
    let stopped_before_traffic = *stop.borrow();
    for (load, flows) in loads {
        if stopped_before_traffic {
            break;
        }
        let vus = max_vus_of(&load) as usize;
        drivers.spawn(drive(shared.clone(), load, flows, halt.clone(), vu_base));
        vu_base += vus;
    }
    while drivers.join_next().await.is_some() {}
    let interrupted = *stop.borrow();
    let actual = shared.start.elapsed();
    let _ = done_tx.send(true);
    forward.abort();
    let aborted = watcher.await.ok().flatten();
    if let Some(p) = progress {
        let _ = p.await;
    }

    let recorder =
        super::progress::snapshot(&shared).unwrap_or_else(|| Recorder::new(layout.clone()));
    let elapsed = if interrupted || aborted.is_some() {
        actual
    } else {
        scheduled.max(Duration::from_millis(1))
    };
    let summary = Summary::from_recorder(&recorder, elapsed).with_quotas(&quotas);

    let (cleanup_failures, interrupted) = if interrupted {
        let left = created_count(&shared);
        if left > 0 {
            sink.notice(&format!(
                "warning: interrupted: the {left} users this run created were not deleted"
            ));
        }
        (0, true)
    } else {
        // An interruption during clean-up stops it; the report is still written, as partial.
        let mut stop = stop.clone();
        tokio::select! {
            failed = cleanup(&shared, &*sink) => (failed, false),
            _ = wait_true(&mut stop) => {
                sink.notice("warning: interrupted during clean-up: some users this run created were not deleted");
                (0, true)
            }
        }
    };

    let info = RunInfo {
        scenario: scenario.path.file_stem().map_or_else(
            || "scenario".to_string(),
            |s| s.to_string_lossy().into_owned(),
        ),
        scenario_path: scenario.path.display().to_string(),
        description: scenario.description.clone(),
        target: shared.target.label.clone(),
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        partial: interrupted || aborted.is_some(),
        shard: options.shard.map(|s| (s.index, s.count)),
        start: anchor.info,
    };
    let report = RunReport::evaluate(info, &scenario.thresholds, summary).with_abort(aborted);
    let extra: Vec<_> = options
        .shard
        .map(|shard| shard_file(shard, &scenario, started_at, users, users_total, &report))
        .into_iter()
        .collect();
    let dir = crate::report::write_run_report_with(&options.reports_root, &report, &extra)?;
    Ok(RunResult {
        report,
        dir,
        cleanup_failures,
    })
}

/// `shard.json` of a shard's run: its part of the users, the scenario's digest and thresholds,
/// and its report (`merge` judges the thresholds on every shard's data).
fn shard_file(
    shard: Shard,
    scenario: &Scenario,
    started_at: chrono::DateTime<chrono::Utc>,
    users: std::ops::Range<u64>,
    users_total: u64,
    report: &RunReport,
) -> (&'static str, Vec<u8>) {
    let result = ShardResult {
        schema_version: SHARD_SCHEMA_VERSION,
        shard,
        scenario_digest: std::fs::read(&scenario.path)
            .ok()
            .map(|bytes| crate::shard::digest(&bytes)),
        started_at_ms: started_at.timestamp_millis(),
        users: (users_total > 0).then_some(UserRange {
            first: users.start,
            end: users.end,
            total: users_total,
        }),
        thresholds: scenario.thresholds.iter().map(Into::into).collect(),
        report: report.clone(),
    };
    // Plain data with string keys: serializing cannot fail.
    let mut bytes = serde_json::to_vec_pretty(&result).expect("a ShardResult serializes");
    bytes.push(b'\n');
    (SHARD_FILE, bytes)
}

/// Deletes what the run created unless `setup.keep`. The embedded server is discarded with
/// everything in it, so nothing is sent there.
async fn cleanup(shared: &Shared, sink: &dyn RunSink) -> usize {
    let scenario = &shared.scenario;
    if scenario.setup.keep || matches!(scenario.target, Target::Embedded) {
        return 0;
    }
    let mut usernames: Vec<String> = Vec::new();
    if matches!(scenario.setup.users, UserSource::Provision { .. }) {
        usernames.extend(shared.pool.iter().map(|u| u.username.clone()));
    }
    usernames.extend(
        shared
            .created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..),
    );
    if usernames.is_empty() {
        return 0;
    }
    if !shared.target.capabilities.admin {
        sink.notice(&format!(
            "warning: {} users created by the run were kept: deleting them needs admin \
             credentials (target.admin: aws or env)",
            usernames.len()
        ));
        return 0;
    }
    let failed = target::delete_users(&shared.target, usernames, scenario.setup.rate).await;
    if failed > 0 {
        sink.notice(&format!(
            "warning: clean-up could not delete {failed} users"
        ));
    }
    failed
}

/// How many users the run created that clean-up would delete.
fn created_count(shared: &Shared) -> usize {
    let scenario = &shared.scenario;
    if scenario.setup.keep || matches!(scenario.target, Target::Embedded) {
        return 0;
    }
    let provisioned = if matches!(scenario.setup.users, UserSource::Provision { .. }) {
        shared.pool.len()
    } else {
        0
    };
    provisioned
        + shared
            .created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
}

/// Each distinct `load` of the scenario and the flows it drives, with their weights.
fn loads_of(scenario: &Scenario) -> Vec<(Load, Vec<(usize, u32)>)> {
    let mut out = Vec::new();
    let mut shared_flows = Vec::new();
    for (i, flow) in scenario.flows.iter().enumerate() {
        match &flow.load {
            FlowLoad::Own(load) => out.push((load.clone(), vec![(i, 1)])),
            FlowLoad::Shared { weight } => shared_flows.push((i, *weight)),
        }
    }
    if let Some(load) = &scenario.shared_load
        && !shared_flows.is_empty()
    {
        out.push((load.clone(), shared_flows));
    }
    out
}

fn max_vus_of(load: &Load) -> u32 {
    use crate::scenario::model::Executor;
    match &load.executor {
        Executor::ConstantArrivalRate { max_vus, .. }
        | Executor::RampingArrivalRate { max_vus, .. } => *max_vus,
        _ => vu_profile(load).map_or(0, |p| peak_vus(&p)),
    }
}

/// How long the VUs get, once cancelled, to record what they were doing before they are
/// aborted (they answer the cancellation at once; this bounds a VU stuck elsewhere).
const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// Drives one load until its end plus graceful stop, or until `stop`. Then cancels its VUs
/// cooperatively: each records its unanswered request, step and iteration as interrupted; the
/// iterations still queued for a free VU are counted interrupted in their flows.
async fn drive(
    shared: Arc<Shared>,
    load: Load,
    flows: Vec<(usize, u32)>,
    stop: watch::Receiver<bool>,
    vu_base: usize,
) {
    let start = tokio::time::Instant::from_std(shared.start);
    let deadline = start + end_of(&load) + load.graceful_stop;
    let (cancel_tx, cancel) = watch::channel(false);
    let mut vus = JoinSet::new();
    let mut queue = None;
    let lanes = Lanes {
        stop: stop.clone(),
        cancel,
        vu_base,
    };
    if let Some(rate) = arrival_profile(&load) {
        queue = Some(drive_arrivals(&shared, &load, &rate, &flows, lanes, &mut vus).await);
    } else if let Some(profile) = vu_profile(&load) {
        spawn_looping_vus(&shared, &load, profile, &flows, lanes, &mut vus);
    }
    // In-flight iterations may finish until the graceful-stop deadline (or an interruption).
    let mut stop = stop;
    let drain = async { while vus.join_next().await.is_some() {} };
    tokio::select! {
        _ = drain => {}
        _ = tokio::time::sleep_until(deadline) => {}
        _ = wait_true(&mut stop) => {}
    }
    let _ = cancel_tx.send(true);
    let drained = tokio::time::timeout(CANCEL_GRACE, async {
        while vus.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        vus.abort_all();
        while vus.join_next().await.is_some() {}
    }
    if let Some(queue) = queue {
        let mut rx = queue.lock().await;
        rx.close();
        while let Ok((_, flow)) = rx.try_recv() {
            record_waiting_interrupted(&shared, flow);
        }
    }
}

/// What a load's VUs listen to: the run's stop, the load's cancellation, and their first
/// number.
struct Lanes {
    stop: watch::Receiver<bool>,
    cancel: watch::Receiver<bool>,
    vu_base: usize,
}

type Queue = Arc<Mutex<mpsc::UnboundedReceiver<(Instant, usize)>>>;

/// Open model: a pacer sends each intended start to a pool of VUs. Returns the queue, which
/// holds the iterations still waiting for a VU when the VUs were cancelled.
async fn drive_arrivals(
    shared: &Arc<Shared>,
    load: &Load,
    rate: &crate::scenario::schedule::Profile,
    flows: &[(usize, u32)],
    lanes: Lanes,
    vus: &mut JoinSet<()>,
) -> Queue {
    let Lanes {
        stop,
        cancel,
        vu_base,
    } = lanes;
    use crate::scenario::model::Executor;
    let (pre, max) = match &load.executor {
        Executor::ConstantArrivalRate {
            pre_allocated_vus,
            max_vus,
            ..
        }
        | Executor::RampingArrivalRate {
            pre_allocated_vus,
            max_vus,
            ..
        } => (
            shared.segment.share_u32(*pre_allocated_vus) as usize,
            (shared.segment.share_u32(*max_vus) as usize).max(1),
        ),
        _ => (1, 1),
    };
    let (tx, rx) = mpsc::unbounded_channel::<(Instant, usize)>();
    let queue: Queue = Arc::new(Mutex::new(rx));
    let idle = Arc::new(AtomicUsize::new(0));
    let mut spawned = 0usize;
    let spawn_vu = |vus: &mut JoinSet<()>, spawned: &mut usize| {
        let shared = shared.clone();
        let queue = queue.clone();
        let idle = idle.clone();
        let mut cancel = cancel.clone();
        let vu = vu_base + *spawned;
        *spawned += 1;
        idle.fetch_add(1, Ordering::SeqCst);
        vus.spawn(async move {
            loop {
                // Once cancelled, what is still queued is counted by `drive`, not run.
                let next = tokio::select! {
                    biased;
                    _ = wait_true(&mut cancel) => None,
                    next = async { queue.lock().await.recv().await } => next,
                };
                let Some((due, flow)) = next else { break };
                idle.fetch_sub(1, Ordering::SeqCst);
                run_iteration_caught(&shared, flow, due, vu, &cancel).await;
                idle.fetch_add(1, Ordering::SeqCst);
            }
        });
    };
    for _ in 0..pre.min(max) {
        spawn_vu(vus, &mut spawned);
    }
    let weights: Vec<u32> = flows.iter().map(|(_, w)| *w).collect();
    let start = shared.start;
    let mut stop = stop;
    let segment = shared.segment;
    // Every shard walks the scenario's whole sequence and keeps its stripe of it.
    let total = crate::scenario::schedule::iteration_count(rate);
    let arrivals = Arrivals::new(rate, &weights)
        .enumerate()
        .filter(|(k, _)| segment.owns(*k as u64, total))
        .map(|(_, a)| a);
    for arrival in arrivals {
        let due = start + arrival.at;
        tokio::select! {
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(due)) => {}
            _ = wait_true(&mut stop) => break,
        }
        if idle.load(Ordering::SeqCst) == 0 && spawned < max {
            spawn_vu(vus, &mut spawned);
        }
        let flow = flows[arrival.flow].0;
        shared.counters[flow]
            .scheduled
            .fetch_add(1, Ordering::Relaxed);
        if tx.send((due, flow)).is_err() {
            break;
        }
    }
    // Closing the queue (dropping `tx`) lets the VUs finish what is queued, then exit.
    queue
}

/// Closed model: VU `i` runs iterations back to back while the profile wants more than `i`.
fn spawn_looping_vus(
    shared: &Arc<Shared>,
    load: &Load,
    profile: crate::scenario::schedule::Profile,
    flows: &[(usize, u32)],
    lanes: Lanes,
    vus: &mut JoinSet<()>,
) {
    let Lanes {
        stop,
        cancel,
        vu_base,
    } = lanes;
    let profile = Arc::new(profile);
    let peak = peak_vus(&profile);
    let end = shared.start + end_of(load);
    let weights: Vec<u32> = flows.iter().map(|(_, w)| *w).collect();
    // VU `i` of the scenario is this shard's when it falls in its stripe.
    let segment = shared.segment;
    let owned = (0..peak).filter(|i| segment.owns(u64::from(*i), u64::from(peak)));
    for (local, i) in owned.enumerate() {
        let shared = shared.clone();
        let profile = profile.clone();
        let flows: Vec<usize> = flows.iter().map(|(f, _)| *f).collect();
        let mut mix = FlowMix::new(&weights);
        let stop = stop.clone();
        let cancel = cancel.clone();
        let vu = vu_base + local;
        vus.spawn(async move {
            loop {
                if *stop.borrow() || *cancel.borrow() {
                    break;
                }
                let now = Instant::now();
                if now >= end {
                    break;
                }
                let t = now.duration_since(shared.start).as_secs_f64();
                if vus_at(&profile, t) > i {
                    let Some(pick) = mix.pick() else { break };
                    shared.counters[flows[pick]]
                        .scheduled
                        .fetch_add(1, Ordering::Relaxed);
                    run_iteration_caught(&shared, flows[pick], now, vu, &cancel).await;
                } else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        });
    }
}
