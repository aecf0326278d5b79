//! The run's live metrics on demand ([`LiveMetrics`]): handed to the caller's
//! [`super::RunSink::live`] when traffic is about to start, read by `run --metrics-listen` at
//! each scrape. Reading merges the recorders' shards (as live progress does) and the per-flow
//! counters; the VUs record exactly as they do without it, so a scrape costs the scraper's
//! thread, not the hot path.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::iteration::Shared;
use crate::metrics::Recorder;
use crate::metrics::exposition::{FlowLive, RunView, encode_run};

/// A handle on a running run's numbers (cheap to clone).
#[derive(Clone)]
pub struct LiveMetrics {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for LiveMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveMetrics").finish_non_exhaustive()
    }
}

impl LiveMetrics {
    pub(super) fn new(shared: Arc<Shared>) -> Self {
        LiveMetrics { shared }
    }

    /// The run's numbers now.
    pub fn view(&self) -> RunView {
        let shared = &self.shared;
        let flows = shared
            .scenario
            .flows
            .iter()
            .zip(&shared.counters)
            .map(|(flow, c)| {
                let scheduled = c.scheduled.load(Ordering::Relaxed);
                let started = c.started.load(Ordering::Relaxed);
                let ended = c.ok.load(Ordering::Relaxed)
                    + c.failed.load(Ordering::Relaxed)
                    + c.interrupted.load(Ordering::Relaxed);
                let live = FlowLive {
                    scheduled,
                    started,
                    // One iteration per VU at a time: the started ones not yet ended.
                    active: started.saturating_sub(ended),
                    waiting: scheduled.saturating_sub(started),
                };
                (flow.name.clone(), live)
            })
            .collect();
        RunView {
            recorder: scopes_snapshot(shared),
            flows,
        }
    }

    /// The run's numbers now, in the Prometheus text format.
    pub fn encode(&self) -> String {
        encode_run(self.view())
    }
}

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

/// [`snapshot`] without the timelines, which a scrape does not show: each shard's lock is held
/// only while its counts and histograms are copied, and the merge happens outside it.
fn scopes_snapshot(shared: &Shared) -> Option<Recorder> {
    let mut merged: Option<Recorder> = None;
    for shard in &shared.shards {
        let copy = shard
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .scopes_only();
        match merged.as_mut() {
            None => merged = Some(copy),
            Some(m) => {
                // Same layout by construction.
                let _ = m.merge(&copy);
            }
        }
    }
    merged
}
