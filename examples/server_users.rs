//! Memory of the reference server's users: creates N confirmed users in one pool and prints the
//! resident-set growth and bytes per user.
//!
//! ```sh
//! cargo run --release --example server_users -- [USERS] [THREADS]   # default: 1000000 2
//! ```
//!
//! Users are created in-process through `server::seed_confirmed_user`, which stores exactly
//! what a SignUp + ConfirmSignUp stores: the SRP verifier (one 3072-bit exponentiation per user,
//! the cost of the whole run), the password hash, the sub, and the attributes, here an `email`
//! and `email_verified` (the pool auto-verifies email). The store's sharded user maps grow as
//! they would under sign-ups, so their spare capacity is counted too. RSS is read from
//! `/proc/self/status` (Linux): VmRSS before the first user and after the last, and VmHWM.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cognito_harness::protocol::ops::AttributeType;
use cognito_harness::server::{self, PoolSeed, ServerConfig};
use support::{memory, mib};

const POOL_ID: &str = "us-east-1_MemoryTest";
const PASSWORD: &str = "Memory-Pa55word!";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let users: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let threads: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2).max(1);
    let config = ServerConfig {
        pools: vec![PoolSeed {
            name: "memory".into(),
            id: Some(POOL_ID.into()),
            auto_verified_attributes: vec!["email".into()],
            ..Default::default()
        }],
        ..Default::default()
    };
    let store = server::new_store(&config, "http://127.0.0.1:9/").expect("store");
    let (rss0, _) = memory();
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= users {
                        break;
                    }
                    let username = format!("user{i:07}");
                    let email = [AttributeType::new(
                        "email",
                        format!("{username}@example.com"),
                    )];
                    server::seed_confirmed_user(&store, POOL_ID, &username, PASSWORD, &email)
                        .unwrap_or_else(|e| panic!("user {i}: {e}"));
                    if i > 0 && i.is_multiple_of(100_000) {
                        let (now, _) = memory();
                        eprintln!(
                            "{i} users, {:.0} s, RSS +{:.1} MiB",
                            started.elapsed().as_secs_f64(),
                            mib(now.saturating_sub(rss0))
                        );
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let (rss1, hwm) = memory();
    let grown = rss1.saturating_sub(rss0);
    println!("users: {users}");
    println!("created in: {elapsed:.1} s ({threads} threads)");
    println!("VmRSS before: {:.1} MiB", mib(rss0));
    println!("VmRSS after: {:.1} MiB", mib(rss1));
    println!("VmHWM: {:.1} MiB", mib(hwm));
    println!("growth: {:.1} MiB", mib(grown));
    println!("bytes per user: {:.0}", grown as f64 / users as f64);
    drop(store);
}
