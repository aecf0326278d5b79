//! Fault injection for the harness's own reliability tests: per operation, added latency, a
//! share of requests answered with `InternalErrorException` (HTTP 500, as Cognito answers an
//! internal failure), and a share of connections dropped before a complete response.
//!
//! Rules are given as `OP:key=value,...` (`serve --fault`): `OP` is an operation name
//! (`InitiateAuth`), an HTTP path (`/oauth2/token`), or `*` for every request; keys are
//! `latency` (a duration: `50ms`, `1s`), `error_rate` and `drop_rate` (0..=1). The first rule
//! that names the operation applies, else the `*` rule.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;

use super::error::ApiError;
use crate::protocol::ops::CONTENT_TYPE;

/// What happens to the requests of one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// An operation name, an HTTP path, or `*`.
    pub operation: String,
    /// Added before the request is handled.
    pub latency: Duration,
    /// Share of requests answered `InternalErrorException` (0..=1).
    pub error_rate: f64,
    /// Share of requests whose connection is cut before a complete response (0..=1).
    pub drop_rate: f64,
}

/// The fault rules of a server. Default none: no request is touched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultConfig {
    pub rules: Vec<FaultRule>,
}

impl FaultConfig {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule for `operation`: the first naming it, else the first `*` rule.
    pub fn rule_for(&self, operation: &str) -> Option<&FaultRule> {
        self.rules
            .iter()
            .find(|r| r.operation == operation)
            .or_else(|| self.rules.iter().find(|r| r.operation == "*"))
    }
}

/// Why a `--fault` specification was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{spec:?}: {reason} (expected OP:latency=50ms,error_rate=0.1,drop_rate=0.05)")]
pub struct FaultSpecError {
    pub spec: String,
    pub reason: String,
}

/// Parses `OP:key=value,...`.
pub fn parse_fault_spec(spec: &str) -> Result<FaultRule, FaultSpecError> {
    let fail = |reason: String| FaultSpecError {
        spec: spec.to_owned(),
        reason,
    };
    let (operation, settings) = spec
        .split_once(':')
        .ok_or_else(|| fail("no ':' after the operation".into()))?;
    let operation = operation.trim();
    if operation.is_empty() {
        return Err(fail(
            "the operation is empty (use * for every request)".into(),
        ));
    }
    let mut rule = FaultRule {
        operation: operation.to_owned(),
        latency: Duration::ZERO,
        error_rate: 0.0,
        drop_rate: 0.0,
    };
    for setting in settings.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, value) = setting
            .split_once('=')
            .ok_or_else(|| fail(format!("{setting:?} is not key=value")))?;
        let rate = |v: &str| -> Result<f64, FaultSpecError> {
            match v.trim().parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
                _ => Err(fail(format!("{key}={v}: a rate is a number from 0 to 1"))),
            }
        };
        match key.trim() {
            "latency" => {
                rule.latency = crate::scenario::duration::parse_duration(value.trim())
                    .map_err(|e| fail(format!("latency={value}: {e}")))?;
            }
            "error_rate" => rule.error_rate = rate(value)?,
            "drop_rate" => rule.drop_rate = rate(value)?,
            other => {
                return Err(fail(format!(
                    "unknown key {other:?} (latency, error_rate, drop_rate)"
                )));
            }
        }
    }
    if rule.error_rate + rule.drop_rate > 1.0 {
        return Err(fail("error_rate + drop_rate exceeds 1".into()));
    }
    Ok(rule)
}

/// The operation a request names: the `X-Amz-Target` suffix, else its path.
fn operation_of(request: &Request) -> String {
    request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.rsplit('.').next())
        .map(str::to_owned)
        .unwrap_or_else(|| request.uri().path().to_owned())
}

/// The axum middleware (installed by the server when any rule is configured).
pub async fn inject(
    State(faults): State<Arc<FaultConfig>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(rule) = faults.rule_for(&operation_of(&request)).cloned() else {
        return next.run(request).await;
    };
    if !rule.latency.is_zero() {
        tokio::time::sleep(rule.latency).await;
    }
    let roll: f64 = rand::rng().random();
    if roll < rule.drop_rate {
        // A body that fails at once: hyper aborts the connection mid-response, so the client
        // sees the connection cut before a complete answer.
        let stream = futures_util::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other("injected drop"))
        });
        return Response::builder()
            .status(200)
            .header("content-type", CONTENT_TYPE)
            .body(Body::from_stream(stream))
            .unwrap_or_default();
    }
    if roll < rule.drop_rate + rule.error_rate {
        return super::respond::error_response(
            500,
            &ApiError::new("InternalErrorException", "Injected fault."),
        );
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_bad_ones_say_why() {
        let r =
            parse_fault_spec("InitiateAuth:latency=50ms,error_rate=0.1,drop_rate=0.05").unwrap();
        assert_eq!(r.operation, "InitiateAuth");
        assert_eq!(r.latency, Duration::from_millis(50));
        assert_eq!((r.error_rate, r.drop_rate), (0.1, 0.05));
        let all = parse_fault_spec("*:latency=1s").unwrap();
        assert_eq!((all.operation.as_str(), all.error_rate), ("*", 0.0));
        for (bad, why) in [
            ("InitiateAuth", "no ':'"),
            (":latency=1s", "empty"),
            ("X:latency", "key=value"),
            ("X:error_rate=2", "from 0 to 1"),
            ("X:latency=fast", "latency=fast"),
            ("X:jitter=1ms", "unknown key"),
            ("X:error_rate=0.6,drop_rate=0.6", "exceeds 1"),
        ] {
            let e = parse_fault_spec(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn the_named_rule_wins_over_the_wildcard() {
        let config = FaultConfig {
            rules: vec![
                parse_fault_spec("*:latency=1ms").unwrap(),
                parse_fault_spec("GetUser:error_rate=1").unwrap(),
            ],
        };
        assert_eq!(config.rule_for("GetUser").unwrap().error_rate, 1.0);
        assert_eq!(config.rule_for("SignUp").unwrap().operation, "*");
        assert!(FaultConfig::default().rule_for("SignUp").is_none());
    }
}
