//! A `load` block (shared or per flow): k6's executor options, checked against the executor
//! that reads them, with the defaults documented on the model.

use std::time::Duration;

use serde_saphyr::Spanned;

use super::checker::{Checker, Pos, pos};
use crate::scenario::doc::{ExecutorDoc, LoadDoc};
use crate::scenario::model::*;
use crate::yaml::DiagnosticKind;

pub(super) fn check_load(c: &mut Checker<'_>, load: &Spanned<LoadDoc>, key: &str) -> Option<Load> {
    let l = &load.value;
    let executor = l.executor.value;
    let mut ok = check_executor_keys(c, l, key);
    let at = pos(&l.executor);
    let require = |c: &mut Checker<'_>, name: &str, present: bool| {
        if !present {
            c.error(
                at,
                &format!("{key}.{name}"),
                DiagnosticKind::MissingKey,
                format!("{} needs `{name}`", executor.name()),
                Some(format!("add `{name}:` to {key}")),
            );
            false
        } else {
            true
        }
    };
    let start_time = match &l.start_time {
        Some(s) => c.duration(s, &format!("{key}.start_time")),
        None => Some(Duration::ZERO),
    };
    let graceful_stop = match &l.graceful_stop {
        Some(s) => c.duration(s, &format!("{key}.graceful_stop")),
        None => Some(DEFAULT_GRACEFUL_STOP),
    };
    let time_unit = match &l.time_unit {
        Some(s) => c.positive_duration(s, &format!("{key}.time_unit")),
        None => Some(Duration::from_secs(1)),
    };
    let executor = match executor {
        ExecutorDoc::ConstantArrivalRate => {
            ok &= require(c, "rate", l.rate.is_some());
            ok &= require(c, "duration", l.duration.is_some());
            let rate = l.rate.as_ref().and_then(|r| {
                c.positive_rate(
                    r,
                    &format!("{key}.rate"),
                    "set a positive rate per time_unit",
                )
            });
            let duration = l
                .duration
                .as_ref()
                .and_then(|d| c.positive_duration(d, &format!("{key}.duration")));
            let vus = check_vus_pair(c, l, key, at);
            match (rate, time_unit, duration, vus) {
                (Some(rate), Some(time_unit), Some(duration), Some((pre, max))) => {
                    Some(Executor::ConstantArrivalRate {
                        rate,
                        time_unit,
                        duration,
                        pre_allocated_vus: pre,
                        max_vus: max,
                    })
                }
                _ => None,
            }
        }
        ExecutorDoc::RampingArrivalRate => {
            ok &= require(c, "stages", l.stages.is_some());
            let start_rate = match &l.start_rate {
                Some(r) => c.non_negative_rate(r, &format!("{key}.start_rate")),
                None => Some(0.0),
            };
            let stages = check_stages(c, l, key, false);
            let vus = check_vus_pair(c, l, key, at);
            match (start_rate, time_unit, stages, vus) {
                (Some(start_rate), Some(time_unit), Some(stages), Some((pre, max))) => {
                    if start_rate == 0.0 && stages.iter().all(|s| s.target == 0.0) {
                        c.error(
                            l.stages.as_ref().map(pos).unwrap_or(pos(&l.executor)),
                            &format!("{key}.stages"),
                            DiagnosticKind::InvalidValue,
                            "every target and start_rate is 0, so no iteration would start",
                            Some("give a stage a positive target".to_string()),
                        );
                        None
                    } else {
                        Some(Executor::RampingArrivalRate {
                            start_rate,
                            time_unit,
                            stages,
                            pre_allocated_vus: pre,
                            max_vus: max,
                        })
                    }
                }
                _ => None,
            }
        }
        ExecutorDoc::ConstantVus => {
            ok &= require(c, "vus", l.vus.is_some());
            ok &= require(c, "duration", l.duration.is_some());
            let vus = l
                .vus
                .as_ref()
                .and_then(|v| c.whole(v, &format!("{key}.vus"), 1, "run at least one VU"));
            let duration = l
                .duration
                .as_ref()
                .and_then(|d| c.positive_duration(d, &format!("{key}.duration")));
            match (vus, duration) {
                (Some(vus), Some(duration)) => Some(Executor::ConstantVus { vus, duration }),
                _ => None,
            }
        }
        ExecutorDoc::RampingVus => {
            ok &= require(c, "stages", l.stages.is_some());
            let start_vus = match &l.start_vus {
                Some(v) => c.whole(
                    v,
                    &format!("{key}.start_vus"),
                    0,
                    "start from 0 or more VUs",
                ),
                None => Some(0),
            };
            let stages = check_stages(c, l, key, true);
            match (start_vus, stages) {
                (Some(start_vus), Some(stages)) => Some(Executor::RampingVus { start_vus, stages }),
                _ => None,
            }
        }
    };
    if !ok {
        return None;
    }
    Some(Load {
        executor: executor?,
        start_time: start_time?,
        graceful_stop: graceful_stop?,
    })
}

/// `pre_allocated_vus` and `max_vus` of an arrival-rate executor, with their defaults.
fn check_vus_pair(c: &mut Checker<'_>, l: &LoadDoc, key: &str, at: Pos) -> Option<(u32, u32)> {
    let max = match &l.max_vus {
        Some(m) => Some(c.whole(m, &format!("{key}.max_vus"), 1, "allow at least one VU")?),
        None => None,
    };
    let pre = match &l.pre_allocated_vus {
        Some(p) => c.whole(
            p,
            &format!("{key}.pre_allocated_vus"),
            1,
            "pre-allocate at least one VU",
        )?,
        None => DEFAULT_PRE_ALLOCATED_VUS.min(max.unwrap_or(DEFAULT_MAX_VUS)),
    };
    let max = max.unwrap_or(DEFAULT_MAX_VUS.max(pre));
    if pre > max {
        let at = l.max_vus.as_ref().map(pos).unwrap_or(at);
        c.error(
            at,
            &format!("{key}.max_vus"),
            DiagnosticKind::Conflict,
            format!("max_vus ({max}) is below pre_allocated_vus ({pre})"),
            Some("raise max_vus or lower pre_allocated_vus".to_string()),
        );
        return None;
    }
    Some((pre, max))
}

/// `stages`; `whole` when the targets are VU counts.
fn check_stages(c: &mut Checker<'_>, l: &LoadDoc, key: &str, whole: bool) -> Option<Vec<Stage>> {
    let stages = l.stages.as_ref()?;
    if stages.value.is_empty() {
        c.error(
            pos(stages),
            &format!("{key}.stages"),
            DiagnosticKind::InvalidValue,
            "is empty",
            Some("add at least one `{ target: N, duration: 1m }`".to_string()),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (i, stage) in stages.value.iter().enumerate() {
        let skey = format!("{key}.stages[{i}]");
        let target = c.non_negative_rate(&stage.value.target, &format!("{skey}.target"));
        if whole && target.is_some_and(|t| t.fract() != 0.0) {
            c.error(
                pos(&stage.value.target),
                &format!("{skey}.target"),
                DiagnosticKind::InvalidValue,
                format!(
                    "a VU count must be whole (got {})",
                    stage.value.target.value
                ),
                None,
            );
            ok = false;
        }
        let duration = c.duration(&stage.value.duration, &format!("{skey}.duration"));
        match (target, duration) {
            (Some(target), Some(duration)) => out.push(Stage { target, duration }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// Every key present is one the executor reads.
fn check_executor_keys(c: &mut Checker<'_>, l: &LoadDoc, key: &str) -> bool {
    let executor = l.executor.value;
    let present: Vec<(&str, Pos)> = [
        ("rate", l.rate.as_ref().map(pos)),
        ("time_unit", l.time_unit.as_ref().map(pos)),
        ("duration", l.duration.as_ref().map(pos)),
        ("pre_allocated_vus", l.pre_allocated_vus.as_ref().map(pos)),
        ("max_vus", l.max_vus.as_ref().map(pos)),
        ("start_rate", l.start_rate.as_ref().map(pos)),
        ("stages", l.stages.as_ref().map(pos)),
        ("vus", l.vus.as_ref().map(pos)),
        ("start_vus", l.start_vus.as_ref().map(pos)),
        ("start_time", l.start_time.as_ref().map(pos)),
        ("graceful_stop", l.graceful_stop.as_ref().map(pos)),
    ]
    .into_iter()
    .filter_map(|(name, p)| p.map(|p| (name, p)))
    .collect();
    let mut ok = true;
    for (name, at) in &present {
        if !executor.keys().contains(name) {
            c.error(
                *at,
                &format!("{key}.{name}"),
                DiagnosticKind::UnknownKey,
                format!("not an option of {}", executor.name()),
                Some(format!(
                    "{} takes: executor, {}",
                    executor.name(),
                    executor.keys().join(", ")
                )),
            );
            ok = false;
        }
    }
    ok
}
