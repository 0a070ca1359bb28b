#!/usr/bin/env bash
# Which JVM settings should the launcher and the images use? Measures, in one run, for each mode:
#   c1      -XX:TieredStopAtLevel=1 (C1 only: what ./run.sh used to start every JVM with)
#   tiered  the JVM's default tiered compilation (C1, then C2 for hot code)
#   cds     tiered + an application class-data-sharing archive made by a training run
#           (Spring Boot's CDS support: jar extracted with -Djarmode=tools, -XX:ArchiveClassesAtExit at
#           -Dspring.context.exit=onRefresh, then -XX:SharedArchiveFile)
# the start time of the four services started together (JVM launch to /actuator/health UP) and, after a
# warm-up, steady-state goodput and latency of POST /api/v1/predictions (emotion), POST /api/v1/analyze
# (camera, a 640x480 JPEG with one face) and GET /api/v1/playlists/happy (playlist), then each service's RSS.
#
#   bench/jvm-modes.sh [--modes "c1 tiered cds"] [--warmup 20] [--seconds 15]
#
# Needs the built jars (SKIP_BUILD=1 to skip ./mvnw package), PostgreSQL at 127.0.0.1:5432 (trust auth;
# a database affectune_jvm_bench is made), python3. Pause other CPU work while it runs: it is a benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODES="c1 tiered cds"; WARMUP=20; SECONDS_EACH=15
while [ $# -gt 0 ]; do
  case "$1" in
    --modes) MODES=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  ./mvnw -B -q -pl gateway,camera-service,emotion-service,playlist-service -am package -DskipTests
fi
WORK=$(mktemp -d /tmp/jvm-modes.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
jar_of() { ls "$ROOT/$1"/target/"$1"-*.jar | grep -v -e plain -e sources | head -1; }
SERVICES="emotion-service playlist-service camera-service gateway"
declare -A PORT HEAP
for s in $SERVICES; do PORT[$s]=$(free_port); HEAP[$s]=256m; done
HEAP[emotion-service]=320m
DB=affectune_jvm_bench
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres

env_of() { # service -> environment for it
  echo "SERVER_PORT=${PORT[$1]} SERVER_ADDRESS=127.0.0.1 MODELS_DIR=$ROOT/models \
DATABASE_URL=jdbc:postgresql://127.0.0.1:5432/$DB DATABASE_USERNAME=postgres \
EMOTION_SERVICE_URL=http://127.0.0.1:${PORT[emotion-service]} PLAYLIST_SERVICE_URL=http://127.0.0.1:${PORT[playlist-service]} \
CAMERA_SERVICE_URL=http://127.0.0.1:${PORT[camera-service]} RATE_LIMIT_ENABLED=false"
}

# CDS: extract each jar and record the classes a start loads (once, before the timed runs)
if [[ " $MODES " == *" cds "* ]]; then
  for s in $SERVICES; do
    mkdir -p "$WORK/cds"
    java -Djarmode=tools -jar "$(jar_of "$s")" extract --destination "$WORK/cds/$s" >/dev/null
    env $(env_of "$s") java -Xmx"${HEAP[$s]}" -XX:ArchiveClassesAtExit="$WORK/cds/$s/app.jsa" \
        -Dspring.context.exit=onRefresh -jar "$WORK/cds/$s/$(basename "$(jar_of "$s")")" >"$WORK/cds-$s.log" 2>&1 || true
    [ -f "$WORK/cds/$s/app.jsa" ] || { echo "no CDS archive for $s (see below)" >&2; tail -20 "$WORK/cds-$s.log" >&2; exit 1; }
  done
fi

command_of() { # mode service
  local jar; jar=$(jar_of "$2")
  case "$1" in
    c1) echo "java -Xmx${HEAP[$2]} -XX:TieredStopAtLevel=1 -jar $jar" ;;
    tiered) echo "java -Xmx${HEAP[$2]} -jar $jar" ;;
    cds) echo "java -Xmx${HEAP[$2]} -XX:SharedArchiveFile=$WORK/cds/$2/app.jsa -Xlog:cds=off -jar $WORK/cds/$2/$(basename "$jar")" ;;
  esac
}

load() { # label url body content-type concurrency seconds warmup
  local args=(--url "$2" --concurrency "$5" --seconds "$6" --warmup "$7")
  [ -n "$3" ] && args+=(--body "$3" --content-type "$4")
  python3 reliability/load.py "${args[@]}"
}

FACE=emotion-service/src/test/resources/faces/val-0000-angry.png
FRAME=bench/frames/one-face-640x480.jpg
printf '%-7s %-17s %8s | %-38s | %8s %8s %8s\n' mode service start_s "steady state (after ${WARMUP}s warm-up, ${SECONDS_EACH}s)" "req/s" "p50 ms" "p95 ms" > "$WORK/table"
for mode in $MODES; do
  PIDS=()
  start=$(date +%s.%N)
  for s in $SERVICES; do
    env $(env_of "$s") $(command_of "$mode" "$s") >"$WORK/$mode-$s.log" 2>&1 &
    PIDS+=($!)
  done
  declare -A UP=()
  for _ in $(seq 1200); do
    for s in $SERVICES; do
      if [ -z "${UP[$s]:-}" ] && curl -sf "http://127.0.0.1:${PORT[$s]}/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; then
        UP[$s]=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
      fi
    done
    [ "${#UP[@]}" -eq 4 ] && break
    sleep 0.1
  done
  for s in $SERVICES; do
    [ -n "${UP[$s]:-}" ] || { echo "$s did not start in $mode mode:" >&2; tail -30 "$WORK/$mode-$s.log" >&2; exit 1; }
  done
  all=$(printf '%s\n' "${UP[@]}" | sort -n | tail -1)
  declare -A RESULT=()
  RESULT[emotion-service]=$(load emotion "http://127.0.0.1:${PORT[emotion-service]}/api/v1/predictions" "$FACE" image/png 4 "$SECONDS_EACH" "$WARMUP")
  RESULT[camera-service]=$(load camera "http://127.0.0.1:${PORT[camera-service]}/api/v1/analyze" "$FRAME" image/jpeg 2 "$SECONDS_EACH" "$WARMUP")
  RESULT[playlist-service]=$(load playlist "http://127.0.0.1:${PORT[playlist-service]}/api/v1/playlists/happy" "" "" 4 "$SECONDS_EACH" "$WARMUP")
  for s in $SERVICES; do
    i=0; for p in $SERVICES; do [ "$p" = "$s" ] && break; i=$((i+1)); done
    rss=$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/${PIDS[$i]}/status" 2>/dev/null || echo "?")
    case "$s" in
      emotion-service) what="POST /api/v1/predictions (48x48 PNG), 4 clients" ;;
      camera-service) what="POST /api/v1/analyze (640x480 JPEG), 2 clients" ;;
      playlist-service) what="GET /api/v1/playlists/happy, 4 clients" ;;
      *) what="(start time only)" ;;
    esac
    if [ -n "${RESULT[$s]:-}" ]; then
      read -r rps p50 p95 other < <(python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(r['goodput_per_s'], r['ok_ms']['p50'], r['ok_ms']['p95'], r['other']+r['shed'])" "${RESULT[$s]}")
      [ "$other" = 0 ] || what="$what ($other not 2xx!)"
    else
      rps=-; p50=-; p95=-
    fi
    printf '%-7s %-17s %8s | %-38s | %8s %8s %8s   RSS %s MB\n' "$mode" "$s" "${UP[$s]}" "$what" "$rps" "$p50" "$p95" "$rss" >> "$WORK/table"
  done
  printf '%-7s %-17s %8s\n' "$mode" "all four healthy" "$all" >> "$WORK/table"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  unset UP RESULT
done
echo "bench/jvm-modes.sh, $(date -u +'%F %H:%M UTC'), $(nproc) cores, java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
cat "$WORK/table"
