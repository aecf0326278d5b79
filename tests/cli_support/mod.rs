//! The `cognito-harness` binary as the command-line tests run it: plain progress lines, and no
//! AWS settings or shard from the machine running the tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

fn clean(cmd: &mut std::process::Command) {
    cmd.env_remove("AWS_PROFILE")
        .env_remove("CH_SHARD")
        .env("NO_COLOR", "1");
}

/// The binary, for `assert_cmd` assertions and `.output()`.
pub fn harness() -> assert_cmd::Command {
    assert_cmd::Command::from_std(harness_process())
}

/// The binary as a plain process, for tests that spawn it and signal it.
pub fn harness_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cognito-harness"));
    clean(&mut cmd);
    cmd
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The summary.json of the one report directory a run wrote under `reports`.
pub fn only_summary(reports: &Path) -> serde_json::Value {
    let dirs: Vec<_> = std::fs::read_dir(reports).unwrap().collect();
    assert_eq!(dirs.len(), 1, "one run, one report directory");
    let dir = dirs.into_iter().next().unwrap().unwrap().path();
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

/// The count at `pointer` in a summary; panics naming the pointer when it is not one.
pub fn count(v: &serde_json::Value, pointer: &str) -> u64 {
    v.pointer(pointer)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or_else(|| panic!("{pointer} is a count in {v}"))
}

/// The RespondToAuthChallenge rounds of `category` in a summary's per-second timeline, summed.
pub fn challenge_responses(summary: &serde_json::Value, category: &str) -> u64 {
    let pointer = format!("/challenge_responses/{category}");
    summary["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter_map(|second| second.pointer(&pointer))
        .filter_map(serde_json::Value::as_u64)
        .sum()
}

/// The rate column of each line of `plan`'s output that starts with `label`.
pub fn plan_rates(text: &str, label: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.trim_start().starts_with(label))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_owned())
        .collect()
}
