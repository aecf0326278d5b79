//! `cognito-harness run`: the scenario, the engine on a multi-threaded runtime, Ctrl-C / SIGTERM
//! as an interruption, and the outcome printed.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::watch;

use crate::cli::RunArgs;
use crate::engine::{EngineError, RunOptions, execute, render_outcome};
use crate::exit::ExitCode;

/// `run`: validate (exit 2 with located errors), then hand over to the engine, which writes the
/// reports and picks the exit code (thresholds, unreachable target, interruption).
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let shard = match args.shard.as_deref().map(crate::shard::Shard::parse) {
        None => None,
        Some(Ok(shard)) => Some(shard),
        Some(Err(message)) => {
            eprintln!("error: --shard (or CH_SHARD): {message}");
            return Ok(ExitCode::Config);
        }
    };
    let options = crate::engine::RunOptions {
        reports_root: args.reports,
        quiet: args.quiet,
        shard,
    };
    run_scenario(&args.scenario, &options)
}

/// `cognito-harness run`: validate, run on a fresh multi-threaded runtime, print the outcome.
fn run_scenario(path: &Path, options: &RunOptions) -> anyhow::Result<ExitCode> {
    let loaded = match crate::scenario::load_scenario(path) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            for d in &diagnostics.0 {
                eprintln!("error: {d}");
            }
            return Ok(ExitCode::Config);
        }
    };
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let scenario = Arc::new(loaded.scenario);
    let result = runtime.block_on(async {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            wait_for_signal().await;
            let _ = stop_tx.send(true);
        });
        execute(scenario, options, stop_rx).await
    });
    // The signal task may still wait; do not let it hold the process.
    runtime.shutdown_background();
    match result {
        Ok(result) => {
            print!("{}", render_outcome(&result));
            Ok(result.exit_code())
        }
        Err(EngineError::Config(m)) => {
            eprintln!("error: {m}");
            Ok(ExitCode::Config)
        }
        Err(EngineError::Unreachable(m)) => {
            eprintln!("error: target unreachable: {m}");
            Ok(ExitCode::Unreachable)
        }
        Err(e) => Err(e.into()),
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
