#!/usr/bin/env bash
# emotion-service at 5x overload with and without refusal from the request head (EMOTION_SHED_EARLY), runs
# alternating in one go: the jar alone on a free port, 10 s warm-up at 64 clients, then 320 closed-loop clients of
# reliability/load.py for 15 s without back-off (a retry storm) and 15 s honouring Retry-After. Prints goodput,
# admitted p99 and the CPU the service process used (utime + stime from /proc) per run.
#
#   reliability/early-refusal-ab.sh [ROUNDS]      # default 2; build first: ./mvnw -B -q package -DskipTests
#
# Run it alone on the machine (pause the model campaign). Figures: emotion-service/README.md, "Overload".
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
jar=$(ls emotion-service/target/emotion-service-*.jar | grep -v plain | head -1)
face=emotion-service/src/test/resources/faces/val-0000-angry.png
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ticks=$(getconf CLK_TCK)
load() { /usr/bin/python3 reliability/load.py --url "http://127.0.0.1:$port/api/v1/predictions" --body "$face" \
    --content-type image/png "$@"; }
summary=$(cat <<'PY'
import json, sys
r = json.load(sys.stdin)
print(f"goodput {r['goodput_per_s']}/s, admitted p99 {r['ok_ms']['p99']} ms, "
      f"refused {r['rejected_share'] * 100:.0f}% of {r['requests']}")
PY
)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for round in $(seq 1 "$rounds"); do
  for early in true false; do
    EMOTION_SHED_EARLY=$early EMOTION_INTRA_OP_SPINNING=false SERVER_PORT=$port \
      java -Xmx512m -XX:MaxMetaspaceSize=256m -jar "$jar" > "/tmp/early-refusal-ab-$early.log" 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null' EXIT
    for _ in $(seq 1 120); do
      curl -sf "http://127.0.0.1:$port/actuator/health/readiness" > /dev/null 2>&1 && break
      sleep 1
    done
    load --concurrency 64 --seconds 10 > /dev/null
    for mode in storm honour; do
      flags=(--concurrency 320 --seconds 15)
      [ "$mode" = honour ] && flags+=(--honour-retry-after)
      before=$(cpu_ticks "$pid")
      out=$(load "${flags[@]}")
      after=$(cpu_ticks "$pid")
      echo "round $round early=$early $mode: service CPU $(echo "scale=1; ($after - $before) / $ticks" | bc) s; $(
        echo "$out" | /usr/bin/python3 -c "$summary")"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
