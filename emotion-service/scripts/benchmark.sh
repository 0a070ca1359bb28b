#!/usr/bin/env bash
# Packages emotion-service and its long runs (bench/emotion), starts the service's jar as a real process and
# runs HttpBenchmark against it (see README.md).
# Arguments are settings (e.g. -Dbench.seconds=10); SKIP_BUILD=1 uses the last build.
set -euo pipefail
cd "$(dirname "$0")/../.."
bench/tool.sh emotion HttpBenchmark "$@" || status=$?
echo "---- bench/emotion/target/benchmark-report.txt"
cat bench/emotion/target/benchmark-report.txt 2>/dev/null || echo "(no report written)"
exit ${status:-0}
