#!/usr/bin/env bash
# The whole test suite: installs the peer clients and emulators into git-ignored folders
# (.peers/) and Debian's chromium and prometheus when missing (scripts/install-peers.sh), then runs
# every Rust test with the peer, browser and Prometheus tests required rather than skipped.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-peers.sh
export HARNESS_REQUIRE_PEERS=1
cargo test --workspace --all-targets --locked "$@"
