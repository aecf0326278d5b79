//! The `conform` subcommand: command-line options to a [`TargetSpec`], the run, the terminal
//! summary, the report files and the exit code (11 when a `must` case fails, or with
//! `--expected` when the run drifts from the record).

use crate::protocol::redact::redact_urls_in;
use std::collections::BTreeSet;

use crate::cli::ConformArgs;
use crate::conformance::case::Capability;
use crate::conformance::exec::run_suite;
use crate::conformance::expected::{compare_to_expected, load_expected};
use crate::conformance::report::{render_json, render_junit, render_markdown, render_terminal};
use crate::conformance::target::{CodeSource, RunError, RunOptions, TargetSpec};
use crate::exit::ExitCode;
use crate::report::write_atomic;

/// Runs `conform`.
pub fn conform(args: ConformArgs) -> anyhow::Result<ExitCode> {
    let cases = match crate::conformance::case::load_suite(&args.suite) {
        Ok(cases) => cases,
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("error: {d}");
            }
            return Ok(ExitCode::Config);
        }
    };
    let total = cases.len();
    let selected: Vec<_> = cases
        .into_iter()
        .filter(|c| args.areas.is_empty() || args.areas.contains(&c.area))
        .filter(|c| args.cases.is_empty() || args.cases.contains(&c.id))
        .collect();
    if selected.is_empty() {
        eprintln!("error: no case of the {total} in the suite matches --area / --case");
        return Ok(ExitCode::Config);
    }
    let full_suite = selected.len() == total;
    let expected = match &args.expected {
        Some(path) => match load_expected(path) {
            Ok(e) => Some(e),
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(ExitCode::Config);
            }
        },
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let options = RunOptions {
        concurrency: args.concurrency,
    };
    let report = runtime.block_on(async {
        if args.target == "embedded" {
            let server = crate::server::start(crate::server::ServerConfig::default())
                .await
                .map_err(|e| anyhow::anyhow!("cannot start the reference server: {e}"))?;
            let spec = embedded_spec(&args, server.endpoint());
            let report = run_suite(selected, &spec, &options).await;
            server.shutdown().await;
            Ok::<_, anyhow::Error>(report)
        } else {
            Ok(run_suite(selected, &url_spec(&args), &options).await)
        }
    });
    let report = match report {
        Ok(Ok(report)) => report,
        Ok(Err(RunError::Unreachable(detail))) => {
            eprintln!(
                "error: the target did not answer: {}",
                redact_urls_in(&detail)
            );
            return Ok(ExitCode::Unreachable);
        }
        Ok(Err(RunError::Config(e))) => {
            eprintln!("error: {}", redact_urls_in(&e.to_string()));
            return Ok(ExitCode::Config);
        }
        Ok(Err(e)) => return Err(e.into()),
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::Config);
        }
    };
    print!("{}", render_terminal(&report));
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)?;
        write_atomic(&dir.join("conformance.json"), &render_json(&report))?;
        write_atomic(
            &dir.join("conformance.junit.xml"),
            render_junit(&report).as_bytes(),
        )?;
        write_atomic(
            &dir.join("conformance.md"),
            render_markdown(&report).as_bytes(),
        )?;
        println!("reports written to {}", dir.display());
    }
    if let Some(expected) = expected {
        let drift = compare_to_expected(&report, &expected, full_suite);
        if drift.is_empty() {
            println!(
                "results match the expected-failure record ({}: {} recorded failures)",
                expected.target,
                expected.failures.len()
            );
            return Ok(ExitCode::Ok);
        }
        println!(
            "drift from the expected-failure record of {}:",
            expected.target
        );
        println!("{}", drift.describe());
        return Ok(ExitCode::ConformanceFailed);
    }
    Ok(if report.must_failed() {
        ExitCode::ConformanceFailed
    } else {
        ExitCode::Ok
    })
}

/// The spec of a URL target from the options.
fn url_spec(args: &ConformArgs) -> TargetSpec {
    let mut spec = TargetSpec::url(args.target.clone());
    spec.label = args.label.clone();
    spec.issuer_base = args.issuer_base.clone();
    spec.oauth_base = args.oauth_base.clone();
    spec.allow_remote = args.allow_remote;
    spec = spec.with_codes(code_source(args.code.as_deref(), CodeSource::Unavailable));
    remove(&mut spec.capabilities, &args.without);
    spec
}

/// The spec of the in-process reference server: its endpoint is also its OAuth domain and
/// its issuer base, and its codes are read from `_harness/codes`.
pub fn embedded_spec(args: &ConformArgs, endpoint: &str) -> TargetSpec {
    let mut spec = TargetSpec::url(endpoint.to_owned());
    spec.label = Some(
        args.label
            .clone()
            .unwrap_or_else(|| format!("reference server {}", env!("CARGO_PKG_VERSION"))),
    );
    spec.issuer_base = Some(
        args.issuer_base
            .clone()
            .unwrap_or_else(|| endpoint.trim_end_matches('/').to_owned()),
    );
    spec.oauth_base = args.oauth_base.clone();
    spec = spec.with_codes(code_source(args.code.as_deref(), CodeSource::Harness));
    remove(&mut spec.capabilities, &args.without);
    spec
}

fn code_source(flag: Option<&str>, default: CodeSource) -> CodeSource {
    match flag {
        None => default,
        Some("harness") => CodeSource::Harness,
        Some(code) => CodeSource::Fixed(code.to_owned()),
    }
}

fn remove(capabilities: &mut BTreeSet<Capability>, without: &[Capability]) {
    for c in without {
        capabilities.remove(c);
    }
}
