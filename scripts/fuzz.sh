#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ and runs each for a bounded time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     # default 60 s, every target
#
# Needs rustup, a C++ compiler (libFuzzer is built from source), bash, awk and coreutils;
# installs the nightly toolchain (rustup, minimal profile) and cargo-fuzz (from crates.io,
# into ~/.cargo/bin) when they are missing. The fuzz crate's dependencies start from the
# crate's own Cargo.lock, so the fuzzed code is the shipped code; the build is in fuzz/target
# whatever CARGO_TARGET_DIR says. Corpora are kept in fuzz/corpus/TARGET, seeds in
# fuzz/seeds/TARGET and crashes in fuzz/artifacts/TARGET (all git-ignored). Prints one line
# per target: its time, executions, corpus size and whether it crashed (libFuzzer's whole
# output is kept in fuzz/artifacts/TARGET/last-run.log); exits 1 when any target crashed.
set -euo pipefail
seconds=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"
if ! cargo +nightly --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
[[ -f Cargo.lock ]] || cp "$root/Cargo.lock" Cargo.lock
# The instrumented build stays apart from the crate's own target directory.
export CARGO_TARGET_DIR="$root/fuzz/target"

# Seeds: the project's own inputs, rebuilt on every run into fuzz/seeds/TARGET (git-ignored) and
# read beside the corpus, so the fuzzer starts from inputs that reach deep into each decoder.
seed_dir="$root/fuzz/seeds"
rm -rf "$seed_dir"
seed() { # seed TARGET NAME < content
    mkdir -p "$seed_dir/$1"
    cat >"$seed_dir/$1/$2"
}
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
# status as the targets read it (two bytes: status - 100, little-endian), then the header.
frame() { # frame STATUS HEADER < body
    local n=$(($1 - 100)) len=${#2}
    printf "\\x$(printf %02x $((n % 256)))\\x$(printf %02x $((n / 256)))\\x$(printf %02x "$len")"
    printf '%s' "$2"
    cat
}
seed_all() {
    local f name op
    for f in "$root"/scenarios/*.yaml "$root"/tests/data/scenarios/*.yaml; do
        seed scenario_loader "$(basename "$f")" <"$f"
    done
    for f in "$root"/conformance/*/*.yaml; do
        [[ $f == */expected/* ]] && continue
        name=${f#"$root/conformance/"}
        seed case_loader "${name//\//-}" <"$f"
    done
    for f in "$root"/scenarios/*/pools.yaml; do
        seed serve_config "$(basename "$(dirname "$f")").yaml" <"$f"
    done
    # The examples in docs/serve-config.md, one file per yaml block.
    mkdir -p "$seed_dir/serve_config"
    awk -v dir="$seed_dir/serve_config" '
        /^```yaml/ { n++; out = dir "/doc-" n ".yaml"; next }
        /^```/ { out = ""; next }
        out != "" { print > out }' "$root/docs/serve-config.md"
    # The store server_request fuzzes against.
    awk '/r#"$/ { on = 1; next } /^"#;/ { on = 0 } on' "$root/fuzz/fuzz_targets/server_request.rs" |
        seed serve_config server-request-store.yaml
    for f in "$root"/tests/data/protocol/ops/*.request.json; do
        op=$(basename "$f" .request.json)
        # The fuzz store's pool, client and user, so the operations get past "not found".
        { echo "$op"; sed -e 's/"UserPoolId": "[^"]*"/"UserPoolId": "us-east-1_Fuzz00001"/' \
            -e 's/"ClientId": "[^"]*"/"ClientId": "1fuzz23456789abcdefghijkl"/' \
            -e 's/"Username": "[^"]*"/"Username": "alice"/' \
            -e 's/"USERNAME": "[^"]*"/"USERNAME": "alice"/' \
            -e 's/"PASSWORD": "[^"]*"/"PASSWORD": "Passw0rd!"/' "$f"; } |
            seed server_request "$op"
    done
    for f in "$root"/tests/data/protocol/ops/*.response.json; do
        frame 200 "" <"$f" | seed cognito_response "$(basename "$f")"
    done
    for f in "$root"/tests/data/protocol/*.json "$root"/tests/data/protocol/*.html; do
        frame 400 "NotAuthorizedException" <"$f" | seed cognito_response "$(basename "$f")"
    done
    printf '{"access_token":"eyJz9sdfsdfsdfsd","refresh_token":"dn43ud8uj32nk2je","id_token":"dmcxd329ujdmkemd349r","token_type":"Bearer","expires_in":3600}' |
        frame 200 "" | seed oauth2_response token
    printf '{"sub":"248289761001","email":"alice@example.com","email_verified":"true","username":"alice"}' |
        frame 200 "" | seed oauth2_response userinfo
    printf '{"error":"invalid_grant"}' | frame 400 "" | seed oauth2_response error
    printf '' | frame 401 'Bearer error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out."' |
        seed oauth2_response www-authenticate
    local iss=https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fuzz
    local id="{\"sub\":\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\",\"iss\":\"$iss\",\"aud\":\"fuzzclient\",\"token_use\":\"id\",\"auth_time\":1700000000,\"iat\":1700000000,\"exp\":1700003600,\"cognito:username\":\"alice\",\"email\":\"alice@example.com\"}"
    local access="{\"sub\":\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\",\"iss\":\"$iss\",\"client_id\":\"fuzzclient\",\"token_use\":\"access\",\"scope\":\"aws.cognito.signin.user.admin\",\"auth_time\":1700000000,\"iat\":1700000000,\"exp\":1700003600,\"jti\":\"j1\",\"username\":\"alice\"}"
    printf '%s' "$id" | seed jwt_verify id-claims
    printf '%s' "$access" | seed jwt_verify access-claims
    local header
    header=$(printf '{"kid":"fuzz-kid","alg":"RS256"}' | b64url)
    printf '%s.%s.%s' "$header" "$(printf '%s' "$id" | b64url)" "$(printf 'signature' | b64url)" |
        seed jwt_verify id-token
    printf '{"keys":[{"alg":"RS256","e":"AQAB","kid":"fuzz-kid","kty":"RSA","n":"%s","use":"sig"}]}' \
        "$(head -c 256 /dev/zero | tr '\0' '\377' | b64url)" | seed jwt_verify jwks
}
seed_all

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
    log="artifacts/$target/last-run.log"
    started=$(date +%s)
    mkdir -p "seeds/$target"
    if cargo +nightly fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" >"$log" 2>&1; then
        result=ok
    else
        result=CRASH
        crashed=1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
    [[ -n $runs ]] || runs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#')
    corpus=$(find "corpus/$target" -type f | wc -l)
    printf '%-18s %4ss  %10s execs  %6s in corpus  %s\n' "$target" $(($(date +%s) - started)) \
        "${runs:-?}" "$corpus" "$result"
    if [[ $result == CRASH ]]; then
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
    fi
done
exit $crashed
