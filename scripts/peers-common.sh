# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Shared helpers for the peer scripts (install-peers.sh, start-peer.sh, stop-peer.sh).
# Sourced, never run. Sets REPO_ROOT, PEERS_DIR, PEERS_SRC and the logging helpers.

# The repository root is found from this file's own path, so every script works from any cwd.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Everything installed or written at run time lives here (git-ignored). Override with
# COGNITO_PEERS_DIR to share one installation between work trees.
PEERS_DIR="${COGNITO_PEERS_DIR:-$REPO_ROOT/.peers}"
# The committed pins and client scripts.
PEERS_SRC="$REPO_ROOT/peers"

# Progress goes to stderr so stdout stays machine-readable.
say() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() {
  printf '[%s] error: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

# Print a script's leading comment block (its usage text), without the "# " prefixes.
print_header() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$1"; }

# The Python interpreter used to create the venv: PYTHON, else python3.
host_python() {
  local py="${PYTHON:-python3}"
  command -v "$py" >/dev/null 2>&1 || die "$py not found: install Python 3.10+ or set PYTHON"
  printf '%s\n' "$py"
}
