#!/usr/bin/env bash
# Instruction-count gate for the hot paths (SRP client step, SRP server step, JWT verification,
# token signing). Wall-clock time on a shared CI runner varies by tens of percent; the number of
# instructions executed does not, so this is what CI compares.
#
# Each path runs N times under `valgrind --tool=callgrind`, counting only inside the example's
# `hot_loop` function (--toggle-collect), so start-up and set-up are left out; the count divided
# by N is the cost of one iteration. The counts are
# compared with benches/baseline/instructions.json and the gate fails when one grew by more
# than the tolerance (default 5 %).
#
# Usage: scripts/bench-gate.sh [--update] [--tolerance PERCENT] [--iterations N] [OP...]
#   --update        measure and rewrite the baseline instead of comparing
#   --tolerance P   allowed growth in percent (default: the baseline's tolerance_percent, or 5)
#   --iterations N  iterations per measured run (default 5)
#   OP...           a subset of: srp_client_step srp_server_step jwt_verify jwt_sign
# Exit codes: 0 within tolerance (or baseline updated), 1 a regression, 2 cannot measure
# (valgrind missing, build failure, no baseline entry).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
baseline="benches/baseline/instructions.json"
all_ops=(srp_client_step srp_server_step jwt_verify jwt_sign)
update=0
tolerance=""
iterations=5
ops=()
while [ $# -gt 0 ]; do
  case "$1" in
    --update) update=1 ;;
    --tolerance) tolerance="${2:?--tolerance needs a percentage}"; shift ;;
    --iterations) iterations="${2:?--iterations needs a number}"; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    srp_client_step|srp_server_step|jwt_verify|jwt_sign) ops+=("$1") ;;
    *) echo "bench-gate: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#ops[@]} -gt 0 ] || ops=("${all_ops[@]}")
case "$iterations" in ''|*[!0-9]*|0) echo "bench-gate: --iterations must be a positive integer" >&2; exit 2 ;; esac

if ! command -v valgrind >/dev/null 2>&1; then
  echo "bench-gate: valgrind is not installed, so instruction counts cannot be measured." >&2
  echo "bench-gate: install it (Debian/Ubuntu: apt-get install valgrind) and rerun." >&2
  exit 2
fi

# The value of "key": number in the baseline file (written by --update, one key per line).
baseline_value() {
  [ -f "$baseline" ] || return 0
  sed -n "s/^ *\"$1\": *\([0-9.]*\),\{0,1\} *$/\1/p" "$baseline" | head -n 1
}

if [ -z "$tolerance" ]; then
  tolerance="$(baseline_value tolerance_percent)"
  tolerance="${tolerance:-5}"
fi

echo "bench-gate: building the hotpaths example (release)" >&2
cargo build --release --locked --example hotpaths >&2 || { echo "bench-gate: build failed" >&2; exit 2; }
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/hotpaths"
[ -x "$bin" ] || { echo "bench-gate: $bin not found after the build" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Total instructions (Ir) of one run of `hotpaths OP N` under callgrind. The SRP paths count
# the portable Montgomery code: valgrind emulates no AVX-512, and pinning the backend keeps the
# counts comparable if a later valgrind does (the IFMA path is timed by `cargo bench --bench srp`).
export CH_SRP_BACKEND=portable
instructions() {
  local out="$work/$1-$2.callgrind"
  if ! valgrind --tool=callgrind --callgrind-out-file="$out" --dump-instr=no \
      --collect-atstart=no '--toggle-collect=*hot_loop*' \
      "$bin" "$1" "$2" >"$work/log" 2>&1; then
    echo "bench-gate: valgrind run of '$1 $2' failed:" >&2
    tail -n 20 "$work/log" >&2
    exit 2
  fi
  sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out" | head -n 1
}

declare -A measured
for op in "${ops[@]}"; do
  total="$(instructions "$op" "$iterations")"
  if [ -z "$total" ] || [ "$total" -lt "$iterations" ]; then
    echo "bench-gate: callgrind counted nothing inside hot_loop for $op (symbol renamed?)" >&2
    exit 2
  fi
  measured[$op]=$(( total / iterations ))
  printf 'bench-gate: %-16s %14d instructions per iteration\n' "$op" "${measured[$op]}" >&2
done

if [ "$update" = 1 ]; then
  vg="$(valgrind --version)"
  {
    echo "{"
    echo "  \"measured_with\": \"$vg --tool=callgrind --toggle-collect=*hot_loop*, release build, $iterations iterations\","
    echo "  \"tolerance_percent\": $tolerance,"
    echo "  \"instructions_per_iteration\": {"
    n=${#all_ops[@]}; i=0
    for op in "${all_ops[@]}"; do
      i=$((i + 1))
      value="${measured[$op]:-$(baseline_value "$op")}"
      [ -n "$value" ] || { echo "bench-gate: no measurement or baseline for $op" >&2; exit 2; }
      sep=","; [ "$i" = "$n" ] && sep=""
      echo "    \"$op\": $value$sep"
    done
    echo "  }"
    echo "}"
  } >"$work/baseline.json"
  mkdir -p "$(dirname "$baseline")"
  mv "$work/baseline.json" "$baseline"
  echo "bench-gate: wrote $baseline" >&2
  exit 0
fi

status=0
printf '%-16s %14s %14s %9s  %s\n' "path" "baseline" "measured" "change" "verdict"
for op in "${ops[@]}"; do
  base="$(baseline_value "$op")"
  if [ -z "$base" ]; then
    echo "bench-gate: $baseline has no entry for $op (run with --update)" >&2
    exit 2
  fi
  now="${measured[$op]}"
  # awk: the tolerance may be fractional.
  verdict="$(awk -v b="$base" -v m="$now" -v t="$tolerance" 'BEGIN {
    c = (m - b) * 100 / b
    v = (c > t) ? "REGRESSED" : ((c < -t) ? "improved (run --update to lock it in)" : "ok")
    printf "%+.2f%% %s", c, v }')"
  printf '%-16s %14d %14d %9s  %s\n' "$op" "$base" "$now" "${verdict%% *}" "${verdict#* }"
  case "$verdict" in *REGRESSED*) status=1 ;; esac
done
if [ "$status" != 0 ]; then
  echo "bench-gate: instruction count grew by more than ${tolerance}% (see above)" >&2
else
  echo "bench-gate: every path within ${tolerance}% of the baseline" >&2
fi
exit "$status"
