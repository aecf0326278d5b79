//! `cognito-harness compare`: two runs' reports side by side, with tolerances.

use crate::cli::CompareArgs;
use crate::exit::ExitCode;

/// `compare`: read both summaries and the tolerances, print the comparison. Unreadable inputs
/// and bad tolerances exit with [`ExitCode::Config`], a regression with
/// [`ExitCode::ThresholdsFailed`].
pub fn compare(args: CompareArgs) -> anyhow::Result<ExitCode> {
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
