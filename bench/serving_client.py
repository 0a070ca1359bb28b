#!/usr/bin/env python3
"""Sequential latency of HTTP endpoints on kept-alive connections: p50/p95 ms and images/s.
Used by bench/serving-comparison.sh for both servers (emotion-service and the PyTorch eager server).

One server:   serving_client.py --port P --kind emotion|pytorch [--batch 8] IMAGES...
Two servers, interleaved: add --versus-port Q --versus-kind K. The measured requests then go in blocks that alternate
between the two (--block requests to A, a pause, --block to B, a pause, ...), so that both are measured under the same
conditions of the host, and the answer adds their ratio. On a shared machine the speed of the host drifts over
minutes; measuring one server after the other put that drift into the ratio (the PyTorch server's own batch-8 p50 was
116 ms in one run and 228 ms in another of the same session). Not request by request: PyTorch's OpenMP threads spin
for a while after each request, and the other server's request then runs beside them (measured: emotion-service's
batch-1 p50 went from ~7 to 11.9 ms); the pause lets them go to sleep."""
import argparse
import http.client
import json
import struct
import time
import uuid


def request_of(kind, pngs):
    """(path, body, content type) of one request of len(pngs) images to a server of that kind."""
    if kind == "emotion" and len(pngs) == 1:
        return "/api/v1/predictions", pngs[0], "image/png"
    if kind == "emotion":
        boundary = uuid.uuid4().hex
        parts = b"".join(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"image\"; filename=\"f"
                         + str(i).encode() + b".png\"\r\nContent-Type: image/png\r\n\r\n" + png + b"\r\n"
                         for i, png in enumerate(pngs))
        return "/api/v1/predictions/batch", parts + b"--" + boundary.encode() + b"--\r\n", \
            "multipart/form-data; boundary=" + boundary
    if len(pngs) == 1:
        return "/predict", pngs[0], "image/png"
    return "/predict/batch", b"".join(struct.pack(">I", len(x)) + x for x in pngs), "application/octet-stream"


class Target:
    def __init__(self, port, kind, pngs):
        self.kind, self.batch = kind, len(pngs)
        self.path, self.body, self.ctype = request_of(kind, pngs)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.times = []

    def call(self):
        """One request; its wall time in seconds."""
        started = time.perf_counter()
        self.conn.request("POST", self.path, body=self.body, headers={"Content-Type": self.ctype})
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"{self.kind} answered {response.status}: {data[:300]!r}")
        answer = json.loads(data)
        if (len(answer) if isinstance(answer, list) else 1) != self.batch:
            raise SystemExit(f"{self.kind} answered {answer!r}")
        return elapsed

    def summary(self):
        times = sorted(self.times)
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
        return {"kind": self.kind, "batch": self.batch, "p50_ms": round(p50 * 1000, 2),
                "p95_ms": round(p95 * 1000, 2), "images_per_s": round(self.batch / p50, 1)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--kind", choices=["emotion", "pytorch"], required=True)
    p.add_argument("--versus-port", type=int, help="a second server, measured interleaved with the first")
    p.add_argument("--versus-kind", choices=["emotion", "pytorch"])
    p.add_argument("--block", type=int, default=20, help="requests per block when two servers alternate")
    p.add_argument("--pause", type=float, default=0.2, help="seconds between blocks when two servers alternate")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--requests", type=int, default=200, help="measured requests to each server")
    p.add_argument("--warmup", type=int, default=30, help="requests to each server before the measured ones")
    p.add_argument("--warmup-seconds", type=float, default=0,
                   help="keep warming up (at least --warmup requests) for this long: a JVM compiles its hot paths "
                        "only after thousands of requests; while warming up, only emotion-service is called")
    p.add_argument("images", nargs="+")
    a = p.parse_args()
    pngs = [open(f, "rb").read() for f in a.images]
    chosen = [pngs[i % len(pngs)] for i in range(a.batch)]
    targets = [Target(a.port, a.kind, chosen)]
    if a.versus_port:
        if not a.versus_kind:
            raise SystemExit("--versus-port needs --versus-kind")
        targets.append(Target(a.versus_port, a.versus_kind, chosen))
    warm_until = time.perf_counter() + a.warmup_seconds
    for _ in range(a.warmup):
        for t in targets:
            t.call()
    while time.perf_counter() < warm_until:
        for t in targets:
            if t.kind == "emotion" or len(targets) == 1:
                t.call()
    while len(targets[-1].times) < a.requests:
        for t in targets:
            if len(targets) > 1:
                time.sleep(a.pause)
            for _ in range(min(a.block, a.requests - len(t.times))):
                t.times.append(t.call())
    result = [t.summary() for t in targets]
    if len(result) == 1:
        print(json.dumps(result[0]))
    else:
        print(json.dumps({"first": result[0], "second": result[1],
                          "ratio_p50": round(result[0]["p50_ms"] / result[1]["p50_ms"], 2)}))


if __name__ == "__main__":
    main()
