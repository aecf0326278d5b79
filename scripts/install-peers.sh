#!/usr/bin/env bash
# Install the pinned peer emulators and clients into .peers/ (git-ignored):
#   .peers/venv   Python: moto[server], ministack, boto3, pycognito, PyJWT[crypto], cryptography,
#                 pytest, pytest-timeout, pyotp (pins: peers/requirements.txt)
#   .peers/moto-tests  moto's own cognito-idp tests (tests/test_cognitoidp/, with the tests/
#                 package files and pyproject.toml they need), taken from the sdist of the pinned
#                 moto on PyPI (URL and SHA-256 pinned below; a mismatch fails the install; the
#                 checked sdist is kept in .peers/cache). Run by tests/moto_aws_verified.rs
#                 against `serve`.
#   .peers/node   npm: cognito-local, amazon-cognito-identity-js, aws-amplify (v6),
#                 @aws-sdk/client-cognito-identity-provider, and for the browser test playwright-core
#                 and esbuild (pins: peers/package.json + package-lock.json)
#   chromium      Debian's package (system-wide, /usr/bin/chromium), driven headless by
#                 playwright-core in tests/browser_clients.rs; installed with
#                 `apt-get install -y --no-install-recommends chromium` only when missing (through
#                 sudo when not root). Playwright's own browser downloads are never used.
#   prometheus    Debian's package (system-wide, /usr/bin/prometheus), started on loopback with a
#                 temporary storage directory by tests/metrics_prometheus.rs to scrape `run` and
#                 `serve` (--metrics-listen); installed like chromium, only when missing. The
#                 package's own service is not used.
#
# Idempotent: a stamp (.peers/install.stamp) holds a hash of the pin files, this script and the
# interpreter versions; when it matches, the script checks the installed tree and exits in well
# under a second. Any change to a pin rebuilds that side from scratch.
#
# Usage: scripts/install-peers.sh [--force] [--relock]
#   --force   reinstall even when the stamp matches
#   --relock  re-resolve the direct pins (peers/requirements.txt "direct" block and
#             peers/package.json), rewrite the transitive pins and package-lock.json, then install
set -euo pipefail
# shellcheck source=SCRIPTDIR/peers-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peers-common.sh"

force=0
relock=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --relock) relock=1 force=1 ;;
    -h | --help)
      print_header "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

REQS="$PEERS_SRC/requirements.txt"
PKG_JSON="$PEERS_SRC/package.json"
PKG_LOCK="$PEERS_SRC/package-lock.json"
VENV="$PEERS_DIR/venv"
MOTO_TESTS="$PEERS_DIR/moto-tests"
# The sdist of the moto pinned in requirements.txt, from PyPI's files host; the SHA-256 is the one
# PyPI's simple index publishes for this file (https://pypi.org/simple/moto/).
MOTO_SDIST_VERSION=5.2.5
MOTO_SDIST_URL=https://files.pythonhosted.org/packages/cb/a4/8d60630be6ff222421d281796d4dfd67d2eae66b47525735e57c9e275a27/moto-5.2.5.tar.gz
MOTO_SDIST_SHA256=391857257d5dac144334013c2c10e599def5f0562f553e979160140bd7bd9cf6
NODE_DIR="$PEERS_DIR/node"
STAMP="$PEERS_DIR/install.stamp"

for f in "$REQS" "$PKG_JSON" "$PKG_LOCK"; do
  [[ -f "$f" ]] || die "missing pin file $f"
done
grep -qx "moto\[server\]==$MOTO_SDIST_VERSION" "$REQS" ||
  die "MOTO_SDIST_VERSION ($MOTO_SDIST_VERSION) in ${BASH_SOURCE[0]} is not the moto pinned in $REQS"

# --- toolchain checks -------------------------------------------------------------------------
PY="$(host_python)"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  die "$PY is $("$PY" -V 2>&1); moto and ministack need Python >= 3.10"
command -v node >/dev/null 2>&1 || die "node not found: install Node.js >= 20"
command -v npm >/dev/null 2>&1 || die "npm not found: install npm"
command -v curl >/dev/null 2>&1 || die "curl not found: install curl (it fetches moto's test files)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) || die "node is $(node --version); @aws-sdk/client-cognito-identity-provider needs >= 20"
py_version="$("$PY" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

# --- Debian packages: chromium, prometheus -----------------------------------------------------
# Checked first and on every run: a present command costs one `command -v`.
install_debian_package() {
  local package="$1"
  command -v "$package" >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "$package not found and no apt-get: install it so that '$package' is on PATH"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "$package not found: run as root or install sudo"
    sudo=(sudo)
  fi
  say "installing Debian's $package (apt-get install --no-install-recommends)"
  "${sudo[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "$package" >&2
  command -v "$package" >/dev/null 2>&1 || die "$package still not on PATH after apt-get install"
}
install_debian_package chromium
install_debian_package prometheus

# --- relock (maintainers only) ----------------------------------------------------------------
relock_python() {
  local tmp direct
  tmp="$(mktemp -d)"
  # The direct block is the lines between the "direct" and "transitive" markers.
  direct="$(sed -n '/^# --- direct ---$/,/^# --- transitive/p' "$REQS" | grep -v '^#' | grep -v '^$')"
  say "relock: resolving direct Python pins in a scratch venv"
  "$PY" -m venv "$tmp/venv"
  # shellcheck disable=SC2086 # one requirement per word, on purpose
  "$tmp/venv/bin/pip" install --disable-pip-version-check --no-input -q --only-binary=:all: $direct
  {
    sed -n '1,/^# --- transitive/p' "$REQS"
    "$tmp/venv/bin/pip" freeze --disable-pip-version-check |
      grep -viE "^($(printf '%s\n' "$direct" | sed -E 's/[^A-Za-z0-9_.-].*//' | paste -sd'|'))=="
  } >"$tmp/requirements.txt"
  mv "$tmp/requirements.txt" "$REQS"
  rm -rf "$tmp"
  say "relock: rewrote $REQS"
}
relock_node() {
  say "relock: re-resolving $PKG_LOCK"
  (cd "$PEERS_SRC" && rm -f package-lock.json &&
    npm install --package-lock-only --ignore-scripts --no-audit --no-fund >&2)
}
if ((relock)); then
  relock_python
  relock_node
fi

# --- stamp --------------------------------------------------------------------------------------
stamp_of() {
  {
    printf 'python %s\nnode %s\n' "$py_version" "$node_major"
    cat "$REQS" "$PKG_JSON" "$PKG_LOCK" "${BASH_SOURCE[0]}"
  } | sha256sum | cut -d' ' -f1
}
want="$(stamp_of)"

installed_ok() {
  [[ -x "$VENV/bin/python" ]] &&
    [[ -x "$VENV/bin/moto_server" && -x "$VENV/bin/ministack" && -x "$VENV/bin/pytest" ]] &&
    [[ -f "$MOTO_TESTS/tests/test_cognitoidp/test_cognitoidp.py" ]] &&
    [[ -f "$NODE_DIR/node_modules/cognito-local/lib/bin/start.js" ]] &&
    [[ -d "$NODE_DIR/node_modules/amazon-cognito-identity-js" ]] &&
    [[ -d "$NODE_DIR/node_modules/@aws-sdk/client-cognito-identity-provider" ]] &&
    [[ -d "$NODE_DIR/node_modules/aws-amplify" ]] &&
    [[ -d "$NODE_DIR/node_modules/playwright-core" ]] &&
    [[ -d "$NODE_DIR/node_modules/esbuild" ]]
}

if ((!force)) && [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$want" ]] && installed_ok; then
  say "peers up to date in $PEERS_DIR (stamp ${want:0:12})"
  exit 0
fi

mkdir -p "$PEERS_DIR"
rm -f "$STAMP"
started=$SECONDS

# --- Python side ------------------------------------------------------------------------------
# A venv is not relocatable and pip never removes packages dropped from the pins, so the venv is
# rebuilt from scratch whenever the stamp does not match. Wheels only: every pin has one for
# CPython 3.10+ on Linux x86_64/aarch64, and nothing gets compiled on a CI machine.
say "creating Python venv $VENV with $PY ($py_version)"
rm -rf "$VENV"
"$PY" -m venv "$VENV"
say "installing Python pins from ${REQS#"$REPO_ROOT"/} ($(grep -cE '^[A-Za-z]' "$REQS") packages)"
"$VENV/bin/pip" install --disable-pip-version-check --no-input --progress-bar off -q \
  --only-binary=:all: \
  -r "$REQS"
"$VENV/bin/pip" check --disable-pip-version-check >&2 || die "pip check found broken requirements"

# --- npm side ---------------------------------------------------------------------------------
# npm ci needs package.json and the lock side by side; copy both so node_modules lands in
# .peers/node and the source tree stays clean. Install scripts are not needed by any of the
# packages (aws-sdk v2's only prints a maintenance notice; esbuild's only checks the binary that
# npm already placed in @esbuild/<platform>), so none run.
say "installing npm pins from ${PKG_LOCK#"$REPO_ROOT"/} into $NODE_DIR"
rm -rf "$NODE_DIR"
mkdir -p "$NODE_DIR"
cp "$PKG_JSON" "$PKG_LOCK" "$NODE_DIR/"
(cd "$NODE_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)

# --- moto's cognito-idp tests ------------------------------------------------------------------
# Only the files the tests import are extracted: the tests/ package (tests/__init__.py holds
# allow_aws_request, tests/conftest.py the shared fixtures), tests/test_cognitoidp/, and
# pyproject.toml, which makes the folder pytest's rootdir and registers the aws_verified marker.
fetch_moto_tests() {
  local top="moto-$MOTO_SDIST_VERSION" cache="$PEERS_DIR/cache" sdist got
  sdist="$cache/moto-$MOTO_SDIST_VERSION.tar.gz"
  mkdir -p "$cache"
  # A copy kept from an earlier install is used only if its hash still matches.
  if [[ ! -f "$sdist" ]] || [[ "$(sha256sum "$sdist" | cut -d' ' -f1)" != "$MOTO_SDIST_SHA256" ]]; then
    say "fetching moto $MOTO_SDIST_VERSION's test files from $MOTO_SDIST_URL"
    rm -f "$sdist" "$sdist.part"
    curl -fsSL --retry 3 --max-time 300 -o "$sdist.part" "$MOTO_SDIST_URL" ||
      die "could not download $MOTO_SDIST_URL"
    got="$(sha256sum "$sdist.part" | cut -d' ' -f1)"
    if [[ "$got" != "$MOTO_SDIST_SHA256" ]]; then
      rm -f "$sdist.part"
      die "SHA-256 mismatch for $MOTO_SDIST_URL: expected $MOTO_SDIST_SHA256, got $got (not extracted)"
    fi
    mv "$sdist.part" "$sdist"
  fi
  rm -rf "$MOTO_TESTS"
  mkdir -p "$MOTO_TESTS"
  tar -xzf "$sdist" -C "$MOTO_TESTS" --strip-components=1 \
    "$top/pyproject.toml" "$top/tests/__init__.py" "$top/tests/conftest.py" \
    "$top/tests/test_cognitoidp"
}
fetch_moto_tests

# --- verify -----------------------------------------------------------------------------------
say "verifying imports"
"$VENV/bin/python" - <<'EOF' >&2
import importlib.metadata as md
import boto3, botocore, cryptography, jwt, ministack, moto, pycognito  # noqa: F401
import pyotp, pytest, pytest_timeout  # noqa: F401
from pycognito.aws_srp import AWSSRP  # noqa: F401
for name in ("moto", "ministack", "boto3", "botocore", "pycognito", "PyJWT", "cryptography",
             "pytest", "pytest-timeout", "pyotp"):
    print(f"  {name} {md.version(name)}")
EOF
(cd "$NODE_DIR" && node -e '
  const need = ["cognito-local", "amazon-cognito-identity-js", "@aws-sdk/client-cognito-identity-provider",
                "aws-amplify", "playwright-core", "esbuild"];
  for (const name of need) {
    require(name === "cognito-local" ? "cognito-local/package.json" : name);
    console.error("  " + name + " " + require(name + "/package.json").version);
  }
  require("esbuild").transformSync("let a = 1");
') || die "npm packages do not load"

installed_ok || die "installation incomplete"
printf '%s\n' "$want" >"$STAMP"
say "peers installed in $((SECONDS - started)) s (stamp ${want:0:12})"
