//! The reference server's CPU for an SRP sign-in that fails, for a known user (wrong password)
//! and for an unknown one under PreventUserExistenceErrors (the decoy challenge). The developer
//! guide ("Managing error responses") says the decoy must not tell the two apart; a difference
//! in server time would.
//!
//! Each round runs InitiateAuth USER_SRP_AUTH and RespondToAuthChallenge PASSWORD_VERIFIER
//! in-process through [`server::call`] (no HTTP), alternating known and unknown so both see the
//! same machine load; only the two server calls are timed, on the thread's CPU clock
//! (`/proc/thread-self/schedstat`, wall clock where it cannot be read). The client's side (A and
//! the signature) runs off the clock.
//!
//! Run: `cargo run --example srp_decoy_cost -- [ROUNDS]` (`--release` for absolute numbers) (default 300). Prints the
//! median and mean per sign-in of each kind, in microseconds.

use std::time::{Duration, Instant};

use cognito_harness::server::{self, ClientSeed, PoolSeed, ServerConfig, Store, UserSeed};
use cognito_harness::srp::{PasswordVerifierChallenge, SrpClient};
use serde_json::{Value, json};

const POOL_ID: &str = "us-east-1_DecoyCost";
const CLIENT_ID: &str = "decoyclient0123456789abcde";
const USER: &str = "known-user";
const PASSWORD: &str = "Correct-Horse-Battery-9!";

/// Known users, each tried at most four times so the lockout (five failures) never answers.
fn known_user(i: usize) -> String {
    format!("{USER}-{}", i / 4)
}

fn store(rounds: usize) -> Store {
    let config = ServerConfig {
        pools: vec![PoolSeed {
            name: "decoy".into(),
            id: Some(POOL_ID.into()),
            clients: vec![ClientSeed {
                name: "app".into(),
                id: Some(CLIENT_ID.into()),
                prevent_user_existence_errors: Some("ENABLED".into()),
                ..Default::default()
            }],
            users: (0..rounds.div_ceil(4))
                .map(|n| UserSeed {
                    username: known_user(n * 4),
                    password: PASSWORD.into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }],
        ..Default::default()
    };
    match server::new_store(&config, "http://127.0.0.1:9/") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("store: {e}");
            std::process::exit(2);
        }
    }
}

fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Time of `f` on the thread's CPU clock, else the wall clock.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    match thread_cpu() {
        Some(t0) => {
            let out = f();
            let t1 = thread_cpu().unwrap_or(t0);
            (out, t1.saturating_sub(t0))
        }
        None => {
            let t0 = Instant::now();
            let out = f();
            (out, t0.elapsed())
        }
    }
}

fn call(store: &Store, op: &str, body: &Value) -> Result<Value, String> {
    match server::call(store, op, body.to_string().as_bytes()) {
        Ok(answer) => serde_json::from_slice(&answer).map_err(|e| e.to_string()),
        Err(e) => Err(e.kind.to_string()),
    }
}

/// One failing SRP sign-in of `username` (the password is wrong for the known user, and there
/// is no password for the unknown one): the server's CPU time for its two calls.
fn failing_sign_in(store: &Store, username: &str) -> Result<Duration, String> {
    let client = SrpClient::from_rng(&mut rand::rng()).map_err(|e| e.to_string())?;
    let init_body = json!({
        "AuthFlow": "USER_SRP_AUTH",
        "ClientId": CLIENT_ID,
        "AuthParameters": { "USERNAME": username, "SRP_A": client.a_pub_hex() },
    });
    let (init, t1) = timed(|| call(store, "InitiateAuth", &init_body));
    let init = init?;
    let p = &init["ChallengeParameters"];
    let challenge =
        PasswordVerifierChallenge::from_parameters(|k| p[k].as_str().unwrap_or("").to_owned());
    let r = client
        .respond(
            &challenge,
            POOL_ID,
            "Wrong-Horse-Battery-9!",
            chrono::Utc::now(),
        )
        .map_err(|e| e.to_string())?;
    let respond_body = json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ClientId": CLIENT_ID,
        "ChallengeResponses": {
            "USERNAME": r.username,
            "PASSWORD_CLAIM_SECRET_BLOCK": r.password_claim_secret_block,
            "TIMESTAMP": r.timestamp,
            "PASSWORD_CLAIM_SIGNATURE": r.password_claim_signature,
        },
    });
    let (answer, t2) = timed(|| call(store, "RespondToAuthChallenge", &respond_body));
    match answer {
        Err(kind) if kind == "NotAuthorizedException" => Ok(t1 + t2),
        other => Err(format!("expected NotAuthorizedException, got {other:?}")),
    }
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let median = times[times.len() / 2];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{name:<24} median {:>8.1} µs   mean {:>8.1} µs   ({} sign-ins)",
        median.as_secs_f64() * 1e6,
        mean.as_secs_f64() * 1e6,
        times.len()
    );
}

fn main() -> Result<(), String> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300)
        .max(1);
    let store = store(rounds);
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // A fresh unknown name per round, as an enumeration attack would send.
        known.push(failing_sign_in(&store, &known_user(i))?);
        unknown.push(failing_sign_in(&store, &format!("nobody-{i}"))?);
    }
    if thread_cpu().is_none() {
        println!("(wall clock: /proc/thread-self/schedstat unreadable)");
    }
    summary("known, wrong password", known);
    summary("unknown (decoy)", unknown);
    Ok(())
}
