#!/usr/bin/env bash
# Builds emotion-service, starts its jar as a real process and runs EvaluateOverHttp against it (see README.md).
# Extra arguments go to Maven (e.g. -Dsoak.minutes=10, -Dfer2013.dir=/path/to/fer2013).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -pl emotion-service -am verify -Plong-runs -Dlong-runs.groups=benchmark -Dit.test=EvaluateOverHttp \
    -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false "$@" | grep -v -e '^\[INFO\] Download' || status=$?
echo "---- emotion-service/target/evaluation-report.txt"
cat emotion-service/target/evaluation-report.txt 2>/dev/null || echo "(no report written)"
exit ${status:-0}
