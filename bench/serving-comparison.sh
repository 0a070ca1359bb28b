#!/usr/bin/env bash
# Side by side, in one run, on the same face images (48x48 PNG crops of FER2013 validation faces):
#  1. the emotion model served the seed's way (PyTorch eager behind a Python HTTP server,
#     bench/pytorch_server.py) vs emotion-service (ONNX Runtime, Spring WebFlux) over HTTP, sequential
#     requests of 1 and of 8 images: p50/p95 latency, images/s, and the ratio; each server warmed up first (30
#     requests, and emotion-service's JVM for 20 s per batch size: it compiles its hot paths only after thousands of
#     requests, and a deployed service runs warm; PyTorch eager has no JIT to warm); then the two servers' requests
#     alternate in blocks of 20, so that both see the same host (bench/serving_client.py --versus-port);
#  2. face detection: OpenCV's Haar cascade (the seed's detector) vs YuNet (camera-service's default) on
#     the same 640x480 frames: time per frame and faces found (bench/camera's DetectorComparison tool).
#
#   bench/serving-comparison.sh [--requests 200]
#
# Needs the built emotion-service jar and bench/camera (SKIP_BUILD=1 to skip ./mvnw package), /usr/bin/python3 with
# Debian's python3-torch and python3-torchvision, the committed checkpoint. A benchmark: run it with
# nothing else busy (models/training/campaign.sh pause).
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=200
[ "${1:-}" = --requests ] && REQUESTS=$2
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  ./mvnw -B -q -pl emotion-service,bench/camera -am package -DskipTests
fi
PY=${PYTHON:-/usr/bin/python3}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
EMOTION_PORT=$(free_port); TORCH_PORT=$(free_port)
LOGS=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$LOGS"' EXIT
JAR=$(ls emotion-service/target/emotion-service-*.jar | grep -v plain | head -1)
SERVER_PORT=$EMOTION_PORT SERVER_ADDRESS=127.0.0.1 MODELS_DIR=$PWD/models java -Xmx320m -jar "$JAR" >"$LOGS/emotion.log" 2>&1 &
PIDS+=($!)
"$PY" bench/pytorch_server.py --port "$TORCH_PORT" --threads "$(nproc)" >"$LOGS/torch.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 240); do
  curl -sf "http://127.0.0.1:$EMOTION_PORT/actuator/health" 2>/dev/null | grep -q '"status":"UP"' &&
    grep -q listening "$LOGS/torch.log" && break
  sleep 0.5
done
grep -q listening "$LOGS/torch.log" || { cat "$LOGS/torch.log"; exit 1; }
FACES=(emotion-service/src/test/resources/faces/val-*.png)
# the model emotion-service serves by default (DEFAULT_MODEL): since 0.5.0 the int8 copy of the float network that
# PyTorch runs here
MODEL=$(curl -sf "http://127.0.0.1:$EMOTION_PORT/api/v1/models" | python3 -c "import json,sys; print(json.load(sys.stdin)['defaultModel'])")
echo "serving-comparison.sh, $(date -u +'%F %H:%M UTC'), $(nproc) cores; $(head -1 "$LOGS/torch.log")"
printf '%-52s %6s %9s %9s %10s\n' "server" batch "p50 ms" "p95 ms" "images/s"
for batch in 1 8; do
  # both servers in one loop, in alternating blocks of 20 requests: the host's speed drifts over minutes on a shared
  # VM, and measuring one server after the other put that drift into the ratio
  r=$("$PY" bench/serving_client.py --port "$TORCH_PORT" --kind pytorch --versus-port "$EMOTION_PORT" \
    --versus-kind emotion --batch "$batch" --requests "$REQUESTS" --warmup-seconds 20 "${FACES[@]}")
  for side in first second; do
    read -r p50 p95 ips < <(python3 -c "import json,sys; r=json.loads(sys.argv[1])[sys.argv[2]]; print(r['p50_ms'], r['p95_ms'], r['images_per_s'])" "$r" "$side")
    name="PyTorch eager + Python http.server"
    [ "$side" = second ] && name="emotion-service ($MODEL) over HTTP"
    printf '%-52s %6s %9s %9s %10s\n' "$name" "$batch" "$p50" "$p95" "$ips"
  done
  echo "  batch $batch: emotion-service is $(python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['ratio_p50'], 1))" "$r")x faster (p50)"
done
echo
SKIP_BUILD=1 bench/tool.sh camera DetectorComparison
