//! Live progress while traffic flows: per flow, the iteration rate over the last interval,
//! requests, errors, throttles and the iterations' p95 so far.
//!
//! On a terminal it is an indicatif spinner redrawn every second; when stderr is not a TTY (CI
//! logs, pipes) it degrades to one plain line per flow every few seconds. Never prints a
//! username, password or token: only names of flows and numbers.

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::iteration::Shared;
use crate::metrics::{Recorder, Summary};

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

/// Runs until `done` resolves, printing progress to stderr.
pub async fn run(shared: Arc<Shared>, total: Duration, done: tokio::sync::watch::Receiver<bool>) {
    let tty = std::io::stderr().is_terminal();
    let interval = if tty { TTY_INTERVAL } else { PLAIN_INTERVAL };
    let bar = tty.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
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
        match &bar {
            Some(bar) => {
                bar.set_message(format!("{head}\n{}", lines.join("\n")));
                bar.tick();
            }
            None => {
                for line in lines {
                    eprintln!("[{head}] {line}");
                }
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
