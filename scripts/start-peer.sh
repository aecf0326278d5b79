#!/usr/bin/env bash
# Start one Cognito emulator on 127.0.0.1 (and nowhere else) on a free port, wait until it answers
# a cognito-idp ListUserPools call, and print ONE line on stdout:
#
#   ENDPOINT=http://127.0.0.1:PORT PID=1234 NAME=moto PORT=PORT LOG=/abs/.peers/logs/moto-PORT.log
#
# The line is shell-assignable (`eval "$(scripts/start-peer.sh moto)"`) and is also written to
# .peers/run/NAME-PORT.env. The emulator runs detached in its own process group (PID = group id),
# so it outlives this script; stop it with `scripts/stop-peer.sh PID` (or `--all`).
#
# Usage: scripts/start-peer.sh NAME [--port PORT] [--timeout SECONDS] [--auth]
#   NAME        moto | ministack | cognito-local
#   --port      use this port instead of a free one chosen by the OS
#   --timeout   seconds to wait for the emulator to answer (default 60)
#   --auth      ministack only: AUTH=true, its IAM mode (access key id `test` is root; other
#               key ids are refused), in which Cognito also checks SECRET_HASH, ExplicitAuthFlows,
#               access tokens and confirmation codes (always 123456); without it those are not
#               checked
#
# Requires scripts/install-peers.sh to have run. Progress and errors go to stderr.
set -euo pipefail
# shellcheck source=SCRIPTDIR/peers-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peers-common.sh"

usage() { print_header "${BASH_SOURCE[0]}" >&2; }

name=""
port=""
timeout=60
auth=false
while (($#)); do
  case "$1" in
    --auth)
      auth=true
      shift
      ;;
    --port)
      port="${2:?--port needs a value}"
      shift 2
      ;;
    --timeout)
      timeout="${2:?--timeout needs a value}"
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*) die "unknown flag '$1' (try --help)" ;;
    *)
      [[ -z "$name" ]] || die "only one NAME may be given"
      name="$1"
      shift
      ;;
  esac
done
case "$name" in
  moto | ministack | cognito-local) ;;
  "")
    usage
    die "NAME is required"
    ;;
  *) die "unknown peer '$name': expected moto, ministack or cognito-local" ;;
esac
[[ "$auth" == false || "$name" == ministack ]] || die "--auth applies to ministack only"
[[ -z "$port" || "$port" =~ ^[0-9]+$ ]] || die "--port must be a number"
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout must be a whole number of seconds"

VENV="$PEERS_DIR/venv"
NODE_DIR="$PEERS_DIR/node"
[[ -x "$VENV/bin/python" ]] || die "peers not installed: run scripts/install-peers.sh"
[[ "$name" != cognito-local || -f "$NODE_DIR/node_modules/cognito-local/lib/bin/start.js" ]] ||
  die "cognito-local not installed: run scripts/install-peers.sh"
command -v curl >/dev/null 2>&1 || die "curl not found"

mkdir -p "$PEERS_DIR/logs" "$PEERS_DIR/run"

# A port the OS considers free on 127.0.0.1 right now. There is a window between closing this
# probe socket and the emulator binding it; a lost race shows up as an early exit and is retried.
free_port() {
  "$VENV/bin/python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# A cognito-idp call every emulator routes: moto and ministack pick the service from the
# credential scope of the (unchecked) SigV4 header; cognito-local from X-Amz-Target alone.
probe() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://127.0.0.1:$1/" \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00' \
    --data '{"MaxResults":1}' || true
}

# True when nothing accepts connections on 127.0.0.1:PORT.
port_is_free() {
  "$VENV/bin/python" -c 'import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(1 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 0)' "$1"
}

# True when a process of the group PGID listens on PORT, so a probe answered by some other
# server on that port is never mistaken for ours. Without ss, the free-port check before launch
# and the liveness checks have to do.
owns_port() {
  local pgid="$1" port="$2" pids
  command -v ss >/dev/null 2>&1 || return 0
  pids="$(pgrep -g "$pgid" | paste -sd'|')" || return 1
  ss -Hltnp "sport = :$port" 2>/dev/null | grep -qE "pid=($pids),"
}

# Stop what launch() started: its process group, or the PID alone when setsid has not run yet.
stop_started() {
  local pid="$1"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

# Fails (and stops the emulator) if the process group listens anywhere but loopback: ministack,
# for one, opens extra listeners on 0.0.0.0 unless told not to.
check_loopback_only() {
  local pid="$1" pids bad
  command -v ss >/dev/null 2>&1 || return 0
  pids="$(pgrep -g "$pid" | paste -sd'|')" || return 0
  bad="$(ss -Hltnp 2>/dev/null | grep -E "pid=($pids)," | awk '{print $4}' |
    grep -vE '^(127\.[0-9.]+|\[::1\]):[0-9]+$' || true)"
  if [[ -n "$bad" ]]; then
    stop_started "$pid"
    die "$name listened on non-loopback address(es): $(echo "$bad" | paste -sd' '); stopped it"
  fi
}

# Launch detached in a new session (setsid) so the PID is also the process-group id.
# Each peer's own way of being told host and port:
#   moto          moto_server -H HOST -p PORT
#   ministack     env BIND_HOST + GATEWAY_PORT; SERVICES limits it to cognito-idp; the IoT MQTT
#                 (0.0.0.0:8883) and SFTP listeners are switched off; TMPDIR holds its pid file
#   cognito-local env HOST + PORT (+ CODE); config and data in ./.cognito under its working
#                 directory
launch() {
  local port="$1" rundir="$2" log="$3"
  case "$name" in
    moto)
      (cd "$rundir" && exec setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" \
        </dev/null >"$log" 2>&1) &
      ;;
    ministack)
      (cd "$rundir" && BIND_HOST=127.0.0.1 GATEWAY_PORT="$port" SERVICES=cognito-idp \
        IOT_MTLS_ENABLED=0 SFTP_ENABLED=0 PERSIST_STATE=0 TMPDIR="$rundir" LOG_LEVEL=INFO \
        AUTH="$auth" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
        exec setsid "$VENV/bin/ministack" </dev/null >"$log" 2>&1) &
      ;;
    cognito-local)
      mkdir -p "$rundir/.cognito"
      # Tokens' iss is IssuerDomain/poolId; without this it would say localhost:9229.
      # Its built-in UserPoolDefaults make EVERY pool an e-mail-username pool (UsernameAttributes
      # [email]) unless CreateUserPool says otherwise; [] makes an omitted field mean what it
      # means on Cognito (plain user names).
      printf '{"TokenConfig":{"IssuerDomain":"http://127.0.0.1:%s"},"UserPoolDefaults":{"UsernameAttributes":[]}}\n' \
        "$port" >"$rundir/.cognito/config.json"
      # CODE fixes every code it issues (confirmation, MFA, temporary password) at 123456, the
      # same code ministack always uses, so clients can pass --code 123456 to either.
      (cd "$rundir" && HOST=127.0.0.1 PORT="$port" CODE=123456 \
        exec setsid node "$NODE_DIR/node_modules/cognito-local/lib/bin/start.js" \
        </dev/null >"$log" 2>&1) &
      ;;
  esac
  echo $!
}

attempts=3
[[ -z "$port" ]] || attempts=1
for ((try = 1; try <= attempts; try++)); do
  p="${port:-$(free_port)}"
  port_is_free "$p" || die "127.0.0.1:$p is already in use"
  rundir="$PEERS_DIR/run/$name-$p"
  log="$PEERS_DIR/logs/$name-$p.log"
  rm -rf "$rundir"
  mkdir -p "$rundir"
  say "starting $name on 127.0.0.1:$p (log ${log#"$REPO_ROOT"/})"
  pid="$(launch "$p" "$rundir" "$log")"
  printf '%s\n' "$pid" >"$PEERS_DIR/run/$name-$p.pid"
  deadline=$((SECONDS + timeout))
  code=000
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    if owns_port "$pid" "$p"; then
      code="$(probe "$p")"
      [[ "$code" == 200 ]] && break
    fi
    sleep 0.3
  done
  if [[ "$code" == 200 ]] && kill -0 "$pid" 2>/dev/null && owns_port "$pid" "$p"; then
    check_loopback_only "$pid"
    line="ENDPOINT=http://127.0.0.1:$p PID=$pid NAME=$name PORT=$p LOG=$log"
    printf '%s\n' "$line" >"$PEERS_DIR/run/$name-$p.env"
    say "$name ready in $((SECONDS + timeout - deadline)) s"
    printf '%s\n' "$line"
    exit 0
  fi
  if kill -0 "$pid" 2>/dev/null; then
    stop_started "$pid"
    rm -rf "$PEERS_DIR/run/$name-$p.pid" "$rundir"
    tail -n 20 "$log" >&2 || true
    die "$name did not answer ListUserPools with 200 within $timeout s (last status $code); stopped it"
  fi
  rm -rf "$PEERS_DIR/run/$name-$p.pid" "$rundir"
  say "$name exited early; last lines of its log:"
  tail -n 20 "$log" >&2 || true
  if grep -qiE 'address already in use|EADDRINUSE|already in use' "$log" && ((try < attempts)); then
    say "port $p was taken meanwhile; retrying on another port"
    continue
  fi
  die "$name failed to start"
done
die "$name failed to start after $attempts attempts"
