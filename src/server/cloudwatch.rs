//! The CloudWatch metrics Cognito publishes for a user pool, counted by the reference server and
//! shown in the Prometheus text format by `serve --metrics-listen`, so a rehearsal against
//! `serve` shows the signals that production alarms watch.
//!
//! Source: developer guide, "Metrics for Amazon Cognito user pools" (the `SignUpSuccesses` ...
//! `FederationThrottles` table): each `*Successes` metric is a sample per request, 1 when it
//! succeeded and 0 otherwise ("a throttled request will also produce a count of 0"; the Sum is
//! the successes, the Sample Count the requests); each `*Throttles` metric counts 1 per throttled
//! request; the dimensions are `UserPool` and `UserPoolClient`; "when the user registration is
//! performed by an admin, the metric is published with the user pool client as Admin"; "in case
//! an invalid user pool client is provided with a request, the corresponding user pool client
//! value in the metric contains a fixed value Invalid"; a sign-in "is considered successful when
//! authentication token is issued to the user"; token refreshes are counted apart from sign-ins.
//!
//! Prometheus names are the CloudWatch names in snake_case under a `cognito_` namespace, with
//! `_total` on counters, as the Prometheus naming practice asks (`SignInSuccesses` Sum is
//! `cognito_sign_in_successes_total`, its Sample Count `cognito_sign_in_successes_samples_total`,
//! `SignInThrottles` is `cognito_sign_in_throttles_total`); the dimensions are the labels
//! `user_pool` and `user_pool_client`. Each HELP line names the CloudWatch metric.
//!
//! What the guide leaves open, and this server's reading of it: an authentication answered
//! with a challenge (the first leg of SRP, an MFA prompt) is not yet a success or a failure, so
//! it is no sample; the answer that ends it (tokens, an error, a throttle) is. A request whose
//! pool cannot be told (an unknown `ClientId` without a `UserPoolId`) is not counted. The
//! reference server has no identity federation, so `FederationSuccesses` and
//! `FederationThrottles` are declared but never have a series. The OAuth2 token endpoint is
//! not counted.

use std::collections::BTreeMap;
use std::sync::Mutex;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::registry::Registry;

/// The metric a request feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PoolMetric {
    SignUp,
    SignIn,
    TokenRefresh,
}

impl PoolMetric {
    const ALL: [PoolMetric; 3] = [
        PoolMetric::SignUp,
        PoolMetric::SignIn,
        PoolMetric::TokenRefresh,
    ];

    /// (Prometheus stem, CloudWatch stem).
    fn names(self) -> (&'static str, &'static str) {
        match self {
            PoolMetric::SignUp => ("cognito_sign_up", "SignUp"),
            PoolMetric::SignIn => ("cognito_sign_in", "SignIn"),
            PoolMetric::TokenRefresh => ("cognito_token_refresh", "TokenRefresh"),
        }
    }
}

/// How a watched request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Success,
    Failure,
    Throttled,
    /// Answered with a challenge: the authentication goes on (no sample).
    Pending,
}

/// A request the metrics watch: its metric and dimensions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Watched {
    pub metric: PoolMetric,
    pub user_pool: String,
    pub user_pool_client: String,
}

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    successes: u64,
    samples: u64,
    throttles: u64,
}

/// The server's per-pool CloudWatch counters.
#[derive(Debug, Default)]
pub struct PoolMetrics {
    tallies: Mutex<BTreeMap<Watched, Tally>>,
}

impl PoolMetrics {
    /// Counts one request that ended as `ending`.
    pub fn record(&self, watched: Watched, ending: Ending) {
        let mut tallies = self.tallies.lock().unwrap_or_else(|p| p.into_inner());
        let tally = tallies.entry(watched).or_default();
        match ending {
            Ending::Success => {
                tally.successes += 1;
                tally.samples += 1;
            }
            Ending::Failure => tally.samples += 1,
            Ending::Throttled => {
                tally.samples += 1;
                tally.throttles += 1;
            }
            Ending::Pending => {}
        }
    }

    /// The counters in the Prometheus text format.
    pub fn encode(&self) -> String {
        let tallies = self
            .tallies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Snapshot(tallies)));
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &registry);
        text
    }
}

#[derive(Debug)]
struct Snapshot(BTreeMap<Watched, Tally>);

type Labels = Vec<(&'static str, String)>;

fn counter_family(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    series: &[(Labels, ConstCounter<u64>)],
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (labels, counter) in series {
        counter.encode(family.encode_family(labels)?)?;
    }
    Ok(())
}

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for metric in PoolMetric::ALL {
            let (stem, cloudwatch) = metric.names();
            let rows: Vec<(Labels, Tally)> = self
                .0
                .iter()
                .filter(|(w, _)| w.metric == metric)
                .map(|(w, t)| {
                    let labels = vec![
                        ("user_pool", w.user_pool.clone()),
                        ("user_pool_client", w.user_pool_client.clone()),
                    ];
                    (labels, *t)
                })
                .collect();
            let pick = |f: fn(&Tally) -> u64| -> Vec<(Labels, ConstCounter<u64>)> {
                rows.iter()
                    .map(|(l, t)| (l.clone(), ConstCounter::new(f(t))))
                    .collect()
            };
            counter_family(
                &mut encoder,
                &format!("{stem}_successes"),
                &format!("CloudWatch {cloudwatch}Successes, Sum: successful requests."),
                &pick(|t| t.successes),
            )?;
            counter_family(
                &mut encoder,
                &format!("{stem}_successes_samples"),
                &format!("CloudWatch {cloudwatch}Successes, Sample Count: requests counted."),
                &pick(|t| t.samples),
            )?;
            counter_family(
                &mut encoder,
                &format!("{stem}_throttles"),
                &format!("CloudWatch {cloudwatch}Throttles: throttled requests."),
                &pick(|t| t.throttles),
            )?;
        }
        for (name, help) in [
            (
                "cognito_federation_successes",
                "CloudWatch FederationSuccesses, Sum (no identity federation in this server).",
            ),
            (
                "cognito_federation_throttles",
                "CloudWatch FederationThrottles (no identity federation in this server).",
            ),
        ] {
            counter_family(&mut encoder, name, help, &[])?;
        }
        Ok(())
    }
}

/// The metric and dimensions of a request of `operation` with `body`, or `None` when it feeds
/// no pool metric (or its pool cannot be told). `owner_of` names the pool of an app client id.
pub fn watch(
    operation: &str,
    body: &[u8],
    owner_of: impl Fn(&str) -> Option<String>,
) -> Option<Watched> {
    #[derive(serde::Deserialize)]
    struct Keys {
        #[serde(rename = "UserPoolId")]
        user_pool_id: Option<String>,
        #[serde(rename = "ClientId")]
        client_id: Option<String>,
        #[serde(rename = "AuthFlow")]
        auth_flow: Option<String>,
    }
    let admin = operation == "AdminCreateUser";
    let metric = match operation {
        "SignUp" | "AdminCreateUser" => PoolMetric::SignUp,
        "GetTokensFromRefreshToken" => PoolMetric::TokenRefresh,
        "InitiateAuth"
        | "AdminInitiateAuth"
        | "RespondToAuthChallenge"
        | "AdminRespondToAuthChallenge" => PoolMetric::SignIn,
        _ => return None,
    };
    let keys: Keys = serde_json::from_slice(body).ok()?;
    let metric = match keys.auth_flow.as_deref() {
        Some("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN") => PoolMetric::TokenRefresh,
        _ => metric,
    };
    let owner = keys.client_id.as_deref().and_then(owner_of);
    let user_pool = keys.user_pool_id.clone().or_else(|| owner.clone())?;
    let user_pool_client = if admin {
        "Admin".to_owned()
    } else {
        match (&keys.client_id, &owner) {
            (Some(client), Some(owner)) if *owner == user_pool => client.clone(),
            _ => "Invalid".to_owned(),
        }
    };
    Some(Watched {
        metric,
        user_pool,
        user_pool_client,
    })
}

/// How a watched request that was answered `Ok(body)` ended: a sign-in or refresh succeeds when
/// tokens are issued (an `AuthenticationResult`), else a challenge follows.
pub fn ending_of(metric: PoolMetric, answer: &[u8]) -> Ending {
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "AuthenticationResult")]
        authentication_result: Option<serde::de::IgnoredAny>,
    }
    match metric {
        PoolMetric::SignUp => Ending::Success,
        PoolMetric::SignIn | PoolMetric::TokenRefresh => {
            match serde_json::from_slice::<Answer>(answer) {
                Ok(Answer {
                    authentication_result: Some(_),
                }) => Ending::Success,
                _ => Ending::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched(metric: PoolMetric, client: &str) -> Watched {
        Watched {
            metric,
            user_pool: "us-east-1_abc".into(),
            user_pool_client: client.into(),
        }
    }

    #[test]
    fn successes_are_a_sum_over_samples_and_throttles_count_apart() {
        let m = PoolMetrics::default();
        let w = watched(PoolMetric::SignIn, "client1");
        m.record(w.clone(), Ending::Success);
        m.record(w.clone(), Ending::Failure);
        m.record(w.clone(), Ending::Throttled);
        m.record(w, Ending::Pending);
        let text = m.encode();
        let labels = "{user_pool=\"us-east-1_abc\",user_pool_client=\"client1\"}";
        for line in [
            format!("cognito_sign_in_successes_total{labels} 1"),
            format!("cognito_sign_in_successes_samples_total{labels} 3"),
            format!("cognito_sign_in_throttles_total{labels} 1"),
            "# HELP cognito_sign_in_successes_total CloudWatch SignInSuccesses".to_string(),
            "# TYPE cognito_federation_successes_total counter".to_string(),
        ] {
            assert!(text.contains(&line), "missing {line:?} in:\n{text}");
        }
        assert!(!text.contains("cognito_sign_up_successes_total{"));
    }

    #[test]
    fn a_sign_in_succeeds_when_tokens_are_issued() {
        let tokens = br#"{"AuthenticationResult":{"AccessToken":"x"}}"#;
        let challenge = br#"{"ChallengeName":"PASSWORD_VERIFIER","Session":"s"}"#;
        assert_eq!(ending_of(PoolMetric::SignIn, tokens), Ending::Success);
        assert_eq!(ending_of(PoolMetric::SignIn, challenge), Ending::Pending);
        assert_eq!(ending_of(PoolMetric::SignUp, b"{}"), Ending::Success);
    }
}
