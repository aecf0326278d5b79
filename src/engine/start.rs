//! `run --start-at T`: the common start instant of a sharded run. Every shard anchors its whole
//! schedule at T, so the intended send times of all shards line up exactly whenever their
//! processes started. Setup happens before T; a shard that reaches T late still sends every
//! iteration at, and measures it from, its intended time (the open model's catch-up), and its
//! report says how late it was ([`crate::report::StartInfo`]).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::progress::RunSink;
use super::shared::wait_true;
use crate::report::StartInfo;

/// Parses `--start-at` / `CH_START_AT`: an RFC 3339 time.
pub fn parse_start_at(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "{text:?} is not an RFC 3339 time; write it as 2026-12-07T18:00:00Z \
                 (in a shell: date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)"
            )
        })
}

/// The start of traffic: when it is anchored, and what the report says about it.
pub(super) struct Anchor {
    /// The instant the schedule counts from (T itself, in the past when the shard is late).
    pub instant: Instant,
    /// The wall-clock start the report shows.
    pub wall: DateTime<Utc>,
    pub info: Option<StartInfo>,
}

/// Waits until `at` (returns early, with the anchor still at `at`, when `stop` is set) and
/// returns the anchor of the schedule. Without `at`, traffic starts now. `graceful` is the
/// longest graceful stop of the scenario's loads: a shard later than that is warned that the
/// catch-up of its overdue iterations distorts the first seconds.
pub(super) async fn anchor(
    at: Option<DateTime<Utc>>,
    graceful: Duration,
    stop: &mut watch::Receiver<bool>,
    sink: &dyn RunSink,
    quiet: bool,
) -> Anchor {
    let Some(at) = at else {
        return Anchor {
            instant: Instant::now(),
            wall: Utc::now(),
            info: None,
        };
    };
    let (now_wall, now) = (Utc::now(), Instant::now());
    let ahead_ms = (at - now_wall).num_milliseconds();
    let instant = if ahead_ms >= 0 {
        now + Duration::from_millis(ahead_ms.unsigned_abs())
    } else {
        now.checked_sub(Duration::from_millis(ahead_ms.unsigned_abs()))
            .unwrap_or(now)
    };
    let stamp = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    if ahead_ms > 0 {
        if !quiet {
            sink.notice(&format!(
                "waiting {:.1} s for the common start at {stamp}",
                ahead_ms as f64 / 1000.0
            ));
        }
        tokio::select! {
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(instant)) => {}
            _ = wait_true(stop) => {}
        }
    }
    let late = Instant::now().saturating_duration_since(instant);
    // Within a few milliseconds of T is on time: the sleep itself wakes that late.
    let late_ms = if ahead_ms > 0 {
        0
    } else {
        late.as_millis().min(u128::from(u64::MAX)) as u64
    };
    if ahead_ms <= 0 {
        let mut message = format!(
            "warning: setup finished {:.1} s after the common start at {stamp}: the iterations \
             already due are sent at once and measured from their intended times",
            late_ms as f64 / 1000.0
        );
        if late > graceful {
            message.push_str(&format!(
                "; that is more than the graceful stop ({} s), so the catch-up distorts the \
                 first seconds — choose a longer lead time for --start-at",
                graceful.as_secs_f64()
            ));
        }
        sink.notice(&message);
    }
    Anchor {
        instant,
        wall: at,
        info: Some(StartInfo {
            start_at: stamp,
            late_ms,
            setup_late: ahead_ms <= 0,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_at_accepts_rfc3339_and_explains_anything_else() {
        let t = parse_start_at("2026-12-07T18:00:00+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-07T17:00:00+00:00");
        let e = parse_start_at("in two minutes").unwrap_err();
        assert!(
            e.contains("RFC 3339") && e.contains("2026-12-07T18:00:00Z"),
            "{e}"
        );
    }
}
