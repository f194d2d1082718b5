"""Feed server throughput for conditional GETs (If-None-Match -> 304), 50 concurrent clients.

Starts `syndicator serve` as a subprocess on 127.0.0.1 and a free port over a temporary
feeds directory (a site RSS/Atom/JSON feed of ~60 KB each, plus 20 tag feeds), then runs
`--clients` threads for `--seconds`, each on its own keep-alive connection (or a new
connection per request with `--close`), sending conditional GETs with the ETag it got first,
round-robin over the feeds. Prints requests per second, latency percentiles and the error
count (anything but a 304 is an error). The client runs in this process and the server in
another, both on the same machine, so the figure is a floor, not a ceiling. Loopback only.

    python bench/bench_server.py [--clients 50] [--seconds 5] [--close] [--json]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

FEEDS = ["rss.xml", "atom.xml", "feed.json"] + [f"tags/tag-{i}/rss.xml" for i in range(20)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _site(root: Path, port: int) -> Path:
    out = root / "feeds"
    item = "<item><title>Post {n}</title><description>" + "word " * 400 + "</description></item>\n"
    body = "<rss version='2.0'><channel><title>Bench</title>" + "".join(
        item.format(n=n) for n in range(30)) + "</channel></rss>\n"
    for rel in FEEDS:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(body if rel.endswith(".xml") else json.dumps({"title": "Bench", "items": []}))
    (root / "config.toml").write_text(f"""
[site]
title = "Bench"
url = "https://bench.example/"
[feeds]
output = "feeds"
hubs = ["https://hub.example/"]
[server]
host = "127.0.0.1"
port = {port}
max_per_client = 500  # every bench client comes from 127.0.0.1
""")
    return root / "config.toml"


def _start(config: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "syndicator"
    proc = subprocess.Popen([str(exe), "serve", "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def _etags(port: int) -> dict[str, str]:
    tags = {}
    for rel in FEEDS:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{rel}", timeout=5) as resp:
            tags[rel] = resp.headers["ETag"]
    return tags


def _client(port: int, requests: list[bytes], stop: float, close: bool, out: dict) -> None:
    latencies, errors, sock, i = [], 0, None, 0
    while time.monotonic() < stop:
        req = requests[i % len(requests)]
        i += 1
        start = time.perf_counter()
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(req)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    raise ConnectionError("closed")
                data += chunk
            if not data.startswith(b"HTTP/1.1 304"):
                errors += 1
            if close:
                sock.close()
                sock = None
        except OSError:
            errors += 1
            if sock is not None:
                sock.close()
            sock = None
            continue
        latencies.append(time.perf_counter() - start)
    if sock is not None:
        sock.close()
    out["latencies"], out["errors"] = latencies, errors


def run(clients: int, seconds: float, close: bool) -> dict:
    """Start the server, hammer it, stop it; the figures as a dict."""
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        port = _free_port()
        proc = _start(_site(Path(tmp), port), port)
        try:
            tags = _etags(port)
            conn = "close" if close else "keep-alive"
            requests = [(f"GET /{rel} HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: {tag}\r\n"
                         f"Accept-Encoding: gzip\r\nConnection: {conn}\r\n\r\n").encode()
                        for rel, tag in tags.items()]
            results = [{} for _ in range(clients)]
            stop = time.monotonic() + seconds
            threads = [threading.Thread(target=_client, args=(port, requests[i:] + requests[:i], stop, close, r))
                       for i, r in enumerate(results)]
            began = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join(seconds + 30)
            elapsed = time.monotonic() - began
        finally:
            proc.terminate()
            status = proc.wait(timeout=15)
    lat = sorted(x for r in results for x in r.get("latencies", []))
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [0.0] * 99
    return {"clients": clients, "seconds": round(elapsed, 2), "connection": conn,
            "requests": len(lat), "requests_per_second": round(len(lat) / elapsed, 1),
            "errors": sum(r.get("errors", 1) for r in results),
            "p50_ms": round(q[49] * 1000, 2), "p99_ms": round(q[98] * 1000, 2),
            "server_exit_status": status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--close", action="store_true", help="a new connection per request")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 0 < args.seconds <= 120:
        parser.error("--clients must be 1..500 and --seconds 0..120")
    figures = run(args.clients, args.seconds, args.close)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['clients']} clients, {figures['connection']}, {figures['seconds']} s: "
              f"{figures['requests']} conditional GETs, {figures['requests_per_second']} req/s, "
              f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, errors {figures['errors']}")
    sys.exit(1 if figures["errors"] else 0)


if __name__ == "__main__":
    main()
