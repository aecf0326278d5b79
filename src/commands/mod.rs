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
