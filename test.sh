#!/usr/bin/env bash
# Runs every test of the project: the Maven build with all modules' tests (real PostgreSQL,
# the real ONNX model, real images, a real browser), then the training pipeline's smoke tests.
# Extra arguments go to Maven, e.g. ./test.sh -pl playlist-service -am
set -euo pipefail
cd "$(dirname "$0")"

# Debian's python3 carries PyTorch (python3-torch); a python3 earlier on PATH may not.
PYTHON="${PYTHON:-/usr/bin/python3}"

./mvnw -B verify "$@"

# The reliability suite's fast part against the jars just built (bad-input corpus, PostgreSQL kill -9
# after acknowledged writes, session limits; README "Reliability suite"); not after a partial build.
if [ $# -eq 0 ]; then
    "$PYTHON" reliability/suite.py --fast
fi

if [ -d models/training/tests ]; then
    "$PYTHON" -m pytest -q -p no:cacheprovider models/training/tests
fi
