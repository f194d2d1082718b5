"""Save-to-served latency: from a post file landing in posts/ to the served feed containing it.

Starts `syndicator run --serve` on a temporary copy of the example site (config.toml and
posts/ from the repository), then repeatedly saves a new post the way an editor does (write a
temporary file, rename it over the target) and polls the served RSS feed over HTTP every few
milliseconds until the post's title appears. Prints each sample and the median (target: under
1 s), for filesystem notifications and for the polling fallback.

    python bench/bench_latency.py [--runs 9] [--debounce 0.5] [--modes notify poll] [--posts N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _site(root: Path, debounce: float, posts: int) -> tuple[Path, str]:
    """The site to run on, and an author key it knows."""
    if posts:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from corpus import generate

        config = generate(root, posts)
        with config.open("a", encoding="utf-8") as handle:
            handle.write(f"\n[daemon]\ndebounce = {debounce}\n")
        return config, "ada"
    shutil.copytree(REPO / "posts", root / "posts")
    # No cross-posting: the probe posts must never leave this machine.
    dropped = {"[daemon]", "[crosspost]", "[[endpoints]]"}
    lines, skipping = [], False
    for line in (REPO / "config.toml").read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("["):
            skipping = line.split("#")[0].strip() in dropped
        if not skipping:
            lines.append(line)
    config = root / "config.toml"
    config.write_text("\n".join(lines) + f"\n\n[daemon]\ndebounce = {debounce}\n", encoding="utf-8")
    return config, "maya"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # 127.0.0.1 only
        return response.read()


def _wait(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
        time.sleep(0.05)


def _save(posts: Path, name: str, title: str, author: str) -> None:
    """Save like an editor: write a temporary file, then rename it over the target."""
    date = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tmp = posts / f".{name}.tmp"
    tmp.write_text(f"---\ntitle: {title}\ndate: {date}\nauthor: {author}\n---\n\nBenchmark post.\n",
                   encoding="utf-8")
    os.replace(tmp, posts / name)


def measure(mode: str, runs: int, debounce: float, interval: float, posts: int) -> list[float]:
    """Latency samples in seconds for one watch mode ("notify" or "poll")."""
    with tempfile.TemporaryDirectory(prefix="syndicator-latency-") as tmp:
        config, author = _site(Path(tmp), debounce, posts)
        port = _free_port()
        cmd = [sys.executable, "-m", "syndicator", "run", "--config", str(config), "--serve",
               "--port", str(port), "--log-level", "warning"] + (["--poll"] if mode == "poll" else [])
        proc = subprocess.Popen(cmd, cwd=tmp, stderr=subprocess.PIPE, text=True)
        url = f"http://127.0.0.1:{port}/rss.xml"
        try:
            def ready() -> bool:
                try:
                    return b"<rss" in _get(url)
                except OSError:
                    return False
            _wait(ready, 120)
            samples = []
            for i in range(runs):
                title = f"Latency probe {mode} {i} {time.time_ns()}"
                _save(Path(tmp) / "posts", f"latency-{i}.md", title, author)
                start = time.perf_counter()
                while title.encode() not in _get(url):
                    if time.perf_counter() - start > 20:
                        raise TimeoutError(f"{title!r} never appeared in {url}")
                    time.sleep(interval)
                samples.append(time.perf_counter() - start)
                print(f"  {mode} run {i + 1}: {samples[-1] * 1000:.0f} ms", flush=True)
                # Let the daemon go idle, then wait a random extra so saves do not fall in step
                # with the polling observer's scans (which would measure one phase only).
                time.sleep(max(0.3, debounce) + random.uniform(0, 0.5))
            return samples
        finally:
            proc.terminate()
            try:
                status = proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                status = "killed"
            errors = proc.stderr.read() if proc.stderr else ""
            if status != 0 or errors.strip():
                print(f"  daemon exit status {status}; stderr:\n{errors}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--debounce", type=float, default=0.5,
                        help="[daemon] debounce for the run (the config default is 0.5 s)")
    parser.add_argument("--modes", nargs="+", default=["notify", "poll"], choices=["notify", "poll"])
    parser.add_argument("--interval", type=float, default=0.005, help="seconds between feed polls")
    parser.add_argument("--posts", type=int, default=0,
                        help="use a generated site of this many posts instead of the example site")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    results = {}
    for mode in args.modes:
        site = f"{args.posts} generated posts" if args.posts else "the example site"
        print(f"{mode}: {args.runs} saves into {site}, debounce {args.debounce} s", flush=True)
        samples = measure(mode, args.runs, args.debounce, args.interval, args.posts)
        results[mode] = {"median_ms": round(statistics.median(samples) * 1000),
                         "min_ms": round(min(samples) * 1000), "max_ms": round(max(samples) * 1000),
                         "runs": len(samples)}
    print()
    print(f"{'watch mode':<12}{'median':>10}{'min':>10}{'max':>10}   target: median < 1000 ms")
    for mode, r in results.items():
        verdict = "ok" if r["median_ms"] < 1000 else "SLOW"
        print(f"{mode:<12}{r['median_ms']:>8} ms{r['min_ms']:>7} ms{r['max_ms']:>7} ms   {verdict}")
    if args.json:
        print(json.dumps({"debounce_s": args.debounce, "posts": args.posts or "example", **results}))


if __name__ == "__main__":
    main()
