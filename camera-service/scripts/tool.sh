#!/usr/bin/env bash
# Runs one of camera-service's tools (bench/camera: io.affectune.bench.camera) from the repository root,
# after packaging them (SKIP_BUILD=1: use the last build): scripts/tool.sh CropCalibration --count 1200
[[ "${SKIP_COMPILE:-}" == 1 ]] && export SKIP_BUILD=1
exec "$(dirname "$0")/../../bench/tool.sh" camera "$@"
