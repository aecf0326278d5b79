#!/usr/bin/env bash
# Mutation testing of the pure cores with cargo-mutants, one module (shard) at a time, each with
# the tests that exercise it: the library's unit tests and the integration tests named below.
#
#   scripts/mutants.sh                 # every module, one after the other
#   scripts/mutants.sh quota shard     # just these
#   scripts/mutants.sh --list          # the modules, their files and tests
#
# How it builds reliably: cargo-mutants runs --in-place, on this checkout and its usual target
# directory (CARGO_TARGET_DIR if set, else ./target), so the first mutant reuses the build you
# already have instead of building a copy of the tree from scratch, and every later mutant is
# one incremental rebuild of the library and of the named test binaries only (the --cargo-arg
# selection applies to the build as well as to the test run). CARGO_INCREMENTAL=0: with
# incremental state, relinking the integration tests after a mutant of the library failed with
# `rust-lld: error: undefined hidden symbol: ... .llvm.NNN` (seen here on rustc 1.95 when the
# library had just been rebuilt for `--lib`); a non-incremental build of the one crate costs a
# little more per mutant and links every time. One job (-j 1) and `nice -n 10`,
# so a run shares a two-core machine. cargo-mutants restores each file after its mutant; do not
# edit or commit in this checkout while it runs. Results: mutants.out/<module>/ (git-ignored),
# summarised by `scripts/mutants.sh --table`. docs/mutation-testing.md explains the output.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# module | files (comma-separated) | integration tests (comma-separated; the unit tests always run)
modules=(
  "quota|src/quota.rs|plan_quota_demand,run_quotas"
  "thresholds|src/scenario/thresholds.rs,src/metrics/thresholds.rs|scenario_thresholds"
  "schedule|src/scenario/schedule.rs|scenario_profile,plan_quota_demand"
  "duration|src/scenario/duration.rs|"
  "shard|src/shard.rs|shard_merge"
  "jwt_claims|src/jwt/claims.rs|jwt_verify"
  "jwt_verify|src/jwt/verify.rs|jwt_verify,jwt_interop"
  "srp_math|src/srp/math.rs|srp_vectors,srp_props"
  "pacer|src/engine/pacer.rs|"
  "summary|src/metrics/summary.rs,src/metrics/recorder.rs|report_render"
  "compare|src/report/compare/stats.rs,src/report/compare/mod.rs|compare_cli"
)

field() { echo "$1" | cut -d'|' -f"$2"; }

if [[ "${1:-}" == "--list" ]]; then
  for m in "${modules[@]}"; do
    printf '%-12s files: %s; tests: --lib %s\n' "$(field "$m" 1)" "$(field "$m" 2)" "$(field "$m" 3)"
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
wanted=("$@")
for m in "${modules[@]}"; do
  name="$(field "$m" 1)"
  if (( ${#wanted[@]} )) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  args=(--in-place -j 1 --no-shuffle --timeout 300 --build-timeout 900
        --output "mutants.out/$name" --cargo-arg=--lib)
  IFS=',' read -ra files <<< "$(field "$m" 2)"
  for f in "${files[@]}"; do args+=(--file "$f"); done
  IFS=',' read -ra tests <<< "$(field "$m" 3)"
  for t in "${tests[@]}"; do [[ -n "$t" ]] && args+=("--cargo-arg=--test=$t"); done
  echo "== $name: cargo mutants ${args[*]}" >&2
  # cargo-mutants exits 2 when mutants were missed, 3 on timeouts: record and go on.
  nice -n 10 cargo mutants "${args[@]}" || echo "== $name: cargo-mutants exited $?" >&2
done
table
