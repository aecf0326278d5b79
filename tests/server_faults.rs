//! The reference server's fault injection, over real HTTP on 127.0.0.1:0: added latency per
//! operation, `InternalErrorException` answers, and connections cut before a full response,
//! as the harness's client sees them.

mod server_support;

use std::time::{Duration, Instant};

use cognito_harness::protocol::TransportErrorKind;
use cognito_harness::server::{FaultConfig, ServerConfig, parse_fault_spec};
use server_support::*;

fn faults(specs: &[&str]) -> ServerConfig {
    ServerConfig {
        faults: FaultConfig {
            rules: specs.iter().map(|s| parse_fault_spec(s).unwrap()).collect(),
        },
        ..Default::default()
    }
}

const BAD_TOKEN: &str = "not-a-token";

#[tokio::test]
async fn latency_is_added_to_the_named_operation_only() {
    let h = harness_with(faults(&["GetUser:latency=200ms"])).await;
    let started = Instant::now();
    let e = h.client.get_user(BAD_TOKEN).await.unwrap_err();
    let slow = started.elapsed();
    assert_eq!(
        service_error(&e).0,
        "NotAuthorizedException",
        "still answered"
    );
    assert!(
        slow >= Duration::from_millis(200),
        "GetUser delayed: {slow:?}"
    );

    let started = Instant::now();
    h.default_pool().await;
    let fast = started.elapsed();
    assert!(
        fast < Duration::from_millis(200),
        "CreateUserPool not delayed: {fast:?}"
    );
}

#[tokio::test]
async fn an_error_rate_of_one_answers_internal_error_in_cognitos_shape() {
    let h = harness_with(faults(&["*:error_rate=1"])).await;
    let e = h.client.get_user(BAD_TOKEN).await.unwrap_err();
    let (kind, message) = service_error(&e);
    assert_eq!(kind, "InternalErrorException");
    assert_eq!(message, "Injected fault.");
    assert_eq!(e.status(), Some(500));
}

#[tokio::test]
async fn a_drop_rate_of_one_cuts_the_connection() {
    let h = harness_with(faults(&["GetUser:drop_rate=1"])).await;
    let e = h.client.get_user(BAD_TOKEN).await.unwrap_err();
    assert!(
        matches!(
            e.transport_kind(),
            Some(TransportErrorKind::ConnectionReset | TransportErrorKind::IncompleteBody)
        ),
        "a transport failure, not an answer: {e:?}"
    );
    // Other operations are untouched.
    h.default_pool().await;
}

#[tokio::test]
async fn partial_rates_split_the_requests() {
    let h = harness_with(faults(&["GetUser:error_rate=0.5"])).await;
    let mut injected = 0;
    for _ in 0..200 {
        let e = h.client.get_user(BAD_TOKEN).await.unwrap_err();
        if service_error(&e).0 == "InternalErrorException" {
            injected += 1;
        }
    }
    // Binomial(200, 0.5): outside 60..=140 has probability below 1e-8.
    assert!((60..=140).contains(&injected), "{injected} of 200 injected");
}
