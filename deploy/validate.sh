#!/usr/bin/env bash
# Static checks of the deployment files, runnable without a Docker engine (CI):
#   - docker-compose.yml alone, with each override file, with the observability profile
#   - every path a Dockerfile COPYs exists, and every reactor module's pom is copied (a module added
#     to the root pom but not to the Dockerfiles would break every image build)
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
    for override in deploy/compose/*.yml; do
        check "+ $override" "${compose[@]}" -f docker-compose.yml -f "$override" config -q
    done
else
    echo "  skip  (neither docker-compose nor docker compose installed)"
fi

echo "Dockerfiles:"
modules=$(sed -n 's:.*<module>\(.*\)</module>.*:\1:p' pom.xml)
for dockerfile in */Dockerfile; do
    missing=""
    for src in $(awk '/^COPY / && !/--from=/ {print $2}' "$dockerfile"); do
        [ -e "$src" ] || missing="$missing $src"
    done
    check "$dockerfile: every COPY source exists${missing:+ (missing:$missing)}" test -z "$missing"
    unlisted=""
    for module in $modules; do
        grep -q "^COPY $module/pom.xml " "$dockerfile" || unlisted="$unlisted $module"
    done
    check "$dockerfile: copies every reactor module's pom${unlisted:+ (not copied:$unlisted)}" test -z "$unlisted"
done

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
