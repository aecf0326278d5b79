//! Subcommand dispatch: each subcommand turns its options into calls on the library and
//! returns the exit code. I/O and the async runtime live here, not in the cores.

use crate::cli::{Cli, Command};
use crate::exit::ExitCode;

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {}
}
