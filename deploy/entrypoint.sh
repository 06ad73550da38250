#!/bin/sh
# The loader container's entrypoint: runs skyloader as PID 1's only child-free process (exec), with the launcher's
# JVM flags, so that `docker stop` (SIGTERM) reaches the JVM, which stops the transfer, makes it durable and exits 75.
#   SKYLOADER_JAVA_OPTS  replaces the heap and GC flags (default: -Xmx64m -XX:+UseSerialGC)
#   SKYLOADER_JAR        the jar (default: /opt/skyloader/skyloader.jar)
#   SKYLOADER_CDS        a class-data archive the JVM creates on the first start and uses after (start-up ~0.35 s
#                        instead of ~1 s); default: $SKYLOADER_STATE_DIR/skyloader.jsa, "none" for none
set -eu

jar="${SKYLOADER_JAR:-/opt/skyloader/skyloader.jar}"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
flags="-Xlog:cds=off -Xlog:cds+dynamic=off"

version="$("$java_bin" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1)"
if [ -z "$version" ] || [ "$version" -lt 21 ]; then
  echo "skyloader: needs Java 21 or newer, found '${version:-none}'" >&2
  exit 2
fi
if [ "$version" -ge 23 ]; then
  flags="$flags --sun-misc-unsafe-memory-access=allow"
fi

cds="${SKYLOADER_CDS:-${SKYLOADER_STATE_DIR:-/var/lib/skyloader}/skyloader.jsa}"
if [ "$cds" != "none" ] && [ -w "$(dirname "$cds")" ]; then
  flags="$flags -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$cds"
fi

# Word splitting of $flags and SKYLOADER_JAVA_OPTS is meant: they are lists of flags.
# shellcheck disable=SC2086
exec "$java_bin" $flags ${SKYLOADER_JAVA_OPTS:--Xmx64m -XX:+UseSerialGC} -jar "$jar" "$@"
