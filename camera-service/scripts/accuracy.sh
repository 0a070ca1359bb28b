#!/usr/bin/env bash
# Whole-path accuracy (detect, crop, classify) vs the model's accuracy on the same validation faces.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec camera-service/scripts/tool.sh PathAccuracy --data "${FER2013_DIR:-../shared/datasets/fer2013}" "$@"
