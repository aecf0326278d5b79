//! A step's `think` time: a fixed pause, a uniform range, or a distribution.
//!
//! | written | pause |
//! |---|---|
//! | `1s` | exactly 1s |
//! | `100ms..300ms` | uniform between the bounds (k6's `sleep(randomIntBetween(a, b))`, the idiom k6 scripts use for pacing users) |
//! | `normal(200ms, 50ms)` | normal with that mean and standard deviation, negative draws taken as 0 |
//! | `exponential(200ms)` | exponential with that mean (memoryless gaps between user actions) |
//!
//! Each form is one YAML scalar, so an error points at the file, line and column of the part
//! that is wrong. Sampling is pure: [`Think::sample`] takes two uniform numbers from the caller
//! (the engine draws them per pause), so tests pin every draw. `plan` and capacity estimates
//! use [`Think::mean`].

use std::time::Duration;

use super::duration::parse_duration;

/// The pause after a step. Default: [`Think::Fixed`] of zero (no pause).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Think {
    Fixed(Duration),
    Uniform { min: Duration, max: Duration },
    Normal { mean: Duration, stddev: Duration },
    Exponential { mean: Duration },
}

impl Default for Think {
    fn default() -> Self {
        Think::Fixed(Duration::ZERO)
    }
}

/// Why a `think` value did not parse: the message and fix, and the character offset of the
/// offending part inside the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThinkError {
    pub offset: usize,
    pub message: String,
    pub fix: String,
}

const FORMS: &str =
    "write a duration (1s), a range (100ms..300ms), normal(200ms, 50ms) or exponential(200ms)";

impl Think {
    /// Whether the step never pauses.
    pub fn is_zero(&self) -> bool {
        match *self {
            Think::Fixed(d) => d.is_zero(),
            Think::Uniform { max, .. } => max.is_zero(),
            Think::Normal { mean, stddev } => mean.is_zero() && stddev.is_zero(),
            Think::Exponential { mean } => mean.is_zero(),
        }
    }

    /// The average pause (for a normal distribution, ignoring the few draws below zero).
    pub fn mean(&self) -> Duration {
        match *self {
            Think::Fixed(d) => d,
            Think::Uniform { min, max } => (min + max) / 2,
            Think::Normal { mean, .. } | Think::Exponential { mean } => mean,
        }
    }

    /// One pause, from two independent uniform numbers in `[0, 1)`.
    pub fn sample(&self, u1: f64, u2: f64) -> Duration {
        let u1 = u1.clamp(0.0, 1.0 - f64::EPSILON);
        let u2 = u2.clamp(0.0, 1.0 - f64::EPSILON);
        let seconds = match *self {
            Think::Fixed(d) => return d,
            Think::Uniform { min, max } => {
                min.as_secs_f64() + (max.as_secs_f64() - min.as_secs_f64()) * u1
            }
            Think::Normal { mean, stddev } => {
                // Box-Muller: 1 - u1 is in (0, 1], so its logarithm is finite.
                let z = (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                mean.as_secs_f64() + stddev.as_secs_f64() * z
            }
            Think::Exponential { mean } => -mean.as_secs_f64() * (1.0 - u1).ln(),
        };
        Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX)
    }
}

/// Parses a `think` value (see the module docs).
pub fn parse_think(text: &str) -> Result<Think, ThinkError> {
    let lead = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    if let Some((name, args)) = call(trimmed) {
        let args_at = lead + name.len() + 1;
        let parts: Vec<(usize, &str)> = split_args(args, args_at);
        return match (name, parts.as_slice()) {
            ("normal", [(a, mean), (b, stddev)]) => Ok(Think::Normal {
                mean: duration(mean, *a)?,
                stddev: duration(stddev, *b)?,
            }),
            ("exponential", [(a, mean)]) => Ok(Think::Exponential {
                mean: duration(mean, *a)?,
            }),
            ("normal" | "exponential", _) => Err(ThinkError {
                offset: args_at,
                message: format!("`{trimmed}` has the wrong number of arguments"),
                fix: "write normal(MEAN, STDDEV) or exponential(MEAN), e.g. normal(200ms, 50ms)"
                    .to_string(),
            }),
            _ => Err(ThinkError {
                offset: lead,
                message: format!("`{name}` is not a think distribution"),
                fix: FORMS.to_string(),
            }),
        };
    }
    if let Some((low, high)) = trimmed.split_once("..") {
        let min = duration(low, lead)?;
        let max = duration(high, lead + low.len() + 2)?;
        if min > max {
            return Err(ThinkError {
                offset: lead,
                message: format!("the range `{trimmed}` starts after it ends"),
                fix: format!(
                    "write the smaller bound first: {}..{}",
                    high.trim(),
                    low.trim()
                ),
            });
        }
        return Ok(Think::Uniform { min, max });
    }
    duration(trimmed, lead).map(Think::Fixed)
}

/// `name(args)` split into its name and the text between the parentheses.
fn call(text: &str) -> Option<(&str, &str)> {
    let open = text.find('(')?;
    let inner = text[open + 1..].strip_suffix(')')?;
    let name = &text[..open];
    name.chars()
        .all(|c| c.is_ascii_alphabetic())
        .then_some((name, inner))
}

/// The comma-separated arguments with their offsets in the whole value (leading spaces are
/// skipped where the argument is parsed).
fn split_args(args: &str, at: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = at;
    for part in args.split(',') {
        out.push((offset, part));
        offset += part.len() + 1;
    }
    out
}

fn duration(text: &str, offset: usize) -> Result<Duration, ThinkError> {
    let lead = text.len() - text.trim_start().len();
    parse_duration(text).map_err(|e| {
        let text = e.to_string();
        let (message, fix) = match text.split_once("; ") {
            Some((m, f)) => (m.to_string(), f.to_string()),
            None => (text, FORMS.to_string()),
        };
        ThinkError {
            offset: offset + lead,
            message,
            fix,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn every_form_parses() {
        assert_eq!(parse_think("1s").unwrap(), Think::Fixed(ms(1000)));
        assert_eq!(
            parse_think("100ms..300ms").unwrap(),
            Think::Uniform {
                min: ms(100),
                max: ms(300)
            }
        );
        assert_eq!(
            parse_think("normal(200ms, 50ms)").unwrap(),
            Think::Normal {
                mean: ms(200),
                stddev: ms(50)
            }
        );
        assert_eq!(
            parse_think(" exponential(200ms) ").unwrap(),
            Think::Exponential { mean: ms(200) }
        );
    }

    #[test]
    fn errors_point_at_the_wrong_part_and_give_the_fix() {
        let e = parse_think("100ms..3x").unwrap_err();
        assert_eq!(e.offset, 7);
        let e = parse_think("300ms..100ms").unwrap_err();
        assert_eq!(e.fix, "write the smaller bound first: 100ms..300ms");
        let e = parse_think("normal(200ms, 5)").unwrap_err();
        assert_eq!(e.offset, 14);
        assert!(e.message.contains("no unit"), "{e:?}");
        let e = parse_think("normal(200ms)").unwrap_err();
        assert!(e.fix.contains("normal(MEAN, STDDEV)"), "{e:?}");
        let e = parse_think("poisson(1s)").unwrap_err();
        assert!(e.message.contains("`poisson`"), "{e:?}");
        assert!(parse_think("..").is_err());
    }

    #[test]
    fn samples_follow_the_form() {
        let uniform = parse_think("100ms..300ms").unwrap();
        assert_eq!(uniform.sample(0.0, 0.7), ms(100));
        assert_eq!(uniform.sample(0.5, 0.7), ms(200));
        assert_eq!(uniform.mean(), ms(200));
        let exponential = parse_think("exponential(200ms)").unwrap();
        // The median of an exponential is mean * ln 2.
        let median = exponential.sample(0.5, 0.0).as_secs_f64();
        assert!(
            (median - 0.2 * std::f64::consts::LN_2).abs() < 1e-9,
            "{median}"
        );
        let normal = parse_think("normal(200ms, 50ms)").unwrap();
        // u2 = 0.25: cos(pi/2) = 0, the mean exactly.
        assert!((normal.sample(0.3, 0.25).as_secs_f64() - 0.2).abs() < 1e-9);
        let wide = parse_think("normal(10ms, 1s)").unwrap();
        assert_eq!(wide.sample(0.999, 0.5), Duration::ZERO, "no negative pause");
        assert_eq!(Think::Fixed(ms(5)).sample(0.9, 0.9), ms(5));
    }
}
