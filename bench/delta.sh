#!/usr/bin/env bash
# Benchmark of delta updates against a local nginx: a new version of a SIZE_MIB MiB file with CHANGED_PCT percent of
# it changed in EDITS places (overwrites, inserts and deletes in turn, spread over the file), the old version on the
# device. Every figure is measured in the same run:
#   1. bytes nginx sent ($body_bytes_sent, the control file included) / the new bytes of the new version, for
#        skyloader get --delta-index on the plain pair (cipher none),
#        skyloader get --delta-index on the aes-256-gcm pair (the control file encrypted too),
#        zsync -i OLD on the plain pair, with the control file zsyncmake wrote (when zsync is installed);
#      printed as skyloader plain / zsync (target <= 1.0) and skyloader gcm / zsync (target <= 1.1);
#   2. wall time, median of RUNS, of the plain pair: skyloader (SHA-256 verified, fsynced) / zsync (SHA-1 verified,
#      not fsynced) (target <= 1.0), each run from the old version copied into place and a sync;
#   3. bytes nginx sent for the gcm delta with the JVM killed by SIGKILL KILLS times, each at a random moment while
#      the gaps arrive (served at KILL_RATE_MIB MiB/s: 0.3-1.5 s after the state records the scan), then left to
#      finish / the bytes of one such delta (target <= 1.05);
#   every output is checked with cmp.
# Environment (defaults in brackets): SIZE_MIB (1024), EDITS (16), CHANGED_PCT (4), RUNS (3), KILLS (3),
# KILL_RATE_MIB (8), PORT (18093), RUN_LIMIT (seconds any one command may take: 300).
# Needs nginx, python3 and coreutils (timeout, cmp, sync); zsync and zsyncmake are optional (the zsync figures are
# left out without them). Java 21+ is found (or reported missing) by ./skyloader. Everything happens on 127.0.0.1 and
# in a temporary folder that is removed at exit; about 4 x SIZE_MIB of disk is used. Takes about 2 minutes.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
EDITS=${EDITS:-16}
CHANGED_PCT=${CHANGED_PCT:-4}
RUNS=${RUNS:-3}
KILLS=${KILLS:-3}
KILL_RATE_MIB=${KILL_RATE_MIB:-8}
PORT=${PORT:-18093}
RUN_LIMIT=${RUN_LIMIT:-300}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sky="$here/skyloader"
tool="$here/bench/benchtool.py"

missing=()
for t in nginx python3 timeout cmp sync sha256sum; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing: ${missing[*]}; install them and run again" >&2
  exit 2
fi
for v in SIZE_MIB EDITS CHANGED_PCT RUNS KILLS KILL_RATE_MIB PORT RUN_LIMIT; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench: $v must be a positive whole number, not '${!v}'" >&2; exit 2; }
done
have_zsync=0
command -v zsync >/dev/null 2>&1 && command -v zsyncmake >/dev/null 2>&1 && have_zsync=1

die() { echo "bench: $*" >&2; exit 1; }
bounded() { timeout -k 5 "$RUN_LIMIT" "$@"; }
bt() { python3 "$tool" "$@"; }
bounded "$sky" demo --size 1M --drops 0 --progress none >/dev/null 2>&1 || die "skyloader demo failed"

work=$(mktemp -d "${TMPDIR:-/tmp}/skyloader-delta.XXXXXX")
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/www" "$work/logs" "$work/dev" "$work/zs"
# nginx's workers run as another user: they must be able to reach the files.
chmod 755 "$work" "$work/www"
cd "$work"

size=$((SIZE_MIB * 1024 * 1024))
edit=$((size / 100 * CHANGED_PCT / EDITS))
echo "making the pair: $SIZE_MIB MiB, $EDITS edits of $edit bytes" >&2
new_bytes=$(python3 - "$work/old.bin" "$work/new.bin" "$size" "$EDITS" "$edit" <<'PY'
import random, sys
old, new, size, edits, edit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
r = random.Random(7)
chunk = 1 << 20
with open(old, "wb") as f:
    left = size
    while left:
        n = min(chunk, left); f.write(r.randbytes(n)); left -= n
step = size // edits
positions = [i * step + r.randrange(0, step - edit) for i in range(edits)]
added = 0
with open(old, "rb") as src, open(new, "wb") as dst:
    at = 0
    for k, pos in enumerate(positions):
        while at < pos:
            n = min(chunk, pos - at); dst.write(src.read(n)); at += n
        kind = k % 3
        if kind == 0:    # overwrite
            dst.write(r.randbytes(edit)); src.seek(edit, 1); at += edit; added += edit
        elif kind == 1:  # insert
            dst.write(r.randbytes(edit)); added += edit
        else:            # delete
            src.seek(edit, 1); at += edit
    while True:
        b = src.read(chunk)
        if not b:
            break
        dst.write(b)
print(added)
PY
)

# The publisher: skyloader encrypt --delta-index for both pairs; zsyncmake for zsync.
bounded "$sky" encrypt new.bin -o www/new.none --cipher none --delta-index >/dev/null || die "encrypt none failed"
bounded "$sky" encrypt new.bin -o www/new.gcm --cipher aes-256-gcm --delta-index --key-out key >/dev/null \
  || die "encrypt gcm failed"
if [ $have_zsync = 1 ]; then
  ln www/new.none www/new.bin
  (cd www && bounded zsyncmake -o new.bin.zsync -u new.bin new.bin 2>/dev/null) || die "zsyncmake failed"
fi
chmod 644 www/*
sha_none=$(sha256sum www/new.none | cut -d' ' -f1)
sha_gcm=$(sha256sum www/new.gcm | cut -d' ' -f1)

cat > nginx.conf <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 64; }
http {
  log_format bytes '\$body_bytes_sent';
  access_log $work/logs/bytes.log bytes;
  sendfile on;
  server {
    listen 127.0.0.1:$PORT;
    root $work/www;
    location /slow/ { alias $work/www/; limit_rate $((KILL_RATE_MIB * 1024 * 1024)); }
  }
}
CONF
nginx -e "$work/logs/error.log" -c "$work/nginx.conf" -p "$work" || die "nginx did not start (port $PORT taken?)"
url="http://127.0.0.1:$PORT"
sent() { awk '{s += $1} END {print s + 0}' "$work/logs/bytes.log"; }
reset_log() { : > "$work/logs/bytes.log"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
now() { date +%s.%N; }

# sky_delta CIPHER SHA URL_PREFIX: one device run from the old version, the output checked.
sky_delta() {
  local cipher=$1 sha=$2 prefix=$3
  rm -rf dev/state && cp old.bin dev/model.bin && sync
  local key=()
  [ "$cipher" = gcm ] && key=(--cipher aes-256-gcm --key-file key)
  bounded "$sky" get "$url$prefix/new.$cipher" --sha256 "$sha" -o dev/model.bin "${key[@]}" --delta-index auto \
    --state-dir dev/state --quiet --reconnect none "${@:4}"
}

declare -a sky_times zsync_times
echo "plain pair: skyloader, $RUNS runs" >&2
for i in $(seq 1 "$RUNS"); do
  reset_log
  t0=$(now); sky_delta none "$sha_none" "" || die "skyloader get (plain) failed"; t1=$(now)
  cmp -s dev/model.bin new.bin || die "skyloader's output differs from the new version (plain)"
  sky_times+=("$(python3 -c "print($t1 - $t0)")")
  sky_plain_bytes=$(sent)
done
echo "gcm pair: skyloader" >&2
reset_log
sky_delta gcm "$sha_gcm" "" || die "skyloader get (gcm) failed"
cmp -s dev/model.bin new.bin || die "skyloader's output differs from the new version (gcm)"
sky_gcm_bytes=$(sent)

if [ $have_zsync = 1 ]; then
  echo "plain pair: zsync, $RUNS runs" >&2
  for i in $(seq 1 "$RUNS"); do
    rm -f zs/new.bin zs/new.bin.part zs/new.bin.zs-old && cp old.bin zs/old.bin && sync
    reset_log
    t0=$(now); (cd zs && bounded zsync -q -i old.bin -o new.bin "$url/new.bin.zsync" >/dev/null 2>&1) \
      || die "zsync failed"; t1=$(now)
    cmp -s zs/new.bin new.bin || die "zsync's output differs from the new version"
    zsync_times+=("$(python3 -c "print($t1 - $t0)")")
    zsync_bytes=$(sent)
  done
fi

echo "gcm pair: $KILLS kills while the gaps arrive at $KILL_RATE_MIB MiB/s" >&2
reset_log
sky_delta gcm "$sha_gcm" "/slow" || die "skyloader get (gcm, slow) failed"
one_slow=$(sent)
rm -rf dev/state && cp old.bin dev/model.bin && sync
reset_log
for k in $(seq 1 "$KILLS"); do
  "$sky" get "$url/slow/new.gcm" --sha256 "$sha_gcm" -o dev/model.bin --cipher aes-256-gcm --key-file key \
    --delta-index auto --state-dir dev/state --quiet --reconnect none >/dev/null 2>&1 &
  pid=$!
  # A random moment while the gaps arrive: once the state records the scan (bytes_reused), 0.3-1.5 s later.
  python3 - "$work/dev/state" "$pid" "$RUN_LIMIT" <<'PY' || die "the scan was not recorded in time"
import glob, json, os, sys, time
folder, pid, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline = time.time() + limit
while time.time() < deadline:
    for name in glob.glob(os.path.join(folder, "*.json")):
        try:
            if "bytes_reused" in json.load(open(name)):
                sys.exit(0)
        except (OSError, ValueError):
            pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(1)
    time.sleep(0.02)
sys.exit(1)
PY
  sleep "$(python3 -c "import random; print(round(random.uniform(0.3, 1.5), 2))")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
bounded "$sky" get "$url/slow/new.gcm" --sha256 "$sha_gcm" -o dev/model.bin --cipher aes-256-gcm --key-file key \
  --delta-index auto --state-dir dev/state --quiet --reconnect none >/dev/null || die "the last run failed"
cmp -s dev/model.bin new.bin || die "the output after kills differs from the new version"
killed_bytes=$(sent)

ratio() { python3 -c "print(f'{$1 / $2:.4f}')"; }
echo
printf '%-58s %14s %s\n' "figure" "value" "target"
printf '%-58s %14s %s\n' "new bytes in the new version" "$new_bytes" ""
printf '%-58s %14s %s\n' "skyloader plain: bytes sent" "$sky_plain_bytes" ""
printf '%-58s %14s %s\n' "skyloader plain: bytes sent / new bytes" "$(ratio "$sky_plain_bytes" "$new_bytes")" ""
printf '%-58s %14s %s\n' "skyloader gcm: bytes sent" "$sky_gcm_bytes" ""
printf '%-58s %14s %s\n' "skyloader gcm: bytes sent / new bytes" "$(ratio "$sky_gcm_bytes" "$new_bytes")" ""
sky_median=$(median "${sky_times[@]}")
printf '%-58s %14s %s\n' "skyloader plain: wall time, median of $RUNS (s)" "$(printf '%.2f' "$sky_median")" ""
if [ $have_zsync = 1 ]; then
  zsync_median=$(median "${zsync_times[@]}")
  printf '%-58s %14s %s\n' "zsync plain: bytes sent" "$zsync_bytes" ""
  printf '%-58s %14s %s\n' "zsync plain: wall time, median of $RUNS (s)" "$(printf '%.2f' "$zsync_median")" ""
  printf '%-58s %14s %s\n' "skyloader plain / zsync: bytes" "$(ratio "$sky_plain_bytes" "$zsync_bytes")" "<= 1.0"
  printf '%-58s %14s %s\n' "skyloader gcm / zsync plain: bytes" "$(ratio "$sky_gcm_bytes" "$zsync_bytes")" "<= 1.1"
  printf '%-58s %14s %s\n' "skyloader plain / zsync: wall time" "$(ratio "$sky_median" "$zsync_median")" "<= 1.0"
else
  echo "(zsync and zsyncmake are not installed: no zsync figures)"
fi
printf '%-58s %14s %s\n' "gcm delta with $KILLS kills / one delta: bytes" "$(ratio "$killed_bytes" "$one_slow")" "<= 1.05"
