//! `cognito-harness plan`: the scenario's demand against the quotas, without sending anything.

use crate::cli::PlanArgs;
use crate::exit::ExitCode;

/// `plan`: load and validate the scenario, compute demand, print it. Configuration errors
/// (the scenario, `--quota`, `--assume-latency`) exit with [`ExitCode::Config`].
pub fn plan(args: PlanArgs) -> anyhow::Result<ExitCode> {
    let mut options = crate::plan::PlanOptions::default();
    for text in &args.quotas {
        match crate::plan::parse_quota_override(text) {
            Ok((category, rps)) => {
                options
                    .quotas
                    .set(category, rps, crate::quota::QuotaSource::Flag);
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
    let flags = &args.overrides;
    let overrides = match crate::scenario::Overrides::from_flags(
        &flags.vars,
        flags.duration.as_deref(),
        flags.rate_scale.as_deref(),
    ) {
        Ok(overrides) => overrides,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::Config);
        }
    };
    let loaded = match crate::scenario::load_scenario_with(&args.scenario, &overrides) {
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
