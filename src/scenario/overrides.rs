//! Command-line overrides of a scenario for a quick rerun: `-e NAME=VALUE` variables (read as
//! `${env.NAME}`), `--duration D` and `--rate-scale F`.
//!
//! `plan` and `run` apply the same overrides through [`apply`], after validation, so the plan
//! and the run agree. How each executor is affected:
//!
//! | executor | `--duration D` | `--rate-scale F` |
//! |---|---|---|
//! | constant-arrival-rate | `duration` becomes D | `rate` × F; `pre_allocated_vus` and `max_vus` grow by F when F > 1 |
//! | ramping-arrival-rate | every stage's duration × D / (sum of stages): same shape, D long | `start_rate` and every stage `target` × F; VUs as above |
//! | constant-vus | `duration` becomes D | `vus` × F, rounded, at least 1 |
//! | ramping-vus | stages scaled to D as above | `start_vus` and stage targets × F, rounded (a non-zero target stays at least 1) |
//!
//! `start_time`, `graceful_stop` and the setup (user count, provisioning rate) are unchanged.

use std::collections::BTreeMap;
use std::time::Duration;

use super::model::{Executor, FlowLoad, Load, Scenario, Stage};

/// What the command line changes in a scenario. Default: nothing.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `-e NAME=VALUE`, looked up by `${env.NAME}` before the process environment.
    pub vars: BTreeMap<String, String>,
    /// `--duration`: how long every executor schedules new iterations.
    pub duration: Option<Duration>,
    /// `--rate-scale`: the factor on every rate and VU count.
    pub rate_scale: Option<f64>,
}

impl Overrides {
    /// The value of `${env.NAME}` (`name` without the prefix): the `-e` value, else the process
    /// environment's, through `process`.
    pub fn var(&self, name: &str, process: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        self.vars.get(name).cloned().or_else(|| process(name))
    }
}

impl Overrides {
    /// The overrides from the command line's texts (`-e`, `--duration`, `--rate-scale`); the
    /// error names the flag.
    pub fn from_flags(
        vars: &[String],
        duration: Option<&str>,
        rate_scale: Option<&str>,
    ) -> Result<Self, String> {
        let mut overrides = Overrides::default();
        for text in vars {
            let (name, value) = parse_var(text).map_err(|m| format!("-e: {m}"))?;
            overrides.vars.insert(name, value);
        }
        if let Some(text) = duration {
            let d = parse_duration_override(text).map_err(|m| format!("--duration: {m}"))?;
            overrides.duration = Some(d);
        }
        if let Some(text) = rate_scale {
            let f = parse_rate_scale(text).map_err(|m| format!("--rate-scale: {m}"))?;
            overrides.rate_scale = Some(f);
        }
        Ok(overrides)
    }
}

/// Parses `-e NAME=VALUE`: a variable name (letters, digits, `_`, not starting with a digit)
/// and any value, possibly empty.
pub fn parse_var(text: &str) -> Result<(String, String), String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(format!("`{text}` has no `=`; write NAME=VALUE"));
    };
    let mut chars = name.chars();
    let valid = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a variable name; use letters, digits and `_`, not starting with a digit"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Parses `--rate-scale`: a finite factor greater than 0 (`0.1` for a tenth of the load).
pub fn parse_rate_scale(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 => Ok(f),
        _ => Err(format!(
            "`{text}` is not a factor greater than 0; write e.g. 0.1 for a tenth of the load or 2 for twice"
        )),
    }
}

/// Parses `--duration`: a duration longer than 0s (`30s`, `5m`).
pub fn parse_duration_override(text: &str) -> Result<Duration, String> {
    match super::duration::parse_duration(text) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("must be longer than 0s; give a duration such as 30s or 5m".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Applies the load overrides to every flow's own load and to the shared load.
pub fn apply(scenario: &mut Scenario, overrides: &Overrides) {
    if let Some(load) = scenario.shared_load.as_mut() {
        apply_to_load(load, overrides);
    }
    for flow in &mut scenario.flows {
        if let FlowLoad::Own(load) = &mut flow.load {
            apply_to_load(load, overrides);
        }
    }
}

fn apply_to_load(load: &mut Load, overrides: &Overrides) {
    if let Some(d) = overrides.duration {
        set_duration(&mut load.executor, d);
    }
    if let Some(f) = overrides.rate_scale {
        scale_rate(&mut load.executor, f);
    }
}

fn set_duration(executor: &mut Executor, to: Duration) {
    match executor {
        Executor::ConstantArrivalRate { duration, .. } | Executor::ConstantVus { duration, .. } => {
            *duration = to;
        }
        Executor::RampingArrivalRate { stages, .. } | Executor::RampingVus { stages, .. } => {
            scale_stages(stages, to);
        }
    }
}

/// Stretches or shrinks the stages to last `to` in total, keeping each one's share.
fn scale_stages(stages: &mut [Stage], to: Duration) {
    let total: Duration = stages.iter().map(|s| s.duration).sum();
    if total.is_zero() {
        if let Some(last) = stages.last_mut() {
            last.duration = to;
        }
        return;
    }
    let factor = to.as_secs_f64() / total.as_secs_f64();
    for stage in stages.iter_mut() {
        stage.duration = Duration::from_secs_f64(stage.duration.as_secs_f64() * factor);
    }
}

fn scale_rate(executor: &mut Executor, f: f64) {
    match executor {
        Executor::ConstantArrivalRate {
            rate,
            pre_allocated_vus,
            max_vus,
            ..
        } => {
            *rate *= f;
            grow_vus(pre_allocated_vus, max_vus, f);
        }
        Executor::RampingArrivalRate {
            start_rate,
            stages,
            pre_allocated_vus,
            max_vus,
            ..
        } => {
            *start_rate *= f;
            for stage in stages.iter_mut() {
                stage.target *= f;
            }
            grow_vus(pre_allocated_vus, max_vus, f);
        }
        Executor::ConstantVus { vus, .. } => *vus = scale_count(*vus, f),
        Executor::RampingVus { start_vus, stages } => {
            *start_vus = scale_count(*start_vus, f);
            for stage in stages.iter_mut() {
                stage.target = stage.target.round();
                if stage.target > 0.0 {
                    stage.target = (stage.target * f).round().max(1.0);
                }
            }
        }
    }
}

/// An arrival rate F times higher needs up to F times the VUs; a lower one keeps its pool.
fn grow_vus(pre_allocated: &mut u32, max: &mut u32, f: f64) {
    if f > 1.0 {
        *pre_allocated = scale_count(*pre_allocated, f);
        *max = scale_count(*max, f);
    }
}

/// `n × f` rounded, at least 1 when `n` is not 0, saturating at `u32::MAX`.
fn scale_count(n: u32, f: f64) -> u32 {
    if n == 0 {
        return 0;
    }
    let scaled = (f64::from(n) * f).round().max(1.0);
    if scaled >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        scaled as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn duration_replaces_constant_executors_and_rescales_stages() {
        let mut constant = Executor::ConstantVus {
            vus: 3,
            duration: secs(600),
        };
        set_duration(&mut constant, secs(30));
        assert_eq!(constant.duration(), secs(30));
        let mut ramping = Executor::RampingArrivalRate {
            start_rate: 0.0,
            time_unit: secs(1),
            stages: vec![
                Stage {
                    target: 10.0,
                    duration: secs(60),
                },
                Stage {
                    target: 10.0,
                    duration: secs(180),
                },
            ],
            pre_allocated_vus: 10,
            max_vus: 100,
        };
        set_duration(&mut ramping, secs(24));
        let Executor::RampingArrivalRate { stages, .. } = &ramping else {
            unreachable!()
        };
        assert_eq!(stages[0].duration, secs(6));
        assert_eq!(stages[1].duration, secs(18));
    }

    #[test]
    fn rate_scale_multiplies_rates_and_rounds_vu_counts() {
        let mut arrival = Executor::ConstantArrivalRate {
            rate: 20.0,
            time_unit: secs(1),
            duration: secs(60),
            pre_allocated_vus: 10,
            max_vus: 100,
        };
        scale_rate(&mut arrival, 0.1);
        assert_eq!(
            arrival,
            Executor::ConstantArrivalRate {
                rate: 2.0,
                time_unit: secs(1),
                duration: secs(60),
                pre_allocated_vus: 10,
                max_vus: 100,
            }
        );
        scale_rate(&mut arrival, 30.0);
        let Executor::ConstantArrivalRate {
            rate,
            pre_allocated_vus,
            max_vus,
            ..
        } = arrival
        else {
            unreachable!()
        };
        assert!((rate - 60.0).abs() < 1e-9);
        assert_eq!((pre_allocated_vus, max_vus), (300, 3000));

        let mut vus = Executor::RampingVus {
            start_vus: 0,
            stages: vec![
                Stage {
                    target: 5.0,
                    duration: secs(10),
                },
                Stage {
                    target: 0.0,
                    duration: secs(10),
                },
            ],
        };
        scale_rate(&mut vus, 0.1);
        let Executor::RampingVus { start_vus, stages } = &vus else {
            unreachable!()
        };
        assert_eq!(*start_vus, 0);
        assert_eq!(stages[0].target, 1.0, "a non-zero target stays at least 1");
        assert_eq!(stages[1].target, 0.0);
    }

    #[test]
    fn flags_are_parsed_with_actionable_errors() {
        assert_eq!(
            parse_var("STAGE=eu").unwrap(),
            ("STAGE".into(), "eu".into())
        );
        assert_eq!(parse_var("A=b=c").unwrap(), ("A".into(), "b=c".into()));
        assert!(parse_var("STAGE").unwrap_err().contains("NAME=VALUE"));
        assert!(
            parse_var("1X=a")
                .unwrap_err()
                .contains("not a variable name")
        );
        assert_eq!(parse_rate_scale("0.5").unwrap(), 0.5);
        assert!(parse_rate_scale("0").is_err());
        assert!(parse_rate_scale("NaN").is_err());
        assert_eq!(parse_duration_override("30s").unwrap(), secs(30));
        assert!(parse_duration_override("0s").is_err());
    }
}
