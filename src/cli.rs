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
    /// Run the conformance suite against a target: provisions its own pools and clients, runs
    /// every case, prints a summary per area (failures as expected vs got) and exits 11 when a
    /// `must` case fails.
    Conform(ConformArgs),
    /// Run the reference server: an in-memory Cognito user-pools target with real SRP, password
    /// policies and RS256 tokens. Binds 127.0.0.1 unless --allow-remote is given.
    Serve(ServeArgs),
    /// Run a scenario: validate it, provision its users, send its traffic with live progress,
    /// evaluate its thresholds and write summary.json, summary.md and report.html.
    Run(RunArgs),
    /// Compare a run's summary.json with a baseline's: p50/p95/p99 latency, throughput, error
    /// and throttle rates per step, flow and quota category. Exits 10 when any got worse than
    /// its tolerance, 2 when an input cannot be read.
    Compare(CompareArgs),
    /// Merge the results of a sharded run (`run --shard I/N`) into one report: histograms added
    /// losslessly, counters summed, timelines aligned by wall-clock second, thresholds evaluated
    /// again. Exits like `run`: 10 when a threshold fails, 2 when the inputs are not one
    /// complete set of shards.
    Merge(MergeArgs),
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// A quota that differs from the guide's default, as CATEGORY=RPS (repeatable), e.g.
    /// UserAuthentication=200 for an account with an increase; overrides the scenario's
    /// `quotas:` block.
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
pub struct ConformArgs {
    /// `embedded` (the reference server, started in process) or the endpoint URL of a target
    /// (loopback only unless --allow-remote). Required unless --list is given.
    #[arg(long, required_unless_present = "list")]
    pub target: Option<String>,
    /// Print the suite's areas and cases (id, level, title) and exit; --suite, --area and
    /// --case apply.
    #[arg(long)]
    pub list: bool,
    /// Run only the cases of this area (a folder of the suite); repeatable. An unknown area
    /// is an error that lists the valid ones.
    #[arg(long = "area", value_name = "AREA")]
    pub areas: Vec<String>,
    /// Run only this case; repeatable.
    #[arg(long = "case", value_name = "ID")]
    pub cases: Vec<String>,
    /// Write conformance.json, conformance.junit.xml and conformance.md into this directory
    /// (the same flag name as `run --out` and `merge --out`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where confirmation codes come from: a fixed code the target issues (ministack and
    /// cognito-local: 123456; moto accepts any), or `harness` for the reference server's
    /// `_harness/codes` path. Default: `harness` for `embedded`, none otherwise (cases that
    /// need codes are skipped).
    #[arg(long, value_name = "FIXED|harness")]
    pub code: Option<String>,
    /// Add the cases of this folder (`<area>/*.yaml`, the format of docs/conformance-cases.md)
    /// to the suite built into the binary. A case with the id of a built-in case replaces it;
    /// the others are added to their area.
    #[arg(long, value_name = "DIR")]
    pub suite: Option<PathBuf>,
    /// Treat the target as lacking a capability (its cases are skipped); repeatable.
    #[arg(long, value_name = "CAPABILITY")]
    pub without: Vec<crate::conformance::Capability>,
    /// Tokens' `iss` is `<ISSUER_BASE>/<poolId>`. Default: the `issuer` the target's
    /// `<endpoint>/<poolId>/.well-known/openid-configuration` names for a pool the run
    /// provisions (real Cognito serves it on its API host), else the real service's
    /// `https://cognito-idp.<region>.amazonaws.com` (for `embedded`: its endpoint).
    #[arg(long, value_name = "URL")]
    pub issuer_base: Option<String>,
    /// Base URL of the OAuth domain (`oauth2/token` is appended). Default: the endpoint.
    #[arg(long, value_name = "URL")]
    pub oauth_base: Option<String>,
    /// A label for the target in reports (e.g. "moto 5.2.5").
    #[arg(long)]
    pub label: Option<String>,
    /// An expected-failure record (docs/expected-failures.md): a file, or the name of a
    /// built-in record (moto, ministack, cognito-local, embedded). Exit 11 when the run drifts
    /// from it (a failure not recorded, or a recorded failure that passes), not on recorded
    /// failures.
    #[arg(long, value_name = "FILE|NAME")]
    pub expected: Option<PathBuf>,
    /// Cases run at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Allow a non-loopback target.
    #[arg(long)]
    pub allow_remote: bool,
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
    /// Inject faults into an operation (repeatable), as OP:latency=50ms,error_rate=0.1,
    /// drop_rate=0.05. OP is an operation name, an HTTP path, or * for every request.
    #[arg(long = "fault", value_name = "OP:SETTINGS")]
    pub fault: Vec<String>,
    /// Verify admin (SigV4) calls against these credentials, as ACCESS_KEY_ID:SECRET: a wrong
    /// key, secret, region or clock is refused as AWS refuses it. Also read from the
    /// COGNITO_HARNESS_ADMIN_CREDENTIALS environment variable, so the secret need not be on
    /// the command line. Overrides the config file's `admin_credentials`. Default: none, and
    /// any well-formed AWS4-HMAC-SHA256 signature is accepted.
    #[arg(
        long,
        value_name = "ACCESS_KEY_ID:SECRET",
        env = "COGNITO_HARNESS_ADMIN_CREDENTIALS",
        hide_env_values = true,
        value_parser = sensitive
    )]
    pub admin_credentials: Option<crate::protocol::Sensitive>,
    /// Like --admin-credentials, read from FILE (one line ACCESS_KEY_ID:SECRET).
    #[arg(long, value_name = "FILE")]
    pub admin_credentials_file: Option<PathBuf>,
    /// Serve /_harness/codes (the confirmation codes the server issued) to clients that are
    /// not on loopback too; overrides the config file's `expose_codes`. Default: loopback
    /// clients only.
    #[arg(long)]
    pub expose_codes: bool,
    /// Serve the CloudWatch user-pool metrics (SignUpSuccesses, SignInThrottles, ...) in the
    /// Prometheus text format on http://ADDR/metrics (port 0 picks a free one). Anything but
    /// loopback needs --allow-remote. Default: not served.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Close a connection whose request headers are not complete within DURATION (from the
    /// accept, or from the first byte of a later request); overrides the config file's
    /// `connections.header_read_timeout`. Default 10s.
    #[arg(long, value_name = "DURATION")]
    pub header_timeout: Option<crate::server::PositiveDuration>,
    /// Close a kept-alive connection idle for DURATION between requests; overrides
    /// `connections.idle_timeout`. Default 60s.
    #[arg(long, value_name = "DURATION")]
    pub idle_timeout: Option<crate::server::PositiveDuration>,
    /// Refuse connections beyond N open ones with 503 and `Connection: close`; overrides
    /// `connections.max_connections`. Default 4096, or fewer to fit the open-file limit.
    #[arg(long, value_name = "N")]
    pub max_connections: Option<std::num::NonZeroUsize>,
}

/// A flag value that is a secret: kept out of `Debug` and of clap's error messages.
fn sensitive(value: &str) -> Result<crate::protocol::Sensitive, std::convert::Infallible> {
    Ok(crate::protocol::Sensitive::new(value))
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The baseline run: its summary.json, or its report directory.
    pub baseline: PathBuf,
    /// The run to check: its summary.json, or its report directory.
    pub current: PathBuf,
    /// Output format: md (a pull-request comment), text or json.
    #[arg(long, value_enum, default_value_t = CompareFormat::Md)]
    pub format: CompareFormat,
    /// A YAML or JSON file of tolerances (keys latency, latency_floor, throughput, error_rate,
    /// throttle_rate); flags override it.
    #[arg(long, value_name = "FILE")]
    pub tolerances: Option<PathBuf>,
    /// Allowed latency growth (p50, p95, p99) as a share of the baseline [default: 10%].
    #[arg(long, value_name = "SHARE")]
    pub latency_tolerance: Option<String>,
    /// Latency changes smaller than this are never regressions [default: 1ms].
    #[arg(long, value_name = "DURATION")]
    pub latency_floor: Option<String>,
    /// Allowed throughput drop as a share of the baseline [default: 10%].
    #[arg(long, value_name = "SHARE")]
    pub throughput_tolerance: Option<String>,
    /// Allowed error-rate increase in percentage points [default: 1%].
    #[arg(long, value_name = "SHARE")]
    pub error_rate_tolerance: Option<String>,
    /// Allowed throttle-rate increase in percentage points [default: 1%].
    #[arg(long, value_name = "SHARE")]
    pub throttle_rate_tolerance: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    Md,
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Where the run's report directory (`<scenario>-<timestamp>/`) is created: a local folder,
    /// or s3://bucket/prefix to upload it there (credentials and region from the standard AWS
    /// chain; the bucket is checked before any traffic). `--reports` is the older name of this
    /// flag and still accepted.
    #[arg(
        long,
        alias = "reports",
        value_name = "DIR",
        default_value = "reports/runs"
    )]
    pub out: PathBuf,
    /// No live progress; only the final summary lines and errors.
    #[arg(long)]
    pub quiet: bool,
    /// Run shard I of N (I from 0 to N-1, as JOB_COMPLETION_INDEX): this process sends its
    /// 1/N of the scenario's load with its own part of the users, and also writes shard.json
    /// for `merge`, which judges the thresholds on every shard's data.
    #[arg(long, value_name = "I/N", env = "CH_SHARD")]
    pub shard: Option<String>,
    /// Anchor the whole schedule at this instant (RFC 3339, e.g. 2026-12-07T18:00:00Z): setup
    /// runs first, then the run waits for it, so the shards of one run send together however
    /// far apart their processes started. A shard whose setup finishes late sends its overdue
    /// iterations at once, measured from their intended times, and its report says how late.
    #[arg(long, value_name = "TIME", env = "CH_START_AT")]
    pub start_at: Option<String>,
    /// Do not check answers against the service model's shapes. By default every answer is
    /// checked (required members present, JSON types, enum values, error bodies) and a
    /// mismatch fails its request as `shape:<member>:<problem>`, e.g. `shape:UserSub:missing`.
    #[arg(long)]
    pub no_shape_check: bool,
    /// The account's quota for a category, as CATEGORY=RPS (repeatable), e.g.
    /// UserAuthentication=200; overrides the scenario's `quotas:` block. Reports compare each
    /// category's peak with the quota in force and say where it came from.
    #[arg(long = "quota", value_name = "CATEGORY=RPS")]
    pub quotas: Vec<String>,
    /// Serve the run's live metrics (requests, errors, throttles, latency histograms, VUs,
    /// scheduled and achieved iterations) in the Prometheus text format on
    /// http://ADDR/metrics while it runs (port 0 picks a free one; the address is printed on
    /// stderr). Anything but loopback needs --allow-remote. Default: not served.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Allow --metrics-listen on a non-loopback address (a pod's address, for Prometheus).
    #[arg(long)]
    pub allow_remote: bool,
}

/// What `plan` and `run` may change in a scenario from the command line (the same flags on
/// both, so a plan and its run agree).
#[derive(Debug, Default, clap::Args)]
pub struct OverrideArgs {
    /// A variable for `${env.NAME}` in the scenario, as NAME=VALUE (repeatable; k6's --env).
    /// Without it, `${env.NAME}` reads the environment variable NAME; when neither is set the
    /// scenario does not load.
    #[arg(short = 'e', long = "env", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Every executor schedules new iterations for this long (constant executors: their
    /// `duration`; ramping ones: their stages scaled to it, same shape), e.g. 30s for a quick
    /// rerun.
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Multiply every rate (arrival-rate executors) and VU count (VU executors, rounded, at
    /// least 1) by this factor, e.g. 0.1 for a tenth of the load.
    #[arg(long, value_name = "FACTOR")]
    pub rate_scale: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard report directories (each holding shard.json), shard.json files, directories
    /// whose subdirectories hold them (e.g. one volume every shard wrote into), or
    /// s3://bucket/prefix addresses the shards uploaded to (`run --out s3://...`).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Write summary.json, summary.md and report.html into this directory [default:
    /// reports/runs/<scenario>-<start>-merged].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Merge even when some shards are missing; the report is then marked partial.
    #[arg(long)]
    pub allow_missing: bool,
}
