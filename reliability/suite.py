#!/usr/bin/python3
"""Affectune reliability suite: starts the whole system with ./run.sh on free ports (its own embedded
PostgreSQL in a temporary directory), runs the checks below, prints a PASS/FAIL table and (full run)
writes docs/reliability.md.

  reliability/suite.py            everything (314 s on 2 cores); writes docs/reliability.md
  reliability/suite.py --fast     bad-input corpus, PostgreSQL kill -9 durability, session limits, RSS
                                  (CI: ./test.sh runs it after the Maven build; 64 s)
  reliability/suite.py --only overload
                                  the overload rows only (about 150 s); replaces them, their load.py output and
                                  the result count in docs/reliability.md, keeping every other row

Checks: a bad-input corpus (at least 150 cases over the four services and the gateway: every answer a 4xx
application/problem+json, then health and a normal request still answered); PostgreSQL kill -9 after
200 acknowledged feedback writes (rows lost); the camera session flood (429/503 with Retry-After, never
500); the 4000x4000 progressive JPEG; resident memory of every service; and in the full run also slow
clients (half-sent requests), emotion-service killed under load, camera-service killed during WebSocket
sessions, and emotion-service at 1x/2x/5x load (goodput, p50/p95/p99, rejected share).

The jars must have been built (./mvnw -B -q install -DskipTests). Standard library only. Exit status 0
only when every row passes. Run benchmarks alone on the machine (flock /tmp/affectune-cpu.lock ...).
"""
import argparse
import asyncio
import base64
import glob
import json
import os
import platform
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no __pycache__ in the tree
import load  # noqa: E402  (reliability/load.py)

SERVICES = ["playlist-service", "emotion-service", "camera-service", "gateway"]
RSS_LIMIT_MIB = 768
T0 = time.monotonic()


def log(msg):
    print(f"[suite {time.monotonic() - T0:6.1f}s] {msg}", flush=True)


# ------------------------------------------------------------------------------------------------
# raw HTTP/1.1 over sockets (http.client refuses to send much of the corpus)
# ------------------------------------------------------------------------------------------------
class Resp:
    def __init__(self, status=0, headers=None, body=b"", elapsed=0.0, error=None):
        self.status, self.headers, self.body, self.elapsed, self.error = status, headers or {}, body, elapsed, error

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def is_problem(self):
        if not self.headers.get("content-type", "").lower().startswith("application/problem+json"):
            return False
        doc = self.json()
        return isinstance(doc, dict) and str(doc.get("type", "")).startswith("urn:affectune:problem:")

    def retry_after(self):
        value = self.headers.get("retry-after", "")
        return value.isdigit() and int(value) >= 0

    def describe(self):
        if self.error:
            return f"no answer ({self.error})"
        doc = self.json() if self.is_problem() else None
        kind = doc.get("type", "").replace("urn:affectune:problem:", "") if doc else \
            self.headers.get("content-type", "no content type")
        return f"{self.status} {kind}"


class SockReader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def until(self, marker):
        while marker not in self.buf:
            self.fill()
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        try:
            while True:
                self.fill()
        except (EOFError, OSError):
            pass
        out, self.buf = self.buf, b""
        return out


def build(method, path, headers=(), body=b"", chunked=False, host="127.0.0.1", version="HTTP/1.1",
          content_length=True):
    head = f"{method} {path} {version}\r\n"
    if host is not None:
        head += f"Host: {host}\r\n"
    for name, value in headers:
        head += f"{name}: {value}\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
        pieces = [b"%x\r\n" % len(body[i:i + 65536]) + body[i:i + 65536] + b"\r\n"
                  for i in range(0, len(body), 65536)] + [b"0\r\n\r\n"]
    else:
        if body or (content_length and method in ("POST", "PUT")):
            head += f"Content-Length: {len(body)}\r\n"
        pieces = [body] if body else []
    return [(head + "\r\n").encode("latin-1")] + pieces


def exchange(port, pieces, source=None, timeout=20.0):
    """Sends the request pieces (stopping early when the server answers first), reads one answer."""
    started = time.monotonic()
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5,
                                        source_address=(source, 0) if source else None)
    except OSError as e:
        return Resp(error=f"connect: {e}")
    sock.settimeout(timeout)
    try:
        try:
            done = False
            for piece in pieces:
                for i in range(0, max(1, len(piece)), 65536):
                    if select.select([sock], [], [], 0)[0]:
                        done = True
                        break
                    sock.sendall(piece[i:i + 65536])
                if done:
                    break
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        reader = SockReader(sock)
        try:
            while len(reader.buf) < 5:
                reader.fill()
            if not reader.buf.startswith(b"HTTP/"):
                # An HTTP/0.9 answer: a request line without a version ("HELLO THERE") is an HTTP/0.9 request,
                # which Tomcat answers the 0.9 way, with the body alone (no status line, no headers). Its status
                # is the one the problem object states.
                body = reader.rest()
                try:
                    doc = json.loads(body)
                    status = int(doc.get("status", 0)) if isinstance(doc, dict) else 0
                except ValueError:
                    status = 0
                if not status:
                    return Resp(error="an answer without a status line", elapsed=time.monotonic() - started)
                return Resp(status, {"content-type": "application/problem+json"}, body, time.monotonic() - started)
            while True:
                head = reader.until(b"\r\n\r\n").decode("latin-1")
                lines = head.split("\r\n")
                status = int(lines[0].split(" ", 2)[1])
                if status != 100:
                    break
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, _, value = line.partition(":")
                    name = name.strip().lower()
                    headers[name] = (headers[name] + ", " if name in headers else "") + value.strip()
            body = b""
            if "chunked" in headers.get("transfer-encoding", "").lower():
                while True:
                    size = int(reader.until(b"\r\n").split(b";")[0], 16)
                    body += reader.exactly(size + 2)[:-2]
                    if size == 0:
                        break
            elif "content-length" in headers:
                body = reader.exactly(int(headers["content-length"]))
            elif status not in (204, 304) and status >= 200:
                body = reader.rest()
            return Resp(status, headers, body, time.monotonic() - started)
        except EOFError:
            return Resp(error="connection closed without an answer", elapsed=time.monotonic() - started)
        except (socket.timeout, TimeoutError):
            return Resp(error=f"no answer within {timeout:.0f} s", elapsed=time.monotonic() - started)
        except (OSError, ValueError, IndexError) as e:
            return Resp(error=f"{type(e).__name__}: {e}", elapsed=time.monotonic() - started)
    finally:
        sock.close()


def request(port, method, path, headers=(), body=b"", source=None, timeout=20.0, **kw):
    return exchange(port, build(method, path, headers, body, **kw), source=source, timeout=timeout)


_source_counter = [0]
_source_lock = threading.Lock()


def fresh_source():
    """A loopback address not used before in this run (the gateway's rate limit and camera-service's session
    limit are per client address: each corpus case through the gateway counts as a new client)."""
    with _source_lock:
        _source_counter[0] += 1
        n = _source_counter[0]
    return f"127.{10 + n // 62500}.{(n // 250) % 250}.{n % 250 + 1}"


# ------------------------------------------------------------------------------------------------
# images
# ------------------------------------------------------------------------------------------------
def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def png(width, height, interlace=0, idat=None):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, interlace)
    if idat is None:
        idat = zlib.compress(b"\x00" * (min(width, 64) + 1))
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_header_only(width, height, sof=0xC0):
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"
    sof_segment = bytes([0xFF, sof]) + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof_segment + b"\xff\xd9"


class Images:
    def __init__(self, work):
        face_png = ROOT / "camera-service/src/test/resources/faces/val-1020-happy.png"
        out = work / "images"
        subprocess.run(["java", str(ROOT / "reliability/MakeImages.java"), str(out), str(face_png)], check=True,
                       stdout=subprocess.DEVNULL)
        self.face_png = face_png.read_bytes()
        self.face_jpg = (out / "face-64.jpg").read_bytes()
        self.frame_jpg = (out / "face-640x480.jpg").read_bytes()
        self.progressive_4000 = (out / "progressive-4000.jpg").read_bytes()
        self.baseline_4000 = (out / "baseline-4000.jpg").read_bytes()
        self.gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00," \
                   b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
        self.bmp = b"BM" + struct.pack("<IHHI", 58, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, 4,
                                                                           0, 0, 0, 0) + b"\x00\x00\xff\x00"
        self.webp = b"RIFF" + struct.pack("<I", 26) + b"WEBPVP8 " + struct.pack("<I", 14) + b"\x00" * 14
        self.tiff = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32
        self.garbage = bytes(random.Random(7).getrandbits(8) for _ in range(4096))
        self.png_bomb = png(50000, 50000)
        self.jpeg_bomb = jpeg_header_only(65000, 65000)
        self.interlaced_bomb = png(3000, 3000, interlace=1)
        self.progressive_header_bomb = jpeg_header_only(3000, 3000, sof=0xC2)
        self.png_zero = png(0, 0)
        self.png_corrupt = png(48, 48, idat=b"\x78\x9c" + b"\xde\xad\xbe\xef" * 16)
        self.truncated_png = self.face_png[:len(self.face_png) // 2]
        self.truncated_jpg = self.face_jpg[:len(self.face_jpg) // 2]
        self.jpeg_garbage = b"\xff\xd8\xff" + self.garbage[:1024]


def multipart(parts, boundary="rel-boundary", close=True, name="image", ctype="image/png"):
    body = b""
    for data in parts:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"f\"\r\n"
                 f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    if close:
        body += f"--{boundary}--\r\n".encode()
    return body


# ------------------------------------------------------------------------------------------------
# the system under test
# ------------------------------------------------------------------------------------------------
def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


class System:
    def __init__(self, work, env_extra):
        self.work = work
        self.data_dir = work / "data"
        self.data_dir.mkdir()
        os.chmod(work, 0o755)
        os.chmod(self.data_dir, 0o755)
        g, c, e, p, db = free_ports(5)
        self.port = {"gateway": g, "camera-service": c, "emotion-service": e, "playlist-service": p}
        self.db_port = db
        self.env = dict(os.environ)
        for name in ("DATABASE_URL", "DATABASE_USERNAME", "DATABASE_PASSWORD", "SERVER_PORT"):
            self.env.pop(name, None)
        self.env.update({
            "SKIP_BUILD": "1", "GATEWAY_PORT": str(g), "CAMERA_SERVICE_PORT": str(c),
            "EMOTION_SERVICE_PORT": str(e), "PLAYLIST_SERVICE_PORT": str(p), "EMBEDDED_DB_PORT": str(db),
            "GATEWAY_BIND_ADDRESS": "127.0.0.1", "AFFECTUNE_DATA_DIR": str(self.data_dir),
            "HEALTH_TIMEOUT": "240", "RESTART_MAX_DELAY": "4",
        })
        self.env.update(env_extra)
        self.proc = None
        self.log_path = work / "run.sh.log"

    def start(self):
        log(f"starting ./run.sh --no-build (ports {self.port}, PostgreSQL {self.db_port}, data {self.data_dir})")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen([str(ROOT / "run.sh"), "--no-build"], cwd=ROOT, env=self.env,
                                     stdout=self.log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        started = time.monotonic()
        while time.monotonic() - started < 300:
            if self.proc.poll() is not None:
                raise RuntimeError(f"run.sh exited ({self.proc.returncode}):\n" + self.log_path.read_text()[-3000:])
            if "all services are healthy" in self.log_path.read_text():
                self.start_seconds = time.monotonic() - started
                log(f"system healthy after {self.start_seconds:.0f} s")
                return
            time.sleep(0.5)
        raise RuntimeError("run.sh did not report healthy services within 300 s:\n"
                           + self.log_path.read_text()[-3000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            log("stopping run.sh (SIGTERM)")
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        for svc in SERVICES:  # anything of this run left behind (only processes of our data directory)
            pid = self.pid(svc)
            if pid:
                os.kill(pid, signal.SIGKILL)

    def pid(self, service):
        # run.sh runs a copy of the jar: <data>/jars/<service>.jar, or with JVM_CDS the extracted
        # <data>/jars/<service>/<service>.jar (read from /proc: no pgrep needed)
        prefix = f"{self.data_dir}/jars/{service}"
        wanted = (prefix + ".jar", f"{prefix}/{service}.jar")
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                args = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"-jar" in args and any(a.decode(errors="replace") in wanted for a in args):
                return int(entry)
        return None

    def postmaster_pid(self):
        for path in glob.glob(f"{self.data_dir}/postgres/**/postmaster.pid", recursive=True):
            try:
                return int(Path(path).read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        return None

    def healthy(self, service, timeout=3.0):
        r = request(self.port[service], "GET", "/actuator/health", timeout=timeout,
                    source=fresh_source() if service == "gateway" else None)
        return r.status == 200 and b'"UP"' in r.body[:200]

    def wait_all_healthy(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.healthy(s) for s in SERVICES):
                return True
            time.sleep(0.5)
        return False

    def sql(self, query):
        return pg_query(self.db_port, query)


def pg_query(port, query, user="postgres", database="affectune"):
    """The PostgreSQL simple-query protocol, enough for SELECT count(*) (trust authentication)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        params = f"user\0{user}\0database\0{database}\0\0".encode()
        sock.sendall(struct.pack(">II", 8 + len(params), 196608) + params)
        reader = SockReader(sock)

        def message():
            kind = reader.exactly(1)
            length = struct.unpack(">I", reader.exactly(4))[0]
            return kind, reader.exactly(length - 4)

        while True:
            kind, data = message()
            if kind == b"R" and struct.unpack(">I", data[:4])[0] != 0:
                raise RuntimeError("PostgreSQL asks for a password")
            if kind == b"E":
                raise RuntimeError(data.decode(errors="replace"))
            if kind == b"Z":
                break
        q = query.encode() + b"\0"
        sock.sendall(b"Q" + struct.pack(">I", 4 + len(q)) + q)
        rows = []
        while True:
            kind, data = message()
            if kind == b"D":
                n, pos, row = struct.unpack(">H", data[:2])[0], 2, []
                for _ in range(n):
                    size = struct.unpack(">i", data[pos:pos + 4])[0]
                    pos += 4
                    row.append(None if size < 0 else data[pos:pos + size].decode())
                    pos += max(size, 0)
                rows.append(row)
            elif kind == b"E":
                raise RuntimeError(data.decode(errors="replace"))
            elif kind == b"Z":
                return rows


class RssSampler(threading.Thread):
    def __init__(self, system):
        super().__init__(daemon=True)
        self.system, self.max_kib, self.stopped = system, {s: 0 for s in SERVICES}, threading.Event()

    def run(self):
        while not self.stopped.wait(1.0):
            for svc in SERVICES:
                pid = self.system.pid(svc)
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            self.max_kib[svc] = max(self.max_kib[svc], int(line.split()[1]))
                except (OSError, ValueError, TypeError):
                    pass


# ------------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------------
class Table:
    def __init__(self):
        self.rows, self.notes = [], []

    def add(self, area, check, target, measured, ok):
        verdict = "PASS" if ok is True else ("FAIL" if ok is False else ok)
        self.rows.append((area, check, target, measured, verdict))
        log(f"{verdict}: {area} / {check}: {measured}")

    def markdown(self):
        out = ["| area | check | target | measured | result |", "|---|---|---|---|---|"]
        for row in self.rows:
            out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
        return "\n".join(out)

    def failed(self):
        return [r for r in self.rows if r[4] == "FAIL"]


# ------------------------------------------------------------------------------------------------
# bad-input corpus
# ------------------------------------------------------------------------------------------------
class Case:
    def __init__(self, target, name, method, path, headers=(), body=b"", chunked=False, expect=None, raw=None,
                 tag=None):
        self.target, self.name, self.method, self.path = target, name, method, path
        self.headers, self.body, self.chunked, self.expect, self.raw, self.tag = headers, body, chunked, expect, raw, tag


def corpus(img):
    long_uri = "?q=" + "a" * 5000
    big_header = [("X-Big", "b" * 10000)]
    many_headers = [(f"X-H{i}", "v" * 60) for i in range(200)]
    ct = lambda value: [("Content-Type", value)]  # noqa: E731
    json_ct = ct("application/json")
    cases = []

    def common(target, post_path, post_ct, header_status):
        cases.extend([
            Case(target, "URI over 4 KB", "GET", "/api/v1/x" + long_uri, expect={414}, tag="414"),
            Case(target, "a 10 KB header", "GET", "/actuator/health", big_header, expect=header_status, tag="431"),
            Case(target, "200 headers (12 KB)", "GET", "/actuator/health", many_headers, expect=header_status,
                 tag="431"),
            Case(target, "unknown path", "GET", "/api/v1/no-such-thing", expect={404}),
            Case(target, "percent-encoding broken in the path", "GET", "/api/v1/%zz"),
            Case(target, "Content-Length not a number", None, None, raw=[
                f"POST {post_path} HTTP/1.1\r\nHost: x\r\nContent-Type: {post_ct}\r\nContent-Length: abc\r\n\r\n"
                .encode()]),
            Case(target, "Content-Length and Transfer-Encoding both", None, None, raw=[
                f"POST {post_path} HTTP/1.1\r\nHost: x\r\nContent-Type: {post_ct}\r\nContent-Length: 4\r\n"
                f"Transfer-Encoding: chunked\r\n\r\nzz\r\n".encode()]),
            Case(target, "request line is garbage", None, None, raw=[b"HELLO THERE\r\n\r\n"]),
            Case(target, "chunk size not hex", None, None, raw=[
                f"POST {post_path} HTTP/1.1\r\nHost: x\r\nContent-Type: {post_ct}\r\nTransfer-Encoding: chunked"
                f"\r\n\r\nzz\r\nabc\r\n0\r\n\r\n".encode()]),
        ])

    def images(target, path):
        cases.extend([
            Case(target, "Content-Type '%%%'", "POST", path, ct("%%%"), img.face_png, expect={415}),
            Case(target, "Content-Type 'image/jpeg;;;=;\"'", "POST", path, ct('image/jpeg;;;=;"'), img.face_jpg,
                 expect={415}),
            Case(target, "Content-Type text/plain", "POST", path, ct("text/plain"), b"hello", expect={415}),
            Case(target, "Content-Type image/gif", "POST", path, ct("image/gif"), img.gif, expect={415}),
            Case(target, "GIF bytes labelled image/jpeg", "POST", path, ct("image/jpeg"), img.gif, expect={415}),
            Case(target, "BMP bytes labelled image/png", "POST", path, ct("image/png"), img.bmp, expect={415}),
            Case(target, "WebP bytes", "POST", path, ct("application/octet-stream"), img.webp, expect={415}),
            Case(target, "TIFF bytes", "POST", path, ct("image/jpeg"), img.tiff, expect={415}),
            Case(target, "empty body", "POST", path, ct("image/png"), b""),
            Case(target, "random bytes labelled image/png", "POST", path, ct("image/png"), img.garbage),
            Case(target, "JPEG marker then garbage", "POST", path, ct("image/jpeg"), img.jpeg_garbage),
            Case(target, "truncated PNG", "POST", path, ct("image/png"), img.truncated_png),
            Case(target, "truncated JPEG", "POST", path, ct("image/jpeg"), img.truncated_jpg),
            Case(target, "PNG header 50000x50000 (pixel bomb)", "POST", path, ct("image/png"), img.png_bomb,
                 expect={413}),
            Case(target, "JPEG header 65000x65000 (pixel bomb)", "POST", path, ct("image/jpeg"), img.jpeg_bomb,
                 expect={413}),
            Case(target, "interlaced PNG 3000x3000 (x4 budget)", "POST", path, ct("image/png"), img.interlaced_bomb,
                 expect={413}),
            Case(target, "progressive JPEG header 3000x3000", "POST", path, ct("image/jpeg"),
                 img.progressive_header_bomb, expect={413}),
            Case(target, "progressive JPEG 4000x4000 (real)", "POST", path, ct("image/jpeg"), img.progressive_4000,
                 expect={413}, tag="progressive"),
            Case(target, "PNG 0x0", "POST", path, ct("image/png"), img.png_zero),
            Case(target, "PNG with corrupt pixel data", "POST", path, ct("image/png"), img.png_corrupt),
        ])

    # --- emotion-service
    e = "emotion-service"
    images(e, "/api/v1/predictions")
    batch = "/api/v1/predictions/batch"
    mp = lambda b="rel-boundary": ct(f"multipart/form-data; boundary={b}")  # noqa: E731
    cases.extend([
        Case(e, "body over EMOTION_MAX_IMAGE_SIZE (6 MB)", "POST", "/api/v1/predictions", ct("image/jpeg"),
             img.face_jpg + b"\0" * 6_000_000, expect={413}, tag="413"),
        Case(e, "chunked body over EMOTION_MAX_IMAGE_SIZE (6 MB)", "POST", "/api/v1/predictions",
             ct("image/jpeg"), img.face_jpg + b"\0" * 6_000_000, chunked=True, expect={413}, tag="413"),
        Case(e, "?model= unknown", "POST", "/api/v1/predictions?model=no-such-model", ct("image/png"), img.face_png,
             expect={404}),
        Case(e, "?model=../../etc/passwd", "POST", "/api/v1/predictions?model=..%2F..%2Fetc%2Fpasswd",
             ct("image/png"), img.face_png),
        Case(e, "?model=%zz", "POST", "/api/v1/predictions?model=%zz", ct("image/png"), img.face_png),
        Case(e, "X-Deadline-Ms not a number", "POST", "/api/v1/predictions",
             ct("image/png") + [("X-Deadline-Ms", "soon")], img.face_png, expect={400}),
        Case(e, "GET on predictions", "GET", "/api/v1/predictions", expect={405}),
        Case(e, "PUT on predictions", "PUT", "/api/v1/predictions", ct("image/png"), img.face_png, expect={405}),
        Case(e, "batch: ?version= another version", "POST", batch + "?version=0.0.0-none", mp(),
             multipart([img.face_png]), expect={409}),
        Case(e, "batch: multipart without boundary", "POST", batch, ct("multipart/form-data"),
             multipart([img.face_png])),
        Case(e, "batch: boundary does not match the body", "POST", batch, mp("other"), multipart([img.face_png])),
        Case(e, "batch: unterminated multipart (no closing boundary)", "POST", batch, mp(),
             multipart([img.face_png], close=False)),
        Case(e, "batch: unterminated multipart, chunked", "POST", batch, mp(),
             multipart([img.face_png], close=False), chunked=True),
        Case(e, "batch: unterminated part (cut inside the image)", "POST", batch, mp(),
             multipart([img.face_png])[:300]),
        Case(e, "batch: empty body", "POST", batch, mp(), b""),
        Case(e, "batch: zero parts", "POST", batch, mp(), b"--rel-boundary--\r\n"),
        Case(e, "batch: a GIF part", "POST", batch, mp(), multipart([img.face_png, img.gif], ctype="image/gif"),
             expect={415}),
        Case(e, "batch: a truncated part", "POST", batch, mp(), multipart([img.face_png, img.truncated_png])),
        Case(e, "batch: a pixel-bomb part", "POST", batch, mp(), multipart([img.png_bomb]), expect={413}),
        Case(e, "batch: 33 parts (over 32)", "POST", batch, mp(), multipart([img.face_png] * 33)),
        Case(e, "batch: a part over 5 MB", "POST", batch, mp(), multipart([img.face_png + b"\0" * 5_500_000]),
             expect={413}),
        Case(e, "batch: body over 16 MB", "POST", batch, mp(), multipart([img.face_png + b"\0" * 4_000_000] * 5),
             expect={413}, tag="413"),
        Case(e, "batch: body over 16 MB, chunked", "POST", batch, mp(),
             multipart([img.face_png + b"\0" * 4_000_000] * 5), chunked=True, expect={413}, tag="413"),
        Case(e, "batch: garbage instead of parts", "POST", batch, mp(), b"--rel-boundary\r\n" + img.garbage),
        Case(e, "batch: Content-Type image/png", "POST", batch, ct("image/png"), img.face_png, expect={415}),
        Case(e, "batch: Content-Type '%%%'", "POST", batch, ct("%%%"), multipart([img.face_png]), expect={415}),
        Case(e, "GET /api/v1/models/unknown", "GET", "/api/v1/models/no-such-model"),
    ])
    common(e, "/api/v1/predictions", "image/png", {431})

    # --- camera-service
    c = "camera-service"
    images(c, "/api/v1/analyze")
    sources = "/api/v1/sources"
    cases.extend([
        Case(c, "body over MAX_IMAGE_BYTES (9 MB)", "POST", "/api/v1/analyze", ct("image/jpeg"),
             img.face_jpg + b"\0" * 9_000_000, expect={413}, tag="413"),
        Case(c, "chunked body over MAX_IMAGE_BYTES (9 MB)", "POST", "/api/v1/analyze", ct("image/jpeg"),
             img.face_jpg + b"\0" * 9_000_000, chunked=True, expect={413}, tag="413"),
        Case(c, "?recommend=maybe", "POST", "/api/v1/analyze?recommend=maybe", ct("image/png"), img.face_png,
             expect={400}),
        Case(c, "X-Listener-Id not a UUID", "POST", "/api/v1/analyze?recommend=true",
             ct("image/png") + [("X-Listener-Id", "not-a-uuid")], img.frame_jpg, expect={400}),
        Case(c, "GET on analyze", "GET", "/api/v1/analyze", expect={405}),
        Case(c, "unknown session", "GET", "/api/v1/sessions/no-such-session", expect={404}),
        Case(c, "session id of 65 characters", "GET", "/api/v1/sessions/" + "s" * 65),
        Case(c, "session id with %00", "GET", "/api/v1/sessions/a%00b"),
        Case(c, "DELETE unknown session", "DELETE", "/api/v1/sessions/no-such-session", expect={404}),
        Case(c, "events of an unknown session", "GET", "/api/v1/sessions/no-such-session/events", expect={404}),
        Case(c, "preview of an unknown session", "GET", "/api/v1/sessions/no-such-session/preview.mjpg",
             expect={404}),
        Case(c, "stream without the WebSocket upgrade", "GET", "/api/v1/sessions/rel-x/stream"),
        Case(c, "PUT on sessions", "PUT", "/api/v1/sessions", json_ct, b"{}", expect={405}),
        Case(c, "source: empty object", "POST", sources, json_ct, b"{}", expect={400}),
        Case(c, "source: empty uri", "POST", sources, json_ct, b'{"uri":""}', expect={400}),
        Case(c, "source: unknown scheme", "POST", sources, json_ct, b'{"uri":"gopher://x/"}', expect={400}),
        Case(c, "source: file:/etc/passwd", "POST", sources, json_ct, b'{"uri":"file:/etc/passwd"}'),
        Case(c, "source: fps 0", "POST", sources, json_ct, b'{"uri":"0","fps":0}', expect={400}),
        Case(c, "source: fps 1000", "POST", sources, json_ct, b'{"uri":"0","fps":1000}', expect={400}),
        Case(c, "source: fps a string", "POST", sources, json_ct, b'{"uri":"0","fps":"fast"}', expect={400}),
        Case(c, "source: invalid JSON", "POST", sources, json_ct, b'{"uri":', expect={400}),
        Case(c, "source: a JSON array", "POST", sources, json_ct, b'[1,2,3]', expect={400}),
        Case(c, "source: text/plain", "POST", sources, ct("text/plain"), b'uri=0', expect={415}),
        Case(c, "unknown source", "GET", sources + "/no-such-source", expect={404}),
        Case(c, "DELETE unknown source", "DELETE", sources + "/no-such-source", expect={404}),
    ])
    common(c, "/api/v1/analyze", "image/png", {431})

    # --- playlist-service
    p = "playlist-service"
    fb = "/api/v1/feedback"
    cases.extend([
        Case(p, "unknown emotion", "GET", "/api/v1/playlists/bored"),
        Case(p, "?limit=abc", "GET", "/api/v1/playlists/happy?limit=abc", expect={400}),
        Case(p, "?limit=-1", "GET", "/api/v1/playlists/happy?limit=-1", expect={400}),
        Case(p, "?limit=0", "GET", "/api/v1/playlists/happy?limit=0", expect={400}),
        Case(p, "?limit=100000", "GET", "/api/v1/playlists/happy?limit=100000", expect={400}),
        Case(p, "?limit= 20 digits", "GET", "/api/v1/playlists/happy?limit=99999999999999999999", expect={400}),
        Case(p, "?strategy=bogus", "GET", "/api/v1/playlists/happy?strategy=bogus", expect={400}),
        Case(p, "emotion %zz", "GET", "/api/v1/playlists/%zz"),
        Case(p, "emotion with %00", "GET", "/api/v1/playlists/happy%00"),
        Case(p, "X-Listener-Id not a UUID", "GET", "/api/v1/playlists/happy", [("X-Listener-Id", "nope")],
             expect={400}),
        Case(p, "tracks ?page=-1", "GET", "/api/v1/tracks?page=-1", expect={400}),
        Case(p, "tracks ?size=100000", "GET", "/api/v1/tracks?size=100000", expect={400}),
        Case(p, "tracks ?size=abc", "GET", "/api/v1/tracks?size=abc", expect={400}),
        Case(p, "track id not a number", "GET", "/api/v1/tracks/abc", expect={400}),
        Case(p, "unknown track", "GET", "/api/v1/tracks/999999999", expect={404}),
        Case(p, "feedback: invalid JSON", "POST", fb, json_ct, b'{"trackId":', expect={400}),
        Case(p, "feedback: empty object", "POST", fb, json_ct, b"{}", expect={400}),
        Case(p, "feedback: empty body", "POST", fb, json_ct, b"", expect={400}),
        Case(p, "feedback: trackId a string", "POST", fb, json_ct,
             b'{"trackId":"x","emotion":"happy","signal":"like"}', expect={400}),
        Case(p, "feedback: trackId 1e30", "POST", fb, json_ct,
             b'{"trackId":1e30,"emotion":"happy","signal":"like"}', expect={400}),
        Case(p, "feedback: unknown track", "POST", fb, json_ct,
             b'{"trackId":999999999,"emotion":"happy","signal":"like"}'),
        Case(p, "feedback: unknown emotion", "POST", fb, json_ct,
             b'{"trackId":1,"emotion":"bored","signal":"like"}', expect={400}),
        Case(p, "feedback: unknown signal", "POST", fb, json_ct,
             b'{"trackId":1,"emotion":"happy","signal":"love"}', expect={400}),
        Case(p, "feedback: sessionId with spaces", "POST", fb, json_ct,
             b'{"trackId":1,"emotion":"happy","signal":"like","sessionId":"a b"}', expect={400}),
        Case(p, "feedback: JSON array", "POST", fb, json_ct, b"[]", expect={400}),
        Case(p, "feedback: JSON nested 5000 deep", "POST", fb, json_ct, b"[" * 5000 + b"]" * 5000, expect={400}),
        Case(p, "feedback: text/plain", "POST", fb, ct("text/plain"), b"like", expect={415}),
        Case(p, "feedback: Content-Type '%%%'", "POST", fb, ct("%%%"), b"{}", expect={415}),
        Case(p, "feedback: body over MAX_REQUEST_BYTES", "POST", fb, json_ct,
             b'{"trackId":1,"emotion":"happy","signal":"like","x":"' + b"a" * 100_000 + b'"}', expect={413},
             tag="413"),
        Case(p, "feedback: chunked body over MAX_REQUEST_BYTES", "POST", fb, json_ct,
             b'{"trackId":1,"emotion":"happy","signal":"like","x":"' + b"a" * 100_000 + b'"}', chunked=True,
             expect={413}, tag="413"),
        Case(p, "listener id not a UUID", "GET", "/api/v1/listeners/nope", expect={400}),
        Case(p, "consent: invalid JSON", "PUT", "/api/v1/listeners/" + "1" * 8 + "-1111-4111-8111-" + "1" * 12
             + "/consent", json_ct, b"{", expect={400}),
        Case(p, "curated write without a token", "POST", "/api/v1/curated-playlists", json_ct, b'{"name":"x"}'),
        Case(p, "curated id not a number", "GET", "/api/v1/curated-playlists/abc", expect={400}),
        Case(p, "DELETE on a playlist", "DELETE", "/api/v1/playlists/happy", expect={405}),
    ])
    common(p, fb, "application/json", {400, 431})

    # --- through the gateway
    g = "gateway"
    cases.extend([
        Case(g, "body over MAX_REQUEST_SIZE (11 MB) to emotion", "POST", "/api/v1/predictions", ct("image/jpeg"),
             img.face_jpg + b"\0" * 11_000_000, expect={413}, tag="413-gateway"),
        Case(g, "chunked body over MAX_REQUEST_SIZE (11 MB) to emotion", "POST", "/api/v1/predictions",
             ct("image/jpeg"), img.face_jpg + b"\0" * 11_000_000, chunked=True, expect={413}, tag="413-gateway"),
        Case(g, "body over MAX_REQUEST_SIZE (11 MB) to camera", "POST", "/api/v1/analyze", ct("image/jpeg"),
             img.face_jpg + b"\0" * 11_000_000, expect={413}, tag="413-gateway"),
        Case(g, "chunked body over MAX_REQUEST_SIZE (11 MB) to playlist feedback", "POST", fb, json_ct,
             b"{" + b" " * 11_000_000 + b"}", chunked=True, expect={413}, tag="413-gateway"),
        Case(g, "body over emotion's 5 MB, under the gateway's 10 MB", "POST", "/api/v1/predictions",
             ct("image/jpeg"), img.face_jpg + b"\0" * 6_000_000, expect={413}, tag="413-gateway"),
        Case(g, "emotion: Content-Type '%%%'", "POST", "/api/v1/predictions", ct("%%%"), img.face_png,
             expect={415}),
        Case(g, "emotion: GIF", "POST", "/api/v1/predictions", ct("image/gif"), img.gif, expect={415}),
        Case(g, "emotion: truncated JPEG", "POST", "/api/v1/predictions", ct("image/jpeg"), img.truncated_jpg),
        Case(g, "emotion: pixel bomb", "POST", "/api/v1/predictions", ct("image/png"), img.png_bomb, expect={413}),
        Case(g, "emotion: progressive JPEG 4000x4000", "POST", "/api/v1/predictions", ct("image/jpeg"),
             img.progressive_4000, expect={413}, tag="progressive"),
        Case(g, "batch: unterminated multipart", "POST", batch, mp(), multipart([img.face_png], close=False)),
        Case(g, "batch: multipart without boundary", "POST", batch, ct("multipart/form-data"),
             multipart([img.face_png])),
        Case(g, "camera: random bytes", "POST", "/api/v1/analyze", ct("image/png"), img.garbage),
        Case(g, "camera: JPEG pixel bomb", "POST", "/api/v1/analyze", ct("image/jpeg"), img.jpeg_bomb,
             expect={413}),
        Case(g, "camera: progressive JPEG 4000x4000", "POST", "/api/v1/analyze", ct("image/jpeg"),
             img.progressive_4000, expect={413}, tag="progressive"),
        Case(g, "camera: unknown session", "GET", "/api/v1/sessions/no-such-session", expect={404}),
        Case(g, "camera: stream without the upgrade", "GET", "/api/v1/sessions/rel-y/stream"),
        Case(g, "playlist: unknown emotion", "GET", "/api/v1/playlists/bored"),
        Case(g, "playlist: ?limit=abc", "GET", "/api/v1/playlists/happy?limit=abc", expect={400}),
        Case(g, "playlist: feedback invalid JSON", "POST", fb, json_ct, b'{"trackId":', expect={400}),
        Case(g, "playlist: tracks ?size=abc", "GET", "/api/v1/tracks?size=abc", expect={400}),
        Case(g, "playlist: X-Listener-Id not a UUID", "GET", "/api/v1/playlists/happy", [("X-Listener-Id", "x")],
             expect={400}),
        Case(g, "unknown API path", "GET", "/api/v1/no-such-thing", expect={404}),
        Case(g, "TRACE", "TRACE", "/api/v1/playlists/happy"),
        Case(g, "unknown static file", "GET", "/no-such-file.js", expect={404}),
    ])
    common(g, "/api/v1/predictions", "image/png", {431})
    return cases


def normal_request(system, target, img):
    port = system.port[target]
    if target == "emotion-service":
        return request(port, "POST", "/api/v1/predictions", [("Content-Type", "image/png")], img.face_png)
    if target == "camera-service":
        return request(port, "POST", "/api/v1/analyze", [("Content-Type", "image/png")], img.face_png)
    return request(port, "GET", "/api/v1/playlists/happy?limit=3",
                   source=fresh_source() if target == "gateway" else None)


def run_corpus(system, img, table, details):
    cases = corpus(img)
    log(f"bad-input corpus: {len(cases)} cases")
    results = []
    for case in cases:
        port = system.port[case.target]
        source = fresh_source() if case.target == "gateway" else None
        pieces = case.raw if case.raw else build(case.method, case.path, case.headers, case.body, case.chunked)
        r = exchange(port, pieces, source=source, timeout=30)
        health = system.healthy(case.target, timeout=10)
        normal = normal_request(system, case.target, img)
        ok_answer = 400 <= r.status < 500 and r.is_problem()
        results.append((case, r, health, normal.status == 200))
    per_target = {}
    for case, r, health, normal in results:
        t = per_target.setdefault(case.target, [0, 0, 0, 0, 0])
        t[0] += 1
        t[1] += 400 <= r.status < 500 and r.is_problem()
        t[2] += r.status >= 500 or r.error is not None
        t[3] += health
        t[4] += normal
    total = len(results)
    good = sum(1 for c, r, h, n in results if 400 <= r.status < 500 and r.is_problem())
    fivexx = sum(1 for c, r, h, n in results if r.status >= 500)
    no_answer = sum(1 for c, r, h, n in results if r.error)
    after_ok = sum(1 for c, r, h, n in results if h and n)
    off = [f"{c.target.split('-')[0]} {c.name}: {r.describe()}" for c, r, h, n in results
           if not (400 <= r.status < 500 and r.is_problem())]
    table.add("bad input", f"corpus: {total} cases (" + ", ".join(f"{k} {v[0]}" for k, v in per_target.items())
              + ")", ">= 150 cases; every answer 4xx problem+json; 0 x 5xx",
              f"{good}/{total} 4xx problem+json; {fivexx} x 5xx; {no_answer} without an answer"
              + ("; not: " + "; ".join(off) if off else ""),
              total >= 150 and good == total and fivexx == 0)
    table.add("bad input", "health and a normal request after each case", "all answered",
              f"{after_ok}/{total}", after_ok == total)
    wrong = [(c, r) for c, r, h, n in results if c.expect and r.status not in c.expect]
    table.add("bad input", "specific statuses (413 size, 414 URI, 431 headers (playlist: 400), 415 type, "
              "404/405/409)", "as documented in the README",
              f"{sum(1 for c, r, h, n in results if c.expect) - len(wrong)}/"
              f"{sum(1 for c, r, h, n in results if c.expect)} as documented"
              + ("; not: " + "; ".join(f"{c.target.split('-')[0]} {c.name}: {r.describe()}" for c, r in wrong)
                 if wrong else ""), not wrong)
    for tag, label, target in (("413-gateway", "oversize bodies through the gateway (chunked or not)", "413"),
                               ("413", "oversize bodies at each service (chunked or not)", "413"),
                               ("414", "URI over 4 KB", "414"),
                               ("431", "headers over 8 KB", "431 (playlist-service's Tomcat: 400)")):
        rows = [(c, r) for c, r, h, n in results if c.tag == tag]
        good_rows = [1 for c, r in rows if r.status in c.expect and r.is_problem()]
        statuses = sorted({f"{c.target.split('-')[0]} {r.status or r.error}" for c, r in rows})
        table.add("bad input", label, target + " problem+json",
                  f"{len(good_rows)}/{len(rows)}: " + ", ".join(statuses), len(good_rows) == len(rows))
    rows = [(c, r) for c, r, h, n in results if c.tag == "progressive"]
    ok = all((r.status == 413 and r.is_problem()) or (r.status == 200 and r.elapsed <= 0.3) for c, r in rows)
    table.add("bad input", "4000x4000 progressive JPEG", "answered within 300 ms or refused (413)",
              ", ".join(f"{c.target.split('-')[0]}{' ' + c.path if c.target == 'gateway' else ''}: "
                        f"{r.status} in {r.elapsed * 1000:.0f} ms" for c, r in rows), ok)
    lines = ["| # | target | case | expected | answer | health after | normal request after |",
             "|---|---|---|---|---|---|---|"]
    for i, (c, r, h, n) in enumerate(results, 1):
        flag = "" if (400 <= r.status < 500 and r.is_problem() and (not c.expect or r.status in c.expect)) else " **!**"
        lines.append(f"| {i} | {c.target} | {c.name.replace('|', '/')} | "
                     f"{'/'.join(map(str, sorted(c.expect))) if c.expect else '4xx'} | {r.describe()}{flag} | "
                     f"{'UP' if h else 'DOWN'} | {'200' if n else 'FAILED'} |")
    details["corpus"] = "\n".join(lines)
    bad = [f"{c.target}: {c.name}: {r.describe()}" for c, r, h, n in results
           if not (400 <= r.status < 500 and r.is_problem()) or (c.expect and r.status not in c.expect)]
    for line in bad:
        log("  corpus deviation: " + line)


# ------------------------------------------------------------------------------------------------
# durability: PostgreSQL kill -9 after acknowledged writes
# ------------------------------------------------------------------------------------------------
def find_track_id(system):
    r = request(system.port["playlist-service"], "GET", "/api/v1/playlists/happy?limit=1")

    def walk(node):
        if isinstance(node, dict):
            for key in ("trackId", "id"):
                if isinstance(node.get(key), int):
                    return node[key]
            nodes = node.values()
        elif isinstance(node, list):
            nodes = node
        else:
            return None
        for child in nodes:
            found = walk(child)
            if found is not None:
                return found
        return None

    doc = r.json()
    tracks = doc.get("tracks") if isinstance(doc, dict) else None
    return walk(tracks if tracks else doc)


def run_durability(system, table, writes=200):
    port = system.port["playlist-service"]
    track = find_track_id(system)
    tag = f"rel-{int(time.time())}-{random.randrange(1 << 30)}"
    body = json.dumps({"trackId": track, "emotion": "happy", "signal": "like", "sessionId": tag}).encode()
    acked, started = 0, time.monotonic()
    for _ in range(writes):
        r = request(port, "POST", "/api/v1/feedback", [("Content-Type", "application/json")], body)
        acked += r.status == 201
    write_s = time.monotonic() - started
    pm = system.postmaster_pid()
    log(f"durability: {acked} acknowledged writes in {write_s:.1f} s; kill -9 postmaster {pm}")
    if pm is None:
        table.add("durability", "PostgreSQL kill -9 after acknowledged writes", "0 lost", "postmaster not found",
                  False)
        return
    os.kill(pm, signal.SIGKILL)
    killed = time.monotonic()
    statuses, recovered = {}, None
    probe = json.dumps({"trackId": track, "emotion": "happy", "signal": "skip", "sessionId": tag + "-probe"}).encode()
    bad_refusals, count, count_error = 0, None, None
    # Recovered: the service writes again *and* PostgreSQL answers the count. A backend that outlives its
    # postmaster for a moment can still take a write, so a 201 alone does not mean the restart has happened.
    while time.monotonic() - killed < 120:
        r = request(port, "POST", "/api/v1/feedback", [("Content-Type", "application/json")], probe, timeout=10)
        key = r.status or "no answer"
        statuses[key] = statuses.get(key, 0) + 1
        if r.status == 201:
            try:
                count = int(system.sql(f"SELECT count(*) FROM feedback WHERE session_id = '{tag}'")[0][0])
                recovered = time.monotonic() - killed
                break
            except Exception as e:  # noqa: BLE001  (reported below if it never answers)
                count_error = e
        elif r.status >= 500 and not (r.status == 503 and r.is_problem() and r.retry_after()):
            bad_refusals += 1
        time.sleep(0.25)
    if count is None:
        log(f"durability: count failed: {count_error}")
    lost = None if count is None else acked - count
    table.add("durability", f"PostgreSQL kill -9 after {acked} acknowledged feedback writes",
              f"{writes} acknowledged, 0 lost",
              f"{count} of {acked} rows present, {lost} lost; writes again {recovered:.1f} s after the kill"
              if recovered is not None and count is not None else f"rows {count}, not writable again in 120 s",
              acked == writes and lost == 0 and recovered is not None)
    table.add("durability", "feedback writes while PostgreSQL is down", "503 problem+json with Retry-After, "
              "never 500", ", ".join(f"{k}: {v}" for k, v in statuses.items()) +
              f"; {bad_refusals} other 5xx", bad_refusals == 0)


# ------------------------------------------------------------------------------------------------
# session limits
# ------------------------------------------------------------------------------------------------
def flood(port, count, sources, threads=20):
    results, lock = [], threading.Lock()
    jobs = list(range(count))

    def worker():
        while True:
            with lock:
                if not jobs:
                    return
                i = jobs.pop()
            r = request(port, "POST", "/api/v1/sessions", [("Content-Type", "application/json")], b"",
                        source=sources[i % len(sources)], timeout=20)
            with lock:
                results.append(r)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


def summarise_flood(results):
    counts = {}
    for r in results:
        counts[r.status or "no answer"] = counts.get(r.status or "no answer", 0) + 1
    refusals = [r for r in results if r.status in (429, 503)]
    good_refusals = sum(1 for r in refusals if r.retry_after() and r.is_problem())
    bad = sum(1 for r in results if r.status not in (201, 429, 503))
    text = ", ".join(f"{k} x {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
    ok = bad == 0 and len(refusals) > 0 and good_refusals == len(refusals)
    return text + f"; {good_refusals}/{len(refusals)} refusals with Retry-After + problem+json", ok


def run_sessions(system, table):
    camera, gateway = system.port["camera-service"], system.port["gateway"]
    created = []
    one = ["127.5.0.1"]
    res = flood(camera, 300, one)
    created += [r.json()["id"] for r in res if r.status == 201 and r.json()]
    text, ok = summarise_flood(res)
    table.add("sessions", "POST /api/v1/sessions x 300, one client, camera-service",
              "429/503 with Retry-After, never 500", text, ok)
    res = flood(gateway, 300, ["127.5.0.2"])
    created += [r.json()["id"] for r in res if r.status == 201 and r.json()]
    text, ok = summarise_flood(res)
    table.add("sessions", "POST /api/v1/sessions x 300, one client, through the gateway",
              "429/503 with Retry-After, never 500", text, ok)
    res = flood(camera, 300, [f"127.5.1.{i}" for i in range(1, 31)])
    created += [r.json()["id"] for r in res if r.status == 201 and r.json()]
    text, ok = summarise_flood(res)
    full = sum(1 for r in res if r.status == 503)
    table.add("sessions", "POST /api/v1/sessions x 300 from 30 clients (SESSION_MAX 200)",
              "503 with Retry-After once full, never 500", text + f" ({len(created)} sessions open)",
              ok and full > 0)
    for sid in created:
        request(camera, "DELETE", f"/api/v1/sessions/{sid}")
    log(f"sessions: deleted {len(created)} sessions")


# ------------------------------------------------------------------------------------------------
# slow clients
# ------------------------------------------------------------------------------------------------
def run_slow_clients(system, table, img, held=100):
    targets = {"gateway": ("/api/v1/feedback", "application/json"),
               "camera-service": ("/api/v1/analyze", "image/png"),
               "emotion-service": ("/api/v1/predictions", "image/png"),
               "playlist-service": ("/api/v1/feedback", "application/json")}
    closed, lock = {}, threading.Lock()

    def half(name, target, data):
        s = socket.create_connection(("127.0.0.1", system.port[target]),
                                     source_address=(fresh_source(), 0) if target == "gateway" else None)
        s.settimeout(60)
        s.sendall(data)
        sent = time.monotonic()
        outcome = "open after 60 s"
        try:
            answer = s.recv(4096)
            outcome = "closed" if not answer else "answered " + answer.split(b" ")[1].decode("latin-1", "replace")
        except (ConnectionResetError, OSError) as e:
            outcome = "reset" if not isinstance(e, socket.timeout) else "open after 60 s"
        with lock:
            closed[name] = (time.monotonic() - sent, outcome)
        s.close()

    threads = []
    for target, (path, ctype) in targets.items():
        head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Le".encode()
        threads.append(threading.Thread(target=half, args=(f"{target} head", target, head)))
        body = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Length: 50000\r\n\r\n" \
            .encode() + (img.face_png[:100] if ctype == "image/png" else b'{"trackId": 1, "emotion": "happy", ')
        threads.append(threading.Thread(target=half, args=(f"{target} body", target, body)))
    # a crowd of half-sent requests on the gateway while a normal client is served
    crowd = []
    for _ in range(held):
        try:
            s = socket.create_connection(("127.0.0.1", system.port["gateway"]), source_address=(fresh_source(), 0))
            s.sendall(b"GET /api/v1/playlists/happy HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            crowd.append(s)
        except OSError:
            break
    for t in threads:
        t.start()
    time.sleep(1)
    normal = [request(system.port["gateway"], "GET", "/api/v1/playlists/happy?limit=3", source=fresh_source())
              for _ in range(5)]
    for t in threads:
        t.join()
    for s in crowd:
        s.close()
    worst = max(v[0] for v in closed.values())
    table.add("slow clients", "half-sent request (head cut, or body stalled): closed after",
              "<= 30 s (SERVER_READ_TIMEOUT 30s; measured + 1 s scheduling)",
              "; ".join(f"{k}: {v[1]} {v[0]:.1f} s" for k, v in sorted(closed.items())),
              all(v[1] in ("closed", "reset") or v[1].startswith("answered 4") for v in closed.values())
              and worst <= 31.0)
    served = [r for r in normal if r.status == 200]
    table.add("slow clients", f"{len(crowd)} half-sent requests held on the gateway: normal requests",
              "200, < 1 s", f"{len(served)}/5 answered 200, slowest {max(r.elapsed for r in normal) * 1000:.0f} ms",
              len(served) == 5 and max(r.elapsed for r in normal) < 1.0)


# ------------------------------------------------------------------------------------------------
# emotion-service killed under load
# ------------------------------------------------------------------------------------------------
def degraded_of(status, body):
    if status == 200:
        return "degraded" if b'"degraded":true' in body else "full"
    return "problem" if b"urn:affectune:problem:" in body else "other"


def run_emotion_kill(system, table, img, seconds=45.0, kill_at=5.0):
    camera, gateway, emotion = system.port["camera-service"], system.port["gateway"], system.port["emotion-service"]
    timeline, gw_timeline, health = [], [], []
    origin = time.monotonic()
    marks = {}

    async def killer():
        await asyncio.sleep(kill_at)
        pid = system.pid("emotion-service")
        marks["kill"] = time.monotonic() - origin
        os.kill(pid, signal.SIGKILL)
        log(f"emotion-service (pid {pid}) killed with SIGKILL under load")
        while time.monotonic() - origin < seconds:
            up = await asyncio.to_thread(system.healthy, "emotion-service", 1.0)
            if up and "healthy" not in marks:
                marks["healthy"] = time.monotonic() - origin
            await asyncio.sleep(0.25)

    async def main():
        camera_load = load.run_load(f"http://127.0.0.1:{camera}/api/v1/analyze", img.frame_jpg, "image/jpeg",
                                    concurrency=4, seconds=seconds, warmup=0, inspect=degraded_of,
                                    timeline=timeline, origin=origin)
        async def gateway_poll():  # 4 requests a second, each from a new address (below the rate limit)
            while time.monotonic() - origin < seconds:
                r = await asyncio.to_thread(request, gateway, "POST", "/api/v1/predictions",
                                            [("Content-Type", "image/png")], img.face_png, fresh_source(), 5.0)
                gw_timeline.append((time.monotonic() - origin, r.status, degraded_of(r.status, r.body)))
                await asyncio.sleep(0.25)
        return await asyncio.gather(camera_load, gateway_poll(), killer())

    asyncio.run(main())
    kill = marks.get("kill", kill_at)
    after = [(t, s, v) for t, s, v in timeline if t >= kill]
    before = [(t, s, v) for t, s, v in timeline if t < kill]
    first_degraded = next((t for t, s, v in after if v == "degraded"), None)
    recovered = next((t for t, s, v in after if v == "full" and first_degraded is not None and t > first_degraded),
                     None)
    counts = {}
    for t, s, v in after:
        if recovered is None or t <= recovered:
            key = f"{s} {v}" if s else "no answer"
            counts[key] = counts.get(key, 0) + 1
    fivexx = sum(1 for t, s, v in after if s >= 500 or s == 0)
    healthy = marks.get("healthy")
    table.add("faults", "emotion-service killed (SIGKILL) under camera load (4 clients /api/v1/analyze)",
              "degraded answers, no 5xx; back by itself",
              f"before: {len(before)} answers; outage: " + ", ".join(f"{k} x {v}" for k, v in sorted(counts.items()))
              + f"; emotion healthy again {healthy - kill:.1f} s after the kill (run.sh restart)"
              if healthy else "emotion-service not healthy again", first_degraded is not None and fivexx == 0
              and recovered is not None)
    table.add("faults", "camera answers after the emotion-service kill", "full (not degraded) again",
              f"first full answer {recovered - kill:.1f} s after the kill" if recovered else
              f"still degraded {seconds - kill:.0f} s after the kill", recovered is not None)
    gw = {}
    for t, s, v in gw_timeline:
        if t >= kill and (healthy is None or t <= healthy):
            gw[f"{s} {v}"] = gw.get(f"{s} {v}", 0) + 1
    table.add("faults", "gateway /api/v1/predictions while emotion-service is down",
              "503 problem+json (no 500)", ", ".join(f"{k} x {v}" for k, v in sorted(gw.items())),
              all(k.startswith(("503 problem", "200", "502 problem", "504 problem")) for k in gw) and bool(gw))


# ------------------------------------------------------------------------------------------------
# camera-service killed during WebSocket sessions
# ------------------------------------------------------------------------------------------------
def ws_frame(opcode, payload):
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    key = (mask * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big") if n else b""
    return head + mask + masked


async def ws_read(reader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", await reader.readexactly(8))[0]
    mask = await reader.readexactly(4) if b1 & 0x80 else None
    payload = await reader.readexactly(n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return b0 & 0x0F, payload


async def ws_session(port, path, source, frame, stop_at, origin, record):
    while time.monotonic() < stop_at:
        writer = None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 3)
            key = base64.b64encode(os.urandom(16)).decode()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                         .encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            status = int(head.split(b" ", 2)[1])
            if status != 101:
                record("refused", time.monotonic() - origin, status)
                raise ConnectionError(f"handshake {status}")
            record("open", time.monotonic() - origin, None)

            async def sender():
                while True:
                    writer.write(ws_frame(2, frame))
                    await writer.drain()
                    await asyncio.sleep(0.2)

            task = asyncio.create_task(sender())
            try:
                while time.monotonic() < stop_at:
                    op, payload = await asyncio.wait_for(ws_read(reader), 10)
                    if op == 1:
                        record("error" if payload.startswith(b'{"error"') else "result", time.monotonic() - origin,
                               None)
                    elif op == 8:
                        code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                        raise ConnectionError(f"close {code}")
                    elif op == 9:
                        writer.write(ws_frame(10, payload))
            finally:
                task.cancel()
        except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError,
                IndexError) as e:
            record("drop", time.monotonic() - origin, str(e) or type(e).__name__)
            await asyncio.sleep(1.0)
        finally:
            if writer is not None:
                writer.close()


def run_camera_kill(system, table, img, seconds=50.0, kill_at=8.0):
    camera, gateway = system.port["camera-service"], system.port["gateway"]
    origin = time.monotonic()
    stop_at = origin + seconds
    events = {}
    marks = {}
    plan = [("direct 1", camera, "127.7.0.1"), ("direct 2", camera, "127.7.0.2"),
            ("gateway 1", gateway, "127.7.0.3"), ("gateway 2", gateway, "127.7.0.4")]
    gw_answers = []

    async def killer():
        await asyncio.sleep(kill_at)
        pid = system.pid("camera-service")
        marks["kill"] = time.monotonic() - origin
        os.kill(pid, signal.SIGKILL)
        log(f"camera-service (pid {pid}) killed with SIGKILL during {len(plan)} WebSocket sessions")
        while time.monotonic() < stop_at:
            r = await asyncio.to_thread(request, gateway, "POST", "/api/v1/analyze", [("Content-Type", "image/png")],
                                        img.face_png, "127.7.1.1", 5.0)
            if r.status != 200 or "healthy" not in marks:
                gw_answers.append(f"{r.status} {'problem' if r.is_problem() else ''}".strip())
            if r.status == 200 and "healthy" not in marks:
                marks["healthy"] = time.monotonic() - origin
            await asyncio.sleep(0.5)

    async def main():
        tasks = []
        for name, port, source in plan:
            events[name] = []
            rec = (lambda n: lambda kind, t, info: events[n].append((kind, t, info)))(name)
            tasks.append(ws_session(port, f"/api/v1/sessions/rel-ws-{name.replace(' ', '-')}-{os.getpid()}/stream",
                                    source, img.frame_jpg, stop_at, origin, rec))
        await asyncio.gather(killer(), *tasks)

    asyncio.run(main())
    kill = marks.get("kill", kill_at)
    parts, all_ok = [], True
    for name, _, _ in plan:
        ev = events[name]
        before = sum(1 for k, t, i in ev if k == "result" and t < kill)
        drop = next(((t, i) for k, t, i in ev if k == "drop" and t >= kill), None)
        resumed = next((t for k, t, i in ev if k == "result" and drop and t > drop[0]), None)
        ok = before > 0 and drop is not None and resumed is not None
        all_ok &= ok
        parts.append(f"{name}: {before} results before, " +
                     (f"dropped +{drop[0] - kill:.1f} s ({drop[1]}), results again +{resumed - kill:.1f} s"
                      if drop and resumed else f"drop {drop}, resumed {resumed}"))
    table.add("faults", "camera-service killed (SIGKILL) during 4 WebSocket sessions (2 direct, 2 via gateway), "
              "5 frames/s each; clients reconnect every 1 s", "every session sees the drop and resumes",
              "; ".join(parts), all_ok)
    counts = {}
    for a in gw_answers:
        counts[a] = counts.get(a, 0) + 1
    table.add("faults", "gateway /api/v1/analyze while camera-service is down", "503 problem+json (no 500)",
              ", ".join(f"{k} x {v}" for k, v in sorted(counts.items())) +
              (f"; answered 200 again +{marks['healthy'] - kill:.1f} s" if "healthy" in marks else ""),
              all(k.startswith(("503 problem", "502 problem", "504 problem", "200")) for k in counts)
              and "healthy" in marks)


# ------------------------------------------------------------------------------------------------
# overload
# ------------------------------------------------------------------------------------------------
def run_overload(system, table, img, details):
    url = f"http://127.0.0.1:{system.port['emotion-service']}/api/v1/predictions"
    runs = {}
    plan = (("16 clients", 16, 10, False), ("32 clients", 32, 10, False), ("1x: 64 clients", 64, 10, False),
            ("2x: 128 clients", 128, 15, False), ("5x: 320 clients", 320, 15, False),
            ("2x: 128 clients honouring Retry-After", 128, 15, True),
            ("5x: 320 clients honouring Retry-After", 320, 15, True))
    for name, clients, seconds, honour in plan:
        log(f"overload: {name} ({seconds} s + 3 s warm-up)")
        cpu = time.process_time()
        wall = time.monotonic()
        runs[name] = asyncio.run(load.run_load(url, img.face_png, "image/png", concurrency=clients,
                                               seconds=seconds, warmup=3, honour_retry_after=honour))
        # the load generator runs on the same cores as the services: its own share of one core
        runs[name]["load_generator_cpu_cores"] = round((time.process_time() - cpu) / (time.monotonic() - wall), 2)
        log(f"  {json.dumps(runs[name])}")
    capacity = max(runs[n]["goodput_per_s"] for n in ("16 clients", "32 clients", "1x: 64 clients"))
    details["overload"] = runs

    def fmt(r):
        return (f"goodput {r['goodput_per_s']}/s ({r['goodput_per_s'] / capacity * 100:.0f}% of capacity), "
                f"admitted p50/p95/p99 {r['ok_ms']['p50']}/{r['ok_ms']['p95']}/{r['ok_ms']['p99']} ms, "
                f"rejected {r['rejected_share'] * 100:.1f}% of {r['requests']} (shed p99 {r['shed_ms']['p99']} ms), "
                f"other {r['other']}{' ' + str(r['other_statuses']) if r['other'] else ''}; "
                f"load generator {r['load_generator_cpu_cores']} cores")

    table.add("overload", "emotion-service capacity: best goodput of 16, 32 and 64 closed-loop clients (same run)",
              "measured", f"**{capacity}/s**; " + "; ".join(f"{n}: {fmt(runs[n])}" for n in
                                                           ("16 clients", "32 clients", "1x: 64 clients")), "INFO")
    for name in ("2x: 128 clients", "5x: 320 clients", "2x: 128 clients honouring Retry-After",
                 "5x: 320 clients honouring Retry-After"):
        r = runs[name]
        ok = r["goodput_per_s"] >= 0.9 * capacity and (r["ok_ms"]["p99"] or 1e9) <= 500 and r["other"] == 0
        back_off = "" if "honouring" in name else ", no back-off after a 503"
        table.add("overload", f"emotion-service at {name}{back_off} (POST /api/v1/predictions)",
                  "goodput >= 90% of capacity, admitted p99 <= 500 ms, only 2xx/503", fmt(r), ok)


# ------------------------------------------------------------------------------------------------
def write_doc(path, table, details, system, mode, seconds):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    failed = table.failed()
    text = f"""# Reliability

Written by `reliability/suite.py` ({mode} run, {now}, commit {commit}{' with uncommitted changes in the tree' if dirty else ''},
{os.cpu_count()} cores, {platform.system()} {platform.machine()}, the suite and the system on the same machine;
{seconds:.0f} s in all, the system healthy {system.start_seconds:.0f} s after `./run.sh --no-build`).
Do not edit by hand: run `flock /tmp/affectune-cpu.lock reliability/suite.py` (see the README, "Reliability suite").

Result: **{len(table.rows) - len(failed) - sum(1 for r in table.rows if r[4] == 'INFO')} PASS, {len(failed)} FAIL**
{"(" + "; ".join(r[1] for r in failed) + ")" if failed else ""}

{table.markdown()}

## How it is measured

- The system is started by `./run.sh --no-build` on free ports with its own embedded PostgreSQL in a temporary
  directory (`RESTART_MAX_DELAY=4`, everything else at its defaults: `JAVA_OPTS=-XX:TieredStopAtLevel=1`, heaps
  256m / emotion-service 320m). A "kill" is `kill -9` of the service's JVM (or of the PostgreSQL postmaster);
  `./run.sh` restarts it like compose's `restart: unless-stopped` would.
- Requests are raw HTTP/1.1 over sockets (Python standard library). Requests through the gateway come from
  distinct loopback addresses (127.x.y.z) so that the gateway's per-client rate limit (20/s, burst 40) does
  not turn the corpus into 429s; the session flood uses one address on purpose.
- Corpus: a case passes when its answer is a 4xx with `Content-Type: application/problem+json` and a `type`
  `urn:affectune:problem:*`, and afterwards the service's `/actuator/health` is UP and a normal request
  (a face to emotion-service and camera-service, a playlist elsewhere) is answered 200. The "specific
  statuses" row compares the cases that have a documented status with it.
- Durability: 200 sequential `POST /api/v1/feedback` (each acknowledged with 201 before the next), `kill -9`
  of the postmaster, then the rows of those writes are counted over the PostgreSQL protocol once writes
  succeed again.
- Overload: `reliability/load.py` closed-loop clients against emotion-service directly, a 48x48 PNG face per
  request, in two kinds: each client sends its next request as soon as the answer arrives, 503s included (no
  back-off: a retry storm, far more than 2x or 5x the capacity in requests per second), or a client that got a
  503 first waits its `Retry-After`. emotion-service holds a keep-alive connection to its `Retry-After`
  (`EMOTION_PACE_EARLY_RETRIES`): a request that comes sooner is answered 503 only when that time has come, so
  a no-back-off client is refused about twice a second. A single image is refused from its request head already
  (`EMOTION_SHED_EARLY`): the refusal never goes through Spring. The load generator shares the 2 cores with the system: the CPU it used
  (in cores) is given with each run. Capacity is the best goodput of 16, 32 and 64 clients in the same run; goodput = 2xx answers per second;
  latency percentiles are of admitted (2xx) answers; rejected share = 429/503 answers / all answers.
- RSS: `VmRSS` of every service JVM sampled every second through the whole run (restarted JVMs included).

## Overload runs (load.py output)

```json
{json.dumps(details.get("overload", {}), indent=1)}
```

## Bad-input corpus, case by case

Answers marked **!** are not a 4xx problem+json or not the documented status.

{details.get("corpus", "")}
"""
    Path(path).write_text(text)
    log(f"wrote {path}")


def update_doc(path, table, details, area, seconds):
    """--only AREA: replaces that area's rows (and, for overload, the load.py output) in an existing report, says
    so in its header and recounts the result over all rows; every other row stays as it was measured."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = Path(path).read_text().split("\n")
    new_rows = table.markdown().split("\n")[2:]
    out, placed = [], False
    for line in lines:
        if line.startswith(f"| {area} |"):
            if not placed:
                out.extend(new_rows)
                placed = True
            continue
        if line.startswith("Rows of area ") and "reliability/suite.py --only" in line:
            continue  # the note of an earlier partial run
        out.append(line)
    if not placed:
        raise RuntimeError(f"{path} has no '{area}' rows to replace: run the whole suite first")
    rows = [line for line in out if line.startswith("| ") and line.count(" | ") >= 4 and not line.startswith("| area ")]
    verdicts = [line.rstrip(" |").rsplit("| ", 1)[-1].strip() for line in rows]
    failed = [line.split(" | ")[1] for line, v in zip(rows, verdicts) if v == "FAIL"]
    text = "\n".join(out)
    start = text.index("Result: **")
    end = text.index("\n\n| area | check |")
    text = (text[:start] + f"Result: **{verdicts.count('PASS')} PASS, {len(failed)} FAIL**\n"
            + ("(" + "; ".join(failed) + ")" if failed else "")
            + f"\nRows of area `{area}` rerun alone by `reliability/suite.py --only {area}` ({now}, commit {commit}"
            + (" with uncommitted changes in the tree" if dirty else "") + f", {seconds:.0f} s); the other rows are"
            + " from the run named above." + text[end:])
    if area == "overload":
        start = text.index("## Overload runs (load.py output)")
        end = text.index("## Bad-input corpus")
        text = (text[:start] + "## Overload runs (load.py output)\n\n```json\n"
                + json.dumps(details.get("overload", {}), indent=1) + "\n```\n\n" + text[end:])
    Path(path).write_text(text)
    log(f"updated the {area} rows of {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="corpus, durability, session limits only (CI)")
    parser.add_argument("--doc", help="write the report here [full run: docs/reliability.md; --fast: none]")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    parser.add_argument("--only", choices=["overload"],
                        help="run only these rows and replace them in the report (default docs/reliability.md)")
    args = parser.parse_args()
    doc = args.doc or (None if args.fast else str(ROOT / "docs/reliability.md"))
    for svc in SERVICES + ["dev-postgres"]:
        if not glob.glob(str(ROOT / svc / "target" / f"{svc}-*.jar")):
            sys.exit(f"suite: {svc}/target/{svc}-*.jar is missing: build first (./mvnw -B -q install -DskipTests)")
    work = Path(tempfile.mkdtemp(prefix="affectune-reliability-"))
    table, details = Table(), {}
    img = Images(work)
    system = System(work, {})
    sampler = None
    ok = False
    try:
        system.start()
        if args.only == "overload":
            run_overload(system, table, img, details)
        else:
            sampler = RssSampler(system)
            sampler.start()
            run_corpus(system, img, table, details)
            run_sessions(system, table)
            run_durability(system, table)
            if not args.fast:
                system.wait_all_healthy()
                run_slow_clients(system, table, img)
                system.wait_all_healthy()
                run_overload(system, table, img, details)
                system.wait_all_healthy()
                r = request(system.port["emotion-service"], "POST", "/api/v1/predictions",
                            [("Content-Type", "image/jpeg")], img.baseline_4000, timeout=30)
                table.add("bad input", "4000x4000 baseline JPEG (16 M pixels, within the budget)",
                          "answered, no 5xx", f"{r.describe()} in {r.elapsed * 1000:.0f} ms",
                          r.status != 0 and r.status < 500)
                run_emotion_kill(system, table, img)
                system.wait_all_healthy()
                run_camera_kill(system, table, img)
                system.wait_all_healthy()
            sampler.stopped.set()
            sampler.join()
            table.add("memory", "max RSS per service through the suite", f"< {RSS_LIMIT_MIB} MiB each",
                      ", ".join(f"{s} {kib / 1024:.0f} MiB" for s, kib in sampler.max_kib.items()),
                      all(0 < kib < RSS_LIMIT_MIB * 1024 for kib in sampler.max_kib.values()))
        ok = True
    except Exception as e:  # noqa: BLE001  (the table so far is still printed)
        log(f"suite aborted: {type(e).__name__}: {e}")
        table.add("suite", "ran to the end", "no error", f"{type(e).__name__}: {str(e)[:300]}", False)
        import traceback
        traceback.print_exc()
    finally:
        if sampler:
            sampler.stopped.set()
        system.stop()
    seconds = time.monotonic() - T0
    print()
    print(table.markdown())
    failed = table.failed()
    print(f"\n{len(failed)} FAIL of {len(table.rows)} rows; {seconds:.0f} s")
    if doc and args.only and ok:
        update_doc(doc, table, details, args.only, seconds)
    elif doc and not args.only and hasattr(system, "start_seconds"):
        write_doc(doc, table, details, system, "fast" if args.fast else "full", seconds)
    if args.keep or failed or not ok:
        log(f"logs and data kept in {work} (run.sh.log, data/logs/)")
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed or not ok else 0)


if __name__ == "__main__":
    main()
