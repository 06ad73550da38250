#!/usr/bin/env bash
# Start-up of the launcher: wall time of `./skyloader status` on an empty state folder and of `./skyloader --help`,
# RUNS times each after RUNS warm-up runs, once a download (a 1 MiB `skyloader demo`) has written the class-data
# archive as a device's first download does; median
# and spread, against `java -version` on the same JVM (the floor no Java program goes under). Target: status median
# <= 0.5 s. Needs only bash, coreutils and a Java >= 21 (found by ./skyloader, which also builds the jar if needed).
# Environment (defaults in brackets): RUNS (9).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-9}
state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT

./skyloader --version >/dev/null   # builds the jar when it is missing or older than the sources
# A device has downloaded before: the first download writes the class-data archive every later start uses.
./skyloader demo --size 1M --drops 0 --progress none >/dev/null 2>&1
java_bin="$(command -v java || true)"
for candidate in "${SKYLOADER_JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*/bin/java; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    java_bin="$candidate"
    break
  fi
done

# Prints the median and the range of RUNS timings (seconds) of the command given.
time_it() {
  local i start end times=()
  for i in $(seq "$RUNS"); do "$@" >/dev/null 2>&1 || true; done
  for i in $(seq "$RUNS"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=("$(( (end - start) / 1000000 ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$RUNS" '
    { t[NR] = $1 }
    END { printf "%.3f s (%.3f-%.3f)\n", t[int((n + 1) / 2)] / 1000, t[1] / 1000, t[n] / 1000 }'
}

echo "== start-up, median of $RUNS (after $RUNS warm-up runs)"
s_status=$(time_it ./skyloader status --state-dir "$state")
s_help=$(time_it ./skyloader --help)
s_java=$(time_it "$java_bin" -Xshare:auto -version)
printf '%-44s %s\n' "./skyloader status (empty state folder)" "$s_status" \
  "./skyloader --help" "$s_help" \
  "$java_bin -version (the JVM alone)" "$s_java"
median=${s_status%% s*}
awk -v m="$median" 'BEGIN { printf "status median %.3f s: target <= 0.5 s %s\n", m, (m <= 0.5 ? "met" : "NOT met") }'
