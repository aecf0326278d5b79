//! The `conform` subcommand: the built-in suite (with `--suite` cases added) narrowed to
//! `--area` / `--case`, `--list`, command-line options to a [`TargetSpec`], the run, the terminal
//! summary, the report files and the exit code (11 when a `must` case fails, or with
//! `--expected` when the run drifts from the record).

use crate::protocol::redact::redact_urls_in;
use std::collections::BTreeSet;
use std::path::Path;

use crate::cli::ConformArgs;
use crate::conformance::builtin::{
    areas, builtin_expected, builtin_expected_names, builtin_path, load_cases,
};
use crate::conformance::case::{Capability, Case};
use crate::conformance::exec::run_suite;
use crate::conformance::expected::{
    ExpectedFailures, compare_to_expected, load_expected, parse_expected,
};
use crate::conformance::report::{render_json, render_junit, render_markdown, render_terminal};
use crate::conformance::target::{CodeSource, RunError, RunOptions, TargetSpec};
use crate::exit::ExitCode;
use crate::report::write_atomic;

/// Runs `conform`.
pub fn conform(args: ConformArgs) -> anyhow::Result<ExitCode> {
    let (selected, total) = match select_cases(&args) {
        Ok(found) => found,
        Err(code) => return Ok(code),
    };
    if args.list {
        print!("{}", render_list(&selected));
        return Ok(ExitCode::Ok);
    }
    let Some(target) = args.target.clone() else {
        eprintln!("error: --target is required (or --list)");
        return Ok(ExitCode::Config);
    };
    let full_suite = selected.len() == total;
    let expected = match &args.expected {
        Some(path) => match read_expected(path) {
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
        if target == "embedded" {
            let server = crate::server::start(crate::server::ServerConfig::default())
                .await
                .map_err(|e| anyhow::anyhow!("cannot start the reference server: {e}"))?;
            let spec = embedded_spec(&args, server.endpoint());
            let report = run_suite(selected, &spec, &options).await;
            server.shutdown().await;
            Ok::<_, anyhow::Error>(report)
        } else {
            Ok(run_suite(selected, &url_spec(&args, target), &options).await)
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

/// The built-in suite with the `--suite` folder's cases, narrowed to `--area` and `--case`, and
/// the size of the whole suite; on an error, what to exit with (the error is printed).
fn select_cases(args: &ConformArgs) -> Result<(Vec<Case>, usize), ExitCode> {
    let cases = match load_cases(args.suite.as_deref()) {
        Ok(cases) => cases,
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("error: {d}");
            }
            return Err(ExitCode::Config);
        }
    };
    let known = areas(&cases);
    let unknown: Vec<&String> = args.areas.iter().filter(|a| !known.contains(a)).collect();
    if !unknown.is_empty() {
        let names: Vec<String> = unknown.iter().map(|a| format!("`{a}`")).collect();
        eprintln!(
            "error: --area: no area {} in the suite; the areas are: {}",
            names.join(", "),
            known.join(", ")
        );
        return Err(ExitCode::Config);
    }
    let total = cases.len();
    let selected: Vec<_> = cases
        .into_iter()
        .filter(|c| args.areas.is_empty() || args.areas.contains(&c.area))
        .filter(|c| args.cases.is_empty() || args.cases.contains(&c.id))
        .collect();
    if selected.is_empty() {
        eprintln!(
            "error: no case of the {total} in the suite matches --area / --case \
             (`conform --list` prints them)"
        );
        return Err(ExitCode::Config);
    }
    Ok((selected, total))
}

/// `--list`: each area with its number of cases, then one line per case: id, level, title.
pub fn render_list(cases: &[Case]) -> String {
    let width = cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for area in areas(cases) {
        let in_area: Vec<&Case> = cases.iter().filter(|c| c.area == area).collect();
        let plural = if in_area.len() == 1 { "" } else { "s" };
        out.push_str(&format!("{area} ({} case{plural})\n", in_area.len()));
        for case in in_area {
            out.push_str(&format!(
                "  {:width$}  {:6}  {}\n",
                case.id,
                case.level.as_str(),
                case.title
            ));
        }
    }
    out
}

/// `--expected`: a file when one exists at that path, else a built-in record of that name.
fn read_expected(path: &Path) -> Result<ExpectedFailures, String> {
    if path.exists() {
        return load_expected(path);
    }
    let name = path.to_string_lossy();
    match builtin_expected(&name) {
        Some(file) => parse_expected(file.source, &builtin_path(file)).map_err(|d| d.to_string()),
        None => Err(format!(
            "{name}: no such file, nor a built-in expected-failure record (those are: {})",
            builtin_expected_names().join(", ")
        )),
    }
}

/// The spec of a URL target from the options.
fn url_spec(args: &ConformArgs, target: String) -> TargetSpec {
    let mut spec = TargetSpec::url(target);
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
