#!/usr/bin/env bash
# Mutation testing of the pure cores with cargo-mutants, one module (shard) at a time, each with
# the tests that exercise it: the unit tests of its crate and the integration tests named below.
#
#   scripts/mutants.sh                 # every module, one after the other
#   scripts/mutants.sh quota shard     # just these
#   scripts/mutants.sh --list          # the modules, their files and tests
#   scripts/mutants.sh --iterate quota # only the mutants the module's last run missed or timed out
#                                      # (and new ones): the check after adding tests
#
# Two kinds of module. Most pure cores live in the small crate crates/core (cognito-harness-core):
# a mutant there rebuilds that crate and its tests only, about ten seconds. The others (summary,
# shard, compare, the metrics' thresholds) are in the main crate, and a mutant rebuilds its 51k lines:
# minutes each, so those runs take hours.
#
# How it builds reliably: cargo-mutants runs --in-place, on this checkout and its usual target
# directory (CARGO_TARGET_DIR if set, else ./target), so the first mutant reuses the build you
# already have instead of building a copy of the tree from scratch. The --cargo-arg selection
# (the test targets) applies to the build as well as to the test run. CARGO_INCREMENTAL=0: with
# incremental state, relinking the integration tests after a mutant of the library failed with
# `rust-lld: error: undefined hidden symbol: ... .llvm.NNN` (seen here on rustc 1.95 when the
# library had just been rebuilt for `--lib`); a non-incremental build of the one crate costs a
# little more per mutant and links every time. One mutant at a time (--in-place allows no more) and `nice -n 10`,
# so a run shares a two-core machine. cargo-mutants restores each file after its mutant; do not
# edit or commit in this checkout while it runs. Results: mutants.out/<module>/ (git-ignored),
# summarised by `scripts/mutants.sh --table`. docs/mutation-testing.md explains the output.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# module | package | files (comma-separated) | test targets (comma-separated; `lib` = the unit tests)
modules=(
  "quota|cognito-harness-core|crates/core/src/quota.rs|lib"
  "thresholds|cognito-harness-core|crates/core/src/scenario/thresholds.rs|lib"
  "duration|cognito-harness-core|crates/core/src/scenario/duration.rs|lib"
  "jwt_claims|cognito-harness-core|crates/core/src/jwt/claims.rs|lib,jwt_verify,jwt_fuzz"
  "jwt_verify|cognito-harness-core|crates/core/src/jwt/verify.rs|lib,jwt_verify,jwt_fuzz,jwt_jwks,jwt_interop"
  "srp_math|cognito-harness-core|crates/core/src/srp/math.rs|lib,srp_vectors,srp_props"
  "totp|cognito-harness-core|crates/core/src/totp.rs|lib"
  "stats|cognito-harness-core|crates/core/src/stats.rs|lib"
  "schedule|cognito-harness-core|crates/core/src/scenario/schedule.rs|lib"
  "pacer|cognito-harness-core|crates/core/src/pacer.rs|lib"
  "metrics_thresholds|cognito-harness|src/metrics/thresholds.rs|lib,scenario_thresholds"
  "summary|cognito-harness|src/metrics/summary.rs,src/metrics/recorder.rs|lib,report_render"
  "shard|cognito-harness|src/shard.rs|lib,shard_merge"
  "compare|cognito-harness|src/report/compare/mod.rs|lib,compare_cli"
)

field() { echo "$1" | cut -d'|' -f"$2"; }

if [[ "${1:-}" == "--list" ]]; then
  for m in "${modules[@]}"; do
    printf '%-18s %-22s files: %s; tests: %s\n' "$(field "$m" 1)" "$(field "$m" 2)" "$(field "$m" 3)" "$(field "$m" 4)"
  done
  exit 0
fi

# The table of the last run of each module: mutants, caught, missed, unviable, timeouts, score
# (caught / (caught + missed), the figure the project's goal is stated in).
table() {
  echo "| module | mutants | caught | missed | unviable | timeouts | score |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for m in "${modules[@]}"; do
    local name out
    name="$(field "$m" 1)"
    out="mutants.out/$name/mutants.out"
    [[ -f "$out/outcomes.json" ]] || continue
    python3 - "$name" "$out/outcomes.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
caught, missed, unviable, timeout = (d.get(k, 0) for k in ("caught", "missed", "unviable", "timeout"))
total = d.get("total_mutants", caught + missed + unviable + timeout)
score = f"{100 * caught / (caught + missed):.0f} %" if caught + missed else "n/a"
print(f"| {name} | {total} | {caught} | {missed} | {unviable} | {timeout} | {score} |")
PY
  done
}

if [[ "${1:-}" == "--table" ]]; then
  table
  exit 0
fi

if ! command -v cargo-mutants >/dev/null 2>&1; then
  echo "installing cargo-mutants into ~/.cargo/bin" >&2
  cargo install --locked cargo-mutants
fi

export CARGO_INCREMENTAL=0
iterate=()
if [[ "${1:-}" == "--iterate" ]]; then
  iterate=(--iterate)
  shift
fi
wanted=("$@")
for m in "${modules[@]}"; do
  name="$(field "$m" 1)"
  if (( ${#wanted[@]} )) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  args=(--in-place --no-shuffle --build-timeout 900
        --output "mutants.out/$name" --package "$(field "$m" 2)" "${iterate[@]}")
  # The main crate's tests take minutes; the core's take seconds, and cargo-mutants' own timeout
  # (five times the unmutated run, at least 20 s) ends a mutant that loops in under a minute.
  [[ "$(field "$m" 2)" == cognito-harness ]] && args+=(--timeout 300)
  IFS=',' read -ra files <<< "$(field "$m" 3)"
  for f in "${files[@]}"; do args+=(--file "$f"); done
  IFS=',' read -ra tests <<< "$(field "$m" 4)"
  for t in "${tests[@]}"; do
    if [[ "$t" == lib ]]; then args+=("--cargo-arg=--lib"); else args+=("--cargo-arg=--test=$t"); fi
  done
  mkdir -p "mutants.out/$name"
  echo "== $name: cargo mutants ${args[*]}" >&2
  # cargo-mutants exits 2 when mutants were missed, 3 on timeouts: record and go on.
  nice -n 10 cargo mutants "${args[@]}" || echo "== $name: cargo-mutants exited $?" >&2
done
table
