//! The command line: one clap `Subcommand` enum. Doc comments are the help text; only
//! subcommands that work are listed.

use clap::{Parser, Subcommand};

/// Load-testing and conformance harness for Amazon Cognito user-pools API implementations.
#[derive(Debug, Parser)]
#[command(name = "cognito-harness", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {}
