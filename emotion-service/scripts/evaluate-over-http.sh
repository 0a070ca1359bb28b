#!/usr/bin/env bash
# Packages emotion-service and its long runs (bench/emotion), starts the service's jar as a real process and
# runs EvaluateOverHttp against it (see README.md).
# Arguments are settings (e.g. -Dfer2013.dir=/path/to/fer2013); SKIP_BUILD=1 uses the last build.
set -euo pipefail
cd "$(dirname "$0")/../.."
bench/tool.sh emotion EvaluateOverHttp "$@" || status=$?
echo "---- bench/emotion/target/evaluation-report.txt"
cat bench/emotion/target/evaluation-report.txt 2>/dev/null || echo "(no report written)"
exit ${status:-0}
