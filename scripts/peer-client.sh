#!/usr/bin/env bash
# Run one peer client script with the right interpreter, from any cwd:
#
#   scripts/peer-client.sh srp-signin ARGS...   node peers/js/srp-signin.mjs (amazon-cognito-identity-js)
#   scripts/peer-client.sh sdk-flow ARGS...     node peers/js/sdk-flow.mjs (AWS SDK for JavaScript v3)
#   scripts/peer-client.sh amplify-flow ARGS... node peers/js/amplify-flow.mjs (Amplify JS v6, aws-amplify)
#   scripts/peer-client.sh browser ARGS...      node peers/js/browser-clients.mjs (headless Chromium)
#   scripts/peer-client.sh clients ARGS...      .peers/venv python peers/py/clients.py (boto3, pycognito, PyJWT)
#   scripts/peer-client.sh provision ARGS...    .peers/venv python peers/py/provision.py
#   scripts/peer-client.sh probe ARGS...        .peers/venv python peers/py/probe.py
#
# stdout is the client's one JSON line and the exit status is the client's. Fails with status 2
# and a message on stderr when the peers are not installed (run scripts/install-peers.sh).
set -euo pipefail
# shellcheck source=SCRIPTDIR/peers-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peers-common.sh"

(($#)) || {
  print_header "${BASH_SOURCE[0]}" >&2
  exit 2
}
client="$1"
shift
missing() {
  printf '[%s] error: %s\n' "${0##*/}" "$1 missing: run scripts/install-peers.sh" >&2
  exit 2
}
case "$client" in
  srp-signin | sdk-flow | amplify-flow)
    [[ -d "$PEERS_DIR/node/node_modules/amazon-cognito-identity-js" ]] || missing "$PEERS_DIR/node"
    exec node "$PEERS_SRC/js/$client.mjs" "$@"
    ;;
  browser)
    [[ -d "$PEERS_DIR/node/node_modules/playwright-core" ]] || missing "$PEERS_DIR/node"
    exec node "$PEERS_SRC/js/browser-clients.mjs" "$@"
    ;;
  clients | provision | probe)
    [[ -x "$PEERS_DIR/venv/bin/python" ]] || missing "$PEERS_DIR/venv"
    exec "$PEERS_DIR/venv/bin/python" "$PEERS_SRC/py/$client.py" "$@"
    ;;
  *)
    printf '[%s] error: unknown client %s (srp-signin, sdk-flow, amplify-flow, browser, clients, provision, probe)\n' \
      "${0##*/}" "'$client'" >&2
    exit 2
    ;;
esac
