#!/usr/bin/env bash
# Stop emulators started by scripts/start-peer.sh.
#
# Usage: scripts/stop-peer.sh PID...     stop these (the PID= printed by start-peer.sh)
#        scripts/stop-peer.sh --all      stop every emulator recorded under .peers/run/
#
# Only PIDs recorded in .peers/run/*.pid are accepted, so nothing else is ever signalled. Each
# emulator runs in its own process group; the group gets SIGTERM, then SIGKILL after 10 s.
# Its run directory (.peers/run/NAME-PORT/, the emulator's data) is removed; its log is kept.
set -euo pipefail
# shellcheck source=SCRIPTDIR/peers-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peers-common.sh"

RUN="$PEERS_DIR/run"
(($#)) || die "usage: stop-peer.sh PID... | --all"
if [[ "$1" == -h || "$1" == --help ]]; then
  print_header "${BASH_SOURCE[0]}"
  exit 0
fi

# Recorded pid files, one per started emulator.
pidfiles=()
if [[ "$1" == --all ]]; then
  shopt -s nullglob
  pidfiles=("$RUN"/*.pid)
  shopt -u nullglob
  ((${#pidfiles[@]})) || {
    say "no emulators recorded in $RUN"
    exit 0
  }
else
  for pid in "$@"; do
    [[ "$pid" =~ ^[0-9]+$ ]] || die "'$pid' is not a PID"
    match="$(grep -lx "$pid" "$RUN"/*.pid 2>/dev/null | head -n 1 || true)"
    [[ -n "$match" ]] || die "PID $pid was not started by start-peer.sh (no record in $RUN)"
    pidfiles+=("$match")
  done
fi

# Drop the records and the run directory (emulator data); the log under .peers/logs/ stays.
forget() {
  rm -f "$1" "${1%.pid}.env"
  rm -rf "${1%.pid}"
}

status=0
for pf in "${pidfiles[@]}"; do
  pid="$(cat "$pf")"
  label="$(basename "$pf" .pid)"
  if ! kill -0 "$pid" 2>/dev/null; then
    say "$label (PID $pid) already gone"
    forget "$pf"
    continue
  fi
  say "stopping $label (PID $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$label did not stop on SIGTERM; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  if kill -0 "$pid" 2>/dev/null; then
    say "could not stop $label (PID $pid)"
    status=1
  else
    forget "$pf"
  fi
done
exit "$status"
