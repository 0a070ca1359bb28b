#!/usr/bin/env bash
# Latency of POST /api/v1/analyze and 4 WebSocket sessions at 10 frames/s, against the packaged
# camera-service and emotion-service jars (started on free ports with the model in MODELS_DIR or models/).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec camera-service/scripts/tool.sh CameraBenchmark "$@"
