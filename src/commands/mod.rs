//! One file per subcommand: each turns its options into calls on the library, prints, and
//! returns the exit code. The async runtimes, signal handling and all terminal output live here,
//! not in the cores (`engine/`, `conformance/`, `server/` return values).

mod compare;
mod conform;
mod merge;
mod plan;
mod run;
mod serve;

use crate::cli::{Cli, Command};
use crate::exit::ExitCode;

/// The scenario overrides of `plan` and `run`; the error names the flag.
fn overrides(args: &crate::cli::OverrideArgs) -> Result<crate::scenario::Overrides, String> {
    use crate::scenario::overrides::{parse_duration_override, parse_rate_scale, parse_var};
    let mut overrides = crate::scenario::Overrides::default();
    for text in &args.vars {
        let (name, value) = parse_var(text).map_err(|m| format!("-e: {m}"))?;
        overrides.vars.insert(name, value);
    }
    if let Some(text) = &args.duration {
        overrides.duration =
            Some(parse_duration_override(text).map_err(|m| format!("--duration: {m}"))?);
    }
    if let Some(text) = &args.rate_scale {
        overrides.rate_scale =
            Some(parse_rate_scale(text).map_err(|m| format!("--rate-scale: {m}"))?);
    }
    Ok(overrides)
}

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plan(args) => plan::plan(args),
        Command::Conform(args) => conform::conform(args),
        Command::Run(args) => run::run(args),
        Command::Serve(args) => serve::serve(args),
        Command::Compare(args) => compare::compare(args),
        Command::Merge(args) => merge::merge(args),
    }
}
