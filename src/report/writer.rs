//! The one place reports touch the disk: each file is written to a temporary name in the
//! target directory and renamed into place, so a reader (or a crash) never sees half a report.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::RunReport;

/// Errors writing reports.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot create the reports directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("started_at {0:?} is not an RFC 3339 time")]
    BadStartTime(String),
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(err)?;
    file.write_all(bytes).map_err(err)?;
    file.sync_all().map_err(err)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(err)
}

/// Creates `<reports_root>/<scenario>-<YYYYMMDDTHHMMSSZ>/` (with `-shard<I>of<N>` for a shard)
/// and writes the run's reports into it atomically: `summary.json`, `summary.md` and
/// `report.html`. Returns the directory.
pub fn write_run_report(reports_root: &Path, report: &RunReport) -> Result<PathBuf, ReportError> {
    write_run_report_with(reports_root, report, &[])
}

/// [`write_run_report`] plus `extra` files (name, bytes), e.g. a shard's `shard.json`.
pub fn write_run_report_with(
    reports_root: &Path,
    report: &RunReport,
    extra: &[(&str, Vec<u8>)],
) -> Result<PathBuf, ReportError> {
    let started = chrono::DateTime::parse_from_rfc3339(&report.started_at)
        .map_err(|_| ReportError::BadStartTime(report.started_at.clone()))?
        .with_timezone(&chrono::Utc);
    let name = match report.shard {
        Some(shard) => super::shard_dir_name(&report.scenario, started, shard),
        None => super::run_dir_name(&report.scenario, started),
    };
    let dir = create_new_dir(reports_root, &name)?;
    write_report_into(&dir, report, extra)?;
    Ok(dir)
}

/// Creates a directory under `root` that did not exist before: `name`, or `name-2`, `name-3`,
/// ... when another run (of a scenario of the same name, started in the same second, perhaps
/// in another process) took it first. `create_dir` is atomic, so two runs never share one and
/// no report is overwritten.
fn create_new_dir(root: &Path, name: &str) -> Result<PathBuf, ReportError> {
    std::fs::create_dir_all(root).map_err(|source| ReportError::CreateDir {
        path: root.to_owned(),
        source,
    })?;
    let mut n = 1u32;
    loop {
        let dir = if n == 1 {
            root.join(name)
        } else {
            root.join(format!("{name}-{n}"))
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 10_000 => n += 1,
            Err(source) => return Err(ReportError::CreateDir { path: dir, source }),
        }
    }
}

/// Creates `dir` and writes the reports of `report` (and `extra` files) into it atomically.
pub fn write_report_into(
    dir: &Path,
    report: &RunReport,
    extra: &[(&str, Vec<u8>)],
) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_owned(),
        source,
    })?;
    // Render everything first, so a renderer's failure cannot leave a half-written set.
    let files = [
        ("summary.json", super::render_json(report)),
        ("summary.md", super::render_markdown(report)),
        ("report.html", super::render_html(report)),
    ];
    for (name, bytes) in files.iter().chain(extra) {
        write_atomic(&dir.join(name), bytes)?;
    }
    Ok(())
}
