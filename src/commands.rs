//! Subcommand dispatch: each subcommand turns its options into calls on the library and
//! returns the exit code. I/O and the async runtime live here, not in the cores.

use crate::cli::{Cli, Command, CompareArgs, MergeArgs, PlanArgs, RunArgs, ServeArgs};
use crate::exit::ExitCode;

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plan(args) => plan(args),
        Command::Conform(args) => crate::conformance::command::conform(args),
        Command::Run(args) => run(args),
        Command::Serve(args) => serve(args),
        Command::Compare(args) => compare(args),
        Command::Merge(args) => merge(args),
    }
}

/// `plan`: load and validate the scenario, compute demand, print it. Configuration errors
/// (the scenario, `--quota`, `--assume-latency`) exit with [`ExitCode::Config`].
fn plan(args: PlanArgs) -> anyhow::Result<ExitCode> {
    let mut options = crate::plan::PlanOptions::default();
    for text in &args.quotas {
        match crate::plan::parse_quota_override(text) {
            Ok((category, rps)) => {
                options.quotas.insert(category, rps);
            }
            Err(message) => {
                eprintln!("error: --quota: {message}");
                return Ok(ExitCode::Config);
            }
        }
    }
    match crate::scenario::duration::parse_duration(&args.assume_latency) {
        Ok(latency) if !latency.is_zero() => options.assumed_latency = latency,
        Ok(_) => {
            eprintln!("error: --assume-latency: must be longer than 0s");
            return Ok(ExitCode::Config);
        }
        Err(e) => {
            eprintln!("error: --assume-latency: {e}");
            return Ok(ExitCode::Config);
        }
    }
    let loaded = match crate::scenario::load_scenario(&args.scenario) {
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
    let plan = crate::plan::plan(&loaded.scenario, &options);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print!("{}", crate::plan::render_text(&plan));
    }
    Ok(if args.fail_on_throttle && plan.would_throttle {
        ExitCode::ThresholdsFailed
    } else {
        ExitCode::Ok
    })
}

/// `run`: validate (exit 2 with located errors), then hand over to the engine, which writes the
/// reports and picks the exit code (thresholds, unreachable target, interruption).
fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
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
    crate::engine::run_cli(&args.scenario, &options)
}

/// `serve`: the reference server until Ctrl-C / SIGTERM. Prints the endpoint and the seeded
/// pools. A bad config file or a refused bind exits with [`ExitCode::Config`].
fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    use crate::server::{ServerConfig, endpoint_for, load_config_file};
    if !args.bind.is_loopback() && !args.allow_remote {
        eprintln!(
            "error: --bind {}: not a loopback address; pass --allow-remote to serve it",
            args.bind
        );
        return Ok(ExitCode::Config);
    }
    let mut config = ServerConfig {
        bind: std::net::SocketAddr::new(args.bind, args.port),
        ..Default::default()
    };
    if let Some(path) = &args.config {
        match load_config_file(path) {
            Ok(file) => {
                if let Some(region) = file.region {
                    config.region = region;
                }
                config.pools = file.pools;
                if let Some(quotas) = file.quotas {
                    config.quotas = quotas;
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::Config);
            }
        }
    }
    if let Some(region) = args.region {
        config.region = region;
    }
    for spec in &args.quota {
        match crate::server::parse_quota_spec(spec) {
            Ok((category, rps)) => {
                config.quotas.overrides.insert(category, rps);
                config.quotas.enabled = true;
            }
            Err(e) => {
                eprintln!("error: --quota: {e}");
                return Ok(ExitCode::Config);
            }
        }
    }
    if let Some(switch) = &args.quotas {
        config.quotas.enabled = switch == "on";
    }
    for spec in &args.fault {
        match crate::server::parse_fault_spec(spec) {
            Ok(rule) => config.faults.rules.push(rule),
            Err(e) => {
                eprintln!("error: --fault {e}");
                return Ok(ExitCode::Config);
            }
        }
    }
    for pool in &mut config.pools {
        pool.id
            .get_or_insert_with(|| crate::server::new_pool_id(&config.region));
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(config.bind).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot bind {}: {e}", config.bind);
                return Ok(ExitCode::Config);
            }
        };
        let addr = listener.local_addr()?;
        let endpoint = endpoint_for(addr);
        for pool in &config.pools {
            let id = pool.id.as_deref().unwrap_or_default();
            println!("pool {} {id}", pool.name);
        }
        println!(
            "SRP arithmetic on the {} backend",
            crate::srp::Backend::active().name()
        );
        println!("cognito-harness reference server listening on {endpoint}");
        let shutdown = async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                        .ok();
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
                }
            }
            #[cfg(not(unix))]
            {
                let _ = ctrl_c.await;
            }
        };
        match crate::server::run(listener, config, shutdown).await {
            Ok(()) => Ok(ExitCode::Ok),
            Err(crate::server::ServerError::Seed { pool, message }) => {
                eprintln!("error: config: pool {pool:?}: {message}");
                Ok(ExitCode::Config)
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// `compare`: read both summaries and the tolerances, print the comparison. Unreadable inputs
/// and bad tolerances exit with [`ExitCode::Config`], a regression with
/// [`ExitCode::ThresholdsFailed`].
fn compare(args: CompareArgs) -> anyhow::Result<ExitCode> {
    use crate::report::compare::{self, Tolerances};
    let mut tolerances = Tolerances::default();
    if let Some(path) = &args.tolerances {
        match tolerances.with_file(path) {
            Ok(t) => tolerances = t,
            Err(e) => {
                eprintln!("error: --tolerances {e}");
                return Ok(ExitCode::Config);
            }
        }
    }
    let shares = [
        (
            "--latency-tolerance",
            &args.latency_tolerance,
            &mut tolerances.latency,
        ),
        (
            "--throughput-tolerance",
            &args.throughput_tolerance,
            &mut tolerances.throughput,
        ),
        (
            "--error-rate-tolerance",
            &args.error_rate_tolerance,
            &mut tolerances.error_rate,
        ),
        (
            "--throttle-rate-tolerance",
            &args.throttle_rate_tolerance,
            &mut tolerances.throttle_rate,
        ),
    ];
    for (flag, text, into) in shares {
        if let Some(text) = text {
            match compare::parse_share(text) {
                Ok(v) => *into = v,
                Err(message) => {
                    eprintln!("error: {flag}: {message}");
                    return Ok(ExitCode::Config);
                }
            }
        }
    }
    if let Some(text) = &args.latency_floor {
        match compare::parse_floor_us(text) {
            Ok(v) => tolerances.latency_floor_us = v,
            Err(message) => {
                eprintln!("error: --latency-floor: {message}");
                return Ok(ExitCode::Config);
            }
        }
    }
    let mut reports = Vec::new();
    for path in [&args.baseline, &args.current] {
        match compare::load_report(path) {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::Config);
            }
        }
    }
    let comparison = compare::compare(
        &args.baseline.display().to_string(),
        &reports[0],
        &args.current.display().to_string(),
        &reports[1],
        &tolerances,
    );
    let text = match args.format {
        crate::cli::CompareFormat::Md => compare::render_markdown(&comparison),
        crate::cli::CompareFormat::Text => compare::render_text(&comparison),
        crate::cli::CompareFormat::Json => compare::render_json(&comparison),
    };
    print!("{text}");
    Ok(if comparison.regressed() {
        ExitCode::ThresholdsFailed
    } else {
        ExitCode::Ok
    })
}

/// `merge`: read the shards' `shard.json`, check they are one complete set, merge and write the
/// reports. Unreadable or inconsistent inputs exit with [`ExitCode::Config`]; the merged
/// report's thresholds pick the exit code as `run`'s do.
fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let results = match crate::shard::find_results(&args.dirs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::Config);
        }
    };
    let merged = match crate::shard::merge(&results, args.allow_missing) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::Config);
        }
    };
    if !merged.missing.is_empty() {
        let missing: Vec<String> = merged.missing.iter().map(u32::to_string).collect();
        eprintln!(
            "warning: shards {} are missing: the merged report is partial",
            missing.join(", ")
        );
    }
    let report = merged.report;
    let dir = match args.out {
        Some(dir) => dir,
        None => {
            let started = chrono::DateTime::parse_from_rfc3339(&report.started_at)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_else(|_| chrono::Utc::now());
            std::path::Path::new("reports/runs").join(format!(
                "{}-merged",
                crate::report::run_dir_name(&report.scenario, started)
            ))
        }
    };
    crate::report::write_report_into(&dir, &report, &[])?;
    let result = crate::engine::RunResult {
        report,
        dir,
        cleanup_failures: 0,
    };
    println!(
        "merged {} shards of {}",
        merged.shards.len(),
        result.report.scenario
    );
    print!("{}", crate::engine::run::render_outcome(&result));
    Ok(result.exit_code())
}
