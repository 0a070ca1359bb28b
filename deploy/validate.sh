#!/usr/bin/env bash
# Static checks of the deployment files, runnable without a Docker engine (CI):
#   - docker-compose.yml alone, with each override file, with the observability and tracing profiles
#   - the one root Dockerfile: BuildKit syntax line, every path it COPYs exists, the build context keeps
#     what the Maven build needs (.dockerignore), no per-service Dockerfile is left behind, and every
#     compose service built from it names a reactor module (SERVICE) and a port (PORT)
#   - every Kubernetes Deployment and StatefulSet has a memory limit (and a request no larger), every compose
#     service built here a mem_limit and a restart policy
#   - Kubernetes scaling: every HorizontalPodAutoscaler targets a Deployment/StatefulSet that exists, leaves it no
#     replicas: of its own, and requests CPU in every container; every PodDisruptionBudget selects a workload; the
#     camera-service StatefulSet has its headless Service and names its pods in CAMERA_INSTANCE_ID; the gateway's
#     CAMERA_INSTANCE_URL / CAMERA_INSTANCE_NAMES (kustomization and application.yml defaults alike) reach
#     exactly those pods through that Service
#   - the Grafana dashboard is valid JSON, the Prometheus config valid YAML
#   - the Kubernetes kustomization renders (when kubectl is installed)
# Usage: deploy/validate.sh     (exit 0 = all fine)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

failures=0
check() { # description command...
    local what=$1; shift
    if "$@" >/tmp/affectune-validate.$$ 2>&1; then
        printf '  ok    %s\n' "$what"
    else
        printf '  FAIL  %s\n' "$what"
        sed 's/^/        /' /tmp/affectune-validate.$$
        failures=$((failures + 1))
    fi
    rm -f /tmp/affectune-validate.$$
}

if command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
else
    compose=()
fi
echo "compose files:"
if [ ${#compose[@]} -gt 0 ]; then
    check "docker-compose.yml" "${compose[@]}" -f docker-compose.yml config -q
    check "+ observability profile" "${compose[@]}" -f docker-compose.yml --profile observability config -q
    check "+ tracing profile" "${compose[@]}" -f docker-compose.yml --profile tracing config -q
    if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
        traced=$(OTLP_TRACING_ENABLED=true "${compose[@]}" -f docker-compose.yml --profile tracing config 2>/dev/null)
        check "tracing profile: a jaeger service; OTLP_TRACING_ENABLED=true makes every service built here export to it" \
            python3 -c '
import sys, yaml
services = yaml.safe_load(sys.stdin)["services"]
problems = [] if "jaeger" in services else ["no jaeger service in the tracing profile"]
for name, svc in services.items():
    env = svc.get("environment") or {}
    if svc.get("build") and (str(env.get("OTLP_TRACING_ENABLED")).lower() != "true"
                             or "//jaeger:4318/" not in str(env.get("OTLP_TRACING_ENDPOINT"))):
        problems.append(f"{name}: OTLP_TRACING_ENABLED / OTLP_TRACING_ENDPOINT do not send its spans to jaeger")
print("\n".join(problems))
sys.exit(1 if problems else 0)
' <<<"$traced"
    fi
    for override in deploy/compose/*.yml; do
        check "+ $override" "${compose[@]}" -f docker-compose.yml -f "$override" config -q
    done
else
    echo "  skip  (neither docker-compose nor docker compose installed)"
fi

echo "Dockerfile:"
modules=$(sed -n 's:.*<module>\(.*\)</module>.*:\1:p' pom.xml)
check "Dockerfile starts with # syntax=docker/dockerfile:1 (RUN --mount needs BuildKit)" \
    grep -qx '# syntax=docker/dockerfile:1' <(head -1 Dockerfile)
missing=""
for src in $(awk '/^COPY / && !/--from=/ {for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i}' Dockerfile); do
    [ -e "$src" ] || missing="$missing $src"
done
check "Dockerfile: every COPY source exists${missing:+ (missing:$missing)}" test -z "$missing"
# COPY . . takes the whole reactor: .dockerignore must not drop the build definition or a module.
ignored=""
for needed in pom.xml mvnw .mvn $modules; do
    grep -qxE "/?$needed/?" .dockerignore && ignored="$ignored $needed"
done
check ".dockerignore keeps the root pom, ./mvnw and every reactor module${ignored:+ (ignored:$ignored)}" test -z "$ignored"
check ".dockerignore drops build output (**/target) and .git" \
    sh -c 'grep -qx "\*\*/target" .dockerignore && grep -qx "\.git" .dockerignore'
stale=$(ls -- */Dockerfile 2>/dev/null | tr '\n' ' ')
check "no per-service Dockerfile left (the root Dockerfile builds every service)${stale:+ (found: $stale)}" test -z "$stale"

echo "compose services built from the Dockerfile:"
if [ ${#compose[@]} -gt 0 ] && command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
    resolved=$("${compose[@]}" -f docker-compose.yml config 2>/dev/null)
    check "build: context = root, dockerfile = Dockerfile, args SERVICE (a reactor module) and PORT; mem_limit; restart" \
        python3 -c '
import os, sys, yaml
modules, root = sys.argv[1].split(), os.path.realpath(".")
problems = []
for name, svc in yaml.safe_load(sys.stdin)["services"].items():
    build = svc.get("build")
    if not build:
        continue
    args = build.get("args") or {}
    dockerfile, service, restart = build.get("dockerfile"), args.get("SERVICE"), svc.get("restart")
    if os.path.realpath(build.get("context", "")) != root:
        problems.append(f"{name}: build context is not the repository root")
    if dockerfile != "Dockerfile":
        problems.append(f"{name}: dockerfile is {dockerfile}, not Dockerfile")
    if service not in modules:
        problems.append(f"{name}: build arg SERVICE={service} is not a module of the root pom")
    if not str(args.get("PORT", "")).isdigit():
        problems.append(f"{name}: build arg PORT missing or not a number")
    if not svc.get("mem_limit"):
        problems.append(f"{name}: no mem_limit")
    if restart != "unless-stopped":
        problems.append(f"{name}: restart is {restart}, not unless-stopped")
print("\n".join(problems))
sys.exit(1 if problems else 0)
' "$modules" <<<"$resolved"
else
    echo "  skip  (needs docker-compose and python3 with PyYAML)"
fi

echo "observability:"
py=$(command -v python3 || true)
if [ -n "$py" ]; then
    for dashboard in deploy/grafana/dashboards/*.json; do
        check "$dashboard is JSON" "$py" -m json.tool "$dashboard"
    done
    if "$py" -c 'import yaml' 2>/dev/null; then
        for f in deploy/prometheus/*.yml deploy/grafana/provisioning/*/*.yml; do
            check "$f is YAML" "$py" -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$f"
        done
    fi
fi

echo "kubernetes:"
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
    for manifest in deploy/k8s/*.yaml; do
        check "$manifest: YAML; every container of a Deployment/StatefulSet has a memory limit, its request no larger" \
            python3 -c '
import re, sys, yaml
def mib(q):
    m = re.fullmatch(r"(\d+)(Mi|Gi)?", str(q))
    if not m:
        raise SystemExit(f"memory quantity {q!r}: write it in Mi or Gi")
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)
problems = []
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if not doc or doc.get("kind") not in ("Deployment", "StatefulSet"):
        continue
    for c in doc["spec"]["template"]["spec"]["containers"]:
        name = c["name"]
        res = c.get("resources") or {}
        limit = (res.get("limits") or {}).get("memory")
        request = (res.get("requests") or {}).get("memory")
        if limit is None:
            problems.append(f"{name}: no resources.limits.memory")
        elif request is not None and mib(request) > mib(limit):
            problems.append(f"{name}: memory request {request} above the limit {limit}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
' "$manifest"
    done
    check "HPAs, PDBs, the camera StatefulSet, its headless Service and the gateway's routing by instance agree" \
        python3 deploy/k8s-scaling-check.py deploy/k8s gateway/src/main/resources/application.yml
else
    echo "  skip  (needs python3 with PyYAML)"
fi
if command -v kubectl >/dev/null 2>&1; then
    created_secrets=0
    if [ ! -f deploy/k8s/secrets.env ]; then
        cp deploy/k8s/secrets.env.example deploy/k8s/secrets.env
        created_secrets=1
    fi
    check "kubectl kustomize deploy/k8s" kubectl kustomize deploy/k8s
    [ "$created_secrets" = 1 ] && rm -f deploy/k8s/secrets.env
else
    echo "  skip  (kubectl not installed)"
fi

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all deployment checks passed"
