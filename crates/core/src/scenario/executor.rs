//! A load's executor and its timing, in k6's vocabulary: what a scenario's `load:` block becomes
//! once validated (`src/scenario/validate/load.rs`), and what the schedules are built from.

use std::time::Duration;

/// An executor and its timing (k6 vocabulary).
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    pub executor: Executor,
    /// Delay before the executor starts. Default: 0s.
    pub start_time: Duration,
    /// How long in-flight iterations may run past the end. Default: 30s.
    pub graceful_stop: Duration,
}

pub const DEFAULT_GRACEFUL_STOP: Duration = Duration::from_secs(30);
/// Default `pre_allocated_vus` for arrival-rate executors.
pub const DEFAULT_PRE_ALLOCATED_VUS: u32 = 10;
/// Default `max_vus` for arrival-rate executors: VUs are cheap tasks, so the default is
/// generous; lower it to cap concurrency.
pub const DEFAULT_MAX_VUS: u32 = 1000;

#[derive(Debug, Clone, PartialEq)]
pub enum Executor {
    /// `rate` iterations per `time_unit` (default 1s) for `duration`.
    ConstantArrivalRate {
        rate: f64,
        time_unit: Duration,
        duration: Duration,
        pre_allocated_vus: u32,
        max_vus: u32,
    },
    /// From `start_rate` (default 0) through each stage's `target` rate per `time_unit`,
    /// linearly over the stage's duration.
    RampingArrivalRate {
        start_rate: f64,
        time_unit: Duration,
        stages: Vec<Stage>,
        pre_allocated_vus: u32,
        max_vus: u32,
    },
    /// `vus` looping virtual users for `duration`.
    ConstantVus { vus: u32, duration: Duration },
    /// From `start_vus` (default 0) through each stage's `target` VU count.
    RampingVus { start_vus: u32, stages: Vec<Stage> },
}

impl Executor {
    pub fn name(&self) -> &'static str {
        match self {
            Self::ConstantArrivalRate { .. } => "constant-arrival-rate",
            Self::RampingArrivalRate { .. } => "ramping-arrival-rate",
            Self::ConstantVus { .. } => "constant-vus",
            Self::RampingVus { .. } => "ramping-vus",
        }
    }

    /// Whether iterations start on a clock (open model) rather than when a VU is free.
    pub fn is_arrival_rate(&self) -> bool {
        matches!(
            self,
            Self::ConstantArrivalRate { .. } | Self::RampingArrivalRate { .. }
        )
    }

    /// How long the executor schedules new iterations.
    pub fn duration(&self) -> Duration {
        match self {
            Self::ConstantArrivalRate { duration, .. } | Self::ConstantVus { duration, .. } => {
                *duration
            }
            Self::RampingArrivalRate { stages, .. } | Self::RampingVus { stages, .. } => {
                stages.iter().map(|s| s.duration).sum()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub target: f64,
    pub duration: Duration,
}
