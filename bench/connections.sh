#!/usr/bin/env bash
# Benchmark of several connections for one artifact, against a local nginx behind bench/cutting_proxy.py, which stands
# in for a far CDN: it caps every connection at RATE_MIB MiB/s and holds the first byte of every answer DELAY_MS ms.
# Every figure is a ratio measured in the same run:
#   1. a SIZE_MIB MiB aes-256-gcm artifact: curl -o (one stream) against skyloader get --connections CONNECTIONS
#      (SHA-256 and GCM tag verified, decrypted, synced; output checked with cmp), and against aria2c -x4 -s4 when
#      aria2c is installed: wall times, curl / skyloader (target >= 3.0), skyloader / aria2c (target <= 1.0), and
#      the bytes the proxy forwarded to skyloader / size (target <= 1.01);
#   2. the same download with every connection cut every CUT_MIB MiB: bytes forwarded / size (target <= 1.02);
#   3. the same download killed with SIGKILL KILLS times, each at a random moment 0.05-0.6 s after its run's state
#      claimed more bytes, then left to finish: bytes forwarded / size (target <= 1.06);
#   4. --limit-rate LIMIT with CONNECTIONS connections, LIMIT_SIZE_MIB MiB: the rate the proxy measured, from the
#      first connection's opening to the last one's closing, against LIMIT (target: within 15%).
# A summary table comes last. Takes about a minute with the defaults.
# Environment (defaults in brackets): SIZE_MIB (128), CONNECTIONS (4), RATE_MIB (8), DELAY_MS (40), CUT_MIB (8),
# KILLS (8), LIMIT (4M), LIMIT_SIZE_MIB (32), PORT (18091), PROXY_PORT (18092), RUN_LIMIT (seconds any one
# download may take: 300). Needs nginx, curl, python3 and coreutils; aria2c is optional. Everything happens on
# 127.0.0.1 and in a temporary folder removed at exit.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-128}
CONNECTIONS=${CONNECTIONS:-4}
RATE_MIB=${RATE_MIB:-8}
DELAY_MS=${DELAY_MS:-40}
CUT_MIB=${CUT_MIB:-8}
KILLS=${KILLS:-8}
LIMIT=${LIMIT:-4M}
LIMIT_SIZE_MIB=${LIMIT_SIZE_MIB:-32}
PORT=${PORT:-18091}
PROXY_PORT=${PROXY_PORT:-18092}
RUN_LIMIT=${RUN_LIMIT:-300}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sky="$here/skyloader"
tool="$here/bench/benchtool.py"

missing=()
for t in nginx curl python3 timeout cmp; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing: ${missing[*]}; install them and run again" >&2
  exit 2
fi
for v in SIZE_MIB CONNECTIONS RATE_MIB CUT_MIB KILLS LIMIT_SIZE_MIB PORT PROXY_PORT RUN_LIMIT; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench: $v must be a positive whole number, not '${!v}'" >&2; exit 2; }
done
[[ $DELAY_MS =~ ^[0-9]+$ ]] || { echo "bench: DELAY_MS must be a whole number, not '$DELAY_MS'" >&2; exit 2; }
limit_bytes=$(python3 -c '
import re, sys
m = re.fullmatch(r"(\d+)([kKmMgG]?)", sys.argv[1])
if not m: sys.exit(1)
print(int(m.group(1)) * {"": 1, "k": 1024, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()])' "$LIMIT") \
    || { echo "bench: LIMIT must be a number of bytes with an optional k, M or G, not '$LIMIT'" >&2; exit 2; }

die() { echo "bench: $*" >&2; exit 1; }
bounded() { timeout -k 5 "$RUN_LIMIT" "$@"; }
bt() { python3 "$tool" "$@"; }
fmt() { python3 -c 'import sys; print(f"{float(sys.argv[1]):.{sys.argv[2]}f}")' "$1" "${2:-2}"; }
began=$(date +%s)
# The jar built, and the class-data archive a device's first download writes (a 1 MiB demo, all in one process):
# the timed runs then start as a device's every later run does.
bounded "$sky" demo --size 1M --drops 0 --progress none >/dev/null 2>&1 || die "skyloader demo failed"

work="$(mktemp -d "${TMPDIR:-/tmp}/skyloader-bench-conn.XXXXXX")"
pids=()
proxy=""
cleanup() {
  for pid in "${pids[@]}" $proxy; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/www" "$work/logs"
chmod 755 "$work" "$work/www"

echo "== making the artifacts (aes-256-gcm): ${SIZE_MIB} MiB, ${LIMIT_SIZE_MIB} MiB"
head -c "${SIZE_MIB}M" /dev/urandom > "$work/plain"
"$sky" encrypt "$work/plain" -o "$work/www/big.gcm" --cipher aes-256-gcm --json > "$work/big.json"
bt json "$work/big.json" encryption key > "$work/key"
head -c "${LIMIT_SIZE_MIB}M" /dev/urandom > "$work/slow.plain"
"$sky" encrypt "$work/slow.plain" -o "$work/www/slow.gcm" --cipher aes-256-gcm --key-file "$work/key" --json \
    > "$work/slow.json"
chmod 644 "$work/www/"*
size=$(bt json "$work/big.json" size)
mib=$((1024 * 1024))

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:$PORT; root $work/www; }
}
CONF
nginx -e "$work/logs/error.log" -c "$work/nginx.conf" -p "$work" || die "nginx did not start (port $PORT taken?)"

# start_proxy CUT_BYTES: the capped, delayed link (cut every CUT_BYTES when not 0), counting into $work/counter.
start_proxy() {
  [ -n "$proxy" ] && { kill -9 "$proxy" 2>/dev/null || true; wait "$proxy" 2>/dev/null || true; }
  python3 "$here/bench/cutting_proxy.py" --listen "$PROXY_PORT" --upstream "$PORT" --cut-every "$1" \
      --rate $((RATE_MIB * mib)) --first-byte-delay "$(python3 -c "print($DELAY_MS / 1000)")" \
      --counter "$work/counter" &
  proxy=$!
  for _ in $(seq 1 50); do
    curl -fsS -o /dev/null -r 0-0 "http://127.0.0.1:$PROXY_PORT/big.gcm" 2>/dev/null && break
    sleep 0.1
  done
  sleep 0.3  # the proxy writes its line once the connection closed
  : > "$work/counter"
}
url="http://127.0.0.1:$PROXY_PORT"
fresh() { rm -rf "$1"; mkdir -p "$1"; }
get_cmd() {
  local name=$1 dir=$2
  cmd=(get "$url/$name.gcm" --sha256 "$(bt json "$work/$name.json" sha256)" --size "$(bt json "$work/$name.json" size)"
       --cipher aes-256-gcm --key-file "$work/key" -o "$dir/out/model" --state-dir "$dir/state" --quiet
       --backoff 1s --max-attempts 5 --connections "$CONNECTIONS")
}
counted() { read -r conns bytes span < <(bt counter "$work/counter"); }

echo "== 1. ${SIZE_MIB} MiB through ${RATE_MIB} MiB/s per connection, ${DELAY_MS} ms to the first byte"
start_proxy 0
bounded python3 "$tool" timed "$work/t" -- curl -fsS -o "$work/curl.out" "$url/big.gcm" || die "curl failed"
curl_time=$(cat "$work/t"); rm -f "$work/curl.out"
echo "curl -o: $(fmt "$curl_time") s"

: > "$work/counter"
fresh "$work/g"
get_cmd big "$work/g"
bounded python3 "$tool" timed "$work/t" -- "$sky" "${cmd[@]}" || die "skyloader get failed (exit $?)"
sky_time=$(cat "$work/t")
cmp "$work/plain" "$work/g/out/model" || die "skyloader's output differs from the plaintext"
sleep 0.3; counted
r_bytes=$(bt ratio "$bytes" "$size")
echo "skyloader get --connections $CONNECTIONS: $(fmt "$sky_time") s over $conns connections," \
     "$bytes bytes forwarded ($(fmt "$r_bytes" 4) x size), byte-exact"
r_curl=$(bt ratio "$curl_time" "$sky_time")
aria_time=""
if command -v aria2c >/dev/null 2>&1; then
  rm -rf "$work/aria"; mkdir -p "$work/aria"
  bounded python3 "$tool" timed "$work/t" -- aria2c -q -x4 -s4 --min-split-size=8M --file-allocation=none \
      --allow-overwrite=true -d "$work/aria" -o big.gcm "$url/big.gcm" || die "aria2c failed"
  aria_time=$(cat "$work/t"); rm -rf "$work/aria"
  echo "aria2c -x4 -s4: $(fmt "$aria_time") s (no verification, no decryption)"
fi
rm -rf "$work/g"

echo "== 2. the same with every connection cut every ${CUT_MIB} MiB"
start_proxy $((CUT_MIB * mib))
fresh "$work/c"
get_cmd big "$work/c"
bounded python3 "$tool" timed "$work/t" -- "$sky" "${cmd[@]}" --reconnect 1s \
    || die "skyloader get through the cutting proxy failed (exit $?)"
cmp "$work/plain" "$work/c/out/model" || die "skyloader's output through cuts differs from the plaintext"
sleep 0.3; counted
r_cut=$(bt ratio "$bytes" "$size")
echo "cuts: $conns connections, $bytes bytes forwarded ($(fmt "$r_cut" 4) x size), $(fmt "$(cat "$work/t")") s," \
     "byte-exact"
rm -rf "$work/c"

echo "== 3. the same killed with SIGKILL ${KILLS} times at random moments, then finished"
start_proxy 0
fresh "$work/k"
kills=0
claimed=0
for i in $(seq 1 "$KILLS"); do
  [ -f "$work/k/out/model" ] && break
  get_cmd big "$work/k"
  (exec "$sky" "${cmd[@]}") &
  pid=$!; pids+=("$pid")
  if bt wait-state "$work/k/state" $((claimed + 1)) "$pid" 60; then
    sleep "0.$(printf '%03d' $((RANDOM % 550 + 50)))"
    kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    kills=$((kills + 1))
    read -r claimed durable < <(bt state-marks "$work/k/state")
    echo "kill $i: the state claims $claimed bytes written, $durable durable"
  else
    kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    echo "kill $i: the run ended or claimed nothing new within 60 s"
  fi
done
get_cmd big "$work/k"
bounded "$sky" "${cmd[@]}" || die "the last skyloader get after the kills failed (exit $?)"
cmp "$work/plain" "$work/k/out/model" || die "skyloader's output after the kills differs from the plaintext"
sleep 0.3; counted
r_kill=$(bt ratio "$bytes" "$size")
echo "kills: $kills SIGKILLs, $bytes bytes forwarded over $conns connections ($(fmt "$r_kill" 4) x size), byte-exact"
rm -rf "$work/k"

echo "== 4. --limit-rate $LIMIT, ${LIMIT_SIZE_MIB} MiB over $CONNECTIONS connections"
: > "$work/counter"
fresh "$work/l"
get_cmd slow "$work/l"
bounded "$sky" "${cmd[@]}" --limit-rate "$LIMIT" || die "skyloader get --limit-rate failed (exit $?)"
cmp "$work/slow.plain" "$work/l/out/model" || die "skyloader's output with --limit-rate differs from the plaintext"
sleep 0.3; counted
rate=$(python3 -c "print($bytes / $span)")
r_rate=$(bt ratio "$rate" "$limit_bytes")
echo "limit: $bytes bytes in $(fmt "$span") s over $conns connections: $(fmt "$(python3 -c "print($rate / $mib)")")" \
     "MiB/s for $LIMIT ($(fmt "$r_rate" 3) x the limit)"
rm -rf "$work/l"

within() { python3 -c 'import sys; print("yes" if float(sys.argv[2]) <= float(sys.argv[1]) <= float(sys.argv[3]) else "NO")' "$@"; }
echo
echo "== summary (${SIZE_MIB} MiB aes-256-gcm, ${RATE_MIB} MiB/s per connection, ${DELAY_MS} ms first byte," \
     "--connections $CONNECTIONS; $(( $(date +%s) - began )) s in all)"
row() { printf '%-58s %-22s %-10s %s\n' "$@"; }
row figure value target met
row "1. curl -o (1 stream) / skyloader (wall)" "$(fmt "$r_curl" 3)" ">= 3.0" "$(within "$r_curl" 3.0 1e9)"
if [ -n "$aria_time" ]; then
  r_aria=$(bt ratio "$sky_time" "$aria_time")
  row "1. skyloader / aria2c -x4 -s4 (wall)" "$(fmt "$r_aria" 3)" "<= 1.0" "$(within "$r_aria" 0 1.0)"
else
  row "1. skyloader / aria2c -x4 -s4 (wall)" "(aria2c not installed)" "<= 1.0" "-"
fi
row "   (curl | skyloader | aria2c, s)" "$(fmt "$curl_time") | $(fmt "$sky_time") | ${aria_time:+$(fmt "$aria_time")}" "" ""
row "1. bytes forwarded / size" "$(fmt "$r_bytes" 4)" "<= 1.01" "$(within "$r_bytes" 0 1.01)"
row "2. cut every ${CUT_MIB} MiB: bytes forwarded / size" "$(fmt "$r_cut" 4)" "<= 1.02" "$(within "$r_cut" 0 1.02)"
row "3. ${kills} SIGKILLs: bytes forwarded / size" "$(fmt "$r_kill" 4)" "<= 1.06" "$(within "$r_kill" 0 1.06)"
row "4. --limit-rate $LIMIT: measured / limit" "$(fmt "$r_rate" 3)" "0.85-1.15" "$(within "$r_rate" 0.85 1.15)"
