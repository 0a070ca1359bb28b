#!/usr/bin/env python3
"""Latency of GET requests sent straight to a service and the same requests through the gateway.

Sequential requests on one keep-alive connection each; prints p50/p95/p99 in milliseconds.
Usage: scripts/proxy_overhead.py http://127.0.0.1:8082 http://127.0.0.1:8080 /api/v1/models [n]
(the gateway's rate limit must allow n requests: RATE_LIMIT_REQUESTS_PER_SECOND / RATE_LIMIT_BURST)

To measure the gateway alone, stand in for a service with a tiny keep-alive stub:
  scripts/proxy_overhead.py --stub 18182 &
  SERVER_PORT=18180 EMOTION_SERVICE_URL=http://127.0.0.1:18182 RATE_LIMIT_BURST=100000 \
      RATE_LIMIT_REQUESTS_PER_SECOND=100000 java -jar target/gateway-*.jar &
  scripts/proxy_overhead.py http://127.0.0.1:18182 http://127.0.0.1:18180 /api/v1/models 2000
"""
import http.server
import socket
import http.client
import sys
import time
import urllib.parse


def measure(base, path, n):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    times = []
    for i in range(n + 50):
        start = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{base}{path} answered {response.status}")
        if i >= 50:  # warm-up excluded
            times.append((time.perf_counter() - start) * 1000)
    conn.close()
    times.sort()
    return {q: times[min(len(times) - 1, int(len(times) * q))] for q in (0.5, 0.95, 0.99)}


class StubHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body go out as separate writes: without this, Nagle + delayed ACK add ~40 ms
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        body = b'{"status":"UP"}' if self.path.startswith("/actuator") else b'{"stub":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    if sys.argv[1] == "--stub":
        http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), StubHandler).serve_forever()
        return
    direct, gateway, path = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    for name, base in (("direct", direct), ("via gateway", gateway)):
        q = measure(base, path, n)
        print(f"{name:12s} {base}{path} n={n} p50={q[0.5]:.2f} ms p95={q[0.95]:.2f} ms p99={q[0.99]:.2f} ms")


if __name__ == "__main__":
    main()
