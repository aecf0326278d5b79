//! Subcommand dispatch: each subcommand turns its options into calls on the library and
//! returns the exit code. I/O and the async runtime live here, not in the cores.

use crate::cli::{Cli, Command, CompareArgs, PlanArgs};
use crate::exit::ExitCode;

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plan(args) => plan(args),
        Command::Compare(args) => compare(args),
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
