"""Slow clients from one address against the feed server: threads with limits (syndicator) vs aiohttp.

For each server: (1) throughput, `--clients` keep-alive clients sending conditional GETs for
`--load-seconds`; (2) the attack of issue 8, 600 idle and 100 trickling connections from
127.0.0.2 (reconnecting whenever closed) for `--seconds` (30 by default), while 127.0.0.1 GETs
/rss.xml on a new connection every 0.1 s. Prints requests/s and, under attack, how many probes
got 200 and their latency percentiles. Loopback only; client and server share the machine.

    python bench/bench_slow_clients.py [--server threads|aiohttp|both] [--seconds 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import bench_server  # noqa: E402  (the site, the server start and the load client)
from slow_clients import attack_in_subprocess, probe  # noqa: E402


def _start(kind: str, config: Path, port: int) -> subprocess.Popen:
    if kind == "threads":
        return bench_server._start(config, port)
    proc = subprocess.Popen([sys.executable, str(HERE / "aiohttp_feeds.py"), str(config.parent / "feeds"),
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/rss.xml", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("aiohttp server did not start")


def _throughput(port: int, clients: int, seconds: float) -> float:
    tags = bench_server._etags(port)
    requests = [(f"GET /{rel} HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: {tag}\r\n"
                 "Connection: keep-alive\r\n\r\n").encode() for rel, tag in tags.items()]
    results = [{} for _ in range(clients)]
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=bench_server._client, args=(port, requests, stop, False, r))
               for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    done = sum(len(r.get("latencies", [])) for r in results)
    return done / seconds


def _attack(port: int, seconds: float) -> dict:
    attacker = attack_in_subprocess(port, seconds=seconds + 1)  # its own process, its own GIL
    time.sleep(1.0)
    results = probe(port, seconds=seconds, every=0.1)
    connects = int(attacker.communicate(timeout=60)[0])
    times = sorted(t for status, t in results if status == 200)
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [float("nan")] * 99
    return {"probes": len(results), "ok": len(times), "p50_ms": q[49] * 1000, "p90_ms": q[89] * 1000,
            "max_ms": (times[-1] * 1000) if times else float("nan"), "attacker_connects": connects}


def run(kind: str, *, seconds: float, clients: int, load_seconds: float) -> None:
    """Start `kind` over a bench site, measure throughput then the attack, print one line each."""
    with tempfile.TemporaryDirectory(prefix="bench-slow-") as tmp:
        port = bench_server._free_port()
        config = bench_server._site(Path(tmp), port)
        proc = _start(kind, config, port)
        try:
            rps = _throughput(port, clients, load_seconds)
            print(f"{kind}: {clients} keep-alive clients, {load_seconds:g} s: {rps:.0f} conditional GETs/s", flush=True)
            f = _attack(port, seconds)
            print(f"{kind}: under 600 idle + 100 trickling from 127.0.0.2 for {seconds:g} s: {f['ok']}/{f['probes']} "
                  f"probes from 127.0.0.1 got 200; p50 {f['p50_ms']:.1f} ms, p90 {f['p90_ms']:.1f} ms, "
                  f"max {f['max_ms']:.1f} ms; attacker connects {f['attacker_connects']}", flush=True)
        finally:
            proc.terminate()
            proc.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", choices=["threads", "aiohttp", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--load-seconds", type=float, default=5.0)
    args = parser.parse_args()
    for kind in (["threads", "aiohttp"] if args.server == "both" else [args.server]):
        run(kind, seconds=args.seconds, clients=args.clients, load_seconds=args.load_seconds)


if __name__ == "__main__":
    main()
