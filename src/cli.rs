//! The command line: one clap `Subcommand` enum. Doc comments are the help text; only
//! subcommands that work are listed.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Load-testing and conformance harness for Amazon Cognito user-pools API implementations.
#[derive(Debug, Parser)]
#[command(name = "cognito-harness", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what a scenario would ask of a user pool, per quota category, without sending
    /// traffic: peak and average requests per second, quota, utilisation, and where the peak
    /// would be throttled.
    Plan(PlanArgs),
    /// Run the reference server: an in-memory Cognito user-pools target with real SRP, password
    /// policies and RS256 tokens. Binds 127.0.0.1 unless --allow-remote is given.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    /// A quota that differs from the guide's default, as CATEGORY=RPS (repeatable), e.g.
    /// UserAuthentication=200 for an account with an increase.
    #[arg(long = "quota", value_name = "CATEGORY=RPS")]
    pub quotas: Vec<String>,
    /// Latency assumed per request: sets the iteration rate of VU executors (constant-vus,
    /// ramping-vus) and when each step's requests follow the iteration start.
    #[arg(long, value_name = "DURATION", default_value = "100ms")]
    pub assume_latency: String,
    /// Print the plan as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Exit with code 10 when a quota would be exceeded (by default that is information and
    /// the exit code is 0).
    #[arg(long)]
    pub fail_on_throttle: bool,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// TCP port (0 picks a free one).
    #[arg(long, default_value_t = 9229)]
    pub port: u16,
    /// Address to bind. Anything but loopback needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Allow binding a non-loopback address (the server accepts any credentials by default).
    #[arg(long)]
    pub allow_remote: bool,
    /// Pools, app clients and users to create at start-up (YAML).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Region of generated pool ids (overrides the config file's `region`).
    #[arg(long)]
    pub region: Option<String>,
    /// Enforce Cognito's request-rate quotas (`on`) or not (`off`); overrides the config
    /// file. Default off, or on when a --quota is given.
    #[arg(long, value_name = "on|off", value_parser = ["on", "off"])]
    pub quotas: Option<String>,
    /// A quota rate differing from the guide's default, as CATEGORY=RPS (repeatable).
    #[arg(long = "quota", value_name = "CATEGORY=RPS")]
    pub quota: Vec<String>,
}
