#!/usr/bin/env bash
# Native-memory soak of camera-service (resident memory under load for --minutes, default 10), against
# the packaged camera-service and emotion-service jars. Exit status 1 when RSS grew 5 % or more.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec camera-service/scripts/tool.sh CameraSoak "$@"
