#!/usr/bin/env bash
# Benchmark: an encrypted artifact (1 GiB by default) from a local nginx.
#   1. curl -o, the baseline;
#   2. skyloader get with -Xmx64m: wall time and peak RSS (/usr/bin/time -v);
#   3. the same through a proxy that cuts the connection every CUT_MIB MiB: bytes fetched / size;
#   4. the same killed with SIGKILL KILLS times at random moments, then left to finish: bytes fetched / size.
# Needs nginx, curl, python3 and GNU time. Everything happens on 127.0.0.1 and in a temporary folder.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
CUT_MIB=${CUT_MIB:-8}
KILLS=${KILLS:-5}
PORT=${PORT:-18089}
PROXY_PORT=${PROXY_PORT:-18090}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sky="$here/skyloader"
for tool in nginx curl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is needed" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/skyloader-bench.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/www" "$work/logs"
# nginx's workers run as an unprivileged user: let them read what they serve.
chmod 755 "$work" "$work/www"

echo "== making a ${SIZE_MIB} MiB artifact (aes-256-gcm)"
head -c "${SIZE_MIB}M" /dev/urandom > "$work/plain"
"$sky" encrypt "$work/plain" -o "$work/www/big.gcm" --cipher aes-256-gcm --json > "$work/manifest.json"
chmod 644 "$work/www/big.gcm"
sha=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sha256"])' "$work/manifest.json")
size=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$work/manifest.json")
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["encryption"]["key"])' "$work/manifest.json" > "$work/key"

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 64; }
http {
  access_log $work/logs/access.log;
  sendfile on;
  server {
    listen 127.0.0.1:$PORT;
    root $work/www;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5

seconds() { python3 -c 'import sys; print(f"{float(sys.argv[1]):.2f}")' "$1"; }
now() { python3 -c 'import time; print(time.time())'; }

echo "== 1. curl -o"
start=$(now)
curl -fsS -o "$work/curl.out" "http://127.0.0.1:$PORT/big.gcm"
curl_time=$(python3 -c "print($(now) - $start)")
echo "curl: $(seconds "$curl_time") s"
rm -f "$work/curl.out"

get() {
  "$sky" get "$1" --sha256 "$sha" --size "$size" --cipher aes-256-gcm --key-file "$work/key" \
      -o "$work/out/model" --state-dir "$work/state" --quiet "${@:2}"
}
# In the background, with the JVM itself as the job: the subshell execs the launcher, which execs java.
get_in_background() {
  (exec "$sky" get "$1" --sha256 "$sha" --size "$size" --cipher aes-256-gcm --key-file "$work/key" \
      -o "$work/out/model" --state-dir "$work/state" --quiet "${@:2}") &
}
fresh() { rm -rf "$work/out" "$work/state"; }

echo "== 2. skyloader get (-Xmx64m)"
fresh
/usr/bin/time -v -o "$work/time.txt" "$sky" get "http://127.0.0.1:$PORT/big.gcm" --sha256 "$sha" --size "$size" \
    --cipher aes-256-gcm --key-file "$work/key" -o "$work/out/model" --state-dir "$work/state" --quiet
cmp "$work/plain" "$work/out/model"
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
echo "skyloader: wall $wall, peak RSS $((rss / 1024)) MiB, output byte-exact"

echo "== 3. connection cut every ${CUT_MIB} MiB"
fresh
: > "$work/counter"
python3 "$here/bench/cutting_proxy.py" --listen "$PROXY_PORT" --upstream "$PORT" \
    --cut-every $((CUT_MIB * 1024 * 1024)) --counter "$work/counter" &
pids+=($!)
sleep 0.5
start=$(now)
get "http://127.0.0.1:$PROXY_PORT/big.gcm" --reconnect 1s
cuts_time=$(python3 -c "print($(now) - $start)")
cmp "$work/plain" "$work/out/model"
fetched=$(awk '{s+=$1} END {print s}' "$work/counter")
connections=$(wc -l < "$work/counter")
python3 -c "print(f'cuts: {$connections} connections, {$fetched} bytes through the link for {$size} ({$fetched/$size:.4f} x size, headers included), $(seconds "$cuts_time") s, output byte-exact')"

echo "== 4. killed with SIGKILL ${KILLS} times"
fresh
: > "$work/logs/access.log"
for i in $(seq 1 "$KILLS"); do
  get_in_background "http://127.0.0.1:$PORT/big.gcm" --reconnect 1s
  pid=$!
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.5, 3.0), 2))')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  claimed=$(python3 -c 'import json,glob; print(json.load(open(glob.glob("'"$work"'/state/*.json")[0]))["bytes_downloaded"])' 2>/dev/null || echo 0)
  echo "kill $i: the state claims $claimed bytes"
done
get "http://127.0.0.1:$PORT/big.gcm" --reconnect 1s
cmp "$work/plain" "$work/out/model"
served=$(awk '{s+=$10} END {printf "%d", s}' "$work/logs/access.log")
python3 -c "print(f'kills: nginx sent {$served} bytes for {$size} ({$served/$size:.4f} x size) over $(wc -l < "$work/logs/access.log") requests, output byte-exact')"
