//! `cognito-harness merge`: the shards of one sharded run into one report.

use crate::cli::MergeArgs;
use crate::exit::ExitCode;

/// `merge`: read the shards' `shard.json`, check they are one complete set, merge and write the
/// reports. Unreadable or inconsistent inputs exit with [`ExitCode::Config`]; the merged
/// report's thresholds pick the exit code as `run`'s do.
pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    // `s3://bucket/prefix` arguments: their shard results are downloaded into a local folder.
    let staging =
        std::env::temp_dir().join(format!("cognito-harness-merge-{}", std::process::id()));
    let dirs = match fetch_s3(&args.dirs, &staging) {
        Ok(dirs) => dirs,
        Err(message) => {
            let _ = std::fs::remove_dir_all(&staging);
            eprintln!("error: {message}");
            return Ok(ExitCode::Config);
        }
    };
    let code = merge_dirs(&dirs, &args);
    let _ = std::fs::remove_dir_all(&staging);
    code
}

/// The arguments with each `s3://` address replaced by the local folder its shard results were
/// downloaded into.
fn fetch_s3(
    args: &[std::path::PathBuf],
    staging: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, String> {
    use crate::report::s3::{self, S3Url};
    let mut out = Vec::with_capacity(args.len());
    let mut runtime = None;
    for (n, arg) in args.iter().enumerate() {
        let url = match arg.to_str().and_then(S3Url::parse) {
            None => {
                out.push(arg.clone());
                continue;
            }
            Some(url) => url?,
        };
        if runtime.is_none() {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let client = rt.block_on(s3::client());
            runtime = Some((rt, client));
        }
        let Some((rt, client)) = &runtime else {
            continue;
        };
        let into = staging.join(n.to_string());
        let found = rt
            .block_on(s3::download_shards(client, &url, &into))
            .map_err(|e| e.to_string())?;
        if found == 0 {
            return Err(format!(
                "{url}: no {} under it (did the shards run with --out {url}?)",
                crate::shard::SHARD_FILE
            ));
        }
        out.push(into);
    }
    Ok(out)
}

fn merge_dirs(dirs: &[std::path::PathBuf], args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let results = match crate::shard::find_results(dirs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::Config);
        }
    };
    let merged = match crate::shard::merge(&results, args.allow_missing) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::Config);
        }
    };
    if !merged.missing.is_empty() {
        let missing: Vec<String> = merged.missing.iter().map(u32::to_string).collect();
        eprintln!(
            "warning: shards {} are missing: the merged report is partial",
            missing.join(", ")
        );
    }
    for (shard, late_ms) in crate::shard::late_shards(&results) {
        eprintln!(
            "warning: shard {shard} began traffic {:.1} s after the common start (its setup was \
             not done in time): its overdue iterations were sent at once",
            late_ms as f64 / 1000.0
        );
    }
    let report = merged.report;
    let dir = match args.out.clone() {
        Some(dir) => dir,
        None => {
            let started = chrono::DateTime::parse_from_rfc3339(&report.started_at)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_else(|_| chrono::Utc::now());
            std::path::Path::new("reports/runs").join(format!(
                "{}-merged",
                crate::report::run_dir_name(&report.scenario, started)
            ))
        }
    };
    crate::report::write_report_into(&dir, &report, &[])?;
    let result = crate::engine::RunResult {
        report,
        dir,
        cleanup_failures: 0,
    };
    println!(
        "merged {} shards of {}",
        merged.shards.len(),
        result.report.scenario
    );
    // Steps in the scenario's order when its file is still where the shards ran it from.
    let order = crate::scenario::load_scenario(std::path::Path::new(&result.report.scenario_path))
        .map(|loaded| loaded.scenario.step_order())
        .unwrap_or_default();
    print!(
        "{}",
        crate::report::render_terminal(&result.report, &result.dir, &order)
    );
    Ok(result.exit_code())
}
