#!/usr/bin/env bash
# Measures the FER2013 framing relative to YuNet boxes (see README "Crop calibration").
exec "$(dirname "$0")/tool.sh" CropCalibration --data "${FER2013_DIR:-../shared/datasets/fer2013}" "$@"
