//! `cognito-harness run`: the scenario, the engine on a multi-threaded runtime, Ctrl-C / SIGTERM
//! as an interruption, and the outcome printed.

use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::cli::RunArgs;
use crate::engine::progress::{PLAIN_INTERVAL, TTY_INTERVAL};
use crate::engine::{EngineError, LiveMetrics, RunOptions, RunSink, execute_with};
use crate::exit::ExitCode;
use crate::protocol::redact::redact_urls_in;
use crate::report::s3::{self, S3Url};

/// `run`: validate (exit 2 with located errors), then hand over to the engine, which writes the
/// reports and picks the exit code (thresholds, unreachable target, interruption).
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let shard = match args.shard.as_deref().map(crate::shard::Shard::parse) {
        None => None,
        Some(Ok(shard)) => Some(shard),
        Some(Err(message)) => {
            eprintln!("error: --shard (or CH_SHARD): {message}");
            return Ok(ExitCode::Config);
        }
    };
    let start_at = match args
        .start_at
        .as_deref()
        .map(crate::engine::start::parse_start_at)
    {
        None => None,
        Some(Ok(at)) => Some(at),
        Some(Err(message)) => {
            eprintln!("error: --start-at (or CH_START_AT): {message}");
            return Ok(ExitCode::Config);
        }
    };
    let mut quotas = crate::quota::Quotas::default();
    for text in &args.quotas {
        match crate::quota::parse_quota_override(text) {
            Ok((category, rps)) => quotas.set(category, rps, crate::quota::QuotaSource::Flag),
            Err(message) => {
                eprintln!("error: --quota: {message}");
                return Ok(ExitCode::Config);
            }
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
    // `--out s3://bucket/prefix`: the reports are written into a local staging folder, then
    // uploaded (see `report::s3`).
    let s3 = match args.out.to_str().and_then(S3Url::parse) {
        None => None,
        Some(Ok(url)) => Some(url),
        Some(Err(message)) => {
            eprintln!("error: --out: {message}");
            return Ok(ExitCode::Config);
        }
    };
    let reports_root = match &s3 {
        Some(_) => std::env::temp_dir().join(format!("cognito-harness-{}", std::process::id())),
        None => args.out,
    };
    let options = crate::engine::RunOptions {
        reports_root,
        quiet: args.quiet,
        shard,
        quotas,
        start_at,
        check_shapes: !args.no_shape_check,
    };
    let metrics = args.metrics_listen.map(|addr| (addr, args.allow_remote));
    run_scenario(&args.scenario, &overrides, &options, metrics, s3)
}

/// `--metrics-listen`: the address and whether a non-loopback one is allowed.
type MetricsListen = Option<(std::net::SocketAddr, bool)>;

/// `cognito-harness run`: validate, run on a fresh multi-threaded runtime, print the outcome.
fn run_scenario(
    path: &Path,
    overrides: &crate::scenario::Overrides,
    options: &RunOptions,
    metrics: MetricsListen,
    s3: Option<S3Url>,
) -> anyhow::Result<ExitCode> {
    let loaded = match crate::scenario::load_scenario_with(path, overrides) {
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // The bucket is checked before any traffic: a run whose reports cannot be stored is not run.
    let s3 = match s3 {
        None => None,
        Some(url) => {
            let client = runtime.block_on(s3::client());
            if let Err(e) = runtime.block_on(s3::check_bucket(&client, &url)) {
                eprintln!("error: --out: cannot write reports to {url}: {e}");
                return Ok(ExitCode::Config);
            }
            Some((client, url))
        }
    };
    let scenario = Arc::new(loaded.scenario);
    let order = scenario.step_order();
    let terminal = Arc::new(Terminal::new());
    if let Some((addr, allow_remote)) = metrics {
        let bound = runtime.block_on(super::metrics_listen::bind(addr, allow_remote));
        let listener = match bound {
            Ok(listener) => listener,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::Config);
            }
        };
        eprintln!("metrics on http://{}/metrics", listener.local_addr()?);
        let live = terminal.live.clone();
        let _guard = runtime.enter();
        super::metrics_listen::spawn(
            listener,
            Arc::new(move || live.get().map(LiveMetrics::encode).unwrap_or_default()),
        );
    }
    let result = runtime.block_on(async {
        let (stop_tx, stop_rx) = watch::channel(false);
        // Registered before the first phase starts, so no signal finds the default action.
        let mut signals = Signals::register();
        tokio::spawn(async move {
            signals.next().await;
            let _ = stop_tx.send(true);
            // A second signal while the engine winds down ends the process at once.
            signals.next().await;
            eprintln!("interrupted again: exiting without waiting for the report");
            std::process::exit(ExitCode::Interrupted as i32);
        });
        execute_with(scenario, options, stop_rx, terminal).await
    });
    let result = match (result, s3) {
        (Ok(mut result), Some((client, url))) => {
            match runtime.block_on(s3::upload_dir(&client, &url, &result.dir)) {
                Ok(address) => {
                    let _ = std::fs::remove_dir_all(&options.reports_root);
                    result.dir = std::path::PathBuf::from(address);
                }
                Err(e) => {
                    eprintln!(
                        "error: the reports could not be uploaded ({e}); they are kept in {}",
                        result.dir.display()
                    );
                    runtime.shutdown_background();
                    return Ok(ExitCode::Config);
                }
            }
            Ok(result)
        }
        (result, _) => result,
    };
    // The signal task may still wait; do not let it hold the process.
    runtime.shutdown_background();
    match result {
        Ok(result) => {
            print!(
                "{}",
                crate::report::render_terminal(&result.report, &result.dir, &order)
            );
            Ok(result.exit_code())
        }
        Err(EngineError::Config(m)) => {
            eprintln!("error: {}", redact_urls_in(&m));
            Ok(ExitCode::Config)
        }
        Err(EngineError::Unreachable(m)) => {
            eprintln!("error: target unreachable: {}", redact_urls_in(&m));
            Ok(ExitCode::Unreachable)
        }
        Err(EngineError::Interrupted(phase)) => {
            eprintln!("interrupted {phase}: no traffic was sent, so no report was written");
            Ok(ExitCode::Interrupted)
        }
        Err(e) => Err(e.into()),
    }
}

/// SIGINT and SIGTERM, with their handlers installed when this is made (on the runtime), so
/// a signal that arrives before the first `next` is kept rather than lost or fatal.
struct Signals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn register() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Signals {}
        }
    }

    /// The next SIGINT or SIGTERM (Ctrl-C elsewhere).
    async fn next(&mut self) {
        #[cfg(unix)]
        {
            async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = recv(&mut self.interrupt) => {}
                () = recv(&mut self.terminate) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The engine's notices and live progress on stderr: an indicatif spinner redrawn every second
/// on a terminal (drawn from the start of the traffic); one plain line per flow every few
/// seconds when stderr is not a TTY (CI logs, pipes).
struct Terminal {
    tty: bool,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
    /// The run's live metrics once traffic is about to start (`--metrics-listen` reads them).
    live: Arc<std::sync::OnceLock<LiveMetrics>>,
}

impl Terminal {
    fn new() -> Self {
        Terminal {
            tty: std::io::stderr().is_terminal(),
            bar: std::sync::OnceLock::new(),
            live: Arc::new(std::sync::OnceLock::new()),
        }
    }
}

impl RunSink for Terminal {
    fn live(&self, metrics: LiveMetrics) {
        let _ = self.live.set(metrics);
    }

    fn interval(&self) -> Duration {
        if self.tty {
            TTY_INTERVAL
        } else {
            PLAIN_INTERVAL
        }
    }

    fn start(&self) {
        if self.tty {
            self.bar.get_or_init(|| {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    // `msg`, not `wide_msg`: the flow lines are already cut to the width
                    // (`Terminal::width`), and a padded multi-line message would wrap.
                    indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar
            });
        }
    }

    fn notice(&self, line: &str) {
        eprintln!("{line}");
    }

    /// On a terminal, its columns less one (a line that fills the last column wraps on some
    /// terminals); otherwise none, and plain lines stay whole.
    fn width(&self) -> Option<usize> {
        if !self.tty {
            return None;
        }
        console::Term::stderr()
            .size_checked()
            .map(|(_, columns)| usize::from(columns).saturating_sub(1))
    }

    fn progress(&self, head: &str, lines: &[String]) {
        match self.bar.get() {
            Some(bar) => {
                bar.set_message(format!("{head}\n{}", lines.join("\n")));
                bar.tick();
            }
            None => {
                for line in lines {
                    eprintln!("[{head}] {line}");
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
