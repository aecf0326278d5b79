//! The reference server's CPU per sign-in, measured on its own work.
//!
//! - `srp_sign_in`: InitiateAuth USER_SRP_AUTH then RespondToAuthChallenge PASSWORD_VERIFIER,
//!   the second issuing an ID and an access token (two RS256 signatures). Budget: 3 ms.
//! - `srp_initiate` / `srp_respond`: the two halves on their own.
//! - `user_password_auth`: InitiateAuth USER_PASSWORD_AUTH (password hash check, two RS256
//!   signatures). Budget: 1 ms.
//!
//! Method: the operations run through [`server::call`], the same decode → operation → encode
//! path `POST /` takes, in-process, so neither HTTP nor a client's share is counted (hyper and
//! loopback add tens of microseconds per request on top). A sign-in's client side (A = g^a and
//! the PASSWORD_VERIFIER answer, about one 3072-bit exponentiation) runs between the two timed
//! calls with `iter_custom`, outside the clock: only the two server calls are summed.
//!
//! The clock is the bench thread's CPU time (`/proc/thread-self/schedstat`, nanoseconds on
//! CPU, Linux), not wall time: on a shared machine wall time also counts the time other
//! processes hold the core, and the budget is CPU. Where the file cannot be read the bench
//! falls back to wall time and says so. Reading it costs a few microseconds per timed call.
//!
//! - `validate/<op>`: the model's input constraints checked over a valid request body
//!   ([`server::check_input_constraints`], which every `POST /` runs before the typed parse):
//!   one JSON parse and the member walk, patterns precompiled.
//!
//! Run: `cargo bench --bench server`; medians in
//! `target/criterion/server/<id>/new/estimates.json`. Absolute times vary with the machine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cognito_harness::server::{self, ClientSeed, PoolSeed, ServerConfig, Store, UserSeed};
use cognito_harness::srp::{
    Backend, PasswordVerifierChallenge, PasswordVerifierResponse, SrpClient,
};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

const POOL_ID: &str = "us-east-1_BenchPool";
const CLIENT_ID: &str = "benchclient0123456789abcde";
const USER: &str = "bench-user";
const PASSWORD: &str = "Correct-Horse-Battery-9!";

/// A store with one pool, one public client allowing SRP and USER_PASSWORD_AUTH, one
/// confirmed user.
fn store() -> Store {
    let config = ServerConfig {
        pools: vec![PoolSeed {
            name: "bench".into(),
            id: Some(POOL_ID.into()),
            clients: vec![ClientSeed {
                name: "app".into(),
                id: Some(CLIENT_ID.into()),
                explicit_auth_flows: vec![
                    "ALLOW_USER_SRP_AUTH".into(),
                    "ALLOW_USER_PASSWORD_AUTH".into(),
                    "ALLOW_REFRESH_TOKEN_AUTH".into(),
                ],
                ..Default::default()
            }],
            users: vec![UserSeed {
                username: USER.into(),
                password: PASSWORD.into(),
                attributes: [("email".to_owned(), "bench@example.com".to_owned())].into(),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    server::new_store(&config, "http://127.0.0.1:9/").expect("store")
}

/// CPU time of the calling thread so far, else `None`.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// A stopwatch over [`thread_cpu`], or wall time where that is unavailable.
enum Clock {
    Cpu(Duration),
    Wall(Instant),
}

impl Clock {
    fn start() -> Self {
        match thread_cpu() {
            Some(t) => Clock::Cpu(t),
            None => Clock::Wall(Instant::now()),
        }
    }
    fn elapsed(&self) -> Duration {
        match self {
            Clock::Cpu(t0) => thread_cpu().map_or(Duration::ZERO, |t| t.saturating_sub(*t0)),
            Clock::Wall(t0) => t0.elapsed(),
        }
    }
}

fn call(store: &Store, op: &str, body: &[u8]) -> Value {
    let answer = server::call(store, op, body).unwrap_or_else(|e| panic!("{op}: {e}"));
    serde_json::from_slice(&answer).expect("JSON answer")
}

fn initiate_body(client: &SrpClient) -> Vec<u8> {
    json!({
        "AuthFlow": "USER_SRP_AUTH",
        "ClientId": CLIENT_ID,
        "AuthParameters": { "USERNAME": USER, "SRP_A": client.a_pub_hex() },
    })
    .to_string()
    .into_bytes()
}

/// The client's PASSWORD_VERIFIER answer to an InitiateAuth answer (untimed).
fn respond_body(client: &SrpClient, init: &Value) -> Vec<u8> {
    let p = &init["ChallengeParameters"];
    let challenge =
        PasswordVerifierChallenge::from_parameters(|k| p[k].as_str().expect(k).to_owned());
    let r: PasswordVerifierResponse = client
        .respond(&challenge, POOL_ID, PASSWORD, chrono::Utc::now())
        .expect("respond");
    json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ClientId": CLIENT_ID,
        "ChallengeResponses": {
            "USERNAME": r.username,
            "PASSWORD_CLAIM_SECRET_BLOCK": r.password_claim_secret_block,
            "TIMESTAMP": r.timestamp,
            "PASSWORD_CLAIM_SIGNATURE": r.password_claim_signature,
        },
    })
    .to_string()
    .into_bytes()
}

/// The client's answer to `init` (off the clock), then RespondToAuthChallenge on the clock:
/// the server's time for it, after checking that it signed the user in.
fn timed_respond(store: &Store, client: &SrpClient, init: &Value) -> Duration {
    let answer = respond_body(client, init);
    let t = Clock::start();
    let done = call(store, "RespondToAuthChallenge", black_box(&answer));
    let spent = t.elapsed();
    assert!(signed_in(&done));
    spent
}

fn signed_in(answer: &Value) -> bool {
    answer["AuthenticationResult"]["IdToken"].is_string()
        && answer["AuthenticationResult"]["AccessToken"].is_string()
}

fn bench_srp(c: &mut Criterion) {
    let store = store();
    // One client key pair for the whole run: the server's work does not depend on A being
    // fresh, and the client's A = g^a is not what is measured.
    let client = SrpClient::from_rng(&mut rand::rng()).expect("client");
    let init_body = initiate_body(&client);
    let init = call(&store, "InitiateAuth", &init_body);
    assert!(signed_in(&call(
        &store,
        "RespondToAuthChallenge",
        &respond_body(&client, &init)
    )));

    // The SRP exponentiations run on the fastest backend this CPU has (AVX-512 IFMA where
    // present); `CH_SRP_BACKEND=portable cargo bench --bench server` measures the portable one.
    eprintln!("SRP backend: {}", Backend::active().name());
    if thread_cpu().is_none() {
        eprintln!("/proc/thread-self/schedstat unreadable: timing wall clock, not CPU");
    }
    let mut group = c.benchmark_group("server");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("srp_sign_in", |b| {
        b.iter_custom(|iters| {
            let mut server_time = Duration::ZERO;
            for _ in 0..iters {
                let t = Clock::start();
                let init = call(&store, "InitiateAuth", black_box(&init_body));
                server_time += t.elapsed();
                server_time += timed_respond(&store, &client, &init);
            }
            server_time
        })
    });
    group.bench_function("srp_initiate", |b| {
        b.iter_custom(|iters| {
            let t = Clock::start();
            for _ in 0..iters {
                black_box(call(&store, "InitiateAuth", black_box(&init_body)));
            }
            t.elapsed()
        })
    });
    group.bench_function("srp_respond", |b| {
        b.iter_custom(|iters| {
            let mut server_time = Duration::ZERO;
            for _ in 0..iters {
                let init = call(&store, "InitiateAuth", &init_body);
                server_time += timed_respond(&store, &client, &init);
            }
            server_time
        })
    });

    let password_body = json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": CLIENT_ID,
        "AuthParameters": { "USERNAME": USER, "PASSWORD": PASSWORD },
    })
    .to_string()
    .into_bytes();
    assert!(signed_in(&call(&store, "InitiateAuth", &password_body)));
    group.bench_function("user_password_auth", |b| {
        b.iter_custom(|iters| {
            let t = Clock::start();
            for _ in 0..iters {
                black_box(call(&store, "InitiateAuth", black_box(&password_body)));
            }
            t.elapsed()
        })
    });
    group.finish();
}

fn bench_validate(c: &mut Criterion) {
    use cognito_harness::protocol::ops::OperationKind;
    let sign_up = json!({
        "ClientId": CLIENT_ID,
        "Username": USER,
        "Password": PASSWORD,
        "UserAttributes": [{"Name": "email", "Value": "bench@example.com"}],
    })
    .to_string();
    let initiate = json!({
        "ClientId": CLIENT_ID,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": USER, "PASSWORD": PASSWORD},
    })
    .to_string();
    let mut group = c.benchmark_group("validate");
    for (name, kind, body) in [
        ("SignUp", OperationKind::SignUp, &sign_up),
        ("InitiateAuth", OperationKind::InitiateAuth, &initiate),
    ] {
        // The first call compiles the model; keep it out of the measurement.
        server::check_input_constraints(kind, body.as_bytes()).expect("valid body");
        group.bench_function(name, |b| {
            b.iter(|| server::check_input_constraints(kind, black_box(body.as_bytes())))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_srp, bench_validate);
criterion_main!(benches);
