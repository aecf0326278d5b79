#!/usr/bin/env bash
# Soak: `cognito-harness serve` under a steady load from `cognito-harness run` for a long time,
# with the resident memory (VmRSS) of both processes sampled every 10 s.
#
#   scripts/soak.sh [DURATION] [REQUESTS_PER_SECOND] [OUT_DIR]    # defaults: 10m 2000 soak-out
#
# An iteration is one USER_PASSWORD_AUTH sign-in and 19 GetUser calls (20 requests) by one of
# 100 users seeded with `serve --config`, so the iteration rate is REQUESTS_PER_SECOND / 20.
# PROFILE=release (default) or PROFILE=debug picks the build (NO_BUILD=1: use it as built). Writes OUT_DIR/memory.tsv
# (seconds, server KiB, runner KiB), the run's report under OUT_DIR/reports and its summary
# on stdout.
set -euo pipefail
duration=${1:-10m}
rps=${2:-2000}
out=${3:-soak-out}
profile=${PROFILE:-release}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [[ -n ${NO_BUILD:-} ]]; then
    :
elif [[ $profile == release ]]; then
    cargo build --release --bin cognito-harness --manifest-path "$root/Cargo.toml"
else
    cargo build --bin cognito-harness --manifest-path "$root/Cargo.toml"
fi
bin=${CARGO_TARGET_DIR:-$root/target}/$profile/cognito-harness

users=100
{
    echo "pools:"
    echo "  - name: soak"
    echo "    id: us-east-1_Soak00001"
    echo "    clients:"
    echo "      - name: app"
    echo "        id: 1soak23456789abcdefghijkl"
    echo "        explicit_auth_flows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]"
    echo "    users:"
    for i in $(seq 1 $users); do
        echo "      - { username: soak$i, password: Soak-Passw0rd! }"
    done
} >"$out/serve.yaml"
{
    echo "username,password"
    for i in $(seq 1 $users); do echo "soak$i,Soak-Passw0rd!"; done
} >"$out/users.csv"

"$bin" serve --port 0 --config "$out/serve.yaml" >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
endpoint=
for _ in $(seq 1 300); do
    endpoint=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out/serve.log")
    [[ -n $endpoint ]] && break
    sleep 0.1
done
[[ -n $endpoint ]] || { cat "$out/serve.log"; exit 1; }

iterations=$((rps / 20))
get_users=$(printf '      - get_user\n%.0s' $(seq 1 19))
cat >"$out/soak.yaml" <<YAML
description: soak, ${rps} requests/s for ${duration}
target:
  endpoint: ${endpoint}
  region: us-east-1
  user_pool_id: us-east-1_Soak00001
  client_id: 1soak23456789abcdefghijkl
setup: { csv: users.csv, keep: true }
flows:
  soak:
    load: { executor: constant-arrival-rate, rate: ${iterations}, duration: ${duration}, pre_allocated_vus: 200, max_vus: 2000 }
    steps:
      - password_sign_in
${get_users}
YAML

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -; }
"$bin" run "$out/soak.yaml" --reports "$out/reports" >"$out/run.out" 2>"$out/run.err" &
runner=$!
printf 'seconds\tserver_kib\trunner_kib\n' >"$out/memory.tsv"
start=$(date +%s)
while kill -0 $runner 2>/dev/null; do
    printf '%s\t%s\t%s\n' $(($(date +%s) - start)) "$(rss $server)" "$(rss $runner)" >>"$out/memory.tsv"
    sleep 10
done
wait $runner && status=0 || status=$?
cat "$out/run.out"
echo "run exit: $status"
cat "$out/memory.tsv"
