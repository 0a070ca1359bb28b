#!/usr/bin/env python3
"""Closed-loop HTTP/1.1 load: N clients, each sends its next request when the last answer arrives.

Written for the overload checks (2x and 5x a service's capacity): unlike wrk it reports latency per
answer class, so "admitted requests kept p99 <= 500 ms while 503s were shed at once" can be read off
directly. Standard library only (asyncio, raw sockets, keep-alive; a connection the server closes is
reopened). Prints one JSON object. reliability/suite.py imports run_load() from here.

  reliability/load.py --url http://127.0.0.1:8082/api/v1/predictions --body face.jpg \
      --content-type image/jpeg --concurrency 320 --seconds 20
"""
import argparse
import asyncio
import json
import time
import urllib.parse


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return round(values[k] * 1000.0, 1)


async def read_answer(reader, keep_body=False):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close, chunked, retry_after = 0, False, False, None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.lower() == "close":
            close = True
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "retry-after" and value.isdigit():
            retry_after = int(value)
    body = b""
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            data = await reader.readexactly(size + 2)
            if keep_body:
                body += data[:-2]
            if size == 0:
                break
    elif length:
        body = await reader.readexactly(length)
    return status, close, body, retry_after


async def client(host, port, request, stop_at, results, warmup_until, inspect=None, source=None,
                 shed_pause=0.0, timeline=None, origin=0.0, honour_retry_after=False):
    reader = writer = None
    while time.monotonic() < stop_at:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(source, 0) if source else None)
            started = time.monotonic()
            writer.write(request)
            await writer.drain()
            status, close, body, retry_after = await read_answer(reader, keep_body=inspect is not None)
            ended = time.monotonic()
            if started >= warmup_until and ended <= stop_at:
                results.append((status, ended - started))
            if timeline is not None:
                timeline.append((ended - origin, status, inspect(status, body) if inspect else None))
            if close:
                writer.close()
                writer = None
            if status in (429, 503):
                pause = retry_after if honour_retry_after and retry_after is not None else shed_pause
                if pause:
                    await asyncio.sleep(min(pause, max(0.0, stop_at - time.monotonic())))
        except (ConnectionError, asyncio.IncompleteReadError, OSError, ValueError, IndexError):
            if time.monotonic() >= warmup_until:
                results.append((0, 0.0))
            if timeline is not None:
                timeline.append((time.monotonic() - origin, 0, None))
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


def build_request(url, body, content_type="image/jpeg", headers=()):
    url = urllib.parse.urlsplit(url)
    path = url.path + ("?" + url.query if url.query else "")
    method = "POST" if body else "GET"
    head = f"{method} {path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\n"
    if body:
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    for header in headers:
        head += header + "\r\n"
    return url.hostname, url.port, (head + "\r\n").encode("latin-1") + body


def summarise(results, concurrency, seconds):
    ok = [t for s, t in results if 200 <= s < 300]
    shed = [t for s, t in results if s in (429, 503)]
    other = [s for s, _ in results if not (200 <= s < 300 or s in (429, 503))]
    total = len(results)
    return {
        "concurrency": concurrency, "seconds": seconds, "requests": total,
        "goodput_per_s": round(len(ok) / seconds, 1),
        "ok": len(ok), "shed": len(shed), "other": len(other),
        "other_statuses": sorted(set(other)),
        "rejected_share": round(len(shed) / total, 3) if total else None,
        "ok_ms": {"p50": percentile(ok, 50), "p95": percentile(ok, 95), "p99": percentile(ok, 99)},
        "shed_ms": {"p50": percentile(shed, 50), "p99": percentile(shed, 99)},
    }


async def run_load(url, body=b"", content_type="image/jpeg", headers=(), concurrency=8, seconds=15.0,
                   warmup=3.0, inspect=None, sources=None, shed_pause=0.0, timeline=None, origin=None,
                   honour_retry_after=False):
    """Runs the load and returns the summary. inspect(status, body) -> value recorded per answer in
    timeline as (seconds since origin, status, value); sources: local addresses the clients bind to
    (round robin), so that per-address limits see several clients. After a 429/503 a client waits shed_pause
    seconds, or the answer's Retry-After with honour_retry_after."""
    host, port, request = build_request(url, body, content_type, headers)
    results = []
    now = time.monotonic()
    warmup_until = now + warmup
    stop_at = warmup_until + seconds
    await asyncio.gather(*(client(host, port, request, stop_at, results, warmup_until, inspect,
                                  sources[i % len(sources)] if sources else None, shed_pause, timeline,
                                  origin if origin is not None else now, honour_retry_after)
                           for i in range(concurrency)))
    return summarise(results, concurrency, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--body")
    parser.add_argument("--content-type", default="image/jpeg")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--shed-pause", type=float, default=0.0,
                        help="seconds a client waits after a 429/503 before its next request [0]")
    parser.add_argument("--honour-retry-after", action="store_true",
                        help="after a 429/503 a client waits the answer's Retry-After")
    args = parser.parse_args()
    body = open(args.body, "rb").read() if args.body else b""
    print(json.dumps(asyncio.run(run_load(args.url, body, args.content_type, args.header, args.concurrency,
                                          args.seconds, args.warmup, shed_pause=args.shed_pause,
                                          honour_retry_after=args.honour_retry_after))))


if __name__ == "__main__":
    main()
