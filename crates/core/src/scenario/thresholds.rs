//! k6-style thresholds: `p(99)<300ms`, `error_rate<1%`, `throttle_rate==0`, `rps>=100`.
//!
//! An expression is `metric op value`. Metrics: `p(N)` (N in 0..=100), `avg`, `med`, `min`,
//! `max` (latencies: the value needs a unit, `300ms`); `error_rate`, `throttle_rate` (a share:
//! `1%` or `0.01`); `rps`, `peak_rps`, `count` (plain numbers); `quota_share` (a quota
//! category's busiest second against the quota in force, a share). Operators: `<`, `<=`, `>`,
//! `>=`, `==`, `!=`. The scope (run, flow, step, quota category) is the key the expressions sit
//! under in the scenario; validation resolves it, so a threshold on a scope or metric the
//! scenario cannot produce is a configuration error, never a silent pass.
//!
//! This file parses; evaluation against a run's summary lives with the measurements
//! (`metrics::thresholds`).

use std::fmt;

use serde::Serialize;

use super::duration::{DurationError, parse_duration};
use super::scope::Scope;

/// The measured quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// A latency percentile, 0..=100.
    Percentile(f64),
    Avg,
    Med,
    Min,
    Max,
    ErrorRate,
    ThrottleRate,
    Rps,
    PeakRps,
    Count,
    /// A quota category's busiest second against the quota in force (usage counted by the
    /// guide's rule, see `quota::counted_usage`), as a share: `quota_share<80%`.
    QuotaShare,
}

/// How a metric's value is written and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricClass {
    /// Microseconds; written with a unit.
    Latency,
    /// A share 0..=1; written `1%` or `0.01`.
    Share,
    /// A plain number.
    Number,
}

impl Metric {
    pub fn class(self) -> MetricClass {
        match self {
            Metric::Percentile(_) | Metric::Avg | Metric::Med | Metric::Min | Metric::Max => {
                MetricClass::Latency
            }
            Metric::ErrorRate | Metric::ThrottleRate | Metric::QuotaShare => MetricClass::Share,
            Metric::Rps | Metric::PeakRps | Metric::Count => MetricClass::Number,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::Percentile(p) => write!(f, "p({p})"),
            Metric::Avg => f.write_str("avg"),
            Metric::Med => f.write_str("med"),
            Metric::Min => f.write_str("min"),
            Metric::Max => f.write_str("max"),
            Metric::ErrorRate => f.write_str("error_rate"),
            Metric::ThrottleRate => f.write_str("throttle_rate"),
            Metric::Rps => f.write_str("rps"),
            Metric::PeakRps => f.write_str("peak_rps"),
            Metric::Count => f.write_str("count"),
            Metric::QuotaShare => f.write_str("quota_share"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    pub fn holds(self, observed: f64, limit: f64) -> bool {
        match self {
            Op::Lt => observed < limit,
            Op::Le => observed <= limit,
            Op::Gt => observed > limit,
            Op::Ge => observed >= limit,
            Op::Eq => observed == limit,
            Op::Ne => observed != limit,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

/// A parsed expression. `value` is in the metric's canonical unit: microseconds for latencies,
/// a share 0..=1 for rates, a plain number otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Expression {
    pub metric: Metric,
    pub op: Op,
    pub value: f64,
}

/// A threshold of a scenario: a scope and an expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub scope: Scope,
    pub expression: Expression,
    /// The expression as written, for reports.
    pub source: String,
    /// Stop the run as soon as this threshold fails during it (long form, `abort_on_fail:
    /// true`). Default: none, judged at the end only.
    #[serde(skip)]
    pub abort: Option<AbortOnFail>,
}

/// k6's `abortOnFail` with its `delayAbortEval`: once `delay` has passed since traffic
/// started, the threshold is judged every second on the data so far, and the run stops when it
/// fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbortOnFail {
    /// Default: 0s.
    pub delay: std::time::Duration,
}

/// A syntax error in an expression, at a character offset into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressionError {
    pub offset: usize,
    pub message: String,
}

const METRICS: &str =
    "p(N), avg, med, min, max, error_rate, throttle_rate, rps, peak_rps, count, quota_share";

fn fail<T>(offset: usize, message: impl Into<String>) -> Result<T, ExpressionError> {
    Err(ExpressionError {
        offset,
        message: message.into(),
    })
}

/// Parses `metric op value` (see the module docs).
pub fn parse_expression(text: &str) -> Result<Expression, ExpressionError> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let skip_spaces = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    skip_spaces(&mut i);
    let metric_start = i;
    while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
        i += 1;
    }
    let name: String = chars[metric_start..i].iter().collect();
    let metric = match name.as_str() {
        "p" => {
            if chars.get(i) != Some(&'(') {
                return fail(i, "expected `(` after `p`; write a percentile as p(95)");
            }
            let open = i;
            let close = match chars[open..].iter().position(|c| *c == ')') {
                Some(close) => open + close,
                None => return fail(open, "unclosed `(`; write a percentile as p(95)"),
            };
            let number: String = chars[open + 1..close].iter().collect();
            let p: f64 = match number.trim().parse() {
                Ok(p) => p,
                Err(_) => {
                    return fail(
                        open + 1,
                        format!("`{number}` is not a percentile; write e.g. p(99) or p(99.9)"),
                    );
                }
            };
            if !(0.0..=100.0).contains(&p) {
                return fail(open + 1, format!("percentile {p} is outside 0..=100"));
            }
            i = close + 1;
            Metric::Percentile(p)
        }
        "avg" => Metric::Avg,
        "med" => Metric::Med,
        "min" => Metric::Min,
        "max" => Metric::Max,
        "error_rate" => Metric::ErrorRate,
        "throttle_rate" => Metric::ThrottleRate,
        "rps" => Metric::Rps,
        "peak_rps" => Metric::PeakRps,
        "count" => Metric::Count,
        "quota_share" => Metric::QuotaShare,
        "" => return fail(metric_start, format!("expected a metric: {METRICS}")),
        other => {
            let hint = match other.strip_prefix('p') {
                Some(digits)
                    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) =>
                {
                    format!("; write p({digits})")
                }
                _ => String::new(),
            };
            return fail(
                metric_start,
                format!("unknown metric `{other}`{hint}; metrics are {METRICS}"),
            );
        }
    };
    skip_spaces(&mut i);
    let op_start = i;
    let next = |k: usize| chars.get(op_start + k).copied();
    let (op, len) = match (next(0), next(1)) {
        (Some('<'), Some('=')) => (Op::Le, 2),
        (Some('>'), Some('=')) => (Op::Ge, 2),
        (Some('='), Some('=')) => (Op::Eq, 2),
        (Some('!'), Some('=')) => (Op::Ne, 2),
        (Some('<'), _) => (Op::Lt, 1),
        (Some('>'), _) => (Op::Gt, 1),
        (Some('='), _) => return fail(op_start, "`=` is not an operator; write `==`"),
        _ => {
            return fail(
                op_start,
                format!("expected an operator after `{metric}`: <, <=, >, >=, == or !="),
            );
        }
    };
    i = op_start + len;
    skip_spaces(&mut i);
    let value_start = i;
    let value: String = chars[value_start..].iter().collect();
    let value = value.trim_end();
    if value.is_empty() {
        return fail(
            value_start,
            format!("expected a value after `{}`", op.symbol()),
        );
    }
    let value = match metric.class() {
        MetricClass::Latency => match parse_duration(value) {
            Ok(d) => d.as_nanos() as f64 / 1_000.0,
            Err(DurationError::MissingUnit(n)) => {
                return fail(
                    value_start,
                    format!("`{n}` needs a unit: write {n}ms (or us, s)"),
                );
            }
            Err(e) => return fail(value_start, format!("the value {e}")),
        },
        MetricClass::Share => {
            let (number, percent) = match value.strip_suffix('%') {
                Some(number) => (number.trim(), true),
                None => (value, false),
            };
            let n: f64 = match number.parse() {
                Ok(n) if f64::is_finite(n) && n >= 0.0 => n,
                _ => {
                    return fail(
                        value_start,
                        format!("`{value}` is not a share; write e.g. 1% or 0.01"),
                    );
                }
            };
            if percent {
                if n > 100.0 {
                    return fail(value_start, format!("`{value}` is more than 100%"));
                }
                n / 100.0
            } else if n > 1.0 {
                return fail(
                    value_start,
                    format!(
                        "`{value}` is more than 1; write a share as {value}% or as a fraction 0..=1"
                    ),
                );
            } else {
                n
            }
        }
        MetricClass::Number => match value.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => n,
            _ => {
                return fail(
                    value_start,
                    format!("`{value}` is not a non-negative number"),
                );
            }
        },
    };
    Ok(Expression { metric, op, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_latency_share_and_number_thresholds() {
        assert_eq!(
            parse_expression("p(99)<300ms"),
            Ok(Expression {
                metric: Metric::Percentile(99.0),
                op: Op::Lt,
                value: 300_000.0
            })
        );
        assert_eq!(
            parse_expression(" p(95) <= 1s "),
            Ok(Expression {
                metric: Metric::Percentile(95.0),
                op: Op::Le,
                value: 1_000_000.0
            })
        );
        assert_eq!(parse_expression("avg<200ms").unwrap().metric, Metric::Avg);
        assert_eq!(parse_expression("med<1.5ms").unwrap().value, 1_500.0);
        assert_eq!(parse_expression("error_rate<1%").unwrap().value, 0.01);
        assert_eq!(parse_expression("error_rate<0.01").unwrap().value, 0.01);
        assert_eq!(
            parse_expression("throttle_rate==0"),
            Ok(Expression {
                metric: Metric::ThrottleRate,
                op: Op::Eq,
                value: 0.0
            })
        );
        assert_eq!(parse_expression("rps>=100").unwrap().op, Op::Ge);
        assert_eq!(parse_expression("count>0").unwrap().metric, Metric::Count);
        assert_eq!(parse_expression("max!=0ms").unwrap().op, Op::Ne);
    }

    /// A report names a threshold's metric as the scenario wrote it (`p(99)`, `error_rate`), so
    /// a user finds the line of the scenario it came from; every metric reads back the same.
    #[test]
    fn every_metric_prints_as_written_in_a_threshold() {
        for (written, metric) in [
            ("p(99)", Metric::Percentile(99.0)),
            ("p(99.9)", Metric::Percentile(99.9)),
            ("avg", Metric::Avg),
            ("med", Metric::Med),
            ("min", Metric::Min),
            ("max", Metric::Max),
            ("error_rate", Metric::ErrorRate),
            ("throttle_rate", Metric::ThrottleRate),
            ("rps", Metric::Rps),
            ("peak_rps", Metric::PeakRps),
            ("count", Metric::Count),
            ("quota_share", Metric::QuotaShare),
        ] {
            assert_eq!(metric.to_string(), written);
            let unit = if metric.class() == MetricClass::Latency {
                "ms"
            } else {
                ""
            };
            let parsed = parse_expression(&format!("{written}>0{unit}")).unwrap();
            assert_eq!(parsed.metric, metric, "{written}");
        }
    }

    /// An expression cut after its operator names the operator as written, and a report writes
    /// each operator as the scenario does.
    #[test]
    fn an_operator_is_named_as_written() {
        for (written, op) in [
            ("<", Op::Lt),
            ("<=", Op::Le),
            (">", Op::Gt),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("!=", Op::Ne),
        ] {
            assert_eq!(op.symbol(), written);
            assert_eq!(serde_json::to_value(op).unwrap(), written);
            let err = parse_expression(&format!("count{written}")).unwrap_err();
            assert_eq!(err.message, format!("expected a value after `{written}`"));
            assert_eq!(
                parse_expression(&format!("count{written}1")).unwrap().op,
                op
            );
        }
    }

    #[test]
    fn each_operator_holds_exactly_on_its_side_of_the_limit() {
        // (operator, holds below the limit, holds at it, holds above it)
        let table = [
            (Op::Lt, true, false, false),
            (Op::Le, true, true, false),
            (Op::Gt, false, false, true),
            (Op::Ge, false, true, true),
            (Op::Eq, false, true, false),
            (Op::Ne, true, false, true),
        ];
        for (op, below, at, above) in table {
            assert_eq!(op.holds(-1.0, 0.0), below, "{}", op.symbol());
            assert_eq!(op.holds(0.0, 0.0), at, "{}", op.symbol());
            assert_eq!(op.holds(1.0, 0.0), above, "{}", op.symbol());
        }
        // `count>0` with nothing counted fails.
        let e = parse_expression("count>0").unwrap();
        assert!(!e.op.holds(0.0, e.value));
        assert!(e.op.holds(1.0, e.value));
    }

    #[test]
    fn shares_run_from_zero_to_a_whole_inclusive() {
        assert_eq!(parse_expression("error_rate<100%").unwrap().value, 1.0);
        assert_eq!(parse_expression("error_rate<1").unwrap().value, 1.0);
        assert_eq!(parse_expression("error_rate<0%").unwrap().value, 0.0);
        for refused in [
            "error_rate<-1%",
            "error_rate<-0.5",
            "error_rate<100.5%",
            "error_rate<1.01",
            "error_rate<inf%",
            "error_rate<NaN",
        ] {
            let err = parse_expression(refused).unwrap_err();
            assert_eq!(err.offset, 11, "{refused}: {}", err.message);
        }
    }

    #[test]
    fn syntax_errors_point_at_the_offending_token() {
        let err = parse_expression("p99<300ms").unwrap_err();
        assert_eq!(err.offset, 0);
        assert!(err.message.contains("write p(99)"), "{}", err.message);
        let err = parse_expression("p(99)<300").unwrap_err();
        assert_eq!(err.offset, 6);
        assert_eq!(err.message, "`300` needs a unit: write 300ms (or us, s)");
        let err = parse_expression("error_rate = 1%").unwrap_err();
        assert_eq!(err.offset, 11);
        assert_eq!(err.message, "`=` is not an operator; write `==`");
        assert_eq!(parse_expression("error_rate<5").unwrap_err().offset, 11);
        assert_eq!(parse_expression("p(101)<1s").unwrap_err().offset, 2);
        assert_eq!(parse_expression("latency<1s").unwrap_err().offset, 0);
        assert_eq!(parse_expression("rps>=").unwrap_err().offset, 5);
        assert_eq!(parse_expression("rps>=-1").unwrap_err().offset, 5);
        assert_eq!(parse_expression("").unwrap_err().offset, 0);
        assert_eq!(parse_expression("p(99").unwrap_err().offset, 1);
        // A percentile that is not a number is pointed at inside the parentheses.
        let err = parse_expression("  p(ninety)<1s").unwrap_err();
        assert_eq!(err.offset, 4);
        assert_eq!(
            err.message,
            "`ninety` is not a percentile; write e.g. p(99) or p(99.9)"
        );
        // `p95` gets the hint to write `p(95)`; other unknown names starting with `p` do not.
        for (text, hint) in [("p95<1s", true), ("pmax<1s", false), ("p9x<1s", false)] {
            let message = parse_expression(text).unwrap_err().message;
            assert_eq!(message.contains("; write p("), hint, "{text}: {message}");
        }
    }
}
