#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ and runs each for a bounded time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     # default 60 s, every target
#
# Needs a nightly toolchain (`rustup toolchain install nightly`); installs cargo-fuzz from
# crates.io into ~/.cargo/bin when it is missing. Corpora are kept in fuzz/corpus/TARGET and
# crashes in fuzz/artifacts/TARGET (both git-ignored). Prints one line per target: its time,
# executions and whether it crashed; exits 1 when any target crashed.
set -euo pipefail
seconds=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# No sanitizer: the crate denies unsafe code, so what the fuzzer looks for is panics (aborts
# under libFuzzer), unbounded allocation and time-outs, which need no ASan; without it the
# build is a plain release build and runs several times faster.
build=(cargo +nightly fuzz build --sanitizer none)
"${build[@]}"
if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
crashed=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log=$(mktemp)
    started=$(date +%s)
    if cargo +nightly fuzz run --sanitizer none "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=8192 \
        -artifact_prefix="artifacts/$target/" >"$log" 2>&1; then
        result=ok
    else
        result=CRASH
        crashed=1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
    [[ -n $runs ]] || runs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#')
    printf '%-18s %4ss  %10s execs  %s\n' "$target" $(($(date +%s) - started)) "${runs:-?}" "$result"
    if [[ $result == CRASH ]]; then
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
    fi
    rm -f "$log"
done
exit $crashed
