//! Memory over a long run: the load engine sends REQUESTS requests at RATE requests a second to
//! the reference server on loopback and prints the process's VmRSS and VmHWM every 100 000
//! requests, so the peak at 100k can be set against the peak at 1M.
//!
//! ```sh
//! cargo run --release --example long_run -- [REQUESTS] [RATE]   # default: 1000000 4000
//! ```
//!
//! An iteration is one USER_PASSWORD_AUTH sign-in and 19 GetUser calls (GetUser is cheap on the
//! server and leaves no state), so RATE/20 iterations a second for REQUESTS/RATE seconds. The
//! server runs in the same process on its own runtime (one worker) and counts the requests it
//! answers; its state grows only by one sign-in record per iteration, printed at the end, so
//! growth beyond that is the harness's. Memory is read from `/proc/self/status` (Linux).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cognito_harness::server::{ServerConfig, Store, endpoint_for, router};

const STEPS: u64 = 20;

/// `VmRSS` and `VmHWM` in MiB.
fn memory_mib() -> (f64, f64) {
    let (rss, hwm) = support::memory();
    (support::mib(rss), support::mib(hwm))
}

fn scenario_text(iterations_per_s: u64, seconds: u64) -> String {
    let mut steps = String::from("      - password_sign_in\n");
    for _ in 1..STEPS {
        steps.push_str("      - get_user\n");
    }
    format!(
        r#"
target: embedded
setup: {{ users: 50, password: "Long-Pa55word!" }}
flows:
  reads:
    load:
      executor: constant-arrival-rate
      rate: {iterations_per_s}
      duration: {seconds}s
      pre_allocated_vus: 50
      max_vus: 4000
    steps:
{steps}"#
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let requests: u64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let rate: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(4000);
    let iterations_per_s = (rate / STEPS).max(1);
    let seconds = requests.div_ceil(iterations_per_s * STEPS);

    let served = Arc::new(AtomicU64::new(0));
    let server_rt = support::one_worker_runtime("srv");
    let (endpoint, store) = server_rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = endpoint_for(listener.local_addr().unwrap());
        let store = Arc::new(Store::new(&ServerConfig::default(), &endpoint).unwrap());
        let counter = served.clone();
        let app = router(store.clone()).layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let counter = counter.clone();
                async move {
                    let response = next.run(request).await;
                    counter.fetch_add(1, Ordering::Relaxed);
                    response
                }
            },
        ));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (endpoint, store)
    });

    let load_rt = support::one_worker_runtime("load");
    let dir = tempfile::tempdir().unwrap();
    let prepared = support::prepare(
        &load_rt,
        &endpoint,
        &scenario_text(iterations_per_s, seconds),
        &dir.path().join("long.yaml"),
    );

    let (rss0, hwm0) = memory_mib();
    println!("{requests} requests at {rate}/s ({iterations_per_s} iterations/s for {seconds} s)");
    println!("before the run: VmRSS {rss0:.1} MiB, VmHWM {hwm0:.1} MiB");
    // "behind": how far the server's count trails the schedule, in seconds; memory held by
    // requests in flight grows with it when the machine cannot keep the rate.
    println!("| requests | elapsed s | behind s | VmRSS MiB | VmHWM MiB |");
    println!("| --- | --- | --- | --- | --- |");
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let served = served.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut next = 100_000;
            while !done.load(Ordering::Relaxed) {
                let n = served.load(Ordering::Relaxed);
                if n >= next {
                    let (rss, hwm) = memory_mib();
                    let elapsed = started.elapsed().as_secs_f64();
                    let behind = elapsed - n as f64 / rate as f64;
                    println!("| {n} | {elapsed:.0} | {behind:.1} | {rss:.1} | {hwm:.1} |");
                    next += 100_000;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let result = support::execute(&load_rt, prepared, dir.path().join("reports"));
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let (rss, hwm) = memory_mib();
    let s = &result.report.summary;
    println!("after the run: VmRSS {rss:.1} MiB, VmHWM {hwm:.1} MiB");
    println!(
        "engine: {} requests ({} ok) in {:.0} s, {:.0} req/s; server answered {}; sign-in records {}",
        s.run.count,
        s.run.ok,
        s.elapsed_s,
        s.run.rps,
        served.load(Ordering::Relaxed),
        store.sign_ins.len()
    );
}
