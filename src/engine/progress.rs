//! Live progress while traffic flows: per flow, the iteration rate over the last interval,
//! requests, errors, throttles and the iterations' p95 so far.
//!
//! The engine computes the lines; where they go is the caller's [`RunSink`], which also takes
//! the engine's notices (set-up sizes, warnings about users left behind). The `run` command's
//! sink draws an indicatif spinner on a terminal and plain lines otherwise; a library caller
//! that supplies none gets [`TracingSink`], so the engine itself never writes to the terminal.
//! Progress stays in the engine, behind the sink, because its numbers come from the run's
//! shared counters and recorders, which only the engine holds. Never reports a username,
//! password or token: only names of flows and numbers.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::iteration::Shared;
use crate::metrics::{Recorder, Summary};

/// Where a run's notices and live progress go (supplied by the caller).
pub trait RunSink: Send + Sync {
    /// How often [`RunSink::progress`] is called while traffic flows.
    fn interval(&self) -> Duration {
        PLAIN_INTERVAL
    }
    /// Traffic starts: progress follows every [`RunSink::interval`].
    fn start(&self) {}
    /// A one-line notice: `setup: 100 users`, `warning: ...`.
    fn notice(&self, line: &str);
    /// A progress update: `head` is `elapsed / scheduled`, then one line per flow.
    fn progress(&self, head: &str, lines: &[String]);
    /// Traffic has ended: no more progress.
    fn finish(&self) {}
}

/// A [`RunSink`] for library callers: notices become `tracing` events (warnings at WARN, the
/// rest at INFO), progress lines DEBUG events.
#[derive(Debug, Clone, Copy, Default)]
pub struct TracingSink;

impl RunSink for TracingSink {
    fn notice(&self, line: &str) {
        match line.strip_prefix("warning: ") {
            Some(warning) => tracing::warn!("{warning}"),
            None => tracing::info!("{line}"),
        }
    }

    fn progress(&self, head: &str, lines: &[String]) {
        for line in lines {
            tracing::debug!("[{head}] {line}");
        }
    }
}

/// How often plain (non-TTY) progress lines are printed.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(5);
/// How often the terminal display is redrawn.
pub const TTY_INTERVAL: Duration = Duration::from_secs(1);

/// Merges the shards' recorders into one (a snapshot; the shards keep recording).
pub fn snapshot(shared: &Shared) -> Option<Recorder> {
    let mut merged: Option<Recorder> = None;
    for shard in &shared.shards {
        let guard = shard.lock().unwrap_or_else(|p| p.into_inner());
        match merged.as_mut() {
            None => merged = Some(guard.clone()),
            Some(m) => {
                // Same layout by construction.
                let _ = m.merge(&guard);
            }
        }
    }
    merged
}

/// Runs until `done` resolves, handing progress to `sink` every [`RunSink::interval`].
pub async fn run(
    shared: Arc<Shared>,
    total: Duration,
    done: tokio::sync::watch::Receiver<bool>,
    sink: Arc<dyn RunSink>,
) {
    let interval = sink.interval();
    sink.start();
    let flows = shared.scenario.flows.len();
    let mut last_started = vec![0u64; flows];
    let mut last = Instant::now();
    let mut done = done;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = done.changed() => break,
        }
        let dt = last.elapsed().as_secs_f64().max(1e-3);
        last = Instant::now();
        let elapsed = shared.start.elapsed();
        let summary = snapshot(&shared)
            .map(|r| Summary::from_recorder(&r, elapsed.max(Duration::from_millis(1))));
        let mut lines = Vec::with_capacity(flows);
        for (i, flow) in shared.scenario.flows.iter().enumerate() {
            let c = &shared.counters[i];
            let started = c.started.load(Ordering::Relaxed);
            let rate = (started - last_started[i]) as f64 / dt;
            last_started[i] = started;
            let p95 = summary
                .as_ref()
                .and_then(|s| s.flows.get(&flow.name))
                .and_then(|f| f.latency.as_ref())
                .map_or("-".to_string(), |l| {
                    format!("{:.1}ms", l.p95_us as f64 / 1e3)
                });
            lines.push(format!(
                "{}: {rate:.1} it/s, {} ok, {} failed, {} requests, {} errors, {} throttled, p95 {p95}",
                flow.name,
                c.ok.load(Ordering::Relaxed),
                c.failed.load(Ordering::Relaxed),
                c.requests.load(Ordering::Relaxed),
                c.request_errors.load(Ordering::Relaxed),
                c.throttles.load(Ordering::Relaxed),
            ));
        }
        let head = format!(
            "{:.0}s / {:.0}s",
            elapsed.as_secs_f64(),
            total.as_secs_f64()
        );
        sink.progress(&head, &lines);
    }
    sink.finish();
}
