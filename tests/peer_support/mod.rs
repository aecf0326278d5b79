//! Starting the peer emulators for tests: `scripts/start-peer.sh` (127.0.0.1, a free port),
//! stopped by their recorded PID when dropped. Without an installation
//! (`scripts/install-peers.sh`) the tests are skipped, unless HARNESS_REQUIRE_PEERS=1 (as
//! `scripts/test.sh` sets), which makes a missing peer a failure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn peers_dir() -> PathBuf {
    std::env::var_os("COGNITO_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".peers"))
}

pub fn required() -> bool {
    std::env::var("HARNESS_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// Whether every path of an installation exists (node packages, the venv, system binaries).
/// A missing one skips the test (with a line saying which), or fails it under
/// HARNESS_REQUIRE_PEERS=1.
pub fn installed(paths: &[PathBuf]) -> bool {
    let missing: Vec<String> = paths
        .iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !required(),
        "HARNESS_REQUIRE_PEERS=1 but {missing:?} are missing: run scripts/install-peers.sh"
    );
    eprintln!("skipped: {missing:?} missing (scripts/install-peers.sh)");
    false
}

/// A started emulator, stopped on drop.
pub struct Peer {
    /// With a trailing slash.
    pub endpoint: String,
    pid: String,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("scripts/stop-peer.sh"))
            .arg(&self.pid)
            .env("COGNITO_PEERS_DIR", peers_dir())
            .output();
    }
}

/// Starts peer `name`, or `None` (skipped) when the peers are not installed.
pub fn start_peer(name: &str, extra: &[&str]) -> Option<Peer> {
    if !peers_dir().join("install.stamp").exists() {
        assert!(
            !required(),
            "HARNESS_REQUIRE_PEERS=1 but no peers are installed in {}",
            peers_dir().display()
        );
        eprintln!("skipped: peers are not installed (scripts/install-peers.sh)");
        return None;
    }
    let out = Command::new("bash")
        .arg(repo().join("scripts/start-peer.sh"))
        .arg(name)
        .args(extra)
        .env("COGNITO_PEERS_DIR", peers_dir())
        .output()
        .expect("run start-peer.sh");
    assert!(
        out.status.success(),
        "start-peer.sh {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no {key} in {line:?}"))
    };
    Some(Peer {
        endpoint: format!("{}/", field("ENDPOINT").trim_end_matches('/')),
        pid: field("PID"),
    })
}
