#!/usr/bin/env python3
"""Sequential latency of one HTTP endpoint on a keep-alive connection: p50/p95 ms and images/s.
Used by bench/serving-comparison.sh for both servers (emotion-service and the PyTorch eager server)."""
import argparse
import http.client
import json
import struct
import time
import uuid


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--kind", choices=["emotion", "pytorch"], required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=30, help="requests before the measured ones")
    p.add_argument("--warmup-seconds", type=float, default=0,
                   help="keep warming up (at least --warmup requests) for this long: a JVM compiles its hot paths "
                        "only after thousands of requests")
    p.add_argument("images", nargs="+")
    a = p.parse_args()
    pngs = [open(f, "rb").read() for f in a.images]
    chosen = [pngs[i % len(pngs)] for i in range(a.batch)]
    if a.kind == "emotion" and a.batch == 1:
        path, body, ctype = "/api/v1/predictions", chosen[0], "image/png"
    elif a.kind == "emotion":
        boundary = uuid.uuid4().hex
        parts = b"".join(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"image\"; filename=\"f"
                         + str(i).encode() + b".png\"\r\nContent-Type: image/png\r\n\r\n" + png + b"\r\n"
                         for i, png in enumerate(chosen))
        path, body, ctype = "/api/v1/predictions/batch", parts + b"--" + boundary.encode() + b"--\r\n", \
            "multipart/form-data; boundary=" + boundary
    elif a.batch == 1:
        path, body, ctype = "/predict", chosen[0], "image/png"
    else:
        path, body, ctype = "/predict/batch", b"".join(struct.pack(">I", len(x)) + x for x in chosen), \
            "application/octet-stream"
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
    times = []
    warm_until = time.perf_counter() + a.warmup_seconds
    i = 0
    while len(times) < a.requests:
        started = time.perf_counter()
        conn.request("POST", path, body=body, headers={"Content-Type": ctype})
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"{a.kind} answered {response.status}: {data[:300]!r}")
        answer = json.loads(data)
        if (len(answer) if isinstance(answer, list) else 1) != a.batch:
            raise SystemExit(f"{a.kind} answered {answer!r}")
        if i >= a.warmup and started >= warm_until:
            times.append(elapsed)
        i += 1
    times.sort()
    p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    print(json.dumps({"kind": a.kind, "batch": a.batch, "p50_ms": round(p50 * 1000, 2),
                      "p95_ms": round(p95 * 1000, 2), "images_per_s": round(a.batch / p50, 1)}))


if __name__ == "__main__":
    main()
