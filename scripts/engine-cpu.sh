#!/usr/bin/env bash
# CPU per request of the load engine beside oha's, measured side by side in one run
# (docs/benchmarks.md, "The engine beside oha").
#
#   scripts/engine-cpu.sh [--rates "2000 10000"] [--duration 15] [--no-oha] [--replay] [--bin PATH]
#   scripts/engine-cpu.sh --sweep [--rates "100 1000 ..."] [--duration 15] [--replay]
#   scripts/engine-cpu.sh --soak REQUESTS [--rates 10000] [--replay]
#   scripts/engine-cpu.sh --perf [--rates 10000] [--replay]
#   scripts/engine-cpu.sh --callgrind [--replay] [--bin PATH]
#
# `serve` runs pinned to CPU 0 with a pool, an app client and 20 users declared by --config;
# each generator runs pinned to CPU 1, one after the other, at the same request rate, sending
# GetUser with a valid access token:
#   - cognito-harness `run`: constant-arrival-rate iterations of one USER_PASSWORD_AUTH sign-in
#     plus 19 get_user (rate / 20 iterations per second), every answer decoded and checked;
#   - oha (when installed, or installed here on demand: `cargo install --locked oha` into the
#     git-ignored .tools/oha): `-q RATE -z DURATION`, the same GetUser request, one worker
#     thread (the runtime size the harness picks on its one CPU).
# Each generator's CPU time is the user + system time of its process (getrusage of the child),
# divided by the requests it sent; the achieved rate is requests / duration. Release builds;
# the build and the oha install run under `nice -n 10`.
#
# --replay puts examples/replay_endpoint.rs in front of `serve`, also on CPU 0: it answers each
# request with the bytes `serve` answered to the same request (method, path, X-Amz-Target,
# body), asking `serve` only the first time, so both generators get real answers at rates one
# core of `serve` cannot take (about 5 000 GetUser/s on the development machine).
#
# --sweep runs the harness alone at each rate (default "100 500 1000 2000 5000 10000 20000") and
# prints the target beside the achieved rate as the run report counts it (`summary.run.rps`:
# requests sent, not-sent step executions left out, over the scheduled duration).
#
# --soak REQUESTS runs the harness alone at the (first) rate for REQUESTS / rate seconds and
# prints its resident memory (VmRSS, sampled every second from /proc) at each tenth of the run.
#
# --perf runs the harness alone at the (first) rate under `perf record` (sampling its CPU time)
# and prints the functions with the most samples of their own, and the share of each library
# (ENGINE_CPU_PERF_ARGS adds options to `perf record`, e.g. -g; ENGINE_CPU_KEEP=DIR keeps
# perf.data).
#
# --callgrind counts instructions instead (repeatable on a loaded machine): the harness runs the
# same scenario under `valgrind --tool=callgrind` at 200 requests/s, once for 4 s and once for
# 12 s, and the difference of the two totals divided by the difference of their requests is the
# instruction count of one request, with start-up, set-up and report writing left out.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rates="2000 10000"
duration=15
use_oha=1
callgrind=0
replay=0
sweep=0
soak=0
perf=0
bin=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rates) rates="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --no-oha) use_oha=0; shift ;;
        --bin) bin="$2"; shift 2 ;;
        --callgrind) callgrind=1; use_oha=0; shift ;;
        --replay) replay=1; shift ;;
        --sweep) sweep=1; use_oha=0; shift ;;
        --soak) soak="$2"; use_oha=0; shift 2 ;;
        --perf) perf=1; use_oha=0; shift ;;
        -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
        *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [[ $sweep == 1 && $rates == "2000 10000" ]]; then rates="100 500 1000 2000 5000 10000 20000"; fi
if [[ $soak != 0 || $perf == 1 ]]; then
    rates=${rates%% *}
    [[ $rates == "2000" ]] && rates=10000
    if [[ $soak != 0 ]]; then duration=$(python3 -c "import math; print(math.ceil($soak / $rates))"); fi
fi
for tool in taskset curl jq python3; do
    command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 2; }
done
if [[ $(nproc --all) -lt 2 ]]; then
    echo "error: needs two CPUs (serve on CPU 0, the generator on CPU 1)" >&2
    exit 2
fi

if [[ -z "$bin" ]]; then
    (cd "$root" && nice -n 10 cargo build --release --quiet --bin cognito-harness)
    bin="${CARGO_TARGET_DIR:-$root/target}/release/cognito-harness"
fi
replay_bin=""
if [[ $replay == 1 ]]; then
    (cd "$root" && nice -n 10 cargo build --release --quiet --example replay_endpoint)
    replay_bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/replay_endpoint"
fi
oha=""
if [[ $use_oha == 1 ]]; then
    oha_root="$root/.tools/oha"
    if command -v oha >/dev/null; then
        oha=$(command -v oha)
    elif [[ -x "$oha_root/bin/oha" ]]; then
        oha="$oha_root/bin/oha"
    else
        echo "installing oha into $oha_root (once)" >&2
        nice -n 10 cargo install --locked --quiet oha --root "$oha_root" >&2
        oha="$oha_root/bin/oha"
    fi
fi

work=$(mktemp -d)
serve_pid=""
replay_pid=""
cleanup() {
    if [[ -n "$replay_pid" ]]; then kill "$replay_pid" 2>/dev/null || true; wait "$replay_pid" 2>/dev/null || true; fi
    if [[ -n "$serve_pid" ]]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
umask 077

pool=us-east-1_EngineCpu
client=enginecpu0123456789abcdef
password='Bench-Pa55word!'
{
    echo "pools:"
    echo "  - name: bench"
    echo "    id: $pool"
    echo "    clients:"
    echo "      - name: app"
    echo "        id: $client"
    echo "        explicit_auth_flows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]"
    echo "    users:"
    for n in $(seq 1 20); do
        echo "      - { username: bench-$n, password: \"$password\", status: CONFIRMED }"
    done
} > "$work/pools.yaml"
{
    echo "username,password"
    for n in $(seq 1 20); do echo "bench-$n,$password"; done
} > "$work/users.csv"

# The endpoint a server started in the background prints in LOG ("listening on URL"), without
# the trailing slash; exits with the log when none appears within 10 s.
listening_endpoint() {
    local log="$1" what="$2" url=""
    for _ in $(seq 1 100); do
        url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -n1)
        [[ -n "$url" ]] && break
        sleep 0.1
    done
    if [[ -z "$url" ]]; then
        echo "error: $what did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    echo "${url%/}"
}

taskset -c 0 "$bin" serve --port 0 --config "$work/pools.yaml" > "$work/serve.log" 2>&1 &
serve_pid=$!
endpoint=$(listening_endpoint "$work/serve.log" serve)
serve_endpoint=$endpoint
if [[ -n "$replay_bin" ]]; then
    taskset -c 0 "$replay_bin" --upstream "$serve_endpoint" > "$work/replay.log" 2>&1 &
    replay_pid=$!
    endpoint=$(listening_endpoint "$work/replay.log" "the replay endpoint")
fi

{
    echo "target:"
    echo "  endpoint: $endpoint"
    echo "  region: us-east-1"
    echo "  user_pool_id: $pool"
    echo "  client_id: $client"
    echo "setup: { csv: users.csv }"
    echo "flows:"
    echo "  reads:"
    echo "    load:"
    echo "      executor: constant-arrival-rate"
    echo "      rate: 1  # iterations/s, times --rate-scale"
    echo "      duration: ${duration}s"
    echo "      pre_allocated_vus: 50"
    echo "      max_vus: 2000"
    echo "    steps:"
    echo "      - password_sign_in"
    for _ in $(seq 1 19); do echo "      - get_user"; done
} > "$work/scenario.yaml"

# The GetUser body oha sends: an access token from a USER_PASSWORD_AUTH sign-in (kept in a
# file, not on a command line).
curl -sf "$endpoint/" \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' \
    -d "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"$client\",\"AuthParameters\":{\"USERNAME\":\"bench-1\",\"PASSWORD\":\"$password\"}}" \
    | jq -c '{AccessToken: .AuthenticationResult.AccessToken}' > "$work/get-user.json"

# Runs a command and writes its user and system CPU seconds, wall seconds and peak RSS (getrusage
# of the child) to $1 as JSON, with its VmRSS sampled every second (`rss_kib`: [seconds, KiB]).
cpu_of() {
    local out=$1
    shift
    python3 -c '
import json, resource, subprocess, sys, time
t = time.monotonic()
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
samples = []
while True:
    try:
        rc = child.wait(timeout=1.0)
        break
    except subprocess.TimeoutExpired:
        pass
    try:
        with open(f"/proc/{child.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    samples.append([round(time.monotonic() - t, 1), int(line.split()[1])])
    except OSError:
        pass
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
json.dump({"rc": rc, "cpu": ru.ru_utime + ru.ru_stime, "wall": wall, "maxrss_kib": ru.ru_maxrss,
           "rss_kib": samples}, open(sys.argv[1], "w"))
' "$out" "$@"
}

if [[ $callgrind == 1 ]]; then
    command -v valgrind >/dev/null || { echo "error: valgrind is needed for --callgrind" >&2; exit 2; }
    declare -A ir requests
    for seconds in 4 12; do
        taskset -c 1 valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*multi_thread::worker::Context::run' --callgrind-out-file="$work/cg-$seconds.out" \
            "$bin" run "$work/scenario.yaml" --quiet --out "$work/cg-reports-$seconds" \
            --duration "${seconds}s" --rate-scale 10 >/dev/null 2>"$work/cg-$seconds.log"
        ir[$seconds]=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$work/cg-$seconds.out" | head -n1)
        summary=$(ls -d "$work/cg-reports-$seconds"/*/summary.json | head -n1)
        requests[$seconds]=$(jq '.summary.run.count' "$summary")
        echo "${seconds}s at 200 req/s: ${requests[$seconds]} requests, ${ir[$seconds]} instructions"
        # ENGINE_CPU_KEEP=DIR keeps the callgrind files, for callgrind_annotate.
        if [[ -n "${ENGINE_CPU_KEEP:-}" ]]; then cp "$work/cg-$seconds.out" "$ENGINE_CPU_KEEP/"; fi
    done
    python3 -c "import sys; a, b, c, d = map(int, sys.argv[1:]); print(f'instructions per request: {(b - a) / (d - c):,.0f}')" \
        "${ir[4]}" "${ir[12]}" "${requests[4]}" "${requests[12]}"
    exit 0
fi

# Runs the harness at $1 requests/s into reports-$1 (CPU and memory in harness-$1.json) and
# sets h_summary to its summary.json.
harness_at() {
    local rate=$1 iterations
    iterations=$(python3 -c "print(repr($rate / 20))")
    cpu_of "$work/harness-$rate.json" taskset -c 1 "$bin" run "$work/scenario.yaml" --quiet \
        --out "$work/reports-$rate" --rate-scale "$iterations"
    h_summary=$(ls -d "$work/reports-$rate"/*/summary.json | head -n1)
}

where="serve"
[[ -n "$replay_pid" ]] && where="serve behind the replay endpoint"
if [[ $sweep == 1 ]]; then
    echo "$where: CPU 0 ($endpoint); the harness: CPU 1; ${duration}s per rate"
    echo "$(nproc --all) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '| %s | %s | %s | %s | %s | %s |\n' "target req/s" "requests sent" \
        "achieved req/s (summary.run.rps)" "deviation" "not ok" "harness µs/req"
    printf '| --- | --- | --- | --- | --- | --- |\n'
    for rate in $rates; do
        harness_at "$rate"
        jq -r --arg rate "$rate" --slurpfile cpu "$work/harness-$rate.json" '
            .summary.run as $r
            | ([$r.not_sent[]?] | add // 0) as $not_sent
            | ($r.count - $not_sent) as $sent
            | "| \($rate) | \($sent) | \($r.rps * 10 | round / 10) | \((($r.rps / ($rate | tonumber) - 1) * 10000 | round) / 100) % | \($r.count - $r.ok) | \(($cpu[0].cpu / $r.count * 1e7 | round) / 10) |"
        ' "$h_summary"
    done
    exit 0
fi
if [[ $perf == 1 ]]; then
    command -v perf >/dev/null || { echo "error: perf is needed for --perf" >&2; exit 2; }
    echo "$where: CPU 0 ($endpoint); the harness under perf: CPU 1; $rates req/s for ${duration}s"
    echo "$(nproc --all) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    iterations=$(python3 -c "print(repr($rates / 20))")
    taskset -c 1 perf record -q -F 1999 -o "$work/perf.data" -- "$bin" run "$work/scenario.yaml" \
        --quiet --out "$work/perf-reports" --rate-scale "$iterations" >/dev/null 2>"$work/perf.log"
    jq -r '.summary.run | "requests: \(.count), not ok: \(.count - .ok), achieved: \(.rps * 10 | round / 10) req/s"' \
        "$(ls -d "$work/perf-reports"/*/summary.json | head -n1)"
    # ENGINE_CPU_KEEP=DIR keeps perf.data, for perf report.
    if [[ -n "${ENGINE_CPU_KEEP:-}" ]]; then cp "$work/perf.data" "$ENGINE_CPU_KEEP/"; fi
    perf report -i "$work/perf.data" --no-children --sort dso --stdio > "$work/by-dso.txt" 2>/dev/null
    perf report -i "$work/perf.data" --no-children --sort symbol --stdio > "$work/by-symbol.txt" 2>/dev/null
    echo "--- by library"
    grep -v -e '^#' -e '^$' "$work/by-dso.txt" | sed -n '1,12p'
    echo "--- by function (own samples)"
    grep -v -e '^#' -e '^$' "$work/by-symbol.txt" | sed -n '1,60p' | sed 's/ *- *- *$//'
    exit 0
fi
if [[ $soak != 0 ]]; then
    echo "$where: CPU 0 ($endpoint); the harness: CPU 1; $soak requests at $rates req/s (${duration}s)"
    echo "$(nproc --all) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    harness_at "$rates"
    jq -r '.summary.run | "requests: \(.count), not ok: \(.count - .ok), achieved: \(.rps * 10 | round / 10) req/s"' "$h_summary"
    jq -r --argjson d "$duration" --argjson rate "$rates" '
        "peak RSS (getrusage): \(.maxrss_kib / 1024 | round) MiB",
        "| elapsed s | requests sent by then (at the target rate) | VmRSS MiB |",
        "| --- | --- | --- |",
        (.rss_kib as $s | range(1; 11) as $k | ($d * $k / 10) as $at
         | [$s[] | select(.[0] <= $at)] | last // empty
         | "| \(.[0]) | \(.[0] * $rate | round) | \(.[1] / 1024 * 10 | round / 10) |")
    ' "$work/harness-$rates.json"
    exit 0
fi

echo "$where: CPU 0 ($endpoint); generators: CPU 1, one after the other; ${duration}s per run"
echo "$(nproc --all) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %s | %s | %s | %s | %s | %s | %s |\n' "rate (req/s)" "harness µs/req" "oha µs/req" \
    "ratio" "harness achieved req/s" "oha achieved req/s" "harness / oha peak RSS MiB"
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for rate in $rates; do
    harness_at "$rate"
    summary=$h_summary
    h_requests=$(jq '.summary.run.count' "$summary")
    h_failed=$(jq '.summary.run.count - .summary.run.ok' "$summary")
    h_cpu=$(jq '.cpu' "$work/harness-$rate.json")
    h_rss=$(jq '.maxrss_kib' "$work/harness-$rate.json")
    h_us=$(python3 -c "print(f'{$h_cpu / $h_requests * 1e6:.1f}')")
    h_rate=$(python3 -c "print(f'{$h_requests / $duration:.1f} ({($h_requests / $duration / $rate - 1) * 100:+.2f} %)')")
    o_us="-"; ratio="-"; o_rate="-"; o_rss="-"
    if [[ -n "$oha" ]]; then
        cpu_of "$work/oha.json" taskset -c 1 "$oha" --no-tui --output-format json --worker-threads 1 \
            -o "$work/oha-out-$rate.json" -q "$rate" -z "${duration}s" -m POST \
            -H 'Content-Type: application/x-amz-json-1.1' \
            -H 'X-Amz-Target: AWSCognitoIdentityProviderService.GetUser' \
            -D "$work/get-user.json" "$endpoint/"
        o_requests=$(jq '[.statusCodeDistribution[]] | add // 0' "$work/oha-out-$rate.json")
        o_ok=$(jq '.statusCodeDistribution["200"] // 0' "$work/oha-out-$rate.json")
        o_cpu=$(jq '.cpu' "$work/oha.json")
        o_rss=$(jq '.maxrss_kib' "$work/oha.json")
        o_us=$(python3 -c "print(f'{$o_cpu / max($o_requests, 1) * 1e6:.1f}')")
        ratio=$(python3 -c "print(f'{($h_cpu / $h_requests) / ($o_cpu / max($o_requests, 1)):.2f}x')")
        o_rate=$(python3 -c "print(f'{$o_requests / $duration:.1f} ({($o_requests / $duration / $rate - 1) * 100:+.2f} %)')")
        if [[ $o_ok != "$o_requests" ]]; then o_rate="$o_rate, $((o_requests - o_ok)) not 200"; fi
        o_rss=$(python3 -c "print(f'{$o_rss / 1024:.0f}')")
    fi
    if [[ $h_failed != 0 ]]; then h_rate="$h_rate, $h_failed failed"; fi
    printf '| %s | %s | %s | %s | %s | %s | %s / %s |\n' "$rate" "$h_us" "$o_us" "$ratio" \
        "$h_rate" "$o_rate" "$(python3 -c "print(f'{$h_rss / 1024:.0f}')")" "$o_rss"
done
