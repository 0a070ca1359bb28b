#!/usr/bin/env bash
# Runs one of the Java tools of bench/camera or bench/emotion (benchmarks, soaks, accuracy, calibration) from
# the repository root, with the reactor's jars:
#
#   bench/tool.sh camera CropCalibration --count 1200
#   bench/tool.sh emotion HttpBenchmark -Dbench.seconds=10
#
# Packages the tool's module and everything it needs first (./mvnw -pl bench/<family> -am package), unless
# SKIP_BUILD=1 (then the last build is used). Arguments starting with -D are Java system properties; the
# others go to the tool. TOOL_JAVA_OPTS replaces the JVM options [-Xmx1g].
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ] || [ ! -f "bench/$1/pom.xml" ]; then
  echo "usage: bench/tool.sh camera|emotion <Tool> [-Dname=value...] [tool arguments]" >&2
  exit 2
fi
family=$1 tool=$2
shift 2
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  ./mvnw -B -q -pl "bench/$family" -am package -DskipTests
fi
if [[ ! -f "bench/$family/target/classpath.txt" || ! -d "bench/$family/target/classes" ]]; then
  echo "bench/$family is not built: run without SKIP_BUILD=1, or ./mvnw -B -q -pl bench/$family -am package -DskipTests" >&2
  exit 2
fi
properties=() arguments=()
for a in "$@"; do
  case "$a" in -D*) properties+=("$a") ;; *) arguments+=("$a") ;; esac
done
exec java ${TOOL_JAVA_OPTS:--Xmx1g} "${properties[@]}" -cp "bench/$family/target/classes:$(cat "bench/$family/target/classpath.txt")" \
  "io.affectune.bench.$family.$tool" "${arguments[@]}"
