#!/usr/bin/env python3
"""Offline checks of the Kubernetes scaling set-up (deploy/validate.sh runs this; no cluster, no kubectl).

- every HorizontalPodAutoscaler targets a Deployment or StatefulSet in deploy/k8s, which has no `replicas:` of its
  own (kubectl apply would fight the autoscaler) and requests CPU in every container (a Utilization target is a
  share of that request); minReplicas <= maxReplicas
- every PodDisruptionBudget selects the pods of some workload
- every StatefulSet's serviceName is a headless Service (clusterIP None) selecting its pods
- camera-service: a StatefulSet whose pods get CAMERA_INSTANCE_ID from their own name, and the gateway's
  CAMERA_INSTANCE_URL / CAMERA_INSTANCE_NAMES, as the kustomization sets them and as application.yml defaults them,
  reach exactly those pods: the names allow camera-service-0 .. camera-service-<maxReplicas-1>, the URL's host is
  <pod>.<that headless Service> and its port a port of that Service that leads to the container's port

Usage: deploy/k8s-scaling-check.py deploy/k8s gateway/src/main/resources/application.yml   (exit 0 = all fine)
"""
import glob
import os
import re
import sys
from urllib.parse import urlsplit

import yaml

k8s_dir, gateway_yml = sys.argv[1], sys.argv[2]
problems = []
docs = []
for path in sorted(glob.glob(os.path.join(k8s_dir, "*.yaml"))):
    if os.path.basename(path) == "kustomization.yaml":
        continue
    docs += [d for d in yaml.safe_load_all(open(path)) if d]
kustomization = yaml.safe_load(open(os.path.join(k8s_dir, "kustomization.yaml")))


def of_kind(kind):
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


workloads = {(d["kind"], d["metadata"]["name"]): d for d in docs if d.get("kind") in ("Deployment", "StatefulSet")}
services = of_kind("Service")


def pod_labels(workload):
    return workload["spec"]["template"]["metadata"].get("labels") or {}


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# autoscalers
hpas = of_kind("HorizontalPodAutoscaler")
for name, hpa in hpas.items():
    ref, spec = hpa["spec"]["scaleTargetRef"], hpa["spec"]
    target = workloads.get((ref.get("kind"), ref.get("name")))
    if ref.get("apiVersion") != "apps/v1" or target is None:
        problems.append(f"HPA {name}: its target {ref.get('kind')}/{ref.get('name')} ({ref.get('apiVersion')}) is not "
                        "a Deployment or StatefulSet (apps/v1) in " + k8s_dir)
        continue
    if "replicas" in target["spec"]:
        problems.append(f"HPA {name}: {ref['kind']} {ref['name']} sets replicas: itself; kubectl apply would undo the autoscaler")
    if not 1 <= spec.get("minReplicas", 1) <= spec["maxReplicas"]:
        problems.append(f"HPA {name}: minReplicas {spec.get('minReplicas')} not within 1..maxReplicas {spec['maxReplicas']}")
    uses_cpu = any(m.get("type") == "Resource" and m["resource"]["name"] == "cpu" for m in spec.get("metrics", []))
    for c in target["spec"]["template"]["spec"]["containers"]:
        if uses_cpu and not ((c.get("resources") or {}).get("requests") or {}).get("cpu"):
            problems.append(f"HPA {name}: container {c['name']} of {ref['name']} requests no CPU; a CPU Utilization "
                            "target is a share of that request")

# disruption budgets
for name, pdb in of_kind("PodDisruptionBudget").items():
    selector = pdb["spec"]["selector"].get("matchLabels")
    if not any(selects(selector, pod_labels(w)) for w in workloads.values()):
        problems.append(f"PodDisruptionBudget {name}: selects no workload's pods ({selector})")

# stateful sets and their headless services
for (kind, name), w in workloads.items():
    if kind != "StatefulSet":
        continue
    svc = services.get(w["spec"].get("serviceName"))
    if svc is None:
        problems.append(f"StatefulSet {name}: its serviceName {w['spec'].get('serviceName')} is no Service in {k8s_dir}")
    elif svc["spec"].get("clusterIP") != "None" or not selects(svc["spec"].get("selector"), pod_labels(w)):
        problems.append(f"StatefulSet {name}: Service {svc['metadata']['name']} is not headless (clusterIP: None) "
                        "or does not select its pods")

# camera-service: ids name their pod, the gateway routes them back to it
camera = workloads.get(("StatefulSet", "camera-service"))
if camera is None:
    problems.append("camera-service is not a StatefulSet: its pods need stable names for routing by session id")
else:
    container = camera["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container.get("env", [])}
    source = ((env.get("CAMERA_INSTANCE_ID") or {}).get("valueFrom") or {}).get("fieldRef", {}).get("fieldPath")
    if source != "metadata.name":
        problems.append("camera-service: CAMERA_INSTANCE_ID must come from the pod's own name (fieldRef metadata.name)")
    headless = services.get(camera["spec"].get("serviceName"), {"metadata": {"name": "?"}, "spec": {}})
    if not headless["spec"].get("publishNotReadyAddresses"):
        problems.append(f"Service {headless['metadata']['name']}: publishNotReadyAddresses should be true, so that a "
                        "busy (not ready) pod's sessions stay reachable")
    container_ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    hpa = next((h for h in hpas.values() if h["spec"]["scaleTargetRef"].get("name") == "camera-service"
                and h["spec"]["scaleTargetRef"].get("kind") == "StatefulSet"), None)
    max_pods = hpa["spec"]["maxReplicas"] if hpa else 1

    # the gateway's settings: the kustomization's literals, and the defaults in application.yml
    literals = dict(l.split("=", 1) for g in kustomization.get("configMapGenerator", [])
                    if g.get("name") == "affectune-config" for l in g.get("literals", []))
    defaults = yaml.safe_load(open(gateway_yml))["affectune"]["gateway"]["camera-instances"]

    def default_of(placeholder):
        m = re.fullmatch(r"\$\{([A-Z_]+):(.*)\}", str(placeholder), re.S)
        return (m.group(1), m.group(2)) if m else (None, placeholder)

    for variable, key in (("CAMERA_INSTANCE_URL", "url"), ("CAMERA_INSTANCE_NAMES", "names")):
        name, default = default_of(defaults[key])
        if name != variable:
            problems.append(f"{gateway_yml}: affectune.gateway.camera-instances.{key} is not read from {variable}")
        if variable in literals and literals[variable] != default:
            problems.append(f"{variable}: the kustomization says {literals[variable]!r}, the gateway's default is "
                            f"{default!r}; keep them the same")
    for where, url, names in (("kustomization", literals.get("CAMERA_INSTANCE_URL"), literals.get("CAMERA_INSTANCE_NAMES")),
                              ("application.yml defaults", default_of(defaults["url"])[1], default_of(defaults["names"])[1])):
        if url is None or names is None:
            continue
        pods = [f"camera-service-{i}" for i in range(max_pods)]
        refused = [p for p in pods if not re.fullmatch(names, p)]
        if refused:
            problems.append(f"{where}: CAMERA_INSTANCE_NAMES {names!r} refuses pods {refused} (HPA maxReplicas {max_pods})")
        for other in ("emotion-service-0", "camera-service", "camera-service-headless", "camera-service-0.evil"):
            if re.fullmatch(names, other):
                problems.append(f"{where}: CAMERA_INSTANCE_NAMES {names!r} also allows {other!r}")
        parts = urlsplit(url.replace("{instance}", "camera-service-0"))
        expected_host = f"camera-service-0.{headless['metadata']['name']}"
        if parts.scheme != "http" or parts.hostname != expected_host:
            problems.append(f"{where}: CAMERA_INSTANCE_URL {url!r} should be http://{{instance}}.{headless['metadata']['name']}:<port>")
        service_ports = {p["port"]: p.get("targetPort") for p in headless["spec"].get("ports", [])}
        target = service_ports.get(parts.port)
        if target is None or container_ports.get(target, target) not in container_ports.values():
            problems.append(f"{where}: CAMERA_INSTANCE_URL port {parts.port} is no port of Service "
                            f"{headless['metadata']['name']} leading to the container's ports {container_ports}")

print("\n".join(problems))
sys.exit(1 if problems else 0)
