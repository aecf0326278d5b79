//! Live progress while traffic flows: per flow, the iteration rate over the last interval,
//! requests, errors, throttles and the iterations' p95 so far, one line per flow. A sink that
//! states a width ([`RunSink::width`], a terminal's columns) gets lines that fit it: the least
//! important fields are dropped first ([`progress_line`]).
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
use crate::metrics::Summary;

/// Where a run's notices and live progress go (supplied by the caller).
pub trait RunSink: Send + Sync {
    /// How often [`RunSink::progress`] is called while traffic flows.
    fn interval(&self) -> Duration {
        PLAIN_INTERVAL
    }
    /// Traffic starts: progress follows every [`RunSink::interval`].
    fn start(&self) {}
    /// Traffic is about to start: a handle that reads the run's live metrics on demand
    /// (`run --metrics-listen`). Called whether or not progress is shown. Default: ignored.
    fn live(&self, _metrics: super::LiveMetrics) {}
    /// A one-line notice: `setup: 100 users`, `warning: ...`.
    fn notice(&self, line: &str);
    /// A progress update: `head` is `elapsed / scheduled`, then one line per flow.
    fn progress(&self, head: &str, lines: &[String]);
    /// The columns a progress line may take, or `None` for lines of any length (logs, pipes).
    /// Default: `None`.
    fn width(&self) -> Option<usize> {
        None
    }
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

/// One flow's numbers for its progress line.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowProgress<'a> {
    pub name: &'a str,
    /// Iterations started per second over the last interval.
    pub rate: f64,
    pub ok: u64,
    pub failed: u64,
    pub requests: u64,
    pub errors: u64,
    pub throttled: u64,
    /// The flow's p95 so far, in milliseconds; `None` before the first sample.
    pub p95_ms: Option<f64>,
}

/// The fields of a progress line in the order they are shown, each with its rank: the
/// highest rank is dropped first when the line does not fit. The name and the rate stay; then
/// failures, latency and throttles, which say whether the run is healthy, outlast the counts
/// that only say how much happened.
fn fields(p: &FlowProgress<'_>) -> [(u8, String); 7] {
    [
        (0, format!("{:.1} it/s", p.rate)),
        (4, format!("{} ok", p.ok)),
        (1, format!("{} failed", p.failed)),
        (6, format!("{} requests", p.requests)),
        (5, format!("{} errors", p.errors)),
        (3, format!("{} throttled", p.throttled)),
        (
            2,
            format!(
                "p95 {}",
                p.p95_ms.map_or("-".to_string(), |ms| format!("{ms:.1}ms"))
            ),
        ),
    ]
}

/// A flow's progress line: `name: 12.0 it/s, 30 ok, 0 failed, 60 requests, 0 errors,
/// 0 throttled, p95 41.2ms`. With a `width`, the line never takes more columns: the least
/// important fields go first, then the name is shortened with `…`, and as a last resort the
/// line is cut, so a flow's line never wraps onto the next flow's.
pub fn progress_line(p: &FlowProgress<'_>, width: Option<usize>) -> String {
    let mut kept: Vec<(u8, String)> = fields(p).into();
    let build = |kept: &[(u8, String)], name: &str| {
        let parts: Vec<&str> = kept.iter().map(|(_, text)| text.as_str()).collect();
        format!("{name}: {}", parts.join(", "))
    };
    let Some(width) = width else {
        return build(&kept, p.name);
    };
    loop {
        let line = build(&kept, p.name);
        if line.chars().count() <= width || kept.len() <= 1 {
            break;
        }
        // Drop the highest-ranked (least important) field.
        if let Some(at) = kept
            .iter()
            .enumerate()
            .max_by_key(|(_, (rank, _))| *rank)
            .map(|(i, _)| i)
        {
            kept.remove(at);
        }
    }
    let line = build(&kept, p.name);
    if line.chars().count() <= width {
        return line;
    }
    // Shorten the name, keeping at least a few of its characters.
    let rest = line.chars().count() - p.name.chars().count();
    let room = width.saturating_sub(rest);
    if room >= 4 {
        let name: String = p.name.chars().take(room - 1).collect();
        return build(&kept, &format!("{name}…"));
    }
    line.chars().take(width).collect()
}

/// How often plain (non-TTY) progress lines are printed.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(5);
/// How often the terminal display is redrawn.
pub const TTY_INTERVAL: Duration = Duration::from_secs(1);

pub use super::live::snapshot;

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
        // Asked each time: the terminal may have been resized.
        let width = sink.width();
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
            let p95_ms = summary
                .as_ref()
                .and_then(|s| s.flows.get(&flow.name))
                .and_then(|f| f.latency.as_ref())
                .map(|l| l.p95_us as f64 / 1e3);
            let numbers = FlowProgress {
                name: &flow.name,
                rate,
                ok: c.ok.load(Ordering::Relaxed),
                failed: c.failed.load(Ordering::Relaxed),
                requests: c.requests.load(Ordering::Relaxed),
                errors: c.request_errors.load(Ordering::Relaxed),
                throttled: c.throttles.load(Ordering::Relaxed),
                p95_ms,
            };
            lines.push(progress_line(&numbers, width));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> FlowProgress<'_> {
        FlowProgress {
            name,
            rate: 123.4,
            ok: 123_456,
            failed: 789,
            requests: 2_469_000,
            errors: 789,
            throttled: 12_345,
            p95_ms: Some(41.25),
        }
    }

    const FULL: &str = "sign_in: 123.4 it/s, 123456 ok, 789 failed, 2469000 requests, \
                        789 errors, 12345 throttled, p95 41.2ms";

    #[test]
    fn without_a_width_the_line_is_whole() {
        assert_eq!(progress_line(&sample("sign_in"), None), FULL);
    }

    #[test]
    fn a_wide_terminal_shows_every_field() {
        assert_eq!(progress_line(&sample("sign_in"), Some(120)), FULL);
    }

    #[test]
    fn at_80_columns_the_request_and_error_counts_go_first() {
        let line = progress_line(&sample("sign_in"), Some(80));
        assert_eq!(
            line,
            "sign_in: 123.4 it/s, 123456 ok, 789 failed, 12345 throttled, p95 41.2ms"
        );
    }

    #[test]
    fn at_60_columns_failures_latency_and_throttles_stay() {
        let line = progress_line(&sample("sign_in"), Some(60));
        assert_eq!(
            line,
            "sign_in: 123.4 it/s, 789 failed, 12345 throttled, p95 41.2ms"
        );
    }

    #[test]
    fn at_40_columns_the_rate_and_failures_stay() {
        let line = progress_line(&sample("sign_in"), Some(40));
        assert_eq!(line, "sign_in: 123.4 it/s, 789 failed");
        let long = progress_line(
            &sample("a_flow_with_a_very_long_descriptive_name"),
            Some(40),
        );
        assert_eq!(long, "a_flow_with_a_very_long_des…: 123.4 it/s");
        assert!(long.chars().count() <= 40);
    }

    #[test]
    fn no_width_is_too_small_for_a_line_to_fit() {
        for width in 0..130 {
            for name in ["a", "sign_in", "ünïcödé-flow-name-that-goes-on-and-on"] {
                let line = progress_line(&sample(name), Some(width));
                assert!(line.chars().count() <= width, "{width}: {line}");
            }
        }
    }
}
