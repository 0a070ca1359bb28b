#!/usr/bin/env bash
# Affectune without Docker: builds, starts PostgreSQL (embedded, or yours via DATABASE_URL) and every
# service that exists, waits until each is healthy, restarts any that exits (with back-off, like compose's
# restart: unless-stopped), and stops all of them on Ctrl-C / SIGTERM.
# ./run.sh --help for the options. Written for bash 3.2+ (macOS) and Linux.
set -uo pipefail

cd "$(dirname "$0")" || exit 1
ROOT=$(pwd)

usage() {
    cat <<'EOF'
Usage: ./run.sh [--check] [--no-build] [--help]

Builds the project (./mvnw -B -q -DskipTests package), starts PostgreSQL and every service that
exists, waits for each /actuator/health to be UP, prints the URLs, and keeps running until
Ctrl-C (or SIGTERM), which stops every service and then PostgreSQL. A service or the embedded
PostgreSQL that exits meanwhile is restarted after 1, 2, 4 ... up to RESTART_MAX_DELAY seconds
(the count starts again once it has run for RESTART_RESET seconds); the others keep running.

  --check      non-interactive: start everything, print each service's health, run a smoke
               request against each, stop everything; exit 0 only if all of it worked (for CI)
  --no-build   do not build (same as SKIP_BUILD=1); the jars under */target must exist
  -h, --help   this text

Environment (defaults in brackets; docker-compose.yml reads the same names):
  SKIP_BUILD=1               skip the Maven build [0]
  GATEWAY_PORT               gateway and dashboard [8080]
  GATEWAY_BIND_ADDRESS       interface the gateway listens on; the services behind it listen
                             on 127.0.0.1 only [0.0.0.0; 127.0.0.1 keeps everything local]
  CAMERA_SERVICE_PORT        camera-service [8081]
  EMOTION_SERVICE_PORT       emotion-service [8082]
  PLAYLIST_SERVICE_PORT      playlist-service [8083]
  DATABASE_URL               use this PostgreSQL instead of the embedded one
                             (jdbc:postgresql://host:port/db or postgresql://user:pass@host:port/db)
  DATABASE_USERNAME / DATABASE_PASSWORD   credentials for DATABASE_URL [postgres / empty]
  EMBEDDED_DB_PORT           port of the embedded PostgreSQL [5433]
  AFFECTUNE_DATA_DIR         embedded database (<dir>/postgres) and logs (<dir>/logs) [./.data]
  MODELS_DIR                 model directory [./models]
  DEFAULT_MODEL              emotion model id [effnetb3-fer2013-int8]
  ADMIN_TOKEN                enables curated-playlist writes in playlist-service [unset]
  CAMERA_INSTANCE_ID         camera-service's name in the ids of its sessions, for several instances
                             behind one gateway (docs/operating.md, "Scaling") [empty: one instance,
                             plain UUIDs; the gateway's CAMERA_INSTANCE_URL / _NAMES are then unused]
  EMOTION_INTRA_OP_SPINNING  whether emotion-service's ONNX intra-op threads busy-wait for work [false here:
                             all services share this machine's cores; 8 camera streams x 10 fps went from
                             49.7 to 57.9 frames/s processed with it off (camera-service README, Figures).
                             Moot with emotion-service's default of one intra-op thread per run; it matters
                             when EMOTION_INTRA_OP_THREADS is set above 1]
  LOG_FORMAT                 text or json [text]
  OTLP_TRACING_ENABLED       true: every service sends its spans to OTLP_TRACING_ENDPOINT [false]
  OTLP_TRACING_ENDPOINT      OTLP/HTTP traces endpoint [http://localhost:4318/v1/traces], e.g. a Jaeger
                             all-in-one on this machine; trace and span ids are in the logs either way
  TRACING_SAMPLING_PROBABILITY   share of requests traced and exported [1.0]
  JAVA_OPTS                  extra JVM options for every service [empty: full tiered JIT];
                             they come after the flags below, so they can override them
  JVM_CDS                    true: a service's first start after a build runs C1-only and records a
                             class-data-sharing archive (written when it stops); later starts map it and
                             run the full JIT: faster than C1-only to start, C2's steady state
                             (bench/jvm-modes.sh, docs/operating.md); false: no archive [true]
  SERVICE_HEAP               heap cap (-Xmx) of playlist-service, camera-service and gateway [256m]
  PLAYLIST_SERVICE_HEAP / CAMERA_SERVICE_HEAP / GATEWAY_HEAP   one service's cap [SERVICE_HEAP]
  EMOTION_SERVICE_HEAP       heap cap of emotion-service (decoded images, batches) [320m]
  EMOTION_SERVICE_JAVA_OPTS  JVM options of emotion-service only [-XX:ThreadPriorityPolicy=1 and
                             -XX:JavaPriority6..10_To_OSPriority=0: the JVM then applies thread
                             priorities, so the inference threads of the streams' label refreshes run
                             below those of requests someone waits for (emotion-service README, "Lanes"),
                             and its own threads stay at nice 0 also as root]
                             Every service also runs with -XX:MaxMetaspaceSize=256m and
                             -XX:+ExitOnOutOfMemoryError (a JVM out of memory exits and is restarted
                             like any other exit). Heap + native memory stays below 768 MB per service.
  HEALTH_TIMEOUT             seconds to wait for all services to become healthy [240]
  STOP_TIMEOUT               seconds a process gets to stop before it is killed [30]
  RESTART_MAX_DELAY          longest wait before restarting a process that exited [30]
  RESTART_RESET              seconds of running after which its back-off starts again [60]

Logs: <AFFECTUNE_DATA_DIR>/logs/<service>.log (the previous run's in <service>.log.1).
EOF
}

MODE=run
for arg in "$@"; do
    case "$arg" in
        --check) MODE=check ;;
        --no-build) SKIP_BUILD=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option '$arg' (see ./run.sh --help)" >&2; exit 2 ;;
    esac
done

SKIP_BUILD=${SKIP_BUILD:-0}
GATEWAY_PORT=${GATEWAY_PORT:-8080}
GATEWAY_BIND_ADDRESS=${GATEWAY_BIND_ADDRESS:-0.0.0.0}
CAMERA_SERVICE_PORT=${CAMERA_SERVICE_PORT:-8081}
EMOTION_SERVICE_PORT=${EMOTION_SERVICE_PORT:-8082}
PLAYLIST_SERVICE_PORT=${PLAYLIST_SERVICE_PORT:-8083}
EMBEDDED_DB_PORT=${EMBEDDED_DB_PORT:-5433}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-240}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}
RESTART_MAX_DELAY=${RESTART_MAX_DELAY:-30}
RESTART_RESET=${RESTART_RESET:-60}
# Full tiered JIT plus a class-data-sharing archive, chosen by measurement (bench/jvm-modes.sh, 2 cores:
# all four healthy in 15.2 s with CDS, 16.3 s C1-only, 26.7 s tiered without CDS; playlist-service
# answers 2.3x the requests with C2 than C1-only). JAVA_OPTS=-XX:TieredStopAtLevel=1 brings back C1-only.
JAVA_OPTS=${JAVA_OPTS-}
JVM_CDS=${JVM_CDS:-true}
# Explicit heap caps, so that no JVM sizes its heap from the machine (a quarter of its memory) and every
# service's resident memory stays below 768 MB. Measured under load with a 256 MiB heap (the soak runs of
# the module READMEs): camera-service 517 MiB, emotion-service 624 MiB resident; emotion-service gets a
# little more for decoded images and batches. The same flags as the images (Dockerfile): a metaspace cap
# (a class-loading leak fails instead of growing) and exit on OutOfMemoryError (restarted below).
SERVICE_HEAP=${SERVICE_HEAP:-256m}
EMOTION_SERVICE_HEAP=${EMOTION_SERVICE_HEAP:-320m}
JVM_LIMITS="-XX:MaxMetaspaceSize=256m -XX:+ExitOnOutOfMemoryError"
# emotion-service's background lane runs at the lowest thread priority (nice 4), which the JVM ignores on Linux
# without ThreadPriorityPolicy=1. Run as root, that flag would also raise the JVM's own threads (GC, JIT, reference
# handling: Java priorities 6-10) to nice -1 to -5; mapping those to 0 keeps them where the image's unprivileged
# user has them (it cannot raise a priority).
EMOTION_SERVICE_JAVA_OPTS=${EMOTION_SERVICE_JAVA_OPTS--XX:ThreadPriorityPolicy=1 -XX:JavaPriority6_To_OSPriority=0 \
-XX:JavaPriority7_To_OSPriority=0 -XX:JavaPriority8_To_OSPriority=0 -XX:JavaPriority9_To_OSPriority=0 \
-XX:JavaPriority10_To_OSPriority=0}
for heap_var in SERVICE_HEAP EMOTION_SERVICE_HEAP PLAYLIST_SERVICE_HEAP CAMERA_SERVICE_HEAP GATEWAY_HEAP; do
    if [ -n "${!heap_var:-}" ] && ! [[ ${!heap_var} =~ ^[0-9]+[kKmMgG]?$ ]]; then
        echo "run.sh: $heap_var='${!heap_var}' is not a heap size like 256m or 1g" >&2
        exit 2
    fi
done
DATA_DIR=${AFFECTUNE_DATA_DIR:-$ROOT/.data}
case "$DATA_DIR" in /*) ;; *) DATA_DIR="$ROOT/$DATA_DIR" ;; esac
LOG_DIR="$DATA_DIR/logs"

# The service set and start order (also the docker-compose.yml service names).
SERVICES="playlist-service emotion-service camera-service gateway"

port_of() {
    case "$1" in
        gateway) echo "$GATEWAY_PORT" ;;
        camera-service) echo "$CAMERA_SERVICE_PORT" ;;
        emotion-service) echo "$EMOTION_SERVICE_PORT" ;;
        playlist-service) echo "$PLAYLIST_SERVICE_PORT" ;;
    esac
}

say() { printf '[run.sh] %s\n' "$*"; }
fail() { printf '[run.sh] ERROR: %s\n' "$*" >&2; }

# --- processes we started: "name:pid" words ---------------------------------------------------
STARTED=""
SLEEP_PID=""
POSTGRES_PID=""
STOPPING=0

is_running() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Signal the process and, when it leads its own process group (setsid), anything it spawned.
signal_tree() {
    local sig=$1 pid=$2
    if [ "$HAVE_SETSID" = 1 ]; then
        kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null
    else
        kill "-$sig" "$pid" 2>/dev/null
    fi
}

wait_for_exit() { # pid timeout-seconds -> 0 when gone
    local pid=$1 deadline=$((SECONDS + $2))
    while is_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    ! is_running "$pid"
}

stop_all() {
    [ "$STOPPING" = 1 ] && return
    STOPPING=1
    trap '' INT TERM HUP
    local entry name pid
    is_running "$SLEEP_PID" && kill "$SLEEP_PID" 2>/dev/null
    if [ -n "$STARTED" ]; then
        say "stopping services..."
        # every service at once (each runs its own graceful shutdown), PostgreSQL after them
        for entry in $STARTED; do signal_tree TERM "${entry#*:}"; done
        for entry in $STARTED; do
            name=${entry%%:*}
            pid=${entry#*:}
            if ! wait_for_exit "$pid" "$STOP_TIMEOUT"; then
                fail "$name (pid $pid) did not stop within ${STOP_TIMEOUT}s: killing it"
                signal_tree KILL "$pid"
            fi
            wait "$pid" 2>/dev/null
            say "stopped $name"
        done
    fi
    if [ -n "$POSTGRES_PID" ]; then
        # the launcher alone: it stops the server with pg_ctl stop -m fast. A SIGTERM to its process group
        # would also reach the postmaster, whose answer to SIGTERM is a smart shutdown that waits for
        # every client connection to close.
        kill -TERM "$POSTGRES_PID" 2>/dev/null
        if ! wait_for_exit "$POSTGRES_PID" "$STOP_TIMEOUT"; then
            fail "PostgreSQL launcher (pid $POSTGRES_PID) did not stop within ${STOP_TIMEOUT}s: killing it"
            signal_tree KILL "$POSTGRES_PID"
        fi
        wait "$POSTGRES_PID" 2>/dev/null
        say "stopped PostgreSQL (data kept in $DATA_DIR/postgres)"
    fi
}

on_signal() {
    echo
    say "$1 received"
    stop_all
    exit 130
}
trap 'on_signal SIGINT' INT
trap 'on_signal SIGTERM' TERM
trap 'on_signal SIGHUP' HUP
trap 'stop_all' EXIT

if command -v setsid >/dev/null 2>&1; then HAVE_SETSID=1; else HAVE_SETSID=0; fi

# Start a command in the background in its own process group (so Ctrl-C in the terminal reaches
# only this script, which then stops everything in order), output to a log file. Sets LAST_PID.
start_background() { # log-file command...
    local log=$1; shift
    [ -f "$log" ] && mv -f "$log" "$log.1"
    if [ "$HAVE_SETSID" = 1 ]; then
        setsid "$@" >"$log" 2>&1 </dev/null &
    else
        "$@" >"$log" 2>&1 </dev/null &
    fi
    LAST_PID=$!
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

show_log_tail() { # log-file
    echo "----- last lines of $1 -----" >&2
    tail -n 40 "$1" >&2
    echo "-----" >&2
}

# --- prerequisites -------------------------------------------------------------------------------
if ! command -v java >/dev/null 2>&1; then
    fail "java not found: install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk)"
    exit 1
fi
java_major=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}' | awk -F. '{ if ($1 == 1) print $2; else print $1 }')
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
    fail "Java 17 or newer is needed, found: $(java -version 2>&1 | head -1)"
    exit 1
fi
if ! command -v curl >/dev/null 2>&1; then
    fail "curl not found (used for health checks): install curl"
    exit 1
fi
mkdir -p "$LOG_DIR"

if [ "$SKIP_BUILD" != 1 ]; then
    say "building (./mvnw -B -q -DskipTests package; SKIP_BUILD=1 or --no-build skips this)..."
    build_started=$SECONDS
    if ! ./mvnw -B -q -DskipTests package; then
        fail "the build failed (output above)"
        exit 1
    fi
    say "built in $((SECONDS - build_started))s"
fi

# A module takes part when it has sources and its executable jar was built.
jar_of() { # module -> path of its Spring Boot jar, or nothing
    local module=$1 jar
    [ -d "$ROOT/$module/src/main/java" ] || return 1
    for jar in "$ROOT/$module"/target/"$module"-*.jar; do
        case "$jar" in *-plain.jar|*-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
        [ -f "$jar" ] || continue
        if command -v unzip >/dev/null 2>&1 &&
            ! unzip -p "$jar" META-INF/MANIFEST.MF 2>/dev/null | grep -q '^Main-Class:'; then
            continue # a plain library jar: not runnable
        fi
        echo "$jar"
        return 0
    done
    return 1
}

PRESENT=""
for svc in $SERVICES; do
    if jar_of "$svc" >/dev/null; then
        PRESENT="$PRESENT $svc"
    elif [ -d "$ROOT/$svc/src/main/java" ]; then
        say "skipping $svc: no runnable jar in $svc/target (build it: ./mvnw -B -q -pl $svc -am -DskipTests package)"
    fi
done
PRESENT=${PRESENT# }
if [ -z "$PRESENT" ]; then
    fail "no service is built yet (expected <service>/src/main/java and <service>/target/<service>-*.jar)"
    exit 1
fi
say "services: $PRESENT"

for svc in $PRESENT; do
    port=$(port_of "$svc")
    if port_in_use "$port"; then
        fail "port $port for $svc is already in use (another ./run.sh?). Stop that process or set $(echo "$svc" | tr 'a-z-' 'A-Z_')_PORT."
        exit 1
    fi
done

STARTED_AT=$SECONDS

# --- PostgreSQL ----------------------------------------------------------------------------------
# Starts the embedded PostgreSQL launcher ($pg_command) and waits for its ready line; 1 on failure
# (the log's tail shown). Used at start and by the supervisor loop to restart it.
start_postgres() {
    local deadline
    # shellcheck disable=SC2086 # pg_command is a word list on purpose
    start_background "$LOG_DIR/postgres.log" env AFFECTUNE_DATA_DIR="$DATA_DIR" EMBEDDED_DB_PORT="$EMBEDDED_DB_PORT" $pg_command
    POSTGRES_PID=$LAST_PID
    deadline=$((SECONDS + 120))
    until grep -q '^DEV_POSTGRES_READY' "$LOG_DIR/postgres.log" 2>/dev/null; do
        if ! is_running "$POSTGRES_PID"; then
            fail "PostgreSQL did not start; see $LOG_DIR/postgres.log"
            show_log_tail "$LOG_DIR/postgres.log"
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            fail "PostgreSQL was not ready within 120s; see $LOG_DIR/postgres.log"
            return 1
        fi
        sleep 0.2
    done
}

needs_database=0
case " $PRESENT " in *" playlist-service "*) needs_database=1 ;; esac

if [ "$needs_database" = 1 ] && [ -n "${DATABASE_URL:-}" ]; then
    say "using the PostgreSQL at DATABASE_URL (the embedded one is not started)"
elif [ "$needs_database" = 1 ]; then
    pg_jar=$(ls "$ROOT"/dev-postgres/target/dev-postgres-*.jar 2>/dev/null | grep -v -e '-plain.jar' -e '.original' | head -1)
    if [ -z "$pg_jar" ]; then
        fail "dev-postgres/target/dev-postgres-*.jar is missing: build it (./mvnw -B -q -pl dev-postgres -DskipTests package) or set DATABASE_URL"
        exit 1
    fi
    if port_in_use "$EMBEDDED_DB_PORT"; then
        fail "port $EMBEDDED_DB_PORT for the embedded PostgreSQL is in use (another ./run.sh?). Stop it, set EMBEDDED_DB_PORT, or point DATABASE_URL at a running PostgreSQL."
        exit 1
    fi
    pg_runtime="$DATA_DIR/postgres-runtime"
    mkdir -p "$DATA_DIR/postgres" "$pg_runtime"
    # The jar is copied next to the data so that an unprivileged user can always read it.
    if [ ! -f "$pg_runtime/dev-postgres.jar" ] || [ "$pg_jar" -nt "$pg_runtime/dev-postgres.jar" ]; then
        cp "$pg_jar" "$pg_runtime/dev-postgres.jar"
    fi
    pg_command="java -Xmx256m -XX:TieredStopAtLevel=1 -jar $pg_runtime/dev-postgres.jar"
    if [ "$(id -u)" = 0 ]; then
        # initdb and postgres refuse to run as root: run this one process as nobody, owning the data.
        pg_user=nobody
        pg_group=$(id -gn "$pg_user" 2>/dev/null || echo nogroup)
        chown -R "$pg_user:$pg_group" "$DATA_DIR/postgres" "$pg_runtime"
        chmod 0700 "$DATA_DIR/postgres"
        if command -v setpriv >/dev/null 2>&1; then
            drop="setpriv --reuid=$pg_user --regid=$pg_group --clear-groups --"
        else
            drop="runuser -u $pg_user --"
        fi
        if ! $drop test -r "$pg_runtime/dev-postgres.jar" -a -w "$DATA_DIR/postgres"; then
            fail "running as root, PostgreSQL must run as '$pg_user', who cannot reach $DATA_DIR (a parent directory is private?). Set AFFECTUNE_DATA_DIR to a directory outside it, e.g. /var/tmp/affectune, or run ./run.sh as a normal user."
            exit 1
        fi
        pg_command="$drop $pg_command"
    fi
    say "starting PostgreSQL on port $EMBEDDED_DB_PORT (data in $DATA_DIR/postgres)"
    start_postgres || exit 1
    export DATABASE_URL="jdbc:postgresql://localhost:$EMBEDDED_DB_PORT/affectune"
    export DATABASE_USERNAME=postgres
    export DATABASE_PASSWORD=""
    say "PostgreSQL ready: $DATABASE_URL (user postgres) after $((SECONDS - STARTED_AT))s"
fi

# --- services ------------------------------------------------------------------------------------
export MODELS_DIR="${MODELS_DIR:-$ROOT/models}"
export EMOTION_SERVICE_URL="${EMOTION_SERVICE_URL:-http://localhost:$EMOTION_SERVICE_PORT}"
export PLAYLIST_SERVICE_URL="${PLAYLIST_SERVICE_URL:-http://localhost:$PLAYLIST_SERVICE_PORT}"
export CAMERA_SERVICE_URL="${CAMERA_SERVICE_URL:-http://localhost:$CAMERA_SERVICE_PORT}"
export LOG_FORMAT="${LOG_FORMAT:-text}"
# every service shares this machine: emotion-service's ONNX threads must not spin on cores camera-service needs
# (only matters with EMOTION_INTRA_OP_THREADS above its default of 1)
export EMOTION_INTRA_OP_SPINNING="${EMOTION_INTRA_OP_SPINNING:-false}"
# spans stay in the processes unless asked for: no tracing backend is started here (README "Tracing")
export OTLP_TRACING_ENABLED="${OTLP_TRACING_ENABLED:-false}"

# All services start at once: none needs another one to be up to start (they call each other
# per request), and parallel start is what keeps the whole launch short.
# Each service runs from a copy of its jar: rebuilding (./mvnw package) while the system runs would
# otherwise rewrite the jar under a running JVM and break its class loading. With JVM_CDS the copy is
# the jar extracted by Spring Boot's tools (-Djarmode=tools extract: the application jar and lib/), the
# layout a class-data-sharing archive can map.
JAR_DIR="$DATA_DIR/jars"
mkdir -p "$JAR_DIR"
snapshot_jar() { # module -> path of the jar to run
    local built copy dir
    built=$(jar_of "$1")
    copy="$JAR_DIR/$1.jar"
    if [ ! -f "$copy" ] || [ "$built" -nt "$copy" ] || [ "$copy" -nt "$built" ]; then
        cp -p "$built" "$copy.tmp" && mv -f "$copy.tmp" "$copy"
    fi
    if [ "$JVM_CDS" != true ]; then
        echo "$copy"
        return
    fi
    dir="$JAR_DIR/$1"
    if [ ! -f "$dir/$1.jar" ] || [ "$copy" -nt "$dir/$1.jar" ]; then
        rm -rf "$dir.tmp" "$dir"
        if ! java -Djarmode=tools -jar "$copy" extract --destination "$dir.tmp" >/dev/null; then
            rm -rf "$dir.tmp"
            echo "$copy" # could not extract: run the jar itself, without an archive
            return
        fi
        mv "$dir.tmp" "$dir" && touch "$dir/$1.jar"
    fi
    echo "$dir/$1.jar"
}

cds_flags() { # service -> flags: map the archive of an earlier start, or record one at this one's exit
    local archive="$JAR_DIR/$1/app.jsa"
    [ "$JVM_CDS" = true ] && [ -f "$JAR_DIR/$1/$1.jar" ] || return 0
    if [ -f "$archive" ] && [ "$archive" -nt "$JAR_DIR/$1/$1.jar" ]; then
        echo "-XX:SharedArchiveFile=$archive -Xlog:cds*=off"
    else
        # no archive yet: start C1-only (as fast as it gets without one) and record the archive at exit
        echo "-XX:ArchiveClassesAtExit=$archive -Xlog:cds*=off -XX:TieredStopAtLevel=1"
    fi
}

service_opts() { # service -> JVM options of that service only
    [ "$1" = emotion-service ] && echo "$EMOTION_SERVICE_JAVA_OPTS"
    return 0
}

heap_of() { # service -> -Xmx value
    case "$1" in
        emotion-service) echo "$EMOTION_SERVICE_HEAP" ;;
        camera-service) echo "${CAMERA_SERVICE_HEAP:-$SERVICE_HEAP}" ;;
        playlist-service) echo "${PLAYLIST_SERVICE_HEAP:-$SERVICE_HEAP}" ;;
        gateway) echo "${GATEWAY_HEAP:-$SERVICE_HEAP}" ;;
        *) echo "$SERVICE_HEAP" ;;
    esac
}

launch_service() { # service -> LAST_PID
    local port jar heap address=127.0.0.1
    port=$(port_of "$1")
    heap=$(heap_of "$1")
    jar=$(snapshot_jar "$1")
    # Only the gateway faces the network: the services behind it listen on loopback, so that its limits
    # and headers cannot be bypassed on 8081-8083 from another machine.
    [ "$1" = gateway ] && address=$GATEWAY_BIND_ADDRESS
    # shellcheck disable=SC2086 # JVM_LIMITS and JAVA_OPTS are word lists on purpose; JAVA_OPTS last wins
    start_background "$LOG_DIR/$1.log" env SERVER_PORT="$port" SERVER_ADDRESS="$address" \
        java "-Xmx$heap" $JVM_LIMITS $(cds_flags "$1") $(service_opts "$1") $JAVA_OPTS -jar "$jar"
}

for svc in $PRESENT; do
    launch_service "$svc"
    STARTED="$STARTED $svc:$LAST_PID"
    say "starting $svc on port $(port_of "$svc") (log: $LOG_DIR/$svc.log)"
done

pid_of() { # service -> pid
    local entry
    for entry in $STARTED; do
        [ "${entry%%:*}" = "$1" ] && echo "${entry#*:}"
    done
}

health_of() { # port [path] -> UP / DOWN / ... / unreachable
    local body
    body=$(curl -s --max-time 3 "http://localhost:$1${2:-/actuator/health}" 2>/dev/null) || { echo unreachable; return; }
    # the first "status" of the JSON is the overall one
    echo "$body" | grep -o '"status":"[A-Z_]*"' | head -1 | sed 's/.*:"\(.*\)"/\1/' | grep . || echo unknown
}

deadline=$((STARTED_AT + HEALTH_TIMEOUT))
pending=$PRESENT
while [ -n "$pending" ]; do
    still=""
    for svc in $pending; do
        pid=$(pid_of "$svc")
        port=$(port_of "$svc")
        if ! is_running "$pid"; then
            fail "$svc stopped during start-up; see $LOG_DIR/$svc.log"
            show_log_tail "$LOG_DIR/$svc.log"
            exit 1
        fi
        overall=$(health_of "$port")
        if [ "$overall" = UP ]; then
            say "$svc is UP (http://localhost:$port) after $((SECONDS - STARTED_AT))s"
        elif [ "$pending" = "$svc" ] && [ "$overall" != unreachable ] &&
            [ "$(health_of "$port" /actuator/health/readiness)" = UP ]; then
            # The last one left is ready but not UP: the gateway, whose overall health includes every
            # service behind it, some of which may not exist (yet). It serves; say so and go on.
            say "$svc is ready (http://localhost:$port) after $((SECONDS - STARTED_AT))s, overall health $overall (a service behind it is missing or down: http://localhost:$port/actuator/health)"
        else
            still="$still $svc"
        fi
    done
    pending=${still# }
    [ -z "$pending" ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
        for svc in $pending; do
            port=$(port_of "$svc")
            fail "$svc is not healthy after ${HEALTH_TIMEOUT}s (health: $(health_of "$port")); see $LOG_DIR/$svc.log"
            if [ "$(health_of "$port")" != unreachable ]; then
                echo "  http://localhost:$port/actuator/health says:" >&2
                curl -s --max-time 3 "http://localhost:$port/actuator/health" | cut -c1-1500 >&2
                echo >&2
            fi
            if grep -q -E ' ERROR |Exception' "$LOG_DIR/$svc.log" 2>/dev/null; then
                echo "  errors in $LOG_DIR/$svc.log:" >&2
                grep -E ' ERROR |Exception' "$LOG_DIR/$svc.log" | tail -n 10 >&2
            elif [ "$(health_of "$port")" = unreachable ]; then
                show_log_tail "$LOG_DIR/$svc.log"
            fi
        done
        exit 1
    fi
    sleep 1
done
START_SECONDS=$((SECONDS - STARTED_AT))

say "all services are healthy ${START_SECONDS}s after start (build excluded)"
echo
case " $PRESENT " in
    *" gateway "*)
        echo "  Dashboard:   http://localhost:$GATEWAY_PORT/"
        echo "  APIs:        http://localhost:$GATEWAY_PORT/api/v1/..."
        ;;
esac
for svc in $PRESENT; do
    port=$(port_of "$svc")
    metrics="/actuator/prometheus"
    [ "$svc" = gateway ] && metrics="http://localhost:${GATEWAY_MANAGEMENT_PORT:-8090}/actuator/prometheus"
    printf '  %-17s http://localhost:%s/  (API docs: http://localhost:%s/swagger-ui.html, metrics: %s)\n' "$svc:" "$port" "$port" "$metrics"
done
echo "  Logs:        $LOG_DIR/"
echo

# --- --check: health table, a smoke request per service, then stop -------------------------------
smoke() { # name expected-status url [curl args...]
    local name=$1 expected=$2 url=$3; shift 3
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@" "$url")
    if [ "$code" = "$expected" ]; then
        printf '  %-55s %s  ok\n' "$name" "$code"
        return 0
    fi
    printf '  %-55s %s  FAILED (expected %s)\n' "$name" "$code" "$expected"
    return 1
}

if [ "$MODE" = check ]; then
    # a 48x48 grey test pattern (PNG): enough to run the whole inference path, no personal data
    SMOKE_PNG="$LOG_DIR/smoke.png"
    printf '%s' "iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAAAAAByaaZbAAAB6UlEQVR42pXSh1YIAAAF0EdEZESyKdKi7L0bVgkNoayIsrL3nhnZq2wZGalQWmbJykpmIcree4/3C+8T7jkXKFyslGnFajVt7Bs0bdW+g2t37z79BweNGjd5xtxFy1at37R99/7oo4knUs9fzryd8+jpKxgULVGmfBULq9r1Grdo69zZ3bNXX/+hI8ZMnDZ7wZIVa8O2RkRGHT6Wcjr90rWb9x7mv3gLw+Kly1Wqbmnr0LBZa8eObj16+g4IGBY8fsrMeSGhqzds3rHnQExc0sm0C1du3Ln/+NnrDzAqWbZC1RrWdeo3adnOpUs3r979BgWOHDtp+pyFS1euC9+2a9+hIwnHz5zLuH4rO/fJy3efYWxiVtm8ll3dRs3bOHXq6uHjN3DI8NETps6av3j5mo1bdu49GBuffOrsxatZdx/kPX/z8Rsk8fsvPyGJP33/A0n89RcgiX/8NYAk/l3AEJL4XyEjSOKCRYwhifkOkpjvIIn5DpKY7yCJ+Q6SmO8gifkOkpjvIIn5DpKY7yCJ+Q6SmO8gifkOkpjvIIn5DpKY7yCJ+Q6SmO8gifkOkpjvIIn5DpKY7yCJ+Q6SmO8gifkOkpjvIIn5DpKY7yCJ+Q6SmO8gifkOkpjvIIn5DpKY7yCJ+Q6SmO/+A58ulz3Qj3jbAAAAAElFTkSuQmCC" | { base64 -d 2>/dev/null || base64 -D; } >"$SMOKE_PNG"
    echo "Health:"
    for svc in $PRESENT; do
        printf '  %-17s %s\n' "$svc" "$(curl -s --max-time 3 "http://localhost:$(port_of "$svc")/actuator/health")"
    done
    echo "Smoke requests:"
    failures=0
    for svc in $PRESENT; do
        port=$(port_of "$svc")
        base="http://localhost:$port"
        smoke "$svc GET /v3/api-docs" 200 "$base/v3/api-docs" || failures=$((failures + 1))
        smoke "$svc GET /actuator/prometheus" 200 "$([ "$svc" = gateway ] && echo "http://localhost:${GATEWAY_MANAGEMENT_PORT:-8090}" || echo "$base")/actuator/prometheus" || failures=$((failures + 1))
        case "$svc" in
            playlist-service)
                smoke "playlist-service GET /api/v1/playlists/happy?limit=3" 200 "$base/api/v1/playlists/happy?limit=3" || failures=$((failures + 1)) ;;
            emotion-service)
                smoke "emotion-service GET /api/v1/models" 200 "$base/api/v1/models" || failures=$((failures + 1))
                smoke "emotion-service POST /api/v1/predictions (PNG)" 200 "$base/api/v1/predictions" \
                    -X POST -H 'Content-Type: image/png' --data-binary "@$SMOKE_PNG" || failures=$((failures + 1)) ;;
            camera-service)
                smoke "camera-service POST /api/v1/analyze (PNG)" 200 "$base/api/v1/analyze" \
                    -X POST -H 'Content-Type: image/png' --data-binary "@$SMOKE_PNG" || failures=$((failures + 1)) ;;
            gateway)
                smoke "gateway GET / (dashboard)" 200 "$base/" || failures=$((failures + 1))
                case " $PRESENT " in *" playlist-service "*)
                    smoke "gateway GET /api/v1/playlists/happy?limit=3" 200 "$base/api/v1/playlists/happy?limit=3" || failures=$((failures + 1)) ;;
                esac
                case " $PRESENT " in *" emotion-service "*)
                    smoke "gateway GET /api/v1/models" 200 "$base/api/v1/models" || failures=$((failures + 1))
                    smoke "gateway POST /api/v1/predictions (PNG)" 200 "$base/api/v1/predictions" \
                        -X POST -H 'Content-Type: image/png' --data-binary "@$SMOKE_PNG" || failures=$((failures + 1)) ;;
                esac
                ;;
        esac
    done
    stop_all
    leftovers=""
    for entry in $STARTED; do
        is_running "${entry#*:}" && leftovers="$leftovers ${entry#*:}"
    done
    is_running "$POSTGRES_PID" && leftovers="$leftovers $POSTGRES_PID"
    if [ -n "$leftovers" ]; then
        fail "processes still running after stop:$leftovers"
        exit 1
    fi
    if [ "$failures" -gt 0 ]; then
        fail "$failures smoke request(s) failed"
        exit 1
    fi
    say "check passed: started in ${START_SECONDS}s, every smoke request answered, everything stopped"
    trap - EXIT
    exit 0
fi

# --- run until Ctrl-C; restart a process that exits, with back-off --------------------------------
# Back-off state per process, in variables named after it (bash 3.2 has no associative arrays):
# FAILS_<NAME> restarts in a row, RETRY_AT_<NAME> when the next start is due, UP_SINCE_<NAME> last start.
state_var() { printf '%s_%s' "$1" "$(echo "$2" | tr 'a-z-' 'A-Z_')"; }

# For a process found not running: 0 when it is due to start again now; otherwise it schedules the
# restart (1, 2, 4 ... RESTART_MAX_DELAY seconds after the exit, by how many restarts came in a row).
due_for_restart() { # name log-file
    local fails_var at_var up_var fails at up delay i
    fails_var=$(state_var FAILS "$1"); at_var=$(state_var RETRY_AT "$1"); up_var=$(state_var UP_SINCE "$1")
    eval "fails=\${$fails_var:-0}; at=\${$at_var:-}; up=\${$up_var:-0}"
    if [ -z "$at" ]; then
        [ $((SECONDS - up)) -ge "$RESTART_RESET" ] && fails=0
        fails=$((fails + 1))
        delay=1 i=1
        while [ "$i" -lt "$fails" ] && [ "$delay" -lt "$RESTART_MAX_DELAY" ]; do delay=$((delay * 2)); i=$((i + 1)); done
        [ "$delay" -gt "$RESTART_MAX_DELAY" ] && delay=$RESTART_MAX_DELAY
        eval "$fails_var=$fails; $at_var=$((SECONDS + delay))"
        fail "$1 exited unexpectedly; restart #$fails in ${delay}s (see $2)"
        return 1
    fi
    [ "$SECONDS" -ge "$at" ] || return 1
    eval "$at_var=; $up_var=$SECONDS"
    return 0
}

replace_pid() { # service new-pid
    local entry out=""
    for entry in $STARTED; do
        if [ "${entry%%:*}" = "$1" ]; then out="$out $1:$2"; else out="$out $entry"; fi
    done
    STARTED=${out# }
}

say "running; press Ctrl-C to stop everything"
while true; do
    sleep 1 &
    SLEEP_PID=$!
    wait "$SLEEP_PID" 2>/dev/null
    if [ -n "$POSTGRES_PID" ] && ! is_running "$POSTGRES_PID" && due_for_restart postgres "$LOG_DIR/postgres.log"; then
        say "restarting PostgreSQL (restart #$FAILS_POSTGRES)"
        if start_postgres; then
            say "PostgreSQL is back: $DATABASE_URL"
        fi
    fi
    for entry in $STARTED; do
        name=${entry%%:*}
        if ! is_running "${entry#*:}" && due_for_restart "$name" "$LOG_DIR/$name.log"; then
            launch_service "$name"
            replace_pid "$name" "$LAST_PID"
            say "restarted $name (pid $LAST_PID, restart #$(eval "echo \${$(state_var FAILS "$name")}"))"
        fi
    done
done
