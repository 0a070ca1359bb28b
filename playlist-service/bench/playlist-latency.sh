#!/usr/bin/env bash
# p50/p95 latency of the playlist endpoint over 1,000 requests (after 300 warm-up requests) against a
# running playlist-service with the full catalogue seeded.
#   playlist-service/bench/playlist-latency.sh [base-url] [requests] [warmup] [listeners]
# listeners > 0: requests carry X-Listener-Id of the listeners written by seed-listeners.sql (personal ranking).
# e.g. SERVER_PORT=18083 DATABASE_URL=... java -jar playlist-service/target/playlist-service-*.jar &
#      playlist-service/bench/playlist-latency.sh http://localhost:18083
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${1:-http://localhost:8083}"
requests="${2:-1000}"
warmup="${3:-300}"
listeners="${4:-0}"
if ! curl -fsS -o /dev/null "$base/actuator/health"; then
    echo "playlist-service is not answering at $base (start it first, see playlist-service/README.md)" >&2
    exit 2
fi
java "$here/PlaylistLatency.java" "$base" "$requests" "$warmup" "$listeners"
# The service's own view (time inside the server, recent 2-minute window incl. warm-up), without client and scheduling delays:
curl -fsS "$base/actuator/prometheus" | grep '^http_server_requests_seconds{' | grep 'quantile=' \
    | grep 'status="200"' | grep -F 'uri="/api/v1/playlists/{emotion}"' \
    | sed -E 's/.*quantile="([0-9.]+)".* ([0-9.eE+-]+)$/server-side p\1: \2 s/' || true
