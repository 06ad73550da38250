#!/usr/bin/env bash
# Benchmark of skyloader against a local nginx, every figure a ratio measured in the same run:
#   1. wall time, median of RUNS, for an encrypted (aes-256-gcm) artifact of SIZE_MIB MiB:
#        curl -o (the baseline);
#        skyloader get (SHA-256 and GCM tag verified, decrypted, fsynced; output checked with cmp);
#        what a person would do with public tools: curl -o, openssl dgst -sha256, then openssl enc -d -aes-256-ctr
#        on the body (openssl enc cannot check a GCM tag: this is GCM decryption without the tag check);
#      printed as skyloader / curl (target <= 2.0) and skyloader / that pipeline (target <= 0.6); each command starts
#      after a sync, from a page-cached artifact; curl and the pipeline do not fsync their output, skyloader does;
#   2. peak disk use during skyloader get (files under the output folder and the state dir, polled every 20 ms,
#      allocated blocks) / artifact size (target <= 1.1);
#   3. peak RSS of skyloader get at the launcher's -Xmx64m (GNU time -v), the largest of the RUNS runs of 1, in MiB;
#   4. bytes nginx sent ($body_bytes_sent) / size for a KILL_SIZE_MIB MiB artifact served at KILL_RATE_MIB MiB/s,
#      with the JVM killed by SIGKILL KILLS times, each at a random moment 0.05-1 s after its run wrote its first
#      byte, then left to finish (target <= 1.03; output checked with cmp);
#   5. restart to first request: a download of the SIZE_MIB artifact is killed once its part file holds
#      RESTART_SIZE_MIB MiB, then started again; the time from process start to the first request nginx logs
#      ($msec - $request_time) against the same for a fresh download of a 1 MiB artifact (JVM start-up through the
#      same launcher); median of RUNS each, and the difference (target <= 0.2 s);
#   and, as before, the SIZE_MIB download through a proxy that cuts the connection every CUT_MIB MiB:
#   bytes through the link / size.
# A summary table (figure, value, target) comes last. The default run takes about 2 minutes on 2 cores.
# Environment (defaults in brackets): SIZE_MIB (1024), RUNS (3), KILL_SIZE_MIB (256), KILLS (8),
# KILL_RATE_MIB (KILL_SIZE_MIB / (2 * KILLS + 4), at least 4), RESTART_SIZE_MIB (600, below SIZE_MIB), CUT_MIB (8),
# PORT (18089), PROXY_PORT (18090), RUN_LIMIT (seconds any one download or pipeline may take: 300).
# Needs nginx, curl, openssl, python3, GNU time (/usr/bin/time) and coreutils (timeout, od, cmp, sync); exits 2
# naming what is missing. Java 21+ is found (or reported missing) by ./skyloader. Helpers: bench/benchtool.py
# (timing, polling, nginx log parsing) and bench/cutting_proxy.py. Everything happens on 127.0.0.1 and in a
# temporary folder that is removed at exit; every wait is bounded.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
KILL_SIZE_MIB=${KILL_SIZE_MIB:-256}
KILLS=${KILLS:-8}
RESTART_SIZE_MIB=${RESTART_SIZE_MIB:-600}
CUT_MIB=${CUT_MIB:-8}
PORT=${PORT:-18089}
PROXY_PORT=${PROXY_PORT:-18090}
RUN_LIMIT=${RUN_LIMIT:-300}
# Each run moves about 1.5 s worth (nginx lets a response start with a burst of one second's worth, then the kill
# comes up to 1 s after the first byte written): KILLS runs take about 60% of the artifact, and the rest is left.
KILL_RATE_MIB=${KILL_RATE_MIB:-auto}
# Fast enough to reach RESTART_SIZE_MIB in seconds, slow enough to stop close to it.
RESTART_RATE_MIB=256

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sky="$here/skyloader"
tool="$here/bench/benchtool.py"

missing=()
for t in nginx curl openssl python3 timeout od cmp sync head tail; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if [ ! -x /usr/bin/time ] || [[ $(/usr/bin/time --version 2>&1) != *GNU* ]]; then
  missing+=("GNU time (/usr/bin/time)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing: ${missing[*]}; install them and run again" >&2
  exit 2
fi
positive() {
  for v in "$@"; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench: $v must be a positive whole number, not '${!v}'" >&2; exit 2; }
  done
}
positive SIZE_MIB RUNS KILL_SIZE_MIB KILLS RESTART_SIZE_MIB CUT_MIB PORT PROXY_PORT RUN_LIMIT
if [ "$KILL_RATE_MIB" = auto ]; then
  KILL_RATE_MIB=$(( KILL_SIZE_MIB / (2 * KILLS + 4) > 4 ? KILL_SIZE_MIB / (2 * KILLS + 4) : 4 ))
fi
positive KILL_RATE_MIB
[ "$RESTART_SIZE_MIB" -lt "$SIZE_MIB" ] || { echo "bench: RESTART_SIZE_MIB must be below SIZE_MIB" >&2; exit 2; }

die() { echo "bench: $*" >&2; exit 1; }
bounded() { timeout -k 5 "$RUN_LIMIT" "$@"; }
bt() { python3 "$tool" "$@"; }
began=$(date +%s)
# The jar built, and the class-data archive a device's first download writes (a 1 MiB demo, all in one process):
# the timed runs then start as a device's every later run does.
bounded "$sky" demo --size 1M --drops 0 --progress none >/dev/null 2>&1 || die "skyloader demo failed"

work="$(mktemp -d "${TMPDIR:-/tmp}/skyloader-bench.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/www" "$work/logs"
# nginx's workers run as an unprivileged user: let them read what they serve.
chmod 755 "$work" "$work/www"

echo "== making the artifacts (aes-256-gcm): ${SIZE_MIB} MiB, ${KILL_SIZE_MIB} MiB, 1 MiB"
head -c "${SIZE_MIB}M" /dev/urandom > "$work/plain"
"$sky" encrypt "$work/plain" -o "$work/www/big.gcm" --cipher aes-256-gcm --json > "$work/big.json"
bt json "$work/big.json" encryption key > "$work/key"
head -c "${KILL_SIZE_MIB}M" /dev/urandom > "$work/kill.plain"
"$sky" encrypt "$work/kill.plain" -o "$work/www/kill.gcm" --cipher aes-256-gcm --key-file "$work/key" --json \
    > "$work/kill.json"
head -c 1M /dev/urandom > "$work/small.plain"
"$sky" encrypt "$work/small.plain" -o "$work/www/small.gcm" --cipher aes-256-gcm --key-file "$work/key" --json \
    > "$work/small.json"
chmod 644 "$work/www/"*
key_hex=$(bt key-hex "$(cat "$work/key")")
size=$(bt json "$work/big.json" size)
mib=$((1024 * 1024))

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 64; }
http {
  log_format bench '\$msec \$request_time \$status \$body_bytes_sent "\$request" "\$http_range"';
  access_log $work/logs/access.log bench;
  sendfile on;
  server {
    listen 127.0.0.1:$PORT;
    root $work/www;
    # The same files, slowed down (bytes per second per connection) so that kills land mid-transfer.
    location /kill/ { alias $work/www/; limit_rate ${KILL_RATE_MIB}m; }
    location /restart/ { alias $work/www/; limit_rate ${RESTART_RATE_MIB}m; }
  }
}
CONF
nginx -e "$work/logs/error.log" -c "$work/nginx.conf" -p "$work" || die "nginx did not start (port $PORT taken?)"
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/small.gcm" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/small.gcm" || die "nginx does not answer on 127.0.0.1:$PORT"
log="$work/logs/access.log"

# skyloader get ARTIFACT(big|kill|small) URL OUTDIR [options]: the manifest's SHA-256 and size, the shared key.
# A short backoff and a bound on attempts: a failure ends the run instead of waiting for minutes. One connection,
# as curl uses: these are the figures of the one-pass data path; bench/connections.sh measures several connections.
get_args() {
  local name=$1 url=$2 dir=$3
  printf '%s\0' get "$url" --sha256 "$(bt json "$work/$name.json" sha256)" --size "$(bt json "$work/$name.json" size)" \
      --cipher aes-256-gcm --key-file "$work/key" -o "$dir/out/model" --state-dir "$dir/state" --quiet \
      --backoff 1s --max-attempts 3 --connections 1
}
get_cmd() { mapfile -d '' cmd < <(get_args "$@"); }
# In the background, with the JVM itself as the job: the subshell execs the launcher, which execs java.
get_in_background() {
  get_cmd "$@"
  (exec "$sky" "${cmd[@]}" "${@:4}") &
  pid=$!
  pids+=("$pid")
}
stop_background() { kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
fresh() { rm -rf "$1/out" "$1/state"; mkdir -p "$1"; }
part_size() { stat -c %s "$1/out/model.part" 2>/dev/null || echo 0; }
fmt() { python3 -c 'import sys; print(f"{float(sys.argv[1]):.{sys.argv[2]}f}")' "$1" "${2:-2}"; }
url="http://127.0.0.1:$PORT"

echo "== 1. ${SIZE_MIB} MiB aes-256-gcm, ${RUNS} run(s) each: curl -o | skyloader get | curl + openssl"
# The pipeline: download, hash, decrypt the body (between the 12-byte nonce and the 16-byte tag) with AES-CTR from
# the GCM body counter nonce||00000002. head then tail, not tail then head: head stopping early would kill tail
# with SIGPIPE. The hash is compared and the output checked outside the timing.
pipeline='set -euo pipefail
curl -fsS -o "$1/big.gcm" "$2"
openssl dgst -sha256 -r "$1/big.gcm" > "$1/sha"
iv="$(head -c 12 "$1/big.gcm" | od -An -tx1 -v | tr -d " \n")00000002"
head -c "$3" "$1/big.gcm" | tail -c +13 | openssl enc -d -aes-256-ctr -K "$4" -iv "$iv" -nopad > "$1/model"'
sha=$(bt json "$work/big.json" sha256)
curl_times=(); sky_times=(); pipe_times=(); rss_max=0
for r in $(seq 1 "$RUNS"); do
  rm -f "$work/curl.out"; sync
  bounded python3 "$tool" timed "$work/t" -- curl -fsS -o "$work/curl.out" "$url/big.gcm" || die "curl failed"
  curl_times+=("$(cat "$work/t")"); rm -f "$work/curl.out"

  fresh "$work/g"; sync
  get_cmd big "$url/big.gcm" "$work/g"
  bounded python3 "$tool" timed "$work/t" -- /usr/bin/time -v -o "$work/time.txt" "$sky" "${cmd[@]}" \
      || die "skyloader get failed (exit $?)"
  sky_times+=("$(cat "$work/t")")
  cmp "$work/plain" "$work/g/out/model" || die "skyloader's output differs from the plaintext"
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
  [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  fresh "$work/g"

  rm -rf "$work/pipe"; mkdir -p "$work/pipe"; sync
  bounded python3 "$tool" timed "$work/t" -- bash -c "$pipeline" pipeline "$work/pipe" "$url/big.gcm" \
      $((size - 16)) "$key_hex" || die "the curl + openssl pipeline failed (exit $?)"
  pipe_times+=("$(cat "$work/t")")
  [ "$(cut -d' ' -f1 "$work/pipe/sha")" = "$sha" ] || die "openssl dgst: wrong SHA-256"
  cmp "$work/plain" "$work/pipe/model" || die "the openssl AES-CTR output differs from the plaintext"
  rm -rf "$work/pipe"
  echo "run $r: curl $(fmt "${curl_times[-1]}") s, skyloader $(fmt "${sky_times[-1]}") s (byte-exact)," \
       "pipeline $(fmt "${pipe_times[-1]}") s (SHA-256 matches, byte-exact), skyloader peak RSS $((rss / 1024)) MiB"
done
curl_med=$(bt median "${curl_times[@]}")
sky_med=$(bt median "${sky_times[@]}")
pipe_med=$(bt median "${pipe_times[@]}")
r_curl=$(bt ratio "$sky_med" "$curl_med")
r_pipe=$(bt ratio "$sky_med" "$pipe_med")
echo "medians: curl -o $(fmt "$curl_med") s, skyloader get $(fmt "$sky_med") s," \
     "curl -o + openssl dgst -sha256 + openssl enc -d -aes-256-ctr $(fmt "$pipe_med") s"
echo "(the pipeline decrypts GCM's body with AES-CTR: openssl enc cannot check a GCM tag, so it does less" \
     "than skyloader)"
echo "skyloader / curl = $(fmt "$r_curl" 3), skyloader / pipeline = $(fmt "$r_pipe" 3)"

echo "== 2. peak disk use during skyloader get (output folder + state dir, polled every 20 ms)"
fresh "$work/g"; sync
rm -f "$work/stop"
bt peak-disk "$work/peak" "$work/stop" "$RUN_LIMIT" "$work/g/out" "$work/g/state" &
poller=$!; pids+=("$poller")
get_cmd big "$url/big.gcm" "$work/g"
bounded "$sky" "${cmd[@]}" || die "skyloader get failed (exit $?)"
touch "$work/stop"; wait "$poller"
cmp "$work/plain" "$work/g/out/model" || die "skyloader's output differs from the plaintext"
read -r peak_alloc peak_apparent < "$work/peak"
r_disk=$(bt ratio "$peak_alloc" "$size")
echo "peak $((peak_alloc / mib)) MiB allocated ($((peak_apparent / mib)) MiB apparent) for a $((size / mib)) MiB" \
     "artifact: $(fmt "$r_disk" 3) x size"
fresh "$work/g"

echo "== 3. peak RSS (launcher's -Xmx64m -XX:+UseSerialGC), from the runs of 1"
echo "peak RSS $((rss_max / 1024)) MiB (the largest of ${RUNS} run(s))"

echo "== 4. ${KILL_SIZE_MIB} MiB at ${KILL_RATE_MIB} MiB/s, SIGKILL ${KILLS} times mid-transfer, then finished"
kill_size=$(bt json "$work/kill.json" size)
fresh "$work/k"
from=$(bt log-size "$log")
kills=0
for i in $(seq 1 "$KILLS"); do
  [ -f "$work/k/out/model" ] && break
  before=$(part_size "$work/k")
  get_in_background kill "$url/kill/kill.gcm" "$work/k"
  # Wait until this run writes bytes, then kill at a random moment within the next second.
  if bt wait-size "$work/k/out/model.part" $((before + 1)) "$pid" 60; then
    sleep "0.$(printf '%03d' $((RANDOM % 950 + 50)))"
    stop_background
    kills=$((kills + 1))
    read -r claimed durable < <(bt state-marks "$work/k/state")
    echo "kill $i: part file $(part_size "$work/k") bytes (resumed from $before), the state claims $claimed" \
         "written, $durable durable"
  else
    stop_background
    echo "kill $i: the run ended or wrote nothing within 60 s" \
         "(complete: $([ -f "$work/k/out/model" ] && echo yes || echo no))"
  fi
done
get_cmd kill "$url/kill/kill.gcm" "$work/k"
bounded "$sky" "${cmd[@]}" || die "the last skyloader get after the kills failed (exit $?)"
cmp "$work/kill.plain" "$work/k/out/model" || die "skyloader's output after the kills differs from the plaintext"
read -r kill_requests served _ _ < <(bt requests "$log" "$from" /kill/)
r_kill=$(bt ratio "$served" "$kill_size")
echo "kills: ${kills} SIGKILLs, nginx sent $served bytes for $kill_size over $kill_requests requests" \
     "($(fmt "$r_kill" 4) x size), output byte-exact"
fresh "$work/k"

echo "== 5. restart to first request: a ${RESTART_SIZE_MIB} MiB partial of the ${SIZE_MIB} MiB artifact," \
     "against JVM start-up"
fresh "$work/r"
get_in_background big "$url/restart/big.gcm" "$work/r"
bt wait-size "$work/r/out/model.part" $((RESTART_SIZE_MIB * mib)) "$pid" 120 \
    || die "the download did not reach ${RESTART_SIZE_MIB} MiB"
stop_background
echo "partial: part file $(part_size "$work/r") bytes"
fresh_times=(); restart_times=()
for r in $(seq 1 "$RUNS"); do
  # A fresh download of the 1 MiB artifact: process start to first request is JVM start-up and wiring.
  fresh "$work/s"
  from=$(bt log-size "$log")
  get_cmd small "$url/restart/small.gcm" "$work/s"
  bounded python3 "$tool" stamped "$work/t0" -- "$sky" "${cmd[@]}" || die "skyloader get of the small file failed"
  cmp "$work/small.plain" "$work/s/out/model" || die "skyloader's output differs from the small plaintext"
  bt wait-request "$log" "$from" /restart/small.gcm 10 || die "nginx logged no request for the small file"
  read -r _ _ first fresh_req < <(bt requests "$log" "$from" /restart/small.gcm)
  fresh_times+=("$(python3 -c "print($first - $(cat "$work/t0"))")")

  # The restart: killed as soon as it writes (nginx logs the request when the connection closes).
  before=$(part_size "$work/r")
  from=$(bt log-size "$log")
  get_cmd big "$url/restart/big.gcm" "$work/r"
  (exec python3 "$tool" stamped "$work/t0" -- "$sky" "${cmd[@]}") &
  pid=$!; pids+=("$pid")
  bt wait-size "$work/r/out/model.part" $((before + 1)) "$pid" 60 || echo "restart $r: the run wrote nothing in 60 s"
  stop_background
  bt wait-request "$log" "$from" /restart/big.gcm 10 || die "nginx logged no request for the restarted download"
  read -r _ _ first restart_req < <(bt requests "$log" "$from" /restart/big.gcm)
  restart_times+=("$(python3 -c "print($first - $(cat "$work/t0"))")")
  echo "run $r: fresh 1 MiB download: first request after $(fmt "${fresh_times[-1]}" 3) s ($fresh_req);" \
       "restart with $before bytes: after $(fmt "${restart_times[-1]}" 3) s ($restart_req)"
done
fresh_med=$(bt median "${fresh_times[@]}")
restart_med=$(bt median "${restart_times[@]}")
d_restart=$(python3 -c "print($restart_med - $fresh_med)")
echo "medians: start-up to first request $(fmt "$fresh_med" 3) s, restart $(fmt "$restart_med" 3) s," \
     "difference $(fmt "$d_restart" 3) s"
fresh "$work/r"

echo "== extra: the ${SIZE_MIB} MiB download through a proxy that cuts the connection every ${CUT_MIB} MiB"
fresh "$work/c"
: > "$work/counter"
python3 "$here/bench/cutting_proxy.py" --listen "$PROXY_PORT" --upstream "$PORT" \
    --cut-every $((CUT_MIB * mib)) --counter "$work/counter" &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/small.gcm" 2>/dev/null && break
  sleep 0.1
done
sleep 0.5  # the proxy writes the counter after the connection closed
: > "$work/counter"
get_cmd big "http://127.0.0.1:$PROXY_PORT/big.gcm" "$work/c"
bounded python3 "$tool" timed "$work/t" -- "$sky" "${cmd[@]}" --reconnect 1s \
    || die "skyloader get through the proxy failed (exit $?)"
cmp "$work/plain" "$work/c/out/model" || die "skyloader's output through the proxy differs from the plaintext"
read -r connections through < <(python3 -c \
    'import sys; v = [int(l.split()[0]) for l in open(sys.argv[1]) if l.strip()]; print(len(v), sum(v))' "$work/counter")
r_cut=$(bt ratio "$through" "$size")
echo "cuts: $connections connections, $through bytes through the link for $size ($(fmt "$r_cut" 4) x size," \
     "headers included), $(fmt "$(cat "$work/t")") s, output byte-exact"
fresh "$work/c"

verdict() { python3 -c 'import sys; print("yes" if float(sys.argv[1]) <= float(sys.argv[2]) else "NO")' "$1" "$2"; }
echo
echo "== summary (${SIZE_MIB} MiB aes-256-gcm, median of ${RUNS}; $(( $(date +%s) - began )) s in all)"
row() { printf '%-64s %-22s %-8s %s\n' "$@"; }
row figure value target met
row "1. skyloader get / curl -o (wall)" "$(fmt "$r_curl" 3)" "<= 2.0" "$(verdict "$r_curl" 2.0)"
row "1. skyloader get / (curl -o + dgst + enc -aes-256-ctr)" "$(fmt "$r_pipe" 3)" "<= 0.6" "$(verdict "$r_pipe" 0.6)"
row "   (curl -o | skyloader get | pipeline, s)" "$(fmt "$curl_med") | $(fmt "$sky_med") | $(fmt "$pipe_med")" "" ""
row "2. peak disk use / artifact size" "$(fmt "$r_disk" 3)" "<= 1.1" "$(verdict "$r_disk" 1.1)"
row "3. peak RSS at -Xmx64m (MiB)" "$((rss_max / 1024))" "-" "-"
row "4. bytes sent / size, ${kills} SIGKILLs (${KILL_SIZE_MIB} MiB)" "$(fmt "$r_kill" 4)" "<= 1.03" \
    "$(verdict "$r_kill" 1.03)"
row "5. restart (${RESTART_SIZE_MIB} MiB partial) - fresh start, to 1st request (s)" "$(fmt "$d_restart" 3)" "<= 0.2" \
    "$(verdict "$d_restart" 0.2)"
row "   (fresh start-up | restart, s)" "$(fmt "$fresh_med" 3) | $(fmt "$restart_med" 3)" "" ""
row "   connection cut every ${CUT_MIB} MiB: bytes through link / size" "$(fmt "$r_cut" 4)" "-" "-"
