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
            // Any URL quoted in the error may carry credentials.
            let message = format!("{err:#}");
            eprintln!(
                "error: {}",
                cognito_harness::protocol::redact::redact_urls_in(&message)
            );
            ExitCode::Internal.into()
        }
    }
}
