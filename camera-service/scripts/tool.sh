#!/usr/bin/env bash
# Runs one of camera-service's test-scope tools (src/test/java/io/affectune/camera/tools) from the
# repository root: scripts/tool.sh CropCalibration --count 1200
set -euo pipefail
cd "$(dirname "$0")/../.."
tool="$1"; shift
if [[ ! -f camera-service/target/tool-classpath.txt || camera-service/pom.xml -nt camera-service/target/tool-classpath.txt ]]; then
  ./mvnw -B -q -pl camera-service dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/tool-classpath.txt >/dev/null
fi
if [[ "${SKIP_COMPILE:-}" != 1 ]]; then
  ./mvnw -B -q -pl camera-service test-compile
fi
exec java -Xmx1g -cp "camera-service/target/test-classes:camera-service/target/classes:$(cat camera-service/target/tool-classpath.txt)" \
  "io.affectune.camera.tools.$tool" "$@"
