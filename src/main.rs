//! `cognito-harness`: parse the command line, run the subcommand, print `error: {:#}` and exit
//! with a documented code (see `exit.rs` and the README's "Exit codes").

use clap::Parser;
use cognito_harness::cli::Cli;
use cognito_harness::exit::ExitCode;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cognito_harness::commands::dispatch(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::Internal.into()
        }
    }
}
